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
  gsize key_size;                     /* 4 or 8 */
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
ml_runs_new (const char *dir, const char *name, gsize record_size, gsize key_size, GError **error)
{
  g_autoptr(MlRuns) r = g_new0 (MlRuns, 1);
  g_autofree char *path = g_build_filename (dir, ".runs-XXXXXX", NULL);

  g_return_val_if_fail (dir != NULL && name != NULL, NULL);
  g_return_val_if_fail ((key_size == 4 || key_size == 8) && record_size >= key_size, NULL);
  r->name = g_strdup (name);
  r->size = record_size;
  r->key_size = key_size;
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

static guint64
key_at (const MlRuns *r, const guint8 *record)
{
  guint32 k4;
  guint64 k8;

  if (r->key_size == 8)
    {
      memcpy (&k8, record, sizeof k8);
      return k8;
    }
  memcpy (&k4, record, sizeof k4);
  return k4;
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
    if (key_at (r, p + i * r->size) < key_at (r, p + (i - 1) * r->size))
      {
        g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "%s: run %u: key %" G_GUINT64_FORMAT " after key %"
                     G_GUINT64_FORMAT " (record %" G_GSIZE_FORMAT "): a run must be sorted", r->name, r->runs->len,
                     key_at (r, p + i * r->size), key_at (r, p + (i - 1) * r->size), i);
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

struct MlRunsReader {
  MlRuns *r;
  Cursor *cursors;
  Cursor **heap;                      /* a binary heap on (head key, run number) */
  guint n;                            /* runs in the heap: not yet exhausted */
  guint8 *buffers;
  gsize cap;                          /* records per buffer */
  guint64 segment;                    /* the key the top run is giving up */
  gboolean settled;                   /* the heap holds: heap[0] starts a new segment */
};

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
cursor_before (const MlRuns *r, const Cursor *a, const Cursor *b)
{
  guint64 ka = key_at (r, a->buf + a->at * r->size), kb = key_at (r, b->buf + b->at * r->size);

  return ka < kb || (ka == kb && a->index < b->index);
}

static void
sift_down (const MlRuns *r, Cursor **heap, guint n, guint i)
{
  for (;;)
    {
      guint l = 2 * i + 1, m = i;
      if (l < n && cursor_before (r, heap[l], heap[m]))
        m = l;
      if (l + 1 < n && cursor_before (r, heap[l + 1], heap[m]))
        m = l + 1;
      if (m == i)
        return;
      Cursor *t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
}

MlRunsReader *
ml_runs_read (MlRuns *r, GError **error)
{
  g_autoptr(MlRunsReader) m = g_new0 (MlRunsReader, 1);
  guint k = r->runs->len;
  gsize per_run = CLAMP (MERGE_BUFFERS / MAX (k, 1), BUFFER_MIN, BUFFER_MAX);

  g_return_val_if_fail (r != NULL, NULL);
  m->r = r;
  m->cap = MAX (per_run / r->size, 1);
  m->cursors = g_new0 (Cursor, MAX (k, 1));
  m->heap = g_new (Cursor *, MAX (k, 1));
  m->buffers = g_malloc (MAX (k, 1) * m->cap * r->size);
  for (guint i = 0; i < k; i++)
    {
      Cursor *c = &m->cursors[i];
      c->run = &g_array_index (r->runs, Run, i);
      c->index = i;
      c->buf = m->buffers + (gsize) i * m->cap * r->size;
      if (!cursor_fill (r, c, m->cap, error))
        return NULL;
      if (c->have > 0)
        m->heap[m->n++] = c;
    }
  for (guint i = m->n / 2; i-- > 0;)
    sift_down (r, m->heap, m->n, i);
  m->settled = TRUE;
  return g_steal_pointer (&m);
}

/* The top run gives up all its records of the segment's key before the
 * heap is consulted again: one heap step per (run, key) segment. */
gboolean
ml_runs_next (MlRunsReader *m, const void **record, gint64 *tag, GError **error)
{
  const MlRuns *r = m->r;

  *record = NULL;
  while (m->n > 0)
    {
      Cursor *c = m->heap[0];
      guint64 k;
      if (c->at == c->have)
        {
          if (!cursor_fill (r, c, m->cap, error))
            return FALSE;
          if (c->have == 0)
            {
              m->heap[0] = m->heap[--m->n];
              sift_down (r, m->heap, m->n, 0);
              m->settled = TRUE;
              continue;
            }
        }
      k = key_at (r, c->buf + c->at * r->size);
      if (m->settled)
        {
          m->segment = k;
          m->settled = FALSE;
        }
      else if (k != m->segment)
        {
          sift_down (r, m->heap, m->n, 0);
          m->settled = TRUE;
          continue;
        }
      *record = c->buf + c->at++ * r->size;
      if (tag != NULL)
        *tag = c->run->tag;
      return TRUE;
    }
  return TRUE;
}

void
ml_runs_reader_free (MlRunsReader *m)
{
  if (m == NULL)
    return;
  g_free (m->cursors);
  g_free (m->heap);
  g_free (m->buffers);
  g_free (m);
}
