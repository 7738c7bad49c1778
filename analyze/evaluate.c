/* evaluate.c -- the evaluator: inferences scored against the simulation's truth.
 *
 * THE WALL: this is the only file of the analyzer that opens truth.db
 * (tests/unit/test-wall.c fails the build if another one does).  It
 * receives what the inferences found (MlTargetResult) and compares it with
 * what really happened, over the time the evidence covers.  Metrics and
 * their definitions: docs/analyze/evaluation.md.
 *
 * Data: people and services are read whole (sorted arrays, binary search
 * by id and by handle id); for each scored person a Truth holds the ties
 * (strongest first), housemates, co-workers, home and work positions and
 * the person's rows of the four big tables.  stays and messages_daily
 * are clustered by person and service_contacts has an index on it, so
 * their rows are read one query per person; trips (small, no index) is
 * read in ONE full scan for all targets, filtered in C by a hash set of
 * their person ids.  The four reads run in parallel on their own
 * read-only connections (scan_specs below).
 *
 * Invariants: person and service arrays are sorted and never resized after
 * opening (pointers into them are stable); a Truth is complete once it is
 * in e->truths.  Undefined metrics (a precision with nothing reported) are
 * left out rather than written as 0 or NaN.
 *
 * Workload: loading a target costs a few adjacent pages per table (a
 * full scan only for trips, or for a table whose index is missing: 10^8
 * rows of messages_daily in a city run would take tens of seconds);
 * scoring a target at one window count is linear in its contacts and
 * truth rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evaluate.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/parallel.h"
#include "common/schema.h"

#define TOP_TIES 5                /* top5_recall: the strongest true ties */
#define N_SCANS 4                 /* stays, messages_daily, service_contacts, trips */
#define NO_ID ((gint64) -1)       /* a NULL place, household or work place */

typedef struct {
  gint64 id;                      /* people.id */
  gint64 handle;                  /* people.handle_id = provider handles.id */
  gint64 household;               /* NO_ID if none */
  gint64 work_place;              /* NO_ID if none */
} Person;

typedef struct {
  gint64 id;                      /* services.id */
  gint64 handle;                  /* services.handle_id */
  char category[32];
  gboolean sensitive;
} Service;

typedef struct { gint64 other; double strength; } Tie;       /* strength = weight_ab + weight_ba */
typedef struct { MlTime start, end; gint64 place; } Stay;     /* place NO_ID in transit */
typedef struct { MlDay day; gint64 recipient; } Sent;         /* a day with messages to RECIPIENT */
typedef struct { MlTime ts; gint64 service; } SvcContact;
typedef struct {
  MlTime start, end;
  gint64 city;
  gboolean known;                 /* the city has a position (resolved at load) */
  double lat, lon;
} TruthTrip;

/* Everything known about one scored person. */
typedef struct {
  const Person *p;
  GArray *ties;                   /* Tie, strongest first (then lower id) */
  GArray *tie_ids;                /* gint64 person ids of the ties, sorted */
  GArray *housemates;             /* gint64 person ids, sorted, self excluded */
  GArray *coworkers;              /* gint64 person ids, sorted, self excluded */
  GArray *scans[N_SCANS];         /* Stay, Sent, SvcContact, TruthTrip */
  gboolean has_home, has_work;
  double home_lat, home_lon, work_lat, work_lon;
  gint64 home_place;
} Truth;

enum { SCAN_STAYS, SCAN_SENT, SCAN_CONTACTS, SCAN_TRIPS };

struct MlEvaluator {
  MlDb *db;
  GArray *people;                 /* Person, sorted by id */
  GHashTable *by_handle;          /* handle (ML_ID_KEY) -> Person* in people */
  GArray *services;               /* Service, sorted by id */
  GHashTable *service_by_handle;  /* handle (ML_ID_KEY) -> Service* */
  GHashTable *truths;             /* gint64* person id -> Truth* */
  MlStmt *place_pos, *city_pos, *home_of, *ties_a, *ties_b, *person_text;
  gboolean reach_done;
  double true_reach[4];           /* [k]: people within k ties of the named targets */
};

/* ---- small helpers -------------------------------------------------------- */

static int
cmp_i64 (gconstpointer pa, gconstpointer pb)
{
  gint64 a = *(const gint64 *) pa, b = *(const gint64 *) pb;
  return a < b ? -1 : a > b;
}

static gboolean
sorted_has (const GArray *a, gint64 v)
{
  return a != NULL && a->len > 0 && bsearch (&v, a->data, a->len, sizeof (gint64), cmp_i64) != NULL;
}

static const Person *
person_by_id (MlEvaluator *e, gint64 id)
{
  if (e->people->len == 0)
    return NULL;
  return bsearch (&id, e->people->data, e->people->len, sizeof (Person), cmp_i64);
}

static const Person *
person_by_handle (MlEvaluator *e, gint64 handle)
{
  return g_hash_table_lookup (e->by_handle, ML_ID_KEY (handle));
}

static const Service *
service_by_id (MlEvaluator *e, gint64 id)
{
  if (e->services->len == 0)
    return NULL;
  return bsearch (&id, e->services->data, e->services->len, sizeof (Service), cmp_i64);
}

static gboolean
is_service_handle (MlEvaluator *e, gint64 handle)
{
  return g_hash_table_contains (e->service_by_handle, ML_ID_KEY (handle));
}

static gboolean
day_covered (const MlWindowSet *covered, MlDay d)
{
  return covered != NULL && ml_window_set_contains (covered, ml_day_start (d));
}

/* Seconds of [START, END) inside COVERED. */
static MlTime
covered_seconds (const MlWindowSet *covered, MlTime start, MlTime end)
{
  MlWindow w = { start, end }, x;
  MlTime total = 0;

  for (guint i = 0; covered != NULL && i < covered->w->len; i++)
    if (ml_window_intersect (&g_array_index (covered->w, MlWindow, i), &w, &x))
      total += ml_window_length (&x);
  return total;
}

static void
metric_add (GArray *metrics, const MlTargetResult *r, const char *name, double value)
{
  MlMetric m = { .n_windows = r->n_windows, .value = value };

  g_strlcpy (m.scope, r->target_text != NULL ? r->target_text : "", sizeof m.scope);
  g_strlcpy (m.metric, name, sizeof m.metric);
  g_array_append_val (metrics, m);
}

static double
share (guint num, guint den)
{
  return den > 0 ? (double) num / den : NAN;
}

/* Add NAME = NUM / DEN unless DEN is 0 (undefined). */
static void
share_add (GArray *metrics, const MlTargetResult *r, const char *name, guint num, guint den)
{
  if (den > 0)
    metric_add (metrics, r, name, share (num, den));
}

/* ---- loading: people and services --------------------------------------- */

static gint64
col_id (MlStmt *s, int col)
{
  return ml_stmt_is_null (s, col) ? NO_ID : ml_stmt_int64 (s, col);
}

static gboolean
load_people (MlEvaluator *e, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (e->db, "SELECT id, handle_id, household, work_place FROM people ORDER BY id",
                                       error);
  MlStep st;

  if (s == NULL)
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      Person p = { ml_stmt_int64 (s, 0), ml_stmt_int64 (s, 1), col_id (s, 2), col_id (s, 3) };
      g_array_append_val (e->people, p);
    }
  return st == ML_STEP_DONE;
}

/* e->by_handle: every person by handle (PEOPLE no longer grows). */
static void
index_people (MlEvaluator *e)
{
  for (guint i = 0; i < e->people->len; i++)
    {
      Person *p = &g_array_index (e->people, Person, i);
      g_hash_table_insert (e->by_handle, ML_ID_KEY (p->handle), p);
    }
}

static gboolean
load_services (MlEvaluator *e, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (e->db, "SELECT id, handle_id, category, sensitive FROM services ORDER BY id",
                                       error);
  MlStep st;

  if (s == NULL)
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      Service x = { .id = ml_stmt_int64 (s, 0), .handle = ml_stmt_int64 (s, 1),
                    .sensitive = ml_stmt_int64 (s, 3) != 0 };
      g_strlcpy (x.category, ml_stmt_text (s, 2) != NULL ? ml_stmt_text (s, 2) : "", sizeof x.category);
      g_array_append_val (e->services, x);
    }
  if (st != ML_STEP_DONE)
    return FALSE;
  for (guint i = 0; i < e->services->len; i++)
    {
      Service *x = &g_array_index (e->services, Service, i);
      g_hash_table_insert (e->service_by_handle, ML_ID_KEY (x->handle), x);
    }
  return TRUE;
}

static gboolean
prepare_statements (MlEvaluator *e, GError **error)
{
  return (e->place_pos = ml_db_prepare (e->db, "SELECT lat, lon FROM places WHERE id = ?", error)) != NULL
         && (e->city_pos = ml_db_prepare (e->db, "SELECT lat, lon FROM cities WHERE id = ?", error)) != NULL
         && (e->home_of = ml_db_prepare (e->db, "SELECT home_place FROM households WHERE id = ?", error)) != NULL
         && (e->ties_a = ml_db_prepare (e->db, "SELECT b, coalesce(weight_ab, 0) + coalesce(weight_ba, 0) "
                                        "FROM ties WHERE a = ?", error)) != NULL
         && (e->ties_b = ml_db_prepare (e->db, "SELECT a, coalesce(weight_ab, 0) + coalesce(weight_ba, 0) "
                                        "FROM ties WHERE b = ?", error)) != NULL
         && (e->person_text = ml_db_prepare (e->db, "SELECT handle FROM people WHERE id = ?", error)) != NULL;
}

/* ---- loading: one person's small-table truth ------------------------------ */

/* The position of row ID of STMT's table ("SELECT lat, lon ... WHERE id = ?"):
 * *FOUND is FALSE for a missing row or NULL coordinates. */
static gboolean
position_of (MlStmt *stmt, gint64 id, gboolean *found, double *lat, double *lon, GError **error)
{
  MlStep st;

  *found = FALSE;
  if (id == NO_ID)
    return TRUE;
  if (!ml_stmt_bind_int64 (stmt, 1, id, error) || (st = ml_stmt_step (stmt, error)) == ML_STEP_ERROR)
    return FALSE;
  if (st == ML_STEP_ROW && !ml_stmt_is_null (stmt, 0) && !ml_stmt_is_null (stmt, 1))
    {
      *found = TRUE;
      *lat = ml_stmt_double (stmt, 0);
      *lon = ml_stmt_double (stmt, 1);
    }
  ml_stmt_reset (stmt);
  return TRUE;
}

/* Append to OUT (Tie) the ties of PERSON found by STMT (ties_a or ties_b). */
static gboolean
ties_from (MlStmt *stmt, gint64 person, GArray *out, GError **error)
{
  MlStep st;

  if (!ml_stmt_bind_int64 (stmt, 1, person, error))
    return FALSE;
  while ((st = ml_stmt_step (stmt, error)) == ML_STEP_ROW)
    {
      Tie t = { ml_stmt_int64 (stmt, 0), ml_stmt_double (stmt, 1) };
      g_array_append_val (out, t);
    }
  ml_stmt_reset (stmt);
  return st == ML_STEP_DONE;
}

static int
cmp_tie_strength (gconstpointer pa, gconstpointer pb)
{
  const Tie *a = pa, *b = pb;

  if (a->strength != b->strength)
    return a->strength > b->strength ? -1 : 1;
  return a->other < b->other ? -1 : a->other > b->other;
}

static gboolean
load_ties (MlEvaluator *e, Truth *t, GError **error)
{
  if (!ties_from (e->ties_a, t->p->id, t->ties, error) || !ties_from (e->ties_b, t->p->id, t->ties, error))
    return FALSE;
  g_array_sort (t->ties, cmp_tie_strength);
  for (guint i = 0; i < t->ties->len; i++)
    g_array_append_val (t->tie_ids, g_array_index (t->ties, Tie, i).other);
  g_array_sort (t->tie_ids, cmp_i64);
  return TRUE;
}

static gboolean
load_home_work (MlEvaluator *e, Truth *t, GError **error)
{
  MlStep st;

  t->home_place = NO_ID;
  if (t->p->household != NO_ID)
    {
      if (!ml_stmt_bind_int64 (e->home_of, 1, t->p->household, error)
          || (st = ml_stmt_step (e->home_of, error)) == ML_STEP_ERROR)
        return FALSE;
      if (st == ML_STEP_ROW)
        t->home_place = col_id (e->home_of, 0);
      ml_stmt_reset (e->home_of);
    }
  return position_of (e->place_pos, t->home_place, &t->has_home, &t->home_lat, &t->home_lon, error)
         && position_of (e->place_pos, t->p->work_place, &t->has_work, &t->work_lat, &t->work_lon, error);
}

static void
truth_free (gpointer data)
{
  Truth *t = data;

  g_array_unref (t->ties);
  g_array_unref (t->tie_ids);
  g_array_unref (t->housemates);
  g_array_unref (t->coworkers);
  for (int k = 0; k < N_SCANS; k++)
    if (t->scans[k] != NULL)
      g_array_unref (t->scans[k]);
  g_free (t);
}

static Truth *
truth_new (const Person *p)
{
  static const guint sizes[N_SCANS] = { sizeof (Stay), sizeof (Sent), sizeof (SvcContact), sizeof (TruthTrip) };
  Truth *t = g_new0 (Truth, 1);

  t->p = p;
  t->ties = g_array_new (FALSE, FALSE, sizeof (Tie));
  t->tie_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  t->housemates = g_array_new (FALSE, FALSE, sizeof (gint64));
  t->coworkers = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (int k = 0; k < N_SCANS; k++)
    t->scans[k] = g_array_new (FALSE, FALSE, sizes[k]);
  return t;
}

/* Housemates and co-workers of the NEW truths (person id -> Truth*), in one
 * pass over the people. */
static void
load_groups (MlEvaluator *e, GHashTable *fresh)
{
  g_autoptr(GHashTable) by_household = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                               (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) by_work = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                          (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, fresh);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Truth *t = value;
      GHashTable *maps[2] = { by_household, by_work };
      const gint64 *keys[2] = { &t->p->household, &t->p->work_place };
      for (int m = 0; m < 2; m++)
        if (*keys[m] != NO_ID)
          {
            GPtrArray *list = g_hash_table_lookup (maps[m], keys[m]);
            if (list == NULL)
              g_hash_table_insert (maps[m], (gpointer) keys[m], list = g_ptr_array_new ());
            g_ptr_array_add (list, t);
          }
    }
  for (guint i = 0; i < e->people->len; i++)
    {
      const Person *p = &g_array_index (e->people, Person, i);
      GPtrArray *h = p->household != NO_ID ? g_hash_table_lookup (by_household, &p->household) : NULL;
      GPtrArray *w = p->work_place != NO_ID ? g_hash_table_lookup (by_work, &p->work_place) : NULL;
      for (guint j = 0; h != NULL && j < h->len; j++)
        if (((Truth *) h->pdata[j])->p != p)
          g_array_append_val (((Truth *) h->pdata[j])->housemates, p->id);
      for (guint j = 0; w != NULL && j < w->len; j++)
        if (((Truth *) w->pdata[j])->p != p)
          g_array_append_val (((Truth *) w->pdata[j])->coworkers, p->id);
    }
}

/* ---- loading: the big tables, one parallel scan each ----------------------- */

typedef gboolean (*RowFunc) (MlStmt *s, gpointer elt);

static gboolean
row_stay (MlStmt *s, gpointer elt)
{
  *(Stay *) elt = (Stay) { ml_stmt_int64 (s, 1), ml_stmt_int64 (s, 2), col_id (s, 3) };
  return TRUE;
}

static gboolean
row_sent (MlStmt *s, gpointer elt)
{
  *(Sent *) elt = (Sent) { (MlDay) ml_stmt_int64 (s, 1), ml_stmt_int64 (s, 2) };
  return ml_stmt_int64 (s, 3) > 0;
}

static gboolean
row_contact (MlStmt *s, gpointer elt)
{
  *(SvcContact *) elt = (SvcContact) { ml_stmt_int64 (s, 1), ml_stmt_int64 (s, 2) };
  return TRUE;
}

static gboolean
row_trip (MlStmt *s, gpointer elt)
{
  *(TruthTrip *) elt = (TruthTrip) { .start = ml_stmt_int64 (s, 1), .end = ml_stmt_int64 (s, 2), .city = col_id (s, 3) };
  return TRUE;
}

/* Column 0 is always the person, read "WHERE person = ?" for the wanted
 * people only when there is a cheap path to them: the tables clustered by
 * person (schema.c: always), or the index INDEX when it exists; otherwise
 * the whole table is scanned.  A person's rows come in ORDER, the order the
 * simulator generated them in (by time), as a scan of its rowid table
 * would read them. */
static const struct {
  const char *sql;
  const char *by_person;          /* the WHERE clause's person column; NULL: always scanned */
  const char *order;              /* a person's rows in generation order */
  const char *index;              /* NULL: clustered by person */
  RowFunc row;
  gsize size;
} scan_specs[N_SCANS] = {
  [SCAN_STAYS] = { "SELECT person, start, end, place FROM stays", "person", "start", NULL,
                   row_stay, sizeof (Stay) },
  [SCAN_SENT] = { "SELECT sender, day, recipient, coalesce(imessage, 0) + coalesce(sms, 0) FROM messages_daily",
                  "sender", "day, recipient", NULL, row_sent, sizeof (Sent) },
  [SCAN_CONTACTS] = { "SELECT person, ts, service FROM service_contacts", "person", "rowid",
                      "service_contacts_by_person", row_contact, sizeof (SvcContact) },
  [SCAN_TRIPS] = { "SELECT person, start, end, city FROM trips", NULL, NULL, NULL, row_trip, sizeof (TruthTrip) },
};

typedef struct {
  const char *path;               /* truth.db */
  GHashTable *wanted;             /* gint64* person id -> Truth*, read-only during the scans */
  GHashTable *rows[N_SCANS];      /* per scan: gint64* person id -> GArray, filled by its chunk */
  GError *errors[N_SCANS];
} ScanJob;

/* Append the current row of S (a row of scan K) to its person's array. */
static void
scan_row (ScanJob *job, guint k, MlStmt *s)
{
  guint8 elt[64];
  gint64 person = ml_stmt_int64 (s, 0);
  Truth *t = g_hash_table_lookup (job->wanted, &person);
  GArray *a;

  g_assert (scan_specs[k].size <= sizeof elt);
  if (t == NULL || !scan_specs[k].row (s, elt))
    return;
  if ((a = g_hash_table_lookup (job->rows[k], &t->p->id)) == NULL)
    g_hash_table_insert (job->rows[k], (gpointer) &t->p->id, a = g_array_new (FALSE, FALSE, (guint) scan_specs[k].size));
  g_array_append_vals (a, elt, 1);
}

/* Scan K through its person index: one query per wanted person. */
static gboolean
scan_indexed (ScanJob *job, guint k, MlDb *db, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("%s WHERE %s = ? ORDER BY %s", scan_specs[k].sql, scan_specs[k].by_person,
                                          scan_specs[k].order);
  g_autoptr(MlStmt) s = ml_db_prepare (db, sql, error);
  g_autoptr(GArray) people = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter it;
  gpointer key;
  MlStep st = ML_STEP_DONE;

  if (s == NULL)
    return FALSE;
  g_hash_table_iter_init (&it, job->wanted);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_array_append_val (people, *(gint64 *) key);
  g_array_sort (people, cmp_i64);
  for (guint i = 0; i < people->len && st == ML_STEP_DONE; i++)
    {
      if (!ml_stmt_bind_int64 (s, 1, g_array_index (people, gint64, i), error))
        return FALSE;
      while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
        scan_row (job, k, s);
      ml_stmt_reset (s);
    }
  return st == ML_STEP_DONE;
}

static gboolean
scan_table (ScanJob *job, guint k, GError **error)
{
  g_autoptr(MlDb) db = ml_db_open (job->path, ML_DB_READONLY, error);
  g_autoptr(MlStmt) s = NULL;
  gint64 indexed = scan_specs[k].by_person != NULL && scan_specs[k].index == NULL;
  MlStep st;

  if (db == NULL)
    return FALSE;
  if (scan_specs[k].by_person != NULL && scan_specs[k].index != NULL)
    {
      g_autoptr(MlStmt) q = ml_db_prepare (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                                           error);
      if (q == NULL || !ml_stmt_bind_text (q, 1, scan_specs[k].index, -1, error) || ml_stmt_step (q, error) != ML_STEP_ROW)
        return FALSE;
      indexed = ml_stmt_int64 (q, 0);
    }
  if (indexed)
    return scan_indexed (job, k, db, error);
  if ((s = ml_db_prepare (db, scan_specs[k].sql, error)) == NULL)
    return FALSE;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    scan_row (job, k, s);
  return st == ML_STEP_DONE;
}

static void
scan_chunk (guint chunk, gpointer data)
{
  ScanJob *job = data;

  scan_table (job, chunk, &job->errors[chunk]);
}

/* Fill the scans of the truths in FRESH (person id -> Truth*). */
static gboolean
load_scans (MlEvaluator *e, GHashTable *fresh, GError **error)
{
  ScanJob job = { .path = ml_db_path (e->db), .wanted = fresh };
  gboolean ok = TRUE;

  for (int k = 0; k < N_SCANS; k++)
    job.rows[k] = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) g_array_unref);
  ml_parallel_for (N_SCANS, MIN (N_SCANS, ml_parallel_default_threads ()), scan_chunk, &job);
  for (int k = 0; k < N_SCANS; k++)
    {
      GHashTableIter it;
      gpointer key, value;
      if (job.errors[k] != NULL && ok)
        {
          g_propagate_error (error, g_steal_pointer (&job.errors[k]));
          ok = FALSE;
        }
      g_clear_error (&job.errors[k]);
      g_hash_table_iter_init (&it, job.rows[k]);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          Truth *t = g_hash_table_lookup (fresh, key);
          g_array_unref (t->scans[k]);
          t->scans[k] = value;
          g_hash_table_iter_steal (&it);
        }
      g_hash_table_unref (job.rows[k]);
    }
  return ok;
}

/* Load the truth of the people among HANDLES (gint64 handle ids) that are
 * not loaded yet. */
static gboolean
load_truths (MlEvaluator *e, const gint64 *handles, guint n, GError **error)
{
  g_autoptr(GHashTable) fresh = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, truth_free);
  GHashTableIter it;
  gpointer key, value;

  for (guint i = 0; i < n; i++)
    {
      const Person *p = person_by_handle (e, handles[i]);
      if (p == NULL || g_hash_table_contains (e->truths, &p->id) || g_hash_table_contains (fresh, &p->id))
        continue;
      Truth *t = truth_new (p);
      g_hash_table_insert (fresh, (gpointer) &p->id, t);
      if (!load_ties (e, t, error) || !load_home_work (e, t, error))
        return FALSE;
    }
  if (g_hash_table_size (fresh) == 0)
    return TRUE;
  load_groups (e, fresh);
  if (!load_scans (e, fresh, error))
    return FALSE;
  g_hash_table_iter_init (&it, fresh);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      Truth *t = value;
      GArray *trips = t->scans[SCAN_TRIPS];
      g_array_sort (t->housemates, cmp_i64);
      g_array_sort (t->coworkers, cmp_i64);
      /* trip cities' positions now: scoring then reads no database */
      for (guint i = 0; i < trips->len; i++)
        {
          TruthTrip *tt = &g_array_index (trips, TruthTrip, i);
          if (!position_of (e->city_pos, tt->city, &tt->known, &tt->lat, &tt->lon, error))
            return FALSE;
        }
      g_hash_table_iter_steal (&it);
      g_hash_table_insert (e->truths, key, t);
    }
  return TRUE;
}

/* ---- open / free ------------------------------------------------------------ */

gboolean
ml_evaluator_available (const char *run_dir)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (run_dir != NULL, FALSE);
  path = g_build_filename (run_dir, "truth.db", NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

MlEvaluator *
ml_evaluator_open (const char *run_dir, GArray *targets, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(MlEvaluator) e = NULL;

  g_return_val_if_fail (run_dir != NULL, NULL);
  path = g_build_filename (run_dir, "truth.db", NULL);
  e = g_new0 (MlEvaluator, 1);
  e->people = g_array_new (FALSE, FALSE, sizeof (Person));
  e->by_handle = ml_id_table_new (NULL);
  e->services = g_array_new (FALSE, FALSE, sizeof (Service));
  e->service_by_handle = ml_id_table_new (NULL);
  e->truths = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, truth_free);
  if ((e->db = ml_db_open (path, ML_DB_READONLY, error)) == NULL
      || !ml_db_check_schema (e->db, ML_SCHEMA_TRUTH, ML_SCHEMA_TRUTH_VERSION, error)
      || !load_people (e, error) || !load_services (e, error) || !prepare_statements (e, error))
    return NULL;
  index_people (e);
  if (targets != NULL && !load_truths (e, (const gint64 *) (gpointer) targets->data, targets->len, error))
    return NULL;
  return g_steal_pointer (&e);
}

void
ml_evaluator_free (MlEvaluator *e)
{
  if (e == NULL)
    return;
  ml_stmt_free (e->place_pos);
  ml_stmt_free (e->city_pos);
  ml_stmt_free (e->home_of);
  ml_stmt_free (e->ties_a);
  ml_stmt_free (e->ties_b);
  ml_stmt_free (e->person_text);
  ml_db_free (e->db);
  g_array_unref (e->people);
  g_hash_table_unref (e->by_handle);
  g_array_unref (e->services);
  g_hash_table_unref (e->service_by_handle);
  g_hash_table_unref (e->truths);
  g_free (e);
}

/* The truth of R's target, loading it on demand; NULL (error unset) when
 * the target is not a simulated person. */
static Truth *
truth_of (MlEvaluator *e, gint64 handle, GError **error)
{
  const Person *p = person_by_handle (e, handle);

  if (p == NULL)
    return NULL;
  if (!g_hash_table_contains (e->truths, &p->id) && !load_truths (e, &handle, 1, error))
    return NULL;
  return g_hash_table_lookup (e->truths, &p->id);
}

/* ---- per-target metrics ------------------------------------------------------ */

/* The person id behind contact HANDLE, or NO_ID. */
static gint64
person_of_handle (MlEvaluator *e, gint64 handle)
{
  const Person *p = person_by_handle (e, handle);
  return p != NULL ? p->id : NO_ID;
}

static gboolean
reported_has (MlEvaluator *e, GArray *reported, gint64 person)
{
  for (guint i = 0; reported != NULL && i < reported->len; i++)
    if (person_of_handle (e, g_array_index (reported, MlContact, i).handle) == person)
      return TRUE;
  return FALSE;
}

/* contacts_precision / _recall / _f1 and top5_recall: reported contacts
 * against the true ties. */
static void
eval_contacts (MlEvaluator *e, const Truth *t, const MlTargetResult *r, GArray *m)
{
  guint n_rep = r->reported != NULL ? r->reported->len : 0, n_true = t->ties->len, tp = 0, top = 0;
  guint k = MIN (TOP_TIES, n_true);

  for (guint i = 0; i < n_rep; i++)
    if (sorted_has (t->tie_ids, person_of_handle (e, g_array_index (r->reported, MlContact, i).handle)))
      tp++;
  share_add (m, r, "contacts_precision", tp, n_rep);
  share_add (m, r, "contacts_recall", tp, n_true);
  share_add (m, r, "contacts_f1", 2 * tp, n_rep + n_true);
  for (guint i = 0; i < k; i++)
    if (reported_has (e, r->reported, g_array_index (t->ties, Tie, i).other))
      top++;
  share_add (m, r, "top5_recall", top, k);
}

/* contacts_brier: mean squared error of the contacts' confidence against
 * "is a true tie", over every contact that is not a service (calibration). */
static void
eval_brier (MlEvaluator *e, const Truth *t, const MlTargetResult *r, GArray *m)
{
  double sum = 0;
  guint n = 0;

  for (guint i = 0; r->contacts != NULL && i < r->contacts->len; i++)
    {
      const MlContact *c = &g_array_index (r->contacts, MlContact, i);
      if (is_service_handle (e, c->handle))
        continue;
      double y = sorted_has (t->tie_ids, person_of_handle (e, c->handle)) ? 1.0 : 0.0;
      sum += (c->confidence - y) * (c->confidence - y);
      n++;
    }
  if (n > 0)
    metric_add (m, r, "contacts_brier", sum / n);
}

/* lookups_not_messaged: of the handles the target looked up (n_out > 0,
 * services excluded), the share it sent no message to on a covered day. */
static void
eval_not_messaged (MlEvaluator *e, const Truth *t, const MlTargetResult *r, GArray *m)
{
  g_autoptr(GHashTable) messaged = ml_id_table_new (NULL);
  GArray *sent = t->scans[SCAN_SENT];
  guint looked = 0, never = 0;

  for (guint i = 0; i < sent->len; i++)
    {
      Sent *s = &g_array_index (sent, Sent, i);
      if (day_covered (r->covered, s->day))
        g_hash_table_add (messaged, ML_ID_KEY (s->recipient));
    }
  for (guint i = 0; r->contacts != NULL && i < r->contacts->len; i++)
    {
      const MlContact *c = &g_array_index (r->contacts, MlContact, i);
      if (c->n_out == 0 || is_service_handle (e, c->handle))
        continue;
      gint64 person = person_of_handle (e, c->handle);
      looked++;
      if (person == NO_ID || !g_hash_table_contains (messaged, ML_ID_KEY (person)))
        never++;
    }
  share_add (m, r, "lookups_not_messaged", never, looked);
}

/* KIND_found, KIND_error_km, KIND_within_1km / _10km for one place. */
static void
eval_place (const MlTargetResult *r, GArray *m, const char *kind, const MlPlaceGuess *g,
            gboolean has_true, double lat, double lon)
{
  gboolean found = g != NULL && g->found;
  double err = found ? ml_geo_haversine_km (g->lat, g->lon, lat, lon) : INFINITY;
  char name[40];

  if (!has_true)
    return;
  g_snprintf (name, sizeof name, "%s_found", kind);
  metric_add (m, r, name, found);
  if (found)
    {
      g_snprintf (name, sizeof name, "%s_error_km", kind);
      metric_add (m, r, name, err);
    }
  g_snprintf (name, sizeof name, "%s_within_1km", kind);
  metric_add (m, r, name, err <= 1.0);
  g_snprintf (name, sizeof name, "%s_within_10km", kind);
  metric_add (m, r, name, err <= 10.0);
}

/* coloc_KIND_precision / _recall: co-located handles of KIND against the
 * true group (housemates or co-workers). */
static void
eval_coloc_kind (MlEvaluator *e, const MlTargetResult *r, GArray *m, MlColocKind kind,
                 const GArray *group, const char *name)
{
  guint found = 0, tp = 0;
  char metric[40];

  for (guint i = 0; r->colocated != NULL && i < r->colocated->len; i++)
    {
      const MlCoLocated *c = &g_array_index (r->colocated, MlCoLocated, i);
      if (c->kind != kind)
        continue;
      found++;
      if (sorted_has (group, person_of_handle (e, c->handle)))
        tp++;
    }
  g_snprintf (metric, sizeof metric, "coloc_%s_precision", name);
  share_add (m, r, metric, tp, found);
  g_snprintf (metric, sizeof metric, "coloc_%s_recall", name);
  share_add (m, r, metric, tp, group->len);
}

static gboolean
sensitive_found (const MlTargetResult *r, const char *category)
{
  for (guint i = 0; r->sensitive != NULL && i < r->sensitive->len; i++)
    if (strcmp (g_array_index (r->sensitive, MlSensitiveHit, i).category, category) == 0)
      return TRUE;
  return FALSE;
}

/* The true sensitive categories of T in the covered period: category ->
 * GUINT_TO_POINTER (contacts).  Keys are borrowed from e->services. */
static GHashTable *
sensitive_truth (MlEvaluator *e, const Truth *t, const MlWindowSet *covered)
{
  GHashTable *cats = g_hash_table_new (g_str_hash, g_str_equal);
  GArray *contacts = t->scans[SCAN_CONTACTS];

  for (guint i = 0; i < contacts->len; i++)
    {
      const SvcContact *c = &g_array_index (contacts, SvcContact, i);
      const Service *s = service_by_id (e, c->service);
      if (s == NULL || !s->sensitive || covered == NULL || !ml_window_set_contains (covered, c->ts))
        continue;
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (cats, s->category));
      g_hash_table_insert (cats, (gpointer) s->category, GUINT_TO_POINTER (n + 1));
    }
  return cats;
}

static void
eval_sensitive (MlEvaluator *e, const Truth *t, const MlTargetResult *r, GArray *m)
{
  g_autoptr(GHashTable) cats = sensitive_truth (e, t, r->covered);
  GHashTableIter it;
  gpointer key;
  guint found = 0;

  g_hash_table_iter_init (&it, cats);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (sensitive_found (r, key))
      found++;
  share_add (m, r, "sensitive_recall", found, g_hash_table_size (cats));
}

static gboolean
trip_detected (const MlTargetResult *r, const TruthTrip *tt)
{
  GArray *trips = r->location != NULL ? r->location->trips : NULL;

  for (guint i = 0; trips != NULL && i < trips->len; i++)
    {
      const MlTrip *x = &g_array_index (trips, MlTrip, i);
      if (x->start < tt->end && x->end >= tt->start)
        return TRUE;
    }
  return FALSE;
}

/* trips_recall: true trips at least trip_km from home overlapping the
 * covered period that an inferred trip overlaps in time. */
static void
eval_trips (const Truth *t, const MlTargetResult *r, GArray *m)
{
  double trip_km = r->ev != NULL && r->ev->c != NULL ? r->ev->c->trip_km : 0;
  GArray *trips = t->scans[SCAN_TRIPS];
  guint n = 0, found = 0;

  for (guint i = 0; i < trips->len; i++)
    {
      const TruthTrip *tt = &g_array_index (trips, TruthTrip, i);
      if (covered_seconds (r->covered, tt->start, tt->end) == 0)
        continue;
      if (tt->known && t->has_home && ml_geo_haversine_km (tt->lat, tt->lon, t->home_lat, t->home_lon) < trip_km)
        continue;
      n++;
      found += trip_detected (r, tt);
    }
  share_add (m, r, "trips_recall", found, n);
}

gboolean
ml_evaluate_target (MlEvaluator *e, const MlTargetResult *r, GArray *metrics, GError **error)
{
  g_autoptr(GError) local = NULL;
  const MlLocation *loc;
  Truth *t;

  g_return_val_if_fail (e != NULL && r != NULL && metrics != NULL, FALSE);
  if ((t = truth_of (e, r->target, &local)) == NULL)
    {
      if (local == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  loc = r->location;
  eval_contacts (e, t, r, metrics);
  eval_brier (e, t, r, metrics);
  eval_not_messaged (e, t, r, metrics);
  eval_place (r, metrics, "home", loc != NULL ? &loc->home : NULL, t->has_home, t->home_lat, t->home_lon);
  eval_place (r, metrics, "work", loc != NULL ? &loc->work : NULL, t->has_work, t->work_lat, t->work_lon);
  eval_coloc_kind (e, r, metrics, ML_COLOC_HOUSEHOLD, t->housemates, "household");
  eval_coloc_kind (e, r, metrics, ML_COLOC_COWORKER, t->coworkers, "coworker");
  eval_sensitive (e, t, r, metrics);
  eval_trips (t, r, metrics);
  return TRUE;
}

/* ---- hop reach ---------------------------------------------------------------- */

typedef struct {
  gint64 from, to;
} Arc;

static gint
cmp_arc (gconstpointer pa, gconstpointer pb)
{
  const Arc *a = pa, *b = pb;

  if (a->from != b->from)
    return a->from < b->from ? -1 : 1;
  return (a->to > b->to) - (a->to < b->to);
}

/* Every true tie both ways, sorted by the first person: one scan of ties
 * (4 x 10^5 in a town) instead of two indexed queries per person reached
 * (most of the town within three ties of 1,000 targets). */
static GArray *
load_arcs (MlEvaluator *e, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (e->db, "SELECT a, b FROM ties", error);
  g_autoptr(GArray) arcs = g_array_new (FALSE, FALSE, sizeof (Arc));
  MlStep st;

  if (s == NULL)
    return NULL;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      Arc ab = { ml_stmt_int64 (s, 0), ml_stmt_int64 (s, 1) }, ba = { ab.to, ab.from };
      g_array_append_val (arcs, ab);
      g_array_append_val (arcs, ba);
    }
  if (st != ML_STEP_DONE)
    return NULL;
  g_array_sort (arcs, cmp_arc);
  return g_steal_pointer (&arcs);
}

/* Append the person ids tied to PERSON (ARCS from load_arcs()) to OUT. */
static void
neighbours (const GArray *arcs, gint64 person, GArray *out)
{
  guint lo = 0, hi = arcs->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (arcs, Arc, mid).from < person)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (; lo < arcs->len && g_array_index (arcs, Arc, lo).from == person; lo++)
    g_array_append_val (out, g_array_index (arcs, Arc, lo).to);
}

/* Breadth-first search over the true ties from the named targets, to
 * distance 3: e->true_reach[k] = people at distance 1 .. k. */
static gboolean
true_reach (MlEvaluator *e, GArray *named, GError **error)
{
  g_autoptr(GHashTable) dist = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) frontier = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) arcs = load_arcs (e, error);
  guint at[4] = { 0 };

  if (arcs == NULL)
    return FALSE;

  for (guint i = 0; named != NULL && i < named->len; i++)
    {
      gint64 p = person_of_handle (e, g_array_index (named, gint64, i));
      if (p != NO_ID && g_hash_table_insert (dist, g_memdup2 (&p, sizeof p), GINT_TO_POINTER (0)))
        g_array_append_val (frontier, p);
    }
  for (int k = 1; k <= 3; k++)
    {
      g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) nb = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < frontier->len; i++)
        neighbours (arcs, g_array_index (frontier, gint64, i), nb);
      for (guint i = 0; i < nb->len; i++)
        {
          gint64 p = g_array_index (nb, gint64, i);
          if (!g_hash_table_contains (dist, &p))
            {
              g_hash_table_insert (dist, g_memdup2 (&p, sizeof p), GINT_TO_POINTER (k));
              g_array_append_val (next, p);
            }
        }
      at[k] = next->len;
      g_array_set_size (frontier, 0);
      g_array_append_vals (frontier, next->data, next->len);
    }
  for (int k = 1; k <= 3; k++)
    e->true_reach[k] = e->true_reach[k - 1] + at[k];
  e->reach_done = TRUE;
  return TRUE;
}

gboolean
ml_evaluate_hops (MlEvaluator *e, GArray *named_targets, int n_windows, GArray *hops,
                  GArray *metrics, GError **error)
{
  MlTargetResult all = { .target_text = "all", .n_windows = n_windows };

  g_return_val_if_fail (e != NULL && metrics != NULL, FALSE);
  if (!e->reach_done && !true_reach (e, named_targets, error))
    return FALSE;
  for (guint i = 0; hops != NULL && i < hops->len; i++)
    {
      const MlHopReach *h = &g_array_index (hops, MlHopReach, i);
      if (h->hop == 2)
        metric_add (metrics, &all, "hop_reach_2", h->reached);
      else if (h->hop == 3)
        metric_add (metrics, &all, "hop_reach_3", h->reached);
    }
  metric_add (metrics, &all, "true_reach_2", e->true_reach[2]);
  metric_add (metrics, &all, "true_reach_3", e->true_reach[3]);
  return TRUE;
}

/* ---- aggregation ------------------------------------------------------------- */

typedef struct {
  int n_windows;
  const char *metric;             /* borrowed from the metrics array's copy */
  GArray *values;                 /* double */
  gboolean has_all;
} Group;

static int
cmp_double (gconstpointer pa, gconstpointer pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;
  return a < b ? -1 : a > b;
}

static int
cmp_group (gconstpointer pa, gconstpointer pb)
{
  const Group *a = *(Group *const *) pa, *b = *(Group *const *) pb;

  if (a->n_windows != b->n_windows)
    return a->n_windows < b->n_windows ? -1 : 1;
  return strcmp (a->metric, b->metric);
}

static double
group_value (const Group *g)
{
  double *v = (double *) (gpointer) g->values->data, sum = 0;
  guint n = g->values->len;

  if (g_str_has_suffix (g->metric, "_error_km"))
    {
      qsort (v, n, sizeof (double), cmp_double);
      return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
  for (guint i = 0; i < n; i++)
    sum += v[i];
  return sum / n;
}

static void
group_free (gpointer data)
{
  Group *g = data;

  g_array_unref (g->values);
  g_free (g);
}

/* Groups of METRICS by (n_windows, metric): a new GPtrArray of Group. */
static GPtrArray *
group_metrics (GArray *metrics)
{
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *groups = g_ptr_array_new_with_free_func (group_free);

  for (guint i = 0; i < metrics->len; i++)
    {
      const MlMetric *m = &g_array_index (metrics, MlMetric, i);
      gboolean is_all = strcmp (m->scope, "all") == 0;
      char *key = g_strdup_printf ("%d\t%s", m->n_windows, m->metric);
      Group *g = g_hash_table_lookup (index, key);
      if (strcmp (m->scope, "population") == 0)
        {
          g_free (key);
          continue;
        }
      if (g == NULL)
        {
          g = g_new0 (Group, 1);
          g->n_windows = m->n_windows;
          g->metric = m->metric;
          g->values = g_array_new (FALSE, FALSE, sizeof (double));
          g_ptr_array_add (groups, g);
          g_hash_table_insert (index, key, g);
        }
      else
        g_free (key);
      if (is_all)
        g->has_all = TRUE;
      else if (!isnan (m->value))
        g_array_append_val (g->values, m->value);
    }
  return groups;
}

void
ml_metrics_aggregate (GArray *metrics)
{
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GArray) add = g_array_new (FALSE, FALSE, sizeof (MlMetric));

  g_return_if_fail (metrics != NULL);
  groups = group_metrics (metrics);
  g_ptr_array_sort (groups, cmp_group);
  for (guint i = 0; i < groups->len; i++)
    {
      const Group *g = groups->pdata[i];
      if (g->has_all || g->values->len == 0)
        continue;
      MlMetric m = { .n_windows = g->n_windows, .scope = "all", .value = group_value (g) };
      g_strlcpy (m.metric, g->metric, sizeof m.metric);
      g_array_append_val (add, m);
    }
  g_array_append_vals (metrics, add->data, add->len);
}

/* ---- writing ------------------------------------------------------------------- */

static const char details_sql[] =
  "CREATE TABLE IF NOT EXISTS ego_edges (target TEXT, handle TEXT, status TEXT, true_weight REAL,"
  " inferred_rank INTEGER);\n"
  "CREATE TABLE IF NOT EXISTS truth_places (target TEXT, kind TEXT, lat REAL, lon REAL, hours REAL);\n"
  "CREATE TABLE IF NOT EXISTS sensitive_truth (target TEXT, category TEXT, true_contacts INTEGER,"
  " found INTEGER);\n";

/* Statements and context for writing one target's details. */
typedef struct {
  MlEvaluator *e;
  const MlTargetResult *r;
  const Truth *t;
  MlStmt *edge, *place, *sens;
  MlStmt *provider_text;          /* SELECT handle FROM handles WHERE id = ?, or NULL */
} Details;

/* The text of HANDLE (person PERSON or NO_ID): the provider's, else truth's,
 * else the number.  Newly allocated. */
static char *
handle_text (Details *d, gint64 handle, gint64 person, GError **error)
{
  MlStmt *s[2] = { d->provider_text, person != NO_ID ? d->e->person_text : NULL };
  gint64 id[2] = { handle, person };

  for (int k = 0; k < 2; k++)
    {
      MlStep st;
      char *text = NULL;
      if (s[k] == NULL)
        continue;
      if (!ml_stmt_bind_int64 (s[k], 1, id[k], error) || (st = ml_stmt_step (s[k], error)) == ML_STEP_ERROR)
        return NULL;
      if (st == ML_STEP_ROW && ml_stmt_text (s[k], 0) != NULL)
        text = g_strdup (ml_stmt_text (s[k], 0));
      ml_stmt_reset (s[k]);
      if (text != NULL)
        return text;
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT, handle);
}

static gboolean
write_edge (Details *d, gint64 handle, gint64 person, const char *status, const Tie *tie, int rank,
            GError **error)
{
  g_autofree char *text = handle_text (d, handle, person, error);
  MlStmt *s = d->edge;

  return text != NULL && ml_stmt_bind_text (s, 1, d->r->target_text, -1, error)
         && ml_stmt_bind_text (s, 2, text, -1, error) && ml_stmt_bind_text (s, 3, status, -1, error)
         && (tie != NULL ? ml_stmt_bind_double (s, 4, tie->strength, error) : ml_stmt_bind_null (s, 4, error))
         && (rank > 0 ? ml_stmt_bind_int64 (s, 5, rank, error) : ml_stmt_bind_null (s, 5, error))
         && ml_stmt_run (s, error);
}

static const Tie *
tie_with (const Truth *t, gint64 person)
{
  for (guint i = 0; person != NO_ID && i < t->ties->len; i++)
    if (g_array_index (t->ties, Tie, i).other == person)
      return &g_array_index (t->ties, Tie, i);
  return NULL;
}

/* The contact of R with person PERSON (in CONTACTS), or NULL. */
static const MlContact *
contact_of (MlEvaluator *e, GArray *contacts, gint64 person)
{
  for (guint i = 0; contacts != NULL && i < contacts->len; i++)
    if (person_of_handle (e, g_array_index (contacts, MlContact, i).handle) == person)
      return &g_array_index (contacts, MlContact, i);
  return NULL;
}

static gboolean
write_ego_edges (Details *d, GError **error)
{
  GArray *rep = d->r->reported;

  for (guint i = 0; rep != NULL && i < rep->len; i++)
    {
      const MlContact *c = &g_array_index (rep, MlContact, i);
      gint64 person = person_of_handle (d->e, c->handle);
      const Tie *tie = tie_with (d->t, person);
      if (!write_edge (d, c->handle, person, tie != NULL ? "correct" : "false", tie, c->rank, error))
        return FALSE;
    }
  for (guint i = 0; i < d->t->ties->len; i++)
    {
      const Tie *tie = &g_array_index (d->t->ties, Tie, i);
      const Person *p = person_by_id (d->e, tie->other);
      const MlContact *seen = contact_of (d->e, d->r->contacts, tie->other);
      if (p == NULL || reported_has (d->e, rep, tie->other))
        continue;
      if (!write_edge (d, p->handle, p->id, "missed", tie, seen != NULL ? seen->rank : 0, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_place (Details *d, const char *kind, double lat, double lon, double hours, GError **error)
{
  MlStmt *s = d->place;

  return ml_stmt_bind_text (s, 1, d->r->target_text, -1, error) && ml_stmt_bind_text (s, 2, kind, -1, error)
         && ml_stmt_bind_double (s, 3, lat, error) && ml_stmt_bind_double (s, 4, lon, error)
         && ml_stmt_bind_double (s, 5, hours, error) && ml_stmt_run (s, error);
}

/* Hours of the covered period spent at each place: place id -> double*. */
static GHashTable *
hours_by_place (const Truth *t, const MlWindowSet *covered)
{
  GHashTable *hours = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  GArray *stays = t->scans[SCAN_STAYS];

  for (guint i = 0; i < stays->len; i++)
    {
      Stay *s = &g_array_index (stays, Stay, i);
      MlTime sec = s->place != NO_ID ? covered_seconds (covered, s->start, s->end) : 0;
      double *h;
      if (sec == 0)
        continue;
      if ((h = g_hash_table_lookup (hours, &s->place)) == NULL)
        g_hash_table_insert (hours, &s->place, h = g_new0 (double, 1));
      *h += sec / 3600.0;
    }
  return hours;
}

static int
cmp_i64_ptr (gconstpointer pa, gconstpointer pb)
{
  return cmp_i64 (*(gint64 *const *) pa, *(gint64 *const *) pb);
}

static gboolean
write_truth_places (Details *d, GError **error)
{
  g_autoptr(GHashTable) hours = hours_by_place (d->t, d->r->covered);
  g_autoptr(GPtrArray) visits = g_ptr_array_new ();
  const double *hh = g_hash_table_lookup (hours, &d->t->home_place);
  const double *hw = g_hash_table_lookup (hours, &d->t->p->work_place);
  GHashTableIter it;
  gpointer key;

  if ((d->t->has_home && !write_place (d, "home", d->t->home_lat, d->t->home_lon, hh ? *hh : 0, error))
      || (d->t->has_work && !write_place (d, "work", d->t->work_lat, d->t->work_lon, hw ? *hw : 0, error)))
    return FALSE;
  g_hash_table_iter_init (&it, hours);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (*(gint64 *) key != d->t->home_place && *(gint64 *) key != d->t->p->work_place)
      g_ptr_array_add (visits, key);
  g_ptr_array_sort (visits, cmp_i64_ptr);
  for (guint i = 0; i < visits->len; i++)
    {
      gboolean known;
      double lat = 0, lon = 0;
      if (!position_of (d->e->place_pos, *(gint64 *) visits->pdata[i], &known, &lat, &lon, error))
        return FALSE;
      if (known && !write_place (d, "visit", lat, lon, *(double *) g_hash_table_lookup (hours, visits->pdata[i]),
                                 error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_sens_row (Details *d, const char *category, guint contacts, gboolean found, GError **error)
{
  MlStmt *s = d->sens;

  return ml_stmt_bind_text (s, 1, d->r->target_text, -1, error) && ml_stmt_bind_text (s, 2, category, -1, error)
         && ml_stmt_bind_int64 (s, 3, contacts, error) && ml_stmt_bind_int64 (s, 4, found, error)
         && ml_stmt_run (s, error);
}

static int
cmp_str_ptr (gconstpointer pa, gconstpointer pb)
{
  return strcmp (*(const char *const *) pa, *(const char *const *) pb);
}

/* True categories (found or not), then inferred ones truth does not have
 * (true_contacts 0, found 1), each group by name. */
static gboolean
write_sensitive_truth (Details *d, GError **error)
{
  g_autoptr(GHashTable) cats = sensitive_truth (d->e, d->t, d->r->covered);
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  keys = g_hash_table_get_keys_as_array (cats, &n);
  qsort (keys, n, sizeof (gpointer), cmp_str_ptr);
  for (guint i = 0; i < n; i++)
    if (!write_sens_row (d, keys[i], GPOINTER_TO_UINT (g_hash_table_lookup (cats, keys[i])),
                         sensitive_found (d->r, keys[i]), error))
      return FALSE;
  for (guint i = 0; d->r->sensitive != NULL && i < d->r->sensitive->len; i++)
    {
      const char *c = g_array_index (d->r->sensitive, MlSensitiveHit, i).category;
      if (!g_hash_table_contains (cats, c) && !write_sens_row (d, c, 0, TRUE, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
details_prepare (Details *d, MlDb *analysis, GError **error)
{
  return ml_db_exec (analysis, details_sql, error)
         && (d->edge = ml_db_prepare (analysis, "INSERT INTO ego_edges VALUES (?, ?, ?, ?, ?)", error)) != NULL
         && (d->place = ml_db_prepare (analysis, "INSERT INTO truth_places VALUES (?, ?, ?, ?, ?)", error)) != NULL
         && (d->sens = ml_db_prepare (analysis, "INSERT INTO sensitive_truth VALUES (?, ?, ?, ?)", error)) != NULL
         && (d->r->ev == NULL || d->r->ev->provider == NULL
             || (d->provider_text = ml_db_prepare (d->r->ev->provider, "SELECT handle FROM handles WHERE id = ?",
                                                   error)) != NULL);
}

static void
details_clear (Details *d)
{
  g_clear_pointer (&d->edge, ml_stmt_free);
  g_clear_pointer (&d->place, ml_stmt_free);
  g_clear_pointer (&d->sens, ml_stmt_free);
  g_clear_pointer (&d->provider_text, ml_stmt_free);
}

gboolean
ml_evaluate_write_details (MlEvaluator *e, MlDb *analysis, const MlTargetResult *r, GError **error)
{
  g_autoptr(GError) local = NULL;
  Details d = { .e = e, .r = r };
  gboolean ok, own;

  g_return_val_if_fail (e != NULL && analysis != NULL && r != NULL, FALSE);
  if ((d.t = truth_of (e, r->target, &local)) == NULL)
    {
      if (local == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  own = !ml_db_in_transaction (analysis);
  ok = details_prepare (&d, analysis, error) && (!own || ml_db_begin (analysis, error));
  if (ok && !(write_ego_edges (&d, error) && write_truth_places (&d, error) && write_sensitive_truth (&d, error)))
    {
      if (own)
        ml_db_rollback (analysis, NULL);
      ok = FALSE;
    }
  else if (ok && own)
    ok = ml_db_commit (analysis, error);
  details_clear (&d);
  return ok;
}

/* ---- population graph ------------------------------------------------------------ */

typedef struct {
  gint64 a, b;                    /* handles, a < b */
  guint8 window;                  /* the later of the two sources' first windows */
} TruePair;

static int
cmp_pair (gconstpointer pa, gconstpointer pb)
{
  const gint64 *a = pa, *b = pb;     /* both structs start with (a, b) */

  if (a[0] != b[0])
    return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* The true ties between two SOURCES (handle -> first window + 1), as handle
 * pairs sorted. */
static GArray *
true_pairs (MlEvaluator *e, GHashTable *sources, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (e->db, "SELECT a, b FROM ties", error);
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (TruePair));
  MlStep st;

  if (s == NULL)
    return NULL;
  while ((st = ml_stmt_step (s, error)) == ML_STEP_ROW)
    {
      const Person *pa = person_by_id (e, ml_stmt_int64 (s, 0)), *pb = person_by_id (e, ml_stmt_int64 (s, 1));
      guint wa, wb;
      if (pa == NULL || pb == NULL || pa == pb
          || (wa = GPOINTER_TO_UINT (g_hash_table_lookup (sources, &pa->handle))) == 0
          || (wb = GPOINTER_TO_UINT (g_hash_table_lookup (sources, &pb->handle))) == 0)
        continue;
      TruePair p = { MIN (pa->handle, pb->handle), MAX (pa->handle, pb->handle), (guint8) (MAX (wa, wb) - 1) };
      g_array_append_val (pairs, p);
    }
  if (st != ML_STEP_DONE)
    return NULL;
  g_array_sort (pairs, cmp_pair);
  return g_steal_pointer (&pairs);
}

/* Counts by window (index = window, clamped to N): [0] edges between
 * people, [1] of them true, [2] mutual edges, [3] of them true, [4] true
 * ties, [5] of them found, [6] of them found mutual. */
enum { C_EDGES, C_EDGES_TRUE, C_MUTUAL, C_MUTUAL_TRUE, C_TIES, C_FOUND, C_FOUND_MUTUAL, N_COUNTS };

static void
count_edges (MlEvaluator *e, GArray *edges, GArray *ties, int n, guint64 (*c)[N_COUNTS])
{
  guint j = 0;

  for (guint i = 0; i < edges->len; i++)
    {
      const MlPopEdge *x = &g_array_index (edges, MlPopEdge, i);
      if (person_by_handle (e, x->a) == NULL || person_by_handle (e, x->b) == NULL)
        continue;
      while (j < ties->len && cmp_pair (&g_array_index (ties, TruePair, j), x) < 0)
        j++;
      gboolean truth = j < ties->len && cmp_pair (&g_array_index (ties, TruePair, j), x) == 0;
      c[MIN (x->window, n)][C_EDGES]++;
      c[MIN (x->window, n)][C_EDGES_TRUE] += truth;
      if (x->mutual_window != 255)
        {
          c[MIN (x->mutual_window, n)][C_MUTUAL]++;
          c[MIN (x->mutual_window, n)][C_MUTUAL_TRUE] += truth;
        }
      if (truth)
        {
          const TruePair *t = &g_array_index (ties, TruePair, j);
          c[MIN (MAX (x->window, t->window), n)][C_FOUND]++;
          if (x->mutual_window != 255)
            c[MIN (MAX (x->mutual_window, t->window), n)][C_FOUND_MUTUAL]++;
        }
    }
  for (guint i = 0; i < ties->len; i++)
    c[MIN (g_array_index (ties, TruePair, i).window, n)][C_TIES]++;
}

static void
population_rows (GArray *metrics, guint64 (*c)[N_COUNTS], int n_windows)
{
  guint64 cum[N_COUNTS] = { 0 };

  for (int n = 1; n <= n_windows; n++)
    {
      MlTargetResult pop = { .target_text = "population", .n_windows = n };
      for (int k = 0; k < N_COUNTS; k++)
        cum[k] += c[n - 1][k];
      metric_add (metrics, &pop, "true_ties", (double) cum[C_TIES]);
      if (cum[C_EDGES] > 0)
        metric_add (metrics, &pop, "precision", (double) cum[C_EDGES_TRUE] / cum[C_EDGES]);
      if (cum[C_TIES] > 0)
        metric_add (metrics, &pop, "recall", (double) cum[C_FOUND] / cum[C_TIES]);
      if (cum[C_MUTUAL] > 0)
        metric_add (metrics, &pop, "mutual_precision", (double) cum[C_MUTUAL_TRUE] / cum[C_MUTUAL]);
      if (cum[C_TIES] > 0)
        metric_add (metrics, &pop, "mutual_recall", (double) cum[C_FOUND_MUTUAL] / cum[C_TIES]);
    }
}

gboolean
ml_evaluate_population_graph (MlEvaluator *e, GArray *edges, GArray *sources, int n_windows,
                              GArray *metrics, GError **error)
{
  g_autoptr(GHashTable) first = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) sorted = NULL;
  g_autoptr(GArray) ties = NULL;
  g_autofree guint64 (*counts)[N_COUNTS] = NULL;

  g_return_val_if_fail (e != NULL && edges != NULL && sources != NULL && metrics != NULL, FALSE);
  g_return_val_if_fail (n_windows >= 1 && n_windows < 255, FALSE);
  for (guint i = 0; i < sources->len; i++)
    {
      MlPopSource *s = &g_array_index (sources, MlPopSource, i);
      g_hash_table_insert (first, &s->handle, GUINT_TO_POINTER ((guint) s->window + 1));
    }
  if ((ties = true_pairs (e, first, error)) == NULL)
    return FALSE;
  sorted = g_array_sized_new (FALSE, FALSE, sizeof (MlPopEdge), edges->len);
  g_array_append_vals (sorted, edges->data, edges->len);
  g_array_sort (sorted, cmp_pair);
  counts = g_malloc0_n ((gsize) n_windows + 1, sizeof *counts);
  count_edges (e, sorted, ties, n_windows, counts);
  population_rows (metrics, counts, n_windows);
  return TRUE;
}
