/* test-case.c -- unit tests for analyze/casefile: loading, checking and
 * resolving case files.
 *
 * Error tests assert on the whole message so that FILE:LINE, the key and
 * the wording are all checked.  Resolution runs on a hand-built provider.db
 * of four handles whose lookup counts straddle the random:N threshold.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "analyze/casefile.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/schema.h"
#include "tests/unit/runner.h"

/* ---- helpers ---- */

static char *
shipped (const char *name)
{
  const char *top = g_getenv ("top_srcdir");
  g_autofree char *file = g_strconcat (name, ".ini", NULL);

  return g_build_filename (top != NULL ? top : ".", "datasets", "cases", file, NULL);
}

/* Write TEXT to a fresh file NAME in the test directory; caller frees the path. */
static char *
write_case (const char *name, const char *text)
{
  char *path = ml_test_path (name);

  g_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Load TEXT as case.ini and assert it fails with ML_ERROR_INPUT and MESSAGE
 * ("@" in MESSAGE stands for the file's path). */
static void
assert_case_fails (const char *text, const char *message)
{
  g_autofree char *path = write_case ("case.ini", text);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) c = ml_case_load (path, NULL, &error);
  g_auto(GStrv) parts = g_strsplit (message, "@", -1);
  g_autofree char *expect = g_strjoinv (path, parts);

  CU_ASSERT_PTR_NULL (c);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  if (strcmp (error->message, expect) != 0)
    fprintf (stderr, "\n  expected: %s\n  actual:   %s\n", expect, error->message);
  CU_ASSERT_STRING_EQUAL (error->message, expect);
}

static MlCase *
load_text (const char *text)
{
  g_autofree char *path = write_case ("case.ini", text);
  g_autoptr(GError) error = NULL;
  MlCase *c = ml_case_load (path, NULL, &error);

  if (error != NULL)
    fprintf (stderr, "\n  unexpected: %s\n", error->message);
  return c;
}

/* ---- loading ---- */

static void
test_default_case_is_the_documented_demo_case (void)
{
  g_autofree char *path = shipped ("default");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error_d = NULL;
  g_autoptr(MlCase) c = ml_case_load (path, NULL, &error);
  g_autoptr(MlCase) d = ml_case_load (NULL, NULL, &error_d);

  if (error != NULL)
    fprintf (stderr, "\n  %s (set top_srcdir)\n", error->message);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_PTR_NOT_NULL_FATAL (d);
  CU_ASSERT_STRING_EQUAL (c->name, "default");
  CU_ASSERT_STRING_EQUAL (c->targets[0], "random:20");
  CU_ASSERT_PTR_NULL (c->targets[1]);
  CU_ASSERT_EQUAL (c->kind, ML_ORDER_BOTH);
  CU_ASSERT_EQUAL (c->first_service, ML_CASE_SERVICE_AUTO);
  CU_ASSERT_EQUAL (c->window_days, 30);
  CU_ASSERT_EQUAL (c->extensions, 3);
  CU_ASSERT_EQUAL (c->lag_days, 0);
  CU_ASSERT_EQUAL (c->retention_days, 30);
  CU_ASSERT_EQUAL (c->mode, ML_MODE_SNAPSHOT);
  CU_ASSERT_FALSE (c->ip_pivot);
  CU_ASSERT_EQUAL (c->hops, 1);
  CU_ASSERT_EQUAL (c->hop_limit, 200);
  CU_ASSERT_EQUAL (c->top_k, 10);
  ML_ASSERT_CLOSE (c->night_start_h, 22, 0);
  ML_ASSERT_CLOSE (c->trip_km, 100, 0);
  /* the file documents the defaults: no file gives the same case */
  g_autofree char *a = ml_case_to_data (c);
  g_autofree char *b = ml_case_to_data (d);
  CU_ASSERT_STRING_EQUAL (a, b);
}

static void
test_shipped_cases_load_with_their_scenarios (void)
{
  g_autofree char *j = shipped ("journalist");
  g_autofree char *l = shipped ("late-renewal");
  g_autofree char *b = shipped ("bulk");
  g_autoptr(MlCase) cj = ml_case_load (j, NULL, NULL);
  g_autoptr(MlCase) cl = ml_case_load (l, NULL, NULL);
  g_autoptr(MlCase) cb = ml_case_load (b, NULL, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (cj);
  CU_ASSERT_PTR_NOT_NULL_FATAL (cl);
  CU_ASSERT_PTR_NOT_NULL_FATAL (cb);
  CU_ASSERT_STRING_EQUAL (cj->targets[0], "cast:journalist");
  CU_ASSERT_TRUE (cj->ip_pivot);
  CU_ASSERT_EQUAL (cj->hops, 2);
  CU_ASSERT_EQUAL (cj->kind, ML_ORDER_BOTH);
  CU_ASSERT_EQUAL (cl->lag_days, 7);
  CU_ASSERT_EQUAL (cl->retention_days, 25);
  CU_ASSERT_EQUAL (cb->extensions, 11);
  CU_ASSERT_STRING_EQUAL (cb->name, "bulk");
}

static void
test_name_defaults_to_the_file_name (void)
{
  g_autofree char *path = write_case ("my-case.ini", "[order]\nwindow_days = 10\n");
  g_autoptr(MlCase) c = ml_case_load (path, NULL, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_STRING_EQUAL (c->name, "my-case");
  CU_ASSERT_EQUAL (c->window_days, 10);
}

static void
test_gap_days_is_a_synonym_of_lag_days (void)
{
  g_autoptr(MlCase) c = load_text ("[order]\ngap_days = 4\n");

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_EQUAL (c->lag_days, 4);
}

static void
test_first_service_date_is_read (void)
{
  g_autoptr(MlCase) c = load_text ("[order]\nfirst_service = 2026-02-04\nmode = prospective\n");

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_EQUAL (c->first_service, ml_day_from_ymd (2026, 2, 4));
  CU_ASSERT_EQUAL (c->mode, ML_MODE_PROSPECTIVE);
}

static void
test_overrides_take_precedence_over_the_file (void)
{
  g_autofree char *path = write_case ("case.ini", "[order]\nwindow_days = 10\n");
  const char *const good[] = { "order.window_days=45", "case.targets = +1, +2", NULL };
  const char *const bad[] = { "window_days=45", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) c = ml_case_load (path, good, &error);
  g_autoptr(MlCase) d = ml_case_load (path, bad, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_EQUAL (c->window_days, 45);
  CU_ASSERT_STRING_EQUAL (c->targets[1], "+2");
  CU_ASSERT_PTR_NULL (d);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_USAGE));
}

static void
test_case_text_round_trips (void)
{
  g_autoptr(MlCase) c = load_text ("[case]\nname = x\ntargets = +1; cast:a; random:3\nseed = 9\n"
                                   "[order]\nkind = pen-register\nfirst_service = 2026-01-05\n"
                                   "window_days = 45\nextensions = 5\ngap_days = 3\nretention_days = 25\n"
                                   "mode = prospective\nip_pivot = yes\nhops = 3\nhop_limit = 7\n"
                                   "[inference]\nnight_start_h = 23.5\nwork_end_h = 18\ntrip_km = 50.25\n");
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *path = NULL;
  g_autoptr(MlCase) d = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  text = ml_case_to_data (c);
  path = write_case ("again.ini", text);
  d = ml_case_load (path, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (d);
  again = ml_case_to_data (d);
  CU_ASSERT_STRING_EQUAL (text, again);
  CU_ASSERT_EQUAL (d->lag_days, 3);
  CU_ASSERT_EQUAL (d->kind, ML_ORDER_PEN_REGISTER);
  CU_ASSERT_EQUAL (d->seed, 9);
  CU_ASSERT_EQUAL (d->hop_limit, 7);
  ML_ASSERT_CLOSE (d->night_start_h, 23.5, 0);
  ML_ASSERT_CLOSE (d->trip_km, 50.25, 0);
  CU_ASSERT_TRUE (g_strv_equal ((const char *const *) c->targets, (const char *const *) d->targets));
}

/* ---- errors with lines ---- */

static void
test_out_of_range_window_names_file_and_line (void)
{
  g_autofree char *path = write_case ("case.ini", "# case\n[order]\nkind = both\nwindow_days = 61\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) c = ml_case_load (path, NULL, &error);
  g_autofree char *prefix = g_strconcat (path, ":4: ", NULL);

  CU_ASSERT_PTR_NULL (c);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_TRUE (g_str_has_prefix (error->message, prefix));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "window_days"));
}

static void
test_bad_kind_names_file_and_line (void)
{
  g_autofree char *path = write_case ("case.ini", "[order]\n\nkind = wiretap\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) c = ml_case_load (path, NULL, &error);
  g_autofree char *prefix = g_strconcat (path, ":3: ", NULL);

  CU_ASSERT_PTR_NULL (c);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_str_has_prefix (error->message, prefix));
}

static void
test_semantic_errors_name_the_key_line (void)
{
  assert_case_fails ("[order]\nlag_days = 1\ngap_days = 2\n",
                     "@:3: key 'gap_days' in group [order]: is a synonym of lag_days, which is also set");
  assert_case_fails ("[order]\nfirst_service = 2026-02-30\n",
                     "@:2: key 'first_service' in group [order]: '2026-02-30' is neither a date (YYYY-MM-DD) nor auto");
  assert_case_fails ("[order]\nkind = trap-and-trace\nip_pivot = yes\n",
                     "@:3: key 'ip_pivot' in group [order]: needs the target's own lookups: kind must be pen-register or both");
  assert_case_fails ("[inference]\nnight_start_h = 5\nnight_end_h = 5\n",
                     "@:3: key 'night_end_h' in group [inference]: equals night_start_h: the night is empty");
  assert_case_fails ("[inference]\nwork_start_h = 9\nwork_end_h = 8\n",
                     "@:3: key 'work_end_h' in group [inference]: 8 is not after work_start_h 9");
  assert_case_fails ("[case]\nname = ../etc\n",
                     "@:2: key 'name' in group [case]: '../etc' cannot name a directory: use letters, digits, '.', '-', '_'");
}

static void
test_bad_target_items_name_the_targets_line (void)
{
  assert_case_fails ("[case]\n\ntargets = +1, random:0\n",
                     "@:3: key 'targets' in group [case]: 'random:0' needs a count from 1 to 100000 after 'random:'");
  assert_case_fails ("[case]\ntargets = cast:\n",
                     "@:2: key 'targets' in group [case]: 'cast:' needs a cast name after 'cast:'");
  assert_case_fails ("[case]\ntargets = ;\n",
                     "@:2: key 'targets' in group [case]: names no target");
}

/* ---- resolution ---- */

#define H_A "+99900000000001"   /* 25 own lookups */
#define H_B "+99900000000002"   /* 20 own lookups */
#define H_C "+99900000000003"   /* 19 own lookups */
#define H_D "+99900000000004"   /* looked up only */

static char *run_dir;          /* holds provider.db and manifest.json */
static MlTime first_ts;        /* earliest lookup of the log */

static gboolean
add_lookups (MlDb *db, gint64 source, int n, MlTime t0, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, ML_SQL_INSERT_LOOKUP, error);

  for (int i = 0; s != NULL && i < n; i++)
    if (!ml_stmt_bind_int64 (s, 1, t0 + 3600 * i, error) || !ml_stmt_bind_int64 (s, 2, source, error)
        || !ml_stmt_bind_int64 (s, 3, 4, error) || !ml_stmt_bind_int64 (s, 4, 167772161, error)
        || !ml_stmt_bind_int64 (s, 5, 1, error) || !ml_stmt_run (s, error))
      return FALSE;
  return s != NULL;
}

static gboolean
add_handles (MlDb *db, GError **error)
{
  static const char *const h[] = { H_A, H_B, H_C, H_D };
  g_autoptr(MlStmt) s = ml_db_prepare (db, ML_SQL_INSERT_HANDLE, error);

  for (int i = 0; s != NULL && i < 4; i++)
    if (!ml_stmt_bind_int64 (s, 1, i + 1, error) || !ml_stmt_bind_text (s, 2, h[i], -1, error)
        || !ml_stmt_run (s, error))
      return FALSE;
  g_clear_pointer (&s, ml_stmt_free);
  s = ml_db_prepare (db, ML_SQL_INSERT_IP, error);
  return s != NULL && ml_stmt_bind_int64 (s, 1, 167772161, error)
         && ml_stmt_bind_text (s, 2, "10.0.0.1", -1, error) && ml_stmt_run (s, error);
}

static int
init_resolution (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(MlDb) db = NULL;

  run_dir = ml_test_path ("run");
  db_path = g_build_filename (run_dir, "provider.db", NULL);
  first_ts = ml_day_start (ml_day_from_ymd (2026, 1, 10)) + 7200;
  if (g_mkdir_with_parents (run_dir, 0700) != 0 || (db = ml_db_create (db_path, FALSE, &error)) == NULL
      || !ml_schema_provider_create (db, &error) || !add_handles (db, &error)
      || !add_lookups (db, 1, 25, first_ts + 50, &error) || !add_lookups (db, 2, 20, first_ts, &error)
      || !add_lookups (db, 3, 19, first_ts + 99, &error)
      || !ml_schema_provider_index (db, &error) || !ml_db_finish (db, &error))
    {
      fprintf (stderr, "fixture: %s\n", error ? error->message : "?");
      return 1;
    }
  return 0;
}

static int
clean_resolution (void)
{
  g_clear_pointer (&run_dir, g_free);
  return 0;
}

static void
write_manifest (const char *text)
{
  g_autofree char *path = g_build_filename (run_dir, "manifest.json", NULL);

  if (text == NULL)
    g_unlink (path);
  else
    g_assert (g_file_set_contents (path, text, -1, NULL));
}

/* Resolve the targets of case TEXT; the ids into OUT; FALSE + ERROR. */
static gboolean
resolve (const char *text, GArray *out, MlCase **case_out, GError **error)
{
  g_autofree char *path = write_case ("case.ini", text);
  g_autofree char *db_path = g_build_filename (run_dir, "provider.db", NULL);
  g_autoptr(MlCase) c = ml_case_load (path, NULL, error);
  g_autoptr(MlDb) db = c != NULL ? ml_db_open (db_path, ML_DB_READONLY, error) : NULL;
  gboolean ok = db != NULL && ml_case_resolve_targets (c, run_dir, db, out, error);

  if (case_out != NULL)
    *case_out = g_steal_pointer (&c);
  return ok;
}

static gint64
id_at (GArray *a, guint i)
{
  return g_array_index (a, gint64, i);
}

static void
test_handles_resolve_in_order_and_once (void)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  write_manifest ("{\n  \"cast\": {\"journalist\": \"" H_A "\", \"source\": \"" H_D "\"}\n}\n");
  CU_ASSERT_TRUE_FATAL (resolve ("[case]\ntargets = " H_B ", cast:journalist, " H_B ", cast:source\n",
                                 ids, NULL, &error));
  CU_ASSERT_EQUAL_FATAL (ids->len, 3);
  CU_ASSERT_EQUAL (id_at (ids, 0), 2);
  CU_ASSERT_EQUAL (id_at (ids, 1), 1);
  CU_ASSERT_EQUAL (id_at (ids, 2), 4);
}

static void
test_unknown_handle_error_names_line_and_handle (void)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ml_test_path ("case.ini");
  g_autofree char *expect = g_strdup_printf ("%s:3: key 'targets' in group [case]: handle +99900000000009 "
                                             "never appears in %s/provider.db", path, run_dir);

  CU_ASSERT_FALSE (resolve ("[case]\n# who\ntargets = " H_A ", +99900000000009\n", ids, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_STRING_EQUAL (error->message, expect);
  CU_ASSERT_EQUAL (ids->len, 0);
}

static void
test_unknown_cast_member_lists_the_cast (void)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  write_manifest ("{\"cast\": {\"journalist\": \"" H_A "\", \"editor\": \"" H_B "\"}}");
  CU_ASSERT_FALSE (resolve ("[case]\ntargets = cast:nobody\n", ids, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, ":2: key 'targets' in group [case]: no cast member "
                                  "'nobody' in the run (cast: editor, journalist)"));
}

static void
test_cast_without_manifest_is_an_error_at_targets (void)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  write_manifest (NULL);
  CU_ASSERT_FALSE (resolve ("[case]\ntargets = cast:journalist\n", ids, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, ":2: key 'targets' in group [case]: 'cast:journalist' "
                                  "needs the run's cast: "));
}

static void
test_random_draws_only_active_handles_deterministically (void)
{
  g_autoptr(GArray) a = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) b = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) c = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  CU_ASSERT_TRUE_FATAL (resolve ("[case]\ntargets = random:2\nseed = 5\n", a, NULL, &error));
  CU_ASSERT_TRUE_FATAL (resolve ("[case]\ntargets = random:2\nseed = 5\n", b, NULL, &error));
  CU_ASSERT_EQUAL_FATAL (a->len, 2);
  CU_ASSERT_EQUAL (id_at (a, 0) + id_at (a, 1), 3);   /* {1, 2}: C has 19, D none */
  CU_ASSERT_EQUAL (id_at (a, 0), id_at (b, 0));
  CU_ASSERT_TRUE_FATAL (resolve ("[case]\ntargets = " H_A ", random:1\n", c, NULL, &error));
  CU_ASSERT_EQUAL_FATAL (c->len, 2);
  CU_ASSERT_EQUAL (id_at (c, 1), 2);
}

static void
test_random_beyond_the_active_handles_fails (void)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (resolve ("[case]\ntargets = random:3\n", ids, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, ":2: key 'targets' in group [case]: random:3: only 2 "
                                  "more handles have at least 20 own lookups"));
}

static void
test_auto_service_follows_the_log_start (void)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCase) snap = NULL;
  g_autoptr(MlCase) pro = NULL;
  g_autoptr(MlCase) man = NULL;
  MlDay day0 = ml_day_of (first_ts);

  write_manifest (NULL);
  CU_ASSERT_TRUE (resolve ("[case]\ntargets = " H_A "\n[order]\nwindow_days = 20\n", ids, &snap, &error));
  CU_ASSERT_TRUE (resolve ("[case]\ntargets = " H_A "\n[order]\nmode = prospective\n", ids, &pro, &error));
  write_manifest ("{\"start\": \"2026-01-05\", \"cast\": {}}");
  CU_ASSERT_TRUE (resolve ("[case]\ntargets = " H_A "\n", ids, &man, &error));
  CU_ASSERT_EQUAL (snap->first_service, day0 + 20);
  CU_ASSERT_EQUAL (pro->first_service, day0);
  CU_ASSERT_EQUAL (man->first_service, ml_day_from_ymd (2026, 1, 5) + 30);
}

static CU_TestInfo load_tests[] = {
  { "the default case is the documented demo case", test_default_case_is_the_documented_demo_case },
  { "shipped cases load with their scenarios", test_shipped_cases_load_with_their_scenarios },
  { "the name defaults to the file name", test_name_defaults_to_the_file_name },
  { "gap_days is a synonym of lag_days", test_gap_days_is_a_synonym_of_lag_days },
  { "a first_service date is read", test_first_service_date_is_read },
  { "overrides take precedence over the file", test_overrides_take_precedence_over_the_file },
  { "case text round-trips", test_case_text_round_trips },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
  { "an out-of-range window names file and line", test_out_of_range_window_names_file_and_line },
  { "a bad kind names file and line", test_bad_kind_names_file_and_line },
  { "semantic errors name the key's line", test_semantic_errors_name_the_key_line },
  { "bad target items name the targets line", test_bad_target_items_name_the_targets_line },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo resolve_tests[] = {
  { "handles resolve in order and once", test_handles_resolve_in_order_and_once },
  { "an unknown handle's error names the line and the handle", test_unknown_handle_error_names_line_and_handle },
  { "an unknown cast member lists the cast", test_unknown_cast_member_lists_the_cast },
  { "cast without a manifest is an error at targets", test_cast_without_manifest_is_an_error_at_targets },
  { "random draws only active handles, deterministically", test_random_draws_only_active_handles_deterministically },
  { "random beyond the active handles fails", test_random_beyond_the_active_handles_fails },
  { "auto service follows the log start", test_auto_service_follows_the_log_start },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "loading", .pTests = load_tests },
  { .pName = "errors", .pTests = error_tests },
  { .pName = "target resolution", .pInitFunc = init_resolution, .pCleanupFunc = clean_resolution,
    .pTests = resolve_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
