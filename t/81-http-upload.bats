#!/usr/bin/env bats
# t/81-http-upload.bats: changing the store over HTTP: PUT (plain and
# chunked), multipart POST of several files, limits (413), --no-clobber
# (409, ?keep), DELETE, directories (MKCOL, POST ?mkdir=, the form's mkdir
# field), read-only stores (405), Basic auth (401/403), a full disk (507),
# and files crossing between HTTP and WHARF/1 unchanged.

load helpers

setup() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE"
	head -c 3000000 /dev/urandom >"$WORK/big.bin"
	head -c 2048 /dev/urandom >"$WORK/2k.bin"
	printf 'first\n' >"$WORK/one.txt"
	printf 'second\n' >"$WORK/two.txt"
	URL=
}

teardown() {
	stop_wharfd
	if [ -n "${MOUNTED:-}" ]; then
		umount "$MOUNTED" 2>/dev/null || true
		MOUNTED=
	fi
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -f "${WHARFD_LOG:-}" ]; then
		echo "--- wharfd log ---"
		cat "$WHARFD_LOG"
	fi
	rm -rf "$WORK"
	WORK= STORE=
}

# no_temporaries: nothing hidden (no .wharf-tmp.*) is left in the store.
no_temporaries() {
	[ -z "$(find "$STORE" -name '.wharf-*' -print -quit)" ]
}

code() {
	timeout 20 curl -sS -o "$WORK/body" -D "$WORK/h" -w '%{http_code}' "$@"
}

@test "put: curl -T stores the file byte for byte; 201 then 204" {
	start_wharfd --writable
	run code -T "$WORK/big.bin" "http://127.0.0.1:$HPORT/big.bin"
	[ "$output" = 201 ]
	tr -d '\r' <"$WORK/h" | grep -qi '^Location: /big.bin$'
	cmp "$STORE/big.bin" "$WORK/big.bin"
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/big.bin"
	[ "$output" = 204 ]
	cmp "$STORE/big.bin" "$WORK/one.txt"
	no_temporaries
}

@test "put: a chunked body (curl -T - with Transfer-Encoding) is stored" {
	start_wharfd --writable
	run code -H 'Transfer-Encoding: chunked' -T - \
	    "http://127.0.0.1:$HPORT/chunked.bin" <"$WORK/big.bin"
	[ "$output" = 201 ]
	cmp "$STORE/chunked.bin" "$WORK/big.bin"
	# into a subdirectory, with an awkward name
	mkdir "$STORE/d"
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/d/a%20%23%3F%25.txt"
	[ "$output" = 201 ]
	cmp "$STORE/d/a #?%.txt" "$WORK/one.txt"
}

@test "put: an interrupted upload leaves nothing behind" {
	start_wharfd --writable
	timeout 10 python3 - "$HPORT" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"PUT /half.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 50000)
	s.close()
	EOF
	wait_until 5 no_temporaries
	[ ! -e "$STORE/half.bin" ]
}

@test "put: a body over 1 MiB goes to the file by splice: stored exactly, the request pipelined after it answered; cut short, nothing is left" {
	start_wharfd --writable
	timeout 20 python3 - "$HPORT" "$WORK/big.bin" <<-'EOF'
	import socket, sys
	data = open(sys.argv[2], "rb").read()
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	# Some of the body comes with the head (read into the input buffer),
	# the rest (spliced) with the next request right behind it.
	s.sendall(b"PUT /spliced.bin HTTP/1.1\r\nHost: x\r\n"
	          b"Content-Length: %d\r\n\r\n" % len(data) + data[:1000])
	s.sendall(data[1000:] + b"GET /spliced.bin HTTP/1.1\r\nHost: x\r\n"
	          b"Connection: close\r\n\r\n")
	got = b""
	while True:
	    b = s.recv(1 << 20)
	    if not b:
	        break
	    got += b
	assert got.startswith(b"HTTP/1.1 201"), got[:100]
	second = got[got.index(b"HTTP/1.1 200"):]
	body = second.split(b"\r\n\r\n", 1)[1]
	assert body == data, (len(body), len(data))
	EOF
	cmp "$STORE/spliced.bin" "$WORK/big.bin"
	timeout 10 python3 - "$HPORT" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"PUT /cut.bin HTTP/1.1\r\nHost: x\r\n"
	          b"Content-Length: 3000000\r\n\r\n" + b"x" * 2000000)
	s.close()
	EOF
	wait_until 5 no_temporaries
	[ ! -e "$STORE/cut.bin" ]
}

@test "put: a body over 1 MiB goes from the socket into the temporary file by splice(2), not through the server's memory" {
	need_strace
	start_wharfd --writable --start-children 1 --min-spare 1 \
	    --max-spare 1 --max-children 1
	child=$(children)
	tracer_start "$WORK/calls" -y -e trace=splice -p "$child"
	run code -T "$WORK/big.bin" "http://127.0.0.1:$HPORT/spliced.bin"
	tracer_stop
	[ "$output" = 201 ]
	cmp "$STORE/spliced.bin" "$WORK/big.bin"
	cat "$WORK/calls"
	# from the socket into a pipe, and from the pipe into the file
	grep -q '^splice([0-9]*<socket:.*<pipe:' "$WORK/calls"
	grep -q '^splice([0-9]*<pipe:.*\.wharf-tmp\.' "$WORK/calls"
}

@test "post: multipart/form-data with several files stores them all" {
	start_wharfd --writable
	mkdir "$STORE/in"
	run code -F "file=@$WORK/one.txt" -F "file=@$WORK/two.txt" \
	    -F "file=@$WORK/big.bin" "http://127.0.0.1:$HPORT/in/"
	[ "$output" = 201 ]
	cmp "$STORE/in/one.txt" "$WORK/one.txt"
	cmp "$STORE/in/two.txt" "$WORK/two.txt"
	cmp "$STORE/in/big.bin" "$WORK/big.bin"
	# a browser's form (Accept: text/html) is sent back to the listing
	run code -H 'Accept: text/html' -F "file=@$WORK/2k.bin" \
	    "http://127.0.0.1:$HPORT/in/"
	[ "$output" = 303 ]
	tr -d '\r' <"$WORK/h" | grep -qi '^Location: /in/$'
	cmp "$STORE/in/2k.bin" "$WORK/2k.bin"
	no_temporaries
}

@test "post: an empty file part (no file chosen) is ignored" {
	start_wharfd --writable
	run code -F 'file=@/dev/null;filename=' "http://127.0.0.1:$HPORT/"
	[ "$output" = 200 ]
	[ -z "$(ls -A "$STORE")" ]
}

@test "limits: --max-upload gives 413 before the body, and nothing is kept" {
	start_wharfd --writable --max-upload 1K
	run code -T "$WORK/2k.bin" "http://127.0.0.1:$HPORT/x.bin"
	[ "$output" = 413 ]
	[ ! -e "$STORE/x.bin" ]
	# chunked: no length up front, refused once past the limit
	run code -H 'Transfer-Encoding: chunked' -T - \
	    "http://127.0.0.1:$HPORT/y.bin" <"$WORK/2k.bin"
	[ "$output" = 413 ]
	[ ! -e "$STORE/y.bin" ]
	run code -F "file=@$WORK/2k.bin" "http://127.0.0.1:$HPORT/"
	[ "$output" = 413 ]
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 201 ]
	no_temporaries
}

@test "no-clobber: an existing name is 409; ?keep stores 'name (1).ext'" {
	start_wharfd --writable --no-clobber
	printf 'old\n' >"$STORE/n.txt"
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/n.txt"
	[ "$output" = 409 ]
	[ "$(cat "$STORE/n.txt")" = old ]
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/n.txt?keep"
	[ "$output" = 201 ]
	[ "$(cat "$STORE/n (1).txt")" = first ]
	run code -F "file=@$WORK/two.txt;filename=n.txt" \
	    "http://127.0.0.1:$HPORT/?keep"
	[ "$output" = 201 ]
	[ "$(cat "$STORE/n (2).txt")" = second ]
	[ "$(cat "$STORE/n.txt")" = old ]
	run code -F "file=@$WORK/two.txt;filename=n.txt" \
	    "http://127.0.0.1:$HPORT/"
	[ "$output" = 409 ]
	no_temporaries
}

@test "delete: files and empty directories go; others get 404/409" {
	start_wharfd --writable
	printf 'x' >"$STORE/f"
	mkdir -p "$STORE/full/x" "$STORE/empty"
	run code -X DELETE "http://127.0.0.1:$HPORT/f"
	[ "$output" = 204 ]
	[ ! -e "$STORE/f" ]
	run code -X DELETE "http://127.0.0.1:$HPORT/empty/"
	[ "$output" = 204 ]
	[ ! -e "$STORE/empty" ]
	run code -X DELETE "http://127.0.0.1:$HPORT/full"
	[ "$output" = 409 ]
	run code -X DELETE "http://127.0.0.1:$HPORT/missing"
	[ "$output" = 404 ]
	run code -X DELETE "http://127.0.0.1:$HPORT/"
	[ "$output" = 403 ]
}

@test "mkdir: MKCOL, POST ?mkdir=NAME and the form's mkdir field" {
	start_wharfd --writable
	run code -X MKCOL "http://127.0.0.1:$HPORT/one"
	[ "$output" = 201 ]
	[ -d "$STORE/one" ]
	run code -X MKCOL "http://127.0.0.1:$HPORT/one"
	[ "$output" = 409 ]
	run code -X MKCOL "http://127.0.0.1:$HPORT/no/such/parent"
	[ "$output" = 409 ]
	run code -X POST "http://127.0.0.1:$HPORT/one/?mkdir=two%20words"
	[ "$output" = 201 ]
	[ -d "$STORE/one/two words" ]
	run code -F 'mkdir=three' "http://127.0.0.1:$HPORT/one/"
	[ "$output" = 200 ]
	[ -d "$STORE/one/three" ]
	run code -X POST "http://127.0.0.1:$HPORT/?mkdir=.."
	[ "$output" = 403 ]
	run code -F 'delete=three' "http://127.0.0.1:$HPORT/one/"
	[ "$output" = 200 ]
	[ ! -e "$STORE/one/three" ]
}

@test "read-only: every write is 405 with Allow" {
	printf 'keep' >"$STORE/k"
	start_wharfd
	for req in "-T $WORK/one.txt http://127.0.0.1:$HPORT/new" \
	    "-X DELETE http://127.0.0.1:$HPORT/k" \
	    "-X MKCOL http://127.0.0.1:$HPORT/d" \
	    "-F file=@$WORK/one.txt http://127.0.0.1:$HPORT/"; do
		# shellcheck disable=SC2086
		run code $req
		echo "$req: $output"
		[ "$output" = 405 ]
		tr -d '\r' <"$WORK/h" | grep -q '^Allow: GET, HEAD, OPTIONS$'
	done
	[ "$(cat "$STORE/k")" = keep ]
	[ "$(ls "$STORE")" = k ]
}

@test "auth: writes need a read-write user; 401 asks for Basic" {
	local hash
	hash=$(echo secret | "$WHARFD" --hash-password)
	printf 'alice:%s:rw\nbob:%s:ro\n' "$hash" "$hash" >"$WORK/users"
	start_wharfd --writable --user-file "$WORK/users"
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/a.txt"
	[ "$output" = 401 ]
	tr -d '\r' <"$WORK/h" | grep -q '^WWW-Authenticate: Basic realm="wharf"'
	[ ! -e "$STORE/a.txt" ]
	run code -u alice:wrong -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/a.txt"
	[ "$output" = 401 ]
	run code -u bob:secret -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/a.txt"
	[ "$output" = 403 ]
	run code -u alice:secret -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/a.txt"
	[ "$output" = 201 ]
	cmp "$STORE/a.txt" "$WORK/one.txt"
	# reading needs no login here
	run code "http://127.0.0.1:$HPORT/a.txt"
	[ "$output" = 200 ]
}

@test "auth: --anonymous none asks for a login on every request" {
	local hash
	hash=$(echo secret | "$WHARFD" --hash-password)
	printf 'carol:%s:ro\n' "$hash" >"$WORK/users"
	printf 'x' >"$STORE/f"
	start_wharfd --user-file "$WORK/users" --anonymous none
	run code "http://127.0.0.1:$HPORT/f"
	[ "$output" = 401 ]
	run code "http://127.0.0.1:$HPORT/"
	[ "$output" = 401 ]
	run code -u carol:secret "http://127.0.0.1:$HPORT/f"
	[ "$output" = 200 ]
}

@test "disk full: ENOSPC is 507 and nothing is left behind" {
	mkdir -p "$WORK/small"
	if ! mount -t tmpfs -o size=512k tmpfs "$WORK/small" 2>/dev/null; then
		skip "cannot mount a small tmpfs here (needs root)"
	fi
	MOUNTED=$WORK/small
	STORE=$WORK/small
	start_wharfd --writable --no-fsync
	run code -T "$WORK/big.bin" "http://127.0.0.1:$HPORT/full.bin"
	echo "$output"
	[ "$output" = 507 ]
	[ ! -e "$STORE/full.bin" ]
	no_temporaries
	# and the disk is usable again
	run code -T "$WORK/one.txt" "http://127.0.0.1:$HPORT/one.txt"
	[ "$output" = 201 ]
}

# wharf_get NAME OUT: fetch NAME over WHARF/1 with a raw socket; the
# payload is the size=N bytes after the 150 line, before the 226 line.
wharf_get() {
	timeout 20 python3 - "$WPORT" "$1" "$2" <<-'EOF'
	import re, socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"GET %s\r\nQUIT\r\n" % sys.argv[2].encode())
	got = b""
	while True:
	    b = s.recv(65536)
	    if not b:
	        break
	    got += b
	greeting, rest = got.split(b"\r\n", 1)
	reply, rest = rest.split(b"\r\n", 1)
	size = int(re.search(rb"size=(\d+)", reply).group(1))
	assert reply.startswith(b"150"), reply
	open(sys.argv[3], "wb").write(rest[:size])
	assert rest[size:].startswith(b"226"), rest[size:size + 40]
	EOF
}

# wharf_put FILE NAME: store FILE as NAME over WHARF/1.
wharf_put() {
	timeout 20 python3 - "$WPORT" "$1" "$2" <<-'EOF'
	import socket, sys, zlib
	data = open(sys.argv[2], "rb").read()
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	f = s.makefile("rb")
	assert f.readline().startswith(b"220")
	s.sendall(b"PUT %s size=%d\r\n" % (sys.argv[3].encode(), len(data)))
	line = f.readline()
	assert line.startswith(b"151"), line
	s.sendall(data + b"CRC32 %08x\r\n" % zlib.crc32(data))
	line = f.readline()
	assert line.startswith(b"226"), line
	s.sendall(b"QUIT\r\n")
	EOF
}

@test "interop: uploaded over HTTP, downloaded identically over WHARF/1" {
	start_wharfd --writable
	run code -T "$WORK/big.bin" "http://127.0.0.1:$HPORT/h2w.bin"
	[ "$output" = 201 ]
	wharf_get h2w.bin "$WORK/via-wharf"
	cmp "$WORK/via-wharf" "$WORK/big.bin"
	run code -F "f=@$WORK/2k.bin" "http://127.0.0.1:$HPORT/"
	wharf_get 2k.bin "$WORK/via-wharf2"
	cmp "$WORK/via-wharf2" "$WORK/2k.bin"
}

@test "interop: uploaded over WHARF/1, downloaded identically over HTTP" {
	start_wharfd --writable
	wharf_put "$WORK/big.bin" w2h.bin
	run code "http://127.0.0.1:$HPORT/w2h.bin"
	[ "$output" = 200 ]
	cmp "$WORK/body" "$WORK/big.bin"
	run code -r 1000-1999 "http://127.0.0.1:$HPORT/w2h.bin"
	[ "$output" = 206 ]
	cmp "$WORK/body" <(tail -c +1001 "$WORK/big.bin" | head -c 1000)
}
