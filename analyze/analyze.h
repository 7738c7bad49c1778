/* analyze.h -- `metaleak analyze`: the legal process, evidence, inference
 * and leakage scored against truth.  Entry point for the dispatcher. */
#ifndef ML_ANALYZE_H
#define ML_ANALYZE_H

#include <glib.h>

G_BEGIN_DECLS

/* Run `metaleak analyze` with ARGV (argv[0] = "analyze"). */
gboolean ml_analyze_main (int argc, char **argv, GError **error);

G_END_DECLS

#endif /* ML_ANALYZE_H */
