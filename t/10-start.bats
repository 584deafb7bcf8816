#!/usr/bin/env bats
# t/10-start.bats: what wharfd does when it starts and around its files:
# the port file, --port off, --listen (IPv6, several addresses), the pid
# file, --daemon, --log-file with its process prefixes, SIGUSR1 log
# rotation, and escaping of client bytes in the log.

load helpers
bats_require_minimum_version 1.5.0

# Keep the helpers' teardown and stop a detached daemon first, if any.
eval "helpers_$(declare -f teardown)"
teardown() {
	if [ -n "${DAEMON_PID:-}" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
	fi
	DAEMON_PID=
	helpers_teardown
}

new_work() {
	WORK=$(mktemp -d "$BATS_TEST_TMPDIR/wharf.XXXXXX")
}

# alive PID: the process exists and is not a zombie.
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# greets HOST PORT: a WHARF/1 greeting arrives from HOST:PORT.
greets() {
	local fd line
	exec {fd}<>"/dev/tcp/$1/$2" || return 1
	IFS= read -r -t 5 -u "$fd" line
	printf 'QUIT\r\n' >&"$fd"
	exec {fd}<&-
	[[ "$line" == "220 WHARF/1 "* ]]
}

# http_answers URL: an HTTP response of any status comes from URL.
http_answers() {
	local code
	code=$(timeout 10 curl -gsS -o /dev/null -w '%{http_code}' "$1") ||
	    return 1
	[[ "$code" =~ ^[1-5][0-9][0-9]$ ]]
}

can_bind() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))' "$1" 2>/dev/null
}

@test "start: the port file has exactly 'wharf N' and 'http N' of live ports" {
	new_work
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	cat "$PORT_FILE"
	[ "$(wc -l <"$PORT_FILE")" -eq 2 ]
	[[ "$(sed -n 1p "$PORT_FILE")" =~ ^wharf\ [1-9][0-9]*$ ]]
	[[ "$(sed -n 2p "$PORT_FILE")" =~ ^http\ [1-9][0-9]*$ ]]
	[ "$WPORT" -ne "$HPORT" ]
	greets 127.0.0.1 "$WPORT"
	http_answers "http://127.0.0.1:$HPORT/"
	# Written atomically: no temporary file is left beside it.
	local others=("$PORT_FILE".*)
	[ ! -e "${others[0]}" ]
}

@test "start: --port off writes only the http line and serves HTTP" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 --port off
	cat "$PORT_FILE"
	[ "$(wc -l <"$PORT_FILE")" -eq 1 ]
	[[ "$(cat "$PORT_FILE")" =~ ^http\ [1-9][0-9]*$ ]]
	[ -z "$WPORT" ]
	http_answers "http://127.0.0.1:$HPORT/"
	run ! grep -q WHARF/1 "$WHARFD_LOG"
}

@test "start: --http-port off writes only the wharf line and serves WHARF/1" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --http-port off
	[ "$(wc -l <"$PORT_FILE")" -eq 1 ]
	[[ "$(cat "$PORT_FILE")" =~ ^wharf\ [1-9][0-9]*$ ]]
	[ -z "$HPORT" ]
	greets 127.0.0.1 "$WPORT"
}

@test "start: --listen ::1 serves both protocols over IPv6" {
	can_bind ::1 || skip "no IPv6 on the loopback"
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --listen ::1
	grep -q "listening for WHARF/1 on ::1 port $WPORT" "$WHARFD_LOG"
	run timeout 10 "$WHARF" -H ::1 -p "$WPORT" ping
	[ "$status" -eq 0 ]
	[[ "$output" == *"220"* || "$output" == *"WHARF/1"* ]]
	http_answers "http://[::1]:$HPORT/"
	greets 127.0.0.1 "$WPORT"
}

@test "start: two --listen addresses both answer, a third does not" {
	can_bind 127.0.0.2 || skip "127.0.0.2 is not usable here"
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --listen 127.0.0.2
	greets 127.0.0.1 "$WPORT"
	greets 127.0.0.2 "$WPORT"
	http_answers "http://127.0.0.1:$HPORT/"
	http_answers "http://127.0.0.2:$HPORT/"
	if can_bind 127.0.0.3; then
		run ! timeout 5 bash -c "exec 9<>/dev/tcp/127.0.0.3/$WPORT"
	fi
}

@test "start: --pid-file holds the master's pid and is removed on stop" {
	new_work
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --pid-file "$WORK/wharfd.pid"
	[ "$(cat "$WORK/wharfd.pid")" = "$WHARFD_PID" ]
	[ "$(wc -l <"$WORK/wharfd.pid")" -eq 1 ]
	stop_wharfd
	[ ! -e "$WORK/wharfd.pid" ]
	[ ! -e "$PORT_FILE" ]
}

@test "start: --daemon detaches into its own session and stops on SIGTERM" {
	new_work
	WAIT_CHILDREN=0 start_wharfd --start-children 2 --min-spare 1 \
	    --max-spare 2 --daemon --pid-file "$WORK/wharfd.pid" \
	    --log-file "$WORK/daemon.log"
	# The process we started exits 0 once the daemon is on its own.
	run wait "$WHARFD_PID"
	[ "$status" -eq 0 ]
	wait_for_file "$WORK/wharfd.pid" 10
	DAEMON_PID=$(cat "$WORK/wharfd.pid")
	WHARFD_LOG=$WORK/daemon.log
	[ "$DAEMON_PID" != "$WHARFD_PID" ]
	alive "$DAEMON_PID"
	local ppid sid
	ppid=$(awk '{ print $4 }' "/proc/$DAEMON_PID/stat")
	sid=$(awk '{ print $6 }' "/proc/$DAEMON_PID/stat")
	[ "$ppid" != "$BASHPID" ]
	[ "$ppid" != "$$" ]
	[ "$sid" = "$DAEMON_PID" ]
	[ "$(readlink "/proc/$DAEMON_PID/fd/0")" = /dev/null ]
	[ "$(readlink "/proc/$DAEMON_PID/fd/1")" = /dev/null ]
	wait_until 10 eval '[ "$(child_count "$DAEMON_PID")" -ge 2 ]'
	greets 127.0.0.1 "$WPORT"
	grep -q "as a daemon" "$WORK/daemon.log"

	local kids
	kids=$(children "$DAEMON_PID")
	kill -TERM "$DAEMON_PID"
	wait_until 15 eval '! alive "$DAEMON_PID"'
	for pid in $kids; do
		wait_until 5 eval '! alive "$pid"'
	done
	[ ! -e "$WORK/wharfd.pid" ]
	DAEMON_PID=
}

@test "start: --log-file gets the lines, prefixed 'master' or 'child PID'" {
	new_work
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 -v \
	    --log-file "$WORK/file.log"
	local stderr_log=$WHARFD_LOG
	WHARFD_LOG=$WORK/file.log
	run timeout 10 "$WHARF" -H 127.0.0.1 -p "$WPORT" ping
	[ "$status" -eq 0 ]
	wait_until 5 grep -q 'connection from' "$WORK/file.log"
	local logged
	logged=$(sed -nE 's/^[0-9TZ:-]+ child ([0-9]+): .*connection from.*/\1/p' \
	    "$WORK/file.log" | sort -u)
	[ -n "$logged" ]
	for pid in $logged; do
		children | grep -qx "$pid" ||
		    { echo "child $pid is not a child of the master"; return 1; }
	done
	# SIGUSR1 reopens in the master, which then replaces the children.
	kill -USR1 "$WHARFD_PID"
	wait_until 5 grep -q 'master: SIGUSR1: logs reopened' "$WORK/file.log"
	cat "$WORK/file.log"
	# Nothing went to stderr.
	[ ! -s "$stderr_log" ]
	grep -qE '^[0-9TZ:-]+ master: ' "$WORK/file.log"
	# Every line, start-up included, has a time stamp and a process.
	run ! grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z (master|child [0-9]+): ' \
	    "$WORK/file.log"
}

# ping_lands_in FILE: one ping, then a child's line for it is in FILE.
ping_lands_in() {
	local before
	before=$(grep -c "connection from" "$1" || true)
	timeout 10 "$WHARF" -q -H 127.0.0.1 -p "$WPORT" ping || return 1
	[ "$(grep -c "child [0-9]*: .*connection from" "$1" || true)" -gt "$before" ]
}

@test "start: SIGUSR1 after a rename makes master and children log to a new file" {
	new_work
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2 -v \
	    --log-file "$WORK/file.log"
	WHARFD_LOG=$WORK/file.log
	ping_lands_in "$WORK/file.log"
	mv "$WORK/file.log" "$WORK/file.log.1"
	kill -USR1 "$WHARFD_PID"
	wait_until 5 [ -f "$WORK/file.log" ]
	wait_until 5 grep -q 'master: SIGUSR1: logs reopened' "$WORK/file.log"
	# A child picks the signal up as it next wakes; allow it a moment.
	wait_until 5 ping_lands_in "$WORK/file.log"
	run ! grep -q 'log reopened' "$WORK/file.log.1"
	grep -q 'connection from' "$WORK/file.log.1"
	[ "$(stat -c %i "$WORK/file.log")" != "$(stat -c %i "$WORK/file.log.1")" ]
}

@test "start: client bytes (ESC, bare CR) are escaped in the log" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 -v
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$WPORT"
	IFS= read -r -t 5 -u "$fd" line
	printf 'HELLO\033[2J\r\nNO\rOP\r\nQUIT\r\n' >&"$fd"
	IFS= read -r -t 5 -u "$fd" line
	[[ "$line" == "500 "* ]]
	IFS= read -r -t 5 -u "$fd" line
	[[ "$line" == "500 "* ]]
	IFS= read -r -t 5 -u "$fd" line
	[[ "$line" == "221 "* ]]
	exec {fd}<&-
	cat "$WHARFD_LOG"
	grep -qF 'HELLO\x1b[2J' "$WHARFD_LOG"
	grep -qF 'NO\x0dOP' "$WHARFD_LOG"
	run ! grep -q $'\033' "$WHARFD_LOG"
	run ! grep -q $'\r' "$WHARFD_LOG"
}
