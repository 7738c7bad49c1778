/* evaluate.h -- the evaluator: inferences scored against the simulation's truth.
 *
 * The wall (DESIGN.md): evaluate.c is the only file of the analyzer that
 * opens RUN/truth.db.  Inference code (infer.h, popmode.h) never sees
 * truth; the driver hands the results of the inferences to the functions
 * below, which compare them with truth and return numbers (MlMetric rows)
 * or write the per-target detail tables of docs/analyze/outputs.md.
 * Imported real logs have no truth.db: ml_evaluator_open() fails with
 * ML_ERROR_IO and the driver skips evaluation.
 *
 * Joins: truth people(handle_id) and services(handle_id) equal provider
 * handles.id for simulated runs (sim/handles.h), so handles are mapped to
 * people and services on the integer id.
 *
 * Workload: one evaluator per case.  Opening preloads the people and
 * services (one scan each) and, for the targets, their ties, households,
 * co-workers and their rows of the four big tables (stays, messages_daily,
 * service_contacts, trips: one full scan each, four scans in parallel,
 * filtered in C by the targets' person ids; no index is built).  Scoring a
 * target for one window count is then linear in its contacts and truth
 * rows: 1,000 targets x 12 window counts take well under a second.  An
 * evaluator is used by one thread at a time (it runs its own scan threads
 * while opening).  docs/analyze/evaluation.md defines every metric.
 */
#ifndef ML_EVALUATE_H
#define ML_EVALUATE_H

#include <glib.h>

#include "analyze/analysis.h"
#include "analyze/infer.h"
#include "common/db.h"
#include "common/timeutil.h"

G_BEGIN_DECLS

/* What the inferences found about one target at one window count. */
typedef struct {
  gint64 target;              /* handles.id in provider.db */
  const char *target_text;    /* handle text as logged: the metrics' scope */
  int n_windows;
  GArray *contacts;           /* MlContact, all, ranked (infer.h) */
  GArray *reported;           /* MlContact reported (ml_contacts_reported) */
  const MlLocation *location; /* infer.h; may be NULL (nothing located) */
  GArray *colocated;          /* MlCoLocated; may be NULL */
  GArray *sensitive;          /* MlSensitiveHit; may be NULL */
  GArray *hops;               /* MlHopReach, or NULL (case-wide, scored once per n with scope "all") */
  const MlWindowSet *covered; /* the time the evidence covers for this target (common/timeutil.h) */
  const MlEvidence *ev;       /* for handle text (ev->provider) and the case (ev->c: trip_km);
                                 may be NULL */
} MlTargetResult;

/* One row of the metrics table. */
typedef struct {
  int n_windows;
  char scope[48];             /* a target's handle text, "all" or "population" */
  char metric[40];
  double value;
} MlMetric;

typedef struct MlEvaluator MlEvaluator;

/* Whether RUN_DIR holds a ground truth to score against (a simulation run,
 * not an imported real log).  The driver asks this instead of naming the
 * truth file itself: only the evaluator knows where truth lives. */
gboolean ml_evaluator_available (const char *run_dir);

/* Open RUN_DIR/truth.db read-only and preload what scoring TARGETS (a
 * GArray of gint64 handle ids; may be NULL or empty) needs: people and
 * services whole; for the targets that are people, their ties, household
 * members and co-workers, and their rows of stays, messages_daily (as
 * sender), service_contacts and trips (one full scan of each table, in
 * parallel).  Returns a new evaluator (free with ml_evaluator_free()) or
 * NULL with ERROR set: ML_ERROR_IO when RUN_DIR has no truth.db (imported
 * real logs: the driver then skips evaluation), ML_ERROR_SCHEMA when it is
 * not a truth database of this version, ML_ERROR_DB on SQLite failures. */
MlEvaluator *ml_evaluator_open (const char *run_dir, GArray *targets, GError **error);

/* Close E and free everything it holds.  NULL is ignored. */
void ml_evaluator_free (MlEvaluator *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlEvaluator, ml_evaluator_free)

/* Append to METRICS (a GArray of MlMetric) the rows of every per-target
 * metric of docs/analyze/outputs.md that compares R with truth, with scope
 * = R->target_text and n_windows = R->n_windows (the legal-coverage
 * metrics covered_days, gap_days and retention_lost_days need no truth: the
 * driver writes them).  Truth is taken over R->covered.  A metric that
 * is undefined for this target (a precision with nothing reported, a recall
 * with nothing true) is left out, so that the "all" mean runs over the
 * targets where it is defined.  A target that is not a simulated person (a
 * service, a stranger) gets no metrics (returns TRUE).  A target missing
 * from the TARGETS given to ml_evaluator_open() is loaded on demand (one
 * more scan of each big table).  FALSE with ERROR set on SQLite failures;
 * METRICS may then hold a part of R's rows.
 *
 * For the TARGETS given to ml_evaluator_open() scoring only reads memory:
 * calls for them may run on several threads at once (each with its own
 * METRICS). */
gboolean ml_evaluate_target (MlEvaluator *e, const MlTargetResult *r, GArray *metrics, GError **error);

/* Case-wide hop reach against the true social graph, scope "all", at
 * N_WINDOWS: hop_reach_2 / hop_reach_3 from HOPS (MlHopReach; rows for hops
 * the case did not expand are left out) and true_reach_2 / true_reach_3,
 * the people within 2 / 3 ties of the NAMED_TARGETS (gint64 handle ids) in
 * the truth ties, the named targets themselves excluded.  The true reach is
 * computed once per evaluator and cached (the named targets of a case do
 * not change).  FALSE with ERROR set on SQLite failures. */
gboolean ml_evaluate_hops (MlEvaluator *e, GArray *named_targets, int n_windows, GArray *hops,
                           GArray *metrics, GError **error);

/* Append scope "all" rows to METRICS: for every (n_windows, metric) pair
 * of the rows whose scope is neither "all" nor "population", the mean over
 * targets, except metrics ending in "_error_km", which take the median.
 * A pair that already has an "all" row is left alone, so calling it twice
 * adds nothing.  The new rows come sorted by n_windows, then metric. */
void ml_metrics_aggregate (GArray *metrics);

/* Write R's rows of ego_edges (reported contacts vs true ties: correct,
 * missed, false), truth_places (true home, work and visited places with the
 * hours stayed in the covered period) and sensitive_truth (true sensitive
 * categories contacted in the covered period, and inferred ones, with
 * found 0/1) into ANALYSIS, normally for R at the maximum n_windows.  The
 * three tables are created here if missing (CREATE TABLE IF NOT EXISTS,
 * the columns of docs/analyze/outputs.md).  R's rows are written inside the
 * caller's transaction if one is open, else in one of their own.  A target
 * that is not a simulated person gets no rows.  FALSE with ERROR set on
 * SQLite failures. */
gboolean ml_evaluate_write_details (MlEvaluator *e, MlDb *analysis, const MlTargetResult *r,
                                    GError **error);

/* ---- population mode (popmode.c) ----------------------------------------- */

/* A pair of source handles with lookups between them in a population log. */
typedef struct {
  gint64 a, b;                /* handles.id, a < b */
  guint8 window;              /* first window with a lookup either way */
  guint8 mutual_window;       /* first window by which both ways were seen; 255: never */
} MlPopEdge;

/* A handle seen as the source of a lookup in a population log. */
typedef struct {
  gint64 handle;              /* handles.id */
  guint8 window;              /* first window in which it looked something up */
} MlPopSource;

/* Score the population's lookup graph against the truth ties, for every
 * n = 1 .. N_WINDOWS: appends MlMetric rows with scope "population" to
 * METRICS: true_ties (ties between two people both seen as sources in the
 * first n windows), precision (share of EDGES of window < n between two
 * people that are true ties), recall (share of true_ties that are EDGES of
 * window < n), and mutual_precision / mutual_recall for the pairs seen both
 * ways.  EDGES (MlPopEdge) and SOURCES (MlPopSource) are read-only; EDGES
 * may come in any order.  Reads the whole ties table once.  FALSE with
 * ERROR set on SQLite failures. */
gboolean ml_evaluate_population_graph (MlEvaluator *e, GArray *edges, GArray *sources, int n_windows,
                                       GArray *metrics, GError **error);

G_END_DECLS

#endif /* ML_EVALUATE_H */
