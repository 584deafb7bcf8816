/*
 * io.h: system-call wrappers shared by wharfd and wharf: reads and writes
 * that retry EINTR, loops for short reads and writes, deadline waits.
 */
#ifndef WHARF_IO_H
#define WHARF_IO_H

#include <sys/types.h>
#include <sys/uio.h>

#include <signal.h>
#include <stdint.h>

/* read(2)/write(2) retried on EINTR. Same return values otherwise. */
ssize_t	 io_read(int fd, void *, size_t);
ssize_t	 io_write(int fd, const void *, size_t);
/* Write all n bytes to a blocking descriptor. Returns 0 or -1 (errno). */
int	 io_write_full(int fd, const void *, size_t n);
/* Read exactly n bytes from a blocking descriptor. Returns n, fewer at
 * end of file, or -1 (errno). */
ssize_t	 io_read_full(int fd, void *, size_t n);
/* Milliseconds on the monotonic clock. */
int64_t	 io_now_ms(void);
/* Wait until fd is ready for events or the monotonic deadline (ms, -1 for
 * none) passes. sigmask, if not NULL, is the signal mask while waiting.
 * Returns 1 ready (revents in *revents if not NULL), 0 deadline passed,
 * -1 error (EINTR when a signal was delivered). */
int	 io_wait(int fd, short events, int64_t deadline,
	    const sigset_t *sigmask, short *revents);
/* Set or clear O_NONBLOCK. Returns 0 or -1. */
int	 io_set_nonblock(int fd, int on);

#endif
