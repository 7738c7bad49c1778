/* cdr-spatial.c -- position binning, home and bandicoot's spatial indicators.
 *
 * bandicoot 0.6.0 (spatial.py, helper/group.py positions_binning, core.py
 * recompute_home):
 *  - binning: consecutive records sharing (year, day of month, hour,
 *    minute // 30) -- the month is not in the key, as in bandicoot -- make
 *    one bin, whose position is the first of the run with the most equal
 *    positions (list.count uses Position.__eq__: antennas compare when both
 *    have one, else locations);
 *  - home: the most common bin (by identity; ties: the first seen) among
 *    the night records of the whole period, binned together;
 *  - number_of_antennas, entropy_of_antennas, frequent_antennas (how many
 *    positions make up ceil(80 %) of the bins), percent_at_home (None
 *    without a home), radius_of_gyration (km, on a 6371 km sphere; None
 *    without located bins), all per group of bins;
 *  - churn_rate: the cosine distance between consecutive ISO weeks' bin
 *    frequency vectors, summarised by mean and std.
 *
 * Workload: O(n) per selection plus O(d^2) in the number d of distinct
 * positions in a bin or group (a handful); scratch comes from the context.
 * Each selection is binned once (churn_rate borrows the weekly bins), and
 * each group's distinct positions are counted once for the four indicators
 * that read them.
 */

#include <math.h>
#include <string.h>

#include "analyze/cdr-private.h"
#include "common/geo.h"
#include "common/timeutil.h"

/* bandicoot's great_circle_distance() uses r = 6371 km; common/geo.h's
 * haversine the IUGG mean radius: rescale (relative error ~1e-16). */
#define BANDICOOT_EARTH_RADIUS_KM 6371.0

gboolean
ml_cdr_pos_equal (const CdrCtx *ctx, gint32 a, gint32 b)
{
  const CdrPos *p = &g_array_index (ctx->positions, CdrPos, a);
  const CdrPos *q = &g_array_index (ctx->positions, CdrPos, b);

  if (a == b)
    return TRUE;
  if (p->antenna >= 0 && q->antenna >= 0)
    return p->antenna == q->antenna;
  if (p->has_loc && q->has_loc)
    return p->lat == q->lat && p->lon == q->lon;
  return p->antenna < 0 && !p->has_loc && q->antenna < 0 && !q->has_loc;
}

/* The most common position of the run IDX[0..N) (N >= 2), counting with
 * Position.__eq__; the first one on ties.  Counts distinct positions
 * first, so a long run costs O(n + d^2). */
static gint32
run_mode (CdrCtx *ctx, const gint32 *idx, guint n)
{
  guint *cnt = ctx->cbuf;
  gint32 *distinct = ctx->order;
  guint d = 0, best_count = 0;
  gint32 best = -1;

  for (guint k = 0; k < n; k++)
    {
      gint32 p = ctx->pos[idx[k]];
      if (cnt[p]++ == 0)
        distinct[d++] = p;
    }
  for (guint a = 0; a < d; a++)
    {
      guint c = 0;
      for (guint b = 0; b < d; b++)
        if (ml_cdr_pos_equal (ctx, distinct[a], distinct[b]))
          c += cnt[distinct[b]];
      if (c > best_count)
        best_count = c, best = distinct[a];
    }
  for (guint a = 0; a < d; a++)
    cnt[distinct[a]] = 0;
  return best;
}

guint
ml_cdr_bin (CdrCtx *ctx, const gint32 *idx, guint n, gint32 *out)
{
  guint nb = 0, start = 0;

  while (start < n)
    {
      gint64 key = ctx->binkey[idx[start]];
      guint end = start + 1;
      while (end < n && ctx->binkey[idx[end]] == key)
        end++;
      out[nb++] = end - start == 1 ? ctx->pos[idx[start]] : run_mode (ctx, idx + start, end - start);
      start = end;
    }
  return nb;
}

const CdrBins *
ml_cdr_bins (CdrCtx *ctx, int pow, int pod)
{
  const CdrSel *s;
  CdrBins *b = ctx->bins[pow][pod];

  if (b != NULL)
    return b;
  s = ml_cdr_select (ctx, pow, pod, SEL_ALL);
  b = g_new0 (CdrBins, 1);
  b->pos = g_new (gint32, s->n + 1);
  b->group_start = g_new (guint, s->n_groups + 1);
  b->n_groups = s->n_groups;
  b->group_start[0] = 0;
  for (guint g = 0; g < s->n_groups; g++)
    b->group_start[g + 1] = b->group_start[g]
      + ml_cdr_bin (ctx, s->idx + s->group_start[g], s->group_start[g + 1] - s->group_start[g],
                    b->pos + b->group_start[g]);
  ctx->bins[pow][pod] = b;
  return b;
}

/* The distinct positions of BINS[0..N) in first-seen order into ctx->order,
 * their counts into ctx->cbuf2[k] (by rank); returns how many. */
static guint
count_distinct (CdrCtx *ctx, const gint32 *bins, guint n)
{
  guint *seen = ctx->cbuf;
  guint d = 0;

  for (guint k = 0; k < n; k++)
    {
      if (seen[bins[k]] == 0)
        {
          ctx->order[d] = bins[k];
          ctx->cbuf2[d] = 0;
          seen[bins[k]] = ++d;
        }
      ctx->cbuf2[seen[bins[k]] - 1]++;
    }
  for (guint a = 0; a < d; a++)
    seen[ctx->order[a]] = 0;
  return d;
}

/* The distinct positions of the current group's bins BINS[0..N) (those of
 * ctx->bins[cur_pow][cur_pod], group cur_group) into *POS with their
 * counts into *COUNT (borrowed); returns how many.  Counted once per group
 * of a selection; other BINS are counted into ctx->order and ctx->cbuf2. */
static guint
group_distinct (CdrCtx *ctx, const gint32 *bins, guint n, const gint32 **pos, const guint **count)
{
  CdrBins *b = ctx->bins[ctx->cur_pow][ctx->cur_pod];
  guint g = ctx->cur_group;

  if (b == NULL || g >= b->n_groups || bins != b->pos + b->group_start[g])
    {
      guint d = count_distinct (ctx, bins, n);
      *pos = ctx->order;
      *count = ctx->cbuf2;
      return d;
    }
  if (b->dstart == NULL)
    {
      b->dstart = g_new (guint, b->n_groups + 1);
      b->dpos = g_new (gint32, b->group_start[b->n_groups] + 1);
      b->dcount = g_new (guint, b->group_start[b->n_groups] + 1);
      b->dstart[0] = 0;
      for (guint k = 0; k < b->n_groups; k++)
        {
          guint d = count_distinct (ctx, b->pos + b->group_start[k], b->group_start[k + 1] - b->group_start[k]);
          memcpy (b->dpos + b->dstart[k], ctx->order, d * sizeof (gint32));
          memcpy (b->dcount + b->dstart[k], ctx->cbuf2, d * sizeof (guint));
          b->dstart[k + 1] = b->dstart[k] + d;
        }
    }
  *pos = b->dpos + b->dstart[g];
  *count = b->dcount + b->dstart[g];
  return b->dstart[g + 1] - b->dstart[g];
}

gint32
ml_cdr_home (CdrCtx *ctx)
{
  g_autofree gint32 *idx = NULL;
  g_autofree gint32 *bins = NULL;
  guint m = 0, nb, d, best = 0;

  if (ctx->home != -2)
    return ctx->home;
  idx = g_new (gint32, ctx->n + 1);
  bins = g_new (gint32, ctx->n + 1);
  for (guint i = 0; i < ctx->n; i++)
    if (ctx->night[i])
      idx[m++] = (gint32) i;
  nb = ml_cdr_bin (ctx, idx, m, bins);
  d = count_distinct (ctx, bins, nb);
  ctx->home = -1;
  for (guint a = 0; a < d; a++)
    if (ctx->cbuf2[a] > best)
      best = ctx->cbuf2[a], ctx->home = ctx->order[a];
  return ctx->home;
}

gboolean
ml_cdr_number_of_antennas (CdrCtx *ctx, const gint32 *bins, guint n, double *out)
{
  const gint32 *pos;
  const guint *count;

  *out = group_distinct (ctx, bins, n, &pos, &count);
  return TRUE;
}

gboolean
ml_cdr_entropy_of_antennas (CdrCtx *ctx, const gint32 *bins, guint n, double *out)
{
  const gint32 *pos;
  const guint *count;
  guint d = group_distinct (ctx, bins, n, &pos, &count);

  *out = ml_cdr_entropy (count, d);
  return TRUE;
}

gboolean
ml_cdr_percent_at_home (CdrCtx *ctx, const gint32 *bins, guint n, double *out)
{
  gint32 home = ml_cdr_home (ctx);
  const CdrPos *h;
  guint at = 0;

  if (home < 0)
    return FALSE;
  h = &g_array_index (ctx->positions, CdrPos, home);
  if (h->antenna < 0 && !h->has_loc)
    return FALSE;
  for (guint k = 0; k < n; k++)
    at += ml_cdr_pos_equal (ctx, bins[k], home);
  *out = n > 0 ? (double) at / n : 0.0;
  return TRUE;
}

gboolean
ml_cdr_radius_of_gyration (CdrCtx *ctx, const gint32 *bins, guint n, double *out)
{
  const gint32 *pos;
  const guint *count;
  guint d = group_distinct (ctx, bins, n, &pos, &count), u = 0;
  double lat = 0.0, lon = 0.0, total = 0.0, r = 0.0;
  const CdrPos **loc = ctx->gloc;   /* room for every position */
  double *w = ctx->dbuf;

  /* Counter of locations: merge positions at the same place */
  for (guint a = 0; a < d; a++)
    {
      const CdrPos *p = &g_array_index (ctx->positions, CdrPos, pos[a]);
      guint b;
      if (!p->has_loc)
        continue;
      for (b = 0; b < u && !(loc[b]->lat == p->lat && loc[b]->lon == p->lon); b++)
        ;
      if (b == u)
        loc[u] = p, w[u++] = 0.0;
      w[b] += count[a];
    }
  if (u == 0)
    return FALSE;
  for (guint b = 0; b < u; b++)
    lat += loc[b]->lat * w[b], lon += loc[b]->lon * w[b], total += w[b];
  lat /= total;
  lon /= total;
  for (guint b = 0; b < u; b++)
    {
      double km = ml_geo_haversine_km (lat, lon, loc[b]->lat, loc[b]->lon)
                  * (BANDICOOT_EARTH_RADIUS_KM / ML_GEO_EARTH_RADIUS_KM);
      r += w[b] / total * km * km;
    }
  *out = sqrt (r);
  return TRUE;
}

gboolean
ml_cdr_frequent_antennas (CdrCtx *ctx, const gint32 *bins, guint n, double *out)
{
  const gint32 *pos;
  const guint *count;
  guint d = group_distinct (ctx, bins, n, &pos, &count);

  for (guint a = 0; a < d; a++)
    ctx->ibuf[a] = count[a];
  *out = ml_cdr_pareto_count (ctx->ibuf, d, 0.8);
  return TRUE;
}

/* Sum of squares of the frequencies F over the support SUP[0..N). */
static double
sum_squares (const double *f, const gint32 *sup, guint n)
{
  double s = 0.0;

  for (guint k = 0; k < n; k++)
    s += f[sup[k]] * f[sup[k]];
  return s;
}

/* The bin frequencies of a week's bins BINS[0..NB) into F (zero on
 * entry), its support into SUP; returns the support's size. */
static guint
week_frequencies (const gint32 *bins, guint nb, double *f, gint32 *sup)
{
  guint ns = 0;

  for (guint k = 0; k < nb; k++)
    {
      if (f[bins[k]] == 0.0)
        sup[ns++] = bins[k];
      f[bins[k]] += 1.0;
    }
  for (guint k = 0; k < ns; k++)
    f[sup[k]] /= nb;
  return ns;
}

/* The bins of every ISO week of all records into BUF (room for ctx->n)
 * with offsets into START (room for the weeks + 1).  When grouping by week
 * they are those of the (allweek, allday) selection: borrowed instead. */
static const gint32 *
week_bins (CdrCtx *ctx, const CdrSel *weeks, gint32 *buf, guint *start, const guint **starts)
{
  if (ctx->o->groupby == ML_CDR_GROUP_WEEK)
    {
      const CdrBins *b = ml_cdr_bins (ctx, POW_ALLWEEK, POD_ALLDAY);
      g_assert (b->n_groups == weeks->n_groups);
      *starts = b->group_start;
      return b->pos;
    }
  start[0] = 0;
  for (guint g = 0; g < weeks->n_groups; g++)
    start[g + 1] = start[g] + ml_cdr_bin (ctx, weeks->idx + weeks->group_start[g],
                                          weeks->group_start[g + 1] - weeks->group_start[g], buf + start[g]);
  *starts = start;
  return buf;
}

gboolean
ml_cdr_churn_rate (CdrCtx *ctx, double *mean, double *std)
{
  gboolean weekly = ctx->o->groupby == ML_CDR_GROUP_WEEK;
  CdrSel *own = weekly ? NULL : ml_cdr_select_weeks (ctx);
  const CdrSel *weeks = weekly ? ml_cdr_select (ctx, POW_ALLWEEK, POD_ALLDAY, SEL_ALL) : own;
  guint dim = ctx->positions->len + 1, nw = weeks->n_groups, np = 0, nc;
  g_autofree gint32 *buf = g_new (gint32, ctx->n + 1);
  g_autofree guint *start = g_new (guint, nw + 1);
  g_autofree double *prev = g_new0 (double, dim);
  g_autofree double *cur = g_new0 (double, dim);
  g_autofree gint32 *psup = g_new (gint32, dim);
  g_autofree gint32 *csup = g_new (gint32, dim);
  g_autofree double *dist = g_new (double, nw + 1);
  const guint *starts;
  const gint32 *bins = week_bins (ctx, weeks, buf, start, &starts);
  gboolean ok;

  /* Frequencies are compared over the union of the weeks' positions, as
   * bandicoot's dense vectors are: zeros add nothing to the sums. */
  for (guint g = 0; g < nw; g++)
    {
      double num = 0.0;
      nc = week_frequencies (bins + starts[g], starts[g + 1] - starts[g], cur, csup);
      for (guint k = 0; g > 0 && k < nc; k++)
        num += cur[csup[k]] * prev[csup[k]];
      if (g > 0)
        dist[g - 1] = 1.0 - num / (sqrt (sum_squares (prev, psup, np)) * sqrt (sum_squares (cur, csup, nc)));
      for (guint k = 0; k < np; k++)
        prev[psup[k]] = 0.0;
      { double *t = prev; prev = cur; cur = t; }
      { gint32 *t = psup; psup = csup; csup = t; }
      np = nc;
    }
  ok = ml_cdr_mean_std (dist, nw > 0 ? nw - 1 : 0, mean, std);
  ml_cdr_sel_free (own);
  return ok;
}
