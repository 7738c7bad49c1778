/* traffic.c -- message traffic and the lookups the provider logs.
 *
 * See traffic.h for the model and the two-phase day.  State kept here, all
 * O(people + ties): prefix sums of each person's tie weights (recipient
 * choice by binary search), per directed tie the time of the last lookup
 * (the capability cache) and the day's message counters, and each person's
 * plan of service contacts, drawn once for the whole run.
 *
 * Rhythm: the 24-hour profile below has the shape reported for mobile
 * messaging -- a deep trough at 2-5 h, a morning rise and an evening peak
 * (Jo, Karsai, Kertesz & Kaski, New J. Phys. 14:013055, 2012); its values
 * are an assumption (docs/model.md).  Burstiness comes from a two-state
 * (bursty/quiet) modulation with exponential state durations plus reply
 * chains, the mechanism Karsai et al. (Sci. Rep. 2:397, 2012) identify.
 */

#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "common/rng.h"
#include "sim/handles.h"
#include "sim/network.h"
#include "sim/traffic.h"

/* Messages per hour relative to the daily mean (assumption, shape after Jo et al. 2012). */
static const double rhythm[24] = {
  0.45, 0.22, 0.10, 0.06, 0.05, 0.08, 0.25, 0.60, 0.85, 0.95, 1.00, 1.05,
  1.10, 1.05, 1.00, 1.00, 1.05, 1.15, 1.25, 1.35, 1.40, 1.35, 1.10, 0.75,
};
#define WEEKEND_FACTOR 0.9     /* assumption: slightly less messaging at weekends */
#define MAX_CHAIN 6            /* longest reply chain after one message */
#define SERVICE_OPEN_H 9       /* services are contacted in opening hours */
#define SERVICE_CLOSE_H 19

typedef struct {
  guint16 day;                 /* day index in the run */
  guint32 service;
} PlanItem;

struct MlTraffic {
  const MlWorld *w;
  MlTime epoch;                /* start of the run */
  float *cum;                  /* n_edges: prefix sums of out-weights, restarting per person */
  guint32 *last_lookup;        /* n_edges: seconds since epoch + 1 of the last lookup, 0 = never */
  guint32 *count_im, *count_sms; /* n_edges: messages of the current day */
  guint32 *plan_offset;        /* people + 1 */
  PlanItem *plan;
  MlAlias *by_popularity[ML_N_CATEGORIES];
  guint64 n_handles_used;      /* people + services: strangers are drawn above */
};

const char *
ml_cause_name (MlCause cause)
{
  static const char *const names[ML_N_CAUSES] = { "compose", "reply", "typed", "setup", "service" };
  g_return_val_if_fail (cause < ML_N_CAUSES, "?");
  return names[cause];
}

gint64
ml_person_handle_id (const MlWorld *w, guint32 person)
{
  const MlPerson *p = &w->people[person];
  return ml_handle_id (p->handle, p->email_handle);
}

gint64
ml_service_handle_id (const MlWorld *w, guint32 service)
{
  return ml_handle_id (w->services[service].handle, FALSE);
}

static void
build_prefix_sums (MlTraffic *t)
{
  const MlGraph *g = &t->w->graph;

  for (guint32 p = 0; p < t->w->n_people; p++)
    {
      float sum = 0;
      for (guint32 e = g->offset[p]; e < g->offset[p + 1]; e++)
        {
          sum += g->edges[e].weight;
          t->cum[e] = sum;
        }
    }
}

static gboolean
build_popularity (MlTraffic *t, GError **error)
{
  const MlWorld *w = t->w;

  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      guint32 n = w->n_services_by_cat[c];
      g_autofree double *weights = NULL;

      if (n == 0)
        continue;
      weights = g_new (double, n);
      for (guint32 i = 0; i < n; i++)
        weights[i] = w->services[w->services_by_cat[c][i]].popularity;
      t->by_popularity[c] = ml_alias_new (weights, n, error);
      if (t->by_popularity[c] == NULL)
        {
          g_prefix_error (error, "service popularity of %s: ", ml_category_name (c));
          return FALSE;
        }
    }
  return TRUE;
}

/* Draw PERSON's service contacts for the run into ITEMS (appended):
 * category c is contacted with probability service_share[c] (plus the cast
 * member's extra), on 1 + Geometric(0.5) days (ordinary businesses:
 * 1 + Geometric(0.2)), uniform over the run.  Assumption (docs/model.md). */
static void
draw_plan (const MlTraffic *t, guint32 person, GArray *items)
{
  const MlWorld *w = t->w;
  const MlScenario *sc = w->sc;
  const MlPerson *p = &w->people[person];

  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      MlRng rng;
      double share = sc->service_share[c];
      guint64 k;

      if (t->by_popularity[c] == NULL)
        continue;
      if (p->cast > 0)
        share = MIN (1.0, share + sc->cast[p->cast - 1].services[c]);
      ml_rng_init (&rng, sc->seed, ML_STREAM_SERVICE_PLAN, person, (guint64) c);
      if (!ml_rng_bernoulli (&rng, share))
        continue;
      k = 1 + ml_rng_geometric (&rng, c == ML_CAT_BUSINESS ? 0.2 : 0.5);
      for (guint64 i = 0; i < k; i++)
        {
          PlanItem it;
          it.service = w->services_by_cat[c][ml_alias_sample (t->by_popularity[c], &rng)];
          it.day = (guint16) ml_rng_below (&rng, (guint64) sc->days);
          g_array_append_val (items, it);
        }
    }
}

static void
build_plans (MlTraffic *t)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (PlanItem));
  guint32 n = t->w->n_people;

  t->plan_offset = g_new (guint32, n + 1);
  for (guint32 p = 0; p < n; p++)
    {
      t->plan_offset[p] = items->len;
      draw_plan (t, p, items);
    }
  t->plan_offset[n] = items->len;
  t->plan = (PlanItem *) g_array_free (g_steal_pointer (&items), FALSE);
}

MlTraffic *
ml_traffic_new (const MlWorld *w, GError **error)
{
  g_autoptr(MlTraffic) t = g_new0 (MlTraffic, 1);
  guint64 ne = w->graph.n_edges;

  t->w = w;
  t->epoch = ml_day_start (w->sc->start);
  t->cum = g_new (float, MAX (ne, 1));
  t->last_lookup = g_new0 (guint32, MAX (ne, 1));
  t->count_im = g_new0 (guint32, MAX (ne, 1));
  t->count_sms = g_new0 (guint32, MAX (ne, 1));
  t->n_handles_used = (guint64) w->n_people + w->n_services;
  build_prefix_sums (t);
  if (!build_popularity (t, error))
    return NULL;
  build_plans (t);
  return g_steal_pointer (&t);
}

void
ml_traffic_free (MlTraffic *t)
{
  if (t == NULL)
    return;
  for (int c = 0; c < ML_N_CATEGORIES; c++)
    g_clear_pointer (&t->by_popularity[c], ml_alias_free);
  g_free (t->cum);
  g_free (t->last_lookup);
  g_free (t->count_im);
  g_free (t->count_sms);
  g_free (t->plan_offset);
  g_free (t->plan);
  g_free (t);
}

/* ---- phase A: messages ------------------------------------------------ */

/* Awake factor of hour H for person P: night_activity while asleep. */
static double
awake_factor (const MlPerson *p, int h, double night)
{
  double wake = p->wake_h, sleep = p->sleep_h;
  gboolean awake;

  if (sleep > wake)
    awake = h + 0.5 >= wake && h + 0.5 < sleep;
  else
    awake = h + 0.5 >= wake || h + 0.5 < sleep;
  return awake ? 1.0 : night;
}

static guint32
pick_recipient (const MlTraffic *t, guint32 person, MlRng *rng)
{
  const MlGraph *g = &t->w->graph;
  guint32 lo = g->offset[person], hi = g->offset[person + 1];
  float x = (float) ml_rng_uniform (rng) * t->cum[hi - 1];

  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (t->cum[mid] <= x)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo >= g->offset[person + 1])
    lo = g->offset[person + 1] - 1;
  return g->edges[lo].other;
}

/* A message from SENDER to RECIPIENT at TS, and the chain of replies it
 * draws: each reply with probability reply_probability^(1 + k/2) after an
 * exponential delay, alternating direction. */
static void
emit_conversation (const MlScenario *sc, guint32 sender, guint32 recipient, MlTime ts,
                   MlTime day_end, MlRng *rng, GArray *events)
{
  MlMsgEvent ev = { .ts = ts, .sender = sender, .recipient = recipient, .reply = 0 };

  g_array_append_val (events, ev);
  for (int k = 0; k < MAX_CHAIN; k++)
    {
      double p = pow (sc->reply_probability, 1.0 + k / 2.0);
      guint32 tmp;

      if (!ml_rng_bernoulli (rng, p))
        break;
      ev.ts += 1 + (MlTime) ml_rng_exponential (rng, 1.0 / (sc->reply_delay_minutes * 60.0));
      if (ev.ts >= day_end)
        break;
      tmp = ev.sender;
      ev.sender = ev.recipient;
      ev.recipient = tmp;
      ev.reply = 1;
      g_array_append_val (events, ev);
    }
}

void
ml_traffic_messages (const MlTraffic *t, const MlWorld *w, guint32 person, MlDay day,
                     const MlStay *stays, guint n_stays, GArray *events)
{
  const MlScenario *sc = w->sc;
  const MlPerson *p = &w->people[person];
  MlTime start = ml_day_start (day), end = start + ML_SECONDS_PER_DAY, now = start;
  double on = sc->burst_on_minutes * 60.0, off = sc->burst_off_minutes * 60.0;
  double f_off = (on + off) / (sc->burst_factor * on + off), f_on = sc->burst_factor * f_off;
  double integral = 0, scale;
  gboolean bursty;
  MlRng rng;

  (void) stays;
  (void) n_stays;
  if (ml_graph_degree (&w->graph, person) == 0 || p->activity <= 0)
    return;
  for (int h = 0; h < 24; h++)
    integral += rhythm[h] * awake_factor (p, h, sc->night_activity);
  scale = p->activity * (ml_is_weekend (day) ? WEEKEND_FACTOR : 1.0) / integral / 3600.0;
  ml_rng_init (&rng, sc->seed, ML_STREAM_MESSAGES, person, (guint64) (gint64) day);
  bursty = ml_rng_bernoulli (&rng, on / (on + off));
  while (now < end)
    {
      MlTime seg_end = now + 1 + (MlTime) ml_rng_exponential (&rng, 1.0 / (bursty ? on : off));
      seg_end = MIN (seg_end, end);
      while (now < seg_end)
        {
          int h = ml_hour_of_day (now);
          MlTime slice_end = MIN (seg_end, ml_day_start (day) + (h + 1) * 3600);
          double lambda = scale * rhythm[h] * awake_factor (p, h, sc->night_activity)
                          * (bursty ? f_on : f_off) * (double) (slice_end - now);
          guint64 n = ml_rng_poisson (&rng, lambda);
          for (guint64 i = 0; i < n; i++)
            {
              MlTime ts = now + (MlTime) ml_rng_below (&rng, (guint64) (slice_end - now));
              emit_conversation (sc, person, pick_recipient (t, person, &rng), ts, end, &rng, events);
            }
          now = slice_end;
        }
      bursty = !bursty;
    }
}

/* ---- phase B: lookups ------------------------------------------------- */

typedef struct {
  MlTraffic *t;
  const MlWorld *w;
  guint32 person;
  gint64 source;               /* the person's handle id */
  const MlStay *stays;
  guint n_stays;
  GArray *lookups;
} DayCtx;

static void
emit_lookup (DayCtx *c, MlTime ts, gint64 lookup, guint8 devices, MlCause cause)
{
  MlLookupRow row;
  const MlStay *stay = ml_stay_at (c->stays, c->n_stays, ts);

  row.ts = ts;
  row.source = c->source;
  row.lookup = lookup;
  row.ip = ml_network_ip (c->w, c->person, stay, ts, NULL);
  row.devices = devices;
  row.cause = (guint8) cause;
  row.pad = 0;
  g_array_append_val (c->lookups, row);
}

/* A number outside the population: its iMessage status is a fixed function
 * of the number so that every asker sees the same answer. */
static void
stranger (const MlWorld *w, guint64 index, gint64 *id, guint8 *devices)
{
  guint64 h = ml_hash64 (ml_hash_combine (w->sc->seed, index));

  *id = ml_handle_id (ml_handle_number (w->sc->seed, index), FALSE);
  *devices = (double) (h >> 11) / 9007199254740992.0 < w->sc->imessage_share ? (guint8) (1 + (h & 1)) : 0;
}

static void
random_stranger (const MlTraffic *t, MlRng *rng, gint64 *id, guint8 *devices)
{
  guint64 index = t->n_handles_used + ml_rng_below (rng, ML_HANDLE_SPACE - t->n_handles_used);
  stranger (t->w, index, id, devices);
}

/* Someone PERSON might type without messaging: a friend of a friend, anyone
 * in the population, or a number outside it (40/30/30 %, assumption). */
static void
typed_target (const MlTraffic *t, guint32 person, MlRng *rng, gint64 *id, guint8 *devices)
{
  const MlWorld *w = t->w;
  const MlGraph *g = &w->graph;
  double u = ml_rng_uniform (rng);
  guint32 q = ML_NONE;

  if (u < 0.4 && ml_graph_degree (g, person) > 0)
    {
      guint32 j = g->edges[g->offset[person] + ml_rng_below (rng, ml_graph_degree (g, person))].other;
      if (ml_graph_degree (g, j) > 0)
        q = g->edges[g->offset[j] + ml_rng_below (rng, ml_graph_degree (g, j))].other;
      if (q == person || (q != ML_NONE && ml_graph_edge (g, person, q) != NULL))
        q = ML_NONE;
    }
  else if (u < 0.7)
    q = (guint32) ml_rng_below (rng, w->n_people);
  if (q == ML_NONE || q == person)
    {
      random_stranger (t, rng, id, devices);
      return;
    }
  *id = ml_person_handle_id (w, q);
  *devices = w->people[q].devices;
}

/* A time in PERSON's waking hours of the day starting at START. */
static MlTime
waking_time (const MlPerson *p, MlTime start, MlRng *rng)
{
  double wake = p->wake_h, sleep = p->sleep_h;
  double span = sleep > wake ? sleep - wake : sleep + 24 - wake;
  double h = fmod (wake + ml_rng_uniform (rng) * span, 24.0);
  return start + (MlTime) (h * 3600.0);
}

/* Device set-up or restore: the phone looks up its whole address book
 * within a minute -- every tie and address_book_extra others. */
static void
emit_setup (DayCtx *c, MlTime start, MlRng *rng)
{
  const MlWorld *w = c->w;
  const MlGraph *g = &w->graph;
  MlTime ts = waking_time (&w->people[c->person], start, rng);
  guint64 extra = ml_rng_poisson (rng, w->sc->address_book_extra);
  guint32 now = (guint32) (ts - c->t->epoch + 1);

  for (guint32 e = g->offset[c->person]; e < g->offset[c->person + 1]; e++)
    {
      guint32 q = g->edges[e].other;
      emit_lookup (c, ts, ml_person_handle_id (w, q), w->people[q].devices, ML_CAUSE_SETUP);
      c->t->last_lookup[e] = now;
    }
  for (guint64 k = 0; k < extra; k++)
    {
      gint64 id;
      guint8 devices;
      if (ml_rng_bernoulli (rng, 0.5))
        typed_target (c->t, c->person, rng, &id, &devices);
      else
        stranger (w, c->t->n_handles_used + ml_hash64 (ml_hash_combine (c->person, k))
                       % (ML_HANDLE_SPACE - c->t->n_handles_used), &id, &devices);
      emit_lookup (c, ts + (MlTime) (k / 8), id, devices, ML_CAUSE_SETUP);
    }
}

static void
emit_services (DayCtx *c, MlDay day, MlRng *rng, GArray *contacts)
{
  const MlWorld *w = c->w;
  const MlTraffic *t = c->t;
  int day_index = (int) (day - w->sc->start);
  MlTime start = ml_day_start (day);

  for (guint32 i = t->plan_offset[c->person]; i < t->plan_offset[c->person + 1]; i++)
    {
      const MlService *s;
      MlTime ts;

      if (t->plan[i].day != day_index)
        continue;
      s = &w->services[t->plan[i].service];
      ts = start + SERVICE_OPEN_H * 3600
           + (MlTime) ml_rng_below (rng, (SERVICE_CLOSE_H - SERVICE_OPEN_H) * 3600);
      if (w->people[c->person].imessage)
        emit_lookup (c, ts, ml_service_handle_id (w, t->plan[i].service),
                     s->imessage ? s->devices : 0, ML_CAUSE_SERVICE);
      if (contacts != NULL)
        {
          MlServiceContact sc = { .ts = ts, .person = c->person, .service = t->plan[i].service };
          g_array_append_val (contacts, sc);
        }
    }
}

/* Compose-time lookups: one whenever the cached answer for the recipient
 * is older than cache_ttl_hours; and the day's per-tie message counts. */
static void
emit_composes (DayCtx *c, const MlMsgEvent *events, guint n_events)
{
  const MlWorld *w = c->w;
  MlTraffic *t = c->t;
  const MlPerson *p = &w->people[c->person];
  guint32 ttl = (guint32) (w->sc->cache_ttl_hours * 3600.0);
  guint32 base = w->graph.offset[c->person];

  for (guint i = 0; i < n_events; i++)
    {
      const MlMsgEvent *ev = &events[i];
      const MlEdge *edge = ml_graph_edge (&w->graph, c->person, ev->recipient);
      const MlPerson *q = &w->people[ev->recipient];
      guint32 e, now;

      g_assert (ev->sender == c->person && edge != NULL);
      e = base + (guint32) (edge - &w->graph.edges[base]);
      if (p->imessage && q->imessage)
        t->count_im[e]++;
      else
        t->count_sms[e]++;
      if (!p->imessage)
        continue;
      now = (guint32) (ev->ts - t->epoch + 1);
      if (t->last_lookup[e] != 0 && now - t->last_lookup[e] < ttl)
        continue;
      t->last_lookup[e] = now;
      emit_lookup (c, ev->ts, ml_person_handle_id (w, ev->recipient), q->devices,
                   ev->reply ? ML_CAUSE_REPLY : ML_CAUSE_COMPOSE);
    }
}

static void
flush_pair_counts (MlTraffic *t, const MlWorld *w, guint32 person, GArray *pairs)
{
  const MlGraph *g = &w->graph;

  for (guint32 e = g->offset[person]; e < g->offset[person + 1]; e++)
    {
      MlPairCount pc;

      if (t->count_im[e] == 0 && t->count_sms[e] == 0)
        continue;
      pc.sender = person;
      pc.recipient = g->edges[e].other;
      pc.imessage = t->count_im[e];
      pc.sms = t->count_sms[e];
      if (pairs != NULL)
        g_array_append_val (pairs, pc);
      t->count_im[e] = t->count_sms[e] = 0;
    }
}

void
ml_traffic_lookups (MlTraffic *t, const MlWorld *w, guint32 person, MlDay day,
                    const MlMsgEvent *events, guint n_events,
                    const MlStay *stays, guint n_stays,
                    GArray *lookups, GArray *pairs, GArray *contacts)
{
  const MlPerson *p = &w->people[person];
  const MlScenario *sc = w->sc;
  DayCtx c = { t, w, person, ml_person_handle_id (w, person), stays, n_stays, lookups };
  MlTime start = ml_day_start (day);
  MlRng rng;

  g_return_if_fail (n_stays > 0);
  ml_rng_init (&rng, sc->seed, ML_STREAM_LOOKUPS, person, (guint64) (gint64) day);
  emit_composes (&c, events, n_events);
  flush_pair_counts (t, w, person, pairs);
  emit_services (&c, day, &rng, contacts);
  if (!p->imessage)
    return;
  if (ml_rng_bernoulli (&rng, sc->setup_per_year / 365.0))
    emit_setup (&c, start, &rng);
  for (guint64 k = ml_rng_poisson (&rng, sc->typed_per_week / 7.0); k > 0; k--)
    {
      gint64 id;
      guint8 devices;
      typed_target (t, person, &rng, &id, &devices);
      emit_lookup (&c, waking_time (p, start, &rng), id, devices, ML_CAUSE_TYPED);
    }
}
