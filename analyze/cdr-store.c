/* cdr-store.c -- cdr.db: imported CDRs, one packed row per user.
 *
 * Layout (schema "cdr", version 1; see docs/cdr.md):
 *   meta          schema stamp, strict (0/1), antennas_path
 *   antennas      antenna_id TEXT PRIMARY KEY, latitude REAL, longitude REAL
 *   users         user_id, name, file, rows read, records kept, ignored_* counters
 *   user_records  user_id, n, records BLOB (n records, varint-packed: see pack_records),
 *                 contacts BLOB and antennas BLOB (NUL-terminated strings, by index),
 *                 coords BLOB (little-endian double pairs, by index)
 *   dropped       user_id (NULL: the antennas file), line, reason
 * One row per user rather than per record: SQLite inserts about 4*10^5
 * rows a second here, so a row per record would cost 2.5 s a million
 * records, six times the whole import-and-indicators budget; a user's
 * records are always read together anyway.
 *
 * Invariant: the blobs are written and read byte by byte (varints,
 * little-endian doubles), so a cdr.db moves between machines.  Readers
 * check every length and index: a corrupt blob is an error, never a crash.
 *
 * Workload: one INSERT per user and per dropped row at import; one SELECT
 * per user when computing indicators.
 */

#include <string.h>

#include "analyze/cdr.h"
#include "common/errors.h"

static const char schema_sql[] =
  "CREATE TABLE antennas (antenna_id TEXT PRIMARY KEY, latitude REAL NOT NULL, longitude REAL NOT NULL);"
  "CREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, file TEXT NOT NULL,"
  " rows INTEGER NOT NULL, records INTEGER NOT NULL, ignored_all INTEGER NOT NULL,"
  " ignored_interaction INTEGER NOT NULL, ignored_direction INTEGER NOT NULL,"
  " ignored_correspondent_id INTEGER NOT NULL, ignored_datetime INTEGER NOT NULL,"
  " ignored_call_duration INTEGER NOT NULL, ignored_location INTEGER NOT NULL);"
  "CREATE TABLE user_records (user_id INTEGER PRIMARY KEY REFERENCES users, n INTEGER NOT NULL,"
  " records BLOB NOT NULL, contacts BLOB NOT NULL, antennas BLOB NOT NULL, coords BLOB NOT NULL);"
  "CREATE TABLE dropped (user_id INTEGER REFERENCES users, line INTEGER NOT NULL, reason TEXT NOT NULL);";

struct MlCdrStore {
  MlDb *db;                 /* read-only */
  MlStmt *load;             /* SELECT of one user's blobs */
  MlCdrAntennas *antennas;  /* loaded at open */
  GPtrArray *names;         /* of char *, by index (user_id order) */
  GArray *ids;              /* of gint64 user_id, by index */
  GArray *counts;           /* of guint64[1 + ML_CDR_IGN_N]: rows, then ignored_*, by index */
  GHashTable *by_name;      /* name -> index + 1 */
  gboolean strict;
};

static gboolean
store_antennas (MlDb *db, const MlCdrAntennas *a, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "INSERT INTO antennas VALUES (?1, ?2, ?3)", error);

  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < a->ids->len; i++)
    if (!ml_stmt_bind_text (s, 1, g_ptr_array_index (a->ids, i), -1, error)
        || !ml_stmt_bind_double (s, 2, g_array_index (a->coords, double, 2 * i), error)
        || !ml_stmt_bind_double (s, 3, g_array_index (a->coords, double, 2 * i + 1), error)
        || !ml_stmt_run (s, error))
      return FALSE;
  return TRUE;
}

/* Insert DROPS for user ID (-1: the antennas file) with S, a prepared
 * INSERT INTO dropped. */
static gboolean
store_drops (MlStmt *s, gint64 id, const GArray *drops, GError **error)
{
  for (guint i = 0; i < drops->len; i++)
    {
      const MlCdrDrop *d = &g_array_index (drops, MlCdrDrop, i);
      if ((id >= 0 ? !ml_stmt_bind_int64 (s, 1, id, error) : !ml_stmt_bind_null (s, 1, error))
          || !ml_stmt_bind_int64 (s, 2, (gint64) d->line, error)
          || !ml_stmt_bind_text (s, 3, d->reason, -1, error)
          || !ml_stmt_run (s, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
store_antenna_drops (MlDb *db, const GArray *drops, GError **error)
{
  g_autoptr(MlStmt) s = NULL;

  if (drops->len == 0)
    return TRUE;
  s = ml_db_prepare (db, "INSERT INTO dropped VALUES (?1, ?2, ?3)", error);
  return s != NULL && store_drops (s, -1, drops, error);
}

gboolean
ml_cdr_store_init (MlDb *db, const MlCdrAntennas *a, gboolean strict, GError **error)
{
  g_return_val_if_fail (db != NULL && a != NULL, FALSE);
  /* 64 KiB pages: a user's row (~9 KB for 1,000 records) then fits in one
   * page instead of a chain of 4 KiB overflow pages, and committing writes
   * a sixteenth as many pages (11 ms -> 3 ms for the benchmark). */
  return ml_db_exec (db, "PRAGMA page_size = 65536", error)
         && ml_db_exec (db, schema_sql, error)
         && ml_db_set_schema (db, ML_CDR_SCHEMA_KIND, ML_CDR_SCHEMA_VERSION, error)
         && ml_db_set_meta (db, "strict", strict ? "1" : "0", error)
         && ml_db_set_meta (db, "antennas_path", a->path, error)
         && store_antennas (db, a, error)
         && store_antenna_drops (db, a->drops, error);
}

/* ---- packing ---- */

static void
put64 (guint8 *p, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

static guint64
get64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

/* Write V as a LEB128 varint at P; returns the byte after it. */
static guint8 *
put_varint (guint8 *p, guint64 v)
{
  do
    {
      *p++ = (guint8) ((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
      v >>= 7;
    }
  while (v != 0);
  return p;
}

static guint64
zigzag (gint64 v)
{
  return ((guint64) v << 1) ^ (guint64) (v >> 63);
}

static gint64
unzigzag (guint64 v)
{
  return (gint64) (v >> 1) ^ -(gint64) (v & 1);
}

/* USER's records, each as a flags byte (kind | direction << 2 |
 * has_duration << 4) then varints: the time since the previous record
 * (zigzag), the duration (zigzag, if any), contact + 1, antenna + 1,
 * coord + 1.  About 9 bytes a record instead of 32. */
static guint8 *
pack_records (const MlCdrUser *user, gsize *size)
{
  guint8 *buf = g_malloc ((gsize) user->records->len * 41 + 1);   /* 1 + 4 x 10 bytes at most */
  guint8 *p = buf;
  gint64 prev = 0;

  for (guint i = 0; i < user->records->len; i++)
    {
      const MlCdrRecord *r = &g_array_index (user->records, MlCdrRecord, i);
      *p++ = (guint8) (r->kind | r->direction << 2 | (r->has_duration ? 1 : 0) << 4);
      p = put_varint (p, zigzag (r->t - prev));
      if (r->has_duration)
        p = put_varint (p, zigzag (r->duration));
      p = put_varint (p, (guint64) ((gint64) r->contact + 1));
      p = put_varint (p, (guint64) ((gint64) r->antenna + 1));
      p = put_varint (p, (guint64) ((gint64) r->coord + 1));
      prev = r->t;
    }
  *size = (gsize) (p - buf);
  return buf;
}

/* STRINGS as one buffer of NUL-terminated strings (a GString to free). */
static GString *
pack_strings (const GPtrArray *strings)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < strings->len; i++)
    g_string_append_len (s, g_ptr_array_index (strings, i), (gssize) strlen (g_ptr_array_index (strings, i)) + 1);
  return s;
}

static guint8 *
pack_coords (const GArray *coords, gsize *size)
{
  guint8 *buf = g_malloc0 ((gsize) coords->len * 16 + 1);

  for (guint i = 0; i < 2 * coords->len; i++)
    {
      double d = g_array_index (coords, double, i);
      guint64 bits;
      memcpy (&bits, &d, 8);
      put64 (buf + 8 * (gsize) i, bits);
    }
  *size = (gsize) coords->len * 16;
  return buf;
}

struct MlCdrPacked {
  gint64 n;               /* records */
  guint8 *records;        /* pack_records () */
  gsize records_size;
  GString *contacts;      /* pack_strings () */
  GString *antennas;
  guint8 *coords;         /* pack_coords () */
  gsize coords_size;
};

MlCdrPacked *
ml_cdr_packed_new (const MlCdrUser *user)
{
  MlCdrPacked *p = g_new0 (MlCdrPacked, 1);

  g_return_val_if_fail (user != NULL, NULL);
  p->n = user->records->len;
  p->records = pack_records (user, &p->records_size);
  p->contacts = pack_strings (user->contacts);
  p->antennas = pack_strings (user->antennas);
  p->coords = pack_coords (user->coords, &p->coords_size);
  return p;
}

void
ml_cdr_packed_free (MlCdrPacked *p)
{
  if (p == NULL)
    return;
  g_free (p->records);
  g_string_free (p->contacts, TRUE);
  g_string_free (p->antennas, TRUE);
  g_free (p->coords);
  g_free (p);
}

struct MlCdrStoreWriter {
  MlStmt *user;      /* INSERT INTO users */
  MlStmt *records;   /* INSERT INTO user_records */
  MlStmt *drop;      /* INSERT INTO dropped */
};

MlCdrStoreWriter *
ml_cdr_store_writer_new (MlDb *db, GError **error)
{
  g_autoptr(MlCdrStoreWriter) w = g_new0 (MlCdrStoreWriter, 1);

  g_return_val_if_fail (db != NULL, NULL);
  w->user = ml_db_prepare (db, "INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", error);
  if (w->user != NULL)
    w->records = ml_db_prepare (db, "INSERT INTO user_records VALUES (?1, ?2, CAST(?3 AS BLOB), CAST(?4 AS BLOB),"
                                    " CAST(?5 AS BLOB), CAST(?6 AS BLOB))", error);
  if (w->records != NULL)
    w->drop = ml_db_prepare (db, "INSERT INTO dropped VALUES (?1, ?2, ?3)", error);
  return w->drop != NULL ? g_steal_pointer (&w) : NULL;
}

void
ml_cdr_store_writer_free (MlCdrStoreWriter *w)
{
  if (w == NULL)
    return;
  ml_stmt_free (w->user);
  ml_stmt_free (w->records);
  ml_stmt_free (w->drop);
  g_free (w);
}

static gboolean
bind_user_row (MlStmt *s, gint64 id, const MlCdrUser *user, const char *file, GError **error)
{
  if (!ml_stmt_bind_int64 (s, 1, id, error)
      || !ml_stmt_bind_text (s, 2, user->name, -1, error)
      || !ml_stmt_bind_text (s, 3, file, -1, error)
      || !ml_stmt_bind_int64 (s, 4, (gint64) user->rows, error)
      || !ml_stmt_bind_int64 (s, 5, (gint64) user->records->len, error))
    return FALSE;
  for (int k = 0; k < ML_CDR_IGN_N; k++)
    if (!ml_stmt_bind_int64 (s, 6 + k, (gint64) user->ignored[k], error))
      return FALSE;
  return ml_stmt_run (s, error);
}

gboolean
ml_cdr_store_writer_add (MlCdrStoreWriter *w, gint64 id, const MlCdrUser *user, const MlCdrPacked *p,
                         const char *file, GError **error)
{
  MlStmt *r = w->records;

  g_return_val_if_fail (w != NULL && user != NULL && p != NULL && file != NULL, FALSE);
  return bind_user_row (w->user, id, user, file, error)
         && ml_stmt_bind_int64 (r, 1, id, error)
         && ml_stmt_bind_int64 (r, 2, p->n, error)
         && ml_stmt_bind_text (r, 3, (const char *) p->records, (gssize) p->records_size, error)
         && ml_stmt_bind_text (r, 4, p->contacts->str, (gssize) p->contacts->len, error)
         && ml_stmt_bind_text (r, 5, p->antennas->str, (gssize) p->antennas->len, error)
         && ml_stmt_bind_text (r, 6, (const char *) p->coords, (gssize) p->coords_size, error)
         && ml_stmt_run (r, error)
         && store_drops (w->drop, id, user->drops, error);
}

gboolean
ml_cdr_store_write_user (MlDb *db, gint64 id, const MlCdrUser *user, const char *file, GError **error)
{
  g_autoptr(MlCdrStoreWriter) w = NULL;
  g_autoptr(MlCdrPacked) p = NULL;

  g_return_val_if_fail (db != NULL && user != NULL && file != NULL, FALSE);
  if ((w = ml_cdr_store_writer_new (db, error)) == NULL)
    return FALSE;
  p = ml_cdr_packed_new (user);
  return ml_cdr_store_writer_add (w, id, user, p, file, error);
}

/* ---- reading ---- */

static gboolean
load_antennas (MlCdrStore *st, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (st->db, "SELECT antenna_id, latitude, longitude FROM antennas"
                                               " ORDER BY rowid", error);
  MlStep step;

  if (s == NULL)
    return FALSE;
  while ((step = ml_stmt_step (s, error)) == ML_STEP_ROW)
    ml_cdr_antennas_set (st->antennas, ml_stmt_text (s, 0), ml_stmt_double (s, 1), ml_stmt_double (s, 2));
  return step == ML_STEP_DONE;
}

static gboolean
load_users (MlCdrStore *st, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (st->db, "SELECT user_id, name, rows, ignored_all, ignored_interaction,"
                                               " ignored_direction, ignored_correspondent_id, ignored_datetime,"
                                               " ignored_call_duration, ignored_location FROM users ORDER BY user_id",
                                       error);
  MlStep step;

  if (s == NULL)
    return FALSE;
  while ((step = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      gint64 id = ml_stmt_int64 (s, 0);
      char *name = g_strdup (ml_stmt_text (s, 1) != NULL ? ml_stmt_text (s, 1) : "");
      guint64 counts[1 + ML_CDR_IGN_N];
      for (int k = 0; k < 1 + ML_CDR_IGN_N; k++)
        counts[k] = (guint64) ml_stmt_int64 (s, 2 + k);
      g_array_append_vals (st->counts, counts, 1);
      g_array_append_val (st->ids, id);
      g_ptr_array_add (st->names, name);
      g_hash_table_insert (st->by_name, name, GUINT_TO_POINTER (st->names->len));
    }
  return step == ML_STEP_DONE;
}

MlCdrStore *
ml_cdr_store_open (const char *path, GError **error)
{
  g_autoptr(MlCdrStore) st = g_new0 (MlCdrStore, 1);
  g_autofree char *strict = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  st->antennas = ml_cdr_antennas_new ();
  st->names = g_ptr_array_new_with_free_func (g_free);
  st->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  st->counts = g_array_new (FALSE, FALSE, sizeof (guint64) * (1 + ML_CDR_IGN_N));
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->db = ml_db_open (path, ML_DB_READONLY, error);
  if (st->db == NULL || !ml_db_check_schema (st->db, ML_CDR_SCHEMA_KIND, ML_CDR_SCHEMA_VERSION, error))
    return NULL;
  /* One read transaction for the store's life: a consistent snapshot, and
   * no lock taken and released (fcntl, fstat) around every user's SELECT. */
  if (!ml_db_begin (st->db, error))
    return NULL;
  strict = ml_db_get_meta (st->db, "strict", &local);
  st->strict = strict != NULL && g_str_equal (strict, "1");
  st->antennas->path = ml_db_get_meta (st->db, "antennas_path", NULL);
  st->load = ml_db_prepare (st->db, "SELECT n, length(records), records, length(contacts), contacts,"
                                    " length(antennas), antennas, length(coords), coords"
                                    " FROM user_records WHERE user_id = ?1", error);
  if (st->load == NULL || !load_antennas (st, error) || !load_users (st, error))
    return NULL;
  return g_steal_pointer (&st);
}

void
ml_cdr_store_free (MlCdrStore *store)
{
  if (store == NULL)
    return;
  ml_stmt_free (store->load);
  if (store->db != NULL && ml_db_in_transaction (store->db))
    ml_db_rollback (store->db, NULL);   /* read-only: nothing to lose */
  ml_db_free (store->db);
  ml_cdr_antennas_free (store->antennas);
  if (store->names != NULL)
    g_ptr_array_unref (store->names);
  if (store->ids != NULL)
    g_array_unref (store->ids);
  if (store->counts != NULL)
    g_array_unref (store->counts);
  if (store->by_name != NULL)
    g_hash_table_unref (store->by_name);
  g_free (store);
}

const MlCdrAntennas *
ml_cdr_store_antennas (const MlCdrStore *store)
{
  return store->antennas;
}

gboolean
ml_cdr_store_strict (const MlCdrStore *store)
{
  return store->strict;
}

guint
ml_cdr_store_n_users (const MlCdrStore *store)
{
  return store->names->len;
}

const char *
ml_cdr_store_user_name (const MlCdrStore *store, guint i)
{
  g_return_val_if_fail (i < store->names->len, NULL);
  return g_ptr_array_index (store->names, i);
}

gint
ml_cdr_store_find (const MlCdrStore *store, const char *name)
{
  return (gint) GPOINTER_TO_UINT (g_hash_table_lookup (store->by_name, name)) - 1;
}

/* Split the NUL-terminated strings of BUF[0..LEN) into USER's ARRAY. */
static gboolean
unpack_strings (MlCdrUser *user, GPtrArray *array, const char *buf, gsize len)
{
  gsize i = 0;

  if (len > 0 && (buf == NULL || buf[len - 1] != '\0'))
    return FALSE;
  while (i < len)
    {
      gsize n = strlen (buf + i);
      g_ptr_array_add (array, g_string_chunk_insert_len (user->strings, buf + i, (gssize) n));
      i += n + 1;
    }
  return TRUE;
}

/* Whether R's indices fall inside USER's tables. */
static gboolean
record_valid (const MlCdrUser *user, const MlCdrRecord *r)
{
  return r->contact >= -1 && r->contact < (gint32) user->contacts->len
         && r->antenna >= -1 && r->antenna < (gint32) user->antennas->len
         && r->coord >= -1 && r->coord < (gint32) user->coords->len
         && r->kind <= ML_CDR_TEXT && r->direction <= ML_CDR_DIR_OUT;
}

/* Read a varint at *P (below END) into *V.  Most fields fit one or two
 * bytes. */
static inline gboolean
get_varint (const guint8 **p, const guint8 *end, guint64 *v)
{
  const guint8 *q = *p;

  if (G_LIKELY (q < end && !(*q & 0x80)))
    {
      *v = *q;
      *p = q + 1;
      return TRUE;
    }
  if (q + 1 < end && !(q[1] & 0x80))
    {
      *v = (guint64) (q[0] & 0x7f) | (guint64) q[1] << 7;   /* times and durations */
      *p = q + 2;
      return TRUE;
    }
  *v = 0;
  for (int shift = 0; shift < 64 && q < end; shift += 7)
    {
      guint8 b = *q++;
      *v |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        {
          *p = q;
          return TRUE;
        }
    }
  return FALSE;
}

/* Decode N records from BUF[0..LEN) (pack_records' layout). */
static gboolean
unpack_records (MlCdrUser *user, const guint8 *buf, gsize len, gsize n)
{
  const guint8 *p = buf, *end = buf + len;
  gint64 prev = 0;
  guint64 v[5];

  g_array_set_size (user->records, (guint) n);
  for (gsize i = 0; i < n; i++)
    {
      MlCdrRecord *r = &g_array_index (user->records, MlCdrRecord, i);
      guint8 flags;
      if (p >= end)
        return FALSE;
      flags = *p++;
      v[1] = 0;
      if (!get_varint (&p, end, &v[0]) || ((flags & 0x10) && !get_varint (&p, end, &v[1]))
          || !get_varint (&p, end, &v[2]) || !get_varint (&p, end, &v[3]) || !get_varint (&p, end, &v[4])
          || v[2] > G_MAXINT32 || v[3] > G_MAXINT32 || v[4] > G_MAXINT32)
        return FALSE;
      r->t = prev = prev + unzigzag (v[0]);
      r->duration = unzigzag (v[1]);
      r->kind = flags & 3, r->direction = (flags >> 2) & 3, r->has_duration = (flags >> 4) & 1, r->pad = 0;
      r->contact = (gint32) v[2] - 1, r->antenna = (gint32) v[3] - 1, r->coord = (gint32) v[4] - 1;
      if (!record_valid (user, r) || (i > 0 && r->t < r[-1].t))
        return FALSE;
    }
  return p == end;
}

static void
unpack_coords (MlCdrUser *user, const guint8 *buf, gsize n)
{
  g_array_set_size (user->coords, (guint) n);
  for (gsize i = 0; i < 2 * n; i++)
    {
      guint64 bits = get64 (buf + 8 * i);
      memcpy (&g_array_index (user->coords, double, i), &bits, 8);
    }
}

/* A copy of blob column COL of S as a new buffer (never NULL), its
 * length in *LEN. */
static guint8 *
copy_blob (MlStmt *s, int col, gsize *len)
{
  const char *p = ml_stmt_text (s, col + 1);
  gint64 n = ml_stmt_int64 (s, col);

  *len = p != NULL && n > 0 ? (gsize) n : 0;
  return *len > 0 ? g_memdup2 (p, *len) : g_new0 (guint8, 1);
}

MlCdrPacked *
ml_cdr_store_fetch (MlCdrStore *store, guint i, GError **error)
{
  g_autoptr(MlCdrPacked) p = NULL;
  MlStmt *s = store->load;
  gsize len;
  guint8 *buf;

  g_return_val_if_fail (i < store->names->len, NULL);
  if (!ml_stmt_bind_int64 (s, 1, g_array_index (store->ids, gint64, i), error))
    return NULL;
  if (ml_stmt_step (s, error) != ML_STEP_ROW)
    {
      ml_stmt_reset (s);
      if (error != NULL && *error == NULL)
        g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: no records stored for user '%s'",
                     "cdr.db", (const char *) g_ptr_array_index (store->names, i));
      return NULL;
    }
  p = g_new0 (MlCdrPacked, 1);
  p->n = ml_stmt_int64 (s, 0);
  p->records = copy_blob (s, 1, &p->records_size);
  buf = copy_blob (s, 3, &len);
  p->contacts = g_string_new_len ((const char *) buf, (gssize) len);
  g_free (buf);
  buf = copy_blob (s, 5, &len);
  p->antennas = g_string_new_len ((const char *) buf, (gssize) len);
  g_free (buf);
  p->coords = copy_blob (s, 7, &p->coords_size);
  ml_stmt_reset (s);
  return g_steal_pointer (&p);
}

MlCdrUser *
ml_cdr_store_unpack (const MlCdrStore *store, guint i, const MlCdrPacked *p, GError **error)
{
  g_autoptr(MlCdrUser) user = NULL;
  const guint64 *counts;
  gboolean ok;

  g_return_val_if_fail (i < store->names->len && p != NULL, NULL);
  user = ml_cdr_user_new (g_ptr_array_index (store->names, i));
  counts = (const guint64 *) (gpointer) (store->counts->data + (gsize) i * sizeof (guint64) * (1 + ML_CDR_IGN_N));
  user->rows = counts[0];
  memcpy (user->ignored, counts + 1, sizeof user->ignored);
  ok = p->n >= 0 && p->n < G_MAXINT32 && p->coords_size % 16 == 0
       && unpack_strings (user, user->contacts, p->contacts->str, p->contacts->len)
       && unpack_strings (user, user->antennas, p->antennas->str, p->antennas->len);
  if (ok)
    {
      unpack_coords (user, p->coords, p->coords_size / 16);
      ok = unpack_records (user, p->records, p->records_size, (gsize) p->n);
    }
  if (!ok)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_SCHEMA, "%s: user '%s': corrupt packed records",
                   ml_db_path (store->db), user->name);
      return NULL;
    }
  return g_steal_pointer (&user);
}

MlCdrUser *
ml_cdr_store_load (MlCdrStore *store, guint i, GError **error)
{
  g_autoptr(MlCdrPacked) p = NULL;

  g_return_val_if_fail (i < store->names->len, NULL);
  if ((p = ml_cdr_store_fetch (store, i, error)) == NULL)
    return NULL;
  return ml_cdr_store_unpack (store, i, p, error);
}
