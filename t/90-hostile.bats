#!/usr/bin/env bats
# t/90-hostile.bats: the hostile-bytes corpus against both protocols.
# Path traversal in every encoding, symlinks out of the store, header
# injection through file names, request smuggling, malformed and
# oversized lines, Range abuse, every limit at limit-1, limit and
# limit+1, and file names hostile to terminals, logs and the page.
#
# The corpus itself is t/hostile/hostile.py (raw sockets, never the
# client under test). Every test starts a writable wharfd on a fresh
# fixture (t/hostile/hostile.py fixture): a store with links to
# /etc/passwd, ../outside, ../store-evil (a sibling with the store's name
# as prefix), an absolute path, a link that climbs through sub/, a loop
# and a dangling link; and after the corpus checks that nothing outside
# the store changed and that no child was killed by a signal.
#
# 5xx decisions: over HTTP only 501 (a method or a transfer coding
# wharfd does not implement, RFC 9110 15.6.2 / RFC 9112 6.1) and 505
# (HTTP/2 or /0.9 on the request line) are expected; any 500, 503 or 507
# fails. Over WHARF/1 the 5xx class is the protocol's "will not work"
# (550 not found, 554 denied...), so there a 45x (server-side fault)
# fails instead.

load helpers

HOSTILE=$T_SRCDIR/hostile/hostile.py

setup() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	python3 "$HOSTILE" fixture "$WORK"
	python3 "$HOSTILE" snapshot "$WORK" >"$WORK/tmp/before"
}

# The helpers' teardown, with only the end of the (verbose) log.
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -f "${WHARFD_LOG:-}" ]; then
		echo "--- end of wharfd log ($WHARFD_LOG) ---"
		tail -40 "$WHARFD_LOG"
	fi
	stop_wharfd
	rm -rf "$WORK"
	WORK= STORE=
}

# start [wharfd flags]: a writable, verbose wharfd with an access log.
start() {
	start_wharfd --writable -v --access-log "$WORK/access.log" "$@"
	export WORK STORE WPORT HPORT
}

# corpus GROUP...: run groups of the corpus; print what failed.
corpus() {
	run timeout 50 python3 "$HOSTILE" "$@"
	if [ "$status" -ne 0 ]; then
		printf '%s\n' "$output" | head -60
		return 1
	fi
}

# untouched: nothing outside the store changed, no child crashed.
untouched() {
	python3 "$HOSTILE" snapshot "$WORK" >"$WORK/tmp/after"
	diff "$WORK/tmp/before" "$WORK/tmp/after"
	if grep -a "killed by signal" "$WHARFD_LOG"; then
		return 1
	fi
}

# printable FILE...: only printable ASCII and newlines.
printable() {
	local f
	for f in "$@"; do
		if LC_ALL=C grep -n -a -P '[^\x20-\x7e]' "$f"; then
			echo "$f: raw bytes above" >&2
			return 1
		fi
	done
}

@test "hostile http: traversal in every encoding, by GET and HEAD, never reads outside the store" {
	start
	corpus http-read
	untouched
}

@test "hostile http: PUT, MKCOL, DELETE and POST through escapes write nothing outside the store" {
	start
	corpus http-write
	untouched
	[ -z "$(find "$STORE" -name 'HOSTILE*' -print -quit)" ]
}

@test "hostile wharf: LIST, GET, STAT and PART of every escape are refused without a byte from outside" {
	start
	corpus wharf-read
	untouched
}

@test "hostile wharf: PUT, MKDIR, RENAME and DELETE through every escape change nothing outside" {
	start
	corpus wharf-write
	untouched
	[ -z "$(find "$STORE" -name 'HOSTILE*' -print -quit)" ]
	[ -f "$STORE/hello.txt" ]
}

@test "hostile symlinks: PUT over, DELETE and RENAME of a link act on the link, never its target" {
	start
	corpus wharf-links
	untouched
}

@test "hostile symlinks: a .tar.gz of the store skips links out and holds no byte from outside" {
	start
	corpus tar
	untouched
}

@test "hostile forms: ../, filename*= and CR LF in upload names stay inside the store" {
	start
	corpus http-multipart-names
	untouched
	[ -f "$STORE/sub/HOSTILE-mp1" ]
	[ -f "$STORE/sub/HOSTILE-mp2" ]
	[ -z "$(find "$STORE" -name '.wharf-*' -print -quit)" ]
}

@test "hostile names: Content-Disposition and Location never carry a raw CR, LF or quote from a name" {
	start
	corpus http-headers
	untouched
}

@test "smuggling: CL+TE, obs-fold, bad lengths and codings get 400/501 and close; hidden requests are never answered" {
	start
	corpus smuggling
	untouched
	[ -z "$(find "$STORE" -newer "$WORK/tmp/before" -type f -print -quit)" ]
}

@test "limits http: request line 8192, header block 16384, 100 fields, boundary 70, 16 ranges at limit-1, limit, limit+1" {
	start
	corpus http-limits
	untouched
	[ -f "$STORE/sub/bnd70" ]
	[ ! -e "$STORE/sub/bnd71" ]
}

@test "range abuse: 1000 ranges, overlaps, huge and negative numbers are ignored, capped or coalesced, never amplified" {
	start
	corpus ranges
	untouched
}

@test "limits wharf: lines of 4096 bytes, 16-letter verbs, 8 arguments; malformed lines get 500/501 and the session goes on" {
	start
	corpus wharf-lines
	untouched
	[ -z "$(find "$STORE" -name 'HOSTILE*' -print -quit)" ]
}

@test "limits wharf: chunks of 1048575 and 1048576 bytes are stored, 1048577 or a malformed header ends the session" {
	start --no-fsync
	corpus wharf-chunks
	untouched
	[ "$(stat -c %s "$STORE/chunk-1048576")" = 1048576 ]
	[ ! -e "$STORE/chunk-1048577" ]
}

@test "limits --max-upload N: N-1 and N bytes are stored, N+1 gets 552 or 413 on both protocols" {
	export MAXUP=5000
	start --max-upload "$MAXUP"
	corpus max-upload
	untouched
}

@test "limits --max-upload N: a form upload of exactly N bytes with a Content-Length is stored" {
	export MAXUP=5000
	start --max-upload "$MAXUP"
	corpus max-upload-form-cl
}

@test "hostile special files: a FIFO or a device in the store, or a link to one, is refused (403 / 551)" {
	start
	corpus special-fifo-device
	untouched
}

@test "hostile special files: a UNIX socket in the store, or a link to one, is refused (403 / 551)" {
	start
	corpus special-socket
	untouched
}

@test "hostile credentials: oversized, binary and malformed credentials get 401 / 501 / 530, logged escaped" {
	printf 'alice:%s:rw\n' "$(echo secret | "$WHARFD" --hash-password)" \
	    >"$WORK/tmp/users"
	start --user-file "$WORK/tmp/users"
	corpus credentials
	untouched
	printable "$WHARFD_LOG" "$WORK/access.log"
	grep -aqF 'AUTH \x1b[2J\x07 failed' "$WHARFD_LOG"
	grep -aqF 'HTTP authentication as \x1b[2J\x07 failed' "$WHARFD_LOG"
	[ ! -e "$STORE/HOSTILE-auth" ] && [ ! -e "$STORE/sub/HOSTILE-auth" ]
}

@test "hostile names: the HTML and JSON listings escape <script>, quotes and attribute breakers" {
	start
	corpus names-listing
}

@test "hostile names: the HTML page carries no raw control byte from a name" {
	start
	corpus names-page-controls
}

@test "hostile names: the daemon log (-v) and the access log hold only escaped, printable bytes" {
	start
	corpus names-traffic
	untouched
	printable "$WHARFD_LOG" "$WORK/access.log"
	# the names went through both logs, escaped
	grep -aqF 'esc\x1b]0;pwned\x07\x1b[2J' "$WORK/access.log"
	grep -aqF 'x\x1b[31mred\x9b' "$WHARFD_LOG"
	grep -aqF '"GET /\x1b]0;pwned\x07 HTTP/1.1" 400' "$WORK/access.log"
	grep -aqF '"ua\x9b\xff"' "$WORK/access.log"
}

@test "hostile names: wharf ls on a terminal shows control bytes escaped, one name a line" {
	start
	run timeout 20 script -qec "timeout 10 $WHARF -H 127.0.0.1 -p $WPORT ls names" /dev/null
	[ "$status" -eq 0 ]
	printf '%s' "$output" >"$WORK/tmp/tty"
	# the terminal turns LF into CR LF; any other control byte is raw
	if LC_ALL=C grep -n -a -P '[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!$)' \
	    "$WORK/tmp/tty"; then
		false
	fi
	grep -aqF 'esc\x1b]0;pwned\x07\x1b[2J\x1b[31mred' "$WORK/tmp/tty"
	grep -aqF 'cr\x0dlf\x0aname' "$WORK/tmp/tty"
	[ "$(grep -c . "$WORK/tmp/tty")" -eq "$(python3 -c 'import os, sys; print(len(os.listdir(sys.argv[1])))' "$STORE/names")" ]
	untouched
}
