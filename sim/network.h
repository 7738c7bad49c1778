/* network.h -- the address plan: who has which public IP, when, and
 * where the GeoIP database says that IP is.
 *
 * Home broadband: each household with broadband has a slot in its
 * district's address block (10.0.0.0/8); the block is renumbered every
 * rotation period (a keyed permutation of its slots per lease epoch), so a
 * household keeps one IP for weeks, shared by all members at home.
 * Venues and hotels with Wi-Fi also hold slots in their district's block.
 * Workplaces with corporate Wi-Fi have a static address (172.16.0.0/12)
 * shared by every co-worker on it.  Cellular traffic leaves through
 * carrier-grade NAT pools (100.64.0.0/10) per carrier and city: each
 * address is shared by cgnat_users_per_ip subscribers and a device's
 * address changes with every session (minutes to hours).  These ranges
 * are reserved (RFC 1918, RFC 6598): no real subscriber is ever named.
 *
 * The plan is built once (ml_network_build) and read-only afterwards;
 * ml_network_ip() is pure and O(1), called once per lookup (10^8 times).
 */
#ifndef ML_NETWORK_H
#define ML_NETWORK_H

#include <glib.h>

#include "common/db.h"
#include "common/timeutil.h"
#include "sim/mobility.h"
#include "sim/world.h"

G_BEGIN_DECLS

typedef enum {
  ML_CONN_BROADBAND,      /* home broadband */
  ML_CONN_CORPORATE,      /* workplace network */
  ML_CONN_PUBLIC_WIFI,    /* venue or hotel hotspot */
  ML_CONN_CELLULAR,       /* carrier-grade NAT */
  ML_N_CONN
} MlConn;

/* Build the address plan into W->net and set district.bb_block and
 * household.bb_slot.  Needs places and population built. */
gboolean ml_network_build (MlWorld *w, GError **error);
void ml_network_free (MlNetwork *net);

/* The public client IP (host byte order) of PERSON at time T during STAY,
 * and through CONN (may be NULL) the kind of connection.  Pure: the same
 * arguments always give the same answer. */
guint32 ml_network_ip (const MlWorld *w, guint32 person, const MlStay *stay, MlTime t, MlConn *conn);

/* Write the synthetic GeoIP database (MaxMind DB) of every block and pool to
 * PATH.  BUILD_EPOCH goes into its metadata (deterministic output). */
gboolean ml_network_write_geoip (const MlWorld *w, const char *path, guint64 build_epoch, GError **error);

/* Write truth table ip_leases (ip, holder_kind, holder, start, end) for
 * broadband, corporate and venue addresses over SPAN, and table cell_pools. */
gboolean ml_network_write_truth (const MlWorld *w, MlDb *truth, const MlWindow *span, GError **error);

/* The name of CONN ("broadband", "corporate", "public_wifi", "cellular"). */
const char *ml_conn_name (MlConn conn);

G_END_DECLS

#endif /* ML_NETWORK_H */
