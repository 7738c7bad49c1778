/* test-evidence.c -- unit tests for analyze/evidence and analyze/evindex:
 * extraction against an independent SQL query, de-duplication, hops, the IP
 * pivot, GeoIP classes and the public directory.
 *
 * The fixture is a hand-built provider.db of a few hundred lookups: rows on
 * every window edge (one second before, at, one second after) and random
 * rows around them (fixed seed), among a target T, its contacts, a public
 * service S, a household member M behind T's home broadband, and strangers
 * behind a cellular IP.  The expected evidence is computed by SQL over the
 * `lookups` view with the window arithmetic written out in the test
 * (docs/analyze/legal.md), and compared as sorted text rows.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/casefile.h"
#include "analyze/evidence.h"
#include "analyze/infer.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/progress.h"
#include "common/rng.h"
#include "common/schema.h"
#include "tests/unit/runner.h"

#define DAY ML_SECONDS_PER_DAY

enum { T = 1000, C1, C2, C3, C4, S, M, O, X, Y, Z, N_HANDLES_END };

/* IPv4 ids are the address (host order) as in simulated runs. */
#define IP_HOME   ((gint64) 0x0A010005)   /* 10.1.0.5     Cable/DSL */
#define IP_HOME2  ((gint64) 0x0A01004D)   /* 10.1.0.77    Cable/DSL, T's from window 2 */
#define IP_CELL   ((gint64) 0x64400007)   /* 100.64.0.7   Cellular */
#define IP_OFFICE ((gint64) 0xAC100009)   /* 172.16.0.9   Corporate */
#define IP_NONE   ((gint64) 0xC0000201)   /* 192.0.2.1    not in geo.mmdb */

static MlDay F;                  /* first service: 2026-03-01 */
static char *db_path, *mmdb_path, *dir_path;
static MlDb *db;

typedef struct { gint64 s, d, ip; } Combo;

/* Random traffic: who looks up whom from where. */
static const Combo combos[] = {
  { T, C1, IP_HOME }, { T, C2, IP_CELL }, { T, S, IP_CELL }, { C1, T, IP_CELL },
  { C3, T, IP_HOME }, { M, O, IP_HOME }, { O, M, IP_OFFICE }, { X, Y, IP_CELL },
  { C1, Z, IP_CELL }, { C2, Z, IP_CELL }, { T, C3, IP_OFFICE }, { Y, X, IP_NONE },
  { T, T, IP_HOME }, { C2, C1, IP_OFFICE },
};

/* ---- fixture ---- */

static char *
handle_text (gint64 id)
{
  return g_strdup_printf ("+999000000%05" G_GINT64_FORMAT, id);
}

static char *
ip_text_of (gint64 ip)
{
  char buf[16];

  return g_strdup (ml_ipv4_to_string ((guint32) ip, buf));
}

static gboolean
insert_row (MlStmt *s, MlTime ts, gint64 src, gint64 dst, gint64 ip, int dev, GError **error)
{
  return ml_stmt_bind_int64 (s, 1, ts, error) && ml_stmt_bind_int64 (s, 2, src, error)
         && ml_stmt_bind_int64 (s, 3, dst, error) && ml_stmt_bind_int64 (s, 4, ip, error)
         && ml_stmt_bind_int64 (s, 5, dev, error) && ml_stmt_run (s, error);
}

static gboolean
insert_dictionaries (MlDb *d, GError **error)
{
  static const gint64 ips[] = { IP_HOME, IP_HOME2, IP_CELL, IP_OFFICE, IP_NONE };
  g_autoptr(MlStmt) h = ml_db_prepare (d, ML_SQL_INSERT_HANDLE, error);
  g_autoptr(MlStmt) i = h != NULL ? ml_db_prepare (d, ML_SQL_INSERT_IP, error) : NULL;

  if (i == NULL)
    return FALSE;
  for (gint64 id = T; id < N_HANDLES_END; id++)
    {
      g_autofree char *text = handle_text (id);
      if (!ml_stmt_bind_int64 (h, 1, id, error) || !ml_stmt_bind_text (h, 2, text, -1, error) || !ml_stmt_run (h, error))
        return FALSE;
    }
  for (gsize k = 0; k < G_N_ELEMENTS (ips); k++)
    {
      g_autofree char *text = ip_text_of (ips[k]);
      if (!ml_stmt_bind_int64 (i, 1, ips[k], error) || !ml_stmt_bind_text (i, 2, text, -1, error) || !ml_stmt_run (i, error))
        return FALSE;
    }
  return TRUE;
}

/* Rows on every window edge of both tested cases, +-1 s. */
static gboolean
insert_edges (MlStmt *s, GError **error)
{
  static const int days[] = { -10, -8, 0, 2, 10, 12, 20, 13, 23, 26 };

  for (gsize i = 0; i < G_N_ELEMENTS (days); i++)
    for (int delta = -1; delta <= 1; delta++)
      {
        MlTime t = ml_day_start (F + days[i]) + delta;
        if (!insert_row (s, t, T, C1, IP_HOME, 1, error) || !insert_row (s, t, C2, T, IP_CELL, 2, error)
            || !insert_row (s, t, M, O, IP_HOME, 1, error) || !insert_row (s, t, X, Y, IP_CELL, 0, error)
            || !insert_row (s, t, C1, Z, IP_CELL, 1, error) || !insert_row (s, t, T, T, IP_HOME, 3, error))
          return FALSE;
      }
  return TRUE;
}

/* Rows placing discoveries in known windows (snapshot case: windows
 * [F-8, F), [F+2, F+10), [F+12, F+20)). */
static gboolean
insert_discoveries (MlStmt *s, GError **error)
{
  MlTime w0 = ml_day_start (F - 5), w1 = ml_day_start (F + 5), w2 = ml_day_start (F + 15);

  return insert_row (s, w0, T, C1, IP_HOME, 1, error) && insert_row (s, w0, T, C1, IP_HOME, 1, error)
         && insert_row (s, w0 + 60, T, C2, IP_CELL, 1, error) && insert_row (s, w0 + 120, T, S, IP_CELL, 1, error)
         && insert_row (s, w0 + 180, C3, T, IP_HOME, 1, error) && insert_row (s, w0 + 240, T, C3, IP_OFFICE, 1, error)
         && insert_row (s, w1, T, C4, IP_CELL, 1, error)           /* C4 first seen in window 1 */
         && insert_row (s, w0 + 300, C4, Z, IP_CELL, 1, error)     /* before C4's orders */
         && insert_row (s, w2 + 300, C4, Z, IP_CELL, 1, error)
         && insert_row (s, w1 + 600, M, O, IP_HOME2, 1, error)     /* before T used HOME2 */
         && insert_row (s, w2, T, C1, IP_HOME2, 1, error)          /* T on HOME2 from window 2 */
         && insert_row (s, w2 + 600, M, O, IP_HOME2, 1, error)
         && insert_row (s, w2 + 900, S, Z, IP_OFFICE, 1, error);   /* the service's own row */
}

static gboolean
insert_random (MlStmt *s, GError **error)
{
  MlRng rng;

  ml_rng_init (&rng, 42, 7, 0, 0);
  for (int i = 0; i < 240; i++)
    {
      const Combo *c = &combos[ml_rng_below (&rng, G_N_ELEMENTS (combos))];
      MlTime t = ml_day_start (F - 12) + (MlTime) ml_rng_below (&rng, 34 * DAY);
      if (!insert_row (s, t, c->s, c->d, c->ip, (int) ml_rng_below (&rng, 4), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
build_provider (GError **error)
{
  g_autoptr(MlDb) d = ml_db_create (db_path, FALSE, error);
  g_autoptr(MlStmt) s = NULL;

  if (d == NULL || !ml_schema_provider_create (d, error) || !insert_dictionaries (d, error)
      || (s = ml_db_prepare (d, ML_SQL_INSERT_LOOKUP, error)) == NULL
      || !insert_edges (s, error) || !insert_discoveries (s, error) || !insert_random (s, error))
    return FALSE;
  g_clear_pointer (&s, ml_stmt_free);
  return ml_schema_provider_index (d, error) && ml_db_finish (d, error);
}

static gboolean
build_mmdb (GError **error)
{
  g_autoptr(MlMmdbWriter) w = ml_mmdb_writer_new ("metaleak-City", NULL, 1700000000);
  MlGeoRecord home = { .city = "Springfield", .latitude = 40.1, .longitude = -89.2, .accuracy_radius = 5,
                       .connection_type = "Cable/DSL" };
  MlGeoRecord cell = { .city = "Capital", .latitude = 41.0, .longitude = -88.0, .accuracy_radius = 200,
                       .connection_type = "Cellular" };
  MlGeoRecord office = { .city = "Springfield", .latitude = 40.2, .longitude = -89.1, .accuracy_radius = 2,
                         .connection_type = "Corporate" };

  return ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &home, error)
         && ml_mmdb_writer_insert_cidr (w, "100.64.0.0/10", &cell, error)
         && ml_mmdb_writer_insert_cidr (w, "172.16.0.0/12", &office, error)
         && ml_mmdb_writer_write (w, mmdb_path, error);
}

static gboolean
build_directory (GError **error)
{
  g_autofree char *s = handle_text (S);
  g_autofree char *text = g_strdup_printf ("handle,name,category,sensitive\n"
                                           "%s,\"Clinic, Inc.\",health,1\n"
                                           "+99999999999999,Nowhere,business,0\n", s);

  return g_file_set_contents (dir_path, text, -1, error);
}

static int
init_fixture (void)
{
  g_autoptr(GError) error = NULL;

  F = ml_day_from_ymd (2026, 3, 1);
  db_path = ml_test_path ("provider.db");
  mmdb_path = ml_test_path ("geo.mmdb");
  dir_path = ml_test_path ("directory.csv");
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS)       /* built once, opened per suite */
      && (!build_provider (&error) || !build_mmdb (&error) || !build_directory (&error)))
    {
      fprintf (stderr, "fixture: %s\n", error->message);
      return 1;
    }
  if ((db = ml_db_open (db_path, ML_DB_READONLY, &error)) == NULL)
    {
      fprintf (stderr, "fixture: %s\n", error->message);
      return 1;
    }
  return 0;
}

static int
clean_fixture (void)
{
  g_clear_pointer (&db, ml_db_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&mmdb_path, g_free);
  g_clear_pointer (&dir_path, g_free);
  return 0;
}

/* ---- the case and the two sides of the comparison ---- */

static MlCase
make_case (MlOrderKind kind, MlCollectMode mode, int lag, int retention)
{
  MlCase c = { 0 };

  c.kind = kind;
  c.mode = mode;
  c.first_service = F;
  c.window_days = 10;
  c.extensions = 2;
  c.lag_days = lag;
  c.retention_days = retention;
  c.hops = 1;
  c.hop_limit = 200;
  return c;
}

/* The returned windows written out by hand (docs/analyze/legal.md):
 * snapshot  [F + k(W+L) - min(W,R), F + k(W+L));
 * prospective [F + k(W+L), F + k(W+L) + W). */
static void
windows_by_hand (const MlCase *c, MlTime b[6])
{
  for (int k = 0; k < 3; k++)
    {
      MlDay served = F + k * (c->window_days + c->lag_days);
      MlDay start = c->mode == ML_MODE_SNAPSHOT ? served - MIN (c->window_days, c->retention_days) : served;
      MlDay end = c->mode == ML_MODE_SNAPSHOT ? served : served + c->window_days;
      b[2 * k] = (MlTime) start * DAY;
      b[2 * k + 1] = (MlTime) end * DAY;
    }
}

#define WINDOWED \
  "WITH w AS (SELECT ts, source_handle AS s, lookup_handle AS d, client_ip AS ip, lookup_devices AS dev," \
  " CASE WHEN ts >= ?1 AND ts < ?2 THEN 0 WHEN ts >= ?3 AND ts < ?4 THEN 1" \
  " WHEN ts >= ?5 AND ts < ?6 THEN 2 END AS k FROM lookups)"
#define ROW_COLS "SELECT ts, s, d, ip, dev, k FROM w WHERE k IS NOT NULL AND "

static const char q_both[] = WINDOWED ROW_COLS "(s = ?7 OR d = ?7)";
static const char q_pen[] = WINDOWED ROW_COLS "s = ?7";
static const char q_hop2[] = WINDOWED
  ", c AS (SELECT CASE WHEN s = ?7 THEN d ELSE s END AS h, min(k) AS fk FROM w"
  " WHERE k IS NOT NULL AND (s = ?7 OR d = ?7) GROUP BY h)"
  ROW_COLS "(s = ?7 OR d = ?7 OR EXISTS (SELECT 1 FROM c WHERE c.h <> ?7 AND c.h <> ?8"
  " AND (c.h = w.s OR c.h = w.d) AND w.k >= c.fk))";
static const char q_pivot[] = WINDOWED ROW_COLS "(s = ?7 OR ip IN (?9, ?10) OR (ip = ?11 AND k >= 2))";
static const char q_pivot_all[] = WINDOWED ROW_COLS "(s = ?7 OR ip IN (?9, ?10, ?12) OR (ip = ?11 AND k >= 2))";

static char *
row_text (MlTime ts, const char *s, const char *d, const char *ip, gint64 dev, gint64 k)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "|%s|%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
                          ts, s, d, ip, dev, k);
}

static int
compare_strp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The rows SQL selects for case C, as sorted text. */
static GPtrArray *
sql_rows (const MlCase *c, const char *sql)
{
  g_autofree char *t = handle_text (T), *s = handle_text (S);
  g_autofree char *home = ip_text_of (IP_HOME), *office = ip_text_of (IP_OFFICE);
  g_autofree char *home2 = ip_text_of (IP_HOME2), *cell = ip_text_of (IP_CELL);
  const char *texts[] = { t, s, home, office, home2, cell };
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) q = ml_db_prepare (db, sql, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  MlTime b[6];

  g_assert_no_error (error);
  windows_by_hand (c, b);
  for (int i = 0; i < 6; i++)
    ml_stmt_bind_int64 (q, i + 1, b[i], NULL);
  /* ?7.. as far as the query goes: binding past its last parameter fails
   * harmlessly (SQLITE_RANGE), so the failures are ignored */
  for (int i = 0; i < 6; i++)
    (void) ml_stmt_bind_text (q, 7 + i, texts[i], -1, NULL);
  while (ml_stmt_step (q, &error) == ML_STEP_ROW)
    g_ptr_array_add (out, row_text (ml_stmt_int64 (q, 0), ml_stmt_text (q, 1), ml_stmt_text (q, 2),
                                    ml_stmt_text (q, 3), ml_stmt_int64 (q, 4), ml_stmt_int64 (q, 5)));
  g_assert_no_error (error);
  g_ptr_array_sort (out, compare_strp);
  return out;
}

/* The rows of EV as sorted text, in the layout of sql_rows(). */
static GPtrArray *
ev_rows (const MlEvidence *ev)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      g_autofree char *s = handle_text (r->source), *d = handle_text (r->lookup), *ip = ip_text_of (r->ip);
      g_ptr_array_add (out, row_text (r->ts, s, d, ip, r->devices, r->window));
    }
  g_ptr_array_sort (out, compare_strp);
  return out;
}

/* Assert that EXPECT and ACTUAL hold the same text rows. */
static void
assert_same_rows (GPtrArray *expect, GPtrArray *actual)
{
  guint n = MIN (expect->len, actual->len);

  CU_ASSERT_EQUAL (expect->len, actual->len);
  for (guint i = 0; i < n; i++)
    if (strcmp (g_ptr_array_index (expect, i), g_ptr_array_index (actual, i)) != 0)
      {
        fprintf (stderr, "\n  row %u: expected %s\n          actual   %s\n", i,
                 (char *) g_ptr_array_index (expect, i), (char *) g_ptr_array_index (actual, i));
        CU_FAIL ("evidence differs from the SQL query");
        return;
      }
}

static MlEvidence *
extract (MlCase *c, const MlEvidenceSources *src)
{
  g_autoptr(GArray) named = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  gint64 t = T;
  MlEvidence *ev;

  g_array_append_val (named, t);
  ev = ml_evidence_extract (c, db, named, src, &error);
  if (error != NULL)
    fprintf (stderr, "\n  extract: %s\n", error->message);
  return ev;
}

/* The first row of EV from SRC to DST at TS, or NULL. */
static const MlEvRow *
find_row (const MlEvidence *ev, MlTime ts, gint64 src, gint64 dst)
{
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      if (r->ts == ts && r->source == src && r->lookup == dst)
        return r;
    }
  return NULL;
}

/* ---- tests ---- */

static void
test_snapshot_evidence_equals_the_sql_query (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = extract (&c, NULL);
  g_autoptr(GPtrArray) expect = sql_rows (&c, q_both);
  g_autoptr(GPtrArray) actual = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  actual = ev_rows (ev);
  CU_ASSERT_TRUE (expect->len > 100);
  assert_same_rows (expect, actual);
  CU_ASSERT_EQUAL (ev->n_windows, 3);
}

static void
test_parallel_reading_gives_the_same_evidence (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = NULL;
  g_autoptr(GPtrArray) expect = sql_rows (&c, q_both);
  g_autoptr(GPtrArray) actual = NULL;

  ml_evidence_set_parallel_min (1, 1);
  ev = extract (&c, NULL);
  ml_evidence_set_parallel_min (1u << 18, 256);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  actual = ev_rows (ev);
  assert_same_rows (expect, actual);
}

/* Hop 2 served over one connection per processor: the same targets in the
 * same order, the same rows with the same tags, as on one connection. */
static void
test_parallel_serving_gives_the_same_hops (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  MlEvidenceSources src = { .directory_path = dir_path };
  g_autoptr(MlEvidence) one = NULL, many = NULL;
  g_autoptr(GPtrArray) expect = NULL, actual = NULL;

  c.hops = 2;
  one = extract (&c, &src);
  ml_evidence_set_parallel_min (1, 1);
  many = extract (&c, &src);
  ml_evidence_set_parallel_min (1u << 18, 256);
  CU_ASSERT_PTR_NOT_NULL_FATAL (one);
  CU_ASSERT_PTR_NOT_NULL_FATAL (many);
  expect = sql_rows (&c, q_hop2);
  actual = ev_rows (many);
  assert_same_rows (expect, actual);
  CU_ASSERT_TRUE (many->targets->len >= 4);
  CU_ASSERT_EQUAL_FATAL (one->targets->len, many->targets->len);
  for (guint i = 0; i < one->targets->len; i++)
    {
      const MlTarget *a = &g_array_index (one->targets, MlTarget, i), *b = &g_array_index (many->targets, MlTarget, i);
      CU_ASSERT (a->handle == b->handle && a->hop == b->hop && a->orders->len == b->orders->len);
    }
  CU_ASSERT_EQUAL_FATAL (one->rows->len, many->rows->len);
  for (guint i = 0; i < one->rows->len; i++)
    {
      const MlEvRow *a = &g_array_index (one->rows, MlEvRow, i), *b = &g_array_index (many->rows, MlEvRow, i);
      CU_ASSERT (a->ts == b->ts && a->source == b->source && a->lookup == b->lookup && a->ip == b->ip);
      CU_ASSERT (a->window == b->window && a->hop == b->hop && a->via == b->via);
    }
}

static void
test_prospective_evidence_with_lag_equals_the_sql_query (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_PROSPECTIVE, 3, 1);
  g_autoptr(MlEvidence) ev = extract (&c, NULL);
  g_autoptr(GPtrArray) expect = sql_rows (&c, q_both);
  g_autoptr(GPtrArray) actual = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  actual = ev_rows (ev);
  CU_ASSERT_TRUE (expect->len > 50);
  assert_same_rows (expect, actual);
}

static void
test_pen_register_returns_only_own_lookups (void)
{
  MlCase c = make_case (ML_ORDER_PEN_REGISTER, ML_MODE_SNAPSHOT, 0, 30);
  g_autoptr(MlEvidence) ev = extract (&c, NULL);
  g_autoptr(GPtrArray) expect = sql_rows (&c, q_pen);
  g_autoptr(GPtrArray) actual = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  actual = ev_rows (ev);
  assert_same_rows (expect, actual);
  for (guint i = 0; i < ev->rows->len; i++)
    CU_ASSERT_EQUAL (g_array_index (ev->rows, MlEvRow, i).via, ML_VIA_PEN);
}

static void
test_rows_are_sorted_and_tagged_with_every_path (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = extract (&c, NULL);
  MlTime edge = ml_day_start (F + 2);       /* first second of window 1 */
  const MlEvRow *self, *trap, *pen;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  for (guint i = 1; i < ev->rows->len; i++)
    {
      const MlEvRow *a = &g_array_index (ev->rows, MlEvRow, i - 1), *b = a + 1;
      CU_ASSERT_TRUE (a->ts < b->ts || (a->ts == b->ts && (a->source < b->source
                      || (a->source == b->source && (a->lookup < b->lookup
                      || (a->lookup == b->lookup && a->ip <= b->ip))))));
    }
  self = find_row (ev, edge, T, T);
  trap = find_row (ev, edge, C2, T);
  pen = find_row (ev, edge, T, C1);
  CU_ASSERT_PTR_NOT_NULL_FATAL (self);
  CU_ASSERT_PTR_NOT_NULL_FATAL (trap);
  CU_ASSERT_PTR_NOT_NULL_FATAL (pen);
  CU_ASSERT_EQUAL (self->via, ML_VIA_PEN | ML_VIA_TRAP);
  CU_ASSERT_EQUAL (trap->via, ML_VIA_TRAP);
  CU_ASSERT_EQUAL (pen->via, ML_VIA_PEN);
  CU_ASSERT_EQUAL (pen->window, 1);
  CU_ASSERT_EQUAL (pen->hop, 1);
  CU_ASSERT_PTR_NULL (find_row (ev, edge - 1, T, C1));   /* lost to retention: [F, F+2) */
}

static void
test_rows_between_two_targets_are_kept_once (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(GArray) named = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(MlEvidence) ev = NULL;
  gint64 both[] = { T, C2, T };
  MlTime edge = ml_day_start (F + 2);
  guint n = 0;

  g_array_append_vals (named, both, 3);
  ev = ml_evidence_extract (&c, db, named, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  CU_ASSERT_EQUAL (ev->targets->len, 2);           /* T named twice: served once */
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      if (r->ts == edge && r->source == C2 && r->lookup == T)
        {
          n++;
          CU_ASSERT_EQUAL (r->via, ML_VIA_PEN | ML_VIA_TRAP);   /* C2's pen, T's trap */
        }
    }
  CU_ASSERT_EQUAL (n, 1);
}

static void
test_identical_log_rows_stay_two_rows (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = extract (&c, NULL);
  MlTime w0 = ml_day_start (F - 5);
  guint n = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      n += r->ts == w0 && r->source == T && r->lookup == C1;
    }
  CU_ASSERT_EQUAL (n, 2);
}

static const MlTarget *
target_of (const MlEvidence *ev, gint64 handle)
{
  for (guint i = 0; i < ev->targets->len; i++)
    if (g_array_index (ev->targets, MlTarget, i).handle == handle)
      return &g_array_index (ev->targets, MlTarget, i);
  return NULL;
}

static void
test_hop_two_adds_the_contacts_rows_from_their_discovery_window (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  MlEvidenceSources src = { .directory_path = dir_path };
  g_autoptr(MlEvidence) ev = NULL;
  g_autoptr(GPtrArray) expect = NULL;
  g_autoptr(GPtrArray) actual = NULL;
  const MlEvRow *z;

  c.hops = 2;
  ev = extract (&c, &src);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  expect = sql_rows (&c, q_hop2);
  actual = ev_rows (ev);
  assert_same_rows (expect, actual);
  CU_ASSERT_EQUAL (g_array_index (ev->targets, MlTarget, 0).handle, T);
  CU_ASSERT_EQUAL (g_array_index (ev->targets, MlTarget, 0).hop, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL (target_of (ev, C1));
  CU_ASSERT_EQUAL (target_of (ev, C1)->hop, 2);
  CU_ASSERT_PTR_NULL (target_of (ev, S));                       /* a listed service */
  CU_ASSERT_PTR_NOT_NULL_FATAL (target_of (ev, C4));
  CU_ASSERT_EQUAL (target_of (ev, C4)->orders->len, 2);          /* from window 1 on */
  CU_ASSERT_EQUAL (g_array_index (target_of (ev, C4)->orders, MlOrder, 0).position, 1);
  CU_ASSERT_PTR_NULL (find_row (ev, ml_day_start (F - 5) + 300, C4, Z));
  CU_ASSERT_PTR_NOT_NULL (find_row (ev, ml_day_start (F + 15) + 300, C4, Z));
  z = find_row (ev, ml_day_start (F + 2), C1, Z);
  CU_ASSERT_PTR_NOT_NULL_FATAL (z);
  CU_ASSERT_EQUAL (z->hop, 2);
  CU_ASSERT_EQUAL (z->via, ML_VIA_PEN);
  CU_ASSERT_EQUAL (find_row (ev, ml_day_start (F + 2), T, C1)->hop, 1);
}

static void
test_hop_without_directory_serves_the_service_too (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = NULL;

  c.hops = 2;
  ev = extract (&c, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  CU_ASSERT_PTR_NOT_NULL (target_of (ev, S));
  CU_ASSERT_PTR_NOT_NULL (find_row (ev, ml_day_start (F + 15) + 900, S, Z));
}

static void
test_hop_limit_serves_the_most_frequent_contact_first (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autofree char *t = handle_text (T);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) q = ml_db_prepare (db, WINDOWED
                                       " SELECT CASE WHEN s = ?7 THEN d ELSE s END AS h, count(*) AS n FROM w"
                                       " WHERE k IS NOT NULL AND (s = ?7 OR d = ?7) AND h <> ?7"
                                       " GROUP BY h ORDER BY n DESC, h LIMIT 1", &error);
  g_autoptr(MlEvidence) ev = NULL;
  g_autofree char *top = NULL, *got = NULL;
  MlTime b[6];

  c.hops = 3;
  c.hop_limit = 1;
  windows_by_hand (&c, b);
  for (int i = 0; i < 6; i++)
    ml_stmt_bind_int64 (q, i + 1, b[i], NULL);
  ml_stmt_bind_text (q, 7, t, -1, NULL);
  CU_ASSERT_EQUAL_FATAL (ml_stmt_step (q, &error), ML_STEP_ROW);
  top = g_strdup (ml_stmt_text (q, 0));
  ev = extract (&c, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  CU_ASSERT_EQUAL_FATAL (ev->targets->len, 3);                   /* T, one at hop 2, one at hop 3 */
  got = handle_text (g_array_index (ev->targets, MlTarget, 1).handle);
  CU_ASSERT_STRING_EQUAL (got, top);
  CU_ASSERT_EQUAL (g_array_index (ev->targets, MlTarget, 2).hop, 3);
}

static void
test_ip_pivot_adds_rows_from_non_cellular_ips_only (void)
{
  MlCase c = make_case (ML_ORDER_PEN_REGISTER, ML_MODE_SNAPSHOT, 0, 8);
  MlEvidenceSources src = { .geoip_path = mmdb_path };
  g_autoptr(MlEvidence) ev = NULL;
  g_autoptr(GPtrArray) expect = NULL;
  g_autoptr(GPtrArray) actual = NULL;
  const MlEvRow *m;

  c.ip_pivot = TRUE;
  ev = extract (&c, &src);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  expect = sql_rows (&c, q_pivot);
  actual = ev_rows (ev);
  assert_same_rows (expect, actual);
  m = find_row (ev, ml_day_start (F + 2), M, O);
  CU_ASSERT_PTR_NOT_NULL_FATAL (m);
  CU_ASSERT_EQUAL (m->via, ML_VIA_PIVOT);
  CU_ASSERT_EQUAL (find_row (ev, ml_day_start (F + 2), T, C1)->via, ML_VIA_PEN | ML_VIA_PIVOT);
  CU_ASSERT_PTR_NULL (find_row (ev, ml_day_start (F + 2), X, Y));          /* cellular */
  CU_ASSERT_PTR_NULL (find_row (ev, ml_day_start (F + 5) + 600, M, O));    /* HOME2 before T used it */
  CU_ASSERT_PTR_NOT_NULL (find_row (ev, ml_day_start (F + 15) + 600, M, O));
}

static void
test_ip_pivot_without_geoip_takes_every_ip (void)
{
  MlCase c = make_case (ML_ORDER_PEN_REGISTER, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = NULL;
  g_autoptr(GPtrArray) expect = NULL;
  g_autoptr(GPtrArray) actual = NULL;

  c.ip_pivot = TRUE;
  ev = extract (&c, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  expect = sql_rows (&c, q_pivot_all);
  actual = ev_rows (ev);
  assert_same_rows (expect, actual);
  CU_ASSERT_PTR_NOT_NULL (find_row (ev, ml_day_start (F + 2), X, Y));
}

static void
test_ipinfo_classes_follow_connection_type (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  MlEvidenceSources src = { .geoip_path = mmdb_path };
  g_autoptr(MlEvidence) ev = extract (&c, &src);
  g_autoptr(MlEvidence) bare = ml_evidence_new (&c, db);
  g_autoptr(GError) error = NULL;
  MlEvRow r = { .ip = IP_NONE };
  const MlIpInfo *home, *cell, *office, *none;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  home = ml_evidence_ip (ev, IP_HOME);
  cell = ml_evidence_ip (ev, IP_CELL);
  office = ml_evidence_ip (ev, IP_OFFICE);
  CU_ASSERT_PTR_NOT_NULL_FATAL (home);
  CU_ASSERT_PTR_NOT_NULL_FATAL (cell);
  CU_ASSERT_PTR_NOT_NULL_FATAL (office);
  CU_ASSERT_EQUAL (home->cls, ML_IP_BROADBAND);
  CU_ASSERT_STRING_EQUAL (home->text, "10.1.0.5");
  CU_ASSERT_STRING_EQUAL (home->city, "Springfield");
  ML_ASSERT_CLOSE (home->radius_km, 5, 0);
  ML_ASSERT_CLOSE (home->lat, 40.1, 1e-6);
  CU_ASSERT_EQUAL (cell->cls, ML_IP_CELLULAR);
  ML_ASSERT_CLOSE (cell->radius_km, 200, 0);
  CU_ASSERT_EQUAL (office->cls, ML_IP_BUSINESS);
  CU_ASSERT_EQUAL (g_hash_table_size (ev->ipinfo), 4);           /* every row's IP, IP_NONE is not one */
  g_array_append_val (bare->rows, r);
  CU_ASSERT_TRUE (ml_evidence_load_ipinfo (bare, mmdb_path, &error));
  none = ml_evidence_ip (bare, IP_NONE);
  CU_ASSERT_PTR_NOT_NULL_FATAL (none);
  CU_ASSERT_EQUAL (none->cls, ML_IP_UNKNOWN);
  CU_ASSERT_TRUE (isnan (none->lat));
  CU_ASSERT_STRING_EQUAL (none->text, "192.0.2.1");
  CU_ASSERT_EQUAL (ml_evidence_ip_class ("Wi-Fi"), ML_IP_WIFI);
  CU_ASSERT_EQUAL (ml_evidence_ip_class ("Dialup"), ML_IP_BROADBAND);
  CU_ASSERT_EQUAL (ml_evidence_ip_class (NULL), ML_IP_UNKNOWN);
}

static void
test_directory_entries_are_loaded_and_bad_lines_named (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = ml_evidence_new (&c, db);
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = ml_test_path ("bad-directory.csv");
  g_autofree char *expect = g_strdup_printf ("%s:3: sensitive must be 0 or 1: '+99900000001001,Bob,legal,maybe'", bad);
  const MlDirEntry *s;

  CU_ASSERT_TRUE_FATAL (ml_evidence_load_directory (ev, dir_path, &error));
  s = ml_evidence_directory (ev, S);
  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  CU_ASSERT_STRING_EQUAL (s->name, "Clinic, Inc.");
  CU_ASSERT_STRING_EQUAL (s->category, "health");
  CU_ASSERT_TRUE (s->sensitive);
  CU_ASSERT_EQUAL (g_hash_table_size (ev->directory), 1);        /* the unlogged handle is skipped */
  CU_ASSERT_PTR_NULL (ml_evidence_directory (ev, T));
  g_assert (g_file_set_contents (bad, "handle,name,category,sensitive\n\n+99900000001001,Bob,legal,maybe\n", -1, NULL));
  CU_ASSERT_FALSE (ml_evidence_load_directory (ev, bad, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_STRING_EQUAL (error->message, expect);
  CU_ASSERT_EQUAL (g_hash_table_size (ev->directory), 1);        /* unchanged on failure */
}

static void
test_rows_of_lists_a_handles_rows_in_time_order (void)
{
  MlCase c = make_case (ML_ORDER_BOTH, ML_MODE_SNAPSHOT, 0, 8);
  g_autoptr(MlEvidence) ev = extract (&c, NULL);
  const GArray *t, *c2, *none;
  guint involving = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (ev);
  t = ml_evidence_rows_of (ev, T);
  c2 = ml_evidence_rows_of (ev, C2);
  none = ml_evidence_rows_of (ev, 424242);
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      involving += r->source == T || r->lookup == T;
    }
  CU_ASSERT_EQUAL (t->len, involving);
  CU_ASSERT_EQUAL (t->len, ev->rows->len);                       /* every row of a one-target case */
  CU_ASSERT_TRUE (c2->len > 0);
  CU_ASSERT_EQUAL (none->len, 0);
  for (guint i = 1; i < t->len; i++)
    CU_ASSERT_TRUE (g_array_index (t, guint, i - 1) < g_array_index (t, guint, i));
  for (guint i = 0; i < c2->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (c2, guint, i));
      CU_ASSERT_TRUE (r->source == C2 || r->lookup == C2);
    }
}

static CU_TestInfo extract_tests[] = {
  { "snapshot evidence equals the SQL query", test_snapshot_evidence_equals_the_sql_query },
  { "parallel reading gives the same evidence", test_parallel_reading_gives_the_same_evidence },
  { "parallel serving gives the same hops", test_parallel_serving_gives_the_same_hops },
  { "prospective evidence with lag equals the SQL query", test_prospective_evidence_with_lag_equals_the_sql_query },
  { "a pen register returns only own lookups", test_pen_register_returns_only_own_lookups },
  { "rows are sorted and tagged with every path", test_rows_are_sorted_and_tagged_with_every_path },
  { "rows between two targets are kept once", test_rows_between_two_targets_are_kept_once },
  { "identical log rows stay two rows", test_identical_log_rows_stay_two_rows },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo expand_tests[] = {
  { "hop 2 adds the contacts' rows from their discovery window",
    test_hop_two_adds_the_contacts_rows_from_their_discovery_window },
  { "hop expansion without a directory serves the service too", test_hop_without_directory_serves_the_service_too },
  { "hop_limit serves the most frequent contact first", test_hop_limit_serves_the_most_frequent_contact_first },
  { "the IP pivot adds rows from non-cellular IPs only", test_ip_pivot_adds_rows_from_non_cellular_ips_only },
  { "the IP pivot without GeoIP takes every IP", test_ip_pivot_without_geoip_takes_every_ip },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo lookup_tests[] = {
  { "IP classes follow connection_type", test_ipinfo_classes_follow_connection_type },
  { "directory entries are loaded and bad lines named", test_directory_entries_are_loaded_and_bad_lines_named },
  { "rows_of lists a handle's rows in time order", test_rows_of_lists_a_handles_rows_in_time_order },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "extraction", .pInitFunc = init_fixture, .pCleanupFunc = clean_fixture, .pTests = extract_tests },
  { .pName = "hops and pivot", .pInitFunc = init_fixture, .pCleanupFunc = clean_fixture, .pTests = expand_tests },
  { .pName = "lookups", .pInitFunc = init_fixture, .pCleanupFunc = clean_fixture, .pTests = lookup_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  ml_progress_set_quiet (TRUE);
  return ml_test_main (argc, argv, suites);
}
