/*
 * users.h: the user file (--user-file): names, crypt(3) hashes and roles,
 * shared by WHARF/1 AUTH and HTTP Basic; and --hash-password.
 */
#ifndef WHARFD_USERS_H
#define WHARFD_USERS_H

#include <stddef.h>

#define ROLE_RO	1
#define ROLE_RW	2

struct user;

/*
 * Load the file: lines "NAME:HASH:ROLE" (ROLE rw or ro), '#' comments and
 * blank lines ignored. Replaces any earlier list. Returns 0, or -1 with a
 * message naming the file and line in err (size errlen).
 */
int		 users_load(const char *path, char *err, size_t errlen);
/* 1 when a user file is loaded. */
int		 users_enabled(void);
/* The user whose password this is, or NULL. Takes the same time whether
 * or not the name exists. */
const struct user *users_check(const char *name, const char *password);
const char	*users_name(const struct user *);
int		 users_role(const struct user *);
/* --hash-password: read a password from the terminal (twice, no echo) or
 * one line from a pipe, print its crypt(3) hash. Returns an exit status. */
int		 users_hash_password(void);

#endif
