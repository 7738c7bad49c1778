/* test-network.c -- unit tests for sim/network: the address plan.
 *
 * The world is built by hand (places.c and population.c are not needed):
 * a "town" of two region cities and a distant one, 400 households of 1-4
 * people, three workplaces (two with corporate Wi-Fi, one large), venues
 * with and without public Wi-Fi and a hotel; and a "metro" of 30,000
 * one-person households over 60 districts for the statistical checks
 * (CGNAT sharing, session churn, GeoIP error).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/schema.h"
#include "sim/network.h"
#include "tests/unit/runner.h"

#define T0 ((MlTime) 19723 * ML_SECONDS_PER_DAY)   /* 2024-01-01T00:00:00Z */
#define DAY ((MlTime) ML_SECONDS_PER_DAY)
#define BUILD_EPOCH G_GUINT64_CONSTANT (1700000000)

/* Town layout. */
#define TOWN_HOUSEHOLDS 400
#define W_SMALL (TOWN_HOUSEHOLDS + 0)   /* corporate Wi-Fi, 100 staff */
#define W_PLAIN (TOWN_HOUSEHOLDS + 1)   /* no Wi-Fi, 100 staff */
#define W_LARGE (TOWN_HOUSEHOLDS + 2)   /* corporate Wi-Fi, 300 staff */
#define V_PUBLIC (TOWN_HOUSEHOLDS + 3)  /* district 0, public Wi-Fi */
#define V_NONE (TOWN_HOUSEHOLDS + 4)    /* district 0, no Wi-Fi */
#define V_PUBLIC2 (TOWN_HOUSEHOLDS + 5) /* district 1 */
#define V_PUBLIC3 (TOWN_HOUSEHOLDS + 6) /* district 2 (second city) */
#define HOTEL (TOWN_HOUSEHOLDS + 7)     /* district 3 (distant city) */
#define TOWN_PLACES (TOWN_HOUSEHOLDS + 8)
#define WIFI_ALWAYS 0                   /* person with wifi_use = 1 */
#define WIFI_NEVER 5                    /* person with wifi_use = 0 */

#define BB_NET 0x0A000000u
#define CORP_NET 0xAC100000u
#define CELL_NET 0x64400000u

typedef struct {
  MlScenario sc;
  MlWorld w;
} Fixture;

/* ---- fixtures ------------------------------------------------------------- */

static void
scenario_defaults (MlScenario *sc, guint64 seed, int carriers)
{
  sc->seed = seed;
  sc->carriers = carriers;
  for (int c = 0; c < carriers; c++)
    sc->carrier_shares[c] = 1.0 / carriers;
  sc->trips_per_year = 4;
  sc->trip_days_mean = 3;
  sc->rotation_days_min = 14;
  sc->rotation_days_max = 60;
  sc->cgnat_users_per_ip = 300;
  sc->cell_session_min_minutes = 10;
  sc->cell_session_max_minutes = 360;
  sc->geoip_fixed_error_km = 8;
  sc->geoip_cellular_radius_km = 200;
}

static void
set_city (MlCity *c, const char *name, double lat, double lon, gboolean region, guint32 first, guint32 n)
{
  g_strlcpy (c->name, name, sizeof c->name);
  c->lat = lat;
  c->lon = lon;
  c->in_region = region;
  c->first_district = first;
  c->n_districts = n;
}

static void
set_place (MlWorld *w, guint32 p, guint8 kind, guint32 district, guint32 owner, guint8 wifi)
{
  MlPlace *pl = &w->places[p];

  pl->kind = kind;
  pl->district = district;
  pl->owner = owner;
  pl->wifi = wifi;
  pl->lat = w->districts[district].lat + 0.003;
  pl->lon = w->districts[district].lon - 0.002;
}

static void
town_geography (MlWorld *w)
{
  static const double dll[4][2] = { { 45.0, 5.0 }, { 45.02, 5.03 }, { 45.3, 5.4 }, { 48.8, 2.3 } };

  w->n_cities = 3;
  w->cities = g_new0 (MlCity, 3);
  set_city (&w->cities[0], "Alder Falls", 45.01, 5.01, TRUE, 0, 2);
  set_city (&w->cities[1], "Birch Harbor", 45.3, 5.4, TRUE, 2, 1);
  set_city (&w->cities[2], "Cedar Point", 48.8, 2.3, FALSE, 3, 1);
  w->n_districts = 4;
  w->districts = g_new0 (MlDistrict, 4);
  for (guint32 d = 0; d < 4; d++)
    {
      w->districts[d].city = d < 2 ? 0 : d - 1;
      w->districts[d].lat = dll[d][0];
      w->districts[d].lon = dll[d][1];
    }
}

/* Person P's workplace: p % 10 == 0 small corporate, 1-3 large corporate,
 * 4 no Wi-Fi, else none. */
static guint32
town_work (guint32 p)
{
  guint32 k = p % 10;

  return k == 0 ? W_SMALL : k <= 3 ? W_LARGE : k == 4 ? W_PLAIN : ML_NONE;
}

static void
town_population (MlWorld *w)
{
  guint32 p = 0;

  w->n_households = TOWN_HOUSEHOLDS;
  w->households = g_new0 (MlHousehold, TOWN_HOUSEHOLDS);
  w->people = g_new0 (MlPerson, 1000);
  for (guint32 h = 0; h < TOWN_HOUSEHOLDS; h++)
    {
      MlHousehold *hh = &w->households[h];

      hh->home_place = h;
      hh->first_member = p;
      hh->size = (guint8) (1 + h % 4);
      hh->broadband = h % 5 != 0;
      hh->isp = (guint8) (h % 2);
      set_place (w, h, ML_PLACE_HOME, h % 3, h, hh->broadband ? ML_WIFI_HOME : ML_WIFI_NONE);
      for (guint32 i = 0; i < hh->size; i++, p++)
        {
          w->people[p].household = h;
          w->people[p].carrier = (guint8) (p % 2);
          w->people[p].work_place = town_work (p);
          w->people[p].wifi_use = 0.5f;
        }
    }
  w->n_people = p;
  w->people[WIFI_ALWAYS].wifi_use = 1.0f;
  w->people[WIFI_NEVER].wifi_use = 0.0f;
}

static Fixture *
town_new (guint64 seed)
{
  g_autoptr(GError) error = NULL;
  Fixture *f = g_new0 (Fixture, 1);
  MlWorld *w = &f->w;

  scenario_defaults (&f->sc, seed, 2);
  w->sc = &f->sc;
  town_geography (w);
  w->n_places = TOWN_PLACES;
  w->places = g_new0 (MlPlace, TOWN_PLACES);
  town_population (w);
  f->sc.people = w->n_people;
  set_place (w, W_SMALL, ML_PLACE_WORK, 0, 0, ML_WIFI_CORPORATE);
  set_place (w, W_PLAIN, ML_PLACE_WORK, 1, 1, ML_WIFI_NONE);
  set_place (w, W_LARGE, ML_PLACE_SCHOOL, 0, 2, ML_WIFI_CORPORATE);
  set_place (w, V_PUBLIC, ML_PLACE_VENUE, 0, ML_NONE, ML_WIFI_PUBLIC);
  set_place (w, V_NONE, ML_PLACE_VENUE, 0, ML_NONE, ML_WIFI_NONE);
  set_place (w, V_PUBLIC2, ML_PLACE_VENUE, 1, ML_NONE, ML_WIFI_PUBLIC);
  set_place (w, V_PUBLIC3, ML_PLACE_VENUE, 2, ML_NONE, ML_WIFI_PUBLIC);
  set_place (w, HOTEL, ML_PLACE_HOTEL, 3, ML_NONE, ML_WIFI_PUBLIC);
  CU_ASSERT_FATAL (ml_network_build (w, &error));
  CU_ASSERT_PTR_NULL (error);
  return f;
}

/* One region city of N_DISTRICTS districts (a 0.02-degree grid) holding
 * N_PEOPLE one-person households, half of them on broadband with two ISPs,
 * all on carrier 0; plus a distant city. */
static Fixture *
metro_new (guint64 seed, guint32 n_people, guint32 n_districts)
{
  g_autoptr(GError) error = NULL;
  Fixture *f = g_new0 (Fixture, 1);
  MlWorld *w = &f->w;

  scenario_defaults (&f->sc, seed, 1);
  f->sc.people = n_people;
  w->sc = &f->sc;
  w->n_cities = 2;
  w->cities = g_new0 (MlCity, 2);
  set_city (&w->cities[0], "Metro", 45.1, 5.1, TRUE, 0, n_districts);
  set_city (&w->cities[1], "Far Away", 40.0, -3.0, FALSE, n_districts, 1);
  w->n_districts = n_districts + 1;
  w->districts = g_new0 (MlDistrict, w->n_districts);
  for (guint32 d = 0; d < w->n_districts; d++)
    {
      w->districts[d].city = d < n_districts ? 0 : 1;
      w->districts[d].lat = d < n_districts ? 45.0 + 0.02 * (d / 8) : 40.0;
      w->districts[d].lon = d < n_districts ? 5.0 + 0.03 * (d % 8) : -3.0;
    }
  w->n_places = w->n_households = w->n_people = n_people;
  w->places = g_new0 (MlPlace, n_people);
  w->households = g_new0 (MlHousehold, n_people);
  w->people = g_new0 (MlPerson, n_people);
  for (guint32 h = 0; h < n_people; h++)
    {
      w->households[h] = (MlHousehold) { .home_place = h, .first_member = h, .size = 1,
                                         .broadband = h % 2 == 0, .isp = (guint8) ((h / 2) % 2) };
      set_place (w, h, ML_PLACE_HOME, h % n_districts, h, ML_WIFI_HOME);
      w->people[h] = (MlPerson) { .household = h, .work_place = ML_NONE, .wifi_use = 0.5f };
    }
  CU_ASSERT_FATAL (ml_network_build (w, &error));
  CU_ASSERT_PTR_NULL (error);
  return f;
}

static void
fixture_free (Fixture *f)
{
  ml_network_free (f->w.net);
  g_free (f->w.cities);
  g_free (f->w.districts);
  g_free (f->w.places);
  g_free (f->w.households);
  g_free (f->w.people);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* ---- helpers --------------------------------------------------------------- */

static guint32
place_city (const MlWorld *w, guint32 place)
{
  return w->districts[w->places[place].district].city;
}

/* PERSON's address at T while staying at PLACE (ML_NONE: in transit in
 * CITY) during [START, START + 2 h). */
static guint32
ip_at (const MlWorld *w, guint32 person, guint32 place, guint32 city, MlTime start, MlTime t, MlConn *conn)
{
  MlStay stay = { .start = start, .end = start + 2 * 3600, .place = place,
                  .city = place == ML_NONE ? city : place_city (w, place) };

  return ml_network_ip (w, person, &stay, t, conn);
}

/* The address of household H at T, seen by its first member at home. */
static guint32
home_ip (const MlWorld *w, guint32 h, MlTime t, MlConn *conn)
{
  MlTime day = T0 + (t - T0) / DAY * DAY;

  return ip_at (w, w->households[h].first_member, w->households[h].home_place, 0, day, t, conn);
}

static gboolean
in_net (guint32 ip, guint32 net, guint prefix)
{
  return (ip & ~(G_MAXUINT32 >> prefix)) == net;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static int
cmp_int64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* A truth database holding W's leases over SPAN and its pools; freed
 * (and its file removed) by ml_db_free without ml_db_finish. */
static MlDb *
truth_new (const MlWorld *w, const MlWindow *span, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ml_test_path (name);
  MlDb *db = ml_db_create (path, TRUE, &error);

  CU_ASSERT_PTR_NOT_NULL_FATAL (db);
  CU_ASSERT_FATAL (ml_schema_truth_create (db, &error));
  CU_ASSERT_FATAL (ml_network_write_truth (w, db, span, &error));
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_FALSE (ml_db_in_transaction (db));
  return db;
}

/* ---- address plan ------------------------------------------------------------ */

static void
test_conn_names_are_stable (void)
{
  CU_ASSERT_STRING_EQUAL (ml_conn_name (ML_CONN_BROADBAND), "broadband");
  CU_ASSERT_STRING_EQUAL (ml_conn_name (ML_CONN_CORPORATE), "corporate");
  CU_ASSERT_STRING_EQUAL (ml_conn_name (ML_CONN_PUBLIC_WIFI), "public_wifi");
  CU_ASSERT_STRING_EQUAL (ml_conn_name (ML_CONN_CELLULAR), "cellular");
}

static void
test_build_sets_district_blocks_and_household_slots (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, TOWN_HOUSEHOLDS);

  for (guint32 d = 0; d < w->n_districts; d++)
    CU_ASSERT_NOT_EQUAL (w->districts[d].bb_block, ML_NONE);
  for (guint32 h = 0; h < TOWN_HOUSEHOLDS; h++)
    {
      const MlHousehold *hh = &w->households[h];

      CU_ASSERT_EQUAL (hh->bb_slot == ML_NONE, !hh->broadband);
      if (!hh->broadband)
        continue;
      CU_ASSERT (hh->bb_slot < 256);
      /* slots are unique within a (district, isp) block */
      keys[h] = ((gint64) (h % 3) << 40) | ((gint64) hh->isp << 32) | hh->bb_slot;
      CU_ASSERT_FALSE (g_hash_table_contains (seen, &keys[h]));
      g_hash_table_add (seen, &keys[h]);
    }
  CU_ASSERT_EQUAL (g_hash_table_size (seen), 320);
}

/* Every kind of stay, checked against its range. */
static void
test_addresses_lie_in_the_reserved_range_of_their_connection (void)
{
  static const guint32 places[] = { W_SMALL, W_PLAIN, W_LARGE, V_PUBLIC, V_NONE, V_PUBLIC2, V_PUBLIC3, HOTEL };
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  guint counts[ML_N_CONN] = { 0 };

  for (guint32 p = 0; p < w->n_people; p++)
    for (guint k = 0; k < G_N_ELEMENTS (places) + 4; k++)
      {
        MlTime t = T0 + (MlTime) p * 977 + k * 3600;
        guint32 place = k < G_N_ELEMENTS (places) ? places[k]
                        : k == G_N_ELEMENTS (places) ? w->households[w->people[p].household].home_place : ML_NONE;
        MlConn conn = ML_N_CONN;
        guint32 ip = ip_at (w, p, place, k % 3, t - 600, t, &conn);

        CU_ASSERT_FATAL (conn < ML_N_CONN);
        counts[conn]++;
        if (conn == ML_CONN_BROADBAND || conn == ML_CONN_PUBLIC_WIFI)
          CU_ASSERT (in_net (ip, BB_NET, 8));
        if (conn == ML_CONN_CORPORATE)
          CU_ASSERT (in_net (ip, CORP_NET, 12));
        if (conn == ML_CONN_CELLULAR)
          CU_ASSERT (in_net (ip, CELL_NET, 10));
        CU_ASSERT_EQUAL (ml_network_ip (w, p, &(MlStay) { t - 600, t + 6600, place,
                                                          place == ML_NONE ? k % 3 : place_city (w, place) },
                                        t, NULL), ip);
      }
  for (int c = 0; c < ML_N_CONN; c++)
    CU_ASSERT (counts[c] > 100);
}

/* The addresses of all 320 broadband households and 4 hotspots at TIME. */
static void
holders_are_unique_at (const MlWorld *w, MlTime t)
{
  static const guint32 spots[] = { V_PUBLIC, V_PUBLIC2, V_PUBLIC3, HOTEL };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint32 h = 0; h < TOWN_HOUSEHOLDS; h++)
    {
      MlConn conn;
      guint32 ip = home_ip (w, h, t, &conn);

      if (!w->households[h].broadband)
        continue;
      CU_ASSERT_EQUAL (conn, ML_CONN_BROADBAND);
      CU_ASSERT_FALSE (g_hash_table_contains (seen, GUINT_TO_POINTER (ip)));
      g_hash_table_add (seen, GUINT_TO_POINTER (ip));
    }
  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    {
      MlConn conn;
      guint32 ip = ip_at (w, WIFI_ALWAYS, spots[i], 0, t - 60, t, &conn);

      CU_ASSERT_EQUAL (conn, ML_CONN_PUBLIC_WIFI);
      CU_ASSERT_FALSE (g_hash_table_contains (seen, GUINT_TO_POINTER (ip)));
      g_hash_table_add (seen, GUINT_TO_POINTER (ip));
    }
  CU_ASSERT_EQUAL (g_hash_table_size (seen), 324);
}

static void
test_no_two_holders_share_a_broadband_address_at_one_instant (void)
{
  g_autoptr(Fixture) f = town_new (42);

  for (int k = 0; k < 40; k++)
    holders_are_unique_at (&f->w, T0 + k * 5 * DAY + k * 3671);
}

/* The second in (LO, HI] at which household H's address changes. */
static MlTime
change_second (const MlWorld *w, guint32 h, MlTime lo, MlTime hi)
{
  guint32 old = home_ip (w, h, lo, NULL);

  while (hi - lo > 1)
    {
      MlTime mid = lo + (hi - lo) / 2;

      if (home_ip (w, h, mid, NULL) == old)
        lo = mid;
      else
        hi = mid;
    }
  return hi;
}

/* The households of the (district 0, isp 0) block change address together,
 * at epoch boundaries one constant period apart, and at no other time. */
static void
test_household_address_is_constant_within_an_epoch_and_changes_at_its_boundary (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n_households = 0, run = 0;

  for (guint32 h = 0; h < TOWN_HOUSEHOLDS; h += 6)
    {
      if (!w->households[h].broadband)
        continue;
      n_households++;
      for (MlTime t = T0 + 3600; t < T0 + 200 * DAY; t += 3600)
        if (home_ip (w, h, t, NULL) != home_ip (w, h, t - 3600, NULL))
          {
            gint64 s = change_second (w, h, t - 3600, t);
            g_array_append_val (all, s);
          }
    }
  CU_ASSERT (n_households >= 50);
  g_array_sort (all, cmp_int64);
  /* distinct change seconds, each shared by >= 90 % of the block */
  for (guint i = 0; i <= all->len; i++, run++)
    if (i == all->len || (i > 0 && g_array_index (all, gint64, i) != g_array_index (all, gint64, i - 1)))
      {
        CU_ASSERT (run >= 0.9 * n_households);
        g_array_append_val (bounds, g_array_index (all, gint64, i - 1));
        run = 0;
      }
  CU_ASSERT_FATAL (bounds->len >= 3);
  for (guint i = 1; i < bounds->len; i++)
    {
      gint64 period = g_array_index (bounds, gint64, i) - g_array_index (bounds, gint64, i - 1);

      CU_ASSERT (period >= 14 * DAY && period <= 60 * DAY);
      CU_ASSERT_EQUAL (period, g_array_index (bounds, gint64, 1) - g_array_index (bounds, gint64, 0));
    }
}

static void
test_members_at_home_share_the_household_address (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;

  for (guint32 h = 0; h < TOWN_HOUSEHOLDS; h++)
    {
      const MlHousehold *hh = &w->households[h];
      MlTime t = T0 + h * 7919;
      guint32 first = home_ip (w, h, t, NULL);

      for (guint32 m = hh->first_member; m < hh->first_member + hh->size; m++)
        {
          MlConn conn;
          guint32 ip = ip_at (w, m, hh->home_place, 0, t - 3600, t, &conn);

          CU_ASSERT_EQUAL (conn, hh->broadband ? ML_CONN_BROADBAND : ML_CONN_CELLULAR);
          if (hh->broadband)
            CU_ASSERT_EQUAL (ip, first);
        }
    }
}

/* The staff of PLACE at work: how many are on corporate Wi-Fi, and their
 * distinct addresses in SEEN. */
static guint
staff_on_corporate (const MlWorld *w, guint32 place, GHashTable *seen, guint *staff)
{
  guint corp = 0;

  *staff = 0;
  for (guint32 p = 0; p < w->n_people; p++)
    {
      MlConn conn;
      MlTime t = T0 + 9 * 3600 + p * 13;
      guint32 ip;

      if (w->people[p].work_place != place)
        continue;
      (*staff)++;
      ip = ip_at (w, p, place, 0, T0 + 8 * 3600, t, &conn);
      if (conn != ML_CONN_CORPORATE)
        continue;
      /* static: the same address a month later */
      CU_ASSERT_EQUAL (ip_at (w, p, place, 0, T0 + 30 * DAY, T0 + 30 * DAY + 600, NULL), ip);
      corp++;
      g_hash_table_add (seen, GUINT_TO_POINTER (ip));
    }
  return corp;
}

static void
test_coworkers_on_corporate_wifi_share_one_address (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  g_autoptr(GHashTable) small = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) large = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) plain = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint staff, corp, prefix = G_MAXUINT;
  GHashTableIter it;
  gpointer key;

  corp = staff_on_corporate (w, W_SMALL, small, &staff);
  CU_ASSERT_EQUAL (staff, 100);
  CU_ASSERT (corp >= 65 && corp <= 92);   /* 80 % of staff (assumption) */
  CU_ASSERT_EQUAL (g_hash_table_size (small), 1);
  /* more than 200 staff: an aligned /29, staff spread over it */
  corp = staff_on_corporate (w, W_LARGE, large, &staff);
  CU_ASSERT_EQUAL (staff, 300);
  CU_ASSERT (corp >= 210 && corp <= 270);
  CU_ASSERT (g_hash_table_size (large) >= 6 && g_hash_table_size (large) <= 8);
  g_hash_table_iter_init (&it, large);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      CU_ASSERT (prefix == G_MAXUINT || prefix == (GPOINTER_TO_UINT (key) & ~7u));
      prefix = GPOINTER_TO_UINT (key) & ~7u;
    }
  CU_ASSERT_EQUAL (staff_on_corporate (w, W_PLAIN, plain, &staff), 0);
  /* a visitor who does not work there stays on cellular */
  CU_ASSERT (w->people[5].work_place != W_SMALL);
  CU_ASSERT (in_net (ip_at (w, 5, W_SMALL, 0, T0, T0 + 60, NULL), CELL_NET, 10));
}

static void
test_public_wifi_is_joined_by_wifi_use_and_kept_for_the_stay (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  MlConn conn, again;
  guint joined = 0, n = 0;

  ip_at (w, WIFI_ALWAYS, V_PUBLIC, 0, T0, T0 + 60, &conn);
  CU_ASSERT_EQUAL (conn, ML_CONN_PUBLIC_WIFI);
  ip_at (w, WIFI_ALWAYS, V_NONE, 0, T0, T0 + 60, &conn);
  CU_ASSERT_EQUAL (conn, ML_CONN_CELLULAR);
  ip_at (w, WIFI_NEVER, V_PUBLIC, 0, T0, T0 + 60, &conn);
  CU_ASSERT_EQUAL (conn, ML_CONN_CELLULAR);
  for (guint32 p = 10; p < w->n_people; p++)
    for (int k = 0; k < 3; k++, n++)
      {
        MlTime start = T0 + p * 600 + k * DAY;

        ip_at (w, p, V_PUBLIC2, 0, start, start + 60, &conn);
        ip_at (w, p, V_PUBLIC2, 0, start, start + 7000, &again);
        CU_ASSERT_EQUAL (conn, again);
        joined += conn == ML_CONN_PUBLIC_WIFI;
      }
  ML_ASSERT_CLOSE ((double) joined / n, 0.5, 0.04);
  /* hotel guests decide once per hotel: the same on every night */
  for (guint32 p = 10; p < 200; p++)
    {
      ip_at (w, p, HOTEL, 2, T0 + 20 * 3600, T0 + 22 * 3600, &conn);
      ip_at (w, p, HOTEL, 2, T0 + DAY, T0 + DAY + 3600, &again);
      CU_ASSERT_EQUAL (conn, again);
    }
}

static void
test_guests_join_the_hosts_broadband_on_about_half_the_visits (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  guint joined = 0;

  CU_ASSERT_FATAL (w->households[1].broadband && !w->households[0].broadband);
  for (int i = 0; i < 2000; i++)
    {
      MlTime start = T0 + i * 4001;
      MlConn conn;
      guint32 ip = ip_at (w, 0, w->households[1].home_place, 0, start, start + 1800, &conn);

      if (conn != ML_CONN_BROADBAND)
        {
          CU_ASSERT_EQUAL (conn, ML_CONN_CELLULAR);
          continue;
        }
      joined++;
      CU_ASSERT_EQUAL (ip, home_ip (w, 1, start + 1800, NULL));
    }
  ML_ASSERT_CLOSE (joined / 2000.0, 0.5, 0.04);
}

/* ---- cellular ---------------------------------------------------------------- */

typedef struct {
  gint64 first, n, egress;
} PoolRow;

/* Read back cell_pools into POOLS[carrier * 3 + city]. */
static void
read_pools (MlDb *db, PoolRow *pools, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT carrier, city, first_ip, n_ips, egress_city FROM cell_pools",
                                       &error);
  guint rows = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  while (ml_stmt_step (s, &error) == ML_STEP_ROW)
    {
      gint64 k = ml_stmt_int64 (s, 0) * 3 + ml_stmt_int64 (s, 1);

      CU_ASSERT_FATAL (k >= 0 && k < (gint64) n);
      pools[k] = (PoolRow) { ml_stmt_int64 (s, 2), ml_stmt_int64 (s, 3), ml_stmt_int64 (s, 4) };
      rows++;
    }
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL (rows, n);
}

static void
test_cellular_addresses_come_from_the_pool_of_the_stay_city (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  MlWindow span = { T0, T0 + DAY };
  g_autoptr(MlDb) db = truth_new (w, &span, "pools.db");
  PoolRow pools[6];
  guint subs[6] = { 0 };

  read_pools (db, pools, 6);
  for (guint32 p = 0; p < w->n_people; p++)
    subs[w->people[p].carrier * 3 + (w->households[w->people[p].household].home_place % 3 == 2)]++;
  for (guint c = 0; c < 2; c++)
    for (guint city = 0; city < 3; city++)
      {
        const PoolRow *r = &pools[c * 3 + city];

        CU_ASSERT (in_net ((guint32) r->first, CELL_NET, 10));
        CU_ASSERT_EQUAL (r->egress, city == 2 ? 2 : c);   /* carrier k egresses at region city k */
        /* distant city: ~33 travellers present need the minimum of 2 */
        CU_ASSERT_EQUAL (r->n, city == 2 ? 2 : MAX (2, (gint64) ceil (subs[c * 3 + city] / 300.0)));
      }
  for (guint32 p = 0; p < w->n_people; p++)
    for (guint city = 0; city < 3; city++)
      {
        const PoolRow *r = &pools[w->people[p].carrier * 3 + city];
        MlConn conn;
        guint32 ip = ip_at (w, p, ML_NONE, city, T0, T0 + p * 61, &conn);

        CU_ASSERT_EQUAL (conn, ML_CONN_CELLULAR);
        CU_ASSERT (ip >= r->first && ip < r->first + r->n);
      }
}

static guint32
transit_ip (const MlWorld *w, guint32 p, MlTime t)
{
  return ip_at (w, p, ML_NONE, 0, T0, t, NULL);
}

static void
test_cellular_address_holds_within_a_session_and_changes_across_sessions (void)
{
  g_autoptr(Fixture) f = metro_new (7, 30000, 60);
  const MlWorld *w = &f->w;
  guint same_30s = 0, same_6h = 0, changes = 0;
  const guint n = 3000, m = 200;

  for (guint32 p = 0; p < n; p++)
    {
      MlTime t = T0 + (p * 7919) % (DAY - 7 * 3600);

      same_30s += transit_ip (w, p, t) == transit_ip (w, p, t + 30);
      same_6h += transit_ip (w, p, t) == transit_ip (w, p, t + 6 * 3600 + 1);
    }
  CU_ASSERT (same_30s >= 0.95 * n);
  CU_ASSERT (same_6h <= 0.05 * n);   /* pool of 100: 1 % by chance */
  /* log-uniform sessions in [10, 360] min: E[1/L] x 1440 min ~ 39 a day */
  for (guint32 p = 0; p < m; p++)
    for (MlTime t = T0 + 60; t < T0 + DAY; t += 60)
      changes += transit_ip (w, p, t) != transit_ip (w, p, t - 60);
  CU_ASSERT ((double) changes / m >= 28 && (double) changes / m <= 52);
}

/* Over a day each person looks up three times at random moments: the
 * distinct people behind each cellular address number in the hundreds. */
static void
test_cgnat_addresses_are_shared_by_hundreds_of_people_a_day (void)
{
  g_autoptr(Fixture) f = metro_new (7, 30000, 60);
  const MlWorld *w = &f->w;
  MlWindow span = { T0, T0 + DAY };
  g_autoptr(MlDb) db = truth_new (w, &span, "cgnat.db");
  g_autoptr(GHashTable) pairs = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) addrs = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree gint64 *keys = g_new (gint64, 3 * w->n_people);
  PoolRow pools[6];
  MlRng rng;

  read_pools (db, pools, 2);
  CU_ASSERT_EQUAL (pools[0].n, 100);   /* 30,000 subscribers / 300 */
  ml_rng_init (&rng, 1, 2, 3, 4);
  for (guint32 p = 0; p < w->n_people; p++)
    for (int k = 0; k < 3; k++)
      {
        guint32 ip = transit_ip (w, p, T0 + (MlTime) ml_rng_below (&rng, DAY));
        gint64 *key = &keys[p * 3 + k];

        CU_ASSERT (ip >= pools[0].first && ip < pools[0].first + 100);
        *key = ((gint64) ip << 32) | p;
        g_hash_table_add (pairs, key);
        g_hash_table_add (addrs, GUINT_TO_POINTER (ip));
      }
  CU_ASSERT_EQUAL (g_hash_table_size (addrs), 100);
  {
    double per_ip = (double) g_hash_table_size (pairs) / g_hash_table_size (addrs);
    CU_ASSERT (per_ip >= 300 && per_ip <= 1000);
  }
}

/* ---- GeoIP ------------------------------------------------------------------- */

static MlGeoIp *
geoip_new (const MlWorld *w, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ml_test_path (name);
  MlGeoIp *g;

  CU_ASSERT_FATAL (ml_network_write_geoip (w, path, BUILD_EPOCH, &error));
  g = ml_geoip_open (path, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (g);
  return g;
}

static void
lookup (MlGeoIp *g, guint32 ip, MlGeoHit *hit)
{
  g_autoptr(GError) error = NULL;
  char text[16];

  CU_ASSERT_FATAL (ml_geoip_lookup (g, ml_ipv4_to_string (ip, text), hit, &error));
  CU_ASSERT_FATAL (hit->found);
}

/* One household per (district, isp) block: the block's record lies a
 * lognormal distance of median geoip_fixed_error_km from the district. */
static void
test_broadband_addresses_geolocate_near_their_district (void)
{
  g_autoptr(Fixture) f = metro_new (11, 30000, 60);
  const MlWorld *w = &f->w;
  g_autoptr(MlGeoIp) g = geoip_new (w, "metro.mmdb");
  double err[120];

  for (guint32 h = 0; h < 240; h += 2)
    {
      const MlDistrict *d = &w->districts[w->places[h].district];
      MlGeoHit hit;

      lookup (g, home_ip (w, h, T0 + h * 3600, NULL), &hit);
      CU_ASSERT_STRING_EQUAL (hit.connection_type, "Cable/DSL");
      CU_ASSERT_STRING_EQUAL (hit.city, "Metro");
      CU_ASSERT_STRING_EQUAL (hit.country_iso, "ZZ");
      err[h / 2] = ml_geo_haversine_km (d->lat, d->lon, hit.latitude, hit.longitude);
      CU_ASSERT (err[h / 2] <= hit.accuracy_radius);
      CU_ASSERT (hit.accuracy_radius >= 5 && hit.accuracy_radius <= MAX (5, ceil (2 * err[h / 2] + 0.01)));
      CU_ASSERT (err[h / 2] < 10 * 8.0);
    }
  qsort (err, 120, sizeof err[0], cmp_double);
  CU_ASSERT (err[59] > 0.7 * 8.0 && err[59] < 1.4 * 8.0);
}

static void
test_cellular_and_corporate_addresses_geolocate_as_published (void)
{
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  g_autoptr(MlGeoIp) g = geoip_new (w, "town.mmdb");
  const MlPlace *wp = &w->places[W_SMALL];
  MlGeoHit hit;

  for (guint32 p = 0; p < 40; p++)
    for (guint city = 0; city < 3; city++)
      {
        guint egress = city == 2 ? 2 : w->people[p].carrier;
        const MlCity *eg = &w->cities[egress];

        lookup (g, ip_at (w, p, ML_NONE, city, T0, T0 + p * 300, NULL), &hit);
        CU_ASSERT_STRING_EQUAL (hit.connection_type, "Cellular");
        CU_ASSERT_EQUAL (hit.accuracy_radius, 200);
        CU_ASSERT_STRING_EQUAL (hit.city, eg->name);
        CU_ASSERT (ml_geo_haversine_km (eg->lat, eg->lon, hit.latitude, hit.longitude) < 0.01);
      }
  for (guint32 p = 0; p < 100; p += 10)
    {
      MlConn conn;
      guint32 ip = ip_at (w, p, W_SMALL, 0, T0, T0 + 60, &conn);

      if (conn != ML_CONN_CORPORATE)
        continue;
      lookup (g, ip, &hit);
      CU_ASSERT_STRING_EQUAL (hit.connection_type, "Corporate");
      CU_ASSERT_STRING_EQUAL (hit.city, "Alder Falls");
      CU_ASSERT (ml_geo_haversine_km (wp->lat, wp->lon, hit.latitude, hit.longitude) < 20);
    }
}

static void
test_geoip_output_is_byte_identical_for_the_same_seed (void)
{
  g_autoptr(Fixture) a = town_new (42);
  g_autoptr(Fixture) b = town_new (42);
  g_autoptr(GError) error = NULL;
  g_autofree char *pa = ml_test_path ("a.mmdb");
  g_autofree char *pb = ml_test_path ("b.mmdb");
  g_autofree char *ca = NULL, *cb = NULL;
  gsize la = 0, lb = 0;

  CU_ASSERT_FATAL (ml_network_write_geoip (&a->w, pa, BUILD_EPOCH, &error));
  CU_ASSERT_FATAL (ml_network_write_geoip (&b->w, pb, BUILD_EPOCH, &error));
  CU_ASSERT_FATAL (g_file_get_contents (pa, &ca, &la, NULL) && g_file_get_contents (pb, &cb, &lb, NULL));
  CU_ASSERT (la > 0 && la == lb && memcmp (ca, cb, la) == 0);
}

/* ---- truth -------------------------------------------------------------------- */

/* The one lease of HOLDER (of KIND) covering T must be IP. */
static void
lease_is (MlStmt *s, const char *kind, guint32 holder, MlTime t, guint32 ip)
{
  g_autoptr(GError) error = NULL;
  char text[16];
  guint rows = 0;

  CU_ASSERT_FATAL (ml_stmt_bind_text (s, 1, kind, -1, &error) && ml_stmt_bind_int64 (s, 2, holder, &error)
                   && ml_stmt_bind_int64 (s, 3, t, &error) && ml_stmt_bind_int64 (s, 4, t, &error));
  while (ml_stmt_step (s, &error) == ML_STEP_ROW)
    {
      rows++;
      CU_ASSERT_EQUAL (ml_stmt_int64 (s, 0), ip);
      CU_ASSERT_STRING_EQUAL (ml_stmt_text (s, 1), ml_ipv4_to_string (ip, text));
    }
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL (rows, 1);
  ml_stmt_reset (s);
}

static void
test_truth_leases_agree_with_the_address_function (void)
{
  static const guint32 spots[] = { V_PUBLIC, V_PUBLIC2, V_PUBLIC3, HOTEL };
  g_autoptr(Fixture) f = town_new (42);
  const MlWorld *w = &f->w;
  MlWindow span = { T0 + 3600, T0 + 120 * DAY };
  g_autoptr(MlDb) db = truth_new (w, &span, "leases.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT ip, ip_text FROM ip_leases WHERE holder_kind = ?"
                                       " AND holder = ? AND start <= ? AND ? < end", &error);
  gint64 n = -1;

  CU_ASSERT_PTR_NOT_NULL_FATAL (s);
  for (guint32 h = 1; h < TOWN_HOUSEHOLDS; h += 2)
    for (MlTime t = span.start + h * 911; t < span.end; t += 17 * DAY + 3333)
      if (w->households[h].broadband)
        lease_is (s, "household", h, t, home_ip (w, h, t, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    for (MlTime t = span.start; t < span.end; t += 5 * DAY + 77)
      lease_is (s, "venue", spots[i], t, ip_at (w, WIFI_ALWAYS, spots[i], 0, t, t, NULL));
  for (guint32 p = 0; p < 100; p += 10)
    {
      MlConn conn;
      guint32 ip = ip_at (w, p, W_SMALL, 0, T0, T0, &conn);

      if (conn == ML_CONN_CORPORATE)
        lease_is (s, "workplace", W_SMALL, span.start + p * DAY, ip);
    }
  /* leases tile the span for each holder, and never overlap on one address */
  CU_ASSERT (ml_db_query_int64 (db, "SELECT count(*) FROM (SELECT holder_kind, holder, sum(end - start) AS s,"
                                " min(start) AS a, max(end) AS b FROM ip_leases WHERE holder_kind != 'workplace'"
                                " GROUP BY holder_kind, holder) WHERE s != b - a", &n, &error));
  CU_ASSERT_EQUAL (n, 0);
  CU_ASSERT (ml_db_query_int64 (db, "SELECT count(*) FROM ip_leases WHERE start < 3600 + 19723 * 86400"
                                " OR end > 120 * 86400 + 19723 * 86400", &n, &error));
  CU_ASSERT_EQUAL (n, 0);
  CU_ASSERT (ml_db_query_int64 (db, "SELECT count(*) FROM ip_leases a JOIN ip_leases b ON a.ip = b.ip"
                                " AND a.rowid < b.rowid AND a.start < b.end AND b.start < a.end", &n, &error));
  CU_ASSERT_EQUAL (n, 0);
  CU_ASSERT (ml_db_query_int64 (db, "SELECT count(*) FROM ip_leases WHERE holder_kind = 'workplace'", &n, &error));
  CU_ASSERT_EQUAL (n, 1 + 8);
  CU_ASSERT_PTR_NULL (error);
}

/* ---- determinism --------------------------------------------------------------- */

static void
test_same_seed_gives_identical_answers_and_another_seed_other_permutations (void)
{
  static const guint32 places[] = { W_SMALL, W_LARGE, V_PUBLIC, HOTEL, ML_NONE };
  g_autoptr(Fixture) a = town_new (42);
  g_autoptr(Fixture) b = town_new (42);
  g_autoptr(Fixture) c = town_new (43);
  guint same = 0, n = 0;

  for (guint32 p = 0; p < a->w.n_people; p++)
    for (guint k = 0; k < G_N_ELEMENTS (places); k++)
      {
        MlTime t = T0 + p * 5003 + k * 7;

        CU_ASSERT_EQUAL (ip_at (&a->w, p, places[k], 1, t, t, NULL), ip_at (&b->w, p, places[k], 1, t, t, NULL));
      }
  for (guint32 h = 0; h < TOWN_HOUSEHOLDS; h++)
    {
      MlTime t = T0 + h * 12345;

      if (!a->w.households[h].broadband)
        continue;
      CU_ASSERT_EQUAL (home_ip (&a->w, h, t, NULL), home_ip (&b->w, h, t, NULL));
      same += home_ip (&a->w, h, t, NULL) == home_ip (&c->w, h, t, NULL);
      n++;
    }
  CU_ASSERT (same < n / 5);
}

static CU_TestInfo plan_tests[] = {
  { "connection names are stable", test_conn_names_are_stable },
  { "build sets district blocks and household slots", test_build_sets_district_blocks_and_household_slots },
  { "addresses lie in the reserved range of their connection",
    test_addresses_lie_in_the_reserved_range_of_their_connection },
  { "no two holders share a broadband address at one instant",
    test_no_two_holders_share_a_broadband_address_at_one_instant },
  { "household address is constant within an epoch and changes at its boundary",
    test_household_address_is_constant_within_an_epoch_and_changes_at_its_boundary },
  { "members at home share the household address", test_members_at_home_share_the_household_address },
  { "co-workers on corporate wifi share one address", test_coworkers_on_corporate_wifi_share_one_address },
  { "public wifi is joined by wifi_use and kept for the stay",
    test_public_wifi_is_joined_by_wifi_use_and_kept_for_the_stay },
  { "guests join the host's broadband on about half the visits",
    test_guests_join_the_hosts_broadband_on_about_half_the_visits },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo cell_tests[] = {
  { "cellular addresses come from the pool of the stay's city",
    test_cellular_addresses_come_from_the_pool_of_the_stay_city },
  { "cellular address holds within a session and changes across sessions",
    test_cellular_address_holds_within_a_session_and_changes_across_sessions },
  { "CGNAT addresses are shared by hundreds of people a day",
    test_cgnat_addresses_are_shared_by_hundreds_of_people_a_day },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo geoip_tests[] = {
  { "broadband addresses geolocate near their district", test_broadband_addresses_geolocate_near_their_district },
  { "cellular and corporate addresses geolocate as published",
    test_cellular_and_corporate_addresses_geolocate_as_published },
  { "GeoIP output is byte-identical for the same seed", test_geoip_output_is_byte_identical_for_the_same_seed },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo truth_tests[] = {
  { "truth leases agree with the address function", test_truth_leases_agree_with_the_address_function },
  { "same seed gives identical answers and another seed other permutations",
    test_same_seed_gives_identical_answers_and_another_seed_other_permutations },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "address plan", .pTests = plan_tests },
  { .pName = "cellular", .pTests = cell_tests },
  { .pName = "geoip", .pTests = geoip_tests },
  { .pName = "truth and determinism", .pTests = truth_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}
