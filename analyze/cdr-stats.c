/* cdr-stats.c -- bandicoot's summary statistics, computed its way.
 *
 * bandicoot 0.6.0 (helper/maths.py): the data are sorted first; the mean is
 * the sum in that order over n; moments are population moments
 * (sum((x - mean)^k) / n, and 0 when n <= 1); std = sqrt(m2); skewness =
 * m3 / m2^1.5 and kurtosis = m4 / m2^2 (not excess), both 0 when m2 = 0;
 * the median averages the two middle values.  Sums run left to right, as
 * Python's sum() does, so results agree with bandicoot's to the last bits
 * and far inside its 1.5e-7 tolerance.  With the default summary only the
 * mean and std are needed: the data are then summed unsorted (a difference
 * in the last bits) and the costly sort and powers are skipped.
 *
 * Workload: called per indicator per group: a few million values a second,
 * no allocation.
 */

#include <math.h>
#include <stdlib.h>

#include "analyze/cdr-private.h"

const char *const ml_cdr_stat_names[ST_N] = {
  "mean", "std", "median", "skewness", "kurtosis", "min", "max",
};

static int
double_cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
mean_of (const double *x, guint n)
{
  double sum = 0.0;

  for (guint i = 0; i < n; i++)
    sum += x[i];
  return sum / n;
}

/* bandicoot's moment(x, k): 0 when n <= 1. */
static double
moment (const double *x, guint n, double mean, int k)
{
  double sum = 0.0;

  if (n <= 1)
    return 0.0;
  for (guint i = 0; i < n; i++)
    {
      double d = x[i] - mean;
      sum += k == 2 ? d * d : pow (d, k);
    }
  return sum / n;
}

void
ml_cdr_stats (double *data, guint n, gboolean extended, CdrStats *out)
{
  double m2, m3, m4, d15;

  out->ok = n > 0;
  if (n == 0)
    return;
  if (!extended)
    {
      ml_cdr_mean_std (data, n, &out->v[ST_MEAN], &out->v[ST_STD]);
      return;
    }
  qsort (data, n, sizeof *data, double_cmp);
  out->v[ST_MEAN] = mean_of (data, n);
  out->v[ST_MEDIAN] = (data[n / 2] + data[(n - 1) / 2]) / 2.0;
  out->v[ST_MIN] = data[0];
  out->v[ST_MAX] = data[n - 1];
  m2 = moment (data, n, out->v[ST_MEAN], 2);
  m3 = moment (data, n, out->v[ST_MEAN], 3);
  m4 = moment (data, n, out->v[ST_MEAN], 4);
  out->v[ST_STD] = sqrt (m2);
  d15 = pow (m2, 1.5);
  out->v[ST_SKEWNESS] = d15 != 0.0 ? m3 / d15 : 0.0;
  out->v[ST_KURTOSIS] = m2 * m2 != 0.0 ? m4 / pow (m2, 2.0) : 0.0;
}

gboolean
ml_cdr_mean_std (const double *x, guint n, double *mean, double *std)
{
  if (n == 0)
    return FALSE;
  *mean = mean_of (x, n);
  *std = sqrt (moment (x, n, *mean, 2));
  return TRUE;
}

double
ml_cdr_entropy (const guint *c, guint n)
{
  double total = 0.0, h = 0.0;

  for (guint i = 0; i < n; i++)
    total += c[i];
  for (guint i = 0; i < n; i++)
    {
      double f = c[i] / total;
      h += f * log (f);
    }
  return -h;
}

/* Sort C[0..N) ascending: insertion sort for short runs, else quicksort
 * on a median of three, recursing into the smaller side (depth <= log2 N).
 * The per-group contact counts it sorts are short, and qsort's indirect
 * comparisons cost five times as much. */
static void
sort_gint64 (gint64 *c, gsize n)
{
  while (n > 16)
    {
      gint64 a = c[0], b = c[n / 2], z = c[n - 1];
      gint64 pivot = a < b ? (b < z ? b : (a < z ? z : a)) : (a < z ? a : (b < z ? z : b));
      gsize i = 0, j = n - 1;
      for (;;)
        {
          while (c[i] < pivot)
            i++;
          while (c[j] > pivot)
            j--;
          if (i >= j)
            break;
          { gint64 t = c[i]; c[i] = c[j]; c[j] = t; }
          i++, j--;
        }
      /* c[0..j] <= pivot <= c[j+1..n) */
      if (j + 1 < n - (j + 1))
        {
          sort_gint64 (c, j + 1);
          c += j + 1, n -= j + 1;
        }
      else
        {
          sort_gint64 (c + j + 1, n - (j + 1));
          n = j + 1;
        }
    }
  for (gsize i = 1; i < n; i++)
    {
      gint64 v = c[i];
      gsize k = i;
      for (; k > 0 && c[k - 1] > v; k--)
        c[k] = c[k - 1];
      c[k] = v;
    }
}

guint
ml_cdr_pareto_count (gint64 *c, guint n, double fraction)
{
  gint64 total = 0;
  double target;
  guint taken = 0;

  for (guint i = 0; i < n; i++)
    total += c[i];
  /* int(math.ceil(sum * percentage)), in doubles as Python computes it */
  target = ceil ((double) total * fraction);
  sort_gint64 (c, n);
  while (target > 0 && taken < n)
    target -= (double) c[n - 1 - taken++];
  return taken;
}
