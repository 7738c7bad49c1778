/* redact.c -- keep raw handles of imported real logs out of a report.
 *
 * A table from raw handle to "anon-N" label, filled in first-use order,
 * and one GRegex for handle-like tokens in free text.  Labels are owned by
 * the table, so ml_redact_handle() can hand out borrowed strings.
 */
#include <string.h>

#include "reports/redact.h"

/* "+" and 7-15 digits (E.164), a tel:/sms:/mailto: URI, an e-mail address. */
#define TOKEN_PATTERN \
  "(?:tel|sms|mailto):[^\\s,;\"<>]+" \
  "|\\+[0-9]{7,15}\\b" \
  "|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"

struct MlRedactor {
  gboolean active;
  GHashTable *labels;   /* raw handle -> "anon-N" (both owned) */
  GRegex *token;        /* TOKEN_PATTERN, compiled when active */
};

MlRedactor *
ml_redactor_new (gboolean active)
{
  MlRedactor *r = g_new0 (MlRedactor, 1);

  r->active = active;
  r->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (active)
    {
      r->token = g_regex_new (TOKEN_PATTERN, G_REGEX_OPTIMIZE, 0, NULL);
      g_assert (r->token != NULL);
    }
  return r;
}

void
ml_redactor_free (MlRedactor *r)
{
  if (r == NULL)
    return;
  g_hash_table_unref (r->labels);
  if (r->token != NULL)
    g_regex_unref (r->token);
  g_free (r);
}

gboolean
ml_redactor_is_active (const MlRedactor *r)
{
  return r != NULL && r->active;
}

gboolean
ml_redact_is_pseudonym (const char *text)
{
  if (text == NULL || strlen (text) != 18 || text[0] != 'h' || text[1] != '-')
    return FALSE;
  for (int i = 2; i < 18; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

const char *
ml_redact_handle (MlRedactor *r, const char *handle)
{
  const char *label;

  g_return_val_if_fail (r != NULL, handle);
  if (!r->active || handle == NULL || *handle == '\0' || strcmp (handle, "all") == 0
      || ml_redact_is_pseudonym (handle) || g_str_has_prefix (handle, "anon-"))
    return handle;
  label = g_hash_table_lookup (r->labels, handle);
  if (label == NULL)
    {
      char *fresh = g_strdup_printf ("anon-%u", g_hash_table_size (r->labels) + 1);
      g_hash_table_insert (r->labels, g_strdup (handle), fresh);
      label = fresh;
    }
  return label;
}

static gboolean
replace_token (const GMatchInfo *m, GString *out, gpointer data)
{
  g_autofree char *token = g_match_info_fetch (m, 0);

  g_string_append (out, ml_redact_handle (data, token));
  return FALSE;
}

char *
ml_redact_text (MlRedactor *r, const char *text)
{
  g_return_val_if_fail (r != NULL, NULL);
  if (text == NULL)
    return NULL;
  if (!r->active || strpbrk (text, "+@:") == NULL)   /* every token has one of these */
    return g_strdup (text);
  return g_regex_replace_eval (r->token, text, -1, 0, 0, replace_token, r, NULL);
}
