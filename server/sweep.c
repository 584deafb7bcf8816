/*
 * sweep.c: removes what interrupted uploads leave in the store once it is
 * older than --partial-age: resumable WHARF/1 partials (.wharf-part.*)
 * that nobody came back for, and the temporaries (.wharf-tmp.*) of
 * uploads cut off by a crash of the whole machine (after a child that
 * dies mid-upload the master removes its temporary at once). Without it
 * a store that takes uploads from flaky clients fills up with hidden
 * files that no client can see, list or delete.
 *
 * An idle child runs it when the master asks (child.c), with the
 * child's privileges and root: it can remove nothing a client's upload
 * could not have created. Directories are opened beneath the root by the
 * kernel (store_openat); the entries are looked at with
 * AT_SYMLINK_NOFOLLOW, so a symlink is never followed, into a directory
 * or to a file; a name is unlinked in the directory it was read from.
 * "Untouched" is by the inode's change time: an upload in progress
 * writes its temporary all the time (and one that moves no byte for
 * --transfer-timeout, which --partial-age must exceed, is ended), and a
 * resumer takes a partial by renaming it, which sets the change time as
 * well, so a file whose change time is older than --partial-age is
 * nobody's. (Between the look and the unlink a new partial of the same
 * name may replace an old one; that client then starts again from 0.)
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "store.h"
#include "sweep.h"
#include "wharfd.h"

#define SWEEP_DEPTH	64	/* directories deeper are not visited */

struct sweep {
	time_t			 sw_cutoff;
	unsigned		 sw_removed;
	unsigned long long	 sw_bytes;
};

static void	 sweep_dir(struct sweep *, const char *rel, int depth);
static void	 sweep_remove(struct sweep *, int dfd, const char *rel,
		    const char *name, const struct stat *);
static int	 sweep_leftover(const char *name);

/* 1 for the names interrupted uploads leave: partials and temporaries. */
static int
sweep_leftover(const char *name)
{
	return (strncmp(name, STORE_PART_PREFIX,
	    sizeof(STORE_PART_PREFIX) - 1) == 0 ||
	    strncmp(name, STORE_TMP_PREFIX, sizeof(STORE_TMP_PREFIX) - 1) == 0);
}

/* Unlinks name, found in dfd (the store's rel), and says so. */
static void
sweep_remove(struct sweep *sw, int dfd, const char *rel, const char *name,
    const struct stat *st)
{
	char	 path[PATH_MAX], esc[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s%s", rel, rel[0] ? "/" : "", name);
	log_escape(esc, sizeof(esc), path, strlen(path));
	if (unlinkat(dfd, name, 0) == -1) {
		log_warn("sweep: cannot remove %s", esc);
		return;
	}
	log_info("sweep: removed %s (%lld bytes, untouched for %lld s)", esc,
	    (long long)st->st_size, (long long)(time(NULL) - st->st_ctime));
	sw->sw_removed++;
	sw->sw_bytes += (unsigned long long)st->st_size;
}

static void
sweep_dir(struct sweep *sw, const char *rel, int depth)
{
	char		 crel[PATH_MAX];
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	int		 fd;

	if (depth > SWEEP_DEPTH)
		return;
	if ((fd = store_openat(&store, rel, O_RDONLY | O_DIRECTORY, 0)) == -1)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	/* A stop or a restart does not wait for a large store's walk. */
	while (!child_stopping && !child_leaving &&
	    (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (sweep_leftover(de->d_name)) {
			if (S_ISREG(st.st_mode) && st.st_ctime < sw->sw_cutoff)
				sweep_remove(sw, dirfd(dir), rel, de->d_name,
				    &st);
			continue;
		}
		/* Other hidden names are wharf's own: nothing to walk. */
		if (!S_ISDIR(st.st_mode) || store_is_hidden(de->d_name))
			continue;
		if (snprintf(crel, sizeof(crel), "%s%s%s", rel,
		    rel[0] ? "/" : "", de->d_name) >= (int)sizeof(crel))
			continue;
		sweep_dir(sw, crel, depth + 1);
	}
	closedir(dir);
}

unsigned
sweep_store(time_t cutoff, unsigned long long *bytes)
{
	struct sweep	 sw;

	memset(&sw, 0, sizeof(sw));
	sw.sw_cutoff = cutoff;
	sweep_dir(&sw, "", 0);
	if (bytes != NULL)
		*bytes = sw.sw_bytes;
	return (sw.sw_removed);
}
