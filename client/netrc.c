/*
 * netrc.c: credentials from a .netrc file, read the way ftp(1) and curl
 * read it: "machine HOST login USER password PASS" entries, one
 * "default" entry for every other host, "account" ignored and "macdef"
 * macros skipped. Which file, when it is read and what wins over it is
 * decided by remote.c; this file finds one entry and checks that nobody
 * else can read a password.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "io.h"
#include "log.h"

/* A bigger file is not a netrc: refuse rather than read it all. */
#define NETRC_MAX	(1024 * 1024)
/* The longest name, login or password: more than AUTH can carry. */
#define NETRC_TOKEN	1024
#define ESC_MAX		1024

/* Where the tokenizer is in the file. */
struct netrc_lex {
	const char	*nl_p;
	const char	*nl_end;
	unsigned	 nl_line;	/* of the last token, for messages */
};

/* One entry while it is read. */
struct netrc_entry {
	int		 ne_kind;	/* 0 none, 'm' machine, 'd' default */
	int		 ne_match;	/* machine: its name is the host */
	char		*ne_login;
	char		*ne_password;
};

static int	 netrc_token(struct netrc_lex *, char *, size_t);
static void	 netrc_macdef(struct netrc_lex *);
static int	 netrc_parse(const char *file, const char *text, size_t len,
		    const char *host, const char *user, struct netrc *);
static int	 netrc_fits(const struct netrc_entry *, const char *user);
static void	 netrc_take(struct netrc_entry *, struct netrc *, int);
static void	 entry_clear(struct netrc_entry *);
static char	*netrc_strdup(const char *);
static void	 netrc_zfree(char *);

static char *
netrc_strdup(const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		err(WX_REFUSED, "strdup");
	return (d);
}

/* Free a string that may be a password. */
static void
netrc_zfree(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
entry_clear(struct netrc_entry *e)
{
	free(e->ne_login);
	netrc_zfree(e->ne_password);
	memset(e, 0, sizeof(*e));
}

void
netrc_free(struct netrc *n)
{
	free(n->n_login);
	netrc_zfree(n->n_password);
	n->n_login = n->n_password = NULL;
}

/*
 * The next token into tok (size toksz): a run of bytes without blanks,
 * or a "quoted string" in which \" \\ \n \r \t are escapes (as curl
 * reads them). A '#' that starts a token starts a comment to the end of
 * the line. Returns 1, 0 at the end of the text, or -1 when the token is
 * too long or its quote is not closed.
 */
static int
netrc_token(struct netrc_lex *lx, char *tok, size_t toksz)
{
	const char	*p = lx->nl_p;
	size_t		 len = 0;
	int		 c;

	for (;;) {
		while (p < lx->nl_end && strchr(" \t\r\n", *p) != NULL) {
			if (*p == '\n')
				lx->nl_line++;
			p++;
		}
		if (p < lx->nl_end && *p == '#') {
			while (p < lx->nl_end && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	if (p == lx->nl_end) {
		lx->nl_p = p;
		return (0);
	}
	if (*p == '"') {
		for (p++; p < lx->nl_end && *p != '"' && *p != '\n'; p++) {
			c = (unsigned char)*p;
			if (c == '\\' && p + 1 < lx->nl_end) {
				c = (unsigned char)*++p;
				c = c == 'n' ? '\n' : c == 'r' ? '\r' :
				    c == 't' ? '\t' : c;
			}
			if (len + 1 >= toksz)
				return (-1);
			tok[len++] = (char)c;
		}
		if (p == lx->nl_end || *p != '"')
			return (-1);
		p++;
	} else {
		for (; p < lx->nl_end && strchr(" \t\r\n", *p) == NULL; p++) {
			if (len + 1 >= toksz)
				return (-1);
			tok[len++] = *p;
		}
	}
	tok[len] = '\0';
	lx->nl_p = p;
	return (1);
}

/* After "macdef NAME": the macro's lines, up to an empty line, as ftp. */
static void
netrc_macdef(struct netrc_lex *lx)
{
	const char	*p = lx->nl_p, *nl;

	while ((nl = memchr(p, '\n', (size_t)(lx->nl_end - p))) != NULL) {
		lx->nl_line++;
		p = nl + 1;
		if (p < lx->nl_end && (*p == '\n' || (*p == '\r' &&
		    p + 1 < lx->nl_end && p[1] == '\n')))
			break;
	}
	lx->nl_p = nl != NULL ? p : lx->nl_end;
}

/* Whether an entry serves user (NULL: any): its login is user, or it
 * has none, as ftp has it. */
static int
netrc_fits(const struct netrc_entry *e, const char *user)
{
	return (user == NULL || e->ne_login == NULL ||
	    strcmp(e->ne_login, user) == 0);
}

static void
netrc_take(struct netrc_entry *e, struct netrc *n, int is_default)
{
	netrc_free(n);
	n->n_login = e->ne_login;
	n->n_password = e->ne_password;
	n->n_default = is_default;
	e->ne_login = e->ne_password = NULL;
}

/*
 * Find host's entry in text: the first "machine" entry whose name is host
 * (compared without case) and that fits user, else the first "default"
 * entry that fits. Returns 1 with *n filled, 0 when none fits, -1 on a
 * malformed file (message printed).
 */
static int
netrc_parse(const char *file, const char *text, size_t len,
    const char *host, const char *user, struct netrc *n)
{
	struct netrc_lex	 lx;
	struct netrc_entry	 e;
	char			 tok[NETRC_TOKEN], esc[ESC_MAX];
	char			**field;
	int			 r, have_default = 0, found = 0;

	memset(&e, 0, sizeof(e));
	lx.nl_p = text;
	lx.nl_end = text + len;
	lx.nl_line = 1;
	for (;;) {
		r = netrc_token(&lx, tok, sizeof(tok));
		if (r == -1)
			goto bad;
		/* An entry ends where the next one starts, or at the end. */
		if (r == 0 || strcmp(tok, "machine") == 0 ||
		    strcmp(tok, "default") == 0) {
			if (e.ne_kind == 'm' && e.ne_match &&
			    netrc_fits(&e, user)) {
				netrc_take(&e, n, 0);
				found = 1;
				break;
			}
			if (e.ne_kind == 'd' && !have_default &&
			    netrc_fits(&e, user)) {
				netrc_take(&e, n, 1);
				have_default = 1;
			}
			entry_clear(&e);
			if (r == 0)
				break;
			e.ne_kind = tok[0];
			if (e.ne_kind == 'm') {
				if (netrc_token(&lx, tok, sizeof(tok)) != 1)
					goto bad;
				e.ne_match = strcasecmp(tok, host) == 0;
			}
			continue;
		}
		if (strcmp(tok, "macdef") == 0) {
			if (netrc_token(&lx, tok, sizeof(tok)) != 1)
				goto bad;
			netrc_macdef(&lx);
			continue;
		}
		field = strcmp(tok, "login") == 0 ? &e.ne_login :
		    strcmp(tok, "password") == 0 ? &e.ne_password : NULL;
		if (field == NULL && strcmp(tok, "account") != 0) {
			warnx("%s: line %u: unknown keyword %s (ignored)",
			    file, lx.nl_line, log_escape(esc, sizeof(esc),
			    tok, strlen(tok)));
			continue;
		}
		if (e.ne_kind == 0 || netrc_token(&lx, tok, sizeof(tok)) != 1)
			goto bad;
		if (field != NULL) {
			netrc_zfree(*field);
			*field = netrc_strdup(tok);
		}
	}
	entry_clear(&e);
	explicit_bzero(tok, sizeof(tok));
	return (found || have_default);
bad:
	entry_clear(&e);
	explicit_bzero(tok, sizeof(tok));
	netrc_free(n);
	warnx("%s: line %u: not a netrc file (expected machine NAME "
	    "login USER password PASSWORD, or a quote is not closed)",
	    file, lx.nl_line);
	return (-1);
}

int
netrc_path(const char *given, char *path, size_t pathsz)
{
	const char	*home, *env;
	struct passwd	*pw;

	if (given != NULL)
		return (snprintf(path, pathsz, "%s", given) >= (int)pathsz ?
		    -1 : 0);
	if ((env = getenv("NETRC")) != NULL && *env != '\0')
		return (snprintf(path, pathsz, "%s", env) >= (int)pathsz ?
		    -1 : 0);
	if ((home = getenv("HOME")) == NULL || *home == '\0') {
		if ((pw = getpwuid(getuid())) == NULL)
			return (-1);
		home = pw->pw_dir;
	}
	return (snprintf(path, pathsz, "%s/.netrc", home) >= (int)pathsz ?
	    -1 : 0);
}

int
netrc_lookup(const char *path, const char *host, const char *user,
    int required, struct netrc *n)
{
	struct stat	 st;
	char		*text, esc[ESC_MAX], uesc[ESC_MAX], hesc[ESC_MAX];
	ssize_t		 r = 0;
	size_t		 len = 0;
	int		 fd, found;

	memset(n, 0, sizeof(*n));
	log_escape(esc, sizeof(esc), path, strlen(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT && !required)
			return (WX_OK);
		warn("%s", esc);
		return (WX_USAGE);
	}
	if (fstat(fd, &st) == -1) {
		warn("%s", esc);
		close(fd);
		return (WX_USAGE);
	}
	if (S_ISREG(st.st_mode) && st.st_size > NETRC_MAX) {
		warnx("%s: larger than %d bytes: not a netrc file", esc,
		    NETRC_MAX);
		close(fd);
		return (WX_USAGE);
	}
	if ((text = malloc(NETRC_MAX)) == NULL)
		err(WX_REFUSED, "malloc");
	while (len < NETRC_MAX && (r = io_read(fd, text + len,
	    NETRC_MAX - len)) > 0)
		len += (size_t)r;
	if (len == NETRC_MAX || r == -1) {
		if (r == -1)
			warn("%s", esc);
		else
			warnx("%s: larger than %d bytes: not a netrc file",
			    esc, NETRC_MAX);
		close(fd);
		free(text);
		return (WX_USAGE);
	}
	close(fd);
	found = netrc_parse(esc, text, len, host, user, n);
	log_escape(hesc, sizeof(hesc), host, strlen(host));
	explicit_bzero(text, len);
	free(text);
	if (found == -1)
		return (WX_USAGE);
	if (found == 0) {
		if (!required)
			return (WX_OK);
		if (user != NULL)
			warnx("%s: no entry for host %s and login %s", esc,
			    hesc, log_escape(uesc, sizeof(uesc), user,
			    strlen(user)));
		else
			warnx("%s: no entry for host %s", esc, hesc);
		return (WX_USAGE);
	}
	/* As ftp: a password others can read is not used at all. */
	if (n->n_password != NULL && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		warnx("%s: holds a password but others can read it: run "
		    "chmod 600 %s", esc, esc);
		netrc_free(n);
		return (WX_USAGE);
	}
	return (WX_OK);
}
