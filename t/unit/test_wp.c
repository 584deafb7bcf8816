/*
 * test_wp.c: table-driven tests for the WHARF/1 line parsers
 * (protocol/wp_line.c).
 */
#include <string.h>

#include "tap.h"
#include "wp.h"

struct line_case {
	const char	*in;
	long		 len;		/* -1: incomplete */
	size_t		 term;
};

static const struct line_case	 line_cases[] = {
	{ "QUIT\r\n",		4,  2 },
	{ "QUIT\n",		4,  1 },
	{ "QUIT",		-1, 0 },
	{ "\r\n",		0,  2 },
	{ "\n",			0,  1 },
	{ "A\rB\n",		3,  1 },	/* bare CR inside is data */
	{ "LIST a\r\nGET b\r\n", 6, 2 },	/* first line only */
	{ "",			-1, 0 },
};

struct cmd_case {
	const char	*in;
	int		 rv;
	const char	*verb;
	int		 argc;
	const char	*arg0;
	const char	*arg1;
};

static const struct cmd_case	 cmd_cases[] = {
	{ "QUIT",		0,		"QUIT",	0, NULL, NULL },
	{ "quit",		0,		"QUIT",	0, NULL, NULL },
	{ "QuIt",		0,		"QUIT",	0, NULL, NULL },
	{ "GET a.txt",		0,		"GET",	1, "a.txt", NULL },
	{ "GET a.txt 100",	0,		"GET",	2, "a.txt", "100" },
	{ "RENAME a%20b c",	0,		"RENAME", 2, "a%20b", "c" },
	{ "",			WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ " QUIT",		WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "QU1T",		WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "Q-UIT",		WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "ABCDEFGHIJKLMNOP",	0,		"ABCDEFGHIJKLMNOP", 0, NULL, NULL },
	{ "ABCDEFGHIJKLMNOPQ",	WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "GET  a",		WP_ARGS,	NULL,	0, NULL, NULL },
	{ "GET a ",		WP_ARGS,	NULL,	0, NULL, NULL },
	{ "GET ",		WP_ARGS,	NULL,	0, NULL, NULL },
	{ "GET a\tb",		WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "GET a\rb",		WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "GET a\x7f",		WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "GET \x1b[2J",	WP_SYNTAX,	NULL,	0, NULL, NULL },
	{ "GET caf\xc3\xa9",	0,		"GET",	1, "caf\xc3\xa9", NULL },
	{ "X 1 2 3 4 5 6 7 8",	0,		"X",	8, "1", "2" },
	{ "X 1 2 3 4 5 6 7 8 9", WP_ARGS,	NULL,	0, NULL, NULL },
};

struct reply_case {
	const char	*in;
	int		 rv;
	int		 code;
	const char	*text;
};

static const struct reply_case	 reply_cases[] = {
	{ "220 WHARF/1 wharfd 0.1.0 ready", 0, 220, "WHARF/1 wharfd 0.1.0 ready" },
	{ "221 bye",		0,  221, "bye" },
	{ "200",		0,  200, "" },
	{ "200 ",		0,  200, "" },
	{ "599 x",		0,  599, "x" },
	{ "100 x",		0,  100, "x" },
	{ "099 x",		-1, 0,   NULL },
	{ "600 x",		-1, 0,   NULL },
	{ "20 x",		-1, 0,   NULL },
	{ "2000 x",		-1, 0,   NULL },
	{ "abc x",		-1, 0,   NULL },
	{ "",			-1, 0,   NULL },
	{ "22",			-1, 0,   NULL },
	{ "220-x",		-1, 0,   NULL },
};

int
main(void)
{
	struct wp_command	 wc;
	struct wp_reply		 wr;
	char			 line[WP_LINE_MAX];
	size_t			 i, term;
	long			 len;
	int			 rv;

	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		term = 0;
		len = wp_line_end(line_cases[i].in, strlen(line_cases[i].in),
		    &term);
		ok(len == line_cases[i].len && (len < 0 ||
		    term == line_cases[i].term), "line end #%zu", i);
	}
	for (i = 0; i < sizeof(cmd_cases) / sizeof(cmd_cases[0]); i++) {
		const struct cmd_case *cc = &cmd_cases[i];

		snprintf(line, sizeof(line), "%s", cc->in);
		rv = wp_parse_command(line, &wc);
		if (cc->rv != 0) {
			ok(rv == cc->rv, "command #%zu rejected with %d "
			    "(got %d)", i, cc->rv, rv);
			continue;
		}
		ok(rv == 0 && strcmp(wc.wc_verb, cc->verb) == 0 &&
		    wc.wc_argc == cc->argc &&
		    (cc->arg0 == NULL || strcmp(wc.wc_argv[0], cc->arg0) == 0) &&
		    (cc->arg1 == NULL || strcmp(wc.wc_argv[1], cc->arg1) == 0),
		    "command #%zu parses as %s with %d arguments", i, cc->verb,
		    cc->argc);
	}
	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *rc = &reply_cases[i];

		snprintf(line, sizeof(line), "%s", rc->in);
		rv = wp_parse_reply(line, &wr);
		if (rc->rv != 0) {
			ok(rv == -1, "reply #%zu rejected", i);
			continue;
		}
		ok(rv == 0 && wr.wr_code == rc->code &&
		    strcmp(wr.wr_text, rc->text) == 0,
		    "reply #%zu is %d \"%s\"", i, rc->code, rc->text);
	}
	return (tap_done());
}
