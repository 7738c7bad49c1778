/* csv.c -- CSV tables: parsing, quoting, and the report's data/ copies.
 *
 * The parser is a small state machine over the whole text (fields are
 * copied out; the text itself is not modified).  A plain copy is
 * g_file_copy(); a redacting copy streams the table record by record, so
 * a large table is never held whole.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "common/errors.h"
#include "reports/csv.h"

typedef struct {
  const char *p, *end;
  int line;
} Scan;

/* One field at S->p, up to (not past) its ',' or line end.  NULL + error
 * for an unterminated quote or text after a closing quote. */
static char *
scan_field (Scan *s, GError **error)
{
  g_autoptr(GString) f = g_string_new (NULL);
  const char *q;

  if (s->p >= s->end || *s->p != '"')
    {
      for (q = s->p; q < s->end && *q != ',' && *q != '\n' && *q != '\r'; q++)
        ;
      g_string_append_len (f, s->p, q - s->p);
      s->p = q;
      return g_string_free (g_steal_pointer (&f), FALSE);
    }
  for (s->p++;; s->p++)
    {
      if (s->p >= s->end)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "line %d: unterminated quoted field", s->line);
          return NULL;
        }
      if (*s->p == '"' && s->p + 1 < s->end && s->p[1] == '"')
        s->p++;
      else if (*s->p == '"')
        break;
      else if (*s->p == '\n')
        s->line++;
      g_string_append_c (f, *s->p);
    }
  s->p++;
  if (s->p < s->end && *s->p != ',' && *s->p != '\n' && *s->p != '\r')
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "line %d: text after a closing quote", s->line);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&f), FALSE);
}

/* One record at S->p (which is at a record start), through its line end. */
static char **
scan_record (Scan *s, GError **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      char *f = scan_field (s, error);
      if (f == NULL)
        return NULL;
      g_ptr_array_add (fields, f);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          continue;
        }
      break;
    }
  if (s->p < s->end && *s->p == '\r')
    s->p++;
  if (s->p < s->end && *s->p == '\n')
    s->p++;
  s->line++;
  g_ptr_array_add (fields, NULL);
  g_ptr_array_set_free_func (fields, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
}

/* Skip a line that is blank or (with COMMENTS) a '#' comment; FALSE if
 * S->p starts a record. */
static gboolean
skip_line (Scan *s, gboolean comments)
{
  const char *q;

  if (*s->p != '\n' && *s->p != '\r' && !(comments && *s->p == '#'))
    return FALSE;
  q = memchr (s->p, '\n', s->end - s->p);
  s->p = q != NULL ? q + 1 : s->end;
  s->line++;
  return TRUE;
}

GPtrArray *
ml_csv_parse (const char *text, gsize len, gboolean comments, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  Scan s = { text, text + len, 1 };

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  while (s.p < s.end)
    {
      char **row;
      if (skip_line (&s, comments))
        continue;
      if ((row = scan_record (&s, error)) == NULL)
        return NULL;
      g_ptr_array_add (rows, row);
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
ml_csv_load (const char *path, gboolean comments, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  GPtrArray *rows;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no such file", path);
      else
        g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: %s", path, local->message);
      return NULL;
    }
  if ((rows = ml_csv_parse (text, len, comments, error)) == NULL)
    g_prefix_error (error, "%s: ", path);
  return rows;
}

void
ml_csv_append_row (GString *out, char *const *fields)
{
  for (gsize i = 0; fields[i] != NULL; i++)
    {
      const char *f = fields[i];
      if (i > 0)
        g_string_append_c (out, ',');
      if (strpbrk (f, ",\"\r\n") == NULL)
        {
          g_string_append (out, f);
          continue;
        }
      g_string_append_c (out, '"');
      for (const char *c = f; *c != '\0'; c++)
        {
          if (*c == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *c);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '\n');
}

gboolean
ml_csv_is_handle_column (const char *name)
{
  static const char *const handle_columns[] = { "target", "handle", "source", "lookup", "top_hub", "scope" };

  for (gsize i = 0; i < G_N_ELEMENTS (handle_columns); i++)
    if (strcmp (name, handle_columns[i]) == 0)
      return TRUE;
  return FALSE;
}

/* ROW with handles replaced: every field of a handle column (HEADER
 * decides which) through ml_redact_handle(), every other through
 * ml_redact_text(). */
static void
redact_row (char **row, char *const *header, MlRedactor *r)
{
  guint n_header = g_strv_length ((char **) header);

  for (gsize c = 0; row[c] != NULL; c++)
    {
      gboolean handle_col = c < n_header && ml_csv_is_handle_column (header[c]);
      char *v = handle_col ? g_strdup (ml_redact_handle (r, row[c])) : ml_redact_text (r, row[c]);
      g_free (row[c]);
      row[c] = v;
    }
}

/* Parse the complete record TEXT and append it, redacted unless it is the
 * header (then kept in *HEADER), to OUT. */
static gboolean
redact_record (const GString *text, char ***header, MlRedactor *r, GString *out, GError **error)
{
  g_autoptr(GPtrArray) rows = ml_csv_parse (text->str, text->len, FALSE, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      if (*header == NULL)
        *header = g_strdupv (row);
      else
        redact_row (row, *header, r);
      ml_csv_append_row (out, row);
    }
  return TRUE;
}

/* Append the complete record RECORD, redacted, to TO and empty RECORD. */
static gboolean
flush_record (GString *record, char ***header, MlRedactor *r, FILE *to, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!redact_record (record, header, r, out, error))
    return FALSE;
  g_string_truncate (record, 0);
  if (fwrite (out->str, 1, out->len, to) != out->len)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot write: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* IN to TO record by record (a record ends at a line end outside quotes). */
static gboolean
redact_stream (FILE *in, FILE *to, MlRedactor *r, GError **error)
{
  g_autoptr(GString) record = g_string_new (NULL);
  g_auto(GStrv) header = NULL;
  g_autofree char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  gboolean in_quotes = FALSE;

  while ((n = getline (&line, &cap, in)) >= 0)
    {
      g_string_append_len (record, line, n);
      for (ssize_t i = 0; i < n; i++)
        in_quotes ^= line[i] == '"';
      if (!in_quotes && !flush_record (record, &header, r, to, error))
        return FALSE;
    }
  if (ferror (in))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot read: %s", g_strerror (errno));
      return FALSE;
    }
  return record->len == 0 || flush_record (record, &header, r, to, error);
}

/* Copy SRC to DST redacted, streaming: tables of imported logs can be large. */
static gboolean
copy_redacted (const char *src, const char *dst, MlRedactor *r, GError **error)
{
  FILE *in = fopen (src, "r"), *to;
  gboolean ok;

  if (in == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: %s", src, g_strerror (errno));
      return FALSE;
    }
  if ((to = fopen (dst, "w")) == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", dst, g_strerror (errno));
      fclose (in);
      return FALSE;
    }
  ok = redact_stream (in, to, r, error);
  fclose (in);
  if (fclose (to) != 0 && ok)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", dst, g_strerror (errno));
      return FALSE;
    }
  if (!ok)
    g_prefix_error (error, "%s: ", src);
  return ok;
}

/* Copy one table SRC to DST: as it is when R is inactive, else redacted. */
static gboolean
copy_table (const char *src, const char *dst, MlRedactor *r, GError **error)
{
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;
  g_autoptr(GError) local = NULL;

  if (ml_redactor_is_active (r))
    return copy_redacted (src, dst, r, error);
  from = g_file_new_for_path (src);
  to = g_file_new_for_path (dst);
  if (!g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &local))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot copy to %s: %s", src, dst, local->message);
      return FALSE;
    }
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

gboolean
ml_csv_copy_tables (const char *tables_dir, const char *data_dir, MlRedactor *r,
                    GPtrArray **names_out, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_return_val_if_fail (tables_dir != NULL && data_dir != NULL && r != NULL, FALSE);
  if ((dir = g_dir_open (tables_dir, 0, NULL)) == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no such directory", tables_dir);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".csv"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *src = g_build_filename (tables_dir, g_ptr_array_index (names, i), NULL);
      g_autofree char *dst = g_build_filename (data_dir, g_ptr_array_index (names, i), NULL);
      if (!copy_table (src, dst, r, error))
        return FALSE;
    }
  if (names_out != NULL)
    *names_out = g_steal_pointer (&names);
  return TRUE;
}
