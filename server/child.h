/*
 * child.h: a pool child: accepts one connection at a time on any listener,
 * serves it to the end, and repeats until told to leave.
 */
#ifndef WHARFD_CHILD_H
#define WHARFD_CHILD_H

#include <signal.h>

#include "scoreboard.h"

/* Set by signals; read at every wait. */
extern volatile sig_atomic_t	 child_stopping;	/* SIGTERM: close idle */
extern volatile sig_atomic_t	 child_leaving;		/* SIGUSR2: finish, go */
extern volatile sig_atomic_t	 child_shed;	/* SIGUSR1: pool full */
/* The signal mask to wait with: our signals are blocked at all other
 * times, so a signal can only arrive while the child waits (or, once a
 * connection has waited in a blocking read, until that connection ends). */
extern sigset_t			 child_waitmask;
/*
 * The connection waiting for its next request, or -1: a stop (SIGTERM),
 * or a shed (SIGUSR1) while no child is idle, shuts its reading side so
 * the wait ends, and sets child_idle_why to ESHUTDOWN or EBUSY.
 */
extern volatile sig_atomic_t	 child_idle_fd;
extern volatile sig_atomic_t	 child_idle_why;
extern struct sb_slot		*child_slot;

/*
 * The store's st_upload_hook in a child: records each upload's temporary
 * in the child's scoreboard slot, for the master to remove should the
 * child die. The master sets it before forking (no child writes it).
 */
void	 child_upload_note(const char *relpath, const char *tmp);
/*
 * Serve connections until stopped; never returns. Called right after
 * fork with every signal blocked; mask is the mask to go back to once
 * the child's own handlers are in place.
 */
void	 child_main(struct sb_slot *, const sigset_t *mask)
	    __attribute__((noreturn));
/* Record this child's state in its slot (and the shared idle count). */
void	 child_state(int);
/* Around a wait between requests on fd. */
void	 child_idle_begin(int fd);
void	 child_idle_end(void);
/* Before a blocking read: our signals open until the connection ends. */
void	 child_open_signals(void);
/* Called after every wait that a signal may have ended. */
void	 child_housekeeping(void);
/* 1 when the pool is full and clients wait in a listen queue: a
 * keep-alive connection should close after its current response. */
int	 child_pool_queued(void);
/* 1 when the master asked to drop idle connections and the pool is still
 * full: an idle keep-alive connection should be closed now. */
int	 child_should_shed(void);

#endif
