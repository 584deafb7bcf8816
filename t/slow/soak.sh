#!/bin/sh
# t/slow/soak.sh: a soak of wharfd. Starts it (--writable, port 0, on
# 127.0.0.1), then for SECONDS runs mixed downloads and uploads over both
# protocols: HTTP workers with curl (GET and compare, listing, ?json,
# Range, PUT, GET back, DELETE) and WHARF/1 workers with t/lib/wp.py
# (soak_wharf.py). Every few seconds it samples the master's resident
# memory (VmRSS) and open descriptors (/proc/PID/fd), and the most
# descriptors any child holds. Fails when any request failed, when the
# master's memory or descriptors grew past a small slack between the
# first sample after warm-up and the end, when a child holds more than a
# few descriptors, or when an upload left a temporary file behind.
#
#   sh soak.sh [SECONDS]       (default 300; make soak; 30 in make check)
#
# Environment: WHARFD (default: server/wharfd of this tree), SOAK_HTTP and
# SOAK_WHARF (workers of each kind, default 2), SOAK_KEEP=1 keeps the
# work directory.

set -u
secs=${1:-300}
here=$(cd "$(dirname "$0")" && pwd)
: "${WHARFD:=$here/../../server/wharfd}"
: "${SOAK_HTTP:=2}" "${SOAK_WHARF:=2}"
rss_slack=1024		# kB the master may grow by
fd_slack=2		# descriptors the master may gain
child_fd_max=32		# descriptors a child may hold at any moment
interval=3		# seconds between samples

[ -x "$WHARFD" ] || { echo "soak: $WHARFD: not built" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/wharf-soak.XXXXXX")
store=$work/store
mkdir -p "$store/soak" "$work/fix"
head -c 1024 /dev/urandom >"$work/fix/small.bin"
head -c 65536 /dev/urandom >"$work/fix/medium.bin"
head -c 1048576 /dev/urandom >"$work/fix/large.bin"
printf 'hello, soak\n' >"$work/fix/hello.txt"
cp "$work/fix/"* "$store/"
fixtures="$work/fix/hello.txt $work/fix/small.bin $work/fix/medium.bin $work/fix/large.bin"

# --max-requests 200: children are replaced often, so the master's
# respawn path is soaked too.
"$WHARFD" --root "$store" --writable --port 0 --http-port 0 \
    --listen 127.0.0.1 --port-file "$work/ports" --max-requests 200 \
    >"$work/wharfd.log" 2>&1 3>&- &
pid=$!
i=0
while [ ! -s "$work/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wport=$(awk '$1 == "wharf" { print $2 }' "$work/ports" 2>/dev/null)
hport=$(awk '$1 == "http" { print $2 }' "$work/ports" 2>/dev/null)
if [ -z "$wport" ] || [ -z "$hport" ]; then
	echo "soak: wharfd did not start" >&2
	cat "$work/wharfd.log" >&2
	kill "$pid" 2>/dev/null
	rm -rf "$work"
	exit 2
fi
url=http://127.0.0.1:$hport

# http_worker ID: until the deadline, one round after another.
http_worker() {
	id=$1 n=0 req=0 bad=0 d=$work/h$1
	mkdir -p "$d"
	end=$(($(date +%s) + secs))
	fail() {
		bad=$((bad + 1))
		[ $bad -gt 5 ] || echo "  http $id failed: round $n: $*"
	}
	while [ "$(date +%s)" -lt "$end" ]; do
		n=$((n + 1))
		for f in $fixtures; do
			b=$(basename "$f")
			req=$((req + 1))
			code=$(curl -s -m 20 -o "$d/got" -w '%{http_code}' "$url/$b")
			[ "$code" = 200 ] && cmp -s "$d/got" "$f" ||
			    fail "GET $b -> $code"
		done
		req=$((req + 1))
		code=$(curl -s -m 20 -o "$d/got" -w '%{http_code}' "$url/")
		[ "$code" = 200 ] && grep -q medium.bin "$d/got" ||
		    fail "GET / -> $code"
		req=$((req + 1))
		code=$(curl -s -m 20 -o "$d/got" -w '%{http_code}' "$url/?json")
		[ "$code" = 200 ] && grep -q '"large.bin"' "$d/got" ||
		    fail "GET /?json -> $code"
		req=$((req + 1))
		code=$(curl -s -m 20 -o "$d/got" -w '%{http_code}' \
		    -r 1000-1999 "$url/medium.bin")
		[ "$code" = 206 ] &&
		    tail -c +1001 "$work/fix/medium.bin" | head -c 1000 |
		    cmp -s - "$d/got" || fail "GET Range -> $code"
		# Upload a file of its own, keep-alive: PUT, GET back, DELETE.
		head -c $((1024 + (n * 7919) % 300000)) /dev/urandom >"$d/up"
		name=soak/h$id-$n
		req=$((req + 3))
		out=$(curl -s -m 20 -T "$d/up" -o /dev/null -w '%{http_code} ' \
		    "$url/$name" --next -s -m 20 -o "$d/got" \
		    -w '%{http_code} ' "$url/$name" --next -s -m 20 \
		    -X DELETE -o /dev/null -w '%{http_code}' "$url/$name")
		set -- $out
		case ${1:-}:${2:-}:${3:-} in
		20[01]:200:20[04]) cmp -s "$d/got" "$d/up" ||
			fail "PUT/GET $name: bytes differ" ;;
		*)	fail "PUT/GET/DELETE $name -> $out" ;;
		esac
	done
	echo "http $id: requests=$req failures=$bad"
}

workers=
for i in $(seq "$SOAK_HTTP"); do
	http_worker "$i" >"$work/worker.h$i" 2>&1 &
	workers="$workers $!"
done
for i in $(seq "$SOAK_WHARF"); do
	python3 "$here/soak_wharf.py" "$wport" "$secs" "$i" $fixtures \
	    >"$work/worker.w$i" 2>&1 &
	workers="$workers $!"
done

# Sample until the workers are done: seconds rss_kB fds children
# most_child_fds.
start=$(date +%s)
: >"$work/samples"
while :; do
	t=$(($(date +%s) - start))
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	kids=$(pgrep -P "$pid" | wc -l)
	cfd=0
	for k in $(pgrep -P "$pid"); do
		c=$(ls "/proc/$k/fd" 2>/dev/null | wc -l)
		[ "$c" -le "$cfd" ] || cfd=$c
	done
	echo "$t ${rss:-0} $fds $kids $cfd" >>"$work/samples"
	[ "$t" -lt "$secs" ] || break
	sleep "$interval"
done
for j in $workers; do
	wait "$j"
done

# The last sample, taken once the workers are done, is the end.
t=$(($(date +%s) - start))
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
echo "$t ${rss:-0} $fds $(pgrep -P "$pid" | wc -l) 0" >>"$work/samples"
kill -TERM "$pid"
wait "$pid"
stop=$?

status=0
cat "$work"/worker.*
requests=$(cat "$work"/worker.* | sed -n 's/.*requests=\([0-9]*\).*/\1/p' |
    awk '{ s += $1 } END { print s + 0 }')
failures=$(cat "$work"/worker.* | sed -n 's/.*failures=\([0-9]*\).*/\1/p' |
    awk '{ s += $1 } END { print s + 0 }')
reported=$(cat "$work"/worker.* | grep -c 'requests=')
# Baseline: the first sample after warm-up (the second one); end: the last.
set -- $(sed -n 2p "$work/samples")
rss0=$2 fd0=$3
set -- $(tail -n 1 "$work/samples")
rss1=$2 fd1=$3
cfd=$(awk '$5 > m { m = $5 } END { print m + 0 }' "$work/samples")
rssmax=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$work/samples")
temps=$(find "$store" -name '.wharf-*' | wc -l)

echo "soak: ${secs}s requests=$requests failures=$failures" \
    "master rss ${rss0}->${rss1} kB (max $rssmax)" \
    "fds ${fd0}->${fd1} child fds max $cfd temp files $temps"
if [ "$reported" -ne $((SOAK_HTTP + SOAK_WHARF)) ] || [ "$failures" -ne 0 ] ||
    [ "$requests" -eq 0 ]; then
	echo "soak: FAIL: $failures failed requests" \
	    "($reported of $((SOAK_HTTP + SOAK_WHARF)) workers reported)"
	status=1
fi
if [ "$rss1" -gt $((rss0 + rss_slack)) ]; then
	echo "soak: FAIL: master memory grew from $rss0 to $rss1 kB"
	status=1
fi
if [ "$fd1" -gt $((fd0 + fd_slack)) ]; then
	echo "soak: FAIL: master descriptors grew from $fd0 to $fd1"
	status=1
fi
if [ "$cfd" -gt "$child_fd_max" ]; then
	echo "soak: FAIL: a child held $cfd descriptors"
	status=1
fi
if [ "$temps" -ne 0 ]; then
	echo "soak: FAIL: $temps temporary files left in the store"
	status=1
fi
if [ "$stop" -ne 0 ]; then
	echo "soak: FAIL: wharfd exited $stop on SIGTERM"
	status=1
fi
if [ $status -ne 0 ]; then
	echo "--- samples: seconds rss_kB fds children child_fds ---"
	cat "$work/samples"
	echo "--- wharfd log (last 30 lines) ---"
	tail -n 30 "$work/wharfd.log"
fi
[ "${SOAK_KEEP:-}" = 1 ] && echo "soak: kept $work" || rm -rf "$work"
exit $status
