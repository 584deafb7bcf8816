/*
 * writeback.h: a durable upload's bytes on their way to the disk while
 * the rest of it is still being received, so that the fsync before the
 * answer finds little left to do.
 */
#ifndef WHARFD_WRITEBACK_H
#define WHARFD_WRITEBACK_H

#include <sys/types.h>

#include <stddef.h>

/*
 * Every WB_CHUNK bytes written are handed to the disk at once
 * (sync_file_range), and one fdatasync runs in the background (POSIX AIO)
 * whenever none is running. The first alone keeps the page cache moving
 * but leaves the disk's own cache to the final fsync: on a virtual disk
 * that flush is most of a durable write (t/bench/README).
 */
#define WB_CHUNK	(8 * 1024 * 1024)

struct writeback {
	int	 wb_fd;		/* the file, -1 when not writing back */
	off_t	 wb_pos;	/* file offset after the last write */
	off_t	 wb_start;	/* first byte not yet handed to the disk */
	int	 wb_err;	/* a background flush's error, 0 if none */
};

/*
 * Start the flush's helper thread now and keep it for the life of the
 * process (about 20 KiB): for a child that drops privileges and then
 * may not create a thread (RLIMIT_NPROC 0, privsep.c). Elsewhere the
 * thread comes with the first flush and leaves a second after the last.
 */
void	 writeback_prepare(void);
/*
 * Start on fd, whose next write goes at offset. A process has one
 * background flush at a time: a writeback left running by an earlier
 * upload is waited for here.
 */
void	 writeback_begin(struct writeback *, int fd, off_t offset);
/*
 * n more bytes were written at wb_pos. Returns 0, or -1 with errno when
 * the disk refused (the upload has failed: a background flush's error is
 * reported once, here or by writeback_end, never again by fsync).
 */
int	 writeback_wrote(struct writeback *, size_t n);
/*
 * Waits for the background flush. Call it before the final fsync and
 * before the file is closed on every path. Returns 0, or -1 with errno
 * when that flush failed (an error writeback_wrote has returned is not
 * returned again).
 */
int	 writeback_end(struct writeback *);

#endif
