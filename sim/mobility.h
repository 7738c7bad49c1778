/* mobility.h -- where each person is, stay by stay, day by day.
 *
 * A day of a person is a sequence of stays that tiles [day start, day end)
 * exactly: home at night, work or school on weekdays for those who have
 * one, and in between visits chosen by the exploration and preferential
 * return model (EPR, Song et al. 2010) with distance-decaying jumps
 * (Gonzalez et al. 2008), plus multi-day trips to distant cities at a rate
 * of each person's own (most people rarely travel, a few often).
 *
 * The per-person EPR memory (places visited and how often) persists from
 * day to day; everything else is drawn from the stream (ML_STREAM_MOBILITY,
 * person, day), so days of different people can be computed concurrently
 * by different threads with identical results.  Workload: called once per
 * person per day (10^6 x 30 in the city scenario); must not allocate except
 * to grow the person's memory.
 */
#ifndef ML_MOBILITY_H
#define ML_MOBILITY_H

#include <glib.h>

#include "common/timeutil.h"
#include "sim/world.h"

G_BEGIN_DECLS

typedef struct {
  MlTime start, end;      /* [start, end), inside one day */
  guint32 place;          /* place id; ML_NONE while moving between places */
  guint32 city;           /* city the person is in (for cellular egress) */
} MlStay;

typedef struct MlMobility MlMobility;

/* Per-person mobility memory for every person of W.  Caller frees. */
MlMobility *ml_mobility_new (const MlWorld *w);
void ml_mobility_free (MlMobility *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlMobility, ml_mobility_free)

/* Append to STAYS (a GArray of MlStay) the stays of PERSON on DAY, in time
 * order, tiling the day.  Days of one person must be computed in order;
 * different people may be computed concurrently. */
void ml_mobility_day (MlMobility *m, const MlWorld *w, guint32 person, MlDay day, GArray *stays);

/* TRUE when PERSON is away on a trip on DAY (for truth and calibration). */
gboolean ml_mobility_on_trip (const MlMobility *m, const MlWorld *w, guint32 person, MlDay day);

/* PERSON's own rate of trips to distant cities, per year: the scenario's
 * trips_per_year times a Gamma(trip_rate_shape) factor of mean 1 drawn
 * from the stream (ML_STREAM_TRIPS, person, 1); the same for every call. */
double ml_mobility_trip_rate (const MlWorld *w, guint32 person);

/* The probability that a person takes no trip in the first DAYS days of
 * the run: the first trip starts after an Exp(rate) gap, so it is
 * E[exp(-rate T)] over the gamma-distributed rates, (1 + mean T / k)^-k
 * (T in years, k = trip_rate_shape), or exp(-mean T) when k is 0; 1 when
 * no one travels or there is no destination. */
double ml_mobility_no_trip_probability (const MlMobility *m, const MlWorld *w, int days);

/* Distinct places PERSON has visited so far (EPR's S). */
guint32 ml_mobility_distinct_places (const MlMobility *m, guint32 person);

/* The stay of STAYS[0..n) containing time T (binary search; T must be in the day). */
const MlStay *ml_stay_at (const MlStay *stays, guint n, MlTime t);

G_END_DECLS

#endif /* ML_MOBILITY_H */
