#!/usr/bin/env bats
# t/96-haproxy.bats: two wharfd instances on one store directory behind
# HAProxy (Debian's haproxy, started by hand on free loopback ports, never
# as a service): TCP mode in front of both WHARF/1 ports, HTTP mode in
# front of both HTTP ports, round robin. Concurrent uploads (distinct
# names and one shared name) and downloads through the balancer lose and
# tear nothing, and both backends take part.

load helpers
bats_require_minimum_version 1.5.0

WP=$T_SRCDIR/lib/wp.py

setup() {
	command -v haproxy >/dev/null ||
	    skip "haproxy is not installed (apt-get install haproxy)"
	WORK=$(mktemp -d "$BATS_TEST_TMPDIR/ha.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE"
	start_instance a
	start_instance b
	start_haproxy
}

teardown() {
	local n
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		for n in a b; do
			echo "--- wharfd $n log ---"
			cat "$WORK/wharfd.$n.log" 2>/dev/null
			echo "--- wharfd $n access log (last 20) ---"
			tail -n 20 "$WORK/access.$n.log" 2>/dev/null
		done
		echo "--- haproxy log ---"
		cat "$WORK/haproxy.log" 2>/dev/null
	fi
	stop_pid "${HAPROXY_PID:-}"
	stop_pid "${PID_a:-}"
	stop_pid "${PID_b:-}"
	HAPROXY_PID= PID_a= PID_b=
}

# stop_pid PID: SIGTERM, up to 15 s, then SIGKILL; reaps it.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	wait_until 15 eval "! kill -0 $1 2>/dev/null" || kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

has_children() {
	[ "$(child_count "$1")" -ge 1 ]
}

# start_instance NAME: a writable wharfd on $STORE with its own ports,
# log and access log; sets PID_NAME, WPORT_NAME and HPORT_NAME.
start_instance() {
	local n=$1 pf=$WORK/ports.$1 pid
	"$WHARFD" --root "$STORE" --writable --port 0 --http-port 0 \
	    --listen 127.0.0.1 --port-file "$pf" --max-per-ip 0 \
	    --access-log "$WORK/access.$n.log" \
	    --start-children 4 --min-spare 2 --max-spare 8 \
	    >>"$WORK/wharfd.$n.log" 2>&1 3>&- &
	pid=$!
	printf -v "PID_$n" %s "$pid"
	wait_for_file "$pf" 10 || {
		echo "wharfd $n did not write $pf" >&2
		cat "$WORK/wharfd.$n.log" >&2
		return 1
	}
	printf -v "WPORT_$n" %s "$(awk '$1 == "wharf" { print $2 }' "$pf")"
	printf -v "HPORT_$n" %s "$(awk '$1 == "http" { print $2 }' "$pf")"
	wait_until 10 has_children "$pid"
}

# free_ports N: N loopback ports that were free a moment ago.
free_ports() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

# start_haproxy: haproxy in the foreground (-db) in the background, with
# a generated configuration; sets BW (WHARF/1) and BH (HTTP), the
# balancer's ports, and HAPROXY_PID. A port taken between free_ports and
# haproxy's bind is retried with others.
start_haproxy() {
	local try ports
	for try in 1 2 3 4 5; do
		ports=$(free_ports 2)
		BW=${ports% *}
		BH=${ports#* }
		cat >"$WORK/haproxy.cfg" <<EOF
global
	maxconn 1000

defaults
	timeout connect 5s
	timeout client 60s
	timeout server 60s
	timeout http-request 10s

# WHARF/1: the protocol is not HTTP, so a TCP proxy; each connection goes
# to the next backend.
frontend wharf1
	mode tcp
	bind 127.0.0.1:$BW
	default_backend wharf1_pool

backend wharf1_pool
	mode tcp
	balance roundrobin
	server a 127.0.0.1:$WPORT_a
	server b 127.0.0.1:$WPORT_b

# HTTP: each request goes to the next backend.
frontend http
	mode http
	bind 127.0.0.1:$BH
	default_backend http_pool

backend http_pool
	mode http
	balance roundrobin
	server a 127.0.0.1:$HPORT_a
	server b 127.0.0.1:$HPORT_b
EOF
		haproxy -c -q -f "$WORK/haproxy.cfg" >>"$WORK/haproxy.log" 2>&1 || {
			cat "$WORK/haproxy.log" >&2
			return 1
		}
		haproxy -f "$WORK/haproxy.cfg" -db >>"$WORK/haproxy.log" 2>&1 3>&- &
		HAPROXY_PID=$!
		if wait_until 10 balancer_up; then
			return 0
		fi
		stop_pid "$HAPROXY_PID"
		HAPROXY_PID=
	done
	echo "haproxy did not start" >&2
	cat "$WORK/haproxy.log" >&2
	return 1
}

balancer_up() {
	kill -0 "$HAPROXY_PID" 2>/dev/null &&
	    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$BH/" &&
	    python3 "$WP" "$BW" cmd >/dev/null 2>&1
}

# sha FILE: its SHA-256.
sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# hput FILE NAME / hget NAME FILE: HTTP through the balancer.
hput() {
	curl -sS --fail --max-time 60 -T "$1" "http://127.0.0.1:$BH/$2"
}
hget() {
	curl -sS --fail --max-time 60 -o "$2" "http://127.0.0.1:$BH/$1"
}

# wput FILE NAME / wget_ NAME FILE: WHARF/1 through the balancer, with the
# tests' own client (t/lib/wp.py), not wharf.
wput() {
	timeout 60 python3 "$WP" "$BW" put "$2" "$1"
}
wget_() {
	timeout 60 python3 "$WP" "$BW" get "$1" "$2"
}

# http_lines LOG / wharf_lines LOG: requests of each protocol in an
# access log, by the protocol in the request field ("PUT /x HTTP/1.1",
# "PUT /x WHARF/1").
http_lines() {
	grep -c '^[^"]*"[A-Z]* [^ ]* HTTP/1\.[01]"' "$1" || true
}
wharf_lines() {
	grep -c '^[^"]*"[A-Z]* [^ ]* WHARF/1"' "$1" || true
}

@test "haproxy: both protocols pass through the balancer to both backends" {
	local i
	echo "hello through haproxy" >"$WORK/hello.txt"
	hput "$WORK/hello.txt" hello.txt
	cmp "$WORK/hello.txt" "$STORE/hello.txt"
	# Every request, whichever backend answers, sees the same store.
	for i in 1 2 3 4 5 6; do
		hget hello.txt "$WORK/h.$i"
		cmp "$WORK/hello.txt" "$WORK/h.$i"
		wget_ hello.txt "$WORK/w.$i"
		cmp "$WORK/hello.txt" "$WORK/w.$i"
	done
	run curl -sS --fail "http://127.0.0.1:$BH/?json"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello.txt* ]]
	# The client under test through the balancer, too.
	run timeout 60 "$WHARF" -H 127.0.0.1 -p "$BW" ls 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello.txt* ]]
	# A delete through one backend is seen through the other.
	curl -sS --fail -X DELETE "http://127.0.0.1:$BH/hello.txt"
	for i in 1 2; do
		run curl -s -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$BH/hello.txt"
		[ "$output" = 404 ]
	done
	# Round robin: each backend took requests of each protocol.
	for i in a b; do
		echo "access.$i: $(http_lines "$WORK/access.$i.log") HTTP," \
		    "$(wharf_lines "$WORK/access.$i.log") WHARF/1"
		[ "$(http_lines "$WORK/access.$i.log")" -ge 2 ]
		[ "$(wharf_lines "$WORK/access.$i.log")" -ge 2 ]
	done
}

@test "haproxy: concurrent uploads and downloads lose and tear nothing" {
	local i j k pids=() fail=0 in=$WORK/in out=$WORK/out f name
	mkdir -p "$in" "$out"
	# Distinct files, 10 for each protocol, of sizes from 1 KiB to ~2 MiB;
	# six versions of one shared name, and the version there at first.
	for i in $(seq 10); do
		head -c $((1024 + RANDOM * 64)) /dev/urandom >"$in/h$i.bin"
		head -c $((1024 + RANDOM * 64)) /dev/urandom >"$in/w$i.bin"
	done
	for j in 0 1 2 3 4 5 6; do
		head -c $((1024 * 1024 + RANDOM * 32)) /dev/urandom >"$in/s$j.bin"
	done
	for j in 0 1 2 3 4 5 6; do
		sha "$in/s$j.bin"
	done >"$WORK/shared.sums"
	hput "$in/s0.bin" shared.bin
	mkdir -p "$STORE/sub"

	for i in $(seq 10); do
		hput "$in/h$i.bin" "sub/h$i.bin" >"$out/hput.$i" 2>&1 &
		pids+=($!)
		wput "$in/w$i.bin" "sub/w$i.bin" >"$out/wput.$i" 2>&1 &
		pids+=($!)
	done
	for j in 1 2 3 4 5 6; do
		if [ $((j % 2)) -eq 1 ]; then
			hput "$in/s$j.bin" shared.bin >"$out/sput.$j" 2>&1 &
		else
			wput "$in/s$j.bin" shared.bin >"$out/sput.$j" 2>&1 &
		fi
		pids+=($!)
	done
	# Readers of the shared name while it is being replaced.
	for k in 1 2 3 4; do
		(
			for j in $(seq 8); do
				if [ $((k % 2)) -eq 1 ]; then
					hget shared.bin "$out/read.$k.$j" || exit 1
				else
					wget_ shared.bin "$out/read.$k.$j" \
					    >/dev/null || exit 1
				fi
			done
		) >"$out/reader.$k" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail=$((fail + 1))
	done
	if [ "$fail" -ne 0 ]; then
		head -n 5 "$out"/*
	fi
	[ "$fail" -eq 0 ]

	# Every distinct file is there, whole, in the store and through the
	# balancer by the other protocol.
	for i in $(seq 10); do
		[ "$(sha "$STORE/sub/h$i.bin")" = "$(sha "$in/h$i.bin")" ]
		[ "$(sha "$STORE/sub/w$i.bin")" = "$(sha "$in/w$i.bin")" ]
		wget_ "sub/h$i.bin" "$out/back.h$i" >/dev/null
		cmp "$in/h$i.bin" "$out/back.h$i"
		hget "sub/w$i.bin" "$out/back.w$i"
		cmp "$in/w$i.bin" "$out/back.w$i"
	done
	# The shared name is one of the uploads, whole; every read saw one
	# whole version (the first one, or an upload).
	grep -qx "$(sha "$STORE/shared.bin")" <(sed -n '2,$p' "$WORK/shared.sums")
	for f in "$out"/read.*; do
		grep -qx "$(sha "$f")" "$WORK/shared.sums" || {
			echo "torn read: $f"
			false
		}
	done
	[ "$(ls "$out"/read.* | wc -l)" -eq 32 ]
	# Nothing left behind: no temporary or partial upload, and nothing
	# but what was uploaded.
	run find "$STORE" -name '.wharf-*'
	echo "$output"
	[ -z "$output" ]
	[ "$(find "$STORE" -type f | wc -l)" -eq 21 ]
	# Both backends served uploads of each protocol.
	for i in a b; do
		echo "access.$i: $(http_lines "$WORK/access.$i.log") HTTP," \
		    "$(wharf_lines "$WORK/access.$i.log") WHARF/1"
		grep -q '"PUT /sub/h[0-9]*\.bin HTTP/1\.1" 20[14] ' \
		    "$WORK/access.$i.log"
		grep -q '"PUT /sub/w[0-9]*\.bin WHARF/1" 226 ' \
		    "$WORK/access.$i.log"
	done
}
