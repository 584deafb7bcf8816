/*
 * test_file_cache.c: unit test of server/file_cache.c, the files a
 * connection keeps open. A table of changes made to a cached file between
 * two requests, each with the answer the cache must give: the same
 * descriptor (the name still means that inode) or a miss (the store must
 * decide again). Then eviction, long paths and clearing, checked by
 * whether the descriptors are still open. Prints TAP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_cache.h"
#include "store.h"
#include "tap.h"

#define HIT	1
#define MISS	0

struct change_case {
	const char	*cc_name;
	const char	*cc_path;	/* relpath cached, then asked again */
	void		(*cc_change)(void);
	int		 cc_hit;
	long long	 cc_size;	/* the size a hit must report, or -1 */
};

static char		 tmpdir[512], rootdir[600], outdir[600];
static struct store	 store;

static void	 path(char *, size_t, const char *);
static void	 put_file(const char *, const char *);
static int	 is_open(int);
static int	 rm_entry(const char *, const struct stat *, int,
		    struct FTW *);
static void	 setup(void);
static int	 cache(const char *);

static void	 ch_none(void);
static void	 ch_edit_same_size(void);
static void	 ch_append(void);
static void	 ch_touch(void);
static void	 ch_rename_over(void);
static void	 ch_unlink(void);
static void	 ch_symlink(void);
static void	 ch_chmod(void);
static void	 ch_hardlink(void);
static void	 ch_dir_replaced(void);
static void	 ch_dir_symlink_out(void);
static void	 ch_dir_unsearchable(void);
static void	 ch_to_dir(void);

static const struct change_case cases[] = {
	{ "unchanged",		"f",	ch_none,		HIT,	5 },
	{ "edited in place, same size", "f", ch_edit_same_size,	HIT,	5 },
	{ "appended to",	"f",	ch_append,		HIT,	10 },
	{ "times changed",	"f",	ch_touch,		HIT,	5 },
	{ "another name linked to it", "f", ch_hardlink,	HIT,	5 },
	{ "replaced by rename (an upload)", "f", ch_rename_over, MISS,	-1 },
	{ "deleted",		"f",	ch_unlink,		MISS,	-1 },
	{ "replaced by a symlink", "f",	ch_symlink,		MISS,	-1 },
	{ "chmod 000",		"f",	ch_chmod,		MISS,	-1 },
	{ "replaced by a directory", "f", ch_to_dir,		MISS,	-1 },
	{ "unchanged, in a subdirectory", "d/g", ch_none,	HIT,	5 },
	{ "its directory replaced", "d/g", ch_dir_replaced,	MISS,	-1 },
	{ "its directory now a symlink out", "d/g", ch_dir_symlink_out, MISS, -1 },
	{ "its directory not searchable", "d/g", ch_dir_unsearchable, MISS, -1 },
};

static void
path(char *buf, size_t sz, const char *rel)
{
	if ((size_t)snprintf(buf, sz, "%s/%s", rootdir, rel) >= sz)
		abort();
}

static void
put_file(const char *rel, const char *content)
{
	char	 p[1024];
	FILE	*f;

	path(p, sizeof(p), rel);
	if ((f = fopen(p, "w")) == NULL || fputs(content, f) == EOF ||
	    fclose(f) == EOF) {
		perror(p);
		exit(2);
	}
}

static int
is_open(int fd)
{
	return (fcntl(fd, F_GETFD) != -1 || errno != EBADF);
}

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		return (rmdir(p));
	return (unlink(p));
}

/* A fresh root with f and d/g, open as the store, and an empty
 * directory outside it. */
static void
setup(void)
{
	char	 p[1024];

	chmod(rootdir, 0755);
	path(p, sizeof(p), "d");
	chmod(p, 0755);
	nftw(rootdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	nftw(outdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(rootdir, 0755) == -1 || mkdir(outdir, 0755) == -1) {
		perror("mkdir");
		exit(2);
	}
	path(p, sizeof(p), "d");
	mkdir(p, 0755);
	put_file("f", "hello");
	put_file("d/g", "world");
	/* The root was made again: so is the store's descriptor of it. */
	store_close(&store);
	if (store_open(&store, rootdir, 0) == -1) {
		perror(rootdir);
		exit(2);
	}
}

/* Open rel through the store, as http_get does, and hand it over. */
static int
cache(const char *rel)
{
	struct stat	 sb;
	int		 fd;

	if ((fd = store_openat(&store, rel, O_RDONLY, 0)) == -1 ||
	    fstat(fd, &sb) == -1) {
		perror(rel);
		exit(2);
	}
	file_cache_put(rel, fd, &sb);
	return (fd);
}

static void
ch_none(void)
{
}

static void
ch_edit_same_size(void)
{
	char	 p[1024];
	int	 fd;

	path(p, sizeof(p), "f");
	if ((fd = open(p, O_WRONLY)) == -1 || write(fd, "HELLO", 5) != 5)
		exit(2);
	close(fd);
}

static void
ch_append(void)
{
	char	 p[1024];
	FILE	*f;

	path(p, sizeof(p), "f");
	if ((f = fopen(p, "a")) == NULL || fputs("there", f) == EOF)
		exit(2);
	fclose(f);
}

static void
ch_touch(void)
{
	struct timespec	 ts[2] = { { 1, 0 }, { 1, 0 } };
	char		 p[1024];

	path(p, sizeof(p), "f");
	utimensat(AT_FDCWD, p, ts, 0);
}

static void
ch_hardlink(void)
{
	char	 p[1024], q[1024];

	path(p, sizeof(p), "f");
	path(q, sizeof(q), "f2");
	link(p, q);
}

static void
ch_rename_over(void)
{
	char	 p[1024], q[1024];

	put_file("new", "fresh");
	path(p, sizeof(p), "new");
	path(q, sizeof(q), "f");
	rename(p, q);
}

static void
ch_unlink(void)
{
	char	 p[1024];

	path(p, sizeof(p), "f");
	unlink(p);
}

static void
ch_symlink(void)
{
	char	 p[1024], q[1024];

	path(p, sizeof(p), "f");
	path(q, sizeof(q), "f.old");
	rename(p, q);
	symlink("f.old", p);
}

static void
ch_chmod(void)
{
	char	 p[1024];

	path(p, sizeof(p), "f");
	chmod(p, 0);
}

static void
ch_to_dir(void)
{
	char	 p[1024];

	path(p, sizeof(p), "f");
	unlink(p);
	mkdir(p, 0755);
}

static void
ch_dir_replaced(void)
{
	char	 p[1024], q[1024];

	path(p, sizeof(p), "d");
	path(q, sizeof(q), "d.old");
	rename(p, q);
	mkdir(p, 0755);
	put_file("d/g", "other");
}

/* The directory leads out of the store to a look-alike of the file. */
static void
ch_dir_symlink_out(void)
{
	char	 p[1024], q[1024];
	FILE	*f;

	path(p, sizeof(p), "d");
	path(q, sizeof(q), "d.old");
	rename(p, q);
	snprintf(q, sizeof(q), "%s/g", outdir);
	if ((f = fopen(q, "w")) == NULL)
		exit(2);
	fputs("world", f);
	fclose(f);
	symlink(outdir, p);
}

static void
ch_dir_unsearchable(void)
{
	char	 p[1024];

	path(p, sizeof(p), "d");
	chmod(p, 0);
}

static void
test_changes(void)
{
	const struct change_case	*cc;
	struct stat			 sb;
	size_t				 i;
	int				 fd, got;
	int				 root = geteuid() == 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cc = &cases[i];
		setup();
		fd = cache(cc->cc_path);
		cc->cc_change();
		got = file_cache_get(&store, cc->cc_path, &sb);
		/* root searches and reads whatever the mode says. */
		if (root && (cc->cc_change == ch_dir_unsearchable)) {
			ok(1, "# SKIP %s: root ignores modes", cc->cc_name);
			file_cache_clear();
			continue;
		}
		if (cc->cc_hit == HIT) {
			ok(got == fd, "%s: the same descriptor (%d, got %d)",
			    cc->cc_name, fd, got);
			ok(got != -1 && sb.st_size == cc->cc_size,
			    "%s: fresh size %lld", cc->cc_name, cc->cc_size);
		} else {
			ok(got == -1, "%s: a miss (got %d)", cc->cc_name, got);
			ok(!is_open(fd), "%s: the stale descriptor is closed",
			    cc->cc_name);
		}
		file_cache_clear();
		ok(!is_open(fd), "%s: closed by file_cache_clear",
		    cc->cc_name);
	}
}

/* One slot more than the cache holds: the least recently used goes. */
static void
test_eviction(void)
{
	struct stat	 sb;
	char		 name[32];
	int		 fds[FILE_CACHE_SLOTS + 1], i, open_n = 0;

	setup();
	for (i = 0; i <= FILE_CACHE_SLOTS; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		put_file(name, "x");
		fds[i] = cache(name);
		/* Keep e0 the most recently used. */
		if (i > 0)
			ok(file_cache_get(&store, "e0", &sb) == fds[0],
			    "eviction: e0 still cached after e%d", i);
	}
	ok(!is_open(fds[1]), "eviction: e1, least recently used, closed");
	ok(file_cache_get(&store, "e1", &sb) == -1, "eviction: e1 a miss");
	for (i = 0; i <= FILE_CACHE_SLOTS; i++)
		open_n += is_open(fds[i]);
	ok(open_n == FILE_CACHE_SLOTS, "eviction: %d of %d open", open_n,
	    FILE_CACHE_SLOTS + 1);
	file_cache_clear();
	open_n = 0;
	for (i = 0; i <= FILE_CACHE_SLOTS; i++)
		open_n += is_open(fds[i]);
	ok(open_n == 0, "eviction: all closed after clear");
}

static void
test_not_kept(void)
{
	struct stat	 sb;
	char		 name[FILE_CACHE_PATH_MAX + 8];
	int		 fd;

	setup();
	memset(name, 'n', FILE_CACHE_PATH_MAX);
	name[FILE_CACHE_PATH_MAX] = '\0';
	/* Not a real file: put only looks at the name's length. */
	fd = store_openat(&store, "f", O_RDONLY, 0);
	fstat(fd, &sb);
	file_cache_put(name, fd, &sb);
	ok(!is_open(fd), "a %d-byte path is not kept; its fd is closed",
	    FILE_CACHE_PATH_MAX);
	ok(file_cache_get(&store, name, &sb) == -1, "... and not found");

	fd = store_openat(&store, "d", O_RDONLY, 0);
	fstat(fd, &sb);
	file_cache_put("d", fd, &sb);
	ok(!is_open(fd), "a directory is not kept; its fd is closed");
	ok(file_cache_get(&store, "d", &sb) == -1, "... and not found");
	ok(file_cache_get(&store, "", &sb) == -1, "the root is never a hit");
	ok(file_cache_get(&store, "never", &sb) == -1,
	    "a name never cached is a miss");
	file_cache_clear();
}

int
main(void)
{
	const char	*t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_file_cache.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return (2);
	}
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpdir);
	snprintf(outdir, sizeof(outdir), "%s/outside", tmpdir);
	store.st_rootfd = -1;
	setup();
	test_changes();
	test_eviction();
	test_not_kept();
	store_close(&store);
	chmod(rootdir, 0755);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return (tap_done());
}
