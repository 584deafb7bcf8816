/*
 * io.c: the one place where reads and writes retry EINTR and loop over
 * short counts.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

ssize_t
io_read(int fd, void *p, size_t n)
{
	ssize_t	 r;

	do
		r = read(fd, p, n);
	while (r == -1 && errno == EINTR);
	return (r);
}

ssize_t
io_write(int fd, const void *p, size_t n)
{
	ssize_t	 r;

	do
		r = write(fd, p, n);
	while (r == -1 && errno == EINTR);
	return (r);
}

int
io_write_full(int fd, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 r;

	while (n > 0) {
		if ((r = io_write(fd, s, n)) == -1)
			return (-1);
		s += r;
		n -= (size_t)r;
	}
	return (0);
}

ssize_t
io_read_full(int fd, void *p, size_t n)
{
	char	*s = p;
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		if ((r = io_read(fd, s + got, n - got)) == -1)
			return (-1);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return ((ssize_t)got);
}

int64_t
io_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
io_wait(int fd, short events, int64_t deadline, const sigset_t *sigmask,
    short *revents)
{
	struct pollfd	 pfd;
	struct timespec	 ts, *tsp = NULL;
	int64_t		 left;
	int		 r;

	pfd.fd = fd;
	pfd.events = events;
	pfd.revents = 0;
	if (deadline >= 0) {
		left = deadline - io_now_ms();
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		tsp = &ts;
	}
	r = ppoll(&pfd, 1, tsp, sigmask);
	if (r == -1)
		return (-1);
	if (r == 0)
		return (0);
	if (revents != NULL)
		*revents = pfd.revents;
	return (1);
}

int
io_set_nonblock(int fd, int on)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return (fcntl(fd, F_SETFL, fl));
}
