/* popmode.h -- population mode: what a bulk collection of the whole log reveals.
 *
 * `metaleak analyze RUN --population` models a demand for the provider's
 * whole lookup log (every source, not just the targets) over the case's
 * order schedule: the rows of the returned windows of chain positions
 * 0 .. extensions (docs/analyze/population.md).  From it, popmode infers
 * every source's home and work, reconstructs the lookup graph, and
 * measures re-identification: how many people a few (hour, place) points
 * of their own trace make unique (de Montjoye et al., Sci. Rep. 3:1376,
 * 2013) and how many their (home, work) pair does at several spatial
 * scales (Golle & Partridge, Pervasive 2009).  Like every inference it
 * reads only provider.db and the public GeoIP database; an evaluator, when
 * given, scores the reconstructed graph against truth (evaluate.h).
 *
 * Workload: one full scan of lookup_log, split into fixed rowid ranges
 * read by one connection per thread (common/parallel.h): 10^8 rows in 47 s
 * on two shared cores with the file in the page cache (population.md).
 * Memory per thread: ~16 bytes per distinct directed (source, lookup) pair
 * and ~32 per (source, place) pair; one bitmap of handles / 8 bytes per
 * sampled point at a cellular place, shared.
 */
#ifndef ML_POPMODE_H
#define ML_POPMODE_H

#include <glib.h>

#include "analyze/analysis.h"
#include "analyze/evaluate.h"
#include "common/db.h"

G_BEGIN_DECLS

#define ML_POP_K_MAX 8          /* uniqueness with k = 1 .. 8 points */
#define ML_POP_N_SCALES 4

typedef struct {
  double uniqueness[ML_POP_K_MAX + 1];       /* [k] share of people unique with k random (hour, place) points,
                                                k = 1..8; NAN when nobody had k points; [0] unused */
  guint32 people;                            /* sources considered (with >= 10 located lookups) */
  double homework_unique[ML_POP_N_SCALES];   /* share unique by (home cell, work cell) at the scales below;
                                                NAN when nobody has both */
  double scales_km[ML_POP_N_SCALES];         /* 0.5, 2, 10, 50 */
  guint64 edges;                             /* directed lookup edges among sources (all windows) */
} MlPopResult;

/* Run population mode for case C on PROVIDER (borrowed; extra read-only
 * connections to its file are opened for the parallel scan), geolocating
 * client IPs with the MaxMind DB at MMDB_PATH (NULL: no GeoIP, so no
 * places: uniqueness and home/work stay NAN, the graph is still built).
 * C->first_service must be resolved; ML_CASE_SERVICE_AUTO means "no
 * orders": the whole log, as window 0.  Writes tables uniqueness,
 * homework_unique and population_graph (created if missing) into ANALYSIS,
 * inside the caller's transaction if one is open, else in one of their
 * own.  If E is non-NULL, the graph is also scored against
 * the truth ties (ml_evaluate_population_graph) and the rows added to
 * population_graph.  Fills *OUT on success (OUT may be NULL).  FALSE with
 * ERROR set on SQLite failures (ML_ERROR_INTERRUPTED on SIGINT) or an
 * unreadable GeoIP database (ML_ERROR_IO / ML_ERROR_INPUT). */
gboolean ml_popmode_run (const MlCase *c, MlDb *provider, const char *mmdb_path, MlEvaluator *e,
                         MlDb *analysis, MlPopResult *out, GError **error);

G_END_DECLS

#endif /* ML_POPMODE_H */
