/* evidence.h -- exactly the rows the case's orders return, chained and de-duplicated.
 *
 * Given a case and its named targets, serves the modelled orders on
 * provider.db (legalcase.h): pen register rows (source = target), trap and
 * trace rows (lookup = target), an optional IP pivot (every lookup from the
 * target's non-cellular client IPs) and hop expansion (the same orders on
 * the handles the evidence reveals).  The result, MlEvidence of
 * analysis.h, holds each returned log row once, tagged with the first
 * window (chain position) that returned it, the lowest hop and the access
 * paths (MlVia) that returned it, plus the GeoIP answers for its IPs and the
 * public directory.  The wall: only provider.db, the GeoIP database and the
 * public directory are read.  docs/analyze/evidence.md has the rules.
 *
 * Workload: 1,000 targets x 12 windows on a provider.db of 10^8 rows in
 * seconds.  One prepared statement per access path, reused for every
 * target; the returned windows of a target's orders are merged so that
 * contiguous windows cost one index range scan; the window of each row is
 * found in C.
 */
#ifndef ML_EVIDENCE_H
#define ML_EVIDENCE_H

#include <glib.h>

#include "analyze/analysis.h"
#include "common/db.h"

G_BEGIN_DECLS

/* The public inputs next to provider.db that extraction may use. */
typedef struct {
  const char *geoip_path;     /* MaxMind DB (RUN/geo.mmdb, or --geoip): classifies the
                               * targets' IPs for the pivot and geolocates every row's IP
                               * in ev->ipinfo; NULL: no GeoIP (every IP class unknown,
                               * so the pivot takes every IP) */
  const char *directory_path; /* public directory CSV (RUN/directory.csv): fills
                               * ev->directory; hop expansion serves no orders on listed
                               * services; NULL: no directory */
} MlEvidenceSources;

/* Serve C's orders on NAMED_TARGETS (a GArray of gint64 handle ids, from
 * ml_case_resolve_targets(); C->first_service resolved) and on the hops
 * they reveal, reading PROVIDER.  SOURCES may be NULL.  Returns a new
 * MlEvidence, its rows final and indexed (ml_evidence_index()), ev->ipinfo
 * holding every row's IP (text, and GeoIP answers when SOURCES names a
 * database), targets in serving order (named first, then hop 2, hop 3).
 * It borrows C and PROVIDER
 * (both must outlive it; free with ml_evidence_free()), or NULL with ERROR
 * set: SQLite failures (ML_ERROR_DB), an unreadable GeoIP database or
 * directory (ML_ERROR_IO / ML_ERROR_INPUT "FILE:LINE: ..."),
 * ML_ERROR_INTERRUPTED on SIGINT. */
MlEvidence *ml_evidence_extract (MlCase *c, MlDb *provider, GArray *named_targets,
                                 const MlEvidenceSources *sources, GError **error);

/* An empty MlEvidence for C and PROVIDER (borrowed), with empty targets,
 * rows, ipinfo, directory and by_handle tables: for population mode and
 * tests that build rows themselves.  Never fails. */
MlEvidence *ml_evidence_new (MlCase *c, MlDb *provider);

/* Fill EV->ipinfo for every IP id in EV->rows not in it yet: the address
 * text from provider.db's ips table, geolocated in the MaxMind DB at
 * MMDB_PATH; class from traits.connection_type ("Cable/DSL", "Dialup",
 * "Satellite" -> broadband; "Corporate" -> business; "Cellular";
 * "Wi-Fi"/hotspots -> wifi; "Antenna" -> antenna, the cell towers of a
 * CDR log, never pivoted on; else unknown).  An address the database does
 * not cover, or an IPv6 address in an IPv4 database, gets class unknown and
 * NAN coordinates.  ML_ERROR_IO / ML_ERROR_INPUT if the file is not a
 * readable MaxMind DB; on failure EV->ipinfo may hold a part of the IPs. */
gboolean ml_evidence_load_ipinfo (MlEvidence *ev, const char *mmdb_path, GError **error);

/* Fill EV->directory from the public directory CSV_PATH ("handle,name,
 * category,sensitive" with a header line; RFC 4180 quotes allowed;
 * sensitive is 0/1).  Listed handles that never appear in provider.db are
 * skipped: they cannot be in any evidence.  ML_ERROR_IO if unreadable,
 * ML_ERROR_INPUT "FILE:LINE: ..." for a malformed line (EV->directory is
 * then unchanged). */
gboolean ml_evidence_load_directory (MlEvidence *ev, const char *csv_path, GError **error);

/* Free EV and everything it owns; C and the provider are borrowed.  NULL
 * is allowed. */
void ml_evidence_free (MlEvidence *ev);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlEvidence, ml_evidence_free)

/* For tests: extractions reading at least ROWS distinct rows read them on
 * one connection per processor (default 2^18), and a hop of at least
 * TARGETS targets per processor is served so too (default 256).  Not
 * thread-safe. */
void ml_evidence_set_parallel_min (guint rows, guint targets);

/* Class of a traits.connection_type value (NULL or "" -> unknown). */
MlIpClass ml_evidence_ip_class (const char *connection_type);

G_END_DECLS

#endif /* ML_EVIDENCE_H */
