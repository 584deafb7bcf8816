/*
 * prefork.h: the master process: forks the pool, reaps and replaces
 * children, keeps the number of idle children between the spare limits,
 * and turns signals into stop, restart and log reopening.
 */
#ifndef WHARFD_PREFORK_H
#define WHARFD_PREFORK_H

#include <sys/types.h>

/* Pipes shared with the children (see prefork.c). */
extern int	 prefork_wake_fd;	/* write end: "idle children are low" */
extern int	 prefork_pod_fd;	/* read end: "one idle child leave" */
extern int	 prefork_sweep_fd;	/* read end: "one idle child sweep" */
extern pid_t	 prefork_master;
/* The nice value children serve at, and whether the master runs above it. */
extern int	 prefork_child_nice;
extern int	 prefork_boosted;

/* Run the master until SIGTERM or SIGINT; returns wharfd's exit status. */
int	 prefork_run(void);
/* Close the master's own descriptors in a new child. */
void	 prefork_close_master_fds(void);

#endif
