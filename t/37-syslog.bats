#!/usr/bin/env bats
# t/37-syslog.bats: --syslog. wharfd runs in a private mount namespace
# whose /dev/log is a stand-in syslog daemon (t/ops/syslog-ns and
# t/ops/syslog_sink.py) that writes every message it gets to a file: the
# master's and the children's lines arrive there with facility daemon
# and the right priority, tagged wharfd[PID], and not on stderr; they
# keep arriving across SIGUSR1 and SIGHUP; and with nothing listening on
# /dev/log, wharfd says so at start-up.

load helpers
bats_require_minimum_version 1.5.0

REAL_WHARFD=$WHARFD
export REAL_WHARFD

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace"
	unshare --mount true 2>/dev/null ||
	    skip "unshare --mount is not permitted here"
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	SYSLOG_OUT=$WORK/syslog
	export SYSLOG_OUT
	: >"$SYSLOG_OUT"
	WHARFD=$T_SRCDIR/ops/syslog-ns
}

# logged PRI TEXT: a message with priority <PRI> whose text contains TEXT.
logged() {
	grep -F "$2" "$SYSLOG_OUT" | grep -q "^<$1>"
}

@test "syslog: master and children log to /dev/log as facility daemon, tagged wharfd[pid], not to stderr" {
	start_wharfd --syslog -v
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/nothing"
	[ "$output" = 404 ]
	# daemon (3) * 8 + info (6) = 30, + debug (7) = 31
	wait_until 5 logged 30 "wharfd[$WHARFD_PID]: master: serving"
	wait_until 5 logged 31 ": child "
	grep -E "^<31>.* wharfd\[[0-9]+\]: child [0-9]+: debug: connection from 127\.0\.0\.1:" \
	    "$SYSLOG_OUT"
	# The child's own pid in the tag, not the master's.
	run ! grep -q "wharfd\[$WHARFD_PID\]: child" "$SYSLOG_OUT"
	run ! grep -q "master: serving" "$WHARFD_LOG"
	cat "$SYSLOG_OUT"
}

@test "syslog: warnings are priority warning; lines keep arriving after USR1 and HUP" {
	start_wharfd --syslog
	kill -USR1 "$WHARFD_PID"
	kill -HUP "$WHARFD_PID"
	run curl -s "http://127.0.0.1:$HPORT/"
	[ "$status" -eq 0 ]
	# A child killed by a signal is a warning: daemon * 8 + warning (4).
	# (The stand-in syslog daemon is a child of the master too.)
	# The newest child: the old generation may still be leaving after HUP,
	# and one of them can be gone before the kill.
	local i killed=0
	for i in $(seq 20); do
		if victim=$(pgrep -n -x -P "$WHARFD_PID" wharfd) &&
		    kill -KILL "$victim" 2>/dev/null; then
			killed=1
			break
		fi
		sleep 0.1
	done
	[ "$killed" = 1 ]
	wait_until 5 logged 28 "master: child $victim killed by signal 9" ||
	    { cat "$SYSLOG_OUT"; false; }
	cat "$SYSLOG_OUT"
}

@test "syslog: with nothing listening on /dev/log, wharfd says so at start-up and serves" {
	SYSLOG_OUT=
	start_wharfd --syslog
	grep -F -- "--syslog: /dev/log: No such file or directory: no syslog daemon listens there" \
	    "$WHARFD_LOG"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/"
	[ "$output" = 200 ]
}
