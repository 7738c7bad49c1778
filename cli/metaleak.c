/* metaleak.c -- the dispatcher: the one file that knows every subcommand.
 *
 * `metaleak SUB [ARGS]` runs SUB from the table below, git style.  Each
 * subcommand parses its own options (its own GOptionContext) and reports
 * failure as a GError; this file alone prints errors and maps them to the
 * exit codes of common/errors.h (0 ok, 1 failure, 2 usage/input, 3 partial).
 */

#include <igraph.h>
#include <locale.h>
#include <maxminddb.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/cdr.h"
#include "cli/demo.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "reports/report.h"
#include "sim/sim.h"

typedef gboolean (*MlCommandFunc) (int argc, char **argv, GError **error);

typedef struct {
  const char *name;     /* as typed after "metaleak" */
  MlCommandFunc run;    /* argv[0] is the subcommand name */
  const char *summary;  /* one line for `metaleak help` */
} MlCommand;

static gboolean cmd_help (int argc, char **argv, GError **error);
static gboolean cmd_version (int argc, char **argv, GError **error);

static const MlCommand commands[] = {
  { "sim",     ml_sim_main,     "generate a synthetic population and the provider's lookup log" },
  { "analyze", ml_analyze_main, "model the legal process, infer, and score leakage against truth" },
  { "report",  ml_report_main,  "turn an analysis into plots, an HTML report and a brief" },
  { "cdr",     ml_cdr_main,     "import real phone CDRs (bandicoot format) and compute indicators" },
  { "demo",    ml_demo_main,    "sim + analyze + report on the shipped demo scenario" },
  { "help",    cmd_help,        "show help for metaleak or one subcommand" },
  { "version", cmd_version,     "print the version and the library versions" },
};

static const MlCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "usage: metaleak <command> [options] [args]\n\n"
                "metaleak measures what a messaging provider's lookup metadata reveals\n"
                "when no message content can be read.\n\ncommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s  %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n'metaleak help <command>' or 'metaleak <command> --help' shows a command's options;\n"
                "'man metaleak-<command>' its manual.\n");
}

/* Suggest the closest command name, for "did you mean" messages. */
static const char *
closest_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_has_prefix (commands[i].name, name) || g_str_has_prefix (name, commands[i].name))
      return commands[i].name;
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *c = commands[i].name;
      gsize same = 0, n = MIN (strlen (c), strlen (name));
      for (gsize j = 0; j < n; j++)
        same += c[j] == name[j];
      if (n >= 3 && same + 1 >= n && strlen (c) + 1 >= strlen (name) && strlen (name) + 1 >= strlen (c))
        return c;
    }
  return NULL;
}

static gboolean
cmd_help (int argc, char **argv, GError **error)
{
  const MlCommand *cmd;
  char *help_argv[3];

  if (argc < 2)
    {
      print_usage (stdout);
      return TRUE;
    }
  if (argc > 2)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "help takes at most one command, got %d", argc - 1);
      return FALSE;
    }
  cmd = find_command (argv[1]);
  if (cmd == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE,
                   "'%s' is not a metaleak command; see 'metaleak help'", argv[1]);
      return FALSE;
    }
  if (cmd->run == cmd_help || cmd->run == cmd_version)
    {
      printf ("usage: metaleak %s%s\n  %s\n", cmd->name,
              cmd->run == cmd_help ? " [command]" : "", cmd->summary);
      return TRUE;
    }
  help_argv[0] = (char *) cmd->name;
  help_argv[1] = (char *) "--help";
  help_argv[2] = NULL;
  return cmd->run (2, help_argv, error);
}

static gboolean
cmd_version (int argc, char **argv, GError **error)
{
  int major, minor, patch;

  if (argc > 1)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "version takes no arguments, got '%s'", argv[1]);
      return FALSE;
    }
  igraph_version (NULL, &major, &minor, &patch);
  printf ("metaleak %s\n", PACKAGE_VERSION);
  printf ("glib %u.%u.%u, sqlite %s, libmaxminddb %s, igraph %d.%d.%d\n",
          glib_major_version, glib_minor_version, glib_micro_version,
          ml_db_sqlite_version (), MMDB_lib_version (), major, minor, patch);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const MlCommand *cmd;
  const char *suggestion;
  g_autofree char *prgname = NULL;

  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_set_prgname ("metaleak");
  if (argc < 2)
    {
      print_usage (stderr);
      return ML_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return ML_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    return cmd_version (1, argv + 1, NULL) ? ML_EXIT_OK : ML_EXIT_FAILURE;
  cmd = find_command (argv[1]);
  if (cmd == NULL)
    {
      suggestion = closest_command (argv[1]);
      if (suggestion != NULL)
        fprintf (stderr, "metaleak: error: '%s' is not a metaleak command; did you mean '%s'?\n",
                 argv[1], suggestion);
      else
        fprintf (stderr, "metaleak: error: '%s' is not a metaleak command; see 'metaleak help'\n",
                 argv[1]);
      return ML_EXIT_USAGE;
    }
  ml_signals_install ();
  prgname = g_strdup_printf ("metaleak %s", cmd->name);
  g_set_prgname (prgname);
  if (!cmd->run (argc - 1, argv + 1, &error))
    {
      if (error == NULL)
        error = g_error_new (ML_ERROR, ML_ERROR_FAILED, "%s failed", cmd->name);
      ml_error_print (error);
      return ml_exit_code_for (error);
    }
  return ML_EXIT_OK;
}
