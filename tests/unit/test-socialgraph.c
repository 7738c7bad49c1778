/* test-socialgraph.c -- unit tests for sim/socialgraph: the social graph.
 *
 * The fixture is a hand-built world of ~3,000 people in two cities (no
 * population.c): households of 1-5 with consecutive members (two adults,
 * then children), families of ~2.5 households, workplaces of ~20 workers
 * and one school per city, the [social] defaults of scenario.c and,
 * optionally, a journalist with five sources.  Structural figures are
 * checked against the phone-graph ranges of Onnela et al. (PNAS 2007).
 */

#include <math.h>
#include <string.h>

#include "common/rng.h"
#include "sim/socialgraph.h"
#include "tests/unit/runner.h"

#define FIXTURE_PEOPLE 3000
#define FIXTURE_SEED 20240601

typedef struct {
  MlScenario sc;
  MlCastSpec cast_spec;
  MlWorld w;
} Fixture;

/* [social] defaults of sim/scenario.c. */
static void
fixture_scenario (MlScenario *sc, guint64 seed)
{
  memset (sc, 0, sizeof *sc);
  sc->seed = seed;
  sc->threads = 1;
  sc->friend_groups = 2.0;
  sc->friend_group_size = 6;
  sc->coworker_ties = 4;
  sc->family_links = 1.5;
  sc->triadic_closure = 0.05;
  sc->weak_ties = 1.5;
  sc->weight_sigma = 1.2;
  sc->asymmetry = 0.2;
}

/* CITIES cities of SIDE x SIDE districts 1 km apart, one home place per
 * household added later. */
static void
fixture_geography (MlWorld *w, guint32 n_cities, guint32 side)
{
  w->n_cities = n_cities;
  w->cities = g_new0 (MlCity, n_cities);
  w->n_districts = n_cities * side * side;
  w->districts = g_new0 (MlDistrict, w->n_districts);
  for (guint32 c = 0; c < n_cities; c++)
    {
      MlCity *city = &w->cities[c];
      g_snprintf (city->name, sizeof city->name, "City %u", c);
      city->lat = 45.0 + 0.5 * c;
      city->lon = 7.0 + 0.5 * c;
      city->in_region = TRUE;
      city->first_district = c * side * side;
      city->n_districts = side * side;
      for (guint32 i = 0; i < side * side; i++)
        {
          MlDistrict *d = &w->districts[city->first_district + i];
          d->city = c;
          d->lat = city->lat + 0.009 * (i / side);
          d->lon = city->lon + 0.0127 * (i % side);
          d->home_weight = 1.0 / (side * side);
        }
    }
}

static guint32
add_place (MlWorld *w, guint32 *cap, MlPlaceKind kind, guint32 district, guint32 owner)
{
  if (w->n_places == *cap)
    {
      *cap = MAX (64, *cap * 2);
      w->places = g_renew (MlPlace, w->places, *cap);
    }
  w->places[w->n_places] = (MlPlace) { .lat = w->districts[district].lat,
                                       .lon = w->districts[district].lon,
                                       .district = district, .owner = owner, .kind = kind };
  return w->n_places++;
}

/* Household sizes 1-5 (shares 0.28, 0.34, 0.15, 0.15, 0.08). */
static guint8
draw_household_size (MlRng *rng)
{
  static const double cum[] = { 0.28, 0.62, 0.77, 0.92, 1.0 };
  double u = ml_rng_uniform (rng);
  guint8 s = 1;
  while (s < 5 && u >= cum[s - 1])
    s++;
  return s;
}

/* Member I of a household: two adults of similar age, then children. */
static void
fixture_person (MlPerson *p, MlRng *rng, guint32 i, int parent_age)
{
  int age = i == 0 ? parent_age : i == 1 ? parent_age + (int) ml_rng_below (rng, 7) - 3
            : (int) ml_rng_below (rng, 18);
  memset (p, 0, sizeof *p);
  p->age = (guint8) CLAMP (age, 0, 99);
  if (p->age >= 5 && p->age < 19)
    p->role = ML_ROLE_STUDENT;
  else if (p->age >= 19 && p->age < 66 && ml_rng_bernoulli (rng, 0.8))
    p->role = ML_ROLE_WORKER;
  else
    p->role = ML_ROLE_HOME;
  p->work_place = ML_NONE;
  p->activity = 10;
}

/* Households and people: N people, 70 % in city 0. */
static void
fixture_households (MlWorld *w, MlRng *rng, guint32 n, guint32 *place_cap)
{
  guint32 hcap = n;

  w->people = g_new0 (MlPerson, n);
  w->households = g_new0 (MlHousehold, hcap);
  while (w->n_people < n)
    {
      MlHousehold *h = &w->households[w->n_households];
      guint32 city = ml_rng_bernoulli (rng, 0.7) ? 0 : 1 % w->n_cities;
      guint32 d = w->cities[city].first_district
                  + (guint32) ml_rng_below (rng, w->cities[city].n_districts);
      int parent_age = 20 + (int) ml_rng_below (rng, 60);

      h->size = MIN (draw_household_size (rng), n - w->n_people);
      h->first_member = w->n_people;
      h->home_place = add_place (w, place_cap, ML_PLACE_HOME, d, w->n_households);
      h->family = ML_NONE;
      for (guint32 i = 0; i < h->size; i++)
        {
          fixture_person (&w->people[w->n_people], rng, i, parent_age);
          w->people[w->n_people++].household = w->n_households;
        }
      w->n_households++;
    }
}

/* Families: random ids among n_households / 2.5; a fifth of households
 * have no family. */
static void
fixture_families (MlWorld *w, MlRng *rng)
{
  guint32 n_fam = MAX (1, (guint32) (w->n_households / 2.5));
  for (guint32 h = 0; h < w->n_households; h++)
    w->households[h].family = ml_rng_bernoulli (rng, 0.2) ? ML_NONE
                              : (guint32) ml_rng_below (rng, n_fam);
}

/* Workplaces of ~20 workers in each city and one school per city. */
static void
fixture_workplaces (MlWorld *w, MlRng *rng, guint32 *place_cap)
{
  for (guint32 c = 0; c < w->n_cities; c++)
    {
      const MlCity *city = &w->cities[c];
      guint32 workers = 0, first_work, school;
      for (guint32 p = 0; p < w->n_people; p++)
        workers += w->people[p].role == ML_ROLE_WORKER
                   && w->districts[w->places[w->households[w->people[p].household].home_place].district].city == c;
      first_work = w->n_places;
      for (guint32 k = 0; k < MAX (1, workers / 20); k++)
        add_place (w, place_cap, ML_PLACE_WORK,
                   city->first_district + (guint32) ml_rng_below (rng, city->n_districts), k);
      school = add_place (w, place_cap, ML_PLACE_SCHOOL, city->first_district, 0);
      for (guint32 p = 0; p < w->n_people; p++)
        {
          MlPerson *pp = &w->people[p];
          if (w->districts[w->places[w->households[pp->household].home_place].district].city != c)
            continue;
          if (pp->role == ML_ROLE_WORKER)
            pp->work_place = first_work + (guint32) ml_rng_below (rng, MAX (1, workers / 20));
          else if (pp->role == ML_ROLE_STUDENT)
            pp->work_place = school;
        }
    }
}

/* A fixture world of N people in N_CITIES cities of SIDE x SIDE districts. */
static Fixture *
fixture_new_sized (guint32 n, guint32 n_cities, guint32 side, guint64 seed)
{
  Fixture *f = g_new0 (Fixture, 1);
  guint32 place_cap = 0;
  MlRng rng;

  fixture_scenario (&f->sc, seed);
  f->w.sc = &f->sc;
  ml_rng_init (&rng, 7, 99, 1, 0);   /* the fixture itself never changes with SEED */
  fixture_geography (&f->w, n_cities, side);
  fixture_households (&f->w, &rng, n, &place_cap);
  fixture_families (&f->w, &rng);
  fixture_workplaces (&f->w, &rng, &place_cap);
  return f;
}

static Fixture *
fixture_new (guint64 seed)
{
  return fixture_new_sized (FIXTURE_PEOPLE, 2, 4, seed);
}

/* Give person P a cast entry with SOURCES sources, 3 contacts a week. */
static void
fixture_add_journalist (Fixture *f, guint32 p, int sources)
{
  f->cast_spec = (MlCastSpec) { .name = (char *) "jo", .role = (char *) "journalist",
                                .sources = sources, .source_contacts_per_week = 3 };
  f->sc.cast = &f->cast_spec;
  f->sc.n_cast = 1;
  f->w.cast = g_new0 (MlCast, 1);
  f->w.cast[0] = (MlCast) { .name = (char *) "jo", .person = p, .tipline = ML_NONE };
  f->w.n_cast = 1;
  f->w.people[p].cast = 1;
}

static void
fixture_free (Fixture *f)
{
  g_free (f->w.cities);
  g_free (f->w.districts);
  g_free (f->w.places);
  g_free (f->w.households);
  g_free (f->w.people);
  g_free (f->w.cast);
  g_free (f->w.graph.offset);
  g_free (f->w.graph.edges);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* The default fixture with a journalist, built and measured once (by the
 * first suite that needs it) for the read-only tests; freed after the last. */
static Fixture *shared;
static MlGraphStats shared_stats;

static int
shared_setup (void)
{
  g_autoptr(GError) error = NULL;

  if (shared != NULL)
    return 0;
  shared = fixture_new (FIXTURE_SEED);
  fixture_add_journalist (shared, 100, 5);
  if (!ml_socialgraph_build (&shared->w, &error)
      || !ml_socialgraph_stats (&shared->w, &shared_stats, &error))
    {
      g_printerr ("fixture: %s\n", error->message);
      return 1;
    }
  g_printerr ("\nfixture: %u people, mean degree %.2f (median %.0f, max %.0f, cv %.2f), "
              "clustering %.3f (avg local %.3f), reciprocity %.3f, asymmetric %.3f, "
              "power law alpha %.2f xmin %.0f p %.3f, assortativity %.3f, "
              "%u components (giant %u), weight p99/p50 %.1f\n",
              shared->w.n_people, shared_stats.mean_degree, shared_stats.median_degree,
              shared_stats.max_degree, shared_stats.degree_cv, shared_stats.clustering_global,
              shared_stats.clustering_avg_local, shared_stats.weight_reciprocity,
              shared_stats.weight_asymmetric, shared_stats.powerlaw_alpha,
              shared_stats.powerlaw_xmin, shared_stats.powerlaw_p, shared_stats.assortativity,
              shared_stats.components, shared_stats.giant_size, shared_stats.weight_tail_ratio);
  return 0;
}

static int
shared_teardown (void)
{
  g_clear_pointer (&shared, fixture_free);
  return 0;
}

static guint32
city_of (const MlWorld *w, guint32 p)
{
  return w->districts[w->places[w->households[w->people[p].household].home_place].district].city;
}

/* ---- CSR invariants ------------------------------------------------------ */

static void
test_edges_are_sorted_without_self_ties_or_duplicates (void)
{
  const MlGraph *g = &shared->w.graph;
  guint64 bad = 0;

  CU_ASSERT_EQUAL (g->offset[0], 0);
  CU_ASSERT_EQUAL (g->offset[shared->w.n_people], g->n_edges);
  for (guint32 p = 0; p < shared->w.n_people; p++)
    for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
      {
        bad += g->edges[i].other == p || g->edges[i].other >= shared->w.n_people;
        bad += i > g->offset[p] && g->edges[i - 1].other >= g->edges[i].other;
        bad += g->edges[i].kind >= ML_N_TIE_KINDS;
      }
  CU_ASSERT_EQUAL (bad, 0);
  CU_ASSERT (g->n_edges > 0);
}

static void
test_every_tie_appears_both_ways_with_the_same_kind (void)
{
  const MlGraph *g = &shared->w.graph;
  guint64 missing = 0, kind_differs = 0;

  for (guint32 p = 0; p < shared->w.n_people; p++)
    for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
      {
        const MlEdge *r = ml_graph_edge (g, g->edges[i].other, p);
        missing += r == NULL;
        kind_differs += r != NULL && r->kind != g->edges[i].kind;
      }
  CU_ASSERT_EQUAL (missing, 0);
  CU_ASSERT_EQUAL (kind_differs, 0);
  CU_ASSERT_EQUAL (g->n_edges % 2, 0);
}

static void
test_household_members_are_all_tied_as_household (void)
{
  const MlWorld *w = &shared->w;
  guint64 pairs = 0, tied = 0;

  for (guint32 h = 0; h < w->n_households; h++)
    for (guint32 i = 0; i < w->households[h].size; i++)
      for (guint32 j = 0; j < w->households[h].size; j++)
        if (i != j)
          {
            const MlEdge *e = ml_graph_edge (&w->graph, w->households[h].first_member + i,
                                             w->households[h].first_member + j);
            pairs++;
            tied += e != NULL && e->kind == ML_TIE_HOUSEHOLD;
          }
  CU_ASSERT (pairs > 1000);
  CU_ASSERT_EQUAL (tied, pairs);
}

static void
test_graph_edge_finds_ties_and_returns_null_otherwise (void)
{
  const MlGraph *g = &shared->w.graph;
  guint32 p = 7, d = ml_graph_degree (g, p), absent = 0;

  CU_ASSERT (d > 0);
  for (guint32 i = 0; i < d; i++)
    CU_ASSERT_PTR_EQUAL (ml_graph_edge (g, p, g->edges[g->offset[p] + i].other),
                         &g->edges[g->offset[p] + i]);
  for (guint32 q = 0; q < shared->w.n_people; q++)
    if (ml_graph_edge (g, p, q) == NULL)
      absent++;
  CU_ASSERT_EQUAL (absent, shared->w.n_people - d);
  CU_ASSERT_PTR_NULL (ml_graph_edge (g, p, p));
}

/* ---- structure ------------------------------------------------------------ */

static void
test_mean_degree_is_between_8_and_25 (void)
{
  CU_ASSERT (shared_stats.mean_degree >= 8.0);
  CU_ASSERT (shared_stats.mean_degree <= 25.0);
  CU_ASSERT_DOUBLE_EQUAL (shared_stats.mean_degree,
                          (double) shared->w.graph.n_edges / shared->w.n_people, 1e-9);
}

/* Onnela et al. 2007 and DESIGN.md: phone graphs have clustering 0.1-0.35. */
static void
test_global_clustering_is_between_0_1_and_0_35 (void)
{
  CU_ASSERT (shared_stats.clustering_global >= 0.10);
  CU_ASSERT (shared_stats.clustering_global <= 0.35);
  CU_ASSERT (shared_stats.clustering_avg_local > shared_stats.clustering_global);
}

/* Skewed: max > 3 x mean and CV > 0.4.  Not scale-free: the power-law
 * hypothesis is rejected (p < 0.1, Clauset, Shalizi & Newman 2009) or the
 * fitted tail is far steeper than the 2 < alpha < 3 of scale-free networks
 * (alpha > 3.5: finite variance, Broido & Clauset 2019's "not scale-free"). */
static void
test_degree_distribution_is_skewed_but_not_scale_free (void)
{
  CU_ASSERT (shared_stats.max_degree > 3 * shared_stats.mean_degree);
  CU_ASSERT (shared_stats.degree_cv > 0.4);
  CU_ASSERT (shared_stats.powerlaw_p < 0.1 || shared_stats.powerlaw_alpha > 3.5);
}

static void
test_giant_component_holds_nearly_everyone (void)
{
  CU_ASSERT (shared_stats.giant_size >= 0.98 * shared->w.n_people);
  CU_ASSERT (shared_stats.components >= 1);
}

static void
test_friends_live_in_the_same_city_and_weak_ties_bridge_cities (void)
{
  const MlWorld *w = &shared->w;
  guint64 friends = 0, friends_same = 0, weak = 0, weak_cross = 0;

  for (guint32 p = 0; p < w->n_people; p++)
    for (guint32 i = w->graph.offset[p]; i < w->graph.offset[p + 1]; i++)
      {
        const MlEdge *e = &w->graph.edges[i];
        gboolean same = city_of (w, p) == city_of (w, e->other);
        friends += e->kind == ML_TIE_FRIEND;
        friends_same += e->kind == ML_TIE_FRIEND && same;
        weak += e->kind == ML_TIE_WEAK;
        weak_cross += e->kind == ML_TIE_WEAK && !same;
      }
  CU_ASSERT (friends > w->n_people);
  CU_ASSERT_EQUAL (friends_same, friends);
  /* 70/30 cities: a random pair is in different cities 2 x 0.7 x 0.3 = 42 % of the time */
  CU_ASSERT (weak > 0);
  CU_ASSERT_DOUBLE_EQUAL ((double) weak_cross / weak, 0.42, 0.08);
}

static guint32
district_of (const MlWorld *w, guint32 p)
{
  return w->places[w->households[w->people[p].household].home_place].district;
}

/* Friends are drawn near home (half from the same district) and close in
 * age: compared with random pairs of the same city (1/16 or 1/9 share a
 * district) they share districts far more often and differ less in age. */
static void
test_friends_live_near_each_other_and_are_close_in_age (void)
{
  const MlWorld *w = &shared->w;
  double friends = 0, same = 0, gap = 0, rnd_pairs = 0, rnd_gap = 0;
  MlRng rng;

  for (guint32 p = 0; p < w->n_people; p++)
    for (guint32 i = w->graph.offset[p]; i < w->graph.offset[p + 1]; i++)
      if (w->graph.edges[i].kind == ML_TIE_FRIEND)
        {
          guint32 q = w->graph.edges[i].other;
          friends++;
          same += district_of (w, p) == district_of (w, q);
          gap += abs ((int) w->people[p].age - (int) w->people[q].age);
        }
  ml_rng_init (&rng, 1, 2, 3, 4);
  for (int k = 0; k < 20000; k++)
    {
      guint32 p = (guint32) ml_rng_below (&rng, w->n_people);
      guint32 q = (guint32) ml_rng_below (&rng, w->n_people);
      rnd_pairs++;
      rnd_gap += abs ((int) w->people[p].age - (int) w->people[q].age);
    }
  CU_ASSERT_FATAL (friends > 0);
  CU_ASSERT (same / friends > 0.25);
  CU_ASSERT (gap / friends < 0.6 * rnd_gap / rnd_pairs);
}

static void
test_classmates_are_of_similar_age (void)
{
  const MlWorld *w = &shared->w;
  double gap = 0.0;
  guint64 n = 0;

  for (guint32 p = 0; p < w->n_people; p++)
    for (guint32 i = w->graph.offset[p]; i < w->graph.offset[p + 1]; i++)
      if (w->graph.edges[i].kind == ML_TIE_SCHOOL)
        {
          gap += abs ((int) w->people[p].age - (int) w->people[w->graph.edges[i].other].age);
          n++;
        }
  CU_ASSERT (n > 100);
  /* students are 5-18: random pairs would differ by ~4.7 years */
  CU_ASSERT (n > 0 && gap / n < 1.0);
}

/* Families of at most six households link every pair of households. */
static void
test_households_of_a_small_family_are_linked (void)
{
  const MlWorld *w = &shared->w;
  g_autofree guint32 *fam_size = g_new0 (guint32, w->n_households);
  guint64 pairs = 0, linked = 0;

  for (guint32 h = 0; h < w->n_households; h++)
    if (w->households[h].family != ML_NONE)
      fam_size[w->households[h].family]++;
  for (guint32 h1 = 0; h1 < w->n_households; h1++)
    for (guint32 h2 = h1 + 1; h2 < w->n_households; h2++)
      {
        guint32 fam = w->households[h1].family;
        gboolean any = FALSE;
        if (fam == ML_NONE || fam != w->households[h2].family || fam_size[fam] > 6)
          continue;
        for (guint32 i = 0; i < w->households[h1].size && !any; i++)
          for (guint32 j = 0; j < w->households[h2].size && !any; j++)
            any = ml_graph_edge (&w->graph, w->households[h1].first_member + i,
                                 w->households[h2].first_member + j) != NULL;
        pairs++;
        linked += any;
      }
  CU_ASSERT (pairs > 500);
  CU_ASSERT_EQUAL (linked, pairs);
}

/* ---- weights --------------------------------------------------------------- */

static void
test_out_weights_sum_to_one_for_every_person_with_ties (void)
{
  const MlGraph *g = &shared->w.graph;
  guint32 bad = 0, with_ties = 0;

  for (guint32 p = 0; p < shared->w.n_people; p++)
    {
      double sum = 0.0;
      for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
        {
          sum += g->edges[i].weight;
          bad += !(g->edges[i].weight >= 0.0f);
        }
      if (ml_graph_degree (g, p) == 0)
        continue;
      with_ties++;
      bad += fabs (sum - 1.0) > 1e-5;
    }
  CU_ASSERT_EQUAL (bad, 0);
  CU_ASSERT (with_ties > 0.98 * shared->w.n_people);
}

/* asymmetry = 0.2, half the one-way ties strictly one-way: 90 % of ties
 * are used both ways and 10 % have a zero direction. */
static void
test_most_ties_are_used_both_ways (void)
{
  const MlGraph *g = &shared->w.graph;
  guint64 ties = 0, zero = 0;

  for (guint32 p = 0; p < shared->w.n_people; p++)
    for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
      if (g->edges[i].other > p)
        {
          ties++;
          zero += g->edges[i].weight == 0.0f
                  || ml_graph_edge (g, g->edges[i].other, p)->weight == 0.0f;
        }
  CU_ASSERT (shared_stats.weight_reciprocity > 0.7);
  ML_ASSERT_CLOSE (shared_stats.weight_reciprocity, 1.0 - shared->sc.asymmetry / 2, 0.015);
  ML_ASSERT_CLOSE ((double) zero / ties, 1.0 - shared_stats.weight_reciprocity, 1e-9);
}

/* The knob makes a share A of ties one-way; normalising each person's
 * out-weights makes a share B of the two-way ties look one-way too
 * (measured with A = 0) and lifts some scaled-down directions back above
 * 1/4, so the asymmetric share lies between A/2 + (1 - A) B (only the
 * zeroed half) and A + (1 - A) B (all of them). */
static void
test_asymmetric_share_follows_the_knob_beyond_normalisation (void)
{
  g_autoptr(Fixture) f = fixture_new (FIXTURE_SEED);
  g_autoptr(GError) error = NULL;
  double a = shared->sc.asymmetry, b, share = shared_stats.weight_asymmetric;
  MlGraphStats s;

  f->sc.asymmetry = 0.0;
  CU_ASSERT_FATAL (ml_socialgraph_build (&f->w, &error));
  CU_ASSERT_FATAL (ml_socialgraph_stats (&f->w, &s, &error));
  b = s.weight_asymmetric;
  ML_ASSERT_CLOSE (s.weight_reciprocity, 1.0, 1e-12);
  CU_ASSERT (b > 0.0 && b < 0.2);
  CU_ASSERT (share > a / 2 + (1 - a) * b);
  CU_ASSERT (share < a + (1 - a) * b + 0.01);
}

/* Lognormal sigma 1.2 over kind bases: p99/p50 far above a thin tail's. */
static void
test_weights_are_heavy_tailed (void)
{
  CU_ASSERT (shared_stats.weight_tail_ratio > 10.0);
}

static void
test_household_ties_are_stronger_than_weak_ties (void)
{
  const MlGraph *g = &shared->w.graph;
  double sum[ML_N_TIE_KINDS] = { 0 }, n[ML_N_TIE_KINDS] = { 0 };

  for (guint32 p = 0; p < shared->w.n_people; p++)
    for (guint32 i = g->offset[p]; i < g->offset[p + 1]; i++)
      {
        sum[g->edges[i].kind] += g->edges[i].weight;
        n[g->edges[i].kind]++;
      }
  CU_ASSERT (n[ML_TIE_WEAK] > 0 && n[ML_TIE_HOUSEHOLD] > 0);
  CU_ASSERT (sum[ML_TIE_HOUSEHOLD] / n[ML_TIE_HOUSEHOLD] > 5 * sum[ML_TIE_WEAK] / n[ML_TIE_WEAK]);
}

static void
test_cast_member_gets_sources_outside_existing_ties (void)
{
  const MlWorld *w = &shared->w;
  guint32 j = 100, sources = 0;
  float reply = -1.0f;

  for (guint32 i = w->graph.offset[j]; i < w->graph.offset[j + 1]; i++)
    if (w->graph.edges[i].kind == ML_TIE_SOURCE)
      {
        const MlEdge *back = ml_graph_edge (&w->graph, w->graph.edges[i].other, j);
        sources++;
        CU_ASSERT (back != NULL && back->kind == ML_TIE_SOURCE && back->weight > 0.0f);
        /* every source gets the same reply weight */
        if (reply >= 0.0f)
          CU_ASSERT_DOUBLE_EQUAL (w->graph.edges[i].weight, reply, 1e-7);
        reply = w->graph.edges[i].weight;
      }
  CU_ASSERT_EQUAL (sources, 5);
  CU_ASSERT (reply > 0.0f);
}

/* ---- knobs and determinism --------------------------------------------------- */

static Fixture *
build_fixture (guint64 seed, int threads)
{
  g_autoptr(GError) error = NULL;
  Fixture *f = fixture_new (seed);

  f->sc.threads = threads;
  if (!ml_socialgraph_build (&f->w, &error))
    g_error ("build: %s", error->message);
  return f;
}

static gboolean
graphs_equal (const MlWorld *a, const MlWorld *b)
{
  return a->graph.n_edges == b->graph.n_edges
         && memcmp (a->graph.offset, b->graph.offset, (a->n_people + 1) * sizeof (guint32)) == 0
         && memcmp (a->graph.edges, b->graph.edges, a->graph.n_edges * sizeof (MlEdge)) == 0;
}

static void
test_same_seed_gives_identical_edges_whatever_the_thread_count (void)
{
  g_autoptr(Fixture) a = build_fixture (FIXTURE_SEED, 1);
  g_autoptr(Fixture) b = build_fixture (FIXTURE_SEED, 3);

  CU_ASSERT (graphs_equal (&a->w, &b->w));
  /* the shared fixture differs only by its journalist's five sources */
  CU_ASSERT_EQUAL (a->w.graph.n_edges + 10, shared->w.graph.n_edges);
}

static void
test_another_seed_gives_different_edges (void)
{
  g_autoptr(Fixture) a = build_fixture (FIXTURE_SEED, 1);
  g_autoptr(Fixture) b = build_fixture (FIXTURE_SEED + 1, 1);

  CU_ASSERT_FALSE (graphs_equal (&a->w, &b->w));
}

/* With every optional context off, the graph is exactly the households. */
static void
test_only_households_remain_when_other_contexts_are_off (void)
{
  g_autoptr(Fixture) f = fixture_new (FIXTURE_SEED);
  g_autoptr(GError) error = NULL;
  guint64 expected = 0;

  f->sc.friend_groups = f->sc.coworker_ties = f->sc.weak_ties = f->sc.triadic_closure = 0;
  for (guint32 h = 0; h < f->w.n_households; h++)
    {
      f->w.households[h].family = ML_NONE;
      expected += (guint64) f->w.households[h].size * (f->w.households[h].size - 1);
    }
  CU_ASSERT_FATAL (ml_socialgraph_build (&f->w, &error));
  CU_ASSERT_EQUAL (f->w.graph.n_edges, expected);
  for (guint64 i = 0; i < f->w.graph.n_edges; i++)
    CU_ASSERT_EQUAL_FATAL (f->w.graph.edges[i].kind, ML_TIE_HOUSEHOLD);
}

static guint64
count_kind (const MlWorld *w, MlTieKind kind)
{
  guint64 n = 0;
  for (guint64 i = 0; i < w->graph.n_edges; i++)
    n += w->graph.edges[i].kind == kind;
  return n;
}

/* Every closure tie closes a wedge: its ends have a common neighbour. */
static gboolean
closure_ties_close_triangles (const MlWorld *w)
{
  for (guint32 u = 0; u < w->n_people; u++)
    for (guint32 i = w->graph.offset[u]; i < w->graph.offset[u + 1]; i++)
      {
        guint32 v = w->graph.edges[i].other, common = 0;
        if (w->graph.edges[i].kind != ML_TIE_CLOSURE)
          continue;
        for (guint32 k = w->graph.offset[u]; k < w->graph.offset[u + 1]; k++)
          common += ml_graph_edge (&w->graph, v, w->graph.edges[k].other) != NULL;
        if (common == 0)
          return FALSE;
      }
  return TRUE;
}

/* triadic_closure 0.05 -> 0.8 closes ~16x as many wedges (fewer: some
 * sampled wedges are already closed or drawn twice). */
static void
test_triadic_closure_closes_wedges_in_proportion_to_the_knob (void)
{
  g_autoptr(Fixture) f = fixture_new (FIXTURE_SEED);
  g_autoptr(GError) error = NULL;
  guint64 lo = count_kind (&shared->w, ML_TIE_CLOSURE), hi;

  f->sc.triadic_closure = 0.8;
  CU_ASSERT_FATAL (ml_socialgraph_build (&f->w, &error));
  hi = count_kind (&f->w, ML_TIE_CLOSURE);
  CU_ASSERT (lo > 0);
  CU_ASSERT (hi > 10 * lo && hi < 17 * lo);
  CU_ASSERT (closure_ties_close_triangles (&shared->w));
  CU_ASSERT (closure_ties_close_triangles (&f->w));
}

/* Without home districts friends are drawn from the whole region. */
static void
test_people_without_a_home_district_still_make_friends (void)
{
  g_autoptr(Fixture) f = fixture_new (FIXTURE_SEED);
  g_autoptr(GError) error = NULL;
  guint64 friends, missing = 0;

  for (guint32 h = 0; h < f->w.n_households; h++)
    f->w.households[h].home_place = ML_NONE;
  CU_ASSERT_FATAL (ml_socialgraph_build (&f->w, &error));
  friends = count_kind (&f->w, ML_TIE_FRIEND);
  CU_ASSERT (friends > 4 * f->w.n_people);
  for (guint32 p = 0; p < f->w.n_people; p++)
    for (guint32 i = f->w.graph.offset[p]; i < f->w.graph.offset[p + 1]; i++)
      missing += ml_graph_edge (&f->w.graph, f->w.graph.edges[i].other, p) == NULL;
  CU_ASSERT_EQUAL (missing, 0);
}

/* A second build replaces the first graph with an identical one. */
static void
test_building_twice_replaces_the_graph_with_the_same_one (void)
{
  g_autoptr(Fixture) a = build_fixture (FIXTURE_SEED, 1);
  g_autoptr(Fixture) b = build_fixture (FIXTURE_SEED, 1);
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FATAL (ml_socialgraph_build (&b->w, &error));
  CU_ASSERT (graphs_equal (&a->w, &b->w));
}

/* ---- statistics on a known graph ---------------------------------------------- */

/* Triangle 0-1-2, pendant 3 on 2, isolated 4; tie 2-3 used only 3 -> 2. */
static void
tiny_world (MlWorld *w, MlGraph *g, guint32 *offset, MlEdge *edges)
{
  static const guint32 off[] = { 0, 2, 4, 7, 8, 8 };
  static const MlEdge e[] = {
    { 1, 0.5f, ML_TIE_FRIEND, { 0 } }, { 2, 0.5f, ML_TIE_FRIEND, { 0 } },
    { 0, 0.25f, ML_TIE_FRIEND, { 0 } }, { 2, 0.75f, ML_TIE_FRIEND, { 0 } },
    { 0, 0.5f, ML_TIE_FRIEND, { 0 } }, { 1, 0.5f, ML_TIE_FRIEND, { 0 } },
    { 3, 0.0f, ML_TIE_WEAK, { 0 } },
    { 2, 1.0f, ML_TIE_WEAK, { 0 } },
  };
  memcpy (offset, off, sizeof off);
  memcpy (edges, e, sizeof e);
  memset (w, 0, sizeof *w);
  *g = (MlGraph) { offset, edges, 8 };
  w->graph = *g;
  w->n_people = 5;
}

static void
test_stats_of_triangle_with_pendant_match_hand_computed_values (void)
{
  g_autoptr(GError) error = NULL;
  guint32 offset[6];
  MlEdge edges[8];
  MlGraph g;
  MlWorld w;
  MlGraphStats s;

  tiny_world (&w, &g, offset, edges);
  CU_ASSERT_FATAL (ml_socialgraph_stats (&w, &s, &error));
  ML_ASSERT_CLOSE (s.clustering_global, 0.6, 1e-12);          /* 3 x 1 triangle / 5 triples */
  ML_ASSERT_CLOSE (s.clustering_avg_local, (1 + 1 + 1.0 / 3) / 5, 1e-12);
  ML_ASSERT_CLOSE (s.mean_degree, 8.0 / 5, 1e-12);             /* degrees 2 2 3 1 0 */
  ML_ASSERT_CLOSE (s.median_degree, 2.0, 1e-12);
  ML_ASSERT_CLOSE (s.max_degree, 3.0, 1e-12);
  ML_ASSERT_CLOSE (s.degree_cv, sqrt (18.0 / 5 - 1.6 * 1.6) / 1.6, 1e-12);
  ML_ASSERT_CLOSE (s.assortativity, -5.0 / 7, 1e-9);           /* Newman's r by hand */
  CU_ASSERT_EQUAL (s.components, 2);
  CU_ASSERT_EQUAL (s.giant_size, 4);
  ML_ASSERT_CLOSE (s.weight_reciprocity, 0.75, 1e-12);         /* 3 of 4 ties both ways */
  ML_ASSERT_CLOSE (s.weight_asymmetric, 0.25, 1e-12);
  /* positive weights 0.25 0.5 0.5 0.5 0.5 0.75 1: ranks floor(q x 6) give
   * p50 = 0.5 and p99 = 0.75 */
  ML_ASSERT_CLOSE (s.weight_tail_ratio, 1.5, 1e-6);
}

static void
test_degree_histogram_counts_people_by_degree (void)
{
  guint32 offset[6], n_bins = 0;
  MlEdge edges[8];
  MlGraph g;
  MlWorld w;
  g_autofree guint32 *h = NULL;

  tiny_world (&w, &g, offset, edges);
  h = ml_socialgraph_degree_histogram (&w, &n_bins);
  CU_ASSERT_EQUAL_FATAL (n_bins, 4);
  CU_ASSERT_EQUAL (h[0], 1);
  CU_ASSERT_EQUAL (h[1], 1);
  CU_ASSERT_EQUAL (h[2], 2);
  CU_ASSERT_EQUAL (h[3], 1);
}

static void
test_stats_of_a_world_without_ties_are_zero (void)
{
  g_autoptr(GError) error = NULL;
  guint32 offset[4] = { 0 };
  MlEdge edge;
  MlWorld w = { 0 };
  MlGraphStats s;

  w.n_people = 3;
  w.graph = (MlGraph) { offset, &edge, 0 };
  CU_ASSERT_FATAL (ml_socialgraph_stats (&w, &s, &error));
  CU_ASSERT_EQUAL (s.mean_degree, 0.0);
  CU_ASSERT_EQUAL (s.clustering_global, 0.0);
  CU_ASSERT_EQUAL (s.components, 3);
  CU_ASSERT_EQUAL (s.giant_size, 1);
}

static CU_TestInfo invariant_tests[] = {
  { "edges are sorted without self-ties or duplicates", test_edges_are_sorted_without_self_ties_or_duplicates },
  { "every tie appears both ways with the same kind", test_every_tie_appears_both_ways_with_the_same_kind },
  { "household members are all tied as household", test_household_members_are_all_tied_as_household },
  { "graph edge finds ties and returns NULL otherwise", test_graph_edge_finds_ties_and_returns_null_otherwise },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo structure_tests[] = {
  { "mean degree is between 8 and 25", test_mean_degree_is_between_8_and_25 },
  { "global clustering is between 0.1 and 0.35", test_global_clustering_is_between_0_1_and_0_35 },
  { "degree distribution is skewed but not scale-free", test_degree_distribution_is_skewed_but_not_scale_free },
  { "giant component holds nearly everyone", test_giant_component_holds_nearly_everyone },
  { "friends live in the same city and weak ties bridge cities", test_friends_live_in_the_same_city_and_weak_ties_bridge_cities },
  { "friends live near each other and are close in age",
    test_friends_live_near_each_other_and_are_close_in_age },
  { "classmates are of similar age", test_classmates_are_of_similar_age },
  { "households of a small family are linked", test_households_of_a_small_family_are_linked },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo weight_tests[] = {
  { "out-weights sum to 1 for every person with ties", test_out_weights_sum_to_one_for_every_person_with_ties },
  { "most ties are used both ways", test_most_ties_are_used_both_ways },
  { "asymmetric share follows the knob beyond normalisation",
    test_asymmetric_share_follows_the_knob_beyond_normalisation },
  { "weights are heavy-tailed", test_weights_are_heavy_tailed },
  { "household ties are stronger than weak ties", test_household_ties_are_stronger_than_weak_ties },
  { "cast member gets sources outside existing ties", test_cast_member_gets_sources_outside_existing_ties },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo knob_tests[] = {
  { "same seed gives identical edges whatever the thread count",
    test_same_seed_gives_identical_edges_whatever_the_thread_count },
  { "another seed gives different edges", test_another_seed_gives_different_edges },
  { "only households remain when other contexts are off", test_only_households_remain_when_other_contexts_are_off },
  { "triadic closure closes wedges in proportion to the knob",
    test_triadic_closure_closes_wedges_in_proportion_to_the_knob },
  { "people without a home district still make friends",
    test_people_without_a_home_district_still_make_friends },
  { "building twice replaces the graph with the same one",
    test_building_twice_replaces_the_graph_with_the_same_one },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo stats_tests[] = {
  { "stats of triangle with pendant match hand-computed values",
    test_stats_of_triangle_with_pendant_match_hand_computed_values },
  { "degree histogram counts people by degree", test_degree_histogram_counts_people_by_degree },
  { "stats of a world without ties are zero", test_stats_of_a_world_without_ties_are_zero },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "CSR invariants", .pInitFunc = shared_setup, .pTests = invariant_tests },
  { .pName = "structure", .pInitFunc = shared_setup, .pTests = structure_tests },
  { .pName = "weights", .pInitFunc = shared_setup, .pTests = weight_tests },
  { .pName = "knobs and determinism", .pInitFunc = shared_setup, .pCleanupFunc = shared_teardown,
    .pTests = knob_tests },
  { .pName = "statistics", .pTests = stats_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
