/*
 * http_tar.c: ?tar.gz: a whole directory as one streamed POSIX ustar
 * archive, gzip-compressed by zlib (deflate with the gzip wrapper,
 * windowBits 31), sent chunked. Headers are written here: ustar, with a
 * pax extended header ('x') for names that do not fit in name/prefix and
 * sizes of 8 GiB or more. Memory is constant: one compression window,
 * one read buffer, and one open directory per level of depth. Hidden
 * names are skipped, and so are symlinks that leave the store (or lead to
 * directories: no loops); everything is opened through the store layer.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "child.h"
#include "conn.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "wharfd.h"

#define TAR_BLOCK	512
#define TAR_DEPTH	64		/* directories deeper are skipped */
#define TAR_OUT		(64 * 1024)	/* compressed bytes per chunk */
#define TAR_SIZE_MAX	077777777777ULL	/* 11 octal digits */

struct tar {
	struct hsess	*t_hs;
	z_stream	 t_z;
	unsigned char	 t_out[TAR_OUT];
	int		 t_broken;
	unsigned long	 t_files;
};

struct ustar {
	char	 name[100], mode[8], uid[8], gid[8], size[12], mtime[12];
	char	 chksum[8], typeflag, linkname[100], magic[6], version[2];
	char	 uname[32], gname[32], devmajor[8], devminor[8];
	char	 prefix[155], pad[12];
};

static size_t	 pax_len(size_t);
static int	 tar_feed(struct tar *, const void *, size_t, int flush);
static void	 tar_octal(char *field, size_t len, unsigned long long v);
static int	 tar_block(struct tar *, const char *name, const char *prefix,
		    char type, unsigned long long size, time_t mtime,
		    mode_t mode);
static int	 tar_header(struct tar *, const char *path, char type,
		    const struct stat *);
static int	 tar_file(struct tar *, const char *rel, const char *arc);
static int	 tar_dir(struct tar *, const char *rel, const char *arc,
		    int depth);

/* A pax record's length: n bytes plus the digits of the total itself. */
static size_t
pax_len(size_t n)
{
	size_t	 digits = 1, p = 10;

	while (n + digits >= p) {
		digits++;
		p *= 10;
	}
	return (n + digits);
}

/* Compress n bytes and send what deflate gives back. 0 or -1. */
static int
tar_feed(struct tar *t, const void *p, size_t n, int flush)
{
	z_stream	*z = &t->t_z;
	int		 zr;

	if (t->t_broken)
		return (-1);
	z->next_in = (Bytef *)p;
	z->avail_in = (uInt)n;
	do {
		z->next_out = t->t_out;
		z->avail_out = TAR_OUT;
		zr = deflate(z, flush);
		if (zr == Z_STREAM_ERROR) {
			t->t_broken = 1;
			return (-1);
		}
		if (TAR_OUT - z->avail_out > 0 && http_body(t->t_hs, t->t_out,
		    TAR_OUT - z->avail_out) == -1) {
			t->t_broken = 1;
			return (-1);
		}
	} while (z->avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return (0);
}

static void
tar_octal(char *field, size_t len, unsigned long long v)
{
	char	 tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)len - 1, v);
	memcpy(field, tmp, len - 1);
	field[len - 1] = '\0';
}

static int
tar_block(struct tar *t, const char *name, const char *prefix, char type,
    unsigned long long size, time_t mtime, mode_t mode)
{
	struct ustar	 h;
	unsigned char	*p = (unsigned char *)&h;
	unsigned	 sum = 0;
	size_t		 i;

	memset(&h, 0, sizeof(h));
	/* NUL-terminated only when shorter than the field: ustar's rule */
	memcpy(h.name, name, strnlen(name, sizeof(h.name)));
	memcpy(h.prefix, prefix, strnlen(prefix, sizeof(h.prefix)));
	tar_octal(h.mode, sizeof(h.mode), mode & 07777);
	tar_octal(h.uid, sizeof(h.uid), 0);
	tar_octal(h.gid, sizeof(h.gid), 0);
	tar_octal(h.size, sizeof(h.size), size > TAR_SIZE_MAX ? 0 : size);
	tar_octal(h.mtime, sizeof(h.mtime), mtime < 0 ? 0 :
	    (unsigned long long)mtime);
	h.typeflag = type;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	memset(h.chksum, ' ', sizeof(h.chksum));
	for (i = 0; i < sizeof(h); i++)
		sum += p[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
	h.chksum[7] = ' ';
	return (tar_feed(t, &h, sizeof(h), Z_NO_FLUSH));
}

/*
 * The header(s) for path (a directory's ends in '/'): ustar name and
 * prefix when they fit, else a pax 'x' header with the whole path first.
 */
static int
tar_header(struct tar *t, const char *path, char type, const struct stat *st)
{
	static char		 pax[PATH_MAX + 128];
	static const char	 zero[TAR_BLOCK];
	char			 rec[PATH_MAX + 64], name[101], prefix[156];
	unsigned long long	 size = type == '0' ?
				    (unsigned long long)st->st_size : 0;
	size_t			 len = strlen(path), plen = 0, i, n;
	int			 fits = 0;

	name[0] = prefix[0] = '\0';
	if (len <= 100) {
		memcpy(name, path, len + 1);
		fits = 1;
	} else {
		/* split at a '/' so name <= 100 and prefix <= 155 */
		for (i = len - 1; i > 0; i--) {
			if (path[i] != '/' || i == len - 1)
				continue;
			if (len - i - 1 > 100)
				break;
			if (i <= 155) {
				memcpy(prefix, path, i);
				prefix[i] = '\0';
				memcpy(name, path + i + 1, len - i);
				fits = 1;
				break;
			}
		}
	}
	if (!fits || size > TAR_SIZE_MAX) {
		/* records "LEN key=value\n", LEN counting itself */
		if (!fits) {
			n = pax_len(strlen(" path=\n") + len);
			plen += (size_t)snprintf(pax + plen, sizeof(pax) - plen,
			    "%zu path=%s\n", n, path);
		}
		if (size > TAR_SIZE_MAX) {
			snprintf(rec, sizeof(rec), " size=%llu\n", size);
			n = pax_len(strlen(rec));
			plen += (size_t)snprintf(pax + plen, sizeof(pax) - plen,
			    "%zu size=%llu\n", n, size);
		}
		snprintf(name, sizeof(name), "PaxHeaders/%.80s", path +
		    (len > 80 ? len - 80 : 0));
		if (tar_block(t, name, "", 'x', plen, st->st_mtime, 0644) ==
		    -1 || tar_feed(t, pax, plen, Z_NO_FLUSH) == -1 ||
		    tar_feed(t, zero, (TAR_BLOCK - plen % TAR_BLOCK) %
		    TAR_BLOCK, Z_NO_FLUSH) == -1)
			return (-1);
		if (!fits) {
			/* a truncated name for readers without pax */
			snprintf(name, sizeof(name), "%.99s", path);
			prefix[0] = '\0';
		}
	}
	return (tar_block(t, name, prefix, type, size, st->st_mtime,
	    st->st_mode));
}

/* A regular file: header, contents (padded with zeros if it shrank). */
static int
tar_file(struct tar *t, const char *rel, const char *arc)
{
	static const char	 zero[TAR_BLOCK];
	struct stat		 st;
	unsigned char		*buf = http_xfer_buf();
	unsigned long long	 left;
	ssize_t			 n;
	size_t			 want;
	off_t			 pos = 0;
	int			 fd;

	if (buf == NULL)
		return (-1);
	if ((fd = store_openat(&store, rel, O_RDONLY | O_NONBLOCK, 0)) == -1)
		return (0);	/* gone or not allowed: skip */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (0);
	}
	if (tar_header(t, arc, '0', &st) == -1) {
		close(fd);
		return (-1);
	}
	for (left = (unsigned long long)st.st_size; left > 0; ) {
		want = left > HTTP_XFER_BUF ? HTTP_XFER_BUF : (size_t)left;
		do
			n = pread(fd, buf, want, pos);
		while (n == -1 && errno == EINTR);
		if (n <= 0) {
			/* shrank meanwhile: keep the promised size */
			n = (ssize_t)want;
			memset(buf, 0, want);
		}
		if (tar_feed(t, buf, (size_t)n, Z_NO_FLUSH) == -1) {
			close(fd);
			return (-1);
		}
		pos += n;
		left -= (unsigned long long)n;
		child_slot->sl_bytes += (uint64_t)n;
	}
	close(fd);
	t->t_files++;
	return (tar_feed(t, zero, (TAR_BLOCK - (size_t)(st.st_size %
	    TAR_BLOCK)) % TAR_BLOCK, Z_NO_FLUSH));
}

static int
tar_dir(struct tar *t, const char *rel, const char *arc, int depth)
{
	char		 crel[PATH_MAX], carc[PATH_MAX];
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	int		 fd, rv = 0;

	if (depth > TAR_DEPTH)
		return (0);
	if ((fd = store_openat(&store, rel, O_RDONLY | O_DIRECTORY, 0)) == -1)
		return (0);
	if (fstat(fd, &st) == -1 || (dir = fdopendir(fd)) == NULL) {
		close(fd);
		return (0);
	}
	if (tar_header(t, arc, '5', &st) == -1) {
		closedir(dir);
		return (-1);
	}
	while (rv == 0 && (de = readdir(dir)) != NULL) {
		if (store_is_hidden(de->d_name))
			continue;
		if (snprintf(crel, sizeof(crel), "%s%s%s", rel,
		    rel[0] ? "/" : "", de->d_name) >= (int)sizeof(crel) ||
		    snprintf(carc, sizeof(carc), "%s%s", arc, de->d_name) >=
		    (int)sizeof(carc) - 1)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISLNK(st.st_mode)) {
			/* only links that stay inside, to regular files */
			if (store_stat(&store, crel, &st) == -1 ||
			    !S_ISREG(st.st_mode))
				continue;
		}
		if (S_ISREG(st.st_mode))
			rv = tar_file(t, crel, carc);
		else if (S_ISDIR(st.st_mode)) {
			strcat(carc, "/");
			rv = tar_dir(t, crel, carc, depth + 1);
		}
	}
	closedir(dir);
	return (rv);
}

int
http_tar(struct hsess *hs, int dfd)
{
	static const char	 zero[2 * TAR_BLOCK];
	static struct tar	 t;
	char			 top[PATH_MAX + 2], file[PATH_MAX + 8];
	const char		*base;
	int			 rv;

	(void)dfd;
	base = strrchr(hs->hs_rel, '/');
	base = base != NULL ? base + 1 : hs->hs_rel[0] ? hs->hs_rel : "wharf";
	snprintf(top, sizeof(top), "%s/", base);
	snprintf(file, sizeof(file), "%s.tar.gz", base);
	if (http_disposition(hs, file) == -1)
		return (500);
	http_header(hs, "Content-Type: application/gzip");
	http_header(hs, "Cache-Control: no-store");
	memset(&t, 0, offsetof(struct tar, t_out));
	t.t_broken = 0;
	t.t_files = 0;
	t.t_hs = hs;
	if (deflateInit2(&t.t_z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return (503);
	if (http_reply(hs, 200, -1, NULL, 0) == HTTP_BROKEN) {
		deflateEnd(&t.t_z);
		return (HTTP_BROKEN);
	}
	if (hs->hs_no_body) {
		deflateEnd(&t.t_z);
		return (HTTP_SENT);
	}
	rv = tar_dir(&t, hs->hs_rel, top, 0);
	if (rv == 0)
		rv = tar_feed(&t, zero, sizeof(zero), Z_FINISH);
	deflateEnd(&t.t_z);
	if (rv == -1 || http_body_end(hs) == -1)
		return (HTTP_BROKEN);
	return (HTTP_SENT);
}
