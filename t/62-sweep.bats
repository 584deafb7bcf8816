#!/usr/bin/env bats
# t/62-sweep.bats: the sweep of what interrupted uploads leave behind
# (server/sweep.c): resumable partials (.wharf-part.*) and temporaries
# (.wharf-tmp.*) whose change time is older than --partial-age go, at
# any depth; fresh ones, other files, symlinks and what they point to
# stay; a read-only store and --partial-age 0 are never swept.

load helpers
bats_require_minimum_version 1.5.0

@test "sweep: leftovers untouched for --partial-age go, at any depth; the rest stays" {
	local outside=$BATS_TEST_TMPDIR/outside
	STORE=$BATS_TEST_TMPDIR/store
	mkdir -p "$outside" "$STORE/sub/deeper" "$STORE/.wharf-part.dir"
	printf 'old partial' >"$STORE/.wharf-part.0123456789abcdef"
	printf 'old temp' >"$STORE/.wharf-tmp.0123456789abcdef"
	printf 'deep partial' >"$STORE/sub/deeper/.wharf-part.fedcba9876543210"
	printf 'a file' >"$STORE/sub/keep.txt"
	printf 'in a hidden dir' >"$STORE/.wharf-part.dir/.wharf-part.x"
	printf 'outside' >"$outside/.wharf-part.outside"
	printf 'target' >"$outside/target"
	ln -s "$outside" "$STORE/sub/link"
	ln -s "$outside/target" "$STORE/.wharf-part.link"
	start_wharfd --writable --transfer-timeout 1 --idle-timeout 1 \
	    --header-timeout 1 --partial-age 4 -v
	sleep 4.5
	printf 'fresh partial' >"$STORE/.wharf-part.fresh"
	# Change times have whole seconds: one sweep or two may take them.
	gone() {
		local f
		for f in "$@"; do
			[ ! -e "$f" ] || return 1
		done
	}
	wait_until 8 gone "$STORE/.wharf-part.0123456789abcdef" \
	    "$STORE/.wharf-tmp.0123456789abcdef" \
	    "$STORE/sub/deeper/.wharf-part.fedcba9876543210"
	grep 'sweep: removed sub/deeper/.wharf-part.fedcba9876543210' \
	    "$WHARFD_LOG"
	grep 'sweep: removed .wharf-tmp.0123456789abcdef' "$WHARFD_LOG"
	[ "$(grep -c 'sweep: removed ' "$WHARFD_LOG")" -ge 4 ]
	# Younger than --partial-age, not a regular file, not ours, or not
	# in the store: all still there.
	[ -e "$STORE/.wharf-part.fresh" ]
	[ -e "$STORE/sub/keep.txt" ]
	[ -e "$STORE/.wharf-part.dir/.wharf-part.x" ]
	[ -L "$STORE/.wharf-part.link" ]
	[ -e "$outside/target" ]
	[ -e "$outside/.wharf-part.outside" ]
	[ -L "$STORE/sub/link" ]
	# The fresh one goes too once it is old enough.
	wait_until 10 bash -c '! [ -e "$1" ]' _ "$STORE/.wharf-part.fresh"
	[ -e "$outside/.wharf-part.outside" ]
}

@test "sweep: a partial that a client left is gone after --partial-age, and the store serves on" {
	start_wharfd --writable --transfer-timeout 1 --idle-timeout 1 \
	    --header-timeout 1 --partial-age 3 -v
	# A PUT that announces 100000 bytes and stops after 5000.
	timeout 10 python3 - "$WPORT" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
	f = s.makefile("rb")
	f.readline()
	s.sendall(b"PUT cut.bin size=100000\r\n")
	line = f.readline()
	assert line.startswith(b"151 "), line
	s.sendall(b"x" * 5000)
	s.close()
	EOF
	wait_until 5 bash -c 'ls -A "$1" | grep -q "^\.wharf-part\."' _ "$STORE"
	wait_until 8 grep -q 'sweep: removed 1 interrupted upload ' \
	    "$WHARFD_LOG"
	run ls -A "$STORE"
	echo "$output"
	[[ "$output" != *.wharf-* ]]
	# The child that swept went back to the pool and serves.
	timeout 10 curl -sS -T "$WHARFD_LOG" "http://127.0.0.1:$HPORT/after.txt"
	[ -s "$STORE/after.txt" ]
}

@test "sweep: a read-only store and --partial-age 0 are never swept" {
	STORE=$BATS_TEST_TMPDIR/store
	mkdir -p "$STORE"
	printf 'old partial' >"$STORE/.wharf-part.0123456789abcdef"
	start_wharfd --partial-age 2 -v
	sleep 3.5
	stop_wharfd
	[ -e "$STORE/.wharf-part.0123456789abcdef" ]
	run ! grep -q 'sweep' "$WHARFD_LOG"
	WORK=
	start_wharfd --writable --partial-age 0 -v
	sleep 3.5
	[ -e "$STORE/.wharf-part.0123456789abcdef" ]
	run ! grep -q 'sweep' "$WHARFD_LOG"
}
