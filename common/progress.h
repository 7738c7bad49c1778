/* progress.h -- a one-line progress bar on stderr, with rate and ETA.
 *
 *   sim  [==========>                   ]   35%  42/120 days  1.5k rows/s  ETA 0:22
 *
 * Long stages (simulating days, importing logs, analysing subjects) report
 * their progress here.  The bar appears only when stderr is a terminal and
 * --quiet was not given, so scripts, pipes and test logs stay clean; it is
 * redrawn in place ('\r') at most ten times a second and closed with a
 * newline by ml_progress_finish().
 *
 * Workload: ml_progress_update() may be called for every row, 10^8 times a
 * run.  It stores two counters and returns after one decrement; the clock is
 * read only every few thousand calls (the stride adapts to the call rate) and
 * a line is formatted only when a redraw is due.
 *
 * Threads: an MlProgress belongs to one thread, the only one that may call
 * update, finish and free on it; worker threads report their counts to that
 * thread instead.  ml_progress_set_quiet() may be called from any thread.
 */
#ifndef ML_PROGRESS_H
#define ML_PROGRESS_H

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct MlProgress MlProgress;

/* Suppress every progress bar from now on (from --quiet); FALSE lets them
 * draw again.  Global and atomic. */
void ml_progress_set_quiet (gboolean quiet);

/* A progress bar titled LABEL counting up to TOTAL (0: unknown, shown as a
 * plain count without bar, percentage or ETA) in UNIT ("days"; NULL or ""
 * for none).  Both strings are copied.  Nothing is drawn yet; the first line
 * appears on an update at least 0.1 s later.  Free with ml_progress_free(). */
MlProgress *ml_progress_new (const char *label, guint64 total, const char *unit);

/* Record that DONE of the total are complete and ROWS secondary items
 * (shown as a rate, "rows/s"; 0 omits it) were produced so far, and redraw
 * if 0.1 s have passed since the last line.  Cheap enough to call per row.
 * Only the owning thread may call it; calls after finish are ignored. */
void ml_progress_update (MlProgress *p, guint64 done, guint64 rows);

/* Draw the final line with the latest counts and end it with a newline, if
 * the bar is shown at all (terminal, not quiet); otherwise do nothing.
 * Later calls do nothing. */
void ml_progress_finish (MlProgress *p);

/* Free P (NULL is fine).  If a line is on screen and P was not finished, end
 * it with a newline so that the next message starts on a line of its own. */
void ml_progress_free (MlProgress *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlProgress, ml_progress_free)

/* For tests: draw to STREAM (borrowed; it must outlive P) instead of stderr,
 * treating it as a terminal if FORCE or if it is one.  --quiet still wins. */
void ml_progress_set_stream_for_testing (MlProgress *p, FILE *stream, gboolean force);

/* The line P would draw for DONE, ROWS after ELAPSED_S seconds, at most
 * WIDTH bytes long (the bar shrinks, then disappears, then the text is cut),
 * without any I/O.  The caller frees. */
char *ml_progress_format (const MlProgress *p, guint64 done, guint64 rows, double elapsed_s, int width);

G_END_DECLS

#endif /* ML_PROGRESS_H */
