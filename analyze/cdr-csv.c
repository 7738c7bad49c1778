/* cdr-csv.c -- bandicoot's CSV files: a scanner, field parsers and drop rules.
 *
 * The scanner follows Python's csv module with the default dialect, which
 * bandicoot reads through csv.DictReader: comma-separated, '"' quotes with
 * "" as an escaped quote, a quote only opening a field at its start, line
 * ends \n, \r\n or \r, blank lines skipped, short rows padded with "missing"
 * (Python's None) and extra fields ignored.  Fields are slices of the file
 * buffer: nothing is allocated per field, except that a quoted field with an
 * escaped quote is copied into a per-scanner scratch buffer.
 *
 * Row rules.  --bandicoot-strict keeps bandicoot 0.6.0's io.filter_record()
 * exactly: every bad field is counted under its name, and the record once
 * under "all".  The default (tolerant) rules accept what bandicoot silently
 * loses: blanks around fields, "12.0" durations, "2367.0" antenna ids,
 * location-only rows with an empty direction, upper-case keywords.  Either
 * way every dropped row is listed with its line and reason (docs/cdr.md).
 *
 * Workload: one pass per file; a row without quotes, CR or NUL (nearly all)
 * is split at its commas in one SIMD pass, and most rows repeat the
 * previous row's date, so the parse runs at several million rows a second
 * a core.  Never crashes on malformed input (tests/unit/test-cdr.c fuzzes
 * it).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "analyze/cdr.h"
#include "common/errors.h"
#include "common/timeutil.h"

typedef struct {
  const char *p;   /* start (into the buffer, or the scratch once fixed up) */
  gsize len;       /* bytes */
  gssize soff;     /* offset into the scratch buffer, or -1 */
} Field;

typedef struct {
  const char *buf;   /* the file's contents (borrowed) */
  gsize len;
  gsize pos;         /* next byte to read */
  guint64 line;      /* physical line of the next byte, 1-based */
  guint64 row_line;  /* line where the current row started */
  Field *fields;     /* the current row's fields */
  guint n_fields;
  guint cap_fields;
  GString *scratch;  /* unescaped quoted fields of the current row */
  gboolean nul;      /* the current row holds a NUL byte */
} Scanner;

static void
scanner_init (Scanner *s, const char *buf, gsize len)
{
  memset (s, 0, sizeof *s);
  s->buf = buf;
  s->len = len;
  s->line = 1;
  s->cap_fields = 16;
  s->fields = g_new (Field, s->cap_fields);
  s->scratch = g_string_sized_new (64);
}

static void
scanner_clear (Scanner *s)
{
  g_free (s->fields);
  g_string_free (s->scratch, TRUE);
}

/* Consume one line end at s->pos if there is one. */
static gboolean
eat_newline (Scanner *s)
{
  if (s->pos >= s->len)
    return FALSE;
  if (s->buf[s->pos] == '\n')
    {
      s->pos++;
      s->line++;
      return TRUE;
    }
  if (s->buf[s->pos] == '\r')
    {
      s->pos++;
      if (s->pos < s->len && s->buf[s->pos] == '\n')
        s->pos++;
      s->line++;
      return TRUE;
    }
  return FALSE;
}

/* The bytes an unquoted field stops at (or, for NUL, notes): one table
 * lookup a byte instead of four comparisons. */
static const guint8 plain_stop[256] = { [','] = 1, ['\n'] = 1, ['\r'] = 1, ['\0'] = 1 };

/* The first byte of B[I..N) that plain_stop flags, or N. */
static inline gsize
find_stop (const guint8 *b, gsize i, gsize n)
{
#ifdef __SSE2__
  /* 16 bytes at a time: a field is 1-20 bytes, a row 40-60 */
  const __m128i comma = _mm_set1_epi8 (','), lf = _mm_set1_epi8 ('\n'), cr = _mm_set1_epi8 ('\r');
  const __m128i nul = _mm_setzero_si128 ();

  for (; i + 16 <= n; i += 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (gconstpointer) (b + i));
      __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, comma), _mm_cmpeq_epi8 (v, lf)),
                                  _mm_or_si128 (_mm_cmpeq_epi8 (v, cr), _mm_cmpeq_epi8 (v, nul)));
      int mask = _mm_movemask_epi8 (hit);
      if (mask != 0)
        return i + (gsize) __builtin_ctz ((unsigned) mask);
    }
#endif
  while (i < n && !plain_stop[b[i]])
    i++;
  return i;
}

/* Scan an unquoted field: up to a comma or a line end. */
static void
scan_plain (Scanner *s, Field *f)
{
  const guint8 *b = (const guint8 *) s->buf;
  gsize i = s->pos, n = s->len;

  f->p = s->buf + i;
  for (;;)
    {
      i = find_stop (b, i, n);
      if (i >= n || b[i] != '\0')
        break;
      s->nul = TRUE;
      i++;
    }
  f->len = i - s->pos;
  f->soff = -1;
  s->pos = i;
}

/* Scan a quoted field starting at the opening quote.  The text goes to the
 * scratch buffer; after the closing quote, any characters up to the next
 * comma are appended literally, as Python's non-strict csv does. */
static void
scan_quoted (Scanner *s, Field *f)
{
  const char *b = s->buf;
  gsize i = s->pos + 1;

  f->soff = (gssize) s->scratch->len;
  for (;;)
    {
      if (i >= s->len)
        break;
      if (b[i] == '"')
        {
          if (i + 1 < s->len && b[i + 1] == '"')
            {
              g_string_append_c (s->scratch, '"');
              i += 2;
              continue;
            }
          i++;
          while (i < s->len && b[i] != ',' && b[i] != '\n' && b[i] != '\r')
            g_string_append_c (s->scratch, b[i++]);
          break;
        }
      if (b[i] == '\n' || (b[i] == '\r' && !(i + 1 < s->len && b[i + 1] == '\n')))
        s->line++;
      if (b[i] == '\r' && i + 1 < s->len && b[i + 1] == '\n')
        i++;   /* universal newlines: \r\n reads as \n */
      else if (b[i] == '\r')
        {
          g_string_append_c (s->scratch, '\n');
          i++;
          continue;
        }
      if (b[i] == '\0')
        s->nul = TRUE;
      g_string_append_c (s->scratch, b[i++]);
    }
  f->len = (gsize) s->scratch->len - (gsize) f->soff;
  s->pos = i;
}

/* Append the unquoted field B[START..END) to the current row. */
static inline void
add_plain_field (Scanner *s, gsize start, gsize end)
{
  Field *f;

  if (s->n_fields == s->cap_fields)
    s->fields = g_renew (Field, s->fields, s->cap_fields *= 2);
  f = &s->fields[s->n_fields++];
  f->p = s->buf + start;
  f->len = end - start;
  f->soff = -1;
}

/* The row at s->pos split at its commas, if it has no quote, CR or NUL
 * (nearly every row): its line end (LF or the end of input) and commas
 * found 16 bytes at a time.  FALSE, with nothing consumed, otherwise: the
 * general scanner then reads it. */
static gboolean
scan_simple_row (Scanner *s)
{
  const guint8 *b = (const guint8 *) s->buf;
  gsize i = s->pos, n = s->len, start = s->pos, end;

#ifdef __SSE2__
  const __m128i comma = _mm_set1_epi8 (','), lf = _mm_set1_epi8 ('\n');
  const __m128i quote = _mm_set1_epi8 ('"'), cr = _mm_set1_epi8 ('\r'), nul = _mm_setzero_si128 ();

  for (; i + 16 <= n; i += 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (gconstpointer) (b + i));
      unsigned commas = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, comma));
      unsigned nl = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, lf));
      unsigned special = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (v, quote),
                                                                     _mm_or_si128 (_mm_cmpeq_epi8 (v, cr),
                                                                                   _mm_cmpeq_epi8 (v, nul))));
      unsigned before = nl != 0 ? (1u << __builtin_ctz (nl)) - 1 : 0xFFFFu;   /* bytes of this row */

      if (special & before)
        {
          s->n_fields = 0;
          return FALSE;
        }
      for (commas &= before; commas != 0; commas &= commas - 1)
        {
          gsize at = i + (gsize) __builtin_ctz (commas);
          add_plain_field (s, start, at);
          start = at + 1;
        }
      if (nl != 0)
        {
          end = i + (gsize) __builtin_ctz (nl);
          goto row_end;
        }
    }
#endif
  for (; i < n && b[i] != '\n'; i++)
    {
      if (b[i] == '"' || b[i] == '\r' || b[i] == '\0')
        {
          s->n_fields = 0;
          return FALSE;
        }
      if (b[i] == ',')
        {
          add_plain_field (s, start, i);
          start = i + 1;
        }
    }
  end = i;
#ifdef __SSE2__
row_end:
#endif
  add_plain_field (s, start, end);
  s->pos = end;
  if (end < n)
    {
      s->pos++;   /* the LF */
      s->line++;
    }
  return TRUE;
}

/* Read the next non-blank row into s->fields.  FALSE at the end of input. */
static gboolean
scanner_next (Scanner *s)
{
  while (s->pos < s->len && eat_newline (s))
    ;   /* blank lines */
  if (s->pos >= s->len)
    return FALSE;
  s->n_fields = 0;
  if (s->scratch->len > 0)
    g_string_truncate (s->scratch, 0);
  s->nul = FALSE;
  s->row_line = s->line;
  if (scan_simple_row (s))
    return TRUE;
  for (;;)
    {
      Field *f;

      if (s->n_fields == s->cap_fields)
        s->fields = g_renew (Field, s->fields, s->cap_fields *= 2);
      f = &s->fields[s->n_fields++];
      if (s->pos < s->len && s->buf[s->pos] == '"')
        scan_quoted (s, f);
      else
        scan_plain (s, f);
      if (s->pos < s->len && s->buf[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      eat_newline (s);
      break;
    }
  for (guint i = 0; s->scratch->len > 0 && i < s->n_fields; i++)
    if (s->fields[i].soff >= 0)
      s->fields[i].p = s->scratch->str + s->fields[i].soff;
  return TRUE;
}

/* ---- field parsers ---- */

/* Python's str.strip() whitespace, ASCII part. */
static const guint8 blank[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1, ['\v'] = 1 };

static inline gboolean
is_blank (char c)
{
  return blank[(guint8) c];
}

static inline void
trim (const char **s, gsize *len)
{
  if (*len > 0 && !is_blank (**s) && !is_blank ((*s)[*len - 1]))
    return;   /* the common case */
  while (*len > 0 && is_blank (**s))
    (*s)++, (*len)--;
  while (*len > 0 && is_blank ((*s)[*len - 1]))
    (*len)--;
}

/* Match one of Python's strptime number alternatives at S[*I]: a two-digit
 * value in [LO2, HI2] or a single digit in [LO1, 9], whichever is followed
 * by what NEXT accepts (the regex's ordered alternatives with backtracking
 * reduce to this, because every field is followed by a literal). */
static gboolean
match_num (const char *s, gsize len, gsize *i, int lo2, int hi2, int lo1,
           gboolean (*next) (const char *s, gsize len, gsize at), int *out)
{
  gsize at = *i;

  if (at + 1 < len && g_ascii_isdigit (s[at]) && g_ascii_isdigit (s[at + 1]))
    {
      int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
      if (v >= lo2 && v <= hi2 && next (s, len, at + 2))
        {
          *out = v;
          *i = at + 2;
          return TRUE;
        }
    }
  if (at < len && g_ascii_isdigit (s[at]) && s[at] - '0' >= lo1 && next (s, len, at + 1))
    {
      *out = s[at] - '0';
      *i = at + 1;
      return TRUE;
    }
  return FALSE;
}

static gboolean next_dash (const char *s, gsize len, gsize at) { return at < len && s[at] == '-'; }
static gboolean next_colon (const char *s, gsize len, gsize at) { return at < len && s[at] == ':'; }
static gboolean next_space (const char *s, gsize len, gsize at) { return at < len && is_blank (s[at]); }
static gboolean next_end (const char *s, gsize len, gsize at) { (void) s; return at == len; }

static gboolean
days_valid (int y, int m, int d)
{
  static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  return y >= 1 && m >= 1 && m <= 12 && d >= 1
         && d <= mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* The date part ("YYYY-MM-DD ") of the last datetime fast_datetime()
 * accepted, and the start of that day: records files are mostly in time
 * order, so most rows repeat the previous row's date. */
typedef struct {
  char date[11];
  gboolean valid;
  gint64 day_start;
} DateCache;

static inline gboolean
is_digit (char c)
{
  return (guint) (c - '0') < 10u;
}

#define D2(s, k) (((s)[k] - '0') * 10 + ((s)[(k) + 1] - '0'))

/* "HH:MM:SS" at S as seconds after midnight, or -1. */
static inline int
fast_clock (const char *s)
{
  int h, mi, se;

  if (!is_digit (s[0]) || !is_digit (s[1]) || s[2] != ':' || !is_digit (s[3]) || !is_digit (s[4])
      || s[5] != ':' || !is_digit (s[6]) || !is_digit (s[7]))
    return -1;
  h = D2 (s, 0), mi = D2 (s, 3), se = D2 (s, 6);
  if (h > 23 || mi > 59 || se > 59)
    return -1;
  return h * 3600 + mi * 60 + se;
}

/* The common "YYYY-MM-DD HH:MM:SS" exactly; FALSE sends the caller to the
 * general parser.  CACHE (may be NULL) remembers the last date. */
static gboolean
fast_datetime (const char *s, gsize len, DateCache *cache, gint64 *out)
{
  int y, mo, d, clock;

  if (len != 19 || (clock = fast_clock (s + 11)) < 0)
    return FALSE;
  if (cache != NULL && cache->valid && memcmp (s, cache->date, 11) == 0)
    {
      *out = cache->day_start + clock;
      return TRUE;
    }
  if (!is_digit (s[0]) || !is_digit (s[1]) || !is_digit (s[2]) || !is_digit (s[3]) || s[4] != '-'
      || !is_digit (s[5]) || !is_digit (s[6]) || s[7] != '-' || !is_digit (s[8]) || !is_digit (s[9])
      || s[10] != ' ')
    return FALSE;
  y = D2 (s, 0) * 100 + D2 (s, 2), mo = D2 (s, 5), d = D2 (s, 8);
  if (!days_valid (y, mo, d))
    return FALSE;
  *out = ml_day_start (ml_day_from_ymd (y, mo, d)) + clock;
  if (cache != NULL)
    {
      memcpy (cache->date, s, 11);
      cache->day_start = *out - clock;
      cache->valid = TRUE;
    }
  return TRUE;
}

#undef D2

/* ml_cdr_parse_datetime() with a date cache (may be NULL). */
static gboolean
parse_datetime (const char *s, gsize len, gboolean do_trim, DateCache *cache, gint64 *out)
{
  int y = 0, mo, d, h, mi, se;
  gsize i = 0;

  if (do_trim)
    trim (&s, &len);
  if (fast_datetime (s, len, cache, out))
    return TRUE;
  for (; i < 4; i++)
    {
      if (i >= len || !g_ascii_isdigit (s[i]))
        return FALSE;
      y = y * 10 + (s[i] - '0');
    }
  if (!next_dash (s, len, i++) || !match_num (s, len, &i, 1, 12, 1, next_dash, &mo) || s[i++] != '-')
    return FALSE;
  if (i + 1 < len && s[i] == ' ' && g_ascii_isdigit (s[i + 1]) && s[i + 1] != '0' && next_space (s, len, i + 2))
    d = s[i + 1] - '0', i += 2;   /* Python's ' [1-9]' day */
  else if (!match_num (s, len, &i, 1, 31, 1, next_space, &d))
    return FALSE;
  while (i < len && is_blank (s[i]))
    i++;
  if (!match_num (s, len, &i, 0, 23, 0, next_colon, &h) || s[i++] != ':'
      || !match_num (s, len, &i, 0, 59, 0, next_colon, &mi) || s[i++] != ':'
      || !match_num (s, len, &i, 0, 61, 0, next_end, &se))
    return FALSE;
  if (se > 59 || !days_valid (y, mo, d))
    return FALSE;
  *out = ml_day_start (ml_day_from_ymd (y, mo, d)) + h * 3600 + mi * 60 + se;
  return TRUE;
}

gboolean
ml_cdr_parse_datetime (const char *s, gsize len, gboolean do_trim, gint64 *out)
{
  return parse_datetime (s, len, do_trim, NULL, out);
}

/* Python's int(): blanks, an optional sign, digits with single underscores
 * between them. */
static gboolean
parse_python_int (const char *s, gsize len, gint64 *out)
{
  gboolean neg = FALSE, digit = FALSE;
  guint64 v = 0;
  gsize i = 0;

  trim (&s, &len);
  if (len > 0 && (s[0] == '+' || s[0] == '-'))
    neg = s[i++] == '-';
  for (; i < len; i++)
    {
      if (s[i] == '_' && digit && i + 1 < len && g_ascii_isdigit (s[i + 1]))
        continue;
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      digit = TRUE;
      v = v * 10 + (guint64) (s[i] - '0');
      if (v > ((guint64) 1 << 62))
        return FALSE;
    }
  if (!digit)
    return FALSE;
  *out = neg ? -(gint64) v : (gint64) v;
  return TRUE;
}

/* A finite double from the whole of S (blanks allowed around it), as
 * Python's float() reads it, hexadecimal excluded. */
static gboolean
parse_double (const char *s, gsize len, double *out)
{
  char buf[64];
  char *end = NULL;
  double v;

  trim (&s, &len);
  if (len == 0 || len >= sizeof buf || memchr (s, 'x', len) != NULL || memchr (s, 'X', len) != NULL)
    return FALSE;
  memcpy (buf, s, len);
  buf[len] = '\0';
  v = g_ascii_strtod (buf, &end);
  if (end != buf + len || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
ml_cdr_parse_duration (const char *s, gsize len, gboolean tolerant, gint64 *out)
{
  double v;

  if (parse_python_int (s, len, out))
    return TRUE;
  if (!tolerant || !parse_double (s, len, &v) || v != floor (v) || fabs (v) > 9007199254740992.0)
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

/* The length of S[0..LEN) once normalised: "2367.000" -> 4. */
static gsize
normalized_length (const char *s, gsize len)
{
  gsize i = 0, dot;

  if (len < 3 || s[len - 1] != '0')
    return len;   /* the common case: no ".0..." to drop */
  if (len > 0 && (s[0] == '+' || s[0] == '-'))
    i++;
  if (i >= len || !g_ascii_isdigit (s[i]))
    return len;
  while (i < len && g_ascii_isdigit (s[i]))
    i++;
  if (i >= len - 1 || s[i] != '.')
    return len;
  dot = i++;
  while (i < len && s[i] == '0')
    i++;
  return i == len ? dot : len;
}

gsize
ml_cdr_normalize_antenna (char *s, gsize len)
{
  return normalized_length (s, len);
}

/* ---- records files ---- */

enum { COL_INTERACTION, COL_DIRECTION, COL_CORRESPONDENT, COL_DATETIME, COL_DURATION,
       COL_ANTENNA, COL_LAT, COL_LON, N_COLS };

static const char *const col_names[N_COLS] = {
  "interaction", "direction", "correspondent_id", "datetime", "call_duration",
  "antenna_id", "latitude", "longitude",
};

#define N_REQUIRED 5   /* the first five columns: bandicoot raises KeyError without them */

typedef struct {
  MlCdrUser *user;           /* being filled */
  gboolean strict;           /* bandicoot's rules */
  int col[N_COLS];           /* field index of each column, -1 if absent */
  MlCdrIntern *contacts;     /* contact interning */
  MlCdrIntern *antennas;     /* antenna interning */
  GString *reason;           /* why the current row is dropped */
  DateCache date;            /* the last row's date */
  gboolean bad[ML_CDR_IGN_N];
  guint n_bad;               /* fields marked bad in the current row */
  MlCdrRecord *kept;         /* records kept, appended to the user at the end */
  guint n_kept, cap_kept;
} RowCtx;

/* Field COL of the current row: FALSE when the column or the field is
 * missing (Python's None); trimmed when tolerant. */
static gboolean
get (const RowCtx *c, const Scanner *s, int col, const char **p, gsize *len)
{
  const Field *f;

  if (c->col[col] < 0 || (guint) c->col[col] >= s->n_fields)
    return FALSE;
  f = &s->fields[c->col[col]];
  *p = f->p;
  *len = f->len;
  if (!c->strict)
    trim (p, len);
  return TRUE;
}

/* WORD is lower-case: a first letter that differs in any case rules it out
 * before the case-insensitive compare. */
static inline gboolean
field_is_n (const RowCtx *c, const char *p, gsize len, const char *word, gsize n)
{
  return len == n && (memcmp (p, word, n) == 0
                      || (!c->strict && g_ascii_tolower (p[0]) == word[0] && g_ascii_strncasecmp (p, word, n) == 0));
}

/* Whether the field P[0..LEN) is WORD (a literal); any case when tolerant. */
#define field_is(c, p, len, word) field_is_n ((c), (p), (len), "" word, sizeof (word) - 1)

/* Mark field IGN bad, explaining why with the offending VALUE (NULL: missing). */
static void
mark (RowCtx *c, MlCdrIgnored ign, const char *what, const char *p, gsize len)
{
  c->bad[ign] = TRUE;
  c->n_bad++;
  if (c->reason->len > 0)
    g_string_append (c->reason, "; ");
  if (p == NULL)
    g_string_append_printf (c->reason, "missing %s", what);
  else if (len == 0)
    g_string_append_printf (c->reason, "empty %s", what);
  else
    {
      g_autofree char *v = g_strndup (p, MIN (len, 40));
      g_autofree char *valid = g_utf8_make_valid (v, -1);
      g_string_append_printf (c->reason, "bad %s '%s%s'", what, valid, len > 40 ? "..." : "");
    }
}

static int
parse_kind (RowCtx *c, const Scanner *s)
{
  const char *p;
  gsize len;

  if (!get (c, s, COL_INTERACTION, &p, &len) || len == 0)
    return ML_CDR_OTHER;
  if (field_is (c, p, len, "call"))
    return ML_CDR_CALL;
  if (field_is (c, p, len, "text"))
    return ML_CDR_TEXT;
  if (field_is (c, p, len, "gps"))
    return ML_CDR_OTHER;
  mark (c, ML_CDR_IGN_INTERACTION, "interaction", p, len);
  return ML_CDR_OTHER;
}

/* direction and correspondent_id, which matter for calls and texts only. */
static void
parse_who (RowCtx *c, const Scanner *s, MlCdrRecord *r)
{
  gboolean callandtext = r->kind != ML_CDR_OTHER;
  const char *p = NULL;
  gsize len = 0;
  gboolean have = get (c, s, COL_DIRECTION, &p, &len);

  if (have && field_is (c, p, len, "in"))
    r->direction = ML_CDR_DIR_IN;
  else if (have && field_is (c, p, len, "out"))
    r->direction = ML_CDR_DIR_OUT;
  else if (callandtext || (have && (c->strict || len > 0)))
    mark (c, ML_CDR_IGN_DIRECTION, "direction", have ? p : NULL, len);
  r->contact = -1;
  have = get (c, s, COL_CORRESPONDENT, &p, &len);
  if (have && len > 0 && callandtext)
    r->contact = ml_cdr_user_intern (c->user, c->user->contacts, c->contacts, p, len);
  else if (callandtext)
    mark (c, ML_CDR_IGN_CORRESPONDENT, "correspondent_id", have ? p : NULL, len);
}

static void
parse_when (RowCtx *c, const Scanner *s, MlCdrRecord *r, gboolean is_call)
{
  const char *p = NULL;
  gsize len = 0;
  gboolean have = get (c, s, COL_DATETIME, &p, &len);

  if (!have || !parse_datetime (p, len, !c->strict, &c->date, &r->t))
    mark (c, ML_CDR_IGN_DATETIME, "datetime", have ? p : NULL, len);
  have = get (c, s, COL_DURATION, &p, &len);
  r->has_duration = have && len > 0 && ml_cdr_parse_duration (p, len, !c->strict, &r->duration);
  if (!r->has_duration)
    r->duration = 0;
  if (is_call && !r->has_duration)
    mark (c, ML_CDR_IGN_DURATION, "call_duration", have && len > 0 ? p : NULL, len);
}

/* antenna_id, and latitude/longitude when both are given (non-empty). */
static void
parse_where (RowCtx *c, const Scanner *s, MlCdrRecord *r)
{
  const char *p, *q;
  gsize len, qlen;
  double ll[2];

  r->antenna = -1;
  r->coord = -1;
  if (get (c, s, COL_ANTENNA, &p, &len) && len > 0)
    {
      if (!c->strict && len < 256)
        len = normalized_length (p, len);
      r->antenna = ml_cdr_user_intern (c->user, c->user->antennas, c->antennas, p, len);
    }
  if (get (c, s, COL_LAT, &p, &len) && get (c, s, COL_LON, &q, &qlen) && len > 0 && qlen > 0)
    {
      if (!parse_double (p, len, &ll[0]) || !parse_double (q, qlen, &ll[1]))
        mark (c, ML_CDR_IGN_LOCATION, "latitude/longitude", p, len);
      else
        {
          r->coord = (gint32) c->user->coords->len;
          g_array_append_vals (c->user->coords, ll, 1);
        }
    }
  if (r->kind == ML_CDR_OTHER && r->antenna < 0 && r->coord < 0 && !c->bad[ML_CDR_IGN_LOCATION])
    mark (c, ML_CDR_IGN_LOCATION, "location (no antenna_id, latitude or longitude)", NULL, 0);
}

static void
add_drop (GArray *drops, guint64 line, const char *reason)
{
  MlCdrDrop d = { line, g_strdup (reason) };

  g_array_append_val (drops, d);
}

/* Parse the current row into a record, or count and list it as dropped. */
static void
parse_row (RowCtx *c, const Scanner *s)
{
  MlCdrRecord r = { 0 };
  int kind;

  if (c->n_bad > 0)
    memset (c->bad, 0, sizeof c->bad);
  c->n_bad = 0;
  if (c->reason->len > 0)
    g_string_truncate (c->reason, 0);
  c->user->rows++;
  if (s->nul)
    {
      c->user->ignored[ML_CDR_IGN_ALL]++;
      add_drop (c->user->drops, s->row_line, "NUL byte in row");
      return;
    }
  kind = parse_kind (c, s);
  r.kind = (guint8) kind;
  parse_who (c, s, &r);
  parse_when (c, s, &r, kind == ML_CDR_CALL);
  parse_where (c, s, &r);
  if (c->n_bad == 0)
    {
      if (c->n_kept == c->cap_kept)
        c->kept = g_renew (MlCdrRecord, c->kept, c->cap_kept = MAX (2 * c->cap_kept, 256));
      c->kept[c->n_kept++] = r;
      return;
    }
  for (int i = 1; i < ML_CDR_IGN_N; i++)
    c->user->ignored[i] += c->bad[i] != FALSE;
  c->user->ignored[ML_CDR_IGN_ALL]++;
  add_drop (c->user->drops, s->row_line, c->reason->str);
}

/* Map the header row to columns; FALSE + ERROR when a required one is
 * missing.  Duplicate names: the last wins, as in csv.DictReader. */
static gboolean
map_header (int *col, const Scanner *s, gboolean strict, int n_required,
            const char *const *names, int n_names, const char *file, GError **error)
{
  for (int k = 0; k < n_names; k++)
    col[k] = -1;
  for (guint i = 0; i < s->n_fields; i++)
    {
      const Field *f = &s->fields[i];
      const char *p = f->p;
      gsize len = f->len;

      if (!strict)
        {
          if (i == 0 && len >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
            p += 3, len -= 3;   /* a UTF-8 byte-order mark */
          trim (&p, &len);
        }
      for (int k = 0; k < n_names; k++)
        if (len == strlen (names[k]) && memcmp (p, names[k], len) == 0)
          col[k] = (int) i;
    }
  for (int k = 0; k < n_required; k++)
    if (col[k] < 0)
      {
        g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": missing column '%s'",
                     file, s->row_line, names[k]);
        return FALSE;
      }
  return TRUE;
}

static gint
record_cmp (gconstpointer a, gconstpointer b)
{
  const MlCdrRecord *x = a, *y = b;

  return (x->t > y->t) - (x->t < y->t);
}

/* Sort USER's records by time, stably (g_array_sort is a merge sort). */
static void
sort_records (MlCdrUser *user)
{
  const MlCdrRecord *r = (const MlCdrRecord *) (gpointer) user->records->data;

  for (guint i = 1; i < user->records->len; i++)
    if (r[i].t < r[i - 1].t)
      {
        g_array_sort (user->records, record_cmp);
        return;
      }
}

gboolean
ml_cdr_parse_records (MlCdrUser *user, const char *file, const char *buf, gsize len,
                      gboolean strict, GError **error)
{
  RowCtx c = { .user = user, .strict = strict };
  Scanner s;
  gboolean ok = TRUE;

  g_return_val_if_fail (user != NULL && file != NULL && (buf != NULL || len == 0), FALSE);
  scanner_init (&s, buf, len);
  if (scanner_next (&s))
    {
      ok = map_header (c.col, &s, strict, N_REQUIRED, col_names, N_COLS, file, error);
      c.cap_kept = (guint) MIN (len / 32 + 64, G_MAXUINT / 2);   /* rows are 30-60 bytes: rarely regrown */
      c.kept = g_new (MlCdrRecord, c.cap_kept);
      c.contacts = ml_cdr_intern_new ();
      c.antennas = ml_cdr_intern_new ();
      c.reason = g_string_new (NULL);
      while (ok && scanner_next (&s))
        parse_row (&c, &s);
      g_array_append_vals (user->records, c.kept, c.n_kept);
      g_free (c.kept);
      ml_cdr_intern_free (c.contacts);
      ml_cdr_intern_free (c.antennas);
      g_string_free (c.reason, TRUE);
    }
  scanner_clear (&s);
  if (ok)
    sort_records (user);
  return ok;
}

/* ---- antennas file ---- */

enum { ACOL_ID, ACOL_LAT, ACOL_LON, N_ACOLS };
static const char *const acol_names[N_ACOLS] = { "antenna_id", "latitude", "longitude" };

/* One antennas row: FALSE + ERROR when strict and it is bad; tolerant
 * rows that are bad are listed in A->drops. */
static gboolean
antenna_row (MlCdrAntennas *a, const Scanner *s, const int *col, const char *file,
             gboolean strict, GError **error)
{
  const char *p[N_ACOLS];
  gsize len[N_ACOLS];
  double lat, lon;
  char id[256];
  gsize n;

  for (int k = 0; k < N_ACOLS; k++)
    {
      const Field *f;
      if ((guint) col[k] >= s->n_fields)
        goto bad;
      f = &s->fields[col[k]];
      p[k] = f->p;
      len[k] = f->len;
      if (!strict)
        trim (&p[k], &len[k]);
    }
  if (s->nul || len[ACOL_ID] >= sizeof id
      || !parse_double (p[ACOL_LAT], len[ACOL_LAT], &lat)
      || !parse_double (p[ACOL_LON], len[ACOL_LON], &lon))
    goto bad;
  memcpy (id, p[ACOL_ID], len[ACOL_ID]);
  n = strict ? len[ACOL_ID] : normalized_length (id, len[ACOL_ID]);
  id[n] = '\0';
  if (strlen (id) != n)
    goto bad;
  ml_cdr_antennas_set (a, id, lat, lon);
  return TRUE;
bad:
  if (strict)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT,
                   "%s:%" G_GUINT64_FORMAT ": bad antenna row (bandicoot cannot read it either)",
                   file, s->row_line);
      return FALSE;
    }
  add_drop (a->drops, s->row_line, "bad antenna row: missing field or bad latitude/longitude");
  return TRUE;
}

gboolean
ml_cdr_parse_antennas (MlCdrAntennas *a, const char *file, const char *buf, gsize len,
                       gboolean strict, GError **error)
{
  int col[N_ACOLS];
  Scanner s;
  gboolean ok = TRUE;

  g_return_val_if_fail (a != NULL && file != NULL && (buf != NULL || len == 0), FALSE);
  scanner_init (&s, buf, len);
  if (scanner_next (&s))
    {
      ok = map_header (col, &s, strict, N_ACOLS, acol_names, N_ACOLS, file, error);
      while (ok && scanner_next (&s))
        ok = antenna_row (a, &s, col, file, strict, error);
    }
  scanner_clear (&s);
  return ok;
}
