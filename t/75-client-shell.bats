#!/usr/bin/env bats
# t/75-client-shell.bats: wharf's interactive shell, driven through a pipe
# (script use: no prompt) and through a pseudo-terminal (prompt, table
# listings): open and close, cd with a client-side working directory and
# "..", pwd, lcd, get, put, mget, mput, rm, mkdir, mv, stat, help, quoting
# of names with spaces, errors that do not end the session.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	L=$BATS_TEST_TMPDIR/local
	mkdir -p "$L"
	cd "$L"
}

# wsh [ARGS...]: the shell on the server of this test, commands on stdin.
wsh() {
	timeout 60 "$WHARF" -H 127.0.0.1 -p "$WPORT" "$@" 3>&-
}

@test "shell: commands from a pipe, no prompt, files both ways" {
	start_wharfd --writable
	echo hello >hello.txt
	run --separate-stderr wsh <<'EOF'
mkdir docs
cd docs
pwd
put hello.txt
put hello.txt copy.txt
ls
stat copy.txt
get copy.txt back.txt
quit
EOF
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" != *"wharf>"* ]]
	[[ "$output" == *"/docs"* ]]
	[[ "$output" == *"f 6 "*" hello.txt"* ]]
	[[ "$output" == *"f 6 "*" copy.txt"* ]]
	cmp hello.txt "$STORE/docs/hello.txt"
	cmp hello.txt "$STORE/docs/copy.txt"
	cmp hello.txt back.txt
}

@test "shell: quoting of names with spaces: \"a b\", 'a b' and a\\ b" {
	start_wharfd --writable
	echo one >"a b"
	echo two >"c d"
	echo three >"e f"
	run wsh <<'EOF'
put "a b"
put 'c d'
put e\ f "g h"
mkdir "my dir"
mv "a b" "my dir"
ls "my dir"
get "g h" "local copy"
EOF
	[ "$status" -eq 0 ]
	cmp "a b" "$STORE/my dir/a b"
	cmp "c d" "$STORE/c d"
	cmp "e f" "$STORE/g h"
	cmp "e f" "local copy"
	[[ "$output" == *" a%20b"* ]]
	run wsh <<<'put "unterminated'
	[ "$status" -eq 2 ]
	[[ "$output" == *"unterminated"* ]]
}

@test "shell: the remote working directory is joined and normalised by the client" {
	start_wharfd --writable
	mkdir -p "$STORE/a/b/c"
	echo deep >"$STORE/a/b/c/file"
	echo top >"$STORE/top"
	run wsh <<'EOF'
cd a/b
pwd
cd c/../c/./
pwd
get file
cd ../../..
pwd
cd ..
pwd
cd a//b/../b
pwd
cd /a
pwd
cd
pwd
cd top
cd nonexistent
EOF
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = /a/b ]
	[ "${lines[1]}" = /a/b/c ]
	[ "${lines[2]}" = / ]
	[[ "${lines[3]}" == *"above the root"* ]]
	[ "${lines[4]}" = / ]
	[ "${lines[5]}" = /a/b ]
	[ "${lines[6]}" = /a ]
	[ "${lines[7]}" = / ]
	[[ "$output" == *"top: not a directory"* ]]
	[[ "$output" == *"nonexistent: not found"* ]]
	cmp file "$STORE/a/b/c/file"
}

@test "shell: mget, mput, lcd, rm and errors that do not end the session" {
	start_wharfd --writable
	mkdir up down
	echo 1 >up/x1.txt
	echo 2 >up/x2.txt
	echo 3 >up/y.log
	mkdir "$STORE/in"
	run wsh <<EOF
lcd up
cd in
mput *.txt
frobnicate
get missing
lcd ../down
mget x*
rm x1.txt
ls
EOF
	[ "$status" -ne 0 ]
	[[ "$output" == *"frobnicate: unknown command"* ]]
	[[ "$output" == *"missing: not found"* ]]
	[ ! -e "$STORE/in/y.log" ]
	cmp up/x2.txt "$STORE/in/x2.txt"
	cmp up/x1.txt down/x1.txt
	cmp up/x2.txt down/x2.txt
	[ ! -e "$STORE/in/x1.txt" ]
	[[ "$output" == *" x2.txt"* ]]
}

@test "shell: get and put with -r, -c and -z inside the shell" {
	start_wharfd --writable
	mkdir -p tree/sub
	head -c 100000 /dev/urandom >tree/sub/blob
	echo t >tree/top
	run wsh <<'EOF'
put -r -z tree
mkdir copy
cd copy
put -c tree/top
cd /
get -r tree got
EOF
	[ "$status" -eq 0 ]
	diff -r tree "$STORE/tree"
	diff -r tree got
	cmp tree/top "$STORE/copy/top"
}

@test "shell: open and close; commands without a connection say so" {
	start_wharfd
	echo x >"$STORE/f"
	run timeout 30 "$WHARF" 3>&- <<EOF
ls
open 127.0.0.1 $WPORT
ls
close
ls
open wharf://127.0.0.1:$WPORT/
stat f
bye
EOF
	[ "$status" -ne 0 ]
	[[ "$output" == *"not connected"* ]]
	[ "$(echo "$output" | grep -c ' f$')" -eq 2 ]
}

@test "shell: help lists the commands" {
	start_wharfd
	run wsh <<<'help'
	[ "$status" -eq 0 ]
	local c
	for c in open close ls cd pwd lcd get put mget mput rm mkdir mv stat \
	    help quit exit bye; do
		[[ "$output" == *"$c"* ]] || { echo "help lacks $c"; return 1; }
	done
}

@test "shell: on a terminal: the prompt, then a table listing" {
	start_wharfd --writable
	echo hello >"$STORE/greeting.txt"
	mkdir "$STORE/folder"
	run timeout 30 script -qec "$WHARF -H 127.0.0.1 -p $WPORT" /dev/null \
	    <<<$'ls\nquit' 3>&-
	[ "$status" -eq 0 ]
	[[ "$output" == *"wharf> "* ]]
	[[ "$output" == *"greeting.txt"* ]]
	[[ "$output" == *"folder/"* ]]
	# A table: local dates, not the raw epoch seconds.
	[[ "$output" =~ [0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2} ]]
}

@test "shell: on a terminal through Python's pty, end of input leaves" {
	start_wharfd
	echo x >"$STORE/pty-file"
	run timeout 30 python3 - "$WHARF" "$WPORT" 3>&- <<'EOF'
import os, pty, sys, time
wharf, port = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(wharf, [wharf, "-H", "127.0.0.1", "-p", port])
out = b""
def read_until(token, secs=10):
    global out
    end = time.time() + secs
    while token not in out and time.time() < end:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
read_until(b"wharf> ")
os.write(fd, b"pwd\n")
read_until(b"/\r\n")
os.write(fd, b"ls\n")
read_until(b"pty-file")
os.write(fd, b"\x04")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
	[ "$status" -eq 0 ]
	[[ "$output" == *"wharf> "* ]]
	[[ "$output" == *"pty-file"* ]]
}
