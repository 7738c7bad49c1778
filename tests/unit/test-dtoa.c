/* test-dtoa.c -- unit tests for common/dtoa: shortest round-trip doubles.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/dtoa.h"
#include "tests/unit/runner.h"

static void
expect_text (double v, const char *text)
{
  char buf[ML_DTOA_BUF_SIZE];
  gsize len = ml_dtoa (v, buf);

  CU_ASSERT_STRING_EQUAL (buf, text);
  CU_ASSERT_EQUAL (len, strlen (text));
}

/* Whether V's text reads back as exactly V (same bits, so -0.0 too). */
static gboolean
round_trips (double v)
{
  char buf[ML_DTOA_BUF_SIZE];
  double back;

  ml_dtoa (v, buf);
  back = g_ascii_strtod (buf, NULL);
  return memcmp (&back, &v, sizeof v) == 0;
}

static void
test_texts_follow_python_repr (void)
{
  expect_text (0.0, "0.0");
  expect_text (-0.0, "-0.0");
  expect_text (1.0, "1.0");
  expect_text (100.0, "100.0");
  expect_text (0.1, "0.1");
  expect_text (0.75, "0.75");
  expect_text (-1234.5, "-1234.5");
  expect_text (0.0001, "0.0001");
  expect_text (1.5e-5, "1.5e-05");
  expect_text (1e15, "1000000000000000.0");
  expect_text (1e16, "1e+16");
  expect_text (1e22, "1e+22");
  expect_text (5e-324, "5e-324");
  expect_text (1.7976931348623157e308, "1.7976931348623157e+308");
  expect_text (2.2250738585072014e-308, "2.2250738585072014e-308");
  expect_text (1.0 / 3.0, "0.3333333333333333");
}

static void
test_non_finite_values_are_named (void)
{
  expect_text (NAN, "nan");
  expect_text (INFINITY, "inf");
  expect_text (-INFINITY, "-inf");
}

static void
test_random_doubles_read_back_exactly (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  guint failures = 0;

  for (int i = 0; i < 200000; i++)
    {
      guint64 bits = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
      double v;
      if (i % 2 == 0)
        memcpy (&v, &bits, sizeof v);          /* any bit pattern */
      else
        v = g_rand_double (rand) * pow (10.0, g_rand_int_range (rand, -12, 20));   /* everyday values */
      if (isfinite (v) && !round_trips (v))
        failures++;
    }
  CU_ASSERT_EQUAL (failures, 0);
}

static void
test_powers_of_two_and_subnormals_read_back_exactly (void)
{
  for (int e = -1074; e <= 1023; e++)
    {
      double v = ldexp (1.0, e);
      CU_ASSERT (round_trips (v));
      CU_ASSERT (round_trips (nextafter (v, 0.0)));
      CU_ASSERT (round_trips (nextafter (v, INFINITY)));
    }
}

static CU_TestInfo dtoa_tests[] = {
  { "texts follow Python's repr", test_texts_follow_python_repr },
  { "non-finite values are named", test_non_finite_values_are_named },
  { "random doubles read back exactly", test_random_doubles_read_back_exactly },
  { "powers of two and subnormals read back exactly", test_powers_of_two_and_subnormals_read_back_exactly },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "dtoa", .pTests = dtoa_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
