/* calibration.h -- calibration.json: the simulated statistics next to
 * their published targets (datasets/literature.csv).
 *
 * Measured on the finished run (its truth.db and the world): degree
 * distribution, clustering and reciprocity (igraph), burstiness of message
 * inter-event times, the EPR growth exponent of distinct places S(t),
 * radius of gyration, and the share of people contacting each sensitive
 * category.  Each entry says whether the value falls within the stated
 * tolerance.  The simulator may read truth.db; the analyzer may not.
 */
#ifndef ML_CALIBRATION_H
#define ML_CALIBRATION_H

#include <glib.h>

#include "sim/world.h"

G_BEGIN_DECLS

/* Measure the run in DIR (truth.db written and finished) of world W and
 * write DIR/calibration.json. */
gboolean ml_calibration_write (const MlWorld *w, const char *dir, GError **error);

G_END_DECLS

#endif /* ML_CALIBRATION_H */
