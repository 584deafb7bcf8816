#!/usr/bin/env bats
# t/70-client.bats: the wharf client's one-shot commands against a real
# wharfd: round trips (0 B to 200 MiB, plain and -z) checked with cmp,
# awkward names, resume of interrupted gets and puts, changed prefixes,
# concurrent uploads, refusals and their exit statuses, users, path
# escapes, -r, remote globs, stdin and stdout, listings, and a small fake
# server (Python) for what a real one never does: a wrong CRC, a cut
# connection.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	L=$BATS_TEST_TMPDIR/local
	mkdir -p "$L"
	cd "$L"
}

# w ARGS...: the client under test against the server of this test.
w() {
	timeout 120 "$WHARF" -H 127.0.0.1 -p "$WPORT" "$@" 3>&-
}

# fsize FILE: its size in bytes, 0 when absent.
fsize() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# bigger_than FILE BYTES: FILE exists and holds more than BYTES.
bigger_than() {
	[ "$(fsize "$1")" -gt "$2" ]
}

# hidden_over BYTES: a hidden upload file in the store (temporary or
# partial) holds more than BYTES.
hidden_over() {
	[ "$(store_hidden_size)" -gt "$1" ]
}

# store_hidden_size: the biggest hidden upload file in the store, 0 when
# none.
store_hidden_size() {
	local f max=0 n
	for f in "$STORE"/.wharf-*; do
		[ -f "$f" ] || continue
		n=$(fsize "$f")
		[ "$n" -gt "$max" ] && max=$n
	done
	echo "$max"
}

# fake_server MODE: a one-connection WHARF/1 server that answers the first
# GET as MODE says (badcrc, badsize, cut), or the first PUT with 452
# (full); sets FPORT.
fake_server() {
	local pf=$BATS_TEST_TMPDIR/fake.port
	rm -f "$pf"
	timeout 30 python3 - "$1" "$pf" <<'EOF' 3>&- &
import os, socket, sys, zlib
mode, pf = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
with open(pf + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(pf + ".tmp", pf)
c, _ = s.accept()
r = c.makefile("rb")
c.sendall(b"220 WHARF/1 fake 0.0.0 ready\r\n")
cmd = r.readline()
if mode == "full":
    size = int(cmd.split(b"size=")[1].split()[0])
    c.sendall(b"151 send size=%d offset=0\r\n" % size)
    r.read(size)
    r.readline()
    c.sendall(b"452 no space left on the server; upload discarded\r\n")
    r.readline()
    c.sendall(b"221 bye\r\n")
    sys.exit(0)
data = b"hello, world\n" * 1000
crc = zlib.crc32(data)
head = b"150 size=%d offset=0\r\n" % len(data)
if mode == "badcrc":
    c.sendall(head + data + b"226 size=%d crc32=%08x\r\n" % (len(data), crc ^ 1))
elif mode == "badsize":
    c.sendall(head + data + b"226 size=%d crc32=%08x\r\n" % (len(data) + 1, crc))
elif mode == "cut":
    c.sendall(b"150 size=%d offset=0\r\n" % (len(data) * 2) + data)
    c.shutdown(socket.SHUT_RDWR)
    sys.exit(0)
r.readline()
c.sendall(b"221 bye\r\n")
EOF
	FAKE_PID=$!
	wait_for_file "$pf" 10
	FPORT=$(cat "$pf")
}

@test "client: 0 B, 1 B and 1 MiB files round-trip byte for byte, plain and -z" {
	start_wharfd --writable
	: >zero
	printf 'x' >one
	head -c 1048576 /dev/urandom >mib
	w put zero one mib
	w -z put -o z-mib mib
	w -z put -o z-zero zero
	cmp zero "$STORE/zero"
	cmp one "$STORE/one"
	cmp mib "$STORE/mib"
	cmp mib "$STORE/z-mib"
	cmp zero "$STORE/z-zero"
	mkdir back && cd back
	w get zero one mib
	w -z get -o mib.z mib
	w -z get z-zero
	cmp zero ../zero
	cmp one ../one
	cmp mib ../mib
	cmp mib.z ../mib
	cmp z-zero ../zero
	# Nothing hidden left behind.
	[ -z "$(ls -A | grep wharf || true)" ]
}

@test "client: a 200 MiB file round-trips plain and -z with flat memory" {
	start_wharfd --writable
	head -c $((200 * 1024 * 1024)) /dev/urandom >big
	w put big
	cmp big "$STORE/big"
	w -z put -o big.z big
	cmp big "$STORE/big.z"
	rm -f "$STORE/big.z"
	mkdir back && cd back
	run /usr/bin/env time -f '%M' "$WHARF" -H 127.0.0.1 -p "$WPORT" get big
	[ "$status" -eq 0 ]
	cmp big ../big
	# Peak RSS in KiB: buffers are fixed, far below the file size.
	[ "$(echo "$output" | tail -1)" -lt 65536 ]
	rm -f big
	w -z get big
	cmp big ../big
}

@test "client: names with spaces, newlines, %, unicode and leading dashes" {
	start_wharfd --writable
	local names=("a b" $'new\nline' "100%" "per%25cent" "ünïcödé ✓" "-dash" "--double")
	local n
	for n in "${names[@]}"; do
		printf '%s' "content of $n" >"$n"
	done
	w put -- "${names[@]}"
	for n in "${names[@]}"; do
		cmp -- "$n" "$STORE/$n"
	done
	mkdir back && cd back
	w get -- "${names[@]}"
	for n in "${names[@]}"; do
		cmp -- "$n" "../$n"
	done
	# Listings carry names percent-encoded, one entry per line.
	run w ls
	[ "$status" -eq 0 ]
	[[ "$output" == *" a%20b"* ]]
	[[ "$output" == *" new%0Aline"* ]]
	[[ "$output" == *" 100%25"* ]]
	[[ "$output" == *" per%2525cent"* ]]
	[[ "$output" == *" -dash"* ]]
	[ "$(echo "$output" | wc -l)" -eq 7 ]
	w rm -- -dash --double
	[ ! -e "$STORE/-dash" ]
	[ ! -e "$STORE/--double" ]
}

@test "client: get -c resumes a download whose client was killed" {
	start_wharfd
	head -c $((24 * 1024 * 1024)) /dev/urandom >"$STORE/big"
	"$WHARF" -H 127.0.0.1 -p "$WPORT" --limit-rate 4M get big 3>&- &
	local pid=$!
	wait_until 20 bigger_than .big.wharf-part 2000000
	kill -KILL "$pid"
	wait "$pid" || true
	[ ! -e big ]
	local have
	have=$(fsize .big.wharf-part)
	[ "$have" -gt 0 ]
	[ "$have" -lt $((24 * 1024 * 1024)) ]
	run --separate-stderr w -c get big
	[ "$status" -eq 0 ]
	cmp big "$STORE/big"
	[ ! -e .big.wharf-part ]
	# Resuming a complete file checks it and changes nothing.
	w -c get big
	cmp big "$STORE/big"
}

@test "client: get -c detects a changed local prefix (exit 4) and keeps the file as it was" {
	start_wharfd
	head -c $((4 * 1024 * 1024)) /dev/urandom >"$STORE/f"
	head -c 1000000 "$STORE/f" >f
	printf 'XXXX' | dd of=f conv=notrunc status=none
	cp f f.before
	run --separate-stderr w -c get f
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"verification failed"* ]]
	[[ "$stderr" == *"differ"* ]]
	cmp f f.before
	# Without -c it is fetched whole.
	w get f
	cmp f "$STORE/f"
}

@test "client: put -c resumes an upload whose client was killed" {
	start_wharfd --writable
	head -c $((24 * 1024 * 1024)) /dev/urandom >big
	"$WHARF" -H 127.0.0.1 -p "$WPORT" --limit-rate 4M put big 3>&- &
	local pid=$!
	wait_until 20 hidden_over 2000000
	kill -KILL "$pid"
	wait "$pid" || true
	# The server keeps what arrived as a resumable partial.
	wait_until 10 bash -c 'ls -A "$1" | grep -q "^\.wharf-part"' _ "$STORE"
	[ ! -e "$STORE/big" ]
	run --separate-stderr w -c put big
	[ "$status" -eq 0 ]
	[[ "$stderr" != *differ* ]]
	cmp big "$STORE/big"
	grep -q "interrupted after" "$WHARFD_LOG"
}

@test "client: put -c notices a changed local prefix and starts again from 0" {
	start_wharfd --writable
	head -c $((24 * 1024 * 1024)) /dev/urandom >big
	"$WHARF" -H 127.0.0.1 -p "$WPORT" --limit-rate 4M put big 3>&- &
	local pid=$!
	wait_until 20 hidden_over 2000000
	kill -KILL "$pid"
	wait "$pid" || true
	wait_until 10 bash -c 'ls -A "$1" | grep -q "^\.wharf-part"' _ "$STORE"
	printf 'CHANGED' | dd of=big conv=notrunc status=none
	run --separate-stderr w -c put big
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"differ from the server's partial upload; starting again from 0"* ]]
	cmp big "$STORE/big"
}

@test "client: 8 concurrent puts to one name leave one whole input" {
	start_wharfd --writable --start-children 8
	local i pids=()
	for i in 1 2 3 4 5 6 7 8; do
		head -c $((2 * 1024 * 1024)) /dev/urandom >"in$i"
	done
	for i in 1 2 3 4 5 6 7 8; do
		w put -o same "in$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	local match=0
	for i in 1 2 3 4 5 6 7 8; do
		cmp -s "in$i" "$STORE/same" && match=$((match + 1))
	done
	[ "$match" -eq 1 ]
	[ "$(ls -A "$STORE")" = same ]
}

@test "client: a read-only server refuses put, mkdir, rm and mv with exit 1" {
	start_wharfd
	echo data >f
	echo data >"$STORE/there"
	run w put f
	[ "$status" -eq 1 ]
	[[ "$output" == *"read-only"* ]]
	[ ! -e "$STORE/f" ]
	run w mkdir d
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	run w rm there
	[ "$status" -eq 1 ]
	[ -e "$STORE/there" ]
	run w mv there elsewhere
	[ "$status" -eq 1 ]
	[ -e "$STORE/there" ]
}

@test "client: users: the right password logs in, a wrong one exits 1" {
	"$WHARFD" --help | grep -q -e --hash-password ||
	    skip "wharfd has no --hash-password yet"
	local hash
	hash=$(printf 'sekret\n' | "$WHARFD" --hash-password 3>&-)
	[ -n "$hash" ]
	printf 'alice:%s:rw\nbob:%s:ro\n' "$hash" "$hash" >"$BATS_TEST_TMPDIR/users"
	start_wharfd --writable --user-file "$BATS_TEST_TMPDIR/users"
	echo data >f
	WHARF_PASSWORD=sekret run w -u alice put f
	[ "$status" -eq 0 ]
	cmp f "$STORE/f"
	WHARF_PASSWORD=wrong run w -u alice ls
	[ "$status" -eq 1 ]
	[[ "$output" == *"authentication failed"* ]]
	run w -u alice --password-stdin ls <<<"sekret"
	[ "$status" -eq 0 ]
	[[ "$output" == *" f" ]]
	# The user in the URL; a read-only role may not write.
	WHARF_PASSWORD=sekret run w "wharf://bob@127.0.0.1:$WPORT" put -o g f
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	# No terminal and no password: a clear message, exit 2.
	run w -u alice ls </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *WHARF_PASSWORD* ]]
	# A password in the URL is refused.
	run w "wharf://alice:sekret@127.0.0.1:$WPORT" ls
	[ "$status" -eq 2 ]
}

@test "client: paths that climb out of the store are refused and nothing is written" {
	start_wharfd
	run w get ../../etc/passwd
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	run w get /../etc/passwd
	[ "$status" -eq 1 ]
	run w "wharf://127.0.0.1:$WPORT/" get ../etc/hostname
	[ "$status" -eq 1 ]
	[ -z "$(ls -A)" ]
	[ ! -e "$BATS_TEST_TMPDIR/passwd" ]
}

@test "client: -r mirrors directory trees both ways" {
	start_wharfd --writable
	mkdir -p tree/sub/deeper tree/empty
	echo one >tree/one
	head -c 300000 /dev/urandom >tree/sub/blob
	printf 'x' >"tree/sub/deeper/with space"
	: >tree/sub/deeper/zero
	run w put tree
	[ "$status" -eq 1 ]
	[[ "$output" == *"use -r"* ]]
	w put -r tree
	diff -r tree "$STORE/tree"
	# Again: existing directories are fine.
	w -z put -r tree
	mkdir back && cd back
	w get -r tree
	diff -r ../tree tree
	w get -r tree -o copy
	diff -r ../tree copy
	cd ..
	w rm -r tree
	[ ! -e "$STORE/tree" ]
}

@test "client: remote globs expand over LIST" {
	start_wharfd --writable
	mkdir -p "$STORE/dir/sub"
	echo a >"$STORE/dir/a.txt"
	echo b >"$STORE/dir/b.txt"
	echo c >"$STORE/dir/c.log"
	echo h >"$STORE/dir/.hidden.txt"
	echo s >"$STORE/dir/sub/s.txt"
	w get 'dir/*.txt'
	[ "$(ls -A | sort | tr '\n' ' ')" = "a.txt b.txt " ]
	cmp a.txt "$STORE/dir/a.txt"
	run w ls 'dir/*.txt'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{print $4}' | tr '\n' ' ')" = "dir/a.txt dir/b.txt " ]
	run w get 'dir/*/s.txt' -o s-copy
	[ "$status" -eq 0 ]
	cmp s-copy "$STORE/dir/sub/s.txt"
	run w get 'dir/*.none'
	[ "$status" -eq 1 ]
	[[ "$output" == *"no match"* ]]
	w rm 'dir/?.txt'
	[ ! -e "$STORE/dir/a.txt" ]
	[ ! -e "$STORE/dir/b.txt" ]
	[ -e "$STORE/dir/c.log" ]
}

@test "client: - is standard input for put and standard output for get" {
	start_wharfd --writable
	head -c 3000000 /dev/urandom >data
	w put - from-stdin <data
	cmp data "$STORE/from-stdin"
	w -z put - from-stdin.z <data
	cmp data "$STORE/from-stdin.z"
	: | w put - empty
	[ -f "$STORE/empty" ]
	[ ! -s "$STORE/empty" ]
	w get from-stdin - >out
	cmp data out
	w -z get -o - from-stdin >out.z
	cmp data out.z
	[ ! -e from-stdin ]
	run w put -
	[ "$status" -eq 2 ]
}

@test "client: exit statuses: not found 1, usage 2, cannot connect 3" {
	start_wharfd
	run w get nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"nosuch: not found"* ]]
	[ ! -e nosuch ]
	[ -z "$(ls -A)" ]
	run w frobnicate
	[ "$status" -eq 2 ]
	run w mv onlyone
	[ "$status" -eq 2 ]
	run w --no-such-option ls
	[ "$status" -eq 2 ]
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run timeout 10 "$WHARF" -H 127.0.0.1 -p "$port" ls
	[ "$status" -eq 3 ]
	[[ "$output" == *"is wharfd running there?"* ]]
	run timeout 20 "$WHARF" -H no-such-host.invalid ls
	[ "$status" -eq 3 ]
	[[ "$output" == *"no-such-host.invalid"* ]]
}

@test "client: a CRC mismatch exits 4 and leaves no file" {
	fake_server badcrc
	run timeout 20 "$WHARF" -H 127.0.0.1 -p "$FPORT" get f
	[ "$status" -eq 4 ]
	[[ "$output" == *"verification failed"* ]]
	[ -z "$(ls -A)" ]
}

@test "client: a size mismatch exits 4 and leaves no file" {
	fake_server badsize
	run timeout 20 "$WHARF" -H 127.0.0.1 -p "$FPORT" get f
	[ "$status" -eq 4 ]
	[ -z "$(ls -A)" ]
}

@test "client: a connection cut mid-transfer exits 3 and keeps the part for -c" {
	fake_server cut
	run timeout 20 "$WHARF" -H 127.0.0.1 -p "$FPORT" get f
	[ "$status" -eq 3 ]
	[[ "$output" == *"lost"* ]]
	[ ! -e f ]
	[ "$(fsize .f.wharf-part)" -eq 13000 ]
}

@test "client: a full disk on the server is reported as such, exit 1" {
	fake_server full
	head -c 100000 /dev/urandom >f
	run timeout 20 "$WHARF" -H 127.0.0.1 -p "$FPORT" put f
	[ "$status" -eq 1 ]
	[[ "$output" == *"f: no space left on the server"* ]]
}

@test "client: too large uploads are refused with the server's limit" {
	start_wharfd --writable --max-upload 1K
	head -c 5000 /dev/urandom >f
	run w put f
	[ "$status" -eq 1 ]
	[[ "$output" == *"too large"* ]]
	run w put - g <f
	[ "$status" -eq 1 ]
	[[ "$output" == *"too large"* ]]
	[ ! -e "$STORE/f" ]
	[ ! -e "$STORE/g" ]
}

@test "client: 200 small files in one session" {
	start_wharfd --writable
	mkdir many
	local i
	for i in $(seq 1 200); do
		echo "file $i" >"many/f$i"
	done
	w put -r many
	[ "$(ls "$STORE/many" | wc -l)" -eq 200 ]
	mkdir back && cd back
	w get 'many/*'
	[ "$(ls | wc -l)" -eq 200 ]
	for i in $(seq 1 200); do
		cmp "f$i" "../many/f$i"
	done
	w get -r many -z -o again
	diff -r ../many again
}

@test "client: ls, stat, mkdir, mv and rm" {
	start_wharfd --writable
	w mkdir d
	[ -d "$STORE/d" ]
	run w mkdir d
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists"* ]]
	echo hello >"$STORE/d/f"
	run w stat d/f
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^f\ 6\ [0-9]+\ d/f$ ]]
	w mv d/f d/g
	[ -e "$STORE/d/g" ]
	[ ! -e "$STORE/d/f" ]
	w mkdir e
	w mv d/g e
	[ -e "$STORE/e/g" ]
	run w rm e
	[ "$status" -eq 1 ]
	[[ "$output" == *"not empty"* ]]
	w rm e/g e
	[ ! -e "$STORE/e" ]
	# The URL's path is the remote working directory.
	echo x >"$STORE/d/inside"
	run w "wharf://127.0.0.1:$WPORT/d" ls
	[ "$status" -eq 0 ]
	[[ "$output" == *" inside" ]]
	# And the environment names the server.
	WHARF_HOST=127.0.0.1 WHARF_PORT=$WPORT run timeout 20 "$WHARF" stat d
	[ "$status" -eq 0 ]
	[[ "$output" == "d 0 "* ]]
}

@test "client: ls -l shows a table with names escaped, never raw control bytes" {
	start_wharfd
	printf 'x' >"$STORE/"$'bell\a\033[31mred'
	mkdir "$STORE/sub"
	run w ls -l
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\033'* ]]
	[[ "$output" != *$'\a'* ]]
	[[ "$output" == *'bell\x07\x1b[31mred'* ]]
	[[ "$output" == *"sub/"* ]]
	run w ls --raw
	[[ "$output" == *"bell%07%1B%5B31mred"* ]]
}

@test "client: progress bar on a terminal only, and not with -q" {
	start_wharfd
	head -c 1000000 /dev/urandom >"$STORE/f"
	run --separate-stderr w get f
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	rm -f f
	run script -qec "$WHARF -H 127.0.0.1 -p $WPORT get f" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"100%"* ]]
	[[ "$output" == *"/s"* ]]
	cmp f "$STORE/f"
	rm -f f
	run script -qec "$WHARF -q -H 127.0.0.1 -p $WPORT get f" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" != *"%"* ]]
}
