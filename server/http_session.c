/*
 * http_session.c: the HTTP/1.1 connection loop: reading request heads
 * under the keep-alive and header deadlines, keep-alive and pipelining,
 * HTTP/1.0, credentials, dispatch to the handlers, request bodies, and
 * the one place a response head (and an error's short body) is rendered.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "child.h"
#include "config.h"
#include "conn.h"
#include "http.h"
#include "http_date.h"
#include "log.h"
#include "mime.h"
#include "session.h"
#include "store.h"
#include "users.h"
#include "wharfd.h"

#define HDRS_MAX	(16 * 1024)	/* a handler's extra header lines */
#define DRAIN_MAX	(256 * 1024)	/* unread body skipped to keep alive */

/*
 * What a request writes is kept to few pages (each child's own copy under
 * c500): the header lines start a page, and a small file's body goes on
 * it after them (http_body_room); hsess keeps its hot fields together
 * (http.h). The header lines and the transfer buffer are one mapping,
 * made by http_init before the pool forks and never touched by the
 * master: page-aligned, and malloc's headers and arena are not written.
 */
#define HDRS_SPAN	(((size_t)HDRS_MAX + 1 + 4095) & ~(size_t)4095)

static char		 head_buf[HTTP_HEAD_MAX + 1];	/* with a body */
static char		*hdrs_buf;	/* hs_hdrs, HDRS_MAX + 1 bytes */
static unsigned char	*xfer_buf;	/* HTTP_XFER_BUF bytes */
static struct hsess	 hsess;

static int	 http_read_head(struct hsess *, size_t *headlen);
static int	 http_request(struct hsess *, size_t headlen);
static int	 http_dispatch(struct hsess *);
static int	 http_auth(struct hsess *);
static int	 http_render(struct hsess *, int status);
static int	 http_options(struct hsess *);
static int	 http_drain(struct hsess *);
static void	 http_log(struct hsess *);
static const char *http_allow(void);
static const char *http_common_lines(size_t *);
static size_t	 http_utoa(char *, uint64_t);

static const struct {
	int		 code;
	const char	*reason;
} reasons[] = {
	{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" },
	{ 204, "No Content" }, { 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 409, "Conflict" }, { 411, "Length Required" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" }, { 505, "HTTP Version Not Supported" },
	{ 507, "Insufficient Storage" }
};

const char *
http_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return (reasons[i].reason);
	return (status < 400 ? "OK" : status < 500 ? "Bad Request" :
	    "Internal Server Error");
}

const char *
http_last_modified(time_t t)
{
	static time_t	 last_t;
	static char	 last[HTTP_DATE_LEN + 1];

	if (t != last_t || last[0] == '\0') {
		http_date(t, last, sizeof(last));
		last_t = t;
	}
	return (last);
}

/*
 * The Date and Server lines every response starts with, formatted once
 * per second rather than per request. Sets *len.
 */
static const char *
http_common_lines(size_t *len)
{
	static time_t	 cached;
	static char	 lines[128];
	static size_t	 n;
	char		 date[HTTP_DATE_LEN + 1];
	time_t		 t = time(NULL);
	int		 rv;

	/* Zero-initialised, not -1: .data is a page no child need write. */
	if (t != cached || n == 0) {
		rv = snprintf(lines, sizeof(lines), "Date: %s\r\n"
		    "Server: wharfd/%s\r\n", http_date(t, date, sizeof(date)),
		    PACKAGE_VERSION);
		n = rv < 0 || (size_t)rv >= sizeof(lines) ? 0 : (size_t)rv;
		cached = t;
	}
	*len = n;
	return (lines);
}

int
http_header(struct hsess *hs, const char *fmt, ...)
{
	va_list	 ap;
	int	 rv;

	va_start(ap, fmt);
	rv = buf_vprintf(&hs->hs_hdrs, fmt, ap);
	va_end(ap);
	if (rv == 0)
		rv = buf_add(&hs->hs_hdrs, "\r\n", 2);
	return (rv);
}

int
http_header_add(struct hsess *hs, const char *name, const char *value)
{
	struct buf	*b = &hs->hs_hdrs;
	size_t		 nl = strlen(name), vl = strlen(value);

	/* No printf: this is most of the head of every small response. */
	if (buf_reserve(b, nl + vl + 4) == -1)
		return (-1);
	memcpy(b->b_data + b->b_len, name, nl);
	b->b_data[b->b_len + nl] = ':';
	b->b_data[b->b_len + nl + 1] = ' ';
	memcpy(b->b_data + b->b_len + nl + 2, value, vl);
	memcpy(b->b_data + b->b_len + nl + 2 + vl, "\r\n", 3);
	b->b_len += nl + vl + 4;
	return (0);
}

/* v in decimal at out (room for 21 bytes), not NUL-ended. Returns length. */
static size_t
http_utoa(char *out, uint64_t v)
{
	char	 tmp[20];
	size_t	 n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return (n);
}

void
http_message(struct hsess *hs, const char *fmt, ...)
{
	char	 raw[sizeof(hs->hs_msg)];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_escape(hs->hs_msg, sizeof(hs->hs_msg), raw, strlen(raw));
}

unsigned char *
http_xfer_buf(void)
{
	return (xfer_buf);
}

void *
http_body_room(struct hsess *hs, size_t n)
{
	struct buf	*b = &hs->hs_hdrs;
	size_t		 at = b->b_len + 8;	/* past http_reply's CRLF */

	if (at <= b->b_max && n <= b->b_max - at)
		return (b->b_data + at);
	return (n <= HTTP_XFER_BUF ? http_xfer_buf() : NULL);
}

static const char *
http_allow(void)
{
	return (conf.c_writable ?
	    "GET, HEAD, PUT, POST, DELETE, MKCOL, OPTIONS" :
	    "GET, HEAD, OPTIONS");
}

int
http_reply(struct hsess *hs, int status, int64_t length, const void *body,
    size_t bodylen)
{
	static const char	 clen[] = "Content-Length: ";
	static const char	 chunked[] = "Transfer-Encoding: chunked\r\n";
	static const char	 closing[] = "Connection: close\r\n";
	static const char	 keep[] = "Connection: keep-alive\r\n";
	struct conn		*c = hs->hs_conn;
	struct iovec		 iov[5];
	const char		*reason, *common;
	char			 head[512], size[24];
	size_t			 n, rl, cl;
	int			 niov;

	/* Make way: after this response, a queued client gets the child. */
	if (child_leaving || child_stopping || child_pool_queued())
		hs->hs_close = 1;
	hs->hs_chunked_out = 0;
	if (status < 100 || status > 999)
		status = 500;
	/*
	 * The head is put together with memcpy, not snprintf: for a small
	 * file, formatting was a third of the work of a whole request.
	 * Every piece is bounded: the status line by the reason table, the
	 * common lines by their buffer, a number by 20 digits.
	 */
	reason = http_reason(status);
	rl = strlen(reason);
	common = http_common_lines(&cl);
	memcpy(head, "HTTP/1.1 ", 9);
	head[9] = (char)('0' + status / 100);
	head[10] = (char)('0' + status / 10 % 10);
	head[11] = (char)('0' + status % 10);
	head[12] = ' ';
	memcpy(head + 13, reason, rl);
	n = 13 + rl;
	memcpy(head + n, "\r\n", 2);
	n += 2;
	memcpy(head + n, common, cl);
	n += cl;
	if (status == 304 || status == 204 || status < 200)
		;
	else if (length >= 0) {
		memcpy(head + n, clen, sizeof(clen) - 1);
		n += sizeof(clen) - 1;
		n += http_utoa(head + n, (uint64_t)length);
		memcpy(head + n, "\r\n", 2);
		n += 2;
	} else if (hs->hs_minor >= 1) {
		memcpy(head + n, chunked, sizeof(chunked) - 1);
		n += sizeof(chunked) - 1;
		hs->hs_chunked_out = !hs->hs_no_body;
	} else
		hs->hs_close = 1;	/* HTTP/1.0: the close ends the body */
	if (hs->hs_close) {
		memcpy(head + n, closing, sizeof(closing) - 1);
		n += sizeof(closing) - 1;
	} else if (hs->hs_keepalive_10) {
		memcpy(head + n, keep, sizeof(keep) - 1);
		n += sizeof(keep) - 1;
	}
	iov[0].iov_base = head;
	iov[0].iov_len = n;
	if (buf_add(&hs->hs_hdrs, "\r\n", 2) == -1)
		return (HTTP_BROKEN);
	iov[1].iov_base = buf_head(&hs->hs_hdrs);
	iov[1].iov_len = buf_avail(&hs->hs_hdrs);
	niov = 2;
	if (hs->hs_no_body)
		bodylen = 0;
	if (bodylen > 0 && hs->hs_chunked_out) {
		iov[2].iov_base = size;
		iov[2].iov_len = (size_t)snprintf(size, sizeof(size),
		    "%zx\r\n", bodylen);
		iov[3].iov_base = (void *)body;
		iov[3].iov_len = bodylen;
		iov[4].iov_base = "\r\n";
		iov[4].iov_len = 2;
		niov = 5;
	} else if (bodylen > 0) {
		iov[2].iov_base = (void *)body;
		iov[2].iov_len = bodylen;
		niov = 3;
	}
	hs->hs_status = status;
	/*
	 * A length with no body here: the caller sends the body next
	 * (sendfile), so the head waits to share its first segment.
	 */
	c->c_more = length > 0 && bodylen == 0 && !hs->hs_no_body;
	if (conn_writev(c, iov, niov) == -1)
		return (HTTP_BROKEN);
	hs->hs_sent0 = c->c_sent - bodylen;
	child_slot->sl_bytes += bodylen;
	return (HTTP_SENT);
}

int
http_body(struct hsess *hs, const void *p, size_t n)
{
	struct iovec	 iov[3];
	char		 size[24];

	if (hs->hs_no_body || n == 0)
		return (0);
	child_slot->sl_bytes += n;
	if (!hs->hs_chunked_out)
		return (conn_write(hs->hs_conn, p, n));
	iov[0].iov_base = size;
	iov[0].iov_len = (size_t)snprintf(size, sizeof(size), "%zx\r\n", n);
	iov[1].iov_base = (void *)p;
	iov[1].iov_len = n;
	iov[2].iov_base = "\r\n";
	iov[2].iov_len = 2;
	return (conn_writev(hs->hs_conn, iov, 3));
}

int
http_body_end(struct hsess *hs)
{
	if (!hs->hs_chunked_out)
		return (0);
	hs->hs_chunked_out = 0;
	return (conn_write(hs->hs_conn, "0\r\n\r\n", 5));
}

int
http_errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return (404);
	case EACCES:
	case EPERM:
	case EXDEV:
	case ELOOP:
	case EBUSY:
	case ENXIO:	/* a socket in the store */
		return (403);
	case EROFS:
		return (405);
	case EEXIST:
	case ENOTEMPTY:
	case EISDIR:
		return (409);
	case ENOSPC:
	case EDQUOT:
		return (507);
	case ENAMETOOLONG:
		return (414);
	case EINVAL:
		return (400);
	case EFBIG:
		return (413);
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		return (503);
	default:
		return (500);
	}
}

int
http_may_write(struct hsess *hs)
{
	if (!conf.c_writable) {
		http_message(hs, "the server is read-only");
		return (405);
	}
	if (hs->hs_role != ANON_WRITE) {
		if (users_enabled()) {
			http_message(hs, "%s", hs->hs_user != NULL ?
			    "your account is read-only" :
			    "log in to change files");
			return (hs->hs_user != NULL ? 403 : 401);
		}
		http_message(hs, "anonymous clients may not change files");
		return (403);
	}
	return (0);
}

int
http_peer_loopback(const struct hsess *hs)
{
	const char	*a = hs->hs_conn->c_addr;

	return (strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	    strncmp(a, "::ffff:127.", 11) == 0);
}

int
http_html(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*u = (const unsigned char *)s;
	const char		*rep;
	char			 ctl[5];
	size_t			 i = 0, run = 0, n, k;

	/*
	 * HTML-escape, and show every byte that is not printable text as
	 * \xNN: C0 controls, DEL, C1 controls (UTF-8 C2 80..9F) and bytes
	 * that are not valid UTF-8. Nothing from a file name reaches the
	 * page as a control character.
	 */
	while (u[i] != '\0') {
		rep = NULL;
		n = 1;
		switch (u[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if (u[i] < 0x80) {
				if (u[i] < 0x20 || u[i] == 0x7f)
					rep = ctl;
				break;
			}
			n = u[i] >= 0xc2 && u[i] <= 0xdf ? 2 :
			    u[i] >= 0xe0 && u[i] <= 0xef ? 3 :
			    u[i] >= 0xf0 && u[i] <= 0xf4 ? 4 : 0;
			for (k = 1; k < n; k++)
				if ((u[i + k] & 0xc0) != 0x80)
					n = 0;
			if (n == 0 || (u[i] == 0xc2 && u[i + 1] <= 0x9f)) {
				/* Not UTF-8, or a C1 control: byte by byte. */
				n = 1;
				rep = ctl;
			}
			break;
		}
		if (rep == NULL) {
			i += n;
			continue;
		}
		if (rep == ctl) {
			ctl[0] = '\\';
			ctl[1] = 'x';
			ctl[2] = hex[u[i] >> 4];
			ctl[3] = hex[u[i] & 0xf];
			ctl[4] = '\0';
		}
		if (buf_add(b, s + run, i - run) == -1 || buf_adds(b, rep) == -1)
			return (-1);
		i += n;
		run = i;
	}
	return (buf_add(b, s + run, i - run));
}

int
http_urlenc(struct buf *b, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u = (const unsigned char *)s;
	char			 out[3];
	size_t			 i;

	if (buf_reserve(b, len * 3) == -1)
		return (-1);
	for (i = 0; i < len; i++) {
		if ((u[i] >= 'a' && u[i] <= 'z') ||
		    (u[i] >= 'A' && u[i] <= 'Z') ||
		    (u[i] >= '0' && u[i] <= '9') ||
		    strchr("-._~/!$()*,;=:@", u[i]) != NULL) {
			b->b_data[b->b_len++] = (char)u[i];
			continue;
		}
		out[0] = '%';
		out[1] = hex[u[i] >> 4];
		out[2] = hex[u[i] & 15];
		memcpy(b->b_data + b->b_len, out, 3);
		b->b_len += 3;
	}
	b->b_data[b->b_len] = '\0';
	return (0);
}

int
http_json(struct buf *b, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k, n;

	if (buf_add(b, "\"", 1) == -1)
		return (-1);
	for (i = 0; u[i] != '\0'; ) {
		if (u[i] == '"' || u[i] == '\\') {
			if (buf_printf(b, "\\%c", u[i]) == -1)
				return (-1);
			i++;
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f) {
			if (buf_printf(b, "\\u%04x", u[i]) == -1)
				return (-1);
			i++;
			continue;
		}
		if (u[i] < 0x80) {
			if (buf_add(b, &u[i], 1) == -1)
				return (-1);
			i++;
			continue;
		}
		/* a valid UTF-8 sequence goes as it is; a stray byte as U+00XX */
		n = (u[i] & 0xe0) == 0xc0 && u[i] >= 0xc2 ? 2 :
		    (u[i] & 0xf0) == 0xe0 ? 3 :
		    (u[i] & 0xf8) == 0xf0 && u[i] <= 0xf4 ? 4 : 0;
		for (k = 1; k < n; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				n = 0;
		if (n == 3 && ((u[i] == 0xe0 && u[i + 1] < 0xa0) ||
		    (u[i] == 0xed && u[i + 1] >= 0xa0)))
			n = 0;
		if (n == 4 && ((u[i] == 0xf0 && u[i + 1] < 0x90) ||
		    (u[i] == 0xf4 && u[i + 1] >= 0x90)))
			n = 0;
		if (n == 0) {
			if (buf_printf(b, "\\u%04x", u[i]) == -1)
				return (-1);
			i++;
			continue;
		}
		if (buf_add(b, &u[i], n) == -1)
			return (-1);
		i += n;
	}
	return (buf_add(b, "\"", 1));
}

uint64_t
http_body_spliceable(const struct hsess *hs)
{
	if (hs->hs_body != HB_LENGTH || hs->hs_expect ||
	    buf_avail(&hs->hs_conn->c_in) > 0)
		return (0);
	return (hs->hs_body_left);
}

ssize_t
http_body_splice(struct hsess *hs, int pipefd, size_t n)
{
	ssize_t	 r;

	if (n > http_body_spliceable(hs))
		n = (size_t)http_body_spliceable(hs);
	if (n == 0)
		return (0);
	if ((r = conn_splice_in(hs->hs_conn, pipefd, n)) <= 0) {
		if (r == 0)
			errno = ECONNRESET;
		return (-1);
	}
	hs->hs_body_left -= (uint64_t)r;
	return (r);
}

ssize_t
http_body_read(struct hsess *hs, void *p, size_t n)
{
	struct conn	*c = hs->hs_conn;
	uint64_t	 size;
	ssize_t		 r;
	long		 hl;
	int		 last;

	if (hs->hs_expect) {
		hs->hs_expect = 0;
		if (conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1)
			return (-1);
	}
	for (;;) {
		switch (hs->hs_body) {
		case HB_LENGTH:
		case HB_CHUNK_DATA:
			if (hs->hs_body_left == 0) {
				hs->hs_body = hs->hs_body == HB_LENGTH ?
				    HB_DONE : HB_CHUNK_END;
				continue;
			}
			if (n > hs->hs_body_left)
				n = (size_t)hs->hs_body_left;
			if ((r = conn_read(c, p, n)) <= 0) {
				if (r == 0)
					errno = ECONNRESET;
				return (-1);
			}
			hs->hs_body_left -= (uint64_t)r;
			return (r);
		case HB_CHUNK_SIZE:
		case HB_CHUNK_END:
		case HB_TRAILER:
			if (buf_avail(&c->c_in) == 0)
				hl = 0;
			else if (hs->hs_body == HB_CHUNK_SIZE)
				hl = http_parse_chunk_line(buf_head(&c->c_in),
				    buf_avail(&c->c_in), &size);
			else if (hs->hs_body == HB_CHUNK_END) {
				/* the CRLF after a chunk's data */
				if (buf_head(&c->c_in)[0] == '\n')
					hl = 1;
				else if (buf_avail(&c->c_in) < 2)
					hl = 0;
				else if (memcmp(buf_head(&c->c_in), "\r\n", 2)
				    == 0)
					hl = 2;
				else
					hl = -1;
			} else {
				hl = http_parse_trailer_line(buf_head(&c->c_in),
				    buf_avail(&c->c_in), &last);
				if (hl > 0 && !last && ++hs->hs_trailers >
				    HTTP_FIELDS_MAX)
					hl = -1;
			}
			if (hl == -1) {
				errno = EPROTO;
				return (-1);
			}
			if (hl == 0) {
				r = conn_fill(c,
				    conn_deadline(conf.c_transfer_timeout),
				    CONN_BUSY);
				if (r <= 0) {
					if (r == 0)
						errno = ECONNRESET;
					return (-1);
				}
				continue;
			}
			buf_consume(&c->c_in, (size_t)hl);
			if (hs->hs_body == HB_CHUNK_SIZE) {
				if (size == 0)
					hs->hs_body = HB_TRAILER;
				else {
					hs->hs_body = HB_CHUNK_DATA;
					hs->hs_body_left = size;
				}
			} else if (hs->hs_body == HB_CHUNK_END)
				hs->hs_body = HB_CHUNK_SIZE;
			else if (last)
				hs->hs_body = HB_DONE;
			continue;
		default:
			return (0);
		}
	}
}

/*
 * Skip what is left of a request body the handler did not read, so the
 * connection can carry the next request. Returns 0, or -1 when it must
 * close instead: too much left, a 100 Continue never sent, or an error.
 */
static int
http_drain(struct hsess *hs)
{
	unsigned char	 tmp[4096];
	size_t		 total = 0;
	ssize_t		 r;

	if (hs->hs_body == HB_NONE || hs->hs_body == HB_DONE)
		return (0);
	if (hs->hs_expect)
		return (-1);
	if (hs->hs_body == HB_LENGTH && hs->hs_body_left > DRAIN_MAX)
		return (-1);
	while ((r = http_body_read(hs, tmp, sizeof(tmp))) > 0)
		if ((total += (size_t)r) > DRAIN_MAX)
			return (-1);
	return (r == 0 ? 0 : -1);
}

/*
 * The one renderer: a status the handler returned, with the header lines
 * it left for it, and a short text body saying what happened.
 */
static int
http_render(struct hsess *hs, int status)
{
	char	 body[512];
	int	 n;

	if (status >= 400 && status != 416)
		buf_reset(&hs->hs_hdrs);
	switch (status) {
	case 400: case 408: case 414: case 431: case 501: case 505:
		hs->hs_close = 1;	/* the stream may be out of step */
		break;
	case 401:
		http_header(hs, "WWW-Authenticate: Basic realm=\"wharf\", "
		    "charset=\"UTF-8\"");
		break;
	case 405:
		http_header(hs, "Allow: %s", http_allow());
		break;
	}
	if (status == 304 || status == 204) {
		hs->hs_no_body = 1;
		return (http_reply(hs, status, 0, NULL, 0));
	}
	n = snprintf(body, sizeof(body), "%d %s%s%s\n", status,
	    http_reason(status), hs->hs_msg[0] ? ": " : "", hs->hs_msg);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)strlen(body);
	http_header(hs, "Content-Type: text/plain; charset=utf-8");
	return (http_reply(hs, status, n, body, (size_t)n));
}

static int
http_options(struct hsess *hs)
{
	http_header(hs, "Allow: %s", http_allow());
	return (204);
}

/*
 * Wait for a complete request head in c_in: --keepalive-timeout for its
 * first byte, then --header-timeout for all of it. Returns 0 with
 * *headlen set, a status to answer with before closing, or -1 to close
 * quietly (client gone, idle timeout, stopping).
 */
static int
http_read_head(struct hsess *hs, size_t *headlen)
{
	struct conn	*c = hs->hs_conn;
	int64_t		 deadline;
	ssize_t		 n;
	int		 how = CONN_IDLE, st;

	deadline = conn_deadline(conf.c_keepalive_timeout);
	for (;;) {
		if (buf_avail(&c->c_in) > 0) {
			st = http_head_scan(buf_head(&c->c_in),
			    buf_avail(&c->c_in), headlen);
			if (st != 0 || *headlen > 0)
				return (st);
			if (how == CONN_IDLE) {
				how = CONN_BUSY;
				deadline = conn_deadline(conf.c_header_timeout);
				child_state(SL_READING);
			}
		}
		n = conn_fill(c, deadline, how);
		if (n == 0)
			return (-1);
		if (n == -1) {
			if (errno == ETIMEDOUT && how == CONN_BUSY)
				return (408);
			if (errno == ENOBUFS)
				return (431);
			return (-1);
		}
	}
}

static int
http_auth(struct hsess *hs)
{
	const char	*v;
	char		 user[256], pass[512];

	hs->hs_user = NULL;
	hs->hs_role = conf.c_anonymous;
	strcpy(hs->hs_username, "-");
	v = http_field(&hs->hs_head, "Authorization");
	if (v == NULL || !users_enabled())
		return (hs->hs_role == ANON_NONE ? 401 : 0);
	if (http_parse_basic(v, user, sizeof(user), pass, sizeof(pass)) == -1)
		return (401);
	hs->hs_user = users_check(user, pass);
	explicit_bzero(pass, sizeof(pass));
	log_escape(hs->hs_username, sizeof(hs->hs_username), user,
	    strlen(user));
	if (hs->hs_user == NULL) {
		log_info("%s: HTTP authentication as %s failed",
		    hs->hs_conn->c_peer, hs->hs_username);
		http_message(hs, "wrong user name or password");
		return (401);
	}
	hs->hs_role = users_role(hs->hs_user) == ROLE_RW ? ANON_WRITE :
	    ANON_READ;
	return (0);
}

static int
http_dispatch(struct hsess *hs)
{
	struct http_head	*h = &hs->hs_head;
	size_t			 len;
	long			 dl;
	int			 e, st;

	if (strcmp(h->hh_path, "*") == 0)
		return (http_options(hs));
	/* The decoded URL path, in hs_rel until it is normalised there. */
	len = strlen(h->hh_path);
	if ((dl = http_decode(hs->hs_rel, sizeof(hs->hs_rel), h->hh_path,
	    len, 0)) < 0) {
		http_message(hs, dl == -1 ? "bad percent-encoding in the "
		    "path" : "path too long");
		return (dl == -1 ? 400 : 414);
	}
	hs->hs_slash = dl > 0 && hs->hs_rel[dl - 1] == '/';
	if ((st = http_auth(hs)) != 0)
		return (st);
	/* wharfd's own URL space: the page's assets and the status view */
	if (strncmp(hs->hs_rel, "/.wharf/", 8) == 0) {
		if (hs->hs_meth != HTTP_M_GET && hs->hs_meth != HTTP_M_HEAD)
			return (405);
		if (strcmp(hs->hs_rel + 8, "status") == 0)
			return (http_status_page(hs));
		return (http_asset(hs, hs->hs_rel + 8));
	}
	if ((e = store_normalize(hs->hs_rel, hs->hs_rel,
	    sizeof(hs->hs_rel))) != 0) {
		if (e == EACCES)
			http_message(hs, "a path may not contain '..'");
		return (e == ENOENT ? 404 : e == EACCES ? 403 :
		    e == ENAMETOOLONG ? 414 : 400);
	}
	log_escape(child_slot->sl_path, sizeof(child_slot->sl_path),
	    hs->hs_rel, strlen(hs->hs_rel));
	switch (hs->hs_meth) {
	case HTTP_M_GET:
	case HTTP_M_HEAD:
		return (http_get(hs));
	case HTTP_M_PUT:
		return (http_put(hs));
	case HTTP_M_POST:
		return (http_post(hs));
	case HTTP_M_DELETE:
		return (http_delete(hs));
	case HTTP_M_MKCOL:
		return (http_mkcol(hs));
	case HTTP_M_OPTIONS:
		return (http_options(hs));
	}
	return (501);
}

/*
 * Parse the head at the start of c_in, headlen bytes, and answer it. The
 * head is parsed where it was read: a GET copies nothing and writes no
 * page but c_in's. A request with a body moves its head to head_buf
 * first, since reading the body reuses c_in; otherwise http_session
 * consumes it once the response and the access log are done.
 */
static int
http_request(struct hsess *hs, size_t headlen)
{
	struct http_head	*h = &hs->hs_head;
	struct conn		*c = hs->hs_conn;
	char			*head = buf_head(&c->c_in);
	const char		*v, *conn;
	size_t			 n;
	int			 st;

	hs->hs_inplace = headlen;

	if (access_log_enabled()) {
		const char *s = head;

		while (*s == '\r' || *s == '\n')
			s++;
		n = strcspn(s, "\r\n");
		if (n >= sizeof(hs->hs_reqline))
			n = sizeof(hs->hs_reqline) - 1;
		memcpy(hs->hs_reqline, s, n);
		hs->hs_reqline[n] = '\0';
	}
	if ((st = http_parse_head(head, headlen, h)) != 0) {
		hs->hs_minor = 1;
		return (st);
	}
	hs->hs_meth = h->hh_meth;
	hs->hs_minor = h->hh_minor;
	hs->hs_query = h->hh_query;
	hs->hs_no_body = hs->hs_meth == HTTP_M_HEAD;
	conn = http_field(h, "Connection");
	if (hs->hs_minor == 0) {
		if (http_list_has(conn, "keep-alive"))
			hs->hs_keepalive_10 = 1;
		else
			hs->hs_close = 1;
	} else if (http_list_has(conn, "close"))
		hs->hs_close = 1;
	if ((st = http_parse_framing(h, &hs->hs_framing)) != 0)
		return (st);
	if (hs->hs_framing.hb_chunked)
		hs->hs_body = HB_CHUNK_SIZE;
	else if (hs->hs_framing.hb_has_length &&
	    hs->hs_framing.hb_length > 0) {
		hs->hs_body = HB_LENGTH;
		hs->hs_body_left = hs->hs_framing.hb_length;
	}
	if (hs->hs_body != HB_NONE) {
		memcpy(head_buf, head, headlen);
		head_buf[headlen] = '\0';
		http_head_move(h, head, headlen, head_buf);
		hs->hs_query = h->hh_query;
		buf_consume(&c->c_in, headlen);
		hs->hs_inplace = 0;
	}
	if ((v = http_field(h, "Expect")) != NULL) {
		if (strcasecmp(v, "100-continue") != 0)
			return (417);
		hs->hs_expect = hs->hs_minor >= 1 && hs->hs_body != HB_NONE;
	}
	return (http_dispatch(hs));
}

static void
http_log(struct hsess *hs)
{
	struct conn	*c = hs->hs_conn;
	uint64_t	 bytes = c->c_sent > hs->hs_sent0 ?
			    c->c_sent - hs->hs_sent0 : 0;

	if (!access_log_enabled())
		return;
	access_log_request(c->c_addr, hs->hs_username, hs->hs_reqline,
	    hs->hs_status, bytes,
	    hs->hs_head.hh_method ? http_field(&hs->hs_head, "Referer") : NULL,
	    hs->hs_head.hh_method ? http_field(&hs->hs_head, "User-Agent") :
	    NULL);
}

void
http_session(struct conn *c)
{
	struct hsess	*hs = &hsess;
	size_t		 headlen;
	int		 st;

	if (hs->hs_hdrs.b_max == 0)
		buf_init_fixed(&hs->hs_hdrs, hdrs_buf, HDRS_MAX + 1);
	for (;;) {
		if (child_slot->sl_requests > 0)
			child_state(SL_KEEPALIVE);
		hs->hs_conn = c;
		hs->hs_close = 0;
		hs->hs_keepalive_10 = 0;
		hs->hs_expect = 0;
		hs->hs_body = HB_NONE;
		hs->hs_body_left = 0;
		hs->hs_trailers = 0;
		hs->hs_chunked_out = 0;
		hs->hs_no_body = 0;
		hs->hs_msg[0] = '\0';
		hs->hs_status = 0;
		hs->hs_sent0 = c->c_sent;
		hs->hs_inplace = 0;
		hs->hs_user = NULL;
		strcpy(hs->hs_username, "-");
		strcpy(hs->hs_reqline, "-");
		memset(&hs->hs_head, 0, offsetof(struct http_head, hh_fields));
		hs->hs_head.hh_nfields = 0;
		buf_reset(&hs->hs_hdrs);

		st = http_read_head(hs, &headlen);
		if (st == -1)
			return;
		child_slot->sl_requests++;
		if (st == 0) {
			child_state(SL_SENDING);
			st = http_request(hs, headlen);
		} else {
			child_state(SL_READING);
			hs->hs_minor = 1;
			hs->hs_close = 1;
		}
		if (st != HTTP_SENT && st != HTTP_BROKEN) {
			/* skip an unread body first, or say we will close */
			if (!hs->hs_close && http_drain(hs) == -1)
				hs->hs_close = 1;
			st = http_render(hs, st);
		}
		http_log(hs);
		if (hs->hs_inplace > 0)
			buf_consume(&c->c_in, hs->hs_inplace);
		hs->hs_inplace = 0;
		child_slot->sl_path[0] = '\0';
		if (st == HTTP_BROKEN || hs->hs_close)
			return;
		if (http_drain(hs) == -1)
			return;
		if (child_stopping || child_leaving)
			return;
	}
}

int
http_init(char *err, size_t errlen)
{
	void	*p;

	p = mmap(NULL, HDRS_SPAN + HTTP_XFER_BUF, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %zu KiB for HTTP buffers: %s",
		    (HDRS_SPAN + HTTP_XFER_BUF) / 1024, strerror(errno));
		return (-1);
	}
	hdrs_buf = p;
	xfer_buf = (unsigned char *)p + HDRS_SPAN;
	(void)mime_init();
	if (http_assets_load(conf.c_share_dir, err, errlen) == -1)
		return (-1);
	if (conf.c_access_log != NULL &&
	    access_log_open(conf.c_access_log) == -1) {
		snprintf(err, errlen, "--access-log %s: %s", conf.c_access_log,
		    strerror(errno));
		return (-1);
	}
	return (0);
}
