/* test-legalcase.c -- unit tests for analyze/legalcase: orders, windows,
 * retention, chaining and coverage.
 *
 * Every expectation is worked out by hand in days from the formulas of
 * docs/analyze/legal.md; the first service is day F = 2026-03-01.
 */

#include "analyze/casefile.h"
#include "analyze/legalcase.h"
#include "tests/unit/runner.h"

#define DAY ML_SECONDS_PER_DAY

static MlDay F;   /* 2026-03-01 */

static int
init_suite (void)
{
  F = ml_day_from_ymd (2026, 3, 1);
  return 0;
}

static MlCase
make_case (int window, int extensions, int lag, int retention, MlCollectMode mode)
{
  MlCase c = { 0 };

  c.first_service = F;
  c.window_days = window;
  c.extensions = extensions;
  c.lag_days = lag;
  c.retention_days = retention;
  c.mode = mode;
  c.kind = ML_ORDER_BOTH;
  return c;
}

static const MlOrder *
order (GArray *orders, guint k)
{
  return &g_array_index (orders, MlOrder, k);
}

/* Assert W is [F + A days, F + B days). */
static void
assert_window (const MlWindow *w, int a, int b)
{
  CU_ASSERT_EQUAL (w->start, ml_day_start (F + a));
  CU_ASSERT_EQUAL (w->end, ml_day_start (F + b));
}

typedef struct {
  double covered, gaps, lost;   /* days */
  guint n_gaps;
} Totals;

static Totals
coverage (GArray *orders, int n)
{
  g_auto(MlWindowSet) covered = { NULL };
  g_auto(MlWindowSet) gaps = { NULL };
  MlTime lost = -1;
  Totals t;

  ml_window_set_init (&covered);
  ml_window_set_init (&gaps);
  ml_legal_coverage (orders, n, &covered, &gaps, &lost);
  t.covered = (double) ml_window_set_total (&covered) / DAY;
  t.gaps = (double) ml_window_set_total (&gaps) / DAY;
  t.lost = (double) lost / DAY;
  t.n_gaps = gaps.w->len;
  return t;
}

static void
test_orders_are_served_one_window_apart_without_lag (void)
{
  MlCase c = make_case (30, 3, 0, 30, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);

  CU_ASSERT_EQUAL_FATAL (o->len, 4);
  for (guint k = 0; k < 4; k++)
    {
      CU_ASSERT_EQUAL (order (o, k)->position, (int) k);
      CU_ASSERT_EQUAL (order (o, k)->served, ml_day_start (F + 30 * (int) k));
      CU_ASSERT_EQUAL (order (o, k)->expires, ml_day_start (F + 30 * (int) k + 30));
    }
}

static void
test_snapshot_returns_the_window_before_service (void)
{
  MlCase c = make_case (30, 3, 0, 30, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 4);

  assert_window (&order (o, 0)->nominal, -30, 0);
  assert_window (&order (o, 0)->returned, -30, 0);
  assert_window (&order (o, 3)->returned, 60, 90);
  ML_ASSERT_CLOSE (t.covered, 120, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 0, 1e-9);
  ML_ASSERT_CLOSE (t.lost, 0, 1e-9);
}

static void
test_retention_shorter_than_window_loses_oldest_days (void)
{
  MlCase c = make_case (30, 3, 0, 25, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 4);

  assert_window (&order (o, 0)->nominal, -30, 0);
  assert_window (&order (o, 0)->returned, -25, 0);
  assert_window (&order (o, 2)->returned, 35, 60);
  ML_ASSERT_CLOSE (t.covered, 100, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 20, 1e-9);
  ML_ASSERT_CLOSE (t.lost, 20, 1e-9);
  CU_ASSERT_EQUAL (t.n_gaps, 4);
}

static void
test_late_renewal_leaves_lag_plus_retention_holes (void)
{
  MlCase c = make_case (30, 3, 7, 25, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 4);

  CU_ASSERT_EQUAL (order (o, 1)->served, ml_day_start (F + 37));
  assert_window (&order (o, 1)->nominal, 7, 37);
  assert_window (&order (o, 1)->returned, 12, 37);
  /* span [F-30, F+111) = 141 days: 100 covered, 5 + 3 x (7 + 5) = 41 in gaps */
  ML_ASSERT_CLOSE (t.covered, 100, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 41, 1e-9);
  ML_ASSERT_CLOSE (t.lost, 20, 1e-9);
  CU_ASSERT_EQUAL (t.n_gaps, 4);
}

static void
test_prospective_collects_from_service_to_expiry_whatever_the_retention (void)
{
  MlCase c = make_case (30, 3, 7, 10, ML_MODE_PROSPECTIVE);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 4);

  assert_window (&order (o, 0)->nominal, 0, 30);
  assert_window (&order (o, 0)->returned, 0, 30);
  assert_window (&order (o, 2)->returned, 74, 104);
  ML_ASSERT_CLOSE (t.covered, 120, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 21, 1e-9);
  ML_ASSERT_CLOSE (t.lost, 0, 1e-9);
}

static void
test_sixty_day_window_with_thirty_day_retention_returns_half (void)
{
  MlCase c = make_case (60, 1, 0, 30, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 2);

  assert_window (&order (o, 0)->nominal, -60, 0);
  assert_window (&order (o, 0)->returned, -30, 0);
  assert_window (&order (o, 1)->returned, 30, 60);
  ML_ASSERT_CLOSE (t.covered, 60, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 60, 1e-9);
  ML_ASSERT_CLOSE (t.lost, 60, 1e-9);
}

static void
test_retention_longer_than_window_returns_only_the_window (void)
{
  MlCase c = make_case (30, 0, 0, 90, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);

  assert_window (&order (o, 0)->returned, -30, 0);
  ML_ASSERT_CLOSE (coverage (o, 1).covered, 30, 1e-9);
}

static void
test_overlapping_prospective_orders_are_counted_once (void)
{
  MlCase c = make_case (30, 2, -10, 30, ML_MODE_PROSPECTIVE);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 3);

  assert_window (&order (o, 1)->returned, 20, 50);
  ML_ASSERT_CLOSE (t.covered, 70, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 0, 1e-9);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F + 25)), 0);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F + 30)), 1);
}

static void
test_overlapping_snapshots_lose_only_what_no_order_returned (void)
{
  MlCase c = make_case (30, 2, -10, 20, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);
  Totals t = coverage (o, 3);

  /* returned [-20,0) [0,20) [20,40); nominal union [-30,40) */
  ML_ASSERT_CLOSE (t.covered, 60, 1e-9);
  ML_ASSERT_CLOSE (t.lost, 10, 1e-9);
  ML_ASSERT_CLOSE (t.gaps, 10, 1e-9);
}

static void
test_coverage_counts_only_the_first_n_windows (void)
{
  MlCase c = make_case (30, 11, 0, 25, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);

  CU_ASSERT_EQUAL (o->len, 12);
  for (int n = 0; n <= 12; n++)
    {
      Totals t = coverage (o, n);
      ML_ASSERT_CLOSE (t.covered, 25.0 * n, 1e-9);
      ML_ASSERT_CLOSE (t.lost, 5.0 * n, 1e-9);
      ML_ASSERT_CLOSE (t.gaps, 5.0 * n, 1e-9);
    }
}

static void
test_window_of_respects_half_open_edges (void)
{
  MlCase c = make_case (30, 2, 0, 30, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);

  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F - 30) - 1), -1);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F - 30)), 0);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F) - 1), 0);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F)), 1);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F + 60) - 1), 2);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F + 60)), -1);
}

static void
test_window_of_skips_holes_between_late_renewals (void)
{
  MlCase c = make_case (30, 1, 7, 30, ML_MODE_SNAPSHOT);
  g_autoptr(GArray) o = ml_legal_orders (&c);

  /* returned [-30, 0) and [7, 37): days 0..6 are never asked for */
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F + 3)), -1);
  CU_ASSERT_EQUAL (ml_legal_window_of (o, ml_day_start (F + 7)), 1);
}

static CU_TestInfo arithmetic_tests[] = {
  { "orders are served one window apart without lag", test_orders_are_served_one_window_apart_without_lag },
  { "snapshot returns the window before service", test_snapshot_returns_the_window_before_service },
  { "retention shorter than the window loses the oldest days", test_retention_shorter_than_window_loses_oldest_days },
  { "late renewal leaves lag plus retention holes", test_late_renewal_leaves_lag_plus_retention_holes },
  { "prospective collects from service to expiry whatever the retention",
    test_prospective_collects_from_service_to_expiry_whatever_the_retention },
  { "a 60-day window with 30-day retention returns half", test_sixty_day_window_with_thirty_day_retention_returns_half },
  { "retention longer than the window returns only the window",
    test_retention_longer_than_window_returns_only_the_window },
  { "overlapping prospective orders are counted once", test_overlapping_prospective_orders_are_counted_once },
  { "overlapping snapshots lose only what no order returned",
    test_overlapping_snapshots_lose_only_what_no_order_returned },
  { "coverage counts only the first n windows", test_coverage_counts_only_the_first_n_windows },
  { "window_of respects half-open edges", test_window_of_respects_half_open_edges },
  { "window_of skips holes between late renewals", test_window_of_skips_holes_between_late_renewals },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "legal arithmetic", .pInitFunc = init_suite, .pTests = arithmetic_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
