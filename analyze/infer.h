/* infer.h -- the inferences an investigator draws from the evidence.
 *
 * Each inference is a pure function of the evidence (analysis.h), the
 * GeoIP answers in ev->ipinfo and the public directory, restricted to the
 * first N_WINDOWS chained windows.  None of them can see truth: the
 * evaluator (evaluate.c) scores the results these functions return.
 * Every result carries a confidence or an uncertainty.
 *
 * Workload: 1,000 targets x 12 window counts per case must take seconds,
 * so each function is linear in the target's evidence rows (rows are
 * sorted by time; ml_evidence_rows_of() gives a target's rows).
 */
#ifndef ML_INFER_H
#define ML_INFER_H

#include <glib.h>

#include "analyze/analysis.h"

G_BEGIN_DECLS

/* ---- contacts (contacts.c) ------------------------------------------------ */

typedef struct {
  gint64 handle;              /* the other party */
  guint32 n_out;              /* lookups target -> handle */
  guint32 n_in;               /* lookups handle -> target */
  guint32 days;               /* distinct days with a lookup either way */
  guint32 bulk;               /* lookups inside address-book bursts (set-up/restore) */
  MlTime first, last;
  double score;               /* tie strength: frequency, recency, time of day, reciprocity */
  double confidence;          /* estimated probability that they really communicate, 0..1 */
  gboolean is_service;        /* listed in the public directory */
  int rank;                   /* 1 = strongest; services ranked too */
} MlContact;

/* Contacts of TARGET in the first N_WINDOWS windows: every handle seen in a
 * lookup with the target, strongest first.  Returns a GArray of MlContact
 * (caller unrefs). */
GArray *ml_infer_contacts (const MlEvidence *ev, gint64 target, int n_windows);

/* ml_infer_contacts() for every N_WINDOWS in 1 .. N_MAX (<= 64) into
 * OUT[0 .. N_MAX - 1], in one pass over the target's rows: the same
 * contacts, value for value, in about the time of one call. */
void ml_infer_contacts_each (const MlEvidence *ev, gint64 target, int n_max, GArray **out);

/* Of CONTACTS, the ones an investigator would report as contacts
 * (confidence >= 0.5, people only), in rank order.  GArray of MlContact. */
GArray *ml_contacts_reported (GArray *contacts);

/* ---- hop reach (hops.c) --------------------------------------------------- */

typedef struct {
  int hop;                    /* 1, 2, 3 */
  guint32 reached;            /* distinct handles within this many hops (target excluded) */
  guint32 added;              /* new at this hop */
  gint64 top_hub;             /* the handle that contributed most new ones at the next hop */
  guint32 top_hub_added;
  gboolean top_hub_is_service;
} MlHopReach;

/* Reach of the case's named targets through the lookup graph of the
 * evidence, hop by hop up to the case's hops.  GArray of MlHopReach. */
GArray *ml_infer_hops (const MlEvidence *ev, int n_windows);
/* The same for every window count 1 .. N_MAX (<= 64) in one search:
 * element n-1 is ml_infer_hops (ev, n).  Free each array and the vector. */
GArray **ml_infer_hops_all (const MlEvidence *ev, int n_max);

/* ---- location (location.c) ----------------------------------------------- */

typedef struct {
  gboolean found;
  double lat, lon;            /* estimate */
  double radius_km;           /* uncertainty: GeoIP accuracy radius of the supporting IPs */
  double confidence;          /* share of the relevant lookups supporting it */
  guint32 support;            /* lookups supporting it */
  MlIpClass cls;
} MlPlaceGuess;

typedef struct {
  MlTime ts;
  double lat, lon, radius_km;
  MlIpClass cls;
  gint64 ip;
} MlTimelinePoint;

typedef struct {
  MlTime start, end;          /* first and last lookup seen away */
  double lat, lon;
  double km_from_home;
  char city[64];
} MlTrip;

typedef struct {
  MlPlaceGuess home;          /* from night-time broadband */
  MlPlaceGuess work;          /* from weekday daytime non-home, non-cellular IPs */
  GArray *timeline;           /* MlTimelinePoint of every own lookup, time order */
  GArray *trips;              /* MlTrip */
  gint64 home_ip, work_ip;    /* most frequent supporting IP (ips.id), 0 if none */
  guint32 class_counts[ML_N_IP_CLASSES]; /* own lookups per IP class */
} MlLocation;

/* Home, work, trips and the location timeline of TARGET from its own lookups
 * (pen-register rows).  Caller frees with ml_location_free(). */
MlLocation *ml_infer_location (const MlEvidence *ev, gint64 target, int n_windows);

/* ml_infer_location() for every N_WINDOWS in 1 .. N_MAX into OUT[0 .. N_MAX - 1]:
 * when the windows of the target's rows rise with time, one scan that
 * carries on from one count to the next (the same values as each count
 * alone). */
void ml_infer_location_each (const MlEvidence *ev, gint64 target, int n_max, MlLocation **out);
void ml_location_free (MlLocation *loc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlLocation, ml_location_free)

/* ---- co-location (colocation.c) ------------------------------------------ */

typedef enum { ML_COLOC_HOUSEHOLD, ML_COLOC_COWORKER, ML_COLOC_OTHER } MlColocKind;

typedef struct {
  gint64 handle;
  MlColocKind kind;           /* household: shares the home IP at night; co-worker: the work IP on weekdays */
  guint32 shared_hours;       /* distinct hours both were seen behind the same IP */
  guint32 shared_days;
  double confidence;
} MlCoLocated;

/* Other handles seen behind TARGET's non-cellular IPs at overlapping times
 * (within an hour).  Needs evidence from other handles on those IPs: an IP
 * pivot or population data; otherwise returns an empty array.  LOC is the
 * target's location inference (home/work IPs).  GArray of MlCoLocated. */
GArray *ml_infer_colocation (const MlEvidence *ev, gint64 target, int n_windows, const MlLocation *loc);

/* ml_infer_colocation() for every N_WINDOWS in 1 .. N_MAX, LOCS[n - 1] the
 * location at n windows (LOCS may be NULL), into OUT[0 .. N_MAX - 1]: each
 * co-located row is found once, with the first window count at which it
 * counts (the same values as each count alone). */
void ml_infer_colocation_each (const MlEvidence *ev, gint64 target, int n_max, MlLocation *const *locs,
                               GArray **out);

/* ---- sensitive services (sensitive.c) ------------------------------------ */

typedef struct {
  char category[32];          /* directory category */
  guint32 lookups;
  guint32 services;           /* distinct services of the category */
  MlTime first;
} MlSensitiveHit;

/* Sensitive directory categories TARGET looked up.  GArray of MlSensitiveHit. */
GArray *ml_infer_sensitive (const MlEvidence *ev, gint64 target, int n_windows);

/* ml_infer_sensitive() for every N_WINDOWS in 1 .. N_MAX into OUT[0 .. N_MAX - 1]. */
void ml_infer_sensitive_each (const MlEvidence *ev, gint64 target, int n_max, GArray **out);

/* ---- daily rhythm (rhythm.c) ---------------------------------------------- */

typedef struct {
  guint32 counts[7][24];      /* own lookups by ISO weekday (0 = Monday) and UTC hour */
  guint32 total;
  int sleep_start_h, sleep_end_h; /* the quietest contiguous stretch of >= 5 hours, -1 if unknown */
  double sleep_confidence;    /* 1 - share of activity inside the sleep window */
} MlRhythm;

void ml_infer_rhythm (const MlEvidence *ev, gint64 target, int n_windows, MlRhythm *out);

/* ---- helpers (evindex.c) ------------------------------------------------- */

/* Indices into ev->rows of the rows involving TARGET (as source or lookup),
 * in time order.  Borrowed; valid while EV lives. */
const GArray *ml_evidence_rows_of (const MlEvidence *ev, gint64 target);
/* Indices into ev->rows of the rows sent from client IP, in time order. */
const GArray *ml_evidence_rows_at (const MlEvidence *ev, gint64 ip);
const MlIpInfo *ml_evidence_ip (const MlEvidence *ev, gint64 ip);
const MlDirEntry *ml_evidence_directory (const MlEvidence *ev, gint64 handle);

G_END_DECLS

#endif /* ML_INFER_H */
