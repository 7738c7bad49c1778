/* calibration.c -- calibration.json: the simulated statistics next to
 * their published targets (datasets/literature.csv).
 *
 * Runs once, at the end of `metaleak sim --calibration`, when truth.db and
 * provider.db are finished; it reads them and the world, which is allowed
 * on the simulator's side of the wall (the analyzer never sees any of
 * this).  Every figure becomes an entry {"value", "target", "low", "high",
 * "within", "source", "method"} under "metrics"; histograms, quantiles and
 * curves go under "distributions" as arrays.  The output is deterministic:
 * fixed key order, numbers as %.6g (C locale), fixed samples of people.
 *
 * Workload: must stay under 30 s on a 1,000,000-person, 30-day run; the
 * city scenario takes ~25 s, 15 s of it in igraph (socialgraph.c).  Whatever
 * grows with the population is measured on a fixed sample of people, the
 * first k of the permutation i -> i * 2654435761 mod n: 1,000 for mobility
 * (their stays and messages regenerated once by the mobility and traffic
 * models, one call of each per person-day: S(t), the radius of gyration at
 * the messages, and B), up to 1,000 people with >= 20 messages for
 * burstiness (mostly the same people; the others' messages regenerated
 * too), 300 for message
 * reciprocity (one scan of messages_daily, keeping the sampled people's
 * rows: the rows sent to a person lie all over the table, which is
 * clustered by sender).  The graph is measured whole (igraph, socialgraph.c), service
 * contacts are scanned once (a few rows per person), and the lookup count
 * is provider.db's largest rowid.  The rules are in
 * docs/model/calibration.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/datadir.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/json.h"
#include "common/outdir.h"
#include "common/schema.h"
#include "sim/calibration.h"
#include "sim/calibration-private.h"
#include "sim/manifest.h"
#include "sim/mobility.h"
#include "sim/socialgraph.h"
#include "sim/traffic.h"
#include "sim/world.h"

#define BURST_SAMPLE 1000        /* people measured for burstiness */
#define BURST_MIN_EVENTS 20      /* messages a person must send to be measured */
#define BURST_TRIES 10           /* candidates tried per sample place, at most */
#define MOBILITY_SAMPLE 1000     /* people whose stays are read */
#define RECIPROCITY_SAMPLE 300   /* people whose message partners are read (~9 ms each at 10^6) */
#define SAMPLE_STRIDE G_GUINT64_CONSTANT (2654435761) /* prime, ~2^32 / golden ratio */
#define PLFIT_P_REJECT 0.1       /* Clauset, Shalizi & Newman 2009: p <= 0.1 rules a power law out */
#define PLFIT_ALPHA_MAX 3.5      /* steeper than any scale-free claim (docs/model/calibration.md) */
#define SHARE_TOLERANCE_SE 3.0   /* tolerance of scenario-configured shares, binomial SEs */
#define RG_FIRST_EDGE_KM 0.1     /* Rg histogram: [0, 0.1), then 4 bins a decade up to 10^4 km */
#define RG_BINS_PER_DECADE 4
#define RG_DECADES 5
#define RG_MIN_POSITIONS 2       /* positions a person needs for a radius of gyration */
#define RG_FIT_R0_KM 5.8         /* Gonzalez et al. 2008 (D1): P(rg) ~ (rg + r0)^-beta exp(-rg/kappa) */
#define RG_FIT_BETA 1.65
#define RG_FIT_KAPPA_KM 350.0
#define RG_FIT_MAX_KM 1e5        /* the fit's mass beyond is negligible (e^-285) */

G_STATIC_ASSERT (ML_N_CATEGORIES <= 16);

/* The mobility sample, measured once (sample_pass()). */
typedef struct {
  guint32 *people;               /* the first MOBILITY_SAMPLE of the sampling order, sorted */
  double *burst;                 /* B of people[i], NAN below BURST_MIN_EVENTS messages */
  gsize k;                       /* people in the sample */
  double *s;                     /* mean S(t), sc->days entries */
  GArray *rg;                    /* radii of gyration of the positions at messages, km */
  GArray *rg_time;               /* time-weighted radii of gyration of the stays, km */
  GArray *rg_no_trip;            /* rg of the people without a day on a trip */
  guint32 counted;               /* people with at least one stay */
  guint32 travellers;            /* ... of whom with at least one day on a trip */
  double no_trip;                /* the trip model's probability of no trip in the run */
} Sample;

static void
sample_clear (Sample *sa)
{
  g_clear_pointer (&sa->people, g_free);
  g_clear_pointer (&sa->burst, g_free);
  g_clear_pointer (&sa->s, g_free);
  g_clear_pointer (&sa->rg, g_array_unref);
  g_clear_pointer (&sa->rg_time, g_array_unref);
  g_clear_pointer (&sa->rg_no_trip, g_array_unref);
}

typedef struct {
  const MlWorld *w;
  const MlScenario *sc;
  GHashTable *lit;               /* metric name -> MlCalTarget; owned */
  MlDb *truth, *provider;        /* owned */
  MlTraffic *traffic;            /* the run's traffic model, rebuilt once (cal_traffic()); owned */
  Sample sample;                 /* owned */
  GString *metrics;              /* body of "metrics" */
  GString *dists;                /* body of "distributions" */
  guint32 n_burst, n_mobility, n_reciprocity; /* people actually measured */
} Cal;

static void
cal_clear (Cal *c)
{
  g_clear_pointer (&c->lit, g_hash_table_unref);
  g_clear_pointer (&c->truth, ml_db_free);
  g_clear_pointer (&c->provider, ml_db_free);
  g_clear_pointer (&c->traffic, ml_traffic_free);
  sample_clear (&c->sample);
  if (c->metrics != NULL)
    g_string_free (g_steal_pointer (&c->metrics), TRUE);
  if (c->dists != NULL)
    g_string_free (g_steal_pointer (&c->dists), TRUE);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cal, cal_clear)

/* ---- small numerics ------------------------------------------------------ */

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static int
compare_u32 (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

static int
compare_time (const void *a, const void *b)
{
  MlTime x = *(const MlTime *) a, y = *(const MlTime *) b;
  return (x > y) - (x < y);
}

/* The Q-quantile of the sorted X[0..N), linear between order statistics
 * (Hyndman & Fan type 7); NAN for N = 0. */
static double
quantile_sorted (const double *x, gsize n, double q)
{
  double h, f;
  gsize i;

  if (n == 0)
    return NAN;
  h = q * (double) (n - 1);
  i = (gsize) floor (h);
  f = h - (double) i;
  return i + 1 < n ? x[i] + f * (x[i + 1] - x[i]) : x[n - 1];
}

/* The I-th person of the fixed sampling order, a permutation of 0 .. N-1
 * (SAMPLE_STRIDE is a prime, coprime to every N but itself). */
static guint32
sample_person (guint32 n, guint64 i)
{
  return n % SAMPLE_STRIDE == 0 ? (guint32) i : (guint32) ((i * SAMPLE_STRIDE) % n);
}

/* The first K people of the sampling order, sorted for index locality.
 * Caller frees. */
static guint32 *
sample_people (guint32 n, gsize k)
{
  guint32 *p = g_new (guint32, MAX (k, 1));

  for (gsize i = 0; i < k; i++)
    p[i] = sample_person (n, i);
  qsort (p, k, sizeof *p, compare_u32);
  return p;
}

/* ---- estimators ---------------------------------------------------------- */

double
ml_calibration_burstiness (const MlTime *ts, gsize n)
{
  double mu = 0.0, var = 0.0, sigma;

  g_return_val_if_fail (ts != NULL || n == 0, NAN);
  if (n < 3)
    return NAN;
  for (gsize i = 1; i < n; i++)
    mu += (double) (ts[i] - ts[i - 1]);
  mu /= (double) (n - 1);
  for (gsize i = 1; i < n; i++)
    {
      double d = (double) (ts[i] - ts[i - 1]) - mu;
      var += d * d;
    }
  sigma = sqrt (var / (double) (n - 1));
  if (sigma + mu <= 0.0)
    return NAN;
  return (sigma - mu) / (sigma + mu);
}

static gboolean
stay_has_position (const MlCalStay *s)
{
  return s->end > s->start && isfinite (s->lat) && isfinite (s->lon);
}

/* The time-weighted centre of mass of S as a point on the sphere. */
static gboolean
centre_of_mass (const MlCalStay *s, gsize n, double *lat, double *lon)
{
  double x = 0.0, y = 0.0, z = 0.0, norm;

  for (gsize i = 0; i < n; i++)
    {
      double w, phi, lambda;

      if (!stay_has_position (&s[i]))
        continue;
      w = (double) (s[i].end - s[i].start);
      phi = s[i].lat * G_PI / 180.0;
      lambda = s[i].lon * G_PI / 180.0;
      x += w * cos (phi) * cos (lambda);
      y += w * cos (phi) * sin (lambda);
      z += w * sin (phi);
    }
  norm = sqrt (x * x + y * y + z * z);
  if (norm <= 0.0)
    return FALSE;
  *lat = asin (CLAMP (z / norm, -1.0, 1.0)) * 180.0 / G_PI;
  *lon = atan2 (y, x) * 180.0 / G_PI;
  return TRUE;
}

double
ml_calibration_gyration_km (const MlCalStay *s, gsize n)
{
  double lat, lon, sum = 0.0, weight = 0.0;

  g_return_val_if_fail (s != NULL || n == 0, NAN);
  if (!centre_of_mass (s, n, &lat, &lon))
    return NAN;
  for (gsize i = 0; i < n; i++)
    {
      double w, d;

      if (!stay_has_position (&s[i]))
        continue;
      w = (double) (s[i].end - s[i].start);
      d = ml_geo_haversine_km (lat, lon, s[i].lat, s[i].lon);
      sum += w * d * d;
      weight += w;
    }
  /* Identical positions leave ~1e-12 km of rounding: below 1 mm is 0. */
  return sqrt (sum / weight) < 1e-6 ? 0.0 : sqrt (sum / weight);
}

double
ml_calibration_growth_exponent (const double *s, gsize n_days)
{
  double sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, m = 0.0, den, mu;

  g_return_val_if_fail (s != NULL || n_days == 0, NAN);
  for (gsize t = 1; t <= n_days; t++)
    {
      double x, y;

      if (!(s[t - 1] > 0.0))
        continue;
      x = log ((double) t);
      y = log (s[t - 1]);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      m += 1.0;
    }
  den = m * sxx - sx * sx;
  if (m < 2.0 || den <= 0.0)
    return NAN;
  mu = (m * sxy - sx * sy) / den;
  return fabs (mu) < 1e-9 ? 0.0 : mu;    /* a flat S(t) leaves rounding noise */
}

void
ml_calibration_distinct_by_day (const MlCalStay *s, gsize n, MlDay first, int days, double *acc)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  MlTime t0 = ml_day_start (first);
  gsize i = 0;

  g_return_if_fail ((s != NULL || n == 0) && (acc != NULL || days <= 0));
  for (int d = 0; d < days; d++)
    {
      MlTime day_end = t0 + (MlTime) (d + 1) * ML_SECONDS_PER_DAY;

      for (; i < n && s[i].start < day_end; i++)
        if (s[i].place != ML_NONE)
          g_hash_table_add (seen, GUINT_TO_POINTER (s[i].place + 1));
      acc[d] += (double) g_hash_table_size (seen);
    }
}

/* ---- service categories and message partners ----------------------------- */

static int
category_from_name (const char *name)
{
  for (int c = 0; name != NULL && c < ML_N_CATEGORIES; c++)
    if (g_str_equal (name, ml_category_name ((MlCategory) c)))
      return c;
  return -1;
}

/* Service id (gint64 *) -> category + 1, for the services marked sensitive. */
static GHashTable *
sensitive_services (MlDb *truth, GError **error)
{
  g_autoptr(GHashTable) cat = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(MlStmt) q = ml_db_prepare (truth, "SELECT id, category FROM services WHERE sensitive <> 0",
                                       error);
  MlStep step;

  if (q == NULL)
    return NULL;
  while ((step = ml_stmt_step (q, error)) == ML_STEP_ROW)
    {
      gint64 id = ml_stmt_int64 (q, 0);
      int c = category_from_name (ml_stmt_text (q, 1));

      if (c >= 0)
        g_hash_table_insert (cat, g_memdup2 (&id, sizeof id), GINT_TO_POINTER (c + 1));
    }
  return step == ML_STEP_DONE ? g_steal_pointer (&cat) : NULL;
}

gboolean
ml_calibration_category_people (MlDb *truth, guint32 n_people, guint32 counts[ML_N_CATEGORIES],
                                GError **error)
{
  g_autoptr(GHashTable) cat = NULL;
  g_autoptr(MlStmt) q = NULL;
  g_autofree guint16 *mask = g_new0 (guint16, MAX (n_people, 1));
  MlStep step;

  if ((cat = sensitive_services (truth, error)) == NULL
      || (q = ml_db_prepare (truth, "SELECT person, service FROM service_contacts", error)) == NULL)
    return FALSE;
  while ((step = ml_stmt_step (q, error)) == ML_STEP_ROW)
    {
      gint64 person = ml_stmt_int64 (q, 0), service = ml_stmt_int64 (q, 1);
      int c = GPOINTER_TO_INT (g_hash_table_lookup (cat, &service));

      if (c > 0 && person >= 0 && person < (gint64) n_people)
        mask[person] |= (guint16) (1u << (c - 1));
    }
  if (step == ML_STEP_ERROR)
    return FALSE;
  memset (counts, 0, ML_N_CATEGORIES * sizeof counts[0]);
  for (guint32 p = 0; p < n_people; p++)
    for (int c = 0; mask[p] != 0 && c < ML_N_CATEGORIES; c++)
      counts[c] += (mask[p] >> c) & 1u;
  return TRUE;
}

/* Sort OUT and drop duplicates and SELF. */
static void
sort_distinct (GArray *out, guint32 self)
{
  guint k = 0;

  g_array_sort (out, compare_u32);
  for (guint i = 0; i < out->len; i++)
    {
      guint32 id = g_array_index (out, guint32, i);
      if (id != self && (k == 0 || id != g_array_index (out, guint32, k - 1)))
        g_array_index (out, guint32, k++) = id;
    }
  g_array_set_size (out, k);
}

/* Add |A n B| to *BOTH and |A u B| to *ANY (A, B sorted, distinct). */
static void
count_overlap (const GArray *a, const GArray *b, guint64 *both, guint64 *any)
{
  const guint32 *x = (const guint32 *) a->data, *y = (const guint32 *) b->data;
  guint i = 0, j = 0, common = 0;

  while (i < a->len && j < b->len)
    {
      if (x[i] == y[j])
        common++, i++, j++;
      else if (x[i] < y[j])
        i++;
      else
        j++;
    }
  *both += common;
  *any += (guint64) a->len + b->len - common;
}

gboolean
ml_calibration_message_reciprocity (MlDb *truth, const guint32 *people, gsize n, double *out,
                                    GError **error)
{
  /* One scan of messages_daily (clustered by sender, with no index by
   * recipient: see common/schema.c), keeping the rows of the sampled people. */
  g_autoptr(MlStmt) q = ml_db_prepare (truth, "SELECT sender, recipient FROM messages_daily", error);
  g_autoptr(GHashTable) slot = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint64 both = 0, any = 0;
  MlStep step;

  if (q == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      g_hash_table_insert (slot, GUINT_TO_POINTER (people[i] + 1), GUINT_TO_POINTER (i + 1));
      g_ptr_array_add (sent, g_array_new (FALSE, FALSE, sizeof (guint32)));
      g_ptr_array_add (heard, g_array_new (FALSE, FALSE, sizeof (guint32)));
    }
  while ((step = ml_stmt_step (q, error)) == ML_STEP_ROW)
    {
      guint32 a = (guint32) ml_stmt_int64 (q, 0), b = (guint32) ml_stmt_int64 (q, 1);
      guint sa = GPOINTER_TO_UINT (g_hash_table_lookup (slot, GUINT_TO_POINTER (a + 1)));
      guint sb = GPOINTER_TO_UINT (g_hash_table_lookup (slot, GUINT_TO_POINTER (b + 1)));
      if (sa != 0)
        g_array_append_val (sent->pdata[sa - 1], b);
      if (sb != 0)
        g_array_append_val (heard->pdata[sb - 1], a);
    }
  if (step == ML_STEP_ERROR)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      sort_distinct (sent->pdata[i], people[i]);
      sort_distinct (heard->pdata[i], people[i]);
      count_overlap (sent->pdata[i], heard->pdata[i], &both, &any);
    }
  *out = any > 0 ? (double) both / (double) any : NAN;
  return TRUE;
}

/* ---- literature.csv ------------------------------------------------------ */

static void
target_free (gpointer p)
{
  MlCalTarget *t = p;

  g_free (t->source);
  g_free (t);
}

/* LINE split into CSV fields ("" quotes, "" inside them); NULL when a
 * quote is left open. */
static GPtrArray *
csv_split (const char *line)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (quoted && p[0] == '"' && p[1] == '"')
        g_string_append_c (cur, *p++);
      else if (*p == '"')
        quoted = !quoted;
      else if (*p == ',' && !quoted)
        {
          g_ptr_array_add (fields, g_string_free (cur, FALSE));
          cur = g_string_new (NULL);
        }
      else if (*p != '\r')
        g_string_append_c (cur, *p);
    }
  g_ptr_array_add (fields, g_string_free (cur, FALSE));
  return quoted ? NULL : g_steal_pointer (&fields);
}

enum { COL_METRIC, COL_VALUE, COL_LOW, COL_HIGH, COL_SOURCE, N_COLS };

/* Column positions from the header FIELDS; metric and value are required. */
static gboolean
read_header (const GPtrArray *fields, int col[N_COLS], GError **error)
{
  static const char *const names[N_COLS] = { "metric", "value", "low", "high", "source" };

  for (int k = 0; k < N_COLS; k++)
    {
      col[k] = -1;
      for (guint i = 0; i < fields->len; i++)
        if (g_str_equal (g_strstrip ((char *) fields->pdata[i]), names[k]))
          col[k] = (int) i;
    }
  if (col[COL_METRIC] < 0 || col[COL_VALUE] < 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "header lacks the metric and value columns");
      return FALSE;
    }
  return TRUE;
}

static const char *
field (const GPtrArray *fields, int col)
{
  return col >= 0 && (guint) col < fields->len ? g_strstrip ((char *) fields->pdata[col]) : "";
}

/* TEXT as a number; "" is NAN. */
static gboolean
parse_number (const char *text, double *out, GError **error)
{
  char *end = NULL;

  if (*text == '\0')
    {
      *out = NAN;
      return TRUE;
    }
  *out = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "'%s' is not a number", text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_target (GHashTable *lit, const GPtrArray *fields, const int col[N_COLS], GError **error)
{
  MlCalTarget t = { NAN, NAN, NAN, NULL };
  const char *name = field (fields, col[COL_METRIC]);

  if (*name == '\0')
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "empty metric name");
      return FALSE;
    }
  if (!parse_number (field (fields, col[COL_VALUE]), &t.value, error)
      || !parse_number (field (fields, col[COL_LOW]), &t.low, error)
      || !parse_number (field (fields, col[COL_HIGH]), &t.high, error))
    return FALSE;
  t.source = *field (fields, col[COL_SOURCE]) ? g_strdup (field (fields, col[COL_SOURCE])) : NULL;
  g_hash_table_replace (lit, g_strdup (name), g_memdup2 (&t, sizeof t));
  return TRUE;
}

GHashTable *
ml_calibration_literature_load (const char *path, GError **error)
{
  g_autoptr(GHashTable) lit = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, target_free);
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  int col[N_COLS];
  gboolean header = FALSE;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: %s", path, local->message);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) fields = NULL;
      const char *line = lines[i] + strspn (lines[i], " \t\r");

      if (*line == '\0' || *line == '#')
        continue;
      if ((fields = csv_split (line)) == NULL)
        g_set_error (&local, ML_ERROR, ML_ERROR_INPUT, "unterminated quote");
      else if (!header)
        header = read_header (fields, col, &local);
      else
        add_target (lit, fields, col, &local);
      if (local != NULL)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s:%u: %s", path, i + 1, local->message);
          return NULL;
        }
    }
  if (!header)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no header line", path);
      return NULL;
    }
  return g_steal_pointer (&lit);
}

/* ---- JSON ---------------------------------------------------------------- */

static void
append_number (GString *j, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    g_string_append (j, "null");
  else
    g_string_append (j, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

static const char *
within_text (double v, double low, double high)
{
  if (isnan (low) && isnan (high))
    return "null";
  if (!isfinite (v))
    return "false";
  return (isnan (low) || v >= low) && (isnan (high) || v <= high) ? "true" : "false";
}

void
ml_calibration_append_metric (GString *j, const char *name, double value,
                              const MlCalTarget *t, const char *method)
{
  double target = t ? t->value : NAN, low = t ? t->low : NAN, high = t ? t->high : NAN;

  g_return_if_fail (j != NULL && name != NULL);
  g_string_append (j, j->len > 0 ? ",\n    " : "    ");
  ml_json_string (j, name);
  g_string_append (j, ": {\"value\": ");
  append_number (j, value);
  g_string_append (j, ", \"target\": ");
  append_number (j, target);
  g_string_append (j, ", \"low\": ");
  append_number (j, low);
  g_string_append (j, ", \"high\": ");
  append_number (j, high);
  g_string_append_printf (j, ", \"within\": %s, \"source\": ", within_text (value, low, high));
  if (t != NULL && t->source != NULL)
    ml_json_string (j, t->source);
  else
    g_string_append (j, "null");
  g_string_append (j, ", \"method\": ");
  ml_json_string (j, method);
  g_string_append_c (j, '}');
}

/* A metric whose target, if any, is literature.csv's row NAME. */
static void
metric (Cal *c, const char *name, double value, const char *method)
{
  ml_calibration_append_metric (c->metrics, name, value, g_hash_table_lookup (c->lit, name), method);
}

/* Start the distribution NAME: the separator and the key. */
static void
dist_key (Cal *c, const char *name)
{
  g_string_append (c->dists, c->dists->len > 0 ? ",\n    " : "    ");
  ml_json_string (c->dists, name);
  g_string_append (c->dists, ": ");
}

static void
dist_array (Cal *c, const char *name, const double *x, gsize n)
{
  dist_key (c, name);
  g_string_append_c (c->dists, '[');
  for (gsize i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (c->dists, ", ");
      append_number (c->dists, x[i]);
    }
  g_string_append_c (c->dists, ']');
}

/* {"p10", "p25", "p50", "p75", "p90"} of the sorted X[0..N). */
static void
dist_quantiles (Cal *c, const char *name, const double *x, gsize n)
{
  static const int pct[] = { 10, 25, 50, 75, 90 };

  dist_key (c, name);
  g_string_append_c (c->dists, '{');
  for (gsize i = 0; i < G_N_ELEMENTS (pct); i++)
    {
      g_string_append_printf (c->dists, "%s\"p%d\": ", i ? ", " : "", pct[i]);
      append_number (c->dists, quantile_sorted (x, n, pct[i] / 100.0));
    }
  g_string_append_c (c->dists, '}');
}

/* ---- sections ------------------------------------------------------------ */

static gboolean
graph_section (Cal *c, GError **error)
{
  MlGraphStats s;
  guint32 n_bins;
  g_autofree guint32 *hist = NULL;
  g_autofree double *h = NULL;
  gboolean rejected;

  if (!ml_socialgraph_stats (c->w, &s, error))
    return FALSE;
  rejected = s.powerlaw_p <= PLFIT_P_REJECT || s.powerlaw_alpha > PLFIT_ALPHA_MAX;
  metric (c, "degree_mean", s.mean_degree, "ties per person (ties undirected)");
  metric (c, "degree_median", s.median_degree, "median ties per person");
  metric (c, "degree_max", s.max_degree, "largest number of ties of a person");
  metric (c, "degree_cv", s.degree_cv, "standard deviation / mean of the degrees");
  metric (c, "clustering_global", s.clustering_global,
          "global transitivity, 3 x triangles / connected triples (igraph)");
  metric (c, "clustering_avg_local", s.clustering_avg_local,
          "mean local clustering, 0 for degree < 2 (igraph)");
  metric (c, "degree_assortativity", s.assortativity, "degree assortativity (Newman 2002, igraph)");
  metric (c, "degree_powerlaw_alpha", s.powerlaw_alpha,
          "discrete power-law fit of degrees >= 1 (Clauset, Shalizi & Newman 2009; igraph plfit)");
  metric (c, "degree_powerlaw_xmin", s.powerlaw_xmin, "xmin of the power-law fit");
  metric (c, "degree_powerlaw_p", s.powerlaw_p, "bootstrap p-value of the power-law fit");
  metric (c, "degree_powerlaw_rejected", rejected ? 1.0 : 0.0,
          "1 when the power law is rejected (p <= 0.1) or its alpha > 3.5, else 0");
  metric (c, "weight_reciprocity", s.weight_reciprocity, "share of ties with both directed weights > 0");
  metric (c, "weight_asymmetric", s.weight_asymmetric,
          "share of ties whose weaker direction is < 1/4 of the stronger");
  metric (c, "giant_component_share", c->w->n_people ? (double) s.giant_size / c->w->n_people : NAN,
          "people in the largest connected component / people");
  hist = ml_socialgraph_degree_histogram (c->w, &n_bins);
  h = g_new (double, n_bins);
  for (guint32 k = 0; k < n_bins; k++)
    h[k] = hist[k];
  dist_array (c, "degree_histogram", h, n_bins);
  return TRUE;
}

static gboolean
reciprocity_section (Cal *c, GError **error)
{
  gsize k = MIN (c->w->n_people, RECIPROCITY_SAMPLE);
  g_autofree guint32 *people = sample_people (c->w->n_people, k);
  double share = NAN;

  if (!ml_calibration_message_reciprocity (c->truth, people, k, &share, error))
    return FALSE;
  c->n_reciprocity = (guint32) k;
  metric (c, "message_reciprocity", share,
          "share of messaged pairs (messages_daily over the run) that went both ways, "
          "pairs of a fixed sample of people");
  return TRUE;
}

/* The traffic model of the run, built on the first call and kept in C:
 * both the burstiness and the radius of gyration regenerate messages.
 * NULL with ERROR set when it cannot be built. */
static const MlTraffic *
cal_traffic (Cal *c, GError **error)
{
  if (c->traffic == NULL)
    c->traffic = ml_traffic_new (c->w, error);
  return c->traffic;
}

/* B of the sorted send times TIMES, or NAN when they are fewer than
 * BURST_MIN_EVENTS. */
static double
times_burstiness (GArray *times)
{
  if (times->len < BURST_MIN_EVENTS)
    return NAN;
  qsort (times->data, times->len, sizeof (MlTime), compare_time);
  return ml_calibration_burstiness ((const MlTime *) times->data, times->len);
}

/* Append to TIMES the times of the N EVENTS that PERSON sends. */
static void
append_send_times (guint32 person, const MlMsgEvent *events, guint n, GArray *times)
{
  for (guint i = 0; i < n; i++)
    if (events[i].sender == person)
      g_array_append_val (times, events[i].ts);
}

/* B of the messages PERSON sends in the conversations they start, over the
 * whole run (regenerated exactly as the run drew them), or NAN when they
 * are fewer than BURST_MIN_EVENTS. */
static double
person_burstiness (const Cal *c, const MlTraffic *t, guint32 person, GArray *events, GArray *times)
{
  g_array_set_size (times, 0);
  for (int d = 0; d < c->sc->days; d++)
    {
      g_array_set_size (events, 0);
      ml_traffic_messages (t, c->w, person, c->sc->start + d, NULL, 0, events);
      append_send_times (person, (const MlMsgEvent *) events->data, events->len, times);
    }
  return times_burstiness (times);
}

/* The stays of a day, DAY_STAYS, appended to OUT with the coordinates of
 * their places (NAN for moves). */
static void
append_stays (const MlWorld *w, const GArray *day_stays, GArray *out)
{
  for (guint i = 0; i < day_stays->len; i++)
    {
      const MlStay *s = &g_array_index (day_stays, MlStay, i);
      gboolean known = s->place < w->n_places;
      MlCalStay cs = { s->start, s->end, known ? s->place : ML_NONE,
                       known ? w->places[s->place].lat : NAN, known ? w->places[s->place].lon : NAN };
      g_array_append_val (out, cs);
    }
}

/* Where the person is at each of the N EVENTS of a day whose stays are
 * DAY_STAYS, appended to OUT: the positions a call-detail record holds
 * (Gonzalez et al. 2008), one per message, all of the same weight.  The
 * messages at one stay are appended together as one entry lasting one
 * second per message, so that ml_calibration_gyration_km() weighs it by
 * their number, as it would the messages one by one, at a fraction of the
 * cost.  Moves have no position and are left out.  COUNT is scratch. */
static void
append_event_positions (const MlWorld *w, const GArray *day_stays, const MlMsgEvent *events, guint n,
                        GArray *count, GArray *out)
{
  const MlStay *stays = (const MlStay *) day_stays->data;

  g_array_set_size (count, day_stays->len);
  memset (count->data, 0, sizeof (guint32) * day_stays->len);
  for (guint i = 0; i < n; i++)
    g_array_index (count, guint32, ml_stay_at (stays, day_stays->len, events[i].ts) - stays)++;
  for (guint k = 0; k < day_stays->len; k++)
    {
      guint32 c = g_array_index (count, guint32, k), place = stays[k].place;
      MlCalStay cs;

      if (c == 0 || place >= w->n_places)
        continue;
      cs = (MlCalStay) { stays[k].start, stays[k].start + c, place, w->places[place].lat, w->places[place].lon };
      g_array_append_val (out, cs);
    }
}

/* Scratch and per-person output of regenerate_person(). */
typedef struct {
  GArray *day;            /* MlStay: the day's stays */
  GArray *events;         /* MlMsgEvent: the day's messages */
  GArray *stays;          /* MlCalStay: the run's stays */
  GArray *points;         /* MlCalStay: positions at the messages, one second a message */
  GArray *times;          /* MlTime: when the person sent */
  GArray *count;          /* guint32: scratch of append_event_positions() */
} Person;

static void
person_clear (Person *pe)
{
  g_clear_pointer (&pe->day, g_array_unref);
  g_clear_pointer (&pe->events, g_array_unref);
  g_clear_pointer (&pe->stays, g_array_unref);
  g_clear_pointer (&pe->points, g_array_unref);
  g_clear_pointer (&pe->times, g_array_unref);
  g_clear_pointer (&pe->count, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Person, person_clear)

/* PERSON's whole run regenerated into PE, day after day as the run drew
 * it (mobility.h: a person's days depend only on their own earlier days;
 * traffic.h: a person's messages of a day only on the person and the
 * day): the stays, the positions at the messages of the conversations
 * they start and of the replies to them, and the times they sent.
 * Returns the number of days they spent on a trip. */
static int
regenerate_person (const Cal *c, const MlTraffic *t, MlMobility *m, guint32 person, Person *pe)
{
  const MlWorld *w = c->w;
  int trip_days = 0;

  g_array_set_size (pe->stays, 0);
  g_array_set_size (pe->points, 0);
  g_array_set_size (pe->times, 0);
  for (int d = 0; d < c->sc->days; d++)
    {
      MlDay today = c->sc->start + d;
      const MlMsgEvent *ev;

      g_array_set_size (pe->day, 0);
      g_array_set_size (pe->events, 0);
      ml_mobility_day (m, w, person, today, pe->day);
      trip_days += ml_mobility_on_trip (m, w, person, today);
      append_stays (w, pe->day, pe->stays);
      ml_traffic_messages (t, w, person, today, (const MlStay *) pe->day->data, pe->day->len, pe->events);
      ev = (const MlMsgEvent *) pe->events->data;
      append_event_positions (w, pe->day, ev, pe->events->len, pe->count, pe->points);
      append_send_times (person, ev, pe->events->len, pe->times);
    }
  return trip_days;
}

/* Fold PE, the regenerated run of the sample's person I with TRIP_DAYS
 * days away, into C's sample: S(t), the radii of gyration, B. */
static void
sample_add (Cal *c, gsize i, Person *pe, int trip_days)
{
  Sample *sa = &c->sample;
  MlTime positions = 0;
  double r;

  sa->burst[i] = times_burstiness (pe->times);
  if (pe->stays->len == 0)
    return;
  sa->counted++;
  sa->travellers += trip_days > 0;
  ml_calibration_distinct_by_day ((const MlCalStay *) pe->stays->data, pe->stays->len, c->sc->start,
                                  c->sc->days, sa->s);
  if (!isnan (r = ml_calibration_gyration_km ((const MlCalStay *) pe->stays->data, pe->stays->len)))
    g_array_append_val (sa->rg_time, r);
  for (guint j = 0; j < pe->points->len; j++)   /* one second a message */
    positions += g_array_index (pe->points, MlCalStay, j).end - g_array_index (pe->points, MlCalStay, j).start;
  if (positions < RG_MIN_POSITIONS
      || isnan (r = ml_calibration_gyration_km ((const MlCalStay *) pe->points->data, pe->points->len)))
    return;
  g_array_append_val (sa->rg, r);
  if (trip_days == 0)
    g_array_append_val (sa->rg_no_trip, r);
}

/* One pass over the mobility sample (the first MOBILITY_SAMPLE people of
 * the sampling order) into C->sample: each person's stays and messages
 * regenerated with the mobility and traffic models, exactly as the run
 * drew them (truth.db's stays have no per-person index, a "stays = away"
 * run stores no stays at home or work, and truth.db keeps messages only
 * as daily counts).  B is kept per person so that the burstiness does not
 * regenerate the same messages again. */
static gboolean
sample_pass (Cal *c, GError **error)
{
  Sample *sa = &c->sample;
  const MlTraffic *t = cal_traffic (c, error);
  g_autoptr(MlMobility) m = ml_mobility_new (c->w);
  g_auto(Person) pe = { g_array_new (FALSE, FALSE, sizeof (MlStay)),
                        g_array_new (FALSE, FALSE, sizeof (MlMsgEvent)),
                        g_array_new (FALSE, FALSE, sizeof (MlCalStay)),
                        g_array_new (FALSE, FALSE, sizeof (MlCalStay)),
                        g_array_new (FALSE, FALSE, sizeof (MlTime)),
                        g_array_new (FALSE, FALSE, sizeof (guint32)) };

  if (t == NULL)
    return FALSE;
  sa->k = MIN (c->w->n_people, MOBILITY_SAMPLE);
  sa->people = sample_people (c->w->n_people, sa->k);
  sa->burst = g_new (double, MAX (sa->k, 1));
  sa->s = g_new0 (double, MAX (c->sc->days, 1));
  sa->rg = g_array_new (FALSE, FALSE, sizeof (double));
  sa->rg_time = g_array_new (FALSE, FALSE, sizeof (double));
  sa->rg_no_trip = g_array_new (FALSE, FALSE, sizeof (double));
  for (gsize i = 0; i < sa->k; i++)
    {
      sample_add (c, i, &pe, regenerate_person (c, t, m, sa->people[i], &pe));
      if (i % 64 == 63 && !ml_check_interrupted (error))
        return FALSE;
    }
  for (int d = 0; sa->counted > 0 && d < c->sc->days; d++)
    sa->s[d] /= sa->counted;
  sa->no_trip = ml_mobility_no_trip_probability (m, c->w, c->sc->days);
  return TRUE;
}

/* B of PERSON: from the sample pass when they are in the mobility sample,
 * else regenerated (person_burstiness()). */
static double
sample_burstiness (const Cal *c, const MlTraffic *t, guint32 person, GArray *events, GArray *times)
{
  const Sample *sa = &c->sample;
  const guint32 *hit = bsearch (&person, sa->people, sa->k, sizeof (guint32), compare_u32);

  return hit ? sa->burst[hit - sa->people] : person_burstiness (c, t, person, events, times);
}

static gboolean
burstiness_section (Cal *c, GError **error)
{
  const MlTraffic *t = cal_traffic (c, error);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (MlTime));
  g_autofree double *b = g_new (double, BURST_SAMPLE);
  guint64 tries = MIN ((guint64) c->w->n_people, (guint64) BURST_SAMPLE * BURST_TRIES);
  gsize k = 0;

  if (t == NULL)
    return FALSE;
  for (guint64 i = 0; i < tries && k < BURST_SAMPLE; i++)
    {
      double v = sample_burstiness (c, t, sample_person (c->w->n_people, i), events, times);
      if (!isnan (v))
        b[k++] = v;
      if (i % 64 == 63 && !ml_check_interrupted (error))
        return FALSE;
    }
  qsort (b, k, sizeof *b, compare_double);
  c->n_burst = (guint32) k;
  metric (c, "burstiness", quantile_sorted (b, k, 0.5),
          "median over people of B = (sigma - mu) / (sigma + mu) of the inter-event times of the "
          "messages each sends in the conversations they start (Goh & Barabasi 2008); "
          "fixed sample of people with >= 20 such messages, regenerated by the traffic model");
  dist_quantiles (c, "burstiness_quantiles", b, k);
  return TRUE;
}

/* The density of radii of gyration fitted by Gonzalez, Hidalgo & Barabasi
 * 2008 (Nature 453:779, data set D1), unnormalised:
 * P(rg) ~ (rg + 5.8 km)^-1.65 exp(-rg / 350 km). */
static double
gonzalez_density (double r)
{
  return pow (r + RG_FIT_R0_KM, -RG_FIT_BETA) * exp (-r / RG_FIT_KAPPA_KM);
}

/* The integral of gonzalez_density() over [A, B], 0 < A < B: Simpson's
 * rule with 64 panels in ln r (dr = r d ln r). */
static double
gonzalez_mass (double a, double b)
{
  enum { PANELS = 64 };
  double la = log (a), h = (log (b) - la) / PANELS, sum = 0.0;

  for (int i = 0; i <= PANELS; i++)
    {
      double x = exp (la + i * h), w = i == 0 || i == PANELS ? 1.0 : (i % 2 ? 4.0 : 2.0);
      sum += w * gonzalez_density (x) * x;
    }
  return sum * h / 3.0;
}

/* "rg_histogram_gonzalez": the counts the N_BINS bins of EDGES (as
 * dist_rg_histogram() makes them) would hold for N people under the
 * published fit, the last bin running to RG_FIT_MAX_KM: the published
 * shape next to the simulated one. */
static void
dist_rg_gonzalez (Cal *c, const double *edges, int n_bins, gsize n)
{
  g_autofree double *counts = g_new (double, n_bins);
  double total = 0.0;

  for (int i = 0; i < n_bins; i++)
    {
      double lo = i == 0 ? RG_FIRST_EDGE_KM * 1e-4 : edges[i];
      double hi = i == n_bins - 1 ? RG_FIT_MAX_KM : edges[i + 1];
      counts[i] = gonzalez_mass (lo, hi);
      if (i == 0)   /* [0, 1e-5 km): density ~ constant there */
        counts[i] += lo * gonzalez_density (0.0);
      total += counts[i];
    }
  for (int i = 0; i < n_bins; i++)
    counts[i] *= total > 0.0 ? (double) n / total : 0.0;
  dist_array (c, "rg_histogram_gonzalez", counts, n_bins);
}

/* The log-binned histogram of the sorted radii X[0..N): [0, 0.1 km), then
 * RG_BINS_PER_DECADE bins a decade; the last bin takes everything above. */
static void
dist_rg_histogram (Cal *c, const double *x, gsize n)
{
  enum { N_BINS = 1 + RG_BINS_PER_DECADE * RG_DECADES };
  double edges[N_BINS + 1], counts[N_BINS] = { 0 };

  edges[0] = 0.0;
  for (int i = 0; i < N_BINS; i++)
    edges[i + 1] = RG_FIRST_EDGE_KM * pow (10.0, (double) i / RG_BINS_PER_DECADE);
  for (gsize i = 0; i < n; i++)
    {
      int b = x[i] < RG_FIRST_EDGE_KM ? 0
              : 1 + (int) floor (RG_BINS_PER_DECADE * log10 (x[i] / RG_FIRST_EDGE_KM) + 1e-9);
      counts[CLAMP (b, 0, N_BINS - 1)] += 1.0;
    }
  dist_array (c, "rg_histogram_edges_km", edges, N_BINS + 1);
  dist_array (c, "rg_histogram_counts", counts, N_BINS);
  dist_rg_gonzalez (c, edges, N_BINS, n);
}

/* The median of the values X, sorted in place; NAN when there is none. */
static double
median_of (GArray *x)
{
  g_array_sort (x, compare_double);
  return quantile_sorted ((const double *) x->data, x->len, 0.5);
}

/* The share of the sample with a trip day, against the share the trip
 * model gives (1 - ml_mobility_no_trip_probability()) within
 * +-SHARE_TOLERANCE_SE binomial standard errors of the sample: a check
 * that the per-person trip rates deliver what they were configured with. */
static void
trip_share_metric (Cal *c)
{
  const Sample *sa = &c->sample;
  double n = MAX (sa->counted, 1), v = 1.0 - sa->no_trip;
  double p = CLAMP (v, 1.0 / n, 1.0 - 1.0 / n), se = sqrt (p * (1.0 - p) / n);
  MlCalTarget own = { v, MAX (0.0, v - SHARE_TOLERANCE_SE * se), MIN (1.0, v + SHARE_TOLERANCE_SE * se), NULL };

  own.source = g_strdup_printf ("the trip model: 1 - (1 + trips_per_year x T / k)^-k for gamma(k = %g) "
                                "per-person rates over T = %d days (docs/model/mobility.md); "
                                "tolerance +-3 binomial standard errors",
                                c->sc->trip_rate_shape, c->sc->days);
  ml_calibration_append_metric (c->metrics, "trip_people_share", sa->counted ? sa->travellers / n : NAN, &own,
                                "people of the mobility sample with at least one day on a trip "
                                "during the run / people of the sample");
  g_free (own.source);
}

static gboolean
mobility_section (Cal *c, GError **error)
{
  Sample *sa = &c->sample;

  (void) error;   /* measured by sample_pass() */
  c->n_mobility = sa->counted;
  metric (c, "epr_growth_mu", ml_calibration_growth_exponent (sa->s, c->sc->days),
          "least-squares slope of log S(t) on log t, t = 1 .. days, S(t) = mean over a fixed sample of "
          "people of the distinct places of their stays by day t; stays regenerated with the mobility model");
  metric (c, "rg_median_km", median_of (sa->rg),
          "median over a fixed sample of people of the radius of gyration (haversine) of their positions at "
          "the times of their messages, each message one sample, as call records sample positions "
          "(Gonzalez et al. 2008, data set D1); stays and messages regenerated with the mobility and "
          "traffic models");
  metric (c, "rg_median_km_no_trip", median_of (sa->rg_no_trip),
          "rg_median_km over the people of the sample without a day on a trip");
  metric (c, "rg_median_km_time_weighted", median_of (sa->rg_time),
          "median over the same sample of the radius of gyration of their stays weighted by duration "
          "(a continuously observed trajectory)");
  trip_share_metric (c);
  dist_array (c, "distinct_places_mean", sa->s, c->sc->days);
  dist_quantiles (c, "rg_quantiles_km", (const double *) sa->rg->data, sa->rg->len);
  dist_rg_histogram (c, (const double *) sa->rg->data, sa->rg->len);
  return TRUE;
}

/* The scenario's own share of category CAT as target of TARGET, within
 * +-SHARE_TOLERANCE_SE binomial standard errors of N people. */
static void
scenario_share_target (const Cal *c, int cat, MlCalTarget *target)
{
  double n = MAX (c->w->n_people, 1), v = c->sc->service_share[cat];
  double p = CLAMP (v, 1.0 / n, 1.0 - 1.0 / n), se = sqrt (p * (1.0 - p) / n);

  target->value = v;
  target->low = MAX (0.0, v - SHARE_TOLERANCE_SE * se);
  target->high = MIN (1.0, v + SHARE_TOLERANCE_SE * se);
  target->source = g_strdup_printf ("scenario [services] %s_share (assumption, no published figure); "
                                    "tolerance +-3 binomial standard errors",
                                    ml_category_name ((MlCategory) cat));
}

static gboolean
services_section (Cal *c, GError **error)
{
  guint32 counts[ML_N_CATEGORIES], n = c->w->n_people;

  if (!ml_calibration_category_people (c->truth, n, counts, error))
    return FALSE;
  for (int k = 0; k < ML_N_CATEGORIES; k++)
    {
      g_autofree char *name = NULL;
      const MlCalTarget *lit;
      MlCalTarget own = { NAN, NAN, NAN, NULL };

      if (!ml_category_is_sensitive ((MlCategory) k))
        continue;
      name = g_strconcat ("share_", ml_category_name ((MlCategory) k), NULL);
      if ((lit = g_hash_table_lookup (c->lit, name)) == NULL)
        scenario_share_target (c, k, &own);
      ml_calibration_append_metric (c->metrics, name, n ? (double) counts[k] / n : NAN,
                                    lit ? lit : &own,
                                    "people who contacted a service of the category at least once "
                                    "(service_contacts joined with services) / people");
      g_free (own.source);
    }
  return TRUE;
}

static gboolean
lookups_section (Cal *c, GError **error)
{
  g_autoptr(MlStmt) q = NULL;
  double by_cause[ML_N_CAUSES] = { 0 };
  double person_days = (double) c->w->n_people * c->sc->days;
  gint64 total;
  MlStep step;

  if (!ml_db_query_int64 (c->provider, "SELECT coalesce(max(rowid), 0) FROM lookup_log", &total, error)
      || (q = ml_db_prepare (c->truth, "SELECT cause, sum(n) FROM lookup_causes GROUP BY cause", error)) == NULL)
    return FALSE;
  while ((step = ml_stmt_step (q, error)) == ML_STEP_ROW)
    for (int k = 0; k < ML_N_CAUSES; k++)
      if (g_strcmp0 (ml_stmt_text (q, 0), ml_cause_name ((MlCause) k)) == 0)
        by_cause[k] = (double) ml_stmt_int64 (q, 1) / person_days;
  if (step == ML_STEP_ERROR)
    return FALSE;
  metric (c, "lookups_per_person_day", (double) total / person_days,
          "rows of provider.db's lookup_log (appended only: the largest rowid is the count) "
          "/ (people x days)");
  dist_key (c, "lookups_per_person_day_by_cause");
  for (int k = 0; k < ML_N_CAUSES; k++)
    {
      g_string_append_printf (c->dists, "%s\"%s\": ", k ? ", " : "{", ml_cause_name ((MlCause) k));
      append_number (c->dists, by_cause[k]);
    }
  g_string_append_c (c->dists, '}');
  return TRUE;
}

/* ---- the file ------------------------------------------------------------ */

static gboolean
measure (Cal *c, GError **error)
{
  return graph_section (c, error) && ml_check_interrupted (error)
         && reciprocity_section (c, error) && ml_check_interrupted (error)
         && sample_pass (c, error) && ml_check_interrupted (error)
         && burstiness_section (c, error) && ml_check_interrupted (error)
         && mobility_section (c, error) && ml_check_interrupted (error)
         && services_section (c, error) && lookups_section (c, error);
}

static GString *
assemble (const Cal *c)
{
  const MlScenario *sc = c->sc;
  g_autofree char *start = ml_day_format (sc->start);
  GString *j = g_string_new ("{\n  \"tool\": \"metaleak\",\n  \"version\": ");

  ml_json_string (j, PACKAGE_VERSION);
  g_string_append_printf (j, ",\n  \"seed\": %" G_GUINT64_FORMAT ",\n  \"people\": %u,\n"
                          "  \"days\": %d,\n  \"start\": \"%s\",\n  \"stays\": \"%s\",\n",
                          sc->seed, c->w->n_people, sc->days, start, sc->stays_all ? "all" : "away");
  g_string_append_printf (j, "  \"literature\": \"literature.csv\",\n"
                          "  \"samples\": {\"burstiness_people\": %u, \"mobility_people\": %u, "
                          "\"reciprocity_people\": %u},\n",
                          c->n_burst, c->n_mobility, c->n_reciprocity);
  g_string_append_printf (j, "  \"metrics\": {\n%s\n  },\n", c->metrics->str);
  g_string_append_printf (j, "  \"distributions\": {\n%s\n  }\n}\n", c->dists->str);
  return j;
}

static gboolean
open_inputs (Cal *c, const char *dir, GError **error)
{
  g_autofree char *lit = g_build_filename (ml_datadir (), "literature.csv", NULL);
  g_autofree char *truth = g_build_filename (dir, "truth.db", NULL);
  g_autofree char *provider = g_build_filename (dir, "provider.db", NULL);

  return (c->lit = ml_calibration_literature_load (lit, error)) != NULL
         && (c->truth = ml_db_open (truth, ML_DB_READONLY, error)) != NULL
         && ml_db_check_schema (c->truth, ML_SCHEMA_TRUTH, ML_SCHEMA_TRUTH_VERSION, error)
         && (c->provider = ml_db_open (provider, ML_DB_READONLY, error)) != NULL
         && ml_db_check_schema (c->provider, ML_SCHEMA_PROVIDER, ML_SCHEMA_PROVIDER_VERSION, error);
}

gboolean
ml_calibration_write (const MlWorld *w, const char *dir, GError **error)
{
  g_auto(Cal) c = { 0 };
  g_autoptr(GString) json = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (w != NULL && w->sc != NULL && dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  c.w = w;
  c.sc = w->sc;
  c.metrics = g_string_new (NULL);
  c.dists = g_string_new (NULL);
  if (!open_inputs (&c, dir, error) || !measure (&c, error))
    {
      g_prefix_error (error, "calibration: ");
      return FALSE;
    }
  json = assemble (&c);
  path = g_build_filename (dir, "calibration.json", NULL);
  return ml_write_file_atomic (path, json->str, (gssize) json->len, error);
}
