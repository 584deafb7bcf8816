/*
 * daemon.h: detaching from the terminal and the pid file.
 */
#ifndef WHARFD_DAEMON_H
#define WHARFD_DAEMON_H

/*
 * Fork into the background in a new session. The parent waits until the
 * daemon calls daemon_ready() and exits 0, or exits 1 when the daemon
 * dies first (its error message reached stderr). Returns 0 in the daemon
 * or -1 (errno).
 */
int	 daemon_detach(void);
/* Start-up is complete: release the waiting parent, stdin and stdout to
 * /dev/null, and stderr too when the log goes to a file. */
void	 daemon_ready(void);
/* Write getpid() to path atomically. Returns 0 or -1 (errno). */
int	 daemon_write_pid_file(const char *path);

#endif
