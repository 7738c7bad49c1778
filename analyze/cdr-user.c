/* cdr-user.c -- one CDR user's records, and the antennas table.
 *
 * The in-memory model shared by the importer, the store and the indicators.
 * Strings are interned: a user's records refer to contacts and antenna ids
 * by index, so that indicators compare integers, and the strings themselves
 * live in one GStringChunk freed with the user.  The antennas table maps an
 * id to its coordinates with Python-dict semantics (the last row wins).
 *
 * Workload: interning runs twice per parsed row (10^6 times for a
 * benchmark import) through a caller-owned MlCdrIntern, without copying
 * the key; the string of the previous call is tried first (consecutive
 * rows often share an antenna or a correspondent), then the hash table,
 * which keeps each string's length so that it compares with memcmp.
 * Nothing here allocates per record besides the arrays' growth.
 */

#include <string.h>

#include "analyze/cdr.h"

const char *const ml_cdr_ignored_names[ML_CDR_IGN_N] = {
  "all", "interaction", "direction", "correspondent_id", "datetime", "call_duration", "location",
};

static void
drop_clear (gpointer p)
{
  MlCdrDrop *d = p;

  g_free (d->reason);
}

MlCdrUser *
ml_cdr_user_new (const char *name)
{
  MlCdrUser *u = g_new0 (MlCdrUser, 1);

  g_return_val_if_fail (name != NULL, NULL);
  u->name = g_strdup (name);
  u->records = g_array_new (FALSE, FALSE, sizeof (MlCdrRecord));
  u->contacts = g_ptr_array_new ();
  u->antennas = g_ptr_array_new ();
  u->coords = g_array_new (FALSE, FALSE, 2 * sizeof (double));
  u->strings = g_string_chunk_new (4096);
  u->drops = g_array_new (FALSE, FALSE, sizeof (MlCdrDrop));
  g_array_set_clear_func (u->drops, drop_clear);
  return u;
}

void
ml_cdr_user_free (MlCdrUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_array_unref (user->records);
  g_ptr_array_unref (user->contacts);
  g_ptr_array_unref (user->antennas);
  g_array_unref (user->coords);
  g_string_chunk_free (user->strings);
  g_array_unref (user->drops);
  g_free (user);
}

struct MlCdrIntern {
  guint32 *slot;   /* index + 1 into the array; 0 = empty */
  guint32 *hash;   /* the hash of the slot's string */
  guint32 *len;    /* the length of the slot's string */
  guint mask;      /* capacity - 1, a power of two */
  guint n;         /* strings */
  gint32 last;     /* the index returned last, -1 at first: rows often repeat it */
  gsize last_len;  /* its length */
};

MlCdrIntern *
ml_cdr_intern_new (void)
{
  MlCdrIntern *t = g_new0 (MlCdrIntern, 1);

  t->mask = 63;
  t->slot = g_new0 (guint32, t->mask + 1);
  t->hash = g_new0 (guint32, t->mask + 1);
  t->len = g_new0 (guint32, t->mask + 1);
  t->last = -1;
  return t;
}

void
ml_cdr_intern_free (MlCdrIntern *t)
{
  if (t == NULL)
    return;
  g_free (t->slot);
  g_free (t->hash);
  g_free (t->len);
  g_free (t);
}

static guint32
fnv1a (const char *s, gsize len)
{
  guint32 h = 2166136261u;

  for (gsize i = 0; i < len; i++)
    h = (h ^ (guint8) s[i]) * 16777619u;
  return h;
}

/* Put index IDX (with hash H, length LEN) into T, which has room. */
static void
intern_put (MlCdrIntern *t, guint32 h, guint32 len, guint32 idx)
{
  guint i = h & t->mask;

  while (t->slot[i] != 0)
    i = (i + 1) & t->mask;
  t->slot[i] = idx + 1;
  t->hash[i] = h;
  t->len[i] = len;
}

static void
intern_grow (MlCdrIntern *t)
{
  guint32 *slot = t->slot, *hash = t->hash, *len = t->len;
  guint cap = t->mask + 1;

  t->mask = 2 * cap - 1;
  t->slot = g_new0 (guint32, 2 * cap);
  t->hash = g_new0 (guint32, 2 * cap);
  t->len = g_new0 (guint32, 2 * cap);
  for (guint i = 0; i < cap; i++)
    if (slot[i] != 0)
      intern_put (t, hash[i], len[i], slot[i] - 1);
  g_free (slot);
  g_free (hash);
  g_free (len);
}

/* Whether A[0..LEN) and B[0..LEN) are the same bytes.  Ids are short
 * (5-10 bytes): two overlapping word compares, never reading outside
 * [0, LEN), beat calling memcmp. */
static inline gboolean
same_bytes (const char *a, const char *b, gsize len)
{
  if (len >= 8 && len <= 16)
    {
      guint64 x, y, u, v;
      memcpy (&x, a, 8), memcpy (&y, b, 8);
      memcpy (&u, a + len - 8, 8), memcpy (&v, b + len - 8, 8);
      return x == y && u == v;
    }
  if (len >= 4 && len < 8)
    {
      guint32 x, y, u, v;
      memcpy (&x, a, 4), memcpy (&y, b, 4);
      memcpy (&u, a + len - 4, 4), memcpy (&v, b + len - 4, 4);
      return x == y && u == v;
    }
  return memcmp (a, b, len) == 0;
}

/* The index of S[0..LEN) (hash H) in T, or -1. */
static gint32
intern_lookup (const MlCdrIntern *t, const GPtrArray *array, guint32 h, const char *s, gsize len)
{
  for (guint i = h & t->mask; t->slot[i] != 0; i = (i + 1) & t->mask)
    if (t->hash[i] == h && t->len[i] == len && same_bytes (g_ptr_array_index (array, t->slot[i] - 1), s, len))
      return (gint32) t->slot[i] - 1;
  return -1;
}

gint32
ml_cdr_user_intern (MlCdrUser *user, GPtrArray *array, MlCdrIntern *t, const char *s, gsize len)
{
  guint32 h;
  gint32 idx;

  g_return_val_if_fail (len < G_MAXUINT32, -1);
  if (t->last >= 0 && t->last_len == len && same_bytes (g_ptr_array_index (array, t->last), s, len))
    return t->last;
  h = fnv1a (s, len);
  if ((idx = intern_lookup (t, array, h, s, len)) < 0)
    {
      g_ptr_array_add (array, g_string_chunk_insert_len (user->strings, s, (gssize) len));
      if (2 * (t->n + 1) > t->mask)
        intern_grow (t);
      idx = (gint32) array->len - 1;
      intern_put (t, h, (guint32) len, (guint32) idx);
      t->n++;
    }
  t->last = idx;
  t->last_len = len;
  return idx;
}

MlCdrAntennas *
ml_cdr_antennas_new (void)
{
  MlCdrAntennas *a = g_new0 (MlCdrAntennas, 1);

  a->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  a->coords = g_array_new (FALSE, FALSE, 2 * sizeof (double));
  a->ids = g_ptr_array_new_with_free_func (g_free);
  a->drops = g_array_new (FALSE, FALSE, sizeof (MlCdrDrop));
  g_array_set_clear_func (a->drops, drop_clear);
  return a;
}

void
ml_cdr_antennas_free (MlCdrAntennas *a)
{
  if (a == NULL)
    return;
  g_hash_table_unref (a->by_id);
  g_array_unref (a->coords);
  g_ptr_array_unref (a->ids);
  g_array_unref (a->drops);
  g_free (a->path);
  g_free (a);
}

void
ml_cdr_antennas_set (MlCdrAntennas *a, const char *id, double lat, double lon)
{
  double ll[2] = { lat, lon };
  gpointer found;
  char *copy;

  g_return_if_fail (a != NULL && id != NULL);
  found = g_hash_table_lookup (a->by_id, id);
  if (found != NULL)
    {
      g_array_index (a->coords, double, 2 * (GPOINTER_TO_UINT (found) - 1)) = lat;
      g_array_index (a->coords, double, 2 * (GPOINTER_TO_UINT (found) - 1) + 1) = lon;
      return;
    }
  copy = g_strdup (id);
  g_ptr_array_add (a->ids, copy);
  g_array_append_vals (a->coords, ll, 1);
  g_hash_table_insert (a->by_id, copy, GUINT_TO_POINTER (a->ids->len));
}

gboolean
ml_cdr_antennas_lookup (const MlCdrAntennas *a, const char *id, double *lat, double *lon)
{
  gpointer found;
  guint i;

  if (a == NULL || id == NULL)
    return FALSE;
  found = g_hash_table_lookup (a->by_id, id);
  if (found == NULL)
    return FALSE;
  i = GPOINTER_TO_UINT (found) - 1;
  *lat = g_array_index (a->coords, double, 2 * i);
  *lon = g_array_index (a->coords, double, 2 * i + 1);
  return TRUE;
}
