#!/usr/bin/env bats
# t/35-privileges.bats: what children give up: root's identity (--user,
# --group), the file system outside the store (--chroot), core files,
# the master's priority, and (both programs) a writable GOT. Most need
# root (CI runs as root); elsewhere they are skipped.

load helpers
bats_require_minimum_version 1.5.0

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

@test "privileges: children run as --user while the master stays root" {
	need_root
	start_wharfd --user nobody
	printf 'hi\n' >"$STORE/a"
	chmod 755 "$STORE"
	for pid in $(children); do
		[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$(id -u nobody)" ]
		[ "$(ps -o gid= -p "$pid" | tr -d ' ')" = "$(id -g nobody)" ]
	done
	[ "$(ps -o uid= -p "$WHARFD_PID" | tr -d ' ')" = 0 ]
	# No longer root, they still went back from the master's nice to ours.
	for pid in $(children); do
		[ "$(nice_of "$pid")" = "$(nice_of "$BASHPID")" ]
	done
	run wharf_raw "GET a" QUIT
	[[ "$output" == *"226 size=3"* ]]
}

@test "privileges: under --user a durable upload is still flushed beside its receiving (thread made before RLIMIT_NPROC 0)" {
	need_root
	need_strace
	start_wharfd --user nobody --writable --start-children 1 \
	    --min-spare 1 --max-children 1
	chown nobody "$STORE"
	child=$(children)
	# The child and glibc's AIO helper, parked for the child's life.
	[ "$(find "/proc/$child/task" -mindepth 1 -maxdepth 1 | wc -l)" -eq 2 ]
	head -c $((20 << 20)) /dev/urandom >"$WORK/new"
	rstore=$(realpath "$STORE")
	tracer_start "$WORK/trace" -f -y -e trace=fdatasync -p "$child"
	run timeout 30 curl -s -o /dev/null -w '%{http_code}' -T "$WORK/new" \
	    "http://127.0.0.1:$HPORT/new.bin"
	[ "$output" = 201 ]
	tracer_stop
	cat "$WORK/trace"
	grep -q "fdatasync([0-9]*<$rstore/\.wharf-tmp\..*) = 0" "$WORK/trace"
	cmp "$STORE/new.bin" "$WORK/new"
	! grep -q "no flush beside" "$WHARFD_LOG"
}

@test "privileges: wharfd and wharf bind every symbol at start, GOT read-only" {
	command -v readelf >/dev/null || skip "no readelf"
	local prog
	for prog in "$WHARFD" "$WHARF"; do
		readelf -lW "$prog" | grep -q GNU_RELRO ||
		    { echo "$prog: no RELRO segment"; return 1; }
		readelf -dW "$prog" | grep -Eq 'BIND_NOW|FLAGS_1.*NOW' ||
		    { echo "$prog: symbols bound lazily"; return 1; }
	done
}

@test "privileges: --chroot confines the children to the store" {
	need_root
	start_wharfd --user nobody --chroot
	chmod 755 "$STORE"
	printf 'inside\n' >"$STORE/a"
	for pid in $(children); do
		[ "$(readlink "/proc/$pid/root")" = "$(cd "$STORE" && pwd -P)" ]
	done
	run wharf_raw "GET a" "LIST" QUIT
	[[ "$output" == *"inside"* ]]
	[[ "$output" == *"200 1 entries"* ]]
}

@test "privileges: children cannot dump core" {
	start_wharfd
	pid=$(children | head -1)
	grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"
}

@test "privileges: root without --user says so at start-up" {
	need_root
	start_wharfd
	grep -q "running as root without --user" "$WHARFD_LOG"
}

@test "privileges: an unknown --user or --group stops wharfd with exit 2" {
	need_root
	run "$WHARFD" --root . --user no-such-user-here --port 0 --http-port 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--user no-such-user-here: no such user"* ]]
	run "$WHARFD" --root . --group no-such-group-here --port 0 \
	    --http-port 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"no such group"* ]]
}

@test "privileges: --user and --chroot without root are refused" {
	command -v setpriv >/dev/null || skip "no setpriv"
	need_root
	run setpriv --reuid nobody --regid nogroup --clear-groups \
	    "$WHARFD" --root /tmp --chroot --port 0 --http-port 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"need wharfd to start as root"* ]]
}
