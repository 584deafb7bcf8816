/*
 * wp.h: the WHARF/1 wire format shared by wharfd and wharf: line limits,
 * reply codes, and the parsers for command and reply lines.
 * man/wharf-protocol.7 is the specification; this header follows it.
 */
#ifndef WHARF_WP_H
#define WHARF_WP_H

#include <stddef.h>

#define WP_PROTOCOL	"WHARF/1"
#define WP_LINE_MAX	4096	/* longest line, terminator included */
#define WP_VERB_MAX	16	/* longest command verb */
#define WP_ARGS_MAX	8	/* most arguments after the verb */

/* Reply codes (see wharf-protocol.7, REPLY CODES). */
#define WP_DATA		150	/* payload follows */
#define WP_OK		200	/* command done */
#define WP_GREETING	220	/* server ready */
#define WP_BYE		221	/* closing after QUIT */
#define WP_CLOSING	421	/* server closing: shutdown, idle or deadline */
#define WP_BUSY		450	/* try again later */
#define WP_SYNTAX	500	/* line malformed or too long */
#define WP_ARGS		501	/* bad arguments */
#define WP_UNKNOWN	502	/* command not known to this server */

struct wp_command {
	char	 wc_verb[WP_VERB_MAX + 1];	/* upper case */
	char	*wc_argv[WP_ARGS_MAX];		/* point into the line */
	int	 wc_argc;
};

struct wp_reply {
	int	 wr_code;	/* 100..599 */
	char	*wr_text;	/* points into the line; "" when none */
};

/*
 * Find the end of the first line in p[0..len). Returns the line length
 * without its terminator (LF or CRLF) and stores the terminator's length
 * in *termlen; returns -1 when no complete line is there yet.
 */
long	 wp_line_end(const char *p, size_t len, size_t *termlen);

/*
 * Parse a command line in place (line is NUL-terminated, no terminator).
 * Arguments are separated by single spaces. Returns 0, or a reply code:
 * WP_SYNTAX for an empty line, a bad verb or a control byte, WP_ARGS for
 * too many or empty arguments.
 */
int	 wp_parse_command(char *line, struct wp_command *);

/*
 * Parse a reply line in place. Returns 0 or -1 when the line does not
 * start with three digits followed by a space or the end.
 */
int	 wp_parse_reply(char *line, struct wp_reply *);

#endif

/*
 * Paths and other free-form arguments travel percent-encoded, so that any
 * byte string (spaces, newlines, '%', non-UTF-8) fits in one argument.
 * Bytes kept as they are: ALPHA DIGIT - . _ ~ / ! $ & ' ( ) * + , ; = : @
 * Everything else is %XX with upper-case hex.
 */
/* Encode len bytes of src into dst (size dstsz). Returns the encoded
 * length, or -1 when dst is too small (dst then holds nothing useful). */
long	 wp_encode(char *dst, size_t dstsz, const void *src, size_t len);
/* Decode src into dst (size dstsz, NUL-terminated). Lenient in what it
 * takes unencoded (anything but space, controls and '%'), strict on
 * escapes. Returns the decoded length, or -1 for a malformed escape, an
 * encoded NUL, a raw space or control byte, or a result that does not
 * fit. */
long	 wp_decode(char *dst, size_t dstsz, const char *src);

/*
 * Options after a command's first argument are KEY=VALUE tokens (or a bare
 * KEY). wp_option() finds one: returns its value ("" for a bare key) or
 * NULL when absent.
 */
const char *wp_option(const struct wp_command *, int first, const char *key);
/* Parse a decimal unsigned 64-bit number; 0 or -1 (empty, junk, overflow). */
int	 wp_number(const char *, unsigned long long *);

/*
 * Chunked payloads: "<decimal length>\r\n" then that many bytes, repeated;
 * a zero length ends the payload. wp_chunk_header() parses the length line
 * at p: returns the header's length in bytes (terminator included) and
 * stores the chunk size, 0 when the line is incomplete, -1 when malformed
 * or larger than WP_CHUNK_MAX.
 */
#define WP_CHUNK_MAX	(1024 * 1024)
long	 wp_chunk_header(const char *p, size_t len, size_t *size);
