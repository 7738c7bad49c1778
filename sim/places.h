/* places.h -- geography: cities, districts, venues and hotels.
 *
 * The first step of building the world (ml_world_new): a region of
 * sc->cities cities whose sizes follow Zipf's law (Gabaix 1999), each cut
 * into a square grid of district_km cells weighted by Clark's (1951)
 * exponential density, plus sc->distant_cities far-away trip destinations.
 * Venues (cafes, shops, parks, ...) and hotels are the first places of
 * w->places; population.c appends homes, workplaces, schools and service
 * premises after them.
 *
 * Invariants after ml_places_build():
 *  - w->cities: the region cities first, largest first, then the distant
 *    ones (residents 0, in_region FALSE);
 *  - each city's districts are a full g x g grid, g = 2m + 1 odd, stored
 *    row-major from the south-west corner, centred on the city centre, so
 *    that ml_places_district_at() finds a cell in O(1) per city.  Cells
 *    outside the radius that holds 95 % of the Clark mass are "negligible":
 *    they exist (the grid stays square) but have home_weight 0 and receive
 *    no homes, venues, workplaces or premises;
 *  - home_weight sums to 1 over each city's districts;
 *  - places [0, n_venue_index) are the venues (kind ML_PLACE_VENUE) in
 *    district order and w->venue_index[i] == i; the hotels (kind
 *    ML_PLACE_HOTEL) follow, grouped by city in city order.
 *
 * Workload: built once; a 1,000,000-person region has a few thousand
 * districts and about ten thousand venues.  ml_places_district_at() is
 * called per event by mobility and network code: no allocation.
 */
#ifndef ML_PLACES_H
#define ML_PLACES_H

#include <glib.h>

#include "common/rng.h"
#include "sim/world.h"

G_BEGIN_DECLS

/* Categories of places that are not service premises (MlPlace.category
 * when kind != ML_PLACE_SERVICE).  Venues are drawn from the categories
 * below ML_VENUE_N_DRAWN; the others label hotels, schools, workplaces and
 * homes. */
typedef enum {
  ML_VENUE_CAFE,
  ML_VENUE_RESTAURANT,
  ML_VENUE_SHOP,
  ML_VENUE_SUPERMARKET,
  ML_VENUE_GYM,
  ML_VENUE_PARK,
  ML_VENUE_BAR,
  ML_VENUE_LIBRARY,
  ML_VENUE_CLINIC,
  ML_VENUE_WORSHIP,
  ML_VENUE_TRANSIT,
  ML_VENUE_N_DRAWN,             /* venues are drawn from the categories above */
  ML_VENUE_HOTEL = ML_VENUE_N_DRAWN,
  ML_VENUE_SCHOOL,
  ML_VENUE_OFFICE,
  ML_VENUE_HOME,
  ML_N_VENUE_CATEGORIES
} MlVenueCategory;

/* Which density a district alias table follows (ml_places_city_alias). */
typedef enum {
  ML_DENSITY_HOMES,             /* Clark density: home_weight */
  ML_DENSITY_JOBS,              /* home_weight^2: half the decay length */
  ML_DENSITY_VENUES,            /* home_weight plus a central boost */
} MlDensity;

/* Fill w->cities, w->districts, w->places (venues then hotels) and
 * w->venue_index from w->sc.  W must be zeroed but for w->sc.  Every draw
 * comes from ML_STREAM_GEOGRAPHY and ML_STREAM_VENUES streams keyed by city,
 * so the result depends only on the scenario.  Fails with ML_ERROR_INPUT
 * when the scenario cannot make a region (no cities, non-positive sizes);
 * arrays already stored in W are left for the world's destructor then. */
gboolean ml_places_build (MlWorld *w, GError **error);

/* The district containing (LAT, LON), or ML_NONE outside every city's
 * grid.  Where grids overlap (a region too small for its cities) the
 * first city wins.  O(cities), O(1) per city, no allocation. */
guint32 ml_places_district_at (const MlWorld *w, double lat, double lon);

/* The name of venue category CATEGORY ("cafe", "school", ...): a static
 * string, "unknown" out of range. */
const char *ml_venue_category_name (guint8 category);

/* An alias table over the districts of CITY (index i stands for district
 * first_district + i) following DENSITY.  Returns a new table the caller
 * frees, or NULL with ERROR set if the city has no weight. */
MlAlias *ml_places_city_alias (const MlWorld *w, guint32 city, MlDensity density,
                               GError **error);

/* A point drawn uniformly inside the cell of DISTRICT, from RNG.
 * Writes *LAT and *LON. */
void ml_places_jitter (const MlWorld *w, guint32 district, MlRng *rng,
                       double *lat, double *lon);

/* The hotels of CITY: places [*FIRST, *FIRST + return value).  Returns 0
 * (and *FIRST = ML_NONE) if the city has none.  Binary search. */
guint32 ml_places_city_hotels (const MlWorld *w, guint32 city, guint32 *first);

G_END_DECLS

#endif /* ML_PLACES_H */
