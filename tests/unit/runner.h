/* runner.h -- the shared CUnit runner of metaleak's unit tests.
 *
 * Each tests/unit/test-MODULE.c defines a NULL-terminated CU_SuiteInfo table
 * (designated initializers: .pName, .pTests) and calls ml_test_main().
 * Exit status: 0 all passed, 1 any failure (from CU_get_number_of_failures(),
 * not CU_basic_run_tests()), 99 framework error, 77 skipped.
 *
 * Helpers for tests: ml_test_tmpdir() makes a fresh temporary directory
 * (g_dir_make_tmp) that is removed, with its contents, at exit.
 */
#ifndef ML_TEST_RUNNER_H
#define ML_TEST_RUNNER_H

#include <glib.h>
#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>

#include "common/db.h"

#define ML_TEST_SKIP 77
#define ML_TEST_FRAMEWORK_ERROR 99

/* Run every suite in SUITES and return the exit status described above. */
int ml_test_main (int argc, char **argv, CU_SuiteInfo *suites);

/* A temporary directory for this test program, removed at exit.
 * Returns a borrowed path that lives until exit. */
const char *ml_test_tmpdir (void);

/* A fresh path inside ml_test_tmpdir() named NAME (not created).
 * The caller frees the result. */
char *ml_test_path (const char *name);

/* The first column of SQL's first row on DB as an integer, with ARG (may
 * be NULL) bound to ?1; -1 when there is no row.  Asserts that SQL
 * compiles. */
gint64 ml_test_query (MlDb *db, const char *sql, const char *arg);

/* Assert that two doubles agree within TOL, printing both on failure. */
#define ML_ASSERT_CLOSE(actual, expected, tol) \
  CU_ASSERT_DOUBLE_EQUAL ((actual), (expected), (tol))

#endif /* ML_TEST_RUNNER_H */
