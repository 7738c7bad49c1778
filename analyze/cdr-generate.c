/* cdr-generate.c -- a deterministic synthetic CDR dataset in bandicoot's layout.
 *
 * For bench/cdr (`metaleak cdr generate`, a hidden verb): N users, each
 * with M records over about eight weeks from Monday 2012-01-02, written as
 * DIR/records/uNNNNN.csv plus DIR/antennas.csv (200 antennas around
 * Boston).  Each user has a home antenna (most night records), a work
 * antenna (most weekday daytime records) and a few others; 40 contacts, a
 * third of them outside the dataset, the rest other users (so that
 * --network finds correspondents); 40 % calls (1-1000 s), 60 % texts,
 * 40 % outgoing.  Not a behavioural model: a load with the shape of real
 * CDRs, identical for a given seed on every machine (common/rng.h streams
 * named by (seed, user)).
 *
 * Workload: 10^6 rows in about a second; one GString per user.
 */

#include <glib/gstdio.h>

#include "analyze/cdr.h"
#include "common/errors.h"
#include "common/rng.h"
#include "common/timeutil.h"

#define N_ANTENNAS 200
#define N_CONTACTS 40
#define START_DAY 15341   /* 2012-01-02, a Monday */
#define SPAN_SECONDS (56 * 86400)

static gboolean
write_antennas (const char *dir, guint64 seed, GError **error)
{
  g_autoptr(GString) s = g_string_new ("antenna_id,latitude,longitude\n");
  g_autofree char *path = g_build_filename (dir, "antennas.csv", NULL);
  MlRng rng;

  ml_rng_init (&rng, seed, 0xA27E, 0, 0);
  for (int a = 0; a < N_ANTENNAS; a++)
    g_string_append_printf (s, "%d,%.6f,%.6f\n", 1000 + a, 42.36 + ml_rng_range (&rng, -0.1, 0.1),
                            -71.06 + ml_rng_range (&rng, -0.1, 0.1));
  return g_file_set_contents (path, s->str, (gssize) s->len, error);
}

static void
append_record (GString *s, MlRng *rng, gint64 t, const char *contact, int antenna)
{
  char when[32];
  int y, m, d, sec = ml_second_of_day (t);
  gboolean call = ml_rng_bernoulli (rng, 0.4);
  gboolean out = ml_rng_bernoulli (rng, 0.4);

  ml_day_to_ymd (ml_day_of (t), &y, &m, &d);
  g_snprintf (when, sizeof when, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, sec / 3600, sec / 60 % 60, sec % 60);
  if (call)
    g_string_append_printf (s, "call,%s,%s,%s,%d,%d\n", out ? "out" : "in", contact, when,
                            1 + (int) ml_rng_below (rng, 1000), antenna);
  else
    g_string_append_printf (s, "text,%s,%s,%s,,%d\n", out ? "out" : "in", contact, when, antenna);
}

/* User U's records file. */
static gboolean
write_user (const char *dir, guint u, guint n_users, guint n_records, guint64 seed, GError **error)
{
  g_autoptr(GString) s = g_string_new ("interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n");
  g_autofree char *path = g_strdup_printf ("%s/u%05u.csv", dir, u);
  char contacts[N_CONTACTS][16];
  int home, work;
  double step = (double) SPAN_SECONDS / n_records, t = 0.0;
  MlRng rng;

  ml_rng_init (&rng, seed, 0xCD2, u, 0);
  home = 1000 + (int) ml_rng_below (&rng, N_ANTENNAS);
  work = 1000 + (int) ml_rng_below (&rng, N_ANTENNAS);
  for (int c = 0; c < N_CONTACTS; c++)
    if (c % 3 == 2 || n_users < 2)
      g_snprintf (contacts[c], sizeof contacts[c], "x%06u", (guint) ml_rng_below (&rng, 1000000));
    else
      g_snprintf (contacts[c], sizeof contacts[c], "u%05u", (guint) ml_rng_below (&rng, n_users));
  for (guint i = 0; i < n_records; i++)
    {
      gint64 when;
      int sec, antenna;
      t += ml_rng_exponential (&rng, 1.0 / step);
      when = ml_day_start (START_DAY) + (gint64) t;
      sec = ml_second_of_day (when);
      if (sec < 7 * 3600 || sec > 19 * 3600)
        antenna = ml_rng_bernoulli (&rng, 0.8) ? home : 1000 + (int) ml_rng_below (&rng, N_ANTENNAS);
      else
        antenna = ml_rng_bernoulli (&rng, 0.6) ? work : 1000 + (int) ml_rng_below (&rng, N_ANTENNAS);
      append_record (s, &rng, when, contacts[ml_rng_zipf (&rng, 1.2, N_CONTACTS) - 1], antenna);
    }
  return g_file_set_contents (path, s->str, (gssize) s->len, error);
}

gboolean
ml_cdr_generate (const char *dir, guint n_users, guint n_records, guint64 seed, GError **error)
{
  g_autofree char *records = g_build_filename (dir, "records", NULL);

  g_return_val_if_fail (dir != NULL && n_users > 0 && n_records > 0, FALSE);
  if (g_mkdir_with_parents (records, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot create: %s", records, g_strerror (errno));
      return FALSE;
    }
  if (!write_antennas (dir, seed, error))
    return FALSE;
  for (guint u = 0; u < n_users; u++)
    if (!write_user (records, u, n_users, n_records, seed, error))
      return FALSE;
  return TRUE;
}
