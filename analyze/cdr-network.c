/* cdr-network.c -- --network: bandicoot's ego network of a user and its correspondents.
 *
 * bandicoot 0.6.0 (io._read_network, core.recompute_missing_neighbors,
 * network.py), when the correspondents' records files are present (here:
 * when they were imported into the same cdr.db):
 *  - reciprocity: every record of the ego, then of each loaded correspondent
 *    (by name), is kept only if the correspondent's records hold a match
 *    (same interaction and call duration, other direction, less than 30 s
 *    apart); records with correspondents not loaded are kept.  Users are
 *    filtered in turn, each against the others' current records;
 *  - percent_outofnetwork_{calls,texts,contacts,call_durations};
 *  - the interaction matrix over [ego] + sorted correspondents: the number
 *    of distinct half hours with a record from i to j, from i's records if
 *    i is loaded, else from j's incoming records, else unknown (None);
 *    undirected where reciprocated; clustering_coefficient_unweighted and
 *    _weighted (geometric mean of the triangle's weights over the largest
 *    weight) count the ego's closed triangles, skipping unknown edges;
 *  - assortativity_indicators: for each indicator (weekly, default summary),
 *    the mean squared difference between the ego and its reciprocated
 *    loaded correspondents, over those where both are defined.
 * The unknown (None) edges between correspondents that were not loaded make
 * this bandicoot's own arithmetic rather than a graph algorithm: igraph's
 * local transitivity has no notion of an unknown edge, so it is not used.
 *
 * Workload: per ego, O(n log n) for the reciprocity filter and O(k^2) in
 * its k correspondents for the matrices.
 */

#include <math.h>
#include <string.h>

#include "analyze/cdr-private.h"

typedef struct {
  MlCdrUser *ego;
  GPtrArray *names;        /* [ego] + sorted correspondents (borrowed strings) */
  GPtrArray *users;        /* same order: MlCdrUser * or NULL (not loaded); [0] = ego */
} Net;

static const char *
contact_name (const MlCdrUser *u, const MlCdrRecord *r)
{
  return r->contact >= 0 ? g_ptr_array_index (u->contacts, r->contact) : NULL;
}

/* Whether OTHER's records hold a match for R (core.Record.matches). */
static gboolean
has_match (const MlCdrRecord *r, const MlCdrUser *other)
{
  const MlCdrRecord *o = (const MlCdrRecord *) (gpointer) other->records->data;
  guint lo = 0, hi = other->records->len;

  while (lo < hi)   /* first record at or after r->t - 29 */
    {
      guint mid = (lo + hi) / 2;
      if (o[mid].t < r->t - 29)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo; i < other->records->len && o[i].t <= r->t + 29; i++)
    if (o[i].kind == r->kind && o[i].direction != r->direction && o[i].has_duration == r->has_duration
        && (!r->has_duration || o[i].duration == r->duration))
      return TRUE;
  return FALSE;
}

/* The user NAME refers to in NET: the ego, a loaded correspondent, or NULL
 * (not loaded, or not a correspondent of the ego: then always consistent). */
static const MlCdrUser *
lookup (const Net *net, const char *name)
{
  if (name == NULL)
    return NULL;
  if (g_str_equal (name, net->ego->name))
    return net->ego;
  for (guint i = 1; i < net->names->len; i++)
    if (g_str_equal (g_ptr_array_index (net->names, i), name))
      return g_ptr_array_index (net->users, i);
  return NULL;
}

static void
filter_user (const Net *net, MlCdrUser *u)
{
  GArray *kept = g_array_sized_new (FALSE, FALSE, sizeof (MlCdrRecord), u->records->len);

  for (guint i = 0; i < u->records->len; i++)
    {
      const MlCdrRecord *r = &g_array_index (u->records, MlCdrRecord, i);
      const MlCdrUser *c = lookup (net, contact_name (u, r));
      if (c == NULL || has_match (r, c))
        g_array_append_vals (kept, r, 1);
    }
  g_array_unref (u->records);
  u->records = kept;
}

static gint
name_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
net_init (Net *net, MlCdrUser *ego, GHashTable *neighbours)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  net->ego = ego;
  net->names = g_ptr_array_new ();
  net->users = g_ptr_array_new ();
  for (guint c = 0; c < ego->contacts->len; c++)
    if (!g_str_equal (g_ptr_array_index (ego->contacts, c), ego->name))
      g_ptr_array_add (sorted, g_ptr_array_index (ego->contacts, c));
  g_ptr_array_sort (sorted, name_cmp);
  g_ptr_array_add (net->names, ego->name);
  g_ptr_array_add (net->users, ego);
  for (guint i = 0; i < sorted->len; i++)
    {
      g_ptr_array_add (net->names, g_ptr_array_index (sorted, i));
      g_ptr_array_add (net->users, neighbours != NULL ? g_hash_table_lookup (neighbours, g_ptr_array_index (sorted, i)) : NULL);
    }
}

static void
net_clear (Net *net)
{
  g_ptr_array_unref (net->names);
  g_ptr_array_unref (net->users);
}

/* percent_outofnetwork_*: calls, texts, contacts, call durations. */
static void
out_of_network (const Net *net, double oon[4])
{
  const MlCdrUser *ego = net->ego;
  g_autoptr(GHashTable) all = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) out = g_hash_table_new (g_direct_hash, g_direct_equal);
  double n[4] = { 0, 0, 0, 0 }, o[4] = { 0, 0, 0, 0 };

  for (guint i = 0; i < ego->records->len; i++)
    {
      const MlCdrRecord *r = &g_array_index (ego->records, MlCdrRecord, i);
      gboolean missing = lookup (net, contact_name (ego, r)) == NULL || r->contact < 0;
      gpointer key = GINT_TO_POINTER (r->contact + 2);   /* -1 (None) is a correspondent too */
      n[0] += r->kind == ML_CDR_CALL, o[0] += missing && r->kind == ML_CDR_CALL;
      n[1] += r->kind == ML_CDR_TEXT, o[1] += missing && r->kind == ML_CDR_TEXT;
      n[3] += r->kind == ML_CDR_CALL ? r->duration : 0, o[3] += missing && r->kind == ML_CDR_CALL ? r->duration : 0;
      g_hash_table_add (all, key);
      if (missing)
        g_hash_table_add (out, key);
    }
  n[2] = g_hash_table_size (all), o[2] = g_hash_table_size (out);
  for (int k = 0; k < 4; k++)
    oon[k] = n[k] != 0 ? o[k] / n[k] : 0.0;
}

/* The number of distinct half hours of U's records with direction DIR to
 * each user of NET: into COUNT[j]. */
static void
half_hours (const Net *net, const MlCdrUser *u, int dir, gint64 *count)
{
  guint k = net->names->len;
  g_autofree gint64 *last = g_new (gint64, k);

  for (guint j = 0; j < k; j++)
    count[j] = 0, last[j] = G_MININT64;
  for (guint i = 0; i < u->records->len; i++)
    {
      const MlCdrRecord *r = &g_array_index (u->records, MlCdrRecord, i);
      const char *name = contact_name (u, r);
      gint64 block = r->t - ((r->t % 3600 + 3600) % 3600 % 60) - ((r->t % 3600 + 3600) % 3600 / 60 % 30) * 60;
      for (guint j = 0; name != NULL && r->direction == dir && j < k; j++)
        if (g_str_equal (g_ptr_array_index (net->names, j), name))
          {
            count[j] += block != last[j];   /* records are sorted: blocks arrive in order */
            last[j] = block;
            break;
          }
    }
}

#define UNKNOWN G_MININT64

/* bandicoot's matrix_undirected_weighted (interaction None): k x k. */
static gint64 *
undirected_matrix (const Net *net)
{
  guint k = net->names->len;
  g_autofree gint64 *out = g_new (gint64, (gsize) k * k);
  g_autofree gint64 *in = g_new (gint64, (gsize) k * k);
  gint64 *m = g_new (gint64, (gsize) k * k);

  for (guint i = 0; i < k; i++)
    {
      const MlCdrUser *u = g_ptr_array_index (net->users, i);
      if (u != NULL)
        half_hours (net, u, ML_CDR_DIR_OUT, out + (gsize) i * k), half_hours (net, u, ML_CDR_DIR_IN, in + (gsize) i * k);
      else
        for (guint j = 0; j < k; j++)
          out[(gsize) i * k + j] = in[(gsize) i * k + j] = j == i ? 0 : UNKNOWN;
    }
  for (guint a = 0; a < k; a++)
    for (guint b = 0; b < k; b++)
      {
        gint64 ab = out[(gsize) a * k + b] != UNKNOWN ? out[(gsize) a * k + b] : in[(gsize) b * k + a];
        gint64 ba = out[(gsize) b * k + a] != UNKNOWN ? out[(gsize) b * k + a] : in[(gsize) a * k + b];
        if (a != b && ab != UNKNOWN && ba != UNKNOWN && ab != 0 && ba != 0)
          m[(gsize) a * k + b] = ab + ba;
        else
          m[(gsize) a * k + b] = ab == UNKNOWN || ba == UNKNOWN ? UNKNOWN : 0;
      }
  return m;
}

static void
clustering (const Net *net, CdrNetwork *res)
{
  guint k = net->names->len, degree = 0;
  g_autofree gint64 *m = undirected_matrix (net);
  gint64 max = UNKNOWN;
  double closed = 0.0, weighted = 0.0;

  for (gsize i = 0; i < (gsize) k * k; i++)
    max = MAX (max, m[i]);
  for (guint b = 1; b < k; b++)
    degree += m[b] > 0;
  for (guint a = 1; a < k; a++)
    for (guint b = a + 1; b < k; b++)
      {
        gint64 ab = m[(gsize) a * k + b], ac = m[(gsize) a * k], bc = m[(gsize) b * k];
        if (ab == UNKNOWN || ac == UNKNOWN || bc == UNKNOWN || ab <= 0 || ac <= 0 || bc <= 0)
          continue;
        closed += 1.0;
        weighted += pow ((double) ab * ac * bc, 1.0 / 3.0) / max;
      }
  res->clustering_unweighted.type = res->clustering_weighted.type = ML_CDR_VAL_REAL;
  res->clustering_unweighted.v.d = degree > 1 ? 2 * closed / (degree * (degree - 1.0)) : 0.0;
  res->clustering_weighted.v.d = degree > 1 ? 2 * weighted / (degree * (degree - 1.0)) : 0.0;
  if (max == UNKNOWN)
    res->clustering_weighted.type = ML_CDR_VAL_NULL;
}

void
ml_cdr_network_prepare (MlCdrUser *ego, GHashTable *neighbours, CdrNetwork *res)
{
  Net net;

  net_init (&net, ego, neighbours);
  for (guint i = 0; i < net.users->len; i++)
    if (g_ptr_array_index (net.users, i) != NULL)
      filter_user (&net, g_ptr_array_index (net.users, i));
  res->has_network = net.names->len > 1;
  if (res->has_network)
    {
      out_of_network (&net, res->oon);
      clustering (&net, res);
    }
  net_clear (&net);
}

/* The default weekly indicator values of U as doubles (NAN for None). */
static double *
default_indicators (MlCdrUser *u, const MlCdrAntennas *antennas, const MlCdrOptions *def, guint *n)
{
  g_autoptr(GArray) v = g_array_new (FALSE, FALSE, sizeof (MlCdrValue));
  double *x;
  CdrCtx ctx;

  ml_cdr_ctx_init (&ctx, u, antennas, def);
  ml_cdr_indicator_values (&ctx, v);
  ml_cdr_ctx_clear (&ctx);
  x = g_new (double, v->len + 1);
  for (guint i = 0; i < v->len; i++)
    {
      const MlCdrValue *e = &g_array_index (v, MlCdrValue, i);
      x[i] = e->type == ML_CDR_VAL_REAL ? e->v.d : e->type == ML_CDR_VAL_INT ? (double) e->v.i : NAN;
    }
  *n = v->len;
  return x;
}

void
ml_cdr_network_assortativity (MlCdrUser *ego, GHashTable *neighbours, const MlCdrAntennas *antennas,
                              const MlCdrOptions *o, GArray *out)
{
  MlCdrOptions def;
  g_autofree double *mine = NULL, *sum = NULL, *count = NULL;
  g_autofree gint64 *m = NULL;
  guint n = 0;
  Net net;

  ml_cdr_options_init (&def);
  def.strict = o->strict;
  mine = default_indicators (ego, antennas, &def, &n);
  sum = g_new0 (double, n + 1), count = g_new0 (double, n + 1);
  net_init (&net, ego, neighbours);
  m = undirected_matrix (&net);
  for (guint j = 1; j < net.names->len; j++)
    {
      MlCdrUser *u = g_ptr_array_index (net.users, j);
      g_autofree double *theirs = NULL;
      guint nt;
      if (u == NULL || m[j] == 0)   /* not loaded, or not reciprocated */
        continue;
      theirs = default_indicators (u, antennas, &def, &nt);
      for (guint i = 0; i < n; i++)
        if (!isnan (mine[i]) && !isnan (theirs[i]))
          sum[i] += (mine[i] - theirs[i]) * (mine[i] - theirs[i]), count[i] += 1;
    }
  for (guint i = 0; i < n; i++)
    {
      MlCdrValue v = { count[i] > 0 ? ML_CDR_VAL_REAL : ML_CDR_VAL_NULL, { 0 } };
      v.v.d = count[i] > 0 ? sum[i] / count[i] : 0.0;
      g_array_append_val (out, v);
    }
  net_clear (&net);
}
