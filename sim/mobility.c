/* mobility.c -- where each person is, stay by stay, day by day.
 *
 * A day is built left to right as a sequence of stays that tiles
 * [day start, day end) exactly: asleep at home until the day's wake time,
 * then free time, work or school on weekdays, more free time, and home
 * (asleep) to the end of the day.  Free time follows the exploration and
 * preferential return model (EPR; Song, Koren, Wang & Barabasi, Nat. Phys.
 * 6, 818 (2010): rho = 0.6, gamma = 0.21, waits P(t) ~ t^(-1-beta)
 * e^(-t/tau), beta = 0.8, tau = 17 h) with exploration jumps of length
 * P(r) ~ (r + r0)^-beta_r (Gonzalez, Hidalgo & Barabasi, Nature 453, 779
 * (2008): r0 = 1.5 km, beta_r = 1.75).  Two readings of EPR for a model
 * whose nights and working hours are scheduled: returns are weighted by
 * hours of presence (what the phone records behind EPR sample), and
 * free-time stays at home last at least 3 h, so that time at home and
 * trips per day match time-use and travel surveys.  Multi-day trips to
 * distant cities come from a per-person schedule at the person's own rate
 * (the scenario's mean times a Gamma(trip_rate_shape) factor: most people
 * rarely travel, a few often), a pure function of the streams
 * (ML_STREAM_TRIPS, person), so ml_mobility_on_trip() needs no state.
 * Every parameter and its source is listed in docs/model/mobility.md.
 *
 * Invariants: a day's stays are in time order, back to back, each at least
 * one second long, inside [day start, day end); adjacent stays never share
 * both place and city (they are merged).  A stay's place is a valid place
 * id or ML_NONE while travelling; its city is always set.  The only state
 * carried from day to day is each person's EPR memory (places visited and
 * hours spent there), written only by that person's ml_mobility_day(), so
 * different people may be computed by different threads concurrently.
 *
 * Workload: ml_mobility_day() runs once per person per day (10^6 x 30 in the
 * city scenario).  It allocates only to grow a person's memory (8 bytes a
 * place, at most MEMORY_CAP places); everything else is precomputed by
 * ml_mobility_new(): cumulative venue weights per district and per city, the
 * hotels of each city, the trip destinations, each person's trip rate and
 * a hash grid that finds the district under a point in O(1).
 */

#include <math.h>
#include <string.h>

#include "common/geo.h"
#include "common/rng.h"
#include "sim/mobility.h"

#define KM_PER_DEG (ML_GEO_EARTH_RADIUS_KM * G_PI / 180.0)
#define HOUR 3600.0

/* EPR and jumps; the scenario holds rho, gamma, beta, tau, r0, beta_r. */
#define WAIT_XMIN_H (10.0 / 60.0) /* assumption: shortest recorded stay, 10 min */
#define BASE_XMIN_H 3.0           /* assumption: free-time stays at home last >= 3 h */
#define JUMP_MAX_KM 100.0         /* assumption: jumps capped at the region's scale */
#define JUMP_TRIES 4              /* assumption: retries when a jump lands nowhere */
#define GRID_RADIUS 0.75          /* a point belongs to a district within 0.75 side */
#define MEMORY_CAP 512            /* places remembered per person */
#define TRIP_MEMORY_CAP 64        /* places remembered within one trip day */
#define VENUE_WEIGHT_FLOOR 1e-6   /* so that zero-attractiveness venues stay reachable */

/* Travel between places (assumptions, see docs/model/mobility.md). */
#define TRANSIT_MIN_KM 2.0        /* shorter moves are instantaneous */
#define TRANSIT_BASE_S 300.0      /* 5 min door to door ... */
#define TRANSIT_KMH 40.0          /* ... plus urban speed ... */
#define TRANSIT_MAX_S 1800.0      /* ... capped at 30 min */
#define TRAVEL_BASE_H 1.0         /* trips: 1 h to station or airport ... */
#define TRAVEL_KMH 300.0          /* ... plus a car/train/air mix ... */
#define TRAVEL_MAX_H 10.0         /* ... capped at 10 h */

/* Daily rhythm (assumptions; weekend shift from Roenneberg et al. 2012). */
#define RHYTHM_SD_H 0.25          /* day-to-day jitter of wake and sleep */
#define WEEKEND_SHIFT_H 1.0       /* later wake and sleep on weekends */
#define AWAKE_MIN_H 8.0
#define AWAKE_MAX_H 20.0
#define DAY_OFF_P 0.05            /* workers and students: sick days, leave */
#define WORK_LAG_H 1.5            /* work starts ~ N(wake + 1.5 h, 0.5 h) */
#define WORK_LAG_SD_H 0.5
#define WORK_HOURS 8.5            /* and lasts ~ N(8.5 h, 1 h), clipped to 4..11 h */
#define WORK_HOURS_SD 1.0
#define SCHOOL_START_H 8.0
#define SCHOOL_END_H 15.0

typedef struct {
  guint32 place;
  guint32 count;          /* started hours of presence: the return weight */
} Visit;

/* A person's EPR memory: 16 bytes plus 8 a place. */
typedef struct {
  Visit *v;               /* owned (g_renew), or a Day's trip_buf */
  guint32 total;          /* sum of the counts */
  guint16 n;              /* places remembered: EPR's S */
  guint16 cap;
} Memory;

/* Open-addressing hash from a grid cell to the districts whose centroid
 * lies within radius_km of some point of the cell. */
typedef struct {
  guint64 *keys;
  guint32 *first, *count; /* items[first .. first + count); count 0: empty slot */
  guint32 mask;
  guint32 *items;
  double dlat, dlon;      /* cell size in degrees */
  double radius_km;
} Grid;

struct MlMobility {
  guint32 n_people;
  Memory *mem;            /* per person */
  double *venue_cum;      /* per venue_index entry: cumulative weight within its district */
  double *district_cum;   /* per district: cumulative venue weight within its city */
  guint32 *hotel_first;   /* n_cities + 1: city c's hotels are hotels[first[c] .. first[c+1]) */
  guint32 *hotels;
  guint32 *dest;          /* trip destination cities ... */
  double *dest_cum;       /* ... and their cumulative weights */
  guint32 n_dest;
  double *trip_rate;      /* per person: trips per year (trip_rate()) */
  double *km_per_deg_lon; /* per district: km per degree of longitude there */
  double jump_r0, jump_g, jump_a, jump_lr; /* jump-length inversion constants */
  Grid grid;
};

typedef struct {
  MlDay start;
  guint32 days;
  guint32 city;
  guint32 hotel;          /* where the person sleeps (a venue if the city has no hotel) */
} Trip;

/* The state of one day under construction. */
typedef struct {
  MlMobility *m;
  const MlWorld *w;
  MlRng rng;              /* (ML_STREAM_MOBILITY, person, day) */
  GArray *out;
  guint first_out;        /* this day's first index in out */
  MlTime day_start, day_end;
  guint32 cur, cur_city;  /* the open stay ... */
  MlTime since;           /* ... and its start */
  Memory *mem;            /* whose S and weights drive EPR */
  gboolean growable;      /* mem may be reallocated */
  guint32 exclude;        /* never a free-time return (work or school) */
  guint32 base;           /* home, or the hotel on a trip */
  guint32 fb_district;    /* failed explorations fall back here ... */
  guint32 fb_city;        /* ... or anywhere in this city */
  guint32 p_new_n;        /* the S for which p_new was computed */
  double p_new;           /* rho S^-gamma */
  Memory trip_mem;        /* a trip day's memory, over trip_buf */
  Visit trip_buf[TRIP_MEMORY_CAP];
} Day;

/* ---------------------------------------------------------------- places */

static inline guint32
place_city (const MlWorld *w, guint32 place)
{
  return w->districts[w->places[place].district].city;
}

/* Equirectangular distance in km, with the longitude scale of the two
 * places' districts: exact enough below a few hundred km, and only used
 * for travel times. */
static double
place_km (const MlMobility *m, const MlWorld *w, guint32 a, guint32 b)
{
  const MlPlace *pa = &w->places[a], *pb = &w->places[b];
  double kx = 0.5 * (m->km_per_deg_lon[pa->district] + m->km_per_deg_lon[pb->district]);
  double dy = (pb->lat - pa->lat) * KM_PER_DEG, dx = (pb->lon - pa->lon) * kx;

  return sqrt (dx * dx + dy * dy);
}

/* The index in [FIRST, FIRST + N) whose increment of the cumulative array
 * CUM covers a uniform draw (binary search).  N > 0. */
static guint32
pick_cum (const double *cum, guint32 first, guint32 n, MlRng *rng)
{
  guint32 lo = first, hi = first + n - 1;
  double u = ml_rng_uniform (rng) * cum[hi];

  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (cum[mid] > u)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* A venue of DISTRICT drawn by attractiveness, or ML_NONE if it has none. */
static guint32
venue_in_district (const MlMobility *m, const MlWorld *w, guint32 district, MlRng *rng)
{
  const MlDistrict *d = &w->districts[district];

  if (d->n_venues == 0)
    return ML_NONE;
  return w->venue_index[pick_cum (m->venue_cum, d->first_venue, d->n_venues, rng)];
}

/* A venue of CITY drawn by attractiveness, or ML_NONE if it has none. */
static guint32
venue_in_city (const MlMobility *m, const MlWorld *w, guint32 city, MlRng *rng)
{
  const MlCity *c = &w->cities[city];
  guint32 d;

  if (c->n_districts == 0 || m->district_cum[c->first_district + c->n_districts - 1] <= 0.0)
    return ML_NONE;
  d = pick_cum (m->district_cum, c->first_district, c->n_districts, rng);
  return venue_in_district (m, w, d, rng);
}

/* ------------------------------------------------------------------ grid */

static inline guint64
cell_key (gint64 i, gint64 j)
{
  return ((guint64) (guint32) (gint32) i << 32) | (guint32) (gint32) j;
}

typedef struct {
  guint64 key;
  guint32 district;
} CellItem;

static int
cell_item_cmp (gconstpointer a, gconstpointer b)
{
  const CellItem *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->district > y->district) - (x->district < y->district);
}

/* Every (cell, district) pair where the district's disc of radius_km
 * reaches into the cell. */
static GArray *
grid_items (const Grid *g, const MlWorld *w)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (CellItem));

  for (guint32 d = 0; d < w->n_districts; d++)
    {
      const MlDistrict *di = &w->districts[d];
      double rlat = g->radius_km / KM_PER_DEG;
      double rlon = g->radius_km / (KM_PER_DEG * MAX (cos (di->lat * G_PI / 180.0), 0.05));
      gint64 i0 = (gint64) floor ((di->lat - rlat) / g->dlat);
      gint64 i1 = (gint64) floor ((di->lat + rlat) / g->dlat);
      gint64 j0 = (gint64) floor ((di->lon - rlon) / g->dlon);
      gint64 j1 = (gint64) floor ((di->lon + rlon) / g->dlon);

      for (gint64 i = i0; i <= i1; i++)
        for (gint64 j = j0; j <= j1; j++)
          {
            CellItem it = { cell_key (i, j), d };
            g_array_append_val (items, it);
          }
    }
  g_array_sort (items, cell_item_cmp);
  return items;
}

/* Insert the run ITEMS[first .. first + count) under its key. */
static void
grid_insert (Grid *g, guint64 key, guint32 first, guint32 count)
{
  guint32 slot = (guint32) ml_hash64 (key) & g->mask;

  while (g->count[slot] != 0)
    slot = (slot + 1) & g->mask;
  g->keys[slot] = key;
  g->first[slot] = first;
  g->count[slot] = count;
}

/* Build G over the districts of W: cells of radius_km = GRID_RADIUS x the
 * district side, at least as wide as radius_km everywhere. */
static void
grid_build (Grid *g, const MlWorld *w)
{
  double side = w->sc->district_km > 0.0 ? w->sc->district_km : 2.0;
  double max_lat = 0.0;
  g_autoptr(GArray) items = NULL;
  guint32 n_cells = 0, size = 16;

  for (guint32 d = 0; d < w->n_districts; d++)
    max_lat = MAX (max_lat, fabs (w->districts[d].lat));
  g->radius_km = GRID_RADIUS * side;
  g->dlat = g->radius_km / KM_PER_DEG;
  g->dlon = g->radius_km / (KM_PER_DEG * MAX (cos (max_lat * G_PI / 180.0), 0.05));
  items = grid_items (g, w);
  for (guint i = 0; i < items->len; i++)
    if (i == 0 || g_array_index (items, CellItem, i).key != g_array_index (items, CellItem, i - 1).key)
      n_cells++;
  while (size < 2 * n_cells)
    size *= 2;
  g->mask = size - 1;
  g->keys = g_new0 (guint64, size);
  g->first = g_new0 (guint32, size);
  g->count = g_new0 (guint32, size);
  g->items = g_new (guint32, MAX (items->len, 1));
  for (guint i = 0, run = 0; i < items->len; i++)
    {
      const CellItem *it = &g_array_index (items, CellItem, i);
      g->items[i] = it->district;
      if (i + 1 == items->len || g_array_index (items, CellItem, i + 1).key != it->key)
        {
          grid_insert (g, it->key, run, i + 1 - run);
          run = i + 1;
        }
    }
}

/* The district whose centroid is nearest to (LAT, LON) within radius_km,
 * or ML_NONE (the point is outside every city). */
static guint32
grid_find (const Grid *g, const MlWorld *w, double lat, double lon, double km_per_deg_lon)
{
  guint64 key = cell_key ((gint64) floor (lat / g->dlat), (gint64) floor (lon / g->dlon));
  guint32 slot = (guint32) ml_hash64 (key) & g->mask, best = ML_NONE;
  double best_d2 = g->radius_km * g->radius_km;

  while (g->count[slot] != 0 && g->keys[slot] != key)
    slot = (slot + 1) & g->mask;
  if (g->count[slot] == 0)
    return ML_NONE;
  for (guint32 k = g->first[slot]; k < g->first[slot] + g->count[slot]; k++)
    {
      const MlDistrict *d = &w->districts[g->items[k]];
      double dy = (d->lat - lat) * KM_PER_DEG, dx = (d->lon - lon) * km_per_deg_lon;
      if (dx * dx + dy * dy < best_d2)
        {
          best_d2 = dx * dx + dy * dy;
          best = g->items[k];
        }
    }
  return best;
}

static void
grid_clear (Grid *g)
{
  g_free (g->keys);
  g_free (g->first);
  g_free (g->count);
  g_free (g->items);
}

/* ------------------------------------------------------------ precompute */

/* Cumulative venue weights within each district, and district totals
 * cumulated within each city. */
static void
build_venue_weights (MlMobility *m, const MlWorld *w)
{
  m->venue_cum = g_new0 (double, MAX (w->n_venue_index, 1));
  m->district_cum = g_new0 (double, MAX (w->n_districts, 1));
  for (guint32 c = 0; c < w->n_cities; c++)
    {
      const MlCity *city = &w->cities[c];
      double city_sum = 0.0;

      for (guint32 d = city->first_district; d < city->first_district + city->n_districts; d++)
        {
          const MlDistrict *di = &w->districts[d];
          double sum = 0.0;

          for (guint32 k = di->first_venue; k < di->first_venue + di->n_venues; k++)
            {
              double a = w->places[w->venue_index[k]].attractiveness;
              sum += isfinite (a) && a > VENUE_WEIGHT_FLOOR ? a : VENUE_WEIGHT_FLOOR;
              m->venue_cum[k] = sum;
            }
          city_sum += sum;
          m->district_cum[d] = city_sum;
        }
    }
}

/* The hotels of each city, in place order (CSR by city). */
static void
build_hotels (MlMobility *m, const MlWorld *w)
{
  guint32 n = 0;

  m->hotel_first = g_new0 (guint32, w->n_cities + 1);
  for (guint32 p = 0; p < w->n_places; p++)
    if (w->places[p].kind == ML_PLACE_HOTEL)
      {
        m->hotel_first[place_city (w, p) + 1]++;
        n++;
      }
  for (guint32 c = 0; c < w->n_cities; c++)
    m->hotel_first[c + 1] += m->hotel_first[c];
  m->hotels = g_new (guint32, MAX (n, 1));
  {
    g_autofree guint32 *fill = g_memdup2 (m->hotel_first, sizeof (guint32) * w->n_cities);
    for (guint32 p = 0; p < w->n_places; p++)
      if (w->places[p].kind == ML_PLACE_HOTEL)
        m->hotels[fill[place_city (w, p)]++] = p;
  }
}

/* Trip destinations: the distant cities that have somewhere to sleep,
 * weighted by their total venue attractiveness (a size proxy) plus one per
 * hotel. */
static void
build_destinations (MlMobility *m, const MlWorld *w)
{
  double sum = 0.0;

  m->dest = g_new (guint32, MAX (w->n_cities, 1));
  m->dest_cum = g_new (double, MAX (w->n_cities, 1));
  for (guint32 c = 0; c < w->n_cities; c++)
    {
      const MlCity *city = &w->cities[c];
      guint32 last = city->first_district + city->n_districts - 1;
      double mass = city->n_districts > 0 ? m->district_cum[last] : 0.0;

      mass += m->hotel_first[c + 1] - m->hotel_first[c];
      if (city->in_region || mass <= 0.0)
        continue;
      sum += mass;
      m->dest[m->n_dest] = c;
      m->dest_cum[m->n_dest++] = sum;
    }
}

/* PERSON's own rate of trips per year: the scenario's mean times a
 * Gamma(k, 1/k) factor (mean 1) with k = trip_rate_shape, drawn from the
 * stream (ML_STREAM_TRIPS, person, 1), or the mean for everyone when k is
 * 0.  Poisson trips at gamma-distributed rates are the negative binomial
 * of trip-frequency models; k = 1/2 leaves a third of people without a
 * trip in a year at 4 trips a year (docs/model/mobility.md). */
static double
trip_rate (const MlScenario *sc, guint32 person)
{
  MlRng rng;

  if (sc->trip_rate_shape <= 0.0 || sc->trips_per_year <= 0.0)
    return sc->trips_per_year;
  ml_rng_init (&rng, sc->seed, ML_STREAM_TRIPS, person, 1);
  return sc->trips_per_year * ml_rng_gamma (&rng, sc->trip_rate_shape, 1.0 / sc->trip_rate_shape);
}

/* Constants of the jump-length inversion (see ml_rng_power_law()), and
 * the longitude scale of each district. */
static void
jump_setup (MlMobility *m, const MlWorld *w)
{
  const MlScenario *sc = w->sc;

  m->jump_r0 = sc->jump_r0_km;
  m->jump_g = 1.0 - sc->jump_beta;
  m->jump_lr = log ((sc->jump_r0_km + JUMP_MAX_KM) / sc->jump_r0_km);
  m->jump_a = expm1 (m->jump_g * m->jump_lr);
  m->km_per_deg_lon = g_new (double, MAX (w->n_districts, 1));
  for (guint32 d = 0; d < w->n_districts; d++)
    m->km_per_deg_lon[d] = KM_PER_DEG * MAX (cos (w->districts[d].lat * G_PI / 180.0), 0.05);
}

MlMobility *
ml_mobility_new (const MlWorld *w)
{
  MlMobility *m;

  g_return_val_if_fail (w != NULL && w->sc != NULL, NULL);
  m = g_new0 (MlMobility, 1);
  m->n_people = w->n_people;
  m->mem = g_new0 (Memory, MAX (w->n_people, 1));
  build_venue_weights (m, w);
  build_hotels (m, w);
  build_destinations (m, w);
  m->trip_rate = g_new (double, MAX (w->n_people, 1));
  for (guint32 p = 0; p < w->n_people; p++)
    m->trip_rate[p] = trip_rate (w->sc, p);
  grid_build (&m->grid, w);
  jump_setup (m, w);
  return m;
}

void
ml_mobility_free (MlMobility *m)
{
  if (m == NULL)
    return;
  for (guint32 p = 0; p < m->n_people; p++)
    g_free (m->mem[p].v);
  g_free (m->mem);
  g_free (m->venue_cum);
  g_free (m->district_cum);
  g_free (m->hotel_first);
  g_free (m->hotels);
  g_free (m->dest);
  g_free (m->dest_cum);
  g_free (m->trip_rate);
  g_free (m->km_per_deg_lon);
  grid_clear (&m->grid);
  g_free (m);
}

/* ----------------------------------------------------------------- trips */

/* Where a trip to CITY sleeps: one of its hotels, else one of its venues. */
static guint32
trip_hotel (const MlMobility *m, const MlWorld *w, guint32 city, MlRng *rng)
{
  guint32 first = m->hotel_first[city], n = m->hotel_first[city + 1] - first;

  if (n > 0)
    return m->hotels[first + ml_rng_below (rng, n)];
  return venue_in_city (m, w, city, rng);
}

/* The trip of PERSON covering DAY, if any.  The schedule is a renewal
 * process from the run's first day: gaps ~ Exp(rate / 365.25) days at the
 * person's own rate (trip_rate(), precomputed), durations 1 + Poisson(trip_days_mean -
 * 1), at least one day at home between trips; replayed from the stream
 * (ML_STREAM_TRIPS, person, 0) on every call, so it is a pure function of
 * (scenario, person, day). */
static gboolean
trip_find (const MlMobility *m, const MlWorld *w, guint32 person, MlDay day, Trip *out)
{
  const MlScenario *sc = w->sc;
  double rate, t = sc->start;
  MlRng rng;

  if (sc->trips_per_year <= 0.0 || m->n_dest == 0 || day < sc->start)
    return FALSE;
  if ((rate = m->trip_rate[person] / 365.25) <= 0.0)
    return FALSE;
  ml_rng_init (&rng, sc->seed, ML_STREAM_TRIPS, person, 0);
  for (;;)
    {
      Trip trip;

      t += floor (ml_rng_exponential (&rng, rate));
      if (t > day)
        return FALSE;
      trip.start = (MlDay) t;
      trip.days = 1 + (guint32) ml_rng_poisson (&rng, MAX (sc->trip_days_mean - 1.0, 0.0));
      trip.city = m->dest[pick_cum (m->dest_cum, 0, m->n_dest, &rng)];
      trip.hotel = trip_hotel (m, w, trip.city, &rng);
      if ((gint64) day < (gint64) trip.start + trip.days)
        {
          *out = trip;
          return TRUE;
        }
      t += trip.days + 1;
    }
}

double
ml_mobility_trip_rate (const MlWorld *w, guint32 person)
{
  g_return_val_if_fail (w != NULL && w->sc != NULL && person < w->n_people, 0.0);
  return trip_rate (w->sc, person);
}

double
ml_mobility_no_trip_probability (const MlMobility *m, const MlWorld *w, int days)
{
  const MlScenario *sc;
  double years;

  g_return_val_if_fail (m != NULL && w != NULL && w->sc != NULL && days >= 0, NAN);
  sc = w->sc;
  years = days / 365.25;
  if (sc->trips_per_year <= 0.0 || m->n_dest == 0)
    return 1.0;
  if (sc->trip_rate_shape <= 0.0)
    return exp (-sc->trips_per_year * years);
  return pow (1.0 + sc->trips_per_year * years / sc->trip_rate_shape, -sc->trip_rate_shape);
}

gboolean
ml_mobility_on_trip (const MlMobility *m, const MlWorld *w, guint32 person, MlDay day)
{
  Trip trip;

  g_return_val_if_fail (m != NULL && w != NULL && person < m->n_people, FALSE);
  return trip_find (m, w, person, day, &trip);
}

/* ---------------------------------------------------------------- memory */

static int
mem_find (const Memory *mem, guint32 place)
{
  for (int i = 0; i < mem->n; i++)
    if (mem->v[i].place == place)
      return i;
  return -1;
}

/* The next capacity: steps of 8 up to 32 places, then +25 %, at most
 * MEMORY_CAP (keeps the slack small: a million people hold these). */
static guint16
mem_next_cap (guint16 cap)
{
  guint c = cap < 32 ? cap + 8u : cap + ((cap / 4u + 7u) & ~7u);

  return (guint16) MIN (c, MEMORY_CAP);
}

/* Remember PLACE (an arrival there): a new place is appended with weight 0
 * (growing the array when GROWABLE, up to MEMORY_CAP) or, when the memory
 * is full, replaces the place of least weight other than KEEP.  The weight
 * itself comes from mem_credit() when the stay ends. */
static void
mem_visit (Memory *mem, guint32 place, gboolean growable, guint32 keep)
{
  int victim = -1;

  if (mem_find (mem, place) >= 0)
    return;
  if (mem->n == mem->cap && growable && mem->cap < MEMORY_CAP)
    {
      mem->cap = mem_next_cap (mem->cap);
      mem->v = g_renew (Visit, mem->v, mem->cap);
    }
  if (mem->n < mem->cap)
    {
      mem->v[mem->n++] = (Visit) { place, 0 };
      return;
    }
  for (int i = 0; i < mem->n; i++)
    if (mem->v[i].place != keep && (victim < 0 || mem->v[i].count < mem->v[victim].count))
      victim = i;
  g_assert (victim >= 0);
  mem->total -= mem->v[victim].count;
  mem->v[victim] = (Visit) { place, 0 };
}

/* Credit a stay of SECONDS at PLACE: one per started hour of presence, the
 * way hourly phone records sample visitation frequency (Song et al. 2010,
 * Gonzalez et al. 2008).  Places not remembered are ignored. */
static void
mem_credit (Memory *mem, guint32 place, MlTime seconds)
{
  int i = mem_find (mem, place);
  guint32 hours = (guint32) ((seconds + 3599) / 3600);

  if (i < 0)
    return;
  mem->v[i].count += hours;
  mem->total += hours;
}

/* A remembered place other than CUR and EXCLUDE, drawn with probability
 * proportional to its weight (EPR's preferential return), or ML_NONE if
 * there is none. */
static guint32
mem_return (const Memory *mem, guint32 cur, guint32 exclude, MlRng *rng)
{
  guint64 skip = 0, u;

  for (int i = 0; i < mem->n; i++)
    if (mem->v[i].place == cur || mem->v[i].place == exclude)
      skip += mem->v[i].count;
  if (skip >= mem->total)
    return ML_NONE;
  u = ml_rng_below (rng, mem->total - skip);
  for (int i = 0; i < mem->n; i++)
    {
      if (mem->v[i].place == cur || mem->v[i].place == exclude)
        continue;
      if (u < mem->v[i].count)
        return mem->v[i].place;
      u -= mem->v[i].count;
    }
  g_assert_not_reached ();
  return ML_NONE;
}

/* ----------------------------------------------------------------- stays */

/* Append [START, END) at PLACE in CITY, merging with the previous stay of
 * the day when it is the same place and city. */
static void
day_emit (Day *d, MlTime start, MlTime end, guint32 place, guint32 city)
{
  MlStay s = { start, end, place, city };

  if (place != ML_NONE)
    mem_credit (d->mem, place, end - start);

  if (d->out->len > d->first_out)
    {
      MlStay *last = &g_array_index (d->out, MlStay, d->out->len - 1);
      if (last->end == start && last->place == place && last->city == city)
        {
          last->end = end;
          return;
        }
    }
  g_array_append_val (d->out, s);
}

/* Close the open stay at T (clamped into the day) and open one at PLACE
 * in CITY.  Zero-length stays vanish. */
static void
day_go (Day *d, guint32 place, guint32 city, MlTime t)
{
  t = CLAMP (t, d->since, d->day_end);
  if (place == d->cur && city == d->cur_city)
    return;
  if (t > d->since)
    day_emit (d, d->since, t, d->cur, d->cur_city);
  d->cur = place;
  d->cur_city = city;
  d->since = t;
}

/* Seconds to travel from place A to place B: nothing below TRANSIT_MIN_KM;
 * a local transit otherwise, or a long-distance journey when either end is
 * in a distant city and the cities differ. */
static MlTime
travel_seconds (const MlMobility *m, const MlWorld *w, guint32 a, guint32 b)
{
  double km = place_km (m, w, a, b);
  guint32 ca = place_city (w, a), cb = place_city (w, b);

  if (km < TRANSIT_MIN_KM)
    return 0;
  if (ca != cb && (!w->cities[ca].in_region || !w->cities[cb].in_region))
    return (MlTime) (MIN (TRAVEL_BASE_H + km / TRAVEL_KMH, TRAVEL_MAX_H) * HOUR);
  return (MlTime) MIN (TRANSIT_BASE_S + km / TRANSIT_KMH * HOUR, TRANSIT_MAX_S);
}

/* Leave for TO at T, travelling TT seconds (travel_seconds()): a travel
 * stay (place ML_NONE; in the city of departure for the first half, of
 * arrival for the second), then TO.  Returns the arrival time, clamped to
 * the day's end. */
static MlTime
day_move_tt (Day *d, guint32 to, MlTime t, MlTime tt)
{
  guint32 to_city = place_city (d->w, to);

  if (to == d->cur)
    return MIN (t, d->day_end);
  if (tt > 0)
    {
      day_go (d, ML_NONE, d->cur_city, t);
      day_go (d, ML_NONE, to_city, t + tt / 2);
    }
  day_go (d, to, to_city, t + tt);
  return MIN (t + tt, d->day_end);
}

/* As day_move_tt() with the travel time of the way from here to TO. */
static MlTime
day_move (Day *d, guint32 to, MlTime t)
{
  return day_move_tt (d, to, t, travel_seconds (d->m, d->w, d->cur, to));
}

/* Close the day: the open stay runs to midnight. */
static void
day_close (Day *d)
{
  if (d->since < d->day_end)
    day_emit (d, d->since, d->day_end, d->cur, d->cur_city);
}

/* ------------------------------------------------------------------- EPR */

/* An EPR waiting time in seconds: P(t) ~ t^(-1-beta) e^(-t/tau) for
 * t >= 10 min, or t >= 3 h at home (or the trip's hotel). */
static MlTime
wait_seconds (Day *d)
{
  const MlScenario *sc = d->w->sc;
  double xmin = d->cur == d->base ? BASE_XMIN_H : WAIT_XMIN_H;

  return (MlTime) (ml_rng_power_law_cutoff (&d->rng, sc->wait_beta, sc->wait_tau_h, xmin) * HOUR);
}

/* A jump length in km, r ~ (r + r0)^-beta_r on [0, JUMP_MAX_KM]: the
 * inversion of ml_rng_power_law() on [r0, r0 + JUMP_MAX_KM] with its
 * constants precomputed (jump_setup()). */
static double
jump_km (const MlMobility *m, MlRng *rng)
{
  double r0 = m->jump_r0, u = ml_rng_uniform (rng);

  if (m->jump_g == 0.0)
    return r0 * exp (u * m->jump_lr) - r0;
  return r0 * exp (log1p (u * m->jump_a) / m->jump_g) - r0;
}

/* Exploration: a jump of length r ~ (r + r0)^-beta_r (0 <= r <= JUMP_MAX_KM,
 * Gonzalez et al. 2008) in a uniform direction from the current place, to a
 * venue of the district there drawn by attractiveness.  After JUMP_TRIES
 * jumps into districts without venues (or outside every city), a venue of
 * the fallback district or city.  ML_NONE if there is none at all. */
static guint32
explore (Day *d)
{
  const MlMobility *m = d->m;
  const MlPlace *from = &d->w->places[d->cur];
  double kx = m->km_per_deg_lon[from->district];
  guint32 v;

  for (int i = 0; i < JUMP_TRIES; i++)
    {
      double r = jump_km (m, &d->rng), theta = 2.0 * G_PI * ml_rng_uniform (&d->rng);
      double c = cos (theta), s = sin (theta);
      guint32 district;

      district = grid_find (&m->grid, d->w, from->lat + r * c / KM_PER_DEG, from->lon + r * s / kx, kx);
      if (district != ML_NONE && (v = venue_in_district (d->m, d->w, district, &d->rng)) != ML_NONE)
        return v;
    }
  if (d->fb_district != ML_NONE
      && (v = venue_in_district (d->m, d->w, d->fb_district, &d->rng)) != ML_NONE)
    return v;
  return venue_in_city (d->m, d->w, d->fb_city, &d->rng);
}

/* EPR's next place: explore with probability rho S^-gamma (Song et al.
 * 2010), else return to a remembered place by visit count. */
static guint32
epr_next (Day *d)
{
  const MlScenario *sc = d->w->sc;
  guint32 next = ML_NONE;

  if (d->p_new_n != d->mem->n)
    {
      d->p_new_n = d->mem->n;
      d->p_new = sc->epr_rho * pow (MAX (d->mem->n, 1), -sc->epr_gamma);
    }
  if (ml_rng_uniform (&d->rng) >= d->p_new)
    next = mem_return (d->mem, d->cur, d->exclude, &d->rng);
  return next != ML_NONE ? next : explore (d);
}

/* Free time from T (at the current place) to END: alternate waiting and
 * moving by EPR, then be at TO by END (ML_NONE: stay wherever one is).
 * LINGER: wait at the current place before the first move.  Moves that
 * would not leave 10 min there plus the way to TO are not made.  Returns
 * the arrival time at TO (END, or later if even the direct way is longer). */
static MlTime
day_free (Day *d, MlTime t, MlTime end, guint32 to, gboolean linger)
{
  const MlTime min_stay = (MlTime) (WAIT_XMIN_H * HOUR);

  for (gboolean first = TRUE;; first = FALSE)
    {
      MlTime leave = t + (first && !linger ? 0 : wait_seconds (d)), tt;
      guint32 next;

      if (leave + min_stay >= end)
        break;
      next = epr_next (d);
      if (next == ML_NONE || next == d->cur)
        {
          t = leave;
          continue;
        }
      tt = travel_seconds (d->m, d->w, d->cur, next);
      if (leave + tt + min_stay + (to != ML_NONE ? travel_seconds (d->m, d->w, next, to) : 0) > end)
        break;
      t = day_move_tt (d, next, leave, tt);
      mem_visit (d->mem, next, d->growable, d->base);
    }
  if (to == ML_NONE || to == d->cur)
    return MAX (t, end);
  t = day_move (d, to, MAX (t, end - travel_seconds (d->m, d->w, d->cur, to)));
  mem_visit (d->mem, to, d->growable, to);
  return t;
}

/* ---------------------------------------------------------------- rhythm */

/* Two independent standard normal deviates from two uniforms (Box &
 * Muller 1958): half the cost of two ml_rng_normal() calls, which keep one
 * deviate of each polar pair. */
static void
normal_pair (MlRng *rng, double *z1, double *z2)
{
  double r = sqrt (-2.0 * log (ml_rng_uniform_open (rng)));
  double theta = 2.0 * G_PI * ml_rng_uniform (rng);

  *z1 = r * cos (theta);
  *z2 = r * sin (theta);
}

/* The day's wake time and end of the evening (seconds into the day): the
 * person's chronotype, jittered by N(0, 15 min), an hour later on weekends;
 * evenings that would run past midnight end at midnight (the rest of the
 * night is at home, in the next day). */
static void
rhythm_draw (Day *d, const MlPerson *p, gboolean weekend, MlTime *wake, MlTime *end)
{
  double w0 = fmod (fmod (p->wake_h, 24.0) + 24.0, 24.0);
  double awake = fmod (fmod (p->sleep_h - p->wake_h, 24.0) + 24.0, 24.0);
  double z1, z2, wake_h, awake_h;

  normal_pair (&d->rng, &z1, &z2);
  wake_h = CLAMP (w0 + (weekend ? WEEKEND_SHIFT_H : 0.0) + RHYTHM_SD_H * z1, 0.25, 20.0);
  awake_h = CLAMP (awake + RHYTHM_SD_H * z2, AWAKE_MIN_H, AWAKE_MAX_H);
  *wake = (MlTime) (wake_h * HOUR);
  *end = (MlTime) (MIN (wake_h + awake_h, 24.0) * HOUR);
}

/* Whether PERSON works or studies today (a weekday, not a trip day), and
 * when, in seconds into the day.  Workers: start ~ N(wake + 1.5 h, 0.5 h),
 * hours ~ N(8.5 h, 1 h); students 8:00-15:00; 5 % of days off; the duty
 * ends at least 30 min before the evening does. */
static gboolean
duty_draw (Day *d, const MlPerson *p, MlTime wake, MlTime end, MlTime *from, MlTime *to)
{
  double start_h, stop_h, wake_h = wake / HOUR;

  if (p->role == ML_ROLE_HOME || p->work_place == ML_NONE || ml_rng_bernoulli (&d->rng, DAY_OFF_P))
    return FALSE;
  if (p->role == ML_ROLE_STUDENT)
    {
      start_h = MAX (SCHOOL_START_H, wake_h + 0.25);
      stop_h = SCHOOL_END_H;
    }
  else
    {
      double z1, z2;

      normal_pair (&d->rng, &z1, &z2);
      start_h = MAX (wake_h + WORK_LAG_H + WORK_LAG_SD_H * z1, wake_h + 0.25);
      stop_h = start_h + CLAMP (WORK_HOURS + WORK_HOURS_SD * z2, 4.0, 11.0);
    }
  stop_h = MIN (stop_h, end / HOUR - 0.5);
  if (stop_h - start_h < 1.0)
    return FALSE;
  *from = (MlTime) (start_h * HOUR);
  *to = (MlTime) (stop_h * HOUR);
  return TRUE;
}

/* ------------------------------------------------------------------ days */

/* An ordinary day: home, [free, duty,] free, home. */
static void
day_at_home (Day *d, const MlPerson *p, guint32 home, MlDay day)
{
  gboolean weekend = ml_is_weekend (day);
  MlTime wake, end, from, to, t;

  rhythm_draw (d, p, weekend, &wake, &end);
  t = d->day_start + wake;
  if (!weekend && duty_draw (d, p, wake, end, &from, &to))
    {
      t = day_free (d, t, d->day_start + from, p->work_place, TRUE);
      t = MAX (t, d->day_start + to);
      day_free (d, t, d->day_start + end, home, FALSE);
      return;
    }
  day_free (d, t, d->day_start + end, home, TRUE);
}

/* A day of TRIP: leave home in the morning of the first day, sleep at the
 * hotel, spend the days around the trip city by EPR with a memory of the
 * day only, and be back home by bedtime on the last day. */
static void
day_on_trip (Day *d, const MlPerson *p, guint32 home, MlDay day, const Trip *trip)
{
  gboolean last = (gint64) day == (gint64) trip->start + trip->days - 1;
  MlTime wake, end, t, back;

  d->trip_mem = (Memory) { d->trip_buf, 0, 0, TRIP_MEMORY_CAP };
  d->mem = &d->trip_mem;
  d->growable = FALSE;
  d->exclude = ML_NONE;
  d->fb_district = ML_NONE;
  d->fb_city = trip->city;
  d->base = trip->hotel;
  mem_visit (d->mem, trip->hotel, FALSE, ML_NONE);
  rhythm_draw (d, p, ml_is_weekend (day), &wake, &end);
  t = d->day_start + wake;
  if (day == trip->start)
    t = day_move (d, trip->hotel, t + (MlTime) ml_rng_range (&d->rng, 0.5 * HOUR, 2.0 * HOUR));
  if (!last)
    {
      day_free (d, t, d->day_start + end, trip->hotel, TRUE);
      return;
    }
  back = travel_seconds (d->m, d->w, trip->hotel, home);
  t = day_free (d, t, d->day_start + end - back, ML_NONE, TRUE);
  day_move (d, home, MAX (t, d->day_start + end - back));
}

/* Set up D for PERSON's DAY: the stream, the open stay at START_PLACE from
 * midnight, and the person's own memory (seeded with home and work on the
 * first day). */
static void
day_init (Day *d, MlMobility *m, const MlWorld *w, guint32 person, MlDay day,
          GArray *stays, guint32 start_place)
{
  const MlPerson *p = &w->people[person];
  guint32 home = w->households[p->household].home_place;

  d->m = m;
  d->w = w;
  ml_rng_init (&d->rng, w->sc->seed, ML_STREAM_MOBILITY, person, (guint64) (gint64) day);
  d->out = stays;
  d->first_out = stays->len;
  d->day_start = ml_day_start (day);
  d->day_end = d->day_start + ML_SECONDS_PER_DAY;
  d->cur = start_place;
  d->cur_city = place_city (w, start_place);
  d->since = d->day_start;
  d->mem = &m->mem[person];
  d->growable = TRUE;
  d->exclude = p->role == ML_ROLE_HOME ? ML_NONE : p->work_place;
  d->fb_district = w->places[home].district;
  d->fb_city = place_city (w, home);
  d->base = home;
  d->p_new_n = G_MAXUINT32;
  if (d->mem->n == 0)
    {
      mem_visit (d->mem, home, TRUE, ML_NONE);
      if (p->work_place != ML_NONE && p->role != ML_ROLE_HOME)
        mem_visit (d->mem, p->work_place, TRUE, ML_NONE);
    }
}

void
ml_mobility_day (MlMobility *m, const MlWorld *w, guint32 person, MlDay day, GArray *stays)
{
  const MlPerson *p;
  guint32 home;
  Trip trip;
  gboolean away;
  Day d;

  g_return_if_fail (m != NULL && w != NULL && stays != NULL);
  g_return_if_fail (person < m->n_people && person < w->n_people);
  g_return_if_fail (g_array_get_element_size (stays) == sizeof (MlStay));
  p = &w->people[person];
  home = w->households[p->household].home_place;
  g_return_if_fail (home < w->n_places);

  away = trip_find (m, w, person, day, &trip);
  day_init (&d, m, w, person, day, stays, away && day != trip.start ? trip.hotel : home);
  if (away)
    day_on_trip (&d, p, home, day, &trip);
  else
    day_at_home (&d, p, home, day);
  day_close (&d);
}

guint32
ml_mobility_distinct_places (const MlMobility *m, guint32 person)
{
  g_return_val_if_fail (m != NULL && person < m->n_people, 0);
  return m->mem[person].n;
}

const MlStay *
ml_stay_at (const MlStay *stays, guint n, MlTime t)
{
  guint lo = 0, hi;

  g_return_val_if_fail (stays != NULL && n > 0, NULL);
  g_return_val_if_fail (t >= stays[0].start && t < stays[n - 1].end, NULL);
  hi = n - 1;
  while (lo < hi)   /* the last stay with start <= t */
    {
      guint mid = lo + (hi - lo + 1) / 2;
      if (stays[mid].start <= t)
        lo = mid;
      else
        hi = mid - 1;
    }
  return &stays[lo];
}
