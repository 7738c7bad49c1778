/* gnuplot.h -- drawing the plots: gnuplot as a subprocess.
 *
 * gnuplot is a run-time dependency, never linked: it is found on PATH (or
 * named by $GNUPLOT) and run once per plot, inside the plots/ directory,
 * with an argument vector (never a shell): `gnuplot --default-settings
 * NAME.gp`, so that a user's ~/.gnuplot cannot change the report.  Plots
 * are drawn THREADS at a time; each run writes only its own images, so the
 * result does not depend on the order.  A missing or failing gnuplot is
 * not an error here: each plot records whether it was drawn and why not,
 * and the report is written all the same (exit status 3, partial).
 *
 * Workload: about ten runs of 0.1-0.3 s per report.
 */
#ifndef ML_REPORT_GNUPLOT_H
#define ML_REPORT_GNUPLOT_H

#include <glib.h>

#include "reports/plot.h"

G_BEGIN_DECLS

/* The gnuplot program to run: $GNUPLOT when set and not empty (a path, or
 * a name looked up on PATH), else "gnuplot" on PATH.  Returns a new
 * absolute path, or NULL when there is none; *WANTED (if not NULL) is set
 * to a new string naming what was looked for, for messages. */
char *ml_gnuplot_find (char **wanted);

/* Run GNUPLOT on the script of every plot in PLOTS (MlPlot *) inside DIR,
 * THREADS at a time, and set each plot's DRAWN (every image FORMAT asks
 * for exists and is not empty) and FAILURE (gnuplot's last lines, or why
 * it could not start).  Returns the number of plots not drawn. */
guint ml_gnuplot_draw (const char *gnuplot, const char *dir, GPtrArray *plots, MlPlotFormat format, guint threads);

G_END_DECLS

#endif /* ML_REPORT_GNUPLOT_H */
