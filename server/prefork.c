/*
 * prefork.c: the master and its pool, after Apache's prefork MPM.
 *
 * The master never touches a client. It forks children that accept on the
 * shared listeners, and every tick (one second, or sooner when a child
 * reports that idle children ran low) it reaps the dead and compares the
 * idle count with --min-spare and --max-spare: below, it forks at once,
 * doubling the batch while the shortage lasts (grow fast); above, once the
 * pool has stopped growing, it asks one idle child per tick to leave
 * through the pipe of death (shrink slowly), so a burst that comes back
 * finds the pool still there.
 */
#define _GNU_SOURCE
#include "config.h"	/* first: HAVE_SYS_RSEQ_H picks a header below */

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef HAVE_SYS_RSEQ_H
#include <sys/rseq.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "io.h"
#include "listen.h"
#include "log.h"
#include "access_log.h"
#include "prefork.h"
#include "scoreboard.h"
#include "store.h"
#include "users.h"
#include "wharfd.h"

/* Most children forked in one batch while idle children are short. */
#define SPAWN_BATCH_MAX		64
/* While the pool grows for a queued burst, the master looks this often. */
#define GROW_RECHECK_MS		10
/* Back-off after children fail at start-up: from 250 ms, doubling, to 8 s. */
#define BACKOFF_MIN_MS		250
#define BACKOFF_MAX_MS		8000
/*
 * With the pool full and clients queued, a keep-alive connection idle this
 * long is dropped; one in steady use only closes after its response.
 */
#define SHED_IDLE_MS		500
/*
 * How far the master lowers its nice value below the one wharfd was started
 * with (to -20 at most). A burst's children cost it ~0.1 ms of CPU each to
 * fork, and at the children's priority it gets one share among the hundreds
 * of them already busy: 450 forks for a c500 burst took it 1-2 s while the
 * clients waited in the listen queue, and the same fork loop at -20 takes
 * tens of milliseconds. It sleeps otherwise, so the boost costs nobody.
 */
#define MASTER_NICE_BOOST	20

int		 prefork_wake_fd = -1;
int		 prefork_pod_fd = -1;
int		 prefork_sweep_fd = -1;
pid_t		 prefork_master;
int		 prefork_child_nice;
int		 prefork_boosted;

static int	 sig_pipe[2] = { -1, -1 };
static int	 wake_pipe[2] = { -1, -1 };
static int	 pod_pipe[2] = { -1, -1 };
/* A byte in it: one idle child sweeps the store (sweep.c). */
static int	 sweep_pipe[2] = { -1, -1 };
static int64_t	 sweep_next;	/* when to ask next, 0: never */
static unsigned	 spawn_batch = 1;
static int64_t	 backoff_ms;
static int64_t	 backoff_until;
static int	 children_fatal;
static unsigned	 replace_due;	/* children that died unasked */
static int	 growing;	/* the last look forked for a shortage */
static int64_t	 grew_at;	/* when a look last did */

static void	 prefork_signal(int);
static void	 prefork_signals(void);
static void	 prefork_backoff(void);
static int	 prefork_spawn(void);
static void	 prefork_upload_cleanup(struct sb_slot *);
static void	 prefork_reap(void);
static unsigned	 prefork_queued(void);
static void	 prefork_maintain(int tick);
static void	 prefork_restart(const char *why);
static void	 prefork_shed(unsigned idle, unsigned total);
static void	 prefork_overload_warn(int64_t now);
static int	 prefork_stop(int signo);
static void	 prefork_kill_all(int signo, int only_old);
static unsigned	 prefork_count(unsigned *idle, unsigned *busy);
static void	 prefork_pipe(int[2], int nonblock_read, int nonblock_write);
static int64_t	 prefork_sweep_every(void);
static void	 prefork_sweep(void);
static void	 prefork_boost(void);
static void	 prefork_drop_rseq(void);

static void
prefork_signal(int signo)
{
	unsigned char	 c = (unsigned char)signo;
	int		 saved = errno;

	(void)write(sig_pipe[1], &c, 1);
	errno = saved;
}

/*
 * How often an idle child is asked to sweep: half of --partial-age, so a
 * leftover goes at most 1.5 times that after its last change, but not
 * more than once a second (tests) or less than once an hour (a walk of
 * a large store costs a child some seconds).
 */
static int64_t
prefork_sweep_every(void)
{
	int64_t	 s = conf.c_partial_age / 2;

	if (s < 1)
		s = 1;
	if (s > 3600)
		s = 3600;
	return (s * 1000);
}

/*
 * Ask one idle child to sweep, unless the last request is still waiting
 * for one (all busy) or a sweep is still walking: one at a time.
 */
static void
prefork_sweep(void)
{
	unsigned	 i;
	int		 queued = 0;

	if (ioctl(sweep_pipe[0], FIONREAD, &queued) == -1 || queued > 0)
		return;
	for (i = 0; i < scoreboard->sb_nslots; i++)
		if (scoreboard->sb_slots[i].sl_pid != 0 &&
		    scoreboard->sb_slots[i].sl_state == SL_SWEEPING)
			return;
	(void)write(sweep_pipe[1], "s", 1);
}

static void
prefork_pipe(int fds[2], int nonblock_read, int nonblock_write)
{
	if (pipe2(fds, O_CLOEXEC) == -1)
		fatal("pipe");
	if (nonblock_read)
		(void)io_set_nonblock(fds[0], 1);
	if (nonblock_write)
		(void)io_set_nonblock(fds[1], 1);
}

static void
prefork_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = prefork_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
}

void
prefork_close_master_fds(void)
{
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	close(wake_pipe[0]);
	close(pod_pipe[1]);
	close(sweep_pipe[1]);
}

/*
 * Raise the master's priority where the system allows it (root,
 * CAP_SYS_NICE or RLIMIT_NICE); children go back to prefork_child_nice
 * before they accept (child_main). Without the permission the master runs
 * at the children's priority and a burst waits longer for its children.
 */
static void
prefork_boost(void)
{
	int	 nice;

	errno = 0;
	prefork_child_nice = getpriority(PRIO_PROCESS, 0);
	if (prefork_child_nice == -1 && errno != 0) {
		log_warn("getpriority");
		prefork_child_nice = 0;
		return;
	}
	nice = prefork_child_nice - MASTER_NICE_BOOST;
	if (nice < -20)
		nice = -20;
	if (nice == prefork_child_nice)
		return;
	if (setpriority(PRIO_PROCESS, 0, nice) == -1) {
		log_debug("master stays at nice %d (%s): a burst of clients "
		    "waits longer for the pool to grow", prefork_child_nice,
		    strerror(errno));
		return;
	}
	prefork_boosted = 1;
	log_debug("master at nice %d, children at %d", nice,
	    prefork_child_nice);
}

/* A fork or a child's start-up failed: wait longer before each retry. */
static void
prefork_backoff(void)
{
	backoff_ms = backoff_ms ? backoff_ms * 2 : BACKOFF_MIN_MS;
	if (backoff_ms > BACKOFF_MAX_MS)
		backoff_ms = BACKOFF_MAX_MS;
	backoff_until = io_now_ms() + backoff_ms;
}

/* Fork one child of the current generation. Returns 0 or -1. */
static int
prefork_spawn(void)
{
	struct sb_slot	*slot;
	sigset_t	 all, mask;
	pid_t		 pid;

	if ((slot = scoreboard_free_slot()) == NULL)
		return (-1);
	memset(slot, 0, sizeof(*slot));
	slot->sl_generation = scoreboard->sb_generation;
	slot->sl_state = SL_STARTING;
	slot->sl_started = time(NULL);
	/*
	 * Until the child has its own handlers, a signal sent to it (a
	 * shed, a stop) would run the master's and land in the master's
	 * signal pipe as if the master had been sent it: held off instead.
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &mask);
	pid = fork();
	if (pid == 0) {
		slot->sl_pid = getpid();
		child_main(slot, &mask);
		/* NOTREACHED */
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (pid == -1) {
		log_warn("fork");
		slot->sl_state = SL_EMPTY;
		return (-1);
	}
	slot->sl_pid = pid;
	return (0);
}

/*
 * A child that died mid-upload (killed, crashed) left its temporary in
 * the store: remove it, or the space leaks (it is hidden, so nobody else
 * would).  The record comes from an unprivileged child and the master may
 * be root: only a name with the temporary's prefix and no slash is
 * unlinked, in a directory resolved beneath the root.
 */
static void
prefork_upload_cleanup(struct sb_slot *slot)
{
	struct sb_upload	*up = scoreboard_upload(slot);
	char			 rel[SB_UPLOAD_REL_MAX], tmp[SB_UPLOAD_TMP_MAX];
	const char		*name;
	int			 dirfd;

	if (up->up_tmp[0] == '\0')
		return;
	memcpy(rel, up->up_rel, sizeof(rel));
	rel[sizeof(rel) - 1] = '\0';
	memcpy(tmp, up->up_tmp, sizeof(tmp));
	tmp[sizeof(tmp) - 1] = '\0';
	up->up_tmp[0] = '\0';
	if (strncmp(tmp, STORE_TMP_PREFIX, strlen(STORE_TMP_PREFIX)) != 0 ||
	    strchr(tmp, '/') != NULL)
		return;
	if ((dirfd = store_open_parent(&store, rel, &name)) == -1)
		return;
	if (unlinkat(dirfd, tmp, 0) == 0)
		log_info("child %ld died during an upload to %s: its temporary "
		    "file is removed", (long)slot->sl_pid, slot->sl_path);
	else if (errno != ENOENT)
		log_warn("child %ld died during an upload: unlink %s",
		    (long)slot->sl_pid, tmp);
	close(dirfd);
}

static void
prefork_reap(void)
{
	struct sb_slot	*slot;
	pid_t		 pid;
	int		 status, failed;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((slot = scoreboard_find(pid)) == NULL)
			continue;
		failed = 0;
		if (WIFEXITED(status)) {
			switch (WEXITSTATUS(status)) {
			case CHILD_EXIT_OK:
				break;
			case CHILD_EXIT_FATAL:
				log_warnx("child %ld cannot start; stopping",
				    (long)pid);
				children_fatal = 1;
				break;
			case CHILD_EXIT_SICK:
				failed = 1;
				break;
			default:
				log_warnx("child %ld exited with status %d",
				    (long)pid, WEXITSTATUS(status));
				failed = !slot->sl_ready;
				break;
			}
		} else if (WIFSIGNALED(status)) {
			log_warnx("child %ld killed by signal %d (%s)%s",
			    (long)pid, WTERMSIG(status),
			    strsignal(WTERMSIG(status)),
			    slot->sl_state > SL_IDLE ?
			    "; its connection is lost" : "");
			failed = !slot->sl_ready;
		}
		if (failed) {
			/* Not a respawn storm: wait longer each time. */
			prefork_backoff();
			log_warnx("child %ld failed at start-up; next fork "
			    "in %ld ms", (long)pid, (long)backoff_ms);
		} else if (slot->sl_ready)
			backoff_ms = 0;
		prefork_upload_cleanup(slot);
		if (slot->sl_state == SL_IDLE)
			atomic_fetch_sub(&scoreboard->sb_idle, 1);
		/*
		 * A child of the current generation that was not retired is
		 * replaced at once (crash, kill, --max-requests), whatever
		 * the spare count says; a failed start waits for back-off.
		 */
		if (!slot->sl_retired &&
		    slot->sl_generation == scoreboard->sb_generation)
			replace_due++;
		memset(slot, 0, sizeof(*slot));
	}
}

/* Count live children of the current generation. */
static unsigned
prefork_count(unsigned *idle, unsigned *busy)
{
	struct sb_slot	*slot;
	unsigned	 i, total = 0;

	*idle = *busy = 0;
	for (i = 0; i < scoreboard->sb_nslots; i++) {
		slot = &scoreboard->sb_slots[i];
		if (slot->sl_pid == 0 ||
		    slot->sl_generation != scoreboard->sb_generation)
			continue;
		total++;
		if (slot->sl_state == SL_IDLE || slot->sl_state == SL_STARTING)
			(*idle)++;
		else if (slot->sl_state != SL_CLOSING)
			(*busy)++;
	}
	return (total);
}

/*
 * The pool is full, nobody is idle and a connection waits in a listen
 * queue: ask the children that hold an idle keep-alive connection to drop
 * it, so that the queued client gets a child rather than waiting for
 * someone's idle timeout. At most five times a second.
 */
static void
prefork_shed(unsigned idle, unsigned total)
{
	static int64_t	 last;
	struct sb_slot	*slot;
	unsigned	 i;
	int64_t		 now;

	struct pollfd	 pfd[LISTENERS_MAX];
	size_t		 k;

	if (idle > 0 || total < conf.c_max_children) {
		atomic_store(&scoreboard->sb_queued, 0);
		return;
	}
	now = io_now_ms();
	if (now - last < 200)
		return;
	last = now;
	/* Only when someone waits: a listener with a connection queued. */
	for (k = 0; k < nlisteners; k++) {
		pfd[k].fd = listeners[k].l_fd;
		pfd[k].events = POLLIN;
	}
	if (poll(pfd, nlisteners, 0) <= 0) {
		atomic_store(&scoreboard->sb_queued, 0);
		return;
	}
	prefork_overload_warn(now);
	/* Busy keep-alive connections close after their response... */
	atomic_store(&scoreboard->sb_queued, 1);
	/* ...and those idle for a while close now. */
	for (i = 0; i < scoreboard->sb_nslots; i++) {
		slot = &scoreboard->sb_slots[i];
		if (slot->sl_pid != 0 && slot->sl_state == SL_KEEPALIVE &&
		    now - slot->sl_changed >= SHED_IDLE_MS)
			(void)kill(slot->sl_pid, SIGUSR1);
	}
}

/*
 * The pool is full and clients wait: say so, once a minute at most, with
 * how many wait, so that overload is not hidden in a queue.
 */
static void
prefork_overload_warn(int64_t now)
{
	static int64_t	 last;
	unsigned	 total;

	if (last != 0 && now - last < 60 * 1000)
		return;
	last = now;
	total = prefork_queued();
	log_warnx("the pool is full (--max-children %u) and %u connection%s "
	    "wait%s in the listen queue%s; a larger --max-children would "
	    "serve them", conf.c_max_children, total, total == 1 ? "" : "s",
	    total == 1 ? "s" : "", nlisteners == 1 ? "" : "s");
}

/* Connections waiting in the listen queues, all listeners together. */
static unsigned
prefork_queued(void)
{
	unsigned	 queued, backlog, total = 0;
	size_t		 k;

	for (k = 0; k < nlisteners; k++)
		if (listen_queue(&listeners[k], &queued, &backlog) == 0)
			total += queued;
	return (total);
}

static void
prefork_maintain(int tick)
{
	unsigned	 idle, busy, total, n, i, queued;
	char		 c = 'x';

	total = prefork_count(&idle, &busy);
	while (replace_due > 0 && total < conf.c_max_children &&
	    io_now_ms() >= backoff_until) {
		if (prefork_spawn() == -1) {
			prefork_backoff();
			break;
		}
		replace_due--;
		total++;
		idle++;
	}
	if (total >= conf.c_max_children)
		replace_due = 0;
	prefork_shed(idle, total);
	queued = prefork_queued();
	growing = 0;
	if ((idle < conf.c_min_spare || queued > idle) &&
	    total < conf.c_max_children) {
		if (io_now_ms() < backoff_until)
			return;
		n = idle < conf.c_min_spare ?
		    (conf.c_min_spare - idle) * spawn_batch : 0;
		/*
		 * Never more idle than --max-spare from doubling alone: the
		 * excess would stay for minutes now that the pool shrinks
		 * by one a second.
		 */
		if (n > conf.c_max_spare - idle)
			n = conf.c_max_spare - idle;
		/*
		 * A burst waits in the listen queue: a child for each waiting
		 * connection at once, rather than doubling batches each of
		 * which waits for the last one to start and accept.
		 */
		if (queued > idle && queued - idle > n)
			n = queued - idle;
		if (n > conf.c_max_children - total)
			n = conf.c_max_children - total;
		growing = 1;
		for (i = 0; i < n; i++)
			if (prefork_spawn() == -1) {
				prefork_backoff();
				break;
			}
		if (i > 0)
			grew_at = io_now_ms();
		if (n > 0)
			log_debug("pool: %u idle, %u busy, %u queued: forked %u",
			    idle, busy, queued, i);
		if (spawn_batch < SPAWN_BATCH_MAX)
			spawn_batch *= 2;
		return;
	}
	if (tick)
		spawn_batch = 1;
	/*
	 * Shrink slowly, one child a second as Apache's prefork does: the
	 * 500 children of a c500 burst take eight minutes to go, so the
	 * next burst within minutes finds them instead of a second of
	 * forking (an idle child costs ~45 KiB; on a virtual machine a fork,
	 * the child's start-up and its first request took ~3.5 ms of CPU,
	 * with clients queued behind).
	 *
	 * And only --shrink-after (60 s) after the last fork for a
	 * shortage. While a burst is still being accepted, children forked
	 * for it count as idle until they take their connection: retiring
	 * them then only meant forking them again (28 in one c500 start).
	 * And a burst that comes back within the minute finds the whole
	 * pool: in the bench, whose c500 runs come about a minute apart,
	 * the p99 of the runs after the first went from 121-127 ms with
	 * 5 s to 80 ms (two alternating runs each), req/s from 21-25k
	 * to 28k.
	 */
	if (tick && idle > conf.c_max_spare &&
	    io_now_ms() - grew_at >= (int64_t)conf.c_shrink_after * 1000 &&
	    write(pod_pipe[1], &c, 1) == 1)
		log_debug("pool: %u idle, %u busy: retiring 1", idle, busy);
}

static void
prefork_kill_all(int signo, int only_old)
{
	struct sb_slot	*slot;
	unsigned	 i;

	for (i = 0; i < scoreboard->sb_nslots; i++) {
		slot = &scoreboard->sb_slots[i];
		if (slot->sl_pid == 0)
			continue;
		if (only_old &&
		    slot->sl_generation == scoreboard->sb_generation)
			continue;
		(void)kill(slot->sl_pid, signo);
	}
}

/*
 * SIGHUP: a new generation of children starts accepting at once on the
 * same listeners, then the old one is told to leave after the connection
 * it is serving. The listeners never close, so nothing is refused.
 */
static void
prefork_restart(const char *why)
{
	char		 drain[64];
	unsigned	 i;

	log_info("%s: graceful restart", why);
	replace_due = 0;
	if (conf.c_user_file != NULL) {
		char	 msg[512];

		/* New children see the new users; a bad file keeps the old. */
		if (users_load(conf.c_user_file, msg, sizeof(msg)) == -1)
			log_warnx("--user-file %s; keeping the users loaded "
			    "before", msg);
	}
	while (read(pod_pipe[0], drain, sizeof(drain)) > 0)
		;	/* retire requests were for the old generation */
	scoreboard->sb_generation++;
	for (i = 0; i < conf.c_start_children; i++)
		if (prefork_spawn() == -1)
			break;
	prefork_kill_all(SIGUSR2, 1);
	backoff_ms = 0;
	backoff_until = 0;
}

/*
 * SIGTERM/SIGINT: children close idle connections and finish the
 * transfers in flight; after --grace seconds whatever is left is killed.
 */
static int
prefork_stop(int signo)
{
	struct pollfd	 pfd;
	unsigned char	 sigs[64];
	unsigned	 idle, busy, left;
	int64_t		 deadline;
	ssize_t		 n, i;

	prefork_count(&idle, &busy);
	log_info("%s: stopping; %u connection%s in flight, grace %u s",
	    signo == SIGINT ? "SIGINT" : "SIGTERM", busy, busy == 1 ? "" : "s",
	    conf.c_grace);
	prefork_kill_all(SIGTERM, 0);
	deadline = io_now_ms() + (int64_t)conf.c_grace * 1000;
	for (;;) {
		prefork_reap();
		left = 0;
		for (i = 0; i < (ssize_t)scoreboard->sb_nslots; i++)
			if (scoreboard->sb_slots[i].sl_pid != 0)
				left++;
		if (left == 0)
			break;
		if (io_now_ms() >= deadline) {
			log_warnx("grace period over: killing %u child%s",
			    left, left == 1 ? "" : "ren");
			prefork_kill_all(SIGKILL, 0);
			/* Bounded: a child we may not signal (no CAP_KILL
			 * under a confined unit) must not hang the stop. */
			deadline = io_now_ms() + 5000;
			while (io_now_ms() < deadline) {
				pid_t	 pid = waitpid(-1, NULL, WNOHANG);

				if (pid == -1 && errno == ECHILD)
					break;
				if (pid <= 0)
					poll(NULL, 0, 50);
			}
			break;
		}
		pfd.fd = sig_pipe[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0 &&
		    (n = read(sig_pipe[0], sigs, sizeof(sigs))) > 0) {
			for (i = 0; i < n; i++)
				if (sigs[i] == SIGINT && signo == SIGINT)
					deadline = 0;	/* second ^C */
		}
	}
	log_info("stopped");
	return (EXIT_OK);
}

/*
 * glibc registers each thread for restartable sequences, and the kernel
 * then updates the thread's rseq area on every return to user space after
 * a switch: with a switch per request under c500, perf put that at 3% of
 * all samples (__rseq_handle_notify_resume, a cold user page each time).
 * No process of the pool uses it; glibc's only use, sched_getcpu(), falls
 * back to the system call. The master gives it up before the first fork
 * and the children inherit that: unregistering in each child came after
 * the kernel's first write to the area, which made the page it is on
 * (the thread's descriptor) one more of each child's own. Unregistered
 * with the length glibc registers; should another glibc register
 * otherwise, the kernel refuses and nothing changes. The children's CPU
 * per c500 request, five fresh-server runs each: median 11.6 -> 10.6 us.
 */
static void
prefork_drop_rseq(void)
{
#if defined(HAVE_SYS_RSEQ_H) && defined(SYS_rseq)
	if (__rseq_size > 0)
		(void)syscall(SYS_rseq, (char *)__builtin_thread_pointer() +
		    __rseq_offset, sizeof(struct rseq), RSEQ_FLAG_UNREGISTER,
		    RSEQ_SIG);
#endif
}

int
prefork_run(void)
{
	struct pollfd	 pfd[2];
	unsigned char	 sigs[64], wake[256];
	ssize_t		 n, i;
	int64_t		 next_tick;
	unsigned	 slots;
	int		 tick;

	prefork_master = getpid();
	log_procname("master");
	log_forked_name("child");
	prefork_drop_rseq();
	/* Old generations finishing after SIGHUP need slots of their own. */
	slots = conf.c_max_children * 2;
	scoreboard_create(slots);
	prefork_pipe(sig_pipe, 1, 1);
	prefork_pipe(wake_pipe, 1, 1);
	prefork_pipe(pod_pipe, 1, 1);
	prefork_pipe(sweep_pipe, 1, 1);
	prefork_sweep_fd = sweep_pipe[0];
	sweep_next = conf.c_writable && conf.c_partial_age > 0 ?
	    io_now_ms() + prefork_sweep_every() : 0;
	prefork_wake_fd = wake_pipe[1];
	prefork_pod_fd = pod_pipe[0];
	prefork_signals();
	prefork_boost();

	for (i = 0; i < (ssize_t)conf.c_start_children; i++)
		if (prefork_spawn() == -1)
			break;
	next_tick = io_now_ms() + 1000;
	for (;;) {
		pfd[0].fd = sig_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = wake_pipe[0];
		pfd[1].events = POLLIN;
		n = next_tick - io_now_ms();
		if (n < 0)
			n = 0;
		/* While a burst is still queued, look again soon. */
		if (growing && n > GROW_RECHECK_MS)
			n = GROW_RECHECK_MS;
		if (poll(pfd, 2, (int)n) == -1 && errno != EINTR)
			fatal("poll");
		tick = io_now_ms() >= next_tick;
		if (tick)
			next_tick = io_now_ms() + 1000;
		if (pfd[1].revents & POLLIN) {
			while (read(wake_pipe[0], wake, sizeof(wake)) > 0)
				;
			atomic_store(&scoreboard->sb_wake, 0);
		}
		if (pfd[0].revents & POLLIN &&
		    (n = read(sig_pipe[0], sigs, sizeof(sigs))) > 0) {
			for (i = 0; i < n; i++) {
				switch (sigs[i]) {
				case SIGTERM:
				case SIGINT:
					return (prefork_stop(sigs[i]));
				case SIGHUP:
					prefork_restart("SIGHUP");
					break;
				case SIGUSR1:
					/*
					 * Children may be chrooted and no
					 * longer root: they cannot reopen.
					 * New ones inherit the new files.
					 */
					if (log_reopen() == -1 ||
					    access_log_reopen() == -1)
						log_warn("SIGUSR1: reopen log");
					else
						log_info("SIGUSR1: logs reopened");
					prefork_restart("SIGUSR1");
					break;
				}
			}
		}
		prefork_reap();
		if (children_fatal) {
			prefork_stop(SIGTERM);
			return (EXIT_RUNTIME);
		}
		prefork_maintain(tick);
		if (tick && sweep_next != 0 && io_now_ms() >= sweep_next) {
			prefork_sweep();
			sweep_next = io_now_ms() + prefork_sweep_every();
		}
	}
}
