/*
 * fuzz_http_head.c: libFuzzer target for what an HTTP client sends first:
 * the request head (scan, parse, framing), percent-decoding of the path
 * and query, Basic credentials, Range values and HTTP dates
 * (server/http_parse.c, server/http_range.c, server/http_date.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_date.h"
#include "http_parse.h"

volatile unsigned long	 fuzz_sink;

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Move the parsed head to a copy, as the server does for a request with a
 * body, and wipe the original: every string must now read from the copy
 * (ASan catches one left behind once the copy is freed and the original
 * reused). The head ends up back in p, moved a second time.
 */
static int
move_head(struct http_head *h, char *p, size_t len)
{
	char	*to;
	size_t	 i;

	if ((to = malloc(len + 1)) == NULL)
		return (-1);
	memcpy(to, p, len + 1);
	memset(p, 0x7f, len);
	http_head_move(h, p, len, to);
	for (i = 0; i < h->hh_nfields; i++)
		if (h->hh_fields[i].hf_name[0] == 0x7f ||
		    h->hh_fields[i].hf_value[0] == 0x7f)
			abort();
	if (h->hh_method[0] == 0x7f || h->hh_path[0] == 0x7f)
		abort();
	memcpy(p, to, len + 1);
	http_head_move(h, to, len, p);
	free(to);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_head	 head;
	struct http_framing	 fr;
	struct http_range	 ranges[HTTP_RANGES_MAX];
	char			*copy, dec[8192], user[256], pass[256];
	char			 date[HTTP_DATE_LEN + 1];
	const char		*v;
	size_t			 headlen = 0, n = 0, i;
	long			 len;
	time_t			 t;
	int			 st;

	if ((copy = malloc(size + 1)) == NULL)
		return (0);
	memcpy(copy, data, size);
	copy[size] = '\0';
	st = http_head_scan(copy, size, &headlen);
	fuzz_sink += (unsigned long)st + headlen;
	if (st == 0 && headlen > 0) {
		st = http_parse_head(copy, headlen, &head);
		/* Parsed where it was read: the bytes after it are intact. */
		if (memcmp(copy + headlen, data + headlen, size - headlen) != 0)
			abort();
		if (st == 0)
			st = move_head(&head, copy, headlen);
	}
	if (st == 0 && headlen > 0) {
		fuzz_sink += head.hh_nfields + (unsigned long)head.hh_meth;
		if (http_parse_framing(&head, &fr) == 0)
			fuzz_sink += fr.hb_length;
		len = http_decode(dec, sizeof(dec), head.hh_path,
		    strlen(head.hh_path), 0);
		fuzz_sink += (unsigned long)len;
		if (head.hh_query != NULL)
			fuzz_sink += (unsigned long)http_query(head.hh_query,
			    "download", dec, sizeof(dec));
		if ((v = http_field(&head, "Authorization")) != NULL)
			fuzz_sink += (unsigned long)http_parse_basic(v, user,
			    sizeof(user), pass, sizeof(pass));
		if ((v = http_field(&head, "Range")) != NULL) {
			st = http_parse_range(v, (uint64_t)size * 1000, ranges,
			    HTTP_RANGES_MAX, &n);
			for (i = 0; st == 206 && i < n; i++)
				if (ranges[i].hr_first > ranges[i].hr_last)
					abort();
		}
		if ((v = http_field(&head, "Accept-Encoding")) != NULL)
			fuzz_sink += (unsigned long)http_accepts(v, "gzip");
	}
	/* The bytes as a date: one that parses formats and parses back. */
	if ((t = http_parse_date(copy)) != (time_t)-1 &&
	    t >= HTTP_DATE_MIN && t <= HTTP_DATE_MAX &&
	    http_parse_date(http_date(t, date, sizeof(date))) != t)
		abort();
	/* The same bytes as a bare Range value, against a small file. */
	st = http_parse_range(copy, 1000, ranges, HTTP_RANGES_MAX, &n);
	for (i = 0; st == 206 && i < n; i++)
		if (ranges[i].hr_last >= 1000 ||
		    ranges[i].hr_first > ranges[i].hr_last)
			abort();
	free(copy);
	return (0);
}
