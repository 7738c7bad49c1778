/* legalcase.c -- the legal-process arithmetic: orders, windows, retention, coverage.
 *
 * See legalcase.h for the formulas and docs/analyze/legal.md for why they
 * are what they are.  Everything is in whole UTC days turned into half-open
 * MlWindows of seconds, so adjacent windows neither overlap nor leave a
 * second uncovered, and coverage totals are exact multiples of a day.
 *
 * Invariants: returned_k is a subset of nominal_k; positions are 0..n-1 in
 * array order; served_k increases with k when window + lag > 0.
 * Workload: called once per case and target; O(orders log orders).
 */

#include "analyze/legalcase.h"
#include "analyze/casefile.h"

/* The order at POSITION of C. */
static MlOrder
order_at (const MlCase *c, int position)
{
  MlDay served = c->first_service + position * (c->window_days + c->lag_days);
  MlWindow retained = ml_window_days (served - c->retention_days, c->retention_days);
  MlOrder o = { 0 };

  o.position = position;
  o.served = ml_day_start (served);
  o.expires = ml_day_start (served + c->window_days);
  if (c->mode == ML_MODE_PROSPECTIVE)
    {
      o.nominal = ml_window_days (served, c->window_days);
      o.returned = o.nominal;
      return o;
    }
  o.nominal = ml_window_days (served - c->window_days, c->window_days);
  if (!ml_window_intersect (&o.nominal, &retained, &o.returned))
    o.returned = (MlWindow) { o.nominal.end, o.nominal.end };   /* empty */
  return o;
}

GArray *
ml_legal_orders (const MlCase *c)
{
  GArray *orders;

  g_return_val_if_fail (c != NULL, NULL);
  g_return_val_if_fail (c->first_service != ML_CASE_SERVICE_AUTO, NULL);
  g_return_val_if_fail (c->window_days >= 1 && c->retention_days >= 1 && c->extensions >= 0, NULL);
  orders = g_array_sized_new (FALSE, FALSE, sizeof (MlOrder), (guint) c->extensions + 1);
  for (int k = 0; k <= c->extensions; k++)
    {
      MlOrder o = order_at (c, k);
      g_array_append_val (orders, o);
    }
  return orders;
}

void
ml_legal_coverage (GArray *orders, int n_windows, MlWindowSet *covered,
                   MlWindowSet *gaps, MlTime *lost_to_retention)
{
  g_auto(MlWindowSet) ret = { NULL };
  g_auto(MlWindowSet) nom = { NULL };
  MlWindow span = { 0, 0 };
  gboolean any = FALSE;

  g_return_if_fail (orders != NULL);
  ml_window_set_init (&ret);
  ml_window_set_init (&nom);
  for (guint i = 0; i < orders->len; i++)
    {
      const MlOrder *o = &g_array_index (orders, MlOrder, i);
      if (o->position >= n_windows)
        continue;
      ml_window_set_add (&ret, &o->returned);
      ml_window_set_add (&nom, &o->nominal);
      span.start = any ? MIN (span.start, o->nominal.start) : o->nominal.start;
      span.end = any ? MAX (span.end, o->nominal.end) : o->nominal.end;
      any = TRUE;
    }
  if (gaps != NULL)
    ml_window_set_gaps (&ret, &span, gaps);
  if (lost_to_retention != NULL)
    *lost_to_retention = ml_window_set_total (&nom) - ml_window_set_total (&ret);
  if (covered != NULL)
    {
      ml_window_set_clear (covered);
      *covered = ret;
      ret.w = NULL;
    }
}

int
ml_legal_window_of (GArray *orders, MlTime t)
{
  g_return_val_if_fail (orders != NULL, -1);
  for (guint i = 0; i < orders->len; i++)
    {
      const MlOrder *o = &g_array_index (orders, MlOrder, i);
      if (ml_window_contains (&o->returned, t))
        return o->position;
    }
  return -1;
}
