/* timeutil.c -- UTC calendar conversions, ISO-8601 text and window sets.
 *
 * The hot per-event arithmetic lives inline in timeutil.h; this file holds
 * what is too big to inline: the proleptic Gregorian conversions (Howard
 * Hinnant, "chrono-Compatible Low-Level Date Algorithms": days_from_civil and
 * civil_from_days, exact for every year, no tables, no loops), ISO week
 * dates, the strict parsers used for configuration and log import, the
 * formatters, and the sorted window sets of the analyzer's coverage
 * timelines.
 *
 * Workload: the calendar functions may run per simulated event and never
 * allocate; the parsers run once per imported row and allocate only to
 * report an error; ml_time_format_buf() writes digits by hand so that bulk
 * CSV export stays cheap.  Window sets hold at most a few thousand windows
 * per subject; add and contains are binary searches.
 *
 * Invariants: parsed and formatted years are 0000-9999, so every accepted
 * text formats back to the same instant; a window set's array is always
 * sorted, disjoint, non-empty and merged (no two windows touch).
 */

#include <string.h>

#include "common/errors.h"
#include "common/timeutil.h"

/* How much of an offending text an error message repeats. */
#define SHOWN_TEXT_MAX 48

static const char expect_date[] = "expected YYYY-MM-DD";
static const char expect_timestamp[] =
  "expected YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM]";

/* ---- Calendar ---- */

void
ml_day_to_ymd (MlDay d, int *y, int *m, int *dd)
{
  gint64 z = (gint64) d + 719468;                                      /* days since 0000-03-01 */
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;                     /* 400-year era */
  gint64 doe = z - era * 146097;                                       /* [0, 146096] */
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365], from March */
  gint64 mp = (5 * doy + 2) / 153;                                     /* [0, 11], March = 0 */
  int month = (int) (mp < 10 ? mp + 3 : mp - 9);

  g_return_if_fail (y != NULL && m != NULL && dd != NULL);
  *y = (int) (yoe + era * 400 + (month <= 2));
  *m = month;
  *dd = (int) (doy - (153 * mp + 2) / 5 + 1);
}

MlDay
ml_day_from_ymd (int y, int m, int d)
{
  gint64 yy, era, yoe, doy, doe;

  g_return_val_if_fail (m >= 1 && m <= 12, 0);
  yy = (gint64) y - (m <= 2);                               /* years start in March */
  era = (yy >= 0 ? yy : yy - 399) / 400;
  yoe = yy - era * 400;                                     /* [0, 399] */
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;    /* [0, 365] */
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* [0, 146096] */
  return (MlDay) (era * 146097 + doe - 719468);
}

void
ml_iso_week (MlDay d, int *iso_year, int *iso_week)
{
  /* The Thursday of D's Monday-based week lies in D's ISO year. */
  MlDay thursday = d - ml_weekday (d) + 4;
  int y, m, dd;

  g_return_if_fail (iso_year != NULL && iso_week != NULL);
  ml_day_to_ymd (thursday, &y, &m, &dd);
  *iso_year = y;
  *iso_week = (thursday - ml_day_from_ymd (y, 1, 1)) / 7 + 1;
}

static gboolean
is_leap_year (int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month (int y, int m)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  g_assert (m >= 1 && m <= 12);
  return m == 2 && is_leap_year (y) ? 29 : days[m - 1];
}

/* ---- Scanning ---- */

/* Consume exactly N ASCII digits at *P into *OUT; FALSE (nothing consumed
 * that matters) if there are fewer.  Never reads past a NUL. */
static gboolean
scan_digits (const char **p, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/* Consume C at *P if it is there. */
static gboolean
scan_char (const char **p, char c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* Scan "YYYY-MM-DD" into *DAY.  Returns NULL, or why the text is no date. */
static const char *
scan_date (const char **p, MlDay *day)
{
  int y, m, d;

  if (!scan_digits (p, 4, &y) || !scan_char (p, '-') || !scan_digits (p, 2, &m)
      || !scan_char (p, '-') || !scan_digits (p, 2, &d))
    return expect_date;
  if (m < 1 || m > 12)
    return "month out of range";
  if (d < 1 || d > days_in_month (y, m))
    return "day out of range for the month";
  *day = ml_day_from_ymd (y, m, d);
  return NULL;
}

/* Scan "HH:MM[:SS[.fff]]" into seconds of the day, dropping the fraction.
 * Returns NULL, or why the text is no time of day. */
static const char *
scan_clock (const char **p, int *second_of_day)
{
  int h, mi, s = 0;

  if (!scan_digits (p, 2, &h) || !scan_char (p, ':') || !scan_digits (p, 2, &mi))
    return expect_timestamp;
  if (scan_char (p, ':'))
    {
      if (!scan_digits (p, 2, &s))
        return expect_timestamp;
      if (scan_char (p, '.'))
        {
          if (!g_ascii_isdigit (**p))
            return expect_timestamp;
          while (g_ascii_isdigit (**p))
            (*p)++;
        }
    }
  if (h > 23)
    return "hour out of range";
  if (mi > 59)
    return "minute out of range";
  if (s > 59)
    return "second out of range";
  *second_of_day = h * 3600 + mi * 60 + s;
  return NULL;
}

/* Scan an optional zone ("Z", "+HH:MM", "+HHMM", "-HH:MM", "-HHMM") into
 * seconds east of UTC.  Returns NULL, or why the text is no zone. */
static const char *
scan_zone (const char **p, int *offset)
{
  int sign, h, m;

  *offset = 0;
  if (**p == '\0' || scan_char (p, 'Z'))
    return NULL;
  if (scan_char (p, '+'))
    sign = 1;
  else if (scan_char (p, '-'))
    sign = -1;
  else
    return "trailing characters";
  if (!scan_digits (p, 2, &h))
    return "bad UTC offset";
  scan_char (p, ':');
  if (!scan_digits (p, 2, &m))
    return "bad UTC offset";
  if (h > 23 || m > 59)
    return "UTC offset out of range";
  *offset = sign * (h * 3600 + m * 60);
  return NULL;
}

/* TEXT as an error message shows it: escaped, and cut if long. */
static char *
shown_text (const char *text)
{
  g_autofree char *cut = g_strndup (text, SHOWN_TEXT_MAX);
  g_autofree char *escaped = g_strescape (cut, NULL);

  if (text[strlen (cut)] != '\0')
    return g_strconcat (escaped, "...", NULL);
  return g_steal_pointer (&escaped);
}

/* Set ERROR to "invalid WHAT 'TEXT': WHY" and return FALSE. */
static gboolean
fail_parse (GError **error, const char *what, const char *text, const char *why)
{
  g_autofree char *shown = shown_text (text);

  g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "invalid %s '%s': %s", what, shown, why);
  return FALSE;
}

/* ---- Parsing ---- */

gboolean
ml_day_parse (const char *text, MlDay *out, GError **error)
{
  const char *p = text;
  const char *why;
  MlDay day = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  why = scan_date (&p, &day);
  if (why == NULL && *p != '\0')
    why = "trailing characters";
  if (why != NULL)
    return fail_parse (error, "date", text, why);
  *out = day;
  return TRUE;
}

gboolean
ml_time_parse_iso8601 (const char *text, MlTime *out, GError **error)
{
  const char *p = text;
  const char *why;
  MlDay day = 0;
  int second = 0, offset = 0;
  MlTime t = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  why = scan_date (&p, &day);
  if (why == expect_date)
    why = expect_timestamp;
  if (why == NULL && (scan_char (&p, 'T') || scan_char (&p, ' ')))
    {
      why = scan_clock (&p, &second);
      if (why == NULL)
        why = scan_zone (&p, &offset);
    }
  if (why == NULL && *p != '\0')
    why = "trailing characters";
  if (why == NULL)
    {
      t = ml_day_start (day) + second - offset;
      if (t < ML_TIME_MIN || t > ML_TIME_MAX)
        why = "outside the years 0000-9999";
    }
  if (why != NULL)
    return fail_parse (error, "timestamp", text, why);
  *out = t;
  return TRUE;
}

/* The divisor that turns an epoch number of N_DIGITS integer digits into
 * seconds, or 0 if that many digits is no unit we know. */
static guint64
epoch_unit (gsize n_digits)
{
  if (n_digits >= 1 && n_digits <= 12)
    return 1;
  switch (n_digits)
    {
    case 13: return G_GUINT64_CONSTANT (1000);
    case 16: return G_GUINT64_CONSTANT (1000000);
    case 19: return G_GUINT64_CONSTANT (1000000000);
    default: return 0;
    }
}

gboolean
ml_time_parse_epoch (const char *text, MlTime *out, GError **error)
{
  gsize n_digits;
  guint64 unit, v = 0;
  const char *p;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_digits = strspn (text, "0123456789");
  p = text + n_digits;
  if (n_digits == 0)
    return fail_parse (error, "epoch time", text, "expected decimal seconds or milliseconds");
  if (scan_char (&p, '.'))
    {
      if (!g_ascii_isdigit (*p))
        return fail_parse (error, "epoch time", text, "expected digits after '.'");
      p += strspn (p, "0123456789");
    }
  if (*p != '\0')
    return fail_parse (error, "epoch time", text, "trailing characters");
  unit = epoch_unit (n_digits);
  if (unit == 0)
    return fail_parse (error, "epoch time", text,
                       "expected up to 12 digits of seconds, 13 of milliseconds, "
                       "16 of microseconds or 19 of nanoseconds");
  for (gsize i = 0; i < n_digits; i++)   /* at most 19 digits: fits a guint64 */
    v = v * 10 + (guint64) (text[i] - '0');
  v /= unit;
  if (v > (guint64) ML_TIME_MAX)
    return fail_parse (error, "epoch time", text, "after the year 9999");
  *out = (MlTime) v;
  return TRUE;
}

/* ---- Formatting ---- */

/* Write V as exactly N decimal digits (zero-padded) at P; return the end. */
static char *
put_digits (char *p, int v, int n)
{
  for (int i = n - 1; i >= 0; i--)
    {
      p[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  return p + n;
}

char *
ml_day_format (MlDay d)
{
  int y, m, dd;

  g_return_val_if_fail (d >= ML_DAY_MIN && d <= ML_DAY_MAX, NULL);
  ml_day_to_ymd (d, &y, &m, &dd);
  return g_strdup_printf ("%04d-%02d-%02d", y, m, dd);
}

void
ml_time_format_buf (MlTime t, char buf[ML_TIME_BUF_SIZE])
{
  int y, m, d, s;
  char *p = buf;

  g_return_if_fail (buf != NULL);
  buf[0] = '\0';
  g_return_if_fail (t >= ML_TIME_MIN && t <= ML_TIME_MAX);
  ml_day_to_ymd (ml_day_of (t), &y, &m, &d);
  s = ml_second_of_day (t);
  p = put_digits (p, y, 4);
  *p++ = '-';
  p = put_digits (p, m, 2);
  *p++ = '-';
  p = put_digits (p, d, 2);
  *p++ = 'T';
  p = put_digits (p, s / 3600, 2);
  *p++ = ':';
  p = put_digits (p, s / 60 % 60, 2);
  *p++ = ':';
  p = put_digits (p, s % 60, 2);
  *p++ = 'Z';
  *p = '\0';
  g_assert (p - buf == ML_TIME_BUF_SIZE - 1);
}

char *
ml_time_format_iso8601 (MlTime t)
{
  char buf[ML_TIME_BUF_SIZE];

  g_return_val_if_fail (t >= ML_TIME_MIN && t <= ML_TIME_MAX, NULL);
  ml_time_format_buf (t, buf);
  return g_strdup (buf);
}

/* ---- Window sets ---- */

#define WIN(a, i) g_array_index ((a), MlWindow, (i))

/* The first index of A whose window ends after T (or at T, if INCLUSIVE);
 * A->len if none.  Ends increase along a set, so this is a binary search. */
static guint
first_ending_after (const GArray *a, MlTime t, gboolean inclusive)
{
  guint lo = 0, hi = a->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      MlTime end = WIN (a, mid).end;

      if (end > t || (inclusive && end == t))
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

void
ml_window_set_init (MlWindowSet *s)
{
  g_return_if_fail (s != NULL);
  s->w = g_array_new (FALSE, FALSE, sizeof (MlWindow));
}

void
ml_window_set_clear (MlWindowSet *s)
{
  g_return_if_fail (s != NULL);
  g_clear_pointer (&s->w, g_array_unref);
}

void
ml_window_set_add (MlWindowSet *s, const MlWindow *w)
{
  MlWindow merged;
  guint i, j;

  g_return_if_fail (s != NULL && s->w != NULL);
  g_return_if_fail (w != NULL);
  if (ml_window_is_empty (w))
    return;

  /* Windows i..j-1 overlap or touch W: they end at or after its start and
   * start at or before its end. */
  i = first_ending_after (s->w, w->start, TRUE);
  for (j = i; j < s->w->len && WIN (s->w, j).start <= w->end; j++)
    ;
  if (i == j)
    {
      g_array_insert_val (s->w, i, *w);
      return;
    }
  merged.start = MIN (w->start, WIN (s->w, i).start);
  merged.end = MAX (w->end, WIN (s->w, j - 1).end);
  WIN (s->w, i) = merged;
  if (j - i > 1)
    g_array_remove_range (s->w, i + 1, j - i - 1);
}

MlTime
ml_window_set_total (const MlWindowSet *s)
{
  MlTime total = 0;

  g_return_val_if_fail (s != NULL && s->w != NULL, 0);
  for (guint i = 0; i < s->w->len; i++)
    total += ml_window_length (&WIN (s->w, i));
  return total;
}

gboolean
ml_window_set_contains (const MlWindowSet *s, MlTime t)
{
  guint i;

  g_return_val_if_fail (s != NULL && s->w != NULL, FALSE);
  i = first_ending_after (s->w, t, FALSE);
  return i < s->w->len && WIN (s->w, i).start <= t;
}

void
ml_window_set_gaps (const MlWindowSet *s, const MlWindow *span, MlWindowSet *gaps_out)
{
  MlTime cursor;   /* everything in SPAN before it is covered or emitted */

  g_return_if_fail (s != NULL && s->w != NULL);
  g_return_if_fail (span != NULL);
  g_return_if_fail (gaps_out != NULL && gaps_out->w != NULL && gaps_out != s);

  g_array_set_size (gaps_out->w, 0);
  cursor = span->start;
  for (guint i = first_ending_after (s->w, span->start, FALSE);
       i < s->w->len && cursor < span->end; i++)
    {
      const MlWindow *covered = &WIN (s->w, i);

      if (covered->start > cursor)
        {
          MlWindow gap = { cursor, MIN (covered->start, span->end) };
          g_array_append_val (gaps_out->w, gap);
        }
      cursor = MAX (cursor, covered->end);
    }
  if (cursor < span->end)
    {
      MlWindow gap = { cursor, span->end };
      g_array_append_val (gaps_out->w, gap);
    }
}
