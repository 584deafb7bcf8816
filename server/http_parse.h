/*
 * http_parse.h: the HTTP/1.1 parsers: request head, header fields, body
 * framing, chunk lines, multipart/form-data, percent-decoding, Basic
 * credentials and Range. All pure: no I/O, no allocation, every input
 * bounded, so each is unit-tested (t/unit/test_http_parse.c) and fuzzed.
 * Functions that parse in place write NULs into the caller's buffer and
 * return pointers into it.
 */
#ifndef WHARFD_HTTP_PARSE_H
#define WHARFD_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX		8192	/* request line, terminator excluded */
#define HTTP_HEADERS_MAX	16384	/* header field lines, terminators in */
#define HTTP_FIELDS_MAX		100	/* header fields */
#define HTTP_METHOD_MAX		16
#define HTTP_CHUNK_LINE_MAX	1024	/* chunk size line with extensions */
#define HTTP_BOUNDARY_MAX	70	/* RFC 2046 */
#define HTTP_PART_HEAD_MAX	8192	/* headers of one multipart part */
#define HTTP_RANGES_MAX		16	/* more ranges: the header is ignored */

/* Methods wharfd knows; anything else that is a token is 501. */
enum http_method {
	HTTP_M_GET = 1, HTTP_M_HEAD, HTTP_M_PUT, HTTP_M_POST,
	HTTP_M_DELETE, HTTP_M_MKCOL, HTTP_M_OPTIONS
};

struct http_field {
	char	*hf_name;
	char	*hf_value;	/* leading and trailing whitespace removed */
	size_t	 hf_namelen;	/* lookups skip other lengths */
};

struct http_head {
	char			*hh_method;
	int			 hh_meth;	/* HTTP_M_* */
	char			*hh_target;	/* as sent */
	char			*hh_path;	/* origin-form path, undecoded */
	char			*hh_query;	/* after '?', undecoded, or NULL */
	int			 hh_minor;	/* HTTP/1.x */
	struct http_field	 hh_fields[HTTP_FIELDS_MAX];
	size_t			 hh_nfields;
};

/* How a request body is delimited (RFC 9112 section 6). */
struct http_framing {
	int		 hb_chunked;
	int		 hb_has_length;
	uint64_t	 hb_length;
};

/*
 * Find the end of the request head in p[0..len). Up to 64 bytes of empty
 * lines before the request line are skipped (RFC 9112 2.2). Returns 0 with
 * *headlen = 0 while incomplete, 0 with *headlen = the bytes up to and
 * including the empty line once complete, or a status: 414 for a request
 * line over HTTP_LINE_MAX, 431 for field lines over HTTP_HEADERS_MAX, 400
 * for a NUL byte or too many empty lines.
 */
int	 http_head_scan(const char *p, size_t len, size_t *headlen);

/*
 * Parse a complete head (as found by http_head_scan) in place. Lines end
 * in CRLF or LF. Only p[0..len) is written (its last line ends in LF), so
 * the head may be parsed where it was read, with the next request's bytes
 * after it. Returns 0, or a status: 400 malformed, 414 request line too
 * long, 431 too many or too long fields, 501 unknown method, 505 an HTTP
 * version other than 1.x.
 */
int	 http_parse_head(char *p, size_t len, struct http_head *);
/*
 * The head parsed at from[0..len) has been copied, as parsed, to to:
 * point every string of h that was in from at its copy.
 */
void	 http_head_move(struct http_head *, const char *from, size_t len,
	    char *to);
/* Map a method token to HTTP_M_*, or 0. */
int	 http_method(const char *);
/* The value of the first field called name (any case), or NULL. */
const char *http_field(const struct http_head *, const char *name);
/*
 * Body framing from Content-Length and Transfer-Encoding. Returns 0, or a
 * status: 400 for both present, differing duplicate lengths or a bad
 * number, 501 for a transfer coding other than chunked.
 */
int	 http_parse_framing(const struct http_head *, struct http_framing *);
/* 1 when a comma-separated field value lists token (any case). */
int	 http_list_has(const char *value, const char *token);
/*
 * Accept-Encoding: 1 when coding (e.g. "gzip") is acceptable, that is
 * listed, or matched by "*", with a q-value above 0.
 */
int	 http_accepts(const char *value, const char *coding);

/*
 * Percent-decode the len bytes at src into dst (dstsz bytes, NUL-ended);
 * with plus, '+' becomes a space (query strings). Returns the decoded
 * length, or -1 for a bad escape or an encoded NUL, -2 when dst is too
 * small.
 */
long	 http_decode(char *dst, size_t dstsz, const char *src, size_t len,
	    int plus);
/*
 * Find key in a query string "a=1&b&c=x%20y". Returns 1 and the decoded
 * value in val ("" for "b" and "b=") when present, 0 when absent, -1 when
 * its value is malformed or does not fit in valsz.
 */
int	 http_query(const char *query, const char *key, char *val,
	    size_t valsz);

/*
 * Parse a chunk size line at p[0..len): hex size, optional ";ext", CRLF
 * (or LF). Returns the line's length with its terminator and the size in
 * *size, 0 when incomplete, -1 when malformed, over HTTP_CHUNK_LINE_MAX or
 * a size of more than 15 hex digits.
 */
long	 http_parse_chunk_line(const char *p, size_t len, uint64_t *size);
/*
 * One trailer line at p[0..len) after the last chunk. Returns its length
 * with terminator and *last = 1 when it is the empty line that ends the
 * body; 0 when incomplete, -1 when malformed or over HTTP_CHUNK_LINE_MAX.
 */
long	 http_parse_trailer_line(const char *p, size_t len, int *last);

/*
 * The boundary parameter of a multipart/form-data Content-Type (quoted or
 * not) into out (at least HTTP_BOUNDARY_MAX + 1 bytes). Returns 0, or -1
 * when the type is not multipart/form-data or the boundary is missing,
 * empty, over HTTP_BOUNDARY_MAX or holds bytes RFC 2046 forbids.
 */
int	 http_parse_boundary(const char *content_type, char *out,
	    size_t outsz);

/*
 * A multipart/form-data body, parsed incrementally from whatever the
 * caller has buffered. Initialise with http_multipart_init().
 */
struct http_multipart {
	char	 mp_delim[HTTP_BOUNDARY_MAX + 5];	/* "\r\n--" boundary */
	size_t	 mp_dlen;
	int	 mp_state;
};

/* What one part's headers said. Strings point into the caller's buffer. */
struct http_part {
	char	*hp_name;	/* form field name, or NULL */
	char	*hp_filename;	/* filename (filename* preferred), or NULL */
	char	*hp_type;	/* Content-Type, or NULL */
	char	 hp_fnbuf[1024];	/* decoded filename* lives here */
};

#define HTTP_MP_NEED	0	/* need more bytes; *used may be > 0 */
#define HTTP_MP_PART	1	/* a part begins: *part filled */
#define HTTP_MP_DATA	2	/* *used bytes at p are the part's data */
#define HTTP_MP_END	3	/* closing delimiter seen */

void	 http_multipart_init(struct http_multipart *, const char *boundary);
/*
 * Look at p[0..len) (eof: no more bytes will come). Returns an HTTP_MP_*
 * event with *used bytes of p consumed, or -1 when the body is malformed
 * (a part header over HTTP_PART_HEAD_MAX, no closing delimiter before
 * eof). For HTTP_MP_PART the part's header bytes are parsed in place, so
 * the caller must keep them until it is done with *part.
 */
int	 http_multipart_next(struct http_multipart *, char *p, size_t len,
	    int eof, size_t *used, struct http_part *part);

/*
 * "Basic base64(user:pass)" into user and pass (NUL-terminated). Returns
 * 0, or -1 for another scheme, bad base64, no colon or too long.
 */
int	 http_parse_basic(const char *value, char *user, size_t usersz,
	    char *pass, size_t passsz);

/*
 * Byte ranges (http_range.c). Parse a Range value against a
 * representation of size bytes. Satisfiable ranges are sorted and those
 * that overlap or touch are coalesced into out (room for max). Returns 206
 * with *n >= 1; 416 when none is satisfiable; 200 when the header must be
 * ignored: not "bytes=", malformed, or more than HTTP_RANGES_MAX ranges.
 */
struct http_range {
	uint64_t	 hr_first;
	uint64_t	 hr_last;	/* inclusive */
};

int	 http_parse_range(const char *value, uint64_t size,
	    struct http_range *out, size_t max, size_t *n);

#endif
