/* datadir.c -- where the shipped scenarios, cases and literature live.
 *
 * An uninstalled binary is recognised by its own path: when
 * /proc/self/exe lives in the build directory configure recorded
 * (ML_BUILDDIR), the source tree's datasets/ is used, so a developer never
 * reads a stale installed copy.  Everything else reads ML_PKGDATADIR.
 */

#include <string.h>

#include "common/datadir.h"
#include "common/errors.h"

static char *datadir;

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *build = NULL;

  if (exe == NULL)
    return FALSE;
  dir = g_path_get_dirname (exe);
  build = g_canonicalize_filename (ML_BUILDDIR, NULL);
  return g_str_equal (dir, build)
         || (g_str_has_prefix (dir, build) && dir[strlen (build)] == '/');
}

const char *
ml_datadir (void)
{
  const char *env;

  if (datadir != NULL)
    return datadir;
  env = g_getenv ("METALEAK_DATADIR");
  if (env != NULL && *env != '\0')
    datadir = g_strdup (env);
  else if (running_from_build_tree () && g_file_test (ML_SRCDATADIR, G_FILE_TEST_IS_DIR))
    datadir = g_strdup (ML_SRCDATADIR);
  else
    datadir = g_strdup (ML_PKGDATADIR);
  return datadir;
}

char **
ml_datadir_list (const char *kind)
{
  g_autofree char *dir = g_build_filename (ml_datadir (), kind, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (name, ".ini"))
          g_ptr_array_add (names, g_strndup (name, strlen (name) - 4));
      g_dir_close (d);
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_steal (names, NULL);
}

char *
ml_datadir_resolve (const char *kind, const char *name, GError **error)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) known = NULL;
  g_autofree char *list = NULL;

  g_return_val_if_fail (kind != NULL && name != NULL, NULL);
  if (strchr (name, '/') != NULL || g_str_has_suffix (name, ".ini"))
    {
      if (g_file_test (name, G_FILE_TEST_IS_REGULAR))
        return g_strdup (name);
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no such file", name);
      return NULL;
    }
  file = g_strconcat (name, ".ini", NULL);
  path = g_build_filename (ml_datadir (), kind, file, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  known = ml_datadir_list (kind);
  list = g_strjoinv (", ", known);
  g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
               "unknown %s '%s' (not a file, and not one of the shipped %s in %s: %s)",
               g_str_equal (kind, "scenarios") ? "scenario" : "case", name, kind,
               ml_datadir (), *list ? list : "none");
  return NULL;
}
