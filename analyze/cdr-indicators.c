/* cdr-indicators.c -- bandicoot's individual indicators and the per-user driver.
 *
 * Reproduces bandicoot 0.6.0's individual.py on one group of records (the
 * records of one ISO week, or all of them, after the part-of-week,
 * part-of-day and interaction filters), and utils.all(): which indicators,
 * in which order, under which flattened keys, and how groups are summarised
 * (groupby=None: the single group's value, None without records; weekly:
 * mean and population std across the weeks that have records, ignoring
 * None; SummaryStats: each of its fields summarised that way).
 *
 * Semantics kept from bandicoot, including its quirks:
 *  - a conversation is a run of texts with one correspondent, each less
 *    than conversation_gap (1 h) after the previous record; a call ends it;
 *  - response delays are in->out steps inside a conversation, > 0 only;
 *  - percent_pareto_* divide by the number of contacts (0.6.0);
 *  - balance_of_contacts is weighted: out(c) / all interactions.
 *
 * Workload: per user, O(n) per indicator and selection, on scratch buffers
 * sized once in the context; what several indicators read (a selection's
 * conversations, its contacts' counts) is computed once per selection.
 * Thread-safe across users.
 */

#include <string.h>

#include "analyze/cdr-private.h"

typedef gboolean (*ScalarFn) (CdrCtx *ctx, const gint32 *idx, guint m, double *out);
typedef void (*StatsFn) (CdrCtx *ctx, const gint32 *idx, guint m, CdrStats *out);
typedef gboolean (*SpatialFn) (CdrCtx *ctx, const gint32 *bins, guint n, double *out);

enum { I_CALL = 1, I_TEXT = 2, I_CALLANDTEXT = 4 };

/* ---- helpers over a group ---- */

static gboolean
extended (const CdrCtx *ctx)
{
  return ctx->o->summary == ML_CDR_SUMMARY_EXTENDED;
}

/* Distinct contacts of IDX[0..M) in first-seen order into ctx->order, their
 * counts into ctx->cbuf2, and into ctx->ibuf their call-duration sums
 * (DURATIONS) or their outgoing counts. */
static guint
count_contacts (CdrCtx *ctx, const gint32 *idx, guint m, gboolean durations)
{
  guint *seen = ctx->cbuf;
  guint d = 0;

  for (guint k = 0; k < m; k++)
    {
      const MlCdrRecord *r = &ctx->r[idx[k]];
      guint c = (guint) r->contact;
      if (seen[c] == 0)
        {
          ctx->order[d] = (gint32) c;
          ctx->cbuf2[d] = 0;
          ctx->ibuf[d] = 0;
          seen[c] = ++d;
        }
      ctx->cbuf2[seen[c] - 1]++;
      if (durations)
        ctx->ibuf[seen[c] - 1] += r->kind == ML_CDR_CALL ? r->duration : 0;
      else
        ctx->ibuf[seen[c] - 1] += r->direction == ML_CDR_DIR_OUT;
    }
  for (guint a = 0; a < d; a++)
    seen[ctx->order[a]] = 0;
  return d;
}

static gboolean
active_days (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  guint days = 0;

  for (guint k = 0; k < m; k++)
    days += k == 0 || ctx->day[idx[k]] != ctx->day[idx[k - 1]];
  *out = days;
  return TRUE;
}

void
ml_cdr_contacts_free (CdrContacts *c)
{
  if (c == NULL)
    return;
  g_free (c->cstart);
  g_free (c->count);
  g_free (c->out);
  g_free (c);
}

/* The contacts of the current group (ctx->cur_*): their number, and into
 * *COUNT and *OUT their interactions and outgoing interactions (borrowed).
 * The first call for a selection counts those of every group. */
static guint
current_contacts (CdrCtx *ctx, const guint **count, const gint64 **out)
{
  CdrContacts *cc = ctx->contacts[ctx->cur_pow][ctx->cur_pod][ctx->cur_sel];
  guint g = ctx->cur_group;

  if (cc == NULL)
    {
      const CdrSel *s = ml_cdr_select (ctx, ctx->cur_pow, ctx->cur_pod, ctx->cur_sel);
      cc = ctx->contacts[ctx->cur_pow][ctx->cur_pod][ctx->cur_sel] = g_new0 (CdrContacts, 1);
      cc->cstart = g_new (guint, s->n_groups + 1);
      cc->count = g_new (guint, s->n + 1);
      cc->out = g_new (gint64, s->n + 1);
      cc->cstart[0] = 0;
      for (guint k = 0; k < s->n_groups; k++)
        {
          guint d = count_contacts (ctx, s->idx + s->group_start[k], s->group_start[k + 1] - s->group_start[k], FALSE);
          memcpy (cc->count + cc->cstart[k], ctx->cbuf2, d * sizeof (guint));
          memcpy (cc->out + cc->cstart[k], ctx->ibuf, d * sizeof (gint64));
          cc->cstart[k + 1] = cc->cstart[k] + d;
        }
    }
  *count = cc->count + cc->cstart[g];
  *out = cc->out + cc->cstart[g];
  return cc->cstart[g + 1] - cc->cstart[g];
}

static gboolean
number_of_contacts (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  const guint *count;
  const gint64 *nout;

  (void) idx, (void) m;
  *out = current_contacts (ctx, &count, &nout);
  return TRUE;
}

static void
call_duration (CdrCtx *ctx, const gint32 *idx, guint m, CdrStats *out)
{
  for (guint k = 0; k < m; k++)
    ctx->dbuf[k] = (double) ctx->r[idx[k]].duration;
  ml_cdr_stats (ctx->dbuf, m, extended (ctx), out);
}

static gboolean
percent_nocturnal (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  guint night = 0;

  for (guint k = 0; k < m; k++)
    night += ctx->night[idx[k]];
  *out = m > 0 ? (double) night / m : 0.0;
  return TRUE;
}

static gboolean
percent_initiated_interactions (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  guint init = 0;

  for (guint k = 0; k < m; k++)
    init += ctx->r[idx[k]].direction == ML_CDR_DIR_OUT;
  *out = m > 0 ? (double) init / m : 0.0;
  return TRUE;
}

/* ---- conversations ---- */

typedef struct {
  guint started;     /* conversations */
  guint initiated;   /* ... whose first text is outgoing */
  guint received;    /* ... whose first text is incoming */
  guint responded;   /* ... of those, with an outgoing text */
  guint n_delays;    /* response delays written to ctx->dbuf */
} Conversations;

/* Account for the conversation CONV[0..N) (record indices, texts). */
static void
conversation_end (CdrCtx *ctx, const gint32 *conv, guint n, Conversations *c)
{
  gboolean any_out = FALSE;

  if (n == 0)
    return;
  c->started++;
  c->initiated += ctx->r[conv[0]].direction == ML_CDR_DIR_OUT;
  for (guint k = 0; k < n; k++)
    {
      any_out |= ctx->r[conv[k]].direction == ML_CDR_DIR_OUT;
      if (k > 0 && ctx->r[conv[k]].direction == ML_CDR_DIR_OUT && ctx->r[conv[k - 1]].direction == ML_CDR_DIR_IN
          && ctx->r[conv[k]].t - ctx->r[conv[k - 1]].t > 0)
        ctx->dbuf[c->n_delays++] = (double) (ctx->r[conv[k]].t - ctx->r[conv[k - 1]].t);
    }
  if (ctx->r[conv[0]].direction == ML_CDR_DIR_IN)
    {
      c->received++;
      c->responded += any_out;
    }
}

/* bandicoot's _conversations() over one correspondent's records SEQ[0..N)
 * in time order.  Texts are gathered in place at the front of SEQ. */
static void
conversations_of (CdrCtx *ctx, gint32 *seq, guint n, Conversations *c)
{
  gint64 gap = ctx->o->conversation_gap;
  guint len = 0, start = 0;

  for (guint k = 0; k < n; k++)
    {
      const MlCdrRecord *r = &ctx->r[seq[k]];
      gboolean text = r->kind == ML_CDR_TEXT;
      gboolean close = k == 0 || r->t - ctx->r[seq[k - 1]].t < gap;

      if (!close || !text)
        {
          conversation_end (ctx, seq + start, len, c);
          start = k, len = 0;
        }
      if (text)
        {
          if (len == 0)
            start = k;
          seq[start + len++] = seq[k];
        }
    }
  conversation_end (ctx, seq + start, len, c);
}

/* Every conversation of the group IDX[0..M): records are stably sorted by
 * correspondent (a counting sort into ctx->order), then scanned. */
static void
conversations (CdrCtx *ctx, const gint32 *idx, guint m, Conversations *c)
{
  guint nc = ctx->user->contacts->len;
  guint *off = ctx->cbuf;
  guint pos = 0;

  memset (c, 0, sizeof *c);
  memset (off, 0, (nc + 1) * sizeof *off);
  for (guint k = 0; k < m; k++)
    off[ctx->r[idx[k]].contact + 1]++;
  for (guint i = 0; i < nc; i++)
    off[i + 1] += off[i];
  for (guint k = 0; k < m; k++)
    ctx->order[off[ctx->r[idx[k]].contact]++] = idx[k];
  memset (off, 0, (nc + 1) * sizeof *off);
  while (pos < m)
    {
      guint end = pos + 1;
      while (end < m && ctx->r[ctx->order[end]].contact == ctx->r[ctx->order[pos]].contact)
        end++;
      conversations_of (ctx, ctx->order + pos, end - pos, c);
      pos = end;
    }
}

void
ml_cdr_conv_free (CdrConv *c)
{
  if (c == NULL)
    return;
  g_free (c->counts);
  g_free (c->dstart);
  g_free (c->delays);
  g_free (c);
}

/* The conversations of the current group (ctx->cur_*), computing those of
 * every group of its selection on first use. */
static const guint *
current_conversations (CdrCtx *ctx, const double **delays, guint *n_delays)
{
  CdrConv *cv = ctx->conv[ctx->cur_pow][ctx->cur_pod];
  guint g = ctx->cur_group;

  if (cv == NULL)
    {
      const CdrSel *s = ml_cdr_select (ctx, ctx->cur_pow, ctx->cur_pod, SEL_CALLANDTEXT);
      cv = ctx->conv[ctx->cur_pow][ctx->cur_pod] = g_new0 (CdrConv, 1);
      cv->counts = g_new (guint, 4 * s->n_groups + 1);
      cv->dstart = g_new (guint, s->n_groups + 1);
      cv->delays = g_new (double, s->n + 1);
      cv->dstart[0] = 0;
      for (guint k = 0; k < s->n_groups; k++)
        {
          Conversations c;
          conversations (ctx, s->idx + s->group_start[k], s->group_start[k + 1] - s->group_start[k], &c);
          cv->counts[4 * k] = c.started, cv->counts[4 * k + 1] = c.initiated;
          cv->counts[4 * k + 2] = c.received, cv->counts[4 * k + 3] = c.responded;
          memcpy (cv->delays + cv->dstart[k], ctx->dbuf, c.n_delays * sizeof (double));
          cv->dstart[k + 1] = cv->dstart[k] + c.n_delays;
        }
    }
  *delays = cv->delays + cv->dstart[g];
  *n_delays = cv->dstart[g + 1] - cv->dstart[g];
  return cv->counts + 4 * g;
}

static gboolean
percent_initiated_conversations (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  const double *delays;
  guint nd;
  const guint *c = current_conversations (ctx, &delays, &nd);

  (void) idx, (void) m;
  *out = c[0] > 0 ? (double) c[1] / c[0] : 0.0;
  return TRUE;
}

static void
response_delay_text (CdrCtx *ctx, const gint32 *idx, guint m, CdrStats *out)
{
  const double *delays;
  guint nd;

  (void) idx, (void) m;
  current_conversations (ctx, &delays, &nd);
  memcpy (ctx->dbuf, delays, nd * sizeof (double));
  ml_cdr_stats (ctx->dbuf, nd, extended (ctx), out);
}

static gboolean
response_rate_text (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  const double *delays;
  guint nd;
  const guint *c = current_conversations (ctx, &delays, &nd);

  (void) idx;
  if (m == 0 || c[2] == 0)
    return FALSE;
  *out = (double) c[3] / c[2];
  return TRUE;
}

/* ---- contacts ---- */

static gboolean
entropy_of_contacts (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  const guint *count;
  const gint64 *nout;
  guint d = current_contacts (ctx, &count, &nout);

  (void) idx, (void) m;
  *out = ml_cdr_entropy (count, d);
  return TRUE;
}

static void
balance_of_contacts (CdrCtx *ctx, const gint32 *idx, guint m, CdrStats *out)
{
  const guint *count;
  const gint64 *nout;
  guint d = current_contacts (ctx, &count, &nout);

  (void) idx;
  for (guint a = 0; a < d; a++)
    ctx->dbuf[a] = (double) nout[a] / m;
  ml_cdr_stats (ctx->dbuf, d, extended (ctx), out);
}

static void
interactions_per_contact (CdrCtx *ctx, const gint32 *idx, guint m, CdrStats *out)
{
  const guint *count;
  const gint64 *nout;
  guint d = current_contacts (ctx, &count, &nout);

  (void) idx, (void) m;
  for (guint a = 0; a < d; a++)
    ctx->dbuf[a] = count[a];
  ml_cdr_stats (ctx->dbuf, d, extended (ctx), out);
}

static void
interevent_time (CdrCtx *ctx, const gint32 *idx, guint m, CdrStats *out)
{
  for (guint k = 1; k < m; k++)
    ctx->dbuf[k - 1] = (double) (ctx->r[idx[k]].t - ctx->r[idx[k - 1]].t);
  ml_cdr_stats (ctx->dbuf, m > 0 ? m - 1 : 0, extended (ctx), out);
}

static gboolean
percent_pareto_interactions (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  const guint *count;
  const gint64 *nout;
  guint d = current_contacts (ctx, &count, &nout);

  (void) idx;
  if (m == 0)
    return FALSE;
  for (guint a = 0; a < d; a++)
    ctx->ibuf[a] = count[a];
  *out = (double) ml_cdr_pareto_count (ctx->ibuf, d, 0.8) / d;
  return TRUE;
}

static gboolean
percent_pareto_durations (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  guint d = count_contacts (ctx, idx, m, TRUE);

  if (m == 0)
    return FALSE;
  *out = (double) ml_cdr_pareto_count (ctx->ibuf, d, 0.8) / d;
  return TRUE;
}

static gboolean
number_of_interactions (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  (void) ctx, (void) idx;
  *out = m;
  return TRUE;
}

static gboolean
count_direction (CdrCtx *ctx, const gint32 *idx, guint m, int dir, double *out)
{
  guint c = 0;

  for (guint k = 0; k < m; k++)
    c += ctx->r[idx[k]].direction == dir;
  *out = c;
  return TRUE;
}

static gboolean
number_of_interaction_in (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  return count_direction (ctx, idx, m, ML_CDR_DIR_IN, out);
}

static gboolean
number_of_interaction_out (CdrCtx *ctx, const gint32 *idx, guint m, double *out)
{
  return count_direction (ctx, idx, m, ML_CDR_DIR_OUT, out);
}

/* ---- the indicators of utils.all(), in its order ---- */

typedef struct {
  const char *name;    /* bandicoot's function name: the key's first part */
  guint inter;         /* I_*: the interactions it is split by; 0: spatial */
  gboolean is_int;     /* a count, printed as an integer when not aggregated */
  ScalarFn scalar;     /* exactly one of the three */
  StatsFn stats;
  SpatialFn spatial;
} Indicator;

static const Indicator indicators[] = {
  { "active_days", I_CALLANDTEXT, TRUE, active_days, NULL, NULL },
  { "number_of_contacts", I_CALL | I_TEXT, TRUE, number_of_contacts, NULL, NULL },
  { "call_duration", I_CALL, FALSE, NULL, call_duration, NULL },
  { "percent_nocturnal", I_CALL | I_TEXT, FALSE, percent_nocturnal, NULL, NULL },
  { "percent_initiated_conversations", I_CALLANDTEXT, FALSE, percent_initiated_conversations, NULL, NULL },
  { "percent_initiated_interactions", I_CALL, FALSE, percent_initiated_interactions, NULL, NULL },
  { "response_delay_text", I_CALLANDTEXT, FALSE, NULL, response_delay_text, NULL },
  { "response_rate_text", I_CALLANDTEXT, FALSE, response_rate_text, NULL, NULL },
  { "entropy_of_contacts", I_CALL | I_TEXT, FALSE, entropy_of_contacts, NULL, NULL },
  { "balance_of_contacts", I_CALL | I_TEXT, FALSE, NULL, balance_of_contacts, NULL },
  { "interactions_per_contact", I_CALL | I_TEXT, FALSE, NULL, interactions_per_contact, NULL },
  { "interevent_time", I_CALL | I_TEXT, FALSE, NULL, interevent_time, NULL },
  { "percent_pareto_interactions", I_CALL | I_TEXT, FALSE, percent_pareto_interactions, NULL, NULL },
  { "percent_pareto_durations", I_CALL, FALSE, percent_pareto_durations, NULL, NULL },
  { "number_of_interactions", I_CALL | I_TEXT, TRUE, number_of_interactions, NULL, NULL },
  { "number_of_interaction_in", I_CALL | I_TEXT, TRUE, number_of_interaction_in, NULL, NULL },
  { "number_of_interaction_out", I_CALL | I_TEXT, TRUE, number_of_interaction_out, NULL, NULL },
  { "number_of_antennas", 0, TRUE, NULL, NULL, ml_cdr_number_of_antennas },
  { "entropy_of_antennas", 0, FALSE, NULL, NULL, ml_cdr_entropy_of_antennas },
  { "percent_at_home", 0, FALSE, NULL, NULL, ml_cdr_percent_at_home },
  { "radius_of_gyration", 0, FALSE, NULL, NULL, ml_cdr_radius_of_gyration },
  { "frequent_antennas", 0, TRUE, NULL, NULL, ml_cdr_frequent_antennas },
};

static const struct { guint bit; int sel; const char *name; } interactions[] = {
  { I_CALL, SEL_CALL, "call" },
  { I_TEXT, SEL_TEXT, "text" },
  { I_CALLANDTEXT, SEL_CALLANDTEXT, "callandtext" },
};

static int
n_parts (gboolean split)
{
  return split ? 3 : 1;
}

static int
n_stats (const MlCdrOptions *o)
{
  return o->summary == ML_CDR_SUMMARY_EXTENDED ? ST_N : 2;
}

/* A scalar's keys: BASE, or BASE__mean and BASE__std when weekly. */
static void
scalar_keys (const MlCdrOptions *o, GPtrArray *keys, const char *base)
{
  if (o->groupby == ML_CDR_GROUP_NONE)
    g_ptr_array_add (keys, g_strdup (base));
  else
    {
      g_ptr_array_add (keys, g_strconcat (base, "__mean", NULL));
      g_ptr_array_add (keys, g_strconcat (base, "__std", NULL));
    }
}

static void
indicator_keys (const MlCdrOptions *o, const Indicator *ind, int pow, int pod, GPtrArray *keys)
{
  g_autofree char *base = g_strdup_printf ("%s__%s__%s", ind->name, ml_cdr_pow_names[pow], ml_cdr_pod_names[pod]);

  if (ind->inter == 0)
    {
      scalar_keys (o, keys, base);
      return;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (interactions); i++)
    {
      g_autofree char *key = NULL;
      if (!(ind->inter & interactions[i].bit))
        continue;
      key = g_strconcat (base, "__", interactions[i].name, NULL);
      if (ind->scalar != NULL)
        scalar_keys (o, keys, key);
      for (int st = 0; ind->stats != NULL && st < n_stats (o); st++)
        {
          g_autofree char *sk = g_strconcat (key, "__", ml_cdr_stat_names[st], NULL);
          scalar_keys (o, keys, sk);
        }
    }
}

void
ml_cdr_indicator_keys (const MlCdrOptions *o, GPtrArray *keys)
{
  for (gsize i = 0; i < G_N_ELEMENTS (indicators); i++)
    for (int w = 0; w < n_parts (o->split_week); w++)
      for (int d = 0; d < n_parts (o->split_day); d++)
        indicator_keys (o, &indicators[i], w, d, keys);
  g_ptr_array_add (keys, g_strdup ("churn_rate__mean"));
  g_ptr_array_add (keys, g_strdup ("churn_rate__std"));
}

static void
push_null (GArray *out)
{
  MlCdrValue v = { ML_CDR_VAL_NULL, { 0 } };

  g_array_append_val (out, v);
}

static void
push_real (GArray *out, double d)
{
  MlCdrValue v = { ML_CDR_VAL_REAL, { 0 } };

  v.v.d = d;
  g_array_append_val (out, v);
}

static void
push_int (GArray *out, gint64 i)
{
  MlCdrValue v = { ML_CDR_VAL_INT, { 0 } };

  v.v.i = i;
  g_array_append_val (out, v);
}

/* Summarise per-group values X[0..N) (DEFINED[g]: not None): the single
 * group's value, or mean and std over the defined ones when weekly. */
static void
push_summary (const MlCdrOptions *o, GArray *out, double *x, const gboolean *defined, guint n, gboolean is_int)
{
  double mean, std;
  guint m = 0;

  if (o->groupby == ML_CDR_GROUP_NONE)
    {
      if (n == 0 || !defined[0])
        push_null (out);
      else if (is_int)
        push_int (out, (gint64) x[0]);
      else
        push_real (out, x[0]);
      return;
    }
  for (guint g = 0; g < n; g++)
    if (defined[g])
      x[m++] = x[g];
  if (ml_cdr_mean_std (x, m, &mean, &std))
    push_real (out, mean), push_real (out, std);
  else
    push_null (out), push_null (out);
}

/* The values of a scalar or spatial indicator over the groups of a selection. */
static void
scalar_values (CdrCtx *ctx, const Indicator *ind, int pow, int pod, int sel, GArray *out)
{
  const CdrSel *s = ind->inter != 0 ? ml_cdr_select (ctx, pow, pod, sel) : NULL;
  const CdrBins *b = ind->inter == 0 ? ml_cdr_bins (ctx, pow, pod) : NULL;
  guint ng = s != NULL ? s->n_groups : b->n_groups;
  double *x = ctx->gx;
  gboolean *defined = ctx->gdef;

  g_assert (ng <= ctx->n + 1);
  ctx->cur_pow = pow, ctx->cur_pod = pod, ctx->cur_sel = sel;
  for (guint g = 0; g < ng && (ctx->cur_group = g, TRUE); g++)
    defined[g] = s != NULL
      ? ind->scalar (ctx, s->idx + s->group_start[g], s->group_start[g + 1] - s->group_start[g], &x[g])
      : ind->spatial (ctx, b->pos + b->group_start[g], b->group_start[g + 1] - b->group_start[g], &x[g]);
  push_summary (ctx->o, out, x, defined, ng, ind->is_int);
}

static void
stats_values (CdrCtx *ctx, const Indicator *ind, int pow, int pod, int sel, GArray *out)
{
  const CdrSel *s = ml_cdr_select (ctx, pow, pod, sel);
  guint ng = s->n_groups;
  CdrStats *st = ctx->gstats;
  double *x = ctx->gx;
  gboolean *defined = ctx->gdef;

  g_assert (ng <= ctx->n + 1);
  ctx->cur_pow = pow, ctx->cur_pod = pod, ctx->cur_sel = sel;
  for (guint g = 0; g < ng && (ctx->cur_group = g, TRUE); g++)
    ind->stats (ctx, s->idx + s->group_start[g], s->group_start[g + 1] - s->group_start[g], &st[g]);
  for (int k = 0; k < n_stats (ctx->o); k++)
    {
      for (guint g = 0; g < ng; g++)
        x[g] = st[g].v[k], defined[g] = st[g].ok;
      push_summary (ctx->o, out, x, defined, ng, FALSE);
    }
}

void
ml_cdr_indicator_values (CdrCtx *ctx, GArray *out)
{
  double mean, std;

  for (gsize i = 0; i < G_N_ELEMENTS (indicators); i++)
    for (int w = 0; w < n_parts (ctx->o->split_week); w++)
      for (int d = 0; d < n_parts (ctx->o->split_day); d++)
        {
          const Indicator *ind = &indicators[i];
          if (ind->inter == 0)
            scalar_values (ctx, ind, w, d, SEL_ALL, out);
          for (gsize k = 0; k < G_N_ELEMENTS (interactions); k++)
            if (ind->inter & interactions[k].bit)
              (ind->scalar != NULL ? scalar_values : stats_values) (ctx, ind, w, d, interactions[k].sel, out);
        }
  if (ctx->n > 0 && ml_cdr_churn_rate (ctx, &mean, &std))
    push_real (out, mean), push_real (out, std);
  else
    push_null (out), push_null (out);
}
