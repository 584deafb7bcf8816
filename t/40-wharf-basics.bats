#!/usr/bin/env bats
# t/40-wharf-basics.bats: the WHARF/1 session as seen over a raw socket
# (bash's /dev/tcp, not the client under test): greeting, QUIT, NOOP,
# HELP, reply codes for unknown, planned and malformed commands, the line
# length limit, terminators, pipelining and the two read deadlines.

load helpers

# wopen: connect to the WHARF/1 port on fd $W and read the greeting into
# $reply.
wopen() {
	exec {W}<>"/dev/tcp/127.0.0.1/$WPORT"
	wread
}

# wsend FORMAT [ARGS...]: printf to the connection.
wsend() {
	# shellcheck disable=SC2059
	printf "$@" >&"$W"
}

# wread [SECONDS]: read one reply line into $reply, without its CR. Fails
# on timeout or end of file.
wread() {
	reply=
	IFS= read -r -t "${1:-5}" -u "$W" reply || return 1
	reply=${reply%$'\r'}
}

# weof [SECONDS]: succeed when the server has closed the connection and
# sent nothing more.
weof() {
	local rest rc=0
	IFS= read -r -t "${1:-5}" -u "$W" rest || rc=$?
	[ "$rc" -eq 1 ] && [ -z "$rest" ]
}

wclose() {
	exec {W}<&-
}

# expect CODE: read a reply and check its code.
expect() {
	wread || { echo "no reply (expected $1)"; return 1; }
	[[ "$reply" == "$1 "* ]] ||
	    { echo "expected $1, got: $reply"; return 1; }
}

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

@test "wharf: greeting is '220 WHARF/1 wharfd VERSION ready' with CRLF" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	exec {W}<>"/dev/tcp/127.0.0.1/$WPORT"
	IFS= read -r -t 5 -u "$W" reply
	[[ "$reply" =~ ^220\ WHARF/1\ wharfd\ [0-9]+\.[0-9]+\.[0-9]+\ ready$'\r'$ ]]
	wclose
}

@test "wharf: QUIT gets 221 and the server closes the connection" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	wsend 'QUIT\r\n'
	expect 221
	weof
	wclose
}

@test "wharf: NOOP gets 200, HELP lists HELP NOOP QUIT" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run wharf_raw NOOP HELP QUIT
	[ "${lines[0]%% *}" = 220 ]
	[ "${lines[1]%% *}" = 200 ]
	[[ "${lines[2]}" == "200 "* ]]
	for verb in HELP NOOP QUIT; do
		[[ "${lines[2]}" =~ [\ :,]$verb([\ \;,]|$) ]] ||
		    { echo "HELP does not list $verb"; return 1; }
	done
	[ "${lines[3]}" = "221 bye" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "wharf: verbs are case-insensitive" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run wharf_raw noop Help nOoP quit
	[ "${lines[1]%% *}" = 200 ]
	[[ "${lines[2]}" == "200 commands:"* ]]
	[ "${lines[3]%% *}" = 200 ]
	[ "${lines[4]%% *}" = 221 ]
}

@test "wharf: an unknown verb gets 502 and the session goes on" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	wsend 'FROBNICATE\r\n'
	expect 502
	[[ "$reply" == *FROBNICATE* ]]
	wsend 'NOOP\r\n'
	expect 200
	wclose
}

@test "wharf: every WHARF/1 verb is known: one reply, never 'not a WHARF/1 command'" {
	# Verbs not carried yet get 502 "not available"; carried ones get
	# their own answer to these harmless arguments (no such path, a
	# read-only store, no users): either way one line, and the session
	# goes on.
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	local cmd
	for cmd in "LIST no/such/dir" "GET no/such/file" "PUT no/such/file" \
	    "STAT no/such/file" "DELETE no/such/file" "MKDIR no/such/dir" \
	    "RENAME no/such/a no/such/b" "AUTH nobody secret" "FEAT"; do
		wsend '%s\r\n' "$cmd"
		wread || { echo "$cmd: no reply"; return 1; }
		echo "$cmd -> $reply"
		[[ "$reply" =~ ^[2-5][0-9][0-9]\  ]]
		[[ "$reply" != 500\ * ]]
		[[ "$reply" != *"not a WHARF/1 command"* ]]
		if [[ "$reply" == 502\ * && "$cmd" != AUTH* ]]; then
			[[ "$reply" == *"not available"* ]]
		fi
	done
	wsend 'NOOP\r\n'
	expect 200
	wclose
}

@test "wharf: an empty line gets 500, a doubled or trailing space 501" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	wsend '\r\n'
	expect 500
	wsend 'XYZZY  a\r\n'
	expect 501
	wsend 'XYZZY a \r\n'
	expect 501
	wsend 'NOOP\r\n'
	expect 200
	wclose
}

@test "wharf: a NUL byte, a control byte or a digit in the verb gets 500" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	wsend 'NO\0OP\r\n'
	expect 500
	wsend 'NOOP\033[2J\r\n'
	expect 500
	wsend 'NO0P\r\n'
	expect 500
	wsend 'NOOP\r\n'
	expect 200
	wclose
}

@test "wharf: a line of 4094 bytes + CRLF is accepted and the session goes on" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	local f=$BATS_TEST_TMPDIR/line
	{ printf 'XYZZY '; head -c 4088 /dev/zero | tr '\0' a; printf '\r\n'; } >"$f"
	[ "$(wc -c <"$f")" -eq 4096 ]
	wopen
	cat "$f" >&"$W"		# one write(2)
	expect 502
	[[ "$reply" == *XYZZY* ]]
	wsend 'NOOP\r\n'
	expect 200
	wclose
}

@test "wharf: a line of 4095 bytes + CRLF gets '500 line too long' and a close" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	local f=$BATS_TEST_TMPDIR/line
	{ printf 'XYZZY '; head -c 4089 /dev/zero | tr '\0' a; printf '\r\n'; } >"$f"
	[ "$(wc -c <"$f")" -eq 4097 ]
	wopen
	cat "$f" >&"$W"
	expect 500
	[[ "$reply" == *"line too long"* ]]
	weof
	wclose
}

@test "wharf: 8 KiB without any newline gets '500 line too long' and a close" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	local f=$BATS_TEST_TMPDIR/line
	head -c 8192 /dev/zero | tr '\0' a >"$f"
	wopen
	cat "$f" >&"$W"
	expect 500
	[[ "$reply" == *"line too long"* ]]
	weof
	wclose
}

@test "wharf: LF-only terminators are accepted" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	wsend 'NOOP\n'
	expect 200
	wsend 'HELP\n'
	expect 200
	wsend 'QUIT\n'
	expect 221
	weof
	wclose
}

@test "wharf: commands pipelined in one write get their replies in order" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	wopen
	wsend 'NOOP\r\nFOO\r\nHELP\r\n\r\nBAR x\r\nNOOP\r\nQUIT\r\nNOOP\r\n'
	expect 200
	expect 502
	[[ "$reply" == *FOO* ]]
	expect 200
	[[ "$reply" == *commands* ]]
	expect 500
	expect 502
	[[ "$reply" == *BAR* ]]
	expect 200
	expect 221
	# Nothing is answered after QUIT.
	weof
	wclose
}

@test "wharf: --idle-timeout 1 sends 421 after about 1 s of silence and closes" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --idle-timeout 1
	wopen
	local t0 elapsed
	t0=$(now_ms)
	expect 421
	elapsed=$(($(now_ms) - t0))
	echo "421 after $elapsed ms"
	[ "$elapsed" -ge 800 ]
	[ "$elapsed" -lt 3000 ]
	weof
	wclose
}

@test "wharf: --idle-timeout is reset by each complete command" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --idle-timeout 2
	wopen
	for _ in 1 2 3; do
		sleep 0.8
		wsend 'NOOP\r\n'
		expect 200
	done
	wclose
}

@test "wharf: --header-timeout 1 is one deadline for a trickled line, not per byte" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --header-timeout 1
	wopen
	local t0 elapsed writer
	t0=$(now_ms)
	# One byte every 0.4 s for 4 s, never a newline.
	(
		for c in N O O P x x x x x x; do
			printf '%s' "$c" >&"$W" 2>/dev/null || exit 0
			sleep 0.4
		done
	) 3>&- &
	writer=$!
	expect 421
	elapsed=$(($(now_ms) - t0))
	kill "$writer" 2>/dev/null || true
	wait "$writer" 2>/dev/null || true
	echo "421 after $elapsed ms"
	[ "$elapsed" -ge 800 ]
	[ "$elapsed" -lt 2500 ]
	weof
	wclose
}
