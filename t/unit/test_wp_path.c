/*
 * test_wp_path.c: table-driven tests for WHARF/1 argument encoding,
 * options, numbers and chunk headers (protocol/wp_path.c).
 */
#include <string.h>

#include "tap.h"
#include "wp.h"

struct enc_case {
	const char	*raw;
	size_t		 rawlen;
	const char	*enc;
};

static const struct enc_case	 enc_cases[] = {
	{ "plain.txt",		9,  "plain.txt" },
	{ "a b",		3,  "a%20b" },
	{ "tab\there",		8,  "tab%09here" },
	{ "new\nline",		8,  "new%0Aline" },
	{ "cr\rlf\n",		6,  "cr%0Dlf%0A" },
	{ "100%",		4,  "100%25" },
	{ "-leading",		8,  "-leading" },
	{ "dir/sub/file",	12, "dir/sub/file" },
	{ "caf\xc3\xa9",	5,  "caf%C3%A9" },
	{ "\xff\xfe",		2,  "%FF%FE" },
	{ "q?h#s\"<>",		8,  "q%3Fh%23s%22%3C%3E" },
	{ "~._-!$&'()*+,;=:@",	17, "~._-!$&'()*+,;=:@" },
	{ "",			0,  "" },
	{ "\x1b[2J",		4,  "%1B%5B2J" },
};

struct dec_case {
	const char	*enc;
	long		 len;	/* -1: rejected */
	const char	*raw;
};

static const struct dec_case	 dec_cases[] = {
	{ "a%20b",	3,  "a b" },
	{ "a%2fb",	3,  "a/b" },	/* lower-case hex accepted */
	{ "%41",	1,  "A" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },	/* raw UTF-8 accepted */
	{ "x[1]",	4,  "x[1]" },	/* raw printable accepted */
	{ "%",		-1, NULL },
	{ "%4",		-1, NULL },
	{ "%4g",	-1, NULL },
	{ "%00",	-1, NULL },	/* NUL never */
	{ "a%",		-1, NULL },
	{ "a b",	-1, NULL },	/* raw space */
	{ "a\tb",	-1, NULL },	/* raw control */
	{ "%%",		-1, NULL },
	{ "",		0,  "" },
};

struct chunk_case {
	const char	*in;
	long		 rv;
	size_t		 size;
};

static const struct chunk_case	 chunk_cases[] = {
	{ "0\r\n",		3,  0 },
	{ "10\r\nabc",		4,  10 },
	{ "1048576\r\n",	9,  1048576 },
	{ "1048577\r\n",	-1, 0 },	/* over WP_CHUNK_MAX */
	{ "99999999999999999999\r\n", -1, 0 },
	{ "12",			0,  0 },	/* incomplete */
	{ "12\r",		0,  0 },
	{ "",			0,  0 },
	{ "\r\n",		-1, 0 },
	{ "x\r\n",		-1, 0 },
	{ "12\n",		-1, 0 },	/* CRLF required */
	{ "12 \r\n",		-1, 0 },
	{ "-1\r\n",		-1, 0 },
	{ "12\rx",		-1, 0 },
};

struct num_case {
	const char		*in;
	int			 rv;
	unsigned long long	 n;
};

static const struct num_case	 num_cases[] = {
	{ "0",				0,  0 },
	{ "123",			0,  123 },
	{ "18446744073709551615",	0,  18446744073709551615ULL },
	{ "18446744073709551616",	-1, 0 },
	{ "",				-1, 0 },
	{ "-1",				-1, 0 },
	{ "+1",				-1, 0 },
	{ "1k",				-1, 0 },
	{ " 1",				-1, 0 },
	{ "000000000000000000001",	-1, 0 },	/* over 20 digits */
};

int
main(void)
{
	struct wp_command	 wc;
	char			 buf[256], line[256];
	unsigned long long	 n;
	size_t			 i, size;
	long			 len;

	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *ec = &enc_cases[i];

		len = wp_encode(buf, sizeof(buf), ec->raw, ec->rawlen);
		ok(len == (long)strlen(ec->enc) && strcmp(buf, ec->enc) == 0,
		    "encode #%zu -> %s", i, ec->enc);
		len = wp_decode(line, sizeof(line), buf);
		ok(len == (long)ec->rawlen &&
		    memcmp(line, ec->raw, ec->rawlen) == 0,
		    "encode #%zu round-trips", i);
	}
	ok(wp_encode(buf, 4, "abcd", 4) == -1, "encode: no room for NUL");
	ok(wp_encode(buf, 5, "abcd", 4) == 4, "encode: exact fit");
	ok(wp_encode(buf, 5, "ab c", 4) == -1, "encode: escape does not fit");
	for (i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *dc = &dec_cases[i];

		len = wp_decode(buf, sizeof(buf), dc->enc);
		if (dc->len == -1)
			ok(len == -1, "decode #%zu rejected", i);
		else
			ok(len == dc->len && memcmp(buf, dc->raw,
			    (size_t)len) == 0, "decode #%zu", i);
	}
	ok(wp_decode(buf, 3, "abc") == -1, "decode: no room for NUL");
	ok(wp_decode(buf, 4, "abc") == 3, "decode: exact fit");

	for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
		const struct chunk_case *cc = &chunk_cases[i];

		size = 12345;
		len = wp_chunk_header(cc->in, strlen(cc->in), &size);
		ok(len == cc->rv && (len <= 0 || size == cc->size),
		    "chunk header #%zu -> %ld", i, cc->rv);
	}
	for (i = 0; i < sizeof(num_cases) / sizeof(num_cases[0]); i++) {
		const struct num_case *nc = &num_cases[i];

		n = 7;
		ok(wp_number(nc->in, &n) == nc->rv &&
		    (nc->rv != 0 || n == nc->n), "number #%zu \"%s\"", i,
		    nc->in);
	}

	snprintf(line, sizeof(line), "GET a%%20b offset=10 compress=zlib bare");
	ok(wp_parse_command(line, &wc) == 0, "options: command parses");
	ok(wp_option(&wc, 1, "offset") != NULL &&
	    strcmp(wp_option(&wc, 1, "offset"), "10") == 0, "option value");
	ok(wp_option(&wc, 1, "compress") != NULL &&
	    strcmp(wp_option(&wc, 1, "compress"), "zlib") == 0,
	    "second option value");
	ok(wp_option(&wc, 1, "bare") != NULL &&
	    strcmp(wp_option(&wc, 1, "bare"), "") == 0, "bare option");
	ok(wp_option(&wc, 1, "off") == NULL, "prefix of a key is not a key");
	ok(wp_option(&wc, 1, "size") == NULL, "absent option");
	ok(wp_option(&wc, 0, "a%20b") != NULL,
	    "first index includes the path when asked");
	return (tap_done());
}
