/*
 * http_parse.c: the pure HTTP/1.1 parsers: request head and header fields,
 * body framing, chunk lines, multipart/form-data, percent-decoding, query
 * strings and Basic credentials. No I/O and no allocation; every loop is
 * bounded by the caller's length and the limits in http_parse.h.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http_parse.h"

#define SKIP_EMPTY_MAX	64	/* bytes of empty lines before a request */

enum { MP_FIRST, MP_START, MP_AFTER_DELIM, MP_HEADERS, MP_BODY, MP_DONE };

static int	 is_digit(int);
static int	 is_tchar(int);
static int	 is_token(const char *);
static int	 hexval(int);
static char	*line_next(char **p, char *end);
static char	*trim(char *);
static char	*moved(char *, const char *from, size_t len, char *to);
static int	 field_is(const struct http_field *, const char *name,
		    size_t nl);
static int	 q_positive(const char *params, size_t len);
static void	 part_disposition(char *, struct http_part *);
static void	 part_headers(char *p, struct http_part *);
static char	*param_value(char *);
static int	 b64val(int);

static char	 slash[] = "/";

/* isdigit(3) without the locale: every request, in the version. */
static int
is_digit(int ch)
{
	return (ch >= '0' && ch <= '9');
}

static int
is_tchar(int ch)
{
	/* Letters, digits and '-' first: they are nearly every field name. */
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-')
		return (1);
	return (ch != 0 && strchr("!#$%&'*+.^_`|~", ch) != NULL);
}

static int
is_token(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (!is_tchar(*s))
			return (0);
	return (1);
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

int
http_head_scan(const char *p, size_t len, size_t *headlen)
{
	const char	*nl;
	size_t		 i = 0, line, fields, pos, n;

	*headlen = 0;
	/* Empty lines before the request line (after a POST body, say). */
	while (i < len && (p[i] == '\n' || p[i] == '\r')) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] != '\n')
			return (400);
		if (++i > SKIP_EMPTY_MAX)
			return (400);
	}
	line = i;
	n = len - line;
	if (n > HTTP_LINE_MAX + 2)
		n = HTTP_LINE_MAX + 2;
	if ((nl = memchr(p + line, '\n', n)) == NULL)
		return (len - line > HTTP_LINE_MAX + 1 ? 414 : 0);
	pos = (size_t)(nl - p);
	n = pos - line;
	if (n > 0 && p[pos - 1] == '\r')
		n--;
	if (n > HTTP_LINE_MAX)
		return (414);
	if (memchr(p, '\0', pos) != NULL)
		return (400);
	fields = ++pos;
	for (;;) {
		n = len - pos;
		if (n > HTTP_HEADERS_MAX + 2)
			n = HTTP_HEADERS_MAX + 2;
		if ((nl = memchr(p + pos, '\n', n)) == NULL)
			return (len - fields > HTTP_HEADERS_MAX + 1 ? 431 : 0);
		n = (size_t)(nl - (p + pos));
		if (memchr(p + pos, '\0', n) != NULL)
			return (400);
		if (n == 0 || (n == 1 && p[pos] == '\r')) {
			*headlen = pos + n + 1;
			return (0);
		}
		pos += n + 1;
		if (pos - fields > HTTP_HEADERS_MAX)
			return (431);
	}
}

/* Cut the line at *p (ending in LF or CRLF, or at end); advance *p. */
static char *
line_next(char **p, char *end)
{
	char	*s = *p, *nl;

	if (s >= end)
		return (NULL);
	if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
		nl = end;
	*p = nl < end ? nl + 1 : end;
	if (nl > s && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	return (s);
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return (s);
}

int
http_method(const char *m)
{
	static const struct {
		const char	*name;
		int		 meth;
	} methods[] = {
		{ "GET", HTTP_M_GET }, { "HEAD", HTTP_M_HEAD },
		{ "PUT", HTTP_M_PUT }, { "POST", HTTP_M_POST },
		{ "DELETE", HTTP_M_DELETE }, { "MKCOL", HTTP_M_MKCOL },
		{ "OPTIONS", HTTP_M_OPTIONS }
	};
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return (methods[i].meth);
	return (0);
}

int
http_parse_head(char *p, size_t len, struct http_head *h)
{
	struct http_field	*f;
	char			*end = p + len, *line, *sp, *v, *s, *colon;
	size_t			 fieldbytes = 0, hosts = 0;

	/* hh_fields past hh_nfields are never read: 1.6 KiB left alone. */
	memset(h, 0, offsetof(struct http_head, hh_fields));
	h->hh_nfields = 0;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return (400);
	if ((line = line_next(&p, end)) == NULL)
		return (400);
	if (strlen(line) > HTTP_LINE_MAX)
		return (414);

	/* method SP request-target SP HTTP-version */
	if ((sp = strchr(line, ' ')) == NULL)
		return (400);
	*sp = '\0';
	h->hh_method = line;
	h->hh_target = sp + 1;
	if ((sp = strchr(h->hh_target, ' ')) == NULL)
		return (400);
	*sp = '\0';
	v = sp + 1;
	if (!is_token(h->hh_method) || *h->hh_target == '\0')
		return (400);
	for (s = h->hh_target; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return (400);
	if (strncmp(v, "HTTP/", 5) != 0 || !is_digit(v[5]) ||
	    v[6] != '.' || !is_digit(v[7]) || v[8] != '\0')
		return (400);
	if (v[5] != '1')
		return (505);
	h->hh_minor = v[7] - '0';
	if (strlen(h->hh_method) > HTTP_METHOD_MAX ||
	    (h->hh_meth = http_method(h->hh_method)) == 0)
		return (501);

	/* origin-form, absolute-form or asterisk-form */
	s = h->hh_target;
	if (*s == '/')
		h->hh_path = s;
	else if (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0) {
		s = strstr(s, "//") + 2;
		s += strcspn(s, "/?#");
		if (*s == '/')
			h->hh_path = s;
		else {
			if (*s == '?')
				h->hh_query = s + 1;
			*s = '\0';
			h->hh_path = slash;
		}
	} else if (strcmp(s, "*") == 0 && h->hh_meth == HTTP_M_OPTIONS)
		h->hh_path = s;
	else
		return (400);
	if ((s = strchr(h->hh_path, '#')) != NULL)
		*s = '\0';
	if ((s = strchr(h->hh_path, '?')) != NULL) {
		*s = '\0';
		h->hh_query = s + 1;
	}

	while ((line = line_next(&p, end)) != NULL) {
		if (*line == '\0')
			break;
		fieldbytes += strlen(line) + 2;
		if (fieldbytes > HTTP_HEADERS_MAX)
			return (431);
		if (h->hh_nfields == HTTP_FIELDS_MAX)
			return (431);
		if (*line == ' ' || *line == '\t')
			return (400);	/* obs-fold */
		if ((colon = strchr(line, ':')) == NULL)
			return (400);
		*colon = '\0';
		if (!is_token(line))
			return (400);
		v = trim(colon + 1);
		for (s = v; *s != '\0'; s++)
			if (((unsigned char)*s < 0x20 && *s != '\t') ||
			    *s == 0x7f)
				return (400);
		f = &h->hh_fields[h->hh_nfields++];
		f->hf_name = line;
		f->hf_namelen = (size_t)(colon - line);
		f->hf_value = v;
		if (f->hf_namelen == 4 && strcasecmp(line, "Host") == 0)
			hosts++;
	}
	if (hosts > 1 || (hosts == 0 && h->hh_minor >= 1))
		return (400);
	return (0);
}

/* p moved with the len bytes at from to to; a pointer elsewhere stays. */
static char *
moved(char *p, const char *from, size_t len, char *to)
{
	uintptr_t	 a = (uintptr_t)p, f = (uintptr_t)from;

	if (p == NULL || a < f || a - f > len)
		return (p);
	return (to + (a - f));
}

void
http_head_move(struct http_head *h, const char *from, size_t len, char *to)
{
	size_t	 i;

	h->hh_method = moved(h->hh_method, from, len, to);
	h->hh_target = moved(h->hh_target, from, len, to);
	h->hh_path = moved(h->hh_path, from, len, to);
	h->hh_query = moved(h->hh_query, from, len, to);
	for (i = 0; i < h->hh_nfields; i++) {
		h->hh_fields[i].hf_name = moved(h->hh_fields[i].hf_name,
		    from, len, to);
		h->hh_fields[i].hf_value = moved(h->hh_fields[i].hf_value,
		    from, len, to);
	}
}

/* Is field f called name, of nl bytes (any case)? */
static int
field_is(const struct http_field *f, const char *name, size_t nl)
{
	/*
	 * A handler asks for a dozen names a request, most of them absent:
	 * compare the length and the first byte case-blind before calling
	 * strcasecmp. For a letter, c | 0x20 is its lower case, so this
	 * never skips a match.
	 */
	return (f->hf_namelen == nl &&
	    (f->hf_name[0] | 0x20) == (name[0] | 0x20) &&
	    strcasecmp(f->hf_name, name) == 0);
}

const char *
http_field(const struct http_head *h, const char *name)
{
	size_t	 i, nl = strlen(name);

	for (i = 0; i < h->hh_nfields; i++)
		if (field_is(&h->hh_fields[i], name, nl))
			return (h->hh_fields[i].hf_value);
	return (NULL);
}

int
http_parse_framing(const struct http_head *h, struct http_framing *f)
{
	const char	*v, *te = NULL;
	uint64_t	 n;
	size_t		 i, digits;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < h->hh_nfields; i++) {
		v = h->hh_fields[i].hf_value;
		if (field_is(&h->hh_fields[i], "Transfer-Encoding", 17)) {
			if (te != NULL)
				return (501);	/* more than one coding */
			te = v;
			continue;
		}
		if (!field_is(&h->hh_fields[i], "Content-Length", 14))
			continue;
		/* "5" or a list of identical values, "5, 5" (RFC 9110 8.6) */
		for (;;) {
			while (*v == ' ' || *v == '\t')
				v++;
			n = 0;
			for (digits = 0; is_digit(*v); v++) {
				if (++digits > 18)
					return (400);
				n = n * 10 + (uint64_t)(*v - '0');
			}
			while (*v == ' ' || *v == '\t')
				v++;
			if (digits == 0 || (*v != ',' && *v != '\0'))
				return (400);
			if (f->hb_has_length && f->hb_length != n)
				return (400);
			f->hb_has_length = 1;
			f->hb_length = n;
			if (*v == '\0')
				break;
			v++;
		}
	}
	if (te != NULL) {
		if (f->hb_has_length || h->hh_minor == 0)
			return (400);
		if (strcasecmp(te, "chunked") != 0)
			return (501);
		f->hb_chunked = 1;
	}
	return (0);
}

int
http_list_has(const char *value, const char *token)
{
	size_t	 tlen = strlen(token), n;
	const char *s = value;

	if (value == NULL)
		return (0);
	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		n = strcspn(s, ",; \t");
		if (n == tlen && strncasecmp(s, token, n) == 0)
			return (1);
		s += strcspn(s, ",");
	}
	return (0);
}

/* A q parameter in params[0..len) that is above zero (or absent). */
static int
q_positive(const char *params, size_t len)
{
	const char	*q;
	size_t		 i;

	for (q = params; q + 2 <= params + len; q++) {
		if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=' &&
		    (q == params || q[-1] == ';' || q[-1] == ' ')) {
			for (i = 2; q + i < params + len; i++) {
				if (q[i] >= '1' && q[i] <= '9')
					return (1);
				if (q[i] != '0' && q[i] != '.')
					break;
			}
			return (0);
		}
	}
	return (1);
}

int
http_accepts(const char *value, const char *coding)
{
	const char	*s = value, *semi;
	size_t		 clen = strlen(coding), n, elen;
	int		 star = 0;

	if (value == NULL)
		return (0);
	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		elen = strcspn(s, ",");
		n = strcspn(s, ",; \t");
		semi = memchr(s, ';', elen);
		if (n == clen && strncasecmp(s, coding, n) == 0)
			return (semi == NULL ? 1 :
			    q_positive(semi + 1, elen - (size_t)(semi + 1 - s)));
		if (n == 1 && *s == '*')
			star = semi == NULL ? 1 :
			    q_positive(semi + 1, elen - (size_t)(semi + 1 - s));
		s += elen;
	}
	return (star);
}

long
http_decode(char *dst, size_t dstsz, const char *src, size_t len, int plus)
{
	size_t	 i, o = 0;
	int	 hi, lo;
	char	 ch;

	if (dstsz == 0)
		return (-2);
	for (i = 0; i < len; i++) {
		ch = src[i];
		if (ch == '%') {
			if (len - i < 3)
				return (-1);
			if ((hi = hexval(src[i + 1])) == -1 ||
			    (lo = hexval(src[i + 2])) == -1)
				return (-1);
			ch = (char)(hi << 4 | lo);
			if (ch == '\0')
				return (-1);
			i += 2;
		} else if (ch == '+' && plus)
			ch = ' ';
		else if (ch == '\0')
			return (-1);
		if (o + 1 >= dstsz)
			return (-2);
		dst[o++] = ch;
	}
	dst[o] = '\0';
	return ((long)o);
}

int
http_query(const char *query, const char *key, char *val, size_t valsz)
{
	char		 name[256];
	const char	*s = query, *eq;
	size_t		 n;
	long		 klen;

	if (query == NULL)
		return (0);
	while (*s != '\0') {
		n = strcspn(s, "&;");
		eq = memchr(s, '=', n);
		klen = http_decode(name, sizeof(name), s,
		    eq != NULL ? (size_t)(eq - s) : n, 1);
		if (klen >= 0 && strcmp(name, key) == 0) {
			if (eq == NULL) {
				if (valsz == 0)
					return (-1);
				val[0] = '\0';
				return (1);
			}
			if (http_decode(val, valsz, eq + 1,
			    n - (size_t)(eq + 1 - s), 1) < 0)
				return (-1);
			return (1);
		}
		s += n;
		if (*s != '\0')
			s++;
	}
	return (0);
}

long
http_parse_chunk_line(const char *p, size_t len, uint64_t *size)
{
	const char	*nl;
	size_t		 i, n, end;
	uint64_t	 v = 0;

	n = len < HTTP_CHUNK_LINE_MAX ? len : HTTP_CHUNK_LINE_MAX;
	if ((nl = memchr(p, '\n', n)) == NULL)
		return (len >= HTTP_CHUNK_LINE_MAX ? -1 : 0);
	end = (size_t)(nl - p);
	if (end > 0 && p[end - 1] == '\r')
		end--;
	for (i = 0; i < end && hexval(p[i]) != -1; i++) {
		if (i == 15)
			return (-1);
		v = v << 4 | (uint64_t)hexval(p[i]);
	}
	if (i == 0)
		return (-1);
	/* chunk-ext: BWS ";" ..., only printable bytes and tabs */
	for (; i < end && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	if (i < end && p[i] != ';')
		return (-1);
	for (; i < end; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return (-1);
	*size = v;
	return ((long)(nl - p) + 1);
}

long
http_parse_trailer_line(const char *p, size_t len, int *last)
{
	const char	*nl;
	size_t		 i, n, end;

	*last = 0;
	n = len < HTTP_CHUNK_LINE_MAX ? len : HTTP_CHUNK_LINE_MAX;
	if ((nl = memchr(p, '\n', n)) == NULL)
		return (len >= HTTP_CHUNK_LINE_MAX ? -1 : 0);
	end = (size_t)(nl - p);
	if (end > 0 && p[end - 1] == '\r')
		end--;
	if (end == 0) {
		*last = 1;
		return ((long)(nl - p) + 1);
	}
	if (memchr(p, ':', end) == NULL || p[0] == ':' || p[0] == ' ')
		return (-1);
	for (i = 0; i < end; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return (-1);
	return ((long)(nl - p) + 1);
}

int
http_parse_boundary(const char *ct, char *out, size_t outsz)
{
	static const char	 bchars[] = "'()+_,-./:=? ";
	const char		*s, *b = NULL;
	size_t			 n, i;

	if (ct == NULL || outsz < HTTP_BOUNDARY_MAX + 1)
		return (-1);
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, "multipart/form-data", 19) != 0 ||
	    (ct[19] != ';' && ct[19] != ' ' && ct[19] != '\t'))
		return (-1);
	for (s = ct + 19; *s != '\0'; ) {
		while (*s == ';' || *s == ' ' || *s == '\t')
			s++;
		if (strncasecmp(s, "boundary=", 9) == 0) {
			b = s + 9;
			break;
		}
		/* skip this parameter, quoted value included */
		while (*s != '\0' && *s != ';') {
			if (*s == '"') {
				s++;
				while (*s != '\0' && *s != '"')
					s++;
				if (*s == '\0')
					return (-1);
			}
			s++;
		}
	}
	if (b == NULL)
		return (-1);
	if (*b == '"') {
		b++;
		if ((s = strchr(b, '"')) == NULL)
			return (-1);
		n = (size_t)(s - b);
	} else
		n = strcspn(b, "; \t");
	if (n == 0 || n > HTTP_BOUNDARY_MAX || b[n - 1] == ' ')
		return (-1);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) ||
		    (unsigned char)b[i] >= 0x80)
			if (strchr(bchars, b[i]) == NULL || b[i] == '\0')
				return (-1);
	memcpy(out, b, n);
	out[n] = '\0';
	return (0);
}

void
http_multipart_init(struct http_multipart *mp, const char *boundary)
{
	size_t	 n = strlen(boundary);

	if (n > HTTP_BOUNDARY_MAX)
		n = HTTP_BOUNDARY_MAX;
	memcpy(mp->mp_delim, "\r\n--", 4);
	memcpy(mp->mp_delim + 4, boundary, n);
	mp->mp_dlen = 4 + n;
	mp->mp_delim[mp->mp_dlen] = '\0';
	mp->mp_state = MP_FIRST;
}

/*
 * The value of a parameter at s (after "name="): a quoted string, in which
 * browsers encode '"', CR and LF as %22, %0D and %0A (HTML's form
 * encoding; backslashes are literal), or a token. Cut in place.
 */
static char *
param_value(char *s)
{
	char	*e, *r, *w;

	if (*s != '"') {
		s[strcspn(s, "; \t")] = '\0';
		return (s);
	}
	s++;
	if ((e = strchr(s, '"')) != NULL)
		*e = '\0';
	for (r = w = s; *r != '\0'; r++, w++) {
		if (r[0] == '%' && r[1] == '2' && r[2] == '2') {
			*w = '"';
			r += 2;
		} else if (r[0] == '%' && r[1] == '0' &&
		    (r[2] == 'D' || r[2] == 'd')) {
			*w = '\r';
			r += 2;
		} else if (r[0] == '%' && r[1] == '0' &&
		    (r[2] == 'A' || r[2] == 'a')) {
			*w = '\n';
			r += 2;
		} else
			*w = *r;
	}
	*w = '\0';
	return (s);
}

static void
part_disposition(char *v, struct http_part *part)
{
	char	*s = v, *next, *val;
	size_t	 n;

	while (*s != '\0') {
		while (*s == ';' || *s == ' ' || *s == '\t')
			s++;
		/* find this parameter's end before cutting it */
		next = s;
		while (*next != '\0' && *next != ';') {
			if (*next == '"') {
				next++;
				while (*next != '\0' && *next != '"')
					next++;
				if (*next == '\0')
					break;
			}
			next++;
		}
		if (*next == ';')
			*next++ = '\0';
		n = strcspn(s, "=");
		if (s[n] == '=') {
			val = s + n + 1;
			s[n] = '\0';
			if (strcasecmp(s, "name") == 0)
				part->hp_name = param_value(val);
			else if (strcasecmp(s, "filename") == 0) {
				if (part->hp_filename != part->hp_fnbuf)
					part->hp_filename = param_value(val);
			} else if (strcasecmp(s, "filename*") == 0 &&
			    strncasecmp(val, "UTF-8''", 7) == 0 &&
			    http_decode(part->hp_fnbuf, sizeof(part->hp_fnbuf),
			    val + 7, strcspn(val + 7, " \t"), 0) > 0)
				part->hp_filename = part->hp_fnbuf;
		}
		s = next;
	}
}

/* Parse the NUL-terminated header lines of one part in place. */
static void
part_headers(char *p, struct http_part *part)
{
	char	*end = p + strlen(p), *line, *colon;

	memset(part, 0, offsetof(struct http_part, hp_fnbuf));
	part->hp_fnbuf[0] = '\0';
	while ((line = line_next(&p, end)) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		if (strcasecmp(trim(line), "Content-Disposition") == 0)
			part_disposition(trim(colon + 1), part);
		else if (strcasecmp(trim(line), "Content-Type") == 0)
			part->hp_type = trim(colon + 1);
	}
}

int
http_multipart_next(struct http_multipart *mp, char *p, size_t len, int eof,
    size_t *used, struct http_part *part)
{
	const char	*d;
	char		*hend;
	size_t		 off = 0, n, safe, i;

	*used = 0;
	for (;;) {
		switch (mp->mp_state) {
		case MP_FIRST:
			/* "--boundary" right at the start of the body */
			n = mp->mp_dlen - 2;
			if (len - off < n && memcmp(p + off, mp->mp_delim + 2,
			    len - off) == 0)
				return (eof ? -1 : HTTP_MP_NEED);
			mp->mp_state = MP_START;
			if (len - off >= n &&
			    memcmp(p + off, mp->mp_delim + 2, n) == 0) {
				off += n;
				mp->mp_state = MP_AFTER_DELIM;
			}
			continue;
		case MP_START:
			/* a preamble, then "\r\n--boundary" */
			d = memmem(p + off, len - off, mp->mp_delim,
			    mp->mp_dlen);
			if (d != NULL) {
				off = (size_t)(d - p) + mp->mp_dlen;
				mp->mp_state = MP_AFTER_DELIM;
				continue;
			}
			if (eof)
				return (-1);
			/* drop the preamble but what may start a delimiter */
			if (len - off > mp->mp_dlen)
				*used = len - mp->mp_dlen;
			else
				*used = off;
			return (HTTP_MP_NEED);
		case MP_AFTER_DELIM:
			if (len - off < 2) {
				*used = off;
				return (eof ? -1 : HTTP_MP_NEED);
			}
			if (p[off] == '-' && p[off + 1] == '-') {
				mp->mp_state = MP_DONE;
				*used = len;
				return (HTTP_MP_END);
			}
			/* transport padding, then CRLF */
			for (i = off; i < len && (p[i] == ' ' || p[i] == '\t');
			    i++)
				if (i - off >= 256)
					return (-1);
			if (i < len && p[i] == '\n')
				i++;
			else if (i + 1 < len && p[i] == '\r' &&
			    p[i + 1] == '\n')
				i += 2;
			else if (i + 1 >= len) {
				*used = off;
				return (eof ? -1 : HTTP_MP_NEED);
			} else
				return (-1);
			off = i;
			mp->mp_state = MP_HEADERS;
			continue;
		case MP_HEADERS:
			n = len - off;
			if (n >= 2 && p[off] == '\r' && p[off + 1] == '\n') {
				/* a part without headers */
				p[off] = '\0';
				part_headers(p + off, part);
				*used = off + 2;
				mp->mp_state = MP_BODY;
				return (HTTP_MP_PART);
			}
			if (n > HTTP_PART_HEAD_MAX)
				n = HTTP_PART_HEAD_MAX;
			hend = memmem(p + off, n, "\r\n\r\n", 4);
			if (hend == NULL) {
				*used = off;
				return (eof || n >= HTTP_PART_HEAD_MAX ? -1 :
				    HTTP_MP_NEED);
			}
			*hend = '\0';
			part_headers(p + off, part);
			*used = (size_t)(hend - p) + 4;
			mp->mp_state = MP_BODY;
			return (HTTP_MP_PART);
		case MP_BODY:
			d = memmem(p + off, len - off, mp->mp_delim,
			    mp->mp_dlen);
			if (d != NULL && d > p + off) {
				*used = (size_t)(d - p);
				return (HTTP_MP_DATA);
			}
			if (d != NULL) {
				off += mp->mp_dlen;
				mp->mp_state = MP_AFTER_DELIM;
				continue;
			}
			/* keep back what could be the start of a delimiter */
			safe = len - off;
			n = safe < mp->mp_dlen - 1 ? safe : mp->mp_dlen - 1;
			for (i = safe - n; i < safe; i++)
				if (p[off + i] == '\r')
					break;
			safe = i;
			if (safe > 0) {
				*used = off + safe;
				return (HTTP_MP_DATA);
			}
			*used = off;
			return (eof ? -1 : HTTP_MP_NEED);
		default:
			*used = len;
			return (HTTP_MP_END);
		}
	}
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (ch - 'A');
	if (ch >= 'a' && ch <= 'z')
		return (ch - 'a' + 26);
	if (ch >= '0' && ch <= '9')
		return (ch - '0' + 52);
	if (ch == '+')
		return (62);
	if (ch == '/')
		return (63);
	return (-1);
}

int
http_parse_basic(const char *value, char *user, size_t usersz, char *pass,
    size_t passsz)
{
	unsigned char	 dec[1024];
	const char	*s;
	size_t		 o = 0, bits = 0, n, ulen;
	unsigned	 acc = 0;
	int		 v;
	unsigned char	*colon;

	if (value == NULL || strncasecmp(value, "Basic", 5) != 0 ||
	    (value[5] != ' ' && value[5] != '\t'))
		return (-1);
	for (s = value + 6; *s == ' ' || *s == '\t'; s++)
		;
	for (; *s != '\0' && *s != '=' && *s != ' '; s++) {
		if ((v = b64val(*s)) == -1)
			return (-1);
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == sizeof(dec))
				return (-1);
			dec[o++] = (unsigned char)(acc >> bits);
		}
	}
	while (*s == '=')
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return (-1);
	if ((colon = memchr(dec, ':', o)) == NULL)
		return (-1);
	ulen = (size_t)(colon - dec);
	n = o - ulen - 1;
	if (ulen >= usersz || n >= passsz || memchr(dec, '\0', o) != NULL)
		return (-1);
	memcpy(user, dec, ulen);
	user[ulen] = '\0';
	memcpy(pass, colon + 1, n);
	pass[n] = '\0';
	explicit_bzero(dec, sizeof(dec));
	return (0);
}
