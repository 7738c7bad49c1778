/* cdr-run.c -- `metaleak cdr indicators`: every user of a cdr.db, in parallel.
 *
 * The calling thread copies a batch of packed users out of cdr.db (with
 * --network it loads them, plus a private copy of each user's
 * correspondents present in the data, since bandicoot's reciprocity filter
 * edits them); the workers decode each user, compute its indicators and
 * format its row (common/parallel.h: one chunk per user, so the output does
 * not depend on the thread count); the calling thread writes the rows in
 * user order.  Only one thread touches the database, and what it does
 * alone (SQLite reads, fwrite) is a few per cent of the work: decoding and
 * formatting doubles, a third of it, run on every core.
 *
 * Invariant: at most one batch is in memory: memory is bounded by the
 * largest users, not by the dataset.
 *
 * Workload: 10^3-10^5 users; computing dominates, then formatting.
 */

#include "analyze/cdr-private.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "common/progress.h"

#define BATCH 64           /* users computed together */
#define NETWORK_BATCH 8    /* with --network: each user brings its correspondents */

typedef struct {
  const MlCdrOptions *o;
  const MlCdrStore *store;
  const MlCdrAntennas *antennas;
  const char *antennas_path;
  const MlCdrWriter *writer;
  guint start;              /* the batch's first user */
  MlCdrPacked **packed;     /* the batch, as fetched (without --network) */
  MlCdrUser **users;        /* the batch, loaded (--network), or unpacked by the workers */
  GHashTable **networks;    /* per user, --network only: name -> MlCdrUser * */
  GString **rows;           /* out: formatted rows */
  GError **errors;          /* out: a corrupt user */
} Work;

/* Unpack user START + CHUNK if needed, compute its indicators and format
 * its row. */
static void
compute_one (guint chunk, gpointer data)
{
  Work *w = data;
  g_autoptr(GArray) values = NULL;

  if (w->users[chunk] == NULL
      && (w->users[chunk] = ml_cdr_store_unpack (w->store, w->start + chunk, w->packed[chunk], &w->errors[chunk])) == NULL)
    return;
  values = ml_cdr_user_indicators (w->users[chunk], w->antennas, w->antennas_path,
                                   w->networks != NULL ? w->networks[chunk] : NULL, w->o);
  w->rows[chunk] = g_string_sized_new (4096);
  ml_cdr_writer_format (w->writer, w->users[chunk]->name, values, w->rows[chunk]);
}

/* The correspondents of USER present in STORE, freshly loaded: name ->
 * MlCdrUser * (a user calling himself maps to nothing: bandicoot uses the
 * ego itself). */
static GHashTable *
load_network (MlCdrStore *store, const MlCdrUser *user, GError **error)
{
  g_autoptr(GHashTable) net = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                     (GDestroyNotify) ml_cdr_user_free);

  for (guint c = 0; c < user->contacts->len; c++)
    {
      const char *name = g_ptr_array_index (user->contacts, c);
      gint i = ml_cdr_store_find (store, name);
      MlCdrUser *u;
      if (i < 0 || g_str_equal (name, user->name))
        continue;
      if ((u = ml_cdr_store_load (store, (guint) i, error)) == NULL)
        return NULL;
      g_hash_table_insert (net, u->name, u);
    }
  return g_steal_pointer (&net);
}

/* Read the batch of N users from START: packed rows, decoded by the
 * workers; with --network, users and their correspondents, loaded here. */
static gboolean
load_batch (MlCdrStore *store, guint start, guint n, Work *w, GError **error)
{
  w->start = start;
  for (guint k = 0; k < n; k++)
    {
      if (w->networks == NULL)
        {
          if ((w->packed[k] = ml_cdr_store_fetch (store, start + k, error)) == NULL)
            return FALSE;
          continue;
        }
      if ((w->users[k] = ml_cdr_store_load (store, start + k, error)) == NULL
          || (w->networks[k] = load_network (store, w->users[k], error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
clear_batch (Work *w, guint n)
{
  for (guint k = 0; k < n; k++)
    {
      g_clear_pointer (&w->packed[k], ml_cdr_packed_free);
      g_clear_pointer (&w->users[k], ml_cdr_user_free);
      if (w->networks != NULL)
        g_clear_pointer (&w->networks[k], g_hash_table_unref);
      if (w->rows[k] != NULL)
        g_string_free (g_steal_pointer (&w->rows[k]), TRUE);
      g_clear_error (&w->errors[k]);
    }
}

/* Write the batch's rows in user order; the first corrupt user fails. */
static gboolean
write_batch (MlCdrWriter *writer, Work *w, guint n, GError **error)
{
  for (guint k = 0; k < n; k++)
    {
      if (w->errors[k] != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&w->errors[k]));
          return FALSE;
        }
      if (!ml_cdr_writer_put (writer, w->rows[k], error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ml_cdr_indicators (const char *db_path, const MlCdrOptions *options, MlCdrFormat format,
                   FILE *out, guint threads, GError **error)
{
  g_autoptr(MlCdrStore) store = ml_cdr_store_open (db_path, error);
  MlCdrOptions o = *options;
  guint batch = o.network ? NETWORK_BATCH : BATCH, n_users;
  MlCdrPacked *packed[BATCH] = { NULL };
  MlCdrUser *users[BATCH] = { NULL };
  GHashTable *networks[BATCH] = { NULL };
  GString *rows[BATCH] = { NULL };
  GError *errors[BATCH] = { NULL };
  Work w = { &o, NULL, NULL, NULL, NULL, 0, packed, users, o.network ? networks : NULL, rows, errors };
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(MlCdrWriter) writer = NULL;
  g_autoptr(MlProgress) progress = NULL;
  gboolean ok = TRUE;

  if (store == NULL)
    return FALSE;
  o.strict = ml_cdr_store_strict (store);
  w.store = store;
  w.antennas = ml_cdr_store_antennas (store);
  w.antennas_path = w.antennas->path;
  keys = ml_cdr_keys (&o);
  writer = ml_cdr_writer_new (out, format, keys);
  w.writer = writer;
  n_users = ml_cdr_store_n_users (store);
  progress = ml_progress_new ("cdr indicators", n_users, "users");
  for (guint start = 0; ok && start < n_users; start += batch)
    {
      guint n = MIN (batch, n_users - start);
      ok = load_batch (store, start, n, &w, error);
      if (ok)
        ml_parallel_for (n, threads, compute_one, &w);
      ok = ok && write_batch (writer, &w, n, error) && ml_check_interrupted (error);
      clear_batch (&w, n);
      ml_progress_update (progress, start + n, 0);
    }
  ml_progress_finish (progress);
  return ok && ml_cdr_writer_finish (writer, error);
}
