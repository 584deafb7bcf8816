/*
 * main.c: wharf's command line: options, where the server is (flags, a
 * wharf:// URL or the environment), the password and whether to read the
 * .netrc (which remote.c does when connecting), and then one command,
 * ping, or the interactive shell when no command is given.
 */
#define _GNU_SOURCE
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "config.h"
#include "client.h"
#include "io.h"
#include "log.h"
#include "wp.h"

enum {
	OPT_PASSWORD = 256,	/* --password-stdin */
	OPT_RAW,
	OPT_RATE,		/* --limit-rate */
	OPT_NETRC_FILE,
	OPT_NO_NETRC
};

static const struct option	 longopts[] = {
	{ "host",		required_argument, NULL, 'H' },
	{ "port",		required_argument, NULL, 'p' },
	{ "user",		required_argument, NULL, 'u' },
	{ "password-stdin",	no_argument,	   NULL, OPT_PASSWORD },
	{ "netrc",		no_argument,	   NULL, 'n' },
	{ "netrc-file",		required_argument, NULL, OPT_NETRC_FILE },
	{ "no-netrc",		no_argument,	   NULL, OPT_NO_NETRC },
	{ "continue",		no_argument,	   NULL, 'c' },
	{ "recursive",		no_argument,	   NULL, 'r' },
	{ "output",		required_argument, NULL, 'o' },
	{ "compress",		no_argument,	   NULL, 'z' },
	{ "long",		no_argument,	   NULL, 'l' },
	{ "raw",		no_argument,	   NULL, OPT_RAW },
	{ "timeout",		required_argument, NULL, 't' },
	{ "limit-rate",		required_argument, NULL, OPT_RATE },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 }
};

static void	 usage(FILE *, int) __attribute__((noreturn));
static void	 set_string(char *, size_t, const char *, const char *what);
static unsigned long long parse_size(const char *, const char *what);
static void	 read_password(struct session *);
static int	 cmd_ping(struct session *);

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: wharf [options] [wharf://[USER@]HOST[:PORT][/PATH]] [COMMAND ...]\n"
"Talk to a wharfd server over WHARF/1. Without a command: an interactive\n"
"shell (commands from stdin, with a prompt on a terminal).\n"
"\n"
"Commands:\n"
"  ls [PATH...]           list directories (TYPE SIZE MTIME NAME when\n"
"                         piped or with --raw; a table on a terminal)\n"
"  stat PATH...           type, size and time of files\n"
"  get REMOTE... [-]      download (- or -o -: to standard output)\n"
"  put LOCAL...           upload; put - NAME uploads standard input\n"
"  rm PATH...             delete (-r: directories and what is in them)\n"
"  mkdir PATH...          make directories\n"
"  mv FROM TO             rename or move\n"
"  ping                   show the server's greeting and the time to it\n"
"Remote patterns ('dir/*.txt') are expanded by wharf over LIST.\n"
"\n"
"Options:\n"
"  -H, --host HOST        server (default: $WHARF_HOST or localhost)\n"
"  -p, --port PORT        WHARF/1 port (default: $WHARF_PORT or 2121)\n"
"  -u, --user USER        log in as USER (default: $WHARF_USER, else the\n"
"                         login of the host's entry in ~/.netrc); the\n"
"                         password comes from --password-stdin,\n"
"                         $WHARF_PASSWORD, ~/.netrc or a prompt\n"
"      --password-stdin   read the password from the first line of stdin\n"
"  -n, --netrc            a user or password that is missing must come\n"
"                         from ~/.netrc (or $NETRC): an error if it has\n"
"                         no entry for the host (default: used if it has)\n"
"      --netrc-file FILE  the same with FILE instead of ~/.netrc\n"
"      --no-netrc         never read a netrc file\n"
"  -c, --continue         resume interrupted transfers\n"
"  -r, --recursive        get and put whole directories, rm -r\n"
"  -o, --output NAME      local name of a download (a directory for\n"
"                         several; - for stdout), remote name of an upload\n"
"  -z, --compress         compress transfers with zlib\n"
"  -l, --long             ls and stat: a table even when piped\n"
"      --raw              ls and stat: TYPE SIZE MTIME NAME even on a\n"
"                         terminal (NAME percent-encoded)\n"
"  -t, --timeout SECONDS  give up on a silent server (default 60; 0 never)\n"
"      --limit-rate RATE  at most RATE bytes a second (K, M, G suffixes)\n"
"  -q, --quiet            no progress bar or notes; errors only\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show version and exit\n"
"\n"
"Exit status: 0 done, 1 refused by the server (or a local file error),\n"
"2 usage, 3 cannot connect or connection lost, 4 verification failed.\n"
"See wharf(1).\n");
	exit(status);
}

static void
set_string(char *dst, size_t dstsz, const char *src, const char *what)
{
	if (snprintf(dst, dstsz, "%s", src) >= (int)dstsz)
		errx(WX_USAGE, "%s: too long", what);
}

/* A byte count with an optional K, M or G (powers of 1024). */
static unsigned long long
parse_size(const char *s, const char *what)
{
	unsigned long long	 v, mult = 1;
	char			 num[32];
	size_t			 len = strlen(s);

	if (len > 0 && strchr("kKmMgG", s[len - 1]) != NULL) {
		mult = strchr("kK", s[len - 1]) ? 1024ULL :
		    strchr("mM", s[len - 1]) ? 1024ULL * 1024 :
		    1024ULL * 1024 * 1024;
		len--;
	}
	if (len == 0 || len >= sizeof(num))
		errx(WX_USAGE, "%s %s: expected a number, as in 500K or 2M",
		    what, s);
	memcpy(num, s, len);
	num[len] = '\0';
	if (wp_number(num, &v) == -1 || v > ~0ULL / mult)
		errx(WX_USAGE, "%s %s: expected a number, as in 500K or 2M",
		    what, s);
	return (v * mult);
}

/* --password-stdin: one line, without its terminator. */
static void
read_password(struct session *s)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;

	if ((len = getline(&line, &cap, stdin)) == -1)
		errx(WX_USAGE, "--password-stdin: no line on standard input");
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	free(s->s_pass);
	s->s_pass = line;
}

static int
cmd_ping(struct session *s)
{
	int	 rv;

	if ((rv = remote_open(s)) != WX_OK)
		return (rv);
	if (!s->s_quiet)
		printf("%s port %s: %s (%lld ms)\n", s->s_host, s->s_port,
		    s->s_greeting, (long long)s->s_greet_ms);
	remote_close(s);
	return (WX_OK);
}

int
main(int argc, char *argv[])
{
	struct session	 s;
	struct cmdopts	 o;
	const char	*env;
	unsigned long long v;
	int		 ch, rv, named = 0, pwstdin = 0, i;

	remote_init(&s);
	memset(&o, 0, sizeof(o));
	if ((env = getenv("WHARF_HOST")) != NULL && *env != '\0') {
		set_string(s.s_host, sizeof(s.s_host), env, "WHARF_HOST");
		named = 1;
	}
	if ((env = getenv("WHARF_PORT")) != NULL && *env != '\0') {
		set_string(s.s_port, sizeof(s.s_port), env, "WHARF_PORT");
		named = 1;
	}
	if ((env = getenv("WHARF_USER")) != NULL && *env != '\0')
		set_string(s.s_user, sizeof(s.s_user), env, "WHARF_USER");
	while ((ch = getopt_long(argc, argv, "H:p:u:ncro:zlt:qhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'H':
			set_string(s.s_host, sizeof(s.s_host), optarg,
			    "--host");
			named = 1;
			break;
		case 'p':
			set_string(s.s_port, sizeof(s.s_port), optarg,
			    "--port");
			named = 1;
			break;
		case 'u':
			set_string(s.s_user, sizeof(s.s_user), optarg,
			    "--user");
			break;
		case OPT_PASSWORD:
			pwstdin = 1;
			break;
		case 'n':
			s.s_netrc = NETRC_REQUIRED;
			break;
		case OPT_NETRC_FILE:
			s.s_netrc = NETRC_REQUIRED;
			s.s_netrc_file = optarg;
			break;
		case OPT_NO_NETRC:
			s.s_netrc = NETRC_IGNORE;
			break;
		case 'c':
			o.co_resume = 1;
			break;
		case 'r':
			o.co_recursive = 1;
			break;
		case 'o':
			o.co_output = optarg;
			break;
		case 'z':
			s.s_compress = 1;
			break;
		case 'l':
			o.co_raw = -1;
			break;
		case OPT_RAW:
			o.co_raw = 1;
			break;
		case 't':
			if (wp_number(optarg, &v) == -1 || v > 86400)
				errx(WX_USAGE, "--timeout %s: expected "
				    "seconds, 0 to 86400", optarg);
			s.s_timeout = (int)v;
			break;
		case OPT_RATE:
			s.s_rate = parse_size(optarg, "--limit-rate");
			break;
		case 'q':
			s.s_quiet = 1;
			break;
		case 'h':
			usage(stdout, WX_OK);
		case 'V':
			printf("wharf %s (zlib %s)\n", PACKAGE_VERSION,
			    zlibVersion());
			exit(WX_OK);
		default:
			usage(stderr, WX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strncmp(argv[0], "wharf://", 8) == 0) {
		if (remote_url(&s, argv[0]) == -1)
			exit(WX_USAGE);
		named = 1;
		argc--;
		argv++;
	}
	if (pwstdin) {
		if (s.s_user[0] == '\0')
			errx(WX_USAGE, "--password-stdin: no user to log in "
			    "as (give -u USER or WHARF_USER)");
		for (i = 1; i < argc; i++)
			if (argc > 0 && strcmp(argv[0], "put") == 0 &&
			    strcmp(argv[i], "-") == 0)
				errx(WX_USAGE, "--password-stdin and put - "
				    "both want standard input");
		read_password(&s);
	} else if ((env = getenv("WHARF_PASSWORD")) != NULL &&
	    (s.s_pass = strdup(env)) == NULL)
		err(WX_REFUSED, "strdup");

	if (argc == 0) {
		if (named && (rv = remote_open(&s)) != WX_OK &&
		    !isatty(STDIN_FILENO))
			exit(rv);	/* a script needs its server */
		rv = shell_run(&s);
	} else if (strcmp(argv[0], "ping") == 0) {
		if (argc != 1)
			errx(WX_USAGE, "usage: ping");
		rv = cmd_ping(&s);
	} else {
		rv = shell_command(&s, argc, argv, 1, &o);
		remote_close(&s);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("standard output");
		rv = wx_worst(rv, WX_REFUSED);
	}
	remote_forget(&s);
	return (rv);
}
