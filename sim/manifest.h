/* manifest.h -- manifest.json: what a simulation run is and how to check it.
 *
 * The manifest records the resolved scenario (every default filled in), the
 * seed, metaleak's and the libraries' versions, row counts, the sha256 of
 * every output file and the wall time, so a researcher can tell two runs
 * apart and verify a copy.  It also names the cast's handles (the targets
 * an investigator would know), nothing else from truth.
 */
#ifndef ML_MANIFEST_H
#define ML_MANIFEST_H

#include <glib.h>

#include "sim/sim.h"
#include "sim/world.h"
#include "sim/writer.h"

G_BEGIN_DECLS

/* Write DIR/manifest.json for the run of W with OPTS, COUNTS and WALL_S
 * seconds; hashes every other file in DIR. */
gboolean ml_manifest_write (const MlWorld *w, const MlSimOptions *opts, const MlSimCounts *counts,
                            const char *dir, double wall_s, GError **error);

/* Write DIR/directory.csv: the public business directory (handle, name,
 * category, sensitive) of every service, as a listing an investigator could
 * buy or scrape.  Public information: it says nothing about who contacted
 * whom. */
gboolean ml_directory_write (const MlWorld *w, const char *dir, GError **error);


G_END_DECLS

#endif /* ML_MANIFEST_H */
