/* sim.c -- `metaleak sim`: the driver of the simulation.
 *
 * Builds the world, then runs day by day: (1) every person's stays,
 * (2) messages initiated and replies drawn, (3) the events regrouped by
 * sender, (4) each sender's lookups, pair counts and service contacts; the
 * day's rows go to the writer thread while the next day is generated.
 * Phases run over fixed chunks of people (common/parallel.h): the result is
 * the same for any thread count.  Memory is O(people + ties) plus one or
 * two days of events.  Output appears complete or not at all
 * (common/outdir.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/datadir.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "sim/calibration.h"
#include "sim/export.h"
#include "sim/manifest.h"
#include "sim/mobility.h"
#include "sim/network.h"
#include "sim/sim.h"
#include "sim/traffic.h"
#include "sim/world.h"
#include "sim/writer.h"

#define CHUNK 2048                 /* people per chunk: fixed, so output never depends on threads */

typedef struct {
  GArray *stays;                   /* MlStay of the chunk's people, in person order */
  GArray *events;                  /* MlMsgEvent drawn by the chunk's people */
  GArray *lookups, *pairs, *contacts, *messages;
  GArray *export;                  /* MlExportRec, with --export bandicoot */
} Chunk;

typedef struct {
  const MlWorld *w;
  const MlScenario *sc;
  MlMobility *mobility;
  MlTraffic *traffic;
  MlDay day;
  guint n_chunks;
  Chunk *chunks;
  guint32 *stay_first;             /* per person: index of the first stay in its chunk */
  guint32 *stay_count;
  MlMsgEvent *by_sender;           /* the day's events grouped by sender */
  guint64 *sender_offset;          /* people + 1 */
  gboolean export;                 /* build bandicoot records */
} Day;

static void
chunk_range (const Day *d, guint c, guint32 *lo, guint32 *hi)
{
  *lo = c * CHUNK;
  *hi = MIN (d->w->n_people, (c + 1) * CHUNK);
}

static const MlStay *
stays_of (const Day *d, guint32 p, guint *n)
{
  const Chunk *ch = &d->chunks[p / CHUNK];
  *n = d->stay_count[p];
  return &g_array_index (ch->stays, MlStay, d->stay_first[p]);
}

static void
phase_stays (guint c, gpointer data)
{
  Day *d = data;
  Chunk *ch = &d->chunks[c];
  guint32 lo, hi;

  chunk_range (d, c, &lo, &hi);
  g_array_set_size (ch->stays, 0);
  for (guint32 p = lo; p < hi; p++)
    {
      d->stay_first[p] = ch->stays->len;
      ml_mobility_day (d->mobility, d->w, p, d->day, ch->stays);
      d->stay_count[p] = ch->stays->len - d->stay_first[p];
    }
}

static void
phase_messages (guint c, gpointer data)
{
  Day *d = data;
  Chunk *ch = &d->chunks[c];
  guint32 lo, hi;

  chunk_range (d, c, &lo, &hi);
  g_array_set_size (ch->events, 0);
  for (guint32 p = lo; p < hi; p++)
    {
      guint n;
      const MlStay *s = stays_of (d, p, &n);
      ml_traffic_messages (d->traffic, d->w, p, d->day, s, n, ch->events);
    }
}

/* Counting sort of every chunk's events by sender, chunks in order. */
static void
group_by_sender (Day *d)
{
  guint32 n = d->w->n_people;
  guint64 total = 0;
  g_autofree guint64 *fill = NULL;

  memset (d->sender_offset, 0, (n + 1) * sizeof (guint64));
  for (guint c = 0; c < d->n_chunks; c++)
    for (guint i = 0; i < d->chunks[c].events->len; i++)
      d->sender_offset[g_array_index (d->chunks[c].events, MlMsgEvent, i).sender + 1]++;
  for (guint32 p = 0; p < n; p++)
    d->sender_offset[p + 1] += d->sender_offset[p];
  total = d->sender_offset[n];
  d->by_sender = g_renew (MlMsgEvent, d->by_sender, MAX (total, 1));
  fill = g_memdup2 (d->sender_offset, n * sizeof (guint64));
  for (guint c = 0; c < d->n_chunks; c++)
    for (guint i = 0; i < d->chunks[c].events->len; i++)
      {
        const MlMsgEvent *ev = &g_array_index (d->chunks[c].events, MlMsgEvent, i);
        d->by_sender[fill[ev->sender]++] = *ev;
      }
}

static int
compare_events (gconstpointer pa, gconstpointer pb)
{
  const MlMsgEvent *a = pa, *b = pb;

  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  if (a->recipient != b->recipient)
    return a->recipient < b->recipient ? -1 : 1;
  return (int) a->reply - (int) b->reply;
}

static void
keep_messages (const Day *d, const MlMsgEvent *ev, guint n, GArray *out)
{
  for (guint i = 0; i < n; i++)
    {
      MlMessageRow m = { ev[i].ts, ev[i].sender, ev[i].recipient,
                         d->w->people[ev[i].sender].imessage && d->w->people[ev[i].recipient].imessage };
      g_array_append_val (out, m);
    }
}

/* Both sides' bandicoot records of every message in EV[0..N). */
static void
export_records (const Day *d, const MlMsgEvent *ev, guint n, GArray *out)
{
  for (guint i = 0; i < n; i++)
    {
      guint ns, nr;
      const MlStay *ss = stays_of (d, ev[i].sender, &ns);
      const MlStay *sr = stays_of (d, ev[i].recipient, &nr);
      MlExportRec o = { ev[i].ts, ev[i].sender, ev[i].recipient, ml_bandicoot_antenna (d->w, ss, ns, ev[i].ts), 1 };
      MlExportRec r = { ev[i].ts, ev[i].recipient, ev[i].sender, ml_bandicoot_antenna (d->w, sr, nr, ev[i].ts), 0 };
      g_array_append_val (out, o);
      g_array_append_val (out, r);
    }
}

static void
phase_lookups (guint c, gpointer data)
{
  Day *d = data;
  Chunk *ch = &d->chunks[c];
  guint32 lo, hi;

  chunk_range (d, c, &lo, &hi);
  for (guint32 p = lo; p < hi; p++)
    {
      guint n_stays;
      const MlStay *s = stays_of (d, p, &n_stays);
      MlMsgEvent *ev = d->by_sender + d->sender_offset[p];
      guint n = (guint) (d->sender_offset[p + 1] - d->sender_offset[p]);

      qsort (ev, n, sizeof *ev, compare_events);
      if (d->sc->messages_full)
        keep_messages (d, ev, n, ch->messages);
      if (d->export)
        export_records (d, ev, n, ch->export);
      ml_traffic_lookups (d->traffic, d->w, p, d->day, ev, n, s, n_stays,
                          ch->lookups, ch->pairs, ch->contacts);
    }
}

static gboolean
is_routine_place (const MlWorld *w, guint32 p, guint32 place)
{
  const MlPerson *person = &w->people[p];
  return place == w->households[person->household].home_place || place == person->work_place;
}

/* Move the chunks' rows into a batch for the writer, in chunk order.
 * Truth keeps stays at places; time in transit between places is not
 * stored (it is the gap between two stays). */
static MlDayBatch *
collect_batch (Day *d, const MlMobility *m, MlSimWriter *wr)
{
  MlDayBatch *b = ml_sim_writer_batch (wr, d->day);
  const MlWorld *w = d->w;

  for (guint c = 0; c < d->n_chunks; c++)
    {
      Chunk *ch = &d->chunks[c];
      g_array_append_vals (b->lookups, ch->lookups->data, ch->lookups->len);
      g_array_append_vals (b->pairs, ch->pairs->data, ch->pairs->len);
      g_array_append_vals (b->contacts, ch->contacts->data, ch->contacts->len);
      g_array_append_vals (b->messages, ch->messages->data, ch->messages->len);
      g_array_set_size (ch->lookups, 0);
      g_array_set_size (ch->pairs, 0);
      g_array_set_size (ch->contacts, 0);
      g_array_set_size (ch->messages, 0);
    }
  for (guint32 p = 0; p < w->n_people; p++)
    {
      guint n;
      const MlStay *s = stays_of (d, p, &n);
      for (guint i = 0; i < n; i++)
        if (s[i].place != ML_NONE && (d->sc->stays_all || !is_routine_place (w, p, s[i].place)))
          {
            MlTruthStay t = { p, s[i].place, s[i].city, 0, s[i].start, s[i].end };
            g_array_append_val (b->stays, t);
          }
      if (ml_mobility_on_trip (m, w, p, d->day))
        {
          MlTripDay t = { p, s[0].city };
          g_array_append_val (b->trip_days, t);
        }
    }
  return b;
}

static void
day_init (Day *d, const MlWorld *w, MlMobility *m, MlTraffic *t)
{
  d->w = w;
  d->sc = w->sc;
  d->mobility = m;
  d->traffic = t;
  d->n_chunks = (w->n_people + CHUNK - 1) / CHUNK;
  d->chunks = g_new0 (Chunk, d->n_chunks);
  for (guint c = 0; c < d->n_chunks; c++)
    {
      d->chunks[c].stays = g_array_new (FALSE, FALSE, sizeof (MlStay));
      d->chunks[c].events = g_array_new (FALSE, FALSE, sizeof (MlMsgEvent));
      d->chunks[c].lookups = g_array_new (FALSE, FALSE, sizeof (MlLookupRow));
      d->chunks[c].pairs = g_array_new (FALSE, FALSE, sizeof (MlPairCount));
      d->chunks[c].contacts = g_array_new (FALSE, FALSE, sizeof (MlServiceContact));
      d->chunks[c].messages = g_array_new (FALSE, FALSE, sizeof (MlMessageRow));
      d->chunks[c].export = g_array_new (FALSE, FALSE, sizeof (MlExportRec));
    }
  d->stay_first = g_new0 (guint32, w->n_people);
  d->stay_count = g_new0 (guint32, w->n_people);
  d->sender_offset = g_new0 (guint64, w->n_people + 1);
}

static void
day_clear (Day *d)
{
  for (guint c = 0; c < d->n_chunks; c++)
    {
      g_array_unref (d->chunks[c].stays);
      g_array_unref (d->chunks[c].events);
      g_array_unref (d->chunks[c].lookups);
      g_array_unref (d->chunks[c].pairs);
      g_array_unref (d->chunks[c].contacts);
      g_array_unref (d->chunks[c].messages);
      g_array_unref (d->chunks[c].export);
    }
  g_free (d->chunks);
  g_free (d->stay_first);
  g_free (d->stay_count);
  g_free (d->sender_offset);
  g_free (d->by_sender);
}

static guint
thread_count (const MlScenario *sc)
{
  return sc->threads > 0 ? (guint) sc->threads : ml_parallel_default_threads ();
}

/* Hand the chunks' bandicoot records of the day to BC. */
static gboolean
export_day (Day *d, MlBandicoot *bc, GError **error)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (MlExportRec));

  if (bc == NULL)
    return TRUE;
  for (guint c = 0; c < d->n_chunks; c++)
    {
      g_array_append_vals (all, d->chunks[c].export->data, d->chunks[c].export->len);
      g_array_set_size (d->chunks[c].export, 0);
    }
  return ml_bandicoot_add_day (bc, all, error);
}

/* Generate every day into WR (and BC, when exporting). */
static gboolean
run_days (const MlWorld *w, MlSimWriter *wr, MlBandicoot *bc, GError **error)
{
  const MlScenario *sc = w->sc;
  g_autoptr(MlMobility) m = ml_mobility_new (w);
  g_autoptr(MlTraffic) t = ml_traffic_new (w, error);
  g_autoptr(MlProgress) progress = NULL;
  guint threads = thread_count (sc);
  guint64 rows = 0;
  Day d = { 0 };
  gboolean ok = TRUE;

  if (t == NULL)
    return FALSE;
  progress = ml_progress_new ("sim", (guint64) sc->days, "days");
  day_init (&d, w, m, t);
  d.export = bc != NULL;
  for (int i = 0; ok && i < sc->days; i++)
    {
      MlDayBatch *batch;
      d.day = sc->start + i;
      ml_parallel_for (d.n_chunks, threads, phase_stays, &d);
      ml_parallel_for (d.n_chunks, threads, phase_messages, &d);
      group_by_sender (&d);
      ml_parallel_for (d.n_chunks, threads, phase_lookups, &d);
      batch = collect_batch (&d, m, wr);
      rows += batch->lookups->len;
      ok = ml_check_interrupted (error) && ml_sim_writer_push (wr, batch, error)
           && export_day (&d, bc, error);
      ml_progress_update (progress, (guint64) i + 1, rows);
    }
  ml_progress_finish (progress);
  day_clear (&d);
  return ok;
}

gboolean
ml_sim_run (const MlScenario *sc, const MlSimOptions *opts, GError **error)
{
  g_autoptr(MlOutDir) out = NULL;
  g_autoptr(MlWorld) w = NULL;
  g_autoptr(MlSimWriter) wr = NULL;
  g_autoptr(MlBandicoot) bc = NULL;
  g_autofree char *geo = NULL;
  MlSimCounts counts = { 0 };
  gint64 t0 = g_get_monotonic_time ();

  ml_progress_set_quiet (opts->quiet);
  if ((out = ml_outdir_begin (opts->out, opts->force, error)) == NULL)
    return FALSE;
  if ((w = ml_world_new (sc, error)) == NULL)
    return FALSE;
  g_debug ("world built: %.2f s", (double) (g_get_monotonic_time () - t0) / 1e6);
  geo = ml_outdir_file (out, "geo.mmdb");
  if (!ml_network_write_geoip (w, geo, (guint64) ml_day_start (sc->start), error)
      || !ml_directory_write (w, ml_outdir_path (out), error))
    return FALSE;
  if ((wr = ml_sim_writer_new (w, ml_outdir_path (out), error)) == NULL)
    return FALSE;
  if (opts->export_bandicoot != NULL
      && (bc = ml_bandicoot_new (w, opts->export_bandicoot, opts->force, error)) == NULL)
    return FALSE;
  if (!run_days (w, wr, bc, error))
    return FALSE;
  g_debug ("days generated: %.2f s", (double) (g_get_monotonic_time () - t0) / 1e6);
  if (!ml_sim_writer_finish (wr, &counts, error))
    return FALSE;
  g_debug ("databases finished: %.2f s", (double) (g_get_monotonic_time () - t0) / 1e6);
  if (opts->calibration && !ml_calibration_write (w, ml_outdir_path (out), error))
    return FALSE;
  if (!ml_manifest_write (w, opts, &counts, ml_outdir_path (out),
                          (double) (g_get_monotonic_time () - t0) / 1e6, error))
    return FALSE;
  return ml_check_interrupted (error) && ml_outdir_commit (out, error)
         && (bc == NULL || ml_bandicoot_finish (bc, error));
}

/* ---- the command ------------------------------------------------------- */

typedef struct {
  char *scenario, *out, *start, *messages, *export;
  gint64 people, days, seed, threads;
  char **sets;
  gboolean force, quiet, calibration, list_keys;
} SimArgs;

static void
sim_args_clear (SimArgs *a)
{
  g_free (a->scenario);
  g_free (a->out);
  g_free (a->start);
  g_free (a->messages);
  g_free (a->export);
  g_strfreev (a->sets);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SimArgs, sim_args_clear)

static gboolean
parse_args (SimArgs *a, int *argc, char ***argv, GError **error)
{
  GOptionEntry entries[] = {
    { "scenario", 's', 0, G_OPTION_ARG_STRING, &a->scenario, "scenario name or file", "NAME|FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out, "output directory (default runs/SCENARIO)", "DIR" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &a->force, "replace an existing output directory", NULL },
    { "people", 0, 0, G_OPTION_ARG_INT64, &a->people, "population size", "N" },
    { "days", 0, 0, G_OPTION_ARG_INT64, &a->days, "days to simulate", "N" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &a->start, "first day", "YYYY-MM-DD" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &a->seed, "master seed", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &a->threads, "worker threads (0: one per core)", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->sets, "override any key (repeatable)", "GROUP.KEY=VALUE" },
    { "messages", 0, 0, G_OPTION_ARG_STRING, &a->messages, "daily pair counts or every message", "daily|full" },
    { "calibration", 0, 0, G_OPTION_ARG_NONE, &a->calibration, "write calibration.json", NULL },
    { "export", 0, 0, G_OPTION_ARG_STRING, &a->export, "also write every message as bandicoot records (--export bandicoot DIR)", "bandicoot:DIR" },
    { "list-keys", 0, 0, G_OPTION_ARG_NONE, &a->list_keys, "list every scenario key and exit", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "no progress bar", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[SCENARIO] - generate a population and its lookup log");

  a->people = a->days = a->seed = a->threads = -1;
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, "Shipped scenarios: demo, classroom, journalist, town, city.\n"
                                         "See metaleak-sim(1) and docs/model.md.");
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (*argc > 2 || (*argc == 2 && a->scenario != NULL))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "unexpected argument '%s'", (*argv)[*argc - 1]);
      return FALSE;
    }
  if (*argc == 2)
    a->scenario = g_strdup ((*argv)[1]);
  return TRUE;
}

/* The CLI knobs as "group.key=value" overrides, --set ones last. */
static GPtrArray *
overrides_from_args (const SimArgs *a)
{
  GPtrArray *o = g_ptr_array_new_with_free_func (g_free);

  if (a->people >= 0)
    g_ptr_array_add (o, g_strdup_printf ("run.people=%" G_GINT64_FORMAT, a->people));
  if (a->days >= 0)
    g_ptr_array_add (o, g_strdup_printf ("run.days=%" G_GINT64_FORMAT, a->days));
  if (a->seed >= 0)
    g_ptr_array_add (o, g_strdup_printf ("run.seed=%" G_GINT64_FORMAT, a->seed));
  if (a->threads >= 0)
    g_ptr_array_add (o, g_strdup_printf ("run.threads=%" G_GINT64_FORMAT, a->threads));
  if (a->start != NULL)
    g_ptr_array_add (o, g_strdup_printf ("run.start=%s", a->start));
  if (a->messages != NULL)
    g_ptr_array_add (o, g_strdup_printf ("run.messages=%s", a->messages));
  for (char **s = a->sets; s != NULL && *s != NULL; s++)
    g_ptr_array_add (o, g_strdup (*s));
  g_ptr_array_add (o, NULL);
  return o;
}

static void
list_keys (void)
{
  gsize n;
  const MlConfigSpec *spec = ml_scenario_spec (&n);

  for (gsize i = 0; i < n; i++)
    printf ("[%s] %s = %s\n    %s\n", spec[i].group, spec[i].key,
            spec[i].default_value ? spec[i].default_value : "(required)", spec[i].help ? spec[i].help : "");
}

static char *
default_out (const char *scenario)
{
  g_autofree char *base = NULL;
  g_autofree char *stem = NULL;

  if (scenario == NULL)
    return g_strdup ("runs/default");
  base = g_path_get_basename (scenario);
  stem = g_str_has_suffix (base, ".ini") ? g_strndup (base, strlen (base) - 4) : g_strdup (base);
  return g_build_filename ("runs", stem, NULL);
}

/* Accept the documented `--export bandicoot DIR` (three words) by joining
 * them into `--export=bandicoot:DIR` before option parsing.  Returns a new
 * vector (strings borrowed from ARGV, joined ones owned by OWNED); *ARGC_OUT
 * gets its length. */
static char **
join_export_words (int argc, char **argv, int *argc_out, GPtrArray *owned)
{
  GPtrArray *v = g_ptr_array_new ();

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--export") && i + 2 < argc && argv[i + 2][0] != '-')
        {
          char *joined = g_strdup_printf ("--export=%s:%s", argv[i + 1], argv[i + 2]);
          g_ptr_array_add (owned, joined);
          g_ptr_array_add (v, joined);
          i += 2;
          continue;
        }
      g_ptr_array_add (v, argv[i]);
    }
  *argc_out = (int) v->len;
  g_ptr_array_add (v, NULL);
  return (char **) g_ptr_array_free (v, FALSE);
}

static gboolean
check_export (const SimArgs *a, GError **error)
{
  if (a->export == NULL)
    return TRUE;
  if (!g_str_has_prefix (a->export, "bandicoot:") || a->export[strlen ("bandicoot:")] == '\0')
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE,
                   "--export takes 'bandicoot DIR' (the only export format), got '%s'", a->export);
      return FALSE;
    }
  return TRUE;
}

gboolean
ml_sim_main (int argc, char **argv, GError **error)
{
  g_auto(SimArgs) a = { 0 };
  g_autoptr(GPtrArray) overrides = NULL;
  g_autoptr(MlScenario) sc = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  MlSimOptions opts = { 0 };

  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autofree char **args = join_export_words (argc, argv, &argc, owned);

  if (!parse_args (&a, &argc, &args, error) || !check_export (&a, error))
    return FALSE;
  if (a.list_keys)
    {
      list_keys ();
      return TRUE;
    }
  if (a.scenario != NULL && (path = ml_datadir_resolve ("scenarios", a.scenario, error)) == NULL)
    return FALSE;
  overrides = overrides_from_args (&a);
  if ((sc = ml_scenario_load (path, (const char *const *) overrides->pdata, error)) == NULL)
    return FALSE;
  out = a.out != NULL ? g_strdup (a.out) : default_out (a.scenario);
  opts.out = out;
  opts.force = a.force;
  opts.quiet = a.quiet;
  opts.calibration = a.calibration;
  opts.scenario_path = path;
  opts.export_bandicoot = a.export != NULL ? strchr (a.export, ':') + 1 : NULL;
  if (!ml_sim_run (sc, &opts, error))
    return FALSE;
  if (!a.quiet)
    printf ("metaleak: simulation written to %s\n", out);
  return TRUE;
}
