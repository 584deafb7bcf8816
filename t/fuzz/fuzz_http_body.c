/*
 * fuzz_http_body.c: libFuzzer target for request bodies: chunk size and
 * trailer lines, and multipart/form-data fed in pieces of every size the
 * input chooses (server/http_parse.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

volatile unsigned long	 fuzz_sink;

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_multipart	 mp;
	struct http_part	 part;
	char			*buf, boundary[HTTP_BOUNDARY_MAX + 1];
	uint64_t		 csize = 0;
	size_t			 off = 0, used, step, have, guard = 0;
	long			 len;
	int			 last = 0, ev;

	if (size < 2)
		return (0);
	len = http_parse_chunk_line((const char *)data, size, &csize);
	fuzz_sink += (unsigned long)len + csize;
	len = http_parse_trailer_line((const char *)data, size, &last);
	fuzz_sink += (unsigned long)len + (unsigned long)last;

	/* First byte: feeding step; the rest: a multipart body. */
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	if ((buf = malloc(size + 1)) == NULL)
		return (0);
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (http_parse_boundary("multipart/form-data; boundary=XyZ", boundary,
	    sizeof(boundary)) != 0)
		abort();
	http_multipart_init(&mp, boundary);
	have = step < size ? step : size;
	while (guard++ < 100000) {
		used = 0;
		ev = http_multipart_next(&mp, buf + off, have - off,
		    have == size, &used, &part);
		if (used > have - off)
			abort();
		off += used;
		if (ev == -1 || ev == HTTP_MP_END)
			break;
		if (ev == HTTP_MP_PART && part.hp_filename != NULL)
			fuzz_sink += strlen(part.hp_filename);
		if (ev == HTTP_MP_NEED && used == 0) {
			if (have == size)
				break;
			have = have + step < size ? have + step : size;
		}
	}
	fuzz_sink += (unsigned long)http_parse_boundary(buf, boundary,
	    sizeof(boundary));
	free(buf);
	return (0);
}
