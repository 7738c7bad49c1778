/* evindex.c -- lookups into the evidence: rows by handle, IP answers, directory.
 *
 * Implements the helpers declared in analysis.h and infer.h.  The
 * per-handle index maps every handle that appears in a row (as source or as
 * lookup) to the indices of its rows in ev->rows, the per-IP index every
 * client IP to the rows sent from it; rows are sorted by time, so every
 * index array is in time order too.  Tables are keyed by owned
 * gint64 (g_int64_hash / g_int64_equal).
 *
 * Workload: ml_evidence_index() runs once per evidence: two passes over
 * the rows with an open-addressing table (count, then fill arrays of the
 * exact size), then one GHashTable insert per distinct handle, for each of
 * the two indexes (on two threads from INDEX_THREAD_MIN rows); the lookups
 * run per inference call.
 */

#include "analyze/analysis.h"
#include "analyze/infer.h"
#include "common/rng.h"

/* A handle's slot in the open-addressing table used while indexing. */
typedef struct {
  gint64 key;
  guint32 count;              /* rows of the handle */
  gboolean used;
  GArray *rows;               /* guint row indices, sized to COUNT */
} Slot;

typedef struct {
  Slot *slots;
  gsize mask;                 /* capacity - 1, capacity a power of two */
  gsize used;
} SlotTable;

static Slot *
slot_find (SlotTable *t, gint64 key)
{
  gsize i = ml_hash64 ((guint64) key) & t->mask;

  while (t->slots[i].used && t->slots[i].key != key)
    i = (i + 1) & t->mask;
  return &t->slots[i];
}

/* Double T's capacity, keeping its slots. */
static void
slot_grow (SlotTable *t)
{
  Slot *old = t->slots;
  gsize n = t->mask + 1;

  t->slots = g_new0 (Slot, 2 * n);
  t->mask = 2 * n - 1;
  for (gsize i = 0; i < n; i++)
    if (old[i].used)
      *slot_find (t, old[i].key) = old[i];
  g_free (old);
}

/* Count one more row of KEY. */
static void
slot_count (SlotTable *t, gint64 key)
{
  Slot *s = slot_find (t, key);

  if (!s->used)
    {
      if (2 * (t->used + 1) > t->mask + 1)
        {
          slot_grow (t);
          s = slot_find (t, key);
        }
      s->used = TRUE;
      s->key = key;
      t->used++;
    }
  s->count++;
}

/* Append row I to KEY's array (sized by the counting pass). */
static void
slot_fill (SlotTable *t, gint64 key, guint i)
{
  Slot *s = slot_find (t, key);

  if (s->rows == NULL)
    s->rows = g_array_sized_new (FALSE, FALSE, sizeof (guint), s->count);
  g_array_append_val (s->rows, i);
}

/* KEY's rows: a row's handles (source, and lookup when it differs) or its IP. */
typedef enum { BY_HANDLE, BY_IP } IndexKind;

/* A table gint64* key -> GArray of the indices of its rows in EV. */
static GHashTable *
index_rows (const MlEvidence *ev, IndexKind kind)
{
  SlotTable t = { g_new0 (Slot, 1024), 1023, 0 };
  GHashTable *h;

  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      if (kind == BY_IP)
        slot_count (&t, r->ip);
      else
        {
          slot_count (&t, r->source);
          if (r->lookup != r->source)
            slot_count (&t, r->lookup);
        }
    }
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      if (kind == BY_IP)
        slot_fill (&t, r->ip, i);
      else
        {
          slot_fill (&t, r->source, i);
          if (r->lookup != r->source)
            slot_fill (&t, r->lookup, i);
        }
    }
  h = ml_id_table_new ((GDestroyNotify) g_array_unref);
  for (gsize i = 0; i <= t.mask; i++)
    if (t.slots[i].used)
      g_hash_table_insert (h, ML_ID_KEY (t.slots[i].key), t.slots[i].rows);
  g_free (t.slots);
  return h;
}

/* Rows from which the IP index is built on a thread of its own. */
#define INDEX_THREAD_MIN 65536

static gpointer
index_by_ip (gpointer data)
{
  return index_rows (data, BY_IP);
}

void
ml_evidence_index (MlEvidence *ev)
{
  g_return_if_fail (ev != NULL && ev->rows != NULL);
  if (ev->by_handle != NULL)
    g_hash_table_unref (ev->by_handle);
  if (ev->by_ip != NULL)
    g_hash_table_unref (ev->by_ip);
  /* the two indexes are independent: the IP one on a thread beside */
  GThread *t = ev->rows->len >= INDEX_THREAD_MIN ? g_thread_new ("metaleak-index", index_by_ip, ev) : NULL;
  ev->by_handle = index_rows (ev, BY_HANDLE);
  ev->by_ip = t != NULL ? g_thread_join (t) : index_by_ip (ev);
}

/* An empty index array shared by every handle without rows (never freed). */
static const GArray *
no_rows (void)
{
  static GArray *empty;

  if (g_once_init_enter (&empty))
    g_once_init_leave (&empty, g_array_new (FALSE, FALSE, sizeof (guint)));
  return empty;
}

const GArray *
ml_evidence_rows_of (const MlEvidence *ev, gint64 target)
{
  const GArray *a;

  g_return_val_if_fail (ev != NULL && ev->by_handle != NULL, no_rows ());
  a = g_hash_table_lookup (ev->by_handle, ML_ID_KEY (target));
  return a != NULL ? a : no_rows ();
}

const GArray *
ml_evidence_rows_at (const MlEvidence *ev, gint64 ip)
{
  const GArray *a;

  g_return_val_if_fail (ev != NULL && ev->by_ip != NULL, no_rows ());
  a = g_hash_table_lookup (ev->by_ip, ML_ID_KEY (ip));
  return a != NULL ? a : no_rows ();
}

const MlIpInfo *
ml_evidence_ip (const MlEvidence *ev, gint64 ip)
{
  g_return_val_if_fail (ev != NULL, NULL);
  return ev->ipinfo != NULL ? g_hash_table_lookup (ev->ipinfo, ML_ID_KEY (ip)) : NULL;
}

const MlDirEntry *
ml_evidence_directory (const MlEvidence *ev, gint64 handle)
{
  g_return_val_if_fail (ev != NULL, NULL);
  return ev->directory != NULL ? g_hash_table_lookup (ev->directory, ML_ID_KEY (handle)) : NULL;
}
