#!/usr/bin/env bats
# t/50-http-basics.bats: the HTTP port's framing and deadlines, whatever
# the handlers behind it do: a complete request gets a whole answer with
# a short text body; oversized, slow and silent requests get 431, 408 and
# a quiet close. Spoken to with curl, Python's http.client and raw sockets.

load helpers

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# http_raw SECONDS: run Python that connects to the HTTP port, sends the
# bytes the remaining Python statements build in `req` (a bytes object),
# with `pause` seconds between the two halves when `half` is set, then
# prints "elapsed_ms", a tab, and the repr of every byte received until
# the server closes.
http_raw() {
	local secs=$1
	shift
	timeout "$((secs + 5))" python3 - "$HPORT" "$secs" <<-EOF
	import socket, sys, time
	port, secs = int(sys.argv[1]), float(sys.argv[2])
	req, half, pause = b"", None, 0
	$*
	s = socket.create_connection(("127.0.0.1", port))
	s.settimeout(secs)
	t0 = time.monotonic()
	s.sendall(req)
	got = b""
	try:
	    while True:
	        b = s.recv(65536)
	        if not b:
	            break
	        got += b
	except socket.timeout:
	    got += b"<timeout>"
	except ConnectionResetError:
	    got += b"<reset>"
	print("%d\t%r" % ((time.monotonic() - t0) * 1000, got))
	EOF
}

# While the HTTP front end is absent every complete request gets 503 and
# Connection: close; once it is there a missing file gets 404. Either way
# the answer is a complete response with a short text body.

@test "http: curl gets a whole text answer (503 with Connection: close, or 404)" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run timeout 10 curl -sS -D "$BATS_TEST_TMPDIR/head" \
	    -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' \
	    "http://127.0.0.1:$HPORT/no-such-file.txt"
	[ "$status" -eq 0 ]
	echo "status $output"
	[[ "$output" == 503 || "$output" == 404 ]]
	tr -d '\r' <"$BATS_TEST_TMPDIR/head" >"$BATS_TEST_TMPDIR/h"
	cat "$BATS_TEST_TMPDIR/h"
	if [ "$output" = 503 ]; then
		grep -qi '^Connection: close$' "$BATS_TEST_TMPDIR/h"
	fi
	grep -qi '^Content-Type: text/plain' "$BATS_TEST_TMPDIR/h"
	local len
	len=$(awk -F': ' 'tolower($1) == "content-length" { print $2 }' \
	    "$BATS_TEST_TMPDIR/h")
	[ "$len" -eq "$(wc -c <"$BATS_TEST_TMPDIR/body")" ]
	[ "$len" -gt 0 ]
	[ "$len" -lt 1024 ]
}

@test "http: Python http.client gets the same whole text answer" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run timeout 10 python3 - "$HPORT" <<-'EOF'
	import http.client, sys
	c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
	c.request("GET", "/no-such-file.txt", headers={"User-Agent": "bats"})
	r = c.getresponse()
	body = r.read()
	print(r.status)
	print(r.getheader("Connection") or "-")
	print(r.getheader("Content-Type"))
	print(len(body) == int(r.getheader("Content-Length")) and len(body) > 0)
	print(r.will_close)
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == 503 || "${lines[0]}" == 404 ]]
	[[ "${lines[2]}" == text/plain* ]]
	[ "${lines[3]}" = True ]
	if [ "${lines[0]}" = 503 ]; then
		[ "${lines[1],,}" = close ]
		[ "${lines[4]}" = True ]
	fi
}

@test "http: two requests in a row are both answered" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run timeout 10 curl -sS -w '%{http_code}\n' \
	    -o /dev/null "http://127.0.0.1:$HPORT/a" \
	    -o /dev/null "http://127.0.0.1:$HPORT/b"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	[[ "${lines[0]}" == 503 || "${lines[0]}" == 404 ]]
}

@test "http: a 20 KiB request header gets 431" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run http_raw 5 'req = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20480 + b"\r\n\r\n"'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"HTTP/1.1 431 "* ]]
	[[ "$output" == *"Connection: close"* ]]
}

@test "http: a header of 15000 bytes is not refused as too large" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run http_raw 5 'req = b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * 15000 + b"\r\n\r\n"'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" =~ $'\t'"b'HTTP/1.1 "[0-9]{3}" " ]]
	[[ "$output" != *"HTTP/1.1 431 "* ]]
}

@test "http: a half-sent header with --header-timeout 1 gets 408 in 1-3 s" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --header-timeout 1
	run http_raw 6 'req = b"GET / HTTP/1.1\r\nHost: x\r\n"'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"HTTP/1.1 408 "* ]]
	local ms=${output%%$'\t'*}
	[ "$ms" -ge 800 ]
	[ "$ms" -lt 3000 ]
}

@test "http: a silent connection is closed after --keepalive-timeout with no bytes" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --keepalive-timeout 1
	run http_raw 6 'req = b""'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${output#*$'\t'}" = "b''" ]
	local ms=${output%%$'\t'*}
	[ "$ms" -ge 800 ]
	[ "$ms" -lt 3000 ]
}

@test "http: the HTTP port answers a WHARF/1 line in HTTP, not with a greeting" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --keepalive-timeout 1
	run http_raw 6 'req = b"QUIT\r\n\r\n"'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" =~ $'\t'"b'HTTP/1.1 "[45][0-9][0-9]" " ]]
	[[ "$output" != *"220 WHARF"* ]]
}

# idle_client SECONDS: in the background, one keep-alive GET of /f, then
# wait for the server to close; writes "got" once the answer is in and
# "closed MS" (ms from the answer to the close) to $BATS_TEST_TMPDIR/idle.
idle_client() {
	timeout "$(($1 + 5))" python3 - "$HPORT" "$1" \
	    >"$BATS_TEST_TMPDIR/idle" 2>&1 <<-'EOF' &
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.settimeout(float(sys.argv[2]))
	s.sendall(b"GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
	got = b""
	while b"\r\n\r\nhi\n" not in got:
	    got += s.recv(4096)
	print("got", flush=True)
	t0 = time.monotonic()
	try:
	    rest = s.recv(4096)
	    print("closed %d %r" % ((time.monotonic() - t0) * 1000, rest))
	except socket.timeout:
	    print("timeout")
	EOF
	IDLE_PID=$!
	wait_until 5 grep -q '^got' "$BATS_TEST_TMPDIR/idle"
}

# syscall_of PID: the number of the system call PID is blocked in.
syscall_of() {
	cut -d' ' -f1 "/proc/$1/syscall"
}

# nr NAME: a system call's number on this machine.
nr() {
	printf '#include <sys/syscall.h>\nSYS_%s\n' "$1" | cpp -P | tail -1
}

# in_recvfrom: one of the master's children is blocked in recvfrom.
in_recvfrom() {
	local pid want
	want=$(nr recvfrom)
	for pid in $(children); do
		[ "$(syscall_of "$pid" 2>/dev/null)" = "$want" ] && return 0
	done
	return 1
}

@test "keep-alive: the wait for the next request is one blocking read, closed after --keepalive-timeout 3" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --keepalive-timeout 3
	echo hi >"$STORE/f"
	idle_client 10
	# The child serving it (not idle in the accept loop) waits in
	# recvfrom, not ppoll: one system call a request, not two.
	wait_until 5 in_recvfrom
	wait "$IDLE_PID"
	cat "$BATS_TEST_TMPDIR/idle"
	# Several one-second reads make up the deadline: not one, not
	# forever.
	local ms
	ms=$(awk '$1 == "closed" { print $2 }' "$BATS_TEST_TMPDIR/idle")
	grep -q "^closed [0-9]* b''" "$BATS_TEST_TMPDIR/idle"
	[ "$ms" -ge 2500 ]
	[ "$ms" -lt 5000 ]
}

@test "keep-alive: SIGTERM ends an idle HTTP connection at once and the master exits" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --keepalive-timeout 60 --grace 30
	echo hi >"$STORE/f"
	idle_client 20
	kill -TERM "$WHARFD_PID"
	wait "$IDLE_PID"
	cat "$BATS_TEST_TMPDIR/idle"
	grep -q "^closed [0-9]* b''" "$BATS_TEST_TMPDIR/idle"
	[ "$(awk '$1 == "closed" { print $2 }' "$BATS_TEST_TMPDIR/idle")" \
	    -lt 2000 ]
	wait_until 5 sh -c "! kill -0 $WHARFD_PID 2>/dev/null"
}

@test "keep-alive: with the pool full, an idle HTTP connection makes way for a queued client" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --max-children 1 --keepalive-timeout 60
	echo hi >"$STORE/f"
	idle_client 20
	run timeout 15 curl -sS "http://127.0.0.1:$HPORT/f"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	wait "$IDLE_PID"
	cat "$BATS_TEST_TMPDIR/idle"
	grep -q "^closed [0-9]* b''" "$BATS_TEST_TMPDIR/idle"
	[ "$(awk '$1 == "closed" { print $2 }' "$BATS_TEST_TMPDIR/idle")" \
	    -lt 10000 ]
}
