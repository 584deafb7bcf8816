/*
 * writeback.c: a durable upload's bytes handed to the disk as they
 * arrive. Every WB_CHUNK written is started with sync_file_range, and
 * one fdatasync runs beside the receiving on the C library's POSIX AIO
 * helper thread (which blocks every signal, so the child's signal
 * handling is unchanged). A process keeps one such flush at a time: a
 * child serves one upload at a time.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "writeback.h"

/*
 * How long glibc keeps an idle helper thread: for good, in a child that
 * may not start another (writeback_prepare).
 */
#define WB_HELPER_IDLE	(366 * 86400)

/*
 * The flush works on a duplicate of the file's descriptor, so that its
 * number stays this file's however the upload ends.
 */
static struct aiocb	 flush_cb;
static int		 flush_busy;	/* flush_cb is queued or running */

static int	 flush_poll(int wait);
static void	 flush_start(int fd);

/*
 * The background flush's outcome: 0 (done, or none), EINPROGRESS (still
 * running, only without wait) or the errno it failed with.
 */
static int
flush_poll(int wait)
{
	const struct aiocb	*list[1] = { &flush_cb };
	int			 e;

	if (!flush_busy)
		return (0);
	while ((e = aio_error(&flush_cb)) == EINPROGRESS) {
		if (!wait)
			return (EINPROGRESS);
		/* EINTR (a signal) just goes round. */
		(void)aio_suspend(list, 1, NULL);
	}
	if (e == -1)
		e = errno;
	(void)aio_return(&flush_cb);
	close(flush_cb.aio_fildes);
	flush_busy = 0;
	/* No fdatasync for this file here: the final fsync will say. */
	return (e == EINVAL ? 0 : e);
}

/* Queue fdatasync(fd); when that cannot be done, the final fsync will. */
static void
flush_start(int fd)
{
	static int	 warned;
	int		 dup;

	if ((dup = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return;
	memset(&flush_cb, 0, sizeof(flush_cb));
	flush_cb.aio_fildes = dup;
	flush_cb.aio_sigevent.sigev_notify = SIGEV_NONE;
	if (aio_fsync(O_DSYNC, &flush_cb) == -1) {
		if (!warned++)
			log_warn("no flush beside the receiving (aio_fsync); "
			    "durable uploads wait for all of theirs at the end");
		close(dup);
		return;
	}
	flush_busy = 1;
}

void
writeback_prepare(void)
{
	struct aioinit	 init;
	int		 pfd[2];

	memset(&init, 0, sizeof(init));
	init.aio_threads = 1;
	init.aio_num = 1;
	init.aio_idle_time = WB_HELPER_IDLE;
	aio_init(&init);
	/* A pipe: its fdatasync fails at once (EINVAL), the thread stays. */
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return;
	flush_start(pfd[0]);
	(void)flush_poll(1);
	close(pfd[0]);
	close(pfd[1]);
}

void
writeback_begin(struct writeback *wb, int fd, off_t offset)
{
	(void)flush_poll(1);	/* an earlier upload's, not ours to report */
	wb->wb_fd = fd;
	wb->wb_pos = wb->wb_start = offset;
	wb->wb_err = 0;
}

int
writeback_wrote(struct writeback *wb, size_t n)
{
	off_t	 len;
	int	 e;

	if (wb->wb_fd == -1)
		return (0);
	if (wb->wb_err != 0) {
		errno = wb->wb_err;
		return (-1);
	}
	wb->wb_pos += (off_t)n;
	len = wb->wb_pos - wb->wb_start;
	if (len < WB_CHUNK)
		return (0);
	/*
	 * Start writing this chunk and go on receiving. Waiting for the
	 * chunk before as well (to bound the dirty pages) measured slower,
	 * and the kernel's dirty limits bound them anyway. A start alone
	 * consumes no writeback error.
	 */
	if (sync_file_range(wb->wb_fd, wb->wb_start, len,
	    SYNC_FILE_RANGE_WRITE) == -1 && errno != ESPIPE && errno != EINVAL)
		return (-1);
	wb->wb_start = wb->wb_pos;
	/*
	 * And flush the disk's cache while the network works: written back
	 * is not yet durable, and the flush is what a durable write waits
	 * for longest.
	 */
	if ((e = flush_poll(0)) == EINPROGRESS)
		return (0);
	if (e != 0) {
		wb->wb_err = errno = e;
		return (-1);
	}
	flush_start(wb->wb_fd);
	return (0);
}

int
writeback_end(struct writeback *wb)
{
	int	 e;

	if (wb->wb_fd == -1)
		return (0);
	e = flush_poll(1);
	wb->wb_fd = -1;
	/* Not again what writeback_wrote has said. */
	if (e != 0 && wb->wb_err == 0) {
		wb->wb_err = errno = e;
		return (-1);
	}
	return (0);
}
