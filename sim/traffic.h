/* traffic.h -- message traffic and the lookups the provider logs.
 *
 * Messages: each person initiates messages at a rate of activity x a 24-hour
 * rhythm x a two-state (bursty/quiet) modulation, to recipients drawn by tie
 * weight; a recipient replies with some probability after a short delay.
 * Channel: iMessage when both ends are registered, SMS otherwise (the
 * provider never sees SMS).  No content is ever generated: a message is a
 * time, a sender and a recipient.
 *
 * Lookups (everything the directory server logs): an iMessage sender's phone
 * asks "is this handle on iMessage?" when composing to a handle whose
 * cached answer is older than the TTL (replies included); numbers typed and
 * never messaged; bulk address-book lookups on device set-up or restore;
 * and contacts with services.  Handles that are not on iMessage are logged
 * too, with lookup_devices = 0.
 *
 * A day runs in two phases so that threads never share mutable state:
 * phase A (ml_traffic_messages) draws each person's initiated messages and
 * the replies they provoke; the driver then groups the events by sender;
 * phase B (ml_traffic_lookups) walks each sender's events in time order,
 * updating only that sender's cache.  Workload: ~10^7 events a day in the
 * city scenario; no allocation per event beyond the output arrays.
 */
#ifndef ML_TRAFFIC_H
#define ML_TRAFFIC_H

#include <glib.h>

#include "common/timeutil.h"
#include "sim/mobility.h"
#include "sim/world.h"

G_BEGIN_DECLS

typedef enum {
  ML_CAUSE_COMPOSE,       /* composing a new message, cache expired */
  ML_CAUSE_REPLY,         /* replying, cache expired */
  ML_CAUSE_TYPED,         /* a number typed and never messaged */
  ML_CAUSE_SETUP,         /* address book sync on device set-up/restore */
  ML_CAUSE_SERVICE,       /* contacting a business or service */
  ML_N_CAUSES
} MlCause;

typedef struct {
  MlTime ts;
  guint32 sender;              /* person who sends */
  guint32 recipient : 31;      /* person who receives */
  guint32 reply : 1;           /* 1 when answering an earlier message */
} MlMsgEvent;

typedef struct {
  MlTime ts;
  gint64 source, lookup;       /* handle ids (sim/handles.h) */
  guint32 ip;                  /* client IPv4, host order */
  guint8 devices;              /* lookup_devices */
  guint8 cause;                /* MlCause: truth, never written to provider.db */
  guint16 pad;
} MlLookupRow;

typedef struct {
  guint32 sender, recipient;
  guint32 imessage, sms;       /* messages that day */
} MlPairCount;

typedef struct {
  MlTime ts;
  guint32 person, service;
} MlServiceContact;

typedef struct MlTraffic MlTraffic;

/* Traffic state for W: tie weight prefix sums, service plans, and a cache
 * entry per directed tie.  Caller frees. */
MlTraffic *ml_traffic_new (const MlWorld *w, GError **error);
void ml_traffic_free (MlTraffic *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlTraffic, ml_traffic_free)

/* Phase A: append to EVENTS the messages PERSON initiates on DAY and the
 * replies they draw (reply events have the replier as sender).  STAYS are
 * PERSON's stays of the day.  Read-only on T: safe to call concurrently. */
void ml_traffic_messages (const MlTraffic *t, const MlWorld *w, guint32 person, MlDay day,
                          const MlStay *stays, guint n_stays, GArray *events);

/* Phase B: PERSON's outgoing EVENTS of DAY (sorted by time) become lookups
 * (appended to LOOKUPS, MlLookupRow), pair counts (PAIRS, MlPairCount,
 * may be NULL) and service contacts (CONTACTS, may be NULL); typed,
 * set-up and service lookups of the day are added too.  STAYS are PERSON's
 * stays.  Writes only PERSON's cache entries: different people may run
 * concurrently. */
void ml_traffic_lookups (MlTraffic *t, const MlWorld *w, guint32 person, MlDay day,
                         const MlMsgEvent *events, guint n_events,
                         const MlStay *stays, guint n_stays,
                         GArray *lookups, GArray *pairs, GArray *contacts);

/* The handle id of PERSON and of SERVICE. */
gint64 ml_person_handle_id (const MlWorld *w, guint32 person);
gint64 ml_service_handle_id (const MlWorld *w, guint32 service);

/* Name of CAUSE ("compose", ...). */
const char *ml_cause_name (MlCause cause);

G_END_DECLS

#endif /* ML_TRAFFIC_H */
