/*
 * wp_line.c: framing and parsing of WHARF/1 command and reply lines.
 * Pure functions over caller-owned memory: unit-tested and fuzzed.
 */
#include <ctype.h>
#include <string.h>

#include "wp.h"

long
wp_line_end(const char *p, size_t len, size_t *termlen)
{
	const char	*nl;
	size_t		 n;

	if ((nl = memchr(p, '\n', len)) == NULL)
		return (-1);
	n = (size_t)(nl - p);
	*termlen = 1;
	if (n > 0 && p[n - 1] == '\r') {
		n--;
		*termlen = 2;
	}
	return ((long)n);
}

int
wp_parse_command(char *line, struct wp_command *wc)
{
	size_t	 i;
	char	*p, *sp;

	memset(wc, 0, sizeof(*wc));
	for (p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return (WP_SYNTAX);
	for (i = 0; line[i] != '\0' && line[i] != ' '; i++) {
		if (i >= WP_VERB_MAX || !isalpha((unsigned char)line[i]))
			return (WP_SYNTAX);
		wc->wc_verb[i] = (char)toupper((unsigned char)line[i]);
	}
	if (i == 0)
		return (WP_SYNTAX);
	wc->wc_verb[i] = '\0';
	if (line[i] == '\0')
		return (0);
	p = line + i + 1;
	for (;;) {
		if (wc->wc_argc == WP_ARGS_MAX)
			return (WP_ARGS);
		sp = strchr(p, ' ');
		if (sp != NULL)
			*sp = '\0';
		if (*p == '\0')
			return (WP_ARGS);	/* doubled or trailing space */
		wc->wc_argv[wc->wc_argc++] = p;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	return (0);
}

int
wp_parse_reply(char *line, struct wp_reply *wr)
{
	int	 i;

	for (i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return (-1);
	if (line[0] < '1' || line[0] > '5')
		return (-1);
	if (line[3] != '\0' && line[3] != ' ')
		return (-1);
	wr->wr_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
	    (line[2] - '0');
	wr->wr_text = line[3] == '\0' ? line + 3 : line + 4;
	return (0);
}
