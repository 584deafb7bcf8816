#!/bin/sh
# t/slow/attack.sh: one slow-client attack on a running wharfd, with a
# probe client on another loopback address measuring what it still gets.
# Every attacker targets 127.0.0.1 and is bounded in count and time.
#
#   sh attack.sh KIND HPORT WPORT PROBEFILE CONNS SECONDS OUTDIR
#
# KIND  loris  slowloris on HTTP (slowhttptest -H, relaunched whenever the
#              server has closed all its connections) and, at once, a slow
#              command line on WHARF/1 (slowline.py), CONNS each
#       body   slow PUT body (slowhttptest -B) to /slow-body.bin: start
#              wharfd with --writable, or the PUT is refused unread
#       read   slow read (slowhttptest -X) of PROBEFILE's name: make it a
#              few MiB so the response outlasts the socket buffers
# PROBEFILE  a file of the store (a local path; its base name is served
#            from the root); the probe downloads and lists it
# The probe starts once the attack has ramped up and stops before it
# ends. Prints its summary lines; exits 0 when the probe saw at least 95%
# of its requests succeed, 1 if not, 2 on a usage or setup error.
# slowhttptest's CSV files (OUTDIR/KIND*.csv) show what reached the
# server: columns Seconds,Closed,Pending,Connected,Service Available.

set -u
[ $# -eq 7 ] || {
	echo "usage: attack.sh KIND HPORT WPORT PROBEFILE CONNS SECONDS OUTDIR" >&2
	exit 2
}
kind=$1 hport=$2 wport=$3 probefile=$4 conns=$5 secs=$6 out=$7
here=$(cd "$(dirname "$0")" && pwd)
command -v slowhttptest >/dev/null || {
	echo "attack.sh: slowhttptest not found (Debian package slowhttptest)" >&2
	exit 2
}
mkdir -p "$out"
# One descriptor per attacking connection, and some.
want=$((conns + 256))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$want" ] ||
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -H -n)"

rate=200				# new attacking connections a second
ramp=$((conns / rate + 2))		# until all are open
probe_secs=$((secs - ramp - 1))
[ "$probe_secs" -ge 3 ] || { echo "attack.sh: SECONDS too short" >&2; exit 2; }
url=http://127.0.0.1:$hport
base=$(basename "$probefile")
bound=$((secs + 15))			# hard stop for every attacker

start=$(date +%s)
pids=
case $kind in
loris)
	# slowhttptest ends once the server has closed all its connections
	# (that is the whole-header deadline working): start it again.
	(
		n=0
		while [ $(($(date +%s) - start)) -lt "$((secs - 2))" ]; do
			left=$((secs - ($(date +%s) - start)))
			n=$((n + 1))
			timeout -k 5 "$bound" slowhttptest -H -c "$conns" \
			    -r "$rate" -i 2 -x 24 -l "$left" -p 3 -g \
			    -o "$out/loris.$n" -u "$url/" \
			    >"$out/loris.$n.log" 2>&1 </dev/null
		done
	) &
	pids="$pids $!"
	timeout -k 5 "$bound" python3 "$here/slowline.py" "$wport" "$conns" \
	    "$secs" 2 "$out/slowline.out" >/dev/null 2>"$out/slowline.err" &
	pids="$pids $!"
	;;
body)
	timeout -k 5 "$bound" slowhttptest -B -c "$conns" -r "$rate" -i 2 \
	    -x 10 -s 65536 -t PUT -l "$secs" -p 3 -g -o "$out/body" \
	    -u "$url/slow-body.bin" >"$out/body.log" 2>&1 </dev/null &
	pids="$pids $!"
	;;
read)
	timeout -k 5 "$bound" slowhttptest -X -c "$conns" -r "$rate" \
	    -w 512 -y 1024 -n 2 -z 32 -k 1 -l "$secs" -p 3 -g \
	    -o "$out/read" -u "$url/$base" >"$out/read.log" 2>&1 </dev/null &
	pids="$pids $!"
	;;
*)
	echo "attack.sh: unknown KIND $kind" >&2
	exit 2
	;;
esac

sleep "$ramp"
python3 "$here/probe.py" "$hport" "$wport" "$probefile" "$probe_secs" \
    "$out/probe.out" 127.0.0.2 5
rc=$?
for p in $pids; do
	wait "$p"
done
[ $rc -le 1 ] || rc=1

# What reached the server: the most connections slowhttptest held open
# at once, and how many of them the server closed, over every run.
conn=0 closed=0
for f in "$out/$kind".*csv "$out/$kind.csv"; do
	[ -f "$f" ] || continue
	set -- $(awk -F, '$1 ~ /^[0-9]+$/ {
		if ($4 > c) c = $4; last = $2 }
	    END { print c + 0, last + 0 }' "$f")
	[ "$1" -le "$conn" ] || conn=$1
	closed=$((closed + $2))
done
echo "slowhttptest $kind: max_connected=$conn closed=$closed"
[ -f "$out/slowline.out" ] && cat "$out/slowline.out"
exit $rc
