/*
 * child.c: the accept loop. Every child waits on all listeners and on the
 * pipe of death with one epoll set whose entries are EPOLLEXCLUSIVE, so a
 * new connection wakes one idle child rather than the whole pool.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "child.h"
#include "conn.h"
#include "file_cache.h"
#include "io.h"
#include "log.h"
#include "prefork.h"
#include "privsep.h"
#include "session.h"
#include "store.h"
#include "sweep.h"
#include "wharfd.h"

#define POD_TAG		UINT32_MAX
#define SWEEP_TAG	(UINT32_MAX - 1)

volatile sig_atomic_t	 child_stopping;
volatile sig_atomic_t	 child_leaving;
sigset_t		 child_waitmask;
struct sb_slot		*child_slot;

volatile sig_atomic_t	 child_shed;
/*
 * -1 from child_main on. Zero-initialised like every global a child
 * writes: .data is a page the children can share only if none does.
 */
volatile sig_atomic_t	 child_idle_fd;
volatile sig_atomic_t	 child_idle_why;

static sigset_t		 child_blockmask;	/* outside waits */
static int		 child_signals_open;	/* this connection */

static void	 child_signal(int);
static void	 child_setup_signals(const sigset_t *);
static void	 child_serve(int fd, const struct listener *,
		    struct sockaddr_storage *, socklen_t);
static void	 child_exit(int) __attribute__((noreturn));
static void	 child_sched_batch(void);
static void	 child_sweep(void);
static void	 child_watch(int epfd, int fd, uint32_t tag);
static int	 child_over_ip_limit(const char *addr);
static void	 child_refuse(struct conn *);
static void	 child_copy(char *, size_t, const char *, size_t max);
static char	*child_utoa(char *, unsigned);
static void	 child_peer_name(const struct sockaddr_storage *, socklen_t,
		    char *, size_t, char *, size_t);
static void	 child_conn_names(struct conn *,
		    const struct sockaddr_storage *, socklen_t);

static void
child_signal(int signo)
{
	int	 saved = errno, why = 0;

	switch (signo) {
	case SIGTERM:
		child_stopping = 1;
		why = ESHUTDOWN;
		break;
	case SIGUSR2:
		child_leaving = 1;
		break;
	case SIGUSR1:
		child_shed = 1;
		if (atomic_load(&scoreboard->sb_idle) <= 0)
			why = EBUSY;
		break;
	}
	/*
	 * An idle connection ends now: shutting its reading side wakes a
	 * blocked read or wait, and one about to start returns at once.
	 * What the client had already sent is still read first.
	 */
	if (why != 0 && child_idle_fd >= 0) {
		child_idle_why = why;
		(void)shutdown(child_idle_fd, SHUT_RD);
	}
	errno = saved;
}

/*
 * The child's handlers, then the signal mask it was forked with (mask:
 * prefork_spawn blocks everything across fork, so that no signal meant
 * for the child runs the master's handler in it).
 */
static void
child_setup_signals(const sigset_t *mask)
{
	struct sigaction	 sa;
	sigset_t		 block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/*
	 * SA_RESTART: where our signals are open (see child_idle_begin), a
	 * blocking call other than the waits is resumed, not failed. The
	 * waits (ppoll, epoll_pwait, a read with SO_RCVTIMEO) still end
	 * with EINTR.
	 */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = child_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);	/* ^C reaches the master's group */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &child_waitmask);
	sigprocmask(SIG_BLOCK, NULL, &child_blockmask);
	sigdelset(&child_waitmask, SIGTERM);
	sigdelset(&child_waitmask, SIGUSR1);
	sigdelset(&child_waitmask, SIGUSR2);
}

void
child_state(int state)
{
	int	 old = child_slot->sl_state, idle;
	char	 c = 'w';

	if (old == state)
		return;
	child_slot->sl_state = state;
	child_slot->sl_changed = io_now_ms();
	if (state == SL_IDLE)
		atomic_fetch_add(&scoreboard->sb_idle, 1);
	else if (old == SL_IDLE) {
		idle = atomic_fetch_sub(&scoreboard->sb_idle, 1) - 1;
		/*
		 * Tell the master now rather than at its next tick, once:
		 * under load every accept would otherwise wake it.
		 */
		if (idle < (int)conf.c_min_spare &&
		    atomic_exchange(&scoreboard->sb_wake, 1) == 0)
			(void)write(prefork_wake_fd, &c, 1);
	}
}

void
child_idle_begin(int fd)
{
	child_idle_fd = fd;
}

void
child_open_signals(void)
{
	/*
	 * A blocking read cannot take a signal mask as ppoll does: our
	 * signals stay open for the rest of the connection (two system
	 * calls a connection, not two a request), and the handler's
	 * shutdown covers a signal that comes before the read starts.
	 */
	if (!child_signals_open) {
		sigprocmask(SIG_SETMASK, &child_waitmask, NULL);
		child_signals_open = 1;
	}
}

void
child_idle_end(void)
{
	child_idle_fd = -1;
}

int
child_pool_queued(void)
{
	return (atomic_load(&scoreboard->sb_queued) != 0);
}

int
child_should_shed(void)
{
	if (!child_shed)
		return (0);
	child_shed = 0;
	return (atomic_load(&scoreboard->sb_idle) <= 0);
}

void
child_housekeeping(void)
{
	/*
	 * Nothing yet. Log files are reopened by the master, which then
	 * replaces the children: a chrooted child could not reopen them.
	 */
}

static void
child_exit(int status)
{
	child_state(SL_CLOSING);
	/* exit(3), not _exit(2): sanitizer builds check for leaks here. */
	exit(status);
}

/* 1 when addr already holds --max-per-ip connections in other children. */
static int
child_over_ip_limit(const char *addr)
{
	struct sb_slot	*slot;
	unsigned	 i, n = 0, used;

	if (conf.c_max_per_ip == 0)
		return (0);
	/*
	 * Only the slots that ever held a child: scanning all of
	 * --max-children (512) was half the instructions of a one-request
	 * connection. A child forked into a new slot is idle until after
	 * the master raised sb_used.
	 */
	used = atomic_load(&scoreboard->sb_used);
	for (i = 0; i < used && i < scoreboard->sb_nslots; i++) {
		slot = &scoreboard->sb_slots[i];
		if (slot == child_slot || slot->sl_pid == 0 ||
		    slot->sl_state <= SL_IDLE || slot->sl_addr[0] != addr[0] ||
		    strcmp(slot->sl_addr, addr) != 0)
			continue;
		if (++n >= conf.c_max_per_ip)
			return (1);
	}
	return (0);
}

/* Say no in the connection's own protocol, without reading its request. */
static void
child_refuse(struct conn *c)
{
	static const char	 body[] = "Too many connections from your "
	    "address; try again later.\n";

	if (c->c_proto == PROTO_WHARF)
		(void)conn_printf(c, "421 too many connections from your "
		    "address (limit %u); try again later\r\n",
		    conf.c_max_per_ip);
	else
		(void)conn_printf(c, "HTTP/1.1 503 Service Unavailable\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: %zu\r\nRetry-After: 5\r\n"
		    "Connection: close\r\n\r\n%s", sizeof(body) - 1, body);
}

/* Copy at most max bytes of src into dst (dstsz > 0), NUL-ended. */
static void
child_copy(char *dst, size_t dstsz, const char *src, size_t max)
{
	size_t	 n = strnlen(src, max);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* v in decimal at p; returns the end. */
static char *
child_utoa(char *p, unsigned v)
{
	char	 tmp[10];
	size_t	 n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return (p);
}

/*
 * The numeric host and port of the peer. IPv4 is written by hand:
 * getnameinfo() (inet_ntop() with sprintf() inside) and the snprintf()s
 * after it were 40% of the instructions of a one-request connection.
 * Anything else goes through getnameinfo() as before (IPv6 scopes).
 */
static void
child_peer_name(const struct sockaddr_storage *ss, socklen_t sslen,
    char *host, size_t hostsz, char *port, size_t portsz)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const unsigned char		*a;
	char				*p;
	int				 i;

	if (ss->ss_family == AF_INET && sslen >= sizeof(*sin) &&
	    hostsz >= INET_ADDRSTRLEN && portsz >= 6) {
		a = (const unsigned char *)&sin->sin_addr;
		p = host;
		for (i = 0; i < 4; i++) {
			if (i > 0)
				*p++ = '.';
			p = child_utoa(p, a[i]);
		}
		*p = '\0';
		*child_utoa(port, ntohs(sin->sin_port)) = '\0';
		return;
	}
	if (getnameinfo((const struct sockaddr *)ss, sslen, host, hostsz,
	    port, portsz, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strcpy(host, "?");
		strcpy(port, "?");
	}
}

/*
 * c_addr and c_peer of a new connection. Not inlined: NI_MAXHOST bytes
 * on child_serve's frame were a page deeper for every request below it,
 * a page each child then wrote.
 */
static __attribute__((noinline)) void
child_conn_names(struct conn *c, const struct sockaddr_storage *ss,
    socklen_t sslen)
{
	char	 host[NI_MAXHOST], port[NI_MAXSERV], *p;

	child_peer_name(ss, sslen, host, sizeof(host), port, sizeof(port));
	child_copy(c->c_addr, sizeof(c->c_addr), host, 60);
	/* c_peer: "host:port", or "[host]:port" for IPv6 (80 bytes hold it) */
	p = c->c_peer;
	if (ss->ss_family == AF_INET6)
		*p++ = '[';
	child_copy(p, 61, host, 60);
	p += strlen(p);
	if (ss->ss_family == AF_INET6)
		*p++ = ']';
	*p++ = ':';
	child_copy(p, 9, port, 8);
}

static void
child_serve(int fd, const struct listener *l, struct sockaddr_storage *ss,
    socklen_t sslen)
{
	struct conn	 c;

	memset(&c, 0, sizeof(c));
	c.c_fd = fd;
	c.c_blocking = l->l_blocking;
	c.c_proto = l->l_proto;
	c.c_listener = l;
	child_conn_names(&c, ss, sslen);

	child_slot->sl_proto = l->l_proto;
	child_copy(child_slot->sl_peer, sizeof(child_slot->sl_peer), c.c_peer,
	    sizeof(c.c_peer));
	child_slot->sl_path[0] = '\0';
	child_slot->sl_bytes = 0;
	child_slot->sl_requests = 0;
	child_slot->sl_since = time(NULL);
	child_shed = 0;
	child_idle_why = 0;
	child_state(SL_READING);
	log_debug("connection from %s on %s", c.c_peer, l->l_name);

	conn_init(&c);
	if (child_over_ip_limit(c.c_addr)) {
		log_debug("%s: over --max-per-ip %u; refused", c.c_peer,
		    conf.c_max_per_ip);
		child_refuse(&c);
	} else {
		child_copy(child_slot->sl_addr, sizeof(child_slot->sl_addr),
		    c.c_addr, sizeof(c.c_addr));
		if (l->l_proto == PROTO_WHARF)
			wharf_session(&c);
		else
			http_session(&c);
	}
	conn_close(&c);
	if (child_signals_open) {
		sigprocmask(SIG_SETMASK, &child_blockmask, NULL);
		child_signals_open = 0;
	}
	child_slot->sl_addr[0] = '\0';

	child_slot->sl_connections++;
	child_slot->sl_proto = PROTO_NONE;
	child_slot->sl_peer[0] = '\0';
	child_slot->sl_path[0] = '\0';
}

/*
 * The store's upload hook: records the temporary of the upload in
 * progress where the master looks when this child dies mid-upload.  A
 * target too long to record is not recorded (no such path can be opened
 * anyway: the store refuses paths over PATH_MAX).
 */
void
child_upload_note(const char *relpath, const char *tmp)
{
	struct sb_upload	*up;
	size_t			 rlen, tlen;

	if (child_slot == NULL)		/* the master, which uploads nothing */
		return;
	up = scoreboard_upload(child_slot);
	up->up_tmp[0] = '\0';
	if (relpath == NULL || tmp == NULL)
		return;
	rlen = strlen(relpath);
	tlen = strlen(tmp);
	if (rlen >= sizeof(up->up_rel) || tlen >= sizeof(up->up_tmp))
		return;
	memcpy(up->up_rel, relpath, rlen + 1);
	memcpy(up->up_tmp, tmp, tlen + 1);
}

/* Add fd to the child's wait, exclusive: one idle child wakes for it. */
static void
child_watch(int epfd, int fd, uint32_t tag)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u32 = tag;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_warn("epoll_ctl");
		exit(CHILD_EXIT_SICK);
	}
}

/* The master asked: remove expired partial uploads (sweep.c). */
static void
child_sweep(void)
{
	unsigned long long	 bytes;
	unsigned		 n;

	child_state(SL_SWEEPING);
	/* TERM and USR2 reach the walk, which then ends (sweep.c). */
	sigprocmask(SIG_SETMASK, &child_waitmask, NULL);
	n = sweep_store(time(NULL) - (time_t)conf.c_partial_age, &bytes);
	sigprocmask(SIG_SETMASK, &child_blockmask, NULL);
	if (n > 0)
		log_info("sweep: removed %u interrupted upload%s (%llu bytes) "
		    "untouched for %u s or more", n, n == 1 ? "" : "s", bytes,
		    conf.c_partial_age);
	else
		log_debug("sweep: nothing older than %u s", conf.c_partial_age);
	child_state(SL_IDLE);
}

/*
 * SCHED_BATCH, unless --no-sched-batch: a child woken by its client's bytes
 * waits for the task on the CPU to block or use up its slice instead of
 * preempting it, the use sched(7) gives for a workload whose tasks would
 * otherwise preempt each other. A child's work per request is a few
 * system calls, so a preemption is mostly the price of a context switch:
 * without them, 1 KiB keep-alive GETs at c50 went from 36-42k to 47-53k
 * req/s (three alternating runs each); at c500 req/s stayed within 5%
 * and the p99 rose from 38-65 ms to 58-70. Nice values apply as before;
 * an unprivileged process may choose this policy; a failure, or a kernel
 * without it, leaves the child as it was.
 */
static void
child_sched_batch(void)
{
#ifdef SCHED_BATCH
	struct sched_param	 sp;

	/* A policy the operator chose (chrt, the service manager) stays. */
	if (conf.c_no_sched_batch || sched_getscheduler(0) != SCHED_OTHER)
		return;
	memset(&sp, 0, sizeof(sp));
	if (sched_setscheduler(0, SCHED_BATCH, &sp) == -1)
		log_debug("SCHED_BATCH: %s; the child keeps its policy",
		    strerror(errno));
#endif
}

void
child_main(struct sb_slot *slot, const sigset_t *mask)
{
	struct epoll_event	 evs[8];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	const struct listener	*l;
	size_t			 i;
	char			 c;
	int			 epfd, n, k, fd;

	child_idle_fd = -1;
	child_slot = slot;
	child_setup_signals(mask);
	prefork_close_master_fds();
	if (privsep_child() == -1)
		exit(CHILD_EXIT_FATAL);
	/* Never outlive the master (after privsep: setuid clears this). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
	    getppid() != prefork_master)
		_exit(CHILD_EXIT_OK);
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("epoll_create1");
		exit(CHILD_EXIT_SICK);
	}
	for (i = 0; i < nlisteners; i++)
		child_watch(epfd, listeners[i].l_fd, (uint32_t)i);
	child_watch(epfd, prefork_pod_fd, POD_TAG);
	child_watch(epfd, prefork_sweep_fd, SWEEP_TAG);

	/* Start-up ran at the master's priority; clients get the operator's. */
	if (prefork_boosted &&
	    setpriority(PRIO_PROCESS, 0, prefork_child_nice) == -1) {
		log_warn("setpriority %d", prefork_child_nice);
		exit(CHILD_EXIT_SICK);
	}
	child_sched_batch();
	slot->sl_ready = 1;
	child_state(SL_IDLE);
	for (;;) {
		child_housekeeping();
		if (child_stopping || child_leaving)
			child_exit(CHILD_EXIT_OK);
		/* Idle: after a while, keep no file of a gone client open. */
		n = epoll_pwait(epfd, evs, 8, file_cache_held() > 0 ?
		    FILE_CACHE_IDLE_MS : -1, &child_waitmask);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		if (n == 0)
			file_cache_clear();
		for (k = 0; k < n; k++) {
			if (evs[k].data.u32 == POD_TAG) {
				switch (read(prefork_pod_fd, &c, 1)) {
				case 1:
					log_debug("retired by the master");
					slot->sl_retired = 1;
					child_exit(CHILD_EXIT_OK);
					break;
				case 0:
					/* No writer left: the master is gone. */
					child_exit(CHILD_EXIT_OK);
					break;
				}
				continue;
			}
			if (evs[k].data.u32 == SWEEP_TAG) {
				switch (read(prefork_sweep_fd, &c, 1)) {
				case 1:
					child_sweep();
					break;
				case 0:
					/* No writer left: the master is gone. */
					child_exit(CHILD_EXIT_OK);
					break;
				}
				continue;
			}
			l = &listeners[evs[k].data.u32];
			sslen = sizeof(ss);
			fd = accept4(l->l_fd, (struct sockaddr *)&ss, &sslen,
			    l->l_blocking ? SOCK_CLOEXEC :
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd == -1) {
				if (errno == EMFILE || errno == ENFILE ||
				    errno == ENOBUFS || errno == ENOMEM) {
					/* Out of descriptors: do not spin. */
					log_warn("accept on %s", l->l_name);
					usleep(100000);
				}
				continue;
			}
			child_serve(fd, l, &ss, sslen);
			child_state(SL_IDLE);
			if (conf.c_max_requests > 0 &&
			    slot->sl_connections >= conf.c_max_requests) {
				log_debug("served %u connections; leaving",
				    conf.c_max_requests);
				child_exit(CHILD_EXIT_OK);
			}
			if (child_stopping || child_leaving)
				child_exit(CHILD_EXIT_OK);
		}
	}
}
