#!/bin/sh
# t/slow/valgrind.sh: wharfd under valgrind memcheck, every process of it.
# Starts wharfd (--writable, one child to start with) under memcheck with
# --trace-children and one log per process (vg.PID), drives one WHARF/1
# session (LIST, GET, PUT, STAT, MKDIR, RENAME, DELETE, QUIT) and one
# HTTP session (GET of a file, a listing, ?json, HEAD, Range, PUT,
# DELETE, a 404, then a 400), stops it with SIGTERM, and reads every
# per-process log: valgrind's exit code covers only the process that owns
# it. Fails when any log reports an error or a definite leak, when any
# process's log has no final summary (it died before valgrind could
# check it), or when a request got the wrong answer.
#
#   sh valgrind.sh          (make check-valgrind)
#
# Environment: WHARFD (default: server/wharfd of this tree), VALGRIND
# (default: valgrind), VG_KEEP=1 keeps the logs.

set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${WHARFD:=$here/../../server/wharfd}"
: "${VALGRIND:=valgrind}"
command -v "$VALGRIND" >/dev/null ||
    { echo "valgrind.sh: $VALGRIND not found" >&2; exit 2; }
[ -x "$WHARFD" ] || { echo "valgrind.sh: $WHARFD: not built" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/wharf-vg.XXXXXX")
store=$work/store
mkdir -p "$store/dir" "$work/vg"
printf 'hello, valgrind\n' >"$store/hello.txt"
head -c 100000 /dev/urandom >"$store/data.bin"
printf 'inside\n' >"$store/dir/inner.txt"

"$VALGRIND" --tool=memcheck --trace-children=yes \
    --child-silent-after-fork=no --log-file="$work/vg/vg.%p" \
    --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite \
    "$WHARFD" --root "$store" --writable --port 0 --http-port 0 \
    --listen 127.0.0.1 --port-file "$work/ports" \
    --start-children 1 --min-spare 1 --max-spare 2 \
    >"$work/wharfd.log" 2>&1 3>&- &
pid=$!
i=0
while [ ! -s "$work/ports" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
wport=$(awk '$1 == "wharf" { print $2 }' "$work/ports" 2>/dev/null)
hport=$(awk '$1 == "http" { print $2 }' "$work/ports" 2>/dev/null)
if [ -z "$wport" ] || [ -z "$hport" ]; then
	echo "valgrind.sh: wharfd did not start under valgrind" >&2
	cat "$work/wharfd.log" "$work"/vg/vg.* >&2
	kill "$pid" 2>/dev/null
	exit 2
fi

status=0
python3 - "$wport" "$hport" "$store" "$here/../lib" <<'PY' || status=1
import http.client, os, socket, sys, zlib
wport, hport, store = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, sys.argv[4])
import wp

bad = 0
def expect(what, ok):
    global bad
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    bad += not ok

data = open(os.path.join(store, "data.bin"), "rb").read()

# One WHARF/1 session.
c = wp.Conn(wport, timeout=60)
expect("wharf: greeting", c.greeting[0] == 220)
c.send("LIST /")
code, _ = c.reply()
names = []
if code == 150:
    while True:
        line = c.line()
        if line[:1].isdigit():
            code = int(line[:3])
            break
        names.append(line.split(" ")[-1])
expect("wharf: LIST", code == 200 and "hello.txt" in names)
code, _, got = c.get("data.bin")
expect("wharf: GET", code == 226 and got == data)
code, _, got = c.get("data.bin", "compress=zlib")
expect("wharf: GET compress=zlib", code == 226 and got == data)
code, _ = c.put("up.bin", data[:5000])
expect("wharf: PUT", code == 226)
code, _ = c.put("upz.bin", data, compress=True)
expect("wharf: PUT compress=zlib", code == 226)
code, text = c.cmd("STAT up.bin")
expect("wharf: STAT", code == 200 and " 5000 " in text)
code, _ = c.cmd("MKDIR newdir")
expect("wharf: MKDIR", code == 200)
code, _ = c.cmd("RENAME up.bin newdir/moved.bin")
expect("wharf: RENAME", code == 200)
code, _ = c.cmd("DELETE newdir/moved.bin")
expect("wharf: DELETE", code == 200)
code, _ = c.cmd("GET nosuch")
expect("wharf: GET of a missing file is 550", code == 550)
code, _ = c.cmd("QUIT")
expect("wharf: QUIT", code == 221)
c.s.close()

# One HTTP session, keep-alive.
h = http.client.HTTPConnection("127.0.0.1", hport, timeout=60)
def req(method, path, body=None, headers={}):
    h.request(method, path, body=body, headers=headers)
    r = h.getresponse()
    return r.status, r.read(), r
st, body, _ = req("GET", "/data.bin")
expect("http: GET file", st == 200 and body == data)
st, body, _ = req("GET", "/")
expect("http: GET listing", st == 200 and b"hello.txt" in body)
st, body, _ = req("GET", "/?json")
expect("http: GET ?json", st == 200 and b'"hello.txt"' in body)
st, body, r = req("HEAD", "/hello.txt")
expect("http: HEAD", st == 200 and body == b"" and
       r.getheader("Content-Length") == "16")
st, body, _ = req("GET", "/data.bin", headers={"Range": "bytes=100-199"})
expect("http: Range", st == 206 and body == data[100:200])
st, body, _ = req("GET", "/data.bin", headers={"Accept-Encoding": "gzip"})
expect("http: GET gzip", st == 200)
st, _, _ = req("PUT", "/put.txt", body=b"put over http\n")
expect("http: PUT", st in (200, 201, 204))
st, body, _ = req("GET", "/put.txt")
expect("http: GET what was PUT", st == 200 and body == b"put over http\n")
st, _, _ = req("DELETE", "/put.txt")
expect("http: DELETE", st in (200, 204))
st, _, _ = req("GET", "/no/such/file")
expect("http: 404", st == 404)
h.close()
s = socket.create_connection(("127.0.0.1", hport), timeout=60)
s.sendall(b"GARBAGE\r\n\r\n")
reply = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    reply += d
s.close()
expect("http: 400", reply.startswith(b"HTTP/1.1 400"))
sys.exit(1 if bad else 0)
PY

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	echo "FAIL wharfd did not stop within 60 s of SIGTERM"
	kill -KILL "$pid"
	status=1
fi
wait "$pid"
echo "master (valgrind) exit status: $?"
# Children may still be finishing their summaries.
i=0
while pgrep -f "$work/ports" >/dev/null && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done

logs=0 errors=0
for f in "$work"/vg/vg.*; do
	[ -f "$f" ] || continue
	logs=$((logs + 1))
	p=${f##*.}
	summary=$(grep -E '== ERROR SUMMARY: ' "$f" | tail -n 1 | sed 's/^==[0-9]*== //')
	lost=$(grep -E 'definitely lost: ' "$f" | tail -n 1 | sed 's/^==[0-9]*== *//')
	echo "process $p: ${summary:-no summary}${lost:+; $lost}"
	if [ -z "$summary" ]; then
		echo "FAIL process $p: no ERROR SUMMARY (killed before valgrind finished?)"
		errors=$((errors + 1))
	elif echo "$summary" | grep -qE 'ERROR SUMMARY: [1-9]' ||
	    echo "$lost" | grep -qE 'definitely lost: [1-9]'; then
		errors=$((errors + 1))
		echo "--- $f ---"
		cat "$f"
	fi
done
if [ $logs -lt 2 ]; then
	echo "FAIL only $logs valgrind logs: expected the master and a child"
	status=1
fi
[ $errors -eq 0 ] || status=1
echo "valgrind: $logs processes, $errors with errors, definite leaks or no summary"
if [ "${VG_KEEP:-}" = 1 ] || [ $status -ne 0 ]; then
	echo "valgrind: logs kept in $work/vg"
else
	rm -rf "$work"
fi
exit $status
