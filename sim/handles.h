/* handles.h -- synthetic handles that can never belong to a real subscriber.
 *
 * Phone handles are "+999" followed by 11 digits.  +999 is an ITU-T E.164
 * country code reserved as spare ("reserved for future global service"),
 * so no real subscriber holds such a number.  E-mail handles use the
 * example.com domain reserved by RFC 2606.  The 11 digits are a keyed
 * bijection (a Feistel permutation with cycle walking) of a dense index:
 * people are indices [0, people), services follow, then "strangers"
 * (numbers typed that belong to no simulated person).  The permutation
 * makes handle numbers uncorrelated with households, places or any other
 * truth, so the provider's view reveals nothing through the numbering.
 *
 * The database id of a handle (provider.db handles.id) is its number for
 * phone handles and number + ML_HANDLE_EMAIL_BIT for e-mail handles.
 * Called per lookup row: no allocation.
 */
#ifndef ML_HANDLES_H
#define ML_HANDLES_H

#include <glib.h>

G_BEGIN_DECLS

#define ML_HANDLE_SPACE (G_GUINT64_CONSTANT (1) << 36)   /* indices and numbers: [0, 2^36) < 10^11 */
#define ML_HANDLE_EMAIL_BIT (G_GUINT64_CONSTANT (1) << 40)
#define ML_HANDLE_MAX 40                                    /* buffer size for formatted handles */

/* The handle number of INDEX under SEED: a bijection of [0, 2^36). */
guint64 ml_handle_number (guint64 seed, guint64 index);

/* The inverse of ml_handle_number (for tests and the evaluator's joins). */
guint64 ml_handle_index (guint64 seed, guint64 number);

/* The database id of handle NUMBER, an e-mail handle when EMAIL. */
static inline gint64
ml_handle_id (guint64 number, gboolean email)
{
  return (gint64) (email ? number | ML_HANDLE_EMAIL_BIT : number);
}

/* Format handle id ID ("+99900123456789" or "u00123456789@example.com")
 * into BUF; returns BUF. */
char *ml_handle_format (gint64 id, char buf[ML_HANDLE_MAX]);

G_END_DECLS

#endif /* ML_HANDLES_H */
