/* test-calibration.c -- unit tests for sim/calibration: each estimator of
 * calibration.json against a hand-made input with a known answer
 * (burstiness, radius of gyration, the S(t) growth exponent, distinct
 * places, category shares and message reciprocity from small truth.db
 * fixtures, literature.csv and the "within" verdict of the entries), then
 * the whole file on a small world: complete, deterministic, the same
 * mobility figures whether a run stored every stay or regenerates them,
 * and the published radius-of-gyration fit tabulated beside the model's. */

#include <math.h>
#include <string.h>

#include "common/db.h"
#include "common/geo.h"
#include "common/rng.h"
#include "common/schema.h"
#include "sim/calibration.h"
#include "sim/calibration-private.h"
#include "sim/mobility.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "tests/unit/runner.h"

#define MONDAY ((MlDay) 20458)    /* 2026-01-05 */
#define H(h) ((MlTime) ((h) * 3600.0))

/* ---- burstiness ---------------------------------------------------------- */

static void
test_periodic_sequence_has_burstiness_minus_one (void)
{
  MlTime ts[100];

  for (int i = 0; i < 100; i++)
    ts[i] = 1000 + 60 * i;
  ML_ASSERT_CLOSE (ml_calibration_burstiness (ts, 100), -1.0, 1e-12);
}

static void
test_poisson_process_has_burstiness_near_zero (void)
{
  enum { N = 20000 };
  g_autofree MlTime *ts = g_new (MlTime, N);
  double t = 0.0;
  MlRng rng;

  ml_rng_init (&rng, 42, 1, 2, 3);
  for (int i = 0; i < N; i++)
    {
      t += ml_rng_exponential (&rng, 1.0 / 600.0);
      ts[i] = (MlTime) t;
    }
  ML_ASSERT_CLOSE (ml_calibration_burstiness (ts, N), 0.0, 0.03);
}

static void
test_bursts_separated_by_long_silences_are_bursty (void)
{
  MlTime ts[200];

  for (int i = 0; i < 200; i++)
    ts[i] = (MlTime) (i / 10) * 100000 + i % 10;
  CU_ASSERT_TRUE (ml_calibration_burstiness (ts, 200) > 0.5);
}

static void
test_burstiness_of_fewer_than_three_events_is_undefined (void)
{
  MlTime ts[2] = { 10, 20 };

  CU_ASSERT_TRUE (isnan (ml_calibration_burstiness (ts, 2)));
}

/* ---- radius of gyration and growth ---------------------------------------- */

static MlCalStay
stay_at (MlTime start, MlTime end, guint32 place, double lat, double lon)
{
  MlCalStay s = { start, end, place, lat, lon };
  return s;
}

static void
test_two_equal_stays_ten_km_apart_have_gyration_five_km (void)
{
  double lat2, lon2;
  MlCalStay s[2];

  ml_geo_destination (40.0, -89.0, 90.0, 10.0, &lat2, &lon2);
  s[0] = stay_at (0, 3600, 1, 40.0, -89.0);
  s[1] = stay_at (3600, 7200, 2, lat2, lon2);
  ML_ASSERT_CLOSE (ml_calibration_gyration_km (s, 2), 5.0, 1e-6);
}

static void
test_gyration_weights_stays_by_time_and_ignores_moves (void)
{
  double lat2, lon2;
  MlCalStay s[3];

  /* 3 h at A, 1 h at B 10 km away: the centre is 2.5 km from A, so
   * Rg^2 = (3 x 2.5^2 + 1 x 7.5^2) / 4 = 18.75. */
  ml_geo_destination (40.0, -89.0, 0.0, 10.0, &lat2, &lon2);
  s[0] = stay_at (0, H (3), 1, 40.0, -89.0);
  s[1] = stay_at (H (3), H (5), ML_NONE, NAN, NAN);
  s[2] = stay_at (H (5), H (6), 2, lat2, lon2);
  ML_ASSERT_CLOSE (ml_calibration_gyration_km (s, 3), sqrt (18.75), 1e-4);
  CU_ASSERT_TRUE (isnan (ml_calibration_gyration_km (&s[1], 1)));
}

static void
test_growth_fit_of_square_root_data_gives_one_half (void)
{
  double s[100];

  for (int t = 1; t <= 100; t++)
    s[t - 1] = 3.0 * sqrt ((double) t);
  ML_ASSERT_CLOSE (ml_calibration_growth_exponent (s, 100), 0.5, 1e-9);
}

static void
test_growth_fit_skips_empty_days_and_needs_two_points (void)
{
  double s[5] = { 0.0, pow (2.0, 0.6), pow (3.0, 0.6), pow (4.0, 0.6), pow (5.0, 0.6) };
  double one[1] = { 4.0 };

  ML_ASSERT_CLOSE (ml_calibration_growth_exponent (s, 5), 0.6, 1e-9);
  CU_ASSERT_TRUE (isnan (ml_calibration_growth_exponent (one, 1)));
}

static void
test_distinct_places_accumulate_day_by_day (void)
{
  MlTime d0 = ml_day_start (MONDAY);
  MlCalStay s[] = {
    stay_at (d0 + H (1), d0 + H (2), 7, 0, 0),
    stay_at (d0 + H (2), d0 + H (3), 8, 0, 0),
    stay_at (d0 + H (25), d0 + H (26), 7, 0, 0),
    stay_at (d0 + H (26), d0 + H (27), ML_NONE, NAN, NAN),
    stay_at (d0 + H (50), d0 + H (51), 9, 0, 0),
  };
  double acc[4] = { 1.0, 1.0, 1.0, 1.0 };

  ml_calibration_distinct_by_day (s, G_N_ELEMENTS (s), MONDAY, 4, acc);
  ML_ASSERT_CLOSE (acc[0], 3.0, 1e-12);
  ML_ASSERT_CLOSE (acc[1], 3.0, 1e-12);
  ML_ASSERT_CLOSE (acc[2], 4.0, 1e-12);
  ML_ASSERT_CLOSE (acc[3], 4.0, 1e-12);
}

/* ---- truth.db fixtures ----------------------------------------------------- */

static void
exec_ok (MlDb *db, const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!ml_db_exec (db, sql, &error))
    CU_FAIL_FATAL (error->message);
}

/* A finished truth.db holding the rows of INSERTS, opened read-only. */
static MlDb *
truth_fixture (const char *name, const char *inserts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ml_test_path (name);
  MlDb *db = ml_db_create (path, TRUE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE_FATAL (ml_schema_truth_create (db, &error));
  exec_ok (db, inserts);
  CU_ASSERT_TRUE_FATAL (ml_schema_truth_index (db, &error));
  CU_ASSERT_TRUE_FATAL (ml_db_finish (db, &error));
  ml_db_free (db);
  db = ml_db_open (path, ML_DB_READONLY, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  return db;
}

static void
test_category_shares_count_each_person_once_per_sensitive_category (void)
{
  g_autoptr(MlDb) db = truth_fixture ("services.db",
    "INSERT INTO services (id, handle, handle_id, category, sensitive) VALUES"
    " (10, 'a', 1, 'health', 1), (11, 'b', 2, 'health', 1), (12, 'c', 3, 'pharmacy', 1),"
    " (13, 'd', 4, 'business', 0), (14, 'e', 5, 'legal', 1);\n"
    "INSERT INTO service_contacts VALUES (1, 0, 10), (2, 0, 11), (3, 1, 10), (4, 1, 12),"
    " (5, 2, 13), (6, 3, 12), (7, 3, 12), (8, 9, 14);\n");
  g_autoptr(GError) error = NULL;
  guint32 counts[ML_N_CATEGORIES];

  CU_ASSERT_TRUE_FATAL (ml_calibration_category_people (db, 5, counts, &error));
  CU_ASSERT_EQUAL (counts[ML_CAT_HEALTH], 2);
  CU_ASSERT_EQUAL (counts[ML_CAT_PHARMACY], 2);
  CU_ASSERT_EQUAL (counts[ML_CAT_BUSINESS], 0);
  CU_ASSERT_EQUAL (counts[ML_CAT_LEGAL], 0);   /* person 9 is outside the population */
  CU_ASSERT_EQUAL (counts[ML_CAT_FINANCIAL], 0);
}

static void
test_message_reciprocity_is_the_share_of_pairs_messaged_both_ways (void)
{
  g_autoptr(MlDb) db = truth_fixture ("messages.db",
    "INSERT INTO messages_daily VALUES (20458, 0, 1, 2, 0), (20459, 1, 0, 1, 0),"
    " (20460, 0, 1, 1, 0), (20458, 0, 2, 0, 3), (20461, 3, 1, 1, 0);\n");
  g_autoptr(GError) error = NULL;
  const guint32 everyone[] = { 0, 1, 2, 3 }, only_two[] = { 2 };
  double share = 0.0;

  /* Pairs {0,1} both ways, {0,2} and {1,3} one way. */
  CU_ASSERT_TRUE_FATAL (ml_calibration_message_reciprocity (db, everyone, 4, &share, &error));
  ML_ASSERT_CLOSE (share, 1.0 / 3.0, 1e-12);
  CU_ASSERT_TRUE_FATAL (ml_calibration_message_reciprocity (db, only_two, 1, &share, &error));
  ML_ASSERT_CLOSE (share, 0.0, 1e-12);
}

/* ---- literature.csv and the JSON entries ---------------------------------- */

static void
test_literature_rows_give_targets_tolerances_and_sources (void)
{
  g_autofree char *path = ml_test_path ("literature.csv");
  g_autoptr(GHashTable) lit = NULL;
  g_autoptr(GError) error = NULL;
  const MlCalTarget *t;

  g_assert_true (g_file_set_contents (path,
    "# comment\nmetric,value,low,high,unit,source\n"
    "burstiness,0.55,0.4,0.7,B,\"Goh & Barabasi, EPL 2008: \"\"B\"\"\"\n"
    "epr_rho,0.6,,,,\"Song et al. 2010\"\r\n", -1, NULL));
  lit = ml_calibration_literature_load (path, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (lit);
  t = g_hash_table_lookup (lit, "burstiness");
  CU_ASSERT_PTR_NOT_NULL_FATAL (t);
  ML_ASSERT_CLOSE (t->value, 0.55, 1e-12);
  ML_ASSERT_CLOSE (t->low, 0.4, 1e-12);
  ML_ASSERT_CLOSE (t->high, 0.7, 1e-12);
  CU_ASSERT_STRING_EQUAL (t->source, "Goh & Barabasi, EPL 2008: \"B\"");
  t = g_hash_table_lookup (lit, "epr_rho");
  CU_ASSERT_PTR_NOT_NULL_FATAL (t);
  CU_ASSERT_TRUE (isnan (t->low) && isnan (t->high));
  CU_ASSERT_STRING_EQUAL (t->source, "Song et al. 2010");
}

static void
test_literature_with_a_bad_number_fails_naming_the_line (void)
{
  g_autofree char *path = ml_test_path ("bad.csv");
  g_autoptr(GHashTable) lit = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "metric,value,low,high\nx,1,2,3\ny,0.5,zero,1\n", -1, NULL));
  lit = ml_calibration_literature_load (path, &error);
  CU_ASSERT_PTR_NULL (lit);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "bad.csv:3: 'zero' is not a number"));
}

static void
test_shipped_literature_has_a_tolerance_for_every_checked_metric (void)
{
  static const char *const checked[] = {
    "clustering_global", "degree_powerlaw_rejected", "weight_reciprocity", "burstiness",
    "epr_growth_mu", "rg_median_km", "share_health", "share_financial", "share_pharmacy",
    "share_legal", "share_religious", "share_firearms", "share_political", "share_adult",
    "share_marijuana",
  };
  g_autofree char *path = g_build_filename (ML_SRCDATADIR, "literature.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) lit = ml_calibration_literature_load (path, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (lit);
  for (gsize i = 0; i < G_N_ELEMENTS (checked); i++)
    {
      const MlCalTarget *t = g_hash_table_lookup (lit, checked[i]);
      CU_ASSERT_PTR_NOT_NULL_FATAL (t);
      CU_ASSERT_TRUE (t->low <= t->value && t->value <= t->high);
      CU_ASSERT_PTR_NOT_NULL (t->source);
    }
}

static void
test_value_outside_the_tolerance_is_not_within (void)
{
  MlCalTarget t = { 0.55, 0.4, 0.7, (char *) "Goh & Barabasi 2008" };
  g_autoptr(GString) j = g_string_new (NULL);

  ml_calibration_append_metric (j, "burstiness", 0.9, &t, "median B");
  CU_ASSERT_STRING_EQUAL (j->str,
    "    \"burstiness\": {\"value\": 0.9, \"target\": 0.55, \"low\": 0.4, \"high\": 0.7, "
    "\"within\": false, \"source\": \"Goh & Barabasi 2008\", \"method\": \"median B\"}");
  ml_calibration_append_metric (j, "b2", 0.7, &t, "m");
  CU_ASSERT_PTR_NOT_NULL (strstr (j->str, "},\n    \"b2\": {\"value\": 0.7, "));
  CU_ASSERT_PTR_NOT_NULL (strstr (j->str, "\"within\": true"));
}

static void
test_metric_without_target_or_value_writes_nulls (void)
{
  MlCalTarget open_high = { 1.0, 0.5, NAN, NULL };
  g_autoptr(GString) j = g_string_new (NULL);

  ml_calibration_append_metric (j, "degree_max", 1234567.0, NULL, "m");
  CU_ASSERT_PTR_NOT_NULL (strstr (j->str, "{\"value\": 1.23457e+06, \"target\": null, \"low\": null, "
                                          "\"high\": null, \"within\": null, \"source\": null"));
  g_string_truncate (j, 0);
  ml_calibration_append_metric (j, "x", NAN, &open_high, "m");
  CU_ASSERT_PTR_NOT_NULL (strstr (j->str, "\"value\": null, \"target\": 1, \"low\": 0.5, \"high\": null, "
                                          "\"within\": false"));
  g_string_truncate (j, 0);
  ml_calibration_append_metric (j, "x", 7.0, &open_high, "m");
  CU_ASSERT_PTR_NOT_NULL (strstr (j->str, "\"within\": true"));
}

/* ---- the whole file ------------------------------------------------------- */

/* INSERT every place of W into DB. */
static void
insert_places (MlDb *db, const MlWorld *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = ml_db_prepare (db, "INSERT INTO places (id, kind, lat, lon) VALUES (?, 'x', ?, ?)", &error);

  gboolean ok = s != NULL;

  for (guint32 i = 0; ok && i < w->n_places; i++)
    ok = ml_stmt_bind_int64 (s, 1, i, &error) && ml_stmt_bind_double (s, 2, w->places[i].lat, &error)
         && ml_stmt_bind_double (s, 3, w->places[i].lon, &error) && ml_stmt_run (s, &error);
  CU_ASSERT_TRUE_FATAL (ok);
}

/* INSERT every stay of W's run, as `metaleak sim` with stays = all would. */
static void
insert_stays (MlDb *db, const MlWorld *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = ml_db_prepare (db, "INSERT INTO stays VALUES (?, ?, ?, ?, ?)", &error);
  g_autoptr(MlMobility) m = ml_mobility_new (w);
  g_autoptr(GArray) day = g_array_new (FALSE, FALSE, sizeof (MlStay));

  gboolean ok = s != NULL;

  for (int d = 0; ok && d < w->sc->days; d++)
    for (guint32 p = 0; ok && p < w->n_people; p++)
      {
        g_array_set_size (day, 0);
        ml_mobility_day (m, w, p, w->sc->start + d, day);
        for (guint i = 0; ok && i < day->len; i++)
          {
            const MlStay *t = &g_array_index (day, MlStay, i);
            ok = ml_stmt_bind_int64 (s, 1, p, &error) && ml_stmt_bind_int64 (s, 2, t->start, &error)
                 && ml_stmt_bind_int64 (s, 3, t->end, &error)
                 && (t->place == ML_NONE ? ml_stmt_bind_null (s, 4, &error)
                                         : ml_stmt_bind_int64 (s, 4, t->place, &error))
                 && ml_stmt_bind_int64 (s, 5, t->city, &error) && ml_stmt_run (s, &error);
          }
      }
  CU_ASSERT_TRUE_FATAL (ok);
}

/* DIR/truth.db with W's places and stays, and DIR/provider.db with three
 * lookups; no messages and no service contacts. */
static void
run_fixture (const char *dir, const MlWorld *w)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *truth = g_build_filename (dir, "truth.db", NULL);
  g_autofree char *provider = g_build_filename (dir, "provider.db", NULL);
  g_autoptr(MlDb) db = ml_db_create (truth, TRUE, &error);
  g_autoptr(MlDb) p = ml_db_create (provider, TRUE, &error);

  CU_ASSERT_TRUE_FATAL (db != NULL && p != NULL && ml_schema_truth_create (db, &error));
  CU_ASSERT_TRUE_FATAL (ml_db_begin (db, &error));
  insert_places (db, w);
  insert_stays (db, w);
  exec_ok (db, "INSERT INTO lookup_causes VALUES (NULL, 'compose', 2), (NULL, 'typed', 1);\n");
  CU_ASSERT_TRUE_FATAL (ml_db_commit (db, &error));
  CU_ASSERT_TRUE_FATAL (ml_schema_truth_index (db, &error) && ml_db_finish (db, &error));
  CU_ASSERT_TRUE_FATAL (ml_schema_provider_create (p, &error));
  exec_ok (p, "INSERT INTO lookup_log VALUES (1, 1, 2, 3, 1), (2, 1, 2, 3, 1), (3, 2, 1, 3, 0);\n");
  CU_ASSERT_TRUE_FATAL (ml_schema_provider_index (p, &error) && ml_db_finish (p, &error));
}

/* JSON with the power-law p-value and verdict lines cut out, in place:
 * igraph's bootstrap draws from plfit's own generator, whose state carries
 * over from one call to the next within a process (and differs with the
 * OpenMP thread count), so only those two lines may change. */
static char *
without_plfit_p (char *json)
{
  static const char *const keys[] = { "    \"degree_powerlaw_p\"", "    \"degree_powerlaw_rejected\"" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      char *line = strstr (json, keys[i]), *end = line ? strchr (line, '\n') : NULL;
      if (end != NULL)
        memmove (line, end + 1, strlen (end + 1) + 1);
    }
  return json;
}

/* The text of JSON from KEY up to the end of its "value" (a new string). */
static char *
value_of (const char *json, const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\": {\"value\": ", key);
  const char *p = strstr (json, quoted);

  return p ? g_strndup (p, strcspn (p, ",")) : g_strdup ("(missing)");
}

/* calibration.json of a 400-person, 7-day run of STAYS mode on the
 * fixture in DIR (built on the first call). */
static char *
calibrate (const char *dir, const char *stays)
{
  g_autofree char *mode = g_strdup_printf ("run.stays=%s", stays);
  const char *const overrides[] = { "run.people=400", "run.days=7", "run.threads=1", mode, NULL };
  g_autofree char *path = g_build_filename (dir, "calibration.json", NULL);
  g_autofree char *truth = g_build_filename (dir, "truth.db", NULL);
  g_autoptr(MlScenario) sc = NULL;
  g_autoptr(MlWorld) w = NULL;
  g_autoptr(GError) error = NULL;
  char *json = NULL;

  sc = ml_scenario_load (NULL, overrides, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  w = ml_world_new (sc, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (w);
  if (!g_file_test (truth, G_FILE_TEST_EXISTS))
    run_fixture (dir, w);
  CU_ASSERT_TRUE_FATAL (ml_calibration_write (w, dir, &error));
  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  return json;
}

static const char *
run_dir (void)
{
  static char *dir;
  g_autofree char *datadir = NULL;
  g_autofree char *lit = NULL;

  if (dir != NULL)
    return dir;
  dir = ml_test_path ("run");
  datadir = ml_test_path ("data");
  lit = g_build_filename (datadir, "literature.csv", NULL);
  g_assert_true (g_mkdir_with_parents (datadir, 0755) == 0 && g_mkdir_with_parents (dir, 0755) == 0);
  g_assert_true (g_file_set_contents (lit, "metric,value,low,high,unit,source\n"
                                      "epr_growth_mu,0.6,0.45,0.75,,Song 2010\n"
                                      "share_health,0.57,0.45,0.69,share,MetaPhone\n", -1, NULL));
  g_setenv ("METALEAK_DATADIR", datadir, TRUE);
  return dir;
}

static const char *const mobility_keys[] = {
  "epr_growth_mu", "rg_median_km", "rg_median_km_no_trip", "rg_median_km_time_weighted", "trip_people_share",
};

static void
test_calibration_json_of_a_small_run_is_complete_and_deterministic (void)
{
  g_autofree char *first = calibrate (run_dir (), "all");
  g_autofree char *second = calibrate (run_dir (), "all");
  g_autofree char *mu = value_of (first, "epr_growth_mu");

  CU_ASSERT_STRING_EQUAL (without_plfit_p (first), without_plfit_p (second));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"samples\": {\"burstiness_people\": "));
  CU_ASSERT_PTR_NULL (strstr (first, "\"burstiness_people\": 0,"));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"mobility_people\": 400, \"reciprocity_people\": 300}"));
  CU_ASSERT_PTR_NULL (strstr (mu, "null"));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"target\": 0.6, \"low\": 0.45, \"high\": 0.75, \"within\": "));
  /* No messages and no service contacts in the fixture. */
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"message_reciprocity\": {\"value\": null, "));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"share_health\": {\"value\": 0, \"target\": 0.57, \"low\": 0.45, "
                                         "\"high\": 0.69, \"within\": false, \"source\": \"MetaPhone\""));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"share_legal\": {\"value\": 0, \"target\": 0.1, \"low\": 0.055, "
                                         "\"high\": 0.145, \"within\": false"));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"lookups_per_person_day\": {\"value\": 0.00107143,"));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"typed\": 0.000357143"));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"degree_histogram\": ["));
  CU_ASSERT_TRUE (g_str_has_suffix (first, "}\n  }\n}\n"));
  /* The radius of gyration at the messages, beside the time-weighted one,
   * the one of those who never travelled and the share who did. */
  for (gsize i = 0; i < G_N_ELEMENTS (mobility_keys); i++)
    {
      g_autofree char *v = value_of (first, mobility_keys[i]);
      CU_ASSERT_PTR_NULL (strstr (v, "null"));
    }
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"trip_people_share\": {\"value\": "));
  CU_ASSERT_PTR_NOT_NULL (strstr (first, "\"source\": \"the trip model: 1 - (1 + trips_per_year x T / k)^-k"));
}

/* The numbers of the JSON array KEY in JSON, NULL when it is missing. */
static GArray *
array_of (const char *json, const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\": [", key);
  const char *p = strstr (json, quoted);
  GArray *x;

  if (p == NULL)
    return NULL;
  x = g_array_new (FALSE, FALSE, sizeof (double));
  for (p += strlen (quoted); *p != ']';)
    {
      char *end;
      double v = g_ascii_strtod (p, &end);
      if (end == p)
        break;
      g_array_append_val (x, v);
      p = end + strspn (end, ", ");
    }
  return x;
}

/* rg_histogram_gonzalez tabulates the published fit P(rg) ~ (rg + 5.8)^-1.65
 * e^(-rg/350) in the bins of the simulated histogram, for as many people:
 * its mass below 1, 10 and 100 km (the ends of bins 4, 8 and 12) is
 * 0.11304, 0.54591 and 0.93422 (Simpson's rule, 20,000 panels). */
static void
test_histogram_holds_the_published_rg_fit_for_comparison (void)
{
  g_autofree char *json = calibrate (run_dir (), "all");
  g_autoptr(GArray) edges = array_of (json, "rg_histogram_edges_km");
  g_autoptr(GArray) model = array_of (json, "rg_histogram_counts");
  g_autoptr(GArray) fit = array_of (json, "rg_histogram_gonzalez");
  static const int last[] = { 4, 8, 12 };
  static const double edge[] = { 1.0, 10.0, 100.0 }, share[] = { 0.11304, 0.54591, 0.93422 };
  double n = 0.0, total = 0.0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (edges);
  CU_ASSERT_PTR_NOT_NULL_FATAL (model);
  CU_ASSERT_PTR_NOT_NULL_FATAL (fit);
  CU_ASSERT_EQUAL_FATAL (fit->len, model->len);
  CU_ASSERT_EQUAL_FATAL (edges->len, model->len + 1);
  for (guint i = 0; i < model->len; i++)
    {
      n += g_array_index (model, double, i);
      total += g_array_index (fit, double, i);
    }
  CU_ASSERT (n > 0.0);
  ML_ASSERT_CLOSE (total, n, 1e-3);
  for (gsize k = 0; k < G_N_ELEMENTS (last); k++)
    {
      double below = 0.0;
      for (int i = 0; i <= last[k]; i++)
        below += g_array_index (fit, double, i);
      ML_ASSERT_CLOSE (g_array_index (edges, double, last[k] + 1), edge[k], 1e-4);
      ML_ASSERT_CLOSE (below / n, share[k], 2e-4);
    }
}

static void
test_stays_away_runs_regenerate_the_stays_truth_would_hold (void)
{
  g_autofree char *all = calibrate (run_dir (), "all");
  g_autofree char *away = calibrate (run_dir (), "away");

  for (gsize i = 0; i < G_N_ELEMENTS (mobility_keys); i++)
    {
      g_autofree char *a = value_of (all, mobility_keys[i]);
      g_autofree char *b = value_of (away, mobility_keys[i]);
      CU_ASSERT_STRING_EQUAL (a, b);
      CU_ASSERT_PTR_NULL (strstr (a, "null"));
    }
  CU_ASSERT_PTR_NOT_NULL (strstr (away, "\"stays\": \"away\""));
  CU_ASSERT_PTR_NOT_NULL (strstr (away, "stays regenerated with the mobility model"));
}

static CU_TestInfo estimator_tests[] = {
  { "a periodic sequence has burstiness -1", test_periodic_sequence_has_burstiness_minus_one },
  { "a Poisson process has burstiness near 0", test_poisson_process_has_burstiness_near_zero },
  { "bursts separated by long silences are bursty", test_bursts_separated_by_long_silences_are_bursty },
  { "burstiness of fewer than three events is undefined",
    test_burstiness_of_fewer_than_three_events_is_undefined },
  { "two equal stays 10 km apart have gyration 5 km",
    test_two_equal_stays_ten_km_apart_have_gyration_five_km },
  { "gyration weights stays by time and ignores moves",
    test_gyration_weights_stays_by_time_and_ignores_moves },
  { "the growth fit of square-root data gives 0.5", test_growth_fit_of_square_root_data_gives_one_half },
  { "the growth fit skips empty days and needs two points",
    test_growth_fit_skips_empty_days_and_needs_two_points },
  { "distinct places accumulate day by day", test_distinct_places_accumulate_day_by_day },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo truth_tests[] = {
  { "category shares count each person once per sensitive category",
    test_category_shares_count_each_person_once_per_sensitive_category },
  { "message reciprocity is the share of pairs messaged both ways",
    test_message_reciprocity_is_the_share_of_pairs_messaged_both_ways },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo json_tests[] = {
  { "literature rows give targets, tolerances and sources",
    test_literature_rows_give_targets_tolerances_and_sources },
  { "literature with a bad number fails naming the line",
    test_literature_with_a_bad_number_fails_naming_the_line },
  { "the shipped literature has a tolerance for every checked metric",
    test_shipped_literature_has_a_tolerance_for_every_checked_metric },
  { "a value outside the tolerance is not within", test_value_outside_the_tolerance_is_not_within },
  { "a metric without target or value writes nulls", test_metric_without_target_or_value_writes_nulls },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo file_tests[] = {
  { "calibration.json of a small run is complete and deterministic",
    test_calibration_json_of_a_small_run_is_complete_and_deterministic },
  { "stays=away runs regenerate the stays truth would hold",
    test_stays_away_runs_regenerate_the_stays_truth_would_hold },
  { "the histogram holds the published rg fit for comparison",
    test_histogram_holds_the_published_rg_fit_for_comparison },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "estimators", .pTests = estimator_tests },
  { .pName = "truth.db fixtures", .pTests = truth_tests },
  { .pName = "literature and JSON", .pTests = json_tests },
  { .pName = "calibration.json", .pTests = file_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
