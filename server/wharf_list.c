/*
 * wharf_list.c: LIST and STAT. A listing streams entry lines as readdir
 * yields them through a fixed buffer, so a directory of a million names
 * costs the same memory as one of ten.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "child.h"
#include "conn.h"
#include "store.h"
#include "wharf.h"
#include "wharfd.h"

#define LIST_FLUSH	(32 * 1024)

static char	 entry_type(struct stat *);
static int	 entry_add(struct buf *, struct stat *, char type,
		    const char *name);
static char	 entry_follow(const char *dirrel, const char *name,
		    struct stat *);

static char
entry_type(struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return ('f');
	if (S_ISDIR(st->st_mode))
		return ('d');
	if (S_ISLNK(st->st_mode))
		return ('l');
	return ('o');
}

/* Append "TYPE SIZE MTIME NAME\r\n". Returns 0 or -1. */
static int
entry_add(struct buf *b, struct stat *st, char type, const char *name)
{
	char	 enc[NAME_MAX * 3 + PATH_MAX];

	if (wp_encode(enc, sizeof(enc), name, strlen(name)) == -1)
		return (-1);
	return (buf_printf(b, "%c %lld %lld %s\r\n", type,
	    type == 'f' ? (long long)st->st_size : 0LL,
	    (long long)st->st_mtime, enc));
}

/*
 * A symlink is shown as what it points to when that is inside the store,
 * and as 'l' otherwise. st holds the link itself on entry.
 */
static char
entry_follow(const char *dirrel, const char *name, struct stat *st)
{
	char		 rel[PATH_MAX];
	struct stat	 target;
	int		 n;

	n = snprintf(rel, sizeof(rel), "%s%s%s", dirrel, *dirrel ? "/" : "",
	    name);
	if (n < 0 || (size_t)n >= sizeof(rel) ||
	    store_stat(&store, rel, &target) == -1)
		return ('l');
	*st = target;
	return (entry_type(st));
}

int
cmd_list(struct wsess *ws, struct wp_command *wc)
{
	char		 rel[PATH_MAX], dec[PATH_MAX];
	struct buf	 out;
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	const char	*base;
	unsigned long	 n = 0;
	int		 fd, ok, rv, e;
	char		 type;

	if (wc->wc_argc == 0) {
		rel[0] = '\0';
		dec[0] = '\0';
	} else {
		if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
			return (rv);
		(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	}
	if ((fd = store_openat(&store, rel, O_RDONLY | O_DIRECTORY, 0)) == -1) {
		if (errno != ENOTDIR)
			return (wharf_reply_errno(ws, errno, dec));
		/* A file: its own entry. */
		if (store_stat(&store, rel, &st) == -1)
			return (wharf_reply_errno(ws, errno, dec));
		base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
		buf_init(&out, LIST_FLUSH * 2);
		rv = entry_add(&out, &st, entry_type(&st), base);
		if ((rv = wharf_reply(ws, 150, "listing %s",
		    wc->wc_argv[0])) == WHARF_NEXT) {
			child_state(SL_SENDING);
			if (conn_write(ws->ws_conn, buf_head(&out),
			    buf_avail(&out)) == -1)
				rv = WHARF_BROKEN;
			else
				rv = wharf_reply(ws, 200, "1 entries");
		}
		buf_free(&out);
		return (rv);
	}
	if ((dir = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		return (wharf_reply_errno(ws, e, dec));
	}
	if ((rv = wharf_reply(ws, 150, "listing %s", wc->wc_argc ?
	    wc->wc_argv[0] : "/")) != WHARF_NEXT) {
		closedir(dir);
		return (rv);
	}
	child_state(SL_SENDING);
	buf_init(&out, LIST_FLUSH * 2);
	e = 0;
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL) {
			e = errno;
			break;
		}
		if (store_is_hidden(de->d_name))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;	/* removed meanwhile */
		type = entry_type(&st);
		if (type == 'l')
			type = entry_follow(rel, de->d_name, &st);
		if (entry_add(&out, &st, type, de->d_name) == -1) {
			e = errno;
			break;
		}
		n++;
		if (buf_avail(&out) >= LIST_FLUSH) {
			if (conn_write(ws->ws_conn, buf_head(&out),
			    buf_avail(&out)) == -1) {
				buf_free(&out);
				closedir(dir);
				return (WHARF_BROKEN);
			}
			child_slot->sl_bytes += buf_avail(&out);
			buf_reset(&out);
		}
	}
	closedir(dir);
	rv = WHARF_NEXT;
	if (buf_avail(&out) > 0 && conn_write(ws->ws_conn, buf_head(&out),
	    buf_avail(&out)) == -1)
		rv = WHARF_BROKEN;
	buf_free(&out);
	if (rv != WHARF_NEXT)
		return (rv);
	if (e != 0)
		return (wharf_reply(ws, 451, "listing incomplete: %s",
		    strerror(e)));
	return (wharf_reply(ws, 200, "%lu entries", n));
}

int
cmd_stat(struct wsess *ws, struct wp_command *wc)
{
	char		 rel[PATH_MAX], dec[PATH_MAX], enc[NAME_MAX * 3 + 1];
	const char	*base;
	struct stat	 st;
	int		 ok, rv;

	if ((rv = wharf_path(ws, wc->wc_argv[0], rel, &ok)) != 0 || !ok)
		return (rv);
	(void)wp_decode(dec, sizeof(dec), wc->wc_argv[0]);
	if (store_stat(&store, rel, &st) == -1)
		return (wharf_reply_errno(ws, errno, dec));
	/* The name, like a LIST entry's: a reply line must stay short. */
	base = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
	if (*base == '\0')
		base = "/";
	if (wp_encode(enc, sizeof(enc), base, strlen(base)) == -1)
		return (wharf_reply_errno(ws, ENAMETOOLONG, dec));
	return (wharf_reply(ws, 200, "%c %lld %lld %s", entry_type(&st),
	    S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL,
	    (long long)st.st_mtime, enc));
}
