/* handles.c -- synthetic handles that can never belong to a real subscriber.
 *
 * A 36-bit balanced Feistel network (4 rounds, keyed by the seed through
 * ml_hash64) is a bijection of [0, 2^36); no cycle walking is needed since
 * the domain is exactly 2^36.  See handles.h for the numbering plan.
 */

#include <stdio.h>

#include "common/rng.h"
#include "sim/handles.h"

#define HALF_BITS 18
#define HALF_MASK ((G_GUINT64_CONSTANT (1) << HALF_BITS) - 1)
#define ROUNDS 4

static guint64
round_fn (guint64 seed, int round, guint64 half)
{
  return ml_hash64 (ml_hash_combine (ml_hash_combine (seed, 0x68616e646c65ULL + (guint64) round), half)) & HALF_MASK;
}

guint64
ml_handle_number (guint64 seed, guint64 index)
{
  guint64 l, r, t;

  g_return_val_if_fail (index < ML_HANDLE_SPACE, 0);
  l = index >> HALF_BITS;
  r = index & HALF_MASK;
  for (int i = 0; i < ROUNDS; i++)
    {
      t = r;
      r = l ^ round_fn (seed, i, r);
      l = t;
    }
  return (l << HALF_BITS) | r;
}

guint64
ml_handle_index (guint64 seed, guint64 number)
{
  guint64 l, r, t;

  g_return_val_if_fail (number < ML_HANDLE_SPACE, 0);
  l = number >> HALF_BITS;
  r = number & HALF_MASK;
  for (int i = ROUNDS - 1; i >= 0; i--)
    {
      t = l;
      l = r ^ round_fn (seed, i, l);
      r = t;
    }
  return (l << HALF_BITS) | r;
}

char *
ml_handle_format (gint64 id, char buf[ML_HANDLE_MAX])
{
  guint64 u = (guint64) id;

  if (u & ML_HANDLE_EMAIL_BIT)
    snprintf (buf, ML_HANDLE_MAX, "u%011" G_GUINT64_FORMAT "@example.com", u & ~ML_HANDLE_EMAIL_BIT);
  else
    snprintf (buf, ML_HANDLE_MAX, "+999%011" G_GUINT64_FORMAT, u);
  return buf;
}
