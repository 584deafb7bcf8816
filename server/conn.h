/*
 * conn.h: one client connection as a child sees it: the socket, the peer,
 * the input buffer, and reads and writes that keep the deadlines.
 */
#ifndef WHARFD_CONN_H
#define WHARFD_CONN_H

#include <sys/types.h>
#include <sys/uio.h>

#include <netdb.h>
#include <stdint.h>

#include "buf.h"
#include "wharfd.h"

#define CONN_INBUF_MAX	(64 * 1024)	/* unparsed client bytes held */
/*
 * The longest a blocking read waits (SO_RCVTIMEO, set on the listeners):
 * a wait for the next request with at least this long to go is one
 * blocking read; it goes round again when the time is up. Shorter waits
 * are a ppoll with the exact deadline.
 */
#define CONN_BLOCK_MS	1000
/*
 * The most one sendfile(2) call is asked to send. One call for a whole
 * big file keeps the child in the kernel for as long as the socket takes
 * it (tens of MB on loopback), sending and taking ACKs on its own CPU;
 * bounded calls let the status view and --min-rate see the transfer move,
 * and on loopback measured 15-25% faster (t/bench/README).
 */
#define CONN_SENDFILE_MAX	(256 * 1024)

/* How a wait for client bytes may end early. */
#define CONN_BUSY	0	/* inside a request: only the deadline */
#define CONN_IDLE	1	/* between requests: also when stopping or
				   when the pool is full (ESHUTDOWN, EBUSY) */

struct conn {
	int			 c_fd;
	int			 c_proto;
	const struct listener	*c_listener;
	char			 c_addr[64];	/* numeric host */
	char			 c_peer[80];	/* host:port, [v6]:port */
	struct buf		 c_in;
	uint64_t		 c_sent;	/* bytes written */
	int			 c_drained;	/* last fill emptied the socket */
	int			 c_blocking;	/* the socket blocks: all but the
						   idle read pass MSG_DONTWAIT */
	int			 c_more;	/* the next write is a head
						   whose body follows at once */
	int64_t			 c_rate_waited;	/* --min-rate: ms waited */
	uint64_t		 c_rate_bytes;	/* ... bytes moved meanwhile */
};

void	 conn_init(struct conn *);
void	 conn_close(struct conn *);
/* Deadline n seconds from now, in io_now_ms() terms. */
int64_t	 conn_deadline(unsigned seconds);
/*
 * Read what the client has sent into c_in, waiting until deadline.
 * Returns bytes read, 0 at end of file, or -1 with errno ETIMEDOUT (the
 * deadline passed), ENOBUFS (c_in is full), ESHUTDOWN (how == CONN_IDLE
 * and the child is stopping), EBUSY (how == CONN_IDLE and the pool is
 * full, so this idle connection makes way) or the read error.
 */
ssize_t	 conn_fill(struct conn *, int64_t deadline, int how);
/*
 * Write everything; fails with ETIMEDOUT when the client accepts nothing
 * for --transfer-timeout seconds. Returns 0 or -1 (errno).
 */
int	 conn_write(struct conn *, const void *, size_t);
/*
 * With c_more set (it is cleared by the call), the write goes out with
 * MSG_MORE: the kernel holds a part segment for the body that follows, so
 * head and body share packets. Set it only when a body write follows at
 * once: a held segment with nothing after it waits ~200 ms for a timer.
 */
int	 conn_writev(struct conn *, struct iovec *, int);
/*
 * Read up to n payload bytes: first what c_in already holds, then from the
 * socket, waiting at most --transfer-timeout for any byte. Returns bytes
 * read, 0 at end of file, or -1 (errno; ETIMEDOUT for a stalled client).
 */
ssize_t	 conn_read(struct conn *, void *, size_t n);
/*
 * Up to n client bytes into pipefd, the write end of an empty pipe,
 * without copying them through user space (splice(2)), under the same
 * deadline and --min-rate as conn_read; only once c_in is empty (EINVAL
 * otherwise). Returns bytes, 0 at the end of the stream, or -1 with errno.
 */
ssize_t	 conn_splice_in(struct conn *, int pipefd, size_t n);
/*
 * Send n bytes of fd from *offset with sendfile(2), advancing *offset.
 * Returns 0, or -1 with errno (ETIMEDOUT for a stalled client, ENODATA
 * when the file ended early).
 */
int	 conn_sendfile(struct conn *, int fd, off_t *offset, size_t n);
int	 conn_printf(struct conn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
