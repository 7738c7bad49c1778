/* test-config.c -- unit tests for common/config: the validated key file.
 *
 * Every failing case asserts on the whole message, so that the FILE:LINE
 * prefix, the wording and the suggestion are all checked.
 */

#include <string.h>

#include "common/config.h"
#include "common/errors.h"
#include "tests/unit/runner.h"

static const MlConfigSpec spec[] = {
  { .group = "run", .key = "days", .type = ML_CONFIG_INT, .default_value = "10",
    .min = 1, .max = 3650, .help = "number of simulated days" },
  { .group = "run", .key = "seed", .type = ML_CONFIG_INT, .required = TRUE,
    .help = "random seed" },
  { .group = "run", .key = "start", .type = ML_CONFIG_DATE, .default_value = "2026-01-01",
    .help = "first simulated day" },
  { .group = "run", .key = "verbose", .type = ML_CONFIG_BOOL, .default_value = "false",
    .help = "log every day" },
  { .group = "population", .key = "people", .type = ML_CONFIG_INT, .default_value = "1000",
    .min = 1, .max = 10000000, .help = "number of people" },
  { .group = "population", .key = "mobility", .type = ML_CONFIG_DOUBLE, .default_value = "0.5",
    .min = 0, .max = 1, .help = "share of people who travel" },
  { .group = "population", .key = "name", .type = ML_CONFIG_STRING,
    .help = "label of the population" },
  { .group = "population", .key = "cities", .type = ML_CONFIG_STRING_LIST,
    .default_value = "paris, lyon", .help = "cities people live in" },
  { .group = "study", .key = "design", .type = ML_CONFIG_ENUM, .default_value = "snapshot",
    .choices = "snapshot|prospective", .help = "study design" },
  { .group = "service *", .key = "port", .type = ML_CONFIG_INT, .required = TRUE,
    .min = 1, .max = 65535, .help = "TCP port of the service" },
  { .group = "service *", .key = "weight", .type = ML_CONFIG_DOUBLE, .default_value = "1",
    .help = "relative load of the service" },
};

static MlConfig *
load (const char *text, GError **error)
{
  return ml_config_load_data ("demo.ini", text, (gsize) -1, spec, G_N_ELEMENTS (spec), error);
}

/* Assert that loading TEXT fails with ML_ERROR_INPUT and exactly MESSAGE. */
static void
assert_load_fails (const char *text, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load (text, &error);

  CU_ASSERT_PTR_NULL (cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  if (strcmp (error->message, message) != 0)
    fprintf (stderr, "\n  expected: %s\n  actual:   %s\n", message, error->message);
  CU_ASSERT_STRING_EQUAL (error->message, message);
}

static void
test_defaults_apply_to_absent_keys_and_groups (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[run]\nseed = 7\n", &error);
  g_auto(GStrv) cities = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_EQUAL (ml_config_int (cfg, "run", "days"), 10);
  CU_ASSERT_EQUAL (ml_config_int (cfg, "population", "people"), 1000);
  ML_ASSERT_CLOSE (ml_config_double (cfg, "population", "mobility"), 0.5, 1e-12);
  CU_ASSERT_FALSE (ml_config_bool (cfg, "run", "verbose"));
  CU_ASSERT_STRING_EQUAL (ml_config_string (cfg, "study", "design"), "snapshot");
  CU_ASSERT_EQUAL (ml_config_enum (cfg, "study", "design"), 0);
  CU_ASSERT_PTR_NULL (ml_config_string (cfg, "population", "name"));
  cities = ml_config_strv (cfg, "population", "cities");
  CU_ASSERT_EQUAL_FATAL (g_strv_length (cities), 2);
  CU_ASSERT_STRING_EQUAL (cities[0], "paris");
  CU_ASSERT_STRING_EQUAL (cities[1], "lyon");
  CU_ASSERT_TRUE (ml_config_has (cfg, "run", "seed"));
  CU_ASSERT_FALSE (ml_config_has (cfg, "run", "days"));
  CU_ASSERT_EQUAL (ml_config_line (cfg, "run", "days"), 0);
  CU_ASSERT_EQUAL (ml_config_line (cfg, "run", "seed"), 2);
  /* A pattern group that is absent still reads its defaults. */
  ML_ASSERT_CLOSE (ml_config_double (cfg, "service web", "weight"), 1.0, 1e-12);
}

static void
test_typed_values_are_read_from_the_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[run]\n"
                                  "seed=-42\n"
                                  "days = 365\n"
                                  "start = 2000-03-01\n"
                                  "verbose = YES\n"
                                  "[population]\n"
                                  "mobility = 2.5e-1  \n"
                                  "name = \\sNorth  Shore\n"
                                  "cities = a ;b,, c d ;\n"
                                  "[study]\n"
                                  "design = prospective\n", &error);
  g_auto(GStrv) cities = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_EQUAL (ml_config_int (cfg, "run", "seed"), -42);
  CU_ASSERT_EQUAL (ml_config_int (cfg, "run", "days"), 365);
  ML_ASSERT_CLOSE (ml_config_double (cfg, "run", "days"), 365.0, 1e-12);
  CU_ASSERT_EQUAL (ml_config_date (cfg, "run", "start"), 11017);
  CU_ASSERT_TRUE (ml_config_bool (cfg, "run", "verbose"));
  ML_ASSERT_CLOSE (ml_config_double (cfg, "population", "mobility"), 0.25, 1e-12);
  CU_ASSERT_STRING_EQUAL (ml_config_string (cfg, "population", "name"), " North  Shore");
  CU_ASSERT_STRING_EQUAL (ml_config_string (cfg, "study", "design"), "prospective");
  CU_ASSERT_EQUAL (ml_config_enum (cfg, "study", "design"), 1);
  cities = ml_config_strv (cfg, "population", "cities");
  CU_ASSERT_EQUAL_FATAL (g_strv_length (cities), 3);
  CU_ASSERT_STRING_EQUAL (cities[0], "a");
  CU_ASSERT_STRING_EQUAL (cities[1], "b");
  CU_ASSERT_STRING_EQUAL (cities[2], "c d");
  CU_ASSERT_STRING_EQUAL (ml_config_path (cfg), "demo.ini");
}

static void
test_every_boolean_spelling_is_accepted (void)
{
  static const struct { const char *text; gboolean value; } cases[] = {
    { "true", TRUE }, { "false", FALSE }, { "yes", TRUE }, { "no", FALSE },
    { "1", TRUE }, { "0", FALSE }, { "True", TRUE }, { "NO", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("[run]\nseed=1\nverbose=%s\n", cases[i].text);
      g_autoptr(MlConfig) cfg = load (text, NULL);
      CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
      CU_ASSERT_EQUAL (ml_config_bool (cfg, "run", "verbose"), cases[i].value);
    }
  assert_load_fails ("[run]\nseed=1\nverbose=maybe\n",
                     "demo.ini:3: key 'verbose' in group [run]: 'maybe' is not a boolean"
                     " (true/false, yes/no, 1/0)");
}

static void
test_dates_count_days_from_the_epoch (void)
{
  static const struct { const char *text; gint32 days; } cases[] = {
    { "1970-01-01", 0 }, { "1969-12-31", -1 }, { "2000-02-29", 11016 }, { "2026-02-28", 20512 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("[run]\nseed=1\nstart=%s\n", cases[i].text);
      g_autoptr(MlConfig) cfg = load (text, NULL);
      CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
      CU_ASSERT_EQUAL (ml_config_date (cfg, "run", "start"), cases[i].days);
    }
}

static void
test_load_reads_a_file_from_disk (void)
{
  g_autofree char *path = ml_test_path ("disk.ini");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = NULL;

  CU_ASSERT_TRUE_FATAL (g_file_set_contents (path, "[run]\nseed = 3\ndays = 20\n", -1, NULL));
  cfg = ml_config_load (path, spec, G_N_ELEMENTS (spec), &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_EQUAL (ml_config_int (cfg, "run", "days"), 20);
  CU_ASSERT_STRING_EQUAL (ml_config_path (cfg), path);
}

static void
test_missing_file_is_an_io_error_naming_the_path (void)
{
  g_autofree char *path = ml_test_path ("absent.ini");
  g_autofree char *expected = g_strdup_printf ("cannot read '%s': No such file or directory", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = ml_config_load (path, spec, G_N_ELEMENTS (spec), &error);

  CU_ASSERT_PTR_NULL (cfg);
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT_STRING_EQUAL (error->message, expected);
}

static void
test_unknown_key_is_rejected_with_line_and_suggestion (void)
{
  assert_load_fails ("[run]\nseed=1\n\n[population]\n# how many\npeple = 5\n",
                     "demo.ini:6: unknown key 'peple' in group [population]; did you mean 'people'?");
  assert_load_fails ("[run]\nSeed=1\n",
                     "demo.ini:2: unknown key 'Seed' in group [run]; did you mean 'seed'?");
  assert_load_fails ("[run]\nseed=1\ndays_total=3\n",
                     "demo.ini:3: unknown key 'days_total' in group [run]; did you mean 'days'?");
  assert_load_fails ("[run]\nseed=1\ncolour=red\n",
                     "demo.ini:3: unknown key 'colour' in group [run]");
}

static void
test_localized_keys_are_rejected_as_unknown (void)
{
  assert_load_fails ("[run]\nseed=1\n[population]\nname[fr]=Rive nord\n",
                     "demo.ini:4: unknown key 'name[fr]' in group [population]; did you mean 'name'?");
}

static void
test_unknown_group_is_rejected_with_suggestion (void)
{
  assert_load_fails ("[run]\nseed=1\n[popluation]\npeople=3\n",
                     "demo.ini:3: unknown group [popluation]; did you mean [population]?");
  assert_load_fails ("[run]\nseed=1\n[servce web]\nport=80\n",
                     "demo.ini:3: unknown group [servce web]; did you mean [service web]?");
  assert_load_fails ("[run]\nseed=1\n[service]\nport=80\n",
                     "demo.ini:3: unknown group [service]; did you mean [service NAME]?");
  assert_load_fails ("[weather]\n", "demo.ini:1: unknown group [weather]");
}

static void
test_wrong_type_is_rejected_with_line (void)
{
  assert_load_fails ("[run]\nseed=1\n# length\n\ndays = ten\n",
                     "demo.ini:5: key 'days' in group [run]: 'ten' is not an integer");
  assert_load_fails ("[run]\nseed=1.5\n",
                     "demo.ini:2: key 'seed' in group [run]: '1.5' is not an integer");
  assert_load_fails ("[run]\nseed=1\n[population]\nmobility=0.5x\n",
                     "demo.ini:4: key 'mobility' in group [population]: '0.5x' is not a number");
  assert_load_fails ("[run]\nseed=99999999999999999999\n",
                     "demo.ini:2: key 'seed' in group [run]: 99999999999999999999 does not fit"
                     " in a 64-bit integer");
}

static void
test_doubles_reject_nan_and_infinity (void)
{
  assert_load_fails ("[run]\nseed=1\n[service a]\nport=1\nweight=nan\n",
                     "demo.ini:5: key 'weight' in group [service a]: 'nan' is not a finite number");
  assert_load_fails ("[run]\nseed=1\n[service a]\nport=1\nweight=-inf\n",
                     "demo.ini:5: key 'weight' in group [service a]: '-inf' is not a finite number");
  assert_load_fails ("[run]\nseed=1\n[service a]\nport=1\nweight=1e999\n",
                     "demo.ini:5: key 'weight' in group [service a]: '1e999' is not a finite number");
  assert_load_fails ("[run]\nseed=1\n[service a]\nport=1\nweight=\n",
                     "demo.ini:5: key 'weight' in group [service a]: '' is not a number");
}

static void
test_out_of_range_is_rejected_with_line (void)
{
  assert_load_fails ("[run]\nseed=1\n\n\n\n\ndays = 0\n",
                     "demo.ini:7: key 'days' in group [run]: 0 is out of range [1, 3650]");
  assert_load_fails ("[run]\nseed=1\n[population]\nmobility = 1.5\n",
                     "demo.ini:4: key 'mobility' in group [population]: 1.5 is out of range [0, 1]");
  assert_load_fails ("[run]\nseed=1\n[population]\npeople = 20000000\n",
                     "demo.ini:4: key 'people' in group [population]: 20000000 is out of range"
                     " [1, 10000000]");
}

static void
test_enum_outside_choices_is_rejected (void)
{
  assert_load_fails ("[run]\nseed=1\n[study]\ndesign = retrospective\n",
                     "demo.ini:4: key 'design' in group [study]: 'retrospective' is not one of"
                     " snapshot, prospective");
  assert_load_fails ("[run]\nseed=1\n[study]\ndesign = snapshoot\n",
                     "demo.ini:4: key 'design' in group [study]: 'snapshoot' is not one of"
                     " snapshot, prospective; did you mean 'snapshot'?");
}

static void
test_invalid_calendar_dates_are_rejected (void)
{
  assert_load_fails ("[run]\nseed=1\nstart = 2026-02-30\n",
                     "demo.ini:3: key 'start' in group [run]: '2026-02-30' is not a valid date"
                     " (YYYY-MM-DD)");
  assert_load_fails ("[run]\nseed=1\nstart = 2026-2-3\n",
                     "demo.ini:3: key 'start' in group [run]: '2026-2-3' is not a valid date"
                     " (YYYY-MM-DD)");
  assert_load_fails ("[run]\nseed=1\nstart = 2025-13-01\n",
                     "demo.ini:3: key 'start' in group [run]: '2025-13-01' is not a valid date"
                     " (YYYY-MM-DD)");
}

static void
test_missing_required_key_is_reported (void)
{
  g_autoptr(MlConfig) cfg = ml_config_new_defaults (spec, G_N_ELEMENTS (spec));
  g_autoptr(GError) error = NULL;

  assert_load_fails ("# nothing\n\n[run]\ndays=3\n",
                     "demo.ini:3: missing required key 'seed' in group [run]");
  assert_load_fails ("[population]\npeople=3\n", "demo.ini: missing required key 'seed' in group [run]");
  assert_load_fails ("[run]\nseed=1\n[service a]\nport=1\n[service b]\nweight=2\n",
                     "demo.ini:5: missing required key 'port' in group [service b]");
  CU_ASSERT_FALSE (ml_config_validate (cfg, &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_STRING_EQUAL (error->message, "missing required key 'seed' in group [run]");
}

static void
test_override_is_validated_and_takes_precedence (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[run]\nseed=1\n[population]\npeople = 50\n", &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_TRUE (ml_config_override (cfg, "population", "people", " 80 ", &error));
  CU_ASSERT_EQUAL (ml_config_int (cfg, "population", "people"), 80);
  CU_ASSERT_EQUAL (ml_config_line (cfg, "population", "people"), 0);
  CU_ASSERT_TRUE (ml_config_has (cfg, "population", "people"));
  CU_ASSERT_TRUE (ml_config_override (cfg, "run", "days", "30", &error));
  CU_ASSERT_EQUAL (ml_config_int (cfg, "run", "days"), 30);

  CU_ASSERT_FALSE (ml_config_override (cfg, "population", "people", "many", &error));
  CU_ASSERT_TRUE (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_STRING_EQUAL (error->message,
                          "command line: key 'people' in group [population]: 'many' is not an integer");
  CU_ASSERT_EQUAL (ml_config_int (cfg, "population", "people"), 80);
  g_clear_error (&error);

  CU_ASSERT_FALSE (ml_config_override (cfg, "population", "peple", "3", &error));
  CU_ASSERT_STRING_EQUAL (error->message,
                          "command line: unknown key 'peple' in group [population]; did you mean 'people'?");
  g_clear_error (&error);

  CU_ASSERT_FALSE (ml_config_override (cfg, "popul", "people", "3", &error));
  CU_ASSERT_STRING_EQUAL (error->message,
                          "command line: unknown group [popul]; did you mean [population]?");
}

static void
test_override_can_add_a_pattern_group (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[run]\nseed=1\n[service a]\nport=1\n", &error);
  g_auto(GStrv) groups = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_TRUE (ml_config_override (cfg, "service z", "weight", "3", &error));
  CU_ASSERT_FALSE (ml_config_validate (cfg, &error));
  CU_ASSERT_STRING_EQUAL (error->message, "demo.ini: missing required key 'port' in group [service z]");
  g_clear_error (&error);
  CU_ASSERT_TRUE (ml_config_override (cfg, "service z", "port", "8080", &error));
  CU_ASSERT_TRUE (ml_config_validate (cfg, &error));
  groups = ml_config_groups (cfg, "service ");
  CU_ASSERT_EQUAL_FATAL (g_strv_length (groups), 2);
  CU_ASSERT_STRING_EQUAL (groups[0], "service a");
  CU_ASSERT_STRING_EQUAL (groups[1], "service z");
  CU_ASSERT_EQUAL (ml_config_int (cfg, "service z", "port"), 8080);
}

static void
test_pattern_groups_are_listed_in_file_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[service web]\nport=80\n"
                                  "[run]\nseed=1\n"
                                  "[service db]\nport = 5432\nweight = 0.25\n"
                                  "[service cache]\nport=6379\n", &error);
  g_auto(GStrv) services = NULL;
  g_auto(GStrv) all = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  services = ml_config_groups (cfg, "service ");
  CU_ASSERT_EQUAL_FATAL (g_strv_length (services), 3);
  CU_ASSERT_STRING_EQUAL (services[0], "service web");
  CU_ASSERT_STRING_EQUAL (services[1], "service db");
  CU_ASSERT_STRING_EQUAL (services[2], "service cache");
  CU_ASSERT_EQUAL (ml_config_int (cfg, "service db", "port"), 5432);
  ML_ASSERT_CLOSE (ml_config_double (cfg, "service db", "weight"), 0.25, 1e-12);
  ML_ASSERT_CLOSE (ml_config_double (cfg, "service web", "weight"), 1.0, 1e-12);
  CU_ASSERT_EQUAL (ml_config_line (cfg, "service db", NULL), 5);
  all = ml_config_groups (cfg, NULL);
  CU_ASSERT_EQUAL (g_strv_length (all), 4);
}

static void
test_duplicates_are_reported_at_the_second_line (void)
{
  assert_load_fails ("[run]\nseed=1\ndays=3\n# again\ndays=4\n",
                     "demo.ini:5: duplicate key 'days' in group [run] (first at line 3)");
  assert_load_fails ("[run]\nseed=1\n[population]\n[run]\n",
                     "demo.ini:4: duplicate group [run] (first at line 1)");
}

static void
test_comments_and_blank_lines_keep_line_numbers (void)
{
  const char *text = "# scenario\n"
                     "\n"
                     "   # indented comment\n"
                     "[run]\n"
                     "\t\n"
                     "  seed   =   5\n"
                     "# days = 3\n"
                     "\n"
                     "days=4\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load (text, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_EQUAL (ml_config_line (cfg, "run", NULL), 4);
  CU_ASSERT_EQUAL (ml_config_line (cfg, "run", "seed"), 6);
  CU_ASSERT_EQUAL (ml_config_line (cfg, "run", "days"), 9);
  CU_ASSERT_EQUAL (ml_config_int (cfg, "run", "days"), 4);
  assert_load_fails ("# a\r\n\r\n[run]\r\nseed=1\r\ndays=x\r\n",
                     "demo.ini:5: key 'days' in group [run]: 'x' is not an integer");
  {
    g_autoptr(MlConfig) bom = load ("\xef\xbb\xbf[run]\nseed=1\n", &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL (bom);
    CU_ASSERT_EQUAL (ml_config_line (bom, "run", "seed"), 2);
  }
}

static void
test_malformed_lines_are_reported_with_line (void)
{
  assert_load_fails ("[run]\nseed=1\njust words\n",
                     "demo.ini:3: expected '[group]', 'key = value' or '# comment', found 'just words'");
  assert_load_fails ("\nseed=1\n", "demo.ini:2: key 'seed' comes before any [group] header");
  assert_load_fails ("[run\nseed=1\n", "demo.ini:1: malformed group header '[run'");
  assert_load_fails ("[run]\nseed=1\n[]\n", "demo.ini:3: invalid group name []");
  assert_load_fails ("[run]\nseed=1\nname=\xff\n", "demo.ini:3: line is not valid UTF-8 text");
  assert_load_fails ("[run]\nseed=1\n[population]\nname=a\\qb\n",
                     "demo.ini:4: key 'name' in group [population]: 'a\\qb' has an invalid"
                     " escape sequence");
}

static void
test_resolved_data_round_trips (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[service b]\nport=2\n"
                                  "[run]\nseed=9\nstart=1999-12-31\n"
                                  "[population]\nname = \\s tabs\\tand spaces\\s\\s\n"
                                  "cities = x; y\n"
                                  "[service a]\nport=1\nweight=0.125\n", &error);
  g_autoptr(MlConfig) back = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) services = NULL;
  g_auto(GStrv) cities = NULL;
  gsize len = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  CU_ASSERT_TRUE (ml_config_override (cfg, "run", "days", "77", &error));
  data = ml_config_to_data (cfg, &len);
  CU_ASSERT_EQUAL (len, strlen (data));
  back = ml_config_load_data ("manifest", data, len, spec, G_N_ELEMENTS (spec), &error);
  if (back == NULL)
    fprintf (stderr, "\n%s\n%s\n", error->message, data);
  CU_ASSERT_PTR_NOT_NULL_FATAL (back);
  CU_ASSERT_EQUAL (ml_config_int (back, "run", "days"), 77);
  CU_ASSERT_EQUAL (ml_config_int (back, "run", "seed"), 9);
  CU_ASSERT_EQUAL (ml_config_date (back, "run", "start"), ml_config_date (cfg, "run", "start"));
  CU_ASSERT_FALSE (ml_config_bool (back, "run", "verbose"));
  CU_ASSERT_TRUE (ml_config_has (back, "run", "verbose"));
  CU_ASSERT_EQUAL (ml_config_int (back, "population", "people"), 1000);
  CU_ASSERT_STRING_EQUAL (ml_config_string (back, "population", "name"), "  tabs\tand spaces  ");
  cities = ml_config_strv (back, "population", "cities");
  CU_ASSERT_EQUAL_FATAL (g_strv_length (cities), 2);
  CU_ASSERT_STRING_EQUAL (cities[1], "y");
  CU_ASSERT_STRING_EQUAL (ml_config_string (back, "study", "design"), "snapshot");
  services = ml_config_groups (back, "service ");
  CU_ASSERT_EQUAL_FATAL (g_strv_length (services), 2);
  CU_ASSERT_STRING_EQUAL (services[0], "service b");
  CU_ASSERT_STRING_EQUAL (services[1], "service a");
  ML_ASSERT_CLOSE (ml_config_double (back, "service a", "weight"), 0.125, 1e-15);
  ML_ASSERT_CLOSE (ml_config_double (back, "service b", "weight"), 1.0, 1e-15);
}

static void
test_config_error_names_file_line_key_and_group (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlConfig) cfg = load ("[run]\nseed=1\n\nstart = 2026-05-01\n[population]\n", &error);
  g_autoptr(GError) at_key = NULL;
  g_autoptr(GError) at_group = NULL;
  g_autoptr(GError) default_in_absent_group = NULL;
  g_autoptr(GError) overridden = NULL;
  g_autoptr(GError) group_only = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
  at_key = ml_config_error (cfg, "run", "start", "%s is after %s", "2026-05-01", "end");
  CU_ASSERT_TRUE (g_error_matches (at_key, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_STRING_EQUAL (at_key->message,
                          "demo.ini:4: key 'start' in group [run]: 2026-05-01 is after end");
  at_group = ml_config_error (cfg, "population", "people", "too many for %d cities", 2);
  CU_ASSERT_STRING_EQUAL (at_group->message,
                          "demo.ini:5: key 'people' in group [population]: too many for 2 cities");
  default_in_absent_group = ml_config_error (cfg, "study", "design", "not supported");
  CU_ASSERT_STRING_EQUAL (default_in_absent_group->message,
                          "demo.ini: key 'design' in group [study]: not supported");
  CU_ASSERT_TRUE (ml_config_override (cfg, "run", "start", "2026-06-01", &error));
  overridden = ml_config_error (cfg, "run", "start", "too late");
  CU_ASSERT_STRING_EQUAL (overridden->message, "command line: key 'start' in group [run]: too late");
  group_only = ml_config_error (cfg, "run", NULL, "empty");
  CU_ASSERT_STRING_EQUAL (group_only->message, "demo.ini:1: group [run]: empty");
}

static CU_TestInfo reading_tests[] = {
  { "defaults apply to absent keys and groups", test_defaults_apply_to_absent_keys_and_groups },
  { "typed values are read from the file", test_typed_values_are_read_from_the_file },
  { "every boolean spelling is accepted", test_every_boolean_spelling_is_accepted },
  { "dates count days from the epoch", test_dates_count_days_from_the_epoch },
  { "load reads a file from disk", test_load_reads_a_file_from_disk },
  { "pattern groups are listed in file order", test_pattern_groups_are_listed_in_file_order },
  { "comments and blank lines keep line numbers", test_comments_and_blank_lines_keep_line_numbers },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo rejection_tests[] = {
  { "missing file is an I/O error naming the path", test_missing_file_is_an_io_error_naming_the_path },
  { "unknown key is rejected with line and suggestion", test_unknown_key_is_rejected_with_line_and_suggestion },
  { "localized keys are rejected as unknown", test_localized_keys_are_rejected_as_unknown },
  { "unknown group is rejected with suggestion", test_unknown_group_is_rejected_with_suggestion },
  { "wrong type is rejected with line", test_wrong_type_is_rejected_with_line },
  { "doubles reject NaN and infinity", test_doubles_reject_nan_and_infinity },
  { "out of range is rejected with line", test_out_of_range_is_rejected_with_line },
  { "enum outside choices is rejected", test_enum_outside_choices_is_rejected },
  { "invalid calendar dates are rejected", test_invalid_calendar_dates_are_rejected },
  { "missing required key is reported", test_missing_required_key_is_reported },
  { "duplicates are reported at the second line", test_duplicates_are_reported_at_the_second_line },
  { "malformed lines are reported with line", test_malformed_lines_are_reported_with_line },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo override_tests[] = {
  { "override is validated and takes precedence", test_override_is_validated_and_takes_precedence },
  { "override can add a pattern group", test_override_can_add_a_pattern_group },
  { "resolved data round-trips", test_resolved_data_round_trips },
  { "config error names file, line, key and group", test_config_error_names_file_line_key_and_group },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "reading", .pTests = reading_tests },
  { .pName = "rejection", .pTests = rejection_tests },
  { .pName = "overrides and output", .pTests = override_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
