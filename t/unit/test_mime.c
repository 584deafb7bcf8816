/*
 * test_mime.c: Content-Type detection and its cache (server/mime.c): the
 * types a table of files gets, that a cached type is answered without
 * reading the file, that the cache is shared with a forked child, and
 * that an entry a hostile child scribbled on (control bytes, a header
 * injection, no terminator, an entry left mid-write) is never answered;
 * which smaps lines name the magic database, and that a look leaves none
 * of the database mapped in the process that made it.
 * mime.c is included so the test can reach the table.
 */
#include "../../server/mime.c"

#include <sys/wait.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>

#include "tap.h"

#define MANY_FILES	200	/* the bench's count of small files */

struct type_case {
	const char	*name;
	const char	*bytes;
	size_t		 len;
	const char	*type;		/* exact, or a prefix ending in '*' */
};

static const struct type_case	 type_cases[] = {
	{ "plain.txt", "hello, world\n", 13, "text/plain; charset=us-ascii" },
	{ "utf8.txt", "caf\xc3\xa9\n", 6, "text/plain; charset=utf-8" },
	{ "noext", "just words in a file\n", 21,
	    "text/plain; charset=us-ascii" },
	{ "style.css", "body { color: red; }\n", 21,
	    "text/css; charset=us-ascii" },
	{ "app.js", "var x = 1;\n", 11, "text/javascript; charset=us-ascii" },
	{ "data.json", "{\"a\": 1}\n", 9, "application/json" },
	{ "empty.txt", "", 0, "text/plain*" },
	{ "page.html", "<!DOCTYPE html>\n<html><body>x</body></html>\n", 45,
	    "text/html*" },
	{ "pic.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08"
	    "\x02\0\0\0", 29, "image/png" },
	{ "pic.txt", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08"
	    "\x02\0\0\0", 29, "image/png" },	/* content over a wrong name */
	{ "zeros.bin", "\0\0\0\0\0\0\0\0", 8, "application/octet-stream" },
};

struct maps_case {
	const char	*line;
	int		 is_db;
	uintptr_t	 start, end;
};

static const struct maps_case	 maps_cases[] = {
	{ "7f1c2a000000-7f1c2a7e5000 rw-p 00000000 fe:01 1312 "
	    "/usr/lib/file/magic.mgc\n", 1, 0x7f1c2a000000, 0x7f1c2a7e5000 },
	{ "7f1c2a000000-7f1c2a7e5000 r--p 00000000 08:02 99 "
	    "/opt/magic/local.mgc", 1, 0x7f1c2a000000, 0x7f1c2a7e5000 },
	{ "7f1c2a000000-7f1c2a7e5000 rw-p 00000000 fe:01 1312 "
	    "/usr/lib/file/magic.mgc (deleted)\n", 0, 0, 0 },
	{ "7f1c2a000000-7f1c2a7e5000 r-xp 00000000 fe:01 77 "
	    "/usr/lib/x86_64-linux-gnu/libmagic.so.1.0.0\n", 0, 0, 0 },
	{ "55d0a0000000-55d0a0021000 rw-p 00000000 00:00 0 [heap]\n",
	    0, 0, 0 },
	{ "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 \n", 0, 0, 0 },
	{ "7f1c2a000000-7f1c2a7e5000 rw-p 00000000 fe:01 1312 magic.mgc\n",
	    0, 0, 0 },	/* not a path */
	{ "7f1c2a000000-7f1c2a7e5000 rw-p 00000000 fe:01 1312 /.mgc\n",
	    1, 0x7f1c2a000000, 0x7f1c2a7e5000 },
	{ "7f1c2a000000-7f1c2a7e5000 rw-p 00000000 fe:01 1312 /mgc\n",
	    0, 0, 0 },
	{ "7f1c2a7e5000-7f1c2a000000 rw-p 00000000 fe:01 1312 "
	    "/usr/lib/file/magic.mgc\n", 0, 0, 0 },	/* backwards */
	{ "7f1c2a000001-7f1c2a7e5000 rw-p 00000000 fe:01 1312 "
	    "/usr/lib/file/magic.mgc\n", 0, 0, 0 },	/* not page-aligned */
	{ "7f1c2a000000-7f1c2a000000 rw-p 00000000 fe:01 1312 "
	    "/usr/lib/file/magic.mgc\n", 0, 0, 0 },	/* empty */
	{ "ffffffffffffffffffff-1000 rw-p 00000000 fe:01 1 /x.mgc\n",
	    0, 0, 0 },
	{ "Anonymous:             0 kB\n", 0, 0, 0 },
	{ "VmFlags: rd wr mr mw me ac sd\n", 0, 0, 0 },
	{ "7f1c2a000000-7f1c2a7e5000\n", 0, 0, 0 },
	{ "7f1c2a000000-7f1c2a7e5000 rw-p /usr/lib/file/magic.mgc\n",
	    0, 0, 0 },
	{ "", 0, 0, 0 },
	{ "-\n", 0, 0, 0 },
};

/*
 * kB of compiled magic database (*.mgc) this process has mapped in; -2
 * when it maps none at all.
 */
static long
db_rss_kb(void)
{
	FILE		*f = fopen("/proc/self/smaps", "re");
	char		 line[4096];
	uintptr_t	 a, b;
	long		 kb, sum = 0;
	int		 in_db = 0, any = 0;

	if (f == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (mime_maps_line(line, &a, &b))
			in_db = any = 1;
		else if (isxdigit((unsigned char)line[0]) &&
		    !isupper((unsigned char)line[0]))
			in_db = 0;
		else if (in_db && sscanf(line, "Rss: %ld kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return (any ? sum : -2);
}

static char	 dir[4096];	/* $TMPDIR/test_mime.XXXXXX, removed at the end */

static int
make_file(const char *name, const char *bytes, size_t len, struct stat *st)
{
	char	 path[sizeof(dir) + 64];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1)
		return (-1);
	if ((len > 0 && write(fd, bytes, len) != (ssize_t)len) ||
	    fstat(fd, st) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static int
type_matches(const char *got, const char *want)
{
	size_t	 n = strlen(want);

	if (n > 0 && want[n - 1] == '*')
		return (strncmp(got, want, n - 1) == 0);
	return (strcmp(got, want) == 0);
}

static int
remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/*
 * What a hostile child might leave in an entry that holds st's key: type
 * with its terminator, or only its first len bytes (len > 0), the rest of
 * the entry filled with 'A'. The entry written over is the one the cache
 * would answer from (else the first of the set), so that the next look
 * has to examine the file. Returns it.
 */
static struct mime_entry *
scribble(const struct stat *st, const char *type, size_t len, uint32_t seq)
{
	struct mime_entry	*e = mime_set(st);
	char			 tb[MIME_TYPE_MAX];
	size_t			 i;

	for (i = 0; i < MIME_WAYS; i++)
		if (mime_cache_get(&mime_set(st)[i], st, tb)) {
			e = &mime_set(st)[i];
			break;
		}

	e->me_used = 1;
	e->me_dev = st->st_dev;
	e->me_ino = st->st_ino;
	e->me_size = st->st_size;
	e->me_mtim = st->st_mtim;
	memset(e->me_type, 'A', sizeof(e->me_type));
	memcpy(e->me_type, type, len > 0 ? len : strlen(type) + 1);
	atomic_store(&e->me_seq, seq);
	return (e);
}

int
main(void)
{
	struct stat	 st, st2;
	struct mime_entry *e;
	const char	*t;
	char		 first[MIME_TYPE_MAX], tb[MIME_TYPE_MAX];
	size_t		 i;
	pid_t		 pid;
	int		 fd, status;

	snprintf(dir, sizeof(dir), "%s/test_mime.XXXXXX", getenv("TMPDIR") ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL || mime_init() == -1) {
		printf("Bail out! mkdtemp or mime_init failed\n");
		return (1);
	}
	ok(mime_cache != mime_cache_own, "the cache is a shared mapping");

	for (i = 0; i < sizeof(maps_cases) / sizeof(maps_cases[0]); i++) {
		const struct maps_case	*c = &maps_cases[i];
		uintptr_t		 a = 0, b = 0;
		int			 r = mime_maps_line(c->line, &a, &b);

		ok(r == c->is_db && (!r || (a == c->start && b == c->end)),
		    "smaps line %zu: %s", i, r ? "the database" : "not it");
	}
	/* A libmagic that reads its database into memory maps none. */
	if (db_rss_kb() == -2)
		ok(1, "# SKIP libmagic did not map a *.mgc database");
	else
		ok(mime_ndb > 0, "mime_init found the database mapped (%zu "
		    "mappings)", mime_ndb);

	for (i = 0; i < sizeof(type_cases) / sizeof(type_cases[0]); i++) {
		const struct type_case	*c = &type_cases[i];

		if ((fd = make_file(c->name, c->bytes, c->len, &st)) == -1) {
			ok(0, "%s: create", c->name);
			continue;
		}
		t = mime_type(fd, &st, c->name, tb);
		ok(type_matches(t, c->type), "%s: %s (want %s)", c->name, t,
		    c->type);
		close(fd);
		/* Cached: the same answer without the file (fd -1). */
		t = mime_type(-1, &st, c->name, tb);
		ok(type_matches(t, c->type), "%s again from the cache: %s",
		    c->name, t);
	}

	/*
	 * Bytes that match nothing walk the whole database; afterwards none
	 * of it is left mapped (it was 5.8 MB), and the next look still works.
	 */
	{
		char	 noise[16384];
		long	 kb;

		srand(42);
		for (i = 0; i < sizeof(noise); i++)
			noise[i] = (char)(rand() >> 7);
		for (i = 0; i < 2; i++) {
			noise[0] = (char)i;
			fd = make_file(i ? "noise2" : "noise1", noise,
			    sizeof(noise), &st);
			t = mime_type(fd, &st, "noise", tb);
			kb = db_rss_kb();
			ok(strcmp(t, "application/octet-stream") == 0 &&
			    kb < 256, "look %zu at noise: %s, "
			    "%ld kB of the database left mapped", i + 1, t, kb);
			close(fd);
		}
	}

	/* A change of size or time is a new identity: examined again. */
	fd = make_file("change.txt", "plain words\n", 12, &st);
	mime_type(fd, &st, "change.txt", first);
	close(fd);
	fd = make_file("change.txt", "{\"now\": \"json-ish\"}\x89\x01", 22,
	    &st2);
	t = mime_type(fd, &st2, "change.txt", tb);
	ok(strcmp(t, first) != 0, "a changed file is examined again: %s, "
	    "then %s", first, t);
	close(fd);

	/* Shared: what a forked child detects, the parent finds cached. */
	fd = make_file("child.css", "a { b: c; }\n", 12, &st);
	if ((pid = fork()) == 0) {
		(void)mime_type(fd, &st, "child.css", tb);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	close(fd);
	t = mime_type(-1, &st, "child.css", tb);
	ok(strcmp(t, "text/css; charset=us-ascii") == 0,
	    "a type a child detected is cached for the parent: %s", t);

	/* Hostile entries: never answered, the file is examined instead. */
	fd = make_file("victim.txt", "victim\n", 7, &st);
	scribble(&st, "text/plain\r\nSet-Cookie: x=1", 0, 2);
	t = mime_type(fd, &st, "victim.txt", tb);
	ok(strchr(t, '\r') == NULL && strchr(t, '\n') == NULL,
	    "CR LF in a cached type is not answered: %s", t);
	ok(strcmp(t, "text/plain; charset=us-ascii") == 0,
	    "...and the file is examined instead");
	scribble(&st, "text/\x1b[2Jplain", 0, 4);
	t = mime_type(fd, &st, "victim.txt", tb);
	ok(strchr(t, '\x1b') == NULL, "ESC in a cached type is not answered");
	scribble(&st, "AAAA", 4, 6);	/* and no terminator at all */
	t = mime_type(fd, &st, "victim.txt", tb);
	ok(strlen(t) < MIME_TYPE_MAX && strcmp(t, "text/plain; "
	    "charset=us-ascii") == 0, "an unterminated type is not answered");
	scribble(&st, "", 0, 8);
	t = mime_type(fd, &st, "victim.txt", tb);
	ok(strcmp(t, "text/plain; charset=us-ascii") == 0,
	    "an empty type is not answered");
	/* Left odd (a writer died mid-write): read past, never written. */
	e = scribble(&st, "text/evil", 0, 9);
	t = mime_type(fd, &st, "victim.txt", tb);
	ok(strcmp(t, "text/plain; charset=us-ascii") == 0,
	    "an entry being written is not answered");
	ok(atomic_load(&e->me_seq) == 9 && strcmp(e->me_type, "text/evil") == 0,
	    "...nor written over by a second writer");
	close(fd);

	/*
	 * Many files, inodes in a row: each is examined once, then answered
	 * from the cache (fd -1: a look would find nothing to read). With one
	 * entry per key, a dozen of 200 pushed each other out.
	 */
	{
		static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
		    "\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
		struct stat	 many[MANY_FILES];
		char		 name[32];
		size_t		 cached = 0;

		for (i = 0; i < MANY_FILES; i++) {
			snprintf(name, sizeof(name), "many%03zu", i);
			if ((fd = make_file(name, png, sizeof(png) - 1,
			    &many[i])) == -1)
				break;
			(void)mime_type(fd, &many[i], name, tb);
			close(fd);
		}
		for (i = 0; i < MANY_FILES; i++) {
			t = mime_type(-1, &many[i], "many", tb);
			cached += strcmp(t, "image/png") == 0;
		}
		ok(cached == MANY_FILES, "%zu of %d files answered from the "
		    "cache on a second look", cached, MANY_FILES);
	}

	ok(nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS) == 0,
	    "the test's directory is removed");
	return (tap_done());
}
