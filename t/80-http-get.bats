#!/usr/bin/env bats
# t/80-http-get.bats: GET and HEAD over HTTP/1.1 with curl, wget, Python's
# http.client and raw sockets: bodies, Range, conditional requests, gzip,
# ?download, redirects, hostile names, pipelining, HTTP/1.0, and every
# malformed or oversized request getting its proper 4xx.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE/sub" "$STORE/evil.example"
	head -c 100000 /dev/urandom >"$STORE/big.bin"
	seq 1 3000 >"$STORE/text.txt"
	printf '0123456789abcdefghij' >"$STORE/small.txt"
	echo inside >"$STORE/sub/in.txt"
}

# raw SECONDS PYTHON...: connect to the HTTP port, send the bytes the
# Python statements put in `req`, print everything received until the
# server closes (then "<timeout>" if it did not), on one line: CR and LF
# shown as \r and \n.
raw() {
	local secs=$1
	shift
	timeout "$((secs + 5))" python3 - "$HPORT" "$secs" <<-EOF
	import socket, sys, time
	port, secs = int(sys.argv[1]), float(sys.argv[2])
	req = b""
	$*
	s = socket.create_connection(("127.0.0.1", port))
	s.settimeout(secs)
	s.sendall(req)
	got = b""
	try:
	    while True:
	        b = s.recv(65536)
	        if not b:
	            break
	        got += b
	except socket.timeout:
	    got += b"<timeout>"
	except ConnectionResetError:
	    got += b"<reset>"
	print(got.decode("latin-1").replace("\r", "\\\\r").replace("\n", "\\\\n"))
	EOF
}

# header NAME FILE: the value of a response header in a curl -D dump.
header() {
	tr -d '\r' <"$2" | awk -v n="$(echo "$1" | tr A-Z a-z)" '
	    { k = tolower(substr($0, 1, index($0, ":") - 1)) }
	    k == n { print substr($0, index($0, ":") + 2) }' | tail -1
}

@test "get: curl downloads a file byte for byte with length, type, ETag" {
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o "$WORK/got" \
	    "http://127.0.0.1:$HPORT/big.bin"
	cmp "$WORK/got" "$STORE/big.bin"
	[ "$(header content-length "$WORK/h")" = 100000 ]
	[ -n "$(header etag "$WORK/h")" ]
	[ -n "$(header last-modified "$WORK/h")" ]
	[ "$(header accept-ranges "$WORK/h")" = bytes ]
	# Random bytes: libmagic now and then finds a signature in them,
	# so only insist on a type that is not a page.
	[ -n "$(header content-type "$WORK/h")" ]
	[[ "$(header content-type "$WORK/h")" != text/html* ]]
	timeout 10 curl -sS -D "$WORK/h2" -o "$WORK/got2" \
	    "http://127.0.0.1:$HPORT/small.txt"
	cmp "$WORK/got2" "$STORE/small.txt"
	[[ "$(header content-type "$WORK/h2")" == "text/plain; charset="* ]]
}

@test "get: a file's type is detected once for the whole pool, again when it changes" {
	start_wharfd -v --start-children 4 --min-spare 2 --max-spare 4
	# Three connections open at once: three children, one client each.
	run timeout 20 python3 - "$HPORT" <<-'EOF'
	import http.client, sys
	port = int(sys.argv[1])
	conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10)
	         for _ in range(3)]
	for c in conns:
	    c.request("GET", "/text.txt")
	    r = c.getresponse()
	    r.read()
	    assert r.status == 200, r.status
	    print(r.getheader("Content-Type"))
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sort -u <<<"$output")" = "text/plain; charset=us-ascii" ]
	# Three children served, libmagic ran in one of them.
	wait_until 5 grep -q "connection from.*" "$WHARFD_LOG"
	[ "$(grep -E 'child [0-9]+: debug: connection from' "$WHARFD_LOG" |
	    grep -oE 'child [0-9]+' | sort -u | wc -l)" -ge 3 ]
	[ "$(grep -c 'content type of text.txt: ' "$WHARFD_LOG")" -eq 1 ]
	# A new size (a new identity) is examined again, and the type follows.
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0' \
	    >"$STORE/text.txt"
	timeout 10 curl -sS -D "$WORK/h" -o /dev/null "http://127.0.0.1:$HPORT/text.txt"
	[ "$(header content-type "$WORK/h")" = image/png ]
	[ "$(grep -c 'content type of text.txt: ' "$WHARFD_LOG")" -eq 2 ]
}

@test "get: a child keeps none of the magic database mapped after a look" {
	start_wharfd -v --start-children 2 --min-spare 1 --max-spare 2
	head -c 16384 /dev/urandom >"$STORE/noise"
	timeout 10 curl -sS -o /dev/null -D "$WORK/h" \
	    "http://127.0.0.1:$HPORT/noise"
	[ "$(header content-type "$WORK/h")" != "" ]
	wait_until 5 grep -q 'content type of noise: ' "$WHARFD_LOG"
	# Bytes that match nothing walk the whole database (5.8 MB of it
	# stayed mapped in that child); now none of it stays, in any child.
	local pid kb total=0
	for pid in $WHARFD_PID $(children); do
		kb=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { db = ($NF ~ /\.mgc$/) }
		    db && $1 == "Rss:" { s += $2 } END { print s + 0 }' \
		    "/proc/$pid/smaps")
		echo "$pid: $kb kB of *.mgc"
		total=$((total + kb))
	done
	[ "$total" -lt 1024 ]
	# And the next look, in whichever child, still reads the database.
	printf '%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n' \
	    >"$STORE/doc"
	timeout 10 curl -sS -o /dev/null -D "$WORK/h" \
	    "http://127.0.0.1:$HPORT/doc"
	[[ "$(header content-type "$WORK/h")" == application/pdf* ]]
}

@test "get: wget downloads a file identically" {
	start_wharfd
	(cd "$WORK" && timeout 10 wget -q -O wgot \
	    "http://127.0.0.1:$HPORT/big.bin")
	cmp "$WORK/wgot" "$STORE/big.bin"
}

@test "head: same headers as GET, no body" {
	start_wharfd
	timeout 10 curl -sS -I -o "$WORK/h" "http://127.0.0.1:$HPORT/big.bin"
	head -1 "$WORK/h" | grep -q '^HTTP/1.1 200'
	[ "$(header content-length "$WORK/h")" = 100000 ]
	# then a GET on the same connection still works: no stray body
	run timeout 10 curl -sS -o /dev/null -w '%{http_code} ' -I \
	    "http://127.0.0.1:$HPORT/big.bin" --next -o "$WORK/g" \
	    -w '%{http_code} %{num_connects}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = "200 200 0" ]
	cmp "$WORK/g" "$STORE/small.txt"
}

@test "range: single, open-ended and suffix ranges get 206 and the bytes" {
	start_wharfd
	run timeout 10 curl -sS -r 10-19 -D "$WORK/h" -o "$WORK/r" \
	    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 206 ]
	[ "$(cat "$WORK/r")" = abcdefghij ]
	[ "$(header content-range "$WORK/h")" = "bytes 10-19/20" ]
	[ "$(header content-length "$WORK/h")" = 10 ]
	[ "$(timeout 10 curl -sS -r 15- "http://127.0.0.1:$HPORT/small.txt")" = fghij ]
	[ "$(timeout 10 curl -sS -r -3 "http://127.0.0.1:$HPORT/small.txt")" = hij ]
	timeout 10 curl -sS -r 50000-50999 -o "$WORK/big" \
	    "http://127.0.0.1:$HPORT/big.bin"
	cmp "$WORK/big" <(tail -c +50001 "$STORE/big.bin" | head -c 1000)
}

@test "get: a file of several sendfile calls, whole, ranged and after HEAD, on one connection" {
	# 1 MiB + 123 bytes: more than one CONN_SENDFILE_MAX call, and the
	# head rides in the body's first segment (MSG_MORE). A head that
	# were held with nothing after it would time out here.
	head -c 1048699 /dev/urandom >"$STORE/multi.bin"
	start_wharfd
	run timeout 30 python3 - "$HPORT" "$STORE/multi.bin" <<-'EOF'
	import http.client, sys, time
	data = open(sys.argv[2], "rb").read()
	c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=3)
	def get(method, path, hdrs={}):
	    c.request(method, path, headers=hdrs)
	    r = c.getresponse()
	    return r.status, r.getheader("Content-Length"), r.read()
	st, n, b = get("GET", "/multi.bin")
	print("whole", st, n, b == data)
	st, n, b = get("HEAD", "/multi.bin")
	print("head", st, n, len(b))
	st, n, b = get("GET", "/multi.bin", {"Range": "bytes=300000-800000"})
	print("range", st, n, b == data[300000:800001])
	st, n, b = get("GET", "/multi.bin", {"Range": "bytes=1048600-"})
	print("tail", st, n, b == data[1048600:])
	st, n, b = get("GET", "/small.txt")
	print("small", st, n, b)
	# A head held for a body that never comes goes out only on the
	# kernel's ~200 ms timer: twenty of them would take 4 s.
	t = time.monotonic()
	for i in range(20):
	    get("HEAD", "/multi.bin")
	    get("GET", "/multi.bin", {"Range": "bytes=5-5"})
	print("held", "yes" if time.monotonic() - t > 3 else "no")
	EOF
	echo "$output"
	[ "$status" = 0 ]
	[ "${lines[0]}" = "whole 200 1048699 True" ]
	[ "${lines[1]}" = "head 200 1048699 0" ]
	[ "${lines[2]}" = "range 206 500001 True" ]
	[ "${lines[3]}" = "tail 206 99 True" ]
	[ "${lines[4]}" = "small 200 20 b'0123456789abcdefghij'" ]
	[ "${lines[5]}" = "held no" ]
}

@test "range: several ranges come as multipart/byteranges" {
	start_wharfd
	run timeout 10 curl -sS -r 0-1,5-6 -D "$WORK/h" -o "$WORK/r" \
	    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 206 ]
	[[ "$(header content-type "$WORK/h")" == "multipart/byteranges; boundary="* ]]
	[ "$(header content-length "$WORK/h")" -eq "$(wc -c <"$WORK/r")" ]
	run python3 - "$WORK/h" "$WORK/r" <<-'EOF'
	import email, sys
	head = open(sys.argv[1], "rb").read().split(b"\r\n", 1)[1]
	msg = email.message_from_bytes(head + open(sys.argv[2], "rb").read())
	for part in msg.get_payload():
	    print(part["Content-Range"], part.get_payload())
	EOF
	[ "${lines[0]}" = "bytes 0-1/20 01" ]
	[ "${lines[1]}" = "bytes 5-6/20 56" ]
	# overlapping ranges are coalesced into one
	run timeout 10 curl -sS -r 0-4,3-7 -D "$WORK/h2" \
	    "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 01234567 ]
	[ "$(header content-range "$WORK/h2")" = "bytes 0-7/20" ]
}

@test "range: unsatisfiable is 416 with Content-Range: bytes */size" {
	start_wharfd
	run timeout 10 curl -sS -r 100-200 -D "$WORK/h" -o /dev/null \
	    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 416 ]
	[ "$(header content-range "$WORK/h")" = "bytes */20" ]
	# a malformed Range is ignored: the whole file
	run timeout 10 curl -sS -H 'Range: bytes=9-2' -w ' %{http_code}' \
	    "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = "0123456789abcdefghij 200" ]
}

@test "conditional: If-None-Match and If-Modified-Since give 304" {
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o /dev/null \
	    "http://127.0.0.1:$HPORT/small.txt"
	etag=$(header etag "$WORK/h")
	lm=$(header last-modified "$WORK/h")
	run timeout 10 curl -sS -H "If-None-Match: $etag" -D "$WORK/h2" \
	    -o "$WORK/b" -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 304 ]
	[ ! -s "$WORK/b" ]
	[ "$(header etag "$WORK/h2")" = "$etag" ]
	run timeout 10 curl -sS -H "If-None-Match: \"other\", W/$etag" \
	    -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 304 ]
	run timeout 10 curl -sS -H "If-Modified-Since: $lm" -o /dev/null \
	    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 304 ]
	run timeout 10 curl -sS -H 'If-None-Match: "nope"' -o /dev/null \
	    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 200 ]
	# a changed file no longer matches
	printf 'changed' >>"$STORE/small.txt"
	run timeout 10 curl -sS -H "If-None-Match: $etag" -o /dev/null \
	    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = 200 ]
}

@test "conditional: dates in all three HTTP-date forms, Last-Modified exact" {
	local when d
	# This year's, so that RFC 850's two digits mean it for 50 years.
	when="$(date -u +%Y)-01-02 03:04:05 UTC"
	touch -d "$when" "$STORE/small.txt"
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o /dev/null \
	    "http://127.0.0.1:$HPORT/small.txt"
	[ "$(header last-modified "$WORK/h")" = \
	    "$(LC_ALL=C date -u -d "$when" '+%a, %d %b %Y %H:%M:%S GMT')" ]
	for f in '+%a, %d %b %Y %H:%M:%S GMT' '+%A, %d-%b-%y %H:%M:%S GMT' \
	    '+%a %b %e %H:%M:%S %Y'; do
		d=$(LC_ALL=C date -u -d "$when" "$f")
		run timeout 10 curl -sS -H "If-Modified-Since: $d" -o /dev/null \
		    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
		echo "$d: $output"
		[ "$output" = 304 ]
	done
	# a second earlier, not a date, or later than now: the file
	for d in "$(LC_ALL=C date -u -d "$when -1 sec" '+%a %b %e %H:%M:%S %Y')" \
	    "$(LC_ALL=C date -u -d "$when" '+%a, %d %b %Y %H:%M:%S')" \
	    'yesterday' \
	    "$(LC_ALL=C date -u -d 'now + 2 days' '+%a, %d %b %Y %H:%M:%S GMT')"; do
		run timeout 10 curl -sS -H "If-Modified-Since: $d" -o /dev/null \
		    -w '%{http_code}' "http://127.0.0.1:$HPORT/small.txt"
		echo "$d: $output"
		[ "$output" = 200 ]
	done
	d=$(LC_ALL=C date -u -d "$when" '+%a %b %e %H:%M:%S %Y')
	run timeout 10 curl -sS -r 0-3 -H "If-Range: $d" \
	    -w ' %{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = "0123 206" ]
}

@test "conditional: If-Range with the current ETag gets 206, a stale one 200" {
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o /dev/null \
	    "http://127.0.0.1:$HPORT/small.txt"
	etag=$(header etag "$WORK/h")
	run timeout 10 curl -sS -r 0-3 -H "If-Range: $etag" \
	    -w ' %{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = "0123 206" ]
	run timeout 10 curl -sS -r 0-3 -H 'If-Range: "stale"' \
	    -w ' %{http_code}' "http://127.0.0.1:$HPORT/small.txt"
	[ "$output" = "0123456789abcdefghij 200" ]
}

@test "gzip: text is compressed when accepted, with Vary" {
	start_wharfd
	timeout 10 curl -sS -H 'Accept-Encoding: gzip' -D "$WORK/h" \
	    -o "$WORK/t.gz" "http://127.0.0.1:$HPORT/text.txt"
	[ "$(header content-encoding "$WORK/h")" = gzip ]
	[[ "$(header vary "$WORK/h")" == *Accept-Encoding* ]]
	gunzip -c "$WORK/t.gz" | cmp - "$STORE/text.txt"
	[ "$(wc -c <"$WORK/t.gz")" -lt "$(wc -c <"$STORE/text.txt")" ]
	timeout 10 curl -sS --compressed -o "$WORK/t" \
	    "http://127.0.0.1:$HPORT/text.txt"
	cmp "$WORK/t" "$STORE/text.txt"
	# a large text file streams (chunked) and still round-trips
	seq 1 200000 >"$STORE/large.txt"
	timeout 10 curl -sS --compressed -D "$WORK/h3" -o "$WORK/l" \
	    "http://127.0.0.1:$HPORT/large.txt"
	[ "$(header content-encoding "$WORK/h3")" = gzip ]
	cmp "$WORK/l" "$STORE/large.txt"
	# not without Accept-Encoding
	timeout 10 curl -sS -D "$WORK/h2" -o /dev/null \
	    "http://127.0.0.1:$HPORT/text.txt"
	[ -z "$(header content-encoding "$WORK/h2")" ]
}

@test "gzip: not on ranges, not on PNG images, not when q=0" {
	python3 -c '
import struct, zlib, sys
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\0" + bytes(range(256))[:64] * 3 for _ in range(64))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)' "$STORE/pic.png"
	start_wharfd
	timeout 10 curl -sS -H 'Accept-Encoding: gzip' -r 0-99 -D "$WORK/h" \
	    -o "$WORK/r" "http://127.0.0.1:$HPORT/text.txt"
	[ -z "$(header content-encoding "$WORK/h")" ]
	cmp "$WORK/r" <(head -c 100 "$STORE/text.txt")
	timeout 10 curl -sS -H 'Accept-Encoding: gzip' -D "$WORK/h2" \
	    -o "$WORK/p" "http://127.0.0.1:$HPORT/pic.png"
	[ -z "$(header content-encoding "$WORK/h2")" ]
	[ "$(header content-type "$WORK/h2")" = image/png ]
	cmp "$WORK/p" "$STORE/pic.png"
	timeout 10 curl -sS -H 'Accept-Encoding: gzip;q=0' -D "$WORK/h3" \
	    -o /dev/null "http://127.0.0.1:$HPORT/text.txt"
	[ -z "$(header content-encoding "$WORK/h3")" ]
}

@test "gzip: a precompressed name.gz beside the file is sent when not older" {
	seq 1 500 >"$STORE/pre.txt"
	printf 'marker\n' | gzip -c >"$STORE/pre.txt.gz"
	touch -d '1 hour ago' "$STORE/pre.txt"
	start_wharfd
	timeout 10 curl -sS -H 'Accept-Encoding: gzip' -D "$WORK/h" \
	    -o "$WORK/g" "http://127.0.0.1:$HPORT/pre.txt"
	cmp "$WORK/g" "$STORE/pre.txt.gz"
	[ "$(header content-encoding "$WORK/h")" = gzip ]
	[[ "$(header content-type "$WORK/h")" == text/plain* ]]
	# without gzip: the file itself
	timeout 10 curl -sS -o "$WORK/p" "http://127.0.0.1:$HPORT/pre.txt"
	cmp "$WORK/p" "$STORE/pre.txt"
	# an older .gz is ignored
	touch -d '2 hours ago' "$STORE/pre.txt.gz"
	timeout 10 curl -sS -H 'Accept-Encoding: gzip' -o "$WORK/g2" \
	    "http://127.0.0.1:$HPORT/pre.txt"
	gunzip -c "$WORK/g2" | cmp - "$STORE/pre.txt"
}

@test "download: ?download sets Content-Disposition with filename*" {
	printf 'x' >"$STORE/été \"q\".txt"
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o /dev/null \
	    "http://127.0.0.1:$HPORT/%C3%A9t%C3%A9%20%22q%22.txt?download"
	cd=$(header content-disposition "$WORK/h")
	echo "$cd"
	[ "$cd" = "attachment; filename=\"__t__ _q_.txt\"; filename*=UTF-8''%C3%A9t%C3%A9%20%22q%22.txt" ]
}

@test "redirect: a directory without its slash gets 301 to a path-only Location" {
	start_wharfd
	run timeout 10 curl -sS -D "$WORK/h" -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$HPORT/sub?json"
	[ "$output" = 301 ]
	[ "$(header location "$WORK/h")" = "/sub/?json" ]
	# "//evil.example" must not become a protocol-relative redirect
	run raw 5 'req = b"GET //evil.example HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
	echo "$output"
	[[ "$output" == *"Location: /evil.example/\\r\\n"* ]]
	[[ "$output" != *"Location: //"* ]]
	run timeout 10 curl -sS -L "http://127.0.0.1:$HPORT/sub/in.txt"
	[ "$output" = inside ]
}

@test "names: hostile names round-trip through URLs and the JSON listing" {
	python3 - "$STORE" <<-'EOF'
	import os, sys
	names = ['a<b>.txt', 'q"uote', 'hash#tag', 'what?.txt', '100%',
	         'sp ace s', 'new\nline', 'caf\u00e9 \u2603.txt', "it's&amp"]
	for i, n in enumerate(names):
	    with open(os.path.join(sys.argv[1], n), "wb") as f:
	        f.write(("content %d of %r\n" % (i, n)).encode())
	EOF
	start_wharfd
	run timeout 20 python3 - "$HPORT" "$STORE" <<-'EOF'
	import http.client, json, os, sys, urllib.parse
	port, store = int(sys.argv[1]), sys.argv[2]
	c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
	c.request("GET", "/?json")
	r = c.getresponse()
	listing = json.loads(r.read())
	got = {e["name"]: e for e in listing["entries"]}
	for n in os.listdir(store):
	    assert n in got, n
	    if not os.path.isfile(os.path.join(store, n)):
	        continue
	    c.request("GET", "/" + urllib.parse.quote(n))
	    r = c.getresponse()
	    body = r.read()
	    assert r.status == 200, (n, r.status)
	    assert body == open(os.path.join(store, n), "rb").read(), n
	    # the listing's url field works as well
	    c.request("GET", "/" + got[n]["url"])
	    r = c.getresponse()
	    assert r.read() == body, n
	    for k, v in r.getheaders():
	        assert "\n" not in v and "\r" not in v
	print("ok", len(got))
	EOF
	echo "$output"
	[ "${lines[-1]}" = "ok 14" ]	# 12 files, 2 directories
}

@test "names: no header carries a CR or LF from a file name" {
	mkdir "$STORE/dir
Set-Cookie: x=1"
	printf 'x' >"$STORE/f
Location: evil"
	start_wharfd
	run raw 5 'req = b"GET /dir%0ASet-Cookie:%20x=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /f%0ALocation:%20evil?download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
	echo "$output"
	[[ "$output" == *"HTTP/1.1 301 "* ]]
	[[ "$output" == *"Location: /dir%0ASet-Cookie:%20x=1/\\r\\n"* ]]
	[[ "$output" == *"filename*=UTF-8''f%0ALocation%3A%20evil\\r\\n"* ]]
	[[ "$output" != *"\\nSet-Cookie"* ]]
	[[ "$output" != *"\\nLocation: evil"* ]]
}

@test "paths: '..' in any encoding never escapes; %00 is 400" {
	start_wharfd
	for p in /../../../etc/passwd /%2e%2e/%2e%2e/etc/passwd \
	    /sub/%2E%2E/%2E%2E/etc/passwd /sub/..%2f..%2fetc/passwd \
	    '/..%5c..%5cetc/passwd'; do
		run raw 5 "req = b'GET $p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'"
		echo "$p: $output"
		[[ "$output" == "HTTP/1.1 40"[034]* ]]
		[[ "$output" != *root:* ]]
	done
	run raw 5 'req = b"GET /small.txt%00.png HTTP/1.1\r\nHost: x\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 400 "* ]]
	run raw 5 'req = b"GET /bad%zzescape HTTP/1.1\r\nHost: x\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 400 "* ]]
	# hidden names are not served
	echo secret >"$STORE/.wharf-tmp.x"
	run timeout 10 curl -sS -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$HPORT/.wharf-tmp.x"
	[ "$output" = 404 ]
}

@test "pipelining: several requests in one send are answered in order" {
	start_wharfd
	run timeout 20 python3 - "$HPORT" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.settimeout(5)
	paths = ["/small.txt", "/sub/in.txt", "/nope", "/text.txt"]
	req = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p.encode()
	               for p in paths)
	req += b"HEAD /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	s.sendall(req)
	got = b""
	while True:
	    b = s.recv(65536)
	    if not b:
	        break
	    got += b
	for i in range(5):
	    head, got = got.split(b"\r\n\r\n", 1)
	    lines = head.decode().split("\r\n")
	    h = dict(l.lower().split(": ", 1) for l in lines[1:])
	    n = 0 if i == 4 else int(h["content-length"])
	    body, got = got[:n], got[n:]
	    print(lines[0].split()[1], len(body), h["content-length"])
	print("left", len(got))
	EOF
	echo "$output"
	[ "${lines[0]}" = "200 20 20" ]
	[ "${lines[1]}" = "200 7 7" ]
	[[ "${lines[2]}" == "404 "* ]]
	[[ "${lines[3]}" == "200 "* ]]
	[ "${lines[4]}" = "200 0 20" ]
	[ "${lines[5]}" = "left 0" ]
}

@test "keep-alive: curl reuses one connection for many requests" {
	start_wharfd
	run timeout 10 curl -sS -o /dev/null -o /dev/null -o /dev/null \
	    -w '%{num_connects}' "http://127.0.0.1:$HPORT/small.txt" \
	    "http://127.0.0.1:$HPORT/sub/" "http://127.0.0.1:$HPORT/big.bin"
	[ "$output" = 100 ]
}

# holders FILE: pids of the master's children that hold FILE open.
holders() {
	local pid
	for pid in $(children); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF -- "$1" &&
		    echo "$pid"
	done
	return 0
}

# nobody_holds FILE: no child has FILE open (for wait_until).
nobody_holds() {
	[ -z "$(holders "$1")" ]
}

@test "keep-alive: a file asked for again on one connection is fresh after every change" {
	start_wharfd
	printf 'first' >"$STORE/c.txt"
	timeout 20 python3 - "$HPORT" "$STORE" >"$WORK/out" <<-'EOF'
	import http.client, os, subprocess, sys, time
	port, store = int(sys.argv[1]), sys.argv[2]
	f = os.path.join(store, "c.txt")
	c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
	def get():
	    c.request("GET", "/c.txt")
	    r = c.getresponse()
	    return "%d %s %s" % (r.status, r.read().decode(), r.getheader("ETag"))
	print("1", get())
	print("1b", get())
	with open(f, "r+") as o:          # in place, same inode, same size
	    o.write("FIRST")
	print("2", get())
	with open(f + ".new", "w") as o:  # an upload: a new inode renamed in
	    o.write("second!")
	os.rename(f + ".new", f)
	print("3", get())
	os.unlink(f)
	print("4", get())
	with open(f, "w") as o:
	    o.write("third")
	print("5", get())
	os.mkdir(f + ".d")
	os.unlink(f)
	os.symlink("c.txt.d", f)          # now a directory, through a symlink
	print("6", get().split()[0])
	os.unlink(f)
	with open(f, "w") as o:
	    o.write("fourth")
	print("7", get())
	sys.stdout.flush()
	# Held open while the connection lasts; the test looks now.
	print("pids", subprocess.run(["sh", "-c", "ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c 'c.txt$' || true"],
	      capture_output=True, text=True).stdout.strip())
	c.close()
	EOF
	cat "$WORK/out"
	etag1=$(awk '$1 == "1" { print $4 }' "$WORK/out")
	grep -qx "1 200 first $etag1" "$WORK/out"
	grep -qx "1b 200 first $etag1" "$WORK/out"
	grep -q '^2 200 FIRST ' "$WORK/out"
	grep -q '^3 200 second! ' "$WORK/out"
	run ! grep -q "^3 200 second! $etag1\$" "$WORK/out"
	grep -q '^4 404 ' "$WORK/out"
	grep -q '^5 200 third ' "$WORK/out"
	grep -qx '6 301' "$WORK/out"
	grep -q '^7 200 fourth ' "$WORK/out"
	# The child kept the file open between the requests...
	[ "$(awk '$1 == "pids" { print $2 }' "$WORK/out")" -ge 1 ]
	# ... and lets it go once idle (a second after the connection): a
	# deleted file's space is not held by a child waiting for a client.
	rm "$STORE/c.txt"
	wait_until 5 nobody_holds "$STORE/c.txt"
}

@test "file cache: a busy child serves a file again to a new connection without opening it; idle a second, it lets it go" {
	need_strace
	start_wharfd --start-children 1 --min-spare 1 --max-spare 1 \
	    --max-children 1
	child=$(children)
	url=http://127.0.0.1:$HPORT/small.txt
	tracer_start "$WORK/opens" -e trace=openat2 -p "$child"
	# Two connections, one after the other: the file is opened once.
	timeout 10 curl -sf -o /dev/null "$url"
	timeout 10 curl -sf -o /dev/null "$url"
	# After a second with no client, the next one opens it again.
	sleep 2
	timeout 10 curl -sf -o "$WORK/got" "$url"
	tracer_stop
	cat "$WORK/opens"
	[ "$(grep -c '"small.txt"' "$WORK/opens")" -eq 2 ]
	cmp "$WORK/got" "$STORE/small.txt"
}

@test "http/1.0: answered, then closed unless keep-alive is asked" {
	start_wharfd
	run raw 5 'req = b"GET /small.txt HTTP/1.0\r\n\r\n"'
	echo "$output"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *"Connection: close"* ]]
	[[ "$output" == *"0123456789abcdefghij" ]]
	run raw 2 'req = b"GET /small.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"'
	[[ "$output" == *"Connection: keep-alive"* ]]
	[[ "$output" == *"<timeout>" ]]
	# a directory listing (length unknown up front) still ends properly
	run raw 5 'req = b"GET /?json HTTP/1.0\r\n\r\n"'
	[[ "$output" == *'"entries"'* ]]
}

@test "malformed: each broken request gets its 4xx/5xx, never a hang" {
	start_wharfd
	while IFS='|' read -r want req; do
		run raw 5 "req = $req"
		echo "$want <- $req: ${output:0:60}"
		[[ "$output" == "HTTP/1.1 $want "* ]]
	done <<-'EOF'
	400|b"GARBAGE\r\n\r\n"
	400|b"GET / HTTP/1.1\r\n\r\n"
	400|b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"
	400|b"GET / HTTP/1.1\r\nHost: x\r\n folded: x\r\n\r\n"
	400|b"GET noslash HTTP/1.1\r\nHost: x\r\n\r\n"
	400|b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	400|b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
	400|b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n"
	501|b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"
	501|b"PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
	505|b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"
	405|b"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"
	405|b"DELETE /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	404|b"GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	EOF
	# error responses carry a short text body
	run raw 5 'req = b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"'
	[[ "$output" == *"Content-Type: text/plain"* ]]
	[[ "$output" == *"501 Not Implemented"*"\\n" ]]
	run raw 5 'req = b"DELETE /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
	[[ "$output" == *"Allow: GET, HEAD, OPTIONS\\r\\n"* ]]
	[ -f "$STORE/small.txt" ]
}

@test "limits: request line over 8 KiB is 414, at 8 KiB is fine" {
	start_wharfd
	# "GET /small.txt?" + query + " HTTP/1.1" is 24 bytes plus the query
	run raw 5 'req = b"GET /small.txt?" + b"q" * (8192 - 24) + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 200 "* ]]
	run raw 5 'req = b"GET /small.txt?" + b"q" * (8193 - 24) + b" HTTP/1.1\r\nHost: x\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 414 "* ]]
	# without its end, too: answered at once, not after a timeout
	run raw 5 'req = b"GET /" + b"a" * 20000'
	[[ "$output" == "HTTP/1.1 414 "* ]]
}

@test "limits: headers over 16 KiB or over 100 fields are 431" {
	start_wharfd
	run raw 5 'req = b"GET /small.txt HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 16000 + b"\r\nConnection: close\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 200 "* ]]
	run raw 5 'req = b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 16400 + b"\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 431 "* ]]
	run raw 5 'req = b"GET /small.txt HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(98)) + b"Connection: close\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 200 "* ]]
	run raw 5 'req = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(100)) + b"\r\n"'
	[[ "$output" == "HTTP/1.1 431 "* ]]
}

@test "limits: a header not complete within --header-timeout is 408" {
	start_wharfd --header-timeout 1
	start=$SECONDS
	run raw 6 'req = b"GET / HTTP/1.1\r\nHost: x\r\n"'
	echo "$output"
	[[ "$output" == "HTTP/1.1 408 "* ]]
	[ $((SECONDS - start)) -lt 5 ]
}

@test "options: OPTIONS lists the allowed methods" {
	start_wharfd
	run raw 5 'req = b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
	[[ "$output" == "HTTP/1.1 204 "* ]]
	[[ "$output" == *"Allow: GET, HEAD, OPTIONS"* ]]
}

# lowat_of PORT: "listener VALUE" and "peer VALUE" lines for the daemon's
# sockets on PORT (t/lib/sockopt.py), while a client holds a connection
# with half a request sent, so that a child has accepted it.
lowat_of() {
	local port=$1 sockopt=$T_SRCDIR/lib/sockopt.py
	exec 4<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET / HTTP/1.1\r\n' >&4
	wait_until 10 eval '[ "$(python3 "$sockopt" "$port" $(children) \
	    2>/dev/null | grep -c peer)" -gt 0 ]'
	python3 "$sockopt" "$port" "$WHARFD_PID" $(children) |
	    cut -d' ' -f2- | sort -u
	exec 4>&-
}

@test "send: connections keep at most --notsent-lowat unsent (32 KiB by default, as given, the system's with 0)" {
	# Long enough a header deadline for a slow machine's half request.
	start_wharfd --start-children 2 --header-timeout 60
	run python3 "$T_SRCDIR/lib/sockopt.py" "$HPORT" "$WHARFD_PID"
	[ "$status" -ne 2 ] || skip "pidfd_getfd(2) is not allowed here"
	run lowat_of "$HPORT"
	echo "$output"
	[ "$output" = "listener 32768
peer 32768" ]
	run lowat_of "$WPORT"
	[ "$output" = "listener 32768
peer 32768" ]
	stop_wharfd
	start_wharfd --start-children 2 --header-timeout 60 --notsent-lowat 1M
	run lowat_of "$HPORT"
	[ "$output" = "listener 1048576
peer 1048576" ]
	stop_wharfd
	start_wharfd --start-children 2 --header-timeout 60 --notsent-lowat 0
	run lowat_of "$HPORT"
	echo "$output"
	[ "$output" = "listener 0
peer 0" ]
}
