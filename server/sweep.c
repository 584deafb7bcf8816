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
 * could not have created. The root is opened beneath itself by the
 * kernel (store_openat), each subdirectory from its parent by its plain
 * name with O_NOFOLLOW, and every entry looked at with
 * AT_SYMLINK_NOFOLLOW: a symlink is never followed, into a directory or
 * to a file, and a name is unlinked in the directory it was read from.
 *
 * "Unchanged" is by the inode's change time, which every write sets, and
 * a rename too: a resumer takes a partial by renaming it (and touches it
 * besides, for filesystems whose rename leaves the time alone). An
 * upload in progress can still go quiet for a while (waiting for the
 * CRC32 line, checking a resumed prefix, an fsync), so the temporaries
 * this pool's busy children record (child_upload_note) are never taken
 * whatever their age, and --partial-age must be longer than any quiet
 * spell a deadline allows (main.c), for other instances on a shared
 * store. Between the look and the unlink a new partial of the same name
 * may replace an old one; that client then starts again from 0.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "scoreboard.h"
#include "store.h"
#include "sweep.h"
#include "wharfd.h"

#define SWEEP_DEPTH	64	/* directories deeper are not visited */

struct sweep {
	time_t			 sw_cutoff;
	unsigned		 sw_removed;
	unsigned long long	 sw_bytes;
};

static void	 sweep_dir(struct sweep *, int fd, const char *rel, int depth);
static void	 sweep_remove(struct sweep *, int dfd, const char *rel,
		    const char *name, const struct stat *);
static int	 sweep_leftover(const char *name);
static int	 sweep_in_use(const char *name);

/* 1 for the names interrupted uploads leave: partials and temporaries. */
static int
sweep_leftover(const char *name)
{
	return (strncmp(name, STORE_PART_PREFIX,
	    sizeof(STORE_PART_PREFIX) - 1) == 0 ||
	    strncmp(name, STORE_TMP_PREFIX, sizeof(STORE_TMP_PREFIX) - 1) == 0);
}

/*
 * 1 when a busy child records name as the temporary of its upload in
 * progress (child_upload_note): whatever its age, it is alive. Idle
 * children hold none, and their records' pages are left untouched.
 */
static int
sweep_in_use(const char *name)
{
	const struct sb_slot	*slot;
	const struct sb_upload	*up;
	unsigned		 i, used;

	used = atomic_load(&scoreboard->sb_used);
	for (i = 0; i < used && i < scoreboard->sb_nslots; i++) {
		slot = &scoreboard->sb_slots[i];
		if (slot->sl_pid == 0 || slot->sl_state <= SL_IDLE ||
		    slot == child_slot)
			continue;
		up = scoreboard_upload(slot);
		if (strncmp(up->up_tmp, name, sizeof(up->up_tmp)) == 0)
			return (1);
	}
	return (0);
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
		/* Resumed, completed or swept by another instance meanwhile. */
		if (errno != ENOENT)
			log_warn("sweep: cannot remove %s", esc);
		return;
	}
	log_info("sweep: removed %s (%lld bytes, unchanged for %lld s)", esc,
	    (long long)st->st_size, (long long)(time(NULL) - st->st_ctime));
	sw->sw_removed++;
	sw->sw_bytes += (unsigned long long)st->st_size;
}

/*
 * The directory open as fd, the store's rel; fd is closed. A
 * subdirectory is opened from its parent by its plain name with
 * O_NOFOLLOW: never through a symlink, never above the root.
 */
static void
sweep_dir(struct sweep *sw, int fd, const char *rel, int depth)
{
	char		 crel[PATH_MAX];
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	int		 cfd;

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
			if (S_ISREG(st.st_mode) && st.st_ctime < sw->sw_cutoff &&
			    !sweep_in_use(de->d_name))
				sweep_remove(sw, dirfd(dir), rel, de->d_name,
				    &st);
			continue;
		}
		/* Other hidden names are wharf's own: nothing to walk. */
		if (!S_ISDIR(st.st_mode) || store_is_hidden(de->d_name) ||
		    depth >= SWEEP_DEPTH)
			continue;
		if (snprintf(crel, sizeof(crel), "%s%s%s", rel,
		    rel[0] ? "/" : "", de->d_name) >= (int)sizeof(crel))
			continue;
		if ((cfd = openat(dirfd(dir), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1) {
			log_debug("sweep: cannot open %s: %s", crel,
			    strerror(errno));
			continue;
		}
		sweep_dir(sw, cfd, crel, depth + 1);
	}
	closedir(dir);
}

unsigned
sweep_store(time_t cutoff, unsigned long long *bytes)
{
	struct sweep	 sw;
	int		 fd;

	memset(&sw, 0, sizeof(sw));
	sw.sw_cutoff = cutoff;
	if ((fd = store_openat(&store, "", O_RDONLY | O_DIRECTORY, 0)) == -1)
		log_warn("sweep: cannot open the store");
	else
		sweep_dir(&sw, fd, "", 0);
	if (bytes != NULL)
		*bytes = sw.sw_bytes;
	return (sw.sw_removed);
}
