/*
 * file_cache.h: the files a busy child has served, kept open for its
 * next requests. A keep-alive client that asks for the same file again
 * (a poller, a benchmark, a page's assets fetched twice) costs one
 * fstatat(2) instead of openat2, fstat and close.
 *
 * Every hit is checked against the path as it is now (fstatat with
 * AT_SYMLINK_NOFOLLOW from the root): the name must still lead to the same
 * inode (device and number), a regular file with the same mode, owner and
 * group. A file replaced by an upload (a rename), deleted, turned into a
 * symlink, chmod'ed or chown'ed, or behind a directory that can no longer
 * be searched, is opened again through the store, which decides as it
 * would have. The stat returned is the fresh one, so size and times are
 * current after an edit in place. The bytes served always come from a
 * descriptor the store opened beneath the root: fstatat confines nothing,
 * it only proves that the name still means that inode.
 *
 * The cache outlives a connection while the child stays busy, so a
 * client that connects anew for each file (Connection: close) skips the
 * openat2, fstat and close too; a child that has waited FILE_CACHE_IDLE_MS
 * for its next client calls file_cache_clear(), so an idle child holds
 * nothing open (the space of a deleted file comes back within a second
 * of the last reader's child going idle).
 */
#ifndef WHARFD_FILE_CACHE_H
#define WHARFD_FILE_CACHE_H

#include <sys/stat.h>

#include "store.h"

#define FILE_CACHE_SLOTS	8	/* files per child */
#define FILE_CACHE_PATH_MAX	512	/* longer relpaths are not kept */
#define FILE_CACHE_IDLE_MS	1000	/* idle this long: close all */

/*
 * The cached descriptor of relpath, still naming the same unchanged file,
 * with its stat in *sb; or -1 (not cached, or changed: the stale entry is
 * dropped and closed). The descriptor stays the cache's: do not close it.
 */
int	file_cache_get(struct store *, const char *relpath, struct stat *sb);
/*
 * Hand fd, open on the regular file relpath whose fstat is *sb, to the
 * cache, which closes it when it drops the entry (the least recently used
 * goes when all slots are taken). When it cannot be kept (not a regular
 * file, a long path) fd is closed now. Either way the caller no longer
 * owns fd.
 */
void	file_cache_put(const char *relpath, int fd, const struct stat *sb);
/* Close every cached descriptor (the child is idle). */
void	file_cache_clear(void);
/* How many descriptors the cache holds. */
int	file_cache_held(void);

#endif
