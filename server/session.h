/*
 * session.h: the protocol handlers a child runs on an accepted connection.
 */
#ifndef WHARFD_SESSION_H
#define WHARFD_SESSION_H

struct conn;

/* Serve a WHARF/1 connection from greeting to QUIT (wharf_session.c). */
void	 wharf_session(struct conn *);
/* Serve an HTTP/1.1 connection (http_session.c). */
void	 http_session(struct conn *);

#endif
