/* schema.h -- the data contract between the stages: provider.db and truth.db.
 *
 * provider.db is what the provider logs and could hand over: nothing in it
 * may come from truth the provider could not observe.  Its rows live in the
 * compact table lookup_log (integer handle ids and IPv4 numbers) and are
 * read through the view `lookups(ts, source_handle, lookup_handle,
 * client_ip, lookup_devices)`, the columns of the provider's own
 * law-enforcement return, so any SQL tool sees exactly that layout.
 * Handle ids carry no information beyond the handle itself (sim: the
 * handle's number; imports: first-seen order of a sorted list).
 *
 * truth.db is the ground truth.  Only the simulator writes it and only the
 * evaluator (analyze/evaluate.c) reads it.
 *
 * Versions are checked on open (common/db.h ml_db_check_schema); bump them
 * whenever a table changes.
 */
#ifndef ML_SCHEMA_H
#define ML_SCHEMA_H

#include <glib.h>

#include "common/db.h"

G_BEGIN_DECLS

#define ML_SCHEMA_PROVIDER "provider"
#define ML_SCHEMA_PROVIDER_VERSION 1
#define ML_SCHEMA_TRUTH "truth"
#define ML_SCHEMA_TRUTH_VERSION 2   /* 2: stays and messages_daily clustered by person */

/* Create provider.db's tables (no secondary indexes: call
 * ml_schema_provider_index after the bulk load) and stamp the schema. */
gboolean ml_schema_provider_create (MlDb *db, GError **error);
/* Create the analyzer's access-path indexes: by source and time, by lookup
 * handle and time, by IP and time; then gather statistics (ANALYZE). */
gboolean ml_schema_provider_index (MlDb *db, GError **error);
/* The same in two steps, for a loader that fills the indexes itself
 * (sim/writer.c: created on the empty table, filled through imposters). */
gboolean ml_schema_provider_create_indexes (MlDb *db, GError **error);
gboolean ml_schema_provider_analyze (MlDb *db, GError **error);

/* The indexes' names, in order: by source, by lookup handle, by IP (each
 * on (column, ts)). */
#define ML_SCHEMA_PROVIDER_N_INDEXES 3
extern const char *const ml_schema_provider_indexes[ML_SCHEMA_PROVIDER_N_INDEXES];

/* Prepared inserts matching the tables (parameters in column order). */
#define ML_SQL_LOOKUP_COLUMNS "lookup_log (ts, source, lookup, ip, lookup_devices)"
#define ML_SQL_INSERT_LOOKUP "INSERT INTO " ML_SQL_LOOKUP_COLUMNS " VALUES (?, ?, ?, ?, ?)"
#define ML_SQL_INSERT_HANDLE "INSERT INTO handles (id, handle) VALUES (?, ?)"
#define ML_SQL_INSERT_IP "INSERT INTO ips (id, ip) VALUES (?, ?)"

/* Create truth.db's tables and stamp the schema; indexes after the load. */
gboolean ml_schema_truth_create (MlDb *db, GError **error);
gboolean ml_schema_truth_index (MlDb *db, GError **error);

G_END_DECLS

#endif /* ML_SCHEMA_H */
