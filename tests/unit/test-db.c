/* test-db.c -- unit tests for common/db: atomic creation, values bound and
 * read back exactly, error codes and messages, schema stamps, attach. */

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "common/db.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "tests/unit/runner.h"

/* A new empty directory NAME inside the test tmpdir; caller frees. */
static char *
fresh_dir (const char *name)
{
  char *dir = ml_test_path (name);

  g_assert_true (g_mkdir (dir, 0700) == 0);
  return dir;
}

/* Number of entries of DIR whose name starts with PREFIX. */
static int
count_prefixed (const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  int n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  return n;
}

/* Contents of PATH, or NULL if it cannot be read; caller frees. */
static char *
slurp (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* Create PATH (overwriting) with table t(k INTEGER PRIMARY KEY, v TEXT)
 * holding the row (1, V), and finish it. */
static void
make_small_db (const char *path, const char *v)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, TRUE, &error);
  g_autoptr(MlStmt) s = NULL;

  g_assert_no_error (error);
  g_assert_true (ml_db_exec (db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)", &error));
  s = ml_db_prepare (db, "INSERT INTO t (k, v) VALUES (1, ?1)", &error);
  g_assert_true (s != NULL && ml_stmt_bind_text (s, 1, v, -1, &error) && ml_stmt_run (s, &error));
  g_clear_pointer (&s, ml_stmt_free);
  g_assert_true (ml_db_finish (db, &error));
}

/* Quotes and non-ASCII UTF-8: "it's \"quoted\" ünïcødé ✓ 📱". */
static const char odd_text[] =
  "it's \"quoted\" \xc3\xbc" "n\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xb1";

typedef struct {
  gint64 i;
  double d;
  const char *s;
} Row;

static const Row rows[] = {
  { G_MAXINT64, 0.1, odd_text },
  { G_MININT64, -1.7976931348623157e308, "" },
  { 0, 4.9406564584124654e-324, "plain" },
  { -1, 0.0, NULL },
};

static void
insert_rows (MlDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = NULL;

  CU_ASSERT_FATAL (ml_db_exec (db, "CREATE TABLE r (i INTEGER, d REAL, s TEXT)", &error));
  CU_ASSERT_FATAL (ml_db_begin (db, &error));
  CU_ASSERT_TRUE (ml_db_in_transaction (db));
  s = ml_db_prepare (db, "INSERT INTO r (i, d, s) VALUES (?1, ?2, ?3)", &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  for (gsize k = 0; k < G_N_ELEMENTS (rows); k++)
    {
      CU_ASSERT_TRUE (ml_stmt_bind_int64 (s, 1, rows[k].i, &error));
      CU_ASSERT_TRUE (ml_stmt_bind_double (s, 2, rows[k].d, &error));
      CU_ASSERT_TRUE (ml_stmt_bind_text (s, 3, rows[k].s, -1, &error));
      CU_ASSERT_TRUE (ml_stmt_run (s, &error));
    }
  /* A row of NULLs: run cleared the bindings, ml_stmt_bind_null sets one. */
  CU_ASSERT_TRUE (ml_stmt_bind_null (s, 1, &error));
  CU_ASSERT_TRUE (ml_stmt_run (s, &error));
  CU_ASSERT_EQUAL (ml_db_last_insert_rowid (db), (gint64) G_N_ELEMENTS (rows) + 1);
  CU_ASSERT_TRUE (ml_db_commit (db, &error));
  CU_ASSERT_FALSE (ml_db_in_transaction (db));
  g_assert_no_error (error);
}

static void
check_rows (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_open (path, ML_DB_READONLY, &error);
  g_autoptr(MlStmt) s = NULL;
  gsize k = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  s = ml_db_prepare (db, "SELECT i, d, s FROM r ORDER BY rowid", &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  CU_ASSERT_EQUAL (ml_stmt_columns (s), 3);
  CU_ASSERT_STRING_EQUAL (ml_stmt_column_name (s, 2), "s");
  for (; k < G_N_ELEMENTS (rows) && ml_stmt_step (s, &error) == ML_STEP_ROW; k++)
    {
      CU_ASSERT_EQUAL (ml_stmt_int64 (s, 0), rows[k].i);
      CU_ASSERT_TRUE (ml_stmt_double (s, 1) == rows[k].d);   /* bit-exact */
      if (rows[k].s == NULL)
        {
          CU_ASSERT_TRUE (ml_stmt_is_null (s, 2) && ml_stmt_text (s, 2) == NULL);
        }
      else
        {
          CU_ASSERT_STRING_EQUAL (ml_stmt_text (s, 2), rows[k].s);
        }
    }
  CU_ASSERT_EQUAL (k, G_N_ELEMENTS (rows));
  CU_ASSERT_EQUAL (ml_stmt_step (s, &error), ML_STEP_ROW);
  CU_ASSERT_TRUE (ml_stmt_is_null (s, 0) && ml_stmt_is_null (s, 1) && ml_stmt_is_null (s, 2));
  CU_ASSERT_EQUAL (ml_stmt_step (s, &error), ML_STEP_DONE);
  g_assert_no_error (error);
}

static void
test_created_database_appears_only_after_finish (void)
{
  g_autofree char *dir = fresh_dir ("appear");
  g_autofree char *path = g_build_filename (dir, "rows.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_STRING_EQUAL (ml_db_path (db), path);
  insert_rows (db);
  CU_ASSERT_FALSE (g_file_test (path, G_FILE_TEST_EXISTS));
  CU_ASSERT_EQUAL (count_prefixed (dir, "rows.db.tmp-"), 1);
  CU_ASSERT_TRUE (ml_db_finish (db, &error));
  g_assert_no_error (error);
  CU_ASSERT_TRUE (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  CU_ASSERT_EQUAL (count_prefixed (dir, "rows.db.tmp-"), 0);
  CU_ASSERT_STRING_EQUAL (ml_db_path (db), path);
  check_rows (path);
}

static void
test_free_without_finish_deletes_temporary_file (void)
{
  g_autofree char *dir = fresh_dir ("unfinished");
  g_autofree char *path = g_build_filename (dir, "x.db", NULL);
  g_autoptr(GError) error = NULL;
  MlDb *db = ml_db_create (path, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_exec (db, "CREATE TABLE t (a); INSERT INTO t VALUES (1)", &error));
  CU_ASSERT_EQUAL (count_prefixed (dir, "x.db"), 1);
  ml_db_free (db);
  CU_ASSERT_EQUAL (count_prefixed (dir, ""), 0);
}

static void
test_create_refuses_existing_path_without_overwrite (void)
{
  g_autofree char *dir = fresh_dir ("exists");
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;

  g_assert_true (g_file_set_contents (path, "old contents", -1, NULL));
  db = ml_db_create (path, FALSE, &error);
  CU_ASSERT_PTR_NULL (db);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, path) : NULL);
  after = slurp (path);
  CU_ASSERT_STRING_EQUAL (after, "old contents");
  CU_ASSERT_EQUAL (count_prefixed (dir, ""), 1);
}

static void
test_finish_refuses_path_created_meanwhile_without_overwrite (void)
{
  g_autofree char *dir = fresh_dir ("race");
  g_autofree char *path = g_build_filename (dir, "late.db", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  MlDb *db = ml_db_create (path, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_exec (db, "CREATE TABLE t (a)", &error));
  g_assert_true (g_file_set_contents (path, "someone else's", -1, NULL));
  CU_ASSERT_FALSE (ml_db_finish (db, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
  ml_db_free (db);
  after = slurp (path);
  CU_ASSERT_STRING_EQUAL (after, "someone else's");
  CU_ASSERT_EQUAL (count_prefixed (dir, ""), 1);
}

static void
test_create_with_overwrite_replaces_existing_file (void)
{
  g_autofree char *dir = fresh_dir ("overwrite");
  g_autofree char *path = g_build_filename (dir, "o.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;
  g_autofree char *v = NULL;

  g_assert_true (g_file_set_contents (path, "not a database at all", -1, NULL));
  make_small_db (path, "new");
  db = ml_db_open (path, ML_DB_READONLY, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  {
    g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT v FROM t WHERE k = 1", &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL (s);
    CU_ASSERT_EQUAL (ml_stmt_step (s, &error), ML_STEP_ROW);
    v = g_strdup (ml_stmt_text (s, 0));
  }
  CU_ASSERT_STRING_EQUAL (v, "new");
  CU_ASSERT_EQUAL (count_prefixed (dir, ""), 1);
}

static void
test_syntax_error_is_a_db_error_quoting_sqlite (void)
{
  g_autofree char *path = ml_test_path ("syntax.db");
  g_autoptr(GError) exec_error = NULL;
  g_autoptr(GError) prep_error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlStmt) s = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_FALSE (ml_db_exec (db, "SELEC 1", &exec_error));
  CU_ASSERT_TRUE (g_error_matches (exec_error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_TRUE (exec_error != NULL && g_str_has_prefix (exec_error->message, path)
                  && strstr (exec_error->message, "near \"SELEC\": syntax error") != NULL);
  s = ml_db_prepare (db, "SELECT nope FROM nowhere", &prep_error);
  CU_ASSERT_PTR_NULL (s);
  CU_ASSERT_TRUE (g_error_matches (prep_error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_TRUE (prep_error != NULL && strstr (prep_error->message, "no such table: nowhere") != NULL
                  && strstr (prep_error->message, path) != NULL);
}

static void
test_prepare_refuses_more_than_one_statement (void)
{
  g_autofree char *path = ml_test_path ("two.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlStmt) one = NULL;
  g_autoptr(MlStmt) two = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  one = ml_db_prepare (db, "SELECT 1; \n", &error);
  CU_ASSERT_PTR_NOT_NULL (one);
  g_assert_no_error (error);
  two = ml_db_prepare (db, "SELECT 1; SELECT 2", &error);
  CU_ASSERT_PTR_NULL (two);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
}

static void
test_constraint_violation_fails_the_step_and_statement_stays_usable (void)
{
  g_autofree char *path = ml_test_path ("unique.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlStmt) s = NULL;
  gint64 n = -1;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_exec (db, "CREATE TABLE u (k INTEGER PRIMARY KEY, n TEXT NOT NULL)", NULL));
  s = ml_db_prepare (db, "INSERT INTO u (k, n) VALUES (?, ?)", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  CU_ASSERT_TRUE (ml_stmt_bind_int64 (s, 1, 7, NULL) && ml_stmt_bind_text (s, 2, "a", -1, NULL)
                  && ml_stmt_run (s, NULL));
  CU_ASSERT_TRUE (ml_stmt_bind_int64 (s, 1, 7, NULL) && ml_stmt_bind_text (s, 2, "b", -1, NULL));
  CU_ASSERT_FALSE (ml_stmt_run (s, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "UNIQUE constraint failed: u.k") != NULL);
  g_clear_error (&error);
  /* NOT NULL: run cleared the bindings, so n is NULL here. */
  CU_ASSERT_TRUE (ml_stmt_bind_int64 (s, 1, 8, NULL));
  CU_ASSERT_FALSE (ml_stmt_run (s, &error));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "NOT NULL constraint failed: u.n") != NULL);
  g_clear_error (&error);
  CU_ASSERT_TRUE (ml_stmt_bind_int64 (s, 1, 9, NULL) && ml_stmt_bind_text (s, 2, "c", 1, NULL)
                  && ml_stmt_run (s, &error));
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM u", &n, &error));
  CU_ASSERT_EQUAL (n, 2);
  g_assert_no_error (error);
}

/* N rows through a bulk loader, N chosen around ML_BULK_ROWS: every row
 * arrives, in order, with each value type intact. */
/* An observer that checks it sees every row once, in order, as given. */
static void
observe_rows (const MlBulkValue *v, int n_rows, int n_cols, gpointer data)
{
  int *seen = data;

  CU_ASSERT_EQUAL (n_cols, 4);
  for (int r = 0; r < n_rows; r++, (*seen)++)
    {
      const MlBulkValue *row = v + r * n_cols;
      CU_ASSERT_EQUAL (row[0].type, ML_VALUE_INTEGER);
      CU_ASSERT_EQUAL (row[0].v.i, G_MAXINT64 - *seen);
      CU_ASSERT_EQUAL (row[1].type, ML_VALUE_REAL);
      CU_ASSERT_EQUAL (row[2].type, *seen % 2 ? ML_VALUE_TEXT : ML_VALUE_NULL);
      if (*seen % 2)
        CU_ASSERT_TRUE (row[2].len == 3 && strcmp (row[2].v.s, "odd") == 0);
      CU_ASSERT_EQUAL (row[3].type, ML_VALUE_NULL);
    }
}

static void
check_bulk_rows (int n)
{
  g_autofree char *name = g_strdup_printf ("bulk-%d.db", n);
  g_autofree char *path = ml_test_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlBulk) b = NULL;
  g_autoptr(MlStmt) q = NULL;
  int i = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE t (k INTEGER, x REAL, s TEXT, z INTEGER)", NULL));
  int seen = 0;
  b = ml_bulk_new (db, "t (k, x, s, z)", 4, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (b);
  ml_bulk_observe (b, observe_rows, &seen);
  CU_ASSERT_TRUE (ml_db_begin (db, NULL));
  for (int r = 0; r < n; r++)
    {
      char copy[] = "odd";
      ml_bulk_int64 (b, G_MAXINT64 - r);
      ml_bulk_double (b, r + 0.25);
      /* text three ways: borrowed, borrowed with its length, copied */
      if (r % 2 == 0)
        ml_bulk_static (b, NULL);
      else if (r % 4 == 1)
        ml_bulk_static_len (b, "odd", 3);
      else
        ml_bulk_text (b, copy);
      memset (copy, 'x', 3);
      ml_bulk_null (b);
      CU_ASSERT_TRUE_FATAL (ml_bulk_end_row (b, &error));
    }
  CU_ASSERT_TRUE (ml_bulk_flush (b, &error));
  CU_ASSERT_EQUAL (seen, n);          /* the observer saw each row once, after SQLite took it */
  CU_ASSERT_TRUE (ml_db_commit (db, &error));
  g_assert_no_error (error);
  q = ml_db_prepare (db, "SELECT k, x, s, z IS NULL FROM t ORDER BY rowid", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (q);
  while (ml_stmt_step (q, NULL) == ML_STEP_ROW)
    {
      CU_ASSERT_EQUAL (ml_stmt_int64 (q, 0), G_MAXINT64 - i);
      CU_ASSERT_EQUAL (ml_stmt_double (q, 1), i + 0.25);
      CU_ASSERT_TRUE (i % 2 ? g_strcmp0 (ml_stmt_text (q, 2), "odd") == 0 : ml_stmt_is_null (q, 2));
      CU_ASSERT_EQUAL (ml_stmt_int64 (q, 3), 1);
      i++;
    }
  CU_ASSERT_EQUAL (i, n);
}

static void
test_bulk_loads_every_row_in_order_around_batch_sizes (void)
{
  const int sizes[] = { 0, 1, ML_BULK_ROWS - 1, ML_BULK_ROWS, ML_BULK_ROWS + 1, 3 * ML_BULK_ROWS + 5 };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    check_bulk_rows (sizes[k]);
}

static void
test_bulk_constraint_failure_is_reported_from_a_full_batch_and_from_flush (void)
{
  g_autofree char *path = ml_test_path ("bulk-unique.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlBulk) b = NULL;
  gboolean ok = TRUE;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE u (k INTEGER PRIMARY KEY)", NULL));
  b = ml_bulk_new (db, "u", 1, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (b);
  /* a duplicate inside the first full batch fails at its last row */
  for (int r = 0; r < ML_BULK_ROWS && ok; r++)
    {
      ml_bulk_int64 (b, r == 10 ? 3 : r);
      ok = ml_bulk_end_row (b, &error);
      CU_ASSERT_TRUE (ok == (r < ML_BULK_ROWS - 1));
    }
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "UNIQUE constraint failed: u.k") != NULL);
  g_clear_error (&error);
  /* the loader stays usable; a duplicate in the remainder fails in flush */
  ml_bulk_int64 (b, 1000);
  CU_ASSERT_TRUE (ml_bulk_end_row (b, NULL));
  ml_bulk_int64 (b, 1000);
  CU_ASSERT_TRUE (ml_bulk_end_row (b, NULL));
  CU_ASSERT_FALSE (ml_bulk_flush (b, &error));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "UNIQUE constraint failed: u.k") != NULL);
}

static void
test_bulk_on_a_missing_table_fails_at_creation (void)
{
  g_autofree char *path = ml_test_path ("bulk-missing.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlBulk) b = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  b = ml_bulk_new (db, "nosuch", 2, &error);
  CU_ASSERT_PTR_NULL (b);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "no such table: nosuch") != NULL);
}

static void
test_bind_out_of_range_is_an_error (void)
{
  g_autofree char *path = ml_test_path ("range.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlStmt) s = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  s = ml_db_prepare (db, "SELECT ?1 + ?2", &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  CU_ASSERT_FALSE (ml_stmt_bind_int64 (s, 3, 1, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "out of range") != NULL);
}

static void
test_schema_stamp_round_trips_and_mismatches_name_both_values (void)
{
  g_autofree char *path = ml_test_path ("schema.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  gint64 user_version = -1;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_set_schema (db, "truth", 3, &error));
  CU_ASSERT_TRUE (ml_db_finish (db, &error));
  g_clear_pointer (&db, ml_db_free);
  db = ml_db_open (path, ML_DB_READONLY, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_check_schema (db, "truth", 3, &error));
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "PRAGMA user_version", &user_version, &error));
  CU_ASSERT_EQUAL (user_version, 3);
  g_assert_no_error (error);

  CU_ASSERT_FALSE (ml_db_check_schema (db, "provider", 3, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "is a 'truth' database, expected 'provider'") != NULL
                  && g_str_has_prefix (error->message, path));
  g_clear_error (&error);
  CU_ASSERT_FALSE (ml_db_check_schema (db, "truth", 1, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "schema version 3, this metaleak reads 1") != NULL);
}

static void
test_database_without_stamp_fails_schema_check (void)
{
  g_autofree char *path = ml_test_path ("unstamped.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_FALSE (ml_db_check_schema (db, "truth", 1, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  g_clear_error (&error);
  CU_ASSERT_TRUE (ml_db_set_meta (db, "seed", "42", &error));
  CU_ASSERT_FALSE (ml_db_check_schema (db, "truth", 1, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "schema_kind") != NULL);
}

static void
test_meta_values_replace_and_absent_keys_read_null (void)
{
  g_autofree char *path = ml_test_path ("meta.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autofree char *seed = NULL;
  g_autofree char *none = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_set_meta (db, "seed", "41", &error));
  CU_ASSERT_TRUE (ml_db_set_meta (db, "seed", "42", &error));
  seed = ml_db_get_meta (db, "seed", &error);
  CU_ASSERT_STRING_EQUAL (seed, "42");
  none = ml_db_get_meta (db, "absent", &error);
  CU_ASSERT_PTR_NULL (none);
  g_assert_no_error (error);
}

static void
test_open_missing_file_is_an_io_error (void)
{
  g_autofree char *path = ml_test_path ("missing.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_open (path, ML_DB_READONLY, &error);
  g_autofree char *expected = g_strdup_printf ("%s: no such file", path);

  CU_ASSERT_PTR_NULL (db);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT_STRING_EQUAL (error != NULL ? error->message : "", expected);
  CU_ASSERT_FALSE (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_open_non_database_is_a_schema_error (void)
{
  g_autofree char *path = ml_test_path ("garbage.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (int i = 0; i < 200; i++)
    g_string_append (text, "this is not an SQLite database\n");
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  db = ml_db_open (path, ML_DB_READONLY, &error);
  CU_ASSERT_PTR_NULL (db);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_TRUE (error != NULL && g_str_has_prefix (error->message, path));
  g_clear_error (&error);
  db = ml_db_open (path, ML_DB_READWRITE, &error);
  CU_ASSERT_PTR_NULL (db);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
}

static void
test_bound_text_cannot_inject_sql (void)
{
  static const char evil[] = "'); DROP TABLE x; --";
  g_autofree char *path = ml_test_path ("inject.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  g_autoptr(MlStmt) ins = NULL;
  g_autoptr(MlStmt) sel = NULL;
  gint64 tables = 0, n = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_exec (db, "CREATE TABLE x (v TEXT)", &error));
  ins = ml_db_prepare (db, "INSERT INTO x (v) VALUES (?1)", &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ins);
  CU_ASSERT_TRUE (ml_stmt_bind_text (ins, 1, evil, -1, &error) && ml_stmt_run (ins, &error));
  CU_ASSERT_TRUE (ml_db_set_meta (db, evil, evil, &error));
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM sqlite_master WHERE name = 'x'", &tables, &error));
  CU_ASSERT_EQUAL (tables, 1);
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM x", &n, &error));
  CU_ASSERT_EQUAL (n, 1);
  sel = ml_db_prepare (db, "SELECT v FROM x", &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (sel);
  CU_ASSERT_EQUAL (ml_stmt_step (sel, &error), ML_STEP_ROW);
  CU_ASSERT_STRING_EQUAL (ml_stmt_text (sel, 0), evil);
  {
    g_autofree char *v = ml_db_get_meta (db, evil, &error);
    CU_ASSERT_STRING_EQUAL (v, evil);
  }
  g_assert_no_error (error);
}

static void
test_attached_database_reads_but_refuses_writes (void)
{
  g_autofree char *src = ml_test_path ("attach-src.db");
  g_autofree char *dst = ml_test_path ("attach-dst.db");
  g_autofree char *missing = ml_test_path ("attach-missing.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 n = 0;

  make_small_db (src, "kept");
  before = slurp (src);
  db = ml_db_create (dst, FALSE, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_attach (db, src, "src", &error));
  g_assert_no_error (error);
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM src.t WHERE v = 'kept'", &n, &error));
  CU_ASSERT_EQUAL (n, 1);
  CU_ASSERT_FALSE (ml_db_exec (db, "INSERT INTO src.t (k, v) VALUES (2, 'no')", &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "readonly") != NULL);
  g_clear_error (&error);
  CU_ASSERT_FALSE (ml_db_attach (db, missing, "gone", &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (missing, "plain text, not SQLite, long enough to hold a header......."
                                      "...........................................", -1, NULL));
  CU_ASSERT_FALSE (ml_db_attach (db, missing, "text", &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_TRUE (error != NULL && g_str_has_prefix (error->message, missing));
  g_clear_pointer (&db, ml_db_free);
  after = slurp (src);
  CU_ASSERT_TRUE (before != NULL && after != NULL && strcmp (before, after) == 0);
}

static void
test_attach_escapes_uri_characters_in_paths (void)
{
  g_autofree char *src = ml_test_path ("we?ird #%20 \xc3\xbc.db");
  g_autofree char *dst = ml_test_path ("attach-uri.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;
  gint64 n = 0;

  make_small_db (src, "odd path");
  db = ml_db_create (dst, FALSE, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_attach (db, src, "odd", &error));
  g_assert_no_error (error);
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM odd.t WHERE v = 'odd path'", &n, &error));
  CU_ASSERT_EQUAL (n, 1);
}

static void
test_query_int64_writes_out_only_on_success (void)
{
  g_autofree char *path = ml_test_path ("query.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  gint64 out = -5;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT 1234567890123", &out, &error));
  CU_ASSERT_EQUAL (out, G_GINT64_CONSTANT (1234567890123));
  CU_ASSERT_TRUE (ml_db_exec (db, "CREATE TABLE e (a INTEGER)", &error));
  out = -5;
  CU_ASSERT_FALSE (ml_db_query_int64 (db, "SELECT a FROM e", &out, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
  CU_ASSERT_EQUAL (out, -5);
  g_clear_error (&error);
  CU_ASSERT_FALSE (ml_db_query_int64 (db, "SELECT a FROM nowhere", &out, &error));
  CU_ASSERT_EQUAL (out, -5);
}

static void
test_changes_counts_rows_of_last_statement (void)
{
  g_autofree char *path = ml_test_path ("changes.db");
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_TRUE (ml_db_exec (db, "CREATE TABLE c (a); INSERT INTO c VALUES (1), (2), (3), (4)", NULL));
  CU_ASSERT_EQUAL (ml_db_changes (db), 4);
  CU_ASSERT_TRUE (ml_db_exec (db, "UPDATE c SET a = 0 WHERE a > 1", NULL));
  CU_ASSERT_EQUAL (ml_db_changes (db), 3);
}

static void
test_interruption_stops_a_long_statement (void)
{
  static const char count_to_ten_million[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000) "
    "SELECT count(*) FROM n";
  g_autofree char *path = ml_test_path ("interrupt.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, NULL);
  gint64 n = -1;

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  ml_interrupt_for_testing (TRUE);
  CU_ASSERT_FALSE (ml_db_query_int64 (db, count_to_ten_million, &n, &error));
  ml_interrupt_for_testing (FALSE);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INTERRUPTED));
  CU_ASSERT_EQUAL (n, -1);
  g_clear_error (&error);
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT 6 * 7", &n, &error));
  CU_ASSERT_EQUAL (n, 42);
}

static void
test_sqlite_version_is_a_version_three_string (void)
{
  const char *v = ml_db_sqlite_version ();

  CU_ASSERT_TRUE (v != NULL && g_str_has_prefix (v, "3.") && strlen (v) >= 5);
}

/* ---- ml_db_load and imposters ------------------------------------------ */

typedef struct {
  guint i, n;
  guint fail_at;                  /* 0: never */
  char text[32];
} RowGen;

/* Row i: (i, i / 4.0, "r<i>" or NULL every 7th, i * i). */
static MlStep
gen_row (gpointer data, MlBulkValue *row, GError **error)
{
  RowGen *g = data;

  if (g->fail_at != 0 && g->i == g->fail_at)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "row %u: cannot read", g->i);
      return ML_STEP_ERROR;
    }
  if (g->i == g->n)
    return ML_STEP_DONE;
  g_snprintf (g->text, sizeof g->text, "r%u", g->i);
  row[0] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = g->i };
  row[1] = (MlBulkValue) { .type = ML_VALUE_REAL, .v.d = g->i / 4.0 };
  row[2] = g->i % 7 == 0 ? (MlBulkValue) { .type = ML_VALUE_NULL }
                         : (MlBulkValue) { .type = ML_VALUE_TEXT, .len = (guint32) strlen (g->text), .v.s = g->text };
  row[3] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = (gint64) g->i * g->i };
  g->i++;
  return ML_STEP_ROW;
}

static void
test_load_inserts_every_row_in_order (void)
{
  g_autofree char *dir = fresh_dir ("load");
  g_autofree char *path = g_build_filename (dir, "l.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
  g_autoptr(MlStmt) q = NULL;
  RowGen g = { .n = 5000 };
  guint i = 0;

  CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE t (a INTEGER, b REAL, c TEXT, d INTEGER)", &error));
  CU_ASSERT_TRUE_FATAL (ml_db_load (db, "t", 4, gen_row, &g, &error));
  g_assert_no_error (error);
  g = (RowGen) { .n = 3 };                  /* a second load, with a column list */
  CU_ASSERT_TRUE_FATAL (ml_db_load (db, "t (d, a)", 2, gen_row, &g, &error));
  q = ml_db_prepare (db, "SELECT a, b, c, d FROM t ORDER BY rowid", &error);
  while (ml_stmt_step (q, &error) == ML_STEP_ROW)
    {
      if (i < 5000)
        {
          char want[32];
          g_snprintf (want, sizeof want, "r%u", i);
          CU_ASSERT_EQUAL (ml_stmt_int64 (q, 0), i);
          CU_ASSERT_DOUBLE_EQUAL (ml_stmt_double (q, 1), i / 4.0, 0);
          if (i % 7 == 0)
            CU_ASSERT_PTR_NULL (ml_stmt_text (q, 2))
          else
            CU_ASSERT_STRING_EQUAL (ml_stmt_text (q, 2), want);
          CU_ASSERT_EQUAL (ml_stmt_int64 (q, 3), (gint64) i * i);
        }
      else                                  /* (d, a) = (i, i / 4.0) */
        {
          CU_ASSERT_EQUAL (ml_stmt_int64 (q, 3), i - 5000);
          CU_ASSERT_DOUBLE_EQUAL (ml_stmt_double (q, 0), (i - 5000) / 4.0, 0);
        }
      i++;
    }
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (i, 5003);
}

/* The row function's error is the load's, and the statement leaves
 * nothing behind. */
static void
test_load_failure_is_the_functions_and_leaves_nothing (void)
{
  g_autofree char *dir = fresh_dir ("load-fail");
  g_autofree char *path = g_build_filename (dir, "l.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
  RowGen g = { .n = 5000, .fail_at = 1200 };
  gint64 n = -1;

  CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE t (a INTEGER, b REAL, c TEXT, d INTEGER)", &error));
  CU_ASSERT_FALSE (ml_db_load (db, "t", 4, gen_row, &g, &error));
  CU_ASSERT_TRUE_FATAL (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT_STRING_EQUAL (error->message, "row 1200: cannot read");
  g_clear_error (&error);
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM t", &n, &error));
  CU_ASSERT_EQUAL (n, 0);
  g = (RowGen) { .n = 10 };                 /* the connection loads again */
  CU_ASSERT_TRUE (ml_db_load (db, "t", 4, gen_row, &g, &error));
  CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM t", &n, &error));
  CU_ASSERT_EQUAL (n, 10);
  /* a constraint failure is SQLite's */
  CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE u (a INTEGER PRIMARY KEY, b, c, d)", &error));
  g = (RowGen) { .n = 10 };
  CU_ASSERT_TRUE (ml_db_load (db, "u", 4, gen_row, &g, &error));
  g = (RowGen) { .n = 10 };
  CU_ASSERT_FALSE (ml_db_load (db, "u", 4, gen_row, &g, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_DB));
}

typedef struct { gint64 b, a, rowid; } Entry;

static int
compare_entries (gconstpointer x, gconstpointer y)
{
  const Entry *p = x, *q = y;

  if (p->b != q->b)
    return p->b < q->b ? -1 : 1;
  if (p->a != q->a)
    return p->a < q->a ? -1 : 1;
  return p->rowid < q->rowid ? -1 : p->rowid > q->rowid;
}

static char *
integrity (MlDb *db)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "PRAGMA integrity_check", NULL);
  GString *out = g_string_new (NULL);

  while (s != NULL && ml_stmt_step (s, NULL) == ML_STEP_ROW)
    g_string_append_printf (out, "%s%s", out->len ? "; " : "", ml_stmt_text (s, 0));
  return g_string_free (out, FALSE);
}

/* A table loaded through its imposter (its index untouched), then the
 * index loaded in key order through its own: the file is what CREATE
 * INDEX would have made (integrity_check compares every entry with the
 * table), queries through the index find the rows, and the imposters are
 * gone from the schema.  Leaving one entry out is caught. */
static void
test_imposters_build_a_consistent_index (void)
{
  g_autofree char *dir = fresh_dir ("imposter");
  g_autoptr(GError) error = NULL;

  for (int drop_one = 0; drop_one < 2; drop_one++)
    {
      g_autofree char *name = g_strdup_printf ("i%d.db", drop_one);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
      g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));
      g_autoptr(MlStmt) ins = NULL, idx = NULL;
      g_autofree char *check = NULL;
      gint64 n = 0;
      guint32 x = 12345;

      CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE t (a INTEGER, b INTEGER, c TEXT);"
                                            "CREATE INDEX t_by_b ON t (b, a);", &error));
      CU_ASSERT_TRUE_FATAL (ml_db_imposter (db, "t", "t_rows", &error));
      CU_ASSERT_TRUE_FATAL (ml_db_imposter (db, "t_by_b", "t_by_b_rows", &error));
      g_assert_no_error (error);
      CU_ASSERT_TRUE_FATAL (ml_db_begin (db, &error));
      ins = ml_db_prepare (db, "INSERT INTO t_rows (a, b, c) VALUES (?1, ?2, 'x')", &error);
      g_assert_no_error (error);
      for (gint64 r = 1; r <= 3000; r++)
        {
          Entry e;
          x = x * 1103515245u + 12345u;
          e = (Entry) { (x >> 16) % 50, r % 97, r };   /* many equal b: ties broken by a, then rowid */
          CU_ASSERT_TRUE (ml_stmt_bind_int64 (ins, 1, e.a, &error) && ml_stmt_bind_int64 (ins, 2, e.b, &error)
                          && ml_stmt_run (ins, &error));
          g_array_append_val (entries, e);
        }
      CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM t INDEXED BY t_by_b WHERE b >= 0", &n, &error));
      CU_ASSERT_EQUAL (n, 0);               /* the table's imposter left the index alone */
      g_array_sort (entries, compare_entries);
      idx = ml_db_prepare (db, "INSERT INTO t_by_b_rows VALUES (?1, ?2, ?3)", &error);
      for (guint i = drop_one; i < entries->len; i++)
        {
          const Entry *e = &g_array_index (entries, Entry, i);
          CU_ASSERT_TRUE (ml_stmt_bind_int64 (idx, 1, e->b, &error) && ml_stmt_bind_int64 (idx, 2, e->a, &error)
                          && ml_stmt_bind_int64 (idx, 3, e->rowid, &error) && ml_stmt_run (idx, &error));
        }
      g_clear_pointer (&ins, ml_stmt_free);
      g_clear_pointer (&idx, ml_stmt_free);
      CU_ASSERT_TRUE_FATAL (ml_db_commit (db, &error));
      CU_ASSERT_TRUE_FATAL (ml_db_finish (db, &error));
      g_clear_pointer (&db, ml_db_free);

      db = ml_db_open (path, ML_DB_READONLY, &error);
      CU_ASSERT_PTR_NOT_NULL_FATAL (db);
      check = integrity (db);
      if (drop_one)
        CU_ASSERT_STRING_NOT_EQUAL (check, "ok")
      else
        {
          CU_ASSERT_STRING_EQUAL (check, "ok");
          CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM t INDEXED BY t_by_b WHERE b = 42", &n, &error));
          {
            gint64 want = 0;
            for (guint i = 0; i < entries->len; i++)
              want += g_array_index (entries, Entry, i).b == 42;
            CU_ASSERT_EQUAL (n, want);
            CU_ASSERT_TRUE (want > 0);
          }
        }
      CU_ASSERT_TRUE (ml_db_query_int64 (db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%rows'", &n, &error));
      CU_ASSERT_EQUAL (n, 0);
      g_assert_no_error (error);
    }
}

static void
test_imposter_of_nothing_is_an_error (void)
{
  g_autofree char *dir = fresh_dir ("imposter-none");
  g_autofree char *path = g_build_filename (dir, "n.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);

  CU_ASSERT_FALSE (ml_db_imposter (db, "missing", "m_rows", &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "no table or index missing"));
  g_clear_error (&error);
  CU_ASSERT_TRUE_FATAL (ml_db_exec (db, "CREATE TABLE t (a, b); CREATE INDEX t_desc ON t (a DESC);", &error));
  CU_ASSERT_FALSE (ml_db_imposter (db, "t_desc", "d_rows", &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "ascending"));
}

static CU_TestInfo create_tests[] = {
  { "created database appears only after finish", test_created_database_appears_only_after_finish },
  { "free without finish deletes the temporary file", test_free_without_finish_deletes_temporary_file },
  { "create refuses an existing path without overwrite", test_create_refuses_existing_path_without_overwrite },
  { "finish refuses a path created meanwhile without overwrite", test_finish_refuses_path_created_meanwhile_without_overwrite },
  { "create with overwrite replaces an existing file", test_create_with_overwrite_replaces_existing_file },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo statement_tests[] = {
  { "syntax error is a db error quoting sqlite", test_syntax_error_is_a_db_error_quoting_sqlite },
  { "prepare refuses more than one statement", test_prepare_refuses_more_than_one_statement },
  { "constraint violation fails the step, statement stays usable", test_constraint_violation_fails_the_step_and_statement_stays_usable },
  { "bind out of range is an error", test_bind_out_of_range_is_an_error },
  { "bulk loads every row in order around batch sizes", test_bulk_loads_every_row_in_order_around_batch_sizes },
  { "bulk constraint failure reported from a batch and from flush", test_bulk_constraint_failure_is_reported_from_a_full_batch_and_from_flush },
  { "bulk on a missing table fails at creation", test_bulk_on_a_missing_table_fails_at_creation },
  { "bound text cannot inject sql", test_bound_text_cannot_inject_sql },
  { "query_int64 writes out only on success", test_query_int64_writes_out_only_on_success },
  { "changes counts rows of the last statement", test_changes_counts_rows_of_last_statement },
  { "interruption stops a long statement", test_interruption_stops_a_long_statement },
  { "load inserts every row in order", test_load_inserts_every_row_in_order },
  { "load failure is the function's and leaves nothing", test_load_failure_is_the_functions_and_leaves_nothing },
  { "imposters build a consistent index", test_imposters_build_a_consistent_index },
  { "imposter of nothing is an error", test_imposter_of_nothing_is_an_error },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo file_tests[] = {
  { "schema stamp round-trips, mismatches name both values", test_schema_stamp_round_trips_and_mismatches_name_both_values },
  { "database without stamp fails the schema check", test_database_without_stamp_fails_schema_check },
  { "meta values replace and absent keys read NULL", test_meta_values_replace_and_absent_keys_read_null },
  { "open of a missing file is an io error", test_open_missing_file_is_an_io_error },
  { "open of a non-database is a schema error", test_open_non_database_is_a_schema_error },
  { "attached database reads but refuses writes", test_attached_database_reads_but_refuses_writes },
  { "attach escapes URI characters in paths", test_attach_escapes_uri_characters_in_paths },
  { "sqlite version is a version 3 string", test_sqlite_version_is_a_version_three_string },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "db create and finish", .pTests = create_tests },
  { .pName = "db statements", .pTests = statement_tests },
  { .pName = "db files and schema", .pTests = file_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
