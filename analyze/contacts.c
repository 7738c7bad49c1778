/* contacts.c -- the target's contacts and their tie strength.
 *
 * A contact is any handle seen in a lookup with the target: "out" when the
 * target looked it up (pen-register rows, source = target), "in" when it
 * looked the target up (trap-and-trace rows, lookup = target), "mutual"
 * when both.  A lookup is not proof of communication: a typed number may
 * never be messaged, and a device set-up or restore looks up the whole
 * address book within a minute.  Such bursts (at least BURST_MIN_HANDLES
 * distinct handles from one source within BURST_SECONDS) are detected and
 * their lookups counted in MlContact.bulk and weighted BULK_WEIGHT.  With a
 * capability cache of about 24 h, one lookup stands for about one day of
 * active messaging, so lookups and distinct days are the frequency signal.
 *
 * Tie strength (docs/analyze/inference.md):
 *   score = ln(1 + n) + ln(1 + d) + W_RECENCY exp(-age / RECENCY_DAYS)
 *         + W_OFF_HOURS off + W_RECIPROCITY mutual
 * with n and d the lookups and days (bulk ones weighted BULK_WEIGHT), age
 * the days from the last lookup to the end of the windows, off = k / (k +
 * OFF_HOURS_HALF) for k non-bulk lookups in the evening or at night, and
 * mutual 1 when both directions have non-bulk lookups; confidence = 1 /
 * (1 + exp(-CONF_SLOPE (score' - CONF_MIDPOINT))) where score' replaces the
 * recency term by its maximum W_RECENCY, so confidence never falls when
 * more windows are chained.
 *
 * Workload: 1,000 targets x 12 window counts per case, all counts of a
 * target in one call (ml_infer_contacts_each).  Linear in the target's
 * rows plus, per count, its contacts (scored and sorted); a trap row costs
 * a binary search in its source's row index plus the rows of that source
 * within BURST_SECONDS, once, and once per count only when it is bulk.
 */
#include <math.h>
#include <string.h>

#include "analyze/infer.h"

#define BURST_SECONDS 120       /* set-up sync: the address book within about a minute */
#define BURST_MIN_HANDLES 15    /* assumption: distinct handles that make a burst */
#define BULK_WEIGHT 0.1         /* assumption: weight of a lookup inside a burst */
#define OFF_HOURS_START_H 18    /* evening and night: 18:00 - 06:00 (UTC = local here) */
#define OFF_HOURS_END_H 6
#define RECENCY_DAYS 30.0       /* e-folding time of recency: one order window */
#define W_RECENCY 0.5
#define W_OFF_HOURS 0.5         /* Eagle, Pentland & Lazer, PNAS 2009: off-hours contact marks friends */
#define OFF_HOURS_HALF 2.0      /* off-hours lookups giving half the off-hours weight (saturating, monotone) */
#define W_RECIPROCITY 1.0       /* Onnela et al., PNAS 2007: reciprocated ties as social ties */
#define CONF_MIDPOINT 2.5       /* score of confidence 0.5: two days of lookups, one way */
#define CONF_SLOPE 2.0

typedef struct {
  MlContact c;
  double n_eff;                 /* lookups, bulk ones weighted BULK_WEIGHT */
  double d_eff;                 /* days, bulk-only days weighted BULK_WEIGHT */
  guint32 nonbulk_out, nonbulk_in;
  guint32 off_hours;            /* non-bulk lookups in the evening or at night */
  MlDay day;                    /* the last day seen */
  gboolean day_nonbulk;         /* the last day had a non-bulk lookup */
} Acc;

static inline const MlEvRow *
row_at (const MlEvidence *ev, guint i)
{
  return &g_array_index (ev->rows, MlEvRow, i);
}

static inline gboolean
is_from (const MlEvRow *r, gint64 source, int n_windows)
{
  return r->source == source && ml_ev_in_windows (r, n_windows);
}

static void
span_add (GHashTable *span, const MlEvRow *r)
{
  gpointer key = ML_ID_KEY (r->lookup);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (span, key));

  g_hash_table_insert (span, key, GUINT_TO_POINTER (n + 1));
}

static void
span_remove (GHashTable *span, const MlEvRow *r)
{
  gpointer key = ML_ID_KEY (r->lookup);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (span, key));

  if (n <= 1)
    g_hash_table_remove (span, key);
  else
    g_hash_table_insert (span, key, GUINT_TO_POINTER (n - 1));
}

/* Set BULK[i] for the rows IDX[0..N) (time order) of SOURCE in the first
 * N_WINDOWS windows that lie in a burst: a stretch of at most BURST_SECONDS
 * in which SOURCE looked up at least BURST_MIN_HANDLES distinct handles.
 * Two pointers with a count per handle in the stretch: O(N). */
static void
mark_span (const MlEvidence *ev, const guint *idx, guint n, gint64 source, int n_windows,
           gboolean *bulk)
{
  g_autoptr(GHashTable) span = ml_id_table_new (NULL);
  guint lo = 0, marked = 0;

  for (guint hi = 0; hi < n; hi++)
    {
      const MlEvRow *r = row_at (ev, idx[hi]);
      if (!is_from (r, source, n_windows))
        continue;
      span_add (span, r);
      for (; r->ts - row_at (ev, idx[lo])->ts > BURST_SECONDS; lo++)
        if (is_from (row_at (ev, idx[lo]), source, n_windows))
          span_remove (span, row_at (ev, idx[lo]));
      if (g_hash_table_size (span) < BURST_MIN_HANDLES)
        continue;
      for (guint i = MAX (lo, marked); i <= hi; i++)
        bulk[i] = is_from (row_at (ev, idx[i]), source, n_windows);
      marked = hi + 1;
    }
}

/* mark_span() on the dense runs of IDX only: runs of SOURCE's rows less
 * than BURST_SECONDS apart holding at least BURST_MIN_HANDLES rows (any
 * burst lies inside one), so that ordinary rows cost no hashing. */
static void
mark_bursts (const MlEvidence *ev, const guint *idx, guint n, gint64 source, int n_windows,
             gboolean *bulk)
{
  guint start = 0, count = 0;
  MlTime last = 0;

  for (guint i = 0; i <= n; i++)
    {
      const MlEvRow *r = i < n ? row_at (ev, idx[i]) : NULL;
      if (r != NULL && !is_from (r, source, n_windows))
        continue;
      if (r == NULL || count == 0 || r->ts - last > BURST_SECONDS)
        {
          if (count >= BURST_MIN_HANDLES)
            mark_span (ev, idx + start, i - start, source, n_windows, bulk + start);
          start = i;
          count = 0;
        }
      if (r != NULL)
        {
          last = r->ts;
          count++;
        }
    }
}

/* Position of ROW_INDEX in ROWS, an ascending array of row indices that
 * holds it (a binary search on the compact index, not on the rows). */
static guint
position_of (const GArray *rows, guint row_index)
{
  const guint *idx = (const guint *) rows->data;
  guint lo = 0, hi = rows->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (idx[mid] < row_index)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Whether row ROW_INDEX, a lookup by another handle, lies in a burst of
 * its source: the burst test run on the source's rows within BURST_SECONDS
 * of it.  A source whose other rows are not in the evidence shows no
 * burst. */
static gboolean
source_in_burst (const MlEvidence *ev, guint row_index, int n_windows)
{
  const MlEvRow *r = row_at (ev, row_index);
  const GArray *rows = ml_evidence_rows_of (ev, r->source);

  if (rows == NULL || rows->len < BURST_MIN_HANDLES)
    return FALSE;
  const guint *idx = (const guint *) rows->data;
  guint p = position_of (rows, row_index), lo = p, hi = p + 1;
  g_assert (p < rows->len && idx[p] == row_index);
  while (lo > 0 && r->ts - row_at (ev, idx[lo - 1])->ts <= BURST_SECONDS)
    lo--;
  while (hi < rows->len && row_at (ev, idx[hi])->ts - r->ts <= BURST_SECONDS)
    hi++;
  if (hi - lo < BURST_MIN_HANDLES)
    return FALSE;
  g_autofree gboolean *bulk = g_new0 (gboolean, hi - lo);
  mark_span (ev, idx + lo, hi - lo, r->source, n_windows, bulk);
  return bulk[p - lo];
}

/* Count one lookup at T between the target and A's handle. */
static void
acc_add (Acc *a, MlTime t, gboolean out, gboolean bulk)
{
  MlDay day = ml_day_of (t);
  int h = ml_hour_of_day (t);

  if (out)
    a->c.n_out++;
  else
    a->c.n_in++;
  if (a->c.n_out + a->c.n_in == 1)
    a->c.first = t;
  a->c.last = t;
  a->c.bulk += bulk;
  a->n_eff += bulk ? BULK_WEIGHT : 1.0;
  if (day != a->day)
    {
      a->c.days++;
      a->d_eff += bulk ? BULK_WEIGHT : 1.0;
      a->day = day;
      a->day_nonbulk = !bulk;
    }
  else if (!bulk && !a->day_nonbulk)
    {
      a->d_eff += 1.0 - BULK_WEIGHT;
      a->day_nonbulk = TRUE;
    }
  if (bulk)
    return;
  *(out ? &a->nonbulk_out : &a->nonbulk_in) += 1;
  a->off_hours += h >= OFF_HOURS_START_H || h < OFF_HOURS_END_H;
}

/* Score and confidence of A, the windows ending at END. */
static void
acc_score (Acc *a, MlTime end)
{
  double age = MAX (0.0, (double) (end - a->c.last) / ML_SECONDS_PER_DAY);
  double off = (double) a->off_hours / (a->off_hours + OFF_HOURS_HALF);
  gboolean mutual = a->nonbulk_out > 0 && a->nonbulk_in > 0;
  double evidence = log1p (a->n_eff) + log1p (a->d_eff) + W_OFF_HOURS * off + W_RECIPROCITY * mutual;

  /* Recency ranks contacts but does not make an old contact less real:
   * confidence uses only terms that can only grow as windows are added, so
   * the reported set never shrinks when an order is renewed. */
  a->c.score = evidence + W_RECENCY * exp (-age / RECENCY_DAYS);
  a->c.confidence = 1.0 / (1.0 + exp (-CONF_SLOPE * (evidence + W_RECENCY - CONF_MIDPOINT)));
}

static gint
by_score (gconstpointer pa, gconstpointer pb)
{
  const MlContact *a = pa, *b = pb;

  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return (a->handle > b->handle) - (a->handle < b->handle);
}

/* ---- every window count in one pass --------------------------------------
 *
 * A row's burst flag can only turn on as windows are added (a stretch with
 * enough distinct handles keeps them), so each row carries the first window
 * count at which it is bulk.  Each row is also mapped to its contact's
 * accumulator once.  When the windows of the target's rows rise with time
 * (the usual case) the rows of window count N are a prefix of those of
 * N + 1 and the accumulators just go on; they are rebuilt for a count at
 * which an earlier row turns bulk, and for every count otherwise.  Each
 * count's contacts are then the same, value for value, as when computed
 * alone (test-infer compares them with a from-scratch reference). */

#define BULK_NEVER G_MAXUINT8

typedef struct {
  guint slot;                   /* the contact's accumulator */
  MlTime ts;
  guint8 window;
  guint8 bulk_from;             /* first window count at which the row is bulk */
  gboolean out;                 /* the target looked the contact up */
} Item;

typedef struct {
  GArray *items;                /* Item, row order */
  GArray *handles;              /* gint64 per slot */
  GArray *services;             /* gboolean per slot: listed in the directory */
  gboolean rising;              /* items' windows never fall */
} Plan;

/* The first window count in [FROM, TO] at which row RI, a lookup of the
 * target by another handle, lies in a burst of its source. */
static guint8
trap_bulk_from (const MlEvidence *ev, guint ri, int from, int to)
{
  if (!source_in_burst (ev, ri, to))
    return BULK_NEVER;
  for (int n = MAX (from, row_at (ev, ri)->window + 1); n < to; n++)
    if (source_in_burst (ev, ri, n))
      return (guint8) n;
  return (guint8) to;
}

/* The first window count in [FROM, TO] at which each of the target's own
 * lookups IDX[0..N) is bulk, into PEN_FROM. */
static void
pen_bulk_from (const MlEvidence *ev, const guint *idx, guint n, gint64 target, int from, int to,
               guint8 *pen_from)
{
  g_autofree gboolean *bulk = g_new0 (gboolean, MAX (n, 1));
  gboolean any = FALSE;

  memset (pen_from, BULK_NEVER, n);
  mark_bursts (ev, idx, n, target, to, bulk);
  for (guint i = 0; i < n && !any; i++)
    any = bulk[i];
  for (int w = from; any && w <= to; w++)
    {
      memset (bulk, 0, n * sizeof *bulk);
      mark_bursts (ev, idx, n, target, w, bulk);
      for (guint i = 0; i < n; i++)
        if (bulk[i] && pen_from[i] == BULK_NEVER)
          pen_from[i] = (guint8) w;
    }
}

static void
plan_init (Plan *p, const MlEvidence *ev, gint64 target, const GArray *rows, int from, int to)
{
  const guint *idx = (const guint *) rows->data;
  g_autofree guint8 *pen_from = g_new (guint8, MAX (rows->len, 1));
  g_autoptr(GHashTable) slots = ml_id_table_new (NULL);
  int last_window = 0;

  p->items = g_array_sized_new (FALSE, FALSE, sizeof (Item), rows->len);
  p->handles = g_array_new (FALSE, FALSE, sizeof (gint64));
  p->services = g_array_new (FALSE, FALSE, sizeof (gboolean));
  p->rising = TRUE;
  pen_bulk_from (ev, idx, rows->len, target, from, to, pen_from);
  for (guint i = 0; i < rows->len; i++)
    {
      const MlEvRow *r = row_at (ev, idx[i]);
      gpointer slot;
      gint64 other;
      Item it = { .ts = r->ts, .window = r->window };
      if (!ml_ev_in_windows (r, to) || r->source == r->lookup)
        continue;
      if (r->source == target)
        it.out = TRUE, it.bulk_from = pen_from[i], other = r->lookup;
      else if (r->lookup == target)
        it.out = FALSE, it.bulk_from = trap_bulk_from (ev, idx[i], from, to), other = r->source;
      else
        continue;
      if (!g_hash_table_lookup_extended (slots, ML_ID_KEY (other), NULL, &slot))
        {
          gboolean service = ml_evidence_directory (ev, other) != NULL;
          slot = GUINT_TO_POINTER (p->handles->len);
          g_hash_table_insert (slots, ML_ID_KEY (other), slot);
          g_array_append_val (p->handles, other);
          g_array_append_val (p->services, service);
        }
      it.slot = GPOINTER_TO_UINT (slot);
      p->rising = p->rising && r->window >= last_window;
      last_window = r->window;
      g_array_append_val (p->items, it);
    }
}

static void
plan_clear (Plan *p)
{
  g_clear_pointer (&p->items, g_array_unref);
  g_clear_pointer (&p->handles, g_array_unref);
  g_clear_pointer (&p->services, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plan, plan_clear)

/* END[n] for n in [FROM, TO]: the end of the first n windows of TARGET's
 * orders, G_MININT64 when it has none (a contact of a target). */
static void
windows_ends (const MlEvidence *ev, gint64 target, int from, int to, MlTime *end)
{
  for (int n = from; n <= to; n++)
    end[n] = G_MININT64;
  for (guint i = 0; ev->targets != NULL && i < ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (ev->targets, MlTarget, i);
      if (t->handle != target || t->orders == NULL)
        continue;
      for (guint k = 0; k < t->orders->len; k++)
        {
          const MlOrder *o = &g_array_index (t->orders, MlOrder, k);
          if (ml_window_is_empty (&o->returned))
            continue;
          for (int n = MAX (from, o->position + 1); n <= to; n++)
            end[n] = MAX (end[n], o->returned.end);
        }
    }
}

/* The contacts at N windows from the accumulators ACCS. */
static GArray *
snapshot (const Plan *p, Acc *accs, MlTime end)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlContact));
  MlTime last = 0;

  for (guint s = 0; s < p->handles->len; s++)
    if (accs[s].c.n_out + accs[s].c.n_in > 0)
      last = MAX (last, accs[s].c.last);
  if (end == G_MININT64)
    end = last + 1;
  for (guint s = 0; s < p->handles->len; s++)
    {
      Acc *a = &accs[s];
      if (a->c.n_out + a->c.n_in == 0)
        continue;
      acc_score (a, end);
      a->c.is_service = g_array_index (p->services, gboolean, s);
      g_array_append_val (out, a->c);
    }
  g_array_sort (out, by_score);
  for (guint i = 0; i < out->len; i++)
    g_array_index (out, MlContact, i).rank = (int) i + 1;
  return out;
}

static void
accs_reset (const Plan *p, Acc *accs)
{
  for (guint s = 0; s < p->handles->len; s++)
    accs[s] = (Acc) { .c = { .handle = g_array_index (p->handles, gint64, s) }, .day = G_MININT32 };
}

/* OUT[n - 1] for every n in [FROM, TO]. */
static void
contacts_range (const MlEvidence *ev, gint64 target, int from, int to, GArray **out)
{
  const GArray *rows = ml_evidence_rows_of (ev, target);
  g_auto(Plan) p = { NULL };
  MlTime end[65];
  guint done = 0;

  g_assert (from >= 1 && from <= to && to <= 64);
  plan_init (&p, ev, target, rows, from, to);
  windows_ends (ev, target, from, to, end);
  g_autofree Acc *accs = g_new (Acc, MAX (p.handles->len, 1));
  const Item *items = (const Item *) p.items->data;
  for (int n = from; n <= to; n++)
    {
      gboolean rebuild = !p.rising || n == from;
      for (guint k = 0; k < done && !rebuild; k++)
        rebuild = items[k].bulk_from == n;
      if (rebuild)
        {
          accs_reset (&p, accs);
          done = 0;
        }
      for (guint k = done; k < p.items->len; k++)
        {
          const Item *it = &items[k];
          if (it->window >= n)
            {
              if (p.rising)
                break;
              continue;
            }
          acc_add (&accs[it->slot], it->ts, it->out, it->bulk_from <= n);
          done = k + 1;
        }
      out[n - 1] = snapshot (&p, accs, end[n]);
    }
}

GArray *
ml_infer_contacts (const MlEvidence *ev, gint64 target, int n_windows)
{
  GArray *out[64] = { NULL };

  g_return_val_if_fail (ev != NULL && n_windows >= 1 && n_windows <= 64, NULL);
  contacts_range (ev, target, n_windows, n_windows, out);
  return out[n_windows - 1];
}

void
ml_infer_contacts_each (const MlEvidence *ev, gint64 target, int n_max, GArray **out)
{
  g_return_if_fail (ev != NULL && out != NULL && n_max >= 1 && n_max <= 64);
  contacts_range (ev, target, 1, n_max, out);
}

GArray *
ml_contacts_reported (GArray *contacts)
{
  g_return_val_if_fail (contacts != NULL, NULL);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlContact));

  for (guint i = 0; i < contacts->len; i++)
    {
      const MlContact *c = &g_array_index (contacts, MlContact, i);
      if (c->confidence >= 0.5 && !c->is_service)
        g_array_append_val (out, *c);
    }
  return out;
}
