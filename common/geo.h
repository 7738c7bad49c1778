/* geo.h -- geodesy, a MaxMind DB (GeoIP2-style) writer and a GeoIP reader.
 *
 * Three related services for metaleak's two halves.  The simulator moves
 * people over a sphere (ml_geo_offset(), ml_geo_destination()) and publishes
 * the address plan of its simulated city as an IPv4 MaxMind DB 2.0 file
 * (MlMmdbWriter) shaped like GeoLite2-City plus traits.connection_type.  The
 * analyzer measures leaked positions against the truth
 * (ml_geo_haversine_km()) and geolocates addresses through libmaxminddb
 * (MlGeoIp), on our own file or on a real GeoLite2-City.mmdb.
 *
 * Workload: the geometry functions are called per simulated event and never
 * allocate.  The writer holds up to ~10^6 prefixes (a city-scale address
 * plan) in flat arrays and writes them in well under 2 s; lookups cost one
 * tree walk and a few map searches in the mmap'ed file.
 *
 * All coordinates are in decimal degrees (WGS84 latitude/longitude treated
 * as spherical), distances in kilometres, bearings in degrees clockwise
 * from true north.  IPv4 addresses as guint32 are in host byte order.
 */
#ifndef ML_GEO_H
#define ML_GEO_H

#include <glib.h>

G_BEGIN_DECLS

/* Mean Earth radius R1 = (2a + b) / 3 of WGS84, in km (IUGG; Moritz 1980). */
#define ML_GEO_EARTH_RADIUS_KM 6371.0088

/* ---------------------------------------------------------------- geometry */

/* Great-circle distance in km between (LAT1, LON1) and (LAT2, LON2) by the
 * haversine formula on a sphere of radius ML_GEO_EARTH_RADIUS_KM.  Accurate
 * to ~0.5% against the ellipsoid; exact 0 for identical points and
 * pi * R for antipodes. */
double ml_geo_haversine_km (double lat1, double lon1, double lat2, double lon2);

/* The point NORTH_KM north and EAST_KM east of (LAT, LON) (negative values
 * go south/west) in the local equirectangular approximation, with the
 * longitude scale taken at the mid latitude, so that an offset and its
 * negation cancel.  For moves under ~500 km away from the poles the
 * distance travelled is exact to ~0.01%; the east component follows a
 * parallel, not a great circle (ml_geo_destination() differs by about
 * d^2 tan(lat) / 2R, 1.6 m for 5 km at 45 degrees).  The latitude is
 * clamped to [-90, 90] and the longitude wrapped into [-180, 180).
 * Writes *OUT_LAT and *OUT_LON, which must not be NULL. */
void ml_geo_offset (double lat, double lon, double north_km, double east_km,
                    double *out_lat, double *out_lon);

/* The point reached from (LAT, LON) by travelling DIST_KM along the great
 * circle of initial bearing BEARING_DEG.  The longitude is wrapped into
 * [-180, 180).  Writes *LAT2 and *LON2, which must not be NULL. */
void ml_geo_destination (double lat, double lon, double bearing_deg, double dist_km,
                         double *lat2, double *lon2);

/* ------------------------------------------------------------ IPv4 helpers */

/* Format ADDR as a dotted quad into BUF and return BUF. */
char *ml_ipv4_to_string (guint32 addr, char buf[16]);

/* Parse TEXT as a strict dotted quad: exactly four decimal parts 0..255,
 * digits only, no leading zeros ("010" is rejected: inet_aton would read it
 * as octal), no surrounding space.  Returns TRUE and writes *OUT on
 * success; returns FALSE and leaves *OUT untouched otherwise. */
gboolean ml_ipv4_parse (const char *text, guint32 *out);

/* ------------------------------------------------------------ MMDB writer */

/* One geolocation record.  Every pointer field may be NULL, in which case
 * the corresponding key is left out of the written record (a map left
 * empty is left out as a whole).  Strings must be valid UTF-8. */
typedef struct {
  const char *city;            /* city.names.en; may be NULL */
  const char *country_iso;     /* country.iso_code ("FR"); may be NULL */
  const char *country_name;    /* country.names.en; may be NULL */
  double latitude, longitude;  /* location.*, degrees; must be finite and in range */
  guint16 accuracy_radius;     /* location.accuracy_radius, km */
  const char *connection_type; /* traits.connection_type: "Cable/DSL", "Corporate",
                                  "Cellular", "Wi-Fi", ...; may be NULL */
  const char *isp;             /* traits.isp; may be NULL */
} MlGeoRecord;

/* A MaxMind DB 2.0 writer for IPv4 databases (ip_version 4, record_size
 * 32).  Lookups resolve to the record of the longest inserted prefix
 * containing the address, whatever the order of insertion; inserting the
 * same prefix again replaces its record; addresses outside every prefix
 * resolve to "not found".  Identical records are stored once. */
typedef struct MlMmdbWriter MlMmdbWriter;

/* A new, empty writer.  DATABASE_TYPE (e.g. "metaleak-City") and
 * DESCRIPTION (the "en" description, may be NULL for none) are copied.
 * BUILD_EPOCH (seconds since 1970, non-zero: libmaxminddb rejects 0) goes
 * verbatim into the metadata, so that equal inputs give byte-identical
 * files.  Free with ml_mmdb_writer_free(). */
MlMmdbWriter *ml_mmdb_writer_new (const char *database_type, const char *description,
                                  guint64 build_epoch);

/* Map NETWORK/PREFIX_LEN (NETWORK in host byte order) to REC.  The strings
 * of REC are copied (REC may be freed afterwards).  Fails with
 * ML_ERROR_INPUT, naming the prefix, when PREFIX_LEN > 32, when host bits
 * below PREFIX_LEN are set, or when REC has a non-finite or out-of-range
 * coordinate or a string that is not UTF-8; W is unchanged then. */
gboolean ml_mmdb_writer_insert (MlMmdbWriter *w, guint32 network, guint prefix_len,
                                const MlGeoRecord *rec, GError **error);

/* As ml_mmdb_writer_insert() for CIDR text such as "10.1.0.0/16" (strict
 * dotted quad, '/', a length 0..32 without leading zeros).  Text that does
 * not parse fails with ML_ERROR_INPUT naming it. */
gboolean ml_mmdb_writer_insert_cidr (MlMmdbWriter *w, const char *cidr,
                                     const MlGeoRecord *rec, GError **error);

/* Write the database to PATH atomically: into a temporary file in the same
 * directory, flushed to disk, then renamed over PATH.  Fails with
 * ML_ERROR_IO naming PATH (no temporary file is left behind), or with
 * ML_ERROR_FAILED when the database would not fit 32-bit records.  May be
 * called more than once; W stays usable. */
gboolean ml_mmdb_writer_write (MlMmdbWriter *w, const char *path, GError **error);

/* Free W and everything it holds.  NULL is allowed. */
void ml_mmdb_writer_free (MlMmdbWriter *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlMmdbWriter, ml_mmdb_writer_free)

/* ------------------------------------------------------------ GeoIP reader */

/* The answer to one lookup.  Strings are NUL-terminated, truncated at a
 * UTF-8 character boundary when too long, and "" when absent.  latitude
 * and longitude are NAN and accuracy_radius 0 when the record has no
 * location (always so when !found). */
typedef struct {
  gboolean found;               /* the address is covered by the database */
  double latitude, longitude;   /* location.latitude/longitude, or NAN */
  guint16 accuracy_radius;      /* location.accuracy_radius in km, or 0 */
  char city[64];                /* city.names.en */
  char country_iso[4];          /* country.iso_code */
  char connection_type[24];     /* traits.connection_type */
} MlGeoHit;

/* An open MaxMind DB (ours or MaxMind's, IPv4 or IPv6), mmap'ed. */
typedef struct MlGeoIp MlGeoIp;

/* Open the database at PATH.  Returns NULL and sets ML_ERROR_IO when the
 * file cannot be read, ML_ERROR_INPUT when it is not a valid MaxMind DB;
 * the message names PATH and gives MMDB_strerror().  Free with
 * ml_geoip_free(). */
MlGeoIp *ml_geoip_open (const char *path, GError **error);

/* Look up IP (a strict dotted quad, or IPv6 text containing ':') and fill
 * *HIT.  An address outside the database is not an error: returns TRUE
 * with hit->found = FALSE.  Fails with ML_ERROR_INPUT for text that is not
 * an address, for an IPv6 address in an IPv4 database, or for a corrupt
 * database or a record of unexpected shape; *HIT is untouched then. */
gboolean ml_geoip_lookup (MlGeoIp *g, const char *ip, MlGeoHit *hit, GError **error);

/* As ml_geoip_lookup() for ADDR in host byte order (the fast path: no text
 * parsing). */
gboolean ml_geoip_lookup_u32 (MlGeoIp *g, guint32 addr, MlGeoHit *hit, GError **error);

/* Close G.  NULL is allowed. */
void ml_geoip_free (MlGeoIp *g);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlGeoIp, ml_geoip_free)

G_END_DECLS

#endif /* ML_GEO_H */
