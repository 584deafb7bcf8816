/*
 * listen.c: the listening sockets. The master opens them all before the
 * pool starts and keeps them across graceful restarts, so a restart never
 * refuses a connection; children only accept on them.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "io.h"
#include "listen.h"
#include "log.h"
#include "wharfd.h"

/*
 * The backlog is as long as the pool (--max-children, at least 511, the
 * classic value; net.core.somaxconn caps it): a burst as large as the
 * pool waits in the queue for a free child rather than turning into SYN
 * retries a second later, but beyond that the kernel refuses, and a
 * client or a balancer sees the overload instead of a connection that
 * waits for minutes. The master warns when the pool is full and the
 * queue is not empty, and the status view shows each queue.
 */
#define LISTEN_BACKLOG_MIN	511

struct listener	 listeners[LISTENERS_MAX];
size_t		 nlisteners;

/* With port 0, how often a port the kernel picked may turn out taken. */
#define LISTEN_PICK_TRIES	16

static char	 listen_failed[NI_MAXHOST + 16];

static int	 listen_one(struct addrinfo *, int proto, int *port);
static void	 listen_proto(int proto, int port);
static int	 listen_proto_try(int proto, int *port);
static void	 listen_defer(int fd, int proto);
static int	 listen_options(int fd);

static int
listen_one(struct addrinfo *ai, int proto, int *port)
{
	struct listener		*l;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 host[NI_MAXHOST];
	int			 fd, on = 1, blocking;

	if (nlisteners == LISTENERS_MAX)
		errx(EXIT_USAGE, "too many listening addresses (at most %d)",
		    LISTENERS_MAX);
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)*port);
	else
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)*port);
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL,
	    0, NI_NUMERICHOST) != 0)
		strcpy(host, "?");

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return (-1);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	listen_defer(fd, proto);
	blocking = listen_options(fd);
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) == -1 ||
	    listen(fd, conf.c_max_children > LISTEN_BACKLOG_MIN ?
	    (int)conf.c_max_children : LISTEN_BACKLOG_MIN) == -1) {
		int	 saved = errno;

		close(fd);
		errno = saved;
		snprintf(listen_failed, sizeof(listen_failed), "%s port %d",
		    host, *port);
		return (-2);
	}
	if (*port == 0) {
		/* Port 0: every further address gets the port picked here. */
		sslen = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
			err(EXIT_RUNTIME, "getsockname");
		*port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	}
	l = &listeners[nlisteners++];
	l->l_fd = fd;
	l->l_proto = proto;
	l->l_port = *port;
	l->l_blocking = blocking;
	snprintf(l->l_name, sizeof(l->l_name), "%s port %d", host, *port);
	return (0);
}

/*
 * HTTP: wake a child only once the request's first bytes are in
 * (TCP_DEFER_ACCEPT), not at the handshake, when it would find nothing
 * to read and wait again: a quarter of one-request connections did, and
 * the extra sleep and wake-up cost 29% of Connection: close throughput.
 * A client that connects and stays silent is handed over after about a
 * second all the same, and --header-timeout runs from there. Not for
 * WHARF/1, where the server speaks first.
 */
static void
listen_defer(int fd, int proto)
{
	int	 secs = 1;

	if (proto == PROTO_HTTP)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		    sizeof(secs));
}

/*
 * Set on the listener, Linux gives these to every accepted connection (a
 * system call per connection saved). Replies and headers go out at once
 * (TCP_NODELAY). A read waits at most CONN_BLOCK_MS (SO_RCVTIMEO), so a
 * child can wait for a keep-alive client's next request in a blocking
 * read, one system call where ppoll and read were two (conn_fill).
 * A big body keeps at most --notsent-lowat bytes queued unsent
 * (TCP_NOTSENT_LOWAT): with the whole send buffer queued, segments left
 * from two CPUs at once, the child's in sendfile and the one where the
 * client's ACKs released more, arrived out of order and were sent again
 * (t/bench/README).
 * Returns 1 when connections may be blocking: the timeout is in place.
 */
static int
listen_options(int fd)
{
	struct timeval	 tv;
	int		 on = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	/* 0 too: a socket systemd kept may carry an earlier run's value. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT,
	    &conf.c_notsent_lowat, sizeof(conf.c_notsent_lowat));
	tv.tv_sec = CONN_BLOCK_MS / 1000;
	tv.tv_usec = (CONN_BLOCK_MS % 1000) * 1000;
	return (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
}

/*
 * Every --listen address for one protocol, on one port. With port 0 the
 * first address gets a port from the kernel and the others the same
 * number, which another program may hold on one of them: then all are
 * closed and the kernel picks again.
 */
static void
listen_proto(int proto, int port)
{
	size_t	 first = nlisteners, k;
	int	 tries, p;

	for (tries = 1;; tries++) {
		p = port;
		if (listen_proto_try(proto, &p) == 0)
			return;
		if (port != 0 || errno != EADDRINUSE ||
		    tries == LISTEN_PICK_TRIES)
			break;
		for (k = first; k < nlisteners; k++)
			close(listeners[k].l_fd);
		nlisteners = first;
	}
	warn("cannot listen on %s", listen_failed);
	exit(EXIT_RUNTIME);
}

/* 0, or -1 with errno and listen_failed set. */
static int
listen_proto_try(int proto, int *port)
{
	struct addrinfo	 hints, *res, *ai;
	const char	*host;
	size_t		 i, n;
	int		 rv, opened, saved;

	n = conf.c_nlisten ? conf.c_nlisten : 1;
	for (i = 0; i < n; i++) {
		host = conf.c_nlisten ? conf.c_listen[i] : NULL;
		if (host != NULL && (strcmp(host, "*") == 0 ||
		    strcmp(host, "any") == 0))
			host = NULL;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		if ((rv = getaddrinfo(host, "0", &hints, &res)) != 0)
			errx(EXIT_USAGE, "--listen %s: %s", host,
			    gai_strerror(rv));
		opened = 0;
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			rv = listen_one(ai, proto, port);
			if (rv == 0)
				opened++;
			else if (rv == -1 && host == NULL &&
			    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
				continue;	/* no IPv6 here: IPv4 only */
			else if (rv == -1)
				err(EXIT_RUNTIME, "socket");
			else {
				saved = errno;
				freeaddrinfo(res);
				errno = saved;
				return (-1);
			}
		}
		freeaddrinfo(res);
		if (opened == 0)
			errx(EXIT_RUNTIME, "--listen %s: no usable address",
			    host ? host : "any");
	}
	return (0);
}

size_t
listen_inherit(void)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct listener		*l;
	const char		*pidstr, *fdstr, *names;
	char			*namecopy = NULL, *name, *save = NULL;
	char			 host[NI_MAXHOST];
	long			 pid, n, i;
	int			 fd, port, type;
	socklen_t		 tlen;

	pidstr = getenv("LISTEN_PID");
	fdstr = getenv("LISTEN_FDS");
	if (pidstr == NULL || fdstr == NULL)
		return (0);
	pid = strtol(pidstr, NULL, 10);
	n = strtol(fdstr, NULL, 10);
	if (pid != (long)getpid() || n <= 0)
		return (0);
	if (n > LISTENERS_MAX)
		errx(EXIT_USAGE, "LISTEN_FDS=%ld: at most %d sockets", n,
		    LISTENERS_MAX);
	if ((names = getenv("LISTEN_FDNAMES")) != NULL &&
	    (namecopy = strdup(names)) == NULL)
		err(EXIT_RUNTIME, "strdup");
	name = namecopy ? strtok_r(namecopy, ":", &save) : NULL;
	for (i = 0; i < n; i++) {
		fd = 3 + (int)i;
		tlen = sizeof(type);
		sslen = sizeof(ss);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
		    type != SOCK_STREAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			errx(EXIT_USAGE, "socket activation: fd %d is not a "
			    "TCP listening socket", fd);
		port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
		l = &listeners[nlisteners++];
		l->l_fd = fd;
		l->l_port = port;
		if (name != NULL && strcmp(name, "wharf") == 0)
			l->l_proto = PROTO_WHARF;
		else if (name != NULL && strcmp(name, "http") == 0)
			l->l_proto = PROTO_HTTP;
		else if (port == conf.c_http_port)
			l->l_proto = PROTO_HTTP;
		else if (port == conf.c_port)
			l->l_proto = PROTO_WHARF;
		else
			errx(EXIT_USAGE, "socket activation: fd %d (port %d) "
			    "is neither --port %d nor --http-port %d; name it "
			    "with FileDescriptorName=wharf or http", fd, port,
			    conf.c_port, conf.c_http_port);
		if (getnameinfo((struct sockaddr *)&ss, sslen, host,
		    sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
			strcpy(host, "?");
		snprintf(l->l_name, sizeof(l->l_name), "%.40s port %d "
		    "(systemd)", host, port);
		(void)io_set_nonblock(fd, 1);
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		listen_defer(fd, l->l_proto);
		l->l_blocking = listen_options(fd);
		if (name != NULL)
			name = strtok_r(NULL, ":", &save);
	}
	free(namecopy);
	/* Not for anything we start. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return ((size_t)n);
}

void
listen_open_all(void)
{
	if (listen_inherit() > 0)
		return;
	if (conf.c_port >= 0)
		listen_proto(PROTO_WHARF, conf.c_port);
	if (conf.c_http_port >= 0)
		listen_proto(PROTO_HTTP, conf.c_http_port);
}

int
listen_write_port_file(const char *path)
{
	char	 tmp[4096], text[64];
	int	 fd, len, wport = 0, hport = 0;
	size_t	 i;

	for (i = 0; i < nlisteners; i++) {
		if (listeners[i].l_proto == PROTO_WHARF)
			wport = listeners[i].l_port;
		else
			hport = listeners[i].l_port;
	}
	len = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (len < 0 || (size_t)len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	len = 0;
	if (conf.c_port >= 0)
		len += snprintf(text + len, sizeof(text) - (size_t)len,
		    "wharf %d\n", wport);
	if (conf.c_http_port >= 0)
		len += snprintf(text + len, sizeof(text) - (size_t)len,
		    "http %d\n", hport);
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

int
listen_queue(const struct listener *l, unsigned *queued, unsigned *backlog)
{
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(l->l_fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return (-1);
	/* On a listening socket Linux reports its accept queue here. */
	*queued = ti.tcpi_unacked;
	*backlog = ti.tcpi_sacked;
	return (0);
}
