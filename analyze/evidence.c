/* evidence.c -- exactly the rows the case's orders return, chained and de-duplicated.
 *
 * Extraction runs hop by hop.  For each target of the hop, the orders from
 * its first position on (legalcase.c) are served on each access path its
 * kind allows: the returned windows are merged into as few ranges as
 * possible and each range is one indexed query (lookup_by_source,
 * lookup_by_lookup or lookup_by_ip on (key, ts)); the order that returned a
 * row is found from its timestamp in C.  Rows go to one flat array, keyed
 * by their log rowid, and are sorted and merged once at the end: a log row
 * returned by several orders keeps the lowest window and hop and the OR of
 * the access paths.  Identical log rows (the same lookup logged twice in
 * one second) stay two rows, as in the provider's own return.
 *
 * Hops: the other parties of a hop's pen and trap rows (directory services
 * and handles already targeted excepted) are ranked by the number of rows
 * they share with the hop's targets, and the first hop_limit are served the
 * case's orders from the window they were first seen in.  IP pivot: for each
 * named target, every client IP of its own (pen) rows that GeoIP does not
 * class as cellular gets an order for all its lookups, from the window it
 * was first seen in.  docs/analyze/evidence.md explains both rules.
 *
 * Workload: see evidence.h.  Memory: 48 bytes per returned row until the
 * merge, 40 after.
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

/* The rest of a row, read once per distinct row in rowid order. */
#define FETCH_SQL "SELECT ts, source, lookup, ip, lookup_devices FROM lookup_log WHERE rowid = ?1"

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
  ev->ipinfo = int64_table (g_free);
  ev->directory = int64_table (dir_entry_free);
  ev->by_handle = int64_table ((GDestroyNotify) g_array_unref);
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
  MlIpInfo *info = g_hash_table_lookup (ev->ipinfo, &id);

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
  g_hash_table_insert (ev->ipinfo, g_memdup2 (&id, sizeof id), info);
  return info;
}

/* Fill EV->ipinfo for every row's IP with GEO (may be NULL). */
static gboolean
fill_ipinfo (MlEvidence *ev, MlGeoIp *geo, MlStmt *text_stmt, GError **error)
{
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      if (ip_info (ev, geo, text_stmt, r->ip, error) == NULL)
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

  g_return_val_if_fail (ev != NULL && ev->provider != NULL && mmdb_path != NULL, FALSE);
  if ((geo = ml_geoip_open (mmdb_path, error)) == NULL
      || (s = ml_db_prepare (ev->provider, IP_TEXT_SQL, error)) == NULL)
    return FALSE;
  return fill_ipinfo (ev, geo, s, error);
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
  g_hash_table_replace (d->table, g_memdup2 (&id, sizeof id), e);
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
  g_autoptr(GHashTable) table = int64_table (dir_entry_free);
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

/* Append the hits of one index range scan of PATH on KEY over W. */
static gboolean
scan_range (Extractor *x, int path, gint64 key, const MlWindow *w, GArray *orders, int hop, GError **error)
{
  MlStmt *s = x->q[path];
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
      g_array_append_val (x->hits, h);
    }
  ml_stmt_reset (s);
  return st == ML_STEP_DONE;
}

/* Serve ORDERS on KEY through PATH: one scan per merged returned range. */
static gboolean
serve_path (Extractor *x, int path, gint64 key, GArray *orders, int hop, GError **error)
{
  g_auto(MlWindowSet) ranges = { NULL };

  ml_window_set_init (&ranges);
  for (guint i = 0; i < orders->len; i++)
    ml_window_set_add (&ranges, &g_array_index (orders, MlOrder, i).returned);
  for (guint i = 0; i < ranges.w->len; i++)
    if (!scan_range (x, path, key, &g_array_index (ranges.w, MlWindow, i), orders, hop, error))
      return FALSE;
  return TRUE;
}

/* Serve the case's orders from position FIRST on HANDLE, a target of HOP. */
static gboolean
serve (Extractor *x, gint64 handle, int hop, int first, GError **error)
{
  const MlCase *c = x->ev->c;
  MlTarget t = { handle, hop, orders_from (x, first) };

  g_array_append_val (x->ev->targets, t);
  g_hash_table_add (x->targeted, g_memdup2 (&handle, sizeof handle));
  return (!(c->kind & ML_ORDER_PEN_REGISTER) || serve_path (x, PATH_PEN, handle, t.orders, hop, error))
         && (!(c->kind & ML_ORDER_TRAP_TRACE) || serve_path (x, PATH_TRAP, handle, t.orders, hop, error));
}

/* ---- reading the rows: in rowid order, each once ---- */

static int
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

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

/* Read row ROWID into OUT. */
static gboolean
fetch_row (Extractor *x, gint64 rowid, Raw *out, GError **error)
{
  MlStep st;

  ml_stmt_reset (x->fetch);
  if (!ml_stmt_bind_int64 (x->fetch, 1, rowid, error) || (st = ml_stmt_step (x->fetch, error)) == ML_STEP_ERROR)
    return FALSE;
  g_assert (st == ML_STEP_ROW);   /* a rowid just read from an index */
  memset (out, 0, sizeof *out);
  out->rowid = rowid;
  out->row.ts = ml_stmt_int64 (x->fetch, 0);
  out->row.source = ml_stmt_int64 (x->fetch, 1);
  out->row.lookup = ml_stmt_int64 (x->fetch, 2);
  out->row.ip = ml_stmt_int64 (x->fetch, 3);
  out->row.devices = (guint8) CLAMP (ml_stmt_int64 (x->fetch, 4), 0, 255);
  ml_stmt_reset (x->fetch);
  return TRUE;
}

/* The distinct rowids of X->hits[FROM..] not in the store yet, sorted. */
static GArray *
missing_rowids (const Extractor *x, guint from)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), x->hits->len - from);
  guint n = 0;

  for (guint i = from; i < x->hits->len; i++)
    g_array_append_val (ids, g_array_index (x->hits, Hit, i).rowid);
  g_array_sort (ids, compare_i64);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      if ((n > 0 && g_array_index (ids, gint64, n - 1) == id) || store_find (x, id) != NULL)
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

  for (guint i = 0; i < ids->len; i++)
    {
      Raw r;
      if ((i & 0xffff) == 0 && !ml_check_interrupted (error))
        return FALSE;
      if (!fetch_row (x, g_array_index (ids, gint64, i), &r, error))
        return FALSE;
      g_array_append_val (fresh, r);
    }
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
          || g_hash_table_contains (x->ev->directory, &m->key))
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
      if (info->cls == ML_IP_CELLULAR)
        continue;
      orders = orders_from (x, m->first_window);
      if (!serve_path (x, PATH_PIVOT, m->key, orders, 1, error))
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
compare_hit_rowid (gconstpointer a, gconstpointer b)
{
  const Hit *x = a, *y = b;

  return (x->rowid > y->rowid) - (x->rowid < y->rowid);
}

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

/* One row per distinct rowid of X->hits, tagged with the lowest window and
 * hop and every path, into EV->rows sorted by (ts, source, lookup, ip). */
static void
merge_rows (Extractor *x)
{
  GArray *rows = x->ev->rows;
  guint s = 0;

  g_array_sort (x->hits, compare_hit_rowid);
  g_array_set_size (rows, 0);
  for (guint i = 0; i < x->hits->len;)
    {
      const Hit *first = &g_array_index (x->hits, Hit, i);
      MlEvRow row;

      while (g_array_index (x->store, Raw, s).rowid != first->rowid)
        s++;                      /* both sorted by rowid; the store holds every hit */
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
  g_array_sort (rows, compare_row);
  g_clear_pointer (&x->hits, g_array_unref);
  g_clear_pointer (&x->store, g_array_unref);
}

/* ---- extraction ---- */

/* Serve every target of HOP (an array of Met: key = handle, first_window),
 * read their rows, and note what the next hop needs. */
static gboolean
serve_hop (Extractor *x, GArray *hop_targets, int hop, GError **error)
{
  const MlCase *c = x->ev->c;
  guint from = x->hits->len;

  for (guint i = 0; i < hop_targets->len; i++)
    {
      const Met *m = &g_array_index (hop_targets, Met, i);
      if (!ml_check_interrupted (error) || !serve (x, m->key, hop, m->first_window, error))
        return FALSE;
      ml_progress_update (x->progress, x->ev->targets->len, x->hits->len);
    }
  if (!materialise (x, from, error))
    return FALSE;
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
  ok = extractor_init (&x, ev, sources, error) && extract_all (&x, named_targets, error)
       && fill_ipinfo (ev, x.geo, x.ip_text, error);
  extractor_clear (&x);
  if (own)
    ok = ok ? ml_db_commit (provider, error) : (ml_db_rollback (provider, NULL), FALSE);
  if (!ok)
    return NULL;
  ml_evidence_index (ev);
  return g_steal_pointer (&ev);
}
