/*
 * net.c: the client side of a WHARF/1 connection: connecting with a time
 * limit, buffered reads of lines and payload bytes, writes that never
 * raise SIGPIPE.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "net.h"

#define NET_READ	16384	/* bytes asked of the socket per fill */

static int	 net_try(const struct addrinfo *, int timeout, int *fdp);

/* Connect one address within timeout seconds. 0 or -1 (errno). */
static int
net_try(const struct addrinfo *ai, int timeout, int *fdp)
{
	struct timeval	 tv;
	socklen_t	 len;
	short		 revents;
	int		 fd, e, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1)
		return (-1);
	if (timeout > 0 && io_set_nonblock(fd, 1) == -1)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS || timeout <= 0)
			goto fail;
		for (;;) {
			r = io_wait(fd, POLLOUT, io_now_ms() + timeout * 1000LL,
			    NULL, &revents);
			if (r == -1 && errno == EINTR)
				continue;
			break;
		}
		if (r == -1)
			goto fail;
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		len = sizeof(e);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
			goto fail;
		if (e != 0) {
			errno = e;
			goto fail;
		}
	}
	if (timeout > 0) {
		if (io_set_nonblock(fd, 0) == -1)
			goto fail;
		tv.tv_sec = timeout;
		tv.tv_usec = 0;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	*fdp = fd;
	return (0);
fail:
	e = errno;
	close(fd);
	errno = e;
	return (-1);
}

int
net_connect(struct wconn *wc, const char *host, const char *port,
    int timeout, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, rv, saved = 0, on = 1;

	memset(wc, 0, sizeof(*wc));
	wc->wc_fd = -1;
	buf_init(&wc->wc_in, 1024 * 1024);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rv = getaddrinfo(host, port, &hints, &res)) != 0) {
		if (rv == EAI_NONAME || rv == EAI_NODATA)
			snprintf(err, errlen, "%s: host not found (check the "
			    "name, or give an address)", host);
		else if (rv == EAI_SERVICE)
			snprintf(err, errlen, "%s: not a port number or a "
			    "known service", port);
		else if (rv == EAI_SYSTEM)
			snprintf(err, errlen, "%s: %s", host, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", host, gai_strerror(rv));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (net_try(ai, timeout, &fd) == 0)
			break;
		saved = errno;
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errlen, "cannot connect to %s port %s: %s%s",
		    host, port, strerror(saved), saved == ECONNREFUSED ?
		    " (is wharfd running there?)" : "");
		return (-1);
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	wc->wc_fd = fd;
	return (0);
}

ssize_t
net_fill(struct wconn *wc)
{
	ssize_t	 n;

	buf_compact(&wc->wc_in);
	if (buf_reserve(&wc->wc_in, NET_READ) == -1)
		return (-1);
	n = io_read(wc->wc_fd, wc->wc_in.b_data + wc->wc_in.b_len, NET_READ);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errno = ETIMEDOUT;
	if (n > 0)
		wc->wc_in.b_len += (size_t)n;
	return (n);
}

long
net_line(struct wconn *wc)
{
	size_t	 termlen;
	long	 len;
	ssize_t	 n;

	for (;;) {
		if (buf_avail(&wc->wc_in) > 0) {
			len = wp_line_end(buf_head(&wc->wc_in),
			    buf_avail(&wc->wc_in), &termlen);
			if (len >= 0) {
				if ((size_t)len >= sizeof(wc->wc_line)) {
					errno = EPROTO;
					return (-1);
				}
				memcpy(wc->wc_line, buf_head(&wc->wc_in),
				    (size_t)len);
				wc->wc_line[len] = '\0';
				buf_consume(&wc->wc_in, (size_t)len + termlen);
				return (len);
			}
			if (buf_avail(&wc->wc_in) >= WP_LINE_MAX) {
				errno = EPROTO;
				return (-1);
			}
		}
		if ((n = net_fill(wc)) <= 0) {
			if (n == 0)
				errno = 0;
			return (-1);
		}
	}
}

int
net_reply(struct wconn *wc, struct wp_reply *wr)
{
	if (net_line(wc) == -1)
		return (-1);
	if (wp_parse_reply(wc->wc_line, wr) == -1) {
		errno = EPROTO;
		return (-1);
	}
	return (0);
}

ssize_t
net_read(struct wconn *wc, void *p, size_t n)
{
	size_t	 have = buf_avail(&wc->wc_in);
	ssize_t	 r;

	if (have > 0) {
		if (n > have)
			n = have;
		memcpy(p, buf_head(&wc->wc_in), n);
		buf_consume(&wc->wc_in, n);
		return ((ssize_t)n);
	}
	r = io_read(wc->wc_fd, p, n);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errno = ETIMEDOUT;
	return (r);
}

int
net_write(struct wconn *wc, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 r;

	while (n > 0) {
		r = send(wc->wc_fd, s, n, MSG_NOSIGNAL);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;
			return (-1);
		}
		s += r;
		n -= (size_t)r;
	}
	return (0);
}

int
net_command(struct wconn *wc, const char *fmt, ...)
{
	char	 line[WP_LINE_MAX];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	line[n++] = '\r';
	line[n++] = '\n';
	return (net_write(wc, line, (size_t)n));
}

const char *
net_strerror(int e)
{
	switch (e) {
	case 0:
		return ("the server closed the connection");
	case EPROTO:
		return ("the server sent something that is not WHARF/1");
	case ETIMEDOUT:
		return ("timed out waiting for the server (see --timeout)");
	default:
		return (strerror(e));
	}
}

void
net_close(struct wconn *wc)
{
	if (wc->wc_fd != -1)
		close(wc->wc_fd);
	wc->wc_fd = -1;
	buf_free(&wc->wc_in);
}
