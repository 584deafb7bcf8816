/*
 * tap.h: the smallest TAP producer for the C unit tests: ok(), a plan at
 * the end, and an exit status that fails the test program when any
 * assertion failed.
 */
#ifndef WHARF_TAP_H
#define WHARF_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int	 tap_n, tap_failed;

static inline int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list	 ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return (cond);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed ? 1 : 0);
}

#endif
