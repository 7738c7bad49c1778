/* cdr.h -- real phone metadata: bandicoot-compatible CDR import and indicators.
 *
 * Researchers hold call-detail records (CDRs) in bandicoot's CSV layout: one
 * records file per user (DIR/<user_id>.csv, columns interaction, direction,
 * correspondent_id, datetime, call_duration, antenna_id and optionally
 * latitude, longitude, in any order) and one antennas file (antenna_id,
 * latitude, longitude).  `metaleak cdr import` reads them into cdr.db;
 * `metaleak cdr indicators` computes every individual and spatial indicator
 * of bandicoot 0.6.0 under bandicoot's own flattened key names
 * ("active_days__allweek__allday__callandtext"), to bandicoot's tolerance.
 *
 * The modules behind this header:
 *   cdr-csv.c         the CSV scanner and the per-file record parser (drop rules)
 *   cdr-import.c      directory scan, antennas file, parallel parse, cdr.db writer
 *   cdr-store.c       cdr.db's packed per-user layout: write and read back
 *   cdr-stats.c       bandicoot's summary statistics (population std, m4/m2^2)
 *   cdr-group.c       filters (weekday/weekend, day/night), ISO-week groups, keys
 *   cdr-indicators.c  the individual indicators and the per-user driver
 *   cdr-spatial.c     30-minute position binning, home, spatial indicators, churn
 *   cdr-network.c     --network: reciprocity filter, clustering, assortativity
 *   cdr-output.c      CSV and JSON writers
 *   cdr-generate.c    a deterministic synthetic dataset for bench/cdr
 *   cmd-cdr.c         the `metaleak cdr` subcommand
 *
 * Invariants.  A user's records are sorted by time, stably (records with the
 * same datetime keep their file order, as Python's sorted() does); every
 * indicator sees them in that order.  Times are naive local wall-clock
 * seconds (the CSV has no zone) stored as if UTC.  Strings (contacts,
 * antenna ids) are interned per user: records hold indices.
 *
 * Workload: 10^3-10^5 users of 10^2-10^5 records; each user is parsed, stored
 * and analysed on its own, by one worker thread, so memory is bounded by the
 * largest user (times the small batch of users in flight), never by the
 * dataset.
 */
#ifndef ML_CDR_H
#define ML_CDR_H

#include <stdio.h>

#include <glib.h>

#include "common/db.h"

G_BEGIN_DECLS

#define ML_CDR_SCHEMA_KIND "cdr"
#define ML_CDR_SCHEMA_VERSION 1

/* The bandicoot version whose indicators and drop rules are reproduced. */
#define ML_CDR_BANDICOOT_VERSION "0.6.0"

typedef enum {
  ML_CDR_OTHER = 0,   /* empty or "gps" interaction: a location-only record */
  ML_CDR_CALL = 1,
  ML_CDR_TEXT = 2,
} MlCdrKind;

typedef enum {
  ML_CDR_DIR_NONE = 0,
  ML_CDR_DIR_IN = 1,
  ML_CDR_DIR_OUT = 2,
} MlCdrDirection;

/* One record; 32 bytes, packed as is (little-endian) into cdr.db. */
typedef struct {
  gint64 t;             /* naive local time: seconds since 1970-01-01 00:00:00 */
  gint64 duration;      /* call duration in seconds, if has_duration */
  gint32 contact;       /* index into MlCdrUser.contacts, -1 for none */
  gint32 antenna;       /* index into MlCdrUser.antennas, -1 for none */
  gint32 coord;         /* index into MlCdrUser.coords (CSV latitude/longitude), -1 for none */
  guint8 kind;          /* MlCdrKind */
  guint8 direction;     /* MlCdrDirection */
  guint8 has_duration;  /* call_duration parsed */
  guint8 pad;           /* zero */
} MlCdrRecord;

/* Why records were ignored, counted per field as bandicoot does (a record
 * with two bad fields counts once in `all` and once in each field). */
typedef enum {
  ML_CDR_IGN_ALL,
  ML_CDR_IGN_INTERACTION,
  ML_CDR_IGN_DIRECTION,
  ML_CDR_IGN_CORRESPONDENT,
  ML_CDR_IGN_DATETIME,
  ML_CDR_IGN_DURATION,
  ML_CDR_IGN_LOCATION,
  ML_CDR_IGN_N
} MlCdrIgnored;

/* bandicoot's names for the MlCdrIgnored counters ("all", "interaction", ...). */
extern const char *const ml_cdr_ignored_names[ML_CDR_IGN_N];

/* A dropped row: its physical line (the header is line 1) and why. */
typedef struct {
  guint64 line;   /* 1-based line where the row starts */
  char *reason;   /* owned: "bad datetime '2014-13-01'; missing correspondent_id" */
} MlCdrDrop;

/* One user's records and their interned strings. */
typedef struct {
  char *name;              /* owned: the file name without ".csv" */
  GArray *records;         /* of MlCdrRecord, sorted by t (stable) */
  GPtrArray *contacts;     /* of char * (owned by strings): correspondent ids */
  GPtrArray *antennas;     /* of char * (owned by strings): antenna ids as written (normalised if tolerant) */
  GArray *coords;          /* of double pairs (lat, lon): one per record that has them */
  GStringChunk *strings;   /* owns every contact and antenna string */
  GArray *drops;           /* of MlCdrDrop: rows dropped at import (import only) */
  guint64 rows;            /* data rows read from the file */
  guint64 ignored[ML_CDR_IGN_N];   /* bandicoot's ignored_records counters */
} MlCdrUser;

/* A new, empty user called NAME (copied). */
MlCdrUser *ml_cdr_user_new (const char *name);
void ml_cdr_user_free (MlCdrUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrUser, ml_cdr_user_free)

/* An index of strings interned into one of a user's arrays (contacts or
 * antennas), for the parser: open addressing on an FNV-1a hash. */
typedef struct MlCdrIntern MlCdrIntern;

MlCdrIntern *ml_cdr_intern_new (void);
void ml_cdr_intern_free (MlCdrIntern *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrIntern, ml_cdr_intern_free)

/* The index of S[0..LEN) (no NUL inside) in ARRAY (USER->contacts or
 * USER->antennas, indexed by T alone), added if new. */
gint32 ml_cdr_user_intern (MlCdrUser *user, GPtrArray *array, MlCdrIntern *t, const char *s, gsize len);

/* The antennas file: id -> (latitude, longitude); last row wins, as in a
 * Python dict.  Ids are normalised ("2367.0" -> "2367") unless strict. */
typedef struct {
  GHashTable *by_id;   /* char * id -> index into coords (GINT_TO_POINTER (i + 1)) */
  GArray *coords;      /* of double pairs */
  GPtrArray *ids;      /* of char *, owned: ids in file order (last duplicate wins) */
  GArray *drops;       /* of MlCdrDrop: rows dropped (tolerant mode only) */
  char *path;          /* owned: the file it came from, or NULL */
} MlCdrAntennas;

MlCdrAntennas *ml_cdr_antennas_new (void);
void ml_cdr_antennas_free (MlCdrAntennas *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrAntennas, ml_cdr_antennas_free)

/* Add or replace antenna ID at (LAT, LON). */
void ml_cdr_antennas_set (MlCdrAntennas *a, const char *id, double lat, double lon);

/* The coordinates of antenna ID: TRUE and *LAT, *LON written if known. */
gboolean ml_cdr_antennas_lookup (const MlCdrAntennas *a, const char *id, double *lat, double *lon);

/* ---- cdr-csv.c: parsing ---- */

/* Parse the records CSV in BUF (LEN bytes; the file's contents) into USER,
 * named FILE in drop reasons.  STRICT reproduces bandicoot 0.6.0's drop
 * rules exactly; otherwise the tolerant rules of docs/cdr.md apply.  Rows
 * that fail are counted in USER->ignored and listed in USER->drops; the
 * records are sorted by time on return.  Fails (ML_ERROR_INPUT "FILE:1:
 * ...") only when the header lacks a required column. */
gboolean ml_cdr_parse_records (MlCdrUser *user, const char *file, const char *buf, gsize len,
                               gboolean strict, GError **error);

/* Parse the antennas CSV in BUF into A.  Strict: a bad latitude or
 * longitude is fatal, as in bandicoot (ML_ERROR_INPUT "FILE:LINE: ...");
 * tolerant: the row is dropped and listed in A->drops. */
gboolean ml_cdr_parse_antennas (MlCdrAntennas *a, const char *file, const char *buf, gsize len,
                                gboolean strict, GError **error);

/* Parse "%Y-%m-%d %H:%M:%S" as Python's strptime does (1- or 2-digit
 * fields but a 4-digit year, a real calendar date) into naive seconds.
 * TRIM allows surrounding blanks.  Returns FALSE, *OUT untouched, if not. */
gboolean ml_cdr_parse_datetime (const char *s, gsize len, gboolean trim, gint64 *out);

/* Parse a duration: Python's int() (blanks, sign, digits with single
 * underscores); when TOLERANT also an integral decimal ("12.0", "1.2e1").
 * Returns FALSE if not, or if the value does not fit 62 bits. */
gboolean ml_cdr_parse_duration (const char *s, gsize len, gboolean tolerant, gint64 *out);

/* Normalise an antenna id in place: "2367.0" and "2367.000" become "2367".
 * Returns the new length. */
gsize ml_cdr_normalize_antenna (char *s, gsize len);

/* ---- cdr-store.c: cdr.db ---- */

/* Create cdr.db's tables on DB (being created) and store A. */
gboolean ml_cdr_store_init (MlDb *db, const MlCdrAntennas *a, gboolean strict, GError **error);

/* Append USER (with file name FILE) as user number ID. */
gboolean ml_cdr_store_write_user (MlDb *db, gint64 id, const MlCdrUser *user, const char *file,
                                  GError **error);

/* USER's records and strings packed as cdr.db stores them.  Building one
 * touches no database, so the importer's workers pack while the calling
 * thread writes: a new object, free with ml_cdr_packed_free(). */
typedef struct MlCdrPacked MlCdrPacked;

MlCdrPacked *ml_cdr_packed_new (const MlCdrUser *user);
void ml_cdr_packed_free (MlCdrPacked *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrPacked, ml_cdr_packed_free)

/* The INSERT statements of an import, prepared once for every user.  NULL
 * with ERROR if DB lacks cdr.db's tables (call ml_cdr_store_init first). */
typedef struct MlCdrStoreWriter MlCdrStoreWriter;

MlCdrStoreWriter *ml_cdr_store_writer_new (MlDb *db, GError **error);
void ml_cdr_store_writer_free (MlCdrStoreWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrStoreWriter, ml_cdr_store_writer_free)

/* Append USER (file name FILE, packed as P by ml_cdr_packed_new (USER)) as
 * user number ID, with its drops. */
gboolean ml_cdr_store_writer_add (MlCdrStoreWriter *w, gint64 id, const MlCdrUser *user,
                                  const MlCdrPacked *p, const char *file, GError **error);

typedef struct MlCdrStore MlCdrStore;

/* Open cdr.db at PATH for reading (schema checked).  Free with
 * ml_cdr_store_free(). */
MlCdrStore *ml_cdr_store_open (const char *path, GError **error);
void ml_cdr_store_free (MlCdrStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrStore, ml_cdr_store_free)

/* The antennas stored with the records (borrowed). */
const MlCdrAntennas *ml_cdr_store_antennas (const MlCdrStore *store);

/* Whether the data were imported with --bandicoot-strict. */
gboolean ml_cdr_store_strict (const MlCdrStore *store);

/* The number of users, and user number I's name (borrowed), in id order. */
guint ml_cdr_store_n_users (const MlCdrStore *store);
const char *ml_cdr_store_user_name (const MlCdrStore *store, guint i);

/* The index of the user called NAME, or -1. */
gint ml_cdr_store_find (const MlCdrStore *store, const char *name);

/* Load user number I (0-based, < ml_cdr_store_n_users()).  Returns a new
 * user (without drops) or NULL with ERROR set.  One thread at a time. */
MlCdrUser *ml_cdr_store_load (MlCdrStore *store, guint i, GError **error);

/* ml_cdr_store_load() in two steps, so that the decoding runs off the
 * database thread: ml_cdr_store_fetch() copies user number I's packed row
 * out of cdr.db (a new object, or NULL with ERROR; one thread at a time);
 * ml_cdr_store_unpack() decodes it into a new user, or NULL with
 * ML_ERROR_SCHEMA if it is corrupt (any thread: STORE is only read). */
MlCdrPacked *ml_cdr_store_fetch (MlCdrStore *store, guint i, GError **error);
MlCdrUser *ml_cdr_store_unpack (const MlCdrStore *store, guint i, const MlCdrPacked *p, GError **error);

/* ---- indicators ---- */

typedef enum { ML_CDR_GROUP_NONE, ML_CDR_GROUP_WEEK } MlCdrGroupBy;
typedef enum { ML_CDR_SUMMARY_DEFAULT, ML_CDR_SUMMARY_EXTENDED } MlCdrSummary;

/* What to compute and how; bandicoot's defaults from ml_cdr_options_init(). */
typedef struct {
  MlCdrGroupBy groupby;      /* ISO weeks (bandicoot's default) or none */
  MlCdrSummary summary;      /* mean/std, or also median/skewness/kurtosis/min/max */
  gboolean split_week;       /* also weekday and weekend */
  gboolean split_day;        /* also day and night */
  gboolean network;          /* clustering and assortativity, from correspondents' records */
  int night_start;           /* seconds after midnight; 19:00 */
  int night_end;             /* 07:00 */
  guint weekend;             /* bit d set: ISO day d (1 = Monday) is weekend; days 6, 7 */
  gint64 conversation_gap;   /* texts less than this many seconds apart converse; 3600 */
  int bin_minutes;           /* position bins; 30, a divisor of 60 */
  gboolean strict;           /* positions as bandicoot resolves them (set from the store) */
} MlCdrOptions;

void ml_cdr_options_init (MlCdrOptions *o);

typedef enum {
  ML_CDR_VAL_NULL,
  ML_CDR_VAL_BOOL,
  ML_CDR_VAL_INT,
  ML_CDR_VAL_REAL,
  ML_CDR_VAL_DATETIME,   /* i: naive seconds, printed "YYYY-MM-DD HH:MM:SS" */
  ML_CDR_VAL_CLOCK,      /* i: seconds after midnight, printed "HH:MM:SS" */
  ML_CDR_VAL_WEEKDAYS,   /* i: bit set of ISO days, printed [6, 7] */
  ML_CDR_VAL_STRING,     /* s: borrowed, static or owned by the store */
} MlCdrValType;

typedef struct {
  MlCdrValType type;
  union {
    gint64 i;
    double d;
    const char *s;
  } v;
} MlCdrValue;

/* The flattened key names for O, in output order ("name" excluded).
 * Returns a new array of owned strings.  With O->network the network keys
 * come last, followed by one assortativity key per indicator key. */
GPtrArray *ml_cdr_keys (const MlCdrOptions *o);

/* Compute every indicator of USER: a new array of MlCdrValue, one per key of
 * ml_cdr_keys (O), in the same order.  ANTENNAS and ANTENNAS_PATH feed the
 * positions and the reporting keys.  NETWORK (NULL without --network) holds
 * the correspondents present in the data, by name, as MlCdrUser *; USER's
 * records may then be filtered for reciprocity, as bandicoot does.
 * Thread-safe for distinct users. */
GArray *ml_cdr_user_indicators (MlCdrUser *user, const MlCdrAntennas *antennas,
                                const char *antennas_path, GHashTable *network,
                                const MlCdrOptions *o);

/* ---- cdr-output.c ---- */

typedef enum { ML_CDR_FORMAT_CSV, ML_CDR_FORMAT_JSON } MlCdrFormat;

typedef struct MlCdrWriter MlCdrWriter;

/* A writer of indicator rows to OUT (borrowed) in FORMAT for KEYS
 * (borrowed; must outlive the writer). */
MlCdrWriter *ml_cdr_writer_new (FILE *out, MlCdrFormat format, GPtrArray *keys);
/* Write one user's row.  FALSE with ML_ERROR_IO on a write error. */
gboolean ml_cdr_writer_row (MlCdrWriter *w, const char *name, const GArray *values, GError **error);

/* ml_cdr_writer_row() in two steps, so that rows are formatted in
 * parallel: ml_cdr_writer_format() appends the row's text to OUT (any
 * thread: W is only read); ml_cdr_writer_put() writes it, after the header
 * or the separator from the previous row, in call order. */
void ml_cdr_writer_format (const MlCdrWriter *w, const char *name, const GArray *values, GString *out);
gboolean ml_cdr_writer_put (MlCdrWriter *w, const GString *row, GError **error);
/* Close the document (JSON's final brace) and flush. */
gboolean ml_cdr_writer_finish (MlCdrWriter *w, GError **error);
void ml_cdr_writer_free (MlCdrWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlCdrWriter, ml_cdr_writer_free)

/* Format V as bandicoot's JSON would (null, true, 1.5, "19:00:00", [6, 7])
 * into S (appended). */
void ml_cdr_value_append_json (GString *s, const MlCdrValue *v);

/* ---- commands ---- */

/* Import DIR/ *.csv and ANTENNAS (may be NULL) into OUT (atomic).  Prints
 * drop warnings unless QUIET.  THREADS <= 1 runs inline. */
gboolean ml_cdr_import (const char *dir, const char *antennas, const char *out, gboolean strict,
                        gboolean force, gboolean quiet, guint threads, GError **error);

/* Compute the indicators of every user in DB_PATH and write them to OUT. */
gboolean ml_cdr_indicators (const char *db_path, const MlCdrOptions *o, MlCdrFormat format,
                            FILE *out, guint threads, GError **error);

/* Write a deterministic synthetic dataset into DIR (created): N_USERS files
 * DIR/records/uNNNNN.csv of N_RECORDS records each, and DIR/antennas.csv. */
gboolean ml_cdr_generate (const char *dir, guint n_users, guint n_records, guint64 seed,
                          GError **error);

/* Run `metaleak cdr` with ARGV (argv[0] = "cdr"). */
gboolean ml_cdr_main (int argc, char **argv, GError **error);

G_END_DECLS

#endif /* ML_CDR_H */
