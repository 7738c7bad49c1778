/* hops.c -- how far the lookup graph reaches from the named targets.
 *
 * The lookup graph has an (undirected) edge between the source and the
 * lookup handle of every evidence row in the first N windows.  A
 * breadth-first search from the named targets (ev->targets with hop 1)
 * gives, for hop k = 1 .. the case's hops, the handles within k edges
 * (named targets excluded) and the ones new at k.  The hub of hop k is the
 * handle at distance k with the most distinct neighbours at distance k + 1:
 * when it is a directory service (a hotline, a pharmacy), hop expansion
 * through it sweeps in strangers who merely share a service (Mayer,
 * Mutchler & Mitchell, PNAS 113:5536, 2016: within three hops of one
 * number, most of the population, through such hubs).
 *
 * The graph is never built: the neighbours of a handle are the other ends
 * of its rows in ev->by_handle.  One search serves every window count
 * N = 1 .. n_max at once: each node carries bit masks of the counts at
 * which it is reached and at which it is at the current distance, and a
 * row of window w carries the counts w+1 .. n_max.  This is the union of
 * n_max breadth-first searches, each restricted to its own rows, for the
 * cost of one: linear in the rows of the handles at distance 0 .. hops
 * (test-infer checks it against one plain search per count).
 */
#include <string.h>

#include "analyze/infer.h"
#include "common/rng.h"

/* Bit N-1 of a WinMask stands for the first N windows (N <= 64; cases
 * have at most 25). */
typedef guint64 WinMask;

typedef struct {
  gint64 handle;
  gboolean used;
  WinMask reached;              /* window counts at which the node is within the current hop */
  WinMask cur;                  /* ... at which it is at distance k (the frontier) */
  WinMask next;                 /* ... at which it is at distance k + 1 */
  WinMask seen;                 /* window counts at which hub STAMP counted it */
  gint64 stamp;                 /* the last hub that counted this node */
} Node;

/* The nodes reached, in an open-addressing table (linear probing, at most
 * half full): the search looks one up per evidence row it crosses.  Nodes
 * move when the table grows: frontiers hold handles. */
typedef struct {
  Node *slots;
  gsize mask, used;
} Nodes;

/* The hub of hop k at one window count. */
typedef struct {
  gint64 hub;
  guint32 added;
} Hub;

static void
nodes_init (Nodes *t, gsize capacity)
{
  t->slots = g_new0 (Node, capacity);
  t->mask = capacity - 1;
  t->used = 0;
}

static Node *
nodes_slot (const Nodes *t, gint64 handle)
{
  gsize i = ml_hash64 ((guint64) handle) & t->mask;

  while (t->slots[i].used && t->slots[i].handle != handle)
    i = (i + 1) & t->mask;
  return &t->slots[i];
}

/* The node of HANDLE, created (reached nowhere) if new.  Valid until the
 * next call. */
static Node *
nodes_get (Nodes *t, gint64 handle)
{
  Node *n = nodes_slot (t, handle);

  if (n->used)
    return n;
  if (2 * (t->used + 1) > t->mask + 1)
    {
      Node *old = t->slots;
      gsize cap = t->mask + 1;
      nodes_init (t, 2 * cap);
      for (gsize i = 0; i < cap; i++)
        if (old[i].used)
          {
            *nodes_slot (t, old[i].handle) = old[i];
            t->used++;
          }
      g_free (old);
      n = nodes_slot (t, handle);
    }
  *n = (Node) { .handle = handle, .used = TRUE };
  t->used++;
  return n;
}

/* The window counts that include a row of window W (0-based): W+1 .. all. */
static inline WinMask
from_window (guint w, WinMask all)
{
  return w >= 64 ? 0 : all & ~(((WinMask) 1 << w) - 1);
}

typedef struct {
  const MlEvidence *ev;
  Nodes nodes;
  WinMask all;                  /* bits of window counts 1 .. N */
  GArray *next;                 /* gint64: handles with a non-empty next mask */
  Hub *best;                    /* [n_max]: the hub of the current hop */
  guint32 *count;               /* [n_max]: the current handle's neighbours at k + 1 */
} Search;

/* Expand H (at distance k for the window counts in its cur mask): its
 * neighbours through rows inside those counts that are not reached yet
 * are at distance k + 1; then H competes for hub at each of those counts
 * with the number of distinct neighbours it has at k + 1 (new, or first
 * found by an earlier hub of k). */
static void
expand_one (Search *s, gint64 h)
{
  const GArray *rows = ml_evidence_rows_of (s->ev, h);
  WinMask at = nodes_get (&s->nodes, h)->cur, counted = 0;

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (s->ev->rows, MlEvRow, g_array_index (rows, guint, i));
      gint64 other = r->source == h ? r->lookup : r->source;
      WinMask q = at & from_window (r->window, s->all);
      if (q == 0 || other == h)
        continue;
      Node *n = nodes_get (&s->nodes, other);
      WinMask fresh = q & ~n->reached;
      if (fresh != 0)
        {
          if (n->next == 0)
            g_array_append_val (s->next, other);
          n->next |= fresh;
          n->reached |= fresh;
        }
      /* a hub of hop k may be a hub again at k + 1, at other window
       * counts: SEEN's bits from hop k are outside AT, so harmless */
      if (n->stamp != h)
        {
          n->stamp = h;
          n->seen = 0;
        }
      /* window counts at which OTHER is at k + 1 through H, not yet counted for H */
      WinMask add = q & n->next & ~n->seen;
      n->seen |= add;
      counted |= add;
      for (; add != 0; add &= add - 1)
        s->count[__builtin_ctzll (add)]++;
    }
  for (WinMask m = at; m != 0; m &= m - 1)
    {
      int b = __builtin_ctzll (m);
      guint32 added = s->count[b];
      if (added > s->best[b].added || (added == s->best[b].added && added > 0 && h < s->best[b].hub))
        s->best[b] = (Hub) { h, added };
    }
  for (; counted != 0; counted &= counted - 1)
    s->count[__builtin_ctzll (counted)] = 0;
}

/* The named targets, each once, at distance 0 at every window count. */
static GArray *
named_targets (Search *s)
{
  const MlEvidence *ev = s->ev;
  GArray *frontier = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; ev->targets != NULL && i < ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (ev->targets, MlTarget, i);
      Node *n;
      if (t->hop != 1)
        continue;
      n = nodes_get (&s->nodes, t->handle);
      if (n->reached != 0)
        continue;
      n->reached = n->cur = s->all;
      g_array_append_val (frontier, t->handle);
    }
  return frontier;
}

GArray **
ml_infer_hops_all (const MlEvidence *ev, int n_max)
{
  g_return_val_if_fail (ev != NULL && n_max >= 1 && n_max <= 64, NULL);
  int hops = MAX (1, ev->c != NULL ? ev->c->hops : 1);
  GArray **out = g_new0 (GArray *, n_max);
  g_autofree guint32 *reached = g_new0 (guint32, n_max);
  g_autofree guint32 *added = g_new0 (guint32, n_max);
  Search s = { .ev = ev };
  GArray *frontier;

  s.all = n_max == 64 ? ~(WinMask) 0 : ((WinMask) 1 << n_max) - 1;
  s.best = g_new0 (Hub, n_max);
  s.count = g_new0 (guint32, n_max);
  nodes_init (&s.nodes, 1024);
  for (int n = 0; n < n_max; n++)
    out[n] = g_array_new (FALSE, FALSE, sizeof (MlHopReach));
  frontier = named_targets (&s);

  for (int k = 0; k <= hops; k++)
    {
      s.next = g_array_new (FALSE, FALSE, sizeof (gint64));
      memset (s.best, 0, n_max * sizeof *s.best);
      memset (added, 0, n_max * sizeof *added);
      for (guint i = 0; i < frontier->len; i++)
        {
          gint64 h = g_array_index (frontier, gint64, i);
          if (k > 0)
            for (WinMask m = nodes_get (&s.nodes, h)->cur; m != 0; m &= m - 1)
              added[__builtin_ctzll (m)]++;
          expand_one (&s, h);
        }
      for (int n = 0; k > 0 && n < n_max; n++)
        {
          reached[n] += added[n];
          MlHopReach r = {
            .hop = k, .reached = reached[n], .added = added[n],
            .top_hub = s.best[n].hub, .top_hub_added = s.best[n].added,
            .top_hub_is_service = s.best[n].hub != 0 && ml_evidence_directory (ev, s.best[n].hub) != NULL,
          };
          g_array_append_val (out[n], r);
        }
      /* hop k + 1 becomes the frontier */
      for (guint i = 0; i < frontier->len; i++)
        nodes_get (&s.nodes, g_array_index (frontier, gint64, i))->cur = 0;
      for (guint i = 0; i < s.next->len; i++)
        {
          Node *n = nodes_get (&s.nodes, g_array_index (s.next, gint64, i));
          n->cur = n->next;
          n->next = 0;
        }
      g_array_unref (frontier);
      frontier = g_steal_pointer (&s.next);
    }
  g_array_unref (frontier);
  g_free (s.nodes.slots);
  g_free (s.best);
  g_free (s.count);
  return out;
}

GArray *
ml_infer_hops (const MlEvidence *ev, int n_windows)
{
  g_return_val_if_fail (ev != NULL && n_windows >= 1 && n_windows <= 64, NULL);
  GArray **all = ml_infer_hops_all (ev, n_windows);
  GArray *out = all[n_windows - 1];

  for (int n = 0; n < n_windows - 1; n++)
    g_array_unref (all[n]);
  g_free (all);
  return out;
}
