/* pseudonym.c -- keyed pseudonyms for handles of imported real logs.
 *
 * GLib's GHmac computes HMAC-SHA256; getrandom(2) supplies key bytes from
 * the kernel's CSPRNG.  See pseudonym.h for why a keyed hash.
 * Workload: per handle shown; one small file per import.
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <glib/gstdio.h>

#include "analyze/pseudonym.h"
#include "common/errors.h"

void
ml_pseudonym (const guint8 key[32], const char *handle, char out[24])
{
  g_autoptr(GHmac) mac = g_hmac_new (G_CHECKSUM_SHA256, key, ML_PSEUDONYM_KEY_SIZE);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_return_if_fail (key != NULL && handle != NULL && out != NULL);
  g_hmac_update (mac, (const guchar *) handle, -1);
  g_hmac_get_digest (mac, digest, &len);
  out[0] = 'h';
  out[1] = '-';
  for (int i = 0; i < 8; i++)
    {
      static const char hex[] = "0123456789abcdef";
      out[2 + 2 * i] = hex[digest[i] >> 4];
      out[3 + 2 * i] = hex[digest[i] & 15];
    }
  out[18] = '\0';
}

gboolean
ml_pseudonym_key_load (const char *path, guint8 key[32], GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) e = NULL;
  guint8 k[ML_PSEUDONYM_KEY_SIZE];
  char *t;

  if (!g_file_get_contents (path, &text, NULL, &e))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: %s", path, e->message);
      return FALSE;
    }
  t = g_strstrip (text);
  if (strlen (t) != 2 * ML_PSEUDONYM_KEY_SIZE)
    goto malformed;
  for (int i = 0; i < ML_PSEUDONYM_KEY_SIZE; i++)
    {
      int hi = g_ascii_xdigit_value (t[2 * i]), lo = g_ascii_xdigit_value (t[2 * i + 1]);
      if (hi < 0 || lo < 0)
        goto malformed;
      k[i] = (guint8) (hi << 4 | lo);
    }
  memcpy (key, k, sizeof k);
  memset (k, 0, sizeof k);
  return TRUE;

malformed:
  g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: not a pseudonym key (64 hex digits)", path);
  return FALSE;
}

gboolean
ml_pseudonym_key_create (const char *path, guint8 key[32], GError **error)
{
  guint8 k[ML_PSEUDONYM_KEY_SIZE];
  char text[2 * ML_PSEUDONYM_KEY_SIZE + 2];
  g_autoptr(GError) e = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_EXISTS, "%s: exists", path);
      return FALSE;
    }
  if (getrandom (k, sizeof k, 0) != (ssize_t) sizeof k)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: no random bytes: %s", path, g_strerror (errno));
      return FALSE;
    }
  for (int i = 0; i < ML_PSEUDONYM_KEY_SIZE; i++)
    g_snprintf (text + 2 * i, 3, "%02x", k[i]);
  text[2 * ML_PSEUDONYM_KEY_SIZE] = '\n';
  text[2 * ML_PSEUDONYM_KEY_SIZE + 1] = '\0';
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &e))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", path, e->message);
      return FALSE;
    }
  memcpy (key, k, sizeof k);
  memset (k, 0, sizeof k);
  memset (text, 0, sizeof text);
  return TRUE;
}

gboolean
ml_pseudonym_key_ensure (const char *path, guint8 key[32], GError **error)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return ml_pseudonym_key_load (path, key, error);
  return ml_pseudonym_key_create (path, key, error);
}
