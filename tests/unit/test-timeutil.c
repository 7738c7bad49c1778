/* test-timeutil.c -- unit tests for common/timeutil: day arithmetic around
 * the epoch, the proleptic Gregorian calendar, ISO weeks, the strict parsers
 * and formatters, half-open windows and window sets.  Expected values come
 * from Python's datetime and from independent re-derivations in the tests. */

#include <string.h>

#include "common/errors.h"
#include "common/timeutil.h"
#include "tests/unit/runner.h"

/* ---- days and seconds ---- */

static void
test_day_of_floors_negative_times_to_the_previous_day (void)
{
  CU_ASSERT_EQUAL (ml_day_of (0), 0);
  CU_ASSERT_EQUAL (ml_day_of (86399), 0);
  CU_ASSERT_EQUAL (ml_day_of (86400), 1);
  CU_ASSERT_EQUAL (ml_day_of (-1), -1);
  CU_ASSERT_EQUAL (ml_day_of (-86400), -1);
  CU_ASSERT_EQUAL (ml_day_of (-86401), -2);
  CU_ASSERT_EQUAL (ml_day_start (-1), -86400);
  CU_ASSERT_EQUAL (ml_day_start (20779), (MlTime) 20779 * 86400);
}

static void
test_second_and_hour_of_day_wrap_for_negative_times (void)
{
  CU_ASSERT_EQUAL (ml_second_of_day (-1), 86399);
  CU_ASSERT_EQUAL (ml_hour_of_day (-1), 23);
  CU_ASSERT_EQUAL (ml_second_of_day (-86400), 0);
  CU_ASSERT_EQUAL (ml_hour_of_day (3599), 0);
  CU_ASSERT_EQUAL (ml_hour_of_day (3600), 1);
  CU_ASSERT_EQUAL (ml_hour_of_day (1773500966), 15);        /* 2026-03-14T15:09:26Z */
  CU_ASSERT_EQUAL (ml_second_of_day (1773500966), 15 * 3600 + 9 * 60 + 26);
}

/* ---- calendar ---- */

static int
reference_days_in_month (int y, int m)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  return m == 2 && leap ? 29 : days[m - 1];
}

static void
test_ymd_round_trips_every_day_from_1900_to_2200 (void)
{
  int y = 1900, m = 1, dd = 1;   /* walked independently of the code under test */
  MlDay first = ml_day_from_ymd (1900, 1, 1);
  MlDay last = ml_day_from_ymd (2200, 12, 31);
  int mismatches = 0;

  CU_ASSERT_EQUAL (first, -25567);
  CU_ASSERT_EQUAL (last, 84370);
  for (MlDay d = first; d <= last; d++)
    {
      int gy, gm, gd;

      ml_day_to_ymd (d, &gy, &gm, &gd);
      if (gy != y || gm != m || gd != dd || ml_day_from_ymd (y, m, dd) != d)
        mismatches++;
      if (++dd > reference_days_in_month (y, m))
        {
          dd = 1;
          if (++m > 12)
            {
              m = 1;
              y++;
            }
        }
    }
  CU_ASSERT_EQUAL (mismatches, 0);
  CU_ASSERT_EQUAL (y, 2201);
}

static void
test_known_days_and_range_limits (void)
{
  int y, m, d;

  CU_ASSERT_EQUAL (ml_day_from_ymd (1970, 1, 1), 0);
  CU_ASSERT_EQUAL (ml_day_from_ymd (2000, 3, 1), 11017);
  CU_ASSERT_EQUAL (ml_day_from_ymd (1, 1, 1), -719162);
  CU_ASSERT_EQUAL (ml_day_from_ymd (0, 1, 1), ML_DAY_MIN);
  CU_ASSERT_EQUAL (ml_day_from_ymd (9999, 12, 31), ML_DAY_MAX);
  ml_day_to_ymd (-1, &y, &m, &d);
  CU_ASSERT (y == 1969 && m == 12 && d == 31);
  ml_day_to_ymd (ml_day_from_ymd (2024, 2, 29), &y, &m, &d);
  CU_ASSERT (y == 2024 && m == 2 && d == 29);
}

static void
test_weekdays_are_iso_numbered (void)
{
  CU_ASSERT_EQUAL (ml_weekday (0), 4);                                   /* 1970-01-01 Thu */
  CU_ASSERT_EQUAL (ml_weekday (-1), 3);                                  /* 1969-12-31 Wed */
  CU_ASSERT_EQUAL (ml_weekday (-4), 7);                                  /* 1969-12-28 Sun */
  CU_ASSERT_EQUAL (ml_weekday (ml_day_from_ymd (2026, 11, 22)), 7);      /* Sunday */
  CU_ASSERT_EQUAL (ml_weekday (ml_day_from_ymd (2026, 11, 23)), 1);      /* Monday */
  CU_ASSERT_EQUAL (ml_weekday (ml_day_from_ymd (2000, 1, 1)), 6);        /* Saturday */
  CU_ASSERT_FALSE (ml_is_weekend (0));
  CU_ASSERT_TRUE (ml_is_weekend (ml_day_from_ymd (2000, 1, 1)));
  CU_ASSERT_TRUE (ml_is_weekend (ml_day_from_ymd (2026, 11, 22)));
  CU_ASSERT_FALSE (ml_is_weekend (ml_day_from_ymd (2026, 11, 20)));      /* Friday */
}

static void
assert_iso_week (int y, int m, int d, int want_year, int want_week)
{
  int iy = 0, iw = 0;

  ml_iso_week (ml_day_from_ymd (y, m, d), &iy, &iw);
  CU_ASSERT_EQUAL (iy, want_year);
  CU_ASSERT_EQUAL (iw, want_week);
}

static void
test_iso_weeks_cross_new_year_correctly (void)
{
  assert_iso_week (2020, 12, 31, 2020, 53);
  assert_iso_week (2021, 1, 3, 2020, 53);
  assert_iso_week (2021, 1, 4, 2021, 1);
  assert_iso_week (2026, 1, 1, 2026, 1);
  assert_iso_week (2027, 1, 1, 2026, 53);
  assert_iso_week (2008, 12, 29, 2009, 1);
  assert_iso_week (2010, 1, 3, 2009, 53);
}

/* Week 1 of year Y starts on the Monday on or before January 4th. */
static MlDay
reference_week_one_monday (int y)
{
  MlDay jan4 = ml_day_from_ymd (y, 1, 4);

  return jan4 - (ml_weekday (jan4) - 1);
}

static void
test_iso_weeks_agree_with_the_january_4th_rule_1900_to_2200 (void)
{
  int mismatches = 0;

  for (int y = 1900; y <= 2200; y++)
    {
      MlDay start = reference_week_one_monday (y), next = reference_week_one_monday (y + 1);

      for (MlDay d = start; d < next; d++)
        {
          int iy, iw;

          ml_iso_week (d, &iy, &iw);
          if (iy != y || iw != (d - start) / 7 + 1)
            mismatches++;
        }
    }
  CU_ASSERT_EQUAL (mismatches, 0);
}

/* ---- parsing and formatting ---- */

static void
test_day_parse_and_format_round_trip (void)
{
  static const char *days[] = { "2024-02-29", "1970-01-01", "1969-12-31", "0000-01-01", "9999-12-31" };

  for (gsize i = 0; i < G_N_ELEMENTS (days); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;
      MlDay d = 12345;

      CU_ASSERT_TRUE (ml_day_parse (days[i], &d, &error));
      CU_ASSERT_PTR_NULL (error);
      back = ml_day_format (d);
      CU_ASSERT_STRING_EQUAL (back, days[i]);
    }
}

static void
test_day_parse_gives_known_values (void)
{
  MlDay d = 0;

  CU_ASSERT_TRUE (ml_day_parse ("2026-11-22", &d, NULL));
  CU_ASSERT_EQUAL (d, 20779);
  CU_ASSERT_TRUE (ml_day_parse ("1969-12-31", &d, NULL));
  CU_ASSERT_EQUAL (d, -1);
}

/* TEXT must be rejected as ML_ERROR_INPUT, quoted in the message, with the
 * output untouched. */
static void
assert_rejected (gboolean (*parse) (const char *, MlTime *, GError **), const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = g_strdup_printf ("'%s'", text);
  MlTime t = 777;

  CU_ASSERT_FALSE (parse (text, &t, &error));
  CU_ASSERT_EQUAL (t, 777);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, quoted));
  if (strstr (error->message, quoted) == NULL)
    fprintf (stderr, "\n  message without %s: %s\n", quoted, error->message);
}

static void
test_day_parse_rejects_impossible_dates_naming_them (void)
{
  static const char *bad[] = {
    "2026-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00", "", "2024-01-01x",
    "2024-1-01", "24-01-01", " 2024-01-01", "2024-01-01T00:00", "2024/01/01",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("'%s'", bad[i]);
      MlDay d = 777;

      CU_ASSERT_FALSE (ml_day_parse (bad[i], &d, &error));
      CU_ASSERT_EQUAL (d, 777);
      CU_ASSERT_PTR_NOT_NULL_FATAL (error);
      CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
      CU_ASSERT_PTR_NOT_NULL (strstr (error->message, quoted));
    }
}

static void
assert_parses_to (const char *text, MlTime want)
{
  g_autoptr(GError) error = NULL;
  MlTime t = -777;

  CU_ASSERT_TRUE (ml_time_parse_iso8601 (text, &t, &error));
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL (t, want);
  if (t != want)
    fprintf (stderr, "\n  %s parsed to %" G_GINT64_FORMAT ", want %" G_GINT64_FORMAT "\n",
             text, t, want);
}

static void
test_iso8601_parse_accepts_every_documented_form (void)
{
  const MlTime pi_day = 1773500966;   /* 2026-03-14T15:09:26Z */

  assert_parses_to ("2026-03-14T15:09:26Z", pi_day);
  assert_parses_to ("2026-03-14 15:09:26Z", pi_day);
  assert_parses_to ("2026-03-14T15:09:26", pi_day);
  assert_parses_to ("2026-03-14T15:09:26.999Z", pi_day);
  assert_parses_to ("2026-03-14T15:09:26.5", pi_day);
  assert_parses_to ("2026-03-14T15:09Z", pi_day - 26);
  assert_parses_to ("2026-03-14", pi_day - (15 * 3600 + 9 * 60 + 26));
  assert_parses_to ("1970-01-01T00:00:00Z", 0);
  assert_parses_to ("1969-12-31T23:59:59Z", -1);
  assert_parses_to ("2024-02-29T23:59:59Z", 1709251199);
  assert_parses_to ("0000-01-01T00:00:00Z", ML_TIME_MIN);
  assert_parses_to ("9999-12-31T23:59:59Z", ML_TIME_MAX);
}

static void
test_iso8601_offsets_convert_to_utc (void)
{
  const MlTime pi_day = 1773500966;

  assert_parses_to ("2026-03-14T15:09:26+02:00", pi_day - 7200);
  assert_parses_to ("2026-03-14T15:09:26+0200", pi_day - 7200);
  assert_parses_to ("2026-03-14T15:09:26-05:30", pi_day + 5 * 3600 + 30 * 60);
  assert_parses_to ("2026-03-14T15:09:26-0530", pi_day + 5 * 3600 + 30 * 60);
  assert_parses_to ("2026-03-14T15:09:26+00:00", pi_day);
  assert_parses_to ("2026-03-14T15:09:26.25+02:00", pi_day - 7200);
  assert_parses_to ("1970-01-01T01:00+01:00", 0);
  assert_parses_to ("1970-01-01T00:30:00+01:00", -1800);
}

static void
test_iso8601_rejects_bad_timestamps_naming_them (void)
{
  static const char *bad[] = {
    "", "2026-02-29", "2024-13-01", "2026-01-01T25:00", "2026-01-01T24:00",
    "2026-01-01T24:00:00", "2026-01-01T10:60", "2026-01-01T10:00:60",
    "2026-01-01T10:00:00junk", "2026-01-01T10:00:00Zjunk", "2026-01-01T10:00:00 ",
    "2026-01-01T", "2026-01-01x10:00", "2026-01-01T1:00", "2026-01-01T10:00:00.",
    "2026-01-01T10:00.5", "2026-01-01T10:00+2:00", "2026-01-01T10:00+24:00",
    "2026-01-01T10:00+02:60", "2026-01-01T10:00+02", "2026-01-01Z",
    "0000-01-01T00:00+00:01", "9999-12-31T23:59:59-00:01", " 2026-01-01",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_rejected (ml_time_parse_iso8601, bad[i]);
}

static void
test_error_messages_escape_and_shorten_long_texts (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *longtext = g_strnfill (200, '9');
  MlTime t = 0;

  CU_ASSERT_FALSE (ml_time_parse_iso8601 ("2026-01-01\n", &t, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "'2026-01-01\\n'"));
  g_clear_error (&error);
  CU_ASSERT_FALSE (ml_time_parse_epoch (longtext, &t, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "99999..."));
  CU_ASSERT (strlen (error->message) < 200);
}

static void
test_iso8601_format_round_trips (void)
{
  static const MlTime times[] = { 0, -1, 1773500966, 1709251199, 86399, ML_TIME_MIN, ML_TIME_MAX };
  static const char *texts[] = {
    "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-03-14T15:09:26Z", "2024-02-29T23:59:59Z",
    "1970-01-01T23:59:59Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *text = ml_time_format_iso8601 (times[i]);
      char buf[ML_TIME_BUF_SIZE];
      MlTime back = 0;

      memset (buf, 'x', sizeof buf);
      ml_time_format_buf (times[i], buf);
      CU_ASSERT_STRING_EQUAL (text, texts[i]);
      CU_ASSERT_STRING_EQUAL (buf, texts[i]);
      CU_ASSERT_TRUE (ml_time_parse_iso8601 (text, &back, NULL));
      CU_ASSERT_EQUAL (back, times[i]);
    }
}

static void
assert_epoch (const char *text, MlTime want)
{
  g_autoptr(GError) error = NULL;
  MlTime t = -777;

  CU_ASSERT_TRUE (ml_time_parse_epoch (text, &t, &error));
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL (t, want);
}

static void
test_epoch_parse_reads_seconds_and_13_digit_milliseconds (void)
{
  assert_epoch ("0", 0);
  assert_epoch ("1773500966", 1773500966);
  assert_epoch ("1773500966.999", 1773500966);
  assert_epoch ("1773500966999", 1773500966);
  assert_epoch ("1773500966000.5", 1773500966);
  assert_epoch ("1773500966123456", 1773500966);
  assert_epoch ("1773500966123456789", 1773500966);
  assert_epoch ("253402300799", ML_TIME_MAX);
}

static void
test_epoch_parse_rejects_bad_numbers_naming_them (void)
{
  static const char *bad[] = {
    "", "-5", "+5", " 17", "17 ", "1.7e9", "1773500966.", ".5", "0x10",
    "17735009661234", "177350096612345", "12345678901234567890", "253402300800",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_rejected (ml_time_parse_epoch, bad[i]);
}

/* ---- windows ---- */

static void
test_window_contains_its_start_but_not_its_end (void)
{
  MlWindow w = { 10, 20 };
  MlWindow reversed = { 20, 10 };

  CU_ASSERT_FALSE (ml_window_contains (&w, 9));
  CU_ASSERT_TRUE (ml_window_contains (&w, 10));
  CU_ASSERT_TRUE (ml_window_contains (&w, 19));
  CU_ASSERT_FALSE (ml_window_contains (&w, 20));
  CU_ASSERT_EQUAL (ml_window_length (&w), 10);
  CU_ASSERT_FALSE (ml_window_is_empty (&w));
  CU_ASSERT_TRUE (ml_window_is_empty (&(MlWindow) { 5, 5 }));
  CU_ASSERT_TRUE (ml_window_is_empty (&reversed));
  CU_ASSERT_EQUAL (ml_window_length (&reversed), 0);
  CU_ASSERT_FALSE (ml_window_contains (&reversed, 15));
}

static void
test_touching_windows_neither_overlap_nor_intersect (void)
{
  MlWindow a = { 0, 10 }, b = { 10, 20 };
  MlWindow out = { -1, -1 };

  CU_ASSERT_FALSE (ml_window_overlaps (&a, &b));
  CU_ASSERT_FALSE (ml_window_overlaps (&b, &a));
  CU_ASSERT_FALSE (ml_window_intersect (&a, &b, &out));
  CU_ASSERT (out.start == -1 && out.end == -1);
}

static void
test_intersect_and_overlap_edge_cases (void)
{
  MlWindow a = { 0, 10 }, inner = { 3, 4 }, late = { 9, 30 }, empty = { 5, 5 };
  MlWindow out = { -1, -1 };

  CU_ASSERT_TRUE (ml_window_overlaps (&a, &late));
  CU_ASSERT_TRUE (ml_window_intersect (&a, &late, &out));
  CU_ASSERT (out.start == 9 && out.end == 10);
  CU_ASSERT_TRUE (ml_window_intersect (&inner, &a, &out));
  CU_ASSERT (out.start == 3 && out.end == 4);
  CU_ASSERT_TRUE (ml_window_intersect (&a, &a, &out));
  CU_ASSERT (out.start == 0 && out.end == 10);
  /* An empty window inside another overlaps nothing. */
  CU_ASSERT_FALSE (ml_window_overlaps (&a, &empty));
  CU_ASSERT_FALSE (ml_window_overlaps (&empty, &empty));
  out.start = out.end = -1;
  CU_ASSERT_FALSE (ml_window_intersect (&a, &empty, &out));
  CU_ASSERT (out.start == -1 && out.end == -1);
}

static void
test_window_days_covers_whole_days (void)
{
  MlWindow w = ml_window_days (-1, 2);
  MlWindow none = ml_window_days (7, 0);
  MlWindow week = ml_window_days (20779, 7);

  CU_ASSERT_EQUAL (w.start, -86400);
  CU_ASSERT_EQUAL (w.end, 86400);
  CU_ASSERT_TRUE (ml_window_contains (&w, 86399));
  CU_ASSERT_FALSE (ml_window_contains (&w, 86400));
  CU_ASSERT_TRUE (ml_window_is_empty (&none));
  CU_ASSERT_EQUAL (ml_window_length (&week), 7 * 86400);
}

/* ---- window sets ---- */

static void
assert_set_is (const MlWindowSet *s, const MlWindow *want, guint n)
{
  CU_ASSERT_EQUAL_FATAL (s->w->len, n);
  for (guint i = 0; i < n; i++)
    {
      const MlWindow *got = &g_array_index (s->w, MlWindow, i);
      CU_ASSERT (got->start == want[i].start && got->end == want[i].end);
    }
}

static void
test_window_set_merges_overlapping_and_adjacent_windows (void)
{
  g_auto(MlWindowSet) s = { NULL };

  ml_window_set_init (&s);
  ml_window_set_add (&s, &(MlWindow) { 30, 40 });
  ml_window_set_add (&s, &(MlWindow) { 10, 20 });
  ml_window_set_add (&s, &(MlWindow) { 50, 60 });
  ml_window_set_add (&s, &(MlWindow) { 5, 5 });      /* empty: ignored */
  assert_set_is (&s, (MlWindow[]) { { 10, 20 }, { 30, 40 }, { 50, 60 } }, 3);
  CU_ASSERT_EQUAL (ml_window_set_total (&s), 30);

  ml_window_set_add (&s, &(MlWindow) { 20, 30 });    /* touches both neighbours */
  assert_set_is (&s, (MlWindow[]) { { 10, 40 }, { 50, 60 } }, 2);
  ml_window_set_add (&s, &(MlWindow) { 45, 55 });    /* overlaps one */
  assert_set_is (&s, (MlWindow[]) { { 10, 40 }, { 45, 60 } }, 2);
  ml_window_set_add (&s, &(MlWindow) { 0, 100 });    /* swallows all */
  assert_set_is (&s, (MlWindow[]) { { 0, 100 } }, 1);
  ml_window_set_add (&s, &(MlWindow) { 100, 101 });  /* appends adjacent */
  ml_window_set_add (&s, &(MlWindow) { -5, -1 });
  assert_set_is (&s, (MlWindow[]) { { -5, -1 }, { 0, 101 } }, 2);
  CU_ASSERT_EQUAL (ml_window_set_total (&s), 105);
}

static void
test_window_set_contains_respects_half_open_bounds (void)
{
  g_auto(MlWindowSet) s = { NULL };

  ml_window_set_init (&s);
  CU_ASSERT_FALSE (ml_window_set_contains (&s, 0));
  ml_window_set_add (&s, &(MlWindow) { 10, 20 });
  ml_window_set_add (&s, &(MlWindow) { 30, 40 });
  CU_ASSERT_FALSE (ml_window_set_contains (&s, 9));
  CU_ASSERT_TRUE (ml_window_set_contains (&s, 10));
  CU_ASSERT_TRUE (ml_window_set_contains (&s, 19));
  CU_ASSERT_FALSE (ml_window_set_contains (&s, 20));
  CU_ASSERT_FALSE (ml_window_set_contains (&s, 29));
  CU_ASSERT_TRUE (ml_window_set_contains (&s, 30));
  CU_ASSERT_FALSE (ml_window_set_contains (&s, 40));
  CU_ASSERT_FALSE (ml_window_set_contains (&s, G_MAXINT64));
  CU_ASSERT_FALSE (ml_window_set_contains (&s, G_MININT64));
}

static void
test_window_set_gaps_include_both_ends_of_the_span (void)
{
  g_auto(MlWindowSet) s = { NULL };
  g_auto(MlWindowSet) gaps = { NULL };

  ml_window_set_init (&s);
  ml_window_set_init (&gaps);
  ml_window_set_add (&s, &(MlWindow) { 10, 20 });
  ml_window_set_add (&s, &(MlWindow) { 30, 40 });

  ml_window_set_gaps (&s, &(MlWindow) { 0, 100 }, &gaps);
  assert_set_is (&gaps, (MlWindow[]) { { 0, 10 }, { 20, 30 }, { 40, 100 } }, 3);
  ml_window_set_gaps (&s, &(MlWindow) { 15, 35 }, &gaps);    /* starts and ends covered */
  assert_set_is (&gaps, (MlWindow[]) { { 20, 30 } }, 1);
  ml_window_set_gaps (&s, &(MlWindow) { 10, 40 }, &gaps);
  assert_set_is (&gaps, (MlWindow[]) { { 20, 30 } }, 1);
  ml_window_set_gaps (&s, &(MlWindow) { 12, 18 }, &gaps);    /* fully covered */
  assert_set_is (&gaps, NULL, 0);
  ml_window_set_gaps (&s, &(MlWindow) { 22, 28 }, &gaps);    /* inside a gap */
  assert_set_is (&gaps, (MlWindow[]) { { 22, 28 } }, 1);
  ml_window_set_gaps (&s, &(MlWindow) { 50, 50 }, &gaps);    /* empty span */
  assert_set_is (&gaps, NULL, 0);
  ml_window_set_clear (&s);
  ml_window_set_init (&s);
  ml_window_set_gaps (&s, &(MlWindow) { 0, 5 }, &gaps);      /* empty set */
  assert_set_is (&gaps, (MlWindow[]) { { 0, 5 } }, 1);
}

/* Random windows against a bitmap of covered seconds (fixed seed). */
static void
test_window_set_agrees_with_a_bitmap (void)
{
  enum { SPAN = 600, ROUNDS = 200 };
  g_autoptr(GRand) rng = g_rand_new_with_seed (20260314);
  g_auto(MlWindowSet) s = { NULL };
  g_auto(MlWindowSet) gaps = { NULL };
  gboolean covered[SPAN] = { FALSE };
  int mismatches = 0;
  MlTime n_covered = 0;

  ml_window_set_init (&s);
  ml_window_set_init (&gaps);
  for (int r = 0; r < ROUNDS; r++)
    {
      MlWindow w;
      w.start = g_rand_int_range (rng, 0, SPAN);
      w.end = MIN (SPAN, w.start + g_rand_int_range (rng, 0, 8));
      for (MlTime t = w.start; t < w.end; t++)
        covered[t] = TRUE;
      ml_window_set_add (&s, &w);
    }
  for (guint i = 0; i < s.w->len; i++)   /* sorted, non-empty, never touching */
    {
      const MlWindow *w = &g_array_index (s.w, MlWindow, i);
      if (w->end <= w->start || (i > 0 && g_array_index (s.w, MlWindow, i - 1).end >= w->start))
        mismatches++;
    }
  for (MlTime t = 0; t < SPAN; t++)
    {
      n_covered += covered[t];
      if (ml_window_set_contains (&s, t) != covered[t])
        mismatches++;
    }
  ml_window_set_gaps (&s, &(MlWindow) { 0, SPAN }, &gaps);
  for (MlTime t = 0; t < SPAN; t++)
    if (ml_window_set_contains (&gaps, t) == covered[t])
      mismatches++;
  CU_ASSERT_EQUAL (mismatches, 0);
  CU_ASSERT_EQUAL (ml_window_set_total (&s), n_covered);
  CU_ASSERT_EQUAL (ml_window_set_total (&gaps), SPAN - n_covered);
  CU_ASSERT (s.w->len > 10);   /* the seed produces a fragmented set */
}

static void
test_window_set_clear_is_idempotent (void)
{
  MlWindowSet s;

  ml_window_set_init (&s);
  ml_window_set_add (&s, &(MlWindow) { 1, 2 });
  ml_window_set_clear (&s);
  CU_ASSERT_PTR_NULL (s.w);
  ml_window_set_clear (&s);
  CU_ASSERT_PTR_NULL (s.w);
}

static CU_TestInfo day_tests[] = {
  { "day_of floors negative times to the previous day", test_day_of_floors_negative_times_to_the_previous_day },
  { "second and hour of day wrap for negative times", test_second_and_hour_of_day_wrap_for_negative_times },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo calendar_tests[] = {
  { "ymd round trips every day from 1900 to 2200", test_ymd_round_trips_every_day_from_1900_to_2200 },
  { "known days and range limits", test_known_days_and_range_limits },
  { "weekdays are ISO numbered", test_weekdays_are_iso_numbered },
  { "ISO weeks cross New Year correctly", test_iso_weeks_cross_new_year_correctly },
  { "ISO weeks agree with the January 4th rule 1900-2200",
    test_iso_weeks_agree_with_the_january_4th_rule_1900_to_2200 },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo text_tests[] = {
  { "day parse and format round trip", test_day_parse_and_format_round_trip },
  { "day parse gives known values", test_day_parse_gives_known_values },
  { "day parse rejects impossible dates naming them", test_day_parse_rejects_impossible_dates_naming_them },
  { "ISO-8601 parse accepts every documented form", test_iso8601_parse_accepts_every_documented_form },
  { "ISO-8601 offsets convert to UTC", test_iso8601_offsets_convert_to_utc },
  { "ISO-8601 rejects bad timestamps naming them", test_iso8601_rejects_bad_timestamps_naming_them },
  { "error messages escape and shorten long texts", test_error_messages_escape_and_shorten_long_texts },
  { "ISO-8601 format round trips", test_iso8601_format_round_trips },
  { "epoch parse reads seconds and 13-digit milliseconds",
    test_epoch_parse_reads_seconds_and_13_digit_milliseconds },
  { "epoch parse rejects bad numbers naming them", test_epoch_parse_rejects_bad_numbers_naming_them },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo window_tests[] = {
  { "window contains its start but not its end", test_window_contains_its_start_but_not_its_end },
  { "touching windows neither overlap nor intersect", test_touching_windows_neither_overlap_nor_intersect },
  { "intersect and overlap edge cases", test_intersect_and_overlap_edge_cases },
  { "window_days covers whole days", test_window_days_covers_whole_days },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo window_set_tests[] = {
  { "window set merges overlapping and adjacent windows",
    test_window_set_merges_overlapping_and_adjacent_windows },
  { "window set contains respects half-open bounds", test_window_set_contains_respects_half_open_bounds },
  { "window set gaps include both ends of the span", test_window_set_gaps_include_both_ends_of_the_span },
  { "window set agrees with a bitmap", test_window_set_agrees_with_a_bitmap },
  { "window set clear is idempotent", test_window_set_clear_is_idempotent },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "days and seconds", .pTests = day_tests },
  { .pName = "calendar", .pTests = calendar_tests },
  { .pName = "text", .pTests = text_tests },
  { .pName = "windows", .pTests = window_tests },
  { .pName = "window sets", .pTests = window_set_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
