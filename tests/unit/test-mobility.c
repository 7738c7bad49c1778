/* test-mobility.c -- unit tests for sim/mobility: stays that tile each day,
 * the daily rhythm, EPR statistics, trips, determinism and ml_stay_at().
 *
 * The world is a small fixture built here by hand (not by places.c and
 * population.c): two region cities on 1.5 km district grids, 47 km apart,
 * and one distant city 480 km away with two hotels; venues in every
 * district, homes, workplaces, schools and people with a chronotype.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "sim/mobility.h"
#include "tests/unit/runner.h"

#define KM_PER_DEG (ML_GEO_EARTH_RADIUS_KM * G_PI / 180.0)
#define SIDE_KM 1.5
#define N_WORKPLACES 50
#define N_SCHOOLS 6

typedef struct {
  MlScenario sc;
  MlWorld w;
  guint32 first_work;     /* workplaces are places [first_work, first_work + 50) */
  guint32 first_school;   /* schools follow */
} Fixture;

/* A city of G x G districts of SIDE_KM around (LAT, LON). */
static void
fixture_city (GArray *cities, GArray *districts, const char *name,
              double lat, double lon, int g, gboolean in_region)
{
  MlCity c = { .lat = lat, .lon = lon, .in_region = in_region, .residents = 0 };
  int half = g / 2;

  g_strlcpy (c.name, name, sizeof c.name);
  c.first_district = districts->len;
  c.n_districts = (guint32) (g * g);
  for (int i = 0; i < g; i++)
    for (int j = 0; j < g; j++)
      {
        MlDistrict d = { .city = cities->len };
        d.lat = lat + (i - half) * SIDE_KM / KM_PER_DEG;
        d.lon = lon + (j - half) * SIDE_KM / (KM_PER_DEG * cos (lat * G_PI / 180.0));
        d.home_weight = exp (-hypot (i - half, j - half) * SIDE_KM / 4.0);
        g_array_append_val (districts, d);
      }
  g_array_append_val (cities, c);
}

/* A place of KIND in DISTRICT, jittered inside the cell. */
static guint32
fixture_place (MlWorld *w, GArray *places, guint32 district, MlPlaceKind kind, MlRng *rng)
{
  const MlDistrict *d = &w->districts[district];
  MlPlace p = { .district = district, .owner = ML_NONE, .kind = kind };

  p.lat = d->lat + ml_rng_range (rng, -0.5, 0.5) * SIDE_KM / KM_PER_DEG;
  p.lon = d->lon + ml_rng_range (rng, -0.5, 0.5) * SIDE_KM / (KM_PER_DEG * cos (d->lat * G_PI / 180.0));
  p.attractiveness = (float) ml_rng_lognormal (rng, 0.0, 1.0);
  g_array_append_val (places, p);
  return places->len - 1;
}

/* A district of city C drawn by home_weight (rejection). */
static guint32
fixture_district (const MlWorld *w, guint32 c, MlRng *rng)
{
  const MlCity *city = &w->cities[c];

  for (;;)
    {
      guint32 d = city->first_district + (guint32) ml_rng_below (rng, city->n_districts);
      if (ml_rng_uniform (rng) < w->districts[d].home_weight)
        return d;
    }
}

/* Venues in every district (venue_index[i] == i), two hotels in the
 * distant city, then 50 workplaces and 6 schools. */
static void
fixture_venues (Fixture *f, GArray *places, MlRng *rng)
{
  MlWorld *w = &f->w;

  for (guint32 d = 0; d < w->n_districts; d++)
    {
      guint32 n = w->cities[w->districts[d].city].in_region ? 4 : 3;
      w->districts[d].first_venue = places->len;
      w->districts[d].n_venues = n;
      for (guint32 k = 0; k < n; k++)
        fixture_place (w, places, d, ML_PLACE_VENUE, rng);
    }
  w->n_venue_index = places->len;
  w->venue_index = g_new (guint32, places->len);
  for (guint32 i = 0; i < places->len; i++)
    w->venue_index[i] = i;
  for (int h = 0; h < 2; h++)
    fixture_place (w, places, w->cities[2].first_district + 4, ML_PLACE_HOTEL, rng);
  f->first_work = places->len;
  for (int k = 0; k < N_WORKPLACES; k++)
    fixture_place (w, places, fixture_district (w, k < 40 ? 0 : 1, rng), ML_PLACE_WORK, rng);
  f->first_school = places->len;
  for (int k = 0; k < N_SCHOOLS; k++)
    fixture_place (w, places, fixture_district (w, k < 5 ? 0 : 1, rng), ML_PLACE_SCHOOL, rng);
}

/* A person of HOUSEHOLD: chronotype, role and workplace or school. */
static void
fixture_person (Fixture *f, MlPerson *pe, guint32 household, MlRng *rng)
{
  double u = ml_rng_uniform (rng);

  pe->household = household;
  pe->wake_h = (float) CLAMP (ml_rng_normal (rng, 7.0, 0.75), 5.0, 10.0);
  pe->sleep_h = (float) CLAMP (ml_rng_normal (rng, 23.0, 0.75), 21.0, 25.5);
  pe->role = u < 0.5 ? ML_ROLE_WORKER : u < 0.7 ? ML_ROLE_STUDENT : ML_ROLE_HOME;
  pe->work_place = ML_NONE;
  if (pe->role == ML_ROLE_WORKER)
    pe->work_place = f->first_work + (guint32) ml_rng_below (rng, N_WORKPLACES);
  else if (pe->role == ML_ROLE_STUDENT)
    pe->work_place = f->first_school + (guint32) ml_rng_below (rng, N_SCHOOLS);
}

/* Households of 1-4 people with homes in the region cities (80 % in the
 * big one), until N_PEOPLE people exist. */
static void
fixture_people (Fixture *f, GArray *places, guint32 n_people, MlRng *rng)
{
  MlWorld *w = &f->w;
  GArray *hh = g_array_new (FALSE, TRUE, sizeof (MlHousehold));

  w->people = g_new0 (MlPerson, n_people);
  w->n_people = n_people;
  for (guint32 p = 0; p < n_people;)
    {
      MlHousehold h = { .first_member = p };
      guint32 c = ml_rng_uniform (rng) < 0.8 ? 0 : 1;

      h.home_place = fixture_place (w, places, fixture_district (w, c, rng), ML_PLACE_HOME, rng);
      h.size = (guint8) MIN (1 + ml_rng_below (rng, 4), n_people - p);
      for (guint32 k = 0; k < h.size; k++, p++)
        fixture_person (f, &w->people[p], hh->len, rng);
      g_array_append_val (hh, h);
    }
  w->n_households = hh->len;
  w->households = (MlHousehold *) g_array_free (hh, FALSE);
}

static void
fixture_scenario (MlScenario *sc)
{
  sc->seed = 20260105;
  sc->start = ml_day_from_ymd (2026, 1, 5);   /* a Monday */
  sc->days = 120;
  sc->district_km = SIDE_KM;
  sc->epr_rho = 0.6;
  sc->epr_gamma = 0.21;
  sc->wait_beta = 0.8;
  sc->wait_tau_h = 17.0;
  sc->jump_r0_km = 1.5;
  sc->jump_beta = 1.75;
  sc->trips_per_year = 4.0;
  sc->trip_rate_shape = 0.5;
  sc->trip_days_mean = 3.0;
}

static Fixture *
fixture_new (guint32 n_people)
{
  Fixture *f = g_new0 (Fixture, 1);
  GArray *cities = g_array_new (FALSE, TRUE, sizeof (MlCity));
  GArray *districts = g_array_new (FALSE, TRUE, sizeof (MlDistrict));
  GArray *places = g_array_new (FALSE, TRUE, sizeof (MlPlace));
  MlRng rng;

  fixture_scenario (&f->sc);
  f->w.sc = &f->sc;
  ml_rng_init (&rng, 7, 1, 2, 3);
  fixture_city (cities, districts, "Alder Falls", 45.0, 5.0, 13, TRUE);
  fixture_city (cities, districts, "Birchwood", 45.0, 5.6, 5, TRUE);
  fixture_city (cities, districts, "Farport", 48.8, 2.3, 3, FALSE);
  f->w.n_cities = cities->len;
  f->w.cities = (MlCity *) g_array_free (cities, FALSE);
  f->w.n_districts = districts->len;
  f->w.districts = (MlDistrict *) g_array_free (districts, FALSE);
  fixture_venues (f, places, &rng);
  fixture_people (f, places, n_people, &rng);
  f->w.n_places = places->len;
  f->w.places = (MlPlace *) g_array_free (places, FALSE);
  return f;
}

static void
fixture_free (Fixture *f)
{
  g_free (f->w.cities);
  g_free (f->w.districts);
  g_free (f->w.places);
  g_free (f->w.venue_index);
  g_free (f->w.households);
  g_free (f->w.people);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

static guint32
home_of (const Fixture *f, guint32 p)
{
  return f->w.households[f->w.people[p].household].home_place;
}

static MlTime
at_hour (MlDay day, double h)
{
  return ml_day_start (day) + (MlTime) (h * 3600.0);
}

/* The stays of PERSON for days [START, START + N), one GArray per day. */
static GPtrArray *
run_person (MlMobility *m, const Fixture *f, guint32 person, MlDay start, int n)
{
  GPtrArray *days = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (int k = 0; k < n; k++)
    {
      GArray *stays = g_array_new (FALSE, FALSE, sizeof (MlStay));
      ml_mobility_day (m, &f->w, person, start + k, stays);
      g_ptr_array_add (days, stays);
    }
  return days;
}

static const MlStay *
stay_at (GArray *stays, MlTime t)
{
  return ml_stay_at ((const MlStay *) stays->data, stays->len, t);
}

/* ---------------------------------------------------------------- tiling */

/* The number of invariant violations in one day's stays. */
static int
tiling_errors (const Fixture *f, GArray *stays, MlDay day)
{
  const MlStay *s = (const MlStay *) stays->data;
  int bad = 0;

  if (stays->len == 0)
    return 1;
  bad += s[0].start != ml_day_start (day);
  bad += s[stays->len - 1].end != ml_day_start (day + 1);
  for (guint i = 0; i < stays->len; i++)
    {
      bad += s[i].end <= s[i].start;
      bad += s[i].city >= f->w.n_cities;
      bad += s[i].place != ML_NONE && s[i].place >= f->w.n_places;
      if (s[i].place != ML_NONE && s[i].place < f->w.n_places)
        bad += f->w.districts[f->w.places[s[i].place].district].city != s[i].city;
      if (i > 0)
        bad += s[i].start != s[i - 1].end
               || (s[i].place == s[i - 1].place && s[i].city == s[i - 1].city);
    }
  return bad;
}

static void
test_stays_tile_every_day_without_gaps_or_overlaps (void)
{
  g_autoptr(Fixture) f = fixture_new (2000);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(GArray) stays = g_array_new (FALSE, FALSE, sizeof (MlStay));
  int bad = 0, transit = 0, n = 0;

  for (MlDay day = f->sc.start; day < f->sc.start + 28; day++)
    for (guint32 p = 0; p < 600; p++)
      {
        g_array_set_size (stays, 0);
        ml_mobility_day (m, &f->w, p, day, stays);
        bad += tiling_errors (f, stays, day);
        for (guint i = 0; i < stays->len; i++, n++)
          transit += g_array_index (stays, MlStay, i).place == ML_NONE;
      }
  CU_ASSERT_EQUAL (bad, 0);
  CU_ASSERT (transit > 0);              /* moves over 2 km pass through ML_NONE */
  CU_ASSERT (transit < n / 2);
}

static void
test_stays_are_appended_after_existing_elements (void)
{
  g_autoptr(Fixture) f = fixture_new (50);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(GArray) stays = g_array_new (FALSE, FALSE, sizeof (MlStay));
  guint first;

  ml_mobility_day (m, &f->w, 3, f->sc.start, stays);
  first = stays->len;
  ml_mobility_day (m, &f->w, 3, f->sc.start + 1, stays);
  CU_ASSERT (first > 0);
  CU_ASSERT (stays->len > first);
  CU_ASSERT_EQUAL (g_array_index (stays, MlStay, first - 1).end, ml_day_start (f->sc.start + 1));
  CU_ASSERT_EQUAL (g_array_index (stays, MlStay, first).start, ml_day_start (f->sc.start + 1));
}

/* ---------------------------------------------------------------- rhythm */

static void
test_people_sleep_at_home (void)
{
  g_autoptr(Fixture) f = fixture_new (800);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  int morning = 0, morning_home = 0, evening = 0, evening_home = 0;

  for (guint32 p = 0; p < 800; p++)
    {
      const MlPerson *pe = &f->w.people[p];
      g_autoptr(GPtrArray) days = run_person (m, f, p, f->sc.start, 21);

      for (int k = 0; k < 21; k++)
        {
          MlDay day = f->sc.start + k;
          GArray *st = g_ptr_array_index (days, k);
          if (ml_mobility_on_trip (m, &f->w, p, day))
            continue;
          morning++;
          morning_home += stay_at (st, at_hour (day, pe->wake_h - 1.5))->place == home_of (f, p);
          if (pe->sleep_h + 1.0 < 24.0 && !ml_is_weekend (day))
            {
              evening++;
              evening_home += stay_at (st, at_hour (day, pe->sleep_h + 1.0))->place == home_of (f, p);
            }
        }
    }
  CU_ASSERT (morning > 10000);
  CU_ASSERT_EQUAL (morning_home, morning);
  CU_ASSERT (evening > 5000);
  CU_ASSERT (evening_home >= 0.97 * evening);
}

/* Share of (ROLE, weekday or weekend) person-days, off trips, at the
 * workplace or school at 11:00. */
static double
duty_share_at_eleven (MlMobility *m, const Fixture *f, MlRole role, gboolean weekend)
{
  int n = 0, at = 0;

  for (guint32 p = 0; p < 600; p++)
    {
      const MlPerson *pe = &f->w.people[p];
      g_autoptr(GPtrArray) days = NULL;

      if (pe->role != role)
        continue;
      days = run_person (m, f, p, f->sc.start, 28);
      for (int k = 0; k < 28; k++)
        {
          MlDay day = f->sc.start + k;
          if (ml_is_weekend (day) != weekend || ml_mobility_on_trip (m, &f->w, p, day))
            continue;
          n++;
          at += stay_at (g_ptr_array_index (days, k), at_hour (day, 11.0))->place == pe->work_place;
        }
    }
  g_assert (n > 0);
  return (double) at / n;
}

static void
test_workers_are_at_work_at_eleven_on_weekdays_only (void)
{
  g_autoptr(Fixture) f = fixture_new (600);
  g_autoptr(MlMobility) m1 = ml_mobility_new (&f->w);
  g_autoptr(MlMobility) m2 = ml_mobility_new (&f->w);
  double weekday = duty_share_at_eleven (m1, f, ML_ROLE_WORKER, FALSE);
  double weekend = duty_share_at_eleven (m2, f, ML_ROLE_WORKER, TRUE);

  CU_ASSERT (weekday >= 0.85);
  CU_ASSERT (weekday <= 0.97);          /* 5 % days off, some late starts */
  CU_ASSERT_EQUAL (weekend, 0.0);
}

static void
test_students_are_at_school_at_eleven_on_weekdays_only (void)
{
  g_autoptr(Fixture) f = fixture_new (600);
  g_autoptr(MlMobility) m1 = ml_mobility_new (&f->w);
  g_autoptr(MlMobility) m2 = ml_mobility_new (&f->w);
  double weekday = duty_share_at_eleven (m1, f, ML_ROLE_STUDENT, FALSE);
  double weekend = duty_share_at_eleven (m2, f, ML_ROLE_STUDENT, TRUE);

  CU_ASSERT (weekday >= 0.9);
  CU_ASSERT (weekday <= 0.99);
  CU_ASSERT_EQUAL (weekend, 0.0);
}

/* ------------------------------------------------------------------- EPR */

/* Least-squares slope of log y on log x. */
static double
loglog_slope (const double *x, const double *y, int n)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;

  for (int i = 0; i < n; i++)
    {
      double lx = log (x[i]), ly = log (y[i]);
      sx += lx;
      sy += ly;
      sxx += lx * lx;
      sxy += lx * ly;
    }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static void
test_distinct_places_grow_sublinearly_as_in_epr (void)
{
  enum { PEOPLE = 300, DAYS = 120 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(GArray) stays = g_array_new (FALSE, FALSE, sizeof (MlStay));
  double t[DAYS], s[DAYS] = { 0 }, slope;

  CU_ASSERT_EQUAL (ml_mobility_distinct_places (m, 0), 0);
  for (int k = 0; k < DAYS; k++)
    {
      for (guint32 p = 0; p < PEOPLE; p++)
        {
          g_array_set_size (stays, 0);
          ml_mobility_day (m, &f->w, p, f->sc.start + k, stays);
          s[k] += ml_mobility_distinct_places (m, p);
        }
      t[k] = k + 1;
      s[k] /= PEOPLE;
    }
  slope = loglog_slope (t, s, DAYS);
  g_test_message ("S(t) ~ t^%.3f; S(1) = %.1f, S(120) = %.1f", slope, s[0], s[DAYS - 1]);
  if (g_getenv ("ML_TEST_VERBOSE"))
    g_printerr ("S(t) ~ t^%.3f; S(1) = %.1f, S(30) = %.1f, S(120) = %.1f\n",
                slope, s[0], s[29], s[DAYS - 1]);
  CU_ASSERT (slope >= 0.4 && slope <= 0.8);   /* Song et al. 2010: 0.6 */
  CU_ASSERT (s[DAYS - 1] > s[29] && s[29] > s[0]);
  CU_ASSERT (s[DAYS - 1] <= 512);
}

static int
double_desc (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x < y) - (x > y);
}

/* The share of time each place holds in PERSON's days, sorted decreasing
 * into SHARE[0..k); returns k.  Whether the top place is home goes to
 * *TOP_IS_HOME. */
static int
time_shares (const Fixture *f, GPtrArray *days, guint32 person, double *share, int max,
             gboolean *top_is_home)
{
  g_autoptr(GHashTable) secs = g_hash_table_new (NULL, NULL);
  GHashTableIter it;
  gpointer key, val;
  guint32 top = ML_NONE;
  double best = 0, total = (double) days->len * ML_SECONDS_PER_DAY;
  int k = 0;

  for (guint d = 0; d < days->len; d++)
    {
      GArray *st = g_ptr_array_index (days, d);
      for (guint i = 0; i < st->len; i++)
        {
          const MlStay *s = &g_array_index (st, MlStay, i);
          gpointer kp = GUINT_TO_POINTER (s->place + 1);   /* ML_NONE -> 0: transit */
          g_hash_table_insert (secs, kp, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (secs, kp))
                                                            + (gsize) (s->end - s->start)));
        }
    }
  g_hash_table_iter_init (&it, secs);
  while (g_hash_table_iter_next (&it, &key, &val) && k < max)
    {
      if (GPOINTER_TO_UINT (key) == 0)
        continue;
      share[k++] = GPOINTER_TO_SIZE (val) / total;
      if (GPOINTER_TO_SIZE (val) / total > best)
        {
          best = GPOINTER_TO_SIZE (val) / total;
          top = GPOINTER_TO_UINT (key) - 1;
        }
    }
  qsort (share, k, sizeof (double), double_desc);
  *top_is_home = top == home_of (f, person);
  return k;
}

static void
test_visitation_is_zipf_like_with_home_on_top (void)
{
  enum { PEOPLE = 200, DAYS = 56, RANKS = 10 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  double mean[RANKS] = { 0 }, rank[RANKS], slope;
  int home_top = 0, top40 = 0, n = 0;

  for (guint32 p = 0; p < PEOPLE; p++)
    {
      g_autoptr(GPtrArray) days = run_person (m, f, p, f->sc.start, DAYS);
      double share[1024];
      gboolean is_home;
      int k = time_shares (f, days, p, share, 1024, &is_home);

      if (k < RANKS)
        continue;
      n++;
      home_top += is_home;
      top40 += share[0] >= 0.4;
      for (int r = 0; r < RANKS; r++)
        mean[r] += share[r];
    }
  for (int r = 0; r < RANKS; r++)
    rank[r] = r + 1;
  slope = loglog_slope (rank + 2, mean + 2, RANKS - 2);   /* beyond home and work */
  if (g_getenv ("ML_TEST_VERBOSE"))
    g_printerr ("people %d, home on top %d, top >= 40%% %d, f(k) ~ k^%.2f (k = 3..%d), f1 = %.2f\n",
                n, home_top, top40, slope, RANKS, mean[0] / n);
  CU_ASSERT (n >= PEOPLE * 0.8);
  CU_ASSERT_EQUAL (home_top, n);
  CU_ASSERT_EQUAL (top40, n);
  CU_ASSERT (mean[1] > mean[2] && mean[2] > mean[RANKS - 1]);
  CU_ASSERT (slope < -0.8 && slope > -2.5);   /* Song et al. 2010: f(k) ~ k^-1.2 */
}

static void
test_jump_lengths_are_heavy_tailed (void)
{
  g_autoptr(Fixture) f = fixture_new (300);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(GArray) km = g_array_new (FALSE, FALSE, sizeof (double));
  double median, p95;

  for (guint32 p = 0; p < 300; p++)
    {
      g_autoptr(GPtrArray) days = run_person (m, f, p, f->sc.start, 28);
      for (guint d = 0; d < days->len; d++)
        {
          GArray *st = g_ptr_array_index (days, d);
          guint32 prev = ML_NONE;
          for (guint i = 0; i < st->len; i++)
            {
              guint32 pl = g_array_index (st, MlStay, i).place;
              const MlPlace *a, *b;
              if (pl == ML_NONE)
                continue;
              if (prev != ML_NONE && prev != pl)
                {
                  double x;
                  a = &f->w.places[prev];
                  b = &f->w.places[pl];
                  x = ml_geo_haversine_km (a->lat, a->lon, b->lat, b->lon);
                  g_array_append_val (km, x);
                }
              prev = pl;
            }
        }
    }
  g_array_sort (km, double_desc);
  median = g_array_index (km, double, km->len / 2);
  p95 = g_array_index (km, double, km->len / 20);
  if (g_getenv ("ML_TEST_VERBOSE"))
    g_printerr ("jumps %u: median %.2f km, p95 %.2f km\n", km->len, median, p95);
  CU_ASSERT (median >= 1.0 && median <= 8.0);
  CU_ASSERT (p95 >= 3.0 * median);
}

/* ----------------------------------------------------------------- trips */

static void
test_travellers_sleep_in_the_distant_city_on_trip_nights (void)
{
  enum { PEOPLE = 1000, DAYS = 120 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(GArray) st = g_array_new (FALSE, FALSE, sizeof (MlStay));
  int trip_days = 0, nights = 0, hotel_nights = 0, away_wrongly = 0, away_days = 0;

  for (guint32 p = 0; p < PEOPLE; p++)
    for (MlDay day = f->sc.start; day < f->sc.start + DAYS; day++)
      {
        gboolean trip = ml_mobility_on_trip (m, &f->w, p, day);
        gboolean night = trip && ml_mobility_on_trip (m, &f->w, p, day - 1);
        const MlStay *s3, *s12;

        g_array_set_size (st, 0);
        ml_mobility_day (m, &f->w, p, day, st);
        s3 = stay_at (st, at_hour (day, 3.0));
        s12 = stay_at (st, at_hour (day, 12.5));
        trip_days += trip;
        nights += night;
        hotel_nights += night && s3->place != ML_NONE && f->w.places[s3->place].kind == ML_PLACE_HOTEL
                        && s3->city == 2;
        away_wrongly += !trip && (s3->city == 2 || s12->city == 2);
        away_days += trip && s12->city == 2;
      }
  if (g_getenv ("ML_TEST_VERBOSE"))
    g_printerr ("trip days %d (%.2f per person), nights %d, at noon away %d\n",
                trip_days, (double) trip_days / PEOPLE, nights, away_days);
  /* 4 trips a year of 3 days: about 3.9 trip days per person in 120 days */
  CU_ASSERT (trip_days > 2.5 * PEOPLE && trip_days < 5.0 * PEOPLE);
  CU_ASSERT (nights > PEOPLE);
  CU_ASSERT_EQUAL (hotel_nights, nights);
  CU_ASSERT_EQUAL (away_wrongly, 0);
  CU_ASSERT (away_days >= 0.9 * trip_days);
}

static void
test_no_trips_before_the_run_or_without_distant_cities (void)
{
  g_autoptr(Fixture) f = fixture_new (200);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(MlMobility) none = NULL;
  int before = 0, any = 0, without = 0;

  for (guint32 p = 0; p < 200; p++)
    for (int k = 1; k <= 60; k++)
      {
        before += ml_mobility_on_trip (m, &f->w, p, f->sc.start - k);
        any += ml_mobility_on_trip (m, &f->w, p, f->sc.start + k);
      }
  f->w.cities[2].in_region = TRUE;    /* no distant city left */
  none = ml_mobility_new (&f->w);
  for (guint32 p = 0; p < 200; p++)
    for (int k = 0; k < 60; k++)
      without += ml_mobility_on_trip (none, &f->w, p, f->sc.start + k);
  CU_ASSERT_EQUAL (before, 0);
  CU_ASSERT (any > 0);
  CU_ASSERT_EQUAL (without, 0);
}

/* Per-person trip rates are the scenario's mean times a Gamma(1/2) factor
 * of mean 1, i.e. 4 Z^2 trips a year with Z standard normal: P(rate < 4) =
 * erf(1/sqrt 2), P(rate < 0.4) = erf(sqrt 0.05), P(rate > 16) = erfc(sqrt 2),
 * and the top tenth (|Z| > 1.6449) holds 2 (1.6449 phi(1.6449) + 0.05) =
 * 43.9 % of all trips. */
static void
test_trip_rates_are_gamma_around_the_scenario_mean (void)
{
  enum { PEOPLE = 20000 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  g_autofree double *rate = g_new (double, PEOPLE);
  double sum = 0.0, top = 0.0, n = PEOPLE;
  int below_mean = 0, rare = 0, frequent = 0;

  for (guint32 p = 0; p < PEOPLE; p++)
    {
      rate[p] = ml_mobility_trip_rate (&f->w, p);
      sum += rate[p];
      below_mean += rate[p] < 4.0;
      rare += rate[p] < 0.4;
      frequent += rate[p] > 16.0;
    }
  qsort (rate, PEOPLE, sizeof (double), double_desc);
  for (int k = 0; k < PEOPLE / 10; k++)
    top += rate[k];
  if (g_getenv ("ML_TEST_VERBOSE"))
    g_printerr ("trip rates: mean %.3f, below 4 %.4f, below 0.4 %.4f, above 16 %.4f, top tenth %.3f\n",
                sum / n, below_mean / n, rare / n, frequent / n, top / sum);
  CU_ASSERT (fabs (sum / n - 4.0) <= 5.0 * sqrt (32.0 / n));            /* variance 4^2 / (1/2) */
  CU_ASSERT (fabs (below_mean / n - 0.682689) <= 5.0 * sqrt (0.2167 / n));
  CU_ASSERT (fabs (rare / n - 0.248170) <= 5.0 * sqrt (0.1866 / n));
  CU_ASSERT (fabs (frequent / n - 0.045500) <= 5.0 * sqrt (0.043430 / n));
  CU_ASSERT (fabs (top / sum - 0.4393) <= 0.03);
}

/* The first trip starts after an Exp(rate) gap, so the share of people
 * with no trip day in T = 120 days is E[exp(-rate T)] = (1 + 4 T / k)^-k
 * (T in years): 0.525 with k = 1/2, against exp(-4 T) = 0.269 when
 * everyone travels at the mean rate. */
static void
test_share_of_people_without_a_trip_is_negative_binomial (void)
{
  enum { PEOPLE = 4000, DAYS = 120 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  const double T = DAYS / 365.25, shapes[] = { 0.5, 0.0 };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      g_autoptr(MlMobility) m = NULL;
      double expect = shapes[s] > 0.0 ? pow (1.0 + 4.0 * T / shapes[s], -shapes[s]) : exp (-4.0 * T);
      double got;
      int without = 0;

      f->sc.trip_rate_shape = shapes[s];
      m = ml_mobility_new (&f->w);
      for (guint32 p = 0; p < PEOPLE; p++)
        {
          gboolean any = FALSE;
          for (MlDay day = f->sc.start; day < f->sc.start + DAYS && !any; day++)
            any = ml_mobility_on_trip (m, &f->w, p, day);
          without += !any;
        }
      got = (double) without / PEOPLE;
      if (g_getenv ("ML_TEST_VERBOSE"))
        g_printerr ("shape %.1f: no trip in %d days %.4f (expected %.4f)\n", shapes[s], DAYS, got, expect);
      ML_ASSERT_CLOSE (ml_mobility_no_trip_probability (m, &f->w, DAYS), expect, 1e-12);
      CU_ASSERT (fabs (got - expect) <= 5.0 * sqrt (expect * (1.0 - expect) / PEOPLE));
    }
}

/* A person's rate comes from their own stream: the same on every call and
 * in every model of the same scenario, different between people and
 * seeds, and the scenario's mean for everyone when the shape is 0. */
static void
test_trip_rate_is_a_pure_function_of_seed_and_person (void)
{
  enum { PEOPLE = 200 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  double first[PEOPLE];
  int same = 0, distinct = 0, reseeded = 0, flat = 0;

  for (guint32 p = 0; p < PEOPLE; p++)
    first[p] = ml_mobility_trip_rate (&f->w, p);
  for (guint32 p = 0; p < PEOPLE; p++)
    {
      same += ml_mobility_trip_rate (&f->w, p) == first[p];
      distinct += p > 0 && first[p] != first[p - 1];
    }
  f->sc.seed++;
  for (guint32 p = 0; p < PEOPLE; p++)
    reseeded += ml_mobility_trip_rate (&f->w, p) != first[p];
  f->sc.trip_rate_shape = 0.0;
  for (guint32 p = 0; p < PEOPLE; p++)
    flat += ml_mobility_trip_rate (&f->w, p) == 4.0;
  CU_ASSERT_EQUAL (same, PEOPLE);
  CU_ASSERT_EQUAL (distinct, PEOPLE - 1);
  CU_ASSERT_EQUAL (reseeded, PEOPLE);
  CU_ASSERT_EQUAL (flat, PEOPLE);
}

/* ----------------------------------------------------------- determinism */

typedef struct {
  MlMobility *m;
  const Fixture *f;
  guint32 from, to;       /* people [from, to) */
  int days;
  GPtrArray **out;        /* per person: its days */
} Job;

static gpointer
job_run (gpointer data)
{
  Job *j = data;

  for (guint32 p = j->from; p < j->to; p++)
    j->out[p] = run_person (j->m, j->f, p, j->f->sc.start, j->days);
  return NULL;
}

/* Whether person P has identical stays in A and B. */
static gboolean
same_stays (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint d = 0; d < a->len; d++)
    {
      GArray *x = g_ptr_array_index (a, d), *y = g_ptr_array_index (b, d);
      if (x->len != y->len || memcmp (x->data, y->data, x->len * sizeof (MlStay)) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_stays_do_not_depend_on_order_or_threads (void)
{
  enum { PEOPLE = 120, DAYS = 14 };
  g_autoptr(Fixture) f = fixture_new (PEOPLE);
  g_autoptr(MlMobility) m1 = ml_mobility_new (&f->w);
  g_autoptr(MlMobility) m2 = ml_mobility_new (&f->w);
  g_autoptr(MlMobility) m3 = ml_mobility_new (&f->w);
  GPtrArray *seq[PEOPLE], *rev[PEOPLE], *par[PEOPLE];
  Job whole = { m1, f, 0, PEOPLE, DAYS, seq };
  Job lo = { m3, f, 0, PEOPLE / 2, DAYS, par }, hi = { m3, f, PEOPLE / 2, PEOPLE, DAYS, par };
  GThread *t1, *t2;
  int differ = 0, diverse = 0;

  job_run (&whole);
  for (guint32 p = PEOPLE; p-- > 0;)
    rev[p] = run_person (m2, f, p, f->sc.start, DAYS);
  t1 = g_thread_new ("lo", job_run, &lo);
  t2 = g_thread_new ("hi", job_run, &hi);
  g_thread_join (t1);
  g_thread_join (t2);
  for (guint32 p = 0; p < PEOPLE; p++)
    {
      differ += !same_stays (seq[p], rev[p]) + !same_stays (seq[p], par[p]);
      diverse += p > 0 && !same_stays (seq[p], seq[p - 1]);
      CU_ASSERT_EQUAL (ml_mobility_distinct_places (m1, p), ml_mobility_distinct_places (m3, p));
    }
  CU_ASSERT_EQUAL (differ, 0);
  CU_ASSERT_EQUAL (diverse, PEOPLE - 1);   /* the comparison can fail */
  for (guint32 p = 0; p < PEOPLE; p++)
    {
      g_ptr_array_unref (seq[p]);
      g_ptr_array_unref (rev[p]);
      g_ptr_array_unref (par[p]);
    }
}

/* -------------------------------------------------------------- memory */

static void
test_memory_is_capped_when_everyone_explores (void)
{
  g_autoptr(Fixture) f = fixture_new (20);
  g_autoptr(MlMobility) m = NULL;
  g_autoptr(GArray) stays = g_array_new (FALSE, FALSE, sizeof (MlStay));
  guint32 home = 0;

  f->sc.epr_rho = 1.0;     /* always explore */
  f->sc.epr_gamma = 0.0;
  f->sc.jump_r0_km = 20.0; /* wide jumps reach many districts */
  m = ml_mobility_new (&f->w);
  for (int k = 0; k < 400; k++)
    {
      g_array_set_size (stays, 0);
      ml_mobility_day (m, &f->w, 2, f->sc.start + k, stays);
      for (guint i = 0; i < stays->len; i++)
        home += g_array_index (stays, MlStay, i).place == home_of (f, 2);
    }
  CU_ASSERT_EQUAL (ml_mobility_distinct_places (m, 2), 512);
  CU_ASSERT (home >= 400);   /* home is never forgotten: it anchors every night */
}

/* ------------------------------------------------------------- stay_at */

static void
test_stay_at_is_start_inclusive_and_end_exclusive (void)
{
  static const MlStay s[] = {
    { 100, 110, 1, 0 }, { 110, 200, ML_NONE, 0 }, { 200, 201, 2, 0 }, { 201, 300, 3, 0 },
  };

  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 100), &s[0]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 109), &s[0]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 110), &s[1]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 199), &s[1]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 200), &s[2]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 201), &s[3]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 4, 299), &s[3]);
  CU_ASSERT_PTR_EQUAL (ml_stay_at (s, 1, 105), &s[0]);
}

static void
test_stay_at_finds_every_generated_stay (void)
{
  g_autoptr(Fixture) f = fixture_new (100);
  g_autoptr(MlMobility) m = ml_mobility_new (&f->w);
  g_autoptr(GArray) st = g_array_new (FALSE, FALSE, sizeof (MlStay));
  int wrong = 0;

  for (guint32 p = 0; p < 100; p++)
    {
      g_array_set_size (st, 0);
      ml_mobility_day (m, &f->w, p, f->sc.start + 5, st);
      for (guint i = 0; i < st->len; i++)
        {
          const MlStay *s = &g_array_index (st, MlStay, i);
          wrong += stay_at (st, s->start) != s;
          wrong += stay_at (st, s->end - 1) != s;
        }
    }
  CU_ASSERT_EQUAL (wrong, 0);
}

static CU_TestInfo tiling_tests[] = {
  { "stays tile every day without gaps or overlaps", test_stays_tile_every_day_without_gaps_or_overlaps },
  { "stays are appended after existing elements", test_stays_are_appended_after_existing_elements },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo rhythm_tests[] = {
  { "people sleep at home", test_people_sleep_at_home },
  { "workers are at work at eleven on weekdays only", test_workers_are_at_work_at_eleven_on_weekdays_only },
  { "students are at school at eleven on weekdays only",
    test_students_are_at_school_at_eleven_on_weekdays_only },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo epr_tests[] = {
  { "distinct places grow sublinearly as in EPR", test_distinct_places_grow_sublinearly_as_in_epr },
  { "visitation is Zipf-like with home on top", test_visitation_is_zipf_like_with_home_on_top },
  { "jump lengths are heavy-tailed", test_jump_lengths_are_heavy_tailed },
  { "memory is capped when everyone explores", test_memory_is_capped_when_everyone_explores },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo trip_tests[] = {
  { "travellers sleep in the distant city on trip nights",
    test_travellers_sleep_in_the_distant_city_on_trip_nights },
  { "no trips before the run or without distant cities",
    test_no_trips_before_the_run_or_without_distant_cities },
  { "trip rates are gamma around the scenario mean", test_trip_rates_are_gamma_around_the_scenario_mean },
  { "share of people without a trip is negative binomial",
    test_share_of_people_without_a_trip_is_negative_binomial },
  { "trip rate is a pure function of seed and person", test_trip_rate_is_a_pure_function_of_seed_and_person },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo determinism_tests[] = {
  { "stays do not depend on order or threads", test_stays_do_not_depend_on_order_or_threads },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo stay_at_tests[] = {
  { "stay_at is start-inclusive and end-exclusive", test_stay_at_is_start_inclusive_and_end_exclusive },
  { "stay_at finds every generated stay", test_stay_at_finds_every_generated_stay },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "tiling", .pTests = tiling_tests },
  { .pName = "rhythm", .pTests = rhythm_tests },
  { .pName = "epr", .pTests = epr_tests },
  { .pName = "trips", .pTests = trip_tests },
  { .pName = "determinism", .pTests = determinism_tests },
  { .pName = "stay_at", .pTests = stay_at_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
