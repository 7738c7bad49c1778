/* brief.h -- brief.md: one page for policy readers.
 *
 * The headline in plain language with its numbers, the key numbers, what
 * each additional order added (a table and one sentence per order) and the
 * caveats, in Markdown that reads well as plain text, on GitHub and
 * printed.  The same for every audience; it shares every sentence with
 * index.html (reports/narrative.h).  Deterministic apart from the one line
 * that holds the generation time.
 */
#ifndef ML_REPORT_BRIEF_H
#define ML_REPORT_BRIEF_H

#include <glib.h>

#include "reports/narrative.h"

G_BEGIN_DECLS

/* The brief for DOC, as text.  Caller frees. */
char *ml_brief_render (const MlReportDoc *doc);

/* Render DOC's brief and write it to PATH (atomically).  ML_ERROR_IO. */
gboolean ml_brief_write (const MlReportDoc *doc, const char *path, GError **error);

G_END_DECLS

#endif /* ML_REPORT_BRIEF_H */
