/*
 * test_http_parse.c: table-driven tests of the pure HTTP parsers in
 * server/http_parse.c and server/http_range.c: request heads and their
 * limits (limit - 1, limit, limit + 1), body framing, chunk lines,
 * multipart/form-data, percent-decoding, query strings, Basic
 * credentials and Range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "tap.h"

static char	 big[64 * 1024];

/* A request whose line is exactly len bytes long (terminator excluded). */
static size_t
line_of(size_t len)
{
	size_t	 n;

	/* "GET /aaaa HTTP/1.1" is 14 + path bytes */
	n = (size_t)snprintf(big, sizeof(big), "GET /");
	memset(big + n, 'a', len - 14);
	n += len - 14;
	n += (size_t)snprintf(big + n, sizeof(big) - n,
	    " HTTP/1.1\r\nHost: x\r\n\r\n");
	return (n);
}

/* A request with one field line "X: aaa" of total fields bytes len. */
static size_t
fields_of(size_t len)
{
	size_t	 n, v;

	/* "Host: x\r\n" is 9 bytes; "X: " + value + "\r\n" is 5 + value */
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: x\r\n"
	    "X: ");
	v = len - 9 - 5;
	memset(big + n, 'b', v);
	n += v;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n\r\n");
	return (n);
}

static size_t
nfields_of(int count)
{
	size_t	 n;
	int	 i;

	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: x\r\n");
	for (i = 1; i < count; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X-%d: v\r\n",
		    i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
	return (n);
}

/* s with CR and LF shown as \r and \n, for a TAP description. */
static const char *
vis(const char *s)
{
	static char	 out[2048];
	size_t		 o = 0;

	for (; *s != '\0' && o + 3 < sizeof(out); s++) {
		if (*s == '\r' || *s == '\n') {
			out[o++] = '\\';
			out[o++] = *s == '\r' ? 'r' : 'n';
		} else
			out[o++] = *s;
	}
	out[o] = '\0';
	return (out);
}

static int
parse(const char *req, size_t len, struct http_head *h)
{
	static char	 copy[64 * 1024];
	size_t		 headlen;
	int		 st;

	memcpy(copy, req, len);
	copy[len] = '\0';
	if ((st = http_head_scan(copy, len, &headlen)) != 0)
		return (st);
	if (headlen == 0)
		return (-1);	/* incomplete */
	return (http_parse_head(copy, headlen, h));
}

static void
test_heads(void)
{
	static const struct {
		const char	*req;
		int		 status;
		const char	*method, *path, *query;
		int		 minor;
	} t[] = {
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, "GET", "/", NULL, 1 },
		{ "GET /a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n", 0, "GET", "/a/b",
		    "c=d", 1 },
		{ "HEAD /x HTTP/1.0\r\n\r\n", 0, "HEAD", "/x", NULL, 0 },
		{ "GET /lf HTTP/1.1\nHost: x\n\n", 0, "GET", "/lf", NULL, 1 },
		{ "\r\n\r\nGET /after-empty HTTP/1.1\r\nHost: x\r\n\r\n", 0,
		    "GET", "/after-empty", NULL, 1 },
		{ "GET http://h:1/p?q HTTP/1.1\r\nHost: h\r\n\r\n", 0, "GET",
		    "/p", "q", 1 },
		{ "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n", 0, "GET", "/",
		    NULL, 1 },
		{ "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 0, "OPTIONS", "*",
		    NULL, 1 },
		{ "GET /frag#x HTTP/1.1\r\nHost: x\r\n\r\n", 0, "GET", "/frag",
		    NULL, 1 },
		{ "GET / HTTP/1.1\r\n\r\n", 400, NULL, NULL, NULL, 0 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, NULL,
		    NULL, NULL, 0 },
		{ "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "GET /\r\n\r\n", 400, NULL, NULL, NULL, 0 },
		{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, NULL, NULL, NULL,
		    0 },
		{ "GET / HTTPS/1.1\r\nHost: x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501, NULL, NULL, NULL,
		    0 },
		{ "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "GET x HTTP/1.1\r\nHost: x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, NULL, NULL, NULL,
		    0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, NULL,
		    NULL, NULL, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, NULL,
		    NULL, NULL, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX: a\001b\r\n\r\n", 400, NULL,
		    NULL, NULL, 0 },
		{ "GET /a\001 HTTP/1.1\r\nHost: x\r\n\r\n", 400, NULL, NULL,
		    NULL, 0 },
		{ "QUIT\r\n\r\n", 400, NULL, NULL, NULL, 0 },
		{ "\r\r\n", 400, NULL, NULL, NULL, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\n", -1, NULL, NULL, NULL, 0 },
		{ "GET / HTT", -1, NULL, NULL, NULL, 0 },
	};
	struct http_head	 h;
	size_t			 i;
	int			 st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = parse(t[i].req, strlen(t[i].req), &h);
		ok(st == t[i].status, "head %zu: status %d (want %d)", i, st,
		    t[i].status);
		if (st != 0 || t[i].status != 0)
			continue;
		ok(strcmp(h.hh_method, t[i].method) == 0 &&
		    strcmp(h.hh_path, t[i].path) == 0 &&
		    (t[i].query == NULL ? h.hh_query == NULL :
		    h.hh_query != NULL && strcmp(h.hh_query, t[i].query) == 0) &&
		    h.hh_minor == t[i].minor, "head %zu: %s %s ? %s 1.%d", i,
		    h.hh_method, h.hh_path, h.hh_query ? h.hh_query : "(none)",
		    h.hh_minor);
	}

	/* a NUL byte anywhere in the head */
	memcpy(big, "GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n", 30);
	ok(parse(big, 30, &h) == 400, "head: NUL byte is 400");

	/* values trimmed, names any case */
	st = parse("GET / HTTP/1.1\r\nhOsT: \t x \t\r\nX-A:b\r\n\r\n", 38, &h);
	ok(st == 0 && strcmp(http_field(&h, "Host"), "x") == 0 &&
	    strcmp(http_field(&h, "x-a"), "b") == 0 &&
	    http_field(&h, "nope") == NULL, "head: fields trimmed, any case");
}

/*
 * A head is parsed where it was read, with the next request's bytes after
 * it; a request with a body then moves it out of the way.
 */
static void
test_in_place(void)
{
	static const struct {
		const char	*req;	/* a head, then the next one */
		const char	*path, *query, *field, *value;
	} t[] = {
		{ "GET /a?b HTTP/1.1\r\nHost: h\r\nX-A:  v w \r\n\r\nGET /n",
		    "/a", "b", "X-A", "v w" },
		{ "PUT /up HTTP/1.1\nHost: h\nContent-Length: 3\n\nabc",
		    "/up", NULL, "content-length", "3" },
		{ "GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n\r\n",
		    "/", "q", "Host", "h" },
		{ "\r\nGET /e HTTP/1.1\r\nHost: h\r\nEmpty:\r\n\r\nx",
		    "/e", NULL, "Empty", "" },
	};
	struct http_head	 h;
	const char		*v;
	char			 buf[256], to[256];
	size_t			 i, len, headlen;
	int			 st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = strlen(t[i].req);
		memcpy(buf, t[i].req, len + 1);
		st = http_head_scan(buf, len, &headlen);
		ok(st == 0 && headlen > 0 && headlen < len,
		    "in place: %s: scanned %zu of %zu", vis(t[i].req), headlen,
		    len);
		st = http_parse_head(buf, headlen, &h);
		ok(st == 0 && strcmp(buf + headlen, t[i].req + headlen) == 0,
		    "in place: %s: parsed (%d), the next bytes kept",
		    vis(t[i].req), st);
		memcpy(to, buf, headlen + 1);
		memset(buf, '#', headlen);
		http_head_move(&h, buf, headlen, to);
		v = http_field(&h, t[i].field);
		ok(strcmp(h.hh_path, t[i].path) == 0 &&
		    (t[i].query == NULL ? h.hh_query == NULL :
		    h.hh_query != NULL &&
		    strcmp(h.hh_query, t[i].query) == 0) &&
		    v != NULL && strcmp(v, t[i].value) == 0 &&
		    strcmp(h.hh_method, t[i].req[0] == 'P' ? "PUT" :
		    "GET") == 0,
		    "in place: %s: moved, read from the copy", vis(t[i].req));
	}
}

static void
test_limits(void)
{
	struct http_head	 h;
	size_t			 n, headlen;

	n = line_of(HTTP_LINE_MAX - 1);
	ok(parse(big, n, &h) == 0, "request line limit - 1 is accepted");
	n = line_of(HTTP_LINE_MAX);
	ok(parse(big, n, &h) == 0, "request line at the limit is accepted");
	n = line_of(HTTP_LINE_MAX + 1);
	ok(parse(big, n, &h) == 414, "request line limit + 1 is 414");
	/* 414 before the line is complete: no LF within the limit */
	memset(big, 'a', HTTP_LINE_MAX + 2);
	memcpy(big, "GET /", 5);
	ok(http_head_scan(big, HTTP_LINE_MAX + 1, &headlen) == 0 &&
	    headlen == 0, "incomplete line at the limit: wait for more");
	ok(http_head_scan(big, HTTP_LINE_MAX + 2, &headlen) == 414,
	    "incomplete line past the limit: 414 at once");

	n = fields_of(HTTP_HEADERS_MAX - 1);
	ok(parse(big, n, &h) == 0, "fields limit - 1 is accepted");
	n = fields_of(HTTP_HEADERS_MAX);
	ok(parse(big, n, &h) == 0, "fields at the limit are accepted");
	n = fields_of(HTTP_HEADERS_MAX + 1);
	ok(parse(big, n, &h) == 431, "fields limit + 1 is 431");
	n = fields_of(HTTP_HEADERS_MAX + 100);
	ok(http_head_scan(big, n - 4, &headlen) == 431,
	    "incomplete fields past the limit: 431 at once");

	n = nfields_of(HTTP_FIELDS_MAX - 1);
	ok(parse(big, n, &h) == 0 && h.hh_nfields == HTTP_FIELDS_MAX - 1,
	    "%d fields are accepted", HTTP_FIELDS_MAX - 1);
	n = nfields_of(HTTP_FIELDS_MAX);
	ok(parse(big, n, &h) == 0 && h.hh_nfields == HTTP_FIELDS_MAX,
	    "%d fields are accepted", HTTP_FIELDS_MAX);
	n = nfields_of(HTTP_FIELDS_MAX + 1);
	ok(parse(big, n, &h) == 431, "%d fields are 431",
	    HTTP_FIELDS_MAX + 1);

	/* 64 bytes of empty lines before a request, not 65 */
	memset(big, '\n', 64);
	strcpy(big + 64, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(parse(big, strlen(big), &h) == 0, "64 empty-line bytes skipped");
	memset(big, '\n', 65);
	strcpy(big + 65, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(parse(big, strlen(big), &h) == 400, "65 empty-line bytes are 400");
}

static void
test_framing(void)
{
	static const struct {
		const char	*fields;
		int		 minor;
		int		 status, chunked, has;
		unsigned long long length;
	} t[] = {
		{ "", 1, 0, 0, 0, 0 },
		{ "Content-Length: 5\r\n", 1, 0, 0, 1, 5 },
		{ "Content-Length: 0\r\n", 1, 0, 0, 1, 0 },
		{ "Content-Length: 5, 5\r\n", 1, 0, 0, 1, 5 },
		{ "Content-Length: 5\r\nContent-Length: 5\r\n", 1, 0, 0, 1, 5 },
		{ "Content-Length: 5\r\nContent-Length: 6\r\n", 1, 400, 0, 0,
		    0 },
		{ "Content-Length: 5, 6\r\n", 1, 400, 0, 0, 0 },
		{ "Content-Length: -1\r\n", 1, 400, 0, 0, 0 },
		{ "Content-Length: 1x\r\n", 1, 400, 0, 0, 0 },
		{ "Content-Length: \r\n", 1, 400, 0, 0, 0 },
		{ "Content-Length: 1234567890123456789\r\n", 1, 400, 0, 0, 0 },
		{ "Content-Length: 123456789012345678\r\n", 1, 0, 0, 1,
		    123456789012345678ULL },
		{ "Transfer-Encoding: chunked\r\n", 1, 0, 1, 0, 0 },
		{ "Transfer-Encoding: CHUNKED\r\n", 1, 0, 1, 0, 0 },
		{ "Transfer-Encoding: gzip, chunked\r\n", 1, 501, 0, 0, 0 },
		{ "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 1,
		    400, 0, 0, 0 },
		{ "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 1,
		    400, 0, 0, 0 },
		{ "Transfer-Encoding: chunked\r\n", 0, 400, 0, 0, 0 },
	};
	struct http_head	 h;
	struct http_framing	 f;
	char			 req[512];
	size_t			 i;
	int			 st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(req, sizeof(req), "PUT /x HTTP/1.%d\r\nHost: x\r\n"
		    "%s\r\n", t[i].minor, t[i].fields);
		st = parse(req, strlen(req), &h);
		if (st == 0)
			st = http_parse_framing(&h, &f);
		ok(st == t[i].status && (st != 0 ||
		    (f.hb_chunked == t[i].chunked &&
		    f.hb_has_length == t[i].has &&
		    f.hb_length == t[i].length)),
		    "framing %zu: status %d chunked %d length %d/%llu", i, st,
		    f.hb_chunked, f.hb_has_length,
		    (unsigned long long)f.hb_length);
	}
}

static void
test_chunks(void)
{
	static const struct {
		const char	*line;
		long		 rv;
		unsigned long long size;
	} t[] = {
		{ "0\r\n", 3, 0 },
		{ "a\r\n", 3, 10 },
		{ "FF\r\n", 4, 255 },
		{ "1f;name=value\r\n", 15, 31 },
		{ "10 ;x\r\n", 7, 16 },
		{ "5\n", 2, 5 },
		{ "fffffffffffffff\r\n", 17, 0xfffffffffffffffULL },
		{ "1000000000000000\r\n", -1, 0 },
		{ "\r\n", -1, 0 },
		{ "x\r\n", -1, 0 },
		{ "5 5\r\n", -1, 0 },
		{ "5;\001\r\n", -1, 0 },
		{ "-1\r\n", -1, 0 },
		{ "5", 0, 0 },
		{ "5\r", 0, 0 },
	};
	uint64_t	 size;
	size_t		 i;
	long		 rv;
	int		 last;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size = 0;
		rv = http_parse_chunk_line(t[i].line, strlen(t[i].line), &size);
		ok(rv == t[i].rv && (rv <= 0 || size == t[i].size),
		    "chunk line %zu: %ld size %llu", i, rv,
		    (unsigned long long)size);
	}
	/* extension bytes up to the limit */
	memset(big, ' ', HTTP_CHUNK_LINE_MAX + 8);
	big[0] = '1';
	big[1] = ';';
	memcpy(big + HTTP_CHUNK_LINE_MAX - 2, "\r\n", 2);
	ok(http_parse_chunk_line(big, HTTP_CHUNK_LINE_MAX, &size) ==
	    HTTP_CHUNK_LINE_MAX, "chunk line at the limit is accepted");
	memcpy(big + HTTP_CHUNK_LINE_MAX - 2, " \r\n", 3);
	ok(http_parse_chunk_line(big, HTTP_CHUNK_LINE_MAX + 1, &size) == -1,
	    "chunk line limit + 1 is refused");
	ok(http_parse_chunk_line(big, HTTP_CHUNK_LINE_MAX - 1, &size) == 0,
	    "chunk line limit - 1 without LF: wait for more");

	ok(http_parse_trailer_line("\r\n", 2, &last) == 2 && last,
	    "trailer: empty line ends the body");
	ok(http_parse_trailer_line("X: y\r\n", 6, &last) == 6 && !last,
	    "trailer: a field");
	ok(http_parse_trailer_line("bad\r\n", 5, &last) == -1,
	    "trailer: no colon is refused");
	ok(http_parse_trailer_line("X: y", 4, &last) == 0,
	    "trailer: incomplete");
}

static void
test_decode(void)
{
	static const struct {
		const char	*in;
		int		 plus;
		long		 rv;
		const char	*out;
	} t[] = {
		{ "/a%20b", 0, 4, "/a b" },
		{ "/a+b", 0, 4, "/a+b" },
		{ "a+b", 1, 3, "a b" },
		{ "%2e%2E/%2f", 0, 4, "..//" },
		{ "%C3%A9", 0, 2, "\xc3\xa9" },
		{ "%0a", 0, 1, "\n" },
		{ "%00", 0, -1, NULL },
		{ "%", 0, -1, NULL },
		{ "%4", 0, -1, NULL },
		{ "%zz", 0, -1, NULL },
		{ "", 0, 0, "" },
	};
	char	 out[64];
	size_t	 i;
	long	 rv;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rv = http_decode(out, sizeof(out), t[i].in, strlen(t[i].in),
		    t[i].plus);
		ok(rv == t[i].rv && (rv < 0 || strcmp(out, t[i].out) == 0),
		    "decode %zu: %ld", i, rv);
	}
	ok(http_decode(out, 4, "abcd", 4, 0) == -2, "decode: too small is -2");
	ok(http_decode(out, 5, "abcd", 4, 0) == 4, "decode: exact fit");

	ok(http_query("json", "json", out, sizeof(out)) == 1 &&
	    out[0] == '\0', "query: bare key");
	ok(http_query("a=1&tar.gz&b=2", "tar.gz", out, sizeof(out)) == 1,
	    "query: key in the middle");
	ok(http_query("a=1&mkdir=new+dir%21", "mkdir", out, sizeof(out)) ==
	    1 && strcmp(out, "new dir!") == 0, "query: decoded value");
	ok(http_query("a=1", "json", out, sizeof(out)) == 0,
	    "query: absent key");
	ok(http_query(NULL, "json", out, sizeof(out)) == 0,
	    "query: no query");
	ok(http_query("mkdir=%00", "mkdir", out, sizeof(out)) == -1,
	    "query: NUL value refused");
	ok(http_query("jsonx=1", "json", out, sizeof(out)) == 0,
	    "query: prefix is not the key");

	ok(http_list_has("keep-alive, Upgrade", "upgrade"),
	    "list: token found, any case");
	ok(!http_list_has("closed", "close"), "list: prefix is not a token");
	ok(http_accepts("gzip, deflate", "gzip"), "accepts: gzip");
	ok(!http_accepts("gzip;q=0", "gzip"), "accepts: q=0 refuses");
	ok(!http_accepts("gzip; q=0.000", "gzip"), "accepts: q=0.000 refuses");
	ok(http_accepts("gzip;q=0.5", "gzip"), "accepts: q=0.5 accepts");
	ok(http_accepts("*", "gzip"), "accepts: * accepts");
	ok(!http_accepts("*;q=0", "gzip"), "accepts: *;q=0 refuses");
	ok(!http_accepts("identity", "gzip"), "accepts: identity only");
	ok(!http_accepts("xgzip", "gzip"), "accepts: not a prefix");
	ok(!http_accepts(NULL, "gzip"), "accepts: no header");
}

static void
test_basic(void)
{
	char	 u[64], p[64];

	/* "aladdin:open sesame" */
	ok(http_parse_basic("Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==", u,
	    sizeof(u), p, sizeof(p)) == 0 && strcmp(u, "aladdin") == 0 &&
	    strcmp(p, "open sesame") == 0, "basic: decoded");
	ok(http_parse_basic("basic dTpwOng=", u, sizeof(u), p, sizeof(p)) ==
	    0 && strcmp(u, "u") == 0 && strcmp(p, "p:x") == 0,
	    "basic: colon in the password");
	ok(http_parse_basic("Bearer x", u, sizeof(u), p, sizeof(p)) == -1,
	    "basic: other scheme");
	ok(http_parse_basic("Basic bm9jb2xvbg==", u, sizeof(u), p,
	    sizeof(p)) == -1, "basic: no colon");
	ok(http_parse_basic("Basic !!!!", u, sizeof(u), p, sizeof(p)) == -1,
	    "basic: bad base64");
	ok(http_parse_basic("Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==", u, 7, p,
	    sizeof(p)) == -1, "basic: user does not fit");
}

static void
test_boundary(void)
{
	static const struct {
		const char	*ct;
		int		 rv;
		const char	*b;
	} t[] = {
		{ "multipart/form-data; boundary=abc", 0, "abc" },
		{ "Multipart/Form-Data;boundary=\"a b:c\"", 0, "a b:c" },
		{ "multipart/form-data; charset=x; boundary=----WebKit12", 0,
		    "----WebKit12" },
		{ "multipart/form-data; x=\"a;boundary=no\"; boundary=yes", 0,
		    "yes" },
		{ "multipart/mixed; boundary=abc", -1, NULL },
		{ "multipart/form-data", -1, NULL },
		{ "multipart/form-data; boundary=", -1, NULL },
		{ "multipart/form-data; boundary=\"a\001\"", -1, NULL },
		{ "multipart/form-data; boundary=\"ab \"", -1, NULL },
		{ "text/plain", -1, NULL },
	};
	char	 out[HTTP_BOUNDARY_MAX + 1], ct[256];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int	 rv = http_parse_boundary(t[i].ct, out, sizeof(out));

		ok(rv == t[i].rv && (rv != 0 || strcmp(out, t[i].b) == 0),
		    "boundary %zu: %d", i, rv);
	}
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%.*s",
	    HTTP_BOUNDARY_MAX, "0123456789012345678901234567890123456789"
	    "012345678901234567890123456789xx");
	ok(http_parse_boundary(ct, out, sizeof(out)) == 0,
	    "boundary of %d bytes is accepted", HTTP_BOUNDARY_MAX);
	strcat(ct, "x");
	ok(http_parse_boundary(ct, out, sizeof(out)) == -1,
	    "boundary of %d bytes is refused", HTTP_BOUNDARY_MAX + 1);
}

/*
 * Run a whole multipart body through the parser, step bytes at a time,
 * and describe what came out: "P name filename|" for each part, then its
 * data, "E" at the end, "!" on error.
 */
static void
multipart_run(const char *boundary, const char *body, size_t len,
    size_t step, char *out, size_t outsz)
{
	struct http_multipart	 mp;
	struct http_part	 part;
	static char		 buf[65536];
	size_t			 have = 0, fed = 0, used, o = 0;
	int			 ev;

	http_multipart_init(&mp, boundary);
	out[0] = '\0';
	for (;;) {
		ev = http_multipart_next(&mp, buf, have, fed == len, &used,
		    &part);
		if (ev == -1) {
			o += (size_t)snprintf(out + o, outsz - o, "!");
			return;
		}
		if (ev == HTTP_MP_PART)
			o += (size_t)snprintf(out + o, outsz - o, "P %s %s|",
			    part.hp_name ? part.hp_name : "-",
			    part.hp_filename ? part.hp_filename : "-");
		else if (ev == HTTP_MP_DATA)
			o += (size_t)snprintf(out + o, outsz - o, "%.*s",
			    (int)used, buf);
		else if (ev == HTTP_MP_END) {
			o += (size_t)snprintf(out + o, outsz - o, "E");
			return;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
		if (ev == HTTP_MP_NEED) {
			size_t	 n = len - fed < step ? len - fed : step;

			if (n == 0 && fed == len) {
				/* eof was already passed in */
				o += (size_t)snprintf(out + o, outsz - o, "?");
				return;
			}
			memcpy(buf + have, body + fed, n);
			have += n;
			fed += n;
		}
	}
}

static void
test_multipart(void)
{
	static const struct {
		const char	*body;
		const char	*want;
	} t[] = {
		{ "--XX\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"
		    "hello\r\n--XX\r\nContent-Disposition: form-data; "
		    "name=\"g\"; filename=\"b.txt\"\r\n\r\nwor\r\nld\r\n"
		    "--XX--\r\n", "P f a.txt|helloP g b.txt|wor\r\nldE" },
		{ "preamble\r\n--XX\r\nContent-Disposition: form-data; "
		    "name=\"mkdir\"\r\n\r\nnew\r\n--XX--", "P mkdir -|newE" },
		{ "--XX\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"a%22b%0A.txt\"\r\n\r\n\r\n--XX--\r\n",
		    "P f a\"b\n.txt|E" },
		{ "--XX\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"fallback\"; filename*=UTF-8''%C3%A9t%C3%A9"
		    "\r\n\r\nx\r\n--XX--\r\n", "P f \xc3\xa9t\xc3\xa9|xE" },
		{ "--XX\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"a\\b\"\r\n\r\n--XX is not a delimiter"
		    "\r\n--XY\r\n--XX--", "P f a\\b|--XX is not a delimiter"
		    "\r\n--XYE" },
		{ "--XX\r\n\r\nno headers\r\n--XX--", "P - -|no headersE" },
		{ "--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
		    "never closed", "P f -|never closed!" },
		{ "no delimiter at all", "!" },
		{ "--XX\r\nContent-Disposition: form-data\r\n", "!" },
	};
	char	 out[1024];
	size_t	 i, step;
	static const size_t steps[] = { 1, 3, 7, 65536 };

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (step = 0; step < sizeof(steps) / sizeof(steps[0]);
		    step++) {
			multipart_run("XX", t[i].body, strlen(t[i].body),
			    steps[step], out, sizeof(out));
			ok(strcmp(out, t[i].want) == 0,
			    "multipart %zu by %zu bytes: %s", i, steps[step],
			    vis(out));
		}

	/* part headers: limit - 1 and limit + 1 */
	{
		size_t	 n;
		int	 lim;

		for (lim = -1; lim <= 1; lim += 2) {
			n = (size_t)snprintf(big, sizeof(big),
			    "--XX\r\nX: ");
			memset(big + n, 'h', HTTP_PART_HEAD_MAX + lim - 7);
			n += HTTP_PART_HEAD_MAX + lim - 7;
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "\r\n\r\nd\r\n--XX--");
			multipart_run("XX", big, n, 65536, out, sizeof(out));
			ok(strcmp(out, lim < 0 ? "P - -|dE" : "!") == 0,
			    "multipart: part head limit %+d: %s", lim, out);
		}
	}
}

static void
test_range(void)
{
	static const struct {
		const char	*v;
		unsigned long long size;
		int		 status;
		size_t		 n;
		unsigned long long r[4];	/* first, last pairs */
	} t[] = {
		{ "bytes=0-0", 10, 206, 1, { 0, 0 } },
		{ "bytes=0-", 10, 206, 1, { 0, 9 } },
		{ "bytes=2-5", 10, 206, 1, { 2, 5 } },
		{ "bytes=5-100", 10, 206, 1, { 5, 9 } },
		{ "bytes=-3", 10, 206, 1, { 7, 9 } },
		{ "bytes=-30", 10, 206, 1, { 0, 9 } },
		{ "bytes=0-1,5-6", 10, 206, 2, { 0, 1, 5, 6 } },
		{ "bytes=5-6, 0-1", 10, 206, 2, { 0, 1, 5, 6 } },
		{ "bytes=0-4,3-8", 10, 206, 1, { 0, 8 } },
		{ "bytes=0-4,5-8", 10, 206, 1, { 0, 8 } },
		{ "bytes=0-1,,4-5", 10, 206, 2, { 0, 1, 4, 5 } },
		{ "BYTES = 1-2", 10, 206, 1, { 1, 2 } },
		{ "bytes=10-", 10, 416, 0, { 0 } },
		{ "bytes=10-20,30-", 10, 416, 0, { 0 } },
		{ "bytes=-0", 10, 416, 0, { 0 } },
		{ "bytes=0-", 0, 416, 0, { 0 } },
		{ "bytes=-5", 0, 416, 0, { 0 } },
		{ "bytes=10-20,1-1", 10, 206, 1, { 1, 1 } },
		{ "bytes=5-3", 10, 200, 0, { 0 } },
		{ "bytes=abc", 10, 200, 0, { 0 } },
		{ "bytes=-", 10, 200, 0, { 0 } },
		{ "bytes=", 10, 200, 0, { 0 } },
		{ "items=0-1", 10, 200, 0, { 0 } },
		{ "bytes 0-1", 10, 200, 0, { 0 } },
		{ "bytes=1-2x", 10, 200, 0, { 0 } },
		{ "bytes=99999999999999999999999-", 10, 416, 0, { 0 } },
		{ "bytes=0-99999999999999999999999", 10, 206, 1, { 0, 9 } },
	};
	struct http_range	 r[HTTP_RANGES_MAX];
	char			 v[512];
	size_t			 i, n, k, o;
	int			 st, good;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = http_parse_range(t[i].v, t[i].size, r, HTTP_RANGES_MAX,
		    &n);
		good = st == t[i].status && n == t[i].n;
		for (k = 0; good && k < n; k++)
			good = r[k].hr_first == t[i].r[2 * k] &&
			    r[k].hr_last == t[i].r[2 * k + 1];
		ok(good, "range %zu \"%s\" of %llu: %d, %zu ranges", i, t[i].v,
		    t[i].size, st, n);
	}
	/* the cap: HTTP_RANGES_MAX ranges are taken, one more is ignored */
	for (k = HTTP_RANGES_MAX - 1; k <= HTTP_RANGES_MAX + 1; k++) {
		o = (size_t)snprintf(v, sizeof(v), "bytes=");
		for (i = 0; i < k; i++)
			o += (size_t)snprintf(v + o, sizeof(v) - o, "%s%zu-%zu",
			    i ? "," : "", i * 10, i * 10 + 1);
		st = http_parse_range(v, 1000, r, HTTP_RANGES_MAX, &n);
		ok(k <= HTTP_RANGES_MAX ? st == 206 && n == k : st == 200,
		    "range: %zu ranges: %d", k, st);
	}
}

int
main(void)
{
	test_heads();
	test_in_place();
	test_limits();
	test_framing();
	test_chunks();
	test_decode();
	test_basic();
	test_boundary();
	test_multipart();
	test_range();
	return (tap_done());
}
