/*
 * access_log.h: the HTTP access log (--access-log): one line per request
 * in the Combined Log Format, client bytes escaped, reopened on SIGUSR1.
 */
#ifndef WHARFD_ACCESS_LOG_H
#define WHARFD_ACCESS_LOG_H

#include <stdint.h>

/* Open path for appending (in the master). Returns 0 or -1 (errno). */
int	 access_log_open(const char *path);
/* Reopen after logrotate moved the file; keeps the old one on failure.
 * Returns 0 or -1 (errno). Does nothing without --access-log. */
int	 access_log_reopen(void);
/* 1 when --access-log is in use. */
int	 access_log_enabled(void);
/*
 * Write one line: host, user ("-" or escaped), the request line (raw
 * client bytes, escaped here), status, body bytes, Referer and
 * User-Agent (raw, escaped here; NULL for "-"). One write(2), so lines
 * from many children never interleave.
 */
void	 access_log_request(const char *host, const char *user,
	    const char *reqline, int status, uint64_t bytes,
	    const char *referer, const char *agent);

/*
 * One line for a WHARF/1 command, in the same shape so that the same
 * tools read both: host, user, "VERB PATH WHARF/1", the reply code, bytes
 * moved, then the duration: 127.0.0.1 - alice [time] "GET /a WHARF/1"
 * 226 1234 12ms. path is raw (escaped here).
 */
void	 access_log_wharf(const char *host, const char *user,
	    const char *verb, const char *path, int code, uint64_t bytes,
	    long long ms);

#endif
