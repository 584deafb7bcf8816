#!/usr/bin/env bats
# t/60-wharf-commands.bats: the WHARF/1 commands against the real daemon,
# spoken by t/lib/wp.py (Python sockets + zlib) and /dev/tcp, never by the
# client under test.

load helpers
bats_require_minimum_version 1.5.0

wp() {
	python3 "$T_SRCDIR/lib/wp.py" "$WPORT" "$@"
}

crc() {
	python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"
}

@test "list: entries are TYPE SIZE MTIME NAME, hidden names never listed" {
	start_wharfd
	printf 'hello\n' >"$STORE/a.txt"
	mkdir "$STORE/sub"
	: >"$STORE/.wharf-tmp.abc"
	: >"$STORE/.wharf-part.0000"
	run wp cmd LIST
	[ "$status" -eq 0 ]
	[[ "$output" == *"150 listing /"* ]]
	echo "$output" | grep -Eq '^f 6 [0-9]+ a\.txt$'
	echo "$output" | grep -Eq '^d 0 [0-9]+ sub$'
	[[ "$output" != *wharf-* ]]
	[[ "$output" == *"200 2 entries"* ]]
}

@test "list: names with space, newline, percent and unicode are encoded" {
	start_wharfd
	: >"$STORE/a b"
	: >"$STORE/$(printf 'new\nline')"
	: >"$STORE/100%"
	: >"$STORE/café"
	run wp cmd LIST
	[[ "$output" == *" a%20b"* ]]
	[[ "$output" == *" new%0Aline"* ]]
	[[ "$output" == *" 100%25"* ]]
	[[ "$output" == *" caf%C3%A9"* ]]
}

@test "list: a 10000-entry directory streams completely" {
	start_wharfd
	mkdir "$STORE/many"
	(cd "$STORE/many" && seq -f 'file-%05g' 10000 | xargs touch)
	run wp cmd "LIST many"
	[ "$(echo "$output" | grep -c '^f 0 ')" -eq 10000 ]
	[[ "$output" == *"200 10000 entries"* ]]
}

@test "list: a file lists as its own entry; a missing path is 550" {
	start_wharfd
	printf 'abc' >"$STORE/f"
	run wp cmd "LIST f" "LIST nothere"
	echo "$output" | grep -Eq '^f 3 [0-9]+ f$'
	[[ "$output" == *"550 nothere: no such file or directory"* ]]
}

@test "list: symlinks inside show their target, outside show l" {
	start_wharfd
	printf 'x' >"$STORE/target"
	ln -s target "$STORE/inside"
	ln -s /etc/passwd "$STORE/outside"
	run wp cmd LIST
	echo "$output" | grep -Eq '^f 1 [0-9]+ inside$'
	echo "$output" | grep -Eq '^l 0 [0-9]+ outside$'
}

@test "stat: file, directory and missing" {
	start_wharfd
	printf '12345' >"$STORE/f"
	mkdir "$STORE/d"
	run wp cmd "STAT f" "STAT /d" "STAT nope"
	echo "$output" | grep -Eq '^200 f 5 [0-9]+ f$'
	echo "$output" | grep -Eq '^200 d 0 [0-9]+ d$'
	[[ "$output" == *"550 nope"* ]]
}

@test "get: bytes and whole-file CRC-32 are exact" {
	start_wharfd
	head -c 300000 /dev/urandom >"$STORE/bin"
	run wp get bin "$WORK/out"
	[ "$status" -eq 0 ]
	cmp "$STORE/bin" "$WORK/out"
	[[ "$output" == "226 size=300000 crc32=$(crc "$STORE/bin")" ]]
}

@test "get: resume from offset keeps the prefix and reports the whole CRC" {
	start_wharfd
	head -c 100000 /dev/urandom >"$STORE/bin"
	run wp get bin "$WORK/tail" offset=40000
	[ "$status" -eq 0 ]
	tail -c 60000 "$STORE/bin" | cmp - "$WORK/tail"
	[[ "$output" == "226 size=100000 crc32=$(crc "$STORE/bin")" ]]
}

@test "get: offset past the end is 501; offset at the end sends nothing" {
	start_wharfd
	printf 'abc' >"$STORE/f"
	run wp cmd "GET f offset=4"
	[[ "$output" == *"501 offset=4 is past the end"* ]]
	run wp get f "$WORK/o" offset=3
	[ "$status" -eq 0 ]
	[ ! -s "$WORK/o" ]
}

@test "get: compress=zlib delivers a zlib stream of the same bytes" {
	start_wharfd
	seq 1 200000 >"$STORE/text"
	run wp get text "$WORK/out" compress=zlib
	[ "$status" -eq 0 ]
	cmp "$STORE/text" "$WORK/out"
	[[ "$output" == "226 size=$(stat -c %s "$STORE/text") crc32=$(crc "$STORE/text")" ]]
}

@test "get: directories, hidden names, escapes and outside links are refused" {
	start_wharfd
	mkdir "$STORE/d"
	: >"$STORE/.wharf-tmp.x"
	ln -s /etc/passwd "$STORE/pw"
	mkdir -p "$WORK/store-evil" && echo secret >"$WORK/store-evil/s"
	run wp cmd "GET d" "GET .wharf-tmp.x" "GET ../store-evil/s" \
	    "GET %2E%2E/store-evil/s" "GET /../../etc/passwd" "GET pw" \
	    "GET a%00b" "GET %zz"
	[[ "$output" == *"551 d: is a directory"* ]]
	[[ "$output" == *"550 .wharf-tmp.x"* ]]
	[ "$(echo "$output" | grep -c '^554 ')" -eq 4 ]
	[ "$(echo "$output" | grep -c '^501 bad path')" -eq 2 ]
	[[ "$output" != *secret* ]]
	[[ "$output" != *root:* ]]
}

@test "get: a FIFO or socket is refused at once, not waited on" {
	start_wharfd
	mkfifo "$STORE/fifo"
	run timeout 10 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" cmd "GET fifo" NOOP
	[ "$status" -eq 0 ]
	[[ "$output" == *"551 fifo: not a regular file"* ]]
	[[ "$output" == *"200 ok"* ]]
}

@test "put: refused on a read-only server" {
	start_wharfd
	run python3 - "$WPORT" <<'PY'
import os, sys; sys.path.insert(0, os.environ["T_SRCDIR"] + "/lib")
import wp
c = wp.Conn(int(sys.argv[1]))
print(*c.cmd("PUT x size=1"))
print(*c.cmd("MKDIR d"))
print(*c.cmd("DELETE x"))
print(*c.cmd("RENAME a b"))
PY
	[ "$(echo "$output" | grep -c '^554 .*read-only')" -eq 4 ]
	[ ! -e "$STORE/x" ] && [ ! -e "$STORE/d" ]
}

@test "put: raw, chunked and compressed uploads land whole with a 226" {
	start_wharfd --writable
	head -c 500000 /dev/urandom >"$WORK/in"
	run wp put raw "$WORK/in"
	[[ "$output" == "226 size=500000 crc32=$(crc "$WORK/in")" ]]
	run wp put chunked "$WORK/in" chunked
	[[ "$output" == "226 size=500000 crc32=$(crc "$WORK/in")" ]]
	run wp put zipped "$WORK/in" compress=zlib
	[[ "$output" == "226 size=500000 crc32=$(crc "$WORK/in")" ]]
	cmp "$WORK/in" "$STORE/raw"
	cmp "$WORK/in" "$STORE/chunked"
	cmp "$WORK/in" "$STORE/zipped"
	[ -z "$(find "$STORE" -name '.wharf-*')" ]
}

@test "put: a wrong CRC-32 discards the upload and keeps the old file" {
	start_wharfd --writable
	printf 'old' >"$STORE/f"
	printf 'new content' >"$WORK/in"
	run wp put f "$WORK/in" crc=00000000
	[[ "$output" == "555 checksum mismatch"* ]]
	[ "$(cat "$STORE/f")" = old ]
	[ -z "$(find "$STORE" -name '.wharf-*')" ]
}

@test "put: a dropped connection leaves no file, then PART and offset= resume it" {
	start_wharfd --writable
	head -c 400000 /dev/urandom >"$WORK/in"
	run wp put big "$WORK/in" stop=150000
	[ "$status" -eq 0 ]
	has_partial() { [ -n "$(find "$STORE" -name '.wharf-part.*')" ]; }
	wait_until 5 has_partial
	[ ! -e "$STORE/big" ]
	run wp cmd "LIST" "GET big"
	[[ "$output" != *wharf-* ]]
	[[ "$output" == *"550 big"* ]]
	run wp cmd "PART big"
	head -c 150000 "$WORK/in" >"$WORK/prefix"
	[[ "$output" == *"200 offset=150000 crc32=$(crc "$WORK/prefix")"* ]]
	python3 - "$WPORT" "$WORK/in" <<'PY'
import os, sys, zlib
sys.path.insert(0, os.environ["T_SRCDIR"] + "/lib")
import wp
data = open(sys.argv[2], "rb").read()
c = wp.Conn(int(sys.argv[1]))
code, text = c.cmd("PUT big size=%d offset=150000" % len(data))
assert code == 151, text
c.s.sendall(data[150000:])
c.send("CRC32 %08x" % zlib.crc32(data))
code, text = c.reply()
assert code == 226, text
PY
	cmp "$WORK/in" "$STORE/big"
	[ -z "$(find "$STORE" -name '.wharf-*')" ]
}

@test "put: offset= without a matching partial is 503" {
	start_wharfd --writable
	run wp cmd "PUT f size=10 offset=5"
	[[ "$output" == *"503 no partial upload of 5 bytes"* ]]
}

@test "put: --max-upload refuses a declared size (552) and a chunked overrun" {
	start_wharfd --writable --max-upload 1K
	head -c 2000 /dev/urandom >"$WORK/in"
	run wp put f "$WORK/in"
	[[ "$output" == "552 too large"* ]]
	run wp put f "$WORK/in" chunked
	[[ "$output" == "552 too large"* ]]
	[ ! -e "$STORE/f" ]
	head -c 1024 /dev/urandom >"$WORK/ok"
	run wp put f "$WORK/ok"
	[[ "$output" == "226 "* ]]
}

@test "put: noclobber refuses an existing name with 553" {
	start_wharfd --writable
	printf 'keep' >"$STORE/f"
	printf 'x' >"$WORK/in"
	run wp put f "$WORK/in" noclobber
	[[ "$output" == "553 f: already exists" ]]
	[ "$(cat "$STORE/f")" = keep ]
}

@test "put: 8 concurrent uploads to one name leave one whole file" {
	start_wharfd --writable
	for i in 1 2 3 4 5 6 7 8; do
		head -c 300000 /dev/urandom >"$WORK/in$i"
	done
	pids=
	for i in 1 2 3 4 5 6 7 8; do
		wp put same "$WORK/in$i" >"$WORK/r$i" &
		pids="$pids $!"
	done
	# Not a bare wait: that would wait for wharfd too.
	for p in $pids; do
		wait "$p" || true
	done
	match=0
	for i in 1 2 3 4 5 6 7 8; do
		cmp -s "$WORK/in$i" "$STORE/same" && match=$((match + 1))
	done
	[ "$match" -eq 1 ]
	[ -z "$(find "$STORE" -name '.wharf-*')" ]
}

@test "put: names with newline, percent and unicode round-trip" {
	start_wharfd --writable
	printf 'data' >"$WORK/in"
	run wp put 'new%0Aline%25%20caf%C3%A9' "$WORK/in"
	[[ "$output" == "226 "* ]]
	[ -f "$STORE/$(printf 'new\nline%% café')" ]
	run wp get 'new%0Aline%25%20caf%C3%A9' "$WORK/out"
	cmp "$WORK/in" "$WORK/out"
}

@test "mkdir, rename and delete change the store, confined to it" {
	start_wharfd --writable
	printf 'x' >"$STORE/f"
	run wp cmd "MKDIR d" "MKDIR d" "RENAME f d/g" "RENAME d/g ../escaped" \
	    "DELETE d" "DELETE d/g" "DELETE d" "DELETE /" "MKDIR no/such"
	[[ "$output" == *"200 created"* ]]
	[[ "$output" == *"553 d: already exists"* ]]
	[[ "$output" == *"200 renamed"* ]]
	[[ "$output" == *"554 ../escaped: permission denied"* ]]
	[[ "$output" == *"553 d: directory not empty"* ]]
	[ "$(echo "$output" | grep -c '^200 deleted')" -eq 2 ]
	[[ "$output" == *"550 no/such"* ]]
	[ ! -e "$WORK/escaped" ]
	[ -z "$(ls -A "$STORE")" ]
}

@test "auth: users and roles; anonymous read-only; constant reply on failure" {
	hash=$(printf 'secret\n' | "$WHARFD" --hash-password)
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	printf 'alice:%s:rw\nbob:%s:ro\n' "$hash" "$hash" >"$WORK/users"
	start_wharfd --writable --user-file "$WORK/users"
	run wp cmd "MKDIR anon" "AUTH alice wrong" "AUTH nobody secret" \
	    "AUTH bob secret" "MKDIR bob" "AUTH alice secret" "MKDIR alice" \
	    "FEAT"
	[[ "$output" == *"554 permission denied: log in with AUTH to write"* ]]
	[ "$(echo "$output" | grep -c '^530 authentication failed$')" -eq 2 ]
	[[ "$output" == *"230 logged in as bob (read-only)"* ]]
	[[ "$output" == *"554 permission denied: your account is read-only"* ]]
	[[ "$output" == *"230 logged in as alice (read-write)"* ]]
	[[ "$output" == *"auth=optional user=alice"* ]]
	[ -d "$STORE/alice" ] && [ ! -e "$STORE/bob" ] && [ ! -e "$STORE/anon" ]
	run ! grep -q secret "$WHARFD_LOG"
}

@test "auth: --anonymous none requires AUTH before anything else" {
	hash=$(printf 'pw\n' | "$WHARFD" --hash-password)
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	printf 'u:%s:ro\n' "$hash" >"$WORK/users"
	start_wharfd --user-file "$WORK/users" --anonymous none
	run wp cmd "LIST" "AUTH u pw" "LIST"
	[[ "$output" == *"530 log in first"* ]]
	[[ "$output" == *"200 0 entries"* ]]
}

@test "auth: a malformed user file stops wharfd with exit 2" {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	printf 'alice:hash:admin\n' >"$WORK/users"
	run "$WHARFD" --root "$WORK" --user-file "$WORK/users" --port 0 \
	    --http-port 0 --listen 127.0.0.1
	[ "$status" -eq 2 ]
	[[ "$output" == *"users:1: expected NAME:HASH:ROLE"* ]]
}

@test "feat: one machine-readable line of features" {
	start_wharfd --writable --max-upload 1M
	run wp cmd FEAT
	[[ "$output" == *"211 WHARF/1 server=wharfd/"* ]]
	[[ "$output" == *"compress=zlib checksum=crc32"* ]]
	[[ "$output" == *"max-upload=1048576 writable=yes auth=none"* ]]
}

@test "log: --access-log has one line per WHARF/1 transfer, client bytes escaped" {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	start_wharfd --writable --access-log "$WORK/access.log"
	printf 'hello\n' >"$STORE/a"
	printf 'abc' >"$WORK/in"
	run wp cmd "GET a" "MKDIR esc%1B%5B2J" "STAT nope"
	run wp put up "$WORK/in"
	wait_until 5 grep -q '"PUT /up WHARF/1" 226 3 ' "$WORK/access.log"
	grep -Eq '^127\.0\.0\.1 - - \[[^]]+\] "GET /a WHARF/1" 226 6 [0-9]+ms$' \
	    "$WORK/access.log"
	grep -q '"MKDIR /esc\\x1b\[2J WHARF/1" 200 - ' "$WORK/access.log"
	grep -q '"STAT /nope WHARF/1" 550 - ' "$WORK/access.log"
	run grep -c $'\x1b' "$WORK/access.log"
	[ "$output" = 0 ]
}
