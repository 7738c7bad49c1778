/* dtoa.c -- the shortest text that reads back as the same double.
 *
 * Grisu2 (Loitsch, "Printing floating-point numbers quickly and accurately
 * with integers", PLDI 2010), as in Milo Yip's dtoa: the double's rounding
 * interval is scaled by a cached power of ten into 64-bit integers and
 * digits are generated until they fall inside it.  The result always
 * reads back exactly (strtod, Python's float()); it is the shortest such
 * text for all but about 0.1 % of doubles, which get one digit more.  The
 * text follows Python's repr(): fixed notation for decimal exponents -4 to
 * 15 ("0.0001", "1234.5", "1e+16", "1.5e-05"), ".0" on integral values.
 *
 * Workload: every real value that `metaleak cdr indicators` prints (10^5
 * for a benchmark run): a few hundred instructions each, against a few
 * thousand for printf's exact "%.17g".  No allocation, no locale.
 */

#include <math.h>
#include <string.h>

#include "common/dtoa.h"

typedef struct {
  guint64 f;   /* significand */
  int e;       /* binary exponent: the value is f * 2^e */
} DiyFp;

#define HIDDEN_BIT G_GUINT64_CONSTANT (0x0010000000000000)
#define SIGNIFICAND_MASK G_GUINT64_CONSTANT (0x000FFFFFFFFFFFFF)
#define EXPONENT_BIAS 1075   /* 0x3FF + 52 */

/* 10^k for k = -348, -340, ..., 340, normalised (bit 63 set), rounded:
 * f * 2^e.  Generated with exact rational arithmetic. */
static const DiyFp cached_powers[] = {
  { G_GUINT64_CONSTANT (0xfa8fd5a0081c0288), -1220 }, { G_GUINT64_CONSTANT (0xbaaee17fa23ebf76), -1193 },
  { G_GUINT64_CONSTANT (0x8b16fb203055ac76), -1166 }, { G_GUINT64_CONSTANT (0xcf42894a5dce35ea), -1140 },
  { G_GUINT64_CONSTANT (0x9a6bb0aa55653b2d), -1113 }, { G_GUINT64_CONSTANT (0xe61acf033d1a45df), -1087 },
  { G_GUINT64_CONSTANT (0xab70fe17c79ac6ca), -1060 }, { G_GUINT64_CONSTANT (0xff77b1fcbebcdc4f), -1034 },
  { G_GUINT64_CONSTANT (0xbe5691ef416bd60c), -1007 }, { G_GUINT64_CONSTANT (0x8dd01fad907ffc3c), -980 },
  { G_GUINT64_CONSTANT (0xd3515c2831559a83), -954 }, { G_GUINT64_CONSTANT (0x9d71ac8fada6c9b5), -927 },
  { G_GUINT64_CONSTANT (0xea9c227723ee8bcb), -901 }, { G_GUINT64_CONSTANT (0xaecc49914078536d), -874 },
  { G_GUINT64_CONSTANT (0x823c12795db6ce57), -847 }, { G_GUINT64_CONSTANT (0xc21094364dfb5637), -821 },
  { G_GUINT64_CONSTANT (0x9096ea6f3848984f), -794 }, { G_GUINT64_CONSTANT (0xd77485cb25823ac7), -768 },
  { G_GUINT64_CONSTANT (0xa086cfcd97bf97f4), -741 }, { G_GUINT64_CONSTANT (0xef340a98172aace5), -715 },
  { G_GUINT64_CONSTANT (0xb23867fb2a35b28e), -688 }, { G_GUINT64_CONSTANT (0x84c8d4dfd2c63f3b), -661 },
  { G_GUINT64_CONSTANT (0xc5dd44271ad3cdba), -635 }, { G_GUINT64_CONSTANT (0x936b9fcebb25c996), -608 },
  { G_GUINT64_CONSTANT (0xdbac6c247d62a584), -582 }, { G_GUINT64_CONSTANT (0xa3ab66580d5fdaf6), -555 },
  { G_GUINT64_CONSTANT (0xf3e2f893dec3f126), -529 }, { G_GUINT64_CONSTANT (0xb5b5ada8aaff80b8), -502 },
  { G_GUINT64_CONSTANT (0x87625f056c7c4a8b), -475 }, { G_GUINT64_CONSTANT (0xc9bcff6034c13053), -449 },
  { G_GUINT64_CONSTANT (0x964e858c91ba2655), -422 }, { G_GUINT64_CONSTANT (0xdff9772470297ebd), -396 },
  { G_GUINT64_CONSTANT (0xa6dfbd9fb8e5b88f), -369 }, { G_GUINT64_CONSTANT (0xf8a95fcf88747d94), -343 },
  { G_GUINT64_CONSTANT (0xb94470938fa89bcf), -316 }, { G_GUINT64_CONSTANT (0x8a08f0f8bf0f156b), -289 },
  { G_GUINT64_CONSTANT (0xcdb02555653131b6), -263 }, { G_GUINT64_CONSTANT (0x993fe2c6d07b7fac), -236 },
  { G_GUINT64_CONSTANT (0xe45c10c42a2b3b06), -210 }, { G_GUINT64_CONSTANT (0xaa242499697392d3), -183 },
  { G_GUINT64_CONSTANT (0xfd87b5f28300ca0e), -157 }, { G_GUINT64_CONSTANT (0xbce5086492111aeb), -130 },
  { G_GUINT64_CONSTANT (0x8cbccc096f5088cc), -103 }, { G_GUINT64_CONSTANT (0xd1b71758e219652c), -77 },
  { G_GUINT64_CONSTANT (0x9c40000000000000), -50 }, { G_GUINT64_CONSTANT (0xe8d4a51000000000), -24 },
  { G_GUINT64_CONSTANT (0xad78ebc5ac620000), 3 }, { G_GUINT64_CONSTANT (0x813f3978f8940984), 30 },
  { G_GUINT64_CONSTANT (0xc097ce7bc90715b3), 56 }, { G_GUINT64_CONSTANT (0x8f7e32ce7bea5c70), 83 },
  { G_GUINT64_CONSTANT (0xd5d238a4abe98068), 109 }, { G_GUINT64_CONSTANT (0x9f4f2726179a2245), 136 },
  { G_GUINT64_CONSTANT (0xed63a231d4c4fb27), 162 }, { G_GUINT64_CONSTANT (0xb0de65388cc8ada8), 189 },
  { G_GUINT64_CONSTANT (0x83c7088e1aab65db), 216 }, { G_GUINT64_CONSTANT (0xc45d1df942711d9a), 242 },
  { G_GUINT64_CONSTANT (0x924d692ca61be758), 269 }, { G_GUINT64_CONSTANT (0xda01ee641a708dea), 295 },
  { G_GUINT64_CONSTANT (0xa26da3999aef774a), 322 }, { G_GUINT64_CONSTANT (0xf209787bb47d6b85), 348 },
  { G_GUINT64_CONSTANT (0xb454e4a179dd1877), 375 }, { G_GUINT64_CONSTANT (0x865b86925b9bc5c2), 402 },
  { G_GUINT64_CONSTANT (0xc83553c5c8965d3d), 428 }, { G_GUINT64_CONSTANT (0x952ab45cfa97a0b3), 455 },
  { G_GUINT64_CONSTANT (0xde469fbd99a05fe3), 481 }, { G_GUINT64_CONSTANT (0xa59bc234db398c25), 508 },
  { G_GUINT64_CONSTANT (0xf6c69a72a3989f5c), 534 }, { G_GUINT64_CONSTANT (0xb7dcbf5354e9bece), 561 },
  { G_GUINT64_CONSTANT (0x88fcf317f22241e2), 588 }, { G_GUINT64_CONSTANT (0xcc20ce9bd35c78a5), 614 },
  { G_GUINT64_CONSTANT (0x98165af37b2153df), 641 }, { G_GUINT64_CONSTANT (0xe2a0b5dc971f303a), 667 },
  { G_GUINT64_CONSTANT (0xa8d9d1535ce3b396), 694 }, { G_GUINT64_CONSTANT (0xfb9b7cd9a4a7443c), 720 },
  { G_GUINT64_CONSTANT (0xbb764c4ca7a44410), 747 }, { G_GUINT64_CONSTANT (0x8bab8eefb6409c1a), 774 },
  { G_GUINT64_CONSTANT (0xd01fef10a657842c), 800 }, { G_GUINT64_CONSTANT (0x9b10a4e5e9913129), 827 },
  { G_GUINT64_CONSTANT (0xe7109bfba19c0c9d), 853 }, { G_GUINT64_CONSTANT (0xac2820d9623bf429), 880 },
  { G_GUINT64_CONSTANT (0x80444b5e7aa7cf85), 907 }, { G_GUINT64_CONSTANT (0xbf21e44003acdd2d), 933 },
  { G_GUINT64_CONSTANT (0x8e679c2f5e44ff8f), 960 }, { G_GUINT64_CONSTANT (0xd433179d9c8cb841), 986 },
  { G_GUINT64_CONSTANT (0x9e19db92b4e31ba9), 1013 }, { G_GUINT64_CONSTANT (0xeb96bf6ebadf77d9), 1039 },
  { G_GUINT64_CONSTANT (0xaf87023b9bf0ee6b), 1066 }
};

static const guint64 powers_of_ten[] = {
  G_GUINT64_CONSTANT (1), G_GUINT64_CONSTANT (10), G_GUINT64_CONSTANT (100),
  G_GUINT64_CONSTANT (1000), G_GUINT64_CONSTANT (10000), G_GUINT64_CONSTANT (100000),
  G_GUINT64_CONSTANT (1000000), G_GUINT64_CONSTANT (10000000), G_GUINT64_CONSTANT (100000000),
  G_GUINT64_CONSTANT (1000000000), G_GUINT64_CONSTANT (10000000000), G_GUINT64_CONSTANT (100000000000),
  G_GUINT64_CONSTANT (1000000000000), G_GUINT64_CONSTANT (10000000000000),
  G_GUINT64_CONSTANT (100000000000000), G_GUINT64_CONSTANT (1000000000000000),
  G_GUINT64_CONSTANT (10000000000000000), G_GUINT64_CONSTANT (100000000000000000),
  G_GUINT64_CONSTANT (1000000000000000000), G_GUINT64_CONSTANT (10000000000000000000),
};

/* X * Y rounded to 64 bits. */
static DiyFp
diy_mul (DiyFp x, DiyFp y)
{
  const guint64 m32 = 0xFFFFFFFFu;
  guint64 a = x.f >> 32, b = x.f & m32, c = y.f >> 32, d = y.f & m32;
  guint64 ac = a * c, bc = b * c, ad = a * d, bd = b * d;
  guint64 tmp = (bd >> 32) + (ad & m32) + (bc & m32);
  DiyFp r;

  tmp += G_GUINT64_CONSTANT (1) << 31;   /* round */
  r.f = ac + (ad >> 32) + (bc >> 32) + (tmp >> 32);
  r.e = x.e + y.e + 64;
  return r;
}

static DiyFp
diy_normalize (DiyFp x)
{
  while (!(x.f & (G_GUINT64_CONSTANT (1) << 63)))
    {
      x.f <<= 1;
      x.e--;
    }
  return x;
}

/* The boundaries of V's rounding interval, on the same exponent. */
static void
boundaries (DiyFp v, DiyFp *minus, DiyFp *plus)
{
  DiyFp pl = { (v.f << 1) + 1, v.e - 1 }, mi;

  while (!(pl.f & (HIDDEN_BIT << 1)))
    {
      pl.f <<= 1;
      pl.e--;
    }
  pl.f <<= 64 - 52 - 2;
  pl.e -= 64 - 52 - 2;
  if (v.f == HIDDEN_BIT)
    mi.f = (v.f << 2) - 1, mi.e = v.e - 2;   /* a power of two: the lower gap is half */
  else
    mi.f = (v.f << 1) - 1, mi.e = v.e - 1;
  mi.f <<= mi.e - pl.e;
  mi.e = pl.e;
  *minus = mi;
  *plus = pl;
}

/* The cached power c = 10^-K that brings binary exponent E into [-60, -32]. */
static DiyFp
cached_power (int e, int *k)
{
  double dk = (-61 - e) * 0.30102999566398114 + 347;   /* log10 (2) */
  int ki = (int) dk;
  guint index;

  if (dk - ki > 0.0)
    ki++;
  index = (guint) ((ki >> 3) + 1);
  g_assert (index < G_N_ELEMENTS (cached_powers));
  *k = -(-348 + (int) (index << 3));
  return cached_powers[index];
}

/* Move the last digit down while that brings the text closer to W. */
static void
round_weed (char *buf, int len, guint64 delta, guint64 rest, guint64 ten_kappa, guint64 wp_w)
{
  while (rest < wp_w && delta - rest >= ten_kappa
         && (rest + ten_kappa < wp_w || wp_w - rest > rest + ten_kappa - wp_w))
    {
      buf[len - 1]--;
      rest += ten_kappa;
    }
}

static int
count_digits (guint32 n)
{
  int d = 1;

  while (d < 10 && n >= powers_of_ten[d])
    d++;
  return d;
}

/* Digits of W (scaled) into BUF until they are inside [MP - DELTA, MP];
 * returns their number, adding to *K the exponent of the last one. */
static int
digit_gen (DiyFp w, DiyFp mp, guint64 delta, char *buf, int *k)
{
  DiyFp one = { G_GUINT64_CONSTANT (1) << -mp.e, mp.e };
  guint64 wp_w = mp.f - w.f;
  guint32 p1 = (guint32) (mp.f >> -one.e);
  guint64 p2 = mp.f & (one.f - 1);
  int kappa = count_digits (p1), len = 0;

  while (kappa > 0)
    {
      guint32 d = (guint32) (p1 / powers_of_ten[kappa - 1]);
      guint64 rest;
      p1 = (guint32) (p1 % powers_of_ten[kappa - 1]);
      if (d != 0 || len != 0)
        buf[len++] = (char) ('0' + d);
      kappa--;
      rest = ((guint64) p1 << -one.e) + p2;
      if (rest <= delta)
        {
          *k += kappa;
          round_weed (buf, len, delta, rest, powers_of_ten[kappa] << -one.e, wp_w);
          return len;
        }
    }
  for (;;)
    {
      char d;
      p2 *= 10;
      delta *= 10;
      d = (char) (p2 >> -one.e);
      if (d != 0 || len != 0)
        buf[len++] = (char) ('0' + d);
      p2 &= one.f - 1;
      kappa--;
      if (p2 < delta)
        {
          *k += kappa;
          round_weed (buf, len, delta, p2, one.f, -kappa < 20 ? wp_w * powers_of_ten[-kappa] : 0);
          return len;
        }
    }
}

/* The digits of V > 0 (finite) into BUF, V = digits * 10^*K; returns how many. */
static int
grisu2 (double v, char *buf, int *k)
{
  guint64 bits;
  DiyFp d, minus, plus, c, w, wp, wm;
  int be;

  memcpy (&bits, &v, sizeof bits);
  be = (int) ((bits >> 52) & 0x7FF);
  d.f = bits & SIGNIFICAND_MASK;
  if (be != 0)
    d.f += HIDDEN_BIT, d.e = be - EXPONENT_BIAS;
  else
    d.e = 1 - EXPONENT_BIAS;
  boundaries (d, &minus, &plus);
  c = cached_power (plus.e, k);
  w = diy_mul (diy_normalize (d), c);
  wp = diy_mul (plus, c);
  wm = diy_mul (minus, c);
  wm.f++;
  wp.f--;
  return digit_gen (w, wp, wp.f - wm.f, buf, k);
}

/* DIGITS[0..LEN) with the decimal point after POINT digits (may be <= 0
 * or > LEN), as Python's repr() writes them, at OUT; returns the end. */
static char *
place_point (const char *digits, int len, int point, char *out)
{
  int x = point - 1;   /* the scientific exponent */

  if (x >= -4 && x < 16)
    {
      if (point <= 0)
        {
          *out++ = '0', *out++ = '.';
          for (int i = 0; i < -point; i++)
            *out++ = '0';
          memcpy (out, digits, (gsize) len);
          return out + len;
        }
      if (point >= len)
        {
          memcpy (out, digits, (gsize) len);
          out += len;
          for (int i = len; i < point; i++)
            *out++ = '0';
          *out++ = '.', *out++ = '0';
          return out;
        }
      memcpy (out, digits, (gsize) point);
      out += point;
      *out++ = '.';
      memcpy (out, digits + point, (gsize) (len - point));
      return out + len - point;
    }
  *out++ = digits[0];
  if (len > 1)
    {
      *out++ = '.';
      memcpy (out, digits + 1, (gsize) (len - 1));
      out += len - 1;
    }
  *out++ = 'e';
  *out++ = x < 0 ? '-' : '+';
  if (x < 0)
    x = -x;
  if (x >= 100)
    *out++ = (char) ('0' + x / 100);
  *out++ = (char) ('0' + x / 10 % 10);
  *out++ = (char) ('0' + x % 10);
  return out;
}

gsize
ml_dtoa (double v, char *buf)
{
  char digits[24];
  char *out = buf;
  int len, k;

  if (v != v)
    return (gsize) g_stpcpy (buf, "nan") - (gsize) buf;
  if (signbit (v))
    *out++ = '-', v = -v;
  if (v == 0.0)
    out = g_stpcpy (out, "0.0");
  else if (v > G_MAXDOUBLE)
    out = g_stpcpy (out, "inf");
  else
    {
      len = grisu2 (v, digits, &k);
      out = place_point (digits, len, len + k, out);
    }
  *out = '\0';
  return (gsize) (out - buf);
}
