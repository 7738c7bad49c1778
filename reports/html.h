/* html.h -- index.html: the full report as one self-contained page.
 *
 * The page works offline and from disk: no external fonts, scripts,
 * styles or images (a Content-Security-Policy meta tag forbids them, so a
 * browser reports any that creeps in as a console error).  It holds every
 * plot with its caption and links to its data and script, the tables,
 * the scenario and case parameters and the model sources; a class report
 * adds an explanation of each concept where it first appears, a research
 * report every metric and parameter.  One small inline script, run on
 * load, counts the images that loaded and failed into the body's
 * data-images-ok and data-images-broken attributes, for the browser test.
 *
 * Deterministic: the same analysis and options give the same bytes, apart
 * from the one line that holds the generation time.
 */
#ifndef ML_REPORT_HTML_H
#define ML_REPORT_HTML_H

#include <glib.h>

#include "reports/narrative.h"

G_BEGIN_DECLS

/* The page for DOC, as text.  NULL with ML_ERROR_DB if a research table
 * cannot be read.  Caller frees. */
char *ml_html_render (const MlReportDoc *doc, GError **error);

/* Render DOC and write it to PATH (atomically).  ML_ERROR_IO/ML_ERROR_DB. */
gboolean ml_html_write (const MlReportDoc *doc, const char *path, GError **error);

G_END_DECLS

#endif /* ML_REPORT_HTML_H */
