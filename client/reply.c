/*
 * reply.c: what the client reads from a server beyond the reply line
 * (which protocol/wp_line.c parses): LIST and STAT entries, KEY=VALUE
 * options of a reply's text, CRC-32 fields; and the list the entries go
 * to. The server's bytes are as hostile as a client's to the server:
 * every parser here is bounded, in a unit test table (t/unit/test_reply)
 * and a fuzz target (t/fuzz/fuzz_client_reply).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "wp.h"

static int	 entry_cmp(const void *, const void *);

int
remote_entry(const char *line, struct entry *e)
{
	char			 name[4096];
	unsigned long long	 size, mtime;
	char			 tok[3][32];
	const char		*p = line;
	size_t			 len;
	int			 i;

	memset(e, 0, sizeof(*e));
	if (strchr("fdlo", line[0]) == NULL || line[0] == '\0' ||
	    line[1] != ' ')
		return (-1);
	for (i = 0; i < 3; i++) {
		len = strcspn(p, " ");
		if (len == 0 || len >= sizeof(tok[i]) || p[len] != ' ')
			return (-1);
		memcpy(tok[i], p, len);
		tok[i][len] = '\0';
		p += len + 1;
	}
	if (wp_number(tok[1], &size) == -1 || wp_number(tok[2], &mtime) == -1)
		return (-1);
	if (wp_decode(name, sizeof(name), p) == -1)
		return (-1);
	e->e_type = line[0];
	e->e_size = size;
	e->e_mtime = (long long)mtime;
	if ((e->e_name = strdup(name)) == NULL)
		err(WX_REFUSED, "strdup");
	return (0);
}

void
entries_add(struct entries *es, const struct entry *e)
{
	struct entry	*v;
	size_t		 cap;

	if (es->es_n == es->es_cap) {
		cap = es->es_cap ? es->es_cap * 2 : 32;
		if ((v = reallocarray(es->es_v, cap, sizeof(*v))) == NULL)
			err(WX_REFUSED, "reallocarray");
		es->es_v = v;
		es->es_cap = cap;
	}
	es->es_v[es->es_n++] = *e;
}

static int
entry_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct entry *)a)->e_name,
	    ((const struct entry *)b)->e_name));
}

void
entries_sort(struct entries *es)
{
	if (es->es_n > 1)
		qsort(es->es_v, es->es_n, sizeof(*es->es_v), entry_cmp);
}

void
entry_free(struct entry *e)
{
	free(e->e_name);
	e->e_name = NULL;
}

void
entries_free(struct entries *es)
{
	size_t	 i;

	for (i = 0; i < es->es_n; i++)
		entry_free(&es->es_v[i]);
	free(es->es_v);
	memset(es, 0, sizeof(*es));
}

/* A name from a listing that is safe to use as a local file name. */
int
entry_name_ok(const char *name)
{
	return (*name != '\0' && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 && strchr(name, '/') == NULL);
}

int
reply_option(const char *text, const char *key, char *val, size_t valsz)
{
	size_t		 klen = strlen(key), len;
	const char	*p = text;

	while (*p != '\0') {
		len = strcspn(p, " ");
		if (len > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			if (len - klen - 1 >= valsz)
				return (-1);
			memcpy(val, p + klen + 1, len - klen - 1);
			val[len - klen - 1] = '\0';
			return (0);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return (-1);
}

int
parse_crc(const char *s, unsigned long *crc)
{
	if (strlen(s) != 8 || strspn(s, "0123456789abcdefABCDEF") != 8)
		return (-1);
	*crc = strtoul(s, NULL, 16);
	return (0);
}
