/* colocation.c -- who else is behind the target's networks at the same time.
 *
 * A client IP that is not cellular (home broadband, a workplace's corporate
 * address, a hotspot) is shared only by the people on those premises.  A
 * lookup by another handle from one of the target's non-cellular IPs within
 * NEAR_SECONDS of a lookup of the target's own from that IP places them
 * together.  Such rows exist only when the evidence holds other handles'
 * lookups from those IPs: an IP pivot order (ML_VIA_PIVOT) or a whole
 * population's log; without them the result is empty.  Cellular IPs are
 * left out: one carrier-grade NAT address is shared by hundreds of
 * strangers (Richter et al., IMC 2016), and so are IPs without a GeoIP
 * class and the antennas of a CDR log (a cell serves thousands:
 * docs/analyze/inference.md).  Only the source of a row is behind its IP;
 * the lookup handle may be anywhere.
 *
 * Kinds, in this order: household when seen on the home IP (broadband at
 * the inferred home place) at night on at least MIN_NIGHTS distinct nights;
 * co-worker when seen on the work IP on at least MIN_WEEKDAYS weekdays;
 * other otherwise.  Confidence rises with the distinct co-occurrences n
 * (nights, weekdays or days): 1 - exp(-n / CONF_SCALE), halved for
 * "other" (docs/analyze/inference.md).  Repeated coincidences make a tie
 * likely (Crandall et al., PNAS 107:22436, 2010).
 *
 * Workload: once per target and window count, or once per target for
 * every count (ml_infer_colocation_each).  The target's rows are read
 * once; then only the rows sent from the target's non-cellular IPs
 * (ml_evidence_rows_at), each tested against the target's own lookups from
 * that IP by binary search: linear in the rows at those IPs, never in the
 * whole evidence (1,000 targets x 12 windows over 10^6 rows); the one-pass
 * form then adds up, per count, only the co-located rows found.
 */
#include <math.h>

#include "analyze/infer.h"
#include "common/geo.h"

#define NEAR_SECONDS 3600       /* "at the same time": within an hour */
#define MIN_NIGHTS 2            /* assumption: a single night can be a guest */
#define MIN_WEEKDAYS 2          /* assumption: a single day can be a visitor */
#define CLUSTER_KM 1.0          /* as location.c: one GeoIP record = one place */
#define CONF_SCALE 2.0          /* assumption: 2 nights -> 0.63, 4 -> 0.86 */
#define OTHER_FACTOR 0.5        /* assumption: an unexplained co-location is a weaker tie */

typedef struct {
  GArray *times;                /* MlTime: the target's lookups from this IP, time order */
  gboolean home, work;
} TargetIp;

typedef struct {
  MlCoLocated c;
  guint32 nights, weekdays;     /* distinct nights on the home IP, weekdays on the work IP */
  gint64 last_hour;
  MlDay last_day, last_night, last_weekday;
} Acc;

typedef struct {
  const MlEvidence *ev;
  gint64 target;
  int n_windows;
  GHashTable *ips;              /* gint64* ip -> TargetIp* */
  GHashTable *index;            /* gint64* handle -> index into accs */
  GArray *accs;                 /* Acc */
} Scan;

static gboolean
in_hours (double h, double start, double end)
{
  return start <= end ? (h >= start && h < end) : (h >= start || h < end);
}

static void
target_ip_free (gpointer p)
{
  TargetIp *t = p;

  g_array_unref (t->times);
  g_free (t);
}

static gboolean
near_place (const MlIpInfo *info, const MlPlaceGuess *g)
{
  return g->found && !isnan (info->lat)
         && ml_geo_haversine_km (info->lat, info->lon, g->lat, g->lon) <= CLUSTER_KM;
}

/* The TargetIp of IP, created on first use; NULL for cellular or unknown. */
static TargetIp *
target_ip (Scan *s, const MlLocation *loc, gint64 ip)
{
  TargetIp *t = g_hash_table_lookup (s->ips, ML_ID_KEY (ip));
  const MlIpInfo *info;

  if (t != NULL)
    return t;
  info = ml_evidence_ip (s->ev, ip);
  if (info == NULL || info->cls == ML_IP_CELLULAR || info->cls == ML_IP_ANTENNA || info->cls == ML_IP_UNKNOWN)
    return NULL;
  t = g_new0 (TargetIp, 1);
  t->times = g_array_new (FALSE, FALSE, sizeof (MlTime));
  if (loc != NULL)
    {
      t->home = (loc->home.found && ip == loc->home_ip)
                || (info->cls == ML_IP_BROADBAND && near_place (info, &loc->home));
      t->work = (loc->work.found && ip == loc->work_ip) || near_place (info, &loc->work);
    }
  g_hash_table_insert (s->ips, ML_ID_KEY (ip), t);
  return t;
}

/* Collect the target's non-cellular lookups by IP. */
static void
collect_target (Scan *s, const MlLocation *loc)
{
  const GArray *rows = ml_evidence_rows_of (s->ev, s->target);

  for (guint i = 0; i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (s->ev->rows, MlEvRow, g_array_index (rows, guint, i));
      TargetIp *t;
      if (r->source != s->target || !ml_ev_in_windows (r, s->n_windows)
          || (t = target_ip (s, loc, r->ip)) == NULL)
        continue;
      g_array_append_val (t->times, r->ts);
    }
}

/* Whether a lookup of TIMES (sorted) lies within NEAR_SECONDS of T. */
static gboolean
near_in_time (const GArray *times, MlTime t)
{
  guint lo = 0, hi = times->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (times, MlTime, mid) < t - NEAR_SECONDS)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < times->len && g_array_index (times, MlTime, lo) <= t + NEAR_SECONDS;
}

static Acc *
acc_get (Scan *s, gint64 handle)
{
  gpointer pos;

  if (g_hash_table_lookup_extended (s->index, ML_ID_KEY (handle), NULL, &pos))
    return &g_array_index (s->accs, Acc, GPOINTER_TO_UINT (pos));
  Acc a = {
    .c = { .handle = handle }, .last_hour = G_MININT64,
    .last_day = G_MININT32, .last_night = G_MININT32, .last_weekday = G_MININT32,
  };
  g_array_append_val (s->accs, a);
  g_hash_table_insert (s->index, ML_ID_KEY (handle), GUINT_TO_POINTER (s->accs->len - 1));
  return &g_array_index (s->accs, Acc, s->accs->len - 1);
}

/* Count R, a co-located lookup from the target's IP T (rows come in time
 * order, so "distinct" compares with the last one counted). */
static void
acc_add (Acc *a, const MlCase *c, const MlEvRow *r, const TargetIp *t)
{
  MlDay day = ml_day_of (r->ts);
  gint64 hour = r->ts / 3600;

  a->c.shared_hours += hour != a->last_hour;
  a->c.shared_days += day != a->last_day;
  a->last_hour = hour;
  a->last_day = day;
  if (t->home && in_hours (ml_second_of_day (r->ts) / 3600.0, c->night_start_h, c->night_end_h))
    {
      MlDay night = ml_day_of (r->ts - (MlTime) (c->night_end_h * 3600.0));
      a->nights += night != a->last_night;
      a->last_night = night;
    }
  if (t->work && !ml_is_weekend (day))
    {
      a->weekdays += day != a->last_weekday;
      a->last_weekday = day;
    }
}

/* A co-located row: its index in ev->rows and the target's IP it came from. */
typedef struct {
  guint row;
  const TargetIp *t;
} Hit;

static gint
by_row (gconstpointer pa, gconstpointer pb)
{
  guint a = ((const Hit *) pa)->row, b = ((const Hit *) pb)->row;

  return (a > b) - (a < b);
}

/* Every other handle's row from one of the target's IPs near one of the
 * target's own lookups there, counted in time (= row) order, so that
 * "distinct" hours, days and nights compare with the last one counted. */
static void
scan_ips (Scan *s)
{
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, s->ips);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const TargetIp *t = value;
      const GArray *at = ml_evidence_rows_at (s->ev, (gint64) (gintptr) key);
      for (guint i = 0; i < at->len; i++)
        {
          guint row = g_array_index (at, guint, i);
          const MlEvRow *r = &g_array_index (s->ev->rows, MlEvRow, row);
          if (r->source != s->target && ml_ev_in_windows (r, s->n_windows) && near_in_time (t->times, r->ts))
            g_array_append_val (hits, ((Hit) { row, t }));
        }
    }
  g_array_sort (hits, by_row);
  for (guint i = 0; i < hits->len; i++)
    {
      const Hit *h = &g_array_index (hits, Hit, i);
      const MlEvRow *r = &g_array_index (s->ev->rows, MlEvRow, h->row);
      acc_add (acc_get (s, r->source), s->ev->c, r, h->t);
    }
}

/* Kind and confidence of A from its distinct co-occurrences. */
static void
classify (Acc *a)
{
  guint32 n = a->c.shared_days;
  double factor = OTHER_FACTOR;

  a->c.kind = ML_COLOC_OTHER;
  if (a->nights >= MIN_NIGHTS)
    {
      a->c.kind = ML_COLOC_HOUSEHOLD;
      n = a->nights;
      factor = 1.0;
    }
  else if (a->weekdays >= MIN_WEEKDAYS)
    {
      a->c.kind = ML_COLOC_COWORKER;
      n = a->weekdays;
      factor = 1.0;
    }
  a->c.confidence = factor * (1.0 - exp (-(double) n / CONF_SCALE));
}

static gint
by_kind_confidence (gconstpointer pa, gconstpointer pb)
{
  const MlCoLocated *a = pa, *b = pb;

  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  if (a->confidence != b->confidence)
    return a->confidence > b->confidence ? -1 : 1;
  if (a->shared_hours != b->shared_hours)
    return a->shared_hours > b->shared_hours ? -1 : 1;
  return (a->handle > b->handle) - (a->handle < b->handle);
}

GArray *
ml_infer_colocation (const MlEvidence *ev, gint64 target, int n_windows, const MlLocation *loc)
{
  g_return_val_if_fail (ev != NULL && ev->c != NULL, NULL);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlCoLocated));
  g_autoptr(GHashTable) ips = ml_id_table_new (target_ip_free);
  g_autoptr(GHashTable) index = ml_id_table_new (NULL);
  g_autoptr(GArray) accs = g_array_new (FALSE, FALSE, sizeof (Acc));
  Scan s = { .ev = ev, .target = target, .n_windows = n_windows, .ips = ips, .index = index, .accs = accs };
  collect_target (&s, loc);
  scan_ips (&s);
  for (guint i = 0; i < accs->len; i++)
    {
      Acc *a = &g_array_index (accs, Acc, i);
      classify (a);
      g_array_append_val (out, a->c);
    }
  g_array_sort (out, by_kind_confidence);
  return out;
}

/* ---- every window count ------------------------------------------------
 *
 * A row of another handle from one of the target's IPs is co-located at N
 * windows when its own window and that of some lookup of the target's from
 * the IP within NEAR_SECONDS are below N: so each such row is found once,
 * with the first count FROM at which it counts, and each count adds up the
 * rows with FROM <= N in row order, with the IPs' home and work flags of
 * that count's location. */

typedef struct {
  gint64 ip;
  const MlIpInfo *info;
  GArray *times;                /* MlTime: the target's lookups from the IP, time order */
  GArray *windows;              /* guint8: their windows */
  gboolean home, work;          /* for the count being added up */
} EachIp;

typedef struct {
  guint row;
  guint ip;                     /* index into the EachIps */
  guint slot;                   /* the other handle's accumulator */
  guint8 from;                  /* the first window count at which the row counts */
} Cand;

static void
each_ip_clear (gpointer p)
{
  EachIp *t = p;

  g_array_unref (t->times);
  g_array_unref (t->windows);
}

/* The lowest window of the target's lookups in T within NEAR_SECONDS of TS;
 * G_MAXINT without one. */
static int
near_window (const EachIp *t, MlTime ts)
{
  const MlTime *times = (const MlTime *) t->times->data;
  guint lo = 0, hi = t->times->len;
  int best = G_MAXINT;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (times[mid] < ts - NEAR_SECONDS)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (; lo < t->times->len && times[lo] <= ts + NEAR_SECONDS; lo++)
    best = MIN (best, g_array_index (t->windows, guint8, lo));
  return best;
}

static gint
cand_by_row (gconstpointer pa, gconstpointer pb)
{
  guint a = ((const Cand *) pa)->row, b = ((const Cand *) pb)->row;

  return (a > b) - (a < b);
}

void
ml_infer_colocation_each (const MlEvidence *ev, gint64 target, int n_max, MlLocation *const *locs,
                          GArray **out)
{
  g_return_if_fail (ev != NULL && ev->c != NULL && out != NULL && n_max >= 1);
  const GArray *rows = ml_evidence_rows_of (ev, target);
  g_autoptr(GArray) ips = g_array_new (FALSE, TRUE, sizeof (EachIp));
  g_autoptr(GHashTable) ip_index = ml_id_table_new (NULL);
  g_autoptr(GArray) cands = g_array_new (FALSE, FALSE, sizeof (Cand));
  g_autoptr(GHashTable) slots = ml_id_table_new (NULL);
  g_autoptr(GArray) handles = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_array_set_clear_func (ips, each_ip_clear);
  /* the target's lookups from each of its non-cellular IPs */
  for (guint i = 0; i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (rows, guint, i));
      const MlIpInfo *info;
      gpointer pos;
      if (r->source != target || !ml_ev_in_windows (r, n_max))
        continue;
      if (!g_hash_table_lookup_extended (ip_index, ML_ID_KEY (r->ip), NULL, &pos))
        {
          info = ml_evidence_ip (ev, r->ip);
          if (info == NULL || info->cls == ML_IP_CELLULAR || info->cls == ML_IP_ANTENNA
              || info->cls == ML_IP_UNKNOWN)
            continue;
          EachIp t = { r->ip, info, g_array_new (FALSE, FALSE, sizeof (MlTime)),
                       g_array_new (FALSE, FALSE, sizeof (guint8)), FALSE, FALSE };
          g_array_append_val (ips, t);
          pos = GUINT_TO_POINTER (ips->len - 1);
          g_hash_table_insert (ip_index, ML_ID_KEY (r->ip), pos);
        }
      EachIp *t = &g_array_index (ips, EachIp, GPOINTER_TO_UINT (pos));
      g_array_append_val (t->times, r->ts);
      g_array_append_val (t->windows, r->window);
    }
  /* every other handle's row from them near one of the target's lookups */
  for (guint k = 0; k < ips->len; k++)
    {
      const EachIp *t = &g_array_index (ips, EachIp, k);
      const GArray *at = ml_evidence_rows_at (ev, t->ip);
      for (guint i = 0; i < at->len; i++)
        {
          guint row = g_array_index (at, guint, i);
          const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, row);
          int w;
          gpointer slot;
          if (r->source == target || !ml_ev_in_windows (r, n_max) || (w = near_window (t, r->ts)) == G_MAXINT)
            continue;
          if (!g_hash_table_lookup_extended (slots, ML_ID_KEY (r->source), NULL, &slot))
            {
              slot = GUINT_TO_POINTER (handles->len);
              g_hash_table_insert (slots, ML_ID_KEY (r->source), slot);
              g_array_append_val (handles, r->source);
            }
          Cand c = { row, k, GPOINTER_TO_UINT (slot), (guint8) (MAX (w, r->window) + 1) };
          g_array_append_val (cands, c);
        }
    }
  g_array_sort (cands, cand_by_row);
  g_autofree Acc *accs = g_new (Acc, MAX (handles->len, 1));
  for (int n = 1; n <= n_max; n++)
    {
      const MlLocation *loc = locs != NULL ? locs[n - 1] : NULL;
      for (guint k = 0; k < ips->len; k++)
        {
          EachIp *t = &g_array_index (ips, EachIp, k);
          t->home = loc != NULL && ((loc->home.found && t->ip == loc->home_ip)
                                    || (t->info->cls == ML_IP_BROADBAND && near_place (t->info, &loc->home)));
          t->work = loc != NULL && ((loc->work.found && t->ip == loc->work_ip) || near_place (t->info, &loc->work));
        }
      for (guint h = 0; h < handles->len; h++)
        accs[h] = (Acc) {
          .c = { .handle = g_array_index (handles, gint64, h) }, .last_hour = G_MININT64,
          .last_day = G_MININT32, .last_night = G_MININT32, .last_weekday = G_MININT32,
        };
      for (guint i = 0; i < cands->len; i++)
        {
          const Cand *c = &g_array_index (cands, Cand, i);
          const EachIp *t = &g_array_index (ips, EachIp, c->ip);
          if (c->from <= n)
            acc_add (&accs[c->slot], ev->c, &g_array_index (ev->rows, MlEvRow, c->row),
                     &(TargetIp) { NULL, t->home, t->work });
        }
      out[n - 1] = g_array_new (FALSE, FALSE, sizeof (MlCoLocated));
      for (guint h = 0; h < handles->len; h++)
        {
          if (accs[h].last_hour == G_MININT64)
            continue;           /* no row yet */
          classify (&accs[h]);
          g_array_append_val (out[n - 1], accs[h].c);
        }
      g_array_sort (out[n - 1], by_kind_confidence);
    }
}
