#!/usr/bin/env bats
# t/92-slow-clients.bats: availability under slow and greedy clients, and
# a short soak. Each attack (slowhttptest's slowloris, slow body and slow
# read on the HTTP port; t/slow/slowline.py on the WHARF/1 port) comes
# from 127.0.0.1 while t/slow/probe.py, bound to 127.0.0.2, lists and
# downloads over both protocols: at least 95% of its requests must
# succeed, each within 5 s. The probe judges, not slowhttptest, which
# exits 0 even when the target is down. t/slow/attack.sh runs one attack
# and the probe.
#
# These are the short variants for make check (SLOW_CONNS connections for
# SLOW_SECONDS seconds per attack; 30 s of soak). The long ones, by hand:
#   SLOW_CONNS=1000 SLOW_SECONDS=60 bats t/92-slow-clients.bats
#   make soak                       (300 s; SOAK_SECONDS=N to change)

load helpers

: "${SLOW_CONNS:=400}" "${SLOW_SECONDS:=12}"

# The daemon's defaults, plus --writable (so a slow PUT body is read, not
# refused unread). What makes them hold 1000 attacking connections is
# the default per-address cap, half of --max-children: without it
# (SLOW_FLAGS="--writable --max-per-ip 0") the pool fills, slow bodies
# and slow readers keep their children for a whole --transfer-timeout
# window, and the probe's connections queue behind them.
: "${SLOW_FLAGS:=--writable}"

need_slowhttptest() {
	command -v slowhttptest >/dev/null || {
		echo "slowhttptest not found: the Debian package slowhttptest" \
		    "(bootstrap installs it)"
		return 1
	}
}

# start_target: wharfd with SLOW_FLAGS and a 2 MiB file for the probe to
# download (and the slow readers to read).
start_target() {
	start_wharfd $SLOW_FLAGS
	head -c 2097152 /dev/urandom >"$STORE/probe.bin"
}

# attack KIND: run t/slow/attack.sh KIND against the target; sets
# status and output, and prints the output (shown when the test fails).
attack() {
	run sh "$T_SRCDIR/slow/attack.sh" "$1" "$HPORT" "$WPORT" \
	    "$STORE/probe.bin" "$SLOW_CONNS" "$SLOW_SECONDS" "$WORK/$1"
	echo "$output"
}

# field NAME LINE-PREFIX: the value of NAME=... on the output line that
# starts with LINE-PREFIX.
field() {
	echo "$output" | grep "^$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

@test "slow clients: slowloris on HTTP and a slow line on WHARF/1; a client on 127.0.0.2 still lists and downloads" {
	need_slowhttptest
	start_target
	attack loris
	[ "$status" -eq 0 ]
	# The attack reached the daemon, and the daemon ended its slow lines
	# within the 5 s whole-line deadline (plus slack for a busy machine).
	[ "$(field max_connected 'slowhttptest loris')" -ge 100 ]
	[ "$(field closed 'slowhttptest loris')" -ge 100 ]
	[ "$(field closed slowline)" -ge "$SLOW_CONNS" ]
	life=$(field max_life slowline)
	[ "${life%.*}" -lt 8 ]
	kill -0 "$WHARFD_PID"
}

@test "slow clients: slow PUT bodies; a client on 127.0.0.2 still lists and downloads, and no partial upload shows" {
	need_slowhttptest
	start_target
	attack body
	[ "$status" -eq 0 ]
	[ "$(field max_connected 'slowhttptest body')" -ge 100 ]
	kill -0 "$WHARFD_PID"
	# Once the attackers have gone, their partial uploads go too.
	[ ! -e "$STORE/slow-body.bin" ]
	wait_until 15 sh -c "! ls -A '$STORE' | grep -q '^\.wharf-'"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/"
	[ "$output" = 200 ]
}

@test "slow clients: slow readers; a client on 127.0.0.2 still lists and downloads" {
	need_slowhttptest
	start_target
	attack read
	[ "$status" -eq 0 ]
	[ "$(field max_connected 'slowhttptest read')" -ge 100 ]
	kill -0 "$WHARFD_PID"
	run curl -s -o "$WORK/got" -w '%{http_code}' \
	    "http://127.0.0.1:$HPORT/probe.bin"
	[ "$output" = 200 ]
	cmp "$WORK/got" "$STORE/probe.bin"
}

@test "soak: 30 s of mixed downloads and uploads on both protocols; no failure, master memory and descriptors flat" {
	run sh "$T_SRCDIR/slow/soak.sh" 30
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"soak: 30s requests="*" failures=0 "* ]]
}
