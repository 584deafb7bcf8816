#!/usr/bin/env bats
# t/30-signals.bats: the master's signals: SIGHUP restarts the children
# without refusing or breaking a connection; SIGTERM and SIGINT close
# idle sessions with 421, let busy ones finish within --grace, and exit
# 0 leaving no child behind; a master killed with SIGKILL takes its
# children with it.

load helpers
bats_require_minimum_version 1.5.0

# Keep the helpers' teardown; stop the client loops first.
eval "helpers_$(declare -f teardown)"
teardown() {
	local pid
	for pid in ${LOOPS:-}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	LOOPS=
	helpers_teardown
}

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# alive PID: the process exists and is not a zombie.
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# leftovers: every process of this daemon, master or child, whoever its
# parent is now (children are forked, not exec'd: same command line).
leftovers() {
	pgrep -f "root $STORE " || true
}

# master_exit SECONDS: wait for the master to end; sets $master_status.
master_exit() {
	wait_until "$1" eval '! alive "$WHARFD_PID"' ||
	    { echo "master $WHARFD_PID still running"; return 1; }
	master_status=0
	wait "$WHARFD_PID" || master_status=$?
	WHARFD_PID=
}

# one_session: connect, greeting, QUIT, 221. Fails with a reason.
one_session() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$WPORT" 2>/dev/null ||
	    { echo "connect failed"; return 1; }
	IFS= read -r -t 5 -u "$fd" line ||
	    { echo "no greeting"; exec {fd}<&-; return 1; }
	[[ "$line" == "220 "* ]] ||
	    { echo "greeting: $line"; exec {fd}<&-; return 1; }
	printf 'QUIT\r\n' >&"$fd" 2>/dev/null ||
	    { echo "write failed"; exec {fd}<&-; return 1; }
	IFS= read -r -t 5 -u "$fd" line ||
	    { echo "no reply to QUIT"; exec {fd}<&-; return 1; }
	exec {fd}<&-
	[[ "$line" == "221 "* ]] || { echo "QUIT: $line"; return 1; }
}

# client_loop N FILE: N sessions one after another, a line each in FILE.
client_loop() {
	local i why
	for ((i = 1; i <= $1; i++)); do
		if why=$(one_session); then
			echo ok
		else
			echo "fail $i: $why"
		fi
	done >>"$2"
}

done_count() {
	cat "$BATS_TEST_TMPDIR"/results.* 2>/dev/null | wc -l
}

# open_session: connect on fd $S and read the greeting.
open_session() {
	local line
	exec {S}<>"/dev/tcp/127.0.0.1/$WPORT"
	IFS= read -r -t 5 -u "$S" line
	[[ "$line" == "220 "* ]]
}

# half_http: connect to the HTTP port on fd $H, send half a header and
# wait until a child has read it: it is then busy reading a request, no
# longer waiting idle for one.
half_http() {
	exec {H}<>"/dev/tcp/127.0.0.1/$HPORT"
	printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' >&"$H"
	wait_until 5 server_has_read "$HPORT"
}

# server_has_read PORT: the server's end of an established connection on
# PORT has an empty receive queue (/proc/net/tcp, column tx:rx queue).
server_has_read() {
	awk -v port=":$(printf '%04X' "$1")" '
	    substr($2, length($2) - 4) == port && $4 == "01" {
		split($5, q, ":")
		if (q[2] ~ /^0+$/) ok = 1
	    }
	    END { exit !ok }' /proc/net/tcp
}

@test "signals: SIGHUP three times during 200 sessions: not one fails" {
	start_wharfd --start-children 4 --min-spare 2 --max-spare 6 -v
	LOOPS=
	client_loop 100 "$BATS_TEST_TMPDIR/results.a" 3>&- &
	LOOPS="$LOOPS $!"
	client_loop 100 "$BATS_TEST_TMPDIR/results.b" 3>&- &
	LOOPS="$LOOPS $!"
	for n in 40 90 140; do
		wait_until 30 eval '[ "$(done_count)" -ge $n ]'
		kill -HUP "$WHARFD_PID"
		echo "SIGHUP after $(done_count) sessions"
	done
	for pid in $LOOPS; do
		wait "$pid"
	done
	LOOPS=
	cat "$BATS_TEST_TMPDIR"/results.* | sort | uniq -c
	[ "$(done_count)" -eq 200 ]
	[ "$(cat "$BATS_TEST_TMPDIR"/results.* | grep -vc '^ok$')" -eq 0 ]
	[ "$(grep -c 'SIGHUP: graceful restart' "$WHARFD_LOG")" -eq 3 ]
	# Still serving afterwards.
	one_session
}

@test "signals: after SIGHUP every child is new within a few seconds" {
	start_wharfd --start-children 3 --min-spare 1 --max-spare 4
	wait_for_children 3 5
	local old pid
	old=$(children)
	kill -HUP "$WHARFD_PID"
	for pid in $old; do
		wait_until 5 eval '! alive "$pid"' ||
		    { echo "old child $pid is still there"; return 1; }
	done
	wait_until 5 eval '[ "$(child_count)" -ge 3 ]'
	for pid in $(children); do
		run ! grep -qx "$pid" <<<"$old"
	done
	one_session
}

@test "signals: SIGHUP lets an old child finish its session before it leaves" {
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2
	open_session
	local line old
	old=$(children)
	kill -HUP "$WHARFD_PID"
	# The new generation is up and serving while the old session lasts.
	wait_until 5 eval '[ -n "$(children | grep -vxF "$old")" ]'
	one_session
	printf 'NOOP\r\n' >&"$S"
	IFS= read -r -t 5 -u "$S" line
	[[ "$line" == "200 "* ]]
	printf 'QUIT\r\n' >&"$S"
	IFS= read -r -t 5 -u "$S" line
	[[ "$line" == "221 "* ]]
	exec {S}<&-
	for pid in $old; do
		wait_until 5 eval '! alive "$pid"'
	done
}

@test "signals: SIGTERM closes an idle session with 421, exits 0, no child left" {
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2 \
	    --grace 10 --pid-file "$BATS_TEST_TMPDIR/pid"
	open_session
	[ -n "$(leftovers)" ]
	local line t0 elapsed
	t0=$(now_ms)
	kill -TERM "$WHARFD_PID"
	IFS= read -r -t 5 -u "$S" line
	[[ "$line" == "421 "* ]]
	# Then closed: end of file, not a time-out.
	run -1 read -r -t 5 -u "$S" line
	exec {S}<&-
	master_exit 5
	elapsed=$(($(now_ms) - t0))
	echo "stopped after $elapsed ms"
	[ "$master_status" -eq 0 ]
	# Idle sessions do not hold the stop up for the grace period.
	[ "$elapsed" -lt 4000 ]
	[ -z "$(leftovers)" ]
	[ ! -e "$BATS_TEST_TMPDIR/pid" ]
	[ ! -e "$PORT_FILE" ]
	grep -q 'SIGTERM: stopping' "$WHARFD_LOG"
}

@test "signals: SIGTERM lets a busy request finish, then exits 0" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --grace 10 --header-timeout 30
	half_http
	kill -TERM "$WHARFD_PID"
	wait_until 5 grep -q 'SIGTERM: stopping; 1 connection' "$WHARFD_LOG"
	alive "$WHARFD_PID"
	printf '\r\n' >&"$H"
	local reply
	reply=$(timeout 5 cat <&"$H" | tr -d '\r')
	exec {H}<&-
	echo "$reply"
	[[ "$reply" =~ ^HTTP/1.1\ [1-5][0-9][0-9]\  ]]
	master_exit 3
	[ "$master_status" -eq 0 ]
	[ -z "$(leftovers)" ]
}

@test "signals: SIGTERM with a request stuck past --grace 2: killed at 2 s, exit 0" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --grace 2 --header-timeout 30
	half_http
	local t0 elapsed reply
	t0=$(now_ms)
	kill -TERM "$WHARFD_PID"
	master_exit 10
	elapsed=$(($(now_ms) - t0))
	echo "stopped after $elapsed ms"
	[ "$master_status" -eq 0 ]
	[ "$elapsed" -ge 1500 ]
	[ "$elapsed" -lt 7000 ]
	# The request was cut, not answered.
	reply=$(timeout 5 cat <&"$H" 2>/dev/null || true)
	exec {H}<&-
	[ -z "$reply" ]
	[ -z "$(leftovers)" ]
	grep -q 'grace period over: killing 1 child' "$WHARFD_LOG"
}

@test "signals: SIGINT stops like SIGTERM: 421 to idle sessions, exit 0" {
	start_wharfd --start-children 2 --min-spare 1 --max-spare 2 --grace 10
	open_session
	local line
	kill -INT "$WHARFD_PID"
	IFS= read -r -t 5 -u "$S" line
	[[ "$line" == "421 "* ]]
	exec {S}<&-
	master_exit 5
	[ "$master_status" -eq 0 ]
	[ -z "$(leftovers)" ]
	grep -q 'SIGINT: stopping' "$WHARFD_LOG"
}

@test "signals: a second SIGINT ends the grace period at once" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --grace 30 --header-timeout 30
	half_http
	local t0 elapsed
	t0=$(now_ms)
	kill -INT "$WHARFD_PID"
	wait_until 5 grep -q 'SIGINT: stopping; 1 connection' "$WHARFD_LOG"
	alive "$WHARFD_PID"
	kill -INT "$WHARFD_PID"
	master_exit 5
	elapsed=$(($(now_ms) - t0))
	echo "stopped after $elapsed ms"
	[ "$master_status" -eq 0 ]
	[ "$elapsed" -lt 5000 ]
	exec {H}<&-
	[ -z "$(leftovers)" ]
}

@test "signals: SIGKILL to the master takes every child with it within 2 s" {
	start_wharfd --start-children 3 --min-spare 1 --max-spare 3
	wait_for_children 3 5
	open_session		# one busy child too
	local kids pid
	kids=$(children)
	[ "$(echo "$kids" | wc -l)" -ge 3 ]
	kill -KILL "$WHARFD_PID"
	master_exit 2
	for pid in $kids; do
		wait_until 2 eval '! alive "$pid"' ||
		    { echo "child $pid outlived the master"; return 1; }
	done
	[ -z "$(leftovers)" ]
	# The session's connection is gone with its child.
	local line
	run -1 read -r -t 2 -u "$S" line
	exec {S}<&-
}
