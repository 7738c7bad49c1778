/* findings.h -- what `metaleak analyze` writes: analysis.db, tables/NAME.csv
 * and findings.json (docs/analyze/outputs.md is the contract with
 * `metaleak report`).
 *
 * The writer owns analysis.db's schema and the naming of handles in every
 * output: handle text as the provider logged it, or for imported real logs
 * a keyed pseudonym (analyze/pseudonym.h) unless --reveal.
 */
#ifndef ML_FINDINGS_H
#define ML_FINDINGS_H

#include <glib.h>

#include "analyze/analysis.h"
#include "common/db.h"

G_BEGIN_DECLS

/* Create every table of analysis.db (docs/analyze/outputs.md) in DB, a new
 * database, with 64 KiB pages. */
gboolean ml_findings_create (MlDb *db, GError **error);

/* Handle names for outputs: provider.db handle text, pseudonymised with KEY
 * when KEY is non-NULL.  Names are cached; the returned strings live as long
 * as the namer. */
typedef struct MlNamer MlNamer;
MlNamer *ml_namer_new (MlDb *provider, const guint8 *key, GError **error);
const char *ml_namer_get (MlNamer *n, gint64 handle);
/* The same, with its length in bytes in *LEN. */
const char *ml_namer_get_len (MlNamer *n, gint64 handle, gsize *len);
void ml_namer_free (MlNamer *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlNamer, ml_namer_free)

/* Insert one row into TABLE of DB with values from a format string: each
 * character of TYPES is 'i' (gint64), 'd' (double, NAN -> NULL), 's' (const
 * char *, copied; NULL -> NULL) or 'S' (the same, not copied: it must
 * outlive ml_row_cache_flush(), as a literal or a namer's name does),
 * matched by the variadic arguments.  Rows
 * go through one bulk loader per table (common/db.h, MlBulk), owned by the
 * caller's cache (ml_row_cache_*): they reach their table, in order, by
 * the time ml_row_cache_flush() returns, which must come before the
 * transaction commits or the tables are read.  TABLE is compared by
 * address first: pass literals. */
typedef struct MlRowCache MlRowCache;
typedef struct MlCsvTee MlCsvTee;
MlRowCache *ml_row_cache_new (MlDb *db);
/* Stream every table RC writes to TEE (before the first row). */
void ml_row_cache_set_tee (MlRowCache *rc, MlCsvTee *tee);
gboolean ml_row_insert (MlRowCache *rc, const char *table, const char *types, GError **error, ...);
gboolean ml_row_cache_flush (MlRowCache *rc, GError **error);
void ml_row_cache_free (MlRowCache *rc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlRowCache, ml_row_cache_free)

/* tables/ streamed while the analysis is written: a thread formats the
 * rows of each attached loader as CSV as soon as SQLite has taken them,
 * on a core the single writing thread leaves idle, instead of reading
 * them back from the finished database.  ml_findings_export_csv() then
 * publishes a streamed table when it holds every row of the table and
 * each value's stored form was predicted (SQLite's column affinity);
 * any other table is exported from the database as before.  The output is
 * the same byte for byte (analyze.sh compares 1 thread, no tee, with 2). */
MlCsvTee *ml_csv_tee_new (const char *dir);
/* Stream the rows BULK (N_COLS columns) writes into TABLE of DB. */
void ml_csv_tee_attach (MlCsvTee *tee, MlDb *db, MlBulk *bulk, const char *table, int n_cols);
/* Wait for the formatting thread to format every row written so far and
 * close the files: before ml_findings_export_csv(). */
void ml_csv_tee_finish (MlCsvTee *tee);
/* How many tables ml_findings_export_csv() published as streamed. */
guint ml_csv_tee_published (const MlCsvTee *tee);
/* Finishes; removes the files not published. */
void ml_csv_tee_free (MlCsvTee *tee);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCsvTee, ml_csv_tee_free)

/* Write every table of the finished database DB_PATH as DIR/NAME.csv
 * (header row, RFC 4180 quoting; time columns also as ISO-8601 *_utc
 * columns), big tables in pieces on THREADS workers.  Tables TEE (may be
 * NULL, finished) streamed in full are published as they are. */
gboolean ml_findings_export_csv (const char *db_path, const char *dir, guint threads, MlCsvTee *tee,
                                 GError **error);

/* Write PATH (findings.json) from DB's params and metrics tables: the run,
 * the case, the leakage curves, the headline at the longest chain, five
 * plain sentences (SUMMARY_OUT, a caller-freed NULL-terminated vector, may
 * be NULL) and the caveats. */
gboolean ml_findings_write_json (MlDb *db, const char *path, char ***summary_out, GError **error);

G_END_DECLS

#endif /* ML_FINDINGS_H */
