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

static int
gint64_cmp (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
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
  qsort (c, n, sizeof *c, gint64_cmp);
  while (target > 0 && taken < n)
    target -= (double) c[n - 1 - taken++];
  return taken;
}
