/*
 * http_date.h: HTTP dates (RFC 9110 section 5.6.7), out and in. No I/O,
 * no allocation, no locks (parsing reads the clock for RFC 850's
 * two-digit years); unit-tested in t/unit/test_http_date.c and fuzzed
 * through fuzz_http_head.
 */
#ifndef WHARFD_HTTP_DATE_H
#define WHARFD_HTTP_DATE_H

#include <stddef.h>
#include <time.h>

#define HTTP_DATE_LEN	29	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
/* The times http_date formats unclamped: years 1 to 9999. */
#define HTTP_DATE_MIN	(-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define HTTP_DATE_MAX	253402300799LL		/* 9999-12-31T23:59:59Z */

/*
 * The IMF-fixdate of t into out, NUL-terminated. t before year 1 or
 * after 9999 is clamped to the first or last second of that range (the
 * format has four digits of year). An outsz under HTTP_DATE_LEN + 1
 * gets "" (outsz > 0). Returns out.
 */
const char *http_date(time_t t, char *out, size_t outsz);

/*
 * Parse an HTTP-date in any of its three forms: IMF-fixdate, the
 * obsolete RFC 850 form (its two-digit year is the one within 50 years
 * of now, ahead or back) and asctime's. Names of days and months in any
 * case; the day's name is not checked against the date. Returns the
 * time, or -1 when s is not such a date (so 1969-12-31T23:59:59Z, which
 * is -1, reads as no date).
 */
time_t	 http_parse_date(const char *s);

#endif
