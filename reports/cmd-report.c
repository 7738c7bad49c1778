/* cmd-report.c -- the `metaleak report` subcommand: options and driver.
 *
 *   metaleak report RUN/cases/NAME [--out DIR] [--audience policy|research|class]
 *                   [--format png|svg|both] [--reveal] [--force] [--quiet]
 *
 * Reads the case directory (reports/casedata.h), writes into a temporary
 * sibling of the report directory (common/outdir.h): plots/NAME.dat and
 * NAME.gp for every plot, the images gnuplot draws from them, data/ (the
 * case's CSV tables), index.html and brief.md; then publishes it with one
 * rename.  Without gnuplot, or when it fails, the directory is published
 * all the same and the command ends with ML_ERROR_PARTIAL (exit status 3)
 * saying what to install.  A report takes one to a few seconds, most of
 * it gnuplot, run for two plots at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "common/datadir.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "reports/brief.h"
#include "reports/casedata.h"
#include "reports/csv.h"
#include "reports/narrative.h"
#include "reports/gnuplot.h"
#include "reports/html.h"
#include "reports/plot.h"
#include "reports/report.h"

#define GNUPLOT_THREADS 2
#define GNUPLOT_PACKAGE "gnuplot-nox"

gboolean
ml_report_parse_audience (const char *word, MlAudience *out, GError **error)
{
  static const char *const words[] = { [ML_AUDIENCE_POLICY] = "policy", [ML_AUDIENCE_RESEARCH] = "research",
                                       [ML_AUDIENCE_CLASS] = "class" };

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (word, words[i]) == 0)
      {
        *out = (MlAudience) i;
        return TRUE;
      }
  g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "--audience: '%s' is not policy, research or class", word);
  return FALSE;
}

gboolean
ml_report_parse_format (const char *word, MlPlotFormat *out, GError **error)
{
  if (g_strcmp0 (word, "png") == 0)
    *out = ML_FORMAT_PNG;
  else if (g_strcmp0 (word, "svg") == 0)
    *out = ML_FORMAT_SVG;
  else if (g_strcmp0 (word, "both") == 0)
    *out = ML_FORMAT_BOTH;
  else
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "--format: '%s' is not png, svg or both", word);
      return FALSE;
    }
  return TRUE;
}

/* Refuse an output directory that is the case directory or holds it:
 * --force would delete the analysis. */
static gboolean
check_out (const char *casedir, const char *out, GError **error)
{
  g_autofree char *c = g_canonicalize_filename (casedir, NULL);
  g_autofree char *o = g_canonicalize_filename (out, NULL);
  g_autofree char *o_slash = g_str_has_suffix (o, G_DIR_SEPARATOR_S) ? g_strdup (o) : g_strconcat (o, G_DIR_SEPARATOR_S, NULL);

  if (strcmp (c, o) == 0 || g_str_has_prefix (c, o_slash))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "--out %s: would replace the case directory %s", out, casedir);
      return FALSE;
    }
  return TRUE;
}

/* datasets/literature.csv, or NULL when it is missing. */
static char *
literature_path (void)
{
  g_autofree char *path = g_build_filename (ml_datadir (), "literature.csv", NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

static gboolean
make_dir (const char *path, GError **error)
{
  if (g_mkdir (path, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create directory: %s", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* Draw the plots; returns NULL when every one was drawn, else the note for
 * the page and, in *WARNING, the message for the user (naming FINAL). */
static char *
draw_plots (const char *plots_dir, GPtrArray *plots, MlPlotFormat format, const char *final, char **warning)
{
  g_autofree char *wanted = NULL;
  g_autofree char *gnuplot = ml_gnuplot_find (&wanted);
  const MlPlot *first = NULL;
  guint bad;

  if (gnuplot == NULL)
    {
      *warning = g_strdup_printf ("gnuplot not found (looked for %s): %s has the data and plot scripts but no "
                                  "images; install gnuplot (Debian package %s) and run 'metaleak report' again",
                                  wanted, final, GNUPLOT_PACKAGE);
      return g_strdup ("The plots were not drawn: gnuplot was not found. Install gnuplot (Debian package "
                       GNUPLOT_PACKAGE ") and run metaleak report again, or run gnuplot NAME.gp in the plots "
                       "directory.");
    }
  bad = ml_gnuplot_draw (gnuplot, plots_dir, plots, format, MIN (GNUPLOT_THREADS, ml_parallel_default_threads ()));
  if (bad == 0)
    return NULL;
  for (guint i = 0; i < plots->len && first == NULL; i++)
    if (!((const MlPlot *) g_ptr_array_index (plots, i))->drawn)
      first = g_ptr_array_index (plots, i);
  *warning = g_strdup_printf ("gnuplot (%s) failed on %u of %u plots (%s: %s): %s has their data and scripts "
                              "but no images; the plots need gnuplot 5 with the pngcairo and svg terminals "
                              "(Debian package %s)",
                              gnuplot, bad, plots->len, first->name, first->failure, final, GNUPLOT_PACKAGE);
  return g_strdup_printf ("%u of the plots were not drawn because gnuplot failed; their data and scripts are "
                          "in the plots directory.", bad);
}

typedef struct {
  MlCaseData *cd;
  MlOutDir *dir;
  GPtrArray *plots;          /* MlPlot * */
  GPtrArray *data_files;     /* names in data/ */
  char *literature;
  char *note;                /* for the page: why images are missing */
  char *warning;             /* for the user: the same, with what to do */
} Report;

static void
report_clear (Report *r)
{
  g_clear_pointer (&r->cd, ml_casedata_free);
  g_clear_pointer (&r->dir, ml_outdir_free);
  g_clear_pointer (&r->plots, g_ptr_array_unref);
  g_clear_pointer (&r->data_files, g_ptr_array_unref);
  g_clear_pointer (&r->literature, g_free);
  g_clear_pointer (&r->note, g_free);
  g_clear_pointer (&r->warning, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Report, report_clear)

/* plots/ and data/ in the temporary directory: data, scripts, images, tables. */
static gboolean
write_parts (Report *r, const MlReportOptions *opt, GError **error)
{
  g_autofree char *plots_dir = ml_outdir_file (r->dir, "plots");
  g_autofree char *data_dir = ml_outdir_file (r->dir, "data");
  g_autofree char *tables = g_build_filename (opt->casedir, "tables", NULL);
  MlPlotSet set = { r->cd, opt, plots_dir, r->literature, r->plots };

  if (!make_dir (plots_dir, error) || !make_dir (data_dir, error) || !ml_plots_write (&set, error)
      || !ml_check_interrupted (error))
    return FALSE;
  r->note = draw_plots (plots_dir, r->plots, opt->format, ml_outdir_final (r->dir), &r->warning);
  return ml_check_interrupted (error)
         && ml_csv_copy_tables (tables, data_dir, r->cd->redactor, &r->data_files, error);
}

/* index.html and brief.md. */
static gboolean
write_pages (Report *r, const MlReportOptions *opt, GError **error)
{
  g_autofree char *generated = ml_narrative_generated_now ();
  g_autofree char *html = ml_outdir_file (r->dir, "index.html");
  g_autofree char *brief = ml_outdir_file (r->dir, "brief.md");
  MlReportDoc doc = { r->cd, opt, r->plots, r->data_files, r->literature, generated, r->note };

  return ml_html_write (&doc, html, error) && ml_brief_write (&doc, brief, error);
}

gboolean
ml_report_run (const MlReportOptions *opt, GError **error)
{
  g_auto(Report) r = { 0 };
  g_autofree char *out = NULL;

  g_return_val_if_fail (opt != NULL && opt->casedir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  out = opt->out != NULL ? g_strdup (opt->out) : g_build_filename (opt->casedir, "report", NULL);
  if (!check_out (opt->casedir, out, error) || (r.cd = ml_casedata_open (opt->casedir, opt->reveal, error)) == NULL
      || (r.dir = ml_outdir_begin (out, opt->force, error)) == NULL)
    return FALSE;
  r.plots = g_ptr_array_new_with_free_func ((GDestroyNotify) ml_plot_free);
  r.literature = literature_path ();
  if (!write_parts (&r, opt, error) || !write_pages (&r, opt, error) || !ml_check_interrupted (error)
      || !ml_outdir_commit (r.dir, error))
    return FALSE;
  if (!opt->quiet)
    printf ("metaleak report: wrote %s: index.html, brief.md, %u plots, %u data tables\n",
            ml_outdir_final (r.dir), r.plots->len, r.data_files->len);
  if (r.warning != NULL)
    {
      g_set_error_literal (error, ML_ERROR, ML_ERROR_PARTIAL, r.warning);
      return FALSE;
    }
  return TRUE;
}

gboolean
ml_report_main (int argc, char **argv, GError **error)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autofree char *out = NULL, *audience = NULL, *format = NULL;
  MlReportOptions opt = { .audience = ML_AUDIENCE_POLICY, .format = ML_FORMAT_PNG };
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "report directory (default CASEDIR/report)", "DIR" },
    { "audience", 'a', 0, G_OPTION_ARG_STRING, &audience, "policy, research or class (default policy)", "WHO" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "png, svg or both (default png)", "FMT" },
    { "reveal", 0, 0, G_OPTION_ARG_NONE, &opt.reveal, "show real handles of imported logs", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &opt.force, "replace an existing report directory", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "print nothing on success", NULL },
    G_OPTION_ENTRY_NULL
  };

  ctx = g_option_context_new ("CASEDIR - plots, an HTML report and a brief");
  g_option_context_set_summary (ctx, "Writes index.html, brief.md, plots/ (images, gnuplot scripts and data) and "
                                     "data/ (the CSV tables)\nfrom the analysis in CASEDIR (RUN/cases/NAME).");
  g_option_context_set_description (ctx, "Audiences: policy (plain numbers and plots), research (adds every metric "
                                         "and parameter),\nclass (adds an explanation of each concept). Exit status "
                                         "3: written without (some) images\nbecause gnuplot is missing or failed.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (argc < 2)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "report needs a case directory (RUN/cases/NAME)");
      return FALSE;
    }
  if (argc > 2)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "report takes one case directory, got '%s' too", argv[2]);
      return FALSE;
    }
  if ((audience != NULL && !ml_report_parse_audience (audience, &opt.audience, error))
      || (format != NULL && !ml_report_parse_format (format, &opt.format, error)))
    return FALSE;
  opt.casedir = argv[1];
  opt.out = out;
  return ml_report_run (&opt, error);
}
