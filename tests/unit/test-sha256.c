/* test-sha256.c -- unit tests for common/sha256: FIPS 180-4 vectors, and
 * agreement with GLib's GChecksum on every length around the block size,
 * on random data fed in random pieces, with and without the SHA
 * extensions. */

#include <string.h>

#include "common/sha256.h"
#include "tests/unit/runner.h"

static char *
digest (const void *data, gsize len)
{
  g_autoptr(MlSha256) s = ml_sha256_new ();

  ml_sha256_update (s, data, len);
  return g_strdup (ml_sha256_hex (s));
}

static void
expect (const char *text, const char *hex)
{
  g_autofree char *d = digest (text, strlen (text));

  CU_ASSERT_STRING_EQUAL (d, hex);
}

/* FIPS 180-2 appendix B and the NIST example values. */
static void
check_vectors (void)
{
  expect ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  expect ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
          "nopqrstu", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void
check_million_a (void)
{
  g_autofree char *a = g_malloc (1000000);
  g_autofree char *d = NULL;

  memset (a, 'a', 1000000);
  d = digest (a, 1000000);
  CU_ASSERT_STRING_EQUAL (d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length 0..300 (all padding cases), then random lengths in random
 * pieces, against GChecksum. */
static void
check_against_glib (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  gsize cap = 1 << 20;
  g_autofree guint8 *buf = g_malloc (cap);

  for (gsize i = 0; i < cap; i++)
    buf[i] = (guint8) g_rand_int (rand);
  for (gsize len = 0; len <= 300; len++)
    {
      g_autofree char *d = digest (buf, len);
      g_autofree char *want = g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, len);
      CU_ASSERT_STRING_EQUAL (d, want);
    }
  for (int round = 0; round < 40; round++)
    {
      gsize len = g_rand_int_range (rand, 0, (gint32) cap);
      g_autoptr(MlSha256) s = ml_sha256_new ();
      g_autofree char *want = g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, len);
      gsize off = 0;

      while (off < len)
        {
          gsize n = (gsize) g_rand_int_range (rand, 0, round % 2 ? 200 : 70000);   /* not inside MIN () */
          n = MIN (n, len - off);
          ml_sha256_update (s, buf + off, n);
          off += n;
        }
      CU_ASSERT_STRING_EQUAL (ml_sha256_hex (s), want);
      /* asking twice gives the same digest */
      CU_ASSERT_STRING_EQUAL (ml_sha256_hex (s), want);
    }
}

static void
test_vectors (void)
{
  check_vectors ();
  check_million_a ();
}

static void
test_agrees_with_glib (void)
{
  check_against_glib ();
}

/* The portable path (GChecksum) gives the same answers. */
static void
test_portable_path (void)
{
  ml_sha256_force_portable (TRUE);
  CU_ASSERT_FALSE (ml_sha256_accelerated ());
  check_vectors ();
  check_against_glib ();
  ml_sha256_force_portable (FALSE);
}

static CU_TestInfo sha256_tests[] = {
  { "FIPS 180 vectors, one million 'a'", test_vectors },
  { "agrees with GChecksum at every length and split", test_agrees_with_glib },
  { "the portable path gives the same digests", test_portable_path },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "sha256", .pTests = sha256_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  g_print ("sha256: SHA extensions %s\n", ml_sha256_accelerated () ? "used" : "not available");
  return ml_test_main (argc, argv, suites);
}
