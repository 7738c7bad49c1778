/* test-runs.c -- unit tests for sim/runs: records come back merged by key,
 * runs in the order they were added, each run's records in their own
 * order, across buffer refills, for 32- and 64-bit keys; unsorted runs and
 * bad directories are errors; the scratch file never shows in the
 * directory. */

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "common/errors.h"
#include "common/rng.h"
#include "sim/runs.h"
#include "tests/unit/runner.h"

typedef struct {
  guint32 key;
  guint32 run;                    /* the run it was added in */
  guint32 pos;                    /* its place in that run */
} Rec;

typedef struct {
  GArray *out;                    /* Rec, as merged */
  GArray *tags;                   /* gint64, as merged */
  guint stop_after;               /* records to read at most (0: all) */
} Sink;

/* Read R through a reader into S (at most S->stop_after records when not
 * 0, then the reader is dropped). */
static gboolean
collect_all (MlRuns *r, Sink *s, GError **error)
{
  g_autoptr(MlRunsReader) m = ml_runs_read (r, error);
  const void *record;
  gint64 tag;

  if (m == NULL)
    return FALSE;
  while (ml_runs_next (m, &record, &tag, error))
    {
      if (record == NULL || (s->stop_after != 0 && s->out->len == s->stop_after))
        return TRUE;
      g_array_append_vals (s->out, record, 1);
      g_array_append_val (s->tags, tag);
    }
  return FALSE;
}

static int
compare_recs (const void *a, const void *b)
{
  const Rec *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if (x->run != y->run)
    return x->run < y->run ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static char *
scratch_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-runs-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static guint
dir_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* Random runs, some empty, some long enough to refill their buffer many
 * times, keys crowded so that many runs share each key: the merge is the
 * stable sort by (key, run, position). */
static void
test_merge_is_the_stable_sort (void)
{
  g_autofree char *dir = scratch_dir ();
  MlRng rng;

  ml_rng_init (&rng, 41, 0, 0, 0);
  for (int trial = 0; trial < 12; trial++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MlRuns) r = ml_runs_new (dir, "recs", sizeof (Rec), 4, &error);
      g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Rec));
      g_autoptr(GArray) run_tags = g_array_new (FALSE, FALSE, sizeof (gint64));
      Sink sink = { g_array_new (FALSE, FALSE, sizeof (Rec)), g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
      guint k = 1 + (guint) ml_rng_below (&rng, trial < 6 ? 8 : 300);
      guint32 key_range = 1 + (guint32) ml_rng_below (&rng, trial % 2 ? 50 : 100000);

      g_assert_no_error (error);
      CU_ASSERT_EQUAL (dir_entries (dir), 0);
      for (guint32 run = 0; run < k; run++)
        {
          guint n = ml_rng_below (&rng, 5) == 0 ? 0 : (guint) ml_rng_below (&rng, run % 7 == 0 ? 40000 : 600);
          g_autofree Rec *recs = g_new (Rec, MAX (n, 1));
          gint64 tag = 1000 + (gint64) run * 3;
          for (guint i = 0; i < n; i++)
            recs[i] = (Rec) { (guint32) ml_rng_below (&rng, key_range), run, i };
          qsort (recs, n, sizeof *recs, compare_recs);   /* by key; pos is then rewritten in run order */
          for (guint i = 0; i < n; i++)
            recs[i].pos = i;
          CU_ASSERT_TRUE_FATAL (ml_runs_add (r, tag, recs, n, &error));
          g_array_append_vals (all, recs, n);
          g_array_append_val (run_tags, tag);
        }
      CU_ASSERT_EQUAL (ml_runs_count (r), all->len);
      CU_ASSERT_EQUAL (dir_entries (dir), 0);
      g_array_sort (all, compare_recs);
      for (int pass = 0; pass < 2; pass++)      /* a second merge reads the same */
        {
          g_array_set_size (sink.out, 0);
          g_array_set_size (sink.tags, 0);
          CU_ASSERT_TRUE_FATAL (collect_all (r, &sink, &error));
          g_assert_no_error (error);
          CU_ASSERT_EQUAL_FATAL (sink.out->len, all->len);
          CU_ASSERT_EQUAL (memcmp (sink.out->data, all->data, all->len * sizeof (Rec)), 0);
          for (guint i = 0; i < sink.out->len; i++)
            if (g_array_index (sink.tags, gint64, i)
                != g_array_index (run_tags, gint64, g_array_index (sink.out, Rec, i).run))
              {
                CU_FAIL ("a record came back with another run's tag");
                break;
              }
        }
      g_array_unref (sink.out);
      g_array_unref (sink.tags);
    }
  CU_ASSERT_EQUAL (dir_entries (dir), 0);
  g_rmdir (dir);
}

/* A run whose keys go down is refused whole; the runs before it stay. */
static void
test_unsorted_run_is_refused (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MlRuns) r = ml_runs_new (dir, "stays", sizeof (Rec), 4, &error);
  Rec good[] = { { 1, 0, 0 }, { 1, 0, 1 }, { 4, 0, 2 } };
  Rec bad[] = { { 2, 1, 0 }, { 5, 1, 1 }, { 3, 1, 2 } };
  Sink sink = { g_array_new (FALSE, FALSE, sizeof (Rec)), g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };

  CU_ASSERT_TRUE_FATAL (ml_runs_add (r, 7, good, G_N_ELEMENTS (good), &error));
  CU_ASSERT_FALSE (ml_runs_add (r, 8, bad, G_N_ELEMENTS (bad), &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "stays"));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "key 3 after key 5"));
  g_clear_error (&error);
  CU_ASSERT_TRUE (ml_runs_add (r, 9, NULL, 0, &error));
  CU_ASSERT_EQUAL (ml_runs_count (r), 3);
  CU_ASSERT_TRUE (collect_all (r, &sink, &error));
  CU_ASSERT_EQUAL_FATAL (sink.out->len, 3);
  CU_ASSERT_EQUAL (memcmp (sink.out->data, good, sizeof good), 0);
  CU_ASSERT_EQUAL (g_array_index (sink.tags, gint64, 2), 7);
  g_array_unref (sink.out);
  g_array_unref (sink.tags);
  g_clear_pointer (&r, ml_runs_free);
  g_rmdir (dir);
}

/* A reader dropped half way leaves the runs readable from the start;
 * equal keys come run by run. */
static void
test_reader_dropped_half_way (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MlRuns) r = ml_runs_new (dir, "pairs", sizeof (Rec), 4, &error);
  Sink sink = { g_array_new (FALSE, FALSE, sizeof (Rec)), g_array_new (FALSE, FALSE, sizeof (gint64)), 4 };

  for (guint32 run = 0; run < 3; run++)
    {
      Rec recs[4];
      for (guint i = 0; i < 4; i++)
        recs[i] = (Rec) { i, run, i };
      CU_ASSERT_TRUE_FATAL (ml_runs_add (r, run, recs, 4, &error));
    }
  CU_ASSERT_TRUE (collect_all (r, &sink, &error));
  CU_ASSERT_EQUAL_FATAL (sink.out->len, 4);
  /* keys 0 of runs 0, 1, 2, then key 1 of run 0 */
  CU_ASSERT_EQUAL (g_array_index (sink.out, Rec, 2).run, 2);
  CU_ASSERT_EQUAL (g_array_index (sink.out, Rec, 3).key, 1);
  CU_ASSERT_EQUAL (g_array_index (sink.out, Rec, 3).run, 0);
  g_array_set_size (sink.out, 0);
  g_array_set_size (sink.tags, 0);
  sink.stop_after = 0;
  CU_ASSERT_TRUE (collect_all (r, &sink, &error));
  CU_ASSERT_EQUAL_FATAL (sink.out->len, 12);
  CU_ASSERT_EQUAL (g_array_index (sink.out, Rec, 0).run, 0);
  CU_ASSERT_EQUAL (g_array_index (sink.out, Rec, 11).key, 3);
  CU_ASSERT_EQUAL (g_array_index (sink.tags, gint64, 11), 2);
  g_array_unref (sink.out);
  g_array_unref (sink.tags);
  g_clear_pointer (&r, ml_runs_free);
  g_rmdir (dir);
}

static void
test_missing_directory_is_an_io_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlRuns) r = ml_runs_new ("/nonexistent/metaleak", "stays", sizeof (Rec), 4, &error);

  CU_ASSERT_PTR_NULL (r);
  CU_ASSERT_TRUE_FATAL (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "/nonexistent/metaleak"));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "stays"));
}

/* No runs at all merge to nothing. */
static void
test_no_runs_merge_to_nothing (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MlRuns) r = ml_runs_new (dir, "none", sizeof (Rec), 4, &error);
  Sink sink = { g_array_new (FALSE, FALSE, sizeof (Rec)), g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };

  CU_ASSERT_TRUE (collect_all (r, &sink, &error));
  CU_ASSERT_EQUAL (sink.out->len, 0);
  CU_ASSERT_EQUAL (ml_runs_count (r), 0);
  g_array_unref (sink.out);
  g_array_unref (sink.tags);
  g_clear_pointer (&r, ml_runs_free);
  g_rmdir (dir);
}

typedef struct {
  guint64 key;
  guint32 run, pos;
} Rec64;

static int
compare_rec64 (const void *a, const void *b)
{
  const Rec64 *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if (x->run != y->run)
    return x->run < y->run ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* 64-bit keys that differ only above bit 32 and only below it, pulled
 * through a reader: the same stable order. */
static void
test_wide_keys_read_in_order (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MlRuns) r = ml_runs_new (dir, "handles", sizeof (Rec64), 8, &error);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Rec64));
  g_autoptr(MlRunsReader) m = NULL;
  const void *rec;
  gint64 tag;
  guint i = 0;
  MlRng rng;

  ml_rng_init (&rng, 7, 0, 0, 0);
  for (guint32 run = 0; run < 40; run++)
    {
      guint n = (guint) ml_rng_below (&rng, 3000);
      g_autofree Rec64 *recs = g_new (Rec64, MAX (n, 1));
      for (guint j = 0; j < n; j++)
        recs[j] = (Rec64) { 99900000000000ull + (ml_rng_below (&rng, 4) << 33) + ml_rng_below (&rng, 20), run, 0 };
      qsort (recs, n, sizeof *recs, compare_rec64);
      for (guint j = 0; j < n; j++)
        recs[j].pos = j;
      CU_ASSERT_TRUE_FATAL (ml_runs_add (r, -(gint64) run, recs, n, &error));
      g_array_append_vals (all, recs, n);
    }
  g_array_sort (all, compare_rec64);
  m = ml_runs_read (r, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (m);
  while (ml_runs_next (m, &rec, &tag, &error) && rec != NULL)
    {
      const Rec64 *x = rec;
      CU_ASSERT_FATAL (i < all->len);
      if (compare_rec64 (x, &g_array_index (all, Rec64, i)) != 0 || tag != -(gint64) x->run)
        {
          CU_FAIL ("out of order");
          break;
        }
      i++;
    }
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (i, all->len);
  /* a key that goes down across bit 32 is caught */
  {
    Rec64 bad[] = { { 1ull << 33, 0, 0 }, { 1ull << 32, 0, 1 } };
    CU_ASSERT_FALSE (ml_runs_add (r, 0, bad, 2, &error));
    CU_ASSERT_PTR_NOT_NULL (error);
  }
  g_clear_pointer (&m, ml_runs_reader_free);
  g_clear_pointer (&r, ml_runs_free);
  g_rmdir (dir);
}

static CU_TestInfo runs_tests[] = {
  { "wide keys read in order", test_wide_keys_read_in_order },
  { "merge is the stable sort by key and run", test_merge_is_the_stable_sort },
  { "an unsorted run is refused", test_unsorted_run_is_refused },
  { "a reader dropped half way", test_reader_dropped_half_way },
  { "a missing directory is an IO error", test_missing_directory_is_an_io_error },
  { "no runs merge to nothing", test_no_runs_merge_to_nothing },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "runs", .pTests = runs_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
