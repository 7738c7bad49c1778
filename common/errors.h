/* errors.h -- the metaleak error domain and its mapping to exit codes.
 *
 * Every recoverable failure in metaleak is a GError in ML_ERROR (or a
 * GLib/GIO domain passed through).  Only the dispatcher turns an error into
 * a message and an exit status: 0 ok, 1 runtime failure, 2 bad usage or bad
 * input, 3 partial result.  Library code never prints errors itself.
 */
#ifndef ML_ERRORS_H
#define ML_ERRORS_H

#include <glib.h>

G_BEGIN_DECLS

#define ML_ERROR (ml_error_quark ())

typedef enum {
  ML_ERROR_FAILED,        /* runtime failure of unspecified kind     -> 1 */
  ML_ERROR_IO,            /* a file could not be read or written     -> 1 */
  ML_ERROR_DB,            /* SQLite reported a failure               -> 1 */
  ML_ERROR_INTERRUPTED,   /* SIGINT/SIGTERM stopped the run          -> 1 */
  ML_ERROR_USAGE,         /* bad command line                        -> 2 */
  ML_ERROR_INPUT,         /* bad input file: config, CSV, database   -> 2 */
  ML_ERROR_EXISTS,        /* output exists and --force was not given -> 2 */
  ML_ERROR_SCHEMA,        /* database of the wrong kind or version   -> 2 */
  ML_ERROR_PARTIAL,       /* outputs written but something missing   -> 3 */
} MlErrorCode;

typedef enum {
  ML_EXIT_OK = 0,
  ML_EXIT_FAILURE = 1,
  ML_EXIT_USAGE = 2,
  ML_EXIT_PARTIAL = 3,
} MlExit;

GQuark ml_error_quark (void);

/* The exit status for ERROR (ML_EXIT_OK for NULL).  Errors from GLib's
 * option parser and key-file parser count as bad usage/input; every other
 * foreign domain is a runtime failure. */
MlExit ml_exit_code_for (const GError *error);

/* Print ERROR the way git does ("metaleak: error: MESSAGE") on stderr. */
void ml_error_print (const GError *error);

/* Print a warning ("metaleak: warning: ...") on stderr. */
void ml_warning (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS

#endif /* ML_ERRORS_H */
