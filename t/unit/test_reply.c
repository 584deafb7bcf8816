/*
 * test_reply.c: table-driven tests for what the client parses from a
 * server beyond the reply line (client/reply.c): LIST and STAT entries,
 * KEY=VALUE options, CRC-32 fields, names safe as local file names.
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "tap.h"

struct entry_case {
	const char		*line;
	int			 rv;
	char			 type;
	unsigned long long	 size;
	long long		 mtime;
	const char		*name;
};

static const struct entry_case	 entry_cases[] = {
	{ "f 6 1700000000 a.txt",	0, 'f', 6, 1700000000, "a.txt" },
	{ "d 0 1 sub",			0, 'd', 0, 1, "sub" },
	{ "l 7 2 link",			0, 'l', 7, 2, "link" },
	{ "o 0 3 fifo",			0, 'o', 0, 3, "fifo" },
	{ "f 1 2 with%20space",		0, 'f', 1, 2, "with space" },
	{ "f 1 2 nl%0Ain%0Dname",	0, 'f', 1, 2, "nl\nin\rname" },
	{ "f 1 2 %1B%5B2J",		0, 'f', 1, 2, "\x1b[2J" },
	{ "f 1 2 a b",			-1, 0, 0, 0, NULL },	/* raw space */
	{ "f 18446744073709551615 0 max", 0, 'f', 18446744073709551615ULL, 0,
	    "max" },
	{ "f 18446744073709551616 0 over", -1, 0, 0, 0, NULL },
	{ "f 1 2 ",			0, 'f', 1, 2, "" },	/* empty name */
	{ "x 1 2 a",			-1, 0, 0, 0, NULL },	/* bad type */
	{ "",				-1, 0, 0, 0, NULL },
	{ "f",				-1, 0, 0, 0, NULL },
	{ "f ",				-1, 0, 0, 0, NULL },
	{ "f 1",			-1, 0, 0, 0, NULL },
	{ "f 1 2",			-1, 0, 0, 0, NULL },
	{ "fx 1 2 a",			-1, 0, 0, 0, NULL },
	{ "f  1 2 a",			-1, 0, 0, 0, NULL },	/* empty size */
	{ "f -1 2 a",			-1, 0, 0, 0, NULL },
	{ "f 1 -2 a",			-1, 0, 0, 0, NULL },
	{ "f 0x10 2 a",			-1, 0, 0, 0, NULL },
	{ "f 1 2 bad%2",		-1, 0, 0, 0, NULL },	/* short escape */
	{ "f 1 2 bad%zz",		-1, 0, 0, 0, NULL },
	{ "f 1 2 nul%00",		-1, 0, 0, 0, NULL },	/* NUL in a name */
	/* a token of 32 characters or more is refused, not truncated */
	{ "f 123456789012345678901234567890123 2 a", -1, 0, 0, 0, NULL },
};

struct opt_case {
	const char	*text;
	const char	*key;
	size_t		 valsz;
	int		 rv;
	const char	*val;
};

static const struct opt_case	 opt_cases[] = {
	{ "size=10 crc32=0000abcd",	"size",	 32, 0, "10" },
	{ "size=10 crc32=0000abcd",	"crc32", 32, 0, "0000abcd" },
	{ "size=10  crc32=1",		"crc32", 32, 0, "1" },
	{ "  size=10",			"size",	 32, 0, "10" },
	{ "size=",			"size",	 32, 0, "" },	/* empty value */
	{ "size",			"size",	 32, -1, NULL },
	{ "sizes=1 size=2",		"size",	 32, 0, "2" },
	{ "xsize=1",			"size",	 32, -1, NULL },
	{ "",				"size",	 32, -1, NULL },
	{ "size=1234",			"size",	 5,  0, "1234" },	/* fits */
	{ "size=12345",			"size",	 5,  -1, NULL },	/* does not */
	{ "a=1 b=2 c=3",		"c",	 2,  0, "3" },
	{ "offset=5 compress=zlib",	"compress", 8, 0, "zlib" },
};

struct crc_case {
	const char	*s;
	int		 rv;
	unsigned long	 crc;
};

static const struct crc_case	 crc_cases[] = {
	{ "00000000",	0, 0 },
	{ "ffffffff",	0, 0xffffffffUL },
	{ "DEADbeef",	0, 0xdeadbeefUL },
	{ "1234567",	-1, 0 },
	{ "123456789",	-1, 0 },
	{ "1234567g",	-1, 0 },
	{ "+1234567",	-1, 0 },
	{ " 1234567",	-1, 0 },
	{ "",		-1, 0 },
};

struct name_case {
	const char	*name;
	int		 ok;
};

static const struct name_case	 name_cases[] = {
	{ "a.txt", 1 }, { ".hidden", 1 }, { "...", 1 }, { "a b", 1 },
	{ "", 0 }, { ".", 0 }, { "..", 0 }, { "a/b", 0 }, { "/", 0 },
	{ "../x", 0 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	struct entry	 e;
	char		 val[64];
	unsigned long	 crc;
	size_t		 i;
	int		 rv;

	for (i = 0; i < NELEM(entry_cases); i++) {
		const struct entry_case *c = &entry_cases[i];

		rv = remote_entry(c->line, &e);
		ok(rv == c->rv, "entry \"%s\": %d", c->line, rv);
		if (rv == 0 && c->rv == 0) {
			ok(e.e_type == c->type && e.e_size == c->size &&
			    e.e_mtime == c->mtime &&
			    strcmp(e.e_name, c->name) == 0,
			    "entry \"%s\": fields", c->line);
			entry_free(&e);
		}
	}
	for (i = 0; i < NELEM(opt_cases); i++) {
		const struct opt_case *c = &opt_cases[i];

		memset(val, 'x', sizeof(val));
		rv = reply_option(c->text, c->key, val, c->valsz);
		ok(rv == c->rv && (rv != 0 || strcmp(val, c->val) == 0),
		    "option %s in \"%s\" (%zu): %d", c->key, c->text,
		    c->valsz, rv);
	}
	for (i = 0; i < NELEM(crc_cases); i++) {
		const struct crc_case *c = &crc_cases[i];

		crc = 1;
		rv = parse_crc(c->s, &crc);
		ok(rv == c->rv && (rv != 0 || crc == c->crc), "crc \"%s\": %d",
		    c->s, rv);
	}
	for (i = 0; i < NELEM(name_cases); i++)
		ok(entry_name_ok(name_cases[i].name) == name_cases[i].ok,
		    "name \"%s\"", name_cases[i].name);
	return (tap_done());
}
