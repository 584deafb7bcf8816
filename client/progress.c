/*
 * progress.c: the progress bar of a transfer on stderr: name, bytes,
 * percent, rate and time left, redrawn in place at most ten times a
 * second, and only when stderr is a terminal and -q was not given.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "io.h"
#include "log.h"

#define PROGRESS_EVERY	100	/* ms between redraws */

static void	 progress_draw(struct progress *, int final);
static void	 fmt_bytes(char *, size_t, double);
static void	 fmt_time(char *, size_t, long long);
static int	 term_width(void);

static void
fmt_bytes(char *dst, size_t dstsz, double n)
{
	static const char	*units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t			 u = 0;

	while (n >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(dst, dstsz, "%.0f %s", n, units[u]);
	else
		snprintf(dst, dstsz, "%.1f %s", n, units[u]);
}

static void
fmt_time(char *dst, size_t dstsz, long long secs)
{
	if (secs < 0)
		snprintf(dst, dstsz, "--:--");
	else if (secs >= 3600)
		snprintf(dst, dstsz, "%lld:%02lld:%02lld", secs / 3600,
		    secs / 60 % 60, secs % 60);
	else
		snprintf(dst, dstsz, "%02lld:%02lld", secs / 60, secs % 60);
}

static int
term_width(void)
{
	struct winsize	 ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return (ws.ws_col);
	return (80);
}

void
progress_begin(struct progress *p, int quiet, const char *name,
    long long total, unsigned long long offset)
{
	memset(p, 0, sizeof(*p));
	p->p_on = !quiet && isatty(STDERR_FILENO);
	if (!p->p_on)
		return;
	log_escape(p->p_name, sizeof(p->p_name), name, strlen(name));
	p->p_total = total;
	p->p_done = p->p_start = offset;
	p->p_t0 = p->p_last = io_now_ms();
	progress_draw(p, 0);
}

void
progress_add(struct progress *p, size_t n)
{
	int64_t	 now;

	if (!p->p_on)
		return;
	p->p_done += n;
	now = io_now_ms();
	if (now - p->p_last < PROGRESS_EVERY)
		return;
	p->p_last = now;
	progress_draw(p, 0);
}

void
progress_end(struct progress *p, int ok)
{
	if (!p->p_on)
		return;
	if (ok) {
		progress_draw(p, 1);
		fputc('\n', stderr);
	} else
		fputs("\r\033[K", stderr);
	fflush(stderr);
	p->p_on = 0;
}

static void
progress_draw(struct progress *p, int final)
{
	char	 done[32], rate[32], left[32], pct[8];
	double	 secs, bps;
	int	 width, namew;

	secs = (double)(io_now_ms() - p->p_t0) / 1000.0;
	if (final && secs < 0.001)
		secs = 0.001;
	bps = secs > 0.05 || final ? (double)(p->p_done - p->p_start) / secs :
	    0;
	fmt_bytes(done, sizeof(done), (double)p->p_done);
	fmt_bytes(rate, sizeof(rate), bps);
	if (p->p_total > 0)
		snprintf(pct, sizeof(pct), "%3d%%", (int)(p->p_done * 100 /
		    (unsigned long long)p->p_total));
	else
		snprintf(pct, sizeof(pct), "%s", p->p_total == 0 ? "100%" :
		    "  ?%");
	if (final)
		fmt_time(left, sizeof(left), (long long)(secs + 0.5));
	else if (p->p_total >= 0 && bps > 0)
		fmt_time(left, sizeof(left), (long long)(((double)p->p_total -
		    (double)p->p_done) / bps + 0.5));
	else
		fmt_time(left, sizeof(left), -1);
	width = term_width();
	/* name, then " 123.4 MiB 100% 123.4 MiB/s ETA 00:00" (~42). */
	namew = width - 44;
	if (namew < 8)
		namew = 8;
	fprintf(stderr, "\r%-*.*s %10s %s %10s/s %s %s\033[K", namew, namew,
	    p->p_name, done, pct, rate, final ? "in " : "ETA", left);
	fflush(stderr);
}
