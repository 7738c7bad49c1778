/* plot-curves.c -- the plots about all targets together: the leakage
 * curves, hop reach, sensitive categories and population uniqueness.
 *
 * The leakage curves are the product of metaleak: each inference scored
 * against truth as a function of the number of chained windows (table
 * metrics, scope "all": the mean over the named targets for shares, the
 * median for distances).  The other three summarise tables hops,
 * sensitive_truth/sensitive and uniqueness, the last beside de Montjoye
 * et al.'s published figures from datasets/literature.csv.
 */
#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "reports/csv.h"
#include "reports/plot.h"

static double
metric_all (const MlPlotSet *set, int n, const char *metric)
{
  double v;

  return ml_casedata_metric (set->cd, n, "all", metric, &v) ? v : NAN;
}

/* One row per window count 1..N: n_windows, then each of METRICS.  Returns
 * how many of the values from column FIRST_PLOTTED on are known. */
static guint
append_curves (const MlPlotSet *set, GString *dat, const char *const *metrics, gsize n_metrics, gsize first_plotted)
{
  guint known = 0;

  for (int n = 1; n <= set->cd->windows; n++)
    {
      g_string_append_printf (dat, "%d", n);
      for (gsize m = 0; m < n_metrics; m++)
        {
          double v = metric_all (set, n, metrics[m]);
          ml_plot_dat_num (dat, v, 6);
          known += m >= first_plotted && isfinite (v);
        }
      g_string_append_c (dat, '\n');
    }
  return known;
}

static const char *const contact_metrics[] = {
  "covered_days", "contacts_recall", "contacts_precision", "top5_recall", "sensitive_recall", "lookups_not_messaged",
};

static char *
contacts_caption (const MlPlotSet *set)
{
  int n = set->cd->windows;
  g_autofree char *r1 = ml_plot_percent (metric_all (set, 1, "contacts_recall"));
  g_autofree char *rn = ml_plot_percent (metric_all (set, n, "contacts_recall"));
  g_autofree char *p1 = ml_plot_percent (metric_all (set, 1, "contacts_precision"));
  g_autofree char *pn = ml_plot_percent (metric_all (set, n, "contacts_precision"));
  g_autofree char *s1 = ml_plot_percent (metric_all (set, 1, "sensitive_recall"));
  g_autofree char *sn = ml_plot_percent (metric_all (set, n, "sensitive_recall"));
  double days = metric_all (set, n, "covered_days");
  g_autofree char *covered = isfinite (days) ? g_strdup_printf (" (%.0f days of lookups)", days) : g_strdup ("");

  return g_strdup_printf (
      "How much of the targets' circle of contacts the lookup log revealed as orders were chained "
      "(average over %u targets). After 1 order, %s of their true contacts were among the contacts the "
      "analysis reported; after %d %s%s, %s. Of the contacts reported, %s (first order) and %s (all "
      "orders) were real ties; the rest were numbers looked up that were not part of the person's "
      "circle. Sensitive services found rose from %s to %s.",
      set->cd->targets->len, r1, n, ml_plot_orders_word (n), covered, rn, p1, pn, s1, sn);
}

gboolean
ml_plot_leakage_contacts (MlPlotSet *set, GError **error)
{
  g_autoptr(MlPlot) p = ml_plot_new ("leakage-contacts", "Contacts revealed by chained orders");
  g_autoptr(GString) dat = NULL;
  g_autofree char *body = NULL;
  gint64 window_days = ml_casedata_param_int (set->cd, "window_days", 30);

  p->concept = ML_CONCEPT_CHAINING;
  p->caption = contacts_caption (set);
  p->alt = g_strdup ("Line chart: share of true contacts found and precision against the number of chained orders");
  dat = ml_plot_dat_new (set, p, "metrics (scope all)",
                         "n_windows covered_days contacts_recall contacts_precision top5_recall "
                         "sensitive_recall lookups_not_messaged");
  if (append_curves (set, dat, contact_metrics, G_N_ELEMENTS (contact_metrics), 1) == 0)
    return TRUE;
  body = g_strdup_printf (
      "data = \"%s.dat\"\n"
      "set datafile missing \"NaN\"\n"
      "set title \"%s\"\n"
      "set xlabel \"chained orders (%" G_GINT64_FORMAT "-day windows)\"\n"
      "set ylabel \"share (%%)\"\n"
      "set xrange [0.5:%d.5]\nset xtics 1\nset yrange [0:105]\n"
      "set grid ytics lc rgb \"#dddddd\"\nset key bottom right\n"
      "plot data using 1:($3*100) with linespoints lw 2.5 pt 7 ps 1.3 lc rgb \"#1a9850\" title \"true contacts found (recall)\", \\\n"
      "     data using 1:($4*100) with linespoints lw 2.5 pt 5 ps 1.2 lc rgb \"#1f77b4\" title \"reported contacts that are real (precision)\", \\\n"
      "     data using 1:($5*100) with linespoints lw 1.5 dt 2 pt 9 lc rgb \"#66a61e\" title \"5 closest contacts found\", \\\n"
      "     data using 1:($6*100) with linespoints lw 1.5 dt 4 pt 11 lc rgb \"#d62728\" title \"sensitive services found\"\n",
      p->name, p->title, window_days, set->cd->windows);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}

static const char *const location_metrics[] = {
  "home_error_km", "work_error_km", "home_within_10km", "work_within_10km", "home_within_1km", "work_within_1km",
};

static char *
location_caption (const MlPlotSet *set)
{
  int n = set->cd->windows;
  g_autofree char *h1 = ml_plot_km (metric_all (set, 1, "home_error_km"));
  g_autofree char *hn = ml_plot_km (metric_all (set, n, "home_error_km"));
  g_autofree char *w1 = ml_plot_km (metric_all (set, 1, "work_error_km"));
  g_autofree char *wn = ml_plot_km (metric_all (set, n, "work_error_km"));
  g_autofree char *h10 = ml_plot_percent (metric_all (set, n, "home_within_10km"));
  g_autofree char *w10 = ml_plot_percent (metric_all (set, n, "work_within_10km"));

  return g_strdup_printf (
      "How precisely the IP addresses in the lookups placed the targets' home and workplace. The median "
      "distance between the inferred and the true home fell from %s after 1 order to %s after %d; for "
      "the workplace from %s to %s (solid lines, left axis). After %d %s, %s of the targets' homes and "
      "%s of their workplaces were placed within 10 km (dashed lines, right axis).",
      h1, hn, n, w1, wn, n, ml_plot_orders_word (n), h10, w10);
}

gboolean
ml_plot_leakage_location (MlPlotSet *set, GError **error)
{
  g_autoptr(MlPlot) p = ml_plot_new ("leakage-location", "Home and work located by chained orders");
  g_autoptr(GString) dat = NULL;
  g_autofree char *body = NULL;
  gint64 window_days = ml_casedata_param_int (set->cd, "window_days", 30);

  p->concept = ML_CONCEPT_IP_LOCATION;
  p->caption = location_caption (set);
  p->alt = g_strdup ("Line chart: median home and work location error in km against the number of chained orders");
  dat = ml_plot_dat_new (set, p, "metrics (scope all)",
                         "n_windows home_error_km work_error_km home_within_10km work_within_10km "
                         "home_within_1km work_within_1km");
  if (append_curves (set, dat, location_metrics, G_N_ELEMENTS (location_metrics), 0) == 0)
    return TRUE;
  body = g_strdup_printf (
      "data = \"%s.dat\"\n"
      "set datafile missing \"NaN\"\n"
      "set title \"%s\"\n"
      "set xlabel \"chained orders (%" G_GINT64_FORMAT "-day windows)\"\n"
      "set ylabel \"median error (km)\"\nset y2label \"targets placed within 10 km (%%)\"\n"
      "set xrange [0.5:%d.5]\nset xtics 1\nset yrange [0:*]\nset y2range [0:105]\n"
      "set ytics nomirror\nset y2tics 0,20,100\n"
      "set grid ytics lc rgb \"#dddddd\"\nset key below horizontal maxrows 2\n"
      "plot data using 1:2 with linespoints lw 2.5 pt 7 ps 1.3 lc rgb \"#1f77b4\" title \"home: median error (km)\", \\\n"
      "     data using 1:3 with linespoints lw 2.5 pt 5 ps 1.2 lc rgb \"#9467bd\" title \"work: median error (km)\", \\\n"
      "     data using 1:($4*100) axes x1y2 with linespoints lw 1.5 dt 2 pt 6 lc rgb \"#1f77b4\" title \"home within 10 km (%%)\", \\\n"
      "     data using 1:($5*100) axes x1y2 with linespoints lw 1.5 dt 2 pt 4 lc rgb \"#9467bd\" title \"work within 10 km (%%)\"\n",
      p->name, p->title, window_days, set->cd->windows);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}

/* ---- hop reach ---- */

/* HOPS(n_windows, hop): reached; -1 when absent.  *HUB_SERVICE is set when
 * the top hub at N windows and hop 2 or more is a service. */
static gboolean
hop_reached (const MlPlotSet *set, int n, int hop, gint64 *reached, gboolean *hub_service, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT reached, coalesce(top_hub_is_service, 0) FROM hops WHERE n_windows = ?1 AND hop = ?2", error);
  MlStep step;

  *reached = -1;
  if (st == NULL || !ml_stmt_bind_int64 (st, 1, n, error) || !ml_stmt_bind_int64 (st, 2, hop, error))
    return FALSE;
  if ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      *reached = ml_stmt_int64 (st, 0);
      if (hop > 1 && n == set->cd->windows && ml_stmt_int64 (st, 1) != 0)
        *hub_service = TRUE;
    }
  return step != ML_STEP_ERROR;
}

/* The .dat rows of the hop plot; *ANY is set when a reach is known. */
static gboolean
hop_rows (const MlPlotSet *set, GString *dat, const int *wins, guint n_wins, gboolean *any,
          gboolean *hub_service, GError **error)
{
  for (int hop = 1; hop <= 3; hop++)
    {
      g_autofree char *metric = g_strdup_printf ("true_reach_%d", hop);
      g_autofree char *label = g_strdup_printf ("%d hop%s", hop, hop > 1 ? "s" : "");
      g_string_append_printf (dat, "%d", hop);
      ml_plot_dat_str (dat, label);
      for (guint i = 0; i < n_wins; i++)
        {
          gint64 reached;
          if (!hop_reached (set, wins[i], hop, &reached, hub_service, error))
            return FALSE;
          *any |= reached >= 0;
          ml_plot_dat_num (dat, reached >= 0 ? (double) reached : NAN, 12);
        }
      ml_plot_dat_num (dat, metric_all (set, set->cd->windows, metric), 12);
      g_string_append_c (dat, '\n');
    }
  return TRUE;
}

static char *
hop_caption (const MlPlotSet *set, gboolean hub_service, GError **error)
{
  GString *c = g_string_new ("Hop expansion: orders on the people a target contacts sweep in their contacts too. ");
  int n = set->cd->windows;
  gboolean hub = FALSE;

  g_string_append_printf (c, "After %d %s, the handles reached were", n, ml_plot_orders_word (n));
  for (int hop = 1; hop <= 3; hop++)
    {
      gint64 reached;
      g_autofree char *count = NULL;
      if (!hop_reached (set, n, hop, &reached, &hub, error))
        {
          g_string_free (c, TRUE);
          return NULL;
        }
      count = reached >= 0 ? ml_plot_count (reached) : g_strdup ("n/a");
      g_string_append_printf (c, "%s %s at %d hop%s", hop == 1 ? "" : hop == 3 ? " and" : ",", count, hop,
                              hop > 1 ? "s" : "");
    }
  g_string_append (c, " (log scale). Grey bars: the people who really are within that many ties of the targets.");
  if (hub_service)
    g_string_append (c, " The best-connected handle reached was a service (a pharmacy or a hotline): through "
                        "such hubs a third hop reaches people with no tie to the targets.");
  return g_string_free (c, FALSE);
}

gboolean
ml_plot_hop_reach (MlPlotSet *set, GError **error)
{
  g_autoptr(MlPlot) p = ml_plot_new ("hop-reach", "How many people each hop reaches");
  g_autoptr(GString) dat = NULL;
  g_autofree char *body = NULL;
  int wins[4];
  guint n_wins = ml_plot_pick_windows (set->cd->windows, wins);
  gboolean any = FALSE, hub_service = FALSE;
  g_autoptr(GString) wins_text = g_string_new (NULL);

  if (!ml_casedata_has_table (set->cd, "hops"))
    return TRUE;
  for (guint i = 0; i < n_wins; i++)
    g_string_append_printf (wins_text, "%s%d", i > 0 ? "," : "", wins[i]);
  dat = ml_plot_dat_new (set, p, "hops, metrics true_reach_K",
                         "hop label reached_after_each_shown_window_count... true_reach");
  g_string_append_printf (dat, "# window counts shown: %s\n", wins_text->str);
  if (!hop_rows (set, dat, wins, n_wins, &any, &hub_service, error))
    return FALSE;
  if (!any)
    return TRUE;
  if ((p->caption = hop_caption (set, hub_service, error)) == NULL)
    return FALSE;
  p->concept = ML_CONCEPT_HOPS;
  p->alt = g_strdup ("Bar chart, log scale: handles reached at 1, 2 and 3 hops");
  body = g_strdup_printf (
      "data = \"%s.dat\"\n"
      "array wins[%u] = [%s]\n"
      "set datafile missing \"NaN\"\n"
      "set title \"%s\"\n"
      "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
      "set logscale y\nset yrange [1:*]\nset format y \"%%.0f\"\n"
      "set ylabel \"handles or people (log scale)\"\nset grid ytics lc rgb \"#dddddd\"\nset key top left\n"
      "shades = \"#9ecae1 #6baed6 #2171b5 #08306b\"\n"
      "plot for [i=1:%u] data using (column(i+2)):xtic(2) lc rgb word(shades, i + 4 - |wins|) title sprintf(\"handles reached after %%d order%%s\", wins[i], wins[i] > 1 ? \"s\" : \"\"), \\\n"
      "     data using (column(%u)) lc rgb \"#999999\" title \"people within that many true hops\"\n",
      p->name, n_wins, wins_text->str, p->title, n_wins, n_wins + 3);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}

/* ---- sensitive categories ---- */

#define SENSITIVE_SQL \
  "WITH named AS (SELECT target FROM targets WHERE hop = 1)," \
  " t AS (SELECT category, sum(true_contacts > 0) AS truth, sum(true_contacts > 0 AND found > 0) AS found" \
  "       FROM sensitive_truth WHERE target IN named GROUP BY category)," \
  " r AS (SELECT category, count(DISTINCT target) AS reported FROM sensitive" \
  "       WHERE n_windows = ?1 AND target IN named GROUP BY category)" \
  " SELECT c.category, coalesce(t.truth, 0), coalesce(t.found, 0), coalesce(r.reported, 0)" \
  " FROM (SELECT category FROM t UNION SELECT category FROM r) AS c" \
  " LEFT JOIN t USING (category) LEFT JOIN r USING (category)" \
  " WHERE c.category IS NOT NULL ORDER BY 2 DESC, 4 DESC, 1"

/* "mental health" for "mental_health". */
static char *
category_label (const char *category)
{
  return g_strdelimit (g_strdup (category), "_", ' ');
}

/* The .dat rows and the caption's lists; *TRUTH and *FOUND are totals,
 * *N_ROWS the number of categories. */
static gboolean
sensitive_rows (const MlPlotSet *set, GString *dat, GString *found_list, GString *missed_list,
                gint64 *truth, gint64 *found, guint *n_rows, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db, SENSITIVE_SQL, error);
  MlStep step;

  if (st == NULL || !ml_stmt_bind_int64 (st, 1, set->cd->windows, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      g_autofree char *label = category_label (ml_stmt_text (st, 0));
      gint64 t = ml_stmt_int64 (st, 1), f = ml_stmt_int64 (st, 2);
      ml_plot_dat_str (dat, ml_stmt_text (st, 0));
      ml_plot_dat_str (dat, label);
      g_string_append_printf (dat, " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              t, f, ml_stmt_int64 (st, 3));
      *truth += t;
      *found += f;
      (*n_rows)++;
      if (t > 0 && f > 0)
        g_string_append_printf (found_list, "%s%s %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
                                found_list->len > 0 ? ", " : "", label, f, t);
      else if (t > 0)
        g_string_append_printf (missed_list, "%s%s", missed_list->len > 0 ? ", " : "", label);
    }
  return step == ML_STEP_DONE;
}

static char *
sensitive_caption (const MlPlotSet *set, gint64 truth, gint64 found, const char *found_list, const char *missed_list)
{
  g_autofree char *share = ml_plot_percent (truth > 0 ? (double) found / (double) truth : NAN);
  int n = set->cd->windows;

  return g_strdup_printf (
      "Sensitive services (health, pharmacies, finance, law, religion...): for each category, how many "
      "of the %u targets really contacted such a service (grey) and for how many the analysis found it "
      "from lookups of the service's public number after %d %s (green): %" G_GINT64_FORMAT " of %"
      G_GINT64_FORMAT " (%s). Found: %s. Missed: %s. Blue: targets the analysis placed in the category.",
      set->cd->targets->len, n, ml_plot_orders_word (n), found, truth, share,
      *found_list != '\0' ? found_list : "none", *missed_list != '\0' ? missed_list : "none");
}

gboolean
ml_plot_sensitive (MlPlotSet *set, GError **error)
{
  g_autoptr(MlPlot) p = ml_plot_new ("sensitive", "Sensitive services found versus true");
  g_autoptr(GString) dat = NULL;
  g_autoptr(GString) found_list = g_string_new (NULL);
  g_autoptr(GString) missed_list = g_string_new (NULL);
  g_autofree char *body = NULL;
  gint64 truth = 0, found = 0;
  guint n_rows = 0;

  if (!ml_casedata_has_table (set->cd, "sensitive_truth") || !ml_casedata_has_table (set->cd, "sensitive"))
    return TRUE;
  dat = ml_plot_dat_new (set, p, "sensitive_truth, sensitive (named targets, all windows)",
                         "category label targets_true targets_true_and_found targets_reported");
  if (!sensitive_rows (set, dat, found_list, missed_list, &truth, &found, &n_rows, error))
    return FALSE;
  if (n_rows == 0)
    return TRUE;
  p->concept = ML_CONCEPT_SENSITIVE;
  p->caption = sensitive_caption (set, truth, found, found_list->str, missed_list->str);
  p->alt = g_strdup ("Bar chart: targets who contacted each kind of sensitive service, and how many were found");
  body = g_strdup_printf (
      "data = \"%s.dat\"\n"
      "set title \"%s\"\n"
      "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
      "set yrange [0:%u.5]\nset ytics 1\nset ylabel \"targets\"\nset xtics noenhanced rotate by -30\n"
      "set grid ytics lc rgb \"#dddddd\"\nset key top right\n"
      "plot data using 3:xtic(2) lc rgb \"#999999\" title \"contacted such a service (truth)\", \\\n"
      "     data using 4 lc rgb \"#1a9850\" title \"... and the analysis found it\", \\\n"
      "     data using 5 lc rgb \"#1f77b4\" title \"placed in the category by the analysis\"\n",
      p->name, p->title, set->cd->targets->len);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}

/* ---- uniqueness ---- */

/* Blocks 1: the literature's unique_kK figures; FALSE (no error) when
 * literature.csv is missing or has none. */
static gboolean
literature_rows (const MlPlotSet *set, GString *dat)
{
  g_autoptr(GPtrArray) rows = NULL;
  gboolean any = FALSE;

  if (set->literature == NULL || (rows = ml_csv_load (set->literature, TRUE, NULL)) == NULL || rows->len < 2)
    return FALSE;
  for (guint i = 1; i < rows->len; i++)
    {
      char **r = g_ptr_array_index (rows, i);
      char *end = NULL;
      double share;
      gint64 k;
      if (g_strv_length (r) < 6 || !g_str_has_prefix (r[0], "unique_k")
          || !g_ascii_string_to_signed (r[0] + 8, 10, 2, 100, &k, NULL))
        continue;
      share = g_ascii_strtod (r[1], &end);
      if (end == r[1] || *end != '\0')
        continue;
      g_string_append_printf (dat, "%" G_GINT64_FORMAT, k);
      ml_plot_dat_num (dat, share, 6);
      g_string_append_c (dat, '\n');
      any = TRUE;
    }
  return any;
}

/* Block 0: the population's uniqueness; *K2, *K4 and *PEOPLE for the
 * caption (NAN / 0 when absent).  FALSE with ERROR on failure; *ROWS
 * counts the rows. */
static gboolean
uniqueness_rows (const MlPlotSet *set, GString *dat, double *k2, double *k4, gint64 *people, guint *rows,
                 GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT k, share_unique, people FROM uniqueness WHERE k IS NOT NULL ORDER BY k", error);
  MlStep step;

  if (st == NULL)
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      gint64 k = ml_stmt_int64 (st, 0);
      double share = ml_stmt_double (st, 1);
      g_string_append_printf (dat, "%" G_GINT64_FORMAT, k);
      ml_plot_dat_num (dat, share, 6);
      g_string_append_printf (dat, " %" G_GINT64_FORMAT "\n", ml_stmt_int64 (st, 2));
      *k2 = k == 2 ? share : *k2;
      *k4 = k == 4 ? share : *k4;
      *people = MAX (*people, ml_stmt_int64 (st, 2));
      (*rows)++;
    }
  return step == ML_STEP_DONE;
}

static char *
uniqueness_caption (gint64 people, double k2, double k4, gboolean lit)
{
  g_autofree char *s2 = ml_plot_percent (k2), *s4 = ml_plot_percent (k4), *n = ml_plot_count (people);

  return g_strdup_printf (
      "Re-identification: the share of the simulated population (%s people) whose lookups are the only "
      "ones matching k known (hour, place) points. 2 points single out %s, 4 points %s. %s", n, s2, s4,
      lit ? "Red circles: the published figures for 1.5 million mobile-phone users (de Montjoye et al., "
            "Sci. Rep. 2013): more than 50 % from 2 points and 95 % from 4."
          : "(The published reference figures were not found: datasets/literature.csv is missing.)");
}

gboolean
ml_plot_uniqueness (MlPlotSet *set, GError **error)
{
  g_autoptr(MlPlot) p = ml_plot_new ("uniqueness", "How few points single a person out");
  g_autoptr(GString) dat = NULL;
  g_autofree char *body = NULL;
  double k2 = NAN, k4 = NAN;
  gint64 people = 0;
  guint rows = 0;
  gboolean lit;

  if (!set->cd->population || !ml_casedata_has_table (set->cd, "uniqueness"))
    return TRUE;
  dat = ml_plot_dat_new (set, p, "uniqueness; datasets/literature.csv", "k share_unique people");
  if (!uniqueness_rows (set, dat, &k2, &k4, &people, &rows, error))
    return FALSE;
  if (rows == 0)
    return TRUE;
  ml_plot_dat_block (dat, "k share_unique (published: de Montjoye et al. 2013)");
  lit = literature_rows (set, dat);
  p->concept = ML_CONCEPT_UNIQUENESS;
  p->alt = g_strdup ("Line chart: share of people singled out against the number of points known");
  p->caption = uniqueness_caption (people, k2, k4, lit);
  body = g_strdup_printf (
      "data = \"%s.dat\"\n"
      "set title \"%s\"\n"
      "set xlabel \"points known (k): an hour and a place from the person's lookups\"\n"
      "set ylabel \"people singled out (%%)\"\nset yrange [0:105]\nset xrange [0.5:*]\nset offsets 0, 0.5, 0, 0\nset xtics 1\n"
      "set grid lc rgb \"#dddddd\"\nset key bottom right\n"
      "plot data index 0 using 1:($2*100) with linespoints lw 2.5 pt 7 ps 1.3 lc rgb \"#1f77b4\" title \"simulated population\"%s\n",
      p->name, p->title,
      lit ? ", \\\n     data index 1 using 1:($2*100) with points pt 6 ps 2.5 lw 2 lc rgb \"#d62728\" "
            "title \"de Montjoye et al. 2013\"" : "");
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}
