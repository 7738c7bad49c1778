/* scenario.h -- a simulation scenario: every knob of `metaleak sim`.
 *
 * A scenario is a GKeyFile (datasets/scenarios/NAME.ini) validated against
 * the spec table in scenario.c, plus command-line overrides.  MlScenario is
 * the resolved, typed form every model reads; it is filled once and then
 * read-only (shared by all worker threads).  Every default comes from a
 * source or is an assumption named in docs/model.md.
 */
#ifndef ML_SCENARIO_H
#define ML_SCENARIO_H

#include <glib.h>

#include "common/config.h"
#include "common/timeutil.h"

G_BEGIN_DECLS

#define ML_MAX_CARRIERS 8
#define ML_MAX_HOUSEHOLD_SIZE 7

/* Service categories: the MetaPhone categories (Mayer et al. 2016) and the
 * extra sensitive ones of the design, then ordinary businesses. */
typedef enum {
  ML_CAT_HEALTH,
  ML_CAT_MENTAL_HEALTH,
  ML_CAT_REPRODUCTIVE_HEALTH,
  ML_CAT_PHARMACY,
  ML_CAT_FINANCIAL,
  ML_CAT_LEGAL,
  ML_CAT_RELIGIOUS,
  ML_CAT_POLITICAL,
  ML_CAT_FIREARMS,
  ML_CAT_ADULT,
  ML_CAT_MARIJUANA,
  ML_CAT_HOTLINE,
  ML_CAT_TIPLINE,
  ML_CAT_BUSINESS,        /* ordinary businesses: not sensitive */
  ML_N_CATEGORIES
} MlCategory;

/* The category's key in scenario files and outputs ("mental_health"). */
const char *ml_category_name (MlCategory c);
/* TRUE for every category but ML_CAT_BUSINESS. */
gboolean ml_category_is_sensitive (MlCategory c);

/* A named person of the scenario ([cast NAME] groups), e.g. a journalist
 * and their confidential sources. */
typedef struct {
  char *name;             /* the NAME of [cast NAME]; owned */
  char *role;             /* "journalist", "activist", "person"; owned */
  int sources;            /* confidential sources who contact them */
  int source_contacts_per_week; /* how often each source gets in touch */
  gboolean tipline;       /* runs a tip line (a service handle) */
  double services[ML_N_CATEGORIES]; /* extra probability of contacting each category */
} MlCastSpec;

typedef struct {
  /* [run] */
  guint64 seed;           /* master seed: every random stream derives from it */
  guint32 people;         /* population size (phone users) */
  int days;               /* simulated days */
  MlDay start;            /* first simulated day (UTC) */
  int threads;            /* worker threads; 0 = number of cores */
  gboolean messages_full; /* store every message, not daily pair counts */
  gboolean stays_all;     /* store every stay (FALSE: only away-from-home/work stays) */

  /* [geography] */
  int cities;             /* cities in the region */
  int distant_cities;     /* far-away cities, trip destinations */
  double center_lat, center_lon; /* where the synthetic region sits */
  double region_km;       /* side of the square region */
  double district_km;     /* side of a district cell */
  double city_zipf;       /* city-size Zipf exponent (Gabaix 1999: ~1) */
  double density_decay_km;/* Clark (1951) exponential density gradient, per 10^5 people */

  /* [households] */
  double household_size_shares[ML_MAX_HOUSEHOLD_SIZE]; /* sizes 1..7+ */
  double broadband_share; /* households with home broadband */

  /* [people] */
  double worker_share, student_share;  /* the rest stay home */
  double imessage_share;  /* handles registered with iMessage */
  double extra_devices_mean; /* Poisson mean of iPads/Macs per iMessage user */
  int carriers;
  double carrier_shares[ML_MAX_CARRIERS];
  double activity_median; /* messages sent per day, median person */
  double activity_sigma;  /* lognormal sigma of activity */
  double email_handle_share; /* handles that are e-mail addresses */

  /* [workplaces] */
  double firm_size_alpha; /* Axtell (2001): P(size>=s) ~ s^-alpha */
  int firm_size_max;
  int school_size;
  double workplace_wifi_share; /* workplaces whose staff phones use corporate Wi-Fi */

  /* [social] */
  double friend_groups;   /* friend groups per person (mean) */
  double friend_group_size; /* mean size */
  double coworker_ties;   /* ties to co-workers per worker (mean) */
  double family_links;    /* other households of the family (mean) */
  double triadic_closure; /* probability of closing an open triangle */
  double weak_ties;       /* random long-range ties per person (mean) */
  double weight_sigma;    /* lognormal sigma of tie weights */
  double asymmetry;       /* share of ties used mostly one way */

  /* [mobility] */
  double epr_rho, epr_gamma;   /* Song et al. 2010: 0.6, 0.21 */
  double wait_beta, wait_tau_h;/* waits P(t) ~ t^(-1-beta) e^(-t/tau): 0.8, 17 h */
  double jump_r0_km, jump_beta;/* Gonzalez et al. 2008 jump sizes: 1.5 km, 1.75 */
  double venues_per_1000; /* venues per 1,000 residents */
  double venue_wifi_share;/* venues offering Wi-Fi */
  double wifi_use;        /* mean propensity to join venue Wi-Fi */
  double trips_per_year;  /* trips to distant cities per person-year: the population mean */
  double trip_rate_shape; /* gamma shape of per-person trip rates; 0: everyone at the mean */
  double trip_days_mean;

  /* [network] */
  double rotation_days_min, rotation_days_max; /* broadband address lease period */
  double cgnat_users_per_ip; /* subscribers behind one CGNAT address */
  double cell_session_min_minutes, cell_session_max_minutes;
  double geoip_fixed_error_km;     /* median geolocation error, fixed lines */
  double geoip_cellular_radius_km; /* accuracy radius published for CGNAT ranges */

  /* [messaging] */
  double reply_probability;
  double reply_delay_minutes;  /* mean */
  double burst_factor;         /* rate multiplier in the bursty state */
  double burst_on_minutes, burst_off_minutes; /* mean durations of the two states */
  double night_activity;       /* rhythm floor at night relative to the peak */

  /* [lookups] */
  double cache_ttl_hours;      /* how long a capability answer is cached */
  double typed_per_week;       /* numbers typed and never messaged */
  double setup_per_year;       /* device set-ups/restores per person-year */
  int address_book_extra;      /* address-book entries beyond social ties (mean) */

  /* [services] */
  double service_share[ML_N_CATEGORIES];    /* people contacting the category over the run */
  double services_per_10k[ML_N_CATEGORIES]; /* service handles per 10,000 people */
  double service_imessage_share;            /* services reachable on iMessage (business chat) */

  /* [cast NAME] */
  MlCastSpec *cast;      /* owned array */
  int n_cast;

  MlConfig *config;      /* owned: the validated file, for the manifest and error lines */
} MlScenario;

/* Load scenario PATH (NULL: defaults only), apply the CLI overrides in
 * OVERRIDES (NULL-terminated "group.key=value" strings), and validate.
 * Errors are ML_ERROR_INPUT with "FILE:LINE: ..." (common/config.h).
 * Caller frees with ml_scenario_free(). */
MlScenario *ml_scenario_load (const char *path, const char *const *overrides, GError **error);
void ml_scenario_free (MlScenario *sc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlScenario, ml_scenario_free)

/* The resolved scenario as key-file text, every default filled in. */
char *ml_scenario_to_data (const MlScenario *sc);

/* The spec table (for `metaleak sim --list-keys` and docs). */
const MlConfigSpec *ml_scenario_spec (gsize *n);

G_END_DECLS

#endif /* ML_SCENARIO_H */
