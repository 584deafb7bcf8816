#!/usr/bin/env bats
# t/36-socket-activation.bats: wharfd serving on sockets passed the
# systemd way (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES), through
# systemd-socket-activate.

load helpers

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

activate() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE"
	printf 'hello\n' >"$STORE/a.txt"
	WHARFD_LOG=$WORK/wharfd.log
	WPORT=$(free_port)
	HPORT=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$WPORT" -l "127.0.0.1:$HPORT" \
	    "$@" "$WHARFD" --root "$STORE" >>"$WHARFD_LOG" 2>&1 3>&- &
	WHARFD_PID=$!
}

setup() {
	command -v systemd-socket-activate >/dev/null ||
	    skip "systemd-socket-activate not installed (Debian: systemd)"
}

@test "activation: named sockets serve WHARF/1 and HTTP" {
	activate --fdname=wharf:http
	wait_until 10 nc -z 127.0.0.1 "$WPORT"
	run wharf_raw "STAT a.txt" QUIT
	[[ "$output" == *"200 f 6 "* ]]
	run curl -s "http://127.0.0.1:$HPORT/a.txt"
	[ "$output" = hello ]
	grep -q "WHARF/1 on 127.0.0.1 port $WPORT (systemd)" "$WHARFD_LOG"
	grep -q "HTTP on 127.0.0.1 port $HPORT (systemd)" "$WHARFD_LOG"
}

@test "activation: without names, the ports say which protocol" {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE"
	WHARFD_LOG=$WORK/wharfd.log
	WPORT=$(free_port)
	HPORT=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$WPORT" -l "127.0.0.1:$HPORT" \
	    "$WHARFD" --root "$STORE" --port "$WPORT" --http-port "$HPORT" \
	    >>"$WHARFD_LOG" 2>&1 3>&- &
	WHARFD_PID=$!
	wait_until 10 nc -z 127.0.0.1 "$WPORT"
	run wharf_raw QUIT
	[[ "$output" == "220 WHARF/1 "* ]]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/"
	[ "$output" = 200 ]
}

@test "activation: a socket of unknown purpose stops wharfd with exit 2" {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	port=$(free_port)
	timeout 20 systemd-socket-activate -l "127.0.0.1:$port" \
	    "$WHARFD" --root "$WORK" >"$WORK/out" 2>&1 3>&- &
	pid=$!
	# systemd-socket-activate starts wharfd on the first connection.
	wait_until 10 grep -q "Listening on" "$WORK/out"
	(exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || true
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 2 ]
	grep -q "is neither --port 2121 nor --http-port 8080" "$WORK/out"
}
