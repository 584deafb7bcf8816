/*
 * transfer.c: get and put. Downloads are pipelined (up to XFER_PIPELINE
 * GET commands ahead of the reply being read) and land in a hidden file
 * beside the target that is renamed into place once the size and CRC-32
 * match the server's 226 line; -c appends to what is already there. An
 * interrupted download leaves that hidden file (.NAME.wharf-part) for
 * get -c to resume. Uploads resume from the server's partial (PART) after
 * comparing CRC-32s of the common prefix. Raw or zlib-compressed both
 * ways; every byte moves through two fixed buffers of XFER_BUF.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "client.h"
#include "io.h"
#include "log.h"
#include "wp.h"

#define CHUNK_HEAD	16		/* room for "<length>\r\n" */
#define PIPE_BYTES	(32 * 1024)	/* command bytes sent ahead */
#define PART_SUFFIX	".wharf-part"
#define ESC_MAX		1024

/* One download: where it comes from and where it goes. */
struct getjob {
	char		*gj_remote;	/* remote path, joined */
	char		*gj_local;	/* target; NULL: stdout */
	char		*gj_tmp;	/* file written, renamed to gj_local
					 * at the end; NULL: writing gj_local
					 * (resume) or stdout */
	int		 gj_fd;
	int		 gj_state;	/* GJ_* */
	int		 gj_status;	/* for GJ_FAILED */
	size_t		 gj_cmdlen;	/* bytes of its GET line */
	unsigned long long gj_offset;	/* bytes already there */
};

#define GJ_QUEUED	0
#define GJ_SENT		1
#define GJ_FAILED	2	/* local failure, already reported */

struct getq {
	struct getjob	*q_v;
	size_t		 q_n;
	size_t		 q_cap;
};

/* Keeps a transfer under --limit-rate. */
struct throttle {
	int64_t			 t_t0;
	unsigned long long	 t_bytes;
	unsigned long long	 t_rate;
};

/* Both XFER_BUF + CHUNK_HEAD bytes. */
static unsigned char	*xbuf_in, *xbuf_out;
static mode_t		 file_mode;		/* 0666 & ~umask */

static void	 xfer_buffers(void);
static size_t	 xfer_block(const struct session *);
static void	 throttle_init(struct throttle *, const struct session *);
static void	 throttle_add(struct throttle *, size_t);
static int	 crc_file(int fd, unsigned long long len, uLong *crc);
static const char *esc(char *, size_t, const char *);
static int	 local_path(char *, size_t, const char *dir,
		    const char *name);

static void	 getq_add(struct getq *, const char *remote,
		    const char *local);
static void	 getq_free(struct getq *);
static int	 get_collect(struct session *, const struct cmdopts *,
		    struct getq *, const char *remote, char type,
		    const char *local);
static int	 get_open(struct getjob *, const struct cmdopts *);
static void	 get_abandon(struct getjob *);
static int	 get_send(struct session *, struct getjob *,
		    const struct cmdopts *);
static int	 get_receive(struct session *, struct getjob *);
static int	 get_body_plain(struct session *, struct getjob *,
		    unsigned long long n, uLong *crc, unsigned long long *got,
		    int *werr, struct progress *);
static int	 get_body_zlib(struct session *, struct getjob *, uLong *crc,
		    unsigned long long *got, int *werr, int *zbad,
		    struct progress *);
static void	 get_write(struct getjob *, const void *, size_t, int *werr);
static int	 get_finish(struct getjob *, int ok);
static int	 get_run(struct session *, const struct cmdopts *,
		    struct getq *);

static int	 put_tree(struct session *, const struct cmdopts *,
		    const char *local, const char *remote);
static int	 put_one(struct session *, const struct cmdopts *,
		    const char *local, const char *remote);
static int	 put_chunk(struct session *, unsigned char *, size_t);
static int	 put_send(struct session *, int fd, int known,
		    unsigned long long left, int zlib, uLong *crc,
		    unsigned long long *sent, struct progress *);
static int	 put_broken(struct session *, const char *remote);
static int	 remote_is_dir(struct session *, const char *);

static void
xfer_buffers(void)
{
	mode_t	 mask;

	if (xbuf_in != NULL)
		return;
	if ((xbuf_in = malloc(XFER_BUF + CHUNK_HEAD)) == NULL ||
	    (xbuf_out = malloc(XFER_BUF + CHUNK_HEAD)) == NULL)
		err(WX_REFUSED, "malloc");
	mask = umask(0);
	umask(mask);
	file_mode = 0666 & ~mask;
}

/* Bytes per read: smaller under --limit-rate so the rate stays smooth. */
static size_t
xfer_block(const struct session *s)
{
	if (s->s_rate > 0 && s->s_rate / 10 < XFER_BUF)
		return (s->s_rate / 10 < 1024 ? 1024 :
		    (size_t)(s->s_rate / 10));
	return (XFER_BUF);
}

static void
throttle_init(struct throttle *t, const struct session *s)
{
	t->t_t0 = io_now_ms();
	t->t_bytes = 0;
	t->t_rate = s->s_rate;
}

static void
throttle_add(struct throttle *t, size_t n)
{
	struct timespec	 ts;
	int64_t		 due, now;

	if (t->t_rate == 0)
		return;
	t->t_bytes += n;
	due = t->t_t0 + (int64_t)(t->t_bytes * 1000 / t->t_rate);
	now = io_now_ms();
	if (due > now) {
		ts.tv_sec = (due - now) / 1000;
		ts.tv_nsec = (due - now) % 1000 * 1000000;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
}

/* CRC-32 of the first len bytes of fd. 0 or -1 (errno; ENODATA: the
 * file is shorter). */
static int
crc_file(int fd, unsigned long long len, uLong *crc)
{
	unsigned long long	 pos = 0;
	ssize_t			 n;
	size_t			 want;

	*crc = crc32(0L, Z_NULL, 0);
	while (pos < len) {
		want = len - pos > XFER_BUF ? XFER_BUF : (size_t)(len - pos);
		n = pread(fd, xbuf_in, want, (off_t)pos);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENODATA;
			return (-1);
		}
		*crc = crc32(*crc, xbuf_in, (uInt)n);
		pos += (unsigned long long)n;
	}
	return (0);
}

static const char *
esc(char *dst, size_t dstsz, const char *s)
{
	if (s == NULL)
		return ("(standard output)");
	if (*s == '\0')
		return ("/");
	return (log_escape(dst, dstsz, s, strlen(s)));
}

/* dir/name, or name when dir is NULL. 0 or -1 (too long). */
static int
local_path(char *dst, size_t dstsz, const char *dir, const char *name)
{
	int	 n;

	if (dir == NULL)
		n = snprintf(dst, dstsz, "%s", name);
	else
		n = snprintf(dst, dstsz, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return (n < 0 || (size_t)n >= dstsz ? -1 : 0);
}

/* ---- get ---------------------------------------------------------- */

static void
getq_add(struct getq *q, const char *remote, const char *local)
{
	struct getjob	*v;
	size_t		 cap;

	if (q->q_n == q->q_cap) {
		cap = q->q_cap ? q->q_cap * 2 : 64;
		if ((v = reallocarray(q->q_v, cap, sizeof(*v))) == NULL)
			err(WX_REFUSED, "reallocarray");
		q->q_v = v;
		q->q_cap = cap;
	}
	v = &q->q_v[q->q_n++];
	memset(v, 0, sizeof(*v));
	v->gj_fd = -1;
	if ((v->gj_remote = strdup(remote)) == NULL ||
	    (local != NULL && (v->gj_local = strdup(local)) == NULL))
		err(WX_REFUSED, "strdup");
}

static void
getq_free(struct getq *q)
{
	size_t	 i;

	for (i = 0; i < q->q_n; i++) {
		free(q->q_v[i].gj_remote);
		free(q->q_v[i].gj_local);
		free(q->q_v[i].gj_tmp);
	}
	free(q->q_v);
	memset(q, 0, sizeof(*q));
}

/*
 * Queue remote (of type type, '?' when not known) to be saved as local
 * (NULL: stdout). A directory, with -r, becomes a local directory and
 * its entries are queued after it, depth first.
 */
static int
get_collect(struct session *s, const struct cmdopts *o, struct getq *q,
    const char *remote, char type, const char *local)
{
	struct entries	 es = { NULL, 0, 0 };
	struct stat	 st;
	char		 r[4096], l[PATH_MAX], e1[ESC_MAX];
	size_t		 i;
	int		 rv = WX_OK, n;

	if (type != 'd') {
		if (type == 'l' || type == 'o') {
			warnx("%s: not a regular file on the server; skipped",
			    esc(e1, sizeof(e1), remote));
			return (WX_REFUSED);
		}
		getq_add(q, remote, local);
		return (WX_OK);
	}
	if (!o->co_recursive) {
		warnx("%s: is a directory (use -r to get it all)",
		    esc(e1, sizeof(e1), remote));
		return (WX_REFUSED);
	}
	if (local == NULL) {
		warnx("%s: a directory cannot go to standard output",
		    esc(e1, sizeof(e1), remote));
		return (WX_USAGE);
	}
	if (mkdir(local, 0777) == -1 && (errno != EEXIST ||
	    stat(local, &st) == -1 || !S_ISDIR(st.st_mode))) {
		warn("%s", esc(e1, sizeof(e1), local));
		return (WX_REFUSED);
	}
	if ((rv = remote_list(s, remote, &es)) != WX_OK) {
		entries_free(&es);
		return (rv);
	}
	entries_sort(&es);
	for (i = 0; i < es.es_n; i++) {
		const char *name = es.es_v[i].e_name;

		n = snprintf(r, sizeof(r), "%s%s%s", remote, *remote ? "/" :
		    "", name);
		if (n < 0 || (size_t)n >= sizeof(r) ||
		    local_path(l, sizeof(l), local, name) == -1) {
			warnx("%s/%s: name too long", esc(e1, sizeof(e1),
			    remote), name);
			rv = wx_worst(rv, WX_REFUSED);
			continue;
		}
		rv = wx_worst(rv, get_collect(s, o, q, r, es.es_v[i].e_type,
		    l));
		if (rv == WX_CONNECT)
			break;
	}
	entries_free(&es);
	return (rv);
}

/*
 * Open the local side of a download just before its GET is sent: with
 * -c the target itself (appending) or the partial of an interrupted
 * download; otherwise the partial, truncated, or a unique hidden file when
 * another wharf holds the partial. Sets gj_offset.
 */
static int
get_open(struct getjob *j, const struct cmdopts *o)
{
	struct stat	 st;
	char		 tmp[PATH_MAX], dir[PATH_MAX], e1[ESC_MAX];
	const char	*base, *slash;
	int		 fd;

	if (j->gj_local == NULL) {
		j->gj_fd = STDOUT_FILENO;
		return (0);
	}
	if (stat(j->gj_local, &st) == 0 && S_ISDIR(st.st_mode)) {
		warnx("%s: is a directory here; not replaced",
		    esc(e1, sizeof(e1), j->gj_local));
		return (-1);
	}
	if (o->co_resume && stat(j->gj_local, &st) == 0) {
		if ((fd = open(j->gj_local, O_RDWR | O_CLOEXEC)) == -1) {
			warn("%s", esc(e1, sizeof(e1), j->gj_local));
			return (-1);
		}
		j->gj_fd = fd;
		j->gj_offset = S_ISREG(st.st_mode) ?
		    (unsigned long long)st.st_size : 0;
		return (0);
	}
	slash = strrchr(j->gj_local, '/');
	base = slash ? slash + 1 : j->gj_local;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash -
	    j->gj_local) + 1 : 0, j->gj_local);
	if (snprintf(tmp, sizeof(tmp), "%s.%s%s", dir, base, PART_SUFFIX) >=
	    (int)sizeof(tmp)) {
		warnx("%s: name too long", esc(e1, sizeof(e1), j->gj_local));
		return (-1);
	}
	fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, file_mode);
	if (fd != -1 && flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		if (o->co_resume) {
			warnx("%s: another wharf is downloading it",
			    esc(e1, sizeof(e1), j->gj_local));
			return (-1);
		}
		if (snprintf(tmp, sizeof(tmp), "%s.%s.wharf-XXXXXX", dir,
		    base) >= (int)sizeof(tmp)) {
			warnx("%s: name too long", esc(e1, sizeof(e1),
			    j->gj_local));
			return (-1);
		}
		if ((fd = mkostemp(tmp, O_CLOEXEC)) != -1)
			(void)fchmod(fd, file_mode);
	}
	if (fd == -1) {
		warn("%s", esc(e1, sizeof(e1), tmp));
		return (-1);
	}
	if (o->co_resume && fstat(fd, &st) == 0)
		j->gj_offset = (unsigned long long)st.st_size;
	else if (ftruncate(fd, 0) == -1) {
		warn("%s", esc(e1, sizeof(e1), tmp));
		close(fd);
		return (-1);
	}
	if ((j->gj_tmp = strdup(tmp)) == NULL)
		err(WX_REFUSED, "strdup");
	j->gj_fd = fd;
	return (0);
}

/* Undo get_open for a download that will not happen. */
static void
get_abandon(struct getjob *j)
{
	if (j->gj_fd != -1 && j->gj_fd != STDOUT_FILENO)
		close(j->gj_fd);
	j->gj_fd = -1;
	if (j->gj_tmp != NULL && j->gj_offset == 0)
		(void)unlink(j->gj_tmp);
}

static int
get_send(struct session *s, struct getjob *j, const struct cmdopts *o)
{
	char	 enc[WP_LINE_MAX], line[WP_LINE_MAX];
	int	 n;

	if (remote_enc(enc, sizeof(enc) - 64, j->gj_remote) == NULL) {
		j->gj_state = GJ_FAILED;
		j->gj_status = WX_USAGE;
		return (WX_OK);
	}
	if (get_open(j, o) == -1) {
		j->gj_state = GJ_FAILED;
		j->gj_status = WX_REFUSED;
		return (WX_OK);
	}
	n = snprintf(line, sizeof(line), "GET %s", enc);
	if (j->gj_offset > 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    " offset=%llu", j->gj_offset);
	if (s->s_compress)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    " compress=zlib");
	if (net_command(&s->s_conn, "%s", line) == -1) {
		get_abandon(j);
		remote_lost(s, net_strerror(errno));
		return (WX_CONNECT);
	}
	j->gj_cmdlen = (size_t)n + 2;
	j->gj_state = GJ_SENT;
	return (WX_OK);
}

static void
get_write(struct getjob *j, const void *p, size_t n, int *werr)
{
	if (*werr == 0 && n > 0 && io_write_full(j->gj_fd, p, n) == -1)
		*werr = errno;
}

/* n raw bytes. WX_OK or WX_CONNECT. */
static int
get_body_plain(struct session *s, struct getjob *j, unsigned long long n,
    uLong *crc, unsigned long long *got, int *werr, struct progress *pg)
{
	struct throttle	 t;
	size_t		 block = xfer_block(s);
	ssize_t		 r;

	throttle_init(&t, s);
	while (n > 0) {
		r = net_read(&s->s_conn, xbuf_in, n > block ? block :
		    (size_t)n);
		if (r <= 0) {
			remote_lost(s, net_strerror(r == 0 ? 0 : errno));
			return (WX_CONNECT);
		}
		*crc = crc32(*crc, xbuf_in, (uInt)r);
		get_write(j, xbuf_in, (size_t)r, werr);
		*got += (unsigned long long)r;
		n -= (unsigned long long)r;
		progress_add(pg, (size_t)r);
		throttle_add(&t, (size_t)r);
	}
	return (WX_OK);
}

/* A chunked zlib stream. WX_OK (*zbad set when the stream is corrupt) or
 * WX_CONNECT. */
static int
get_body_zlib(struct session *s, struct getjob *j, uLong *crc,
    unsigned long long *got, int *werr, int *zbad, struct progress *pg)
{
	struct throttle	 t;
	struct buf	*in = &s->s_conn.wc_in;
	z_stream	 z;
	size_t		 csize, block = xfer_block(s), out;
	long		 hl;
	ssize_t		 r;
	int		 zr, ended = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		errx(WX_REFUSED, "inflateInit: out of memory");
	throttle_init(&t, s);
	for (;;) {
		while ((hl = wp_chunk_header(buf_avail(in) ? buf_head(in) : "",
		    buf_avail(in), &csize)) == 0) {
			if ((r = net_fill(&s->s_conn)) <= 0) {
				inflateEnd(&z);
				remote_lost(s, net_strerror(r == 0 ? 0 :
				    errno));
				return (WX_CONNECT);
			}
		}
		if (hl == -1) {
			inflateEnd(&z);
			remote_lost(s, "bad chunk header in a compressed "
			    "payload");
			return (WX_CONNECT);
		}
		buf_consume(in, (size_t)hl);
		if (csize == 0)
			break;
		while (csize > 0) {
			r = net_read(&s->s_conn, xbuf_in, csize > block ?
			    block : csize);
			if (r <= 0) {
				inflateEnd(&z);
				remote_lost(s, net_strerror(r == 0 ? 0 :
				    errno));
				return (WX_CONNECT);
			}
			csize -= (size_t)r;
			throttle_add(&t, (size_t)r);
			if (*zbad)
				continue;	/* stay in step, discard */
			if (ended) {
				*zbad = 1;	/* bytes after the stream */
				continue;
			}
			z.next_in = xbuf_in;
			z.avail_in = (uInt)r;
			do {
				z.next_out = xbuf_out;
				z.avail_out = XFER_BUF;
				zr = inflate(&z, Z_NO_FLUSH);
				if (zr != Z_OK && zr != Z_STREAM_END &&
				    zr != Z_BUF_ERROR) {
					*zbad = 1;
					break;
				}
				out = XFER_BUF - z.avail_out;
				*crc = crc32(*crc, xbuf_out, (uInt)out);
				get_write(j, xbuf_out, out, werr);
				*got += out;
				progress_add(pg, out);
				if (zr == Z_STREAM_END) {
					ended = 1;
					if (z.avail_in > 0)
						*zbad = 1;
					break;
				}
			} while (z.avail_out == 0);
		}
	}
	if (!ended)
		*zbad = 1;
	inflateEnd(&z);
	return (WX_OK);
}

/*
 * The end of a download: rename into place (ok), or undo: remove the
 * hidden file, or with -c cut the file back to what it was. Returns
 * WX_OK or WX_REFUSED (a local error, reported).
 */
static int
get_finish(struct getjob *j, int ok)
{
	char	 e1[ESC_MAX];
	int	 rv = WX_OK;

	if (j->gj_fd == STDOUT_FILENO) {
		j->gj_fd = -1;
		return (WX_OK);
	}
	if (!ok) {
		if (j->gj_offset > 0)
			(void)ftruncate(j->gj_fd, (off_t)j->gj_offset);
		else if (j->gj_tmp != NULL)
			(void)unlink(j->gj_tmp);
		else
			(void)ftruncate(j->gj_fd, 0);
		close(j->gj_fd);
		j->gj_fd = -1;
		return (WX_OK);
	}
	if (close(j->gj_fd) == -1) {
		warn("%s", esc(e1, sizeof(e1), j->gj_local));
		rv = WX_REFUSED;
	} else if (j->gj_tmp != NULL && rename(j->gj_tmp, j->gj_local) == -1) {
		warn("%s", esc(e1, sizeof(e1), j->gj_local));
		(void)unlink(j->gj_tmp);
		rv = WX_REFUSED;
	}
	j->gj_fd = -1;
	return (rv);
}

/* Read the reply to a GET that was sent, the payload and the 226 line. */
static int
get_receive(struct session *s, struct getjob *j)
{
	struct wp_reply		 wr;
	struct progress		 pg;
	char			 val[32], e1[ESC_MAX];
	unsigned long long	 size, offset, got = 0, ssize;
	unsigned long		 scrc;
	uLong			 crc;
	int			 zlib, werr = 0, zbad = 0, rv;

	if (net_reply(&s->s_conn, &wr) == -1) {
		get_abandon(j);
		remote_lost(s, net_strerror(errno));
		return (WX_CONNECT);
	}
	if (wr.wr_code != WP_DATA) {
		get_abandon(j);
		if (wr.wr_code == 501 && j->gj_offset > 0) {
			warnx("%s: the local file (%llu bytes) is longer than "
			    "the one on the server: cannot resume; get it "
			    "again without -c", esc(e1, sizeof(e1),
			    j->gj_local), j->gj_offset);
			return (WX_REFUSED);
		}
		if (wr.wr_code == 551)
			warnx("%s: is a directory (use -r to get it all)",
			    esc(e1, sizeof(e1), j->gj_remote));
		else
			return (remote_refused(s, j->gj_remote, &wr));
		return (WX_REFUSED);
	}
	if (reply_option(wr.wr_text, "size", val, sizeof(val)) == -1 ||
	    wp_number(val, &size) == -1 ||
	    reply_option(wr.wr_text, "offset", val, sizeof(val)) == -1 ||
	    wp_number(val, &offset) == -1 || offset != j->gj_offset ||
	    offset > size) {
		get_abandon(j);
		remote_lost(s, "unexpected reply to GET");
		return (WX_CONNECT);
	}
	zlib = reply_option(wr.wr_text, "compress", val, sizeof(val)) == 0;
	if (offset > 0 && crc_file(j->gj_fd, offset, &crc) == -1) {
		/* Drain what comes, then give up on this file. */
		werr = errno;
		crc = 0;
	} else if (offset == 0)
		crc = crc32(0L, Z_NULL, 0);
	if (offset > 0 && lseek(j->gj_fd, (off_t)offset, SEEK_SET) == -1 &&
	    werr == 0)
		werr = errno;
	progress_begin(&pg, s->s_quiet, remote_base(j->gj_remote),
	    (long long)size, offset);
	if (zlib)
		rv = get_body_zlib(s, j, &crc, &got, &werr, &zbad, &pg);
	else
		rv = get_body_plain(s, j, size - offset, &crc, &got, &werr,
		    &pg);
	if (rv != WX_OK || net_reply(&s->s_conn, &wr) == -1) {
		progress_end(&pg, 0);
		if (rv == WX_OK)
			remote_lost(s, net_strerror(errno));
		/* Keep what arrived: get -c resumes from it. */
		if (j->gj_fd != STDOUT_FILENO)
			close(j->gj_fd);
		j->gj_fd = -1;
		return (WX_CONNECT);
	}
	if (wr.wr_code != 226) {
		progress_end(&pg, 0);
		(void)get_finish(j, 0);
		return (remote_refused(s, j->gj_remote, &wr));
	}
	if (reply_option(wr.wr_text, "size", val, sizeof(val)) == -1 ||
	    wp_number(val, &ssize) == -1 ||
	    reply_option(wr.wr_text, "crc32", val, sizeof(val)) == -1 ||
	    parse_crc(val, &scrc) == -1) {
		progress_end(&pg, 0);
		(void)get_finish(j, 0);
		remote_lost(s, "unexpected 226 line after GET");
		return (WX_CONNECT);
	}
	if (werr != 0) {
		progress_end(&pg, 0);
		(void)get_finish(j, 0);
		errno = werr;
		warn("%s", esc(e1, sizeof(e1), j->gj_local));
		return (WX_REFUSED);
	}
	if (zbad || ssize != size || offset + got != size || scrc != crc) {
		progress_end(&pg, 0);
		(void)get_finish(j, 0);
		if (zbad)
			warnx("%s: verification failed: the compressed data "
			    "is corrupt", esc(e1, sizeof(e1), j->gj_remote));
		else if (ssize != size || offset + got != size)
			warnx("%s: verification failed: got %llu bytes, the "
			    "server says %llu", esc(e1, sizeof(e1),
			    j->gj_remote), offset + got, ssize);
		else if (offset > 0)
			warnx("%s: verification failed: CRC-32 %08lx, the "
			    "server says %08lx; the first %llu bytes of the "
			    "local file differ from the server's file: get it "
			    "again without -c", esc(e1, sizeof(e1),
			    j->gj_remote), (unsigned long)crc, scrc, offset);
		else
			warnx("%s: verification failed: CRC-32 %08lx, the "
			    "server says %08lx", esc(e1, sizeof(e1),
			    j->gj_remote), (unsigned long)crc, scrc);
		if (j->gj_local == NULL)
			warnx("the bytes written to standard output are "
			    "not the server's file");
		return (WX_VERIFY);
	}
	progress_end(&pg, 1);
	return (get_finish(j, 1));
}

/*
 * Send GETs ahead of the replies being read, at most XFER_PIPELINE
 * commands and PIPE_BYTES of command lines, so that the server never
 * waits for the next command and neither side can block the other (the
 * lines fit in the socket buffers while the server writes payload).
 */
static int
get_run(struct session *s, const struct cmdopts *o, struct getq *q)
{
	size_t	 next = 0, i, pending = 0;
	int	 rv = WX_OK, r;

	for (i = 0; i < q->q_n; i++) {
		while (next < q->q_n && next - i < XFER_PIPELINE &&
		    (pending < PIPE_BYTES || next == i)) {
			if (get_send(s, &q->q_v[next], o) == WX_CONNECT) {
				rv = WX_CONNECT;
				break;
			}
			pending += q->q_v[next].gj_cmdlen;
			next++;
		}
		if (rv == WX_CONNECT)
			break;
		if (q->q_v[i].gj_state == GJ_FAILED) {
			rv = wx_worst(rv, q->q_v[i].gj_status);
			continue;
		}
		pending -= q->q_v[i].gj_cmdlen;
		r = get_receive(s, &q->q_v[i]);
		q->q_v[i].gj_state = GJ_FAILED;
		rv = wx_worst(rv, r);
		if (r == WX_CONNECT)
			break;
	}
	for (; i < q->q_n; i++)
		if (q->q_v[i].gj_state == GJ_SENT)
			get_abandon(&q->q_v[i]);
	return (rv);
}

int
xfer_get(struct session *s, const struct cmdopts *o, int n, char **paths)
{
	struct getq	 q = { NULL, 0, 0 };
	struct entries	 es;
	struct stat	 st;
	struct entry	 e;
	const char	*out = o->co_output, *outdir = NULL, *base;
	char		 r[4096], l[PATH_MAX], e1[ESC_MAX];
	int		 i, rv = WX_OK, tostdout = 0, top = 0;
	size_t		 k;

	xfer_buffers();
	if (n >= 2 && out == NULL && strcmp(paths[n - 1], "-") == 0) {
		out = "-";
		n--;
	}
	if (n == 0) {
		warnx("get: name at least one remote file");
		return (WX_USAGE);
	}
	if (out != NULL && strcmp(out, "-") == 0) {
		tostdout = 1;
		if (o->co_resume || o->co_recursive) {
			warnx("get: -c and -r do not go with standard output");
			return (WX_USAGE);
		}
	} else if (out != NULL && ((stat(out, &st) == 0 &&
	    S_ISDIR(st.st_mode)) || out[strlen(out) - 1] == '/'))
		outdir = out;
	if (remote_need(s) != WX_OK)
		return (WX_CONNECT);
	for (i = 0; i < n && rv != WX_CONNECT; i++) {
		if (remote_join(s->s_cwd, paths[i], r, sizeof(r)) == -1) {
			warnx("%s: name too long", esc(e1, sizeof(e1),
			    paths[i]));
			rv = wx_worst(rv, WX_USAGE);
			continue;
		}
		memset(&es, 0, sizeof(es));
		if (remote_has_glob(r)) {
			int gr = remote_glob(s, r, &es);

			if (gr != WX_OK) {
				rv = wx_worst(rv, gr);
				entries_free(&es);
				continue;
			}
		} else {
			memset(&e, 0, sizeof(e));
			e.e_type = '?';
			if (o->co_recursive) {
				int sr = remote_stat(s, r, &e);

				if (sr != WX_OK) {
					rv = wx_worst(rv, sr);
					continue;
				}
				free(e.e_name);
			}
			if ((e.e_name = strdup(r)) == NULL)
				err(WX_REFUSED, "strdup");
			entries_add(&es, &e);
		}
		for (k = 0; k < es.es_n && rv != WX_CONNECT; k++) {
			const char *rp = es.es_v[k].e_name;

			base = remote_base(rp);
			top++;
			if (tostdout)
				rv = wx_worst(rv, get_collect(s, o, &q, rp,
				    es.es_v[k].e_type, NULL));
			else if (out != NULL && outdir == NULL)
				rv = wx_worst(rv, get_collect(s, o, &q, rp,
				    es.es_v[k].e_type, out));
			else if (*base == '\0' || strcmp(base, "..") == 0) {
				warnx("%s: has no name for a local file; "
				    "give one with -o", esc(e1, sizeof(e1),
				    paths[i]));
				rv = wx_worst(rv, WX_USAGE);
			} else if (local_path(l, sizeof(l), outdir, base) ==
			    -1) {
				warnx("%s: name too long", esc(e1, sizeof(e1),
				    base));
				rv = wx_worst(rv, WX_REFUSED);
			} else
				rv = wx_worst(rv, get_collect(s, o, &q, rp,
				    es.es_v[k].e_type, l));
		}
		entries_free(&es);
	}
	if (out != NULL && outdir == NULL && !tostdout && top > 1) {
		warnx("get: -o %s names one file; to get several, give an "
		    "existing directory", esc(e1, sizeof(e1), out));
		getq_free(&q);
		return (WX_USAGE);
	}
	if (rv != WX_CONNECT)
		rv = wx_worst(rv, get_run(s, o, &q));
	getq_free(&q);
	return (rv);
}

/* ---- put ---------------------------------------------------------- */

/* 1 a directory, 0 not (or absent), -1 connection lost. */
static int
remote_is_dir(struct session *s, const char *path)
{
	struct wp_reply	 wr;
	struct entry	 e;
	char		 enc[WP_LINE_MAX];
	int		 isdir;

	if (*path == '\0')
		return (1);
	if (remote_enc(enc, sizeof(enc) - 8, path) == NULL)
		return (0);
	if (remote_request(s, &wr, "STAT %s", enc) != WX_OK)
		return (-1);
	if (wr.wr_code != WP_OK || remote_entry(wr.wr_text, &e) == -1)
		return (0);
	isdir = e.e_type == 'd';
	entry_free(&e);
	return (isdir);
}

/* Send p[0..n) as one chunk; p has CHUNK_HEAD bytes of room before it. */
static int
put_chunk(struct session *s, unsigned char *p, size_t n)
{
	char	 head[CHUNK_HEAD];
	int	 hl;

	hl = snprintf(head, sizeof(head), "%zu\r\n", n);
	memcpy(p - hl, head, (size_t)hl);
	return (net_write(&s->s_conn, p - hl, n + (size_t)hl));
}

/*
 * Send the payload: left bytes of fd when known (raw unless zlib), or
 * everything up to end of file in chunks. Returns WX_OK, WX_REFUSED (a
 * local read error: the connection is closed, the payload cannot be
 * finished) or WX_CONNECT (a send failed; the caller asks for a reply).
 */
static int
put_send(struct session *s, int fd, int known, unsigned long long left,
    int zlib, uLong *crc, unsigned long long *sent, struct progress *pg)
{
	struct throttle	 t;
	unsigned char	*in = xbuf_in + CHUNK_HEAD;
	unsigned char	*out = xbuf_out + CHUNK_HEAD;
	size_t		 block = xfer_block(s), want, produced;
	z_stream	 z;
	ssize_t		 r;
	int		 eof = 0, flush, zr;

	memset(&z, 0, sizeof(z));
	if (zlib && deflateInit(&z, Z_BEST_SPEED) != Z_OK)
		errx(WX_REFUSED, "deflateInit: out of memory");
	throttle_init(&t, s);
	while (!eof) {
		want = block;
		if (known && left < want)
			want = (size_t)left;
		r = 0;
		if (want > 0) {
			r = io_read(fd, in, want);
			if (r == -1 || (r == 0 && known)) {
				if (r == 0)
					errno = ENODATA;
				if (zlib)
					deflateEnd(&z);
				return (WX_REFUSED);
			}
		}
		if (r == 0 || (known && left == (unsigned long long)r))
			eof = 1;
		*crc = crc32(*crc, in, (uInt)r);
		*sent += (unsigned long long)r;
		left -= known ? (unsigned long long)r : 0;
		progress_add(pg, (size_t)r);
		throttle_add(&t, (size_t)r);
		if (!zlib) {
			if (r > 0 && (known ? net_write(&s->s_conn, in,
			    (size_t)r) : put_chunk(s, in, (size_t)r)) == -1)
				return (WX_CONNECT);
			continue;
		}
		flush = eof ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = in;
		z.avail_in = (uInt)r;
		do {
			z.next_out = out;
			z.avail_out = XFER_BUF;
			zr = deflate(&z, flush);
			if (zr == Z_STREAM_ERROR)
				errx(WX_REFUSED, "deflate: stream error");
			produced = XFER_BUF - z.avail_out;
			if (produced > 0 && put_chunk(s, out, produced) == -1) {
				deflateEnd(&z);
				return (WX_CONNECT);
			}
		} while (z.avail_out == 0);
	}
	if (zlib)
		deflateEnd(&z);
	if ((zlib || !known) && net_write(&s->s_conn, "0\r\n", 3) == -1)
		return (WX_CONNECT);
	return (WX_OK);
}

/* Sending failed: the server may have said why before closing. */
static int
put_broken(struct session *s, const char *remote)
{
	struct wp_reply	 wr;
	int		 e = errno;

	if (net_reply(&s->s_conn, &wr) == 0 && wr.wr_code >= 400) {
		(void)remote_refused(s, remote, &wr);
		remote_lost(s, "the server ended the upload");
		return (WX_CONNECT);
	}
	remote_lost(s, net_strerror(e));
	return (WX_CONNECT);
}

/* Upload one file (local NULL: standard input) to remote. */
static int
put_one(struct session *s, const struct cmdopts *o, const char *local,
    const char *remote)
{
	struct wp_reply		 wr;
	struct progress		 pg;
	struct stat		 st;
	char			 enc[WP_LINE_MAX], line[WP_LINE_MAX];
	char			 val[32];
	char			 e1[ESC_MAX], e2[ESC_MAX];
	unsigned long long	 size = 0, offset = 0, poff, sent = 0, ssize;
	unsigned long		 pcrc, scrc;
	uLong			 crc = crc32(0L, Z_NULL, 0), lcrc;
	int			 fd, known, n, rv;

	esc(e1, sizeof(e1), local != NULL ? local : "-");
	esc(e2, sizeof(e2), remote);
	if (remote_enc(enc, sizeof(enc) - 128, remote) == NULL)
		return (WX_USAGE);
	if (local == NULL)
		fd = STDIN_FILENO;
	else if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", e1);
		return (WX_REFUSED);
	}
	if (fstat(fd, &st) == -1) {
		warn("%s", e1);
		goto fail;
	}
	known = S_ISREG(st.st_mode);
	size = known ? (unsigned long long)st.st_size : 0;
	if (o->co_resume && known) {
		if ((rv = remote_part(s, remote, &poff, &pcrc)) != WX_OK)
			goto out;
		if (poff > size)
			warnx("%s: the server's partial upload (%llu bytes) is "
			    "longer than the local file; starting again "
			    "from 0", e2, poff);
		else if (poff > 0 && crc_file(fd, poff, &lcrc) == -1)
			warn("%s", e1);
		else if (poff > 0 && lcrc != pcrc)
			warnx("%s: the local file's first %llu bytes differ "
			    "from the server's partial upload; starting again "
			    "from 0", e2, poff);
		else if (poff > 0) {
			offset = poff;
			crc = lcrc;
		}
		if (offset > 0 && lseek(fd, (off_t)offset, SEEK_SET) == -1) {
			warn("%s", e1);
			goto fail;
		}
	}
	n = snprintf(line, sizeof(line), "PUT %s", enc);
	if (known)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " size=%llu",
		    size);
	if (offset > 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    " offset=%llu", offset);
	if (s->s_compress)
		snprintf(line + n, sizeof(line) - (size_t)n, " compress=zlib");
	if ((rv = remote_request(s, &wr, "%s", line)) != WX_OK)
		goto out;
	if (wr.wr_code != 151) {
		if (wr.wr_code == 503 && offset > 0)
			warnx("%s: the server's partial upload changed "
			    "meanwhile; try again", e2);
		else {
			rv = remote_refused(s, remote, &wr);
			goto out;
		}
		goto fail;
	}
	progress_begin(&pg, s->s_quiet, remote_base(remote),
	    known ? (long long)size : -1, offset);
	rv = put_send(s, fd, known, size - offset, s->s_compress, &crc, &sent,
	    &pg);
	if (rv == WX_REFUSED) {
		/* The promised bytes cannot be sent: end the session. */
		n = errno;
		progress_end(&pg, 0);
		warnx("%s: %s; upload abandoned", e1, n == ENODATA ?
		    "the file shrank while being sent" : strerror(n));
		remote_lost(s, "upload abandoned");
		rv = WX_CONNECT;
		goto out;
	}
	if (rv == WX_CONNECT || net_command(&s->s_conn, "CRC32 %08lx",
	    (unsigned long)crc) == -1) {
		progress_end(&pg, 0);
		rv = put_broken(s, remote);
		goto out;
	}
	if (net_reply(&s->s_conn, &wr) == -1) {
		progress_end(&pg, 0);
		remote_lost(s, net_strerror(errno));
		rv = WX_CONNECT;
		goto out;
	}
	if (wr.wr_code != 226) {
		progress_end(&pg, 0);
		rv = remote_refused(s, remote, &wr);
		goto out;
	}
	if (reply_option(wr.wr_text, "size", val, sizeof(val)) == -1 ||
	    wp_number(val, &ssize) == -1 ||
	    reply_option(wr.wr_text, "crc32", val, sizeof(val)) == -1 ||
	    parse_crc(val, &scrc) == -1 || ssize != offset + sent ||
	    scrc != crc) {
		progress_end(&pg, 0);
		warnx("%s: verification failed: sent %llu bytes with CRC-32 "
		    "%08lx, the server stored: %s", e2, offset + sent,
		    (unsigned long)crc, log_escape(line, sizeof(line),
		    wr.wr_text, strlen(wr.wr_text)));
		rv = WX_VERIFY;
		goto out;
	}
	progress_end(&pg, 1);
	rv = WX_OK;
	goto out;
fail:
	rv = WX_REFUSED;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return (rv);
}

/* Upload a local directory tree to remote, making directories first. */
static int
put_tree(struct session *s, const struct cmdopts *o, const char *local,
    const char *remote)
{
	struct dirent	**names;
	struct stat	 st, lst;
	char		 l[PATH_MAX], r[4096], e1[ESC_MAX];
	int		 i, n, rv = WX_OK;

	if (*remote != '\0' && (rv = remote_mkdir(s, remote, 1)) != WX_OK)
		return (rv);
	if ((n = scandir(local, &names, NULL, alphasort)) == -1) {
		warn("%s", esc(e1, sizeof(e1), local));
		return (WX_REFUSED);
	}
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (rv == WX_CONNECT || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0)
			continue;
		if (local_path(l, sizeof(l), local, name) == -1 ||
		    snprintf(r, sizeof(r), "%s%s%s", remote, *remote ? "/" :
		    "", name) >= (int)sizeof(r)) {
			warnx("%s/%s: name too long", esc(e1, sizeof(e1),
			    local), name);
			rv = wx_worst(rv, WX_REFUSED);
			continue;
		}
		if (stat(l, &st) == -1) {
			warn("%s", esc(e1, sizeof(e1), l));
			rv = wx_worst(rv, WX_REFUSED);
		} else if (S_ISDIR(st.st_mode)) {
			if (lstat(l, &lst) == 0 && S_ISLNK(lst.st_mode))
				warnx("%s: a symbolic link to a directory; "
				    "skipped", esc(e1, sizeof(e1), l));
			else
				rv = wx_worst(rv, put_tree(s, o, l, r));
		} else
			rv = wx_worst(rv, put_one(s, o, l, r));
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return (rv);
}

int
xfer_put(struct session *s, const struct cmdopts *o, int n, char **paths,
    const char *remote_name)
{
	struct stat	 st;
	const char	*dest = remote_name ? remote_name : o->co_output;
	char		 rdest[4096], r[4096], lname[PATH_MAX], e1[ESC_MAX];
	const char	*base;
	size_t		 len;
	int		 i, rv = WX_OK, todir = 1, isdir;

	xfer_buffers();
	if (n == 0) {
		warnx("put: name at least one local file");
		return (WX_USAGE);
	}
	if (remote_need(s) != WX_OK)
		return (WX_CONNECT);
	if (remote_join(s->s_cwd, dest != NULL ? dest : "", rdest,
	    sizeof(rdest)) == -1) {
		warnx("put: remote name too long");
		return (WX_USAGE);
	}
	if (dest != NULL && dest[strlen(dest) - 1] != '/') {
		if ((isdir = remote_is_dir(s, rdest)) == -1)
			return (WX_CONNECT);
		todir = isdir;
	}
	if (!todir && n > 1) {
		warnx("put: %s names one file; to put several, name a "
		    "directory on the server", esc(e1, sizeof(e1), dest));
		return (WX_USAGE);
	}
	for (i = 0; i < n && rv != WX_CONNECT; i++) {
		const char *local = paths[i];

		if (strcmp(local, "-") == 0) {
			if (todir) {
				warnx("put -: give the remote name, as in "
				    "'put - NAME'");
				rv = wx_worst(rv, WX_USAGE);
				continue;
			}
			rv = wx_worst(rv, put_one(s, o, NULL, rdest));
			continue;
		}
		if (stat(local, &st) == -1) {
			warn("%s", esc(e1, sizeof(e1), local));
			rv = wx_worst(rv, WX_REFUSED);
			continue;
		}
		/* The name on the server: the local base name. */
		snprintf(lname, sizeof(lname), "%s", local);
		len = strlen(lname);
		while (len > 1 && lname[len - 1] == '/')
			lname[--len] = '\0';
		base = strrchr(lname, '/') ? strrchr(lname, '/') + 1 : lname;
		if (!todir)
			snprintf(r, sizeof(r), "%s", rdest);
		else if (S_ISDIR(st.st_mode) && (strcmp(base, ".") == 0 ||
		    strcmp(base, "..") == 0 || strcmp(base, "/") == 0))
			/* "put -r .": the contents. */
			snprintf(r, sizeof(r), "%s", rdest);
		else if (snprintf(r, sizeof(r), "%s%s%s", rdest,
		    *rdest ? "/" : "", base) >= (int)sizeof(r)) {
			warnx("%s: name too long", esc(e1, sizeof(e1), local));
			rv = wx_worst(rv, WX_USAGE);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!o->co_recursive) {
				warnx("%s: is a directory (use -r to put it "
				    "all)", esc(e1, sizeof(e1), local));
				rv = wx_worst(rv, WX_REFUSED);
			} else
				rv = wx_worst(rv, put_tree(s, o, local, r));
		} else
			rv = wx_worst(rv, put_one(s, o, local, r));
	}
	return (rv);
}
