/* test-importlog.c -- unit tests for analyze/importlog and
 * analyze/pseudonym: a real log in CSV becomes a provider.db.
 *
 * Small CSV texts with known contents: ISO-8601 and epoch timestamps, IPv4
 * and IPv6 client addresses, malformed lines at known line numbers, strict
 * mode, id assignment in sorted order, and the keyed pseudonyms.
 */

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "analyze/importlog.h"
#include "analyze/pseudonym.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/progress.h"
#include "common/schema.h"
#include "tests/unit/runner.h"

/* 2026-01-05T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1767607200)

static const char good_csv[] =
  "timestamp,source,lookup,client_ip,lookup_devices\n"
  "2026-01-05T10:00:00Z,+3,+1,10.0.0.2,1\n"
  "2026-01-05 12:00:00+02:00,+2,+3,2001:db8::1,2\r\n"
  "\n"
  "1767607200,+1,+2,10.0.0.1,0\n"
  "1767607200500,+1,+2,\"2001:0db8:0000::1\",1\n"
  "\"2026-01-05T10:00:00.9Z\",\"+1\",\"+2\",10.0.0.1,3\n";

static const char bad_csv[] =
  "2026-01-05T10:00:00Z,+1,+2,10.0.0.1,1\n"
  "2026-01-05T11:00:00Z,+2,+1,10.0.0.1,1\n"
  "2026-01-05T12:00:00Z,+2,+1,10.0.0.1,1\n"
  "yesterday,+1,+2,10.0.0.1,1\n"
  "2026-01-05T13:00:00Z,+2,+3,10.0.0.1,1\n"
  "2026-01-05T13:00:00Z,+2,+3,10.0.0.1\n"
  "2026-01-05T14:00:00Z,+2,+3,10.0.0.300,1\n"
  "2026-01-05T15:00:00Z,+2,+3,10.0.0.1,-1\n"
  "2026-01-05T16:00:00Z,,+3,10.0.0.1,1\n";

static char *
write_csv (const char *name, const char *text)
{
  char *path = ml_test_path (name);

  g_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static MlDb *
open_provider (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "provider.db", NULL);
  g_autoptr(GError) error = NULL;
  MlDb *db = ml_db_open (path, ML_DB_READONLY, &error);

  g_assert_no_error (error);
  g_assert (ml_db_check_schema (db, ML_SCHEMA_PROVIDER, ML_SCHEMA_PROVIDER_VERSION, NULL));
  return db;
}

/* The rows of the lookups view as "ts|source|lookup|ip|devices" lines, in
 * (ts, source, lookup, devices) order. */
static char *
view_rows (MlDb *db)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT ts, source_handle, lookup_handle, client_ip, lookup_devices"
                                       " FROM lookups ORDER BY ts, source_handle, lookup_handle, lookup_devices", NULL);
  GString *out = g_string_new (NULL);

  while (ml_stmt_step (s, NULL) == ML_STEP_ROW)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "|%s|%s|%s|%" G_GINT64_FORMAT "\n", ml_stmt_int64 (s, 0),
                            ml_stmt_text (s, 1), ml_stmt_text (s, 2), ml_stmt_text (s, 3), ml_stmt_int64 (s, 4));
  return g_string_free (out, FALSE);
}

/* ---- import ---- */

static void
test_iso_and_epoch_timestamps_and_ipv6_are_imported (void)
{
  g_autofree char *csv = write_csv ("good.csv", good_csv);
  g_autofree char *out = ml_test_path ("good");
  g_auto(MlImportStats) st = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *expect = g_strdup_printf (
    "%1$" G_GINT64_FORMAT "|+1|+2|10.0.0.1|0\n"
    "%1$" G_GINT64_FORMAT "|+1|+2|2001:db8::1|1\n"
    "%1$" G_GINT64_FORMAT "|+1|+2|10.0.0.1|3\n"
    "%1$" G_GINT64_FORMAT "|+2|+3|2001:db8::1|2\n"
    "%1$" G_GINT64_FORMAT "|+3|+1|10.0.0.2|1\n", T0);

  CU_ASSERT_TRUE_FATAL (ml_importlog_run_stats (csv, out, FALSE, &st, &error));
  CU_ASSERT_EQUAL (st.rows, 5);
  CU_ASSERT_EQUAL (st.malformed, 0);
  CU_ASSERT_EQUAL (st.lines, 7);
  CU_ASSERT_TRUE (st.header);
  CU_ASSERT_EQUAL (st.handles, 3);
  CU_ASSERT_EQUAL (st.ips, 3);
  CU_ASSERT_EQUAL (st.first, T0);
  db = open_provider (out);
  rows = view_rows (db);
  CU_ASSERT_STRING_EQUAL (rows, expect);
}

static void
test_ids_follow_sorted_text_and_addresses (void)
{
  g_autofree char *out = ml_test_path ("good");   /* made by the test above */
  g_autoptr(MlDb) db = open_provider (out);
  g_autofree char *start = ml_db_get_meta (db, "log_start", NULL);

  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT id FROM handles WHERE handle = ?1", "+1"), 1);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT id FROM handles WHERE handle = ?1", "+2"), 2);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT id FROM handles WHERE handle = ?1", "+3"), 3);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT id FROM ips WHERE ip = ?1", "10.0.0.2"), 0x0A000002);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT id FROM ips WHERE ip = ?1", "2001:db8::1"), G_GINT64_CONSTANT (1) << 32);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM sqlite_master WHERE name = ?1", "lookup_by_source"), 1);
  CU_ASSERT_STRING_EQUAL (start, "2026-01-05T10:00:00Z");
}

static void
test_a_fresh_key_is_written_private (void)
{
  g_autofree char *key = g_build_filename (ml_test_tmpdir (), "good", "pseudonym.key", NULL);
  g_autofree char *errors = g_build_filename (ml_test_tmpdir (), "good", "import-errors.csv", NULL);
  GStatBuf sb;
  guint8 k[32];

  CU_ASSERT_EQUAL_FATAL (g_stat (key, &sb), 0);
  CU_ASSERT_EQUAL (sb.st_mode & 0777, 0600);
  CU_ASSERT_EQUAL (sb.st_size, 65);
  CU_ASSERT_TRUE (ml_pseudonym_key_load (key, k, NULL));
  CU_ASSERT_FALSE (g_file_test (errors, G_FILE_TEST_EXISTS));   /* nothing malformed */
}

static void
test_malformed_rows_are_listed_with_line_numbers (void)
{
  g_autofree char *csv = write_csv ("bad.csv", bad_csv);
  g_autofree char *out = ml_test_path ("bad");
  g_autofree char *errors_path = g_build_filename (out, "import-errors.csv", NULL);
  g_autofree char *errors = NULL;
  g_autofree char *first = g_strdup_printf ("%s:4: bad timestamp 'yesterday'", csv);
  g_auto(MlImportStats) st = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;

  CU_ASSERT_TRUE_FATAL (ml_importlog_run_stats (csv, out, FALSE, &st, &error));
  CU_ASSERT_EQUAL (st.rows, 4);
  CU_ASSERT_EQUAL (st.malformed, 5);
  CU_ASSERT_FALSE (st.header);
  CU_ASSERT_EQUAL_FATAL (st.messages->len, 5);
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (st.messages, 0), first);
  CU_ASSERT_TRUE (g_file_get_contents (errors_path, &errors, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (errors,
    "line,reason,text\n"
    "4,bad timestamp 'yesterday',\"yesterday,+1,+2,10.0.0.1,1\"\n"
    "6,\"expected 5 fields (timestamp,source,lookup,ip,devices), found 4\",\"2026-01-05T13:00:00Z,+2,+3,10.0.0.1\"\n"
    "7,bad client IP '10.0.0.300',\"2026-01-05T14:00:00Z,+2,+3,10.0.0.300,1\"\n"
    "8,bad lookup devices '-1' (0..1000),\"2026-01-05T15:00:00Z,+2,+3,10.0.0.1,-1\"\n"
    "9,empty source handle,\"2026-01-05T16:00:00Z,,+3,10.0.0.1,1\"\n");
  db = open_provider (out);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM lookup_log", NULL), 4);
  CU_ASSERT_EQUAL (ml_test_query (db, "SELECT count(*) FROM handles", NULL), 3);
}

static void
test_strict_mode_makes_the_first_malformed_row_fatal (void)
{
  g_autofree char *csv = write_csv ("bad.csv", bad_csv);
  g_autofree char *out = ml_test_path ("strict");
  g_autofree char *db = g_build_filename (out, "provider.db", NULL);
  g_autofree char *expect = g_strdup_printf ("%s:4: bad timestamp 'yesterday'", csv);
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (ml_importlog_run (csv, out, TRUE, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_STRING_EQUAL (error->message, expect);
  CU_ASSERT_FALSE (g_file_test (db, G_FILE_TEST_EXISTS));
}

static void
test_an_existing_database_is_not_replaced (void)
{
  g_autofree char *csv = write_csv ("good.csv", good_csv);
  g_autofree char *out = ml_test_path ("good");
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (ml_importlog_run (csv, out, FALSE, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
}

static void
test_a_log_without_valid_rows_is_bad_input (void)
{
  g_autofree char *csv = write_csv ("empty.csv", "timestamp,source,lookup,ip,devices\nnope,+1,+2,1.2.3.4,1\n");
  g_autofree char *out = ml_test_path ("empty");
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (ml_importlog_run (csv, out, FALSE, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
}

static void
test_csv_fields_split_with_quotes (void)
{
  g_auto(GStrv) f = ml_importlog_split_csv ("a , \"b,c\" ,\"d\"\"e\",");
  g_auto(GStrv) bad = ml_importlog_split_csv ("a,\"b");
  g_auto(GStrv) junk = ml_importlog_split_csv ("\"a\"b,c");

  CU_ASSERT_PTR_NOT_NULL_FATAL (f);
  CU_ASSERT_EQUAL_FATAL (g_strv_length (f), 4);
  CU_ASSERT_STRING_EQUAL (f[0], "a");
  CU_ASSERT_STRING_EQUAL (f[1], "b,c");
  CU_ASSERT_STRING_EQUAL (f[2], "d\"e");
  CU_ASSERT_STRING_EQUAL (f[3], "");
  CU_ASSERT_PTR_NULL (bad);
  CU_ASSERT_PTR_NULL (junk);
}

/* ---- pseudonyms ---- */

static void
test_pseudonym_is_the_keyed_hmac_prefix (void)
{
  guint8 key[32];
  char p[ML_PSEUDONYM_SIZE], q[ML_PSEUDONYM_SIZE];
  g_autofree char *mac = NULL;
  g_autofree char *expect = NULL;

  for (int i = 0; i < 32; i++)
    key[i] = (guint8) i;
  mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, key, sizeof key, "+99912345678901", -1);
  expect = g_strdup_printf ("h-%.16s", mac);
  ml_pseudonym (key, "+99912345678901", p);
  CU_ASSERT_STRING_EQUAL (p, expect);
  CU_ASSERT_EQUAL (strlen (p), 18);
  key[0] ^= 1;
  ml_pseudonym (key, "+99912345678901", q);
  CU_ASSERT_STRING_NOT_EQUAL (p, q);
}

static void
test_keys_are_random_and_reloaded (void)
{
  g_autofree char *a = ml_test_path ("a.key");
  g_autofree char *b = ml_test_path ("b.key");
  g_autofree char *bad = ml_test_path ("bad.key");
  g_autoptr(GError) error = NULL;
  guint8 ka[32], kb[32], again[32];

  CU_ASSERT_TRUE (ml_pseudonym_key_create (a, ka, &error));
  CU_ASSERT_TRUE (ml_pseudonym_key_ensure (b, kb, &error));
  CU_ASSERT_TRUE (ml_pseudonym_key_ensure (a, again, &error));
  CU_ASSERT_NOT_EQUAL (memcmp (ka, kb, 32), 0);
  CU_ASSERT_EQUAL (memcmp (ka, again, 32), 0);
  CU_ASSERT_FALSE (ml_pseudonym_key_create (a, again, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_EXISTS));
  g_clear_error (&error);
  g_assert (g_file_set_contents (bad, "00ff\n", -1, NULL));
  CU_ASSERT_FALSE (ml_pseudonym_key_load (bad, again, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
}

static CU_TestInfo import_tests[] = {
  { "ISO and epoch timestamps and IPv6 are imported", test_iso_and_epoch_timestamps_and_ipv6_are_imported },
  { "ids follow sorted text and addresses", test_ids_follow_sorted_text_and_addresses },
  { "a fresh key is written private", test_a_fresh_key_is_written_private },
  { "malformed rows are listed with line numbers", test_malformed_rows_are_listed_with_line_numbers },
  { "strict mode makes the first malformed row fatal", test_strict_mode_makes_the_first_malformed_row_fatal },
  { "an existing database is not replaced", test_an_existing_database_is_not_replaced },
  { "a log without valid rows is bad input", test_a_log_without_valid_rows_is_bad_input },
  { "CSV fields split with quotes", test_csv_fields_split_with_quotes },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo pseudonym_tests[] = {
  { "a pseudonym is the keyed HMAC prefix", test_pseudonym_is_the_keyed_hmac_prefix },
  { "keys are random and reloaded", test_keys_are_random_and_reloaded },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "import", .pTests = import_tests },
  { .pName = "pseudonyms", .pTests = pseudonym_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  ml_progress_set_quiet (TRUE);
  return ml_test_main (argc, argv, suites);
}
