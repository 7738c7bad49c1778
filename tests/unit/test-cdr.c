/* test-cdr.c -- unit tests for analyze/cdr: bandicoot import and indicators.
 *
 * Conformance: the bandicoot 0.6.0 vectors in tests/data/bandicoot/ are
 * imported, their indicators computed, and every key of the expected JSON
 * compared within the README's tolerance (bandicoot's own rule), reporting
 * each mismatch by key.  Keys not compared: reporting paths, version and
 * code signature; recharges (not imported); and, for the sample user, the
 * five reporting keys that need the correspondents bandicoot generated
 * with it (has_network, percent_outofnetwork_*), which are not in the CSV.
 * Then the parsing rules (strptime, int(), strict vs tolerant drops), the
 * semantics the issue names (binning ties, night, conversations, weeks,
 * kurtosis), the store round trip, and a deterministic fuzz of the parser
 * over thousands of truncated and garbled files.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/cdr-private.h"
#include "common/errors.h"
#include "tests/unit/runner.h"

/* ---------------------------------------------------------------- JSON */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JType;

typedef struct Json Json;
struct Json {
  JType type;
  double num;        /* J_NUM, J_BOOL (0/1) */
  char *str;         /* J_STR */
  GPtrArray *items;  /* J_ARR, J_OBJ: of Json * */
  GPtrArray *keys;   /* J_OBJ: of char * */
};

static void
json_free (Json *j)
{
  if (j == NULL)
    return;
  g_free (j->str);
  if (j->items != NULL)
    g_ptr_array_unref (j->items);
  if (j->keys != NULL)
    g_ptr_array_unref (j->keys);
  g_free (j);
}

static Json *json_value (const char **p);

static void
skip_ws (const char **p)
{
  while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
    (*p)++;
}

static char *
json_string (const char **p)
{
  GString *s = g_string_new (NULL);

  (*p)++;
  while (**p != '\0' && **p != '"')
    {
      if (**p == '\\' && (*p)[1] != '\0')
        {
          (*p)++;
          g_string_append_c (s, **p == 'n' ? '\n' : **p == 't' ? '\t' : **p);
        }
      else
        g_string_append_c (s, **p);
      (*p)++;
    }
  if (**p == '"')
    (*p)++;
  return g_string_free (s, FALSE);
}

static Json *
json_container (const char **p, gboolean object)
{
  Json *j = g_new0 (Json, 1);

  j->type = object ? J_OBJ : J_ARR;
  j->items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_free);
  j->keys = g_ptr_array_new_with_free_func (g_free);
  (*p)++;
  for (;;)
    {
      skip_ws (p);
      if (**p == (object ? '}' : ']') || **p == '\0')
        break;
      if (object)
        {
          g_ptr_array_add (j->keys, json_string (p));
          skip_ws (p);
          if (**p == ':')
            (*p)++;
        }
      g_ptr_array_add (j->items, json_value (p));
      skip_ws (p);
      if (**p == ',')
        (*p)++;
    }
  if (**p != '\0')
    (*p)++;
  return j;
}

/* A minimal recursive-descent reader of the expected files. */
static Json *
json_value (const char **p)
{
  Json *j;

  skip_ws (p);
  if (**p == '{' || **p == '[')
    return json_container (p, **p == '{');
  j = g_new0 (Json, 1);
  if (**p == '"')
    j->type = J_STR, j->str = json_string (p);
  else if (g_str_has_prefix (*p, "null"))
    j->type = J_NULL, *p += 4;
  else if (g_str_has_prefix (*p, "true") || g_str_has_prefix (*p, "false"))
    {
      j->type = J_BOOL;
      j->num = **p == 't';
      *p += **p == 't' ? 4 : 5;
    }
  else
    {
      char *end;
      j->type = J_NUM;
      j->num = g_ascii_strtod (*p, &end);
      *p = end > *p ? end : *p + 1;
    }
  return j;
}

/* Flatten J's leaves into OUT (key -> borrowed Json *), keys joined by "__". */
static void
json_flatten (Json *j, const char *prefix, GHashTable *out)
{
  if (j->type != J_OBJ)
    {
      g_hash_table_insert (out, g_strdup (prefix), j);
      return;
    }
  for (guint i = 0; i < j->items->len; i++)
    {
      const char *k = g_ptr_array_index (j->keys, i);
      g_autofree char *key = *prefix != '\0' ? g_strconcat (prefix, "__", k, NULL) : g_strdup (k);
      json_flatten (g_ptr_array_index (j->items, i), key, out);
    }
}

static Json *
json_member (Json *obj, const char *key)
{
  for (guint i = 0; obj != NULL && obj->type == J_OBJ && i < obj->items->len; i++)
    if (g_str_equal (g_ptr_array_index (obj->keys, i), key))
      return g_ptr_array_index (obj->items, i);
  return NULL;
}

/* ----------------------------------------------------------- helpers */

static char *
data_path (const char *rel)
{
  const char *top = g_getenv ("top_srcdir");

  return g_build_filename (top != NULL ? top : ".", "tests", "data", "bandicoot", rel, NULL);
}

/* Import the records files NAMES (relative to tests/data/bandicoot) with
 * ANTENNAS into a fresh database; returns its path. */
static char *
import_vectors (const char *const *names, const char *antennas, gboolean strict)
{
  static int serial;
  g_autofree char *dir = g_strdup_printf ("%s/records-%d", ml_test_tmpdir (), ++serial);
  g_autofree char *ant = data_path (antennas);
  char *db = g_strdup_printf ("%s/cdr-%d.db", ml_test_tmpdir (), serial);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0777);
  for (int i = 0; names[i] != NULL; i++)
    {
      g_autofree char *src = data_path (names[i]);
      g_autofree char *base = g_path_get_basename (names[i]);
      g_autofree char *dst = g_build_filename (dir, base, NULL);
      g_autofree char *text = NULL;
      gsize len;
      if (!g_file_get_contents (src, &text, &len, NULL) || !g_file_set_contents (dst, text, (gssize) len, NULL))
        g_error ("cannot copy %s (run from the source tree or set top_srcdir)", src);
    }
  if (!ml_cdr_import (dir, ant, db, strict, FALSE, TRUE, 2, &error))
    g_error ("import failed: %s", error->message);
  return db;
}

/* The indicators of every user in DB under O, as parsed JSON. */
static Json *
indicators_json (const char *db, const MlCdrOptions *o)
{
  g_autoptr(GError) error = NULL;
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  const char *p;
  Json *j;

  CU_ASSERT_FATAL (f != NULL);
  CU_ASSERT (ml_cdr_indicators (db, o, ML_CDR_FORMAT_JSON, f, 2, &error));
  fclose (f);
  p = buf;
  j = json_value (&p);
  free (buf);
  return j;
}

static gboolean
skipped_key (const char *key, const char *const *also)
{
  static const char *const paths[] = {
    "reporting__antennas_path", "reporting__attributes_path", "reporting__recharges_path",
    "reporting__version", "reporting__code_signature", NULL,
  };

  if (strstr (key, "recharges") != NULL || g_strv_contains (paths, key))
    return TRUE;
  return also != NULL && g_strv_contains (also, key);
}

static gboolean
same_value (const Json *want, const Json *got, double tol)
{
  if (got == NULL)
    return FALSE;
  if (want->type == J_NUM && got->type == J_NUM)
    return fabs (want->num - got->num) <= tol;
  if (want->type != got->type)
    return FALSE;
  switch (want->type)
    {
    case J_NULL: return TRUE;
    case J_BOOL: return want->num == got->num;
    case J_STR: return g_str_equal (want->str, got->str);
    case J_ARR:
      if (want->items->len != got->items->len)
        return FALSE;
      for (guint i = 0; i < want->items->len; i++)
        if (!same_value (g_ptr_array_index (want->items, i), g_ptr_array_index (got->items, i), tol))
          return FALSE;
      return TRUE;
    default: return FALSE;
    }
}

static const char *
describe (const Json *j, char buf[64])
{
  if (j == NULL)
    return "(missing)";
  switch (j->type)
    {
    case J_NULL: return "null";
    case J_BOOL: return j->num ? "true" : "false";
    case J_NUM: g_snprintf (buf, 64, "%.17g", j->num); return buf;
    case J_STR: return j->str;
    default: return "[...]";
    }
}

/* Compare every key of EXPECTED (a user's object, nested or flat) with
 * GOT (our flat object) within TOL; print mismatches; return how many. */
static guint
compare_vector (const char *label, Json *expected, Json *got, double tol, const char *const *skip)
{
  g_autoptr(GHashTable) want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) have = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer k, v;
  guint compared = 0, bad = 0;

  json_flatten (expected, "", want);
  json_flatten (got, "", have);
  g_hash_table_iter_init (&it, want);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      char b1[64], b2[64];
      Json *g = g_hash_table_lookup (have, k);
      if (skipped_key (k, skip) || g_str_equal (k, "name"))
        continue;
      compared++;
      if (same_value (v, g, tol))
        continue;
      bad++;
      fprintf (stderr, "%s: %s: expected %s, got %s\n", label, (char *) k, describe (v, b1), describe (g, b2));
    }
  fprintf (stderr, "%s: %u of %u keys match\n", label, compared - bad, compared);
  CU_ASSERT (compared > 0);
  return bad;
}

static Json *
read_json (const char *rel)
{
  g_autofree char *path = data_path (rel);
  g_autofree char *text = NULL;
  const char *p;

  CU_ASSERT_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  p = text;
  return json_value (&p);
}

/* ------------------------------------------------------- conformance */

static void
test_manual_users_match_hand_computed_indicators (void)
{
  static const char *const users[] = { "manual/A.csv", "manual/B.csv", NULL };
  g_autofree char *db = import_vectors (users, "manual/towers.csv", FALSE);
  MlCdrOptions o;
  Json *got, *a, *b;

  ml_cdr_options_init (&o);
  o.groupby = ML_CDR_GROUP_NONE;
  got = indicators_json (db, &o);
  a = read_json ("manual/A.json");
  b = read_json ("manual/B.json");
  CU_ASSERT_EQUAL (compare_vector ("manual/A.json", a, json_member (got, "A"), 1.5e-4, NULL), 0);
  CU_ASSERT_EQUAL (compare_vector ("manual/B.json", b, json_member (got, "B"), 1.5e-3, NULL), 0);
  json_free (a), json_free (b), json_free (got);
}

static void
test_sample_user_matches_bandicoot_without_grouping (void)
{
  static const char *const users[] = { "sample/sample_user.csv", NULL };
  static const char *const network_keys[] = {
    "reporting__has_network", "reporting__percent_outofnetwork_calls", "reporting__percent_outofnetwork_texts",
    "reporting__percent_outofnetwork_contacts", "reporting__percent_outofnetwork_call_durations", NULL,
  };
  g_autofree char *db = import_vectors (users, "sample/sample_antennas.csv", TRUE);
  MlCdrOptions o;
  Json *got, *want;

  ml_cdr_options_init (&o);
  o.groupby = ML_CDR_GROUP_NONE;
  o.summary = ML_CDR_SUMMARY_EXTENDED;
  o.split_week = o.split_day = TRUE;
  got = indicators_json (db, &o);
  want = read_json ("expected/sample_user.json");
  CU_ASSERT_EQUAL (compare_vector ("expected/sample_user.json", json_member (want, "sample_user"),
                                   json_member (got, "sample_user"), 1.5e-7, network_keys), 0);
  json_free (want), json_free (got);
}

static void
test_manual_a_matches_bandicoot_by_week (void)
{
  static const char *const users[] = { "manual/A.csv", NULL };
  g_autofree char *db = import_vectors (users, "manual/towers.csv", TRUE);
  MlCdrOptions o;
  Json *got, *want;

  ml_cdr_options_init (&o);
  o.summary = ML_CDR_SUMMARY_EXTENDED;
  o.split_week = o.split_day = TRUE;
  got = indicators_json (db, &o);
  want = read_json ("expected/manual_a.json");
  CU_ASSERT_EQUAL (compare_vector ("expected/manual_a.json", json_member (want, "A"), json_member (got, "A"),
                                   1.5e-7, NULL), 0);
  json_free (want), json_free (got);
}

static CU_TestInfo conformance_tests[] = {
  { "manual users match hand-computed indicators", test_manual_users_match_hand_computed_indicators },
  { "sample user matches bandicoot without grouping", test_sample_user_matches_bandicoot_without_grouping },
  { "manual A matches bandicoot by week", test_manual_a_matches_bandicoot_by_week },
  CU_TEST_INFO_NULL,
};

/* ----------------------------------------------------------- parsing */

static MlCdrUser *
parse (const char *csv, gboolean strict)
{
  MlCdrUser *u = ml_cdr_user_new ("u");
  g_autoptr(GError) error = NULL;

  CU_ASSERT (ml_cdr_parse_records (u, "u.csv", csv, strlen (csv), strict, &error));
  return u;
}

static void
test_datetimes_parse_as_python_strptime_does (void)
{
  static const struct { const char *text; gboolean ok; } cases[] = {
    { "2014-08-20 20:30:37", TRUE }, { "2014-8-2 1:2:3", TRUE }, { "2014-08-20  20:30:37", TRUE },
    { "2012-02-29 00:00:00", TRUE }, { "2013-02-29 00:00:00", FALSE }, { "2014-13-01 00:00:00", FALSE },
    { "2014-08-20 24:00:00", FALSE }, { "2014-08-20 20:30:60", FALSE }, { "14-08-20 20:30:37", FALSE },
    { "2014-08-20 20:30:37 ", FALSE }, { "2014-08-20T20:30:37", FALSE }, { "0000-01-01 00:00:00", FALSE },
    { "2014-08-00 00:00:00", FALSE }, { "", FALSE },
  };
  gint64 t = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    CU_ASSERT_EQUAL (ml_cdr_parse_datetime (cases[i].text, strlen (cases[i].text), FALSE, &t), cases[i].ok);
  CU_ASSERT (ml_cdr_parse_datetime ("1970-01-02 00:00:01", 19, FALSE, &t));
  CU_ASSERT_EQUAL (t, 86401);
  CU_ASSERT (ml_cdr_parse_datetime (" 2014-08-20 20:30:37 ", 21, TRUE, &t));
}

static void
test_durations_follow_int_strictly_and_accept_integral_decimals_when_tolerant (void)
{
  gint64 d = 0;

  CU_ASSERT (ml_cdr_parse_duration (" 12 ", 4, FALSE, &d) && d == 12);
  CU_ASSERT (ml_cdr_parse_duration ("1_000", 5, FALSE, &d) && d == 1000);
  CU_ASSERT (ml_cdr_parse_duration ("-5", 2, FALSE, &d) && d == -5);
  CU_ASSERT_FALSE (ml_cdr_parse_duration ("12.0", 4, FALSE, &d));
  CU_ASSERT (ml_cdr_parse_duration ("12.0", 4, TRUE, &d) && d == 12);
  CU_ASSERT_FALSE (ml_cdr_parse_duration ("12.5", 4, TRUE, &d));
  CU_ASSERT_FALSE (ml_cdr_parse_duration ("0x10", 4, TRUE, &d));
  CU_ASSERT_FALSE (ml_cdr_parse_duration ("_1", 2, FALSE, &d));
}

static void
test_antenna_ids_lose_a_zero_fraction (void)
{
  char a[] = "2367.0", b[] = "2367.05", c[] = "A.0", e[] = "12.";

  CU_ASSERT_EQUAL (ml_cdr_normalize_antenna (a, 6), 4);
  CU_ASSERT_EQUAL (ml_cdr_normalize_antenna (b, 7), 7);
  CU_ASSERT_EQUAL (ml_cdr_normalize_antenna (c, 3), 3);
  CU_ASSERT_EQUAL (ml_cdr_normalize_antenna (e, 3), 3);
}

static const char header[] = "interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n";

static void
test_strict_mode_counts_drops_as_bandicoot_does (void)
{
  g_autofree char *csv = g_strconcat (header,
    "call,in,A,2014-08-20 20:30:37,,1\n"          /* call without duration */
    "text,sideways,,2014-08-20 20:31:00,,1\n"    /* bad direction and no correspondent */
    ",,,2014-08-20 20:32:00,,1\n"                /* location-only, direction '' (bandicoot drops) */
    "text,out,B,2014-08-20 20:33:00,,\n"         /* kept */
    "call,out,B,2014-08-20 20:34:00,12.0,1\n",   /* 12.0 is not int() */
    NULL);
  g_autoptr(MlCdrUser) s = parse (csv, TRUE);
  g_autoptr(MlCdrUser) t = parse (csv, FALSE);

  CU_ASSERT_EQUAL (s->records->len, 1);
  CU_ASSERT_EQUAL (s->ignored[ML_CDR_IGN_ALL], 4);
  CU_ASSERT_EQUAL (s->ignored[ML_CDR_IGN_DURATION], 2);
  CU_ASSERT_EQUAL (s->ignored[ML_CDR_IGN_DIRECTION], 2);
  CU_ASSERT_EQUAL (s->ignored[ML_CDR_IGN_CORRESPONDENT], 1);
  CU_ASSERT_EQUAL (s->drops->len, 4);
  CU_ASSERT_EQUAL (g_array_index (s->drops, MlCdrDrop, 0).line, 2);
  CU_ASSERT_PTR_NOT_NULL (strstr (g_array_index (s->drops, MlCdrDrop, 1).reason, "direction"));
  /* tolerant: the location-only row and the 12.0 duration are kept */
  CU_ASSERT_EQUAL (t->records->len, 3);
  CU_ASSERT_EQUAL (t->ignored[ML_CDR_IGN_ALL], 2);
}

static void
test_csv_quotes_and_short_rows_follow_python_csv (void)
{
  g_autofree char *csv = g_strconcat ("\xef\xbb\xbf", "correspondent_id,interaction,direction,datetime,call_duration,extra\r\n",
    "\"a,\"\"b\"\"\",text,in,2014-08-20 20:30:37,,x\r\n"
    "\r\n"
    "\"multi\nline\",text,out,2014-08-20 20:30:38\n"
    "c,text\n", NULL);
  g_autoptr(MlCdrUser) u = parse (csv, FALSE);

  CU_ASSERT_EQUAL (u->records->len, 2);
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (u->contacts, 0), "a,\"b\"");
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (u->contacts, 1), "multi\nline");
  CU_ASSERT_EQUAL (u->drops->len, 1);
  CU_ASSERT_EQUAL (g_array_index (u->drops, MlCdrDrop, 0).line, 6);
}

static void
test_a_missing_required_column_is_an_input_error (void)
{
  static const char csv[] = "interaction,direction,datetime\ncall,in,2014-08-20 20:30:37\n";
  g_autoptr(MlCdrUser) u = ml_cdr_user_new ("u");
  g_autoptr(GError) error = NULL;

  CU_ASSERT_FALSE (ml_cdr_parse_records (u, "u.csv", csv, strlen (csv), FALSE, &error));
  CU_ASSERT (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_PTR_NOT_NULL (error != NULL ? strstr (error->message, "u.csv:1: missing column 'correspondent_id'") : NULL);
}

static void
test_records_are_sorted_stably_by_time (void)
{
  g_autofree char *csv = g_strconcat (header,
    "text,in,B,2014-08-20 20:30:37,,1\n"
    "text,in,C,2014-08-20 20:30:30,,1\n"
    "text,in,D,2014-08-20 20:30:37,,1\n", NULL);
  g_autoptr(MlCdrUser) u = parse (csv, TRUE);
  const MlCdrRecord *r = (const MlCdrRecord *) (gpointer) u->records->data;

  CU_ASSERT_EQUAL (u->records->len, 3);
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (u->contacts, r[0].contact), "C");
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (u->contacts, r[1].contact), "B");
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (u->contacts, r[2].contact), "D");
}

static CU_TestInfo parsing_tests[] = {
  { "datetimes parse as Python's strptime does", test_datetimes_parse_as_python_strptime_does },
  { "durations follow int() strictly and accept integral decimals when tolerant",
    test_durations_follow_int_strictly_and_accept_integral_decimals_when_tolerant },
  { "antenna ids lose a zero fraction", test_antenna_ids_lose_a_zero_fraction },
  { "strict mode counts drops as bandicoot does", test_strict_mode_counts_drops_as_bandicoot_does },
  { "CSV quotes and short rows follow Python's csv", test_csv_quotes_and_short_rows_follow_python_csv },
  { "a missing required column is an input error", test_a_missing_required_column_is_an_input_error },
  { "records are sorted stably by time", test_records_are_sorted_stably_by_time },
  CU_TEST_INFO_NULL,
};

/* --------------------------------------------------------- semantics */

/* The value of KEY among USER's indicators under O with ANTENNAS_CSV. */
static MlCdrValue
indicator (const char *records_csv, const char *antennas_csv, const MlCdrOptions *o, const char *key)
{
  g_autoptr(MlCdrUser) u = parse (records_csv, FALSE);
  g_autoptr(MlCdrAntennas) a = ml_cdr_antennas_new ();
  g_autoptr(GPtrArray) keys = ml_cdr_keys (o);
  g_autoptr(GArray) values = NULL;
  MlCdrValue none = { ML_CDR_VAL_NULL, { 0 } };

  a->path = g_strdup ("antennas.csv");
  CU_ASSERT (ml_cdr_parse_antennas (a, "antennas.csv", antennas_csv, strlen (antennas_csv), FALSE, NULL));
  values = ml_cdr_user_indicators (u, a, a->path, NULL, o);
  CU_ASSERT_EQUAL_FATAL (values->len, keys->len);
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (g_ptr_array_index (keys, i), key))
      return g_array_index (values, MlCdrValue, i);
  CU_FAIL ("no such key");
  return none;
}

static const char antennas[] = "antenna_id,latitude,longitude\n1,42.0,-71.0\n2,42.1,-71.0\n2367,42.2,-71.1\n";

static MlCdrOptions
no_grouping (void)
{
  MlCdrOptions o;

  ml_cdr_options_init (&o);
  o.groupby = ML_CDR_GROUP_NONE;
  return o;
}

static void
test_a_bin_tie_takes_the_first_position (void)
{
  MlCdrOptions o = no_grouping ();
  g_autofree char *csv = g_strconcat (header,
    "text,in,A,2014-08-20 20:01:00,,2\n"
    "text,in,A,2014-08-20 20:02:00,,1\n"
    "text,in,A,2014-08-20 20:40:00,,1\n", NULL);
  MlCdrValue n = indicator (csv, antennas, &o, "number_of_antennas__allweek__allday");
  MlCdrValue home = indicator (csv, antennas, &o, "percent_at_home__allweek__allday");

  /* bins: [2 (tie with 1, first wins), 1]: two antennas, home = 2 (first of the tied) */
  CU_ASSERT_EQUAL (n.v.i, 2);
  ML_ASSERT_CLOSE (home.v.d, 0.5, 1e-12);
}

static void
test_night_is_every_time_not_strictly_between_seven_and_nineteen (void)
{
  MlCdrOptions o = no_grouping ();
  g_autofree char *csv = g_strconcat (header,
    "text,in,A,2014-08-20 07:00:00,,1\n"
    "text,in,A,2014-08-20 07:00:01,,1\n"
    "text,in,A,2014-08-20 18:59:59,,1\n"
    "text,in,A,2014-08-20 19:00:00,,1\n", NULL);

  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "percent_nocturnal__allweek__allday__text").v.d, 0.5, 1e-12);
  o.night_start = 20 * 3600;
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "percent_nocturnal__allweek__allday__text").v.d, 0.25, 1e-12);
}

static void
test_a_call_ends_a_conversation (void)
{
  MlCdrOptions o = no_grouping ();
  g_autofree char *csv = g_strconcat (header,
    "text,in,A,2014-08-20 10:00:00,,1\n"
    "call,out,A,2014-08-20 10:01:00,30,1\n"
    "text,out,A,2014-08-20 10:02:00,,1\n"
    "text,in,A,2014-08-20 10:03:00,,1\n"
    "text,out,A,2014-08-20 10:05:00,,1\n"
    "text,in,A,2014-08-20 11:05:00,,1\n", NULL);

  /* conversations: [in], [out, in, out], [in] (an hour later) */
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "percent_initiated_conversations__allweek__allday__callandtext").v.d,
                   1.0 / 3.0, 1e-12);
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "response_rate_text__allweek__allday__callandtext").v.d, 0.0, 1e-12);
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "response_delay_text__allweek__allday__callandtext__mean").v.d,
                   120.0, 1e-12);
}

static void
test_weekly_grouping_skips_empty_weeks (void)
{
  MlCdrOptions o;
  g_autofree char *csv = g_strconcat (header,
    "text,in,A,2014-08-04 10:00:00,,1\n"
    "text,in,A,2014-08-05 10:00:00,,1\n"
    "text,in,B,2014-08-25 10:00:00,,1\n", NULL);

  ml_cdr_options_init (&o);
  /* weeks with data: 2 and 1 texts (the two weeks between are skipped) */
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "number_of_interactions__allweek__allday__text__mean").v.d, 1.5, 1e-12);
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "number_of_interactions__allweek__allday__text__std").v.d, 0.5, 1e-12);
  CU_ASSERT_EQUAL (indicator (csv, antennas, &o, "reporting__bins").v.i, 4);
  CU_ASSERT_EQUAL (indicator (csv, antennas, &o, "reporting__bins_with_data").v.i, 2);
}

static void
test_kurtosis_is_m4_over_m2_squared_and_zero_for_one_value (void)
{
  double two[] = { 0.0, 1.0 }, one[] = { 5.0 }, four[] = { 4.0, 1.0, 2.0, 3.0 };
  CdrStats s;

  ml_cdr_stats (two, 2, TRUE, &s);
  ML_ASSERT_CLOSE (s.v[ST_KURTOSIS], 1.0, 1e-12);
  ML_ASSERT_CLOSE (s.v[ST_STD], 0.5, 1e-12);
  ml_cdr_stats (one, 1, TRUE, &s);
  CU_ASSERT (s.ok);
  CU_ASSERT_EQUAL (s.v[ST_KURTOSIS], 0.0);
  CU_ASSERT_EQUAL (s.v[ST_STD], 0.0);
  ml_cdr_stats (four, 4, TRUE, &s);
  ML_ASSERT_CLOSE (s.v[ST_MEDIAN], 2.5, 1e-12);
  ML_ASSERT_CLOSE (s.v[ST_KURTOSIS], (0.0625 * 2 + 5.0625 * 2) / 4 / (1.25 * 1.25), 1e-12);
  ml_cdr_stats (four, 0, TRUE, &s);
  CU_ASSERT_FALSE (s.ok);
}

static void
test_tolerant_import_matches_decimal_antenna_ids (void)
{
  MlCdrOptions o = no_grouping ();
  g_autofree char *csv = g_strconcat (header, "call,in,A,2014-08-20 20:30:37,12.0,2367.0\n", NULL);

  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "reporting__percent_records_missing_location").v.d, 0.0, 1e-12);
  ML_ASSERT_CLOSE (indicator (csv, antennas, &o, "call_duration__allweek__allday__call__mean").v.d, 12.0, 1e-12);
}

static CU_TestInfo semantics_tests[] = {
  { "a bin tie takes the first position", test_a_bin_tie_takes_the_first_position },
  { "night is every time not strictly between 07:00 and 19:00",
    test_night_is_every_time_not_strictly_between_seven_and_nineteen },
  { "a call ends a conversation", test_a_call_ends_a_conversation },
  { "weekly grouping skips empty weeks", test_weekly_grouping_skips_empty_weeks },
  { "kurtosis is m4 over m2 squared and 0 for one value", test_kurtosis_is_m4_over_m2_squared_and_zero_for_one_value },
  { "tolerant import matches decimal antenna ids", test_tolerant_import_matches_decimal_antenna_ids },
  CU_TEST_INFO_NULL,
};

/* -------------------------------------------------------- robustness */

static void
test_the_store_gives_back_what_was_imported (void)
{
  static const char *const users[] = { "sample/sample_user.csv", "manual/A.csv", NULL };
  g_autofree char *db = import_vectors (users, "sample/sample_antennas.csv", FALSE);
  g_autofree char *path = data_path ("sample/sample_user.csv");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MlCdrStore) store = ml_cdr_store_open (db, &error);
  g_autoptr(MlCdrUser) parsed = ml_cdr_user_new ("sample_user");
  g_autoptr(MlCdrUser) loaded = NULL;
  gsize len;

  CU_ASSERT_FATAL (store != NULL);
  CU_ASSERT_EQUAL (ml_cdr_store_n_users (store), 2);
  CU_ASSERT_STRING_EQUAL (ml_cdr_store_user_name (store, 0), "A");
  CU_ASSERT_EQUAL (ml_cdr_store_find (store, "sample_user"), 1);
  CU_ASSERT_EQUAL (ml_cdr_store_antennas (store)->ids->len, 7);
  loaded = ml_cdr_store_load (store, 1, &error);
  CU_ASSERT_FATAL (loaded != NULL);
  CU_ASSERT_FATAL (g_file_get_contents (path, &text, &len, NULL));
  CU_ASSERT (ml_cdr_parse_records (parsed, "x", text, len, FALSE, NULL));
  CU_ASSERT_EQUAL_FATAL (loaded->records->len, parsed->records->len);
  CU_ASSERT (memcmp (loaded->records->data, parsed->records->data, parsed->records->len * sizeof (MlCdrRecord)) == 0);
  CU_ASSERT_EQUAL (loaded->contacts->len, parsed->contacts->len);
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (loaded->antennas, 0), g_ptr_array_index (parsed->antennas, 0));
}

/* Apply one of a few mutations to TEXT: truncate, overwrite a byte, insert
 * garbage, delete a span, duplicate a line. */
static void
mutate (GString *text, GRand *rng)
{
  static const char garbage[] = ",\"\n\r\0 9-:.xé\xff";
  guint len = (guint) text->len, at = len > 0 ? (guint) g_rand_int_range (rng, 0, (gint32) len) : 0;

  switch (g_rand_int_range (rng, 0, 5))
    {
    case 0:
      g_string_truncate (text, at);
      break;
    case 1:
      if (len > 0)
        text->str[at] = garbage[g_rand_int_range (rng, 0, sizeof garbage - 1)];
      break;
    case 2:
      for (int k = g_rand_int_range (rng, 1, 8); k > 0; k--)
        g_string_insert_c (text, at, garbage[g_rand_int_range (rng, 0, sizeof garbage - 1)]);
      break;
    case 3:
      {
        guint span = (guint) g_rand_int_range (rng, 1, 40);   /* MIN() would draw twice */
        g_string_erase (text, at, MIN (len - at, span));
        break;
      }
    default:
      {
        const char *nl = memchr (text->str + at, '\n', len - at);
        g_autofree char *line = nl != NULL ? g_strndup (text->str + at, (gsize) (nl - text->str - at + 1)) : NULL;
        if (line != NULL)
          g_string_insert (text, at, line);
      }
    }
}

/* Invariants of a parsed user: every row is a record or a drop, records
 * are sorted and their indices valid. */
static void
check_user (const MlCdrUser *u)
{
  const MlCdrRecord *r = (const MlCdrRecord *) (gpointer) u->records->data;

  CU_ASSERT_EQUAL (u->rows, u->records->len + u->drops->len);
  CU_ASSERT_EQUAL (u->ignored[ML_CDR_IGN_ALL], u->drops->len);
  for (guint i = 0; i < u->records->len; i++)
    {
      CU_ASSERT (i == 0 || r[i - 1].t <= r[i].t);
      CU_ASSERT (r[i].contact < (gint32) u->contacts->len && r[i].antenna < (gint32) u->antennas->len);
      CU_ASSERT (r[i].coord < (gint32) u->coords->len);
      CU_ASSERT (r[i].kind == ML_CDR_OTHER || r[i].contact >= 0);
    }
}

static void
test_garbled_files_never_crash_the_importer (void)
{
  g_autofree char *path = data_path ("sample/sample_user.csv");
  g_autofree char *full = NULL;
  g_autoptr(GString) base = g_string_new (NULL);
  g_autoptr(GRand) rng = g_rand_new_with_seed (20240611);
  g_autoptr(MlCdrAntennas) a = ml_cdr_antennas_new ();
  MlCdrOptions o;
  const char *p;

  CU_ASSERT_FATAL (g_file_get_contents (path, &full, NULL, NULL));
  p = full;
  for (int lines = 0; lines < 120 && (p = strchr (p, '\n')) != NULL; lines++)
    p++;
  g_string_append_len (base, full, p != NULL ? p - full : (gssize) strlen (full));
  g_string_append (base, "text,out,x,2012-01-03 00:00:00,,\n,,,2012-01-03 01:00:00,,704\ngps,in,,2012-01-04 1:2:3,,704\n");
  a->path = g_strdup ("a.csv");
  ml_cdr_antennas_set (a, "704", 42.3, -71.1);
  ml_cdr_options_init (&o);
  o.summary = ML_CDR_SUMMARY_EXTENDED;
  o.split_week = o.split_day = TRUE;
  for (int i = 0; i < 3000; i++)
    {
      g_autoptr(GString) text = g_string_new_len (base->str, (gssize) base->len);
      g_autoptr(MlCdrUser) u = ml_cdr_user_new ("fuzz");
      g_autoptr(GError) error = NULL;
      for (int k = g_rand_int_range (rng, 1, 6); k > 0; k--)
        mutate (text, rng);
      if (!ml_cdr_parse_records (u, "fuzz.csv", text->str, text->len, i % 2 == 0, &error))
        {
          CU_ASSERT (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
          continue;
        }
      check_user (u);
      if (i % 10 == 0)
        g_array_unref (ml_cdr_user_indicators (u, a, a->path, NULL, &o));
    }
}

static void
test_garbled_antenna_files_are_errors_or_drops (void)
{
  static const char *const files[] = {
    "antenna_id,latitude,longitude\n1,x,2\n", "antenna_id,latitude\n1,2\n", "antenna_id,latitude,longitude\n1,2\n",
    "antenna_id,latitude,longitude\n\"1,2,3\n", "", "latitude,longitude,antenna_id\n 1.5 , 2 ,7.0\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    for (int strict = 0; strict <= 1; strict++)
      {
        g_autoptr(MlCdrAntennas) a = ml_cdr_antennas_new ();
        g_autoptr(GError) error = NULL;
        gboolean ok = ml_cdr_parse_antennas (a, "a.csv", files[i], strlen (files[i]), strict, &error);
        CU_ASSERT (ok || g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
      }
  {
    g_autoptr(MlCdrAntennas) a = ml_cdr_antennas_new ();
    double lat = 0, lon = 0;
    CU_ASSERT (ml_cdr_parse_antennas (a, "a.csv", files[5], strlen (files[5]), FALSE, NULL));
    CU_ASSERT (ml_cdr_antennas_lookup (a, "7", &lat, &lon) && lat == 1.5 && lon == 2.0);
  }
}

static CU_TestInfo robustness_tests[] = {
  { "the store gives back what was imported", test_the_store_gives_back_what_was_imported },
  { "garbled files never crash the importer", test_garbled_files_never_crash_the_importer },
  { "garbled antenna files are errors or drops", test_garbled_antenna_files_are_errors_or_drops },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "conformance with bandicoot 0.6.0", .pTests = conformance_tests },
  { .pName = "parsing", .pTests = parsing_tests },
  { .pName = "semantics", .pTests = semantics_tests },
  { .pName = "robustness", .pTests = robustness_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
