/*
 * fuzz_client_reply.c: libFuzzer target for what the client parses from
 * a server (client/reply.c): LIST and STAT entries, KEY=VALUE options and
 * CRC-32 fields, as they arrive after the reply line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "wp.h"

/* Results land here so the compiler cannot drop the parsers. */
volatile unsigned long	 fuzz_sink;

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*keys[] = { "size", "offset", "crc32",
				    "compress", "" };
	struct entries		 es = { NULL, 0, 0 };
	struct entry		 e;
	char			 line[WP_LINE_MAX + 1], val[64];
	unsigned long		 crc;
	size_t			 n, i;

	n = size < WP_LINE_MAX ? size : WP_LINE_MAX;
	memcpy(line, data, n);
	line[n] = '\0';
	if (remote_entry(line, &e) == 0) {
		fuzz_sink += e.e_type + e.e_size + (unsigned long)e.e_mtime +
		    strlen(e.e_name) + (unsigned long)entry_name_ok(e.e_name);
		entries_add(&es, &e);
		entries_sort(&es);
	}
	entries_free(&es);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (reply_option(line, keys[i], val, 1 + i * 4) == 0) {
			fuzz_sink += strlen(val);
			if (parse_crc(val, &crc) == 0)
				fuzz_sink += crc;
		}
	}
	if (parse_crc(line, &crc) == 0)
		fuzz_sink += crc;
	return (0);
}
