/* manifest.c -- manifest.json: what a simulation run is and how to check it.
 *
 * Hand-written JSON (no JSON library in the dependency list): objects are
 * emitted in a fixed key order so the manifest of two identical runs
 * differs only in wall_seconds.  Called once per run.
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "common/db.h"
#include "common/errors.h"
#include "common/outdir.h"
#include "sim/handles.h"
#include "common/json.h"
#include "common/parallel.h"
#include "sim/manifest.h"
#include "sim/traffic.h"

static void
append_counts (GString *j, const MlSimCounts *c)
{
  g_string_append_printf (j,
    "  \"rows\": {\n"
    "    \"provider.lookups\": %" G_GUINT64_FORMAT ",\n"
    "    \"provider.handles\": %" G_GUINT64_FORMAT ",\n"
    "    \"provider.ips\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.people\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.households\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.places\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.ties\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.services\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.stays\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.trips\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.messages_daily\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.messages\": %" G_GUINT64_FORMAT ",\n"
    "    \"truth.service_contacts\": %" G_GUINT64_FORMAT "\n"
    "  },\n",
    c->lookups, c->handles, c->ips, c->people, c->households, c->places, c->ties,
    c->services, c->stays, c->trips, c->message_pairs, c->messages, c->service_contacts);
  g_string_append (j, "  \"lookups_by_cause\": {");
  for (int i = 0; i < ML_N_CAUSES; i++)
    g_string_append_printf (j, "%s\"%s\": %" G_GUINT64_FORMAT, i ? ", " : "",
                            ml_cause_name ((MlCause) i), c->causes[i]);
  g_string_append (j, "},\n");
}

static void
append_cast (GString *j, const MlWorld *w)
{
  char buf[ML_HANDLE_MAX];

  g_string_append (j, "  \"cast\": {");
  for (guint32 i = 0; i < w->n_cast; i++)
    {
      g_string_append (j, i ? ", " : "");
      ml_json_string (j, w->cast[i].name);
      g_string_append (j, ": ");
      ml_json_string (j, ml_handle_format (ml_person_handle_id (w, w->cast[i].person), buf));
    }
  g_string_append (j, "},\n");
}

static const char *const manifest_files[] = { "provider.db", "geo.mmdb", "directory.csv", "truth.db",
                                              "calibration.json" };
#define N_MANIFEST_FILES G_N_ELEMENTS (manifest_files)

typedef struct {
  const char *dir;
  const MlSimCounts *counts;       /* the databases' sums, hashed by the writer */
  char *sum[N_MANIFEST_FILES];     /* NULL: absent, or failed (error set) */
  gint64 bytes[N_MANIFEST_FILES];
  GError *error[N_MANIFEST_FILES];
} Sums;

/* Hash file I (the two databases, hundreds of MB each, on their own threads). */
static void
sum_file (guint i, gpointer data)
{
  Sums *s = data;
  g_autofree char *path = g_build_filename (s->dir, manifest_files[i], NULL);
  GStatBuf st;

  const char *known = g_str_equal (manifest_files[i], "provider.db") ? s->counts->provider_sha256
                      : g_str_equal (manifest_files[i], "truth.db") ? s->counts->truth_sha256 : "";

  if (g_stat (path, &st) != 0)
    return;
  s->bytes[i] = (gint64) st.st_size;
  s->sum[i] = known[0] != '\0' ? g_strdup (known) : ml_sha256_file (path, &s->error[i]);
}

static gboolean
append_files (GString *j, const char *dir, const MlSimCounts *counts, GError **error)
{
  Sums s = { .dir = dir, .counts = counts };
  gboolean first = TRUE, ok = TRUE;

  ml_parallel_for (N_MANIFEST_FILES, ml_parallel_default_threads (), sum_file, &s);
  g_string_append (j, "  \"files\": {");
  for (gsize i = 0; i < N_MANIFEST_FILES; i++)
    {
      if (s.error[i] != NULL && ok)
        {
          g_propagate_error (error, g_steal_pointer (&s.error[i]));
          ok = FALSE;
        }
      g_clear_error (&s.error[i]);
      if (ok && s.sum[i] != NULL)
        {
          g_string_append_printf (j, "%s\n    \"%s\": {\"bytes\": %" G_GINT64_FORMAT ", \"sha256\": \"%s\"}",
                                  first ? "" : ",", manifest_files[i], s.bytes[i], s.sum[i]);
          first = FALSE;
        }
      g_free (s.sum[i]);
    }
  g_string_append (j, "\n  },\n");
  return ok;
}

gboolean
ml_manifest_write (const MlWorld *w, const MlSimOptions *opts, const MlSimCounts *counts,
                   const char *dir, double wall_s, GError **error)
{
  const MlScenario *sc = w->sc;
  g_autoptr(GString) j = g_string_new ("{\n");
  g_autofree char *scenario = ml_scenario_to_data (sc);
  g_autofree char *start = ml_day_format (sc->start);
  g_autofree char *end = ml_day_format (sc->start + sc->days);
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);
  struct rusage ru;

  g_string_append (j, "  \"tool\": \"metaleak\",\n  \"version\": ");
  ml_json_string (j, PACKAGE_VERSION);
  g_string_append (j, ",\n  \"sqlite\": ");
  ml_json_string (j, ml_db_sqlite_version ());
  g_string_append (j, ",\n  \"scenario_file\": ");
  ml_json_string (j, opts->scenario_path);
  g_string_append_printf (j, ",\n  \"seed\": %" G_GUINT64_FORMAT ",\n  \"people\": %u,\n  \"days\": %d,\n",
                          sc->seed, sc->people, sc->days);
  g_string_append_printf (j, "  \"start\": \"%s\",\n  \"end\": \"%s\",\n", start, end);
  append_counts (j, counts);
  append_cast (j, w);
  if (!append_files (j, dir, counts, error))
    return FALSE;
  getrusage (RUSAGE_SELF, &ru);
  g_string_append_printf (j, "  \"threads\": %d,\n  \"wall_seconds\": %.3f,\n  \"peak_rss_kb\": %ld,\n  \"scenario\": ",
                          sc->threads, wall_s, (long) ru.ru_maxrss);
  ml_json_string (j, scenario);
  g_string_append (j, "\n}\n");
  return ml_write_file_atomic (path, j->str, (gssize) j->len, error);
}

gboolean
ml_directory_write (const MlWorld *w, const char *dir, GError **error)
{
  g_autoptr(GString) csv = g_string_new ("handle,name,category,sensitive\n");
  g_autofree char *path = g_build_filename (dir, "directory.csv", NULL);
  guint32 seq[ML_N_CATEGORIES] = { 0 };
  char buf[ML_HANDLE_MAX];

  for (guint32 i = 0; i < w->n_services; i++)
    {
      MlCategory c = (MlCategory) w->services[i].category;
      g_string_append_printf (csv, "%s,%s %u,%s,%d\n",
                              ml_handle_format (ml_service_handle_id (w, i), buf),
                              ml_category_name (c), ++seq[c], ml_category_name (c),
                              ml_category_is_sensitive (c) ? 1 : 0);
    }
  return ml_write_file_atomic (path, csv->str, (gssize) csv->len, error);
}
