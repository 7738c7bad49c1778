/* cdr-output.c -- indicator rows as CSV or JSON, the way bandicoot exports them.
 *
 * CSV (bandicoot's to_csv): a header "name,KEY,..." and one row per user;
 * None is an empty field, booleans True/False, the weekend [6, 7].  Unlike
 * bandicoot, numbers are not rounded to 5 digits: every double is printed
 * as the shortest text that reads back exactly, as Python's repr() does
 * (common/dtoa.h: a tenth of the cost of printf's "%.17g").
 * JSON (bandicoot's to_json, flattened): {"USER": {"name": "USER",
 * "KEY": value, ...}, ...} with 4-space indents.
 *
 * Rows are written as they come, so memory does not grow with the number of
 * users.  Rows are formatted on the workers (ml_cdr_writer_format) and
 * written in order by the calling thread (ml_cdr_writer_put).  Workload:
 * ~100 values per user, 10^5 doubles for a benchmark run.
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "analyze/cdr.h"
#include "common/errors.h"
#include "common/dtoa.h"
#include "common/json.h"
#include "common/timeutil.h"

struct MlCdrWriter {
  FILE *out;            /* borrowed */
  MlCdrFormat format;
  GPtrArray *keys;      /* borrowed */
  GString *line;        /* reused per row */
  guint64 rows;         /* rows written */
};

/* I in decimal. */
static void
append_int (GString *s, gint64 i)
{
  char buf[24], *p = buf + sizeof buf;
  guint64 u = i < 0 ? -(guint64) i : (guint64) i;

  do
    *--p = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  if (i < 0)
    *--p = '-';
  g_string_append_len (s, p, buf + sizeof buf - p);
}

/* D as the shortest text that reads back to D exactly, as Python's repr()
 * writes it ("1.0", "0.1", "1e-05"; common/dtoa.h), and integral values
 * below 10^15 through the integer path ("12.0"; -0.0 prints "0.0"). */
static void
append_double (GString *s, double d)
{
  char buf[ML_DTOA_BUF_SIZE];

  if (isnan (d) || isinf (d))
    {
      g_string_append (s, isnan (d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      return;
    }
  if (d == floor (d) && fabs (d) < 1e15)
    {
      append_int (s, (gint64) d);
      g_string_append_len (s, ".0", 2);
      return;
    }
  g_string_append_len (s, buf, (gssize) ml_dtoa (d, buf));
}

static void
append_datetime (GString *s, gint64 t)
{
  int y, m, d, sec = ml_second_of_day (t);

  ml_day_to_ymd (ml_day_of (t), &y, &m, &d);
  g_string_append_printf (s, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, sec / 3600, sec / 60 % 60, sec % 60);
}

static void
append_weekdays (GString *s, guint days)
{
  gboolean first = TRUE;

  g_string_append_c (s, '[');
  for (int d = 1; d <= 7; d++)
    if (days & (1u << d))
      {
        g_string_append_printf (s, first ? "%d" : ", %d", d);
        first = FALSE;
      }
  g_string_append_c (s, ']');
}

static void
append_json_string (GString *s, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  ml_json_string (s, valid);
}

/* V as text, without quoting (CSV) or JSON-quoted. */
static void
append_value (GString *s, const MlCdrValue *v, gboolean json)
{
  switch (v->type)
    {
    case ML_CDR_VAL_NULL: g_string_append (s, json ? "null" : ""); break;
    case ML_CDR_VAL_BOOL: g_string_append (s, v->v.i ? (json ? "true" : "True") : (json ? "false" : "False")); break;
    case ML_CDR_VAL_INT: append_int (s, v->v.i); break;
    case ML_CDR_VAL_REAL: append_double (s, v->v.d); break;
    case ML_CDR_VAL_WEEKDAYS: append_weekdays (s, (guint) v->v.i); break;
    case ML_CDR_VAL_DATETIME:
    case ML_CDR_VAL_CLOCK:
    case ML_CDR_VAL_STRING:
      {
        g_autoptr(GString) t = g_string_new (NULL);
        if (v->type == ML_CDR_VAL_DATETIME)
          append_datetime (t, v->v.i);
        else if (v->type == ML_CDR_VAL_CLOCK)
          g_string_append_printf (t, "%02d:%02d:%02d", (int) (v->v.i / 3600), (int) (v->v.i / 60 % 60), (int) (v->v.i % 60));
        else
          g_string_append (t, v->v.s);
        if (json)
          append_json_string (s, t->str);
        else
          g_string_append (s, t->str);
        break;
      }
    }
}

void
ml_cdr_value_append_json (GString *s, const MlCdrValue *v)
{
  append_value (s, v, TRUE);
}

/* TEXT as one CSV field, quoted when it holds a comma, quote or newline. */
static void
append_csv_field (GString *s, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (s, text);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

MlCdrWriter *
ml_cdr_writer_new (FILE *out, MlCdrFormat format, GPtrArray *keys)
{
  MlCdrWriter *w = g_new0 (MlCdrWriter, 1);

  w->out = out;
  w->format = format;
  w->keys = keys;
  w->line = g_string_sized_new (4096);
  return w;
}

void
ml_cdr_writer_free (MlCdrWriter *w)
{
  if (w == NULL)
    return;
  g_string_free (w->line, TRUE);
  g_free (w);
}

static gboolean
flush_line (MlCdrWriter *w, GError **error)
{
  if (fwrite (w->line->str, 1, w->line->len, w->out) != w->line->len)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot write indicators: %s", g_strerror (errno));
      return FALSE;
    }
  g_string_truncate (w->line, 0);
  return TRUE;
}

static void
csv_row (GString *out, const char *name, const GArray *values)
{
  g_autoptr(GString) field = g_string_new (NULL);

  append_csv_field (out, name);
  for (guint i = 0; i < values->len; i++)
    {
      const MlCdrValue *v = &g_array_index (values, MlCdrValue, i);
      g_string_append_c (out, ',');
      if (v->type == ML_CDR_VAL_NULL || v->type == ML_CDR_VAL_BOOL || v->type == ML_CDR_VAL_INT
          || v->type == ML_CDR_VAL_REAL)
        {
          append_value (out, v, FALSE);   /* never needs quotes */
          continue;
        }
      g_string_truncate (field, 0);
      append_value (field, v, FALSE);
      append_csv_field (out, field->str);
    }
  g_string_append_c (out, '\n');
}

static void
json_row (GString *out, GPtrArray *keys, const char *name, const GArray *values)
{
  append_json_string (out, name);
  g_string_append (out, ": {\n        \"name\": ");
  append_json_string (out, name);
  for (guint i = 0; i < values->len; i++)
    {
      g_string_append (out, ",\n        ");
      append_json_string (out, g_ptr_array_index (keys, i));
      g_string_append (out, ": ");
      append_value (out, &g_array_index (values, MlCdrValue, i), TRUE);
    }
  g_string_append (out, "\n    }");
}

void
ml_cdr_writer_format (const MlCdrWriter *w, const char *name, const GArray *values, GString *out)
{
  g_return_if_fail (w != NULL && name != NULL && values != NULL && out != NULL);
  g_return_if_fail (values->len == w->keys->len);
  if (w->format == ML_CDR_FORMAT_CSV)
    csv_row (out, name, values);
  else
    json_row (out, w->keys, name, values);
}

static void
csv_header (MlCdrWriter *w)
{
  g_string_append (w->line, "name");
  for (guint i = 0; i < w->keys->len; i++)
    g_string_append_printf (w->line, ",%s", (const char *) g_ptr_array_index (w->keys, i));
  g_string_append_c (w->line, '\n');
}

gboolean
ml_cdr_writer_put (MlCdrWriter *w, const GString *row, GError **error)
{
  g_return_val_if_fail (w != NULL && row != NULL, FALSE);
  if (w->format == ML_CDR_FORMAT_JSON)
    g_string_append (w->line, w->rows == 0 ? "{\n    " : ",\n    ");
  else if (w->rows == 0)
    csv_header (w);
  w->rows++;
  if (!flush_line (w, error))
    return FALSE;
  if (fwrite (row->str, 1, row->len, w->out) != row->len)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot write indicators: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
ml_cdr_writer_row (MlCdrWriter *w, const char *name, const GArray *values, GError **error)
{
  g_autoptr(GString) row = g_string_new (NULL);

  g_return_val_if_fail (w != NULL && name != NULL && values != NULL, FALSE);
  g_return_val_if_fail (values->len == w->keys->len, FALSE);
  ml_cdr_writer_format (w, name, values, row);
  return ml_cdr_writer_put (w, row, error);
}

gboolean
ml_cdr_writer_finish (MlCdrWriter *w, GError **error)
{
  g_return_val_if_fail (w != NULL, FALSE);
  if (w->format == ML_CDR_FORMAT_JSON)
    g_string_append (w->line, w->rows == 0 ? "{}\n" : "\n}\n");
  else if (w->rows == 0)
    csv_header (w);
  if (!flush_line (w, error))
    return FALSE;
  if (fflush (w->out) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "cannot write indicators: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
