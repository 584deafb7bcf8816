#!/usr/bin/env bats
# t/91-faults.bats: faults the daemon must come through.  A child killed
# with SIGKILL at 25/50/75/99% of an upload on every write path (WHARF/1
# PUT, HTTP PUT, multipart POST) leaves the old file or nothing and no
# visible temporary; a success reply only follows fsync of the file,
# rename and fsync of the directory (strace); a full disk (tmpfs in a
# private mount namespace) and EIO on write, fsync or rename (strace
# fault injection) give clear errors and keep the old file; 20 racing
# uploads to one name never show a reader a mixture; a SIGSEGV in one
# child does not disturb the downloads of the others; and exhaustion (a
# connection flood under a low RLIMIT_NOFILE, fork(2) failing, children
# failing at start-up) degrades and recovers without a busy loop or a
# respawn storm.
#
# The heavy lifting is in t/faults/: Python on t/lib/wp.py and raw
# sockets (never the client under test), strace for syscall order and
# fault injection, wrappers that run wharfd under prlimit, strace or a
# tmpfs of its own.

load helpers

FAULTS=$T_SRCDIR/faults
REAL_WHARFD=$WHARFD
export REAL_WHARFD
# No __pycache__ beside the helpers in the source tree.
export PYTHONDONTWRITEBYTECODE=1

# Keep the helpers' teardown; end the tracers and clients we started.
eval "helpers_$(declare -f teardown)"
teardown() {
	local pid
	for pid in ${BG:-}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BG=
	helpers_teardown
}

new_work() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE"
}

# cpu_ticks: user + system clock ticks of the master and its children.
cpu_ticks() {
	local pid total=0 t
	for pid in "$WHARFD_PID" $(children); do
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) ||
		    continue
		total=$((total + ${t:-0}))
	done
	echo "$total"
}

# holders FILE: the children that hold FILE open, one pid per line.
holders() {
	local pids
	pids=$(children)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	find $(printf '/proc/%s/fd ' $pids) -maxdepth 1 \
	    -lname "$(realpath "$1")" -printf '%h\n' 2>/dev/null |
	    cut -d/ -f3 | sort -u
}

holder_count() {
	[ "$(holders "$1" | wc -l)" -ge "$2" ]
}

# new_child_since PIDS...: some child of the master is none of PIDS.
new_child_since() {
	local pid
	for pid in $(children); do
		case " $* " in
		*" $pid "*) ;;
		*) return 0 ;;
		esac
	done
	return 1
}

kill_test() {
	start_wharfd --writable --start-children 3 --min-spare 2
	run timeout 80 python3 "$FAULTS/killmid.py" "$1" "$WHARFD_PID" \
	    "$STORE" "$WPORT" "$HPORT" $((64 << 20)) 25 50 75 99
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^[0-9]*%: killed child' <<<"$output")" -eq 4 ]
	[ "$(grep -c 'killed by signal 9' "$WHARFD_LOG")" -eq 4 ]
	[ "$(grep -c 'its temporary file is removed' "$WHARFD_LOG")" -eq 4 ]
}

# uploads_refused_eio WHAT: a WHARF/1 PUT, an HTTP PUT and a form POST
# of $WORK/new over old.bin, each refused for the I/O error (451, 500).
uploads_refused_eio() {
	run timeout 30 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" put old.bin \
	    "$WORK/new"
	echo "$1, WHARF/1 PUT: $output"
	[[ "$output" == "451 "*"Input/output error"* ]]
	run timeout 30 curl -s -w '\n%{http_code}' -T "$WORK/new" \
	    "http://127.0.0.1:$HPORT/old.bin"
	echo "$1, HTTP PUT: $output"
	[ "${lines[-1]}" = 500 ]
	[[ "$output" == *"Input/output error"* ]]
	run timeout 30 curl -s -o /dev/null -w '%{http_code}' \
	    -F "file=@$WORK/new;filename=old.bin" "http://127.0.0.1:$HPORT/"
	[ "$output" = 500 ]
}

# uploads_work_again: with the fault gone, $WORK/new replaces old.bin
# over WHARF/1 and $WORK/old puts it back over HTTP.
uploads_work_again() {
	run timeout 30 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" put old.bin \
	    "$WORK/new"
	[[ "$output" == "226 "* ]]
	cmp "$STORE/old.bin" "$WORK/new"
	run timeout 30 curl -s -o /dev/null -w '%{http_code}' -T "$WORK/old" \
	    "http://127.0.0.1:$HPORT/old.bin"
	[ "$output" = 204 ]
	cmp "$STORE/old.bin" "$WORK/old"
}

@test "faults: kill -9 at 25/50/75/99% of a WHARF/1 PUT: old file or nothing, no temporary shown or left, new child within 1 s, next PUT works" {
	kill_test wharf
}

@test "faults: kill -9 at 25/50/75/99% of an HTTP PUT: old file or nothing, no temporary shown or left, new child within 1 s, next PUT works" {
	kill_test put
}

@test "faults: kill -9 at 25/50/75/99% of a multipart POST: old file or nothing, no temporary shown or left, new child within 1 s, next POST works" {
	kill_test post
}

@test "faults: 226 and 201 are sent only after fsync of the file, rename, fsync of the directory" {
	need_strace
	new_work
	head -c 300000 /dev/urandom >"$WORK/in"
	WHARFD=$FAULTS/wrap-wharfd FAULT_WRAP="strace -D -f -qq -y -s 48 \
	    -o $WORK/trace -e trace=fsync,fdatasync,rename,renameat,renameat2,write,sendto,writev,sendmsg" \
	    start_wharfd --writable --start-children 1 --min-spare 1 \
	    --max-children 1
	tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$WHARFD_PID/status")
	[ "$tracer" -gt 0 ]
	run timeout 20 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" put w.bin \
	    "$WORK/in"
	[[ "$output" == "226 "* ]]
	run timeout 20 curl -s -o /dev/null -w '%{http_code}' -T "$WORK/in" \
	    "http://127.0.0.1:$HPORT/h.bin"
	[ "$output" = 201 ]
	stop_wharfd
	wait_until 10 eval '! kill -0 "$tracer" 2>/dev/null'
	run python3 "$FAULTS/order.py" "$WORK/trace" "$STORE" w.bin "226 "
	echo "$output"
	[ "$status" -eq 0 ]
	run python3 "$FAULTS/order.py" "$WORK/trace" "$STORE" h.bin \
	    "HTTP/1.1 201"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "faults: a full disk gives WHARF/1 452 and HTTP 507, keeps the old file, leaks no space; later uploads work" {
	new_work
	unshare -m --propagation private sh -c \
	    'mount -t tmpfs -o size=64k wharf-faults "$1"' sh "$STORE" ||
	    skip "cannot mount a tmpfs in a private mount namespace here"
	mkdir "$WORK/seed"
	head -c 200000 /dev/urandom >"$WORK/seed/old.bin"
	head -c 2000000 /dev/urandom >"$WORK/big"
	head -c 100000 /dev/urandom >"$WORK/small"
	WHARFD=$FAULTS/tmpfs-wharfd TMPFS_SIZE=1m TMPFS_SEED=$WORK/seed \
	    start_wharfd --writable --start-children 2 --min-spare 1
	root=/proc/$WHARFD_PID/root$STORE
	used() { stat -f -c '%b %f' "$root" | awk '{ print $1 - $2 }'; }
	before=$(used)
	cmp "$root/old.bin" "$WORK/seed/old.bin"

	run timeout 20 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" put old.bin \
	    "$WORK/big"
	echo "WHARF/1 PUT: $output"
	[[ "$output" == "452 "*"no space left"* ]]
	run timeout 20 curl -s -o /dev/null -w '%{http_code}' -T "$WORK/big" \
	    "http://127.0.0.1:$HPORT/old.bin"
	[ "$output" = 507 ]
	run timeout 20 curl -s -o /dev/null -w '%{http_code}' \
	    -F "file=@$WORK/big;filename=old.bin" "http://127.0.0.1:$HPORT/"
	[ "$output" = 507 ]

	[ "$(used)" -eq "$before" ]
	[ -z "$(find "$root" -name '.wharf-*' -print -quit)" ]
	cmp "$root/old.bin" "$WORK/seed/old.bin"
	timeout 10 curl -sf -o "$WORK/h" "http://127.0.0.1:$HPORT/old.bin"
	cmp "$WORK/h" "$WORK/seed/old.bin"
	timeout 10 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" get old.bin "$WORK/w"
	cmp "$WORK/w" "$WORK/seed/old.bin"

	run timeout 10 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" put s1.bin \
	    "$WORK/small"
	[[ "$output" == "226 "* ]]
	run timeout 10 curl -s -o /dev/null -w '%{http_code}' -T "$WORK/small" \
	    "http://127.0.0.1:$HPORT/s2.bin"
	[ "$output" = 201 ]
	cmp "$root/s1.bin" "$WORK/small"
	cmp "$root/s2.bin" "$WORK/small"
}

@test "faults: EIO on write, fsync or rename gives WHARF/1 451 and HTTP 500, keeps the old file; later uploads work" {
	need_strace
	start_wharfd --writable --start-children 1 --min-spare 1 \
	    --max-children 1
	head -c 100000 /dev/urandom >"$STORE/old.bin"
	cp "$STORE/old.bin" "$WORK/old"
	head -c 500000 /dev/urandom >"$WORK/new"
	child=$(children)
	rstore=$(realpath "$STORE")
	for call in write fsync renameat; do
		tracer_start "$WORK/$call" -y -e trace=write,fsync,renameat \
		    -e inject="$call:error=EIO" -p "$child"
		uploads_refused_eio "$call"
		tracer_stop
		# The fault hit what it was meant for, three times.
		grep INJECTED "$WORK/$call"
		case $call in
		renameat)
			[ "$(grep -c '^renameat(.*"\.wharf-tmp\..*"old\.bin").*INJECTED' \
			    "$WORK/$call")" -eq 3 ] ;;
		*)
			[ "$(grep -c "^$call([0-9]*<$rstore/\.wharf-tmp\..*INJECTED" \
			    "$WORK/$call")" -eq 3 ] ;;
		esac
		cmp "$STORE/old.bin" "$WORK/old"
		[ -z "$(find "$STORE" -name '.wharf-*' -print -quit)" ]
		[ "$(children)" = "$child" ]
		# The operator hears of it (a failing write(2) would also
		# fail the log's own write, so only the other two).
		[ "$call" = write ] ||
		    [ "$(grep -c 'old\.bin: commit: Input/output error' "$WHARFD_LOG")" -ge 3 ]
	done
	uploads_work_again
}

@test "faults: EIO from the flush beside a durable upload gives WHARF/1 451 and HTTP 500, keeps the old file; later uploads work" {
	need_strace
	start_wharfd --writable --start-children 1 --min-spare 1 \
	    --max-children 1
	head -c 100000 /dev/urandom >"$STORE/old.bin"
	cp "$STORE/old.bin" "$WORK/old"
	# Past 8 MiB (WB_CHUNK) the child flushes beside the receiving, on
	# a thread of its own: strace -f follows it there.
	head -c $((20 << 20)) /dev/urandom >"$WORK/new"
	child=$(children)
	rstore=$(realpath "$STORE")
	tracer_start "$WORK/trace" -f -y -e trace=fdatasync \
	    -e inject=fdatasync:error=EIO -p "$child"
	uploads_refused_eio fdatasync
	tracer_stop
	cat "$WORK/trace"
	[ "$(grep -c "fdatasync([0-9]*<$rstore/\.wharf-tmp\..*INJECTED" \
	    "$WORK/trace")" -eq 3 ]
	[ "$(grep -c 'old\.bin: writeback: Input/output error' "$WHARFD_LOG")" -eq 3 ]
	cmp "$STORE/old.bin" "$WORK/old"
	[ -z "$(find "$STORE" -name '.wharf-*' -print -quit)" ]
	[ "$(children)" = "$child" ]
	uploads_work_again
}

@test "faults: 20 concurrent uploads to one name (10 HTTP, 10 WHARF/1): readers see only the old file or one whole upload" {
	start_wharfd --writable --start-children 28 --min-spare 4
	head -c 700000 /dev/urandom >"$STORE/same.bin"
	cp "$STORE/same.bin" "$WORK/old"
	run timeout 60 python3 "$FAULTS/race.py" "$WPORT" "$HPORT" same.bin \
	    "$WORK/old" 10 10 $((1 << 20))
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(find "$STORE" -name '.wharf-*' -print -quit)" ]
}

@test "faults: SIGSEGV in a child leaves three slow downloads byte-exact; the master logs it and replaces the child" {
	# In a sanitizer build, ASan would catch the SIGSEGV and abort (6):
	# let the signal kill the child, as it does in a normal build.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0 \
	    start_wharfd --start-children 6 --min-spare 2
	head -c $((24 << 20)) /dev/urandom >"$STORE/big.bin"
	# Rate-limited readers with small fixed socket buffers: their
	# children stay busy sending for most of the twelve seconds, even
	# when the kernel lets a send buffer grow to 4 MiB and the machine
	# is slow to start the fourth reader.
	slowget() {
		timeout 90 python3 "$FAULTS/slowget.py" "$@" 3>&- &
		BG="$BG $!"
	}
	slowget http "$HPORT" big.bin "$WORK/d1" 2097152
	d1=$!
	slowget http "$HPORT" big.bin "$WORK/d2" 2097152
	d2=$!
	slowget wharf "$WPORT" big.bin "$WORK/d3" 2097152
	d3=$!
	wait_until 10 holder_count "$STORE/big.bin" 3
	three=$(holders "$STORE/big.bin")
	# A fourth download, whose child is the one to crash.
	slowget http "$HPORT" big.bin "$WORK/d4" 1048576
	d4=$!
	wait_until 10 holder_count "$STORE/big.bin" 4
	victim=$(holders "$STORE/big.bin" | grep -vxF "$three")
	[ "$(wc -w <<<"$victim")" -eq 1 ]
	before=$(children)
	kill -SEGV "$victim"
	# ...while the other three are still sending.
	[ "$(holders "$STORE/big.bin" | grep -cxF "$three")" -eq 3 ]
	wait_until 5 new_child_since $before
	wait_until 5 grep -q "child $victim killed by signal 11" "$WHARFD_LOG"
	for d in "$d1" "$d2" "$d3"; do
		wait "$d"
	done
	for f in d1 d2 d3; do
		cmp "$WORK/$f" "$STORE/big.bin"
	done
	run wait "$d4"
	[ "$status" -ne 0 ]
	BG=
	grep "child $victim killed by signal 11 (Segmentation fault); its connection is lost" \
	    "$WHARFD_LOG"
}

@test "faults: a connection flood under RLIMIT_NOFILE 32 is queued and closed, not crashed; service back within seconds, no busy loop" {
	WHARFD=$FAULTS/wrap-wharfd FAULT_WRAP="prlimit --nofile=32:32" \
	    start_wharfd --max-per-ip 0 --writable --start-children 4 --min-spare 2 \
	    --max-children 8 --header-timeout 1
	[ "$(awk '/^Max open files/ { print $4 }' \
	    "/proc/$WHARFD_PID/limits")" -eq 32 ]
	for pid in $(children); do
		[ "$(awk '/^Max open files/ { print $4 }' \
		    "/proc/$pid/limits")" -eq 32 ]
	done
	echo hello >"$STORE/f"
	run timeout 90 python3 "$FAULTS/flood.py" "$WHARFD_PID" "$WPORT" \
	    "$HPORT" 300 3
	echo "$output"
	[ "$status" -eq 0 ]
	# The pool stayed within bounds and shed what it could not serve.
	[[ "$output" == *"max_children="[1-8] ]]
	closed=$(sed 's/.* closed=\([0-9]*\) .*/\1/' <<<"$output")
	[ "$closed" -ge 8 ]
	kill -0 "$WHARFD_PID"
	# Service returns once the load stops.
	wait_until 5 eval '[ "$(timeout 2 curl -s "http://127.0.0.1:$HPORT/f")" = hello ]'
	timeout 10 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" get f "$WORK/f"
	cmp "$WORK/f" "$STORE/f"
	# Idle afterwards: no busy loop anywhere (< 10% of one CPU).
	t0=$(cpu_ticks)
	sleep 3
	t1=$(cpu_ticks)
	echo "idle for 3 s: $((t1 - t0)) ticks"
	[ $((t1 - t0)) -le 30 ]
	run grep -c 'killed by signal\|fatal' "$WHARFD_LOG"
	[ "$output" = 0 ]
}

@test "faults: fork failing: the master retries slowly, serves with the children it has, recovers when fork works" {
	need_strace
	start_wharfd --max-per-ip 0 --writable --start-children 3 --min-spare 2 \
	    --max-spare 4 --max-children 8
	echo hello >"$STORE/f"
	tracer_start "$WORK/forks" -e trace=clone,clone3,fork,vfork \
	    -e inject=clone,clone3,fork,vfork:error=EAGAIN -p "$WHARFD_PID"
	set -- $(children)
	kill -9 "$1" "$2"
	survivor=$3
	t0=$(cpu_ticks)
	for _ in 1 2 3; do
		sleep 1
		[ "$(timeout 5 curl -s "http://127.0.0.1:$HPORT/f")" = hello ]
	done
	t1=$(cpu_ticks)
	[ "$(children)" = "$survivor" ]
	tracer_stop
	attempts=$(grep -c 'INJECTED' "$WORK/forks")
	echo "fork attempts in 3 s of failure: $attempts; master CPU: $((t1 - t0)) ticks"
	[ "$attempts" -ge 2 ]
	[ "$attempts" -le 12 ]
	[ $((t1 - t0)) -le 30 ]
	grep -q 'master: fork: Resource temporarily unavailable' "$WHARFD_LOG"
	# fork works again: the pool is whole within seconds.
	wait_until 10 eval '[ "$(child_count)" -ge 3 ]'
	run timeout 10 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" get f "$WORK/f"
	[[ "$output" == "226 "* ]]
}

@test "faults: children failing at start-up are re-forked after a doubling back-off, not in a storm" {
	need_strace
	start_wharfd --max-per-ip 0 --writable --start-children 2 --min-spare 1 \
	    --max-spare 4 --max-children 8
	echo hello >"$STORE/f"
	# Every new child fails in epoll_create1(2), before it is ready.
	tracer_start "$WORK/starts" -f -e trace=clone,epoll_create1 \
	    -e inject=epoll_create1:error=EMFILE -p "$WHARFD_PID"
	set -- $(children)
	kill -9 "$1"
	sleep 2.5
	[ "$(timeout 5 curl -s "http://127.0.0.1:$HPORT/f")" = hello ]
	tracer_stop
	# The master's forks only: under ASan each failing child's
	# LeakSanitizer clones too, and strace -f splits a call another
	# process interrupts into '<unfinished ...>' and '<... resumed>'.
	forks=$(grep -Ec "^$WHARFD_PID +(clone\(|<\.\.\. clone resumed>).*= [0-9]" \
	    "$WORK/starts")
	grep 'failed at start-up' "$WHARFD_LOG"
	echo "forks in 2.5 s: $forks"
	[ "$forks" -ge 2 ]
	[ "$forks" -le 6 ]
	grep -q 'failed at start-up; next fork in 250 ms' "$WHARFD_LOG"
	grep -q 'failed at start-up; next fork in 500 ms' "$WHARFD_LOG"
	# Once children can start, the pool refills.
	wait_until 10 eval '[ "$(child_count)" -ge 2 ]'
	run timeout 10 python3 "$T_SRCDIR/lib/wp.py" "$WPORT" get f "$WORK/f"
	echo "get: $output"
	[[ "$output" == "226 "* ]]
}
