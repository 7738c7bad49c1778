/* test-population.c -- unit tests for sim/places and sim/population: the
 * region, its districts and venues, households, people, workplaces,
 * services and the cast.
 *
 * Most tests read one 5,000-person world built from the scenario defaults
 * (seed 20240611) with a cast member who runs a tip line.  Shares are
 * checked against the scenario within a few standard errors of a
 * binomial, sqrt(p (1 - p) / n); structural invariants exactly.  The world
 * is freed by a local helper (world.c, which owns the lifetime in the
 * program, is not linked in).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/geo.h"
#include "sim/handles.h"
#include "sim/places.h"
#include "sim/population.h"
#include "sim/scenario.h"
#include "tests/unit/runner.h"

#define SEED "20240611"
#define PEOPLE 5000

static MlWorld *world;       /* the shared world of the suites */

/* ---- helpers -------------------------------------------------------------- */

/* Free everything places.c and population.c allocate in W, and W's
 * scenario (owned by the test). */
static void
world_free_local (MlWorld *w)
{
  if (w == NULL)
    return;
  g_free (w->cities);
  g_free (w->districts);
  g_free (w->places);
  g_free (w->venue_index);
  g_free (w->households);
  g_free (w->people);
  g_free (w->workplaces);
  g_free (w->services);
  for (int c = 0; c < ML_N_CATEGORIES; c++)
    g_free (w->services_by_cat[c]);
  for (guint32 i = 0; i < w->n_cast; i++)
    g_free (w->cast[i].name);
  g_free (w->cast);
  ml_scenario_free ((MlScenario *) w->sc);
  g_free (w);
}

/* The default scenario with PEOPLE people, seed SEED_TEXT, a cast member
 * "alice" who runs a tip line, and EXTRA (an override or NULL). */
static MlScenario *
load_scenario (const char *seed_text, const char *extra)
{
  g_autofree char *seed = g_strdup_printf ("run.seed=%s", seed_text);
  g_autofree char *people = g_strdup_printf ("run.people=%d", PEOPLE);
  const char *overrides[] = { seed, people, "cast alice.role=journalist",
                              "cast alice.tipline=true", extra, NULL };
  g_autoptr(GError) error = NULL;
  MlScenario *sc = ml_scenario_load (NULL, overrides, &error);

  if (sc == NULL)
    g_error ("cannot load the default scenario: %s", error->message);
  return sc;
}

/* A world built by ml_places_build and ml_population_build, or NULL with
 * ERROR set. */
static MlWorld *
build_world (const char *seed_text, const char *extra, GError **error)
{
  MlWorld *w = g_new0 (MlWorld, 1);

  w->sc = load_scenario (seed_text, extra);
  if (!ml_places_build (w, error) || !ml_population_build (w, error))
    {
      world_free_local (w);
      return NULL;
    }
  return w;
}

static int
suite_init (void)
{
  g_autoptr(GError) error = NULL;

  world = build_world (SEED, NULL, &error);
  return world == NULL;
}

static int
suite_clean (void)
{
  g_clear_pointer (&world, world_free_local);
  return 0;
}

static int
cmp_u32 (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static guint32
city_of_district (const MlWorld *w, guint32 d)
{
  return w->districts[d].city;
}

/* The city person P lives in, from the Zipf ranges of residents. */
static guint32
city_by_index (const MlWorld *w, guint32 p)
{
  guint32 end = 0;

  for (guint32 c = 0; c < w->n_cities; c++)
    if (p < (end += w->cities[c].residents))
      return c;
  return ML_NONE;
}

/* ---- geography ------------------------------------------------------------ */

static void
test_cities_follow_zipf_largest_first (void)
{
  const MlScenario *sc = world->sc;
  guint64 total = 0;

  CU_ASSERT_EQUAL (world->n_cities, (guint32) (sc->cities + sc->distant_cities));
  for (int c = 0; c < sc->cities; c++)
    {
      CU_ASSERT_TRUE (world->cities[c].in_region);
      if (c > 0)
        CU_ASSERT_TRUE (world->cities[c].residents <= world->cities[c - 1].residents);
      total += world->cities[c].residents;
    }
  CU_ASSERT_EQUAL (total, sc->people);
  /* exponent 1: the largest city is twice the second */
  ML_ASSERT_CLOSE ((double) world->cities[0].residents / world->cities[1].residents, 2.0, 0.05);
  ML_ASSERT_CLOSE ((double) world->cities[0].residents / world->cities[2].residents, 3.0, 0.08);
}

static void
test_distant_cities_are_far_and_empty (void)
{
  const MlScenario *sc = world->sc;

  for (guint32 c = (guint32) sc->cities; c < world->n_cities; c++)
    {
      const MlCity *city = &world->cities[c];
      double km = ml_geo_haversine_km (sc->center_lat, sc->center_lon, city->lat, city->lon);

      CU_ASSERT_FALSE (city->in_region);
      CU_ASSERT_EQUAL (city->residents, 0);
      CU_ASSERT_TRUE (km >= 299.0 && km <= 3001.0);
      CU_ASSERT_TRUE (city->n_districts >= 9);
    }
}

static void
test_city_names_are_distinct (void)
{
  for (guint32 a = 0; a < world->n_cities; a++)
    {
      CU_ASSERT_TRUE (strlen (world->cities[a].name) > 3);
      for (guint32 b = a + 1; b < world->n_cities; b++)
        CU_ASSERT_STRING_NOT_EQUAL (world->cities[a].name, world->cities[b].name);
    }
}

static void
test_districts_tile_each_city_with_normalised_clark_weights (void)
{
  guint32 next = 0;

  for (guint32 c = 0; c < world->n_cities; c++)
    {
      const MlCity *city = &world->cities[c];
      guint32 g = (guint32) lround (sqrt (city->n_districts)), centre = city->n_districts / 2;
      double sum = 0.0, max = 0.0;

      CU_ASSERT_EQUAL (city->first_district, next);
      CU_ASSERT_EQUAL (g * g, city->n_districts);
      CU_ASSERT_EQUAL (g % 2, 1);
      for (guint32 i = 0; i < city->n_districts; i++)
        {
          const MlDistrict *d = &world->districts[city->first_district + i];

          CU_ASSERT_EQUAL (d->city, c);
          CU_ASSERT_TRUE (d->home_weight >= 0.0);
          sum += d->home_weight;
          max = MAX (max, d->home_weight);
        }
      ML_ASSERT_CLOSE (sum, 1.0, 1e-9);
      /* Clark: density falls from the centre */
      CU_ASSERT_DOUBLE_EQUAL (world->districts[city->first_district + centre].home_weight, max, 1e-12);
      next += city->n_districts;
    }
  CU_ASSERT_EQUAL (next, world->n_districts);
}

static void
test_district_at_finds_each_centroid_and_nothing_far_away (void)
{
  const MlScenario *sc = world->sc;

  for (guint32 d = 0; d < world->n_districts; d++)
    CU_ASSERT_EQUAL (ml_places_district_at (world, world->districts[d].lat, world->districts[d].lon), d);
  CU_ASSERT_EQUAL (ml_places_district_at (world, -sc->center_lat, sc->center_lon + 180.0), ML_NONE);
  CU_ASSERT_EQUAL (ml_places_district_at (world, sc->center_lat + 30.0, sc->center_lon), ML_NONE);
}

static void
test_jittered_points_stay_in_their_district (void)
{
  MlRng rng;

  ml_rng_init (&rng, 1, 2, 3, 4);
  for (guint32 d = 0; d < world->n_districts; d++)
    for (int k = 0; k < 5; k++)
      {
        double lat, lon;

        ml_places_jitter (world, d, &rng, &lat, &lon);
        CU_ASSERT_EQUAL (ml_places_district_at (world, lat, lon), d);
      }
}

static void
test_venue_lists_are_consistent_per_district (void)
{
  guint32 total = 0;

  for (guint32 d = 0; d < world->n_districts; d++)
    {
      const MlDistrict *dist = &world->districts[d];

      CU_ASSERT_TRUE (dist->first_venue + dist->n_venues <= world->n_venue_index);
      for (guint32 k = 0; k < dist->n_venues; k++)
        {
          const MlPlace *pl = &world->places[world->venue_index[dist->first_venue + k]];

          CU_ASSERT_EQUAL (pl->kind, ML_PLACE_VENUE);
          CU_ASSERT_EQUAL (pl->district, d);
          CU_ASSERT_TRUE (pl->category < ML_VENUE_N_DRAWN);
          CU_ASSERT_TRUE (pl->attractiveness > 0.0f);
        }
      if (dist->n_venues > 0)
        CU_ASSERT_TRUE (dist->home_weight > 0.0);
      total += dist->n_venues;
    }
  CU_ASSERT_EQUAL (total, world->n_venue_index);
  for (guint32 p = 0; p < world->n_places; p++)
    if (world->places[p].kind == ML_PLACE_VENUE)
      total--;
  CU_ASSERT_EQUAL (total, 0);
}

static void
test_region_venue_counts_follow_venues_per_1000 (void)
{
  for (int c = 0; c < world->sc->cities; c++)
    {
      const MlCity *city = &world->cities[c];
      guint32 n = 0;

      for (guint32 i = 0; i < city->n_districts; i++)
        n += world->districts[city->first_district + i].n_venues;
      CU_ASSERT_EQUAL (n, MAX (1, (guint32) lround (world->sc->venues_per_1000 * city->residents / 1000.0)));
    }
}

static void
test_venue_wifi_matches_the_share_and_favours_cafes (void)
{
  guint32 n = 0, wifi = 0, cafes = 0, cafe_wifi = 0, shops = 0, shop_wifi = 0;
  double p, se;

  for (guint32 i = 0; i < world->n_venue_index; i++)
    {
      const MlPlace *pl = &world->places[world->venue_index[i]];
      gboolean on = pl->wifi == ML_WIFI_PUBLIC;

      CU_ASSERT_TRUE (pl->wifi == ML_WIFI_PUBLIC || pl->wifi == ML_WIFI_NONE);
      n++;
      wifi += on;
      cafes += pl->category == ML_VENUE_CAFE;
      cafe_wifi += pl->category == ML_VENUE_CAFE && on;
      shops += pl->category == ML_VENUE_SHOP;
      shop_wifi += pl->category == ML_VENUE_SHOP && on;
    }
  p = world->sc->venue_wifi_share;
  se = sqrt (p * (1 - p) / n);
  ML_ASSERT_CLOSE ((double) wifi / n, p, 4 * se);
  CU_ASSERT_TRUE (cafes > 0 && shops > 0);
  CU_ASSERT_TRUE ((double) cafe_wifi / cafes > 2.0 * shop_wifi / shops);
}

static void
test_every_city_has_hotels_with_public_wifi (void)
{
  guint32 hotels = 0;

  for (guint32 c = 0; c < world->n_cities; c++)
    {
      guint32 first, n = ml_places_city_hotels (world, c, &first);

      CU_ASSERT_TRUE (n >= 1);
      CU_ASSERT_TRUE (world->cities[c].in_region || n >= 5);
      for (guint32 k = first; n > 0 && k < first + n; k++)
        {
          CU_ASSERT_EQUAL (world->places[k].kind, ML_PLACE_HOTEL);
          CU_ASSERT_EQUAL (world->places[k].wifi, ML_WIFI_PUBLIC);
          CU_ASSERT_EQUAL (world->places[k].category, ML_VENUE_HOTEL);
          CU_ASSERT_EQUAL (city_of_district (world, world->places[k].district), c);
        }
      hotels += n;
    }
  for (guint32 p = 0; p < world->n_places; p++)
    hotels -= world->places[p].kind == ML_PLACE_HOTEL;
  CU_ASSERT_EQUAL (hotels, 0);
}

static void
test_venue_category_names (void)
{
  CU_ASSERT_STRING_EQUAL (ml_venue_category_name (ML_VENUE_CAFE), "cafe");
  CU_ASSERT_STRING_EQUAL (ml_venue_category_name (ML_VENUE_LIBRARY), "library");
  CU_ASSERT_STRING_EQUAL (ml_venue_category_name (ML_VENUE_WORSHIP), "worship");
  CU_ASSERT_STRING_EQUAL (ml_venue_category_name (ML_VENUE_SCHOOL), "school");
  CU_ASSERT_STRING_EQUAL (ml_venue_category_name (ML_VENUE_HOTEL), "hotel");
  CU_ASSERT_STRING_EQUAL (ml_venue_category_name (200), "unknown");
}

static void
test_a_region_without_cities_is_an_input_error (void)
{
  g_autoptr(MlScenario) sc = load_scenario (SEED, NULL);
  g_autoptr(GError) error = NULL;
  MlWorld w = { 0 };

  sc->cities = 0;
  w.sc = sc;
  CU_ASSERT_FALSE (ml_places_build (&w, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NULL (w.places);
  g_free (w.cities);
}

/* ---- households and people ------------------------------------------------ */

static void
test_population_count_is_exact (void)
{
  guint64 members = 0;

  CU_ASSERT_EQUAL (world->n_people, PEOPLE);
  for (guint32 h = 0; h < world->n_households; h++)
    members += world->households[h].size;
  CU_ASSERT_EQUAL (members, PEOPLE);
}

static void
test_household_sizes_follow_the_shares (void)
{
  const MlScenario *sc = world->sc;
  guint32 count[ML_MAX_HOUSEHOLD_SIZE] = { 0 };
  double total = 0.0, n = world->n_households;
  /* truncated households: the last of each city and of the run */
  double slack = (sc->cities + 1) / n;

  for (guint32 h = 0; h < world->n_households; h++)
    {
      CU_ASSERT_TRUE (world->households[h].size >= 1 && world->households[h].size <= ML_MAX_HOUSEHOLD_SIZE);
      count[world->households[h].size - 1]++;
    }
  for (int s = 0; s < ML_MAX_HOUSEHOLD_SIZE; s++)
    total += sc->household_size_shares[s];
  for (int s = 0; s < ML_MAX_HOUSEHOLD_SIZE; s++)
    {
      double p = sc->household_size_shares[s] / total;
      ML_ASSERT_CLOSE (count[s] / n, p, 4 * sqrt (p * (1 - p) / n) + slack);
    }
}

static void
test_every_person_belongs_to_their_household (void)
{
  guint32 next = 0;

  for (guint32 h = 0; h < world->n_households; h++)
    {
      const MlHousehold *hh = &world->households[h];

      CU_ASSERT_EQUAL (hh->first_member, next);
      for (guint32 k = 0; k < hh->size; k++)
        CU_ASSERT_EQUAL (world->people[hh->first_member + k].household, h);
      next += hh->size;
    }
  for (guint32 p = 0; p < world->n_people; p++)
    {
      const MlHousehold *hh = &world->households[world->people[p].household];
      CU_ASSERT_TRUE (p >= hh->first_member && p < hh->first_member + hh->size);
    }
}

static void
test_homes_lie_in_their_citys_districts (void)
{
  guint32 broadband = 0;

  for (guint32 h = 0; h < world->n_households; h++)
    {
      const MlHousehold *hh = &world->households[h];
      const MlPlace *home = &world->places[hh->home_place];
      guint32 c = city_by_index (world, hh->first_member);

      CU_ASSERT_EQUAL (home->kind, ML_PLACE_HOME);
      CU_ASSERT_EQUAL (home->owner, h);
      CU_ASSERT_EQUAL (city_of_district (world, home->district), c);
      CU_ASSERT_EQUAL (city_by_index (world, hh->first_member + hh->size - 1), c);
      CU_ASSERT_TRUE (world->districts[home->district].home_weight > 0.0);
      CU_ASSERT_EQUAL (ml_places_district_at (world, home->lat, home->lon), home->district);
      CU_ASSERT_EQUAL (home->wifi, hh->broadband ? ML_WIFI_HOME : ML_WIFI_NONE);
      CU_ASSERT_TRUE (hh->isp < ML_POPULATION_ISPS);
      broadband += hh->broadband;
    }
  ML_ASSERT_CLOSE ((double) broadband / world->n_households, world->sc->broadband_share, 0.05);
}

static void
test_families_group_two_to_four_households_mostly_in_one_city (void)
{
  guint32 n = world->n_households, n_fam = 0, local = 0;
  g_autofree guint32 *size = g_new0 (guint32, n);
  g_autofree guint32 *city = g_new (guint32, n);
  g_autofree gboolean *mixed = g_new0 (gboolean, n);

  for (guint32 h = 0; h < n; h++)
    {
      guint32 f = world->households[h].family, c = city_of_district (world,
                                                      world->places[world->households[h].home_place].district);

      CU_ASSERT_FATAL (f < n);
      if (size[f]++ == 0)
        city[f] = c;
      else if (city[f] != c)
        mixed[f] = TRUE;
      n_fam = MAX (n_fam, f + 1);
    }
  for (guint32 f = 0; f < n_fam; f++)
    {
      CU_ASSERT_TRUE (size[f] >= 1 && size[f] <= 4);
      CU_ASSERT_TRUE (size[f] >= 2 || f == n_fam - 1);
      local += !mixed[f];
    }
  CU_ASSERT_TRUE ((double) local / n_fam > 0.55);
  CU_ASSERT_TRUE (local < n_fam);      /* some families span cities */
}

static void
test_role_shares_match_the_scenario (void)
{
  double n = world->n_people, workers = 0, students = 0;

  for (guint32 p = 0; p < world->n_people; p++)
    {
      workers += world->people[p].role == ML_ROLE_WORKER;
      students += world->people[p].role == ML_ROLE_STUDENT;
    }
  ML_ASSERT_CLOSE (workers / n, world->sc->worker_share, 0.03);
  ML_ASSERT_CLOSE (students / n, world->sc->student_share, 0.03);
}

static void
test_children_are_students_of_ten_and_over_after_two_adults (void)
{
  guint32 children = 0;

  for (guint32 p = 0; p < world->n_people; p++)
    {
      const MlPerson *pe = &world->people[p];
      guint32 pos = p - world->households[pe->household].first_member;

      CU_ASSERT_TRUE (pe->age >= 10 && pe->age <= 90);
      if (pe->age < 18)
        {
          CU_ASSERT_EQUAL (pe->role, ML_ROLE_STUDENT);
          CU_ASSERT_TRUE (pos >= 2);
          children++;
        }
      if (pe->role == ML_ROLE_WORKER)
        CU_ASSERT_TRUE (pe->age >= 18 && pe->age <= 66);
    }
  CU_ASSERT_TRUE (children > 0);
}

static void
test_imessage_share_is_within_three_standard_errors (void)
{
  double n = world->n_people, on = 0, p = world->sc->imessage_share;

  for (guint32 i = 0; i < world->n_people; i++)
    on += world->people[i].imessage;
  ML_ASSERT_CLOSE (on / n, p, 3 * sqrt (p * (1 - p) / n));
}

static void
test_devices_are_zero_exactly_without_imessage (void)
{
  double devices = 0, users = 0;

  for (guint32 i = 0; i < world->n_people; i++)
    {
      const MlPerson *pe = &world->people[i];

      CU_ASSERT_EQUAL (pe->devices == 0, !pe->imessage);
      CU_ASSERT_TRUE (pe->devices <= 8);
      CU_ASSERT_TRUE (!pe->email_handle || pe->imessage);
      CU_ASSERT_TRUE (pe->carrier < world->sc->carriers);
      if (pe->imessage)
        {
          devices += pe->devices;
          users++;
        }
    }
  /* 1 + Poisson(extra_devices_mean), capped at 8 */
  ML_ASSERT_CLOSE (devices / users, 1.0 + world->sc->extra_devices_mean, 0.1);
}

static void
test_handles_are_unique_and_follow_the_numbering (void)
{
  guint32 n = world->n_people + world->n_services;
  g_autofree guint64 *all = g_new (guint64, n);
  const MlScenario *sc = world->sc;

  for (guint32 p = 0; p < world->n_people; p++)
    {
      CU_ASSERT_EQUAL (world->people[p].handle, ml_handle_number (sc->seed, p));
      all[p] = world->people[p].handle;
    }
  for (guint32 s = 0; s < world->n_services; s++)
    {
      CU_ASSERT_EQUAL (world->services[s].handle, ml_handle_number (sc->seed, (guint64) sc->people + s));
      all[world->n_people + s] = world->services[s].handle;
    }
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

    for (guint32 i = 0; i < n; i++)
      CU_ASSERT_TRUE (g_hash_table_add (seen, &all[i]));
  }
}

static void
test_habits_and_chronotypes_are_in_range (void)
{
  g_autofree double *activity = g_new (double, world->n_people);
  double wake = 0.0;

  for (guint32 p = 0; p < world->n_people; p++)
    {
      const MlPerson *pe = &world->people[p];

      CU_ASSERT_TRUE (pe->wifi_use >= 0.0f && pe->wifi_use <= 1.0f);
      CU_ASSERT_TRUE (pe->wake_h >= 4.5f && pe->wake_h <= 11.0f);
      CU_ASSERT_TRUE (pe->sleep_h >= 20.0f && pe->sleep_h <= 26.0f);
      CU_ASSERT_TRUE (pe->activity > 0.0f);
      activity[p] = pe->activity;
      wake += pe->wake_h;
    }
  qsort (activity, world->n_people, sizeof *activity, cmp_double);
  ML_ASSERT_CLOSE (activity[world->n_people / 2] / world->sc->activity_median, 1.0, 0.1);
  ML_ASSERT_CLOSE (wake / world->n_people, 7.0, 0.1);
}

/* ---- workplaces ----------------------------------------------------------- */

static void
test_workers_have_workplaces_and_students_schools (void)
{
  for (guint32 p = 0; p < world->n_people; p++)
    {
      const MlPerson *pe = &world->people[p];

      if (pe->role == ML_ROLE_HOME)
        {
          CU_ASSERT_EQUAL (pe->work_place, ML_NONE);
          continue;
        }
      CU_ASSERT_FATAL (pe->work_place < world->n_places);
      CU_ASSERT_EQUAL (world->places[pe->work_place].kind,
                       pe->role == ML_ROLE_WORKER ? ML_PLACE_WORK : ML_PLACE_SCHOOL);
    }
}

static void
test_workplace_places_are_owned_by_their_index (void)
{
  for (guint32 i = 0; i < world->n_workplaces; i++)
    {
      const MlPlace *pl = &world->places[world->workplaces[i]];

      CU_ASSERT_EQUAL (pl->owner, i);
      CU_ASSERT_TRUE (pl->kind == ML_PLACE_WORK || pl->kind == ML_PLACE_SCHOOL);
      CU_ASSERT_TRUE (pl->kind == ML_PLACE_WORK || pl->wifi == ML_WIFI_CORPORATE);
      CU_ASSERT_TRUE (pl->wifi == ML_WIFI_CORPORATE || pl->wifi == ML_WIFI_NONE);
      CU_ASSERT_TRUE (world->districts[pl->district].home_weight > 0.0);
    }
}

static void
test_firm_sizes_are_heavy_tailed_and_every_firm_has_staff (void)
{
  g_autofree guint32 *staff = g_new0 (guint32, world->n_workplaces);
  g_autofree guint32 *sizes = g_new (guint32, world->n_workplaces);
  guint32 n = 0;

  for (guint32 p = 0; p < world->n_people; p++)
    if (world->people[p].role == ML_ROLE_WORKER)
      staff[world->places[world->people[p].work_place].owner]++;
  for (guint32 i = 0; i < world->n_workplaces; i++)
    if (world->places[world->workplaces[i]].kind == ML_PLACE_WORK)
      {
        CU_ASSERT_TRUE (staff[i] >= 1);
        sizes[n++] = staff[i];
      }
  qsort (sizes, n, sizeof *sizes, cmp_u32);
  CU_ASSERT_TRUE (n > 50);
  CU_ASSERT_TRUE (sizes[n - 1] >= 20 * sizes[n / 2]);
  CU_ASSERT_TRUE (sizes[n - 1] <= (guint32) world->sc->firm_size_max);
}

static void
test_median_commute_is_under_twenty_km (void)
{
  g_autofree double *km = g_new (double, world->n_people);
  guint32 n = 0;

  for (guint32 p = 0; p < world->n_people; p++)
    if (world->people[p].role == ML_ROLE_WORKER)
      {
        const MlPlace *home = &world->places[world->households[world->people[p].household].home_place];
        const MlPlace *job = &world->places[world->people[p].work_place];

        km[n++] = ml_geo_haversine_km (home->lat, home->lon, job->lat, job->lon);
      }
  qsort (km, n, sizeof *km, cmp_double);
  CU_ASSERT_TRUE (km[n / 2] < 20.0);
  CU_ASSERT_TRUE (km[n / 2] > 0.1);
}

static void
test_students_go_to_a_school_in_their_city (void)
{
  for (guint32 p = 0; p < world->n_people; p++)
    if (world->people[p].role == ML_ROLE_STUDENT)
      CU_ASSERT_EQUAL (city_of_district (world, world->places[world->people[p].work_place].district),
                       ml_population_city_of (world, p));
}

/* ---- services and cast ---------------------------------------------------- */

static void
test_every_category_has_a_service_of_that_category (void)
{
  guint32 listed = 0;

  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      CU_ASSERT_TRUE (world->n_services_by_cat[c] >= 1);
      for (guint32 k = 0; k < world->n_services_by_cat[c]; k++)
        {
          guint32 s = world->services_by_cat[c][k];

          CU_ASSERT_FATAL (s < world->n_services);
          CU_ASSERT_EQUAL (world->services[s].category, c);
        }
      listed += world->n_services_by_cat[c];
    }
  CU_ASSERT_EQUAL (listed, world->n_services);
}

static void
test_service_premises_belong_to_their_service (void)
{
  for (guint32 s = 0; s < world->n_services; s++)
    {
      const MlService *sv = &world->services[s];

      CU_ASSERT_EQUAL (sv->devices == 0, !sv->imessage);
      CU_ASSERT_TRUE (sv->devices <= 3);
      if (sv->category == ML_CAT_HOTLINE || sv->category == ML_CAT_TIPLINE)
        {
          CU_ASSERT_EQUAL (sv->place, ML_NONE);
          continue;
        }
      CU_ASSERT_FATAL (sv->place < world->n_places);
      CU_ASSERT_EQUAL (world->places[sv->place].kind, ML_PLACE_SERVICE);
      CU_ASSERT_EQUAL (world->places[sv->place].owner, s);
      CU_ASSERT_EQUAL (world->places[sv->place].category, sv->category);
      CU_ASSERT_TRUE (world->cities[city_of_district (world, world->places[sv->place].district)].in_region);
    }
}

static void
test_cast_member_is_an_adult_worker_with_a_tipline (void)
{
  const MlCast *cast;
  const MlService *tip;
  gboolean listed = FALSE;

  CU_ASSERT_FATAL (world->n_cast == 1);
  cast = &world->cast[0];
  CU_ASSERT_STRING_EQUAL (cast->name, "alice");
  CU_ASSERT_FATAL (cast->person < world->n_people);
  CU_ASSERT_EQUAL (world->people[cast->person].cast, 1);
  CU_ASSERT_EQUAL (world->people[cast->person].role, ML_ROLE_WORKER);
  CU_ASSERT_TRUE (world->people[cast->person].age >= 18);
  CU_ASSERT_FATAL (cast->tipline < world->n_services);
  tip = &world->services[cast->tipline];
  CU_ASSERT_EQUAL (tip->category, ML_CAT_TIPLINE);
  CU_ASSERT_EQUAL (tip->owner, cast->person);
  for (guint32 k = 0; k < world->n_services_by_cat[ML_CAT_TIPLINE]; k++)
    listed |= world->services_by_cat[ML_CAT_TIPLINE][k] == cast->tipline;
  CU_ASSERT_TRUE (listed);
  for (guint32 p = 0; p < world->n_people; p++)
    CU_ASSERT_TRUE (world->people[p].cast == 0 || p == cast->person);
}

static void
test_more_cast_members_than_people_is_an_input_error (void)
{
  g_autoptr(MlScenario) sc = load_scenario (SEED, NULL);
  g_autoptr(GError) error = NULL;
  MlWorld *w = g_new0 (MlWorld, 1);

  sc->n_cast = PEOPLE + 1;      /* only the count is read before the check */
  w->sc = sc;
  CU_ASSERT_TRUE (ml_places_build (w, NULL));
  CU_ASSERT_FALSE (ml_population_build (w, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  sc->n_cast = 1;
  w->sc = NULL;
  world_free_local (w);
}

/* ---- determinism ---------------------------------------------------------- */

#define SAME_ARRAY(a, b, field, n) \
  ((a)->n == (b)->n && memcmp ((a)->field, (b)->field, (gsize) (a)->n * sizeof *(a)->field) == 0)

static void
test_same_seed_gives_an_identical_world (void)
{
  g_autoptr(GError) error = NULL;
  MlWorld *again = build_world (SEED, NULL, &error);

  CU_ASSERT_FATAL (again != NULL);
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, cities, n_cities));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, districts, n_districts));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, places, n_places));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, venue_index, n_venue_index));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, households, n_households));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, people, n_people));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, workplaces, n_workplaces));
  CU_ASSERT_TRUE (SAME_ARRAY (world, again, services, n_services));
  CU_ASSERT_EQUAL (again->cast[0].person, world->cast[0].person);
  world_free_local (again);
}

static void
test_different_seed_gives_a_different_world (void)
{
  g_autoptr(GError) error = NULL;
  MlWorld *other = build_world ("99", NULL, &error);

  CU_ASSERT_FATAL (other != NULL);
  CU_ASSERT_EQUAL (other->n_people, world->n_people);
  CU_ASSERT_FALSE (SAME_ARRAY (world, other, people, n_people));
  CU_ASSERT_FALSE (SAME_ARRAY (world, other, places, n_places));
  CU_ASSERT_FALSE (SAME_ARRAY (world, other, cities, n_cities));
  world_free_local (other);
}

static CU_TestInfo geography_tests[] = {
  { "cities follow Zipf, largest first", test_cities_follow_zipf_largest_first },
  { "distant cities are far and empty", test_distant_cities_are_far_and_empty },
  { "city names are distinct", test_city_names_are_distinct },
  { "districts tile each city with normalised Clark weights",
    test_districts_tile_each_city_with_normalised_clark_weights },
  { "district_at finds each centroid and nothing far away",
    test_district_at_finds_each_centroid_and_nothing_far_away },
  { "jittered points stay in their district", test_jittered_points_stay_in_their_district },
  { "venue lists are consistent per district", test_venue_lists_are_consistent_per_district },
  { "region venue counts follow venues_per_1000", test_region_venue_counts_follow_venues_per_1000 },
  { "venue Wi-Fi matches the share and favours cafes", test_venue_wifi_matches_the_share_and_favours_cafes },
  { "every city has hotels with public Wi-Fi", test_every_city_has_hotels_with_public_wifi },
  { "venue category names", test_venue_category_names },
  { "a region without cities is an input error", test_a_region_without_cities_is_an_input_error },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo people_tests[] = {
  { "population count is exact", test_population_count_is_exact },
  { "household sizes follow the shares", test_household_sizes_follow_the_shares },
  { "every person belongs to their household", test_every_person_belongs_to_their_household },
  { "homes lie in their city's districts", test_homes_lie_in_their_citys_districts },
  { "families group 2-4 households mostly in one city",
    test_families_group_two_to_four_households_mostly_in_one_city },
  { "role shares match the scenario", test_role_shares_match_the_scenario },
  { "children are students of 10 and over after two adults",
    test_children_are_students_of_ten_and_over_after_two_adults },
  { "iMessage share is within 3 standard errors", test_imessage_share_is_within_three_standard_errors },
  { "devices are 0 exactly without iMessage", test_devices_are_zero_exactly_without_imessage },
  { "handles are unique and follow the numbering", test_handles_are_unique_and_follow_the_numbering },
  { "habits and chronotypes are in range", test_habits_and_chronotypes_are_in_range },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo workplace_tests[] = {
  { "workers have workplaces and students schools", test_workers_have_workplaces_and_students_schools },
  { "workplace places are owned by their index", test_workplace_places_are_owned_by_their_index },
  { "firm sizes are heavy-tailed and every firm has staff",
    test_firm_sizes_are_heavy_tailed_and_every_firm_has_staff },
  { "median commute is under 20 km", test_median_commute_is_under_twenty_km },
  { "students go to a school in their city", test_students_go_to_a_school_in_their_city },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo service_tests[] = {
  { "every category has a service of that category", test_every_category_has_a_service_of_that_category },
  { "service premises belong to their service", test_service_premises_belong_to_their_service },
  { "the cast member is an adult worker with a tip line", test_cast_member_is_an_adult_worker_with_a_tipline },
  { "more cast members than people is an input error", test_more_cast_members_than_people_is_an_input_error },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo determinism_tests[] = {
  { "same seed gives an identical world", test_same_seed_gives_an_identical_world },
  { "different seed gives a different world", test_different_seed_gives_a_different_world },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "geography", .pInitFunc = suite_init, .pCleanupFunc = suite_clean, .pTests = geography_tests },
  { .pName = "households and people", .pInitFunc = suite_init, .pCleanupFunc = suite_clean,
    .pTests = people_tests },
  { .pName = "workplaces", .pInitFunc = suite_init, .pCleanupFunc = suite_clean, .pTests = workplace_tests },
  { .pName = "services and cast", .pInitFunc = suite_init, .pCleanupFunc = suite_clean, .pTests = service_tests },
  { .pName = "determinism", .pInitFunc = suite_init, .pCleanupFunc = suite_clean, .pTests = determinism_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
