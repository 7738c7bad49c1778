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
 * Workload: called for 1,000 targets x 12 window counts per case.  Linear
 * in the target's rows; a trap row costs a binary search in its source's
 * row index plus the rows of that source within BURST_SECONDS.
 */
#include <math.h>

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

/* The end of the first N_WINDOWS windows of TARGET's orders; FALLBACK when
 * TARGET has no order (a contact of a target). */
static MlTime
windows_end (const MlEvidence *ev, gint64 target, int n_windows, MlTime fallback)
{
  MlTime end = G_MININT64;

  for (guint i = 0; ev->targets != NULL && i < ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (ev->targets, MlTarget, i);
      if (t->handle != target || t->orders == NULL)
        continue;
      for (guint k = 0; k < t->orders->len; k++)
        {
          const MlOrder *o = &g_array_index (t->orders, MlOrder, k);
          if (o->position < n_windows && !ml_window_is_empty (&o->returned))
            end = MAX (end, o->returned.end);
        }
    }
  return end == G_MININT64 ? fallback : end;
}

static Acc *
acc_get (GHashTable *by_handle, GArray *accs, gint64 handle)
{
  gpointer pos;

  if (g_hash_table_lookup_extended (by_handle, ML_ID_KEY (handle), NULL, &pos))
    return &g_array_index (accs, Acc, GPOINTER_TO_UINT (pos));
  Acc a = { .c = { .handle = handle }, .day = G_MININT32 };
  g_array_append_val (accs, a);
  g_hash_table_insert (by_handle, ML_ID_KEY (handle), GUINT_TO_POINTER (accs->len - 1));
  return &g_array_index (accs, Acc, accs->len - 1);
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
acc_score (const MlEvidence *ev, Acc *a, MlTime end)
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
  a->c.is_service = ml_evidence_directory (ev, a->c.handle) != NULL;
}

static gint
by_score (gconstpointer pa, gconstpointer pb)
{
  const MlContact *a = pa, *b = pb;

  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return (a->handle > b->handle) - (a->handle < b->handle);
}

/* Accumulate every row of ROWS in the windows into ACCS; PEN_BULK marks
 * the target's own lookups inside bursts. */
static void
accumulate (const MlEvidence *ev, gint64 target, int n_windows, const GArray *rows,
            const gboolean *pen_bulk, GHashTable *index, GArray *accs)
{
  for (guint i = 0; i < rows->len; i++)
    {
      guint ri = g_array_index (rows, guint, i);
      const MlEvRow *r = row_at (ev, ri);
      if (!ml_ev_in_windows (r, n_windows) || r->source == r->lookup)
        continue;
      if (r->source == target)
        acc_add (acc_get (index, accs, r->lookup), r->ts, TRUE, pen_bulk[i]);
      else if (r->lookup == target)
        acc_add (acc_get (index, accs, r->source), r->ts, FALSE,
                 source_in_burst (ev, ri, n_windows));
    }
}

GArray *
ml_infer_contacts (const MlEvidence *ev, gint64 target, int n_windows)
{
  g_return_val_if_fail (ev != NULL, NULL);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlContact));
  const GArray *rows = ml_evidence_rows_of (ev, target);
  if (rows == NULL || rows->len == 0)
    return out;

  g_autofree gboolean *pen_bulk = g_new0 (gboolean, rows->len);
  mark_bursts (ev, (const guint *) rows->data, rows->len, target, n_windows, pen_bulk);
  g_autoptr(GHashTable) index = ml_id_table_new (NULL);
  g_autoptr(GArray) accs = g_array_new (FALSE, FALSE, sizeof (Acc));
  accumulate (ev, target, n_windows, rows, pen_bulk, index, accs);

  MlTime last = 0;
  for (guint i = 0; i < accs->len; i++)
    last = MAX (last, g_array_index (accs, Acc, i).c.last);
  MlTime end = windows_end (ev, target, n_windows, last + 1);
  for (guint i = 0; i < accs->len; i++)
    {
      Acc *a = &g_array_index (accs, Acc, i);
      acc_score (ev, a, end);
      g_array_append_val (out, a->c);
    }
  g_array_sort (out, by_score);
  for (guint i = 0; i < out->len; i++)
    g_array_index (out, MlContact, i).rank = (int) i + 1;
  return out;
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
