/* test-parallel.c -- unit tests for common/parallel: the loop runs every
 * chunk once for any thread count, and the background run hands chunks to
 * a consumer in order, each complete when ml_parallel_wait() returns. */

#include "common/parallel.h"
#include "tests/unit/runner.h"

typedef struct {
  guint n;
  gint *calls;           /* atomic, per chunk */
  guint64 *value;        /* per chunk: written by the chunk only */
} Job;

/* Some work whose result the test can check: the sum of the first
 * (chunk % 97) * 1000 odd numbers is that count squared. */
static void
work (guint chunk, gpointer data)
{
  Job *job = data;
  guint64 k = (guint64) (chunk % 97) * 1000, sum = 0;

  for (guint64 i = 0; i < k; i++)
    sum += 2 * i + 1;
  job->value[chunk] = sum;
  g_atomic_int_inc (&job->calls[chunk]);
}

static Job
job_new (guint n)
{
  return (Job) { n, g_new0 (gint, MAX (n, 1u)), g_new0 (guint64, MAX (n, 1u)) };
}

static void
job_check (const Job *job, guint upto)
{
  for (guint c = 0; c < upto; c++)
    {
      guint64 k = (guint64) (c % 97) * 1000;
      CU_ASSERT_EQUAL (g_atomic_int_get (&job->calls[c]), 1);
      CU_ASSERT_EQUAL (job->value[c], k * k);
    }
}

static void
job_free (Job *job)
{
  g_free (job->calls);
  g_free (job->value);
}

static void
test_for_every_thread_count (void)
{
  for (guint threads = 0; threads <= 5; threads++)
    {
      Job job = job_new (1000);
      ml_parallel_for (job.n, threads, work, &job);
      job_check (&job, job.n);
      job_free (&job);
    }
}

/* The consumer reads chunk i as soon as it is done: it must be complete
 * then, whatever the workers do next. */
static void
test_background_in_order (void)
{
  for (guint threads = 1; threads <= 4; threads++)
    {
      Job job = job_new (3000);
      MlParallelRun *run = ml_parallel_start (job.n, threads, threads % 2 ? 0 : 5, work, &job);
      guint64 total = 0, expected = 0;
      for (guint c = 0; c < job.n; c++)
        {
          ml_parallel_wait (run, c);
          CU_ASSERT_EQUAL (g_atomic_int_get (&job.calls[c]), 1);
          total += job.value[c];
          expected += (guint64) (c % 97) * 1000 * ((c % 97) * 1000);
        }
      CU_ASSERT_EQUAL (total, expected);
      ml_parallel_join (run);
      job_check (&job, job.n);
      job_free (&job);
    }
}

/* Joining without waiting finishes every chunk; no chunks, more threads
 * than chunks, and a NULL run are fine. */
static void
test_background_edges (void)
{
  Job job = job_new (3);
  MlParallelRun *run = ml_parallel_start (job.n, 8, 0, work, &job);
  ml_parallel_join (run);
  job_check (&job, job.n);
  job_free (&job);

  job = job_new (0);
  run = ml_parallel_start (0, 2, 0, work, &job);
  ml_parallel_join (run);
  CU_ASSERT_EQUAL (g_atomic_int_get (&job.calls[0]), 0);
  job_free (&job);

  ml_parallel_join (NULL);
}

static CU_TestInfo parallel_tests[] = {
  { "every chunk runs once, any thread count", test_for_every_thread_count },
  { "a background run hands chunks over in order", test_background_in_order },
  { "join alone, no chunks, more threads than chunks", test_background_edges },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "parallel", .pTests = parallel_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
