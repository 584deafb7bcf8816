/*
 * net.h: the client's connection to a wharfd: connecting, reading reply
 * and entry lines and payload bytes, sending command lines and payloads.
 * Every read and write has the session's time limit.
 */
#ifndef WHARF_NET_H
#define WHARF_NET_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "wp.h"

struct wconn {
	int		 wc_fd;
	struct buf	 wc_in;		/* server bytes not yet used */
	char		 wc_line[WP_LINE_MAX];	/* last line read */
};

/* Connect to host:port, trying every address, each for at most timeout
 * seconds (0: the system's limit). Reads and writes then time out after
 * timeout seconds without progress. Returns 0 or -1 with a message a
 * person can act on in err (size errlen). */
int	 net_connect(struct wconn *, const char *host, const char *port,
	    int timeout, char *err, size_t errlen);
/* Read one line (terminator removed) into wc_line. Returns its length,
 * or -1: errno 0 when the server closed, EPROTO for an over-long line,
 * ETIMEDOUT, or the read's errno. */
long	 net_line(struct wconn *);
/* Read one reply line and parse it into *wr (text points into wc_line).
 * Returns 0, or -1 (errno as net_line; EPROTO: not a reply line). */
int	 net_reply(struct wconn *, struct wp_reply *);
/* Read up to n payload bytes: buffered bytes first, then the socket.
 * Returns the count, 0 when the server closed, -1 (errno). */
ssize_t	 net_read(struct wconn *, void *, size_t n);
/* Read more bytes into wc_in. Returns the count, 0 at end, -1 (errno). */
ssize_t	 net_fill(struct wconn *);
/* Write all n bytes (never raises SIGPIPE). 0 or -1 (errno). */
int	 net_write(struct wconn *, const void *, size_t n);
/* Send one command line (CRLF added). Returns 0 or -1 (errno;
 * ENAMETOOLONG when the line is over WP_LINE_MAX). */
int	 net_command(struct wconn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* A short description of why the last call failed, from errno. */
const char *net_strerror(int);
void	 net_close(struct wconn *);

#endif
