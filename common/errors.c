/* errors.c -- the metaleak error domain and its mapping to exit codes.
 *
 * The dispatcher is the only caller of ml_error_print(); everything else
 * propagates GErrors upwards.  Cheap, called at most a handful of times a
 * run.
 */

#include <stdio.h>

#include "common/errors.h"

G_DEFINE_QUARK (metaleak-error-quark, ml_error)

MlExit
ml_exit_code_for (const GError *error)
{
  if (error == NULL)
    return ML_EXIT_OK;
  if (error->domain == G_OPTION_ERROR || error->domain == G_KEY_FILE_ERROR)
    return ML_EXIT_USAGE;
  if (error->domain != ML_ERROR)
    return ML_EXIT_FAILURE;
  switch ((MlErrorCode) error->code)
    {
    case ML_ERROR_USAGE:
    case ML_ERROR_INPUT:
    case ML_ERROR_EXISTS:
    case ML_ERROR_SCHEMA:
      return ML_EXIT_USAGE;
    case ML_ERROR_PARTIAL:
      return ML_EXIT_PARTIAL;
    case ML_ERROR_FAILED:
    case ML_ERROR_IO:
    case ML_ERROR_DB:
    case ML_ERROR_INTERRUPTED:
    default:
      return ML_EXIT_FAILURE;
    }
}

void
ml_error_print (const GError *error)
{
  g_return_if_fail (error != NULL);
  if (error->domain == ML_ERROR && error->code == ML_ERROR_PARTIAL)
    fprintf (stderr, "metaleak: warning: %s\n", error->message);
  else
    fprintf (stderr, "metaleak: error: %s\n", error->message);
}

void
ml_warning (const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "metaleak: warning: %s\n", msg);
}
