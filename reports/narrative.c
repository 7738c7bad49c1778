/* narrative.c -- what the report says in words, for the HTML page and the
 * brief alike.
 *
 * Every sentence is built from the metrics of scope "all" (shares are the
 * mean over the named targets, distances the median) or from findings.json,
 * never computed anew, so the report repeats the analysis's numbers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "reports/narrative.h"

double
ml_narrative_metric (const MlCaseData *cd, int n, const char *metric)
{
  double v;

  return ml_casedata_metric (cd, n, "all", metric, &v) ? v : NAN;
}

static gint64
window_days (const MlCaseData *cd)
{
  double d = ml_casedata_finding (cd, "case", "window_days");

  return isfinite (d) ? (gint64) d : ml_casedata_param_int (cd, "window_days", 30);
}

char *
ml_narrative_headline (const MlCaseData *cd)
{
  int n = cd->windows;
  double recall = ml_narrative_metric (cd, n, "contacts_recall");
  double home = ml_narrative_metric (cd, n, "home_error_km");
  g_autofree char *r = ml_plot_percent (recall), *h = ml_plot_km (home);
  g_autofree char *who = cd->targets->len == 1 ? g_strdup ("the target's")
                                               : g_strdup_printf ("the %u targets'", cd->targets->len);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "After %d chained %" G_GINT64_FORMAT "-day %s, ", n, window_days (cd),
                          ml_plot_orders_word (n));
  if (isfinite (recall) && isfinite (home))
    g_string_append_printf (s, "%s of %s true contacts were recovered and their homes placed within %s (median)",
                            r, who, h);
  else if (isfinite (recall))
    g_string_append_printf (s, "%s of %s true contacts were recovered", r, who);
  else if (isfinite (home))
    g_string_append_printf (s, "%s homes were placed within %s (median)", who, h);
  else
    g_string_append (s, "the analysis scored no contacts or places");
  g_string_append (s, ", from logs that hold no message content.");
  s->str[0] = g_ascii_toupper (s->str[0]);
  return g_string_free (s, FALSE);
}

static void
key_number_free (gpointer p)
{
  MlKeyNumber *k = p;

  g_free (k->value);
  g_free (k->label);
  g_free (k);
}

static void
add_key (GPtrArray *keys, char *value, const char *label)
{
  MlKeyNumber *k = g_new (MlKeyNumber, 1);

  k->value = value;
  k->label = g_strdup (label);
  g_ptr_array_add (keys, k);
}

/* Append the key number METRIC as a share (or distance) when known. */
static void
add_metric_key (GPtrArray *keys, const MlCaseData *cd, const char *metric, gboolean km, const char *label)
{
  double v = ml_narrative_metric (cd, cd->windows, metric);

  if (isfinite (v))
    add_key (keys, km ? ml_plot_km (v) : ml_plot_percent (v), label);
}

/* The share of the population unique by K points (table uniqueness). */
static gboolean
uniqueness_at (const MlCaseData *cd, int k, double *share)
{
  g_autoptr(MlStmt) st = NULL;

  if (!ml_casedata_has_table (cd, "uniqueness")
      || (st = ml_db_prepare (cd->db, "SELECT share_unique FROM uniqueness WHERE k = ?1", NULL)) == NULL
      || !ml_stmt_bind_int64 (st, 1, k, NULL) || ml_stmt_step (st, NULL) != ML_STEP_ROW || ml_stmt_is_null (st, 0))
    return FALSE;
  *share = ml_stmt_double (st, 0);
  return TRUE;
}

GPtrArray *
ml_narrative_key_numbers (const MlCaseData *cd)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (key_number_free);
  double rows = ml_casedata_finding (cd, "headline", "evidence_rows");
  double k4;

  add_metric_key (keys, cd, "contacts_recall", FALSE, "of the targets' true contacts recovered");
  add_metric_key (keys, cd, "contacts_precision", FALSE, "of the contacts reported were real ties");
  add_metric_key (keys, cd, "home_error_km", TRUE, "median distance from the inferred to the true home");
  add_metric_key (keys, cd, "work_error_km", TRUE, "median distance from the inferred to the true workplace");
  add_metric_key (keys, cd, "sensitive_recall", FALSE, "of the sensitive services contacted were found");
  add_metric_key (keys, cd, "lookups_not_messaged", FALSE,
                  "of the numbers looked up were never messaged: a lookup is not a message");
  if (!isfinite (rows) && ml_casedata_param_int (cd, "evidence_rows", -1) >= 0)
    rows = (double) ml_casedata_param_int (cd, "evidence_rows", -1);
  if (isfinite (rows))
    add_key (keys, ml_plot_count ((gint64) rows), "log records the orders returned, none with message content");
  if (cd->population && uniqueness_at (cd, 4, &k4))
    add_key (keys, ml_plot_percent (k4), "of the population singled out by 4 (hour, place) points");
  return keys;
}

/* "contacts recovered 46 % to 66 % (+20 points)", or "contacts recovered
 * still 91 %" when nothing changed; distances in km when KM. */
static char *
step_text (const char *words, double a, double b, gboolean km)
{
  g_autofree char *sa = km ? ml_plot_km (a) : ml_plot_percent (a);
  g_autofree char *sb = km ? ml_plot_km (b) : ml_plot_percent (b);

  if (strcmp (sa, sb) == 0)
    return g_strdup_printf ("%s still %s", words, sb);
  if (km)
    return g_strdup_printf ("%s %s to %s", words, sa, sb);
  return g_strdup_printf ("%s %s to %s (%+ld points)", words, sa, sb, lround ((b - a) * 100));
}

/* "Order N: contacts recovered 46 % to 66 % (+20 points); median home
 * error 3.9 km to 2.6 km; median work error 9.5 km to 5.1 km." */
static char *
order_step (const MlCaseData *cd, int n)
{
  static const struct { const char *metric, *words; gboolean km; } parts[] = {
    { "contacts_recall", "contacts recovered", FALSE },
    { "home_error_km", "median home error", TRUE },
    { "work_error_km", "median work error", TRUE },
  };
  GString *s = g_string_new (NULL);
  gboolean any = FALSE;

  g_string_append_printf (s, "Order %d:", n);
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      double a = ml_narrative_metric (cd, n - 1, parts[i].metric), b = ml_narrative_metric (cd, n, parts[i].metric);
      g_autofree char *step = NULL;
      if (!isfinite (a) || !isfinite (b))
        continue;
      step = step_text (parts[i].words, a, b, parts[i].km);
      g_string_append_printf (s, "%s %s", any ? ";" : "", step);
      any = TRUE;
    }
  g_string_append (s, any ? "." : " nothing the analysis scored changed.");
  return g_string_free (s, FALSE);
}

GPtrArray *
ml_narrative_order_steps (const MlCaseData *cd)
{
  GPtrArray *steps = g_ptr_array_new_with_free_func (g_free);

  for (int n = 2; n <= cd->windows; n++)
    g_ptr_array_add (steps, order_step (cd, n));
  return steps;
}

/* The strings of the findings.json array MEMBER, redacted, appended to OUT. */
static void
append_json_strings (const MlCaseData *cd, const char *member, GPtrArray *out)
{
  const MlJson *a = ml_json_member (cd->findings, member);

  for (guint i = 0; i < ml_json_length (a); i++)
    {
      const char *s = ml_json_text (ml_json_element (a, i));
      if (s != NULL && *s != '\0')
        g_ptr_array_add (out, ml_redact_text (cd->redactor, s));
    }
}

GPtrArray *
ml_narrative_summary (const MlCaseData *cd)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  append_json_strings (cd, "summary", out);
  return out;
}

GPtrArray *
ml_narrative_caveats (const MlCaseData *cd)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  append_json_strings (cd, "caveats", out);
  if (out->len == 0 && !cd->imported)
    g_ptr_array_add (out, g_strdup ("The people and the provider's log are simulated; real behaviour, address "
                                    "books and IP geolocation differ."));
  if (out->len <= 1)
    g_ptr_array_add (out, g_strdup ("A lookup shows that a number was typed or a conversation opened, not that a "
                                    "message was sent: lookups are not proof of communication."));
  if (cd->imported)
    g_ptr_array_add (out, g_strdup (ml_redactor_is_active (cd->redactor)
                                    ? "This is an imported real log; every handle in this report is a pseudonym."
                                    : "This is an imported real log shown with --reveal: handles are real."));
  g_ptr_array_add (out, g_strdup ("The scores compare the inferences with the simulation's ground truth, which "
                                  "an investigator never has: they show what the log can reveal, not how sure "
                                  "an investigator could be about any one person."));
  g_ptr_array_add (out, g_strdup_printf ("Shares are means and distances medians over %u targets; single "
                                         "targets vary (the research report lists each).", cd->targets->len));
  return out;
}

char *
ml_narrative_scenario (const MlCaseData *cd)
{
  const char *scenario = ml_casedata_param (cd, "scenario");
  gint64 people = ml_casedata_param_int (cd, "people", -1), days = ml_casedata_param_int (cd, "days", -1);
  g_autofree char *count = ml_plot_count (people);

  if (cd->imported && g_strcmp0 (ml_casedata_param (cd, "input"), "cdr") == 0)
    {
      const char *users = ml_casedata_param (cd, "cdr_users");
      return g_strdup_printf ("imported call-detail records of %s user%s, their antennas as places",
                              users != NULL ? users : "?", g_strcmp0 (users, "1") == 0 ? "" : "s");
    }
  if (cd->imported)
    return g_strdup ("an imported real log");
  return g_strdup_printf ("the %s scenario: %s simulated people over %" G_GINT64_FORMAT " days (seed %s)",
                          scenario != NULL ? scenario : "unnamed", people >= 0 ? count : "?", MAX (days, 0),
                          ml_casedata_param (cd, "seed") != NULL ? ml_casedata_param (cd, "seed") : "?");
}

static const char *
kind_words (const char *kind)
{
  if (g_strcmp0 (kind, "pen") == 0 || g_strcmp0 (kind, "pen-register") == 0)
    return "pen-register";
  if (g_strcmp0 (kind, "trap") == 0 || g_strcmp0 (kind, "trap-and-trace") == 0)
    return "trap-and-trace";
  return "pen-register and trap-and-trace";
}

/* The day the first order on a named target was served ("YYYY-MM-DD"),
 * from table orders, else parameter first_service, else NULL. */
static char *
first_service (const MlCaseData *cd)
{
  g_autoptr(MlStmt) st = NULL;
  const char *param = ml_casedata_param (cd, "first_service");

  if (ml_casedata_has_table (cd, "orders")
      && (st = ml_db_prepare (cd->db, "SELECT min(served) FROM orders WHERE hop = 1", NULL)) != NULL
      && ml_stmt_step (st, NULL) == ML_STEP_ROW && !ml_stmt_is_null (st, 0))
    return ml_day_format (ml_day_of (ml_stmt_int64 (st, 0)));
  return param != NULL && g_ascii_isdigit (*param) ? g_strdup (param) : NULL;
}

char *
ml_narrative_case (const MlCaseData *cd)
{
  g_autofree char *first = first_service (cd);
  const char *mode = ml_casedata_param (cd, "mode");
  gint64 ext = ml_casedata_param_int (cd, "extensions", cd->windows - 1);

  return g_strdup_printf ("%s orders on %u %s, the first served %s and extended %" G_GINT64_FORMAT
                          " %s: %" G_GINT64_FORMAT "-day windows, %" G_GINT64_FORMAT "-day retention, %s collection, "
                          "%" G_GINT64_FORMAT " %s",
                          kind_words (ml_casedata_param (cd, "kind")), cd->targets->len,
                          cd->targets->len == 1 ? "target" : "targets", first != NULL ? first : "(date unknown)",
                          ext, ext == 1 ? "time" : "times", window_days (cd),
                          ml_casedata_param_int (cd, "retention_days", 30),
                          g_strcmp0 (mode, "prospective") == 0 ? "prospective" : "retrospective (snapshot)",
                          ml_casedata_param_int (cd, "hops", 1), ml_casedata_param_int (cd, "hops", 1) == 1 ? "hop" : "hops");
}

GPtrArray *
ml_narrative_leakage_table (const MlCaseData *cd)
{
  static const char *const metrics[] = { "covered_days", "contacts_recall", "contacts_precision",
                                         "home_error_km", "work_error_km", "sensitive_recall" };
  static const char *const header[] = { "orders", "days covered", "true contacts found", "reported contacts real",
                                        "home error (median)", "work error (median)", "sensitive services found", NULL };
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char **) header));
  for (int n = 1; n <= cd->windows; n++)
    {
      char **row = g_new0 (char *, G_N_ELEMENTS (metrics) + 2);
      row[0] = g_strdup_printf ("%d", n);
      for (gsize m = 0; m < G_N_ELEMENTS (metrics); m++)
        {
          double v = ml_narrative_metric (cd, n, metrics[m]);
          row[m + 1] = m == 0 ? (isfinite (v) ? g_strdup_printf ("%.0f", v) : g_strdup ("n/a"))
                       : strstr (metrics[m], "_km") != NULL ? ml_plot_km (v) : ml_plot_percent (v);
        }
      g_ptr_array_add (rows, row);
    }
  return rows;
}

char *
ml_narrative_generated_now (void)
{
  const char *epoch = g_getenv ("SOURCE_DATE_EPOCH");
  gint64 t;

  if (epoch == NULL || !g_ascii_string_to_signed (epoch, 10, 0, ML_TIME_MAX, &t, NULL))
    t = g_get_real_time () / G_USEC_PER_SEC;
  return ml_time_format_iso8601 (t);
}
