/* scenario.c -- the scenario spec table, its defaults and their sources.
 *
 * Role: the first step of `metaleak sim`.  The spec table below declares
 * every group and key a scenario file (datasets/scenarios/NAME.ini) may
 * hold, with its type, default, range and a one-line help; common/config.c
 * checks a file against it with FILE:LINE errors.  This file then applies
 * the command-line overrides ("group.key=value"), checks what ranges cannot
 * (share vectors summing to 1, min <= max pairs, list lengths, cast sources
 * fewer than people) and resolves everything into the typed MlScenario that
 * every model reads.  Every default is cited beside its entry, or named as
 * an assumption; docs/model/scenario.md carries the same table.
 *
 * Invariants: a returned MlScenario passed every check here; its share
 * vectors sum to 1 within 1e-6; it is read-only afterwards and may be shared
 * by all worker threads.  Every scalar key of a fixed group is bound to one
 * field by the binding tables (a unit test overrides each key in turn and
 * checks that the scenario changes).
 *
 * Workload: one load per run (a few hundred getter calls); nothing here is
 * on a hot path.
 */

#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "sim/scenario.h"

#define SHARE_SUM_TOLERANCE 1e-6
#define CAST_PREFIX "cast "

/* ---- categories ---- */

static const char *const category_names[ML_N_CATEGORIES] = {
  [ML_CAT_HEALTH] = "health",
  [ML_CAT_MENTAL_HEALTH] = "mental_health",
  [ML_CAT_REPRODUCTIVE_HEALTH] = "reproductive_health",
  [ML_CAT_PHARMACY] = "pharmacy",
  [ML_CAT_FINANCIAL] = "financial",
  [ML_CAT_LEGAL] = "legal",
  [ML_CAT_RELIGIOUS] = "religious",
  [ML_CAT_POLITICAL] = "political",
  [ML_CAT_FIREARMS] = "firearms",
  [ML_CAT_ADULT] = "adult",
  [ML_CAT_MARIJUANA] = "marijuana",
  [ML_CAT_HOTLINE] = "hotline",
  [ML_CAT_TIPLINE] = "tipline",
  [ML_CAT_BUSINESS] = "business",
};

const char *
ml_category_name (MlCategory c)
{
  g_return_val_if_fail ((guint) c < ML_N_CATEGORIES, NULL);
  return category_names[c];
}

gboolean
ml_category_is_sensitive (MlCategory c)
{
  g_return_val_if_fail ((guint) c < ML_N_CATEGORIES, FALSE);
  return c != ML_CAT_BUSINESS;
}

/* ---- the spec table ---- */

#define D ML_CONFIG_DOUBLE
#define I ML_CONFIG_INT

/* A [services] pair: the share of people who contact category CAT over the
 * run and the number of its service handles per 10,000 people. */
#define SERVICE(cat, share, per_10k)                                                   \
  { "services", cat "_share", D, share, 0, 1, NULL, FALSE,                            \
    "share of people contacting " cat " services over the run" },                     \
  { "services", cat "_per_10k", D, per_10k, 0, 10000, NULL, FALSE,                    \
    cat " service handles per 10,000 people" }

/* A [cast NAME] key: extra probability that the person contacts CAT. */
#define CAST_EXTRA(cat)                                                                \
  { "cast *", cat, D, "0", 0, 1, NULL, FALSE,                                         \
    "extra probability of contacting " cat " services" }

static const MlConfigSpec spec[] = {
  /* [run] */
  { "run", "seed", I, "1", 0, INFINITY, NULL, FALSE, "master seed of every random stream" },
  { "run", "people", I, "5000", 10, 10000000, NULL, FALSE, "population size (phone users)" },
  { "run", "days", I, "120", 1, 3650, NULL, FALSE, "simulated days" },
  /* 2026-01-05 is a Monday, so weeks start on the first day. */
  { "run", "start", ML_CONFIG_DATE, "2026-01-05", 0, 0, NULL, FALSE, "first simulated day (UTC)" },
  { "run", "threads", I, "0", 0, 1024, NULL, FALSE, "worker threads; 0 = number of cores" },
  { "run", "messages", ML_CONFIG_ENUM, "daily", 0, 0, "daily|full", FALSE,
    "store daily pair counts or every message" },
  { "run", "stays", ML_CONFIG_ENUM, "all", 0, 0, "all|away", FALSE,
    "store every stay or only away-from-home/work stays" },

  /* [geography]: region size and city count are assumptions; the city-size
   * law is Zipf's (Gabaix, QJE 1999: exponent ~1); the density gradient is
   * Clark's (1951) exponential, its scale an assumption. */
  { "geography", "cities", I, "4", 1, 64, NULL, FALSE, "cities in the region" },
  { "geography", "distant_cities", I, "6", 0, 64, NULL, FALSE, "far-away cities, trip destinations" },
  { "geography", "center_lat", D, "40.0", -80, 80, NULL, FALSE, "latitude of the region's centre" },
  { "geography", "center_lon", D, "-89.0", -180, 180, NULL, FALSE, "longitude of the region's centre" },
  { "geography", "region_km", D, "120", 1, 2000, NULL, FALSE, "side of the square region, km" },
  { "geography", "district_km", D, "2", 0.1, 50, NULL, FALSE, "side of a district cell, km" },
  { "geography", "city_zipf", D, "1.0", 0.1, 3, NULL, FALSE, "city-size Zipf exponent" },
  { "geography", "density_decay_km", D, "3.0", 0.1, 100, NULL, FALSE,
    "exponential density decay length per 10^5 people, km" },

  /* [households]: sizes 1..7+ from the US Census Bureau 2020 CPS/ACS
   * household size distribution (approximate); broadband from Pew Research
   * Center 2021 (77% of US adults have home broadband). */
  { "households", "size_shares", ML_CONFIG_STRING_LIST, "0.28,0.34,0.15,0.13,0.06,0.025,0.015",
    0, 0, NULL, FALSE, "shares of household sizes 1..7+ (7 numbers summing to 1)" },
  { "households", "broadband_share", D, "0.77", 0, 1, NULL, FALSE, "households with home broadband" },

  /* [people]: worker share is the BLS employment-population ratio (~0.60);
   * iMessage share approximates the US iPhone share (~55%, Counterpoint
   * Research 2023); activity median after Pew 2011 "Americans and text
   * messaging" (median adult texter: 10 a day), heavy-tailed.  Student
   * share, devices, carriers and e-mail handles are assumptions. */
  { "people", "worker_share", D, "0.60", 0, 1, NULL, FALSE, "people who go to a workplace" },
  { "people", "student_share", D, "0.15", 0, 1, NULL, FALSE, "people who go to a school" },
  { "people", "imessage_share", D, "0.55", 0, 1, NULL, FALSE, "handles registered with iMessage" },
  { "people", "extra_devices_mean", D, "0.8", 0, 10, NULL, FALSE,
    "Poisson mean of iPads/Macs per iMessage user" },
  { "people", "carriers", I, "3", 1, ML_MAX_CARRIERS, NULL, FALSE, "mobile carriers" },
  { "people", "carrier_shares", ML_CONFIG_STRING_LIST, "0.40,0.35,0.25", 0, 0, NULL, FALSE,
    "market share of each carrier (one per carrier, summing to 1)" },
  { "people", "activity_median", D, "4", 0.01, 1000, NULL, FALSE,
    "messages the median person starts per day (replies come on top)" },
  { "people", "activity_sigma", D, "1.0", 0, 5, NULL, FALSE, "lognormal sigma of activity" },
  { "people", "email_handle_share", D, "0.05", 0, 1, NULL, FALSE, "handles that are e-mail addresses" },

  /* [workplaces]: Zipf firm sizes (Axtell, Science 2001: alpha 1.06); the
   * cap, school size and corporate Wi-Fi share are assumptions. */
  { "workplaces", "firm_size_alpha", D, "1.06", 0.5, 3, NULL, FALSE,
    "firm-size tail exponent, P(size >= s) ~ s^-alpha" },
  { "workplaces", "firm_size_max", I, "5000", 1, 1000000, NULL, FALSE, "largest firm" },
  { "workplaces", "school_size", I, "600", 10, 10000, NULL, FALSE, "pupils per school" },
  { "workplaces", "workplace_wifi_share", D, "0.6", 0, 1, NULL, FALSE,
    "workplaces whose staff phones use corporate Wi-Fi" },

  /* [social]: assumptions tuned so that clustering falls in 0.1-0.35 and
   * degree is skewed but not scale-free (Onnela et al., PNAS 2007). */
  { "social", "friend_groups", D, "2.0", 0, 20, NULL, FALSE, "friend groups per person (mean)" },
  { "social", "friend_group_size", D, "6", 2, 50, NULL, FALSE, "friend group size (mean)" },
  { "social", "coworker_ties", D, "4", 0, 50, NULL, FALSE, "ties to co-workers per worker (mean)" },
  { "social", "family_links", D, "1.5", 0, 20, NULL, FALSE, "other households of the family (mean)" },
  { "social", "triadic_closure", D, "0.05", 0, 1, NULL, FALSE,
    "probability of closing an open triangle" },
  { "social", "weak_ties", D, "1.5", 0, 50, NULL, FALSE, "random long-range ties per person (mean)" },
  { "social", "weight_sigma", D, "1.2", 0, 5, NULL, FALSE, "lognormal sigma of tie weights" },
  { "social", "asymmetry", D, "0.2", 0, 1, NULL, FALSE, "share of ties used mostly one way" },

  /* [mobility]: EPR and waits from Song, Koren, Wang & Barabasi, Nat. Phys.
   * 2010 (rho 0.6, gamma 0.21, beta 0.8, tau 17 h); jump sizes from
   * Gonzalez, Hidalgo & Barabasi, Nature 2008 (r0 1.5 km, beta 1.75); the
   * mean trip rate from the American Travel Survey 1995 (3.9 trips of 100+
   * miles per person-year), its spread between people fitted to travel
   * surveys (docs/model/mobility.md); venues, Wi-Fi and trip length are
   * assumptions. */
  { "mobility", "epr_rho", D, "0.6", 0.01, 1, NULL, FALSE, "EPR exploration constant rho" },
  { "mobility", "epr_gamma", D, "0.21", 0, 2, NULL, FALSE, "EPR exploration exponent gamma" },
  { "mobility", "wait_beta", D, "0.8", 0.1, 3, NULL, FALSE, "waiting-time exponent beta" },
  { "mobility", "wait_tau_h", D, "17", 1, 1000, NULL, FALSE, "waiting-time cutoff tau, hours" },
  { "mobility", "jump_r0_km", D, "1.5", 0.01, 100, NULL, FALSE, "jump-size offset r0, km" },
  { "mobility", "jump_beta", D, "1.75", 0.1, 5, NULL, FALSE, "jump-size exponent beta" },
  { "mobility", "venues_per_1000", D, "20", 0, 1000, NULL, FALSE, "venues per 1,000 residents" },
  { "mobility", "venue_wifi_share", D, "0.3", 0, 1, NULL, FALSE, "venues offering Wi-Fi" },
  { "mobility", "wifi_use", D, "0.4", 0, 1, NULL, FALSE, "mean propensity to join venue Wi-Fi" },
  { "mobility", "trips_per_year", D, "4", 0, 365, NULL, FALSE,
    "trips to distant cities per person-year" },
  { "mobility", "trip_rate_shape", D, "0.5", 0, 100, NULL, FALSE,
    "gamma shape of per-person trip rates (0: everyone at the mean)" },
  { "mobility", "trip_days_mean", D, "3", 1, 60, NULL, FALSE, "mean trip length, days" },

  /* [network]: lease rotation is an assumption; CGNAT sharing (10^2-10^3
   * users per address) and cellular session churn (minutes to hours) follow
   * DESIGN.md; GeoIP errors are published medians (3-16 km fixed lines,
   * ~180-200 km mobile). */
  { "network", "rotation_days_min", D, "14", 0.1, 3650, NULL, FALSE,
    "shortest broadband address lease, days" },
  { "network", "rotation_days_max", D, "60", 0.1, 3650, NULL, FALSE,
    "longest broadband address lease, days" },
  { "network", "cgnat_users_per_ip", D, "300", 1, 100000, NULL, FALSE,
    "subscribers behind one CGNAT address" },
  { "network", "cell_session_min_minutes", D, "10", 1, 10080, NULL, FALSE,
    "shortest cellular address session, minutes" },
  { "network", "cell_session_max_minutes", D, "360", 1, 10080, NULL, FALSE,
    "longest cellular address session, minutes" },
  { "network", "geoip_fixed_error_km", D, "8", 0, 1000, NULL, FALSE,
    "median geolocation error of fixed lines, km" },
  { "network", "geoip_cellular_radius_km", D, "200", 0, 5000, NULL, FALSE,
    "accuracy radius published for CGNAT ranges, km" },

  /* [messaging]: assumptions; target burstiness B = 0.4-0.7 (DESIGN.md). */
  { "messaging", "reply_probability", D, "0.5", 0, 1, NULL, FALSE, "probability of replying" },
  { "messaging", "reply_delay_minutes", D, "5", 0.1, 10080, NULL, FALSE, "mean reply delay, minutes" },
  { "messaging", "burst_factor", D, "1000", 1, 1000, NULL, FALSE, "rate multiplier in the bursty state" },
  { "messaging", "burst_on_minutes", D, "20", 1, 10080, NULL, FALSE,
    "mean duration of the bursty state, minutes" },
  { "messaging", "burst_off_minutes", D, "1200", 1, 100000, NULL, FALSE,
    "mean duration of the quiet state, minutes" },
  { "messaging", "night_activity", D, "0.05", 0, 1, NULL, FALSE,
    "rhythm floor at night relative to the peak" },

  /* [lookups]: assumptions. */
  { "lookups", "cache_ttl_hours", D, "24", 0, 8760, NULL, FALSE,
    "how long a capability answer is cached, hours" },
  { "lookups", "typed_per_week", D, "1.0", 0, 1000, NULL, FALSE, "numbers typed and never messaged" },
  { "lookups", "setup_per_year", D, "0.3", 0, 100, NULL, FALSE,
    "device set-ups/restores per person-year" },
  { "lookups", "address_book_extra", I, "60", 0, 100000, NULL, FALSE,
    "address-book entries beyond social ties (mean)" },

  /* [services]: shares from MetaPhone (Mayer, Mutchler & Mitchell, PNAS
   * 2016): health 0.57, financial 0.40, pharmacy 0.30, legal 0.10,
   * religious 0.08, firearms 0.07, political 0.04, adult 0.02, marijuana
   * 0.004.  Assumptions: mental_health, reproductive_health, hotline,
   * tipline, business shares; every per-10k density; business chat share. */
  SERVICE ("health", "0.57", "20"),
  SERVICE ("mental_health", "0.06", "4"),
  SERVICE ("reproductive_health", "0.04", "2"),
  SERVICE ("pharmacy", "0.30", "6"),
  SERVICE ("financial", "0.40", "10"),
  SERVICE ("legal", "0.10", "6"),
  SERVICE ("religious", "0.08", "8"),
  SERVICE ("political", "0.04", "2"),
  SERVICE ("firearms", "0.07", "1"),
  SERVICE ("adult", "0.02", "1"),
  SERVICE ("marijuana", "0.004", "1"),
  SERVICE ("hotline", "0.02", "0.5"),
  SERVICE ("tipline", "0.005", "0.5"),
  SERVICE ("business", "0.9", "150"),
  { "services", "imessage_share", D, "0.1", 0, 1, NULL, FALSE,
    "services reachable on iMessage (business chat)" },

  /* [cast NAME]: named people of the scenario; defaults are assumptions. */
  { "cast *", "role", ML_CONFIG_ENUM, "person", 0, 0, "journalist|activist|person", FALSE,
    "what the named person is" },
  { "cast *", "sources", I, "0", 0, 10000, NULL, FALSE, "confidential sources who contact them" },
  { "cast *", "source_contacts_per_week", I, "2", 0, 1000, NULL, FALSE,
    "how often each source gets in touch, per week" },
  { "cast *", "tipline", ML_CONFIG_BOOL, "false", 0, 0, NULL, FALSE, "runs a tip line" },
  CAST_EXTRA ("health"),
  CAST_EXTRA ("mental_health"),
  CAST_EXTRA ("reproductive_health"),
  CAST_EXTRA ("pharmacy"),
  CAST_EXTRA ("financial"),
  CAST_EXTRA ("legal"),
  CAST_EXTRA ("religious"),
  CAST_EXTRA ("political"),
  CAST_EXTRA ("firearms"),
  CAST_EXTRA ("adult"),
  CAST_EXTRA ("marijuana"),
  CAST_EXTRA ("hotline"),
  /* "tipline" is taken by the flag above, so the extra for contacting tip
   * lines has a key of its own. */
  { "cast *", "tipline_contact", D, "0", 0, 1, NULL, FALSE,
    "extra probability of contacting tipline services" },
  CAST_EXTRA ("business"),
};

#undef D
#undef I

const MlConfigSpec *
ml_scenario_spec (gsize *n)
{
  g_return_val_if_fail (n != NULL, NULL);
  *n = G_N_ELEMENTS (spec);
  return spec;
}

/* ---- binding of scalar keys to fields ---- */

typedef struct {
  const char *group;
  const char *key;
  gsize offset;      /* of a double (double_fields) or int (int_fields) */
} Binding;

#define BIND(g, k) { g, #k, G_STRUCT_OFFSET (MlScenario, k) }

static const Binding int_fields[] = {
  BIND ("run", days), BIND ("run", threads),
  BIND ("geography", cities), BIND ("geography", distant_cities),
  BIND ("people", carriers),
  BIND ("workplaces", firm_size_max), BIND ("workplaces", school_size),
  BIND ("lookups", address_book_extra),
};

static const Binding double_fields[] = {
  BIND ("geography", center_lat), BIND ("geography", center_lon),
  BIND ("geography", region_km), BIND ("geography", district_km),
  BIND ("geography", city_zipf), BIND ("geography", density_decay_km),
  BIND ("households", broadband_share),
  BIND ("people", worker_share), BIND ("people", student_share),
  BIND ("people", imessage_share), BIND ("people", extra_devices_mean),
  BIND ("people", activity_median), BIND ("people", activity_sigma),
  BIND ("people", email_handle_share),
  BIND ("workplaces", firm_size_alpha), BIND ("workplaces", workplace_wifi_share),
  BIND ("social", friend_groups), BIND ("social", friend_group_size),
  BIND ("social", coworker_ties), BIND ("social", family_links),
  BIND ("social", triadic_closure), BIND ("social", weak_ties),
  BIND ("social", weight_sigma), BIND ("social", asymmetry),
  BIND ("mobility", epr_rho), BIND ("mobility", epr_gamma),
  BIND ("mobility", wait_beta), BIND ("mobility", wait_tau_h),
  BIND ("mobility", jump_r0_km), BIND ("mobility", jump_beta),
  BIND ("mobility", venues_per_1000), BIND ("mobility", venue_wifi_share),
  BIND ("mobility", wifi_use), BIND ("mobility", trips_per_year),
  BIND ("mobility", trip_rate_shape), BIND ("mobility", trip_days_mean),
  BIND ("network", rotation_days_min), BIND ("network", rotation_days_max),
  BIND ("network", cgnat_users_per_ip),
  BIND ("network", cell_session_min_minutes), BIND ("network", cell_session_max_minutes),
  BIND ("network", geoip_fixed_error_km), BIND ("network", geoip_cellular_radius_km),
  BIND ("messaging", reply_probability), BIND ("messaging", reply_delay_minutes),
  BIND ("messaging", burst_factor), BIND ("messaging", burst_on_minutes),
  BIND ("messaging", burst_off_minutes), BIND ("messaging", night_activity),
  BIND ("lookups", cache_ttl_hours), BIND ("lookups", typed_per_week),
  BIND ("lookups", setup_per_year),
};

#undef BIND

/* ---- share lists ---- */

/* Read the STRING_LIST GROUP/KEY of CFG as numbers in [0, 1] summing to 1
 * within SHARE_SUM_TOLERANCE; exactly WANT of them (at most OUT's
 * capacity).  WHAT names the count in the error ("carriers = 3"). */
static gboolean
read_shares (const MlConfig *cfg, const char *group, const char *key, double *out,
             guint want, const char *what, GError **error)
{
  g_auto(GStrv) items = ml_config_strv (cfg, group, key);
  guint n = g_strv_length (items);
  double sum = 0.0;

  if (n != want)
    {
      g_propagate_error (error, ml_config_error (cfg, group, key, "has %u values, but %s",
                                                 n, what));
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      char *end = NULL;
      double v = g_ascii_strtod (items[i], &end);
      if (end == items[i] || *end != '\0' || !isfinite (v) || v < 0 || v > 1)
        {
          g_propagate_error (error, ml_config_error (cfg, group, key,
                                                     "'%s' is not a share in [0, 1]", items[i]));
          return FALSE;
        }
      out[i] = v;
      sum += v;
    }
  if (fabs (sum - 1.0) > SHARE_SUM_TOLERANCE)
    {
      g_propagate_error (error, ml_config_error (cfg, group, key,
                                                 "shares sum to %.9g, not 1 (within 1e-6)", sum));
      return FALSE;
    }
  return TRUE;
}

/* ---- resolution ---- */

/* Copy the run keys and every bound scalar key of SC's config into SC. */
static void
resolve_scalars (MlScenario *sc)
{
  const MlConfig *cfg = sc->config;

  sc->seed = (guint64) ml_config_int (cfg, "run", "seed");
  sc->people = (guint32) ml_config_int (cfg, "run", "people");
  sc->start = ml_config_date (cfg, "run", "start");
  sc->messages_full = ml_config_enum (cfg, "run", "messages") == 1;
  sc->stays_all = ml_config_enum (cfg, "run", "stays") == 0;
  for (gsize i = 0; i < G_N_ELEMENTS (int_fields); i++)
    {
      const Binding *b = &int_fields[i];
      G_STRUCT_MEMBER (int, sc, b->offset) = (int) ml_config_int (cfg, b->group, b->key);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (double_fields); i++)
    {
      const Binding *b = &double_fields[i];
      G_STRUCT_MEMBER (double, sc, b->offset) = ml_config_double (cfg, b->group, b->key);
    }
}

/* Copy [services] into SC's per-category arrays. */
static void
resolve_services (MlScenario *sc)
{
  for (int c = 0; c < ML_N_CATEGORIES; c++)
    {
      g_autofree char *share = g_strconcat (category_names[c], "_share", NULL);
      g_autofree char *per_10k = g_strconcat (category_names[c], "_per_10k", NULL);
      sc->service_share[c] = ml_config_double (sc->config, "services", share);
      sc->services_per_10k[c] = ml_config_double (sc->config, "services", per_10k);
    }
  sc->service_imessage_share = ml_config_double (sc->config, "services", "imessage_share");
}

/* Read and check the household-size and carrier share lists into SC. */
static gboolean
resolve_lists (MlScenario *sc, GError **error)
{
  g_autofree char *carriers = g_strdup_printf ("carriers = %d", sc->carriers);
  const char *key = "carrier_shares";

  if (!read_shares (sc->config, "households", "size_shares", sc->household_size_shares,
                    ML_MAX_HOUSEHOLD_SIZE, "there are 7 household sizes (1..7+)", error))
    return FALSE;
  /* Blame carriers when only it was set: the default list no longer fits. */
  if (!ml_config_has (sc->config, "people", key) && ml_config_has (sc->config, "people", "carriers"))
    {
      g_auto(GStrv) items = ml_config_strv (sc->config, "people", key);
      guint n = g_strv_length (items);
      if (n != (guint) sc->carriers)
        {
          g_propagate_error (error, ml_config_error (sc->config, "people", "carriers",
                                                     "is %d, but carrier_shares has %u values",
                                                     sc->carriers, n));
          return FALSE;
        }
    }
  return read_shares (sc->config, "people", key, sc->carrier_shares, (guint) sc->carriers,
                      carriers, error);
}

/* Whether a cast name is plain: letters, digits, '_', '-' and '.'. */
static gboolean
cast_name_is_valid (const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return *name != '\0';
}

/* The [cast NAME] key of the extra probability of contacting category C:
 * the category's name, but "tipline_contact" for ML_CAT_TIPLINE, whose name
 * is the key of the tip-line flag. */
static const char *
cast_extra_key (int c)
{
  return c == ML_CAT_TIPLINE ? "tipline_contact" : category_names[c];
}

/* Fill CAST from the group GROUP ("cast NAME") of SC's config. */
static gboolean
resolve_cast_one (const MlScenario *sc, const char *group, MlCastSpec *cast, GError **error)
{
  const MlConfig *cfg = sc->config;
  const char *name = group + strlen (CAST_PREFIX);

  if (!cast_name_is_valid (name))
    {
      g_propagate_error (error, ml_config_error (cfg, group, NULL,
                                                 "cast name '%s' may hold only letters, digits, "
                                                 "'_', '-' and '.'", name));
      return FALSE;
    }
  cast->name = g_strdup (name);
  cast->role = g_strdup (ml_config_string (cfg, group, "role"));
  cast->sources = (int) ml_config_int (cfg, group, "sources");
  cast->source_contacts_per_week = (int) ml_config_int (cfg, group, "source_contacts_per_week");
  cast->tipline = ml_config_bool (cfg, group, "tipline");
  for (int c = 0; c < ML_N_CATEGORIES; c++)
    cast->services[c] = ml_config_double (cfg, group, cast_extra_key (c));
  if ((guint32) cast->sources >= sc->people)
    {
      g_propagate_error (error, ml_config_error (cfg, group, "sources",
                                                 "%d sources must be fewer than people = %u",
                                                 cast->sources, sc->people));
      return FALSE;
    }
  return TRUE;
}

/* Fill SC's cast from every [cast NAME] group, in file order. */
static gboolean
resolve_cast (MlScenario *sc, GError **error)
{
  g_auto(GStrv) groups = ml_config_groups (sc->config, CAST_PREFIX);

  sc->cast = g_new0 (MlCastSpec, g_strv_length (groups) + 1);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (!resolve_cast_one (sc, groups[i], &sc->cast[i], error))
        {
          sc->n_cast = (int) i + 1; /* so that ml_scenario_free() frees the partial entry */
          return FALSE;
        }
      sc->n_cast = (int) i + 1;
    }
  return TRUE;
}

/* ---- cross-key checks ---- */

/* Fail with the place of the key of the pair that was set (MAX_KEY if both
 * or neither) unless GROUP/MIN_KEY <= GROUP/MAX_KEY. */
static gboolean
check_min_max (const MlConfig *cfg, const char *group, const char *min_key, const char *max_key,
               GError **error)
{
  double lo = ml_config_double (cfg, group, min_key);
  double hi = ml_config_double (cfg, group, max_key);
  gboolean blame_min = ml_config_has (cfg, group, min_key) && !ml_config_has (cfg, group, max_key);

  if (lo <= hi)
    return TRUE;
  if (blame_min)
    g_propagate_error (error, ml_config_error (cfg, group, min_key, "%g exceeds %s = %g",
                                               lo, max_key, hi));
  else
    g_propagate_error (error, ml_config_error (cfg, group, max_key, "%g is below %s = %g",
                                               hi, min_key, lo));
  return FALSE;
}

/* Check the keys that constrain each other: worker + student shares and
 * the min/max pairs. */
static gboolean
check_pairs (const MlScenario *sc, GError **error)
{
  const MlConfig *cfg = sc->config;

  if (sc->worker_share + sc->student_share > 1.0 + SHARE_SUM_TOLERANCE)
    {
      const char *key = ml_config_has (cfg, "people", "student_share") ? "student_share"
                                                                        : "worker_share";
      g_propagate_error (error, ml_config_error (cfg, "people", key,
                                                 "worker_share %g + student_share %g exceed 1",
                                                 sc->worker_share, sc->student_share));
      return FALSE;
    }
  return check_min_max (cfg, "network", "rotation_days_min", "rotation_days_max", error)
         && check_min_max (cfg, "network", "cell_session_min_minutes",
                           "cell_session_max_minutes", error)
         && check_min_max (cfg, "geography", "district_km", "region_km", error);
}

/* ---- public ---- */

MlScenario *
ml_scenario_load (const char *path, const char *const *overrides, GError **error)
{
  g_autoptr(MlConfig) cfg = NULL;
  g_autoptr(MlScenario) sc = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path != NULL)
    cfg = ml_config_load (path, spec, G_N_ELEMENTS (spec), error);
  else
    cfg = ml_config_new_defaults (spec, G_N_ELEMENTS (spec));
  if (cfg == NULL)
    return NULL;
  if (!ml_config_override_all (cfg, overrides, error) || !ml_config_validate (cfg, error))
    return NULL;
  sc = g_new0 (MlScenario, 1);
  sc->config = g_steal_pointer (&cfg);
  resolve_scalars (sc);
  resolve_services (sc);
  if (!resolve_lists (sc, error) || !check_pairs (sc, error) || !resolve_cast (sc, error))
    return NULL;
  return g_steal_pointer (&sc);
}

void
ml_scenario_free (MlScenario *sc)
{
  if (sc == NULL)
    return;
  for (int i = 0; i < sc->n_cast; i++)
    {
      g_free (sc->cast[i].name);
      g_free (sc->cast[i].role);
    }
  g_free (sc->cast);
  ml_config_free (sc->config);
  g_free (sc);
}

char *
ml_scenario_to_data (const MlScenario *sc)
{
  g_return_val_if_fail (sc != NULL && sc->config != NULL, NULL);
  return ml_config_to_data (sc->config, NULL);
}
