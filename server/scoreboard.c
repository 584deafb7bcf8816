/*
 * scoreboard.c: the shared mapping behind the pool. Slots are written
 * without locks: each slot has one writer (its child, or the master while
 * the slot is empty), and readers tolerate a torn peer or path string.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <string.h>

#include "log.h"
#include "scoreboard.h"

struct scoreboard	*scoreboard;
static struct sb_upload	*uploads;

void
scoreboard_create(unsigned nslots)
{
	size_t	 len;
	void	*p;

	len = offsetof(struct scoreboard, sb_slots) +
	    (size_t)nslots * sizeof(struct sb_slot);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		fatal("scoreboard: mmap %zu bytes", len);
	/* Anonymous memory starts zeroed: no memset, no pages touched. */
	scoreboard = p;
	len = (size_t)nslots * sizeof(struct sb_upload);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		fatal("scoreboard: mmap %zu bytes", len);
	uploads = p;
	scoreboard->sb_nslots = nslots;
	atomic_init(&scoreboard->sb_idle, 0);
	atomic_init(&scoreboard->sb_wake, 0);
	atomic_init(&scoreboard->sb_queued, 0);
	atomic_init(&scoreboard->sb_used, 0);
}

struct sb_upload *
scoreboard_upload(const struct sb_slot *slot)
{
	return (&uploads[slot - scoreboard->sb_slots]);
}

struct sb_slot *
scoreboard_free_slot(void)
{
	unsigned	 i;

	for (i = 0; i < scoreboard->sb_nslots; i++)
		if (scoreboard->sb_slots[i].sl_pid == 0) {
			/* Lowest first, so a scan can stop at sb_used. */
			if (i >= atomic_load(&scoreboard->sb_used))
				atomic_store(&scoreboard->sb_used, i + 1);
			return (&scoreboard->sb_slots[i]);
		}
	return (NULL);
}

struct sb_slot *
scoreboard_find(pid_t pid)
{
	unsigned	 i;

	for (i = 0; i < scoreboard->sb_nslots; i++)
		if (scoreboard->sb_slots[i].sl_pid == pid)
			return (&scoreboard->sb_slots[i]);
	return (NULL);
}

const char *
scoreboard_state_name(int state)
{
	static const char	*names[] = {
		"empty", "starting", "idle", "reading", "sending",
		"receiving", "keepalive", "closing", "sweeping"
	};

	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(names[0]))
		return ("unknown");
	return (names[state]);
}
