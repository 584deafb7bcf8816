/*
 * listen.h: opening the listening sockets and publishing their ports.
 */
#ifndef WHARFD_LISTEN_H
#define WHARFD_LISTEN_H

struct listener;

/* Open a listener for every --listen address and protocol in conf into
 * listeners[], or take the sockets systemd passed (listen_inherit).
 * Exits with a message naming the address on failure. */
void	 listen_open_all(void);
/*
 * Socket activation: when LISTEN_PID is this process, take the LISTEN_FDS
 * descriptors from fd 3 on. Each one's protocol comes from its name in
 * LISTEN_FDNAMES ("wharf" or "http"), else from its port (--port,
 * --http-port). Returns how many were taken (0: not activated).
 */
size_t	 listen_inherit(void);
/* How many connections wait in l's accept queue, and its length (Linux
 * TCP_INFO on a listening socket). Returns 0 or -1 (errno). */
int	 listen_queue(const struct listener *, unsigned *queued,
	    unsigned *backlog);
/* Write "wharf PORT\nhttp PORT\n" to path atomically (temp + rename).
 * Returns 0 or -1 (errno). */
int	 listen_write_port_file(const char *path);

#endif
