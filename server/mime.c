/*
 * mime.c: Content-Type detection. libmagic (MAGIC_MIME_TYPE |
 * MAGIC_MIME_ENCODING) looks at the first bytes of a file; where it only
 * says text/plain (CSS, JavaScript, JSON) or nothing useful (empty files)
 * the extension decides. Results are cached in a table keyed by (st_dev,
 * st_ino, st_size, st_mtim): a file that changes gets a new key, so the
 * cache never needs invalidating. A key may sit in any of the MIME_WAYS
 * entries of its set: with one entry per key (direct-mapped), 200 files
 * already shared a dozen entries in pairs that pushed each other out, and
 * every request for either paid libmagic again (2 ms for a file of noise,
 * most of a keep-alive request's time). The table is mapped
 * shared before the fork, so a file is examined once for the whole pool,
 * not once per child (libmagic takes 0.3 to 4 ms a file, and a burst that
 * grows the pool by hundreds of children would pay it in each).
 *
 * Children write the table concurrently: each entry has a sequence
 * number, odd while one child writes it (taken with a compare-and-swap,
 * so a second writer skips the entry rather than mixing bytes), and a
 * reader copies the entry and keeps the copy only when the number was
 * even and unchanged across the copy (an entry left odd by a child that
 * died mid-write is never used again: files that hash there are examined
 * each time, nothing worse). A child may be hostile to the
 * others, so a type read from the table is also checked to be printable
 * ASCII before it goes into a header.
 *
 * libmagic maps its compiled database (8 MB in Debian's magic.mgc), and
 * one look at a file that matches nothing walks most of it: the child
 * that did so kept 5.8 MB of the file mapped for the rest of its life,
 * four times what the whole idle pool takes in PSS. So mime_init notes
 * where the database is mapped, and a child drops those pages from its
 * own page tables after each look (MADV_DONTNEED). The pages stay in the
 * page cache; the next look, once per new file for the whole pool, maps
 * them again with a few hundred minor faults (about 0.3 ms here, against
 * 0.3 to 4 ms for the look itself). Only a mapping that is still the
 * file's bytes (no copied-on-write page in the master) is dropped, so
 * the next look reads what libmagic loaded.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <magic.h>

#include "log.h"
#include "mime.h"

#define MIME_CACHE	4096		/* entries, a power of two */
#define MIME_WAYS	8		/* entries a key may use, ditto */
#define MIME_PEEK	(16 * 1024)	/* bytes libmagic is shown */
#define MIME_DB_MAPS	8		/* database mappings remembered */

struct mime_entry {
	_Atomic uint32_t me_seq;	/* odd: being written */
	int		 me_used;
	dev_t		 me_dev;
	ino_t		 me_ino;
	off_t		 me_size;
	struct timespec	 me_mtim;
	char		 me_type[MIME_TYPE_MAX];
};

static magic_t			 mime_magic;
/* Where libmagic mapped compiled databases (*.mgc), page-aligned. */
static struct {
	uintptr_t	 start, end;
}				 mime_db[MIME_DB_MAPS];
static size_t			 mime_ndb;
/* Shared once mime_init has mapped it; this process's own until then. */
static struct mime_entry	 mime_cache_own[MIME_CACHE];
static struct mime_entry	*mime_cache = mime_cache_own;

static struct mime_entry *mime_set(const struct stat *);
static int	 mime_cache_get(struct mime_entry *, const struct stat *,
		    char *out);
static int	 mime_cache_put(struct mime_entry *, const struct stat *,
		    const char *type);

static const struct {
	const char	*ext;
	const char	*type;
	int		 text;	/* gets a charset */
} mime_exts[] = {
	{ "css", "text/css", 1 },
	{ "js", "text/javascript", 1 },
	{ "mjs", "text/javascript", 1 },
	{ "json", "application/json", 0 },
	{ "svg", "image/svg+xml", 0 },
	{ "html", "text/html", 1 },
	{ "htm", "text/html", 1 },
	{ "xml", "application/xml", 0 },
	{ "txt", "text/plain", 1 },
	{ "md", "text/markdown", 1 },
	{ "csv", "text/csv", 1 },
	{ "png", "image/png", 0 },
	{ "jpg", "image/jpeg", 0 },
	{ "jpeg", "image/jpeg", 0 },
	{ "gif", "image/gif", 0 },
	{ "webp", "image/webp", 0 },
	{ "pdf", "application/pdf", 0 },
	{ "gz", "application/gzip", 0 },
	{ "wasm", "application/wasm", 0 },
};

static const char *mime_ext(const char *name, int *text);
static int	 mime_maps_line(const char *, uintptr_t *, uintptr_t *);
static void	 mime_find_db(void);
static void	 mime_drop_db(void);
static void	 mime_detect(int fd, const struct stat *, const char *name,
		    char *out, size_t outsz);

int
mime_init(void)
{
	void	*shared;

	shared = mmap(NULL, sizeof(struct mime_entry) * MIME_CACHE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		log_warn("mmap of the content type cache; each child keeps "
		    "its own");
	else
		mime_cache = shared;
	if ((mime_magic = magic_open(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING |
	    MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR |
	    MAGIC_NO_CHECK_ELF)) == NULL) {
		log_warn("magic_open");
		return (-1);
	}
	if (magic_load(mime_magic, NULL) == -1) {
		log_warnx("magic_load: %s; content types will come from "
		    "file name extensions", magic_error(mime_magic));
		magic_close(mime_magic);
		mime_magic = NULL;
		return (-1);
	}
	mime_find_db();
	return (0);
}

/*
 * One line of /proc/PID/smaps: 1 and the range when it heads a mapping of
 * a compiled magic database ("7f..-7f.. rw-p 00000000 fe:01 1234
 * /usr/lib/file/magic.mgc"), 0 for any other line. line is one whole
 * line, newline or not; every field is checked, nothing is assumed.
 */
static int
mime_maps_line(const char *line, uintptr_t *start, uintptr_t *end)
{
	static const char	 suffix[] = ".mgc";
	unsigned long long	 a, b;
	const char		*path;
	size_t			 len;
	int			 n = -1;

	if (sscanf(line, "%llx-%llx %*4[-rwxps] %*x %*x:%*x %*u %n", &a, &b,
	    &n) != 2 || n <= 0)
		return (0);
	if (a >= b || b > UINTPTR_MAX || a % 4096 != 0 || b % 4096 != 0)
		return (0);
	path = line + n;
	len = strcspn(path, "\n");
	if (path[0] != '/' || len < sizeof(suffix) ||
	    memcmp(path + len - (sizeof(suffix) - 1), suffix,
	    sizeof(suffix) - 1) != 0)
		return (0);
	*start = (uintptr_t)a;
	*end = (uintptr_t)b;
	return (1);
}

/* Note the database mappings that are still the file's own bytes. */
static void
mime_find_db(void)
{
	FILE		*f;
	char		 line[4096];
	uintptr_t	 start, end;
	unsigned long	 anon;
	int		 whole = 1, open_map = 0;

	mime_ndb = 0;
	if ((f = fopen("/proc/self/smaps", "re")) == NULL) {
		log_debug("/proc/self/smaps: %s; the magic database stays "
		    "mapped in the children that use it", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		/* The tail of a line longer than the buffer heads nothing. */
		if (!whole) {
			whole = strchr(line, '\n') != NULL;
			continue;
		}
		/* Only a whole line can head a mapping. */
		if (!(whole = strchr(line, '\n') != NULL))
			open_map = 0;
		else if (mime_maps_line(line, &start, &end)) {
			if (mime_ndb == MIME_DB_MAPS)
				break;
			mime_db[mime_ndb].start = start;
			mime_db[mime_ndb].end = end;
			open_map = 1;
			mime_ndb++;
		} else if (isxdigit((unsigned char)line[0]) &&
		    !isupper((unsigned char)line[0]))
			open_map = 0;	/* the head of another mapping */
		/* A page libmagic wrote to is no longer the file's. */
		if (open_map && (sscanf(line, "Anonymous: %lu kB", &anon) == 1 ||
		    sscanf(line, "Swap: %lu kB", &anon) == 1) && anon > 0) {
			mime_ndb--;
			open_map = 0;
		}
	}
	fclose(f);
}

/* Unmap this process's view of the database; the next look maps it again. */
static void
mime_drop_db(void)
{
	size_t	 i;

	for (i = 0; i < mime_ndb; i++)
		if (madvise((void *)mime_db[i].start,
		    mime_db[i].end - mime_db[i].start, MADV_DONTNEED) == -1)
			log_debug("madvise of the magic database: %s",
			    strerror(errno));
}

static const char *
mime_ext(const char *name, int *text)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	*text = 0;
	if (dot == NULL || dot == name)
		return (NULL);
	for (i = 0; i < sizeof(mime_exts) / sizeof(mime_exts[0]); i++)
		if (strcasecmp(dot + 1, mime_exts[i].ext) == 0) {
			*text = mime_exts[i].text;
			return (mime_exts[i].type);
		}
	return (NULL);
}

const char *
mime_by_name(const char *name)
{
	int	 text;

	return (mime_ext(name, &text));
}

static void
mime_detect(int fd, const struct stat *st, const char *name, char *out,
    size_t outsz)
{
	static char	 peek[MIME_PEEK];
	const char	*m = NULL, *ext, *cs;
	char		 type[MIME_TYPE_MAX], charset[48];
	ssize_t		 n = 0;
	size_t		 tl;
	int		 text;

	ext = mime_ext(name, &text);
	if (mime_magic != NULL && st->st_size > 0) {
		do
			n = pread(fd, peek, sizeof(peek), 0);
		while (n == -1 && errno == EINTR);
		if (n > 0) {
			m = magic_buffer(mime_magic, peek, (size_t)n);
			mime_drop_db();
		}
	}
	if (m == NULL) {
		snprintf(out, outsz, "%s%s", ext ? ext : st->st_size == 0 ?
		    "text/plain" : "application/octet-stream",
		    ext == NULL ? (st->st_size == 0 ? "; charset=utf-8" : "") :
		    text ? "; charset=utf-8" : "");
		return;
	}
	/* "text/plain; charset=us-ascii" */
	tl = strcspn(m, ";");
	snprintf(type, sizeof(type), "%.*s", (int)tl, m);
	charset[0] = '\0';
	if ((cs = strstr(m, "charset=")) != NULL)
		snprintf(charset, sizeof(charset), "%s", cs + 8);
	if (strcmp(charset, "binary") == 0 ||
	    strcmp(charset, "unknown-8bit") == 0)
		charset[0] = '\0';
	if (ext != NULL && (strcmp(type, "text/plain") == 0 ||
	    strcmp(type, "application/octet-stream") == 0 ||
	    strcmp(type, "text/xml") == 0 ||
	    strcmp(type, "application/x-empty") == 0 ||
	    strcmp(type, "inode/x-empty") == 0)) {
		snprintf(type, sizeof(type), "%s", ext);
		if (!text && strncmp(type, "text/", 5) != 0 &&
		    strcmp(type, "application/json") != 0 &&
		    strcmp(type, "image/svg+xml") != 0)
			charset[0] = '\0';
	}
	if (strcmp(type, "inode/x-empty") == 0 ||
	    strcmp(type, "application/x-empty") == 0)
		snprintf(type, sizeof(type), "text/plain");
	if (charset[0] != '\0' && strcmp(type, "application/json") == 0)
		charset[0] = '\0';	/* JSON is UTF-8 by definition */
	if (charset[0] != '\0') {
		if (snprintf(out, outsz, "%s; charset=%s", type, charset) >=
		    (int)outsz)
			snprintf(out, outsz, "%s", type);
	} else
		snprintf(out, outsz, "%s", type);
}

/* The first of the MIME_WAYS entries where st's type may be kept. */
static struct mime_entry *
mime_set(const struct stat *st)
{
	uint64_t	 h;

	h = (uint64_t)st->st_ino * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)st->st_dev * 0xff51afd7ed558ccdULL ^
	    (uint64_t)st->st_mtim.tv_nsec;
	return (&mime_cache[(h >> 17) & (MIME_CACHE - MIME_WAYS)]);
}

/* 1 and the type in out (MIME_TYPE_MAX) when e holds st's whole, sane. */
static int
mime_cache_get(struct mime_entry *e, const struct stat *st, char *out)
{
	struct timespec	 mtim;
	uint32_t	 seq;
	off_t		 size;
	dev_t		 dev;
	ino_t		 ino;
	size_t		 i;
	int		 used;

	seq = atomic_load_explicit(&e->me_seq, memory_order_acquire);
	if (seq & 1)
		return (0);
	used = e->me_used;
	dev = e->me_dev;
	ino = e->me_ino;
	size = e->me_size;
	mtim = e->me_mtim;
	memcpy(out, e->me_type, MIME_TYPE_MAX);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&e->me_seq, memory_order_relaxed) != seq)
		return (0);
	if (!used || dev != st->st_dev || ino != st->st_ino ||
	    size != st->st_size || mtim.tv_sec != st->st_mtim.tv_sec ||
	    mtim.tv_nsec != st->st_mtim.tv_nsec)
		return (0);
	for (i = 0; i < MIME_TYPE_MAX && out[i] != '\0'; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			return (0);
	return (i > 0 && i < MIME_TYPE_MAX);
}

/*
 * Store type for st in e, unless another child is writing e just now (or
 * died doing so). 1 stored, 0 not.
 */
static int
mime_cache_put(struct mime_entry *e, const struct stat *st, const char *type)
{
	uint32_t	 seq;

	seq = atomic_load_explicit(&e->me_seq, memory_order_relaxed);
	if ((seq & 1) || !atomic_compare_exchange_strong_explicit(&e->me_seq,
	    &seq, seq + 1, memory_order_acquire, memory_order_relaxed))
		return (0);
	atomic_thread_fence(memory_order_release);
	e->me_used = 1;
	e->me_dev = st->st_dev;
	e->me_ino = st->st_ino;
	e->me_size = st->st_size;
	e->me_mtim = st->st_mtim;
	snprintf(e->me_type, sizeof(e->me_type), "%s", type);
	atomic_store_explicit(&e->me_seq, seq + 2, memory_order_release);
	return (1);
}

const char *
mime_type(int fd, const struct stat *st, const char *name,
    char out[MIME_TYPE_MAX])
{
	static unsigned		 next;
	struct mime_entry	*set = mime_set(st);
	char			 esc[256];
	unsigned		 i, way;

	for (i = 0; i < MIME_WAYS; i++)
		if (mime_cache_get(&set[i], st, out))
			return (out);
	mime_detect(fd, st, name, out, MIME_TYPE_MAX);
	/* Rare (once per file version), so the escaping costs nothing. */
	log_escape(esc, sizeof(esc), name, strlen(name));
	log_debug("content type of %s: %s (detected)", esc, out);
	/*
	 * Into an unused entry of the set, else one in turn (this process's
	 * turn: in effect one at random across the pool). A put that finds
	 * its entry being written leaves it and takes the next.
	 */
	for (i = 0; i < MIME_WAYS && set[i].me_used; i++)
		;
	way = i < MIME_WAYS ? i : next++ % MIME_WAYS;
	for (i = 0; i < MIME_WAYS; i++)
		if (mime_cache_put(&set[(way + i) % MIME_WAYS], st, out))
			break;
	return (out);
}

int
mime_compressible(const char *type)
{
	static const char	*types[] = {
		"application/json", "application/javascript",
		"application/xml", "image/svg+xml", "application/x-ndjson",
		"application/wasm", "application/x-sh"
	};
	size_t			 i, n;

	if (strncmp(type, "text/", 5) == 0)
		return (1);
	n = strcspn(type, ";");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i]) == n && strncmp(type, types[i], n) == 0)
			return (1);
	return (0);
}
