/* timeutil.h -- UTC time arithmetic, ISO-8601 text and half-open windows.
 *
 * Every instant in metaleak is an MlTime, whole seconds since the Unix epoch
 * in UTC; every calendar day is an MlDay, days since 1970-01-01 in UTC.  There
 * are no time zones and no leap seconds anywhere past the parsers: an offset in
 * an imported timestamp is applied once, on the way in.
 *
 * Workload: the simulator calls the day/hour/weekday functions and the window
 * predicates once per generated event, about 10^8 times a run, so they are
 * static inline below, branch-light and never allocate (no GDateTime on these
 * paths).  The calendar conversions (ml_day_to_ymd(), ml_iso_week()) are a few
 * integer divisions and may also be called per event.  The parsers and
 * formatters run per imported log row or per report line; only the functions
 * that return a char * allocate.
 *
 * Windows are half-open, [start, end): the analyzer's legal-process arithmetic
 * (retention periods, warrant spans, coverage timelines) depends on adjacent
 * windows neither overlapping nor leaving a gap.  An MlWindowSet keeps a union
 * of windows sorted, disjoint and merged, so that coverage totals are exact.
 *
 * Range: the text functions handle years 0000-9999 (ML_TIME_MIN..ML_TIME_MAX);
 * the arithmetic is exact for any MlTime whose day fits an MlDay (about
 * +-5.8 million years).
 */
#ifndef ML_TIMEUTIL_H
#define ML_TIMEUTIL_H

#include <glib.h>

G_BEGIN_DECLS

typedef gint64 MlTime;   /* seconds since 1970-01-01T00:00:00Z */
typedef gint32 MlDay;    /* days since 1970-01-01 (UTC); negative before */

#define ML_SECONDS_PER_DAY 86400

/* The range the parsers accept and the formatters print:
 * 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define ML_DAY_MIN  ((MlDay) -719528)
#define ML_DAY_MAX  ((MlDay) 2932896)
#define ML_TIME_MIN ((MlTime) ML_DAY_MIN * ML_SECONDS_PER_DAY)
#define ML_TIME_MAX ((MlTime) (ML_DAY_MAX + 1) * ML_SECONDS_PER_DAY - 1)

/* Length of "YYYY-MM-DDTHH:MM:SSZ" plus its NUL. */
#define ML_TIME_BUF_SIZE 21

/* ---- Days and seconds (hot path) ---- */

/* The day containing T: floor division, so -1 (1969-12-31T23:59:59Z) is
 * day -1.  T's day must fit an MlDay. */
static inline MlDay
ml_day_of (MlTime t)
{
  MlTime q = t / ML_SECONDS_PER_DAY;

  if (t % ML_SECONDS_PER_DAY < 0)
    q--;
  return (MlDay) q;
}

/* The first second (00:00:00Z) of day D. */
static inline MlTime
ml_day_start (MlDay d)
{
  return (MlTime) d * ML_SECONDS_PER_DAY;
}

/* Seconds since the start of T's day, 0..86399, also for negative T. */
static inline int
ml_second_of_day (MlTime t)
{
  MlTime r = t % ML_SECONDS_PER_DAY;

  if (r < 0)
    r += ML_SECONDS_PER_DAY;
  return (int) r;
}

/* The UTC hour of T, 0..23. */
static inline int
ml_hour_of_day (MlTime t)
{
  return ml_second_of_day (t) / 3600;
}

/* ISO weekday of D: 1 = Monday .. 7 = Sunday (day 0 was a Thursday). */
static inline int
ml_weekday (MlDay d)
{
  int r = (int) (((gint64) d + 3) % 7);

  if (r < 0)
    r += 7;
  return r + 1;
}

/* Whether D is a Saturday or a Sunday (ISO days 6 and 7). */
static inline gboolean
ml_is_weekend (MlDay d)
{
  return ml_weekday (d) >= 6;
}

/* ---- Calendar (proleptic Gregorian) ---- */

/* Split D into year, month (1..12) and day of month (1..31).  All three
 * outputs are required.  Howard Hinnant's civil_from_days(); no allocation. */
void ml_day_to_ymd (MlDay d, int *y, int *m, int *dd);

/* The day of Y-M-D, M in 1..12.  D is not checked against the month: day 0
 * or day 32 roll into the neighbouring month (ml_day_parse() validates).
 * Howard Hinnant's days_from_civil(); the result must fit an MlDay. */
MlDay ml_day_from_ymd (int y, int m, int d);

/* The ISO-8601 week date of D: the week-numbering year (which differs from
 * the calendar year around New Year) and the week, 1..53.  Weeks start on
 * Monday; week 1 is the one holding the year's first Thursday.  Both outputs
 * are required. */
void ml_iso_week (MlDay d, int *iso_year, int *iso_week);

/* ---- Text ---- */

/* Parse exactly "YYYY-MM-DD" (a real calendar date, year 0000-9999) into
 * *OUT.  On failure returns FALSE with ML_ERROR_INPUT naming TEXT, and leaves
 * *OUT alone. */
gboolean ml_day_parse (const char *text, MlDay *out, GError **error);

/* D as "YYYY-MM-DD"; the caller frees.  D must lie in ML_DAY_MIN..ML_DAY_MAX. */
char *ml_day_format (MlDay d);

/* Parse an ISO-8601 timestamp into *OUT:
 *   YYYY-MM-DD                              (midnight UTC), or
 *   YYYY-MM-DD{T| }HH:MM[:SS[.fff...]][ZONE]
 * where ZONE is "Z", "+HH:MM", "+HHMM", "-HH:MM", "-HHMM" or nothing (UTC).
 * The instant is converted to UTC (+02:00 subtracts 7200 s); fractions are
 * truncated.  Rejected: hour 24 (also 24:00:00), minute or second above 59
 * (so leap seconds), offsets beyond 23:59, trailing characters, results
 * outside ML_TIME_MIN..ML_TIME_MAX.  On failure returns FALSE with
 * ML_ERROR_INPUT naming TEXT, and leaves *OUT alone. */
gboolean ml_time_parse_iso8601 (const char *text, MlTime *out, GError **error);

/* Parse non-negative epoch time in decimal digits, with an optional
 * ".fraction" (truncated), as log files write it.  The number of integer
 * digits sets the unit: up to 12 digits are seconds, 13 milliseconds, 16
 * microseconds, 19 nanoseconds; any other count, a sign, blanks or a result
 * beyond ML_TIME_MAX is an ML_ERROR_INPUT naming TEXT (*OUT left alone).
 * Milliseconds before 2001-09-09 have 12 digits and so read as seconds. */
gboolean ml_time_parse_epoch (const char *text, MlTime *out, GError **error);

/* T as "YYYY-MM-DDTHH:MM:SSZ"; the caller frees.  T must lie in
 * ML_TIME_MIN..ML_TIME_MAX. */
char *ml_time_format_iso8601 (MlTime t);

/* The same text written into BUF (NUL-terminated), without allocating.  For
 * a T out of range BUF becomes "" after a critical warning. */
void ml_time_format_buf (MlTime t, char buf[ML_TIME_BUF_SIZE]);

/* ---- Half-open windows [start, end) ---- */

typedef struct {
  MlTime start;   /* first second inside the window */
  MlTime end;     /* first second after it; end <= start means empty */
} MlWindow;

/* Whether T lies in W: start <= T < end. */
static inline gboolean
ml_window_contains (const MlWindow *w, MlTime t)
{
  return w->start <= t && t < w->end;
}

/* Whether W holds no second at all (end <= start). */
static inline gboolean
ml_window_is_empty (const MlWindow *w)
{
  return w->end <= w->start;
}

/* Whether A and B share at least one second.  Touching windows ([0,10) and
 * [10,20)) do not overlap; an empty window overlaps nothing. */
static inline gboolean
ml_window_overlaps (const MlWindow *a, const MlWindow *b)
{
  return !ml_window_is_empty (a) && !ml_window_is_empty (b)
         && a->start < b->end && b->start < a->end;
}

/* Write A intersected with B to *OUT and return TRUE; if the intersection is
 * empty return FALSE and leave *OUT alone.  OUT may be A or B. */
static inline gboolean
ml_window_intersect (const MlWindow *a, const MlWindow *b, MlWindow *out)
{
  MlTime s = MAX (a->start, b->start);
  MlTime e = MIN (a->end, b->end);

  if (e <= s)
    return FALSE;
  out->start = s;
  out->end = e;
  return TRUE;
}

/* Seconds in W; 0 for an empty window, never negative. */
static inline MlTime
ml_window_length (const MlWindow *w)
{
  return ml_window_is_empty (w) ? 0 : w->end - w->start;
}

/* The N_DAYS whole days starting with FIRST: [start of FIRST, start of
 * FIRST + N_DAYS).  N_DAYS must not be negative; 0 gives an empty window. */
static inline MlWindow
ml_window_days (MlDay first, int n_days)
{
  MlWindow w;

  g_return_val_if_fail (n_days >= 0, ((MlWindow) { 0, 0 }));
  w.start = ml_day_start (first);
  w.end = ((MlTime) first + n_days) * ML_SECONDS_PER_DAY;
  return w;
}

/* ---- Sets of windows (coverage timelines) ---- */

/* A union of windows kept as an array of MlWindow, sorted by start, disjoint,
 * non-empty and non-adjacent (touching windows are merged).  A stack struct:
 * ml_window_set_init() before use, ml_window_set_clear() after.  The array
 * may be read directly (g_array_index (s->w, MlWindow, i)) but only changed
 * through these functions.  Sets are not thread-safe. */
typedef struct {
  GArray *w;   /* of MlWindow: sorted, disjoint, merged; owned */
} MlWindowSet;

/* Make S an empty set. */
void ml_window_set_init (MlWindowSet *s);

/* Free S's storage; S may be cleared twice, or initialised again. */
void ml_window_set_clear (MlWindowSet *s);

/* Add W to S, merging it with every window it overlaps or touches.  Empty
 * windows are ignored.  O(log n) to find the place, plus the merged windows;
 * appending in time order is amortised O(1). */
void ml_window_set_add (MlWindowSet *s, const MlWindow *w);

/* Total seconds covered by S. */
MlTime ml_window_set_total (const MlWindowSet *s);

/* Whether some window of S contains T (binary search, O(log n)). */
gboolean ml_window_set_contains (const MlWindowSet *s, MlTime t);

/* Replace the contents of GAPS_OUT (an initialised set, not S) with SPAN
 * minus S: the parts of SPAN no window of S covers, including a gap at
 * either end of SPAN.  An empty SPAN gives no gaps. */
void ml_window_set_gaps (const MlWindowSet *s, const MlWindow *span, MlWindowSet *gaps_out);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MlWindowSet, ml_window_set_clear)

G_END_DECLS

#endif /* ML_TIMEUTIL_H */
