/* config.h -- validated key-file configuration with FILE:LINE errors.
 *
 * Scenario files (simulator) and case files (analyzer) are GKeyFile INI
 * files.  Every group and key they may hold is declared in a spec table of
 * MlConfigSpec; ml_config_load() checks the whole file against it at once
 * (syntax, unknown or duplicate groups and keys, types, ranges, choices,
 * calendar dates, required keys) so that the typed getters afterwards cannot
 * fail.  Every error is ML_ERROR_INPUT and starts with the place it comes
 * from: "FILE:LINE: ", "FILE: " when no line applies, or "command line: "
 * for ml_config_override().  An unreadable file is ML_ERROR_IO.
 *
 * Syntax is GKeyFile's: "[group]" headers, "key = value" lines (whitespace
 * around '=' and at the end of the value is ignored), '#' comments, blank
 * lines, GKeyFile escapes (\s \n \t \\) in values.  Localized keys
 * ("key[en]") are rejected as unknown keys.  A group may appear only once.
 *
 * Workload: files of a few dozen groups and keys, loaded once per run;
 * getters are called while setting up a run, not in inner loops (lookups
 * are linear scans and reparse the stored text).
 */
#ifndef ML_CONFIG_H
#define ML_CONFIG_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ML_CONFIG_INT,          /* gint64, g_ascii_string_to_signed() syntax */
  ML_CONFIG_DOUBLE,       /* finite double, g_ascii_strtod() syntax */
  ML_CONFIG_BOOL,         /* true/false, yes/no, 1/0 (any case) */
  ML_CONFIG_STRING,       /* any text */
  ML_CONFIG_STRING_LIST,  /* items separated by ',' or ';', trimmed */
  ML_CONFIG_DATE,         /* "YYYY-MM-DD", a real calendar date */
  ML_CONFIG_ENUM,         /* one of the '|'-separated .choices */
} MlConfigType;

/* One key a configuration file may contain.  A spec table is static data
 * owned by the caller and must outlive every MlConfig made from it.  When
 * two entries match the same group and key, the first one wins. */
typedef struct {
  const char *group;         /* group name; a trailing '*' matches every group
                              * with that prefix and a non-empty rest, e.g.
                              * "service *" matches [service health] */
  const char *key;           /* key name */
  MlConfigType type;         /* how the value is checked and read */
  const char *default_value; /* as text, checked like a value; NULL = none */
  double min, max;           /* inclusive range for INT and DOUBLE; unbounded
                              * when min == max == 0 or min > max; use
                              * -INFINITY/INFINITY for a one-sided range */
  const char *choices;       /* ML_CONFIG_ENUM: allowed values separated by
                              * '|', e.g. "snapshot|prospective" */
  gboolean required;         /* the key must be set when default_value is
                              * NULL (in every matching group for '*') */
  const char *help;          /* one line for --help listings and manifests */
} MlConfigSpec;

typedef struct MlConfig MlConfig;

/* Read and validate the key file PATH against SPEC (N_SPEC entries).
 * Returns a new config (free with ml_config_free()), or NULL with ERROR set:
 * ML_ERROR_IO naming PATH if it cannot be read, ML_ERROR_INPUT
 * ("PATH:LINE: ...") if it is not a valid file for SPEC.  A malformed SPEC
 * is a programming error (critical, NULL without ERROR). */
MlConfig *ml_config_load (const char *path, const MlConfigSpec *spec, gsize n_spec,
                          GError **error);

/* Like ml_config_load() for LEN bytes of DATA ((gsize) -1: NUL-terminated),
 * named DISPLAY_NAME in messages and by ml_config_path(). */
MlConfig *ml_config_load_data (const char *display_name, const char *data, gsize len,
                               const MlConfigSpec *spec, gsize n_spec, GError **error);

/* A config with no file: every key has its default.  Never fails; call
 * ml_config_validate() (after any overrides) to check required keys. */
MlConfig *ml_config_new_defaults (const MlConfigSpec *spec, gsize n_spec);

/* Check what only the whole config can tell: every required key without a
 * default is set.  Values themselves are checked when they are set.
 * ml_config_load() calls this; call it again after the last override. */
gboolean ml_config_validate (MlConfig *cfg, GError **error);

/* Set GROUP/KEY to VALUE (plain text, surrounding whitespace ignored) as if
 * from the command line, taking precedence over the file.  Creates GROUP if
 * absent (a spec group pattern must match it).  On an unknown group or key or
 * a bad value, returns FALSE with ML_ERROR_INPUT ("command line: ...") and
 * leaves CFG unchanged. */
gboolean ml_config_override (MlConfig *cfg, const char *group, const char *key,
                             const char *value, GError **error);

/* Apply "GROUP.KEY=VALUE" TEXT (a command-line override) to CFG.  The group
 * is what precedes the last '.' before the '=', so [cast j.doe] is reached as
 * "cast j.doe.role=journalist".  Malformed TEXT: ML_ERROR_USAGE "bad
 * override 'TEXT': expected GROUP.KEY=VALUE"; otherwise as
 * ml_config_override(). */
gboolean ml_config_override_text (MlConfig *cfg, const char *text, GError **error);

/* ml_config_override_text() for each of the NULL-terminated OVERRIDES (may
 * be NULL), in order. */
gboolean ml_config_override_all (MlConfig *cfg, const char *const *overrides, GError **error);

/* Typed getters.  Each returns the value set in the file or by an override,
 * else the spec default, else the zero value of its type (0, 0.0, FALSE,
 * NULL, an empty vector, day 0, -1 for the enum index).  Asking for a key that
 * is not in the spec, or with a getter of the wrong type, is a programming
 * error (critical, zero value).  ml_config_double() also reads INT keys;
 * ml_config_string() reads keys of every type as text. */
gint64 ml_config_int (const MlConfig *cfg, const char *group, const char *key);
double ml_config_double (const MlConfig *cfg, const char *group, const char *key);
gboolean ml_config_bool (const MlConfig *cfg, const char *group, const char *key);
/* Borrowed; valid until CFG is freed or the key is overridden. */
const char *ml_config_string (const MlConfig *cfg, const char *group, const char *key);
/* The items of a STRING_LIST key, empty ones dropped; caller frees (g_strfreev). */
char **ml_config_strv (const MlConfig *cfg, const char *group, const char *key);
/* A DATE key as days since 1970-01-01 (negative before). */
gint32 ml_config_date (const MlConfig *cfg, const char *group, const char *key);
/* An ENUM key as the 0-based index of its value in .choices; -1 if unset
 * without default. */
gint ml_config_enum (const MlConfig *cfg, const char *group, const char *key);

/* Whether GROUP/KEY was set in the file or by an override (not a default).
 * KEY must be in the spec. */
gboolean ml_config_has (const MlConfig *cfg, const char *group, const char *key);

/* The names of the groups present (in the file, in file order, then those
 * made by overrides) that start with PREFIX (NULL or "": all).  Fixed spec
 * groups absent from the file are not listed.  Caller frees (g_strfreev). */
char **ml_config_groups (const MlConfig *cfg, const char *prefix);

/* The file line GROUP/KEY was set on (KEY NULL: the line of the [GROUP]
 * header); 0 if not from the file (default, override, absent). */
guint ml_config_line (const MlConfig *cfg, const char *group, const char *key);

/* The path or display name CFG was loaded from; NULL for
 * ml_config_new_defaults().  Borrowed. */
const char *ml_config_path (const MlConfig *cfg);

/* A new ML_ERROR_INPUT error "FILE:LINE: key 'KEY' in group [GROUP]: MESSAGE"
 * for semantic problems callers find later (e.g. start after end).  The
 * place is the key's line, "command line" if overridden, else the group's
 * header line, else the file alone.  KEY may be NULL ("... group [GROUP]:
 * MESSAGE").  Caller owns the error. */
GError *ml_config_error (const MlConfig *cfg, const char *group, const char *key,
                         const char *format, ...) G_GNUC_PRINTF (4, 5);

/* The resolved config as key-file text: every spec key with a value (set or
 * default) of every fixed spec group and of every present group matching a
 * '*' pattern, in spec order, groups of one pattern in file order.  Loading
 * it with the same spec gives equal values.  Caller frees; *LENGTH (may be
 * NULL) gets its length. */
char *ml_config_to_data (const MlConfig *cfg, gsize *length);

/* Free CFG (NULL is allowed). */
void ml_config_free (MlConfig *cfg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlConfig, ml_config_free)

G_END_DECLS

#endif /* ML_CONFIG_H */
