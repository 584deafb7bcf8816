/*
 * file_cache.c: the files a busy child has served, kept open for the next
 * requests (see file_cache.h for what a hit must prove).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "file_cache.h"

struct file_cache_slot {
	int		fc_fd;
	unsigned	fc_used;	/* file_cache_tick at the last hit */
	dev_t		fc_dev;
	ino_t		fc_ino;
	mode_t		fc_mode;
	uid_t		fc_uid;
	gid_t		fc_gid;
	char		fc_path[FILE_CACHE_PATH_MAX];	/* "": a free slot */
};

static struct file_cache_slot	file_cache[FILE_CACHE_SLOTS];
static unsigned			file_cache_tick;
static int			file_cache_count;	/* slots in use */

static void	file_cache_drop(struct file_cache_slot *);

static void
file_cache_drop(struct file_cache_slot *fc)
{
	close(fc->fc_fd);
	fc->fc_path[0] = '\0';
	file_cache_count--;
}

int
file_cache_get(struct store *st, const char *relpath, struct stat *sb)
{
	struct file_cache_slot	*fc;
	int			 i;

	if (file_cache_count == 0)
		return (-1);
	for (i = 0; i < FILE_CACHE_SLOTS; i++) {
		fc = &file_cache[i];
		if (fc->fc_path[0] != '\0' && strcmp(fc->fc_path, relpath) == 0)
			break;
	}
	if (i == FILE_CACHE_SLOTS)
		return (-1);
	if (fstatat(st->st_rootfd, relpath, sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    sb->st_dev != fc->fc_dev || sb->st_ino != fc->fc_ino ||
	    sb->st_mode != fc->fc_mode || sb->st_uid != fc->fc_uid ||
	    sb->st_gid != fc->fc_gid) {
		file_cache_drop(fc);
		return (-1);
	}
	fc->fc_used = ++file_cache_tick;
	return (fc->fc_fd);
}

void
file_cache_put(const char *relpath, int fd, const struct stat *sb)
{
	struct file_cache_slot	*fc, *victim = NULL;
	size_t			 len = strlen(relpath);
	int			 i;

	if (!S_ISREG(sb->st_mode) || len == 0 || len >= FILE_CACHE_PATH_MAX) {
		close(fd);
		return;
	}
	/* The same path's entry (one name, one slot), a free slot, or else
	 * the least recently used. */
	for (i = 0; i < FILE_CACHE_SLOTS; i++) {
		fc = &file_cache[i];
		if (fc->fc_path[0] == '\0' ||
		    strcmp(fc->fc_path, relpath) == 0) {
			victim = fc;
			break;
		}
		if (victim == NULL || fc->fc_used < victim->fc_used)
			victim = fc;
	}
	if (victim->fc_path[0] != '\0')
		file_cache_drop(victim);
	victim->fc_fd = fd;
	victim->fc_used = ++file_cache_tick;
	victim->fc_dev = sb->st_dev;
	victim->fc_ino = sb->st_ino;
	victim->fc_mode = sb->st_mode;
	victim->fc_uid = sb->st_uid;
	victim->fc_gid = sb->st_gid;
	memcpy(victim->fc_path, relpath, len + 1);
	file_cache_count++;
}

void
file_cache_clear(void)
{
	int	 i;

	for (i = 0; i < FILE_CACHE_SLOTS && file_cache_count > 0; i++)
		if (file_cache[i].fc_path[0] != '\0')
			file_cache_drop(&file_cache[i]);
	file_cache_tick = 0;
}

int
file_cache_held(void)
{
	return (file_cache_count);
}
