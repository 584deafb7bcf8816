/*
 * store.h: the store, the one directory tree wharfd serves.  Every path a
 * client names is resolved beneath the root by the kernel (openat2(2) with
 * RESOLVE_BENEATH, or an O_NOFOLLOW walk where openat2 is missing); uploads
 * become visible atomically, by rename.
 *
 * Conventions for every function below:
 * - A "relpath" is a path as store_normalize() returns it: relative to the
 *   root, no leading or trailing '/', no empty, "." or ".." component and
 *   no hidden component; "" is the root itself.  Functions that take one
 *   still let the kernel confine it, so an unnormalised path cannot escape,
 *   it only fails.
 * - Functions returning int return 0 (or an fd) on success and -1 with
 *   errno set on failure, unless said otherwise.  No function allocates
 *   memory; fds returned are the caller's to close.
 * - An attempt to leave the root fails with EXDEV (openat2: a "..", an
 *   absolute path or a symlink leading out, including any absolute
 *   symlink) or ELOOP (a magic link such as /proc/self/root; and, on the
 *   fallback walk, every symlink, even one that stays inside).  Callers map
 *   both to "permission denied" for the client.
 */
#ifndef STORE_H
#define STORE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>

/* Names beginning with this are wharf's own and never listed or served. */
#define STORE_HIDDEN_PREFIX	".wharf-"
#define STORE_TMP_PREFIX	".wharf-tmp."
/* A resumable WHARF/1 upload that was cut off (wharf_transfer.c). */
#define STORE_PART_PREFIX	".wharf-part."

struct store {
	int	st_rootfd;	/* O_RDONLY|O_DIRECTORY fd of the root, or -1 */
	int	st_writable;	/* 0: put/mkdir/delete/rename fail EROFS */
	int	st_fsync;	/* 1 (default): uploads are fsync'd */
	int	st_fallback;	/* 1: O_NOFOLLOW walk instead of openat2 */
	/*
	 * NULL, or told of every upload's temporary: (relpath, tmp) once
	 * store_put_begin() has created it, (NULL, NULL) once it is gone
	 * (renamed into place, or unlinked).  The child records it where
	 * the master can clean up after a child that dies mid-upload.
	 */
	void	(*st_upload_hook)(const char *relpath, const char *tmp);
};

/*
 * Nonzero before store_open() makes it choose the fallback walk even when
 * openat2 works (for tests).  A caller may also set st_fallback to 1 after
 * store_open(); setting it to 0 where openat2 is missing breaks every open.
 */
extern int store_force_fallback;

/*
 * Opens root (O_RDONLY|O_DIRECTORY|O_CLOEXEC; a symlink as root is
 * followed: the administrator named it) and probes openat2 once: if it
 * fails for any reason (ENOSYS on old kernels, EPERM under a seccomp
 * filter), st_fallback is set.  st_fsync is set to 1.  Returns 0, or -1
 * with errno from open(2) and st_rootfd = -1.
 */
int	store_open(struct store *, const char *root, int writable);

/* Closes the root fd; safe to call twice. */
void	store_close(struct store *);

/*
 * Turns a client path (already percent- or wire-decoded, NUL-terminated)
 * into a relpath in out, which holds outsz bytes: leading, trailing and
 * repeated '/' and "." components go, "" means the root.  Every byte other
 * than '/' and NUL is ordinary, including control bytes, newlines,
 * backslashes and non-UTF-8.  This is a first line of defence only: the
 * kernel confines the result again.  out may be in itself (normalising
 * in place: the result is never longer than in); otherwise the two must
 * not overlap.
 * Returns 0, or an errno value (not -1; errno is not set):
 *   EACCES        a ".." component;
 *   ENOENT        a component starting with ".wharf-" (hidden);
 *   ENAMETOOLONG  a component longer than NAME_MAX, a result of PATH_MAX
 *                 bytes or more, or a result that does not fit in out;
 *   EINVAL        in or out is NULL.
 * The first offending component, left to right, decides.  On error out is
 * "" when outsz > 0.
 */
int	store_normalize(const char *in, char *out, size_t outsz);

/*
 * Returns 1 when a directory entry named name must never be listed or
 * served: ".", "..", "", or a name beginning with ".wharf-"; else 0.
 */
int	store_is_hidden(const char *name);

/*
 * Opens relpath beneath the root with open(2) flags (O_CLOEXEC is always
 * added; O_CREAT uses mode).  "" opens the root itself (as ".").  Returns
 * a new fd owned by the caller, or -1 with errno: ENOENT for a hidden
 * component, EXDEV or ELOOP for an escape (see above), or whatever open(2)
 * says.  openat2 may return EAGAIN when a rename races a ".."; that is
 * retried a few times before it is returned.
 */
/* (Read-only opens get O_NONBLOCK, so a FIFO cannot block the caller.) */
int	store_openat(struct store *, const char *relpath, int flags,
	    mode_t mode);

/*
 * Fills sb for relpath (symlinks inside the root followed with openat2),
 * through an O_PATH fd opened beneath the root.  Returns 0 or -1/errno
 * like store_openat().
 */
int	store_stat(struct store *, const char *relpath, struct stat *sb);

/*
 * Opens, beneath the root, the directory holding relpath's last component
 * (O_RDONLY|O_DIRECTORY|O_CLOEXEC) and points *namep into relpath at that
 * component.  Returns the directory fd (the caller's to close) or -1:
 * EBUSY for "" (the root has no parent here), EINVAL when the last
 * component is empty, "." or "..", ENOENT when it is hidden, or any error
 * of store_openat() on the parent.  This is how everything that creates,
 * removes or renames stays confined: only the last component is used
 * outside the kernel's confinement, and it is a single plain name.
 */
int	store_open_parent(struct store *, const char *relpath,
	    const char **namep);

/*
 * An upload in progress: data goes to the hidden temporary su_tmp in the
 * target's directory (su_dirfd) until store_put_commit() renames it to
 * su_name.  Give it STORE_UPLOAD_INITIALIZER, or let store_put_begin()
 * initialise it (it does so even when it fails).
 */
struct store_upload {
	int	su_dirfd;	/* target's directory, or -1 */
	int	su_fd;		/* the temporary, written by the caller, or -1 */
	char	su_tmp[64];	/* ".wharf-tmp.<16 hex>", or "" once gone */
	char	su_name[256];	/* the target's last component */
	void	(*su_hook)(const char *, const char *);	/* st_upload_hook */
};

#define STORE_UPLOAD_INITIALIZER	{ -1, -1, "", "", NULL }

/*
 * Starts an upload to relpath: opens its directory beneath the root and
 * creates ".wharf-tmp.<random>" there (O_CREAT|O_EXCL|O_WRONLY, 0644 less
 * umask).  The caller writes to su->su_fd, then calls store_put_commit()
 * or store_put_abort().  Returns 0, or -1 with errno: EROFS (store not
 * writable), EISDIR (relpath is "" or an existing directory), the errors
 * of store_open_parent(), or open(2)'s.  On failure nothing is left behind
 * and su is as after store_put_abort().
 */
int	store_put_begin(struct store *, const char *relpath,
	    struct store_upload *su);

/*
 * Makes the upload visible, in this order: fsync the temporary (when
 * st_fsync), close it, rename it over su_name (with RENAME_NOREPLACE when
 * noclobber: EEXIST if the target exists; a link(2) + unlink(2) pair where
 * the filesystem lacks RENAME_NOREPLACE), fsync the directory (when
 * st_fsync).  Returns 0, or -1 with errno: EBADF when su holds no upload,
 * EEXIST, or the failing call's error.  A failure before the rename
 * unlinks the temporary, and the target is untouched; a failure of the
 * final directory fsync leaves the new file in place but not known to be
 * durable.  Either way su is released, as by store_put_abort().
 */
int	store_put_commit(struct store *, struct store_upload *su,
	    int noclobber);

/*
 * Unlinks the temporary (if it still exists) and closes both fds.  Keeps
 * errno.  Safe to call twice, after a failed store_put_begin() and after
 * store_put_commit().
 */
void	store_put_abort(struct store_upload *su);

/*
 * mkdirat(2) of relpath's last component in its directory, opened beneath
 * the root.  Returns 0, or -1 with errno: EROFS, EEXIST (also for ""), the
 * errors of store_open_parent(), or mkdirat(2)'s.
 */
int	store_mkdir(struct store *, const char *relpath, mode_t mode);

/*
 * Removes relpath: a file or symlink (the link itself) with unlinkat(2),
 * an empty directory with AT_REMOVEDIR.  Returns 0, or -1 with errno:
 * EROFS, EBUSY for "" (the root), ENOTEMPTY, the errors of
 * store_open_parent(), or unlinkat(2)'s.
 */
int	store_delete(struct store *, const char *relpath);

/*
 * Renames from to to, both beneath the root; with noclobber, fails EEXIST
 * instead of replacing an existing to.  Returns 0, or -1 with errno: EROFS,
 * EBUSY when either is "" (the root), the errors of store_open_parent(),
 * or renameat2(2)'s.
 */
int	store_rename(struct store *, const char *from, const char *to,
	    int noclobber);

#endif /* STORE_H */
