/* json.c -- JSON for metaleak's own small documents: a reader and a string
 * writer.
 *
 * A recursive-descent parser over a NUL-free byte range that builds MlJson
 * nodes; numbers go through g_ascii_strtod (locale-independent), strings
 * are unescaped into UTF-8 (\uXXXX with surrogate pairs).  The first error
 * stops the parse and names the line.  Workload: one small file per report;
 * clarity over speed.
 */
#include <string.h>

#include "common/errors.h"
#include "common/json.h"

#define MAX_DEPTH 64

struct MlJson {
  MlJsonType type;
  gboolean b;        /* ML_JSON_BOOL */
  double num;        /* ML_JSON_NUMBER */
  char *str;         /* ML_JSON_STRING */
  GPtrArray *keys;   /* ML_JSON_OBJECT: char *, parallel to items */
  GPtrArray *items;  /* ML_JSON_ARRAY, ML_JSON_OBJECT: MlJson * */
};

typedef struct {
  const char *p, *end;
  int line;
  int depth;
} Parser;

static MlJson *parse_value (Parser *ps, GError **error);

static MlJson *
node_new (MlJsonType type)
{
  MlJson *j = g_new0 (MlJson, 1);

  j->type = type;
  if (type == ML_JSON_ARRAY || type == ML_JSON_OBJECT)
    j->items = g_ptr_array_new_with_free_func ((GDestroyNotify) ml_json_free);
  if (type == ML_JSON_OBJECT)
    j->keys = g_ptr_array_new_with_free_func (g_free);
  return j;
}

void
ml_json_free (MlJson *j)
{
  if (j == NULL)
    return;
  g_free (j->str);
  if (j->keys != NULL)
    g_ptr_array_unref (j->keys);
  if (j->items != NULL)
    g_ptr_array_unref (j->items);
  g_free (j);
}

static gboolean
fail (Parser *ps, GError **error, const char *what)
{
  if (ps->p >= ps->end)
    g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "line %d: %s at end of file", ps->line, what);
  else
    g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "line %d: %s at '%c'", ps->line, what, *ps->p);
  return FALSE;
}

static gpointer
fail_null (Parser *ps, GError **error, const char *what)
{
  fail (ps, error, what);
  return NULL;
}

static void
skip_space (Parser *ps)
{
  while (ps->p < ps->end && strchr (" \t\r\n", *ps->p) != NULL)
    {
      if (*ps->p == '\n')
        ps->line++;
      ps->p++;
    }
}

/* Consume the literal WORD if it is next. */
static gboolean
take_word (Parser *ps, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (ps->end - ps->p) < n || memcmp (ps->p, word, n) != 0)
    return FALSE;
  ps->p += n;
  return TRUE;
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* After a "\u": the code point of one escape or a surrogate pair; -1 bad. */
static gunichar
unicode_escape (Parser *ps)
{
  int hi, lo;

  if (ps->end - ps->p < 4 || (hi = hex4 (ps->p)) < 0)
    return (gunichar) -1;
  ps->p += 4;
  if (hi < 0xD800 || hi > 0xDFFF)
    return (gunichar) hi;
  if (hi > 0xDBFF || ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u'
      || (lo = hex4 (ps->p + 2)) < 0xDC00 || lo > 0xDFFF)
    return (gunichar) -1;
  ps->p += 6;
  return 0x10000 + (((gunichar) hi - 0xD800) << 10) + ((gunichar) lo - 0xDC00);
}

/* One escape after the backslash, appended to OUT. */
static gboolean
parse_escape (Parser *ps, GString *out, GError **error)
{
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *hit;
  gunichar c;

  if (ps->p >= ps->end)
    return fail (ps, error, "unfinished escape");
  if (*ps->p != 'u')
    {
      if ((hit = strchr (from, *ps->p)) == NULL || *ps->p == '\0')
        return fail (ps, error, "bad escape");
      g_string_append_c (out, to[hit - from]);
      ps->p++;
      return TRUE;
    }
  ps->p++;
  c = unicode_escape (ps);
  if (c == (gunichar) -1 || c == 0)
    return fail (ps, error, "bad \\u escape");
  g_string_append_unichar (out, c);
  return TRUE;
}

/* A string; PS->p is at the opening quote.  Returns it newly allocated. */
static char *
parse_string (Parser *ps, GError **error)
{
  g_autoptr(GString) s = g_string_new (NULL);

  ps->p++;
  while (ps->p < ps->end && *ps->p != '"')
    {
      if ((guchar) *ps->p < 0x20)
        {
          fail (ps, error, "control character in string");
          return NULL;
        }
      if (*ps->p == '\\')
        {
          ps->p++;
          if (!parse_escape (ps, s, error))
            return NULL;
          continue;
        }
      g_string_append_c (s, *ps->p++);
    }
  if (ps->p >= ps->end)
    {
      fail (ps, error, "unterminated string");
      return NULL;
    }
  ps->p++;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static MlJson *
parse_number (Parser *ps, GError **error)
{
  const char *start = ps->p;
  g_autofree char *text = NULL;
  char *endp = NULL;
  MlJson *j;

  while (ps->p < ps->end && strchr ("+-0123456789.eE", *ps->p) != NULL)
    ps->p++;
  text = g_strndup (start, ps->p - start);
  j = node_new (ML_JSON_NUMBER);
  j->num = g_ascii_strtod (text, &endp);
  if (*text == '\0' || *endp != '\0' || *text == '+' || (text[0] == '0' && g_ascii_isdigit (text[1]))
      || (text[0] == '-' && !g_ascii_isdigit (text[1])))
    {
      ps->p = start;
      fail (ps, error, "bad number");
      ml_json_free (j);
      return NULL;
    }
  return j;
}

/* A member's name and its colon, the name appended to J's keys. */
static gboolean
parse_member_name (Parser *ps, MlJson *j, GError **error)
{
  char *key;

  if (ps->p >= ps->end || *ps->p != '"')
    return fail (ps, error, "expected a member name");
  if ((key = parse_string (ps, error)) == NULL)
    return FALSE;
  g_ptr_array_add (j->keys, key);
  skip_space (ps);
  if (ps->p >= ps->end || *ps->p != ':')
    return fail (ps, error, "expected ':'");
  ps->p++;
  return TRUE;
}

/* Elements of an array or members of an object; PS->p is at the bracket. */
static MlJson *
parse_container (Parser *ps, gboolean object, GError **error)
{
  g_autoptr(MlJson) j = node_new (object ? ML_JSON_OBJECT : ML_JSON_ARRAY);
  char close = object ? '}' : ']';

  if (++ps->depth > MAX_DEPTH)
    return fail_null (ps, error, "nesting too deep");
  ps->p++;
  skip_space (ps);
  if (ps->p < ps->end && *ps->p == close)
    {
      ps->p++;
      ps->depth--;
      return g_steal_pointer (&j);
    }
  for (;;)
    {
      MlJson *item;
      skip_space (ps);
      if (object && !parse_member_name (ps, j, error))
        return NULL;
      if ((item = parse_value (ps, error)) == NULL)
        return NULL;
      g_ptr_array_add (j->items, item);
      skip_space (ps);
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          continue;
        }
      if (ps->p < ps->end && *ps->p == close)
        break;
      return fail_null (ps, error, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  ps->p++;
  ps->depth--;
  return g_steal_pointer (&j);
}

static MlJson *
parse_value (Parser *ps, GError **error)
{
  MlJson *j;

  skip_space (ps);
  if (ps->p >= ps->end)
    return fail_null (ps, error, "expected a value");
  switch (*ps->p)
    {
    case '{':
      return parse_container (ps, TRUE, error);
    case '[':
      return parse_container (ps, FALSE, error);
    case '"':
      j = node_new (ML_JSON_STRING);
      if ((j->str = parse_string (ps, error)) == NULL)
        g_clear_pointer (&j, ml_json_free);
      return j;
    default:
      break;
    }
  if (take_word (ps, "null"))
    return node_new (ML_JSON_NULL);
  if (take_word (ps, "true") || take_word (ps, "false"))
    {
      j = node_new (ML_JSON_BOOL);
      j->b = ps->p[-1] == 'e' && ps->p[-2] == 'u';   /* "true", not "false" */
      return j;
    }
  if (*ps->p == '-' || g_ascii_isdigit (*ps->p))
    return parse_number (ps, error);
  return fail_null (ps, error, "expected a value");
}

MlJson *
ml_json_parse (const char *text, gssize len, GError **error)
{
  g_autoptr(MlJson) j = NULL;
  Parser ps = { 0 };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (len < 0)
    len = (gssize) strlen (text);
  if (!g_utf8_validate_len (text, (gsize) len, NULL) || memchr (text, '\0', (gsize) len) != NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "not UTF-8 text");
      return NULL;
    }
  ps.p = text;
  ps.end = text + len;
  ps.line = 1;
  if ((j = parse_value (&ps, error)) == NULL)
    return NULL;
  skip_space (&ps);
  if (ps.p < ps.end)
    return fail_null (&ps, error, "text after the value");
  return g_steal_pointer (&j);
}

MlJson *
ml_json_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  MlJson *j;

  g_return_val_if_fail (path != NULL, NULL);
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no such file", path);
      else
        g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: %s", path, local->message);
      return NULL;
    }
  if ((j = ml_json_parse (text, (gssize) len, error)) == NULL)
    g_prefix_error (error, "%s: ", path);
  return j;
}

MlJsonType
ml_json_type (const MlJson *j)
{
  g_return_val_if_fail (j != NULL, ML_JSON_NULL);
  return j->type;
}

const MlJson *
ml_json_member (const MlJson *j, const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  if (j == NULL || j->type != ML_JSON_OBJECT)
    return NULL;
  for (guint i = 0; i < j->keys->len; i++)
    if (strcmp (g_ptr_array_index (j->keys, i), key) == 0)
      return g_ptr_array_index (j->items, i);
  return NULL;
}

guint
ml_json_length (const MlJson *j)
{
  return j != NULL && j->items != NULL ? j->items->len : 0;
}

const MlJson *
ml_json_element (const MlJson *j, guint i)
{
  if (j == NULL || j->type != ML_JSON_ARRAY || i >= j->items->len)
    return NULL;
  return g_ptr_array_index (j->items, i);
}

const char *
ml_json_key (const MlJson *j, guint i)
{
  if (j == NULL || j->type != ML_JSON_OBJECT || i >= j->keys->len)
    return NULL;
  return g_ptr_array_index (j->keys, i);
}

const MlJson *
ml_json_value (const MlJson *j, guint i)
{
  if (j == NULL || j->type != ML_JSON_OBJECT || i >= j->items->len)
    return NULL;
  return g_ptr_array_index (j->items, i);
}

const char *
ml_json_text (const MlJson *j)
{
  return j != NULL && j->type == ML_JSON_STRING ? j->str : NULL;
}

gboolean
ml_json_double (const MlJson *j, double *out)
{
  if (j == NULL || j->type != ML_JSON_NUMBER)
    return FALSE;
  if (out != NULL)
    *out = j->num;
  return TRUE;
}

gboolean
ml_json_is_true (const MlJson *j)
{
  return j != NULL && j->type == ML_JSON_BOOL && j->b;
}

void
ml_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}
