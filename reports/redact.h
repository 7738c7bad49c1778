/* redact.h -- keep raw handles of imported real logs out of a report.
 *
 * For an analysis of an imported real log (params imported = 1) every
 * handle the report writes -- in plots, data files, HTML, the brief and
 * the copied CSV tables -- must be a pseudonym unless the user asked for
 * --reveal.  The analyzer already writes keyed pseudonyms ("h-" + 16 hex
 * digits); this module is the report's own guard for anything else it
 * might find (an analysis run with --reveal, a hand-edited table): such a
 * handle is replaced by "anon-N", numbered in the order the report first
 * meets it, so one handle keeps one label across every file of a report
 * and the same analysis always gets the same labels.
 *
 * An inactive redactor (synthetic runs, or --reveal) passes everything
 * through.  Workload: a few thousand calls per report.
 */
#ifndef ML_REPORT_REDACT_H
#define ML_REPORT_REDACT_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct MlRedactor MlRedactor;

/* A redactor that pseudonymises when ACTIVE, else passes text through.
 * Free with ml_redactor_free(). */
MlRedactor *ml_redactor_new (gboolean active);

void ml_redactor_free (MlRedactor *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlRedactor, ml_redactor_free)

/* Whether R replaces handles. */
gboolean ml_redactor_is_active (const MlRedactor *r);

/* Whether TEXT is a pseudonym as the analyzer writes it: "h-" and 16
 * lower-case hex digits. */
gboolean ml_redact_is_pseudonym (const char *text);

/* The label to print for the handle HANDLE (a whole field that holds a
 * handle): HANDLE itself when R is inactive, when it is already a
 * pseudonym, or for NULL/"" and the scope word "all"; otherwise its
 * "anon-N" label.  Borrowed: lives as long as R (or HANDLE). */
const char *ml_redact_handle (MlRedactor *r, const char *handle);

/* TEXT with every handle-like token replaced by its label when R is
 * active: "+" and 7-15 digits, "tel:"/"sms:"/"mailto:" URIs and e-mail
 * addresses.  For free text (sentences, parameter values).  The caller
 * frees the result; NULL gives NULL. */
char *ml_redact_text (MlRedactor *r, const char *text);

G_END_DECLS

#endif /* ML_REPORT_REDACT_H */
