/* plot.c -- the report's plots: data files, gnuplot scripts, captions.
 *
 * The plot list and the parts every plot shares: the .dat header and
 * number format, and the .gp frame around a writer's plot commands.  The
 * frame loops over the requested formats, so one script draws the PNG,
 * the SVG or both:
 *
 *   formats = "png svg"
 *   do for [fmt in formats] {
 *     if (fmt eq "svg") { set terminal svg ... } else { set terminal pngcairo ... }
 *     set output "NAME." . fmt
 *     ...the writer's commands...
 *     unset output
 *   }
 *
 * Settings made in the loop carry over to the next format, which draws
 * the same plot again.
 */
#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "common/outdir.h"
#include "reports/plot.h"

#define FONT_PNG "DejaVu Sans,11"
#define FONT_SVG "DejaVu Sans,12"
#define SHOWN_TARGETS_RESEARCH 3

MlPlot *
ml_plot_new (const char *name, const char *title)
{
  MlPlot *p = g_new0 (MlPlot, 1);

  p->name = g_strdup (name);
  p->title = g_strdup (title);
  p->width = 900;
  p->height = 540;
  return p;
}

void
ml_plot_free (MlPlot *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_free (p->title);
  g_free (p->caption);
  g_free (p->alt);
  g_free (p->target);
  g_free (p->failure);
  g_free (p);
}

guint
ml_plots_shown_targets (const MlPlotSet *set)
{
  guint n = set->cd->targets->len;

  return MIN (n, set->opt->audience == ML_AUDIENCE_RESEARCH ? SHOWN_TARGETS_RESEARCH : 1);
}

gboolean
ml_plots_write (MlPlotSet *set, GError **error)
{
  g_return_val_if_fail (set != NULL && set->cd != NULL && set->opt != NULL && set->dir != NULL, FALSE);
  g_return_val_if_fail (set->plots != NULL, FALSE);
  if (!ml_plot_leakage_contacts (set, error) || !ml_plot_leakage_location (set, error))
    return FALSE;
  for (guint i = 0; i < ml_plots_shown_targets (set); i++)
    if (!ml_plot_timeline (set, i, error) || !ml_plot_ego_network (set, i, error)
        || !ml_plot_location_map (set, i, error) || !ml_plot_rhythm (set, i, error))
      return FALSE;
  return ml_plot_hop_reach (set, error) && ml_plot_sensitive (set, error)
         && ml_plot_uniqueness (set, error);
}

/* ---- .dat text ---- */

const char *
ml_plot_num (char *buf, double v, int digits)
{
  char fmt[8];

  if (!isfinite (v))
    return strcpy (buf, "NaN");
  g_snprintf (fmt, sizeof fmt, "%%.%dg", CLAMP (digits, 1, 17));
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, fmt, v);
}

void
ml_plot_dat_num (GString *dat, double v, int digits)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (dat->len > 0 && dat->str[dat->len - 1] != '\n')
    g_string_append_c (dat, ' ');
  g_string_append (dat, ml_plot_num (buf, v, digits));
}

void
ml_plot_dat_str (GString *dat, const char *s)
{
  if (dat->len > 0 && dat->str[dat->len - 1] != '\n')
    g_string_append_c (dat, ' ');
  g_string_append_c (dat, '"');
  for (const char *c = s != NULL ? s : ""; *c != '\0'; c++)
    g_string_append_c (dat, (*c == '"' || *c == '\\' || (guchar) *c < 0x20) ? '_' : *c);
  g_string_append_c (dat, '"');
}

GString *
ml_plot_dat_new (const MlPlotSet *set, const MlPlot *plot, const char *source, const char *columns)
{
  GString *dat = g_string_new (NULL);

  g_string_append_printf (dat, "# %s.dat -- %s\n", plot->name, plot->title);
  g_string_append_printf (dat, "# Case '%s', from analysis.db: %s.\n", set->cd->name, source);
  g_string_append_printf (dat, "# Drawn by %s.gp; blocks are separated by two blank lines (gnuplot 'index').\n",
                          plot->name);
  g_string_append_printf (dat, "# index 0: %s\n", columns);
  return dat;
}

void
ml_plot_dat_block (GString *dat, const char *columns)
{
  int index = 1;

  for (const char *p = dat->str; (p = strstr (p, "\n# index ")) != NULL; p++)
    index++;
  g_string_append_printf (dat, "\n\n# index %d: %s\n", index - 1, columns);
}

void
ml_plot_dat_fill_empty (GString *dat, guint rows, guint columns)
{
  if (rows > 0)
    return;
  for (guint i = 0; i < columns; i++)
    g_string_append (dat, i == 0 ? "NaN" : " NaN");
  g_string_append_c (dat, '\n');
}

const char *
ml_plot_target (const MlPlotSet *set, guint index, char **label_out)
{
  const char *handle;

  g_assert (index < set->cd->targets->len);
  handle = g_ptr_array_index (set->cd->targets, index);
  *label_out = g_strdup (ml_casedata_label (set->cd, handle));
  return handle;
}

char *
ml_plot_percent (double share)
{
  if (!isfinite (share))
    return g_strdup ("n/a");
  return g_strdup_printf ("%d %%", (int) lround (share * 100.0));
}

char *
ml_plot_km (double km)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (km))
    return g_strdup ("n/a");
  return g_strdup_printf ("%s km", g_ascii_formatd (buf, sizeof buf, km < 9.95 ? "%.1f" : "%.0f", km));
}

char *
ml_plot_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

const char *
ml_plot_orders_word (gint64 n)
{
  return n == 1 ? "order" : "orders";
}

guint
ml_plot_pick_windows (int n, int out[4])
{
  guint k = 0;

  if (n <= 4)
    {
      for (int i = 1; i <= MAX (n, 1); i++)
        out[k++] = i;
      return k;
    }
  out[k++] = 1;
  out[k++] = (n + 1) / 3;
  out[k++] = (2 * n + 1) / 3;
  out[k++] = n;
  return k;
}

/* ---- .gp text ---- */

static const char *
formats_word (MlPlotFormat f)
{
  switch (f)
    {
    case ML_FORMAT_SVG:
      return "svg";
    case ML_FORMAT_BOTH:
      return "png svg";
    case ML_FORMAT_PNG:
    default:
      return "png";
    }
}

/* BODY indented by two spaces, one line at a time. */
static void
append_indented (GString *gp, const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);

  for (gsize i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_string_append_printf (gp, "  %s\n", lines[i]);
}

static char *
script_text (const MlPlotSet *set, const MlPlot *plot, const char *body)
{
  GString *gp = g_string_new (NULL);

  g_string_append_printf (gp, "# %s.gp -- %s\n", plot->name, plot->title);
  g_string_append_printf (gp, "# Written by metaleak report for case '%s'; draws %s.dat.\n", set->cd->name, plot->name);
  g_string_append (gp, "# Redraw: run `gnuplot ");
  g_string_append_printf (gp, "%s.gp` in this directory.  Set `formats` to \"png\", \"svg\" or \"png svg\".\n\n",
                          plot->name);
  g_string_append_printf (gp, "formats = \"%s\"\n", formats_word (set->opt->format));
  g_string_append (gp, "do for [fmt in formats] {\n  if (fmt eq \"svg\") {\n");
  g_string_append_printf (gp, "    set terminal svg size %d,%d dynamic enhanced font \"%s\" background rgb \"white\"\n",
                          plot->width, plot->height, FONT_SVG);
  g_string_append (gp, "  } else {\n");
  g_string_append_printf (gp, "    set terminal pngcairo size %d,%d enhanced font \"%s\" background rgb \"white\"\n",
                          plot->width, plot->height, FONT_PNG);
  g_string_append_printf (gp, "  }\n  set output \"%s.\" . fmt\n", plot->name);
  append_indented (gp, body);
  g_string_append (gp, "  unset output\n}\n");
  return g_string_free (gp, FALSE);
}

gboolean
ml_plot_emit (MlPlotSet *set, MlPlot *plot, const GString *dat, const char *body, GError **error)
{
  g_autoptr(MlPlot) owned = plot;
  g_autofree char *dat_name = g_strdup_printf ("%s.dat", plot->name);
  g_autofree char *gp_name = g_strdup_printf ("%s.gp", plot->name);
  g_autofree char *dat_path = g_build_filename (set->dir, dat_name, NULL);
  g_autofree char *gp_path = g_build_filename (set->dir, gp_name, NULL);
  g_autofree char *script = script_text (set, plot, body);

  g_assert (plot->caption != NULL && plot->alt != NULL);
  if (!ml_write_file_atomic (dat_path, dat->str, (gssize) dat->len, error)
      || !ml_write_file_atomic (gp_path, script, -1, error))
    return FALSE;
  g_ptr_array_add (set->plots, g_steal_pointer (&owned));
  return TRUE;
}
