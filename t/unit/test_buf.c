/*
 * test_buf.c: unit tests for the bounded buffer (protocol/buf.c).
 */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b;
	size_t		 i;
	char		 big[100], store[16];

	buf_init(&b, 10);
	ok(buf_avail(&b) == 0, "new buffer is empty");
	ok(buf_add(&b, "hello", 5) == 0, "add within the limit");
	ok(buf_add(&b, "world", 5) == 0, "add up to exactly the limit");
	ok(buf_avail(&b) == 10 && memcmp(buf_head(&b), "helloworld", 10) == 0,
	    "contents kept in order");
	errno = 0;
	ok(buf_add(&b, "!", 1) == -1 && errno == ENOBUFS,
	    "one byte past the limit fails with ENOBUFS");
	ok(buf_avail(&b) == 10, "a failed add changes nothing");
	buf_consume(&b, 5);
	ok(buf_avail(&b) == 5 && memcmp(buf_head(&b), "world", 5) == 0,
	    "consume drops bytes from the front");
	ok(buf_add(&b, "!", 1) == -1,
	    "consumed bytes count until compacted");
	buf_compact(&b);
	ok(buf_add(&b, "12345", 5) == 0 &&
	    memcmp(buf_head(&b), "world12345", 10) == 0,
	    "compact makes room at the tail");
	buf_consume(&b, 100);
	ok(buf_avail(&b) == 0, "consuming more than held empties");
	ok(buf_add(&b, "", 0) == 0, "empty add succeeds");
	errno = 0;
	ok(buf_add(&b, big, (size_t)-1) == -1 && errno == ENOBUFS,
	    "a SIZE_MAX add cannot overflow the length");
	buf_free(&b);

	buf_init(&b, 1 << 20);
	for (i = 0; i < 1000; i++)
		if (buf_printf(&b, "%04zu,", i) == -1)
			break;
	ok(i == 1000 && buf_avail(&b) == 5000, "printf grows the buffer");
	ok(memcmp(buf_head(&b) + 4995, "0999,", 5) == 0,
	    "printf output is exact");
	ok(buf_head(&b)[buf_avail(&b)] == '\0', "contents are NUL-terminated");
	buf_free(&b);

	buf_init(&b, 8);
	errno = 0;
	ok(buf_printf(&b, "%s", "123456789") == -1 && errno == ENOBUFS,
	    "printf past the limit fails");
	ok(buf_printf(&b, "%s", "12345678") == 0,
	    "printf up to the limit works");
	buf_free(&b);

	/* On the caller's storage: the same bounds, never reallocated. */
	memset(store, 'x', sizeof(store));
	buf_init_fixed(&b, store, 11);
	ok(b.b_data == store && buf_avail(&b) == 0 && store[0] == '\0',
	    "a fixed buffer starts empty on the storage given");
	ok(buf_add(&b, "helloworld", 10) == 0 && b.b_data == store,
	    "it fills to size - 1 in place");
	ok(store[10] == '\0', "...NUL-terminated within the storage");
	errno = 0;
	ok(buf_add(&b, "!", 1) == -1 && errno == ENOBUFS && store[11] == 'x',
	    "one byte more fails with ENOBUFS and writes nothing past it");
	errno = 0;
	ok(buf_printf(&b, "%d", 1) == -1 && errno == ENOBUFS,
	    "printf past it fails too");
	buf_consume(&b, 5);
	buf_compact(&b);
	ok(buf_add(&b, "12345", 5) == 0 && b.b_data == store &&
	    memcmp(store, "world12345", 10) == 0,
	    "compact makes room in the same storage");
	buf_free(&b);
	ok(b.b_data == store && buf_avail(&b) == 0 && b.b_max == 10,
	    "free empties it and keeps the storage for the next use");
	ok(buf_add(&b, "again", 5) == 0 && memcmp(store, "again", 6) == 0,
	    "...which works as before");
	return (tap_done());
}
