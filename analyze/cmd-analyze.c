/* cmd-analyze.c -- `metaleak analyze`: the driver of the analysis.
 *
 * RUN (a simulation, or a directory made by --import-log or --import-cdr,
 * cdr-analyze.h) and a case file
 * go in; RUN/cases/NAME comes out, atomically.  Steps: resolve the case and
 * its targets, serve the orders and extract the evidence (evidence.c), run
 * every inference for every named target and every chain length
 * 1 .. N (in parallel over targets: the inferences are pure), score them
 * with the evaluator when RUN has a ground truth (evaluate.c is the only
 * reader of it), then write analysis.db, tables/ and findings.json and
 * print the five numbers a policy reader needs.
 *
 * With more than one thread the steps overlap around the writing thread
 * (this one), which is the critical path: the evaluator loads beside the
 * extraction; the workers draw the targets' inferences (every chain length
 * in one pass, infer.h) while the orders are written, and each target is
 * written as soon as it is done; the evidence table is written aside and
 * copied in; tables/ is formatted from the rows as they go (findings.c).
 * The output is the same byte for byte with one thread.
 *
 * Workload: 1,000 targets x 12 windows in 7-9 s on 2 cores after the
 * provider's indexes exist (the town year, README).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "analyze/analyze.h"
#include "analyze/casefile.h"
#include "analyze/cdr-analyze.h"
#include "analyze/evaluate.h"
#include "analyze/evidence.h"
#include "analyze/findings.h"
#include "analyze/importlog.h"
#include "analyze/infer.h"
#include "analyze/legalcase.h"
#include "analyze/popmode.h"
#include "analyze/pseudonym.h"
#include "common/datadir.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "common/schema.h"

/* The writing thread is the critical path: all of analysis.db but the
 * evidence goes through it.  The workers and the evidence's thread yield
 * to it (measured on the town case, 1,000 targets x 12 windows on 2 cores:
 * 10.1-10.3 s with every thread equal, 7.7-8.6 s with these). */
#define INFER_NICE 10
#define EVIDENCE_NICE 5

typedef struct {
  char *case_name, *import_log, *import_cdr, *geoip, *out;
  char **sets;
  gboolean population, strict, reveal, force, quiet;
  gint64 threads;
} AnalyzeArgs;

static void
analyze_args_clear (AnalyzeArgs *a)
{
  g_free (a->case_name);
  g_free (a->import_log);
  g_free (a->import_cdr);
  g_free (a->geoip);
  g_free (a->out);
  g_strfreev (a->sets);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AnalyzeArgs, analyze_args_clear)

/* Everything one named target's inferences produce, per chain length. */
typedef struct {
  gint64 target;
  const char *name;           /* as written (the namer's) */
  GArray *contacts[64];       /* index n-1 */
  GArray *reported[64];
  MlLocation *location[64];
  GArray *colocated[64];
  GArray *sensitive[64];
  MlRhythm rhythm;
  MlWindowSet covered[64];
  GArray *metrics;            /* MlMetric: scores and legal coverage, every n in order */
  GError *error;              /* scoring failed */
} TargetOut;

typedef struct {
  const MlEvidence *ev;
  GArray *targets;            /* gint64 named targets */
  TargetOut *out;
  MlEvaluator *eval;          /* NULL without truth */
  int windows;
} InferJob;

/* Debug timing (G_MESSAGES_DEBUG=metaleak): wall seconds since T0 and the
 * CPU seconds this thread has used, to see what the writing thread (the
 * critical path) spends. */
static void
phase_done (const char *what, gint64 t0)
{
  struct timespec ts = { 0 };

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  g_debug ("%s: %.3f s (this thread: %.3f CPU-s)", what, (double) (g_get_monotonic_time () - t0) / 1e6,
           (double) ts.tv_sec + ts.tv_nsec / 1e9);
}

/* ---- inference --------------------------------------------------------- */

static GArray *
orders_of (const MlEvidence *ev, gint64 target)
{
  for (guint i = 0; i < ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (ev->targets, MlTarget, i);
      if (t->handle == target)
        return t->orders;
    }
  return NULL;
}

static void
add_metric (GArray *metrics, int n, const char *scope, const char *metric, double value)
{
  MlMetric m = { .n_windows = n, .value = value };
  g_strlcpy (m.scope, scope, sizeof m.scope);
  g_strlcpy (m.metric, metric, sizeof m.metric);
  g_array_append_val (metrics, m);
}

/* Legal coverage of T at N windows, in days: covered, gaps, retention loss. */
static void
coverage_metrics (GArray *metrics, const MlEvidence *ev, const char *t, gint64 target, int n)
{
  GArray *orders = orders_of (ev, target);
  g_auto(MlWindowSet) covered = { NULL };
  g_auto(MlWindowSet) gaps = { NULL };
  MlTime lost = 0;

  if (orders == NULL)
    return;
  ml_window_set_init (&covered);
  ml_window_set_init (&gaps);
  ml_legal_coverage (orders, n, &covered, &gaps, &lost);
  add_metric (metrics, n, t, "covered_days", (double) ml_window_set_total (&covered) / ML_SECONDS_PER_DAY);
  add_metric (metrics, n, t, "gap_days", (double) ml_window_set_total (&gaps) / ML_SECONDS_PER_DAY);
  add_metric (metrics, n, t, "retention_lost_days", (double) lost / ML_SECONDS_PER_DAY);
}

/* O's inferences at N windows, as the evaluator takes them. */
static MlTargetResult
target_result (TargetOut *o, int n, const MlEvidence *ev)
{
  return (MlTargetResult) {
    .target = o->target, .target_text = o->name, .n_windows = n,
    .contacts = o->contacts[n - 1], .reported = o->reported[n - 1],
    .location = o->location[n - 1], .colocated = o->colocated[n - 1],
    .sensitive = o->sensitive[n - 1], .hops = NULL, .covered = &o->covered[n - 1], .ev = ev,
  };
}

/* Score O at N windows against truth, then its legal coverage: the
 * evaluator only reads memory for the named targets, so this runs on the
 * workers. */
static void
score_target (InferJob *job, TargetOut *o, int n)
{
  MlTargetResult r = target_result (o, n, job->ev);

  if (job->eval != NULL && o->error == NULL)
    ml_evaluate_target (job->eval, &r, o->metrics, &o->error);
  coverage_metrics (o->metrics, job->ev, o->name, o->target, n);
}

static void
infer_target (guint idx, gpointer data)
{
  InferJob *job = data;
  TargetOut *o = &job->out[idx];
  GArray *orders = orders_of (job->ev, o->target);

  o->metrics = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  ml_infer_contacts_each (job->ev, o->target, job->windows, o->contacts);
  ml_infer_location_each (job->ev, o->target, job->windows, o->location);
  ml_infer_colocation_each (job->ev, o->target, job->windows, o->location, o->colocated);
  ml_infer_sensitive_each (job->ev, o->target, job->windows, o->sensitive);
  for (int n = 1; n <= job->windows; n++)
    {
      o->reported[n - 1] = ml_contacts_reported (o->contacts[n - 1]);
      ml_window_set_init (&o->covered[n - 1]);
      if (orders != NULL)
        ml_legal_coverage (orders, n, &o->covered[n - 1], NULL, NULL);
      score_target (job, o, n);
    }
  ml_infer_rhythm (job->ev, o->target, job->windows, &o->rhythm);
}

static void
target_out_clear (TargetOut *o, int windows)
{
  for (int n = 0; n < windows; n++)
    {
      g_clear_pointer (&o->contacts[n], g_array_unref);
      g_clear_pointer (&o->reported[n], g_array_unref);
      g_clear_pointer (&o->location[n], ml_location_free);
      g_clear_pointer (&o->colocated[n], g_array_unref);
      g_clear_pointer (&o->sensitive[n], g_array_unref);
      ml_window_set_clear (&o->covered[n]);
    }
  g_clear_pointer (&o->metrics, g_array_unref);
  g_clear_error (&o->error);
}

/* ---- writing ----------------------------------------------------------- */

typedef struct {
  MlDb *db;
  MlRowCache *rc;
  MlNamer *names;
  const MlEvidence *ev;
  MlEvaluator *eval;          /* NULL without truth */
  GArray *metrics;            /* MlMetric */
  int windows;
  MlCsvTee *tee;              /* NULL: tables/ exported from the finished database */
} Writer;

static const char *
ip_class_name (MlIpClass c)
{
  static const char *const names[ML_N_IP_CLASSES] = { "unknown", "broadband", "business", "cellular", "wifi",
                                                                  "antenna" };
  return c < ML_N_IP_CLASSES ? names[c] : "unknown";
}

static const char *
coloc_kind_name (MlColocKind k)
{
  return k == ML_COLOC_HOUSEHOLD ? "household" : k == ML_COLOC_COWORKER ? "coworker" : "other";
}

static gboolean
write_contacts (Writer *w, const char *t, int n, GArray *contacts, GError **error)
{
  for (guint i = 0; i < contacts->len; i++)
    {
      const MlContact *c = &g_array_index (contacts, MlContact, i);
      gboolean reported = !c->is_service && c->confidence >= 0.5;
      if (!ml_row_insert (w->rc, "contacts", "SiSiiiiddiii", error, t, (gint64) n,
                          ml_namer_get (w->names, c->handle), (gint64) c->n_out, (gint64) c->n_in,
                          (gint64) c->days, (gint64) c->bulk, c->score, c->confidence, (gint64) c->rank,
                          (gint64) c->is_service, (gint64) reported))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_place (Writer *w, const char *t, int n, const char *kind, const MlPlaceGuess *g, GError **error)
{
  if (!g->found)
    return TRUE;
  return ml_row_insert (w->rc, "places", "SiSddddi", error, t, (gint64) n, kind, g->lat, g->lon,
                        g->radius_km, g->confidence, (gint64) g->support);
}

static gboolean
write_location (Writer *w, const char *t, int n, const MlLocation *loc, GError **error)
{
  if (!write_place (w, t, n, "home", &loc->home, error) || !write_place (w, t, n, "work", &loc->work, error))
    return FALSE;
  for (guint i = 0; i < loc->trips->len; i++)
    {
      const MlTrip *trip = &g_array_index (loc->trips, MlTrip, i);
      if (!ml_row_insert (w->rc, "trips", "Siiiddds", error, t, (gint64) n, trip->start, trip->end,
                          trip->lat, trip->lon, trip->km_from_home, trip->city))
        return FALSE;
    }
  if (n != w->windows)
    return TRUE;
  for (guint i = 0; i < loc->timeline->len; i++)
    {
      const MlTimelinePoint *p = &g_array_index (loc->timeline, MlTimelinePoint, i);
      if (!ml_row_insert (w->rc, "timeline", "SidddS", error, t, p->ts, p->lat, p->lon,
                          p->radius_km, ip_class_name (p->cls)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_colocation (Writer *w, const char *t, int n, GArray *co, GError **error)
{
  for (guint i = 0; i < co->len; i++)
    {
      const MlCoLocated *c = &g_array_index (co, MlCoLocated, i);
      if (!ml_row_insert (w->rc, "colocation", "SiSSiid", error, t, (gint64) n,
                          ml_namer_get (w->names, c->handle), coloc_kind_name (c->kind),
                          (gint64) c->shared_hours, (gint64) c->shared_days, c->confidence))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_sensitive (Writer *w, const char *t, int n, GArray *hits, GError **error)
{
  for (guint i = 0; i < hits->len; i++)
    {
      const MlSensitiveHit *h = &g_array_index (hits, MlSensitiveHit, i);
      if (!ml_row_insert (w->rc, "sensitive", "Sisiii", error, t, (gint64) n, h->category,
                          (gint64) h->lookups, (gint64) h->services, h->first))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_rhythm (Writer *w, const char *t, const MlRhythm *r, GError **error)
{
  for (int d = 0; d < 7; d++)
    for (int h = 0; h < 24; h++)
      if (!ml_row_insert (w->rc, "rhythm", "Siii", error, t, (gint64) d + 1, (gint64) h, (gint64) r->counts[d][h]))
        return FALSE;
  return ml_row_insert (w->rc, "rhythm_sleep", "Siid", error, t, (gint64) r->sleep_start_h,
                        (gint64) r->sleep_end_h, r->sleep_confidence);
}

static gboolean
write_target (Writer *w, TargetOut *o, GError **error)
{
  const char *t = o->name;

  if (o->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&o->error));
      return FALSE;
    }
  for (int n = 1; n <= w->windows; n++)
    if (!write_contacts (w, t, n, o->contacts[n - 1], error)
        || !write_location (w, t, n, o->location[n - 1], error)
        || !write_colocation (w, t, n, o->colocated[n - 1], error)
        || !write_sensitive (w, t, n, o->sensitive[n - 1], error))
      return FALSE;
  g_array_append_vals (w->metrics, o->metrics->data, o->metrics->len);
  if (w->eval != NULL)
    {
      MlTargetResult r = target_result (o, w->windows, w->ev);
      if (!ml_evaluate_write_details (w->eval, w->db, &r, error))
        return FALSE;
    }
  return write_rhythm (w, t, &o->rhythm, error);
}

/* The hop reach HOPS at chain length N, and its score. */
static gboolean
write_hops_at (Writer *w, GArray *named, int n, GArray *hops, GError **error)
{
  for (guint i = 0; i < hops->len; i++)
    {
      const MlHopReach *h = &g_array_index (hops, MlHopReach, i);
      if (!ml_row_insert (w->rc, "hops", "iiiisi", error, (gint64) n, (gint64) h->hop, (gint64) h->reached,
                          (gint64) h->added, h->top_hub ? ml_namer_get (w->names, h->top_hub) : NULL,
                          (gint64) h->top_hub_is_service))
        return FALSE;
    }
  return w->eval == NULL || ml_evaluate_hops (w->eval, named, n, hops, w->metrics, error);
}

static gboolean
write_hops (Writer *w, GArray *named, GArray **hops, GError **error)
{
  for (int n = 1; n <= w->windows; n++)
    if (!write_hops_at (w, named, n, hops[n - 1], error))
      return FALSE;
  return TRUE;
}

/* The hop reach at every chain length, in one search (pure: it runs
 * beside the inferences and the writing, on the evidence alone). */
static gpointer
search_hops (gpointer data)
{
  const Writer *w = data;

  return ml_infer_hops_all (w->ev, w->windows);
}

/* "pen", "trap+pivot", ...: the orders that returned a row. */
static const char *
via_name (guint8 via)
{
  static const char *const names[8] = { "", "pen", "trap", "pen+trap", "pivot", "pen+pivot", "trap+pivot",
                                        "pen+trap+pivot" };
  G_STATIC_ASSERT (ML_VIA_PEN == 1 && ML_VIA_TRAP == 2 && ML_VIA_PIVOT == 4);
  return names[via & 7];
}

/* The evidence table's rows into B: 10^5-10^6 rows.  Every string
 * outlives the loader (NAMES's, EV's, literals). */
static gboolean
fill_evidence (MlBulk *b, const MlEvidence *ev, MlNamer *names, GError **error)
{
  for (guint i = 0; i < ev->rows->len; i++)
    {
      const MlEvRow *r = &g_array_index (ev->rows, MlEvRow, i);
      const MlIpInfo *ip = ml_evidence_ip (ev, r->ip);
      const char *name;
      gsize len;
      ml_bulk_int64 (b, r->ts);
      name = ml_namer_get_len (names, r->source, &len);
      ml_bulk_static_len (b, name, len);
      name = ml_namer_get_len (names, r->lookup, &len);
      ml_bulk_static_len (b, name, len);
      ml_bulk_static (b, ip ? ip->text : "?");
      ml_bulk_int64 (b, r->devices);
      ml_bulk_int64 (b, r->window);
      ml_bulk_int64 (b, r->hop);
      ml_bulk_static (b, via_name (r->via));
      if (!ml_bulk_end_row (b, error))
        return FALSE;
    }
  return ml_bulk_flush (b, error);
}

/* The evidence table on the writing thread. */
static gboolean
write_evidence (Writer *w, GError **error)
{
  g_autoptr(MlBulk) b = ml_bulk_new (w->db, "evidence", 8, error);

  if (b == NULL)
    return FALSE;
  if (w->tee != NULL)
    ml_csv_tee_attach (w->tee, w->db, b, "evidence", 8);
  return fill_evidence (b, w->ev, w->names, error);
}

/* The evidence table written aside, with more than one thread: a thread
 * of its own fills a scratch database (its own connections to it and to
 * provider.db, its own namer), and the writing thread, the critical path,
 * then copies the table into analysis.db with one INSERT ... SELECT, which
 * SQLite's transfer optimisation does record by record without decoding:
 * about 0.6 s for 1.7 M rows, against about 2 s of binding values. */
typedef struct {
  const MlEvidence *ev;
  const char *provider;       /* provider.db's path */
  const guint8 *key;          /* pseudonyms, or NULL */
  char *path;                 /* the scratch database */
  MlDb *db;                   /* open while written */
  MlBulk *bulk;
  GThread *thread;
  GError *error;
} EvidenceAside;

static gpointer
evidence_aside_run (gpointer data)
{
  EvidenceAside *a = data;

  ml_thread_lower_priority (EVIDENCE_NICE);
  g_autoptr(MlDb) provider = ml_db_open (a->provider, ML_DB_READONLY, &a->error);
  g_autoptr(MlNamer) names = provider != NULL ? ml_namer_new (provider, a->key, &a->error) : NULL;

  if (names != NULL && fill_evidence (a->bulk, a->ev, names, &a->error))
    {
      g_clear_pointer (&a->bulk, ml_bulk_free);
      if (ml_db_commit (a->db, &a->error))
        ml_db_finish (a->db, &a->error);
    }
  g_clear_pointer (&a->bulk, ml_bulk_free);
  g_clear_pointer (&a->db, ml_db_free);    /* deletes it unless finished */
  return NULL;
}

/* Start writing W's evidence into PATH (created, or replaced) on a thread. */
static gboolean
evidence_aside_start (EvidenceAside *a, Writer *w, const char *provider, const guint8 *key,
                      const char *path, GError **error)
{
  *a = (EvidenceAside) { .ev = w->ev, .provider = provider, .key = key, .path = g_strdup (path) };
  if ((a->db = ml_db_create (path, TRUE, error)) == NULL || !ml_findings_create (a->db, error)
      || !ml_db_begin (a->db, error) || (a->bulk = ml_bulk_new (a->db, "evidence", 8, error)) == NULL)
    {
      g_clear_pointer (&a->db, ml_db_free);
      return FALSE;
    }
  if (w->tee != NULL)
    ml_csv_tee_attach (w->tee, w->db, a->bulk, "evidence", 8);   /* analysis.db has the same columns */
  a->thread = g_thread_new ("metaleak-ev", evidence_aside_run, a);
  return TRUE;
}

/* Wait for A's thread; with OK, copy its table into W's analysis.db (ending
 * W's transaction: ATTACH needs none, and a new one is begun).  The scratch
 * file is deleted in any case. */
static gboolean
evidence_aside_finish (EvidenceAside *a, Writer *w, gboolean ok, GError **error)
{
  if (a->thread != NULL)
    g_thread_join (g_steal_pointer (&a->thread));
  if (ok && a->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&a->error));
      ok = FALSE;
    }
  ok = ok && ml_db_commit (w->db, error) && ml_db_attach (w->db, a->path, "aside", error)
       && ml_db_begin (w->db, error)
       && ml_db_exec (w->db, "INSERT INTO main.evidence SELECT * FROM aside.evidence", error)
       && ml_db_commit (w->db, error) && ml_db_exec (w->db, "DETACH aside", error) && ml_db_begin (w->db, error);
  g_clear_error (&a->error);
  g_unlink (a->path);
  g_clear_pointer (&a->path, g_free);
  return ok;
}

/* Lookups per day in each named target's evidence, with the window. */
static gboolean
write_daily (Writer *w, gint64 target, GError **error)
{
  const GArray *idx = ml_evidence_rows_of (w->ev, target);
  const char *t = ml_namer_get (w->names, target);
  MlDay day = 0;
  gint64 count = 0, window = 0;

  for (guint i = 0; idx != NULL && i <= idx->len; i++)
    {
      const MlEvRow *r = i < idx->len ? &g_array_index (w->ev->rows, MlEvRow, g_array_index (idx, guint, i)) : NULL;
      if (count > 0 && (r == NULL || ml_day_of (r->ts) != day))
        {
          g_autofree char *d = ml_day_format (day);
          if (!ml_row_insert (w->rc, "daily", "Ssii", error, t, d, count, window))
            return FALSE;
          count = 0;
        }
      if (r == NULL)
        break;
      day = ml_day_of (r->ts);
      window = r->window;
      count++;
    }
  return TRUE;
}

static gboolean
write_orders (Writer *w, GError **error)
{
  for (guint i = 0; i < w->ev->targets->len; i++)
    {
      const MlTarget *t = &g_array_index (w->ev->targets, MlTarget, i);
      const char *name = ml_namer_get (w->names, t->handle);
      g_auto(MlWindowSet) covered = { NULL };
      g_auto(MlWindowSet) gaps = { NULL };

      if (!ml_row_insert (w->rc, "targets", "si", error, name, (gint64) t->hop))
        return FALSE;
      for (guint k = 0; k < t->orders->len; k++)
        {
          const MlOrder *o = &g_array_index (t->orders, MlOrder, k);
          if (!ml_row_insert (w->rc, "orders", "siiiiiiii", error, name, (gint64) t->hop, (gint64) o->position,
                              o->served, o->expires, o->nominal.start, o->nominal.end,
                              o->returned.start, o->returned.end))
            return FALSE;
        }
      if (t->hop != 1)
        continue;
      ml_window_set_init (&covered);
      ml_window_set_init (&gaps);
      ml_legal_coverage (t->orders, w->windows, &covered, &gaps, NULL);
      for (guint k = 0; k < covered.w->len; k++)
        if (!ml_row_insert (w->rc, "coverage", "ssii", error, name, "covered",
                            g_array_index (covered.w, MlWindow, k).start, g_array_index (covered.w, MlWindow, k).end))
          return FALSE;
      for (guint k = 0; k < gaps.w->len; k++)
        if (!ml_row_insert (w->rc, "coverage", "ssii", error, name, "gap",
                            g_array_index (gaps.w, MlWindow, k).start, g_array_index (gaps.w, MlWindow, k).end))
          return FALSE;
    }
  return TRUE;
}

static gboolean
write_metrics (Writer *w, GError **error)
{
  ml_metrics_aggregate (w->metrics);
  for (guint i = 0; i < w->metrics->len; i++)
    {
      const MlMetric *m = &g_array_index (w->metrics, MlMetric, i);
      if (!ml_row_insert (w->rc, "metrics", "iSSd", error, (gint64) m->n_windows, m->scope, m->metric, m->value))
        return FALSE;
    }
  return TRUE;
}

/* ---- parameters -------------------------------------------------------- */

static gboolean
put_param (Writer *w, const char *key, const char *value, GError **error)
{
  return ml_row_insert (w->rc, "params", "ss", error, key, value);
}

/* The simulation's identity from RUN/manifest.json, for findings.json;
 * imported runs have none. */
static gboolean
put_manifest_params (Writer *w, const char *manifest, GError **error)
{
  static const char *const keys[] = { "seed", "people", "days", "start" };
  g_autoptr(MlJson) m = g_file_test (manifest, G_FILE_TEST_EXISTS) ? ml_json_load (manifest, NULL) : NULL;
  const char *file;
  g_autofree char *base = NULL;

  if (m == NULL)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const MlJson *v = ml_json_member (m, keys[i]);
      double num;
      g_autofree char *text = ml_json_double (v, &num) ? g_strdup_printf ("%.15g", num)
                                                        : g_strdup (ml_json_text (v));
      if (text != NULL && !put_param (w, keys[i], text, error))
        return FALSE;
    }
  if ((file = ml_json_text (ml_json_member (m, "scenario_file"))) == NULL)
    return TRUE;
  base = g_path_get_basename (file);
  if (g_str_has_suffix (base, ".ini"))
    base[strlen (base) - 4] = '\0';
  return put_param (w, "scenario", base, error);
}

static gboolean
write_params (Writer *w, const MlCase *c, const char *run_dir, gboolean imported, gboolean population,
              guint n_targets, GError **error)
{
  g_autofree char *case_text = ml_case_to_data (c);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_auto(GStrv) groups = NULL;
  g_autofree char *windows = g_strdup_printf ("%d", w->windows);
  g_autofree char *targets = g_strdup_printf ("%u", n_targets);
  g_autofree char *rows = g_strdup_printf ("%u", w->ev->rows->len);
  g_autofree char *manifest = g_build_filename (run_dir, "manifest.json", NULL);

  if (!put_param (w, "run_dir", run_dir, error) || !put_param (w, "windows", windows, error)
      || !put_param (w, "targets", targets, error) || !put_param (w, "evidence_rows", rows, error)
      || !put_param (w, "imported", imported ? "1" : "0", error)
      || !put_param (w, "population", population ? "1" : "0", error)
      || !g_key_file_load_from_data (kf, case_text, (gsize) -1, G_KEY_FILE_NONE, error))
    return FALSE;
  groups = g_key_file_get_groups (kf, NULL);
  for (int g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (kf, groups[g], NULL, NULL);
      for (int k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          g_autofree char *v = g_key_file_get_value (kf, groups[g], keys[k], NULL);
          /* the case's seed draws random targets: keep it apart from the run's */
          const char *name = g_str_equal (keys[k], "seed") ? "case_seed" : keys[k];
          if (!g_str_equal (keys[k], "targets") && !put_param (w, name, v, error))
            return FALSE;
        }
    }
  return put_manifest_params (w, manifest, error);
}

/* ---- the run ----------------------------------------------------------- */

typedef struct {
  const char *run_dir;
  const char *geoip;          /* MaxMind DB used */
  gboolean imported;          /* a real log: pseudonymise unless reveal */
  gboolean cdr;               /* converted from a cdr.db (cdr-analyze.h) */
  gboolean reveal, population, quiet;
  guint threads;
  MlCase *c;
  MlDb *provider;
} Run;

/* Opening the evaluator for the NAMED targets, on a thread of its own. */
typedef struct {
  const Run *r;
  GArray *named;
  MlEvaluator *eval;          /* NULL without truth, or on ERROR */
  GError *error;
} EvaluatorOpen;

static gpointer
open_evaluator (gpointer data)
{
  EvaluatorOpen *eo = data;

  if (!eo->r->imported && ml_evaluator_available (eo->r->run_dir))
    eo->eval = ml_evaluator_open (eo->r->run_dir, eo->named, &eo->error);
  return NULL;
}

/* Every named target's inferences: drawn by workers (infer_target), written
 * in target order by the caller. */
typedef struct {
  TargetOut *out;
  InferJob job;
  MlParallelRun *run;         /* NULL: drawn already, in turn */
} Inference;

/* Start drawing NAMED's inferences.  With more than one thread the workers
 * run in the background, so the caller can write the evidence beside them;
 * with one thread everything runs in turn, here. */
static void
inference_start (Inference *inf, const Run *r, Writer *w, GArray *named)
{
  inf->out = g_new0 (TargetOut, MAX (named->len, 1));
  inf->job = (InferJob) { w->ev, named, inf->out, w->eval, w->windows };
  for (guint i = 0; i < named->len; i++)
    {
      inf->out[i].target = g_array_index (named, gint64, i);
      inf->out[i].name = ml_namer_get (w->names, inf->out[i].target);   /* the namer is not thread-safe */
    }
  if (r->threads > 1)
    inf->run = ml_parallel_start (named->len, r->threads, INFER_NICE, infer_target, &inf->job);
  else
    ml_parallel_for (named->len, 1, infer_target, &inf->job);
}

/* Write each target's rows as soon as it is drawn, then free them; the
 * workers are joined on failure too. */
static gboolean
inference_finish (Inference *inf, Writer *w, gboolean ok, GError **error)
{
  for (guint i = 0; i < inf->job.targets->len; i++)
    {
      if (inf->run != NULL)
        ml_parallel_wait (inf->run, i);
      ok = ok && write_target (w, &inf->out[i], error) && write_daily (w, inf->out[i].target, error);
      target_out_clear (&inf->out[i], w->windows);
    }
  g_clear_pointer (&inf->run, ml_parallel_join);
  g_clear_pointer (&inf->out, g_free);
  return ok;
}

static gboolean
run_population (const Run *r, MlEvaluator *eval, MlDb *db, GError **error)
{
  MlPopResult res;
  gint64 t0 = g_get_monotonic_time ();

  if (!ml_popmode_run (r->c, r->provider, r->geoip, eval, db, &res, error))
    return FALSE;
  g_debug ("population mode: %u people in %.3f s", res.people, (double) (g_get_monotonic_time () - t0) / 1e6);
  return TRUE;
}

/* tables/ and findings.json from the finished DB_PATH. */
static gboolean
write_outputs (const char *db_path, const char *dir, guint threads, MlCsvTee *tee, char ***summary,
               GError **error)
{
  g_autofree char *tables = g_build_filename (dir, "tables", NULL);
  g_autofree char *json = g_build_filename (dir, "findings.json", NULL);
  g_autoptr(MlDb) db = NULL;

  return ml_findings_export_csv (db_path, tables, threads, tee, error)
         && (db = ml_db_open (db_path, ML_DB_READONLY, error)) != NULL
         && ml_findings_write_json (db, json, summary, error);
}

static gboolean
analyse (const Run *r, MlDb *db, MlCsvTee *tee, GError **error)
{
  g_autoptr(GArray) named = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *directory = g_build_filename (r->run_dir, "directory.csv", NULL);
  g_autofree char *keyfile = g_build_filename (r->run_dir, "pseudonym.key", NULL);
  MlEvidenceSources src = { r->geoip, g_file_test (directory, G_FILE_TEST_EXISTS) ? directory : NULL };
  g_autoptr(MlEvidence) ev = NULL;
  g_autoptr(MlEvaluator) eval = NULL;
  g_autoptr(MlNamer) names = NULL;
  g_autoptr(MlRowCache) rc = ml_row_cache_new (db);
  g_autoptr(GArray) metrics = g_array_new (FALSE, FALSE, sizeof (MlMetric));
  guint8 key[32];
  Writer w = { 0 };

  if (tee != NULL)
    ml_row_cache_set_tee (rc, tee);

  gint64 t0 = g_get_monotonic_time ();

  if (!ml_case_resolve_targets (r->c, r->run_dir, r->provider, named, error))
    return FALSE;
  /* the evaluator loads beside the extraction (it reads another file) */
  EvaluatorOpen eo = { r, named, NULL, NULL };
  GThread *opener = r->threads > 1 ? g_thread_new ("metaleak-truth", open_evaluator, &eo) : NULL;
  gboolean found = (ev = ml_evidence_extract (r->c, r->provider, named, &src, error)) != NULL;
  if (found)
    g_debug ("evidence extracted: %u rows for %u targets in %.3f s", ev->rows->len, named->len,
             (double) (g_get_monotonic_time () - t0) / 1e6);
  found = found && (!r->imported || r->reveal || ml_pseudonym_key_ensure (keyfile, key, error))
          && (names = ml_namer_new (r->provider, r->imported && !r->reveal ? key : NULL, error)) != NULL;
  if (opener != NULL)
    g_thread_join (opener);
  else if (found)
    open_evaluator (&eo);
  eval = eo.eval;
  if (!found)
    {
      g_clear_error (&eo.error);
      return FALSE;
    }
  if (eo.error != NULL)
    {
      g_propagate_error (error, eo.error);
      return FALSE;
    }
  phase_done ("evaluator ready", t0);
  w = (Writer) { db, rc, names, ev, eval, metrics, ev->n_windows, tee };
  /* with one thread (--threads 1) everything runs in turn */
  GThread *search = r->threads > 1 ? g_thread_new ("metaleak-hops", search_hops, &w) : NULL;
  Inference inf = { 0 };
  EvidenceAside aside = { 0 };
  g_autofree char *scratch = g_strconcat (ml_db_path (db), ".evidence", NULL);
  gboolean ok = r->threads <= 1
                || evidence_aside_start (&aside, &w, ml_db_path (r->provider),
                                         r->imported && !r->reveal ? key : NULL, scratch, error);
  inference_start (&inf, r, &w, named);
  ok = ok && ml_db_begin (db, error)
       && write_params (&w, r->c, r->run_dir, r->imported, r->population, named->len, error)
       && (!r->cdr || ml_cdr_analyze_put_params (r->provider, rc, error))
       && write_orders (&w, error) && (r->threads > 1 || write_evidence (&w, error));
  phase_done ("orders written", t0);
  ok = inference_finish (&inf, &w, ok, error);
  phase_done ("inferences written", t0);
  if (r->threads > 1)
    ok = evidence_aside_finish (&aside, &w, ok, error);
  phase_done ("evidence written", t0);
  GArray **hops = search != NULL ? g_thread_join (search) : search_hops (&w);   /* joined on failure too */
  ok = ok && write_hops (&w, named, hops, error);
  for (int n = 1; n <= w.windows; n++)
    g_array_unref (hops[n - 1]);
  g_free (hops);
  if (!ok)
    return FALSE;
  if (r->population && !run_population (r, eval, db, error))
    return FALSE;
  if (!write_metrics (&w, error) || !ml_row_cache_flush (rc, error))
    return FALSE;
  phase_done ("metrics written", t0);
  if (!ml_db_commit (db, error))
    return FALSE;
  phase_done ("committed", t0);
  return TRUE;
}

/* ---- the command ------------------------------------------------------- */

static gboolean
parse_args (AnalyzeArgs *a, int *argc, char ***argv, GError **error)
{
  GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &a->case_name, "case file or shipped case name (default: default; cdr for CDR runs)", "CASE" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->sets, "override a case key (repeatable)", "GROUP.KEY=VALUE" },
    { "population", 0, 0, G_OPTION_ARG_NONE, &a->population, "also analyse the whole log (bulk collection)", NULL },
    { "import-log", 0, 0, G_OPTION_ARG_FILENAME, &a->import_log, "build RUN/provider.db from a real log in CSV", "FILE" },
    { "import-cdr", 0, 0, G_OPTION_ARG_FILENAME, &a->import_cdr, "build RUN from call-detail records (a cdr.db of 'metaleak cdr import')", "CDR.db" },
    { "geoip", 0, 0, G_OPTION_ARG_FILENAME, &a->geoip, "MaxMind DB file to geolocate IPs with (default RUN/geo.mmdb)", "FILE" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &a->strict, "make any malformed imported row fatal", NULL },
    { "reveal", 0, 0, G_OPTION_ARG_NONE, &a->reveal, "show real handles of imported logs and CDRs instead of pseudonyms", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out, "output directory (default RUN/cases/NAME)", "DIR" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &a->force, "replace an existing output directory", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &a->threads, "worker threads (0: one per core)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "no progress output", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("RUN - what the lookup log reveals under a legal case");

  a->threads = 0;
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, "Shipped cases: default, journalist, late-renewal, bulk, and cdr\n"
                                         "(the default for runs made with --import-cdr).\n"
                                         "See metaleak-analyze(1), docs/analyze/ and docs/cdr.md.");
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (a->import_log != NULL && a->import_cdr != NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "--import-log and --import-cdr cannot be combined");
      return FALSE;
    }
  if (*argc != 2)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, *argc < 2 ? "analyze needs a RUN directory"
                                                             : "unexpected argument '%s'", (*argv)[*argc - 1]);
      return FALSE;
    }
  return TRUE;
}

static MlCase *
load_case (const AnalyzeArgs *a, gboolean cdr, GError **error)
{
  const char *fallback = cdr ? ML_CDR_ANALYZE_CASE : "default";
  g_autofree char *path = ml_datadir_resolve ("cases", a->case_name ? a->case_name : fallback, error);

  if (path == NULL)
    return NULL;
  return ml_case_load (path, (const char *const *) a->sets, error);
}

static MlDb *
open_provider (const char *run_dir, GError **error)
{
  g_autofree char *path = g_build_filename (run_dir, "provider.db", NULL);
  g_autoptr(MlDb) db = NULL;

  if (g_file_test (run_dir, G_FILE_TEST_IS_REGULAR) && ml_cdr_analyze_is_cdr_db (run_dir))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "%s: a cdr.db, not a run directory; "
                   "analyse it with 'metaleak analyze RUN --import-cdr %s'", run_dir, run_dir);
      return NULL;
    }
  if (!g_file_test (run_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_INPUT, "%s: no such run directory", run_dir);
      return NULL;
    }
  if ((db = ml_db_open (path, ML_DB_READONLY, error)) == NULL
      || !ml_db_check_schema (db, ML_SCHEMA_PROVIDER, ML_SCHEMA_PROVIDER_VERSION, error))
    return NULL;
  return g_steal_pointer (&db);
}

static void
print_summary (char **summary, const char *dir)
{
  printf ("metaleak analyze: results in %s\n", dir);
  for (int i = 0; summary != NULL && summary[i] != NULL; i++)
    printf ("  - %s\n", summary[i]);
}

/* Analyse into the temporary output directory, then publish it. */
static gboolean
analyse_into (Run *r, const char *final, gboolean force, char ***summary, GError **error)
{
  g_autoptr(MlOutDir) out = ml_outdir_begin (final, force, error);
  g_autofree char *dbpath = NULL, *tables = NULL;
  g_autoptr(MlDb) db = NULL;
  g_autoptr(MlCsvTee) tee = NULL;

  if (out == NULL)
    return FALSE;
  dbpath = ml_outdir_file (out, "analysis.db");
  tables = g_build_filename (ml_outdir_path (out), "tables", NULL);
  if (g_mkdir_with_parents (tables, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create directory: %s", tables, g_strerror (errno));
      return FALSE;
    }
  /* with a second core, tables/ is formatted while the analysis is written */
  if (r->threads > 1)
    tee = ml_csv_tee_new (tables);
  gint64 t0 = g_get_monotonic_time ();
  if ((db = ml_db_create (dbpath, FALSE, error)) == NULL || !ml_findings_create (db, error)
      || !analyse (r, db, tee, error) || !ml_db_finish (db, error))
    return FALSE;
  ml_csv_tee_finish (tee);
  phase_done ("analysis.db closed, tables streamed", t0);
  if (!write_outputs (dbpath, ml_outdir_path (out), r->threads, tee, summary, error))
    return FALSE;
  phase_done ("tables and findings.json written", t0);
  if (!ml_check_interrupted (error) || !ml_outdir_commit (out, error))
    return FALSE;
  phase_done ("output directory published", t0);
  return TRUE;
}

gboolean
ml_analyze_main (int argc, char **argv, GError **error)
{
  g_auto(AnalyzeArgs) a = { 0 };
  g_autoptr(MlCase) c = NULL;
  g_autoptr(MlDb) provider = NULL;
  g_autofree char *geo = NULL;
  g_autofree char *final = NULL;
  g_autofree char *manifest = NULL;
  g_auto(GStrv) summary = NULL;
  Run r = { 0 };

  if (!parse_args (&a, &argc, &argv, error))
    return FALSE;
  r.run_dir = argv[1];
  ml_progress_set_quiet (a.quiet);
  if (a.import_log != NULL && !ml_importlog_run (a.import_log, r.run_dir, a.strict, error))
    return FALSE;
  if (a.import_cdr != NULL && !ml_cdr_analyze_import (a.import_cdr, r.run_dir, NULL, error))
    return FALSE;
  if ((provider = open_provider (r.run_dir, error)) == NULL)
    return FALSE;
  r.cdr = ml_cdr_analyze_is_cdr_run (provider);
  if ((c = load_case (&a, r.cdr, error)) == NULL
      || (r.cdr && !ml_cdr_analyze_prepare_case (c, r.run_dir, provider, error)))
    return FALSE;
  manifest = g_build_filename (r.run_dir, "manifest.json", NULL);
  geo = a.geoip ? g_strdup (a.geoip) : g_build_filename (r.run_dir, "geo.mmdb", NULL);
  r.geoip = g_file_test (geo, G_FILE_TEST_EXISTS) ? geo : NULL;
  r.imported = a.import_log != NULL || r.cdr || !g_file_test (manifest, G_FILE_TEST_EXISTS);
  r.reveal = a.reveal;
  r.population = a.population;
  r.quiet = a.quiet;
  r.threads = a.threads > 0 ? (guint) a.threads : ml_parallel_default_threads ();
  r.c = c;
  r.provider = provider;
  final = a.out ? g_strdup (a.out) : g_build_filename (r.run_dir, "cases", c->name, NULL);
  if (!analyse_into (&r, final, a.force, &summary, error))
    return FALSE;
  if (!a.quiet)
    print_summary (summary, final);
  return TRUE;
}
