/* socialgraph.c -- the social graph: who is tied to whom, and how strongly.
 *
 * Builds world->graph, the CSR every later model reads (messaging picks
 * recipients by tie weight, lookups follow the address book).  The model
 * (docs/model/socialgraph.md) is a community skeleton -- households,
 * extended families, work teams and school classes, friend groups drawn
 * from nearby homes and similar ages -- plus triadic closure, random weak
 * ties bridging communities (Granovetter 1973; Onnela et al., PNAS 2007:
 * degree skewed but not scale-free, clustering 0.1-0.35) and the
 * confidential sources of the scenario's cast.  Tie weights are
 * heavy-tailed (a base per kind times a lognormal) and mostly reciprocated;
 * each person's out-weights are normalised to sum to 1.
 *
 * Invariants of the result: both directions of every tie, each person's
 * edges sorted by .other, no self-ties, no duplicates (a pair tied in
 * several contexts keeps its strongest kind), the same kind both ways.
 * Determinism: every draw comes from a stream of ML_STREAM_GRAPH named by
 * what it is about (a person, a household pair, a workplace, a tie), and
 * the candidate ties are sorted before they are deduplicated, so the graph
 * does not depend on the thread count or the order work is done in.
 *
 * Workload: once per run.  Candidate ties are collected in flat arrays,
 * bucketed per person, sorted and deduplicated into CSR: O(people + ties)
 * memory (12 bytes a candidate tie and 12 bytes a directed edge) and
 * roughly linear time.  With the default knobs 10^6 people make ~8.3 M
 * ties (16.5 M directed edges, ~200 MB) in ~8 s on one thread; candidate
 * generation, sorting, merging and weighting run on sc->threads threads
 * over fixed chunks.  ml_socialgraph_stats() is slower (igraph's
 * transitivity: ~15-25 s at 10^6 people) and meant for calibration.
 */

#include <igraph.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/rng.h"
#include "sim/socialgraph.h"

/* Sub-streams of ML_STREAM_GRAPH: ml_rng_init (seed, ML_STREAM_GRAPH, SUB_x, id). */
enum {
  SUB_SOCIABILITY = 1,  /* id: person */
  SUB_FAMILY,           /* id: household pair (lo << 32 | hi) */
  SUB_WORKPLACE,        /* id: workplace bucket (place << 1 | students) */
  SUB_FRIENDS,          /* id: person seeding groups */
  SUB_CLOSURE,          /* id: person at the centre of the wedges */
  SUB_WEAK,             /* id: person */
  SUB_WEIGHT,           /* id: tie (lo << 32 | hi) */
  SUB_CAST,             /* id: cast index */
  SUB_STATS,            /* id: 0, the degree sample of the power-law fit */
};

/* Model constants: assumptions unless a source is named (docs/model/socialgraph.md). */
#define SOCIABILITY_SIGMA 1.0   /* lognormal spread of how many groups/weak ties one starts */
#define ADULT_AGE 18
#define FAMILY_ADULT_P 0.8      /* a family tie joins two adults ("adults mostly") */
#define FAMILY_ALL_PAIRS_MAX 6  /* families of more households: a ring of ... */
#define FAMILY_RING 2           /* ... links to the 2 next households each way */
#define TEAM_SIZE 8             /* work teams (and study groups) of ~8 */
#define TEAM_SHARE 0.75         /* share of co-worker ties inside the team */
#define CLASS_SIZE 24           /* OECD, Education at a Glance 2019: 21 primary, 23 lower secondary */
#define FRIEND_TIE_P 0.8        /* a pair inside a friend group is tied */
#define FRIEND_GROUP_MAX 32
#define FRIEND_HOME_P 0.5       /* a friend from the seed's district ... */
#define FRIEND_NEAR_P 0.4       /* ... a nearest district (rest: anywhere in the city) */
#define NEAR_DISTRICTS 6
#define AGE_TOURNAMENT 3        /* candidates drawn, the closest in age wins */
#define WEDGES_PER_PERSON 8     /* triadic closure: wedges sampled per person */
#define ONEWAY_ZERO_P 0.5       /* a one-way tie is strictly one-way (weight 0) ... */
#define ONEWAY_MIN 0.05         /* ... else its weak direction is scaled by U(0.05, 0.2) */
#define ONEWAY_MAX 0.2
#define DIRECTION_SIGMA 0.3     /* lognormal noise per direction of a two-way tie */
#define SOURCE_REPLY 0.2        /* journalist -> source weight relative to source -> journalist */
#define ASYMMETRIC_RATIO 0.25   /* stats: a tie is asymmetric below this weight ratio */
#define PLFIT_MAX_SAMPLE 20000
#define PLFIT_PRECISION 0.05

/* Median weight of each kind of tie, in messages per day (assumption; the
 * order household > family > friend > co-worker > closure > weak follows
 * tie strength in Onnela et al. 2007).  Sources take theirs from the cast. */
static const double kind_base[ML_N_TIE_KINDS] = {
  [ML_TIE_HOUSEHOLD] = 3.0, [ML_TIE_FAMILY] = 1.0, [ML_TIE_COWORKER] = 0.5,
  [ML_TIE_SCHOOL] = 0.6, [ML_TIE_FRIEND] = 0.8, [ML_TIE_CLOSURE] = 0.3,
  [ML_TIE_WEAK] = 0.1, [ML_TIE_SOURCE] = 0.0,
};

/* Strength order of the kinds, 0 strongest: a pair keeps its lowest rank.
 * Ranks are distinct, so the sorted candidate lists are unique. */
static const guint8 kind_rank[ML_N_TIE_KINDS] = {
  [ML_TIE_HOUSEHOLD] = 0, [ML_TIE_FAMILY] = 1, [ML_TIE_FRIEND] = 2,
  [ML_TIE_SCHOOL] = 3, [ML_TIE_COWORKER] = 4, [ML_TIE_CLOSURE] = 5,
  [ML_TIE_WEAK] = 6, [ML_TIE_SOURCE] = 7,
};

/* ---- candidate ties ------------------------------------------------------ */

typedef struct {
  guint32 a, b;           /* endpoints, any order */
  guint8 kind;            /* MlTieKind */
} Tie;

typedef struct {
  Tie *v;
  gsize n, cap;
} TieList;

static inline void
ties_push (TieList *l, guint32 a, guint32 b, guint8 kind)
{
  if (a == b)
    return;
  if (l->n == l->cap)
    {
      l->cap = MAX (1024, l->cap * 2);
      l->v = g_renew (Tie, l->v, l->cap);
    }
  l->v[l->n++] = (Tie) { .a = a, .b = b, .kind = kind };
}

static void
ties_append (TieList *dst, const TieList *src)
{
  if (dst->n + src->n > dst->cap)
    {
      dst->cap = MAX (dst->cap * 2, dst->n + src->n);
      dst->v = g_renew (Tie, dst->v, dst->cap);
    }
  if (src->n > 0)
    memcpy (dst->v + dst->n, src->v, src->n * sizeof (Tie));
  dst->n += src->n;
}

static void
ties_clear (TieList *l)
{
  g_clear_pointer (&l->v, g_free);
  l->n = l->cap = 0;
}

/* ---- the builder's indexes ----------------------------------------------- */

typedef struct {
  const MlWorld *w;
  const MlScenario *sc;
  guint32 n;                /* people */
  guint threads;
  float *sociability;       /* per person, lognormal with mean 1 */
  guint32 *district;        /* per person: home district, ML_NONE if unknown */
  guint32 *by_district;     /* people grouped by district, the unknown last */
  guint32 *district_start;  /* n_districts + 2 offsets into by_district */
  guint32 *near;            /* NEAR_DISTRICTS nearest districts of the same city each, ML_NONE padded */
  guint32 *fam_order;       /* households with a family, sorted by family */
  guint32 *fam_start;       /* n_fam + 1 offsets into fam_order, one run per family */
  guint32 n_fam;
  guint32 *work_order;      /* people grouped by bucket work_place * 2 + is_student */
  guint32 *work_start;      /* 2 * n_places + 1 offsets into work_order */
  GHashTable *cast_of;      /* person -> cast index + 1, cast members with sources */
  const MlGraph *g;         /* the graph so far (triadic closure, sources) */
} Builder;

static void
builder_clear (Builder *b)
{
  g_clear_pointer (&b->sociability, g_free);
  g_clear_pointer (&b->district, g_free);
  g_clear_pointer (&b->by_district, g_free);
  g_clear_pointer (&b->district_start, g_free);
  g_clear_pointer (&b->near, g_free);
  g_clear_pointer (&b->fam_order, g_free);
  g_clear_pointer (&b->fam_start, g_free);
  g_clear_pointer (&b->work_order, g_free);
  g_clear_pointer (&b->work_start, g_free);
  g_clear_pointer (&b->cast_of, g_hash_table_unref);
}

/* ---- fixed-chunk parallelism ----------------------------------------------- */

typedef void (*ChunkFn) (gpointer ctx, guint chunk, guint32 begin, guint32 end);

typedef struct {
  ChunkFn fn;
  gpointer ctx;
  guint chunk;
  guint32 begin, end;
} Chunk;

static gpointer
chunk_run (gpointer data)
{
  Chunk *c = data;
  c->fn (c->ctx, c->chunk, c->begin, c->end);
  return NULL;
}

/* Run FN over [0, N) split into THREADS fixed chunks, one thread each (a
 * chunk whose thread cannot be started runs in the caller).  The split
 * depends only on N and THREADS; callers make results independent of it
 * too (per-item streams, per-item outputs). */
static void
run_chunks (guint threads, guint32 n, ChunkFn fn, gpointer ctx)
{
  g_autofree Chunk *chunks = g_new (Chunk, threads);
  g_autofree GThread **th = g_new0 (GThread *, threads);

  for (guint i = 0; i < threads; i++)
    {
      chunks[i] = (Chunk) { fn, ctx, i, (guint32) ((guint64) n * i / threads),
                            (guint32) ((guint64) n * (i + 1) / threads) };
      if (i > 0)
        th[i] = g_thread_try_new ("socialgraph", chunk_run, &chunks[i], NULL);
    }
  chunk_run (&chunks[0]);
  for (guint i = 1; i < threads; i++)
    {
      if (th[i] != NULL)
        g_thread_join (th[i]);
      else
        chunk_run (&chunks[i]);
    }
}

typedef void (*ItemFn) (const Builder *b, guint32 item, TieList *out);

typedef struct {
  const Builder *b;
  ItemFn fn;
  TieList *lists;           /* one per chunk */
} GenCtx;

static void
gen_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  GenCtx *g = ctx;
  for (guint32 i = begin; i < end; i++)
    g->fn (g->b, i, &g->lists[chunk]);
}

/* Append to OUT the candidate ties FN makes for items [0, N_ITEMS). */
static void
generate (const Builder *b, guint32 n_items, ItemFn fn, TieList *out)
{
  g_autofree TieList *lists = g_new0 (TieList, b->threads);
  GenCtx ctx = { b, fn, lists };

  run_chunks (b->threads, n_items, gen_chunk, &ctx);
  for (guint i = 0; i < b->threads; i++)
    {
      ties_append (out, &lists[i]);
      ties_clear (&lists[i]);
    }
}

/* ---- indexes ------------------------------------------------------------- */

static guint32
home_district (const MlWorld *w, guint32 p)
{
  guint32 place = w->households[w->people[p].household].home_place;
  return place == ML_NONE ? ML_NONE : w->places[place].district;
}

static void
sociability_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  Builder *b = ctx;
  double s = SOCIABILITY_SIGMA;

  (void) chunk;
  for (guint32 p = begin; p < end; p++)
    {
      MlRng rng;
      ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_SOCIABILITY, p);
      b->sociability[p] = (float) ml_rng_lognormal (&rng, -s * s / 2, s);
    }
}

/* Counting sort of N items by KEY (< N_KEYS): fills ORDER and returns the
 * N_KEYS + 1 bucket offsets (caller frees). */
static guint32 *
counting_sort (const guint32 *key, guint32 n, guint32 n_keys, guint32 *order)
{
  guint32 *start = g_new0 (guint32, (gsize) n_keys + 1);
  g_autofree guint32 *fill = NULL;

  for (guint32 i = 0; i < n; i++)
    start[key[i] + 1]++;
  for (guint32 k = 0; k < n_keys; k++)
    start[k + 1] += start[k];
  fill = g_memdup2 (start, (gsize) n_keys * sizeof (guint32));
  for (guint32 i = 0; i < n; i++)
    order[fill[key[i]]++] = i;
  return start;
}

/* People by home district; people without one go in a last bucket. */
static void
index_districts (Builder *b)
{
  const MlWorld *w = b->w;
  g_autofree guint32 *key = g_new (guint32, MAX (b->n, 1));

  b->district = g_new (guint32, MAX (b->n, 1));
  b->by_district = g_new (guint32, MAX (b->n, 1));
  for (guint32 p = 0; p < b->n; p++)
    {
      b->district[p] = home_district (w, p);
      key[p] = b->district[p] == ML_NONE ? w->n_districts : b->district[p];
    }
  b->district_start = counting_sort (key, b->n, w->n_districts + 1, b->by_district);
}

/* Insert district E at squared distance D2 into the sorted top list of D. */
static void
near_insert (guint32 *near, double *dist, guint32 e, double d2)
{
  int i = NEAR_DISTRICTS - 1;

  if (near[i] != ML_NONE && dist[i] <= d2)
    return;
  while (i > 0 && (near[i - 1] == ML_NONE || dist[i - 1] > d2))
    {
      near[i] = near[i - 1];
      dist[i] = dist[i - 1];
      i--;
    }
  near[i] = e;
  dist[i] = d2;
}

static void
near_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  Builder *b = ctx;
  const MlWorld *w = b->w;

  (void) chunk;
  for (guint32 d = begin; d < end; d++)
    {
      const MlDistrict *dd = &w->districts[d];
      const MlCity *c = &w->cities[dd->city];
      guint32 *near = b->near + (gsize) d * NEAR_DISTRICTS;
      double dist[NEAR_DISTRICTS], kx = cos (dd->lat * G_PI / 180.0);

      for (int i = 0; i < NEAR_DISTRICTS; i++)
        near[i] = ML_NONE;
      for (guint32 e = c->first_district; e < c->first_district + c->n_districts; e++)
        {
          double dy = w->districts[e].lat - dd->lat;
          double dx = (w->districts[e].lon - dd->lon) * kx;
          if (e != d)
            near_insert (near, dist, e, dx * dx + dy * dy);
        }
    }
}

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* Households grouped by extended-family id, one run per family of >= 2. */
static void
index_families (Builder *b)
{
  const MlWorld *w = b->w;
  g_autofree guint64 *keys = g_new (guint64, MAX (w->n_households, 1));
  guint32 m = 0;

  for (guint32 h = 0; h < w->n_households; h++)
    if (w->households[h].family != ML_NONE)
      keys[m++] = ((guint64) w->households[h].family << 32) | h;
  qsort (keys, m, sizeof (guint64), cmp_u64);
  b->fam_order = g_new (guint32, MAX (m, 1));
  b->fam_start = g_new (guint32, (gsize) m + 1);
  b->n_fam = 0;
  for (guint32 i = 0; i < m; i++)
    {
      b->fam_order[i] = (guint32) keys[i];
      if (i == 0 || keys[i] >> 32 != keys[i - 1] >> 32)
        b->fam_start[b->n_fam++] = i;
    }
  b->fam_start[b->n_fam] = m;
}

/* People grouped by (work or school place, is a student): bucket
 * work_place * 2 + is_student; people without a place are left out. */
static void
index_workplaces (Builder *b)
{
  const MlWorld *w = b->w;
  guint32 n_keys = 2 * w->n_places + 1, none = 2 * w->n_places;
  g_autofree guint32 *key = g_new (guint32, MAX (b->n, 1));

  for (guint32 p = 0; p < b->n; p++)
    {
      const MlPerson *pp = &w->people[p];
      key[p] = pp->work_place == ML_NONE ? none
               : pp->work_place * 2 + (pp->role == ML_ROLE_STUDENT);
    }
  b->work_order = g_new (guint32, MAX (b->n, 1));
  b->work_start = counting_sort (key, b->n, n_keys, b->work_order);
}

/* Cast members who have confidential sources. */
static void
index_cast (Builder *b)
{
  const MlWorld *w = b->w;
  guint32 n = MIN (w->n_cast, (guint32) MAX (b->sc->n_cast, 0));

  b->cast_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint32 i = 0; i < n; i++)
    if (b->sc->cast[i].sources > 0 && w->cast[i].person < b->n)
      g_hash_table_insert (b->cast_of, GUINT_TO_POINTER (w->cast[i].person),
                           GUINT_TO_POINTER (i + 1));
}

static void
builder_init (Builder *b, const MlWorld *w)
{
  memset (b, 0, sizeof *b);
  b->w = w;
  b->sc = w->sc;
  b->n = w->n_people;
  b->threads = b->sc->threads > 0 ? (guint) b->sc->threads : g_get_num_processors ();
  b->threads = CLAMP (b->threads, 1, 64);
  if (b->n < 1024)
    b->threads = 1;
  b->sociability = g_new (float, MAX (b->n, 1));
  run_chunks (b->threads, b->n, sociability_chunk, b);
  index_districts (b);
  b->near = g_new (guint32, (gsize) MAX (w->n_districts, 1) * NEAR_DISTRICTS);
  run_chunks (b->threads, w->n_districts, near_chunk, b);
  index_families (b);
  index_workplaces (b);
  index_cast (b);
}

/* ---- skeleton: households, families, work and school --------------------- */

/* All members of household H pairwise. */
static void
household_ties (const Builder *b, guint32 h, TieList *out)
{
  const MlHousehold *hh = &b->w->households[h];

  for (guint32 i = 0; i < hh->size; i++)
    for (guint32 j = i + 1; j < hh->size; j++)
      ties_push (out, hh->first_member + i, hh->first_member + j, ML_TIE_HOUSEHOLD);
}

/* A member of household H: an adult with probability FAMILY_ADULT_P when
 * there is one, else anyone. */
static guint32
pick_relative (const Builder *b, guint32 h, MlRng *rng)
{
  const MlHousehold *hh = &b->w->households[h];
  guint32 adults = 0, k;

  for (guint32 i = 0; i < hh->size; i++)
    adults += b->w->people[hh->first_member + i].age >= ADULT_AGE;
  if (adults == 0 || !ml_rng_bernoulli (rng, FAMILY_ADULT_P))
    return hh->first_member + (guint32) ml_rng_below (rng, hh->size);
  k = (guint32) ml_rng_below (rng, adults);
  for (guint32 i = 0; i < hh->size; i++)
    if (b->w->people[hh->first_member + i].age >= ADULT_AGE && k-- == 0)
      return hh->first_member + i;
  g_assert_not_reached ();
}

/* One or two ties between members of households HA and HB of one family. */
static void
link_households (const Builder *b, guint32 ha, guint32 hb, TieList *out)
{
  guint32 lo = MIN (ha, hb), hi = MAX (ha, hb);
  MlRng rng;
  int n;

  if (b->w->households[ha].size == 0 || b->w->households[hb].size == 0)
    return;
  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_FAMILY, ((guint64) lo << 32) | hi);
  n = 1 + ml_rng_bernoulli (&rng, 0.5);
  for (int t = 0; t < n; t++)
    {
      guint32 a = pick_relative (b, lo, &rng);
      ties_push (out, a, pick_relative (b, hi, &rng), ML_TIE_FAMILY);
    }
}

/* Family F: every pair of its households when it is small, else a ring in
 * which each household links to the FAMILY_RING next ones (bounded work). */
static void
family_ties (const Builder *b, guint32 f, TieList *out)
{
  const guint32 *hs = b->fam_order + b->fam_start[f];
  guint32 k = b->fam_start[f + 1] - b->fam_start[f];

  for (guint32 i = 0; i < k; i++)
    {
      if (k <= FAMILY_ALL_PAIRS_MAX)
        for (guint32 j = i + 1; j < k; j++)
          link_households (b, hs[i], hs[j], out);
      else
        for (guint32 s = 1; s <= FAMILY_RING; s++)
          link_households (b, hs[i], hs[(i + s) % k], out);
    }
}

/* Ties within POOL (M people in random order): teams of ~TEAM_SIZE
 * consecutive people tied pairwise with a probability giving
 * TEAM_SHARE x coworker_ties team ties each, and the rest of the mean as
 * random ties across the pool (all of it inside the team when the pool is
 * a single team). */
static void
pool_ties (const Builder *b, MlRng *rng, const guint32 *pool, guint32 m,
           guint8 kind, TieList *out)
{
  double k = b->sc->coworker_ties;
  guint32 n_teams = MAX (1, (m + TEAM_SIZE / 2) / TEAM_SIZE);
  double share = n_teams > 1 ? TEAM_SHARE : 1.0;

  for (guint32 t = 0; t < n_teams; t++)
    {
      guint32 lo = (guint32) ((guint64) m * t / n_teams);
      guint32 hi = (guint32) ((guint64) m * (t + 1) / n_teams);
      double q = hi - lo > 1 ? MIN (1.0, share * k / (hi - lo - 1)) : 0.0;
      for (guint32 i = lo; i < hi; i++)
        for (guint32 j = i + 1; j < hi; j++)
          if (ml_rng_bernoulli (rng, q))
            ties_push (out, pool[i], pool[j], kind);
    }
  if (n_teams == 1)
    return;
  for (guint32 i = 0; i < m; i++)
    {
      guint64 c = ml_rng_poisson (rng, (1.0 - TEAM_SHARE) * k / 2);
      for (guint64 x = 0; x < c; x++)
        ties_push (out, pool[i], pool[ml_rng_below (rng, m)], kind);
    }
}

typedef struct {
  guint64 key;              /* age << 32 | random */
  guint32 person;
} AgeKey;

static int
cmp_agekey (const void *a, const void *b)
{
  return cmp_u64 (&((const AgeKey *) a)->key, &((const AgeKey *) b)->key);
}

/* Students of one school: by age (ties broken at random), classes of
 * ~CLASS_SIZE consecutive students, each a pool of study groups. */
static void
school_ties (const Builder *b, MlRng *rng, guint32 *members, guint32 m, TieList *out)
{
  g_autofree AgeKey *keys = g_new (AgeKey, m);
  guint32 n_classes = MAX (1, (m + CLASS_SIZE / 2) / CLASS_SIZE);

  for (guint32 i = 0; i < m; i++)
    keys[i] = (AgeKey) { ((guint64) b->w->people[members[i]].age << 32) | ml_rng_u32 (rng),
                         members[i] };
  qsort (keys, m, sizeof (AgeKey), cmp_agekey);
  for (guint32 i = 0; i < m; i++)
    members[i] = keys[i].person;
  for (guint32 c = 0; c < n_classes; c++)
    {
      guint32 lo = (guint32) ((guint64) m * c / n_classes);
      guint32 hi = (guint32) ((guint64) m * (c + 1) / n_classes);
      pool_ties (b, rng, members + lo, hi - lo, ML_TIE_SCHOOL, out);
    }
}

/* Work bucket K (place * 2 + students): co-workers in random teams, or
 * classmates by age. */
static void
workplace_ties (const Builder *b, guint32 k, TieList *out)
{
  guint32 m = b->work_start[k + 1] - b->work_start[k];
  g_autofree guint32 *members = NULL;
  MlRng rng;

  if (m < 2 || k == 2 * b->w->n_places)
    return;
  members = g_memdup2 (b->work_order + b->work_start[k], (gsize) m * sizeof (guint32));
  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_WORKPLACE, k);
  if (k & 1)
    {
      school_ties (b, &rng, members, m, out);
      return;
    }
  ml_rng_shuffle (&rng, members, m, sizeof (guint32));
  pool_ties (b, &rng, members, m, ML_TIE_COWORKER, out);
}

/* ---- friend groups --------------------------------------------------------- */

/* The slice [*LO, *HI) of by_district to draw a friend of someone living
 * in district D from: D itself, one of its nearest districts, or the whole
 * city; everybody when D is unknown. */
static void
friend_pool (const Builder *b, MlRng *rng, guint32 d, guint32 *lo, guint32 *hi)
{
  const MlWorld *w = b->w;
  double u = ml_rng_uniform (rng);

  if (d == ML_NONE)
    {
      *lo = 0;
      *hi = b->n;
      return;
    }
  if (u >= FRIEND_HOME_P + FRIEND_NEAR_P)
    {
      const MlCity *c = &w->cities[w->districts[d].city];
      *lo = b->district_start[c->first_district];
      *hi = b->district_start[c->first_district + c->n_districts];
      return;
    }
  if (u >= FRIEND_HOME_P)
    {
      const guint32 *near = b->near + (gsize) d * NEAR_DISTRICTS;
      guint32 k = 0;
      while (k < NEAR_DISTRICTS && near[k] != ML_NONE)
        k++;
      if (k > 0)
        d = near[ml_rng_below (rng, k)];
    }
  *lo = b->district_start[d];
  *hi = b->district_start[d + 1];
}

/* A friend for P: of AGE_TOURNAMENT people drawn from a pool near P's home,
 * the closest in age (age homophily: McPherson, Smith-Lovin & Cook 2001;
 * distance decay: Lambiotte et al. 2008).  ML_NONE if the pool is empty. */
static guint32
pick_friend (const Builder *b, MlRng *rng, guint32 p)
{
  guint32 lo, hi, best = ML_NONE;
  int best_gap = G_MAXINT;

  friend_pool (b, rng, b->district[p], &lo, &hi);
  if (hi <= lo)
    return ML_NONE;
  for (int t = 0; t < AGE_TOURNAMENT; t++)
    {
      guint32 q = b->by_district[lo + ml_rng_below (rng, hi - lo)];
      int gap = abs ((int) b->w->people[q].age - (int) b->w->people[p].age);
      if (gap < best_gap)
        {
          best = q;
          best_gap = gap;
        }
    }
  return best;
}

/* One friend group seeded by P: its size, members near P, pairs tied with
 * FRIEND_TIE_P. */
static void
friend_group (const Builder *b, MlRng *rng, guint32 p, TieList *out)
{
  guint32 members[FRIEND_GROUP_MAX];
  guint32 m = 1, size, tries = 0;

  size = 2 + (guint32) ml_rng_poisson (rng, MAX (0.0, b->sc->friend_group_size - 2));
  size = MIN (size, FRIEND_GROUP_MAX);
  members[0] = p;
  while (m < size && tries++ < 4 * size)
    {
      guint32 q = pick_friend (b, rng, p), i = 0;
      while (i < m && members[i] != q)
        i++;
      if (q != ML_NONE && i == m)
        members[m++] = q;
    }
  for (guint32 i = 0; i < m; i++)
    for (guint32 j = i + 1; j < m; j++)
      if (ml_rng_bernoulli (rng, FRIEND_TIE_P))
        ties_push (out, members[i], members[j], ML_TIE_FRIEND);
}

/* Person P seeds Poisson(sociability x friend_groups / friend_group_size)
 * groups, so that each person belongs to friend_groups groups on average. */
static void
friend_ties (const Builder *b, guint32 p, TieList *out)
{
  double mean = b->sociability[p] * b->sc->friend_groups / MAX (1.0, b->sc->friend_group_size);
  MlRng rng;
  guint64 k;

  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_FRIENDS, p);
  k = ml_rng_poisson (&rng, mean);
  for (guint64 g = 0; g < k; g++)
    friend_group (b, &rng, p, out);
}

/* ---- closure and weak ties ------------------------------------------------- */

/* WEDGES_PER_PERSON wedges u-P-v of the skeleton sampled at random; each
 * open one is closed with probability triadic_closure. */
static void
closure_ties (const Builder *b, guint32 p, TieList *out)
{
  guint32 d = ml_graph_degree (b->g, p);
  const MlEdge *e = b->g->edges + b->g->offset[p];
  MlRng rng;

  if (d < 2)
    return;
  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_CLOSURE, p);
  for (int s = 0; s < WEDGES_PER_PERSON; s++)
    {
      guint32 i = (guint32) ml_rng_below (&rng, d);
      guint32 j = (guint32) ml_rng_below (&rng, d - 1);
      j += j >= i;
      if (ml_rng_bernoulli (&rng, b->sc->triadic_closure)
          && ml_graph_edge (b->g, e[i].other, e[j].other) == NULL)
        ties_push (out, e[i].other, e[j].other, ML_TIE_CLOSURE);
    }
}

/* P starts Poisson(sociability x weak_ties / 2) ties to people drawn
 * uniformly from the whole region, so the mean weak degree is weak_ties. */
static void
weak_ties (const Builder *b, guint32 p, TieList *out)
{
  MlRng rng;
  guint64 k;

  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_WEAK, p);
  k = ml_rng_poisson (&rng, b->sociability[p] * b->sc->weak_ties / 2);
  for (guint64 i = 0; i < k; i++)
    ties_push (out, p, (guint32) ml_rng_below (&rng, b->n), ML_TIE_WEAK);
}

/* Cast member I's `sources` confidential sources: people drawn from the
 * whole region among those not yet tied to them and not in the cast. */
static void
source_ties (const Builder *b, guint32 i, TieList *out)
{
  guint32 p = b->w->cast[i].person, want = (guint32) b->sc->cast[i].sources;
  gsize first = out->n;
  MlRng rng;

  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_CAST, i);
  for (guint32 tries = 0; out->n - first < want && tries < 20 * want + 100; tries++)
    {
      guint32 q = (guint32) ml_rng_below (&rng, b->n);
      gboolean dup = q == p || ml_graph_edge (b->g, p, q) != NULL
                     || g_hash_table_contains (b->cast_of, GUINT_TO_POINTER (q));
      for (gsize k = first; k < out->n && !dup; k++)
        dup = out->v[k].b == q;
      if (!dup)
        ties_push (out, p, q, ML_TIE_SOURCE);
    }
}

/* ---- candidate ties to CSR ---------------------------------------------------- */

static inline gboolean
edge_before (const MlEdge *x, const MlEdge *y)
{
  return x->other != y->other ? x->other < y->other : kind_rank[x->kind] < kind_rank[y->kind];
}

static int
cmp_edge (const void *a, const void *b)
{
  const MlEdge *x = a, *y = b;
  return edge_before (x, y) ? -1 : edge_before (y, x);
}

/* Sort E[0..N) by (other, rank) and keep the first (strongest) edge of each
 * other; returns the new count. */
static guint32
sort_dedupe (MlEdge *e, guint32 n)
{
  guint32 m = 0;

  if (n <= 24)
    for (guint32 i = 1; i < n; i++)
      {
        MlEdge x = e[i];
        guint32 j = i;
        for (; j > 0 && edge_before (&x, &e[j - 1]); j--)
          e[j] = e[j - 1];
        e[j] = x;
      }
  else
    qsort (e, n, sizeof (MlEdge), cmp_edge);
  for (guint32 i = 0; i < n; i++)
    if (m == 0 || e[i].other != e[m - 1].other)
      e[m++] = e[i];
  return m;
}

typedef struct {
  guint32 *offset;          /* n + 1 */
  MlEdge *edges;
  guint32 *count;           /* per person, after dedupe */
} SortCtx;

static void
sort_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  SortCtx *s = ctx;

  (void) chunk;
  for (guint32 p = begin; p < end; p++)
    s->count[p] = sort_dedupe (s->edges + s->offset[p], s->offset[p + 1] - s->offset[p]);
}

/* Scatter the ties of L into per-person lists (both directions). */
static gboolean
bucket_ties (guint32 n, const TieList *l, MlGraph *out, GError **error)
{
  g_autofree guint32 *fill = NULL;

  if (2 * (guint64) l->n > G_MAXUINT32)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_FAILED,
                   "social graph too large: %" G_GSIZE_FORMAT " candidate ties", l->n);
      return FALSE;
    }
  out->offset = g_new0 (guint32, (gsize) n + 1);
  for (gsize i = 0; i < l->n; i++)
    {
      out->offset[l->v[i].a + 1]++;
      out->offset[l->v[i].b + 1]++;
    }
  for (guint32 p = 0; p < n; p++)
    out->offset[p + 1] += out->offset[p];
  fill = g_memdup2 (out->offset, (gsize) n * sizeof (guint32));
  out->edges = g_new (MlEdge, MAX (2 * l->n, 1));
  for (gsize i = 0; i < l->n; i++)
    {
      const Tie *t = &l->v[i];
      out->edges[fill[t->a]++] = (MlEdge) { .other = t->b, .kind = t->kind };
      out->edges[fill[t->b]++] = (MlEdge) { .other = t->a, .kind = t->kind };
    }
  out->n_edges = 2 * l->n;
  return TRUE;
}

/* A CSR of the ties in L, sorted and deduplicated. */
static gboolean
csr_from_ties (const Builder *b, const TieList *l, MlGraph *out, GError **error)
{
  g_autofree guint32 *count = g_new (guint32, MAX (b->n, 1));
  SortCtx s;
  guint32 m = 0;

  if (!bucket_ties (b->n, l, out, error))
    return FALSE;
  s = (SortCtx) { out->offset, out->edges, count };
  run_chunks (b->threads, b->n, sort_chunk, &s);
  for (guint32 p = 0; p < b->n; p++)
    {
      memmove (out->edges + m, out->edges + out->offset[p], count[p] * sizeof (MlEdge));
      out->offset[p] = m;
      m += count[p];
    }
  out->offset[b->n] = m;
  out->n_edges = m;
  out->edges = g_renew (MlEdge, out->edges, MAX (m, 1));
  return TRUE;
}

/* Merge the sorted lists X[0..NX) and Y[0..NY) into OUT (if not NULL),
 * keeping the strongest edge of each other; returns the merged count. */
static guint32
merge_lists (const MlEdge *x, guint32 nx, const MlEdge *y, guint32 ny, MlEdge *out)
{
  guint32 i = 0, j = 0, m = 0;

  while (i < nx || j < ny)
    {
      const MlEdge *e;
      if (j == ny || (i < nx && x[i].other < y[j].other))
        e = &x[i++];
      else if (i == nx || y[j].other < x[i].other)
        e = &y[j++];
      else
        {
          e = kind_rank[x[i].kind] <= kind_rank[y[j].kind] ? &x[i] : &y[j];
          i++;
          j++;
        }
      if (out != NULL)
        out[m] = *e;
      m++;
    }
  return m;
}

typedef struct {
  const MlGraph *a, *b;
  MlGraph *out;             /* offsets hold counts in the first pass */
  gboolean fill;
} MergeCtx;

static void
merge_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  MergeCtx *mc = ctx;

  (void) chunk;
  for (guint32 p = begin; p < end; p++)
    {
      const MlGraph *a = mc->a, *b = mc->b;
      guint32 c = merge_lists (a->edges + a->offset[p], ml_graph_degree (a, p),
                               b->edges + b->offset[p], ml_graph_degree (b, p),
                               mc->fill ? mc->out->edges + mc->out->offset[p] : NULL);
      if (!mc->fill)
        mc->out->offset[p + 1] = c;
    }
}

/* Add the ties of L to *G (replaced by the union, deduplicated). */
static gboolean
graph_add_ties (const Builder *b, MlGraph *g, const TieList *l, GError **error)
{
  MlGraph add = { 0 }, out = { 0 };
  MergeCtx mc = { g, &add, &out, FALSE };

  if (!csr_from_ties (b, l, &add, error))
    return FALSE;
  if (g->n_edges + add.n_edges > G_MAXUINT32)
    {
      g_free (add.offset);
      g_free (add.edges);
      g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "social graph too large: over 2^32 edges");
      return FALSE;
    }
  out.offset = g_new0 (guint32, (gsize) b->n + 1);
  run_chunks (b->threads, b->n, merge_chunk, &mc);
  for (guint32 p = 0; p < b->n; p++)
    out.offset[p + 1] += out.offset[p];
  out.n_edges = out.offset[b->n];
  out.edges = g_new (MlEdge, MAX (out.n_edges, 1));
  mc.fill = TRUE;
  run_chunks (b->threads, b->n, merge_chunk, &mc);
  g_free (add.offset);
  g_free (add.edges);
  g_free (g->offset);
  g_free (g->edges);
  *g = out;
  return TRUE;
}

static void
graph_clear (MlGraph *g)
{
  g_clear_pointer (&g->offset, g_free);
  g_clear_pointer (&g->edges, g_free);
  g->n_edges = 0;
}

/* ---- weights ------------------------------------------------------------------ */

/* Weights LO -> HI and HI -> LO (*W_LOHI, *W_HILO) of a tie of KIND, from
 * the tie's own stream: base x lognormal(0, weight_sigma); then with
 * probability asymmetry one direction (a coin picks which) is cut to 0 or
 * scaled by U(0.05, 0.2), else each direction gets lognormal(0, 0.3). */
static void
tie_weights (const Builder *b, guint32 lo, guint32 hi, guint8 kind,
             float *w_lohi, float *w_hilo)
{
  double base;
  MlRng rng;

  ml_rng_init (&rng, b->sc->seed, ML_STREAM_GRAPH, SUB_WEIGHT, ((guint64) lo << 32) | hi);
  base = kind_base[kind] * ml_rng_lognormal (&rng, 0.0, b->sc->weight_sigma);
  if (ml_rng_bernoulli (&rng, b->sc->asymmetry))
    {
      gboolean lo_faint = ml_rng_u32 (&rng) & 1;
      double f = ml_rng_bernoulli (&rng, ONEWAY_ZERO_P) ? 0.0
                 : ml_rng_range (&rng, ONEWAY_MIN, ONEWAY_MAX);
      *w_lohi = (float) (lo_faint ? base * f : base);
      *w_hilo = (float) (lo_faint ? base : base * f);
    }
  else
    {
      *w_lohi = (float) (base * ml_rng_lognormal (&rng, 0.0, DIRECTION_SIGMA));
      *w_hilo = (float) (base * ml_rng_lognormal (&rng, 0.0, DIRECTION_SIGMA));
    }
}

/* Weight of source tie P -> Q: the source writes source_contacts_per_week / 7
 * messages a day; the cast member replies SOURCE_REPLY times as much. */
static float
source_weight (const Builder *b, guint32 p, guint32 q)
{
  guint ci = GPOINTER_TO_UINT (g_hash_table_lookup (b->cast_of, GUINT_TO_POINTER (q)));
  double reply = 1.0;

  if (ci == 0)
    {
      ci = GPOINTER_TO_UINT (g_hash_table_lookup (b->cast_of, GUINT_TO_POINTER (p)));
      reply = SOURCE_REPLY;
    }
  g_assert (ci > 0);
  return (float) (reply * b->sc->cast[ci - 1].source_contacts_per_week / 7.0);
}

/* Raw weights of both directions of P's ties to people above P: the
 * chunk owning P is the only writer of those two edges. */
static void
weigh_person (const Builder *b, MlGraph *g, guint32 p)
{
  for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
    {
      MlEdge *e = &g->edges[i], *r;
      if (e->other < p)
        continue;
      r = (MlEdge *) ml_graph_edge (g, e->other, p);   /* G is ours to write */
      g_assert (r != NULL);
      if (e->kind == ML_TIE_SOURCE)
        {
          e->weight = source_weight (b, p, e->other);
          r->weight = source_weight (b, e->other, p);
        }
      else
        tie_weights (b, p, e->other, e->kind, &e->weight, &r->weight);
    }
}

/* P's out-weights scaled to sum to 1; if every tie of P is used only
 * towards P, P spreads its messages evenly. */
static void
normalise_person (MlGraph *g, guint32 p)
{
  MlEdge *e = g->edges + g->offset[p];
  guint32 d = ml_graph_degree (g, p);
  double sum = 0.0;

  for (guint32 i = 0; i < d; i++)
    sum += e[i].weight;
  for (guint32 i = 0; i < d; i++)
    e[i].weight = sum > 0.0 ? (float) (e[i].weight / sum) : (float) (1.0 / d);
}

typedef struct {
  const Builder *b;
  MlGraph *g;
} WeighCtx;

static void
weigh_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  WeighCtx *wc = ctx;

  (void) chunk;
  for (guint32 p = begin; p < end; p++)
    weigh_person (wc->b, wc->g, p);
}

static void
normalise_chunk (gpointer ctx, guint chunk, guint32 begin, guint32 end)
{
  WeighCtx *wc = ctx;

  (void) chunk;
  for (guint32 p = begin; p < end; p++)
    normalise_person (wc->g, p);
}

/* ---- the builder --------------------------------------------------------------- */

/* TRUE if every index W's builder follows is in range. */
static gboolean
world_is_consistent (const MlWorld *w)
{
  for (guint32 h = 0; h < w->n_households; h++)
    {
      const MlHousehold *hh = &w->households[h];
      if ((guint64) hh->first_member + hh->size > w->n_people
          || (hh->home_place != ML_NONE
              && (hh->home_place >= w->n_places
                  || (w->places[hh->home_place].district != ML_NONE
                      && w->places[hh->home_place].district >= w->n_districts))))
        return FALSE;
    }
  for (guint32 p = 0; p < w->n_people; p++)
    if (w->people[p].household >= w->n_households
        || (w->people[p].work_place != ML_NONE && w->people[p].work_place >= w->n_places))
      return FALSE;
  for (guint32 d = 0; d < w->n_districts; d++)
    {
      const MlCity *c = w->districts[d].city < w->n_cities ? &w->cities[w->districts[d].city] : NULL;
      if (c == NULL || (guint64) c->first_district + c->n_districts > w->n_districts)
        return FALSE;
    }
  return TRUE;
}

/* Households, families, work, school and friend groups. */
static gboolean
build_skeleton (Builder *b, MlGraph *g, GError **error)
{
  TieList l = { 0 };
  gboolean ok;

  generate (b, b->w->n_households, household_ties, &l);
  generate (b, b->n_fam, family_ties, &l);
  generate (b, 2 * b->w->n_places, workplace_ties, &l);
  generate (b, b->n, friend_ties, &l);
  ok = csr_from_ties (b, &l, g, error);
  ties_clear (&l);
  return ok;
}

/* Triadic closure on the skeleton, weak ties, then cast sources. */
static gboolean
build_extra (Builder *b, MlGraph *g, GError **error)
{
  TieList l = { 0 };
  gboolean ok;

  b->g = g;
  generate (b, b->n, closure_ties, &l);
  generate (b, b->n, weak_ties, &l);
  ok = graph_add_ties (b, g, &l, error);
  l.n = 0;
  for (guint32 i = 0; ok && i < MIN (b->w->n_cast, (guint32) MAX (b->sc->n_cast, 0)); i++)
    if (b->sc->cast[i].sources > 0 && b->w->cast[i].person < b->n)
      source_ties (b, i, &l);
  if (ok && l.n > 0)
    ok = graph_add_ties (b, g, &l, error);
  ties_clear (&l);
  return ok;
}

gboolean
ml_socialgraph_build (MlWorld *w, GError **error)
{
  Builder b;
  MlGraph g = { 0 };
  WeighCtx wc = { &b, &g };

  g_return_val_if_fail (w != NULL && w->sc != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (world_is_consistent (w), FALSE);

  builder_init (&b, w);
  if (!build_skeleton (&b, &g, error) || !build_extra (&b, &g, error))
    {
      graph_clear (&g);
      builder_clear (&b);
      return FALSE;
    }
  run_chunks (b.threads, b.n, weigh_chunk, &wc);
  run_chunks (b.threads, b.n, normalise_chunk, &wc);
  builder_clear (&b);
  graph_clear (&w->graph);
  w->graph = g;
  return TRUE;
}

const MlEdge *
ml_graph_edge (const MlGraph *g, guint32 p, guint32 q)
{
  guint32 lo, hi, end;

  g_return_val_if_fail (g != NULL, NULL);
  if (g->offset == NULL)
    return NULL;
  lo = g->offset[p];
  end = hi = g->offset[p + 1];
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (g->edges[mid].other < q)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < end && g->edges[lo].other == q ? &g->edges[lo] : NULL;
}

/* ---- statistics ------------------------------------------------------------------ */

guint32 *
ml_socialgraph_degree_histogram (const MlWorld *w, guint32 *n_bins)
{
  guint32 max = 0, *counts;

  g_return_val_if_fail (w != NULL && n_bins != NULL, NULL);
  for (guint32 p = 0; w->graph.offset != NULL && p < w->n_people; p++)
    max = MAX (max, ml_graph_degree (&w->graph, p));
  counts = g_new0 (guint32, (gsize) max + 1);
  for (guint32 p = 0; p < w->n_people; p++)
    counts[w->graph.offset != NULL ? ml_graph_degree (&w->graph, p) : 0]++;
  *n_bins = max + 1;
  return counts;
}

/* The Q-quantile of X[0..N) (the element of rank floor(Q (N - 1)) in
 * ascending order) by Wirth's selection; X is reordered.  N > 0. */
static float
quantile (float *x, gsize n, double q)
{
  gssize k = (gssize) floor (q * (double) (n - 1)), lo = 0, hi = (gssize) n - 1;

  while (lo < hi)
    {
      float pivot = x[k], t;
      gssize i = lo, j = hi;
      do
        {
          while (x[i] < pivot)
            i++;
          while (pivot < x[j])
            j--;
          if (i <= j)
            {
              t = x[i];
              x[i++] = x[j];
              x[j--] = t;
            }
        }
      while (i <= j);
      if (j < k)
        lo = i;
      if (k < i)
        hi = j;
    }
  return x[k];
}

/* Mean, median, max and CV (population standard deviation) of degrees. */
static void
stats_degrees (const MlWorld *w, MlGraphStats *s)
{
  guint32 n_bins, half = (w->n_people - 1) / 2;
  g_autofree guint32 *h = ml_socialgraph_degree_histogram (w, &n_bins);
  double sum = 0.0, sum2 = 0.0, mean;
  guint64 seen = 0;
  int lo = -1, hi = -1;

  for (guint32 k = 0; k < n_bins; k++)
    {
      sum += (double) k * h[k];
      sum2 += (double) k * k * h[k];
      if (lo < 0 && seen + h[k] > half)
        lo = (int) k;
      if (hi < 0 && seen + h[k] > w->n_people / 2)
        hi = (int) k;
      seen += h[k];
    }
  mean = sum / w->n_people;
  s->mean_degree = mean;
  s->median_degree = w->n_people % 2 ? lo : (lo + hi) / 2.0;
  s->max_degree = n_bins - 1;
  s->degree_cv = mean > 0 ? sqrt (MAX (0.0, sum2 / w->n_people - mean * mean)) / mean : 0.0;
}

/* Reciprocity, asymmetric share and the p99/p50 tail of the weights. */
static void
stats_weights (const MlWorld *w, MlGraphStats *s)
{
  const MlGraph *g = &w->graph;
  g_autofree float *pos = g_new (float, MAX (g->n_edges, 1));
  gsize n_pos = 0;
  guint64 ties = 0, both = 0, asym = 0;

  for (guint32 p = 0; p < w->n_people; p++)
    for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
      {
        const MlEdge *e = &g->edges[i], *r;
        if (e->weight > 0)
          pos[n_pos++] = e->weight;
        if (e->other < p || (r = ml_graph_edge (g, e->other, p)) == NULL)
          continue;
        ties++;
        both += e->weight > 0 && r->weight > 0;
        asym += MIN (e->weight, r->weight) < ASYMMETRIC_RATIO * MAX (e->weight, r->weight);
      }
  s->weight_reciprocity = ties > 0 ? (double) both / ties : 0.0;
  s->weight_asymmetric = ties > 0 ? (double) asym / ties : 0.0;
  if (n_pos > 0)
    {
      double p99 = quantile (pos, n_pos, 0.99), p50 = quantile (pos, n_pos, 0.5);
      s->weight_tail_ratio = p50 > 0 ? p99 / p50 : 0.0;
    }
}

/* W's ties as an undirected igraph graph, one edge per tie. */
static igraph_error_t
to_igraph (const MlWorld *w, igraph_t *graph)
{
  igraph_vector_int_t edges;
  igraph_integer_t k = 0;
  igraph_error_t rc;

  IGRAPH_CHECK (igraph_vector_int_init (&edges, (igraph_integer_t) w->graph.n_edges));
  for (guint32 p = 0; p < w->n_people; p++)
    for (guint32 i = w->graph.offset[p]; i < w->graph.offset[p + 1]; i++)
      if (w->graph.edges[i].other > p)
        {
          VECTOR (edges)[k++] = p;
          VECTOR (edges)[k++] = w->graph.edges[i].other;
        }
  igraph_vector_int_resize (&edges, k);
  rc = igraph_create (graph, &edges, w->n_people, IGRAPH_UNDIRECTED);
  igraph_vector_int_destroy (&edges);
  return rc;
}

/* Clustering, assortativity and components of GRAPH. */
static igraph_error_t
stats_structure (const igraph_t *graph, MlGraphStats *s)
{
  igraph_vector_int_t membership, csize;
  igraph_integer_t n_comp = 0;
  igraph_real_t r;
  igraph_error_t rc;

  IGRAPH_CHECK (igraph_transitivity_undirected (graph, &r, IGRAPH_TRANSITIVITY_ZERO));
  s->clustering_global = r;
  IGRAPH_CHECK (igraph_transitivity_avglocal_undirected (graph, &r, IGRAPH_TRANSITIVITY_ZERO));
  s->clustering_avg_local = r;
  IGRAPH_CHECK (igraph_assortativity_degree (graph, &r, FALSE));
  s->assortativity = isnan (r) ? 0.0 : r;
  IGRAPH_CHECK (igraph_vector_int_init (&membership, 0));
  if ((rc = igraph_vector_int_init (&csize, 0)) != IGRAPH_SUCCESS)
    return igraph_vector_int_destroy (&membership), rc;
  rc = igraph_connected_components (graph, &membership, &csize, &n_comp, IGRAPH_WEAK);
  if (rc == IGRAPH_SUCCESS)
    {
      s->components = (guint32) n_comp;
      s->giant_size = n_comp > 0 ? (guint32) igraph_vector_int_max (&csize) : 0;
    }
  igraph_vector_int_destroy (&membership);
  igraph_vector_int_destroy (&csize);
  return rc;
}

/* The discrete power-law fit of the positive degrees (at most
 * PLFIT_MAX_SAMPLE of them, drawn without replacement from a fixed stream)
 * and its bootstrap p-value. */
static igraph_error_t
stats_powerlaw (const MlWorld *w, MlGraphStats *s)
{
  g_autofree double *deg = g_new (double, MAX (w->n_people, 1));
  igraph_plfit_result_t fit;
  igraph_vector_t v;
  igraph_real_t p = 0.0;
  gsize n = 0;
  igraph_error_t rc;
  MlRng rng;

  for (guint32 q = 0; q < w->n_people; q++)
    if (ml_graph_degree (&w->graph, q) > 0)
      deg[n++] = ml_graph_degree (&w->graph, q);
  if (n < 2)
    return IGRAPH_SUCCESS;
  ml_rng_init (&rng, 0, ML_STREAM_GRAPH, SUB_STATS, 0);
  for (gsize i = 0; i < MIN (n, PLFIT_MAX_SAMPLE) && n > PLFIT_MAX_SAMPLE; i++)
    {
      gsize j = i + (gsize) ml_rng_below (&rng, n - i);
      double t = deg[i];
      deg[i] = deg[j];
      deg[j] = t;
    }
  igraph_vector_view (&v, deg, (igraph_integer_t) MIN (n, PLFIT_MAX_SAMPLE));
  IGRAPH_CHECK (igraph_power_law_fit (&v, &fit, -1, FALSE));
  igraph_rng_seed (igraph_rng_default (), 20070501);
  rc = igraph_plfit_result_calculate_p_value (&fit, &p, PLFIT_PRECISION);
  s->powerlaw_alpha = fit.alpha;
  s->powerlaw_xmin = fit.xmin;
  s->powerlaw_p = p;
  return rc;
}

gboolean
ml_socialgraph_stats (const MlWorld *w, MlGraphStats *out, GError **error)
{
  igraph_error_handler_t *old_err;
  igraph_warning_handler_t *old_warn;
  MlGraphStats s = { 0 };
  igraph_t graph;
  igraph_error_t rc;

  g_return_val_if_fail (w != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (w->graph.offset == NULL || w->n_people == 0)
    {
      *out = s;
      return TRUE;
    }
  stats_degrees (w, &s);
  stats_weights (w, &s);
  old_err = igraph_set_error_handler (igraph_error_handler_ignore);
  old_warn = igraph_set_warning_handler (igraph_warning_handler_ignore);
  rc = to_igraph (w, &graph);
  if (rc == IGRAPH_SUCCESS)
    {
      rc = stats_structure (&graph, &s);
      if (rc == IGRAPH_SUCCESS)
        rc = stats_powerlaw (w, &s);
      igraph_destroy (&graph);
    }
  igraph_set_error_handler (old_err);
  igraph_set_warning_handler (old_warn);
  if (rc != IGRAPH_SUCCESS)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "igraph: %s", igraph_strerror (rc));
      return FALSE;
    }
  *out = s;
  return TRUE;
}
