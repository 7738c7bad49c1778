/* pseudonym.h -- keyed pseudonyms for handles of imported real logs.
 *
 * Outputs of an analysis of a real log must not spread the handles of the
 * people in it.  Every handle is shown as "h-" followed by the first 16 hex
 * digits (64 bits) of HMAC-SHA256(key, handle): stable within one import,
 * so tables and reports stay joinable, unlinkable across imports (a fresh
 * random key each time) and not invertible by enumerating the phone number
 * space without the key (which a dictionary attack on a plain hash would
 * be: there are only ~10^10 numbers per country).  The key lives in
 * OUT_DIR/pseudonym.key, mode 0600, 64 hex digits and a newline; `--reveal`
 * shows the handles themselves.
 *
 * Workload: one HMAC per handle shown (a few microseconds).
 */
#ifndef ML_PSEUDONYM_H
#define ML_PSEUDONYM_H

#include <glib.h>

G_BEGIN_DECLS

#define ML_PSEUDONYM_KEY_SIZE 32
#define ML_PSEUDONYM_SIZE 24      /* "h-" + 16 hex + NUL fits */

/* Write the pseudonym of HANDLE under KEY into OUT: "h-" and the first 16
 * lower-case hex digits of HMAC-SHA256(KEY, HANDLE), NUL-terminated. */
void ml_pseudonym (const guint8 key[32], const char *handle, char out[24]);

/* Read a key file (64 hex digits, blanks around ignored) into KEY.
 * ML_ERROR_IO if unreadable, ML_ERROR_INPUT "PATH: ..." if malformed; KEY
 * is written only on success. */
gboolean ml_pseudonym_key_load (const char *path, guint8 key[32], GError **error);

/* Make a new random key (getrandom(2)) and write it to PATH atomically
 * with mode 0600; ML_ERROR_EXISTS if PATH exists, ML_ERROR_IO on failure.
 * KEY gets the key on success. */
gboolean ml_pseudonym_key_create (const char *path, guint8 key[32], GError **error);

/* The key of PATH: loaded if the file exists, else created. */
gboolean ml_pseudonym_key_ensure (const char *path, guint8 key[32], GError **error);

G_END_DECLS

#endif /* ML_PSEUDONYM_H */
