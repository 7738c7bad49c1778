/* schema.c -- the data contract between the stages: provider.db and truth.db.
 *
 * Plain SQL text; see schema.h for the rules.  Times are UTC seconds since
 * the epoch (INTEGER), coordinates WGS84 degrees, IPv4 addresses INTEGER in
 * host order with their dotted form in ips/ip_text columns.
 */

#include "common/schema.h"

static const char provider_sql[] =
  "CREATE TABLE handles (\n"
  "  id INTEGER PRIMARY KEY,          -- sim: the handle's number (+999...), see sim/handles.h\n"
  "  handle TEXT NOT NULL UNIQUE);    -- as the provider returns it\n"
  "CREATE TABLE ips (\n"
  "  id INTEGER PRIMARY KEY,          -- IPv4 as an integer (host order)\n"
  "  ip TEXT NOT NULL UNIQUE);        -- dotted quad\n"
  "CREATE TABLE lookup_log (\n"
  "  ts INTEGER NOT NULL,             -- UTC seconds\n"
  "  source INTEGER NOT NULL,         -- handles.id of the asking handle\n"
  "  lookup INTEGER NOT NULL,         -- handles.id of the handle asked about\n"
  "  ip INTEGER NOT NULL,             -- ips.id of the client IP\n"
  "  lookup_devices INTEGER NOT NULL);-- iMessage-capable devices found, 0 if none\n"
  "CREATE VIEW lookups AS\n"
  "  SELECT l.ts AS ts, s.handle AS source_handle, d.handle AS lookup_handle,\n"
  "         i.ip AS client_ip, l.lookup_devices AS lookup_devices\n"
  "  FROM lookup_log l JOIN handles s ON s.id = l.source JOIN handles d ON d.id = l.lookup\n"
  "       JOIN ips i ON i.id = l.ip;\n";

static const char provider_index_sql[] =
  ML_DB_SORT_CACHE_SQL
  "CREATE INDEX lookup_by_source ON lookup_log (source, ts);\n"
  "CREATE INDEX lookup_by_lookup ON lookup_log (lookup, ts);\n"
  "CREATE INDEX lookup_by_ip ON lookup_log (ip, ts);\n";

/* Table by table, so that a loader's imposters (sim/writer.c) are not
 * analyzed too. */
static const char provider_analyze_sql[] =
  "PRAGMA analysis_limit = 1000;\n"
  "ANALYZE handles;\n"
  "ANALYZE ips;\n"
  "ANALYZE lookup_log;\n";

const char *const ml_schema_provider_indexes[ML_SCHEMA_PROVIDER_N_INDEXES] = {
  "lookup_by_source", "lookup_by_lookup", "lookup_by_ip",
};

static const char truth_sql[] =
  "CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL, lon REAL,\n"
  "  residents INTEGER, in_region INTEGER);\n"
  "CREATE TABLE districts (id INTEGER PRIMARY KEY, city INTEGER, lat REAL, lon REAL);\n"
  "CREATE TABLE places (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, category TEXT,\n"
  "  district INTEGER, city INTEGER, lat REAL, lon REAL, wifi TEXT, owner INTEGER);\n"
  "CREATE TABLE households (id INTEGER PRIMARY KEY, home_place INTEGER, size INTEGER,\n"
  "  broadband INTEGER, isp INTEGER, family INTEGER);\n"
  "CREATE TABLE people (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE,\n"
  "  handle_id INTEGER NOT NULL, household INTEGER, role TEXT, work_place INTEGER, age INTEGER,\n"
  "  carrier INTEGER, imessage INTEGER, devices INTEGER, activity REAL, cast_name TEXT);\n"
  "CREATE TABLE services (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE,\n"
  "  handle_id INTEGER NOT NULL, category TEXT, sensitive INTEGER, place INTEGER,\n"
  "  imessage INTEGER, devices INTEGER, owner INTEGER);\n"
  "CREATE TABLE ties (a INTEGER, b INTEGER, kind TEXT, weight_ab REAL, weight_ba REAL,\n"
  "  PRIMARY KEY (a, b)) WITHOUT ROWID;   -- a < b\n"
  "CREATE TABLE stays (person INTEGER, start INTEGER, end INTEGER, place INTEGER, city INTEGER,\n"
  "  PRIMARY KEY (person, start)) WITHOUT ROWID;   -- clustered by person: see below\n"
  "CREATE TABLE trips (person INTEGER, start INTEGER, end INTEGER, city INTEGER);\n"
  "CREATE TABLE ip_leases (ip INTEGER, ip_text TEXT, holder_kind TEXT, holder INTEGER,\n"
  "  start INTEGER, end INTEGER);\n"
  "CREATE TABLE cell_pools (carrier INTEGER, city INTEGER, first_ip INTEGER, n_ips INTEGER,\n"
  "  egress_city INTEGER);\n"
  "CREATE TABLE messages_daily (day INTEGER, sender INTEGER, recipient INTEGER,\n"
  "  imessage INTEGER, sms INTEGER,      -- day: days since 1970-01-01\n"
  "  PRIMARY KEY (sender, day, recipient)) WITHOUT ROWID;\n"
  "CREATE TABLE messages (ts INTEGER, sender INTEGER, recipient INTEGER, channel TEXT);\n"
  "CREATE TABLE service_contacts (ts INTEGER, person INTEGER, service INTEGER);\n"
  "CREATE TABLE lookup_causes (day INTEGER, cause TEXT, n INTEGER);\n";

/* The evaluator reads the truth of the people it scores (1,000 of 50,000
 * in a benchmark case): stays and daily message counts by person.  The two
 * big tables are therefore clustered by person (WITHOUT ROWID, keyed
 * person first, then time), so a person's rows are a few adjacent pages;
 * the simulator writes them once, in key order, after the last day
 * (sim/runs.h).  Before, they were rowid tables with covering indexes by
 * person that SQLite's sorter built after the load: measured on a year of
 * town (61 M daily pairs), the load plus the index cost 84 s and 2.5 GB,
 * an ordered load of the clustered table 19 s and 1.1 GB.  The smaller
 * tables keep an index; the table of every message (--messages=full) stays
 * unindexed. */
static const char truth_index_sql[] =
  ML_DB_SORT_CACHE_SQL
  "CREATE INDEX ip_leases_by_ip ON ip_leases (ip, start);\n"
  "CREATE INDEX ties_by_b ON ties (b);\n"
  "CREATE INDEX service_contacts_by_person ON service_contacts (person, ts);\n";

gboolean
ml_schema_provider_create (MlDb *db, GError **error)
{
  return ml_db_exec (db, provider_sql, error)
         && ml_db_set_schema (db, ML_SCHEMA_PROVIDER, ML_SCHEMA_PROVIDER_VERSION, error);
}

gboolean
ml_schema_provider_index (MlDb *db, GError **error)
{
  return ml_schema_provider_create_indexes (db, error) && ml_schema_provider_analyze (db, error);
}

gboolean
ml_schema_provider_create_indexes (MlDb *db, GError **error)
{
  return ml_db_exec (db, provider_index_sql, error);
}

gboolean
ml_schema_provider_analyze (MlDb *db, GError **error)
{
  return ml_db_exec (db, provider_analyze_sql, error);
}

gboolean
ml_schema_truth_create (MlDb *db, GError **error)
{
  return ml_db_exec (db, truth_sql, error)
         && ml_db_set_schema (db, ML_SCHEMA_TRUTH, ML_SCHEMA_TRUTH_VERSION, error);
}

gboolean
ml_schema_truth_index (MlDb *db, GError **error)
{
  return ml_db_exec (db, truth_index_sql, error);
}
