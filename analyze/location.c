/* location.c -- home, work, trips and a location timeline from client IPs.
 *
 * Only the target's own lookups (pen-register rows, source = target) say
 * where the target was: the client IP of a lookup is the target's network
 * at that instant.  Every IP is classified and placed through the public
 * GeoIP database (ev->ipinfo, ml_evidence_ip()).  IPs are grouped into
 * places by their GeoIP position (within CLUSTER_KM), not by address: a
 * broadband block renumbers its holders every few weeks, but a block keeps
 * its GeoIP record, so a household's successive addresses form one place.
 * Cellular IPs form places of their own (the carrier's egress city, with a
 * radius of ~200 km) and never count for home or work.
 *
 *  - Home: the broadband (or antenna) place with night-time lookups (the case's night
 *    hours, UTC) on the most distinct nights, then the most such lookups;
 *    confidence = its share of all night-time broadband lookups.
 *  - Work: among the other non-cellular places, the one with the most
 *    weekday lookups within the case's work hours, a business (corporate)
 *    lookup counting BUSINESS_WEIGHT times; confidence = its share of
 *    those lookups.
 *  - Radius: the largest GeoIP accuracy radius of the supporting IPs.
 *  - Trips: maximal runs of lookups placed more than the case's trip_km from
 *    home (cellular ones only when their egress place is not the usual
 *    one), split when the position jumps by more than trip_km.
 * The antennas of a CDR log (class antenna, cdr-analyze.h) are places of
 * their own, one per position (sectors of one mast share it), never
 * clustered: a tower is already a place.  An antenna counts for home at
 * night like broadband and for work like any non-cellular place.  Its
 * night follows bandicoot's, every time not strictly between night_end and
 * night_start, so that night_end itself (07:00:00) is night too, and so
 * does its home: the night records are cut into 30-minute bins, each bin
 * votes for its most frequent antenna (the first seen on a tie), and home
 * is the antenna with the most votes (the first voted for on a tie), as
 * bandicoot 0.6.0's User.recompute_home computes it (docs/cdr.md lists
 * the differences: records without a position do not vote here).
 * Home and work on night-time and weekday hours follow Isaacman et al.,
 * "Identifying important places in people's lives from cellular network
 * data" (Pervasive 2011); the anonymity of the home/work pair, Golle &
 * Partridge (Pervasive 2009).
 *
 * Workload: once per target and window count; linear in the target's own
 * rows, plus distinct IPs x places for the grouping (places are few).
 * ml_infer_location_each() serves every window count with one scan when
 * the windows of the target's rows rise with time, as chained orders
 * make them: the rows of N windows are then a prefix of those of N + 1,
 * and each count copies the state it needs (the open night bin votes in
 * a copy of the places; distances from home are recomputed).
 */
#include <math.h>
#include <string.h>

#include "analyze/infer.h"
#include "common/geo.h"

#define CLUSTER_KM 1.0          /* assumption: one GeoIP record = one place */
#define ANTENNA_KM 0.001        /* antennas: one place per position (1 m) */
#define CLUSTER_DEG (CLUSTER_KM / 111.0) /* the same as a latitude difference, a cheap pre-test */
#define BUSINESS_WEIGHT 2.0     /* assumption: a corporate IP is twice the evidence of work */

/* Places are formed within a group only. */
typedef enum { GROUP_FIXED, GROUP_CELLULAR, GROUP_ANTENNA } PlaceGroup;

typedef struct {
  double lat, lon;              /* the first member's GeoIP position */
  PlaceGroup group;
  guint32 night_bb;             /* night-time broadband (or antenna) lookups */
  guint32 nights;               /* distinct nights among them */
  MlDay last_night;
  guint32 night_bins;           /* antennas: 30-minute night bins voting for it */
  guint32 first_vote;           /* order of its first vote (ties: the first voted for) */
  guint32 work, work_business;  /* weekday work-hour lookups, of which from corporate IPs */
  guint32 cell;                 /* cellular lookups */
} Place;

typedef struct {
  gint64 ip;
  int place;                    /* -1 without a GeoIP position */
  MlIpClass cls;
  double lat, lon, radius_km;
  guint32 night_bb, work;       /* lookups supporting home, work */
  double km_home;               /* distance from home, NAN until computed */
} IpStat;

typedef struct {
  const MlEvidence *ev;
  const MlCase *c;
  GArray *ips;                  /* IpStat */
  GHashTable *ip_index;         /* ip (ML_ID_KEY) -> index into ips */
  GArray *places;               /* Place */
  GArray *point_ip;             /* guint per timeline point: index into ips */
  gint64 bin;                   /* the 30-minute night bin being counted (antennas) */
  GArray *bin_counts;           /* BinCount: its records per place, in first-seen order */
  guint32 votes;                /* bins that have voted */
} Scan;

typedef struct {
  int place;
  guint32 n;
} BinCount;

static gboolean
in_hours (double h, double start, double end)
{
  return start <= end ? (h >= start && h < end) : (h >= start || h < end);
}

static double
hour_of (MlTime t)
{
  return ml_second_of_day (t) / 3600.0;
}

/* Whether T (of a row from an IP of class CLS) falls in the case's night. */
static gboolean
is_night (const MlCase *c, MlTime t, MlIpClass cls)
{
  return in_hours (hour_of (t), c->night_start_h, c->night_end_h)
         || (cls == ML_IP_ANTENNA && ml_second_of_day (t) == (int) lround (c->night_end_h * 3600.0));
}

static PlaceGroup
group_of (MlIpClass cls)
{
  return cls == ML_IP_CELLULAR ? GROUP_CELLULAR : cls == ML_IP_ANTENNA ? GROUP_ANTENNA : GROUP_FIXED;
}

static int
place_of (Scan *s, double lat, double lon, PlaceGroup group)
{
  double km = group == GROUP_ANTENNA ? ANTENNA_KM : CLUSTER_KM;

  if (isnan (lat) || isnan (lon))
    return -1;
  for (guint i = 0; i < s->places->len; i++)
    {
      const Place *p = &g_array_index (s->places, Place, i);
      if (p->group == group && fabs (p->lat - lat) <= CLUSTER_DEG
          && ml_geo_haversine_km (p->lat, p->lon, lat, lon) <= km)
        return (int) i;
    }
  Place p = { .lat = lat, .lon = lon, .group = group, .last_night = G_MININT32 };
  g_array_append_val (s->places, p);
  return (int) s->places->len - 1;
}

static IpStat *
ip_stat (Scan *s, gint64 ip)
{
  gpointer pos;

  if (g_hash_table_lookup_extended (s->ip_index, ML_ID_KEY (ip), NULL, &pos))
    return &g_array_index (s->ips, IpStat, GPOINTER_TO_UINT (pos));
  const MlIpInfo *info = ml_evidence_ip (s->ev, ip);
  IpStat st = { .ip = ip, .cls = ML_IP_UNKNOWN, .lat = NAN, .lon = NAN, .radius_km = NAN,
                .km_home = NAN };
  if (info != NULL)
    st = (IpStat) { .ip = ip, .cls = info->cls, .lat = info->lat, .lon = info->lon,
                    .radius_km = info->radius_km, .km_home = NAN };
  st.place = place_of (s, st.lat, st.lon, group_of (st.cls));
  g_array_append_val (s->ips, st);
  g_hash_table_insert (s->ip_index, ML_ID_KEY (ip), GUINT_TO_POINTER (s->ips->len - 1));
  return &g_array_index (s->ips, IpStat, s->ips->len - 1);
}

/* Close the current night bin: its most frequent place (the first seen on
 * a tie) gets a vote. */
static void
bin_vote (Scan *s)
{
  const BinCount *best = NULL;

  for (guint i = 0; i < s->bin_counts->len; i++)
    if (best == NULL || g_array_index (s->bin_counts, BinCount, i).n > best->n)
      best = &g_array_index (s->bin_counts, BinCount, i);
  if (best != NULL)
    {
      Place *p = &g_array_index (s->places, Place, best->place);
      if (p->night_bins++ == 0)
        p->first_vote = s->votes++;
    }
  g_array_set_size (s->bin_counts, 0);
}

/* Count a night record at antenna PLACE at T into its 30-minute bin (rows
 * come in time order). */
static void
bin_add (Scan *s, int place, MlTime t)
{
  BinCount fresh = { place, 1 };

  if (t / 1800 != s->bin)
    bin_vote (s);
  s->bin = t / 1800;
  for (guint i = 0; i < s->bin_counts->len; i++)
    if (g_array_index (s->bin_counts, BinCount, i).place == place)
      {
        g_array_index (s->bin_counts, BinCount, i).n++;
        return;
      }
  g_array_append_val (s->bin_counts, fresh);
}

/* Count R for home and work in its IP and place. */
static void
count_support (Scan *s, const MlEvRow *r, IpStat *st)
{
  const MlCase *c = s->c;
  double h = hour_of (r->ts);

  if (st->place < 0)
    return;
  Place *p = &g_array_index (s->places, Place, st->place);
  if (st->cls == ML_IP_CELLULAR)
    p->cell++;
  if ((st->cls == ML_IP_BROADBAND || st->cls == ML_IP_ANTENNA) && is_night (c, r->ts, st->cls))
    {
      /* a night is named by the day it began; "- 1" keeps an antenna's
       * lookup at night_end itself in the night it closes */
      MlDay night = ml_day_of (r->ts - (MlTime) (c->night_end_h * 3600.0) - 1);
      st->night_bb++;
      p->night_bb++;
      p->nights += night != p->last_night;
      p->last_night = night;
      if (st->cls == ML_IP_ANTENNA)
        bin_add (s, st->place, r->ts);
    }
  if (st->cls != ML_IP_CELLULAR && !ml_is_weekend (ml_day_of (r->ts))
      && in_hours (h, c->work_start_h, c->work_end_h))
    {
      st->work++;
      p->work++;
      p->work_business += st->cls == ML_IP_BUSINESS;
    }
}

static void
scan_row (Scan *s, MlLocation *loc, const MlEvRow *r)
{
  IpStat *st = ip_stat (s, r->ip);
  guint ip_index = (guint) (st - (IpStat *) s->ips->data);
  MlTimelinePoint pt = {
    .ts = r->ts, .lat = st->lat, .lon = st->lon, .radius_km = st->radius_km,
    .cls = st->cls, .ip = r->ip,
  };

  g_array_append_val (loc->timeline, pt);
  g_array_append_val (s->point_ip, ip_index);
  loc->class_counts[st->cls]++;
  count_support (s, r, st);
}

/* Whether P makes a better home than B: between antennas, more night bins
 * (the first voted for on a tie); otherwise more distinct nights, then more
 * night lookups. */
static gboolean
better_home (const Place *p, const Place *b)
{
  if (p->group == GROUP_ANTENNA && b->group == GROUP_ANTENNA)
    return p->night_bins > b->night_bins || (p->night_bins == b->night_bins && p->first_vote < b->first_vote);
  return p->nights > b->nights || (p->nights == b->nights && p->night_bb > b->night_bb);
}

/* The home place: the best by better_home() among places with night
 * lookups; -1. */
static int
choose_home (const Scan *s)
{
  int best = -1;

  for (guint i = 0; i < s->places->len; i++)
    {
      const Place *p = &g_array_index (s->places, Place, i);
      const Place *b = best < 0 ? NULL : &g_array_index (s->places, Place, best);
      if (p->night_bb > 0 && (b == NULL || better_home (p, b)))
        best = (int) i;
    }
  return best;
}

static double
work_weight (const Place *p)
{
  return p->work + (BUSINESS_WEIGHT - 1.0) * p->work_business;
}

/* The work place: the heaviest non-home place by work_weight(); -1. */
static int
choose_work (const Scan *s, int home, guint32 *total)
{
  int best = -1;

  *total = 0;
  for (guint i = 0; i < s->places->len; i++)
    {
      const Place *p = &g_array_index (s->places, Place, i);
      if ((int) i == home || p->work == 0)
        continue;
      *total += p->work;
      if (best < 0 || work_weight (p) > work_weight (&g_array_index (s->places, Place, best)))
        best = (int) i;
    }
  return best;
}

/* Fill G from the IPs of PLACE supporting it (night broadband lookups for
 * home, work-hour lookups for work) out of TOTAL relevant lookups; the
 * most frequent supporting IP goes to *IP. */
static void
fill_guess (const Scan *s, int place, gboolean home, guint32 total, MlPlaceGuess *g, gint64 *ip)
{
  double lat = 0, lon = 0;
  guint32 best = 0, by_class[ML_N_IP_CLASSES] = { 0 };

  memset (g, 0, sizeof *g);
  for (guint i = 0; i < s->ips->len; i++)
    {
      const IpStat *st = &g_array_index (s->ips, IpStat, i);
      guint32 n = home ? st->night_bb : st->work;
      if (st->place != place || n == 0)
        continue;
      g->support += n;
      lat += n * st->lat;
      lon += n * st->lon;
      if (!isnan (st->radius_km))
        g->radius_km = MAX (g->radius_km, st->radius_km);
      by_class[st->cls] += n;
      if (n > best)
        {
          best = n;
          *ip = st->ip;
        }
    }
  g->found = g->support > 0;
  g->lat = lat / g->support;
  g->lon = lon / g->support;
  g->confidence = (double) g->support / total;
  for (int k = 0; k < ML_N_IP_CLASSES; k++)
    if (by_class[k] > by_class[g->cls])
      g->cls = (MlIpClass) k;
}

static void
guess_home_work (const Scan *s, MlLocation *loc)
{
  guint32 night_total = 0, work_total;

  for (guint i = 0; i < s->places->len; i++)
    night_total += g_array_index (s->places, Place, i).night_bb;
  int home = choose_home (s);
  if (home >= 0)
    fill_guess (s, home, TRUE, night_total, &loc->home, &loc->home_ip);
  int work = choose_work (s, home, &work_total);
  if (work >= 0)
    fill_guess (s, work, FALSE, work_total, &loc->work, &loc->work_ip);
}

/* The cellular place seen most often: the carrier's usual egress; -1. */
static int
usual_egress (const Scan *s)
{
  int best = -1;

  for (guint i = 0; i < s->places->len; i++)
    if (g_array_index (s->places, Place, i).cell > 0
        && (best < 0 || g_array_index (s->places, Place, i).cell > g_array_index (s->places, Place, best).cell))
      best = (int) i;
  return best;
}

typedef struct {
  gboolean open;
  double anchor_lat, anchor_lon; /* the first point away */
  MlTrip trip;
} TripState;

static void
trip_close (TripState *t, MlLocation *loc)
{
  if (t->open)
    g_array_append_val (loc->trips, t->trip);
  t->open = FALSE;
}

/* Add the away point PT (KM from home) to the current trip or start one. */
static void
trip_add (const Scan *s, TripState *t, MlLocation *loc, const MlTimelinePoint *pt, double km)
{
  if (t->open && ml_geo_haversine_km (t->anchor_lat, t->anchor_lon, pt->lat, pt->lon) > s->c->trip_km)
    trip_close (t, loc);
  if (!t->open)
    {
      memset (&t->trip, 0, sizeof t->trip);
      t->open = TRUE;
      t->anchor_lat = pt->lat;
      t->anchor_lon = pt->lon;
      t->trip.start = pt->ts;
    }
  t->trip.end = pt->ts;
  if (km <= t->trip.km_from_home)
    return;
  const MlIpInfo *info = ml_evidence_ip (s->ev, pt->ip);
  t->trip.lat = pt->lat;
  t->trip.lon = pt->lon;
  t->trip.km_from_home = km;
  g_strlcpy (t->trip.city, info != NULL ? info->city : "", sizeof t->trip.city);
}

static void
find_trips (const Scan *s, MlLocation *loc)
{
  TripState t = { .open = FALSE };
  int usual = usual_egress (s);

  if (!loc->home.found)
    return;
  for (guint i = 0; i < loc->timeline->len; i++)
    {
      const MlTimelinePoint *pt = &g_array_index (loc->timeline, MlTimelinePoint, i);
      IpStat *st = &g_array_index (s->ips, IpStat, g_array_index (s->point_ip, guint, i));
      if (st->place < 0)
        continue;
      if (isnan (st->km_home))
        st->km_home = ml_geo_haversine_km (loc->home.lat, loc->home.lon, st->lat, st->lon);
      double km = st->km_home;
      if (km > s->c->trip_km && !(st->cls == ML_IP_CELLULAR && st->place == usual))
        trip_add (s, &t, loc, pt, km);
      else
        trip_close (&t, loc);
    }
  trip_close (&t, loc);
}

static MlLocation *
location_new (void)
{
  MlLocation *loc = g_new0 (MlLocation, 1);

  loc->timeline = g_array_new (FALSE, FALSE, sizeof (MlTimelinePoint));
  loc->trips = g_array_new (FALSE, FALSE, sizeof (MlTrip));
  return loc;
}

static void
scan_init (Scan *s, const MlEvidence *ev)
{
  *s = (Scan) {
    .ev = ev, .c = ev->c, .ips = g_array_new (FALSE, FALSE, sizeof (IpStat)), .ip_index = ml_id_table_new (NULL),
    .places = g_array_new (FALSE, FALSE, sizeof (Place)), .point_ip = g_array_new (FALSE, FALSE, sizeof (guint)),
    .bin = G_MININT64, .bin_counts = g_array_new (FALSE, FALSE, sizeof (BinCount)), .votes = 0,
  };
}

static void
scan_clear (Scan *s)
{
  g_clear_pointer (&s->ips, g_array_unref);
  g_clear_pointer (&s->ip_index, g_hash_table_unref);
  g_clear_pointer (&s->places, g_array_unref);
  g_clear_pointer (&s->point_ip, g_array_unref);
  g_clear_pointer (&s->bin_counts, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Scan, scan_clear)

/* Home, work and trips of the rows scanned into S and RUN so far, as a new
 * location (S is left as it was: the open night bin votes in a copy). */
static MlLocation *
snapshot (const Scan *s, const MlLocation *run)
{
  MlLocation *loc = location_new ();
  Scan t = *s;

  g_array_append_vals (loc->timeline, run->timeline->data, run->timeline->len);
  memcpy (loc->class_counts, run->class_counts, sizeof loc->class_counts);
  t.places = g_array_copy (s->places);
  t.bin_counts = g_array_copy (s->bin_counts);
  bin_vote (&t);                /* the last night bin */
  guess_home_work (&t, loc);
  for (guint i = 0; i < t.ips->len; i++)
    g_array_index (t.ips, IpStat, i).km_home = NAN;    /* from this home */
  find_trips (&t, loc);
  g_array_unref (t.places);
  g_array_unref (t.bin_counts);
  return loc;
}

/* Scan TARGET's own rows in ROWS from *NEXT on while their window is below
 * N_WINDOWS (RISING: they are a prefix; otherwise skip the others). */
static void
scan_rows (Scan *s, MlLocation *run, gint64 target, const GArray *rows, guint *next, int n_windows,
           gboolean rising)
{
  for (; *next < rows->len; (*next)++)
    {
      const MlEvRow *r = &g_array_index (s->ev->rows, MlEvRow, g_array_index (rows, guint, *next));
      if (r->source != target)
        continue;
      if (!ml_ev_in_windows (r, n_windows))
        {
          if (rising)
            return;
          continue;
        }
      scan_row (s, run, r);
    }
}

MlLocation *
ml_infer_location (const MlEvidence *ev, gint64 target, int n_windows)
{
  g_return_val_if_fail (ev != NULL && ev->c != NULL, NULL);
  MlLocation *loc = location_new ();
  const GArray *rows = ml_evidence_rows_of (ev, target);
  g_auto(Scan) s = { NULL };
  guint next = 0;

  scan_init (&s, ev);
  scan_rows (&s, loc, target, rows, &next, n_windows, FALSE);
  bin_vote (&s);                /* the last night bin */
  guess_home_work (&s, loc);
  find_trips (&s, loc);
  return loc;
}

/* Whether the windows of TARGET's own rows in ROWS never fall. */
static gboolean
windows_rise (const MlEvidence *ev, gint64 target, const GArray *rows)
{
  int last = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, g_array_index (rows, guint, i));
      if (r->source != target)
        continue;
      if (r->window < last)
        return FALSE;
      last = r->window;
    }
  return TRUE;
}

void
ml_infer_location_each (const MlEvidence *ev, gint64 target, int n_max, MlLocation **out)
{
  g_return_if_fail (ev != NULL && ev->c != NULL && out != NULL && n_max >= 1);
  const GArray *rows = ml_evidence_rows_of (ev, target);
  g_auto(Scan) s = { NULL };
  MlLocation *run;
  guint next = 0;

  if (!windows_rise (ev, target, rows))
    {
      for (int n = 1; n <= n_max; n++)
        out[n - 1] = ml_infer_location (ev, target, n);
      return;
    }
  scan_init (&s, ev);
  run = location_new ();
  for (int n = 1; n <= n_max; n++)
    {
      scan_rows (&s, run, target, rows, &next, n, TRUE);
      out[n - 1] = snapshot (&s, run);
    }
  ml_location_free (run);
}

void
ml_location_free (MlLocation *loc)
{
  if (loc == NULL)
    return;
  g_array_unref (loc->timeline);
  g_array_unref (loc->trips);
  g_free (loc);
}
