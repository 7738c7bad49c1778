/* importlog.c -- build a provider.db from a real lookup log in CSV.
 *
 * Two passes over the file.  The first parses every line, lists malformed
 * ones (import-errors.csv; fatal with --strict) and collects the distinct
 * handles and IPs; ids are then assigned in sorted order, so that an id
 * says nothing about when or how often a handle was seen.  The second pass
 * parses the lines again (the same decisions, the same order) and inserts
 * the valid rows with one prepared statement in one transaction into a
 * database that becomes OUT_DIR/provider.db only when complete
 * (ml_db_create/ml_db_finish).
 *
 * Invariants: a line is a row, a blank line, the header (only the first
 * non-blank line may be) or malformed; every malformed line is in
 * import-errors.csv.  Workload: see importlog.h; a line is parsed in about
 * a microsecond, the insert dominates.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "analyze/importlog.h"
#include "analyze/pseudonym.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/outdir.h"
#include "common/progress.h"
#include "common/schema.h"

#define N_FIELDS 5
#define MAX_DEVICES 1000               /* more iMessage devices on one handle is a typo */
#define IPV6_ID_BASE (G_GINT64_CONSTANT (1) << 32)

/* One parsed line. */
typedef struct {
  MlTime ts;
  const char *source, *lookup;         /* borrowed from the split fields */
  char ip[48];                         /* canonical text */
  gint64 devices;
} Row;

/* A distinct client IP and its future id. */
typedef struct {
  gboolean v6;
  guint32 v4;                          /* host order */
  guint8 bytes[16];                    /* v6 address */
  char text[48];                       /* canonical text */
  gint64 id;
} IpKey;

typedef struct {
  const char *csv;
  MlImportStats *st;
  gboolean strict;
  gboolean second;                     /* in the inserting pass */
  GHashTable *handles;                 /* text -> gint64* id (pass 2) */
  GHashTable *ips;                     /* canonical text -> IpKey* */
  FILE *errors;                        /* import-errors.csv being written, or NULL */
  char *errors_tmp;
  MlBulk *insert;                      /* pass 2 */
  guint64 line;
  gboolean seen_content;               /* a non-blank line has been read */
  GString *scratch;                    /* the line being split */
} Import;

void
ml_import_stats_clear (MlImportStats *s)
{
  g_return_if_fail (s != NULL);
  g_clear_pointer (&s->messages, g_ptr_array_unref);
}

/* ---- CSV ---- */

#define MAX_FIELDS 64                  /* more is reported as "more than 64" */

/* Split LINE in place into fields (pointers into LINE, NUL-terminated
 * there): ',' separates, RFC 4180 double quotes protect commas and '""' is
 * a quote, unquoted fields are trimmed of blanks.  Stores at most MAX
 * fields in FIELDS and returns their number, MAX + 1 if there are more,
 * -1 on an unbalanced quote or text after a closing quote.  No allocation:
 * called for every line of the log, twice. */
static int
split_inplace (char *line, char **fields, int max)
{
  char *p = line;

  for (int n = 0;; n++)
    {
      char *start, *end, sep;

      while (*p == ' ' || *p == '\t')
        p++;
      if (n == max)
        return max + 1;
      if (*p == '"')
        {
          for (start = end = ++p;; *end++ = *p++)
            {
              if (*p == '\0')
                return -1;
              if (*p == '"' && p[1] == '"')
                p++;                   /* "" -> " */
              else if (*p == '"')
                break;
            }
          for (p++; *p == ' ' || *p == '\t'; p++)
            ;
          if (*p != ',' && *p != '\0')
            return -1;
        }
      else
        {
          for (start = p; *p != ',' && *p != '\0'; p++)
            ;
          for (end = p; end > start && (end[-1] == ' ' || end[-1] == '\t'); end--)
            ;
        }
      sep = *p;
      *end = '\0';                     /* END <= P: the separator was saved */
      fields[n] = start;
      if (sep == '\0')
        return n + 1;
      p++;
    }
}

char **
ml_importlog_split_csv (const char *line)
{
  g_autofree char *copy = NULL;
  g_autofree char **f = NULL;
  int max = 1, n;

  g_return_val_if_fail (line != NULL, NULL);
  for (const char *p = line; *p; p++)
    max += *p == ',';
  copy = g_strdup (line);
  f = g_new0 (char *, max + 1);
  if ((n = split_inplace (copy, f, max)) < 0)
    return NULL;
  g_assert (n <= max);
  for (int i = 0; i < n; i++)
    f[i] = g_strdup (f[i]);
  f[n] = NULL;
  return g_steal_pointer (&f);
}

/* ---- one line ---- */

static gboolean
parse_ts (const char *text, MlTime *out)
{
  gboolean numeric = text[0] != '\0';

  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != '.')
      numeric = FALSE;
  return numeric ? ml_time_parse_epoch (text, out, NULL) : ml_time_parse_iso8601 (text, out, NULL);
}

/* Parse TEXT as a client IP into KEY and its canonical text into OUT. */
static gboolean
parse_ip (const char *text, IpKey *key, char out[48])
{
  g_autoptr(GInetAddress) a = NULL;
  g_autofree char *canon = NULL;

  memset (key, 0, sizeof *key);
  if (strchr (text, ':') == NULL)
    {
      if (!ml_ipv4_parse (text, &key->v4))
        return FALSE;
      ml_ipv4_to_string (key->v4, out);
      return TRUE;
    }
  if (strchr (text, '%') != NULL || (a = g_inet_address_new_from_string (text)) == NULL
      || g_inet_address_get_family (a) != G_SOCKET_FAMILY_IPV6)
    return FALSE;
  key->v6 = TRUE;
  memcpy (key->bytes, g_inet_address_to_bytes (a), 16);
  canon = g_inet_address_to_string (a);
  g_strlcpy (out, canon, 48);
  return TRUE;
}

/* Parse the N fields F of a line into R, or return why not (caller frees). */
static char *
parse_row (char **f, int n, Row *r, IpKey *ip)
{
  guint64 dev;

  if (n != N_FIELDS)
    return g_strdup_printf ("expected %d fields (timestamp,source,lookup,ip,devices), found %s%d",
                            N_FIELDS, n > MAX_FIELDS ? "more than " : "", MIN (n, MAX_FIELDS));
  if (!parse_ts (f[0], &r->ts))
    return g_strdup_printf ("bad timestamp '%s'", f[0]);
  if (f[1][0] == '\0' || f[2][0] == '\0')
    return g_strdup_printf ("empty %s handle", f[1][0] == '\0' ? "source" : "lookup");
  if (!parse_ip (f[3], ip, r->ip))
    return g_strdup_printf ("bad client IP '%s'", f[3]);
  g_strlcpy (ip->text, r->ip, sizeof ip->text);
  if (!g_ascii_string_to_unsigned (f[4], 10, 0, MAX_DEVICES, &dev, NULL))
    return g_strdup_printf ("bad lookup devices '%s' (0..%d)", f[4], MAX_DEVICES);
  r->source = f[1];
  r->lookup = f[2];
  r->devices = (gint64) dev;
  return NULL;
}

/* Whether the first non-blank line, split into N fields F, is a header:
 * its timestamp and device count both fail to parse. */
static gboolean
is_header (char **f, int n)
{
  MlTime t;

  return n == N_FIELDS && !parse_ts (f[0], &t)
         && !g_ascii_string_to_unsigned (f[4], 10, 0, G_MAXUINT64, NULL, NULL);
}

/* ---- malformed lines ---- */

/* Write S as one CSV field to OUT (quoted when needed). */
static void
csv_field (FILE *out, const char *s)
{
  if (strpbrk (s, ",\"\n\r") == NULL)
    {
      fputs (s, out);
      return;
    }
  fputc ('"', out);
  for (; *s; s++)
    {
      if (*s == '"')
        fputc ('"', out);
      fputc (*s, out);
    }
  fputc ('"', out);
}

/* Open OUT_DIR's import-errors.csv under a temporary name. */
static gboolean
errors_open (Import *im, const char *out_dir, GError **error)
{
  int fd;

  im->errors_tmp = g_build_filename (out_dir, "import-errors.csv.tmp-XXXXXX", NULL);
  if ((fd = g_mkstemp (im->errors_tmp)) < 0 || (im->errors = fdopen (fd, "w")) == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", im->errors_tmp, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  fputs ("line,reason,text\n", im->errors);
  return TRUE;
}

/* Record malformed line TEXT: import-errors.csv, the message list, or with
 * --strict the error itself. */
static gboolean
malformed (Import *im, const char *reason, const char *text, GError **error)
{
  if (im->strict)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": %s", im->csv, im->line, reason);
      return FALSE;
    }
  im->st->malformed++;
  if (im->st->messages->len < ML_IMPORT_MAX_MESSAGES)
    g_ptr_array_add (im->st->messages, g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": %s", im->csv, im->line, reason));
  fprintf (im->errors, "%" G_GUINT64_FORMAT ",", im->line);
  csv_field (im->errors, reason);
  fputc (',', im->errors);
  csv_field (im->errors, text);
  fputc ('\n', im->errors);
  return !ferror (im->errors) || (g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s",
                                               im->errors_tmp, g_strerror (errno)), FALSE);
}

/* ---- the two passes ---- */

/* Pass 1: remember R's handles and IP. */
static void
collect (Import *im, const Row *r, const IpKey *ip)
{
  if (!g_hash_table_contains (im->handles, r->source))
    g_hash_table_insert (im->handles, g_strdup (r->source), NULL);
  if (!g_hash_table_contains (im->handles, r->lookup))
    g_hash_table_insert (im->handles, g_strdup (r->lookup), NULL);
  if (!g_hash_table_contains (im->ips, r->ip))
    g_hash_table_insert (im->ips, g_strdup (r->ip), g_memdup2 (ip, sizeof *ip));
  im->st->first = im->st->rows == 0 ? r->ts : MIN (im->st->first, r->ts);
  im->st->last = im->st->rows == 0 ? r->ts : MAX (im->st->last, r->ts);
  im->st->rows++;
}

/* Pass 2: insert R with the ids assigned after pass 1. */
static gboolean
insert (Import *im, const Row *r, GError **error)
{
  const gint64 *src = g_hash_table_lookup (im->handles, r->source);
  const gint64 *dst = g_hash_table_lookup (im->handles, r->lookup);
  const IpKey *ip = g_hash_table_lookup (im->ips, r->ip);

  g_assert (src != NULL && dst != NULL && ip != NULL);
  ml_bulk_int64 (im->insert, r->ts);
  ml_bulk_int64 (im->insert, *src);
  ml_bulk_int64 (im->insert, *dst);
  ml_bulk_int64 (im->insert, ip->id);
  ml_bulk_int64 (im->insert, r->devices);
  return ml_bulk_end_row (im->insert, error);
}

/* Handle one line TEXT (line end removed) in the current pass.  TEXT is
 * split in a copy (IM->scratch) so that a malformed line is reported as
 * read. */
static gboolean
handle_line (Import *im, const char *text, gsize len, GError **error)
{
  g_autofree char *why = NULL;
  gboolean first = !im->seen_content;
  char *f[MAX_FIELDS];
  int n;
  Row r;
  IpKey ip;

  if (im->line == 1 && g_str_has_prefix (text, "\xEF\xBB\xBF"))
    text += 3, len -= 3;               /* UTF-8 byte order mark */
  if (text[strspn (text, " \t")] == '\0')
    return TRUE;                       /* blank: no row */
  im->seen_content = TRUE;
  g_string_append_len (g_string_truncate (im->scratch, 0), text, (gssize) len);
  if ((n = split_inplace (im->scratch->str, f, MAX_FIELDS)) < 0)
    return im->second || malformed (im, "unbalanced quote", text, error);
  if (first && is_header (f, n))
    return (im->st->header = TRUE);
  if ((why = parse_row (f, n, &r, &ip)) != NULL)
    return im->second || malformed (im, why, text, error);
  if (im->second)
    return insert (im, &r, error);
  collect (im, &r, &ip);
  return TRUE;
}

static gboolean
scan (Import *im, GError **error)
{
  FILE *in = fopen (im->csv, "r");
  g_autofree char *buf = NULL;
  size_t cap = 0;
  ssize_t n;
  gboolean ok = TRUE;
  g_autoptr(MlProgress) progress = NULL;
  GStatBuf sb;

  if (in == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: %s", im->csv, g_strerror (errno));
      return FALSE;
    }
  progress = ml_progress_new (im->second ? "import (rows)" : "import (check)",
                              g_stat (im->csv, &sb) == 0 ? (guint64) sb.st_size : 0, "bytes");
  im->line = 0;
  im->seen_content = FALSE;
  while (ok && (n = getline (&buf, &cap, in)) >= 0)
    {
      while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
      im->line++;
      ok = handle_line (im, buf, (gsize) n, error);
      if (ok && (im->line & 0xffff) == 0)
        {
          ok = ml_check_interrupted (error);
          ml_progress_update (progress, (guint64) ftello (in), im->line);
        }
    }
  if (ok && ferror (in))
    ok = (g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot read: %s", im->csv, g_strerror (errno)), FALSE);
  fclose (in);
  ml_progress_finish (progress);
  if (!im->second)
    im->st->lines = im->line;
  return ok;
}

/* ---- ids ---- */

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_ip (gconstpointer a, gconstpointer b)
{
  const IpKey *x = *(const IpKey *const *) a, *y = *(const IpKey *const *) b;

  if (x->v6 != y->v6)
    return x->v6 ? 1 : -1;
  if (!x->v6)
    return (x->v4 > y->v4) - (x->v4 < y->v4);
  return memcmp (x->bytes, y->bytes, 16);
}

/* Give every handle its id (1.. in text order) and insert the handles. */
static gboolean
write_handles (Import *im, MlDb *db, GError **error)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (im->handles, NULL);
  guint n = g_hash_table_size (im->handles);
  g_autoptr(MlStmt) s = ml_db_prepare (db, ML_SQL_INSERT_HANDLE, error);

  if (s == NULL)
    return FALSE;
  qsort (keys, n, sizeof *keys, compare_str);
  for (guint i = 0; i < n; i++)
    {
      gint64 id = (gint64) i + 1;
      g_hash_table_insert (im->handles, g_strdup (keys[i]), g_memdup2 (&id, sizeof id));
      if (!ml_stmt_bind_int64 (s, 1, id, error) || !ml_stmt_bind_text (s, 2, keys[i], -1, error)
          || !ml_stmt_run (s, error))
        return FALSE;
    }
  im->st->handles = n;
  return TRUE;
}

/* Give every IP its id (IPv4: the address; IPv6: 2^32 + rank in address
 * order) and insert the IPs in id order. */
static gboolean
write_ips (Import *im, MlDb *db, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, ML_SQL_INSERT_IP, error);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;
  gint64 rank = 0;

  if (s == NULL)
    return FALSE;
  g_hash_table_iter_init (&it, im->ips);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_ptr_array_add (keys, v);
  g_ptr_array_sort (keys, compare_ip);
  for (guint i = 0; i < keys->len; i++)
    {
      IpKey *ip = g_ptr_array_index (keys, i);
      ip->id = ip->v6 ? IPV6_ID_BASE + rank++ : (gint64) ip->v4;
      if (!ml_stmt_bind_int64 (s, 1, ip->id, error) || !ml_stmt_bind_text (s, 2, ip->text, -1, error)
          || !ml_stmt_run (s, error))
        return FALSE;
    }
  im->st->ips = keys->len;
  return TRUE;
}

/* ---- the database ---- */

static gboolean
write_meta (Import *im, MlDb *db, GError **error)
{
  g_autofree char *first = ml_time_format_iso8601 (im->st->first);
  g_autofree char *last = ml_time_format_iso8601 (im->st->last);
  g_autofree char *base = g_path_get_basename (im->csv);

  return ml_db_set_meta (db, "log_start", first, error) && ml_db_set_meta (db, "log_end", last, error)
         && ml_db_set_meta (db, "source_file", base, error);
}

/* Pass 2 into a new OUT_DIR/provider.db, published on success. */
static gboolean
write_database (Import *im, const char *out_dir, GError **error)
{
  g_autofree char *path = g_build_filename (out_dir, "provider.db", NULL);
  g_autoptr(MlDb) db = ml_db_create (path, FALSE, error);
  gboolean ok;

  if (db == NULL || !ml_schema_provider_create (db, error) || !ml_db_begin (db, error)
      || !write_handles (im, db, error) || !write_ips (im, db, error)
      || (im->insert = ml_bulk_new (db, ML_SQL_LOOKUP_COLUMNS, 5, error)) == NULL)
    return FALSE;
  im->second = TRUE;
  ok = scan (im, error) && ml_bulk_flush (im->insert, error);
  g_clear_pointer (&im->insert, ml_bulk_free);
  return ok && ml_db_commit (db, error) && write_meta (im, db, error)
         && ml_schema_provider_index (db, error) && ml_db_finish (db, error);
}

/* Publish import-errors.csv (when a row was malformed). */
static gboolean
errors_publish (Import *im, const char *out_dir, GError **error)
{
  g_autofree char *path = g_build_filename (out_dir, "import-errors.csv", NULL);
  int failed = fclose (im->errors);

  im->errors = NULL;
  if (failed != 0 || (im->st->malformed > 0 && g_rename (im->errors_tmp, path) != 0))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      return FALSE;
    }
  if (im->st->malformed == 0)
    {
      g_unlink (im->errors_tmp);
      g_unlink (path);                 /* a stale list from an earlier import */
    }
  return TRUE;
}

static void
import_clear (Import *im)
{
  if (im->errors != NULL)
    fclose (im->errors);
  if (im->errors_tmp != NULL)
    g_unlink (im->errors_tmp);         /* gone already once published */
  g_clear_pointer (&im->errors_tmp, g_free);
  g_clear_pointer (&im->handles, g_hash_table_unref);
  g_clear_pointer (&im->ips, g_hash_table_unref);
  if (im->scratch != NULL)
    g_string_free (g_steal_pointer (&im->scratch), TRUE);
}

static gboolean
import_run (Import *im, const char *out_dir, GError **error)
{
  g_autofree char *key_path = g_build_filename (out_dir, "pseudonym.key", NULL);
  guint8 key[32];

  if (g_mkdir_with_parents (out_dir, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create: %s", out_dir, g_strerror (errno));
      return FALSE;
    }
  if (!errors_open (im, out_dir, error) || !scan (im, error))
    return FALSE;
  if (im->st->rows == 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no valid row (%" G_GUINT64_FORMAT " malformed)",
                   im->csv, im->st->malformed);
      return FALSE;
    }
  return write_database (im, out_dir, error) && errors_publish (im, out_dir, error)
         && ml_pseudonym_key_ensure (key_path, key, error);
}

gboolean
ml_importlog_run_stats (const char *csv, const char *out_dir, gboolean strict,
                        MlImportStats *stats, GError **error)
{
  MlImportStats st = { 0 };
  Import im = { 0 };
  gboolean ok;

  g_return_val_if_fail (csv != NULL && out_dir != NULL && stats != NULL, FALSE);
  st.messages = g_ptr_array_new_with_free_func (g_free);
  im.csv = csv;
  im.st = &st;
  im.strict = strict;
  im.handles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  im.ips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  im.scratch = g_string_sized_new (256);
  ok = import_run (&im, out_dir, error);
  import_clear (&im);
  if (!ok)
    {
      ml_import_stats_clear (&st);
      return FALSE;
    }
  ml_import_stats_clear (stats);
  *stats = st;
  return TRUE;
}

gboolean
ml_importlog_run (const char *csv, const char *out_dir, gboolean strict, GError **error)
{
  g_auto(MlImportStats) st = { 0 };
  g_autofree char *errors = NULL;

  if (!ml_importlog_run_stats (csv, out_dir, strict, &st, error))
    return FALSE;
  if (st.malformed == 0)
    return TRUE;
  errors = g_build_filename (out_dir, "import-errors.csv", NULL);
  ml_warning ("%s: %" G_GUINT64_FORMAT " malformed rows skipped (first: %s); all are listed in %s",
              csv, st.malformed, (const char *) g_ptr_array_index (st.messages, 0), errors);
  return TRUE;
}
