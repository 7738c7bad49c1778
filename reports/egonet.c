/* egonet.c -- the reconstructed ego network of one target.
 *
 * Table ego_edges scores the contacts the analysis reported after all
 * windows against the target's true social ties: "correct" (a true tie
 * reported), "missed" (a true tie not reported) and "false" (reported, not
 * a tie).  The plot draws the target in the middle and every tie as an
 * edge coloured by that status.  The layout is igraph's
 * Fruchterman-Reingold with the attraction of an edge growing with the
 * tie's true weight, so strong ties sit close to the target and weak or
 * false ones at the rim; igraph's random generator is seeded with
 * LAYOUT_SEED first, so the same analysis always gives the same picture.
 *
 * Workload: one small graph (tens of nodes) per shown target.  igraph's
 * error handler is swapped for one that returns, so a failure becomes a
 * GError instead of an abort.
 */
#include <math.h>
#include <string.h>

#include <igraph.h>

#include "common/errors.h"
#include "reports/plot.h"

#define LAYOUT_SEED 20130325   /* any fixed value; the date of de Montjoye et al. 2013 */
#define LAYOUT_ITERATIONS 500
#define FALSE_TIE_STRENGTH 0.15 /* attraction of a reported non-tie, against 1 for the strongest tie */

typedef enum { TIE_CORRECT, TIE_MISSED, TIE_FALSE, N_TIE_STATUS } TieStatus;

static const char *const status_names[N_TIE_STATUS] = { "correct", "missed", "false" };

typedef struct {
  char *label;          /* printable handle */
  TieStatus status;
  double weight;        /* true tie weight; NAN for a false tie */
  gint64 rank;          /* the analysis's rank, or 0 when not reported */
  double x, y;          /* layout, target at (0, 0), radius <= 1 */
} Tie;

static void
tie_clear (gpointer p)
{
  g_free (((Tie *) p)->label);
}

static gboolean
read_ties (const MlPlotSet *set, const char *target, GArray *ties, guint counts[N_TIE_STATUS], GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT handle, status, true_weight, coalesce(inferred_rank, 0) FROM ego_edges WHERE target = ?1"
      " AND status IN ('correct', 'missed', 'false')"
      " ORDER BY inferred_rank IS NULL, inferred_rank, true_weight DESC, handle", error);
  MlStep step;

  if (st == NULL || !ml_stmt_bind_text (st, 1, target, -1, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      Tie t = { 0 };
      const char *status = ml_stmt_text (st, 1);
      t.status = strcmp (status, "correct") == 0 ? TIE_CORRECT : strcmp (status, "missed") == 0 ? TIE_MISSED : TIE_FALSE;
      t.label = g_strdup (ml_casedata_label (set->cd, ml_stmt_text (st, 0)));
      t.weight = ml_stmt_is_null (st, 2) ? NAN : ml_stmt_double (st, 2);
      t.rank = ml_stmt_int64 (st, 3);
      counts[t.status]++;
      g_array_append_val (ties, t);
    }
  return step == ML_STEP_DONE;
}

/* The attraction of each edge: 0.5 .. 5 by true weight, weak for false ties. */
static void
edge_strengths (const GArray *ties, igraph_vector_t *w)
{
  double max_w = 0;

  for (guint i = 0; i < ties->len; i++)
    if (isfinite (g_array_index (ties, Tie, i).weight))
      max_w = MAX (max_w, g_array_index (ties, Tie, i).weight);
  for (guint i = 0; i < ties->len; i++)
    {
      const Tie *t = &g_array_index (ties, Tie, i);
      double s = isfinite (t->weight) && max_w > 0 ? t->weight / max_w : FALSE_TIE_STRENGTH;
      VECTOR (*w)[i] = 0.5 + 4.5 * s;
    }
}

/* Fruchterman-Reingold on the star target (vertex 0) -- ties 1..n into RES. */
static igraph_error_t
layout_star (const GArray *ties, igraph_matrix_t *res)
{
  igraph_vector_int_t edges;
  igraph_vector_t w;
  igraph_t g;
  igraph_integer_t n = (igraph_integer_t) ties->len + 1;
  igraph_error_t rc;

  IGRAPH_CHECK (igraph_vector_int_init (&edges, 2 * (n - 1)));
  for (igraph_integer_t i = 1; i < n; i++)
    {
      VECTOR (edges)[2 * (i - 1)] = 0;
      VECTOR (edges)[2 * (i - 1) + 1] = i;
    }
  rc = igraph_create (&g, &edges, n, IGRAPH_UNDIRECTED);
  igraph_vector_int_destroy (&edges);
  if (rc != IGRAPH_SUCCESS)
    return rc;
  rc = igraph_vector_init (&w, n - 1);
  if (rc == IGRAPH_SUCCESS)
    {
      edge_strengths (ties, &w);
      igraph_rng_seed (igraph_rng_default (), LAYOUT_SEED);
      rc = igraph_layout_fruchterman_reingold (&g, res, FALSE, LAYOUT_ITERATIONS, sqrt ((double) n),
                                               IGRAPH_LAYOUT_NOGRID, &w, NULL, NULL, NULL, NULL);
      igraph_vector_destroy (&w);
    }
  igraph_destroy (&g);
  return rc;
}

/* Lay TIES out around the target: (0, 0), the farthest tie at radius 1. */
static gboolean
layout_ties (GArray *ties, GError **error)
{
  igraph_error_handler_t *old_err = igraph_set_error_handler (igraph_error_handler_ignore);
  igraph_warning_handler_t *old_warn = igraph_set_warning_handler (igraph_warning_handler_ignore);
  igraph_matrix_t res;
  igraph_error_t rc;
  double r_max = 0;

  rc = igraph_matrix_init (&res, 0, 0);
  if (rc == IGRAPH_SUCCESS)
    rc = layout_star (ties, &res);
  igraph_set_error_handler (old_err);
  igraph_set_warning_handler (old_warn);
  if (rc != IGRAPH_SUCCESS)
    {
      igraph_matrix_destroy (&res);
      g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "ego network layout: igraph: %s", igraph_strerror (rc));
      return FALSE;
    }
  for (guint i = 0; i < ties->len; i++)
    {
      Tie *t = &g_array_index (ties, Tie, i);
      t->x = MATRIX (res, i + 1, 0) - MATRIX (res, 0, 0);
      t->y = MATRIX (res, i + 1, 1) - MATRIX (res, 0, 1);
      r_max = MAX (r_max, hypot (t->x, t->y));
    }
  igraph_matrix_destroy (&res);
  for (guint i = 0; i < ties->len && r_max > 0; i++)
    {
      g_array_index (ties, Tie, i).x /= r_max;
      g_array_index (ties, Tie, i).y /= r_max;
    }
  return TRUE;
}

/* Blocks 0 (edges), 1 (nodes) and 2 (the target) of the .dat file. */
static void
write_ties (const MlPlotSet *set, const MlPlot *p, GString **dat, const GArray *ties, const char *label)
{
  *dat = ml_plot_dat_new (set, p, "ego_edges (layout: igraph Fruchterman-Reingold, fixed seed)",
                          "x0 y0 dx dy status rank true_weight handle (one edge per tie)");
  for (guint i = 0; i < ties->len; i++)
    {
      const Tie *t = &g_array_index (ties, Tie, i);
      g_string_append (*dat, "0 0");
      ml_plot_dat_num (*dat, t->x, 5);
      ml_plot_dat_num (*dat, t->y, 5);
      g_string_append_printf (*dat, " %s %" G_GINT64_FORMAT, status_names[t->status], t->rank);
      ml_plot_dat_num (*dat, t->weight, 6);
      ml_plot_dat_str (*dat, t->label);
      g_string_append_c (*dat, '\n');
    }
  ml_plot_dat_fill_empty (*dat, ties->len, 8);
  ml_plot_dat_block (*dat, "x y status rank_label (one node per tie)");
  for (guint i = 0; i < ties->len; i++)
    {
      const Tie *t = &g_array_index (ties, Tie, i);
      g_autofree char *rank = t->rank > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, t->rank) : g_strdup ("");
      ml_plot_dat_num (*dat, t->x, 5);
      ml_plot_dat_num (*dat, t->y, 5);
      g_string_append_printf (*dat, " %s", status_names[t->status]);
      ml_plot_dat_str (*dat, rank);
      g_string_append_c (*dat, '\n');
    }
  ml_plot_dat_fill_empty (*dat, ties->len, 4);
  ml_plot_dat_block (*dat, "x y label (the target)");
  g_string_append (*dat, "0 0");
  ml_plot_dat_str (*dat, label);
  g_string_append_c (*dat, '\n');
}

static char *
ego_body (const MlPlot *p, const guint counts[N_TIE_STATUS])
{
  static const char *const edge_style[N_TIE_STATUS] = {
    "lw 2 lc rgb \"#1a9850\" title \"true tie, found\"",
    "lw 1.5 dt 2 lc rgb \"#f28e2b\" title \"true tie, missed\"",
    "lw 2 lc rgb \"#d62728\" title \"reported, but not a tie\"",
  };
  static const char *const node_style[N_TIE_STATUS] = {
    "pt 7 ps 1.5 lc rgb \"#1a9850\"", "pt 6 ps 1.5 lc rgb \"#f28e2b\"", "pt 7 ps 1.5 lc rgb \"#d62728\"",
  };
  GString *body = g_string_new (NULL);

  g_string_append_printf (body, "data = \"%s.dat\"\nset title \"%s\" noenhanced\nset size ratio -1\n"
                                "unset border\nunset tics\nset xrange [-1.3:1.3]\nset yrange [-1.3:1.3]\n"
                                "set key below horizontal\nplot \\\n", p->name, p->title);
  for (int s = 0; s < N_TIE_STATUS; s++)
    if (counts[s] > 0)
      g_string_append_printf (body, "  data index 0 using 1:2:(strcol(5) eq \"%s\" ? $3 : NaN):4 with vectors nohead %s, \\\n",
                              status_names[s], edge_style[s]);
  for (int s = 0; s < N_TIE_STATUS; s++)
    if (counts[s] > 0)
      g_string_append_printf (body, "  data index 1 using 1:(strcol(3) eq \"%s\" ? $2 : NaN) with points %s notitle, \\\n",
                              status_names[s], node_style[s]);
  g_string_append (body, "  data index 1 using 1:2:4 with labels offset 0.9,0.7 font \",8\" tc rgb \"#333333\" notitle, \\\n"
                         "  data index 2 using 1:2 with points pt 5 ps 2.6 lc rgb \"black\" title \"the target\"\n");
  return g_string_free (body, FALSE);
}

static char *
ego_caption (const MlPlotSet *set, const char *label, const guint c[N_TIE_STATUS])
{
  int n = set->cd->windows;
  g_autofree char *recall = ml_plot_percent (c[0] + c[1] > 0 ? (double) c[0] / (c[0] + c[1]) : NAN);
  g_autofree char *precision = ml_plot_percent (c[0] + c[2] > 0 ? (double) c[0] / (c[0] + c[2]) : NAN);

  return g_strdup_printf (
      "The social ties of %s as the analysis reconstructed them after %d %s, against the true ones. Green: "
      "%u true ties found; orange, dashed: %u true ties missed (often weak ties, looked up rarely or never); "
      "red: %u %s reported that %s not ties, such as numbers typed and never messaged. So %s of the "
      "true ties were found and %s of the reported contacts were real. The numbers are the ranks the "
      "analysis gave its contacts (1 = closest); stronger true ties are drawn nearer the target.",
      label, n, ml_plot_orders_word (n), c[TIE_CORRECT], c[TIE_MISSED], c[TIE_FALSE],
      c[TIE_FALSE] == 1 ? "contact" : "contacts", c[TIE_FALSE] == 1 ? "is" : "are", recall, precision);
}

gboolean
ml_plot_ego_network (MlPlotSet *set, guint index, GError **error)
{
  g_autofree char *label = NULL, *name = g_strdup_printf ("ego-network-%u", index + 1);
  const char *target = ml_plot_target (set, index, &label);
  g_autofree char *title = g_strdup_printf ("Ties of target %s: inferred versus true", label);
  g_autoptr(MlPlot) p = ml_plot_new (name, title);
  g_autoptr(GArray) ties = g_array_new (FALSE, TRUE, sizeof (Tie));
  g_autoptr(GString) dat = NULL;
  g_autofree char *body = NULL;
  guint counts[N_TIE_STATUS] = { 0 };

  g_array_set_clear_func (ties, tie_clear);
  if (!ml_casedata_has_table (set->cd, "ego_edges"))
    return TRUE;
  if (!read_ties (set, target, ties, counts, error))
    return FALSE;
  if (ties->len == 0)
    return TRUE;
  if (!layout_ties (ties, error))
    return FALSE;
  write_ties (set, p, &dat, ties, label);
  p->target = g_strdup (label);
  p->concept = ML_CONCEPT_NOT_PROOF;
  p->width = 800;
  p->height = 720;
  p->caption = ego_caption (set, label, counts);
  p->alt = g_strdup_printf ("Network diagram of the ties of target %s, coloured by correct, missed and false", label);
  body = ego_body (p, counts);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}
