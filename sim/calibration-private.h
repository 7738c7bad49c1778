/* calibration-private.h -- the estimators behind calibration.json, for tests.
 *
 * calibration.c measures a finished run with a handful of small estimators
 * (burstiness, radius of gyration, the growth exponent of distinct places,
 * shares of people per service category, message reciprocity) and writes
 * each figure next to its published target.  They are exposed here, and
 * only to tests/unit/test-calibration.c, so that each can be checked on a
 * hand-made input with a known answer.  Nothing else includes this file.
 */
#ifndef ML_CALIBRATION_PRIVATE_H
#define ML_CALIBRATION_PRIVATE_H

#include <glib.h>

#include "common/db.h"
#include "common/timeutil.h"
#include "sim/scenario.h"

G_BEGIN_DECLS

/* One stay of a person as calibration reads it from truth.db. */
typedef struct {
  MlTime start, end;      /* [start, end) */
  guint32 place;          /* place id, ML_NONE (G_MAXUINT32) while moving */
  double lat, lon;        /* the place's coordinates, NAN when unknown */
} MlCalStay;

/* A published target: literature.csv's value and tolerance. */
typedef struct {
  double value;           /* target, NAN when none */
  double low, high;       /* accepted range, NAN for an open end */
  char *source;           /* citation; owned, may be NULL */
} MlCalTarget;

/* Burstiness B = (sigma - mu) / (sigma + mu) of the inter-event times of
 * the N times TS (sorted ascending), with sigma the population standard
 * deviation (Goh & Barabasi, EPL 81:48002, 2008): -1 for a periodic
 * sequence, ~0 for a Poisson process, towards 1 for bursts.  NAN when
 * N < 3 or every event falls at the same instant. */
double ml_calibration_burstiness (const MlTime *ts, gsize n);

/* Time-weighted radius of gyration in km of the N stays S (Gonzalez,
 * Hidalgo & Barabasi 2008): the centre of mass is the normalised weighted
 * mean of unit vectors, distances are haversine.  Stays without
 * coordinates or of no duration are ignored; NAN when none is left. */
double ml_calibration_gyration_km (const MlCalStay *s, gsize n);

/* The exponent mu of S(t) ~ t^mu fitted by least squares to
 * log S(t) = a + mu log t over t = 1 .. N_DAYS, where S[t - 1] = S(t);
 * points with S(t) <= 0 are skipped.  NAN with fewer than two points. */
double ml_calibration_growth_exponent (const double *s, gsize n_days);

/* Add to ACC[d] (d = 0 .. DAYS - 1) the number of distinct places the
 * stays S (sorted by start) have visited by the end of day FIRST + d.
 * Stays without a place (ML_NONE) are not places. */
void ml_calibration_distinct_by_day (const MlCalStay *s, gsize n, MlDay first, int days,
                                     double *acc);


/* COUNTS[c] = people among 0 .. N_PEOPLE - 1 who contacted at least one
 * service of category c marked sensitive in truth.db (service_contacts
 * joined with services).  Other categories count 0. */
gboolean ml_calibration_category_people (MlDb *truth, guint32 n_people,
                                         guint32 counts[ML_N_CATEGORIES], GError **error);

/* Share of messaged pairs, over the N people PEOPLE, that messaged both
 * ways at some time in the run (messages_daily): for each person, the pairs
 * are the union of whom they sent to and whom they heard from, the
 * reciprocated ones the intersection.  *OUT is NAN when there is no pair. */
gboolean ml_calibration_message_reciprocity (MlDb *truth, const guint32 *people, gsize n,
                                             double *out, GError **error);

/* Read literature.csv at PATH (comment lines start with '#'; a header
 * names the columns metric, value, low, high and source).  Returns a
 * table from metric name to MlCalTarget (empty numbers are NAN); the
 * caller unrefs it.  ML_ERROR_IO when PATH cannot be read, ML_ERROR_INPUT
 * "PATH:LINE: ..." for a malformed line. */
GHashTable *ml_calibration_literature_load (const char *path, GError **error);

/* Append to J the entry NAME: {"value", "target", "low", "high",
 * "within", "source", "method"} (one line; preceded by ",\n" unless J is
 * empty).  T may be NULL (no target); non-finite numbers are written as
 * null; "within" is null unless T has a finite low or high, and then
 * true exactly when VALUE lies in [low, high]. */
void ml_calibration_append_metric (GString *j, const char *name, double value,
                                   const MlCalTarget *t, const char *method);

G_END_DECLS

#endif /* ML_CALIBRATION_PRIVATE_H */
