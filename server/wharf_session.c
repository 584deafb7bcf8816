/*
 * wharf_session.c: the WHARF/1 command loop: greeting, reading command
 * lines under the idle and line deadlines, access control, dispatch to the
 * command handlers, and the one place replies are rendered.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "access_log.h"
#include "child.h"
#include "config.h"
#include "conn.h"
#include "io.h"
#include "log.h"
#include "session.h"
#include "users.h"
#include "wharf.h"
#include "wharfd.h"
#include "wp.h"

struct wharf_cmd {
	const char	*wc_name;
	int		 wc_minargs;
	int		 wc_maxargs;
	int		 wc_anon;	/* allowed before AUTH when anon=none */
	int		(*wc_fn)(struct wsess *, struct wp_command *);
};

static int	 cmd_quit(struct wsess *, struct wp_command *);
static int	 cmd_noop(struct wsess *, struct wp_command *);
static int	 cmd_help(struct wsess *, struct wp_command *);
static int	 cmd_feat(struct wsess *, struct wp_command *);
static int	 cmd_auth(struct wsess *, struct wp_command *);
static void	 wharf_log(struct wsess *, struct wp_command *, uint64_t bytes,
		    int64_t started);

static const struct wharf_cmd	 wharf_cmds[] = {
	{ "AUTH",	2, 2, 1, cmd_auth },
	{ "DELETE",	1, 1, 0, cmd_delete },
	{ "FEAT",	0, 0, 1, cmd_feat },
	{ "GET",	1, 3, 0, cmd_get },
	{ "HELP",	0, 0, 1, cmd_help },
	{ "LIST",	0, 1, 0, cmd_list },
	{ "MKDIR",	1, 1, 0, cmd_mkdir },
	{ "NOOP",	0, 0, 1, cmd_noop },
	{ "PART",	1, 1, 0, cmd_part },
	{ "PUT",	1, 5, 0, cmd_put },
	{ "QUIT",	0, 0, 1, cmd_quit },
	{ "RENAME",	2, 3, 0, cmd_rename },
	{ "STAT",	1, 1, 0, cmd_stat },
};
#define NCMDS	(sizeof(wharf_cmds) / sizeof(wharf_cmds[0]))

int
wharf_reply(struct wsess *ws, int code, const char *fmt, ...)
{
	char	 line[WP_LINE_MAX];
	va_list	 ap;
	int	 n;

	ws->ws_code = code;
	n = snprintf(line, sizeof(line), "%03d ", code);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	line[n++] = '\r';
	line[n++] = '\n';
	if (conn_write(ws->ws_conn, line, (size_t)n) == -1)
		return (WHARF_BROKEN);
	return (WHARF_NEXT);
}

int
wharf_reply_errno(struct wsess *ws, int err, const char *arg)
{
	char	 esc[256];

	log_escape(esc, sizeof(esc), arg, strlen(arg));
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return (wharf_reply(ws, 550, "%s: no such file or directory",
		    esc));
	case EROFS:
		return (wharf_reply(ws, 554, "%s: permission denied: the "
		    "server is read-only", esc));
	case EACCES:
	case EPERM:
	case EXDEV:
	case ELOOP:
		return (wharf_reply(ws, 554, "%s: permission denied", esc));
	case EBUSY:
		return (wharf_reply(ws, 554, "%s: permission denied: that is "
		    "the root of the store", esc));
	case EEXIST:
		return (wharf_reply(ws, 553, "%s: already exists", esc));
	case ENOTEMPTY:
		return (wharf_reply(ws, 553, "%s: directory not empty", esc));
	case EISDIR:
		return (wharf_reply(ws, 551, "%s: is a directory", esc));
	case ENXIO:	/* a socket in the store */
		return (wharf_reply(ws, 551, "%s: not a regular file", esc));
	case ENOSPC:
	case EDQUOT:
		return (wharf_reply(ws, 452, "%s: no space left on the server",
		    esc));
	case ENAMETOOLONG:
		return (wharf_reply(ws, 501, "%s: name too long", esc));
	case EINVAL:
		return (wharf_reply(ws, 501, "%s: invalid name", esc));
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		return (wharf_reply(ws, 450, "%s: server busy (%s); try again",
		    esc, strerror(err)));
	default:
		return (wharf_reply(ws, 451, "%s: %s", esc, strerror(err)));
	}
}

int
wharf_path(struct wsess *ws, const char *arg, char *rel, int *ok)
{
	char	 dec[PATH_MAX];
	int	 e;

	*ok = 0;
	if (wp_decode(dec, sizeof(dec), arg) == -1)
		return (wharf_reply(ws, 501, "bad path: percent-encode spaces, "
		    "control bytes and '%%' (%%XX)"));
	if ((e = store_normalize(dec, rel, PATH_MAX)) != 0)
		return (wharf_reply_errno(ws, e, dec));
	*ok = 1;
	wharf_slot_path(rel);
	return (WHARF_NEXT);
}

int
wharf_may_write(struct wsess *ws, int *rv)
{
	if (!conf.c_writable) {
		*rv = wharf_reply(ws, 554, "permission denied: the server is "
		    "read-only");
		return (0);
	}
	if (ws->ws_role != ANON_WRITE) {
		*rv = wharf_reply(ws, 554, "permission denied: %s",
		    ws->ws_user != NULL ? "your account is read-only" :
		    "log in with AUTH to write");
		return (0);
	}
	return (1);
}

void
wharf_slot_path(const char *rel)
{
	log_escape(child_slot->sl_path, sizeof(child_slot->sl_path), rel,
	    strlen(rel));
}

/*
 * Read one command line: wait --idle-timeout for its first byte, then
 * --header-timeout for the whole line, however slowly it trickles in.
 * Copies the line without its terminator into line (WP_LINE_MAX bytes)
 * and returns its length + 1, or 0 at end of file, or -1 with errno as
 * conn_fill (ENOBUFS for a line over WP_LINE_MAX).
 */
int
wharf_read_line(struct conn *c, char *line)
{
	int64_t	 deadline;
	size_t	 termlen;
	long	 len;
	ssize_t	 n;
	int	 how = CONN_IDLE;

	deadline = conn_deadline(conf.c_idle_timeout);
	for (;;) {
		len = wp_line_end(buf_head(&c->c_in) ? buf_head(&c->c_in) : "",
		    buf_avail(&c->c_in), &termlen);
		if (len >= 0) {
			if ((size_t)len + termlen > WP_LINE_MAX) {
				errno = ENOBUFS;
				return (-1);
			}
			memcpy(line, buf_head(&c->c_in), (size_t)len);
			line[len] = '\0';
			buf_consume(&c->c_in, (size_t)len + termlen);
			return ((int)len + 1);
		}
		if (buf_avail(&c->c_in) >= WP_LINE_MAX) {
			errno = ENOBUFS;
			return (-1);
		}
		if (how == CONN_IDLE && buf_avail(&c->c_in) > 0) {
			how = CONN_BUSY;
			deadline = conn_deadline(conf.c_header_timeout);
			child_state(SL_READING);
		}
		n = conn_fill(c, deadline, how);
		if (n <= 0)
			return ((int)n);
	}
}

static int
cmd_quit(struct wsess *ws, struct wp_command *wc)
{
	(void)wc;
	wharf_reply(ws, 221, "bye");
	return (WHARF_END);
}

static int
cmd_noop(struct wsess *ws, struct wp_command *wc)
{
	(void)wc;
	return (wharf_reply(ws, 200, "ok"));
}

static int
cmd_help(struct wsess *ws, struct wp_command *wc)
{
	char	 list[256];
	size_t	 i;
	int	 n = 0;

	(void)wc;
	for (i = 0; i < NCMDS; i++)
		n += snprintf(list + n, sizeof(list) - (size_t)n, "%s%s",
		    i ? " " : "", wharf_cmds[i].wc_name);
	return (wharf_reply(ws, 200, "commands: %s; see wharf-protocol(7)",
	    list));
}

static int
cmd_feat(struct wsess *ws, struct wp_command *wc)
{
	char	 list[256], user[200];
	size_t	 i;
	int	 n = 0;

	(void)wc;
	for (i = 0; i < NCMDS; i++)
		n += snprintf(list + n, sizeof(list) - (size_t)n, "%s%s",
		    i ? "," : "", wharf_cmds[i].wc_name);
	if (ws->ws_user != NULL)
		wp_encode(user, sizeof(user), users_name(ws->ws_user),
		    strlen(users_name(ws->ws_user)));
	else
		strcpy(user, "-");
	return (wharf_reply(ws, 211, "%s server=wharfd/%s commands=%s "
	    "compress=zlib checksum=crc32 line-max=%d chunk-max=%d "
	    "max-upload=%llu writable=%s auth=%s user=%s", WP_PROTOCOL,
	    PACKAGE_VERSION, list, WP_LINE_MAX, WP_CHUNK_MAX,
	    conf.c_max_upload, conf.c_writable ? "yes" : "no",
	    !users_enabled() ? "none" :
	    conf.c_anonymous == ANON_NONE ? "required" : "optional", user));
}

static int
cmd_auth(struct wsess *ws, struct wp_command *wc)
{
	const struct user	*u;
	char			 name[256], pass[1024], esc[256];

	if (!users_enabled())
		return (wharf_reply(ws, 502, "AUTH is not enabled on this "
		    "server (no --user-file)"));
	if (wp_decode(name, sizeof(name), wc->wc_argv[0]) == -1 ||
	    wp_decode(pass, sizeof(pass), wc->wc_argv[1]) == -1)
		return (wharf_reply(ws, 501, "bad arguments: AUTH USER "
		    "PASSWORD, percent-encoded"));
	u = users_check(name, pass);
	explicit_bzero(pass, sizeof(pass));
	log_escape(esc, sizeof(esc), name, strlen(name));
	if (u == NULL) {
		log_info("%s: AUTH %s failed", ws->ws_conn->c_peer, esc);
		return (wharf_reply(ws, 530, "authentication failed"));
	}
	ws->ws_user = u;
	ws->ws_role = users_role(u) == ROLE_RW ? ANON_WRITE : ANON_READ;
	log_info("%s: logged in as %s", ws->ws_conn->c_peer, esc);
	return (wharf_reply(ws, 230, "logged in as %s (%s)", esc,
	    ws->ws_role == ANON_WRITE ? "read-write" : "read-only"));
}

/* The transfer log: every command that reads or changes the store. */
static void
wharf_log(struct wsess *ws, struct wp_command *wc, uint64_t bytes,
    int64_t started)
{
	static const char	*logged[] = { "AUTH", "DELETE", "GET", "LIST",
	    "MKDIR", "PART", "PUT", "RENAME", "STAT" };
	char			 path[PATH_MAX * 2 + 8], to[PATH_MAX];
	size_t			 i;

	if (!access_log_enabled())
		return;
	for (i = 0; i < sizeof(logged) / sizeof(logged[0]); i++)
		if (strcmp(wc->wc_verb, logged[i]) == 0)
			break;
	if (i == sizeof(logged) / sizeof(logged[0]))
		return;
	path[0] = '\0';
	if (wc->wc_argc > 0 && wp_decode(path, PATH_MAX, wc->wc_argv[0]) < 0)
		snprintf(path, sizeof(path), "%s", wc->wc_argv[0]);
	if (strcmp(wc->wc_verb, "RENAME") == 0 && wc->wc_argc > 1 &&
	    wp_decode(to, sizeof(to), wc->wc_argv[1]) >= 0) {
		strcat(path, " -> ");
		strcat(path, to[0] == '/' ? to + 1 : to);
	}
	access_log_wharf(ws->ws_conn->c_addr, ws->ws_user != NULL ?
	    users_name(ws->ws_user) : "-", wc->wc_verb,
	    path[0] == '/' ? path + 1 : path, ws->ws_code, bytes,
	    (long long)(io_now_ms() - started));
}

void
wharf_session(struct conn *c)
{
	struct wsess		 ws;
	struct wp_command	 wc;
	const struct wharf_cmd	*cmd;
	char			 line[WP_LINE_MAX], esc[128];
	size_t			 i;
	int			 n, rv;

	memset(&ws, 0, sizeof(ws));
	ws.ws_conn = c;
	ws.ws_role = conf.c_anonymous;
	if (wharf_reply(&ws, 220, "%s wharfd %s ready", WP_PROTOCOL,
	    PACKAGE_VERSION) != WHARF_NEXT)
		return;
	for (;;) {
		child_state(SL_KEEPALIVE);
		child_slot->sl_path[0] = '\0';
		n = wharf_read_line(c, line);
		if (n == 0)
			return;		/* client closed */
		if (n == -1) {
			switch (errno) {
			case ENOBUFS:
				wharf_reply(&ws, 500, "line too long: the "
				    "limit is %d bytes; closing", WP_LINE_MAX);
				break;
			case ETIMEDOUT:
				wharf_reply(&ws, 421, "timed out waiting for "
				    "a command; closing");
				break;
			case ESHUTDOWN:
				wharf_reply(&ws, 421, "server shutting down; "
				    "closing");
				break;
			case EBUSY:
				wharf_reply(&ws, 421, "server busy: closing "
				    "idle connections; reconnect later");
				break;
			default:
				log_debug("%s: read: %s", c->c_peer,
				    strerror(errno));
				break;
			}
			return;
		}
		child_state(SL_READING);
		child_slot->sl_requests++;
		if (strlen(line) + 1 != (size_t)n)
			rv = 500;		/* a NUL byte in the line */
		else {
			if (conf.c_verbose) {
				log_escape(esc, sizeof(esc), line,
				    strncasecmp(line, "AUTH ", 5) == 0 ? 4 :
				    strlen(line));
				log_debug("%s: %s", c->c_peer, esc);
			}
			rv = wp_parse_command(line, &wc);
		}
		if (rv != 0) {
			rv = wharf_reply(&ws, rv, rv == 501 ?
			    "bad arguments: at most 8, separated by one space" :
			    "syntax error: expected VERB [ARGUMENT...]");
		} else {
			cmd = NULL;
			for (i = 0; i < NCMDS; i++)
				if (strcmp(wharf_cmds[i].wc_name,
				    wc.wc_verb) == 0)
					cmd = &wharf_cmds[i];
			if (cmd == NULL)
				rv = wharf_reply(&ws, 502, "%s is not a "
				    "WHARF/1 command; try HELP", wc.wc_verb);
			else if (wc.wc_argc < cmd->wc_minargs ||
			    wc.wc_argc > cmd->wc_maxargs)
				rv = wharf_reply(&ws, 501, "%s takes %d to %d "
				    "arguments", cmd->wc_name,
				    cmd->wc_minargs, cmd->wc_maxargs);
			else if (ws.ws_role == ANON_NONE && !cmd->wc_anon)
				rv = wharf_reply(&ws, 530, "log in first "
				    "with AUTH USER PASSWORD");
			else {
				uint64_t	 before = child_slot->sl_bytes;
				int64_t		 started = io_now_ms();

				rv = cmd->wc_fn(&ws, &wc);
				wharf_log(&ws, &wc, child_slot->sl_bytes -
				    before, started);
			}
		}
		if (rv != WHARF_NEXT)
			return;
		if (child_stopping) {
			wharf_reply(&ws, 421, "server shutting down; closing");
			return;
		}
	}
}
