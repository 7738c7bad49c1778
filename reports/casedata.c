/* casedata.c -- the analysis a report is about, opened and checked.
 *
 * Reads the params, targets and metrics tables whole (small) and the list
 * of tables; everything through common/db.h.  The redactor is decided
 * here, once: imported = 1 in params (or run.imported in findings.json)
 * and no --reveal.
 */
#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "reports/casedata.h"

static const char *const required_tables[] = { "params", "targets", "metrics" };

static gboolean
load_tables (MlCaseData *cd, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (cd->db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')", error);
  MlStep step;

  if (st == NULL)
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    g_hash_table_add (cd->tables, g_strdup (ml_stmt_text (st, 0)));
  if (step == ML_STEP_ERROR)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (required_tables); i++)
    if (!g_hash_table_contains (cd->tables, required_tables[i]))
      {
        g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: no table '%s'; not an analysis database",
                     ml_db_path (cd->db), required_tables[i]);
        return FALSE;
      }
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Table params, raw: the redactor is decided from it. */
static gboolean
load_params (MlCaseData *cd, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (cd->db, "SELECT key, value FROM params WHERE key IS NOT NULL", error);
  MlStep step;

  if (st == NULL)
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      const char *value = ml_stmt_text (st, 1);
      if (!g_hash_table_contains (cd->params, ml_stmt_text (st, 0)))
        g_ptr_array_add (cd->param_keys, g_strdup (ml_stmt_text (st, 0)));
      g_hash_table_insert (cd->params, g_strdup (ml_stmt_text (st, 0)), g_strdup (value != NULL ? value : ""));
    }
  g_ptr_array_sort (cd->param_keys, compare_strings);
  return step == ML_STEP_DONE;
}

/* Redact every parameter value in place (after the redactor exists). */
static void
redact_params (MlCaseData *cd)
{
  for (guint i = 0; i < cd->param_keys->len; i++)
    {
      const char *key = g_ptr_array_index (cd->param_keys, i);
      char *v = ml_redact_text (cd->redactor, g_hash_table_lookup (cd->params, key));
      g_hash_table_insert (cd->params, g_strdup (key), v);
    }
}

static gboolean
load_targets (MlCaseData *cd, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (cd->db,
      "SELECT target FROM targets WHERE hop = 1 AND target IS NOT NULL ORDER BY rowid", error);
  MlStep step;

  if (st == NULL)
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    g_ptr_array_add (cd->targets, g_strdup (ml_stmt_text (st, 0)));
  return step == ML_STEP_DONE;
}

static gboolean
load_metrics (MlCaseData *cd, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (cd->db,
      "SELECT n_windows, scope, metric, value FROM metrics"
      " WHERE value IS NOT NULL AND scope IS NOT NULL AND metric IS NOT NULL", error);
  MlStep step;

  if (st == NULL)
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      int n = (int) ml_stmt_int64 (st, 0);
      double *v = g_new (double, 1);
      *v = ml_stmt_double (st, 3);
      g_hash_table_insert (cd->metrics,
                           g_strdup_printf ("%d\t%s\t%s", n, ml_stmt_text (st, 1), ml_stmt_text (st, 2)), v);
      cd->windows = MAX (cd->windows, n);
    }
  return step == ML_STEP_DONE;
}

/* The case's shape: name, windows, imported, population. */
static void
settle_case (MlCaseData *cd)
{
  const MlJson *run = ml_json_member (cd->findings, "run");
  const char *name = g_hash_table_lookup (cd->params, "name");
  double w = 0;

  if (name == NULL)
    name = ml_json_text (ml_json_member (ml_json_member (cd->findings, "case"), "name"));
  cd->name = name != NULL ? g_strdup (name) : g_path_get_basename (cd->dir);
  if (cd->windows < 1 && ml_json_double (ml_json_member (cd->findings, "windows"), &w) && w >= 1)
    cd->windows = (int) w;
  cd->windows = (int) MAX (cd->windows, ml_casedata_param_int (cd, "windows", 1));
  cd->imported = ml_casedata_param_int (cd, "imported", 0) != 0 || ml_json_is_true (ml_json_member (run, "imported"))
                 || (ml_json_double (ml_json_member (run, "imported"), &w) && w != 0);
  cd->population = ml_casedata_param_int (cd, "population", 0) != 0;
}

/* The analysis files must be there: say what to run when they are not. */
static gboolean
check_dir (const char *dir, GError **error)
{
  static const char *const files[] = { "analysis.db", "findings.json" };

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no such directory", dir);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                       "%s: not a case directory (no %s); run 'metaleak analyze RUN --case NAME' first",
                       dir, files[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static MlCaseData *
casedata_new (const char *dir)
{
  MlCaseData *cd = g_new0 (MlCaseData, 1);

  cd->dir = g_strdup (dir);
  cd->param_keys = g_ptr_array_new_with_free_func (g_free);
  cd->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cd->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  cd->targets = g_ptr_array_new_with_free_func (g_free);
  cd->metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return cd;
}

MlCaseData *
ml_casedata_open (const char *dir, gboolean reveal, GError **error)
{
  g_autoptr(MlCaseData) cd = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *json_path = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!check_dir (dir, error))
    return NULL;
  cd = casedata_new (dir);
  db_path = g_build_filename (dir, "analysis.db", NULL);
  json_path = g_build_filename (dir, "findings.json", NULL);
  if ((cd->findings = ml_json_load (json_path, error)) == NULL
      || (cd->db = ml_db_open (db_path, ML_DB_READONLY, error)) == NULL
      || !load_tables (cd, error) || !load_params (cd, error)
      || !load_targets (cd, error) || !load_metrics (cd, error))
    return NULL;
  settle_case (cd);
  cd->redactor = ml_redactor_new (cd->imported && !reveal);
  redact_params (cd);
  return g_steal_pointer (&cd);
}

void
ml_casedata_free (MlCaseData *cd)
{
  if (cd == NULL)
    return;
  g_free (cd->dir);
  ml_db_free (cd->db);
  ml_json_free (cd->findings);
  ml_redactor_free (cd->redactor);
  g_ptr_array_unref (cd->param_keys);
  g_hash_table_unref (cd->params);
  g_hash_table_unref (cd->tables);
  g_ptr_array_unref (cd->targets);
  g_hash_table_unref (cd->metrics);
  g_free (cd->name);
  g_free (cd);
}

const char *
ml_casedata_param (const MlCaseData *cd, const char *key)
{
  g_return_val_if_fail (cd != NULL && key != NULL, NULL);
  return g_hash_table_lookup (cd->params, key);
}

gint64
ml_casedata_param_int (const MlCaseData *cd, const char *key, gint64 fallback)
{
  const char *v = ml_casedata_param (cd, key);
  gint64 n;

  if (v == NULL || !g_ascii_string_to_signed (v, 10, G_MININT64, G_MAXINT64, &n, NULL))
    return fallback;
  return n;
}

gboolean
ml_casedata_has_table (const MlCaseData *cd, const char *table)
{
  g_return_val_if_fail (cd != NULL && table != NULL, FALSE);
  return g_hash_table_contains (cd->tables, table);
}

gboolean
ml_casedata_metric (const MlCaseData *cd, int n_windows, const char *scope, const char *metric, double *out)
{
  g_autofree char *key = NULL;
  const double *v;

  g_return_val_if_fail (cd != NULL && scope != NULL && metric != NULL, FALSE);
  key = g_strdup_printf ("%d\t%s\t%s", n_windows, scope, metric);
  v = g_hash_table_lookup (cd->metrics, key);
  if (v == NULL || !isfinite (*v))
    return FALSE;
  if (out != NULL)
    *out = *v;
  return TRUE;
}

const char *
ml_casedata_label (const MlCaseData *cd, const char *handle)
{
  g_return_val_if_fail (cd != NULL, handle);
  return ml_redact_handle (cd->redactor, handle);
}

double
ml_casedata_finding (const MlCaseData *cd, const char *section, const char *member)
{
  double v;

  g_return_val_if_fail (cd != NULL && section != NULL && member != NULL, NAN);
  if (!ml_json_double (ml_json_member (ml_json_member (cd->findings, section), member), &v))
    return NAN;
  return v;
}
