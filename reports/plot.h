/* plot.h -- the report's plots: data files, gnuplot scripts, captions.
 *
 * Every plot is three files in the report's plots/ directory: NAME.dat
 * (the numbers, whitespace-separated, '#' comments naming the columns,
 * blocks separated by two blank lines and addressed with gnuplot's
 * `index`), NAME.gp (a gnuplot script that reads NAME.dat by its relative
 * name; `gnuplot NAME.gp` inside plots/ redraws NAME.png and/or NAME.svg),
 * and the image gnuplot draws from them (reports/gnuplot.h).  An MlPlot
 * describes one of them for the HTML page: its title, a caption that says
 * in plain words what it shows, with its numbers, and which concept a
 * class should have explained before it.
 *
 * The writers (plot-curves.c, plot-target.c, egonet.c) are pure functions
 * of the analysis: the same analysis gives byte-identical .dat and .gp
 * files.  Numbers are printed with g_ascii_formatd, so the locale never
 * turns a decimal point into a comma.  Workload: about ten plots per
 * report, each from one or a few small queries.
 */
#ifndef ML_REPORT_PLOT_H
#define ML_REPORT_PLOT_H

#include <glib.h>

#include "reports/casedata.h"
#include "reports/report.h"

G_BEGIN_DECLS

/* The ideas a class needs explained, each once, before the first plot
 * that rests on it (reports/html.c holds the words). */
typedef enum {
  ML_CONCEPT_NONE,
  ML_CONCEPT_CHAINING,        /* orders, windows, retention: why results grow with renewals */
  ML_CONCEPT_PEN_REGISTER,    /* pen register and trap-and-trace */
  ML_CONCEPT_NOT_PROOF,       /* a lookup is not proof of communication */
  ML_CONCEPT_IP_LOCATION,     /* why an IP address reveals a location */
  ML_CONCEPT_RHYTHM,          /* daily rhythm */
  ML_CONCEPT_HOPS,            /* hop expansion */
  ML_CONCEPT_SENSITIVE,       /* sensitive services */
  ML_CONCEPT_UNIQUENESS,      /* re-identification from a few points */
  ML_N_CONCEPTS
} MlConcept;

typedef struct {
  char *name;                 /* file stem: plots/NAME.gp, .dat, .png, .svg */
  char *title;                /* heading above the plot */
  char *caption;              /* plain text: what it shows, with its numbers */
  char *alt;                  /* short text for the image's alt attribute */
  char *target;               /* printable label of the target it is about, or NULL */
  MlConcept concept;          /* to explain first in a class report */
  int width, height;          /* image size in pixels */
  gboolean drawn;             /* every image requested exists (set by ml_gnuplot_draw) */
  char *failure;              /* why not drawn, or NULL */
} MlPlot;

/* A new plot NAME titled TITLE, 900 x 540 pixels; the rest empty. */
MlPlot *ml_plot_new (const char *name, const char *title);

void ml_plot_free (MlPlot *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlPlot, ml_plot_free)

/* What plot writers share: the case, the options, where plots go, and the
 * plots written so far (in report order). */
typedef struct {
  const MlCaseData *cd;       /* borrowed */
  const MlReportOptions *opt; /* borrowed */
  const char *dir;            /* the plots/ directory; borrowed */
  const char *literature;     /* path of datasets/literature.csv, or NULL */
  GPtrArray *plots;           /* MlPlot *, owned */
} MlPlotSet;

/* Write every plot of the report for SET->cd into SET->dir (which must
 * exist) and append them to SET->plots: the leakage curves, for each
 * shown target its evidence timeline, ego network, location map and daily
 * rhythm, then hop reach, sensitive categories and, in population mode,
 * uniqueness.  A plot whose tables are missing or empty is left out.
 * ML_ERROR_IO/ML_ERROR_DB on failure. */
gboolean ml_plots_write (MlPlotSet *set, GError **error);

/* How many targets get plots of their own: 1, or up to 3 for research. */
guint ml_plots_shown_targets (const MlPlotSet *set);

/* Finish PLOT: write NAME.dat from DAT and NAME.gp from BODY (the plot
 * commands; the script adds the header, the terminal for each format of
 * SET->opt and the output file), then append PLOT to SET->plots, which
 * takes ownership.  ML_ERROR_IO on failure (PLOT is freed). */
gboolean ml_plot_emit (MlPlotSet *set, MlPlot *plot, const GString *dat, const char *body, GError **error);

/* A new .dat text for PLOT: the header comment (file, title, case,
 * SOURCE tables) and the column line for the first block. */
GString *ml_plot_dat_new (const MlPlotSet *set, const MlPlot *plot, const char *source, const char *columns);

/* Start the next data block of DAT: two blank lines and its column line. */
void ml_plot_dat_block (GString *dat, const char *columns);

/* Close a block that got ROWS rows: an empty one gets a row of COLUMNS
 * "NaN"s, because gnuplot does not count a block of comments alone and
 * the later blocks' indices would shift. */
void ml_plot_dat_fill_empty (GString *dat, guint rows, guint columns);

/* Append V to DAT with up to DIGITS significant digits ("NaN" when not
 * finite), preceded by a space unless at the start of a line. */
void ml_plot_dat_num (GString *dat, double v, int digits);

/* Append the string S to DAT as one gnuplot data column (double-quoted,
 * with '"' and non-printing characters replaced by '_'). */
void ml_plot_dat_str (GString *dat, const char *s);

/* Format V like ml_plot_dat_num() into BUF (G_ASCII_DTOSTR_BUF_SIZE). */
const char *ml_plot_num (char *buf, double v, int digits);

/* "84 %" for 0.84 (whole percent), "n/a" when not finite.  Caller frees. */
char *ml_plot_percent (double share);

/* "1.8 km" (one decimal below 10 km, none above), "n/a".  Caller frees. */
char *ml_plot_km (double km);

/* "6,100" for 6100 (thousands separated by commas).  Caller frees. */
char *ml_plot_count (gint64 n);

/* "order" or "orders" for N; borrowed static text. */
const char *ml_plot_orders_word (gint64 n);

/* The window counts a plot with several series shows: all of 1..N when
 * N <= 4, else 1, about N/3, about 2N/3 and N.  Writes up to 4 values to
 * OUT and returns how many. */
guint ml_plot_pick_windows (int n, int out[4]);

/* The stored handle of shown target INDEX and a new "target LABEL" text
 * for titles (*LABEL_OUT, caller frees). */
const char *ml_plot_target (const MlPlotSet *set, guint index, char **label_out);

/* The plot writers (one per kind), called by ml_plots_write(). */
gboolean ml_plot_leakage_contacts (MlPlotSet *set, GError **error);
gboolean ml_plot_leakage_location (MlPlotSet *set, GError **error);
gboolean ml_plot_hop_reach (MlPlotSet *set, GError **error);
gboolean ml_plot_sensitive (MlPlotSet *set, GError **error);
gboolean ml_plot_uniqueness (MlPlotSet *set, GError **error);
gboolean ml_plot_timeline (MlPlotSet *set, guint index, GError **error);
gboolean ml_plot_location_map (MlPlotSet *set, guint index, GError **error);
gboolean ml_plot_rhythm (MlPlotSet *set, guint index, GError **error);
gboolean ml_plot_ego_network (MlPlotSet *set, guint index, GError **error);

G_END_DECLS

#endif /* ML_REPORT_PLOT_H */
