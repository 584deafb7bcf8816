#!/usr/bin/env bats
# t/82-http-listing.bats: directory listings over HTTP (the HTML page with
# escaped names, the JSON listing), the page's assets, ?tar.gz archives,
# the --status view and the --access-log.

load helpers

setup() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE/sub/deeper" "$STORE/empty dir"
	printf 'hello\n' >"$STORE/a.txt"
	printf '<b>' >"$STORE/<script>alert(1)<"
	printf 'amp' >"$STORE/a&b \"q\" 'r'"
	head -c 5000 /dev/urandom >"$STORE/sub/deeper/blob.bin"
	printf 'nested\n' >"$STORE/sub/n.txt"
	echo secret >"$STORE/.wharf-tmp.hidden"
}

@test "listing: the HTML page escapes names and URL-encodes links" {
	start_wharfd
	run timeout 10 curl -sS -D "$WORK/h" "http://127.0.0.1:$HPORT/"
	[ "$status" -eq 0 ]
	grep -qi '^Content-Type: text/html; charset=utf-8' "$WORK/h"
	[[ "$output" == *'&lt;script&gt;alert(1)&lt;'* ]]
	[[ "$output" != *'<script>alert'* ]]
	[[ "$output" == *'href="./%3Cscript%3Ealert(1)%3C"'* ]]
	[[ "$output" == *'a&amp;b &quot;q&quot; &#39;r&#39;'* ]]
	[[ "$output" == *'href="./a%26b%20%22q%22%20%27r%27"'* ]]
	[[ "$output" == *'href="./empty%20dir/"'* ]]
	[[ "$output" != *wharf-tmp* ]]
	# the template was used: assets linked
	[[ "$output" == *'/.wharf/wharf.css?v='* ]]
	[[ "$output" == *'/.wharf/wharf.js?v='* ]]
}

@test "listing: breadcrumbs link every parent" {
	start_wharfd
	run timeout 10 curl -sS "http://127.0.0.1:$HPORT/sub/deeper/"
	[[ "$output" == *'<a href="/">/</a><a href="/sub/">sub</a>/<a href="/sub/deeper/">deeper</a>/'* ]]
	[[ "$output" == *'blob.bin'* ]]
}

@test "listing: ?json parses and says name, type, size, mtime, url" {
	start_wharfd
	run timeout 10 python3 - "$HPORT" "$STORE" <<-'EOF'
	import http.client, json, os, sys
	port, store = int(sys.argv[1]), sys.argv[2]
	c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
	for path, headers in (("/?json", {}),
	                      ("/", {"Accept": "application/json"})):
	    c.request("GET", path, headers=headers)
	    r = c.getresponse()
	    assert r.getheader("Content-Type") == "application/json"
	    j = json.loads(r.read())
	    byname = {e["name"]: e for e in j["entries"]}
	    want = sorted(n for n in os.listdir(store) if not n.startswith(".wharf-"))
	    assert sorted(byname) == want, (sorted(byname), want)
	    assert byname["a.txt"]["type"] == "file"
	    assert byname["a.txt"]["size"] == 6
	    assert byname["sub"]["type"] == "dir"
	    assert byname["sub"]["url"] == "sub/"
	    assert byname["a.txt"]["mtime"] == int(os.stat(store + "/a.txt").st_mtime)
	    assert j["path"] == "/"
	print("ok")
	EOF
	echo "$output"
	[ "$output" = ok ]
}

@test "listing: a large directory streams and stays valid JSON" {
	mkdir "$STORE/many"
	(cd "$STORE/many" && seq -f 'file-with-a-longish-name-%05g.txt' 1 3000 |
	    xargs touch)
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o "$WORK/j" \
	    "http://127.0.0.1:$HPORT/many/?json"
	grep -qi '^Transfer-Encoding: chunked' "$WORK/h"
	run python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$WORK/j"
	[ "$output" = 3000 ]
	timeout 10 curl -sS -o "$WORK/html" "http://127.0.0.1:$HPORT/many/"
	[ "$(grep -c '<tr class="file">' "$WORK/html")" = 3000 ]
	grep -q '</html>' "$WORK/html"
}

@test "listing: folders first, then names as people read them, in HTML and JSON" {
	mkdir -p "$STORE/ord/zdir" "$STORE/ord/Adir"
	for f in file10 file2 File1 a b08 b7 _x; do
		: >"$STORE/ord/$f"
	done
	start_wharfd
	want='Adir zdir _x a b7 b08 File1 file2 file10'
	run timeout 10 python3 -c '
import json, sys, urllib.request
print(" ".join(e["name"] for e in json.load(urllib.request.urlopen(
    "http://127.0.0.1:%s/ord/?json" % sys.argv[1]))["entries"]))' "$HPORT"
	[ "$output" = "$want" ]
	# Without JavaScript the page reads in the same order.
	timeout 10 curl -sS -o "$WORK/html" "http://127.0.0.1:$HPORT/ord/"
	run bash -c "grep -o 'href=\"./[^\"]*\"' '$WORK/html' |
	    sed 's|href=\"./||; s|/\\{0,1\\}\"\$||' | paste -sd ' '"
	[ "$output" = "$want" ]
}

@test "listing: up to 1,000 entries sorted; past that, every entry once" {
	mkdir "$STORE/many"
	(cd "$STORE/many" && seq -f 'n%04g' 1 1000 | shuf | xargs touch)
	start_wharfd
	order() {
		timeout 20 curl -sS -o "$WORK/j" \
		    "http://127.0.0.1:$HPORT/many/?json"
		python3 -c '
import json, sys
e = [x["name"] for x in json.load(open(sys.argv[1]))["entries"]]
print(len(e), len(set(e)), e == sorted(e))' "$WORK/j"
	}
	run order
	[ "$output" = "1000 1000 True" ]
	# One more: directory order, every entry exactly once.
	: >"$STORE/many/n1001"
	run order
	[[ "$output" == "1001 1001 "* ]]
}

@test "listing: HEAD of a directory sends headers only" {
	start_wharfd
	run timeout 10 curl -sS -I "http://127.0.0.1:$HPORT/sub/"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *"text/html"* ]]
}

@test "assets: wharf.css and wharf.js are served, cached and gzipped" {
	start_wharfd
	timeout 10 curl -sS -D "$WORK/h" -o "$WORK/css" \
	    "http://127.0.0.1:$HPORT/.wharf/wharf.css"
	cmp "$WORK/css" "$T_SRCDIR/../share/wharf.css"
	grep -qi '^Content-Type: text/css' "$WORK/h"
	etag=$(tr -d '\r' <"$WORK/h" | awk -F': ' 'tolower($1)=="etag" {print $2}')
	run timeout 10 curl -sS -o /dev/null -w '%{http_code}' \
	    -H "If-None-Match: $etag" "http://127.0.0.1:$HPORT/.wharf/wharf.css"
	[ "$output" = 304 ]
	timeout 10 curl -sS --compressed -D "$WORK/h2" -o "$WORK/js" \
	    "http://127.0.0.1:$HPORT/.wharf/wharf.js"
	cmp "$WORK/js" "$T_SRCDIR/../share/wharf.js"
	grep -qi '^Content-Encoding: gzip' "$WORK/h2"
	run timeout 10 curl -sS -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$HPORT/.wharf/index.html"
	[ "$output" = 404 ]
}

@test "assets: --share-dir must hold the page; a template is filled in" {
	mkdir "$WORK/share"
	printf '<p>{{path}}|{{rows}}|{{version}}</p>\n' >"$WORK/share/index.html"
	printf 'body{}' >"$WORK/share/wharf.css"
	printf ';' >"$WORK/share/wharf.js"
	start_wharfd --share-dir "$WORK/share"
	run timeout 10 curl -sS "http://127.0.0.1:$HPORT/sub/"
	echo "$output"
	[[ "$output" == "<p>/sub/|<tr class="* ]]
	[[ "$output" == *">deeper/</a>"*">n.txt</a>"* ||
	    "$output" == *">n.txt</a>"*">deeper/</a>"* ]]
	[[ "$output" == *"</tr>"$'\n'"|"*"</p>" ]]
	stop_wharfd
	run timeout 10 "$WHARFD" --root "$STORE" --port 0 --http-port 0 \
	    --listen 127.0.0.1 --share-dir "$WORK/nowhere"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--share-dir"* ]]
}

@test "tar.gz: ?tar.gz of a directory extracts to identical files" {
	# a name too long for ustar's 100 bytes: needs a pax header
	long=$(printf 'L%.0s' $(seq 150))
	mkdir -p "$STORE/sub/$long"
	printf 'long one\n' >"$STORE/sub/$long/$long.txt"
	printf 'spaces\n' >"$STORE/sub/with spaces.txt"
	ln -s /etc/passwd "$STORE/sub/escape"
	ln -s n.txt "$STORE/sub/inside"
	echo hidden >"$STORE/sub/.wharf-tmp.x"
	start_wharfd
	mkdir "$WORK/x"
	timeout 20 curl -sS -D "$WORK/h" -o "$WORK/sub.tar.gz" \
	    "http://127.0.0.1:$HPORT/sub/?tar.gz"
	grep -qi '^Content-Type: application/gzip' "$WORK/h"
	grep -qi '^Content-Disposition: attachment; filename="sub.tar.gz"' \
	    "$WORK/h"
	tar -xzf "$WORK/sub.tar.gz" -C "$WORK/x"
	cmp "$WORK/x/sub/n.txt" "$STORE/sub/n.txt"
	cmp "$WORK/x/sub/deeper/blob.bin" "$STORE/sub/deeper/blob.bin"
	cmp "$WORK/x/sub/with spaces.txt" "$STORE/sub/with spaces.txt"
	cmp "$WORK/x/sub/$long/$long.txt" "$STORE/sub/$long/$long.txt"
	cmp "$WORK/x/sub/inside" "$STORE/sub/n.txt"
	[ ! -e "$WORK/x/sub/escape" ]
	[ -z "$(find "$WORK/x" -name '.wharf-*')" ]
	# the whole store, from the root
	mkdir "$WORK/y"
	timeout 20 curl -sS "http://127.0.0.1:$HPORT/?tar.gz" |
	    tar -xzf - -C "$WORK/y"
	cmp "$WORK/y/wharf/a.txt" "$STORE/a.txt"
	[ -d "$WORK/y/wharf/empty dir" ]
}

@test "status: --status serves the scoreboard as JSON to loopback" {
	start_wharfd --status
	run timeout 10 python3 - "$HPORT" <<-'EOF'
	import http.client, json, sys
	c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
	c.request("GET", "/sub/n.txt")
	c.getresponse().read()
	c.request("GET", "/.wharf/status")
	r = c.getresponse()
	j = json.loads(r.read())
	me = [ch for ch in j["children"] if ch["protocol"] == "http"]
	assert len(me) == 1, j
	for k in ("pid", "state", "protocol", "peer", "path", "bytes", "age"):
	    assert k in me[0], k
	assert me[0]["state"] == "sending", me[0]
	assert me[0]["peer"].startswith("127.0.0.1:")
	assert me[0]["requests"] == 2
	assert me[0]["bytes"] >= 7
	# each listener with its accept queue
	ls = j["listeners"]
	assert sorted(l["protocol"] for l in ls) == ["http", "wharf"], ls
	for l in ls:
	    assert l["name"].startswith("127.0.0.1 port "), l
	    assert l["queued"] == 0 and l["backlog"] > 0, l
	print("ok", len(j["children"]))
	EOF
	echo "$output"
	[[ "$output" == "ok "* ]]
}

@test "status: a long download's bytes move while it is sent, not only at its end" {
	start_wharfd --status
	head -c $((8 << 20)) /dev/urandom >"$STORE/big.bin"
	run timeout 20 python3 - "$HPORT" <<-'EOF'
	import http.client, json, socket, sys, time
	port = int(sys.argv[1])
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
	s.connect(("127.0.0.1", port))
	s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
	got = 0
	while got < 1 << 20:
	    got += len(s.recv(65536))
	seen = []
	for _ in range(50):
	    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
	    c.request("GET", "/.wharf/status")
	    j = json.loads(c.getresponse().read())
	    c.close()
	    seen = [ch for ch in j["children"] if ch["path"] == "big.bin"]
	    if seen and seen[0]["bytes"] >= got:
	        break
	    time.sleep(0.05)
	assert seen, j
	assert seen[0]["state"] == "sending", seen
	# Part of the body, counted while sendfile is still at work.
	assert got <= seen[0]["bytes"] < 8 << 20, (got, seen)
	print("ok", got, seen[0]["bytes"])
	EOF
	echo "$output"
	[[ "$output" == "ok "* ]]
}

@test "status: without --status, /.wharf/status is 404" {
	start_wharfd
	run timeout 10 curl -sS -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$HPORT/.wharf/status"
	[ "$output" = 404 ]
}

@test "access log: one Combined Log Format line per request, reopened on USR1" {
	start_wharfd --access-log "$WORK/access.log"
	timeout 10 curl -sS -o /dev/null -A 'agent "with" quotes' \
	    -e 'http://ref/' "http://127.0.0.1:$HPORT/a.txt"
	timeout 10 curl -sS -o /dev/null "http://127.0.0.1:$HPORT/a%0a%22b"
	wait_until 5 test -s "$WORK/access.log"
	cat "$WORK/access.log"
	run cat "$WORK/access.log"
	[[ "${lines[0]}" =~ ^127\.0\.0\.1\ -\ -\ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8}\ [+-][0-9]{4}\]\ \"GET\ /a\.txt\ HTTP/1\.1\"\ 200\ 6\ \"http://ref/\"\ \"agent\ \\\"with\\\"\ quotes\"$ ]]
	[[ "${lines[1]}" == *'"GET /a%0a%22b HTTP/1.1" 404 '* ]]
	[ "${#lines[@]}" -eq 2 ]
	mv "$WORK/access.log" "$WORK/access.log.1"
	kill -USR1 "$WHARFD_PID"
	# children reopen when they next wake; a request wakes one
	wait_until 10 sh -c "curl -sS -o /dev/null http://127.0.0.1:$HPORT/a.txt && test -s '$WORK/access.log'"
	grep -q '"GET /a.txt HTTP/1.1" 200' "$WORK/access.log"
}
