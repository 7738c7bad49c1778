/* csv.h -- CSV tables: parsing, quoting, and the report's data/ copies.
 *
 * The report reads two kinds of CSV: the analyzer's tables/NAME.csv (RFC 4180,
 * a header row, UTF-8) which it copies into the report's data/ directory,
 * and datasets/literature.csv (the published reference figures, with '#'
 * comment lines on top).  Copies are byte-for-byte, except for imported
 * real logs, where every handle column is pseudonymised and every other
 * field has its handle-like tokens replaced (reports/redact.h) before the
 * table is written again.  Workload: a dozen tables per report, some of
 * 10^5-10^6 rows (evidence, timeline): copies stream, only
 * literature.csv and single records are parsed in memory.
 */
#ifndef ML_REPORT_CSV_H
#define ML_REPORT_CSV_H

#include <glib.h>

#include "reports/redact.h"

G_BEGIN_DECLS

/* Parse LEN bytes of TEXT into rows, each a NULL-terminated string vector
 * (GStrv).  Quoted fields may hold commas, quotes ("") and line breaks;
 * line ends are "\n" or "\r\n".  With COMMENTS, records whose first
 * character is '#' are skipped.  Blank lines are skipped.  Returns a new
 * array that frees its rows, or NULL with ML_ERROR_INPUT "line N: ...". */
GPtrArray *ml_csv_parse (const char *text, gsize len, gboolean comments, GError **error);

/* Read and parse PATH (errors prefixed "PATH: "; a missing file is
 * ML_ERROR_INPUT "PATH: no such file"). */
GPtrArray *ml_csv_load (const char *path, gboolean comments, GError **error);

/* Append FIELDS as one CSV record to OUT, quoting a field when it holds a
 * comma, a quote or a line break, ended by "\n". */
void ml_csv_append_row (GString *out, char *const *fields);

/* Whether a column of this NAME holds handles (target, handle, source,
 * lookup, top_hub, scope). */
gboolean ml_csv_is_handle_column (const char *name);

/* Copy every TABLES_DIR/NAME.csv into DATA_DIR (which must exist), in name
 * order: byte-for-byte when R is inactive, else re-written with handles
 * pseudonymised.  *NAMES_OUT (if not NULL) receives the sorted file names
 * (a new array of strings).  A missing TABLES_DIR is ML_ERROR_INPUT. */
gboolean ml_csv_copy_tables (const char *tables_dir, const char *data_dir, MlRedactor *r,
                             GPtrArray **names_out, GError **error);

G_END_DECLS

#endif /* ML_REPORT_CSV_H */
