/* importlog.h -- build a provider.db from a real lookup log in CSV.
 *
 * `metaleak analyze --import-log FILE.csv` takes a log in the provider's
 * return layout, one lookup a line:
 *     timestamp, source handle, lookup handle, client IP, lookup devices
 * (a header line is optional; timestamps are ISO-8601 with an optional
 * offset, or epoch seconds/ms/us/ns; IPs dotted IPv4 or IPv6 text) and
 * writes OUT_DIR/provider.db with the schema of common/schema.h, so that the
 * whole analyzer runs on it unchanged.  Handle ids are assigned in sorted
 * order of the handle text and IPv4 ids are the address itself (IPv6 ids
 * follow above 2^32 in address order), so ids reveal nothing the text does
 * not.  Malformed rows are never dropped silently: each is listed with its
 * line number in OUT_DIR/import-errors.csv and counted; --strict makes the
 * first one fatal.  A fresh pseudonym key (pseudonym.h) is written beside
 * the database.
 *
 * Workload: real logs of 10^6-10^8 lines; two streaming passes over the
 * file (dictionaries, then rows), memory in the number of distinct handles
 * and IPs, one prepared INSERT in one transaction.
 */
#ifndef ML_IMPORTLOG_H
#define ML_IMPORTLOG_H

#include <glib.h>

#include "common/timeutil.h"

G_BEGIN_DECLS

/* At most this many malformed-row messages are kept in MlImportStats. */
#define ML_IMPORT_MAX_MESSAGES 1000

/* What an import read and wrote. */
typedef struct {
  guint64 lines;          /* lines read, header and blank lines included */
  guint64 rows;           /* rows imported */
  guint64 malformed;      /* rows skipped (all listed in import-errors.csv) */
  guint64 handles, ips;   /* distinct handles and IPs */
  MlTime first, last;     /* earliest and latest timestamp imported */
  gboolean header;        /* the first line was a header */
  GPtrArray *messages;    /* "FILE:LINE: reason" of the first ML_IMPORT_MAX_MESSAGES
                           * malformed rows; owned (char *) */
} MlImportStats;

/* Release what S owns; S may be cleared twice. */
void ml_import_stats_clear (MlImportStats *s);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MlImportStats, ml_import_stats_clear)

/* Import CSV into OUT_DIR (created if needed): OUT_DIR/provider.db
 * (published atomically; ML_ERROR_EXISTS if it exists), OUT_DIR/
 * import-errors.csv ("line,reason,text", written when a row is malformed)
 * and OUT_DIR/pseudonym.key (0600; kept if present).  The database's meta
 * table gets log_start and log_end (ISO-8601) and source_file.  Malformed
 * rows are skipped and summarised in one ml_warning(); with STRICT the
 * first one fails with ML_ERROR_INPUT "FILE:LINE: bad timestamp '...'" and
 * nothing is written.  No valid row at all: ML_ERROR_INPUT. */
gboolean ml_importlog_run (const char *csv, const char *out_dir, gboolean strict, GError **error);

/* As ml_importlog_run() without the warning, filling STATS (initialised to
 * zeros; cleared with ml_import_stats_clear()) on success. */
gboolean ml_importlog_run_stats (const char *csv, const char *out_dir, gboolean strict,
                                 MlImportStats *stats, GError **error);

/* Split one CSV LINE (without its line end) into fields: ',' separates,
 * RFC 4180 double quotes protect commas and '""' is a quote; unquoted
 * fields are trimmed of blanks.  Returns a new NULL-terminated vector
 * (g_strfreev), or NULL if a quote is unbalanced. */
char **ml_importlog_split_csv (const char *line);

G_END_DECLS

#endif /* ML_IMPORTLOG_H */
