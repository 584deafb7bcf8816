/*
 * mime.h: Content-Type of a file: libmagic, loaded once in the master,
 * corrected by extension where libmagic only says text/plain, and cached
 * by file identity in a table all children share, so a file is examined
 * once for the whole pool.
 */
#ifndef WHARFD_MIME_H
#define WHARFD_MIME_H

#include <sys/stat.h>

#define MIME_TYPE_MAX	96	/* a type with its parameters, NUL in */

/* Open and load the magic database (master, before the fork). Returns 0,
 * or -1 when libmagic cannot be used: types then come from extensions. */
int		 mime_init(void);
/*
 * The type of the open regular file fd (name: its last component), e.g.
 * "text/plain; charset=utf-8", written into out. Returns out.
 */
const char	*mime_type(int fd, const struct stat *, const char *name,
		    char out[MIME_TYPE_MAX]);
/* The type for a name alone, from its extension, or NULL. */
const char	*mime_by_name(const char *name);
/* 1 when a body of this type is worth gzip: text, JSON, JS, XML, SVG. */
int		 mime_compressible(const char *type);

#endif
