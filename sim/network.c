/* network.c -- the address plan: broadband blocks, corporate addresses,
 * CGNAT pools, and the synthetic GeoIP database that locates them.
 *
 * Built once after the population (ml_network_build), read-only afterwards
 * and shared by every worker thread.  Four kinds of address:
 *
 *  - Broadband (10.0.0.0/8): one block per (district, ISP) in use, of
 *    2^bits >= 2 x holders slots (at least 16), aligned on its size.  Each
 *    holder (household with broadband, venue or hotel with public Wi-Fi)
 *    owns a slot; the block is renumbered at every lease epoch
 *    e = floor((t - phase) / period) by a keyed 4-round Feistel permutation
 *    pi_e of [0, 2^bits) (alternating halves of floor/ceil(bits/2) bits, so
 *    no cycle walking), so no two holders ever share an address at the same
 *    instant and every holder moves at each epoch boundary.  Period and
 *    phase are drawn per block (uniform period in [rotation_days_min,
 *    rotation_days_max]).
 *  - Corporate (172.16.0.0/12): one static address per place with
 *    corporate Wi-Fi; places with more than 200 staff get an aligned /29
 *    and each staff member is spread over it by a hash of the person.
 *  - Cellular (100.64.0.0/10): one pool per (carrier, city) of
 *    ceil(subscribers / cgnat_users_per_ip) addresses (at least 2); distant
 *    cities are sized from the expected number of travellers there.  A
 *    device's address is re-drawn at every session of a person- and
 *    day-specific log-uniform length L.  Carrier k's region pools egress
 *    (and geolocate) at the k-th region city (mod their number, largest
 *    first); a distant city's pools egress at that city.
 *
 * Which one a phone uses (ml_network_ip): its own home with broadband, the
 * household's address; another household's home with broadband, the
 * host's address on half the visits; its own workplace with corporate
 * Wi-Fi, the corporate address for 80 % of staff (the others keep their
 * phone on cellular); a venue or hotel with public Wi-Fi, the hotspot's
 * address with probability person.wifi_use (decided per visit, per stay
 * for hotels); anything else, the CGNAT pool of the stay's city.
 *
 * ml_network_ip() is pure (the same arguments give the same answer, no
 * state, no allocation) and O(1): a few array reads, two to six inlined
 * splitmix mixes and, for cellular, one exp().  It is called once per
 * logged lookup, ~10^8 times a run: ~40 ns a call when calls come person
 * by person (as traffic.c makes them), memory-bound (~200 ns) when people
 * are visited at random in a 10^6-person world.  Workload of the rest:
 * O(people + places + blocks) at build time; O(holders x epochs) rows for
 * the truth tables.
 */
#include <math.h>

#include "common/errors.h"
#include "common/geo.h"
#include "sim/network.h"

#define BB_BASE     0x0A000000u   /* 10.0.0.0/8, RFC 1918 */
#define BB_SPACE    (1u << 24)
#define CORP_BASE   0xAC100000u   /* 172.16.0.0/12, RFC 1918 */
#define CORP_SPACE  (1u << 20)
#define CELL_BASE   0x64400000u   /* 100.64.0.0/10, RFC 6598 shared address space */
#define CELL_SPACE  (1u << 22)

#define MIN_BLOCK_BITS 4          /* at least 16 slots a block (assumption) */
#define FEISTEL_ROUNDS 4          /* Luby & Rackoff 1988: 4 rounds give a strong PRP */
#define CORP_SHARE 0.8            /* assumption: staff whose phones join corporate Wi-Fi */
#define CORP_LARGE_STAFF 200      /* assumption: above this, a /29 NAT pool */
#define CORP_LARGE_BITS 3
#define GUEST_WIFI_SHARE 0.5      /* assumption: visits on which a guest joins the host's Wi-Fi */
#define MIN_CELL_POOL 2
#define FIXED_ERROR_SIGMA 0.75    /* assumption: lognormal spread of fixed-line GeoIP error */
#define CORP_ERROR_FACTOR 0.25    /* assumption: business blocks registered to the premises */
#define MIN_ACCURACY_KM 5.0
#define COUNTRY_ISO "ZZ"          /* ISO 3166 user-assigned code: no real country */
#define COUNTRY_NAME "Synthetic"

/* Sub-streams of ML_STREAM_NETWORK (high 32 bits of the first stream id). */
enum {
  TAG_BLOCK = 1, TAG_VENUE_ISP, TAG_GEO_BLOCK, TAG_GEO_CORP,
  TAG_PERM, TAG_CORP_USE, TAG_CORP_SPREAD, TAG_GUEST, TAG_PUBLIC,
};

typedef struct {
  guint32 base;           /* first address of the block */
  guint32 district;
  guint32 holders;        /* slots in use: [0, holders) */
  guint8 bits;            /* the block holds 2^bits slots */
  guint8 isp;
  MlTime period;          /* lease epoch length, seconds (> 0) */
  MlTime phase;           /* epoch e starts at phase + e * period; 0 <= phase < period */
  double inv_period;      /* 1 / period */
} Block;

typedef struct {
  guint32 block;          /* broadband block of a public hotspot, ML_NONE if none */
  guint32 slot;           /* its slot in the block */
  guint32 corp;           /* first corporate address, 0 if none */
  guint8 corp_bits;       /* corporate addresses: 2^corp_bits */
} PlaceNet;

typedef struct {
  guint32 base;           /* first address */
  guint32 size;           /* addresses in use: [base, base + size) */
  guint8 bits;            /* allocated span 2^bits >= size (one GeoIP prefix) */
  guint32 egress;         /* city whose centre GeoIP reports */
} Pool;

struct MlNetwork {
  Block *blocks;
  guint32 n_blocks;
  guint32 n_isps;
  guint32 *hh_block;      /* per household: its block, ML_NONE without broadband */
  PlaceNet *places;       /* per place */
  Pool *pools;            /* [carrier * n_cities + city] */
  guint32 n_carriers;
  guint32 n_cities;
  guint64 key_perm, key_cell, key_corp, key_spread, key_guest, key_public;
  double cell_min_s;      /* shortest cellular session, seconds */
  double cell_log_ratio;  /* log(max / min) */
};

/* ---- hashing helpers (hot path) -----------------------------------------
 *
 * ml_network_ip() must cost a few tens of nanoseconds, so it hashes with an
 * inlined copy of splitmix64's finaliser (the mixer behind ml_hash64) and
 * keys each decision with one or two mixes of a per-purpose key derived
 * once from the seed (init_keys).  XOR-ing distinct ids into a random key
 * and mixing is a bijection, so distinct (key, id) give distinct hashes. */

#define GOLDEN G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)

static inline guint64
mix (guint64 x)
{
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

/* The hash of (A, B) under KEY: two mixes. */
static inline guint64
mix2 (guint64 key, guint64 a, guint64 b)
{
  return mix (mix (key ^ a) + GOLDEN * (b + 1));
}

/* A uniform double in [0, 1) from the top 53 bits of H. */
static inline double
unit (guint64 h)
{
  return (double) (h >> 11) * 0x1.0p-53;
}

/* pi_KEY (X) on [0, 2^BITS): a Feistel network over halves of
 * floor(bits/2) (low) and ceil(bits/2) (high) bits that updates the high
 * and the low half in turn; each step xors one half with a keyed function
 * of the other (the high word of a multiply: Luby-Rackoff need only a
 * pseudo-random round function), so each step is a bijection and so is
 * the whole. */
static inline guint32
permute (guint32 x, guint bits, guint64 key)
{
  guint lo_bits = bits / 2;
  guint32 lo_mask = (1u << lo_bits) - 1, hi_mask = (1u << (bits - lo_bits)) - 1;
  guint32 lo = x & lo_mask, hi = x >> lo_bits;

  for (guint r = 0; r < FEISTEL_ROUNDS; r++)
    {
      guint64 k = key + GOLDEN * r;

      if (r % 2 == 0)
        hi ^= (guint32) (((k ^ lo) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9)) >> 40) & hi_mask;
      else
        lo ^= (guint32) (((k ^ hi) * G_GUINT64_CONSTANT (0x94D049BB133111EB)) >> 40) & lo_mask;
    }
  return hi << lo_bits | lo;
}

/* The lease epoch of block BLK at time T: floor ((t - phase) / period),
 * by a multiply with the reciprocal and an exact integer correction. */
static inline gint64
block_epoch (const Block *blk, MlTime t)
{
  gint64 d = t - blk->phase;
  gint64 e = (gint64) floor ((double) d * blk->inv_period);

  if (e * blk->period > d)
    e--;
  else if ((e + 1) * blk->period <= d)
    e++;
  return e;
}

/* The address of SLOT of block B during epoch E. */
static inline guint32
slot_address (const MlNetwork *net, guint32 b, guint32 slot, gint64 e)
{
  const Block *blk = &net->blocks[b];
  guint64 key = mix (net->key_perm ^ ((guint64) b << 32 | (guint32) e));

  return blk->base + permute (slot, blk->bits, key);
}

/* ---- building -------------------------------------------------------------- */

static guint
ceil_log2 (guint64 n)
{
  guint bits = 0;

  while (((guint64) 1 << bits) < n)
    bits++;
  return bits;
}

static guint64
align_up (guint64 x, guint64 size)
{
  return (x + size - 1) & ~(size - 1);
}

/* The district of household H's home, or ML_NONE. */
static guint32
home_district (const MlWorld *w, guint32 h)
{
  guint32 p = w->households[h].home_place;

  return p < w->n_places ? w->places[p].district : ML_NONE;
}

/* The city household H lives in, or ML_NONE. */
static guint32
home_city (const MlWorld *w, guint32 h)
{
  guint32 d = h < w->n_households ? home_district (w, h) : ML_NONE;

  return d < w->n_districts ? w->districts[d].city : ML_NONE;
}

/* Whether place P offers public Wi-Fi from a broadband slot. */
static gboolean
is_hotspot (const MlWorld *w, guint32 p)
{
  const MlPlace *pl = &w->places[p];

  return pl->wifi == ML_WIFI_PUBLIC && pl->kind != ML_PLACE_HOME && pl->district < w->n_districts;
}

/* The ISP serving hotspot P: uniform over the ISPs, from (NETWORK, VENUE_ISP, p). */
static guint32
hotspot_isp (const MlWorld *w, const MlNetwork *net, guint32 p)
{
  MlRng rng;

  ml_rng_init (&rng, w->sc->seed, ML_STREAM_NETWORK, (guint64) TAG_VENUE_ISP << 32, p);
  return (guint32) ml_rng_below (&rng, net->n_isps);
}

/* The (district, isp) cell of every holder, counted into COUNTS
 * (n_districts x n_isps), and the households' cells into HH_CELL. */
static void
count_holders (const MlWorld *w, const MlNetwork *net, guint32 *counts, guint32 *hh_cell)
{
  for (guint32 h = 0; h < w->n_households; h++)
    {
      guint32 d = home_district (w, h);

      hh_cell[h] = ML_NONE;
      if (!w->households[h].broadband || d >= w->n_districts)
        continue;
      hh_cell[h] = d * net->n_isps + w->households[h].isp;
      counts[hh_cell[h]]++;
    }
  for (guint32 p = 0; p < w->n_places; p++)
    if (is_hotspot (w, p))
      counts[w->places[p].district * net->n_isps + hotspot_isp (w, net, p)]++;
}

/* Lease period and phase of the block of (DISTRICT, ISP): period uniform in
 * [rotation_days_min, rotation_days_max] (assumption, see network.md). */
static void
draw_rotation (const MlScenario *sc, Block *blk)
{
  MlRng rng;
  double days;

  ml_rng_init (&rng, sc->seed, ML_STREAM_NETWORK, (guint64) TAG_BLOCK << 32 | blk->district, blk->isp);
  days = sc->rotation_days_min + ml_rng_uniform (&rng) * (sc->rotation_days_max - sc->rotation_days_min);
  blk->period = MAX ((MlTime) 1, (MlTime) llround (days * ML_SECONDS_PER_DAY));
  blk->phase = (MlTime) ml_rng_below (&rng, (guint64) blk->period);
  blk->inv_period = 1.0 / (double) blk->period;
}

/* Lay out one block per non-empty (district, isp) cell of COUNTS, in cell
 * order, and store its index in CELL_BLOCK.  Fails when 10/8 is full. */
static gboolean
layout_blocks (MlWorld *w, MlNetwork *net, const guint32 *counts, guint32 *cell_block, GError **error)
{
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (Block));
  guint64 cursor = 0;

  for (guint32 c = 0; c < w->n_districts * net->n_isps; c++)
    {
      Block blk = { 0 };
      guint bits = MAX ((guint) MIN_BLOCK_BITS, ceil_log2 (2 * (guint64) counts[c]));

      cell_block[c] = ML_NONE;
      if (counts[c] == 0)
        continue;
      if (bits <= 24)
        cursor = align_up (cursor, (guint64) 1 << bits);
      if (bits > 24 || cursor + ((guint64) 1 << bits) > BB_SPACE)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                       "address plan: broadband blocks do not fit 10.0.0.0/8 (district %u)",
                       c / net->n_isps);
          return FALSE;
        }
      blk.base = BB_BASE + (guint32) cursor;
      blk.district = c / net->n_isps;
      blk.isp = (guint8) (c % net->n_isps);
      blk.bits = (guint8) bits;
      draw_rotation (w->sc, &blk);
      cursor += 1u << bits;
      cell_block[c] = blocks->len;
      if (w->districts[blk.district].bb_block == ML_NONE)
        w->districts[blk.district].bb_block = blocks->len;
      g_array_append_val (blocks, blk);
    }
  net->n_blocks = blocks->len;
  net->blocks = (Block *) g_array_free (g_steal_pointer (&blocks), FALSE);
  return TRUE;
}

/* Give every household with broadband and every hotspot its slot. */
static void
assign_slots (MlWorld *w, MlNetwork *net, const guint32 *hh_cell, const guint32 *cell_block)
{
  for (guint32 h = 0; h < w->n_households; h++)
    {
      guint32 b = hh_cell[h] == ML_NONE ? ML_NONE : cell_block[hh_cell[h]];

      net->hh_block[h] = b;
      w->households[h].bb_slot = b == ML_NONE ? ML_NONE : net->blocks[b].holders++;
    }
  for (guint32 p = 0; p < w->n_places; p++)
    {
      PlaceNet *pn = &net->places[p];

      pn->block = ML_NONE;
      if (!is_hotspot (w, p))
        continue;
      pn->block = cell_block[w->places[p].district * net->n_isps + hotspot_isp (w, net, p)];
      pn->slot = net->blocks[pn->block].holders++;
    }
}

static gboolean
build_broadband (MlWorld *w, MlNetwork *net, GError **error)
{
  g_autofree guint32 *counts = NULL;
  g_autofree guint32 *cell_block = NULL;
  g_autofree guint32 *hh_cell = g_new (guint32, MAX (w->n_households, 1));
  guint32 max_isp = 0;

  for (guint32 h = 0; h < w->n_households; h++)
    if (w->households[h].broadband)
      max_isp = MAX (max_isp, w->households[h].isp);
  net->n_isps = max_isp + 1;
  counts = g_new0 (guint32, (gsize) w->n_districts * net->n_isps + 1);
  cell_block = g_new (guint32, (gsize) w->n_districts * net->n_isps + 1);
  for (guint32 d = 0; d < w->n_districts; d++)
    w->districts[d].bb_block = ML_NONE;
  count_holders (w, net, counts, hh_cell);
  if (!layout_blocks (w, net, counts, cell_block, error))
    return FALSE;
  assign_slots (w, net, hh_cell, cell_block);
  return TRUE;
}

/* One static address per place with corporate Wi-Fi; an aligned /29 for
 * places with more than CORP_LARGE_STAFF staff. */
static gboolean
build_corporate (const MlWorld *w, MlNetwork *net, GError **error)
{
  g_autofree guint32 *staff = g_new0 (guint32, MAX (w->n_places, 1));
  guint64 cursor = 1;   /* 172.16.0.0 itself is left unused */

  for (guint32 i = 0; i < w->n_people; i++)
    if (w->people[i].work_place < w->n_places)
      staff[w->people[i].work_place]++;
  for (guint32 p = 0; p < w->n_places; p++)
    {
      guint bits = staff[p] > CORP_LARGE_STAFF ? CORP_LARGE_BITS : 0;

      net->places[p].corp = 0;
      if (w->places[p].wifi != ML_WIFI_CORPORATE)
        continue;
      cursor = align_up (cursor, 1u << bits);
      if (cursor + (1u << bits) > CORP_SPACE)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                       "address plan: corporate addresses do not fit 172.16.0.0/12 (place %u)", p);
          return FALSE;
        }
      net->places[p].corp = CORP_BASE + (guint32) cursor;
      net->places[p].corp_bits = (guint8) bits;
      cursor += 1u << bits;
    }
  return TRUE;
}

/* Subscribers needing a pool of carrier C in CITY: residents for region
 * cities, expected travellers present for distant ones
 * (people x trips_per_year / 365 x trip_days_mean / distant cities, times
 * the carrier's share of subscribers). */
static double
pool_demand (const MlWorld *w, const guint32 *subs, const guint32 *per_carrier, guint32 n_distant,
             guint32 c, guint32 city)
{
  const MlScenario *sc = w->sc;
  double present;

  if (w->cities[city].in_region)
    return subs[(gsize) c * w->n_cities + city];
  present = (double) w->n_people * sc->trips_per_year / 365.0 * sc->trip_days_mean / MAX (n_distant, 1);
  return present * per_carrier[c] / MAX (w->n_people, 1);
}

/* Carrier C's egress city: the (C mod n)-th region city (cities are
 * listed largest first, so carrier 0 egresses at the largest). */
static guint32
carrier_egress (const MlWorld *w, guint32 c, guint32 n_region)
{
  guint32 k = c % n_region;

  for (guint32 city = 0; city < w->n_cities; city++)
    if (w->cities[city].in_region && k-- == 0)
      return city;
  g_assert_not_reached ();
}

/* Lay out the pools of every (carrier, city) in 100.64/10, each aligned on
 * its power-of-two span. */
static gboolean
layout_pools (const MlWorld *w, MlNetwork *net, const guint32 *subs, const guint32 *per_carrier,
              guint32 n_region, GError **error)
{
  guint64 cursor = 0;

  for (guint32 c = 0; c < net->n_carriers; c++)
    for (guint32 city = 0; city < w->n_cities; city++)
      {
        Pool *pool = &net->pools[(gsize) c * w->n_cities + city];
        double need = pool_demand (w, subs, per_carrier, w->n_cities - n_region, c, city);

        pool->size = (guint32) MIN (ceil (need / w->sc->cgnat_users_per_ip), (double) CELL_SPACE);
        pool->size = MAX (pool->size, MIN_CELL_POOL);
        pool->bits = (guint8) ceil_log2 (pool->size);
        cursor = align_up (cursor, 1u << pool->bits);
        if (cursor + (1u << pool->bits) > CELL_SPACE)
          {
            g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                         "address plan: CGNAT pools do not fit 100.64.0.0/10 (carrier %u, city %u)",
                         c, city);
            return FALSE;
          }
        pool->base = CELL_BASE + (guint32) cursor;
        pool->egress = w->cities[city].in_region ? carrier_egress (w, c, n_region) : city;
        cursor += 1u << pool->bits;
      }
  return TRUE;
}

static gboolean
build_cellular (const MlWorld *w, MlNetwork *net, GError **error)
{
  g_autofree guint32 *subs = NULL;
  g_autofree guint32 *per_carrier = NULL;
  guint32 n_region = 0;

  for (guint32 city = 0; city < w->n_cities; city++)
    n_region += w->cities[city].in_region ? 1 : 0;
  if (n_region == 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "address plan: the region has no city");
      return FALSE;
    }
  net->n_carriers = (guint32) MAX (w->sc->carriers, 1);
  for (guint32 i = 0; i < w->n_people; i++)
    net->n_carriers = MAX (net->n_carriers, (guint32) w->people[i].carrier + 1);
  net->n_cities = w->n_cities;
  subs = g_new0 (guint32, (gsize) net->n_carriers * w->n_cities);
  per_carrier = g_new0 (guint32, net->n_carriers);
  for (guint32 i = 0; i < w->n_people; i++)
    {
      guint32 city = home_city (w, w->people[i].household);

      per_carrier[w->people[i].carrier]++;
      if (city < w->n_cities)
        subs[(gsize) w->people[i].carrier * w->n_cities + city]++;
    }
  net->pools = g_new0 (Pool, (gsize) net->n_carriers * w->n_cities);
  return layout_pools (w, net, subs, per_carrier, n_region, error);
}

/* Keys of the hot-path hashes and the session-length law. */
static void
init_keys (const MlScenario *sc, MlNetwork *net)
{
  guint64 k = ml_hash_combine (sc->seed, ML_STREAM_NETWORK);

  net->key_perm = ml_hash_combine (k, TAG_PERM);
  net->key_corp = ml_hash_combine (k, TAG_CORP_USE);
  net->key_spread = ml_hash_combine (k, TAG_CORP_SPREAD);
  net->key_guest = ml_hash_combine (k, TAG_GUEST);
  net->key_public = ml_hash_combine (k, TAG_PUBLIC);
  net->key_cell = ml_hash_combine (sc->seed, ML_STREAM_CELL);
  net->cell_min_s = sc->cell_session_min_minutes * 60.0;
  net->cell_log_ratio = log (MAX (sc->cell_session_max_minutes, sc->cell_session_min_minutes)
                             / sc->cell_session_min_minutes);
}

gboolean
ml_network_build (MlWorld *w, GError **error)
{
  MlNetwork *net;

  g_return_val_if_fail (w != NULL && w->sc != NULL && w->net == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  net = g_new0 (MlNetwork, 1);
  net->hh_block = g_new (guint32, MAX (w->n_households, 1));
  net->places = g_new0 (PlaceNet, MAX (w->n_places, 1));
  init_keys (w->sc, net);
  if (!build_broadband (w, net, error) || !build_corporate (w, net, error)
      || !build_cellular (w, net, error))
    {
      g_prefix_error (error, "network: ");
      ml_network_free (net);
      return FALSE;
    }
  w->net = net;
  return TRUE;
}

void
ml_network_free (MlNetwork *net)
{
  if (net == NULL)
    return;
  g_free (net->blocks);
  g_free (net->hh_block);
  g_free (net->places);
  g_free (net->pools);
  g_free (net);
}

/* ---- the address of a device ------------------------------------------------ */

/* The cellular address of PERSON at T through the pool of (its carrier,
 * CITY).  One hash of (ML_STREAM_CELL, person, day) gives the day's
 * session length L = min (max/min)^u (log-uniform in [cell_session_min,
 * cell_session_max]) from its top 26 bits and the phase from its low 26;
 * session s = floor ((second of day + phase) / L) picks a pool address by
 * a second hash. */
static inline guint32
cell_address (const MlNetwork *net, guint32 person, guint8 carrier, guint32 city, MlTime t)
{
  const Pool *pool = &net->pools[(gsize) carrier * net->n_cities + city];
  guint64 h = mix (net->key_cell ^ ((guint64) person << 32 | (guint32) ml_day_of (t)));
  double len = net->cell_min_s * exp ((double) (h >> 38) * 0x1.0p-26 * net->cell_log_ratio);
  double phase = (double) (h & 0x3FFFFFF) * 0x1.0p-26 * len;
  guint64 session = (guint64) ((ml_second_of_day (t) + phase) / len);
  guint64 x = mix (h + GOLDEN * (session + 1));

  return pool->base + (guint32) (((x >> 32) * pool->size) >> 32);
}

/* The city whose pool serves a device during STAY: the stay's city, or
 * the person's home city if the stay has none. */
static guint32
cell_city (const MlWorld *w, guint32 person, const MlStay *stay)
{
  guint32 city;

  if (stay->city < w->n_cities)
    return stay->city;
  city = home_city (w, w->people[person].household);
  return city < w->n_cities ? city : 0;
}

/* The Wi-Fi address PERSON uses at place PLACE during STAY, or 0 for none
 * (then the phone stays on cellular).  Writes the kind into *CONN. */
static guint32
wifi_address (const MlWorld *w, guint32 person, guint32 place, const MlStay *stay, MlTime t,
              MlConn *conn)
{
  const MlNetwork *net = w->net;
  const MlPlace *pl = &w->places[place];
  const PlaceNet *pn = &net->places[place];
  const MlPerson *pp = &w->people[person];

  if (pl->kind == ML_PLACE_HOME && pl->owner < w->n_households && net->hh_block[pl->owner] != ML_NONE)
    {
      guint32 b = net->hh_block[pl->owner];

      if (pl->owner != pp->household
          && unit (mix2 (net->key_guest, person, (guint64) stay->start)) >= GUEST_WIFI_SHARE)
        return 0;
      *conn = ML_CONN_BROADBAND;
      return slot_address (net, b, w->households[pl->owner].bb_slot, block_epoch (&net->blocks[b], t));
    }
  if (pn->corp != 0 && place == pp->work_place && unit (mix (net->key_corp ^ person)) < CORP_SHARE)
    {
      guint32 spread = (guint32) mix (net->key_spread ^ person) & ((1u << pn->corp_bits) - 1);

      *conn = ML_CONN_CORPORATE;
      return pn->corp + spread;
    }
  if (pn->block != ML_NONE)
    {
      /* Hotels: one decision per guest and hotel; venues: per visit. */
      guint64 when = pl->kind == ML_PLACE_HOTEL ? G_MAXUINT64 : (guint64) stay->start;

      if (unit (mix2 (net->key_public, ((guint64) person << 32) | place, when)) >= pp->wifi_use)
        return 0;
      *conn = ML_CONN_PUBLIC_WIFI;
      return slot_address (net, pn->block, pn->slot, block_epoch (&net->blocks[pn->block], t));
    }
  return 0;
}

guint32
ml_network_ip (const MlWorld *w, guint32 person, const MlStay *stay, MlTime t, MlConn *conn)
{
  MlConn kind = ML_CONN_CELLULAR;
  guint32 ip = 0;

  g_return_val_if_fail (w != NULL && w->net != NULL && stay != NULL && person < w->n_people, 0);

  if (stay->place < w->n_places)
    ip = wifi_address (w, person, stay->place, stay, t, &kind);
  if (ip == 0)
    {
      kind = ML_CONN_CELLULAR;
      ip = cell_address (w->net, person, w->people[person].carrier, cell_city (w, person, stay), t);
    }
  if (conn != NULL)
    *conn = kind;
  return ip;
}

const char *
ml_conn_name (MlConn conn)
{
  static const char *const names[ML_N_CONN] = {
    [ML_CONN_BROADBAND] = "broadband",
    [ML_CONN_CORPORATE] = "corporate",
    [ML_CONN_PUBLIC_WIFI] = "public_wifi",
    [ML_CONN_CELLULAR] = "cellular",
  };

  g_return_val_if_fail ((guint) conn < ML_N_CONN, "unknown");
  return names[conn];
}

/* ---- GeoIP ---------------------------------------------------------------- */

/* (LAT, LON) moved by a lognormal distance of median MEDIAN_KM (sigma
 * FIXED_ERROR_SIGMA) in a uniform direction, drawn from RNG; writes the
 * distance to *ERR_KM. */
static void
displace (MlRng *rng, double median_km, double *lat, double *lon, double *err_km)
{
  double bearing = ml_rng_uniform (rng) * 360.0;

  *err_km = median_km > 0 ? ml_rng_lognormal (rng, log (median_km), FIXED_ERROR_SIGMA) : 0.0;
  ml_geo_destination (*lat, *lon, bearing, *err_km, lat, lon);
}

/* The published accuracy radius for an error of ERR_KM: twice the error
 * rounded up, at least MIN_ACCURACY_KM. */
static guint16
accuracy_for (double err_km)
{
  return (guint16) MIN (65535.0, MAX (MIN_ACCURACY_KM, ceil (2.0 * err_km)));
}

static gboolean
insert_blocks (const MlWorld *w, MlMmdbWriter *mw, GError **error)
{
  const MlNetwork *net = w->net;

  for (guint32 b = 0; b < net->n_blocks; b++)
    {
      const Block *blk = &net->blocks[b];
      const MlDistrict *d = &w->districts[blk->district];
      g_autofree char *isp = g_strdup_printf ("Synthetic ISP %u", (guint) blk->isp);
      MlGeoRecord rec = { .city = w->cities[d->city].name, .country_iso = COUNTRY_ISO,
                          .country_name = COUNTRY_NAME, .latitude = d->lat, .longitude = d->lon,
                          .connection_type = "Cable/DSL", .isp = isp };
      double err;
      MlRng rng;

      ml_rng_init (&rng, w->sc->seed, ML_STREAM_NETWORK, (guint64) TAG_GEO_BLOCK << 32 | blk->district,
                   blk->isp);
      displace (&rng, w->sc->geoip_fixed_error_km, &rec.latitude, &rec.longitude, &err);
      rec.accuracy_radius = accuracy_for (err);
      if (!ml_mmdb_writer_insert (mw, blk->base, 32 - blk->bits, &rec, error))
        return FALSE;
    }
  return TRUE;
}

/* The city a place lies in, for GeoIP names. */
static const char *
place_city_name (const MlWorld *w, guint32 p)
{
  guint32 d = w->places[p].district;

  return d < w->n_districts ? w->cities[w->districts[d].city].name : NULL;
}

static gboolean
insert_corporate (const MlWorld *w, MlMmdbWriter *mw, GError **error)
{
  for (guint32 p = 0; p < w->n_places; p++)
    {
      const PlaceNet *pn = &w->net->places[p];
      MlGeoRecord rec = { .city = place_city_name (w, p), .country_iso = COUNTRY_ISO,
                          .country_name = COUNTRY_NAME, .latitude = w->places[p].lat,
                          .longitude = w->places[p].lon, .connection_type = "Corporate",
                          .isp = "Synthetic Business ISP" };
      double err;
      MlRng rng;

      if (pn->corp == 0)
        continue;
      ml_rng_init (&rng, w->sc->seed, ML_STREAM_NETWORK, (guint64) TAG_GEO_CORP << 32, p);
      displace (&rng, CORP_ERROR_FACTOR * w->sc->geoip_fixed_error_km, &rec.latitude, &rec.longitude, &err);
      rec.accuracy_radius = accuracy_for (err);
      if (!ml_mmdb_writer_insert (mw, pn->corp, 32 - pn->corp_bits, &rec, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_pools (const MlWorld *w, MlMmdbWriter *mw, GError **error)
{
  const MlNetwork *net = w->net;
  double radius = MIN (65535.0, round (w->sc->geoip_cellular_radius_km));

  for (guint32 c = 0; c < net->n_carriers; c++)
    for (guint32 city = 0; city < net->n_cities; city++)
      {
        const Pool *pool = &net->pools[(gsize) c * net->n_cities + city];
        const MlCity *eg = &w->cities[pool->egress];
        g_autofree char *isp = g_strdup_printf ("Synthetic Carrier %u", c);
        MlGeoRecord rec = { .city = eg->name, .country_iso = COUNTRY_ISO,
                            .country_name = COUNTRY_NAME, .latitude = eg->lat, .longitude = eg->lon,
                            .accuracy_radius = (guint16) radius, .connection_type = "Cellular",
                            .isp = isp };

        if (!ml_mmdb_writer_insert (mw, pool->base, 32 - pool->bits, &rec, error))
          return FALSE;
      }
  return TRUE;
}

gboolean
ml_network_write_geoip (const MlWorld *w, const char *path, guint64 build_epoch, GError **error)
{
  g_autoptr(MlMmdbWriter) mw = NULL;

  g_return_val_if_fail (w != NULL && w->net != NULL && path != NULL && build_epoch != 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mw = ml_mmdb_writer_new ("metaleak-City",
                           "metaleak synthetic address plan (RFC 1918 and RFC 6598 space)",
                           build_epoch);
  if (!insert_blocks (w, mw, error) || !insert_corporate (w, mw, error)
      || !insert_pools (w, mw, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return ml_mmdb_writer_write (mw, path, error);
}

/* ---- truth ------------------------------------------------------------------ */

static gboolean
insert_lease (MlStmt *s, guint32 ip, const char *kind, guint32 holder, MlTime start, MlTime end,
              GError **error)
{
  char text[16];

  return ml_stmt_bind_int64 (s, 1, ip, error)
         && ml_stmt_bind_text (s, 2, ml_ipv4_to_string (ip, text), -1, error)
         && ml_stmt_bind_text (s, 3, kind, -1, error)
         && ml_stmt_bind_int64 (s, 4, holder, error)
         && ml_stmt_bind_int64 (s, 5, start, error)
         && ml_stmt_bind_int64 (s, 6, end, error)
         && ml_stmt_run (s, error);
}

/* One row per lease epoch of SLOT of block B overlapping SPAN, clipped to it. */
static gboolean
insert_slot_leases (const MlNetwork *net, MlStmt *s, const char *kind, guint32 holder, guint32 b,
                    guint32 slot, const MlWindow *span, GError **error)
{
  const Block *blk = &net->blocks[b];
  gint64 last = block_epoch (blk, span->end - 1);

  for (gint64 e = block_epoch (blk, span->start); e <= last; e++)
    {
      MlTime start = MAX (span->start, blk->phase + e * blk->period);
      MlTime end = MIN (span->end, blk->phase + (e + 1) * blk->period);

      if (!insert_lease (s, slot_address (net, b, slot, e), kind, holder, start, end, error))
        return FALSE;
    }
  return TRUE;
}

/* Leases of households, hotspots and corporate places over SPAN (non-empty). */
static gboolean
insert_leases (const MlWorld *w, MlStmt *s, const MlWindow *span, GError **error)
{
  const MlNetwork *net = w->net;

  for (guint32 h = 0; h < w->n_households; h++)
    if (net->hh_block[h] != ML_NONE
        && !insert_slot_leases (net, s, "household", h, net->hh_block[h], w->households[h].bb_slot,
                                span, error))
      return FALSE;
  for (guint32 p = 0; p < w->n_places; p++)
    {
      const PlaceNet *pn = &net->places[p];

      if (pn->block != ML_NONE
          && !insert_slot_leases (net, s, "venue", p, pn->block, pn->slot, span, error))
        return FALSE;
      for (guint32 i = 0; pn->corp != 0 && i < (1u << pn->corp_bits); i++)
        if (!insert_lease (s, pn->corp + i, "workplace", p, span->start, span->end, error))
          return FALSE;
    }
  return TRUE;
}

static gboolean
insert_pool_rows (const MlWorld *w, MlStmt *s, GError **error)
{
  const MlNetwork *net = w->net;

  for (guint32 c = 0; c < net->n_carriers; c++)
    for (guint32 city = 0; city < net->n_cities; city++)
      {
        const Pool *pool = &net->pools[(gsize) c * net->n_cities + city];

        if (!ml_stmt_bind_int64 (s, 1, c, error) || !ml_stmt_bind_int64 (s, 2, city, error)
            || !ml_stmt_bind_int64 (s, 3, pool->base, error)
            || !ml_stmt_bind_int64 (s, 4, pool->size, error)
            || !ml_stmt_bind_int64 (s, 5, pool->egress, error) || !ml_stmt_run (s, error))
          return FALSE;
      }
  return TRUE;
}

static gboolean
insert_truth_rows (const MlWorld *w, MlDb *truth, const MlWindow *span, GError **error)
{
  g_autoptr(MlStmt) leases = NULL;
  g_autoptr(MlStmt) pools = NULL;

  leases = ml_db_prepare (truth, "INSERT INTO ip_leases (ip, ip_text, holder_kind, holder, start, end)"
                          " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (leases == NULL)
    return FALSE;
  pools = ml_db_prepare (truth, "INSERT INTO cell_pools (carrier, city, first_ip, n_ips, egress_city)"
                         " VALUES (?, ?, ?, ?, ?)", error);
  if (pools == NULL)
    return FALSE;
  if (!ml_window_is_empty (span) && !insert_leases (w, leases, span, error))
    return FALSE;
  return insert_pool_rows (w, pools, error);
}

gboolean
ml_network_write_truth (const MlWorld *w, MlDb *truth, const MlWindow *span, GError **error)
{
  gboolean own = FALSE;

  g_return_val_if_fail (w != NULL && w->net != NULL && truth != NULL && span != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ml_db_in_transaction (truth))
    {
      if (!ml_db_begin (truth, error))
        return FALSE;
      own = TRUE;
    }
  if (!insert_truth_rows (w, truth, span, error))
    {
      if (own)
        ml_db_rollback (truth, NULL);
      return FALSE;
    }
  return !own || ml_db_commit (truth, error);
}
