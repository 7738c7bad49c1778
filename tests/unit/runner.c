/* runner.c -- the shared CUnit runner of metaleak's unit tests.
 *
 * Registers a suite table, runs it verbosely and maps the outcome to the
 * automake test-driver exit codes.  Owns the per-program temporary
 * directory.
 */

#include <glib/gstdio.h>
#include <stdlib.h>

#include "tests/unit/runner.h"

static char *tmpdir;

static void
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
cleanup_tmpdir (void)
{
  if (tmpdir == NULL)
    return;
  if (g_getenv ("ML_TEST_KEEP_TMP") == NULL)
    remove_tree (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

const char *
ml_test_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      g_autoptr(GError) error = NULL;
      tmpdir = g_dir_make_tmp ("metaleak-test-XXXXXX", &error);
      if (tmpdir == NULL)
        g_error ("cannot make a temporary directory: %s", error->message);
      atexit (cleanup_tmpdir);
    }
  return tmpdir;
}

char *
ml_test_path (const char *name)
{
  return g_build_filename (ml_test_tmpdir (), name, NULL);
}

int
ml_test_main (int argc, char **argv, CU_SuiteInfo *suites)
{
  unsigned failures;

  (void) argc;
  (void) argv;
  if (CU_initialize_registry () != CUE_SUCCESS)
    return ML_TEST_FRAMEWORK_ERROR;
  if (CU_register_suites (suites) != CUE_SUCCESS)
    {
      fprintf (stderr, "cannot register suites: %s\n", CU_get_error_msg ());
      CU_cleanup_registry ();
      return ML_TEST_FRAMEWORK_ERROR;
    }
  CU_basic_set_mode (CU_BRM_VERBOSE);
  if (CU_basic_run_tests () != CUE_SUCCESS)
    {
      fprintf (stderr, "framework error: %s\n", CU_get_error_msg ());
      CU_cleanup_registry ();
      return ML_TEST_FRAMEWORK_ERROR;
    }
  failures = CU_get_number_of_failures ();
  CU_cleanup_registry ();
  return failures == 0 ? 0 : 1;
}

gint64
ml_test_query (MlDb *db, const char *sql, const char *arg)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, sql, NULL);
  gint64 v = -1;

  g_assert (s != NULL);
  if (arg != NULL)
    g_assert (ml_stmt_bind_text (s, 1, arg, -1, NULL));
  if (ml_stmt_step (s, NULL) == ML_STEP_ROW)
    v = ml_stmt_int64 (s, 0);
  return v;
}
