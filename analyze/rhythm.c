/* rhythm.c -- the target's weekly rhythm and sleep window.
 *
 * The target's own lookups (pen-register rows) counted by ISO weekday and
 * UTC hour (the simulation's clock; a real case would shift by the
 * target's time zone).  Messaging follows a daily cycle with a deep trough
 * at night (Jo, Karsai, Kertesz & Kaski, New J. Phys. 14:013055, 2012);
 * the sleep window is that trough: the quietest circular stretch of
 * SLEEP_MIN_H hours (least activity summed over the week, the earliest
 * start on a tie), then widened one hour at a time on its quieter side
 * while that hour holds at most QUIET_SHARE of the mean hourly activity,
 * up to SLEEP_MAX_H hours.  Its confidence is 1 minus the share of the
 * activity inside it.  With fewer than MIN_LOOKUPS lookups the window is
 * unknown (-1).
 *
 * Workload: once per target and window count; linear in the target's rows,
 * plus 24 x 24 steps for the window.
 */
#include <string.h>

#include "analyze/infer.h"

#define SLEEP_MIN_H 5           /* the brief's shortest sleep window */
#define SLEEP_MAX_H 12          /* assumption: a longer trough is sparse data, not sleep */
#define QUIET_SHARE 0.25        /* assumption: "quiet" is a quarter of the mean hour */
#define MIN_LOOKUPS 24          /* assumption: one lookup an hour on average to place a trough */

/* Lookups in the LEN hours from START (circular). */
static guint32
stretch_sum (const guint32 hourly[24], int start, int len)
{
  guint32 sum = 0;

  for (int i = 0; i < len; i++)
    sum += hourly[(start + i) % 24];
  return sum;
}

/* The quietest SLEEP_MIN_H-hour stretch, widened while its neighbours are
 * quiet; writes its start and length. */
static void
find_sleep (const guint32 hourly[24], guint32 total, int *start, int *len)
{
  double quiet = QUIET_SHARE * total / 24.0;
  guint32 best = G_MAXUINT32;

  *start = 0;
  for (int s = 0; s < 24; s++)
    {
      guint32 sum = stretch_sum (hourly, s, SLEEP_MIN_H);
      if (sum < best)
        {
          best = sum;
          *start = s;
        }
    }
  *len = SLEEP_MIN_H;
  while (*len < SLEEP_MAX_H)
    {
      guint32 left = hourly[(*start + 23) % 24], right = hourly[(*start + *len) % 24];
      if (MIN (left, right) > quiet)
        break;
      if (left <= right)
        *start = (*start + 23) % 24;
      (*len)++;
    }
}

void
ml_infer_rhythm (const MlEvidence *ev, gint64 target, int n_windows, MlRhythm *out)
{
  g_return_if_fail (ev != NULL && out != NULL);
  const GArray *rows = ml_evidence_rows_of (ev, target);
  guint32 hourly[24] = { 0 };
  int start = 0, len = 0;

  memset (out, 0, sizeof *out);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (rows, guint, i));
      if (r->source != target || !ml_ev_in_windows (r, n_windows))
        continue;
      out->counts[ml_weekday (ml_day_of (r->ts)) - 1][ml_hour_of_day (r->ts)]++;
      hourly[ml_hour_of_day (r->ts)]++;
      out->total++;
    }
  out->sleep_start_h = out->sleep_end_h = -1;
  if (out->total < MIN_LOOKUPS)
    return;
  find_sleep (hourly, out->total, &start, &len);
  out->sleep_start_h = start;
  out->sleep_end_h = (start + len) % 24;
  out->sleep_confidence = 1.0 - (double) stretch_sum (hourly, start, len) / out->total;
}
