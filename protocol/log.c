/*
 * log.c: the daemon's log lines (after OpenBSD's log.c): time, process
 * name, message; one write(2) per line so that lines from many children
 * appending to one file never interleave.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "log.h"

static int	 log_out = STDERR_FILENO;
static int	 log_verbose;
static char	 log_name[48] = "wharfd";
static char	 log_forked_role[16];	/* log_forked_name() */
static pid_t	 log_forked_from;
static char	*log_path;
static int	 log_syslog;

static void	 log_vline(int, const char *, int, const char *, va_list);

void
log_init(int verbose)
{
	log_verbose = verbose;
	log_out = STDERR_FILENO;
}

void
log_procname(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(log_name, sizeof(log_name), fmt, ap);
	va_end(ap);
}

void
log_forked_name(const char *role)
{
	snprintf(log_forked_role, sizeof(log_forked_role), "%s", role);
	log_forked_from = getpid();
}

/* This process's name for a line: log_name, or "role PID" if forked. */
static const char *
log_whoami(char *buf, size_t bufsz)
{
	pid_t	 pid;

	if (log_forked_role[0] == '\0' || (pid = getpid()) == log_forked_from)
		return (log_name);
	snprintf(buf, bufsz, "%s %ld", log_forked_role, (long)pid);
	return (buf);
}

int
log_open_file(const char *path)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return (-1);
	if (log_out != STDERR_FILENO)
		close(log_out);
	log_out = fd;
	free(log_path);
	if ((log_path = strdup(path)) == NULL)
		return (-1);
	return (0);
}

int
log_open_syslog(const char *ident)
{
	struct sockaddr_un	 sun;
	int			 fd, rv = -1, saved, type;

	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
	/* syslog(3) drops lines silently when nobody listens: look. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path) - 1);
	for (type = SOCK_DGRAM; rv == -1; type = SOCK_STREAM) {
		if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
			return (-1);
		rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		saved = errno;
		close(fd);
		errno = saved;
		if (type == SOCK_STREAM)
			break;
	}
	return (rv == -1 ? -1 : 0);
}

int
log_reopen(void)
{
	int	 fd;

	if (log_path == NULL)
		return (0);
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return (-1);
	close(log_out);
	log_out = fd;
	return (0);
}

int
log_fd(void)
{
	return (log_out);
}

char *
log_escape(char *dst, size_t dstsz, const void *src, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = src;
	size_t			 i, o = 0;
	char			 tmp[4];
	size_t			 n;

	if (dstsz == 0)
		return (dst);
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' || s[i] == '"') {
			tmp[0] = '\\';
			tmp[1] = (char)s[i];
			n = 2;
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			tmp[0] = (char)s[i];
			n = 1;
		} else {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[s[i] >> 4];
			tmp[3] = hex[s[i] & 0xf];
			n = 4;
		}
		if (o + n + 1 > dstsz) {
			/* Does not fit: end with "..." where there is room. */
			if (dstsz >= 4) {
				if (o > dstsz - 4)
					o = dstsz - 4;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, n);
		o += n;
	}
	dst[o] = '\0';
	return (dst);
}

/*
 * One line at syslog priority pri; level is the word the line carries in
 * a file (warnings carry none: what they say is plain enough).
 */
static void
log_vline(int pri, const char *level, int with_errno, const char *fmt,
    va_list ap)
{
	char		 line[2048], stamp[32], who[sizeof(log_forked_role) + 24];
	const char	*name;
	struct tm	 tm;
	time_t		 now;
	int		 saved = errno, n, m;

	name = log_whoami(who, sizeof(who));
	if (log_syslog) {
		vsnprintf(line, sizeof(line), fmt, ap);
		if (with_errno)
			syslog(pri, "%s: %s%s: %s", name, level, line,
			    strerror(saved));
		else
			syslog(pri, "%s: %s%s", name, level, line);
		errno = saved;
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s: %s", stamp, name, level);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	if (with_errno) {
		m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
		    strerror(saved));
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line) - 1)
			n = (int)sizeof(line) - 2;
	}
	line[n++] = '\n';
	(void)io_write(log_out, line, (size_t)n);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_WARNING, "", 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_WARNING, "", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_INFO, "", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vline(LOG_DEBUG, "debug: ", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_CRIT, "fatal: ", 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_CRIT, "fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
