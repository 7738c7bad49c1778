/* legalcase.h -- the legal-process arithmetic: orders, windows, retention, coverage.
 *
 * Turns a case (analysis.h MlCase) into the orders served on a target and
 * says which stretch of the log each order returns.  Chain position k
 * (0 = the first service, k = the k-th extension) is served on
 *     served_k = first_service + k * (window_days + lag_days) days, 00:00 UTC
 * and covers, as half-open windows of whole days (docs/analyze/legal.md):
 *   snapshot (a retrospective demand for the records of the order's period):
 *     nominal_k  = [served_k - window_days, served_k)
 *     returned_k = nominal_k ∩ [served_k - retention_days, served_k)
 *   prospective (collection from service to expiry, retention irrelevant):
 *     nominal_k  = returned_k = [served_k, served_k + window_days)
 * Late renewals (lag_days > 0) leave holes between nominal periods;
 * retention shorter than the window loses the oldest days of each period.
 *
 * Workload: a few dozen orders per case; pure arithmetic, no I/O.
 */
#ifndef ML_LEGALCASE_H
#define ML_LEGALCASE_H

#include <glib.h>

#include "analyze/analysis.h"
#include "common/timeutil.h"

G_BEGIN_DECLS

/* The orders of C at chain positions 0 .. C->extensions, in position order:
 * a new GArray of MlOrder (caller unrefs).  C->first_service must be a
 * resolved date (not ML_CASE_SERVICE_AUTO of casefile.h); window_days >= 1,
 * retention_days >= 1, extensions >= 0.  A negative lag_days (not accepted
 * from case files) makes consecutive orders overlap; the arithmetic and
 * ml_legal_coverage() stay exact. */
GArray *ml_legal_orders (const MlCase *c);

/* Coverage of the orders at positions < N_WINDOWS of ORDERS (a GArray of
 * MlOrder, any order, possibly overlapping):
 *   COVERED  <- the union of their returned windows;
 *   GAPS     <- SPAN minus COVERED, SPAN = [earliest nominal start, latest
 *               nominal end): late-renewal holes and retention losses alike;
 *   *LOST_TO_RETENTION <- seconds in the union of the nominal windows that
 *               no returned window covers (a part of GAPS).
 * COVERED and GAPS must be initialised sets; their contents are replaced.
 * Any of the three outputs may be NULL.  No order selected: everything is
 * empty and 0. */
void ml_legal_coverage (GArray *orders, int n_windows, MlWindowSet *covered,
                        MlWindowSet *gaps, MlTime *lost_to_retention);

/* The position of the first order in ORDERS (a GArray of MlOrder in
 * position order) whose returned window holds T, or -1 if none does. */
int ml_legal_window_of (GArray *orders, MlTime t);

G_END_DECLS

#endif /* ML_LEGALCASE_H */
