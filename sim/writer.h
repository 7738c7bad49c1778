/* writer.h -- storing a simulation: provider.db, truth.db and their rows.
 *
 * The writer owns both databases.  The static world (cities, places,
 * people, ties, services, address leases) goes into truth.db when the writer
 * is created; then the driver hands over one MlDayBatch per simulated day
 * and a background thread stores it while the next day is generated (at
 * most two days in flight, so memory stays O(one day)).  provider.db gets
 * only what the provider observes: lookup rows, and the handles and IPs that
 * appear in them.  Indexes are built once at the end, after the bulk load.
 */
#ifndef ML_WRITER_H
#define ML_WRITER_H

#include <glib.h>

#include "common/outdir.h"
#include "sim/traffic.h"
#include "sim/world.h"

G_BEGIN_DECLS

typedef struct {
  guint32 person;
  guint32 place;            /* ML_NONE in transit */
  guint32 city;
  guint32 pad;              /* 0: the record is spilled to disk whole (sim/runs.h) */
  MlTime start, end;
} MlTruthStay;

typedef struct {
  guint32 person;
  guint32 city;             /* the city slept in */
} MlTripDay;

typedef struct {
  MlTime ts;
  guint32 sender, recipient;
  gboolean imessage;
} MlMessageRow;

/* One simulated day's output.  Arrays are owned by the batch. */
typedef struct {
  MlDay day;
  GArray *lookups;          /* MlLookupRow, any order: the writer sorts by (ts, source, lookup) */
  GArray *pairs;            /* MlPairCount */
  GArray *contacts;         /* MlServiceContact */
  GArray *stays;            /* MlTruthStay */
  GArray *trip_days;        /* MlTripDay */
  GArray *messages;         /* MlMessageRow, only with --messages=full */
} MlDayBatch;

MlDayBatch *ml_day_batch_new (MlDay day);
void ml_day_batch_free (MlDayBatch *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlDayBatch, ml_day_batch_free)

typedef struct {
  guint64 lookups, handles, ips;        /* provider.db */
  guint64 people, households, places, ties, services, stays, trips;
  guint64 message_pairs, messages, service_contacts, ip_leases;
  guint64 causes[ML_N_CAUSES];          /* lookups by cause (truth) */
  /* sha256 of each file, hashed by its writer thread as soon as the file
   * is closed, while the other may still be building indexes */
  char provider_sha256[65], truth_sha256[65];
} MlSimCounts;

typedef struct MlSimWriter MlSimWriter;

/* Create provider.db and truth.db inside OUT_DIR and store the static
 * world.  Caller frees. */
MlSimWriter *ml_sim_writer_new (const MlWorld *w, const char *out_dir, GError **error);

/* Sort ROWS (MlLookupRow) by (ts, source, lookup, ip) as the writer stores
 * them, keeping the order of rows equal in all four, as g_array_sort()
 * would; BUFFER (MlLookupRow) and SECOND_START (guint32) are scratch
 * arrays the caller keeps between calls. */
void ml_lookups_sort (GArray *rows, GArray *buffer, GArray *second_start);

/* An empty batch for DAY: one the writer has finished with, its arrays
 * emptied but keeping their memory (a city day holds about 200 MB, which
 * growing afresh every day cost page faults and copies), or a new one. */
MlDayBatch *ml_sim_writer_batch (MlSimWriter *wr, MlDay day);

/* Hand BATCH (taken) to the writer thread; blocks while two days are
 * pending.  FALSE when the writer has failed (its error is returned). */
gboolean ml_sim_writer_push (MlSimWriter *wr, MlDayBatch *batch, GError **error);

/* Drain, write the handle and IP dictionaries, build indexes and close
 * both databases.  COUNTS receives the row counts. */
gboolean ml_sim_writer_finish (MlSimWriter *wr, MlSimCounts *counts, GError **error);

void ml_sim_writer_free (MlSimWriter *wr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlSimWriter, ml_sim_writer_free)

G_END_DECLS

#endif /* ML_WRITER_H */
