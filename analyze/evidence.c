/* evidence.c -- exactly the rows the case's orders return, chained and de-duplicated.
 *
 * Extraction runs hop by hop, each hop in two phases.  Phase 1 serves the
 * orders: for each target of the hop, the orders from its first position on
 * (legalcase.c) are served on each access path its kind allows; their
 * returned windows are merged into as few ranges as possible and each range
 * is one scan of the (key, ts) index (lookup_by_source, lookup_by_lookup or
 * lookup_by_ip), which yields rowid and ts without touching the table; the
 * order that returned a row is found from its timestamp in C.  Each such
 * hit (rowid, served key, window, hop, path) is appended to one flat array.
 * Phase 2 reads the table rows of the hop's new rowids once each, in rowid
 * order (table pages in file order), in chunks bound as JSON arrays, split
 * over one read-only connection per processor when there are many.  At the
 * end the hits are radix-sorted by rowid and merged: a log row returned by
 * several orders keeps the lowest window and hop and the OR of the paths.
 * Identical log rows (the same lookup logged twice in one second) stay two
 * rows, as in the provider's own return.
 *
 * Hops: the other parties of a hop's pen and trap rows (directory services
 * and handles already targeted excepted) are ranked by the number of rows
 * they share with the hop's targets, and the first hop_limit are served the
 * case's orders from the window they were first seen in.  IP pivot: for each
 * named target, every client IP of its own (pen) rows that GeoIP does not
 * class as cellular or as a CDR antenna gets an order for all its lookups,
 * from the window it was first seen in.  docs/analyze/evidence.md explains
 * both rules.
 *
 * Workload: see evidence.h; measured on 10^8 rows, 1,000 targets x 12
 * windows (3.5 x 10^6 rows returned): ~8.5 CPU-seconds, two thirds of
 * them reading table rows.  Memory: 24 bytes per hit and 48 per distinct
 * row until the merge, 40 per row after.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/casefile.h"
#include "analyze/evidence.h"
#include "analyze/importlog.h"
#include "analyze/legalcase.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "common/progress.h"

enum { PATH_PEN, PATH_TRAP, PATH_PIVOT, N_PATHS };

/* One statement per access path, answered from the (key, ts) index alone:
 * the index holds the rowid, so no table page is read here. */
static const char *const path_sql[N_PATHS] = {
  "SELECT rowid, ts FROM lookup_log WHERE source = ?1 AND ts >= ?2 AND ts < ?3",
  "SELECT rowid, ts FROM lookup_log WHERE lookup = ?1 AND ts >= ?2 AND ts < ?3",
  "SELECT rowid, ts FROM lookup_log WHERE ip = ?1 AND ts >= ?2 AND ts < ?3",
};
static const guint8 path_via[N_PATHS] = { ML_VIA_PEN, ML_VIA_TRAP, ML_VIA_PIVOT };

/* The rest of the rows, read once per distinct row in rowid order, a chunk
 * of rowids at a time bound as one JSON array (json_each is built into
 * SQLite >= 3.38): one statement execution per chunk rather than per row
 * saves the per-execution setup and keeps one table cursor open (2.4x
 * faster measured on 3.5 x 10^6 rows).  CROSS JOIN keeps json_each
 * outermost, so rows come back in the order of the array. */
#define FETCH_SQL "SELECT l.rowid, l.ts, l.source, l.lookup, l.ip, l.lookup_devices" \
                  " FROM json_each (?1) AS j CROSS JOIN lookup_log AS l ON l.rowid = j.value"
#define FETCH_CHUNK 65536

/* One row returned by one order (an index hit). */
typedef struct {
  gint64 rowid;            /* lookup_log rowid: the row's identity */
  gint64 owner;            /* the key served: target handle, or IP for the pivot */
  guint8 window, hop, via;
} Hit;

/* A log row read from the table. */
typedef struct {
  gint64 rowid;
  MlEvRow row;             /* tags not set */
} Raw;

/* A handle or IP met in the evidence: how often, and first in which window. */
typedef struct {
  gint64 key;
  guint32 count;
  int first_window;
} Met;

typedef struct {
  MlEvidence *ev;
  MlStmt *q[N_PATHS];
  MlStmt *fetch;           /* rowid -> row */
  MlStmt *ip_text;         /* ips.id -> text */
  MlGeoIp *geo;            /* NULL without GeoIP */
  GArray *orders;          /* MlOrder of the case, positions 0..extensions */
  GArray *hits;            /* Hit, in serving order */
  GArray *store;           /* Raw, sorted by rowid, every row of HITS once fetched */
  GHashTable *targeted;    /* gint64* handles served orders (set) */
  GHashTable *met;         /* gint64* other party -> Met*, for the next hop */
  MlProgress *progress;
} Extractor;

/* ---- sorting ---- */

/* The gint64 key a record at P starts with. */
static inline gint64
record_key (const guint8 *p)
{
  gint64 k;

  memcpy (&k, p, sizeof k);
  return k;
}

/* Sort the N records of SIZE bytes at BASE by the gint64 each starts with:
 * LSD radix sort of (key - min), 11 bits a pass over the bits the range of
 * keys needs (3 passes for 2^33 rows), linear and sequential where qsort()
 * would make ~22 cache-missing comparisons per record.  Stable. */
static void
radix_sort (void *base, gsize n, gsize size)
{
  g_autofree guint8 *tmp = g_malloc (n * size + 1);
  guint8 *src = base, *dst = tmp;
  gint64 lo = G_MAXINT64, hi = G_MININT64;
  guint64 range;

  for (gsize i = 0; i < n; i++)
    {
      gint64 k = record_key (src + i * size);
      lo = MIN (lo, k);
      hi = MAX (hi, k);
    }
  range = n > 0 ? (guint64) hi - (guint64) lo : 0;
  for (int shift = 0; shift < 64 && (range >> shift) != 0; shift += 11)
    {
      g_autofree gsize *count = g_new0 (gsize, 2049);
      for (gsize i = 0; i < n; i++)
        count[1 + ((((guint64) record_key (src + i * size) - (guint64) lo) >> shift) & 2047)]++;
      for (int d = 0; d < 2048; d++)
        count[d + 1] += count[d];
      for (gsize i = 0; i < n; i++)
        {
          guint64 d = (((guint64) record_key (src + i * size) - (guint64) lo) >> shift) & 2047;
          memcpy (dst + count[d]++ * size, src + i * size, size);
        }
      guint8 *t = src;
      src = dst;
      dst = t;
    }
  if (src != base)
    memcpy (base, src, n * size);
}

/* ---- the evidence object ---- */

static void
target_clear (gpointer data)
{
  MlTarget *t = data;

  g_clear_pointer (&t->orders, g_array_unref);
}

static void
dir_entry_free (gpointer data)
{
  MlDirEntry *d = data;

  g_free (d->name);
  g_free (d->category);
  g_free (d);
}

static GHashTable *
int64_table (GDestroyNotify value_free)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, value_free);
}

MlEvidence *
ml_evidence_new (MlCase *c, MlDb *provider)
{
  MlEvidence *ev = g_new0 (MlEvidence, 1);

  ev->c = c;
  ev->provider = provider;
  ev->n_windows = c != NULL ? c->extensions + 1 : 1;
  ev->targets = g_array_new (FALSE, TRUE, sizeof (MlTarget));
  g_array_set_clear_func (ev->targets, target_clear);
  ev->rows = g_array_new (FALSE, FALSE, sizeof (MlEvRow));
  ev->ipinfo = ml_id_table_new (g_free);
  ev->directory = ml_id_table_new (dir_entry_free);
  ev->by_handle = ml_id_table_new ((GDestroyNotify) g_array_unref);
  ev->by_ip = ml_id_table_new ((GDestroyNotify) g_array_unref);
  return ev;
}

void
ml_evidence_free (MlEvidence *ev)
{
  if (ev == NULL)
    return;
  g_clear_pointer (&ev->targets, g_array_unref);
  g_clear_pointer (&ev->rows, g_array_unref);
  g_clear_pointer (&ev->ipinfo, g_hash_table_unref);
  g_clear_pointer (&ev->directory, g_hash_table_unref);
  g_clear_pointer (&ev->by_handle, g_hash_table_unref);
  g_clear_pointer (&ev->by_ip, g_hash_table_unref);
  memset (ev->pseudo_key, 0, sizeof ev->pseudo_key);
  g_free (ev);
}

/* ---- GeoIP ---- */

MlIpClass
ml_evidence_ip_class (const char *connection_type)
{
  if (connection_type == NULL || connection_type[0] == '\0')
    return ML_IP_UNKNOWN;
  if (g_ascii_strcasecmp (connection_type, "Cable/DSL") == 0
      || g_ascii_strcasecmp (connection_type, "Dialup") == 0
      || g_ascii_strcasecmp (connection_type, "Satellite") == 0)
    return ML_IP_BROADBAND;
  if (g_ascii_strcasecmp (connection_type, "Corporate") == 0)
    return ML_IP_BUSINESS;
  if (g_ascii_strcasecmp (connection_type, "Cellular") == 0)
    return ML_IP_CELLULAR;
  if (g_ascii_strncasecmp (connection_type, "Wi-Fi", 5) == 0
      || g_ascii_strncasecmp (connection_type, "WiFi", 4) == 0
      || g_ascii_strcasecmp (connection_type, "Hotspot") == 0)
    return ML_IP_WIFI;
  if (g_ascii_strcasecmp (connection_type, "Antenna") == 0)
    return ML_IP_ANTENNA;
  return ML_IP_UNKNOWN;
}

/* The text of IP id ID into INFO->text ("" if ips has no such id). */
static gboolean
ip_text (MlStmt *s, gint64 id, MlIpInfo *info, GError **error)
{
  MlStep st;

  ml_stmt_reset (s);
  if (!ml_stmt_bind_int64 (s, 1, id, error) || (st = ml_stmt_step (s, error)) == ML_STEP_ERROR)
    return FALSE;
  if (st == ML_STEP_ROW && ml_stmt_text (s, 0) != NULL)
    g_strlcpy (info->text, ml_stmt_text (s, 0), sizeof info->text);
  ml_stmt_reset (s);
  return TRUE;
}

/* Geolocate INFO->text with GEO (may be NULL) into INFO. */
static gboolean
ip_geolocate (MlGeoIp *geo, MlIpInfo *info, GError **error)
{
  g_autoptr(GError) e = NULL;
  MlGeoHit hit;

  if (geo == NULL || info->text[0] == '\0')
    return TRUE;
  if (!ml_geoip_lookup (geo, info->text, &hit, &e))
    {
      if (strchr (info->text, ':') != NULL)
        return TRUE;        /* IPv6 in an IPv4 database: not covered */
      g_propagate_error (error, g_steal_pointer (&e));
      return FALSE;
    }
  if (!hit.found)
    return TRUE;
  info->cls = ml_evidence_ip_class (hit.connection_type);
  info->lat = hit.latitude;
  info->lon = hit.longitude;
  info->radius_km = hit.accuracy_radius;
  g_strlcpy (info->city, hit.city, sizeof info->city);
  return TRUE;
}

/* EV's MlIpInfo for ID, made (and stored) on first use.  NULL on error. */
static const MlIpInfo *
ip_info (MlEvidence *ev, MlGeoIp *geo, MlStmt *text_stmt, gint64 id, GError **error)
{
  MlIpInfo *info = g_hash_table_lookup (ev->ipinfo, ML_ID_KEY (id));

  if (info != NULL)
    return info;
  info = g_new0 (MlIpInfo, 1);
  info->id = id;
  info->cls = ML_IP_UNKNOWN;
  info->lat = info->lon = NAN;
  if (!ip_text (text_stmt, id, info, error) || !ip_geolocate (geo, info, error))
    {
      g_free (info);
      return NULL;
    }
  g_hash_table_insert (ev->ipinfo, ML_ID_KEY (id), info);
  return info;
}

static int
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Fill EV->ipinfo for every row's IP with GEO (may be NULL): the distinct
 * ids first, so that the table is probed once per IP, not per row. */
static gboolean
fill_ipinfo (MlEvidence *ev, MlGeoIp *geo, MlStmt *text_stmt, GError **error)
{
  g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ev->rows->len);

  for (guint i = 0; i < ev->rows->len; i++)
    g_array_append_val (ids, g_array_index (ev->rows, MlEvRow, i).ip);
  radix_sort (ids->data, ids->len, sizeof (gint64));
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      if (i > 0 && g_array_index (ids, gint64, i - 1) == id)
        continue;
      if (ip_info (ev, geo, text_stmt, id, error) == NULL)
        return FALSE;
    }
  return TRUE;
}

#define IP_TEXT_SQL "SELECT ip FROM ips WHERE id = ?"

gboolean
ml_evidence_load_ipinfo (MlEvidence *ev, const char *mmdb_path, GError **error)
{
  g_autoptr(MlGeoIp) geo = NULL;
  g_autoptr(MlStmt) s = NULL;
  gboolean own, ok;

  g_return_val_if_fail (ev != NULL && ev->provider != NULL && mmdb_path != NULL, FALSE);

  if ((geo = ml_geoip_open (mmdb_path, error)) == NULL
      || (s = ml_db_prepare (ev->provider, IP_TEXT_SQL, error)) == NULL)
    return FALSE;
  own = !ml_db_in_transaction (ev->provider);
  if (own && !ml_db_begin (ev->provider, error))
    return FALSE;
  ok = fill_ipinfo (ev, geo, s, error);
  if (own)
    ml_db_rollback (ev->provider, NULL);   /* a read transaction: nothing to keep */
  return ok;
}

/* ---- the public directory ---- */

typedef struct {
  const char *path;
  MlStmt *by_text;          /* handle text -> id */
  GHashTable *table;        /* being built */
  guint line;
} DirLoad;

static gboolean
dir_fail (const DirLoad *d, const char *text, GError **error, const char *why)
{
  g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s:%u: %s: '%s'", d->path, d->line, why, text);
  return FALSE;
}

/* Add the directory line TEXT (already split into F) to D->table. */
static gboolean
dir_add (DirLoad *d, const char *text, char **f, GError **error)
{
  MlDirEntry *e;
  gint64 id;
  MlStep st;

  if (g_strv_length (f) != 4)
    return dir_fail (d, text, error, "expected 4 fields (handle,name,category,sensitive)");
  if (f[0][0] == '\0' || f[2][0] == '\0')
    return dir_fail (d, text, error, "empty handle or category");
  if (strcmp (f[3], "0") != 0 && strcmp (f[3], "1") != 0)
    return dir_fail (d, text, error, "sensitive must be 0 or 1");
  ml_stmt_reset (d->by_text);
  if (!ml_stmt_bind_text (d->by_text, 1, f[0], -1, error)
      || (st = ml_stmt_step (d->by_text, error)) == ML_STEP_ERROR)
    return FALSE;
  if (st == ML_STEP_DONE)
    return TRUE;            /* never in the log: cannot be in evidence */
  id = ml_stmt_int64 (d->by_text, 0);
  ml_stmt_reset (d->by_text);
  e = g_new0 (MlDirEntry, 1);
  e->handle = id;
  e->name = g_strdup (f[1]);
  e->category = g_strdup (f[2]);
  e->sensitive = f[3][0] == '1';
  g_hash_table_replace (d->table, ML_ID_KEY (id), e);
  return TRUE;
}

static gboolean
dir_parse (DirLoad *d, char *text, GError **error)
{
  for (char *line = text, *next; line != NULL && *line != '\0'; line = next)
    {
      g_auto(GStrv) f = NULL;
      gsize n;

      if ((next = strchr (line, '\n')) != NULL)
        *next++ = '\0';
      d->line++;
      n = strlen (line);
      if (n > 0 && line[n - 1] == '\r')
        line[n - 1] = '\0';
      if (line[0] == '\0')
        continue;
      if ((f = ml_importlog_split_csv (line)) == NULL)
        return dir_fail (d, line, error, "unbalanced quote");
      if (d->line == 1 && g_ascii_strcasecmp (f[0], "handle") == 0)
        continue;
      if (!dir_add (d, line, f, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ml_evidence_load_directory (MlEvidence *ev, const char *csv_path, GError **error)
{
  g_autoptr(GError) e = NULL;
  g_autofree char *text = NULL;
  g_autoptr(MlStmt) s = NULL;
  g_autoptr(GHashTable) table = ml_id_table_new (dir_entry_free);
  DirLoad d = { csv_path, NULL, table, 0 };

  g_return_val_if_fail (ev != NULL && ev->provider != NULL && csv_path != NULL, FALSE);
  if (!g_file_get_contents (csv_path, &text, NULL, &e))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: %s", csv_path, e->message);
      return FALSE;
    }
  if ((s = ml_db_prepare (ev->provider, "SELECT id FROM handles WHERE handle = ?", error)) == NULL)
    return FALSE;
  d.by_text = s;
  if (!dir_parse (&d, text, error))
    return FALSE;
  g_hash_table_unref (ev->directory);
  ev->directory = g_steal_pointer (&table);
  return TRUE;
}

/* ---- serving orders: index hits ---- */

static void
extractor_clear (Extractor *x)
{
  for (int p = 0; p < N_PATHS; p++)
    g_clear_pointer (&x->q[p], ml_stmt_free);
  g_clear_pointer (&x->fetch, ml_stmt_free);
  g_clear_pointer (&x->ip_text, ml_stmt_free);
  g_clear_pointer (&x->geo, ml_geoip_free);
  g_clear_pointer (&x->orders, g_array_unref);
  g_clear_pointer (&x->hits, g_array_unref);
  g_clear_pointer (&x->store, g_array_unref);
  g_clear_pointer (&x->targeted, g_hash_table_unref);
  g_clear_pointer (&x->met, g_hash_table_unref);
  g_clear_pointer (&x->progress, ml_progress_free);
}

static gboolean
extractor_init (Extractor *x, MlEvidence *ev, const MlEvidenceSources *src, GError **error)
{
  x->ev = ev;
  x->orders = ml_legal_orders (ev->c);
  x->hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  x->store = g_array_new (FALSE, FALSE, sizeof (Raw));
  x->targeted = int64_table (NULL);
  x->met = int64_table (g_free);
  for (int p = 0; p < N_PATHS; p++)
    if ((x->q[p] = ml_db_prepare (ev->provider, path_sql[p], error)) == NULL)
      return FALSE;
  if ((x->fetch = ml_db_prepare (ev->provider, FETCH_SQL, error)) == NULL
      || (x->ip_text = ml_db_prepare (ev->provider, IP_TEXT_SQL, error)) == NULL)
    return FALSE;
  if (src != NULL && src->geoip_path != NULL && (x->geo = ml_geoip_open (src->geoip_path, error)) == NULL)
    return FALSE;
  return TRUE;
}

/* The case's orders at positions >= FIRST: a new GArray of MlOrder. */
static GArray *
orders_from (const Extractor *x, int first)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlOrder));

  for (guint i = 0; i < x->orders->len; i++)
    if (g_array_index (x->orders, MlOrder, i).position >= first)
      g_array_append_val (out, g_array_index (x->orders, MlOrder, i));
  return out;
}

/* Append to HITS the hits of one index range scan of PATH on KEY over W
 * with S (path_sql[PATH]). */
static gboolean
scan_range (MlStmt *s, GArray *hits, int path, gint64 key, const MlWindow *w, GArray *orders, int hop,
            GError **error)
{
  MlStep st;

  ml_stmt_reset (s);
  if (!ml_stmt_bind_int64 (s, 1, key, error) || !ml_stmt_bind_int64 (s, 2, w->start, error)
      || !ml_stmt_bind_int64 (s, 3, w->end, error))
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      int window = ml_legal_window_of (orders, ml_stmt_int64 (s, 1));
      Hit h = { ml_stmt_int64 (s, 0), key, (guint8) window, (guint8) hop, path_via[path] };

      g_assert (window >= 0);     /* the range is a union of returned windows */
      g_array_append_val (hits, h);
    }
  ml_stmt_reset (s);
  return st == ML_STEP_DONE;
}

/* Serve ORDERS on KEY through PATH with S: one scan per merged returned
 * range, the hits appended to HITS. */
static gboolean
serve_path (MlStmt *s, GArray *hits, int path, gint64 key, GArray *orders, int hop, GError **error)
{
  g_auto(MlWindowSet) ranges = { NULL };

  ml_window_set_init (&ranges);
  for (guint i = 0; i < orders->len; i++)
    ml_window_set_add (&ranges, &g_array_index (orders, MlOrder, i).returned);
  for (guint i = 0; i < ranges.w->len; i++)
    if (!scan_range (s, hits, path, key, &g_array_index (ranges.w, MlWindow, i), orders, hop, error))
      return FALSE;
  return TRUE;
}

/* Serve the case's orders on target T (of the case C) with the path
 * statements Q, the hits appended to HITS. */
static gboolean
serve (const MlCase *c, MlStmt *const *q, GArray *hits, const MlTarget *t, GError **error)
{
  return (!(c->kind & ML_ORDER_PEN_REGISTER) || serve_path (q[PATH_PEN], hits, PATH_PEN, t->handle, t->orders, t->hop, error))
         && (!(c->kind & ML_ORDER_TRAP_TRACE)
             || serve_path (q[PATH_TRAP], hits, PATH_TRAP, t->handle, t->orders, t->hop, error));
}

/* A slice of the targets of a hop served on a connection of its own. */
typedef struct {
  const char *path;
  const MlCase *c;
  const MlTarget *targets;
  guint n;
  GArray *hits;             /* Hit */
  GError *error;
} ServePart;

static void
serve_part (guint chunk, gpointer data)
{
  ServePart *p = &((ServePart *) data)[chunk];
  g_autoptr(MlDb) db = ml_db_open (p->path, ML_DB_READONLY, &p->error);
  MlStmt *q[N_PATHS] = { NULL };

  for (int k = 0; db != NULL && k < N_PATHS && p->error == NULL; k++)
    q[k] = ml_db_prepare (db, path_sql[k], &p->error);
  if (p->error == NULL && ml_db_begin (db, &p->error))
    {
      for (guint i = 0; i < p->n && p->error == NULL; i++)
        if (ml_check_interrupted (&p->error))
          serve (p->c, q, p->hits, &p->targets[i], &p->error);
      if (p->error == NULL)
        ml_db_commit (db, &p->error);
    }
  for (int k = 0; k < N_PATHS; k++)
    ml_stmt_free (q[k]);
}

/* Targets per connection below which one connection serves them all. */
static guint serve_parallel_min = 256;

/* Serve the orders on the targets ev->targets[FROM..]: on this connection,
 * or in contiguous slices over one read-only connection per thread, the
 * hits appended in target order either way. */
static gboolean
serve_all (Extractor *x, guint from, GError **error)
{
  const MlTarget *targets = &g_array_index (x->ev->targets, MlTarget, from);
  guint n = x->ev->targets->len - from, threads = ml_parallel_default_threads ();
  g_autofree ServePart *parts = NULL;
  gboolean ok = TRUE;

  threads = MIN (threads, MAX (n / serve_parallel_min, 1u));
  if (threads <= 1)
    {
      for (guint i = 0; i < n; i++)
        {
          if (!ml_check_interrupted (error) || !serve (x->ev->c, x->q, x->hits, &targets[i], error))
            return FALSE;
          ml_progress_update (x->progress, from + i + 1, x->hits->len);
        }
      return TRUE;
    }
  parts = g_new0 (ServePart, threads);
  for (guint t = 0; t < threads; t++)
    {
      guint lo = (guint) ((guint64) n * t / threads), hi = (guint) ((guint64) n * (t + 1) / threads);
      parts[t] = (ServePart) { ml_db_path (x->ev->provider), x->ev->c, targets + lo, hi - lo,
                               g_array_new (FALSE, FALSE, sizeof (Hit)), NULL };
    }
  ml_parallel_for (threads, threads, serve_part, parts);
  for (guint t = 0; t < threads; t++)
    {
      if (ok && parts[t].error != NULL)
        g_propagate_error (error, g_steal_pointer (&parts[t].error)), ok = FALSE;
      if (ok)
        g_array_append_vals (x->hits, parts[t].hits->data, parts[t].hits->len);
      g_clear_error (&parts[t].error);
      g_array_unref (parts[t].hits);
    }
  ml_progress_update (x->progress, x->ev->targets->len, x->hits->len);
  return ok;
}

/* ---- reading the rows: in rowid order, each once ---- */

/* The stored row of ROWID (which must have been fetched), or NULL. */
static const MlEvRow *
store_find (const Extractor *x, gint64 rowid)
{
  const Raw *r;

  if (x->store->len == 0)
    return NULL;
  r = bsearch (&rowid, x->store->data, x->store->len, sizeof (Raw), compare_i64);
  return r != NULL ? &r->row : NULL;
}

/* Append ",ID" (or "ID" when not COMMA) to JSON. */
static void
append_rowid (GString *json, gint64 id, gboolean comma)
{
  char buf[24];
  int n = 0;

  if (id <= 0)
    {
      g_string_append_printf (json, comma ? ",%" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, id);
      return;
    }
  while (id > 0)
    buf[n++] = (char) ('0' + id % 10), id /= 10;
  if (comma)
    g_string_append_c (json, ',');
  while (n > 0)
    g_string_append_c (json, buf[--n]);
}

/* Read the rows of the N sorted rowids IDS with S (FETCH_SQL) and append
 * them to OUT, FETCH_CHUNK rowids a statement. */
static gboolean
fetch_ids (MlStmt *s, const gint64 *ids, guint n, GArray *out, GError **error)
{
  for (guint from = 0; from < n; from += FETCH_CHUNK)
    {
      guint to = MIN (from + FETCH_CHUNK, n), k = from;
      g_autoptr(GString) json = g_string_sized_new ((to - from) * 11 + 2);
      MlStep st;

      if (!ml_check_interrupted (error))
        return FALSE;
      g_string_append_c (json, '[');
      for (guint i = from; i < to; i++)
        append_rowid (json, ids[i], i > from);
      g_string_append_c (json, ']');
      ml_stmt_reset (s);
      if (!ml_stmt_bind_text (s, 1, json->str, (gssize) json->len, error))
        return FALSE;
      while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
        {
          Raw r = { .rowid = ml_stmt_int64 (s, 0) };
          g_assert (k < to && r.rowid == ids[k++]);   /* in array order, every one found */
          r.row.ts = ml_stmt_int64 (s, 1);
          r.row.source = ml_stmt_int64 (s, 2);
          r.row.lookup = ml_stmt_int64 (s, 3);
          r.row.ip = ml_stmt_int64 (s, 4);
          r.row.devices = (guint8) CLAMP (ml_stmt_int64 (s, 5), 0, 255);
          g_array_append_val (out, r);
        }
      ml_stmt_reset (s);
      if (st != ML_STEP_DONE)
        return FALSE;
      g_assert (k == to);
    }
  return TRUE;
}

/* A slice of a parallel fetch, done on its own connection. */
typedef struct {
  const char *path;
  const gint64 *ids;
  guint n;
  GArray *out;              /* Raw */
  GError *error;
} FetchPart;

static void
fetch_part (guint chunk, gpointer data)
{
  FetchPart *p = &((FetchPart *) data)[chunk];
  g_autoptr(MlDb) db = ml_db_open (p->path, ML_DB_READONLY, &p->error);
  g_autoptr(MlStmt) s = db != NULL ? ml_db_prepare (db, FETCH_SQL, &p->error) : NULL;

  if (s == NULL || !ml_db_begin (db, &p->error))
    return;
  if (!fetch_ids (s, p->ids, p->n, p->out, &p->error))
    return;
  g_clear_pointer (&s, ml_stmt_free);
  ml_db_commit (db, &p->error);
}

/* Rows below which one connection reads them all (opening more costs more). */
static guint parallel_min = 1u << 18;

void
ml_evidence_set_parallel_min (guint rows, guint targets)
{
  parallel_min = rows;
  serve_parallel_min = MAX (targets, 1u);
}

/* Read the rows of IDS into OUT: on one connection, or split in contiguous
 * slices over one read-only connection per thread (results concatenated in
 * slice order, so identical for any thread count). */
static gboolean
fetch_all (Extractor *x, GArray *ids, GArray *out, GError **error)
{
  guint threads = ml_parallel_default_threads ();
  g_autofree FetchPart *parts = NULL;
  gboolean ok = TRUE;

  if (ids->len < parallel_min || threads <= 1)
    return fetch_ids (x->fetch, (const gint64 *) ids->data, ids->len, out, error);
  parts = g_new0 (FetchPart, threads);
  for (guint t = 0; t < threads; t++)
    {
      guint from = (guint) ((guint64) ids->len * t / threads), to = (guint) ((guint64) ids->len * (t + 1) / threads);
      parts[t] = (FetchPart) { ml_db_path (x->ev->provider), (const gint64 *) ids->data + from, to - from,
                               g_array_sized_new (FALSE, FALSE, sizeof (Raw), to - from), NULL };
    }
  ml_parallel_for (threads, threads, fetch_part, parts);
  for (guint t = 0; t < threads; t++)
    {
      if (ok && parts[t].error != NULL)
        g_propagate_error (error, g_steal_pointer (&parts[t].error)), ok = FALSE;
      if (ok)
        g_array_append_vals (out, parts[t].out->data, parts[t].out->len);
      g_clear_error (&parts[t].error);
      g_array_unref (parts[t].out);
    }
  return ok;
}

/* The distinct rowids of X->hits[FROM..] not in the store yet, sorted. */
static GArray *
missing_rowids (const Extractor *x, guint from)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), x->hits->len - from);
  guint n = 0, s = 0;

  for (guint i = from; i < x->hits->len; i++)
    g_array_append_val (ids, g_array_index (x->hits, Hit, i).rowid);
  radix_sort (ids->data, ids->len, sizeof (gint64));
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      while (s < x->store->len && g_array_index (x->store, Raw, s).rowid < id)
        s++;                      /* both sorted: walk the store along */
      if ((n > 0 && g_array_index (ids, gint64, n - 1) == id)
          || (s < x->store->len && g_array_index (x->store, Raw, s).rowid == id))
        continue;
      g_array_index (ids, gint64, n++) = id;
    }
  g_array_set_size (ids, n);
  return ids;
}

/* Merge FRESH (sorted by rowid, disjoint from the store) into the store. */
static void
store_merge (Extractor *x, GArray *fresh)
{
  GArray *merged;
  guint i = 0, j = 0;

  if (x->store->len == 0)
    {
      g_array_unref (x->store);
      x->store = g_array_ref (fresh);
      return;
    }
  merged = g_array_sized_new (FALSE, FALSE, sizeof (Raw), x->store->len + fresh->len);
  while (i < x->store->len || j < fresh->len)
    {
      const Raw *a = i < x->store->len ? &g_array_index (x->store, Raw, i) : NULL;
      const Raw *b = j < fresh->len ? &g_array_index (fresh, Raw, j) : NULL;
      if (b == NULL || (a != NULL && a->rowid < b->rowid))
        g_array_append_vals (merged, a, 1), i++;
      else
        g_array_append_vals (merged, b, 1), j++;
    }
  g_array_unref (x->store);
  x->store = merged;
}

/* Read the rows of X->hits[FROM..] that are not in the store yet, in
 * rowid order (table pages are then visited once, in file order). */
static gboolean
materialise (Extractor *x, guint from, GError **error)
{
  g_autoptr(GArray) ids = missing_rowids (x, from);
  g_autoptr(GArray) fresh = g_array_sized_new (FALSE, FALSE, sizeof (Raw), ids->len);

  if (!fetch_all (x, ids, fresh, error))
    return FALSE;
  g_assert (fresh->len == ids->len);   /* every rowid came from an index of this table */
  store_merge (x, fresh);
  return TRUE;
}

/* ---- hops ---- */

/* Count KEY (seen in WINDOW) in TABLE of Met. */
static void
meet (GHashTable *table, gint64 key, int window)
{
  Met *m = g_hash_table_lookup (table, &key);

  if (m == NULL)
    {
      m = g_new0 (Met, 1);
      m->key = key;
      m->first_window = window;
      g_hash_table_insert (table, g_memdup2 (&key, sizeof key), m);
    }
  m->count++;
  m->first_window = MIN (m->first_window, window);
}

/* Count the other party of every pen and trap hit of X->hits[FROM..]. */
static void
meet_parties (Extractor *x, guint from)
{
  for (guint i = from; i < x->hits->len; i++)
    {
      const Hit *h = &g_array_index (x->hits, Hit, i);
      const MlEvRow *r = store_find (x, h->rowid);
      gint64 other;

      if (h->via == ML_VIA_PIVOT)
        continue;
      other = h->via == ML_VIA_PEN ? r->lookup : r->source;
      if (other != h->owner)
        meet (x->met, other, h->window);
    }
}

static int
compare_met_by_key (gconstpointer a, gconstpointer b)
{
  const Met *x = *(const Met *const *) a, *y = *(const Met *const *) b;

  return (x->key > y->key) - (x->key < y->key);
}

static int
compare_met_by_count (gconstpointer a, gconstpointer b)
{
  const Met *x = *(const Met *const *) a, *y = *(const Met *const *) b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return (x->key > y->key) - (x->key < y->key);
}

/* The Met values of TABLE sorted by CMP (borrowed pointers). */
static GPtrArray *
met_sorted (GHashTable *table, GCompareFunc cmp)
{
  GPtrArray *out = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (out, value);
  g_ptr_array_sort (out, cmp);
  return out;
}

/* The next hop's targets (Met copies, at most hop_limit, most rows with the
 * hop first): the parties met, less directory services and handles already
 * targeted.  X->met is emptied. */
static GArray *
next_hop (Extractor *x)
{
  g_autoptr(GPtrArray) list = met_sorted (x->met, compare_met_by_count);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Met));

  for (guint i = 0; i < list->len && out->len < (guint) x->ev->c->hop_limit; i++)
    {
      const Met *m = g_ptr_array_index (list, i);
      if (g_hash_table_contains (x->targeted, &m->key)
          || g_hash_table_contains (x->ev->directory, ML_ID_KEY (m->key)))
        continue;
      g_array_append_val (out, *m);
    }
  g_hash_table_remove_all (x->met);
  return out;
}

/* ---- IP pivot ---- */

/* For each target, the client IPs of its pen hits in X->hits[FROM..]:
 * handle -> (ip -> Met). */
static GHashTable *
pen_ips (const Extractor *x, guint from)
{
  GHashTable *by_target = int64_table ((GDestroyNotify) g_hash_table_unref);

  for (guint i = from; i < x->hits->len; i++)
    {
      const Hit *h = &g_array_index (x->hits, Hit, i);
      GHashTable *ips;

      if (h->via != ML_VIA_PEN)
        continue;
      if ((ips = g_hash_table_lookup (by_target, &h->owner)) == NULL)
        {
          ips = int64_table (g_free);
          g_hash_table_insert (by_target, g_memdup2 (&h->owner, sizeof h->owner), ips);
        }
      meet (ips, store_find (x, h->rowid)->ip, h->window);
    }
  return by_target;
}

/* Serve the pivot on each non-cellular IP of IPS (ip -> Met), from the
 * window the IP was first seen in. */
static gboolean
pivot_target (Extractor *x, GHashTable *ips, GError **error)
{
  g_autoptr(GPtrArray) list = met_sorted (ips, compare_met_by_key);

  for (guint i = 0; i < list->len; i++)
    {
      const Met *m = g_ptr_array_index (list, i);
      const MlIpInfo *info = ip_info (x->ev, x->geo, x->ip_text, m->key, error);
      g_autoptr(GArray) orders = NULL;

      if (info == NULL)
        return FALSE;
      if (info->cls == ML_IP_CELLULAR || info->cls == ML_IP_ANTENNA)
        continue;                 /* shared by strangers: no pivot (a tower dump is another instrument) */
      orders = orders_from (x, m->first_window);
      if (!serve_path (x->q[PATH_PIVOT], x->hits, PATH_PIVOT, m->key, orders, 1, error))
        return FALSE;
    }
  return TRUE;
}

/* The IP pivot of the named targets (TARGETS, Met), whose pen and trap
 * hits are X->hits[FROM..]. */
static gboolean
pivot (Extractor *x, GArray *targets, guint from, GError **error)
{
  g_autoptr(GHashTable) by_target = pen_ips (x, from);
  guint start = x->hits->len;

  for (guint i = 0; i < targets->len; i++)
    {
      GHashTable *ips = g_hash_table_lookup (by_target, &g_array_index (targets, Met, i).key);
      if (ips != NULL && !pivot_target (x, ips, error))
        return FALSE;
    }
  return materialise (x, start, error);
}

/* ---- de-duplication ---- */

static int
compare_row (gconstpointer a, gconstpointer b)
{
  const MlEvRow *x = a, *y = b;

  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  if (x->source != y->source)
    return x->source < y->source ? -1 : 1;
  if (x->lookup != y->lookup)
    return x->lookup < y->lookup ? -1 : 1;
  if (x->ip != y->ip)
    return x->ip < y->ip ? -1 : 1;
  return (x->devices > y->devices) - (x->devices < y->devices);
}

/* Sort ROWS by (ts, source, lookup, ip, devices) unless they already are:
 * logs written in time order (simulations are) have rowids in that order. */
static void
sort_rows (GArray *rows)
{
  for (guint i = 1; i < rows->len; i++)
    if (compare_row (&g_array_index (rows, MlEvRow, i - 1), &g_array_index (rows, MlEvRow, i)) > 0)
      {
        g_array_sort (rows, compare_row);
        return;
      }
}

/* EV->rows: one row per distinct rowid of the hits, tagged with the lowest
 * window and hop and every path of its hits, sorted by (ts, source,
 * lookup, ip).  Hits and store are walked together in rowid order. */
static void
merge_rows (Extractor *x)
{
  GArray *rows = x->ev->rows;
  guint s = 0;

  radix_sort (x->hits->data, x->hits->len, sizeof (Hit));
  g_array_set_size (rows, 0);
  for (guint i = 0; i < x->hits->len;)
    {
      const Hit *first = &g_array_index (x->hits, Hit, i);
      MlEvRow row;

      while (g_array_index (x->store, Raw, s).rowid != first->rowid)
        s++;                      /* the store holds every hit's row */
      row = g_array_index (x->store, Raw, s).row;
      row.window = first->window;
      row.hop = first->hop;
      row.via = first->via;
      for (i++; i < x->hits->len && g_array_index (x->hits, Hit, i).rowid == first->rowid; i++)
        {
          const Hit *dup = &g_array_index (x->hits, Hit, i);
          row.window = MIN (row.window, dup->window);
          row.hop = MIN (row.hop, dup->hop);
          row.via |= dup->via;
        }
      g_array_append_val (rows, row);
    }
  g_clear_pointer (&x->hits, g_array_unref);
  g_clear_pointer (&x->store, g_array_unref);
  sort_rows (rows);
}

/* ---- extraction ---- */

/* Serve every target of HOP (an array of Met: key = handle, first_window),
 * read their rows, and note what the next hop needs. */
static gboolean
serve_hop (Extractor *x, GArray *hop_targets, int hop, GError **error)
{
  const MlCase *c = x->ev->c;
  guint from = x->hits->len;

  gint64 t0 = g_get_monotonic_time ();
  guint first = x->ev->targets->len;

  for (guint i = 0; i < hop_targets->len; i++)
    {
      const Met *m = &g_array_index (hop_targets, Met, i);
      MlTarget t = { m->key, hop, orders_from (x, m->first_window) };
      g_array_append_val (x->ev->targets, t);
      g_hash_table_add (x->targeted, g_memdup2 (&m->key, sizeof m->key));
    }
  if (!serve_all (x, first, error))
    return FALSE;
  g_debug ("hop %d: %u orders served, %u hits in %.3f s", hop, hop_targets->len, x->hits->len - from,
           (double) (g_get_monotonic_time () - t0) / 1e6);
  if (!materialise (x, from, error))
    return FALSE;
  g_debug ("hop %d: rows read in %.3f s", hop, (double) (g_get_monotonic_time () - t0) / 1e6);
  if (hop < c->hops)
    meet_parties (x, from);
  return !(c->ip_pivot && hop == 1) || pivot (x, hop_targets, from, error);
}

/* The named targets as hop-1 Mets, duplicates dropped. */
static GArray *
named_hop (GArray *named)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Met));

  for (guint i = 0; i < named->len; i++)
    {
      gint64 *h = &g_array_index (named, gint64, i);
      Met m = { *h, 0, 0 };
      if (!g_hash_table_add (seen, h))
        continue;
      g_array_append_val (out, m);
    }
  return out;
}

static gboolean
extract_all (Extractor *x, GArray *named, GError **error)
{
  const MlCase *c = x->ev->c;
  g_autoptr(GArray) current = named_hop (named);

  x->progress = ml_progress_new ("evidence", current->len + (guint64) (c->hops - 1) * (guint64) c->hop_limit,
                                 "targets");
  for (int hop = 1; hop <= c->hops && current->len > 0; hop++)
    {
      if (!serve_hop (x, current, hop, error))
        return FALSE;
      g_clear_pointer (&current, g_array_unref);
      current = hop < c->hops ? next_hop (x) : g_array_new (FALSE, FALSE, sizeof (Met));
    }
  ml_progress_finish (x->progress);
  merge_rows (x);
  return TRUE;
}

MlEvidence *
ml_evidence_extract (MlCase *c, MlDb *provider, GArray *named_targets,
                     const MlEvidenceSources *sources, GError **error)
{
  g_autoptr(MlEvidence) ev = NULL;
  Extractor x = { 0 };
  gboolean ok, own;

  g_return_val_if_fail (c != NULL && provider != NULL && named_targets != NULL, NULL);
  g_return_val_if_fail (g_array_get_element_size (named_targets) == sizeof (gint64), NULL);
  g_return_val_if_fail (c->first_service != ML_CASE_SERVICE_AUTO, NULL);
  ev = ml_evidence_new (c, provider);
  if (sources != NULL && sources->directory_path != NULL
      && !ml_evidence_load_directory (ev, sources->directory_path, error))
    return NULL;
  /* One read transaction: a statement outside one takes and drops the
   * file lock and revalidates the page cache on every step. */
  own = !ml_db_in_transaction (provider);
  if (own && !ml_db_begin (provider, error))
    return NULL;
  gint64 t0 = g_get_monotonic_time ();
  ok = extractor_init (&x, ev, sources, error) && extract_all (&x, named_targets, error);
  g_debug ("evidence rows merged: %.3f s", (double) (g_get_monotonic_time () - t0) / 1e6);
  ok = ok && fill_ipinfo (ev, x.geo, x.ip_text, error);
  g_debug ("evidence IPs located: %.3f s", (double) (g_get_monotonic_time () - t0) / 1e6);
  extractor_clear (&x);
  if (own)
    ml_db_rollback (provider, NULL);   /* a read transaction: nothing to keep */
  if (!ok)
    return NULL;
  ml_evidence_index (ev);
  g_debug ("evidence indexed: %.3f s", (double) (g_get_monotonic_time () - t0) / 1e6);
  return g_steal_pointer (&ev);
}
