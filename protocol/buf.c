/*
 * buf.c: the bounded byte buffer used for every line, header and reply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->b_max = max;
}

void
buf_init_fixed(struct buf *b, char *storage, size_t size)
{
	memset(b, 0, sizeof(*b));
	b->b_data = storage;
	b->b_cap = size;
	b->b_max = size - 1;
	b->b_fixed = 1;
	b->b_data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	if (b->b_fixed) {
		buf_reset(b);
		return;
	}
	free(b->b_data);
	b->b_data = NULL;
	b->b_len = b->b_cap = b->b_off = 0;
}

void
buf_reset(struct buf *b)
{
	b->b_len = b->b_off = 0;
	if (b->b_data != NULL)
		b->b_data[0] = '\0';
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 want, cap;
	char	*p;

	if (n > b->b_max || b->b_len > b->b_max - n) {
		errno = ENOBUFS;
		return (-1);
	}
	want = b->b_len + n + 1;	/* room for a terminating NUL */
	if (want <= b->b_cap)
		return (0);
	cap = b->b_cap ? b->b_cap : 256;
	while (cap < want) {
		if (cap > ((size_t)-1) / 2) {
			cap = want;
			break;
		}
		cap *= 2;
	}
	if (cap > b->b_max + 1)
		cap = b->b_max + 1;
	if ((p = realloc(b->b_data, cap)) == NULL)
		return (-1);
	b->b_data = p;
	b->b_cap = cap;
	return (0);
}

int
buf_add(struct buf *b, const void *data, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return (-1);
	if (n > 0)
		memcpy(b->b_data + b->b_len, data, n);
	b->b_len += n;
	b->b_data[b->b_len] = '\0';
	return (0);
}

int
buf_adds(struct buf *b, const char *s)
{
	return (buf_add(b, s, strlen(s)));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		errno = EINVAL;
		return (-1);
	}
	if (buf_reserve(b, (size_t)n) == -1)
		return (-1);
	vsnprintf(b->b_data + b->b_len, (size_t)n + 1, fmt, ap);
	b->b_len += (size_t)n;
	return (0);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 rv;

	va_start(ap, fmt);
	rv = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return (rv);
}

char *
buf_head(const struct buf *b)
{
	return (b->b_data == NULL ? NULL : b->b_data + b->b_off);
}

size_t
buf_avail(const struct buf *b)
{
	return (b->b_len - b->b_off);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n > buf_avail(b))
		n = buf_avail(b);
	b->b_off += n;
	if (b->b_off == b->b_len)
		buf_reset(b);
}

void
buf_compact(struct buf *b)
{
	if (b->b_off == 0)
		return;
	memmove(b->b_data, b->b_data + b->b_off, b->b_len - b->b_off);
	b->b_len -= b->b_off;
	b->b_off = 0;
	b->b_data[b->b_len] = '\0';
}
