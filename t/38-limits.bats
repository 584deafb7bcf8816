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
