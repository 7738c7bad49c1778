/* writer.c -- storing a simulation: provider.db, truth.db and their rows.
 *
 * See writer.h.  The writer threads are the only users of the two database
 * handles after creation.  Workload: ~2 x 10^6 lookup rows and ~5 x 10^6
 * truth rows per simulated day in the city scenario.  Lookups go into
 * lookup_log as they come, inside one transaction per day, binding
 * integers only (handles and IPs are integer ids, their text is written
 * once at the end).  What has to end up sorted some other way than by day
 * -- provider.db's three indexes, truth.db's tables clustered by person --
 * leaves each day as a sorted run in a scratch file (sim/runs.h) and is
 * stored once, after the last day, in key order: ordered b-tree appends
 * instead of SQLite's sorter (see "provider.db's indexes" below and
 * common/schema.c).
 */
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/errors.h"
#include "common/geo.h"
#include "common/outdir.h"
#include "common/schema.h"
#include "sim/handles.h"
#include "sim/network.h"
#include "sim/places.h"
#include "sim/runs.h"
#include "sim/writer.h"

#define MAX_PENDING 2

/* lookup_log's imposter: rows stored through it leave the indexes alone
 * (see "provider.db's indexes" below). */
#define LOOKUP_ROWS "lookup_log_rows"

/* One writer thread and its queue; each database has its own lane so the
 * two files are written concurrently. */
typedef struct {
  MlSimWriter *wr;
  GThread *thread;
  GAsyncQueue *queue;         /* Pending *, or the END sentinel */
  gboolean (*write) (MlSimWriter *wr, MlDayBatch *b, GError **error);
  GError *error;              /* the lane's first failure */
  gint64 busy_us;             /* time spent writing, for the debug log */
} Lane;

/* A batch shared by both lanes: the last lane to finish frees it and gives
 * back its token. */
typedef struct {
  MlDayBatch *batch;
  gint refs;
} Pending;

struct MlSimWriter {
  const MlWorld *w;
  MlDb *provider, *truth;
  MlBulk *ins_contact, *ins_message;   /* truth tables loaded day by day */
  MlStmt *ins_trip, *ins_cause;
  MlRuns *stay_runs;          /* MlTruthStay, a run a day: stays, stored after the last day */
  MlRuns *pair_runs;          /* MlPairCount, a run a day tagged with it: messages_daily, likewise */
  MlRuns *index_runs[ML_SCHEMA_PROVIDER_N_INDEXES];   /* IndexEntry, a run a day: provider.db's indexes */
  GArray *entries, *entries_tmp;   /* IndexEntry: the provider lane's buffers for them, or NULL */
  guint8 *seen;               /* per person/service index: handle seen in a lookup */
  guint32 n_known;            /* people + services */
  GHashTable *strangers;      /* ids of handles outside the population seen */
  guint8 *ip_bits[256];       /* per first octet: bitmap of the IPs seen (lazily allocated) */
  Lane provider_lane;         /* lookups into provider.db */
  Lane truth_lane;            /* everything else into truth.db */
  GAsyncQueue *tokens;        /* MAX_PENDING tokens bound the days in flight */
  GAsyncQueue *spare;         /* MlDayBatch written, emptied, for ml_sim_writer_batch() */
  GArray *sorted;             /* MlLookupRow: the provider lane's sorting buffer, or NULL */
  GArray *second_start;       /* guint32: the provider lane's counts by second, or NULL */
  gint failed;                /* atomic: a lane has failed */
  guint32 *trip_start;        /* per person: first day of the open trip + 1, 0 = none */
  guint32 *trip_city;
  MlDay last_day;
  MlSimCounts counts;
};

static int end_sentinel;
#define END ((gpointer) &end_sentinel)

MlDayBatch *
ml_day_batch_new (MlDay day)
{
  MlDayBatch *b = g_new0 (MlDayBatch, 1);

  b->day = day;
  b->lookups = g_array_new (FALSE, FALSE, sizeof (MlLookupRow));
  b->pairs = g_array_new (FALSE, FALSE, sizeof (MlPairCount));
  b->contacts = g_array_new (FALSE, FALSE, sizeof (MlServiceContact));
  b->stays = g_array_new (FALSE, FALSE, sizeof (MlTruthStay));
  b->trip_days = g_array_new (FALSE, FALSE, sizeof (MlTripDay));
  b->messages = g_array_new (FALSE, FALSE, sizeof (MlMessageRow));
  return b;
}

void
ml_day_batch_free (MlDayBatch *b)
{
  if (b == NULL)
    return;
  g_array_unref (b->lookups);
  g_array_unref (b->pairs);
  g_array_unref (b->contacts);
  g_array_unref (b->stays);
  g_array_unref (b->trip_days);
  g_array_unref (b->messages);
  g_free (b);
}

/* ---- static truth ------------------------------------------------------ */

static const char *
place_kind_name (guint8 kind)
{
  static const char *const names[ML_N_PLACE_KINDS] = { "home", "work", "school", "venue", "hotel", "service" };
  return kind < ML_N_PLACE_KINDS ? names[kind] : "?";
}

static const char *
wifi_name (guint8 wifi)
{
  static const char *const names[] = { NULL, "home", "corporate", "public" };
  return wifi < G_N_ELEMENTS (names) ? names[wifi] : NULL;
}

static const char *
role_name (guint8 role)
{
  static const char *const names[] = { "worker", "student", "home" };
  return role < G_N_ELEMENTS (names) ? names[role] : "?";
}

static const char *
tie_kind_name (guint8 kind)
{
  static const char *const names[ML_N_TIE_KINDS] = {
    "household", "family", "coworker", "school", "friend", "closure", "weak", "source" };
  return kind < ML_N_TIE_KINDS ? names[kind] : "?";
}

static gboolean
bind_place_id (MlStmt *s, int idx, guint32 id, GError **error)
{
  return id == ML_NONE ? ml_stmt_bind_null (s, idx, error) : ml_stmt_bind_int64 (s, idx, id, error);
}

static gboolean
write_geography (MlSimWriter *wr, GError **error)
{
  const MlWorld *w = wr->w;
  g_autoptr(MlStmt) c = ml_db_prepare (wr->truth, "INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?)", error);
  g_autoptr(MlStmt) d = c ? ml_db_prepare (wr->truth, "INSERT INTO districts VALUES (?, ?, ?, ?)", error) : NULL;

  if (d == NULL)
    return FALSE;
  for (guint32 i = 0; i < w->n_cities; i++)
    {
      const MlCity *x = &w->cities[i];
      if (!ml_stmt_bind_int64 (c, 1, i, error) || !ml_stmt_bind_text (c, 2, x->name, -1, error)
          || !ml_stmt_bind_double (c, 3, x->lat, error) || !ml_stmt_bind_double (c, 4, x->lon, error)
          || !ml_stmt_bind_int64 (c, 5, x->residents, error) || !ml_stmt_bind_int64 (c, 6, x->in_region, error)
          || !ml_stmt_run (c, error))
        return FALSE;
    }
  for (guint32 i = 0; i < w->n_districts; i++)
    {
      const MlDistrict *x = &w->districts[i];
      if (!ml_stmt_bind_int64 (d, 1, i, error) || !ml_stmt_bind_int64 (d, 2, x->city, error)
          || !ml_stmt_bind_double (d, 3, x->lat, error) || !ml_stmt_bind_double (d, 4, x->lon, error)
          || !ml_stmt_run (d, error))
        return FALSE;
    }
  return TRUE;
}

static const char *
place_category_name (const MlPlace *p)
{
  if (p->kind == ML_PLACE_SERVICE)
    return ml_category_name ((MlCategory) p->category);
  if (p->kind == ML_PLACE_VENUE)
    return ml_venue_category_name (p->category);
  return NULL;
}

static gboolean
write_places (MlSimWriter *wr, GError **error)
{
  const MlWorld *w = wr->w;
  g_autoptr(MlStmt) s = ml_db_prepare (wr->truth, "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (s == NULL)
    return FALSE;
  for (guint32 i = 0; i < w->n_places; i++)
    {
      const MlPlace *p = &w->places[i];
      if (!ml_stmt_bind_int64 (s, 1, i, error)
          || !ml_stmt_bind_text (s, 2, place_kind_name (p->kind), -1, error)
          || !ml_stmt_bind_text (s, 3, place_category_name (p), -1, error)
          || !ml_stmt_bind_int64 (s, 4, p->district, error)
          || !ml_stmt_bind_int64 (s, 5, w->districts[p->district].city, error)
          || !ml_stmt_bind_double (s, 6, p->lat, error) || !ml_stmt_bind_double (s, 7, p->lon, error)
          || !ml_stmt_bind_text (s, 8, wifi_name (p->wifi), -1, error)
          || !bind_place_id (s, 9, p->owner, error) || !ml_stmt_run (s, error))
        return FALSE;
    }
  wr->counts.places = w->n_places;
  return TRUE;
}

static gboolean
write_households (MlSimWriter *wr, GError **error)
{
  const MlWorld *w = wr->w;
  g_autoptr(MlStmt) s = ml_db_prepare (wr->truth, "INSERT INTO households VALUES (?, ?, ?, ?, ?, ?)", error);

  if (s == NULL)
    return FALSE;
  for (guint32 i = 0; i < w->n_households; i++)
    {
      const MlHousehold *h = &w->households[i];
      if (!ml_stmt_bind_int64 (s, 1, i, error) || !ml_stmt_bind_int64 (s, 2, h->home_place, error)
          || !ml_stmt_bind_int64 (s, 3, h->size, error) || !ml_stmt_bind_int64 (s, 4, h->broadband, error)
          || !ml_stmt_bind_int64 (s, 5, h->isp, error) || !ml_stmt_bind_int64 (s, 6, h->family, error)
          || !ml_stmt_run (s, error))
        return FALSE;
    }
  wr->counts.households = w->n_households;
  return TRUE;
}

static gboolean
write_people (MlSimWriter *wr, GError **error)
{
  const MlWorld *w = wr->w;
  g_autoptr(MlStmt) s = ml_db_prepare (wr->truth,
                                       "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  char buf[ML_HANDLE_MAX];

  if (s == NULL)
    return FALSE;
  for (guint32 i = 0; i < w->n_people; i++)
    {
      const MlPerson *p = &w->people[i];
      gint64 id = ml_person_handle_id (w, i);
      const char *cast = p->cast > 0 ? w->cast[p->cast - 1].name : NULL;
      if (!ml_stmt_bind_int64 (s, 1, i, error) || !ml_stmt_bind_text (s, 2, ml_handle_format (id, buf), -1, error)
          || !ml_stmt_bind_int64 (s, 3, id, error) || !ml_stmt_bind_int64 (s, 4, p->household, error)
          || !ml_stmt_bind_text (s, 5, role_name (p->role), -1, error)
          || !bind_place_id (s, 6, p->work_place, error) || !ml_stmt_bind_int64 (s, 7, p->age, error)
          || !ml_stmt_bind_int64 (s, 8, p->carrier, error) || !ml_stmt_bind_int64 (s, 9, p->imessage, error)
          || !ml_stmt_bind_int64 (s, 10, p->devices, error) || !ml_stmt_bind_double (s, 11, p->activity, error)
          || !ml_stmt_bind_text (s, 12, cast, -1, error) || !ml_stmt_run (s, error))
        return FALSE;
    }
  wr->counts.people = w->n_people;
  return TRUE;
}

static gboolean
write_services (MlSimWriter *wr, GError **error)
{
  const MlWorld *w = wr->w;
  g_autoptr(MlStmt) s = ml_db_prepare (wr->truth, "INSERT INTO services VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  char buf[ML_HANDLE_MAX];

  if (s == NULL)
    return FALSE;
  for (guint32 i = 0; i < w->n_services; i++)
    {
      const MlService *x = &w->services[i];
      gint64 id = ml_service_handle_id (w, i);
      if (!ml_stmt_bind_int64 (s, 1, i, error) || !ml_stmt_bind_text (s, 2, ml_handle_format (id, buf), -1, error)
          || !ml_stmt_bind_int64 (s, 3, id, error)
          || !ml_stmt_bind_text (s, 4, ml_category_name ((MlCategory) x->category), -1, error)
          || !ml_stmt_bind_int64 (s, 5, ml_category_is_sensitive ((MlCategory) x->category), error)
          || !bind_place_id (s, 6, x->place, error) || !ml_stmt_bind_int64 (s, 7, x->imessage, error)
          || !ml_stmt_bind_int64 (s, 8, x->devices, error) || !bind_place_id (s, 9, x->owner, error)
          || !ml_stmt_run (s, error))
        return FALSE;
    }
  wr->counts.services = w->n_services;
  return TRUE;
}

static gboolean
write_ties (MlSimWriter *wr, GError **error)
{
  const MlWorld *w = wr->w;
  const MlGraph *g = &w->graph;
  g_autoptr(MlStmt) s = ml_db_prepare (wr->truth, "INSERT INTO ties VALUES (?, ?, ?, ?, ?)", error);

  if (s == NULL)
    return FALSE;
  for (guint32 a = 0; a < w->n_people; a++)
    for (guint32 e = g->offset[a]; e < g->offset[a + 1]; e++)
      {
        const MlEdge *ab = &g->edges[e];
        const MlEdge *ba;
        if (ab->other <= a)
          continue;
        ba = ml_graph_edge (g, ab->other, a);
        g_assert (ba != NULL);
        if (!ml_stmt_bind_int64 (s, 1, a, error) || !ml_stmt_bind_int64 (s, 2, ab->other, error)
            || !ml_stmt_bind_text (s, 3, tie_kind_name (ab->kind), -1, error)
            || !ml_stmt_bind_double (s, 4, ab->weight, error) || !ml_stmt_bind_double (s, 5, ba->weight, error)
            || !ml_stmt_run (s, error))
          return FALSE;
        wr->counts.ties++;
      }
  return TRUE;
}

static gboolean
write_static_truth (MlSimWriter *wr, GError **error)
{
  const MlScenario *sc = wr->w->sc;
  MlWindow span = ml_window_days (sc->start, sc->days);

  return ml_db_begin (wr->truth, error)
         && write_geography (wr, error) && write_places (wr, error)
         && write_households (wr, error) && write_people (wr, error)
         && write_services (wr, error) && write_ties (wr, error)
         && ml_network_write_truth (wr->w, wr->truth, &span, error)
         && ml_db_commit (wr->truth, error);
}

/* ---- per-day rows ------------------------------------------------------ */

static int
compare_lookups (gconstpointer pa, gconstpointer pb)
{
  const MlLookupRow *a = pa, *b = pb;

  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  if (a->lookup != b->lookup)
    return a->lookup < b->lookup ? -1 : 1;
  return a->ip < b->ip ? -1 : a->ip > b->ip;
}

/* Remember that handle ID appears in provider.db: a flag per person or
 * service (the handle numbering is invertible), a set for strangers. */
static void
mark_handle (MlSimWriter *wr, gint64 id)
{
  guint64 index = ml_handle_index (wr->w->sc->seed, (guint64) id & ~ML_HANDLE_EMAIL_BIT);

  if (index < wr->n_known)
    wr->seen[index] = 1;
  else
    g_hash_table_add (wr->strangers, (gpointer) (guintptr) id);
}

static void
mark_ip (MlSimWriter *wr, guint32 ip)
{
  guint8 **bits = &wr->ip_bits[ip >> 24];

  if (*bits == NULL)
    *bits = g_malloc0 (1u << 21);   /* 2^24 bits */
  (*bits)[(ip & 0xffffff) >> 3] |= (guint8) (1u << (ip & 7));
}

/* Rows spanning more seconds than this are merge-sorted instead. */
#define SORT_MAX_SECONDS (4 * ML_SECONDS_PER_DAY)
/* Rows of one second up to this many are insertion-sorted. */
#define SORT_INSERTION_MAX 32

/* A day's rows fall within 86,400 seconds, so a counting pass by second
 * puts them in time order and only the rows of one second (a few dozen in
 * a city) are compared, instead of a merge sort of 10^6 rows and its
 * buffer every day. */
void
ml_lookups_sort (GArray *rows, GArray *buffer, GArray *second_start)
{
  const MlLookupRow *r = (const MlLookupRow *) rows->data;
  MlTime lo = G_MAXINT64, hi = G_MININT64;
  guint n = rows->len;

  for (guint i = 0; i < n; i++)
    lo = MIN (lo, r[i].ts), hi = MAX (hi, r[i].ts);
  if (n < 2 || hi - lo >= SORT_MAX_SECONDS)
    {
      g_array_sort (rows, compare_lookups);
      return;
    }
  guint span = (guint) (hi - lo) + 1;
  g_array_set_size (second_start, span + 1);
  guint32 *start = (guint32 *) second_start->data;
  memset (start, 0, (span + 1) * sizeof *start);
  for (guint i = 0; i < n; i++)
    start[r[i].ts - lo + 1]++;
  for (guint k = 1; k <= span; k++)
    start[k] += start[k - 1];
  g_array_set_size (buffer, n);
  MlLookupRow *out = (MlLookupRow *) buffer->data;
  for (guint i = 0; i < n; i++)
    out[start[r[i].ts - lo]++] = r[i];          /* stable: rows keep their order within a second */
  for (guint a = 0; a < n;)
    {
      guint b = a + 1;
      while (b < n && out[b].ts == out[a].ts)
        b++;
      if (b - a > SORT_INSERTION_MAX)
        qsort (out + a, b - a, sizeof *out, compare_lookups);
      else
        for (guint i = a + 1; i < b; i++)
          {
            MlLookupRow x = out[i];
            guint j = i;
            for (; j > a && compare_lookups (&out[j - 1], &x) > 0; j--)
              out[j] = out[j - 1];
            out[j] = x;
          }
      a = b;
    }
  memcpy (rows->data, out, (gsize) n * sizeof *out);
}

/* ---- provider.db's indexes ----------------------------------------------
 *
 * The three indexes are created on the empty table; the days' rows go into
 * the table through an imposter that leaves them alone (common/db.h), and
 * every day leaves, for each index, a run of its entries sorted by the
 * index's key (sim/runs.h).  After the last day each index is filled
 * through an imposter of its own from its runs merged into key order: the
 * b-tree CREATE INDEX would have made, without SQLite's sorter, which took
 * 200 s for the three indexes of a city run (5.6 x 10^7 lookups). */

/* An entry (key, ts, rowid) of an index on (key, ts), stored compactly:
 * ts is the run's tag (the day's first ts) plus DT; rowids fit 32 bits
 * (checked). */
typedef struct {
  guint64 key;
  guint32 dt;
  guint32 rowid;
} IndexEntry;

static guint64
index_key (const MlLookupRow *r, int index)
{
  switch (index)
    {
    case 0: return (guint64) r->source;
    case 1: return (guint64) r->lookup;
    default: return r->ip;
    }
}

/* Sort A[0..n) by key, keeping the order of equal keys: an LSD radix sort
 * on 16-bit digits, only those in which the keys differ.  TMP holds N
 * entries; returns A or TMP, whichever holds the result. */
static IndexEntry *
sort_entries (IndexEntry *a, IndexEntry *tmp, gsize n)
{
  g_autofree guint32 *count = g_new (guint32, 1 << 16);
  guint64 differ = 0;

  for (gsize i = 1; i < n; i++)
    differ |= a[i].key ^ a[0].key;
  for (guint shift = 0; shift < 64; shift += 16)
    {
      guint32 sum = 0;
      IndexEntry *t;
      if (((differ >> shift) & 0xffff) == 0)
        continue;
      memset (count, 0, (1 << 16) * sizeof *count);
      for (gsize i = 0; i < n; i++)
        count[(a[i].key >> shift) & 0xffff]++;
      for (guint d = 0; d < (1 << 16); d++)
        {
          guint32 c = count[d];
          count[d] = sum;
          sum += c;
        }
      for (gsize i = 0; i < n; i++)
        tmp[count[(a[i].key >> shift) & 0xffff]++] = a[i];
      t = a, a = tmp, tmp = t;
    }
  return a;
}

/* The day's ROWS (sorted as stored, the first getting rowid FIRST_ROWID)
 * as one run per index. */
static gboolean
write_index_runs (MlSimWriter *wr, GArray *rows, guint64 first_rowid, GError **error)
{
  const MlLookupRow *r = (const MlLookupRow *) rows->data;
  guint n = rows->len;
  MlTime tag;

  if (n == 0)
    return TRUE;
  if (first_rowid + n - 1 > G_MAXUINT32)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_FAILED, "provider.db: more than %u lookups: too many for one run",
                   G_MAXUINT32);
      return FALSE;
    }
  tag = r[0].ts;
  if (wr->entries == NULL)
    {
      wr->entries = g_array_new (FALSE, FALSE, sizeof (IndexEntry));
      wr->entries_tmp = g_array_new (FALSE, FALSE, sizeof (IndexEntry));
    }
  g_array_set_size (wr->entries, n);
  g_array_set_size (wr->entries_tmp, n);
  for (int k = 0; k < ML_SCHEMA_PROVIDER_N_INDEXES; k++)
    {
      IndexEntry *e = (IndexEntry *) wr->entries->data;
      for (guint i = 0; i < n; i++)
        e[i] = (IndexEntry) { index_key (&r[i], k), (guint32) (r[i].ts - tag), (guint32) (first_rowid + i) };
      e = sort_entries (e, (IndexEntry *) wr->entries_tmp->data, n);
      if (!ml_runs_add (wr->index_runs[k], tag, e, n, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  MlRunsReader *reader;
} IndexLoad;

static MlStep
next_index_entry (gpointer data, MlBulkValue *row, GError **error)
{
  IndexLoad *l = data;
  const void *rec;
  gint64 tag;
  IndexEntry e;

  if (!ml_runs_next (l->reader, &rec, &tag, error))
    return ML_STEP_ERROR;
  if (rec == NULL)
    return ML_STEP_DONE;
  memcpy (&e, rec, sizeof e);
  row[0] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = (gint64) e.key };
  row[1] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = tag + e.dt };
  row[2] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = e.rowid };
  return ML_STEP_ROW;
}

/* Fill provider.db's indexes from their runs (see above). */
static gboolean
load_indexes (MlSimWriter *wr, GError **error)
{
  if (!ml_db_begin (wr->provider, error))
    return FALSE;
  for (int k = 0; k < ML_SCHEMA_PROVIDER_N_INDEXES; k++)
    {
      const char *index = ml_schema_provider_indexes[k];
      g_autofree char *imposter = g_strconcat (index, "_entries", NULL);
      IndexLoad l = { ml_runs_read (wr->index_runs[k], error) };
      gboolean ok = l.reader != NULL && ml_db_imposter (wr->provider, index, imposter, error)
                    && ml_db_load (wr->provider, imposter, 3, next_index_entry, &l, error);
      ml_runs_reader_free (l.reader);
      g_clear_pointer (&wr->index_runs[k], ml_runs_free);
      if (!ok)
        return FALSE;
    }
  /* the imposters are done with: the schema is read-only again */
  return ml_db_commit (wr->provider, error) && ml_db_exec (wr->provider, "PRAGMA writable_schema = OFF", error);
}

typedef struct {
  const MlLookupRow *rows;
  guint n, i;
} LookupLoad;

static MlStep
next_lookup (gpointer data, MlBulkValue *row, GError **error)
{
  LookupLoad *l = data;
  const MlLookupRow *r;

  (void) error;
  if (l->i == l->n)
    return ML_STEP_DONE;
  r = &l->rows[l->i++];
  row[0] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r->ts };
  row[1] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r->source };
  row[2] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r->lookup };
  row[3] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r->ip };
  row[4] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r->devices };
  return ML_STEP_ROW;
}

static gboolean
write_lookups (MlSimWriter *wr, GArray *rows, GError **error)
{
  LookupLoad l;

  if (wr->sorted == NULL)      /* the sorting buffers live through the days only */
    {
      wr->sorted = g_array_new (FALSE, FALSE, sizeof (MlLookupRow));
      wr->second_start = g_array_new (FALSE, FALSE, sizeof (guint32));
    }
  ml_lookups_sort (rows, wr->sorted, wr->second_start);
  l = (LookupLoad) { (const MlLookupRow *) rows->data, rows->len, 0 };
  if (!write_index_runs (wr, rows, wr->counts.lookups + 1, error)
      || !ml_db_load (wr->provider, LOOKUP_ROWS " (ts, source, lookup, ip, lookup_devices)", 5, next_lookup, &l,
                      error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      const MlLookupRow *r = &g_array_index (rows, MlLookupRow, i);
      mark_handle (wr, r->source);
      mark_handle (wr, r->lookup);
      mark_ip (wr, r->ip);
      wr->counts.causes[r->cause]++;
    }
  wr->counts.lookups += rows->len;
  return TRUE;
}

/* A day's pair counts, in (sender, recipient) order, wait in a run for
 * the clustered messages_daily (see store_clustered). */
static gboolean
write_pairs (MlSimWriter *wr, MlDay day, GArray *rows, GError **error)
{
  return ml_runs_add (wr->pair_runs, day, rows->data, rows->len, error);
}

static gboolean
write_contacts (MlSimWriter *wr, GArray *rows, GError **error)
{
  MlBulk *s = wr->ins_contact;

  for (guint i = 0; i < rows->len; i++)
    {
      const MlServiceContact *r = &g_array_index (rows, MlServiceContact, i);
      ml_bulk_int64 (s, r->ts);
      ml_bulk_int64 (s, r->person);
      ml_bulk_int64 (s, r->service);
      if (!ml_bulk_end_row (s, error))
        return FALSE;
    }
  wr->counts.service_contacts += rows->len;
  return ml_bulk_flush (s, error);
}

/* A day's stays, in person and time order, likewise wait for stays. */
static gboolean
write_stays (MlSimWriter *wr, GArray *rows, GError **error)
{
  return ml_runs_add (wr->stay_runs, 0, rows->data, rows->len, error);
}

static MlStep
next_stay (gpointer data, MlBulkValue *row, GError **error)
{
  const void *rec;
  MlTruthStay r;

  if (!ml_runs_next (data, &rec, NULL, error))
    return ML_STEP_ERROR;
  if (rec == NULL)
    return ML_STEP_DONE;
  memcpy (&r, rec, sizeof r);
  row[0] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.person };
  row[1] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.start };
  row[2] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.end };
  row[3] = r.place == ML_NONE ? (MlBulkValue) { .type = ML_VALUE_NULL }
                              : (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.place };
  row[4] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.city };
  return ML_STEP_ROW;
}

static MlStep
next_pair (gpointer data, MlBulkValue *row, GError **error)
{
  const void *rec;
  gint64 day;
  MlPairCount r;

  if (!ml_runs_next (data, &rec, &day, error))
    return ML_STEP_ERROR;
  if (rec == NULL)
    return ML_STEP_DONE;
  memcpy (&r, rec, sizeof r);
  row[0] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = day };
  row[1] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.sender };
  row[2] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.recipient };
  row[3] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.imessage };
  row[4] = (MlBulkValue) { .type = ML_VALUE_INTEGER, .v.i = r.sms };
  return ML_STEP_ROW;
}

/* Load TABLE from R's runs merged, through NEXT. */
static gboolean
load_runs (MlDb *db, const char *table, MlRuns *r, MlRowFunc next, GError **error)
{
  g_autoptr(MlRunsReader) m = ml_runs_read (r, error);

  return m != NULL && ml_db_load (db, table, 5, next, m, error);
}

/* The clustered tables, from the days' runs merged by person: each is
 * loaded in its key order, (person, start) and (sender, day, recipient),
 * which is what makes the load cheap (schema.c). */
static gboolean
store_clustered (MlSimWriter *wr, GError **error)
{
  wr->counts.stays = ml_runs_count (wr->stay_runs);
  wr->counts.message_pairs = ml_runs_count (wr->pair_runs);
  return ml_db_begin (wr->truth, error) && load_runs (wr->truth, "stays", wr->stay_runs, next_stay, error)
         && load_runs (wr->truth, "messages_daily", wr->pair_runs, next_pair, error)
         && ml_db_commit (wr->truth, error);
}

static gboolean
write_messages (MlSimWriter *wr, GArray *rows, GError **error)
{
  MlBulk *s = wr->ins_message;

  for (guint i = 0; i < rows->len; i++)
    {
      const MlMessageRow *r = &g_array_index (rows, MlMessageRow, i);
      ml_bulk_int64 (s, r->ts);
      ml_bulk_int64 (s, r->sender);
      ml_bulk_int64 (s, r->recipient);
      ml_bulk_static (s, r->imessage ? "imessage" : "sms");
      if (!ml_bulk_end_row (s, error))
        return FALSE;
    }
  wr->counts.messages += rows->len;
  return ml_bulk_flush (s, error);
}

static gboolean
close_trip (MlSimWriter *wr, guint32 person, MlDay end_day, GError **error)
{
  MlStmt *s = wr->ins_trip;
  MlDay first = (MlDay) wr->trip_start[person] - 1;

  wr->trip_start[person] = 0;
  wr->counts.trips++;
  return ml_stmt_bind_int64 (s, 1, person, error)
         && ml_stmt_bind_int64 (s, 2, ml_day_start (first), error)
         && ml_stmt_bind_int64 (s, 3, ml_day_start (end_day), error)
         && ml_stmt_bind_int64 (s, 4, wr->trip_city[person], error)
         && ml_stmt_run (s, error);
}

/* Trips arrive as one row per person-day away; a trip is closed on the
 * first day the person is not away (or at the end of the run). */
static gboolean
write_trips (MlSimWriter *wr, MlDay day, GArray *rows, GError **error)
{
  g_autofree guint8 *away = g_new0 (guint8, wr->w->n_people);

  for (guint i = 0; i < rows->len; i++)
    {
      const MlTripDay *r = &g_array_index (rows, MlTripDay, i);
      if (wr->trip_start[r->person] != 0 && wr->trip_city[r->person] != r->city
          && !close_trip (wr, r->person, day, error))
        return FALSE;
      if (wr->trip_start[r->person] == 0)
        {
          wr->trip_start[r->person] = (guint32) day + 1;
          wr->trip_city[r->person] = r->city;
        }
      away[r->person] = 1;
    }
  for (guint32 p = 0; p < wr->w->n_people; p++)
    if (wr->trip_start[p] != 0 && !away[p] && !close_trip (wr, p, day, error))
      return FALSE;
  wr->last_day = day;
  return TRUE;
}

static gboolean
write_provider_batch (MlSimWriter *wr, MlDayBatch *b, GError **error)
{
  return ml_db_begin (wr->provider, error) && write_lookups (wr, b->lookups, error)
         && ml_db_commit (wr->provider, error);
}

static gboolean
write_truth_batch (MlSimWriter *wr, MlDayBatch *b, GError **error)
{
  return ml_db_begin (wr->truth, error) && write_pairs (wr, b->day, b->pairs, error)
         && write_contacts (wr, b->contacts, error) && write_stays (wr, b->stays, error)
         && write_trips (wr, b->day, b->trip_days, error) && write_messages (wr, b->messages, error)
         && ml_db_commit (wr->truth, error);
}

static void
pending_release (MlSimWriter *wr, Pending *p)
{
  MlDayBatch *b = p->batch;

  if (!g_atomic_int_dec_and_test (&p->refs))
    return;
  g_array_set_size (b->lookups, 0);
  g_array_set_size (b->pairs, 0);
  g_array_set_size (b->contacts, 0);
  g_array_set_size (b->stays, 0);
  g_array_set_size (b->trip_days, 0);
  g_array_set_size (b->messages, 0);
  g_async_queue_push (wr->spare, b);
  g_free (p);
  g_async_queue_push (wr->tokens, GINT_TO_POINTER (1));
}

static gpointer
lane_thread (gpointer data)
{
  Lane *lane = data;
  MlSimWriter *wr = lane->wr;
  gpointer item;

  while ((item = g_async_queue_pop (lane->queue)) != END)
    {
      Pending *p = item;
      gint64 t0 = g_get_monotonic_time ();
      if (!g_atomic_int_get (&wr->failed) && !lane->write (wr, p->batch, &lane->error))
        g_atomic_int_set (&wr->failed, 1);
      lane->busy_us += g_get_monotonic_time () - t0;
      pending_release (wr, p);
    }
  return NULL;
}

static void
lane_start (Lane *lane, MlSimWriter *wr, const char *name,
            gboolean (*write) (MlSimWriter *wr, MlDayBatch *b, GError **error))
{
  lane->wr = wr;
  lane->write = write;
  lane->queue = g_async_queue_new ();
  lane->thread = g_thread_new (name, lane_thread, lane);
}

static gboolean
prepare_statements (MlSimWriter *wr, GError **error)
{
  return ml_schema_provider_create_indexes (wr->provider, error)
         && ml_db_imposter (wr->provider, "lookup_log", LOOKUP_ROWS, error)
         && (wr->ins_contact = ml_bulk_new (wr->truth, "service_contacts", 3, error)) != NULL
         && (wr->ins_trip = ml_db_prepare (wr->truth, "INSERT INTO trips VALUES (?, ?, ?, ?)", error)) != NULL
         && (wr->ins_message = ml_bulk_new (wr->truth, "messages", 4, error)) != NULL
         && (wr->ins_cause = ml_db_prepare (wr->truth, "INSERT INTO lookup_causes VALUES (?, ?, ?)", error)) != NULL;
}

MlSimWriter *
ml_sim_writer_new (const MlWorld *w, const char *out_dir, GError **error)
{
  g_autoptr(MlSimWriter) wr = g_new0 (MlSimWriter, 1);
  g_autofree char *provider = g_build_filename (out_dir, "provider.db", NULL);
  g_autofree char *truth = g_build_filename (out_dir, "truth.db", NULL);

  wr->w = w;
  wr->n_known = w->n_people + w->n_services;
  wr->seen = g_new0 (guint8, MAX (wr->n_known, 1));
  wr->strangers = g_hash_table_new (g_direct_hash, g_direct_equal);
  wr->trip_start = g_new0 (guint32, w->n_people);
  wr->trip_city = g_new0 (guint32, w->n_people);
  if ((wr->provider = ml_db_create (provider, FALSE, error)) == NULL
      || (wr->truth = ml_db_create (truth, FALSE, error)) == NULL
      || !ml_schema_provider_create (wr->provider, error)
      || !ml_schema_truth_create (wr->truth, error)
      || !write_static_truth (wr, error)
      || !prepare_statements (wr, error)
      || (wr->stay_runs = ml_runs_new (out_dir, "stays", sizeof (MlTruthStay), 4, error)) == NULL
      || (wr->pair_runs = ml_runs_new (out_dir, "messages_daily", sizeof (MlPairCount), 4, error)) == NULL)
    return NULL;
  for (int k = 0; k < ML_SCHEMA_PROVIDER_N_INDEXES; k++)
    if ((wr->index_runs[k] = ml_runs_new (out_dir, ml_schema_provider_indexes[k], sizeof (IndexEntry), 8,
                                          error)) == NULL)
      return NULL;
  wr->tokens = g_async_queue_new ();
  wr->spare = g_async_queue_new ();
  for (int i = 0; i < MAX_PENDING; i++)
    g_async_queue_push (wr->tokens, GINT_TO_POINTER (1));
  lane_start (&wr->provider_lane, wr, "metaleak-prov", write_provider_batch);   /* thread names: 15 bytes at most */
  lane_start (&wr->truth_lane, wr, "metaleak-truth", write_truth_batch);
  return g_steal_pointer (&wr);
}

static gboolean
writer_failed (MlSimWriter *wr, GError **error)
{
  GError *e;

  if (!g_atomic_int_get (&wr->failed))
    return FALSE;
  e = wr->provider_lane.error != NULL ? wr->provider_lane.error : wr->truth_lane.error;
  if (error != NULL && e != NULL && *error == NULL)
    *error = g_error_copy (e);
  return TRUE;
}

MlDayBatch *
ml_sim_writer_batch (MlSimWriter *wr, MlDay day)
{
  MlDayBatch *b = g_async_queue_try_pop (wr->spare);

  if (b == NULL)
    return ml_day_batch_new (day);
  b->day = day;
  return b;
}

gboolean
ml_sim_writer_push (MlSimWriter *wr, MlDayBatch *batch, GError **error)
{
  Pending *p;

  g_return_val_if_fail (wr != NULL && wr->provider_lane.thread != NULL, FALSE);
  g_async_queue_pop (wr->tokens);
  if (writer_failed (wr, error))
    {
      ml_day_batch_free (batch);
      g_async_queue_push (wr->tokens, GINT_TO_POINTER (1));
      return FALSE;
    }
  p = g_new (Pending, 1);
  p->batch = batch;
  p->refs = 2;
  g_async_queue_push (wr->provider_lane.queue, p);
  g_async_queue_push (wr->truth_lane.queue, p);
  return TRUE;
}

static void
lane_stop (Lane *lane)
{
  if (lane->thread == NULL)
    return;
  g_async_queue_push (lane->queue, END);
  g_thread_join (lane->thread);
  lane->thread = NULL;
}

static void
stop_thread (MlSimWriter *wr)
{
  lane_stop (&wr->provider_lane);
  lane_stop (&wr->truth_lane);
}

static int
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gint64
known_handle_id (const MlWorld *w, guint32 index)
{
  return index < w->n_people ? ml_person_handle_id (w, index)
                             : ml_service_handle_id (w, index - w->n_people);
}

static gboolean
insert_handle (MlStmt *h, gint64 id, GError **error)
{
  char buf[ML_HANDLE_MAX];

  return ml_stmt_bind_int64 (h, 1, id, error)
         && ml_stmt_bind_text (h, 2, ml_handle_format (id, buf), -1, error)
         && ml_stmt_run (h, error);
}

/* The handle dictionary, in id order so that row order says nothing about
 * when or by whom a handle was first seen. */
static gboolean
write_handles (MlSimWriter *wr, GError **error)
{
  g_autoptr(MlStmt) h = ml_db_prepare (wr->provider, ML_SQL_INSERT_HANDLE, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter it;
  gpointer key;

  if (h == NULL)
    return FALSE;
  for (guint32 i = 0; i < wr->n_known; i++)
    if (wr->seen[i])
      {
        gint64 id = known_handle_id (wr->w, i);
        g_array_append_val (ids, id);
      }
  g_hash_table_iter_init (&it, wr->strangers);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      gint64 id = (gint64) (guintptr) key;
      g_array_append_val (ids, id);
    }
  g_array_sort (ids, compare_i64);
  for (guint i = 0; i < ids->len; i++)
    if (!insert_handle (h, g_array_index (ids, gint64, i), error))
      return FALSE;
  wr->counts.handles = ids->len;
  return TRUE;
}

/* The IP dictionary, in address order. */
static gboolean
write_ips (MlSimWriter *wr, GError **error)
{
  g_autoptr(MlStmt) s = ml_db_prepare (wr->provider, ML_SQL_INSERT_IP, error);
  char buf[16];

  if (s == NULL)
    return FALSE;
  for (guint hi = 0; hi < 256; hi++)
    for (guint32 lo = 0; wr->ip_bits[hi] != NULL && lo < (1u << 24); lo++)
      {
        guint32 ip = (hi << 24) | lo;
        if (!(wr->ip_bits[hi][lo >> 3] & (1u << (lo & 7))))
          continue;
        if (!ml_stmt_bind_int64 (s, 1, ip, error)
            || !ml_stmt_bind_text (s, 2, ml_ipv4_to_string (ip, buf), -1, error)
            || !ml_stmt_run (s, error))
          return FALSE;
        wr->counts.ips++;
      }
  return TRUE;
}

static gboolean
write_dictionaries (MlSimWriter *wr, GError **error)
{
  return ml_db_begin (wr->provider, error) && write_handles (wr, error)
         && write_ips (wr, error) && ml_db_commit (wr->provider, error);
}

static gboolean
write_cause_totals (MlSimWriter *wr, GError **error)
{
  for (int c = 0; c < ML_N_CAUSES; c++)
    if (!ml_stmt_bind_null (wr->ins_cause, 1, error)
        || !ml_stmt_bind_text (wr->ins_cause, 2, ml_cause_name ((MlCause) c), -1, error)
        || !ml_stmt_bind_int64 (wr->ins_cause, 3, (gint64) wr->counts.causes[c], error)
        || !ml_stmt_run (wr->ins_cause, error))
      return FALSE;
  return TRUE;
}

static gboolean
close_open_trips (MlSimWriter *wr, GError **error)
{
  for (guint32 p = 0; p < wr->w->n_people; p++)
    if (wr->trip_start[p] != 0 && !close_trip (wr, p, wr->last_day + 1, error))
      return FALSE;
  return TRUE;
}

/* The sha256 of DB's file (finished) into OUT (65 bytes). */
static gboolean
hash_file (MlDb *db, char *out, GError **error)
{
  g_autofree char *sum = ml_sha256_file (ml_db_path (db), error);

  if (sum == NULL)
    return FALSE;
  g_strlcpy (out, sum, 65);
  return TRUE;
}

/* truth.db's small indexes are built by SQLite's sorter while the
 * provider lane fills its indexes: on one thread, not on helper threads
 * (PRAGMA threads) that would only contend for the same two cores
 * (measured on the town year's tables when every index was built this way:
 * 121.6 s and 236 CPU-s with 4 helper threads a lane, 109.1 s and 198
 * CPU-s with none). */
#define INDEX_THREADS_SQL "PRAGMA threads = 0"

/* The provider lane's last work: dictionaries, indexes, close, hash. */
static gpointer
finish_provider (gpointer data)
{
  MlSimWriter *wr = data;
  Lane *lane = &wr->provider_lane;

  if (write_dictionaries (wr, &lane->error))
    {
      gint64 t0 = g_get_monotonic_time ();
      if (load_indexes (wr, &lane->error) && ml_schema_provider_analyze (wr->provider, &lane->error)
          && ml_db_finish (wr->provider, &lane->error)
          && hash_file (wr->provider, wr->counts.provider_sha256, &lane->error))
        {
          g_debug ("provider.db indexed, closed and hashed: %.2f s", (g_get_monotonic_time () - t0) / 1e6);
          return GINT_TO_POINTER (1);
        }
    }
  g_atomic_int_set (&wr->failed, 1);
  return NULL;
}

/* The truth lane's last work: open trips, cause totals, the clustered
 * tables, indexes, close, hash. */
static gpointer
finish_truth (gpointer data)
{
  MlSimWriter *wr = data;
  Lane *lane = &wr->truth_lane;
  gint64 t0 = g_get_monotonic_time ();

  if (ml_db_begin (wr->truth, &lane->error) && close_open_trips (wr, &lane->error)
      && write_cause_totals (wr, &lane->error) && ml_db_commit (wr->truth, &lane->error)
      && store_clustered (wr, &lane->error))
    {
      gint64 t1 = g_get_monotonic_time ();
      g_debug ("truth.db clustered tables stored: %.2f s", (t1 - t0) / 1e6);
      g_clear_pointer (&wr->ins_contact, ml_bulk_free);
      g_clear_pointer (&wr->ins_trip, ml_stmt_free);
      g_clear_pointer (&wr->ins_message, ml_bulk_free);
      g_clear_pointer (&wr->ins_cause, ml_stmt_free);
      g_clear_pointer (&wr->stay_runs, ml_runs_free);
      g_clear_pointer (&wr->pair_runs, ml_runs_free);
      if (ml_db_exec (wr->truth, INDEX_THREADS_SQL, &lane->error) && ml_schema_truth_index (wr->truth, &lane->error)
          && ml_db_finish (wr->truth, &lane->error)
          && hash_file (wr->truth, wr->counts.truth_sha256, &lane->error))
        {
          g_debug ("truth.db indexed, closed and hashed: %.2f s", (g_get_monotonic_time () - t1) / 1e6);
          return GINT_TO_POINTER (1);
        }
    }
  g_atomic_int_set (&wr->failed, 1);
  return NULL;
}

/* Free the batches kept for reuse (and the sorting buffers): the days are
 * over, and the index builds want the memory. */
static void
free_spares (MlSimWriter *wr)
{
  MlDayBatch *b;

  while ((b = g_async_queue_try_pop (wr->spare)) != NULL)
    ml_day_batch_free (b);
  g_clear_pointer (&wr->sorted, g_array_unref);
  g_clear_pointer (&wr->second_start, g_array_unref);
  g_clear_pointer (&wr->entries, g_array_unref);
  g_clear_pointer (&wr->entries_tmp, g_array_unref);
}

gboolean
ml_sim_writer_finish (MlSimWriter *wr, MlSimCounts *counts, GError **error)
{
  GThread *t;

  stop_thread (wr);
  free_spares (wr);
  g_debug ("writer lanes busy: provider %.2f s, truth %.2f s", wr->provider_lane.busy_us / 1e6,
           wr->truth_lane.busy_us / 1e6);
  if (writer_failed (wr, error))
    return FALSE;
  t = g_thread_new ("metaleak-prov", finish_provider, wr);
  finish_truth (wr);
  g_thread_join (t);
  if (writer_failed (wr, error))
    return FALSE;
  *counts = wr->counts;
  return TRUE;
}

void
ml_sim_writer_free (MlSimWriter *wr)
{
  if (wr == NULL)
    return;
  stop_thread (wr);
  ml_bulk_free (wr->ins_contact);
  ml_stmt_free (wr->ins_trip);
  ml_bulk_free (wr->ins_message);
  ml_stmt_free (wr->ins_cause);
  ml_runs_free (wr->stay_runs);
  ml_runs_free (wr->pair_runs);
  for (int k = 0; k < ML_SCHEMA_PROVIDER_N_INDEXES; k++)
    ml_runs_free (wr->index_runs[k]);
  ml_db_free (wr->provider);
  ml_db_free (wr->truth);
  if (wr->provider_lane.queue)
    g_async_queue_unref (wr->provider_lane.queue);
  if (wr->truth_lane.queue)
    g_async_queue_unref (wr->truth_lane.queue);
  if (wr->tokens)
    g_async_queue_unref (wr->tokens);
  if (wr->spare)
    {
      free_spares (wr);
      g_async_queue_unref (wr->spare);
    }

  g_clear_error (&wr->provider_lane.error);
  g_clear_error (&wr->truth_lane.error);
  g_free (wr->seen);
  g_hash_table_unref (wr->strangers);
  for (guint i = 0; i < 256; i++)
    g_free (wr->ip_bits[i]);
  g_free (wr->trip_start);
  g_free (wr->trip_city);
  g_free (wr);
}
