/*
 * store.c: where paths are confined to the root.  Every client path is
 * resolved beneath the root by the kernel: openat2(2) with RESOLVE_BENEATH,
 * or, where openat2 is missing or filtered, a walk one component at a time
 * that refuses every symlink.  Also the atomic upload (hidden temporary,
 * fsync, rename, fsync of the directory), mkdir, delete and rename, each
 * done relative to a parent directory opened the same confined way.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

/*
 * openat2 returns EAGAIN when a rename or mount races a ".." it resolves
 * (only possible through a symlink: relpaths hold no ".."); the race is
 * rare, so a few retries suffice and bound the work an attacker can cause.
 */
#define STORE_EAGAIN_RETRIES	8

/* O_EXCL collisions of 64 random bits are not expected even once. */
#define STORE_TMP_TRIES		8

int store_force_fallback;

static int	store_has_hidden(const char *);
static int	store_is_dots(const char *);
static int	store_resolve(struct store *, const char *, int, mode_t);
static int	store_openat2(struct store *, const char *, int, mode_t);
static int	store_walk(struct store *, const char *, int, mode_t);
static int	store_walk_step(struct store *, int *, const char *);
static int	store_tmpname(char *, size_t);
static int	store_rename_noreplace(int, const char *, int, const char *);

int
store_open(struct store *st, const char *root, int writable)
{
	struct open_how	 how;
	long		 fd;

	st->st_rootfd = -1;
	st->st_writable = writable != 0;
	st->st_fsync = 1;
	st->st_fallback = 1;
	st->st_upload_hook = NULL;

	if ((st->st_rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	    == -1)
		return (-1);

	/*
	 * Probe once.  Any failure (ENOSYS before Linux 5.6, EPERM from a
	 * seccomp filter, E2BIG from a kernel with another struct) means
	 * the walk, which is stricter, so erring towards it is safe.
	 */
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
#ifdef SYS_openat2
	fd = syscall(SYS_openat2, st->st_rootfd, ".", &how, sizeof(how));
#else
	fd = -1;
#endif
	if (fd >= 0) {
		close((int)fd);
		st->st_fallback = store_force_fallback != 0;
	}
	return (0);
}

void
store_close(struct store *st)
{
	if (st->st_rootfd >= 0)
		close(st->st_rootfd);
	st->st_rootfd = -1;
}

int
store_normalize(const char *in, char *out, size_t outsz)
{
	const char	*p, *name;
	size_t		 len, used = 0;
	int		 error = 0;

	if (in == NULL || out == NULL)
		return (EINVAL);
	if (outsz == 0)
		return (ENAMETOOLONG);

	for (p = in; error == 0; ) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		name = p;
		len = strcspn(p, "/");
		p += len;

		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			error = EACCES;
			break;
		}
		if (len >= sizeof(STORE_HIDDEN_PREFIX) - 1 &&
		    memcmp(name, STORE_HIDDEN_PREFIX,
		    sizeof(STORE_HIDDEN_PREFIX) - 1) == 0) {
			error = ENOENT;
			break;
		}
		if (len > NAME_MAX) {
			error = ENAMETOOLONG;
			break;
		}
		/* Room for a '/', the name and the final NUL. */
		if ((used > 0 ? used + 1 : 0) + len >= outsz ||
		    (used > 0 ? used + 1 : 0) + len >= PATH_MAX) {
			error = ENAMETOOLONG;
			break;
		}
		if (used > 0)
			out[used++] = '/';
		/* In place, out + used is never past name: memmove. */
		memmove(out + used, name, len);
		used += len;
	}
	out[error == 0 ? used : 0] = '\0';
	return (error);
}

int
store_is_hidden(const char *name)
{
	if (name == NULL || name[0] == '\0' || store_is_dots(name))
		return (1);
	return (strncmp(name, STORE_HIDDEN_PREFIX,
	    sizeof(STORE_HIDDEN_PREFIX) - 1) == 0);
}

int
store_openat(struct store *st, const char *relpath, int flags, mode_t mode)
{
	/*
	 * A FIFO in the store must not block a child in open(2): read-only
	 * opens never block. Callers refuse what is not a regular file or
	 * a directory; O_NONBLOCK changes nothing for those.
	 */
	if ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_PATH))
		flags |= O_NONBLOCK;
	return (store_resolve(st, relpath, flags, mode));
}

int
store_stat(struct store *st, const char *relpath, struct stat *sb)
{
	int	fd, saved;

	if ((fd = store_resolve(st, relpath, O_PATH, 0)) == -1)
		return (-1);
	if (fstat(fd, sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	close(fd);
	return (0);
}

int
store_open_parent(struct store *st, const char *relpath, const char **namep)
{
	char		 parent[PATH_MAX];
	const char	*slash, *name;
	size_t		 len;

	if (relpath == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if (relpath[0] == '\0') {
		errno = EBUSY;
		return (-1);
	}
	if ((slash = strrchr(relpath, '/')) != NULL)
		name = slash + 1;
	else
		name = relpath;
	if (name[0] == '\0' || store_is_dots(name)) {
		errno = EINVAL;
		return (-1);
	}
	if (store_is_hidden(name)) {
		errno = ENOENT;
		return (-1);
	}
	if (strlen(name) > NAME_MAX) {
		errno = ENAMETOOLONG;
		return (-1);
	}

	/*
	 * The parent of "x" is the root; that of "/x" is "/", which the
	 * kernel refuses like any absolute path.
	 */
	if (slash == NULL)
		len = 0;
	else if (slash == relpath)
		len = 1;
	else
		len = (size_t)(slash - relpath);
	if (len >= sizeof(parent)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(parent, relpath, len);
	parent[len] = '\0';

	*namep = name;
	return (store_resolve(st, parent, O_RDONLY | O_DIRECTORY, 0));
}

int
store_put_begin(struct store *st, const char *relpath, struct store_upload *su)
{
	struct stat	 sb;
	const char	*name;
	int		 dirfd, fd = -1, tries, saved;

	su->su_dirfd = -1;
	su->su_fd = -1;
	su->su_tmp[0] = '\0';
	su->su_name[0] = '\0';
	su->su_hook = NULL;

	if (!st->st_writable) {
		errno = EROFS;
		return (-1);
	}
	if (relpath != NULL && relpath[0] == '\0') {
		errno = EISDIR;
		return (-1);
	}
	if ((dirfd = store_open_parent(st, relpath, &name)) == -1)
		return (-1);

	/* Not following a symlink: the rename replaces the link itself. */
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			errno = EISDIR;
			goto fail;
		}
	} else if (errno != ENOENT)
		goto fail;

	/* store_open_parent() checked name against NAME_MAX. */
	memcpy(su->su_name, name, strlen(name) + 1);

	for (tries = 0; tries < STORE_TMP_TRIES; tries++) {
		if (store_tmpname(su->su_tmp, sizeof(su->su_tmp)) == -1)
			goto fail;
		fd = openat(dirfd, su->su_tmp,
		    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		su->su_tmp[0] = '\0';
		goto fail;
	}

	su->su_dirfd = dirfd;
	su->su_fd = fd;
	if ((su->su_hook = st->st_upload_hook) != NULL)
		su->su_hook(relpath, su->su_tmp);
	return (0);

 fail:
	saved = errno;
	close(dirfd);
	su->su_tmp[0] = '\0';
	su->su_name[0] = '\0';
	errno = saved;
	return (-1);
}

int
store_put_commit(struct store *st, struct store_upload *su, int noclobber)
{
	int	fd, rv;

	if (su->su_fd < 0 || su->su_dirfd < 0 || su->su_tmp[0] == '\0' ||
	    su->su_name[0] == '\0') {
		store_put_abort(su);
		errno = EBADF;
		return (-1);
	}

	if (st->st_fsync && fsync(su->su_fd) == -1)
		goto fail;

	/* close(2) is where NFS reports a failed write-back. */
	fd = su->su_fd;
	su->su_fd = -1;
	if (close(fd) == -1 && errno != EINTR)
		goto fail;

	if (noclobber)
		rv = store_rename_noreplace(su->su_dirfd, su->su_tmp,
		    su->su_dirfd, su->su_name);
	else
		rv = renameat(su->su_dirfd, su->su_tmp, su->su_dirfd,
		    su->su_name);
	if (rv == -1)
		goto fail;
	su->su_tmp[0] = '\0';

	/*
	 * Makes the rename itself durable.  EINVAL: a filesystem that
	 * cannot sync a directory, where there is nothing more to do.
	 */
	if (st->st_fsync && fsync(su->su_dirfd) == -1 && errno != EINVAL)
		goto fail;

	store_put_abort(su);
	return (0);

 fail:
	store_put_abort(su);
	return (-1);
}

void
store_put_abort(struct store_upload *su)
{
	int	saved = errno;

	if (su->su_fd >= 0)
		close(su->su_fd);
	su->su_fd = -1;
	if (su->su_dirfd >= 0) {
		if (su->su_tmp[0] != '\0')
			unlinkat(su->su_dirfd, su->su_tmp, 0);
		close(su->su_dirfd);
		if (su->su_hook != NULL)
			su->su_hook(NULL, NULL);
	}
	su->su_hook = NULL;
	su->su_dirfd = -1;
	su->su_tmp[0] = '\0';
	errno = saved;
}

int
store_mkdir(struct store *st, const char *relpath, mode_t mode)
{
	const char	*name;
	int		 dirfd, rv, saved;

	if (!st->st_writable) {
		errno = EROFS;
		return (-1);
	}
	if (relpath != NULL && relpath[0] == '\0') {
		errno = EEXIST;
		return (-1);
	}
	if ((dirfd = store_open_parent(st, relpath, &name)) == -1)
		return (-1);
	rv = mkdirat(dirfd, name, mode);
	saved = errno;
	close(dirfd);
	errno = saved;
	return (rv);
}

int
store_delete(struct store *st, const char *relpath)
{
	const char	*name;
	int		 dirfd, rv, saved;

	if (!st->st_writable) {
		errno = EROFS;
		return (-1);
	}
	if ((dirfd = store_open_parent(st, relpath, &name)) == -1)
		return (-1);
	/* Linux says EISDIR when unlink(2) meets a directory. */
	if ((rv = unlinkat(dirfd, name, 0)) == -1 && errno == EISDIR)
		rv = unlinkat(dirfd, name, AT_REMOVEDIR);
	saved = errno;
	close(dirfd);
	errno = saved;
	return (rv);
}

int
store_rename(struct store *st, const char *from, const char *to,
    int noclobber)
{
	const char	*fromname, *toname;
	int		 fromfd, tofd, rv, saved;

	if (!st->st_writable) {
		errno = EROFS;
		return (-1);
	}
	if ((fromfd = store_open_parent(st, from, &fromname)) == -1)
		return (-1);
	if ((tofd = store_open_parent(st, to, &toname)) == -1) {
		saved = errno;
		close(fromfd);
		errno = saved;
		return (-1);
	}
	if (noclobber)
		rv = store_rename_noreplace(fromfd, fromname, tofd, toname);
	else
		rv = renameat(fromfd, fromname, tofd, toname);
	saved = errno;
	close(fromfd);
	close(tofd);
	errno = saved;
	return (rv);
}

/* 1 when some component of relpath is a hidden name. */
static int
store_has_hidden(const char *relpath)
{
	const char	*p = relpath;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			return (0);
		if (strncmp(p, STORE_HIDDEN_PREFIX,
		    sizeof(STORE_HIDDEN_PREFIX) - 1) == 0)
			return (1);
		p += strcspn(p, "/");
	}
}

static int
store_is_dots(const char *name)
{
	return (strcmp(name, ".") == 0 || strcmp(name, "..") == 0);
}

/* The one door to the filesystem: every open of a client path is here. */
static int
store_resolve(struct store *st, const char *relpath, int flags, mode_t mode)
{
	if (st->st_rootfd < 0) {
		errno = EBADF;
		return (-1);
	}
	if (relpath == NULL) {
		errno = EINVAL;
		return (-1);
	}
	/* The kernel cannot know our hidden names; they are never served. */
	if (store_has_hidden(relpath)) {
		errno = ENOENT;
		return (-1);
	}
	if (relpath[0] == '\0')
		relpath = ".";
	flags |= O_CLOEXEC;
	/* openat2 insists on a zero mode unless a file may be created. */
	if ((flags & O_CREAT) == 0 && (flags & O_TMPFILE) != O_TMPFILE)
		mode = 0;

	if (st->st_fallback)
		return (store_walk(st, relpath, flags, mode));
	return (store_openat2(st, relpath, flags, mode));
}

static int
store_openat2(struct store *st, const char *relpath, int flags, mode_t mode)
{
#ifdef SYS_openat2
	struct open_how	 how;
	long		 fd;
	int		 tries;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned int)flags;
	how.mode = mode;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	for (tries = 0; tries < STORE_EAGAIN_RETRIES; tries++) {
		fd = syscall(SYS_openat2, st->st_rootfd, relpath, &how,
		    sizeof(how));
		if (fd >= 0)
			return ((int)fd);
		if (errno != EAGAIN && errno != EINTR)
			break;
	}
	return (-1);
#else
	(void)st;
	(void)relpath;
	(void)flags;
	(void)mode;
	errno = ENOSYS;
	return (-1);
#endif
}

/*
 * The fallback: one openat(2) per component, each refusing a symlink, so
 * the path can only go down from the root.  Every symlink is refused, even
 * one that would stay inside: following it safely means redoing in user
 * space what openat2 does in the kernel.  ".." and absolute paths fail
 * EXDEV as they do with openat2.
 */
static int
store_walk(struct store *st, const char *relpath, int flags, mode_t mode)
{
	char		 buf[PATH_MAX];
	struct stat	 sb;
	const char	*pending = NULL, *name;
	char		*p;
	size_t		 len;
	int		 dirfd = st->st_rootfd, fd = -1, saved;

	if ((len = strlen(relpath)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(buf, relpath, len + 1);
	if (buf[0] == '/') {
		errno = EXDEV;
		return (-1);
	}

	/* Each name is opened as a directory once a later one is seen. */
	for (p = buf;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		name = p;
		p += strcspn(p, "/");
		if (*p != '\0')
			*p++ = '\0';
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			errno = EXDEV;
			goto fail;
		}
		if (pending != NULL &&
		    store_walk_step(st, &dirfd, pending) == -1)
			goto fail;
		pending = name;
	}
	if (pending == NULL)
		pending = ".";

	fd = openat(dirfd, pending, flags | O_NOFOLLOW, mode);
	if (fd >= 0 && (flags & O_PATH)) {
		/* O_PATH|O_NOFOLLOW opens a symlink itself: refuse it. */
		if (fstat(fd, &sb) == -1)
			goto fail;
		if (S_ISLNK(sb.st_mode)) {
			errno = ELOOP;
			goto fail;
		}
	} else if (fd == -1 && errno == ENOTDIR && (flags & O_DIRECTORY)) {
		/* O_DIRECTORY wins over O_NOFOLLOW; say what really failed. */
		if (fstatat(dirfd, pending, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(sb.st_mode))
			errno = ELOOP;
		else
			errno = ENOTDIR;
		goto fail;
	} else if (fd == -1)
		goto fail;

	if (dirfd != st->st_rootfd)
		close(dirfd);
	return (fd);

 fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (dirfd != st->st_rootfd)
		close(dirfd);
	errno = saved;
	return (-1);
}

/*
 * Replaces *dirfd (closing it unless it is the root) by an O_PATH fd of
 * its entry name, which must be a real directory.  O_PATH needs only
 * search permission; O_DIRECTORY is left out because with it the kernel
 * reports a symlink as ENOTDIR rather than ELOOP.
 */
static int
store_walk_step(struct store *st, int *dirfd, const char *name)
{
	struct stat	sb;
	int		fd, saved;

	if ((fd = openat(*dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (S_ISLNK(sb.st_mode)) {
		errno = ELOOP;
		goto fail;
	}
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	if (*dirfd != st->st_rootfd)
		close(*dirfd);
	*dirfd = fd;
	return (0);

 fail:
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
}

/* Writes ".wharf-tmp." and 16 random hex digits to buf. */
static int
store_tmpname(char *buf, size_t bufsz)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 rnd[8];
	char			 digits[2 * sizeof(rnd) + 1];
	size_t			 i;
	ssize_t			 n;
	int			 len;

	for (i = 0; i < sizeof(rnd); i += (size_t)n) {
		n = getrandom(rnd + i, sizeof(rnd) - i, 0);
		if (n == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return (-1);
		}
	}
	for (i = 0; i < sizeof(rnd); i++) {
		digits[2 * i] = hex[rnd[i] >> 4];
		digits[2 * i + 1] = hex[rnd[i] & 0xf];
	}
	digits[2 * sizeof(rnd)] = '\0';

	len = snprintf(buf, bufsz, "%s%s", STORE_TMP_PREFIX, digits);
	if (len < 0 || (size_t)len >= bufsz) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (0);
}

/*
 * renameat2(RENAME_NOREPLACE), or where the filesystem or kernel lacks it
 * (EINVAL, ENOSYS: older NFS, FUSE), link(2) then unlink(2), which fails
 * EEXIST just as atomically but works on non-directories only.
 */
static int
store_rename_noreplace(int fromfd, const char *from, int tofd, const char *to)
{
	int	saved;

	if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
		return (0);
	if (errno != EINVAL && errno != ENOSYS)
		return (-1);
	saved = errno;
	if (linkat(fromfd, from, tofd, to, 0) == -1) {
		/* A directory: the original error is the one to report. */
		if (errno != EEXIST)
			errno = saved;
		return (-1);
	}
	return (unlinkat(fromfd, from, 0));
}
