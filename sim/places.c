/* places.c -- geography: cities, districts, venues and hotels.
 *
 * Builds the region the population lives in (see places.h for the
 * invariants).  City sizes: Zipf's law, residents_k proportional to
 * k^-city_zipf (Gabaix 1999, "Zipf's law for cities: an explanation", QJE
 * 114: exponent ~1), rounded by largest remainder so they sum to
 * sc->people.  Density inside a city: Clark (1951, "Urban population
 * densities", JRSS A 114), D(r) proportional to exp(-r / h) with
 * h = density_decay_km * sqrt(residents / 1e5), so that a city's area grows
 * with its population (constant central density).  The grid reaches the
 * radius 4.744 h that holds 95 % of the mass ((1 + x) e^-x = 0.05).
 *
 * Each cell's weight is the density averaged over 4 x 4 sample points, so
 * that a small city (h below a cell) is not all put in its centre cell by
 * evaluating exp(-r/h) at r = 0 only.  Distance arithmetic is planar in
 * each city's own equirectangular frame (km north and east of its centre);
 * ml_places_district_at() inverts exactly the map used to place centroids.
 *
 * Workload: once per run, O(cities^2 + districts + venues); the per-event
 * lookup costs at most one cos() per city whose latitude band matches.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "common/geo.h"
#include "sim/places.h"

#define KM_PER_DEG (G_PI * ML_GEO_EARTH_RADIUS_KM / 180.0)
#define DEG2RAD (G_PI / 180.0)
#define CLARK_R95 4.7439          /* (1 + x) e^-x = 0.05: 95 % of the Clark mass */
#define CELL_SAMPLES 4            /* 4 x 4 sample points per cell */
#define MAX_GRID_HALF 150         /* at most 301 x 301 cells a city */
#define MIN_DECAY_CELLS 0.25      /* h >= district_km / 4 (empty cities) */
#define PLACE_TRIES 2000          /* rejection tries to place a city */
#define DISTANT_GRID_HALF 2       /* distant cities: 5 x 5 cells */
#define DISTANT_MIN_KM 300.0
#define DISTANT_MAX_KM 3000.0
#define DISTANT_VENUES 40         /* assumption: enough for a visitor's week */
#define DISTANT_HOTELS 8          /* assumption */
#define REGION_HOTEL_PEOPLE 50000 /* assumption: 1 + residents / 50,000 hotels */
#define CBD_MIX 0.5               /* venue density: half homes, half central boost */

/* Venue category mix and relative Wi-Fi propensity (assumptions: retail
 * and food dominate street-level businesses; cafes, libraries and transit
 * hubs advertise free Wi-Fi far more often than shops or parks).  The
 * propensities are rescaled so that the overall share of venues with
 * public Wi-Fi is sc->venue_wifi_share. */
static const struct {
  const char *name;
  double share;
  double wifi;
} categories[ML_N_VENUE_CATEGORIES] = {
  [ML_VENUE_CAFE]        = { "cafe",        0.12, 3.0 },
  [ML_VENUE_RESTAURANT]  = { "restaurant",  0.20, 1.2 },
  [ML_VENUE_SHOP]        = { "shop",        0.30, 0.3 },
  [ML_VENUE_SUPERMARKET] = { "supermarket", 0.06, 0.5 },
  [ML_VENUE_GYM]         = { "gym",         0.05, 1.0 },
  [ML_VENUE_PARK]        = { "park",        0.08, 0.3 },
  [ML_VENUE_BAR]         = { "bar",         0.07, 1.2 },
  [ML_VENUE_LIBRARY]     = { "library",     0.02, 3.0 },
  [ML_VENUE_CLINIC]      = { "clinic",      0.04, 1.0 },
  [ML_VENUE_WORSHIP]     = { "worship",     0.04, 0.5 },
  [ML_VENUE_TRANSIT]     = { "transit",     0.02, 1.5 },
  [ML_VENUE_HOTEL]       = { "hotel",       0.0,  0.0 },
  [ML_VENUE_SCHOOL]      = { "school",      0.0,  0.0 },
  [ML_VENUE_OFFICE]      = { "office",      0.0,  0.0 },
  [ML_VENUE_HOME]        = { "home",        0.0,  0.0 },
};

/* Synthetic city names: prefix x suffix, 24 x 16 = 384 distinct names. */
static const char *const name_first[] = {
  "Alder", "Birch", "Cedar", "Elm", "Fern", "Glen", "Hazel", "Iron",
  "Juniper", "Kings", "Lark", "Maple", "North", "Oak", "Pine", "Quarry",
  "Raven", "Stone", "Thorn", "Willow", "Ash", "Bright", "Clear", "Deer",
};
static const char *const name_second[] = {
  "Falls", "Haven", "Ford", "Bridge", "Port", "Field", "Brook", "Hill",
  "Wood", "Vale", "Ridge", "Mouth", "Crossing", "Springs", "Harbor", "Point",
};
#define N_NAMES (G_N_ELEMENTS (name_first) * G_N_ELEMENTS (name_second))

const char *
ml_venue_category_name (guint8 category)
{
  if (category >= ML_N_VENUE_CATEGORIES)
    return "unknown";
  return categories[category].name;
}

/* ---- city frames and grids ---------------------------------------------- */

/* Half the side, in cells, of CITY's square grid (g = 2 half + 1). */
static guint32
grid_half (const MlCity *city)
{
  guint32 g = (guint32) lround (sqrt ((double) city->n_districts));

  return (g - 1) / 2;
}

/* The point NORTH, EAST km from CITY's centre in its equirectangular frame. */
static void
city_to_latlon (const MlCity *city, double north, double east, double *lat, double *lon)
{
  double x = city->lon + east / (KM_PER_DEG * cos (city->lat * DEG2RAD));

  *lat = city->lat + north / KM_PER_DEG;
  *lon = x >= 180.0 ? x - 360.0 : x < -180.0 ? x + 360.0 : x;
}

/* The cell of CITY's grid (cell size D km) holding (LAT, LON): TRUE and
 * *ROW, *COL when inside the grid. */
static gboolean
city_cell (const MlCity *city, double d, double lat, double lon, guint32 *row, guint32 *col)
{
  guint32 half = grid_half (city);
  double extent = (half + 0.5) * d;
  double north = (lat - city->lat) * KM_PER_DEG, east, dlon;

  if (fabs (north) >= extent)
    return FALSE;
  dlon = lon - city->lon;
  dlon = dlon >= 180.0 ? dlon - 360.0 : dlon < -180.0 ? dlon + 360.0 : dlon;
  east = dlon * KM_PER_DEG * cos (city->lat * DEG2RAD);
  if (fabs (east) >= extent)
    return FALSE;
  *row = MIN ((guint32) floor (north / d + half + 0.5), 2 * half);
  *col = MIN ((guint32) floor (east / d + half + 0.5), 2 * half);
  return TRUE;
}

guint32
ml_places_district_at (const MlWorld *w, double lat, double lon)
{
  g_return_val_if_fail (w != NULL && w->sc != NULL, ML_NONE);

  for (guint32 c = 0; c < w->n_cities; c++)
    {
      const MlCity *city = &w->cities[c];
      guint32 row, col;

      if (city_cell (city, w->sc->district_km, lat, lon, &row, &col))
        return city->first_district + row * (2 * grid_half (city) + 1) + col;
    }
  return ML_NONE;
}

void
ml_places_jitter (const MlWorld *w, guint32 district, MlRng *rng, double *lat, double *lon)
{
  const MlDistrict *dist;
  const MlCity *city;
  double d, north, east;
  guint32 half, g, cell;

  g_return_if_fail (w != NULL && district < w->n_districts && rng != NULL);

  dist = &w->districts[district];
  city = &w->cities[dist->city];
  d = w->sc->district_km;
  half = grid_half (city);
  g = 2 * half + 1;
  cell = district - city->first_district;
  north = ((double) (cell / g) - half + ml_rng_uniform (rng) - 0.5) * d;
  east = ((double) (cell % g) - half + ml_rng_uniform (rng) - 0.5) * d;
  city_to_latlon (city, north, east, lat, lon);
}

/* The mean of exp(-r/H) over CELL_SAMPLES^2 points of the cell of side D
 * centred NORTH, EAST km from the city centre. */
static double
cell_mass (double north, double east, double d, double h)
{
  double sum = 0.0;

  for (int i = 0; i < CELL_SAMPLES; i++)
    for (int j = 0; j < CELL_SAMPLES; j++)
      {
        double y = north + d * ((i + 0.5) / CELL_SAMPLES - 0.5);
        double x = east + d * ((j + 0.5) / CELL_SAMPLES - 0.5);
        sum += exp (-sqrt (x * x + y * y) / h);
      }
  return sum / (CELL_SAMPLES * CELL_SAMPLES);
}

/* Clark decay length (km) of city C. */
static double
city_decay_km (const MlScenario *sc, const MlCity *city)
{
  double h;

  if (!city->in_region)
    return sc->density_decay_km;           /* a nominal city of 10^5 */
  h = sc->density_decay_km * sqrt (city->residents / 1e5);
  return MAX (h, MIN_DECAY_CELLS * sc->district_km);
}

/* Grid half-size (cells) for CITY: reach the 95 % radius, at least 1. */
static guint32
city_grid_half (const MlScenario *sc, const MlCity *city)
{
  double r95, half;

  if (!city->in_region)
    return DISTANT_GRID_HALF;
  r95 = CLARK_R95 * city_decay_km (sc, city);
  half = ceil (r95 / sc->district_km - 0.5);
  return (guint32) CLAMP (half, 1.0, (double) MAX_GRID_HALF);
}

/* Fill the districts of city C (first_district and n_districts set):
 * centroids and normalised Clark weights; cells beyond the 95 % radius
 * get weight 0. */
static void
fill_city_districts (MlWorld *w, guint32 c)
{
  const MlScenario *sc = w->sc;
  const MlCity *city = &w->cities[c];
  guint32 half = grid_half (city), g = 2 * half + 1;
  double d = sc->district_km, h = city_decay_km (sc, city), sum = 0.0;
  double r95 = CLARK_R95 * h;

  for (guint32 i = 0; i < city->n_districts; i++)
    {
      MlDistrict *dist = &w->districts[city->first_district + i];
      double north = ((double) (i / g) - half) * d, east = ((double) (i % g) - half) * d;
      gboolean centre = i / g == half && i % g == half;

      memset (dist, 0, sizeof *dist);
      dist->city = c;
      dist->bb_block = ML_NONE;
      city_to_latlon (city, north, east, &dist->lat, &dist->lon);
      if (city->in_region && !centre && sqrt (north * north + east * east) > r95)
        continue;
      dist->home_weight = cell_mass (north, east, d, h);
      sum += dist->home_weight;
    }
  for (guint32 i = 0; i < city->n_districts; i++)
    w->districts[city->first_district + i].home_weight /= sum;
}

MlAlias *
ml_places_city_alias (const MlWorld *w, guint32 city, MlDensity density, GError **error)
{
  const MlCity *cy;
  g_autofree double *weight = NULL;
  double cube_sum = 0.0;

  g_return_val_if_fail (w != NULL && city < w->n_cities, NULL);

  cy = &w->cities[city];
  weight = g_new (double, cy->n_districts);
  for (guint32 i = 0; i < cy->n_districts; i++)
    cube_sum += pow (w->districts[cy->first_district + i].home_weight, 3.0);
  for (guint32 i = 0; i < cy->n_districts; i++)
    {
      double hw = w->districts[cy->first_district + i].home_weight;

      switch (density)
        {
        case ML_DENSITY_JOBS:
          weight[i] = hw * hw;
          break;
        case ML_DENSITY_VENUES:
          weight[i] = (1.0 - CBD_MIX) * hw + CBD_MIX * hw * hw * hw / cube_sum;
          break;
        case ML_DENSITY_HOMES:
        default:
          weight[i] = hw;
          break;
        }
    }
  return ml_alias_new (weight, cy->n_districts, error);
}

/* ---- cities ------------------------------------------------------------- */

/* Zipf residents (largest remainder rounding, ties to the larger city)
 * for the N region cities, summing to PEOPLE. */
static void
zipf_residents (MlCity *cities, guint32 n, guint32 people, double s)
{
  g_autofree double *share = g_new (double, n);
  double sum = 0.0;
  guint64 given = 0;

  for (guint32 k = 0; k < n; k++)
    sum += share[k] = pow (k + 1.0, -s);
  for (guint32 k = 0; k < n; k++)
    {
      share[k] = share[k] / sum * people;
      cities[k].residents = (guint32) floor (share[k]);
      share[k] -= cities[k].residents;
      given += cities[k].residents;
    }
  for (; given < people; given++)
    {
      guint32 best = 0;

      for (guint32 k = 1; k < n; k++)
        if (share[k] > share[best])
          best = k;
      cities[best].residents++;
      share[best] = -1.0;
    }
}

/* How far square A (centre AX, AY, half-side AH) is from overlapping
 * square B, counting a one-cell GAP: >= 0 means apart. */
static double
square_slack (double ax, double ay, double ah, double bx, double by, double bh, double gap)
{
  double need = ah + bh + gap;

  return MAX (fabs (ax - bx) - need, fabs (ay - by) - need);
}

/* Place the N region cities (grid half-sides HALF_KM) in the region square:
 * the largest at the centre, the others uniformly with no overlap where
 * PLACE_TRIES tries allow, else at the least overlapping try.  Writes
 * km offsets X, Y from the region centre. */
static void
place_region_cities (const MlScenario *sc, guint32 n, const double *half_km, double *x, double *y)
{
  MlRng rng;

  ml_rng_init (&rng, sc->seed, ML_STREAM_GEOGRAPHY, 0, 0);
  x[0] = y[0] = 0.0;
  for (guint32 c = 1; c < n; c++)
    {
      double lim = MAX (0.0, sc->region_km / 2.0 - half_km[c]), best = -G_MAXDOUBLE;

      for (int t = 0; t < PLACE_TRIES && best < 0.0; t++)
        {
          double cx = ml_rng_range (&rng, -lim, lim), cy = ml_rng_range (&rng, -lim, lim);
          double slack = G_MAXDOUBLE;

          for (guint32 j = 0; j < c; j++)
            {
              double sj = square_slack (cx, cy, half_km[c], x[j], y[j], half_km[j], sc->district_km);
              slack = MIN (slack, sj);
            }
          if (slack > best)
            {
              best = slack;
              x[c] = cx;
              y[c] = cy;
            }
        }
    }
}

/* Name city K of the run: a permutation of the name table (start and step
 * from the seed; the step is coprime with 384 = 2^7 * 3), numbered after
 * the table is used up. */
static void
name_city (MlCity *city, guint32 k, guint64 start, guint64 step)
{
  guint64 i = (start + k * step) % N_NAMES;
  const char *a = name_first[i / G_N_ELEMENTS (name_second)];
  const char *b = name_second[i % G_N_ELEMENTS (name_second)];

  if (k < N_NAMES)
    g_snprintf (city->name, sizeof city->name, "%s %s", a, b);
  else
    g_snprintf (city->name, sizeof city->name, "%s %s %u", a, b, k / (guint32) N_NAMES + 1);
}

/* Distant city centres: a uniform bearing and a log-uniform distance in
 * [300, 3000] km from the region centre (assumption: nearer destinations
 * are more common, as in gravity models of travel). */
static void
place_distant_city (const MlScenario *sc, MlCity *city, guint32 k)
{
  MlRng rng;
  double bearing, dist;

  ml_rng_init (&rng, sc->seed, ML_STREAM_GEOGRAPHY, 2, k);
  bearing = ml_rng_range (&rng, 0.0, 360.0);
  dist = exp (ml_rng_range (&rng, log (DISTANT_MIN_KM), log (DISTANT_MAX_KM)));
  ml_geo_destination (sc->center_lat, sc->center_lon, bearing, dist, &city->lat, &city->lon);
}

/* Make the cities: sizes, positions, names, grid sizes (n_districts and
 * first_district).  Returns the total number of districts. */
static guint32
make_cities (MlWorld *w)
{
  const MlScenario *sc = w->sc;
  guint32 n_region = (guint32) sc->cities, total = 0;
  g_autofree double *half_km = g_new (double, n_region);
  g_autofree double *x = g_new (double, n_region);
  g_autofree double *y = g_new (double, n_region);
  MlRng rng;
  guint64 start, step;

  zipf_residents (w->cities, n_region, sc->people, sc->city_zipf);
  for (guint32 c = 0; c < w->n_cities; c++)
    {
      MlCity *city = &w->cities[c];
      guint32 half;

      city->in_region = c < n_region;
      half = city_grid_half (sc, city);
      city->first_district = total;
      city->n_districts = (2 * half + 1) * (2 * half + 1);
      total += city->n_districts;
      if (c < n_region)
        half_km[c] = (half + 0.5) * sc->district_km;
    }
  place_region_cities (sc, n_region, half_km, x, y);
  for (guint32 c = 0; c < n_region; c++)
    ml_geo_offset (sc->center_lat, sc->center_lon, y[c], x[c], &w->cities[c].lat, &w->cities[c].lon);
  for (guint32 c = n_region; c < w->n_cities; c++)
    place_distant_city (sc, &w->cities[c], c - n_region);
  ml_rng_init (&rng, sc->seed, ML_STREAM_GEOGRAPHY, 1, 0);
  start = ml_rng_below (&rng, N_NAMES);
  step = 1 + 6 * ml_rng_below (&rng, 64);
  for (guint32 c = 0; c < w->n_cities; c++)
    name_city (&w->cities[c], c, start, step);
  return total;
}

/* ---- venues and hotels -------------------------------------------------- */

static guint32
city_venue_count (const MlScenario *sc, const MlCity *city)
{
  if (!city->in_region)
    return DISTANT_VENUES;
  return MAX (1, (guint32) lround (sc->venues_per_1000 * city->residents / 1000.0));
}

static guint32
city_hotel_count (const MlCity *city)
{
  if (!city->in_region)
    return DISTANT_HOTELS;
  return 1 + city->residents / REGION_HOTEL_PEOPLE;
}

/* Probability of public Wi-Fi for each drawn venue category: the
 * propensities rescaled to the scenario's overall share, capped at 1. */
static void
venue_wifi_probabilities (const MlScenario *sc, double p[ML_VENUE_N_DRAWN])
{
  double mean = 0.0;

  for (int k = 0; k < ML_VENUE_N_DRAWN; k++)
    mean += categories[k].share * categories[k].wifi;
  for (int k = 0; k < ML_VENUE_N_DRAWN; k++)
    p[k] = MIN (1.0, sc->venue_wifi_share * categories[k].wifi / mean);
}

/* A new place of KIND in DISTRICT at a jittered point, drawn from RNG. */
static void
init_place (MlWorld *w, MlPlace *pl, guint32 district, guint8 kind, MlRng *rng)
{
  memset (pl, 0, sizeof *pl);
  ml_places_jitter (w, district, rng, &pl->lat, &pl->lon);
  pl->district = district;
  pl->owner = ML_NONE;
  pl->kind = kind;
  pl->attractiveness = (float) ml_rng_lognormal (rng, 0.0, 1.0);
}

/* Context for venue generation: the category table and Wi-Fi odds. */
typedef struct {
  MlAlias *category;
  double wifi[ML_VENUE_N_DRAWN];
} VenueKit;

/* Make city C's venues at places [*NEXT, ...) grouped by district and fill
 * the district venue lists.  Draws from stream (VENUES, C, 0). */
static gboolean
make_city_venues (MlWorld *w, guint32 c, const VenueKit *kit, guint32 *next, GError **error)
{
  const MlCity *city = &w->cities[c];
  g_autoptr(MlAlias) alias = ml_places_city_alias (w, c, ML_DENSITY_VENUES, error);
  g_autofree guint32 *count = NULL;
  guint32 n = city_venue_count (w->sc, city);
  MlRng rng;

  if (alias == NULL)
    return FALSE;
  ml_rng_init (&rng, w->sc->seed, ML_STREAM_VENUES, c, 0);
  count = g_new0 (guint32, city->n_districts);
  for (guint32 k = 0; k < n; k++)
    count[ml_alias_sample (alias, &rng)]++;
  for (guint32 i = 0; i < city->n_districts; i++)
    {
      MlDistrict *dist = &w->districts[city->first_district + i];

      dist->first_venue = *next;
      dist->n_venues = count[i];
      for (guint32 k = 0; k < count[i]; k++, (*next)++)
        {
          MlPlace *pl = &w->places[*next];
          guint8 cat = (guint8) ml_alias_sample (kit->category, &rng);

          init_place (w, pl, city->first_district + i, ML_PLACE_VENUE, &rng);
          pl->category = cat;
          pl->wifi = ml_rng_bernoulli (&rng, kit->wifi[cat]) ? ML_WIFI_PUBLIC : ML_WIFI_NONE;
          w->venue_index[*next] = *next;
        }
    }
  return TRUE;
}

/* Make city C's hotels at places [*NEXT, ...): public Wi-Fi, placed like
 * venues.  Draws from stream (VENUES, C, 1). */
static gboolean
make_city_hotels (MlWorld *w, guint32 c, guint32 *next, GError **error)
{
  g_autoptr(MlAlias) alias = ml_places_city_alias (w, c, ML_DENSITY_VENUES, error);
  guint32 n = city_hotel_count (&w->cities[c]);
  MlRng rng;

  if (alias == NULL)
    return FALSE;
  ml_rng_init (&rng, w->sc->seed, ML_STREAM_VENUES, c, 1);
  for (guint32 k = 0; k < n; k++, (*next)++)
    {
      MlPlace *pl = &w->places[*next];
      guint32 district = w->cities[c].first_district + (guint32) ml_alias_sample (alias, &rng);

      init_place (w, pl, district, ML_PLACE_HOTEL, &rng);
      pl->category = ML_VENUE_HOTEL;
      pl->wifi = ML_WIFI_PUBLIC;
    }
  return TRUE;
}

/* Allocate w->places and w->venue_index, then make every city's venues
 * (district order) followed by every city's hotels (city order). */
static gboolean
make_venues_and_hotels (MlWorld *w, GError **error)
{
  double shares[ML_VENUE_N_DRAWN];
  g_autoptr(MlAlias) category = NULL;
  VenueKit kit;
  guint32 n_venues = 0, n_hotels = 0, next = 0;

  for (guint32 c = 0; c < w->n_cities; c++)
    {
      n_venues += city_venue_count (w->sc, &w->cities[c]);
      n_hotels += city_hotel_count (&w->cities[c]);
    }
  for (int k = 0; k < ML_VENUE_N_DRAWN; k++)
    shares[k] = categories[k].share;
  category = ml_alias_new (shares, ML_VENUE_N_DRAWN, error);
  g_assert (category != NULL);
  kit.category = category;
  venue_wifi_probabilities (w->sc, kit.wifi);
  w->places = g_new (MlPlace, n_venues + n_hotels);
  w->n_places = n_venues + n_hotels;
  w->venue_index = g_new (guint32, n_venues);
  w->n_venue_index = n_venues;
  for (guint32 c = 0; c < w->n_cities; c++)
    if (!make_city_venues (w, c, &kit, &next, error))
      return FALSE;
  for (guint32 c = 0; c < w->n_cities; c++)
    if (!make_city_hotels (w, c, &next, error))
      return FALSE;
  g_assert (next == w->n_places);
  return TRUE;
}

guint32
ml_places_city_hotels (const MlWorld *w, guint32 city, guint32 *first)
{
  guint32 lo, hi, end, begin;

  g_return_val_if_fail (w != NULL && city < w->n_cities && first != NULL, 0);

  /* hotels are [n_venue_index, end): find end, then the city's range */
  lo = w->n_venue_index;
  hi = w->n_places;
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (w->places[mid].kind == ML_PLACE_HOTEL)
        lo = mid + 1;
      else
        hi = mid;
    }
  end = lo;
  for (lo = w->n_venue_index, hi = end; lo < hi;)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (w->districts[w->places[mid].district].city < city)
        lo = mid + 1;
      else
        hi = mid;
    }
  begin = lo;
  while (lo < end && w->districts[w->places[lo].district].city == city)
    lo++;
  *first = lo > begin ? begin : ML_NONE;
  return lo - begin;
}

/* ---- entry point -------------------------------------------------------- */

static gboolean
check_scenario (const MlScenario *sc, GError **error)
{
  if (sc->cities < 1 || sc->distant_cities < 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                   "geography: need at least one city (cities = %d, distant_cities = %d)",
                   sc->cities, sc->distant_cities);
      return FALSE;
    }
  if (!(sc->region_km > 0.0 && sc->district_km > 0.0 && sc->density_decay_km > 0.0
        && sc->city_zipf >= 0.0 && sc->venues_per_1000 >= 0.0))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                   "geography: region_km, district_km and density_decay_km must be positive, city_zipf and venues_per_1000 not negative");
      return FALSE;
    }
  return TRUE;
}

gboolean
ml_places_build (MlWorld *w, GError **error)
{
  const MlScenario *sc;

  g_return_val_if_fail (w != NULL && w->sc != NULL, FALSE);
  g_return_val_if_fail (w->cities == NULL && w->places == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sc = w->sc;
  if (!check_scenario (sc, error))
    return FALSE;
  w->n_cities = (guint32) (sc->cities + sc->distant_cities);
  w->cities = g_new0 (MlCity, w->n_cities);
  w->n_districts = make_cities (w);
  w->districts = g_new (MlDistrict, w->n_districts);
  for (guint32 c = 0; c < w->n_cities; c++)
    fill_city_districts (w, c);
  return make_venues_and_hotels (w, error);
}
