/* config.c -- validated key-file configuration with FILE:LINE errors.
 *
 * GKeyFile reports no line numbers, so the file is read by a line scanner
 * that follows GKeyFile's grammar and remembers where every group header and
 * key is; it checks each name against the spec and each value against its
 * type as it goes, so the first problem in file order is the one reported.
 * GKeyFile itself decodes value escapes and, as a final net, parses the whole
 * file once more.  Values are kept as decoded text and parsed again by the
 * getters, which therefore cannot fail.
 *
 * Invariants: every stored value passed value_problem() for its spec entry;
 * group names are unique; a line of 0 means "not from the file".
 * Workload: one small file per run, a few hundred getter calls.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "common/errors.h"

#define FROM_CLI G_MAXUINT /* a "line" meaning: given on the command line */
#define TYPE_BIT(t) (1u << (t))
#define ANY_TYPE 0xffffffffu

typedef struct {
  char *key;
  char *text;        /* decoded value */
  guint line;        /* 1-based file line; 0 if set by an override */
} Value;

typedef struct {
  char *name;
  guint line;        /* line of the [header]; 0 if made by an override */
  GPtrArray *values; /* of Value, in order of appearance */
} Group;

struct MlConfig {
  char *path;               /* display name; NULL for defaults only */
  const MlConfigSpec *spec; /* borrowed from the caller */
  gsize n_spec;
  GPtrArray *groups;        /* of Group: file order, then overrides */
};

/* State of one pass of the line scanner over a file. */
typedef struct {
  MlConfig *cfg;
  GKeyFile *decoder; /* scratch key file that decodes value escapes */
  Group *group;      /* group being read; NULL before the first header */
  guint line;        /* current 1-based line */
} Scanner;

static void
value_free (gpointer data)
{
  Value *v = data;

  g_free (v->key);
  g_free (v->text);
  g_free (v);
}

static void
group_free (gpointer data)
{
  Group *g = data;

  g_free (g->name);
  g_ptr_array_unref (g->values);
  g_free (g);
}

/* Append a new empty group NAME, first seen on LINE, to CFG; returns it
 * (borrowed). */
static Group *
group_add (MlConfig *cfg, const char *name, guint line)
{
  Group *g = g_new0 (Group, 1);

  g->name = g_strdup (name);
  g->line = line;
  g->values = g_ptr_array_new_with_free_func (value_free);
  g_ptr_array_add (cfg->groups, g);
  return g;
}

static Group *
find_group (const MlConfig *cfg, const char *name)
{
  for (guint i = 0; i < cfg->groups->len; i++)
    {
      Group *g = g_ptr_array_index (cfg->groups, i);
      if (strcmp (g->name, name) == 0)
        return g;
    }
  return NULL;
}

/* The value of KEY in G; NULL if unset or G is NULL. */
static Value *
find_value (const Group *g, const char *key)
{
  if (g == NULL)
    return NULL;
  for (guint i = 0; i < g->values->len; i++)
    {
      Value *v = g_ptr_array_index (g->values, i);
      if (strcmp (v->key, key) == 0)
        return v;
    }
  return NULL;
}

static gboolean
is_pattern (const char *group)
{
  return g_str_has_suffix (group, "*");
}

/* Whether the spec group PATTERN (a name, or a prefix ending in '*')
 * matches the group NAME. */
static gboolean
group_matches (const char *pattern, const char *name)
{
  gsize n = strlen (pattern);

  if (!is_pattern (pattern))
    return strcmp (pattern, name) == 0;
  return strncmp (pattern, name, n - 1) == 0 && strlen (name) > n - 1;
}

static gboolean
group_is_known (const MlConfig *cfg, const char *name)
{
  for (gsize i = 0; i < cfg->n_spec; i++)
    if (group_matches (cfg->spec[i].group, name))
      return TRUE;
  return FALSE;
}

/* The first spec entry for GROUP/KEY, NULL if none. */
static const MlConfigSpec *
find_spec (const MlConfig *cfg, const char *group, const char *key)
{
  for (gsize i = 0; i < cfg->n_spec; i++)
    {
      const MlConfigSpec *s = &cfg->spec[i];
      if (strcmp (s->key, key) == 0 && group_matches (s->group, group))
        return s;
    }
  return NULL;
}

/* The prefix naming where LINE is: "command line: " for FROM_CLI, "" if CFG
 * has no file, "FILE: " for line 0, else "FILE:LINE: ".  Caller frees. */
static char *
place (const MlConfig *cfg, guint line)
{
  if (line == FROM_CLI)
    return g_strdup ("command line: ");
  if (cfg->path == NULL)
    return g_strdup ("");
  if (line == 0)
    return g_strdup_printf ("%s: ", cfg->path);
  return g_strdup_printf ("%s:%u: ", cfg->path, line);
}

/* Set ERROR to ML_ERROR_INPUT with the place of LINE before the message;
 * returns FALSE so that callers can "return fail (...)". */
static gboolean fail (GError **error, const MlConfig *cfg, guint line,
                      const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, const MlConfig *cfg, guint line, const char *format, ...)
{
  g_autofree char *where = place (cfg, line);
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s%s", where, message);
  return FALSE;
}

/* ---- suggestions for misspelt names ---- */

/* Levenshtein distance between A and B, ignoring ASCII case. */
static guint
edit_distance (const char *a, const char *b)
{
  gsize n = strlen (a), m = strlen (b);
  g_autofree guint *row = g_new (guint, m + 1);

  for (gsize j = 0; j <= m; j++)
    row[j] = j;
  for (gsize i = 1; i <= n; i++)
    {
      guint diag = row[0];
      row[0] = i;
      for (gsize j = 1; j <= m; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);
          row[j] = MIN (MIN (up + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[m];
}

/* How close the misspelt TYPED is to KNOWN: the edit distance if at most 2
 * (and less than KNOWN's length), 3 if one is a prefix of the other (3
 * characters at least, ignoring case), G_MAXUINT if not close. */
static guint
closeness (const char *typed, const char *known)
{
  gsize lt = strlen (typed), lk = strlen (known);
  guint d = edit_distance (typed, known);

  if (d <= 2 && d < lk)
    return d;
  if (MIN (lt, lk) >= 3 && g_ascii_strncasecmp (typed, known, MIN (lt, lk)) == 0)
    return 3;
  return G_MAXUINT;
}

/* How close NAME is to the spec group PATTERN; *FORM gets the spelling to
 * suggest, e.g. "service health" for [servce health] and "service *". */
static guint
group_closeness (const char *pattern, const char *name, char **form)
{
  gsize n = strlen (pattern);
  g_autofree char *head = NULL;
  const char *space;

  if (!is_pattern (pattern))
    {
      *form = g_strdup (pattern);
      return closeness (name, pattern);
    }
  head = g_strndup (pattern, n - 1);
  space = strchr (name, ' ');
  if (!g_str_has_suffix (head, " ") || space == NULL)
    {
      *form = g_strdup_printf ("%sNAME", head);
      return closeness (name, g_strchomp (head));
    }
  *form = g_strdup_printf ("%s%s", head, space[1] != '\0' ? space + 1 : "NAME");
  {
    g_autofree char *typed = g_strndup (name, space - name);
    return closeness (typed, g_strchomp (head));
  }
}

/* "; did you mean [G]?" for the known group closest to NAME, or "". */
static char *
group_hint (const MlConfig *cfg, const char *name)
{
  g_autofree char *best = NULL;
  guint best_score = G_MAXUINT;

  for (gsize i = 0; i < cfg->n_spec; i++)
    {
      g_autofree char *form = NULL;
      guint score = group_closeness (cfg->spec[i].group, name, &form);
      if (score < best_score)
        {
          best_score = score;
          g_free (best);
          best = g_steal_pointer (&form);
        }
    }
  return best != NULL ? g_strdup_printf ("; did you mean [%s]?", best) : g_strdup ("");
}

/* "; did you mean 'K'?" for the key of GROUP closest to KEY, or "". */
static char *
key_hint (const MlConfig *cfg, const char *group, const char *key)
{
  const char *best = NULL;
  guint best_score = G_MAXUINT;

  for (gsize i = 0; i < cfg->n_spec; i++)
    {
      const MlConfigSpec *s = &cfg->spec[i];
      guint score;
      if (!group_matches (s->group, group))
        continue;
      score = closeness (key, s->key);
      if (score < best_score)
        {
          best_score = score;
          best = s->key;
        }
    }
  return best != NULL ? g_strdup_printf ("; did you mean '%s'?", best) : g_strdup ("");
}

/* ---- value syntax, shared by checks and getters ---- */

static gboolean
parse_int (const char *text, gint64 *out)
{
  return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, NULL);
}

static gboolean
parse_double (const char *text, double *out)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_bool (const char *text, gboolean *out)
{
  static const char *const yes[] = { "true", "yes", "1" };
  static const char *const no[] = { "false", "no", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0 || g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *out = g_ascii_strcasecmp (text, yes[i]) == 0;
        return TRUE;
      }
  return FALSE;
}

/* "YYYY-MM-DD" of a real date (years 1 to 9999) as days since 1970-01-01. */
static gboolean
parse_date (const char *text, gint32 *out)
{
  static const gsize digits[] = { 0, 1, 2, 3, 5, 6, 8, 9 };
  GDate date, epoch;
  guint y, m, d;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (digits); i++)
    if (!g_ascii_isdigit (text[digits[i]]))
      return FALSE;
  y = (guint) g_ascii_strtoull (text, NULL, 10);
  m = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  d = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_clear (&date, 1);
  g_date_clear (&epoch, 1);
  g_date_set_dmy (&date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  g_date_set_dmy (&epoch, 1, G_DATE_JANUARY, 1970);
  *out = (gint32) g_date_get_julian (&date) - (gint32) g_date_get_julian (&epoch);
  return TRUE;
}

/* The 0-based index of TEXT among the '|'-separated CHOICES, -1 if absent. */
static gint
enum_index (const char *choices, const char *text)
{
  gsize n = strlen (text);
  gint index = 0;

  for (const char *p = choices; p != NULL; index++)
    {
      const char *bar = strchr (p, '|');
      gsize len = bar != NULL ? (gsize) (bar - p) : strlen (p);
      if (len == n && strncmp (p, text, n) == 0)
        return index;
      p = bar != NULL ? bar + 1 : NULL;
    }
  return -1;
}

/* ---- value checks: NULL if TEXT is fine for S, else what is wrong ---- */

static gboolean
has_range (const MlConfigSpec *s)
{
  return !(s->min == 0 && s->max == 0) && s->min <= s->max;
}

/* "TEXT is out of range [MIN, MAX]" if V is outside S's range, else NULL. */
static char *
range_problem (const MlConfigSpec *s, const char *text, double v)
{
  char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

  if (!has_range (s) || (v >= s->min && v <= s->max))
    return NULL;
  g_ascii_formatd (lo, sizeof lo, "%.15g", s->min);
  g_ascii_formatd (hi, sizeof hi, "%.15g", s->max);
  return g_strdup_printf ("%s is out of range [%s, %s]", text, lo, hi);
}

static char *
int_problem (const MlConfigSpec *s, const char *text)
{
  g_autoptr(GError) local = NULL;
  gint64 v;

  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, &local))
    return range_problem (s, text, (double) v);
  if (!g_error_matches (local, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
    return g_strdup_printf ("'%s' is not an integer", text);
  if (has_range (s))
    return range_problem (s, text, text[0] == '-' ? -INFINITY : INFINITY);
  return g_strdup_printf ("%s does not fit in a 64-bit integer", text);
}

static char *
double_problem (const MlConfigSpec *s, const char *text)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0')
    return g_strdup_printf ("'%s' is not a number", text);
  if (!isfinite (v))
    return g_strdup_printf ("'%s' is not a finite number", text);
  return range_problem (s, text, v);
}

static char *
enum_problem (const MlConfigSpec *s, const char *text)
{
  g_auto(GStrv) choices = NULL;
  g_autofree char *list = NULL;
  const char *best = NULL;
  guint best_score = G_MAXUINT;

  if (enum_index (s->choices, text) >= 0)
    return NULL;
  choices = g_strsplit (s->choices, "|", -1);
  for (guint i = 0; choices[i] != NULL; i++)
    {
      guint score = closeness (text, choices[i]);
      if (score < best_score)
        {
          best_score = score;
          best = choices[i];
        }
    }
  list = g_strjoinv (", ", choices);
  if (best != NULL)
    return g_strdup_printf ("'%s' is not one of %s; did you mean '%s'?", text, list, best);
  return g_strdup_printf ("'%s' is not one of %s", text, list);
}

/* What is wrong with TEXT as a value for S, or NULL if nothing.  Caller
 * frees. */
static char *
value_problem (const MlConfigSpec *s, const char *text)
{
  gboolean b;
  gint32 days;

  switch (s->type)
    {
    case ML_CONFIG_INT:
      return int_problem (s, text);
    case ML_CONFIG_DOUBLE:
      return double_problem (s, text);
    case ML_CONFIG_BOOL:
      if (parse_bool (text, &b))
        return NULL;
      return g_strdup_printf ("'%s' is not a boolean (true/false, yes/no, 1/0)", text);
    case ML_CONFIG_STRING:
    case ML_CONFIG_STRING_LIST:
      return NULL;
    case ML_CONFIG_DATE:
      if (parse_date (text, &days))
        return NULL;
      return g_strdup_printf ("'%s' is not a valid date (YYYY-MM-DD)", text);
    case ML_CONFIG_ENUM:
      return enum_problem (s, text);
    }
  g_assert_not_reached ();
  return NULL;
}

/* Whether SPEC is usable: names set, '*' only at the end of a group, enums
 * with choices, defaults that pass their own checks.  Logs a critical naming
 * the first bad entry. */
static gboolean
spec_is_sane (const MlConfigSpec *spec, gsize n_spec)
{
  for (gsize i = 0; i < n_spec; i++)
    {
      const MlConfigSpec *s = &spec[i];
      g_autofree char *problem = NULL;
      const char *star;
      if (s->group == NULL || s->key == NULL || s->group[0] == '\0' || s->key[0] == '\0'
          || (guint) s->type > ML_CONFIG_ENUM || (s->type == ML_CONFIG_ENUM && s->choices == NULL))
        {
          g_critical ("config spec entry %" G_GSIZE_FORMAT " is incomplete", i);
          return FALSE;
        }
      star = strchr (s->group, '*');
      if (star != NULL && star[1] != '\0')
        problem = g_strdup ("'*' must end the group name");
      else if (s->default_value != NULL)
        problem = value_problem (s, s->default_value);
      if (problem != NULL)
        {
          g_critical ("config spec: key '%s' in group [%s]: %s", s->key, s->group, problem);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- the line scanner ---- */

static gboolean
has_control_char (const char *s)
{
  for (; *s != '\0'; s++)
    if (g_ascii_iscntrl (*s))
      return TRUE;
  return FALSE;
}

/* Handle the group header S ("[...]..." with leading blanks removed). */
static gboolean
scan_group (Scanner *sc, char *s, GError **error)
{
  char *close = strchr (s, ']');
  const char *rest = close != NULL ? close + 1 : NULL;
  const char *name = s + 1;
  const Group *dup;

  while (rest != NULL && (*rest == ' ' || *rest == '\t'))
    rest++;
  if (rest == NULL || *rest != '\0')
    return fail (error, sc->cfg, sc->line, "malformed group header '%s'", s);
  *close = '\0';
  if (*name == '\0' || strchr (name, '[') != NULL || has_control_char (name))
    return fail (error, sc->cfg, sc->line, "invalid group name [%s]", name);
  if (!group_is_known (sc->cfg, name))
    {
      g_autofree char *hint = group_hint (sc->cfg, name);
      return fail (error, sc->cfg, sc->line, "unknown group [%s]%s", name, hint);
    }
  dup = find_group (sc->cfg, name);
  if (dup != NULL)
    return fail (error, sc->cfg, sc->line, "duplicate group [%s] (first at line %u)",
                 name, dup->line);
  sc->group = group_add (sc->cfg, name, sc->line);
  return TRUE;
}

/* Decode the GKeyFile escapes of RAW into *TEXT (caller frees). */
static gboolean
decode_value (Scanner *sc, const char *key, const char *raw, char **text, GError **error)
{
  g_autoptr(GError) local = NULL; /* GKeyFile checks escapes only when asked for errors */
  char *decoded;

  g_key_file_set_value (sc->decoder, "g", "k", raw);
  decoded = g_key_file_get_string (sc->decoder, "g", "k", &local);
  if (local != NULL) /* GLib 2.74 sets the error yet returns a string */
    {
      g_free (decoded);
      return fail (error, sc->cfg, sc->line,
                   "key '%s' in group [%s]: '%s' has an invalid escape sequence",
                   key, sc->group->name, raw);
    }
  *text = decoded;
  return TRUE;
}

/* Handle the line S (leading blanks removed) that is not a header, blank
 * or comment: it must be "key = value" for a known, new key. */
static gboolean
scan_key (Scanner *sc, char *s, GError **error)
{
  char *eq = strchr (s, '=');
  const char *key = s;
  char *raw;
  const MlConfigSpec *spec;
  const Value *dup;
  g_autofree char *text = NULL;
  g_autofree char *problem = NULL;

  if (eq == NULL || eq == s)
    return fail (error, sc->cfg, sc->line,
                 "expected '[group]', 'key = value' or '# comment', found '%s'", s);
  *eq = '\0';
  g_strchomp (s);
  raw = g_strchomp (g_strchug (eq + 1));
  if (sc->group == NULL)
    return fail (error, sc->cfg, sc->line, "key '%s' comes before any [group] header", key);
  spec = find_spec (sc->cfg, sc->group->name, key);
  if (spec == NULL)
    {
      g_autofree char *hint = key_hint (sc->cfg, sc->group->name, key);
      return fail (error, sc->cfg, sc->line, "unknown key '%s' in group [%s]%s",
                   key, sc->group->name, hint);
    }
  dup = find_value (sc->group, key);
  if (dup != NULL)
    return fail (error, sc->cfg, sc->line, "duplicate key '%s' in group [%s] (first at line %u)",
                 key, sc->group->name, dup->line);
  if (!decode_value (sc, key, raw, &text, error))
    return FALSE;
  problem = value_problem (spec, text);
  if (problem != NULL)
    return fail (error, sc->cfg, sc->line, "key '%s' in group [%s]: %s",
                 key, sc->group->name, problem);
  {
    Value *v = g_new0 (Value, 1);
    v->key = g_strdup (key);
    v->text = g_steal_pointer (&text);
    v->line = sc->line;
    g_ptr_array_add (sc->group->values, v);
  }
  return TRUE;
}

/* Handle the N bytes at START: one line without its '\n'. */
static gboolean
scan_line (Scanner *sc, const char *start, gsize n, GError **error)
{
  g_autofree char *line = NULL;
  char *s;

  if (n > 0 && start[n - 1] == '\r')
    n--;
  if (!g_utf8_validate (start, (gssize) n, NULL))
    return fail (error, sc->cfg, sc->line, "line is not valid UTF-8 text");
  line = g_strndup (start, n);
  for (s = line; g_ascii_isspace (*s); s++)
    ;
  if (*s == '\0' || *s == '#')
    return TRUE;
  if (*s == '[')
    return scan_group (sc, s, error);
  return scan_key (sc, s, error);
}

/* Read the LEN bytes of DATA into CFG, checking every line. */
static gboolean
scan_data (MlConfig *cfg, const char *data, gsize len, GError **error)
{
  g_autoptr(GKeyFile) decoder = g_key_file_new ();
  Scanner sc = { .cfg = cfg, .decoder = decoder, .group = NULL, .line = 0 };
  const char *p = data, *end = data + len;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *eol = nl != NULL ? nl : end;
      sc.line++;
      if (!scan_line (&sc, p, (gsize) (eol - p), error))
        return FALSE;
      p = nl != NULL ? nl + 1 : end;
    }
  return TRUE;
}

/* ---- construction ---- */

static MlConfig *
config_new (const char *path, const MlConfigSpec *spec, gsize n_spec)
{
  MlConfig *cfg = g_new0 (MlConfig, 1);

  cfg->path = g_strdup (path);
  cfg->spec = spec;
  cfg->n_spec = n_spec;
  cfg->groups = g_ptr_array_new_with_free_func (group_free);
  return cfg;
}

MlConfig *
ml_config_new_defaults (const MlConfigSpec *spec, gsize n_spec)
{
  g_return_val_if_fail (spec != NULL || n_spec == 0, NULL);
  g_return_val_if_fail (spec_is_sane (spec, n_spec), NULL);

  return config_new (NULL, spec, n_spec);
}

MlConfig *
ml_config_load_data (const char *display_name, const char *data, gsize len,
                     const MlConfigSpec *spec, gsize n_spec, GError **error)
{
  g_autoptr(MlConfig) cfg = NULL;
  g_autoptr(GKeyFile) net = g_key_file_new ();
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (spec != NULL || n_spec == 0, NULL);
  g_return_val_if_fail (spec_is_sane (spec, n_spec), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == (gsize) -1)
    len = strlen (data);
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) /* UTF-8 BOM from some editors */
    {
      data += 3;
      len -= 3;
    }
  cfg = config_new (display_name, spec, n_spec);
  if (!scan_data (cfg, data, len, error))
    return NULL;
  /* The scanner follows GKeyFile's grammar; GKeyFile has the last word. */
  if (!g_key_file_load_from_data (net, data, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: %s", display_name, local->message);
      return NULL;
    }
  if (!ml_config_validate (cfg, error))
    return NULL;
  return g_steal_pointer (&cfg);
}

/* Read all of PATH into *DATA and *LEN; ML_ERROR_IO naming PATH. */
static gboolean
read_file (const char *path, char **data, gsize *len, GError **error)
{
  FILE *f = fopen (path, "rb");
  g_autoptr(GString) buf = g_string_new (NULL);
  char chunk[8192];
  size_t n;
  int saved;

  if (f == NULL)
    {
      saved = errno;
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot read '%s': %s", path, g_strerror (saved));
      return FALSE;
    }
  while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
    g_string_append_len (buf, chunk, (gssize) n);
  saved = ferror (f) ? errno : 0;
  fclose (f);
  if (saved != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot read '%s': %s", path, g_strerror (saved));
      return FALSE;
    }
  *len = buf->len;
  *data = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

MlConfig *
ml_config_load (const char *path, const MlConfigSpec *spec, gsize n_spec, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_file (path, &data, &len, error))
    return NULL;
  return ml_config_load_data (path, data, len, spec, n_spec, error);
}

void
ml_config_free (MlConfig *cfg)
{
  if (cfg == NULL)
    return;
  g_free (cfg->path);
  g_ptr_array_unref (cfg->groups);
  g_free (cfg);
}

/* ---- validation and overrides ---- */

/* Whether S's key is set in GROUP; else the error names the group header. */
static gboolean
check_required (const MlConfig *cfg, const MlConfigSpec *s, const char *group, GError **error)
{
  const Group *g = find_group (cfg, group);

  if (find_value (g, s->key) != NULL)
    return TRUE;
  return fail (error, cfg, g != NULL ? g->line : 0,
               "missing required key '%s' in group [%s]", s->key, group);
}

gboolean
ml_config_validate (MlConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (gsize i = 0; i < cfg->n_spec; i++)
    {
      const MlConfigSpec *s = &cfg->spec[i];
      if (!s->required || s->default_value != NULL)
        continue;
      if (!is_pattern (s->group))
        {
          if (!check_required (cfg, s, s->group, error))
            return FALSE;
          continue;
        }
      for (guint j = 0; j < cfg->groups->len; j++)
        {
          const Group *g = g_ptr_array_index (cfg->groups, j);
          if (group_matches (s->group, g->name) && !check_required (cfg, s, g->name, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
ml_config_override (MlConfig *cfg, const char *group, const char *key, const char *value,
                    GError **error)
{
  const MlConfigSpec *spec;
  g_autofree char *text = NULL;
  g_autofree char *problem = NULL;
  Group *g;
  Value *v;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!group_is_known (cfg, group))
    {
      g_autofree char *hint = group_hint (cfg, group);
      return fail (error, cfg, FROM_CLI, "unknown group [%s]%s", group, hint);
    }
  spec = find_spec (cfg, group, key);
  if (spec == NULL)
    {
      g_autofree char *hint = key_hint (cfg, group, key);
      return fail (error, cfg, FROM_CLI, "unknown key '%s' in group [%s]%s", key, group, hint);
    }
  text = g_strstrip (g_strdup (value));
  problem = value_problem (spec, text);
  if (problem != NULL)
    return fail (error, cfg, FROM_CLI, "key '%s' in group [%s]: %s", key, group, problem);
  g = find_group (cfg, group);
  if (g == NULL)
    g = group_add (cfg, group, 0);
  v = find_value (g, key);
  if (v == NULL)
    {
      v = g_new0 (Value, 1);
      v->key = g_strdup (key);
      g_ptr_array_add (g->values, v);
    }
  g_free (v->text);
  v->text = g_steal_pointer (&text);
  v->line = 0;
  return TRUE;
}

/* ---- getters ---- */

/* The spec entry of GROUP/KEY for GETTER, which accepts TYPES (a mask of
 * TYPE_BIT); NULL with a critical if there is none or of another type. */
static const MlConfigSpec *
getter_spec (const MlConfig *cfg, const char *group, const char *key, guint types,
             const char *getter)
{
  const MlConfigSpec *s = find_spec (cfg, group, key);

  if (s == NULL)
    g_critical ("%s: key '%s' in group [%s] is not in the config spec", getter, key, group);
  else if ((types & TYPE_BIT (s->type)) == 0)
    g_critical ("%s: key '%s' in group [%s] has another type", getter, key, group);
  else
    return s;
  return NULL;
}

/* The text of GROUP/KEY for GETTER (see getter_spec()): the value set,
 * else S's default, else NULL. */
static const char *
getter_text (const MlConfig *cfg, const char *group, const char *key, guint types,
             const char *getter)
{
  const MlConfigSpec *s = getter_spec (cfg, group, key, types, getter);
  const Value *v;

  if (s == NULL)
    return NULL;
  v = find_value (find_group (cfg, group), key);
  return v != NULL ? v->text : s->default_value;
}

gint64
ml_config_int (const MlConfig *cfg, const char *group, const char *key)
{
  const char *text;
  gint64 v = 0;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, 0);
  text = getter_text (cfg, group, key, TYPE_BIT (ML_CONFIG_INT), G_STRFUNC);
  if (text != NULL && !parse_int (text, &v))
    g_assert_not_reached ();
  return v;
}

double
ml_config_double (const MlConfig *cfg, const char *group, const char *key)
{
  guint types = TYPE_BIT (ML_CONFIG_DOUBLE) | TYPE_BIT (ML_CONFIG_INT);
  const char *text;
  double v = 0.0;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, 0.0);
  text = getter_text (cfg, group, key, types, G_STRFUNC);
  if (text != NULL && !parse_double (text, &v))
    g_assert_not_reached ();
  return v;
}

gboolean
ml_config_bool (const MlConfig *cfg, const char *group, const char *key)
{
  const char *text;
  gboolean v = FALSE;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, FALSE);
  text = getter_text (cfg, group, key, TYPE_BIT (ML_CONFIG_BOOL), G_STRFUNC);
  if (text != NULL && !parse_bool (text, &v))
    g_assert_not_reached ();
  return v;
}

const char *
ml_config_string (const MlConfig *cfg, const char *group, const char *key)
{
  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, NULL);
  return getter_text (cfg, group, key, ANY_TYPE, G_STRFUNC);
}

char **
ml_config_strv (const MlConfig *cfg, const char *group, const char *key)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  const char *text;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, NULL);
  text = getter_text (cfg, group, key, TYPE_BIT (ML_CONFIG_STRING_LIST), G_STRFUNC);
  parts = g_strsplit_set (text != NULL ? text : "", ",;", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*g_strstrip (parts[i]) != '\0')
      g_ptr_array_add (items, g_strdup (parts[i]));
  g_ptr_array_add (items, NULL);
  g_ptr_array_set_free_func (items, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&items), FALSE);
}

gint32
ml_config_date (const MlConfig *cfg, const char *group, const char *key)
{
  const char *text;
  gint32 v = 0;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, 0);
  text = getter_text (cfg, group, key, TYPE_BIT (ML_CONFIG_DATE), G_STRFUNC);
  if (text != NULL && !parse_date (text, &v))
    g_assert_not_reached ();
  return v;
}

gint
ml_config_enum (const MlConfig *cfg, const char *group, const char *key)
{
  const MlConfigSpec *s;
  const char *text;

  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, -1);
  text = getter_text (cfg, group, key, TYPE_BIT (ML_CONFIG_ENUM), G_STRFUNC);
  if (text == NULL)
    return -1;
  s = find_spec (cfg, group, key);
  return enum_index (s->choices, text);
}

gboolean
ml_config_has (const MlConfig *cfg, const char *group, const char *key)
{
  g_return_val_if_fail (cfg != NULL && group != NULL && key != NULL, FALSE);
  if (getter_spec (cfg, group, key, ANY_TYPE, G_STRFUNC) == NULL)
    return FALSE;
  return find_value (find_group (cfg, group), key) != NULL;
}

char **
ml_config_groups (const MlConfig *cfg, const char *prefix)
{
  GPtrArray *names;

  g_return_val_if_fail (cfg != NULL, NULL);
  names = g_ptr_array_new ();
  for (guint i = 0; i < cfg->groups->len; i++)
    {
      const Group *g = g_ptr_array_index (cfg->groups, i);
      if (prefix == NULL || g_str_has_prefix (g->name, prefix))
        g_ptr_array_add (names, g_strdup (g->name));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

guint
ml_config_line (const MlConfig *cfg, const char *group, const char *key)
{
  const Group *g;
  const Value *v;

  g_return_val_if_fail (cfg != NULL && group != NULL, 0);
  g = find_group (cfg, group);
  if (key == NULL)
    return g != NULL ? g->line : 0;
  v = find_value (g, key);
  return v != NULL ? v->line : 0;
}

const char *
ml_config_path (const MlConfig *cfg)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  return cfg->path;
}

GError *
ml_config_error (const MlConfig *cfg, const char *group, const char *key, const char *format, ...)
{
  const Group *g;
  const Value *v;
  g_autofree char *where = NULL;
  g_autofree char *message = NULL;
  va_list ap;

  g_return_val_if_fail (cfg != NULL && group != NULL && format != NULL, NULL);
  g = find_group (cfg, group);
  v = key != NULL ? find_value (g, key) : NULL;
  if (v != NULL)
    where = place (cfg, v->line != 0 ? v->line : FROM_CLI);
  else
    where = place (cfg, g != NULL ? g->line : 0);
  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (key == NULL)
    return g_error_new (ML_ERROR, ML_ERROR_INPUT, "%sgroup [%s]: %s", where, group, message);
  return g_error_new (ML_ERROR, ML_ERROR_INPUT, "%skey '%s' in group [%s]: %s",
                      where, key, group, message);
}

/* ---- the resolved config as text ---- */

/* Append "KEY=TEXT\n" to OUT with TEXT escaped the GKeyFile way, trailing
 * blanks included (GKeyFile escapes only leading ones). */
static void
append_entry (GString *out, GKeyFile *encoder, const char *key, const char *text)
{
  g_autofree char *raw = NULL;
  gsize n;

  g_key_file_set_string (encoder, "g", "k", text);
  raw = g_key_file_get_value (encoder, "g", "k", NULL);
  n = strlen (raw);
  while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
    n--;
  g_string_append_printf (out, "%s=%.*s", key, (int) n, raw);
  for (const char *p = raw + n; *p != '\0'; p++)
    g_string_append (out, *p == ' ' ? "\\s" : "\\t");
  g_string_append_c (out, '\n');
}

/* Append group NAME with every spec key that has a value or default. */
static void
append_group (const MlConfig *cfg, GString *out, GKeyFile *encoder, const char *name)
{
  if (out->len > 0)
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "[%s]\n", name);
  for (gsize i = 0; i < cfg->n_spec; i++)
    {
      const MlConfigSpec *s = &cfg->spec[i];
      const Value *v;
      const char *text;
      if (!group_matches (s->group, name) || find_spec (cfg, name, s->key) != s)
        continue;
      v = find_value (find_group (cfg, name), s->key);
      text = v != NULL ? v->text : s->default_value;
      if (text != NULL)
        append_entry (out, encoder, s->key, text);
    }
}

char *
ml_config_to_data (const MlConfig *cfg, gsize *length)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GKeyFile) encoder = g_key_file_new ();
  g_autoptr(GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (cfg != NULL, NULL);

  for (gsize i = 0; i < cfg->n_spec; i++)
    {
      const char *pattern = cfg->spec[i].group;
      if (!g_hash_table_add (written, (gpointer) pattern))
        continue;
      if (!is_pattern (pattern))
        {
          append_group (cfg, out, encoder, pattern);
          continue;
        }
      for (guint j = 0; j < cfg->groups->len; j++)
        {
          const Group *g = g_ptr_array_index (cfg->groups, j);
          if (group_matches (pattern, g->name) && g_hash_table_add (written, g->name))
            append_group (cfg, out, encoder, g->name);
        }
    }
  if (length != NULL)
    *length = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ml_config_override_text (MlConfig *cfg, const char *text, GError **error)
{
  const char *eq = strchr (text, '=');
  g_autofree char *name = g_strndup (text, eq != NULL ? (gsize) (eq - text) : 0);
  char *dot = strrchr (name, '.');
  const char *group = name;
  const char *key = "";

  if (dot != NULL)
    {
      *dot = '\0';
      group = g_strstrip (name);
      key = g_strstrip (dot + 1);
    }
  if (eq == NULL || *group == '\0' || *key == '\0')
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "bad override '%s': expected GROUP.KEY=VALUE", text);
      return FALSE;
    }
  return ml_config_override (cfg, group, key, eq + 1, error);
}

gboolean
ml_config_override_all (MlConfig *cfg, const char *const *overrides, GError **error)
{
  for (gsize i = 0; overrides != NULL && overrides[i] != NULL; i++)
    if (!ml_config_override_text (cfg, overrides[i], error))
      return FALSE;
  return TRUE;
}
