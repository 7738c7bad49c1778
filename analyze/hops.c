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
 * of its rows in ev->by_handle.  Workload: once per case and window count;
 * linear in the rows of the handles at distance 0 .. hops.
 */
#include "analyze/infer.h"
#include "common/rng.h"

typedef struct {
  gint64 handle;
  int dist;                     /* -1: an empty slot */
  gint64 stamp;                 /* the last hub that counted this node */
} Node;

/* The nodes reached, in an open-addressing table (linear probing, at most
 * half full): the search looks one up per evidence row it crosses. */
typedef struct {
  Node *slots;
  gsize mask, used;
} Nodes;

typedef struct {
  gint64 hub;
  guint32 added;
} Hub;

static void
nodes_init (Nodes *t, gsize capacity)
{
  t->slots = g_new (Node, capacity);
  for (gsize i = 0; i < capacity; i++)
    t->slots[i].dist = -1;
  t->mask = capacity - 1;
  t->used = 0;
}

static Node *
nodes_slot (const Nodes *t, gint64 handle)
{
  gsize i = ml_hash64 ((guint64) handle) & t->mask;

  while (t->slots[i].dist >= 0 && t->slots[i].handle != handle)
    i = (i + 1) & t->mask;
  return &t->slots[i];
}

/* The node of HANDLE, or NULL.  Valid until the next nodes_add(). */
static Node *
nodes_lookup (const Nodes *t, gint64 handle)
{
  Node *n = nodes_slot (t, handle);

  return n->dist >= 0 ? n : NULL;
}

static void
nodes_add (Nodes *t, gint64 handle, int dist, gint64 stamp)
{
  if (2 * (t->used + 1) > t->mask + 1)
    {
      Node *old = t->slots;
      gsize n = t->mask + 1;
      nodes_init (t, 2 * n);
      for (gsize i = 0; i < n; i++)
        if (old[i].dist >= 0)
          {
            *nodes_slot (t, old[i].handle) = old[i];
            t->used++;
          }
      g_free (old);
    }
  *nodes_slot (t, handle) = (Node) { handle, dist, stamp };
  t->used++;
}

/* Neighbours of H at distance K + 1: new ones go to NEXT; returns how many
 * distinct ones H reaches (new, or first found by an earlier hub of K). */
static guint32
expand_one (const MlEvidence *ev, Nodes *nodes, gint64 h, int k, int n_windows, GArray *next)
{
  const GArray *rows = ml_evidence_rows_of (ev, h);
  guint32 added = 0;

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (rows, guint, i));
      gint64 other = r->source == h ? r->lookup : r->source;
      if (!ml_ev_in_windows (r, n_windows) || other == h)
        continue;
      Node *n = nodes_lookup (nodes, other);
      if (n == NULL)
        {
          nodes_add (nodes, other, k + 1, h);
          g_array_append_val (next, other);
          added++;
        }
      else if (n->dist == k + 1 && n->stamp != h)
        {
          n->stamp = h;
          added++;
        }
    }
  return added;
}

/* Expand FRONTIER (the handles at distance K) into NEXT; returns the hub. */
static Hub
expand (const MlEvidence *ev, Nodes *nodes, const GArray *frontier, int k, int n_windows,
        GArray *next)
{
  Hub best = { 0, 0 };

  for (guint i = 0; i < frontier->len; i++)
    {
      gint64 h = g_array_index (frontier, gint64, i);
      guint32 added = expand_one (ev, nodes, h, k, n_windows, next);
      if (added > best.added || (added == best.added && added > 0 && h < best.hub))
        best = (Hub) { h, added };
    }
  return best;
}

/* The named targets, each once, as distance-0 nodes. */
static GArray *
named_targets (const MlEvidence *ev, Nodes *nodes)
{
  GArray *frontier = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; ev->targets != NULL && i < ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (ev->targets, MlTarget, i);
      if (t->hop != 1 || nodes_lookup (nodes, t->handle) != NULL)
        continue;
      nodes_add (nodes, t->handle, 0, 0);
      g_array_append_val (frontier, t->handle);
    }
  return frontier;
}

GArray *
ml_infer_hops (const MlEvidence *ev, int n_windows)
{
  g_return_val_if_fail (ev != NULL, NULL);
  int hops = MAX (1, ev->c != NULL ? ev->c->hops : 1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (MlHopReach));
  Nodes nodes;
  g_autoptr(GArray) frontier = NULL;

  nodes_init (&nodes, 1024);
  frontier = named_targets (ev, &nodes);
  guint32 reached = 0;

  for (int k = 0; k <= hops; k++)
    {
      g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (gint64));
      Hub hub = expand (ev, &nodes, frontier, k, n_windows, next);
      if (k > 0)
        {
          reached += frontier->len;
          MlHopReach h = {
            .hop = k, .reached = reached, .added = frontier->len,
            .top_hub = hub.hub, .top_hub_added = hub.added,
            .top_hub_is_service = hub.hub != 0 && ml_evidence_directory (ev, hub.hub) != NULL,
          };
          g_array_append_val (out, h);
        }
      g_array_unref (g_steal_pointer (&frontier));
      frontier = g_steal_pointer (&next);
    }
  g_free (nodes.slots);
  return out;
}
