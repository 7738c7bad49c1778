/* parallel.c -- a deterministic parallel for-loop over fixed chunks. */
#include "common/parallel.h"

typedef struct {
  guint n_chunks;
  gint next;               /* atomic: next chunk to take */
  MlChunkFunc func;
  gpointer data;
} Loop;

static gpointer
worker (gpointer p)
{
  Loop *loop = p;
  gint c;

  while ((c = g_atomic_int_add (&loop->next, 1)) < (gint) loop->n_chunks)
    loop->func ((guint) c, loop->data);
  return NULL;
}

void
ml_parallel_for (guint n_chunks, guint threads, MlChunkFunc func, gpointer data)
{
  Loop loop = { n_chunks, 0, func, data };
  g_autofree GThread **pool = NULL;
  guint extra;

  g_return_if_fail (func != NULL);
  extra = threads > 1 ? MIN (threads, MAX (n_chunks, 1u)) - 1 : 0;
  pool = g_new0 (GThread *, extra + 1);
  for (guint i = 0; i < extra; i++)
    pool[i] = g_thread_new ("metaleak-worker", worker, &loop);
  worker (&loop);
  for (guint i = 0; i < extra; i++)
    g_thread_join (pool[i]);
}

guint
ml_parallel_default_threads (void)
{
  return MAX (1u, g_get_num_processors ());
}
