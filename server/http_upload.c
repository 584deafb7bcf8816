/*
 * http_upload.c: the HTTP requests that change the store: PUT of a raw
 * body (Content-Length or chunked), POST of multipart/form-data (the
 * page's form: any number of files, plus "mkdir" and "delete" fields),
 * POST ?mkdir=NAME, MKCOL and DELETE. Every file goes through
 * store_put_begin/commit, so it appears whole or not at all.
 *
 * Existing names: replaced, unless --no-clobber (409 Conflict); with
 * ?keep on the URL the upload is kept beside the old file as
 * "name (1).ext", "name (2).ext"...
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "conn.h"
#include "http.h"
#include "io.h"
#include "log.h"
#include "store.h"
#include "wharfd.h"
#include "writeback.h"

#define MP_BUF		(128 * 1024)	/* multipart parse window */
#define FIELD_MAX	1024		/* a form field's value */
#define KEEP_MAX	1000		/* "name (N).ext" tried up to N */
/*
 * A PUT body spliced from the socket to the file: from this much left
 * (below, a pipe's four system calls buy nothing), through a pipe this
 * big (the most an unprivileged process may ask for by default).
 */
#define SPLICE_MIN	(1024 * 1024)
#define SPLICE_PIPE	(1024 * 1024)

/* One file being received. */
struct upload {
	struct store_upload	 u_su;
	char			 u_rel[PATH_MAX];
	unsigned long long	 u_total;
	int			 u_werr;	/* first write error */
	struct writeback	 u_wb;		/* on its way to the disk */
	int			 u_existed;
	int			 u_active;
};

static char	 mp_buf[MP_BUF + 1];

static int	 upload_join(struct hsess *, const char *dir, const char *name,
		    char *rel);
static int	 upload_count(struct upload *, size_t n);
static void	 upload_wrote(struct upload *, size_t n);
static int	 upload_splice(struct hsess *, struct upload *);
static int	 upload_keep_name(char *rel);
static int	 upload_begin(struct hsess *, struct upload *, int keep);
static void	 upload_write(struct upload *, const void *, size_t);
static void	 upload_log_error(const struct upload *, const char *);
static int	 upload_commit(struct hsess *, struct upload *, int keep);
static void	 upload_abort(struct upload *);
static int	 upload_read_error(struct hsess *, struct upload *);
static int	 post_field(struct hsess *, const char *field,
		    const char *value);
static int	 post_done(struct hsess *, int status);
static int	 location(struct hsess *, const char *rel, int dir);
static int	 wants_html(struct hsess *);

/* dir + "/" + name, normalised, into rel (PATH_MAX). 0 or a status. */
static int
upload_join(struct hsess *hs, const char *dir, const char *name, char *rel)
{
	char	 joined[PATH_MAX];
	int	 e;

	if (snprintf(joined, sizeof(joined), "%s/%s", dir, name) >=
	    (int)sizeof(joined))
		return (414);
	if ((e = store_normalize(joined, rel, PATH_MAX)) != 0) {
		http_message(hs, "%s: %s", name, e == EACCES ? "'..' is not "
		    "allowed" : e == ENOENT ? "reserved name" :
		    "invalid name");
		return (e == EACCES ? 403 : e == ENOENT ? 403 :
		    e == ENAMETOOLONG ? 414 : 400);
	}
	if (rel[0] == '\0' || strcmp(rel, dir) == 0) {
		http_message(hs, "a name is needed");
		return (400);
	}
	return (0);
}

/* Turn rel into the first free "name (N).ext". 0 or -1. */
static int
upload_keep_name(char *rel)
{
	char		 try[PATH_MAX];
	struct stat	 st;
	const char	*base, *dot;
	size_t		 stem;
	int		 n;

	base = strrchr(rel, '/');
	base = base != NULL ? base + 1 : rel;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		dot = base + strlen(base);
	stem = (size_t)(dot - rel);
	for (n = 1; n <= KEEP_MAX; n++) {
		if (snprintf(try, sizeof(try), "%.*s (%d)%s", (int)stem, rel,
		    n, dot) >= (int)sizeof(try))
			return (-1);
		if (strlen(try) - (size_t)(base - rel) > NAME_MAX)
			return (-1);
		if (store_stat(&store, try, &st) == -1 && errno == ENOENT) {
			memcpy(rel, try, strlen(try) + 1);
			return (0);
		}
	}
	return (-1);
}

static int
upload_begin(struct hsess *hs, struct upload *u, int keep)
{
	struct stat	 st;
	int		 st_rv;

	u->u_total = 0;
	u->u_werr = 0;
	u->u_active = 0;
	u->u_existed = store_stat(&store, u->u_rel, &st) == 0;
	if (u->u_existed && S_ISDIR(st.st_mode)) {
		http_message(hs, "%s: is a directory", u->u_rel);
		return (409);
	}
	if (u->u_existed && keep) {
		if (upload_keep_name(u->u_rel) == -1) {
			http_message(hs, "%s: no free name to keep both",
			    u->u_rel);
			return (409);
		}
		u->u_existed = 0;
	} else if (u->u_existed && conf.c_no_clobber) {
		http_message(hs, "%s: already exists (add ?keep to keep "
		    "both)", u->u_rel);
		return (409);
	}
	if (store_put_begin(&store, u->u_rel, &u->u_su) == -1) {
		st_rv = http_errno_status(errno);
		http_message(hs, "%s: %s", u->u_rel, strerror(errno));
		return (st_rv);
	}
	u->u_active = 1;
	writeback_begin(&u->u_wb, store.st_fsync ? u->u_su.su_fd : -1, 0);
	child_state(SL_RECEIVING);
	return (0);
}

/* A storage error is the operator's business (disk full, EIO, quota). */
static void
upload_log_error(const struct upload *u, const char *what)
{
	char	esc[SL_PATH_MAX];
	int	e = errno;

	log_escape(esc, sizeof(esc), u->u_rel, strlen(u->u_rel));
	log_warnx("upload %s: %s: %s", esc, what, strerror(e));
	errno = e;
}

/* Count n more bytes of the body. 1 when they are to be written. */
static int
upload_count(struct upload *u, size_t n)
{
	u->u_total += n;
	child_slot->sl_bytes += n;
	if (u->u_werr == 0 && conf.c_max_upload > 0 &&
	    u->u_total > conf.c_max_upload)
		u->u_werr = EFBIG;
	return (u->u_werr == 0);
}

/* n bytes were written to the file. */
static void
upload_wrote(struct upload *u, size_t n)
{
	/* Durable: the disk starts now, so the fsync at the end is short. */
	if (u->u_werr == 0 && writeback_wrote(&u->u_wb, n) == -1) {
		u->u_werr = errno;
		upload_log_error(u, "writeback");
	}
}

static void
upload_write(struct upload *u, const void *p, size_t n)
{
	if (!upload_count(u, n))
		return;
	if (io_write_full(u->u_su.su_fd, p, n) == -1) {
		u->u_werr = errno;
		upload_log_error(u, "write");
		return;
	}
	upload_wrote(u, n);
}

/*
 * The rest of a Content-Length body from the socket to the file through a
 * pipe (splice(2)): the bytes are copied once, into the page cache, where
 * recv and write copied them twice. Returns 0 to go on with the read
 * loop (the body is done, or short, or a write failed: the rest is read
 * and dropped there), or -1 when the body could not be read (errno as
 * http_body_read).
 */
static int
upload_splice(struct hsess *hs, struct upload *u)
{
	ssize_t	 n, w, left;
	int	 pfd[2], rv = 0, e;

	if (u->u_werr != 0 || http_body_spliceable(hs) < SPLICE_MIN)
		return (0);
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return (0);
	/* Fewer rounds; the default 64 KiB works too. */
	(void)fcntl(pfd[1], F_SETPIPE_SZ, SPLICE_PIPE);
	while (u->u_werr == 0) {
		if ((n = http_body_splice(hs, pfd[1], SPLICE_PIPE)) <= 0) {
			rv = (int)n;
			break;
		}
		if (!upload_count(u, (size_t)n))
			break;
		for (left = n; left > 0; left -= w) {
			w = splice(pfd[0], NULL, u->u_su.su_fd, NULL,
			    (size_t)left, SPLICE_F_MOVE);
			if (w == -1 && errno == EINTR)
				w = 0;
			else if (w <= 0) {
				u->u_werr = w == 0 ? EIO : errno;
				upload_log_error(u, "write");
				break;
			}
		}
		upload_wrote(u, (size_t)n);
	}
	e = errno;
	close(pfd[0]);
	close(pfd[1]);
	errno = e;
	return (rv);
}

static void
upload_abort(struct upload *u)
{
	if (u->u_active) {
		if (writeback_end(&u->u_wb) == -1)
			upload_log_error(u, "writeback");
		store_put_abort(&u->u_su);
	}
	u->u_active = 0;
}

/* Commit: 201 (new), 204 (replaced), or an error status. */
static int
upload_commit(struct hsess *hs, struct upload *u, int keep)
{
	char	 esc[256];
	int	 e;

	/* The flush beside the receiving may have failed: no commit then. */
	if (u->u_werr == 0 && writeback_end(&u->u_wb) == -1) {
		u->u_werr = errno;
		upload_log_error(u, "writeback");
	}
	if (u->u_werr != 0) {
		e = u->u_werr;
		upload_abort(u);
		if (e == EFBIG)
			http_message(hs, "%s: too large: the limit is %llu "
			    "bytes", u->u_rel, conf.c_max_upload);
		else
			http_message(hs, "%s: %s", u->u_rel, strerror(e));
		return (http_errno_status(e));
	}
	u->u_active = 0;
	if (store_put_commit(&store, &u->u_su, conf.c_no_clobber || keep) ==
	    -1) {
		e = errno;
		store_put_abort(&u->u_su);
		if (e != EEXIST) {
			errno = e;
			upload_log_error(u, "commit");
		}
		http_message(hs, "%s: %s", u->u_rel, e == EEXIST ?
		    "already exists" : strerror(e));
		return (http_errno_status(e));
	}
	store_put_abort(&u->u_su);	/* closes what is left */
	log_escape(esc, sizeof(esc), u->u_rel, strlen(u->u_rel));
	log_info("%s: HTTP upload %s: %llu bytes", hs->hs_conn->c_peer, esc,
	    u->u_total);
	return (u->u_existed ? 204 : 201);
}

/* The body could not be read: bad framing, a stall or a vanished client. */
static int
upload_read_error(struct hsess *hs, struct upload *u)
{
	int	 e = errno;

	upload_abort(u);
	hs->hs_close = 1;
	hs->hs_body = HB_DONE;
	if (e == EPROTO) {
		http_message(hs, "bad chunked framing");
		return (400);
	}
	if (e == ETIMEDOUT) {
		http_message(hs, "the body stalled");
		return (408);
	}
	return (HTTP_BROKEN);
}

static int
location(struct hsess *hs, const char *rel, int dir)
{
	struct buf	*b = &hs->hs_hdrs;

	if (buf_adds(b, "Location: /") == -1 ||
	    http_urlenc(b, rel, strlen(rel)) == -1 ||
	    buf_adds(b, dir && rel[0] != '\0' ? "/\r\n" : "\r\n") == -1)
		return (-1);
	return (0);
}

static int
wants_html(struct hsess *hs)
{
	const char	*a = http_field(&hs->hs_head, "Accept");

	return (a != NULL && strstr(a, "text/html") != NULL);
}

int
http_put(struct hsess *hs)
{
	struct upload		 u;
	struct http_framing	*f = &hs->hs_framing;
	unsigned char		*buf;
	ssize_t			 n;
	int			 st, keep;

	if ((st = http_may_write(hs)) != 0)
		return (st);
	if (hs->hs_rel[0] == '\0' || hs->hs_slash) {
		http_message(hs, "PUT needs a file name, not a directory");
		return (409);
	}
	if (!f->hb_chunked && !f->hb_has_length)
		return (411);
	if (conf.c_max_upload > 0 && f->hb_has_length &&
	    f->hb_length > conf.c_max_upload) {
		http_message(hs, "the limit is %llu bytes", conf.c_max_upload);
		return (413);
	}
	if ((buf = http_xfer_buf()) == NULL)
		return (503);
	keep = http_query(hs->hs_query, "keep", NULL, 0) != 0;
	memset(&u, 0, sizeof(u));
	memcpy(u.u_rel, hs->hs_rel, strlen(hs->hs_rel) + 1);
	if ((st = upload_begin(hs, &u, keep)) != 0)
		return (st);
	for (;;) {
		if (upload_splice(hs, &u) == -1)
			return (upload_read_error(hs, &u));
		n = http_body_read(hs, buf, HTTP_XFER_BUF);
		if (n == -1)
			return (upload_read_error(hs, &u));
		if (n == 0)
			break;
		upload_write(&u, buf, (size_t)n);
		if (u.u_werr == EFBIG)
			break;	/* answer now; the rest is not read */
	}
	st = upload_commit(hs, &u, keep);
	if (st == 201 && location(hs, u.u_rel, 0) == -1)
		return (500);
	return (st);
}

/* A form field that does something: mkdir or delete. 0 or a status. */
static int
post_field(struct hsess *hs, const char *field, const char *value)
{
	char	 rel[PATH_MAX];
	int	 st;

	if ((st = upload_join(hs, hs->hs_rel, value, rel)) != 0)
		return (st);
	if (strcmp(field, "mkdir") == 0) {
		if (store_mkdir(&store, rel, 0755) == -1) {
			http_message(hs, "%s: %s", value, errno == EEXIST ?
			    "already exists" : strerror(errno));
			return (http_errno_status(errno));
		}
		return (0);
	}
	if (store_delete(&store, rel) == -1) {
		http_message(hs, "%s: %s", value, strerror(errno));
		return (http_errno_status(errno));
	}
	return (0);
}

/* After a successful POST: a browser's form goes back to the listing. */
static int
post_done(struct hsess *hs, int status)
{
	if (wants_html(hs)) {
		if (location(hs, hs->hs_rel, 1) == -1)
			return (500);
		return (303);
	}
	return (status);
}

int
http_post(struct hsess *hs)
{
	struct http_multipart	 mp;
	struct http_part	 part;
	struct upload		 u;
	struct stat		 st;
	char			 boundary[HTTP_BOUNDARY_MAX + 1];
	char			 field[32], value[FIELD_MAX + 1], done[200];
	const char		*name, *slash;
	size_t			 have = 0, used, vlen = 0, dl;
	ssize_t			 n;
	int			 ev, eof = 0, rv, first_err = 0, keep;
	int			 files = 0, in_file = 0, in_field = 0;

	if ((rv = http_may_write(hs)) != 0)
		return (rv);
	if (store_stat(&store, hs->hs_rel, &st) == -1)
		return (http_errno_status(errno));
	if (!S_ISDIR(st.st_mode)) {
		http_message(hs, "POST goes to a directory");
		return (409);
	}
	if (http_query(hs->hs_query, "mkdir", value, sizeof(value)) == 1) {
		if ((rv = post_field(hs, "mkdir", value)) != 0)
			return (rv);
		return (post_done(hs, 201));
	}
	if (http_parse_boundary(http_field(&hs->hs_head, "Content-Type"),
	    boundary, sizeof(boundary)) == -1) {
		http_message(hs, "expected multipart/form-data with a "
		    "boundary, or ?mkdir=NAME");
		return (415);
	}
	/*
	 * No early 413 here: --max-upload is per file, and a form's length
	 * adds boundaries and part headers and may carry several files.
	 * upload_write() holds each file to the limit as it arrives.
	 */
	keep = http_query(hs->hs_query, "keep", NULL, 0) != 0;
	http_multipart_init(&mp, boundary);
	memset(&u, 0, sizeof(u));
	done[0] = '\0';
	field[0] = '\0';
	for (;;) {
		ev = http_multipart_next(&mp, mp_buf, have, eof, &used, &part);
		if (ev == -1) {
			upload_abort(&u);
			hs->hs_close = 1;
			http_message(hs, "malformed multipart body");
			return (400);
		}
		if (ev == HTTP_MP_PART || ev == HTTP_MP_END) {
			/* the previous part is complete */
			if (in_file) {
				rv = upload_commit(hs, &u, keep);
				if (rv >= 400 && first_err == 0)
					first_err = rv;
				else if (rv < 400) {
					files++;
					dl = strlen(done);
					if (dl + strlen(u.u_rel) + 3 <
					    sizeof(done))
						sprintf(done + dl, "%s%s",
						    files > 1 ? ", " : "",
						    u.u_rel);
				}
			} else if (in_field) {
				value[vlen] = '\0';
				rv = post_field(hs, field, value);
				if (rv != 0 && first_err == 0)
					first_err = rv;
			}
			in_file = in_field = 0;
		}
		if (ev == HTTP_MP_END)
			break;
		if (ev == HTTP_MP_PART && first_err == 0) {
			name = part.hp_filename;
			if (name != NULL) {
				/* a browser may send a whole client path */
				if ((slash = strrchr(name, '/')) != NULL)
					name = slash + 1;
				if ((slash = strrchr(name, '\\')) != NULL)
					name = slash + 1;
			}
			if (name != NULL && *name != '\0') {
				rv = upload_join(hs, hs->hs_rel, name,
				    u.u_rel);
				if (rv == 0)
					rv = upload_begin(hs, &u, keep);
				if (rv != 0)
					first_err = rv;
				else
					in_file = 1;
			} else if (name == NULL && part.hp_name != NULL &&
			    (strcmp(part.hp_name, "mkdir") == 0 ||
			    strcmp(part.hp_name, "delete") == 0)) {
				snprintf(field, sizeof(field), "%s",
				    part.hp_name);
				in_field = 1;
				vlen = 0;
			}
		} else if (ev == HTTP_MP_DATA) {
			if (in_file)
				upload_write(&u, mp_buf, used);
			else if (in_field) {
				if (vlen + used > FIELD_MAX) {
					in_field = 0;
					if (first_err == 0)
						first_err = 400;
					http_message(hs, "field too long");
				} else {
					memcpy(value + vlen, mp_buf, used);
					vlen += used;
				}
			}
			if (in_file && u.u_werr == EFBIG) {
				rv = upload_commit(hs, &u, keep);
				hs->hs_close = 1;
				return (rv);
			}
		}
		memmove(mp_buf, mp_buf + used, have - used);
		have -= used;
		if (ev == HTTP_MP_NEED) {
			if (have == MP_BUF) {
				upload_abort(&u);
				hs->hs_close = 1;
				return (400);
			}
			n = http_body_read(hs, mp_buf + have, MP_BUF - have);
			if (n == -1)
				return (upload_read_error(hs, &u));
			if (n == 0)
				eof = 1;
			have += (size_t)n;
		}
	}
	if (first_err != 0)
		return (first_err);
	if (files > 0 && !wants_html(hs))
		http_message(hs, "%s", done);
	return (post_done(hs, files > 0 ? 201 : 200));
}

int
http_delete(struct hsess *hs)
{
	int	 st;

	if ((st = http_may_write(hs)) != 0)
		return (st);
	if (hs->hs_rel[0] == '\0') {
		http_message(hs, "the root of the store cannot be deleted");
		return (403);
	}
	if (store_delete(&store, hs->hs_rel) == -1) {
		st = http_errno_status(errno);
		http_message(hs, "%s", errno == ENOTEMPTY ?
		    "directory not empty" : strerror(errno));
		return (st);
	}
	return (204);
}

int
http_mkcol(struct hsess *hs)
{
	int	 st;

	if ((st = http_may_write(hs)) != 0)
		return (st);
	if (hs->hs_body != HB_NONE)
		return (415);	/* RFC 4918: MKCOL with a body */
	if (store_mkdir(&store, hs->hs_rel, 0755) == -1) {
		st = errno;
		http_message(hs, "%s", st == EEXIST ? "already exists" :
		    strerror(st));
		return (st == ENOENT ? 409 : http_errno_status(st));
	}
	if (location(hs, hs->hs_rel, 1) == -1)
		return (500);
	return (201);
}
