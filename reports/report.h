/* report.h -- `metaleak report`: plots, HTML report and brief from an
 * analysis.
 *
 * Entry points for the dispatcher (ml_report_main, the command line) and
 * for `metaleak demo` (ml_report_run, the same work from options), and the
 * options every part of the report stage reads.  The report reads only
 * what `metaleak analyze` wrote into a case directory (analysis.db,
 * findings.json, tables/NAME.csv; docs/analyze/outputs.md) and
 * datasets/literature.csv; it never opens a run's provider.db or truth.db.
 */
#ifndef ML_REPORT_H
#define ML_REPORT_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ML_AUDIENCE_POLICY,     /* a few plain numbers and clear plots (default) */
  ML_AUDIENCE_RESEARCH,   /* plus every metric, every parameter, more targets */
  ML_AUDIENCE_CLASS,      /* plus an explanation of each concept where it appears */
} MlAudience;

typedef enum {
  ML_FORMAT_PNG = 1,      /* pngcairo (default) */
  ML_FORMAT_SVG = 2,      /* svg */
  ML_FORMAT_BOTH = 3,     /* both; the HTML shows the PNG and links the SVG */
} MlPlotFormat;

typedef struct {
  const char *casedir;    /* RUN/cases/NAME: the analysis to report on */
  const char *out;        /* report directory; NULL: CASEDIR/report */
  MlAudience audience;
  MlPlotFormat format;
  gboolean reveal;        /* imported real logs: print handles as they are */
  gboolean force;         /* replace an existing report directory */
  gboolean quiet;         /* print nothing on success */
} MlReportOptions;

/* Write the report described by OPT (see docs/report.md): all of it, or
 * nothing when the case cannot be read.  When gnuplot is missing or fails
 * the directory is still committed, with data and scripts but without
 * (some) images, and FALSE is returned with ML_ERROR_PARTIAL saying what
 * to install.  Other failures: ML_ERROR_INPUT/ML_ERROR_SCHEMA for a bad
 * case directory, ML_ERROR_EXISTS for an existing report without FORCE,
 * ML_ERROR_IO, ML_ERROR_DB, ML_ERROR_INTERRUPTED. */
gboolean ml_report_run (const MlReportOptions *opt, GError **error);

/* Run `metaleak report` with ARGV (argv[0] = "report"). */
gboolean ml_report_main (int argc, char **argv, GError **error);

/* Parse the --audience and --format words ("policy", "research", "class";
 * "png", "svg", "both").  FALSE with ML_ERROR_USAGE naming WORD. */
gboolean ml_report_parse_audience (const char *word, MlAudience *out, GError **error);
gboolean ml_report_parse_format (const char *word, MlPlotFormat *out, GError **error);

G_END_DECLS

#endif /* ML_REPORT_H */
