/*
 * access_log.c: the HTTP access log in the Combined Log Format
 *   host - user [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 2326
 *   "referer" "agent"
 * opened once in the master (children inherit the descriptor, so a later
 * chroot does not matter) and reopened there on SIGUSR1, after which the
 * master replaces the children so that they write to the new file. Every
 * byte
 * that came from a client goes through log_escape().
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "io.h"
#include "log.h"

static int	 alog_fd = -1;
static char	*alog_path;

static const char *alog_time(void);

int
access_log_open(const char *path)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return (-1);
	if (alog_fd != -1)
		close(alog_fd);
	alog_fd = fd;
	free(alog_path);
	if ((alog_path = strdup(path)) == NULL)
		return (-1);
	return (0);
}

int
access_log_reopen(void)
{
	int	 fd;

	if (alog_path == NULL)
		return (0);
	fd = open(alog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return (-1);
	close(alog_fd);
	alog_fd = fd;
	return (0);
}

int
access_log_enabled(void)
{
	return (alog_fd != -1);
}

/* "10/Oct/2000:13:55:36 +0000", formatted once per second. */
static const char *
alog_time(void)
{
	static time_t	 cached;	/* zero: .data stays unwritten */
	static char	 out[40];
	struct tm	 tm;
	time_t		 now = time(NULL);

	if (now != cached || out[0] == '\0') {
		localtime_r(&now, &tm);
		strftime(out, sizeof(out), "%d/%b/%Y:%H:%M:%S %z", &tm);
		cached = now;
	}
	return (out);
}

void
access_log_wharf(const char *host, const char *user, const char *verb,
    const char *path, int code, uint64_t bytes, long long ms)
{
	char	 line[2048], esc[1024], who[160], size[24];
	int	 n;

	if (alog_fd == -1)
		return;
	log_escape(esc, sizeof(esc), path, strlen(path));
	log_escape(who, sizeof(who), user, strlen(user));
	if (bytes == 0)
		strcpy(size, "-");
	else
		snprintf(size, sizeof(size), "%llu", (unsigned long long)bytes);
	n = snprintf(line, sizeof(line), "%s - %s [%s] \"%s /%s WHARF/1\" %d "
	    "%s %lldms\n", host, who[0] ? who : "-", alog_time(), verb, esc,
	    code, size, ms);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)io_write(alog_fd, line, (size_t)n);
}

void
access_log_request(const char *host, const char *user, const char *reqline,
    int status, uint64_t bytes, const char *referer, const char *agent)
{
	char	 line[2048], req[768], ref[384], ua[384], who[160], size[24];
	int	 n;

	if (alog_fd == -1)
		return;
	log_escape(req, sizeof(req), reqline, strlen(reqline));
	log_escape(who, sizeof(who), user, strlen(user));
	if (referer != NULL)
		log_escape(ref, sizeof(ref), referer, strlen(referer));
	else
		strcpy(ref, "-");
	if (agent != NULL)
		log_escape(ua, sizeof(ua), agent, strlen(agent));
	else
		strcpy(ua, "-");
	if (bytes == 0)
		strcpy(size, "-");
	else
		snprintf(size, sizeof(size), "%llu", (unsigned long long)bytes);
	n = snprintf(line, sizeof(line), "%s - %s [%s] \"%s\" %d %s \"%s\" "
	    "\"%s\"\n", host, who[0] ? who : "-", alog_time(), req, status,
	    size, ref, ua);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)io_write(alog_fd, line, (size_t)n);
}
