/* test-handles.c -- unit tests for sim/handles: synthetic handle numbering. */
#include <string.h>

#include "sim/handles.h"
#include "tests/unit/runner.h"

static void
test_handle_numbers_are_a_bijection_with_an_inverse (void)
{
  for (guint64 i = 0; i < 200000; i += 7)
    {
      guint64 n = ml_handle_number (42, i);
      CU_ASSERT_TRUE_FATAL (n < ML_HANDLE_SPACE);
      CU_ASSERT_EQUAL_FATAL (ml_handle_index (42, n), i);
    }
  CU_ASSERT_EQUAL (ml_handle_index (42, ml_handle_number (42, ML_HANDLE_SPACE - 1)), ML_HANDLE_SPACE - 1);
}

static void
test_consecutive_people_get_unrelated_numbers (void)
{
  /* Household members are consecutive indices: their numbers must not be
   * close, or the numbering would leak households to the provider. */
  guint close = 0;
  for (guint64 i = 0; i < 10000; i++)
    {
      gint64 a = (gint64) ml_handle_number (1, i), b = (gint64) ml_handle_number (1, i + 1);
      if (ABS (a - b) < (gint64) (ML_HANDLE_SPACE / 1000))
        close++;
    }
  /* independent uniform pairs are this close with probability ~0.002 */
  CU_ASSERT_TRUE (close < 60);
}

static void
test_numbers_depend_on_the_seed (void)
{
  guint same = 0;
  for (guint64 i = 0; i < 1000; i++)
    same += ml_handle_number (1, i) == ml_handle_number (2, i);
  CU_ASSERT_TRUE (same < 5);
}

static void
test_formatted_handles_use_reserved_ranges (void)
{
  char buf[ML_HANDLE_MAX];

  CU_ASSERT_STRING_EQUAL (ml_handle_format (ml_handle_id (123, FALSE), buf), "+99900000000123");
  CU_ASSERT_STRING_EQUAL (ml_handle_format (ml_handle_id (68719476735ULL, FALSE), buf), "+99968719476735");
  CU_ASSERT_STRING_EQUAL (ml_handle_format (ml_handle_id (123, TRUE), buf), "u00000000123@example.com");
  CU_ASSERT_EQUAL (strlen ("+99968719476735"), 15);   /* E.164: at most 15 digits */
}

static void
test_phone_and_email_ids_never_collide (void)
{
  CU_ASSERT_NOT_EQUAL (ml_handle_id (5, FALSE), ml_handle_id (5, TRUE));
  CU_ASSERT_TRUE (ml_handle_id (ML_HANDLE_SPACE - 1, FALSE) < ml_handle_id (0, TRUE));
}

static CU_TestInfo tests[] = {
  { "handle numbers are a bijection with an inverse", test_handle_numbers_are_a_bijection_with_an_inverse },
  { "consecutive people get unrelated numbers", test_consecutive_people_get_unrelated_numbers },
  { "numbers depend on the seed", test_numbers_depend_on_the_seed },
  { "formatted handles use reserved ranges", test_formatted_handles_use_reserved_ranges },
  { "phone and e-mail ids never collide", test_phone_and_email_ids_never_collide },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "handles", .pTests = tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
