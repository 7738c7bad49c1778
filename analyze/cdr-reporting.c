/* cdr-reporting.c -- one user's full result: reporting keys, indicators, network.
 *
 * bandicoot's utils.all() returns, before the indicators, reporting
 * variables about the data and the options ("reporting__bins",
 * "reporting__ignored_records__datetime", ...).  This file produces the
 * meaningful ones (recharges and attributes are out of scope: always 0,
 * false or null), assembles the whole key list, and drives one user's
 * computation: network filtering first (it changes the records), then
 * reporting, indicators and network keys, in key order.
 *
 * Invariant: ml_cdr_keys() and ml_cdr_user_indicators() agree on the number
 * and order of values; a mismatch is a programming error (asserted).
 *
 * Workload: once per user; O(n).
 */

#include "analyze/cdr-private.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static const char *const reporting_names[] = {
  "antennas_path", "attributes_path", "recharges_path", "version", "groupby", "split_week",
  "split_day", "start_time", "end_time", "night_start", "night_end", "weekend",
  "number_of_records", "number_of_antennas", "number_of_recharges", "bins", "bins_with_data",
  "bins_without_data", "has_call", "has_text", "has_home", "has_recharges", "has_attributes",
  "has_network", "percent_records_missing_location", "antennas_missing_locations",
  "percent_outofnetwork_calls", "percent_outofnetwork_texts", "percent_outofnetwork_contacts",
  "percent_outofnetwork_call_durations",
  "ignored_records__all", "ignored_records__interaction", "ignored_records__location",
  "ignored_records__correspondent_id", "ignored_records__call_duration",
  "ignored_records__direction", "ignored_records__datetime",
};

/* The ignored_records__* counters in the order of reporting_names. */
static const MlCdrIgnored ignored_order[] = {
  ML_CDR_IGN_ALL, ML_CDR_IGN_INTERACTION, ML_CDR_IGN_LOCATION, ML_CDR_IGN_CORRESPONDENT,
  ML_CDR_IGN_DURATION, ML_CDR_IGN_DIRECTION, ML_CDR_IGN_DATETIME,
};

GPtrArray *
ml_cdr_keys (const MlCdrOptions *o)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (o != NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (reporting_names); i++)
    g_ptr_array_add (keys, g_strconcat ("reporting__", reporting_names[i], NULL));
  ml_cdr_indicator_keys (o, keys);
  if (o->network)
    {
      MlCdrOptions def;
      g_autoptr(GPtrArray) inner = g_ptr_array_new_with_free_func (g_free);
      ml_cdr_options_init (&def);
      ml_cdr_indicator_keys (&def, inner);
      g_ptr_array_add (keys, g_strdup ("clustering_coefficient_unweighted"));
      g_ptr_array_add (keys, g_strdup ("clustering_coefficient_weighted"));
      for (guint i = 0; i < inner->len; i++)
        g_ptr_array_add (keys, g_strconcat ("assortativity_indicators__", (char *) g_ptr_array_index (inner, i), NULL));
    }
  return keys;
}

static void
push (GArray *out, MlCdrValType type, gint64 i, double d, const char *s)
{
  MlCdrValue v = { type, { 0 } };

  if (type == ML_CDR_VAL_REAL)
    v.v.d = d;
  else if (type == ML_CDR_VAL_STRING)
    v.v.s = s;
  else
    v.v.i = i;
  g_array_append_val (out, v);
}

/* bins, bins_with_data: ISO weeks spanned and weeks with records (one bin
 * without grouping, bandicoot's group_records_with_padding). */
static void
count_bins (CdrCtx *ctx, gint64 *bins, gint64 *with_data)
{
  if (ctx->o->groupby == ML_CDR_GROUP_NONE)
    {
      *bins = 1;
      *with_data = ctx->n > 0;
      return;
    }
  *bins = ctx->n > 0 ? (ctx->monday[ctx->n - 1] - ctx->monday[0]) / 7 + 1 : 0;
  *with_data = 0;
  for (guint i = 0; i < ctx->n; i++)
    *with_data += i == 0 || ctx->monday[i] != ctx->monday[i - 1];
}

/* percent_records_missing_location and antennas_missing_locations. */
static void
missing_locations (CdrCtx *ctx, double *pct, gint64 *n_antennas)
{
  g_autofree guint8 *seen = g_new0 (guint8, ctx->user->antennas->len + 1);
  guint missing = 0;

  *n_antennas = 0;
  for (guint i = 0; i < ctx->n; i++)
    {
      gint32 a = ctx->r[i].antenna;
      missing += !g_array_index (ctx->positions, CdrPos, ctx->pos[i]).has_loc;
      if (a < 0 || seen[a])
        continue;
      seen[a] = 1;
      *n_antennas += !ctx->antenna_pos[a].has_loc;   /* the lookup ml_cdr_ctx_init made */
    }
  *pct = ctx->n > 0 ? (double) missing / ctx->n : 0.0;
}

static void
reporting_values (CdrCtx *ctx, const MlCdrAntennas *antennas, const char *antennas_path,
                  const CdrNetwork *net, GArray *out)
{
  const MlCdrOptions *o = ctx->o;
  gboolean has[3] = { FALSE, FALSE, FALSE };
  gint64 bins, with_data, n_missing;
  double pct;

  for (guint i = 0; i < ctx->n; i++)
    has[ctx->r[i].kind] = TRUE;
  count_bins (ctx, &bins, &with_data);
  missing_locations (ctx, &pct, &n_missing);
  push (out, antennas_path != NULL ? ML_CDR_VAL_STRING : ML_CDR_VAL_NULL, 0, 0, antennas_path);
  push (out, ML_CDR_VAL_NULL, 0, 0, NULL);
  push (out, ML_CDR_VAL_NULL, 0, 0, NULL);
  push (out, ML_CDR_VAL_STRING, 0, 0, "metaleak " PACKAGE_VERSION " (bandicoot " ML_CDR_BANDICOOT_VERSION ")");
  push (out, o->groupby == ML_CDR_GROUP_WEEK ? ML_CDR_VAL_STRING : ML_CDR_VAL_NULL, 0, 0, "week");
  push (out, ML_CDR_VAL_BOOL, o->split_week, 0, NULL);
  push (out, ML_CDR_VAL_BOOL, o->split_day, 0, NULL);
  push (out, ctx->n > 0 ? ML_CDR_VAL_DATETIME : ML_CDR_VAL_NULL, ctx->n > 0 ? ctx->r[0].t : 0, 0, NULL);
  push (out, ctx->n > 0 ? ML_CDR_VAL_DATETIME : ML_CDR_VAL_NULL, ctx->n > 0 ? ctx->r[ctx->n - 1].t : 0, 0, NULL);
  push (out, ML_CDR_VAL_CLOCK, o->night_start, 0, NULL);
  push (out, ML_CDR_VAL_CLOCK, o->night_end, 0, NULL);
  push (out, ML_CDR_VAL_WEEKDAYS, o->weekend, 0, NULL);
  push (out, ML_CDR_VAL_INT, ctx->n, 0, NULL);
  push (out, ML_CDR_VAL_INT, antennas != NULL && antennas->path != NULL ? antennas->ids->len : 0, 0, NULL);
  push (out, ML_CDR_VAL_INT, 0, 0, NULL);
  push (out, ML_CDR_VAL_INT, bins, 0, NULL);
  push (out, ML_CDR_VAL_INT, with_data, 0, NULL);
  push (out, ML_CDR_VAL_INT, bins - with_data, 0, NULL);
  push (out, ML_CDR_VAL_BOOL, has[ML_CDR_CALL], 0, NULL);
  push (out, ML_CDR_VAL_BOOL, has[ML_CDR_TEXT], 0, NULL);
  push (out, ML_CDR_VAL_BOOL, ml_cdr_home (ctx) >= 0, 0, NULL);
  push (out, ML_CDR_VAL_BOOL, FALSE, 0, NULL);
  push (out, ML_CDR_VAL_BOOL, FALSE, 0, NULL);
  push (out, ML_CDR_VAL_BOOL, net->has_network, 0, NULL);
  push (out, ML_CDR_VAL_REAL, 0, pct, NULL);
  push (out, ML_CDR_VAL_INT, n_missing, 0, NULL);
  for (int k = 0; k < 4; k++)
    push (out, ML_CDR_VAL_REAL, 0, net->oon[k], NULL);
  for (gsize k = 0; k < G_N_ELEMENTS (ignored_order); k++)
    push (out, ML_CDR_VAL_INT, (gint64) ctx->user->ignored[ignored_order[k]], 0, NULL);
}

GArray *
ml_cdr_user_indicators (MlCdrUser *user, const MlCdrAntennas *antennas, const char *antennas_path,
                        GHashTable *network, const MlCdrOptions *o)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlCdrValue));
  CdrNetwork net = { FALSE, { 0, 0, 0, 0 }, { ML_CDR_VAL_NULL, { 0 } }, { ML_CDR_VAL_NULL, { 0 } } };
  CdrCtx ctx;

  g_return_val_if_fail (user != NULL && o != NULL, NULL);
  if (o->network && network != NULL)
    ml_cdr_network_prepare (user, network, &net);
  ml_cdr_ctx_init (&ctx, user, antennas, o);
  reporting_values (&ctx, antennas, antennas_path, &net, out);
  ml_cdr_indicator_values (&ctx, out);
  ml_cdr_ctx_clear (&ctx);
  if (o->network)
    {
      g_array_append_val (out, net.clustering_unweighted);
      g_array_append_val (out, net.clustering_weighted);
      ml_cdr_network_assortativity (user, net.has_network ? network : NULL, antennas, o, out);
    }
  return out;
}
