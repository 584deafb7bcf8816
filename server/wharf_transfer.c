/*
 * wharf_transfer.c: GET, PUT and PART: file contents in both directions,
 * raw or zlib-compressed, resumable, and always checked with the CRC-32 of
 * the whole file. Bodies move through one fixed buffer per child, so
 * memory stays flat whatever the file size; GET sends with sendfile(2).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "child.h"
#include "conn.h"
#include "io.h"
#include "log.h"
#include "store.h"
#include "wharf.h"
#include "wharfd.h"
#include "writeback.h"

#define XFER_BUF	(256 * 1024)

/* What a transfer needs besides the session. */
struct xfer {
	struct wsess	*x_ws;
	int		 x_fd;		/* the file */
	uLong		 x_crc;		/* CRC-32 so far */
	unsigned long long x_total;	/* bytes of the file so far */
	int		 x_werr;	/* first write error, 0 if none */
	struct writeback x_wb;		/* on its way to the disk */
	z_stream	 x_z;
	int		 x_zinit;
};

static unsigned char	*xfer_in, *xfer_out;

static int	 xfer_buffers(void);
static void	 part_name(const char *name, char *out, size_t outsz);
static int	 crc_prefix(int fd, unsigned long long len, uLong *crc);
static int	 get_plain(struct xfer *, off_t offset, off_t size);
static int	 get_zlib(struct xfer *, off_t offset, off_t size);
static int	 send_chunk(struct conn *, const void *, size_t);
static void	 put_bytes(struct xfer *, const unsigned char *, size_t);
static int	 put_payload(struct xfer *, const unsigned char *, size_t);
static int	 put_raw(struct xfer *, unsigned long long n);
static int	 put_chunked(struct xfer *);
static int	 put_options(struct wsess *, struct wp_command *,
		    unsigned long long *size, int *has_size,
		    unsigned long long *offset, int *zlib, int *noclobber);

static int
xfer_buffers(void)
{
	if (xfer_in == NULL && (xfer_in = malloc(XFER_BUF)) == NULL)
		return (-1);
	if (xfer_out == NULL && (xfer_out = malloc(XFER_BUF)) == NULL)
		return (-1);
	return (0);
}

/* The hidden name of the resumable partial upload for name. */
static void
part_name(const char *name, char *out, size_t outsz)
{
	size_t	 len = strlen(name);

	snprintf(out, outsz, "%s%08lx%08lx", STORE_PART_PREFIX,
	    crc32(0L, (const Bytef *)name, (uInt)len),
	    adler32(1L, (const Bytef *)name, (uInt)len));
}

/* CRC-32 of the first len bytes of fd. Returns 0 or -1 (errno). */
static int
crc_prefix(int fd, unsigned long long len, uLong *crc)
{
	unsigned long long	 pos = 0;
	ssize_t			 n;
	size_t			 want;

	*crc = crc32(0L, Z_NULL, 0);
	while (pos < len) {
		want = len - pos > XFER_BUF ? XFER_BUF : (size_t)(len - pos);
		n = pread(fd, xfer_in, want, (off_t)pos);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENODATA;
			return (-1);
		}
		*crc = crc32(*crc, xfer_in, (uInt)n);
		pos += (unsigned long long)n;
	}
	return (0);
}

/*
 * Plain GET body: each block is read once for the CRC (into the page
 * cache) and then handed to the socket by sendfile without a copy.
 */
static int
get_plain(struct xfer *x, off_t offset, off_t size)
{
	struct conn	*c = x->x_ws->ws_conn;
	off_t		 pos = offset, sendpos;
	ssize_t		 n;
	size_t		 want;

	while (pos < size) {
		want = size - pos > XFER_BUF ? XFER_BUF : (size_t)(size - pos);
		n = pread(x->x_fd, xfer_in, want, pos);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);	/* shrank under us: cannot keep count */
		x->x_crc = crc32(x->x_crc, xfer_in, (uInt)n);
		sendpos = pos;
		if (conn_sendfile(c, x->x_fd, &sendpos, (size_t)n) == -1)
			return (-1);
		pos += n;
	}
	return (0);
}

static int
send_chunk(struct conn *c, const void *p, size_t n)
{
	struct iovec	 iov[2];
	char		 head[32];

	iov[0].iov_base = head;
	iov[0].iov_len = (size_t)snprintf(head, sizeof(head), "%zu\r\n", n);
	iov[1].iov_base = (void *)p;
	iov[1].iov_len = n;
	return (conn_writev(c, iov, 2));
}

/* Compressed GET body: one zlib stream in chunks of at most XFER_BUF. */
static int
get_zlib(struct xfer *x, off_t offset, off_t size)
{
	struct conn	*c = x->x_ws->ws_conn;
	z_stream	*z = &x->x_z;
	off_t		 pos = offset;
	ssize_t		 n;
	size_t		 want;
	int		 flush, zr;

	memset(z, 0, sizeof(*z));
	if (deflateInit(z, Z_DEFAULT_COMPRESSION) != Z_OK)
		return (-1);
	x->x_zinit = 1;
	do {
		want = size - pos > XFER_BUF ? XFER_BUF : (size_t)(size - pos);
		n = 0;
		if (want > 0) {
			do
				n = pread(x->x_fd, xfer_in, want, pos);
			while (n == -1 && errno == EINTR);
			if (n <= 0)
				return (-1);
			x->x_crc = crc32(x->x_crc, xfer_in, (uInt)n);
			pos += n;
			child_slot->sl_bytes += (uint64_t)n;
		}
		flush = pos >= size ? Z_FINISH : Z_NO_FLUSH;
		z->next_in = xfer_in;
		z->avail_in = (uInt)n;
		do {
			z->next_out = xfer_out;
			z->avail_out = XFER_BUF;
			zr = deflate(z, flush);
			if (zr == Z_STREAM_ERROR)
				return (-1);
			if (XFER_BUF - z->avail_out > 0 && send_chunk(c,
			    xfer_out, XFER_BUF - z->avail_out) == -1)
				return (-1);
		} while (z->avail_out == 0);
	} while (flush != Z_FINISH);
	return (conn_write(c, "0\r\n", 3));
}

int
cmd_get(struct wsess *ws, struct wp_command *wc)
{
	char			 rel[PATH_MAX], dec[PATH_MAX];
	struct xfer		 x;
	struct stat		 st;
	unsigned long long	 offset = 0;
	int			 ok, rv, zlib = 0, i;

	for (i = 1; i < wc->wc_argc; i++) {
		if (strncmp(wc->wc_argv[i], "offset=", 7) == 0) {
			if (wp_number(wc->wc_argv[i] + 7, &offset) == -1)
				return (wharf_reply(ws, 501, "offset=N: N "
				    "must be a decimal byte count"));
		} else if (strcmp(wc->wc_argv[i], "compress=zlib") == 0)
			zlib = 1;
		else
			return (wharf_reply(ws, 501, "GET PATH [offset=N] "
			    "[compress=zlib]"));
	}
	if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
		return (rv);
	(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	if (xfer_buffers() == -1)
		return (wharf_reply_errno(ws, ENOMEM, dec));
	memset(&x, 0, sizeof(x));
	x.x_ws = ws;
	if ((x.x_fd = store_openat(&store, rel, O_RDONLY, 0)) == -1)
		return (wharf_reply_errno(ws, errno, dec));
	if (fstat(x.x_fd, &st) == -1) {
		rv = wharf_reply_errno(ws, errno, dec);
		close(x.x_fd);
		return (rv);
	}
	if (!S_ISREG(st.st_mode)) {
		close(x.x_fd);
		if (S_ISDIR(st.st_mode))
			return (wharf_reply_errno(ws, EISDIR, dec));
		return (wharf_reply(ws, 551, "%s: not a regular file",
		    child_slot->sl_path));
	}
	if (offset > (unsigned long long)st.st_size) {
		close(x.x_fd);
		return (wharf_reply(ws, 501, "offset=%llu is past the end "
		    "(size %lld)", offset, (long long)st.st_size));
	}
	if (crc_prefix(x.x_fd, offset, &x.x_crc) == -1) {
		rv = wharf_reply_errno(ws, errno, dec);
		close(x.x_fd);
		return (rv);
	}
	posix_fadvise(x.x_fd, (off_t)offset, 0, POSIX_FADV_SEQUENTIAL);
	/* The reply line waits for the data's first segment. */
	ws->ws_conn->c_more = !zlib && offset < (unsigned long long)st.st_size;
	if ((rv = wharf_reply(ws, 150, "size=%lld offset=%llu%s",
	    (long long)st.st_size, offset, zlib ? " compress=zlib" : "")) !=
	    WHARF_NEXT) {
		close(x.x_fd);
		return (rv);
	}
	child_state(SL_SENDING);
	rv = zlib ? get_zlib(&x, (off_t)offset, st.st_size) :
	    get_plain(&x, (off_t)offset, st.st_size);
	if (x.x_zinit)
		deflateEnd(&x.x_z);
	close(x.x_fd);
	if (rv == -1) {
		/* The byte count promised cannot be kept: end the session. */
		log_warnx("%s: GET %s: %s", ws->ws_conn->c_peer,
		    child_slot->sl_path, strerror(errno));
		return (WHARF_BROKEN);
	}
	return (wharf_reply(ws, 226, "size=%lld crc32=%08lx",
	    (long long)st.st_size, x.x_crc));
}

int
cmd_part(struct wsess *ws, struct wp_command *wc)
{
	char		 rel[PATH_MAX], dec[PATH_MAX], part[64];
	const char	*name;
	struct stat	 st;
	uLong		 crc;
	int		 ok, rv, dirfd, fd;

	if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
		return (rv);
	(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	if (xfer_buffers() == -1)
		return (wharf_reply_errno(ws, ENOMEM, dec));
	if ((dirfd = store_open_parent(&store, rel, &name)) == -1)
		return (wharf_reply_errno(ws, errno, dec));
	part_name(name, part, sizeof(part));
	fd = openat(dirfd, part, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	close(dirfd);
	if (fd == -1)
		return (wharf_reply(ws, 200, "offset=0 crc32=00000000"));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    crc_prefix(fd, (unsigned long long)st.st_size, &crc) == -1) {
		close(fd);
		return (wharf_reply(ws, 200, "offset=0 crc32=00000000"));
	}
	close(fd);
	return (wharf_reply(ws, 200, "offset=%lld crc32=%08lx",
	    (long long)st.st_size, crc));
}

/* Write received file bytes; remember the first error, count them all. */
static void
put_bytes(struct xfer *x, const unsigned char *p, size_t n)
{
	x->x_crc = crc32(x->x_crc, p, (uInt)n);
	x->x_total += n;
	child_slot->sl_bytes += n;
	if (x->x_werr == 0 && conf.c_max_upload > 0 &&
	    x->x_total > conf.c_max_upload)
		x->x_werr = EFBIG;
	if (x->x_werr == 0 && io_write_full(x->x_fd, p, n) == -1) {
		x->x_werr = errno;
		/* The operator's business: disk full, EIO, quota. */
		log_warn("PUT %s: write", child_slot->sl_path);
	}
	/* Durable: the disk starts now, so the fsync at the end is short. */
	if (x->x_werr == 0 && writeback_wrote(&x->x_wb, n) == -1) {
		x->x_werr = errno;
		log_warn("PUT %s: writeback", child_slot->sl_path);
	}
}

/* Received payload bytes: inflated first when compressed. 0 or -1. */
static int
put_payload(struct xfer *x, const unsigned char *p, size_t n)
{
	z_stream	*z = &x->x_z;
	int		 zr;

	if (!x->x_zinit) {
		put_bytes(x, p, n);
		return (0);
	}
	z->next_in = (Bytef *)p;
	z->avail_in = (uInt)n;
	while (z->avail_in > 0) {
		z->next_out = xfer_out;
		z->avail_out = XFER_BUF;
		zr = inflate(z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			if (x->x_werr == 0)
				x->x_werr = EBADMSG;
			return (0);	/* keep reading to stay in step */
		}
		put_bytes(x, xfer_out, XFER_BUF - z->avail_out);
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_BUF_ERROR && z->avail_out != 0)
			break;
	}
	return (0);
}

/* Read exactly n raw payload bytes. 0, or -1 when the client went away. */
static int
put_raw(struct xfer *x, unsigned long long n)
{
	ssize_t	 r;
	size_t	 want;

	while (n > 0) {
		want = n > XFER_BUF ? XFER_BUF : (size_t)n;
		r = conn_read(x->x_ws->ws_conn, xfer_in, want);
		if (r <= 0)
			return (-1);
		put_payload(x, xfer_in, (size_t)r);
		n -= (unsigned long long)r;
	}
	return (0);
}

/* Read a chunked payload to its zero chunk. 0, or -1 (client gone or
 * framing broken). */
static int
put_chunked(struct xfer *x)
{
	struct conn	*c = x->x_ws->ws_conn;
	size_t		 size;
	long		 hl;
	ssize_t		 n;

	for (;;) {
		for (;;) {
			hl = wp_chunk_header(buf_head(&c->c_in) ?
			    buf_head(&c->c_in) : "", buf_avail(&c->c_in),
			    &size);
			if (hl == -1) {
				errno = EPROTO;
				return (-1);
			}
			if (hl > 0)
				break;
			n = conn_fill(c, conn_deadline(conf.c_transfer_timeout),
			    CONN_BUSY);
			if (n <= 0)
				return (-1);
		}
		buf_consume(&c->c_in, (size_t)hl);
		if (size == 0)
			return (0);
		if (put_raw(x, size) == -1)
			return (-1);
	}
}

static int
put_options(struct wsess *ws, struct wp_command *wc, unsigned long long *size,
    int *has_size, unsigned long long *offset, int *zlib, int *noclobber)
{
	int	 i;

	for (i = 1; i < wc->wc_argc; i++) {
		const char *a = wc->wc_argv[i];

		if (strncmp(a, "size=", 5) == 0 &&
		    wp_number(a + 5, size) == 0)
			*has_size = 1;
		else if (strncmp(a, "offset=", 7) == 0 &&
		    wp_number(a + 7, offset) == 0)
			continue;
		else if (strcmp(a, "compress=zlib") == 0)
			*zlib = 1;
		else if (strcmp(a, "noclobber") == 0)
			*noclobber = 1;
		else {
			wharf_reply(ws, 501, "PUT PATH [size=N] [offset=N] "
			    "[compress=zlib] [noclobber]");
			return (-1);
		}
	}
	return (0);
}

int
cmd_put(struct wsess *ws, struct wp_command *wc)
{
	struct store_upload	 su = STORE_UPLOAD_INITIALIZER;
	char			 rel[PATH_MAX], dec[PATH_MAX], part[64];
	char			 line[WP_LINE_MAX];
	struct xfer		 x;
	struct stat		 st;
	unsigned long long	 size = 0, offset = 0, want;
	unsigned long		 crc;
	int			 ok, rv, has_size = 0, zlib = 0, noclobber = 0;
	int			 got, e;

	if (!wharf_may_write(ws, &rv))
		return (rv);
	if (put_options(ws, wc, &size, &has_size, &offset, &zlib,
	    &noclobber) == -1)
		return (WHARF_NEXT);
	if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
		return (rv);
	(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	if (has_size && offset > size)
		return (wharf_reply(ws, 501, "offset=%llu is past size=%llu",
		    offset, size));
	if (has_size && conf.c_max_upload > 0 && size > conf.c_max_upload)
		return (wharf_reply(ws, 552, "too large: the limit is %llu "
		    "bytes", conf.c_max_upload));
	if (noclobber && store_stat(&store, rel, &st) == 0)
		return (wharf_reply_errno(ws, EEXIST, dec));
	if (xfer_buffers() == -1)
		return (wharf_reply_errno(ws, ENOMEM, dec));
	if (store_put_begin(&store, rel, &su) == -1)
		return (wharf_reply_errno(ws, errno, dec));
	part_name(su.su_name, part, sizeof(part));

	memset(&x, 0, sizeof(x));
	x.x_ws = ws;
	x.x_fd = su.su_fd;
	x.x_crc = crc32(0L, Z_NULL, 0);
	if (offset > 0) {
		/* Take the partial: only one resumer can win the rename. */
		if (renameat(su.su_dirfd, part, su.su_dirfd, su.su_tmp) == -1) {
			store_put_abort(&su);
			return (wharf_reply(ws, 503, "no partial upload of %llu "
			    "bytes for %s; start again without offset=",
			    offset, wc->wc_argv[0]));
		}
		close(su.su_fd);
		su.su_fd = x.x_fd = openat(su.su_dirfd, su.su_tmp,
		    O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		/* Fresh for the sweep (sweep.c), whatever rename did. */
		if (x.x_fd != -1)
			(void)futimens(x.x_fd, NULL);
		if (x.x_fd == -1 || fstat(x.x_fd, &st) == -1 ||
		    (unsigned long long)st.st_size != offset) {
			long long have = x.x_fd == -1 ? 0 :
			    (long long)st.st_size;

			if (x.x_fd != -1)
				(void)renameat(su.su_dirfd, su.su_tmp,
				    su.su_dirfd, part);
			store_put_abort(&su);
			return (wharf_reply(ws, 503, "the partial upload for "
			    "%s holds %lld bytes, not %llu; ask PART",
			    wc->wc_argv[0], have, offset));
		}
		if (crc_prefix(x.x_fd, offset, &x.x_crc) == -1 ||
		    lseek(x.x_fd, (off_t)offset, SEEK_SET) == -1) {
			e = errno;
			store_put_abort(&su);
			return (wharf_reply_errno(ws, e, dec));
		}
		x.x_total = offset;
	}
	if (zlib) {
		if (inflateInit(&x.x_z) != Z_OK) {
			store_put_abort(&su);
			return (wharf_reply_errno(ws, ENOMEM, dec));
		}
		x.x_zinit = 1;
	}
	writeback_begin(&x.x_wb, store.st_fsync ? x.x_fd : -1,
	    (off_t)x.x_total);
	if (has_size)
		rv = wharf_reply(ws, 151, "send size=%llu offset=%llu%s", size,
		    offset, zlib ? " compress=zlib" : "");
	else
		rv = wharf_reply(ws, 151, "send chunked offset=%llu%s", offset,
		    zlib ? " compress=zlib" : "");
	if (rv != WHARF_NEXT)
		goto keep_partial;
	child_state(SL_RECEIVING);
	if (has_size && !zlib)
		rv = put_raw(&x, size - offset);
	else
		rv = put_chunked(&x);
	if (rv == -1) {
		if (errno == EPROTO) {
			wharf_reply(ws, 500, "bad chunk header; upload "
			    "discarded; closing");
			goto discard;
		}
		goto keep_partial;
	}
	/* The trailer: "CRC32 xxxxxxxx". */
	got = wharf_read_line(ws->ws_conn, line);
	if (got <= 0)
		goto keep_partial;
	if (strncasecmp(line, "CRC32 ", 6) != 0 || strlen(line) != 14 ||
	    strspn(line + 6, "0123456789abcdefABCDEF") != 8) {
		rv = wharf_reply(ws, 500, "expected the trailer line CRC32 "
		    "XXXXXXXX after the data; upload discarded");
		goto discard_rv;
	}
	crc = strtoul(line + 6, NULL, 16);
	want = has_size ? size : x.x_total;
	/* The flush beside the receiving may have failed: no commit then. */
	if (x.x_werr == 0 && writeback_end(&x.x_wb) == -1) {
		x.x_werr = errno;
		log_warn("PUT %s: writeback", child_slot->sl_path);
	}
	if (x.x_werr == EFBIG)
		rv = wharf_reply(ws, 552, "too large: the limit is %llu bytes; "
		    "upload discarded", conf.c_max_upload);
	else if (x.x_werr == EBADMSG)
		rv = wharf_reply(ws, 555, "compressed data is corrupt; upload "
		    "discarded");
	else if (x.x_werr == ENOSPC || x.x_werr == EDQUOT)
		rv = wharf_reply(ws, 452, "no space left on the server; upload "
		    "discarded");
	else if (x.x_werr != 0)
		rv = wharf_reply(ws, 451, "write failed: %s; upload discarded",
		    strerror(x.x_werr));
	else if (x.x_total != want)
		rv = wharf_reply(ws, 555, "size mismatch: got %llu of %llu "
		    "bytes; upload discarded", x.x_total, want);
	else if (crc != x.x_crc)
		rv = wharf_reply(ws, 555, "checksum mismatch: got %08lx, "
		    "expected %08lx; upload discarded", x.x_crc, crc);
	else
		goto commit;
	goto discard_rv;

commit:
	if (x.x_zinit)
		inflateEnd(&x.x_z);
	/* The whole file is here and checked: an older partial is moot. */
	(void)unlinkat(su.su_dirfd, part, 0);
	if (store_put_commit(&store, &su, noclobber) == -1) {
		e = errno;
		store_put_abort(&su);
		if (e != EEXIST)
			log_warnx("PUT %s: commit: %s", child_slot->sl_path,
			    strerror(e));
		return (wharf_reply_errno(ws, e, dec));
	}
	store_put_abort(&su);			/* closes what is left */
	log_info("%s: PUT %s: %llu bytes", ws->ws_conn->c_peer,
	    child_slot->sl_path, x.x_total);
	return (wharf_reply(ws, 226, "size=%llu crc32=%08lx", x.x_total,
	    x.x_crc));

discard:
	rv = WHARF_BROKEN;
discard_rv:
	/* A discarded upload ends the story of that name's partial too. */
	if (x.x_zinit)
		inflateEnd(&x.x_z);
	if (writeback_end(&x.x_wb) == -1)
		log_warn("PUT %s: writeback", child_slot->sl_path);
	(void)unlinkat(su.su_dirfd, part, 0);
	store_put_abort(&su);
	return (rv);

keep_partial:
	/*
	 * The client went away mid-payload: keep what arrived as the
	 * resumable partial (hidden, never listed or served).
	 */
	if (x.x_zinit)
		inflateEnd(&x.x_z);
	if (writeback_end(&x.x_wb) == -1 && x.x_werr == 0) {
		x.x_werr = errno;
		log_warn("PUT %s: writeback", child_slot->sl_path);
	}
	if (x.x_total > 0 && x.x_werr == 0 &&
	    renameat(su.su_dirfd, su.su_tmp, su.su_dirfd, part) == 0)
		log_info("%s: PUT %s interrupted after %llu bytes; partial "
		    "kept", ws->ws_conn->c_peer, child_slot->sl_path,
		    x.x_total);
	store_put_abort(&su);
	return (WHARF_BROKEN);
}
