/* db.h -- SQLite databases: atomic creation, schema stamps, prepared statements.
 *
 * The only door to SQLite in metaleak: no other file includes sqlite3.h.
 * Every failure comes back as a GError in ML_ERROR whose message names the
 * database file (for a database being created, the final PATH, never the
 * temporary name) and carries sqlite3_errmsg().  Values are always bound to
 * statements, never formatted into SQL.
 *
 * Workload.  The simulator writes 10^7-10^8 rows a run through one prepared
 * INSERT per table inside large transactions (ml_db_begin ... ml_stmt_bind_*
 * + ml_stmt_run per row ... ml_db_commit); the analyzer reads with prepared
 * SELECTs stepped row by row.  The per-row calls (bind, step, run, reset,
 * column accessors) are thin wrappers that neither allocate nor touch a
 * GError unless SQLite reports a failure.
 *
 * Threads: an MlDb and its statements are used by one thread at a time.
 * A long statement stops with ML_ERROR_INTERRUPTED soon after SIGINT/SIGTERM
 * (see common/outdir.h, ml_signals_install()).
 */
#ifndef ML_DB_H
#define ML_DB_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct MlDb MlDb;
typedef struct MlStmt MlStmt;

typedef enum {
  ML_DB_READONLY,   /* analysis inputs: provider.db, truth.db */
  ML_DB_READWRITE,  /* an existing database updated in place */
} MlDbMode;

typedef enum {
  ML_STEP_ERROR = -1,  /* error set; the statement has been reset */
  ML_STEP_DONE = 0,    /* no more rows */
  ML_STEP_ROW = 1,     /* a row is ready for the column accessors */
} MlStep;

/* The SQLite library's version string ("3.40.1"), for manifests and
 * `metaleak version`.  Static storage. */
const char *ml_db_sqlite_version (void);

/* Create a NEW database that becomes PATH only on ml_db_finish().  Until
 * then it lives in "PATH.tmp-XXXXXX" (a unique name in the same directory,
 * so the final rename stays on one file system), tuned for bulk loading:
 * journal_mode=OFF, synchronous=OFF, locking_mode=EXCLUSIVE, a 256 MiB page
 * cache, 4 KiB pages (see db.c for why not 64 KiB, and why temp_store is
 * left on disk).  Without a journal a ROLLBACK cannot undo anything: a
 * failed load is abandoned whole with ml_db_free().
 * If PATH exists and OVERWRITE is FALSE: ML_ERROR_EXISTS, nothing touched.
 * Returns a new MlDb (free with ml_db_free()) or NULL with ERROR set. */
MlDb *ml_db_create (const char *path, gboolean overwrite, GError **error);

/* Publish a database made by ml_db_create(): close it, fsync the temporary
 * file, rename it onto PATH and fsync the directory.  Every statement must
 * have been freed and no transaction may be open.  Without OVERWRITE, a PATH
 * that appeared meanwhile is not replaced (ML_ERROR_EXISTS).  Whether it
 * succeeds or fails, DB is closed afterwards: only ml_db_path() and
 * ml_db_free() remain valid, and after a failure ml_db_free() deletes the
 * temporary file. */
gboolean ml_db_finish (MlDb *db, GError **error);

/* Open the existing database PATH.  Both modes map up to 2 GiB of the file
 * (mmap_size) and keep a 64 MiB page cache, for the analyzer's scans.
 * Missing file: ML_ERROR_IO "PATH: no such file"; a file that is not an
 * SQLite database: ML_ERROR_SCHEMA; anything else SQLite refuses:
 * ML_ERROR_DB.  Returns a new MlDb or NULL with ERROR set. */
MlDb *ml_db_open (const char *path, MlDbMode mode, GError **error);

/* Close DB (NULL is ignored).  A database created and not finished has its
 * temporary file deleted.  Statements should be freed first; any still
 * alive keep the connection open until they are freed. */
void ml_db_free (MlDb *db);

/* The path DB was created or opened as (the final PATH, not the temporary
 * file).  Borrowed; lives as long as DB. */
const char *ml_db_path (const MlDb *db);

/* Run SQL, one or more statements without parameters (DDL, PRAGMA, CREATE
 * INDEX ...).  Never use it with values from input: prepare and bind. */
gboolean ml_db_exec (MlDb *db, const char *sql, GError **error);

/* BEGIN / COMMIT / ROLLBACK.  See ml_db_create() about ROLLBACK on a
 * database being created. */
gboolean ml_db_begin (MlDb *db, GError **error);
gboolean ml_db_commit (MlDb *db, GError **error);
gboolean ml_db_rollback (MlDb *db, GError **error);

/* Whether DB is inside an explicit transaction (BEGIN without COMMIT). */
gboolean ml_db_in_transaction (MlDb *db);

/* Stamp DB as a database of KIND (e.g. "provider", "truth") at schema
 * VERSION (>= 0): rows schema_kind and schema_version in table
 * meta(key TEXT PRIMARY KEY, value TEXT), created if needed, and
 * PRAGMA user_version = VERSION for generic tools. */
gboolean ml_db_set_schema (MlDb *db, const char *kind, int version, GError **error);

/* Check that DB was stamped by ml_db_set_schema() with KIND and VERSION.
 * ML_ERROR_SCHEMA when it is not a metaleak database, is of another kind
 * ("PATH: is a 'truth' database, expected 'provider'") or of another version
 * ("PATH: schema version 3, this metaleak reads 1"). */
gboolean ml_db_check_schema (MlDb *db, const char *kind, int version, GError **error);

/* Set KEY to VALUE in table meta (created if needed), replacing any value. */
gboolean ml_db_set_meta (MlDb *db, const char *key, const char *value, GError **error);

/* The value of KEY in table meta, newly allocated (caller frees).  NULL with
 * ERROR unset when KEY is absent or its value is NULL; NULL with ERROR set
 * on failure (including a database without table meta). */
char *ml_db_get_meta (MlDb *db, const char *key, GError **error);

/* Attach the existing database PATH read-only as schema ALIAS (a URI with
 * mode=ro, so writes through ALIAS fail).  Errors name PATH: missing file
 * ML_ERROR_IO, not a database ML_ERROR_SCHEMA, others ML_ERROR_DB. */
gboolean ml_db_attach (MlDb *db, const char *path, const char *alias, GError **error);

/* Rows changed by the most recent INSERT, UPDATE or DELETE on DB. */
gint64 ml_db_changes (MlDb *db);

/* The rowid of the most recent successful INSERT on DB (0 if none). */
gint64 ml_db_last_insert_rowid (MlDb *db);

/* Run SQL, which must return at least one row, and store the first column
 * of its first row in *OUT (a NULL value reads as 0: use coalesce() when
 * that matters).  No row: ML_ERROR_DB.  *OUT is written only on success. */
gboolean ml_db_query_int64 (MlDb *db, const char *sql, gint64 *out, GError **error);

/* Compile SQL (one statement; '?' or '?N' parameters) on DB.  Returns a new
 * MlStmt (free with ml_stmt_free() before DB) or NULL with ERROR set; the
 * message quotes SQL. */
MlStmt *ml_db_prepare (MlDb *db, const char *sql, GError **error);

/* Finalize STMT (NULL is ignored). */
void ml_stmt_free (MlStmt *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlDb, ml_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlStmt, ml_stmt_free)

/* Bind parameter IDX (1-based, as in SQLite) of S.  FALSE + ML_ERROR_DB on
 * failure (e.g. IDX out of range).  Per-row: no allocation on success. */
gboolean ml_stmt_bind_int64 (MlStmt *s, int idx, gint64 v, GError **error);
gboolean ml_stmt_bind_double (MlStmt *s, int idx, double v, GError **error);
/* V is copied (SQLITE_TRANSIENT); LEN bytes, or up to its NUL if LEN < 0;
 * a NULL V binds SQL NULL. */
gboolean ml_stmt_bind_text (MlStmt *s, int idx, const char *v, gssize len, GError **error);
gboolean ml_stmt_bind_null (MlStmt *s, int idx, GError **error);

/* Advance S by one step.  On ML_STEP_ERROR, ERROR is set and S has been
 * reset (its bindings are kept), so it can be stepped again. */
MlStep ml_stmt_step (MlStmt *s, GError **error);

/* Step S (an INSERT/UPDATE/DELETE) to completion, then reset it and clear
 * its bindings, ready for the next row, whether it succeeded or not.  A
 * statement that returns a row is stepped to its end. */
gboolean ml_stmt_run (MlStmt *s, GError **error);

/* Reset S to its start and clear its bindings (set them to NULL). */
void ml_stmt_reset (MlStmt *s);

/* Column COL (0-based) of the current row; valid only after ML_STEP_ROW.
 * SQLite's conversions apply (NULL reads as 0 / 0.0 / NULL).  Per-row:
 * no checks beyond SQLite's own. */
gint64 ml_stmt_int64 (MlStmt *s, int col);
double ml_stmt_double (MlStmt *s, int col);
/* Borrowed: valid until the next step, reset or free of S.  NULL for a
 * NULL value. */
const char *ml_stmt_text (MlStmt *s, int col);
gboolean ml_stmt_is_null (MlStmt *s, int col);
/* Whether column COL holds an integer (SQLite's storage class). */
gboolean ml_stmt_is_integer (MlStmt *s, int col);

/* The storage class of column COL in the current row. */
typedef enum {
  ML_VALUE_INTEGER = 1, ML_VALUE_REAL, ML_VALUE_TEXT, ML_VALUE_BLOB, ML_VALUE_NULL,
} MlValueType;
MlValueType ml_stmt_type (MlStmt *s, int col);

/* Run before CREATE INDEX on a created database: a small page cache makes
 * SQLite's sorter work in many runs on helper threads (see db.c). */
#define ML_DB_SORT_CACHE_SQL "PRAGMA cache_size = -8192;\n"

/* ---- bulk loading ------------------------------------------------------ */

/* A multi-row INSERT for loading millions of rows: rows are buffered and
 * written ML_BULK_ROWS at a time by one "INSERT INTO t VALUES (...), ..."
 * statement (fewer for tables of more than 15 columns), which costs SQLite about half of what one statement per row
 * does (measured: 3 x 10^6 five-integer rows, 2.2-3.4 s one by one,
 * 1.0-1.1 s 64 at a time).  Rows reach the table in the order they were
 * added.  Add a row's columns left to right with ml_bulk_int64/_double/
 * _null/_static, then ml_bulk_end_row(); ml_bulk_flush() writes the rest
 * and must be called before the transaction commits. */
typedef struct MlBulk MlBulk;

#define ML_BULK_ROWS 64

/* A loader of N_COLS (at most 999) columns on DB into TABLE: a table name from the
 * program, not input, optionally with its column list ("t (a, b)"). */
MlBulk *ml_bulk_new (MlDb *db, const char *table, int n_cols, GError **error);
void ml_bulk_free (MlBulk *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlBulk, ml_bulk_free)

void ml_bulk_int64 (MlBulk *b, gint64 v);
void ml_bulk_double (MlBulk *b, double v);
void ml_bulk_null (MlBulk *b);
/* V must outlive the MlBulk (a string literal); NULL is SQL NULL. */
void ml_bulk_static (MlBulk *b, const char *v);
/* The same with V's length in bytes, when the caller knows it (V[LEN] is
 * its terminating NUL). */
void ml_bulk_static_len (MlBulk *b, const char *v, gsize len);
/* V is copied until its row is written; NULL is SQL NULL. */
void ml_bulk_text (MlBulk *b, const char *v);

/* End the row being added; writes a full batch. */
gboolean ml_bulk_end_row (MlBulk *b, GError **error);

/* Write the rows still buffered. */
gboolean ml_bulk_flush (MlBulk *b, GError **error);

/* A value as it was given to a loader: TYPE is ML_VALUE_INTEGER (I),
 * ML_VALUE_REAL (D), ML_VALUE_TEXT (S) or ML_VALUE_NULL; the column's
 * affinity has not been applied. */
typedef struct {
  MlValueType type;
  guint32 len;                /* text: its length in bytes */
  union { gint64 i; double d; const char *s; } v;
} MlBulkValue;

/* Called with every batch of rows right after SQLite took it: N_ROWS rows
 * of N_COLS values, row-major, borrowed for the call only. */
typedef void (*MlBulkObserver) (const MlBulkValue *values, int n_rows, int n_cols, gpointer data);

/* Hand a copy of every row B writes from now on to FN (one observer). */
void ml_bulk_observe (MlBulk *b, MlBulkObserver fn, gpointer data);

/* ---- loading from C, and imposters ------------------------------------- */

/* Fill ROW[0..n_cols) with the next row's values (text borrowed until the
 * next call) and return ML_STEP_ROW; ML_STEP_DONE at the end; ML_STEP_ERROR
 * with ERROR set to stop the load. */
typedef MlStep (*MlRowFunc) (gpointer data, MlBulkValue *row, GError **error);

/* Insert into TARGET (a table name from the program, optionally with its
 * column list) every row FUNC makes, N_COLS (at most 16) values each, in
 * one "INSERT INTO TARGET SELECT ... FROM ml_load" statement: SQLite pulls
 * the rows through a virtual table instead of having them bound: cheaper
 * per row than ml_bulk (measured on the demo's 4.9 M stays and daily pairs
 * loaded in key order, with another load running beside it: 3.0 s bound,
 * 2.3 s pulled).  Rows reach the table in FUNC's order.  Inside the caller's transaction, if any.  FUNC's own
 * error is returned as it is. */
gboolean ml_db_load (MlDb *db, const char *target, int n_cols, MlRowFunc func, gpointer data, GError **error);

/* Make NAME an imposter of OF, a table or index of DB's main database: a
 * table over the same b-tree that SQLite writes without touching anything
 * else (sqlite.org/imposter.html).  For a rowid table: its columns,
 * without its indexes.  For an index: a WITHOUT ROWID table of the index's
 * key columns and _rowid_, all of them the primary key; rows inserted into
 * it in key order make the entries CREATE INDEX would, without SQLite's
 * sorter (in pages about 88 % full instead of nearly 100 %: b-tree
 * appends leave room).  Imposters live in the connection only, never in the
 * schema, until it closes; meanwhile the caller is responsible for the
 * table and its indexes agreeing again (PRAGMA integrity_check says if
 * they do).  Turns PRAGMA writable_schema on (newer SQLite writes to
 * imposters only then).  Only ascending BINARY index keys. */
gboolean ml_db_imposter (MlDb *db, const char *of, const char *name, GError **error);

/* Number of columns S returns (0 for a statement returning no rows). */
int ml_stmt_columns (MlStmt *s);

/* Name of column COL of S (its AS name if any).  Borrowed: lives as long
 * as S. */
const char *ml_stmt_column_name (MlStmt *s, int col);

G_END_DECLS

#endif /* ML_DB_H */
