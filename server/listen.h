/*
 * listen.h: opening the listening sockets and publishing their ports.
 */
#ifndef WHARFD_LISTEN_H
#define WHARFD_LISTEN_H

/* Open a listener for every --listen address and protocol in conf into
 * listeners[]. Exits with a message naming the address on failure. */
void	 listen_open_all(void);
/* Write "wharf PORT\nhttp PORT\n" to path atomically (temp + rename).
 * Returns 0 or -1 (errno). */
int	 listen_write_port_file(const char *path);

#endif
