/* socialgraph.h -- the social graph: who is tied to whom, and how strongly.
 *
 * Builds world->graph (the CSR of world.h) from the population: a community
 * skeleton (households, extended families, work teams and classes, friend
 * groups) plus triadic closure, random weak ties bridging communities and
 * the confidential sources of the scenario's cast, with heavy-tailed,
 * mostly reciprocated tie weights (Onnela et al., PNAS 2007).  Also measures
 * the graph with igraph for calibration.json and the tests.
 *
 * Called once per run, after population.c and before the messaging model,
 * which reads the graph without locks.  The model and its parameters are
 * documented in docs/model/socialgraph.md.
 */
#ifndef ML_SOCIALGRAPH_H
#define ML_SOCIALGRAPH_H

#include <glib.h>

#include "sim/world.h"

G_BEGIN_DECLS

/* Build W->graph from W's households, people, places, cities and cast, with
 * the [social] knobs of W->sc.  On return every tie appears in both
 * directions, the edges of each person are sorted by .other, there are no
 * self-ties and no duplicates (a pair tied in several contexts keeps the
 * kind of its strongest one: household > family > friend > school >
 * co-worker > closure > weak), kinds agree both ways, and each person's
 * out-weights sum to 1 (the messaging model multiplies them by the person's
 * activity); a person without ties has none.  Deterministic in W->sc->seed
 * whatever W->sc->threads.  Any previous W->graph is freed.  Arrays are
 * allocated with g_new (ml_world_free releases them with g_free).  Fails
 * (ML_ERROR_FAILED) only if the graph would exceed 2^32 - 1 directed
 * edges; W->graph is untouched then. */
gboolean ml_socialgraph_build (MlWorld *w, GError **error);

/* Graph statistics measured with igraph (for calibration.json and tests).
 * Ties are undirected for every structural measure. */
typedef struct {
  double mean_degree, median_degree, max_degree;
  double degree_cv;               /* std/mean of degrees */
  double clustering_global;       /* transitivity: 3 x triangles / connected triples */
  double clustering_avg_local;    /* mean local clustering, 0 for degree < 2 (igraph ZERO mode) */
  double weight_reciprocity;      /* share of ties used both ways (both weights > 0) */
  double weight_asymmetric;       /* share of ties whose weaker direction is < 1/4 of the stronger */
  double powerlaw_alpha, powerlaw_xmin, powerlaw_p; /* discrete power-law fit of degrees >= 1 */
  double assortativity;           /* degree assortativity (Newman 2002) */
  guint32 components, giant_size; /* connected components, people in the largest */
  double weight_tail_ratio;       /* p99/p50 of the positive directed weights */
} MlGraphStats;

/* Measure W->graph into OUT.  The power-law fit (Clauset, Shalizi & Newman
 * 2009, igraph_power_law_fit) uses at most 20,000 degrees drawn with a fixed
 * seed and a bootstrap p-value of precision 0.05; it reseeds igraph's
 * default RNG, so it is not safe to call from two threads at once.  A graph
 * without ties yields zeros.  Fails (ML_ERROR_FAILED) if igraph does. */
gboolean ml_socialgraph_stats (const MlWorld *w, MlGraphStats *out, GError **error);

/* Degree histogram of W->graph: counts[k] = people with degree k for
 * k = 0 .. max degree; *N_BINS = max degree + 1.  The caller frees the
 * array with g_free. */
guint32 *ml_socialgraph_degree_histogram (const MlWorld *w, guint32 *n_bins);

G_END_DECLS

#endif /* ML_SOCIALGRAPH_H */
