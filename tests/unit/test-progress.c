/* test-progress.c -- unit tests for common/progress: the exact text of a
 * progress line (bar, percentage, counts, rate, ETA, width limits) and when
 * lines are drawn: never when quiet or on a non-terminal, '\r'-rewritten
 * lines when forced or on a real pseudo-terminal, at most ten a second.
 * Timing tests only assert bounds that hold however slow the machine is. */
#define _GNU_SOURCE 1   /* posix_openpt() and friends, for the pty test */


#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/progress.h"
#include "tests/unit/runner.h"

/* A fresh read-write file in the test directory, to capture drawing. */
static FILE *
open_capture (const char *name)
{
  g_autofree char *path = ml_test_path (name);
  FILE *f = fopen (path, "w+");

  if (f == NULL)
    g_error ("cannot open %s", path);
  return f;
}

/* Everything written to F so far. */
static char *
captured (FILE *f)
{
  GString *s = g_string_new (NULL);
  char buf[4096];
  size_t n;

  fflush (f);
  rewind (f);
  while ((n = fread (buf, 1, sizeof buf, f)) > 0)
    g_string_append_len (s, buf, (gssize) n);
  return g_string_free (s, FALSE);
}

static guint
count_char (const char *s, char c)
{
  guint n = 0;

  for (; *s != '\0'; s++)
    n += *s == c;
  return n;
}

/* ---- formatting ---- */

static void
test_format_shows_bar_percent_counts_rate_and_eta (void)
{
  g_autoptr(MlProgress) p = ml_progress_new ("sim", 120, "days");
  /* 42/120 = 35%; 30 cells * 0.35 = 10.5 -> 10 filled; 18000 rows in 12 s;
   * 78 days left at 42 per 12 s -> 22.3 s. */
  g_autofree char *line = ml_progress_format (p, 42, 18000, 12.0, 80);

  CU_ASSERT_STRING_EQUAL (line,
    "sim  [==========>                   ]   35%  42/120 days  1.5k rows/s  ETA 0:22");
}

static void
test_format_bar_is_empty_at_start_and_full_at_end (void)
{
  g_autoptr(MlProgress) p = ml_progress_new ("imp", 10, "files");
  g_autofree char *start = ml_progress_format (p, 0, 0, 0.0, 80);
  g_autofree char *end = ml_progress_format (p, 10, 0, 5.0, 80);
  g_autofree char *over = ml_progress_format (p, 12, 0, 5.0, 80);
  g_autofree char *half = ml_progress_format (p, 5, 0, 5.0, 80);

  CU_ASSERT_STRING_EQUAL (start,
    "imp  [>                             ]    0%  0/10 files  ETA --:--");
  CU_ASSERT_STRING_EQUAL (end,
    "imp  [==============================]  100%  10/10 files  ETA 0:00");
  CU_ASSERT_STRING_EQUAL (over,
    "imp  [==============================]  100%  12/10 files  ETA 0:00");
  CU_ASSERT_STRING_EQUAL (half,
    "imp  [===============>              ]   50%  5/10 files  ETA 0:05");
}

static void
test_format_percent_reaches_100_only_when_complete (void)
{
  g_autoptr(MlProgress) p = ml_progress_new ("x", 1000, NULL);
  g_autofree char *almost = ml_progress_format (p, 999, 0, 1.0, 80);
  g_autofree char *third = ml_progress_format (p, 333, 0, 1.0, 80);
  g_autoptr(MlProgress) huge = ml_progress_new ("x", G_MAXUINT64, NULL);
  g_autofree char *rounded = ml_progress_format (huge, G_MAXUINT64 - 1, 0, 1.0, 200);

  CU_ASSERT_PTR_NOT_NULL (strstr (almost, "]   99%  999/1000  ETA"));
  CU_ASSERT_PTR_NOT_NULL (strstr (third, "]   33%  333/1000  ETA"));
  /* (double) (2^64 - 2) / (2^64 - 1) rounds to 1.0: still not complete. */
  CU_ASSERT_PTR_NOT_NULL (strstr (rounded, "]   99%  "));
}

static void
assert_rate (guint64 rows, double elapsed, const char *want)
{
  g_autoptr(MlProgress) p = ml_progress_new ("r", 0, NULL);
  g_autofree char *line = ml_progress_format (p, 1, rows, elapsed, 200);
  g_autofree char *expected = g_strdup_printf ("r  1  %s rows/s", want);

  CU_ASSERT_STRING_EQUAL (line, expected);
}

static void
test_format_rates_use_k_and_m_suffixes (void)
{
  assert_rate (950, 1.0, "950");
  assert_rate (3, 2.0, "2");           /* 1.5 rounds to even: "2" */
  assert_rate (18000, 12.0, "1.5k");
  assert_rate (310000, 1.0, "310k");
  assert_rate (9960, 1.0, "10k");
  assert_rate (999400, 1.0, "999k");
  assert_rate (999600, 1.0, "1.0M");
  assert_rate (2500000, 1.0, "2.5M");
  assert_rate (42000000, 1.0, "42M");
  assert_rate (7000000000, 1.0, "7.0G");
}

static void
test_format_eta_uses_minutes_then_hours (void)
{
  g_autoptr(MlProgress) p = ml_progress_new ("e", 20, NULL);
  g_autoptr(MlProgress) q = ml_progress_new ("e", 2, NULL);
  g_autofree char *short_eta = ml_progress_format (p, 10, 0, 12.0, 200);
  g_autofree char *long_eta = ml_progress_format (q, 1, 0, 3723.0, 200);
  g_autofree char *minutes = ml_progress_format (q, 1, 0, 754.4, 200);

  CU_ASSERT_TRUE (g_str_has_suffix (short_eta, "  ETA 0:12"));
  CU_ASSERT_TRUE (g_str_has_suffix (long_eta, "  ETA 1:02:03"));
  CU_ASSERT_TRUE (g_str_has_suffix (minutes, "  ETA 12:34"));
}

static void
test_format_unknown_total_shows_a_plain_count (void)
{
  g_autoptr(MlProgress) p = ml_progress_new ("scan", 0, "rows");
  g_autofree char *line = ml_progress_format (p, 42, 0, 3.0, 80);

  CU_ASSERT_STRING_EQUAL (line, "scan  42 rows");
}

static void
test_format_fits_any_width (void)
{
  g_autoptr(MlProgress) p = ml_progress_new ("sim", 120, "days");
  g_autofree char *narrow = ml_progress_format (p, 42, 18000, 12.0, 60);
  g_autofree char *no_bar = ml_progress_format (p, 42, 18000, 12.0, 50);
  g_autofree char *cut = ml_progress_format (p, 42, 18000, 12.0, 20);

  /* 60 - "sim  " - "[]  " - 40 bytes of stats leaves 11 cells. */
  CU_ASSERT_STRING_EQUAL (narrow,
    "sim  [===>       ]   35%  42/120 days  1.5k rows/s  ETA 0:22");
  CU_ASSERT_STRING_EQUAL (no_bar, "sim   35%  42/120 days  1.5k rows/s  ETA 0:22");
  CU_ASSERT_STRING_EQUAL (cut, "sim   35%  42/120 da");
  for (int w = 0; w <= 120; w++)
    {
      g_autofree char *line = ml_progress_format (p, 42, 18000, 12.0, w);
      CU_ASSERT (strlen (line) <= (size_t) w);
    }
}

/* ---- drawing ---- */

static void
test_quiet_suppresses_drawing_even_when_forced (void)
{
  FILE *forced = open_capture ("quiet-forced.txt");
  FILE *plain = open_capture ("quiet-plain.txt");
  g_autofree char *out_forced = NULL;
  g_autofree char *out_plain = NULL;

  ml_progress_set_quiet (TRUE);
  {
    g_autoptr(MlProgress) p = ml_progress_new ("q", 10, "days");
    g_autoptr(MlProgress) q = ml_progress_new ("q", 10, "days");

    ml_progress_set_stream_for_testing (p, forced, TRUE);
    ml_progress_set_stream_for_testing (q, plain, FALSE);
    for (guint64 i = 0; i <= 10; i++)
      {
        ml_progress_update (p, i, i * 100);
        ml_progress_update (q, i, i * 100);
      }
    ml_progress_finish (p);
    ml_progress_finish (q);
  }
  ml_progress_set_quiet (FALSE);
  out_forced = captured (forced);
  out_plain = captured (plain);
  CU_ASSERT_STRING_EQUAL (out_forced, "");
  CU_ASSERT_STRING_EQUAL (out_plain, "");
  fclose (forced);
  fclose (plain);
}

static void
test_forced_drawing_writes_carriage_return_lines (void)
{
  FILE *f = open_capture ("forced.txt");
  g_autofree char *out = NULL;
  g_autoptr(MlProgress) p = ml_progress_new ("test", 10, "days");

  ml_progress_set_stream_for_testing (p, f, TRUE);
  ml_progress_update (p, 5, 100);
  ml_progress_finish (p);
  out = captured (f);
  CU_ASSERT_EQUAL (out[0], '\r');
  CU_ASSERT_TRUE (g_str_has_suffix (out, "\n"));
  CU_ASSERT_EQUAL (count_char (out, '\n'), 1);
  CU_ASSERT_PTR_NOT_NULL (strstr (out, "\rtest  ["));
  CU_ASSERT_PTR_NOT_NULL (strstr (out, "  5/10 days  "));
  fclose (f);
}

static void
test_non_terminal_stream_draws_nothing (void)
{
  FILE *f = open_capture ("plain.txt");
  g_autofree char *out = NULL;
  MlProgress *p = ml_progress_new ("plain", 10, "days");

  ml_progress_set_stream_for_testing (p, f, FALSE);
  for (guint64 i = 0; i <= 10; i++)
    ml_progress_update (p, i, 0);
  ml_progress_finish (p);
  ml_progress_free (p);
  out = captured (f);
  CU_ASSERT_STRING_EQUAL (out, "");
  fclose (f);
}

static void
test_finish_draws_once_and_later_updates_are_ignored (void)
{
  FILE *f = open_capture ("finish.txt");
  g_autofree char *out = NULL;
  g_autoptr(MlProgress) p = ml_progress_new ("fin", 3, NULL);

  ml_progress_set_stream_for_testing (p, f, TRUE);
  ml_progress_update (p, 3, 0);
  ml_progress_finish (p);
  ml_progress_finish (p);
  for (int i = 0; i < 1000; i++)
    ml_progress_update (p, 3, 0);
  g_clear_pointer (&p, ml_progress_free);
  out = captured (f);
  CU_ASSERT_EQUAL (count_char (out, '\r'), 1);
  CU_ASSERT_EQUAL (count_char (out, '\n'), 1);
  fclose (f);
}

/* Update P as fast as possible until it has written something to F or
 * LIMIT_US passed; return the monotonic time when output was seen (0 if
 * never). */
static gint64
spin_until_drawn (MlProgress *p, FILE *f, gint64 limit_us)
{
  gint64 t0 = g_get_monotonic_time ();

  for (guint64 i = 1;; i++)
    {
      gint64 now;

      ml_progress_update (p, i, i);
      now = g_get_monotonic_time ();
      if (ftell (f) > 0)
        return now;
      if (now - t0 > limit_us)
        return 0;
    }
}

static void
test_redraws_at_most_ten_times_a_second (void)
{
  FILE *f = open_capture ("throttle.txt");
  g_autofree char *out = NULL;
  gint64 before = g_get_monotonic_time ();
  MlProgress *p = ml_progress_new ("fast", G_MAXUINT32, "rows");
  gint64 first, end;
  guint64 i = 0;

  ml_progress_set_stream_for_testing (p, f, TRUE);
  first = spin_until_drawn (p, f, 10 * G_USEC_PER_SEC);
  CU_ASSERT_FATAL (first != 0);
  /* Nothing is drawn in the first tenth of a second. */
  CU_ASSERT (first - before >= G_USEC_PER_SEC / 10);
  while (g_get_monotonic_time () - first < 3 * G_USEC_PER_SEC / 10)
    {
      i++;
      ml_progress_update (p, i, i);
    }
  end = g_get_monotonic_time ();
  out = captured (f);
  /* Lines are at least 0.1 s apart, the first 0.1 s after the start. */
  CU_ASSERT (count_char (out, '\r') >= 1);
  CU_ASSERT (count_char (out, '\r') <= (guint) ((end - before) / (G_USEC_PER_SEC / 10)));
  CU_ASSERT_EQUAL (count_char (out, '\n'), 0);
  /* Freeing an unfinished bar that is on screen ends its line. */
  ml_progress_free (p);
  g_free (out);
  out = captured (f);
  CU_ASSERT_TRUE (g_str_has_suffix (out, "\n"));
  CU_ASSERT_EQUAL (count_char (out, '\n'), 1);
  fclose (f);
}

/* Open a pseudo-terminal COLUMNS wide: *MASTER to read, a stream on its
 * slave side to draw on.  NULL if this system has none. */
static FILE *
open_pty (int columns, int *master)
{
  struct winsize ws = { .ws_row = 24, .ws_col = (unsigned short) columns };
  int fd = posix_openpt (O_RDWR | O_NOCTTY);
  const char *name;
  int slave;

  if (fd < 0)
    return NULL;
  if (grantpt (fd) != 0 || unlockpt (fd) != 0 || (name = ptsname (fd)) == NULL
      || (slave = open (name, O_RDWR | O_NOCTTY)) < 0)
    {
      close (fd);
      return NULL;
    }
  ioctl (slave, TIOCSWINSZ, &ws);
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  *master = fd;
  return fdopen (slave, "w");
}

static void
test_real_terminal_draws_within_its_width (void)
{
  int master = -1;
  FILE *tty = open_pty (40, &master);
  char buf[1024];
  ssize_t n;

  if (tty == NULL)
    {
      fprintf (stderr, "(no pseudo-terminal: not checked) ");
      return;
    }
  {
    g_autoptr(MlProgress) p = ml_progress_new ("pty", 120, "days");

    ml_progress_set_stream_for_testing (p, tty, FALSE);
    ml_progress_update (p, 42, 18000);
    ml_progress_finish (p);
  }
  /* The line discipline may hand the output over in pieces: read until the
   * final newline arrives (or a second has passed). */
  n = 0;
  for (int tries = 0; tries < 100 && (n == 0 || buf[n - 1] != '\n'); tries++)
    {
      ssize_t got = read (master, buf + n, sizeof buf - 1 - (gsize) n);
      if (got > 0)
        n += got;
      else
        g_usleep (10000);
    }
  CU_ASSERT_FATAL (n > 0);
  buf[n] = '\0';
  /* The terminal turns "\n" into "\r\n"; the line between must fit 39
   * columns: 40 less one for the cursor. */
  CU_ASSERT_EQUAL (buf[0], '\r');
  CU_ASSERT_TRUE (g_str_has_prefix (buf, "\rpty   35%  42/120 days  "));
  CU_ASSERT_TRUE (g_str_has_suffix (buf, "\r\n"));
  CU_ASSERT (strlen (buf) - 3 <= 39);
  fclose (tty);
  close (master);
}

static CU_TestInfo format_tests[] = {
  { "format shows bar, percent, counts, rate and ETA", test_format_shows_bar_percent_counts_rate_and_eta },
  { "format bar is empty at start and full at end", test_format_bar_is_empty_at_start_and_full_at_end },
  { "format percent reaches 100 only when complete", test_format_percent_reaches_100_only_when_complete },
  { "format rates use k and M suffixes", test_format_rates_use_k_and_m_suffixes },
  { "format ETA uses minutes then hours", test_format_eta_uses_minutes_then_hours },
  { "format unknown total shows a plain count", test_format_unknown_total_shows_a_plain_count },
  { "format fits any width", test_format_fits_any_width },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo draw_tests[] = {
  { "quiet suppresses drawing even when forced", test_quiet_suppresses_drawing_even_when_forced },
  { "forced drawing writes carriage-return lines", test_forced_drawing_writes_carriage_return_lines },
  { "non-terminal stream draws nothing", test_non_terminal_stream_draws_nothing },
  { "finish draws once and later updates are ignored", test_finish_draws_once_and_later_updates_are_ignored },
  { "redraws at most ten times a second", test_redraws_at_most_ten_times_a_second },
  { "real terminal draws within its width", test_real_terminal_draws_within_its_width },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "format", .pTests = format_tests },
  { .pName = "drawing", .pTests = draw_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
