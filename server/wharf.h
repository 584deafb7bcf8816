/*
 * wharf.h: what the WHARF/1 command handlers share: the session state, the
 * one reply renderer, path resolution and errno-to-reply mapping.
 */
#ifndef WHARFD_WHARF_H
#define WHARFD_WHARF_H

#include <stddef.h>

#include "store.h"
#include "wp.h"

struct conn;
struct user;

struct wsess {
	struct conn		*ws_conn;
	const struct user	*ws_user;	/* NULL: anonymous */
	int			 ws_role;	/* ANON_* / ROLE_* */
	int			 ws_code;	/* the last reply's code */
};

/* A handler's result: go on, end the session, or the connection broke. */
#define WHARF_NEXT	0
#define WHARF_END	1
#define WHARF_BROKEN	-1

/* Send one reply line. Returns WHARF_NEXT or WHARF_BROKEN. */
int	 wharf_reply(struct wsess *, int code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Reply for a failed store call: errno value err, about the path as the
 * client wrote it (escaped here). Returns as wharf_reply. */
int	 wharf_reply_errno(struct wsess *, int err, const char *arg);
/*
 * Decode and normalise the client's path argument into rel (a store
 * relpath, PATH_MAX bytes). Returns WHARF_NEXT with *ok = 1 on success;
 * otherwise replies itself and returns what wharf_reply returned.
 */
int	 wharf_path(struct wsess *, const char *arg, char *rel, int *ok);
/* 1 when this session may change the store, else replies 554 and 0. */
int	 wharf_may_write(struct wsess *, int *rv);
/*
 * Read one command line into line (WP_LINE_MAX bytes): --idle-timeout for
 * its first byte, --header-timeout for the rest. Returns its length + 1, 0
 * at end of file, or -1 (errno ETIMEDOUT, ENOBUFS: too long, ESHUTDOWN).
 */
int	 wharf_read_line(struct conn *, char *line);
/* Record the current path in the scoreboard for the status view. */
void	 wharf_slot_path(const char *rel);

int	 cmd_list(struct wsess *, struct wp_command *);
int	 cmd_stat(struct wsess *, struct wp_command *);
int	 cmd_get(struct wsess *, struct wp_command *);
int	 cmd_put(struct wsess *, struct wp_command *);
int	 cmd_part(struct wsess *, struct wp_command *);
int	 cmd_delete(struct wsess *, struct wp_command *);
int	 cmd_mkdir(struct wsess *, struct wp_command *);
int	 cmd_rename(struct wsess *, struct wp_command *);

#endif
