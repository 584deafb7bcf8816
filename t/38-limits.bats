#!/usr/bin/env bats
# t/38-limits.bats: limits that keep one greedy client from taking the
# pool: --max-per-ip on both protocols, and idle connections dropped
# first when the pool is full and a client waits.

load helpers

# hold_from SRC PORT COUNT OUT: open COUNT connections from source
# address SRC, print the first line each receives, keep them open until
# OUT/release appears.
hold_from() {
	python3 - "$@" <<'PY' &
import os, socket, sys, time
src, port, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
socks, lines = [], []
for _ in range(count):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    socks.append(s)
    time.sleep(0.1)
for s in socks:
    try:
        lines.append(s.recv(200).split(b"\r\n")[0].decode())
    except socket.timeout:
        lines.append("timeout")
open(out + ".tmp", "w").write("\n".join(lines) + "\n")
os.rename(out + ".tmp", out)
for _ in range(300):
    if os.path.exists(out + "/../release"):
        break
    time.sleep(0.05)
PY
}

@test "limits: --max-per-ip refuses the extra WHARF/1 connection with 421, others still served" {
	start_wharfd --max-per-ip 2 --start-children 6 --min-spare 3
	hold_from 127.0.0.1 "$WPORT" 3 "$WORK/a"
	wait_for_file "$WORK/a" 10
	[ "$(grep -c '^220 ' "$WORK/a")" -eq 2 ]
	grep -q '^421 too many connections from your address (limit 2)' "$WORK/a"
	hold_from 127.0.0.2 "$WPORT" 1 "$WORK/b"
	wait_for_file "$WORK/b" 10
	grep -q '^220 ' "$WORK/b"
	touch "$WORK/release"
}

@test "limits: without --max-per-ip one address may hold half of --max-children" {
	start_wharfd --max-children 6 --start-children 6 --min-spare 3
	hold_from 127.0.0.1 "$WPORT" 4 "$WORK/a"
	wait_for_file "$WORK/a" 10
	[ "$(grep -c '^220 ' "$WORK/a")" -eq 3 ]
	grep -q '^421 too many connections from your address (limit 3)' "$WORK/a"
	hold_from 127.0.0.2 "$WPORT" 1 "$WORK/b"
	wait_for_file "$WORK/b" 10
	grep -q '^220 ' "$WORK/b"
	touch "$WORK/release"
}

@test "limits: --max-per-ip answers HTTP with 503 and Retry-After" {
	start_wharfd --max-per-ip 1 --start-children 4 --min-spare 2
	hold_from 127.0.0.1 "$WPORT" 1 "$WORK/a"
	wait_for_file "$WORK/a" 10
	run curl -s -i "http://127.0.0.1:$HPORT/"
	[[ "$output" == *"HTTP/1.1 503"* ]]
	[[ "$output" == *"Retry-After: 5"* ]]
	run curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
	    "http://127.0.0.1:$HPORT/"
	[ "$output" = 200 ]
	touch "$WORK/release"
}

@test "limits: with the pool full, an idle session makes way for a queued client" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --max-children 1
	exec 5<>"/dev/tcp/127.0.0.1/$WPORT"
	IFS= read -r -t 5 line <&5
	[[ "$line" == "220 "* ]]
	# The only child is idle in this session; a second client queues.
	exec 6<>"/dev/tcp/127.0.0.1/$WPORT"
	IFS= read -r -t 5 line <&5
	[[ "$line" == "421 server busy"* ]]
	IFS= read -r -t 5 line <&6
	[[ "$line" == "220 "* ]]
	exec 5<&- 6<&-
}

@test "limits: a slow reader loses its child within a window, a normal one does not" {
	start_wharfd --min-rate 1M --transfer-timeout 2 --start-children 1 \
	    --min-spare 1 --max-spare 1 --max-children 1
	head -c 32M /dev/zero >"$STORE/big"
	python3 - "$WPORT" >"$WORK/slow.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.recv(100)
s.sendall(b"GET big\r\n")
t0 = time.time()
while time.time() - t0 < 12:
    if not s.recv(4096):
        break
    time.sleep(0.05)
PY
	slow=$!
	# The only child serves the slow reader until --min-rate or the
	# transfer deadline ends it; then a normal client gets that child.
	wait_until 15 grep -Eq "slower than --min-rate|GET big: Connection timed out" "$WHARFD_LOG"
	run timeout 60 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" get big "$WORK/out"
	[ "$status" -eq 0 ]
	cmp "$STORE/big" "$WORK/out"
	kill "$slow" 2>/dev/null || true
	wait "$slow" 2>/dev/null || true
}

@test "limits: a slow uploader is cut off by --min-rate and nothing appears" {
	start_wharfd --writable --min-rate 100K --transfer-timeout 2
	run timeout 60 python3 - "$WPORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(100)
s.sendall(b"PUT slow size=1000000\r\n")
s.recv(100)
t0 = time.time()
try:
    while time.time() - t0 < 30:
        s.sendall(b"x" * 100)
        time.sleep(0.1)
        s.setblocking(False)
        try:
            if s.recv(100) == b"":
                break
        except BlockingIOError:
            pass
        s.setblocking(True)
except OSError:
    pass
print("elapsed %.0f" % (time.time() - t0))
PY
	[[ "$output" == "elapsed "* ]]
	[ "${output#elapsed }" -lt 20 ]
	[ ! -e "$STORE/slow" ]
	grep -q "slower than --min-rate" "$WHARFD_LOG"
}
