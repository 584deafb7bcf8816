/*
 * privsep.h: what a child gives up before it serves anyone: the root
 * directory (--chroot), root's identity (--user, --group) and resources
 * (rlimits). The master keeps its privileges to bind, reopen logs and
 * re-read the user file.
 */
#ifndef WHARFD_PRIVSEP_H
#define WHARFD_PRIVSEP_H

#include <sys/types.h>

/* Resolve --user and --group in the master, before any chroot. Exits 2
 * with a message for an unknown name. Warns when root keeps root. */
void	 privsep_init(void);
/* In a new child: chroot, drop to the user and group, set rlimits.
 * Returns 0, or -1 after logging why (the child then exits FATAL: the
 * same step would fail in every child). */
int	 privsep_child(void);

#endif
