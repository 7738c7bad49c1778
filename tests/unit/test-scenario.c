/* test-scenario.c -- unit tests for sim/scenario: defaults, shipped
 * scenarios, cross-key validation with FILE:LINE errors, overrides, cast
 * groups and the resolved text of the manifest. */

#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "common/timeutil.h"
#include "sim/scenario.h"
#include "tests/unit/runner.h"

/* ---- helpers ---- */

/* Write TEXT to a fresh file NAME in the test directory; caller frees the
 * path. */
static char *
write_scenario (const char *name, const char *text)
{
  char *path = ml_test_path (name);

  g_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* The path of the shipped scenario NAME, from $top_srcdir (or "."). */
static char *
shipped_path (const char *name)
{
  const char *top = g_getenv ("top_srcdir");
  g_autofree char *file = g_strconcat (name, ".ini", NULL);

  return g_build_filename (top != NULL ? top : ".", "datasets", "scenarios", file, NULL);
}

/* Load TEXT as a scenario file NAME; return the error (NULL if it loaded). */
static GError *
load_error (const char *name, const char *text, const char *const *overrides)
{
  g_autofree char *path = write_scenario (name, text);
  g_autoptr(MlScenario) sc = NULL;
  GError *error = NULL;

  sc = ml_scenario_load (path, overrides, &error);
  g_assert ((sc == NULL) == (error != NULL));
  return error;
}

/* Whether MESSAGE of ERROR starts with "PATH-OF-NAME:LINE: " and holds WHAT. */
static gboolean
error_is_at (const GError *error, const char *name, guint line, const char *what)
{
  g_autofree char *path = ml_test_path (name);
  g_autofree char *place = g_strdup_printf ("%s:%u: ", path, line);

  if (error == NULL || !g_error_matches (error, ML_ERROR, ML_ERROR_INPUT))
    return FALSE;
  if (!g_str_has_prefix (error->message, place) || strstr (error->message, what) == NULL)
    {
      g_printerr ("\nunexpected error: %s (wanted %s...%s)\n", error->message, place, what);
      return FALSE;
    }
  return TRUE;
}

/* Whether A and B resolved to the same values (config aside). */
static gboolean
scenarios_equal (const MlScenario *a, const MlScenario *b)
{
  if (memcmp (a, b, G_STRUCT_OFFSET (MlScenario, cast)) != 0 || a->n_cast != b->n_cast)
    return FALSE;
  for (int i = 0; i < a->n_cast; i++)
    {
      const MlCastSpec *x = &a->cast[i], *y = &b->cast[i];
      if (strcmp (x->name, y->name) != 0 || strcmp (x->role, y->role) != 0
          || x->sources != y->sources || x->source_contacts_per_week != y->source_contacts_per_week
          || x->tipline != y->tipline || memcmp (x->services, y->services, sizeof x->services) != 0)
        return FALSE;
    }
  return TRUE;
}

/* ---- defaults ---- */

static void
test_defaults_load_without_a_file_and_match_the_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlScenario) sc = ml_scenario_load (NULL, NULL, &error);
  static const double sizes[] = { 0.28, 0.34, 0.15, 0.13, 0.06, 0.025, 0.015 };

  CU_ASSERT_PTR_NULL_FATAL (error);
  CU_ASSERT_EQUAL (sc->seed, 1);
  CU_ASSERT_EQUAL (sc->people, 5000);
  CU_ASSERT_EQUAL (sc->days, 120);
  CU_ASSERT_EQUAL (sc->start, ml_day_from_ymd (2026, 1, 5));
  CU_ASSERT_EQUAL (ml_weekday (sc->start), 1);
  CU_ASSERT_EQUAL (sc->threads, 0);
  CU_ASSERT_FALSE (sc->messages_full);
  CU_ASSERT_TRUE (sc->stays_all);
  CU_ASSERT_EQUAL (sc->cities, 4);
  CU_ASSERT_EQUAL (sc->distant_cities, 6);
  ML_ASSERT_CLOSE (sc->center_lon, -89.0, 0);
  for (int i = 0; i < ML_MAX_HOUSEHOLD_SIZE; i++)
    ML_ASSERT_CLOSE (sc->household_size_shares[i], sizes[i], 0);
  ML_ASSERT_CLOSE (sc->broadband_share, 0.77, 0);
  CU_ASSERT_EQUAL (sc->carriers, 3);
  ML_ASSERT_CLOSE (sc->carrier_shares[1], 0.35, 0);
  ML_ASSERT_CLOSE (sc->activity_median, 4, 0);
  ML_ASSERT_CLOSE (sc->firm_size_alpha, 1.06, 0);
  CU_ASSERT_EQUAL (sc->firm_size_max, 5000);
  ML_ASSERT_CLOSE (sc->epr_gamma, 0.21, 0);
  ML_ASSERT_CLOSE (sc->wait_tau_h, 17, 0);
  ML_ASSERT_CLOSE (sc->jump_beta, 1.75, 0);
  ML_ASSERT_CLOSE (sc->cgnat_users_per_ip, 300, 0);
  ML_ASSERT_CLOSE (sc->cell_session_max_minutes, 360, 0);
  ML_ASSERT_CLOSE (sc->burst_off_minutes, 1200, 0);
  CU_ASSERT_EQUAL (sc->address_book_extra, 60);
  CU_ASSERT_EQUAL (sc->n_cast, 0);
}

static void
test_default_service_shares_are_metaphone_figures (void)
{
  g_autoptr(MlScenario) sc = ml_scenario_load (NULL, NULL, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  ML_ASSERT_CLOSE (sc->service_share[ML_CAT_HEALTH], 0.57, 0);
  ML_ASSERT_CLOSE (sc->service_share[ML_CAT_FINANCIAL], 0.40, 0);
  ML_ASSERT_CLOSE (sc->service_share[ML_CAT_PHARMACY], 0.30, 0);
  ML_ASSERT_CLOSE (sc->service_share[ML_CAT_FIREARMS], 0.07, 0);
  ML_ASSERT_CLOSE (sc->service_share[ML_CAT_MARIJUANA], 0.004, 0);
  ML_ASSERT_CLOSE (sc->service_share[ML_CAT_BUSINESS], 0.9, 0);
  ML_ASSERT_CLOSE (sc->services_per_10k[ML_CAT_HEALTH], 20, 0);
  ML_ASSERT_CLOSE (sc->services_per_10k[ML_CAT_HOTLINE], 0.5, 0);
  ML_ASSERT_CLOSE (sc->services_per_10k[ML_CAT_BUSINESS], 150, 0);
  ML_ASSERT_CLOSE (sc->service_imessage_share, 0.1, 0);
}

/* Nudge the default of spec entry S slightly inside its range, as text. */
static char *
nudged_value (const MlConfigSpec *s)
{
  double v = g_ascii_strtod (s->default_value, NULL);

  if (s->type == ML_CONFIG_INT)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) (v + 1 <= s->max ? v + 1 : v - 1));
  v = v < s->max ? v + (s->max - v) * 0.01 : v - (v - s->min) * 0.01;
  return g_strdup_printf ("%.17g", v);
}

static void
test_every_numeric_key_reaches_the_scenario (void)
{
  gsize n = 0;
  const MlConfigSpec *spec = ml_scenario_spec (&n);
  g_autoptr(MlScenario) base = ml_scenario_load (NULL, NULL, NULL);
  guint checked = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (base);
  for (gsize i = 0; i < n; i++)
    {
      const MlConfigSpec *s = &spec[i];
      g_autofree char *value = NULL;
      g_autofree char *override = NULL;
      g_autoptr(MlScenario) sc = NULL;
      g_autoptr(GError) error = NULL;
      if ((s->type != ML_CONFIG_INT && s->type != ML_CONFIG_DOUBLE) || strchr (s->group, '*') != NULL
          || strcmp (s->key, "carriers") == 0)
        continue;
      value = nudged_value (s);
      override = g_strdup_printf ("%s.%s=%s", s->group, s->key, value);
      sc = ml_scenario_load (NULL, (const char *const[]) { override, NULL }, &error);
      CU_ASSERT_PTR_NULL (error);
      if (sc == NULL || scenarios_equal (sc, base))
        g_printerr ("\nkey %s does not reach the scenario\n", override);
      CU_ASSERT (sc != NULL && !scenarios_equal (sc, base));
      checked++;
    }
  CU_ASSERT_EQUAL (checked, 90);
}

/* ---- shipped scenarios ---- */

static MlScenario *
load_shipped (const char *name)
{
  g_autofree char *path = shipped_path (name);
  g_autoptr(GError) error = NULL;
  MlScenario *sc = ml_scenario_load (path, NULL, &error);

  if (error != NULL)
    g_printerr ("\n%s\n", error->message);
  return sc;
}

static void
test_shipped_scenarios_load_with_their_stated_sizes (void)
{
  static const struct { const char *name; guint32 people; int days, cities; gboolean stays_all; } want[] = {
    { "demo", 5000, 120, 4, TRUE },
    { "classroom", 300, 60, 2, TRUE },
    { "journalist", 3000, 90, 4, TRUE },
    { "town", 50000, 365, 6, FALSE },
    { "city", 1000000, 30, 8, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autoptr(MlScenario) sc = load_shipped (want[i].name);
      CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
      CU_ASSERT_EQUAL (sc->people, want[i].people);
      CU_ASSERT_EQUAL (sc->days, want[i].days);
      CU_ASSERT_EQUAL (sc->cities, want[i].cities);
      CU_ASSERT_EQUAL (sc->stays_all, want[i].stays_all);
    }
}

static void
test_demo_sets_every_fixed_key_to_its_default (void)
{
  g_autoptr(MlScenario) demo = load_shipped ("demo");
  g_autoptr(MlScenario) defaults = ml_scenario_load (NULL, NULL, NULL);
  gsize n = 0;
  const MlConfigSpec *spec = ml_scenario_spec (&n);

  CU_ASSERT_PTR_NOT_NULL_FATAL (demo);
  for (gsize i = 0; i < n; i++)
    if (strchr (spec[i].group, '*') == NULL && !ml_config_has (demo->config, spec[i].group, spec[i].key))
      {
        g_printerr ("\ndemo.ini lacks [%s] %s\n", spec[i].group, spec[i].key);
        CU_FAIL ("demo.ini does not document every key");
      }
  CU_ASSERT_TRUE (scenarios_equal (demo, defaults));
}

static void
test_classroom_and_journalist_have_their_cast (void)
{
  g_autoptr(MlScenario) classroom = load_shipped ("classroom");
  g_autoptr(MlScenario) journalist = load_shipped ("journalist");
  g_autoptr(MlScenario) city = load_shipped ("city");

  CU_ASSERT_PTR_NOT_NULL_FATAL (classroom);
  CU_ASSERT_PTR_NOT_NULL_FATAL (journalist);
  CU_ASSERT_PTR_NOT_NULL_FATAL (city);
  CU_ASSERT_EQUAL_FATAL (classroom->n_cast, 1);
  CU_ASSERT_STRING_EQUAL (classroom->cast[0].name, "pat");
  CU_ASSERT_STRING_EQUAL (classroom->cast[0].role, "person");
  CU_ASSERT_EQUAL_FATAL (journalist->n_cast, 1);
  CU_ASSERT_STRING_EQUAL (journalist->cast[0].name, "journalist");
  CU_ASSERT_STRING_EQUAL (journalist->cast[0].role, "journalist");
  CU_ASSERT_EQUAL (journalist->cast[0].sources, 8);
  CU_ASSERT_TRUE (journalist->cast[0].tipline);
  CU_ASSERT (journalist->cast[0].services[ML_CAT_LEGAL] > 0);
  ML_ASSERT_CLOSE (city->region_km, 200, 0);
}

/* ---- errors ---- */

static void
test_unknown_key_names_its_line_and_suggests_the_right_one (void)
{
  g_autoptr(GError) error = load_error ("typo.ini", "[run]\npeople = 100\n\npeeple = 3\n", NULL);

  CU_ASSERT_TRUE (error_is_at (error, "typo.ini", 4, "unknown key 'peeple'"));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "did you mean 'people'?") : NULL);
}

static void
test_out_of_range_value_names_its_line (void)
{
  g_autoptr(GError) few = load_error ("few.ini", "[run]\npeople = 5\n", NULL);
  g_autoptr(GError) share = load_error ("share.ini", "[mobility]\n\nwifi_use = 1.5\n", NULL);

  CU_ASSERT_TRUE (error_is_at (few, "few.ini", 2, "out of range [10,"));
  CU_ASSERT_TRUE (error_is_at (share, "share.ini", 3, "out of range [0, 1]"));
}

static void
test_household_shares_off_by_a_percent_are_rejected_with_the_sum (void)
{
  g_autoptr(GError) error = load_error ("sum.ini",
                                        "# sizes\n[households]\nbroadband_share = 0.5\n"
                                        "size_shares = 0.27,0.34,0.15,0.13,0.06,0.025,0.015\n",
                                        NULL);

  CU_ASSERT_TRUE (error_is_at (error, "sum.ini", 4, "shares sum to 0.99,"));
}

static void
test_household_shares_need_seven_numbers (void)
{
  g_autoptr(GError) six = load_error ("six.ini", "[households]\nsize_shares = 0.3,0.3,0.2,0.1,0.05,0.05\n", NULL);
  g_autoptr(GError) word = load_error ("word.ini", "[households]\nsize_shares = 0.3,x,0.2,0.1,0.05,0.05,0\n", NULL);

  CU_ASSERT_TRUE (error_is_at (six, "six.ini", 2, "has 6 values"));
  CU_ASSERT_TRUE (error_is_at (word, "word.ini", 2, "'x' is not a share"));
}

static void
test_carrier_list_must_match_the_carrier_count (void)
{
  g_autoptr(GError) list = load_error ("list.ini",
                                       "[people]\ncarriers = 2\ncarrier_shares = 0.5,0.3,0.2\n", NULL);
  g_autoptr(GError) count = load_error ("count.ini", "[people]\n\ncarriers = 2\n", NULL);
  g_autoptr(GError) sum = load_error ("csum.ini", "[people]\ncarriers = 2\ncarrier_shares = 0.5,0.4\n", NULL);
  g_autoptr(GError) none = load_error ("ok.ini", "[people]\ncarriers = 2\ncarrier_shares = 0.5;0.5\n", NULL);

  CU_ASSERT_TRUE (error_is_at (list, "list.ini", 3, "has 3 values, but carriers = 2"));
  CU_ASSERT_TRUE (error_is_at (count, "count.ini", 3, "carrier_shares has 3 values"));
  CU_ASSERT_TRUE (error_is_at (sum, "csum.ini", 3, "shares sum to 0.9,"));
  CU_ASSERT_PTR_NULL (none);
}

static void
test_workers_and_students_cannot_exceed_everyone (void)
{
  g_autoptr(GError) error = load_error ("ws.ini", "[people]\nworker_share = 0.7\nstudent_share = 0.4\n", NULL);

  CU_ASSERT_TRUE (error_is_at (error, "ws.ini", 3, "exceed 1"));
}

static void
test_min_above_max_names_the_key_that_was_set (void)
{
  g_autoptr(GError) max = load_error ("max.ini", "[network]\nrotation_days_max = 7\n", NULL);
  g_autoptr(GError) min = load_error ("min.ini", "[network]\n\ncell_session_min_minutes = 400\n", NULL);

  CU_ASSERT_TRUE (error_is_at (max, "max.ini", 2, "7 is below rotation_days_min = 14"));
  CU_ASSERT_TRUE (error_is_at (min, "min.ini", 3, "400 exceeds cell_session_max_minutes = 360"));
}

static void
test_cast_sources_must_be_fewer_than_people (void)
{
  g_autoptr(GError) error = load_error ("src.ini", "[run]\npeople = 20\n[cast j]\nrole = journalist\nsources = 20\n",
                                        NULL);

  CU_ASSERT_TRUE (error_is_at (error, "src.ini", 5, "20 sources must be fewer than people = 20"));
}

static void
test_missing_file_is_an_io_error (void)
{
  g_autofree char *path = ml_test_path ("absent.ini");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlScenario) sc = ml_scenario_load (path, NULL, &error);

  CU_ASSERT_PTR_NULL (sc);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
}

/* ---- overrides ---- */

static void
test_override_takes_precedence_over_the_file (void)
{
  g_autofree char *path = write_scenario ("ovr.ini", "[run]\npeople = 400\ndays = 10\n");
  const char *const overrides[] = { "run.people=300", "cast ann.sources = 3", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(MlScenario) sc = ml_scenario_load (path, overrides, &error);

  CU_ASSERT_PTR_NULL_FATAL (error);
  CU_ASSERT_EQUAL (sc->people, 300);
  CU_ASSERT_EQUAL (sc->days, 10);
  CU_ASSERT_EQUAL_FATAL (sc->n_cast, 1);
  CU_ASSERT_STRING_EQUAL (sc->cast[0].name, "ann");
  CU_ASSERT_EQUAL (sc->cast[0].sources, 3);
}

static void
test_malformed_overrides_are_usage_errors (void)
{
  static const char *const bad[] = { "run.people", "people=300", ".people=3", "run.=3", "=3" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MlScenario) sc = ml_scenario_load (NULL, (const char *const[]) { bad[i], NULL }, &error);
      g_autofree char *want = g_strdup_printf ("bad override '%s'", bad[i]);
      CU_ASSERT_PTR_NULL (sc);
      CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_USAGE));
      CU_ASSERT_TRUE (error != NULL && g_str_has_prefix (error->message, want));
    }
}

static void
test_bad_override_values_name_the_command_line (void)
{
  g_autoptr(GError) unknown = NULL;
  g_autoptr(GError) value = NULL;
  g_autoptr(GError) cross = NULL;
  g_autoptr(MlScenario) a = ml_scenario_load (NULL, (const char *const[]) { "run.peple=3", NULL }, &unknown);
  g_autoptr(MlScenario) b = ml_scenario_load (NULL, (const char *const[]) { "run.days=many", NULL }, &value);
  g_autoptr(MlScenario) c = ml_scenario_load (NULL, (const char *const[]) { "people.carriers=2", NULL }, &cross);

  CU_ASSERT_TRUE (g_error_matches (unknown, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_TRUE (unknown != NULL && g_str_has_prefix (unknown->message, "command line: ")
                  && strstr (unknown->message, "did you mean 'people'?") != NULL);
  CU_ASSERT_TRUE (value != NULL && g_str_has_prefix (value->message, "command line: "));
  CU_ASSERT_TRUE (cross != NULL && g_str_has_prefix (cross->message, "command line: ")
                  && strstr (cross->message, "carriers") != NULL);
}

/* ---- cast ---- */

static void
test_cast_groups_are_parsed_in_file_order (void)
{
  g_autofree char *path = write_scenario ("cast.ini",
                                          "[cast alice]\nrole = journalist\nsources = 5\ntipline = yes\n"
                                          "legal = 0.25\ntipline_contact = 0.5\n\n[run]\nseed = 3\n\n[cast bob]\nrole = activist\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlScenario) sc = ml_scenario_load (path, NULL, &error);

  CU_ASSERT_PTR_NULL_FATAL (error);
  CU_ASSERT_EQUAL_FATAL (sc->n_cast, 2);
  CU_ASSERT_STRING_EQUAL (sc->cast[0].name, "alice");
  CU_ASSERT_STRING_EQUAL (sc->cast[0].role, "journalist");
  CU_ASSERT_EQUAL (sc->cast[0].sources, 5);
  CU_ASSERT_EQUAL (sc->cast[0].source_contacts_per_week, 2);
  CU_ASSERT_TRUE (sc->cast[0].tipline);
  ML_ASSERT_CLOSE (sc->cast[0].services[ML_CAT_LEGAL], 0.25, 0);
  ML_ASSERT_CLOSE (sc->cast[0].services[ML_CAT_TIPLINE], 0.5, 0);
  ML_ASSERT_CLOSE (sc->cast[0].services[ML_CAT_HEALTH], 0, 0);
  CU_ASSERT_STRING_EQUAL (sc->cast[1].name, "bob");
  CU_ASSERT_STRING_EQUAL (sc->cast[1].role, "activist");
  CU_ASSERT_EQUAL (sc->cast[1].sources, 0);
  CU_ASSERT_FALSE (sc->cast[1].tipline);
}

static void
test_cast_role_and_name_are_checked (void)
{
  g_autoptr(GError) role = load_error ("role.ini", "[cast a]\nrole = spy\n", NULL);
  g_autoptr(GError) name = load_error ("name.ini", "[run]\n[cast a/b]\n", NULL);

  CU_ASSERT_TRUE (error_is_at (role, "role.ini", 2, "'spy' is not one of journalist, activist, person"));
  CU_ASSERT_TRUE (error_is_at (name, "name.ini", 2, "cast name 'a/b'"));
}

/* ---- categories ---- */

static void
test_category_names_round_trip_through_the_spec (void)
{
  gsize n = 0;
  const MlConfigSpec *spec = ml_scenario_spec (&n);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      const char *name = ml_category_name ((MlCategory) c);
      g_autofree char *share = g_strconcat (name, "_share", NULL);
      const char *extra = c == ML_CAT_TIPLINE ? "tipline_contact" : name;
      int found = 0;
      CU_ASSERT_TRUE (g_hash_table_add (seen, (gpointer) name));
      for (gsize i = 0; i < n; i++)
        if ((strcmp (spec[i].group, "services") == 0 && strcmp (spec[i].key, share) == 0)
            || (strcmp (spec[i].group, "cast *") == 0 && strcmp (spec[i].key, extra) == 0))
          found++;
      CU_ASSERT_EQUAL (found, 2);
      CU_ASSERT_EQUAL (ml_category_is_sensitive ((MlCategory) c), c != ML_CAT_BUSINESS);
    }
  CU_ASSERT_STRING_EQUAL (ml_category_name (ML_CAT_MENTAL_HEALTH), "mental_health");
  CU_ASSERT_STRING_EQUAL (ml_category_name (ML_CAT_MARIJUANA), "marijuana");
  CU_ASSERT_EQUAL (g_hash_table_size (seen), ML_N_CATEGORIES);
}

/* ---- resolved text ---- */

static void
test_resolved_text_reloads_to_an_equal_scenario (void)
{
  g_autofree char *path = shipped_path ("journalist");
  const char *const overrides[] = { "run.people=350", "mobility.wifi_use=0.123456789", NULL };
  g_autoptr(MlScenario) sc = ml_scenario_load (path, overrides, NULL);
  g_autofree char *text = NULL;
  g_autofree char *copy = NULL;
  g_autoptr(MlScenario) again = NULL;
  g_autoptr(GError) error = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  text = ml_scenario_to_data (sc);
  CU_ASSERT_PTR_NOT_NULL (strstr (text, "people=350\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (text, "[cast journalist]\n"));
  copy = write_scenario ("resolved.ini", text);
  again = ml_scenario_load (copy, NULL, &error);
  CU_ASSERT_PTR_NULL_FATAL (error);
  CU_ASSERT_TRUE (scenarios_equal (sc, again));
  CU_ASSERT_EQUAL (again->people, 350);
}

static CU_TestInfo default_tests[] = {
  { "defaults load without a file and match the table", test_defaults_load_without_a_file_and_match_the_table },
  { "default service shares are MetaPhone figures", test_default_service_shares_are_metaphone_figures },
  { "every numeric key reaches the scenario", test_every_numeric_key_reaches_the_scenario },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo shipped_tests[] = {
  { "shipped scenarios load with their stated sizes", test_shipped_scenarios_load_with_their_stated_sizes },
  { "demo sets every fixed key to its default", test_demo_sets_every_fixed_key_to_its_default },
  { "classroom and journalist have their cast", test_classroom_and_journalist_have_their_cast },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
  { "unknown key names its line and suggests the right one", test_unknown_key_names_its_line_and_suggests_the_right_one },
  { "out-of-range value names its line", test_out_of_range_value_names_its_line },
  { "household shares off by a percent are rejected with the sum", test_household_shares_off_by_a_percent_are_rejected_with_the_sum },
  { "household shares need seven numbers", test_household_shares_need_seven_numbers },
  { "carrier list must match the carrier count", test_carrier_list_must_match_the_carrier_count },
  { "workers and students cannot exceed everyone", test_workers_and_students_cannot_exceed_everyone },
  { "min above max names the key that was set", test_min_above_max_names_the_key_that_was_set },
  { "cast sources must be fewer than people", test_cast_sources_must_be_fewer_than_people },
  { "missing file is an I/O error", test_missing_file_is_an_io_error },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo override_tests[] = {
  { "override takes precedence over the file", test_override_takes_precedence_over_the_file },
  { "malformed overrides are usage errors", test_malformed_overrides_are_usage_errors },
  { "bad override values name the command line", test_bad_override_values_name_the_command_line },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo cast_tests[] = {
  { "cast groups are parsed in file order", test_cast_groups_are_parsed_in_file_order },
  { "cast role and name are checked", test_cast_role_and_name_are_checked },
  { "category names round trip through the spec", test_category_names_round_trip_through_the_spec },
  { "resolved text reloads to an equal scenario", test_resolved_text_reloads_to_an_equal_scenario },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "defaults", .pTests = default_tests },
  { .pName = "shipped scenarios", .pTests = shipped_tests },
  { .pName = "validation errors", .pTests = error_tests },
  { .pName = "overrides", .pTests = override_tests },
  { .pName = "cast and resolved text", .pTests = cast_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  /* A getter called with the wrong type is a bug in scenario.c: abort. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return ml_test_main (argc, argv, suites);
}
