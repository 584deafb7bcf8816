/*
 * http_date.c: HTTP dates: the IMF-fixdate of Date and Last-Modified,
 * and the three HTTP-date forms a client may send in If-Modified-Since
 * and If-Range. Dates are converted to and from day counts by
 * arithmetic (Howard Hinnant's civil-date algorithms) rather than with
 * gmtime_r and timegm: those take glibc's time-zone lock, and that write
 * alone made one more page each serving child's own copy (c500 PSS).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_date.h"

#define DAY_SECS	86400

static const char	 wdays[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char	*wdays_long[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char	 months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

static int64_t	 days_from_civil(int64_t, unsigned, unsigned);
static void	 civil_from_days(int64_t, int64_t *, unsigned *, unsigned *);
static int	 digits(const char *, int, unsigned *);
static int	 month_of(const char *);
static const char *day_name(const char *);
static const char *clock_time(const char *, int64_t *);
static int	 date_gmt(const char *, char, int, unsigned *, int *,
		    unsigned *, int64_t *);
static int	 valid_day(int64_t, unsigned, unsigned);

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t)doe - 719468);
}

/* The y-m-d of a day count from 1970-01-01. */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		 era;
	unsigned	 doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

const char *
http_date(time_t t, char *out, size_t outsz)
{
	int64_t		 s = (int64_t)t, days, secs, y;
	unsigned	 m, d, hh, mm, ss, wd;
	char		*p = out;

	if (outsz < HTTP_DATE_LEN + 1) {
		if (outsz > 0)
			out[0] = '\0';
		return (out);
	}
	if (s < HTTP_DATE_MIN)
		s = HTTP_DATE_MIN;
	if (s > HTTP_DATE_MAX)
		s = HTTP_DATE_MAX;
	days = s / DAY_SECS;
	secs = s % DAY_SECS;
	if (secs < 0) {
		secs += DAY_SECS;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	wd = (unsigned)(((days + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
	hh = (unsigned)(secs / 3600);
	mm = (unsigned)(secs / 60 % 60);
	ss = (unsigned)(secs % 60);

	memcpy(p, wdays[wd], 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	*p++ = (char)('0' + d / 10);
	*p++ = (char)('0' + d % 10);
	*p++ = ' ';
	memcpy(p, months[m - 1], 3);
	p += 3;
	*p++ = ' ';
	*p++ = (char)('0' + y / 1000);
	*p++ = (char)('0' + y / 100 % 10);
	*p++ = (char)('0' + y / 10 % 10);
	*p++ = (char)('0' + y % 10);
	*p++ = ' ';
	*p++ = (char)('0' + hh / 10);
	*p++ = (char)('0' + hh % 10);
	*p++ = ':';
	*p++ = (char)('0' + mm / 10);
	*p++ = (char)('0' + mm % 10);
	*p++ = ':';
	*p++ = (char)('0' + ss / 10);
	*p++ = (char)('0' + ss % 10);
	memcpy(p, " GMT", 5);
	return (out);
}

/* Exactly n decimal digits at s into *v: 0, or -1. */
static int
digits(const char *s, int n, unsigned *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return (0);
}

/* 1-12 for a three-letter month name at s, else 0. */
static int
month_of(const char *s)
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(s, months[i], 3) == 0)
			return (i + 1);
	return (0);
}

/* Past a day's name, short or long, at s; NULL when there is none. */
static const char *
day_name(const char *s)
{
	size_t	 n;
	int	 i;

	for (i = 0; i < 7; i++) {
		n = strlen(wdays_long[i]);
		if (strncasecmp(s, wdays_long[i], n) == 0)
			return (s + n);
	}
	for (i = 0; i < 7; i++)
		if (strncasecmp(s, wdays[i], 3) == 0)
			return (s + 3);
	return (NULL);
}

/* "HH:MM:SS" at s into *secs; past it, or NULL. */
static const char *
clock_time(const char *s, int64_t *secs)
{
	unsigned	 hh, mm, ss;

	if (digits(s, 2, &hh) == -1 || s[2] != ':' ||
	    digits(s + 3, 2, &mm) == -1 || s[5] != ':' ||
	    digits(s + 6, 2, &ss) == -1)
		return (NULL);
	/* 60: a leap second, counted into the next minute as timegm did */
	if (hh > 23 || mm > 59 || ss > 60)
		return (NULL);
	*secs = (int64_t)hh * 3600 + mm * 60 + ss;
	return (s + 8);
}

/*
 * "DD<sep>Mon<sep>YYYY HH:MM:SS GMT" at s, to its end, with ylen digits
 * of year: the day, month (1-12), year digits and seconds into the day.
 * 0, or -1.
 */
static int
date_gmt(const char *s, char sep, int ylen, unsigned *d, int *mon,
    unsigned *y, int64_t *secs)
{
	if (digits(s, 2, d) == -1 || s[2] != sep ||
	    (*mon = month_of(s + 3)) == 0 || s[6] != sep ||
	    digits(s + 7, ylen, y) == -1 || s[7 + ylen] != ' ' ||
	    (s = clock_time(s + 8 + ylen, secs)) == NULL ||
	    strcmp(s, " GMT") != 0)
		return (-1);
	return (0);
}

/* Whether y-m-d is a day of the proleptic Gregorian calendar. */
static int
valid_day(int64_t y, unsigned m, unsigned d)
{
	static const unsigned	 mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return (0);
	if (m == 2 && d == 29)
		return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
	return (1);
}

time_t
http_parse_date(const char *s)
{
	const char	*p;
	int64_t		 y, secs, now;
	unsigned	 d, m, v, now_m, now_d;
	int		 mon, n, imf;

	if (s == NULL || (p = day_name(s)) == NULL)
		return ((time_t)-1);
	if (p[0] == ',' && p[1] == ' ') {
		/*
		 * IMF-fixdate after a short name: "Sun, 06 Nov 1994 08:49:37
		 * GMT"; RFC 850 after a long one: "Sunday, 06-Nov-94 08:49:37
		 * GMT".
		 */
		imf = p - s == 3;
		if (date_gmt(p + 2, imf ? ' ' : '-', imf ? 4 : 2, &d, &mon, &v,
		    &secs) == -1)
			return ((time_t)-1);
		if (imf)
			y = v;
		else {
			/*
			 * RFC 9110: a year more than 50 years ahead is the
			 * one a century before; so the year is the one with
			 * these two digits in (now - 50, now + 50].
			 */
			civil_from_days((int64_t)time(NULL) / DAY_SECS, &now,
			    &now_m, &now_d);
			y = now / 100 * 100 + v;
			if (y > now + 50)
				y -= 100;
			else if (y <= now - 50)
				y += 100;
		}
	} else if (p[0] == ' ' && p - s == 3) {
		/* asctime: "Sun Nov  6 08:49:37 1994" */
		p++;
		if ((mon = month_of(p)) == 0 || p[3] != ' ')
			return ((time_t)-1);
		p += 4;
		n = p[0] == ' ' ? 1 : 2;	/* " 6" or "16" */
		if (digits(p + 2 - n, n, &d) == -1 || p[2] != ' ' ||
		    (p = clock_time(p + 3, &secs)) == NULL ||
		    p[0] != ' ' || digits(p + 1, 4, &v) == -1 || p[5] != '\0')
			return ((time_t)-1);
		y = v;
	} else
		return ((time_t)-1);
	m = (unsigned)mon;
	if (!valid_day(y, m, d))
		return ((time_t)-1);
	return ((time_t)(days_from_civil(y, m, d) * DAY_SECS + secs));
}
