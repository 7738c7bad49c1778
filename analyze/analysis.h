/* analysis.h -- the analyzer's shared data model: the case, the orders,
 * the evidence they return, and the inferences drawn from it.
 *
 * Pipeline of `metaleak analyze RUN`:
 *   casefile.c   case.ini -> MlCase (validated, FILE:LINE errors)
 *   legalcase.c  MlCase -> the orders served on each target (MlOrder), their
 *                windows, coverage, gaps and retention losses
 *   evidence.c   provider.db + orders -> MlEvidence: exactly the rows each
 *                order returns, chained and de-duplicated, each tagged with
 *                the order (and so the window index) that first returned it
 *   ipinfo.c     geo.mmdb -> MlIpInfo for every client IP in the evidence
 *   contacts.c, location.c, colocation.c, sensitive.c, rhythm.c, hops.c,
 *   popmode.c    inferences, each a pure function of (evidence, ipinfo,
 *                directory, n_windows): they never see truth
 *   evaluate.c   the ONLY file that opens truth.db: scores inferences
 *   findings.c   analysis.db, findings.json, tables/NAME.csv, the summary
 *
 * The wall: nothing declared here refers to truth.  Inference code receives
 * an MlEvidence and returns results; evaluate.c receives those results and
 * compares them with truth.
 *
 * Handles and IPs are the integer ids of provider.db (handles.id, ips.id);
 * text is looked up only for output.  "n windows" means the rows returned
 * by the orders of chain positions 0 .. n-1 (the first service and n-1
 * extensions): every inference takes N_WINDOWS so leakage curves are
 * computed from one extraction.
 */
#ifndef ML_ANALYSIS_H
#define ML_ANALYSIS_H

#include <glib.h>

#include "common/db.h"
#include "common/timeutil.h"

G_BEGIN_DECLS

/* ---- the case ------------------------------------------------------------ */

typedef enum { ML_ORDER_PEN_REGISTER = 1, ML_ORDER_TRAP_TRACE = 2, ML_ORDER_BOTH = 3 } MlOrderKind;
typedef enum { ML_MODE_SNAPSHOT, ML_MODE_PROSPECTIVE } MlCollectMode;

typedef struct {
  char *name;               /* the case's name: output goes to RUN/cases/NAME */
  char **targets;           /* as written: handles, "cast:NAME", or "random:N" */
  MlOrderKind kind;
  MlDay first_service;      /* date the first order is served */
  int window_days;          /* order validity (30; US federal law allows up to 60) */
  int extensions;           /* renewals after the first order */
  int lag_days;             /* days between an expiry and the next service (late renewal) */
  int retention_days;       /* provider retention (30, or 25) */
  MlCollectMode mode;
  gboolean ip_pivot;        /* also all lookups from the target's non-cellular IPs */
  int hops;                 /* 1 = targets only; 2, 3 = orders on discovered contacts */
  int hop_limit;            /* at most this many handles served per hop (cost of process) */
  guint64 seed;             /* for random target choice */
  int top_k;                /* closest contacts reported */
  double night_start_h, night_end_h; /* home inference: night hours */
  double work_start_h, work_end_h;   /* work inference: weekday hours */
  double trip_km;           /* away from home beyond this is a trip */
  char *path;               /* case file (NULL: defaults), for messages */
} MlCase;

/* ---- the legal process --------------------------------------------------- */

typedef struct {
  int position;             /* 0 = first service, k = k-th extension: the window index */
  MlTime served;            /* service date */
  MlTime expires;           /* served + window */
  MlWindow nominal;         /* the period the order is meant to cover */
  MlWindow returned;        /* the rows actually returned: nominal ∩ retained */
} MlOrder;

/* ---- evidence ------------------------------------------------------------- */

typedef enum {
  ML_VIA_PEN = 1,           /* the target's own lookup (source = target) */
  ML_VIA_TRAP = 2,          /* a lookup of the target (lookup = target) */
  ML_VIA_PIVOT = 4,         /* a lookup from one of the target's non-cellular IPs */
} MlVia;

typedef struct {
  MlTime ts;
  gint64 source, lookup;    /* handles.id */
  gint64 ip;                /* ips.id */
  guint8 devices;           /* lookup_devices */
  guint8 window;            /* first window (order position) that returned the row */
  guint8 hop;               /* hop of the target whose order returned it first (1 = named) */
  guint8 via;               /* MlVia bits over all orders that returned it */
} MlEvRow;

typedef struct {
  gint64 handle;            /* handles.id */
  int hop;                  /* 1 for the named targets, 2/3 for discovered ones */
  GArray *orders;           /* MlOrder served on it */
} MlTarget;

typedef enum {
  ML_IP_UNKNOWN,            /* not in the GeoIP database */
  ML_IP_BROADBAND,          /* "Cable/DSL" */
  ML_IP_BUSINESS,           /* "Corporate" */
  ML_IP_CELLULAR,           /* "Cellular" */
  ML_IP_WIFI,               /* "Wi-Fi" / hotspot */
  ML_IP_ANTENNA,            /* "Antenna": a cell tower of a CDR log (cdr-analyze.h), where the
                             * record's owner was; like a fixed line it can be home or work */
  ML_N_IP_CLASSES
} MlIpClass;

typedef struct {
  gint64 id;                /* ips.id */
  char text[46];            /* as logged */
  MlIpClass cls;
  double lat, lon;          /* NAN when not found */
  double radius_km;         /* accuracy_radius */
  char city[64];
} MlIpInfo;

typedef struct {
  MlCase *c;                /* borrowed */
  GArray *targets;          /* MlTarget, named ones first */
  GArray *rows;             /* MlEvRow, de-duplicated, sorted by (ts, source, lookup, ip) */
  int n_windows;            /* chain length: 1 + extensions */
  GHashTable *ipinfo;       /* gint64* ip id -> MlIpInfo* */
  GHashTable *directory;    /* gint64* handle id -> MlDirEntry* (public business directory) */
  GHashTable *by_handle;    /* gint64* handle -> GArray of guint row indices, time order (evindex.c) */
  GHashTable *by_ip;        /* gint64* ip -> GArray of guint indices of the rows from it, time order */
  MlDb *provider;           /* borrowed: for handle text */
  gboolean pseudonymise;    /* imported real logs: keyed hashes in every output */
  guint8 pseudo_key[32];
} MlEvidence;

/* A public directory entry (RUN/directory.csv, like a business listing):
 * handle and category of a business or service.  Public information, not
 * truth: investigators use such listings to tell a clinic's number from a
 * person's. */
typedef struct {
  gint64 handle;
  char *name;
  char *category;           /* "health", "legal", ..., "business" */
  gboolean sensitive;
} MlDirEntry;

/* Build ev->by_handle and ev->by_ip from ev->rows (evindex.c).  Call
 * after the rows are final; every inference relies on it. */
void ml_evidence_index (MlEvidence *ev);

/* Does ROW belong to the first N_WINDOWS windows? */
static inline gboolean
ml_ev_in_windows (const MlEvRow *row, int n_windows)
{
  return row->window < n_windows;
}

/* The evidence's id-keyed tables (ipinfo, directory, by_handle, by_ip)
 * hold the gint64 id in the key pointer itself: no allocation per key,
 * and GHashTable compares such keys inline instead of calling
 * g_int64_equal() through a pointer to an allocated copy (a cache miss
 * per probe: 27 % of the time spent writing the evidence table). */
G_STATIC_ASSERT (sizeof (gpointer) >= sizeof (gint64));
#define ML_ID_KEY(id) ((gpointer) (gintptr) (id))

static inline GHashTable *
ml_id_table_new (GDestroyNotify value_free)
{
  return g_hash_table_new_full (NULL, NULL, NULL, value_free);
}

G_END_DECLS

#endif /* ML_ANALYSIS_H */
