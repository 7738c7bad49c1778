/* world.h -- the simulated world: geography, places, households, people,
 * services and the social graph.
 *
 * Built once before day 1 (places.c, population.c, socialgraph.c,
 * network.c fill it in that order) and read-only afterwards, so worker
 * threads share it without locks.  Memory is O(people + ties + places):
 * about 100 bytes a person plus 16 bytes a directed tie, so a 1,000,000
 * person city fits in a few hundred MB.  Indices are dense guint32s; the
 * sentinel ML_NONE marks "no such thing".
 *
 * Nothing in here is ever written to provider.db directly: the provider
 * sees only handles, times, client IPs and device counts (traffic.c).
 */
#ifndef ML_WORLD_H
#define ML_WORLD_H

#include <glib.h>

#include "common/rng.h"
#include "sim/scenario.h"

G_BEGIN_DECLS

#define ML_NONE G_MAXUINT32

/* Random stream domains: the first id of ml_rng_init (seed, domain, a, b).
 * Every model draws from its own streams keyed by person/day so results do
 * not depend on thread count or order. */
typedef enum {
  ML_STREAM_GEOGRAPHY = 1,
  ML_STREAM_HOUSEHOLDS,
  ML_STREAM_PEOPLE,
  ML_STREAM_HANDLES,
  ML_STREAM_WORKPLACES,
  ML_STREAM_VENUES,
  ML_STREAM_SERVICES,
  ML_STREAM_GRAPH,
  ML_STREAM_NETWORK,
  ML_STREAM_MOBILITY,     /* (person, day) */
  ML_STREAM_TRIPS,        /* (person) */
  ML_STREAM_MESSAGES,     /* (person, day) */
  ML_STREAM_LOOKUPS,      /* (person, day) */
  ML_STREAM_SERVICE_PLAN, /* (person, category) */
  ML_STREAM_CELL,         /* (person, day) */
  ML_STREAM_CAST,
} MlStream;

typedef struct {
  char name[32];          /* synthetic, e.g. "Alder Falls" */
  double lat, lon;        /* centre */
  guint32 residents;      /* people living there (0 for distant cities) */
  gboolean in_region;     /* FALSE: a distant trip destination */
  guint32 first_district; /* its districts are [first, first + n) */
  guint32 n_districts;
} MlCity;

typedef struct {
  guint32 city;
  double lat, lon;        /* centroid */
  double home_weight;     /* share of the city's homes (Clark density) */
  guint32 first_venue;    /* venues of the district: world->venue_index[first .. first+n) */
  guint32 n_venues;
  guint32 bb_block;       /* broadband address block of the district (network.c) */
} MlDistrict;

typedef enum {
  ML_PLACE_HOME,
  ML_PLACE_WORK,          /* workplaces */
  ML_PLACE_SCHOOL,
  ML_PLACE_VENUE,         /* shops, cafes, gyms, parks, clinics ... */
  ML_PLACE_HOTEL,         /* lodging in distant cities */
  ML_PLACE_SERVICE,       /* the premises of a service (clinic, church, ...) */
  ML_N_PLACE_KINDS
} MlPlaceKind;

typedef enum {
  ML_WIFI_NONE,
  ML_WIFI_HOME,           /* household broadband */
  ML_WIFI_CORPORATE,      /* workplace network */
  ML_WIFI_PUBLIC,         /* venue / hotel hotspot */
} MlWifi;

typedef struct {
  double lat, lon;
  guint32 district;
  guint32 owner;          /* household for homes, workplace id for work/school, service id, else ML_NONE */
  float attractiveness;   /* venue draw weight (lognormal) */
  guint8 kind;            /* MlPlaceKind */
  guint8 wifi;            /* MlWifi offered here */
  guint8 category;        /* venue category (places.c) or MlCategory for service premises */
  guint8 pad;
} MlPlace;

typedef struct {
  guint32 home_place;
  guint32 first_member;   /* members are people [first, first + size) */
  guint8 size;
  guint8 isp;             /* broadband provider, meaningless without broadband */
  gboolean broadband;
  guint32 bb_slot;        /* the household's slot in its district block (network.c) */
  guint32 family;         /* extended-family id */
} MlHousehold;

typedef enum { ML_ROLE_WORKER, ML_ROLE_STUDENT, ML_ROLE_HOME } MlRole;

typedef struct {
  guint64 handle;         /* handle number: a bijection of the person index, see handles.h */
  guint32 household;
  guint32 work_place;     /* place of work or school, ML_NONE for ML_ROLE_HOME */
  float activity;         /* mean messages initiated per day */
  float wifi_use;         /* probability of joining public Wi-Fi on a long stay */
  float wake_h, sleep_h;  /* usual wake and sleep hours (chronotype) */
  guint8 role;            /* MlRole */
  guint8 carrier;
  guint8 imessage;        /* registered with iMessage */
  guint8 devices;         /* iMessage-capable devices (0 if !imessage) */
  guint8 email_handle;    /* the handle is an e-mail address */
  guint8 age;             /* years */
  guint16 cast;           /* index+1 into world->cast, 0 for ordinary people */
} MlPerson;

typedef struct {
  guint64 handle;
  guint32 place;          /* premises, ML_NONE if none */
  float popularity;       /* draw weight within the category */
  guint8 category;        /* MlCategory */
  guint8 imessage;
  guint8 devices;
  guint8 pad;
  guint32 owner;          /* a person who runs it (tip lines), else ML_NONE */
} MlService;

/* Social graph, CSR: person p's outgoing ties are edges[offset[p] .. offset[p+1]),
 * sorted by .other.  Every tie appears in both directions, each with its own
 * weight (messages per day from p to other, relative). */
typedef enum {
  ML_TIE_HOUSEHOLD, ML_TIE_FAMILY, ML_TIE_COWORKER, ML_TIE_SCHOOL,
  ML_TIE_FRIEND, ML_TIE_CLOSURE, ML_TIE_WEAK, ML_TIE_SOURCE, ML_N_TIE_KINDS
} MlTieKind;

typedef struct {
  guint32 other;
  float weight;           /* p -> other intensity; 0 for a tie used only the other way */
  guint8 kind;            /* MlTieKind */
  guint8 pad[3];
} MlEdge;

typedef struct {
  guint32 *offset;        /* people + 1 entries */
  MlEdge *edges;
  guint64 n_edges;        /* directed edges = 2 x ties */
} MlGraph;

typedef struct {
  char *name;
  guint32 person;
  guint32 tipline;        /* service index or ML_NONE */
} MlCast;

typedef struct MlNetwork MlNetwork;   /* network.h */

typedef struct {
  const MlScenario *sc;   /* borrowed */
  MlCity *cities; guint32 n_cities;
  MlDistrict *districts; guint32 n_districts;
  MlPlace *places; guint32 n_places;
  guint32 *venue_index;   /* venue place ids grouped by district */
  guint32 n_venue_index;
  MlHousehold *households; guint32 n_households;
  MlPerson *people; guint32 n_people;
  guint32 *workplaces;    /* place id of each workplace/school */
  guint32 n_workplaces;
  MlService *services; guint32 n_services;
  guint32 *services_by_cat[ML_N_CATEGORIES]; guint32 n_services_by_cat[ML_N_CATEGORIES];
  MlGraph graph;
  MlCast *cast; guint32 n_cast;
  MlNetwork *net;
} MlWorld;

/* Build the world for SC: geography, places, households, people, services,
 * social graph and address plan.  Deterministic in sc->seed.  Uses
 * THREADS worker threads where a step parallelises.  Caller frees. */
MlWorld *ml_world_new (const MlScenario *sc, GError **error);
void ml_world_free (MlWorld *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlWorld, ml_world_free)

/* Out-degree and the edge from P to Q (NULL if none): binary search. */
static inline guint32
ml_graph_degree (const MlGraph *g, guint32 p)
{
  return g->offset[p + 1] - g->offset[p];
}
const MlEdge *ml_graph_edge (const MlGraph *g, guint32 p, guint32 q);

G_END_DECLS

#endif /* ML_WORLD_H */
