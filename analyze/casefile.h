/* casefile.h -- the case file: targets, orders and inference knobs of a case.
 *
 * A case (datasets/cases/NAME.ini) says whom an investigator targets, which
 * orders are served on them and how, and the few thresholds the inferences
 * use.  ml_case_load() checks the file against the spec table in casefile.c
 * (every error "FILE:LINE: ..." and ML_ERROR_INPUT) and returns the typed
 * MlCase of analyze/analysis.h.  Two things need the simulation run and are
 * resolved afterwards by ml_case_resolve_targets(): the targets ("cast:NAME",
 * "random:N" and handle text become provider.db handle ids) and a
 * first_service of "auto" (a date fixed from the log's first day).
 *
 * Workload: one small file per analysis; resolution costs a few index
 * probes per target (random:N) and, for first_service = auto on a run
 * without a manifest or log_start stamp, one scan of the log.
 */
#ifndef ML_CASEFILE_H
#define ML_CASEFILE_H

#include <glib.h>

#include "analyze/analysis.h"
#include "common/config.h"
#include "common/db.h"

G_BEGIN_DECLS

/* MlCase.first_service before resolution when the file says "auto". */
#define ML_CASE_SERVICE_AUTO ((MlDay) G_MININT32)

/* Minimum own lookups (as source) for a handle to be drawn by "random:N". */
#define ML_CASE_RANDOM_MIN_LOOKUPS 20

/* The spec table of case files (for `metaleak help analyze` listings);
 * static storage, *N gets its length. */
const MlConfigSpec *ml_case_spec (gsize *n);

/* Load the case file PATH (NULL: every key at its default, the demo case)
 * and apply OVERRIDES, a NULL-terminated list (may be NULL) of
 * "group.key=value" texts as if given on the command line.  Returns a new
 * MlCase (free with ml_case_free()) or NULL with ERROR set: ML_ERROR_IO when
 * PATH cannot be read, ML_ERROR_INPUT "PATH:LINE: ..." for a bad value or a
 * semantic problem (lag_days together with its synonym gap_days, an empty
 * night or work window, ip_pivot without pen-register orders, a bad target
 * item, a name unusable as a directory), ML_ERROR_USAGE for a malformed
 * override.  first_service may be ML_CASE_SERVICE_AUTO afterwards. */
MlCase *ml_case_load (const char *path, const char *const *overrides, GError **error);

/* Free C and everything it owns (NULL is allowed). */
void ml_case_free (MlCase *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCase, ml_case_free)

/* The resolved case as case-file text, every key in spec order (lag_days,
 * never gap_days; first_service as a date, or "auto" if unresolved), for
 * findings.json and reproducibility: loading it gives an equal MlCase.
 * Caller frees. */
char *ml_case_to_data (const MlCase *c);

/* Turn C's targets into handle ids, appended in the order written (a handle
 * named twice counts once) to HANDLES_OUT, a GArray of gint64:
 *   "+99912345678901" (any handle text): its provider.db handles.id;
 *   "cast:NAME": the handle RUN_DIR/manifest.json gives the cast member;
 *   "random:N": N handles drawn with C's seed, uniformly among handles with
 *     at least ML_CASE_RANDOM_MIN_LOOKUPS own lookups, excluding those
 *     already chosen.
 * Also fixes a first_service of auto (ml_case_resolve_service()).
 * Errors name the case file line of `targets` and the bad item,
 * ML_ERROR_INPUT: "case.ini:4: key 'targets' in group [case]: handle
 * +99900000000000 never appears in provider.db"; HANDLES_OUT is unchanged
 * on failure.  RUN_DIR is needed for cast: items only (may be NULL). */
gboolean ml_case_resolve_targets (MlCase *c, const char *run_dir, MlDb *provider,
                                  GArray *handles_out, GError **error);

/* Fix C->first_service when it is ML_CASE_SERVICE_AUTO: the log's first day
 * plus window_days in snapshot mode (so the first order's period starts with
 * the log), the log's first day in prospective mode.  The log's first day is
 * provider.db meta log_start (written by imports), else RUN_DIR/manifest.json
 * "start" (simulations), else the day of the earliest lookup (a scan).  A
 * date already set is left alone.  ML_ERROR_INPUT if the log is empty. */
gboolean ml_case_resolve_service (MlCase *c, const char *run_dir, MlDb *provider, GError **error);

/* The handles of the cast in RUN_DIR/manifest.json as a table of
 * name -> handle text (both owned by the table).  ML_ERROR_IO if the file is
 * missing, ML_ERROR_INPUT "PATH: ..." if it has no readable "cast" object. */
GHashTable *ml_case_read_cast (const char *run_dir, GError **error);

G_END_DECLS

#endif /* ML_CASEFILE_H */
