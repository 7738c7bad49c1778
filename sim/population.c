/* population.c -- households, people, workplaces, schools, services and
 * the cast.
 *
 * The models (sources and assumptions in docs/model/population.md):
 *  - households: sizes from household_size_shares, filled city by city so
 *    that each city holds exactly its Zipf share (the last household of a
 *    city, and of the run, is truncated); homes in districts drawn by the
 *    Clark density; extended families of 2-4 households, mostly
 *    neighbours in the city's household order (so in the same city);
 *  - people: the first two members of a household are adults, later ones
 *    children (phone users aged 10-17) with a probability chosen so that
 *    children never outnumber students; roles then fill worker_share and
 *    student_share among adults; iMessage, devices, carrier, activity,
 *    Wi-Fi habit and chronotype per person;
 *  - workplaces: sizes from Axtell's (2001) power law, allocated to cities
 *    in proportion to their unfilled resident workers (largest first), in
 *    districts by a job density twice as steep as homes; workers take
 *    open jobs by a capacity-constrained gravity rule with exponential
 *    deterrence (Wilson 1967): destination city first, then job district
 *    in proportion to open jobs x exp(-d / 15 km), drawn exactly from a
 *    Fenwick tree per batch of workers living in one cell;
 *  - schools of school_size in each city, each student at the school
 *    nearest their home district;
 *  - services: per category, handles numbered after the people, premises
 *    in central districts (none for hotlines and tip lines);
 *  - the cast: adult workers picked from ML_STREAM_CAST.
 *
 * Workload: once per run, single-threaded: O(people) with small constants
 * (one stream initialisation and ~20 draws a person), O(firms log firms)
 * and O(workers log districts + rounds x cells x job districts) for the
 * commute.  About 1 s of CPU for 1,000,000 people.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/geo.h"
#include "sim/handles.h"
#include "sim/places.h"
#include "sim/population.h"

#define KM_PER_DEG (G_PI * ML_GEO_EARTH_RADIUS_KM / 180.0)
#define FAMILY_AWAY_SHARE 0.10  /* assumption: households swapped out of their family run */
#define FAMILY_MIN 2            /* extended family: 2-4 households (assumption) */
#define FAMILY_MAX 4
#define MAX_CHILD_SHARE 0.75    /* household members beyond two who are children, at most */
#define CHILD_AGE_MIN 10        /* phone ownership near universal from 10-12 (Ofcom 2023) */
#define OLD_HOME_SHARE 0.6      /* assumption: stay-at-home adults who are retired (65+) */
#define DEVICES_MAX 8
#define COMMUTE_DECAY_KM 15.0   /* gravity deterrence exp(-d / 15 km): assumption, near the US mean commute of ~19 km (12 mi, NHTS 2017) */
#define COMMUTE_ROUNDS 8        /* workers placed in 8 interleaved rounds (assumption) */
#define SCHOOL_TRIES 32         /* redraws to give a school a district of its own */
#define SERVICE_DEVICES_MAX 3   /* devices of a service on iMessage: 1-3 */
#define CAST_TRIES 100000

/* Aliases and frames shared by the steps of one build. */
typedef struct {
  guint32 n_region;       /* region cities */
  MlAlias **home;         /* per region city: districts by home density */
  MlAlias **job;          /* ... by job density */
  MlAlias **venue;        /* ... by venue density */
  MlAlias *city;          /* region cities by residents (NULL if no one lives anywhere) */
  guint32 *city_people;   /* people of city c are [city_people[c], city_people[c + 1]) */
  double km_lon;          /* km per degree of longitude at the region's centre */
} Build;

static void
build_clear (Build *b)
{
  for (guint32 c = 0; c < b->n_region && b->home != NULL; c++)
    {
      ml_alias_free (b->home[c]);
      ml_alias_free (b->job[c]);
      ml_alias_free (b->venue[c]);
    }
  g_clear_pointer (&b->home, g_free);
  g_clear_pointer (&b->job, g_free);
  g_clear_pointer (&b->venue, g_free);
  g_clear_pointer (&b->city, ml_alias_free);
  g_clear_pointer (&b->city_people, g_free);
}

static gboolean
build_init (Build *b, const MlWorld *w, GError **error)
{
  g_autofree double *residents = NULL;

  memset (b, 0, sizeof *b);
  b->n_region = (guint32) w->sc->cities;
  b->home = g_new0 (MlAlias *, b->n_region);
  b->job = g_new0 (MlAlias *, b->n_region);
  b->venue = g_new0 (MlAlias *, b->n_region);
  residents = g_new (double, b->n_region);
  b->city_people = g_new (guint32, b->n_region + 1);
  b->city_people[0] = 0;
  for (guint32 c = 0; c < b->n_region; c++)
    {
      if (!(b->home[c] = ml_places_city_alias (w, c, ML_DENSITY_HOMES, error))
          || !(b->job[c] = ml_places_city_alias (w, c, ML_DENSITY_JOBS, error))
          || !(b->venue[c] = ml_places_city_alias (w, c, ML_DENSITY_VENUES, error)))
        return FALSE;
      residents[c] = w->cities[c].residents;
      b->city_people[c + 1] = b->city_people[c] + w->cities[c].residents;
    }
  g_assert (b->city_people[b->n_region] == w->sc->people);
  b->city = ml_alias_new (residents, b->n_region, error);
  b->km_lon = KM_PER_DEG * cos (w->sc->center_lat * G_PI / 180.0);
  return b->city != NULL;
}

/* Planar distance in km inside the region (equirectangular at its centre:
 * good to well under 1 % over a few hundred km, and cheap). */
static inline double
plane_km (const Build *b, double lat1, double lon1, double lat2, double lon2)
{
  double dy = (lat1 - lat2) * KM_PER_DEG, dx = (lon1 - lon2) * b->km_lon;

  return sqrt (dx * dx + dy * dy);
}

/* Append N places to w->places; returns the index of the first. */
static guint32
grow_places (MlWorld *w, guint32 n)
{
  guint32 first = w->n_places;

  w->places = g_renew (MlPlace, w->places, (gsize) first + n);
  memset (w->places + first, 0, (gsize) n * sizeof (MlPlace));
  w->n_places += n;
  return first;
}

/* Make place I a KIND place of CATEGORY owned by OWNER at a random point of
 * DISTRICT (from RNG). */
static void
set_place (MlWorld *w, guint32 i, guint32 district, guint8 kind, guint8 category,
           guint32 owner, MlRng *rng)
{
  MlPlace *pl = &w->places[i];

  ml_places_jitter (w, district, rng, &pl->lat, &pl->lon);
  pl->district = district;
  pl->owner = owner;
  pl->kind = kind;
  pl->category = category;
  pl->wifi = ML_WIFI_NONE;
  pl->attractiveness = 1.0f;
}

guint32
ml_population_city_of (const MlWorld *w, guint32 p)
{
  g_return_val_if_fail (w != NULL && p < w->n_people, ML_NONE);

  return w->districts[w->places[w->households[w->people[p].household].home_place].district].city;
}

/* ---- households --------------------------------------------------------- */

/* Draw household sizes (stream (HOUSEHOLDS, 0, 0)) city by city until
 * every city has its residents: a household never straddles two cities,
 * so the last one of each city may be truncated. */
static gboolean
draw_households (MlWorld *w, const Build *b, GError **error)
{
  const MlScenario *sc = w->sc;
  g_autoptr(MlAlias) sizes = ml_alias_new (sc->household_size_shares, ML_MAX_HOUSEHOLD_SIZE, error);
  MlRng rng;
  guint32 n = 0, c = 0;

  if (sizes == NULL)
    {
      g_prefix_error (error, "households.size_shares: ");
      return FALSE;
    }
  ml_rng_init (&rng, sc->seed, ML_STREAM_HOUSEHOLDS, 0, 0);
  w->households = g_new0 (MlHousehold, sc->people);
  for (guint32 p = 0; p < sc->people; n++)
    {
      guint32 size = 1 + (guint32) ml_alias_sample (sizes, &rng);

      while (p >= b->city_people[c + 1])
        c++;
      size = MIN (size, b->city_people[c + 1] - p);
      w->households[n].first_member = p;
      w->households[n].size = (guint8) size;
      p += size;
    }
  w->households = g_renew (MlHousehold, w->households, n);
  w->n_households = n;
  return TRUE;
}

/* Give every household a home place in a district of its city (Clark
 * density), broadband and an ISP, from stream (HOUSEHOLDS, 1, h). */
static void
place_households (MlWorld *w, const Build *b)
{
  const MlScenario *sc = w->sc;
  guint32 first = grow_places (w, w->n_households), c = 0;

  for (guint32 h = 0; h < w->n_households; h++)
    {
      MlHousehold *hh = &w->households[h];
      guint32 district;
      MlRng rng;

      while (hh->first_member >= b->city_people[c + 1])
        c++;
      ml_rng_init (&rng, sc->seed, ML_STREAM_HOUSEHOLDS, 1, h);
      district = w->cities[c].first_district + (guint32) ml_alias_sample (b->home[c], &rng);
      set_place (w, first + h, district, ML_PLACE_HOME, ML_VENUE_HOME, h, &rng);
      hh->home_place = first + h;
      hh->broadband = ml_rng_bernoulli (&rng, sc->broadband_share);
      hh->isp = (guint8) ml_rng_below (&rng, ML_POPULATION_ISPS);
      hh->bb_slot = ML_NONE;
      w->places[first + h].wifi = hh->broadband ? ML_WIFI_HOME : ML_WIFI_NONE;
    }
}

/* Extended families: the (city-ordered) household list is cut into runs
 * of 2-4 households, after a FAMILY_AWAY_SHARE of households have swapped
 * places with a random household anywhere, so most families live in one
 * city and some span cities.  Stream (HOUSEHOLDS, 2, 0). */
static void
make_families (MlWorld *w)
{
  guint32 n = w->n_households, fam = 0;
  g_autofree guint32 *order = g_new (guint32, n);
  MlRng rng;

  ml_rng_init (&rng, w->sc->seed, ML_STREAM_HOUSEHOLDS, 2, 0);
  for (guint32 h = 0; h < n; h++)
    order[h] = h;
  for (guint32 h = 0; h < n; h++)
    if (ml_rng_bernoulli (&rng, FAMILY_AWAY_SHARE))
      {
        guint32 k = (guint32) ml_rng_below (&rng, n), t = order[h];

        order[h] = order[k];
        order[k] = t;
      }
  for (guint32 i = 0; i < n; fam++)
    {
      guint32 size = FAMILY_MIN + (guint32) ml_rng_below (&rng, FAMILY_MAX - FAMILY_MIN + 1);

      for (guint32 j = 0; j < size && i < n; j++, i++)
        w->households[order[i]].family = fam;
    }
}

/* ---- people ------------------------------------------------------------- */

/* Per-run constants of the people model. */
typedef struct {
  double p_child;         /* a member beyond the first two is a child */
  double p_student;       /* an adult is a student */
  double p_worker;        /* an adult is a worker */
  MlAlias *carrier;
} PeopleKit;

/* Child and role probabilities that give sc->student_share and
 * sc->worker_share overall: children are members beyond the first two
 * (at most MAX_CHILD_SHARE of them, and never more than the students);
 * adults make up the rest of both shares. */
static void
people_kit_init (PeopleKit *kit, const MlScenario *sc)
{
  double total = 0.0, mean = 0.0, extra = 0.0, fc;

  for (int s = 1; s <= ML_MAX_HOUSEHOLD_SIZE; s++)
    {
      double share = sc->household_size_shares[s - 1];

      total += share;
      mean += share * s;
      extra += share * MAX (0, s - 2);
    }
  mean /= total;
  extra /= total;
  kit->p_child = extra > 0.0 ? MIN (MAX_CHILD_SHARE, sc->student_share * mean / extra) : 0.0;
  fc = kit->p_child * extra / mean;
  kit->p_student = CLAMP ((sc->student_share - fc) / (1.0 - fc), 0.0, 1.0);
  kit->p_worker = MIN (sc->worker_share / (1.0 - fc), 1.0 - kit->p_student);
}

/* Role and age of the member at position POS of a household.  Children
 * (10-17) are students; adult students are 18-24, workers 18-66, and
 * stay-at-home adults 65-90 (OLD_HOME_SHARE) or 18-64 (assumption:
 * uniform ages inside each band). */
static void
draw_role_age (MlPerson *pe, const PeopleKit *kit, guint32 pos, MlRng *rng)
{
  gboolean child = ml_rng_bernoulli (rng, pos >= 2 ? kit->p_child : 0.0);
  double u = ml_rng_uniform (rng);

  if (child)
    {
      pe->role = ML_ROLE_STUDENT;
      pe->age = (guint8) (CHILD_AGE_MIN + ml_rng_below (rng, 18 - CHILD_AGE_MIN));
    }
  else if (u < kit->p_student)
    {
      pe->role = ML_ROLE_STUDENT;
      pe->age = (guint8) (18 + ml_rng_below (rng, 7));
    }
  else if (u < kit->p_student + kit->p_worker)
    {
      pe->role = ML_ROLE_WORKER;
      pe->age = (guint8) (18 + ml_rng_below (rng, 49));
    }
  else
    {
      pe->role = ML_ROLE_HOME;
      pe->age = (guint8) (ml_rng_bernoulli (rng, OLD_HOME_SHARE) ? 65 + ml_rng_below (rng, 26)
                                                                 : 18 + ml_rng_below (rng, 47));
    }
}

/* A draw from a logit-normal around probability M (median M, sigma 1 on
 * the logit scale): a "Beta-ish" habit in [0, 1]. */
static double
logit_normal (MlRng *rng, double m)
{
  double z;

  if (m <= 0.0 || m >= 1.0)
    return CLAMP (m, 0.0, 1.0);
  z = ml_rng_normal (rng, log (m / (1.0 - m)), 1.0);
  return 1.0 / (1.0 + exp (-z));
}

/* Person P, member POS of household H, from stream (PEOPLE, P, 0). */
static void
make_person (MlWorld *w, const PeopleKit *kit, guint32 p, guint32 h, guint32 pos)
{
  const MlScenario *sc = w->sc;
  MlPerson *pe = &w->people[p];
  gboolean email;
  guint64 extra;
  double wake, sleep;
  MlRng rng;

  ml_rng_init (&rng, sc->seed, ML_STREAM_PEOPLE, p, 0);
  memset (pe, 0, sizeof *pe);
  pe->handle = ml_handle_number (sc->seed, p);
  pe->household = h;
  pe->work_place = ML_NONE;
  draw_role_age (pe, kit, pos, &rng);
  pe->carrier = (guint8) ml_alias_sample (kit->carrier, &rng);
  pe->imessage = ml_rng_bernoulli (&rng, sc->imessage_share);
  extra = ml_rng_poisson (&rng, sc->extra_devices_mean);
  pe->devices = pe->imessage ? (guint8) (1 + MIN (extra, DEVICES_MAX - 1)) : 0;
  email = ml_rng_bernoulli (&rng, sc->email_handle_share);
  pe->email_handle = pe->imessage && email;
  pe->activity = (float) ml_rng_lognormal (&rng, log (sc->activity_median), sc->activity_sigma);
  pe->wifi_use = (float) logit_normal (&rng, sc->wifi_use);
  wake = ml_rng_normal (&rng, 7.0, 1.0);         /* CLAMP evaluates its argument twice */
  sleep = ml_rng_normal (&rng, 23.0, 1.0);
  pe->wake_h = (float) CLAMP (wake, 4.5, 11.0);
  pe->sleep_h = (float) CLAMP (sleep, 20.0, 26.0);
}

static gboolean
make_people (MlWorld *w, GError **error)
{
  const MlScenario *sc = w->sc;
  g_autoptr(MlAlias) carrier = ml_alias_new (sc->carrier_shares, (gsize) sc->carriers, error);
  PeopleKit kit;

  if (carrier == NULL)
    {
      g_prefix_error (error, "people.carrier_shares: ");
      return FALSE;
    }
  people_kit_init (&kit, sc);
  kit.carrier = carrier;
  w->people = g_new (MlPerson, sc->people);
  w->n_people = sc->people;
  for (guint32 h = 0; h < w->n_households; h++)
    for (guint32 k = 0; k < w->households[h].size; k++)
      make_person (w, &kit, w->households[h].first_member + k, h, k);
  return TRUE;
}

/* ---- workplaces --------------------------------------------------------- */

/* A firm size with P(S >= s) proportional to s^-alpha, truncated to
 * [1, MAX] by rejection: the floor of a Pareto(1, alpha) deviate
 * (Axtell 2001, "Zipf distribution of U.S. firm sizes", Science 293:
 * alpha = 1.059). */
static guint32
draw_firm_size (MlRng *rng, double alpha, guint32 max)
{
  for (;;)
    {
      double x = pow (ml_rng_uniform_open (rng), -1.0 / alpha);

      if (x < max + 1.0)
        return (guint32) x;
    }
}

static int
size_desc_cmp (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* Firm sizes summing to WORKERS (the last one truncated), largest first.
 * Stream (WORKPLACES, 0, 0).  Writes *N. */
static guint32 *
draw_firm_sizes (const MlScenario *sc, guint32 workers, guint32 *n)
{
  guint32 cap = 1024, count = 0;
  guint32 *size = g_new (guint32, cap);
  guint64 total = 0;
  MlRng rng;

  ml_rng_init (&rng, sc->seed, ML_STREAM_WORKPLACES, 0, 0);
  while (total < workers)
    {
      guint32 s = draw_firm_size (&rng, sc->firm_size_alpha, (guint32) sc->firm_size_max);

      if (count == cap)
        size = g_renew (guint32, size, cap *= 2);
      size[count++] = (guint32) MIN (s, workers - total);
      total += size[count - 1];
    }
  qsort (size, count, sizeof *size, size_desc_cmp);
  *n = count;
  return size;
}

/* A region city drawn in proportion to WEIGHT[0 .. n) (linear scan: a few
 * dozen cities); the heaviest when every weight is 0. */
static guint32
draw_city (const double *weight, guint32 n, MlRng *rng)
{
  double total = 0.0, u;
  guint32 best = 0;

  for (guint32 c = 0; c < n; c++)
    {
      total += weight[c];
      best = weight[c] > weight[best] ? c : best;
    }
  if (!(total > 0.0))
    return best;
  u = ml_rng_uniform (rng) * total;
  for (guint32 c = 0; c < n; c++)
    if ((u -= weight[c]) < 0.0)
      return c;
  return best;
}

/* The workforce of the run, shared by the workplace steps. */
typedef struct {
  guint32 *size;          /* firm sizes, largest first */
  guint32 *city;          /* each firm's city */
  guint32 n_firms;
  guint32 n_workers;
  double *workers;        /* resident workers per region city */
  guint32 *students;      /* resident students per region city */
  guint32 *n_schools;     /* schools per region city */
  guint32 schools_total;
} Workforce;

static void
workforce_clear (Workforce *wf)
{
  g_clear_pointer (&wf->size, g_free);
  g_clear_pointer (&wf->city, g_free);
  g_clear_pointer (&wf->workers, g_free);
  g_clear_pointer (&wf->students, g_free);
  g_clear_pointer (&wf->n_schools, g_free);
}

/* Count workers and students per city, draw firm sizes, give each firm a
 * city (largest first, in proportion to the city's workers not yet
 * covered by jobs: so cities are roughly self-contained labour markets),
 * and count schools (one per school_size students, at least one). */
static void
workforce_init (Workforce *wf, const MlWorld *w, const Build *b)
{
  g_autofree double *gap = g_new (double, b->n_region);
  MlRng rng;

  memset (wf, 0, sizeof *wf);
  wf->workers = g_new0 (double, b->n_region);
  wf->students = g_new0 (guint32, b->n_region);
  wf->n_schools = g_new0 (guint32, b->n_region);
  for (guint32 c = 0; c < b->n_region; c++)
    {
      for (guint32 p = b->city_people[c]; p < b->city_people[c + 1]; p++)
        {
          wf->workers[c] += w->people[p].role == ML_ROLE_WORKER;
          wf->students[c] += w->people[p].role == ML_ROLE_STUDENT;
        }
      wf->n_workers += (guint32) wf->workers[c];
      if (wf->students[c] > 0)
        wf->n_schools[c] = MAX (1, (guint32) lround ((double) wf->students[c] / w->sc->school_size));
      wf->schools_total += wf->n_schools[c];
      gap[c] = wf->workers[c];
    }
  wf->size = draw_firm_sizes (w->sc, wf->n_workers, &wf->n_firms);
  wf->city = g_new (guint32, wf->n_firms);
  ml_rng_init (&rng, w->sc->seed, ML_STREAM_WORKPLACES, 1, 0);
  for (guint32 f = 0; f < wf->n_firms; f++)
    {
      for (guint32 c = 0; c < b->n_region; c++)
        gap[c] = MAX (gap[c], 0.0);
      wf->city[f] = draw_city (gap, b->n_region, &rng);
      gap[wf->city[f]] -= wf->size[f];
    }
}

/* Place firm F (workplace F) in a district of its city by job density,
 * with corporate Wi-Fi with probability workplace_wifi_share.  Stream
 * (WORKPLACES, 2, F). */
static void
place_firm (MlWorld *w, const Build *b, const Workforce *wf, guint32 f, guint32 place)
{
  guint32 c = wf->city[f], district;
  MlRng rng;

  ml_rng_init (&rng, w->sc->seed, ML_STREAM_WORKPLACES, 2, f);
  district = w->cities[c].first_district + (guint32) ml_alias_sample (b->job[c], &rng);
  set_place (w, place, district, ML_PLACE_WORK, ML_VENUE_OFFICE, f, &rng);
  if (ml_rng_bernoulli (&rng, w->sc->workplace_wifi_share))
    w->places[place].wifi = ML_WIFI_CORPORATE;
  w->workplaces[f] = place;
}

static inline double
deterrence (double km)
{
  return exp (-km / COMMUTE_DECAY_KM);
}

/* The home of person P. */
static inline const MlPlace *
home_of (const MlWorld *w, guint32 p)
{
  return &w->places[w->households[w->people[p].household].home_place];
}

/* The open jobs of one city, grouped by job district (a district holding
 * at least one firm): district j's open jobs are the workplace ids
 * slot[first[j] .. first[j] + left[j]).  A Fenwick tree over left[] draws
 * a job district in proportion to its open jobs in O(log n).  Deterrence
 * between district centres depends only on their grid offset, so one
 * small table (g x g floats, cache-resident) serves every pair. */
typedef struct {
  guint32 g;              /* grid side */
  guint32 n;              /* job districts */
  guint32 *district;      /* their ids, ascending */
  guint32 *first, *left;
  guint32 *fen;           /* Fenwick tree (1-based, n + 1 entries) over left[] */
  guint32 open;           /* sum of left[] */
  float *deter;           /* [|drow| * g + |dcol|]: deterrence at that offset */
} CityJobs;

static void
city_jobs_clear (CityJobs *cj)
{
  g_clear_pointer (&cj->district, g_free);
  g_clear_pointer (&cj->first, g_free);
  g_clear_pointer (&cj->left, g_free);
  g_clear_pointer (&cj->fen, g_free);
  g_clear_pointer (&cj->deter, g_free);
}

static void
fenwick_add (guint32 *fen, guint32 n, guint32 j, gint64 delta)
{
  for (guint32 i = j + 1; i <= n; i += i & -i)
    fen[i] = (guint32) (fen[i] + delta);
}

/* The job district holding open job number U (U < cj->open). */
static guint32
fenwick_find (const CityJobs *cj, guint32 u)
{
  guint32 pos = 0, step = 1;

  while (step * 2 <= cj->n)
    step *= 2;
  for (; step > 0; step /= 2)
    if (pos + step <= cj->n && cj->fen[pos + step] <= u)
      {
        pos += step;
        u -= cj->fen[pos];
      }
  return pos;
}

/* Deterrence between cells I and J (indices in the city's grid). */
static inline float
cell_deterrence (const CityJobs *cj, guint32 i, guint32 j)
{
  guint32 ri = i / cj->g, ci = i % cj->g, rj = j / cj->g, cjj = j % cj->g;
  guint32 dr = ri > rj ? ri - rj : rj - ri, dc = ci > cjj ? ci - cjj : cjj - ci;

  return cj->deter[dr * cj->g + dc];
}

/* The job market of the region: every city's open jobs (in one slot
 * array) and the city-to-city deterrence used to pick a destination city. */
typedef struct {
  guint32 n_cities;
  CityJobs *city;
  guint32 *slot;
  double *deter;          /* n x n; the diagonal is a city's mean home-job deterrence */
} Market;

static void
market_clear (Market *m)
{
  for (guint32 c = 0; c < m->n_cities && m->city != NULL; c++)
    city_jobs_clear (&m->city[c]);
  g_clear_pointer (&m->city, g_free);
  g_clear_pointer (&m->slot, g_free);
  g_clear_pointer (&m->deter, g_free);
}

/* Find city C's job districts (JOBS[d] jobs in district d), lay out their
 * segments from *NEXT in the slot array and tabulate the deterrence. */
static void
city_jobs_layout (CityJobs *cj, const MlWorld *w, guint32 c, const guint32 *jobs, guint32 *next)
{
  const MlCity *city = &w->cities[c];
  double d = w->sc->district_km;

  cj->g = (guint32) lround (sqrt ((double) city->n_districts));
  cj->district = g_new (guint32, city->n_districts);
  cj->first = g_new (guint32, city->n_districts);
  cj->left = g_new0 (guint32, city->n_districts);
  cj->deter = g_new (float, city->n_districts);
  for (guint32 i = 0; i < city->n_districts; i++)
    {
      cj->deter[i] = (float) deterrence (d * hypot (i / cj->g, i % cj->g));
      if (jobs[city->first_district + i] == 0)
        continue;
      cj->district[cj->n] = city->first_district + i;
      cj->first[cj->n] = *next;
      *next += jobs[city->first_district + i];
      cj->n++;
    }
  cj->fen = g_new0 (guint32, cj->n + 1);
}

/* City C's mean deterrence between a resident (HOMES[d] per district d)
 * and an open job: its own weight in the destination-city choice. */
static double
city_jobs_mean (const CityJobs *cj, const MlWorld *w, const Build *b, guint32 c,
                const guint32 *homes)
{
  const MlCity *city = &w->cities[c];
  double sum = 0.0, pairs = (double) cj->open * (b->city_people[c + 1] - b->city_people[c]);

  for (guint32 i = 0; i < city->n_districts; i++)
    {
      guint32 h = homes[city->first_district + i];

      for (guint32 j = 0; j < cj->n && h > 0; j++)
        sum += (double) h * cj->left[j]
               * cell_deterrence (cj, i, cj->district[j] - city->first_district);
    }
  return pairs > 0.0 ? sum / pairs : 0.0;
}

/* Where firm F's place is: its job district index in its city's market. */
static guint32
firm_job_district (const Market *m, const MlWorld *w, const Workforce *wf, guint32 f)
{
  const CityJobs *cj = &m->city[wf->city[f]];
  guint32 d = w->places[w->workplaces[f]].district, lo = 0, hi = cj->n;

  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (cj->district[mid] < d)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_assert (lo < cj->n && cj->district[lo] == d);
  return lo;
}

/* Build the job market: firms' jobs into district segments, Fenwick
 * trees, deterrence tables and the city-to-city deterrence. */
static void
market_init (Market *m, const MlWorld *w, const Build *b, const Workforce *wf)
{
  guint32 n = b->n_region, next = 0;
  g_autofree guint32 *jobs = g_new0 (guint32, w->n_districts);
  g_autofree guint32 *homes = g_new0 (guint32, w->n_districts);

  m->n_cities = n;
  m->city = g_new0 (CityJobs, n);
  m->slot = g_new (guint32, wf->n_workers);
  m->deter = g_new (double, (gsize) n * n);
  for (guint32 f = 0; f < wf->n_firms; f++)
    jobs[w->places[w->workplaces[f]].district] += wf->size[f];
  for (guint32 h = 0; h < w->n_households; h++)
    homes[w->places[w->households[h].home_place].district] += w->households[h].size;
  for (guint32 c = 0; c < n; c++)
    city_jobs_layout (&m->city[c], w, c, jobs, &next);
  for (guint32 f = 0; f < wf->n_firms; f++)
    {
      CityJobs *cj = &m->city[wf->city[f]];
      guint32 j = firm_job_district (m, w, wf, f);

      for (guint32 k = 0; k < wf->size[f]; k++)
        m->slot[cj->first[j] + cj->left[j]++] = f;
      fenwick_add (cj->fen, cj->n, j, wf->size[f]);
      cj->open += wf->size[f];
    }
  for (guint32 c = 0; c < n; c++)
    for (guint32 d = 0; d < n; d++)
      m->deter[c * n + d] = c == d ? city_jobs_mean (&m->city[c], w, b, c, homes)
        : deterrence (plane_km (b, w->cities[c].lat, w->cities[c].lon, w->cities[d].lat, w->cities[d].lon));
}

/* Take a random open job of job district J of city C.  Returns the
 * workplace. */
static guint32
take_job (Market *m, guint32 c, guint32 j, MlRng *rng)
{
  CityJobs *cj = &m->city[c];
  guint32 k = cj->first[j] + (guint32) ml_rng_below (rng, cj->left[j]), f = m->slot[k];

  m->slot[k] = m->slot[cj->first[j] + --cj->left[j]];
  fenwick_add (cj->fen, cj->n, j, -1);
  cj->open--;
  return f;
}

/* Fenwick tree of doubles (1-based, N + 1 entries) built in O(N) from
 * WEIGHT[0 .. N). */
static void
dfen_build (double *tree, const double *weight, guint32 n)
{
  tree[0] = 0.0;
  for (guint32 i = 1; i <= n; i++)
    tree[i] = weight[i - 1];
  for (guint32 i = 1; i <= n; i++)
    if (i + (i & -i) <= n)
      tree[i + (i & -i)] += tree[i];
}

static void
dfen_add (double *tree, guint32 n, guint32 j, double delta)
{
  for (guint32 i = j + 1; i <= n; i += i & -i)
    tree[i] += delta;
}

/* The index whose cumulative weight interval holds U. */
static guint32
dfen_find (const double *tree, guint32 n, double u)
{
  guint32 pos = 0, step = 1;

  while (step * 2 <= n)
    step *= 2;
  for (; step > 0; step /= 2)
    if (pos + step <= n && tree[pos + step] <= u)
      {
        pos += step;
        u -= tree[pos];
      }
  return MIN (pos, n - 1);
}

/* Scratch space for one batch of workers living in one cell. */
typedef struct {
  double *weight;         /* per job district of the home city */
  double *tree;           /* Fenwick tree over weight */
  double *city;           /* destination-city weights */
} Batch;

/* A job district of the home city drawn from the batch's tree (total
 * weight TOTAL), stepping off a district left empty by rounding. */
static guint32
draw_home_district (const CityJobs *cj, const Batch *bt, double total, MlRng *rng)
{
  guint32 j = dfen_find (bt->tree, cj->n, ml_rng_uniform (rng) * total);

  for (guint32 k = 0; cj->left[j] == 0 && k < cj->n; k++)
    j = (j + 1) % cj->n;
  return j;
}

/* Give the workers WHO[0 .. N) living in cell CELL of city HC a job each:
 * the destination city by open jobs x city deterrence, then in the home
 * city a job district by open jobs x deterrence from CELL (exact, through
 * a Fenwick tree kept up to date within the batch), in another city any
 * open job.  Capacity-constrained gravity with exponential deterrence
 * (Wilson 1967) between district centres. */
static void
place_batch (MlWorld *w, Market *m, guint32 hc, guint32 cell, const guint32 *who, guint32 n,
             Batch *bt, MlRng *rng)
{
  CityJobs *cj = &m->city[hc];
  guint32 base = w->cities[hc].first_district;
  double total = 0.0;

  for (guint32 j = 0; j < cj->n; j++)
    total += bt->weight[j] = cj->left[j] * cell_deterrence (cj, cell, cj->district[j] - base);
  dfen_build (bt->tree, bt->weight, cj->n);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 dc, j, f;

      for (guint32 c = 0; c < m->n_cities; c++)
        bt->city[c] = m->city[c].open * m->deter[hc * m->n_cities + c];
      dc = draw_city (bt->city, m->n_cities, rng);
      if (m->city[dc].open == 0)     /* every weight underflowed: any open city */
        for (dc = 0; m->city[dc].open == 0; dc++)
          ;
      if (dc != hc)
        j = fenwick_find (&m->city[dc], (guint32) ml_rng_below (rng, m->city[dc].open));
      else
        {
          double k;

          j = draw_home_district (cj, bt, total, rng);
          k = cell_deterrence (cj, cell, cj->district[j] - base);
          dfen_add (bt->tree, cj->n, j, -k);
          total -= k;
        }
      f = take_job (m, dc, j, rng);
      w->people[who[i]].work_place = w->workplaces[f];
    }
}

/* Workers grouped by home cell: region cell k (district k: the region
 * cities' districts come first) holds workers who[first[k] .. first[k+1]). */
typedef struct {
  guint32 *who;
  guint32 *first;
  guint32 n_cells;
} Residents;

static void
residents_init (Residents *r, const MlWorld *w, const Build *b, guint32 n_workers)
{
  const MlCity *last = &w->cities[b->n_region - 1];
  g_autofree guint32 *fill = NULL;

  r->n_cells = last->first_district + last->n_districts;
  r->who = g_new (guint32, n_workers);
  r->first = g_new0 (guint32, r->n_cells + 1);
  for (guint32 p = 0; p < w->n_people; p++)
    if (w->people[p].role == ML_ROLE_WORKER)
      r->first[home_of (w, p)->district + 1]++;
  for (guint32 k = 0; k < r->n_cells; k++)
    r->first[k + 1] += r->first[k];
  fill = g_memdup2 (r->first, r->n_cells * sizeof (guint32));
  for (guint32 p = 0; p < w->n_people; p++)
    if (w->people[p].role == ML_ROLE_WORKER)
      r->who[fill[home_of (w, p)->district]++] = p;
}

static void
residents_clear (Residents *r)
{
  g_clear_pointer (&r->who, g_free);
  g_clear_pointer (&r->first, g_free);
}

static void
batch_clear (Batch *bt)
{
  g_clear_pointer (&bt->weight, g_free);
  g_clear_pointer (&bt->tree, g_free);
  g_clear_pointer (&bt->city, g_free);
}

/* Assign every worker a job (stream (WORKPLACES, 3, 0)).  Workers go in
 * batches by home cell over COMMUTE_ROUNDS rounds, each round taking the
 * next 1/COMMUTE_ROUNDS of every cell's workers with the cells in a fresh
 * random order: so no cell's workers systematically pick first. */
static void
assign_workers (MlWorld *w, const Build *b, const Workforce *wf, Market *m)
{
  Residents r = { 0 };
  Batch bt = { 0 };
  g_autofree guint32 *order = NULL;
  guint32 max_n = 0;
  MlRng rng;

  residents_init (&r, w, b, wf->n_workers);
  for (guint32 c = 0; c < b->n_region; c++)
    max_n = MAX (max_n, m->city[c].n);
  bt.weight = g_new (double, max_n + 1);
  bt.tree = g_new (double, max_n + 1);
  bt.city = g_new (double, b->n_region);
  order = g_new (guint32, r.n_cells);
  ml_rng_init (&rng, w->sc->seed, ML_STREAM_WORKPLACES, 3, 0);
  for (guint32 round = 0; round < COMMUTE_ROUNDS; round++)
    {
      for (guint32 k = 0; k < r.n_cells; k++)
        order[k] = k;
      ml_rng_shuffle (&rng, order, r.n_cells, sizeof *order);
      for (guint32 i = 0; i < r.n_cells; i++)
        {
          guint32 k = order[i], n = r.first[k + 1] - r.first[k], c = w->districts[k].city;
          guint32 lo = r.first[k] + (guint32) ((guint64) n * round / COMMUTE_ROUNDS);
          guint32 hi = r.first[k] + (guint32) ((guint64) n * (round + 1) / COMMUTE_ROUNDS);

          if (hi > lo)
            place_batch (w, m, c, k - w->cities[c].first_district, r.who + lo, hi - lo, &bt, &rng);
        }
    }
  batch_clear (&bt);
  residents_clear (&r);
}

/* A district of city C for a new school, by home density, preferring one
 * without a school yet (HAS marks them; SCHOOL_TRIES redraws). */
static guint32
school_district (const MlWorld *w, const Build *b, guint32 c, gboolean *has, MlRng *rng)
{
  guint32 i = 0;

  for (int t = 0; t < SCHOOL_TRIES; t++)
    {
      i = (guint32) ml_alias_sample (b->home[c], rng);
      if (!has[i])
        break;
    }
  has[i] = TRUE;
  return w->cities[c].first_district + i;
}

/* The school nearest each district centre of city C, among the schools
 * (workplaces) [FIRST, FIRST + N).  Writes NEAREST[i] for the city's
 * district i. */
static void
nearest_schools (const MlWorld *w, const Build *b, guint32 c, guint32 first, guint32 n,
                 guint32 *nearest)
{
  const MlCity *city = &w->cities[c];

  for (guint32 i = 0; i < city->n_districts; i++)
    {
      const MlDistrict *d = &w->districts[city->first_district + i];
      double best = G_MAXDOUBLE;

      for (guint32 k = first; k < first + n; k++)
        {
          const MlPlace *pl = &w->places[w->workplaces[k]];
          double km = plane_km (b, d->lat, d->lon, pl->lat, pl->lon);

          if (km < best)
            {
              best = km;
              nearest[i] = w->workplaces[k];
            }
        }
    }
}

/* Make city C's schools (workplaces from *NEXT, places from *PLACE) at the
 * centres of distinct districts drawn by home density, with corporate
 * Wi-Fi (stream (WORKPLACES, 4, C)), and send each student of C to the
 * school nearest their home district's centre. */
static void
make_city_schools (MlWorld *w, const Build *b, const Workforce *wf, guint32 c, guint32 *next,
                   guint32 *place)
{
  const MlCity *city = &w->cities[c];
  g_autofree guint32 *nearest = g_new (guint32, city->n_districts);
  g_autofree gboolean *has = g_new0 (gboolean, city->n_districts);
  guint32 first = *next, n = wf->n_schools[c];
  MlRng rng;

  if (n == 0)
    return;
  ml_rng_init (&rng, w->sc->seed, ML_STREAM_WORKPLACES, 4, c);
  for (guint32 k = 0; k < n; k++, (*next)++, (*place)++)
    {
      guint32 district = school_district (w, b, c, has, &rng);
      MlPlace *pl = &w->places[*place];

      set_place (w, *place, district, ML_PLACE_SCHOOL, ML_VENUE_SCHOOL, *next, &rng);
      pl->lat = w->districts[district].lat;
      pl->lon = w->districts[district].lon;
      pl->wifi = ML_WIFI_CORPORATE;
      w->workplaces[*next] = *place;
    }
  nearest_schools (w, b, c, first, n, nearest);
  for (guint32 p = b->city_people[c]; p < b->city_people[c + 1]; p++)
    if (w->people[p].role == ML_ROLE_STUDENT)
      w->people[p].work_place = nearest[home_of (w, p)->district - city->first_district];
}

/* Workplaces then schools: w->workplaces [0, firms) are firms, the rest
 * schools, each with its place appended to w->places. */
static void
make_workplaces (MlWorld *w, const Build *b)
{
  Workforce wf;
  Market m = { 0 };
  guint32 place, next;

  workforce_init (&wf, w, b);
  w->n_workplaces = wf.n_firms + wf.schools_total;
  w->workplaces = g_new (guint32, w->n_workplaces);
  place = grow_places (w, w->n_workplaces);
  for (guint32 f = 0; f < wf.n_firms; f++)
    place_firm (w, b, &wf, f, place + f);
  market_init (&m, w, b, &wf);
  assign_workers (w, b, &wf, &m);
  market_clear (&m);
  place += wf.n_firms;
  next = wf.n_firms;
  for (guint32 c = 0; c < b->n_region; c++)
    make_city_schools (w, b, &wf, c, &next, &place);
  g_assert (next == w->n_workplaces && place == w->n_places);
  workforce_clear (&wf);
}

/* ---- services ----------------------------------------------------------- */

static guint32
category_count (const MlScenario *sc, int c)
{
  return MAX (1, (guint32) lround (sc->services_per_10k[c] * sc->people / 1e4));
}

static gboolean
has_premises (int c)
{
  return c != ML_CAT_HOTLINE && c != ML_CAT_TIPLINE;
}

/* Service S, number K of category C, from stream (SERVICES, C, K); its
 * premises (if any) at place *PLACE, in a city drawn by residents and a
 * district by venue density. */
static void
make_service (MlWorld *w, const Build *b, guint32 s, int c, guint32 k, guint32 *place)
{
  const MlScenario *sc = w->sc;
  MlService *sv = &w->services[s];
  guint32 devices, city, district;
  MlRng rng;

  ml_rng_init (&rng, sc->seed, ML_STREAM_SERVICES, (guint64) c, k);
  sv->handle = ml_handle_number (sc->seed, (guint64) sc->people + s);
  sv->category = (guint8) c;
  sv->owner = ML_NONE;
  sv->place = ML_NONE;
  sv->popularity = (float) ml_rng_lognormal (&rng, 0.0, 1.0);
  sv->imessage = ml_rng_bernoulli (&rng, sc->service_imessage_share);
  devices = 1 + (guint32) ml_rng_below (&rng, SERVICE_DEVICES_MAX);
  sv->devices = sv->imessage ? (guint8) devices : 0;
  if (!has_premises (c))
    return;
  city = (guint32) ml_alias_sample (b->city, &rng);
  district = w->cities[city].first_district + (guint32) ml_alias_sample (b->venue[city], &rng);
  set_place (w, *place, district, ML_PLACE_SERVICE, (guint8) c, s, &rng);
  w->places[*place].attractiveness = sv->popularity;
  if (ml_rng_bernoulli (&rng, sc->venue_wifi_share))
    w->places[*place].wifi = ML_WIFI_PUBLIC;
  sv->place = (*place)++;
}

static void
make_services (MlWorld *w, const Build *b)
{
  guint32 total = 0, with_place = 0, s = 0, place;

  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      guint32 n = category_count (w->sc, c);

      total += n;
      with_place += has_premises (c) ? n : 0;
    }
  w->services = g_new0 (MlService, total);
  w->n_services = total;
  place = grow_places (w, with_place);
  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      guint32 n = category_count (w->sc, c);

      w->services_by_cat[c] = g_new (guint32, n);
      w->n_services_by_cat[c] = n;
      for (guint32 k = 0; k < n; k++, s++)
        {
          make_service (w, b, s, c, k, &place);
          w->services_by_cat[c][k] = s;
        }
    }
  g_assert (place == w->n_places);
}

/* ---- the cast ----------------------------------------------------------- */

static gboolean
cast_candidate (const MlPerson *pe, gboolean strict)
{
  if (pe->cast != 0)
    return FALSE;
  return !strict || (pe->role == ML_ROLE_WORKER && pe->age >= 18);
}

/* The person who plays cast member I: a random adult worker from stream
 * (CAST, I, 0); failing that (no workers), the first free person from a
 * random start. */
static guint32
pick_cast_person (const MlWorld *w, guint32 i)
{
  guint32 n = w->n_people, start;
  MlRng rng;

  ml_rng_init (&rng, w->sc->seed, ML_STREAM_CAST, i, 0);
  for (int t = 0; t < CAST_TRIES; t++)
    {
      guint32 p = (guint32) ml_rng_below (&rng, n);

      if (cast_candidate (&w->people[p], TRUE))
        return p;
    }
  start = (guint32) ml_rng_below (&rng, n);
  for (guint32 k = 0; k < n; k++)
    if (cast_candidate (&w->people[(start + k) % n], FALSE))
      return (start + k) % n;
  g_assert_not_reached ();
}

/* Append a tip line run by cast member I (person P): no premises, on
 * iMessage (one device) if P is. */
static guint32
add_tipline (MlWorld *w, guint32 p)
{
  guint32 s = w->n_services++, n = w->n_services_by_cat[ML_CAT_TIPLINE]++;
  MlService *sv;

  w->services = g_renew (MlService, w->services, w->n_services);
  w->services_by_cat[ML_CAT_TIPLINE] = g_renew (guint32, w->services_by_cat[ML_CAT_TIPLINE], n + 1);
  w->services_by_cat[ML_CAT_TIPLINE][n] = s;
  sv = &w->services[s];
  memset (sv, 0, sizeof *sv);
  sv->handle = ml_handle_number (w->sc->seed, (guint64) w->n_people + s);
  sv->place = ML_NONE;
  sv->popularity = 1.0f;
  sv->category = ML_CAT_TIPLINE;
  sv->imessage = w->people[p].imessage;
  sv->devices = sv->imessage ? 1 : 0;
  sv->owner = p;
  return s;
}

static gboolean
make_cast (MlWorld *w, GError **error)
{
  const MlScenario *sc = w->sc;

  if (sc->n_cast < 0 || (guint64) sc->n_cast > MIN (w->n_people, G_MAXUINT16))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                   "cast: %d cast members for %u people", sc->n_cast, w->n_people);
      return FALSE;
    }
  w->cast = g_new0 (MlCast, sc->n_cast);
  w->n_cast = (guint32) sc->n_cast;
  for (guint32 i = 0; i < w->n_cast; i++)
    {
      guint32 p = pick_cast_person (w, i);

      w->people[p].cast = (guint16) (i + 1);
      w->cast[i].name = g_strdup (sc->cast[i].name);
      w->cast[i].person = p;
      w->cast[i].tipline = sc->cast[i].tipline ? add_tipline (w, p) : ML_NONE;
    }
  return TRUE;
}

/* ---- entry point -------------------------------------------------------- */

static gboolean
check_scenario (const MlScenario *sc, GError **error)
{
  const char *bad = NULL;

  if (sc->people < 1)
    bad = "run.people must be at least 1";
  else if (sc->carriers < 1 || sc->carriers > ML_MAX_CARRIERS)
    bad = "people.carriers must be between 1 and 8";
  else if (!(sc->worker_share >= 0.0 && sc->student_share >= 0.0
             && sc->worker_share + sc->student_share <= 1.0))
    bad = "people.worker_share + people.student_share must be a share (0 to 1)";
  else if (!(sc->activity_median > 0.0 && sc->activity_sigma >= 0.0 && sc->extra_devices_mean >= 0.0))
    bad = "people.activity_median must be positive, activity_sigma and extra_devices_mean not negative";
  else if (sc->school_size < 1 || sc->firm_size_max < 1 || !(sc->firm_size_alpha > 0.0))
    bad = "workplaces.school_size, firm_size_max and firm_size_alpha must be positive";
  if (bad == NULL)
    return TRUE;
  g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s", bad);
  return FALSE;
}

gboolean
ml_population_build (MlWorld *w, GError **error)
{
  Build b;
  gboolean ok;

  g_return_val_if_fail (w != NULL && w->sc != NULL && w->n_cities > 0, FALSE);
  g_return_val_if_fail (w->people == NULL && w->households == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_scenario (w->sc, error))
    return FALSE;
  ok = build_init (&b, w, error)
       && draw_households (w, &b, error);
  if (ok)
    {
      place_households (w, &b);
      make_families (w);
      ok = make_people (w, error);
    }
  if (ok)
    {
      make_workplaces (w, &b);
      make_services (w, &b);
      ok = make_cast (w, error);
    }
  build_clear (&b);
  return ok;
}
