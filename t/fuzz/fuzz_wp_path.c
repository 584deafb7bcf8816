/*
 * fuzz_wp_path.c: libFuzzer target for percent-decoding and encoding,
 * numbers and chunk headers (protocol/wp_path.c). Every decoded string
 * must encode and decode back to itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wp.h"

volatile unsigned long	 fuzz_sink;

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 in[4097], dec[4097], enc[3 * 4096 + 1];
	char			 back[4097];
	unsigned long long	 num;
	size_t			 n, chunk = 0;
	long			 len, elen, blen;

	n = size < 4096 ? size : 4096;
	memcpy(in, data, n);
	in[n] = '\0';
	len = wp_decode(dec, sizeof(dec), in);
	if (len >= 0) {
		elen = wp_encode(enc, sizeof(enc), dec, (size_t)len);
		if (elen < 0)
			abort();
		blen = wp_decode(back, sizeof(back), enc);
		if (blen != len || memcmp(back, dec, (size_t)len) != 0)
			abort();
		fuzz_sink += (unsigned long)elen;
	}
	if (wp_number(in, &num) == 0)
		fuzz_sink += (unsigned long)num;
	fuzz_sink += (unsigned long)wp_chunk_header((const char *)data, size,
	    &chunk);
	fuzz_sink += chunk;
	return (0);
}
