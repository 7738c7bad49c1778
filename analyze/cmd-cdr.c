/* cmd-cdr.c -- the `metaleak cdr` subcommand: import, indicators (and generate).
 *
 *   metaleak cdr import --records DIR [--antennas FILE] [--out cdr.db] [--bandicoot-strict]
 *   metaleak cdr indicators cdr.db [--groupby week|none] [--summary default|extended]
 *                                  [--split-week] [--split-day] [--format csv|json] [--network] ...
 *   metaleak cdr generate --out DIR [--users N] [--records N] [--seed S]   (hidden: bench/cdr)
 *
 * One function per verb, each with its own GOptionContext, dispatched from
 * a table.  Errors go back to the dispatcher as GErrors; bad values are
 * ML_ERROR_USAGE naming the option and the value.
 *
 * Workload: runs once per command.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "analyze/cdr.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "common/progress.h"

typedef gboolean (*VerbFunc) (int argc, char **argv, GError **error);

typedef struct {
  const char *name;
  VerbFunc run;
  const char *summary;   /* NULL: hidden from the verb list */
} Verb;

static gboolean
usage_error (GError **error, const char *option, const char *value, const char *expected)
{
  g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "%s: bad value '%s' (expected %s)", option, value, expected);
  return FALSE;
}

/* "HH:MM" or "HH:MM:SS" into seconds after midnight. */
static gboolean
parse_clock (const char *option, const char *text, int *out, GError **error)
{
  int h, m, s = 0, n = 0;

  if ((sscanf (text, "%2d:%2d:%2d%n", &h, &m, &s, &n) != 3 || text[n] != '\0')
      && (s = 0, sscanf (text, "%2d:%2d%n", &h, &m, &n) != 2 || text[n] != '\0'))
    return usage_error (error, option, text, "HH:MM or HH:MM:SS");
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59)
    return usage_error (error, option, text, "a time of day");
  *out = h * 3600 + m * 60 + s;
  return TRUE;
}

/* "6,7" into a bit set of ISO days. */
static gboolean
parse_weekend (const char *text, guint *out, GError **error)
{
  g_auto(GStrv) days = g_strsplit (text, ",", -1);
  guint set = 0;

  for (int i = 0; days[i] != NULL; i++)
    {
      gint64 d;
      if (!g_ascii_string_to_signed (g_strstrip (days[i]), 10, 1, 7, &d, NULL))
        return usage_error (error, "--weekend", text, "ISO days 1-7 separated by commas, e.g. 6,7");
      set |= 1u << d;
    }
  *out = set;
  return TRUE;
}

static gboolean
parse_choice (const char *option, const char *text, const char *const *choices, int *out, GError **error)
{
  g_autofree char *list = g_strjoinv ("|", (char **) choices);

  for (int i = 0; choices[i] != NULL; i++)
    if (g_str_equal (text, choices[i]))
      {
        *out = i;
        return TRUE;
      }
  return usage_error (error, option, text, list);
}

static gboolean
check_threads (gint threads, guint *out, GError **error)
{
  if (threads < 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "--threads: bad value '%d'", threads);
      return FALSE;
    }
  *out = threads > 0 ? (guint) threads : ml_parallel_default_threads ();
  return TRUE;
}

static gboolean
verb_import (int argc, char **argv, GError **error)
{
  g_autofree char *records = NULL, *antennas = NULL, *out = NULL;
  gboolean strict = FALSE, force = FALSE, quiet = FALSE;
  gint threads = 0;
  guint n_threads;
  GOptionEntry entries[] = {
    { "records", 'r', 0, G_OPTION_ARG_FILENAME, &records, "directory of <user_id>.csv records files", "DIR" },
    { "antennas", 'a', 0, G_OPTION_ARG_FILENAME, &antennas, "antennas CSV (antenna_id,latitude,longitude)", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "database to write (default cdr.db)", "FILE" },
    { "bandicoot-strict", 0, 0, G_OPTION_ARG_NONE, &strict, "drop exactly the rows bandicoot 0.6.0 drops", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "replace an existing database", NULL },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, "worker threads (default: all processors)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress, warnings or summary", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- read bandicoot CSV records into cdr.db");

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, "Reads DIR/<user_id>.csv (one file per user) and the antennas file.\n"
                                     "Every dropped row is reported with its file, line and reason.");
  if (!g_option_context_parse (ctx, &argc, &argv, error) || !check_threads (threads, &n_threads, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "cdr import takes no arguments, got '%s'", argv[1]);
      return FALSE;
    }
  if (records == NULL)
    {
      g_set_error_literal (error, ML_ERROR, ML_ERROR_USAGE, "cdr import: --records DIR is required");
      return FALSE;
    }
  ml_progress_set_quiet (quiet);
  return ml_cdr_import (records, antennas, out != NULL ? out : "cdr.db", strict, force, quiet, n_threads, error);
}

/* The indicator options of `cdr indicators`. */
typedef struct {
  char *groupby, *summary, *format, *night_start, *night_end, *weekend, *out;
  gboolean split_week, split_day, network, force, quiet;
  gint64 gap;
  gint bin, threads;
} IndArgs;

static void
ind_args_clear (IndArgs *a)
{
  g_free (a->groupby), g_free (a->summary), g_free (a->format), g_free (a->night_start);
  g_free (a->night_end), g_free (a->weekend), g_free (a->out);
}

static gboolean
ind_options (IndArgs *a, MlCdrOptions *o, MlCdrFormat *format, GError **error)
{
  static const char *const groupbys[] = { "none", "week", NULL };
  static const char *const summaries[] = { "default", "extended", NULL };
  static const char *const formats[] = { "csv", "json", NULL };
  int g = 1, s = 0, f = 0;

  ml_cdr_options_init (o);
  if ((a->groupby != NULL && !parse_choice ("--groupby", a->groupby, groupbys, &g, error))
      || (a->summary != NULL && !parse_choice ("--summary", a->summary, summaries, &s, error))
      || (a->format != NULL && !parse_choice ("--format", a->format, formats, &f, error))
      || (a->night_start != NULL && !parse_clock ("--night-start", a->night_start, &o->night_start, error))
      || (a->night_end != NULL && !parse_clock ("--night-end", a->night_end, &o->night_end, error))
      || (a->weekend != NULL && !parse_weekend (a->weekend, &o->weekend, error)))
    return FALSE;
  if (a->gap <= 0)
    return usage_error (error, "--conversation-gap", "<= 0", "seconds > 0");
  if (a->bin <= 0 || 60 % a->bin != 0)
    return usage_error (error, "--bin-minutes", "not a divisor of 60", "1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60");
  o->groupby = g == 1 ? ML_CDR_GROUP_WEEK : ML_CDR_GROUP_NONE;
  o->summary = s == 1 ? ML_CDR_SUMMARY_EXTENDED : ML_CDR_SUMMARY_DEFAULT;
  o->split_week = a->split_week;
  o->split_day = a->split_day;
  o->network = a->network;
  o->conversation_gap = a->gap;
  o->bin_minutes = a->bin;
  *format = f == 1 ? ML_CDR_FORMAT_JSON : ML_CDR_FORMAT_CSV;
  return TRUE;
}

/* Run the indicators into PATH atomically (a temporary file renamed). */
static gboolean
indicators_to_file (const char *db, const MlCdrOptions *o, MlCdrFormat format, const char *path,
                    gboolean force, guint threads, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  int fd = g_mkstemp (tmp);
  FILE *f;
  gboolean ok;

  if (fd < 0 || (f = fdopen (fd, "w")) == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create: %s", path, g_strerror (errno));
      if (fd >= 0)
        close (fd), g_unlink (tmp);
      return FALSE;
    }
  ok = ml_cdr_indicators (db, o, format, f, threads, error);
  if (fclose (f) != 0 && ok)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      ok = FALSE;
    }
  if (ok && force && g_rename (tmp, path) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot replace: %s", path, g_strerror (errno));
      ok = FALSE;
    }
  else if (ok && !force)
    ok = ml_rename_noreplace (tmp, path, error);
  if (!ok)
    g_unlink (tmp);
  return ok;
}

static gboolean
verb_indicators (int argc, char **argv, GError **error)
{
  __attribute__ ((cleanup (ind_args_clear))) IndArgs a = { .gap = 3600, .bin = 30 };
  GOptionEntry entries[] = {
    { "groupby", 'g', 0, G_OPTION_ARG_STRING, &a.groupby, "week (ISO weeks, default) or none", "week|none" },
    { "summary", 's', 0, G_OPTION_ARG_STRING, &a.summary, "default (mean, std) or extended", "default|extended" },
    { "split-week", 0, 0, G_OPTION_ARG_NONE, &a.split_week, "also weekday and weekend", NULL },
    { "split-day", 0, 0, G_OPTION_ARG_NONE, &a.split_day, "also day and night", NULL },
    { "format", 'F', 0, G_OPTION_ARG_STRING, &a.format, "csv (default) or json", "csv|json" },
    { "network", 0, 0, G_OPTION_ARG_NONE, &a.network, "clustering and assortativity from correspondents' records", NULL },
    { "night-start", 0, 0, G_OPTION_ARG_STRING, &a.night_start, "start of the night (default 19:00)", "HH:MM" },
    { "night-end", 0, 0, G_OPTION_ARG_STRING, &a.night_end, "end of the night (default 07:00)", "HH:MM" },
    { "weekend", 0, 0, G_OPTION_ARG_STRING, &a.weekend, "ISO weekend days (default 6,7)", "D,D" },
    { "conversation-gap", 0, 0, G_OPTION_ARG_INT64, &a.gap, "texts closer than this converse (default 3600)", "SECONDS" },
    { "bin-minutes", 0, 0, G_OPTION_ARG_INT, &a.bin, "position bins (default 30)", "MINUTES" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a.out, "write to FILE (atomically) instead of stdout", "FILE" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &a.force, "replace an existing --out file", NULL },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &a.threads, "worker threads (default: all processors)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "no progress output", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("CDR.DB - bandicoot 0.6.0 indicators of every user");
  MlCdrOptions o;
  MlCdrFormat format;
  guint threads;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error) || !check_threads (a.threads, &threads, error)
      || !ind_options (&a, &o, &format, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "cdr indicators takes one database, got %d arguments", argc - 1);
      return FALSE;
    }
  ml_progress_set_quiet (a.quiet);
  if (a.out != NULL)
    return indicators_to_file (argv[1], &o, format, a.out, a.force, threads, error);
  return ml_cdr_indicators (argv[1], &o, format, stdout, threads, error);
}

static gboolean
verb_generate (int argc, char **argv, GError **error)
{
  g_autofree char *out = NULL;
  gint users = 1000, records = 1000;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "directory to create", "DIR" },
    { "users", 'u', 0, G_OPTION_ARG_INT, &users, "users (default 1000)", "N" },
    { "records", 'n', 0, G_OPTION_ARG_INT, &records, "records per user (default 1000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed (default 1)", "S" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- a deterministic synthetic bandicoot dataset");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (out == NULL || users <= 0 || records <= 0 || argc > 1)
    {
      g_set_error_literal (error, ML_ERROR, ML_ERROR_USAGE,
                           "cdr generate: --out DIR is required; --users and --records must be > 0");
      return FALSE;
    }
  return ml_cdr_generate (out, (guint) users, (guint) records, (guint64) seed, error);
}

static const Verb verbs[] = {
  { "import", verb_import, "read bandicoot CSV records and antennas into cdr.db" },
  { "indicators", verb_indicators, "compute bandicoot's individual and spatial indicators" },
  { "generate", verb_generate, NULL },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "usage: metaleak cdr <verb> [options]\n\n"
                "Real phone metadata (call-detail records) in bandicoot's format.\n\nverbs:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (verbs[i].summary != NULL)
      fprintf (out, "  %-10s  %s\n", verbs[i].name, verbs[i].summary);
  fprintf (out, "\n'metaleak cdr <verb> --help' shows a verb's options; see docs/cdr.md.\n");
}

gboolean
ml_cdr_main (int argc, char **argv, GError **error)
{
  g_return_val_if_fail (argc >= 1 && argv != NULL, FALSE);
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      if (argc < 2)
        g_set_error_literal (error, ML_ERROR, ML_ERROR_USAGE, "cdr: a verb is required (import, indicators)");
      return argc >= 2;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (argv[1], verbs[i].name))
      return verbs[i].run (argc - 1, argv + 1, error);
  g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "cdr: '%s' is not a cdr verb; see 'metaleak cdr --help'", argv[1]);
  return FALSE;
}
