/* export.h -- the simulated communications as bandicoot records.
 *
 * `metaleak sim --export bandicoot DIR` writes, for every simulated person
 * with at least one message, DIR/records/USER.csv in bandicoot's records
 * layout (interaction, direction, correspondent_id, datetime,
 * call_duration, antenna_id) and DIR/antennas.csv (antenna_id, latitude,
 * longitude).  Each message becomes a `text` record on both sides: `out`
 * for the sender, `in` for the recipient.  The antenna is the cell of the
 * district the person was in (a district is one cell; its centroid is the
 * antenna's position).  USER is the person's handle without the leading
 * '+'.  No content: a record is a time, two ends and a cell.
 *
 * Records arrive day by day; they are buffered per person and appended to
 * the files in time order when the buffers pass a bound, so memory stays
 * bounded whatever the run length.  The directory appears complete or not
 * at all (common/outdir.h).
 */
#ifndef ML_EXPORT_H
#define ML_EXPORT_H

#include <glib.h>

#include "sim/mobility.h"
#include "sim/world.h"

G_BEGIN_DECLS

typedef struct {
  MlTime ts;
  guint32 person;             /* whose file */
  guint32 other;              /* the correspondent */
  guint32 antenna;            /* district id */
  guint8 out;                 /* 1: person sent it */
} MlExportRec;

typedef struct MlBandicoot MlBandicoot;

/* Begin exporting W to DIR (refused if it exists, unless FORCE); writes
 * antennas.csv.  Caller frees. */
MlBandicoot *ml_bandicoot_new (const MlWorld *w, const char *dir, gboolean force, GError **error);

/* Add one day's records RECS (any order; sorted here). */
gboolean ml_bandicoot_add_day (MlBandicoot *b, GArray *recs, GError **error);

/* Flush every buffer and publish DIR. */
gboolean ml_bandicoot_finish (MlBandicoot *b, GError **error);

void ml_bandicoot_free (MlBandicoot *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlBandicoot, ml_bandicoot_free)

/* The antenna (district id) of a person at T during their day STAYS[0..N):
 * the district of the stay's place, or of the last place before it while in
 * transit, or the first district of the stay's city. */
guint32 ml_bandicoot_antenna (const MlWorld *w, const MlStay *stays, guint n, MlTime t);

G_END_DECLS

#endif /* ML_EXPORT_H */
