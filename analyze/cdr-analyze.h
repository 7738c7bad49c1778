/* cdr-analyze.h -- `metaleak analyze --import-cdr`: call-detail records as a provider log.
 *
 * `metaleak analyze RUN --import-cdr cdr.db` turns a cdr.db (made by
 * `metaleak cdr import` from bandicoot CSV files) into a run directory the
 * whole analyzer reads unchanged, as `--import-log` does for a lookup log:
 *   RUN/provider.db  the records as provider.db rows (common/schema.h), plus
 *                    tables cdr_users and cdr_antennas and meta source_kind
 *                    "cdr";
 *   RUN/geo.mmdb     one MaxMind record per antenna: its position, a
 *                    cell-sized accuracy radius and connection type
 *                    "Antenna" (the location class ML_IP_ANTENNA);
 *   RUN/pseudonym.key  the key of the handles' pseudonyms (pseudonym.h).
 * The mapping (docs/cdr.md has the full rules): every CDR user and every
 * correspondent is a handle; an antenna is a synthetic IPv4 address; each
 * record of user U gives one row whose source is U, at U's antenna:
 *   out, to C:             (t, U, C, antenna)    a communication U -> C
 *   in, from C:            (t, U, U, antenna)    a registration: where U was
 *                        + (t, C, U, 0.0.0.0)    the communication C -> U, its
 *                                                caller's position unknown
 *   location-only / other: (t, U, U, antenna)    a registration
 * Rows whose source and lookup are one handle are never contacts (contacts.c
 * skips them) but place and time the user (location.c, rhythm.c, popmode.c
 * read the source's own rows).  When C is a user too, the communication of
 * U's incoming record is already C's outgoing row (with C's own antenna):
 * the incoming one is dropped, matched one-to-one as bandicoot matches
 * records (same interaction and duration, other direction, under 30 s
 * apart), so every communication between two users counts once.
 *
 * Workload: cdr.db files of 10^3-10^5 users and up to ~10^8 records; two
 * passes over the users (ml_cdr_store_load, one user in memory at a time),
 * memory in the distinct handles and antennas plus 24 bytes per record
 * between two users of the data (the matching index), one prepared INSERT
 * in one transaction.
 */
#ifndef ML_CDR_ANALYZE_H
#define ML_CDR_ANALYZE_H

#include <glib.h>

#include "analyze/analysis.h"
#include "analyze/findings.h"
#include "common/db.h"

G_BEGIN_DECLS

/* provider.db meta source_kind of a converted cdr.db. */
#define ML_CDR_ANALYZE_KIND "cdr"

/* The shipped case a CDR run is analysed with by default (datasets/cases/). */
#define ML_CDR_ANALYZE_CASE "cdr"

/* bandicoot's Record.matches: a mirror record is less than this many
 * seconds away (cdr-network.c). */
#define ML_CDR_MATCH_SECONDS 30

/* The cell-sized uncertainty of an antenna position (docs/model/cdr.md):
 * the distance to the nearest other antenna position, clamped to
 * [MIN, MAX] km and rounded up to whole km (MaxMind's unit); MAX for a
 * lone antenna. */
#define ML_CDR_CELL_RADIUS_MIN_KM 1
#define ML_CDR_CELL_RADIUS_MAX_KM 35

/* What a conversion read and wrote. */
typedef struct {
  guint64 users;          /* users in cdr.db */
  guint64 records;        /* records read */
  guint64 rows;           /* provider rows written */
  guint64 registrations;  /* of which registrations (source = lookup) */
  guint64 mirrored;       /* incoming records whose communication a user's outgoing row gives */
  guint64 unlocated;      /* records without a known position (client IP 0.0.0.0 or an
                           * antenna missing from the antennas file) */
  guint64 handles;        /* distinct handles: users and correspondents */
  guint64 antennas;       /* distinct positions (addresses), located or not */
} MlCdrConvertStats;

/* Convert the cdr.db at CDR_PATH into RUN_DIR (created if needed):
 * RUN_DIR/geo.mmdb, then RUN_DIR/provider.db (published last and
 * atomically: its presence means a complete conversion; ML_ERROR_EXISTS if
 * it exists), RUN_DIR/pseudonym.key (0600; kept if present).  STATS may be
 * NULL.  Fails with ML_ERROR_IO (unreadable), ML_ERROR_SCHEMA ("PATH: is a
 * 'provider' database, expected 'cdr'", or not a database at all),
 * ML_ERROR_INPUT ("PATH: no records to analyse" for an empty cdr.db, more
 * than 2^24 - 2 antennas), ML_ERROR_DB, ML_ERROR_INTERRUPTED. */
gboolean ml_cdr_analyze_import (const char *cdr_path, const char *run_dir, MlCdrConvertStats *stats,
                                GError **error);

/* Whether PROVIDER was converted from a cdr.db (meta source_kind "cdr"). */
gboolean ml_cdr_analyze_is_cdr_run (MlDb *provider);

/* Whether PATH is a readable cdr.db (its schema stamp says so). */
gboolean ml_cdr_analyze_is_cdr_db (const char *path);

/* Prepare C for a CDR run, before ml_case_resolve_targets():
 *   "random:N" becomes N user ids drawn with C's seed among the CDR users
 *     (table cdr_users: correspondents never drawn) with at least
 *     ML_CASE_RANDOM_MIN_LOOKUPS records, other than the ids the case
 *     names; all of them, with a warning, when fewer qualify; none:
 *     ML_ERROR_INPUT naming the case file;
 *   "h-" + 16 hex digits, a pseudonym as the outputs show it, becomes the
 *     handle it stands for under RUN_DIR/pseudonym.key (left as is if none).
 * Other items are kept.  ip_pivot is turned off (with a warning if set):
 * antennas are never pivoted on, and 0.0.0.0 stands for "no position".
 * ML_ERROR_DB on SQLite failures. */
gboolean ml_cdr_analyze_prepare_case (MlCase *c, const char *run_dir, MlDb *provider, GError **error);

/* Write a CDR run's identity into table params of analysis.db through RC
 * (findings.h): input "cdr", and source_file, cdr_users, cdr_records and
 * cdr_mirrored from PROVIDER's meta. */
gboolean ml_cdr_analyze_put_params (MlDb *provider, MlRowCache *rc, GError **error);

/* The cell-sized radius (km) of each of the N positions LATLON[2i],
 * LATLON[2i + 1] into RADIUS_KM[i] (see ML_CDR_CELL_RADIUS_*). */
void ml_cdr_cell_radii (const double *latlon, guint n, double *radius_km);

G_END_DECLS

#endif /* ML_CDR_ANALYZE_H */
