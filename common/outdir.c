/* outdir.c -- atomic output directories and files, and interruption.
 *
 * Invariant: a path metaleak promises (a run directory, a case directory, a
 * report, a manifest) either does not exist or is complete.  Directories
 * are built under "FINAL.tmp-XXXXXX" beside FINAL and published by one
 * rename (an exchange when replacing, where Linux offers renameat2); files
 * go through g_file_set_contents.  Before publishing, the whole temporary
 * tree is fsynced, so that after a power cut FINAL does not point at empty
 * files.
 *
 * Interruption is cooperative: the signal handler only sets an atomic flag
 * (a lock-free atomic is async-signal-safe), long loops poll it with
 * ml_interrupted()/ml_check_interrupted(), and the error unwinds through
 * the g_autoptr cleanups, which remove the temporaries.
 *
 * Workload: ml_interrupted() is one relaxed load, polled in inner loops.
 * Tree walks (remove, fsync) and hashing run a few times per run over the
 * outputs, holding one directory descriptor per level and one 1 MiB buffer.
 */
#define _GNU_SOURCE 1   /* renameat2, RENAME_NOREPLACE, RENAME_EXCHANGE (glibc >= 2.28) */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "common/errors.h"
#include "common/outdir.h"
#include "common/sha256.h"

#define SHA256_CHUNK (1024 * 1024)

G_STATIC_ASSERT (ATOMIC_INT_LOCK_FREE == 2);

static atomic_int interrupted;   /* set by on_signal(), read by ml_interrupted() */

struct MlOutDir {
  char *final;         /* as given, trailing slashes removed */
  char *tmp;           /* FINAL.tmp-XXXXXX, exists until commit or free */
  gboolean force;      /* replace an existing FINAL at commit */
  gboolean committed;  /* tmp has become FINAL: free leaves it alone */
};

/* Called for each entry of a tree, children before their directory:
 * NAME in directory AT, of type MODE; PATH is its full name for messages. */
typedef gboolean (*VisitFunc) (int at, const char *name, mode_t mode, const char *path, GError **error);

static gboolean walk_tree (int at, const char *name, const char *path, VisitFunc visit, GError **error);

/* ---- interruption -------------------------------------------------- */

static void
on_signal (int sig)
{
  int saved_errno = errno;

  if (atomic_exchange_explicit (&interrupted, 1, memory_order_relaxed))
    {
      struct sigaction dfl = { .sa_handler = SIG_DFL };

      sigemptyset (&dfl.sa_mask);
      sigaction (sig, &dfl, NULL);
      raise (sig);   /* blocked until this handler returns, then fatal */
    }
  errno = saved_errno;
}

void
ml_signals_install (void)
{
  static const int signals[] = { SIGINT, SIGTERM };
  struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

  sigemptyset (&sa.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaddset (&sa.sa_mask, signals[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      struct sigaction old;

      if (sigaction (signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        continue;
      if (sigaction (signals[i], &sa, NULL) != 0)
        g_assert_not_reached ();   /* only fails for an invalid signal number */
    }
}

gboolean
ml_interrupted (void)
{
  return atomic_load_explicit (&interrupted, memory_order_relaxed) != 0;
}

gboolean
ml_check_interrupted (GError **error)
{
  if (G_LIKELY (!ml_interrupted ()))
    return TRUE;
  g_set_error_literal (error, ML_ERROR, ML_ERROR_INTERRUPTED, "interrupted");
  return FALSE;
}

void
ml_interrupt_for_testing (gboolean on)
{
  atomic_store (&interrupted, on ? 1 : 0);
}

/* ---- helpers ------------------------------------------------------- */

static gboolean
io_error (GError **error, int errsv, const char *path, const char *what)
{
  g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: %s: %s", path, what, g_strerror (errsv));
  return FALSE;
}

static gboolean
exists_error (GError **error, const char *path)
{
  g_set_error (error, ML_ERROR, ML_ERROR_EXISTS, "%s: exists; use --force to replace it", path);
  return FALSE;
}

/* Whether PATH names anything, a dangling symbolic link included. */
static gboolean
path_exists (const char *path)
{
  struct stat st;

  return g_lstat (path, &st) == 0;
}

/* PATH without trailing slashes ("out/" -> "out"; "/" stays "/"). */
static char *
strip_trailing_slashes (const char *path)
{
  char *copy = g_strdup (path);
  gsize len = strlen (copy);

  while (len > 1 && G_IS_DIR_SEPARATOR (copy[len - 1]))
    copy[--len] = '\0';
  return copy;
}

/* ---- tree walks ---------------------------------------------------- */

/* Walk every entry below the directory NAME in AT (PATH for messages). */
static gboolean
walk_children (int at, const char *name, const char *path, VisitFunc visit, GError **error)
{
  int fd = openat (at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct dirent *entry;
  gboolean ok = TRUE;
  DIR *dir;

  if (fd < 0)
    return io_error (error, errno, path, "cannot open directory");
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int errsv = errno;
      close (fd);
      return io_error (error, errsv, path, "cannot open directory");
    }
  while (ok)
    {
      g_autofree char *child = NULL;

      errno = 0;
      if ((entry = readdir (dir)) == NULL)
        {
          if (errno != 0)
            ok = io_error (error, errno, path, "cannot read directory");
          break;
        }
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      child = g_build_filename (path, entry->d_name, NULL);
      ok = walk_tree (dirfd (dir), entry->d_name, child, visit, error);
    }
  closedir (dir);
  return ok;
}

/* Visit NAME in AT after everything below it, never following a symbolic
 * link.  A NAME that does not exist is skipped. */
static gboolean
walk_tree (int at, const char *name, const char *path, VisitFunc visit, GError **error)
{
  struct stat st;

  if (fstatat (at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? TRUE : io_error (error, errno, path, "cannot stat");
  if (S_ISDIR (st.st_mode) && !walk_children (at, name, path, visit, error))
    return FALSE;
  return visit (at, name, st.st_mode, path, error);
}

static gboolean
remove_entry (int at, const char *name, mode_t mode, const char *path, GError **error)
{
  if (unlinkat (at, name, S_ISDIR (mode) ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
    return io_error (error, errno, path, "cannot remove");
  return TRUE;
}

/* fsync and close FD, opened on PATH.  EINVAL (a file that cannot be
 * synced) is not an error. */
static gboolean
sync_and_close (int fd, const char *path, GError **error)
{
  int errsv = 0;

  if (fsync (fd) != 0 && errno != EINVAL)
    errsv = errno;
  close (fd);
  return errsv == 0 ? TRUE : io_error (error, errsv, path, "cannot sync");
}

static gboolean
fsync_entry (int at, const char *name, mode_t mode, const char *path, GError **error)
{
  int fd;

  if (!S_ISREG (mode) && !S_ISDIR (mode))
    return TRUE;
  fd = openat (at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return io_error (error, errno, path, "cannot open");
  return sync_and_close (fd, path, error);
}

gboolean
ml_remove_tree (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  return walk_tree (AT_FDCWD, path, path, remove_entry, error);
}

gboolean
ml_fsync_path (const char *path, GError **error)
{
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return io_error (error, errno, path, "cannot open");
  return sync_and_close (fd, path, error);
}

/* ---- renames ------------------------------------------------------- */

gboolean
ml_rename_noreplace (const char *from, const char *to, GError **error)
{
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);
#ifdef RENAME_NOREPLACE
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return TRUE;
  if (errno == EEXIST)
    return exists_error (error, to);
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    return io_error (error, errno, to, "cannot rename into place");
#endif
  /* No atomic no-replace rename here: check, then rename. */
  if (path_exists (to))
    return exists_error (error, to);
  if (g_rename (from, to) != 0)
    return io_error (error, errno, to, "cannot rename into place");
  return TRUE;
}

/* Replace O's existing FINAL by its temporary tree without a moment where
 * FINAL is missing, where the file system can exchange two names.  On
 * success *OLD names what was FINAL, for the caller to delete. */
static gboolean
exchange_into_place (MlOutDir *o, char **old, GError **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *moved = NULL;

#ifdef RENAME_EXCHANGE
  if (renameat2 (AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) == 0)
    {
      *old = g_strdup (o->tmp);
      return TRUE;
    }
  if (errno == ENOENT)   /* FINAL vanished meanwhile */
    return ml_rename_noreplace (o->tmp, o->final, error);
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    return io_error (error, errno, o->final, "cannot replace");
#endif
  /* Fallback: move FINAL into a trash directory, then rename. */
  trash = g_strconcat (o->final, ".old-XXXXXX", NULL);
  if (g_mkdtemp_full (trash, 0700) == NULL)
    return io_error (error, errno, o->final, "cannot make a directory to move it aside");
  moved = g_build_filename (trash, "old", NULL);
  if (g_rename (o->final, moved) != 0 || g_rename (o->tmp, o->final) != 0)
    {
      int errsv = errno;
      g_rename (moved, o->final);   /* best effort: put FINAL back */
      g_rmdir (trash);
      return io_error (error, errsv, o->final, "cannot replace");
    }
  *old = g_steal_pointer (&trash);
  return TRUE;
}

/* ---- output directories -------------------------------------------- */

MlOutDir *
ml_outdir_begin (const char *final, gboolean force, GError **error)
{
  g_autoptr(MlOutDir) o = NULL;
  g_autofree char *base = NULL;
  g_autofree char *parent = NULL;

  g_return_val_if_fail (final != NULL && *final != '\0', NULL);
  o = g_new0 (MlOutDir, 1);
  o->final = strip_trailing_slashes (final);
  o->force = force;
  base = g_path_get_basename (o->final);
  if (g_str_equal (base, ".") || g_str_equal (base, "..") || g_str_equal (base, G_DIR_SEPARATOR_S))
    {
      g_set_error (error, ML_ERROR, ML_ERROR_USAGE, "%s: cannot be an output directory; name a new one", final);
      return NULL;
    }
  if (!force && path_exists (o->final))
    {
      exists_error (error, o->final);
      return NULL;
    }
  parent = g_path_get_dirname (o->final);
  if (g_mkdir_with_parents (parent, 0777) != 0)
    {
      io_error (error, errno, parent, "cannot create directory");
      return NULL;
    }
  o->tmp = g_strconcat (o->final, ".tmp-XXXXXX", NULL);
  if (g_mkdtemp_full (o->tmp, 0777) == NULL)
    {
      io_error (error, errno, o->final, "cannot create a temporary directory beside it");
      g_clear_pointer (&o->tmp, g_free);
      return NULL;
    }
  return g_steal_pointer (&o);
}

const char *
ml_outdir_path (const MlOutDir *o)
{
  g_return_val_if_fail (o != NULL, NULL);
  return o->tmp;
}

const char *
ml_outdir_final (const MlOutDir *o)
{
  g_return_val_if_fail (o != NULL, NULL);
  return o->final;
}

char *
ml_outdir_file (const MlOutDir *o, const char *name)
{
  g_return_val_if_fail (o != NULL && name != NULL, NULL);
  return g_build_filename (o->tmp, name, NULL);
}

gboolean
ml_outdir_commit (MlOutDir *o, GError **error)
{
  g_autofree char *old = NULL;
  g_autofree char *parent = NULL;
  g_autoptr(GError) cleanup_error = NULL;

  g_return_val_if_fail (o != NULL && o->tmp != NULL && !o->committed, FALSE);
  if (!walk_tree (AT_FDCWD, o->tmp, o->tmp, fsync_entry, error))
    return FALSE;
  if (o->force && path_exists (o->final))
    {
      if (!exchange_into_place (o, &old, error))
        return FALSE;
    }
  else if (!ml_rename_noreplace (o->tmp, o->final, error))
    return FALSE;
  o->committed = TRUE;
  /* FINAL is complete and in place: failing to delete the old tree
   * leaves garbage beside it, not a wrong result. */
  if (old != NULL && !ml_remove_tree (old, &cleanup_error))
    ml_warning ("%s", cleanup_error->message);
  parent = g_path_get_dirname (o->final);
  return ml_fsync_path (parent, error);
}

void
ml_outdir_free (MlOutDir *o)
{
  g_autoptr(GError) error = NULL;

  if (o == NULL)
    return;
  if (!o->committed && o->tmp != NULL && !ml_remove_tree (o->tmp, &error))
    ml_warning ("%s", error->message);
  g_free (o->tmp);
  g_free (o->final);
  g_free (o);
}

/* ---- files --------------------------------------------------------- */

gboolean
ml_write_file_atomic (const char *path, const char *contents, gssize len, GError **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (path != NULL && contents != NULL, FALSE);
  if (g_file_set_contents_full (path, contents, len,
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING,
                                0666, &local))
    return TRUE;
  g_set_error (error, ML_ERROR, ML_ERROR_IO, "%s: cannot write: %s", path, local->message);
  return FALSE;
}

char *
ml_sha256_file (const char *path, GError **error)
{
  g_autoptr(MlSha256) sum = NULL;
  g_autofree guchar *buffer = NULL;
  gssize n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      io_error (error, errno, path, "cannot open");
      return NULL;
    }
  sum = ml_sha256_new ();
  buffer = g_malloc (SHA256_CHUNK);
  while ((n = read (fd, buffer, SHA256_CHUNK)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          io_error (error, errno, path, "cannot read");
          close (fd);
          return NULL;
        }
      ml_sha256_update (sum, buffer, (gsize) n);
    }
  close (fd);
  return g_strdup (ml_sha256_hex (sum));
}
