/*
 * remote.c: wharf's session with a server: connecting, the greeting and
 * AUTH, who logs in with which password (given, from the .netrc, or
 * asked for), and LIST, STAT, DELETE, MKDIR, RENAME and
 * PART as C functions with parsed results. Also the client's idea of
 * remote paths: the working directory, joining, globbing, and the
 * messages that turn refusals into something a person can act on.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client.h"
#include "io.h"
#include "log.h"
#include "wp.h"

#define ESC_MAX		1024	/* escaped names in messages */

static void	 pass_free(char **);
static int	 remote_creds(struct session *);
static int	 remote_password(struct session *);
static int	 remote_auth(struct session *);
static int	 glob_step(struct session *, struct entries *,
		    const char *comp, int last);
static void	 glob_unescape(char *);
static int	 glob_stat(struct session *, const char *, struct entry *);
static const char *esc_path(char *, size_t, const char *);

/* The path escaped for a terminal, "/" for the root. */
static const char *
esc_path(char *dst, size_t dstsz, const char *path)
{
	if (*path == '\0')
		return ("/");
	return (log_escape(dst, dstsz, path, strlen(path)));
}

int
wx_worst(int a, int b)
{
	return (a > b ? a : b);
}

void
remote_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->s_conn.wc_fd = -1;
	s->s_timeout = 60;
	s->s_netrc = NETRC_OPTIONAL;
	snprintf(s->s_host, sizeof(s->s_host), "localhost");
	snprintf(s->s_port, sizeof(s->s_port), "2121");
}

/* Wipe and free a password. */
static void
pass_free(char **pass)
{
	if (*pass != NULL) {
		explicit_bzero(*pass, strlen(*pass));
		free(*pass);
		*pass = NULL;
	}
}

void
remote_forget(struct session *s)
{
	pass_free(&s->s_pass);
	pass_free(&s->s_netrc_pass);
}

/*
 * Decide, before connecting, who logs in to s_host and with which
 * password. What was named or given wins; the netrc supplies only what
 * is missing: a login when no user was named, a password when none was
 * given. The netrc is not read when nothing is missing.
 */
static int
remote_creds(struct session *s)
{
	struct netrc	 n;
	char		 path[4096];
	int		 rv;

	pass_free(&s->s_netrc_pass);
	s->s_pass_netrc = s->s_login_netrc = 0;
	s->s_netrc_path[0] = '\0';
	memcpy(s->s_login, s->s_user, sizeof(s->s_login));
	if (s->s_netrc == NETRC_IGNORE ||
	    (s->s_user[0] != '\0' && s->s_pass != NULL))
		return (WX_OK);
	if (netrc_path(s->s_netrc_file, path, sizeof(path)) == -1) {
		if (s->s_netrc == NETRC_OPTIONAL)
			return (WX_OK);
		warnx("no netrc file: set HOME or NETRC, or use --netrc-file");
		return (WX_USAGE);
	}
	if ((rv = netrc_lookup(path, s->s_host, s->s_user[0] != '\0' ?
	    s->s_user : NULL, s->s_netrc == NETRC_REQUIRED, &n)) != WX_OK)
		return (rv);
	log_escape(s->s_netrc_path, sizeof(s->s_netrc_path), path,
	    strlen(path));
	if (s->s_user[0] == '\0' && n.n_login != NULL) {
		if (snprintf(s->s_login, sizeof(s->s_login), "%s",
		    n.n_login) >= (int)sizeof(s->s_login)) {
			warnx("%s: login too long", s->s_netrc_path);
			netrc_free(&n);
			s->s_login[0] = '\0';
			return (WX_USAGE);
		}
		s->s_login_netrc = 1;
	}
	if (s->s_login[0] != '\0' && s->s_pass == NULL &&
	    n.n_password != NULL) {
		s->s_netrc_pass = n.n_password;
		n.n_password = NULL;
		s->s_pass_netrc = 1;
	}
	netrc_free(&n);
	return (WX_OK);
}

/*
 * Ask for the password on the terminal, without echo. The terminal, not
 * stdin: stdin may carry a script or the data of "put -". It is kept for
 * the next connection: in s_pass for a user that was named, in
 * s_netrc_pass (for this host only) for a login from the netrc.
 */
static int
remote_password(struct session *s)
{
	struct termios	 t, saved;
	char		 line[1024], prompt[600], esc[256];
	char		*pass;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, echo_off = 0;

	if (s->s_pass != NULL || s->s_netrc_pass != NULL)
		return (WX_OK);
	log_escape(esc, sizeof(esc), s->s_login, strlen(s->s_login));
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) == -1) {
		warnx("user %s needs a password: set WHARF_PASSWORD, use "
		    "--password-stdin or put it in a netrc file (no terminal "
		    "to ask on)", esc);
		return (WX_USAGE);
	}
	snprintf(prompt, sizeof(prompt), "Password for %s@%s: ", esc,
	    s->s_host);
	(void)io_write_full(fd, prompt, strlen(prompt));
	if (tcgetattr(fd, &t) == 0) {
		saved = t;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		echo_off = tcsetattr(fd, TCSAFLUSH, &t) == 0;
	}
	while (len < sizeof(line) - 1) {
		n = io_read(fd, line + len, 1);
		if (n <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	if (echo_off)
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
	(void)io_write_full(fd, "\n", 1);
	close(fd);
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if ((pass = strdup(line)) == NULL)
		err(WX_REFUSED, "strdup");
	explicit_bzero(line, sizeof(line));
	if (s->s_login_netrc)
		s->s_netrc_pass = pass;
	else
		s->s_pass = pass;
	return (WX_OK);
}

static int
remote_auth(struct session *s)
{
	struct wp_reply	 wr;
	const char	*pw;
	char		 user[800], pass[3200], esc[256];
	int		 rv;

	if ((rv = remote_password(s)) != WX_OK)
		return (rv);
	pw = s->s_pass != NULL ? s->s_pass : s->s_netrc_pass;
	log_escape(esc, sizeof(esc), s->s_login, strlen(s->s_login));
	if (wp_encode(user, sizeof(user), s->s_login, strlen(s->s_login)) ==
	    -1 || wp_encode(pass, sizeof(pass), pw, strlen(pw)) == -1) {
		warnx("user %s: name or password too long", esc);
		return (WX_USAGE);
	}
	rv = remote_request(s, &wr, "AUTH %s %s", user, pass);
	explicit_bzero(pass, sizeof(pass));
	if (rv != WX_OK)
		return (rv);
	if (wr.wr_code == 230)
		return (WX_OK);
	if (wr.wr_code == 530 && (s->s_pass_netrc || s->s_login_netrc))
		warnx("user %s: authentication failed (wrong user name or "
		    "password in %s)", esc, s->s_netrc_path);
	else if (wr.wr_code == 530)
		warnx("user %s: authentication failed (wrong user name or "
		    "password)", esc);
	else if (wr.wr_code == 502 && s->s_login_netrc) {
		/* A login nobody named, for a server without users. */
		s->s_login[0] = '\0';
		return (WX_OK);
	} else if (wr.wr_code == 502)
		warnx("%s port %s has no users (AUTH is not enabled): "
		    "connect without a user name", s->s_host, s->s_port);
	else
		return (remote_refused(s, "AUTH", &wr));
	return (WX_REFUSED);
}

int
remote_url(struct session *s, const char *url)
{
	const char	*p, *end, *at, *colon, *rb;
	char		 user[256], path[4096], e1[ESC_MAX];
	size_t		 n;

	log_escape(e1, sizeof(e1), url, strlen(url));
	if (strncmp(url, "wharf://", 8) != 0)
		goto bad;
	p = url + 8;
	if ((end = strchr(p, '/')) == NULL)
		end = p + strlen(p);
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL) {
		n = (size_t)(at - p);
		if (memchr(p, ':', n) != NULL) {
			warnx("%s: a password does not belong in a URL; use "
			    "WHARF_PASSWORD, --password-stdin or the prompt",
			    e1);
			return (-1);
		}
		if (n == 0 || n >= sizeof(user))
			goto bad;
		memcpy(user, p, n);
		user[n] = '\0';
		if (wp_decode(s->s_user, sizeof(s->s_user), user) == -1)
			goto bad;
		p = at + 1;
	}
	if (*p == '[') {
		if ((rb = memchr(p, ']', (size_t)(end - p))) == NULL)
			goto bad;
		n = (size_t)(rb - p - 1);
		p++;
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (!colon && rb + 1 != end)
			goto bad;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon ? colon : end) - p);
	}
	if (n == 0 || n >= sizeof(s->s_host))
		goto bad;
	memcpy(s->s_host, p, n);
	s->s_host[n] = '\0';
	if (colon != NULL) {
		n = (size_t)(end - colon - 1);
		if (n == 0 || n >= sizeof(s->s_port))
			goto bad;
		memcpy(s->s_port, colon + 1, n);
		s->s_port[n] = '\0';
	}
	if (wp_decode(path, sizeof(path), *end ? end : "/") == -1 ||
	    remote_join("", path, s->s_cwd, sizeof(s->s_cwd)) == -1)
		goto bad;
	return (0);
bad:
	warnx("%s: expected wharf://[USER@]HOST[:PORT][/PATH]", e1);
	return (-1);
}

int
remote_open(struct session *s)
{
	struct wp_reply	 wr;
	char		 errbuf[600];
	int64_t		 t0;
	int		 rv;

	if (s->s_connected)
		remote_close(s);
	if ((rv = remote_creds(s)) != WX_OK)
		return (rv);
	t0 = io_now_ms();
	if (net_connect(&s->s_conn, s->s_host, s->s_port, s->s_timeout,
	    errbuf, sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		net_close(&s->s_conn);
		return (WX_CONNECT);
	}
	if (net_reply(&s->s_conn, &wr) == -1) {
		warnx("%s port %s: no WHARF/1 greeting: %s%s", s->s_host,
		    s->s_port, net_strerror(errno), errno == ETIMEDOUT ? "" :
		    " (is that a wharfd port?)");
		net_close(&s->s_conn);
		return (WX_CONNECT);
	}
	s->s_greet_ms = io_now_ms() - t0;
	log_escape(s->s_greeting, sizeof(s->s_greeting), wr.wr_text,
	    strlen(wr.wr_text));
	if (wr.wr_code != WP_GREETING) {
		warnx("%s port %s: server not ready: %d %s", s->s_host,
		    s->s_port, wr.wr_code, s->s_greeting);
		net_close(&s->s_conn);
		return (wr.wr_code >= 400 && wr.wr_code < 500 ? WX_REFUSED :
		    WX_CONNECT);
	}
	s->s_connected = 1;
	if (s->s_login[0] != '\0' && (rv = remote_auth(s)) != WX_OK) {
		remote_close(s);
		return (rv);
	}
	return (WX_OK);
}

void
remote_close(struct session *s)
{
	struct wp_reply	 wr;

	if (s->s_connected && net_command(&s->s_conn, "QUIT") == 0)
		(void)net_reply(&s->s_conn, &wr);
	s->s_connected = 0;
	net_close(&s->s_conn);
}

void
remote_lost(struct session *s, const char *why)
{
	if (s->s_connected)
		warnx("connection to %s port %s lost: %s", s->s_host,
		    s->s_port, why);
	s->s_connected = 0;
	net_close(&s->s_conn);
}

int
remote_need(struct session *s)
{
	if (s->s_connected)
		return (WX_OK);
	warnx("not connected (use open HOST [PORT])");
	return (WX_CONNECT);
}

int
remote_request(struct session *s, struct wp_reply *wr, const char *fmt, ...)
{
	char	 line[WP_LINE_MAX];
	va_list	 ap;
	int	 n;

	if (remote_need(s) != WX_OK)
		return (WX_CONNECT);
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		warnx("command too long for one WHARF/1 line (%d bytes)",
		    WP_LINE_MAX);
		return (WX_USAGE);
	}
	if (net_command(&s->s_conn, "%s", line) == -1 ||
	    net_reply(&s->s_conn, wr) == -1) {
		remote_lost(s, net_strerror(errno));
		return (WX_CONNECT);
	}
	if (wr->wr_code == WP_CLOSING)
		return (remote_refused(s, "", wr));
	return (WX_OK);
}

int
remote_refused(struct session *s, const char *path, const struct wp_reply *wr)
{
	char		 pesc[ESC_MAX], text[ESC_MAX];
	const char	*t = text, *p;
	size_t		 plen;

	p = esc_path(pesc, sizeof(pesc), path);
	log_escape(text, sizeof(text), wr->wr_text, strlen(wr->wr_text));
	/* The server's texts often start with the path: say it once. */
	plen = strlen(p);
	if (strncmp(t, p, plen) == 0 && strncmp(t + plen, ": ", 2) == 0)
		t += plen + 2;
	switch (wr->wr_code) {
	case WP_CLOSING:
		warnx("%s port %s closed the connection: %s", s->s_host,
		    s->s_port, t);
		s->s_connected = 0;
		net_close(&s->s_conn);
		return (WX_CONNECT);
	case 550:
		warnx("%s: not found on the server", p);
		break;
	case 452:
		warnx("%s: no space left on the server", p);
		break;
	case 530:
		warnx("%s: %s (log in with -u USER or WHARF_USER)", p, t);
		break;
	case 450:
	case 451:
		warnx("%s: %s (try again later)", p, t);
		break;
	case 555:
		warnx("%s: verification failed on the server: %s", p, t);
		return (WX_VERIFY);
	case 554:
		/* Anonymous and refused: say how to log in. */
		warnx("%s: %s%s", p, t, s->s_login[0] == '\0' &&
		    strstr(t, "log in") != NULL ? " (give -u USER)" : "");
		break;
	default:
		/* 552 too large, 553 exists, 551 wrong type, ... */
		warnx("%s: %s", p, t);
		break;
	}
	return (WX_REFUSED);
}

char *
remote_enc(char *dst, size_t dstsz, const char *path)
{
	char	 esc[ESC_MAX];

	if (*path == '\0')
		path = "/";
	if (wp_encode(dst, dstsz, path, strlen(path)) == -1) {
		warnx("%s: name too long for a WHARF/1 command line",
		    log_escape(esc, sizeof(esc), path, strlen(path)));
		return (NULL);
	}
	return (dst);
}

int
remote_join(const char *cwd, const char *arg, char *out, size_t outsz)
{
	const char	*parts[2], *p, *name;
	size_t		 used = 0, len, i;

	parts[0] = *arg == '/' ? "" : cwd;
	parts[1] = arg;
	if (outsz == 0)
		return (-1);
	out[0] = '\0';
	for (i = 0; i < 2; i++) {
		for (p = parts[i]; ; ) {
			while (*p == '/')
				p++;
			if (*p == '\0')
				break;
			name = p;
			len = strcspn(p, "/");
			p += len;
			if (len == 1 && name[0] == '.')
				continue;
			if (len == 2 && name[0] == '.' && name[1] == '.') {
				char *slash = strrchr(out, '/');
				const char *last = slash ? slash + 1 : out;

				/* Pop a real name; keep a leading "..". */
				if (used > 0 && strcmp(last, "..") != 0) {
					used = slash ?
					    (size_t)(slash - out) : 0;
					out[used] = '\0';
					continue;
				}
			}
			if ((used > 0 ? used + 1 : 0) + len >= outsz)
				return (-1);
			if (used > 0)
				out[used++] = '/';
			memcpy(out + used, name, len);
			used += len;
			out[used] = '\0';
		}
	}
	return (0);
}

const char *
remote_base(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return (slash != NULL ? slash + 1 : path);
}

int
remote_has_glob(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '*' || *s == '?' || *s == '[')
			return (1);
	}
	return (0);
}

/* Remove fnmatch-style backslash escapes in place. */
static void
glob_unescape(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		*o++ = *s;
	}
	*o = '\0';
}

int
remote_list(struct session *s, const char *path, struct entries *es)
{
	struct wp_reply	 wr;
	struct entry	 e;
	char		 enc[WP_LINE_MAX], esc[ESC_MAX], *line;
	int		 rv, bad = 0;

	if (*path == '\0')
		rv = remote_request(s, &wr, "LIST");
	else if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (WX_USAGE);
	else
		rv = remote_request(s, &wr, "LIST %s", enc);
	if (rv != WX_OK)
		return (rv);
	if (wr.wr_code != WP_DATA)
		return (remote_refused(s, path, &wr));
	for (;;) {
		if (net_line(&s->s_conn) == -1) {
			remote_lost(s, net_strerror(errno));
			return (WX_CONNECT);
		}
		line = s->s_conn.wc_line;
		if (*line >= '0' && *line <= '9') {
			if (wp_parse_reply(line, &wr) == -1) {
				remote_lost(s, net_strerror(EPROTO));
				return (WX_CONNECT);
			}
			if (wr.wr_code == WP_OK)
				break;
			return (remote_refused(s, path, &wr));
		}
		if (remote_entry(line, &e) == -1) {
			remote_lost(s, net_strerror(EPROTO));
			return (WX_CONNECT);
		}
		/* A listing names entries of one directory: no '/', no "..". */
		if (!entry_name_ok(e.e_name)) {
			char	 eline[ESC_MAX];

			if (!bad++)
				warnx("%s: the server listed a name that "
				    "cannot be a file name (%s); skipped",
				    esc_path(esc, sizeof(esc), path),
				    log_escape(eline, sizeof(eline), line,
				    strlen(line)));
			entry_free(&e);
			continue;
		}
		entries_add(es, &e);
	}
	return (WX_OK);
}

int
remote_stat(struct session *s, const char *path, struct entry *e)
{
	struct wp_reply	 wr;
	char		 enc[WP_LINE_MAX];
	int		 rv;

	if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "STAT %s", enc)) != WX_OK)
		return (rv);
	if (wr.wr_code != WP_OK)
		return (remote_refused(s, path, &wr));
	if (remote_entry(wr.wr_text, e) == -1) {
		remote_lost(s, net_strerror(EPROTO));
		return (WX_CONNECT);
	}
	return (WX_OK);
}

/*
 * One component of a glob: every path in es that is a directory is
 * replaced by its entries matching comp (or by the name comp itself when
 * comp has no wildcard). Only directories survive a non-last step.
 */
static int
glob_step(struct session *s, struct entries *es, const char *comp, int last)
{
	struct entries	 out = { NULL, 0, 0 }, dir;
	struct entry	 e;
	char		 path[4096], lit[4096];
	size_t		 i, j;
	int		 rv = WX_OK, n;

	for (i = 0; i < es->es_n; i++) {
		const char *base = es->es_v[i].e_name;

		if (es->es_v[i].e_type != 'd')
			continue;
		if (!remote_has_glob(comp)) {
			snprintf(lit, sizeof(lit), "%s", comp);
			glob_unescape(lit);
			n = snprintf(path, sizeof(path), "%s%s%s", base,
			    *base ? "/" : "", lit);
			if (n < 0 || (size_t)n >= sizeof(path))
				continue;
			memset(&e, 0, sizeof(e));
			/* Type unknown until the next step or a STAT. */
			e.e_type = last ? '?' : 'd';
			if ((e.e_name = strdup(path)) == NULL)
				err(WX_REFUSED, "strdup");
			entries_add(&out, &e);
			continue;
		}
		memset(&dir, 0, sizeof(dir));
		if ((rv = remote_list(s, base, &dir)) != WX_OK) {
			entries_free(&dir);
			if (rv == WX_CONNECT)
				break;
			continue;
		}
		for (j = 0; j < dir.es_n; j++) {
			e = dir.es_v[j];
			if (fnmatch(comp, e.e_name, FNM_PERIOD) != 0 ||
			    (!last && e.e_type != 'd'))
				continue;
			n = snprintf(path, sizeof(path), "%s%s%s", base,
			    *base ? "/" : "", e.e_name);
			if (n < 0 || (size_t)n >= sizeof(path))
				continue;
			if ((e.e_name = strdup(path)) == NULL)
				err(WX_REFUSED, "strdup");
			entries_add(&out, &e);
		}
		entries_free(&dir);
	}
	entries_free(es);
	entries_sort(&out);
	*es = out;
	return (rv);
}

/* STAT without a message when the name is not there. */
static int
glob_stat(struct session *s, const char *path, struct entry *e)
{
	struct wp_reply	 wr;
	char		 enc[WP_LINE_MAX];
	int		 rv;

	if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "STAT %s", enc)) != WX_OK)
		return (rv);
	if (wr.wr_code != WP_OK)
		return (WX_REFUSED);
	if (remote_entry(wr.wr_text, e) == -1) {
		remote_lost(s, net_strerror(EPROTO));
		return (WX_CONNECT);
	}
	return (WX_OK);
}

int
remote_glob(struct session *s, const char *pattern, struct entries *out)
{
	struct entries	 es = { NULL, 0, 0 };
	struct entry	 root;
	char		*copy, *comp, *next, esc[ESC_MAX];
	size_t		 i;
	int		 rv = WX_OK;

	if ((copy = strdup(pattern)) == NULL)
		err(WX_REFUSED, "strdup");
	memset(&root, 0, sizeof(root));
	root.e_type = 'd';
	if ((root.e_name = strdup("")) == NULL)
		err(WX_REFUSED, "strdup");
	entries_add(&es, &root);
	for (comp = copy; comp != NULL && es.es_n > 0; comp = next) {
		if ((next = strchr(comp, '/')) != NULL)
			*next++ = '\0';
		if (*comp == '\0')
			continue;
		if ((rv = glob_step(s, &es, comp, next == NULL)) == WX_CONNECT)
			break;
	}
	free(copy);
	if (rv == WX_CONNECT) {
		entries_free(&es);
		return (rv);
	}
	/* Literal last components: learn what they are. */
	for (i = 0; i < es.es_n; i++) {
		struct entry	 st;

		if (es.es_v[i].e_type != '?')
			continue;
		if ((rv = glob_stat(s, es.es_v[i].e_name, &st)) != WX_OK) {
			if (rv == WX_CONNECT) {
				entries_free(&es);
				return (rv);
			}
			es.es_v[i].e_type = 'x';
			continue;
		}
		es.es_v[i].e_type = st.e_type;
		es.es_v[i].e_size = st.e_size;
		es.es_v[i].e_mtime = st.e_mtime;
		entry_free(&st);
	}
	for (i = 0; i < es.es_n; i++)
		if (es.es_v[i].e_type != 'x')
			entries_add(out, &es.es_v[i]);
		else
			entry_free(&es.es_v[i]);
	free(es.es_v);
	if (out->es_n == 0) {
		warnx("%s: no match on the server",
		    log_escape(esc, sizeof(esc), pattern, strlen(pattern)));
		return (WX_REFUSED);
	}
	return (WX_OK);
}

int
remote_delete(struct session *s, const char *path)
{
	struct wp_reply	 wr;
	char		 enc[WP_LINE_MAX];
	int		 rv;

	if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "DELETE %s", enc)) != WX_OK)
		return (rv);
	if (wr.wr_code != WP_OK)
		return (remote_refused(s, path, &wr));
	return (WX_OK);
}

int
remote_mkdir(struct session *s, const char *path, int tolerate_exists)
{
	struct wp_reply	 wr;
	char		 enc[WP_LINE_MAX];
	int		 rv;

	if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "MKDIR %s", enc)) != WX_OK)
		return (rv);
	if (wr.wr_code == WP_OK || (wr.wr_code == 553 && tolerate_exists))
		return (WX_OK);
	return (remote_refused(s, path, &wr));
}

int
remote_rename(struct session *s, const char *from, const char *to)
{
	struct wp_reply	 wr;
	char		 efrom[WP_LINE_MAX / 2], eto[WP_LINE_MAX / 2];
	int		 rv;

	if (remote_enc(efrom, sizeof(efrom), from) == NULL ||
	    remote_enc(eto, sizeof(eto), to) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "RENAME %s %s", efrom, eto)) !=
	    WX_OK)
		return (rv);
	if (wr.wr_code != WP_OK)
		return (remote_refused(s, wr.wr_code == 553 ? to : from, &wr));
	return (WX_OK);
}

int
remote_part(struct session *s, const char *path, unsigned long long *offset,
    unsigned long *crc)
{
	struct wp_reply	 wr;
	char		 enc[WP_LINE_MAX], val[32];
	int		 rv;

	if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "PART %s", enc)) != WX_OK)
		return (rv);
	if (wr.wr_code != WP_OK)
		return (remote_refused(s, path, &wr));
	if (reply_option(wr.wr_text, "offset", val, sizeof(val)) == -1 ||
	    wp_number(val, offset) == -1 ||
	    reply_option(wr.wr_text, "crc32", val, sizeof(val)) == -1 ||
	    parse_crc(val, crc) == -1) {
		remote_lost(s, net_strerror(EPROTO));
		return (WX_CONNECT);
	}
	return (WX_OK);
}
