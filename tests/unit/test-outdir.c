/* test-outdir.c -- unit tests for common/outdir: directories published
 * whole or not at all, forced replacement, interruption by signals,
 * atomic files and SHA-256. */

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Names in DIR, sorted and joined with spaces ("" when empty); caller frees. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return g_strdup ("(missing)");
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* Write CONTENTS to DIR/NAME; aborts the test program on failure. */
static void
put_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Contents of DIR/NAME, or NULL; caller frees. */
static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
test_commit_publishes_the_directory (void)
{
  g_autofree char *root = fresh_dir ("publish");
  g_autofree char *final = g_build_filename (root, "a", "b", "run", NULL);
  g_autofree char *parent = g_path_get_dirname (final);
  g_autofree char *file = NULL;
  g_autofree char *tmp_prefix = g_strconcat (final, ".tmp-", NULL);
  g_autofree char *tmp = NULL;
  g_autofree char *got = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlOutDir) o = ml_outdir_begin (final, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (o);
  CU_ASSERT_STRING_EQUAL (ml_outdir_final (o), final);
  tmp = g_strdup (ml_outdir_path (o));
  CU_ASSERT_TRUE (g_str_has_prefix (tmp, tmp_prefix) && strlen (tmp) == strlen (tmp_prefix) + 6);
  CU_ASSERT_TRUE (g_file_test (tmp, G_FILE_TEST_IS_DIR));
  file = ml_outdir_file (o, "result.txt");
  CU_ASSERT_TRUE (g_str_has_prefix (file, tmp));
  CU_ASSERT_TRUE (ml_write_file_atomic (file, "42\n", -1, &error));
  CU_ASSERT_FALSE (g_file_test (final, G_FILE_TEST_EXISTS));
  CU_ASSERT_TRUE (ml_outdir_commit (o, &error));
  g_assert_no_error (error);
  got = read_file (final, "result.txt");
  CU_ASSERT_STRING_EQUAL (got, "42\n");
  CU_ASSERT_FALSE (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_clear_pointer (&o, ml_outdir_free);   /* after commit: leaves FINAL alone */
  listing = list_dir (parent);
  CU_ASSERT_STRING_EQUAL (listing, "run");
}

static void
test_free_without_commit_leaves_nothing (void)
{
  g_autofree char *root = fresh_dir ("abandon");
  g_autofree char *outside = fresh_dir ("abandon-outside");
  g_autofree char *final = g_build_filename (root, "run", NULL);
  g_autofree char *sub = NULL;
  g_autofree char *link = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(GError) error = NULL;
  MlOutDir *o = ml_outdir_begin (final, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (o);
  put_file (outside, "precious", "keep me");
  put_file (ml_outdir_path (o), "partial.csv", "a,b\n1,");
  sub = ml_outdir_file (o, "tables");
  CU_ASSERT_EQUAL (g_mkdir (sub, 0700), 0);
  put_file (sub, "t.csv", "x");
  link = ml_outdir_file (o, "link-to-outside");
  CU_ASSERT_EQUAL (symlink (outside, link), 0);
  ml_outdir_free (o);
  listing = list_dir (root);
  CU_ASSERT_STRING_EQUAL (listing, "");
  kept = read_file (outside, "precious");
  CU_ASSERT_STRING_EQUAL (kept, "keep me");
}

static void
test_existing_final_is_refused_without_force_and_untouched (void)
{
  g_autofree char *root = fresh_dir ("refuse");
  g_autofree char *final = g_build_filename (root, "run", NULL);
  g_autofree char *old = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlOutDir) o = NULL;
  g_autofree char *expected = g_strdup_printf ("%s: exists; use --force to replace it", final);

  CU_ASSERT_EQUAL (g_mkdir (final, 0700), 0);
  put_file (final, "old.txt", "old");
  o = ml_outdir_begin (final, FALSE, &error);
  CU_ASSERT_PTR_NULL (o);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
  CU_ASSERT_STRING_EQUAL (error != NULL ? error->message : "", expected);
  old = read_file (final, "old.txt");
  CU_ASSERT_STRING_EQUAL (old, "old");
  listing = list_dir (root);
  CU_ASSERT_STRING_EQUAL (listing, "run");
}

static void
test_force_replaces_final_whole (void)
{
  g_autofree char *root = fresh_dir ("force");
  g_autofree char *final = g_build_filename (root, "run", NULL);
  g_autofree char *before = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *inside = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlOutDir) o = NULL;

  CU_ASSERT_EQUAL (g_mkdir (final, 0700), 0);
  put_file (final, "old.txt", "old");
  o = ml_outdir_begin (final, TRUE, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (o);
  put_file (ml_outdir_path (o), "new.txt", "new");
  before = read_file (final, "old.txt");
  CU_ASSERT_STRING_EQUAL (before, "old");   /* untouched until commit */
  CU_ASSERT_TRUE (ml_outdir_commit (o, &error));
  g_assert_no_error (error);
  fresh = read_file (final, "new.txt");
  CU_ASSERT_STRING_EQUAL (fresh, "new");
  gone = read_file (final, "old.txt");
  CU_ASSERT_PTR_NULL (gone);
  inside = list_dir (final);
  CU_ASSERT_STRING_EQUAL (inside, "new.txt");
  listing = list_dir (root);
  CU_ASSERT_STRING_EQUAL (listing, "run");   /* no tmp or trash left beside it */
}

static void
test_force_replaces_a_plain_file (void)
{
  g_autofree char *root = fresh_dir ("force-file");
  g_autofree char *final = g_build_filename (root, "run", NULL);
  g_autofree char *fresh = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlOutDir) o = NULL;

  put_file (root, "run", "a file in the way");
  o = ml_outdir_begin (final, TRUE, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (o);
  put_file (ml_outdir_path (o), "new.txt", "new");
  CU_ASSERT_TRUE (ml_outdir_commit (o, &error));
  g_assert_no_error (error);
  fresh = read_file (final, "new.txt");
  CU_ASSERT_STRING_EQUAL (fresh, "new");
  listing = list_dir (root);
  CU_ASSERT_STRING_EQUAL (listing, "run");
}

static void
test_commit_refuses_final_created_meanwhile_without_force (void)
{
  g_autofree char *root = fresh_dir ("late");
  g_autofree char *final = g_build_filename (root, "run", NULL);
  g_autofree char *inside = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  MlOutDir *o = ml_outdir_begin (final, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (o);
  put_file (ml_outdir_path (o), "new.txt", "new");
  CU_ASSERT_EQUAL (g_mkdir (final, 0700), 0);   /* empty: a plain rename would replace it */
  CU_ASSERT_FALSE (ml_outdir_commit (o, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
  ml_outdir_free (o);
  inside = list_dir (final);
  CU_ASSERT_STRING_EQUAL (inside, "");
  listing = list_dir (root);
  CU_ASSERT_STRING_EQUAL (listing, "run");
}

static void
test_trailing_slash_names_the_same_directory (void)
{
  g_autofree char *root = fresh_dir ("slash");
  g_autofree char *final = g_build_filename (root, "run", NULL);
  g_autofree char *given = g_strconcat (final, "//", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlOutDir) o = ml_outdir_begin (given, FALSE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (o);
  CU_ASSERT_STRING_EQUAL (ml_outdir_final (o), final);
  CU_ASSERT_TRUE (ml_outdir_commit (o, &error));
  listing = list_dir (root);
  CU_ASSERT_STRING_EQUAL (listing, "run");
}

static void
test_check_interrupted_fails_once_flagged (void)
{
  g_autoptr(GError) error = NULL;

  ml_interrupt_for_testing (FALSE);
  CU_ASSERT_FALSE (ml_interrupted ());
  CU_ASSERT_TRUE (ml_check_interrupted (&error));
  ml_interrupt_for_testing (TRUE);
  CU_ASSERT_TRUE (ml_interrupted ());
  CU_ASSERT_FALSE (ml_check_interrupted (&error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INTERRUPTED));
  CU_ASSERT_STRING_EQUAL (error != NULL ? error->message : "", "interrupted");
  ml_interrupt_for_testing (FALSE);
  CU_ASSERT_FALSE (ml_interrupted ());
}

static void
test_sigterm_sets_the_flag_without_killing (void)
{
  ml_signals_install ();
  ml_interrupt_for_testing (FALSE);
  CU_ASSERT_EQUAL (raise (SIGTERM), 0);
  CU_ASSERT_TRUE (ml_interrupted ());   /* and we are still running */
  ml_interrupt_for_testing (FALSE);
}

/* In a child: the first SIGINT only sets the flag, the second kills. */
static void
test_second_signal_kills (void)
{
  int status = 0;
  pid_t pid = fork ();

  CU_ASSERT_FATAL (pid >= 0);
  if (pid == 0)
    {
      signal (SIGINT, SIG_DFL);   /* a background job inherits SIGINT ignored */
      ml_interrupt_for_testing (FALSE);
      ml_signals_install ();
      raise (SIGINT);
      if (!ml_interrupted ())
        _exit (3);
      raise (SIGINT);
      _exit (4);   /* survived the second signal */
    }
  CU_ASSERT_EQUAL (waitpid (pid, &status, 0), pid);
  CU_ASSERT_TRUE (WIFSIGNALED (status) && WTERMSIG (status) == SIGINT);
}

static void
test_sha256_of_known_contents (void)
{
  g_autofree char *dir = fresh_dir ("sha");
  g_autofree char *path = g_build_filename (dir, "abc", NULL);
  g_autofree char *big = g_build_filename (dir, "big", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *digest = NULL;
  g_autofree char *big_digest = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *data = NULL;
  g_autofree char *none = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 3 * 1024 * 1024 + 17;   /* crosses 1 MiB chunk boundaries */

  put_file (dir, "abc", "abc");
  digest = ml_sha256_file (path, &error);
  CU_ASSERT_STRING_EQUAL (digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  data = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    data[i] = (char) (i * 7 + i / 1000);
  g_assert_true (g_file_set_contents (big, data, len, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  big_digest = ml_sha256_file (big, &error);
  CU_ASSERT_STRING_EQUAL (big_digest, expected);
  g_assert_no_error (error);
  none = ml_sha256_file (missing, &error);
  CU_ASSERT_PTR_NULL (none);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT_TRUE (error != NULL && g_str_has_prefix (error->message, missing));
}

static void
test_write_file_atomic_replaces_contents (void)
{
  g_autofree char *dir = fresh_dir ("atomic");
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-dir", "f", NULL);
  g_autofree char *got = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;

  CU_ASSERT_TRUE (ml_write_file_atomic (path, "one", -1, &error));
  CU_ASSERT_TRUE (ml_write_file_atomic (path, "two\0tail", 3, &error));
  g_assert_no_error (error);
  got = read_file (dir, "manifest.json");
  CU_ASSERT_STRING_EQUAL (got, "two");
  listing = list_dir (dir);
  CU_ASSERT_STRING_EQUAL (listing, "manifest.json");
  CU_ASSERT_FALSE (ml_write_file_atomic (bad, "x", -1, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT_TRUE (error != NULL && g_str_has_prefix (error->message, bad));
}

static void
test_remove_tree_does_not_follow_symlinks (void)
{
  g_autofree char *root = fresh_dir ("rmtree");
  g_autofree char *outside = fresh_dir ("rmtree-outside");
  g_autofree char *tree = g_build_filename (root, "tree", NULL);
  g_autofree char *deep = g_build_filename (tree, "a", "b", "c", NULL);
  g_autofree char *link = g_build_filename (tree, "a", "escape", NULL);
  g_autofree char *kept = NULL;
  g_autoptr(GError) error = NULL;

  CU_ASSERT_EQUAL (g_mkdir_with_parents (deep, 0700), 0);
  put_file (deep, "leaf", "x");
  put_file (outside, "precious", "keep me");
  CU_ASSERT_EQUAL (symlink (outside, link), 0);
  CU_ASSERT_TRUE (ml_remove_tree (tree, &error));
  g_assert_no_error (error);
  CU_ASSERT_FALSE (g_file_test (tree, G_FILE_TEST_EXISTS));
  kept = read_file (outside, "precious");
  CU_ASSERT_STRING_EQUAL (kept, "keep me");
  CU_ASSERT_TRUE (ml_remove_tree (tree, &error));   /* already gone: fine */
}

static CU_TestInfo outdir_tests[] = {
  { "commit publishes the directory", test_commit_publishes_the_directory },
  { "free without commit leaves nothing", test_free_without_commit_leaves_nothing },
  { "existing final is refused without force and untouched", test_existing_final_is_refused_without_force_and_untouched },
  { "force replaces final whole", test_force_replaces_final_whole },
  { "force replaces a plain file", test_force_replaces_a_plain_file },
  { "commit refuses final created meanwhile without force", test_commit_refuses_final_created_meanwhile_without_force },
  { "trailing slash names the same directory", test_trailing_slash_names_the_same_directory },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo signal_tests[] = {
  { "check_interrupted fails once flagged", test_check_interrupted_fails_once_flagged },
  { "SIGTERM sets the flag without killing", test_sigterm_sets_the_flag_without_killing },
  { "a second signal kills", test_second_signal_kills },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo file_tests[] = {
  { "sha256 of known contents", test_sha256_of_known_contents },
  { "write_file_atomic replaces contents", test_write_file_atomic_replaces_contents },
  { "remove_tree does not follow symlinks", test_remove_tree_does_not_follow_symlinks },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "output directories", .pTests = outdir_tests },
  { .pName = "interruption", .pTests = signal_tests },
  { .pName = "files", .pTests = file_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
