/* export.c -- the simulated communications as bandicoot records.
 *
 * See export.h.  Per-person GString buffers hold the records not yet on
 * disk; when their total passes FLUSH_BYTES every buffer is appended to its
 * file (opened in append mode, created with the header on first use).
 * Workload: two records per message, ~10^7 per demo run.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "common/outdir.h"
#include "sim/export.h"
#include "sim/handles.h"
#include "sim/traffic.h"

#define FLUSH_BYTES (64u << 20)
#define HEADER "interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n"

struct MlBandicoot {
  const MlWorld *w;
  MlOutDir *out;
  char *records;              /* the records/ directory inside the temporary tree */
  GString **buf;              /* per person, NULL until used */
  guint8 *created;            /* per person: file exists */
  gsize buffered;
};

/* The user id of PERSON: the handle without its leading '+'. */
static void
user_id (const MlWorld *w, guint32 person, char buf[ML_HANDLE_MAX])
{
  char h[ML_HANDLE_MAX];

  ml_handle_format (ml_person_handle_id (w, person), h);
  g_strlcpy (buf, h[0] == '+' ? h + 1 : h, ML_HANDLE_MAX);
}

static gboolean
write_antennas (MlBandicoot *b, GError **error)
{
  g_autoptr(GString) csv = g_string_new ("antenna_id,latitude,longitude\n");
  g_autofree char *path = ml_outdir_file (b->out, "antennas.csv");

  for (guint32 d = 0; d < b->w->n_districts; d++)
    g_string_append_printf (csv, "%u,%.6f,%.6f\n", d, b->w->districts[d].lat, b->w->districts[d].lon);
  return ml_write_file_atomic (path, csv->str, (gssize) csv->len, error);
}

MlBandicoot *
ml_bandicoot_new (const MlWorld *w, const char *dir, gboolean force, GError **error)
{
  g_autoptr(MlBandicoot) b = g_new0 (MlBandicoot, 1);

  b->w = w;
  b->buf = g_new0 (GString *, MAX (w->n_people, 1));
  b->created = g_new0 (guint8, MAX (w->n_people, 1));
  if ((b->out = ml_outdir_begin (dir, force, error)) == NULL)
    return NULL;
  b->records = ml_outdir_file (b->out, "records");
  if (g_mkdir (b->records, 0777) != 0)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: %s", b->records, g_strerror (errno));
      return NULL;
    }
  if (!write_antennas (b, error))
    return NULL;
  return g_steal_pointer (&b);
}

static gboolean
flush_person (MlBandicoot *b, guint32 p, GError **error)
{
  char id[ML_HANDLE_MAX];
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  FILE *f;
  gboolean ok;

  if (b->buf[p] == NULL || b->buf[p]->len == 0)
    return TRUE;
  user_id (b->w, p, id);
  name = g_strconcat (id, ".csv", NULL);
  path = g_build_filename (b->records, name, NULL);
  if ((f = fopen (path, "a")) == NULL)
    {
      g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  if (!b->created[p])
    fputs (HEADER, f);
  b->created[p] = 1;
  fwrite (b->buf[p]->str, 1, b->buf[p]->len, f);
  ok = fclose (f) == 0;
  if (!ok)
    g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: %s", path, g_strerror (errno));
  g_string_truncate (b->buf[p], 0);
  return ok;
}

static gboolean
flush_all (MlBandicoot *b, GError **error)
{
  for (guint32 p = 0; p < b->w->n_people; p++)
    if (!flush_person (b, p, error))
      return FALSE;
  b->buffered = 0;
  return TRUE;
}

static int
compare_recs (gconstpointer pa, gconstpointer pb)
{
  const MlExportRec *a = pa, *b = pb;

  if (a->person != b->person)
    return a->person < b->person ? -1 : 1;
  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  if (a->out != b->out)
    return a->out < b->out ? -1 : 1;
  return a->other < b->other ? -1 : a->other > b->other;
}

gboolean
ml_bandicoot_add_day (MlBandicoot *b, GArray *recs, GError **error)
{
  char other[ML_HANDLE_MAX], when[ML_TIME_BUF_SIZE];

  g_array_sort (recs, compare_recs);
  for (guint i = 0; i < recs->len; i++)
    {
      const MlExportRec *r = &g_array_index (recs, MlExportRec, i);
      GString **s = &b->buf[r->person];
      gsize before;

      if (*s == NULL)
        *s = g_string_new (NULL);
      before = (*s)->len;
      user_id (b->w, r->other, other);
      ml_time_format_buf (r->ts, when);
      when[10] = ' ';                      /* bandicoot: %Y-%m-%d %H:%M:%S */
      when[19] = '\0';
      g_string_append_printf (*s, "text,%s,%s,%s,,%u\n", r->out ? "out" : "in", other, when, r->antenna);
      b->buffered += (*s)->len - before;
    }
  return b->buffered < FLUSH_BYTES || flush_all (b, error);
}

gboolean
ml_bandicoot_finish (MlBandicoot *b, GError **error)
{
  return flush_all (b, error) && ml_outdir_commit (b->out, error);
}

void
ml_bandicoot_free (MlBandicoot *b)
{
  if (b == NULL)
    return;
  for (guint32 p = 0; p < b->w->n_people; p++)
    if (b->buf[p] != NULL)
      g_string_free (b->buf[p], TRUE);
  g_free (b->buf);
  g_free (b->created);
  g_free (b->records);
  ml_outdir_free (b->out);
  g_free (b);
}

guint32
ml_bandicoot_antenna (const MlWorld *w, const MlStay *stays, guint n, MlTime t)
{
  const MlStay *s = ml_stay_at (stays, n, t);

  for (const MlStay *p = s; p >= stays; p--)
    if (p->place != ML_NONE)
      return w->places[p->place].district;
  return w->cities[s->city].first_district;
}
