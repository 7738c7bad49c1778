/* test-popmode.c -- unit tests for analyze/popmode: population mode.
 *
 * Fixture: twenty people (handle ids 1000 .. 1019).  People 0-9 each have
 * a home broadband IP and a corporate IP of their own; people 10-19 come
 * in pairs (10, 11), (12, 13), ... sharing both IPs and the same lookup
 * times.  Everyone looks up at 23:00 on twelve nights and at noon on five
 * weekdays, and twice from one cellular address (a crowded place: its
 * points are bitmaps) at hours of their own (a pair shares them), so
 * exactly half the people are unique by any k points.  Homes
 * and work places all lie in one 50 km grid cell and at least 1.1 km
 * apart: the (home, work) pair makes the first ten unique at 0.5 km and
 * nobody at 50 km.  Person i looks up person i + 1 (mod 20) at night; 1
 * looks up 0 at work (one mutual pair); everyone else looks up a stranger
 * at work; 19 looks up 5 and 0 looks up 1 again in the second window from
 * an IP without a GeoIP record, and 3 looks up 7 after the last window.
 * A twenty-first source (LONER) has nine located lookups, too few to be
 * considered: four nights and five weekday mornings, all at home, so it
 * has a home and no work place.
 */
#include <math.h>
#include <string.h>

#include "analyze/casefile.h"
#include "analyze/evaluate.h"
#include "analyze/popmode.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/schema.h"
#include "tests/unit/runner.h"

#define D0 20003                  /* a Monday */
#define PEOPLE 20
#define STRANGER 5555
#define NO_GEO_IP 0xC0000201u     /* 192.0.2.1: in no GeoIP record */
#define CELL_IP 0x64400001u       /* 100.64.0.1: a CGNAT address */
#define LONER 1020
#define LONER_IP 0x0A630001u      /* 10.99.0.1 */

static char *run_dir;

static guint32
home_ip (int i)
{
  return i < 10 ? 0x0A000001u + ((guint32) i << 8) : 0x0A010001u + ((guint32) ((i - 10) / 2) << 8);
}

static guint32
work_ip (int i)
{
  return i < 10 ? 0xAC100001u + ((guint32) i << 8) : 0xAC110001u + ((guint32) ((i - 10) / 2) << 8);
}

static void
home_pos (int i, double *lat, double *lon)
{
  *lat = i < 10 ? 45.05 + i * 0.01 : 45.20 + (i - 10) / 2 * 0.01;
  *lon = i < 10 ? 6.70 : 6.80;
}

static void
work_pos (int i, double *lat, double *lon)
{
  *lat = i < 10 ? 45.30 : 45.35;
  *lon = i < 10 ? 6.60 + i * 0.01 : 6.85;
}

static void
add_record (MlMmdbWriter *w, guint32 ip, double lat, double lon, const char *type)
{
  g_autoptr(GError) error = NULL;
  MlGeoRecord rec = { .city = "Testville", .latitude = lat, .longitude = lon, .accuracy_radius = 5,
                      .connection_type = type };

  g_assert_true (ml_mmdb_writer_insert (w, ip, 32, &rec, &error));
}

static void
make_mmdb (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlMmdbWriter) w = ml_mmdb_writer_new ("metaleak-City", NULL, 1);

  for (int i = 0; i < PEOPLE; i++)
    {
      double lat, lon;
      home_pos (i, &lat, &lon);
      add_record (w, home_ip (i), lat, lon, "Cable/DSL");
      work_pos (i, &lat, &lon);
      add_record (w, work_ip (i), lat, lon, "Corporate");
    }
  add_record (w, LONER_IP, 44.0, 6.0, "Cable/DSL");
  add_record (w, CELL_IP, 45.6, 6.9, "Cellular");
  g_assert_true (ml_mmdb_writer_write (w, path, &error));
}

static void
add_row (MlStmt *s, MlTime ts, gint64 source, gint64 lookup, guint32 ip)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ml_stmt_bind_int64 (s, 1, ts, &error) && ml_stmt_bind_int64 (s, 2, source, &error)
                 && ml_stmt_bind_int64 (s, 3, lookup, &error) && ml_stmt_bind_int64 (s, 4, ip, &error)
                 && ml_stmt_bind_int64 (s, 5, 1, &error) && ml_stmt_run (s, &error));
}

static void
add_person_rows (MlStmt *s, int i)
{
  gint64 me = 1000 + i;

  for (int d = 0; d < 12; d++)
    add_row (s, ml_day_start (D0 + d) + 23 * 3600, me, 1000 + (i + 1) % PEOPLE, home_ip (i));
  for (int d = 0; d < 5; d++)
    add_row (s, ml_day_start (D0 + d) + 12 * 3600, me, i == 1 ? 1000 : STRANGER, work_ip (i));
  for (int d = 5; d < 7; d++)                               /* the weekend, at the person's or pair's hour */
    add_row (s, ml_day_start (D0 + d) + (i < 10 ? i : 10 + (i - 10) / 2) * 3600, me, STRANGER, CELL_IP);
}

static void
add_ip (MlStmt *s, guint32 a)
{
  g_autoptr(GError) error = NULL;
  char buf[16];

  g_assert_true (ml_stmt_bind_int64 (s, 1, a, &error) && ml_stmt_bind_text (s, 2, ml_ipv4_to_string (a, buf), -1, &error)
                 && ml_stmt_run (s, &error));
}

static void
add_dictionary (MlDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) h = ml_db_prepare (db, ML_SQL_INSERT_HANDLE, &error);
  g_autoptr(MlStmt) ip = ml_db_prepare (db, ML_SQL_INSERT_IP, &error);

  for (int i = 0; i <= PEOPLE + 1; i++)
    {
      gint64 id = i < PEOPLE ? 1000 + i : i == PEOPLE ? LONER : STRANGER;
      g_autofree char *text = g_strdup_printf ("+999%08" G_GINT64_FORMAT, id);
      g_assert_true (ml_stmt_bind_int64 (h, 1, id, &error) && ml_stmt_bind_text (h, 2, text, -1, &error)
                     && ml_stmt_run (h, &error));
    }
  for (int i = 0; i < PEOPLE; i++)
    if (i < 10 || i % 2 == 0)                               /* a pair's second member shares */
      {
        add_ip (ip, home_ip (i));
        add_ip (ip, work_ip (i));
      }
  add_ip (ip, NO_GEO_IP);
  add_ip (ip, LONER_IP);
  add_ip (ip, CELL_IP);
}

static void
make_provider (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
  g_autoptr(MlStmt) s = NULL;

  g_assert_true (db != NULL && ml_schema_provider_create (db, &error) && ml_db_begin (db, &error));
  s = ml_db_prepare (db, ML_SQL_INSERT_LOOKUP, &error);
  for (int i = 0; i < PEOPLE; i++)
    add_person_rows (s, i);
  for (int d = 0; d < 4; d++)
    add_row (s, ml_day_start (D0 + d) + 23 * 3600, LONER, STRANGER, LONER_IP);
  for (int d = 0; d < 5; d++)
    add_row (s, ml_day_start (D0 + d) + 10 * 3600, LONER, STRANGER, LONER_IP);
  add_row (s, ml_day_start (D0 + 35) + 23 * 3600, 1019, 1005, NO_GEO_IP);   /* window 1 */
  add_row (s, ml_day_start (D0 + 40) + 23 * 3600, 1000, 1001, NO_GEO_IP);   /* again, window 1 */
  add_row (s, ml_day_start (D0 + 70) + 23 * 3600, 1003, 1007, home_ip (3));  /* after the windows */
  g_clear_pointer (&s, ml_stmt_free);
  add_dictionary (db);
  g_assert_true (ml_db_commit (db, &error) && ml_schema_provider_index (db, &error) && ml_db_finish (db, &error));
}

/* truth: the twenty people; ties 0-1, 1-2, 2-3 (lookup pairs) and 7-15 (not). */
static void
make_truth (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
  g_autoptr(MlStmt) p = NULL;

  g_assert_true (db != NULL && ml_schema_truth_create (db, &error));
  p = ml_db_prepare (db, "INSERT INTO people (id, handle, handle_id, household) VALUES (?, ?, ?, ?)", &error);
  for (int i = 0; i < PEOPLE; i++)
    {
      g_autofree char *text = g_strdup_printf ("p%d", i);
      g_assert_true (ml_stmt_bind_int64 (p, 1, i, &error) && ml_stmt_bind_text (p, 2, text, -1, &error)
                     && ml_stmt_bind_int64 (p, 3, 1000 + i, &error) && ml_stmt_bind_int64 (p, 4, i, &error)
                     && ml_stmt_run (p, &error));
    }
  g_clear_pointer (&p, ml_stmt_free);
  g_assert_true (ml_db_exec (db, "INSERT INTO ties (a, b) VALUES (0, 1), (1, 2), (2, 3), (7, 15);", &error));
  g_assert_true (ml_db_finish (db, &error));
}

static const char *
fixture_run (void)
{
  if (run_dir == NULL)
    {
      g_autofree char *mmdb = NULL, *provider = NULL, *truth = NULL;
      run_dir = ml_test_path ("run");
      g_mkdir_with_parents (run_dir, 0700);
      mmdb = g_build_filename (run_dir, "geo.mmdb", NULL);
      provider = g_build_filename (run_dir, "provider.db", NULL);
      truth = g_build_filename (run_dir, "truth.db", NULL);
      make_mmdb (mmdb);
      make_provider (provider);
      make_truth (truth);
    }
  return run_dir;
}

/* Two 30-day snapshot windows: [D0, D0+30) and [D0+30, D0+60). */
static MlCase
fixture_case (void)
{
  MlCase c = { .name = "pop", .kind = ML_ORDER_BOTH, .first_service = D0 + 30, .window_days = 30,
               .extensions = 1, .retention_days = 30, .mode = ML_MODE_SNAPSHOT, .hops = 1, .seed = 7,
               .night_start_h = 22, .night_end_h = 6, .work_start_h = 9, .work_end_h = 17, .trip_km = 50 };
  return c;
}

typedef struct {
  MlDb *provider, *analysis;
  MlPopResult r;
} Run;

/* Run population mode on the fixture; with an evaluator and inside an open
 * transaction when EVALUATE. */
static gboolean
run_pop (Run *run, const MlCase *c, gboolean with_geo, gboolean evaluate, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *provider = g_build_filename (fixture_run (), "provider.db", NULL);
  g_autofree char *mmdb = g_build_filename (fixture_run (), "geo.mmdb", NULL);
  g_autofree char *analysis = ml_test_path (name);
  g_autoptr(MlEvaluator) e = evaluate ? ml_evaluator_open (fixture_run (), NULL, &error) : NULL;
  gboolean ok;

  g_assert_no_error (error);
  run->provider = ml_db_open (provider, ML_DB_READONLY, &error);
  run->analysis = ml_db_create (analysis, FALSE, &error);
  g_assert_no_error (error);
  if (evaluate)
    g_assert_true (ml_db_begin (run->analysis, &error));   /* as the driver does */
  ok = ml_popmode_run (c, run->provider, with_geo ? mmdb : NULL, e, run->analysis, &run->r, &error);
  if (!ok)
    g_printerr ("popmode: %s\n", error->message);
  if (evaluate)
    g_assert_true (ml_db_in_transaction (run->analysis) && ml_db_commit (run->analysis, &error));
  return ok;
}

static void
run_clear (Run *run)
{
  ml_db_free (run->provider);
  ml_db_free (run->analysis);
}

static double
graph_value (MlDb *db, int n, const char *metric)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT value FROM population_graph WHERE n_windows = ? AND metric = ?",
                                       &error);
  double v = NAN;

  if (s != NULL && ml_stmt_bind_int64 (s, 1, n, &error) && ml_stmt_bind_text (s, 2, metric, -1, &error)
      && ml_stmt_step (s, &error) == ML_STEP_ROW)
    v = ml_stmt_double (s, 0);
  return v;
}

static void
test_half_the_people_are_unique_by_any_k_points (void)
{
  MlCase c = fixture_case ();
  Run run;

  CU_ASSERT_TRUE_FATAL (run_pop (&run, &c, TRUE, FALSE, "a1.db"));
  CU_ASSERT_EQUAL (run.r.people, PEOPLE);
  for (int k = 1; k <= ML_POP_K_MAX; k++)
    ML_ASSERT_CLOSE (run.r.uniqueness[k], 0.5, 1e-12);
  g_autoptr(GError) error = NULL;
  gint64 n = 0;
  CU_ASSERT_TRUE (ml_db_query_int64 (run.analysis, "SELECT count(*) FROM uniqueness WHERE people = 20"
                                     " AND abs(share_unique - 0.5) < 1e-12", &n, &error));
  CU_ASSERT_EQUAL (n, ML_POP_K_MAX);
  run_clear (&run);
}

static void
test_home_work_pairs_are_unique_at_fine_scale_only (void)
{
  MlCase c = fixture_case ();
  Run run;

  CU_ASSERT_TRUE_FATAL (run_pop (&run, &c, TRUE, FALSE, "a2.db"));
  ML_ASSERT_CLOSE (run.r.scales_km[0], 0.5, 0);
  ML_ASSERT_CLOSE (run.r.homework_unique[0], 0.5, 1e-12);     /* people 0-9 */
  ML_ASSERT_CLOSE (run.r.homework_unique[3], 0.0, 1e-12);     /* one 50 km cell */
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "people_with_home_and_work"), 20.0, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "sources_with_home"), 21.0, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "sources_with_work"), 20.0, 0);   /* home is never work */
  run_clear (&run);
}

static void
test_graph_counts_edges_among_sources_by_window (void)
{
  MlCase c = fixture_case ();
  Run run;

  CU_ASSERT_TRUE_FATAL (run_pop (&run, &c, TRUE, FALSE, "a3.db"));
  /* window 0: i -> i+1 (20) and 1 -> 0; window 1: 19 -> 5; 3 -> 7 is after
   * the windows and lookups of the stranger are not among sources */
  ML_ASSERT_CLOSE (graph_value (run.analysis, 1, "edges"), 21.0, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "edges"), 22.0, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "mutual_pairs"), 1.0, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 1, "reciprocity"), 2.0 / 21, 1e-12);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 1, "rows"), PEOPLE * 19.0 + 9, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "rows"), PEOPLE * 19.0 + 11, 0);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "sources"), 21.0, 0);
  CU_ASSERT_EQUAL (run.r.edges, 22);
  run_clear (&run);
}

static void
test_graph_is_scored_against_truth_ties (void)
{
  MlCase c = fixture_case ();
  Run run;

  CU_ASSERT_TRUE_FATAL (run_pop (&run, &c, TRUE, TRUE, "a4.db"));
  /* pairs 0-1 .. 19-0 (20) in window 0, 19-5 in window 1; true: 0-1, 1-2, 2-3 of 4 ties */
  ML_ASSERT_CLOSE (graph_value (run.analysis, 1, "precision"), 3.0 / 20, 1e-12);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "precision"), 3.0 / 21, 1e-12);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "recall"), 0.75, 1e-12);
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "mutual_recall"), 0.25, 1e-12);   /* 0-1 only */
  ML_ASSERT_CLOSE (graph_value (run.analysis, 2, "true_ties"), 4.0, 0);
  run_clear (&run);
}

static void
test_case_without_orders_takes_the_whole_log (void)
{
  MlCase c = fixture_case ();
  Run run;

  c.first_service = ML_CASE_SERVICE_AUTO;
  CU_ASSERT_TRUE_FATAL (run_pop (&run, &c, TRUE, FALSE, "a5.db"));
  ML_ASSERT_CLOSE (graph_value (run.analysis, 1, "edges"), 23.0, 0);   /* 3 -> 7 now counts */
  ML_ASSERT_CLOSE (graph_value (run.analysis, 1, "rows"), PEOPLE * 19.0 + 12, 0);
  CU_ASSERT_TRUE (isnan (graph_value (run.analysis, 2, "edges")));
  run_clear (&run);
}

static void
test_without_geoip_there_are_no_places_but_a_graph (void)
{
  MlCase c = fixture_case ();
  Run run;
  gint64 n = -1;
  g_autoptr(GError) error = NULL;

  CU_ASSERT_TRUE_FATAL (run_pop (&run, &c, FALSE, FALSE, "a6.db"));
  CU_ASSERT_TRUE (isnan (run.r.uniqueness[1]));
  CU_ASSERT_TRUE (isnan (run.r.homework_unique[0]));
  CU_ASSERT_EQUAL (run.r.people, 0);
  CU_ASSERT_EQUAL (run.r.edges, 22);
  CU_ASSERT_TRUE (ml_db_query_int64 (run.analysis, "SELECT count(*) FROM uniqueness WHERE share_unique IS NULL",
                                     &n, &error));
  CU_ASSERT_EQUAL (n, ML_POP_K_MAX);
  run_clear (&run);
}

static void
test_results_are_reproducible (void)
{
  MlCase c = fixture_case ();
  Run a, b;

  CU_ASSERT_TRUE_FATAL (run_pop (&a, &c, TRUE, FALSE, "b1.db"));
  CU_ASSERT_TRUE_FATAL (run_pop (&b, &c, TRUE, FALSE, "b2.db"));
  CU_ASSERT_EQUAL (memcmp (&a.r, &b.r, sizeof a.r), 0);
  run_clear (&a);
  run_clear (&b);
}

/* ---- crowded points ----
 *
 * Twenty-one people with exactly two points each, from ten lookups.
 * Group A (handles 3000 + i, i < 11): two cellular points, X at hour i / 2
 * on D0 and Y at hour ((i + 1) % 10) / 2 on D0 + 1, so every point is
 * shared by two people and X and Y together single out one, except that
 * A10 repeats A0.  Group B (3100 + i, i < 10): a cellular point X' as X
 * (on D0 + 2, another egress) and a home point Z at 23:00 on D0 + 3 on the
 * broadband address of group ((i + 1) % 10) / 2.  Nobody is unique with
 * one point; with two, A1..A9 and B0..B9 are: 19 of 21. */

#define CELL_A 0x64400001u
#define CELL_B 0x64500001u

static void
crowd_rows (MlStmt *s)
{
  for (int i = 0; i < 11; i++)
    for (int r = 0; r < 5; r++)
      {
        int x = (i % 10) / 2, y = ((i % 10 + 1) % 10) / 2;
        add_row (s, ml_day_start (D0) + x * 3600 + r * 60, 3000 + i, STRANGER, CELL_A);
        add_row (s, ml_day_start (D0 + 1) + y * 3600 + r * 60, 3000 + i, STRANGER, CELL_A);
      }
  for (int i = 0; i < 10; i++)
    for (int r = 0; r < 5; r++)
      {
        add_row (s, ml_day_start (D0 + 2) + (i / 2) * 3600 + r * 60, 3100 + i, STRANGER, CELL_B);
        add_row (s, ml_day_start (D0 + 3) + 23 * 3600 + r * 60, 3100 + i, STRANGER,
                 0x0A200001u + ((guint32) (((i + 1) % 10) / 2) << 8));
      }
}

static void
crowd_dictionary (MlDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) h = ml_db_prepare (db, ML_SQL_INSERT_HANDLE, &error);
  g_autoptr(MlStmt) ip = ml_db_prepare (db, ML_SQL_INSERT_IP, &error);
  gint64 ids[22];

  for (int i = 0; i < 11; i++)
    ids[i] = 3000 + i;
  for (int i = 0; i < 10; i++)
    ids[11 + i] = 3100 + i;
  ids[21] = STRANGER;
  for (int i = 0; i < 22; i++)
    {
      g_autofree char *text = g_strdup_printf ("+999%08" G_GINT64_FORMAT, ids[i]);
      g_assert_true (ml_stmt_bind_int64 (h, 1, ids[i], &error) && ml_stmt_bind_text (h, 2, text, -1, &error)
                     && ml_stmt_run (h, &error));
    }
  add_ip (ip, CELL_A);
  add_ip (ip, CELL_B);
  for (guint32 g = 0; g < 5; g++)
    add_ip (ip, 0x0A200001u + (g << 8));
}

static char *
crowd_run (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = ml_test_path ("crowd");
  g_autofree char *mmdb = g_build_filename (dir, "geo.mmdb", NULL);
  g_autofree char *provider = g_build_filename (dir, "provider.db", NULL);
  g_autoptr(MlMmdbWriter) w = ml_mmdb_writer_new ("metaleak-City", NULL, 1);
  g_autoptr(MlDb) db = NULL;
  g_autoptr(MlStmt) s = NULL;

  g_mkdir_with_parents (dir, 0700);
  add_record (w, CELL_A, 45.6, 6.9, "Cellular");
  add_record (w, CELL_B, 46.6, 6.9, "Cellular");
  for (guint32 g = 0; g < 5; g++)
    add_record (w, 0x0A200001u + (g << 8), 45.0 + g * 0.01, 7.0, "Cable/DSL");
  g_assert_true (ml_mmdb_writer_write (w, mmdb, &error));
  db = ml_db_create (provider, FALSE, &error);
  g_assert_true (db != NULL && ml_schema_provider_create (db, &error) && ml_db_begin (db, &error));
  s = ml_db_prepare (db, ML_SQL_INSERT_LOOKUP, &error);
  crowd_rows (s);
  g_clear_pointer (&s, ml_stmt_free);
  crowd_dictionary (db);
  g_assert_true (ml_db_commit (db, &error) && ml_schema_provider_index (db, &error) && ml_db_finish (db, &error));
  return dir;
}

static void
test_crowded_points_intersect_as_bitmaps_and_lists (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = crowd_run ();
  g_autofree char *provider = g_build_filename (dir, "provider.db", NULL);
  g_autofree char *mmdb = g_build_filename (dir, "geo.mmdb", NULL);
  g_autofree char *analysis = g_build_filename (dir, "analysis.db", NULL);
  g_autoptr(MlDb) p = ml_db_open (provider, ML_DB_READONLY, &error);
  g_autoptr(MlDb) a = ml_db_create (analysis, FALSE, &error);
  MlCase c = fixture_case ();
  MlPopResult r;

  CU_ASSERT_TRUE_FATAL (ml_popmode_run (&c, p, mmdb, NULL, a, &r, &error));
  CU_ASSERT_EQUAL (r.people, 21);
  ML_ASSERT_CLOSE (r.uniqueness[1], 0.0, 1e-12);
  ML_ASSERT_CLOSE (r.uniqueness[2], 19.0 / 21, 1e-12);
  CU_ASSERT_TRUE (isnan (r.uniqueness[3]));          /* nobody has three points */
}

static CU_TestInfo pop_tests[] = {
  { "half the people are unique by any k points", test_half_the_people_are_unique_by_any_k_points },
  { "home/work pairs are unique at fine scale only", test_home_work_pairs_are_unique_at_fine_scale_only },
  { "graph counts edges among sources by window", test_graph_counts_edges_among_sources_by_window },
  { "graph is scored against truth ties", test_graph_is_scored_against_truth_ties },
  { "case without orders takes the whole log", test_case_without_orders_takes_the_whole_log },
  { "without GeoIP there are no places but a graph", test_without_geoip_there_are_no_places_but_a_graph },
  { "results are reproducible", test_results_are_reproducible },
  { "crowded points intersect as bitmaps and lists", test_crowded_points_intersect_as_bitmaps_and_lists },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "population mode", .pTests = pop_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  int status = ml_test_main (argc, argv, suites);

  g_free (run_dir);
  return status;
}
