/* cdr-group.c -- bandicoot's grouping: positions, filters and ISO weeks.
 *
 * bandicoot (helper/group.py) filters a user's records by part of the week
 * (allweek, weekday, weekend), part of the day (allday, day, night) and
 * interaction, then cuts what is left into ISO weeks, skipping weeks
 * without records (group_records), or keeps one group (groupby=None).
 * Night is every time not strictly between night_end and night_start
 * (07:00 < t < 19:00 is day); the weekend is a set of ISO days (6, 7).
 * This file derives per-record attributes once, resolves positions as
 * bandicoot's User.antennas setter does, and builds each selection on
 * first use.
 *
 * Positions.  A record's position is its antenna id and its location: the
 * antennas file's coordinates for a known antenna; otherwise, strict, none
 * at all once an antennas file is loaded (bandicoot overwrites a record's
 * CSV latitude/longitude), tolerant, the CSV's.  Positions are interned by
 * (antenna, location), which is what Python's hash(repr(position)) keys
 * Counters and sets on.
 *
 * Workload: O(n) per user for the attributes, O(n) per selection (at most
 * 9 x 4 of them), a few allocations each; all freed with the context.
 */

#include <string.h>

#include "analyze/cdr-private.h"
#include "common/timeutil.h"

const char *const ml_cdr_pow_names[N_POW] = { "allweek", "weekday", "weekend" };
const char *const ml_cdr_pod_names[N_POD] = { "allday", "day", "night" };

void
ml_cdr_options_init (MlCdrOptions *o)
{
  memset (o, 0, sizeof *o);
  o->groupby = ML_CDR_GROUP_WEEK;
  o->summary = ML_CDR_SUMMARY_DEFAULT;
  o->night_start = 19 * 3600;
  o->night_end = 7 * 3600;
  o->weekend = (1u << 6) | (1u << 7);
  o->conversation_gap = 3600;
  o->bin_minutes = 30;
}

static gboolean
is_night (const MlCdrOptions *o, int sec)
{
  if (o->night_start < o->night_end)
    return o->night_end > sec && sec > o->night_start;
  return !(o->night_end < sec && sec < o->night_start);
}

/* Open-addressing intern table of positions. */
typedef struct {
  gint32 *slot;   /* position id + 1, 0 = empty */
  guint mask;
} PosTable;

static guint64
pos_hash (const CdrPos *p)
{
  guint64 a = 0, b = 0;

  if (p->has_loc)
    {
      memcpy (&a, &p->lat, 8);
      memcpy (&b, &p->lon, 8);
    }
  return ((guint64) (guint32) p->antenna * 0x9E3779B97F4A7C15ull) ^ (a * 0xC2B2AE3D27D4EB4Full)
         ^ (b * 0x165667B19E3779F9ull) ^ (guint64) p->has_loc;
}

static gboolean
pos_same (const CdrPos *a, const CdrPos *b)
{
  return a->antenna == b->antenna && a->has_loc == b->has_loc
         && (!a->has_loc || (memcmp (&a->lat, &b->lat, 8) == 0 && memcmp (&a->lon, &b->lon, 8) == 0));
}

static gint32
pos_intern (PosTable *t, GArray *positions, const CdrPos *p)
{
  guint64 h = pos_hash (p);

  h ^= h >> 29;
  for (guint i = (guint) h & t->mask;; i = (i + 1) & t->mask)
    {
      if (t->slot[i] == 0)
        {
          g_array_append_vals (positions, p, 1);
          t->slot[i] = (gint32) positions->len;
          return t->slot[i] - 1;
        }
      if (pos_same (&g_array_index (positions, CdrPos, t->slot[i] - 1), p))
        return t->slot[i] - 1;
    }
}

/* The antennas file's coordinates for each of the user's antenna ids. */
static CdrPos *
antenna_locations (const MlCdrUser *user, const MlCdrAntennas *antennas)
{
  CdrPos *loc = g_new0 (CdrPos, user->antennas->len + 1);

  for (guint a = 0; a < user->antennas->len; a++)
    {
      loc[a].antenna = (gint32) a;
      loc[a].has_loc = antennas != NULL
                       && ml_cdr_antennas_lookup (antennas, g_ptr_array_index (user->antennas, a),
                                                  &loc[a].lat, &loc[a].lon);
    }
  return loc;
}

static void
resolve_positions (CdrCtx *ctx, const MlCdrAntennas *antennas)
{
  gboolean loaded = antennas != NULL && antennas->path != NULL;   /* an antennas file was given */
  CdrPos *loc = ctx->antenna_pos = antenna_locations (ctx->user, loaded ? antennas : NULL);
  g_autofree gint32 *by_antenna = g_new (gint32, ctx->user->antennas->len + 1);   /* located antenna -> id */
  PosTable t;
  guint cap = 16;

  while (cap < 2 * ctx->n + 2)
    cap *= 2;
  t.slot = g_new0 (gint32, cap);
  t.mask = cap - 1;
  for (guint a = 0; a < ctx->user->antennas->len; a++)
    by_antenna[a] = -1;
  for (guint i = 0; i < ctx->n; i++)
    {
      const MlCdrRecord *r = &ctx->r[i];
      CdrPos p = { r->antenna, FALSE, 0.0, 0.0 };

      if (r->antenna >= 0 && loc[r->antenna].has_loc)
        {
          /* the position depends on the antenna alone: intern it once */
          if (by_antenna[r->antenna] < 0)
            by_antenna[r->antenna] = pos_intern (&t, ctx->positions, &loc[r->antenna]);
          ctx->pos[i] = by_antenna[r->antenna];
          continue;
        }
      if (r->coord >= 0 && (!loaded || !ctx->o->strict))
        {
          p.has_loc = TRUE;
          p.lat = g_array_index (ctx->user->coords, double, 2 * r->coord);
          p.lon = g_array_index (ctx->user->coords, double, 2 * r->coord + 1);
        }
      ctx->pos[i] = pos_intern (&t, ctx->positions, &p);
    }
  g_free (t.slot);
}

/* Day, ISO week, night, weekend and position bin of every record.  Records
 * are sorted, so the calendar split runs once per day. */
static void
derive_attributes (CdrCtx *ctx)
{
  const MlCdrOptions *o = ctx->o;
  MlDay last = G_MININT32;
  int y = 0, m = 0, dd = 0, wd = 0;
  gint64 daykey = 0;
  guint8 bin_of_minute[60];   /* minute // bin_minutes, without a division per record */

  for (int mi = 0; mi < 60; mi++)
    bin_of_minute[mi] = (guint8) (mi / o->bin_minutes);
  for (guint i = 0; i < ctx->n; i++)
    {
      MlDay d = ml_day_of (ctx->r[i].t);
      int sec = ml_second_of_day (ctx->r[i].t);
      if (d != last)
        {
          ml_day_to_ymd (d, &y, &m, &dd);
          wd = ml_weekday (d);
          daykey = ((gint64) y * 32 + dd) * 24;
          last = d;
        }
      ctx->day[i] = d;
      ctx->monday[i] = d - (wd - 1);
      ctx->night[i] = is_night (o, sec);
      ctx->weekend[i] = (o->weekend >> wd) & 1u;
      ctx->attr[i] = (guint8) (ctx->weekend[i] | ctx->night[i] << 1 | (ctx->r[i].kind & 3) << 2);
      /* bandicoot's key (year, day, hour, minute // 30): no month */
      ctx->binkey[i] = (daykey + sec / 3600) * 60 + bin_of_minute[sec % 3600 / 60];
    }
}

void
ml_cdr_ctx_init (CdrCtx *ctx, const MlCdrUser *user, const MlCdrAntennas *antennas, const MlCdrOptions *o)
{
  guint n = user->records->len;
  guint m = MAX (MAX (n, user->contacts->len), 1);

  memset (ctx, 0, sizeof *ctx);
  ctx->o = o;
  ctx->user = user;
  ctx->r = (const MlCdrRecord *) (gpointer) user->records->data;
  ctx->n = n;
  ctx->pos = g_new (gint32, n + 1);
  ctx->monday = g_new (gint32, n + 1);
  ctx->day = g_new (gint32, n + 1);
  ctx->night = g_new (guint8, n + 1);
  ctx->weekend = g_new (guint8, n + 1);
  ctx->attr = g_new (guint8, n + 1);
  ctx->binkey = g_new (gint64, n + 1);
  derive_attributes (ctx);
  ctx->positions = g_array_new (FALSE, FALSE, sizeof (CdrPos));
  resolve_positions (ctx, antennas);
  m = MAX (m, ctx->positions->len);
  ctx->dbuf = g_new (double, m);
  ctx->ibuf = g_new (gint64, m);
  ctx->cbuf = g_new0 (guint, m + 1);
  ctx->cbuf2 = g_new0 (guint, m + 1);
  ctx->order = g_new (gint32, m);
  ctx->gx = g_new (double, n + 2);
  ctx->gdef = g_new (gboolean, n + 2);
  ctx->gstats = g_new (CdrStats, n + 2);
  ctx->gloc = g_new (const CdrPos *, ctx->positions->len + 1);
  ctx->home = -2;   /* not computed yet */
}

void
ml_cdr_sel_free (CdrSel *s)
{
  if (s == NULL)
    return;
  g_free (s->idx);
  g_free (s->group_start);
  g_free (s);
}

static void
bins_free (CdrBins *b)
{
  if (b == NULL)
    return;
  g_free (b->pos);
  g_free (b->group_start);
  g_free (b->dstart);
  g_free (b->dpos);
  g_free (b->dcount);
  g_free (b);
}

void
ml_cdr_ctx_clear (CdrCtx *ctx)
{
  for (int w = 0; w < N_POW; w++)
    for (int d = 0; d < N_POD; d++)
      {
        for (int s = 0; s < N_SEL; s++)
          {
            ml_cdr_sel_free (ctx->sel[w][d][s]);
            ml_cdr_contacts_free (ctx->contacts[w][d][s]);
          }
        bins_free (ctx->bins[w][d]);
        ml_cdr_conv_free (ctx->conv[w][d]);
      }
  g_free (ctx->pos);
  g_free (ctx->monday);
  g_free (ctx->day);
  g_free (ctx->night);
  g_free (ctx->weekend);
  g_free (ctx->attr);
  g_free (ctx->binkey);
  g_free (ctx->antenna_pos);
  if (ctx->positions != NULL)
    g_array_unref (ctx->positions);
  g_free (ctx->dbuf);
  g_free (ctx->ibuf);
  g_free (ctx->cbuf);
  g_free (ctx->cbuf2);
  g_free (ctx->order);
  g_free (ctx->gx);
  g_free (ctx->gdef);
  g_free (ctx->gstats);
  g_free (ctx->gloc);
  memset (ctx, 0, sizeof *ctx);
}

/* Whether a record with weekend flag WEEKEND, night flag NIGHT and
 * interaction KIND passes the (POW, POD, SEL) filter. */
static gboolean
passes (int weekend, int night, int kind, int pow, int pod, int sel)
{
  if ((pow == POW_WEEKDAY && weekend) || (pow == POW_WEEKEND && !weekend))
    return FALSE;
  if ((pod == POD_DAY && night) || (pod == POD_NIGHT && !night))
    return FALSE;
  switch (sel)
    {
    case SEL_CALL: return kind == ML_CDR_CALL;
    case SEL_TEXT: return kind == ML_CDR_TEXT;
    case SEL_CALLANDTEXT: return kind != ML_CDR_OTHER;
    default: return TRUE;
    }
}

/* Cut S into groups: ISO weeks (consecutive records with the same Monday)
 * when WEEKLY, else one group if S is not empty. */
static void
cut_groups (const CdrCtx *ctx, CdrSel *s, gboolean weekly)
{
  s->group_start = g_new (guint, s->n + 2);
  s->n_groups = 0;
  if (s->n > 0)
    {
      gint32 week = ctx->monday[s->idx[0]];
      s->group_start[s->n_groups++] = 0;
      for (guint k = 1; weekly && k < s->n; k++)
        if (ctx->monday[s->idx[k]] != week)
          {
            week = ctx->monday[s->idx[k]];
            s->group_start[s->n_groups++] = k;
          }
    }
  s->group_start[s->n_groups] = s->n;
}

/* The selection for (POW, POD, SEL): a filter on each record's attribute
 * byte (weekend | night << 1 | kind << 2), through a table of the 16
 * values it can take. */
const CdrSel *
ml_cdr_select (CdrCtx *ctx, int pow, int pod, int sel)
{
  CdrSel *s = ctx->sel[pow][pod][sel];
  guint8 accept[16];
  guint n = 0;

  if (s != NULL)
    return s;
  for (int a = 0; a < 16; a++)
    accept[a] = (guint8) passes (a & 1, (a >> 1) & 1, a >> 2, pow, pod, sel);
  s = g_new0 (CdrSel, 1);
  s->idx = g_new (gint32, ctx->n + 1);
  for (guint i = 0; i < ctx->n; i++)
    {
      s->idx[n] = (gint32) i;   /* kept only if it passes: no branch */
      n += accept[ctx->attr[i]];
    }
  s->n = n;
  cut_groups (ctx, s, ctx->o->groupby == ML_CDR_GROUP_WEEK);
  ctx->sel[pow][pod][sel] = s;
  return s;
}

CdrSel *
ml_cdr_select_weeks (CdrCtx *ctx)
{
  CdrSel *s = g_new0 (CdrSel, 1);

  s->idx = g_new (gint32, ctx->n + 1);
  for (guint i = 0; i < ctx->n; i++)
    s->idx[s->n++] = (gint32) i;
  cut_groups (ctx, s, TRUE);
  return s;
}
