/* progress.c -- a one-line progress bar on stderr, with rate and ETA.
 *
 * An MlProgress remembers the latest counts on every update and does real
 * work only when a countdown of calls runs out: then it reads the monotonic
 * clock, adapts the countdown so that the clock is read every 10-40 ms
 * whatever the caller's rate, and redraws if 100 ms have passed since the
 * last line.  Lines are rewritten in place with '\r' and padded with blanks
 * over the remains of a longer previous line, so dumb terminals work too.
 *
 * Workload: the update fast path is a store of two counters and a decrement,
 * called up to 10^8 times a run; formatting allocates, but runs at most ten
 * times a second.  Nothing is drawn unless the stream is a terminal (or a
 * test forces it) and --quiet is off.
 */

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/progress.h"

#define REDRAW_INTERVAL_US  (G_USEC_PER_SEC / 10)   /* at most ten lines a second */
#define CHECK_MIN_US        (10 * 1000)             /* read the clock at most ... */
#define CHECK_MAX_US        (40 * 1000)             /* ... and at least this often */
#define CHECK_EVERY_MAX     (1u << 20)              /* updates between clock reads */
#define BAR_MAX             30                      /* cells inside the brackets */
#define BAR_MIN             5                       /* below this, drop the bar */
#define DEFAULT_COLUMNS     80

static gint quiet_flag;   /* atomic: set by --quiet */

struct MlProgress {
  char *label;             /* owned: the stage's name, "sim" */
  char *unit;              /* owned: what TOTAL counts, "days"; NULL for none */
  guint64 total;           /* 0: unknown, no bar, percentage or ETA */
  guint64 done;            /* latest DONE passed to update */
  guint64 rows;            /* latest ROWS passed to update */
  gint64 start_us;         /* monotonic time of creation */
  gint64 last_draw_us;     /* monotonic time of the last line (start if none) */
  gint64 last_check_us;    /* monotonic time of the last clock read */
  guint32 countdown;       /* updates left before the next clock read */
  guint32 check_every;     /* current stride between clock reads, >= 1 */
  FILE *stream;            /* borrowed: stderr, or a test's stream */
  gboolean terminal;       /* STREAM is a TTY, or a test forced drawing */
  gboolean drawn;          /* a line of ours is on screen, not yet ended */
  gboolean finished;       /* ml_progress_finish() ran */
  gsize last_len;          /* bytes of the last line, to blank leftovers */
};

void
ml_progress_set_quiet (gboolean quiet)
{
  g_atomic_int_set (&quiet_flag, quiet ? 1 : 0);
}

/* Whether P should draw at all right now. */
static gboolean
is_shown (const MlProgress *p)
{
  return p->terminal && !p->finished && !g_atomic_int_get (&quiet_flag);
}

static gboolean
stream_is_terminal (FILE *stream)
{
  int fd = fileno (stream);

  return fd >= 0 && isatty (fd);
}

MlProgress *
ml_progress_new (const char *label, guint64 total, const char *unit)
{
  MlProgress *p;

  g_return_val_if_fail (label != NULL, NULL);

  p = g_new0 (MlProgress, 1);
  p->label = g_strdup (label);
  p->unit = unit != NULL && *unit != '\0' ? g_strdup (unit) : NULL;
  p->total = total;
  p->start_us = g_get_monotonic_time ();
  p->last_draw_us = p->start_us;
  p->last_check_us = p->start_us;
  p->countdown = 1;
  p->check_every = 1;
  p->stream = stderr;
  p->terminal = stream_is_terminal (stderr);
  return p;
}

void
ml_progress_set_stream_for_testing (MlProgress *p, FILE *stream, gboolean force)
{
  g_return_if_fail (p != NULL);
  g_return_if_fail (stream != NULL);
  p->stream = stream;
  p->terminal = force || stream_is_terminal (stream);
  p->countdown = 1;
}

/* The usable width of P's stream: its columns less one, so that the cursor
 * never wraps at the right margin. */
static int
line_width (const MlProgress *p)
{
  int columns = DEFAULT_COLUMNS;
#ifdef TIOCGWINSZ
  struct winsize ws;

  if (ioctl (fileno (p->stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    columns = ws.ws_col;
#endif
  return columns - 1;
}

/* Rewrite the current line with P's latest counts as of NOW. */
static void
draw (MlProgress *p, gint64 now)
{
  double elapsed = (double) (now - p->start_us) / G_USEC_PER_SEC;
  g_autofree char *line = ml_progress_format (p, p->done, p->rows, elapsed, line_width (p));
  gsize len = strlen (line);
  int pad = p->last_len > len ? (int) (p->last_len - len) : 0;

  fprintf (p->stream, "\r%s%*s", line, pad, "");
  fflush (p->stream);
  p->last_len = len;
  p->last_draw_us = now;
  p->drawn = TRUE;
}

/* Keep clock reads between CHECK_MIN_US and CHECK_MAX_US apart whatever
 * the rate of updates, given that the last stride took INTERVAL_US. */
static void
adapt_stride (MlProgress *p, gint64 interval_us)
{
  if (interval_us < CHECK_MIN_US && p->check_every < CHECK_EVERY_MAX)
    p->check_every *= 2;
  else if (interval_us > CHECK_MAX_US && p->check_every > 1)
    p->check_every /= 2;
  p->countdown = p->check_every;
}

/* The slow path of an update: the countdown ran out. */
static void
tick (MlProgress *p)
{
  gint64 now;

  if (!is_shown (p))
    {
      p->countdown = G_MAXUINT32;   /* nothing to draw: stay on the fast path */
      return;
    }
  now = g_get_monotonic_time ();
  adapt_stride (p, now - p->last_check_us);
  p->last_check_us = now;
  if (now - p->last_draw_us >= REDRAW_INTERVAL_US)
    draw (p, now);
}

void
ml_progress_update (MlProgress *p, guint64 done, guint64 rows)
{
  g_return_if_fail (p != NULL);
  p->done = done;
  p->rows = rows;
  if (G_LIKELY (--p->countdown > 0))
    return;
  tick (p);
}

void
ml_progress_finish (MlProgress *p)
{
  g_return_if_fail (p != NULL);
  if (!is_shown (p))
    {
      p->finished = TRUE;
      return;
    }
  draw (p, g_get_monotonic_time ());
  fputc ('\n', p->stream);
  fflush (p->stream);
  p->drawn = FALSE;
  p->finished = TRUE;
}

void
ml_progress_free (MlProgress *p)
{
  if (p == NULL)
    return;
  if (p->drawn)
    {
      fputc ('\n', p->stream);
      fflush (p->stream);
    }
  g_free (p->label);
  g_free (p->unit);
  g_free (p);
}

/* ---- Formatting ---- */

/* Append RATE per second with a k/M/G/T suffix and two or three significant
 * digits: "950", "1.5k", "310k", "2.0M".  Locale-independent. */
static void
append_rate (GString *s, double rate)
{
  static const char *const suffix[] = { "", "k", "M", "G", "T" };
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  double v = rate;
  gsize i = 0;

  while (v >= 999.5 && i + 1 < G_N_ELEMENTS (suffix))
    {
      v /= 1000.0;
      i++;
    }
  if (i > 0 && v < 9.95)
    g_ascii_formatd (num, sizeof num, "%.1f", v);
  else
    g_ascii_formatd (num, sizeof num, "%.0f", v);
  g_string_append_printf (s, "%s%s", num, suffix[i]);
}

/* Append SECONDS as "m:ss" below an hour, else "h:mm:ss". */
static void
append_duration (GString *s, guint64 seconds)
{
  guint64 h = seconds / 3600, m = seconds / 60 % 60, sec = seconds % 60;

  if (h > 0)
    g_string_append_printf (s, "%" G_GUINT64_FORMAT ":%02u:%02u", h, (unsigned) m, (unsigned) sec);
  else
    g_string_append_printf (s, "%u:%02u", (unsigned) m, (unsigned) sec);
}

/* Append " ETA ..." for DONE of P's total after ELAPSED_S: "--:--" while
 * nothing is done, "0:00" once everything is. */
static void
append_eta (GString *s, const MlProgress *p, guint64 done, double elapsed_s)
{
  double eta;

  g_string_append (s, "  ETA ");
  if (done >= p->total)
    {
      g_string_append (s, "0:00");
      return;
    }
  if (done == 0 || elapsed_s <= 0)
    {
      g_string_append (s, "--:--");
      return;
    }
  eta = elapsed_s * (double) (p->total - done) / (double) done;
  append_duration (s, (guint64) MIN (eta + 0.5, 1e12));
}

/* Whole percent of DONE over P's total: 100 only when complete. */
static int
percent (const MlProgress *p, guint64 done)
{
  int pct;

  if (done >= p->total)
    return 100;
  pct = (int) (100.0 * (double) done / (double) p->total);
  return MIN (pct, 99);
}

/* Everything right of the bar: percentage, counts, rate and ETA. */
static void
append_stats (GString *s, const MlProgress *p, guint64 done, guint64 rows, double elapsed_s)
{
  if (p->total > 0)
    g_string_append_printf (s, "%3d%%  %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                            percent (p, done), done, p->total);
  else
    g_string_append_printf (s, "%" G_GUINT64_FORMAT, done);
  if (p->unit != NULL)
    g_string_append_printf (s, " %s", p->unit);
  if (rows > 0 && elapsed_s > 0)
    {
      g_string_append (s, "  ");
      append_rate (s, (double) rows / elapsed_s);
      g_string_append (s, " rows/s");
    }
  if (p->total > 0)
    append_eta (s, p, done, elapsed_s);
}

/* Append "[====>    ]" with CELLS cells inside for DONE of P's total. */
static void
append_bar (GString *s, const MlProgress *p, guint64 done, int cells)
{
  int filled = cells;

  if (done < p->total)
    filled = MIN ((int) ((double) done / (double) p->total * cells), cells - 1);
  g_string_append_c (s, '[');
  for (int i = 0; i < cells; i++)
    g_string_append_c (s, i < filled ? '=' : i == filled ? '>' : ' ');
  g_string_append_c (s, ']');
}

char *
ml_progress_format (const MlProgress *p, guint64 done, guint64 rows, double elapsed_s, int width)
{
  g_autoptr(GString) stats = g_string_new (NULL);
  GString *line;
  int cells;

  g_return_val_if_fail (p != NULL, NULL);
  g_return_val_if_fail (width >= 0, NULL);

  append_stats (stats, p, done, rows, elapsed_s);
  line = g_string_new (p->label);
  g_string_append (line, "  ");
  /* label, "  [", cells, "]  ", stats */
  cells = MIN (BAR_MAX, width - (int) line->len - 4 - (int) stats->len);
  if (p->total > 0 && cells >= BAR_MIN)
    {
      append_bar (line, p, done, cells);
      g_string_append (line, "  ");
    }
  g_string_append_len (line, stats->str, (gssize) stats->len);
  if (line->len > (gsize) width)
    {
      gsize cut = (gsize) width;

      while (cut > 0 && (line->str[cut] & 0xC0) == 0x80)   /* not inside a UTF-8 character */
        cut--;
      g_string_truncate (line, cut);
    }
  return g_string_free (line, FALSE);
}
