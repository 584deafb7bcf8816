/*
 * http_get.c: GET and HEAD of a path: a file (sendfile, Range with
 * multipart/byteranges, ETag and Last-Modified with the conditional
 * headers, Content-Type from mime.c, gzip on the fly or a precompressed
 * name.gz beside it, ?download), or a directory (redirect to the slash
 * form, then a listing or a .tar.gz).
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <zlib.h>

#include "child.h"
#include "conn.h"
#include "file_cache.h"
#include "http.h"
#include "http_date.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "wharfd.h"

#define GZIP_MIN	256	/* smaller bodies are not worth compressing */
#define GZIP_LEVEL	5

static z_stream	 gz;
static int	 gz_ready;
static char	 byteranges_boundary[40];

static int	 get_file(struct hsess *, int fd, struct stat *,
		    const char *name);
static int	 get_redirect(struct hsess *);
static void	 etag_of(const struct stat *, const char *suffix, char *out,
		    size_t outsz);
static void	 etag_gz(const char *etag, char *out, size_t outsz);
static char	*hex_put(char *, uint64_t);
static int	 etag_matches(const char *list, const char *etag, int strong);
static int	 if_range_ok(struct hsess *, const char *etag,
		    const struct stat *);
static int	 send_body(struct hsess *, int fd, off_t off, off_t len);
static int	 send_whole(struct hsess *, int fd, off_t size);
static int	 send_ranges(struct hsess *, int fd, const struct stat *,
		    const char *type, struct http_range *, size_t n);
static int	 send_gzip(struct hsess *, int fd, off_t size);
static int	 gz_start(void);

/* v in lowercase hex, as %llx would write it, at p. Returns the end. */
static char *
hex_put(char *p, uint64_t v)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 tmp[16];
	size_t			 n = 0;

	do
		tmp[n++] = hex[v & 15];
	while ((v >>= 4) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return (p);
}

/*
 * "inode-size-mtime" in hex, quoted, with a suffix for other encodings.
 * Built by hand: it is in every file response, and snprintf was a good
 * part of the cost of a small one.
 */
static void
etag_of(const struct stat *st, const char *suffix, char *out, size_t outsz)
{
	char	 tmp[3 * 16 + 4], *p = tmp;
	size_t	 n, sl = strlen(suffix);

	*p++ = '"';
	p = hex_put(p, (uint64_t)st->st_ino);
	*p++ = '-';
	p = hex_put(p, (uint64_t)st->st_size);
	*p++ = '-';
	p = hex_put(p, (uint64_t)st->st_mtim.tv_sec * 1000000000ULL +
	    (uint64_t)st->st_mtim.tv_nsec);
	n = (size_t)(p - tmp);
	if (outsz == 0)
		return;
	if (n + sl + 1 >= outsz) {
		out[0] = '\0';	/* never with the callers' 80 bytes */
		return;
	}
	memcpy(out, tmp, n);
	memcpy(out + n, suffix, sl);
	out[n + sl] = '"';
	out[n + sl + 1] = '\0';
}

/* The ETag of the gzip encoding: the file's, with "-gz" inside the quotes. */
static void
etag_gz(const char *etag, char *out, size_t outsz)
{
	size_t	 n = strlen(etag);

	if (n < 2 || n + 4 > outsz) {
		if (outsz > 0)
			out[0] = '\0';	/* never with the callers' 80 bytes */
		return;
	}
	memcpy(out, etag, n - 1);
	memcpy(out + n - 1, "-gz\"", 5);
}

/* Does an If-None-Match / If-Range list name etag? "*" matches any. */
static int
etag_matches(const char *list, const char *etag, int strong)
{
	const char	*s = list, *q;
	size_t		 elen = strlen(etag);
	int		 weak;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '*' && !strong)
			return (1);
		weak = 0;
		if (s[0] == 'W' && s[1] == '/') {
			weak = 1;
			s += 2;
		}
		if (*s != '"')
			return (0);
		if ((q = strchr(s + 1, '"')) == NULL)
			return (0);
		if ((size_t)(q + 1 - s) == elen && memcmp(s, etag, elen) == 0 &&
		    !(strong && weak))
			return (1);
		s = q + 1;
	}
	return (0);
}

/* If-Range: the range applies only to the representation it names. */
static int
if_range_ok(struct hsess *hs, const char *etag, const struct stat *st)
{
	const char	*v = http_field(&hs->hs_head, "If-Range");
	time_t		 t;

	if (v == NULL)
		return (1);
	if (v[0] == '"' || (v[0] == 'W' && v[1] == '/'))
		return (etag_matches(v, etag, 1));
	t = http_parse_date(v);
	return (t != (time_t)-1 && t == st->st_mtime);
}

static int
get_redirect(struct hsess *hs)
{
	struct buf	*b = &hs->hs_hdrs;

	/* A path only, never "//host": rel has no leading or empty part. */
	if (buf_adds(b, "Location: /") == -1 ||
	    http_urlenc(b, hs->hs_rel, strlen(hs->hs_rel)) == -1 ||
	    buf_adds(b, "/") == -1 ||
	    (hs->hs_query != NULL && (buf_adds(b, "?") == -1 ||
	    buf_adds(b, hs->hs_query) == -1)) ||
	    buf_adds(b, "\r\n") == -1)
		return (414);
	http_message(hs, "this is a directory; its address ends in '/'");
	return (301);
}

int
http_get(struct hsess *hs)
{
	struct stat	 st;
	const char	*name;
	int		 fd, rv;

	name = strrchr(hs->hs_rel, '/');
	name = name != NULL ? name + 1 : hs->hs_rel;
	/* Asked before on this connection, and still the same file. */
	if ((fd = file_cache_get(&store, hs->hs_rel, &st)) != -1)
		return (hs->hs_slash ? 404 : get_file(hs, fd, &st, name));

	fd = store_openat(&store, hs->hs_rel, O_RDONLY | O_NONBLOCK, 0);
	if (fd == -1) {
		rv = http_errno_status(errno);
		if (rv == 404)
			http_message(hs, "no such file or directory");
		return (rv);
	}
	if (fstat(fd, &st) == -1) {
		rv = http_errno_status(errno);
		close(fd);
		return (rv);
	}
	if (S_ISDIR(st.st_mode)) {
		if (!hs->hs_slash && hs->hs_rel[0] != '\0') {
			close(fd);
			return (get_redirect(hs));
		}
		if (http_query(hs->hs_query, "tar.gz", NULL, 0) != 0 ||
		    http_query(hs->hs_query, "tgz", NULL, 0) != 0)
			rv = http_tar(hs, fd);
		else
			rv = http_listing(hs, fd);
		close(fd);
		return (rv);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		http_message(hs, "not a regular file");
		return (403);
	}
	if (hs->hs_slash) {
		close(fd);
		return (404);
	}
	rv = get_file(hs, fd, &st, name);
	file_cache_put(hs->hs_rel, fd, &st);
	return (rv);
}

/* Content-Disposition for ?download (RFC 6266): an ASCII fallback and
 * the exact name as filename*=UTF-8''... */
int
http_disposition(struct hsess *hs, const char *name)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		*b = &hs->hs_hdrs;
	const unsigned char	*u;
	char			 c;

	if (buf_adds(b, "Content-Disposition: attachment; filename=\"") == -1)
		return (-1);
	for (u = (const unsigned char *)name; *u != '\0'; u++) {
		c = (*u >= 0x20 && *u < 0x7f && *u != '"' && *u != '\\' &&
		    *u != '%') ? (char)*u : '_';
		if (buf_add(b, &c, 1) == -1)
			return (-1);
	}
	if (buf_adds(b, "\"; filename*=UTF-8''") == -1)
		return (-1);
	for (u = (const unsigned char *)name; *u != '\0'; u++) {
		char	 enc[3] = { '%', hex[*u >> 4], hex[*u & 15] };

		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') ||
		    strchr("!#$&+-.^_`|~", *u) != NULL) {
			if (buf_add(b, u, 1) == -1)
				return (-1);
		} else if (buf_add(b, enc, 3) == -1)
			return (-1);
	}
	return (buf_adds(b, "\r\n"));
}

static int
get_file(struct hsess *hs, int fd, struct stat *st, const char *name)
{
	struct http_range	 ranges[HTTP_RANGES_MAX];
	struct stat		 gzst;
	char			 etag[80], gzetag[80];
	char			 type[MIME_TYPE_MAX];
	const char		*inm, *ims, *range, *ae;
	size_t			 nranges, rlen;
	time_t			 t;
	int			 compressible, gzip, rs, gzfd, rv;

	etag_of(st, "", etag, sizeof(etag));
	etag_gz(etag, gzetag, sizeof(gzetag));
	mime_type(fd, st, name, type);
	compressible = mime_compressible(type);
	ae = http_field(&hs->hs_head, "Accept-Encoding");
	gzip = http_accepts(ae, "gzip");

	http_header_add(hs, "Last-Modified", http_last_modified(st->st_mtime));
	/*
	 * Anyone who may upload could otherwise plant a page that runs on
	 * the listing's origin with its visitors' credentials: files that
	 * a browser would run are sandboxed, and no type is sniffed.
	 */
	http_header_add(hs, "X-Content-Type-Options", "nosniff");
	if (strncmp(type, "text/html", 9) == 0 ||
	    strncmp(type, "image/svg", 9) == 0 || strstr(type, "xml") != NULL)
		http_header_add(hs, "Content-Security-Policy", "sandbox");
	if (compressible)
		http_header_add(hs, "Vary", "Accept-Encoding");

	/*
	 * Conditionals: If-None-Match wins over If-Modified-Since. A date
	 * later than now is no date (as Apache has it): it would make any
	 * file "not modified" until then.
	 */
	inm = http_field(&hs->hs_head, "If-None-Match");
	ims = http_field(&hs->hs_head, "If-Modified-Since");
	if ((inm != NULL && (etag_matches(inm, etag, 0) ||
	    etag_matches(inm, gzetag, 0))) ||
	    (inm == NULL && ims != NULL &&
	    (t = http_parse_date(ims)) != (time_t)-1 && st->st_mtime <= t &&
	    t <= time(NULL))) {
		http_header_add(hs, "ETag", compressible && gzip &&
		    st->st_size >= GZIP_MIN ? gzetag : etag);
		return (304);
	}
	if (http_query(hs->hs_query, "download", NULL, 0) != 0 &&
	    http_disposition(hs, name) == -1)
		return (500);
	http_header_add(hs, "Accept-Ranges", "bytes");

	range = http_field(&hs->hs_head, "Range");
	if (range != NULL && if_range_ok(hs, etag, st)) {
		rs = http_parse_range(range, (uint64_t)st->st_size, ranges,
		    HTTP_RANGES_MAX, &nranges);
		if (rs == 416) {
			http_header(hs, "Content-Range: bytes */%lld",
			    (long long)st->st_size);
			http_message(hs, "the file has %lld bytes",
			    (long long)st->st_size);
			return (416);
		}
		if (rs == 206) {
			http_header_add(hs, "ETag", etag);
			return (send_ranges(hs, fd, st, type, ranges,
			    nranges));
		}
	}

	/*
	 * A precompressed name.gz beside the file, when not older. The name
	 * is made in hs_rel itself, put back at once: a PATH_MAX buffer here
	 * would deepen every GET's stack by a page that each child dirties.
	 */
	rlen = strlen(hs->hs_rel);
	if (gzip && rlen + 4 < sizeof(hs->hs_rel)) {
		memcpy(hs->hs_rel + rlen, ".gz", 4);
		gzfd = store_openat(&store, hs->hs_rel, O_RDONLY | O_NONBLOCK,
		    0);
		hs->hs_rel[rlen] = '\0';
		if (gzfd != -1) {
			if (fstat(gzfd, &gzst) == 0 && S_ISREG(gzst.st_mode) &&
			    (gzst.st_mtim.tv_sec > st->st_mtim.tv_sec ||
			    (gzst.st_mtim.tv_sec == st->st_mtim.tv_sec &&
			    gzst.st_mtim.tv_nsec >= st->st_mtim.tv_nsec))) {
				etag_of(&gzst, "-pgz", gzetag, sizeof(gzetag));
				if (!compressible)
					http_header_add(hs,
					    "Vary", "Accept-Encoding");
				http_header_add(hs, "ETag", gzetag);
				http_header_add(hs, "Content-Type", type);
				http_header_add(hs, "Content-Encoding", "gzip");
				rv = send_whole(hs, gzfd, gzst.st_size);
				close(gzfd);
				return (rv);
			}
			close(gzfd);
		}
	}
	http_header_add(hs, "Content-Type", type);
	if (gzip && compressible && st->st_size >= GZIP_MIN) {
		http_header_add(hs, "ETag", gzetag);
		http_header_add(hs, "Content-Encoding", "gzip");
		return (send_gzip(hs, fd, st->st_size));
	}
	http_header_add(hs, "ETag", etag);
	return (send_whole(hs, fd, st->st_size));
}

/* len bytes of fd from off with sendfile(2). 0 or -1. */
static int
send_body(struct hsess *hs, int fd, off_t off, off_t len)
{
	off_t	 pos = off;

	if (hs->hs_no_body || len == 0)
		return (0);
	if (conn_sendfile(hs->hs_conn, fd, &pos, (size_t)len) == -1) {
		log_debug("%s: GET %s: %s", hs->hs_conn->c_peer,
		    child_slot->sl_path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* The whole file with a Content-Length; a small one in the head's writev. */
static int
send_whole(struct hsess *hs, int fd, off_t size)
{
	unsigned char	*b;
	ssize_t		 n = 0;

	if (size <= HTTP_SMALL_FILE && !hs->hs_no_body && size > 0 &&
	    (b = http_body_room(hs, (size_t)size)) != NULL) {
		do
			n = pread(fd, b, (size_t)size, 0);
		while (n == -1 && errno == EINTR);
		if (n == size)
			return (http_reply(hs, 200, size, b, (size_t)n));
	}
	if (http_reply(hs, 200, size, NULL, 0) == HTTP_BROKEN)
		return (HTTP_BROKEN);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return (send_body(hs, fd, 0, size) == -1 ? HTTP_BROKEN : HTTP_SENT);
}

static int
send_ranges(struct hsess *hs, int fd, const struct stat *st,
    const char *type, struct http_range *r, size_t n)
{
	char		 part[256];
	uint64_t	 total = 0;
	size_t		 i;
	int		 len;

	if (n == 1) {
		http_header_add(hs, "Content-Type", type);
		http_header(hs, "Content-Range: bytes %llu-%llu/%lld",
		    (unsigned long long)r[0].hr_first,
		    (unsigned long long)r[0].hr_last, (long long)st->st_size);
		if (http_reply(hs, 206, (int64_t)(r[0].hr_last -
		    r[0].hr_first + 1), NULL, 0) == HTTP_BROKEN)
			return (HTTP_BROKEN);
		return (send_body(hs, fd, (off_t)r[0].hr_first,
		    (off_t)(r[0].hr_last - r[0].hr_first + 1)) == -1 ?
		    HTTP_BROKEN : HTTP_SENT);
	}
	if (byteranges_boundary[0] == '\0') {
		unsigned char	 rnd[8];

		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			memset(rnd, 0x5a, sizeof(rnd));
		snprintf(byteranges_boundary, sizeof(byteranges_boundary),
		    "wharf-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		    rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	}
	/* Each part: CRLF, delimiter, its headers, its bytes; then the end. */
	for (i = 0; i < n; i++) {
		len = snprintf(part, sizeof(part), "\r\n--%s\r\n"
		    "Content-Type: %s\r\nContent-Range: bytes %llu-%llu/%lld"
		    "\r\n\r\n", byteranges_boundary, type,
		    (unsigned long long)r[i].hr_first,
		    (unsigned long long)r[i].hr_last, (long long)st->st_size);
		total += (uint64_t)len + r[i].hr_last - r[i].hr_first + 1;
	}
	total += strlen(byteranges_boundary) + 8;
	http_header(hs, "Content-Type: multipart/byteranges; boundary=%s",
	    byteranges_boundary);
	if (http_reply(hs, 206, (int64_t)total, NULL, 0) == HTTP_BROKEN)
		return (HTTP_BROKEN);
	if (hs->hs_no_body)
		return (HTTP_SENT);
	for (i = 0; i < n; i++) {
		len = snprintf(part, sizeof(part), "\r\n--%s\r\n"
		    "Content-Type: %s\r\nContent-Range: bytes %llu-%llu/%lld"
		    "\r\n\r\n", byteranges_boundary, type,
		    (unsigned long long)r[i].hr_first,
		    (unsigned long long)r[i].hr_last, (long long)st->st_size);
		if (http_body(hs, part, (size_t)len) == -1 ||
		    send_body(hs, fd, (off_t)r[i].hr_first,
		    (off_t)(r[i].hr_last - r[i].hr_first + 1)) == -1)
			return (HTTP_BROKEN);
	}
	len = snprintf(part, sizeof(part), "\r\n--%s--\r\n",
	    byteranges_boundary);
	return (http_body(hs, part, (size_t)len) == -1 ? HTTP_BROKEN :
	    HTTP_SENT);
}

static int
gz_start(void)
{
	if (!gz_ready) {
		memset(&gz, 0, sizeof(gz));
		if (deflateInit2(&gz, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return (-1);
		gz_ready = 1;
	} else if (deflateReset(&gz) != Z_OK)
		return (-1);
	return (0);
}

/*
 * gzip on the fly. A small file is compressed whole and sent with a
 * Content-Length in one writev; a larger one streams, chunked.
 */
static int
send_gzip(struct hsess *hs, int fd, off_t size)
{
	unsigned char	*in, *out;
	const size_t	 half = HTTP_XFER_BUF / 2;
	off_t		 pos = 0;
	ssize_t		 n;
	int		 flush, zr;

	if ((in = http_xfer_buf()) == NULL || gz_start() == -1)
		return (503);
	out = in + half;
	if (size <= HTTP_SMALL_FILE) {
		do
			n = pread(fd, in, (size_t)size, 0);
		while (n == -1 && errno == EINTR);
		if (n != size)
			return (500);
		gz.next_in = in;
		gz.avail_in = (uInt)n;
		gz.next_out = out;
		gz.avail_out = (uInt)half;
		if (deflate(&gz, Z_FINISH) != Z_STREAM_END)
			return (500);
		return (http_reply(hs, 200, (int64_t)(half - gz.avail_out),
		    out, half - gz.avail_out));
	}
	if (http_reply(hs, 200, -1, NULL, 0) == HTTP_BROKEN)
		return (HTTP_BROKEN);
	if (hs->hs_no_body)
		return (HTTP_SENT);
	do {
		do
			n = pread(fd, in, half, pos);
		while (n == -1 && errno == EINTR);
		if (n < 0)
			return (HTTP_BROKEN);
		pos += n;
		flush = n == 0 || pos >= size ? Z_FINISH : Z_NO_FLUSH;
		gz.next_in = in;
		gz.avail_in = (uInt)n;
		do {
			gz.next_out = out;
			gz.avail_out = (uInt)half;
			zr = deflate(&gz, flush);
			if (zr == Z_STREAM_ERROR)
				return (HTTP_BROKEN);
			if (half - gz.avail_out > 0 && http_body(hs, out,
			    half - gz.avail_out) == -1)
				return (HTTP_BROKEN);
		} while (gz.avail_out == 0);
	} while (flush != Z_FINISH);
	return (http_body_end(hs) == -1 ? HTTP_BROKEN : HTTP_SENT);
}
