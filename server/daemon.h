/*
 * daemon.h: detaching from the terminal and the pid file.
 */
#ifndef WHARFD_DAEMON_H
#define WHARFD_DAEMON_H

/* Fork into the background, new session, stdio to /dev/null (stderr too
 * unless it is the log). Returns 0 in the daemon or -1; the parent exits. */
int	 daemon_detach(void);
/* Write getpid() to path atomically. Returns 0 or -1 (errno). */
int	 daemon_write_pid_file(const char *path);

#endif
