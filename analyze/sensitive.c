/* sensitive.c -- the sensitive services the target looked up.
 *
 * The public business directory (RUN/directory.csv, ev->directory) marks
 * some categories sensitive: health, pharmacies, legal, religious,
 * firearms, political, adult, marijuana dispensaries, the MetaPhone
 * categories (Mayer, Mutchler & Mitchell, PNAS 113:5536, 2016: calls to
 * such numbers reveal conditions, beliefs and plans).  A lookup of such a
 * handle by the target (pen-register rows, source = target) is the hit:
 * the phone asks before the first message or call over iMessage.  Per
 * category: the lookups, the distinct services and the first lookup.  A
 * lookup of the target BY a service (trap rows) is not counted: it says
 * the service has the number, not that the target chose the service.
 *
 * Workload: once per target and window count; linear in the target's rows
 * (a directory lookup and a hash probe per own lookup).
 */
#include <string.h>

#include "analyze/infer.h"

static MlSensitiveHit *
hit_of (GArray *hits, const char *category)
{
  for (guint i = 0; i < hits->len; i++)
    {
      MlSensitiveHit *h = &g_array_index (hits, MlSensitiveHit, i);
      if (strncmp (h->category, category, sizeof h->category - 1) == 0)
        return h;
    }
  MlSensitiveHit h = { .lookups = 0 };
  g_strlcpy (h.category, category, sizeof h.category);
  g_array_append_val (hits, h);
  return &g_array_index (hits, MlSensitiveHit, hits->len - 1);
}

static gint
by_lookups (gconstpointer pa, gconstpointer pb)
{
  const MlSensitiveHit *a = pa, *b = pb;

  if (a->lookups != b->lookups)
    return a->lookups > b->lookups ? -1 : 1;
  return strcmp (a->category, b->category);
}

GArray *
ml_infer_sensitive (const MlEvidence *ev, gint64 target, int n_windows)
{
  g_return_val_if_fail (ev != NULL, NULL);
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (MlSensitiveHit));
  const GArray *rows = ml_evidence_rows_of (ev, target);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (rows, guint, i));
      const MlDirEntry *d;
      if (r->source != target || !ml_ev_in_windows (r, n_windows)
          || (d = ml_evidence_directory (ev, r->lookup)) == NULL || !d->sensitive)
        continue;
      MlSensitiveHit *h = hit_of (hits, d->category != NULL ? d->category : "");
      if (h->lookups++ == 0)
        h->first = r->ts;
      if (g_hash_table_add (seen, (gpointer) &r->lookup))
        h->services++;
    }
  g_array_sort (hits, by_lookups);
  return hits;
}
