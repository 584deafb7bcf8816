/*
 * shell.c: wharf's commands (ls, stat, get, put, rm, mkdir, mv, and the
 * shell's own open, close, cd, pwd, lcd, mget, mput, help, quit), run
 * once from the command line or one per line from the interactive shell,
 * which reads a terminal (with a prompt) or a script on a pipe, splits
 * words with "..." '...' and backslash quoting, and keeps the remote
 * working directory (the protocol has none: paths are joined here).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "wp.h"

#define SHELL_ARGS	256	/* words on one shell line */
#define ESC_MAX		1024

/* Where a command may be used. */
#define CMD_BOTH	0
#define CMD_SHELL	1	/* only in the shell */

struct command {
	const char	*c_name;
	int		 c_min;		/* fewest operands */
	int		 c_max;		/* most operands, -1: any */
	int		 c_where;
	int		 c_remote;	/* needs a connection */
	int		(*c_fn)(struct session *, int, char **,
			    const struct cmdopts *, int oneshot);
	const char	*c_usage;
	const char	*c_help;
};

static int	 cmd_ls(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_stat(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_get(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_mget(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_put(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_mput(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_rm(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_mkdir(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_mv(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_open(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_close(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_cd(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_pwd(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_lcd(struct session *, int, char **,
		    const struct cmdopts *, int);
static int	 cmd_help(struct session *, int, char **,
		    const struct cmdopts *, int);

static const struct command	 commands[] = {
	{ "ls",		0, -1, CMD_BOTH, 1, cmd_ls,
	  "ls [-l] [--raw] [PATH...]",
	  "list directories (default: the current one)" },
	{ "stat",	1, -1, CMD_BOTH, 1, cmd_stat, "stat PATH...",
	  "show type, size and time of files" },
	{ "get",	1, -1, CMD_BOTH, 1, cmd_get,
	  "get [-crz] [-o NAME] REMOTE... [-]",
	  "download files (shell: get REMOTE [LOCAL])" },
	{ "mget",	1, -1, CMD_BOTH, 1, cmd_mget, "mget [-crz] REMOTE...",
	  "download several files or patterns" },
	{ "put",	1, -1, CMD_BOTH, 1, cmd_put,
	  "put [-crz] [-o NAME] LOCAL... | put - NAME",
	  "upload files (shell: put LOCAL [REMOTE])" },
	{ "mput",	1, -1, CMD_BOTH, 1, cmd_mput, "mput [-crz] LOCAL...",
	  "upload several files or local patterns" },
	{ "rm",		1, -1, CMD_BOTH, 1, cmd_rm, "rm [-r] PATH...",
	  "delete files (and, with -r, directories)" },
	{ "delete",	1, -1, CMD_BOTH, 1, cmd_rm, "delete [-r] PATH...",
	  "same as rm" },
	{ "mkdir",	1, -1, CMD_BOTH, 1, cmd_mkdir, "mkdir PATH...",
	  "make directories" },
	{ "mv",		2, 2, CMD_BOTH, 1, cmd_mv, "mv FROM TO",
	  "rename or move (into TO when it is a directory)" },
	{ "rename",	2, 2, CMD_BOTH, 1, cmd_mv, "rename FROM TO",
	  "same as mv" },
	{ "open",	0, 2, CMD_SHELL, 0, cmd_open,
	  "open [HOST [PORT] | wharf://[USER@]HOST[:PORT][/PATH]]",
	  "connect to a server" },
	{ "close",	0, 0, CMD_SHELL, 0, cmd_close, "close",
	  "disconnect" },
	{ "cd",		0, 1, CMD_SHELL, 1, cmd_cd, "cd [PATH]",
	  "change the remote directory (default: the root)" },
	{ "pwd",	0, 0, CMD_SHELL, 0, cmd_pwd, "pwd",
	  "print the remote directory" },
	{ "lcd",	0, 1, CMD_SHELL, 0, cmd_lcd, "lcd [DIR]",
	  "change the local directory (default: $HOME)" },
	{ "help",	0, 1, CMD_SHELL, 0, cmd_help, "help [COMMAND]",
	  "show commands" },
	{ "?",		0, 1, CMD_SHELL, 0, cmd_help, "? [COMMAND]",
	  "same as help" },
	{ "quit",	0, 0, CMD_SHELL, 0, NULL, "quit",
	  "leave (also exit, bye, end of input)" },
	{ "exit",	0, 0, CMD_SHELL, 0, NULL, "exit", "same as quit" },
	{ "bye",	0, 0, CMD_SHELL, 0, NULL, "bye", "same as quit" },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct command *cmd_find(const char *);
static int	 show_entries(const struct session *, struct entries *,
		    const struct cmdopts *, int strip_cwd);
static int	 rm_tree(struct session *, const char *path, char type);
static int	 shell_split(char *line, char **argv, int max);
static int	 shell_line(struct session *, char *line, int *quit);

static const struct command *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].c_name, name) == 0)
			return (&commands[i]);
	return (NULL);
}

/*
 * Print a listing: "TYPE SIZE MTIME NAME" with NAME percent-encoded when
 * raw (not a terminal, or --raw); otherwise a table with local times and
 * names escaped for the terminal. strip_cwd: names are full paths from a
 * glob; show them relative to the remote cwd.
 */
static int
show_entries(const struct session *s, struct entries *es,
    const struct cmdopts *o, int strip_cwd)
{
	char		 enc[4096 * 3], name[ESC_MAX], date[32], num[32];
	const char	*n;
	size_t		 i, cwdlen = strlen(s->s_cwd);
	struct tm	 tm;
	time_t		 t;
	int		 raw, width = 1, w;

	raw = o->co_raw == 1 || (o->co_raw == 0 && !isatty(STDOUT_FILENO));
	entries_sort(es);
	for (i = 0; i < es->es_n; i++) {
		w = snprintf(num, sizeof(num), "%llu", es->es_v[i].e_size);
		if (w > width)
			width = w;
	}
	for (i = 0; i < es->es_n; i++) {
		const struct entry *e = &es->es_v[i];

		n = e->e_name;
		if (strip_cwd && cwdlen > 0 && strncmp(n, s->s_cwd, cwdlen) ==
		    0 && n[cwdlen] == '/')
			n += cwdlen + 1;
		if (raw) {
			if (wp_encode(enc, sizeof(enc), n, strlen(n)) == -1)
				continue;
			printf("%c %llu %lld %s\n", e->e_type, e->e_size,
			    e->e_mtime, enc);
			continue;
		}
		t = (time_t)e->e_mtime;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm) == 0)
			snprintf(date, sizeof(date), "%lld", e->e_mtime);
		log_escape(name, sizeof(name), n, strlen(n));
		if (e->e_type == 'd')
			printf("d %*s  %s  %s/\n", width, "-", date, name);
		else
			printf("%c %*llu  %s  %s\n", e->e_type, width,
			    e->e_size, date, name);
	}
	if (fflush(stdout) == EOF) {
		warn("standard output");
		return (WX_REFUSED);
	}
	return (WX_OK);
}

static int
cmd_ls(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	struct entries	 es;
	char		 r[4096], e1[ESC_MAX];
	char		*here[] = { "" };
	int		 i, rv = WX_OK, r1, glob;

	(void)oneshot;
	if (argc == 0) {
		argc = 1;
		argv = here;
	}
	for (i = 0; i < argc && rv != WX_CONNECT; i++) {
		memset(&es, 0, sizeof(es));
		if (remote_join(s->s_cwd, argv[i], r, sizeof(r)) == -1) {
			warnx("%s: name too long", argv[i]);
			rv = wx_worst(rv, WX_USAGE);
			continue;
		}
		glob = remote_has_glob(r);
		r1 = glob ? remote_glob(s, r, &es) : remote_list(s, r, &es);
		if (r1 == WX_OK) {
			if (argc > 1 && !glob)
				printf("%s%s:\n", i > 0 ? "\n" : "",
				    log_escape(e1, sizeof(e1), argv[i],
				    strlen(argv[i])));
			r1 = show_entries(s, &es, o, glob);
		}
		rv = wx_worst(rv, r1);
		entries_free(&es);
	}
	return (rv);
}

static int
cmd_stat(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	struct entries	 es;
	struct entry	 e;
	char		 r[4096];
	int		 i, rv = WX_OK, r1;

	(void)oneshot;
	for (i = 0; i < argc && rv != WX_CONNECT; i++) {
		if (remote_join(s->s_cwd, argv[i], r, sizeof(r)) == -1) {
			warnx("%s: name too long", argv[i]);
			rv = wx_worst(rv, WX_USAGE);
			continue;
		}
		if ((r1 = remote_stat(s, r, &e)) != WX_OK) {
			rv = wx_worst(rv, r1);
			continue;
		}
		/* Show the name as it was asked for. */
		free(e.e_name);
		if ((e.e_name = strdup(argv[i])) == NULL)
			err(WX_REFUSED, "strdup");
		memset(&es, 0, sizeof(es));
		entries_add(&es, &e);
		rv = wx_worst(rv, show_entries(s, &es, o, 0));
		entries_free(&es);
	}
	return (rv);
}

static int
cmd_get(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	struct cmdopts	 co = *o;

	if (!oneshot) {
		/* ftp's form: get REMOTE [LOCAL]. */
		if (argc > 2 || (argc == 2 && o->co_output != NULL)) {
			warnx("usage: get [-crz] REMOTE [LOCAL] (mget for "
			    "several)");
			return (WX_USAGE);
		}
		if (argc == 2) {
			co.co_output = argv[1];
			argc = 1;
		}
	}
	return (xfer_get(s, &co, argc, argv));
}

static int
cmd_mget(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	(void)oneshot;
	return (xfer_get(s, o, argc, argv));
}

static int
cmd_put(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	int	 i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && (!oneshot || i != 0 ||
		    argc != 2)) {
			warnx("usage: put - NAME: standard input needs a "
			    "remote name%s", oneshot ? "" : " (and is not "
			    "available in the shell)");
			return (WX_USAGE);
		}
	if (oneshot && argc == 2 && strcmp(argv[0], "-") == 0) {
		if (o->co_output != NULL || o->co_recursive) {
			warnx("usage: put - NAME");
			return (WX_USAGE);
		}
		return (xfer_put(s, o, 1, argv, argv[1]));
	}
	if (!oneshot) {
		/* ftp's form: put LOCAL [REMOTE]. */
		if (argc > 2 || (argc == 2 && o->co_output != NULL)) {
			warnx("usage: put [-crz] LOCAL [REMOTE] (mput for "
			    "several)");
			return (WX_USAGE);
		}
		return (xfer_put(s, o, 1, argv, argc == 2 ? argv[1] : NULL));
	}
	return (xfer_put(s, o, argc, argv, NULL));
}

/* mput: the shell expands nothing itself, so local patterns are
 * expanded here with glob(3). */
static int
cmd_mput(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	glob_t	 g;
	char	 e1[ESC_MAX];
	int	 i, flags = 0, r;

	(void)oneshot;
	memset(&g, 0, sizeof(g));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			warnx("mput: standard input needs put - NAME");
			globfree(&g);
			return (WX_USAGE);
		}
		r = glob(argv[i], flags | GLOB_NOCHECK, NULL, &g);
		if (r != 0 && r != GLOB_NOMATCH) {
			warnx("%s: cannot expand", log_escape(e1, sizeof(e1),
			    argv[i], strlen(argv[i])));
			globfree(&g);
			return (WX_USAGE);
		}
		flags = GLOB_APPEND;
	}
	r = xfer_put(s, o, (int)g.gl_pathc, g.gl_pathv, NULL);
	globfree(&g);
	return (r);
}

/* Delete path; with type 'd', its contents first. */
static int
rm_tree(struct session *s, const char *path, char type)
{
	struct entries	 es = { NULL, 0, 0 };
	char		 r[4096];
	size_t		 i;
	int		 rv = WX_OK;

	if (type == 'd') {
		if ((rv = remote_list(s, path, &es)) != WX_OK) {
			entries_free(&es);
			return (rv);
		}
		for (i = 0; i < es.es_n && rv != WX_CONNECT; i++) {
			if (snprintf(r, sizeof(r), "%s/%s", path,
			    es.es_v[i].e_name) >= (int)sizeof(r)) {
				rv = wx_worst(rv, WX_REFUSED);
				continue;
			}
			rv = wx_worst(rv, rm_tree(s, r, es.es_v[i].e_type));
		}
		entries_free(&es);
		if (rv != WX_OK)
			return (rv);
	}
	return (remote_delete(s, path));
}

static int
cmd_rm(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	struct entries	 es;
	struct entry	 e;
	struct wp_reply	 wr;
	char		 r[4096], enc[WP_LINE_MAX], e1[ESC_MAX];
	size_t		 k;
	int		 i, rv = WX_OK, r1;

	(void)oneshot;
	for (i = 0; i < argc && rv != WX_CONNECT; i++) {
		memset(&es, 0, sizeof(es));
		if (remote_join(s->s_cwd, argv[i], r, sizeof(r)) == -1) {
			warnx("%s: name too long", argv[i]);
			rv = wx_worst(rv, WX_USAGE);
			continue;
		}
		if (*r == '\0') {
			warnx("%s: that is the root of the store; not removed",
			    log_escape(e1, sizeof(e1), argv[i],
			    strlen(argv[i])));
			rv = wx_worst(rv, WX_REFUSED);
			continue;
		}
		if (remote_has_glob(r)) {
			if ((r1 = remote_glob(s, r, &es)) != WX_OK) {
				rv = wx_worst(rv, r1);
				entries_free(&es);
				continue;
			}
		} else if (o->co_recursive) {
			if ((r1 = remote_stat(s, r, &e)) != WX_OK) {
				rv = wx_worst(rv, r1);
				continue;
			}
			free(e.e_name);
			if ((e.e_name = strdup(r)) == NULL)
				err(WX_REFUSED, "strdup");
			entries_add(&es, &e);
		} else {
			/* Plain DELETE; say what to do about a full dir. */
			if (remote_enc(enc, sizeof(enc) - 8, r) == NULL) {
				rv = wx_worst(rv, WX_USAGE);
				continue;
			}
			if ((r1 = remote_request(s, &wr, "DELETE %s", enc)) !=
			    WX_OK)
				rv = wx_worst(rv, r1);
			else if (wr.wr_code == 553) {
				warnx("%s: directory not empty (use -r to "
				    "remove it all)", log_escape(e1,
				    sizeof(e1), r, strlen(r)));
				rv = wx_worst(rv, WX_REFUSED);
			} else if (wr.wr_code != WP_OK)
				rv = wx_worst(rv, remote_refused(s, r, &wr));
			continue;
		}
		for (k = 0; k < es.es_n && rv != WX_CONNECT; k++) {
			if (es.es_v[k].e_type == 'd' && !o->co_recursive) {
				warnx("%s: is a directory (use -r to remove "
				    "it all)", log_escape(e1, sizeof(e1),
				    es.es_v[k].e_name,
				    strlen(es.es_v[k].e_name)));
				rv = wx_worst(rv, WX_REFUSED);
				continue;
			}
			rv = wx_worst(rv, rm_tree(s, es.es_v[k].e_name,
			    o->co_recursive ? es.es_v[k].e_type : 'f'));
		}
		entries_free(&es);
	}
	return (rv);
}

static int
cmd_mkdir(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	char	 r[4096];
	int	 i, rv = WX_OK;

	(void)o;
	(void)oneshot;
	for (i = 0; i < argc && rv != WX_CONNECT; i++) {
		if (remote_join(s->s_cwd, argv[i], r, sizeof(r)) == -1) {
			warnx("%s: name too long", argv[i]);
			rv = wx_worst(rv, WX_USAGE);
			continue;
		}
		rv = wx_worst(rv, remote_mkdir(s, r, 0));
	}
	return (rv);
}

static int
cmd_mv(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	struct wp_reply	 wr;
	struct entry	 e;
	char		 from[4096], to[4096], enc[WP_LINE_MAX];
	size_t		 len;
	int		 rv;

	(void)argc;
	(void)o;
	(void)oneshot;
	if (remote_join(s->s_cwd, argv[0], from, sizeof(from)) == -1 ||
	    remote_join(s->s_cwd, argv[1], to, sizeof(to)) == -1) {
		warnx("mv: name too long");
		return (WX_USAGE);
	}
	/* Into TO when it is a directory, as mv(1) does. */
	if (remote_enc(enc, sizeof(enc) - 8, to) == NULL)
		return (WX_USAGE);
	if ((rv = remote_request(s, &wr, "STAT %s", enc)) != WX_OK)
		return (rv);
	if (wr.wr_code == WP_OK && remote_entry(wr.wr_text, &e) == 0) {
		if (e.e_type == 'd') {
			len = strlen(to);
			if (snprintf(to + len, sizeof(to) - len, "%s%s",
			    len > 0 ? "/" : "", remote_base(from)) >=
			    (int)(sizeof(to) - len)) {
				entry_free(&e);
				warnx("mv: name too long");
				return (WX_USAGE);
			}
		}
		entry_free(&e);
	}
	return (remote_rename(s, from, to));
}

static int
cmd_open(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	(void)o;
	(void)oneshot;
	if (argc >= 1 && strncmp(argv[0], "wharf://", 8) == 0) {
		if (argc > 1) {
			warnx("usage: open wharf://[USER@]HOST[:PORT][/PATH]");
			return (WX_USAGE);
		}
		remote_close(s);
		if (remote_url(s, argv[0]) == -1)
			return (WX_USAGE);
	} else if (argc >= 1) {
		remote_close(s);
		if (snprintf(s->s_host, sizeof(s->s_host), "%s", argv[0]) >=
		    (int)sizeof(s->s_host) || (argc == 2 &&
		    snprintf(s->s_port, sizeof(s->s_port), "%s", argv[1]) >=
		    (int)sizeof(s->s_port))) {
			warnx("open: name too long");
			return (WX_USAGE);
		}
		s->s_cwd[0] = '\0';
	}
	return (remote_open(s));
}

static int
cmd_close(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	(void)argc;
	(void)argv;
	(void)o;
	(void)oneshot;
	remote_close(s);
	return (WX_OK);
}

static int
cmd_cd(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	struct entry	 e;
	char		 r[4096], e1[ESC_MAX];
	int		 rv;

	(void)o;
	(void)oneshot;
	if (remote_join(s->s_cwd, argc ? argv[0] : "/", r, sizeof(r)) == -1) {
		warnx("cd: name too long");
		return (WX_USAGE);
	}
	log_escape(e1, sizeof(e1), argc ? argv[0] : "/",
	    strlen(argc ? argv[0] : "/"));
	if (strcmp(r, "..") == 0 || strncmp(r, "../", 3) == 0) {
		warnx("cd: %s: above the root of the store", e1);
		return (WX_REFUSED);
	}
	if (*r != '\0') {
		if ((rv = remote_stat(s, r, &e)) != WX_OK)
			return (rv);
		rv = e.e_type == 'd';
		entry_free(&e);
		if (!rv) {
			warnx("cd: %s: not a directory", e1);
			return (WX_REFUSED);
		}
	}
	memcpy(s->s_cwd, r, strlen(r) + 1);
	return (WX_OK);
}

static int
cmd_pwd(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	char	 e1[ESC_MAX];

	(void)argc;
	(void)argv;
	(void)o;
	(void)oneshot;
	printf("/%s\n", log_escape(e1, sizeof(e1), s->s_cwd,
	    strlen(s->s_cwd)));
	return (WX_OK);
}

static int
cmd_lcd(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	const char	*dir = argc ? argv[0] : getenv("HOME");
	char		 cwd[PATH_MAX], e1[ESC_MAX];

	(void)o;
	(void)oneshot;
	if (dir == NULL || *dir == '\0') {
		warnx("lcd: no directory given and HOME is not set");
		return (WX_USAGE);
	}
	if (chdir(dir) == -1) {
		warn("lcd: %s", log_escape(e1, sizeof(e1), dir, strlen(dir)));
		return (WX_REFUSED);
	}
	if (!s->s_quiet && getcwd(cwd, sizeof(cwd)) != NULL)
		printf("local directory: %s\n", log_escape(e1, sizeof(e1), cwd,
		    strlen(cwd)));
	return (WX_OK);
}

static int
cmd_help(struct session *s, int argc, char **argv, const struct cmdopts *o,
    int oneshot)
{
	const struct command	*c;
	size_t			 i;

	(void)s;
	(void)o;
	(void)oneshot;
	if (argc == 1) {
		if ((c = cmd_find(argv[0])) == NULL) {
			warnx("%s: no such command; try help", argv[0]);
			return (WX_USAGE);
		}
		printf("%s\n    %s\n", c->c_usage, c->c_help);
		return (WX_OK);
	}
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-44s %s\n", commands[i].c_usage,
		    commands[i].c_help);
	printf("Options of get, put, mget, mput: -c resume, -r recursive, "
	    "-z compress,\n-q quiet, -o NAME; of ls and stat: -l table, "
	    "--raw. Quote names with\nspaces as \"a b\", 'a b' or a\\ b. "
	    "Remote patterns (*, ?, [...]) are\nexpanded by wharf; see "
	    "wharf(1).\n");
	return (WX_OK);
}

int
shell_command(struct session *s, int argc, char **argv, int oneshot,
    const struct cmdopts *o)
{
	const struct command	*c;
	int			 n = argc - 1, rv;

	if ((c = cmd_find(argv[0])) == NULL || c->c_fn == NULL ||
	    (oneshot && c->c_where == CMD_SHELL)) {
		warnx("%s: unknown command; see %s", argv[0], oneshot ?
		    "wharf --help" : "help");
		return (WX_USAGE);
	}
	if (n < c->c_min || (c->c_max >= 0 && n > c->c_max)) {
		warnx("usage: %s", c->c_usage);
		return (WX_USAGE);
	}
	if (c->c_remote && oneshot && !s->s_connected &&
	    (rv = remote_open(s)) != WX_OK)
		return (rv);
	if (c->c_remote && remote_need(s) != WX_OK)
		return (WX_CONNECT);
	return (c->c_fn(s, n, argv + 1, o, oneshot));
}

/*
 * Split a line into words in place: blanks separate; "..." (where \" and
 * \\ are escapes) and '...' quote; a backslash outside quotes takes the
 * next byte as it is. Returns the word count, or -1 (message printed).
 */
static int
shell_split(char *line, char **argv, int max)
{
	char	*p = line, *o;
	int	 argc = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || (*p == '#' && argc == 0))
			break;
		if (argc == max) {
			warnx("too many words on one line (at most %d)", max);
			return (-1);
		}
		argv[argc++] = o = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			if (*p == '\\' && p[1] != '\0') {
				*o++ = p[1];
				p += 2;
			} else if (*p == '\'') {
				for (p++; *p != '\0' && *p != '\''; )
					*o++ = *p++;
				if (*p++ != '\'') {
					warnx("unterminated ' quote");
					return (-1);
				}
			} else if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; ) {
					if (*p == '\\' && (p[1] == '"' ||
					    p[1] == '\\'))
						p++;
					*o++ = *p++;
				}
				if (*p++ != '"') {
					warnx("unterminated \" quote");
					return (-1);
				}
			} else
				*o++ = *p++;
		}
		if (*p != '\0')
			p++;
		*o = '\0';
	}
	return (argc);
}

/* Run one shell line. Returns its status; *quit set by quit. */
static int
shell_line(struct session *s, char *line, int *quit)
{
	static const struct option	 lopts[] = {
		{ "output",	required_argument, NULL, 'o' },
		{ "raw",	no_argument,	   NULL, 'R' },
		{ "long",	no_argument,	   NULL, 'l' },
		{ NULL,		0,		   NULL, 0 }
	};
	struct cmdopts		 o;
	const struct command	*c;
	char			*argv[SHELL_ARGS + 1];
	int			 argc, ch, rv, quiet = s->s_quiet;
	int			 compress = s->s_compress;

	if ((argc = shell_split(line, argv, SHELL_ARGS)) <= 0)
		return (argc == 0 ? WX_OK : WX_USAGE);
	argv[argc] = NULL;
	if ((c = cmd_find(argv[0])) != NULL && c->c_fn == NULL) {
		*quit = 1;
		return (WX_OK);
	}
	memset(&o, 0, sizeof(o));
	optind = 0;		/* GNU: start afresh */
	while ((ch = getopt_long(argc, argv, "clo:qrz", lopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.co_resume = 1;
			break;
		case 'l':
			o.co_raw = -1;
			break;
		case 'o':
			o.co_output = optarg;
			break;
		case 'q':
			s->s_quiet = 1;
			break;
		case 'r':
			o.co_recursive = 1;
			break;
		case 'R':
			o.co_raw = 1;
			break;
		case 'z':
			s->s_compress = 1;
			break;
		default:
			return (WX_USAGE);	/* getopt said what */
		}
	}
	/* getopt moved the operands after the options. */
	argv[optind - 1] = argv[0];
	rv = shell_command(s, argc - optind + 1, argv + optind - 1, 0, &o);
	s->s_quiet = quiet;
	s->s_compress = compress;
	return (rv);
}

int
shell_run(struct session *s)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 tty = isatty(STDIN_FILENO), quit = 0, rv, last = WX_OK;

	while (!quit) {
		if (tty) {
			fputs("wharf> ", stdout);
			fflush(stdout);
		}
		if ((len = getline(&line, &cap, stdin)) == -1) {
			if (tty)
				fputc('\n', stdout);
			break;
		}
		if ((size_t)len != strlen(line)) {
			warnx("a NUL byte in a command line; line ignored");
			last = WX_USAGE;
			continue;
		}
		rv = shell_line(s, line, &quit);
		fflush(stdout);
		if (rv != WX_OK)
			last = rv;
	}
	free(line);
	remote_close(s);
	return (last);
}
