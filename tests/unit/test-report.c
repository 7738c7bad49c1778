/* test-report.c -- unit tests for reports/: the JSON and CSV readers, the
 * redactor, the case reader, the data file and script of every plot, the
 * words of the brief and the page, and the whole report.
 *
 * Everything runs on the fixture case of tests/data/report-fixture: its
 * fixture.sql is loaded into a fresh analysis.db (through common/db.h),
 * findings.json is copied and tables/NAME.csv is dumped from the database,
 * as `metaleak analyze` would lay them out.  The plot tests read the .dat
 * files back and compare their numbers with the fixture's rows.  Tests
 * that need gnuplot pass without drawing when it is missing (the CLI tests
 * skip then); everything else runs anywhere.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "common/db.h"
#include "common/errors.h"
#include "reports/brief.h"
#include "reports/casedata.h"
#include "reports/csv.h"
#include "reports/narrative.h"
#include "reports/gnuplot.h"
#include "reports/html.h"
#include "common/json.h"
#include "reports/plot.h"
#include "reports/redact.h"
#include "reports/report.h"
#include "tests/unit/runner.h"

/* ---- the fixture ---- */

static char *
fixture_file (const char *name)
{
  const char *top = g_getenv ("top_srcdir");

  return g_build_filename (top != NULL ? top : ".", "tests", "data", "report-fixture", name, NULL);
}

/* Write every table of DB to DIR/tables/NAME.csv. */
static void
dump_tables (MlDb *db, const char *dir)
{
  g_autofree char *tables = g_build_filename (dir, "tables", NULL);
  g_autoptr(MlStmt) names = ml_db_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", NULL);

  g_assert (names != NULL && g_mkdir_with_parents (tables, 0777) == 0);
  while (ml_stmt_step (names, NULL) == ML_STEP_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", ml_stmt_text (names, 0));
      g_autofree char *file = g_strdup_printf ("%s.csv", ml_stmt_text (names, 0));
      g_autofree char *path = g_build_filename (tables, file, NULL);
      g_autoptr(MlStmt) st = ml_db_prepare (db, sql, NULL);
      g_autoptr(GString) csv = g_string_new (NULL);
      g_autoptr(GPtrArray) row = g_ptr_array_new_with_free_func (g_free);
      g_assert (st != NULL);
      for (int pass = 0; pass == 0 || ml_stmt_step (st, NULL) == ML_STEP_ROW; pass++)
        {
          g_ptr_array_set_size (row, 0);
          for (int c = 0; c < ml_stmt_columns (st); c++)
            g_ptr_array_add (row, g_strdup (pass == 0 ? ml_stmt_column_name (st, c)
                                            : ml_stmt_text (st, c) != NULL ? ml_stmt_text (st, c) : ""));
          g_ptr_array_add (row, NULL);
          ml_csv_append_row (csv, (char *const *) row->pdata);
        }
      g_assert (g_file_set_contents (path, csv->str, (gssize) csv->len, NULL));
    }
}

/* A new case directory NAME from the fixture, with EXTRA_SQL run after
 * fixture.sql (NULL for none).  Returns its path (caller frees). */
static char *
make_case (const char *name, const char *extra_sql)
{
  char *dir = ml_test_path (name);
  g_autofree char *sql_path = fixture_file ("fixture.sql");
  g_autofree char *json_path = fixture_file ("findings.json");
  g_autofree char *db_path = g_build_filename (dir, "analysis.db", NULL);
  g_autofree char *json_out = g_build_filename (dir, "findings.json", NULL);
  g_autofree char *sql = NULL, *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlDb) db = NULL;

  if (!g_file_get_contents (sql_path, &sql, NULL, NULL) || !g_file_get_contents (json_path, &json, NULL, NULL))
    g_error ("cannot read %s (run from the source tree or set top_srcdir)", sql_path);
  g_assert (g_mkdir_with_parents (dir, 0777) == 0);
  db = ml_db_create (db_path, FALSE, &error);
  if (db == NULL || !ml_db_exec (db, sql, &error) || (extra_sql != NULL && !ml_db_exec (db, extra_sql, &error)))
    g_error ("fixture: %s", error->message);
  dump_tables (db, dir);
  if (!ml_db_finish (db, &error))
    g_error ("fixture: %s", error->message);
  g_assert (g_file_set_contents (json_out, json, -1, NULL));
  return dir;
}

/* The fixture case, made once per program. */
static const char *
fixture_case (void)
{
  static char *dir;

  if (dir == NULL)
    dir = make_case ("case", NULL);
  return dir;
}

static MlCaseData *
open_fixture (void)
{
  g_autoptr(GError) error = NULL;
  MlCaseData *cd = ml_casedata_open (fixture_case (), FALSE, &error);

  if (cd == NULL)
    g_error ("fixture: %s", error->message);
  return cd;
}

/* Plots of the fixture for AUDIENCE and FORMAT written into a fresh
 * directory NAME; the caller frees *DIR_OUT and the returned plots. */
static GPtrArray *
write_plots (const MlCaseData *cd, const MlReportOptions *opt, const char *name, char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lit = g_build_filename (g_getenv ("top_srcdir") ? g_getenv ("top_srcdir") : ".",
                                           "datasets", "literature.csv", NULL);
  MlPlotSet set = { cd, opt, NULL, lit, g_ptr_array_new_with_free_func ((GDestroyNotify) ml_plot_free) };

  *dir_out = ml_test_path (name);
  set.dir = *dir_out;
  g_assert (g_mkdir_with_parents (*dir_out, 0777) == 0);
  if (!ml_plots_write (&set, &error))
    g_error ("plots: %s", error->message);
  return set.plots;
}

/* The rows of block INDEX of the .dat file NAME in DIR, each split into
 * fields like a shell splits words (so "quoted text" is one field). */
static GPtrArray *
dat_block (const char *dir, const char *name, int index)
{
  g_autofree char *file = g_strdup_printf ("%s.dat", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) blocks = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return rows;
  blocks = g_strsplit (text, "\n\n\n", -1);
  if ((guint) index >= g_strv_length (blocks))
    return rows;
  lines = g_strsplit (blocks[index], "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char **fields = NULL;
      if (lines[i][0] != '#' && lines[i][0] != '\0' && g_shell_parse_argv (lines[i], NULL, &fields, NULL))
        g_ptr_array_add (rows, fields);
    }
  return rows;
}

static double
num (const char *field)
{
  return g_ascii_strtod (field, NULL);
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

static const MlReportOptions policy_png = { .audience = ML_AUDIENCE_POLICY, .format = ML_FORMAT_PNG };
static const MlReportOptions research_both = { .audience = ML_AUDIENCE_RESEARCH, .format = ML_FORMAT_BOTH };

/* ==== JSON ==== */

static void
test_json_reads_findings_members_and_arrays (void)
{
  g_autofree char *path = fixture_file ("findings.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlJson) j = ml_json_load (path, &error);
  const MlJson *recall;
  double v = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (j);
  CU_ASSERT_STRING_EQUAL (ml_json_text (ml_json_member (ml_json_member (j, "case"), "name")), "fixture");
  recall = ml_json_member (ml_json_member (j, "curves"), "contacts_recall");
  CU_ASSERT_EQUAL (ml_json_length (recall), 4);
  CU_ASSERT_TRUE (ml_json_double (ml_json_element (recall, 3), &v));
  ML_ASSERT_CLOSE (v, 0.84, 1e-12);
  CU_ASSERT_FALSE (ml_json_is_true (ml_json_member (ml_json_member (j, "run"), "imported")));
  CU_ASSERT_PTR_NULL (ml_json_member (j, "no-such-member"));
}

static void
test_json_unescapes_strings (void)
{
  g_autoptr(MlJson) j = ml_json_parse ("{\"a\": \"tab\\there \\u00e9 \\ud83d\\ude00 \\\"q\\\"\"}", -1, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (j);
  CU_ASSERT_STRING_EQUAL (ml_json_text (ml_json_member (j, "a")), "tab\there \xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
}

static void
test_json_rejects_bad_text_naming_the_line (void)
{
  static const struct { const char *text, *message; } cases[] = {
    { "{\"a\": 1,\n}", "line 2: expected a member name at '}'" },
    { "[1, 2", "line 1: expected ',' or ']' at end of file" },
    { "{\"a\": 01}", "line 1: bad number at '0'" },
    { "{} x", "line 1: text after the value at 'x'" },
    { "\"\\x\"", "line 1: bad escape at 'x'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MlJson) j = ml_json_parse (cases[i].text, -1, &error);
      CU_ASSERT_PTR_NULL (j);
      CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
      if (error != NULL)
        CU_ASSERT_STRING_EQUAL (error->message, cases[i].message);
    }
}

/* ==== CSV ==== */

static void
test_csv_parses_quotes_commas_and_line_breaks (void)
{
  const char *text = "# comment\nmetric,value,source\r\nx,1,\"a, \"\"b\"\"\nc\"\n\ny,,plain\n";
  g_autoptr(GPtrArray) rows = ml_csv_parse (text, strlen (text), TRUE, NULL);
  char **r;

  CU_ASSERT_PTR_NOT_NULL_FATAL (rows);
  CU_ASSERT_EQUAL_FATAL (rows->len, 3);
  r = g_ptr_array_index (rows, 1);
  CU_ASSERT_STRING_EQUAL (r[2], "a, \"b\"\nc");
  r = g_ptr_array_index (rows, 2);
  CU_ASSERT_EQUAL (g_strv_length (r), 3);
  CU_ASSERT_STRING_EQUAL (r[1], "");
}

static void
test_csv_quoting_round_trips (void)
{
  const char *fields[] = { "plain", "with,comma", "with \"quote\"", "two\nlines", "", NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) rows = NULL;

  ml_csv_append_row (out, (char *const *) fields);
  CU_ASSERT_STRING_EQUAL (out->str, "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",\n");
  rows = ml_csv_parse (out->str, out->len, FALSE, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (rows);
  CU_ASSERT_EQUAL_FATAL (rows->len, 1);
  for (gsize i = 0; fields[i] != NULL; i++)
    CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (rows, 0))[i], fields[i]);
}

static void
test_csv_rejects_an_unterminated_quote (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = ml_csv_parse ("a,b\n1,\"open\n", 12, FALSE, &error);

  CU_ASSERT_PTR_NULL (rows);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
}

static void
test_csv_copy_redacts_handle_columns_only (void)
{
  g_autofree char *tables = ml_test_path ("copy-tables");
  g_autofree char *data = ml_test_path ("copy-data");
  g_autofree char *src = g_build_filename (tables, "contacts.csv", NULL);
  g_autofree char *dst = g_build_filename (data, "contacts.csv", NULL);
  g_autofree char *copied = NULL;
  g_autoptr(MlRedactor) r = ml_redactor_new (TRUE);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (g_mkdir_with_parents (tables, 0777) == 0 && g_mkdir_with_parents (data, 0777) == 0);
  g_assert (g_file_set_contents (src, "target,handle,note,n\n+15550001111,+15550002222,\"seen\nat +15550002222\",1700000000\n"
                                      "+15550001111,h-0123456789abcdef,plain,2\n", -1, NULL));
  CU_ASSERT_TRUE_FATAL (ml_csv_copy_tables (tables, data, r, &names, &error));
  CU_ASSERT_EQUAL (names->len, 1);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (dst, &copied, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (copied, "target,handle,note,n\nanon-1,anon-2,\"seen\nat anon-2\",1700000000\n"
                                  "anon-1,h-0123456789abcdef,plain,2\n");
}

/* ==== redaction ==== */

static void
test_redactor_labels_raw_handles_consistently (void)
{
  g_autoptr(MlRedactor) r = ml_redactor_new (TRUE);
  g_autofree char *text = NULL;

  CU_ASSERT_STRING_EQUAL (ml_redact_handle (r, "+15551234567"), "anon-1");
  CU_ASSERT_STRING_EQUAL (ml_redact_handle (r, "someone@example.com"), "anon-2");
  CU_ASSERT_STRING_EQUAL (ml_redact_handle (r, "+15551234567"), "anon-1");
  CU_ASSERT_STRING_EQUAL (ml_redact_handle (r, "h-0123456789abcdef"), "h-0123456789abcdef");
  CU_ASSERT_STRING_EQUAL (ml_redact_handle (r, "all"), "all");
  text = ml_redact_text (r, "target +15551234567 called tel:+4930123 and x.y@example.org on 2026-01-05");
  CU_ASSERT_STRING_EQUAL (text, "target anon-1 called anon-3 and anon-4 on 2026-01-05");
}

static void
test_inactive_redactor_passes_everything (void)
{
  g_autoptr(MlRedactor) r = ml_redactor_new (FALSE);
  g_autofree char *text = ml_redact_text (r, "+15551234567");

  CU_ASSERT_STRING_EQUAL (ml_redact_handle (r, "+15551234567"), "+15551234567");
  CU_ASSERT_STRING_EQUAL (text, "+15551234567");
  CU_ASSERT_TRUE (ml_redact_is_pseudonym ("h-00ff00ff00ff00ff"));
  CU_ASSERT_FALSE (ml_redact_is_pseudonym ("h-00FF00FF00FF00FF"));
  CU_ASSERT_FALSE (ml_redact_is_pseudonym ("h-00ff"));
}

/* ==== the case ==== */

static void
test_case_reads_targets_windows_and_metrics (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  double v = 0;

  CU_ASSERT_EQUAL (cd->windows, 4);
  CU_ASSERT_EQUAL_FATAL (cd->targets->len, 3);
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (cd->targets, 0), "+99912345670001");
  CU_ASSERT_STRING_EQUAL (cd->name, "fixture");
  CU_ASSERT_FALSE (cd->imported);
  CU_ASSERT_TRUE (cd->population);
  CU_ASSERT_TRUE (ml_casedata_metric (cd, 4, "all", "contacts_recall", &v));
  ML_ASSERT_CLOSE (v, 0.84, 1e-9);
  CU_ASSERT_TRUE (ml_casedata_metric (cd, 1, "+99912345670003", "home_error_km", &v));
  ML_ASSERT_CLOSE (v, 3.9 * 1.5, 1e-9);
  CU_ASSERT_FALSE (ml_casedata_metric (cd, 5, "all", "contacts_recall", &v));
  CU_ASSERT_STRING_EQUAL (ml_casedata_param (cd, "window_days"), "30");
  ML_ASSERT_CLOSE (ml_casedata_finding (cd, "headline", "evidence_rows"), 2857, 0);
}

static void
test_case_refuses_a_directory_without_an_analysis (void)
{
  g_autofree char *empty = ml_test_path ("empty-case");
  g_autofree char *missing = ml_test_path ("no-such-case");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(MlCaseData) a = NULL;
  g_autoptr(MlCaseData) b = NULL;

  g_assert (g_mkdir_with_parents (empty, 0777) == 0);
  a = ml_casedata_open (empty, FALSE, &e1);
  CU_ASSERT_PTR_NULL (a);
  CU_ASSERT_TRUE (g_error_matches (e1, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NOT_NULL (e1 != NULL ? strstr (e1->message, "not a case directory (no analysis.db); run 'metaleak analyze") : NULL);
  b = ml_casedata_open (missing, FALSE, &e2);
  CU_ASSERT_PTR_NULL (b);
  CU_ASSERT_TRUE (g_error_matches (e2, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NOT_NULL (e2 != NULL ? strstr (e2->message, "no such directory") : NULL);
}

static void
test_case_refuses_an_analysis_db_without_metrics (void)
{
  g_autofree char *dir = make_case ("no-metrics", "DROP TABLE metrics;");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCaseData) cd = ml_casedata_open (dir, FALSE, &error);

  CU_ASSERT_PTR_NULL (cd);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_SCHEMA));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "no table 'metrics'") : NULL);
}

/* ==== plots: data files and scripts ==== */

/* The first column of SQL's first row, with ?1 bound to TARGET. */
static double
query (const MlCaseData *cd, const char *sql, const char *target)
{
  g_autoptr(MlStmt) st = ml_db_prepare (cd->db, sql, NULL);

  g_assert (st != NULL);
  if (target != NULL)
    g_assert (ml_stmt_bind_text (st, 1, target, -1, NULL));
  g_assert (ml_stmt_step (st, NULL) == ML_STEP_ROW);
  return ml_stmt_double (st, 0);
}

static void
test_policy_report_has_every_plot_kind (void)
{
  static const char *const names[] = { "leakage-contacts", "leakage-location", "timeline-1", "ego-network-1",
                                       "location-map-1", "rhythm-1", "hop-reach", "sensitive", "uniqueness" };
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-policy", &dir);

  CU_ASSERT_EQUAL_FATAL (plots->len, G_N_ELEMENTS (names));
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const MlPlot *p = g_ptr_array_index (plots, i);
      CU_ASSERT_STRING_EQUAL (p->name, names[i]);
      CU_ASSERT_TRUE (p->caption != NULL && strlen (p->caption) > 80);
      CU_ASSERT_TRUE (p->width > 200 && p->height > 200);
    }
}

static void
test_leakage_curves_hold_the_fixture_metrics (void)
{
  static const double recall[] = { 0.46, 0.66, 0.77, 0.84 }, precision[] = { 0.62, 0.67, 0.69, 0.70 };
  static const double home[] = { 3.9, 2.6, 2.1, 1.8 }, work[] = { 9.5, 5.1, 4.2, 3.6 };
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-curves", &dir);
  g_autoptr(GPtrArray) contacts = dat_block (dir, "leakage-contacts", 0);
  g_autoptr(GPtrArray) location = dat_block (dir, "leakage-location", 0);

  CU_ASSERT_EQUAL_FATAL (contacts->len, 4);
  CU_ASSERT_EQUAL_FATAL (location->len, 4);
  for (guint n = 0; n < 4; n++)
    {
      char **c = g_ptr_array_index (contacts, n), **l = g_ptr_array_index (location, n);
      CU_ASSERT_EQUAL (atoi (c[0]), (int) n + 1);
      ML_ASSERT_CLOSE (num (c[2]), recall[n], 1e-9);
      ML_ASSERT_CLOSE (num (c[3]), precision[n], 1e-9);
      ML_ASSERT_CLOSE (num (l[1]), home[n], 1e-9);
      ML_ASSERT_CLOSE (num (l[2]), work[n], 1e-9);
    }
  ML_ASSERT_CLOSE (num (((char **) g_ptr_array_index (contacts, 3))[1]), 117.3333, 1e-3);
  ML_ASSERT_CLOSE (num (((char **) g_ptr_array_index (location, 0))[4]), 0.6667, 1e-9);
}

static void
test_timeline_shows_days_orders_and_losses (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &research_both, "plots-timeline", &dir);
  g_autoptr(GPtrArray) days = dat_block (dir, "timeline-2", 0);
  g_autoptr(GPtrArray) orders = dat_block (dir, "timeline-2", 1);
  g_autoptr(GPtrArray) lost = dat_block (dir, "timeline-2", 2);
  g_autoptr(GPtrArray) gap = dat_block (dir, "timeline-3", 3);
  double sum = 0;
  char **r;

  CU_ASSERT_EQUAL_FATAL (days->len, 115);
  for (guint i = 0; i < days->len; i++)
    sum += num (((char **) g_ptr_array_index (days, i))[1]);
  ML_ASSERT_CLOSE (sum, query (cd, "SELECT sum(lookups) FROM daily WHERE target = ?1", "+99912345670002"), 0);
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (days, 0))[0], "2026-01-05T12:00:00Z");
  CU_ASSERT_EQUAL_FATAL (orders->len, 4);
  r = g_ptr_array_index (orders, 2);
  CU_ASSERT_STRING_EQUAL (r[0], "3");
  CU_ASSERT_STRING_EQUAL (r[1], "2026-03-11T00:00:00Z");
  CU_ASSERT_STRING_EQUAL (r[2], "2026-04-05T00:00:00Z");
  CU_ASSERT_EQUAL_FATAL (lost->len, 1);
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (lost, 0))[0], "2026-03-06T00:00:00Z");
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (lost, 0))[1], "2026-03-11T00:00:00Z");
  CU_ASSERT_EQUAL_FATAL (gap->len, 1);
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (gap, 0))[0], "2026-04-05T00:00:00Z");
}

static void
test_ego_network_scores_every_tie_and_lays_them_out_within_the_unit_circle (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-ego", &dir);
  g_autoptr(GPtrArray) edges = dat_block (dir, "ego-network-1", 0);
  g_autoptr(GPtrArray) target = dat_block (dir, "ego-network-1", 2);
  guint correct = 0, missed = 0, wrong = 0;
  double r_max = 0;

  CU_ASSERT_EQUAL_FATAL (edges->len, 16);
  for (guint i = 0; i < edges->len; i++)
    {
      char **e = g_ptr_array_index (edges, i);
      correct += strcmp (e[4], "correct") == 0;
      missed += strcmp (e[4], "missed") == 0;
      wrong += strcmp (e[4], "false") == 0;
      r_max = MAX (r_max, hypot (num (e[2]), num (e[3])));
    }
  CU_ASSERT_EQUAL (correct, 10);
  CU_ASSERT_EQUAL (missed, 5);
  CU_ASSERT_EQUAL (wrong, 1);
  ML_ASSERT_CLOSE (r_max, 1.0, 1e-4);
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (edges, 0))[5], "1");
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (edges, 0))[7], "+99912345600101");
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (target, 0))[2], "+99912345670001");
}

static void
test_ego_network_layout_is_the_same_every_time (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *a = NULL, *b = NULL, *pa = NULL, *pb = NULL, *ta = NULL, *tb = NULL;
  g_autoptr(GPtrArray) p1 = write_plots (cd, &policy_png, "plots-same-1", &a);
  g_autoptr(GPtrArray) p2 = write_plots (cd, &policy_png, "plots-same-2", &b);

  pa = g_build_filename (a, "ego-network-1.dat", NULL);
  pb = g_build_filename (b, "ego-network-1.dat", NULL);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (pa, &ta, NULL, NULL) && g_file_get_contents (pb, &tb, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (ta, tb);
}

static void
test_location_map_holds_true_and_inferred_places (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-map", &dir);
  g_autoptr(GPtrArray) visited = dat_block (dir, "location-map-1", 0);
  g_autoptr(GPtrArray) truth = dat_block (dir, "location-map-1", 1);
  g_autoptr(GPtrArray) inferred = dat_block (dir, "location-map-1", 2);
  g_autoptr(GPtrArray) trail = dat_block (dir, "location-map-1", 3);
  double lookups = 0, lat, r;
  char **home = NULL;

  for (guint i = 0; i < visited->len; i++)
    lookups += num (((char **) g_ptr_array_index (visited, i))[2]);
  ML_ASSERT_CLOSE (lookups, query (cd, "SELECT count(*) FROM timeline WHERE target = ?1", "+99912345670001"), 0);
  CU_ASSERT_EQUAL (truth->len, 6);
  for (guint i = 0; i < truth->len; i++)
    if (strcmp (((char **) g_ptr_array_index (truth, i))[2], "home") == 0)
      home = g_ptr_array_index (truth, i);
  CU_ASSERT_PTR_NOT_NULL_FATAL (home);
  ML_ASSERT_CLOSE (num (home[0]), -88.2434, 1e-9);
  ML_ASSERT_CLOSE (num (home[1]), 40.1164, 1e-9);
  CU_ASSERT_EQUAL_FATAL (inferred->len, 2);
  lat = num (((char **) g_ptr_array_index (inferred, 0))[1]);
  r = num (((char **) g_ptr_array_index (inferred, 0))[5]);
  ML_ASSERT_CLOSE (lat, query (cd, "SELECT lat FROM places WHERE target = ?1 AND kind = 'home' AND n_windows = 4",
                               "+99912345670001"), 1e-9);
  ML_ASSERT_CLOSE (num (((char **) g_ptr_array_index (inferred, 0))[2]), 2 * r / (111.32 * cos (lat * G_PI / 180)), 1e-5);
  ML_ASSERT_CLOSE (num (((char **) g_ptr_array_index (inferred, 0))[3]), 2 * r / 110.574, 1e-5);
  CU_ASSERT_EQUAL (trail->len, 8);
}

static void
test_rhythm_fills_the_week_grid (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-rhythm", &dir);
  g_autoptr(GPtrArray) grid = dat_block (dir, "rhythm-1", 0);
  double sum = 0, mon2 = -1;

  CU_ASSERT_EQUAL_FATAL (grid->len, 7 * 24);
  for (guint i = 0; i < grid->len; i++)
    {
      char **c = g_ptr_array_index (grid, i);
      sum += num (c[2]);
      if (atoi (c[0]) == 2 && atoi (c[1]) == 1)
        mon2 = num (c[2]);
    }
  ML_ASSERT_CLOSE (sum, query (cd, "SELECT sum(lookups) FROM rhythm WHERE target = ?1", "+99912345670001"), 0);
  ML_ASSERT_CLOSE (mon2, query (cd, "SELECT coalesce(sum(lookups), 0) FROM rhythm WHERE target = ?1"
                                    " AND weekday = 1 AND hour = 2", "+99912345670001"), 0);
}

static void
test_population_plots_hold_hops_sensitive_and_uniqueness (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-population", &dir);
  g_autoptr(GPtrArray) hops = dat_block (dir, "hop-reach", 0);
  g_autoptr(GPtrArray) sens = dat_block (dir, "sensitive", 0);
  g_autoptr(GPtrArray) uniq = dat_block (dir, "uniqueness", 0);
  g_autoptr(GPtrArray) lit = dat_block (dir, "uniqueness", 1);
  char **h3, **fin;

  CU_ASSERT_EQUAL_FATAL (hops->len, 3);
  h3 = g_ptr_array_index (hops, 2);
  CU_ASSERT_STRING_EQUAL (h3[1], "3 hops");
  CU_ASSERT_EQUAL (num (h3[2]), 2100);
  CU_ASSERT_EQUAL (num (h3[5]), 6100);
  CU_ASSERT_EQUAL (num (h3[6]), 5200);
  CU_ASSERT_EQUAL_FATAL (sens->len, 6);
  fin = g_ptr_array_index (sens, 0);
  CU_ASSERT_STRING_EQUAL (fin[0], "financial");
  CU_ASSERT_TRUE (num (fin[2]) == 2 && num (fin[3]) == 2 && num (fin[4]) == 2);
  CU_ASSERT_EQUAL (uniq->len, 7);
  ML_ASSERT_CLOSE (num (((char **) g_ptr_array_index (uniq, 1))[1]), 0.54, 1e-9);
  CU_ASSERT_EQUAL_FATAL (lit->len, 2);
  ML_ASSERT_CLOSE (num (((char **) g_ptr_array_index (lit, 1))[1]), 0.95, 1e-9);
}

static void
test_scripts_read_their_data_by_relative_name (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &research_both, "plots-scripts", &dir);

  CU_ASSERT_EQUAL (plots->len, 17);
  for (guint i = 0; i < plots->len; i++)
    {
      const MlPlot *p = g_ptr_array_index (plots, i);
      g_autofree char *file = g_strdup_printf ("%s.gp", p->name);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *data = g_strdup_printf ("data = \"%s.dat\"", p->name);
      g_autofree char *output = g_strdup_printf ("set output \"%s.\" . fmt", p->name);
      g_autofree char *text = NULL;
      CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
      CU_ASSERT_PTR_NOT_NULL (strstr (text, data));
      CU_ASSERT_PTR_NOT_NULL (strstr (text, output));
      CU_ASSERT_PTR_NOT_NULL (strstr (text, "formats = \"png svg\""));
      CU_ASSERT_PTR_NULL (strstr (text, ml_test_tmpdir ()));
    }
}

static void
test_gnuplot_draws_every_plot (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autofree char *gnuplot = ml_gnuplot_find (NULL);
  g_autoptr(GPtrArray) plots = write_plots (cd, &research_both, "plots-drawn", &dir);

  if (gnuplot == NULL)
    {
      fprintf (stderr, "(gnuplot not found: drawing not tested) ");
      return;
    }
  CU_ASSERT_EQUAL (ml_gnuplot_draw (gnuplot, dir, plots, ML_FORMAT_BOTH, 2), 0);
  for (guint i = 0; i < plots->len; i++)
    {
      const MlPlot *p = g_ptr_array_index (plots, i);
      if (!p->drawn)
        fprintf (stderr, "\n  %s: %s", p->name, p->failure);
      CU_ASSERT_TRUE (p->drawn);
    }
}

static void
test_a_failing_gnuplot_is_recorded_per_plot (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-false", &dir);
  g_autofree char *fail = g_find_program_in_path ("false");

  if (fail == NULL)
    return;
  CU_ASSERT_EQUAL (ml_gnuplot_draw (fail, dir, plots, ML_FORMAT_PNG, 2), plots->len);
  CU_ASSERT_FALSE (((MlPlot *) g_ptr_array_index (plots, 0))->drawn);
  CU_ASSERT_PTR_NOT_NULL (((MlPlot *) g_ptr_array_index (plots, 0))->failure);
}

/* ==== words, page and brief ==== */

static void
test_headline_states_the_numbers_in_plain_words (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *headline = ml_narrative_headline (cd);
  g_autoptr(GPtrArray) steps = ml_narrative_order_steps (cd);
  g_autoptr(GPtrArray) table = ml_narrative_leakage_table (cd);

  CU_ASSERT_STRING_EQUAL (headline, "After 4 chained 30-day orders, 84 % of the 3 targets' true contacts were "
                                    "recovered and their homes placed within 1.8 km (median), from logs that "
                                    "hold no message content.");
  CU_ASSERT_EQUAL_FATAL (steps->len, 3);
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (steps, 0), "Order 2: contacts recovered 46 % to 66 % (+20 points); "
                                                        "median home error 3.9 km to 2.6 km; median work error "
                                                        "9.5 km to 5.1 km.");
  CU_ASSERT_EQUAL_FATAL (table->len, 5);
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (table, 4))[1], "117");
  CU_ASSERT_STRING_EQUAL (((char **) g_ptr_array_index (table, 4))[4], "1.8 km");
}

/* A document for CD with no plots drawn and no data files. */
static MlReportDoc
doc_for (const MlCaseData *cd, const MlReportOptions *opt, GPtrArray *plots, GPtrArray *files)
{
  MlReportDoc doc = { cd, opt, plots, files, NULL, "2026-01-01T00:00:00Z", NULL };
  return doc;
}

static guint
count (const char *text, const char *needle)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

static void
test_page_shows_every_plot_and_only_local_resources (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) plots = write_plots (cd, &policy_png, "plots-page", &dir);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  MlReportDoc doc = doc_for (cd, &policy_png, plots, files);
  g_autofree char *html = NULL;

  for (guint i = 0; i < plots->len; i++)
    ((MlPlot *) g_ptr_array_index (plots, i))->drawn = TRUE;
  html = ml_html_render (&doc, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (html);
  CU_ASSERT_EQUAL (count (html, "<img src=\"plots/"), plots->len);
  CU_ASSERT_EQUAL (count (html, "<figcaption>"), plots->len);
  CU_ASSERT_PTR_NOT_NULL (strstr (html, "Content-Security-Policy"));
  CU_ASSERT_PTR_NULL (strstr (html, "src=\"http"));
  CU_ASSERT_PTR_NULL (strstr (html, "href=\"http"));
  CU_ASSERT_PTR_NULL (strstr (html, "<link"));
  CU_ASSERT_PTR_NOT_NULL (strstr (html, "84 % of the 3 targets&apos; true contacts"));
  CU_ASSERT_PTR_NULL (strstr (html, "What a pen register is"));
  CU_ASSERT_PTR_NULL (strstr (html, "Every metric"));
}

static void
test_class_page_explains_and_research_page_lists_every_metric (void)
{
  static const MlReportOptions klass = { .audience = ML_AUDIENCE_CLASS, .format = ML_FORMAT_PNG };
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autofree char *d1 = NULL, *d2 = NULL, *c = NULL, *r = NULL;
  g_autoptr(GPtrArray) p1 = write_plots (cd, &klass, "plots-class", &d1);
  g_autoptr(GPtrArray) p2 = write_plots (cd, &research_both, "plots-research", &d2);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  MlReportDoc dc = doc_for (cd, &klass, p1, files), dr = doc_for (cd, &research_both, p2, files);

  c = ml_html_render (&dc, NULL);
  r = ml_html_render (&dr, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_PTR_NOT_NULL_FATAL (r);
  CU_ASSERT_PTR_NOT_NULL (strstr (c, "What a pen register is"));
  CU_ASSERT_PTR_NOT_NULL (strstr (c, "Why an IP address reveals a location"));
  CU_ASSERT_PTR_NOT_NULL (strstr (c, "A lookup is not proof of communication"));
  CU_ASSERT_PTR_NOT_NULL (strstr (c, "Questions for the class"));
  CU_ASSERT_EQUAL (count (c, "What a pen register is"), 1);
  CU_ASSERT_PTR_NOT_NULL (strstr (r, "<td>contacts_f1</td>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (r, "<td>retention_days</td>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (r, "The 15 strongest contacts of +99912345670003"));
  CU_ASSERT_PTR_NOT_NULL (strstr (r, "This plot was not drawn"));
}

static void
test_brief_is_one_page_with_headline_orders_and_caveats (void)
{
  g_autoptr(MlCaseData) cd = open_fixture ();
  g_autoptr(GPtrArray) plots = g_ptr_array_new ();
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  MlReportDoc doc = doc_for (cd, &policy_png, plots, files);
  g_autofree char *brief = ml_brief_render (&doc);

  CU_ASSERT_PTR_NOT_NULL (strstr (brief, "**After 4 chained 30-day orders, 84 % of the 3 targets' true contacts"));
  CU_ASSERT_PTR_NOT_NULL (strstr (brief, "## What each additional order adds"));
  CU_ASSERT_PTR_NOT_NULL (strstr (brief, "| 4 | 117 | 84 % | 70 % | 1.8 km | 3.6 km | 70 % |"));
  CU_ASSERT_PTR_NOT_NULL (strstr (brief, "## Caveats"));
  CU_ASSERT_PTR_NOT_NULL (strstr (brief, "served 5 days late"));
  CU_ASSERT_TRUE (count (brief, "\n") < 60);
}

/* ==== the whole report ==== */

/* Run the report on CASEDIR into OUT; the error, or NULL. */
static GError *
run_report (const char *casedir, const char *out, MlAudience audience, gboolean reveal, gboolean force)
{
  MlReportOptions opt = { .casedir = casedir, .out = out, .audience = audience, .format = ML_FORMAT_PNG,
                          .reveal = reveal, .force = force, .quiet = TRUE };
  GError *error = NULL;

  ml_report_run (&opt, &error);
  return error;
}

static gboolean
is_ok_or_partial (const GError *e)
{
  return e == NULL || g_error_matches (e, ML_ERROR, ML_ERROR_PARTIAL);
}

/* Whether any regular file under DIR contains NEEDLE. */
static gboolean
tree_contains (const char *dir, const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) ? tree_contains (path, needle) : file_contains (path, needle))
        return TRUE;
    }
  return FALSE;
}

static void
test_report_of_an_imported_log_never_prints_raw_handles (void)
{
  g_autofree char *dir = make_case ("imported", "UPDATE params SET value = '1' WHERE key = 'imported';");
  g_autofree char *out = ml_test_path ("imported-report");
  g_autofree char *revealed = ml_test_path ("imported-revealed");
  g_autoptr(GError) e1 = run_report (dir, out, ML_AUDIENCE_RESEARCH, FALSE, FALSE);
  g_autoptr(GError) e2 = run_report (dir, revealed, ML_AUDIENCE_RESEARCH, TRUE, FALSE);
  g_autofree char *brief = g_build_filename (out, "brief.md", NULL);

  CU_ASSERT_TRUE (is_ok_or_partial (e1));
  CU_ASSERT_TRUE (is_ok_or_partial (e2));
  CU_ASSERT_TRUE (file_contains (brief, "every handle in this report is a pseudonym"));
  CU_ASSERT_FALSE (tree_contains (out, "+999"));
  CU_ASSERT_FALSE (tree_contains (out, "999123456"));
  CU_ASSERT_TRUE (tree_contains (out, "anon-1"));
  CU_ASSERT_TRUE (tree_contains (revealed, "+99912345670001"));
}

static void
test_report_is_deterministic_apart_from_its_time (void)
{
  static const char *const files[] = { "index.html", "brief.md", "plots/ego-network-1.dat", "plots/timeline-1.gp",
                                       "data/metrics.csv" };
  g_autofree char *a = ml_test_path ("same-a");
  g_autofree char *b = ml_test_path ("same-b");
  g_autoptr(GError) ea = NULL;
  g_autoptr(GError) eb = NULL;

  g_setenv ("SOURCE_DATE_EPOCH", "1767571200", TRUE);
  ea = run_report (fixture_case (), a, ML_AUDIENCE_RESEARCH, FALSE, FALSE);
  eb = run_report (fixture_case (), b, ML_AUDIENCE_RESEARCH, FALSE, FALSE);
  g_unsetenv ("SOURCE_DATE_EPOCH");
  CU_ASSERT_TRUE_FATAL (is_ok_or_partial (ea) && is_ok_or_partial (eb));
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *pa = g_build_filename (a, files[i], NULL), *pb = g_build_filename (b, files[i], NULL);
      g_autofree char *ta = NULL, *tb = NULL;
      CU_ASSERT_TRUE_FATAL (g_file_get_contents (pa, &ta, NULL, NULL) && g_file_get_contents (pb, &tb, NULL, NULL));
      CU_ASSERT_STRING_EQUAL (ta, tb);
    }
}

static void
test_report_refuses_to_overwrite_or_to_replace_the_case (void)
{
  g_autofree char *out = ml_test_path ("twice");
  g_autoptr(GError) first = run_report (fixture_case (), out, ML_AUDIENCE_POLICY, FALSE, FALSE);
  g_autoptr(GError) second = run_report (fixture_case (), out, ML_AUDIENCE_POLICY, FALSE, FALSE);
  g_autoptr(GError) forced = run_report (fixture_case (), out, ML_AUDIENCE_POLICY, FALSE, TRUE);
  g_autoptr(GError) onto_case = run_report (fixture_case (), fixture_case (), ML_AUDIENCE_POLICY, FALSE, TRUE);
  g_autofree char *db = g_build_filename (fixture_case (), "analysis.db", NULL);

  CU_ASSERT_TRUE (is_ok_or_partial (first));
  CU_ASSERT_TRUE (g_error_matches (second, ML_ERROR, ML_ERROR_EXISTS));
  CU_ASSERT_TRUE (is_ok_or_partial (forced));
  CU_ASSERT_TRUE (g_error_matches (onto_case, ML_ERROR, ML_ERROR_USAGE));
  CU_ASSERT_TRUE (g_file_test (db, G_FILE_TEST_IS_REGULAR));
}

static void
test_report_without_gnuplot_is_partial_but_complete (void)
{
  g_autofree char *out = ml_test_path ("no-gnuplot");
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *old_gnuplot = g_strdup (g_getenv ("GNUPLOT"));
  g_autoptr(GError) error = NULL;
  g_autofree char *gp = g_build_filename (out, "plots", "leakage-contacts.gp", NULL);
  g_autofree char *png = g_build_filename (out, "plots", "leakage-contacts.png", NULL);
  g_autofree char *csv = g_build_filename (out, "data", "metrics.csv", NULL);
  g_autofree char *html = g_build_filename (out, "index.html", NULL);

  g_setenv ("PATH", "/nonexistent", TRUE);
  g_unsetenv ("GNUPLOT");
  error = run_report (fixture_case (), out, ML_AUDIENCE_POLICY, FALSE, FALSE);
  g_setenv ("PATH", old_path, TRUE);
  if (old_gnuplot != NULL)
    g_setenv ("GNUPLOT", old_gnuplot, TRUE);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_PARTIAL));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "gnuplot-nox") : NULL);
  CU_ASSERT_TRUE (g_file_test (gp, G_FILE_TEST_IS_REGULAR) && g_file_test (csv, G_FILE_TEST_IS_REGULAR));
  CU_ASSERT_FALSE (g_file_test (png, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (file_contains (html, "<img"));
  CU_ASSERT_TRUE (file_contains (html, "gnuplot was not found"));
}

static void
test_options_name_bad_words (void)
{
  MlAudience a = ML_AUDIENCE_POLICY;
  MlPlotFormat f = ML_FORMAT_PNG;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;

  CU_ASSERT_TRUE (ml_report_parse_audience ("class", &a, NULL) && a == ML_AUDIENCE_CLASS);
  CU_ASSERT_TRUE (ml_report_parse_format ("both", &f, NULL) && f == ML_FORMAT_BOTH);
  CU_ASSERT_FALSE (ml_report_parse_audience ("press", &a, &e1));
  CU_ASSERT_STRING_EQUAL (e1->message, "--audience: 'press' is not policy, research or class");
  CU_ASSERT_FALSE (ml_report_parse_format ("pdf", &f, &e2));
  CU_ASSERT_TRUE (g_error_matches (e2, ML_ERROR, ML_ERROR_USAGE));
}

/* ==== registry ==== */

static CU_TestInfo reader_tests[] = {
  { "json reads findings members and arrays", test_json_reads_findings_members_and_arrays },
  { "json unescapes strings", test_json_unescapes_strings },
  { "json rejects bad text naming the line", test_json_rejects_bad_text_naming_the_line },
  { "csv parses quotes, commas and line breaks", test_csv_parses_quotes_commas_and_line_breaks },
  { "csv quoting round-trips", test_csv_quoting_round_trips },
  { "csv rejects an unterminated quote", test_csv_rejects_an_unterminated_quote },
  { "csv copy redacts handle columns only", test_csv_copy_redacts_handle_columns_only },
  { "redactor labels raw handles consistently", test_redactor_labels_raw_handles_consistently },
  { "inactive redactor passes everything", test_inactive_redactor_passes_everything },
  { "case reads targets, windows and metrics", test_case_reads_targets_windows_and_metrics },
  { "case refuses a directory without an analysis", test_case_refuses_a_directory_without_an_analysis },
  { "case refuses an analysis.db without metrics", test_case_refuses_an_analysis_db_without_metrics },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo plot_tests[] = {
  { "policy report has every plot kind", test_policy_report_has_every_plot_kind },
  { "leakage curves hold the fixture metrics", test_leakage_curves_hold_the_fixture_metrics },
  { "timeline shows days, orders and losses", test_timeline_shows_days_orders_and_losses },
  { "ego network scores every tie within the unit circle",
    test_ego_network_scores_every_tie_and_lays_them_out_within_the_unit_circle },
  { "ego network layout is the same every time", test_ego_network_layout_is_the_same_every_time },
  { "location map holds true and inferred places", test_location_map_holds_true_and_inferred_places },
  { "rhythm fills the week grid", test_rhythm_fills_the_week_grid },
  { "population plots hold hops, sensitive and uniqueness", test_population_plots_hold_hops_sensitive_and_uniqueness },
  { "scripts read their data by relative name", test_scripts_read_their_data_by_relative_name },
  { "gnuplot draws every plot", test_gnuplot_draws_every_plot },
  { "a failing gnuplot is recorded per plot", test_a_failing_gnuplot_is_recorded_per_plot },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo page_tests[] = {
  { "headline states the numbers in plain words", test_headline_states_the_numbers_in_plain_words },
  { "page shows every plot and only local resources", test_page_shows_every_plot_and_only_local_resources },
  { "class page explains, research page lists every metric", test_class_page_explains_and_research_page_lists_every_metric },
  { "brief is one page with headline, orders and caveats", test_brief_is_one_page_with_headline_orders_and_caveats },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo report_tests[] = {
  { "report of an imported log never prints raw handles", test_report_of_an_imported_log_never_prints_raw_handles },
  { "report is deterministic apart from its time", test_report_is_deterministic_apart_from_its_time },
  { "report refuses to overwrite or to replace the case", test_report_refuses_to_overwrite_or_to_replace_the_case },
  { "report without gnuplot is partial but complete", test_report_without_gnuplot_is_partial_but_complete },
  { "options name bad words", test_options_name_bad_words },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "readers", .pTests = reader_tests },
  { .pName = "plots", .pTests = plot_tests },
  { .pName = "page and brief", .pTests = page_tests },
  { .pName = "report", .pTests = report_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
