/* outdir.h -- atomic output directories and files, and interruption.
 *
 * Every metaleak output appears complete or not at all.  A stage writes
 * into a sibling temporary directory "FINAL.tmp-XXXXXX" and publishes it
 * with one rename at the end; single files are replaced the same way.
 * SIGINT/SIGTERM only raise a flag that long loops poll with
 * ml_check_interrupted(), so an interrupted run unwinds normally and its
 * temporary files are removed on the way out; a second signal kills the
 * process at once (its temporaries, all named *.tmp-XXXXXX, stay behind).
 *
 * Workload: ml_interrupted() is polled in inner loops (one relaxed atomic
 * load); everything else runs a handful of times per run, and
 * ml_sha256_file()/the fsyncs of a commit read or flush each output once.
 */
#ifndef ML_OUTDIR_H
#define ML_OUTDIR_H

#include <glib.h>

G_BEGIN_DECLS

/* Make SIGINT and SIGTERM set the interruption flag (sigaction, SA_RESTART;
 * the handler only stores to an atomic).  A signal arriving while the flag
 * is already set restores the default action and re-raises, so a second
 * Ctrl-C ends the process.  A signal that was ignored when the process
 * started (a background job's SIGINT) stays ignored.  Idempotent. */
void ml_signals_install (void);

/* Whether SIGINT/SIGTERM arrived (or ml_interrupt_for_testing (TRUE)). */
gboolean ml_interrupted (void);

/* FALSE with ML_ERROR_INTERRUPTED "interrupted" when the flag is set. */
gboolean ml_check_interrupted (GError **error);

/* Set (ON) or clear the interruption flag, for tests. */
void ml_interrupt_for_testing (gboolean on);

typedef struct MlOutDir MlOutDir;

/* Begin writing the directory FINAL (trailing slashes ignored): work happens
 * in a new sibling directory "FINAL.tmp-XXXXXX"; FINAL's parent directories
 * are created.  If FINAL exists: ML_ERROR_EXISTS "FINAL: exists; use --force
 * to replace it", unless FORCE, in which case it is replaced at commit.
 * Returns a new MlOutDir (free with ml_outdir_free()) or NULL with ERROR. */
MlOutDir *ml_outdir_begin (const char *final, gboolean force, GError **error);

/* The temporary directory to write into.  Borrowed; lives as long as O. */
const char *ml_outdir_path (const MlOutDir *o);

/* The final directory (as given, without trailing slashes).  Borrowed. */
const char *ml_outdir_final (const MlOutDir *o);

/* g_build_filename (ml_outdir_path (O), NAME); the caller frees it. */
char *ml_outdir_file (const MlOutDir *o, const char *name);

/* Publish O: fsync every file and directory in the temporary tree, then
 * rename it onto FINAL.  With FORCE and an existing FINAL the two are
 * exchanged in one step (renameat2 RENAME_EXCHANGE; where the file system
 * cannot, FINAL is first moved aside) and the old tree is deleted.  Without
 * FORCE a FINAL that appeared since ml_outdir_begin() is never replaced
 * (ML_ERROR_EXISTS).  After success ml_outdir_free() leaves FINAL alone; a
 * second commit is a programming error. */
gboolean ml_outdir_commit (MlOutDir *o, GError **error);

/* Free O (NULL is ignored); if it was not committed, remove its temporary
 * tree (a failure to remove is reported with ml_warning()). */
void ml_outdir_free (MlOutDir *o);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MlOutDir, ml_outdir_free)

/* rm -rf PATH: symbolic links are removed, never followed.  A missing PATH
 * is not an error.  ML_ERROR_IO names the entry that could not go. */
gboolean ml_remove_tree (const char *path, GError **error);

/* Write LEN bytes of CONTENTS (up to its NUL if LEN < 0) to PATH atomically:
 * a temporary file in the same directory renamed over PATH
 * (g_file_set_contents semantics, mode 0666 & ~umask).  ML_ERROR_IO
 * "PATH: cannot write: ..." on failure; PATH is then untouched. */
gboolean ml_write_file_atomic (const char *path, const char *contents, gssize len, GError **error);

/* Rename FROM to TO unless TO exists (then ML_ERROR_EXISTS "TO: exists;
 * use --force to replace it"), atomically where the file system supports
 * renameat2 RENAME_NOREPLACE.  ML_ERROR_IO on other failures. */
gboolean ml_rename_noreplace (const char *from, const char *to, GError **error);

/* fsync PATH, a file or a directory (a directory entry made by a rename is
 * durable only once its directory is synced).  ML_ERROR_IO on failure. */
gboolean ml_fsync_path (const char *path, GError **error);

/* The SHA-256 of PATH's contents as 64 lower-case hex digits, read in 1 MiB
 * chunks; the caller frees it.  NULL + ML_ERROR_IO naming PATH on failure. */
char *ml_sha256_file (const char *path, GError **error);

G_END_DECLS

#endif /* ML_OUTDIR_H */
