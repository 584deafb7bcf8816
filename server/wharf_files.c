/*
 * wharf_files.c: DELETE, MKDIR and RENAME: the commands that change the
 * store's names without moving file contents.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "wharf.h"
#include "wharfd.h"

int
cmd_delete(struct wsess *ws, struct wp_command *wc)
{
	char	 rel[PATH_MAX], dec[PATH_MAX];
	int	 ok, rv;

	if (!wharf_may_write(ws, &rv))
		return (rv);
	if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
		return (rv);
	(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	if (store_delete(&store, rel) == -1)
		return (wharf_reply_errno(ws, errno, dec));
	return (wharf_reply(ws, 200, "deleted"));
}

int
cmd_mkdir(struct wsess *ws, struct wp_command *wc)
{
	char	 rel[PATH_MAX], dec[PATH_MAX];
	int	 ok, rv;

	if (!wharf_may_write(ws, &rv))
		return (rv);
	if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
		return (rv);
	(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	if (store_mkdir(&store, rel, 0755) == -1)
		return (wharf_reply_errno(ws, errno, dec));
	return (wharf_reply(ws, 200, "created"));
}

int
cmd_rename(struct wsess *ws, struct wp_command *wc)
{
	char	 from[PATH_MAX], to[PATH_MAX], dec[PATH_MAX];
	int	 ok, rv, noclobber = 0;

	if (!wharf_may_write(ws, &rv))
		return (rv);
	if (wc->wc_argc == 3) {
		if (strcmp(wc->wc_argv[2], "noclobber") != 0)
			return (wharf_reply(ws, 501, "RENAME FROM TO "
			    "[noclobber]"));
		noclobber = 1;
	}
	if ((rv = wharf_path(ws, wc->wc_argv[0], from, &ok)) != 0 || !ok)
		return (rv);
	if ((rv = wharf_path(ws, wc->wc_argv[1], to, &ok)) != 0 || !ok)
		return (rv);
	if (store_rename(&store, from, to, noclobber) == -1) {
		if (errno == ENOTDIR || errno == EISDIR)
			return (wharf_reply(ws, 551, "cannot replace a file "
			    "with a directory or a directory with a file"));
		/* Say which name the error is about when it is clear. */
		(void)wp_decode(dec, sizeof(dec), errno == EEXIST ?
		    wc->wc_argv[1] : wc->wc_argv[0]);
		return (wharf_reply_errno(ws, errno, dec));
	}
	return (wharf_reply(ws, 200, "renamed"));
}
