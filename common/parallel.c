/* parallel.c -- a deterministic parallel for-loop over fixed chunks. */
#define _GNU_SOURCE             /* gettid */
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

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

struct MlParallelRun {
  guint n_chunks;
  gint next;               /* atomic: next chunk to take */
  MlChunkFunc func;
  gpointer data;
  GMutex lock;
  GCond changed;
  guint8 *done;            /* per chunk, under LOCK */
  GThread **pool;
  guint n_threads;
  int nice;
};

static gpointer
run_worker (gpointer p)
{
  MlParallelRun *run = p;
  gint c;

  ml_thread_lower_priority (run->nice);
  while ((c = g_atomic_int_add (&run->next, 1)) < (gint) run->n_chunks)
    {
      run->func ((guint) c, run->data);
      g_mutex_lock (&run->lock);
      run->done[c] = 1;
      g_cond_broadcast (&run->changed);
      g_mutex_unlock (&run->lock);
    }
  return NULL;
}

MlParallelRun *
ml_parallel_start (guint n_chunks, guint threads, int nice, MlChunkFunc func, gpointer data)
{
  MlParallelRun *run;

  g_return_val_if_fail (func != NULL, NULL);
  run = g_new0 (MlParallelRun, 1);
  run->n_chunks = n_chunks;
  run->func = func;
  run->data = data;
  run->nice = nice;
  g_mutex_init (&run->lock);
  g_cond_init (&run->changed);
  run->done = g_new0 (guint8, MAX (n_chunks, 1u));
  run->n_threads = MIN (MAX (threads, 1u), MAX (n_chunks, 1u));
  run->pool = g_new0 (GThread *, run->n_threads);
  for (guint i = 0; i < run->n_threads; i++)
    run->pool[i] = g_thread_new ("metaleak-worker", run_worker, run);
  return run;
}

void
ml_parallel_wait (MlParallelRun *run, guint chunk)
{
  g_return_if_fail (run != NULL && chunk < run->n_chunks);
  g_mutex_lock (&run->lock);
  while (!run->done[chunk])
    g_cond_wait (&run->changed, &run->lock);
  g_mutex_unlock (&run->lock);
}

void
ml_parallel_join (MlParallelRun *run)
{
  if (run == NULL)
    return;
  for (guint i = 0; i < run->n_threads; i++)
    g_thread_join (run->pool[i]);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->changed);
  g_free (run->done);
  g_free (run->pool);
  g_free (run);
}

void
ml_thread_lower_priority (int nice)
{
#ifdef __linux__
  if (nice > 0)
    {
      errno = 0;
      int now = getpriority (PRIO_PROCESS, (id_t) gettid ());
      if (errno == 0)
        (void) setpriority (PRIO_PROCESS, (id_t) gettid (), MIN (now + nice, 19));
    }
#else
  (void) nice;
#endif
}

guint
ml_parallel_default_threads (void)
{
  return MAX (1u, g_get_num_processors ());
}
