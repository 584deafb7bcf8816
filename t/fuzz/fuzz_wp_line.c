/*
 * fuzz_wp_line.c: libFuzzer target for the WHARF/1 line parsers that read
 * client and server bytes: wp_line_end, wp_parse_command, wp_parse_reply.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wp.h"

/* Results land here so the compiler cannot drop the parsers. */
volatile unsigned long	 fuzz_sink;

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wp_command	 wc;
	struct wp_reply		 wr;
	char			 line[WP_LINE_MAX + 1];
	size_t			 term = 0, n;
	long			 len;
	int			 i;

	len = wp_line_end((const char *)data, size, &term);
	fuzz_sink += (unsigned long)len + term;
	n = size < WP_LINE_MAX ? size : WP_LINE_MAX;
	memcpy(line, data, n);
	line[n] = '\0';
	if (wp_parse_command(line, &wc) == 0) {
		fuzz_sink += (unsigned long)wc.wc_argc + strlen(wc.wc_verb);
		for (i = 0; i < wc.wc_argc; i++)
			fuzz_sink += strlen(wc.wc_argv[i]);
	}
	memcpy(line, data, n);
	line[n] = '\0';
	if (wp_parse_reply(line, &wr) == 0)
		fuzz_sink += (unsigned long)wr.wr_code + strlen(wr.wr_text);
	return (0);
}
