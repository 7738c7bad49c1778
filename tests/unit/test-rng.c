/* test-rng.c -- unit tests for common/rng: Philox, streams, distributions.
 *
 * Philox is checked against the Random123 known-answer vectors, stream
 * derivation against frozen values, and every distribution against its
 * analytical moments.  Moment tests draw N = 200000 values from a fixed
 * seed and allow 5 standard errors: for a mean, sqrt(var/N) with the
 * analytical variance; for a variance, sqrt((mu4 - var^2)/N) with the
 * sample fourth central moment; for a frequency, sqrt(p(1-p)/N).
 * Chi-square tests use the 1e-6 upper quantile.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "common/rng.h"
#include "tests/unit/runner.h"

#define SEED G_GUINT64_CONSTANT (20240611)
#define N_DRAWS 200000
#define N_CHEAP 1000000   /* for O(1) table-free samplers: finer checks */
#define N_SE 5.0

/* Upper 1e-6 quantiles of chi-square with 4, 5 and 9 degrees of freedom. */
#define CHI2_4_1E6 33.38
#define CHI2_5_1E6 35.89
#define CHI2_9_1E6 44.81

/* ---- helpers -------------------------------------------------------------- */

/* Running moments (Welford/Terriberry): count, mean, and sums of squared,
 * cubed and fourth-power deviations. */
typedef struct {
  double n, mean, m2, m3, m4;
} Moments;

static void
moments_add (Moments *m, double x)
{
  double n1 = m->n;
  double n, delta, dn, dn2, term;

  m->n += 1.0;
  n = m->n;
  delta = x - m->mean;
  dn = delta / n;
  dn2 = dn * dn;
  term = delta * dn * n1;
  m->mean += dn;
  m->m4 += term * dn2 * (n * n - 3.0 * n + 3.0) + 6.0 * dn2 * m->m2 - 4.0 * dn * m->m3;
  m->m3 += term * dn * (n - 2.0) - 3.0 * dn * m->m2;
  m->m2 += term;
}

static double
moments_var (const Moments *m)
{
  return m->m2 / (m->n - 1.0);
}

/* Assert |ACTUAL - EXPECTED| <= 5 SE, naming WHAT on failure. */
static void
assert_within_se (const char *what, double actual, double expected, double se)
{
  gboolean ok = fabs (actual - expected) <= N_SE * se;

  if (!ok)
    fprintf (stderr, "\n    %s: got %.8g, expected %.8g (5 SE = %.3g)\n",
             what, actual, expected, N_SE * se);
  CU_ASSERT (ok);
}

/* Assert the sample mean and variance of M match MEAN and VAR. */
static void
assert_moments (const char *what, const Moments *m, double mean, double var)
{
  g_autofree char *mean_what = g_strdup_printf ("%s mean", what);
  g_autofree char *var_what = g_strdup_printf ("%s variance", what);
  double mu4 = m->m4 / m->n;

  assert_within_se (mean_what, m->mean, mean, sqrt (var / m->n));
  assert_within_se (var_what, moments_var (m), var, sqrt ((mu4 - var * var) / m->n));
}

/* Assert that the frequency COUNT/N matches probability P. */
static void
assert_frequency (const char *what, guint64 count, double n, double p)
{
  assert_within_se (what, (double) count / n, p, sqrt (p * (1.0 - p) / n));
}

/* Assert Pearson's chi-square of COUNTS (N draws) against cell
 * probabilities PROBS (NULL: equal cells) is below CRITICAL.  Cells of
 * probability 0 are skipped: they must be checked to be empty separately. */
static void
assert_chi_square (const char *what, const guint64 *counts, const double *probs,
                   gsize cells, double n, double critical)
{
  double chi2 = 0.0;

  for (gsize i = 0; i < cells; i++)
    {
      double expected = n * (probs != NULL ? probs[i] : 1.0 / (double) cells);
      if (expected > 0.0)
        chi2 += ((double) counts[i] - expected) * ((double) counts[i] - expected) / expected;
    }
  if (!(chi2 < critical))
    fprintf (stderr, "\n    %s: chi-square %.2f >= %.2f\n", what, chi2, critical);
  CU_ASSERT (chi2 < critical);
}

/* The integral of x^E over [A, B]. */
static double
integral_power (double e, double a, double b)
{
  if (e == -1.0)
    return log (b / a);
  return (pow (b, e + 1.0) - pow (a, e + 1.0)) / (e + 1.0);
}

/* The generalised harmonic number H_{n,s} = sum_{k=1}^n k^-s: exact up to
 * 10^5 terms, then an Euler-Maclaurin tail (error far below 1e-12). */
static double
harmonic (guint64 n, double s)
{
  const guint64 cut = 100000;
  double h = 0.0, a, b;

  for (guint64 k = MIN (n, cut); k >= 1; k--)
    h += pow ((double) k, -s);
  if (n <= cut)
    return h;
  a = (double) cut;
  b = (double) n;
  h += (s == 1.0 ? log (b / a) : (pow (b, 1.0 - s) - pow (a, 1.0 - s)) / (1.0 - s));
  h += (pow (b, -s) - pow (a, -s)) / 2.0;
  h += -s * (pow (b, -s - 1.0) - pow (a, -s - 1.0)) / 12.0;
  return h;
}

static void
assert_words (const guint32 *got, const guint32 *want, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      if (got[i] != want[i])
        fprintf (stderr, "\n    word %" G_GSIZE_FORMAT ": got %08x, expected %08x\n",
                 i, got[i], want[i]);
      CU_ASSERT_EQUAL (got[i], want[i]);
    }
}

/* ---- Philox --------------------------------------------------------------- */

static void
test_philox_matches_random123_zero_vector (void)
{
  const guint32 ctr[4] = { 0, 0, 0, 0 }, key[2] = { 0, 0 };
  const guint32 want[4] = { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 };
  guint32 out[4];

  ml_rng_philox4x32_10 (ctr, key, out);
  assert_words (out, want, 4);
}

static void
test_philox_matches_random123_all_ones_vector (void)
{
  const guint32 ctr[4] = { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };
  const guint32 key[2] = { 0xffffffff, 0xffffffff };
  const guint32 want[4] = { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd };
  guint32 out[4];

  ml_rng_philox4x32_10 (ctr, key, out);
  assert_words (out, want, 4);
}

static void
test_philox_matches_random123_pi_vector (void)
{
  const guint32 ctr[4] = { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 };
  const guint32 key[2] = { 0xa4093822, 0x299f31d0 };
  const guint32 want[4] = { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 };
  guint32 out[4];

  ml_rng_philox4x32_10 (ctr, key, out);
  assert_words (out, want, 4);
}

static void
test_hash64_is_the_splitmix64_finaliser (void)
{
  /* splitmix64 seeded with 0 first outputs mix(0x9e3779b97f4a7c15). */
  CU_ASSERT_EQUAL (ml_hash64 (G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)),
                   G_GUINT64_CONSTANT (0xE220A8397B1DCDAF));
  CU_ASSERT_EQUAL (ml_hash64 (0), 0);
}

static void
test_hash_combine_depends_on_order_and_value (void)
{
  guint64 h = ml_hash64 (42);

  CU_ASSERT_NOT_EQUAL (ml_hash_combine (ml_hash_combine (h, 1), 2),
                       ml_hash_combine (ml_hash_combine (h, 2), 1));
  CU_ASSERT_NOT_EQUAL (ml_hash_combine (h, 0), h);
  CU_ASSERT_NOT_EQUAL (ml_hash_combine (h, 0), ml_hash_combine (h, 1));
  CU_ASSERT_EQUAL (ml_hash_combine (h, 7), ml_hash_combine (h, 7));
}

/* ---- streams -------------------------------------------------------------- */

/* Whether the first 64 u32 draws of A and B agree; draws from both. */
static gboolean
same_sequence (MlRng *a, MlRng *b)
{
  for (int i = 0; i < 64; i++)
    if (ml_rng_u32 (a) != ml_rng_u32 (b))
      return FALSE;
  return TRUE;
}

static void
test_same_stream_ids_give_the_same_sequence (void)
{
  MlRng a, b;

  ml_rng_init (&a, SEED, 1, 2, 3);
  ml_rng_init (&b, SEED, 1, 2, 3);
  CU_ASSERT_TRUE (same_sequence (&a, &b));
}

static void
test_different_seeds_or_stream_ids_give_different_sequences (void)
{
  static const guint64 ids[][4] = {
    { SEED + 1, 1, 2, 3 }, { SEED, 0, 2, 3 }, { SEED, 1, 0, 3 }, { SEED, 1, 2, 0 },
    { SEED, 2, 1, 3 }, { SEED, 3, 2, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      MlRng base, other;
      ml_rng_init (&base, SEED, 1, 2, 3);
      ml_rng_init (&other, ids[i][0], ids[i][1], ids[i][2], ids[i][3]);
      CU_ASSERT_FALSE (same_sequence (&base, &other));
    }
}

static void
test_split_children_differ_from_parent_and_each_other (void)
{
  MlRng parent, c0, c1, c0_again, p_copy;

  ml_rng_init (&parent, SEED, 0, 0, 0);
  ml_rng_split (&parent, 0, &c0);
  ml_rng_split (&parent, 1, &c1);
  ml_rng_split (&parent, 0, &c0_again);
  p_copy = parent;
  CU_ASSERT_FALSE (same_sequence (&p_copy, &c0));
  p_copy = parent;
  CU_ASSERT_FALSE (same_sequence (&p_copy, &c1));
  ml_rng_split (&parent, 0, &c0);
  CU_ASSERT_FALSE (same_sequence (&c0, &c1));
  ml_rng_split (&parent, 0, &c0);
  CU_ASSERT_TRUE (same_sequence (&c0, &c0_again));
}

static void
test_split_ignores_how_far_the_parent_has_drawn (void)
{
  MlRng fresh, drawn, c_fresh, c_drawn;

  ml_rng_init (&fresh, SEED, 5, 0, 0);
  ml_rng_init (&drawn, SEED, 5, 0, 0);
  for (int i = 0; i < 13; i++)
    (void) ml_rng_u32 (&drawn);
  ml_rng_split (&fresh, 9, &c_fresh);
  ml_rng_split (&drawn, 9, &c_drawn);
  CU_ASSERT_TRUE (same_sequence (&c_fresh, &c_drawn));
}

static void
test_adjacent_streams_are_uncorrelated (void)
{
  MlRng a, b, parent, c;
  double sab = 0.0, sac = 0.0;

  ml_rng_init (&a, SEED, 100, 0, 0);
  ml_rng_init (&b, SEED, 101, 0, 0);
  ml_rng_split (&a, 0, &c);
  parent = a;
  for (int i = 0; i < N_DRAWS; i++)
    {
      double x = ml_rng_uniform (&parent) - 0.5;
      sab += x * (ml_rng_uniform (&b) - 0.5);
      sac += x * (ml_rng_uniform (&c) - 0.5);
    }
  /* The product of two independent U(-1/2,1/2) has variance 1/144. */
  assert_within_se ("covariance of streams a, a+1", sab / N_DRAWS, 0.0, sqrt (1.0 / 144.0 / N_DRAWS));
  assert_within_se ("covariance of parent and child", sac / N_DRAWS, 0.0, sqrt (1.0 / 144.0 / N_DRAWS));
}

static void
test_u64_is_two_u32_draws_high_first (void)
{
  MlRng a, b;

  ml_rng_init (&a, SEED, 7, 7, 7);
  ml_rng_init (&b, SEED, 7, 7, 7);
  for (int i = 0; i < 10; i++)
    {
      guint64 hi = ml_rng_u32 (&b);
      guint64 lo = ml_rng_u32 (&b);
      CU_ASSERT_EQUAL (ml_rng_u64 (&a), (hi << 32) | lo);
    }
}

static void
test_stream_derivation_is_frozen (void)
{
  /* Changing these changes every simulation result: do it on purpose only. */
  static const guint32 want_init[6] = {
    0x55717c72, 0x7aa08844, 0xf2db34a0, 0x2b98342a, 0xcc24b896, 0x68e32cc2,
  };
  static const guint32 want_split[6] = {
    0x9bfe8096, 0x1ad3371f, 0x67272089, 0x71c245e3, 0xf80cf3e0, 0x3ae3762a,
  };
  guint32 got[6];
  MlRng rng, child;

  ml_rng_init (&rng, 1, 2, 3, 4);
  for (int i = 0; i < 6; i++)
    got[i] = ml_rng_u32 (&rng);
  assert_words (got, want_init, 6);
  ml_rng_split (&rng, 5, &child);
  for (int i = 0; i < 6; i++)
    got[i] = ml_rng_u32 (&child);
  assert_words (got, want_split, 6);
}

/* ---- uniform draws -------------------------------------------------------- */

static void
test_uniform_has_mean_one_half_and_variance_one_twelfth (void)
{
  Moments m = { 0 };
  MlRng rng;
  gboolean in_range = TRUE;

  ml_rng_init (&rng, SEED, 1, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      double u = ml_rng_uniform (&rng);
      in_range = in_range && u >= 0.0 && u < 1.0;
      moments_add (&m, u);
    }
  CU_ASSERT_TRUE (in_range);
  assert_moments ("uniform", &m, 0.5, 1.0 / 12.0);
}

static void
test_uniform_open_stays_inside_the_open_interval (void)
{
  Moments m = { 0 };
  MlRng rng;
  gboolean in_range = TRUE;

  ml_rng_init (&rng, SEED, 2, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      double u = ml_rng_uniform_open (&rng);
      in_range = in_range && u > 0.0 && u < 1.0;
      moments_add (&m, u);
    }
  CU_ASSERT_TRUE (in_range);
  assert_moments ("open uniform", &m, 0.5, 1.0 / 12.0);
}

/* An RNG whose next four words are WORD (a hand-loaded buffer). */
static void
load_words (MlRng *rng, guint32 word)
{
  ml_rng_init (rng, SEED, 0, 0, 0);
  for (int i = 0; i < 4; i++)
    rng->buf[i] = word;
  rng->idx = 0;
}

static void
test_uniform_bounds_are_as_documented (void)
{
  MlRng rng;

  load_words (&rng, 0);
  CU_ASSERT_EQUAL (ml_rng_uniform (&rng), 0.0);
  CU_ASSERT_EQUAL (ml_rng_uniform_open (&rng), 0x1.0p-53);
  load_words (&rng, 0xffffffff);
  CU_ASSERT_EQUAL (ml_rng_uniform (&rng), 1.0 - 0x1.0p-53);
  CU_ASSERT_EQUAL (ml_rng_uniform_open (&rng), 1.0 - 0x1.0p-53);
  load_words (&rng, 0xffffffff);
  CU_ASSERT (ml_rng_exponential (&rng, 1.0) > 0.0);
  CU_ASSERT (isfinite (ml_rng_exponential (&rng, 1.0)));
}

static void
test_range_is_uniform_between_bounds (void)
{
  Moments m = { 0 };
  MlRng rng;
  gboolean in_range = TRUE;

  ml_rng_init (&rng, SEED, 3, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      double x = ml_rng_range (&rng, -3.0, 5.0);
      in_range = in_range && x >= -3.0 && x < 5.0;
      moments_add (&m, x);
    }
  CU_ASSERT_TRUE (in_range);
  assert_moments ("range(-3,5)", &m, 1.0, 64.0 / 12.0);
}

static void
test_below_has_no_modulo_bias (void)
{
  /* Naive u64 % n with n = 3 * 2^62 puts 5/8 of draws below n/2. */
  const guint64 big = G_GUINT64_CONSTANT (3) << 62;
  guint64 counts[6] = { 0 }, low = 0;
  MlRng rng;
  gboolean in_range = TRUE;

  ml_rng_init (&rng, SEED, 4, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      guint64 k = ml_rng_below (&rng, 6);
      in_range = in_range && k < 6;
      counts[MIN (k, 5)]++;
      k = ml_rng_below (&rng, big);
      in_range = in_range && k < big;
      low += k < big / 2;
    }
  CU_ASSERT_TRUE (in_range);
  assert_chi_square ("below(6)", counts, NULL, 6, N_DRAWS, CHI2_5_1E6);
  assert_frequency ("below(3*2^62) < half", low, N_DRAWS, 0.5);
}

static void
test_below_one_is_always_zero (void)
{
  MlRng rng;
  guint64 sum = 0;

  ml_rng_init (&rng, SEED, 5, 0, 0);
  for (int i = 0; i < 1000; i++)
    sum += ml_rng_below (&rng, 1);
  CU_ASSERT_EQUAL (sum, 0);
}

static void
test_bernoulli_frequency_matches_p (void)
{
  guint64 hits = 0, never = 0, always = 0;
  MlRng rng;

  ml_rng_init (&rng, SEED, 6, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      hits += ml_rng_bernoulli (&rng, 0.3);
      never += ml_rng_bernoulli (&rng, 0.0);
      always += ml_rng_bernoulli (&rng, 1.0);
    }
  assert_frequency ("bernoulli(0.3)", hits, N_DRAWS, 0.3);
  CU_ASSERT_EQUAL (never, 0);
  CU_ASSERT_EQUAL (always, N_DRAWS);
}

typedef struct {
  guint32 id;
  char pad[96];   /* larger than the swap buffer: swaps go in chunks */
} BigItem;

static void
test_shuffle_gives_every_order_equally_often (void)
{
  const int trials = 60000;
  guint64 counts[6] = { 0 };
  MlRng rng;
  gboolean intact = TRUE;

  ml_rng_init (&rng, SEED, 7, 0, 0);
  for (int t = 0; t < trials; t++)
    {
      BigItem items[3];
      for (guint32 i = 0; i < 3; i++)
        {
          items[i].id = i;
          memset (items[i].pad, (int) i, sizeof items[i].pad);
        }
      ml_rng_shuffle (&rng, items, 3, sizeof (BigItem));
      for (int i = 0; i < 3; i++)
        intact = intact && items[i].pad[0] == (char) items[i].id
                 && items[i].pad[95] == (char) items[i].id;
      /* Lehmer code of the permutation: 0..5 */
      counts[items[0].id * 2 + (items[1].id > items[2].id)]++;
    }
  CU_ASSERT_TRUE (intact);
  assert_chi_square ("orders of 3", counts, NULL, 6, trials, CHI2_5_1E6);
}

/* ---- continuous distributions --------------------------------------------- */

typedef double (*Draw) (MlRng *rng, const double *params);

/* Draw N_DRAWS values of DRAW (PARAMS) from stream ID into M. */
static void
sample (Draw draw, const double *params, guint64 id, Moments *m)
{
  MlRng rng;

  ml_rng_init (&rng, SEED, 10, id, 0);
  for (int i = 0; i < N_DRAWS; i++)
    moments_add (m, draw (&rng, params));
}

static double draw_normal (MlRng *r, const double *p) { return ml_rng_normal (r, p[0], p[1]); }
static double draw_lognormal (MlRng *r, const double *p) { return ml_rng_lognormal (r, p[0], p[1]); }
static double draw_exponential (MlRng *r, const double *p) { return ml_rng_exponential (r, p[0]); }
static double draw_pareto (MlRng *r, const double *p) { return ml_rng_pareto (r, p[0], p[1]); }
static double draw_power_law (MlRng *r, const double *p) { return ml_rng_power_law (r, p[0], p[1], p[2]); }
static double draw_cutoff (MlRng *r, const double *p) { return ml_rng_power_law_cutoff (r, p[0], p[1], p[2]); }
static double draw_weibull (MlRng *r, const double *p) { return ml_rng_weibull (r, p[0], p[1]); }
static double draw_gamma (MlRng *r, const double *p) { return ml_rng_gamma (r, p[0], p[1]); }

static void
test_normal_matches_mean_and_variance (void)
{
  const double p[] = { 3.0, 2.0 };
  Moments m = { 0 };

  sample (draw_normal, p, 1, &m);
  assert_moments ("normal(3,2)", &m, 3.0, 4.0);
  /* mu4 = 3 sd^4 for a normal: a check on the shape, not just the scale */
  assert_within_se ("normal kurtosis", m.m4 / m.n / 16.0, 3.0, sqrt (96.0 / m.n));
}

static void
test_lognormal_matches_mean_and_variance (void)
{
  const double p[] = { 0.5, 0.5 };
  double s2 = 0.25;
  Moments m = { 0 };

  sample (draw_lognormal, p, 2, &m);
  assert_moments ("lognormal(0.5,0.5)", &m, exp (0.5 + s2 / 2.0), expm1 (s2) * exp (1.0 + s2));
}

static void
test_exponential_matches_mean_and_variance (void)
{
  const double p[] = { 2.5 };
  Moments m = { 0 };

  sample (draw_exponential, p, 3, &m);
  assert_moments ("exponential(2.5)", &m, 0.4, 0.16);
}

static void
test_pareto_matches_mean_and_variance (void)
{
  const double xm = 2.0, a = 6.0, p[] = { 2.0, 6.0 };
  Moments m = { 0 };

  sample (draw_pareto, p, 4, &m);
  assert_moments ("pareto(2,6)", &m, a * xm / (a - 1.0),
                  xm * xm * a / ((a - 1.0) * (a - 1.0) * (a - 2.0)));
}

/* Check the truncated power law on [XMIN, XMAX] with exponent ALPHA. */
static void
check_power_law (double alpha, double xmin, double xmax, guint64 id)
{
  const double p[] = { alpha, xmin, xmax };
  double z = integral_power (-alpha, xmin, xmax);
  double mean = integral_power (1.0 - alpha, xmin, xmax) / z;
  double var = integral_power (2.0 - alpha, xmin, xmax) / z - mean * mean;
  g_autofree char *what = g_strdup_printf ("power law alpha=%g on [%g,%g]", alpha, xmin, xmax);
  Moments m = { 0 };

  sample (draw_power_law, p, id, &m);
  assert_moments (what, &m, mean, var);
}

static void
test_truncated_power_law_matches_analytic_mean (void)
{
  check_power_law (2.5, 1.0, 100.0, 5);
  check_power_law (1.0, 1.0, 1000.0, 6);
  check_power_law (0.5, 2.0, 10.0, 7);
  check_power_law (1.0 + 1e-10, 1.0, 50.0, 8);
}

static void
test_power_law_with_infinite_upper_bound_is_pareto (void)
{
  const double p[] = { 7.0, 1.0, INFINITY };   /* Pareto(1, 6) */
  Moments m = { 0 };

  sample (draw_power_law, p, 9, &m);
  assert_moments ("power law alpha=7 on [1,inf)", &m, 1.2, 6.0 / (25.0 * 4.0));
}

/* The J-th raw moment of x^(-1-BETA) e^(-x/TAU) on [XMIN, inf), by Simpson's
 * rule in t = ln(x/xmin) up to x = xmin + 60 tau. */
static double
cutoff_moment (double beta, double tau, double xmin, int j)
{
  const int steps = 20000;
  double t_max = log ((xmin + 60.0 * tau) / xmin), h = t_max / steps;
  double num = 0.0, den = 0.0;

  for (int i = 0; i <= steps; i++)
    {
      double x = xmin * exp (i * h);
      double w = (i == 0 || i == steps) ? 1.0 : (i % 2 ? 4.0 : 2.0);
      double f = pow (x, -beta) * exp (-x / tau);   /* density * x (Jacobian) */
      den += w * f;
      num += w * f * pow (x, j);
    }
  return num / den;
}

static void
check_cutoff (double beta, double tau, double xmin, guint64 id)
{
  const double p[] = { beta, tau, xmin };
  double mean = cutoff_moment (beta, tau, xmin, 1);
  double var = cutoff_moment (beta, tau, xmin, 2) - mean * mean;
  g_autofree char *what = g_strdup_printf ("cutoff beta=%g tau=%g xmin=%g", beta, tau, xmin);
  Moments m = { 0 };

  sample (draw_cutoff, p, id, &m);
  assert_moments (what, &m, mean, var);
}

static void
test_power_law_with_cutoff_matches_numeric_mean (void)
{
  check_cutoff (0.8, 17.0, 1.0, 10);     /* EPR, hours: Pareto envelope */
  check_cutoff (0.8, 17.0, 40.0, 11);    /* xmin > tau: exponential envelope */
  check_cutoff (-0.5, 5.0, 1.0, 12);     /* beta <= 0: exponential envelope */
}

static void
test_weibull_matches_mean_and_variance (void)
{
  const double k = 1.5, l = 2.0, p[] = { 1.5, 2.0 };
  double g1 = tgamma (1.0 + 1.0 / k), g2 = tgamma (1.0 + 2.0 / k);
  Moments m = { 0 };

  sample (draw_weibull, p, 13, &m);
  assert_moments ("weibull(1.5,2)", &m, l * g1, l * l * (g2 - g1 * g1));
}

/* Both of Marsaglia & Tsang's paths: shape >= 1 directly, shape < 1
 * through the boost.  The shapes are checked at one point of the CDF
 * each: Gamma(3, 1) < 3 with probability 1 - 8.5 e^-3, Gamma(1/2, 1) < 1
 * with probability erf(1). */
static void
test_gamma_matches_mean_variance_and_cdf (void)
{
  const double p1[] = { 3.0, 0.5 }, p2[] = { 0.5, 8.0 }, p3[] = { 3.0, 1.0 }, p4[] = { 0.5, 1.0 };
  Moments m1 = { 0 }, m2 = { 0 };
  guint64 below3 = 0, below_half = 0;
  MlRng rng;

  sample (draw_gamma, p1, 14, &m1);
  assert_moments ("gamma(3,0.5)", &m1, 1.5, 0.75);
  sample (draw_gamma, p2, 15, &m2);
  assert_moments ("gamma(0.5,8)", &m2, 4.0, 32.0);
  ml_rng_init (&rng, SEED, 10, 16, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      below3 += draw_gamma (&rng, p3) < 3.0;
      below_half += draw_gamma (&rng, p4) < 1.0;
    }
  assert_frequency ("gamma(3,1) below 3", below3, N_DRAWS, 1.0 - 8.5 * exp (-3.0));
  assert_frequency ("gamma(0.5,1) below 1", below_half, N_DRAWS, erf (1.0));
}

/* ---- discrete distributions ----------------------------------------------- */

static void
check_poisson (double lambda, guint64 id)
{
  g_autofree char *what = g_strdup_printf ("poisson(%g)", lambda);
  Moments m = { 0 };
  MlRng rng;

  ml_rng_init (&rng, SEED, 20, id, 0);
  for (int i = 0; i < N_DRAWS; i++)
    moments_add (&m, (double) ml_rng_poisson (&rng, lambda));
  assert_moments (what, &m, lambda, lambda);
}

static void
test_poisson_matches_mean_and_variance (void)
{
  check_poisson (0.5, 1);
  check_poisson (4.0, 2);
  check_poisson (9.99, 3);
  check_poisson (10.0, 4);
  check_poisson (30.0, 5);
  check_poisson (500.0, 6);
}

/* Check the Poisson(LAMBDA) frequency of every k with P(k) > 1e-3. */
static void
check_poisson_pmf (double lambda, guint64 id)
{
  guint64 counts[200] = { 0 };
  MlRng rng;

  ml_rng_init (&rng, SEED, 21, id, 0);
  for (int i = 0; i < N_DRAWS; i++)
    counts[MIN (ml_rng_poisson (&rng, lambda), 199)]++;
  for (int k = 0; k < 199; k++)
    {
      double pk = exp (-lambda + k * log (lambda) - lgamma (k + 1.0));
      if (pk > 1e-3)
        {
          g_autofree char *what = g_strdup_printf ("poisson(%g) P(%d)", lambda, k);
          assert_frequency (what, counts[k], N_DRAWS, pk);
        }
    }
}

static void
test_poisson_frequencies_match_the_pmf (void)
{
  check_poisson_pmf (3.0, 1);
  check_poisson_pmf (12.0, 2);
  check_poisson_pmf (45.0, 3);
}

static void
test_poisson_of_zero_is_zero (void)
{
  MlRng rng;

  ml_rng_init (&rng, SEED, 22, 0, 0);
  CU_ASSERT_EQUAL (ml_rng_poisson (&rng, 0.0), 0);
}

static void
check_zipf_p1 (double s, guint64 n, guint64 id)
{
  g_autofree char *what = g_strdup_printf ("zipf(s=%g, n=%" G_GUINT64_FORMAT ") P(1)", s, n);
  guint64 ones = 0;
  gboolean in_range = TRUE;
  MlRng rng;

  ml_rng_init (&rng, SEED, 30, id, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      guint64 k = ml_rng_zipf (&rng, s, n);
      in_range = in_range && k >= 1 && k <= n;
      ones += k == 1;
    }
  CU_ASSERT_TRUE (in_range);
  assert_frequency (what, ones, N_DRAWS, 1.0 / harmonic (n, s));
}

static void
test_zipf_rank_one_has_probability_one_over_harmonic_number (void)
{
  check_zipf_p1 (1.1, G_GUINT64_CONSTANT (1000000000), 1);
  check_zipf_p1 (0.8, 1000000, 2);
  check_zipf_p1 (1.0, 1000, 3);
  check_zipf_p1 (2.0, 1, 4);
}

static void
test_zipf_small_n_matches_pmf_and_mean (void)
{
  const double s = 1.2;
  const guint64 n = 10;
  guint64 counts[11] = { 0 };
  double probs[11] = { 0 };
  double h = harmonic (n, s), mean = harmonic (n, s - 1.0) / h;
  double var = harmonic (n, s - 2.0) / h - mean * mean;
  Moments m = { 0 };
  MlRng rng;

  ml_rng_init (&rng, SEED, 31, 0, 0);
  for (int i = 0; i < N_CHEAP; i++)
    {
      guint64 k = ml_rng_zipf (&rng, s, n);
      counts[MIN (k, 10)]++;
      moments_add (&m, (double) k);
    }
  CU_ASSERT_EQUAL (counts[0], 0);
  for (guint64 k = 1; k <= n; k++)
    {
      g_autofree char *what = g_strdup_printf ("zipf(1.2, 10) P(%" G_GUINT64_FORMAT ")", k);
      probs[k] = pow ((double) k, -s) / h;
      assert_frequency (what, counts[k], N_CHEAP, probs[k]);
    }
  assert_chi_square ("zipf(1.2, 10)", counts + 1, probs + 1, 10, N_CHEAP, CHI2_9_1E6);
  assert_moments ("zipf(1.2, 10)", &m, mean, var);
}

static void
test_zipf_sampler_draws_like_the_one_shot_call (void)
{
  MlRng a, b;
  MlZipf zipf;
  gboolean same = TRUE;

  ml_rng_init (&a, SEED, 32, 0, 0);
  ml_rng_init (&b, SEED, 32, 0, 0);
  ml_zipf_init (&zipf, 0.9, 5000);
  for (int i = 0; i < 1000; i++)
    same = same && ml_zipf_sample (&zipf, &a) == ml_rng_zipf (&b, 0.9, 5000);
  CU_ASSERT_TRUE (same);
}

static void
test_geometric_matches_mean_and_variance (void)
{
  const double p = 0.2;
  Moments m = { 0 };
  MlRng rng;
  guint64 certain = 0;

  ml_rng_init (&rng, SEED, 40, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      moments_add (&m, (double) ml_rng_geometric (&rng, p));
      certain += ml_rng_geometric (&rng, 1.0);
    }
  assert_moments ("geometric(0.2)", &m, (1.0 - p) / p, (1.0 - p) / (p * p));
  CU_ASSERT_EQUAL (certain, 0);
}

/* ---- alias tables --------------------------------------------------------- */

static void
test_alias_frequencies_match_weights (void)
{
  const double w[] = { 1.0, 0.0, 3.0, 0.5, 5.5, 2.0 };
  const double total = 12.0;
  guint64 counts[G_N_ELEMENTS (w)] = { 0 };
  double probs[G_N_ELEMENTS (w)];
  g_autoptr(GError) error = NULL;
  g_autoptr(MlAlias) alias = ml_alias_new (w, G_N_ELEMENTS (w), &error);
  gboolean in_range = TRUE;
  MlRng rng;

  CU_ASSERT_PTR_NOT_NULL_FATAL (alias);
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL (ml_alias_size (alias), G_N_ELEMENTS (w));
  ml_rng_init (&rng, SEED, 50, 0, 0);
  for (int i = 0; i < N_CHEAP; i++)
    {
      gsize k = ml_alias_sample (alias, &rng);
      in_range = in_range && k < G_N_ELEMENTS (w);
      counts[MIN (k, G_N_ELEMENTS (w) - 1)]++;
    }
  CU_ASSERT_TRUE (in_range);
  CU_ASSERT_EQUAL (counts[1], 0);
  for (gsize i = 0; i < G_N_ELEMENTS (w); i++)
    {
      g_autofree char *what = g_strdup_printf ("alias weight %" G_GSIZE_FORMAT, i);
      probs[i] = w[i] / total;
      assert_frequency (what, counts[i], N_CHEAP, probs[i]);
    }
  assert_chi_square ("alias", counts, probs, G_N_ELEMENTS (w), N_CHEAP, CHI2_4_1E6);
}

static void
test_alias_handles_huge_and_single_weights (void)
{
  const double huge[] = { G_MAXDOUBLE, G_MAXDOUBLE };
  const double one[] = { 0.25 };
  g_autoptr(MlAlias) a = ml_alias_new (huge, 2, NULL);
  g_autoptr(MlAlias) b = ml_alias_new (one, 1, NULL);
  guint64 firsts = 0, others = 0;
  MlRng rng;

  CU_ASSERT_PTR_NOT_NULL_FATAL (a);
  CU_ASSERT_PTR_NOT_NULL_FATAL (b);
  ml_rng_init (&rng, SEED, 51, 0, 0);
  for (int i = 0; i < N_DRAWS; i++)
    {
      firsts += ml_alias_sample (a, &rng) == 0;
      others += ml_alias_sample (b, &rng) != 0;
    }
  CU_ASSERT_EQUAL (others, 0);
  assert_frequency ("alias of two equal huge weights", firsts, N_DRAWS, 0.5);
}

static void
test_alias_rejects_bad_weights (void)
{
  static const struct {
    double w[3];
    gsize n;
  } bad[] = {
    { { 1.0, 2.0, 3.0 }, 0 },
    { { 1.0, -0.5, 3.0 }, 3 },
    { { 1.0, NAN, 3.0 }, 3 },
    { { 1.0, INFINITY, 3.0 }, 3 },
    { { 0.0, 0.0, 0.0 }, 3 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MlAlias) alias = ml_alias_new (bad[i].w, bad[i].n, &error);
      CU_ASSERT_PTR_NULL (alias);
      CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
    }
}

/* ---- registration --------------------------------------------------------- */

static CU_TestInfo philox_tests[] = {
  { "philox matches random123 zero vector", test_philox_matches_random123_zero_vector },
  { "philox matches random123 all-ones vector", test_philox_matches_random123_all_ones_vector },
  { "philox matches random123 pi vector", test_philox_matches_random123_pi_vector },
  { "hash64 is the splitmix64 finaliser", test_hash64_is_the_splitmix64_finaliser },
  { "hash combine depends on order and value", test_hash_combine_depends_on_order_and_value },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo stream_tests[] = {
  { "same stream ids give the same sequence", test_same_stream_ids_give_the_same_sequence },
  { "different seeds or stream ids give different sequences", test_different_seeds_or_stream_ids_give_different_sequences },
  { "split children differ from parent and each other", test_split_children_differ_from_parent_and_each_other },
  { "split ignores how far the parent has drawn", test_split_ignores_how_far_the_parent_has_drawn },
  { "adjacent streams are uncorrelated", test_adjacent_streams_are_uncorrelated },
  { "u64 is two u32 draws, high first", test_u64_is_two_u32_draws_high_first },
  { "stream derivation is frozen", test_stream_derivation_is_frozen },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo uniform_tests[] = {
  { "uniform has mean 1/2 and variance 1/12", test_uniform_has_mean_one_half_and_variance_one_twelfth },
  { "open uniform stays inside (0,1)", test_uniform_open_stays_inside_the_open_interval },
  { "uniform bounds are as documented", test_uniform_bounds_are_as_documented },
  { "range is uniform between its bounds", test_range_is_uniform_between_bounds },
  { "below has no modulo bias", test_below_has_no_modulo_bias },
  { "below one is always zero", test_below_one_is_always_zero },
  { "bernoulli frequency matches p", test_bernoulli_frequency_matches_p },
  { "shuffle gives every order equally often", test_shuffle_gives_every_order_equally_often },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo continuous_tests[] = {
  { "normal matches mean and variance", test_normal_matches_mean_and_variance },
  { "lognormal matches mean and variance", test_lognormal_matches_mean_and_variance },
  { "exponential matches mean and variance", test_exponential_matches_mean_and_variance },
  { "pareto matches mean and variance", test_pareto_matches_mean_and_variance },
  { "truncated power law matches analytic mean", test_truncated_power_law_matches_analytic_mean },
  { "power law with infinite upper bound is pareto", test_power_law_with_infinite_upper_bound_is_pareto },
  { "power law with cutoff matches numeric mean", test_power_law_with_cutoff_matches_numeric_mean },
  { "weibull matches mean and variance", test_weibull_matches_mean_and_variance },
  { "gamma matches mean, variance and cdf", test_gamma_matches_mean_variance_and_cdf },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo discrete_tests[] = {
  { "poisson matches mean and variance", test_poisson_matches_mean_and_variance },
  { "poisson frequencies match the pmf", test_poisson_frequencies_match_the_pmf },
  { "poisson of zero is zero", test_poisson_of_zero_is_zero },
  { "zipf rank one has probability 1/H(n,s)", test_zipf_rank_one_has_probability_one_over_harmonic_number },
  { "zipf with small n matches pmf and mean", test_zipf_small_n_matches_pmf_and_mean },
  { "zipf sampler draws like the one-shot call", test_zipf_sampler_draws_like_the_one_shot_call },
  { "geometric matches mean and variance", test_geometric_matches_mean_and_variance },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo alias_tests[] = {
  { "alias frequencies match weights", test_alias_frequencies_match_weights },
  { "alias handles huge and single weights", test_alias_handles_huge_and_single_weights },
  { "alias rejects bad weights", test_alias_rejects_bad_weights },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "philox", .pTests = philox_tests },
  { .pName = "streams", .pTests = stream_tests },
  { .pName = "uniform draws", .pTests = uniform_tests },
  { .pName = "continuous distributions", .pTests = continuous_tests },
  { .pName = "discrete distributions", .pTests = discrete_tests },
  { .pName = "alias tables", .pTests = alias_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
