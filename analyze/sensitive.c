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
 * Workload: once per target; linear in the target's rows (a directory
 * lookup per own lookup), then per window count only the sensitive ones.
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

/* A sensitive lookup of the target's and the service it reached. */
typedef struct {
  const MlEvRow *row;
  const MlDirEntry *service;
} Lookup;

/* The hits among LOOKUPS (in row order) at N windows. */
static GArray *
hits_at (const GArray *lookups, int n_windows)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (MlSensitiveHit));
  g_autoptr(GHashTable) seen = ml_id_table_new (NULL);

  for (guint i = 0; i < lookups->len; i++)
    {
      const Lookup *l = &g_array_index (lookups, Lookup, i);
      if (!ml_ev_in_windows (l->row, n_windows))
        continue;
      MlSensitiveHit *h = hit_of (hits, l->service->category != NULL ? l->service->category : "");
      if (h->lookups++ == 0)
        h->first = l->row->ts;
      if (g_hash_table_add (seen, ML_ID_KEY (l->row->lookup)))
        h->services++;
    }
  g_array_sort (hits, by_lookups);
  return hits;
}

/* The target's own lookups of sensitive services in the first N_MAX
 * windows, in row order: few, so each window count re-reads only them. */
static GArray *
sensitive_lookups (const MlEvidence *ev, gint64 target, int n_max)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Lookup));
  const GArray *rows = ml_evidence_rows_of (ev, target);

  for (guint i = 0; i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (rows, guint, i));
      Lookup l = { r, NULL };
      if (r->source == target && ml_ev_in_windows (r, n_max)
          && (l.service = ml_evidence_directory (ev, r->lookup)) != NULL && l.service->sensitive)
        g_array_append_val (out, l);
    }
  return out;
}

GArray *
ml_infer_sensitive (const MlEvidence *ev, gint64 target, int n_windows)
{
  g_return_val_if_fail (ev != NULL, NULL);
  g_autoptr(GArray) lookups = sensitive_lookups (ev, target, n_windows);

  return hits_at (lookups, n_windows);
}

void
ml_infer_sensitive_each (const MlEvidence *ev, gint64 target, int n_max, GArray **out)
{
  g_return_if_fail (ev != NULL && out != NULL && n_max >= 1);
  g_autoptr(GArray) lookups = sensitive_lookups (ev, target, n_max);

  for (int n = 1; n <= n_max; n++)
    out[n - 1] = hits_at (lookups, n);
}
