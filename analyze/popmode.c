/* popmode.c -- population mode: what a bulk collection of the whole log reveals.
 *
 * See popmode.h and docs/analyze/population.md.  Three stages:
 *
 *   1. Dictionaries.  Handles get dense indices; every IP of the ips table
 *      is geolocated once and mapped to a place (a distinct GeoIP
 *      position, so a broadband block renumbered every few weeks stays one
 *      place, and a cellular pool is its carrier's egress city) and a
 *      class.  Up to SAMPLE_MAX sources with >= MIN_LOCATED located
 *      lookups are drawn in a seeded order (through the lookup_by_source
 *      index), and ML_POP_K_MAX of the distinct (hour, place) points of
 *      each one's trace are drawn, in a seeded order.
 *   2. One parallel scan of lookup_log in N_CHUNKS fixed rowid ranges, one
 *      worker (connection + tables) per thread.  Per row: the window, the
 *      directed edge (first window), night broadband (or antenna) and weekday
 *      daytime non-cellular counts per (source, place), and, for the sampled
 *      points, who was there (per-worker lists; a bitmap shared by the
 *      workers for the crowded points of cellular places).  Workers are
 *      merged with commutative operations (sum, min, union), so results
 *      do not depend on the thread count or the schedule.
 *   3. Homes, work places, uniqueness, home/work pair uniqueness and the
 *      graph curves; written to analysis.db.
 *
 * Hot path: resolve_row() and apply_row() run once per log row (10^8 a
 * run), in batches whose cache misses overlap: three probes of read-only
 * open-addressing tables, two or three updates of the worker's own tables,
 * no allocation except table growth.  Memory per worker: ~16 bytes per
 * distinct directed (source, lookup) pair, ~32 per (source, place) pair.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "analyze/casefile.h"
#include "analyze/evidence.h"
#include "analyze/legalcase.h"
#include "analyze/popmode.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/parallel.h"
#include "common/rng.h"

#define MIN_LOCATED 10            /* sources considered: at least this many located lookups */
#define SAMPLE_MAX 2000           /* people whose traces are tested for uniqueness */
#define N_CHUNKS 64               /* rowid ranges: fixed, independent of the thread count */
#define BATCH 256                 /* rows probed together (cache misses overlap) */
#define MAX_THREADS 8             /* each thread holds its own tables: bound the memory */
#define BUSINESS_WEIGHT 2         /* a corporate IP counts double for work, as in location.c */
#define KM_PER_DEGREE (G_PI * ML_GEO_EARTH_RADIUS_KM / 180.0)
#define NO_WINDOW 255
#define POINT_STREAM 0x706f70     /* "pop": the rng stream of the point draws */

static const double scales_km[ML_POP_N_SCALES] = { 0.5, 2.0, 10.0, 50.0 };

/* ---- open-addressing hash tables ----------------------------------------------------
 *
 * Map: 64-bit keys (0 = empty) -> 32-bit values, key and value in one
 * 16-byte slot so that a probe costs one cache miss.  Set: 64-bit words
 * whose low 8 bits are a payload (a window) outside the key: the key is
 * word >> 8 (never 0).  Both use linear probing at load <= 1/2 and a
 * splitmix64 hash.  Tables of 2 MiB or more ask for transparent huge pages:
 * the scan probes them at random, and 4 KiB pages would cost a TLB miss
 * per probe. */

typedef struct {
  guint64 key;
  guint32 val;
  guint32 pad;
} Slot;

typedef struct {
  Slot *slots;
  gsize mask;                     /* capacity - 1; capacity a power of two */
  gsize len;
} Map;

typedef struct {
  guint64 *words;                 /* key << 8 | payload; 0 = empty */
  gsize mask;
  gsize len;
} Set;

#define HUGE_PAGE ((gsize) 2 << 20)

static inline guint64
mix64 (guint64 x)                 /* splitmix64's finaliser */
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* Prefetch hints are macros, not inline functions: GCC 12 finds such a
 * wrapper free of side effects and deletes its calls (dead code). */
#ifdef __GNUC__
#define PREFETCH(p) __builtin_prefetch (p)
#else
#define PREFETCH(p) ((void) (p))
#endif

/* SIZE zeroed bytes, from an anonymous mapping on huge pages when large
 * (the kernel zeroes pages on first touch: no memset pass over memory that
 * may never be touched); free with big_free (p, SIZE). */
static gpointer
big_alloc0 (gsize size)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (size >= HUGE_PAGE)
    {
      gpointer p = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED)
        g_error ("population mode: out of memory (%" G_GSIZE_FORMAT " bytes)", size);
      madvise (p, size, MADV_HUGEPAGE);
      return p;
    }
#endif
  return g_malloc0 (size);
}

static void
big_free (gpointer p, gsize size)
{
  if (p == NULL)
    return;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (size >= HUGE_PAGE)
    {
      munmap (p, size);
      return;
    }
#endif
  g_free (p);
}

static gsize
capacity_for (gsize n)
{
  gsize cap = 16;

  while (cap < n)
    cap *= 2;
  return cap;
}

static void
map_init (Map *m, gsize capacity)
{
  gsize cap = capacity_for (capacity);

  m->slots = big_alloc0 (cap * sizeof (Slot));
  m->mask = cap - 1;
  m->len = 0;
}

static void
map_clear (Map *m)
{
  big_free (m->slots, (m->mask + 1) * sizeof (Slot));
  m->slots = NULL;
  m->len = 0;
}

static inline guint32 *map_probe (Map *m, guint64 key, gboolean *fresh);

static void
map_grow (Map *m)
{
  Map old = *m;
  gboolean fresh;

  map_init (m, (old.mask + 1) * 2);
  for (gsize i = 0; i <= old.mask; i++)
    if (old.slots[i].key != 0)
      *map_probe (m, old.slots[i].key, &fresh) = old.slots[i].val;
  map_clear (&old);
}

/* The value of KEY (non-zero), inserted as 0 when absent (*FRESH TRUE). */
static inline guint32 *
map_probe (Map *m, guint64 key, gboolean *fresh)
{
  gsize i;

  if ((m->len + 1) * 2 > m->mask + 1)
    map_grow (m);
  for (i = mix64 (key) & m->mask; m->slots[i].key != key; i = (i + 1) & m->mask)
    if (m->slots[i].key == 0)
      {
        m->slots[i].key = key;
        m->len++;
        *fresh = TRUE;
        return &m->slots[i].val;
      }
  *fresh = FALSE;
  return &m->slots[i].val;
}

static inline const guint32 *
map_get (const Map *m, guint64 key)
{
  for (gsize i = mix64 (key) & m->mask; m->slots[i].key != 0; i = (i + 1) & m->mask)
    if (m->slots[i].key == key)
      return &m->slots[i].val;
  return NULL;
}

#define MAP_PREFETCH(m, key) PREFETCH (&(m)->slots[mix64 (key) & (m)->mask])

static void
set_init (Set *s, gsize capacity)
{
  gsize cap = capacity_for (capacity);

  s->words = big_alloc0 (cap * sizeof (guint64));
  s->mask = cap - 1;
  s->len = 0;
}

static void
set_clear (Set *s)
{
  big_free (s->words, (s->mask + 1) * sizeof (guint64));
  s->words = NULL;
  s->len = 0;
}

static inline void set_add_min (Set *s, guint64 key, guint8 payload);

static void
set_grow (Set *s)
{
  Set old = *s;

  set_init (s, (old.mask + 1) * 2);
  for (gsize i = 0; i <= old.mask; i++)
    if (old.words[i] != 0)
      set_add_min (s, old.words[i] >> 8, (guint8) old.words[i]);
  set_clear (&old);
}

/* Add KEY (non-zero, < 2^56) with PAYLOAD, or lower its payload to PAYLOAD. */
static inline void
set_add_min (Set *s, guint64 key, guint8 payload)
{
  gsize i;

  if ((s->len + 1) * 2 > s->mask + 1)
    set_grow (s);
  for (i = mix64 (key) & s->mask; s->words[i] != 0; i = (i + 1) & s->mask)
    if (s->words[i] >> 8 == key)
      {
        if ((guint8) s->words[i] > payload)
          s->words[i] = key << 8 | payload;
        return;
      }
  s->words[i] = key << 8 | payload;
  s->len++;
}

/* The payload of KEY, or -1 when absent. */
static inline int
set_get (const Set *s, guint64 key)
{
  for (gsize i = mix64 (key) & s->mask; s->words[i] != 0; i = (i + 1) & s->mask)
    if (s->words[i] >> 8 == key)
      return (guint8) s->words[i];
  return -1;
}

#define SET_PREFETCH(s, key) PREFETCH (&(s)->words[mix64 (key) & (s)->mask])

/* Keys: an edge is (source + 1) << 28 | lookup; a (source, place, kind)
 * count (source + 1) << 32 | place << 1 | kind.  Dense handle indices stay
 * below MAX_HANDLES. */
#define MAX_HANDLES ((1u << 28) - 2)

static inline guint64
edge_key (guint32 s, guint32 d)
{
  return ((guint64) s + 1) << 28 | d;
}

static inline guint64
place_key (guint32 s, guint32 place, int kind)
{
  return ((guint64) s + 1) << 32 | (guint64) place << 1 | (guint64) kind;
}

/* ---- the scan's shared state and its workers --------------------------------- */

typedef struct {
  MlDb *db;
  MlStmt *stmt;
  Map places;                     /* place_key -> weighted lookups */
  Set edges;                      /* edge_key, payload: first window */
  GArray **lists;                 /* per sampled point not crowded: sources seen there (repeats
                                     until finish_lists()), or NULL */
  guint n_lists;
  guint32 *located;               /* per handle: located lookups as source */
  guint8 *first;                  /* per handle: first window as source, NO_WINDOW if none */
  guint64 *rows;                  /* per window: rows */
  GError *error;
} Worker;

typedef struct {
  double lat, lon;
  MlIpClass cls;                  /* of the first IP found there */
} Place;

typedef struct {
  guint32 handle;                 /* dense index */
  guint n_points;                 /* points drawn, <= ML_POP_K_MAX */
  guint32 point[ML_POP_K_MAX];    /* point indices, in draw order */
} Sampled;

typedef struct {
  const MlCase *c;
  Map handles;                    /* handle id + 1 -> dense index */
  GArray *handle_ids;             /* gint64: dense index -> handle id, ascending */
  Map ips;                        /* ip id + 1 -> (place + 1) << 3 | MlIpClass; place + 1 = 0: no position */
  GArray *places;                 /* Place */
  Map points;                     /* ((hour << 32) | place) + 1 -> point index */
  guint n_points;
  guint32 **crowded;              /* per point: for a cellular place, a bitmap of the sources
                                     there, shared by the workers (atomic OR); else NULL */
  gboolean whole_log;             /* no orders: every row is window 0 */
  MlDay day0;
  gint16 *day_window;             /* day - day0 -> window, -1 outside the returned windows */
  gint64 n_days;
  int n_windows;
  int night_start, night_end, work_start, work_end;   /* seconds of the day */
  gint64 row_lo, row_hi;          /* rowid range [lo, hi) */
  GAsyncQueue *pool;              /* idle Worker* */
  Worker *workers;
  guint n_workers;
  gint failed;                    /* atomic: a chunk failed, skip the rest */
} Scan;

static inline int
window_of (const Scan *sc, MlTime ts)
{
  gint64 d;

  if (sc->whole_log)
    return 0;
  d = (gint64) ml_day_of (ts) - sc->day0;
  return d >= 0 && d < sc->n_days ? sc->day_window[d] : -1;
}

static inline gboolean
in_hours (int sec, int start, int end)
{
  return start <= end ? sec >= start && sec < end : sec >= start || sec < end;
}

/* The night of a CDR antenna (location.c): bandicoot's, every time not
 * strictly between night_end and night_start, so night_end itself too. */
static inline gboolean
antenna_night (const Scan *sc, int sec)
{
  return in_hours (sec, sc->night_start, sc->night_end) || sec == sc->night_end;
}

/* Place and class of IP (ips.id); FALSE when it has no position. */
static inline gboolean
ip_place (const Scan *sc, gint64 ip, guint32 *place, MlIpClass *cls)
{
  const guint32 *v = map_get (&sc->ips, (guint64) ip + 1);

  if (v == NULL || (*v >> 3) == 0)
    return FALSE;
  *place = (*v >> 3) - 1;
  *cls = (MlIpClass) (*v & 7);
  return TRUE;
}

/* A log row, and what the dictionaries say about it. */
typedef struct {
  MlTime ts;
  gint64 source, lookup, ip;
  int win;                        /* -1: outside the windows or unknown handles */
  guint32 s, d, place;
  gboolean located;
  MlIpClass cls;
} LogRow;

/* Stage 1 of a batch: window and dense indices; the worker's slots for the
 * row are prefetched for stage 2. */
static inline void
resolve_row (const Scan *sc, const Worker *w, LogRow *r)
{
  const guint32 *si, *di;

  r->win = window_of (sc, r->ts);
  if (r->win < 0 || (si = map_get (&sc->handles, (guint64) r->source + 1)) == NULL
      || (di = map_get (&sc->handles, (guint64) r->lookup + 1)) == NULL)
    {
      r->win = -1;
      return;
    }
  r->s = *si;
  r->d = *di;
  r->located = ip_place (sc, r->ip, &r->place, &r->cls);
  SET_PREFETCH (&w->edges, edge_key (r->s, r->d));
  PREFETCH (&w->located[r->s]);
  if (r->located && r->cls != ML_IP_CELLULAR)
    MAP_PREFETCH (&w->places, place_key (r->s, r->place, 0));
}

/* Stage 2: the worker's counts. */
static inline void
apply_row (const Scan *sc, Worker *w, const LogRow *r)
{
  int sec = ml_second_of_day (r->ts);
  gboolean fresh;

  w->rows[r->win]++;
  w->first[r->s] = MIN (w->first[r->s], (guint8) r->win);
  set_add_min (&w->edges, edge_key (r->s, r->d), (guint8) r->win);
  if (!r->located)
    return;
  w->located[r->s]++;
  if ((r->cls == ML_IP_BROADBAND && in_hours (sec, sc->night_start, sc->night_end))
      || (r->cls == ML_IP_ANTENNA && antenna_night (sc, sec)))
    *map_probe (&w->places, place_key (r->s, r->place, 0), &fresh) += 1;
  if ((r->cls == ML_IP_BROADBAND || r->cls == ML_IP_BUSINESS || r->cls == ML_IP_WIFI || r->cls == ML_IP_ANTENNA)
      && !ml_is_weekend (ml_day_of (r->ts)) && in_hours (sec, sc->work_start, sc->work_end))
    *map_probe (&w->places, place_key (r->s, r->place, 1), &fresh) += r->cls == ML_IP_BUSINESS ? BUSINESS_WEIGHT : 1;
  if (sc->n_points > 0 && r->ts >= 0)
    {
      const guint32 *pt = map_get (&sc->points, ((guint64) (r->ts / 3600) << 32 | r->place) + 1);
      if (pt != NULL && sc->crowded[*pt] != NULL)
        g_atomic_int_or (&sc->crowded[*pt][r->s >> 5], 1u << (r->s & 31));
      else if (pt != NULL)
        {
          if (w->lists[*pt] == NULL)
            w->lists[*pt] = g_array_new (FALSE, FALSE, sizeof (guint32));
          g_array_append_val (w->lists[*pt], r->s);
        }
    }
}

/* Rows are handled in batches: first every row's dictionary probes (their
 * cache misses overlap thanks to the prefetches), then every update. */
static void
process_batch (const Scan *sc, Worker *w, LogRow *rows, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      MAP_PREFETCH (&sc->handles, (guint64) rows[i].source + 1);
      MAP_PREFETCH (&sc->handles, (guint64) rows[i].lookup + 1);
      MAP_PREFETCH (&sc->ips, (guint64) rows[i].ip + 1);
    }
  for (guint i = 0; i < n; i++)
    resolve_row (sc, w, &rows[i]);
  for (guint i = 0; i < n; i++)
    if (rows[i].win >= 0)
      apply_row (sc, w, &rows[i]);
}

static gboolean
scan_range (const Scan *sc, Worker *w, gint64 lo, gint64 hi, GError **error)
{
  LogRow batch[BATCH];
  MlStmt *s = w->stmt;
  guint n = 0;
  MlStep st;

  if (!ml_stmt_bind_int64 (s, 1, lo, error) || !ml_stmt_bind_int64 (s, 2, hi, error))
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      batch[n] = (LogRow) { .ts = ml_stmt_int64 (s, 0), .source = ml_stmt_int64 (s, 1),
                            .lookup = ml_stmt_int64 (s, 2), .ip = ml_stmt_int64 (s, 3) };
      if (++n == BATCH)
        {
          process_batch (sc, w, batch, n);
          n = 0;
        }
    }
  process_batch (sc, w, batch, n);
  ml_stmt_reset (s);
  return st == ML_STEP_DONE;
}

static void
scan_chunk (guint chunk, gpointer data)
{
  Scan *sc = data;
  gint64 span = sc->row_hi - sc->row_lo;
  gint64 lo = sc->row_lo + span * chunk / N_CHUNKS, hi = sc->row_lo + span * (chunk + 1) / N_CHUNKS;
  GError *local = NULL;
  Worker *w;

  if (g_atomic_int_get (&sc->failed))
    return;
  w = g_async_queue_pop (sc->pool);
  if (!scan_range (sc, w, lo, hi, &local))
    {
      g_atomic_int_set (&sc->failed, 1);
      if (w->error == NULL)
        w->error = local;
      else
        g_error_free (local);
    }
  g_async_queue_push (sc->pool, w);
}

static gboolean
worker_init (Worker *w, const Scan *sc, const char *path, GError **error)
{
  guint n = MAX (sc->handle_ids->len, 1);

  memset (w, 0, sizeof *w);
  map_init (&w->places, 1024);
  set_init (&w->edges, 1024);
  w->lists = g_new0 (GArray *, MAX (sc->n_points, 1));
  w->n_lists = sc->n_points;
  w->located = g_new0 (guint32, n);
  w->first = g_malloc (n);
  memset (w->first, NO_WINDOW, n);
  w->rows = g_new0 (guint64, sc->n_windows);
  return (w->db = ml_db_open (path, ML_DB_READONLY, error)) != NULL
         && (w->stmt = ml_db_prepare (w->db, "SELECT ts, source, lookup, ip FROM lookup_log"
                                      " WHERE rowid >= ? AND rowid < ?", error)) != NULL;
}

static void
worker_clear (Worker *w)
{
  g_clear_pointer (&w->stmt, ml_stmt_free);
  g_clear_pointer (&w->db, ml_db_free);
  map_clear (&w->places);
  set_clear (&w->edges);
  for (guint p = 0; w->lists != NULL && p < w->n_lists; p++)
    if (w->lists[p] != NULL)
      g_array_unref (w->lists[p]);
  g_clear_pointer (&w->lists, g_free);
  g_clear_pointer (&w->located, g_free);
  g_clear_pointer (&w->first, g_free);
  g_clear_pointer (&w->rows, g_free);
  g_clear_error (&w->error);
}

/* Fold every worker into workers[0]: sums, minima, unions. */
static void
merge_workers (Scan *sc)
{
  Worker *a = &sc->workers[0];
  gboolean fresh;

  for (guint k = 1; k < sc->n_workers; k++)
    {
      Worker *b = &sc->workers[k];
      for (gsize i = 0; i <= b->places.mask; i++)
        if (b->places.slots[i].key != 0)
          *map_probe (&a->places, b->places.slots[i].key, &fresh) += b->places.slots[i].val;
      for (gsize i = 0; i <= b->edges.mask; i++)
        if (b->edges.words[i] != 0)
          set_add_min (&a->edges, b->edges.words[i] >> 8, (guint8) b->edges.words[i]);
      for (guint p = 0; p < sc->n_points; p++)
        if (b->lists[p] != NULL && a->lists[p] == NULL)
          a->lists[p] = g_steal_pointer (&b->lists[p]);
        else if (b->lists[p] != NULL)
          g_array_append_vals (a->lists[p], b->lists[p]->data, b->lists[p]->len);
      for (guint i = 0; i < sc->handle_ids->len; i++)
        {
          a->located[i] += b->located[i];
          a->first[i] = MIN (a->first[i], b->first[i]);
        }
      for (int n = 0; n < sc->n_windows; n++)
        a->rows[n] += b->rows[n];
      worker_clear (b);
    }
}

/* Scan the whole log with one worker per thread; the merged result is in
 * sc->workers[0]. */
static gboolean
run_scan (Scan *sc, MlDb *provider, GError **error)
{
  guint threads = CLAMP (ml_parallel_default_threads (), 1, MAX_THREADS);
  gboolean ok = TRUE;

  if (!ml_db_query_int64 (provider, "SELECT coalesce(min(rowid), 0) FROM lookup_log", &sc->row_lo, error)
      || !ml_db_query_int64 (provider, "SELECT coalesce(max(rowid), -1) + 1 FROM lookup_log", &sc->row_hi, error))
    return FALSE;
  sc->workers = g_new0 (Worker, threads);
  sc->pool = g_async_queue_new ();
  for (guint k = 0; k < threads && ok; k++, sc->n_workers++)
    {
      ok = worker_init (&sc->workers[k], sc, ml_db_path (provider), error);
      g_async_queue_push (sc->pool, &sc->workers[k]);
    }
  if (ok)
    ml_parallel_for (N_CHUNKS, threads, scan_chunk, sc);
  for (guint k = 0; ok && k < sc->n_workers; k++)
    if (sc->workers[k].error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&sc->workers[k].error));
        ok = FALSE;
      }
  if (ok)
    merge_workers (sc);
  return ok;
}

/* ---- stage 1: windows, handles, IPs, the sample ---------------------------------- */

/* sc->day_window from the case's orders: each day's first returning order. */
static void
setup_windows (Scan *sc)
{
  g_autoptr(GArray) orders = NULL;
  MlDay lo = G_MAXINT32, hi = G_MININT32;

  if (sc->c->first_service == ML_CASE_SERVICE_AUTO)
    {
      sc->whole_log = TRUE;
      sc->n_windows = 1;
      return;
    }
  orders = ml_legal_orders (sc->c);
  sc->n_windows = (int) orders->len;
  for (guint i = 0; i < orders->len; i++)
    {
      const MlOrder *o = &g_array_index (orders, MlOrder, i);
      lo = MIN (lo, ml_day_of (o->returned.start));
      hi = MAX (hi, ml_day_of (o->returned.end));
    }
  sc->day0 = lo;
  sc->n_days = hi > lo ? hi - lo : 0;
  sc->day_window = g_new (gint16, MAX (sc->n_days, 1));
  for (gint64 d = 0; d < sc->n_days; d++)
    sc->day_window[d] = (gint16) ml_legal_window_of (orders, ml_day_start ((MlDay) (lo + d)));
}

static gboolean
load_handles (Scan *sc, MlDb *provider, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (provider, "SELECT id FROM handles ORDER BY id", error);
  gboolean fresh;
  MlStep st;

  if (s == NULL)
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      gint64 id = ml_stmt_int64 (s, 0);
      if (sc->handle_ids->len >= MAX_HANDLES)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: more than %u handles", ml_db_path (provider),
                       MAX_HANDLES);
          return FALSE;
        }
      *map_probe (&sc->handles, (guint64) id + 1, &fresh) = sc->handle_ids->len;
      g_array_append_val (sc->handle_ids, id);
    }
  return st == ML_STEP_DONE;
}

/* The place index of position (LAT, LON): positions equal to 1e-5 degrees
 * (about a metre) are one place. */
static guint32
place_of (Scan *sc, GHashTable *index, double lat, double lon, MlIpClass cls)
{
  gint64 key = (gint64) llround (lat * 1e5) * 100000000 + llround (lon * 1e5);
  gpointer v;

  if (g_hash_table_lookup_extended (index, &key, NULL, &v))
    return GPOINTER_TO_UINT (v);
  Place p = { lat, lon, cls };
  g_array_append_val (sc->places, p);
  g_hash_table_insert (index, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (sc->places->len - 1));
  return sc->places->len - 1;
}

/* Geolocate every IP of the ips table once. */
static gboolean
load_ips (Scan *sc, MlDb *provider, const char *mmdb_path, GError **error)
{
  g_autoptr(MlGeoIp) geo = NULL;
  g_autoptr(MlStmt) s = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean fresh;
  MlStep st;

  if (mmdb_path == NULL)
    return TRUE;
  if ((geo = ml_geoip_open (mmdb_path, error)) == NULL
      || (s = ml_db_prepare (provider, "SELECT id, ip FROM ips", error)) == NULL)
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      MlGeoHit hit;
      const char *text = ml_stmt_text (s, 1);
      if (text == NULL || !ml_geoip_lookup (geo, text, &hit, NULL) || !hit.found || isnan (hit.latitude))
        continue;
      MlIpClass cls = ml_evidence_ip_class (hit.connection_type);
      guint32 place = place_of (sc, index, hit.latitude, hit.longitude, cls);
      *map_probe (&sc->ips, (guint64) ml_stmt_int64 (s, 0) + 1, &fresh) = (place + 1) << 3 | (guint32) cls;
    }
  return st == ML_STEP_DONE;
}

typedef struct {
  guint64 rank;                   /* keyed hash of the handle id */
  guint32 handle;                 /* dense index */
} Ranked;

static int
cmp_ranked (gconstpointer pa, gconstpointer pb)
{
  const Ranked *a = pa, *b = pb;
  return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int
cmp_u64 (gconstpointer pa, gconstpointer pb)
{
  guint64 a = *(const guint64 *) pa, b = *(const guint64 *) pb;
  return a < b ? -1 : a > b;
}

/* The distinct (hour << 32 | place) points of handle ID's lookups in the
 * windows into PTS (sorted), and its located lookups into *LOCATED. */
static gboolean
trace_points (const Scan *sc, MlStmt *s, gint64 id, GArray *pts, guint *located, GError **error)
{
  guint n = 0, j = 0;
  MlStep st;

  g_array_set_size (pts, 0);
  *located = 0;
  if (!ml_stmt_bind_int64 (s, 1, id, error))
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      MlTime ts = ml_stmt_int64 (s, 0);
      guint32 place;
      MlIpClass cls;
      if (window_of (sc, ts) < 0 || ts < 0 || !ip_place (sc, ml_stmt_int64 (s, 1), &place, &cls))
        continue;
      guint64 p = (guint64) (ts / 3600) << 32 | place;
      g_array_append_val (pts, p);
      n++;
    }
  ml_stmt_reset (s);
  g_array_sort (pts, cmp_u64);
  for (guint i = 0; i < pts->len; i++)
    if (j == 0 || g_array_index (pts, guint64, i) != g_array_index (pts, guint64, j - 1))
      g_array_index (pts, guint64, j++) = g_array_index (pts, guint64, i);
  g_array_set_size (pts, j);
  *located = n;
  return st == ML_STEP_DONE;
}

/* Draw ML_POP_K_MAX of PTS in a seeded order and register them as points. */
static void
sample_add (Scan *sc, guint32 handle, GArray *pts, GArray *sample)
{
  Sampled x = { .handle = handle, .n_points = MIN (pts->len, ML_POP_K_MAX) };
  gboolean fresh;
  MlRng rng;

  ml_rng_init (&rng, sc->c->seed, POINT_STREAM, (guint64) g_array_index (sc->handle_ids, gint64, handle), 0);
  ml_rng_shuffle (&rng, pts->data, pts->len, sizeof (guint64));
  for (guint k = 0; k < x.n_points; k++)
    {
      guint32 *v = map_probe (&sc->points, g_array_index (pts, guint64, k) + 1, &fresh);
      if (fresh)
        *v = sc->n_points++;
      x.point[k] = *v;
    }
  g_array_append_val (sample, x);
}

/* A shared bitmap for every point at a cellular place: a carrier's egress
 * point holds a large share of its subscribers every hour, too many for
 * per-worker lists. */
static void
alloc_crowded (Scan *sc)
{
  guint n_words = sc->handle_ids->len / 32 + 1;

  sc->crowded = g_new0 (guint32 *, MAX (sc->n_points, 1));
  for (gsize i = 0; i <= sc->points.mask; i++)
    {
      const Slot *slot = &sc->points.slots[i];
      guint32 place = (guint32) ((slot->key - 1) & 0xffffffff);
      if (slot->key != 0 && g_array_index (sc->places, Place, place).cls == ML_IP_CELLULAR)
        sc->crowded[slot->val] = g_new0 (guint32, n_words);
    }
}

/* Up to SAMPLE_MAX sources with >= MIN_LOCATED located lookups, in the
 * order of a keyed hash of their handle id (deterministic by seed). */
static gboolean
choose_sample (Scan *sc, MlDb *provider, GArray *sample, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (provider, "SELECT ts, ip FROM lookup_log WHERE source = ?", error);
  g_autoptr(GArray) pts = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint n = sc->handle_ids->len, located;
  g_autofree Ranked *order = g_new (Ranked, MAX (n, 1));

  if (s == NULL)
    return FALSE;
  if (sc->places->len == 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    order[i] = (Ranked) { ml_hash_combine (sc->c->seed, (guint64) g_array_index (sc->handle_ids, gint64, i)), i };
  qsort (order, n, sizeof (Ranked), cmp_ranked);
  for (guint i = 0; i < n && sample->len < SAMPLE_MAX; i++)
    {
      if (!trace_points (sc, s, g_array_index (sc->handle_ids, gint64, order[i].handle), pts, &located, error))
        return FALSE;
      if (located >= MIN_LOCATED)
        sample_add (sc, order[i].handle, pts, sample);
    }
  alloc_crowded (sc);
  return TRUE;
}

/* ---- stage 3: results --------------------------------------------------------------- */

/* HOME / WORK (place + 1 per handle, 0 = none): the place with the most
 * night-time broadband (or CDR antenna) lookups; the place other than home
 * with the most weekday daytime non-cellular lookups (ties: the lower place
 * index). */
static void
home_and_work (const Scan *sc, const Worker *w, guint32 *home, guint32 *work)
{
  guint n = sc->handle_ids->len;
  g_autofree guint32 *best = g_new0 (guint32, MAX (n, 1));

  for (int kind = 0; kind < 2; kind++)
    {
      guint32 *out = kind == 0 ? home : work;
      memset (best, 0, sizeof (guint32) * MAX (n, 1));
      for (gsize i = 0; i <= w->places.mask; i++)
        {
          guint64 key = w->places.slots[i].key;
          guint32 s = (guint32) (key >> 32) - 1, place = (guint32) (key & 0xffffffff) >> 1, v = w->places.slots[i].val;
          if (key == 0 || (int) (key & 1) != kind || (kind == 1 && home[s] == place + 1))
            continue;
          if (v > best[s] || (v == best[s] && place + 1 < out[s]))
            {
              best[s] = v;
              out[s] = place + 1;
            }
        }
    }
}

static int
cmp_u32 (gconstpointer pa, gconstpointer pb)
{
  guint32 a = *(const guint32 *) pa, b = *(const guint32 *) pb;
  return a < b ? -1 : a > b;
}

/* Sort and de-duplicate the merged lists of workers[0]. */
static void
finish_lists (const Scan *sc, Worker *w)
{
  for (guint p = 0; p < sc->n_points; p++)
    {
      GArray *l = w->lists[p];
      guint j = 0;
      if (l == NULL)
        continue;
      g_array_sort (l, cmp_u32);
      for (guint i = 0; i < l->len; i++)
        if (j == 0 || g_array_index (l, guint32, i) != g_array_index (l, guint32, j - 1))
          g_array_index (l, guint32, j++) = g_array_index (l, guint32, i);
      g_array_set_size (l, j);
    }
}

/* The sources that shared every point so far with a sampled person: a
 * sorted list, or a bitmap while only crowded points were met. */
typedef struct {
  GArray *list;                   /* guint32, sorted */
  guint32 *bits;                  /* bitmap words, or unused */
  guint n_words;
  gboolean is_bits;
  guint count;
} Cand;

static gboolean
point_has (const Scan *sc, const Worker *w, guint32 p, guint32 s)
{
  if (sc->crowded[p] != NULL)
    return (sc->crowded[p][s >> 5] >> (s & 31)) & 1;
  return w->lists[p] != NULL && w->lists[p]->len > 0 && bsearch (&s, w->lists[p]->data, w->lists[p]->len, sizeof (guint32), cmp_u32) != NULL;
}

static inline guint
popcount32 (guint32 x)
{
#ifdef __GNUC__
  return (guint) __builtin_popcount (x);
#else
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  return (((x + (x >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
#endif
}

/* Narrow C to the sources also at point P; FIRST: C becomes point P. */
static void
cand_step (const Scan *sc, const Worker *w, Cand *c, guint32 p, gboolean first)
{
  const guint32 *bits = sc->crowded[p];
  const GArray *l = w->lists[p];
  guint j = 0;

  if (bits != NULL && (first || c->is_bits))
    {
      c->is_bits = TRUE;
      c->count = 0;
      for (guint i = 0; i < c->n_words; i++)
        c->count += popcount32 (c->bits[i] = first ? bits[i] : c->bits[i] & bits[i]);
      return;
    }
  if (first || c->is_bits)                 /* a list from P's, within the bitmap so far */
    {
      g_array_set_size (c->list, 0);
      for (guint i = 0; l != NULL && i < l->len; i++)
        {
          guint32 x = g_array_index (l, guint32, i);
          if (first || (c->bits[x >> 5] >> (x & 31)) & 1)
            g_array_append_val (c->list, x);
        }
      c->is_bits = FALSE;
    }
  else
    {
      for (guint i = 0; i < c->list->len; i++)
        if (point_has (sc, w, p, g_array_index (c->list, guint32, i)))
          g_array_index (c->list, guint32, j++) = g_array_index (c->list, guint32, i);
      g_array_set_size (c->list, j);
    }
  c->count = c->list->len;
}

/* out->uniqueness[k]: the share of the sampled people with at least k
 * points whose first k drawn points no other source was at, all of them
 * (de Montjoye et al. 2013); PEOPLE[k]: how many had k points.  Once a
 * person is unique, more points keep them unique. */
static void
uniqueness (const Scan *sc, const Worker *w, GArray *sample, MlPopResult *out, guint *people)
{
  guint n_words = sc->handle_ids->len / 32 + 1;
  g_autofree guint32 *bits = g_new (guint32, n_words);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint32));
  Cand c = { list, bits, n_words, FALSE, 0 };
  guint unique[ML_POP_K_MAX + 1] = { 0 };

  for (guint i = 0; i < sample->len; i++)
    {
      const Sampled *x = &g_array_index (sample, Sampled, i);
      for (guint k = 1; k <= x->n_points; k++)
        {
          if (k == 1 || c.count > 1)
            cand_step (sc, w, &c, x->point[k - 1], k == 1);
          g_warn_if_fail (c.count >= 1);
          people[k]++;
          unique[k] += c.count <= 1;
        }
    }
  for (int k = 1; k <= ML_POP_K_MAX; k++)
    out->uniqueness[k] = people[k] > 0 ? (double) unique[k] / people[k] : NAN;
}

typedef struct {
  gint64 hy, hx, wy, wx;          /* grid cells of home and work */
} CellPair;

static int
cmp_cells (gconstpointer pa, gconstpointer pb)
{
  return memcmp (pa, pb, sizeof (CellPair));
}

static void
cell_of (double lat, double lon, double km, double coslat, gint64 *y, gint64 *x)
{
  *y = (gint64) floor (lat * KM_PER_DEGREE / km);
  *x = (gint64) floor (lon * KM_PER_DEGREE * coslat / km);
}

/* Share of the people considered (with home and work) whose pair of grid
 * cells of SCALE km is unique (Golle & Partridge 2009). */
static double
pair_unique (const Scan *sc, GArray *who, const guint32 *home, const guint32 *work, double km, double coslat)
{
  g_autofree CellPair *cells = g_new (CellPair, MAX (who->len, 1));
  guint unique = 0;

  for (guint i = 0; i < who->len; i++)
    {
      guint32 s = g_array_index (who, guint32, i);
      const Place *h = &g_array_index (sc->places, Place, home[s] - 1);
      const Place *w = &g_array_index (sc->places, Place, work[s] - 1);
      cell_of (h->lat, h->lon, km, coslat, &cells[i].hy, &cells[i].hx);
      cell_of (w->lat, w->lon, km, coslat, &cells[i].wy, &cells[i].wx);
    }
  qsort (cells, who->len, sizeof (CellPair), cmp_cells);
  for (guint i = 0; i < who->len; i++)
    if ((i == 0 || cmp_cells (&cells[i - 1], &cells[i]) != 0)
        && (i + 1 == who->len || cmp_cells (&cells[i], &cells[i + 1]) != 0))
      unique++;
  return who->len > 0 ? (double) unique / who->len : NAN;
}

/* out->people, out->homework_unique; *WITH_BOTH: people with home and work. */
static void
homework (const Scan *sc, const Worker *w, const guint32 *home, const guint32 *work, MlPopResult *out,
          guint *with_both)
{
  g_autoptr(GArray) who = g_array_new (FALSE, FALSE, sizeof (guint32));
  double lat_sum = 0;

  out->people = 0;
  for (guint s = 0; s < sc->handle_ids->len; s++)
    if (w->located[s] >= MIN_LOCATED)
      {
        out->people++;
        if (home[s] != 0 && work[s] != 0)
          {
            g_array_append_val (who, s);
            lat_sum += g_array_index (sc->places, Place, home[s] - 1).lat;
          }
      }
  *with_both = who->len;
  for (int i = 0; i < ML_POP_N_SCALES; i++)
    {
      double coslat = who->len > 0 ? cos (lat_sum / who->len * G_PI / 180.0) : 1.0;
      out->scales_km[i] = scales_km[i];
      out->homework_unique[i] = pair_unique (sc, who, home, work, scales_km[i], coslat);
    }
}

/* ---- the lookup graph ---------------------------------------------------------------- */

typedef struct {
  guint64 *sources, *edges, *mutual;   /* per window: new sources, directed edges, mutual pairs */
  GArray *pop_edges;                   /* MlPopEdge, or NULL */
  GArray *pop_sources;                 /* MlPopSource, or NULL */
} Graph;

static void
graph_edge (const Scan *sc, const Worker *w, Graph *g, guint32 s, guint32 d, guint32 win)
{
  int rev = set_get (&w->edges, edge_key (d, s));   /* the other way's first window, -1: never */
  gint64 hs = g_array_index (sc->handle_ids, gint64, s), hd = g_array_index (sc->handle_ids, gint64, d);
  guint32 both = MAX (w->first[s], w->first[d]), mutual = NO_WINDOW;

  g->edges[MAX (win, both)]++;
  if (rev >= 0 && hs > hd)
    return;                                /* the pair is counted from its other end */
  if (rev >= 0)
    g->mutual[mutual = MAX (MAX (win, (guint32) rev), both)]++;
  if (g->pop_edges != NULL)
    {
      MlPopEdge x = { MIN (hs, hd), MAX (hs, hd), (guint8) MAX (rev >= 0 ? MIN (win, (guint32) rev) : win, both),
                      (guint8) mutual };
      g_array_append_val (g->pop_edges, x);
    }
}

/* Directed edges among sources (a lookup of a handle that itself looks
 * something up), counted at the first window by which the edge and both
 * ends are seen; pairs seen both ways. */
static void
build_graph (const Scan *sc, const Worker *w, Graph *g)
{
  for (guint s = 0; s < sc->handle_ids->len; s++)
    if (w->first[s] != NO_WINDOW)
      {
        g->sources[w->first[s]]++;
        if (g->pop_sources != NULL)
          {
            MlPopSource x = { g_array_index (sc->handle_ids, gint64, s), w->first[s] };
            g_array_append_val (g->pop_sources, x);
          }
      }
  for (gsize i = 0; i <= w->edges.mask; i++)
    {
      guint64 key = w->edges.words[i] >> 8;
      guint32 s = (guint32) (key >> 28) - 1, d = (guint32) (key & ((1u << 28) - 1));
      if (key != 0 && s != d && w->first[d] != NO_WINDOW)
        graph_edge (sc, w, g, s, d, (guint8) w->edges.words[i]);
    }
}

/* ---- writing ----------------------------------------------------------------------- */

static const char tables_sql[] =
  "CREATE TABLE IF NOT EXISTS uniqueness (k INTEGER, share_unique REAL, people INTEGER);\n"
  "CREATE TABLE IF NOT EXISTS homework_unique (scale_km REAL, share_unique REAL, people INTEGER);\n"
  "CREATE TABLE IF NOT EXISTS population_graph (n_windows INTEGER, metric TEXT, value REAL);\n";

static gboolean
bind_share (MlStmt *s, int idx, double v, GError **error)
{
  return isnan (v) ? ml_stmt_bind_null (s, idx, error) : ml_stmt_bind_double (s, idx, v, error);
}

static gboolean
write_shares (MlDb *db, const MlPopResult *r, const guint *people, guint with_both, GError **error)
{
  g_autoptr(MlStmt) u = ml_db_prepare (db, "INSERT INTO uniqueness VALUES (?, ?, ?)", error);
  g_autoptr(MlStmt) h = u != NULL ? ml_db_prepare (db, "INSERT INTO homework_unique VALUES (?, ?, ?)", error) : NULL;

  if (h == NULL)
    return FALSE;
  for (int k = 1; k <= ML_POP_K_MAX; k++)
    if (!ml_stmt_bind_int64 (u, 1, k, error) || !bind_share (u, 2, r->uniqueness[k], error)
        || !ml_stmt_bind_int64 (u, 3, people[k], error) || !ml_stmt_run (u, error))
      return FALSE;
  for (int i = 0; i < ML_POP_N_SCALES; i++)
    if (!ml_stmt_bind_double (h, 1, r->scales_km[i], error) || !bind_share (h, 2, r->homework_unique[i], error)
        || !ml_stmt_bind_int64 (h, 3, with_both, error) || !ml_stmt_run (h, error))
      return FALSE;
  return TRUE;
}

static void
graph_row (GArray *rows, int n, const char *metric, double value)
{
  MlMetric m = { .n_windows = n, .scope = "population", .value = value };

  g_strlcpy (m.metric, metric, sizeof m.metric);
  g_array_append_val (rows, m);
}

/* The population_graph rows of popmode itself, per window count. */
static void
graph_rows (const Scan *sc, const Worker *w, const Graph *g, GArray *rows)
{
  guint64 r = 0, s = 0, e = 0, m = 0;

  for (int n = 1; n <= sc->n_windows; n++)
    {
      r += w->rows[n - 1];
      s += g->sources[n - 1];
      e += g->edges[n - 1];
      m += g->mutual[n - 1];
      graph_row (rows, n, "rows", (double) r);
      graph_row (rows, n, "sources", (double) s);
      graph_row (rows, n, "edges", (double) e);
      graph_row (rows, n, "mutual_pairs", (double) m);
      if (e > 0)
        graph_row (rows, n, "reciprocity", 2.0 * m / e);
    }
}

static gboolean
write_graph (MlDb *db, GArray *rows, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "INSERT INTO population_graph VALUES (?, ?, ?)", error);

  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      const MlMetric *m = &g_array_index (rows, MlMetric, i);
      if (!ml_stmt_bind_int64 (s, 1, m->n_windows, error) || !ml_stmt_bind_text (s, 2, m->metric, -1, error)
          || !ml_stmt_bind_double (s, 3, m->value, error) || !ml_stmt_run (s, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_all (MlDb *db, const MlPopResult *r, const guint *people, guint with_both, GArray *rows, GError **error)
{
  gboolean own = !ml_db_in_transaction (db);

  if (!ml_db_exec (db, tables_sql, error) || (own && !ml_db_begin (db, error)))
    return FALSE;
  if (write_shares (db, r, people, with_both, error) && write_graph (db, rows, error))
    return !own || ml_db_commit (db, error);
  if (own)
    ml_db_rollback (db, NULL);
  return FALSE;
}

/* ---- the entry point ------------------------------------------------------------------------ */

static void
scan_clear (Scan *sc)
{
  for (guint k = 0; k < sc->n_workers; k++)
    worker_clear (&sc->workers[k]);
  g_clear_pointer (&sc->workers, g_free);
  g_clear_pointer (&sc->pool, g_async_queue_unref);
  map_clear (&sc->handles);
  map_clear (&sc->ips);
  map_clear (&sc->points);
  g_clear_pointer (&sc->handle_ids, g_array_unref);
  g_clear_pointer (&sc->places, g_array_unref);
  g_clear_pointer (&sc->day_window, g_free);
  for (guint p = 0; sc->crowded != NULL && p < sc->n_points; p++)
    g_free (sc->crowded[p]);
  g_clear_pointer (&sc->crowded, g_free);
}

static void
scan_init (Scan *sc, const MlCase *c)
{
  memset (sc, 0, sizeof *sc);
  sc->c = c;
  map_init (&sc->handles, 1024);
  map_init (&sc->ips, 1024);
  map_init (&sc->points, 1024);
  sc->handle_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sc->places = g_array_new (FALSE, FALSE, sizeof (Place));
  sc->night_start = (int) (c->night_start_h * 3600);
  sc->night_end = (int) (c->night_end_h * 3600);
  sc->work_start = (int) (c->work_start_h * 3600);
  sc->work_end = (int) (c->work_end_h * 3600);
  setup_windows (sc);
}

/* The rows summarising homes and work places, at the full window count:
 * sources with a home, with a work place, and people considered (>=
 * MIN_LOCATED located lookups) with both. */
static void
summary_rows (const Scan *sc, const guint32 *home, const guint32 *work, guint with_both, GArray *rows)
{
  guint with_home = 0, with_work = 0;

  for (guint s = 0; s < sc->handle_ids->len; s++)
    {
      with_home += home[s] != 0;
      with_work += work[s] != 0;
    }
  graph_row (rows, sc->n_windows, "sources_with_home", with_home);
  graph_row (rows, sc->n_windows, "sources_with_work", with_work);
  graph_row (rows, sc->n_windows, "people_with_home_and_work", with_both);
}

/* Stage 3 from the merged worker: fills R, PEOPLE, *WITH_BOTH and ROWS. */
static gboolean
results (Scan *sc, GArray *sample, MlEvaluator *e, MlPopResult *r, guint *people, guint *with_both,
         GArray *rows, GError **error)
{
  Worker *w = &sc->workers[0];
  guint n = MAX (sc->handle_ids->len, 1);
  g_autofree guint32 *home = g_new0 (guint32, n);
  g_autofree guint32 *work = g_new0 (guint32, n);
  g_autofree guint64 *counts = g_new0 (guint64, 3 * (NO_WINDOW + 1));
  g_autoptr(GArray) pop_edges = e != NULL ? g_array_new (FALSE, FALSE, sizeof (MlPopEdge)) : NULL;
  g_autoptr(GArray) pop_sources = e != NULL ? g_array_new (FALSE, FALSE, sizeof (MlPopSource)) : NULL;
  Graph g = { counts, counts + NO_WINDOW + 1, counts + 2 * (NO_WINDOW + 1), pop_edges, pop_sources };

  home_and_work (sc, w, home, work);
  finish_lists (sc, w);
  uniqueness (sc, w, sample, r, people);
  homework (sc, w, home, work, r, with_both);
  build_graph (sc, w, &g);
  for (int k = 0; k < sc->n_windows; k++)
    r->edges += g.edges[k];
  graph_rows (sc, w, &g, rows);
  summary_rows (sc, home, work, *with_both, rows);
  return e == NULL || ml_evaluate_population_graph (e, pop_edges, pop_sources, sc->n_windows, rows, error);
}

gboolean
ml_popmode_run (const MlCase *c, MlDb *provider, const char *mmdb_path, MlEvaluator *e,
                MlDb *analysis, MlPopResult *out, GError **error)
{
  g_autoptr(GArray) sample = g_array_new (FALSE, FALSE, sizeof (Sampled));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  guint people[ML_POP_K_MAX + 1] = { 0 }, with_both = 0;
  MlPopResult r = { .people = 0 };
  gboolean ok;
  Scan sc;

  g_return_val_if_fail (c != NULL && provider != NULL && analysis != NULL, FALSE);
  scan_init (&sc, c);
  ok = sc.n_windows >= 1 && sc.n_windows < NO_WINDOW;
  if (!ok)
    g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "population mode: %d windows, at most %d", sc.n_windows,
                 NO_WINDOW - 1);
  ok = ok && load_handles (&sc, provider, error) && load_ips (&sc, provider, mmdb_path, error)
       && choose_sample (&sc, provider, sample, error) && run_scan (&sc, provider, error)
       && results (&sc, sample, e, &r, people, &with_both, rows, error)
       && write_all (analysis, &r, people, with_both, rows, error);
  scan_clear (&sc);
  if (ok && out != NULL)
    *out = r;
  return ok;
}
