/* casedata.h -- the analysis a report is about, opened and checked.
 *
 * Opens a case directory written by `metaleak analyze` (analysis.db,
 * findings.json, tables/; docs/analyze/outputs.md), checks that it is one,
 * and keeps what every part of the report asks for again and again: the
 * parameters, the named targets, the metrics (the leakage curves) and
 * whether handles must be pseudonymised.  Everything else is queried from
 * analysis.db by the part that draws it.
 *
 * Invariants: WINDOWS >= 1; TARGETS holds the handles as stored (use them
 * in queries, never print them: print ml_casedata_label()).  Workload:
 * opened once per report; metrics are a few thousand rows.
 */
#ifndef ML_REPORT_CASEDATA_H
#define ML_REPORT_CASEDATA_H

#include <glib.h>

#include "common/db.h"
#include "common/json.h"
#include "reports/redact.h"

G_BEGIN_DECLS

typedef struct {
  char *dir;                /* the case directory, as given */
  MlDb *db;                 /* analysis.db, read-only */
  MlJson *findings;         /* findings.json */
  MlRedactor *redactor;     /* active for imported logs without --reveal */
  GPtrArray *param_keys;    /* the keys of table params, sorted */
  GHashTable *params;       /* key -> value, with handle-like tokens redacted */
  GHashTable *tables;       /* names of the tables analysis.db holds (a set) */
  GPtrArray *targets;       /* named (hop 1) targets as stored, in table order */
  GHashTable *metrics;      /* "N\tSCOPE\tMETRIC" -> double */
  char *name;               /* the case's name (params name, findings case.name, or DIR's base name) */
  int windows;              /* chain length: the largest n_windows */
  gboolean imported;        /* an imported real log (params imported = 1) */
  gboolean population;      /* population mode (params population = 1) */
} MlCaseData;

/* Open the case directory DIR; with REVEAL, imported handles are printed
 * as they are.  Errors: ML_ERROR_INPUT for a missing directory or a
 * directory without analysis.db or findings.json (the message says to run
 * `metaleak analyze`), or a findings.json that is not JSON;
 * ML_ERROR_SCHEMA for an analysis.db without the params, targets and
 * metrics tables; ML_ERROR_DB.  Returns a new MlCaseData (free with
 * ml_casedata_free()) or NULL. */
MlCaseData *ml_casedata_open (const char *dir, gboolean reveal, GError **error);

void ml_casedata_free (MlCaseData *cd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCaseData, ml_casedata_free)

/* The value of parameter KEY (redacted), or NULL.  Borrowed. */
const char *ml_casedata_param (const MlCaseData *cd, const char *key);

/* Parameter KEY as an integer, or FALLBACK when absent or not a number. */
gint64 ml_casedata_param_int (const MlCaseData *cd, const char *key, gint64 fallback);

/* Whether analysis.db holds a table named TABLE. */
gboolean ml_casedata_has_table (const MlCaseData *cd, const char *table);

/* Whether metric METRIC of SCOPE ("all" or a stored target) after
 * N_WINDOWS windows is known; if so *OUT is set to it. */
gboolean ml_casedata_metric (const MlCaseData *cd, int n_windows, const char *scope,
                             const char *metric, double *out);

/* The printable label of the stored handle HANDLE (pseudonymised when the
 * case requires it).  Borrowed: lives as long as CD. */
const char *ml_casedata_label (const MlCaseData *cd, const char *handle);

/* The number findings.json gives for MEMBER of its object SECTION
 * ("headline", "case", "run"), or NAN when absent. */
double ml_casedata_finding (const MlCaseData *cd, const char *section, const char *member);

G_END_DECLS

#endif /* ML_REPORT_CASEDATA_H */
