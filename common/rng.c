/* rng.c -- counter-based, splittable random streams and distributions.
 *
 * The Philox block function and the raw draws are inline in rng.h; this file
 * holds stream derivation (hashing a stream's name into its key and
 * counter), the non-uniform distributions and the alias table.  Each
 * distribution is an exact method (inversion or rejection with an exact
 * acceptance test), so results depend only on the stream, never on
 * approximations that vary with parameters.  Called per event in the
 * simulation: nothing here allocates except ml_alias_new().
 */

#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "common/rng.h"

#define GOLDEN64 G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)

/* Domain separators so that no stream of ml_rng_init() coincides with a
 * split child by construction, and key and counter hashes are unrelated. */
#define DOMAIN_INIT_KEY  G_GUINT64_CONSTANT (0x6D6C2D726E672D6B) /* "ml-rng-k" */
#define DOMAIN_INIT_CTR  G_GUINT64_CONSTANT (0x6D6C2D726E672D63) /* "ml-rng-c" */
#define DOMAIN_SPLIT_KEY G_GUINT64_CONSTANT (0x6D6C2D73706C2D6B) /* "ml-spl-k" */
#define DOMAIN_SPLIT_CTR G_GUINT64_CONSTANT (0x6D6C2D73706C2D63) /* "ml-spl-c" */

/* ---- hashing and stream derivation -------------------------------------- */

guint64
ml_hash64 (guint64 x)
{
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

guint64
ml_hash_combine (guint64 h, guint64 v)
{
  return ml_hash64 (h + GOLDEN64 + ml_hash64 (v ^ GOLDEN64));
}

/* Set RNG to the first draw of the stream whose key is KEY64 and whose
 * counter's upper half is CTR64. */
static void
rng_set_stream (MlRng *rng, guint64 key64, guint64 ctr64)
{
  rng->key[0] = (guint32) key64;
  rng->key[1] = (guint32) (key64 >> 32);
  rng->ctr[0] = 0;
  rng->ctr[1] = 0;
  rng->ctr[2] = (guint32) ctr64;
  rng->ctr[3] = (guint32) (ctr64 >> 32);
  memset (rng->buf, 0, sizeof rng->buf);
  rng->idx = 4;
}

/* Hash the tuple (DOMAIN, X, Y, Z, W) into 64 bits. */
static guint64
hash_tuple (guint64 domain, guint64 x, guint64 y, guint64 z, guint64 w)
{
  guint64 h = ml_hash64 (domain);

  h = ml_hash_combine (h, x);
  h = ml_hash_combine (h, y);
  h = ml_hash_combine (h, z);
  return ml_hash_combine (h, w);
}

void
ml_rng_init (MlRng *rng, guint64 seed, guint64 a, guint64 b, guint64 c)
{
  g_return_if_fail (rng != NULL);

  rng_set_stream (rng,
                  hash_tuple (DOMAIN_INIT_KEY, seed, a, b, c),
                  hash_tuple (DOMAIN_INIT_CTR, seed, a, b, c));
}

void
ml_rng_split (const MlRng *parent, guint64 id, MlRng *child)
{
  guint64 key64, ctr64;

  g_return_if_fail (parent != NULL);
  g_return_if_fail (child != NULL && child != parent);

  key64 = (guint64) parent->key[1] << 32 | parent->key[0];
  ctr64 = (guint64) parent->ctr[3] << 32 | parent->ctr[2];
  rng_set_stream (child,
                  hash_tuple (DOMAIN_SPLIT_KEY, key64, ctr64, id, 0),
                  hash_tuple (DOMAIN_SPLIT_CTR, key64, ctr64, id, 0));
}

/* ---- uniform integers and reals ----------------------------------------- */

double
ml_rng_range (MlRng *rng, double lo, double hi)
{
  g_return_val_if_fail (lo <= hi, lo);

  return lo + (hi - lo) * ml_rng_uniform (rng);
}

/* The 128-bit product of A and B: high word returned, low word in *LO. */
static inline guint64
mul_hilo64 (guint64 a, guint64 b, guint64 *lo)
{
#ifdef __SIZEOF_INT128__
  G_GNUC_EXTENSION typedef unsigned __int128 u128;
  u128 p = (u128) a * b;
  *lo = (guint64) p;
  return (guint64) (p >> 64);
#else
  guint64 a_lo = (guint32) a, a_hi = a >> 32, b_lo = (guint32) b, b_hi = b >> 32;
  guint64 ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  guint64 mid = (ll >> 32) + (guint32) lh + (guint32) hl;
  *lo = (mid << 32) | (guint32) ll;
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

guint64
ml_rng_below (MlRng *rng, guint64 n)
{
  guint64 lo, hi;

  g_return_val_if_fail (n > 0, 0);

  hi = mul_hilo64 (ml_rng_u64 (rng), n, &lo);
  if (G_UNLIKELY (lo < n))
    {
      guint64 threshold = -n % n;   /* 2^64 mod n */
      while (lo < threshold)
        hi = mul_hilo64 (ml_rng_u64 (rng), n, &lo);
    }
  return hi;
}

gboolean
ml_rng_bernoulli (MlRng *rng, double p)
{
  return ml_rng_uniform (rng) < p;
}

/* ---- continuous distributions ------------------------------------------- */

/* A standard normal deviate by Marsaglia's polar method. */
static double
standard_normal (MlRng *rng)
{
  double u, v, s;

  do
    {
      u = 2.0 * ml_rng_uniform (rng) - 1.0;
      v = 2.0 * ml_rng_uniform (rng) - 1.0;
      s = u * u + v * v;
    }
  while (s >= 1.0 || s == 0.0);
  return u * sqrt (-2.0 * log (s) / s);
}

/* A standard exponential deviate (mean 1) by inversion; 1 - u is in (0, 1]. */
static double
standard_exponential (MlRng *rng)
{
  return -log1p (-ml_rng_uniform (rng));
}

double
ml_rng_normal (MlRng *rng, double mean, double sd)
{
  g_return_val_if_fail (sd >= 0.0, NAN);

  return mean + sd * standard_normal (rng);
}

double
ml_rng_lognormal (MlRng *rng, double mu, double sigma)
{
  g_return_val_if_fail (sigma >= 0.0, NAN);

  return exp (mu + sigma * standard_normal (rng));
}

double
ml_rng_exponential (MlRng *rng, double rate)
{
  g_return_val_if_fail (rate > 0.0, NAN);

  return standard_exponential (rng) / rate;
}

double
ml_rng_pareto (MlRng *rng, double xm, double alpha)
{
  g_return_val_if_fail (xm > 0.0 && alpha > 0.0, NAN);

  return xm * exp (standard_exponential (rng) / alpha);
}

/* Inversion of the truncated power law, written with expm1/log1p so that it
 * stays accurate as ALPHA -> 1:  with g = 1 - alpha and r = ln(xmax/xmin),
 *   x = xmin * exp(log1p(u * expm1(g r)) / g),  and x = xmin e^(u r) at g = 0.
 * With xmax = inf and alpha > 1, expm1(-inf) = -1 gives the Pareto. */
double
ml_rng_power_law (MlRng *rng, double alpha, double xmin, double xmax)
{
  double g = 1.0 - alpha;
  double r, u;

  g_return_val_if_fail (xmin > 0.0 && xmin < xmax, NAN);
  g_return_val_if_fail (isfinite (xmax) || alpha > 1.0, NAN);

  r = log (xmax / xmin);
  u = ml_rng_uniform (rng);
  if (g == 0.0)
    return xmin * exp (u * r);
  return xmin * exp (log1p (u * expm1 (g * r)) / g);
}

double
ml_rng_power_law_cutoff (MlRng *rng, double beta, double tau, double xmin)
{
  g_return_val_if_fail (xmin > 0.0 && tau > 0.0 && beta > -1.0, NAN);
  g_return_val_if_fail (isfinite (tau) || beta > 0.0, NAN);

  if (beta > 0.0 && xmin < tau)
    for (;;)   /* Pareto envelope, exponential acceptance */
      {
        double x = xmin * exp (standard_exponential (rng) / beta);
        if (ml_rng_uniform_open (rng) <= exp (-(x - xmin) / tau))
          return x;
      }
  for (;;)     /* shifted-exponential envelope, power-law acceptance */
    {
      double x = xmin + tau * standard_exponential (rng);
      if (ml_rng_uniform_open (rng) <= pow (x / xmin, -1.0 - beta))
        return x;
    }
}

double
ml_rng_gamma (MlRng *rng, double k, double theta)
{
  double boost = 1.0, d, c;

  g_return_val_if_fail (k > 0.0 && theta > 0.0 && isfinite (k), NAN);
  if (k < 1.0)
    {
      boost = pow (ml_rng_uniform_open (rng), 1.0 / k);
      k += 1.0;
    }
  d = k - 1.0 / 3.0;
  c = 1.0 / sqrt (9.0 * d);
  for (;;)
    {
      double x, v, u;

      do
        {
          x = standard_normal (rng);
          v = 1.0 + c * x;
        }
      while (v <= 0.0);
      v = v * v * v;
      u = ml_rng_uniform_open (rng);
      if (u < 1.0 - 0.0331 * x * x * x * x || log (u) < 0.5 * x * x + d * (1.0 - v + log (v)))
        return theta * d * v * boost;
    }
}

double
ml_rng_weibull (MlRng *rng, double k, double lambda)
{
  g_return_val_if_fail (k > 0.0 && lambda > 0.0, NAN);

  return lambda * pow (standard_exponential (rng), 1.0 / k);
}

/* ---- discrete distributions --------------------------------------------- */

/* Poisson by inversion with sequential search from 0; exact.  If rounding
 * leaves the accumulated CDF short of U (only for U within ~1e-16 of 1),
 * the draw is repeated rather than truncated. */
static guint64
poisson_inversion (MlRng *rng, double lambda)
{
  for (;;)
    {
      double u = ml_rng_uniform (rng);
      double p = exp (-lambda);
      double cdf = p;
      guint64 k = 0;

      while (u >= cdf && p > 0.0)
        {
          k++;
          p *= lambda / (double) k;
          cdf += p;
        }
      if (u < cdf)
        return k;
    }
}

/* Poisson by PTRS, Hormann 1993, for LAMBDA >= 10: transformed rejection
 * with a squeeze (constants from the paper's Table/algorithm). */
static guint64
poisson_ptrs (MlRng *rng, double lambda)
{
  double slam = sqrt (lambda);
  double loglam = log (lambda);
  double b = 0.931 + 2.53 * slam;
  double a = -0.059 + 0.02483 * b;
  double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  double v_r = 0.9277 - 3.6224 / (b - 2.0);

  for (;;)
    {
      double u = ml_rng_uniform (rng) - 0.5;
      double v = ml_rng_uniform_open (rng);
      double us = 0.5 - fabs (u);
      double k = floor ((2.0 * a / us + b) * u + lambda + 0.43);

      if (us >= 0.07 && v <= v_r)
        return (guint64) k;
      if (k < 0.0 || (us < 0.013 && v > us))
        continue;
      if (log (v) + log (inv_alpha) - log (a / (us * us) + b)
          <= -lambda + k * loglam - lgamma (k + 1.0))
        return (guint64) k;
    }
}

guint64
ml_rng_poisson (MlRng *rng, double lambda)
{
  g_return_val_if_fail (lambda >= 0.0 && isfinite (lambda), 0);

  if (lambda == 0.0)
    return 0;
  if (lambda < 10.0)
    return poisson_inversion (rng, lambda);
  return poisson_ptrs (rng, lambda);
}

/* log1p(x)/x, accurate near 0. */
static double
log1p_over_x (double x)
{
  if (fabs (x) > 1e-8)
    return log1p (x) / x;
  return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

/* expm1(x)/x, accurate near 0. */
static double
expm1_over_x (double x)
{
  if (fabs (x) > 1e-8)
    return expm1 (x) / x;
  return 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

/* The hat h(x) = x^-s of the Zipf sampler, its integral
 * H(x) = (x^(1-s) - 1)/(1-s) (ln x at s = 1) and H's inverse. */
static double
zipf_h (double x, double s)
{
  return exp (-s * log (x));
}

static double
zipf_hint (double x, double s)
{
  double lx = log (x);
  return expm1_over_x ((1.0 - s) * lx) * lx;
}

static double
zipf_hint_inv (double y, double s)
{
  double t = y * (1.0 - s);
  if (t < -1.0)
    t = -1.0;   /* rounding guard: H's range ends at -1/(1-s) for s > 1 */
  return exp (log1p_over_x (t) * y);
}

void
ml_zipf_init (MlZipf *zipf, double s, guint64 n)
{
  g_return_if_fail (zipf != NULL);
  g_return_if_fail (s > 0.0 && n >= 1);

  zipf->s = s;
  zipf->n = (double) n;
  zipf->h_x1 = zipf_hint (1.5, s) - 1.0;
  zipf->h_n = zipf_hint (zipf->n + 0.5, s);
  zipf->core = 2.0 - zipf_hint_inv (zipf_hint (2.5, s) - zipf_h (2.0, s), s);
}

/* Rejection-inversion of Hormann & Derflinger 1996, in the form of Apache
 * Commons RNG's RejectionInversionZipfSampler: draw y uniform on
 * (H(1.5) - 1, H(n + 0.5)], invert the hat, round to k, and accept when k
 * is in the always-accepted core or y falls under the bar of k. */
guint64
ml_zipf_sample (const MlZipf *zipf, MlRng *rng)
{
  double s = zipf->s;

  for (;;)
    {
      double y = zipf->h_n + ml_rng_uniform (rng) * (zipf->h_x1 - zipf->h_n);
      double x = zipf_hint_inv (y, s);
      double kd = floor (x + 0.5);

      if (kd < 1.0)
        kd = 1.0;
      else if (kd > zipf->n)
        kd = zipf->n;
      if (kd - x <= zipf->core || y >= zipf_hint (kd + 0.5, s) - zipf_h (kd, s))
        return kd >= 0x1.0p64 ? G_MAXUINT64 : (guint64) kd;
    }
}

guint64
ml_rng_zipf (MlRng *rng, double s, guint64 n)
{
  MlZipf zipf;

  g_return_val_if_fail (s > 0.0 && n >= 1, 1);

  ml_zipf_init (&zipf, s, n);
  return ml_zipf_sample (&zipf, rng);
}

guint64
ml_rng_geometric (MlRng *rng, double p)
{
  double k;

  g_return_val_if_fail (p > 0.0 && p <= 1.0, 0);

  if (p == 1.0)
    return 0;
  k = floor (log (ml_rng_uniform_open (rng)) / log1p (-p));
  return k >= 0x1.0p64 ? G_MAXUINT64 : (guint64) k;
}

/* ---- shuffling ----------------------------------------------------------- */

/* Swap the SIZE-byte objects at A and B (distinct) through a small buffer. */
static void
swap_bytes (guint8 *a, guint8 *b, gsize size)
{
  guint8 tmp[64];

  while (size > 0)
    {
      gsize chunk = MIN (size, sizeof tmp);
      memcpy (tmp, a, chunk);
      memcpy (a, b, chunk);
      memcpy (b, tmp, chunk);
      a += chunk;
      b += chunk;
      size -= chunk;
    }
}

void
ml_rng_shuffle (MlRng *rng, gpointer base, gsize n, gsize size)
{
  guint8 *bytes = base;

  g_return_if_fail (base != NULL || n == 0);

  for (gsize i = n; i > 1; i--)
    {
      gsize j = (gsize) ml_rng_below (rng, i);
      if (j != i - 1)
        swap_bytes (bytes + j * size, bytes + (i - 1) * size, size);
    }
}

/* ---- alias table -------------------------------------------------------- */

struct MlAlias {
  gsize n;        /* number of outcomes */
  double *prob;   /* prob[i]: chance of keeping column i rather than alias */
  gsize *alias;   /* alias[i]: the other outcome sharing column i */
};

/* Check WEIGHTS and return their maximum, or a negative value with ERROR
 * set when they are unusable. */
static double
check_weights (const double *weights, gsize n, GError **error)
{
  double wmax = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (weights[i]))
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                       "alias table: weight %" G_GSIZE_FORMAT " is not finite (%g)",
                       i, weights[i]);
          return -1.0;
        }
      if (weights[i] < 0.0)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                       "alias table: weight %" G_GSIZE_FORMAT " is negative (%g)",
                       i, weights[i]);
          return -1.0;
        }
      wmax = MAX (wmax, weights[i]);
    }
  if (wmax == 0.0)
    {
      g_set_error_literal (error, ML_ERROR, ML_ERROR_INPUT,
                           "alias table: all weights are zero");
      return -1.0;
    }
  return wmax;
}

/* Vose's construction.  P holds the weights scaled to mean 1 and is
 * consumed; SMALL and LARGE are work stacks of N entries each. */
static void
alias_build (MlAlias *alias, double *p, gsize *small, gsize *large)
{
  gsize n = alias->n, ns = 0, nl = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (p[i] < 1.0)
        small[ns++] = i;
      else
        large[nl++] = i;
    }
  while (ns > 0 && nl > 0)
    {
      gsize l = small[--ns], g = large[--nl];
      alias->prob[l] = p[l];
      alias->alias[l] = g;
      p[g] = (p[g] + p[l]) - 1.0;
      if (p[g] < 1.0)
        small[ns++] = g;
      else
        large[nl++] = g;
    }
  /* Leftovers are 1 up to rounding. */
  while (nl > 0)
    {
      gsize g = large[--nl];
      alias->prob[g] = 1.0;
      alias->alias[g] = g;
    }
  while (ns > 0)
    {
      gsize l = small[--ns];
      alias->prob[l] = 1.0;
      alias->alias[l] = l;
    }
}

MlAlias *
ml_alias_new (const double *weights, gsize n, GError **error)
{
  g_autofree double *p = NULL;
  g_autofree gsize *work = NULL;
  MlAlias *alias;
  double wmax, sum = 0.0;

  g_return_val_if_fail (weights != NULL || n == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n == 0)
    {
      g_set_error_literal (error, ML_ERROR, ML_ERROR_INPUT, "alias table: no weights");
      return NULL;
    }
  wmax = check_weights (weights, n, error);
  if (wmax < 0.0)
    return NULL;

  /* Scale by the maximum first so the sum cannot overflow. */
  p = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    sum += p[i] = weights[i] / wmax;
  for (gsize i = 0; i < n; i++)
    p[i] *= (double) n / sum;

  work = g_new (gsize, 2 * n);
  alias = g_new0 (MlAlias, 1);
  alias->n = n;
  alias->prob = g_new (double, n);
  alias->alias = g_new (gsize, n);
  alias_build (alias, p, work, work + n);
  return alias;
}

gsize
ml_alias_sample (const MlAlias *alias, MlRng *rng)
{
  gsize i;

  g_return_val_if_fail (alias != NULL, 0);

  i = (gsize) ml_rng_below (rng, alias->n);
  return ml_rng_uniform (rng) < alias->prob[i] ? i : alias->alias[i];
}

gsize
ml_alias_size (const MlAlias *alias)
{
  g_return_val_if_fail (alias != NULL, 0);

  return alias->n;
}

void
ml_alias_free (MlAlias *alias)
{
  if (alias == NULL)
    return;
  g_free (alias->prob);
  g_free (alias->alias);
  g_free (alias);
}
