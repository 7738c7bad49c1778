/* cdr-private.h -- internals shared by the cdr-*.c modules.
 *
 * The indicator engine: a per-user context (CdrCtx) holding the records'
 * derived attributes (position, night, weekend, ISO week), the selections
 * bandicoot's grouping produces (records filtered by part of week, part of
 * day and interaction, then cut into ISO weeks), and the summary statistics
 * bandicoot applies.  Nothing here is visible outside analyze/cdr-*.c.
 */
#ifndef ML_CDR_PRIVATE_H
#define ML_CDR_PRIVATE_H

#include "analyze/cdr.h"

G_BEGIN_DECLS

/* bandicoot's SummaryStats fields, in its 'extended' order. */
enum { ST_MEAN, ST_STD, ST_MEDIAN, ST_SKEWNESS, ST_KURTOSIS, ST_MIN, ST_MAX, ST_N };
extern const char *const ml_cdr_stat_names[ST_N];

/* A SummaryStats: all None when !ok (an empty distribution). */
typedef struct {
  gboolean ok;
  double v[ST_N];
} CdrStats;

/* bandicoot's summary_stats(DATA): every field when EXTENDED (DATA[0..N)
 * is then sorted in place), else only the mean and std. */
void ml_cdr_stats (double *data, guint n, gboolean extended, CdrStats *out);

/* bandicoot's mean() and std() (population) of X[0..N): FALSE when N == 0. */
gboolean ml_cdr_mean_std (const double *x, guint n, double *mean, double *std);

/* bandicoot's entropy() of the counts C[0..N) (natural log). */
double ml_cdr_entropy (const guint *c, guint n);

/* How many of the largest counts C[0..N) make up ceil(total * FRACTION)
 * (bandicoot's pareto loop).  Sorts C in place. */
guint ml_cdr_pareto_count (gint64 *c, guint n, double fraction);

/* Parts of the week and of the day, in bandicoot's order. */
enum { POW_ALLWEEK, POW_WEEKDAY, POW_WEEKEND, N_POW };
enum { POD_ALLDAY, POD_DAY, POD_NIGHT, N_POD };
extern const char *const ml_cdr_pow_names[N_POW];
extern const char *const ml_cdr_pod_names[N_POD];

/* Record filters: every record (spatial), calls, texts, both. */
enum { SEL_ALL, SEL_CALL, SEL_TEXT, SEL_CALLANDTEXT, N_SEL };

/* A selection: the indices of the records passing one (part of week, part
 * of day, interaction) filter, cut into groups (ISO weeks, or one group). */
typedef struct {
  gint32 *idx;        /* record indices, in time order */
  guint n;
  guint *group_start; /* n_groups + 1 offsets into idx */
  guint n_groups;
} CdrSel;

/* A position as bandicoot's Position: an antenna and/or a location. */
typedef struct {
  gint32 antenna;   /* index into the user's antennas, -1 for none */
  gboolean has_loc; /* location known (from the antennas file or the CSV) */
  double lat, lon;
} CdrPos;

/* Spatial bins of one selection: positions per group, and (counted on
 * first use, for the four indicators that read them) each group's distinct
 * positions in first-seen order with their numbers of bins. */
typedef struct {
  gint32 *pos;        /* position ids, bins of all groups concatenated */
  guint *group_start; /* n_groups + 1 offsets into pos */
  guint n_groups;
  guint *dstart;      /* NULL until counted; n_groups + 1 offsets into dpos and dcount */
  gint32 *dpos;       /* distinct positions, group after group */
  guint *dcount;      /* their numbers of bins */
} CdrBins;

/* The conversations of every group of one (part of week, part of day)
 * selection of calls and texts, computed once for the three indicators
 * that read them. */
typedef struct {
  guint *counts;      /* 4 per group: started, initiated, received, responded */
  guint *dstart;      /* n_groups + 1 offsets into delays */
  double *delays;     /* response delays, group after group */
} CdrConv;

void ml_cdr_conv_free (CdrConv *c);

/* The correspondents of every group of one selection, computed once for
 * the five indicators that count them: per group, the distinct contacts in
 * first-seen order with their interactions and outgoing interactions. */
typedef struct {
  guint *cstart;      /* n_groups + 1 offsets into count and out */
  guint *count;       /* interactions per contact, group after group */
  gint64 *out;        /* outgoing interactions per contact */
} CdrContacts;

void ml_cdr_contacts_free (CdrContacts *c);

typedef struct {
  const MlCdrOptions *o;
  const MlCdrUser *user;
  const MlCdrRecord *r;   /* user->records->data */
  guint n;
  gint32 *pos;            /* per record: position id */
  gint32 *monday;         /* per record: the day of its ISO week's Monday */
  gint32 *day;            /* per record: its day */
  gint64 *binkey;         /* per record: its position bin (year, day of month, hour, bin) */
  guint8 *night;          /* per record: at night */
  guint8 *weekend;        /* per record: on a weekend day */
  guint8 *attr;           /* per record: weekend | night << 1 | kind << 2 */
  GArray *positions;      /* of CdrPos, by id */
  CdrPos *antenna_pos;    /* per user antenna: its position, located if the antennas file knows it */
  gint32 home;            /* position id of the home, -1 for none */
  CdrSel *sel[N_POW][N_POD][N_SEL];   /* computed on demand */
  CdrBins *bins[N_POW][N_POD];        /* computed on demand */
  CdrConv *conv[N_POW][N_POD];        /* computed on demand */
  CdrContacts *contacts[N_POW][N_POD][N_SEL];   /* computed on demand */
  int cur_pow, cur_pod, cur_sel;   /* the selection and group an indicator is computed on */
  guint cur_group;
  /* scratch, sized for the user */
  double *dbuf;           /* n doubles */
  gint64 *ibuf;           /* max (n, contacts, positions) */
  guint *cbuf;            /* counts per contact or position */
  guint *cbuf2;
  gint32 *order;          /* n: records sorted by contact */
  double *gx;             /* n + 2: one value per group of a selection */
  gboolean *gdef;         /* n + 2: whether each is defined */
  CdrStats *gstats;       /* n + 2: one summary per group */
  const CdrPos **gloc;    /* positions + 1: the distinct locations of a group */
} CdrCtx;

/* Set up CTX for USER (records sorted) under O and ANTENNAS; free with
 * ml_cdr_ctx_clear(). */
void ml_cdr_ctx_init (CdrCtx *ctx, const MlCdrUser *user, const MlCdrAntennas *antennas,
                      const MlCdrOptions *o);
void ml_cdr_ctx_clear (CdrCtx *ctx);

/* The selection for (POW, POD, SEL), computed once.  Borrowed. */
const CdrSel *ml_cdr_select (CdrCtx *ctx, int pow, int pod, int sel);

/* The ISO-week selection of every record, whatever the options' groupby
 * (churn_rate always groups by week).  A new selection; free with
 * ml_cdr_sel_free(). */
CdrSel *ml_cdr_select_weeks (CdrCtx *ctx);
void ml_cdr_sel_free (CdrSel *s);

/* bandicoot's Position.__eq__ between position ids A and B. */
gboolean ml_cdr_pos_equal (const CdrCtx *ctx, gint32 a, gint32 b);

/* 30-minute binning of the records IDX[0..N) (time order) into OUT (room
 * for N); returns the number of bins. */
guint ml_cdr_bin (CdrCtx *ctx, const gint32 *idx, guint n, gint32 *out);

/* The bins of every group of (POW, POD)'s all-records selection.  Borrowed. */
const CdrBins *ml_cdr_bins (CdrCtx *ctx, int pow, int pod);

/* The user's home (most common night bin), or -1. */
gint32 ml_cdr_home (CdrCtx *ctx);

/* Spatial indicators of one group's bins: FALSE for None. */
gboolean ml_cdr_number_of_antennas (CdrCtx *ctx, const gint32 *bins, guint n, double *out);
gboolean ml_cdr_entropy_of_antennas (CdrCtx *ctx, const gint32 *bins, guint n, double *out);
gboolean ml_cdr_percent_at_home (CdrCtx *ctx, const gint32 *bins, guint n, double *out);
gboolean ml_cdr_radius_of_gyration (CdrCtx *ctx, const gint32 *bins, guint n, double *out);
gboolean ml_cdr_frequent_antennas (CdrCtx *ctx, const gint32 *bins, guint n, double *out);

/* churn_rate's cosine distances between consecutive weeks: a summary of
 * mean and std into MEAN/STD; FALSE when there are none. */
gboolean ml_cdr_churn_rate (CdrCtx *ctx, double *mean, double *std);

/* Network indicators (cdr-network.c): filter EGO's and the correspondents'
 * records for reciprocity as bandicoot's _read_network does, and compute
 * the reporting__percent_outofnetwork_* values and the network keys. */
typedef struct {
  gboolean has_network;
  double oon[4];          /* calls, texts, contacts, call durations */
  MlCdrValue clustering_unweighted;
  MlCdrValue clustering_weighted;
} CdrNetwork;

/* Reciprocity-filter EGO (and the copies of its correspondents in
 * NEIGHBOURS, name -> MlCdrUser *) in place and fill NET. */
void ml_cdr_network_prepare (MlCdrUser *ego, GHashTable *neighbours, CdrNetwork *net);

/* The assortativity of EGO's default weekly indicators with its reciprocated
 * correspondents': values for KEYS (the indicator keys of the default
 * options), appended to OUT. */
void ml_cdr_network_assortativity (MlCdrUser *ego, GHashTable *neighbours, const MlCdrAntennas *antennas,
                                   const MlCdrOptions *o, GArray *out);

/* The values of the indicators only (no reporting, no network keys) of
 * CTX's user; appended to OUT.  Used for assortativity too. */
void ml_cdr_indicator_values (CdrCtx *ctx, GArray *out);

/* The keys of the indicators only, appended to KEYS. */
void ml_cdr_indicator_keys (const MlCdrOptions *o, GPtrArray *keys);

G_END_DECLS

#endif /* ML_CDR_PRIVATE_H */
