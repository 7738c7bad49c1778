/* runs.h -- records spilled to a scratch file in sorted runs, read back merged.
 *
 * The simulator makes a day at a time, but some of what it stores must end
 * up sorted another way: truth.db's tables clustered by person, and
 * provider.db's indexes by handle or IP.  A b-tree is built fastest by
 * inserting in key order, and each day's rows can cheaply be put in key
 * order.  MlRuns keeps every day's rows as one sorted run in an unlinked
 * scratch file and, once the days are over, hands them back in (key, run,
 * position) order: a k-way merge on the unsigned key, 32 or 64 bits, that
 * starts every record.  Within a key, runs come back in the order they were
 * added and a run's rows in their own order, so a person's rows come out
 * day after day.
 *
 * Workload: writing is one write(2) per run; merging reads every run
 * sequentially through a buffer of its own and costs O(log k) heap work per
 * (run, key) segment, k runs.  Memory is the buffers, not the records: the
 * file lives in the page cache or on disk.
 *
 * One thread at a time.
 */
#ifndef ML_RUNS_H
#define ML_RUNS_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct MlRuns MlRuns;

/* Spill records of RECORD_SIZE bytes, each starting with its key (a
 * guint32 or guint64 in host order: KEY_SIZE 4 or 8), into a scratch file
 * in DIR, removed from the directory as soon as it is made: nothing is
 * left behind, whatever happens.  NAME names it in errors. */
MlRuns *ml_runs_new (const char *dir, const char *name, gsize record_size, gsize key_size, GError **error);
void ml_runs_free (MlRuns *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlRuns, ml_runs_free)

/* Append one run: the N records at RECORDS, whose keys must not decrease
 * (an error otherwise), with TAG handed back with each of them.  An empty
 * run is allowed and adds nothing. */
gboolean ml_runs_add (MlRuns *r, gint64 tag, const void *records, gsize n, GError **error);

/* Records added so far. */
guint64 ml_runs_count (const MlRuns *r);

/* Read every record back: by key; records of equal key by run, in the
 * order the runs were added; within a run, in their own order.
 * ml_runs_next() sets RECORD to the next one (valid until the next call)
 * and TAG (may be NULL) to its run's tag, or RECORD to NULL at the end;
 * FALSE on a read error.  R must not change while a reader is open; it
 * may be read again from the start by another reader. */
typedef struct MlRunsReader MlRunsReader;
MlRunsReader *ml_runs_read (MlRuns *r, GError **error);
gboolean ml_runs_next (MlRunsReader *m, const void **record, gint64 *tag, GError **error);
void ml_runs_reader_free (MlRunsReader *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlRunsReader, ml_runs_reader_free)

G_END_DECLS

#endif /* ML_RUNS_H */
