/* findings.c -- what `metaleak analyze` writes: analysis.db, tables/NAME.csv
 * and findings.json.
 *
 * The schema below is the contract of docs/analyze/outputs.md.  Rows are
 * inserted through a per-table bulk loader (ml_row_insert); the CSV export
 * walks sqlite_master, so a new table is exported without code changes.
 * With a second thread the loaders' rows are also streamed to tables/ as
 * they are written (the tee, below), and the export publishes those files
 * instead of reading the tables back.
 * Workload: 10^5-10^6 rows per table for 1,000 targets x 12 windows
 * (evidence 1.7 M, timeline 1.1 M, contacts 0.8 M), written once.
 */
#define _GNU_SOURCE 1   /* sync_file_range */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "analyze/findings.h"
#include "analyze/pseudonym.h"
#include "common/dtoa.h"
#include "common/errors.h"
#include "common/parallel.h"
#include "common/json.h"
#include "common/outdir.h"
#include "common/rng.h"
#include "common/timeutil.h"

static const char schema_sql[] =
  "CREATE TABLE params (key TEXT PRIMARY KEY, value TEXT);\n"
  "CREATE TABLE targets (target TEXT, hop INTEGER);\n"
  "CREATE TABLE orders (target TEXT, hop INTEGER, position INTEGER, served INTEGER, expires INTEGER,\n"
  "  nominal_start INTEGER, nominal_end INTEGER, returned_start INTEGER, returned_end INTEGER);\n"
  "CREATE TABLE coverage (target TEXT, kind TEXT, start INTEGER, end INTEGER);\n"
  "CREATE TABLE evidence (ts INTEGER, source TEXT, lookup TEXT, client_ip TEXT, lookup_devices INTEGER,\n"
  "  window INTEGER, hop INTEGER, via TEXT);\n"
  "CREATE TABLE daily (target TEXT, day TEXT, lookups INTEGER, window INTEGER);\n"
  "CREATE TABLE contacts (target TEXT, n_windows INTEGER, handle TEXT, n_out INTEGER, n_in INTEGER,\n"
  "  days INTEGER, bulk INTEGER, score REAL, confidence REAL, rank INTEGER, is_service INTEGER,\n"
  "  reported INTEGER);\n"
  "CREATE TABLE places (target TEXT, n_windows INTEGER, kind TEXT, lat REAL, lon REAL, radius_km REAL,\n"
  "  confidence REAL, support INTEGER);\n"
  "CREATE TABLE timeline (target TEXT, ts INTEGER, lat REAL, lon REAL, radius_km REAL, class TEXT);\n"
  "CREATE TABLE trips (target TEXT, n_windows INTEGER, start INTEGER, end INTEGER, lat REAL, lon REAL,\n"
  "  km_from_home REAL, city TEXT);\n"
  "CREATE TABLE colocation (target TEXT, n_windows INTEGER, handle TEXT, kind TEXT,\n"
  "  shared_hours INTEGER, shared_days INTEGER, confidence REAL);\n"
  "CREATE TABLE sensitive (target TEXT, n_windows INTEGER, category TEXT, lookups INTEGER,\n"
  "  services INTEGER, first INTEGER);\n"
  "CREATE TABLE rhythm (target TEXT, weekday INTEGER, hour INTEGER, lookups INTEGER);\n"
  "CREATE TABLE rhythm_sleep (target TEXT, sleep_start_h INTEGER, sleep_end_h INTEGER, confidence REAL);\n"
  "CREATE TABLE hops (n_windows INTEGER, hop INTEGER, reached INTEGER, added INTEGER, top_hub TEXT,\n"
  "  top_hub_is_service INTEGER);\n"
  "CREATE TABLE metrics (n_windows INTEGER, scope TEXT, metric TEXT, value REAL);\n"
  /* findings.json reads the case-wide curves one value at a time */
  "CREATE INDEX metrics_by_name ON metrics (scope, metric, n_windows);\n"
  "CREATE TABLE ego_edges (target TEXT, handle TEXT, status TEXT, true_weight REAL, inferred_rank INTEGER);\n"
  "CREATE TABLE truth_places (target TEXT, kind TEXT, lat REAL, lon REAL, hours REAL);\n"
  "CREATE TABLE sensitive_truth (target TEXT, category TEXT, true_contacts INTEGER, found INTEGER);\n"
  "CREATE TABLE uniqueness (k INTEGER, share_unique REAL, people INTEGER);\n"
  "CREATE TABLE homework_unique (scale_km REAL, share_unique REAL, people INTEGER);\n"
  "CREATE TABLE population_graph (n_windows INTEGER, metric TEXT, value REAL);\n";

gboolean
ml_findings_create (MlDb *db, GError **error)
{
  /* 64 KiB pages: a tenth of the page writes and splits of 4 KiB ones for
   * 10^6-row tables (the town case's writing thread: 0.4-1 s less) */
  return ml_db_exec (db, "PRAGMA page_size = 65536", error) && ml_db_exec (db, schema_sql, error)
         && ml_db_set_schema (db, "analysis", 1, error);
}

/* ---- names ------------------------------------------------------------- */

/* A name and its length, in one allocation. */
typedef struct {
  gsize len;
  char text[];
} Name;

#define NAMER_RECENT 1024          /* direct-mapped: evidence rows repeat handles */

struct MlNamer {
  MlStmt *q;
  gboolean pseudo;
  guint8 key[32];
  GHashTable *cache;         /* handle (ML_ID_KEY) -> Name* */
  struct { gint64 handle; const Name *name; } recent[NAMER_RECENT];
};

MlNamer *
ml_namer_new (MlDb *provider, const guint8 *key, GError **error)
{
  g_autoptr(MlNamer) n = g_new0 (MlNamer, 1);

  n->cache = ml_id_table_new (g_free);   /* recent[] is all NULL names */
  n->pseudo = key != NULL;
  if (key != NULL)
    memcpy (n->key, key, sizeof n->key);
  if ((n->q = ml_db_prepare (provider, "SELECT handle FROM handles WHERE id = ?", error)) == NULL)
    return NULL;
  return g_steal_pointer (&n);
}

static const Name *
name_new (const char *text)
{
  gsize len = strlen (text);
  Name *name = g_malloc (sizeof *name + len + 1);

  name->len = len;
  memcpy (name->text, text, len + 1);
  return name;
}

static const Name *
namer_lookup (MlNamer *n, gint64 handle)
{
  guint slot = (guint) (ml_hash64 ((guint64) handle) & (NAMER_RECENT - 1));
  const Name *name;
  g_autofree char *text = NULL;
  char pseudo[24];

  if (n->recent[slot].name != NULL && n->recent[slot].handle == handle)
    return n->recent[slot].name;
  if ((name = g_hash_table_lookup (n->cache, ML_ID_KEY (handle))) == NULL)
    {
      if (ml_stmt_bind_int64 (n->q, 1, handle, NULL) && ml_stmt_step (n->q, NULL) == ML_STEP_ROW)
        text = g_strdup (ml_stmt_text (n->q, 0));
      else
        text = g_strdup_printf ("#%" G_GINT64_FORMAT, handle);
      ml_stmt_reset (n->q);
      if (n->pseudo)
        {
          ml_pseudonym (n->key, text, pseudo);
          g_free (text);
          text = g_strdup (pseudo);
        }
      name = name_new (text);
      g_hash_table_insert (n->cache, ML_ID_KEY (handle), (gpointer) name);
    }
  n->recent[slot].handle = handle;
  n->recent[slot].name = name;
  return name;
}

const char *
ml_namer_get (MlNamer *n, gint64 handle)
{
  return namer_lookup (n, handle)->text;
}

const char *
ml_namer_get_len (MlNamer *n, gint64 handle, gsize *len)
{
  const Name *name = namer_lookup (n, handle);

  *len = name->len;
  return name->text;
}

void
ml_namer_free (MlNamer *n)
{
  if (n == NULL)
    return;
  ml_stmt_free (n->q);
  g_hash_table_unref (n->cache);
  g_free (n);
}

/* ---- rows -------------------------------------------------------------- */

struct MlRowCache {
  MlDb *db;
  MlCsvTee *tee;             /* NULL: no streaming of tables/ */
  GHashTable *bulks;         /* table name -> MlBulk* */
  const char *last_table;    /* the previous call's table and loader: most calls repeat it */
  MlBulk *last;
};

MlRowCache *
ml_row_cache_new (MlDb *db)
{
  MlRowCache *rc = g_new0 (MlRowCache, 1);

  rc->db = db;
  rc->bulks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ml_bulk_free);
  return rc;
}

void
ml_row_cache_set_tee (MlRowCache *rc, MlCsvTee *tee)
{
  g_return_if_fail (rc != NULL && g_hash_table_size (rc->bulks) == 0);
  rc->tee = tee;
}

void
ml_row_cache_free (MlRowCache *rc)
{
  if (rc == NULL)
    return;
  g_hash_table_unref (rc->bulks);
  g_free (rc);
}

static MlBulk *
row_bulk (MlRowCache *rc, const char *table, int n, GError **error)
{
  MlBulk *b;

  if (rc->last != NULL && rc->last_table == table)
    return rc->last;
  if ((b = g_hash_table_lookup (rc->bulks, table)) == NULL)
    {
      /* table names are ours, not input */
      if ((b = ml_bulk_new (rc->db, table, n, error)) == NULL)
        return NULL;
      g_hash_table_insert (rc->bulks, g_strdup (table), b);
      if (rc->tee != NULL)
        ml_csv_tee_attach (rc->tee, rc->db, b, table, n);
    }
  rc->last_table = table;
  rc->last = b;
  return b;
}

gboolean
ml_row_insert (MlRowCache *rc, const char *table, const char *types, GError **error, ...)
{
  MlBulk *b = row_bulk (rc, table, (int) strlen (types), error);
  va_list ap;

  if (b == NULL)
    return FALSE;
  va_start (ap, error);
  for (int i = 0; types[i] != '\0'; i++)
    {
      if (types[i] == 'i')
        ml_bulk_int64 (b, va_arg (ap, gint64));
      else if (types[i] == 'd')
        {
          double v = va_arg (ap, double);
          if (isnan (v))
            ml_bulk_null (b);
          else
            ml_bulk_double (b, v);
        }
      else if (types[i] == 'S')
        ml_bulk_static (b, va_arg (ap, const char *));
      else
        ml_bulk_text (b, va_arg (ap, const char *));
    }
  va_end (ap);
  return ml_bulk_end_row (b, error);
}

gboolean
ml_row_cache_flush (MlRowCache *rc, GError **error)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, rc->bulks);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (!ml_bulk_flush (value, error))
      return FALSE;
  return TRUE;
}

/* ---- CSV --------------------------------------------------------------- */

static gboolean
is_time_column (const char *name)
{
  static const char *const names[] = { "ts", "start", "end", "served", "expires", "first",
                                       "nominal_start", "nominal_end", "returned_start", "returned_end" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      return TRUE;
  return FALSE;
}

/* V (LEN bytes) as one CSV field. */
static void
csv_field_len (GString *out, const char *v, gsize len)
{
  if (strcspn (v, ",\"\n\r") >= len)
    {
      g_string_append_len (out, v, (gssize) len);
      return;
    }
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (v[i] == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, v[i]);
    }
  g_string_append_c (out, '"');
}

static void
csv_field (GString *out, const char *v)
{
  if (v != NULL)
    csv_field_len (out, v, strlen (v));
}

/* Column I's header NAME, with its *_utc twin for a time column. */
static void
csv_header_column (GString *out, int i, const char *name)
{
  g_string_append (out, i ? "," : "");
  csv_field (out, name);
  if (is_time_column (name))
    g_string_append_printf (out, ",%s_utc", name);
}

static void
csv_header (GString *out, MlStmt *s, int cols)
{
  for (int i = 0; i < cols; i++)
    csv_header_column (out, i, ml_stmt_column_name (s, i));
  g_string_append_c (out, '\n');
}

/* V in decimal, as SQLite would print it, without its printf. */
static void
csv_int (GString *out, gint64 v)
{
  char buf[24], *p = buf + sizeof buf;
  guint64 u = v < 0 ? 0 - (guint64) v : (guint64) v;

  do
    *--p = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  if (v < 0)
    *--p = '-';
  g_string_append_len (out, p, buf + sizeof buf - p);
}

/* D as the shortest text that reads back to it (common/dtoa). */
static void
csv_real (GString *out, double d)
{
  char buf[ML_DTOA_BUF_SIZE];
  gsize len = ml_dtoa (d, buf);

  g_string_append_len (out, buf, (gssize) len);
}

/* One row of S; TIME[i] tells whether column i is a time (followed by its
 * ISO-8601 form).  Integers and reals are formatted here, not by SQLite's
 * printf: a real is the shortest text that reads back to the same double
 * (common/dtoa), which SQLite's 15 digits are not. */
static void
csv_row (GString *out, MlStmt *s, int cols, const gboolean *time)
{
  for (int i = 0; i < cols; i++)
    {
      MlValueType type = ml_stmt_type (s, i);
      if (i)
        g_string_append_c (out, ',');
      if (type == ML_VALUE_INTEGER)
        csv_int (out, ml_stmt_int64 (s, i));
      else if (type == ML_VALUE_REAL)
        csv_real (out, ml_stmt_double (s, i));
      else if (type != ML_VALUE_NULL)
        csv_field (out, ml_stmt_text (s, i));
      if (time[i])
        {
          char buf[ML_TIME_BUF_SIZE] = "";
          if (type != ML_VALUE_NULL)
            ml_time_format_buf (ml_stmt_int64 (s, i), buf);
          g_string_append_c (out, ',');
          g_string_append (out, buf);
        }
    }
  g_string_append_c (out, '\n');
}

/* ---- tables/ streamed as they are written (the tee) --------------------- */

typedef enum { AFF_INTEGER, AFF_REAL, AFF_TEXT, AFF_OTHER } Affinity;

typedef struct {
  MlCsvTee *tee;
  char *name;
  int n_cols;
  Affinity *aff;               /* [n_cols], from the declared types */
  gboolean *time;              /* [n_cols] */
  char *path, *tmp;            /* DIR/NAME.csv and its temporary */
  FILE *file;
  GString *buf;
  gint64 rows;
  gboolean unsafe;             /* a value whose stored form is not predicted here, or a write failed */
  /* the writing thread's rows not queued yet: values, text as offsets into PENDING_TEXT */
  GArray *pending;             /* MlBulkValue */
  GString *pending_text;
} TeeTable;

typedef struct {
  TeeTable *table;
  int n_rows;
  MlBulkValue *values;         /* text points into the same allocation */
} TeeBatch;

struct MlCsvTee {
  char *dir;
  GPtrArray *tables;           /* TeeTable* */
  GAsyncQueue *queue;          /* TeeBatch*; &tee->queue ends it */
  GThread *thread;
  guint published;             /* tables published as streamed */
};

#define TEE_FLUSH_BYTES (1 << 20)
#define TEE_BATCH_VALUES 16384   /* values per queued batch: one wake-up of the formatter each */

static Affinity
affinity_of (const char *decl)
{
  /* SQLite's rules (datatype3.html, 3.1) for the types findings use */
  if (decl == NULL)
    return AFF_OTHER;
  if (g_ascii_strcasecmp (decl, "INTEGER") == 0)
    return AFF_INTEGER;
  if (g_ascii_strcasecmp (decl, "REAL") == 0)
    return AFF_REAL;
  if (g_ascii_strcasecmp (decl, "TEXT") == 0)
    return AFF_TEXT;
  return AFF_OTHER;
}

static void
tee_write (TeeTable *t)
{
  if (t->buf->len == 0 || t->unsafe)
    return;
  if (t->file == NULL && (t->file = fopen (t->tmp, "wb")) == NULL)
    t->unsafe = TRUE;
  else if (fwrite (t->buf->str, 1, t->buf->len, t->file) != t->buf->len)
    t->unsafe = TRUE;
#ifdef SYNC_FILE_RANGE_WRITE
  /* start writing back what is written: the output directory is fsynced
   * before it is published, and would otherwise wait for all of it then */
  else if (fflush (t->file) == 0)
    sync_file_range (fileno (t->file), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
  g_string_truncate (t->buf, 0);
}


/* One value as SQLite would store it in a column of affinity A and the
 * export would print it; FALSE when that is not predicted here. */
static gboolean
tee_value (GString *out, const MlBulkValue *v, Affinity a, gboolean time)
{
  gboolean null = v->type == ML_VALUE_NULL || (v->type == ML_VALUE_REAL && isnan (v->v.d));
  gboolean stored_int = FALSE;
  gint64 ts = 0;

  if (null)
    ;
  else if (v->type == ML_VALUE_INTEGER && a != AFF_REAL)
    csv_int (out, ts = v->v.i), stored_int = TRUE;
  else if (v->type == ML_VALUE_INTEGER)
    csv_real (out, (double) v->v.i);
  else if (v->type == ML_VALUE_REAL && a == AFF_INTEGER && v->v.d > -9.2e18 && v->v.d < 9.2e18
           && v->v.d == (double) (gint64) v->v.d)
    csv_int (out, ts = (gint64) v->v.d), stored_int = TRUE;   /* an integral real in an INTEGER column */
  else if (v->type == ML_VALUE_REAL && (a == AFF_INTEGER || a == AFF_REAL))
    csv_real (out, v->v.d);
  else if (v->type == ML_VALUE_TEXT && (a == AFF_TEXT || a == AFF_OTHER))
    csv_field_len (out, v->v.s, v->len);
  else
    return FALSE;                                   /* text in a numeric column, a real in a text one */
  if (time)
    {
      char buf[ML_TIME_BUF_SIZE] = "";
      if (stored_int)
        ml_time_format_buf (ts, buf);
      else if (!null)
        return FALSE;
      g_string_append_c (out, ',');
      g_string_append (out, buf);
    }
  return TRUE;
}

static void
tee_format (TeeBatch *b)
{
  TeeTable *t = b->table;

  t->rows += b->n_rows;
  if (t->unsafe)
    return;
  for (int r = 0; r < b->n_rows && !t->unsafe; r++)
    {
      for (int c = 0; c < t->n_cols; c++)
        {
          if (c)
            g_string_append_c (t->buf, ',');
          if (!tee_value (t->buf, &b->values[r * t->n_cols + c], t->aff[c], t->time[c]))
            {
              t->unsafe = TRUE;
              break;
            }
        }
      g_string_append_c (t->buf, '\n');
    }
  if (t->buf->len >= TEE_FLUSH_BYTES)
    tee_write (t);
}

static gpointer
tee_thread (gpointer data)
{
  MlCsvTee *tee = data;
  gpointer item;

  while ((item = g_async_queue_pop (tee->queue)) != &tee->queue)
    {
      tee_format (item);
      g_free (item);
    }
  return NULL;
}

/* Queue T's pending rows as one batch (the writing thread). */
static void
tee_push (TeeTable *t)
{
  gsize n = t->pending->len;
  TeeBatch *b;
  char *arena;

  if (n == 0)
    return;
  b = g_malloc (sizeof *b + n * sizeof (MlBulkValue) + t->pending_text->len);
  b->table = t;
  b->n_rows = (int) (n / (gsize) t->n_cols);
  b->values = (MlBulkValue *) (b + 1);
  memcpy (b->values, t->pending->data, n * sizeof (MlBulkValue));
  arena = (char *) (b->values + n);
  memcpy (arena, t->pending_text->str, t->pending_text->len);
  for (gsize i = 0; i < n; i++)
    if (b->values[i].type == ML_VALUE_TEXT)
      b->values[i].v.s = arena + (gsize) (guintptr) b->values[i].v.s;
  g_array_set_size (t->pending, 0);
  g_string_truncate (t->pending_text, 0);
  g_async_queue_push (t->tee->queue, b);
}

/* The loader's observer (the writing thread): copy the rows; queue them
 * some thousands at a time. */
static void
tee_observe (const MlBulkValue *values, int n_rows, int n_cols, gpointer data)
{
  TeeTable *t = data;
  gsize n = (gsize) n_rows * n_cols, at = t->pending->len;

  g_array_append_vals (t->pending, values, (guint) n);
  for (gsize i = 0; i < n; i++)
    {
      MlBulkValue *v = &g_array_index (t->pending, MlBulkValue, at + i);
      if (v->type != ML_VALUE_TEXT)
        continue;
      gsize off = t->pending_text->len;
      g_string_append_len (t->pending_text, v->v.s, (gssize) v->len + 1);
      v->v.s = (const char *) (guintptr) off;
    }
  if (t->pending->len >= TEE_BATCH_VALUES)
    tee_push (t);
}

MlCsvTee *
ml_csv_tee_new (const char *dir)
{
  MlCsvTee *tee = g_new0 (MlCsvTee, 1);

  tee->dir = g_strdup (dir);
  tee->tables = g_ptr_array_new ();
  tee->queue = g_async_queue_new ();
  tee->thread = g_thread_new ("metaleak-csv", tee_thread, tee);
  return tee;
}

void
ml_csv_tee_attach (MlCsvTee *tee, MlDb *db, MlBulk *bulk, const char *table, int n_cols)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", table);
  g_autoptr(MlStmt) s = ml_db_prepare (db, sql, NULL);
  g_autofree char *file = g_strconcat (table, ".csv", NULL);
  TeeTable *t = g_new0 (TeeTable, 1);
  int c = 0;

  t->tee = tee;
  t->name = g_strdup (table);
  t->n_cols = n_cols;
  t->aff = g_new0 (Affinity, n_cols);
  t->time = g_new0 (gboolean, n_cols);
  t->path = g_build_filename (tee->dir, file, NULL);
  t->tmp = g_strconcat (t->path, ".stream", NULL);
  t->buf = g_string_new (NULL);
  t->pending = g_array_new (FALSE, FALSE, sizeof (MlBulkValue));
  t->pending_text = g_string_new (NULL);
  /* the header, as the export writes it */
  while (s != NULL && ml_stmt_step (s, NULL) == ML_STEP_ROW)
    {
      const char *name = ml_stmt_text (s, 1);
      if (c < n_cols)
        {
          t->aff[c] = affinity_of (ml_stmt_text (s, 2));
          t->time[c] = is_time_column (name);
          csv_header_column (t->buf, c, name);
        }
      c++;
    }
  g_string_append_c (t->buf, '\n');
  t->unsafe = c != n_cols;     /* a column list, or no such table */
  g_ptr_array_add (tee->tables, t);
  ml_bulk_observe (bulk, tee_observe, t);
}

/* Wait until every queued row is formatted and the files are closed. */
void
ml_csv_tee_finish (MlCsvTee *tee)
{
  if (tee == NULL || tee->thread == NULL)
    return;
  for (guint i = 0; i < tee->tables->len; i++)
    tee_push (tee->tables->pdata[i]);
  g_async_queue_push (tee->queue, &tee->queue);
  g_thread_join (g_steal_pointer (&tee->thread));
  for (guint i = 0; i < tee->tables->len; i++)
    {
      TeeTable *t = tee->tables->pdata[i];
      tee_write (t);
      if (t->file != NULL && fclose (g_steal_pointer (&t->file)) != 0)
        t->unsafe = TRUE;
    }
}

guint
ml_csv_tee_published (const MlCsvTee *tee)
{
  return tee != NULL ? tee->published : 0;
}

void
ml_csv_tee_free (MlCsvTee *tee)
{
  if (tee == NULL)
    return;
  ml_csv_tee_finish (tee);
  for (guint i = 0; i < tee->tables->len; i++)
    {
      TeeTable *t = tee->tables->pdata[i];
      g_unlink (t->tmp);       /* a no-op once published */
      g_free (t->name);
      g_free (t->aff);
      g_free (t->time);
      g_free (t->path);
      g_free (t->tmp);
      g_string_free (t->buf, TRUE);
      g_array_unref (t->pending);
      g_string_free (t->pending_text, TRUE);
      g_free (t);
    }
  g_ptr_array_unref (tee->tables);
  g_async_queue_unref (tee->queue);
  g_free (tee->dir);
  g_free (tee);
}

/* Publish TABLE's streamed file if it holds all ROWS rows of the finished
 * table; FALSE (and the file removed) when it must be exported from the
 * database instead.  ERROR is set only when publishing failed. */
static gboolean
tee_publish (MlCsvTee *tee, const char *table, gint64 rows, GError **error)
{
  for (guint i = 0; tee != NULL && i < tee->tables->len; i++)
    {
      TeeTable *t = tee->tables->pdata[i];
      if (strcmp (t->name, table) != 0)
        continue;
      if (t->unsafe || t->rows != rows)
        {
          g_unlink (t->tmp);
          return FALSE;
        }
      if (g_rename (t->tmp, t->path) != 0)
        {
          g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", t->path, g_strerror (errno));
          return FALSE;
        }
      tee->published++;
      return TRUE;
    }
  return FALSE;
}

#define EXPORT_CHUNK_ROWS 131072   /* rows per piece of a table: big tables spread over the workers */

/* One piece of a table's CSV: rows LO..HI by rowid (the tables are
 * appended to, never deleted from: rowid order is insertion order). */
typedef struct {
  guint table;                 /* index into names */
  gint64 lo, hi;
  gboolean header;             /* the table's first piece */
  gboolean last;               /* the table's last piece */
  gboolean done;               /* formatted (OUT or ERROR set) */
  GString *out;
  GError *error;
} Piece;

/* Pieces are formatted on the workers in any order and written in order
 * as soon as they can be: whichever worker finishes the piece that is next
 * to write becomes the writer, writes every finished piece in sequence and
 * frees them.  Files go through TABLE.csv.tmp and are renamed when their
 * last piece is written. */
typedef struct {
  const char *db_path, *dir;
  GPtrArray *names;            /* tables */
  GArray *pieces;              /* Piece, tables in order, each table's pieces in row order */
  GMutex lock;
  guint next;                  /* the next piece to write */
  gboolean writing;            /* a worker is writing */
  FILE *file;                  /* the open TABLE.csv.tmp of piece NEXT */
  char *tmp, *path;
  GError *error;               /* the first failure: nothing more is written */
} ExportJob;

/* Write piece P (the next in order) of JOB; FALSE with JOB->error set. */
static gboolean
write_piece (ExportJob *job, Piece *p)
{
  if (p->error != NULL)
    {
      job->error = g_steal_pointer (&p->error);
      return FALSE;
    }
  if (p->header)
    {
      g_autofree char *file = g_strconcat ((const char *) job->names->pdata[p->table], ".csv", NULL);
      job->path = g_build_filename (job->dir, file, NULL);
      job->tmp = g_strconcat (job->path, ".tmp", NULL);
      if ((job->file = fopen (job->tmp, "wb")) == NULL)
        goto fail;
    }
  if (fwrite (p->out->str, 1, p->out->len, job->file) != p->out->len)
    goto fail;
  g_string_free (g_steal_pointer (&p->out), TRUE);
  if (!p->last)
    return TRUE;
  if (fclose (g_steal_pointer (&job->file)) != 0 || g_rename (job->tmp, job->path) != 0)
    goto fail;
  g_clear_pointer (&job->tmp, g_free);
  g_clear_pointer (&job->path, g_free);
  return TRUE;

fail:
  g_set_error (&job->error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", job->path, g_strerror (errno));
  return FALSE;
}

/* Piece I is formatted: write it and its finished successors, unless
 * another worker is doing so (it will find I done). */
static void
piece_done (ExportJob *job, guint i)
{
  g_mutex_lock (&job->lock);
  g_array_index (job->pieces, Piece, i).done = TRUE;
  if (job->writing)
    {
      g_mutex_unlock (&job->lock);
      return;
    }
  job->writing = TRUE;
  while (job->error == NULL && job->next < job->pieces->len
         && g_array_index (job->pieces, Piece, job->next).done)
    {
      Piece *p = &g_array_index (job->pieces, Piece, job->next);
      gboolean ok;
      /* write outside the lock: the others go on formatting */
      g_mutex_unlock (&job->lock);
      ok = write_piece (job, p);
      g_mutex_lock (&job->lock);
      if (ok)
        job->next++;
    }
  job->writing = FALSE;
  g_mutex_unlock (&job->lock);
}

static void
export_piece (guint i, gpointer data)
{
  ExportJob *job = data;
  Piece *p = &g_array_index (job->pieces, Piece, i);
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                                          (const char *) job->names->pdata[p->table]);
  g_autoptr(MlDb) db = NULL;
  g_autoptr(MlStmt) s = NULL;
  g_autofree gboolean *time = NULL;
  MlStep step;
  int cols;

  p->out = g_string_new (NULL);
  if ((db = ml_db_open (job->db_path, ML_DB_READONLY, &p->error)) != NULL
      && (s = ml_db_prepare (db, sql, &p->error)) != NULL
      && ml_stmt_bind_int64 (s, 1, p->lo, &p->error) && ml_stmt_bind_int64 (s, 2, p->hi, &p->error))
    {
      cols = ml_stmt_columns (s);
      time = g_new0 (gboolean, MAX (cols, 1));
      for (int c = 0; c < cols; c++)
        time[c] = is_time_column (ml_stmt_column_name (s, c));
      if (p->header)
        csv_header (p->out, s, cols);
      while ((step = ml_stmt_step (s, &p->error)) == ML_STEP_ROW)
        csv_row (p->out, s, cols, time);
    }
  g_clear_pointer (&s, ml_stmt_free);
  g_clear_pointer (&db, ml_db_free);
  piece_done (job, i);
}

gboolean
ml_findings_export_csv (const char *db_path, const char *dir, guint threads, MlCsvTee *tee, GError **error)
{
  g_autoptr(MlDb) db = ml_db_open (db_path, ML_DB_READONLY, error);
  g_autoptr(MlStmt) s = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  ExportJob job;
  MlStep step;

  if (db == NULL || (s = ml_db_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT IN ('meta') ORDER BY name", error)) == NULL)
    return FALSE;
  while ((step = ml_stmt_step (s, error)) == ML_STEP_ROW)
    g_ptr_array_add (names, g_strdup (ml_stmt_text (s, 0)));
  if (step == ML_STEP_ERROR)
    return FALSE;
  for (guint t = 0; t < names->len; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT coalesce(max(rowid), 0) FROM \"%s\"",
                                              (const char *) names->pdata[t]);
      gint64 last = 0;
      if (!ml_db_query_int64 (db, sql, &last, error))
        return FALSE;
      if (tee_publish (tee, names->pdata[t], last, error))
        continue;             /* streamed while it was written, every row */
      if (error != NULL && *error != NULL)
        return FALSE;
      for (gint64 lo = 1; lo == 1 || lo <= last; lo += EXPORT_CHUNK_ROWS)
        {
          Piece p = { .table = t, .lo = lo, .hi = lo + EXPORT_CHUNK_ROWS - 1, .header = lo == 1 };
          g_array_append_val (pieces, p);
        }
    }
  g_clear_pointer (&s, ml_stmt_free);
  g_clear_pointer (&db, ml_db_free);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create directory", dir);
      return FALSE;
    }
  /* every piece on the workers, each with its own read-only connection */
  for (guint i = 0; i < pieces->len; i++)
    {
      Piece *p = &g_array_index (pieces, Piece, i);
      p->last = i + 1 == pieces->len || g_array_index (pieces, Piece, i + 1).table != p->table;
    }
  job = (ExportJob) { .db_path = db_path, .dir = dir, .names = names, .pieces = pieces };
  g_mutex_init (&job.lock);
  gint64 t0 = g_get_monotonic_time ();
  ml_parallel_for (pieces->len, threads, export_piece, &job);
  g_debug ("tables: %u streamed, %u pieces formatted and written in %.3f s", ml_csv_tee_published (tee), pieces->len, (g_get_monotonic_time () - t0) / 1e6);
  g_mutex_clear (&job.lock);
  if (job.file != NULL)
    {
      fclose (job.file);
      g_unlink (job.tmp);
    }
  g_free (job.tmp);
  g_free (job.path);
  for (guint i = 0; i < pieces->len; i++)
    {
      Piece *p = &g_array_index (pieces, Piece, i);
      g_clear_error (&p->error);
      if (p->out != NULL)
        g_string_free (p->out, TRUE);
    }
  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }
  return TRUE;
}

/* ---- findings.json ----------------------------------------------------- */

static void
json_number (GString *j, double v)
{
  if (isnan (v) || isinf (v))
    g_string_append (j, "null");
  else
    g_string_append_printf (j, "%.6g", v);
}

static GHashTable *
read_params (MlDb *db, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT key, value FROM params", error);
  g_autoptr(GHashTable) p = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  MlStep step;

  if (s == NULL)
    return NULL;
  while ((step = ml_stmt_step (s, error)) == ML_STEP_ROW)
    g_hash_table_insert (p, g_strdup (ml_stmt_text (s, 0)), g_strdup (ml_stmt_text (s, 1)));
  return step == ML_STEP_ERROR ? NULL : g_steal_pointer (&p);
}

/* The value of METRIC (scope all) at N windows, NAN if absent. */
static double
metric_at (MlDb *db, const char *metric, int n)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, "SELECT value FROM metrics WHERE scope = 'all' AND metric = ? "
                                           "AND n_windows = ?", NULL);
  double v = NAN;

  if (s != NULL && ml_stmt_bind_text (s, 1, metric, -1, NULL) && ml_stmt_bind_int64 (s, 2, n, NULL)
      && ml_stmt_step (s, NULL) == ML_STEP_ROW && !ml_stmt_is_null (s, 0))
    v = ml_stmt_double (s, 0);
  return v;
}

static const char *const curve_metrics[] = {
  "contacts_recall", "contacts_precision", "contacts_f1", "top5_recall", "lookups_not_messaged",
  "home_error_km", "home_within_1km", "home_within_10km", "home_found",
  "work_error_km", "work_within_1km", "work_within_10km", "work_found",
  "coloc_household_precision", "coloc_household_recall", "coloc_coworker_precision",
  "coloc_coworker_recall", "sensitive_recall", "trips_recall",
  "hop_reach_2", "true_reach_2", "hop_reach_3", "true_reach_3",
  "covered_days", "gap_days", "retention_lost_days",
};

static void
append_curves (GString *j, MlDb *db, int windows)
{
  g_string_append (j, "  \"curves\": {\n    \"n_windows\": [");
  for (int n = 1; n <= windows; n++)
    g_string_append_printf (j, "%s%d", n > 1 ? ", " : "", n);
  g_string_append (j, "]");
  for (gsize m = 0; m < G_N_ELEMENTS (curve_metrics); m++)
    {
      g_string_append_printf (j, ",\n    \"%s\": [", curve_metrics[m]);
      for (int n = 1; n <= windows; n++)
        {
          g_string_append (j, n > 1 ? ", " : "");
          json_number (j, metric_at (db, curve_metrics[m], n));
        }
      g_string_append (j, "]");
    }
  g_string_append (j, "\n  },\n");
}

static void
append_headline (GString *j, MlDb *db, GHashTable *params, int windows)
{
  static const char *const keys[] = { "contacts_recall", "contacts_precision", "top5_recall", "home_error_km",
                                      "home_within_1km", "home_within_10km", "work_error_km", "work_within_10km",
                                      "sensitive_recall", "lookups_not_messaged", "coloc_household_recall" };
  const char *rows = g_hash_table_lookup (params, "evidence_rows");
  const char *targets = g_hash_table_lookup (params, "targets");

  g_string_append_printf (j, "  \"headline\": {\"windows\": %d", windows);
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_string_append_printf (j, ", \"%s\": ", keys[i]);
      json_number (j, metric_at (db, keys[i], windows));
    }
  g_string_append_printf (j, ", \"evidence_rows\": %s, \"targets\": %s},\n",
                          rows ? rows : "0", targets ? targets : "0");
}

static void
append_object (GString *j, const char *name, GHashTable *params, const char *const *keys)
{
  g_string_append_printf (j, "  \"%s\": {", name);
  for (int i = 0; keys[i] != NULL; i++)
    {
      const char *v = g_hash_table_lookup (params, keys[i]);
      g_string_append_printf (j, "%s\"%s\": ", i ? ", " : "", keys[i]);
      if (v == NULL)
        g_string_append (j, "null");
      else if (g_regex_match_simple ("^-?[0-9]+(\\.[0-9]+)?$", v, 0, 0))
        g_string_append (j, v);
      else
        ml_json_string (j, v);
    }
  g_string_append (j, "},\n");
}

static char *
pct (double v)
{
  return isnan (v) ? g_strdup ("n/a") : g_strdup_printf ("%.0f %%", 100.0 * v);
}

static char *
km (double v)
{
  return isnan (v) ? g_strdup ("n/a") : g_strdup_printf ("%.1f km", v);
}

/* Five plain sentences for a policy reader. */
static char **
summary_sentences (MlDb *db, GHashTable *params, int windows)
{
  GPtrArray *s = g_ptr_array_new ();
  const char *wd = g_hash_table_lookup (params, "window_days");
  g_autofree char *recall = pct (metric_at (db, "contacts_recall", windows));
  g_autofree char *precision = pct (metric_at (db, "contacts_precision", windows));
  g_autofree char *recall1 = pct (metric_at (db, "contacts_recall", 1));
  g_autofree char *home10 = pct (metric_at (db, "home_within_10km", windows));
  g_autofree char *home_err = km (metric_at (db, "home_error_km", windows));
  g_autofree char *work10 = pct (metric_at (db, "work_within_10km", windows));
  g_autofree char *notmsg = pct (metric_at (db, "lookups_not_messaged", windows));
  g_autofree char *sens = pct (metric_at (db, "sensitive_recall", windows));

  g_ptr_array_add (s, g_strdup_printf ("After %d chained %s-day order%s, %s of the targets' true contacts were "
                                       "recovered (%s of those reported were real), from logs that hold no "
                                       "message content.", windows, wd ? wd : "30", windows > 1 ? "s" : "",
                                       recall, precision));
  g_ptr_array_add (s, g_strdup_printf ("One order alone recovered %s; each renewal adds more.", recall1));
  g_ptr_array_add (s, g_strdup_printf ("Home was placed within 10 km for %s of targets (median error %s); "
                                       "work within 10 km for %s.", home10, home_err, work10));
  g_ptr_array_add (s, g_strdup_printf ("%s of the numbers a target looked up were never messaged: a lookup is "
                                       "not proof of communication.", notmsg));
  g_ptr_array_add (s, g_strdup_printf ("%s of the sensitive kinds of service targets contacted (health, legal, "
                                       "religious, ...) showed up in the lookups.", sens));
  g_ptr_array_add (s, NULL);
  return (char **) g_ptr_array_free (s, FALSE);
}

/* SQL (one integer parameter, ?1, or none) giving one number; NAN if it
 * fails or is NULL. */
static double
query_double (MlDb *db, const char *sql, gint64 arg)
{
  g_autoptr(MlStmt) s = ml_db_prepare (db, sql, NULL);
  double v = NAN;

  if (s != NULL && (strstr (sql, "?1") == NULL || ml_stmt_bind_int64 (s, 1, arg, NULL))
      && ml_stmt_step (s, NULL) == ML_STEP_ROW && !ml_stmt_is_null (s, 0))
    v = ml_stmt_double (s, 0);
  return v;
}

/* Five sentences for an imported log or CDR set: no ground truth, so they
 * say what the investigator obtains, not how much of the truth it is. */
static char **
summary_sentences_imported (MlDb *db, GHashTable *params, int windows)
{
  GPtrArray *s = g_ptr_array_new ();
  const char *wd = g_hash_table_lookup (params, "window_days");
  gboolean cdr = g_strcmp0 (g_hash_table_lookup (params, "input"), "cdr") == 0;
  const char *what = cdr ? "call and text records" : "directory lookups";
  double targets = query_double (db, "SELECT count(*) FROM targets WHERE hop = 1", 0);
  double rows = query_double (db, "SELECT count(*) FROM evidence", 0);
  double reported_n = query_double (db, "SELECT count(*) FROM contacts c JOIN targets t ON t.target = c.target "
                                        "AND t.hop = 1 WHERE c.n_windows = ?1 AND c.reported = 1", windows);
  double reported_1 = query_double (db, "SELECT count(*) FROM contacts c JOIN targets t ON t.target = c.target "
                                        "AND t.hop = 1 WHERE c.n_windows = ?1 AND c.reported = 1", 1);
  double homes = query_double (db, "SELECT count(DISTINCT target) FROM places WHERE n_windows = ?1 AND kind = 'home'",
                               windows);
  double works = query_double (db, "SELECT count(DISTINCT target) FROM places WHERE n_windows = ?1 AND kind = 'work'",
                               windows);
  double radius = query_double (db, "SELECT avg(radius_km) FROM places WHERE n_windows = ?1 AND kind = 'home'",
                                windows);
  double sensitive = query_double (db, "SELECT count(DISTINCT target) FROM sensitive WHERE n_windows = ?1", windows);
  double unique4 = query_double (db, "SELECT share_unique FROM uniqueness WHERE k = 4", 0);

  if (!(targets > 0))
    targets = NAN;
  g_ptr_array_add (s, g_strdup_printf ("%d chained %s-day order%s returned %.0f evidence rows (%s) about "
                                       "%.0f target%s, with no content.", windows, wd ? wd : "30",
                                       windows > 1 ? "s" : "", rows, what, targets, targets == 1 ? "" : "s"));
  g_ptr_array_add (s, g_strdup_printf ("The investigator would name %.1f contacts per target after %d order%s, "
                                       "%.1f after one.", reported_n / targets, windows, windows > 1 ? "s" : "",
                                       reported_1 / targets));
  g_autofree char *home_share = pct (homes / targets);
  g_autofree char *work_share = pct (works / targets);
  g_autofree char *home_radius = km (radius);
  g_ptr_array_add (s, g_strdup_printf ("A home was placed for %s of targets (mean uncertainty %s) and a work "
                                       "place for %s.", home_share, home_radius, work_share));
  g_autofree char *sens = pct (sensitive / targets);
  g_ptr_array_add (s, g_strdup_printf ("%s of targets were in touch with a listed sensitive service (health, "
                                       "legal, religious, ...).", sens));
  if (isnan (unique4))
    g_ptr_array_add (s, g_strdup ("Run with --population to measure how few points single a person out "
                                  "(de Montjoye et al. 2013: 4 points, 95 %)."));
  else
    {
      g_autofree char *u = pct (unique4);
      g_ptr_array_add (s, g_strdup_printf ("In the whole %s, 4 random (hour, place) points single out %s of "
                                           "people.", cdr ? "record set" : "log", u));
    }
  g_ptr_array_add (s, NULL);
  return (char **) g_ptr_array_free (s, FALSE);
}

static const char *const imported_caveats[] = {
  "These are real records: every number is what the method infers; with no ground truth nothing here is scored.",
  "A lookup or a record shows that two numbers were connected, not what was said.",
  "Positions come from the GeoIP database given (IPs) or the antennas file (towers): a cell covers one to tens of km.",
  "Handles are pseudonymised with a keyed hash unless --reveal was given.",
  NULL,
};

static const char *const caveats[] = {
  "The population, its movements and its messages are simulated; the numbers measure the method, not any real person.",
  "A lookup shows that a phone asked about a number, not that a message was sent or read.",
  "IP geolocation of broadband is accurate to a few km; cellular addresses point to the carrier's gateway, often 100+ km away.",
  "Real logs differ from the simulation in cache lifetimes, device mixes and carrier NAT; calibrate before generalising.",
  NULL,
};

gboolean
ml_findings_write_json (MlDb *db, const char *path, char ***summary_out, GError **error)
{
  static const char *const run_keys[] = { "run_dir", "scenario", "seed", "people", "days", "start", "imported", NULL };
  static const char *const case_keys[] = { "name", "kind", "first_service", "window_days", "extensions", "lag_days",
                                           "retention_days", "mode", "ip_pivot", "hops", "targets", "population", NULL };
  g_autoptr(GHashTable) params = read_params (db, error);
  g_autoptr(GString) j = g_string_new ("{\n");
  g_auto(GStrv) summary = NULL;
  int windows;

  if (params == NULL)
    return FALSE;
  windows = atoi (g_hash_table_lookup (params, "windows") ? g_hash_table_lookup (params, "windows") : "0");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *generated = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  g_string_append_printf (j, "  \"tool\": \"metaleak\",\n  \"version\": \"%s\",\n  \"generated\": \"%s\",\n",
                          PACKAGE_VERSION, generated);
  append_object (j, "run", params, run_keys);
  append_object (j, "case", params, case_keys);
  g_string_append_printf (j, "  \"windows\": %d,\n", windows);
  append_curves (j, db, windows);
  append_headline (j, db, params, windows);
  gboolean imported = g_strcmp0 (g_hash_table_lookup (params, "imported"), "1") == 0;
  summary = imported ? summary_sentences_imported (db, params, windows) : summary_sentences (db, params, windows);
  g_string_append (j, "  \"summary\": [");
  for (int i = 0; summary[i] != NULL; i++)
    {
      g_string_append (j, i ? ",\n    " : "\n    ");
      ml_json_string (j, summary[i]);
    }
  g_string_append (j, "\n  ],\n  \"caveats\": [");
  for (const char *const *c = imported ? imported_caveats : caveats; *c != NULL; c++)
    {
      g_string_append (j, c > (imported ? imported_caveats : caveats) ? ",\n    " : "\n    ");
      ml_json_string (j, *c);
    }
  g_string_append (j, "\n  ]\n}\n");
  if (!ml_write_file_atomic (path, j->str, (gssize) j->len, error))
    return FALSE;
  if (summary_out != NULL)
    *summary_out = g_steal_pointer (&summary);
  return TRUE;
}
