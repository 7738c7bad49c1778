/* casefile.c -- the case file: targets, orders and inference knobs of a case.
 *
 * Reads case.ini through common/config (the spec table below checks types,
 * ranges and choices with FILE:LINE errors), then checks what the spec
 * cannot say (synonyms, empty hour windows, target syntax, a usable name)
 * with ml_config_error() so that those errors carry the key's line too.
 * The resolved MlCase keeps no reference to its config: an error found
 * later, while resolving targets against provider.db, re-reads the file to
 * name the line of `targets`.
 *
 * Invariants: an MlCase from ml_case_load() satisfies every range of the
 * spec, lag_days >= 0, and its targets are syntactically valid items.
 * Workload: once per analysis; resolution is a handful of indexed queries
 * per target, plus at most one scan of the handle ids for random:N.
 */

#include <math.h>
#include <string.h>

#include "analyze/casefile.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/rng.h"

#define I ML_CONFIG_INT
#define D ML_CONFIG_DOUBLE
#define MAX_RANDOM 100000                      /* random:N accepts N up to this */
#define RANDOM_STREAM G_GUINT64_CONSTANT (0x7461726765747321) /* "targets!" */

static const MlConfigSpec spec[] = {
  /* [case] */
  { "case", "name", ML_CONFIG_STRING, NULL, 0, 0, NULL, FALSE,
    "case name, output goes to RUN/cases/NAME (default: the file's base name)" },
  { "case", "targets", ML_CONFIG_STRING_LIST, "random:20", 0, 0, NULL, FALSE,
    "handles, cast:NAME (from the run's manifest) or random:N" },
  { "case", "seed", I, "1", 0, INFINITY, NULL, FALSE, "seed of the random:N draw" },
  { "case", "top_k", I, "10", 1, 1000, NULL, FALSE, "closest contacts reported per target" },
  /* [order]: 30-day windows and up to 60 days (18 U.S.C. 3123(c)(1)). */
  { "order", "kind", ML_CONFIG_ENUM, "both", 0, 0, "pen-register|trap-and-trace|both", FALSE,
    "pen register (own lookups), trap and trace (lookups of the target) or both" },
  { "order", "first_service", ML_CONFIG_STRING, "auto", 0, 0, NULL, FALSE,
    "date the first order is served (YYYY-MM-DD), or auto" },
  { "order", "window_days", I, "30", 1, 60, NULL, FALSE, "days each order covers" },
  { "order", "extensions", I, "3", 0, 24, NULL, FALSE, "renewals after the first order" },
  { "order", "lag_days", I, "0", 0, 365, NULL, FALSE, "days between an expiry and the next service" },
  { "order", "gap_days", I, NULL, 0, 365, NULL, FALSE, "synonym of lag_days" },
  { "order", "retention_days", I, "30", 1, 365, NULL, FALSE, "days the provider keeps its log" },
  { "order", "mode", ML_CONFIG_ENUM, "snapshot", 0, 0, "snapshot|prospective", FALSE,
    "snapshot: what is retained on the service date; prospective: service to expiry" },
  { "order", "ip_pivot", ML_CONFIG_BOOL, "no", 0, 0, NULL, FALSE,
    "also every lookup from the target's non-cellular IPs" },
  { "order", "hops", I, "1", 1, 3, NULL, FALSE, "1 = targets only; 2, 3 = orders on their contacts" },
  { "order", "hop_limit", I, "200", 1, 100000, NULL, FALSE, "handles served per hop at most" },
  /* [inference] */
  { "inference", "night_start_h", D, "22", 0, 24, NULL, FALSE, "home inference: night starts (UTC hour)" },
  { "inference", "night_end_h", D, "6", 0, 24, NULL, FALSE, "home inference: night ends (UTC hour)" },
  { "inference", "work_start_h", D, "9", 0, 24, NULL, FALSE, "work inference: weekday hours start" },
  { "inference", "work_end_h", D, "17", 0, 24, NULL, FALSE, "work inference: weekday hours end" },
  { "inference", "trip_km", D, "100", 0, 20040, NULL, FALSE, "farther than this from home is a trip" },
};

static const char *const kind_names[] = { NULL, "pen-register", "trap-and-trace", "both" };
static const char *const mode_names[] = { "snapshot", "prospective" };

const MlConfigSpec *
ml_case_spec (gsize *n)
{
  g_return_val_if_fail (n != NULL, NULL);
  *n = G_N_ELEMENTS (spec);
  return spec;
}

void
ml_case_free (MlCase *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_strfreev (c->targets);
  g_free (c->path);
  g_free (c);
}

/* ---- semantic checks ---- */

/* Whether NAME can name the directory RUN/cases/NAME. */
static gboolean
name_is_safe (const char *name)
{
  if (name[0] == '\0' || name[0] == '.' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Why ITEM is not a valid target item, or NULL if it is (static text). */
static const char *
target_problem (const char *item)
{
  if (g_str_has_prefix (item, "cast:"))
    return item[5] == '\0' ? "needs a cast name after 'cast:'" : NULL;
  if (g_str_has_prefix (item, "random:"))
    {
      guint64 n;
      if (!g_ascii_string_to_unsigned (item + 7, 10, 1, MAX_RANDOM, &n, NULL))
        return "needs a count from 1 to 100000 after 'random:'";
      return NULL;
    }
  for (const char *p = item; *p; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return "is not a handle: it contains blanks";
  return NULL;
}

static gboolean
check_targets (const MlConfig *cfg, GError **error)
{
  g_auto(GStrv) items = ml_config_strv (cfg, "case", "targets");

  if (items[0] == NULL)
    {
      g_propagate_error (error, ml_config_error (cfg, "case", "targets", "names no target"));
      return FALSE;
    }
  for (gsize i = 0; items[i] != NULL; i++)
    {
      const char *why = target_problem (items[i]);
      if (why != NULL)
        {
          g_propagate_error (error, ml_config_error (cfg, "case", "targets", "'%s' %s", items[i], why));
          return FALSE;
        }
    }
  return TRUE;
}

/* first_service: "auto" or a calendar date, into *OUT. */
static gboolean
read_service (const MlConfig *cfg, MlDay *out, GError **error)
{
  const char *text = ml_config_string (cfg, "order", "first_service");

  if (g_ascii_strcasecmp (text, "auto") == 0)
    {
      *out = ML_CASE_SERVICE_AUTO;
      return TRUE;
    }
  if (ml_day_parse (text, out, NULL))
    return TRUE;
  g_propagate_error (error, ml_config_error (cfg, "order", "first_service",
                                             "'%s' is neither a date (YYYY-MM-DD) nor auto", text));
  return FALSE;
}

/* Checks between keys: synonyms, hour windows, pivot needs pen rows. */
static gboolean
check_relations (const MlConfig *cfg, const MlCase *c, GError **error)
{
  GError *e = NULL;

  if (ml_config_has (cfg, "order", "gap_days") && ml_config_has (cfg, "order", "lag_days"))
    e = ml_config_error (cfg, "order", "gap_days", "is a synonym of lag_days, which is also set");
  else if (c->night_start_h == c->night_end_h)
    e = ml_config_error (cfg, "inference", "night_end_h", "equals night_start_h: the night is empty");
  else if (c->work_end_h <= c->work_start_h)
    e = ml_config_error (cfg, "inference", "work_end_h", "%g is not after work_start_h %g",
                         c->work_end_h, c->work_start_h);
  else if (c->ip_pivot && c->kind == ML_ORDER_TRAP_TRACE)
    e = ml_config_error (cfg, "order", "ip_pivot",
                         "needs the target's own lookups: kind must be pen-register or both");
  if (e == NULL)
    return TRUE;
  g_propagate_error (error, e);
  return FALSE;
}

/* The case name: [case] name, else PATH's base name without ".ini". */
static char *
case_name (const MlConfig *cfg, const char *path)
{
  const char *name = ml_config_string (cfg, "case", "name");
  g_autofree char *base = NULL;

  if (name != NULL)
    return g_strdup (name);
  if (path == NULL)
    return g_strdup ("default");
  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".ini"))
    base[strlen (base) - 4] = '\0';
  return g_steal_pointer (&base);
}

/* ---- from config to MlCase ---- */

static void
read_scalars (const MlConfig *cfg, MlCase *c)
{
  c->targets = ml_config_strv (cfg, "case", "targets");
  c->seed = (guint64) ml_config_int (cfg, "case", "seed");
  c->top_k = (int) ml_config_int (cfg, "case", "top_k");
  c->kind = (MlOrderKind) (ml_config_enum (cfg, "order", "kind") + 1);
  c->window_days = (int) ml_config_int (cfg, "order", "window_days");
  c->extensions = (int) ml_config_int (cfg, "order", "extensions");
  c->lag_days = (int) ml_config_int (cfg, "order", ml_config_has (cfg, "order", "gap_days")
                                                    ? "gap_days" : "lag_days");
  c->retention_days = (int) ml_config_int (cfg, "order", "retention_days");
  c->mode = ml_config_enum (cfg, "order", "mode") == 1 ? ML_MODE_PROSPECTIVE : ML_MODE_SNAPSHOT;
  c->ip_pivot = ml_config_bool (cfg, "order", "ip_pivot");
  c->hops = (int) ml_config_int (cfg, "order", "hops");
  c->hop_limit = (int) ml_config_int (cfg, "order", "hop_limit");
  c->night_start_h = ml_config_double (cfg, "inference", "night_start_h");
  c->night_end_h = ml_config_double (cfg, "inference", "night_end_h");
  c->work_start_h = ml_config_double (cfg, "inference", "work_start_h");
  c->work_end_h = ml_config_double (cfg, "inference", "work_end_h");
  c->trip_km = ml_config_double (cfg, "inference", "trip_km");
}

static MlCase *
case_from_config (const MlConfig *cfg, const char *path, GError **error)
{
  g_autoptr(MlCase) c = g_new0 (MlCase, 1);

  read_scalars (cfg, c);
  c->path = g_strdup (path);
  c->name = case_name (cfg, path);
  if (!name_is_safe (c->name))
    {
      g_propagate_error (error, ml_config_error (cfg, "case", "name",
                                                 "'%s' cannot name a directory: use letters, digits, '.', '-', '_'",
                                                 c->name));
      return NULL;
    }
  if (!check_targets (cfg, error) || !read_service (cfg, &c->first_service, error)
      || !check_relations (cfg, c, error))
    return NULL;
  return g_steal_pointer (&c);
}

MlCase *
ml_case_load (const char *path, const char *const *overrides, GError **error)
{
  g_autoptr(MlConfig) cfg = NULL;

  if (path != NULL)
    cfg = ml_config_load (path, spec, G_N_ELEMENTS (spec), error);
  else
    cfg = ml_config_new_defaults (spec, G_N_ELEMENTS (spec));
  if (cfg == NULL)
    return NULL;
  if (!ml_config_override_all (cfg, overrides, error) || !ml_config_validate (cfg, error))
    return NULL;
  return case_from_config (cfg, path, error);
}

/* ---- back to text ---- */

static void
append_double (GString *out, const char *key, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "%s = %s\n", key, g_ascii_dtostr (buf, sizeof buf, v));
}

char *
ml_case_to_data (const MlCase *c)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *targets = NULL;
  g_autofree char *service = NULL;

  g_return_val_if_fail (c != NULL && c->targets != NULL && c->kind >= 1 && c->kind <= 3, NULL);
  out = g_string_new ("[case]\n");
  targets = g_strjoinv (", ", c->targets);
  service = c->first_service == ML_CASE_SERVICE_AUTO ? g_strdup ("auto") : ml_day_format (c->first_service);
  g_string_append_printf (out, "name = %s\ntargets = %s\nseed = %" G_GUINT64_FORMAT "\ntop_k = %d\n",
                          c->name, targets, c->seed, c->top_k);
  g_string_append_printf (out, "\n[order]\nkind = %s\nfirst_service = %s\nwindow_days = %d\n"
                          "extensions = %d\nlag_days = %d\nretention_days = %d\nmode = %s\n"
                          "ip_pivot = %s\nhops = %d\nhop_limit = %d\n",
                          kind_names[c->kind], service, c->window_days, c->extensions, c->lag_days,
                          c->retention_days, mode_names[c->mode], c->ip_pivot ? "yes" : "no",
                          c->hops, c->hop_limit);
  g_string_append (out, "\n[inference]\n");
  append_double (out, "night_start_h", c->night_start_h);
  append_double (out, "night_end_h", c->night_end_h);
  append_double (out, "work_start_h", c->work_start_h);
  append_double (out, "work_end_h", c->work_end_h);
  append_double (out, "trip_km", c->trip_km);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- errors about targets, found after loading ---- */

/* An ML_ERROR_INPUT about C's `targets` key, placed at its line when C's
 * file still says what C says, else "command line" or the bare case. */
static GError *targets_error (const MlCase *c, const char *format, ...) G_GNUC_PRINTF (2, 3);

static GError *
targets_error (const MlCase *c, const char *format, ...)
{
  g_autoptr(MlConfig) cfg = NULL;
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (c->path != NULL && (cfg = ml_config_load (c->path, spec, G_N_ELEMENTS (spec), NULL)) != NULL)
    {
      g_auto(GStrv) items = ml_config_strv (cfg, "case", "targets");
      if (ml_config_has (cfg, "case", "targets") && g_strv_equal ((const char *const *) items,
                                                                   (const char *const *) c->targets))
        return ml_config_error (cfg, "case", "targets", "%s", message);
    }
  if (c->path == NULL && g_strv_length (c->targets) == 1 && strcmp (c->targets[0], "random:20") == 0)
    return g_error_new (ML_ERROR, ML_ERROR_INPUT, "default case: key 'targets' in group [case]: %s",
                        message);
  return g_error_new (ML_ERROR, ML_ERROR_INPUT, "command line: key 'targets' in group [case]: %s",
                      message);
}

/* ---- manifest.json: a few keys of a file metaleak wrote ---- */

static MlJson *
read_manifest (const char *run_dir, char **path_out, GError **error)
{
  g_autofree char *path = g_build_filename (run_dir != NULL ? run_dir : ".", "manifest.json", NULL);
  MlJson *j;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: no such file", path);
      return NULL;
    }
  if ((j = ml_json_load (path, error)) != NULL)
    *path_out = g_steal_pointer (&path);
  return j;
}

/* Copy the object CAST ({"name": "handle", ...}) into TABLE; FALSE if it is
 * not an object of strings. */
static gboolean
parse_cast (const MlJson *cast, GHashTable *table)
{
  if (ml_json_type (cast) != ML_JSON_OBJECT)
    return FALSE;
  for (guint i = 0; i < ml_json_length (cast); i++)
    {
      const char *name = ml_json_key (cast, i);
      const char *handle = ml_json_text (ml_json_value (cast, i));
      if (name == NULL || handle == NULL)
        return FALSE;
      g_hash_table_replace (table, g_strdup (name), g_strdup (handle));
    }
  return TRUE;
}

GHashTable *
ml_case_read_cast (const char *run_dir, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(MlJson) manifest = read_manifest (run_dir, &path, error);
  g_autoptr(GHashTable) cast = NULL;

  if (manifest == NULL)
    return NULL;
  cast = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!parse_cast (ml_json_member (manifest, "cast"), cast))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no readable \"cast\" object", path);
      return NULL;
    }
  return g_steal_pointer (&cast);
}

/* ---- first_service = auto ---- */

/* The first day of the log from RUN_DIR/manifest.json "start"; FALSE if
 * there is no such manifest or key. */
static gboolean
manifest_start (const char *run_dir, MlDay *out)
{
  g_autofree char *path = NULL;
  g_autoptr(MlJson) manifest = run_dir != NULL ? read_manifest (run_dir, &path, NULL) : NULL;
  const char *start = manifest != NULL ? ml_json_text (ml_json_member (manifest, "start")) : NULL;

  return start != NULL && ml_day_parse (start, out, NULL);
}

/* The first day of PROVIDER's log (see ml_case_resolve_service()). */
static gboolean
log_first_day (const char *run_dir, MlDb *provider, MlDay *out, GError **error)
{
  g_autoptr(GError) e = NULL;
  g_autofree char *stamp = ml_db_get_meta (provider, "log_start", &e);
  gint64 any = 0, first = 0;
  MlTime t;

  if (e != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&e));
      return FALSE;
    }
  if (stamp != NULL && ml_time_parse_iso8601 (stamp, &t, NULL))
    return (*out = ml_day_of (t)), TRUE;
  if (manifest_start (run_dir, out))
    return TRUE;
  if (!ml_db_query_int64 (provider, "SELECT EXISTS (SELECT 1 FROM lookup_log)", &any, error)
      || (any && !ml_db_query_int64 (provider, "SELECT min(ts) FROM lookup_log", &first, error)))
    return FALSE;
  if (!any)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                   "%s: the log is empty: first_service = auto needs a date", ml_db_path (provider));
      return FALSE;
    }
  *out = ml_day_of (first);
  return TRUE;
}

gboolean
ml_case_resolve_service (MlCase *c, const char *run_dir, MlDb *provider, GError **error)
{
  MlDay first;

  g_return_val_if_fail (c != NULL && provider != NULL, FALSE);
  if (c->first_service != ML_CASE_SERVICE_AUTO)
    return TRUE;
  if (!log_first_day (run_dir, provider, &first, error))
    return FALSE;
  c->first_service = c->mode == ML_MODE_SNAPSHOT ? first + c->window_days : first;
  return TRUE;
}

/* ---- targets ---- */

/* State of one resolution: the statements, the handles chosen so far. */
typedef struct {
  MlCase *c;
  MlDb *provider;
  const char *run_dir;
  MlStmt *by_text;          /* handle text -> id */
  MlStmt *own_lookups;      /* does a handle have enough own lookups? */
  GHashTable *cast;         /* from the manifest, loaded on first use */
  GArray *chosen;           /* gint64, in order */
  GHashTable *seen;         /* gint64* set of chosen */
  GArray *shuffled;         /* every handle id in the draw order, loaded on first use */
  guint cursor;             /* next candidate in shuffled */
} Resolver;

static void
resolver_clear (Resolver *r)
{
  g_clear_pointer (&r->by_text, ml_stmt_free);
  g_clear_pointer (&r->own_lookups, ml_stmt_free);
  g_clear_pointer (&r->cast, g_hash_table_unref);
  g_clear_pointer (&r->chosen, g_array_unref);
  g_clear_pointer (&r->seen, g_hash_table_unref);
  g_clear_pointer (&r->shuffled, g_array_unref);
}

static void
choose (Resolver *r, gint64 id)
{
  if (g_hash_table_contains (r->seen, &id))
    return;
  g_hash_table_add (r->seen, g_memdup2 (&id, sizeof id));
  g_array_append_val (r->chosen, id);
}

/* The id of handle TEXT into *ID; FALSE with ERROR unset if absent. */
static gboolean
handle_id (Resolver *r, const char *text, gint64 *id, GError **error)
{
  MlStep st;

  ml_stmt_reset (r->by_text);
  if (!ml_stmt_bind_text (r->by_text, 1, text, -1, error))
    return FALSE;
  st = ml_stmt_step (r->by_text, error);
  if (st == ML_STEP_ROW)
    *id = ml_stmt_int64 (r->by_text, 0);
  ml_stmt_reset (r->by_text);
  return st == ML_STEP_ROW;
}

static gboolean
resolve_handle (Resolver *r, const char *text, const char *item, GError **error)
{
  g_autoptr(GError) e = NULL;
  gint64 id;

  if (handle_id (r, text, &id, &e))
    {
      choose (r, id);
      return TRUE;
    }
  if (e != NULL)
    g_propagate_error (error, g_steal_pointer (&e));
  else if (strcmp (text, item) == 0)
    g_propagate_error (error, targets_error (r->c, "handle %s never appears in %s", text,
                                             ml_db_path (r->provider)));
  else
    g_propagate_error (error, targets_error (r->c, "%s is handle %s, which never appears in %s",
                                             item, text, ml_db_path (r->provider)));
  return FALSE;
}

static int
compare_strp (gconstpointer a, gconstpointer b, gpointer unused)
{
  (void) unused;
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
resolve_cast (Resolver *r, const char *item, GError **error)
{
  const char *name = item + 5;
  const char *handle;

  if (r->cast == NULL)
    {
      g_autoptr(GError) e = NULL;
      if ((r->cast = ml_case_read_cast (r->run_dir, &e)) == NULL)
        {
          g_propagate_error (error, targets_error (r->c, "'%s' needs the run's cast: %s", item, e->message));
          return FALSE;
        }
    }
  if ((handle = g_hash_table_lookup (r->cast, name)) == NULL)
    {
      g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (r->cast, NULL);
      g_autofree char *list = NULL;
      g_qsort_with_data (names, (gint) g_hash_table_size (r->cast), sizeof *names, compare_strp, NULL);
      list = g_strjoinv (", ", (char **) names);
      g_propagate_error (error, targets_error (r->c, "no cast member '%s' in the run (cast: %s)",
                                               name, list[0] ? list : "none"));
      return FALSE;
    }
  return resolve_handle (r, handle, item, error);
}

/* Every handle id of the provider, shuffled with the case's seed: the
 * order in which random:N considers them. */
static gboolean
load_shuffled (Resolver *r, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (r->provider, "SELECT id FROM handles ORDER BY id", error);
  MlStep st;
  MlRng rng;

  if (s == NULL)
    return FALSE;
  r->shuffled = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      gint64 id = ml_stmt_int64 (s, 0);
      g_array_append_val (r->shuffled, id);
    }
  if (st == ML_STEP_ERROR)
    return FALSE;
  ml_rng_init (&rng, r->c->seed, RANDOM_STREAM, 0, 0);
  ml_rng_shuffle (&rng, r->shuffled->data, r->shuffled->len, sizeof (gint64));
  return TRUE;
}

/* Whether ID has at least ML_CASE_RANDOM_MIN_LOOKUPS own lookups (at most
 * that many index entries are read). */
static gboolean
is_active (Resolver *r, gint64 id, gboolean *active, GError **error)
{
  MlStep st;

  ml_stmt_reset (r->own_lookups);
  if (!ml_stmt_bind_int64 (r->own_lookups, 1, id, error)
      || !ml_stmt_bind_int64 (r->own_lookups, 2, ML_CASE_RANDOM_MIN_LOOKUPS, error)
      || (st = ml_stmt_step (r->own_lookups, error)) == ML_STEP_ERROR)
    return FALSE;
  g_assert (st == ML_STEP_ROW);   /* count(*) always returns a row */
  *active = ml_stmt_int64 (r->own_lookups, 0) >= ML_CASE_RANDOM_MIN_LOOKUPS;
  ml_stmt_reset (r->own_lookups);
  return TRUE;
}

static gboolean
resolve_random (Resolver *r, const char *item, GError **error)
{
  guint64 want = g_ascii_strtoull (item + 7, NULL, 10);
  guint64 got = 0;

  if (r->shuffled == NULL && !load_shuffled (r, error))
    return FALSE;
  while (got < want && r->cursor < r->shuffled->len)
    {
      gint64 id = g_array_index (r->shuffled, gint64, r->cursor++);
      gboolean active = FALSE;
      if (g_hash_table_contains (r->seen, &id))
        continue;
      if (!is_active (r, id, &active, error))
        return FALSE;
      if (active)
        {
          choose (r, id);
          got++;
        }
    }
  if (got < want)
    {
      g_propagate_error (error, targets_error (r->c, "%s: only %" G_GUINT64_FORMAT " more handles have at least %d own lookups in %s",
                                               item, got, ML_CASE_RANDOM_MIN_LOOKUPS, ml_db_path (r->provider)));
      return FALSE;
    }
  return TRUE;
}

static gboolean
resolver_init (Resolver *r, MlCase *c, const char *run_dir, MlDb *provider, GError **error)
{
  r->c = c;
  r->provider = provider;
  r->run_dir = run_dir;
  r->chosen = g_array_new (FALSE, FALSE, sizeof (gint64));
  r->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  return (r->by_text = ml_db_prepare (provider, "SELECT id FROM handles WHERE handle = ?", error)) != NULL
         && (r->own_lookups = ml_db_prepare (provider, "SELECT count(*) FROM "
                                             "(SELECT 1 FROM lookup_log WHERE source = ?1 LIMIT ?2)",
                                             error)) != NULL;
}

gboolean
ml_case_resolve_targets (MlCase *c, const char *run_dir, MlDb *provider,
                         GArray *handles_out, GError **error)
{
  Resolver r = { 0 };
  gboolean ok, own;

  g_return_val_if_fail (c != NULL && c->targets != NULL && provider != NULL, FALSE);
  g_return_val_if_fail (handles_out != NULL && g_array_get_element_size (handles_out) == sizeof (gint64), FALSE);
  /* one read transaction: no lock round trip per probe */
  own = !ml_db_in_transaction (provider);
  if (own && !ml_db_begin (provider, error))
    return FALSE;
  ok = ml_case_resolve_service (c, run_dir, provider, error)
       && resolver_init (&r, c, run_dir, provider, error);
  for (gsize i = 0; ok && c->targets[i] != NULL; i++)
    {
      const char *item = c->targets[i];
      if (g_str_has_prefix (item, "cast:"))
        ok = resolve_cast (&r, item, error);
      else if (g_str_has_prefix (item, "random:"))
        ok = resolve_random (&r, item, error);
      else
        ok = resolve_handle (&r, item, item, error);
    }
  if (ok)
    g_array_append_vals (handles_out, r.chosen->data, r.chosen->len);
  resolver_clear (&r);
  if (own)
    ml_db_rollback (provider, NULL);   /* nothing was written */
  return ok;
}
