/* datadir.h -- where the shipped scenarios, cases and literature live.
 *
 * The binary in the build tree reads $(srcdir)/datasets; an installed binary
 * reads $(pkgdatadir).  $METALEAK_DATADIR overrides both (tests, relocated
 * installs).  Called a few times per run.
 */
#ifndef ML_DATADIR_H
#define ML_DATADIR_H

#include <glib.h>

G_BEGIN_DECLS

/* The data directory in force (borrowed, lives until exit). */
const char *ml_datadir (void);

/* Resolve NAME of KIND ("scenarios" or "cases") to a file path.  NAME that
 * contains a '/' or ends in ".ini" is a path and is returned as is when it
 * exists; otherwise DATADIR/KIND/NAME.ini is tried.  On failure the error
 * (ML_ERROR_INPUT) names NAME and lists the shipped names.  Caller frees. */
char *ml_datadir_resolve (const char *kind, const char *name, GError **error);

/* The shipped names of KIND, sorted, without ".ini".  Caller frees. */
char **ml_datadir_list (const char *kind);

G_END_DECLS

#endif /* ML_DATADIR_H */
