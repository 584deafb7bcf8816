/*
 * buf.h: a length-carrying byte buffer with a hard maximum size.
 *
 * Every buffer that holds client bytes is a struct buf with a cap: growth
 * is overflow-checked and stops at buf_max, so a hostile peer can make a
 * buffer full but never unbounded.
 */
#ifndef WHARF_BUF_H
#define WHARF_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*b_data;	/* owned; NUL-terminated when b_len < b_cap */
	size_t	 b_len;		/* bytes in use */
	size_t	 b_cap;		/* bytes allocated */
	size_t	 b_max;		/* hard maximum for b_len */
	size_t	 b_off;		/* bytes already consumed from the front */
	int	 b_fixed;	/* b_data is the caller's: never realloc'd */
};

/* Initialise an empty buffer that may grow to max bytes. Allocates nothing. */
void	 buf_init(struct buf *, size_t max);
/*
 * Initialise an empty buffer on the caller's storage of size bytes (at
 * most size - 1 of data and the NUL): b_max is size - 1, so buf_reserve
 * never needs to grow it, and buf_free only empties it. For a buffer
 * every connection needs, so that it costs no malloc and touches no heap
 * page.
 */
void	 buf_init_fixed(struct buf *, char *storage, size_t size);
/* Release the storage; the buffer is empty and reusable afterwards. */
void	 buf_free(struct buf *);
/* Forget the contents but keep the storage. */
void	 buf_reset(struct buf *);
/* Make room for n more bytes. Returns 0, or -1 with errno ENOBUFS when the
 * maximum would be exceeded or ENOMEM. */
int	 buf_reserve(struct buf *, size_t n);
/* Append n bytes. Returns 0 or -1 (errno as buf_reserve). */
int	 buf_add(struct buf *, const void *, size_t n);
/* Append a string without its NUL. */
int	 buf_adds(struct buf *, const char *);
/* Append formatted text. Returns 0 or -1 (ENOBUFS, ENOMEM). */
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct buf *, const char *, va_list);
/* Unconsumed bytes start here; buf_avail() says how many. */
char	*buf_head(const struct buf *);
size_t	 buf_avail(const struct buf *);
/* Mark n bytes at the head as consumed; compacts lazily. */
void	 buf_consume(struct buf *, size_t n);
/* Move unconsumed bytes to the front so the tail has room. */
void	 buf_compact(struct buf *);

#endif
