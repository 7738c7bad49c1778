/* parallel.h -- a deterministic parallel for-loop over fixed chunks.
 *
 * Work is cut into chunks whose number does not depend on the thread count;
 * threads take chunks from an atomic counter and every chunk writes only its
 * own outputs, so results are identical for any number of threads.  Threads
 * are started per call (a handful of calls per simulated day): cheap next to
 * the work.
 */
#ifndef ML_PARALLEL_H
#define ML_PARALLEL_H

#include <glib.h>

G_BEGIN_DECLS

typedef void (*MlChunkFunc) (guint chunk, gpointer data);

/* Run FUNC(chunk, DATA) for every chunk in [0, N_CHUNKS) on THREADS threads
 * (the caller's thread counts as one; THREADS <= 1 runs inline).  Returns
 * when every chunk is done. */
void ml_parallel_for (guint n_chunks, guint threads, MlChunkFunc func, gpointer data);

/* The same loop in the background, for a consumer that takes the results
 * in order while they are made: THREADS (>= 1) threads of their own take the
 * chunks in increasing order.  ml_parallel_wait() blocks until CHUNK is
 * done; ml_parallel_join() waits for every chunk, joins the threads and
 * frees RUN (NULL is ignored).  NICE > 0 lowers the threads' priority
 * (ml_thread_lower_priority()): the consumer, usually the critical path,
 * then runs first and the workers take what is left of the cores. */
typedef struct MlParallelRun MlParallelRun;
MlParallelRun *ml_parallel_start (guint n_chunks, guint threads, int nice, MlChunkFunc func, gpointer data);
void ml_parallel_wait (MlParallelRun *run, guint chunk);
void ml_parallel_join (MlParallelRun *run);

/* Lower the calling thread's priority by NICE (Linux: its nice value; a
 * thread may always lower its own priority).  Elsewhere, or on failure,
 * nothing happens: only the order in which the cores serve threads
 * changes, never a result. */
void ml_thread_lower_priority (int nice);

/* The default thread count: the number of online processors. */
guint ml_parallel_default_threads (void);

G_END_DECLS

#endif /* ML_PARALLEL_H */
