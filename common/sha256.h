/* sha256.h -- SHA-256 with the x86 SHA extensions where the CPU has them.
 *
 * GLib's GChecksum hashes about 190 MB/s on this machine; the manifest
 * hashes every output file, 11 GB for the city scenario.  The SHA
 * extensions (SHA-NI: Intel Goldmont and Ice Lake on, AMD Zen) do the
 * same work at about 1.5-2 GB/s.  Where the CPU lacks them, or on other
 * architectures, MlSha256 is a thin wrapper over GChecksum: both give the
 * same digest (FIPS 180-4), which test-sha256 checks. */
#ifndef ML_SHA256_H
#define ML_SHA256_H

#include <glib.h>

typedef struct MlSha256 MlSha256;

MlSha256 *ml_sha256_new (void);
void ml_sha256_update (MlSha256 *s, const void *data, gsize len);
/* The digest as 64 lowercase hex digits; S may not be updated after. */
const char *ml_sha256_hex (MlSha256 *s);
void ml_sha256_free (MlSha256 *s);

/* Whether this process uses the SHA extensions (for tests and logs). */
gboolean ml_sha256_accelerated (void);
/* Force the portable path (tests): TRUE disables the extensions. */
void ml_sha256_force_portable (gboolean portable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlSha256, ml_sha256_free)

#endif
