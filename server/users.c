/*
 * users.c: users and passwords. Hashes are crypt(3) strings (yescrypt by
 * default); a check always runs one crypt, against a dummy hash for an
 * unknown name, and compares in constant time, so neither the answer's
 * timing nor its text tells whether a name exists.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "users.h"
#include "wharfd.h"

#define USERS_MAX	4096
#define LINE_MAX_LEN	1024

struct user {
	char	*u_name;
	char	*u_hash;
	int	 u_role;
};

static struct user	*users;
static size_t		 nusers;
static int		 users_loaded;
/* A valid hash of a random password, for names that do not exist. */
static char		 users_dummy[CRYPT_OUTPUT_SIZE];

static void	 users_free(struct user *, size_t);
static int	 users_equal(const char *, const char *);
static int	 users_read_password(const char *prompt, char *, size_t);

static void
users_free(struct user *list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(list[i].u_name);
		free(list[i].u_hash);
	}
	free(list);
}

int
users_load(const char *path, char *err, size_t errlen)
{
	FILE		*fp;
	struct user	*list = NULL, *u;
	char		 line[LINE_MAX_LEN], *name, *hash, *role, *nl;
	size_t		 n = 0, lineno = 0;
	struct crypt_data *cd;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%zu: line too long", path,
			    lineno);
			goto fail;
		}
		if (nl != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		name = line;
		if ((hash = strchr(name, ':')) == NULL ||
		    (role = strchr(hash + 1, ':')) == NULL) {
			snprintf(err, errlen, "%s:%zu: expected NAME:HASH:ROLE",
			    path, lineno);
			goto fail;
		}
		*hash++ = '\0';
		*role++ = '\0';
		if (*name == '\0' || *hash == '\0' ||
		    (strcmp(role, "rw") != 0 && strcmp(role, "ro") != 0)) {
			snprintf(err, errlen, "%s:%zu: expected NAME:HASH:ROLE "
			    "with ROLE rw or ro", path, lineno);
			goto fail;
		}
		if (n == USERS_MAX) {
			snprintf(err, errlen, "%s: more than %d users", path,
			    USERS_MAX);
			goto fail;
		}
		if ((u = realloc(list, (n + 1) * sizeof(*list))) == NULL)
			goto nomem;
		list = u;
		u = &list[n];
		u->u_name = strdup(name);
		u->u_hash = strdup(hash);
		u->u_role = strcmp(role, "rw") == 0 ? ROLE_RW : ROLE_RO;
		n++;
		if (u->u_name == NULL || u->u_hash == NULL)
			goto nomem;
	}
	fclose(fp);
	users_free(users, nusers);
	users = list;
	nusers = n;
	users_loaded = 1;
	if (users_dummy[0] == '\0' &&
	    (cd = calloc(1, sizeof(*cd))) != NULL) {
		char	 salt[CRYPT_GENSALT_OUTPUT_SIZE];
		const char *h;

		if (crypt_gensalt_rn(NULL, 0, NULL, 0, salt,
		    sizeof(salt)) != NULL &&
		    (h = crypt_r("wharf-dummy-password", salt, cd)) != NULL &&
		    h[0] != '*')
			snprintf(users_dummy, sizeof(users_dummy), "%s", h);
		free(cd);
	}
	return (0);
nomem:
	snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
fail:
	fclose(fp);
	users_free(list, n);
	return (-1);
}

int
users_enabled(void)
{
	return (users_loaded);
}

/* Compare two NUL-terminated strings in time that depends only on b. */
static int
users_equal(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), i;
	unsigned char	 d = (unsigned char)(la != lb);

	for (i = 0; i < lb; i++)
		d |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return (d == 0);
}

const struct user *
users_check(const char *name, const char *password)
{
	struct crypt_data	*cd;
	const struct user	*found = NULL;
	const char		*hash, *out;
	size_t			 i;
	int			 match;

	for (i = 0; i < nusers; i++)
		if (strcmp(users[i].u_name, name) == 0)
			found = &users[i];
	hash = found != NULL ? found->u_hash : users_dummy;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return (NULL);
	out = crypt_r(password, hash, cd);
	match = out != NULL && out[0] != '*' && users_equal(out, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return (match && found != NULL ? found : NULL);
}

const char *
users_name(const struct user *u)
{
	return (u->u_name);
}

int
users_role(const struct user *u)
{
	return (u->u_role);
}

/* Read one line, without echo when stdin is a terminal. 0 or -1. */
static int
users_read_password(const char *prompt, char *buf, size_t len)
{
	struct termios	 old, noecho;
	int		 tty = isatty(STDIN_FILENO);
	char		*nl;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		if (tcgetattr(STDIN_FILENO, &old) == -1)
			return (-1);
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	}
	if (fgets(buf, (int)len, stdin) == NULL) {
		if (tty) {
			(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
			fprintf(stderr, "\n");
		}
		return (-1);
	}
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (nl != NULL && nl > buf && nl[-1] == '\r')
		nl[-1] = '\0';
	return (0);
}

int
users_hash_password(void)
{
	struct crypt_data	*cd;
	char			 pw[1024], again[1024];
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;

	if (users_read_password("Password: ", pw, sizeof(pw)) == -1) {
		fprintf(stderr, "wharfd: --hash-password: no password read\n");
		return (EXIT_USAGE);
	}
	if (isatty(STDIN_FILENO)) {
		if (users_read_password("Again: ", again, sizeof(again)) == -1 ||
		    strcmp(pw, again) != 0) {
			fprintf(stderr, "wharfd: --hash-password: the "
			    "passwords differ\n");
			return (EXIT_USAGE);
		}
		explicit_bzero(again, sizeof(again));
	}
	if (pw[0] == '\0') {
		fprintf(stderr, "wharfd: --hash-password: empty password\n");
		return (EXIT_USAGE);
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL ||
	    crypt_gensalt_rn(NULL, 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_r(pw, salt, cd)) == NULL || h[0] == '*') {
		fprintf(stderr, "wharfd: --hash-password: crypt failed\n");
		free(cd);
		return (EXIT_RUNTIME);
	}
	printf("%s\n", h);
	explicit_bzero(pw, sizeof(pw));
	free(cd);
	return (EXIT_OK);
}
