/*
 * log.h: the daemon's log: one line per event, prefixed with the time and
 * the process that wrote it ("master", "child 12345").
 */
#ifndef WHARF_LOG_H
#define WHARF_LOG_H

#include <stddef.h>

/* Log to stderr from now on; verbose enables log_debug. */
void	 log_init(int verbose);
/* Name this process in every following line, e.g. "child 12345". */
void	 log_procname(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * Name the processes this one forks from now on: their lines read
 * "role PID" (e.g. "child 12345") without their writing a name, which
 * would make the page it is on each child's own copy.
 */
void	 log_forked_name(const char *role);
/* Send lines to path (appending) instead of stderr. Returns 0 or -1. */
int	 log_open_file(const char *path);
/* Send lines to syslog(3) (facility daemon) instead of stderr or a file.
 * Returns 0, or -1 with errno when nothing listens on _PATH_LOG now
 * (lines are then lost until a syslog daemon starts). */
int	 log_open_syslog(const char *ident);
/* Reopen the log file after a rename by logrotate. Returns 0 or -1;
 * on failure the old descriptor stays in use. */
int	 log_reopen(void);
/* The descriptor lines go to now. */
int	 log_fd(void);

void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1); fatal appends strerror(errno). */
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy len bytes of src into dst (size dstsz, always NUL-terminated) so that
 * the result is safe for a log line or a terminal: printable ASCII except
 * '\\' and '"' is kept, everything else becomes \\, \" or \xNN. Output that
 * does not fit ends with "...". Returns dst.
 */
char	*log_escape(char *dst, size_t dstsz, const void *src, size_t len);

#endif
