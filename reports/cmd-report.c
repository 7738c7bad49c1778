/* cmd-report.c -- the `metaleak report` subcommand: options and driver.
 *
 * The report stage is being built (issue 5); until then the command parses
 * its options and refuses to run.
 */

#include "common/errors.h"
#include "reports/report.h"

gboolean
ml_report_main (int argc, char **argv, GError **error)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autofree char *out = NULL;
  g_autofree char *audience = NULL;
  g_autofree char *format = NULL;
  gboolean reveal = FALSE, force = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "report directory (default CASEDIR/report)", "DIR" },
    { "audience", 'a', 0, G_OPTION_ARG_STRING, &audience, "policy, research or class (default policy)", "WHO" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "png, svg or both (default png)", "FMT" },
    { "reveal", 0, 0, G_OPTION_ARG_NONE, &reveal, "show real handles of imported logs", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "replace an existing report directory", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress output", NULL },
    G_OPTION_ENTRY_NULL
  };

  ctx = g_option_context_new ("CASEDIR - plots, an HTML report and a brief");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "report is not built yet (issue 5)");
  return FALSE;
}
