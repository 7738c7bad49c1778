/* evindex.c -- lookups into the evidence: rows by handle, IP answers, directory.
 *
 * Implements the helpers declared in analysis.h and infer.h.  The
 * per-handle index maps every handle that appears in a row (as source or as
 * lookup) to the indices of its rows in ev->rows; rows are sorted by time,
 * so every index array is in time order too.  Tables are keyed by owned
 * gint64 (g_int64_hash / g_int64_equal).
 *
 * Workload: ml_evidence_index() runs once per evidence, two hash probes per
 * row (10^7 rows in about a second); the lookups run per inference call.
 */

#include "analyze/analysis.h"
#include "analyze/infer.h"

/* The index array of HANDLE in T, made on first use (borrowed). */
static GArray *
rows_array (GHashTable *t, gint64 handle)
{
  GArray *a = g_hash_table_lookup (t, &handle);

  if (a == NULL)
    {
      a = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_insert (t, g_memdup2 (&handle, sizeof handle), a);
    }
  return a;
}

void
ml_evidence_index (MlEvidence *ev)
{
  GHashTable *t;
  GArray *last = NULL;        /* the array of LAST_HANDLE: consecutive rows often share a source */
  gint64 last_handle = 0;

  g_return_if_fail (ev != NULL && ev->rows != NULL);
  t = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      if (last == NULL || r->source != last_handle)
        {
          last = rows_array (t, r->source);
          last_handle = r->source;
        }
      g_array_append_val (last, i);
      if (r->lookup != r->source)
        g_array_append_val (rows_array (t, r->lookup), i);
    }
  if (ev->by_handle != NULL)
    g_hash_table_unref (ev->by_handle);
  ev->by_handle = t;
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
  a = g_hash_table_lookup (ev->by_handle, &target);
  return a != NULL ? a : no_rows ();
}

const MlIpInfo *
ml_evidence_ip (const MlEvidence *ev, gint64 ip)
{
  g_return_val_if_fail (ev != NULL, NULL);
  return ev->ipinfo != NULL ? g_hash_table_lookup (ev->ipinfo, &ip) : NULL;
}

const MlDirEntry *
ml_evidence_directory (const MlEvidence *ev, gint64 handle)
{
  g_return_val_if_fail (ev != NULL, NULL);
  return ev->directory != NULL ? g_hash_table_lookup (ev->directory, &handle) : NULL;
}
