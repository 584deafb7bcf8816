#!/usr/bin/env bats
# t/20-pool.bats: the pool of children: its size at start, growth under
# held connections up to --max-children, the accept backlog beyond it,
# slow shrinking back to --max-spare (one a second after --shrink-after),
# --max-requests, the replacement of a child killed with SIGKILL, and
# the children's scheduling. Every connection here comes from
# 127.0.0.1, so tests that fill the pool lift the per-address cap (half
# of --max-children by default; t/38-limits.bats tests it).

load helpers
bats_require_minimum_version 1.5.0

# Keep the helpers' teardown; stop the pool monitor first.
eval "helpers_$(declare -f teardown)"
teardown() {
	monitor_stop
	helpers_teardown
}

CONNS=()

# kids OP N: the master has OP N children, OP a test(1) comparison; for
# wait_until, which would otherwise count only once.
kids() {
	[ "$(child_count)" "$1" "$2" ]
}

# hold: open one more WHARF/1 connection and keep it in CONNS.
hold() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$WPORT"
	CONNS+=("$fd")
}

# greeted I [SECONDS]: connection I (from 0) got its greeting.
greeted() {
	local line
	IFS= read -r -t "${2:-5}" -u "${CONNS[$1]}" line || return 1
	[[ "$line" == "220 WHARF/1 "* ]]
}

# release I: end connection I.
release() {
	printf 'QUIT\r\n' >&"${CONNS[$1]}" 2>/dev/null || true
	exec {CONNS[$1]}<&-
}

# noop I: NOOP on connection I gets 200.
noop() {
	local line
	printf 'NOOP\r\n' >&"${CONNS[$1]}" || return 1
	IFS= read -r -t 5 -u "${CONNS[$1]}" line || return 1
	[[ "$line" == "200 "* ]]
}

# monitor_start: record the number of children every 50 ms.
monitor_start() {
	(
		while :; do
			child_count
			sleep 0.05
		done
	) >"$BATS_TEST_TMPDIR/counts" 3>&- &
	MONITOR=$!
}

monitor_stop() {
	if [ -n "${MONITOR:-}" ]; then
		kill "$MONITOR" 2>/dev/null || true
		wait "$MONITOR" 2>/dev/null || true
		MONITOR=
	fi
}

monitor_max() {
	sort -n "$BATS_TEST_TMPDIR/counts" | tail -1
}

# alive PID: the process exists and is not a zombie.
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# grow_to N: hold N connections one by one; after each, the pool keeps
# --min-spare (2) idle children on top of the busy ones until it reaches
# --max-children (12).
grow_to() {
	local k want
	for ((k = 1; k <= $1; k++)); do
		hold
		greeted $((k - 1)) ||
		    { echo "connection $k got no greeting"; return 1; }
		want=$((k + 2 > 12 ? 12 : k + 2))
		wait_until 5 kids -ge "$want" ||
		    { echo "after $k connections: $(child_count) children," \
		    "expected at least $want"; return 1; }
	done
}

@test "pool: starts with --start-children children and keeps them" {
	start_wharfd --start-children 3 --min-spare 1 --max-spare 5
	wait_for_children 3 5
	[ "$(child_count)" -eq 3 ]
	# Within min-spare..max-spare: a tick later nothing has changed.
	local before
	before=$(children | sort)
	sleep 1.3
	[ "$(children | sort)" = "$before" ]
}

@test "pool: --start-children 0 still forks --min-spare children" {
	WAIT_CHILDREN=0 start_wharfd --start-children 0 --min-spare 2 \
	    --max-spare 3
	wait_until 5 kids -eq 2
	hold
	greeted 0
}

@test "pool: grows under load, keeps --min-spare idle, never above --max-children" {
	start_wharfd --max-per-ip 0 --start-children 2 --min-spare 2 --max-spare 4 \
	    --max-children 12
	monitor_start
	grow_to 10
	wait_until 5 kids -eq 12
	# Two idle children are left for the 11th and 12th connections.
	hold
	hold
	greeted 10
	greeted 11
	sleep 0.5
	monitor_stop
	echo "largest pool seen: $(monitor_max)"
	[ "$(monitor_max)" -le 12 ]
	[ "$(child_count)" -eq 12 ]
	# All twelve sessions are live.
	for i in $(seq 0 11); do
		noop "$i"
	done
}

@test "pool: a burst in the listen queue gets a child per connection at once" {
	local i n
	start_wharfd -v --max-per-ip 0 --start-children 2 --min-spare 1 \
	    --max-spare 2 --max-children 40
	# The master is stopped while 30 clients connect: two are accepted,
	# 28 wait in the queue when it next looks.
	kill -STOP "$WHARFD_PID"
	for i in $(seq 30); do
		hold
	done
	sleep 0.5
	kill -CONT "$WHARFD_PID"
	for i in $(seq 0 29); do
		greeted "$i" 5
	done
	# One look forked what the queue needed, not a doubling batch (1, 2,
	# 4, ... while idle children were short).
	n=$(grep -oE 'queued: forked [0-9]+' "$WHARFD_LOG" |
	    grep -oE '[0-9]+$' | sort -n | tail -n 1)
	echo "largest fork in one look: $n"
	[ "${n:-0}" -ge 20 ]
}

@test "pool: connections beyond --max-children wait in the backlog, then are served" {
	local line
	# Both children are busy, each in the middle of a command line (an
	# idle session might be closed to make room; a busy one is not).
	start_wharfd --max-per-ip 0 --start-children 2 --min-spare 1 --max-spare 2 \
	    --max-children 2 --header-timeout 60
	hold
	hold
	greeted 0
	greeted 1
	printf 'NOO' >&"${CONNS[0]}"
	printf 'NOO' >&"${CONNS[1]}"
	# Accepted by the kernel, not refused, but no child is free.
	hold
	hold
	run ! greeted 2 1
	[ "$(child_count)" -eq 2 ]
	# Not hidden: the master says the pool is full and how many wait
	# (one or two: it may look between the two connections, and says it
	# once a minute).
	wait_until 5 grep -Eq "the pool is full \(--max-children 2\) and (1 connection waits|2 connections wait) in the listen queue" \
	    "$WHARFD_LOG"
	exec {CONNS[0]}<&-
	greeted 2 5
	# Busy as well: idle for 500 ms with connection 3 queued, it would
	# make way for it (a slow machine took that long to go on, and
	# connection 3 was greeted while the next line was reading it).
	printf 'NOO' >&"${CONNS[2]}"
	run ! greeted 3 0.5
	# Longer than the 500 ms after which an idle session makes way.
	sleep 0.5
	printf 'P\r\n' >&"${CONNS[1]}"
	IFS= read -r -t 5 -u "${CONNS[1]}" line
	[[ "$line" == "200 "* ]]
	release 1
	greeted 3 5
	printf 'P\r\n' >&"${CONNS[2]}"
	IFS= read -r -t 5 -u "${CONNS[2]}" line
	[[ "$line" == "200 "* ]]
	noop 2
	noop 3
	[ "$(child_count)" -le 2 ]
}

# epoch STAMP: a log line's time stamp in seconds since 1970.
epoch() {
	date -d "$1" +%s
}

@test "pool: after the load ends it shrinks back to --max-spare, one a second after --shrink-after" {
	start_wharfd --max-per-ip 0 --start-children 2 --min-spare 2 --max-spare 4 \
	    --max-children 12 --shrink-after 8 -v
	grow_to 10
	wait_until 5 kids -eq 12
	for i in $(seq 0 9); do
		release "$i"
	done
	# 8 to retire, after 8 s without growth: about 16 s.
	wait_until 30 kids -le 4
	# Never below --min-spare.
	sleep 1.2
	[ "$(child_count)" -ge 2 ]
	[ "$(child_count)" -le 4 ]
	grep 'retiring' "$WHARFD_LOG"
	# One child per tick, and the ticks are a second apart: N of them
	# span N - 2 seconds at least (the log has whole seconds).
	local n stamps
	n=$(grep -c 'retiring 1$' "$WHARFD_LOG")
	[ "$n" -ge 8 ]
	run ! grep -E 'retiring ([02-9]|1[0-9])' "$WHARFD_LOG"
	stamps=$(sed -nE 's/^([^ ]+) master: debug: pool: .*retiring.*/\1/p' \
	    "$WHARFD_LOG")
	[ $(($(epoch "$(tail -1 <<<"$stamps")") - \
	    $(epoch "$(head -1 <<<"$stamps")"))) -ge $((n - 2)) ]
	# None while the pool was still growing, nor for --shrink-after:
	# the first comes eight seconds (whole seconds in the log: seven or
	# more) after the last fork for a shortage.
	local grew first
	grew=$(sed -nE 's/^([^ ]+) master: debug: pool: .*forked.*/\1/p' \
	    "$WHARFD_LOG" | tail -1)
	first=$(head -1 <<<"$stamps")
	[ -n "$grew" ] && [ -n "$first" ]
	echo "last growth $grew, first retirement $first"
	[ $(($(epoch "$first") - $(epoch "$grew"))) -ge 7 ]
}

@test "pool: growing for a run of clients, it never forks more than --max-spare idle" {
	start_wharfd --max-per-ip 0 --start-children 2 --min-spare 2 --max-spare 3 \
	    --max-children 60 -v
	# One after another, each taking an idle child: the shortage lasts
	# over several looks, and the batch doubles (1, 2, 4...) up to the cap.
	for i in $(seq 40); do
		hold
		sleep 0.02
	done
	wait_until 10 kids -ge 41
	sleep 1.5
	grep 'forked' "$WHARFD_LOG"
	# Without a queue, a look forks at most --max-spare minus the idle.
	local idle queued forked
	while read -r idle queued forked; do
		[ "$queued" -gt 0 ] || [ "$forked" -le $((3 - idle)) ] ||
		    { echo "$idle idle: forked $forked"; return 1; }
	done < <(sed -nE 's/.*pool: ([0-9]+) idle, [0-9]+ busy, ([0-9]+) queued: forked ([0-9]+).*/\1 \2 \3/p' \
	    "$WHARFD_LOG")
}

@test "pool: --max-requests 3 replaces a child after 3 connections, service goes on" {
	start_wharfd --max-per-ip 0 --start-children 1 --min-spare 1 --max-spare 1 \
	    --max-requests 3 -v
	local first
	first=$(children)
	for i in $(seq 9); do
		run timeout 10 "$WHARF" -q -H 127.0.0.1 -p "$WPORT" ping
		[ "$status" -eq 0 ] || { echo "ping $i failed: $output"; return 1; }
	done
	wait_until 5 eval '! alive "$first"'
	# No child served more than 3 connections, so at least 3 served.
	sed -nE 's/.* child ([0-9]+): debug: connection from .*/\1/p' \
	    "$WHARFD_LOG" | sort | uniq -c | tee "$BATS_TEST_TMPDIR/per-child"
	[ "$(awk '$1 > 3' "$BATS_TEST_TMPDIR/per-child" | wc -l)" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/per-child")" -ge 3 ]
	grep -q 'served 3 connections; leaving' "$WHARFD_LOG"
	wait_for_children 1 5
}

@test "pool: kill -9 of a busy child: a replacement within 2 s, other sessions go on" {
	start_wharfd --max-per-ip 0 --start-children 1 --min-spare 1 --max-spare 1 \
	    --max-children 2
	local busy other
	busy=$(children)
	[ "$(echo "$busy" | wc -l)" -eq 1 ]
	hold
	greeted 0		# served by the only child, $busy
	wait_until 5 kids -eq 2
	other=$(children | grep -vx "$busy")
	hold
	greeted 1		# served by $other; the pool is full
	noop 0
	noop 1

	kill -KILL "$busy"
	wait_until 2 eval '[ -n "$(children | grep -vx -e "$busy" -e "$other")" ]' ||
	    { echo "no replacement: $(children | tr '\n' ' ')"; return 1; }
	# The killed child's client sees its connection end.
	run ! noop 0
	# The client on the other child does not notice.
	noop 1
	# And a new client is served by the replacement.
	hold
	greeted 2
	noop 2
	grep -q "child $busy killed by signal 9" "$WHARFD_LOG"
}

@test "pool: kill -9 of an idle child: a replacement within 2 s" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	local victim
	victim=$(children)
	kill -KILL "$victim"
	wait_until 2 eval '[ -n "$(children | grep -vx "$victim")" ]'
	hold
	greeted 0
	noop 0
}

@test "pool: the master gives up glibc's restartable sequence (rseq) before forking, for its children" {
	local ctl addr pid
	sleep 30 3>&- &
	ctl=$!
	BG="${BG:-} $ctl"
	addr=$(python3 "$T_SRCDIR/lib/rseq.py" "$ctl") ||
	    skip "cannot read a process's rseq configuration (ptrace; see /proc/sys/kernel/yama/ptrace_scope)"
	kill "$ctl"
	[ "$addr" != 0 ] || skip "this glibc or kernel registers no rseq"
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2
	# A child unregistering for itself would leave the master's on, and
	# the page the kernel writes its area on each child's own.
	wait_until 5 eval '[ "$(children | wc -l)" -ge 2 ]'
	for pid in "$WHARFD_PID" $(children); do
		addr=$(python3 "$T_SRCDIR/lib/rseq.py" "$pid") ||
		    { kill -0 "$pid" 2>/dev/null && addr=error || addr=gone; }
		echo "pid $pid: rseq area at $addr"
		# a child may leave between the listing and the look
		[ "$addr" = 0 ] || { [ "$addr" = gone ] && [ "$pid" != "$WHARFD_PID" ]; }
	done
	# and the children still serve
	hold
	greeted 0
}

@test "pool: signals are held across fork, so none meant for a new child runs the master's handler" {
	need_strace
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	local victim
	victim=$(children)
	tracer_start "$BATS_TEST_TMPDIR/master.fork" \
	    -e trace=rt_sigprocmask,clone,clone3 -p "$WHARFD_PID"
	kill -KILL "$victim"
	wait_until 2 eval '[ -n "$(children | grep -vx "$victim")" ]'
	tracer_stop
	cat "$BATS_TEST_TMPDIR/master.fork"
	# every fork comes right after the mask that blocks everything
	local forks held
	forks=$(grep -c 'clone' "$BATS_TEST_TMPDIR/master.fork")
	held=$(grep -A1 'rt_sigprocmask(SIG_SETMASK, ~\[' \
	    "$BATS_TEST_TMPDIR/master.fork" | grep -c 'clone')
	[ "$forks" -gt 0 ] && [ "$held" -eq "$forks" ]
	hold
	greeted 0
}

@test "pool: the master runs above its children, who keep wharfd's own nice" {
	local base want kid cap
	# Started at nice 3 (raising one's own is always allowed), children
	# must come back to 3, not to 0.
	renice -n 3 -p "$BASHPID" >/dev/null
	base=$(nice_of "$BASHPID")
	[ "$base" -gt 0 ]
	start_wharfd --start-children 2 -v
	for kid in $(children); do
		[ "$(nice_of "$kid")" = "$base" ] ||
		    { echo "child $kid at nice $(nice_of "$kid"), not $base"; return 1; }
	done
	want=$((base - 20 < -20 ? -20 : base - 20))
	cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	if grep -q "master at nice $want, children at $base" "$WHARFD_LOG"; then
		[ "$(nice_of "$WHARFD_PID")" = "$want" ] ||
		    { echo "master at nice $(nice_of "$WHARFD_PID"), not $want"; return 1; }
	else
		# Only without CAP_SYS_NICE (bit 23) may it stay (RLIMIT_NICE
		# could still allow the boost: then the branch above).
		! (( (0x$cap >> 23) & 1 )) ||
		    { echo "CAP_SYS_NICE, yet no boost"; return 1; }
		grep -q "master stays at nice $base" "$WHARFD_LOG"
		[ "$(nice_of "$WHARFD_PID")" = "$base" ]
	fi
	# A child forked later (here: a replacement) comes back to it as well.
	kid=$(children | head -1)
	kill -KILL "$kid"
	wait_until 3 eval '[ "$(children | grep -vcx "$kid")" -ge 2 ]'
	for kid in $(children); do
		[ "$(nice_of "$kid")" = "$base" ]
	done
}

# policy_of PID: the scheduling policy, field 41 of /proc/PID/stat
# (counted after the command name, which may hold spaces): 0 SCHED_OTHER,
# 3 SCHED_BATCH, 5 SCHED_IDLE.
policy_of() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $39 }'
}

# started: the status page (--status) lists no child still starting, so
# every child has chosen its policy (child_main does it before it is idle).
started() {
	local json
	json=$(curl -sS --max-time 5 "http://127.0.0.1:$HPORT/.wharf/status") ||
	    return 1
	[[ "$json" == *'"pid":'* && "$json" != *'"state":"starting"'* ]]
}

# policies_are P: every child of the master has policy P.
policies_are() {
	local kid
	for kid in $(children); do
		[ "$(policy_of "$kid")" = "$1" ] ||
		    { echo "child $kid has policy $(policy_of "$kid")"; return 1; }
	done
}

@test "pool: children switch to SCHED_BATCH, the master stays; --no-sched-batch and a policy given at start keep theirs" {
	# The master keeps the policy it was started with: this needs ours.
	[ "$(policy_of "$BASHPID")" = 0 ] || skip "the tests run under policy $(policy_of "$BASHPID")"
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2 --status
	wait_for_children 2 5
	wait_until 10 policies_are 3
	[ "$(policy_of "$WHARFD_PID")" = 0 ]
	# A child holding a client is still SCHED_BATCH, and it serves.
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$WPORT"
	IFS= read -r -t 5 -u "$fd" line
	[[ "$line" == "220 "* ]]
	policies_are 3
	printf 'QUIT\r\n' >&"$fd"
	exec {fd}<&-
	stop_wharfd

	start_wharfd --start-children 2 --min-spare 1 --max-spare 2 --status \
	    --no-sched-batch
	wait_for_children 2 5
	wait_until 10 started
	policies_are 0
	stop_wharfd

	# Started under SCHED_IDLE (chrt -i, as a service manager could):
	# the children keep it rather than trade it for SCHED_BATCH.
	chrt -i 0 true 2>/dev/null || skip "chrt -i is not allowed here"
	WHARFD_WRAP=(chrt -i 0)
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2 --status
	WHARFD_WRAP=()
	wait_for_children 2 20
	wait_until 20 started
	policies_are 5
	[ "$(policy_of "$WHARFD_PID")" = 5 ]
}
