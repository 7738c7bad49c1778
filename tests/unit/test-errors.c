/* test-errors.c -- unit tests for common/errors: the exit-code mapping. */

#include "common/errors.h"
#include "tests/unit/runner.h"

static void
test_no_error_maps_to_exit_ok (void)
{
  CU_ASSERT_EQUAL (ml_exit_code_for (NULL), ML_EXIT_OK);
}

static void
test_bad_input_and_usage_map_to_exit_two (void)
{
  static const MlErrorCode codes[] = { ML_ERROR_USAGE, ML_ERROR_INPUT, ML_ERROR_EXISTS, ML_ERROR_SCHEMA };
  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(GError) e = g_error_new (ML_ERROR, codes[i], "x");
      CU_ASSERT_EQUAL (ml_exit_code_for (e), 2);
    }
}

static void
test_runtime_failures_map_to_exit_one (void)
{
  static const MlErrorCode codes[] = { ML_ERROR_FAILED, ML_ERROR_IO, ML_ERROR_DB, ML_ERROR_INTERRUPTED };
  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(GError) e = g_error_new (ML_ERROR, codes[i], "x");
      CU_ASSERT_EQUAL (ml_exit_code_for (e), 1);
    }
  g_autoptr(GError) io = g_error_new (G_FILE_ERROR, G_FILE_ERROR_FAILED, "x");
  CU_ASSERT_EQUAL (ml_exit_code_for (io), 1);
}

static void
test_partial_result_maps_to_exit_three (void)
{
  g_autoptr(GError) e = g_error_new (ML_ERROR, ML_ERROR_PARTIAL, "no gnuplot");
  CU_ASSERT_EQUAL (ml_exit_code_for (e), 3);
}

static void
test_option_and_keyfile_errors_are_usage_errors (void)
{
  g_autoptr(GError) o = g_error_new (G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "x");
  g_autoptr(GError) k = g_error_new (G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "x");
  CU_ASSERT_EQUAL (ml_exit_code_for (o), 2);
  CU_ASSERT_EQUAL (ml_exit_code_for (k), 2);
}

static CU_TestInfo exit_tests[] = {
  { "no error maps to exit 0", test_no_error_maps_to_exit_ok },
  { "bad input and usage map to exit 2", test_bad_input_and_usage_map_to_exit_two },
  { "runtime failures map to exit 1", test_runtime_failures_map_to_exit_one },
  { "partial result maps to exit 3", test_partial_result_maps_to_exit_three },
  { "option and key-file errors are usage errors", test_option_and_keyfile_errors_are_usage_errors },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "exit codes", .pTests = exit_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
