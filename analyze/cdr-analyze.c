/* cdr-analyze.c -- `metaleak analyze --import-cdr`: call-detail records as a provider log.
 *
 * Why a conversion, and not an evidence builder of its own.  The analyzer
 * is a chain of pure functions of provider.db and a GeoIP database: orders
 * and retention (legalcase.c), evidence (evidence.c), seven inferences,
 * population mode (popmode.c, which scans lookup_log itself), findings and
 * the report.  A CDR is the same kind of metadata -- a time, two ends, a
 * network position -- so writing the records into that contract once makes
 * every stage run on them unchanged, with the legal model applied to the
 * records' times and pseudonyms, outputs and report exactly as for an
 * imported lookup log.  A direct evidence builder would have duplicated
 * the extraction and bypassed population mode.  What CDRs need beyond
 * the contract is small and lives in the shared files as a location class,
 * ML_IP_ANTENNA: antennas are unclustered places that count for home and
 * work (location.c, popmode.c) with bandicoot's night, and, like a
 * carrier-grade NAT address, are never pivoted on or used for co-location
 * (evidence.c, colocation.c).
 *
 * The one mismatch is whose position a row carries: a lookup's client IP
 * is its source's, but an incoming record's antenna is its callee's (the
 * file's owner).  So an incoming record gives two rows: a registration
 * (source = lookup = the owner, at the antenna), which places and times
 * the owner, and the communication (caller -> owner) with no position
 * (0.0.0.0).  Every record of user U thus gives exactly one row whose
 * source is U: U's rhythm and location see all of U's records, as
 * bandicoot's indicators do.  A caller that is a user of the data has the
 * communication in its own outgoing record already, with its own antenna;
 * the incoming record's copy is dropped (matched one-to-one, bandicoot's
 * Record.matches).  cdr-analyze.h lists the rows; docs/cdr.md the rules.
 *
 * Two passes over the users, one user in memory at a time.  Pass 1 collects
 * the handle texts, the positions, and, for each user, the outgoing records
 * other users addressed to it (the matching index).  Ids are then assigned
 * in sorted order of the text (handles) and of the position key (antenna
 * addresses 10.0.0.1 ...), so that an id says nothing a text does not, and
 * geo.mmdb is written.  Pass 2 writes the rows with one prepared statement
 * in one transaction into a database published only when complete.
 *
 * Workload: see cdr-analyze.h.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "analyze/casefile.h"
#include "analyze/cdr-analyze.h"
#include "analyze/cdr.h"
#include "analyze/findings.h"
#include "analyze/pseudonym.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/outdir.h"
#include "common/progress.h"
#include "common/rng.h"
#include "common/schema.h"

#define FIRST_ADDRESS 0x0a000001u        /* 10.0.0.1: the first antenna (RFC 1918: a synthetic address) */
#define MAX_POSITIONS ((1u << 24) - 2)    /* 10.0.0.1 .. 10.255.255.254 */
#define NOWHERE 0                         /* 0.0.0.0: a row without a position */
#define CONNECTION_TYPE "Antenna"         /* ml_evidence_ip_class () -> ML_IP_ANTENNA */
#define KM_PER_DEGREE (G_PI * ML_GEO_EARTH_RADIUS_KM / 180.0)
#define RANDOM_STREAM G_GUINT64_CONSTANT (0x6364727573657273) /* "cdrusers" */
#define PSEUDONYM_LEN 18                  /* "h-" and 16 hex digits (pseudonym.h) */

static const char cdr_tables_sql[] =
  "CREATE TABLE cdr_users (\n"
  "  handle INTEGER PRIMARY KEY,      -- handles.id of a user of the cdr.db (correspondents are not)\n"
  "  records INTEGER NOT NULL);       -- its records, one row as source each\n"
  "CREATE TABLE cdr_antennas (\n"
  "  ip INTEGER PRIMARY KEY,          -- ips.id: the address standing for the position\n"
  "  antenna TEXT,                    -- antenna id, NULL for a record's own latitude/longitude\n"
  "  latitude REAL, longitude REAL,   -- NULL when the antennas file does not place it\n"
  "  radius_km REAL);                 -- the cell-sized uncertainty (geo.mmdb accuracy_radius)\n";

/* An outgoing record of user CALLER to the user whose index holds it. */
typedef struct {
  gint64 t;
  gint64 duration;
  guint32 caller;                         /* user index */
  guint8 kind, has_duration, used;
} Mirror;

/* A distinct position: an antenna id, or a record's own coordinates. */
typedef struct {
  char *antenna;                          /* id, or NULL for coordinates */
  gboolean located;
  double lat, lon, radius_km;
  guint32 addr;                           /* host order */
} Position;

typedef struct {
  const char *cdr_path;
  MlCdrStore *store;
  const MlCdrAntennas *antennas;
  MlCdrConvertStats *st;
  GHashTable *handles;                    /* text -> gint64* id (0 until assigned) */
  GHashTable *positions;                  /* key -> Position* */
  GArray **mirrors;                       /* per user: Mirror, sorted by (caller, t) in pass 2 */
  guint64 *records;                       /* per user */
  MlTime first, last;
  MlBulk *insert;
  GString *key;                           /* scratch */
} Convert;

static void
position_free (gpointer p)
{
  Position *pos = p;

  g_free (pos->antenna);
  g_free (pos);
}

static void
convert_clear (Convert *cv)
{
  guint n = cv->store != NULL ? ml_cdr_store_n_users (cv->store) : 0;

  for (guint i = 0; cv->mirrors != NULL && i < n; i++)
    if (cv->mirrors[i] != NULL)
      g_array_unref (cv->mirrors[i]);
  g_clear_pointer (&cv->mirrors, g_free);
  g_clear_pointer (&cv->records, g_free);
  g_clear_pointer (&cv->handles, g_hash_table_unref);
  g_clear_pointer (&cv->positions, g_hash_table_unref);
  g_clear_pointer (&cv->insert, ml_bulk_free);
  g_clear_pointer (&cv->store, ml_cdr_store_free);
  if (cv->key != NULL)
    g_string_free (g_steal_pointer (&cv->key), TRUE);
}

/* ---- records -------------------------------------------------------------- */

static const char *
contact_of (const MlCdrUser *u, const MlCdrRecord *r)
{
  return r->contact >= 0 ? g_ptr_array_index (u->contacts, r->contact) : NULL;
}

/* Whether R of U is a communication with another party (not a location-only
 * record, not a call to oneself). */
static gboolean
is_peer (const MlCdrUser *u, const MlCdrRecord *r)
{
  const char *c = contact_of (u, r);

  return c != NULL && r->kind != ML_CDR_OTHER && r->direction != ML_CDR_DIR_NONE && strcmp (c, u->name) != 0;
}

/* The position key of R into CV->key ("a" + antenna id, or "c" + the
 * record's coordinates when its antenna is not placed), or NULL if R has
 * neither.  *LOCATED, *LAT, *LON say where it is. */
static const char *
position_key (Convert *cv, const MlCdrUser *u, const MlCdrRecord *r, gboolean *located, double *lat, double *lon)
{
  const char *antenna = r->antenna >= 0 ? g_ptr_array_index (u->antennas, r->antenna) : NULL;

  *located = antenna != NULL && ml_cdr_antennas_lookup (cv->antennas, antenna, lat, lon);
  if (!*located && r->coord >= 0)
    {
      *lat = g_array_index (u->coords, double, 2 * r->coord);
      *lon = g_array_index (u->coords, double, 2 * r->coord + 1);
      *located = TRUE;
      g_string_printf (cv->key, "c%.6f,%.6f", *lat, *lon);
      return cv->key->str;
    }
  if (antenna == NULL)
    return NULL;
  g_string_printf (cv->key, "a%s", antenna);
  return cv->key->str;
}

static void
handle_add (Convert *cv, const char *text)
{
  if (!g_hash_table_contains (cv->handles, text))
    g_hash_table_insert (cv->handles, g_strdup (text), g_new0 (gint64, 1));
}

static gint64
handle_id (const Convert *cv, const char *text)
{
  const gint64 *id = g_hash_table_lookup (cv->handles, text);

  g_assert (id != NULL && *id > 0);     /* every text was collected in pass 1 */
  return *id;
}

/* ---- pass 1: dictionaries and the matching index --------------------------- */

static void
collect_record (Convert *cv, guint user, const MlCdrUser *u, const MlCdrRecord *r)
{
  gboolean located;
  double lat = NAN, lon = NAN;
  const char *key = position_key (cv, u, r, &located, &lat, &lon);
  const char *contact = contact_of (u, r);

  if (contact != NULL)
    handle_add (cv, contact);
  if (key != NULL && !g_hash_table_contains (cv->positions, key))
    {
      Position *p = g_new0 (Position, 1);
      p->antenna = key[0] == 'a' ? g_strdup (key + 1) : NULL;
      p->located = located;
      p->lat = lat;
      p->lon = lon;
      g_hash_table_insert (cv->positions, g_strdup (key), p);
    }
  cv->first = cv->st->records == 0 ? r->t : MIN (cv->first, r->t);
  cv->last = cv->st->records == 0 ? r->t : MAX (cv->last, r->t);
  cv->st->records++;
  if (is_peer (u, r) && r->direction == ML_CDR_DIR_OUT)
    {
      gint callee = ml_cdr_store_find (cv->store, contact);
      Mirror m = { r->t, r->duration, user, r->kind, r->has_duration, FALSE };
      if (callee < 0)
        return;
      if (cv->mirrors[callee] == NULL)
        cv->mirrors[callee] = g_array_new (FALSE, FALSE, sizeof (Mirror));
      g_array_append_val (cv->mirrors[callee], m);
    }
}

static gboolean
pass_collect (Convert *cv, GError **error)
{
  guint n = ml_cdr_store_n_users (cv->store);
  g_autoptr(MlProgress) progress = ml_progress_new ("cdr to log (read)", n, "users");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MlCdrUser) u = NULL;
      if (!ml_check_interrupted (error) || (u = ml_cdr_store_load (cv->store, i, error)) == NULL)
        return FALSE;
      handle_add (cv, u->name);
      cv->records[i] = u->records->len;
      for (guint k = 0; k < u->records->len; k++)
        collect_record (cv, i, u, &g_array_index (u->records, MlCdrRecord, k));
      ml_progress_update (progress, i + 1, cv->st->records);
    }
  ml_progress_finish (progress);
  if (cv->st->records == 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no records to analyse (%u user%s without any)",
                   cv->cdr_path, n, n == 1 ? "" : "s");
      return FALSE;
    }
  return TRUE;
}

/* ---- ids, radii and geo.mmdb ------------------------------------------------ */

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Handle ids 1.. in text order, inserted into DB. */
static gboolean
write_handles (Convert *cv, MlDb *db, GError **error)
{
  guint n = 0;
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (cv->handles, &n);
  g_autoptr(MlStmt) s = ml_db_prepare (db, ML_SQL_INSERT_HANDLE, error);

  if (s == NULL)
    return FALSE;
  qsort (keys, n, sizeof *keys, compare_str);
  for (guint i = 0; i < n; i++)
    {
      *(gint64 *) g_hash_table_lookup (cv->handles, keys[i]) = (gint64) i + 1;
      if (!ml_stmt_bind_int64 (s, 1, (gint64) i + 1, error) || !ml_stmt_bind_text (s, 2, keys[i], -1, error)
          || !ml_stmt_run (s, error))
        return FALSE;
    }
  cv->st->handles = n;
  return TRUE;
}

static int
compare_lat (gconstpointer a, gconstpointer b, gpointer data)
{
  const double *ll = data;
  double x = ll[2 * *(const guint *) a], y = ll[2 * *(const guint *) b];

  return (x > y) - (x < y);
}

void
ml_cdr_cell_radii (const double *latlon, guint n, double *radius_km)
{
  g_autofree guint *order = g_new (guint, MAX (n, 1));

  g_return_if_fail (n == 0 || (latlon != NULL && radius_km != NULL));
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, (gint) n, sizeof *order, compare_lat, (gpointer) latlon);
  for (guint k = 0; k < n; k++)
    {
      guint i = order[k];
      double best = INFINITY;
      /* walk outwards in latitude order while a closer neighbour is possible */
      for (int dir = -1; dir <= 1; dir += 2)
        for (gint64 m = (gint64) k + dir; m >= 0 && m < (gint64) n; m += dir)
          {
            guint j = order[m];
            double d;
            if (fabs (latlon[2 * j] - latlon[2 * i]) * KM_PER_DEGREE > best)
              break;
            d = ml_geo_haversine_km (latlon[2 * i], latlon[2 * i + 1], latlon[2 * j], latlon[2 * j + 1]);
            if (d > 1e-6)         /* another position, not a sector of the same mast */
              best = MIN (best, d);
          }
      radius_km[i] = isinf (best) ? ML_CDR_CELL_RADIUS_MAX_KM
                                  : CLAMP (ceil (best), ML_CDR_CELL_RADIUS_MIN_KM, ML_CDR_CELL_RADIUS_MAX_KM);
    }
}

/* Addresses in key order, radii of the located positions. */
static gboolean
assign_positions (Convert *cv, GPtrArray *sorted, GError **error)
{
  guint n = 0;
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (cv->positions, &n);
  g_autofree double *ll = g_new (double, 2 * MAX (n, 1));
  g_autofree double *radius = g_new (double, MAX (n, 1));
  g_autofree guint *which = g_new (guint, MAX (n, 1));
  guint located = 0;

  if (n > MAX_POSITIONS)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: %u antennas, more than the %u addresses of 10.0.0.0/8",
                   cv->cdr_path, n, MAX_POSITIONS);
      return FALSE;
    }
  qsort (keys, n, sizeof *keys, compare_str);
  for (guint i = 0; i < n; i++)
    {
      Position *p = g_hash_table_lookup (cv->positions, keys[i]);
      p->addr = FIRST_ADDRESS + i;
      g_ptr_array_add (sorted, p);
      if (!p->located)
        continue;
      ll[2 * located] = p->lat;
      ll[2 * located + 1] = p->lon;
      which[located++] = i;
    }
  ml_cdr_cell_radii (ll, located, radius);
  for (guint k = 0; k < located; k++)
    ((Position *) g_ptr_array_index (sorted, which[k]))->radius_km = radius[k];
  cv->st->antennas = n;
  return TRUE;
}

/* RUN_DIR/geo.mmdb: one record per located position in SORTED. */
static gboolean
write_mmdb (Convert *cv, GPtrArray *sorted, const char *run_dir, GError **error)
{
  g_autofree char *path = g_build_filename (run_dir, "geo.mmdb", NULL);
  g_autoptr(MlMmdbWriter) w = ml_mmdb_writer_new ("metaleak-CDR-Antennas", "antennas of a cdr.db",
                                                  (guint64) MAX (cv->last, 1));

  for (guint i = 0; i < sorted->len; i++)
    {
      const Position *p = g_ptr_array_index (sorted, i);
      g_autofree char *city = p->antenna != NULL ? g_strdup_printf ("antenna %s", p->antenna) : NULL;
      MlGeoRecord rec = { .city = city, .latitude = p->lat, .longitude = p->lon,
                          .accuracy_radius = (guint16) p->radius_km, .connection_type = CONNECTION_TYPE };
      if (p->located && !ml_mmdb_writer_insert (w, p->addr, 32, &rec, error))
        {
          g_prefix_error (error, "%s: ", cv->cdr_path);
          return FALSE;
        }
    }
  return ml_mmdb_writer_write (w, path, error);
}

/* ips (0.0.0.0 and one address per position) and cdr_antennas. */
static gboolean
write_ips (MlDb *db, GPtrArray *sorted, GError **error)
{
  g_autoptr(MlStmt) ip = ml_db_prepare (db, ML_SQL_INSERT_IP, error);
  g_autoptr(MlStmt) ant = ip != NULL ? ml_db_prepare (db, "INSERT INTO cdr_antennas VALUES (?, ?, ?, ?, ?)", error)
                                     : NULL;
  char text[16];

  if (ant == NULL || !ml_stmt_bind_int64 (ip, 1, NOWHERE, error)
      || !ml_stmt_bind_text (ip, 2, ml_ipv4_to_string (NOWHERE, text), -1, error) || !ml_stmt_run (ip, error))
    return FALSE;
  for (guint i = 0; i < sorted->len; i++)
    {
      const Position *p = g_ptr_array_index (sorted, i);
      if (!ml_stmt_bind_int64 (ip, 1, p->addr, error)
          || !ml_stmt_bind_text (ip, 2, ml_ipv4_to_string (p->addr, text), -1, error) || !ml_stmt_run (ip, error)
          || !ml_stmt_bind_int64 (ant, 1, p->addr, error) || !ml_stmt_bind_text (ant, 2, p->antenna, -1, error)
          || !(p->located ? ml_stmt_bind_double (ant, 3, p->lat, error) && ml_stmt_bind_double (ant, 4, p->lon, error)
                            && ml_stmt_bind_double (ant, 5, p->radius_km, error)
                          : TRUE)
          || !ml_stmt_run (ant, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- pass 2: rows ----------------------------------------------------------- */

static int
compare_mirror (gconstpointer a, gconstpointer b)
{
  const Mirror *x = a, *y = b;

  if (x->caller != y->caller)
    return x->caller < y->caller ? -1 : 1;
  return (x->t > y->t) - (x->t < y->t);
}

/* Take the first unused outgoing record of CALLER in MIRRORS (sorted) that
 * matches the incoming record R: same interaction and duration, less than
 * ML_CDR_MATCH_SECONDS apart. */
static gboolean
take_mirror (GArray *mirrors, guint caller, const MlCdrRecord *r)
{
  const Mirror *m = mirrors != NULL ? (const Mirror *) (gpointer) mirrors->data : NULL;
  guint lo = 0, hi = mirrors != NULL ? mirrors->len : 0;
  gint64 from = r->t - (ML_CDR_MATCH_SECONDS - 1);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (m[mid].caller < caller || (m[mid].caller == caller && m[mid].t < from))
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo; i < (mirrors != NULL ? mirrors->len : 0); i++)
    {
      Mirror *x = &g_array_index (mirrors, Mirror, i);
      if (x->caller != caller || x->t >= r->t + ML_CDR_MATCH_SECONDS)
        break;
      if (!x->used && x->kind == r->kind && x->has_duration == r->has_duration
          && (!r->has_duration || x->duration == r->duration))
        return (x->used = TRUE);
    }
  return FALSE;
}

static gboolean
insert_row (Convert *cv, gint64 t, gint64 source, gint64 lookup, gint64 ip, gint64 kind, GError **error)
{
  cv->st->rows++;
  cv->st->registrations += source == lookup;
  ml_bulk_int64 (cv->insert, t);
  ml_bulk_int64 (cv->insert, source);
  ml_bulk_int64 (cv->insert, lookup);
  ml_bulk_int64 (cv->insert, ip);
  ml_bulk_int64 (cv->insert, kind);
  return ml_bulk_end_row (cv->insert, error);
}

/* The rows of record R of user USER (U, handle HU); see cdr-analyze.h. */
static gboolean
write_record (Convert *cv, guint user, const MlCdrUser *u, gint64 hu, const MlCdrRecord *r, GError **error)
{
  gboolean located;
  double lat, lon;
  const char *key = position_key (cv, u, r, &located, &lat, &lon);
  const Position *p = key != NULL ? g_hash_table_lookup (cv->positions, key) : NULL;
  gint64 ip = p != NULL ? p->addr : NOWHERE;
  const char *contact = contact_of (u, r);
  gint caller;

  cv->st->unlocated += !located;
  if (!is_peer (u, r))
    return insert_row (cv, r->t, hu, hu, ip, r->kind, error);
  if (r->direction == ML_CDR_DIR_OUT)
    return insert_row (cv, r->t, hu, handle_id (cv, contact), ip, r->kind, error);
  if (!insert_row (cv, r->t, hu, hu, ip, r->kind, error))
    return FALSE;
  caller = ml_cdr_store_find (cv->store, contact);
  if (caller >= 0 && take_mirror (cv->mirrors[user], (guint) caller, r))
    {
      cv->st->mirrored++;
      return TRUE;
    }
  return insert_row (cv, r->t, handle_id (cv, contact), hu, NOWHERE, r->kind, error);
}

/* cdr_users, then every user's rows. */
static gboolean
pass_write (Convert *cv, MlDb *db, GError **error)
{
  guint n = ml_cdr_store_n_users (cv->store);
  g_autoptr(MlProgress) progress = ml_progress_new ("cdr to log (write)", n, "users");
  g_autoptr(MlStmt) users = ml_db_prepare (db, "INSERT INTO cdr_users VALUES (?, ?)", error);

  if (users == NULL || (cv->insert = ml_bulk_new (db, ML_SQL_LOOKUP_COLUMNS, 5, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (cv->mirrors[i] != NULL)
      g_array_sort (cv->mirrors[i], compare_mirror);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MlCdrUser) u = NULL;
      gint64 hu;
      if (!ml_check_interrupted (error) || (u = ml_cdr_store_load (cv->store, i, error)) == NULL)
        return FALSE;
      hu = handle_id (cv, u->name);
      if (!ml_stmt_bind_int64 (users, 1, hu, error) || !ml_stmt_bind_int64 (users, 2, (gint64) cv->records[i], error)
          || !ml_stmt_run (users, error))
        return FALSE;
      for (guint k = 0; k < u->records->len; k++)
        if (!write_record (cv, i, u, hu, &g_array_index (u->records, MlCdrRecord, k), error))
          return FALSE;
      ml_progress_update (progress, i + 1, cv->st->rows);
    }
  ml_progress_finish (progress);
  if (!ml_bulk_flush (cv->insert, error))
    return FALSE;
  g_clear_pointer (&cv->insert, ml_bulk_free);
  return TRUE;
}

/* ---- the database ------------------------------------------------------------- */

static gboolean
write_meta (Convert *cv, MlDb *db, GError **error)
{
  g_autofree char *first = ml_time_format_iso8601 (cv->first);
  g_autofree char *last = ml_time_format_iso8601 (cv->last);
  g_autofree char *base = g_path_get_basename (cv->cdr_path);
  g_autofree char *users = g_strdup_printf ("%" G_GUINT64_FORMAT, cv->st->users);
  g_autofree char *records = g_strdup_printf ("%" G_GUINT64_FORMAT, cv->st->records);
  g_autofree char *mirrored = g_strdup_printf ("%" G_GUINT64_FORMAT, cv->st->mirrored);

  return ml_db_set_meta (db, "source_kind", ML_CDR_ANALYZE_KIND, error)
         && ml_db_set_meta (db, "source_file", base, error) && ml_db_set_meta (db, "log_start", first, error)
         && ml_db_set_meta (db, "log_end", last, error) && ml_db_set_meta (db, "cdr_users", users, error)
         && ml_db_set_meta (db, "cdr_records", records, error)
         && ml_db_set_meta (db, "cdr_mirrored", mirrored, error);
}

static gboolean
convert (Convert *cv, const char *run_dir, GError **error)
{
  g_autofree char *path = g_build_filename (run_dir, "provider.db", NULL);
  g_autofree char *key_path = g_build_filename (run_dir, "pseudonym.key", NULL);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(MlDb) db = NULL;
  guint8 key[ML_PSEUDONYM_KEY_SIZE];

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_EXISTS, "%s: exists: analyse %s without --import-cdr, "
                   "or import into a new directory", path, run_dir);
      return FALSE;
    }
  if (g_mkdir_with_parents (run_dir, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create: %s", run_dir, g_strerror (errno));
      return FALSE;
    }
  if ((db = ml_db_create (path, FALSE, error)) == NULL || !pass_collect (cv, error)
      || !assign_positions (cv, sorted, error) || !write_mmdb (cv, sorted, run_dir, error)
      || !ml_schema_provider_create (db, error) || !ml_db_exec (db, cdr_tables_sql, error)
      || !ml_db_begin (db, error) || !write_handles (cv, db, error) || !write_ips (db, sorted, error)
      || !pass_write (cv, db, error) || !ml_db_commit (db, error) || !write_meta (cv, db, error)
      || !ml_schema_provider_index (db, error) || !ml_pseudonym_key_ensure (key_path, key, error))
    return FALSE;
  memset (key, 0, sizeof key);
  return ml_db_finish (db, error);
}

gboolean
ml_cdr_analyze_import (const char *cdr_path, const char *run_dir, MlCdrConvertStats *stats, GError **error)
{
  MlCdrConvertStats st = { 0 };
  Convert cv = { .cdr_path = cdr_path, .st = &st };
  gboolean ok;

  g_return_val_if_fail (cdr_path != NULL && run_dir != NULL, FALSE);
  if ((cv.store = ml_cdr_store_open (cdr_path, error)) == NULL)
    return FALSE;
  st.users = ml_cdr_store_n_users (cv.store);
  if (st.users == 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no records to analyse (no users)", cdr_path);
      convert_clear (&cv);
      return FALSE;
    }
  cv.antennas = ml_cdr_store_antennas (cv.store);
  cv.handles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cv.positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, position_free);
  cv.mirrors = g_new0 (GArray *, st.users);
  cv.records = g_new0 (guint64, st.users);
  cv.key = g_string_sized_new (64);
  ok = convert (&cv, run_dir, error);
  convert_clear (&cv);
  if (ok && stats != NULL)
    *stats = st;
  return ok;
}

/* ---- at analysis time -------------------------------------------------------- */

gboolean
ml_cdr_analyze_is_cdr_run (MlDb *provider)
{
  g_autoptr(GError) e = NULL;
  g_autofree char *kind = NULL;

  g_return_val_if_fail (provider != NULL, FALSE);
  kind = ml_db_get_meta (provider, "source_kind", &e);
  return kind != NULL && g_str_equal (kind, ML_CDR_ANALYZE_KIND);
}

gboolean
ml_cdr_analyze_is_cdr_db (const char *path)
{
  g_autoptr(MlDb) db = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || (db = ml_db_open (path, ML_DB_READONLY, NULL)) == NULL)
    return FALSE;
  return ml_db_check_schema (db, ML_CDR_SCHEMA_KIND, ML_CDR_SCHEMA_VERSION, NULL);
}

/* An ML_ERROR_INPUT about C's targets, at the case file's line when the
 * targets come from it (as casefile.c reports them). */
static GError *
targets_error (const MlCase *c, const char *format, ...) G_GNUC_PRINTF (2, 3);

static GError *
targets_error (const MlCase *c, const char *format, ...)
{
  g_autoptr(MlConfig) cfg = NULL;
  g_autofree char *message = NULL;
  gsize n_spec;
  const MlConfigSpec *spec = ml_case_spec (&n_spec);
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (c->path != NULL && (cfg = ml_config_load (c->path, spec, n_spec, NULL)) != NULL
      && ml_config_has (cfg, "case", "targets"))
    {
      g_auto(GStrv) items = ml_config_strv (cfg, "case", "targets");
      if (g_strv_equal ((const char *const *) items, (const char *const *) c->targets))
        return ml_config_error (cfg, "case", "targets", "%s", message);
    }
  return g_error_new (ML_ERROR, ML_ERROR_INPUT, "command line: key 'targets' in group [case]: %s", message);
}

/* Whether TEXT is a pseudonym as ml_pseudonym() writes it. */
static gboolean
is_pseudonym (const char *text)
{
  if (strlen (text) != PSEUDONYM_LEN || text[0] != 'h' || text[1] != '-')
    return FALSE;
  for (const char *p = text + 2; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* Replace in TARGETS each pseudonym item by the handle it stands for under
 * RUN_DIR/pseudonym.key (one scan of the handles). */
static gboolean
unmask_pseudonyms (GPtrArray *targets, const char *run_dir, MlDb *provider, GError **error)
{
  g_autofree char *key_path = g_build_filename (run_dir, "pseudonym.key", NULL);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(MlStmt) s = NULL;
  guint8 key[ML_PSEUDONYM_KEY_SIZE];
  MlStep st;

  for (guint i = 0; i < targets->len; i++)
    if (is_pseudonym (g_ptr_array_index (targets, i)))
      g_hash_table_insert (wanted, g_ptr_array_index (targets, i), GUINT_TO_POINTER (i + 1));
  if (g_hash_table_size (wanted) == 0 || !g_file_test (key_path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!ml_pseudonym_key_load (key_path, key, error)
      || (s = ml_db_prepare (provider, "SELECT handle FROM handles", error)) == NULL)
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      char pseudo[ML_PSEUDONYM_SIZE];
      gpointer at;
      ml_pseudonym (key, ml_stmt_text (s, 0), pseudo);
      if ((at = g_hash_table_lookup (wanted, pseudo)) == NULL)
        continue;
      g_hash_table_remove (wanted, pseudo);
      g_free (g_ptr_array_index (targets, GPOINTER_TO_UINT (at) - 1));
      g_ptr_array_index (targets, GPOINTER_TO_UINT (at) - 1) = g_strdup (ml_stmt_text (s, 0));
    }
  memset (key, 0, sizeof key);
  return st == ML_STEP_DONE;
}

/* The handle texts of the CDR users with at least ML_CASE_RANDOM_MIN_LOOKUPS
 * records, in handle id order. */
static GPtrArray *
active_users (MlDb *provider, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (provider, "SELECT h.handle FROM cdr_users u JOIN handles h ON h.id = u.handle"
                                                 " WHERE u.records >= ?1 ORDER BY u.handle", error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  MlStep st;

  if (s == NULL || !ml_stmt_bind_int64 (s, 1, ML_CASE_RANDOM_MIN_LOOKUPS, error))
    return NULL;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    g_ptr_array_add (out, g_strdup (ml_stmt_text (s, 0)));
  return st == ML_STEP_DONE ? g_steal_pointer (&out) : NULL;
}

/* Append to OUT the user ids drawn for ITEM ("random:N") from POOL (in the
 * case's shuffled order, *CURSOR the next candidate), skipping NAMED: all
 * that remain, with a warning, when fewer than N do; none is an error. */
static gboolean
draw_users (const MlCase *c, const char *item, GPtrArray *pool, guint *cursor, GHashTable *named, GPtrArray *out,
            GError **error)
{
  guint64 want = g_ascii_strtoull (item + 7, NULL, 10), got = 0;

  while (got < want && *cursor < pool->len)
    {
      const char *h = g_ptr_array_index (pool, (*cursor)++);
      if (g_hash_table_contains (named, h))
        continue;
      g_ptr_array_add (out, g_strdup (h));
      got++;
    }
  if (got == 0)
    {
      g_propagate_error (error, targets_error (c, "%s: no%s CDR user has at least %d records; name the users",
                                               item, *cursor > 0 ? " more" : "", ML_CASE_RANDOM_MIN_LOOKUPS));
      return FALSE;
    }
  if (got < want)
    ml_warning ("%s: only %" G_GUINT64_FORMAT " CDR user%s at least %d records: all taken", item, got,
                got == 1 ? " has" : "s have", ML_CASE_RANDOM_MIN_LOOKUPS);
  return TRUE;
}

gboolean
ml_cdr_analyze_prepare_case (MlCase *c, const char *run_dir, MlDb *provider, GError **error)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) pool = NULL;
  guint cursor = 0;
  MlRng rng;

  g_return_val_if_fail (c != NULL && c->targets != NULL && run_dir != NULL && provider != NULL, FALSE);
  for (gsize i = 0; c->targets[i] != NULL; i++)
    g_ptr_array_add (kept, g_strdup (c->targets[i]));
  if (!unmask_pseudonyms (kept, run_dir, provider, error))
    return FALSE;
  for (guint i = 0; i < kept->len; i++)
    if (!g_str_has_prefix (g_ptr_array_index (kept, i), "random:"))
      g_hash_table_add (named, g_ptr_array_index (kept, i));
  for (guint i = 0; i < kept->len; i++)
    {
      const char *item = g_ptr_array_index (kept, i);
      if (!g_str_has_prefix (item, "random:"))
        {
          g_ptr_array_add (out, g_strdup (item));
          continue;
        }
      if (pool == NULL)
        {
          if ((pool = active_users (provider, error)) == NULL)
            return FALSE;
          ml_rng_init (&rng, c->seed, RANDOM_STREAM, 0, 0);
          ml_rng_shuffle (&rng, pool->pdata, pool->len, sizeof (gpointer));
        }
      if (!draw_users (c, item, pool, &cursor, named, out, error))
        return FALSE;
    }
  if (c->ip_pivot)
    ml_warning ("ip_pivot ignored: no pivot is served on an antenna of a CDR run (docs/cdr.md)");
  c->ip_pivot = FALSE;
  g_ptr_array_add (out, NULL);
  g_strfreev (c->targets);
  c->targets = (char **) g_ptr_array_steal (out, NULL);
  return TRUE;
}

gboolean
ml_cdr_analyze_put_params (MlDb *provider, MlRowCache *rc, GError **error)
{
  static const char *const keys[] = { "source_file", "cdr_users", "cdr_records", "cdr_mirrored" };

  g_return_val_if_fail (provider != NULL && rc != NULL, FALSE);
  if (!ml_row_insert (rc, "params", "ss", error, "input", ML_CDR_ANALYZE_KIND))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autofree char *value = ml_db_get_meta (provider, keys[i], &e);
      if (e != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&e));
          return FALSE;
        }
      if (value != NULL && !ml_row_insert (rc, "params", "ss", error, keys[i], value))
        return FALSE;
    }
  return TRUE;
}
