/* rng.h -- counter-based, splittable random streams and distributions.
 *
 * Every random number in metaleak comes from an MlRng: a Philox4x32-10
 * generator (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers:
 * as easy as 1, 2, 3"; the Random123 reference) whose 64-bit key and the
 * upper half of whose 128-bit counter are derived by hashing (seed, a, b, c).
 * A stream is therefore named, not advanced from a shared state: the draws
 * for person 17 on day 3 are the same whatever the thread count or the
 * order in which work is scheduled.  The lower 64 bits of the counter number
 * the blocks of four 32-bit outputs within a stream (2^66 draws per stream).
 *
 * Invariants: an MlRng lives on the stack and owns nothing (no _clear); it
 * is a plain value and may be copied, but a copy repeats the original's
 * draws.  The same (seed, a, b, c) always yields the same sequence on every
 * platform; the derivation is frozen by a unit test, because changing it
 * changes every simulation result.
 *
 * Workload: ml_rng_u32() and ml_rng_uniform() are called ~10^9 times in a
 * big run, so they are static inline here and never allocate; one Philox
 * block (10 rounds of two 32x32->64 multiplies) feeds four u32 draws.  The
 * distributions use O(1) draws each on average and never allocate;
 * ml_alias_new() is the only allocation, done once per weight vector.
 */
#ifndef ML_RNG_H
#define ML_RNG_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 key[2];   /* Philox key: hash of (seed, a, b, c) */
  guint32 ctr[4];   /* next block: [0..1] block number, [2..3] stream hash */
  guint32 buf[4];   /* outputs of the last block */
  guint idx;        /* next unread word of buf; 4 when buf is spent */
} MlRng;

/* Philox4x32-10: the block function.  Writes the four output words for
 * counter CTR under key KEY into OUT (which may alias CTR).  Pure; exposed
 * for known-answer tests and for callers that want raw blocks. */
static inline void
ml_rng_philox4x32_10 (const guint32 ctr[4], const guint32 key[2], guint32 out[4])
{
  guint32 c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  guint32 k0 = key[0], k1 = key[1];

  for (int round = 0; round < 10; round++)
    {
      guint64 p0 = (guint64) 0xD2511F53u * c0;
      guint64 p1 = (guint64) 0xCD9E8D57u * c2;
      guint32 n0 = (guint32) (p1 >> 32) ^ c1 ^ k0;
      guint32 n2 = (guint32) (p0 >> 32) ^ c3 ^ k1;

      c1 = (guint32) p1;
      c3 = (guint32) p0;
      c0 = n0;
      c2 = n2;
      k0 += 0x9E3779B9u;   /* Weyl key schedule, golden ratio */
      k1 += 0xBB67AE85u;   /* sqrt(3) - 1 */
    }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* splitmix64's finaliser (Steele, Lea & Flood 2014; constants of Stafford's
 * Mix13): a bijection of 64-bit words with full avalanche.  Maps 0 to 0. */
guint64 ml_hash64 (guint64 x);

/* Mix V into running hash H.  A bijection in H for fixed V and in V for
 * fixed H; order matters (combine(combine(h,a),b) != combine(combine(h,b),a)
 * in general).  Use it to build stream ids from structured keys. */
guint64 ml_hash_combine (guint64 h, guint64 v);

/* Initialise RNG as stream (A, B, C) of SEED, positioned at its first draw.
 * Different tuples give (with overwhelming probability) unrelated streams:
 * 128 bits of the tuple's hash go into the key and counter.  Never fails. */
void ml_rng_init (MlRng *rng, guint64 seed, guint64 a, guint64 b, guint64 c);

/* Initialise CHILD as the independent child stream number ID of PARENT.
 * The child depends only on PARENT's stream identity and ID, not on how many
 * draws PARENT has made, so splitting is reproducible under any schedule.
 * PARENT is not modified; CHILD may not alias PARENT. */
void ml_rng_split (const MlRng *parent, guint64 id, MlRng *child);

/* Refill RNG's buffer from the next block.  Internal to the inline draws
 * below; callers use ml_rng_u32(). */
static inline void
ml_rng_refill (MlRng *rng)
{
  ml_rng_philox4x32_10 (rng->ctr, rng->key, rng->buf);
  if (++rng->ctr[0] == 0)
    rng->ctr[1]++;
  rng->idx = 0;
}

/* The next 32 uniformly distributed bits of RNG's stream. */
static inline guint32
ml_rng_u32 (MlRng *rng)
{
  if (G_UNLIKELY (rng->idx >= 4))
    ml_rng_refill (rng);
  return rng->buf[rng->idx++];
}

/* The next 64 uniform bits: two u32 draws, the first in the high half. */
static inline guint64
ml_rng_u64 (MlRng *rng)
{
  guint64 hi = ml_rng_u32 (rng);
  return (hi << 32) | ml_rng_u32 (rng);
}

/* A uniform double in [0, 1): a multiple of 2^-53 (the top 53 bits of one
 * u64 draw).  0 is possible, 1 is not. */
static inline double
ml_rng_uniform (MlRng *rng)
{
  return (double) (ml_rng_u64 (rng) >> 11) * 0x1.0p-53;
}

/* A uniform double in the open interval (0, 1), safe to pass to log():
 * (k + 1/2) * 2^-52 for a uniform 52-bit k.  Neither 0 nor 1 is possible. */
static inline double
ml_rng_uniform_open (MlRng *rng)
{
  return ((double) (ml_rng_u64 (rng) >> 12) + 0.5) * 0x1.0p-52;
}

/* A uniform double in [LO, HI) (HI itself only through rounding when the
 * interval is wide in ulps terms).  Requires LO <= HI, both finite. */
double ml_rng_range (MlRng *rng, double lo, double hi);

/* A uniform integer in [0, N) without modulo bias (Lemire 2019, "Fast random
 * integer generation in an interval": one multiply, rarely a rejection).
 * Requires N > 0; returns 0 otherwise after a critical warning. */
guint64 ml_rng_below (MlRng *rng, guint64 n);

/* TRUE with probability P.  P <= 0 is never, P >= 1 always (one draw is
 * consumed either way, so streams stay aligned). */
gboolean ml_rng_bernoulli (MlRng *rng, double p);

/* A normal deviate with mean MEAN and standard deviation SD >= 0
 * (Marsaglia's polar method, one of the pair kept: on average 2.55 uniforms,
 * one log and one sqrt). */
double ml_rng_normal (MlRng *rng, double mean, double sd);

/* exp(N(MU, SIGMA^2)); SIGMA >= 0. */
double ml_rng_lognormal (MlRng *rng, double mu, double sigma);

/* An exponential deviate with rate RATE > 0 (mean 1/RATE), by inversion. */
double ml_rng_exponential (MlRng *rng, double rate);

/* A Poisson count with mean LAMBDA >= 0.  Exact inversion by sequential
 * search for LAMBDA < 10 (one uniform, O(LAMBDA) steps); for larger LAMBDA
 * the transformed rejection with squeeze of Hormann 1993 ("The transformed
 * rejection method for generating Poisson random variables", PTRS: ~1.15
 * pairs of uniforms, O(1)). */
guint64 ml_rng_poisson (MlRng *rng, double lambda);

/* A Pareto (type I) deviate: P(X > x) = (XM/x)^ALPHA for x >= XM.
 * Requires XM > 0 and ALPHA > 0.  By inversion. */
double ml_rng_pareto (MlRng *rng, double xm, double alpha);

/* A deviate with density proportional to x^-ALPHA on [XMIN, XMAX], by
 * inversion; any real ALPHA, including 1 (log-uniform).  Requires
 * 0 < XMIN < XMAX; XMAX may be INFINITY when ALPHA > 1 (then a Pareto with
 * index ALPHA - 1). */
double ml_rng_power_law (MlRng *rng, double alpha, double xmin, double xmax);

/* A deviate with density proportional to x^(-1-BETA) e^(-x/TAU) on
 * [XMIN, inf): the EPR waiting-time law (Song, Koren, Wang & Barabasi 2010:
 * beta = 0.8, tau = 17 h).  Exact rejection sampling from one of two
 * envelopes, both with acceptance >= ~0.4 in the range each is used for:
 *   XMIN < TAU and BETA > 0: propose Pareto(XMIN, BETA), accept with
 *     probability e^(-(x-XMIN)/TAU);
 *   otherwise: propose XMIN + Exp(1/TAU), accept with (x/XMIN)^(-1-BETA).
 * Requires XMIN > 0, TAU > 0, BETA > -1; TAU may be INFINITY if BETA > 0. */
double ml_rng_power_law_cutoff (MlRng *rng, double beta, double tau, double xmin);

/* A Zipf rank in [1, N] with P(k) proportional to k^-S, S > 0, N >= 1.
 * Rejection-inversion (Hormann & Derflinger 1996, "Rejection-inversion to
 * generate variates from monotone discrete distributions"): O(1) expected
 * time and no tables for any N (ranks above 2^53 are as coarse as doubles).
 * Recomputes the sampler's constants on every call (a few logs); in a hot
 * loop with fixed (S, N) use MlZipf below, which draws identically. */
guint64 ml_rng_zipf (MlRng *rng, double s, guint64 n);

/* Precomputed constants of the Zipf sampler for one (s, n); on the stack,
 * no _clear. */
typedef struct {
  double s;      /* exponent */
  double n;      /* number of ranks, as a double */
  double h_x1;   /* H(1.5) - 1: lower end of the inversion interval */
  double h_n;    /* H(n + 0.5): upper end */
  double core;   /* ranks with k - x <= core are accepted without a test */
} MlZipf;

/* Prepare ZIPF for ranks in [1, N] with exponent S > 0. */
void ml_zipf_init (MlZipf *zipf, double s, guint64 n);

/* A draw from ZIPF; the same value ml_rng_zipf (RNG, s, n) would give. */
guint64 ml_zipf_sample (const MlZipf *zipf, MlRng *rng);

/* A gamma deviate with shape K > 0 and scale THETA > 0 (mean K THETA,
 * variance K THETA^2): Marsaglia & Tsang 2000 ("A simple method for
 * generating gamma variables", ACM TOMS 26:363), a squeeze-rejection on a
 * cubed normal accepting ~95-99 % of proposals; for K < 1 a draw of shape
 * K + 1 times U^(1/K) (their boost).  O(1) expected draws. */
double ml_rng_gamma (MlRng *rng, double k, double theta);

/* A Weibull deviate with shape K > 0 and scale LAMBDA > 0, by inversion. */
double ml_rng_weibull (MlRng *rng, double k, double lambda);

/* The number of failures before the first success in Bernoulli(P) trials,
 * 0 < P <= 1, by inversion (one draw).  Saturates at G_MAXUINT64. */
guint64 ml_rng_geometric (MlRng *rng, double p);

/* Shuffle the N elements of SIZE bytes at BASE in place (Fisher-Yates,
 * each of the N! orders equally likely).  N - 1 ml_rng_below() draws. */
void ml_rng_shuffle (MlRng *rng, gpointer base, gsize n, gsize size);

/* A Walker alias table (Vose 1991 construction) for O(1) weighted choice. */
typedef struct MlAlias MlAlias;

/* Build an alias table choosing index i with probability
 * WEIGHTS[i] / sum(WEIGHTS).  WEIGHTS is copied, not kept.  Returns a new
 * table the caller frees with ml_alias_free(), or NULL with ERROR set
 * (ML_ERROR_INPUT) if N is 0, a weight is negative or not finite, or all
 * weights are zero. */
MlAlias *ml_alias_new (const double *weights, gsize n, GError **error);

/* An index in [0, size) drawn by weight: one ml_rng_below() and one
 * ml_rng_uniform() draw.  Indices of zero weight are never returned. */
gsize ml_alias_sample (const MlAlias *alias, MlRng *rng);

/* The number of weights ALIAS was built from. */
gsize ml_alias_size (const MlAlias *alias);

/* Free ALIAS; NULL is allowed. */
void ml_alias_free (MlAlias *alias);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlAlias, ml_alias_free)

G_END_DECLS

#endif /* ML_RNG_H */
