/* sha256.c -- SHA-256 with the x86 SHA extensions, GChecksum elsewhere.
 *
 * The accelerated block function follows Intel's "Intel SHA Extensions"
 * white paper (Gulley et al., 2013): the state is kept as ABEF/CDGH in
 * two registers, SHA256RNDS2 does two rounds, SHA256MSG1/MSG2 extend the
 * message schedule four words at a time.  Padding and the final length
 * are FIPS 180-4, section 5.1.1. */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define ML_SHA_X86 1
#include <immintrin.h>
#endif

struct MlSha256 {
  GChecksum *portable;        /* non-NULL: the portable path */
  guint32 h[8];
  guint8 block[64];
  gsize fill;                 /* bytes in BLOCK */
  guint64 total;              /* bytes hashed */
  char hex[65];
  gboolean done;
};

static int force_portable = -1;   /* -1: not forced */

void
ml_sha256_force_portable (gboolean portable)
{
  force_portable = portable ? 1 : 0;
}

gboolean
ml_sha256_accelerated (void)
{
#ifdef ML_SHA_X86
  static int have = -1;
  if (force_portable == 1)
    return FALSE;
  if (have < 0)
    {
      __builtin_cpu_init ();
      have = __builtin_cpu_supports ("sha") && __builtin_cpu_supports ("sse4.1")
             && __builtin_cpu_supports ("ssse3");
    }
  return have;
#else
  return FALSE;
#endif
}

#ifdef ML_SHA_X86
static const guint32 K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Hash NBLOCKS 64-byte blocks of DATA into H. */
__attribute__((target ("sha,sse4.1,ssse3"))) static void
blocks_x86 (guint32 h[8], const guint8 *data, gsize nblocks)
{
  const __m128i bswap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128 ((const __m128i *) &h[0]);       /* DCBA */
  __m128i s1 = _mm_loadu_si128 ((const __m128i *) &h[4]);        /* HGFE */
  __m128i s0;

  tmp = _mm_shuffle_epi32 (tmp, 0xB1);          /* CDAB */
  s1 = _mm_shuffle_epi32 (s1, 0x1B);            /* EFGH */
  s0 = _mm_alignr_epi8 (tmp, s1, 8);            /* ABEF */
  s1 = _mm_blend_epi16 (s1, tmp, 0xF0);         /* CDGH */

  for (; nblocks > 0; nblocks--, data += 64)
    {
      __m128i save0 = s0, save1 = s1;
      __m128i w[4];

      for (int i = 0; i < 4; i++)
        w[i] = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (data + 16 * i)), bswap);
#pragma GCC unroll 16
      for (int i = 0; i < 16; i++)
        {
          __m128i m;
          if (i >= 4)
            {
              /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time */
              __m128i x = _mm_sha256msg1_epu32 (w[i & 3], w[(i + 1) & 3]);
              x = _mm_add_epi32 (x, _mm_alignr_epi8 (w[(i + 3) & 3], w[(i + 2) & 3], 4));
              w[i & 3] = _mm_sha256msg2_epu32 (x, w[(i + 3) & 3]);
            }
          m = _mm_add_epi32 (w[i & 3], _mm_loadu_si128 ((const __m128i *) &K[4 * i]));
          s1 = _mm_sha256rnds2_epu32 (s1, s0, m);
          m = _mm_shuffle_epi32 (m, 0x0E);
          s0 = _mm_sha256rnds2_epu32 (s0, s1, m);
        }
      s0 = _mm_add_epi32 (s0, save0);
      s1 = _mm_add_epi32 (s1, save1);
    }

  tmp = _mm_shuffle_epi32 (s0, 0x1B);           /* FEBA */
  s1 = _mm_shuffle_epi32 (s1, 0xB1);            /* DCHG */
  s0 = _mm_blend_epi16 (tmp, s1, 0xF0);         /* DCBA */
  s1 = _mm_alignr_epi8 (s1, tmp, 8);            /* HGFE */
  _mm_storeu_si128 ((__m128i *) &h[0], s0);
  _mm_storeu_si128 ((__m128i *) &h[4], s1);
}
#else
static void
blocks_x86 (guint32 h[8], const guint8 *data, gsize nblocks)
{
  (void) h, (void) data, (void) nblocks;
  g_assert_not_reached ();
}
#endif

MlSha256 *
ml_sha256_new (void)
{
  static const guint32 iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  };
  MlSha256 *s = g_new0 (MlSha256, 1);

  if (!ml_sha256_accelerated ())
    s->portable = g_checksum_new (G_CHECKSUM_SHA256);
  memcpy (s->h, iv, sizeof iv);
  return s;
}

void
ml_sha256_update (MlSha256 *s, const void *data, gsize len)
{
  const guint8 *p = data;

  g_return_if_fail (s != NULL && !s->done);
  if (s->portable != NULL)
    {
      /* GChecksum takes a gssize: feed huge buffers in pieces */
      while (len > 0)
        {
          gsize n = MIN (len, (gsize) G_MAXSSIZE / 2);
          g_checksum_update (s->portable, p, (gssize) n);
          p += n, len -= n;
        }
      return;
    }
  s->total += len;
  if (s->fill > 0)
    {
      gsize n = MIN (len, 64 - s->fill);
      memcpy (s->block + s->fill, p, n);
      s->fill += n, p += n, len -= n;
      if (s->fill < 64)
        return;
      blocks_x86 (s->h, s->block, 1);
      s->fill = 0;
    }
  if (len >= 64)
    {
      blocks_x86 (s->h, p, len / 64);
      p += len & ~(gsize) 63;
      len &= 63;
    }
  memcpy (s->block, p, len);
  s->fill = len;
}

const char *
ml_sha256_hex (MlSha256 *s)
{
  guint64 bits;

  g_return_val_if_fail (s != NULL, NULL);
  if (s->portable != NULL)
    return g_checksum_get_string (s->portable);
  if (s->done)
    return s->hex;
  bits = s->total * 8;
  s->block[s->fill++] = 0x80;
  if (s->fill > 56)
    {
      memset (s->block + s->fill, 0, 64 - s->fill);
      blocks_x86 (s->h, s->block, 1);
      s->fill = 0;
    }
  memset (s->block + s->fill, 0, 56 - s->fill);
  for (int i = 0; i < 8; i++)
    s->block[56 + i] = (guint8) (bits >> (56 - 8 * i));
  blocks_x86 (s->h, s->block, 1);
  for (int i = 0; i < 8; i++)
    g_snprintf (s->hex + 8 * i, 9, "%08x", s->h[i]);
  s->done = TRUE;
  return s->hex;
}

void
ml_sha256_free (MlSha256 *s)
{
  if (s == NULL)
    return;
  if (s->portable != NULL)
    g_checksum_free (s->portable);
  g_free (s);
}
