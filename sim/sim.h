/* sim.h -- `metaleak sim`: generate a synthetic population and the
 * provider's lookup log.  The entry point for the dispatcher, and the
 * library call the demo uses. */
#ifndef ML_SIM_H
#define ML_SIM_H

#include <glib.h>

#include "sim/scenario.h"

G_BEGIN_DECLS

typedef struct {
  const char *out;        /* output directory */
  gboolean force;         /* replace an existing output directory */
  gboolean quiet;         /* no progress bar */
  gboolean calibration;   /* also write calibration.json */
  const char *scenario_path; /* for the manifest (may be NULL: defaults) */
  const char *export_bandicoot; /* also write bandicoot records here (NULL: no) */
} MlSimOptions;

/* Run scenario SC with OPTS: write provider.db, geo.mmdb, truth.db and
 * manifest.json (and calibration.json) into OPTS->out atomically. */
gboolean ml_sim_run (const MlScenario *sc, const MlSimOptions *opts, GError **error);

/* Run `metaleak sim` with ARGV (argv[0] = "sim"). */
gboolean ml_sim_main (int argc, char **argv, GError **error);

G_END_DECLS

#endif /* ML_SIM_H */
