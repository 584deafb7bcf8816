/*
 * daemon.c: --daemon and --pid-file.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon.h"
#include "io.h"
#include "log.h"

static int	 daemon_pipe = -1;

int
daemon_detach(void)
{
	pid_t	 pid;
	int	 fds[2];
	char	 c;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return (-1);
	switch (pid = fork()) {
	case -1:
		return (-1);
	case 0:
		close(fds[0]);
		daemon_pipe = fds[1];
		break;
	default:
		close(fds[1]);
		_exit(io_read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	if (setsid() == -1)
		return (-1);
	return (0);
}

void
daemon_ready(void)
{
	int	 fd;

	if (daemon_pipe == -1)
		return;
	(void)io_write(daemon_pipe, "R", 1);
	close(daemon_pipe);
	daemon_pipe = -1;
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	if (log_fd() != STDERR_FILENO)
		(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

int
daemon_write_pid_file(const char *path)
{
	char	 tmp[4096], text[32];
	int	 fd, n, len;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return (-1);
	if (io_write_full(fd, text, (size_t)len) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		int	 saved = errno;

		(void)unlink(tmp);
		errno = saved;
		return (-1);
	}
	return (0);
}
