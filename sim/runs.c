/* runs.c -- records spilled to a scratch file in sorted runs, read back merged.
 *
 * See runs.h.  The file is a plain concatenation of the runs; each run's
 * offset, length and tag are kept in memory.  The merge is a binary heap of
 * run cursors ordered by (head key, run number): the top run gives up all
 * its records of the smallest key at once, so a person's rows of one day
 * cost one heap step, however many there are.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "common/errors.h"
#include "sim/runs.h"

#define MERGE_BUFFERS (32u << 20)     /* bytes of read buffer shared by all runs */
#define BUFFER_MIN (64u << 10)        /* ... but at least this much per run */
#define BUFFER_MAX (1u << 20)         /* ... and at most this much (readahead does the rest) */
#define WRITE_MAX (1u << 30)          /* bytes per write(2) */

typedef struct {
  guint64 offset;                     /* bytes into the file */
  guint64 n;                          /* records */
  gint64 tag;
} Run;

struct MlRuns {
  char *name;
  int fd;
  gsize size;                         /* bytes per record */
  guint64 end;                        /* bytes written */
  guint64 count;                      /* records written */
  GArray *runs;                       /* Run */
};

static gboolean
io_fail (GError **error, int errsv, const MlRuns *r, const char *what)
{
  g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot %s the scratch file: %s", r->name, what,
               g_strerror (errsv));
  return FALSE;
}

MlRuns *
ml_runs_new (const char *dir, const char *name, gsize record_size, GError **error)
{
  g_autoptr(MlRuns) r = g_new0 (MlRuns, 1);
  g_autofree char *path = g_build_filename (dir, ".runs-XXXXXX", NULL);

  g_return_val_if_fail (dir != NULL && name != NULL && record_size >= sizeof (guint32), NULL);
  r->name = g_strdup (name);
  r->size = record_size;
  r->runs = g_array_new (FALSE, FALSE, sizeof (Run));
  if ((r->fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600)) < 0)
    {
      int errsv = errno;
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create a scratch file in %s: %s", name, dir,
                   g_strerror (errsv));
      return NULL;
    }
  if (g_unlink (path) != 0)
    {
      io_fail (error, errno, r, "unlink");
      return NULL;
    }
  return g_steal_pointer (&r);
}

void
ml_runs_free (MlRuns *r)
{
  if (r == NULL)
    return;
  if (r->fd >= 0)
    close (r->fd);
  g_array_unref (r->runs);
  g_free (r->name);
  g_free (r);
}

static guint32
key_at (const guint8 *record)
{
  guint32 k;

  memcpy (&k, record, sizeof k);
  return k;
}

gboolean
ml_runs_add (MlRuns *r, gint64 tag, const void *records, gsize n, GError **error)
{
  const guint8 *p = records;
  gsize bytes = n * r->size, done = 0;
  Run run = { r->end, n, tag };

  g_return_val_if_fail (r != NULL && (records != NULL || n == 0), FALSE);
  if (n == 0)
    return TRUE;
  for (gsize i = 1; i < n; i++)
    if (key_at (p + i * r->size) < key_at (p + (i - 1) * r->size))
      {
        g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "%s: run %u: key %u after key %u (record %" G_GSIZE_FORMAT
                     "): a run must be sorted", r->name, r->runs->len, key_at (p + i * r->size),
                     key_at (p + (i - 1) * r->size), i);
        return FALSE;
      }
  while (done < bytes)
    {
      ssize_t w = pwrite (r->fd, p + done, MIN (bytes - done, WRITE_MAX), (off_t) (r->end + done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return io_fail (error, errno, r, "write");
      done += (gsize) w;
    }
  r->end += bytes;
  r->count += n;
  g_array_append_val (r->runs, run);
  return TRUE;
}

guint64
ml_runs_count (const MlRuns *r)
{
  return r->count;
}

/* ---- merging ---------------------------------------------------------- */

typedef struct {
  const Run *run;
  guint index;                        /* run number: ties between equal keys */
  guint8 *buf;
  gsize have, at;                     /* records in buf, next one */
  guint64 read;                       /* records read from the file so far */
} Cursor;

/* Refill C's buffer; FALSE on a read error.  Leaves C->have == 0 at the end
 * of the run. */
static gboolean
cursor_fill (const MlRuns *r, Cursor *c, gsize cap, GError **error)
{
  gsize want = (gsize) MIN ((guint64) cap, c->run->n - c->read) * r->size, got = 0;
  guint64 offset = c->run->offset + c->read * r->size;

  while (got < want)
    {
      ssize_t n = pread (r->fd, c->buf + got, want - got, (off_t) (offset + got));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return io_fail (error, errno, r, "read");
      if (n == 0)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: the scratch file ends early", r->name);
          return FALSE;
        }
      got += (gsize) n;
    }
  c->have = want / r->size;
  c->at = 0;
  c->read += c->have;
  return TRUE;
}

static gboolean
cursor_before (const Cursor *a, const Cursor *b, gsize size)
{
  guint32 ka = key_at (a->buf + a->at * size), kb = key_at (b->buf + b->at * size);

  return ka < kb || (ka == kb && a->index < b->index);
}

static void
sift_down (Cursor **heap, guint n, guint i, gsize size)
{
  for (;;)
    {
      guint l = 2 * i + 1, m = i;
      if (l < n && cursor_before (heap[l], heap[m], size))
        m = l;
      if (l + 1 < n && cursor_before (heap[l + 1], heap[m], size))
        m = l + 1;
      if (m == i)
        return;
      Cursor *t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
}

gboolean
ml_runs_merge (MlRuns *r, MlRunsFunc func, gpointer data, GError **error)
{
  guint k = r->runs->len, n = 0;
  gsize per_run = CLAMP (MERGE_BUFFERS / MAX (k, 1), BUFFER_MIN, BUFFER_MAX);
  gsize cap = MAX (per_run / r->size, 1);
  g_autofree Cursor *cursors = g_new0 (Cursor, MAX (k, 1));
  g_autofree Cursor **heap = g_new (Cursor *, MAX (k, 1));
  g_autofree guint8 *buffers = g_malloc (MAX (k, 1) * cap * r->size);
  gboolean ok = TRUE;

  g_return_val_if_fail (r != NULL && func != NULL, FALSE);
  for (guint i = 0; i < k && ok; i++)
    {
      Cursor *c = &cursors[i];
      c->run = &g_array_index (r->runs, Run, i);
      c->index = i;
      c->buf = buffers + (gsize) i * cap * r->size;
      if ((ok = cursor_fill (r, c, cap, error)) && c->have > 0)
        heap[n++] = c;
    }
  for (guint i = n / 2; i-- > 0;)
    sift_down (heap, n, i, r->size);
  while (ok && n > 0)
    {
      Cursor *c = heap[0];
      guint32 key = key_at (c->buf + c->at * r->size);
      /* all of the top run's records of KEY: they come before any other run's */
      while (ok && c->have > 0 && key_at (c->buf + c->at * r->size) == key)
        {
          ok = func (c->buf + c->at * r->size, c->run->tag, data, error);
          if (++c->at == c->have)
            ok = ok && cursor_fill (r, c, cap, error);
        }
      if (c->have == 0)
        heap[0] = heap[--n];
      sift_down (heap, n, 0, r->size);
    }
  return ok;
}
