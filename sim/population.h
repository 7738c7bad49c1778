/* population.h -- households, people, workplaces, schools, services and
 * the cast.
 *
 * The second step of building the world (ml_world_new), after
 * ml_places_build() and before the social graph and the network plan.
 * It appends homes, workplaces, schools and service premises to w->places
 * and fills w->households, w->people, w->workplaces, w->services,
 * w->services_by_cat and w->cast.
 *
 * Invariants after ml_population_build():
 *  - exactly sc->people people; a household's members are the consecutive
 *    people [first_member, first_member + size), households (and so
 *    people) are grouped by city in city order, and each city holds
 *    exactly its Zipf share of residents (cities[c].residents);
 *  - person i's handle is ml_handle_number(seed, i); service k's is
 *    ml_handle_number(seed, people + k);
 *  - every worker and student has a work_place (kind ML_PLACE_WORK or
 *    ML_PLACE_SCHOOL), stay-at-home people have ML_NONE;
 *    places[w->workplaces[i]].owner == i;
 *  - devices == 0 exactly when imessage == 0;
 *  - services are numbered category by category; the cast's tip lines
 *    (owner = the cast person) come last; services_by_cat lists them all.
 *
 * Workload: once per run; single-threaded and O(people) but for the
 * O(workplaces log) sorting; about a second for 1,000,000 people.  Every
 * draw comes from a stream keyed by what it is about (household, person,
 * workplace, service, cast member), so the result depends only on the
 * scenario.
 */
#ifndef ML_POPULATION_H
#define ML_POPULATION_H

#include <glib.h>

#include "sim/world.h"

G_BEGIN_DECLS

#define ML_POPULATION_ISPS 3          /* home broadband providers */

/* Build the population of W (whose geography ml_places_build() made) from
 * w->sc.  Fails with ML_ERROR_INPUT naming the offending scenario value
 * (no people, shares that do not add up, more cast members than people);
 * arrays already stored in W are left for the world's destructor then. */
gboolean ml_population_build (MlWorld *w, GError **error);

/* The city person P lives in. */
guint32 ml_population_city_of (const MlWorld *w, guint32 p);

G_END_DECLS

#endif /* ML_POPULATION_H */
