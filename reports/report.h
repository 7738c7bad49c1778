/* report.h -- `metaleak report`: plots, HTML report and brief from an
 * analysis.  Entry point for the dispatcher. */
#ifndef ML_REPORT_H
#define ML_REPORT_H

#include <glib.h>

G_BEGIN_DECLS

/* Run `metaleak report` with ARGV (argv[0] = "report"). */
gboolean ml_report_main (int argc, char **argv, GError **error);

G_END_DECLS

#endif /* ML_REPORT_H */
