/* cmd-analyze.c -- the `metaleak analyze` subcommand: options and driver.
 *
 * Parses the command line and runs the analysis stages.  The analyzer is
 * being built (issue 4); until then the command parses its options and
 * refuses to run, so that scripts fail loudly instead of reading nothing.
 */

#include "analyze/analyze.h"
#include "common/errors.h"

gboolean
ml_analyze_main (int argc, char **argv, GError **error)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autofree char *case_name = NULL;
  g_autofree char *import_log = NULL;
  g_autofree char *geoip = NULL;
  gboolean population = FALSE, strict = FALSE, reveal = FALSE, force = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, "case file or shipped case name", "CASE" },
    { "population", 0, 0, G_OPTION_ARG_NONE, &population, "analyse the whole log (bulk collection)", NULL },
    { "import-log", 0, 0, G_OPTION_ARG_FILENAME, &import_log, "build a provider.db from a real log in CSV", "FILE" },
    { "geoip", 0, 0, G_OPTION_ARG_FILENAME, &geoip, "MaxMind DB file to geolocate IPs with", "FILE" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "make any malformed imported row fatal", NULL },
    { "reveal", 0, 0, G_OPTION_ARG_NONE, &reveal, "show real handles instead of pseudonyms", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "replace an existing output directory", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress output", NULL },
    G_OPTION_ENTRY_NULL
  };

  ctx = g_option_context_new ("RUN - infer what the lookup log reveals");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "analyze is not built yet (issue 4)");
  return FALSE;
}
