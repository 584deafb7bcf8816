/*
 * conn.c: deadline-keeping I/O on a client socket. Every call on the
 * socket is non-blocking (O_NONBLOCK, or MSG_DONTWAIT on a blocking
 * socket) and every wait is a ppoll with the child's wait mask, so a stop
 * request interrupts an idle connection but not a transfer; except the
 * wait for a keep-alive client's next request, which is one blocking read
 * (see conn_fill).
 */
#define _GNU_SOURCE
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "conn.h"
#include "io.h"
#include "log.h"
#include "wharfd.h"

/*
 * A child serves one connection at a time, so one input buffer serves all
 * of them: static, it costs no malloc per connection, and a small request
 * touches one page of it.
 */
static char	 conn_inbuf[CONN_INBUF_MAX + 1];

static ssize_t	 conn_fill_wait(struct conn *, int64_t deadline, int how);
static int	 conn_wait_out(struct conn *, int64_t deadline);
static int	 conn_rate(struct conn *, size_t moved, int64_t waited);

void
conn_init(struct conn *c)
{
	buf_init_fixed(&c->c_in, conn_inbuf, sizeof(conn_inbuf));
}

void
conn_close(struct conn *c)
{
	if (c->c_fd != -1) {
		/*
		 * close() alone sends the FIN after what is queued: the child
		 * holds the only descriptor. (Unread bytes from the client
		 * make it a reset either way; http_drain reads them first.)
		 */
		close(c->c_fd);
		c->c_fd = -1;
	}
	buf_free(&c->c_in);
}

int64_t
conn_deadline(unsigned seconds)
{
	return (io_now_ms() + (int64_t)seconds * 1000);
}

ssize_t
conn_fill(struct conn *c, int64_t deadline, int how)
{
	ssize_t	 n;

	if (how != CONN_IDLE)
		return (conn_fill_wait(c, deadline, how));
	child_idle_begin(c->c_fd);
	n = conn_fill_wait(c, deadline, how);
	child_idle_end();
	/* Our signal handler shut the reading side: not the client's end. */
	if (n == 0 && child_idle_why != 0) {
		errno = child_idle_why;
		return (-1);
	}
	return (n);
}

static ssize_t
conn_fill_wait(struct conn *c, int64_t deadline, int how)
{
	ssize_t	 n;
	size_t	 room;
	char	*dst;
	int	 r, pending;

	buf_compact(&c->c_in);
	room = c->c_in.b_max - c->c_in.b_len;
	if (room == 0) {
		errno = ENOBUFS;
		return (-1);
	}
	if (room > 16384)
		room = 16384;
	if (buf_reserve(&c->c_in, room) == -1)
		return (-1);
	dst = (char *)c->c_in.b_data + c->c_in.b_len;
	/*
	 * Between requests on a blocking socket: a keep-alive client sends
	 * its next request after our answer, and one blocking read both
	 * waits for it and reads it, where ppoll and read were two system
	 * calls. SO_RCVTIMEO ends it after CONN_BLOCK_MS (EAGAIN), and a
	 * stop or shed shuts the socket (child_signal); either way the loop
	 * below takes over.
	 */
	if (how == CONN_IDLE && c->c_blocking && !c->c_drained) {
		/* A new connection's request is usually in already
		 * (TCP_DEFER_ACCEPT): no need to open the signals. */
		if ((n = recv(c->c_fd, dst, room, MSG_DONTWAIT)) >= 0)
			goto got;
		if (errno != EAGAIN && errno != EINTR)
			return (-1);
		c->c_drained = 1;
	}
	while (how == CONN_IDLE && c->c_blocking && !child_stopping &&
	    !child_shed && deadline - io_now_ms() >= CONN_BLOCK_MS) {
		child_open_signals();
		n = recv(c->c_fd, dst, room, 0);
		if (n >= 0)
			goto got;
		if (errno != EAGAIN && errno != EINTR)
			return (-1);
		child_housekeeping();
	}
	pending = how == CONN_IDLE && (child_stopping || child_shed);
	/*
	 * When the last read left the socket empty, this one would nearly
	 * always fail with EAGAIN: a keep-alive client sends its next
	 * request after our answer. Wait first, one system call fewer per
	 * request. Not with a stop or a shed pending: then bytes already
	 * sent must be looked at first, below.
	 */
	if (c->c_drained && !pending) {
		r = io_wait(c->c_fd, POLLIN, deadline, &child_waitmask, NULL);
		if (r == 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		if (r == -1 && errno != EINTR)
			return (-1);
		if (r == -1)
			child_housekeeping();
	}
	c->c_drained = 0;
	for (;;) {
		/* Bytes already sent always win over a stop or a shed. */
		n = recv(c->c_fd, dst, room, MSG_DONTWAIT);
		if (n >= 0)
			goto got;
		if (errno != EAGAIN && errno != EINTR)
			return (-1);
		if (how == CONN_IDLE && child_stopping) {
			errno = ESHUTDOWN;
			return (-1);
		}
		if (how == CONN_IDLE && child_should_shed()) {
			errno = EBUSY;
			return (-1);
		}
		r = io_wait(c->c_fd, POLLIN, deadline, &child_waitmask, NULL);
		if (r == 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		if (r == -1 && errno != EINTR)
			return (-1);
		child_housekeeping();
	}
got:
	c->c_in.b_len += (size_t)n;
	c->c_in.b_data[c->c_in.b_len] = '\0';
	c->c_drained = n > 0 && (size_t)n < room;
	return (n);
}

/*
 * --min-rate: in a transfer, count the time spent waiting for the client
 * and the bytes moved meanwhile. Once the waits add up to
 * --transfer-timeout seconds, the bytes must average --min-rate per second
 * of waiting, or the transfer ends (ETIMEDOUT). Time between requests is
 * never counted, so a slow typist is not a slow transfer; a slow-read or
 * slow-body client holds a child for one window, not as long as it likes.
 */
static int
conn_rate(struct conn *c, size_t moved, int64_t waited)
{
	int64_t	 window = (int64_t)conf.c_transfer_timeout * 1000;

	if (conf.c_min_rate == 0)
		return (0);
	c->c_rate_bytes += moved;
	c->c_rate_waited += waited;
	if (c->c_rate_waited < window)
		return (0);
	if (c->c_rate_bytes * 1000 <
	    (uint64_t)conf.c_min_rate * (uint64_t)c->c_rate_waited) {
		log_info("%s: slower than --min-rate %u bytes/s; closing",
		    c->c_peer, conf.c_min_rate);
		errno = ETIMEDOUT;
		return (-1);
	}
	c->c_rate_waited = 0;
	c->c_rate_bytes = 0;
	return (0);
}

static int
conn_wait_out(struct conn *c, int64_t deadline)
{
	int64_t	 t0 = io_now_ms();
	int	 r;

	for (;;) {
		r = io_wait(c->c_fd, POLLOUT, deadline, &child_waitmask, NULL);
		if (r == 1)
			return (conn_rate(c, 0, io_now_ms() - t0));
		if (r == 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		if (errno != EINTR)
			return (-1);
		child_housekeeping();
	}
}

int
conn_writev(struct conn *c, struct iovec *iov, int iovcnt)
{
	struct msghdr	 msg;
	ssize_t		 n;
	size_t		 left;
	int		 more = c->c_more ? MSG_MORE : 0;

	c->c_more = 0;
	while (iovcnt > 0 && iov->iov_len == 0) {
		iov++;
		iovcnt--;
	}
	while (iovcnt > 0) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)iovcnt;
		n = sendmsg(c->c_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL | more);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return (-1);
			if (conn_wait_out(c,
			    conn_deadline(conf.c_transfer_timeout)) == -1)
				return (-1);
			continue;
		}
		c->c_sent += (uint64_t)n;
		if (conn_rate(c, (size_t)n, 0) == -1)
			return (-1);
		left = (size_t)n;
		while (iovcnt > 0 && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
	return (0);
}

int
conn_write(struct conn *c, const void *p, size_t n)
{
	struct iovec	 iov;

	iov.iov_base = (void *)p;
	iov.iov_len = n;
	return (conn_writev(c, &iov, 1));
}

/*
 * In a transfer, wait for client bytes: --transfer-timeout, and the wait
 * counts for --min-rate. 0 to try again, or -1 with errno.
 */
static int
conn_wait_in(struct conn *c)
{
	int64_t	 t0 = io_now_ms();
	int	 w;

	w = io_wait(c->c_fd, POLLIN, conn_deadline(conf.c_transfer_timeout),
	    &child_waitmask, NULL);
	if (w == 1 && conn_rate(c, 0, io_now_ms() - t0) == -1)
		return (-1);
	if (w == 0) {
		errno = ETIMEDOUT;
		return (-1);
	}
	if (w == -1 && errno != EINTR)
		return (-1);
	child_housekeeping();
	return (0);
}

ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t	 r;

	if (buf_avail(&c->c_in) > 0) {
		if (n > buf_avail(&c->c_in))
			n = buf_avail(&c->c_in);
		memcpy(p, buf_head(&c->c_in), n);
		buf_consume(&c->c_in, n);
		return ((ssize_t)n);
	}
	/* Bytes taken past c_in: what conn_fill knew of the socket is stale. */
	c->c_drained = 0;
	for (;;) {
		r = recv(c->c_fd, p, n, MSG_DONTWAIT);
		if (r >= 0)
			return (conn_rate(c, (size_t)r, 0) == -1 ? -1 : r);
		if (errno != EAGAIN && errno != EINTR)
			return (-1);
		if (conn_wait_in(c) == -1)
			return (-1);
	}
}

ssize_t
conn_splice_in(struct conn *c, int pipefd, size_t n)
{
	ssize_t	 r;

	if (buf_avail(&c->c_in) > 0) {
		errno = EINVAL;
		return (-1);
	}
	/*
	 * splice(2) takes no MSG_DONTWAIT and would wait on a blocking
	 * socket: non-blocking for good, as for sendfile.
	 */
	if (c->c_blocking) {
		if (io_set_nonblock(c->c_fd, 1) == -1)
			return (-1);
		c->c_blocking = 0;
	}
	c->c_drained = 0;
	for (;;) {
		r = splice(c->c_fd, NULL, pipefd, NULL, n,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (r >= 0)
			return (conn_rate(c, (size_t)r, 0) == -1 ? -1 : r);
		if (errno != EAGAIN && errno != EINTR)
			return (-1);
		if (conn_wait_in(c) == -1)
			return (-1);
	}
}

int
conn_sendfile(struct conn *c, int fd, off_t *offset, size_t n)
{
	ssize_t	 r;

	/*
	 * sendfile(2) takes no MSG_DONTWAIT: the socket becomes
	 * non-blocking for good, and this connection's waits between
	 * requests are ppolls again.
	 */
	if (c->c_blocking && n > 0) {
		if (io_set_nonblock(c->c_fd, 1) == -1)
			return (-1);
		c->c_blocking = 0;
	}
	while (n > 0) {
		r = sendfile(c->c_fd, fd, offset,
		    n > CONN_SENDFILE_MAX ? CONN_SENDFILE_MAX : n);
		if (r > 0) {
			n -= (size_t)r;
			c->c_sent += (uint64_t)r;
			/* The status view sees a big download move. */
			if (child_slot != NULL)
				child_slot->sl_bytes += (uint64_t)r;
			if (conn_rate(c, (size_t)r, 0) == -1)
				return (-1);
			continue;
		}
		if (r == 0) {
			errno = ENODATA;
			return (-1);
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return (-1);
		if (conn_wait_out(c, conn_deadline(conf.c_transfer_timeout)) ==
		    -1)
			return (-1);
	}
	return (0);
}

int
conn_printf(struct conn *c, const char *fmt, ...)
{
	char	 line[4096];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = EINVAL;
		return (-1);
	}
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	return (conn_write(c, line, (size_t)n));
}
