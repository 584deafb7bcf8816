/*
 * test_store.c: unit test of server/store.c, the confinement of client
 * paths to the root and the atomic upload.  Builds a scratch tree with
 * symlinks and a look-alike sibling that lead out of the root, tries every
 * escape in a table, once with openat2 and once on the forced fallback
 * walk, and checks that nothing outside was opened or created.  Prints
 * TAP; exits 1 when any test failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

#define MODE_OPENAT2	0
#define MODE_FALLBACK	1

/* Shorthands for the tables: a result of 0 means success. */
#define OK		0

struct norm_case {
	const char	*nc_in;
	int		 nc_error;	/* store_normalize() return */
	const char	*nc_out;	/* expected out when nc_error is 0 */
};

/*
 * One client path through store_normalize() then store_openat() and
 * store_stat().  When normalising refuses it, the raw string is also fed
 * to store_openat() to show that the kernel layer refuses it on its own.
 */
struct path_case {
	const char	*pc_in;		/* as decoded from the wire */
	int		 pc_norm;	/* store_normalize() return */
	int		 pc_openat2;	/* errno (or OK) with openat2 */
	int		 pc_fallback;	/* errno (or OK) on the walk */
	const char	*pc_target;	/* what OK must open, under the tmp dir */
};

static void	 ok(int, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
static void	 check(int, int, int, const char *, ...)
	    __attribute__((__format__(__printf__, 4, 5)));
static const char *errname(int);
static const char *tpath(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
static void	 mkfile(const char *, const char *);
static void	 mklink(const char *, const char *);
static int	 exists(const char *);
static int	 content_is(const char *, const char *);
static int	 fd_content_is(int, const char *);
static int	 same_file(int, const char *);
static int	 count_prefix(const char *, const char *);
static int	 cmpstr(const void *, const void *);
static void	 snapshot(char *, size_t);
static void	 make_tree(void);
static int	 rm_entry(const char *, const struct stat *, int,
		    struct FTW *);
static void	 remove_tree(void);
static void	 test_normalize(void);
static void	 test_hidden(void);
static void	 test_paths(struct store *, int);
static void	 test_magiclinks(int);
static void	 test_upload(struct store *, int);
static void	 test_readonly(int);
static void	 test_mkdir_delete(struct store *, int);
static void	 test_rename(struct store *, int);
static void	 run_mode(int);

static int	 ntests, nfailed;
static char	 tmpdir[1024];			/* short: paths are built on it */
static char	 rootdir[PATH_MAX];
static const char *modename;

static char	 long_component[NAME_MAX + 2];	/* NAME_MAX + 1 bytes */
static char	 max_component[NAME_MAX + 1];	/* exactly NAME_MAX */
static char	 long_path[PATH_MAX + 512];	/* over PATH_MAX in all */
static char	 abs_out[PATH_MAX], abs_in[PATH_MAX], absdir_out[PATH_MAX];

static const struct norm_case norm_cases[] = {
	{ "",			OK,		"" },
	{ "/",			OK,		"" },
	{ "//",			OK,		"" },
	{ ".",			OK,		"" },
	{ "./",			OK,		"" },
	{ "/././/.",		OK,		"" },
	{ "a",			OK,		"a" },
	{ "/a/",		OK,		"a" },
	{ "//a//./b/",		OK,		"a/b" },
	{ "a/./b/.",		OK,		"a/b" },
	{ "...",		OK,		"..." },
	{ "..a/b..",		OK,		"..a/b.." },
	{ ".hidden",		OK,		".hidden" },
	{ ".wharf",		OK,		".wharf" },
	{ ".wharfx/y",		OK,		".wharfx/y" },
	{ "x.wharf-tmp",	OK,		"x.wharf-tmp" },
	{ "a\\..\\b",		OK,		"a\\..\\b" },
	{ "new\nline",		OK,		"new\nline" },
	{ "\x01\x1f\x7f",	OK,		"\x01\x1f\x7f" },
	{ "\xff\xfe/\xc3\xa9",	OK,		"\xff\xfe/\xc3\xa9" },
	{ "%2e%2e/x",		OK,		"%2e%2e/x" },
	{ " ",			OK,		" " },
	{ "..",			EACCES,		NULL },
	{ "/..",		EACCES,		NULL },
	{ "../",		EACCES,		NULL },
	{ "a/..",		EACCES,		NULL },
	{ "a/../b",		EACCES,		NULL },
	{ "a/b/../../..",	EACCES,		NULL },
	{ ".wharf-",		ENOENT,		NULL },
	{ ".wharf-tmp.0123",	ENOENT,		NULL },
	{ "a/.wharf-part.x/b",	ENOENT,		NULL },
	{ "/./.wharf-x",	ENOENT,		NULL },
	{ ".wharf-x/..",	ENOENT,		NULL },
	{ "../.wharf-x",	EACCES,		NULL },
	{ max_component,	OK,		max_component },
	{ long_component,	ENAMETOOLONG,	NULL },
	{ long_path,		ENAMETOOLONG,	NULL },
};

static const struct path_case path_cases[] = {
	/* Inside, as they should be. */
	{ "file",		OK, OK, OK,		"root/file" },
	{ "sub/file",		OK, OK, OK,		"root/sub/file" },
	{ "/sub/file",		OK, OK, OK,		"root/sub/file" },
	{ "//sub//./file",	OK, OK, OK,		"root/sub/file" },
	{ "",			OK, OK, OK,		"root" },
	{ "/",			OK, OK, OK,		"root" },
	{ "sub/",		OK, OK, OK,		"root/sub" },
	{ ".wharf",		OK, OK, OK,		"root/.wharf" },
	{ "new\nline",		OK, OK, OK,		"root/new\nline" },
	{ "back\\slash",	OK, OK, OK,		"root/back\\slash" },
	{ "...",		OK, OK, OK,		"root/..." },
	/* Symlinks that stay inside: openat2 follows, the walk refuses. */
	{ "link-in",		OK, OK, ELOOP,		"root/sub/file" },
	{ "dirlink-in/file",	OK, OK, ELOOP,		"root/sub/file" },
	{ "sub/link-parent",	OK, OK, ELOOP,		"root/file" },
	/* An absolute symlink is refused even when it points inside. */
	{ "link-abs-in",	OK, EXDEV, ELOOP,	NULL },
	{ "link-loop",		OK, ELOOP, ELOOP,	NULL },
	/* Escapes by "..": refused by the normaliser, then by the kernel. */
	{ "../outside/secret",	EACCES, EXDEV, EXDEV,	NULL },
	{ "/../outside/secret",	EACCES, EXDEV, EXDEV,	NULL },
	{ "a/../../outside/secret", EACCES, ENOENT, EXDEV, NULL },
	{ "./../root-evil/x",	EACCES, EXDEV, EXDEV,	NULL },
	{ "../root-evil/x",	EACCES, EXDEV, EXDEV,	NULL },
	{ "sub/../../outside/secret", EACCES, EXDEV, EXDEV, NULL },
	{ "sub/../file",	EACCES, OK, EXDEV,	"root/file" },
	{ "..",			EACCES, EXDEV, EXDEV,	NULL },
	/* Escapes by symlink: only the kernel layer can see these. */
	{ "link-out-abs",	OK, EXDEV, ELOOP,	NULL },
	{ "link-out-abs2",	OK, EXDEV, ELOOP,	NULL },
	{ "link-out-rel",	OK, EXDEV, ELOOP,	NULL },
	{ "link-evil",		OK, EXDEV, ELOOP,	NULL },
	{ "dirlink-out/secret",	OK, EXDEV, ELOOP,	NULL },
	{ "dirlink-out-abs/secret", OK, EXDEV, ELOOP,	NULL },
	{ "sub/link-up-out",	OK, EXDEV, ELOOP,	NULL },
	{ "link-dangling-out",	OK, EXDEV, ELOOP,	NULL },
	/* Hidden files exist, yet are never served. */
	{ ".wharf-tmp.abc",	ENOENT, ENOENT, ENOENT,	NULL },
	{ "sub/.wharf-part.x",	ENOENT, ENOENT, ENOENT,	NULL },
	{ "/.wharf-tmp.abc",	ENOENT, ENOENT, ENOENT,	NULL },
	/* Too long, and a percent-encoded name that is only a name. */
	{ long_component,	ENAMETOOLONG, ENAMETOOLONG, ENAMETOOLONG, NULL },
	{ long_path,		ENAMETOOLONG, ENAMETOOLONG, ENAMETOOLONG, NULL },
	{ "%2e%2e/x",		OK, ENOENT, ENOENT,	NULL },
	{ "%2e%2e%2fx",		OK, ENOENT, ENOENT,	NULL },
	{ "nothere",		OK, ENOENT, ENOENT,	NULL },
	{ "file/x",		OK, ENOTDIR, ENOTDIR,	NULL },
};

/* One TAP line; control bytes in the description are shown as \xNN. */
static void
ok(int cond, const char *fmt, ...)
{
	char		 desc[1024];
	const char	*p;
	va_list		 ap;

	ntests++;
	if (!cond)
		nfailed++;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	printf("%s %d - ", cond ? "ok" : "not ok", ntests);
	for (p = desc; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", (unsigned char)*p);
		else
			putchar(*p);
	}
	printf("\n");
	fflush(stdout);
}

/* Asserts that rv (an fd or 0/-1) with err matches want (OK or an errno). */
static void
check(int rv, int err, int want, const char *fmt, ...)
{
	char	desc[512];
	va_list	ap;
	int	pass;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (want == OK)
		pass = rv >= 0;
	else
		pass = rv == -1 && err == want;
	ok(pass, "%s: %s", modename, desc);
	if (!pass)
		printf("# got %s, want %s\n", rv >= 0 ? "success" :
		    errname(err), want == OK ? "success" : errname(want));
}

static const char *
errname(int e)
{
	const char	*s;

	if ((s = strerrorname_np(e)) == NULL)
		s = "unknown errno";
	return (s);
}

/* A path under the scratch dir, in one of a few rotating buffers. */
static const char *
tpath(const char *fmt, ...)
{
	static char	 bufs[8][PATH_MAX];
	static int	 next;
	char		 rel[2048];
	char		*buf = bufs[next++ % 8];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, rel);
	return (buf);
}

static void
mkfile(const char *path, const char *text)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, fp);
	if (fclose(fp) != 0) {
		perror(path);
		exit(2);
	}
}

static void
mklink(const char *target, const char *path)
{
	if (symlink(target, path) == -1) {
		perror(path);
		exit(2);
	}
}

static int
exists(const char *path)
{
	struct stat	sb;

	return (lstat(path, &sb) == 0);
}

static int
content_is(const char *path, const char *want)
{
	int	fd, rv;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1)
		return (0);
	rv = fd_content_is(fd, want);
	close(fd);
	return (rv);
}

static int
fd_content_is(int fd, const char *want)
{
	char	buf[256];
	ssize_t	n;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0)
		return (0);
	buf[n] = '\0';
	return (strcmp(buf, want) == 0);
}

/* 1 when fd is the very file at path (following symlinks). */
static int
same_file(int fd, const char *path)
{
	struct stat	a, b;

	if (fstat(fd, &a) == -1 || stat(path, &b) == -1)
		return (0);
	return (a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static int
count_prefix(const char *dir, const char *prefix)
{
	DIR		*dp;
	struct dirent	*de;
	int		 n = 0;

	if ((dp = opendir(dir)) == NULL)
		return (-1);
	while ((de = readdir(dp)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(dp);
	return (n);
}

static int
cmpstr(const void *a, const void *b)
{
	return (strcmp(*(char * const *)a, *(char * const *)b));
}

/*
 * Describes everything outside the root that an escape could touch: the
 * entries of the scratch dir, of outside/ and root-evil/, their files'
 * contents and /etc/passwd's size and mtime.
 */
static void
snapshot(char *out, size_t outsz)
{
	static const char *dirs[] = { "", "outside", "root-evil" };
	struct stat	 sb;
	struct dirent	*de;
	DIR		*dp;
	char		*names[64], text[128];
	size_t		 d, i, n, len = 0;
	int		 fd;
	ssize_t		 r;

	out[0] = '\0';
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		if ((dp = opendir(tpath("%s", dirs[d]))) == NULL)
			continue;
		n = 0;
		while ((de = readdir(dp)) != NULL && n < 64)
			names[n++] = strdup(de->d_name);
		closedir(dp);
		qsort(names, n, sizeof(names[0]), cmpstr);
		for (i = 0; i < n; i++) {
			text[0] = '\0';
			fd = open(tpath("%s/%s", dirs[d], names[i]),
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
			if (fd >= 0) {
				if ((r = read(fd, text, sizeof(text) - 1)) < 0)
					r = 0;
				text[r] = '\0';
				close(fd);
			}
			len += (size_t)snprintf(out + len,
			    len < outsz ? outsz - len : 0, "%s/%s=%s;",
			    dirs[d], names[i], text);
			free(names[i]);
		}
	}
	if (stat("/etc/passwd", &sb) == 0)
		snprintf(out + len, len < outsz ? outsz - len : 0,
		    "passwd=%lld:%lld", (long long)sb.st_size,
		    (long long)sb.st_mtime);
}

static void
make_tree(void)
{
	const char	*t;

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/test_store.XXXXXX",
	    t) >= sizeof(tmpdir)) {
		fprintf(stderr, "TMPDIR too long\n");
		exit(2);
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		exit(2);
	}
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpdir);
	snprintf(abs_out, sizeof(abs_out), "%s/outside/secret", tmpdir);
	snprintf(absdir_out, sizeof(absdir_out), "%s/outside", tmpdir);
	snprintf(abs_in, sizeof(abs_in), "%s/root/file", tmpdir);

	if (mkdir(rootdir, 0755) == -1 ||
	    mkdir(tpath("root/sub"), 0755) == -1 ||
	    mkdir(tpath("outside"), 0755) == -1 ||
	    mkdir(tpath("root-evil"), 0755) == -1) {
		perror("mkdir");
		exit(2);
	}
	mkfile(tpath("root/file"), "inside\n");
	mkfile(tpath("root/sub/file"), "sub file\n");
	mkfile(tpath("root/.wharf"), "not hidden\n");
	mkfile(tpath("root/new\nline"), "newline\n");
	mkfile(tpath("root/back\\slash"), "backslash\n");
	mkfile(tpath("root/..."), "dots\n");
	mkfile(tpath("root/.wharf-tmp.abc"), "hidden temp\n");
	mkfile(tpath("root/sub/.wharf-part.x"), "hidden part\n");
	mkfile(tpath("outside/secret"), "secret\n");
	mkfile(tpath("root-evil/x"), "evil\n");

	mklink("sub/file", tpath("root/link-in"));
	mklink("sub", tpath("root/dirlink-in"));
	mklink("../file", tpath("root/sub/link-parent"));
	mklink(abs_in, tpath("root/link-abs-in"));
	mklink("link-loop", tpath("root/link-loop"));
	mklink("/etc/passwd", tpath("root/link-out-abs"));
	mklink(abs_out, tpath("root/link-out-abs2"));
	mklink("../outside/secret", tpath("root/link-out-rel"));
	mklink("../root-evil/x", tpath("root/link-evil"));
	mklink("../outside", tpath("root/dirlink-out"));
	mklink(absdir_out, tpath("root/dirlink-out-abs"));
	mklink("../../outside/secret", tpath("root/sub/link-up-out"));
	mklink("../outside/created", tpath("root/link-dangling-out"));
	mklink("../outside/secret", tpath("root/victim-link"));
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) == -1)
		perror(path);
	return (0);
}

static void
remove_tree(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
test_normalize(void)
{
	const struct norm_case	*nc;
	char			 out[PATH_MAX], inplace[PATH_MAX + 8];
	char			 small[4];
	size_t			 i;
	int			 rv;

	modename = "normalize";
	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		nc = &norm_cases[i];
		memset(out, 'X', sizeof(out));
		rv = store_normalize(nc->nc_in, out, sizeof(out));
		if (nc->nc_error == OK)
			ok(rv == 0 && strcmp(out, nc->nc_out) == 0,
			    "normalize: case %zu (%.40s) gives \"%.40s\"",
			    i, nc->nc_in, out);
		else
			ok(rv == nc->nc_error && out[0] == '\0',
			    "normalize: case %zu (%.40s) refused with %s "
			    "(got %s)", i, nc->nc_in, errname(nc->nc_error),
			    rv == 0 ? "success" : errname(rv));
		/* The same in place, as the HTTP session does it. */
		if (strlen(nc->nc_in) >= sizeof(inplace))
			continue;
		strcpy(inplace, nc->nc_in);
		rv = store_normalize(inplace, inplace, sizeof(inplace));
		ok(rv == nc->nc_error && strcmp(inplace, nc->nc_error == OK ?
		    nc->nc_out : "") == 0,
		    "normalize: case %zu (%.40s) in place gives \"%.40s\"",
		    i, nc->nc_in, inplace);
	}

	ok(store_normalize("abc", small, sizeof(small)) == 0 &&
	    strcmp(small, "abc") == 0,
	    "normalize: result that just fits out");
	ok(store_normalize("/a/bcd", small, sizeof(small)) == ENAMETOOLONG &&
	    small[0] == '\0',
	    "normalize: result one byte too long for out is ENAMETOOLONG");
	ok(store_normalize("a", small, 0) == ENAMETOOLONG,
	    "normalize: outsz 0 is ENAMETOOLONG");
	ok(store_normalize(NULL, small, sizeof(small)) == EINVAL,
	    "normalize: NULL input is EINVAL");
}

static void
test_hidden(void)
{
	modename = "hidden";
	ok(store_is_hidden(".") && store_is_hidden("..") &&
	    store_is_hidden(""), "hidden: \".\", \"..\" and \"\" are hidden");
	ok(store_is_hidden(".wharf-tmp.0123") &&
	    store_is_hidden(".wharf-part.x") && store_is_hidden(".wharf-"),
	    "hidden: names with the .wharf- prefix are hidden");
	ok(!store_is_hidden(".wharf") && !store_is_hidden("...") &&
	    !store_is_hidden(".profile") && !store_is_hidden("x.wharf-y") &&
	    !store_is_hidden("new\nline"),
	    "hidden: other names, dotfiles included, are listed");
}

static void
test_paths(struct store *st, int mode)
{
	const struct path_case	*pc;
	struct stat		 sb;
	char			 rel[PATH_MAX];
	size_t			 i;
	int			 fd, want, err, nerr, rv;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		pc = &path_cases[i];
		want = mode == MODE_FALLBACK ? pc->pc_fallback :
		    pc->pc_openat2;

		nerr = store_normalize(pc->pc_in, rel, sizeof(rel));
		if (pc->pc_norm != OK) {
			ok(nerr == pc->pc_norm, "%s: \"%.40s\" normalizer "
			    "refuses with %s", modename, pc->pc_in,
			    errname(pc->pc_norm));
			/* The raw string must not get through either. */
			fd = store_openat(st, pc->pc_in, O_RDONLY, 0);
			err = errno;
			check(fd, err, want, "\"%.40s\" unnormalised is %s "
			    "at the kernel layer", pc->pc_in,
			    want == OK ? "inside" : errname(want));
			if (fd >= 0) {
				ok(pc->pc_target != NULL &&
				    same_file(fd, tpath("%s", pc->pc_target)),
				    "%s: \"%.40s\" unnormalised stays inside",
				    modename, pc->pc_in);
				close(fd);
			}
			if (want == OK)
				continue;
			fd = store_openat(st, pc->pc_in, O_WRONLY | O_CREAT,
			    0644);
			err = errno;
			check(fd, err, want, "\"%.40s\" unnormalised "
			    "O_CREAT refused", pc->pc_in);
			if (fd >= 0)
				close(fd);
			continue;
		}

		ok(nerr == 0, "%s: \"%.40s\" normalizes", modename, pc->pc_in);
		fd = store_openat(st, rel, O_RDONLY, 0);
		err = errno;
		check(fd, err, want, "open \"%.40s\" %s", pc->pc_in,
		    want == OK ? "succeeds" : "refused");
		if (fd >= 0) {
			ok(pc->pc_target != NULL &&
			    same_file(fd, tpath("%s", pc->pc_target)),
			    "%s: \"%.40s\" opens %s", modename, pc->pc_in,
			    pc->pc_target ? pc->pc_target : "(nothing)");
			close(fd);
		}

		rv = store_stat(st, rel, &sb);
		err = errno;
		check(rv, err, want, "stat \"%.40s\" %s", pc->pc_in,
		    want == OK ? "succeeds" : "refused");

		/* Refused symlinks must not let a create through either. */
		if (want == EXDEV || want == ELOOP) {
			fd = store_openat(st, rel, O_WRONLY | O_CREAT, 0644);
			err = errno;
			check(fd, err, want, "\"%.40s\" O_CREAT refused",
			    pc->pc_in);
			if (fd >= 0)
				close(fd);
		}
	}

	fd = store_openat(st, "file", O_RDONLY, 0);
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	    "%s: store_openat always sets O_CLOEXEC", modename);
	if (fd >= 0)
		close(fd);
	fd = store_openat(st, "", O_RDONLY | O_DIRECTORY, 0);
	ok(fd >= 0 && same_file(fd, rootdir),
	    "%s: \"\" opens the root itself", modename);
	if (fd >= 0)
		close(fd);
	ok(store_stat(st, "sub", &sb) == 0 && S_ISDIR(sb.st_mode),
	    "%s: stat of a directory says directory", modename);
	fd = store_openat(st, "dirlink-out", O_RDONLY | O_DIRECTORY, 0);
	err = errno;
	check(fd, err, mode == MODE_FALLBACK ? ELOOP : EXDEV,
	    "O_DIRECTORY open of a symlink out is refused");
	if (fd >= 0)
		close(fd);
	ok(!exists(tpath("outside/created")),
	    "%s: dangling symlink out did not create its target", modename);
}

/* A store rooted at /proc/self: its entries are magic links. */
static void
test_magiclinks(int mode)
{
	struct store	st;
	int		fd, err;

	store_force_fallback = mode == MODE_FALLBACK;
	if (store_open(&st, "/proc/self", 0) == -1) {
		ok(1, "# SKIP %s: no /proc", modename);
		return;
	}
	fd = store_openat(&st, "root/etc/passwd", O_RDONLY, 0);
	err = errno;
	check(fd, err, ELOOP, "magic link /proc/self/root refused");
	if (fd >= 0)
		close(fd);
	fd = store_openat(&st, "cwd", O_PATH, 0);
	err = errno;
	check(fd, err, ELOOP, "magic link /proc/self/cwd refused (O_PATH)");
	if (fd >= 0)
		close(fd);
	fd = store_openat(&st, "status", O_RDONLY, 0);
	err = errno;
	check(fd, err, OK, "plain file in /proc/self opens");
	if (fd >= 0)
		close(fd);
	store_close(&st);
	store_force_fallback = 0;
}

static void
test_upload(struct store *st, int mode)
{
	struct store_upload	 su = STORE_UPLOAD_INITIALIZER;
	struct stat		 sb;
	char			 before[8192], after[8192];
	int			 rv, err, oldfd, want_out;

	want_out = mode == MODE_FALLBACK ? ELOOP : EXDEV;

	rv = store_put_begin(st, "up.txt", &su);
	check(rv, errno, OK, "put_begin of a new file");
	ok(su.su_fd >= 0 && su.su_dirfd >= 0 &&
	    strncmp(su.su_tmp, ".wharf-tmp.", 11) == 0 &&
	    strlen(su.su_tmp) == 11 + 16 && strcmp(su.su_name, "up.txt") == 0,
	    "%s: upload has fds, a .wharf-tmp.<16 hex> name and the target",
	    modename);
	ok(store_is_hidden(su.su_tmp), "%s: the temporary name is hidden",
	    modename);
	ok(write(su.su_fd, "hello ", 6) == 6, "%s: write first half",
	    modename);
	ok(!exists(tpath("root/up.txt")),
	    "%s: target absent before commit", modename);
	ok(count_prefix(rootdir, ".wharf-tmp.") == 2,
	    "%s: one temporary beside the fixture's", modename);
	rv = store_openat(st, su.su_tmp, O_RDONLY, 0);
	check(rv, errno, ENOENT, "the temporary cannot be opened by name");
	if (rv >= 0)
		close(rv);
	ok(write(su.su_fd, "world\n", 6) == 6, "%s: write second half",
	    modename);
	rv = store_put_commit(st, &su, 0);
	check(rv, errno, OK, "put_commit");
	ok(content_is(tpath("root/up.txt"), "hello world\n"),
	    "%s: committed file is whole", modename);
	ok(count_prefix(rootdir, ".wharf-tmp.") == 1,
	    "%s: no temporary left after commit", modename);
	ok(su.su_fd == -1 && su.su_dirfd == -1 && su.su_tmp[0] == '\0',
	    "%s: commit releases the upload", modename);
	store_put_abort(&su);
	ok(su.su_fd == -1 && su.su_dirfd == -1 &&
	    content_is(tpath("root/up.txt"), "hello world\n"),
	    "%s: abort after commit is harmless", modename);
	ok(stat(tpath("root/up.txt"), &sb) == 0 &&
	    (sb.st_mode & 07777) == 0644,
	    "%s: uploaded file is 0644 under umask 022", modename);

	/* Replacing: a reader sees the old file or the whole new one. */
	oldfd = open(tpath("root/up.txt"), O_RDONLY);
	rv = store_put_begin(st, "up.txt", &su);
	check(rv, errno, OK, "put_begin over an existing file");
	ok(write(su.su_fd, "new\n", 4) == 4 &&
	    content_is(tpath("root/up.txt"), "hello world\n"),
	    "%s: old content visible while the new one is written",
	    modename);
	rv = store_put_commit(st, &su, 0);
	check(rv, errno, OK, "put_commit replaces");
	ok(content_is(tpath("root/up.txt"), "new\n") &&
	    fd_content_is(oldfd, "hello world\n"),
	    "%s: new content in place, old reader keeps the old file",
	    modename);
	close(oldfd);

	rv = store_put_begin(st, "up.txt", &su);
	check(rv, errno, OK, "put_begin for a noclobber upload");
	ok(write(su.su_fd, "clobber\n", 8) == 8, "%s: write", modename);
	rv = store_put_commit(st, &su, 1);
	err = errno;
	check(rv, err, EEXIST, "noclobber commit onto an existing file");
	ok(content_is(tpath("root/up.txt"), "new\n") &&
	    count_prefix(rootdir, ".wharf-tmp.") == 1,
	    "%s: noclobber left the file and no temporary", modename);

	rv = store_put_begin(st, "fresh.txt", &su);
	if (rv == 0)
		rv = store_put_commit(st, &su, 1);
	check(rv, errno, OK, "noclobber commit of a new name");

	rv = store_put_begin(st, "aborted.txt", &su);
	check(rv, errno, OK, "put_begin before abort");
	ok(write(su.su_fd, "partial", 7) == 7, "%s: write partial", modename);
	store_put_abort(&su);
	ok(!exists(tpath("root/aborted.txt")) &&
	    count_prefix(rootdir, ".wharf-tmp.") == 1,
	    "%s: abort leaves neither target nor temporary", modename);
	store_put_abort(&su);
	ok(su.su_fd == -1 && su.su_dirfd == -1,
	    "%s: second abort is harmless", modename);
	rv = store_put_commit(st, &su, 0);
	check(rv, errno, EBADF, "commit after abort");

	rv = store_put_begin(st, "sub", &su);
	check(rv, errno, EISDIR, "put onto a directory");
	ok(su.su_fd == -1 && su.su_dirfd == -1 &&
	    count_prefix(tpath("root/sub"), ".wharf-tmp.") == 0 &&
	    count_prefix(rootdir, ".wharf-tmp.") == 1,
	    "%s: failed put_begin leaves nothing", modename);
	rv = store_put_begin(st, "", &su);
	check(rv, errno, EISDIR, "put onto the root");
	rv = store_put_begin(st, ".wharf-tmp.x", &su);
	check(rv, errno, ENOENT, "put onto a hidden name");
	rv = store_put_begin(st, "sub/.wharf-part.x/y", &su);
	check(rv, errno, ENOENT, "put beneath a hidden name");
	rv = store_put_begin(st, "nodir/x", &su);
	check(rv, errno, ENOENT, "put into a missing directory");
	rv = store_put_begin(st, "sub/..", &su);
	check(rv, errno, EINVAL, "put onto \"..\" unnormalised");

	snapshot(before, sizeof(before));
	rv = store_put_begin(st, "dirlink-out/new", &su);
	check(rv, errno, want_out, "put through a symlinked parent out");
	store_put_abort(&su);
	rv = store_put_begin(st, "dirlink-out-abs/new", &su);
	check(rv, errno, want_out, "put through an absolute symlinked "
	    "parent out");
	store_put_abort(&su);
	rv = store_put_begin(st, "../outside/new", &su);
	check(rv, errno, EXDEV, "put to ../ unnormalised");
	store_put_abort(&su);
	rv = store_put_begin(st, "/outside/new", &su);
	check(rv, errno, EXDEV, "put to an absolute path unnormalised");
	store_put_abort(&su);
	snapshot(after, sizeof(after));
	ok(strcmp(before, after) == 0 &&
	    count_prefix(tpath("outside"), ".wharf-") == 0,
	    "%s: refused puts created nothing outside", modename);

	rv = store_put_begin(st, "sub/new.txt", &su);
	if (rv == 0 && write(su.su_fd, "deep\n", 5) == 5)
		rv = store_put_commit(st, &su, 0);
	check(rv, errno, OK, "put into a subdirectory");
	ok(content_is(tpath("root/sub/new.txt"), "deep\n") &&
	    count_prefix(tpath("root/sub"), ".wharf-tmp.") == 0,
	    "%s: file is in the subdirectory, no temporary", modename);

	rv = store_put_begin(st, "dirlink-in/vialink.txt", &su);
	if (rv == 0)
		rv = store_put_commit(st, &su, 0);
	check(rv, errno, mode == MODE_FALLBACK ? ELOOP : OK,
	    "put through a symlinked parent inside");

	/* Uploading onto a symlink replaces the link, not its target. */
	rv = store_put_begin(st, "victim-link", &su);
	if (rv == 0 && write(su.su_fd, "replaced\n", 9) == 9)
		rv = store_put_commit(st, &su, 0);
	check(rv, errno, OK, "put onto a symlink pointing out");
	ok(content_is(tpath("outside/secret"), "secret\n") &&
	    lstat(tpath("root/victim-link"), &sb) == 0 &&
	    S_ISREG(sb.st_mode),
	    "%s: the link was replaced, its outside target untouched",
	    modename);

	st->st_fsync = 0;
	rv = store_put_begin(st, "nosync.txt", &su);
	if (rv == 0 && write(su.su_fd, "x", 1) == 1)
		rv = store_put_commit(st, &su, 0);
	check(rv, errno, OK, "upload without fsync");
	st->st_fsync = 1;
}

static void
test_readonly(int mode)
{
	struct store		st;
	struct store_upload	su = STORE_UPLOAD_INITIALIZER;
	int			rv;

	store_force_fallback = mode == MODE_FALLBACK;
	if (store_open(&st, rootdir, 0) == -1) {
		ok(0, "%s: read-only store_open", modename);
		return;
	}
	ok(st.st_writable == 0 && st.st_fallback == (mode == MODE_FALLBACK),
	    "%s: read-only store opened", modename);
	rv = store_put_begin(&st, "ro.txt", &su);
	check(rv, errno, EROFS, "put on a read-only store");
	ok(su.su_fd == -1 && su.su_dirfd == -1 &&
	    !exists(tpath("root/ro.txt")) &&
	    count_prefix(rootdir, ".wharf-tmp.") == 1,
	    "%s: read-only put left nothing", modename);
	rv = store_mkdir(&st, "rodir", 0755);
	check(rv, errno, EROFS, "mkdir on a read-only store");
	rv = store_delete(&st, "file");
	check(rv, errno, EROFS, "delete on a read-only store");
	rv = store_rename(&st, "file", "file2", 0);
	check(rv, errno, EROFS, "rename on a read-only store");
	ok(!exists(tpath("root/rodir")) && exists(tpath("root/file")) &&
	    !exists(tpath("root/file2")),
	    "%s: read-only store unchanged", modename);
	rv = store_openat(&st, "file", O_RDONLY, 0);
	check(rv, errno, OK, "read-only store still reads");
	if (rv >= 0)
		close(rv);
	store_close(&st);
	store_close(&st);
	store_force_fallback = 0;
}

static void
test_mkdir_delete(struct store *st, int mode)
{
	struct stat	sb;
	int		rv, want_out;

	want_out = mode == MODE_FALLBACK ? ELOOP : EXDEV;

	rv = store_mkdir(st, "newdir", 0755);
	check(rv, errno, OK, "mkdir");
	ok(lstat(tpath("root/newdir"), &sb) == 0 && S_ISDIR(sb.st_mode),
	    "%s: mkdir made a directory in the root", modename);
	rv = store_mkdir(st, "newdir", 0755);
	check(rv, errno, EEXIST, "mkdir of an existing directory");
	rv = store_mkdir(st, "", 0755);
	check(rv, errno, EEXIST, "mkdir of the root");
	rv = store_mkdir(st, "newdir/inner", 0755);
	check(rv, errno, OK, "mkdir nested");
	rv = store_mkdir(st, "../evil", 0755);
	check(rv, errno, EXDEV, "mkdir ../ unnormalised");
	rv = store_mkdir(st, "dirlink-out/evil", 0755);
	check(rv, errno, want_out, "mkdir through a symlink out");
	ok(!exists(tpath("evil")) && !exists(tpath("outside/evil")),
	    "%s: refused mkdirs created nothing outside", modename);
	rv = store_mkdir(st, ".wharf-x", 0755);
	check(rv, errno, ENOENT, "mkdir of a hidden name");
	rv = store_mkdir(st, "sub/..", 0755);
	check(rv, errno, EINVAL, "mkdir of \"..\" unnormalised");
	rv = store_mkdir(st, "nodir/x", 0755);
	check(rv, errno, ENOENT, "mkdir in a missing directory");

	rv = store_delete(st, "");
	check(rv, errno, EBUSY, "delete of the root");
	rv = store_delete(st, "newdir");
	check(rv, errno, ENOTEMPTY, "delete of a non-empty directory");
	rv = store_delete(st, "newdir/inner");
	check(rv, errno, OK, "delete of an empty directory");
	rv = store_delete(st, "newdir");
	check(rv, errno, OK, "delete of the emptied directory");
	ok(!exists(tpath("root/newdir")), "%s: directory gone", modename);
	rv = store_delete(st, "fresh.txt");
	check(rv, errno, OK, "delete of a file");
	ok(!exists(tpath("root/fresh.txt")), "%s: file gone", modename);
	rv = store_delete(st, "fresh.txt");
	check(rv, errno, ENOENT, "delete of a missing file");
	rv = store_delete(st, "dirlink-out/secret");
	check(rv, errno, want_out, "delete through a symlink out");
	rv = store_delete(st, "../outside/secret");
	check(rv, errno, EXDEV, "delete ../ unnormalised");
	rv = store_delete(st, "/etc/passwd");
	check(rv, errno, EXDEV, "delete of an absolute path unnormalised");
	ok(content_is(tpath("outside/secret"), "secret\n"),
	    "%s: outside file survived", modename);
	rv = store_delete(st, ".wharf-tmp.abc");
	check(rv, errno, ENOENT, "delete of a hidden file");
	ok(exists(tpath("root/.wharf-tmp.abc")),
	    "%s: hidden file survived", modename);
	rv = store_delete(st, "sub/..");
	check(rv, errno, EINVAL, "delete of \"..\" unnormalised");
	rv = store_delete(st, "link-out-rel");
	check(rv, errno, OK, "delete of a symlink pointing out");
	ok(!exists(tpath("root/link-out-rel")) &&
	    content_is(tpath("outside/secret"), "secret\n"),
	    "%s: the link went, its target stayed", modename);
}

static void
test_rename(struct store *st, int mode)
{
	struct store_upload	su = STORE_UPLOAD_INITIALIZER;
	int			rv, want_out;

	want_out = mode == MODE_FALLBACK ? ELOOP : EXDEV;

	rv = store_put_begin(st, "r1", &su);
	if (rv == 0 && write(su.su_fd, "r\n", 2) == 2)
		rv = store_put_commit(st, &su, 0);
	check(rv, errno, OK, "upload for rename");
	rv = store_rename(st, "r1", "r2", 0);
	check(rv, errno, OK, "rename");
	ok(!exists(tpath("root/r1")) && content_is(tpath("root/r2"), "r\n"),
	    "%s: renamed", modename);
	rv = store_rename(st, "r2", "up.txt", 1);
	check(rv, errno, EEXIST, "noclobber rename onto an existing file");
	ok(content_is(tpath("root/r2"), "r\n") &&
	    content_is(tpath("root/up.txt"), "new\n"),
	    "%s: noclobber rename changed nothing", modename);
	rv = store_rename(st, "r2", "../x", 0);
	check(rv, errno, EXDEV, "rename to ../ unnormalised");
	rv = store_rename(st, "r2", "dirlink-out/x", 0);
	check(rv, errno, want_out, "rename into a symlinked parent out");
	rv = store_rename(st, "r2", "dirlink-out-abs/x", 0);
	check(rv, errno, want_out,
	    "rename into an absolute symlinked parent out");
	rv = store_rename(st, "dirlink-out/secret", "stolen", 0);
	check(rv, errno, want_out, "rename from a symlinked parent out");
	rv = store_rename(st, "../outside/secret", "stolen", 0);
	check(rv, errno, EXDEV, "rename from ../ unnormalised");
	ok(!exists(tpath("x")) && !exists(tpath("outside/x")) &&
	    !exists(tpath("root/stolen")) && exists(tpath("root/r2")) &&
	    content_is(tpath("outside/secret"), "secret\n"),
	    "%s: refused renames moved nothing", modename);
	rv = store_rename(st, "r2", ".wharf-tmp.zzz", 0);
	check(rv, errno, ENOENT, "rename onto a hidden name");
	rv = store_rename(st, ".wharf-tmp.abc", "unhidden", 0);
	check(rv, errno, ENOENT, "rename of a hidden file");
	rv = store_rename(st, "", "x", 0);
	check(rv, errno, EBUSY, "rename of the root");
	rv = store_rename(st, "r2", "", 0);
	check(rv, errno, EBUSY, "rename onto the root");
	rv = store_rename(st, "r2", "sub/r3", 1);
	check(rv, errno, OK, "noclobber rename into a subdirectory");
	ok(content_is(tpath("root/sub/r3"), "r\n"), "%s: moved into sub",
	    modename);
	rv = store_rename(st, "sub", "sub/inner", 0);
	check(rv, errno, EINVAL, "rename of a directory into itself");
	if (store_mkdir(st, "d1", 0755) == 0 && store_mkdir(st, "d2", 0755)
	    == 0)
		rv = store_rename(st, "d1", "d2", 1);
	else
		rv = 0;
	check(rv, errno, EEXIST, "noclobber rename onto a directory");
	rv = store_rename(st, "d1", "d2", 0);
	check(rv, errno, OK, "rename replacing an empty directory");
}

static void
run_mode(int mode)
{
	struct store	st;
	char		before[8192], after[8192];

	modename = mode == MODE_FALLBACK ? "fallback" : "openat2";
	make_tree();
	snapshot(before, sizeof(before));

	store_force_fallback = mode == MODE_FALLBACK;
	if (store_open(&st, rootdir, 1) == -1) {
		perror(rootdir);
		exit(2);
	}
	store_force_fallback = 0;
	ok(st.st_rootfd >= 0 && st.st_writable == 1 && st.st_fsync == 1,
	    "%s: store_open sets the fields", modename);
	if (mode == MODE_FALLBACK)
		ok(st.st_fallback == 1,
		    "%s: store_force_fallback selects the walk", modename);
	else if (st.st_fallback) {
		/* No openat2 (old kernel, seccomp, valgrind): walk twice. */
		ok(1, "# SKIP openat2 unavailable, the walk is tested twice");
		mode = MODE_FALLBACK;
	} else
		ok(1, "%s: openat2 available and chosen", modename);

	test_paths(&st, mode);
	test_magiclinks(mode);
	snapshot(after, sizeof(after));
	ok(strcmp(before, after) == 0,
	    "%s: nothing outside the root was created or changed", modename);
	if (strcmp(before, after) != 0)
		printf("# before: %s\n# after:  %s\n", before, after);

	test_upload(&st, mode);
	test_readonly(mode);
	test_mkdir_delete(&st, mode);
	test_rename(&st, mode);

	snapshot(after, sizeof(after));
	ok(strcmp(before, after) == 0,
	    "%s: after all writes, nothing outside the root changed",
	    modename);
	store_close(&st);
	ok(st.st_rootfd == -1, "%s: store_close", modename);
	remove_tree();
}

int
main(void)
{
	size_t	i;

	umask(022);
	memset(long_component, 'a', NAME_MAX + 1);
	memset(max_component, 'b', NAME_MAX);
	for (i = 0; i + 201 < sizeof(long_path) - 1; i += 201) {
		memset(long_path + i, 'c', 200);
		long_path[i + 200] = '/';
	}

	test_normalize();
	test_hidden();
	run_mode(MODE_OPENAT2);
	run_mode(MODE_FALLBACK);

	printf("1..%d\n", ntests);
	printf("test_store: %d passed, %d failed\n", ntests - nfailed,
	    nfailed);
	return (nfailed > 0 ? 1 : 0);
}
