/* brief.c -- brief.md: one page for policy readers.
 *
 * Short by construction: at most a handful of key numbers, one table row
 * per order, the caveats.  Text from the analysis is escaped for Markdown
 * so that a '*' or '|' in it cannot change the layout.
 */
#include <string.h>

#include "common/outdir.h"
#include "reports/brief.h"

/* TEXT with Markdown's active characters backslash-escaped. */
static void
md (GString *out, const char *text)
{
  for (const char *c = text != NULL ? text : ""; *c != '\0'; c++)
    {
      if (strchr ("\\`*_[]<>|", *c) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *c == '\n' ? ' ' : *c);
    }
}

static void
brief_top (GString *out, const MlReportDoc *doc)
{
  g_autofree char *scenario = ml_narrative_scenario (doc->cd);
  g_autofree char *kase = ml_narrative_case (doc->cd);
  g_autofree char *headline = ml_narrative_headline (doc->cd);

  g_string_append (out, "# What the lookup log revealed: case ");
  md (out, doc->cd->name);
  g_string_append (out, "\n\n*Data: ");
  md (out, scenario);
  g_string_append (out, ". Legal process: ");
  md (out, kase);
  g_string_append (out, ".*\n\n");
  g_string_append_printf (out, "*Generated %s by metaleak %s.*\n\n**", doc->generated, PACKAGE_VERSION);
  md (out, headline);
  g_string_append (out, "**\n\n");
}

static void
brief_numbers (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) keys = ml_narrative_key_numbers (doc->cd);

  if (keys->len == 0)
    return;
  g_string_append (out, "## Key numbers\n\n");
  for (guint i = 0; i < keys->len; i++)
    {
      const MlKeyNumber *k = g_ptr_array_index (keys, i);
      g_string_append (out, "- **");
      md (out, k->value);
      g_string_append (out, "** ");
      md (out, k->label);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static void
brief_table (GString *out, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_string_append (out, "|");
      for (gsize c = 0; row[c] != NULL; c++)
        {
          g_string_append_c (out, ' ');
          md (out, row[c]);
          g_string_append (out, " |");
        }
      g_string_append_c (out, '\n');
      if (i == 0)
        {
          g_string_append (out, "|");
          for (gsize c = 0; row[c] != NULL; c++)
            g_string_append (out, c == 0 ? "---|" : "---:|");
          g_string_append_c (out, '\n');
        }
    }
  g_string_append_c (out, '\n');
}

static void
brief_orders (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) rows = ml_narrative_leakage_table (doc->cd);
  g_autoptr(GPtrArray) steps = ml_narrative_order_steps (doc->cd);

  g_string_append (out, "## What each additional order adds\n\n");
  brief_table (out, rows);
  for (guint i = 0; i < steps->len; i++)
    {
      g_string_append (out, "- ");
      md (out, g_ptr_array_index (steps, i));
      g_string_append_c (out, '\n');
    }
  if (steps->len > 0)
    g_string_append_c (out, '\n');
}

static void
brief_caveats (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) caveats = ml_narrative_caveats (doc->cd);

  g_string_append (out, "## Caveats\n\n");
  for (guint i = 0; i < caveats->len; i++)
    {
      g_string_append (out, "- ");
      md (out, g_ptr_array_index (caveats, i));
      g_string_append_c (out, '\n');
    }
  g_string_append (out, "\nThe full report, with every plot, its data and the model sources: index.html.\n");
}

char *
ml_brief_render (const MlReportDoc *doc)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (doc != NULL && doc->cd != NULL && doc->generated != NULL, NULL);
  brief_top (out, doc);
  brief_numbers (out, doc);
  brief_orders (out, doc);
  brief_caveats (out, doc);
  return g_string_free (out, FALSE);
}

gboolean
ml_brief_write (const MlReportDoc *doc, const char *path, GError **error)
{
  g_autofree char *text = ml_brief_render (doc);

  return ml_write_file_atomic (path, text, -1, error);
}
