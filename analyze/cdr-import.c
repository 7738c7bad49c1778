/* cdr-import.c -- `metaleak cdr import`: bandicoot CSV directories into cdr.db.
 *
 * Reads every DIR/<user_id>.csv (sorted by name, so user ids are
 * deterministic) and the antennas file, and writes cdr.db atomically
 * (ml_db_create ... ml_db_finish: a failed or interrupted import leaves no
 * cdr.db behind).  Files are read, parsed and packed into cdr.db's row
 * layout in parallel, a batch at a time (common/parallel.h: results do not
 * depend on the thread count); the calling thread then inserts the batch in
 * file order, with statements prepared once, which costs a few per cent of
 * the parse: SQLite stays out of the critical path.  Every dropped row is
 * stored in table dropped with its file, line and reason, and the first few
 * are printed as warnings.
 *
 * Invariant: at most BATCH users are in memory at once, so memory is
 * bounded by the largest users, not by the dataset.
 *
 * Workload: 10^3-10^5 files of 10^2-10^5 rows; the parse dominates.
 */

#include <dirent.h>
#include <string.h>

#include "analyze/cdr.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "common/progress.h"

#define BATCH 64          /* users parsed, then stored, together */
#define MAX_WARNINGS 20   /* dropped rows printed; the rest are in the database */

typedef struct {
  const char *dir;        /* records directory */
  char **files;           /* the batch's file names (borrowed) */
  gboolean strict;
  MlCdrUser **users;      /* out: parsed users, by chunk */
  MlCdrPacked **packed;   /* out: their cdr.db rows, by chunk */
  GError **errors;        /* out: a failure, by chunk */
} Batch;

static int
name_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Whether the directory entry E of DIR is a regular file (a symbolic link
 * to one counts).  The entry's type says so without a stat, on the file
 * systems that record it. */
static gboolean
is_regular (const char *dir, const struct dirent *e)
{
  g_autofree char *path = NULL;

#ifdef _DIRENT_HAVE_D_TYPE
  if (e->d_type == DT_REG)
    return TRUE;
  if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
    return FALSE;
#endif
  path = g_build_filename (dir, e->d_name, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* The names of DIR's *.csv files, sorted.  NULL + ERROR if DIR cannot be
 * read or holds none. */
static GPtrArray *
list_records (const char *dir, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  DIR *d = opendir (dir);
  struct dirent *e;

  if (d == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: cannot read the records directory", dir);
      return NULL;
    }
  while ((e = readdir (d)) != NULL)
    if (g_str_has_suffix (e->d_name, ".csv") && strlen (e->d_name) > 4 && is_regular (dir, e))
      g_ptr_array_add (files, g_strdup (e->d_name));
  closedir (d);
  if (files->len == 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no records files (<user_id>.csv)", dir);
      return NULL;
    }
  g_ptr_array_sort (files, name_cmp);
  return g_steal_pointer (&files);
}

/* Read PATH whole into *CONTENTS (a missing file is bad input).  Read
 * rather than mapped: mapping and unmapping a thousand small files costs
 * page faults and, with worker threads, TLB shootdowns. */
static gboolean
read_file (const char *path, char **contents, gsize *len, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (g_file_get_contents (path, contents, len, &local))
    return TRUE;
  g_set_error (error, ML_ERROR, g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? ML_ERROR_INPUT : ML_ERROR_IO,
               "%s: cannot read: %s", path, local->message);
  return FALSE;
}

/* Read, parse and pack file number CHUNK of the batch. */
static void
parse_one (guint chunk, gpointer data)
{
  Batch *b = data;
  const char *file = b->files[chunk];
  g_autofree char *path = g_build_filename (b->dir, file, NULL);
  g_autofree char *name = g_strndup (file, strlen (file) - 4);
  g_autofree char *contents = NULL;
  g_autoptr(MlCdrUser) user = NULL;
  gsize len;

  if (!read_file (path, &contents, &len, &b->errors[chunk]))
    return;
  user = ml_cdr_user_new (name);
  if (!ml_cdr_parse_records (user, path, contents, len, b->strict, &b->errors[chunk]))
    return;
  b->packed[chunk] = ml_cdr_packed_new (user);
  b->users[chunk] = g_steal_pointer (&user);
}

static gboolean
read_antennas (MlCdrAntennas *a, const char *path, gboolean strict, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!read_file (path, &contents, &len, error))
    return FALSE;
  a->path = g_strdup (path);
  return ml_cdr_parse_antennas (a, path, contents, len, strict, error);
}

typedef struct {
  guint64 users, records, rows, dropped;
  guint warned;
  gboolean quiet;
} Totals;

static void
warn_drops (Totals *t, const char *file, const GArray *drops)
{
  for (guint i = 0; i < drops->len; i++)
    {
      const MlCdrDrop *d = &g_array_index (drops, MlCdrDrop, i);
      if (!t->quiet && t->warned++ < MAX_WARNINGS)
        ml_warning ("%s:%" G_GUINT64_FORMAT ": dropped: %s", file, d->line, d->reason);
    }
  t->dropped += drops->len;
}

/* Store the parsed batch B (N users) in file order, freeing each user. */
static gboolean
store_batch (MlCdrStoreWriter *w, Batch *b, guint n, gint64 first_id, Totals *t, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MlCdrUser) user = g_steal_pointer (&b->users[i]);
      g_autoptr(MlCdrPacked) packed = g_steal_pointer (&b->packed[i]);
      g_autofree char *path = g_build_filename (b->dir, b->files[i], NULL);

      if (b->errors[i] != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&b->errors[i]));
          return FALSE;
        }
      warn_drops (t, path, user->drops);
      t->users++;
      t->records += user->records->len;
      t->rows += user->rows;
      if (!ml_cdr_store_writer_add (w, first_id + i, user, packed, path, error))
        return FALSE;
    }
  return TRUE;
}

static void
batch_clear (Batch *b, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_clear_pointer (&b->users[i], ml_cdr_user_free);
      g_clear_pointer (&b->packed[i], ml_cdr_packed_free);
      g_clear_error (&b->errors[i]);
    }
}

/* Parse and store FILES in batches. */
static gboolean
import_files (MlDb *db, const char *dir, GPtrArray *files, gboolean strict, guint threads,
              Totals *t, GError **error)
{
  MlCdrUser *users[BATCH] = { NULL };
  MlCdrPacked *packed[BATCH] = { NULL };
  GError *errors[BATCH] = { NULL };
  Batch b = { dir, NULL, strict, users, packed, errors };
  g_autoptr(MlCdrStoreWriter) w = ml_cdr_store_writer_new (db, error);
  g_autoptr(MlProgress) progress = NULL;
  gboolean ok = TRUE;

  if (w == NULL)
    return FALSE;
  progress = ml_progress_new ("cdr import", files->len, "users");
  for (guint start = 0; ok && start < files->len; start += BATCH)
    {
      guint n = MIN (BATCH, files->len - start);
      b.files = (char **) files->pdata + start;
      ml_parallel_for (n, threads, parse_one, &b);
      ok = store_batch (w, &b, n, start + 1, t, error) && ml_check_interrupted (error);
      batch_clear (&b, n);
      ml_progress_update (progress, start + n, t->records);
    }
  ml_progress_finish (progress);
  return ok;
}

gboolean
ml_cdr_import (const char *dir, const char *antennas, const char *out, gboolean strict,
               gboolean force, gboolean quiet, guint threads, GError **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(MlCdrAntennas) a = ml_cdr_antennas_new ();
  g_autoptr(MlDb) db = NULL;
  Totals t = { 0, 0, 0, 0, 0, quiet };

  g_return_val_if_fail (dir != NULL && out != NULL, FALSE);
  if ((files = list_records (dir, error)) == NULL
      || (antennas != NULL && !read_antennas (a, antennas, strict, error)))
    return FALSE;
  if (antennas != NULL)
    warn_drops (&t, antennas, a->drops);
  if ((db = ml_db_create (out, force, error)) == NULL
      || !ml_db_begin (db, error)
      || !ml_cdr_store_init (db, a, strict, error)
      || !import_files (db, dir, files, strict, threads, &t, error)
      || !ml_db_commit (db, error)
      || !ml_db_finish (db, error))
    return FALSE;
  if (!quiet)
    {
      if (t.warned > MAX_WARNINGS)
        ml_warning ("... and %u more dropped rows: see table 'dropped' in %s", t.warned - MAX_WARNINGS, out);
      g_printerr ("cdr import: %" G_GUINT64_FORMAT " users, %" G_GUINT64_FORMAT " records kept of %"
                  G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " rows dropped -> %s\n",
                  t.users, t.records, t.rows, t.dropped, out);
    }
  return TRUE;
}
