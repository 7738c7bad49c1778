/* db.c -- SQLite databases: atomic creation, schema stamps, prepared statements.
 *
 * The one file in metaleak that calls sqlite3_*.  Every return code is
 * checked; failures become GErrors "PATH: <sqlite3_errmsg>" (ML_ERROR_DB;
 * ML_ERROR_SCHEMA for a file that is not a database, ML_ERROR_INTERRUPTED
 * when SIGINT/SIGTERM stopped a statement).  Values are bound, never
 * formatted into SQL; the only formatted number is PRAGMA user_version,
 * an int, because PRAGMA takes no parameters.
 *
 * Created databases are written to "PATH.tmp-XXXXXX" and renamed onto PATH
 * by ml_db_finish(), so a crash or an interrupted run never leaves a
 * half-written PATH.  They are tuned for one writer loading 10^7-10^8 rows
 * and nobody reading meanwhile: no journal, no fsync until the end, an
 * exclusive lock and a 256 MiB cache, so that loading rarely spills dirty
 * pages (a small cache cost the analyzer a pwrite per page).  Index
 * builders shrink it first (ML_DB_SORT_CACHE_SQL): the cache bounds the
 * runs SQLite's sorter keeps in memory, and with 256 MiB CREATE INDEX over
 * 10^6-10^7 rows sorted in one run on one thread; with 8 MiB it sorts many
 * small runs on helper threads (PRAGMA threads) and merges them, 2.5-3x
 * faster (measured: two indexes over 10^7 lookups, 41.6 s -> 13.2 s).  A
 * caller that indexes two databases at once on two cores turns the helper
 * threads off (sim/writer.c: less CPU, and faster).  Pages
 * stay at 4 KiB: measured on 2-5 million five-integer rows, 64 KiB pages
 * loaded and indexed 1.3-2x slower and looked rows up no faster.
 * temp_store stays on disk: with temp_store=MEMORY SQLite's sorter never
 * spills, so a CREATE INDEX or ORDER BY over 10^8 rows would sort in RAM.
 * Opened databases are tuned for the analyzer's scans: up to 2 GiB mapped
 * (SQLite clamps it to its compile-time maximum) and a 64 MiB cache.
 *
 * The per-row entry points (bind, step, run, reset, column accessors) make
 * one SQLite call and test its result; errors are built only on failure.
 * A progress handler polls ml_interrupted() every PROGRESS_OPS virtual
 * machine instructions so that a long CREATE INDEX or GROUP BY can be
 * interrupted too.
 */

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "common/db.h"
#include "common/errors.h"
#include "common/outdir.h"

#define PROGRESS_OPS 100000   /* VM instructions between ml_interrupted() polls */
#define BUSY_TIMEOUT_MS 5000  /* wait for another process's lock on an opened file */

static const char create_pragmas[] =
  "PRAGMA page_size = 4096;"
  "PRAGMA journal_mode = OFF;"
  "PRAGMA synchronous = OFF;"
  "PRAGMA locking_mode = EXCLUSIVE;"
  "PRAGMA cache_size = -262144;"    /* KiB: 256 MiB while loading; CREATE INDEX: see above */
  "PRAGMA threads = 4;";            /* CREATE INDEX sorts on helper threads */

static const char read_pragmas[] =
  "PRAGMA mmap_size = 2147483648;"
  "PRAGMA cache_size = -65536;"     /* KiB: 64 MiB */
  "PRAGMA threads = 4;";            /* ORDER BY / GROUP BY sort on helper threads */

static const char meta_ddl[] =
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)";

struct MlDb {
  sqlite3 *handle;     /* NULL once finished (or when opening failed) */
  char *path;          /* the final path, named in every message */
  char *tmp_path;      /* created and not yet published: deleted by ml_db_free */
  gboolean overwrite;  /* created with permission to replace PATH */
  struct Load *load;   /* the ml_db_load() in progress, or NULL */
  gboolean load_module; /* the ml_load virtual table is registered */
};

struct MlStmt {
  sqlite3_stmt *handle;  /* never NULL */
  MlDb *db;              /* borrowed: must outlive the statement */
};

const char *
ml_db_sqlite_version (void)
{
  return sqlite3_libversion ();
}

/* Set ERROR from the failure RC just reported on DB's connection, naming
 * FILE (DB's own path, or a database being attached to it). */
static gboolean
file_error (MlDb *db, const char *file, int rc, GError **error)
{
  const char *msg = db->handle != NULL ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc);

  if ((rc & 0xff) == SQLITE_INTERRUPT && ml_interrupted ())
    g_set_error_literal (error, ML_ERROR, ML_ERROR_INTERRUPTED, "interrupted");
  else if ((rc & 0xff) == SQLITE_NOTADB)
    g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: %s", file, msg);
  else
    g_set_error (error, ML_ERROR, ML_ERROR_DB, "%s: %s", file, msg);
  return FALSE;
}

static gboolean
db_error (MlDb *db, int rc, GError **error)
{
  return file_error (db, db->path, rc, error);
}

static gboolean
stmt_error (MlStmt *s, int rc, GError **error)
{
  return db_error (s->db, rc, error);
}

static int
poll_interrupted (void *unused)
{
  (void) unused;
  return ml_interrupted ();
}

static gboolean
path_exists (const char *path)
{
  struct stat st;

  return g_lstat (path, &st) == 0;
}

/* ML_ERROR_IO unless PATH names an existing non-directory (SQLite would
 * otherwise create it, or fail with a vaguer message). */
static gboolean
check_file (const char *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: no such file", path);
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: is a directory", path);
      return FALSE;
    }
  return TRUE;
}

/* Open FILE (the temporary or the final path) for DB with FLAGS.  URI
 * handling is on so that ml_db_attach() can pass mode=ro; a plain path that
 * happens to start with "file:" is protected by a "./" prefix. */
static gboolean
open_connection (MlDb *db, const char *file, int flags, GError **error)
{
  static gsize configured;
  g_autofree char *guarded = NULL;
  int rc;

  g_assert (db->handle == NULL);
  if (g_once_init_enter (&configured))
    {
      /* Before SQLite initialises itself: no global allocation statistics,
       * whose mutex every malloc would take (about 20 % of a bulk load). */
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&configured, 1);
    }
  if (g_str_has_prefix (file, "file:"))
    guarded = g_strconcat ("./", file, NULL);
  rc = sqlite3_open_v2 (guarded != NULL ? guarded : file, &db->handle,
                        flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      db_error (db, rc, error);
      sqlite3_close_v2 (db->handle);   /* a failed open still allocates a handle */
      db->handle = NULL;
      return FALSE;
    }
  sqlite3_progress_handler (db->handle, PROGRESS_OPS, poll_interrupted, NULL);
  return TRUE;
}

MlDb *
ml_db_create (const char *path, gboolean overwrite, GError **error)
{
  g_autoptr(MlDb) db = NULL;
  g_autofree char *tmp = NULL;
  int fd;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  if (!overwrite && path_exists (path))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_EXISTS, "%s: exists; use --force to replace it", path);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: is a directory", path);
      return NULL;
    }
  tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create: %s", path, g_strerror (errsv));
      return NULL;
    }
  close (fd);
  db = g_new0 (MlDb, 1);
  db->path = g_strdup (path);
  db->tmp_path = g_steal_pointer (&tmp);
  db->overwrite = overwrite;
  if (!open_connection (db, db->tmp_path, SQLITE_OPEN_READWRITE, error)
      || !ml_db_exec (db, create_pragmas, error))
    return NULL;
  return g_steal_pointer (&db);
}

/* Rename DB's temporary file onto its path, replacing it only if DB was
 * created with OVERWRITE. */
static gboolean
publish (MlDb *db, GError **error)
{
  if (!db->overwrite)
    return ml_rename_noreplace (db->tmp_path, db->path, error);
  if (g_rename (db->tmp_path, db->path) != 0)
    {
      int errsv = errno;
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot replace: %s", db->path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

gboolean
ml_db_finish (MlDb *db, GError **error)
{
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (db != NULL && db->handle != NULL && db->tmp_path != NULL, FALSE);
  g_return_val_if_fail (sqlite3_next_stmt (db->handle, NULL) == NULL, FALSE);
  g_return_val_if_fail (sqlite3_get_autocommit (db->handle), FALSE);

  rc = sqlite3_close (db->handle);
  if (rc != SQLITE_OK)
    return db_error (db, rc, error);
  db->handle = NULL;
  if (!ml_fsync_path (db->tmp_path, error) || !publish (db, error))
    return FALSE;
  g_clear_pointer (&db->tmp_path, g_free);
  dir = g_path_get_dirname (db->path);
  return ml_fsync_path (dir, error);
}

MlDb *
ml_db_open (const char *path, MlDbMode mode, GError **error)
{
  g_autoptr(MlDb) db = NULL;
  int flags = mode == ML_DB_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  gint64 tables;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (mode == ML_DB_READONLY || mode == ML_DB_READWRITE, NULL);
  if (!check_file (path, error))
    return NULL;
  db = g_new0 (MlDb, 1);
  db->path = g_strdup (path);
  if (!open_connection (db, path, flags, error))
    return NULL;
  sqlite3_busy_timeout (db->handle, BUSY_TIMEOUT_MS);
  /* SQLite reads the header lazily: read the schema now, so that a file
   * that is not a database fails here, as ML_ERROR_SCHEMA. */
  /* A read-only connection keeps its shared lock between statements
   * instead of taking and dropping it (two fcntl calls) for every query:
   * the analyzer runs 10^5 one-row queries (handle names). */
  if (!ml_db_exec (db, read_pragmas, error)
      || (mode == ML_DB_READONLY && !ml_db_exec (db, "PRAGMA locking_mode = EXCLUSIVE", error))
      || !ml_db_query_int64 (db, "SELECT count(*) FROM sqlite_master", &tables, error))
    return NULL;
  return g_steal_pointer (&db);
}

void
ml_db_free (MlDb *db)
{
  if (db == NULL)
    return;
  if (db->handle != NULL)
    sqlite3_close_v2 (db->handle);   /* always SQLITE_OK: closes when the last statement goes */
  if (db->tmp_path != NULL)
    g_unlink (db->tmp_path);
  g_free (db->tmp_path);
  g_free (db->path);
  g_free (db);
}

const char *
ml_db_path (const MlDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);
  return db->path;
}

gboolean
ml_db_exec (MlDb *db, const char *sql, GError **error)
{
  int rc;

  g_return_val_if_fail (db != NULL && db->handle != NULL && sql != NULL, FALSE);
  rc = sqlite3_exec (db->handle, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return db_error (db, rc, error);
  return TRUE;
}

gboolean
ml_db_begin (MlDb *db, GError **error)
{
  return ml_db_exec (db, "BEGIN", error);
}

gboolean
ml_db_commit (MlDb *db, GError **error)
{
  return ml_db_exec (db, "COMMIT", error);
}

gboolean
ml_db_rollback (MlDb *db, GError **error)
{
  return ml_db_exec (db, "ROLLBACK", error);
}

gboolean
ml_db_in_transaction (MlDb *db)
{
  g_return_val_if_fail (db != NULL && db->handle != NULL, FALSE);
  return !sqlite3_get_autocommit (db->handle);
}

gboolean
ml_db_set_schema (MlDb *db, const char *kind, int version, GError **error)
{
  g_autofree char *value = NULL;
  g_autofree char *pragma = NULL;

  g_return_val_if_fail (kind != NULL && version >= 0, FALSE);
  value = g_strdup_printf ("%d", version);
  /* PRAGMA takes no parameters; VERSION is an int, not text from input. */
  pragma = g_strdup_printf ("PRAGMA user_version = %d", version);
  return ml_db_set_meta (db, "schema_kind", kind, error)
         && ml_db_set_meta (db, "schema_version", value, error)
         && ml_db_exec (db, pragma, error);
}

/* The value of KEY in table meta; absent is ML_ERROR_SCHEMA: DB was not
 * stamped by ml_db_set_schema(). */
static char *
get_stamp (MlDb *db, const char *key, GError **error)
{
  GError *local = NULL;
  char *value = ml_db_get_meta (db, key, &local);

  if (local != NULL)
    g_propagate_error (error, local);
  else if (value == NULL)
    g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: not a metaleak database (no %s)", db->path, key);
  return value;
}

gboolean
ml_db_check_schema (MlDb *db, const char *kind, int version, GError **error)
{
  g_autofree char *found_kind = NULL;
  g_autofree char *found_version = NULL;
  gint64 has_meta = 0;
  gint64 v = -1;

  g_return_val_if_fail (db != NULL && kind != NULL, FALSE);
  if (!ml_db_query_int64 (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                          &has_meta, error))
    return FALSE;
  if (has_meta == 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: not a metaleak database (no table meta)", db->path);
      return FALSE;
    }
  if ((found_kind = get_stamp (db, "schema_kind", error)) == NULL
      || (found_version = get_stamp (db, "schema_version", error)) == NULL)
    return FALSE;
  if (!g_str_equal (found_kind, kind))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: is a '%s' database, expected '%s'",
                   db->path, found_kind, kind);
      return FALSE;
    }
  if (!g_ascii_string_to_signed (found_version, 10, 0, G_MAXINT, &v, NULL) || v != version)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: schema version %s, this metaleak reads %d",
                   db->path, found_version, version);
      return FALSE;
    }
  return TRUE;
}

gboolean
ml_db_set_meta (MlDb *db, const char *key, const char *value, GError **error)
{
  g_autoptr(MlStmt) s = NULL;

  g_return_val_if_fail (key != NULL, FALSE);
  if (!ml_db_exec (db, meta_ddl, error))
    return FALSE;
  s = ml_db_prepare (db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", error);
  return s != NULL
         && ml_stmt_bind_text (s, 1, key, -1, error)
         && ml_stmt_bind_text (s, 2, value, -1, error)
         && ml_stmt_run (s, error);
}

char *
ml_db_get_meta (MlDb *db, const char *key, GError **error)
{
  g_autoptr(MlStmt) s = NULL;

  g_return_val_if_fail (key != NULL, NULL);
  s = ml_db_prepare (db, "SELECT value FROM meta WHERE key = ?1", error);
  if (s == NULL || !ml_stmt_bind_text (s, 1, key, -1, error))
    return NULL;
  if (ml_stmt_step (s, error) != ML_STEP_ROW)
    return NULL;
  return g_strdup (ml_stmt_text (s, 0));
}

gboolean
ml_db_attach (MlDb *db, const char *path, const char *alias, GError **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(MlStmt) s = NULL;
  int rc;

  g_return_val_if_fail (db != NULL && path != NULL && alias != NULL, FALSE);
  if (!check_file (path, error))
    return FALSE;
  absolute = g_canonicalize_filename (path, NULL);
  escaped = g_uri_escape_string (absolute, "/", FALSE);
  uri = g_strconcat ("file:", escaped, "?mode=ro", NULL);
  s = ml_db_prepare (db, "ATTACH DATABASE ?1 AS ?2", error);
  if (s == NULL
      || !ml_stmt_bind_text (s, 1, uri, -1, error)
      || !ml_stmt_bind_text (s, 2, alias, -1, error))
    return FALSE;
  rc = sqlite3_step (s->handle);
  if (rc != SQLITE_DONE)
    return file_error (db, path, rc, error);   /* about PATH, not DB */
  return TRUE;
}

gint64
ml_db_changes (MlDb *db)
{
  g_return_val_if_fail (db != NULL && db->handle != NULL, 0);
#if SQLITE_VERSION_NUMBER >= 3037000
  return sqlite3_changes64 (db->handle);
#else
  return sqlite3_changes (db->handle);
#endif
}

gint64
ml_db_last_insert_rowid (MlDb *db)
{
  g_return_val_if_fail (db != NULL && db->handle != NULL, 0);
  return sqlite3_last_insert_rowid (db->handle);
}

gboolean
ml_db_query_int64 (MlDb *db, const char *sql, gint64 *out, GError **error)
{
  g_autoptr(MlStmt) s = NULL;
  MlStep step;

  g_return_val_if_fail (out != NULL, FALSE);
  s = ml_db_prepare (db, sql, error);
  if (s == NULL)
    return FALSE;
  step = ml_stmt_step (s, error);
  if (step == ML_STEP_ERROR)
    return FALSE;
  if (step == ML_STEP_DONE)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_DB, "%s: no row from: %s", db->path, sql);
      return FALSE;
    }
  *out = ml_stmt_int64 (s, 0);
  return TRUE;
}

/* Whether the tail SQL leaves after the first statement is empty (blanks
 * and semicolons only). */
static gboolean
is_blank_tail (const char *tail)
{
  for (; *tail != '\0'; tail++)
    if (!g_ascii_isspace (*tail) && *tail != ';')
      return FALSE;
  return TRUE;
}

/* Quote SQL at the end of ERROR's message, if one was set. */
static void
append_sql (GError **error, const char *sql)
{
  char *message;

  if (error == NULL || *error == NULL)
    return;
  message = g_strdup_printf ("%s, in: %s", (*error)->message, sql);
  g_free ((*error)->message);
  (*error)->message = message;
}

MlStmt *
ml_db_prepare (MlDb *db, const char *sql, GError **error)
{
  sqlite3_stmt *handle = NULL;
  const char *tail = NULL;
  MlStmt *s;
  int rc;

  g_return_val_if_fail (db != NULL && db->handle != NULL && sql != NULL, NULL);
  rc = sqlite3_prepare_v2 (db->handle, sql, -1, &handle, &tail);
  if (rc != SQLITE_OK)
    {
      db_error (db, rc, error);
      append_sql (error, sql);
      return NULL;
    }
  if (handle == NULL || !is_blank_tail (tail))
    {
      sqlite3_finalize (handle);
      g_set_error (error, ML_ERROR, ML_ERROR_DB, "%s: not exactly one statement: %s", db->path, sql);
      return NULL;
    }
  s = g_new (MlStmt, 1);
  s->handle = handle;
  s->db = db;
  return s;
}

void
ml_stmt_free (MlStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_finalize (stmt->handle);   /* repeats the last step's error, already reported */
  g_free (stmt);
}

gboolean
ml_stmt_bind_int64 (MlStmt *s, int idx, gint64 v, GError **error)
{
  int rc = sqlite3_bind_int64 (s->handle, idx, v);

  if (G_LIKELY (rc == SQLITE_OK))
    return TRUE;
  return stmt_error (s, rc, error);
}

gboolean
ml_stmt_bind_double (MlStmt *s, int idx, double v, GError **error)
{
  int rc = sqlite3_bind_double (s->handle, idx, v);

  if (G_LIKELY (rc == SQLITE_OK))
    return TRUE;
  return stmt_error (s, rc, error);
}

gboolean
ml_stmt_bind_text (MlStmt *s, int idx, const char *v, gssize len, GError **error)
{
  int rc;

  if (v == NULL)
    rc = sqlite3_bind_null (s->handle, idx);
  else if (len < 0)
    rc = sqlite3_bind_text (s->handle, idx, v, -1, SQLITE_TRANSIENT);
  else
    rc = sqlite3_bind_text64 (s->handle, idx, v, (sqlite3_uint64) len, SQLITE_TRANSIENT, SQLITE_UTF8);
  if (G_LIKELY (rc == SQLITE_OK))
    return TRUE;
  return stmt_error (s, rc, error);
}

gboolean
ml_stmt_bind_null (MlStmt *s, int idx, GError **error)
{
  int rc = sqlite3_bind_null (s->handle, idx);

  if (G_LIKELY (rc == SQLITE_OK))
    return TRUE;
  return stmt_error (s, rc, error);
}

MlStep
ml_stmt_step (MlStmt *s, GError **error)
{
  int rc = sqlite3_step (s->handle);

  if (G_LIKELY (rc == SQLITE_ROW))
    return ML_STEP_ROW;
  if (rc == SQLITE_DONE)
    return ML_STEP_DONE;
  stmt_error (s, rc, error);
  sqlite3_reset (s->handle);   /* repeats RC, just reported */
  return ML_STEP_ERROR;
}

gboolean
ml_stmt_run (MlStmt *s, GError **error)
{
  int rc;

  while ((rc = sqlite3_step (s->handle)) == SQLITE_ROW)
    ;
  if (G_UNLIKELY (rc != SQLITE_DONE))
    stmt_error (s, rc, error);
  sqlite3_reset (s->handle);
  sqlite3_clear_bindings (s->handle);
  return rc == SQLITE_DONE;
}

void
ml_stmt_reset (MlStmt *s)
{
  sqlite3_reset (s->handle);   /* its result is the last step's, already reported */
  sqlite3_clear_bindings (s->handle);
}

gint64
ml_stmt_int64 (MlStmt *s, int col)
{
  return sqlite3_column_int64 (s->handle, col);
}

double
ml_stmt_double (MlStmt *s, int col)
{
  return sqlite3_column_double (s->handle, col);
}

const char *
ml_stmt_text (MlStmt *s, int col)
{
  return (const char *) sqlite3_column_text (s->handle, col);
}

gboolean
ml_stmt_is_null (MlStmt *s, int col)
{
  return sqlite3_column_type (s->handle, col) == SQLITE_NULL;
}

gboolean
ml_stmt_is_integer (MlStmt *s, int col)
{
  return sqlite3_column_type (s->handle, col) == SQLITE_INTEGER;
}

MlValueType
ml_stmt_type (MlStmt *s, int col)
{
  G_STATIC_ASSERT ((int) ML_VALUE_INTEGER == SQLITE_INTEGER && (int) ML_VALUE_REAL == SQLITE_FLOAT
                   && (int) ML_VALUE_TEXT == SQLITE_TEXT && (int) ML_VALUE_BLOB == SQLITE_BLOB
                   && (int) ML_VALUE_NULL == SQLITE_NULL);
  return (MlValueType) sqlite3_column_type (s->handle, col);
}

int
ml_stmt_columns (MlStmt *s)
{
  return sqlite3_column_count (s->handle);
}

const char *
ml_stmt_column_name (MlStmt *s, int col)
{
  return sqlite3_column_name (s->handle, col);
}

/* ---- bulk loading ------------------------------------------------------ */

/* The loader's values are what observers get: ml_bulk_text() copies
 * live in COPIES until the batch is written. */
typedef MlBulkValue BulkValue;
#define BULK_NULL ML_VALUE_NULL
#define BULK_INT ML_VALUE_INTEGER
#define BULK_DOUBLE ML_VALUE_REAL
#define BULK_TEXT ML_VALUE_TEXT

#define BULK_MAX_PARAMS 999   /* SQLite's historical limit on parameters per statement */

struct MlBulk {
  MlStmt *many;            /* PER rows */
  MlStmt *one;             /* one row, for the remainder */
  int n_cols, per;         /* rows per statement: ML_BULK_ROWS, fewer for wide tables */
  int rows;                /* rows buffered */
  int col;                 /* next column of the row being added */
  BulkValue *values;       /* PER * n_cols */
  GStringChunk *copies;    /* ml_bulk_text() strings of the buffered rows */
  MlBulkObserver observer;
  gpointer observer_data;
};

void
ml_bulk_observe (MlBulk *b, MlBulkObserver fn, gpointer data)
{
  g_return_if_fail (b != NULL);
  b->observer = fn;
  b->observer_data = data;
}

static char *
bulk_sql (const char *table, int n_cols, int rows)
{
  GString *s = g_string_new ("INSERT INTO ");

  g_string_append_printf (s, "%s VALUES ", table);
  for (int r = 0; r < rows; r++)
    {
      g_string_append (s, r ? ",(" : "(");
      for (int c = 0; c < n_cols; c++)
        g_string_append (s, c ? ",?" : "?");
      g_string_append_c (s, ')');
    }
  return g_string_free (s, FALSE);
}

MlBulk *
ml_bulk_new (MlDb *db, const char *table, int n_cols, GError **error)
{
  g_autofree char *many = NULL, *one = NULL;
  MlBulk *b;

  g_return_val_if_fail (db != NULL && table != NULL && n_cols > 0 && n_cols <= BULK_MAX_PARAMS, NULL);
  b = g_new0 (MlBulk, 1);
  b->n_cols = n_cols;
  b->per = MIN (ML_BULK_ROWS, BULK_MAX_PARAMS / n_cols);
  b->values = g_new0 (BulkValue, (gsize) n_cols * b->per);
  b->copies = g_string_chunk_new (4096);
  many = bulk_sql (table, n_cols, b->per);
  one = bulk_sql (table, n_cols, 1);
  if ((b->many = ml_db_prepare (db, many, error)) == NULL || (b->one = ml_db_prepare (db, one, error)) == NULL)
    {
      ml_bulk_free (b);
      return NULL;
    }
  return b;
}

void
ml_bulk_free (MlBulk *b)
{
  if (b == NULL)
    return;
  ml_stmt_free (b->many);
  ml_stmt_free (b->one);
  g_free (b->values);
  g_string_chunk_free (b->copies);
  g_free (b);
}

static inline BulkValue *
bulk_slot (MlBulk *b)
{
  g_assert (b->col < b->n_cols);
  return &b->values[b->rows * b->n_cols + b->col++];
}

void
ml_bulk_int64 (MlBulk *b, gint64 v)
{
  BulkValue *x = bulk_slot (b);
  x->type = BULK_INT;
  x->v.i = v;
}

void
ml_bulk_double (MlBulk *b, double v)
{
  BulkValue *x = bulk_slot (b);
  x->type = BULK_DOUBLE;
  x->v.d = v;
}

void
ml_bulk_null (MlBulk *b)
{
  bulk_slot (b)->type = BULK_NULL;
}

void
ml_bulk_static (MlBulk *b, const char *v)
{
  BulkValue *x = bulk_slot (b);
  x->type = v != NULL ? BULK_TEXT : BULK_NULL;
  x->v.s = v;
  x->len = v != NULL ? (guint32) strlen (v) : 0;
}

void
ml_bulk_static_len (MlBulk *b, const char *v, gsize len)
{
  BulkValue *x = bulk_slot (b);
  g_assert (len <= G_MAXINT32);
  x->type = v != NULL ? BULK_TEXT : BULK_NULL;
  x->v.s = v;
  x->len = (guint32) len;
}

void
ml_bulk_text (MlBulk *b, const char *v)
{
  BulkValue *x = bulk_slot (b);
  x->type = v != NULL ? BULK_TEXT : BULK_NULL;
  x->len = v != NULL ? (guint32) strlen (v) : 0;
  x->v.s = v != NULL ? g_string_chunk_insert_len (b->copies, v, x->len) : NULL;
}

/* Bind N values from V to S's parameters 1..N and run it. */
static gboolean
bulk_run (MlStmt *s, const BulkValue *v, int n, GError **error)
{
  int rc;

  for (int i = 0; i < n; i++)
    {
      switch (v[i].type)
        {
        case BULK_INT: rc = sqlite3_bind_int64 (s->handle, i + 1, v[i].v.i); break;
        case BULK_DOUBLE: rc = sqlite3_bind_double (s->handle, i + 1, v[i].v.d); break;
        case BULK_TEXT: rc = sqlite3_bind_text (s->handle, i + 1, v[i].v.s, (int) v[i].len, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null (s->handle, i + 1); break;
        }
      if (G_UNLIKELY (rc != SQLITE_OK))
        return stmt_error (s, rc, error);
    }
  /* every parameter is bound again next time: no sqlite3_clear_bindings() */
  rc = sqlite3_step (s->handle);
  if (G_UNLIKELY (rc != SQLITE_DONE))
    stmt_error (s, rc, error);
  sqlite3_reset (s->handle);
  return rc == SQLITE_DONE;
}

gboolean
ml_bulk_end_row (MlBulk *b, GError **error)
{
  g_assert (b->col == b->n_cols);
  b->col = 0;
  gboolean ok;

  if (++b->rows < b->per)
    return TRUE;
  b->rows = 0;
  ok = bulk_run (b->many, b->values, b->n_cols * b->per, error);
  if (ok && b->observer != NULL)
    b->observer (b->values, b->per, b->n_cols, b->observer_data);
  g_string_chunk_clear (b->copies);
  return ok;
}

gboolean
ml_bulk_flush (MlBulk *b, GError **error)
{
  int rows = b->rows;

  g_assert (b->col == 0);
  b->rows = 0;
  for (int r = 0; r < rows; r++)
    if (!bulk_run (b->one, &b->values[r * b->n_cols], b->n_cols, error))
      {
        g_string_chunk_clear (b->copies);
        return FALSE;
      }
  if (rows > 0 && b->observer != NULL)
    b->observer (b->values, rows, b->n_cols, b->observer_data);
  g_string_chunk_clear (b->copies);
  return TRUE;
}

/* ---- loading through a virtual table ----------------------------------- */

/* ml_db_load() runs one "INSERT INTO target SELECT c0, ... FROM ml_load",
 * where ml_load is an eponymous virtual table on the connection whose
 * cursor asks the caller's function for each row.  The load in progress
 * hangs off the MlDb: one at a time per connection. */

#define LOAD_COLS 16

typedef struct Load {
  MlRowFunc func;
  gpointer data;
  int n_cols;
  MlBulkValue row[LOAD_COLS];
  GError *error;               /* the function's failure */
} Load;

typedef struct {
  sqlite3_vtab base;
  MlDb *db;
} LoadTab;

typedef struct {
  sqlite3_vtab_cursor base;
  Load *load;
  sqlite3_int64 n;             /* rows handed out: the rowid */
  gboolean eof;
} LoadCursor;

static int
load_connect (sqlite3 *handle, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err)
{
  GString *ddl = g_string_new ("CREATE TABLE x (");
  LoadTab *t;
  int rc;

  (void) argc;
  (void) argv;
  (void) err;
  for (int i = 0; i < LOAD_COLS; i++)
    g_string_append_printf (ddl, "%sc%d", i ? ", " : "", i);
  g_string_append (ddl, ")");
  rc = sqlite3_declare_vtab (handle, ddl->str);
  g_string_free (ddl, TRUE);
  if (rc != SQLITE_OK)
    return rc;
  t = g_new0 (LoadTab, 1);
  t->db = aux;
  *out = &t->base;
  return SQLITE_OK;
}

static int
load_disconnect (sqlite3_vtab *vtab)
{
  g_free (vtab);
  return SQLITE_OK;
}

static int
load_best_index (sqlite3_vtab *vtab, sqlite3_index_info *info)
{
  (void) vtab;
  info->estimatedCost = 1e12;  /* one pass over everything: there is no other way */
  return SQLITE_OK;
}

static int
load_open (sqlite3_vtab *vtab, sqlite3_vtab_cursor **out)
{
  LoadCursor *c = g_new0 (LoadCursor, 1);

  c->load = ((LoadTab *) vtab)->db->load;
  c->eof = TRUE;
  *out = &c->base;
  return SQLITE_OK;
}

static int
load_close (sqlite3_vtab_cursor *cur)
{
  g_free (cur);
  return SQLITE_OK;
}

/* The next row into the cursor's load; SQLITE_ERROR when the function
 * failed (its error is kept for ml_db_load to return). */
static int
load_advance (LoadCursor *c)
{
  Load *l = c->load;
  MlStep st;

  if (l == NULL)
    {
      c->eof = TRUE;
      return SQLITE_OK;
    }
  st = l->func (l->data, l->row, &l->error);
  c->eof = st != ML_STEP_ROW;
  c->n++;
  return st == ML_STEP_ERROR ? SQLITE_ERROR : SQLITE_OK;
}

static int
load_filter (sqlite3_vtab_cursor *cur, int idx, const char *idx_str, int argc, sqlite3_value **argv)
{
  (void) idx;
  (void) idx_str;
  (void) argc;
  (void) argv;
  return load_advance ((LoadCursor *) cur);
}

static int
load_next (sqlite3_vtab_cursor *cur)
{
  return load_advance ((LoadCursor *) cur);
}

static int
load_eof (sqlite3_vtab_cursor *cur)
{
  return ((LoadCursor *) cur)->eof;
}

static int
load_column (sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
  const Load *l = ((LoadCursor *) cur)->load;
  const MlBulkValue *v;

  if (col >= l->n_cols)
    {
      sqlite3_result_null (ctx);
      return SQLITE_OK;
    }
  v = &l->row[col];
  switch (v->type)
    {
    case ML_VALUE_INTEGER: sqlite3_result_int64 (ctx, v->v.i); break;
    case ML_VALUE_REAL: sqlite3_result_double (ctx, v->v.d); break;
    case ML_VALUE_TEXT: sqlite3_result_text (ctx, v->v.s, (int) v->len, SQLITE_TRANSIENT); break;
    default: sqlite3_result_null (ctx); break;
    }
  return SQLITE_OK;
}

static int
load_rowid (sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
  *rowid = ((LoadCursor *) cur)->n;
  return SQLITE_OK;
}

static const sqlite3_module load_module = {
  .iVersion = 1,
  .xCreate = NULL,             /* eponymous only: "FROM ml_load", never CREATE VIRTUAL TABLE */
  .xConnect = load_connect,
  .xBestIndex = load_best_index,
  .xDisconnect = load_disconnect,
  .xDestroy = load_disconnect,
  .xOpen = load_open,
  .xClose = load_close,
  .xFilter = load_filter,
  .xNext = load_next,
  .xEof = load_eof,
  .xColumn = load_column,
  .xRowid = load_rowid,
};

gboolean
ml_db_load (MlDb *db, const char *target, int n_cols, MlRowFunc func, gpointer data, GError **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  Load load = { func, data, n_cols, { { 0 } }, NULL };
  gboolean ok;

  g_return_val_if_fail (db != NULL && db->handle != NULL && target != NULL && func != NULL, FALSE);
  g_return_val_if_fail (n_cols > 0 && n_cols <= LOAD_COLS && db->load == NULL, FALSE);
  if (!db->load_module)
    {
      int rc = sqlite3_create_module_v2 (db->handle, "ml_load", &load_module, db, NULL);
      if (rc != SQLITE_OK)
        return db_error (db, rc, error);
      db->load_module = TRUE;
    }
  g_string_printf (sql, "INSERT INTO %s SELECT ", target);
  for (int i = 0; i < n_cols; i++)
    g_string_append_printf (sql, "%sc%d", i ? ", " : "", i);
  g_string_append (sql, " FROM ml_load");
  db->load = &load;
  ok = ml_db_exec (db, sql->str, error);
  db->load = NULL;
  if (load.error != NULL)      /* the row function's own failure explains SQLite's */
    {
      g_clear_error (error);
      g_propagate_error (error, load.error);
      return FALSE;
    }
  return ok;
}

/* ---- imposters ---------------------------------------------------------- */

static char *
quote_ident (const char *name)
{
  GString *q = g_string_new ("\"");

  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (q, '"');
      g_string_append_c (q, *p);
    }
  g_string_append_c (q, '"');
  return g_string_free (q, FALSE);
}

/* The CREATE TABLE of an imposter NAME for OF, of TYPE "table" or "index". */
static char *
imposter_ddl (MlDb *db, const char *of, const char *type, const char *name, GError **error)
{
  g_autoptr(GString) cols = g_string_new (NULL);
  g_autofree char *qname = quote_ident (name);
  g_autoptr(MlStmt) s = NULL;
  MlStep st;

  if (g_str_equal (type, "table"))
    {
      if ((s = ml_db_prepare (db, "SELECT name, type FROM pragma_table_info (?1) ORDER BY cid", error)) == NULL
          || !ml_stmt_bind_text (s, 1, of, -1, error))
        return NULL;
      while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
        {
          g_autofree char *q = quote_ident (ml_stmt_text (s, 0));
          g_string_append_printf (cols, "%s%s %s", cols->len ? ", " : "", q, ml_stmt_text (s, 1));
        }
      return st == ML_STEP_DONE ? g_strdup_printf ("CREATE TABLE %s (%s)", qname, cols->str) : NULL;
    }
  /* an index: its key columns then the rowid (an auxiliary column), all
   * of them the primary key */
  if ((s = ml_db_prepare (db, "SELECT cid, coalesce(name, ''), desc, coll, key FROM pragma_index_xinfo (?1)"
                              " ORDER BY seqno", error)) == NULL
      || !ml_stmt_bind_text (s, 1, of, -1, error))
    return NULL;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      g_autofree char *q = quote_ident (ml_stmt_int64 (s, 0) < 0 ? "_rowid_" : ml_stmt_text (s, 1));
      if (ml_stmt_int64 (s, 4) && (ml_stmt_int64 (s, 2) != 0 || g_strcmp0 (ml_stmt_text (s, 3), "BINARY") != 0))
        {
          g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "%s: index %s: only ascending BINARY keys can have an"
                       " imposter", db->path, of);
          return NULL;
        }
      g_string_append_printf (cols, "%s%s", cols->len ? ", " : "", q);
    }
  if (st != ML_STEP_DONE)
    return NULL;
  return g_strdup_printf ("CREATE TABLE %s (%s, PRIMARY KEY (%s)) WITHOUT ROWID", qname, cols->str, cols->str);
}

gboolean
ml_db_imposter (MlDb *db, const char *of, const char *name, GError **error)
{
  g_autoptr(MlStmt) s = NULL;
  g_autofree char *type = NULL, *ddl = NULL;
  gint64 root = 0, listed = 0;
  gboolean ok;

  g_return_val_if_fail (db != NULL && db->handle != NULL && of != NULL && name != NULL, FALSE);
  if ((s = ml_db_prepare (db, "SELECT type, rootpage FROM main.sqlite_schema WHERE name = ?1"
                              " AND type IN ('table', 'index') AND rootpage > 0", error)) == NULL
      || !ml_stmt_bind_text (s, 1, of, -1, error))
    return FALSE;
  switch (ml_stmt_step (s, error))
    {
    case ML_STEP_ROW:
      type = g_strdup (ml_stmt_text (s, 0));
      root = ml_stmt_int64 (s, 1);
      ml_stmt_reset (s);
      break;
    case ML_STEP_DONE:
      g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "%s: no table or index %s", db->path, of);
      return FALSE;
    default:
      return FALSE;
    }
  if ((ddl = imposter_ddl (db, of, type, name, error)) == NULL
      /* newer SQLite writes to imposters only with a writable schema */
      || !ml_db_exec (db, "PRAGMA writable_schema = ON", error))
    return FALSE;
  sqlite3_test_control (SQLITE_TESTCTRL_IMPOSTER, db->handle, "main", 1, (int) root);
  ok = ml_db_exec (db, ddl, error);
  sqlite3_test_control (SQLITE_TESTCTRL_IMPOSTER, db->handle, "main", 0, 0);
  if (!ok)
    return FALSE;
  /* A library built without test controls (SQLITE_UNTESTABLE) made an
   * ordinary table instead: undo it and say so. */
  ml_stmt_free (g_steal_pointer (&s));
  if ((s = ml_db_prepare (db, "SELECT count(*) FROM main.sqlite_schema WHERE name = ?1", error)) == NULL
      || !ml_stmt_bind_text (s, 1, name, -1, error) || ml_stmt_step (s, error) != ML_STEP_ROW)
    return FALSE;
  listed = ml_stmt_int64 (s, 0);
  ml_stmt_reset (s);
  if (listed != 0)
    {
      g_autofree char *q = quote_ident (name);
      g_autofree char *drop = g_strdup_printf ("DROP TABLE %s", q);
      if (ml_db_exec (db, drop, error))
        g_set_error (error, ML_ERROR, ML_ERROR_DB, "%s: SQLite %s was built without imposter tables"
                     " (SQLITE_UNTESTABLE)", db->path, sqlite3_libversion ());
      return FALSE;
    }
  return TRUE;
}
