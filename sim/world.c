/* world.c -- building and freeing the simulated world.
 *
 * ml_world_new() runs the builders in dependency order: geography and
 * venues (places.c), households, people, workplaces and services
 * (population.c), the social graph (socialgraph.c), then the address plan
 * (network.c).  Each builder fills its part of MlWorld; this file owns the
 * lifetime of every array.  Called once per run.
 */
#include "sim/network.h"
#include "sim/places.h"
#include "sim/population.h"
#include "sim/socialgraph.h"
#include "sim/world.h"

MlWorld *
ml_world_new (const MlScenario *sc, GError **error)
{
  g_autoptr(MlWorld) w = g_new0 (MlWorld, 1);

  g_return_val_if_fail (sc != NULL, NULL);
  w->sc = sc;
  if (!ml_places_build (w, error)
      || !ml_population_build (w, error)
      || !ml_socialgraph_build (w, error)
      || !ml_network_build (w, error))
    return NULL;
  return g_steal_pointer (&w);
}

void
ml_world_free (MlWorld *w)
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
  g_free (w->graph.offset);
  g_free (w->graph.edges);
  for (guint32 i = 0; i < w->n_cast; i++)
    g_free (w->cast[i].name);
  g_free (w->cast);
  g_clear_pointer (&w->net, ml_network_free);
  g_free (w);
}
