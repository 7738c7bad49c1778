/* test-infer.c -- unit tests for the inferences: contacts, hops, location,
 * co-location, sensitive services and rhythm, each on a hand-built
 * MlEvidence whose answer is known. */

#include <math.h>
#include <string.h>

#include "analyze/infer.h"
#include "common/geo.h"
#include "tests/unit/runner.h"

/* Handles and IPs of the fixtures. */
enum { T = 1, T2 = 2 };

typedef struct {
  MlCase c;
  MlEvidence ev;
} Fx;

/* Day 0 of every fixture: Monday 2024-01-01. */
static MlTime
at (int day, double hour)
{
  return ml_day_start (ml_day_from_ymd (2024, 1, 1) + day) + (MlTime) (hour * 3600.0);
}

static void
dir_entry_free (gpointer p)
{
  MlDirEntry *d = p;

  g_free (d->name);
  g_free (d->category);
  g_free (d);
}

static void
target_clear (gpointer p)
{
  MlTarget *t = p;

  g_clear_pointer (&t->orders, g_array_unref);
}

static Fx *
fx_new (void)
{
  Fx *f = g_new0 (Fx, 1);

  f->c = (MlCase) {
    .window_days = 30, .extensions = 2, .hops = 1, .night_start_h = 22, .night_end_h = 6,
    .work_start_h = 9, .work_end_h = 17, .trip_km = 100,
  };
  f->ev.c = &f->c;
  f->ev.n_windows = 3;
  f->ev.targets = g_array_new (FALSE, TRUE, sizeof (MlTarget));
  g_array_set_clear_func (f->ev.targets, target_clear);
  f->ev.rows = g_array_new (FALSE, FALSE, sizeof (MlEvRow));
  f->ev.ipinfo = ml_id_table_new (g_free);
  f->ev.directory = ml_id_table_new (dir_entry_free);
  return f;
}

static void
fx_free (Fx *f)
{
  g_array_unref (f->ev.targets);
  g_array_unref (f->ev.rows);
  g_hash_table_unref (f->ev.ipinfo);
  g_hash_table_unref (f->ev.directory);
  g_clear_pointer (&f->ev.by_handle, g_hash_table_unref);
  g_clear_pointer (&f->ev.by_ip, g_hash_table_unref);
  g_free (f);
}

static void
fx_row (Fx *f, MlTime ts, gint64 source, gint64 lookup, gint64 ip, int window)
{
  MlEvRow r = { .ts = ts, .source = source, .lookup = lookup, .ip = ip, .devices = 1,
                .window = (guint8) window, .hop = 1, .via = ML_VIA_PEN };

  g_array_append_val (f->ev.rows, r);
}

static void
fx_ip (Fx *f, gint64 id, MlIpClass cls, double lat, double lon, double radius, const char *city)
{
  MlIpInfo *i = g_new0 (MlIpInfo, 1);

  i->id = id;
  i->cls = cls;
  i->lat = lat;
  i->lon = lon;
  i->radius_km = radius;
  g_snprintf (i->text, sizeof i->text, "10.0.0.%d", (int) id);
  g_strlcpy (i->city, city, sizeof i->city);
  g_hash_table_insert (f->ev.ipinfo, ML_ID_KEY (i->id), i);
}

static void
fx_dir (Fx *f, gint64 handle, const char *category, gboolean sensitive)
{
  MlDirEntry *d = g_new0 (MlDirEntry, 1);

  d->handle = handle;
  d->name = g_strdup_printf ("service %d", (int) handle);
  d->category = g_strdup (category);
  d->sensitive = sensitive;
  g_hash_table_insert (f->ev.directory, ML_ID_KEY (d->handle), d);
}

/* HANDLE as a target of hop HOP with three chained 30-day orders from day 0. */
static void
fx_target (Fx *f, gint64 handle, int hop)
{
  MlTarget t = { .handle = handle, .hop = hop, .orders = g_array_new (FALSE, TRUE, sizeof (MlOrder)) };

  for (int k = 0; k < 3; k++)
    {
      MlOrder o = { .position = k, .served = at (30 * k, 0), .expires = at (30 * k + 30, 0) };
      o.nominal = o.returned = (MlWindow) { at (30 * k, 0), at (30 * k + 30, 0) };
      g_array_append_val (t.orders, o);
    }
  g_array_append_val (f->ev.targets, t);
}

static gint
row_order (gconstpointer pa, gconstpointer pb)
{
  const MlEvRow *a = pa, *b = pb;

  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  if (a->lookup != b->lookup)
    return a->lookup < b->lookup ? -1 : 1;
  return (a->ip > b->ip) - (a->ip < b->ip);
}

static void
fx_index (Fx *f)
{
  g_array_sort (f->ev.rows, row_order);
  ml_evidence_index (&f->ev);
}

static const MlContact *
contact (GArray *contacts, gint64 handle)
{
  for (guint i = 0; i < contacts->len; i++)
    if (g_array_index (contacts, MlContact, i).handle == handle)
      return &g_array_index (contacts, MlContact, i);
  return NULL;
}

/* ---- contacts ---- */

static void
test_contacts_count_out_in_and_mutual_lookups (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  for (int d = 1; d <= 3; d++)
    fx_row (f, at (d, 14), T, 10, 1, 0);   /* out to 10 on days 1-3 */
  fx_row (f, at (4, 14), 10, T, 2, 0);     /* in from 10 on days 4, 5 */
  fx_row (f, at (5, 14), 10, T, 2, 0);
  fx_row (f, at (2, 9), T, 11, 1, 0);      /* out only */
  fx_row (f, at (2, 20), T, 11, 1, 0);
  fx_row (f, at (6, 10), 12, T, 3, 0);     /* in only */
  fx_index (f);

  g_autoptr(GArray) c = ml_infer_contacts (&f->ev, T, 1);
  CU_ASSERT_EQUAL_FATAL (c->len, 3);
  const MlContact *m = contact (c, 10), *o = contact (c, 11), *i = contact (c, 12);
  CU_ASSERT_FATAL (m != NULL && o != NULL && i != NULL);
  CU_ASSERT_EQUAL (m->n_out, 3);
  CU_ASSERT_EQUAL (m->n_in, 2);
  CU_ASSERT_EQUAL (m->days, 5);
  CU_ASSERT_EQUAL (m->first, at (1, 14));
  CU_ASSERT_EQUAL (m->last, at (5, 14));
  CU_ASSERT_EQUAL (o->n_out, 2);
  CU_ASSERT_EQUAL (o->n_in, 0);
  CU_ASSERT_EQUAL (o->days, 1);
  CU_ASSERT_EQUAL (i->n_out, 0);
  CU_ASSERT_EQUAL (i->n_in, 1);
  CU_ASSERT_EQUAL (m->rank, 1);
  CU_ASSERT (m->confidence > 0.5 && i->confidence < 0.5);
  fx_free (f);
}

static void
test_bulk_burst_is_detected_and_ranks_below_a_weekly_contact (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  for (int k = 0; k < 20; k++)
    fx_row (f, at (10, 12) + 3 * k, T, 100 + k, 1, 0);   /* 20 handles in 57 s */
  for (int w = 0; w < 4; w++)
    fx_row (f, at (7 * w, 14), T, 20, 1, 0);             /* weekly contact */
  for (int k = 0; k < 14; k++)
    fx_row (f, at (12, 12) + 8 * k, T, 200 + k, 1, 0);   /* 14 handles in 104 s: no burst */
  fx_row (f, at (10, 19), T, 119, 1, 0);                 /* a real lookup on the burst's day */
  fx_index (f);

  g_autoptr(GArray) c = ml_infer_contacts (&f->ev, T, 1);
  const MlContact *b = contact (c, 105), *w = contact (c, 20), *n = contact (c, 205);
  CU_ASSERT_FATAL (b != NULL && w != NULL && n != NULL);
  CU_ASSERT_EQUAL (b->bulk, 1);
  CU_ASSERT_EQUAL (b->n_out, 1);
  CU_ASSERT_EQUAL (w->bulk, 0);
  CU_ASSERT_EQUAL (n->bulk, 0);
  CU_ASSERT (w->rank < b->rank);
  CU_ASSERT (n->rank < b->rank);
  CU_ASSERT (b->confidence < 0.1);
  CU_ASSERT (w->confidence > 0.5);
  /* 119: one bulk and one evening lookup on one day: n = 1.1, d = 1 */
  const MlContact *m = contact (c, 119);
  double rec = 0.5 * exp (-(double) (at (30, 0) - at (10, 19)) / ML_SECONDS_PER_DAY / 30.0);
  CU_ASSERT_EQUAL (m->bulk, 1);
  CU_ASSERT_EQUAL (m->days, 1);
  ML_ASSERT_CLOSE (m->score, log (2.1) + log (2.0) + rec + 0.5 * 1.0 / 3.0, 1e-9);   /* off = 1 / (1 + 2) */
  fx_free (f);
}

static void
test_a_burst_of_another_handle_marks_its_lookup_of_the_target_as_bulk (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_target (f, T2, 2);
  for (int k = 0; k < 16; k++)
    fx_row (f, at (3, 8) + k, T2, k == 7 ? T : 300 + k, 5, 0);
  fx_row (f, at (9, 8), 40, T, 5, 0);                    /* a single lookup of T */
  fx_index (f);

  g_autoptr(GArray) c = ml_infer_contacts (&f->ev, T, 1);
  const MlContact *b = contact (c, T2), *s = contact (c, 40);
  CU_ASSERT_FATAL (b != NULL && s != NULL);
  CU_ASSERT_EQUAL (b->n_in, 1);
  CU_ASSERT_EQUAL (b->bulk, 1);
  CU_ASSERT_EQUAL (s->bulk, 0);
  CU_ASSERT (s->rank < b->rank);
  fx_free (f);
}

static void
test_reciprocal_contact_ranks_above_a_one_way_contact (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  for (int d = 1; d <= 4; d++)
    {
      fx_row (f, at (d, 14), T, 21, 1, 0);               /* one way: 4 out */
      if (d % 2)
        fx_row (f, at (d, 14), T, 22, 1, 0);             /* mutual: 2 out, 2 in */
      else
        fx_row (f, at (d, 14), 22, T, 2, 0);
    }
  fx_index (f);

  g_autoptr(GArray) c = ml_infer_contacts (&f->ev, T, 1);
  const MlContact *one = contact (c, 21), *mutual = contact (c, 22);
  CU_ASSERT_FATAL (one != NULL && mutual != NULL);
  CU_ASSERT_EQUAL (mutual->rank, 1);
  CU_ASSERT_EQUAL (one->rank, 2);
  ML_ASSERT_CLOSE (mutual->score - one->score, 1.0, 1e-9);
  fx_free (f);
}

static void
test_evening_and_recent_contacts_score_higher (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  for (int d = 10; d <= 12; d++)
    {
      fx_row (f, at (d, 14), T, 23, 1, 0);               /* daytime */
      fx_row (f, at (d, 21), T, 24, 1, 0);               /* evening, same days */
      fx_row (f, at (d - 9, 14), T, 25, 1, 0);           /* daytime, nine days earlier */
    }
  fx_index (f);

  g_autoptr(GArray) c = ml_infer_contacts (&f->ev, T, 1);
  const MlContact *day = contact (c, 23), *eve = contact (c, 24), *old = contact (c, 25);
  CU_ASSERT_FATAL (day != NULL && eve != NULL && old != NULL);
  CU_ASSERT_EQUAL (eve->rank, 1);
  CU_ASSERT_EQUAL (day->rank, 2);
  CU_ASSERT_EQUAL (old->rank, 3);
  /* recency 0.5 exp(-age / 30 days), windows ending on day 30 */
  double rec_day = 0.5 * exp (-(double) (at (30, 0) - at (12, 14)) / ML_SECONDS_PER_DAY / 30.0);
  double rec_eve = 0.5 * exp (-(double) (at (30, 0) - at (12, 21)) / ML_SECONDS_PER_DAY / 30.0);
  ML_ASSERT_CLOSE (day->score, 2 * log (4.0) + rec_day, 1e-9);
  ML_ASSERT_CLOSE (eve->score, 2 * log (4.0) + rec_eve + 0.5 * 3.0 / 5.0, 1e-9);   /* off = 3 / (3 + 2) */
  fx_free (f);
}

static void
test_n_windows_restricts_the_rows_counted (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_row (f, at (5, 14), T, 10, 1, 0);
  fx_row (f, at (35, 14), T, 10, 1, 1);
  fx_row (f, at (36, 14), T, 11, 1, 1);
  fx_row (f, at (65, 14), T, 11, 1, 2);
  fx_index (f);

  g_autoptr(GArray) one = ml_infer_contacts (&f->ev, T, 1);
  g_autoptr(GArray) two = ml_infer_contacts (&f->ev, T, 2);
  g_autoptr(GArray) three = ml_infer_contacts (&f->ev, T, 3);
  CU_ASSERT_EQUAL_FATAL (one->len, 1);
  CU_ASSERT_EQUAL (contact (one, 10)->n_out, 1);
  CU_ASSERT_EQUAL_FATAL (two->len, 2);
  CU_ASSERT_EQUAL (contact (two, 10)->n_out, 2);
  CU_ASSERT_EQUAL (contact (two, 11)->n_out, 1);
  CU_ASSERT_EQUAL (contact (three, 11)->n_out, 2);
  fx_free (f);
}

static void
test_services_are_ranked_but_not_reported (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_dir (f, 30, "pharmacy", TRUE);
  for (int d = 1; d <= 8; d++)
    fx_row (f, at (d, 11), T, 30, 1, 0);
  for (int d = 2; d <= 6; d++)
    fx_row (f, at (d, 20), T, 10, 1, 0);
  fx_row (f, at (3, 12), T, 11, 1, 0);
  fx_index (f);

  g_autoptr(GArray) c = ml_infer_contacts (&f->ev, T, 1);
  g_autoptr(GArray) rep = ml_contacts_reported (c);
  CU_ASSERT_EQUAL (contact (c, 30)->rank, 1);
  CU_ASSERT_TRUE (contact (c, 30)->is_service);
  CU_ASSERT_FALSE (contact (c, 10)->is_service);
  CU_ASSERT_EQUAL_FATAL (rep->len, 1);
  CU_ASSERT_EQUAL (g_array_index (rep, MlContact, 0).handle, 10);
  fx_free (f);
}

/* ---- hops ---- */

/* Named targets 1, 2; hop-2 targets 10, 11; hotline 30 looked up by
 * 40..44; 10 reaches 12, 13; 11 reaches 13; 12 reaches 50. */
static Fx *
fx_graph (void)
{
  Fx *f = fx_new ();
  f->c.hops = 2;
  fx_target (f, T, 1);
  fx_target (f, T2, 1);
  fx_target (f, 10, 2);
  fx_target (f, 11, 2);
  fx_dir (f, 30, "health", TRUE);
  static const gint64 edges[][2] = {
    { T, 10 }, { T, 11 }, { T, 30 }, { T, T2 }, { T2, 10 }, { 10, 12 }, { 10, 13 },
    { 11, 13 }, { 40, 30 }, { 41, 30 }, { 42, 30 }, { 43, 30 }, { 44, 30 }, { 12, 50 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    fx_row (f, at (1, 10) + 60 * i, edges[i][0], edges[i][1], 1, 0);
  fx_row (f, at (40, 10), 13, 60, 1, 1);                 /* only in window 2 */
  fx_index (f);
  return f;
}

static void
test_hops_reach_a_small_graph_in_two_hops (void)
{
  Fx *f = fx_graph ();
  g_autoptr(GArray) h = ml_infer_hops (&f->ev, 1);

  CU_ASSERT_EQUAL_FATAL (h->len, 2);
  const MlHopReach *h1 = &g_array_index (h, MlHopReach, 0), *h2 = &g_array_index (h, MlHopReach, 1);
  CU_ASSERT_EQUAL (h1->hop, 1);
  CU_ASSERT_EQUAL (h1->added, 3);                        /* 10, 11, 30 */
  CU_ASSERT_EQUAL (h1->reached, 3);
  CU_ASSERT_EQUAL (h2->hop, 2);
  CU_ASSERT_EQUAL (h2->added, 7);                        /* 12, 13, 40..44 */
  CU_ASSERT_EQUAL (h2->reached, 10);
  CU_ASSERT_EQUAL (h2->top_hub, 12);                     /* 12 -> 50 */
  CU_ASSERT_EQUAL (h2->top_hub_added, 1);
  fx_free (f);
}

static void
test_hops_identify_a_service_as_the_hub (void)
{
  Fx *f = fx_graph ();
  g_autoptr(GArray) h = ml_infer_hops (&f->ev, 1);
  g_autoptr(GArray) h2 = ml_infer_hops (&f->ev, 2);

  const MlHopReach *h1 = &g_array_index (h, MlHopReach, 0);
  CU_ASSERT_EQUAL (h1->top_hub, 30);
  CU_ASSERT_EQUAL (h1->top_hub_added, 5);
  CU_ASSERT_TRUE (h1->top_hub_is_service);
  CU_ASSERT_EQUAL (g_array_index (h2, MlHopReach, 1).reached, 10);
  CU_ASSERT_EQUAL (g_array_index (h2, MlHopReach, 1).top_hub_added, 1);
  fx_free (f);
}

static void
test_a_hub_counts_neighbours_another_hub_reached_first (void)
{
  Fx *f = fx_new ();
  f->c.hops = 2;
  fx_target (f, T, 1);
  fx_row (f, at (1, 10), T, 10, 1, 0);
  fx_row (f, at (1, 11), T, 11, 1, 0);
  fx_row (f, at (1, 12), 10, 12, 1, 0);
  fx_row (f, at (1, 13), 11, 12, 1, 0);
  fx_row (f, at (1, 14), 11, 13, 1, 0);
  fx_index (f);
  g_autoptr(GArray) h = ml_infer_hops (&f->ev, 1);

  CU_ASSERT_EQUAL (g_array_index (h, MlHopReach, 0).top_hub, 11);
  CU_ASSERT_EQUAL (g_array_index (h, MlHopReach, 0).top_hub_added, 2);
  CU_ASSERT_FALSE (g_array_index (h, MlHopReach, 0).top_hub_is_service);
  CU_ASSERT_EQUAL (g_array_index (h, MlHopReach, 1).reached, 4);
  fx_free (f);
}

/* The reference: one plain breadth-first search for one window count N,
 * with GHashTables, as the hop reach is defined (hops.c's header). */
static GArray *
reference_hops (const MlEvidence *ev, int n)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlHopReach));
  g_autoptr(GHashTable) dist = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) frontier = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint32 reached = 0;

  for (guint i = 0; i < ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (ev->targets, MlTarget, i);
      if (t->hop == 1 && !g_hash_table_contains (dist, &t->handle))
        {
          g_hash_table_insert (dist, g_memdup2 (&t->handle, sizeof t->handle), GINT_TO_POINTER (1));
          g_array_append_val (frontier, t->handle);
        }
    }
  for (int k = 0; k <= ev->c->hops; k++)
    {
      g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (gint64));
      gint64 hub = 0;
      guint32 hub_added = 0;
      for (guint i = 0; i < frontier->len; i++)
        {
          gint64 h = g_array_index (frontier, gint64, i);
          g_autoptr(GHashTable) mine = g_hash_table_new (NULL, NULL);   /* handles < 2^31 here */
          for (guint j = 0; j < ev->rows->len; j++)
            {
              const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, j);
              gint64 o;
              if ((r->source != h && r->lookup != h) || (int) r->window >= n)
                continue;
              o = r->source == h ? r->lookup : r->source;
              if (o == h)
                continue;
              if (!g_hash_table_contains (dist, &o))
                {
                  g_hash_table_insert (dist, g_memdup2 (&o, sizeof o), GINT_TO_POINTER (k + 2));
                  g_array_append_val (next, o);
                }
              if (GPOINTER_TO_INT (g_hash_table_lookup (dist, &o)) == k + 2)
                g_hash_table_add (mine, GSIZE_TO_POINTER ((gsize) o));
            }
          guint32 added = g_hash_table_size (mine);
          if (added > hub_added || (added == hub_added && added > 0 && h < hub))
            hub = h, hub_added = added;
        }
      if (k > 0)
        {
          reached += frontier->len;
          MlHopReach r = { .hop = k, .reached = reached, .added = frontier->len, .top_hub = hub,
                           .top_hub_added = hub_added };
          g_array_append_val (out, r);
        }
      g_array_set_size (frontier, 0);
      g_array_append_vals (frontier, next->data, next->len);
    }
  return out;
}

/* The one search over every window count gives what one search per count
 * gives, on random lookup graphs with late-appearing edges. */
static void
test_hops_of_every_window_count_match_one_search_each (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (int round = 0; round < 30; round++)
    {
      Fx *f = fx_new ();
      int windows = 1 + round % 13, handles = 20 + g_rand_int_range (rand, 0, 200);
      int rows = g_rand_int_range (rand, 1, 4 * handles);
      f->c.hops = 1 + round % 3;
      for (int t = 0; t < 1 + round % 4; t++)
        fx_target (f, 1 + g_rand_int_range (rand, 0, handles), 1);
      for (int i = 0; i < rows; i++)
        fx_row (f, at (1 + i / 100, 10), 1 + g_rand_int_range (rand, 0, handles),
                1 + g_rand_int_range (rand, 0, handles), 1, g_rand_int_range (rand, 0, windows));
      fx_index (f);
      GArray **all = ml_infer_hops_all (&f->ev, windows);
      for (int n = 1; n <= windows; n++)
        {
          g_autoptr(GArray) want = reference_hops (&f->ev, n);
          CU_ASSERT_EQUAL_FATAL (all[n - 1]->len, want->len);
          for (guint k = 0; k < want->len; k++)
            {
              const MlHopReach *a = &g_array_index (all[n - 1], MlHopReach, k);
              const MlHopReach *b = &g_array_index (want, MlHopReach, k);
              CU_ASSERT_EQUAL (a->hop, b->hop);
              CU_ASSERT_EQUAL (a->reached, b->reached);
              CU_ASSERT_EQUAL (a->added, b->added);
              CU_ASSERT_EQUAL (a->top_hub, b->top_hub);
              CU_ASSERT_EQUAL (a->top_hub_added, b->top_hub_added);
            }
          g_array_unref (all[n - 1]);
        }
      g_free (all);
      fx_free (f);
    }
}

/* ---- contacts of every window count ---- */

/* A burst: SOURCE looks up COUNT distinct handles (from FIRST on) within
 * about a minute and a half from TS, window by window as the time falls. */
static void
fx_burst (Fx *f, MlTime ts, gint64 source, gint64 first, int count, int day0_window, GRand *rand,
          gboolean shuffle)
{
  for (int k = 0; k < count; k++)
    {
      MlTime t = ts + k * 6;
      int w = (int) ((t - at (0, 0)) / (30 * 86400)) + day0_window;
      if (shuffle)
        w = g_rand_int_range (rand, 0, 6);
      fx_row (f, t, source, first + k, 1, CLAMP (w, 0, 5));
    }
}

static void
expect_same_contacts (GArray *a, GArray *b)
{
  CU_ASSERT_EQUAL_FATAL (a->len, b->len);
  for (guint k = 0; k < a->len; k++)
    {
      const MlContact *x = &g_array_index (a, MlContact, k), *y = &g_array_index (b, MlContact, k);
      CU_ASSERT_EQUAL (x->handle, y->handle);
      CU_ASSERT_EQUAL (x->n_out, y->n_out);
      CU_ASSERT_EQUAL (x->n_in, y->n_in);
      CU_ASSERT_EQUAL (x->days, y->days);
      CU_ASSERT_EQUAL (x->bulk, y->bulk);
      CU_ASSERT_EQUAL (x->first, y->first);
      CU_ASSERT_EQUAL (x->last, y->last);
      CU_ASSERT (x->score == y->score);
      CU_ASSERT (x->confidence == y->confidence);
      CU_ASSERT_EQUAL (x->is_service, y->is_service);
      CU_ASSERT_EQUAL (x->rank, y->rank);
    }
}

/* The contacts of every window count in one pass are those of each count
 * alone, on random logs with address-book bursts of the target and of its
 * contacts, some straddling a window's end (a row turns bulk only when
 * the next window is added), and with windows that do not rise with time
 * (the accumulators are rebuilt). */
static void
test_contacts_of_every_window_count_match_each_alone (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  guint bulky = 0, straddled = 0;

  for (int round = 0; round < 40; round++)
    {
      Fx *f = fx_new ();
      gboolean shuffle = round % 4 == 3;
      int windows = 1 + round % 6, others = 30 + g_rand_int_range (rand, 0, 40);
      int rows = g_rand_int_range (rand, 20, 400);
      f->ev.n_windows = windows;
      fx_target (f, T, 1);
      fx_dir (f, 100 + others / 2, "pharmacy", TRUE);
      for (int i = 0; i < rows; i++)
        {
          MlTime t = at (0, 0) + g_rand_int_range (rand, 0, windows * 30 * 86400);
          gint64 other = 100 + g_rand_int_range (rand, 0, others);
          int w = shuffle ? g_rand_int_range (rand, 0, windows) : (int) ((t - at (0, 0)) / (30 * 86400));
          if (g_rand_boolean (rand))
            fx_row (f, t, T, other, 1, w);
          else
            fx_row (f, t, other, T, 1, w);
        }
      for (int b = 0; b < 1 + round % 3; b++)
        {
          /* from 40 s before a window's end: part of the burst falls in the next */
          int k = g_rand_int_range (rand, 1, MAX (windows, 2));
          MlTime end = at (30 * k, 0), start = g_rand_boolean (rand) ? end - 40 : end - 400;
          straddled += start == end - 40;
          fx_burst (f, start, T, 100, 15 + g_rand_int_range (rand, 0, 10), 0, rand, shuffle);
          gint64 src = 100 + g_rand_int_range (rand, 0, others);
          fx_burst (f, start + 30, src, 500, 20, 0, rand, shuffle);
          fx_row (f, start + 60, src, T, 1, shuffle ? g_rand_int_range (rand, 0, windows) : k);
        }
      fx_index (f);
      GArray *each[64] = { NULL };
      ml_infer_contacts_each (&f->ev, T, windows, each);
      for (int n = 1; n <= windows; n++)
        {
          g_autoptr(GArray) alone = ml_infer_contacts (&f->ev, T, n);
          expect_same_contacts (each[n - 1], alone);
          for (guint k = 0; k < alone->len; k++)
            bulky += g_array_index (alone, MlContact, k).bulk > 0;
          g_array_unref (each[n - 1]);
        }
      fx_free (f);
    }
  CU_ASSERT (bulky > 100);         /* the bursts were detected */
  CU_ASSERT (straddled > 10);
}

/* ---- location ---- */

#define HOME_LAT 48.85
#define HOME_LON 2.35
#define WORK_LAT 48.90
#define WORK_LON 2.25
#define TRIP_LAT 43.60
#define TRIP_LON 1.44

enum { IP_HOME1 = 1, IP_HOME2, IP_WORK, IP_CELL, IP_HOTEL, IP_FRIEND, IP_CELL_TRIP };

/* Three weeks of target T: home broadband at 23:00 (renumbered on day
 * 10), work 10:00 and 15:00 on weekdays from a corporate IP, a friend's
 * broadband on Wednesdays at 12:00 and once at night, cellular at 03:00 and
 * 04:00 from an egress 110 km away, a trip on days 15-16 (hotel Wi-Fi and
 * cellular 590 km away). */
static Fx *
fx_places (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_ip (f, IP_HOME1, ML_IP_BROADBAND, HOME_LAT, HOME_LON, 10, "Home City");
  fx_ip (f, IP_HOME2, ML_IP_BROADBAND, HOME_LAT, HOME_LON, 10, "Home City");
  fx_ip (f, IP_WORK, ML_IP_BUSINESS, WORK_LAT, WORK_LON, 3, "Home City");
  fx_ip (f, IP_CELL, ML_IP_CELLULAR, 49.5, 1.0, 200, "Egress City");
  fx_ip (f, IP_HOTEL, ML_IP_WIFI, TRIP_LAT, TRIP_LON, 20, "Trip City");
  fx_ip (f, IP_FRIEND, ML_IP_BROADBAND, 48.80, 2.40, 8, "Home City");
  fx_ip (f, IP_CELL_TRIP, ML_IP_CELLULAR, TRIP_LAT, TRIP_LON, 200, "Trip City");
  for (int d = 0; d < 21; d++)
    {
      gboolean trip = d == 15 || d == 16, weekday = d % 7 < 5;
      if (trip)
        continue;
      fx_row (f, at (d, 23), T, 10, d < 10 ? IP_HOME1 : IP_HOME2, 0);
      fx_row (f, at (d, 3), T, 11, IP_CELL, 0);
      fx_row (f, at (d, 4), T, 11, IP_CELL, 0);
      if (weekday)
        {
          fx_row (f, at (d, 10), T, 12, IP_WORK, 0);
          fx_row (f, at (d, 15), T, 12, IP_WORK, 0);
        }
      if (weekday && d % 7 == 2)
        fx_row (f, at (d, 12), T, 13, IP_FRIEND, 0);
    }
  fx_row (f, at (5, 23.5), T, 13, IP_FRIEND, 0);
  fx_row (f, at (15, 12), T, 14, IP_CELL_TRIP, 0);
  fx_row (f, at (15, 20), T, 14, IP_HOTEL, 0);
  fx_row (f, at (16, 3), T, 14, IP_CELL_TRIP, 0);
  fx_row (f, at (16, 22), T, 14, IP_HOTEL, 0);
  return f;
}

static void
test_home_is_night_broadband_not_the_busier_daytime_business_ip (void)
{
  Fx *f = fx_places ();
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);

  CU_ASSERT_TRUE_FATAL (loc->home.found);
  ML_ASSERT_CLOSE (loc->home.lat, HOME_LAT, 1e-9);
  ML_ASSERT_CLOSE (loc->home.lon, HOME_LON, 1e-9);
  ML_ASSERT_CLOSE (loc->home.radius_km, 10.0, 1e-9);
  CU_ASSERT_EQUAL (loc->home.cls, ML_IP_BROADBAND);
  CU_ASSERT_EQUAL (loc->home.support, 19);               /* both addresses of the block */
  ML_ASSERT_CLOSE (loc->home.confidence, 19.0 / 20.0, 1e-9);
  CU_ASSERT_EQUAL (loc->home_ip, IP_HOME1);              /* 10 nights against 9 */
  CU_ASSERT_EQUAL (loc->class_counts[ML_IP_CELLULAR], 19 * 2 + 2);
  CU_ASSERT_EQUAL (loc->class_counts[ML_IP_BUSINESS], 13 * 2);
  CU_ASSERT_EQUAL (loc->timeline->len, 19 + 38 + 26 + 2 + 1 + 4);
  fx_free (f);
}

static void
test_work_is_the_weekday_business_ip (void)
{
  Fx *f = fx_places ();
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);

  CU_ASSERT_TRUE_FATAL (loc->work.found);
  ML_ASSERT_CLOSE (loc->work.lat, WORK_LAT, 1e-9);
  ML_ASSERT_CLOSE (loc->work.lon, WORK_LON, 1e-9);
  ML_ASSERT_CLOSE (loc->work.radius_km, 3.0, 1e-9);
  CU_ASSERT_EQUAL (loc->work.cls, ML_IP_BUSINESS);
  CU_ASSERT_EQUAL (loc->work.support, 26);
  ML_ASSERT_CLOSE (loc->work.confidence, 26.0 / 28.0, 1e-9); /* + 2 lunches at a friend's */
  CU_ASSERT_EQUAL (loc->work_ip, IP_WORK);
  fx_free (f);
}

static void
test_a_trip_to_a_hotel_590_km_away_is_detected (void)
{
  Fx *f = fx_places ();
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);
  double km = ml_geo_haversine_km (HOME_LAT, HOME_LON, TRIP_LAT, TRIP_LON);

  CU_ASSERT_EQUAL_FATAL (loc->trips->len, 1);            /* the usual egress (110 km) is no trip */
  const MlTrip *t = &g_array_index (loc->trips, MlTrip, 0);
  CU_ASSERT_EQUAL (t->start, at (15, 12));
  CU_ASSERT_EQUAL (t->end, at (16, 22));
  ML_ASSERT_CLOSE (t->km_from_home, km, 1e-6);
  CU_ASSERT (km > 500 && km < 650);
  CU_ASSERT_STRING_EQUAL (t->city, "Trip City");
  fx_free (f);
}

static void
test_a_business_ip_is_preferred_for_work_over_a_busier_hotspot (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_ip (f, IP_WORK, ML_IP_BUSINESS, WORK_LAT, WORK_LON, 3, "Home City");
  fx_ip (f, IP_HOTEL, ML_IP_WIFI, 48.70, 2.30, 6, "Home City");
  for (int d = 0; d < 5; d++)
    {
      fx_row (f, at (d, 10), T, 10, IP_WORK, 0);          /* 10 business lookups */
      fx_row (f, at (d, 14), T, 10, IP_WORK, 0);
      for (int k = 0; k < 3; k++)
        fx_row (f, at (d, 12 + k * 0.2), T, 11, IP_HOTEL, 0); /* 15 at a cafe */
    }
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);

  CU_ASSERT_TRUE_FATAL (loc->work.found);
  CU_ASSERT_EQUAL (loc->work_ip, IP_WORK);
  CU_ASSERT_EQUAL (loc->work.support, 10);
  ML_ASSERT_CLOSE (loc->work.confidence, 10.0 / 25.0, 1e-9);
  CU_ASSERT_FALSE (loc->home.found);
  fx_free (f);
}

static void
test_home_counts_distinct_nights_not_lookups (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_ip (f, IP_HOME1, ML_IP_BROADBAND, HOME_LAT, HOME_LON, 10, "Home City");
  fx_ip (f, IP_FRIEND, ML_IP_BROADBAND, 48.80, 2.40, 8, "Home City");
  for (int d = 0; d < 5; d++)
    fx_row (f, at (d, 1), T, 10, IP_HOME1, 0);           /* 5 nights */
  for (int k = 0; k < 8; k++)
    fx_row (f, at (5, 22.5) + 1800 * k, T, 11, IP_FRIEND, 0); /* 8 lookups, one night */
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);

  CU_ASSERT_EQUAL (loc->home_ip, IP_HOME1);
  CU_ASSERT_EQUAL (loc->home.support, 5);
  ML_ASSERT_CLOSE (loc->home.confidence, 5.0 / 13.0, 1e-9);
  fx_free (f);
}

static void
test_cellular_lookups_never_make_a_home (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_ip (f, IP_CELL, ML_IP_CELLULAR, 49.5, 1.0, 200, "Egress City");
  for (int d = 0; d < 10; d++)
    fx_row (f, at (d, 23), T, 10, IP_CELL, 0);
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);

  CU_ASSERT_FALSE (loc->home.found);
  CU_ASSERT_FALSE (loc->work.found);
  CU_ASSERT_EQUAL (loc->home_ip, 0);
  CU_ASSERT_EQUAL (loc->timeline->len, 10);
  CU_ASSERT_EQUAL (loc->trips->len, 0);
  fx_free (f);
}

/* ---- co-location ---- */

static void
test_a_housemate_and_a_coworker_are_found_behind_the_targets_ips (void)
{
  Fx *f = fx_places ();
  fx_row (f, at (1, 23.5), 70, 90, IP_HOME1, 0);          /* housemate: 3 nights */
  fx_row (f, at (2, 22.5), 70, 90, IP_HOME1, 0);
  fx_row (f, at (12, 23.9), 70, 91, IP_HOME2, 0);
  fx_row (f, at (1, 10.3), 71, 90, IP_WORK, 0);           /* co-worker: 2 weekdays */
  fx_row (f, at (3, 15.5), 71, 90, IP_WORK, 0);
  fx_row (f, at (3, 15.9), 71, 92, IP_WORK, 0);
  fx_row (f, at (4, 23.2), 72, 90, IP_HOME1, 0);          /* a guest, once */
  fx_row (f, at (2, 3.1), 73, 90, IP_CELL, 0);            /* same CGNAT address: ignored */
  fx_row (f, at (2, 12.5), 74, 90, IP_WORK, 0);           /* same IP, 2.5 h away: ignored */
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);
  g_autoptr(GArray) co = ml_infer_colocation (&f->ev, T, 1, loc);

  CU_ASSERT_EQUAL_FATAL (co->len, 3);
  const MlCoLocated *h = &g_array_index (co, MlCoLocated, 0);
  const MlCoLocated *w = &g_array_index (co, MlCoLocated, 1);
  const MlCoLocated *o = &g_array_index (co, MlCoLocated, 2);
  CU_ASSERT_EQUAL (h->handle, 70);
  CU_ASSERT_EQUAL (h->kind, ML_COLOC_HOUSEHOLD);
  CU_ASSERT_EQUAL (h->shared_days, 3);
  CU_ASSERT_EQUAL (h->shared_hours, 3);
  ML_ASSERT_CLOSE (h->confidence, 1.0 - exp (-1.5), 1e-9);
  CU_ASSERT_EQUAL (w->handle, 71);
  CU_ASSERT_EQUAL (w->kind, ML_COLOC_COWORKER);
  CU_ASSERT_EQUAL (w->shared_days, 2);
  CU_ASSERT_EQUAL (w->shared_hours, 2);
  CU_ASSERT_EQUAL (o->handle, 72);
  CU_ASSERT_EQUAL (o->kind, ML_COLOC_OTHER);
  CU_ASSERT (o->confidence < 0.5 && h->confidence > 0.5 && w->confidence > 0.5);
  fx_free (f);
}

static void
test_colocation_is_empty_without_other_handles_rows_on_the_ips (void)
{
  Fx *f = fx_places ();
  fx_row (f, at (1, 23.5), 70, T, 9, 0);                  /* a lookup of T from elsewhere */
  fx_index (f);
  g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, 1);
  g_autoptr(GArray) co = ml_infer_colocation (&f->ev, T, 1, loc);

  CU_ASSERT_EQUAL (co->len, 0);
  fx_free (f);
}

/* ---- sensitive services ---- */

static void
test_sensitive_lookups_are_counted_by_category (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  fx_dir (f, 30, "health", TRUE);
  fx_dir (f, 31, "health", TRUE);
  fx_dir (f, 32, "legal", TRUE);
  fx_dir (f, 33, "business", FALSE);
  fx_row (f, at (2, 10), T, 30, 1, 0);
  fx_row (f, at (5, 10), T, 30, 1, 0);
  fx_row (f, at (3, 10), T, 31, 1, 0);
  fx_row (f, at (7, 10), T, 32, 1, 0);
  fx_row (f, at (40, 10), T, 32, 1, 1);                   /* outside one window */
  for (int d = 1; d <= 5; d++)
    fx_row (f, at (d, 12), T, 33, 1, 0);
  fx_row (f, at (1, 9), 30, T, 1, 0);                     /* the clinic calls: not counted */
  fx_index (f);
  g_autoptr(GArray) s = ml_infer_sensitive (&f->ev, T, 1);

  CU_ASSERT_EQUAL_FATAL (s->len, 2);
  const MlSensitiveHit *h = &g_array_index (s, MlSensitiveHit, 0), *l = &g_array_index (s, MlSensitiveHit, 1);
  CU_ASSERT_STRING_EQUAL (h->category, "health");
  CU_ASSERT_EQUAL (h->lookups, 3);
  CU_ASSERT_EQUAL (h->services, 2);
  CU_ASSERT_EQUAL (h->first, at (2, 10));
  CU_ASSERT_STRING_EQUAL (l->category, "legal");
  CU_ASSERT_EQUAL (l->lookups, 1);
  CU_ASSERT_EQUAL (l->services, 1);
  fx_free (f);
}

/* ---- location, co-location and sensitive services of every window count ---- */

static void
expect_same_guess (const MlPlaceGuess *a, const MlPlaceGuess *b)
{
  CU_ASSERT_EQUAL (a->found, b->found);
  if (!a->found || !b->found)
    return;
  CU_ASSERT (a->lat == b->lat && a->lon == b->lon);
  CU_ASSERT (a->radius_km == b->radius_km);
  CU_ASSERT (a->confidence == b->confidence);
  CU_ASSERT_EQUAL (a->support, b->support);
  CU_ASSERT_EQUAL (a->cls, b->cls);
}

static void
expect_same_location (const MlLocation *a, const MlLocation *b)
{
  expect_same_guess (&a->home, &b->home);
  expect_same_guess (&a->work, &b->work);
  CU_ASSERT_EQUAL (a->home_ip, b->home_ip);
  CU_ASSERT_EQUAL (a->work_ip, b->work_ip);
  CU_ASSERT (memcmp (a->class_counts, b->class_counts, sizeof a->class_counts) == 0);
  CU_ASSERT_EQUAL_FATAL (a->timeline->len, b->timeline->len);
  for (guint i = 0; i < a->timeline->len; i++)
    {
      const MlTimelinePoint *x = &g_array_index (a->timeline, MlTimelinePoint, i);
      const MlTimelinePoint *y = &g_array_index (b->timeline, MlTimelinePoint, i);
      CU_ASSERT (x->ts == y->ts && x->ip == y->ip && x->cls == y->cls);
    }
  CU_ASSERT_EQUAL_FATAL (a->trips->len, b->trips->len);
  for (guint i = 0; i < a->trips->len; i++)
    {
      const MlTrip *x = &g_array_index (a->trips, MlTrip, i), *y = &g_array_index (b->trips, MlTrip, i);
      CU_ASSERT (x->start == y->start && x->end == y->end);
      CU_ASSERT (x->lat == y->lat && x->lon == y->lon && x->km_from_home == y->km_from_home);
      CU_ASSERT_STRING_EQUAL (x->city, y->city);
    }
}

/* A random log of target T over WINDOWS 30-day windows: own lookups from
 * home broadband (mostly at night), a corporate IP and a café (weekday
 * daytime), cellular egresses near and far, an antenna pair (night bins);
 * others' lookups from the target's IPs, some within the hour; sensitive
 * services.  SHUFFLE: windows that do not rise with time.  ANTENNAS: a
 * call-detail log, three antennas and nothing else (home by night bins). */
static Fx *
fx_random_places (GRand *rand, int windows, gboolean shuffle, gboolean antennas)
{
  Fx *f = fx_new ();
  static const gint64 ips[] = { IP_HOME1, IP_HOME2, IP_WORK, IP_CELL, IP_HOTEL, IP_FRIEND, IP_CELL_TRIP, 8, 9 };
  int rows = g_rand_int_range (rand, 50, 600);

  f->ev.n_windows = windows;
  fx_target (f, T, 1);
  fx_ip (f, IP_HOME1, ML_IP_BROADBAND, HOME_LAT, HOME_LON, 10, "Home City");
  fx_ip (f, IP_HOME2, ML_IP_BROADBAND, HOME_LAT + 0.001, HOME_LON, 10, "Home City");
  fx_ip (f, IP_WORK, ML_IP_BUSINESS, WORK_LAT, WORK_LON, 3, "Home City");
  fx_ip (f, IP_CELL, ML_IP_CELLULAR, 49.5, 1.0, 200, "Egress City");
  fx_ip (f, IP_HOTEL, ML_IP_WIFI, TRIP_LAT, TRIP_LON, 20, "Trip City");
  fx_ip (f, IP_FRIEND, ML_IP_BROADBAND, 48.80, 2.40, 8, "Home City");
  fx_ip (f, IP_CELL_TRIP, ML_IP_CELLULAR, TRIP_LAT, TRIP_LON, 200, "Trip City");
  fx_ip (f, 8, ML_IP_ANTENNA, 48.86, 2.36, 2, "Home City");
  fx_ip (f, 9, ML_IP_ANTENNA, 48.87, 2.37, 2, "Home City");
  fx_ip (f, 10, ML_IP_ANTENNA, 48.88, 2.38, 2, "Home City");
  fx_dir (f, 300, "pharmacy", TRUE);
  fx_dir (f, 301, "pharmacy", TRUE);
  fx_dir (f, 302, "legal", TRUE);
  fx_dir (f, 303, "bakery", FALSE);
  for (int i = 0; i < rows; i++)
    {
      int day = g_rand_int_range (rand, 0, windows * 30);
      gint64 ip = antennas ? 8 + g_rand_int_range (rand, 0, 3) : ips[g_rand_int_range (rand, 0, G_N_ELEMENTS (ips))];
      double hour = ip == IP_HOME1 || ip == IP_HOME2 || ip >= 8 ? (g_rand_boolean (rand) ? 23.5 : 2.0)
                                                                 : g_rand_double_range (rand, 8, 18);
      MlTime t = at (day, hour) + g_rand_int_range (rand, 0, 1800);
      int w = shuffle ? g_rand_int_range (rand, 0, windows) : day / 30;
      gint64 other = g_rand_int_range (rand, 0, 5) == 0 ? 300 + g_rand_int_range (rand, 0, 4)
                                                          : 100 + g_rand_int_range (rand, 0, 30);
      fx_row (f, t, T, other, ip, w);
      /* a housemate or a co-worker within the hour, sometimes */
      if (g_rand_int_range (rand, 0, 3) == 0)
        fx_row (f, t + g_rand_int_range (rand, -3000, 3000), 200 + g_rand_int_range (rand, 0, 5), other, ip,
                shuffle ? g_rand_int_range (rand, 0, windows) : CLAMP (day / 30 + (g_rand_int_range (rand, 0, 8) == 0), 0, windows - 1));
    }
  fx_index (f);
  return f;
}

/* Location, co-location and sensitive services of every window count in one
 * pass are those of each count alone. */
static void
test_places_of_every_window_count_match_each_alone (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  guint homes = 0, colocated = 0, hits = 0, trips = 0;

  for (int round = 0; round < 60; round++)
    {
      int windows = 1 + round % 7;
      Fx *f = fx_random_places (rand, windows, round % 4 == 3, round % 5 == 4);
      MlLocation *locs[64] = { NULL };
      GArray *co[64] = { NULL }, *sens[64] = { NULL };
      ml_infer_location_each (&f->ev, T, windows, locs);
      ml_infer_colocation_each (&f->ev, T, windows, locs, co);
      ml_infer_sensitive_each (&f->ev, T, windows, sens);
      for (int n = 1; n <= windows; n++)
        {
          g_autoptr(MlLocation) loc = ml_infer_location (&f->ev, T, n);
          g_autoptr(GArray) c = ml_infer_colocation (&f->ev, T, n, loc);
          g_autoptr(GArray) h = ml_infer_sensitive (&f->ev, T, n);
          expect_same_location (locs[n - 1], loc);
          homes += loc->home.found;
          trips += loc->trips->len;
          CU_ASSERT_EQUAL_FATAL (co[n - 1]->len, c->len);
          for (guint k = 0; k < c->len; k++)
            {
              const MlCoLocated *x = &g_array_index (co[n - 1], MlCoLocated, k), *y = &g_array_index (c, MlCoLocated, k);
              CU_ASSERT (x->handle == y->handle && x->kind == y->kind);
              CU_ASSERT (x->shared_hours == y->shared_hours && x->shared_days == y->shared_days);
              CU_ASSERT (x->confidence == y->confidence);
            }
          colocated += c->len;
          CU_ASSERT_EQUAL_FATAL (sens[n - 1]->len, h->len);
          for (guint k = 0; k < h->len; k++)
            {
              const MlSensitiveHit *x = &g_array_index (sens[n - 1], MlSensitiveHit, k);
              const MlSensitiveHit *y = &g_array_index (h, MlSensitiveHit, k);
              CU_ASSERT_STRING_EQUAL (x->category, y->category);
              CU_ASSERT (x->lookups == y->lookups && x->services == y->services && x->first == y->first);
            }
          hits += h->len;
          ml_location_free (locs[n - 1]);
          g_array_unref (co[n - 1]);
          g_array_unref (sens[n - 1]);
        }
      fx_free (f);
    }
  CU_ASSERT (homes > 50);
  CU_ASSERT (colocated > 100);
  CU_ASSERT (hits > 50);
  CU_ASSERT (trips > 20);
}

/* ---- rhythm ---- */

/* Two weeks of a 23:00-07:00 sleeper: two lookups each hour 07-22. */
static Fx *
fx_sleeper (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  for (int d = 0; d < 14; d++)
    for (int h = 7; h <= 22; h++)
      {
        fx_row (f, at (d, h + 0.1), T, 10, 1, 0);
        fx_row (f, at (d, h + 0.6), T, 11, 1, 0);
      }
  return f;
}

static void
test_the_sleep_window_of_a_23_to_7_sleeper_is_found (void)
{
  Fx *f = fx_sleeper ();
  fx_index (f);
  MlRhythm r;
  ml_infer_rhythm (&f->ev, T, 1, &r);

  CU_ASSERT_EQUAL (r.total, 14 * 16 * 2);
  CU_ASSERT_EQUAL (r.counts[0][7], 4);                   /* two Mondays */
  CU_ASSERT_EQUAL (r.counts[6][22], 4);
  CU_ASSERT_EQUAL (r.counts[2][3], 0);
  CU_ASSERT_EQUAL (r.sleep_start_h, 23);
  CU_ASSERT_EQUAL (r.sleep_end_h, 7);
  ML_ASSERT_CLOSE (r.sleep_confidence, 1.0, 1e-12);
  fx_free (f);
}

static void
test_a_sleepless_lookup_lowers_the_sleep_confidence (void)
{
  Fx *f = fx_sleeper ();
  fx_row (f, at (3, 3.5), T, 12, 1, 0);
  fx_index (f);
  MlRhythm r;
  ml_infer_rhythm (&f->ev, T, 1, &r);

  CU_ASSERT_EQUAL (r.sleep_start_h, 23);
  CU_ASSERT_EQUAL (r.sleep_end_h, 7);
  ML_ASSERT_CLOSE (r.sleep_confidence, 1.0 - 1.0 / (14 * 16 * 2 + 1), 1e-12);
  ml_infer_rhythm (&f->ev, T2, 1, &r);
  CU_ASSERT_EQUAL (r.total, 0);
  CU_ASSERT_EQUAL (r.sleep_start_h, -1);
  fx_free (f);
}

static void
test_a_trough_longer_than_five_hours_is_widened_while_quiet (void)
{
  Fx *f = fx_new ();
  fx_target (f, T, 1);
  for (int d = 0; d < 14; d++)
    for (int h = 8; h <= 22; h++)
      {
        fx_row (f, at (d, h + 0.1), T, 10, 1, 0);
        fx_row (f, at (d, h + 0.6), T, 11, 1, 0);
      }
  for (int h = 0; h < 9; h++)
    fx_row (f, at (0, 23 + h + 0.5), T, 12, 1, 0);       /* one lookup each hour 23-07 */
  fx_index (f);
  MlRhythm r;
  ml_infer_rhythm (&f->ev, T, 1, &r);

  CU_ASSERT_EQUAL (r.total, 14 * 15 * 2 + 9);
  CU_ASSERT_EQUAL (r.sleep_start_h, 23);
  CU_ASSERT_EQUAL (r.sleep_end_h, 8);
  ML_ASSERT_CLOSE (r.sleep_confidence, 1.0 - 9.0 / r.total, 1e-12);
  fx_free (f);
}

static CU_TestInfo contact_tests[] = {
  { "contacts count out, in and mutual lookups", test_contacts_count_out_in_and_mutual_lookups },
  { "a bulk burst is detected and ranks below a weekly contact", test_bulk_burst_is_detected_and_ranks_below_a_weekly_contact },
  { "a burst of another handle marks its lookup of the target as bulk", test_a_burst_of_another_handle_marks_its_lookup_of_the_target_as_bulk },
  { "a reciprocal contact ranks above a one-way contact", test_reciprocal_contact_ranks_above_a_one_way_contact },
  { "evening and recent contacts score higher", test_evening_and_recent_contacts_score_higher },
  { "contacts of every window count in one pass match each alone", test_contacts_of_every_window_count_match_each_alone },
  { "n_windows restricts the rows counted", test_n_windows_restricts_the_rows_counted },
  { "services are ranked but not reported", test_services_are_ranked_but_not_reported },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo hop_tests[] = {
  { "hops reach a small graph in two hops", test_hops_reach_a_small_graph_in_two_hops },
  { "hops identify a service as the hub", test_hops_identify_a_service_as_the_hub },
  { "hops of every window count match one search each", test_hops_of_every_window_count_match_one_search_each },
  { "a hub counts neighbours another hub reached first", test_a_hub_counts_neighbours_another_hub_reached_first },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo location_tests[] = {
  { "home is night broadband, not the busier daytime business IP", test_home_is_night_broadband_not_the_busier_daytime_business_ip },
  { "work is the weekday business IP", test_work_is_the_weekday_business_ip },
  { "a trip to a hotel 590 km away is detected", test_a_trip_to_a_hotel_590_km_away_is_detected },
  { "a business IP is preferred for work over a busier hotspot", test_a_business_ip_is_preferred_for_work_over_a_busier_hotspot },
  { "home counts distinct nights, not lookups", test_home_counts_distinct_nights_not_lookups },
  { "cellular lookups never make a home", test_cellular_lookups_never_make_a_home },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo colocation_tests[] = {
  { "a housemate and a co-worker are found behind the target's IPs", test_a_housemate_and_a_coworker_are_found_behind_the_targets_ips },
  { "co-location is empty without other handles' rows on the IPs", test_colocation_is_empty_without_other_handles_rows_on_the_ips },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo sensitive_tests[] = {
  { "sensitive lookups are counted by category", test_sensitive_lookups_are_counted_by_category },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo each_tests[] = {
  { "location, co-location and sensitive of every window count match each alone",
    test_places_of_every_window_count_match_each_alone },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo rhythm_tests[] = {
  { "the sleep window of a 23:00-07:00 sleeper is found", test_the_sleep_window_of_a_23_to_7_sleeper_is_found },
  { "a sleepless lookup lowers the sleep confidence", test_a_sleepless_lookup_lowers_the_sleep_confidence },
  { "a trough longer than five hours is widened while quiet", test_a_trough_longer_than_five_hours_is_widened_while_quiet },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "contacts", .pTests = contact_tests },
  { .pName = "hops", .pTests = hop_tests },
  { .pName = "location", .pTests = location_tests },
  { .pName = "co-location", .pTests = colocation_tests },
  { .pName = "sensitive services", .pTests = sensitive_tests },
  { .pName = "every window count", .pTests = each_tests },
  { .pName = "rhythm", .pTests = rhythm_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
