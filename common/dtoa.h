/* dtoa.h -- the shortest text that reads back as the same double.
 *
 * For writers whose readers parse numbers back (CSV, JSON) and must get the
 * very same double, faster than printf's "%.17g" and shorter: Python's
 * repr() layout ("0.1", "1234.5", "1e+16", "1.5e-05", "2.0").
 */
#ifndef ML_DTOA_H
#define ML_DTOA_H

#include <glib.h>

G_BEGIN_DECLS

/* Room for any ml_dtoa() text and its NUL ("-2.2250738585072014e-308"). */
#define ML_DTOA_BUF_SIZE 32

/* Write V into BUF (ML_DTOA_BUF_SIZE bytes) as text that strtod() and
 * Python's float() read back as exactly V, NUL-terminated: the shortest
 * such digits but for rare cases (Grisu2) in Python's repr() layout; "nan",
 * "inf", "-inf" when not finite.  Returns the text's length.  Thread-safe,
 * locale-independent. */
gsize ml_dtoa (double v, char *buf);

G_END_DECLS

#endif /* ML_DTOA_H */
