/* narrative.h -- what the report says in words, for the HTML page and the
 * brief alike.
 *
 * A policy reader needs a few plain numbers: the headline sentence ("after
 * 4 chained 30-day orders, 84 % of the targets' true contacts ... from logs
 * that hold no message content"), the key numbers, what each further order
 * added, and the caveats.  They are built here once from the metrics
 * (scope "all") and findings.json, so that index.html and brief.md never
 * disagree.  Everything returned is plain UTF-8 text (not escaped) with
 * handles already redacted.
 *
 * MlReportDoc gathers what the two writers share.  Workload: a few dozen
 * strings per report.
 */
#ifndef ML_REPORT_NARRATIVE_H
#define ML_REPORT_NARRATIVE_H

#include <glib.h>

#include "reports/casedata.h"
#include "reports/plot.h"
#include "reports/report.h"

G_BEGIN_DECLS

typedef struct {
  const MlCaseData *cd;       /* borrowed */
  const MlReportOptions *opt; /* borrowed */
  GPtrArray *plots;           /* MlPlot *, in report order; borrowed */
  GPtrArray *data_files;      /* names of the files in data/; borrowed */
  const char *literature;     /* datasets/literature.csv, or NULL when missing */
  const char *generated;      /* "YYYY-MM-DDTHH:MM:SSZ": when the report was made */
  const char *gnuplot_note;   /* why images are missing (what to install), or NULL */
} MlReportDoc;

typedef struct {
  char *value;                /* "84 %", "1.8 km", "2,857" */
  char *label;                /* what it counts, in plain words */
} MlKeyNumber;

/* The headline sentence, with its numbers.  Caller frees. */
char *ml_narrative_headline (const MlCaseData *cd);

/* The key numbers after all windows, in display order (MlKeyNumber *;
 * the array frees them).  Numbers the analysis lacks are left out. */
GPtrArray *ml_narrative_key_numbers (const MlCaseData *cd);

/* One sentence per window count 2..N saying what that order added
 * (strings; empty array for a single window). */
GPtrArray *ml_narrative_order_steps (const MlCaseData *cd);

/* findings.json "summary" sentences, redacted (strings). */
GPtrArray *ml_narrative_summary (const MlCaseData *cd);

/* The caveats: findings.json "caveats" (redacted), the report's general
 * ones when it has none, then the report's own (strings). */
GPtrArray *ml_narrative_caveats (const MlCaseData *cd);

/* "the demo scenario: 5,000 simulated people over 120 days (seed 1)" or,
 * for an imported log, "an imported real log".  Caller frees. */
char *ml_narrative_scenario (const MlCaseData *cd);

/* "pen register and trap-and-trace orders on 3 targets: the first served
 * 2026-02-04, 3 extensions, 30-day windows, 30-day retention, snapshot".
 * Caller frees. */
char *ml_narrative_case (const MlCaseData *cd);

/* The metric of scope "all" after N windows, or NAN. */
double ml_narrative_metric (const MlCaseData *cd, int n, const char *metric);

/* The leakage table both writers print: a header row and one row per
 * window count (GStrv each). */
GPtrArray *ml_narrative_leakage_table (const MlCaseData *cd);

/* The report's generation time as ISO-8601 UTC: $SOURCE_DATE_EPOCH when
 * set (reproducible builds), else now.  Caller frees. */
char *ml_narrative_generated_now (void);

G_END_DECLS

#endif /* ML_REPORT_NARRATIVE_H */
