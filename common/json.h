/* json.h -- JSON for metaleak's own small documents: a reader and a string
 * writer.
 *
 * metaleak writes a few small JSON files (manifest.json, calibration.json,
 * findings.json, cdr indicators) and reads some of them back: the analyzer
 * reads manifest.json (cast handles, start day), the report reads
 * findings.json.  This module parses RFC 8259 JSON into a read-only tree
 * and answers the questions they ask: a member of an object, an element of
 * an array, a string, a number.  It is strict (one value, no trailing commas, no
 * comments, UTF-8 only, nesting at most 64 deep) so that a damaged file is
 * named rather than half-read.  Object members keep their file order; a
 * repeated key answers with its first occurrence.
 */
#ifndef ML_JSON_H
#define ML_JSON_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ML_JSON_NULL,
  ML_JSON_BOOL,
  ML_JSON_NUMBER,
  ML_JSON_STRING,
  ML_JSON_ARRAY,
  ML_JSON_OBJECT,
} MlJsonType;

typedef struct MlJson MlJson;

/* Parse LEN bytes of TEXT (up to its NUL if LEN < 0).  Returns a new tree
 * (free with ml_json_free()) or NULL with ML_ERROR_INPUT "line N: what is
 * wrong". */
MlJson *ml_json_parse (const char *text, gssize len, GError **error);

/* Read and parse the file PATH; errors are prefixed with "PATH: " (a
 * missing file is ML_ERROR_INPUT "PATH: no such file"). */
MlJson *ml_json_load (const char *path, GError **error);

/* Free J and everything under it (NULL is ignored). */
void ml_json_free (MlJson *j);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlJson, ml_json_free)

/* The type of J; J must not be NULL. */
MlJsonType ml_json_type (const MlJson *j);

/* Member KEY of the object J, or NULL when J is NULL, not an object, or has
 * no such member.  Borrowed: lives as long as the tree. */
const MlJson *ml_json_member (const MlJson *j, const char *key);

/* Number of elements of an array (members of an object); 0 for anything
 * else, NULL included. */
guint ml_json_length (const MlJson *j);

/* Element I of the array J, or NULL when J is not an array or I is out of
 * range.  Borrowed. */
const MlJson *ml_json_element (const MlJson *j, guint i);

/* Name and value of member I of the object J (file order), or NULL when J
 * is not an object or I is out of range.  Borrowed. */
const char *ml_json_key (const MlJson *j, guint i);
const MlJson *ml_json_value (const MlJson *j, guint i);

/* The text of a string node, or NULL for anything else (NULL included).
 * Borrowed. */
const char *ml_json_text (const MlJson *j);

/* Whether J is a number; if so, *OUT is set to it. */
gboolean ml_json_double (const MlJson *j, double *out);

/* Whether J is true (FALSE for false, null, NULL and everything else). */
gboolean ml_json_is_true (const MlJson *j);

/* Append S (UTF-8; NULL counts as "") to OUT as a JSON string literal:
 * quoted, with '"', '\\' and control characters escaped. */
void ml_json_string (GString *out, const char *s);

G_END_DECLS

#endif /* ML_JSON_H */
