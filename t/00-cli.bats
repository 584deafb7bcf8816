#!/usr/bin/env bats
# t/00-cli.bats: wharfd's and wharf's command lines: help, version, every
# kind of bad flag (exit 2 with a message naming it), a port in use (exit
# 1), and the client's usage and connection errors.

load helpers
bats_require_minimum_version 1.5.0

# run_wharfd ARGS...: run the daemon in the foreground, bounded, with
# usable defaults for everything the test does not override; the flags
# given later win. stdout and stderr together land in $output.
run_wharfd() {
	local dir=${BATS_TEST_TMPDIR:-/tmp}
	mkdir -p "$dir/cli-store"
	run timeout 10 "$WHARFD" --root "$dir/cli-store" --port 0 \
	    --http-port 0 --listen 127.0.0.1 --start-children 1 \
	    --min-spare 1 --max-spare 1 "$@" 3>&-
}

# A TCP port on 127.0.0.1 that nothing listens on.
closed_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

@test "wharfd --help: lists every long option of main.c, exits 0" {
	run --separate-stderr "$WHARFD" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == "usage: wharfd "* ]]
	local opts
	opts=$(sed -n '/longopts\[\] = {/,/^};/p' "$T_SRCDIR/../server/main.c" |
	    grep -o '{ "[a-z-]*"' | tr -d '{" ')
	[ "$(echo "$opts" | wc -l)" -ge 20 ]
	for opt in $opts; do
		echo "$output" | grep -qe "--$opt\b" ||
		    { echo "--help does not mention --$opt"; return 1; }
	done
}

@test "wharfd --help: shows each short option next to its long one" {
	run "$WHARFD" --help
	[ "$status" -eq 0 ]
	for pair in "-r, --root" "-w, --writable" "-p, --port" "-l, --listen" \
	    "-d, --daemon" "-v, --verbose" "-h, --help" "-V, --version"; do
		echo "$output" | grep -qF -e "$pair" ||
		    { echo "--help lacks '$pair'"; return 1; }
	done
}

@test "wharfd --version: prints name, version and libraries, exits 0" {
	run --separate-stderr "$WHARFD" --version
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" =~ ^wharfd\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	[[ "$output" == *libmagic* ]]
	[[ "$output" == *zlib* ]]
	run "$WHARFD" -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^wharfd\ [0-9] ]]
}

@test "wharfd: an unknown flag exits 2 naming it" {
	run_wharfd --bogus-flag
	[ "$status" -eq 2 ]
	[[ "$output" == *bogus-flag* ]]
	[[ "$output" == *usage:* ]]
}

@test "wharfd: the usage after an unknown flag shows the defaults, not the flags before it" {
	local help
	help=$("$WHARFD" --help)
	run_wharfd --start-children 3 --max-children 9 --keepalive-timeout 1 \
	    --grace 7 --bogus-flag
	[ "$status" -eq 2 ]
	# Every "(default: N)" line of --help, word for word.
	local line n=0
	while IFS= read -r line; do
		[[ "$output" == *"$line"* ]] ||
		    { echo "usage lacks: $line"; return 1; }
		n=$((n + 1))
	done < <(grep -E '\(default: [0-9]+\)' <<<"$help")
	[ "$n" -ge 8 ]
}

@test "wharfd: --partial-age no longer than an upload may stay quiet exits 2 naming the deadlines" {
	run_wharfd --writable --partial-age 60 --transfer-timeout 60
	[ "$status" -eq 2 ]
	[[ "$output" == *"--partial-age 60 must be longer than --transfer-timeout 60 and than --idle-timeout 300 plus --header-timeout 5"* ]]
	run_wharfd --writable --partial-age 305 --transfer-timeout 10
	[ "$status" -eq 2 ]
	[[ "$output" == *"--partial-age 305 must be longer"* ]]
}

@test "wharfd: --port 70000 exits 2 with the valid range" {
	run_wharfd --port 70000
	[ "$status" -eq 2 ]
	[[ "$output" == *"--port 70000"* ]]
	[[ "$output" == *65535* ]]
}

@test "wharfd: --port abc and --http-port -1 exit 2 naming the flag" {
	run_wharfd --port abc
	[ "$status" -eq 2 ]
	[[ "$output" == *"--port abc"* ]]
	run_wharfd --http-port -1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--http-port -1"* ]]
}

@test "wharfd: a non-numeric pool size or deadline exits 2 naming it" {
	run_wharfd --max-children 12x
	[ "$status" -eq 2 ]
	[[ "$output" == *"--max-children 12x"* ]]
	run_wharfd --header-timeout 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--header-timeout 0"* ]]
}

@test "wharfd: --notsent-lowat that is not a size or over 64M exits 2 naming it" {
	run_wharfd --notsent-lowat 32Q
	[ "$status" -eq 2 ]
	[[ "$output" == *"--notsent-lowat 32Q: expected a size in bytes"* ]]
	run_wharfd --notsent-lowat 65M
	[ "$status" -eq 2 ]
	[[ "$output" == *"--notsent-lowat 65M: at most 64M"* ]]
	run_wharfd --notsent-lowat -1
	[ "$status" -eq 2 ]
}

@test "wharfd: --min-spare larger than --max-spare exits 2 naming both" {
	run_wharfd --min-spare 5 --max-spare 2
	[ "$status" -eq 2 ]
	[[ "$output" == *"--min-spare 5"* ]]
	[[ "$output" == *"--max-spare 2"* ]]
}

@test "wharfd: --start-children larger than --max-children exits 2" {
	run_wharfd --start-children 10 --max-children 4
	[ "$status" -eq 2 ]
	[[ "$output" == *"--start-children 10"* ]]
	[[ "$output" == *"--max-children 4"* ]]
}

@test "wharfd: --root that does not exist exits 2 with the path and why" {
	run_wharfd --root "$BATS_TEST_TMPDIR/no/such/dir"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--root $BATS_TEST_TMPDIR/no/such/dir"* ]]
	[[ "$output" == *"No such file or directory"* ]]
}

@test "wharfd: --root naming a regular file exits 2 with 'Not a directory'" {
	echo data >"$BATS_TEST_TMPDIR/plain"
	run_wharfd --root "$BATS_TEST_TMPDIR/plain"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--root $BATS_TEST_TMPDIR/plain"* ]]
	[[ "$output" == *"Not a directory"* ]]
}

@test "wharfd: an extra argument exits 2 naming it" {
	run_wharfd stray-word
	[ "$status" -eq 2 ]
	[[ "$output" == *stray-word* ]]
}

@test "wharfd: --port off with --http-port off exits 2: nothing to serve" {
	run_wharfd --port off --http-port off
	[ "$status" -eq 2 ]
	[[ "$output" == *"--port off"* ]]
	[[ "$output" == *"nothing to serve"* ]]
}

@test "wharfd: a WHARF/1 port already in use exits 1 naming address and port" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run_wharfd --port "$WPORT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"127.0.0.1 port $WPORT"* ]]
	[[ "$output" == *"Address already in use"* ]]
	# The first daemon is untouched.
	run timeout 10 "$WHARF" -H 127.0.0.1 -p "$WPORT" ping
	[ "$status" -eq 0 ]
}

@test "wharfd: an HTTP port already in use exits 1 and leaves no port file" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run_wharfd --http-port "$HPORT" --port-file "$BATS_TEST_TMPDIR/p2"
	[ "$status" -eq 1 ]
	[[ "$output" == *"port $HPORT"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/p2" ]
}

@test "wharf --help: shows usage with the ping command, exits 0" {
	run --separate-stderr "$WHARF" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == "usage: wharf "* ]]
	[[ "$output" == *ping* ]]
}

@test "wharf: no command and an empty stdin ends at once, without an error" {
	# Once an interactive shell exists, no command means "read commands
	# from stdin"; before, it was a usage error (2). Never a hang.
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run timeout 10 "$WHARF" -H 127.0.0.1 -p "$WPORT" </dev/null
	echo "status $status: $output"
	[ "$status" -eq 0 ] || { [ "$status" -eq 2 ] &&
	    [[ "$output" == *"no command"* ]]; }
}

@test "wharf: an unknown command or flag exits 2" {
	run "$WHARF" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *frobnicate* ]]
	run "$WHARF" --bogus-flag ping
	[ "$status" -eq 2 ]
}

@test "wharf: ping to a closed port exits 3 with 'cannot connect'" {
	local port
	port=$(closed_port)
	run timeout 10 "$WHARF" -H 127.0.0.1 -p "$port" ping
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot connect"* ]]
	[[ "$output" == *"$port"* ]]
}

@test "wharf: ping prints the greeting and exits 0" {
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1
	run timeout 10 "$WHARF" -H 127.0.0.1 -p "$WPORT" ping
	[ "$status" -eq 0 ]
	[[ "$output" == *"WHARF/1 wharfd"*ready* ]]
	run timeout 10 "$WHARF" -q "wharf://127.0.0.1:$WPORT" ping
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
