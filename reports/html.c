/* html.c -- index.html: the full report as one self-contained page.
 *
 * The template lives here as C strings (style sheet, the image-check
 * script, the class explanations), so the binary needs no data files.
 * The page is built top to bottom into one GString, each section by its
 * own function; every piece of text from the analysis goes through
 * g_markup_escape_text, and every handle through the case's redactor.
 */
#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "common/outdir.h"
#include "reports/csv.h"
#include "reports/html.h"

/* Only local images, inline styles and the inline script may load. */
#define CSP "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

static const char style_sheet[] =
  "body{font-family:system-ui,\"DejaVu Sans\",\"Liberation Sans\",Arial,sans-serif;color:#1d1d1f;"
  "background:#fff;max-width:1040px;margin:0 auto;padding:0 1.2em 3em;line-height:1.5}\n"
  "h1{font-size:1.9em;margin:.8em 0 .1em}h2{border-bottom:2px solid #e4e4e4;padding-bottom:.2em;margin-top:2em}\n"
  "h3{margin:1.6em 0 .4em}.sub{color:#555;margin-top:0}.generated{color:#777;font-size:.85em}\n"
  "nav ol{columns:2;font-size:.95em}a{color:#1f5fa8}\n"
  ".headline{font-size:1.25em;font-weight:600;background:#f3f7fb;border-left:5px solid #1f77b4;padding:.7em 1em}\n"
  ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:.8em;margin:1em 0}\n"
  ".card{border:1px solid #ddd;border-radius:8px;padding:.7em .9em}.card b{display:block;font-size:1.7em;color:#1f5fa8}\n"
  ".card span{font-size:.9em;color:#444}\n"
  "figure{margin:1.2em 0 2em}figure img{max-width:100%;height:auto;border:1px solid #eee}\n"
  "figcaption{font-size:.95em;color:#333;margin-top:.4em}.files{font-size:.85em;color:#666}\n"
  ".missing{border:2px dashed #d62728;padding:1em;color:#a01010;background:#fff6f6}\n"
  "aside.explain{background:#fffbea;border-left:5px solid #e0a800;padding:.6em 1em;margin:1em 0}\n"
  "aside.explain h4{margin:.2em 0}\n"
  "table{border-collapse:collapse;margin:.3em 0 1.5em;font-size:.9em}.tcap{font-weight:600;margin:1.2em 0 0}\n"
  "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}\n"
  "td.num{text-align:right;font-variant-numeric:tabular-nums}.wide{overflow-x:auto}\n"
  "@media print{nav{display:none}figure{break-inside:avoid}}\n";

/* Counts the images that loaded and failed, for tests and curious readers. */
static const char image_check[] =
  "window.addEventListener('load', function () {\n"
  "  var ok = 0, broken = 0;\n"
  "  Array.prototype.forEach.call(document.images, function (img) {\n"
  "    if (img.complete && img.naturalWidth > 0) ok++; else broken++;\n"
  "  });\n"
  "  document.body.setAttribute('data-images-ok', String(ok));\n"
  "  document.body.setAttribute('data-images-broken', String(broken));\n"
  "});\n";

static const struct { const char *title, *text; } concepts[ML_N_CONCEPTS] = {
  [ML_CONCEPT_CHAINING] = { "Why more orders reveal more",
    "A provider keeps its lookup log for about 30 days, so one court order returns at most a month. "
    "Investigators therefore ask again and again: each renewal (an extension) returns the next month, and "
    "chained together they build a history far longer than the provider ever keeps. The curves below show "
    "what each further order adds." },
  [ML_CONCEPT_PEN_REGISTER] = { "What a pen register is",
    "A pen register order gives police the numbers a person contacts (here: the numbers their phone asks "
    "the provider about); a trap-and-trace order gives the numbers that contact them. Neither gives the "
    "content of any message. In the United States a court grants them for up to 60 days at a time on a "
    "much lower standard than a wiretap, and they can be renewed. If a renewal comes late, the days the "
    "provider has already deleted are lost for good." },
  [ML_CONCEPT_NOT_PROOF] = { "A lookup is not proof of communication",
    "A phone looks a number up when someone types it or opens a conversation, before any message is sent, "
    "and when a new phone copies a whole address book. So the log shows intent and acquaintance, not "
    "conversations: some numbers looked up were never messaged, and some real friends were never looked "
    "up in the period covered. That is why the analysis ranks contacts by how often and on how many days "
    "they appear, and why some of its contacts are wrong (red) and some ties missed (orange)." },
  [ML_CONCEPT_IP_LOCATION] = { "Why an IP address reveals a location",
    "Every lookup carries the IP address the phone used. Public databases map addresses to places: a home "
    "broadband address usually to within a few kilometres, a workplace's or a café's Wi-Fi to its "
    "neighbourhood, a mobile (cellular) address only to the carrier's regional exit, often 100 km or more "
    "away. The address a phone uses night after night is very likely its owner's home; the one it uses on "
    "weekday afternoons, the workplace." },
  [ML_CONCEPT_RHYTHM] = { "What a daily rhythm shows",
    "When a phone is used is itself revealing: the hours without any activity are probably sleep, regular "
    "weekday patterns a job, and a change in the pattern a change in someone's life." },
  [ML_CONCEPT_HOPS] = { "Hops",
    "An investigation can be widened to the people a target contacts (2 hops) and to their contacts (3 "
    "hops). Each hop multiplies the number of people whose records are collected, most of whom have "
    "nothing to do with the case." },
  [ML_CONCEPT_SENSITIVE] = { "Sensitive services",
    "Clinics, pharmacies, lawyers, places of worship and gun shops have public numbers. Looking one up "
    "reveals a need or a belief without any content. In the MetaPhone study (Mayer, Mutchler and "
    "Mitchell, 2016) 57 % of volunteers had called a health service and 40 % a financial one." },
  [ML_CONCEPT_UNIQUENESS] = { "Anonymous is not unidentifiable",
    "Removing names does not make data anonymous. If you know a few times and places where someone was, "
    "you can usually find the only record that matches them: de Montjoye and colleagues (2013) found that "
    "4 such points single out 95 % of 1.5 million mobile-phone users." },
};

static void
esc (GString *out, const char *text)
{
  g_autofree char *e = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, e);
}

/* <TAG>escaped TEXT</TAG> and a newline. */
static void
element (GString *out, const char *tag, const char *text)
{
  g_string_append_printf (out, "<%s>", tag);
  esc (out, text);
  g_string_append_printf (out, "</%s>\n", tag);
}

/* Whether TEXT reads as a number (for right-aligned cells). */
static gboolean
is_numeric (const char *text)
{
  char *end = NULL;

  if (text == NULL || *text == '\0' || *text == '+')   /* "+999..." is a handle */
    return FALSE;
  g_ascii_strtod (text, &end);
  return end != text && (*end == '\0' || strcmp (end, " %") == 0 || strcmp (end, " km") == 0);
}

/* A table from ROWS (GStrv each, the first the header) under CAPTION. */
static void
table (GString *out, const char *caption, GPtrArray *rows)
{
  if (caption != NULL)
    {
      g_string_append (out, "<p class=\"tcap\">");
      esc (out, caption);
      g_string_append (out, "</p>\n");
    }
  g_string_append (out, "<div class=\"wide\"><table>\n");
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_string_append (out, "<tr>");
      for (gsize c = 0; row[c] != NULL; c++)
        {
          g_string_append (out, i == 0 ? "<th>" : is_numeric (row[c]) ? "<td class=\"num\">" : "<td>");
          esc (out, row[c]);
          g_string_append (out, i == 0 ? "</th>" : "</td>");
        }
      g_string_append (out, "</tr>\n");
    }
  g_string_append (out, "</table></div>\n");
}

/* ---- head and top of the page ---- */

static void
page_head (GString *out, const MlReportDoc *doc)
{
  g_string_append (out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  g_string_append (out, "<meta http-equiv=\"Content-Security-Policy\" content=\"" CSP "\">\n");
  g_string_append_printf (out, "<meta name=\"generator\" content=\"metaleak %s\">\n<title>", PACKAGE_VERSION);
  esc (out, "What the lookup log revealed: case ");
  esc (out, doc->cd->name);
  g_string_append_printf (out, "</title>\n<style>\n%s</style>\n<script>\n%s</script>\n</head>\n", style_sheet,
                          image_check);
}

static const char *
audience_word (MlAudience a)
{
  return a == ML_AUDIENCE_RESEARCH ? "research" : a == ML_AUDIENCE_CLASS ? "class" : "policy";
}

static void
page_top (GString *out, const MlReportDoc *doc)
{
  g_autofree char *scenario = ml_narrative_scenario (doc->cd);
  g_autofree char *headline = ml_narrative_headline (doc->cd);
  g_autoptr(GPtrArray) keys = ml_narrative_key_numbers (doc->cd);

  g_string_append (out, "<body>\n<header>\n<h1>What the lookup log revealed</h1>\n<p class=\"sub\">Case <b>");
  esc (out, doc->cd->name);
  g_string_append (out, "</b>, ");
  esc (out, scenario);
  g_string_append (out, ".</p>\n");
  g_string_append_printf (out, "<p class=\"generated\">Generated %s by metaleak %s for a %s audience.</p>\n",
                          doc->generated, PACKAGE_VERSION, audience_word (doc->opt->audience));
  g_string_append (out, "</header>\n");
  if (doc->gnuplot_note != NULL)
    {
      g_string_append (out, "<p class=\"missing\">");
      esc (out, doc->gnuplot_note);
      g_string_append (out, "</p>\n");
    }
  g_string_append (out, "<section id=\"headline\">\n<p class=\"headline\">");
  esc (out, headline);
  g_string_append (out, "</p>\n<div class=\"cards\">\n");
  for (guint i = 0; i < keys->len; i++)
    {
      const MlKeyNumber *k = g_ptr_array_index (keys, i);
      g_string_append (out, "<div class=\"card\"><b>");
      esc (out, k->value);
      g_string_append (out, "</b><span>");
      esc (out, k->label);
      g_string_append (out, "</span></div>\n");
    }
  g_string_append (out, "</div>\n</section>\n");
}

static void
page_nav (GString *out, const MlReportDoc *doc)
{
  g_string_append (out, "<nav><ol>\n<li><a href=\"#summary\">Summary</a></li>\n<li><a href=\"#case\">The case</a></li>\n"
                        "<li><a href=\"#plots\">Plots</a></li>\n<li><a href=\"#orders\">What each order added</a></li>\n");
  if (doc->opt->audience == ML_AUDIENCE_RESEARCH)
    g_string_append (out, "<li><a href=\"#metrics\">All metrics and parameters</a></li>\n");
  g_string_append (out, "<li><a href=\"#caveats\">Caveats</a></li>\n<li><a href=\"#sources\">Model sources</a></li>\n"
                        "<li><a href=\"#files\">Files</a></li>\n");
  if (doc->opt->audience == ML_AUDIENCE_CLASS)
    g_string_append (out, "<li><a href=\"#questions\">Questions for the class</a></li>\n");
  g_string_append (out, "</ol></nav>\n");
}

static void
section_summary (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) summary = ml_narrative_summary (doc->cd);

  g_string_append (out, "<section id=\"summary\">\n<h2>Summary</h2>\n");
  if (doc->opt->audience == ML_AUDIENCE_CLASS)
    g_string_append (out, "<p>This report follows an investigation that never reads a single message. It "
                          "only asks the messaging provider which numbers a person's phone looked up, when, "
                          "and from which internet address. Read the plots from top to bottom: each one "
                          "comes with a short explanation of the idea behind it.</p>\n");
  g_string_append (out, "<ul>\n");
  for (guint i = 0; i < summary->len; i++)
    element (out, "li", g_ptr_array_index (summary, i));
  if (summary->len == 0)
    element (out, "li", "The analysis wrote no summary sentences.");
  g_string_append (out, "</ul>\n</section>\n");
}

static void
section_case (GString *out, const MlReportDoc *doc)
{
  g_autofree char *scenario = ml_narrative_scenario (doc->cd);
  g_autofree char *kase = ml_narrative_case (doc->cd);
  const char *start = ml_casedata_param (doc->cd, "start");

  g_string_append (out, "<section id=\"case\">\n<h2>The case</h2>\n<p>Data: ");
  esc (out, scenario);
  if (start != NULL)
    {
      g_string_append (out, ", from ");
      esc (out, start);
    }
  g_string_append (out, ".</p>\n<p>Legal process: ");
  esc (out, kase);
  g_string_append (out, ".</p>\n<p>The analysis read only what these orders returned from the provider's "
                        "lookup log (time, asking number, number asked about, IP address, number of "
                        "devices) and a public IP-geolocation database. The simulation's ground truth was "
                        "used only to score the results.</p>\n</section>\n");
}

/* ---- plots ---- */

static void
explain (GString *out, MlConcept c)
{
  g_assert (c > ML_CONCEPT_NONE && c < ML_N_CONCEPTS);
  g_string_append (out, "<aside class=\"explain\">\n");
  element (out, "h4", concepts[c].title);
  element (out, "p", concepts[c].text);
  g_string_append (out, "</aside>\n");
}

/* The links under a figure: its data, its script, and the SVG beside a PNG. */
static void
figure_files (GString *out, const MlReportDoc *doc, const MlPlot *p)
{
  g_autofree char *name = g_markup_escape_text (p->name, -1);

  g_string_append_printf (out, "<p class=\"files\">Data: <a href=\"plots/%s.dat\">%s.dat</a> &middot; "
                               "gnuplot script: <a href=\"plots/%s.gp\">%s.gp</a>", name, name, name, name);
  if (p->drawn && doc->opt->format == ML_FORMAT_BOTH)
    g_string_append_printf (out, " &middot; vector image: <a href=\"plots/%s.svg\">%s.svg</a>", name, name);
  g_string_append (out, "</p>\n");
}

static void
figure (GString *out, const MlReportDoc *doc, const MlPlot *p)
{
  g_autofree char *name = g_markup_escape_text (p->name, -1);
  g_autofree char *alt = g_markup_escape_text (p->alt, -1);

  g_string_append_printf (out, "<figure id=\"%s\">\n", name);
  element (out, "h4", p->title);
  if (p->drawn)
    g_string_append_printf (out, "<img src=\"plots/%s.%s\" width=\"%d\" height=\"%d\" alt=\"%s\">\n", name,
                            (doc->opt->format & ML_FORMAT_PNG) ? "png" : "svg", p->width, p->height, alt);
  else
    {
      g_string_append (out, "<div class=\"missing\">This plot was not drawn (");
      esc (out, p->failure != NULL ? p->failure : "gnuplot did not run");
      g_string_append_printf (out, "). Its data and script are below: run <code>gnuplot %s.gp</code> in the "
                                   "plots directory to draw it.</div>\n", name);
    }
  g_string_append (out, "<figcaption>");
  esc (out, p->caption);
  g_string_append (out, "</figcaption>\n");
  figure_files (out, doc, p);
  g_string_append (out, "</figure>\n");
}

/* The heading of the group P opens, or NULL when P continues the last one. */
static char *
group_heading (const MlPlot *p, const MlPlot *prev)
{
  if (p->target != NULL)
    return prev == NULL || g_strcmp0 (prev->target, p->target) != 0
           ? g_strdup_printf ("One target up close: %s", p->target) : NULL;
  if (g_str_has_prefix (p->name, "leakage"))
    return prev == NULL ? g_strdup ("What chained orders reveal") : NULL;
  return prev == NULL || prev->target != NULL || g_str_has_prefix (prev->name, "leakage")
         ? g_strdup ("Beyond the named targets") : NULL;
}

static void
section_plots (GString *out, const MlReportDoc *doc)
{
  gboolean explained[ML_N_CONCEPTS] = { FALSE };

  g_string_append (out, "<section id=\"plots\">\n<h2>Plots</h2>\n");
  for (guint i = 0; i < doc->plots->len; i++)
    {
      const MlPlot *p = g_ptr_array_index (doc->plots, i);
      g_autofree char *heading = group_heading (p, i > 0 ? g_ptr_array_index (doc->plots, i - 1) : NULL);
      if (heading != NULL)
        element (out, "h3", heading);
      if (doc->opt->audience == ML_AUDIENCE_CLASS && p->concept != ML_CONCEPT_NONE && !explained[p->concept])
        {
          explain (out, p->concept);
          explained[p->concept] = TRUE;
        }
      figure (out, doc, p);
    }
  if (doc->plots->len == 0)
    element (out, "p", "The analysis holds no data to plot.");
  g_string_append (out, "</section>\n");
}

static void
section_orders (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) steps = ml_narrative_order_steps (doc->cd);
  g_autoptr(GPtrArray) rows = ml_narrative_leakage_table (doc->cd);

  g_string_append (out, "<section id=\"orders\">\n<h2>What each order added</h2>\n");
  if (steps->len > 0)
    {
      g_string_append (out, "<ul>\n");
      for (guint i = 0; i < steps->len; i++)
        element (out, "li", g_ptr_array_index (steps, i));
      g_string_append (out, "</ul>\n");
    }
  table (out, "Leakage by number of chained orders (shares: mean over the targets; distances: median)", rows);
  g_string_append (out, "</section>\n");
}

/* ---- research: every metric, parameter and table ---- */

/* A table of the rows SQL returns under CAPTION; ?1 is bound to TARGET and
 * ?2 to N when SQL uses them.  Handle columns are redacted.  No rows, no
 * table. */
static gboolean
sql_table (GString *out, const MlReportDoc *doc, const char *caption, const char *sql, const char *target,
           gint64 n, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (doc->cd->db, sql, error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  char **header;
  MlStep step;
  int cols;

  if (st == NULL || (strstr (sql, "?1") && !ml_stmt_bind_text (st, 1, target, -1, error))
      || (strstr (sql, "?2") && !ml_stmt_bind_int64 (st, 2, n, error)))
    return FALSE;
  cols = ml_stmt_columns (st);
  header = g_new0 (char *, cols + 1);
  for (int c = 0; c < cols; c++)
    header[c] = g_strdup (ml_stmt_column_name (st, c));
  g_ptr_array_add (rows, header);
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      char **row = g_new0 (char *, cols + 1);
      for (int c = 0; c < cols; c++)
        {
          const char *v = ml_stmt_text (st, c) != NULL ? ml_stmt_text (st, c) : "";
          row[c] = ml_csv_is_handle_column (header[c]) ? g_strdup (ml_casedata_label (doc->cd, v))
                                                       : ml_redact_text (doc->cd->redactor, v);
        }
      g_ptr_array_add (rows, row);
    }
  if (step == ML_STEP_ERROR)
    return FALSE;
  if (rows->len > 1)
    table (out, caption, rows);
  return TRUE;
}

/* Every metric of scope "all" against the window count. */
static gboolean
metrics_pivot (GString *out, const MlReportDoc *doc, GError **error)
{
  g_autoptr(MlStmt) st = ml_db_prepare (doc->cd->db,
      "SELECT DISTINCT metric FROM metrics WHERE scope = 'all' AND metric IS NOT NULL ORDER BY metric", error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int n_win = doc->cd->windows;
  char **header;
  MlStep step;

  if (st == NULL)
    return FALSE;
  header = g_new0 (char *, n_win + 2);
  header[0] = g_strdup ("metric \\ orders");
  for (int n = 1; n <= n_win; n++)
    header[n] = g_strdup_printf ("%d", n);
  g_ptr_array_add (rows, header);
  while ((step = ml_stmt_step (st, error)) == ML_STEP_ROW)
    {
      char **row = g_new0 (char *, n_win + 2);
      row[0] = g_strdup (ml_stmt_text (st, 0));
      for (int n = 1; n <= n_win; n++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          double v = ml_narrative_metric (doc->cd, n, row[0]);
          row[n] = g_strdup (isfinite (v) ? ml_plot_num (buf, v, 4) : "");
        }
      g_ptr_array_add (rows, row);
    }
  if (step == ML_STEP_ERROR)
    return FALSE;
  table (out, "Every metric (scope all: shares are means over the named targets, distances medians)", rows);
  return TRUE;
}

static void
per_target_table (GString *out, const MlReportDoc *doc)
{
  static const char *const metrics[] = { "contacts_recall", "contacts_precision", "top5_recall", "home_error_km",
                                         "work_error_km", "sensitive_recall", "covered_days", "gap_days",
                                         "retention_lost_days", NULL };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *caption = g_strdup_printf ("Each named target after %d %s", doc->cd->windows,
                                              ml_plot_orders_word (doc->cd->windows));
  char **header = g_new0 (char *, G_N_ELEMENTS (metrics) + 1);

  header[0] = g_strdup ("target");
  for (gsize m = 0; metrics[m] != NULL; m++)
    header[m + 1] = g_strdup (metrics[m]);
  g_ptr_array_add (rows, header);
  for (guint t = 0; t < doc->cd->targets->len; t++)
    {
      const char *target = g_ptr_array_index (doc->cd->targets, t);
      char **row = g_new0 (char *, G_N_ELEMENTS (metrics) + 1);
      row[0] = g_strdup (ml_casedata_label (doc->cd, target));
      for (gsize m = 0; metrics[m] != NULL; m++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          double v;
          row[m + 1] = g_strdup (ml_casedata_metric (doc->cd, doc->cd->windows, target, metrics[m], &v)
                                 ? ml_plot_num (buf, v, 4) : "");
        }
      g_ptr_array_add (rows, row);
    }
  table (out, caption, rows);
}

static void
params_table (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *header[] = { "parameter", "value", NULL };

  g_ptr_array_add (rows, g_strdupv ((char **) header));
  for (guint i = 0; i < doc->cd->param_keys->len; i++)
    {
      const char *key = g_ptr_array_index (doc->cd->param_keys, i);
      const char *row[] = { key, ml_casedata_param (doc->cd, key), NULL };
      g_ptr_array_add (rows, g_strdupv ((char **) row));
    }
  table (out, "Every parameter of the analysis (table params)", rows);
}

#define NAMED "(SELECT target FROM targets WHERE hop = 1)"
#define DATE(col) "strftime('%Y-%m-%d %H:%M', " col ", 'unixepoch')"

static const struct { const char *table, *caption, *sql; } research_tables[] = {
  { "orders", "The orders served on the named targets (UTC)",
    "SELECT target, position + 1 AS \"order\", " DATE ("served") " AS served, " DATE ("returned_start")
    " AS returned_from, " DATE ("returned_end") " AS returned_until FROM orders WHERE target IN " NAMED
    " ORDER BY rowid" },
  { "coverage", "Gaps and retention losses",
    "SELECT target, kind, " DATE ("start") " AS start, " DATE ("\"end\"") " AS \"end\", "
    "round((\"end\" - start) / 86400.0, 1) AS days FROM coverage WHERE kind <> 'covered' ORDER BY rowid" },
  { "trips", "Trips detected after all orders",
    "SELECT target, city, round(km_from_home, 1) AS km_from_home, " DATE ("start") " AS start, "
    DATE ("\"end\"") " AS \"end\" FROM trips WHERE n_windows = ?2 AND target IN " NAMED " ORDER BY rowid" },
  { "colocation", "Co-location after all orders: others behind the same home or work IP",
    "SELECT target, handle, kind, shared_hours, shared_days, round(confidence, 3) AS confidence FROM colocation"
    " WHERE n_windows = ?2 AND target IN " NAMED " ORDER BY rowid" },
  { "hops", "Hop reach by number of orders",
    "SELECT n_windows, hop, reached, added, top_hub, top_hub_is_service FROM hops ORDER BY n_windows, hop" },
  { "population_graph", "The whole log's lookup graph against the true social graph (population mode)",
    "SELECT n_windows, metric, round(value, 4) AS value FROM population_graph ORDER BY n_windows, metric" },
  { "homework_unique", "People unique by their (home, work) pair at each spatial scale (population mode)",
    "SELECT scale_km, round(share_unique, 4) AS share_unique, people FROM homework_unique ORDER BY scale_km" },
};

static gboolean
contacts_tables (GString *out, const MlReportDoc *doc, GError **error)
{
  guint shown = MIN (doc->cd->targets->len, 3);

  if (!ml_casedata_has_table (doc->cd, "contacts"))
    return TRUE;
  for (guint t = 0; t < shown; t++)
    {
      const char *target = g_ptr_array_index (doc->cd->targets, t);
      g_autofree char *caption = g_strdup_printf ("The 15 strongest contacts of %s after all orders",
                                                  ml_casedata_label (doc->cd, target));
      if (!sql_table (out, doc, caption,
                      "SELECT rank, handle, n_out, n_in, days, bulk, round(score, 3) AS score,"
                      " round(confidence, 3) AS confidence, is_service, reported FROM contacts"
                      " WHERE target = ?1 AND n_windows = ?2 ORDER BY rank LIMIT 15",
                      target, doc->cd->windows, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
section_research (GString *out, const MlReportDoc *doc, GError **error)
{
  g_string_append (out, "<section id=\"metrics\">\n<h2>All metrics and parameters</h2>\n"
                        "<p>Every number below is in the case's analysis.db and in the CSV tables "
                        "in this report's data directory; each plot's numbers are in its .dat file.</p>\n");
  if (!metrics_pivot (out, doc, error))
    return FALSE;
  per_target_table (out, doc);
  params_table (out, doc);
  for (gsize i = 0; i < G_N_ELEMENTS (research_tables); i++)
    if (ml_casedata_has_table (doc->cd, research_tables[i].table)
        && !sql_table (out, doc, research_tables[i].caption, research_tables[i].sql, NULL, doc->cd->windows, error))
      return FALSE;
  if (!contacts_tables (out, doc, error))
    return FALSE;
  g_string_append (out, "</section>\n");
  return TRUE;
}

/* ---- caveats, sources, files, questions ---- */

static void
section_caveats (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) caveats = ml_narrative_caveats (doc->cd);

  g_string_append (out, "<section id=\"caveats\">\n<h2>Caveats</h2>\n<ul>\n");
  for (guint i = 0; i < caveats->len; i++)
    element (out, "li", g_ptr_array_index (caveats, i));
  g_string_append (out, "</ul>\n</section>\n");
}

/* The published figures of datasets/literature.csv, with their sources. */
static void
section_sources (GString *out, const MlReportDoc *doc)
{
  g_autoptr(GPtrArray) rows = doc->literature != NULL ? ml_csv_load (doc->literature, TRUE, NULL) : NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *header[] = { "figure", "value", "source", NULL };

  g_string_append (out, "<section id=\"sources\">\n<h2>Model sources</h2>\n<p>The simulator's models are "
                        "calibrated to published figures; metaleak's docs/model.md describes every model and "
                        "parameter with its source. The figures the simulation and this report compare "
                        "with:</p>\n");
  g_ptr_array_add (shown, g_strdupv ((char **) header));
  for (guint i = 1; rows != NULL && i < rows->len; i++)
    {
      char **r = g_ptr_array_index (rows, i);
      g_autofree char *value = NULL;
      if (g_strv_length (r) < 6)
        continue;
      value = g_strdup_printf ("%s%s%s", r[1], r[4][0] != '\0' ? " " : "", r[4]);
      const char *row[] = { r[0], value, r[5], NULL };
      g_ptr_array_add (shown, g_strdupv ((char **) row));
    }
  if (shown->len > 1)
    table (out, "datasets/literature.csv", shown);
  else
    element (out, "p", "(datasets/literature.csv was not found, so the published figures are not listed.)");
  g_string_append (out, "</section>\n");
}

static void
section_files (GString *out, const MlReportDoc *doc)
{
  g_string_append (out, "<section id=\"files\">\n<h2>Files</h2>\n<ul>\n"
                        "<li><a href=\"brief.md\">brief.md</a>: the one-page brief (Markdown).</li>\n"
                        "<li>plots/: each plot as an image beside its gnuplot script (.gp) and data (.dat); "
                        "run <code>gnuplot NAME.gp</code> in that directory to redraw or restyle it.</li>\n"
                        "<li>data/: the analysis tables as CSV:");
  for (guint i = 0; i < doc->data_files->len; i++)
    {
      g_autofree char *name = g_markup_escape_text (g_ptr_array_index (doc->data_files, i), -1);
      g_string_append_printf (out, "%s <a href=\"data/%s\">%s</a>", i > 0 ? "," : "", name, name);
    }
  g_string_append (out, ".</li>\n</ul>\n</section>\n");
}

static void
section_questions (GString *out)
{
  static const char *const questions[] = {
    "Which order added the most? Why do later orders add less, and when would you stop asking?",
    "The log holds no message content. Which of the findings above would you nevertheless call private?",
    "Why are some reported contacts wrong? What would an investigator need to tell a friend from a number typed once?",
    "A late renewal lost days for good. Who should bear that risk: the investigation, or the people in the log?",
    "Should a court treat a lookup log like a phone bill, or like a wiretap? Why?",
  };

  g_string_append (out, "<section id=\"questions\">\n<h2>Questions for the class</h2>\n<ol>\n");
  for (gsize i = 0; i < G_N_ELEMENTS (questions); i++)
    element (out, "li", questions[i]);
  g_string_append (out, "</ol>\n</section>\n");
}

char *
ml_html_render (const MlReportDoc *doc, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (doc != NULL && doc->cd != NULL && doc->opt != NULL && doc->plots != NULL, NULL);
  g_return_val_if_fail (doc->data_files != NULL && doc->generated != NULL, NULL);
  page_head (out, doc);
  page_top (out, doc);
  page_nav (out, doc);
  section_summary (out, doc);
  section_case (out, doc);
  section_plots (out, doc);
  section_orders (out, doc);
  if (doc->opt->audience == ML_AUDIENCE_RESEARCH && !section_research (out, doc, error))
    return NULL;
  section_caveats (out, doc);
  section_sources (out, doc);
  section_files (out, doc);
  if (doc->opt->audience == ML_AUDIENCE_CLASS)
    section_questions (out);
  g_string_append (out, "</body>\n</html>\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ml_html_write (const MlReportDoc *doc, const char *path, GError **error)
{
  g_autofree char *text = ml_html_render (doc, error);

  return text != NULL && ml_write_file_atomic (path, text, -1, error);
}
