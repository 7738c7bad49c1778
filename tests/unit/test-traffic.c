/* test-traffic.c -- unit tests for sim/traffic: messages and the lookups
 * the provider logs (cache TTL, who asks, what is logged). */
#include <math.h>
#include <string.h>

#include "sim/handles.h"
#include "sim/mobility.h"
#include "sim/traffic.h"
#include "sim/world.h"
#include "sim/writer.h"
#include "tests/unit/runner.h"

static MlScenario *
scenario (const char *ttl)
{
  g_autofree char *ttl_override = g_strdup_printf ("lookups.cache_ttl_hours=%s", ttl);
  const char *overrides[] = { "run.people=1500", "run.days=14", "run.seed=7", ttl_override, NULL };
  g_autoptr(GError) error = NULL;
  MlScenario *sc = ml_scenario_load (NULL, overrides, &error);

  if (sc == NULL)
    g_error ("%s", error->message);
  return sc;
}

typedef struct {
  MlScenario *sc;
  MlWorld *w;
  MlTraffic *t;
} Fixture;

static void
fixture_init (Fixture *f, const char *ttl)
{
  g_autoptr(GError) error = NULL;

  f->sc = scenario (ttl);
  f->w = ml_world_new (f->sc, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (f->w);
  f->t = ml_traffic_new (f->w, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (f->t);
}

static void
fixture_clear (Fixture *f)
{
  ml_traffic_free (f->t);
  ml_world_free (f->w);
  ml_scenario_free (f->sc);
}

/* One stay at home for the whole day. */
static MlStay
home_stay (const MlWorld *w, guint32 p, MlDay day)
{
  MlStay s;
  s.start = ml_day_start (day);
  s.end = s.start + ML_SECONDS_PER_DAY;
  s.place = w->households[w->people[p].household].home_place;
  s.city = w->districts[w->places[s.place].district].city;
  return s;
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const MlMsgEvent *x = a, *y = b;
  return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Run DAYS days for everyone; return all lookups and, through N_MESSAGES,
 * the number of messages. */
static GArray *
run_days (Fixture *f, int days, guint64 *n_messages)
{
  const MlWorld *w = f->w;
  GArray *lookups = g_array_new (FALSE, FALSE, sizeof (MlLookupRow));
  *n_messages = 0;

  for (int d = 0; d < days; d++)
    {
      MlDay day = f->sc->start + d;
      g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
      for (guint32 p = 0; p < w->n_people; p++)
        ml_traffic_messages (f->t, w, p, day, NULL, 0, events);
      *n_messages += events->len;
      for (guint32 p = 0; p < w->n_people; p++)
        {
          g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
          MlStay stay = home_stay (w, p, day);
          for (guint i = 0; i < events->len; i++)
            if (g_array_index (events, MlMsgEvent, i).sender == p)
              g_array_append_val (mine, g_array_index (events, MlMsgEvent, i));
          g_array_sort (mine, compare_events);
          ml_traffic_lookups (f->t, w, p, day, (MlMsgEvent *) mine->data, mine->len, &stay, 1,
                              lookups, NULL, NULL);
        }
    }
  return lookups;
}

static GHashTable *
imessage_ids (const MlWorld *w, gboolean want)
{
  GHashTable *h = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint32 p = 0; p < w->n_people; p++)
    if ((w->people[p].imessage != 0) == want)
      g_hash_table_add (h, g_memdup2 (&(gint64) { ml_person_handle_id (w, p) }, sizeof (gint64)));
  return h;
}

static void
test_only_imessage_users_ask_the_directory (void)
{
  Fixture f;
  guint64 n;
  fixture_init (&f, "24");
  g_autoptr(GArray) rows = run_days (&f, 3, &n);
  g_autoptr(GHashTable) non = imessage_ids (f.w, FALSE);

  CU_ASSERT_TRUE (rows->len > 1000);
  for (guint i = 0; i < rows->len; i++)
    CU_ASSERT_FALSE_FATAL (g_hash_table_contains (non, &g_array_index (rows, MlLookupRow, i).source));
  fixture_clear (&f);
}

static void
test_handles_not_on_imessage_are_logged_with_zero_devices (void)
{
  Fixture f;
  guint64 n;
  guint zero = 0, checked = 0;
  fixture_init (&f, "24");
  g_autoptr(GArray) rows = run_days (&f, 3, &n);
  g_autoptr(GHashTable) non = imessage_ids (f.w, FALSE);

  for (guint i = 0; i < rows->len; i++)
    {
      const MlLookupRow *r = &g_array_index (rows, MlLookupRow, i);
      if (r->cause == ML_CAUSE_COMPOSE || r->cause == ML_CAUSE_REPLY)
        {
          checked++;
          if (g_hash_table_contains (non, &r->lookup))
            {
              CU_ASSERT_EQUAL_FATAL (r->devices, 0);
              zero++;
            }
          else
            CU_ASSERT_TRUE_FATAL (r->devices >= 1);
        }
    }
  CU_ASSERT_TRUE (zero > 0 && zero < checked);
  fixture_clear (&f);
}

/* With a 24 h TTL a sender looks a recipient up at most once per 24 h. */
static void
test_cache_ttl_limits_compose_lookups_per_pair (void)
{
  Fixture f;
  guint64 n;
  fixture_init (&f, "24");
  g_autoptr(GArray) rows = run_days (&f, 4, &n);
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                      (GDestroyNotify) g_bytes_unref, g_free);
  for (guint i = 0; i < rows->len; i++)
    {
      const MlLookupRow *r = &g_array_index (rows, MlLookupRow, i);
      gint64 key[2] = { r->source, r->lookup };
      GBytes *k;
      MlTime *prev;
      if (r->cause != ML_CAUSE_COMPOSE && r->cause != ML_CAUSE_REPLY)
        continue;
      k = g_bytes_new (key, sizeof key);
      prev = g_hash_table_lookup (last, k);
      if (prev != NULL)
        CU_ASSERT_TRUE_FATAL (r->ts - *prev >= 24 * 3600);
      g_hash_table_insert (last, k, g_memdup2 (&r->ts, sizeof r->ts));
    }
  fixture_clear (&f);
}

static guint
compose_lookups (GArray *rows)
{
  guint n = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      guint8 c = g_array_index (rows, MlLookupRow, i).cause;
      n += c == ML_CAUSE_COMPOSE || c == ML_CAUSE_REPLY;
    }
  return n;
}

static void
test_a_shorter_ttl_gives_more_lookups (void)
{
  Fixture a, b;
  guint64 na, nb;
  fixture_init (&a, "24");
  fixture_init (&b, "1");
  g_autoptr(GArray) ra = run_days (&a, 3, &na);
  g_autoptr(GArray) rb = run_days (&b, 3, &nb);

  CU_ASSERT_EQUAL (na, nb);                   /* the TTL does not change messaging */
  CU_ASSERT_TRUE (compose_lookups (rb) > compose_lookups (ra) * 1.2);
  fixture_clear (&a);
  fixture_clear (&b);
}

/* Initiated messages average the person's activity (x 0.9 at weekends):
 * the bursty process makes single days overdispersed, so the check is
 * on the total over two weeks, within 5 %. */
static void
test_messages_follow_activity_and_are_reproducible (void)
{
  Fixture f;
  const MlWorld *w;
  double expected = 0;
  guint64 total = 0;
  fixture_init (&f, "24");
  w = f.w;

  for (int d = 0; d < 14; d++)
    for (guint32 p = 0; p < w->n_people; p++)
      {
        MlDay day = f.sc->start + d;
        g_autoptr(GArray) e1 = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
        g_autoptr(GArray) e2 = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
        ml_traffic_messages (f.t, w, p, day, NULL, 0, e1);
        ml_traffic_messages (f.t, w, p, day, NULL, 0, e2);
        CU_ASSERT_EQUAL_FATAL (e1->len, e2->len);
        CU_ASSERT_TRUE_FATAL (e1->len == 0 || memcmp (e1->data, e2->data, e1->len * sizeof (MlMsgEvent)) == 0);
        for (guint i = 0; i < e1->len; i++)
          {
            const MlMsgEvent *ev = &g_array_index (e1, MlMsgEvent, i);
            if (ev->reply)
              continue;
            CU_ASSERT_EQUAL_FATAL (ev->sender, p);
            CU_ASSERT_PTR_NOT_NULL_FATAL (ml_graph_edge (&w->graph, p, ev->recipient));
            total++;
          }
        if (ml_graph_degree (&w->graph, p) > 0)
          expected += w->people[p].activity * (ml_is_weekend (day) ? 0.9 : 1.0);
      }
  CU_ASSERT_TRUE (fabs ((double) total - expected) < 0.05 * expected);
  fixture_clear (&f);
}

static void
test_replies_reverse_the_direction (void)
{
  Fixture f;
  guint replies = 0;
  fixture_init (&f, "24");
  for (guint32 p = 0; p < 200; p++)
    {
      g_autoptr(GArray) e = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
      ml_traffic_messages (f.t, f.w, p, f.sc->start, NULL, 0, e);
      for (guint i = 1; i < e->len; i++)
        {
          const MlMsgEvent *prev = &g_array_index (e, MlMsgEvent, i - 1);
          const MlMsgEvent *ev = &g_array_index (e, MlMsgEvent, i);
          if (!ev->reply)
            continue;
          replies++;
          CU_ASSERT_EQUAL_FATAL (ev->sender, prev->recipient);
          CU_ASSERT_EQUAL_FATAL (ev->recipient, prev->sender);
          CU_ASSERT_TRUE_FATAL (ev->ts > prev->ts);
        }
    }
  CU_ASSERT_TRUE (replies > 50);
  fixture_clear (&f);
}

/* The writer's order of the lookup log: (ts, source, lookup, ip), and rows
 * equal in all four in the order they came (their devices and causes
 * differ), exactly as a stable merge sort gives; on days of rows, on
 * crowded seconds (insertion and merge sorts inside a second) and on a
 * span too long for counting by second. */
static gint
by_key_then_position (gconstpointer pa, gconstpointer pb)
{
  const MlLookupRow *a = pa, *b = pb;

  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  if (a->lookup != b->lookup)
    return a->lookup < b->lookup ? -1 : 1;
  if (a->ip != b->ip)
    return a->ip < b->ip ? -1 : 1;
  return (a->pad > b->pad) - (a->pad < b->pad);   /* the original position, kept in pad */
}

static void
test_lookup_log_order (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(GArray) buffer = g_array_new (FALSE, FALSE, sizeof (MlLookupRow));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  static const int spans[] = { 86400, 40, 3, 10 * 86400, 1 };

  for (int round = 0; round < 25; round++)
    {
      int span = spans[round % G_N_ELEMENTS (spans)], n = g_rand_int_range (rand, 0, 3000);
      g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (MlLookupRow));
      for (int i = 0; i < n; i++)
        {
          MlLookupRow r = {
            .ts = 1700000000 + g_rand_int_range (rand, 0, span), .source = g_rand_int_range (rand, 0, 6),
            .lookup = g_rand_int_range (rand, 0, 6), .ip = (guint32) g_rand_int_range (rand, 0, 3),
            .devices = (guint8) g_rand_int_range (rand, 0, 4), .pad = (guint16) (i & 0xffff),
          };
          g_array_append_val (rows, r);
        }
      g_autoptr(GArray) want = g_array_copy (rows);
      g_array_sort (want, by_key_then_position);
      ml_lookups_sort (rows, buffer, starts);
      CU_ASSERT_EQUAL_FATAL (rows->len, want->len);
      CU_ASSERT (memcmp (rows->data, want->data, (gsize) n * sizeof (MlLookupRow)) == 0);
    }
}

static CU_TestInfo tests[] = {
  { "only iMessage users ask the directory", test_only_imessage_users_ask_the_directory },
  { "handles not on iMessage are logged with zero devices", test_handles_not_on_imessage_are_logged_with_zero_devices },
  { "the cache TTL limits compose lookups per pair", test_cache_ttl_limits_compose_lookups_per_pair },
  { "a shorter TTL gives more lookups", test_a_shorter_ttl_gives_more_lookups },
  { "messages follow activity and are reproducible", test_messages_follow_activity_and_are_reproducible },
  { "replies reverse the direction", test_replies_reverse_the_direction },
  { "the lookup log's order", test_lookup_log_order },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "traffic", .pTests = tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
