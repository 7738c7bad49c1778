/* test-evaluate.c -- unit tests for analyze/evaluate: scoring against truth.
 *
 * Fixture: a tiny RUN directory whose truth.db holds ten people (person i
 * has handle id 1000 + i), three services and a few ties, stays, messages,
 * service contacts and trips of person 0, the target; a provider.db with
 * the handle texts.  Every expected value below is worked out by hand in
 * the comments.
 */
#include <math.h>
#include <string.h>

#include "analyze/evaluate.h"
#include "analyze/legalcase.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/schema.h"
#include "tests/unit/runner.h"

#define D0 20000                  /* first nominal day of the case (a Thursday) */
#define DAY(d) ((gint64) (D0 + (d)) * 86400)

/* Ten people: 0, 1, 2 share household 0 (home place 0); 3 and 4 household
 * 1.  0, 3 and 5 work at place 1.  Ties of 0 by strength: 1 (10), 2 (6),
 * 3 (3), 4 (2), 5 (1), 6 (0.4); then 6-7, 7-8, 8-9. */
static const char truth_rows[] =
  "INSERT INTO cities VALUES (0, 'home', 45.0, 7.0, 1000, 1), (1, 'far', 48.0, 2.0, 1000, 0),"
  "  (2, 'near', 45.1, 7.0, 100, 1);"
  "INSERT INTO places VALUES (0, 'home', NULL, 0, 0, 45.0, 7.0, 'home', NULL),"
  "  (1, 'work', NULL, 0, 0, 45.05, 7.05, 'corporate', NULL),"
  "  (2, 'venue', 'cafe', 0, 0, 45.02, 7.0, 'public', NULL),"
  "  (3, 'home', NULL, 0, 0, 45.2, 7.2, 'home', NULL);"
  "INSERT INTO households VALUES (0, 0, 3, 1, 0, 0), (1, 3, 2, 1, 0, 1), (2, 3, 5, 1, 0, 2);"
  "INSERT INTO people (id, handle, handle_id, household, role, work_place) VALUES"
  "  (0, 'truth-0', 1000, 0, 'worker', 1), (1, 'truth-1', 1001, 0, 'home', NULL),"
  "  (2, 'truth-2', 1002, 0, 'student', NULL), (3, 'truth-3', 1003, 1, 'worker', 1),"
  "  (4, 'truth-4', 1004, 1, 'home', NULL), (5, 'truth-5', 1005, 2, 'worker', 1),"
  "  (6, 'truth-6', 1006, 2, 'home', NULL), (7, 'truth-7', 1007, 2, 'home', NULL),"
  "  (8, 'truth-8', 1008, 2, 'home', NULL), (9, 'truth-9', 1009, 2, 'home', NULL);"
  "INSERT INTO services VALUES (0, 's-health', 2000, 'health', 1, 2, 1, 1, NULL),"
  "  (1, 's-legal', 2001, 'legal', 1, 2, 1, 1, NULL), (2, 's-shop', 2002, 'business', 0, 2, 1, 1, NULL);"
  "INSERT INTO ties VALUES (0, 1, 'household', 5, 5), (0, 2, 'household', 3, 3), (0, 3, 'coworker', 2, 1),"
  "  (0, 4, 'friend', 1, 1), (0, 5, 'coworker', 0.5, 0.5), (0, 6, 'weak', 0.2, 0.2),"
  "  (6, 7, 'friend', 1, 1), (7, 8, 'friend', 1, 1), (8, 9, 'friend', 1, 1);";

/* Covered = [D0+5, D0+30) (see fixture_case).  Messages: 0 -> 1 on a
 * covered day, 0 -> 2 on an uncovered one, 0 -> 8 counted 0 messages. */
static const char truth_events[] =
  "INSERT INTO messages_daily VALUES (20010, 0, 1, 2, 0), (20002, 0, 2, 1, 0), (20011, 0, 8, 0, 0),"
  "  (20010, 3, 0, 4, 0);"
  "INSERT INTO service_contacts VALUES (1728000000 + 10 * 86400, 0, 0), (1728000000 + 11 * 86400, 0, 0),"
  "  (1728000000 + 2 * 86400, 0, 1), (1728000000 + 12 * 86400, 0, 2), (1728000000 + 12 * 86400, 3, 1);"
  "INSERT INTO stays VALUES (0, 1728000000 + 10 * 86400, 1728000000 + 10 * 86400 + 8 * 3600, 0, 0),"
  "  (0, 1728000000 + 11 * 86400 + 12 * 3600, 1728000000 + 11 * 86400 + 14 * 3600, 2, 0),"
  "  (0, 1728000000 + 1 * 86400, 1728000000 + 1 * 86400 + 5 * 3600, 2, 0),"
  "  (0, 1728000000 + 12 * 86400 + 9 * 3600, 1728000000 + 12 * 86400 + 17 * 3600, 1, 0),"
  "  (0, 1728000000 + 13 * 86400, 1728000000 + 13 * 86400 + 3600, NULL, 0),"
  "  (3, 1728000000 + 10 * 86400, 1728000000 + 11 * 86400, 3, 0);"
  "INSERT INTO trips VALUES (0, 1728000000 + 6 * 86400, 1728000000 + 9 * 86400, 1),"
  "  (0, 1728000000 + 20 * 86400, 1728000000 + 22 * 86400, 1),"
  "  (0, 1728000000 + 14 * 86400, 1728000000 + 15 * 86400, 2),"
  "  (0, 1728000000 + 40 * 86400, 1728000000 + 42 * 86400, 1);";

static char *run_dir;

static gboolean
exec_or_fail (MlDb *db, const char *sql)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ml_db_exec (db, sql, &error);

  if (!ok)
    g_printerr ("fixture: %s\n", error->message);
  return ok;
}

/* Build RUN/truth.db from SQL (static text, no input) and RUN/provider.db. */
static char *
make_run (const char *name, const char *const *sql, gsize n_sql)
{
  g_autoptr(GError) error = NULL;
  char *dir = ml_test_path (name);
  g_autofree char *truth = g_build_filename (dir, "truth.db", NULL);
  g_autofree char *provider = g_build_filename (dir, "provider.db", NULL);
  g_autoptr(MlDb) t = NULL;
  g_autoptr(MlDb) p = NULL;

  g_mkdir_with_parents (dir, 0700);
  t = ml_db_create (truth, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (ml_schema_truth_create (t, &error));
  for (gsize i = 0; i < n_sql; i++)
    g_assert_true (exec_or_fail (t, sql[i]));
  g_assert_true (ml_schema_truth_index (t, &error) && ml_db_finish (t, &error));
  p = ml_db_create (provider, FALSE, &error);
  g_assert_true (p != NULL && ml_schema_provider_create (p, &error));
  g_assert_true (exec_or_fail (p, "INSERT INTO handles VALUES (1000, 'prov-1000'), (1001, 'prov-1001'),"
                                  " (1002, 'prov-1002'), (1003, 'prov-1003'), (1008, 'prov-1008'),"
                                  " (5555, 'prov-5555'), (2000, 'prov-2000');"));
  g_assert_true (ml_db_finish (p, &error));
  return dir;
}

static const char *
fixture_run (void)
{
  static const char *const sql[] = { truth_rows, truth_events };

  if (run_dir == NULL)
    run_dir = make_run ("run", sql, G_N_ELEMENTS (sql));
  return run_dir;
}

/* The case: one snapshot order served on D0+30 with 25 days of retention:
 * nominal [D0, D0+30), returned [D0+5, D0+30), so 5 days lost. */
static MlCase fixture_case = {
  .name = "t", .kind = ML_ORDER_BOTH, .first_service = D0 + 30, .window_days = 30, .extensions = 0,
  .retention_days = 25, .mode = ML_MODE_SNAPSHOT, .hops = 1, .trip_km = 50,
};

static MlContact
contact (gint64 handle, guint32 n_out, double confidence, int rank)
{
  MlContact c = { .handle = handle, .n_out = n_out, .confidence = confidence, .rank = rank };
  return c;
}

typedef struct {
  MlEvidence ev;
  MlTarget target;
  MlWindowSet covered;
  MlLocation loc;
  GArray *contacts, *reported, *colocated, *sensitive;
  MlDb *provider;
  MlTargetResult r;
} Fixture;

static void
fill_contacts (Fixture *f)
{
  /* reported: people 1, 2, 3 (true ties), 8 (not a tie), a stranger;
   * seen, not reported: person 4 (tie, rank 7), service 2000 */
  MlContact rep[] = { contact (1001, 3, 0.9, 1), contact (1002, 1, 0.8, 2), contact (1003, 0, 0.6, 3),
                      contact (1008, 2, 0.7, 4), contact (5555, 1, 0.5, 5) };
  MlContact more[] = { contact (2000, 4, 0.3, 6), contact (1004, 0, 0.2, 7) };

  f->reported = g_array_new (FALSE, FALSE, sizeof (MlContact));
  f->contacts = g_array_new (FALSE, FALSE, sizeof (MlContact));
  g_array_append_vals (f->reported, rep, G_N_ELEMENTS (rep));
  g_array_append_vals (f->contacts, rep, G_N_ELEMENTS (rep));
  g_array_append_vals (f->contacts, more, G_N_ELEMENTS (more));
}

static void
fill_location (Fixture *f)
{
  MlTrip trip = { .start = DAY (7) + 3600, .end = DAY (8) };   /* overlaps the true trip D0+6..9 */
  MlCoLocated co[] = { { .handle = 1001, .kind = ML_COLOC_HOUSEHOLD }, { .handle = 1003, .kind = ML_COLOC_HOUSEHOLD },
                       { .handle = 1005, .kind = ML_COLOC_COWORKER } };
  MlSensitiveHit hits[2] = { { .category = "health", .lookups = 2 }, { .category = "political", .lookups = 1 } };

  f->loc.home.found = TRUE;                               /* 3 km north of the true home */
  ml_geo_offset (45.0, 7.0, 3.0, 0.0, &f->loc.home.lat, &f->loc.home.lon);
  f->loc.trips = g_array_new (FALSE, FALSE, sizeof (MlTrip));
  g_array_append_val (f->loc.trips, trip);
  f->colocated = g_array_new (FALSE, FALSE, sizeof (MlCoLocated));
  g_array_append_vals (f->colocated, co, G_N_ELEMENTS (co));
  f->sensitive = g_array_new (FALSE, FALSE, sizeof (MlSensitiveHit));
  g_array_append_vals (f->sensitive, hits, 2);
}

static void
fixture_init (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *provider = g_build_filename (fixture_run (), "provider.db", NULL);

  memset (f, 0, sizeof *f);
  f->provider = ml_db_open (provider, ML_DB_READONLY, &error);
  g_assert_no_error (error);
  f->target.handle = 1000;
  f->target.hop = 1;
  f->target.orders = ml_legal_orders (&fixture_case);
  f->ev.c = &fixture_case;
  f->ev.provider = f->provider;
  f->ev.targets = g_array_new (FALSE, FALSE, sizeof (MlTarget));
  g_array_append_val (f->ev.targets, f->target);
  ml_window_set_init (&f->covered);
  ml_legal_coverage (f->target.orders, 1, &f->covered, NULL, NULL);
  fill_contacts (f);
  fill_location (f);
  f->r = (MlTargetResult) { .target = 1000, .target_text = "prov-1000", .n_windows = 1, .contacts = f->contacts,
                            .reported = f->reported, .location = &f->loc, .colocated = f->colocated,
                            .sensitive = f->sensitive, .covered = &f->covered, .ev = &f->ev };
}

static void
fixture_clear (Fixture *f)
{
  g_array_unref (f->target.orders);
  g_array_unref (f->ev.targets);
  ml_window_set_clear (&f->covered);
  g_array_unref (f->loc.trips);
  g_array_unref (f->contacts);
  g_array_unref (f->reported);
  g_array_unref (f->colocated);
  g_array_unref (f->sensitive);
  ml_db_free (f->provider);
}

static MlEvaluator *
open_evaluator (const char *dir, gint64 target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, sizeof (gint64));
  MlEvaluator *e;

  g_array_append_val (targets, target);
  e = ml_evaluator_open (dir, targets, &error);
  g_assert_no_error (error);
  return e;
}

/* The value of METRIC in scope SCOPE at N, or NAN if absent. */
static double
metric_of (GArray *m, int n, const char *scope, const char *metric)
{
  for (guint i = 0; i < m->len; i++)
    {
      const MlMetric *x = &g_array_index (m, MlMetric, i);
      if (x->n_windows == n && strcmp (x->scope, scope) == 0 && strcmp (x->metric, metric) == 0)
        return x->value;
    }
  return NAN;
}

static GArray *
score_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlEvaluator) e = open_evaluator (fixture_run (), 1000);
  GArray *m = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  Fixture f;

  fixture_init (&f);
  CU_ASSERT_TRUE (ml_evaluate_target (e, &f.r, m, &error));
  CU_ASSERT_PTR_NULL (error);
  fixture_clear (&f);
  return m;
}

#define T(name) metric_of (m, 1, "prov-1000", name)

static void
test_contacts_are_scored_against_true_ties (void)
{
  g_autoptr(GArray) m = score_fixture ();

  ML_ASSERT_CLOSE (T ("contacts_precision"), 3.0 / 5, 1e-12);     /* 1, 2, 3 of 5 reported */
  ML_ASSERT_CLOSE (T ("contacts_recall"), 3.0 / 6, 1e-12);        /* of 6 ties */
  ML_ASSERT_CLOSE (T ("contacts_f1"), 6.0 / 11, 1e-12);           /* 2 TP / (reported + true) */
  ML_ASSERT_CLOSE (T ("top5_recall"), 3.0 / 5, 1e-12);            /* 1, 2, 3 of the top 1..5 */
  /* Brier over non-services: 1 .01, 2 .04, 3 .16, 8 .49, stranger .25, 4 .64 */
  ML_ASSERT_CLOSE (T ("contacts_brier"), 1.59 / 6, 1e-12);
}

static void
test_lookups_not_messaged_uses_covered_days_only (void)
{
  g_autoptr(GArray) m = score_fixture ();

  /* looked up (services aside): 1 (messaged), 2 (only on an uncovered
   * day), 8 (0 messages), stranger: 3 of 4 never messaged */
  ML_ASSERT_CLOSE (T ("lookups_not_messaged"), 0.75, 1e-12);
}

static void
test_home_three_km_off_gives_error_three (void)
{
  g_autoptr(GArray) m = score_fixture ();

  ML_ASSERT_CLOSE (T ("home_error_km"), 3.0, 0.01);
  ML_ASSERT_CLOSE (T ("home_found"), 1.0, 0);
  ML_ASSERT_CLOSE (T ("home_within_1km"), 0.0, 0);
  ML_ASSERT_CLOSE (T ("home_within_10km"), 1.0, 0);
  /* work exists but was not found: no error row, found and within are 0 */
  CU_ASSERT_TRUE (isnan (T ("work_error_km")));
  ML_ASSERT_CLOSE (T ("work_found"), 0.0, 0);
  ML_ASSERT_CLOSE (T ("work_within_10km"), 0.0, 0);
}

static void
test_colocation_is_scored_against_household_and_coworkers (void)
{
  g_autoptr(GArray) m = score_fixture ();

  ML_ASSERT_CLOSE (T ("coloc_household_precision"), 0.5, 1e-12);  /* 1 yes, 3 no */
  ML_ASSERT_CLOSE (T ("coloc_household_recall"), 0.5, 1e-12);     /* housemates 1, 2 */
  ML_ASSERT_CLOSE (T ("coloc_coworker_precision"), 1.0, 1e-12);   /* 5 */
  ML_ASSERT_CLOSE (T ("coloc_coworker_recall"), 0.5, 1e-12);      /* co-workers 3, 5 */
}

static void
test_sensitive_and_trips_use_the_covered_period (void)
{
  g_autoptr(GArray) m = score_fixture ();

  /* true in covered: health only (legal was on D0+2) */
  ML_ASSERT_CLOSE (T ("sensitive_recall"), 1.0, 1e-12);
  /* far trips in covered: D0+6..9 (found) and D0+20..22 (missed); the
   * 11 km trip is below trip_km, the D0+40 one outside */
  ML_ASSERT_CLOSE (T ("trips_recall"), 0.5, 1e-12);
}

static void
test_targets_that_are_not_people_get_no_metrics (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlEvaluator) e = open_evaluator (fixture_run (), 2000);
  g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  Fixture f;

  fixture_init (&f);
  f.r.target = 2000;                 /* a service */
  CU_ASSERT_TRUE (ml_evaluate_target (e, &f.r, m, &error));
  f.r.target = 5555;                 /* a stranger */
  CU_ASSERT_TRUE (ml_evaluate_target (e, &f.r, m, &error));
  CU_ASSERT_EQUAL (m->len, 0);
  fixture_clear (&f);
}

static void
test_target_not_preloaded_is_loaded_on_demand (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlEvaluator) e = open_evaluator (fixture_run (), 1009);
  g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  Fixture f;

  fixture_init (&f);
  CU_ASSERT_TRUE (ml_evaluate_target (e, &f.r, m, &error));
  ML_ASSERT_CLOSE (metric_of (m, 1, "prov-1000", "lookups_not_messaged"), 0.75, 1e-12);
  fixture_clear (&f);
}

static void
test_missing_truth_db_is_an_io_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ml_test_path ("no-truth");
  MlEvaluator *e;

  g_mkdir_with_parents (dir, 0700);
  e = ml_evaluator_open (dir, NULL, &error);
  CU_ASSERT_PTR_NULL (e);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
}

static void
test_availability_follows_the_truth_file (void)
{
  g_autofree char *dir = ml_test_path ("no-truth-2");

  g_mkdir_with_parents (dir, 0700);
  CU_ASSERT_TRUE (ml_evaluator_available (fixture_run ()));
  CU_ASSERT_FALSE (ml_evaluator_available (dir));
}

/* ---- aggregation ---- */

static void
push (GArray *m, int n, const char *scope, const char *metric, double v)
{
  MlMetric x = { .n_windows = n, .value = v };

  g_strlcpy (x.scope, scope, sizeof x.scope);
  g_strlcpy (x.metric, metric, sizeof x.metric);
  g_array_append_val (m, x);
}

static void
test_aggregate_takes_mean_and_median_for_errors (void)
{
  g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (MlMetric));

  push (m, 1, "a", "contacts_recall", 0.2);
  push (m, 1, "b", "contacts_recall", 0.4);
  push (m, 1, "c", "contacts_recall", 0.9);
  push (m, 1, "a", "home_error_km", 1.0);
  push (m, 1, "b", "home_error_km", 2.0);
  push (m, 1, "c", "home_error_km", 100.0);
  push (m, 2, "a", "home_error_km", 1.0);
  push (m, 2, "b", "home_error_km", 4.0);
  push (m, 2, "all", "true_reach_2", 7.0);
  push (m, 2, "population", "precision", 0.3);
  ml_metrics_aggregate (m);
  ML_ASSERT_CLOSE (metric_of (m, 1, "all", "contacts_recall"), 0.5, 1e-12);
  ML_ASSERT_CLOSE (metric_of (m, 1, "all", "home_error_km"), 2.0, 1e-12);     /* median, not 34.3 */
  ML_ASSERT_CLOSE (metric_of (m, 2, "all", "home_error_km"), 2.5, 1e-12);     /* even count */
  ML_ASSERT_CLOSE (metric_of (m, 2, "all", "true_reach_2"), 7.0, 0);
  CU_ASSERT_TRUE (isnan (metric_of (m, 2, "all", "precision")));
  CU_ASSERT_EQUAL (m->len, 13);
  ml_metrics_aggregate (m);
  CU_ASSERT_EQUAL (m->len, 13);      /* idempotent */
}

/* ---- hop reach on a 6-person graph ---- */

static void
test_true_reach_counts_people_within_two_and_three_ties (void)
{
  /* 0-1, 0-2, 1-3, 3-4, 4-5: from 0, distance 1 {1, 2}, 2 {3}, 3 {4}, 4 {5} */
  static const char graph[] =
    "INSERT INTO people (id, handle, handle_id, household) VALUES (0, 'a', 1000, 0), (1, 'b', 1001, 1),"
    "  (2, 'c', 1002, 2), (3, 'd', 1003, 3), (4, 'e', 1004, 4), (5, 'f', 1005, 5);"
    "INSERT INTO ties (a, b) VALUES (0, 1), (0, 2), (1, 3), (3, 4), (4, 5);";
  static const char *const sql[] = { graph };
  g_autofree char *dir = make_run ("hops", sql, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlEvaluator) e = open_evaluator (dir, 1000);
  g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  g_autoptr(GArray) named = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) hops = g_array_new (FALSE, FALSE, sizeof (MlHopReach));
  MlHopReach h[] = { { .hop = 1, .reached = 4 }, { .hop = 2, .reached = 12 } };
  gint64 t = 1000;

  g_array_append_val (named, t);
  g_array_append_vals (hops, h, 2);
  CU_ASSERT_TRUE (ml_evaluate_hops (e, named, 2, hops, m, &error));
  ML_ASSERT_CLOSE (metric_of (m, 2, "all", "true_reach_2"), 3.0, 0);
  ML_ASSERT_CLOSE (metric_of (m, 2, "all", "true_reach_3"), 4.0, 0);
  ML_ASSERT_CLOSE (metric_of (m, 2, "all", "hop_reach_2"), 12.0, 0);
  CU_ASSERT_TRUE (isnan (metric_of (m, 2, "all", "hop_reach_3")));   /* the case did not expand to 3 */
}

/* ---- details ---- */

static gint64
count_rows (MlDb *db, const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  CU_ASSERT_TRUE (ml_db_query_int64 (db, sql, &n, &error));
  return n;
}

static double
query_double (MlDb *db, const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = ml_db_prepare (db, sql, &error);
  double v = NAN;

  if (s != NULL && ml_stmt_step (s, &error) == ML_STEP_ROW)
    v = ml_stmt_double (s, 0);
  return v;
}

static void
test_details_list_edges_places_and_sensitive_truth (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlEvaluator) e = open_evaluator (fixture_run (), 1000);
  g_autofree char *path = ml_test_path ("analysis.db");
  g_autoptr(MlDb) a = ml_db_create (path, FALSE, &error);
  Fixture f;

  fixture_init (&f);
  CU_ASSERT_TRUE (ml_db_begin (a, &error));                 /* the driver's transaction */
  CU_ASSERT_TRUE (ml_evaluate_write_details (e, a, &f.r, &error));
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_TRUE (ml_db_in_transaction (a) && ml_db_commit (a, &error));
  CU_ASSERT_EQUAL (count_rows (a, "SELECT count(*) FROM ego_edges WHERE status = 'correct'"), 3);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT count(*) FROM ego_edges WHERE status = 'false'"), 2);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT count(*) FROM ego_edges WHERE status = 'missed'"), 3);
  /* a missed tie seen below the cut keeps its rank; text falls back to truth */
  CU_ASSERT_EQUAL (count_rows (a, "SELECT inferred_rank FROM ego_edges WHERE handle = 'truth-4'"), 7);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT count(*) FROM ego_edges WHERE handle = 'prov-5555' AND status = 'false'"
                                  " AND true_weight IS NULL"), 1);
  ML_ASSERT_CLOSE (query_double (a, "SELECT true_weight FROM ego_edges WHERE handle = 'prov-1001'"), 10.0, 1e-12);
  /* home 8 h, work 8 h, the cafe 2 h (its 5 h on D0+1 are not covered) */
  ML_ASSERT_CLOSE (query_double (a, "SELECT hours FROM truth_places WHERE kind = 'home'"), 8.0, 1e-12);
  ML_ASSERT_CLOSE (query_double (a, "SELECT hours FROM truth_places WHERE kind = 'work'"), 8.0, 1e-12);
  ML_ASSERT_CLOSE (query_double (a, "SELECT hours FROM truth_places WHERE kind = 'visit'"), 2.0, 1e-12);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT count(*) FROM truth_places"), 3);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT true_contacts * 10 + found FROM sensitive_truth WHERE category = 'health'"),
                   21);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT true_contacts * 10 + found FROM sensitive_truth"
                                  " WHERE category = 'political'"), 1);
  CU_ASSERT_EQUAL (count_rows (a, "SELECT count(*) FROM sensitive_truth"), 2);
  fixture_clear (&f);
}

/* ---- population graph ---- */

static void
test_population_graph_precision_and_recall_by_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlEvaluator) e = open_evaluator (fixture_run (), 1000);
  g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (MlPopEdge));
  g_autoptr(GArray) sources = g_array_new (FALSE, FALSE, sizeof (MlPopSource));
  /* sources 0, 1 (window 0), 2, 3 (window 1), 7 (window 0): true ties
   * among them 0-1 (window 0), 0-2 and 0-3 (window 1) */
  MlPopSource s[] = { { 1000, 0 }, { 1001, 0 }, { 1002, 1 }, { 1003, 1 }, { 1007, 0 } };
  MlPopEdge x[] = { { 1003, 1007, 1, 1 }, { 1000, 1001, 0, 0 }, { 1000, 1002, 1, 255 }, { 1001, 1007, 0, 255 },
                    { 1000, 5555, 0, 0 } };

  g_array_append_vals (sources, s, G_N_ELEMENTS (s));
  g_array_append_vals (edges, x, G_N_ELEMENTS (x));
  CU_ASSERT_TRUE (ml_evaluate_population_graph (e, edges, sources, 2, m, &error));
  ML_ASSERT_CLOSE (metric_of (m, 1, "population", "true_ties"), 1.0, 0);
  ML_ASSERT_CLOSE (metric_of (m, 1, "population", "precision"), 0.5, 1e-12);      /* 0-1 of 0-1, 1-7 */
  ML_ASSERT_CLOSE (metric_of (m, 1, "population", "recall"), 1.0, 1e-12);
  ML_ASSERT_CLOSE (metric_of (m, 1, "population", "mutual_precision"), 1.0, 1e-12);
  ML_ASSERT_CLOSE (metric_of (m, 2, "population", "true_ties"), 3.0, 0);
  ML_ASSERT_CLOSE (metric_of (m, 2, "population", "precision"), 0.5, 1e-12);      /* 0-1, 0-2 of 4 */
  ML_ASSERT_CLOSE (metric_of (m, 2, "population", "recall"), 2.0 / 3, 1e-12);
  ML_ASSERT_CLOSE (metric_of (m, 2, "population", "mutual_precision"), 0.5, 1e-12); /* 0-1 of 0-1, 3-7 */
  ML_ASSERT_CLOSE (metric_of (m, 2, "population", "mutual_recall"), 1.0 / 3, 1e-12);
}


/* A truth.db without the service contacts' index by person is scanned
 * whole for them and scores exactly as the indexed one does. */
static void
test_truth_without_person_index_scores_the_same (void)
{
  static const char *const sql[] = { truth_rows, truth_events };
  g_autofree char *dir = make_run ("run-unindexed", sql, G_N_ELEMENTS (sql));
  g_autofree char *truth = g_build_filename (dir, "truth.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) indexed = score_fixture ();
  g_autoptr(GArray) scanned = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  g_autoptr(MlEvaluator) e = NULL;
  Fixture f;

  {
    g_autoptr(MlDb) db = ml_db_open (truth, ML_DB_READWRITE, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL (db);
    CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "DROP INDEX service_contacts_by_person;", &error));
  }
  e = open_evaluator (dir, 1000);
  fixture_init (&f);
  CU_ASSERT_TRUE (ml_evaluate_target (e, &f.r, scanned, &error));
  fixture_clear (&f);
  g_assert_no_error (error);
  CU_ASSERT_TRUE_FATAL (indexed->len > 10);
  CU_ASSERT_EQUAL_FATAL (scanned->len, indexed->len);
  for (guint i = 0; i < indexed->len; i++)
    {
      const MlMetric *a = &g_array_index (indexed, MlMetric, i), *b = &g_array_index (scanned, MlMetric, i);
      CU_ASSERT_STRING_EQUAL (a->metric, b->metric);
      CU_ASSERT_TRUE ((isnan (a->value) && isnan (b->value)) || a->value == b->value);
    }
}

static CU_TestInfo target_tests[] = {
  { "contacts are scored against true ties", test_contacts_are_scored_against_true_ties },
  { "lookups not messaged uses covered days only", test_lookups_not_messaged_uses_covered_days_only },
  { "home three km off gives error three", test_home_three_km_off_gives_error_three },
  { "colocation is scored against household and coworkers",
    test_colocation_is_scored_against_household_and_coworkers },
  { "sensitive and trips use the covered period", test_sensitive_and_trips_use_the_covered_period },
  { "targets that are not people get no metrics", test_targets_that_are_not_people_get_no_metrics },
  { "target not preloaded is loaded on demand", test_target_not_preloaded_is_loaded_on_demand },
  { "missing truth.db is an IO error", test_missing_truth_db_is_an_io_error },
  { "availability follows the truth file", test_availability_follows_the_truth_file },
  { "truth without person index scores the same", test_truth_without_person_index_scores_the_same },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo case_tests[] = {
  { "aggregate takes mean and median for errors", test_aggregate_takes_mean_and_median_for_errors },
  { "true reach counts people within two and three ties",
    test_true_reach_counts_people_within_two_and_three_ties },
  { "details list edges, places and sensitive truth", test_details_list_edges_places_and_sensitive_truth },
  { "population graph precision and recall by window", test_population_graph_precision_and_recall_by_window },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "per-target metrics", .pTests = target_tests },
  { .pName = "case-wide scoring and outputs", .pTests = case_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  int status = ml_test_main (argc, argv, suites);

  g_free (run_dir);
  return status;
}
