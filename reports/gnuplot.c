/* gnuplot.c -- drawing the plots: gnuplot as a subprocess.
 *
 * One GSubprocess per plot, its stdout and stderr merged into one pipe and
 * read whole (g_subprocess_communicate), run from ml_parallel_for's worker
 * threads; each chunk touches only its own MlPlot.
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "common/parallel.h"
#include "reports/gnuplot.h"

#define FAILURE_LINES 3   /* lines of gnuplot's complaint kept for the report */

char *
ml_gnuplot_find (char **wanted)
{
  const char *env = g_getenv ("GNUPLOT");
  const char *name = env != NULL && *env != '\0' ? env : "gnuplot";
  char *path = g_find_program_in_path (name);

  if (wanted != NULL)
    *wanted = env != NULL && *env != '\0' ? g_strdup_printf ("$GNUPLOT (%s)", env) : g_strdup ("gnuplot on PATH");
  return path;
}

/* The last FAILURE_LINES non-empty lines of OUT, joined by "; ". */
static char *
tail_lines (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  g_autoptr(GPtrArray) keep = g_ptr_array_new ();
  guint n = g_strv_length (lines);

  for (guint i = n; i > 0 && keep->len < FAILURE_LINES; i--)
    {
      g_strstrip (lines[i - 1]);
      if (*lines[i - 1] != '\0' && strspn (lines[i - 1], "^ ") != strlen (lines[i - 1]))
        g_ptr_array_insert (keep, 0, lines[i - 1]);
    }
  g_ptr_array_add (keep, NULL);
  return keep->len > 1 ? g_strjoinv ("; ", (char **) keep->pdata) : g_strdup ("no output");
}

/* Whether every image of P that FORMAT asks for exists in DIR and is not empty. */
static gboolean
images_exist (const char *dir, const MlPlot *p, MlPlotFormat format)
{
  static const struct { MlPlotFormat bit; const char *ext; } kinds[] = {
    { ML_FORMAT_PNG, "png" }, { ML_FORMAT_SVG, "svg" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", p->name, kinds[i].ext);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;
      if ((format & kinds[i].bit) && (g_stat (path, &st) != 0 || st.st_size == 0))
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  const char *gnuplot;
  const char *dir;
  GPtrArray *plots;
  MlPlotFormat format;
} DrawJob;

/* Run gnuplot on plot CHUNK of the job DATA. */
static void
draw_one (guint chunk, gpointer data)
{
  const DrawJob *job = data;
  MlPlot *p = g_ptr_array_index (job->plots, chunk);
  g_autofree char *script = g_strdup_printf ("%s.gp", p->name);
  const char *argv[] = { job->gnuplot, "--default-settings", script, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) none = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_subprocess_launcher_set_cwd (launcher, job->dir);
  if ((proc = g_subprocess_launcher_spawnv (launcher, argv, &error)) == NULL
      || !g_subprocess_communicate (proc, none, NULL, &out, NULL, &error))
    {
      p->failure = g_strdup_printf ("cannot run %s: %s", job->gnuplot, error->message);
      return;
    }
  text = out != NULL && g_bytes_get_size (out) > 0
         ? g_utf8_make_valid (g_bytes_get_data (out, NULL), (gssize) g_bytes_get_size (out)) : g_strdup ("");
  if (!g_subprocess_get_successful (proc))
    p->failure = tail_lines (text);
  else if (!images_exist (job->dir, p, job->format))
    p->failure = g_strdup_printf ("gnuplot wrote no image (%s)", text[0] != '\0' ? text : "no output");
  p->drawn = p->failure == NULL;
}

guint
ml_gnuplot_draw (const char *gnuplot, const char *dir, GPtrArray *plots, MlPlotFormat format, guint threads)
{
  DrawJob job = { gnuplot, dir, plots, format };
  guint not_drawn = 0;

  g_return_val_if_fail (gnuplot != NULL && dir != NULL && plots != NULL, plots != NULL ? plots->len : 0);
  ml_parallel_for (plots->len, MAX (threads, 1), draw_one, &job);
  for (guint i = 0; i < plots->len; i++)
    not_drawn += !((MlPlot *) g_ptr_array_index (plots, i))->drawn;
  return not_drawn;
}
