/*
 * wp_path.c: percent-encoding of WHARF/1 arguments, KEY=VALUE options and
 * numbers. Pure functions: unit-tested and fuzzed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"

static int	 wp_keep(unsigned char);
static int	 wp_hexval(int);

static int
wp_keep(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("-._~/!$&'()*+,;=:@", c) != NULL);
}

static int
wp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

long
wp_encode(char *dst, size_t dstsz, const void *src, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s = src;
	size_t			 i, o = 0;

	for (i = 0; i < len; i++) {
		if (wp_keep(s[i])) {
			if (o + 1 >= dstsz)
				return (-1);
			dst[o++] = (char)s[i];
		} else {
			if (o + 3 >= dstsz)
				return (-1);
			dst[o++] = '%';
			dst[o++] = hex[s[i] >> 4];
			dst[o++] = hex[s[i] & 0xf];
		}
	}
	if (o >= dstsz)
		return (-1);
	dst[o] = '\0';
	return ((long)o);
}

long
wp_decode(char *dst, size_t dstsz, const char *src)
{
	size_t	 o = 0;
	int	 hi, lo;

	for (; *src != '\0'; src++) {
		unsigned char	 c = (unsigned char)*src;

		if (c == '%') {
			if ((hi = wp_hexval(src[1])) == -1 ||
			    (lo = wp_hexval(src[2])) == -1)
				return (-1);
			c = (unsigned char)(hi << 4 | lo);
			if (c == '\0')
				return (-1);
			src += 2;
		} else if (c <= 0x20 || c == 0x7f)
			return (-1);	/* space or control: must be encoded */
		if (o + 1 >= dstsz)
			return (-1);
		dst[o++] = (char)c;
	}
	if (dstsz == 0)
		return (-1);
	dst[o] = '\0';
	return ((long)o);
}

const char *
wp_option(const struct wp_command *wc, int first, const char *key)
{
	size_t	 klen = strlen(key);
	int	 i;

	for (i = first; i < wc->wc_argc; i++) {
		if (strncmp(wc->wc_argv[i], key, klen) != 0)
			continue;
		if (wc->wc_argv[i][klen] == '=')
			return (wc->wc_argv[i] + klen + 1);
		if (wc->wc_argv[i][klen] == '\0')
			return ("");
	}
	return (NULL);
}

int
wp_number(const char *s, unsigned long long *n)
{
	unsigned long long	 v = 0;

	if (*s == '\0' || strlen(s) > 20)
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		if (v > (~0ULL - (unsigned)(*s - '0')) / 10)
			return (-1);
		v = v * 10 + (unsigned)(*s - '0');
	}
	*n = v;
	return (0);
}

long
wp_chunk_header(const char *p, size_t len, size_t *size)
{
	size_t	 i, v = 0;

	for (i = 0; i < len && i < 16; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			v = v * 10 + (size_t)(p[i] - '0');
			if (v > WP_CHUNK_MAX)
				return (-1);
			continue;
		}
		if (i == 0)
			return (-1);
		if (p[i] != '\r')
			return (-1);
		if (i + 1 >= len)
			return (0);
		if (p[i + 1] != '\n')
			return (-1);
		*size = v;
		return ((long)(i + 2));
	}
	return (i >= 16 ? -1 : 0);
}
