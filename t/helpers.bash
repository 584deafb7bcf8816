# t/helpers.bash: shared by every bats file. Starts wharfd on port 0 in a
# fresh temporary store, reads its real ports from --port-file, stops it
# by pid, and prints its log when a test fails.
#
# Environment (set by make check; defaults for running bats by hand from
# the top of a built tree):
#   WHARFD   the daemon under test     WHARF   the client under test
#   T_SRCDIR this directory

: "${T_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
: "${WHARFD:=$T_SRCDIR/../server/wharfd}"
: "${WHARF:=$T_SRCDIR/../client/wharf}"
export T_SRCDIR WHARFD WHARF

# start_wharfd [wharfd flags...]
# Sets STORE (the served directory, created empty unless already set),
# WPORT, HPORT, WHARFD_PID and WHARFD_LOG. Listens on 127.0.0.1 only.
start_wharfd() {
	WORK=${WORK:-$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")}
	STORE=${STORE:-$WORK/store}
	mkdir -p "$STORE"
	WHARFD_LOG=$WORK/wharfd.log
	PORT_FILE=$WORK/ports
	rm -f "$PORT_FILE"
	# fd 3 closed, or bats waits for the daemon to exit. WHARFD_WRAP: an
	# array, a command that execs it (chrt -i 0): the pid is still its.
	"${WHARFD_WRAP[@]}" "$WHARFD" --root "$STORE" --port 0 --http-port 0 \
	    --listen 127.0.0.1 --port-file "$PORT_FILE" "$@" \
	    >>"$WHARFD_LOG" 2>&1 3>&- &
	WHARFD_PID=$!
	wait_for_file "$PORT_FILE" 10 || {
		echo "wharfd did not write $PORT_FILE" >&2
		cat "$WHARFD_LOG" >&2
		return 1
	}
	WPORT=$(awk '$1 == "wharf" { print $2 }' "$PORT_FILE")
	HPORT=$(awk '$1 == "http" { print $2 }' "$PORT_FILE")
	wait_for_children "${WAIT_CHILDREN:-1}" 10
}

# stop_wharfd: SIGTERM, then wait up to 15 s; SIGKILL what is left.
stop_wharfd() {
	[ -n "${WHARFD_PID:-}" ] || return 0
	if kill -0 "$WHARFD_PID" 2>/dev/null; then
		kill -TERM "$WHARFD_PID" 2>/dev/null || true
		for _ in $(seq 150); do
			kill -0 "$WHARFD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$WHARFD_PID" 2>/dev/null || true
	fi
	wait "$WHARFD_PID" 2>/dev/null || true
	WHARFD_PID=
}

# wait_for_file FILE SECONDS
wait_for_file() {
	local i
	for i in $(seq $(($2 * 20))); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# children [PID]: pids of the master's children, one per line.
children() {
	pgrep -P "${1:-$WHARFD_PID}" 2>/dev/null || true
}

# need_strace: skip when this machine does not let strace trace.
need_strace() {
	strace -o /dev/null -e trace=none true 2>/dev/null ||
	    skip "strace cannot trace processes here (ptrace not permitted)"
}

# tracer_start LOG STRACE-ARGS...: attach strace (output to LOG) and wait
# until every process named with -p is attached.  Sets TRACER and adds it
# to BG (a file whose teardown kills BG); elsewhere a tracer left behind
# ends with the processes it traces, when stop_wharfd stops them.
tracer_start() {
	local log=$1 want
	shift
	want=$(printf '%s\n' "$@" | grep -c '^-p$')
	strace -o "$log" "$@" 2>"$log.err" 3>&- &
	TRACER=$!
	BG="${BG:-} $TRACER"
	wait_until 10 eval \
	    '[ "$(grep -c " attached" "$log.err" 2>/dev/null)" -ge "$want" ]' ||
	    { cat "$log.err"; return 1; }
}

# tracer_stop: detach strace; the processes it traced run on untouched.
tracer_stop() {
	kill -TERM "$TRACER"
	wait "$TRACER" || true
	BG=${BG/ $TRACER/}
}

# nice_of PID: its nice value.
nice_of() {
	ps -o ni= -p "$1" | tr -d ' '
}

# child_count [PID]
child_count() {
	children "$@" | wc -l
}

# wait_for_children N SECONDS: until the master has at least N children.
wait_for_children() {
	local i
	for i in $(seq $(($2 * 20))); do
		[ "$(child_count)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds.
wait_until() {
	local secs=$1 i
	shift
	for i in $(seq $((secs * 20))); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# wharf_raw LINES...: send the lines (CRLF-terminated) to the WHARF/1
# port over bash's /dev/tcp, print every reply line without its CR.
wharf_raw() {
	local line
	exec 5<>"/dev/tcp/127.0.0.1/$WPORT"
	for line in "$@"; do
		printf '%s\r\n' "$line" >&5
	done
	timeout 10 cat <&5 | tr -d '\r'
	exec 5<&- 5>&-
}

# Default teardown: print the daemon's log when the test failed.
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${WHARFD_LOG:-}" ] &&
	    [ -f "$WHARFD_LOG" ]; then
		echo "--- wharfd log ($WHARFD_LOG) ---"
		cat "$WHARFD_LOG"
	fi
	stop_wharfd
	if [ -n "${WORK:-}" ]; then
		chmod -R u+rwx "$WORK" 2>/dev/null || true
		rm -rf "$WORK"
	fi
	WORK= STORE=
}
