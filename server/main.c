/*
 * main.c: wharfd's command line: flags, their checks, and the start-up
 * sequence (store, listeners, daemon, pid and port files) before the
 * master takes over in prefork_run().
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <magic.h>
#include <zlib.h>

#include "config.h"
#include "access_log.h"
#include "child.h"
#include "daemon.h"
#include "http.h"
#include "io.h"
#include "listen.h"
#include "log.h"
#include "prefork.h"
#include "privsep.h"
#include "store.h"
#include "users.h"
#include "wharfd.h"

/* --notsent-lowat: more than a send buffer can hold means nothing. */
#define NOTSENT_LOWAT_MAX	(64U << 20)

/* --max-per-ip not given: half of --max-children, once that is known. */
#define MAX_PER_IP_AUTO	UINT_MAX

/* The defaults: main starts from them, --help prints them. */
static const struct config conf_defaults = {
	.c_root = ".",
	.c_port = 2121,
	.c_http_port = 8080,
	.c_start_children = 8,
	.c_min_spare = 4,
	.c_max_spare = 16,
	.c_shrink_after = 60,
	.c_max_children = 512,
	.c_max_requests = 10000,
	.c_max_per_ip = MAX_PER_IP_AUTO,
	.c_header_timeout = 5,
	.c_idle_timeout = 300,
	.c_keepalive_timeout = 5,
	.c_transfer_timeout = 60,
	.c_grace = 10,
	.c_partial_age = 7 * 86400,
	.c_min_rate = 256,
	.c_notsent_lowat = 32 * 1024,
	.c_anonymous = -1,
};

struct config	 conf;
struct store	 store;

enum {
	OPT_PORT_FILE = 256, OPT_PID_FILE, OPT_LOG_FILE, OPT_START,
	OPT_MIN_SPARE, OPT_MAX_SPARE, OPT_MAX_CHILDREN, OPT_MAX_REQUESTS,
	OPT_HEADER_TIMEOUT, OPT_IDLE_TIMEOUT, OPT_KEEPALIVE_TIMEOUT,
	OPT_TRANSFER_TIMEOUT, OPT_GRACE, OPT_HTTP_PORT, OPT_USER_FILE,
	OPT_ANONYMOUS, OPT_MAX_UPLOAD, OPT_NO_FSYNC, OPT_HASH_PASSWORD,
	OPT_USER, OPT_GROUP, OPT_CHROOT, OPT_SYSLOG, OPT_MAX_PER_IP,
	OPT_MIN_RATE, OPT_SHRINK_AFTER, OPT_PARTIAL_AGE,
	OPT_ACCESS_LOG, OPT_STATUS, OPT_STATUS_ALLOW, OPT_NO_CLOBBER,
	OPT_SHARE_DIR, OPT_NO_SCHED_BATCH, OPT_NOTSENT_LOWAT
};

static const struct option	 longopts[] = {
	{ "root",		required_argument, NULL, 'r' },
	{ "port",		required_argument, NULL, 'p' },
	{ "http-port",		required_argument, NULL, OPT_HTTP_PORT },
	{ "listen",		required_argument, NULL, 'l' },
	{ "port-file",		required_argument, NULL, OPT_PORT_FILE },
	{ "writable",		no_argument,	   NULL, 'w' },
	{ "user-file",		required_argument, NULL, OPT_USER_FILE },
	{ "anonymous",		required_argument, NULL, OPT_ANONYMOUS },
	{ "partial-age",	required_argument, NULL, OPT_PARTIAL_AGE },
	{ "max-upload",		required_argument, NULL, OPT_MAX_UPLOAD },
	{ "notsent-lowat",	required_argument, NULL, OPT_NOTSENT_LOWAT },
	{ "no-fsync",		no_argument,	   NULL, OPT_NO_FSYNC },
	{ "hash-password",	no_argument,	   NULL, OPT_HASH_PASSWORD },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "group",		required_argument, NULL, OPT_GROUP },
	{ "chroot",		no_argument,	   NULL, OPT_CHROOT },
	{ "syslog",		no_argument,	   NULL, OPT_SYSLOG },
	{ "no-clobber",		no_argument,	   NULL, OPT_NO_CLOBBER },
	{ "access-log",		required_argument, NULL, OPT_ACCESS_LOG },
	{ "status",		no_argument,	   NULL, OPT_STATUS },
	{ "status-allow",	required_argument, NULL, OPT_STATUS_ALLOW },
	{ "share-dir",		required_argument, NULL, OPT_SHARE_DIR },
	{ "start-children",	required_argument, NULL, OPT_START },
	{ "min-spare",		required_argument, NULL, OPT_MIN_SPARE },
	{ "max-spare",		required_argument, NULL, OPT_MAX_SPARE },
	{ "shrink-after",	required_argument, NULL, OPT_SHRINK_AFTER },
	{ "max-children",	required_argument, NULL, OPT_MAX_CHILDREN },
	{ "max-requests",	required_argument, NULL, OPT_MAX_REQUESTS },
	{ "max-per-ip",		required_argument, NULL, OPT_MAX_PER_IP },
	{ "no-sched-batch",	no_argument,	   NULL, OPT_NO_SCHED_BATCH },
	{ "min-rate",		required_argument, NULL, OPT_MIN_RATE },
	{ "header-timeout",	required_argument, NULL, OPT_HEADER_TIMEOUT },
	{ "idle-timeout",	required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "keepalive-timeout",	required_argument, NULL, OPT_KEEPALIVE_TIMEOUT },
	{ "transfer-timeout",	required_argument, NULL, OPT_TRANSFER_TIMEOUT },
	{ "grace",		required_argument, NULL, OPT_GRACE },
	{ "daemon",		no_argument,	   NULL, 'd' },
	{ "pid-file",		required_argument, NULL, OPT_PID_FILE },
	{ "log-file",		required_argument, NULL, OPT_LOG_FILE },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 }
};

static void	 usage(FILE *, int) __attribute__((noreturn));
static void	 version(void) __attribute__((noreturn));
static unsigned long long bytes(const char *flag, const char *arg);
static unsigned	 number(const char *flag, const char *arg, unsigned min,
		    unsigned max);
static int	 port_number(const char *flag, const char *arg);
static void	 check_config(void);
static void	 cleanup_files(void);

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: wharfd [options]\n"
"Serve one directory tree over WHARF/1 and HTTP/1.1.\n"
"\n"
"Store and listeners:\n"
"  -r, --root DIR            directory to serve (default: .)\n"
"  -w, --writable            allow uploads, deletes, mkdir, rename\n"
"                            (default: read-only)\n"
"  -p, --port PORT           WHARF/1 port, 0 = any free, off = none\n"
"                            (default: 2121)\n"
"      --http-port PORT      HTTP port, 0 = any free, off = none\n"
"                            (default: 8080)\n"
"  -l, --listen ADDR         address or host name to listen on; repeat\n"
"                            for several; 'any' or '*' = all addresses\n"
"                            (default: all, IPv4 and IPv6)\n"
"      --port-file FILE      write 'wharf PORT' and 'http PORT' lines to\n"
"                            FILE once listening (atomically)\n"
"      --notsent-lowat SIZE  most bytes queued unsent on a connection\n"
"                            (TCP_NOTSENT_LOWAT), 0 = the system's\n"
"                            (default: %uK)\n"
"      --max-upload SIZE     largest upload in bytes (K, M, G, T suffixes),\n"
"                            0 = no limit (default: 0)\n"
"      --no-fsync            do not fsync uploads before answering (fast,\n"
"                            not durable across a power loss)\n"
"      --no-clobber          HTTP uploads never replace a file: 409, or\n"
"                            a renamed copy 'name (1).ext' with ?keep\n"
"      --partial-age S       remove what interrupted uploads left (WHARF/1\n"
"                            partials, temporaries) once untouched this\n"
"                            long, 0 = never (default: %u)\n"
"\n"
"HTTP:\n"
"      --access-log FILE     log every request to FILE, Combined Log\n"
"                            Format (reopened on USR1)\n"
"      --status              serve the pool's state as JSON at\n"
"                            /.wharf/status\n"
"      --status-allow WHO    loopback or any: who may see it\n"
"                            (default: loopback)\n"
"      --share-dir DIR       page template and assets (default: the\n"
"                            installed ones, else ../share beside wharfd,\n"
"                            else the source tree it was built from)\n"
"\n"
"Users:\n"
"      --user-file FILE      users, lines NAME:HASH:ROLE (ROLE rw or ro)\n"
"      --anonymous MODE      none, read or write: what clients that have\n"
"                            not logged in may do (default: read with a\n"
"                            user file, else write if --writable)\n"
"      --hash-password       read a password from stdin, print its hash\n"
"                            for the user file, and exit\n"
"\n"
"Pool of children:\n"
"      --start-children N    children forked at start (default: %u)\n"
"      --min-spare N         fork when fewer are idle (default: %u)\n"
"      --max-spare N         retire when more are idle (default: %u)\n"
"      --shrink-after S      retire them, one a second, only after S\n"
"                            seconds without forking for a shortage\n"
"                            (default: %u)\n"
"      --max-children N      most children at once (default: %u)\n"
"      --max-requests N      connections a child serves before it is\n"
"                            replaced, 0 = no limit (default: %u)\n"
"      --max-per-ip N        connections at once from one address; more\n"
"                            are refused (421, 503), 0 = no limit\n"
"                            (default: half of --max-children)\n"
"      --no-sched-batch      children keep the policy wharfd started with\n"
"                            (default: SCHED_OTHER becomes SCHED_BATCH,\n"
"                            no wake-up preemption)\n"
"\n"
"Deadlines, in seconds:\n"
"      --header-timeout S    whole command line or request header,\n"
"                            from its first byte (default: %u)\n"
"      --idle-timeout S      WHARF/1 wait for the next command\n"
"                            (default: %u)\n"
"      --keepalive-timeout S HTTP wait for the next request (default: %u)\n"
"      --transfer-timeout S  a transfer that moves no byte (default: %u)\n"
"      --min-rate BYTES      end a transfer slower than this on average\n"
"                            over --transfer-timeout, 0 = off\n"
"                            (default: %u)\n"
"      --grace S             time to finish transfers on SIGTERM\n"
"                            (default: %u)\n"
"\n"
"Privileges (when started as root):\n"
"      --user NAME           children run as this user\n"
"      --group NAME          ... and group (default: the user's group)\n"
"      --chroot              children chroot to the root directory\n"
"\n"
"Process:\n"
"  -d, --daemon              detach into the background\n"
"      --pid-file FILE       write the master's pid to FILE\n"
"      --log-file FILE       log to FILE instead of stderr\n"
"      --syslog              log to syslog (facility daemon) instead\n"
"  -v, --verbose             log debugging detail\n"
"  -h, --help                show this help and exit\n"
"  -V, --version             show version and libraries and exit\n"
"\n"
"Signals: TERM/INT stop gracefully, HUP restarts the children, USR1\n"
"reopens the log file. See wharfd(8).\n",
	    conf_defaults.c_notsent_lowat / 1024, conf_defaults.c_partial_age,
	    conf_defaults.c_start_children, conf_defaults.c_min_spare,
	    conf_defaults.c_max_spare, conf_defaults.c_shrink_after,
	    conf_defaults.c_max_children,
	    conf_defaults.c_max_requests, conf_defaults.c_header_timeout,
	    conf_defaults.c_idle_timeout, conf_defaults.c_keepalive_timeout,
	    conf_defaults.c_transfer_timeout, conf_defaults.c_min_rate,
	    conf_defaults.c_grace);
	exit(status);
}

static void
version(void)
{
	printf("wharfd %s (libmagic %d.%02d, zlib %s)\n", PACKAGE_VERSION,
	    magic_version() / 100, magic_version() % 100, zlibVersion());
	exit(EXIT_OK);
}

static unsigned long long
bytes(const char *flag, const char *arg)
{
	unsigned long long	 n, mult = 1;
	char			 num[32], *end;
	size_t			 len = strlen(arg);

	if (len == 0 || len >= sizeof(num))
		goto bad;
	memcpy(num, arg, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': mult = 1ULL << 10; break;
	case 'm': case 'M': mult = 1ULL << 20; break;
	case 'g': case 'G': mult = 1ULL << 30; break;
	case 't': case 'T': mult = 1ULL << 40; break;
	}
	if (mult != 1)
		num[--len] = '\0';
	if (len == 0 || num[0] == '-')
		goto bad;
	errno = 0;
	n = strtoull(num, &end, 10);
	if (*end != '\0' || errno != 0 || n > ~0ULL / mult)
		goto bad;
	return (n * mult);
bad:
	errx(EXIT_USAGE, "%s %s: expected a size in bytes, with an optional "
	    "K, M, G or T suffix", flag, arg);
}

static unsigned
number(const char *flag, const char *arg, unsigned min, unsigned max)
{
	unsigned long	 n;
	char		*end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || *arg == '-' || errno != 0 ||
	    n < min || n > max)
		errx(EXIT_USAGE, "%s %s: expected a number from %u to %u",
		    flag, arg, min, max);
	return ((unsigned)n);
}

static int
port_number(const char *flag, const char *arg)
{
	if (strcmp(arg, "off") == 0)
		return (-1);
	return ((int)number(flag, arg, 0, 65535));
}

static void
check_config(void)
{
	unsigned long long	 quiet;

	if (conf.c_anonymous == -1)
		conf.c_anonymous = conf.c_user_file != NULL ? ANON_READ :
		    conf.c_writable ? ANON_WRITE : ANON_READ;
	if (conf.c_anonymous == ANON_WRITE && !conf.c_writable)
		conf.c_anonymous = ANON_READ;
	if (conf.c_anonymous == ANON_NONE && conf.c_user_file == NULL)
		errx(EXIT_USAGE, "--anonymous none needs --user-file: nobody "
		    "could log in");
	if (conf.c_port < 0 && conf.c_http_port < 0)
		errx(EXIT_USAGE, "--port off and --http-port off: nothing to "
		    "serve");
	if (conf.c_min_spare > conf.c_max_spare)
		errx(EXIT_USAGE, "--min-spare %u is larger than --max-spare %u",
		    conf.c_min_spare, conf.c_max_spare);
	if (conf.c_start_children > conf.c_max_children)
		errx(EXIT_USAGE, "--start-children %u is larger than "
		    "--max-children %u", conf.c_start_children,
		    conf.c_max_children);
	if (conf.c_min_spare > conf.c_max_children)
		errx(EXIT_USAGE, "--min-spare %u is larger than "
		    "--max-children %u", conf.c_min_spare,
		    conf.c_max_children);
	/*
	 * Longer than an upload in progress can leave its temporary alone:
	 * no byte for --transfer-timeout, or the CRC32 line's wait. (This
	 * pool's own are safe anyway; another instance's on a shared store
	 * are not, see sweep.c.)
	 */
	quiet = (unsigned long long)conf.c_idle_timeout +
	    conf.c_header_timeout;
	if (quiet < conf.c_transfer_timeout)
		quiet = conf.c_transfer_timeout;
	if (conf.c_writable && conf.c_partial_age > 0 &&
	    conf.c_partial_age <= quiet)
		errx(EXIT_USAGE, "--partial-age %u must be longer than "
		    "--transfer-timeout %u and than --idle-timeout %u plus "
		    "--header-timeout %u", conf.c_partial_age,
		    conf.c_transfer_timeout, conf.c_idle_timeout,
		    conf.c_header_timeout);
	/*
	 * One address may hold half the pool: a flood from one host (a
	 * slowloris, a runaway script) leaves the other half to everyone
	 * else, and one real client never needs that many.
	 */
	if (conf.c_max_per_ip == MAX_PER_IP_AUTO)
		conf.c_max_per_ip = conf.c_max_children > 1 ?
		    conf.c_max_children / 2 : 1;
}

static void
cleanup_files(void)
{
	if (conf.c_pid_file != NULL)
		(void)unlink(conf.c_pid_file);
	if (conf.c_port_file != NULL)
		(void)unlink(conf.c_port_file);
}

int
main(int argc, char *argv[])
{
	unsigned long long	 lowat;
	int			 ch, status;

	conf = conf_defaults;
	while ((ch = getopt_long(argc, argv, "dhl:p:r:vVw", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r':
			conf.c_root = optarg;
			break;
		case 'p':
			conf.c_port = port_number("--port", optarg);
			break;
		case OPT_HTTP_PORT:
			conf.c_http_port = port_number("--http-port", optarg);
			break;
		case 'l':
			if (conf.c_nlisten == LISTEN_MAX)
				errx(EXIT_USAGE, "--listen: at most %d "
				    "addresses", LISTEN_MAX);
			conf.c_listen[conf.c_nlisten++] = optarg;
			break;
		case OPT_PORT_FILE:
			conf.c_port_file = optarg;
			break;
		case 'w':
			conf.c_writable = 1;
			break;
		case OPT_USER_FILE:
			conf.c_user_file = optarg;
			break;
		case OPT_ANONYMOUS:
			if (strcmp(optarg, "none") == 0)
				conf.c_anonymous = ANON_NONE;
			else if (strcmp(optarg, "read") == 0)
				conf.c_anonymous = ANON_READ;
			else if (strcmp(optarg, "write") == 0)
				conf.c_anonymous = ANON_WRITE;
			else
				errx(EXIT_USAGE, "--anonymous %s: expected "
				    "none, read or write", optarg);
			break;
		case OPT_PARTIAL_AGE:
			conf.c_partial_age = number("--partial-age", optarg, 0,
			    UINT_MAX);
			break;
		case OPT_MAX_UPLOAD:
			conf.c_max_upload = bytes("--max-upload", optarg);
			break;
		case OPT_NOTSENT_LOWAT:
			lowat = bytes("--notsent-lowat", optarg);
			if (lowat > NOTSENT_LOWAT_MAX)
				errx(EXIT_USAGE, "--notsent-lowat %s: at most %uM",
				    optarg, NOTSENT_LOWAT_MAX >> 20);
			conf.c_notsent_lowat = (unsigned)lowat;
			break;
		case OPT_NO_SCHED_BATCH:
			conf.c_no_sched_batch = 1;
			break;
		case OPT_NO_FSYNC:
			conf.c_no_fsync = 1;
			break;
		case OPT_USER:
			conf.c_user = optarg;
			break;
		case OPT_GROUP:
			conf.c_group = optarg;
			break;
		case OPT_CHROOT:
			conf.c_chroot = 1;
			break;
		case OPT_SYSLOG:
			conf.c_syslog = 1;
			break;
		case OPT_HASH_PASSWORD:
			exit(users_hash_password());
		case OPT_NO_CLOBBER:
			conf.c_no_clobber = 1;
			break;
		case OPT_ACCESS_LOG:
			conf.c_access_log = optarg;
			break;
		case OPT_STATUS:
			conf.c_status = 1;
			break;
		case OPT_STATUS_ALLOW:
			if (strcmp(optarg, "any") == 0)
				conf.c_status_any = 1;
			else if (strcmp(optarg, "loopback") == 0)
				conf.c_status_any = 0;
			else
				errx(EXIT_USAGE, "--status-allow %s: expected "
				    "any or loopback", optarg);
			break;
		case OPT_SHARE_DIR:
			conf.c_share_dir = optarg;
			break;
		case OPT_START:
			conf.c_start_children = number("--start-children",
			    optarg, 0, 4096);
			break;
		case OPT_MIN_SPARE:
			conf.c_min_spare = number("--min-spare", optarg, 1,
			    4096);
			break;
		case OPT_MAX_SPARE:
			conf.c_max_spare = number("--max-spare", optarg, 1,
			    4096);
			break;
		case OPT_SHRINK_AFTER:
			conf.c_shrink_after = number("--shrink-after", optarg,
			    0, 86400);
			break;
		case OPT_MAX_CHILDREN:
			conf.c_max_children = number("--max-children", optarg,
			    1, 4096);
			break;
		case OPT_MIN_RATE:
			if (bytes("--min-rate", optarg) > UINT_MAX)
				errx(EXIT_USAGE, "--min-rate %s: at most %u "
				    "bytes per second", optarg, UINT_MAX);
			conf.c_min_rate = (unsigned)bytes("--min-rate",
			    optarg);
			break;
		case OPT_MAX_PER_IP:
			conf.c_max_per_ip = number("--max-per-ip", optarg, 0,
			    65535);
			break;
		case OPT_MAX_REQUESTS:
			conf.c_max_requests = number("--max-requests", optarg,
			    0, UINT_MAX);
			break;
		case OPT_HEADER_TIMEOUT:
			conf.c_header_timeout = number("--header-timeout",
			    optarg, 1, 3600);
			break;
		case OPT_IDLE_TIMEOUT:
			conf.c_idle_timeout = number("--idle-timeout", optarg,
			    1, 86400);
			break;
		case OPT_KEEPALIVE_TIMEOUT:
			conf.c_keepalive_timeout = number("--keepalive-timeout",
			    optarg, 1, 3600);
			break;
		case OPT_TRANSFER_TIMEOUT:
			conf.c_transfer_timeout = number("--transfer-timeout",
			    optarg, 1, 86400);
			break;
		case OPT_GRACE:
			conf.c_grace = number("--grace", optarg, 0, 86400);
			break;
		case 'd':
			conf.c_daemon = 1;
			break;
		case OPT_PID_FILE:
			conf.c_pid_file = optarg;
			break;
		case OPT_LOG_FILE:
			conf.c_log_file = optarg;
			break;
		case 'v':
			conf.c_verbose = 1;
			break;
		case 'h':
			usage(stdout, EXIT_OK);
		case 'V':
			version();
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc)
		errx(EXIT_USAGE, "unexpected argument '%s'; see wharfd --help",
		    argv[optind]);
	check_config();

	log_init(conf.c_verbose);
	log_procname("master");
	if (conf.c_user_file != NULL) {
		char	 msg[512];

		if (users_load(conf.c_user_file, msg, sizeof(msg)) == -1)
			errx(EXIT_USAGE, "--user-file %s", msg);
	}
	if (conf.c_log_file != NULL && conf.c_syslog)
		errx(EXIT_USAGE, "--log-file and --syslog: choose one");
	if (conf.c_log_file != NULL && log_open_file(conf.c_log_file) == -1)
		err(EXIT_USAGE, "--log-file %s", conf.c_log_file);
	if (conf.c_syslog && log_open_syslog("wharfd") == -1)
		warnx("--syslog: %s: %s: no syslog daemon listens there; log "
		    "lines are lost until one does", _PATH_LOG,
		    strerror(errno));
	if (store_open(&store, conf.c_root, conf.c_writable) == -1)
		err(EXIT_USAGE, "--root %s", conf.c_root);
	store.st_fsync = !conf.c_no_fsync;
	store.st_upload_hook = child_upload_note;
	if (conf.c_http_port >= 0) {
		char	 msg[512];

		/* libmagic, page assets, access log: once, before the fork. */
		if (http_init(msg, sizeof(msg)) == -1)
			errx(EXIT_USAGE, "%s", msg);
	} else if (conf.c_access_log != NULL &&
	    access_log_open(conf.c_access_log) == -1)
		err(EXIT_USAGE, "--access-log %s", conf.c_access_log);
	listen_open_all();
	privsep_init();
	if (conf.c_daemon && daemon_detach() == -1)
		err(EXIT_RUNTIME, "cannot detach");
	if (conf.c_pid_file != NULL &&
	    daemon_write_pid_file(conf.c_pid_file) == -1)
		err(EXIT_USAGE, "--pid-file %s", conf.c_pid_file);
	if (conf.c_port_file != NULL &&
	    listen_write_port_file(conf.c_port_file) == -1) {
		cleanup_files();
		err(EXIT_USAGE, "--port-file %s", conf.c_port_file);
	}
	daemon_ready();
	log_info("serving %s (%s)%s", conf.c_root,
	    conf.c_writable ? "writable" : "read-only",
	    conf.c_daemon ? " as a daemon" : "");
	for (size_t i = 0; i < nlisteners; i++)
		log_info("listening for %s on %s",
		    listeners[i].l_proto == PROTO_WHARF ? "WHARF/1" : "HTTP",
		    listeners[i].l_name);
	status = prefork_run();
	cleanup_files();
	store_close(&store);
	return (status);
}
