/*
 * wharfd.h: what every part of the daemon shares: the configuration from
 * the command line, the listeners, and the exit statuses.
 */
#ifndef WHARFD_H
#define WHARFD_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>

#define PROTO_NONE	0
#define PROTO_WHARF	1
#define PROTO_HTTP	2

/* wharfd's own exit statuses (wharfd.8, EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_RUNTIME	1	/* could not listen, children cannot start */
#define EXIT_USAGE	2	/* bad flag, unusable root or file */

/* A child's exit statuses, read by the master (like Apache's CHILDFATAL). */
#define CHILD_EXIT_OK		0	/* retired, max requests, stopped */
#define CHILD_EXIT_FATAL	3	/* cannot ever start: stop the service */
#define CHILD_EXIT_SICK		4	/* cannot start now: respawn later */

#define LISTEN_MAX	32	/* --listen flags */
#define LISTENERS_MAX	64	/* sockets they resolve to, both protocols */

struct config {
	const char	*c_root;
	int		 c_port;		/* -1: off */
	int		 c_http_port;		/* -1: off */
	const char	*c_listen[LISTEN_MAX];
	size_t		 c_nlisten;
	const char	*c_port_file;
	const char	*c_pid_file;
	const char	*c_log_file;
	int		 c_daemon;
	int		 c_writable;
	int		 c_verbose;
	unsigned	 c_start_children;
	unsigned	 c_min_spare;
	unsigned	 c_max_spare;
	unsigned	 c_shrink_after;	/* s without growth, then retire */
	unsigned	 c_max_children;
	unsigned	 c_max_requests;	/* 0: unlimited */
	unsigned	 c_header_timeout;	/* s, whole line or header */
	unsigned	 c_idle_timeout;	/* s, WHARF/1 between commands */
	unsigned	 c_keepalive_timeout;	/* s, HTTP between requests */
	unsigned	 c_transfer_timeout;	/* s, no progress in a transfer */
	unsigned	 c_grace;		/* s, to finish on SIGTERM */
	unsigned	 c_partial_age;		/* s, then swept; 0: never */
	const char	*c_user_file;
	int		 c_anonymous;		/* ANON_* */
	unsigned long long c_max_upload;	/* bytes, 0: no limit */
	int		 c_no_fsync;
	const char	*c_user;		/* children run as */
	const char	*c_group;
	int		 c_chroot;		/* children chroot to c_root */
	int		 c_syslog;		/* log to syslog(3) */
	unsigned	 c_max_per_ip;		/* connections, 0: no limit */
	int		 c_no_sched_batch;	/* children keep the policy */
	unsigned	 c_min_rate;		/* bytes/s in transfers, 0: off */
	const char	*c_access_log;		/* HTTP, Combined Log Format */
	int		 c_status;		/* serve /.wharf/status */
	int		 c_status_any;		/* ... to any peer */
	int		 c_no_clobber;		/* HTTP uploads never replace */
	const char	*c_share_dir;		/* page assets */
	unsigned	 c_notsent_lowat;	/* bytes, 0: the system's */
};

/* What a client that has not logged in may do. */
#define ANON_NONE	0
#define ANON_READ	1
#define ANON_WRITE	2

struct listener {
	int			 l_fd;
	int			 l_proto;
	int			 l_port;
	char			 l_name[64];	/* "127.0.0.1 port 2121" */
	int			 l_blocking;	/* accepted sockets block, their
						   reads time out (listen.c) */
};

extern struct config	 conf;
extern struct store	 store;
extern struct listener	 listeners[LISTENERS_MAX];
extern size_t		 nlisteners;

#endif
