/* demo.c -- `metaleak demo`: the whole pipeline on the shipped demo scenario.
 *
 * Runs the simulator on datasets/scenarios/demo.ini into DIR/run, then the
 * later stages as they become available, and prints where the results are.
 * A demo directory made by an earlier demo (it holds DIR/.metaleak-demo) is
 * replaced without --force, so `./quickstart` can be run again and again;
 * any other existing directory is refused.
 */
#include <stdio.h>

#include "analyze/analyze.h"
#include "cli/demo.h"
#include "common/datadir.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "reports/report.h"
#include "sim/sim.h"

#define STAMP ".metaleak-demo"

static gboolean
prepare_dir (const char *dir, gboolean force, GError **error)
{
  g_autofree char *stamp = g_build_filename (dir, STAMP, NULL);

  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      if (!force && !g_file_test (stamp, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, ML_ERROR, ML_ERROR_EXISTS,
                       "%s: exists and was not made by 'metaleak demo'; use --force to replace it", dir);
          return FALSE;
        }
      if (!ml_remove_tree (dir, error))
        return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create directory", dir);
      return FALSE;
    }
  return ml_write_file_atomic (stamp, "made by metaleak demo\n", -1, error);
}

/* The default case on the demo run, through the analyze command itself. */
static gboolean
run_analysis (const char *run, gboolean quiet, GError **error)
{
  char *argv[] = { (char *) "analyze", (char *) run, (char *) "--case", (char *) "default",
                   quiet ? (char *) "--quiet" : NULL, NULL };

  return ml_analyze_main (quiet ? 5 : 4, argv, error);
}

/* The policy report of the default case; ends by saying where it is.  A
 * report without images (gnuplot missing) still prints its paths and
 * passes the partial-result error up. */
static gboolean
run_report (const char *run, GError **error)
{
  g_autofree char *casedir = g_build_filename (run, "cases", "default", NULL);
  g_autofree char *report = g_build_filename (casedir, "report", NULL);
  MlReportOptions opt = { .casedir = casedir, .audience = ML_AUDIENCE_POLICY, .format = ML_FORMAT_PNG,
                          .quiet = TRUE };
  g_autoptr(GError) local = NULL;
  gboolean ok = ml_report_run (&opt, &local);

  if (!ok && !g_error_matches (local, ML_ERROR, ML_ERROR_PARTIAL))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  printf ("metaleak demo: report written\n  open:   %s/index.html\n  brief:  %s/brief.md\n", report, report);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

gboolean
ml_demo_main (int argc, char **argv, GError **error)
{
  g_autofree char *out = NULL;
  g_autofree char *run = NULL;
  g_autofree char *path = NULL;
  g_autoptr(MlScenario) sc = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  gboolean force = FALSE, quiet = FALSE;
  gint64 threads = -1;
  g_autofree char *threads_override = NULL;
  const char *overrides[2] = { NULL, NULL };
  MlSimOptions opts = { 0 };
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "demo directory (default metaleak-demo)", "DIR" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "replace an existing directory", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "worker threads (0: one per core)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress bar", NULL },
    G_OPTION_ENTRY_NULL
  };

  ctx = g_option_context_new ("- simulate, analyse and report on the demo scenario");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  if (out == NULL)
    out = g_strdup ("metaleak-demo");
  if (threads >= 0)
    overrides[0] = threads_override = g_strdup_printf ("run.threads=%" G_GINT64_FORMAT, threads);
  if ((path = ml_datadir_resolve ("scenarios", "demo", error)) == NULL
      || (sc = ml_scenario_load (path, overrides, error)) == NULL
      || !prepare_dir (out, force, error))
    return FALSE;
  run = g_build_filename (out, "run", NULL);
  opts.out = run;
  opts.quiet = quiet;
  opts.calibration = TRUE;
  opts.scenario_path = path;
  if (!ml_sim_run (sc, &opts, error))
    return FALSE;
  printf ("metaleak demo: simulation of %u people over %d days written to %s\n"
          "  provider log:  %s/provider.db (sqlite3 %s/provider.db 'SELECT * FROM lookups LIMIT 10')\n"
          "  ground truth:  %s/truth.db\n"
          "  calibration:   %s/calibration.json\n",
          sc->people, sc->days, run, run, run, run, run);
  if (!run_analysis (run, quiet, error))
    return FALSE;
  return run_report (run, error);
}
