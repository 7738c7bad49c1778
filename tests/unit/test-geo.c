/* test-geo.c -- unit tests for common/geo: spherical geometry, IPv4 text,
 * the MaxMind DB writer (read back through libmaxminddb itself, through
 * ml_geoip_* and, when installed, through mmdblookup) and the reader.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <maxminddb.h>

#include "common/errors.h"
#include "common/geo.h"
#include "tests/unit/runner.h"

#define R ML_GEO_EARTH_RADIUS_KM
#define VENISSIEUX "V\303\251nissieux"
#define BUILD_EPOCH G_GUINT64_CONSTANT (1700000000)

/* ================================================================ geometry */

static void
test_haversine_paris_london_is_343_km (void)
{
  double d = ml_geo_haversine_km (48.8566, 2.3522, 51.5074, -0.1278);

  ML_ASSERT_CLOSE (d, 343.5, 0.5);
  ML_ASSERT_CLOSE (ml_geo_haversine_km (51.5074, -0.1278, 48.8566, 2.3522), d, 1e-9);
}

static void
test_haversine_of_a_point_to_itself_is_zero (void)
{
  CU_ASSERT_EQUAL (ml_geo_haversine_km (45.764, 4.8357, 45.764, 4.8357), 0.0);
  CU_ASSERT_EQUAL (ml_geo_haversine_km (-89.9, 179.9, -89.9, 179.9), 0.0);
}

static void
test_haversine_of_antipodes_is_half_the_circumference (void)
{
  ML_ASSERT_CLOSE (ml_geo_haversine_km (0, 0, 0, 180), G_PI * R, 1e-6);
  ML_ASSERT_CLOSE (ml_geo_haversine_km (45, 10, -45, -170), G_PI * R, 1e-6);
  ML_ASSERT_CLOSE (ml_geo_haversine_km (90, 0, -90, 0), G_PI * R, 1e-6);
}

static void
test_haversine_one_degree_of_latitude_is_r_pi_over_180 (void)
{
  ML_ASSERT_CLOSE (ml_geo_haversine_km (10, 20, 11, 20), G_PI * R / 180.0, 1e-9);
}

static void
test_offset_north_changes_only_latitude (void)
{
  double lat, lon;

  ml_geo_offset (45.764, 4.8357, 10.0, 0.0, &lat, &lon);
  ML_ASSERT_CLOSE (lat, 45.764 + 10.0 / (G_PI * R / 180.0), 1e-12);
  CU_ASSERT_EQUAL (lon, 4.8357);
  ml_geo_offset (45.764, 4.8357, 0.0, 0.0, &lat, &lon);
  CU_ASSERT_EQUAL (lat, 45.764);
  CU_ASSERT_EQUAL (lon, 4.8357);
}

static void
test_offset_moves_the_stated_distance (void)
{
  double lat, lon;

  ml_geo_offset (48.8566, 2.3522, 3.0, 4.0, &lat, &lon);
  ML_ASSERT_CLOSE (ml_geo_haversine_km (48.8566, 2.3522, lat, lon), 5.0, 0.005);
  ml_geo_offset (60.0, 25.0, -30.0, -40.0, &lat, &lon);
  ML_ASSERT_CLOSE (ml_geo_haversine_km (60.0, 25.0, lat, lon), 50.0, 0.05);
  CU_ASSERT (lat < 60.0 && lon < 25.0);
}

static void
test_offset_and_destination_agree_for_short_moves (void)
{
  /* north km, east km, tolerated gap as a fraction of the move: the flat
   * offset follows a parallel where the great circle bends towards the
   * equator, a gap of about d^2 tan(lat) / 2R */
  static const double moves[][3] = {
    { 3, 4, 0.001 }, { -12, 5, 0.001 }, { 0.2, -0.1, 0.0001 }, { -100, -100, 0.01 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      double n = moves[i][0], e = moves[i][1], lat1, lon1, lat2, lon2;
      double dist = hypot (n, e), bearing = atan2 (e, n) * 180.0 / G_PI;

      ml_geo_offset (45.764, 4.8357, n, e, &lat1, &lon1);
      ml_geo_destination (45.764, 4.8357, bearing, dist, &lat2, &lon2);
      CU_ASSERT (ml_geo_haversine_km (lat1, lon1, lat2, lon2) < moves[i][2] * dist);
      ML_ASSERT_CLOSE (ml_geo_haversine_km (45.764, 4.8357, lat1, lon1), dist, 0.0001 * dist);
    }
}

static void
test_offset_there_and_back_returns_to_the_start (void)
{
  static const double moves[][2] = { { 3, 4 }, { -12, 5 }, { -100, -100 }, { 300, 300 } };

  for (gsize i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      double lat, lon, lat0, lon0;
      ml_geo_offset (45.764, 4.8357, moves[i][0], moves[i][1], &lat, &lon);
      ml_geo_offset (lat, lon, -moves[i][0], -moves[i][1], &lat0, &lon0);
      CU_ASSERT (ml_geo_haversine_km (45.764, 4.8357, lat0, lon0) < 1e-6);
      CU_ASSERT (ml_geo_haversine_km (45.764, 4.8357, lat, lon) > 1.0);
    }
}

static void
test_destination_round_trips_through_haversine (void)
{
  static const double cases[][4] = {
    { 48.8566, 2.3522, 0, 100 }, { 48.8566, 2.3522, 137.5, 2500 },
    { -33.87, 151.21, 270, 8000 }, { 0, 0, 90, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double lat, lon;
      ml_geo_destination (cases[i][0], cases[i][1], cases[i][2], cases[i][3], &lat, &lon);
      ML_ASSERT_CLOSE (ml_geo_haversine_km (cases[i][0], cases[i][1], lat, lon), cases[i][3], 1e-6);
    }
}

static void
test_destination_due_east_on_the_equator_keeps_latitude (void)
{
  double lat, lon;

  ml_geo_destination (0, 10, 90, 1000, &lat, &lon);
  ML_ASSERT_CLOSE (lat, 0.0, 1e-12);
  ML_ASSERT_CLOSE (lon, 10.0 + 1000.0 / R * 180.0 / G_PI, 1e-9);
}

static void
test_longitudes_wrap_across_the_antimeridian (void)
{
  double lat, lon;

  ml_geo_offset (0, 179.99, 0, 10, &lat, &lon);
  ML_ASSERT_CLOSE (lon, 179.99 + 10.0 / (G_PI * R / 180.0) - 360.0, 1e-9);
  CU_ASSERT (lon >= -180.0 && lon < 180.0);
  ml_geo_destination (0, -179.99, 270, 10, &lat, &lon);
  CU_ASSERT (lon >= 170.0 && lon < 180.0);
}

/* ============================================================ IPv4 helpers */

static void
test_ipv4_parse_accepts_dotted_quads (void)
{
  guint32 a = 0;

  CU_ASSERT (ml_ipv4_parse ("10.1.2.3", &a));
  CU_ASSERT_EQUAL (a, 0x0A010203u);
  CU_ASSERT (ml_ipv4_parse ("0.0.0.0", &a));
  CU_ASSERT_EQUAL (a, 0u);
  CU_ASSERT (ml_ipv4_parse ("255.255.255.255", &a));
  CU_ASSERT_EQUAL (a, 0xFFFFFFFFu);
  CU_ASSERT (ml_ipv4_parse ("192.168.100.9", &a));
  CU_ASSERT_EQUAL (a, 0xC0A86409u);
}

static void
test_ipv4_parse_rejects_everything_else_and_leaves_output_alone (void)
{
  static const char *const bad[] = {
    "", "10.1.2", "10.1.2.3.4", "256.1.1.1", "010.1.1.1", "10.1.2.3 ", " 10.1.2.3",
    "1..2.3", "a.b.c.d", "10.1.2.-3", "1234.1.1.1", "10.1.2.3/8", "0x0a.1.2.3", "10.1.2.",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint32 a = 42;
      CU_ASSERT_FALSE (ml_ipv4_parse (bad[i], &a));
      CU_ASSERT_EQUAL (a, 42u);
    }
}

static void
test_ipv4_to_string_round_trips (void)
{
  static const guint32 addrs[] = { 0, 0x0A010203u, 0xFFFFFFFFu, 0x7F000001u, 0xC0A80001u };
  char buf[16];

  CU_ASSERT_STRING_EQUAL (ml_ipv4_to_string (0x0A010203u, buf), "10.1.2.3");
  CU_ASSERT_PTR_EQUAL (ml_ipv4_to_string (0, buf), buf);
  for (gsize i = 0; i < G_N_ELEMENTS (addrs); i++)
    {
      guint32 back = 1;
      CU_ASSERT (ml_ipv4_parse (ml_ipv4_to_string (addrs[i], buf), &back));
      CU_ASSERT_EQUAL (back, addrs[i]);
    }
}

/* =========================================================== MMDB fixture */

static const MlGeoRecord lyon = {
  .city = "Lyon", .country_iso = "FR", .country_name = "France",
  .latitude = 45.7640, .longitude = 4.8357, .accuracy_radius = 20,
  .connection_type = "Cable/DSL", .isp = "Orange",
};
static const MlGeoRecord villeurbanne = {
  .city = "Villeurbanne", .country_iso = "FR", .country_name = "France",
  .latitude = 45.7719, .longitude = 4.8902, .accuracy_radius = 5,
  .connection_type = "Corporate", .isp = "Acme Corp",
};
static const MlGeoRecord venissieux = {
  .city = VENISSIEUX, .country_iso = "FR", .country_name = "France",
  .latitude = 45.6973, .longitude = 4.8859, .accuracy_radius = 1,
  .connection_type = "Wi-Fi", .isp = "Free",
};
static const MlGeoRecord lyon_cellular = {
  .city = "Lyon", .country_iso = "FR", .country_name = "France",
  .latitude = 45.7578, .longitude = 4.8320, .accuracy_radius = 200,
  .connection_type = "Cellular", .isp = "SFR",
};
static const MlGeoRecord country_only = {
  .country_iso = "DE", .latitude = 51.0, .longitude = 9.0, .accuracy_radius = 1000,
};

static const struct {
  const char *cidr;
  const MlGeoRecord *rec;
} city_plan[] = {
  { "10.1.0.0/16", &lyon },
  { "10.1.2.0/24", &villeurbanne },
  { "10.1.2.3/32", &venissieux },
  { "10.1.200.9/32", &venissieux },
  { "10.2.0.0/20", &lyon_cellular },
  { "10.3.0.0/16", &country_only },
};

/* Where each probe address must land in the city plan; NULL: not found. */
static const struct {
  const char *ip;
  const MlGeoRecord *rec;
} city_probes[] = {
  { "10.1.0.0", &lyon }, { "10.1.0.1", &lyon }, { "10.1.255.255", &lyon },
  { "10.1.2.0", &villeurbanne }, { "10.1.2.255", &villeurbanne }, { "10.1.2.4", &villeurbanne },
  { "10.1.2.3", &venissieux }, { "10.1.200.9", &venissieux }, { "10.1.200.8", &lyon },
  { "10.2.0.0", &lyon_cellular }, { "10.2.15.255", &lyon_cellular },
  { "10.3.4.5", &country_only },
  { "10.2.16.0", NULL }, { "10.0.255.255", NULL }, { "10.4.0.0", NULL },
  { "192.168.1.1", NULL }, { "0.0.0.0", NULL }, { "255.255.255.255", NULL },
};

static MlMmdbWriter *
new_writer (void)
{
  return ml_mmdb_writer_new ("metaleak-City", "metaleak simulated city", BUILD_EPOCH);
}

/* Write W to a fresh temporary file NAME; returns its path or NULL. */
static char *
write_db (MlMmdbWriter *w, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ml_test_path (name);

  if (!ml_mmdb_writer_write (w, path, &error))
    {
      fprintf (stderr, "\nwrite %s: %s\n", path, error->message);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* The city plan written to a fresh file NAME; the caller frees the path. */
static char *
write_city_db (const char *name)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();

  for (gsize i = 0; i < G_N_ELEMENTS (city_plan); i++)
    {
      g_autoptr(GError) error = NULL;
      if (!ml_mmdb_writer_insert_cidr (w, city_plan[i].cidr, city_plan[i].rec, &error))
        {
          fprintf (stderr, "\ninsert %s: %s\n", city_plan[i].cidr, error->message);
          return NULL;
        }
    }
  return write_db (w, name);
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gsize) st.st_size : 0;
}

typedef struct {
  guint32 network;
  guint len;
} TestPrefix;

static int
compare_test_prefix (const void *a, const void *b)
{
  const TestPrefix *x = a, *y = b;

  return x->network < y->network ? -1 : x->network > y->network;
}

/* The number of nodes the tree of the N prefixes NETWORKS/LENS must have,
 * counted independently of geo.c: every block strictly above an inserted
 * prefix is a node, and nothing else is.  Per depth, the distinct blocks
 * are counted over the prefixes sorted by network. */
static guint
expected_node_count (const guint32 *networks, const guint *lens, gsize n)
{
  g_autofree TestPrefix *p = g_new (TestPrefix, n + 1);
  guint count = 0;

  for (gsize i = 0; i < n; i++)
    p[i] = (TestPrefix) { networks[i], lens[i] };
  qsort (p, n, sizeof *p, compare_test_prefix);
  for (guint d = 0; d < 32; d++)
    {
      guint32 mask = d == 0 ? 0 : G_MAXUINT32 << (32 - d);
      gboolean any = FALSE;
      guint32 prev = 0;
      for (gsize i = 0; i < n; i++)
        if (p[i].len > d && (!any || (p[i].network & mask) != prev))
          {
            prev = p[i].network & mask;
            any = TRUE;
            count++;
          }
    }
  return MAX (count, 1); /* the root exists even in an empty database */
}

/* ============================================= MMDB read by libmaxminddb */

/* The string at the NULL-terminated PATH under ENTRY, or NULL if absent. */
static char *
entry_string (MMDB_entry_s *entry, const char *const *path)
{
  MMDB_entry_data_s d;

  if (MMDB_aget_value (entry, &d, path) != MMDB_SUCCESS || !d.has_data
      || d.type != MMDB_DATA_TYPE_UTF8_STRING)
    return NULL;
  return g_strndup (d.utf8_string, d.data_size);
}

/* Check one record read by libmaxminddb against the record written. */
static void
assert_entry_matches (MMDB_entry_s *entry, const MlGeoRecord *rec)
{
  static const char *const city[] = { "city", "names", "en", NULL };
  static const char *const iso[] = { "country", "iso_code", NULL };
  static const char *const country[] = { "country", "names", "en", NULL };
  static const char *const ct[] = { "traits", "connection_type", NULL };
  static const char *const isp[] = { "traits", "isp", NULL };
  g_autofree char *s_city = entry_string (entry, city);
  g_autofree char *s_iso = entry_string (entry, iso);
  g_autofree char *s_country = entry_string (entry, country);
  g_autofree char *s_ct = entry_string (entry, ct);
  g_autofree char *s_isp = entry_string (entry, isp);
  MMDB_entry_data_s d;

  CU_ASSERT_STRING_EQUAL (s_city ? s_city : "(null)", rec->city ? rec->city : "(null)");
  CU_ASSERT_STRING_EQUAL (s_iso ? s_iso : "(null)", rec->country_iso ? rec->country_iso : "(null)");
  CU_ASSERT_STRING_EQUAL (s_country ? s_country : "(null)", rec->country_name ? rec->country_name : "(null)");
  CU_ASSERT_STRING_EQUAL (s_ct ? s_ct : "(null)", rec->connection_type ? rec->connection_type : "(null)");
  CU_ASSERT_STRING_EQUAL (s_isp ? s_isp : "(null)", rec->isp ? rec->isp : "(null)");
  CU_ASSERT_EQUAL_FATAL (MMDB_get_value (entry, &d, "location", "latitude", NULL), MMDB_SUCCESS);
  CU_ASSERT (d.has_data && d.type == MMDB_DATA_TYPE_DOUBLE && d.double_value == rec->latitude);
  CU_ASSERT_EQUAL_FATAL (MMDB_get_value (entry, &d, "location", "longitude", NULL), MMDB_SUCCESS);
  CU_ASSERT (d.has_data && d.type == MMDB_DATA_TYPE_DOUBLE && d.double_value == rec->longitude);
  CU_ASSERT_EQUAL_FATAL (MMDB_get_value (entry, &d, "location", "accuracy_radius", NULL), MMDB_SUCCESS);
  CU_ASSERT (d.has_data && d.type == MMDB_DATA_TYPE_UINT16 && d.uint16 == rec->accuracy_radius);
}

static void
test_libmaxminddb_reads_back_every_field (void)
{
  g_autofree char *path = write_city_db ("city-libmmdb.mmdb");
  MMDB_s mmdb;

  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  CU_ASSERT_EQUAL_FATAL (MMDB_open (path, MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
  for (gsize i = 0; i < G_N_ELEMENTS (city_probes); i++)
    {
      int gai = 0, err = 0;
      MMDB_lookup_result_s r = MMDB_lookup_string (&mmdb, city_probes[i].ip, &gai, &err);

      CU_ASSERT_EQUAL (gai, 0);
      CU_ASSERT_EQUAL (err, MMDB_SUCCESS);
      CU_ASSERT_EQUAL (r.found_entry, city_probes[i].rec != NULL);
      if (r.found_entry && city_probes[i].rec != NULL)
        assert_entry_matches (&r.entry, city_probes[i].rec);
    }
  MMDB_close (&mmdb);
}

static void
test_metadata_describes_an_ipv4_city_database (void)
{
  g_autofree char *path = write_city_db ("city-meta.mmdb");
  g_autofree char *bytes = NULL;
  gsize len = 0;
  MMDB_s mmdb;
  guint32 networks[G_N_ELEMENTS (city_plan)];
  guint lens[G_N_ELEMENTS (city_plan)];
  static const char zeros[16] = { 0 };

  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  for (gsize i = 0; i < G_N_ELEMENTS (city_plan); i++)
    {
      g_auto(GStrv) parts = g_strsplit (city_plan[i].cidr, "/", 2);
      CU_ASSERT_FATAL (ml_ipv4_parse (parts[0], &networks[i]));
      lens[i] = (guint) atoi (parts[1]);
    }
  CU_ASSERT_EQUAL_FATAL (MMDB_open (path, MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
  CU_ASSERT_EQUAL (mmdb.metadata.ip_version, 4);
  CU_ASSERT_EQUAL (mmdb.metadata.record_size, 32);
  CU_ASSERT_EQUAL (mmdb.metadata.binary_format_major_version, 2);
  CU_ASSERT_EQUAL (mmdb.metadata.binary_format_minor_version, 0);
  CU_ASSERT_EQUAL (mmdb.metadata.build_epoch, BUILD_EPOCH);
  CU_ASSERT_STRING_EQUAL (mmdb.metadata.database_type, "metaleak-City");
  CU_ASSERT_EQUAL_FATAL (mmdb.metadata.languages.count, 1);
  CU_ASSERT_STRING_EQUAL (mmdb.metadata.languages.names[0], "en");
  CU_ASSERT_EQUAL_FATAL (mmdb.metadata.description.count, 1);
  CU_ASSERT_STRING_EQUAL (mmdb.metadata.description.descriptions[0]->language, "en");
  CU_ASSERT_STRING_EQUAL (mmdb.metadata.description.descriptions[0]->description,
                          "metaleak simulated city");
  CU_ASSERT_EQUAL (mmdb.metadata.node_count,
                   expected_node_count (networks, lens, G_N_ELEMENTS (city_plan)));
  /* the 16-byte separator sits right after node_count 8-byte nodes */
  CU_ASSERT_FATAL (g_file_get_contents (path, &bytes, &len, NULL));
  CU_ASSERT_FATAL (len > mmdb.metadata.node_count * 8u + 16u);
  CU_ASSERT (memcmp (bytes + mmdb.metadata.node_count * 8u, zeros, 16) == 0);
  MMDB_close (&mmdb);
}

/* The node count of a database holding exactly CIDRS (an array of N). */
static guint
node_count_for (const char *const *cidrs, gsize n, const char *name)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autofree char *path = NULL;
  MMDB_s mmdb;
  guint count;

  for (gsize i = 0; i < n; i++)
    if (!ml_mmdb_writer_insert_cidr (w, cidrs[i], &lyon, NULL))
      return 0;
  path = write_db (w, name);
  if (path == NULL || MMDB_open (path, MMDB_MODE_MMAP, &mmdb) != MMDB_SUCCESS)
    return 0;
  count = mmdb.metadata.node_count;
  MMDB_close (&mmdb);
  return count;
}

static void
test_node_count_is_one_per_bit_above_each_prefix (void)
{
  static const char *const slash8[] = { "10.0.0.0/8" };
  static const char *const host[] = { "10.1.2.3/32" };
  static const char *const both[] = { "10.0.0.0/8", "10.1.2.3/32" };
  static const char *const siblings[] = { "10.1.2.0/24", "10.1.3.0/24" };

  CU_ASSERT_EQUAL (node_count_for (NULL, 0, "nodes-empty.mmdb"), 1);
  CU_ASSERT_EQUAL (node_count_for (slash8, 1, "nodes-8.mmdb"), 8);
  CU_ASSERT_EQUAL (node_count_for (host, 1, "nodes-32.mmdb"), 32);
  CU_ASSERT_EQUAL (node_count_for (both, 2, "nodes-both.mmdb"), 32);
  CU_ASSERT_EQUAL (node_count_for (siblings, 2, "nodes-siblings.mmdb"), 24);
}

/* ================================================ MMDB semantics, reader */

/* Look IP up in the database at PATH through ml_geoip_lookup(). */
static MlGeoHit
hit_for (const char *path, const char *ip)
{
  g_autoptr(MlGeoIp) g = ml_geoip_open (path, NULL);
  MlGeoHit hit = { .found = FALSE };

  CU_ASSERT_PTR_NOT_NULL (g);
  if (g != NULL)
    CU_ASSERT (ml_geoip_lookup (g, ip, &hit, NULL));
  return hit;
}

static void
assert_hit_matches (const MlGeoHit *hit, const MlGeoRecord *rec)
{
  if (rec == NULL)
    {
      CU_ASSERT_FALSE (hit->found);
      CU_ASSERT (isnan (hit->latitude) && isnan (hit->longitude));
      CU_ASSERT_STRING_EQUAL (hit->city, "");
      return;
    }
  CU_ASSERT_TRUE (hit->found);
  CU_ASSERT_STRING_EQUAL (hit->city, rec->city ? rec->city : "");
  CU_ASSERT_STRING_EQUAL (hit->country_iso, rec->country_iso ? rec->country_iso : "");
  CU_ASSERT_STRING_EQUAL (hit->connection_type, rec->connection_type ? rec->connection_type : "");
  CU_ASSERT (hit->latitude == rec->latitude);
  CU_ASSERT (hit->longitude == rec->longitude);
  CU_ASSERT_EQUAL (hit->accuracy_radius, rec->accuracy_radius);
}

/* Assert that IP resolves to REC (NULL: not found) in the file at PATH. */
static void
assert_lookup (const char *path, const char *ip, const MlGeoRecord *rec)
{
  MlGeoHit hit = hit_for (path, ip);

  assert_hit_matches (&hit, rec);
}

static void
test_geoip_lookup_matches_what_was_written (void)
{
  g_autofree char *path = write_city_db ("city-geoip.mmdb");
  g_autoptr(MlGeoIp) g = NULL;
  g_autoptr(GError) error = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  g = ml_geoip_open (path, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (g);
  for (gsize i = 0; i < G_N_ELEMENTS (city_probes); i++)
    {
      g_autoptr(GError) e1 = NULL;
      g_autoptr(GError) e2 = NULL;
      MlGeoHit a, b;
      guint32 addr;

      CU_ASSERT_FATAL (ml_ipv4_parse (city_probes[i].ip, &addr));
      CU_ASSERT_FATAL (ml_geoip_lookup (g, city_probes[i].ip, &a, &e1));
      CU_ASSERT_FATAL (ml_geoip_lookup_u32 (g, addr, &b, &e2));
      assert_hit_matches (&a, city_probes[i].rec);
      assert_hit_matches (&b, city_probes[i].rec);
    }
}

static void
test_geoip_lookup_rejects_bad_ip_text_and_leaves_the_hit_alone (void)
{
  static const char *const bad[] = { "10.1.2", "10.1.2.3.4", "banana", "010.1.2.3", "", "::1" };
  g_autofree char *path = write_city_db ("city-badip.mmdb");
  g_autoptr(MlGeoIp) g = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  g = ml_geoip_open (path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (g);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      MlGeoHit hit, before;

      memset (&hit, 0xab, sizeof hit);
      before = hit;
      CU_ASSERT_FALSE (ml_geoip_lookup (g, bad[i], &hit, &error));
      CU_ASSERT (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
      CU_ASSERT (error != NULL && strstr (error->message, bad[i]) != NULL);
      CU_ASSERT (memcmp (&hit, &before, sizeof hit) == 0);
    }
}

static void
test_geoip_open_reports_missing_and_garbage_files (void)
{
  g_autofree char *missing = ml_test_path ("no-such.mmdb");
  g_autofree char *garbage = ml_test_path ("garbage.mmdb");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;

  CU_ASSERT_PTR_NULL (ml_geoip_open (missing, &e1));
  CU_ASSERT (g_error_matches (e1, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT (e1 != NULL && strstr (e1->message, missing) != NULL);
  CU_ASSERT_FATAL (g_file_set_contents (garbage, "this is not a MaxMind DB\n", -1, NULL));
  CU_ASSERT_PTR_NULL (ml_geoip_open (garbage, &e2));
  CU_ASSERT (g_error_matches (e2, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT (e2 != NULL && strstr (e2->message, garbage) != NULL);
}

static void
test_more_specific_prefix_wins_whatever_the_order (void)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autofree char *path = NULL;

  /* a longer prefix on the same network address before the shorter one */
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/20", &lyon_cellular, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.2.0/24", &villeurbanne, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &lyon, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.2.128/25", &venissieux, NULL));
  path = write_db (w, "order.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  assert_lookup (path, "10.1.0.1", &lyon_cellular);
  assert_lookup (path, "10.1.15.255", &lyon_cellular);
  assert_lookup (path, "10.1.16.0", &lyon);
  assert_lookup (path, "10.1.2.9", &villeurbanne);
  assert_lookup (path, "10.1.2.200", &venissieux);
  assert_lookup (path, "10.1.31.1", &lyon);
  assert_lookup (path, "10.2.0.1", NULL);
}

static void
test_reinserting_a_prefix_replaces_its_record_and_drops_the_old_one (void)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autoptr(MlMmdbWriter) only = new_writer ();
  g_autofree char *path = NULL;
  g_autofree char *path_only = NULL;

  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &lyon, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &villeurbanne, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (only, "10.1.0.0/16", &villeurbanne, NULL));
  path = write_db (w, "replace.mmdb");
  path_only = write_db (only, "replace-only.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  CU_ASSERT_PTR_NOT_NULL_FATAL (path_only);
  assert_lookup (path, "10.1.3.1", &villeurbanne);
  CU_ASSERT_EQUAL (file_size (path), file_size (path_only));
}

static void
test_slash_zero_covers_everything_not_more_specific (void)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autofree char *path = NULL;

  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "0.0.0.0/0", &country_only, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.0.0.0/8", &lyon, NULL));
  path = write_db (w, "slash0.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  assert_lookup (path, "192.168.1.1", &country_only);
  assert_lookup (path, "255.255.255.255", &country_only);
  assert_lookup (path, "10.9.9.9", &lyon);
}

static void
test_identical_records_are_stored_once (void)
{
  g_autoptr(MlMmdbWriter) one = new_writer ();
  g_autoptr(MlMmdbWriter) same = new_writer ();
  g_autoptr(MlMmdbWriter) other = new_writer ();
  g_autofree char *p_one = NULL;
  g_autofree char *p_same = NULL;
  g_autofree char *p_other = NULL;
  gsize grow_same, grow_other;

  CU_ASSERT (ml_mmdb_writer_insert_cidr (one, "10.1.2.0/24", &villeurbanne, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (same, "10.1.2.0/24", &villeurbanne, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (same, "10.1.3.0/24", &villeurbanne, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (other, "10.1.2.0/24", &villeurbanne, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (other, "10.1.3.0/24", &lyon, NULL));
  p_one = write_db (one, "dedup-one.mmdb");
  p_same = write_db (same, "dedup-same.mmdb");
  p_other = write_db (other, "dedup-other.mmdb");
  CU_ASSERT_FATAL (p_one != NULL && p_same != NULL && p_other != NULL);
  grow_same = file_size (p_same) - file_size (p_one);
  grow_other = file_size (p_other) - file_size (p_one);
  /* a record is ~150 bytes; the sibling /24 adds no node either */
  CU_ASSERT (grow_other > 100);
  CU_ASSERT_EQUAL (grow_same, 0);
  assert_lookup (p_same, "10.1.3.77", &villeurbanne);
}

/* Whether PATH under ENTRY is absent: libmaxminddb 1.7 reports a missing
 * key as a path mismatch, others as success without data. */
static gboolean
entry_lacks (MMDB_entry_s *entry, const char *const *path)
{
  MMDB_entry_data_s d;
  int status = MMDB_aget_value (entry, &d, path);

  return status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR
         || (status == MMDB_SUCCESS && !d.has_data);
}

static void
test_null_fields_are_left_out_of_the_record (void)
{
  static const char *const city[] = { "city", NULL };
  static const char *const traits[] = { "traits", NULL };
  static const char *const names[] = { "country", "names", NULL };
  static const char *const iso[] = { "country", "iso_code", NULL };
  static const char *const location[] = { "location", NULL };
  g_autofree char *path = write_city_db ("city-null.mmdb");
  MMDB_s mmdb;
  int gai = 0, err = 0;
  MMDB_lookup_result_s r;

  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  CU_ASSERT_EQUAL_FATAL (MMDB_open (path, MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
  r = MMDB_lookup_string (&mmdb, "10.3.4.5", &gai, &err);
  CU_ASSERT (r.found_entry);
  if (r.found_entry)
    {
      g_autofree char *s_iso = entry_string (&r.entry, iso);
      CU_ASSERT (entry_lacks (&r.entry, city));
      CU_ASSERT (entry_lacks (&r.entry, traits));
      CU_ASSERT (entry_lacks (&r.entry, names));
      CU_ASSERT_FALSE (entry_lacks (&r.entry, location));
      CU_ASSERT_STRING_EQUAL (s_iso ? s_iso : "(null)", "DE");
    }
  MMDB_close (&mmdb);
}

static void
test_description_may_be_left_out (void)
{
  g_autoptr(MlMmdbWriter) w = ml_mmdb_writer_new ("metaleak-City", NULL, 1);
  g_autofree char *path = NULL;
  MMDB_s mmdb;

  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &lyon, NULL));
  path = write_db (w, "nodesc.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  CU_ASSERT_EQUAL_FATAL (MMDB_open (path, MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
  CU_ASSERT_EQUAL (mmdb.metadata.description.count, 0);
  CU_ASSERT_EQUAL (mmdb.metadata.build_epoch, 1);
  MMDB_close (&mmdb);
  assert_lookup (path, "10.1.1.1", &lyon);
}

static void
test_long_city_names_are_cut_at_a_character_boundary (void)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  MlGeoRecord rec = lyon;
  MlGeoHit hit;

  /* 62 ASCII bytes, then a 2-byte character straddling the 63-byte limit */
  name = g_strconcat ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                      "\303\251", "bbb", NULL);
  CU_ASSERT_EQUAL_FATAL (strlen (name), 67);
  rec.city = name;
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.0.0.0/8", &rec, NULL));
  path = write_db (w, "longname.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  hit = hit_for (path, "10.1.1.1");
  CU_ASSERT_EQUAL (strlen (hit.city), 62);
  CU_ASSERT (strncmp (hit.city, name, 62) == 0);
}

/* ========================================================= MMDB scale */

static const char *const connection_types[] = { "Cable/DSL", "Corporate", "Cellular", "Wi-Fi" };

/* The record of the I-th random host (city "c<i mod 1009>", ...). */
static void
random_host_record (guint i, char city[16], MlGeoRecord *rec)
{
  guint k = i % 1009;

  g_snprintf (city, 16, "c%u", k);
  *rec = (MlGeoRecord) {
    .city = city, .country_iso = "FR",
    .latitude = -60.0 + k * 0.1, .longitude = -170.0 + k * 0.3, .accuracy_radius = (guint16) k,
    .connection_type = connection_types[k % 4],
  };
}

static void
test_100k_random_hosts_read_back (void)
{
  enum { N = 100000 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autoptr(GHashTable) last = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autoptr(MlGeoIp) g = NULL;
  g_autofree guint32 *addrs = g_new (guint32, N);
  g_autofree guint *lens = g_new (guint, N);
  g_autofree char *path = NULL;
  guint checked = 0, misses = 0;

  for (guint i = 0; i < N; i++)
    {
      char city[16];
      MlGeoRecord rec;
      addrs[i] = g_rand_int (rand);
      lens[i] = 32;
      random_host_record (i, city, &rec);
      CU_ASSERT_FATAL (ml_mmdb_writer_insert (w, addrs[i], 32, &rec, NULL));
      g_hash_table_insert (last, GUINT_TO_POINTER (addrs[i]), GUINT_TO_POINTER (i));
    }
  path = write_db (w, "random.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  g = ml_geoip_open (path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (g);
  for (guint i = 0; i < N; i += 97)
    {
      char city[16];
      MlGeoRecord rec;
      MlGeoHit hit;
      guint winner = GPOINTER_TO_UINT (g_hash_table_lookup (last, GUINT_TO_POINTER (addrs[i])));
      random_host_record (winner, city, &rec);
      CU_ASSERT_FATAL (ml_geoip_lookup_u32 (g, addrs[i], &hit, NULL));
      assert_hit_matches (&hit, &rec);
      checked++;
    }
  for (guint i = 0; i < 1000; i++)
    {
      guint32 a = g_rand_int (rand);
      MlGeoHit hit;
      if (g_hash_table_contains (last, GUINT_TO_POINTER (a)))
        continue;
      CU_ASSERT_FATAL (ml_geoip_lookup_u32 (g, a, &hit, NULL));
      misses += !hit.found;
    }
  CU_ASSERT (checked > 1000);
  CU_ASSERT (misses > 990);
  {
    MMDB_s mmdb;
    CU_ASSERT_EQUAL_FATAL (MMDB_open (path, MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
    CU_ASSERT_EQUAL (mmdb.metadata.node_count, expected_node_count (addrs, lens, N));
    MMDB_close (&mmdb);
  }
}

static void
test_equal_inputs_give_byte_identical_files (void)
{
  g_autofree char *a = write_city_db ("same-a.mmdb");
  g_autofree char *b = write_city_db ("same-b.mmdb");
  g_autofree char *ca = NULL;
  g_autofree char *cb = NULL;
  gsize la = 0, lb = 0;

  CU_ASSERT_FATAL (a != NULL && b != NULL);
  CU_ASSERT_FATAL (g_file_get_contents (a, &ca, &la, NULL));
  CU_ASSERT_FATAL (g_file_get_contents (b, &cb, &lb, NULL));
  CU_ASSERT_EQUAL (la, lb);
  CU_ASSERT (la == lb && memcmp (ca, cb, la) == 0);
}

/* ============================================================ MMDB errors */

static void
test_bad_cidr_text_is_rejected_naming_it (void)
{
  static const char *const bad[] = {
    "10.1.0.0", "10.1.0.0/33", "10.1.0/16", "10.1.0.0/016", "10.1.0.0/", "banana",
    "10.1.0.0/16x", "300.1.0.0/16", "/16", "10.1.0.0/-1", "",
  };
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autofree char *path = NULL;
  MMDB_s mmdb;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("'%s'", bad[i]);
      CU_ASSERT_FALSE (ml_mmdb_writer_insert_cidr (w, bad[i], &lyon, &error));
      CU_ASSERT (g_error_matches (error, ML_ERROR, ML_ERROR_INPUT));
      CU_ASSERT (error != NULL && strstr (error->message, quoted) != NULL);
    }
  /* nothing was inserted */
  path = write_db (w, "badcidr.mmdb");
  CU_ASSERT_FATAL (path != NULL && MMDB_open (path, MMDB_MODE_MMAP, &mmdb) == MMDB_SUCCESS);
  CU_ASSERT_EQUAL (mmdb.metadata.node_count, 1);
  MMDB_close (&mmdb);
}

static void
test_host_bits_and_bad_records_are_rejected (void)
{
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;
  g_autoptr(GError) e5 = NULL;
  g_autoptr(GError) e6 = NULL;
  MlGeoRecord far_north = lyon, not_a_number = lyon, bad_utf8 = lyon;

  far_north.latitude = 90.5;
  not_a_number.longitude = NAN;
  bad_utf8.isp = "Orange \xff";
  CU_ASSERT_FALSE (ml_mmdb_writer_insert_cidr (w, "10.1.2.3/16", &lyon, &e1));
  CU_ASSERT (g_error_matches (e1, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT (e1 != NULL && strstr (e1->message, "10.1.2.3/16") != NULL);
  CU_ASSERT_FALSE (ml_mmdb_writer_insert (w, 0x0A010203u, 24, &lyon, &e2));
  CU_ASSERT (g_error_matches (e2, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT (e2 != NULL && strstr (e2->message, "10.1.2.3/24") != NULL);
  CU_ASSERT_FALSE (ml_mmdb_writer_insert (w, 0x0A000000u, 33, &lyon, &e3));
  CU_ASSERT (g_error_matches (e3, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT (e3 != NULL && strstr (e3->message, "10.0.0.0/33") != NULL);
  CU_ASSERT_FALSE (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &far_north, &e4));
  CU_ASSERT (e4 != NULL && strstr (e4->message, "10.1.0.0/16") != NULL);
  CU_ASSERT_FALSE (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &not_a_number, &e5));
  CU_ASSERT (g_error_matches (e5, ML_ERROR, ML_ERROR_INPUT));
  CU_ASSERT_FALSE (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &bad_utf8, &e6));
  CU_ASSERT (g_error_matches (e6, ML_ERROR, ML_ERROR_INPUT));
}

static void
test_write_replaces_atomically_and_reports_unwritable_paths (void)
{
  g_autofree char *dir = ml_test_path ("atomic");
  g_autofree char *path = g_build_filename (dir, "geo.mmdb", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-dir", "geo.mmdb", NULL);
  g_autoptr(MlMmdbWriter) w = new_writer ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  guint entries = 0;

  CU_ASSERT_EQUAL_FATAL (g_mkdir (dir, 0700), 0);
  CU_ASSERT_FATAL (g_file_set_contents (path, "old contents", -1, NULL));
  CU_ASSERT (ml_mmdb_writer_insert_cidr (w, "10.1.0.0/16", &lyon, NULL));
  CU_ASSERT (ml_mmdb_writer_write (w, path, NULL));
  assert_lookup (path, "10.1.9.9", &lyon);
  CU_ASSERT_FALSE (ml_mmdb_writer_write (w, bad, &error));
  CU_ASSERT (g_error_matches (error, ML_ERROR, ML_ERROR_IO));
  CU_ASSERT (error != NULL && strstr (error->message, bad) != NULL);
  /* only geo.mmdb: no temporary file left behind */
  d = g_dir_open (dir, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (d);
  while (g_dir_read_name (d) != NULL)
    entries++;
  CU_ASSERT_EQUAL (entries, 1);
}

/* ============================================================ mmdblookup */

static void
test_mmdblookup_finds_the_city (void)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!g_file_test ("/usr/bin/mmdblookup", G_FILE_TEST_IS_EXECUTABLE))
    return; /* optional tool: nothing to check against */
  path = write_city_db ("city-mmdblookup.mmdb");
  CU_ASSERT_PTR_NOT_NULL_FATAL (path);
  {
    const char *argv[] = { "/usr/bin/mmdblookup", "--file", path, "--ip", "10.1.2.3",
                           "city", "names", "en", NULL };
    CU_ASSERT_FATAL (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                   NULL, &out, NULL, &status, &error));
  }
  CU_ASSERT (g_spawn_check_wait_status (status, NULL));
  CU_ASSERT (out != NULL && strstr (out, "\"" VENISSIEUX "\"") != NULL);
}

/* ================================================================= suites */

static CU_TestInfo geometry_tests[] = {
  { "haversine Paris-London is 343.5 km", test_haversine_paris_london_is_343_km },
  { "haversine of a point to itself is zero", test_haversine_of_a_point_to_itself_is_zero },
  { "haversine of antipodes is half the circumference", test_haversine_of_antipodes_is_half_the_circumference },
  { "one degree of latitude is pi R / 180", test_haversine_one_degree_of_latitude_is_r_pi_over_180 },
  { "offset north changes only latitude", test_offset_north_changes_only_latitude },
  { "offset moves the stated distance", test_offset_moves_the_stated_distance },
  { "offset and destination agree for short moves", test_offset_and_destination_agree_for_short_moves },
  { "offset there and back returns to the start", test_offset_there_and_back_returns_to_the_start },
  { "destination round-trips through haversine", test_destination_round_trips_through_haversine },
  { "destination due east on the equator keeps latitude", test_destination_due_east_on_the_equator_keeps_latitude },
  { "longitudes wrap across the antimeridian", test_longitudes_wrap_across_the_antimeridian },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo ipv4_tests[] = {
  { "parse accepts dotted quads", test_ipv4_parse_accepts_dotted_quads },
  { "parse rejects everything else", test_ipv4_parse_rejects_everything_else_and_leaves_output_alone },
  { "to_string round-trips", test_ipv4_to_string_round_trips },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo mmdb_tests[] = {
  { "libmaxminddb reads back every field", test_libmaxminddb_reads_back_every_field },
  { "metadata describes an IPv4 city database", test_metadata_describes_an_ipv4_city_database },
  { "node count is one per bit above each prefix", test_node_count_is_one_per_bit_above_each_prefix },
  { "more specific prefix wins whatever the order", test_more_specific_prefix_wins_whatever_the_order },
  { "reinserting a prefix replaces its record", test_reinserting_a_prefix_replaces_its_record_and_drops_the_old_one },
  { "/0 covers everything not more specific", test_slash_zero_covers_everything_not_more_specific },
  { "identical records are stored once", test_identical_records_are_stored_once },
  { "NULL fields are left out of the record", test_null_fields_are_left_out_of_the_record },
  { "description may be left out", test_description_may_be_left_out },
  { "100k random hosts read back", test_100k_random_hosts_read_back },
  { "equal inputs give byte-identical files", test_equal_inputs_give_byte_identical_files },
  { "bad CIDR text is rejected naming it", test_bad_cidr_text_is_rejected_naming_it },
  { "host bits and bad records are rejected", test_host_bits_and_bad_records_are_rejected },
  { "write replaces atomically, reports unwritable paths", test_write_replaces_atomically_and_reports_unwritable_paths },
  { "mmdblookup finds the city", test_mmdblookup_finds_the_city },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo geoip_tests[] = {
  { "lookup matches what was written", test_geoip_lookup_matches_what_was_written },
  { "lookup rejects bad IP text", test_geoip_lookup_rejects_bad_ip_text_and_leaves_the_hit_alone },
  { "open reports missing and garbage files", test_geoip_open_reports_missing_and_garbage_files },
  { "long city names are cut at a character boundary", test_long_city_names_are_cut_at_a_character_boundary },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "geometry", .pTests = geometry_tests },
  { .pName = "ipv4", .pTests = ipv4_tests },
  { .pName = "mmdb writer", .pTests = mmdb_tests },
  { .pName = "geoip reader", .pTests = geoip_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
