/*
 * test_http_date.c: HTTP dates (server/http_date.c): the IMF-fixdate of
 * known times and of a sweep checked against gmtime_r and strftime, the
 * clamps at years 1 and 9999, the three forms http_parse_date accepts,
 * and what it must refuse.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_date.h"
#include "tap.h"

static const struct {
	long long	 t;
	const char	*s;
} known[] = {
	{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ -1, "Wed, 31 Dec 1969 23:59:59 GMT" },
	{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },	/* RFC 9110 */
	{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },	/* 400-year leap */
	{ 4107542400LL, "Mon, 01 Mar 2100 00:00:00 GMT" },	/* no Feb 29 */
	{ 2147483647, "Tue, 19 Jan 2038 03:14:07 GMT" },
	{ 2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT" },
	{ -2208988800LL, "Mon, 01 Jan 1900 00:00:00 GMT" },
	{ 253402300799LL, "Fri, 31 Dec 9999 23:59:59 GMT" },
	{ 253402300800LL, "Fri, 31 Dec 9999 23:59:59 GMT" },	/* clamped */
	{ -62135596800LL, "Mon, 01 Jan 0001 00:00:00 GMT" },
	{ -62135596801LL, "Mon, 01 Jan 0001 00:00:00 GMT" },	/* clamped */
};

static const struct {
	const char	*s;
	long long	 t;	/* -1: refused */
} parses[] = {
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 },
	{ "sun, 06 nov 1994 08:49:37 GMT", 784111777 },
	{ "Sun Nov  6 08:49:37 1994", 784111777 },
	{ "Sun Nov 16 08:49:37 1994", 784975777 },
	{ "Tue, 29 Feb 2000 00:00:00 GMT", 951782400 },
	{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
	{ "Fri, 31 Dec 9999 23:59:59 GMT", 253402300799LL },
	{ "Sat, 31 Dec 2016 23:59:60 GMT", 1483228800 },	/* leap second */
	/* the day's name is not checked against the date */
	{ "Mon, 06 Nov 1994 08:49:37 GMT", 784111777 },
	{ "", -1 },
	{ "Sun", -1 },
	{ "Sun,", -1 },
	{ "Sun, 06 Nov 1994 08:49:37", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 UTC", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT ", -1 },
	{ "Sun, 6 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 94 08:49:37 GMT", -1 },
	{ "Sun, 06 Nox 1994 08:49:37 GMT", -1 },
	{ "Sun, 31 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 29 Feb 2100 08:49:37 GMT", -1 },
	{ "Sun, 00 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 24:00:00 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:60:00 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49:61 GMT", -1 },
	{ "Sun, 06 Nov 1994 8:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49:3x GMT", -1 },
	{ "Sun, 06 Nov +994 08:49:37 GMT", -1 },
	{ "Xyz, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sunday, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06-Nov-94 08:49:37 GMT", -1 },
	{ "Sunday, 06-Nov-1994 08:49:37 GMT", -1 },
	{ "Sun Nov 6 08:49:37 1994", -1 },
	{ "Sun Nov  6 08:49:37 94", -1 },
	{ "Sun Nov  6 08:49:37 1994 ", -1 },
	{ "1994-11-06T08:49:37Z", -1 },
};

/* The same time from glibc, for the sweep (its %Y pads no zeros). */
static void
reference(time_t t, char *out, size_t outsz)
{
	struct tm	 tm;
	char		 dm[16], hms[16];

	gmtime_r(&t, &tm);
	strftime(dm, sizeof(dm), "%a, %d %b", &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(out, outsz, "%s %04d %s GMT", dm, tm.tm_year + 1900, hms);
}

int
main(void)
{
	static const int ahead[] = { 0, 1, 49, 50, 51, 99, -1, -49, -50, -51 };
	char		 got[64], want[64], imf[64], small[HTTP_DATE_LEN];
	const char	*r;
	uint64_t	 x = 88172645463325252ULL;
	time_t		 t, now;
	size_t		 i;
	int		 bad, year, y;
	long long	 v;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		r = http_date((time_t)known[i].t, got, sizeof(got));
		ok(r == got && strcmp(got, known[i].s) == 0,
		    "http_date(%lld) = \"%s\"", known[i].t, got);
	}
	memset(small, 'x', sizeof(small));
	http_date(0, small, sizeof(small));
	ok(small[0] == '\0', "a buffer of %zu bytes gets \"\"",
	    sizeof(small));

	/* Every hour over 1900-2200 and random seconds over years 1-9999. */
	bad = 0;
	for (v = -2208988800LL; v < 7258118400LL && bad < 3; v += 3599) {
		reference((time_t)v, want, sizeof(want));
		http_date((time_t)v, got, sizeof(got));
		if (strcmp(got, want) != 0) {
			ok(0, "sweep %lld: \"%s\", glibc \"%s\"", v, got, want);
			bad++;
		}
	}
	for (i = 0; i < 200000 && bad < 3; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = -62135596800LL + (long long)(x % 315537897600ULL);
		reference((time_t)v, want, sizeof(want));
		http_date((time_t)v, got, sizeof(got));
		if (strcmp(got, want) != 0) {
			ok(0, "random %lld: \"%s\", glibc \"%s\"", v, got, want);
			bad++;
		}
		if (http_parse_date(got) != (time_t)v) {
			ok(0, "random %lld: \"%s\" parses back to %lld", v,
			    got, (long long)http_parse_date(got));
			bad++;
		}
	}
	ok(bad == 0, "formats as glibc does and parses back, years 1-9999");

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		t = http_parse_date(parses[i].s);
		ok((long long)t == parses[i].t, "http_parse_date(\"%s\") = %lld",
		    parses[i].s, (long long)t);
	}
	ok(http_parse_date(NULL) == (time_t)-1, "http_parse_date(NULL) = -1");

	/*
	 * RFC 850's two-digit year is the one within 50 years of now: up
	 * to 50 ahead, else back. Compared with the same day in IMF-fixdate.
	 */
	now = time(NULL);
	http_date(now, want, sizeof(want));
	year = atoi(want + 12);
	for (i = 0; i < sizeof(ahead) / sizeof(ahead[0]); i++) {
		y = year + ahead[i];
		if (ahead[i] > 50)
			y -= 100;
		if (ahead[i] <= -50)
			y += 100;
		snprintf(got, sizeof(got), "Sunday, 01-Jan-%02d 00:00:00 GMT",
		    ((y % 100) + 100) % 100);
		snprintf(imf, sizeof(imf), "Sun, 01 Jan %04d 00:00:00 GMT", y);
		t = http_parse_date(got);
		ok(t != (time_t)-1 && t == http_parse_date(imf),
		    "\"%s\" in %d is %d", got, year, y);
	}
	return (tap_done());
}
