/* test-findings.c -- unit tests for analyze/findings: analysis.db rows
 * written through the row cache, and the tables/ CSV export, whose big
 * tables are cut into pieces formatted on several threads. */

#include <math.h>
#include <string.h>

#include "analyze/findings.h"
#include "common/db.h"
#include "tests/unit/runner.h"

/* A finished analysis.db with N rows in daily and a few in metrics. */
static char *
make_db (const char *name, gint64 n)
{
  g_autoptr(GError) error = NULL;
  char *path = ml_test_path (name);
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
  g_autoptr(MlRowCache) rc = NULL;

  g_assert_no_error (error);
  g_assert_true (ml_findings_create (db, &error) && ml_db_begin (db, &error));
  rc = ml_row_cache_new (db);
  for (gint64 i = 0; i < n; i++)
    {
      g_autofree char *day = g_strdup_printf ("d%" G_GINT64_FORMAT, i);
      g_assert_true (ml_row_insert (rc, "daily", "ssii", &error, i % 2 ? "a,b" : "plain", day, i, i % 12));
    }
  /* NAN is written as NULL: an empty CSV field */
  g_assert_true (ml_row_insert (rc, "metrics", "issd", &error, (gint64) 1, "all", "recall", NAN)
                 && ml_row_insert (rc, "metrics", "issd", &error, (gint64) 2, "all", "precision", 0.25)
                 /* reals: the shortest text that reads back exactly (SQLite would print 15 digits) */
                 && ml_row_insert (rc, "metrics", "issd", &error, (gint64) 3, "all", "f1", 1.0 / 3.0)
                 && ml_row_insert (rc, "metrics", "issd", &error, (gint64) 4, "all", "km", 100.0)
                 && ml_row_insert (rc, "metrics", "issd", &error, (gint64) 5, "all", "tiny", -1.5e-7));
  g_assert_true (ml_row_cache_flush (rc, &error) && ml_db_commit (db, &error));
  g_clear_pointer (&rc, ml_row_cache_free);
  g_assert_true (ml_db_finish (db, &error));
  return path;
}

static char *
slurp (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
check_export (gint64 n, guint threads)
{
  g_autofree char *name = g_strdup_printf ("findings-%" G_GINT64_FORMAT "-%u.db", n, threads);
  g_autofree char *db = make_db (name, n);
  g_autofree char *dir = g_strconcat (db, ".tables", NULL);
  g_autofree char *daily_path = g_build_filename (dir, "daily.csv", NULL);
  g_autofree char *metrics_path = g_build_filename (dir, "metrics.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *daily = NULL, *metrics = NULL;
  g_autoptr(GString) want = g_string_new ("target,day,lookups,window\n");

  CU_ASSERT_TRUE_FATAL (ml_findings_export_csv (db, dir, threads, NULL, &error));
  g_assert_no_error (error);
  daily = slurp (daily_path);
  metrics = slurp (metrics_path);
  /* the header once, then every row in insertion order (one comparison of
   * the whole file: splitting 10 MB into lines is quadratic under ASan) */
  for (gint64 i = 0; i < n; i++)
    g_string_append_printf (want, "%s,d%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "\n",
                            i % 2 ? "\"a,b\"" : "plain", i, i, i % 12);
  if (strcmp (daily, want->str) != 0)
    {
      gsize at = 0;
      while (daily[at] != '\0' && daily[at] == want->str[at])
        at++;
      g_printerr ("daily.csv differs at byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT "\n", at, want->len);
      CU_FAIL ("daily.csv: a row is missing, out of place or misformatted");
    }
  CU_ASSERT_STRING_EQUAL (metrics, "n_windows,scope,metric,value\n1,all,recall,\n2,all,precision,0.25\n"
                          "3,all,f1,0.3333333333333333\n4,all,km,100.0\n5,all,tiny,-1.5e-07\n");
}

static void
test_export_of_a_small_table_is_one_piece (void)
{
  check_export (3, 2);
}

static void
test_export_of_an_empty_table_is_its_header (void)
{
  check_export (0, 2);
}

static void
test_export_of_a_big_table_joins_its_pieces_in_row_order (void)
{
  check_export (300001, 2);   /* three pieces of 131,072 rows, the last short */
}

static void
test_export_is_the_same_on_one_thread (void)
{
  check_export (300001, 1);
}

/* A table file that cannot be written fails the export with its path;
 * the tables before it are complete, none is left half-written. */
static void
test_export_failure_names_the_file (void)
{
  g_autofree char *db = make_db ("findings-fail.db", 300000);
  g_autofree char *dir = g_strconcat (db, ".tables", NULL);
  g_autofree char *blocker = g_build_filename (dir, "metrics.csv.tmp", NULL);
  g_autofree char *daily = g_build_filename (dir, "daily.csv", NULL);
  g_autofree char *daily_tmp = g_build_filename (dir, "daily.csv.tmp", NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.csv", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_mkdir_with_parents (blocker, 0777) == 0);   /* a directory where the file goes */
  CU_ASSERT_FALSE (ml_findings_export_csv (db, dir, 2, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "metrics.csv"));
  CU_ASSERT_TRUE (g_file_test (daily, G_FILE_TEST_IS_REGULAR));   /* daily comes first, in full */
  CU_ASSERT_FALSE (g_file_test (daily_tmp, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (g_file_test (metrics, G_FILE_TEST_EXISTS));
}

/* Rows of every kind written with a tee attached: the streamed tables/
 * equals the export from the database byte for byte; a table that also
 * got a row outside the loader is exported from the database instead. */
static void
test_streamed_tables_equal_the_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ml_test_path ("findings-tee.db");
  g_autofree char *streamed = g_strconcat (path, ".streamed", NULL);
  g_autofree char *exported = g_strconcat (path, ".exported", NULL);
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, &error);
  g_autoptr(MlRowCache) rc = NULL;
  g_autoptr(MlCsvTee) tee = NULL;
  static const char *const tables[] = { "metrics", "trips", "coverage", "targets", "uniqueness" };

  g_assert_true (g_mkdir_with_parents (streamed, 0777) == 0);
  tee = ml_csv_tee_new (streamed);
  g_assert_true (ml_findings_create (db, &error) && ml_db_begin (db, &error));
  rc = ml_row_cache_new (db);
  ml_row_cache_set_tee (rc, tee);
  for (int i = 0; i < 1000; i++)
    {
      /* reals: NAN (NULL), integral, tiny; an integer into a REAL column */
      double v = i % 4 == 0 ? NAN : i % 4 == 1 ? (double) i : i % 4 == 2 ? 1.0 / (i + 3) : -1e-300 * i;
      g_assert_true (ml_row_insert (rc, "metrics", "issd", &error, (gint64) i, i % 3 ? "all" : "a,\"b\"",
                                    "m", v));
      g_assert_true (ml_row_insert (rc, "trips", "siiiddds", &error, "t", (gint64) 1, (gint64) 1700000000 + i,
                                    (gint64) 1700003600 + i, 48.5 + i, (double) (i * 2), 0.5, i % 2 ? NULL : "x\ny"));
      /* a real that is integral into an INTEGER column becomes an integer */
      g_assert_true (ml_row_insert (rc, "coverage", "ssid", &error, "t", "covered", (gint64) i, (double) (i + 7)));
    }
  g_assert_true (ml_row_insert (rc, "targets", "si", &error, "t", (gint64) 1));
  g_assert_true (ml_row_cache_flush (rc, &error));
  /* a row behind the loader's back: uniqueness is not streamed in full */
  g_assert_true (ml_row_insert (rc, "uniqueness", "idi", &error, (gint64) 1, 0.5, (gint64) 10)
                 && ml_row_cache_flush (rc, &error));
  g_assert_true (ml_db_exec (db, "INSERT INTO uniqueness VALUES (2, 0.75, 10)", &error));
  g_assert_true (ml_db_commit (db, &error));
  g_clear_pointer (&rc, ml_row_cache_free);
  g_assert_true (ml_db_finish (db, &error));
  ml_csv_tee_finish (tee);
  CU_ASSERT_TRUE_FATAL (ml_findings_export_csv (path, streamed, 2, tee, &error));
  CU_ASSERT_TRUE_FATAL (ml_findings_export_csv (path, exported, 2, NULL, &error));
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (ml_csv_tee_published (tee), 4);     /* all but uniqueness */
  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *file = g_strconcat (tables[i], ".csv", NULL);
      g_autofree char *a_path = g_build_filename (streamed, file, NULL);
      g_autofree char *b_path = g_build_filename (exported, file, NULL);
      g_autofree char *a = slurp (a_path), *b = slurp (b_path);
      if (strcmp (a, b) != 0)
        g_printerr ("%s differs\n", file);
      CU_ASSERT_STRING_EQUAL (a, b);
    }
  g_autofree char *uniq = g_build_filename (streamed, "uniqueness.csv", NULL);
  g_autofree char *text = slurp (uniq);
  CU_ASSERT_STRING_EQUAL (text, "k,share_unique,people\n1,0.5,10\n2,0.75,10\n");
  g_autofree char *cov = g_build_filename (streamed, "coverage.csv", NULL);
  g_autofree char *cov_text = slurp (cov);
  CU_ASSERT_PTR_NOT_NULL (strstr (cov_text, "\nt,covered,3,1970-01-01T00:00:03Z,10,1970-01-01T00:00:10Z\n"));
  /* nothing but the tables is left behind */
  g_autoptr(GDir) d = g_dir_open (streamed, 0, NULL);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    CU_ASSERT_TRUE (g_str_has_suffix (name, ".csv"));
}

static CU_TestInfo export_tests[] = {
  { "streamed tables equal the export", test_streamed_tables_equal_the_export },
  { "export failure names the file", test_export_failure_names_the_file },
  { "export of a small table is one piece", test_export_of_a_small_table_is_one_piece },
  { "export of an empty table is its header", test_export_of_an_empty_table_is_its_header },
  { "export of a big table joins its pieces in row order", test_export_of_a_big_table_joins_its_pieces_in_row_order },
  { "export is the same on one thread", test_export_is_the_same_on_one_thread },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "tables/ export", .pTests = export_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
