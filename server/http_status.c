/*
 * http_status.c: --status: the scoreboard as JSON at /.wharf/status, one
 * object per child (pid, state, protocol, peer, current path, bytes and
 * requests of its connection, age). Loopback peers only, unless
 * --status-allow any.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "child.h"
#include "config.h"
#include "http.h"
#include "listen.h"
#include "scoreboard.h"
#include "wharfd.h"

#define STATUS_MAX	(4 * 1024 * 1024)

static int	 status_listeners(struct buf *);

/* Each listener with its accept queue: overload shows here first. */
static int
status_listeners(struct buf *b)
{
	unsigned	 queued, backlog;
	size_t		 k;

	for (k = 0; k < nlisteners; k++) {
		if (listen_queue(&listeners[k], &queued, &backlog) == -1)
			queued = backlog = 0;
		if (buf_printf(b, "%s\n{\"name\":", k == 0 ? "" : ",") == -1 ||
		    http_json(b, listeners[k].l_name) == -1 ||
		    buf_printf(b, ",\"protocol\":\"%s\",\"queued\":%u,"
		    "\"backlog\":%u}", listeners[k].l_proto == PROTO_HTTP ?
		    "http" : "wharf", queued, backlog) == -1)
			return (-1);
	}
	return (0);
}

int
http_status_page(struct hsess *hs)
{
	struct buf		 b;
	const struct sb_slot	*sl;
	time_t			 now = time(NULL);
	unsigned		 i;
	int			 first = 1, rv;
	char			 peer[SL_PEER_MAX], path[SL_PATH_MAX];

	if (!conf.c_status)
		return (404);
	if (!conf.c_status_any && !http_peer_loopback(hs)) {
		http_message(hs, "the status is for loopback clients only "
		    "(--status-allow any)");
		return (403);
	}
	buf_init(&b, STATUS_MAX);
	if (buf_printf(&b, "{\"server\":\"wharfd/%s\",\"time\":%lld,"
	    "\"idle\":%d,\"children\":[", PACKAGE_VERSION, (long long)now,
	    atomic_load(&scoreboard->sb_idle)) == -1)
		goto fail;
	for (i = 0; i < scoreboard->sb_nslots; i++) {
		sl = &scoreboard->sb_slots[i];
		if (sl->sl_pid == 0)
			continue;
		/* another child may be writing these: copy, then terminate */
		memcpy(peer, sl->sl_peer, sizeof(peer));
		peer[sizeof(peer) - 1] = '\0';
		memcpy(path, sl->sl_path, sizeof(path));
		path[sizeof(path) - 1] = '\0';
		if (buf_printf(&b, "%s\n{\"pid\":%ld,\"state\":\"%s\","
		    "\"protocol\":\"%s\",\"peer\":", first ? "" : ",",
		    (long)sl->sl_pid, scoreboard_state_name(sl->sl_state),
		    sl->sl_proto == PROTO_HTTP ? "http" :
		    sl->sl_proto == PROTO_WHARF ? "wharf" : "none") == -1 ||
		    http_json(&b, peer) == -1 ||
		    buf_adds(&b, ",\"path\":") == -1 ||
		    http_json(&b, path) == -1 ||
		    buf_printf(&b, ",\"bytes\":%llu,\"requests\":%llu,"
		    "\"connections\":%llu,\"age\":%lld,\"connected\":%lld}",
		    (unsigned long long)sl->sl_bytes,
		    (unsigned long long)sl->sl_requests,
		    (unsigned long long)sl->sl_connections,
		    (long long)(now - sl->sl_started),
		    sl->sl_proto != PROTO_NONE ?
		    (long long)(now - sl->sl_since) : 0LL) == -1)
			goto fail;
		first = 0;
	}
	if (buf_adds(&b, "\n],\"listeners\":[") == -1 ||
	    status_listeners(&b) == -1 || buf_adds(&b, "\n]}\n") == -1)
		goto fail;
	http_header(hs, "Content-Type: application/json");
	http_header(hs, "Cache-Control: no-store");
	rv = http_reply(hs, 200, (int64_t)buf_avail(&b), buf_head(&b),
	    buf_avail(&b));
	buf_free(&b);
	return (rv);
fail:
	buf_free(&b);
	return (500);
}
