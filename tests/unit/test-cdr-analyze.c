/* test-cdr-analyze.c -- unit tests for analyze/cdr-analyze: CDRs as a provider log.
 *
 * A hand-built pair of users with a known answer.  alice is called and
 * texted at home (antenna H) at night, works at W on weekdays, spends three
 * nights at X with more records but in fewer 30-minute bins than at home
 * (and before it: X would win a tie), makes a trip
 * to F (Toulouse), and calls bob every weekday at 10:00; bob's file holds the
 * other side of their calls.  The tests convert the cdr.db, check the rows
 * (mirrored records counted once, incoming records placing their owner),
 * then run the real evidence extraction and inferences with the shipped
 * cdr case: home H (only with bandicoot's night, where 07:00:00 is night
 * and 18:59:59 is not), work W, top contact bob, rhythm peak Wednesday
 * 10:00, one trip.
 */

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "analyze/casefile.h"
#include "analyze/cdr-analyze.h"
#include "analyze/cdr.h"
#include "analyze/evidence.h"
#include "analyze/infer.h"
#include "analyze/pseudonym.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/progress.h"
#include "common/schema.h"
#include "tests/unit/runner.h"

#define H_LAT 48.85
#define H_LON 2.35
#define W_LAT 48.89
#define W_LON 2.30

static const char antennas_csv[] =
  "antenna_id,latitude,longitude\n"
  "H,48.8500,2.3500\n"          /* alice's home */
  "W,48.8900,2.3000\n"          /* alice's work, 5.7 km away */
  "X,48.8000,2.4500\n"          /* three nights with more records than home */
  "F,43.6000,1.4400\n"          /* Toulouse: a trip */
  "B,48.8600,2.3600\n";         /* bob's antenna, 1.33 km from H */
/* antenna N is used but not listed: no position */

/* 2026-01-05 is a Monday. */
static const char alice_csv[] =
  "interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n"
  /* X first: more night records than H, in fewer 30-minute bins */
  "text,in,dave,2026-01-05 22:00:00,,X\n"
  "text,in,dave,2026-01-05 22:10:00,,X\n"
  "text,in,dave,2026-01-06 22:00:00,,X\n"
  "text,in,dave,2026-01-06 22:10:00,,X\n"
  "text,in,dave,2026-01-07 22:00:00,,X\n"
  "text,in,dave,2026-01-07 22:10:00,,X\n"
  /* home: texts received at night, on the nights of the 12th to 15th */
  "text,in,carol,2026-01-12 23:00:00,,H\n"
  "text,in,carol,2026-01-13 23:00:00,,H\n"
  "text,in,carol,2026-01-14 23:00:00,,H\n"
  "text,in,carol,2026-01-16 07:00:00,,H\n"      /* night: bandicoot's night ends after 07:00:00 */
  "text,in,dave,2026-01-16 18:59:59,,X\n"       /* day: the night starts at 19:00:00 */
  "text,in,dave,2026-01-16 07:00:01,,X\n"       /* day */
  /* work: calls to bob every weekday at 10:00, texts from dave at 14:00 */
  "call,out,bob,2026-01-05 10:00:00,60,W\n"
  "call,out,bob,2026-01-06 10:00:00,60,W\n"
  "call,out,bob,2026-01-07 10:00:00,60,W\n"
  "call,out,bob,2026-01-08 10:00:00,60,W\n"
  "call,out,bob,2026-01-09 10:00:00,60,W\n"
  "call,out,bob,2026-01-12 10:00:00,60,W\n"
  "call,out,bob,2026-01-13 10:00:00,60,W\n"
  "call,out,bob,2026-01-14 10:00:00,60,W\n"
  "call,out,bob,2026-01-15 10:00:00,60,W\n"
  "call,out,bob,2026-01-16 10:00:00,60,W\n"
  "text,in,dave,2026-01-05 14:00:00,,W\n"
  "text,in,dave,2026-01-06 14:00:00,,W\n"
  "text,in,dave,2026-01-07 14:00:00,,W\n"
  "text,in,dave,2026-01-08 14:00:00,,W\n"
  "text,in,dave,2026-01-09 14:00:00,,W\n"
  "call,in,bob,2026-01-07 10:30:00,45,W\n"      /* Wednesday 10h: the rhythm's peak (3) */
  "call,in,bob,2026-01-06 18:00:00,30,W\n"
  "call,in,bob,2026-01-08 18:00:00,30,W\n"
  "call,in,bob,2026-01-13 18:00:00,30,W\n"
  "call,in,bob,2026-01-15 18:00:00,30,W\n"
  /* a trip, a record at an unknown antenna, a location-only record */
  "text,out,carol,2026-01-17 12:00:00,,F\n"
  "text,out,carol,2026-01-17 15:00:00,,F\n"
  "text,out,carol,2026-01-11 12:00:00,,N\n"
  ",,,2026-01-11 13:00:00,,H\n";

static const char bob_csv[] =
  "interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n"
  /* the other side of alice's calls: matched, so counted once */
  "call,in,alice,2026-01-05 10:00:00,60,B\n"
  "call,in,alice,2026-01-06 10:00:00,60,B\n"
  "call,in,alice,2026-01-07 10:00:00,60,B\n"
  "call,in,alice,2026-01-08 10:00:00,60,B\n"
  "call,in,alice,2026-01-09 10:00:20,60,B\n"    /* 20 s later: still the same call */
  "call,in,alice,2026-01-12 10:00:00,60,B\n"
  "call,in,alice,2026-01-13 10:00:00,60,B\n"
  "call,in,alice,2026-01-14 10:00:00,60,B\n"
  "call,in,alice,2026-01-15 10:00:00,60,B\n"
  "call,in,alice,2026-01-16 10:00:00,60,B\n"
  "call,out,alice,2026-01-07 10:30:00,45,B\n"
  "call,out,alice,2026-01-06 18:00:00,30,B\n"
  "call,out,alice,2026-01-08 18:00:00,30,B\n"
  "call,out,alice,2026-01-13 18:00:00,30,B\n"
  "call,out,alice,2026-01-15 18:00:00,30,B\n"
  /* a call alice's file does not hold: kept, without a position */
  "call,in,alice,2026-01-18 09:00:00,50,B\n";

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert (g_file_set_contents (path, text, -1, NULL));
}

/* Import alice and bob into a fresh cdr.db; caller frees the path. */
static char *
make_cdr_db (const char *name)
{
  g_autofree char *dir = ml_test_path (name);
  g_autofree char *records = g_build_filename (dir, "records", NULL);
  g_autofree char *antennas = g_build_filename (dir, "antennas.csv", NULL);
  char *db = g_build_filename (dir, "cdr.db", NULL);
  g_autoptr(GError) error = NULL;

  g_assert (g_mkdir_with_parents (records, 0777) == 0);
  write_file (records, "alice.csv", alice_csv);
  write_file (records, "bob.csv", bob_csv);
  write_file (dir, "antennas.csv", antennas_csv);
  if (!ml_cdr_import (records, antennas, db, FALSE, FALSE, TRUE, 1, &error))
    g_error ("%s", error->message);
  return db;
}

/* A run converted from alice and bob, made once; borrowed path. */
static const char *
run_dir (MlCdrConvertStats *stats_out)
{
  static char *dir;
  static MlCdrConvertStats stats;

  if (dir == NULL)
    {
      g_autofree char *db = make_cdr_db ("ab");
      g_autoptr(GError) error = NULL;
      dir = ml_test_path ("ab-run");
      if (!ml_cdr_analyze_import (db, dir, &stats, &error))
        g_error ("%s", error->message);
    }
  if (stats_out != NULL)
    *stats_out = stats;
  return dir;
}

static MlDb *
open_provider (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "provider.db", NULL);
  g_autoptr(GError) error = NULL;
  MlDb *db = ml_db_open (path, ML_DB_READONLY, &error);

  g_assert_no_error (error);
  return db;
}

/* Rows of the lookups view from handle SOURCE to handle LOOKUP. */
static gint64
pair_rows (MlDb *db, const char *source, const char *lookup)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT count(*) FROM lookups WHERE source_handle = ?1"
                                       " AND lookup_handle = ?2", NULL);

  g_assert (s != NULL && ml_stmt_bind_text (s, 1, source, -1, NULL) && ml_stmt_bind_text (s, 2, lookup, -1, NULL));
  g_assert (ml_stmt_step (s, NULL) == ML_STEP_ROW);
  return ml_stmt_int64 (s, 0);
}

/* ---- the conversion ---- */

static void
test_every_record_gives_one_own_row_and_mirrors_count_once (void)
{
  MlCdrConvertStats st;
  g_autoptr(MlDb) db = open_provider (run_dir (&st));

  CU_ASSERT_EQUAL (st.users, 2);
  CU_ASSERT_EQUAL (st.records, 36 + 16);
  CU_ASSERT_EQUAL (st.mirrored, 10 + 5);        /* bob's 10 incoming, alice's 5 incoming from bob */
  CU_ASSERT_EQUAL (st.registrations, 22 + 1 + 11);
  CU_ASSERT_EQUAL (st.rows, 52 + 17 + 1);       /* + communications of unmatched incoming records */
  CU_ASSERT_EQUAL (st.unlocated, 1);
  CU_ASSERT_EQUAL (st.handles, 4);
  CU_ASSERT_EQUAL (st.antennas, 6);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookup_log", NULL), 70);
  /* 10 calls from alice's file and one only bob's file holds */
  CU_ASSERT_EQUAL (pair_rows (db, "alice", "bob"), 11);
  CU_ASSERT_EQUAL (pair_rows (db, "bob", "alice"), 5);
  CU_ASSERT_EQUAL (pair_rows (db, "alice", "alice"), 23);
  CU_ASSERT_EQUAL (pair_rows (db, "dave", "alice"), 13);
  /* the communications of carol and dave have no position; alice's own rows do */
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookups WHERE lookup_handle = 'alice' AND source_handle = ?1"
                              " AND client_ip <> '0.0.0.0'", "dave"), 0);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookups WHERE source_handle = ?1 AND client_ip = '0.0.0.0'", "alice"), 1);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookups WHERE source_handle = 'alice' AND client_ip = ("
                              "SELECT ip FROM ips WHERE id = (SELECT ip FROM cdr_antennas WHERE antenna = ?1))", "H"), 5);
  /* lookup_devices carries the interaction: 1 call, 2 text, 0 location-only */
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookup_log WHERE lookup_devices = 0", NULL), 1);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookup_log WHERE lookup_devices = 1", NULL), 2 * 10 + 2 * 5 + 2);
}

static void
test_the_run_is_stamped_and_lists_users_and_antennas (void)
{
  g_autoptr(MlDb) db = open_provider (run_dir (NULL));
  g_autofree char *kind = ml_db_get_meta (db, "source_kind", NULL);
  g_autofree char *start = ml_db_get_meta (db, "log_start", NULL);

  CU_ASSERT_TRUE (ml_db_check_schema (db, ML_SCHEMA_PROVIDER, ML_SCHEMA_PROVIDER_VERSION, NULL));
  CU_ASSERT_TRUE (ml_cdr_analyze_is_cdr_run (db));
  CU_ASSERT_STRING_EQUAL (kind, "cdr");
  CU_ASSERT_STRING_EQUAL (start, "2026-01-05T10:00:00Z");
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT records FROM cdr_users u JOIN handles h ON h.id = u.handle WHERE h.handle = ?1",
                          "alice"), 36);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM cdr_users", NULL), 2);
  /* N is not in the antennas file: an address without a position */
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM cdr_antennas WHERE latitude IS NULL AND antenna = ?1", "N"), 1);
  /* H's nearest other antenna is B, 1.33 km away: a 2 km cell */
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT radius_km FROM cdr_antennas WHERE antenna = ?1", "H"), 2);
}

static void
test_geo_mmdb_places_each_antenna_as_class_antenna (void)
{
  g_autofree char *mmdb = g_build_filename (run_dir (NULL), "geo.mmdb", NULL);
  g_autoptr(MlDb) db = open_provider (run_dir (NULL));
  g_autoptr(GError) error = NULL;
  g_autoptr(MlGeoIp) geo = ml_geoip_open (mmdb, &error);
  gint64 w = ml_test_query (db, "SELECT ip FROM cdr_antennas WHERE antenna = ?1", "W");
  gint64 n = ml_test_query (db, "SELECT ip FROM cdr_antennas WHERE antenna = ?1", "N");
  MlGeoHit hit;

  CU_ASSERT_PTR_NOT_NULL_FATAL (geo);
  CU_ASSERT_TRUE_FATAL (ml_geoip_lookup_u32 (geo, (guint32) w, &hit, &error));
  CU_ASSERT_TRUE (hit.found);
  ML_ASSERT_CLOSE (hit.latitude, W_LAT, 1e-9);
  ML_ASSERT_CLOSE (hit.longitude, W_LON, 1e-9);
  CU_ASSERT_STRING_EQUAL (hit.city, "antenna W");
  CU_ASSERT_EQUAL (ml_evidence_ip_class (hit.connection_type), ML_IP_ANTENNA);
  CU_ASSERT_TRUE_FATAL (ml_geoip_lookup_u32 (geo, (guint32) n, &hit, &error));
  CU_ASSERT_FALSE (hit.found);
  CU_ASSERT_TRUE_FATAL (ml_geoip_lookup (geo, "0.0.0.0", &hit, &error));
  CU_ASSERT_FALSE (hit.found);
}

static void
test_cell_radius_is_the_distance_to_the_nearest_other_antenna (void)
{
  /* A; B 0.9 km east; C 9.1 km east of B; D a sector of A (same mast) */
  const double ll[] = { 0, 0, 0, 0.0081, 0, 0.09, 0, 0 };
  const double lone[] = { 45, 7 };
  double r[4], r1;

  ml_cdr_cell_radii (ll, 4, r);
  ML_ASSERT_CLOSE (r[0], 1, 0);
  ML_ASSERT_CLOSE (r[1], 1, 0);
  ML_ASSERT_CLOSE (r[2], 10, 0);
  ML_ASSERT_CLOSE (r[3], 1, 0);
  ml_cdr_cell_radii (lone, 1, &r1);
  ML_ASSERT_CLOSE (r1, ML_CDR_CELL_RADIUS_MAX_KM, 0);
}

/* ---- bad input ---- */

static void
test_a_provider_db_is_not_a_cdr_db (void)
{
  g_autofree char *provider = g_build_filename (run_dir (NULL), "provider.db", NULL);
  g_autofree char *out = ml_test_path ("not-cdr");
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (ml_cdr_analyze_is_cdr_db (provider));
  CU_ASSERT_FALSE (ml_cdr_analyze_import (provider, out, NULL, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "expected 'cdr'") : NULL);
  CU_ASSERT_FALSE (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_a_cdr_db_without_records_is_refused (void)
{
  g_autofree char *dir = ml_test_path ("empty");
  g_autofree char *db = g_build_filename (dir, "cdr.db", NULL);
  g_autofree char *out = ml_test_path ("empty-run");
  g_autofree char *provider = g_build_filename (out, "provider.db", NULL);
  g_autoptr(GError) error = NULL;

  g_assert (g_mkdir_with_parents (dir, 0777) == 0);
  write_file (dir, "u.csv", "interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n");
  g_assert (ml_cdr_import (dir, NULL, db, FALSE, FALSE, TRUE, 1, NULL));
  CU_ASSERT_TRUE (ml_cdr_analyze_is_cdr_db (db));
  CU_ASSERT_FALSE (ml_cdr_analyze_import (db, out, NULL, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "no records to analyse") : NULL);
  CU_ASSERT_FALSE (g_file_test (provider, G_FILE_TEST_EXISTS));
}

static void
test_an_existing_run_is_not_replaced (void)
{
  g_autofree char *db = make_cdr_db ("again");
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (ml_cdr_analyze_import (db, run_dir (NULL), NULL, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
}

/* ---- the case ---- */

static char *
shipped_cdr_case (void)
{
  const char *top = g_getenv ("top_srcdir");

  return g_build_filename (top != NULL ? top : ".", "datasets", "cases", "cdr.ini", NULL);
}

/* The shipped cdr case with TARGETS (an override), prepared for the run. */
static MlCase *
cdr_case (const char *targets, MlDb *db, GError **error)
{
  g_autofree char *path = shipped_cdr_case ();
  g_autofree char *set = g_strconcat ("case.targets=", targets, NULL);
  const char *overrides[] = { set, NULL };
  g_autoptr(MlCase) c = ml_case_load (path, overrides, error);

  if (c == NULL || !ml_cdr_analyze_prepare_case (c, run_dir (NULL), db, error))
    return NULL;
  return g_steal_pointer (&c);
}

static void
test_random_targets_are_drawn_among_users_only (void)
{
  g_autoptr(MlDb) db = open_provider (run_dir (NULL));
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) c = cdr_case ("random:3", db, &error);
  g_autoptr(MlCase) named = NULL;

  /* bob has 16 records, carol and dave are correspondents: only alice */
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_EQUAL (g_strv_length (c->targets), 1);
  CU_ASSERT_STRING_EQUAL (c->targets[0], "alice");
  named = cdr_case ("alice;random:1", db, &error);
  CU_ASSERT_PTR_NULL (named);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "no more CDR user has at least 20 records") : NULL);
}

static void
test_a_pseudonym_names_its_user (void)
{
  g_autofree char *key_path = g_build_filename (run_dir (NULL), "pseudonym.key", NULL);
  g_autoptr(MlDb) db = open_provider (run_dir (NULL));
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) c = NULL;
  guint8 key[32];
  char bob[ML_PSEUDONYM_SIZE], items[64];

  CU_ASSERT_TRUE_FATAL (ml_pseudonym_key_load (key_path, key, &error));
  ml_pseudonym (key, "bob", bob);
  g_snprintf (items, sizeof items, "%s,carol", bob);
  c = cdr_case (items, db, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_STRING_EQUAL (c->targets[0], "bob");
  CU_ASSERT_STRING_EQUAL (c->targets[1], "carol");
  CU_ASSERT_EQUAL (c->night_start_h, 19);
  CU_ASSERT_EQUAL (c->night_end_h, 7);
}

/* ---- the inferences on the converted log ---- */

typedef struct {
  MlDb *db;
  MlCase *c;
  MlEvidence *ev;
  gint64 alice, bob;
} Fixture;

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->ev, ml_evidence_free);
  g_clear_pointer (&f->c, ml_case_free);
  g_clear_pointer (&f->db, ml_db_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)

/* The evidence of the shipped cdr case on alice (named). */
static gboolean
fixture_init (Fixture *f)
{
  g_autofree char *mmdb = g_build_filename (run_dir (NULL), "geo.mmdb", NULL);
  g_autoptr(GArray) named = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  MlEvidenceSources src = { mmdb, NULL };

  f->db = open_provider (run_dir (NULL));
  if ((f->c = cdr_case ("alice", f->db, &error)) == NULL
      || !ml_case_resolve_targets (f->c, run_dir (NULL), f->db, named, &error)
      || (f->ev = ml_evidence_extract (f->c, f->db, named, &src, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  f->alice = g_array_index (named, gint64, 0);
  f->bob = ml_test_query (f->db, "SELECT id FROM handles WHERE handle = ?1", "bob");
  return TRUE;
}

static void
test_home_is_the_night_antenna_with_bandicoots_night (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(MlLocation) loc = NULL;

  CU_ASSERT_TRUE_FATAL (fixture_init (&f));
  CU_ASSERT_EQUAL (f.ev->n_windows, 4);
  loc = ml_infer_location (f.ev, f.alice, 1);
  /* H: 4 night bins (07:00:00 is the 4th), X: 6 records in 3 bins
   * (18:59:59 and 07:00:01 are day); X, voted for first, would win a tie
   * or a count of records */
  CU_ASSERT_TRUE_FATAL (loc->home.found);
  ML_ASSERT_CLOSE (loc->home.lat, H_LAT, 1e-9);
  ML_ASSERT_CLOSE (loc->home.lon, H_LON, 1e-9);
  CU_ASSERT_EQUAL (loc->home.support, 4);
  CU_ASSERT_EQUAL (loc->home.cls, ML_IP_ANTENNA);
  ML_ASSERT_CLOSE (loc->home.radius_km, 2, 0);
  ML_ASSERT_CLOSE (loc->home.confidence, 4.0 / 10.0, 1e-12);
}

static void
test_work_is_the_weekday_daytime_antenna (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(MlLocation) loc = NULL;

  CU_ASSERT_TRUE_FATAL (fixture_init (&f));
  loc = ml_infer_location (f.ev, f.alice, 1);
  CU_ASSERT_TRUE_FATAL (loc->work.found);
  ML_ASSERT_CLOSE (loc->work.lat, W_LAT, 1e-9);
  ML_ASSERT_CLOSE (loc->work.lon, W_LON, 1e-9);
  CU_ASSERT_EQUAL (loc->work.support, 10 + 5 + 1);
  /* every record of alice is on her timeline, once; one trip to Toulouse */
  CU_ASSERT_EQUAL (loc->timeline->len, 36 + 1);
  CU_ASSERT_EQUAL (loc->class_counts[ML_IP_ANTENNA], 35);
  CU_ASSERT_EQUAL (loc->class_counts[ML_IP_UNKNOWN], 2);
  CU_ASSERT_EQUAL_FATAL (loc->trips->len, 1);
  CU_ASSERT_TRUE (g_array_index (loc->trips, MlTrip, 0).km_from_home > 500);
  CU_ASSERT_STRING_EQUAL (g_array_index (loc->trips, MlTrip, 0).city, "antenna F");
}

static void
test_bob_is_the_top_contact_counted_once_per_call (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GArray) contacts = NULL;

  CU_ASSERT_TRUE_FATAL (fixture_init (&f));
  contacts = ml_infer_contacts (f.ev, f.alice, 1);
  CU_ASSERT_EQUAL_FATAL (contacts->len, 3);     /* bob, carol, dave: never alice herself */
  const MlContact *top = &g_array_index (contacts, MlContact, 0);
  CU_ASSERT_EQUAL (top->handle, f.bob);
  CU_ASSERT_EQUAL (top->rank, 1);
  CU_ASSERT_EQUAL (top->n_out, 11);
  CU_ASSERT_EQUAL (top->n_in, 5);
  for (guint i = 1; i < contacts->len; i++)
    CU_ASSERT_TRUE (g_array_index (contacts, MlContact, i).score < top->score);
}

static void
test_the_rhythm_peaks_on_wednesday_at_ten (void)
{
  g_auto(Fixture) f = { 0 };
  MlRhythm r;
  int best_d = -1, best_h = -1;
  guint32 best = 0, ties = 0;

  CU_ASSERT_TRUE_FATAL (fixture_init (&f));
  ml_infer_rhythm (f.ev, f.alice, 1, &r);
  CU_ASSERT_EQUAL (r.total, 37);
  for (int d = 0; d < 7; d++)
    for (int h = 0; h < 24; h++)
      if (r.counts[d][h] > best)
        best = r.counts[d][h], best_d = d, best_h = h, ties = 1;
      else if (r.counts[d][h] == best)
        ties++;
  CU_ASSERT_EQUAL (best_d, 2);                  /* Wednesday (0 = Monday) */
  CU_ASSERT_EQUAL (best_h, 10);
  CU_ASSERT_EQUAL (best, 3);
  CU_ASSERT_EQUAL (ties, 1);
}

static void
test_a_pen_register_alone_sees_no_caller (void)
{
  g_autofree char *mmdb = g_build_filename (run_dir (NULL), "geo.mmdb", NULL);
  g_autofree char *path = shipped_cdr_case ();
  const char *overrides[] = { "case.targets=alice", "order.kind=pen-register", NULL };
  g_autoptr(MlDb) db = open_provider (run_dir (NULL));
  g_autoptr(MlCase) c = ml_case_load (path, overrides, NULL);
  g_autoptr(GArray) named = g_array_new (FALSE, FALSE, sizeof (gint64));
  MlEvidenceSources src = { mmdb, NULL };
  g_autoptr(MlEvidence) ev = NULL;
  g_autoptr(GArray) contacts = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_TRUE_FATAL (ml_cdr_analyze_prepare_case (c, run_dir (NULL), db, NULL)
                        && ml_case_resolve_targets (c, run_dir (NULL), db, named, NULL));
  ev = ml_evidence_extract (c, db, named, &src, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  contacts = ml_infer_contacts (ev, g_array_index (named, gint64, 0), 1);
  /* alice's own records only: bob and carol she called, not dave who texted her */
  CU_ASSERT_EQUAL (ev->rows->len, 37);
  CU_ASSERT_EQUAL (contacts->len, 2);
  for (guint i = 0; i < contacts->len; i++)
    CU_ASSERT_EQUAL (g_array_index (contacts, MlContact, i).n_in, 0);
}

/* Home among antennas is bandicoot's: the most 30-minute night bins, not
 * the most nights or records.  Evidence built by hand for handle 1. */
static void
test_antenna_home_is_the_most_voted_night_bin (void)
{
  MlCase c = { .night_start_h = 19, .night_end_h = 7, .work_start_h = 9, .work_end_h = 17, .trip_km = 100 };
  g_autoptr(MlEvidence) ev = ml_evidence_new (&c, NULL);
  const double lat[3] = { 0, 48.0, 48.1 };      /* antennas Y (ip 1), Z (ip 2) */
  MlTime day = ML_SECONDS_PER_DAY, jan5 = 20458 * day;   /* 2026-01-05 */
  g_autoptr(MlLocation) loc = NULL;

  for (gint64 ip = 1; ip <= 2; ip++)
    {
      MlIpInfo *info = g_new0 (MlIpInfo, 1);
      *info = (MlIpInfo) { .id = ip, .cls = ML_IP_ANTENNA, .lat = lat[ip], .lon = 2.0, .radius_km = 1 };
      g_hash_table_insert (ev->ipinfo, ML_ID_KEY (ip), info);
    }
  /* Y: 2 nights, 3 bins each (20:00, 20:30, 21:00) */
  for (int d = 0; d < 2; d++)
    for (int k = 0; k < 3; k++)
      g_array_append_val (ev->rows, ((MlEvRow) { .ts = jan5 + d * day + 20 * 3600 + k * 1800, .source = 1,
                                                 .lookup = 1, .ip = 1, .hop = 1, .via = ML_VIA_PEN }));
  /* Z: 4 nights, 3 records in one bin each: more nights, more records */
  for (int d = 2; d < 6; d++)
    for (int k = 0; k < 3; k++)
      g_array_append_val (ev->rows, ((MlEvRow) { .ts = jan5 + d * day + 23 * 3600 + k * 60, .source = 1,
                                                 .lookup = 1, .ip = 2, .hop = 1, .via = ML_VIA_PEN }));
  ml_evidence_index (ev);
  loc = ml_infer_location (ev, 1, 1);
  CU_ASSERT_TRUE_FATAL (loc->home.found);
  ML_ASSERT_CLOSE (loc->home.lat, 48.0, 1e-12);
  CU_ASSERT_EQUAL (loc->home.support, 6);
}

static CU_TestInfo convert_tests[] = {
  { "every record gives one own row and mirrors count once", test_every_record_gives_one_own_row_and_mirrors_count_once },
  { "the run is stamped and lists users and antennas", test_the_run_is_stamped_and_lists_users_and_antennas },
  { "geo.mmdb places each antenna as class antenna", test_geo_mmdb_places_each_antenna_as_class_antenna },
  { "the cell radius is the distance to the nearest other antenna", test_cell_radius_is_the_distance_to_the_nearest_other_antenna },
  { "a provider.db is not a cdr.db", test_a_provider_db_is_not_a_cdr_db },
  { "a cdr.db without records is refused", test_a_cdr_db_without_records_is_refused },
  { "an existing run is not replaced", test_an_existing_run_is_not_replaced },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo case_tests[] = {
  { "random targets are drawn among users only", test_random_targets_are_drawn_among_users_only },
  { "a pseudonym names its user", test_a_pseudonym_names_its_user },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo infer_tests[] = {
  { "home is the night antenna, with bandicoot's night", test_home_is_the_night_antenna_with_bandicoots_night },
  { "an antenna home is the most voted night bin", test_antenna_home_is_the_most_voted_night_bin },
  { "work is the weekday daytime antenna", test_work_is_the_weekday_daytime_antenna },
  { "bob is the top contact, counted once per call", test_bob_is_the_top_contact_counted_once_per_call },
  { "the rhythm peaks on Wednesday at ten", test_the_rhythm_peaks_on_wednesday_at_ten },
  { "a pen register alone sees no caller", test_a_pen_register_alone_sees_no_caller },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "conversion", .pTests = convert_tests },
  { .pName = "case", .pTests = case_tests },
  { .pName = "inferences", .pTests = infer_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  ml_progress_set_quiet (TRUE);
  return ml_test_main (argc, argv, suites);
}
