#!/usr/bin/env bats
# t/77-client-netrc.bats: the wharf client's credentials from a .netrc
# (HOME, NETRC, --netrc-file, -n, --no-netrc) against a wharfd with a user
# file: the host's entry logs in, a wrong password exits 1 and names the
# file, the user of a wharf:// URL picks its entry, what was given wins
# over the file, a file others can read is refused, and the format's
# corners (quotes, comments, macdef, default).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME" "$BATS_TEST_TMPDIR/local"
	cd "$BATS_TEST_TMPDIR/local"
	unset NETRC WHARF_USER WHARF_PASSWORD WHARF_HOST WHARF_PORT
	echo "payload $BATS_TEST_NUMBER" >f
}

# users NAME:PASSWORD...: a user file in which each has the rw role.
users() {
	local spec hash
	: >"$BATS_TEST_TMPDIR/users"
	for spec in "$@"; do
		hash=$(printf '%s\n' "${spec#*:}" | "$WHARFD" --hash-password 3>&-)
		[ -n "$hash" ]
		printf '%s:%s:rw\n' "${spec%%:*}" "$hash" >>"$BATS_TEST_TMPDIR/users"
	done
}

# start_users: alice (secret) and bob (two words) may write; anonymous
# clients may only read, so an upload shows that a login worked.
start_users() {
	users alice:secret "bob:two words"
	start_wharfd --writable --user-file "$BATS_TEST_TMPDIR/users" \
	    --anonymous read
}

# netrc TEXT: write ~/.netrc, readable by its owner only.
netrc() {
	printf '%s' "$1" >"$HOME/.netrc"
	chmod 600 "$HOME/.netrc"
}

# w ARGS...: the client under test, without a controlling terminal so
# that it can never prompt for a password.
w() {
	timeout 60 setsid -w "$WHARF" "$@" </dev/null 3>&-
}

@test "netrc: put logs in with the host's entry in ~/.netrc" {
	start_users
	netrc "machine 127.0.0.1 login alice password secret
"
	run w -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 0 ]
	cmp f "$STORE/f"
	grep -q 'logged in as alice' "$WHARFD_LOG"
	# Without the file, the same put is anonymous and refused.
	rm "$HOME/.netrc"
	run w -H 127.0.0.1 -p "$WPORT" put -o g f
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	[ ! -e "$STORE/g" ]
}

@test "netrc: a wrong password exits 1 and names the file" {
	start_users
	netrc "machine 127.0.0.1 login alice password wrong
"
	run w -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"user alice: authentication failed"* ]]
	[[ "$output" == *"$HOME/.netrc"* ]]
	[ ! -e "$STORE/f" ]
}

@test "netrc: the user of a wharf:// URL picks the entry with that login" {
	start_users
	netrc "machine 127.0.0.1 login alice password wrong
machine 127.0.0.1 login bob password \"two words\"
machine 127.0.0.1 login carol password never
"
	run w "wharf://bob@127.0.0.1:$WPORT/" put f
	echo "$output"
	[ "$status" -eq 0 ]
	cmp f "$STORE/f"
	grep -q 'logged in as bob' "$WHARFD_LOG"
	# -u picks the same way; alice's entry has the wrong password.
	run w -H 127.0.0.1 -p "$WPORT" -u alice put -o g f
	[ "$status" -eq 1 ]
	[[ "$output" == *"user alice: authentication failed"* ]]
	# With no user named, the first entry for the host is the one.
	run w -H 127.0.0.1 -p "$WPORT" put -o g f
	[ "$status" -eq 1 ]
	[[ "$output" == *"user alice: authentication failed"* ]]
	# A user without an entry: -n makes that an error (exit 2).
	run w -n "wharf://dave@127.0.0.1:$WPORT/" ls
	[ "$status" -eq 2 ]
	[[ "$output" == *"no entry for host 127.0.0.1 and login dave"* ]]
}

@test "netrc: the host is matched as given; default serves other hosts" {
	start_users
	netrc "machine 127.0.0.1 login alice password secret
"
	# localhost is not 127.0.0.1 for the netrc: anonymous, refused.
	run w -H localhost -p "$WPORT" put f
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	netrc "machine 127.0.0.1 login alice password wrong
default login bob password \"two words\"
machine LOCALHOST login alice password secret
"
	# Case does not matter; a machine entry beats default wherever it is.
	run w -H localhost -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'logged in as alice' "$WHARFD_LOG"
	run ! grep -q 'logged in as bob' "$WHARFD_LOG"
	netrc "machine elsewhere.invalid login alice password wrong
default login bob password \"two words\"
"
	run w -H 127.0.0.1 -p "$WPORT" put -o g f
	[ "$status" -eq 0 ]
	grep -q 'logged in as bob' "$WHARFD_LOG"
	cmp f "$STORE/g"
}

@test "netrc: a file others can read is not used when it holds a password" {
	start_users
	netrc "machine 127.0.0.1 login alice password secret
"
	chmod 644 "$HOME/.netrc"
	run w -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"$HOME/.netrc: holds a password but others can read it"* ]]
	[[ "$output" == *"chmod 600"* ]]
	[ ! -e "$STORE/f" ]
	chmod 640 "$HOME/.netrc"
	run w -H 127.0.0.1 -p "$WPORT" put f
	[ "$status" -eq 2 ]
	# A readable file without a password is fine: the login is used,
	# and the password comes from elsewhere.
	printf 'machine 127.0.0.1 login alice\n' >"$HOME/.netrc"
	chmod 644 "$HOME/.netrc"
	WHARF_PASSWORD=secret run w -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'logged in as alice' "$WHARFD_LOG"
}

@test "netrc: a password given otherwise wins and the file is not read" {
	start_users
	netrc "machine 127.0.0.1 login alice password wrong
"
	# Unreadable garbage: if wharf read it, it would fail.
	printf 'garbage "unclosed\n' >"$HOME/.netrc"
	chmod 644 "$HOME/.netrc"
	WHARF_PASSWORD=secret run w -u alice -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 0 ]
	# (w gives the client /dev/null: here it needs stdin.)
	run timeout 60 setsid -w "$WHARF" -u alice -H 127.0.0.1 -p "$WPORT" \
	    --password-stdin put -o g f <<<"secret" 3>&-
	[ "$status" -eq 0 ]
	cmp f "$STORE/g"
	# When it is read, the malformed file is an error that says where.
	run w -u alice -H 127.0.0.1 -p "$WPORT" ls
	[ "$status" -eq 2 ]
	[[ "$output" == *"$HOME/.netrc: line 1: not a netrc file"* ]]
}

@test "netrc: --netrc-file, NETRC, -n and --no-netrc" {
	start_users
	local other=$BATS_TEST_TMPDIR/other.netrc
	printf 'machine 127.0.0.1 login alice password secret\n' >"$other"
	chmod 600 "$other"
	run w -H 127.0.0.1 -p "$WPORT" --netrc-file "$other" put f
	echo "$output"
	[ "$status" -eq 0 ]
	NETRC=$other run w -H 127.0.0.1 -p "$WPORT" put -o g f
	[ "$status" -eq 0 ]
	cmp f "$STORE/g"
	# Named and missing: exit 2; the default file missing: -n only.
	run w -H 127.0.0.1 -p "$WPORT" --netrc-file "$BATS_TEST_TMPDIR/none" ls
	[ "$status" -eq 2 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/none: No such file or directory"* ]]
	run w -H 127.0.0.1 -p "$WPORT" ls
	[ "$status" -eq 0 ]
	run w -n -H 127.0.0.1 -p "$WPORT" ls
	[ "$status" -eq 2 ]
	[[ "$output" == *"$HOME/.netrc: No such file or directory"* ]]
	# A file without the host: quietly anonymous, or exit 2 with -n.
	netrc "machine elsewhere.invalid login alice password secret
"
	run w -H 127.0.0.1 -p "$WPORT" ls
	[ "$status" -eq 0 ]
	run w -n -H 127.0.0.1 -p "$WPORT" ls
	[ "$status" -eq 2 ]
	[[ "$output" == *"no entry for host 127.0.0.1"* ]]
	# --no-netrc: never read, even with a matching entry.
	cp "$other" "$HOME/.netrc"
	run w --no-netrc -H 127.0.0.1 -p "$WPORT" put -o h f
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	[ ! -e "$STORE/h" ]
}

@test "netrc: quotes, comments, account and macdef are read as ftp and curl do" {
	start_users
	# The macro's body looks like an entry for the host: it is skipped
	# up to the empty line that ends it.
	netrc "# wharf test
macdef init
machine 127.0.0.1 login alice password wrong

machine 127.0.0.1
	account ignored
	login bob # the one
	password \"two words\"
"
	run w -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'logged in as bob' "$WHARFD_LOG"
	run ! grep -q 'AUTH alice' "$WHARFD_LOG"
}

@test "netrc: a default login is dropped for a server without users" {
	start_wharfd --writable
	netrc "default login guest password guest
"
	run w -H 127.0.0.1 -p "$WPORT" put f
	echo "$output"
	[ "$status" -eq 0 ]
	cmp f "$STORE/f"
}

@test "netrc: the shell's open reads the entry of the host it opens" {
	start_users
	netrc "machine 127.0.0.1 login alice password secret
"
	run bash -c 'printf "open 127.0.0.1 %s\nput f\nquit\n" "$1" |
	    timeout 60 setsid -w "$WHARF" 3>&-' _ "$WPORT"
	echo "$output"
	[ "$status" -eq 0 ]
	cmp f "$STORE/f"
	grep -q 'logged in as alice' "$WHARFD_LOG"
}
