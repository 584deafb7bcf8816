/*
 * http.h: what the HTTP/1.1 front end's files share: the per-request
 * session state, the one response renderer and its helpers, request body
 * reading, and the handlers (GET/HEAD, listings, uploads, tar.gz, status).
 *
 * Handlers return an HTTP status, or HTTP_SENT when they sent the whole
 * response themselves, or HTTP_BROKEN when the connection broke. A status
 * is rendered by http_render() in http_session.c, with the header lines
 * the handler left in hs_hdrs (Location, ETag, Content-Range...) and a
 * short text body.
 */
#ifndef WHARFD_HTTP_H
#define WHARFD_HTTP_H

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "http_parse.h"

#define HTTP_SENT	0
#define HTTP_BROKEN	(-1)

/* Largest head kept: empty lines, request line, fields, terminators. */
#define HTTP_HEAD_MAX	(64 + HTTP_LINE_MAX + 2 + HTTP_HEADERS_MAX + 4)
#define HTTP_XFER_BUF	(256 * 1024)	/* one per child, file bodies */
#define HTTP_SMALL_FILE	(32 * 1024)	/* sent with the head in one writev */

struct conn;
struct user;

/* How the request body is being read (http_body_read). */
enum http_body_state {
	HB_NONE, HB_LENGTH, HB_CHUNK_SIZE, HB_CHUNK_DATA, HB_CHUNK_END,
	HB_TRAILER, HB_DONE
};

/*
 * Small fields first, the PATH_MAX array last: every request writes the
 * start of it, and this order keeps what one request touches to one page
 * of this static struct (each child's own copy under c500). The URL path
 * is decoded into hs_rel and normalised there, in place: a second
 * PATH_MAX array was a second page.
 */
struct hsess {
	struct conn		*hs_conn;
	int			 hs_meth;	/* HTTP_M_* */
	int			 hs_minor;	/* HTTP/1.x */
	int			 hs_slash;	/* URL path ends in '/' */
	int			 hs_role;	/* ANON_* */
	const char		*hs_query;	/* raw, or NULL */
	const struct user	*hs_user;	/* NULL: anonymous */
	int			 hs_close;	/* send Connection: close */
	int			 hs_keepalive_10; /* HTTP/1.0 keep-alive asked */
	int			 hs_expect;	/* 100-continue not yet sent */
	int			 hs_body;	/* enum http_body_state */
	uint64_t		 hs_body_left;
	unsigned		 hs_trailers;
	int			 hs_chunked_out; /* response body is chunked */
	int			 hs_no_body;	/* HEAD, 304: head only */
	int			 hs_status;	/* sent, for the access log */
	uint64_t		 hs_sent0;	/* c_sent after the head */
	size_t			 hs_inplace;	/* head left in c_in */
	struct http_framing	 hs_framing;
	struct buf		 hs_hdrs;	/* handler's extra header lines */
	char			 hs_username[128];	/* for the access log */
	char			 hs_msg[256];	/* detail for an error body */
	char			 hs_reqline[512];	/* for the access log */
	struct http_head	 hs_head;
	char			 hs_rel[PATH_MAX];	/* store relpath */
};

/* http_session.c */
/* Append one header line (no CRLF in fmt) to hs_hdrs. */
int	 http_header(struct hsess *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append "name: value" and CRLF to hs_hdrs, without printf. 0 or -1. */
int	 http_header_add(struct hsess *, const char *name, const char *value);
/* Record a detail for the error body (client bytes escaped here). */
void	 http_message(struct hsess *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Send the status line, the common headers, hs_hdrs and, unless the
 * request was HEAD, the first bodylen bytes of the body, in one writev.
 * length is the Content-Length, or -1 when unknown: then the body is
 * chunked (HTTP/1.1) or ends with the connection (HTTP/1.0). A length
 * with no body bytes here promises the body as the next write: the head
 * goes out with MSG_MORE to share its first segment. Returns HTTP_SENT or
 * HTTP_BROKEN.
 */
int	 http_reply(struct hsess *, int status, int64_t length,
	    const void *body, size_t bodylen);
/* More body (chunk-framed when chunked, nothing for HEAD). 0 or -1. */
int	 http_body(struct hsess *, const void *, size_t);
/* End a chunked body. 0 or -1. */
int	 http_body_end(struct hsess *);
/* The status for a failed store call's errno. */
int	 http_errno_status(int err);
/* 0 when this request may change the store, else 405, 401 or 403. */
int	 http_may_write(struct hsess *);
/* The reason phrase of a status. */
const char *http_reason(int status);
/*
 * The IMF-fixdate of a file's mtime, in a static buffer that the next
 * call reuses: the last one is kept, since the same files are asked for
 * again and again (its statics share the page of the Date line's cache,
 * which a serving child writes anyway).
 */
const char *http_last_modified(time_t mtime);
/*
 * Read up to n bytes of the request body (de-chunked), sending 100
 * Continue first when the client asked. Returns bytes, 0 at the end of
 * the body, or -1 with errno: EPROTO (bad chunk framing), ETIMEDOUT,
 * ECONNRESET (client gone).
 */
ssize_t	 http_body_read(struct hsess *, void *, size_t n);
/*
 * The bytes of a Content-Length body left to read once c_in holds none
 * of them (and no 100 Continue is due): what http_body_splice can move.
 * 0 for any other body.
 */
uint64_t http_body_spliceable(const struct hsess *);
/*
 * Up to n of those bytes from the socket into pipefd, the write end of an
 * empty pipe (conn_splice_in). Returns bytes, 0 when there is nothing to
 * splice, or -1 with errno as http_body_read.
 */
ssize_t	 http_body_splice(struct hsess *, int pipefd, size_t n);
/* The per-child transfer buffer of HTTP_XFER_BUF bytes (http_init's). */
unsigned char *http_xfer_buf(void);
/*
 * Room for n bytes of a body to pass to http_reply: in hs_hdrs after the
 * header lines (the page the head is on) when it fits, else the transfer
 * buffer; NULL when neither holds n. Valid until a header line is added.
 */
void	*http_body_room(struct hsess *, size_t n);
/* Append s HTML-escaped. 0 or -1. */
int	 http_html(struct buf *, const char *s);
/* Append len bytes of s percent-encoded for a URL path. 0 or -1. */
int	 http_urlenc(struct buf *, const char *s, size_t len);
/* Append s as a JSON string (quotes included). 0 or -1. */
int	 http_json(struct buf *, const char *s);
/* Is the peer on a loopback address? */
int	 http_peer_loopback(const struct hsess *);

/* http_get.c: GET and HEAD of a path in the store. */
int	 http_get(struct hsess *);
/* Add "Content-Disposition: attachment" for name (RFC 6266). 0 or -1. */
int	 http_disposition(struct hsess *, const char *name);

/* http_listing.c: listings and the page's assets. */
int	 http_listing(struct hsess *, int dfd);
int	 http_asset(struct hsess *, const char *name);
/*
 * Read the page's assets (index.html, wharf.css, wharf.js) from the first
 * of --share-dir, PKGDATADIR and ../share beside the executable that has
 * them. Returns 0, or -1 with a message in err.
 */
int	 http_assets_load(const char *sharedir, char *err, size_t errlen);

/* http_upload.c: PUT, POST (multipart and ?mkdir), DELETE, MKCOL. */
int	 http_put(struct hsess *);
int	 http_post(struct hsess *);
int	 http_delete(struct hsess *);
int	 http_mkcol(struct hsess *);

/* http_tar.c: a directory as a streamed .tar.gz. */
int	 http_tar(struct hsess *, int dfd);

/* http_status.c: --status, the scoreboard as JSON. */
int	 http_status_page(struct hsess *);

/*
 * Start-up, in the master before the pool forks: libmagic, the page's
 * assets, the access log. Returns 0, or -1 with a message in err.
 */
int	 http_init(char *err, size_t errlen);

#endif
