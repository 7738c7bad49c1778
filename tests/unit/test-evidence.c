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
  if (!build_provider (&error) || !build_mmdb (&error) || !build_directory (&error)
      || (db = ml_db_open (db_path, ML_DB_READONLY, &error)) == NULL)
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
