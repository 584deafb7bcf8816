/*
 * client.h: what the parts of wharf share: exit statuses, the session with
 * a server and the parsed results of its commands (remote.c), transfers
 * (transfer.c), the commands and the interactive shell (shell.c), the
 * progress bar (progress.c) and credentials from a .netrc (netrc.c).
 */
#ifndef WHARF_CLIENT_H
#define WHARF_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* Exit statuses (wharf.1, EXIT STATUS). When several things fail, the
 * highest one wins (wx_worst). */
#define WX_OK		0
#define WX_REFUSED	1	/* the server said no; a local file error */
#define WX_USAGE	2
#define WX_CONNECT	3	/* cannot connect or connection lost */
#define WX_VERIFY	4	/* size or CRC-32 did not match */

/* Transfers stream through buffers of this size: memory stays flat. */
#define XFER_BUF	(256 * 1024)
/* GET commands sent ahead of the reply being read (see transfer.c). */
#define XFER_PIPELINE	32

/* Options of one command (from the command line or a shell line). */
struct cmdopts {
	int		 co_resume;	/* -c */
	int		 co_recursive;	/* -r */
	int		 co_raw;	/* 1 --raw, -1 -l, 0 by isatty */
	const char	*co_output;	/* -o NAME, NULL if not given */
};

/* When the .netrc is read (s_netrc): only for what is missing, and then
 * either quietly when it has nothing (the default) or as an error. */
#define NETRC_IGNORE	0	/* --no-netrc */
#define NETRC_OPTIONAL	1
#define NETRC_REQUIRED	2	/* -n, --netrc-file */

/* A connection to a server and what the client keeps for it. */
struct session {
	struct wconn	 s_conn;
	int		 s_connected;	/* s_conn is open and in step */
	char		 s_host[256];
	char		 s_port[32];
	char		 s_user[256];	/* named by -u, a URL, WHARF_USER;
					 * "" for none */
	char		*s_pass;	/* owned; given or asked; NULL until
					 * known */
	int		 s_netrc;	/* NETRC_* */
	const char	*s_netrc_file;	/* --netrc-file; NULL: the default */
	/* Set by remote_open for s_host: */
	char		 s_login[256];	/* who logs in: s_user, else the
					 * netrc's login; "" = anonymous */
	int		 s_login_netrc;	/* s_login came from the netrc */
	char		*s_netrc_pass;	/* owned; the netrc's password, or
					 * the one asked for its login */
	int		 s_pass_netrc;	/* s_netrc_pass is the netrc's */
	char		 s_netrc_path[4096]; /* the netrc read, escaped */
	char		 s_cwd[4096];	/* remote working directory, no
					 * leading '/', "" = the root */
	int		 s_quiet;	/* -q */
	int		 s_compress;	/* -z */
	int		 s_timeout;	/* seconds, 0 = none */
	unsigned long long s_rate;	/* --limit-rate, bytes/s, 0 = none */
	int64_t		 s_greet_ms;	/* ms to the greeting */
	char		 s_greeting[256]; /* greeting text, escaped */
};

/* One entry of a listing (LIST, STAT). */
struct entry {
	char		 e_type;	/* 'f', 'd', 'l', 'o' */
	unsigned long long e_size;
	long long	 e_mtime;
	char		*e_name;	/* decoded; owned */
};

struct entries {
	struct entry	*es_v;
	size_t		 es_n;
	size_t		 es_cap;
};

/* main.c */
int	 wx_worst(int, int);

/* remote.c: the session. Functions returning a status return WX_OK or
 * another WX_* value after printing a message a person can act on. */
void	 remote_init(struct session *);
/* Take host, port, user and cwd from wharf://[USER@]HOST[:PORT][/PATH]
 * (an IPv6 address in brackets). Returns 0 or -1 (message printed). */
int	 remote_url(struct session *, const char *url);
/* Connect, read the greeting, log in when s_user is set. */
int	 remote_open(struct session *);
/* Wipe and free the passwords the session holds. */
void	 remote_forget(struct session *);
/* Say QUIT (when still in step) and close. Safe when not connected. */
void	 remote_close(struct session *);
/* Close without QUIT after the connection broke; prints why. */
void	 remote_lost(struct session *, const char *why);
/* Status WX_CONNECT with a message when not connected, else WX_OK. */
int	 remote_need(struct session *);
/* Send a command and read its reply into *wr. WX_OK or WX_CONNECT. */
int	 remote_request(struct session *, struct wp_reply *,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
/* Print what a refusal means for path and return its status. */
int	 remote_refused(struct session *, const char *path,
	    const struct wp_reply *);
/* Percent-encode path into dst (size dstsz); "" becomes "/". Returns dst,
 * or NULL (message printed) when it does not fit on a command line. */
char	*remote_enc(char *dst, size_t dstsz, const char *path);
/* Join a path given by the user to the remote cwd and normalise "." and
 * ".."; a ".." above the root is kept for the server to refuse. Writes
 * a path without leading '/' ("" = root). Returns 0 or -1 (too long). */
int	 remote_join(const char *cwd, const char *arg, char *out, size_t);
/* The last component of a remote path ("" for the root). */
const char *remote_base(const char *);
/* 1 when s has an unescaped '*', '?' or '['. */
int	 remote_has_glob(const char *);
int	 remote_list(struct session *, const char *path, struct entries *);
int	 remote_stat(struct session *, const char *path, struct entry *);
/*
 * Expand a pattern (already joined to the cwd) with fnmatch(3) over LIST
 * of the directories it names. Matches go to *out with full paths in
 * e_name, sorted. A pattern without match is an error.
 */
int	 remote_glob(struct session *, const char *pattern,
	    struct entries *);
int	 remote_delete(struct session *, const char *path);
/* MKDIR; with tolerate_exists, 553 counts as success. */
int	 remote_mkdir(struct session *, const char *path,
	    int tolerate_exists);
int	 remote_rename(struct session *, const char *from, const char *to);
/* PART: the server's partial upload for path: *offset bytes, *crc. */
int	 remote_part(struct session *, const char *path,
	    unsigned long long *offset, unsigned long *crc);

/* reply.c: what a server says, parsed. */
/* Parse "TYPE SIZE MTIME NAME" (NAME encoded) into *e; e->e_name is
 * allocated. 0 or -1 (and *e holds nothing to free). */
int	 remote_entry(const char *line, struct entry *);
/* A name from a listing that is safe as a local file name: not empty,
 * ".", ".." and without '/'. */
int	 entry_name_ok(const char *);
void	 entries_add(struct entries *, const struct entry *);
void	 entries_sort(struct entries *);
void	 entries_free(struct entries *);
void	 entry_free(struct entry *);
/* Find KEY=VALUE in a reply's text; copies VALUE to val (size valsz).
 * Returns 0, or -1 when absent or longer than valsz - 1. */
int	 reply_option(const char *text, const char *key, char *val, size_t);
/* Parse exactly 8 hex digits. 0 or -1. */
int	 parse_crc(const char *, unsigned long *);

/* transfer.c: get and put, from the command line or the shell. paths are
 * as the user wrote them (relative to the remote cwd, or local). */
int	 xfer_get(struct session *, const struct cmdopts *, int n,
	    char **paths);
int	 xfer_put(struct session *, const struct cmdopts *, int n,
	    char **paths, const char *remote_name);

/* shell.c: the commands and the interactive shell. */
/* Run one command (argv[0] is its name). oneshot: from the command line
 * rather than the shell (get and put then take many operands). */
int	 shell_command(struct session *, int argc, char **argv, int oneshot,
	    const struct cmdopts *);
/* Read commands from stdin until end of file or quit. */
int	 shell_run(struct session *);

/* netrc.c: one entry of a .netrc file. */
struct netrc {
	char		*n_login;	/* owned; NULL when the entry has none */
	char		*n_password;	/* owned; NULL when the entry has none */
	int		 n_default;	/* it is the "default" entry */
};

/* The netrc file to read: given (--netrc-file) when not NULL, else
 * $NETRC, else ~/.netrc. Writes it to path (size pathsz); 0 or -1 (too
 * long, or no home directory). */
int	 netrc_path(const char *given, char *path, size_t pathsz);
/*
 * Find the entry of the file at path for host (as given, without case),
 * and user when not NULL (an entry with another login does not count).
 * Returns WX_OK with *n filled, or zeroed when there is no file or no
 * entry and !required; otherwise WX_USAGE, message printed: no file or
 * no entry when required, a malformed file, or a password in a file that
 * others can read. Free *n with netrc_free.
 */
int	 netrc_lookup(const char *path, const char *host, const char *user,
	    int required, struct netrc *n);
/* Wipe the password, free both strings. */
void	 netrc_free(struct netrc *);

/* progress.c: one bar on stderr per transfer, only on a terminal. */
struct progress {
	int		 p_on;
	char		 p_name[64];	/* escaped */
	long long	 p_total;	/* -1 when unknown */
	unsigned long long p_done;	/* bytes of the file so far */
	unsigned long long p_start;	/* bytes there before (resume) */
	int64_t		 p_t0;
	int64_t		 p_last;	/* last redraw, ms */
};

void	 progress_begin(struct progress *, int quiet, const char *name,
	    long long total, unsigned long long offset);
void	 progress_add(struct progress *, size_t);
/* Last redraw and end the line (ok) or erase the bar (!ok). */
void	 progress_end(struct progress *, int ok);

#endif
