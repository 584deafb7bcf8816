/*
 * scoreboard.h: one slot per child in an anonymous shared mapping. Each
 * child writes its own slot; the master reads them all to size the pool,
 * and the status view reports them.
 */
#ifndef WHARFD_SCOREBOARD_H
#define WHARFD_SCOREBOARD_H

#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

enum sl_state {
	SL_EMPTY = 0,	/* no child */
	SL_STARTING,	/* forked, not yet accepting */
	SL_IDLE,	/* waiting for a connection */
	SL_READING,	/* reading a command or request */
	SL_SENDING,	/* sending a reply or file */
	SL_RECEIVING,	/* receiving an upload */
	SL_KEEPALIVE,	/* connection open, waiting for the next request */
	SL_CLOSING,	/* finishing and leaving */
	SL_SWEEPING	/* removing expired partial uploads (sweep.c) */
};

#define SL_PEER_MAX	64
#define SL_PATH_MAX	256

struct sb_slot {
	pid_t			 sl_pid;
	unsigned		 sl_generation;
	volatile int		 sl_state;
	volatile int		 sl_proto;
	int			 sl_ready;	/* has reached SL_IDLE once */
	int			 sl_retired;	/* left because the master asked */
	char			 sl_peer[SL_PEER_MAX];
	char			 sl_addr[SL_PEER_MAX];	/* numeric host */
	volatile int64_t	 sl_changed;	/* state last changed, ms */
	char			 sl_path[SL_PATH_MAX];
	volatile uint64_t	 sl_bytes;	/* this connection */
	volatile uint64_t	 sl_requests;	/* this connection */
	volatile uint64_t	 sl_connections;	/* since start */
	time_t			 sl_started;	/* child start */
	time_t			 sl_since;	/* connection start */
};

struct scoreboard {
	atomic_int		 sb_idle;	/* hint: children in SL_IDLE */
	atomic_int		 sb_wake;	/* a wake-up is on its way */
	atomic_int		 sb_queued;	/* pool full, clients queued */
	unsigned		 sb_generation;	/* bumped by SIGHUP */
	unsigned		 sb_nslots;
	atomic_uint		 sb_used;	/* slots from here on never
						   held a child (master only) */
	struct sb_slot		 sb_slots[];
};

extern struct scoreboard	*scoreboard;

/*
 * The upload a child has in progress: its temporary file, so that the
 * master can remove it when the child dies mid-upload (kill -9, crash),
 * and no space leaks.  One per slot, in a mapping of its own, so that
 * its pages are touched only by children that upload.  The master reads
 * it only after waitpid(2) has reaped the child, so no ordering is needed
 * beyond that; it trusts nothing in it (see prefork_upload_cleanup()).
 */
#define SB_UPLOAD_REL_MAX	4096
#define SB_UPLOAD_TMP_MAX	64

struct sb_upload {
	char			 up_rel[SB_UPLOAD_REL_MAX];	/* target */
	char			 up_tmp[SB_UPLOAD_TMP_MAX];	/* or "" */
};

/* Map a scoreboard of nslots zeroed slots shared with future children.
 * Exits on failure (start-up only). */
void		 scoreboard_create(unsigned nslots);
/* The upload record of a slot. */
struct sb_upload	*scoreboard_upload(const struct sb_slot *);
/* A free slot, or NULL when all are in use. */
struct sb_slot	*scoreboard_free_slot(void);
/* The slot of pid, or NULL. */
struct sb_slot	*scoreboard_find(pid_t);
/* Name of a state for logs and the status view. */
const char	*scoreboard_state_name(int);

#endif
