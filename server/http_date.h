/*
 * http_date.h: HTTP dates (RFC 9110 section 5.6.7), out and in. Pure:
 * no I/O, no allocation, no locks; unit-tested in
 * t/unit/test_http_date.c and fuzzed through fuzz_http_head.
 */
#ifndef WHARFD_HTTP_DATE_H
#define WHARFD_HTTP_DATE_H

#include <stddef.h>
#include <time.h>

#define HTTP_DATE_LEN	29	/* "Sun, 06 Nov 1994 08:49:37 GMT" */

/*
 * The IMF-fixdate of t into out, NUL-terminated. t before year 1 or
 * after 9999 is clamped to the first or last second of that range (the
 * format has four digits of year). An outsz under HTTP_DATE_LEN + 1
 * gets "" (outsz > 0). Returns out.
 */
const char *http_date(time_t t, char *out, size_t outsz);

/*
 * Parse an HTTP-date in any of its three forms: IMF-fixdate, the
 * obsolete RFC 850 form (a two-digit year more than 50 years ahead of
 * now is taken as the century before) and asctime's. Names of days and
 * months in any case; the day's name is not checked against the date.
 * Returns the time, or -1 when s is not such a date.
 */
time_t	 http_parse_date(const char *s);

#endif
