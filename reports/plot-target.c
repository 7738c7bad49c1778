/* plot-target.c -- the plots about one target: the evidence timeline, the
 * location map and the daily rhythm.
 *
 * Each reads the target's rows of one or a few tables (daily, orders,
 * coverage; timeline, places, truth_places, trips; rhythm, rhythm_sleep)
 * and writes them as they are, so a reader can check every number in a
 * plot against analysis.db.  Days in table daily may be stored as days
 * since 1970, seconds, or "YYYY-MM-DD" text; all are accepted.  The map is
 * drawn on longitude/latitude axes scaled by cos(latitude), so that a
 * circle of R km looks round; it frames the target's true and inferred
 * places and the lookups within MAP_MAX_KM of home, and counts the
 * lookups beyond (trips) in its caption.
 */
#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "common/geo.h"
#include "common/timeutil.h"
#include "reports/plot.h"

#define KM_PER_DEG_LAT 110.574
#define KM_PER_DEG_LON_EQUATOR 111.320
#define MAP_MAX_KM 60.0        /* lookups farther from home than this are trips: off the map */
#define MAP_MIN_HALF_KM 4.0    /* the smallest half-width of the map */

static gboolean
bind_target (MlStmt *st, const char *target, GError **error)
{
  return st != NULL && ml_stmt_bind_text (st, 1, target, -1, error);
}

/* ==== evidence timeline ==== */

/* The day of a daily.day value: days since 1970, seconds, or text. */
static gboolean
day_value (const char *text, MlDay *out)
{
  gint64 v;

  if (text == NULL)
    return FALSE;
  if (strchr (text, '-') != NULL)
    {
      g_autofree char *date = g_strndup (text, 10);
      return ml_day_parse (date, out, NULL);
    }
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64 / 2, &v, NULL))
    return FALSE;
  *out = v > 10000000 ? ml_day_of (v) : (MlDay) v;
  return TRUE;
}

/* Block 0: "time lookups" per day (noon, so bars centre on their day).
 * Widens *LO, *HI to the days seen; *YMAX is the largest count. */
static gboolean
timeline_days (const MlPlotSet *set, const char *target, GString *dat, MlTime *lo, MlTime *hi,
               gint64 *ymax, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT day, sum(lookups) FROM daily WHERE target = ?1 GROUP BY day ORDER BY day", error);
  MlStep step;
  guint rows = 0;

  if (!bind_target (st, target, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      char buf[ML_TIME_BUF_SIZE];
      MlDay d;
      if (!day_value (ml_stmt_text (st, 0), &d))
        continue;
      ml_time_format_buf (ml_day_start (d) + ML_SECONDS_PER_DAY / 2, buf);
      g_string_append_printf (dat, "%s %" G_GINT64_FORMAT "\n", buf, ml_stmt_int64 (st, 1));
      *lo = MIN (*lo, ml_day_start (d));
      *hi = MAX (*hi, ml_day_start (d + 1));
      *ymax = MAX (*ymax, ml_stmt_int64 (st, 1));
      rows++;
    }
  ml_plot_dat_fill_empty (dat, rows, 2);
  return step == ML_STEP_DONE;
}

/* Block 1: "order start end" of the windows the orders returned; *N_ORDERS. */
static gboolean
timeline_orders (const MlPlotSet *set, const char *target, GString *dat, MlTime *lo, MlTime *hi,
                 guint *n_orders, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT position, returned_start, returned_end FROM orders WHERE target = ?1"
      " AND returned_end > returned_start ORDER BY position", error);
  MlStep step;

  if (!bind_target (st, target, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      char a[ML_TIME_BUF_SIZE], b[ML_TIME_BUF_SIZE];
      ml_time_format_buf (ml_stmt_int64 (st, 1), a);
      ml_time_format_buf (ml_stmt_int64 (st, 2), b);
      g_string_append_printf (dat, "%" G_GINT64_FORMAT " %s %s\n", ml_stmt_int64 (st, 0) + 1, a, b);
      *lo = MIN (*lo, ml_stmt_int64 (st, 1));
      *hi = MAX (*hi, ml_stmt_int64 (st, 2));
      (*n_orders)++;
    }
  ml_plot_dat_fill_empty (dat, *n_orders, 3);
  return step == ML_STEP_DONE;
}

/* One block "start end" of the coverage rows of KIND; *DAYS their length. */
static gboolean
timeline_coverage (const MlPlotSet *set, const char *target, const char *kind, GString *dat, double *days,
                   GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT start, \"end\" FROM coverage WHERE target = ?1 AND kind = ?2 AND \"end\" > start ORDER BY start", error);
  MlStep step;
  guint rows = 0;

  if (!bind_target (st, target, error) || !ml_stmt_bind_text (st, 2, kind, -1, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      char a[ML_TIME_BUF_SIZE], b[ML_TIME_BUF_SIZE];
      ml_time_format_buf (ml_stmt_int64 (st, 0), a);
      ml_time_format_buf (ml_stmt_int64 (st, 1), b);
      g_string_append_printf (dat, "%s %s\n", a, b);
      *days += (double) (ml_stmt_int64 (st, 1) - ml_stmt_int64 (st, 0)) / ML_SECONDS_PER_DAY;
      rows++;
    }
  ml_plot_dat_fill_empty (dat, rows, 2);
  return step == ML_STEP_DONE;
}

static char *
timeline_caption (const char *label, guint n_orders, double covered, double lost, double gap)
{
  GString *c = g_string_new (NULL);

  g_string_append_printf (c, "Lookups per day in the evidence the orders returned for %s: the target's own "
                             "lookups and lookups of the target by others. Each shaded band is the period "
                             "one order returned (%u %s, %.0f days covered).",
                          label, n_orders, ml_plot_orders_word (n_orders), covered);
  if (lost > 0)
    g_string_append_printf (c, " Red: %.0f days the provider had already deleted when a late order was "
                               "served (its retention period had passed).", lost);
  if (gap > 0)
    g_string_append_printf (c, " Grey: %.0f days between orders that no order covered.", gap);
  if (lost <= 0 && gap <= 0)
    g_string_append (c, " The orders followed each other without gaps or retention losses.");
  return g_string_free (c, FALSE);
}

static char *
timeline_body (const MlPlot *p, MlTime lo, MlTime hi, gint64 ymax, gboolean lost, gboolean gap, gboolean days)
{
  char a[ML_TIME_BUF_SIZE], b[ML_TIME_BUF_SIZE];
  GString *body = g_string_new (NULL);

  ml_time_format_buf (lo, a);
  ml_time_format_buf (hi, b);
  g_string_append_printf (body,
      "data = \"%s.dat\"\nfmt = \"%%Y-%%m-%%dT%%H:%%M:%%SZ\"\nymax = %" G_GINT64_FORMAT "\n"
      "set datafile missing \"NaN\"\nset title \"%s\" noenhanced\n"
      "set xdata time\nset timefmt fmt\nset format x \"%%d %%b\"\nset xrange [\"%s\":\"%s\"]\n"
      "set yrange [0:ymax]\nset ylabel \"lookups per day\"\nset key below horizontal\n"
      "set boxwidth 0.8 * 86400 absolute\nmid(a, b) = (a + b) / 2\n"
      "plot data index 1 using (mid(timecolumn(2, fmt), timecolumn(3, fmt))):(ymax / 2):(timecolumn(2, fmt)):"
      "(timecolumn(3, fmt)):(0):(ymax):(int($1) %% 2 ? 0xdbe9f6 : 0xe3f1dc) with boxxyerror fs solid 1.0 noborder "
      "lc rgb variable title \"period returned by an order\", \\\n",
      p->name, ymax, p->title, a, b);
  if (lost)
    g_string_append (body, "     data index 2 using (mid(timecolumn(1, fmt), timecolumn(2, fmt))):(ymax / 2):"
                           "(timecolumn(1, fmt)):(timecolumn(2, fmt)):(0):(ymax) with boxxyerror fs solid 0.35 "
                           "noborder lc rgb \"#d62728\" title \"lost to retention (late order)\", \\\n");
  if (gap)
    g_string_append (body, "     data index 3 using (mid(timecolumn(1, fmt), timecolumn(2, fmt))):(ymax / 2):"
                           "(timecolumn(1, fmt)):(timecolumn(2, fmt)):(0):(ymax) with boxxyerror fs solid 0.5 "
                           "noborder lc rgb \"#888888\" title \"gap between orders\", \\\n");
  if (days)
    g_string_append (body, "     data index 0 using (timecolumn(1, fmt)):2 with boxes fs solid 0.9 noborder "
                           "lc rgb \"#3a6ea5\" title \"lookups in the evidence\", \\\n");
  g_string_append (body,
      "     data index 1 using (mid(timecolumn(2, fmt), timecolumn(3, fmt))):(ymax * 0.95):"
      "(sprintf(\"order %d\", $1)) with labels font \",9\" tc rgb \"#333333\" notitle\n");
  return g_string_free (body, FALSE);
}

gboolean
ml_plot_timeline (MlPlotSet *set, guint index, GError **error)
{
  g_autofree char *label = NULL, *name = g_strdup_printf ("timeline-%u", index + 1);
  const char *target = ml_plot_target (set, index, &label);
  g_autofree char *title = g_strdup_printf ("Evidence timeline of target %s", label);
  g_autoptr(MlPlot) p = ml_plot_new (name, title);
  g_autoptr(GString) dat = NULL;
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autofree char *body = NULL;
  MlTime lo = G_MAXINT64, hi = G_MININT64;
  gint64 ymax = 0;
  guint n_orders = 0;
  double covered = 0, lost = 0, gap = 0;

  if (!ml_casedata_has_table (set->cd, "daily") || !ml_casedata_has_table (set->cd, "orders")
      || !ml_casedata_has_table (set->cd, "coverage"))
    return TRUE;
  dat = ml_plot_dat_new (set, p, "daily, orders, coverage", "time lookups (UTC noon of each day)");
  if (!timeline_days (set, target, dat, &lo, &hi, &ymax, error))
    return FALSE;
  ml_plot_dat_block (dat, "order start end (the period the order returned)");
  if (!timeline_orders (set, target, dat, &lo, &hi, &n_orders, error))
    return FALSE;
  ml_plot_dat_block (dat, "start end (days lost to retention)");
  if (!timeline_coverage (set, target, "retention_loss", dat, &lost, error))
    return FALSE;
  ml_plot_dat_block (dat, "start end (gaps between orders)");
  if (!timeline_coverage (set, target, "gap", dat, &gap, error)
      || !timeline_coverage (set, target, "covered", scratch, &covered, error))
    return FALSE;
  if (lo >= hi)
    return TRUE;
  p->target = g_strdup (label);
  p->concept = ML_CONCEPT_PEN_REGISTER;
  p->width = 1000;
  p->height = 420;
  p->caption = timeline_caption (label, n_orders, covered, lost, gap);
  p->alt = g_strdup_printf ("Bar chart of lookups per day for target %s with the orders' periods shaded", label);
  body = timeline_body (p, lo, hi, MAX (5, ymax + ymax / 5 + 2), lost > 0, gap > 0, ymax > 0);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}

/* ==== location map ==== */

typedef struct {
  double lat, lon;
  double radius_km;          /* uncertainty of an inferred place; 0 otherwise */
  gint64 lookups;            /* lookups at a visited place; 0 for a place */
} MapPoint;

typedef struct {
  GArray *places;            /* MapPoint: true and inferred places (frame the map) */
  GArray *visited;           /* MapPoint: where lookups came from */
  gboolean has[2][2];        /* [true, inferred][home, work] */
  double at[2][2][3];        /* lat, lon, radius_km of each */
  double lat0, lon0;         /* the map's centre */
  double half_km;            /* half the side of the square frame */
  gint64 off_lookups;        /* lookups outside the frame */
  guint off_places;
} MapInfo;

static int
kind_index (const char *kind)
{
  return g_strcmp0 (kind, "home") == 0 ? 0 : g_strcmp0 (kind, "work") == 0 ? 1 : -1;
}

static void
map_add (GArray *a, double lat, double lon, double radius_km, gint64 lookups)
{
  MapPoint pt = { lat, lon, radius_km, lookups };

  g_array_append_val (a, pt);
}

/* Record the true (WHICH 0) or inferred (1) home (K 0) or work (1). */
static void
map_set (MapInfo *m, int which, int k, double lat, double lon, double radius_km)
{
  m->has[which][k] = TRUE;
  m->at[which][k][0] = lat;
  m->at[which][k][1] = lon;
  m->at[which][k][2] = radius_km;
}

/* Block 0: "lon lat lookups class" of the places lookups came from. */
static gboolean
map_visited (const MlPlotSet *set, const char *target, GString *dat, MapInfo *m, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT round(lon, 3), round(lat, 3), count(*), coalesce(class, 'unknown') FROM timeline"
      " WHERE target = ?1 AND lat IS NOT NULL AND lon IS NOT NULL GROUP BY 1, 2, 4 ORDER BY 2, 1, 4", error);
  MlStep step;

  if (!bind_target (st, target, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      ml_plot_dat_num (dat, ml_stmt_double (st, 0), 8);
      ml_plot_dat_num (dat, ml_stmt_double (st, 1), 8);
      g_string_append_printf (dat, " %" G_GINT64_FORMAT, ml_stmt_int64 (st, 2));
      ml_plot_dat_str (dat, ml_stmt_text (st, 3));
      g_string_append_c (dat, '\n');
      map_add (m->visited, ml_stmt_double (st, 1), ml_stmt_double (st, 0), 0, ml_stmt_int64 (st, 2));
    }
  ml_plot_dat_fill_empty (dat, m->visited->len, 4);
  return step == ML_STEP_DONE;
}

/* Block 1: "lon lat kind hours" of the true places. */
static gboolean
map_truth (const MlPlotSet *set, const char *target, GString *dat, MapInfo *m, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT lon, lat, kind, hours FROM truth_places WHERE target = ?1 AND lat IS NOT NULL"
      " ORDER BY kind, hours DESC, lat, lon", error);
  MlStep step;
  guint rows = 0;

  if (!bind_target (st, target, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      int k = kind_index (ml_stmt_text (st, 2));
      double lon = ml_stmt_double (st, 0), lat = ml_stmt_double (st, 1);
      ml_plot_dat_num (dat, lon, 8);
      ml_plot_dat_num (dat, lat, 8);
      ml_plot_dat_str (dat, ml_stmt_text (st, 2));
      ml_plot_dat_num (dat, ml_stmt_double (st, 3), 6);
      g_string_append_c (dat, '\n');
      if (k >= 0 && !m->has[0][k])
        map_set (m, 0, k, lat, lon, 0);
      map_add (m->places, lat, lon, 0, 0);
      rows++;
    }
  ml_plot_dat_fill_empty (dat, rows, 4);
  return step == ML_STEP_DONE;
}

/* Blocks 2 and 3: the inferred places after all windows ("lon lat width_deg
 * height_deg kind radius_km", the ellipse of the uncertainty radius) and
 * their trail over the window counts ("lon lat kind n_windows"). */
static gboolean
map_inferred (const MlPlotSet *set, const char *target, GString *dat, MapInfo *m, gboolean trail, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT lon, lat, kind, radius_km, n_windows FROM places WHERE target = ?1 AND lat IS NOT NULL"
      " AND (?2 OR n_windows = ?3) ORDER BY kind, n_windows", error);
  MlStep step;
  guint rows = 0;
  int last_kind = -2;
  double last_lat = NAN, last_lon = NAN;

  if (!bind_target (st, target, error) || !ml_stmt_bind_int64 (st, 2, trail, error)
      || !ml_stmt_bind_int64 (st, 3, set->cd->windows, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      double lon = ml_stmt_double (st, 0), lat = ml_stmt_double (st, 1), r = ml_stmt_double (st, 3);
      int k = kind_index (ml_stmt_text (st, 2));
      if (trail && k == last_kind && lat == last_lat && lon == last_lon)
        continue;   /* unchanged since fewer windows: one point, labelled with the first count */
      last_kind = k;
      last_lat = lat;
      last_lon = lon;
      ml_plot_dat_num (dat, lon, 8);
      ml_plot_dat_num (dat, lat, 8);
      if (!trail)
        {
          ml_plot_dat_num (dat, 2 * r / (KM_PER_DEG_LON_EQUATOR * cos (lat * G_PI / 180)), 6);
          ml_plot_dat_num (dat, 2 * r / KM_PER_DEG_LAT, 6);
        }
      ml_plot_dat_str (dat, ml_stmt_text (st, 2));
      if (trail)
        g_string_append_printf (dat, " %" G_GINT64_FORMAT "\n", ml_stmt_int64 (st, 4));
      else
        {
          ml_plot_dat_num (dat, r, 6);
          g_string_append_c (dat, '\n');
        }
      if (!trail && k >= 0)
        map_set (m, 1, k, lat, lon, r);
      map_add (m->places, lat, lon, trail ? 0 : r, 0);
      rows++;
    }
  ml_plot_dat_fill_empty (dat, rows, trail ? 4 : 6);
  return step == ML_STEP_DONE;
}

/* North/east offset in km of (LAT, LON) from the map's centre. */
static void
map_offset_km (const MapInfo *m, double lat, double lon, double *north, double *east)
{
  *north = (lat - m->lat0) * KM_PER_DEG_LAT;
  *east = (lon - m->lon0) * KM_PER_DEG_LON_EQUATOR * cos (m->lat0 * G_PI / 180);
}

/* Centre on the true home (else the inferred one), frame the places within
 * MAP_MAX_KM, count the lookups that fall outside.  FALSE: nothing to map. */
static gboolean
map_frame (MapInfo *m)
{
  int src = m->has[0][0] ? 0 : 1;
  double extent = 0;

  if (!m->has[src][0] && m->places->len == 0)
    return FALSE;
  m->lat0 = m->has[src][0] ? m->at[src][0][0] : g_array_index (m->places, MapPoint, 0).lat;
  m->lon0 = m->has[src][0] ? m->at[src][0][1] : g_array_index (m->places, MapPoint, 0).lon;
  for (guint i = 0; i < m->places->len; i++)
    {
      const MapPoint *pt = &g_array_index (m->places, MapPoint, i);
      double n, e;
      map_offset_km (m, pt->lat, pt->lon, &n, &e);
      if (hypot (n, e) <= MAP_MAX_KM)
        extent = MAX (extent, MAX (fabs (n), fabs (e)) + pt->radius_km);
    }
  m->half_km = MAX (MAP_MIN_HALF_KM, extent * 1.12);
  for (guint i = 0; i < m->visited->len; i++)
    {
      const MapPoint *pt = &g_array_index (m->visited, MapPoint, i);
      double n, e;
      map_offset_km (m, pt->lat, pt->lon, &n, &e);
      if (fabs (n) > m->half_km || fabs (e) > m->half_km)
        {
          m->off_lookups += pt->lookups;
          m->off_places++;
        }
    }
  return TRUE;
}

/* "home 1.3 km from the true home (uncertainty 1.9 km)" and the like. */
static void
append_place_error (GString *c, const MapInfo *m, int k)
{
  const char *what = k == 0 ? "home" : "workplace";

  if (!m->has[1][k])
    {
      g_string_append_printf (c, "no %s was inferred", what);
      return;
    }
  g_autofree char *r = ml_plot_km (m->at[1][k][2]);
  if (!m->has[0][k])
    {
      g_string_append_printf (c, "a %s was inferred (uncertainty %s)", what, r);
      return;
    }
  g_autofree char *d = ml_plot_km (ml_geo_haversine_km (m->at[0][k][0], m->at[0][k][1], m->at[1][k][0], m->at[1][k][1]));
  g_string_append_printf (c, "the %s was placed %s from the true one (uncertainty radius %s)", what, d, r);
}

static char *
map_caption (const MlPlotSet *set, const char *label, const MapInfo *m, const char *trips)
{
  GString *c = g_string_new (NULL);
  int n = set->cd->windows;

  g_string_append_printf (c, "Where %s lives and works, inferred from the IP addresses of its own lookups "
                             "after %d %s: ", label, n, ml_plot_orders_word (n));
  append_place_error (c, m, 0);
  g_string_append (c, "; ");
  append_place_error (c, m, 1);
  g_string_append (c, ". Black symbols are the true places (from the simulation); the numbers beside the "
                      "coloured points are the estimate after that many orders. Grey dots: where lookups "
                      "came from according to public IP geolocation (bigger: more lookups).");
  if (m->off_lookups > 0)
    g_string_append_printf (c, " %" G_GINT64_FORMAT " lookups from %u places outside the map are not shown%s%s.",
                            m->off_lookups, m->off_places, *trips != '\0' ? "; trips detected: " : "", trips);
  return g_string_free (c, FALSE);
}

/* "Chicago (205 km)" for each trip detected after all windows. */
static gboolean
map_trips (const MlPlotSet *set, const char *target, GString *out, GError **error)
{
  g_autoptr(MlStmt) st = NULL;
  MlStep step;

  if (!ml_casedata_has_table (set->cd, "trips"))
    return TRUE;
  st = ml_db_prepare (set->cd->db, "SELECT coalesce(city, 'unknown'), km_from_home FROM trips"
                                   " WHERE target = ?1 AND n_windows = ?2 ORDER BY start", error);
  if (!bind_target (st, target, error) || !ml_stmt_bind_int64 (st, 2, set->cd->windows, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      g_autofree char *km = ml_plot_km (ml_stmt_double (st, 1));
      g_string_append_printf (out, "%s%s (%s)", out->len > 0 ? ", " : "", ml_stmt_text (st, 0), km);
    }
  return step == ML_STEP_DONE;
}

static char *
map_body (const MlPlot *p, const MapInfo *m)
{
  double dlat = m->half_km / KM_PER_DEG_LAT;
  double coslat = cos (m->lat0 * G_PI / 180), dlon = m->half_km / (KM_PER_DEG_LON_EQUATOR * coslat);
  char r[G_ASCII_DTOSTR_BUF_SIZE], x0[G_ASCII_DTOSTR_BUF_SIZE], x1[G_ASCII_DTOSTR_BUF_SIZE];
  char y0[G_ASCII_DTOSTR_BUF_SIZE], y1[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf (
      "data = \"%s.dat\"\nset encoding utf8\nset datafile missing \"NaN\"\nset title \"%s\" noenhanced\n"
      "set xlabel \"longitude (°)\"\nset ylabel \"latitude (°)\"\nset size ratio -%s\n"
      "set xrange [%s:%s]\nset yrange [%s:%s]\nset format x \"%%.2f\"\nset format y \"%%.2f\"\n"
      "set grid lc rgb \"#e8e8e8\"\nset key outside right top\nset style ellipse units xy\n"
      "set style fill transparent solid 0.12 border\n"
      "plot data index 0 using 1:2:(0.5 + 0.5 * log10($3)) with points pt 7 ps variable lc rgb \"#b8b8b8\" title \"lookups came from here\", \\\n"
      "     data index 2 using 1:2:3:4:(strcol(5) eq \"home\" ? 0x1f77b4 : 0x9467bd) with ellipses lc rgb variable title \"inferred: uncertainty\", \\\n"
      "     data index 3 using 1:(strcol(3) eq \"home\" ? $2 : NaN) with linespoints dt 3 pt 6 ps 0.9 lc rgb \"#1f77b4\" notitle, \\\n"
      "     data index 3 using 1:(strcol(3) eq \"work\" ? $2 : NaN) with linespoints dt 3 pt 6 ps 0.9 lc rgb \"#9467bd\" notitle, \\\n"
      "     data index 3 using 1:2:(sprintf(\"%%d\", $4)) with labels offset 0.9,0.6 font \",8\" tc rgb \"#555555\" notitle, \\\n"
      "     data index 2 using 1:(strcol(5) eq \"home\" ? $2 : NaN) with points pt 7 ps 1.6 lc rgb \"#1f77b4\" title \"inferred home\", \\\n"
      "     data index 2 using 1:(strcol(5) eq \"work\" ? $2 : NaN) with points pt 7 ps 1.6 lc rgb \"#9467bd\" title \"inferred work\", \\\n"
      "     data index 1 using 1:(strcol(3) eq \"home\" ? $2 : NaN) with points pt 5 ps 1.8 lc rgb \"black\" title \"true home\", \\\n"
      "     data index 1 using 1:(strcol(3) eq \"work\" ? $2 : NaN) with points pt 9 ps 2.0 lc rgb \"black\" title \"true work\", \\\n"
      "     data index 1 using 1:(strcol(3) eq \"visit\" ? $2 : NaN) with points pt 12 ps 1.6 lc rgb \"#333333\" title \"true places visited\"\n",
      p->name, p->title, ml_plot_num (r, 1 / coslat, 6),
      ml_plot_num (x0, m->lon0 - dlon, 8), ml_plot_num (x1, m->lon0 + dlon, 8),
      ml_plot_num (y0, m->lat0 - dlat, 8), ml_plot_num (y1, m->lat0 + dlat, 8));
}

static void
map_info_clear (MapInfo *m)
{
  g_clear_pointer (&m->places, g_array_unref);
  g_clear_pointer (&m->visited, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MapInfo, map_info_clear)

gboolean
ml_plot_location_map (MlPlotSet *set, guint index, GError **error)
{
  g_autofree char *label = NULL, *name = g_strdup_printf ("location-map-%u", index + 1);
  const char *target = ml_plot_target (set, index, &label);
  g_autofree char *title = g_strdup_printf ("Home, work and places of target %s", label);
  g_autoptr(MlPlot) p = ml_plot_new (name, title);
  g_autoptr(GString) dat = NULL;
  g_autoptr(GString) trips = g_string_new (NULL);
  g_autofree char *body = NULL;
  g_auto(MapInfo) m = { .places = g_array_new (FALSE, FALSE, sizeof (MapPoint)),
                        .visited = g_array_new (FALSE, FALSE, sizeof (MapPoint)) };

  if (!ml_casedata_has_table (set->cd, "timeline") || !ml_casedata_has_table (set->cd, "places")
      || !ml_casedata_has_table (set->cd, "truth_places"))
    return TRUE;
  dat = ml_plot_dat_new (set, p, "timeline, truth_places, places, trips", "lon lat lookups class (where lookups came from)");
  if (!map_visited (set, target, dat, &m, error))
    return FALSE;
  ml_plot_dat_block (dat, "lon lat kind hours (true places)");
  if (!map_truth (set, target, dat, &m, error))
    return FALSE;
  ml_plot_dat_block (dat, "lon lat width_deg height_deg kind radius_km (inferred after all windows)");
  if (!map_inferred (set, target, dat, &m, FALSE, error))
    return FALSE;
  ml_plot_dat_block (dat, "lon lat kind n_windows (inferred after each window count)");
  if (!map_inferred (set, target, dat, &m, TRUE, error) || !map_trips (set, target, trips, error))
    return FALSE;
  if (!map_frame (&m))
    return TRUE;
  p->target = g_strdup (label);
  p->concept = ML_CONCEPT_IP_LOCATION;
  p->width = 900;
  p->height = 640;
  p->caption = map_caption (set, label, &m, trips->str);
  p->alt = g_strdup_printf ("Map of the true and inferred home and work of target %s", label);
  body = map_body (p, &m);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}

/* ==== daily rhythm ==== */

static const char *const weekday_names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* GRID[weekday 0..6][hour 0..23] from table rhythm; *TOTAL the sum. */
static gboolean
rhythm_grid (const MlPlotSet *set, const char *target, gint64 grid[7][24], gint64 *total, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (set->cd->db,
      "SELECT weekday, hour, sum(lookups) FROM rhythm WHERE target = ?1 GROUP BY 1, 2", error);
  MlStep step;

  if (!bind_target (st, target, error))
    return FALSE;
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      gint64 wd = ml_stmt_int64 (st, 0), h = ml_stmt_int64 (st, 1);
      if (wd < 1 || wd > 7 || h < 0 || h > 23)
        continue;
      grid[wd - 1][h] += ml_stmt_int64 (st, 2);
      *total += ml_stmt_int64 (st, 2);
    }
  return step == ML_STEP_DONE;
}

/* The inferred sleep: *KNOWN, and then its *START and *END hours and *CONF. */
static gboolean
rhythm_sleep (const MlPlotSet *set, const char *target, gboolean *known, double *start, double *end,
              double *conf, GError **error)
{
  g_autoptr(MlStmt) st = NULL;
  MlStep step;

  *known = FALSE;
  if (!ml_casedata_has_table (set->cd, "rhythm_sleep"))
    return TRUE;
  st = ml_db_prepare (set->cd->db, "SELECT sleep_start_h, sleep_end_h, confidence FROM rhythm_sleep"
                                   " WHERE target = ?1 AND sleep_start_h IS NOT NULL", error);
  if (!bind_target (st, target, error) || (step = ml_stmt_step (st, error)) == ML_STEP_ERROR)
    return FALSE;
  if (step == ML_STEP_ROW)
    {
      *known = TRUE;
      *start = ml_stmt_double (st, 0);
      *end = ml_stmt_double (st, 1);
      *conf = ml_stmt_double (st, 2);
    }
  return TRUE;
}

/* "23:30" for 23.5. */
static char *
clock_text (double hours)
{
  int minutes = (int) lround (fmod (fmod (hours, 24) + 24, 24) * 60) % (24 * 60);

  return g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
}

static char *
rhythm_caption (const char *label, gint64 total, gint64 grid[7][24], gboolean sleep, double s, double e, double conf)
{
  GString *c = g_string_new (NULL);
  int best_d = 0, best_h = 0;

  for (int d = 0; d < 7; d++)
    for (int h = 0; h < 24; h++)
      if (grid[d][h] > grid[best_d][best_h])
        {
          best_d = d;
          best_h = h;
        }
  g_string_append_printf (c, "When %s's phone looked numbers up, by weekday and hour (UTC; darker: more of its "
                             "%" G_GINT64_FORMAT " own lookups). The busiest hour was %s %02d:00.",
                          label, total, weekday_names[best_d], best_h);
  if (sleep)
    {
      g_autofree char *a = clock_text (s), *b = clock_text (e);
      g_autofree char *cf = ml_plot_percent (conf);
      g_string_append_printf (c, " The quiet hours suggest sleep from %s to %s (dashed lines; confidence %s).", a, b, cf);
    }
  g_string_append (c, " A routine like this shows when someone sleeps, works and goes out.");
  return g_string_free (c, FALSE);
}

static char *
rhythm_body (const MlPlot *p, gboolean sleep, double s, double e)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  GString *body = g_string_new (NULL);

  g_string_append_printf (body,
      "data = \"%s.dat\"\nset title \"%s\" noenhanced\nset xlabel \"hour of the day (UTC)\"\n"
      "set xrange [-0.5:23.5]\nset yrange [7.5:0.5]\nset xtics 0,2,23\n"
      "set ytics (\"Mon\" 1, \"Tue\" 2, \"Wed\" 3, \"Thu\" 4, \"Fri\" 5, \"Sat\" 6, \"Sun\" 7)\n"
      "set palette defined (0 \"#ffffff\", 1 \"#deebf7\", 3 \"#6baed6\", 6 \"#08306b\")\n"
      "set cbrange [0:*]\nset cblabel \"lookups\"\nset tics out\n",
      p->name, p->title);
  if (sleep)
    g_string_append_printf (body,
        "set arrow 1 from %s, graph 0 to %s, graph 1 nohead dt 2 lw 2 lc rgb \"#d62728\" front\n"
        "set arrow 2 from %s, graph 0 to %s, graph 1 nohead dt 2 lw 2 lc rgb \"#d62728\" front\n",
        ml_plot_num (a, fmod (s, 24) - 0.5, 6), a, ml_plot_num (b, fmod (e, 24) - 0.5, 6), b);
  g_string_append (body, "plot data index 0 using 1:2:3 with image notitle\n");
  return g_string_free (body, FALSE);
}

gboolean
ml_plot_rhythm (MlPlotSet *set, guint index, GError **error)
{
  g_autofree char *label = NULL, *name = g_strdup_printf ("rhythm-%u", index + 1);
  const char *target = ml_plot_target (set, index, &label);
  g_autofree char *title = g_strdup_printf ("Daily rhythm of target %s", label);
  g_autoptr(MlPlot) p = ml_plot_new (name, title);
  g_autoptr(GString) dat = NULL;
  g_autofree char *body = NULL;
  gint64 grid[7][24] = { { 0 } }, total = 0;
  double s = 0, e = 0, conf = 0;
  gboolean sleep;

  if (!ml_casedata_has_table (set->cd, "rhythm"))
    return TRUE;
  if (!rhythm_grid (set, target, grid, &total, error) || !rhythm_sleep (set, target, &sleep, &s, &e, &conf, error))
    return FALSE;
  if (total == 0)
    return TRUE;
  dat = ml_plot_dat_new (set, p, "rhythm, rhythm_sleep", "hour weekday(1 = Monday) lookups; a blank line ends each weekday");
  for (int d = 0; d < 7; d++)
    {
      for (int h = 0; h < 24; h++)
        g_string_append_printf (dat, "%d %d %" G_GINT64_FORMAT "\n", h, d + 1, grid[d][h]);
      g_string_append_c (dat, '\n');
    }
  p->target = g_strdup (label);
  p->concept = ML_CONCEPT_RHYTHM;
  p->height = 420;
  p->caption = rhythm_caption (label, total, grid, sleep, s, e, conf);
  p->alt = g_strdup_printf ("Heat map of lookups by weekday and hour for target %s", label);
  body = rhythm_body (p, sleep, s, e);
  return ml_plot_emit (set, g_steal_pointer (&p), dat, body, error);
}
