/*
 * http_range.c: the Range header (RFC 9110 section 14): byte ranges,
 * suffix ranges, a cap on their number, and coalescing. Pure: the caller
 * decides what to send for the 200, 206 or 416 this returns.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http_parse.h"

static const char *range_number(const char *, uint64_t *, int *);

/* Digits at s into *v (saturating); *any = whether there were any. */
static const char *
range_number(const char *s, uint64_t *v, int *any)
{
	*v = 0;
	*any = 0;
	for (; isdigit((unsigned char)*s); s++) {
		*any = 1;
		if (*v > (UINT64_MAX - 9) / 10)
			*v = UINT64_MAX;
		else
			*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return (s);
}

int
http_parse_range(const char *value, uint64_t size, struct http_range *out,
    size_t max, size_t *n)
{
	struct http_range	 r[HTTP_RANGES_MAX], t;
	const char		*s;
	uint64_t		 a, b;
	size_t			 count = 0, specs = 0, i, j;
	int			 hasa, hasb;

	*n = 0;
	if (value == NULL || strncasecmp(value, "bytes", 5) != 0)
		return (200);
	for (s = value + 5; *s == ' ' || *s == '\t'; s++)
		;
	if (*s++ != '=')
		return (200);
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == ',') {	/* empty list element */
			s++;
			continue;
		}
		if (*s == '\0')
			break;
		if (++specs > HTTP_RANGES_MAX)
			return (200);
		s = range_number(s, &a, &hasa);
		if (*s++ != '-')
			return (200);
		s = range_number(s, &b, &hasb);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != ',' && *s != '\0')
			return (200);
		if (!hasa && !hasb)
			return (200);
		if (hasa && hasb && b < a)
			return (200);
		if (!hasa) {
			/* suffix: the last b bytes */
			if (b == 0 || size == 0)
				continue;
			a = b >= size ? 0 : size - b;
			b = size - 1;
		} else {
			if (a >= size)
				continue;
			if (!hasb || b >= size)
				b = size - 1;
		}
		r[count].hr_first = a;
		r[count].hr_last = b;
		count++;
	}
	if (specs == 0)
		return (200);
	if (count == 0)
		return (416);
	/* sort by first byte (insertion: at most HTTP_RANGES_MAX) */
	for (i = 1; i < count; i++) {
		t = r[i];
		for (j = i; j > 0 && r[j - 1].hr_first > t.hr_first; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
	/* coalesce ranges that overlap or touch */
	for (i = 0, j = 0; i < count; i++) {
		if (j > 0 && r[i].hr_first <= r[j - 1].hr_last + 1) {
			if (r[i].hr_last > r[j - 1].hr_last)
				r[j - 1].hr_last = r[i].hr_last;
			continue;
		}
		r[j++] = r[i];
	}
	if (j > max)
		return (200);
	memcpy(out, r, j * sizeof(r[0]));
	*n = j;
	return (206);
}
