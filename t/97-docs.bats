#!/usr/bin/env bats
# t/97-docs.bats: the documentation against the programs: every man page
# formats without a warning (groff -ww, man --warnings), every long option
# of each program's --help is an item of its man page, every command of
# wharf --help is in wharf(1), --version names the version and the
# libraries, and systemd-analyze accepts the example units.

load helpers
bats_require_minimum_version 1.5.0

MAN=$T_SRCDIR/../man
SHARE=$T_SRCDIR/../share

setup() {
	export LC_ALL=C.UTF-8 MANWIDTH=80 MANPAGER=cat PAGER=cat
}

# man_text PAGE: the page as man shows it, on lines long enough that no
# option name is broken.
man_text() {
	MANWIDTH=1000 man -l "$1" 2>/dev/null
}

# help_options PROGRAM: the long options its --help names.
help_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# options_documented PROGRAM PAGE: each long option of PROGRAM --help is
# the tag of an item in PAGE ("-r, --root dir", "--port-file file").
options_documented() {
	local text opt missing=0
	text=$(man_text "$2")
	[ -n "$text" ]
	for opt in $(help_options "$1"); do
		grep -qE -- "^ +(-[a-zA-Z0-9], )?$opt( |\$)" <<<"$text" || {
			echo "${2##*/}: no item for $opt"
			missing=1
		}
	done
	[ "$(help_options "$1" | wc -l)" -gt 5 ]
	return "$missing"
}

@test "docs: every man page is clean under groff -ww" {
	local f n=0
	for f in "$MAN"/*.[1-9]; do
		n=$((n + 1))
		groff -ww -mandoc -Tutf8 "$f" >/dev/null 2>"$BATS_TEST_TMPDIR/err"
		if [ -s "$BATS_TEST_TMPDIR/err" ]; then
			echo "${f##*/}:"
			cat "$BATS_TEST_TMPDIR/err"
			false
		fi
	done
	[ "$n" -eq 3 ]
}

@test "docs: every man page is clean under man --warnings" {
	local f
	for f in "$MAN"/*.[1-9]; do
		man --warnings -l "$f" >"$BATS_TEST_TMPDIR/out" \
		    2>"$BATS_TEST_TMPDIR/err"
		if [ -s "$BATS_TEST_TMPDIR/err" ]; then
			echo "${f##*/}:"
			cat "$BATS_TEST_TMPDIR/err"
			false
		fi
		# Rendered, with its name in the header.
		[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -gt 20 ]
	done
}

@test "docs: every long option of wharfd --help is an item of wharfd(8)" {
	run options_documented "$WHARFD" "$MAN/wharfd.8"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "docs: every long option of wharf --help is an item of wharf(1)" {
	run options_documented "$WHARF" "$MAN/wharf.1"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "docs: every command of wharf --help is described in wharf(1)" {
	local cmds cmd text missing=0
	# Command lines are indented by two spaces; their descriptions'
	# continuation lines by more.
	cmds=$("$WHARF" --help | awk '/^Commands:/ { on = 1; next }
	    /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
	[ "$(wc -w <<<"$cmds")" -ge 8 ]
	text=$(man_text "$MAN/wharf.1")
	for cmd in $cmds; do
		grep -qE -- "^ +$cmd( |\$)" <<<"$text" || {
			echo "wharf.1: no item for the command $cmd"
			missing=1
		}
	done
	[ "$missing" -eq 0 ]
}

@test "docs: --version names the version, libmagic and zlib" {
	local version magic zlib
	version=$(sed -n 's/^AC_INIT(\[wharf\], *\[\([^]]*\)\].*/\1/p' \
	    "$T_SRCDIR/../configure.ac")
	[ -n "$version" ]
	run "$WHARFD" --version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "wharfd $version "* ]]
	magic=$(grep -oE 'libmagic [0-9][0-9.]*' <<<"$output" | cut -d' ' -f2)
	zlib=$(grep -oE 'zlib [0-9]+\.[0-9]+[0-9.]*' <<<"$output" | cut -d' ' -f2)
	[ -n "$magic" ] && [ -n "$zlib" ]
	# The libmagic wharfd runs with is the one file(1) reports (5.44 or
	# magic_version()'s 544).
	if command -v file >/dev/null; then
		[ "${magic//./}" = "$(file --version | head -n 1 |
		    sed 's/^file-//; s/\.//g')" ]
	fi
	# The client uses zlib only, the same one.
	run "$WHARF" --version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "wharf $version "* ]]
	[[ "$output" == *"zlib $zlib"* ]]
}

# verify_units UNIT...: systemd-analyze verify, without the complaints
# that only say wharfd is not installed at /usr/local/sbin or its man
# pages are not in man's path on this machine.
verify_units() {
	systemd-analyze verify "$@" 2>&1 |
	    grep -vE "^[a-z.]+: Command /usr/local/sbin/wharfd is not executable: No such file or directory\$" |
	    grep -vE "^[a-z.]+: Command 'man (wharfd|wharf|wharf-protocol)\\([178]\\)' failed with code 16\$" ||
	    true
}

@test "docs: systemd-analyze verify accepts the example units" {
	local units=() u
	command -v systemd-analyze >/dev/null ||
	    skip "no systemd-analyze (Debian package systemd)"
	[ -f "$SHARE/wharfd.service" ]
	cp "$SHARE"/*.service "$BATS_TEST_TMPDIR"/
	cp "$SHARE"/*.socket "$BATS_TEST_TMPDIR"/ 2>/dev/null || true
	for u in "$BATS_TEST_TMPDIR"/*.service "$BATS_TEST_TMPDIR"/*.socket; do
		[ -f "$u" ] && units+=("$u")
	done
	echo "units: ${units[*]##*/}"
	run verify_units "${units[@]}"
	echo "$output"
	[ -z "$output" ]
	# The filters hide nothing else: a broken unit is reported.
	printf '[Service]\nExecStart=/usr/local/sbin/wharfd\nNoSuchKey=1\n' \
	    >"$BATS_TEST_TMPDIR/broken.service"
	run verify_units "$BATS_TEST_TMPDIR/broken.service"
	[[ "$output" == *NoSuchKey* ]]
}
