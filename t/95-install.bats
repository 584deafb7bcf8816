#!/usr/bin/env bats
# t/95-install.bats: `make install` into a temporary DESTDIR from the build
# tree (the directory above $WHARFD, which under make distcheck is not the
# source tree): every file in its place, the installed wharfd serving the
# page from the installed assets, the installed client talking to it, the
# installed bash completion, and `make uninstall` leaving no file behind.

load helpers
bats_require_minimum_version 1.5.0

# The prefix the tests install to; wharfd's compiled-in one may differ.
PREFIX=/usr/local

# build_top: the top of the build tree, where `make install` runs.
build_top() {
	(cd "$(dirname "$WHARFD")/.." && pwd)
}

# make_in_build DESTDIR TARGET...: make in the build tree, with none of
# the outer make's flags or command-line variables (make check passes
# them down in MAKEFLAGS).
make_in_build() {
	local dest=$1
	shift
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
		cd "$(build_top)" &&
		    make "$@" DESTDIR="$dest" prefix="$PREFIX"
	) 3>&-
}

setup_file() {
	[ -f "$(build_top)/Makefile" ] || return 0
	D=$BATS_FILE_TMPDIR/dest
	export D
	make_in_build "$D" install >"$BATS_FILE_TMPDIR/install.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/install.log" >&2
		return 1
	}
}

setup() {
	[ -f "$(build_top)/Makefile" ] ||
	    skip "no Makefile above \$WHARFD ($WHARFD): not a build tree"
	P=$D$PREFIX
}

# expected_files: every file make install should make, relative to the
# prefix: the programs, each man page in its section, each asset of
# share/ (the page, the systemd units) in share/wharf/, and the bash
# completion under both names.
expected_files() {
	local f base
	echo sbin/wharfd
	echo bin/wharf
	for f in "$T_SRCDIR"/../man/*.[1-9]; do
		base=${f##*/}
		echo "share/man/man${base##*.}/$base"
	done
	for f in "$T_SRCDIR"/../share/*; do
		case $f in
		*.bash-completion) ;;
		*) echo "share/wharf/${f##*/}" ;;
		esac
	done
	echo share/bash-completion/completions/wharf
	echo share/bash-completion/completions/wharfd
}

@test "install: make install DESTDIR= puts every file in its place" {
	local f missing=0
	cat "$BATS_FILE_TMPDIR/install.log"
	expected_files | sort >"$BATS_TEST_TMPDIR/expected"
	(cd "$P" && find . ! -type d | sed 's|^\./||' | sort) \
	    >"$BATS_TEST_TMPDIR/installed"
	diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/installed"
	# Nothing outside the prefix.
	[ -z "$(find "$D" ! -type d ! -path "$P/*")" ]
	[ -x "$P/sbin/wharfd" ] && [ -x "$P/bin/wharf" ]
	[ -f "$P/share/wharf/wharfd.service" ]
	for f in sbin/wharfd bin/wharf; do
		[ "$(head -c 4 "$P/$f" | tail -c 3)" = ELF ]
	done
	for f in "$T_SRCDIR"/../share/index.html "$T_SRCDIR"/../share/*.css \
	    "$T_SRCDIR"/../share/*.js "$T_SRCDIR"/../share/wharfd.*; do
		cmp "$f" "$P/share/wharf/${f##*/}" || missing=1
	done
	[ "$missing" -eq 0 ]
	"$P/sbin/wharfd" --version | grep -q '^wharfd '
	"$P/bin/wharf" --version | grep -q '^wharf '
	# man finds the installed pages by name.
	for f in wharf wharfd wharf-protocol; do
		MANPATH=$P/share/man man -w "$f" | grep -q "^$P/share/man/"
	done
}

@test "install: the installed wharfd serves the page with the installed assets" {
	local page css js
	# Mark the installed stylesheet: only that copy has the mark, so
	# serving it shows which share directory the daemon used.
	echo '/* installed copy */' >>"$P/share/wharf/wharf.css"
	mkdir -p "$BATS_TEST_TMPDIR/store/sub"
	echo hello >"$BATS_TEST_TMPDIR/store/hello.txt"
	STORE=$BATS_TEST_TMPDIR/store
	WHARFD=$P/sbin/wharfd start_wharfd --share-dir "$P/share/wharf"
	page=$(curl -sS --fail "http://127.0.0.1:$HPORT/")
	echo "$page"
	[[ "$page" == *hello.txt* ]]
	[[ "$page" == *sub/* ]]
	css=$(grep -o '<link rel="stylesheet" href="[^"]*"' <<<"$page" |
	    sed 's/.*href="//; s/"$//')
	js=$(grep -o '<script src="[^"]*"' <<<"$page" | sed 's/.*src="//; s/"$//')
	[ -n "$css" ] && [ -n "$js" ]
	curl -sS --fail -o "$BATS_TEST_TMPDIR/css" "http://127.0.0.1:$HPORT$css"
	cmp "$P/share/wharf/wharf.css" "$BATS_TEST_TMPDIR/css"
	grep -q 'installed copy' "$BATS_TEST_TMPDIR/css"
	run curl -sS --fail -D - -o /dev/null "http://127.0.0.1:$HPORT$css"
	[[ "$output" == *[Cc]ontent-[Tt]ype:\ text/css* ]]
	curl -sS --fail -o "$BATS_TEST_TMPDIR/js" "http://127.0.0.1:$HPORT$js"
	cmp "$P/share/wharf/wharf.js" "$BATS_TEST_TMPDIR/js"
	# The page itself comes from the installed template.
	grep -q "$(grep -o '<title>[^{]*' "$P/share/wharf/index.html" | head -1)" \
	    <<<"$page"
}

@test "install: the installed client talks to the installed daemon" {
	local w=$P/bin/wharf
	STORE=$BATS_TEST_TMPDIR/store
	mkdir -p "$STORE"
	echo "from the store" >"$STORE/a.txt"
	WHARFD=$P/sbin/wharfd start_wharfd --writable --share-dir "$P/share/wharf"
	cd "$BATS_TEST_TMPDIR"
	run "$w" -H 127.0.0.1 -p "$WPORT" ls
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" a.txt"* ]]
	head -c 300000 /dev/urandom >up.bin
	"$w" -q -H 127.0.0.1 -p "$WPORT" put up.bin 3>&-
	cmp up.bin "$STORE/up.bin"
	"$w" -q -H 127.0.0.1 -p "$WPORT" get -o back.bin up.bin 3>&-
	cmp up.bin back.bin
	run "$w" -H 127.0.0.1 -p "$WPORT" ping
	[ "$status" -eq 0 ]
	[[ "$output" == *"127.0.0.1 port $WPORT: "* ]]
}

# complete_words WORDS...: run the installed completion for the command
# line WORDS (the last one being completed) in a fresh bash, with the
# installed programs first in PATH; prints one candidate a line.
complete_words() {
	bash -c '
	P=$1; shift
	PATH=$P/sbin:$P/bin:$PATH
	. "$P/share/bash-completion/completions/$1" || exit 1
	complete -p "$1" >/dev/null || exit 1
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$(complete -p "$1" | sed "s/.*-F \([^ ]*\) .*/\1/")" "$1" \
	    "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf "%s\n" "${COMPREPLY[@]}"
	' _ "$P" "$@" 3>&-
}

@test "install: the installed bash completion completes options and commands" {
	run bash -c '. "$1/wharfd" && complete -p wharfd wharf' _ \
	    "$P/share/bash-completion/completions"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"-F _wharfd wharfd"* ]]
	[[ "$output" == *"-F _wharf wharf"* ]]
	run complete_words wharfd --ro
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "--root" ]
	run complete_words wharf ge
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "get" ]
	run complete_words wharf --netrc-f
	[ "$output" = "--netrc-file" ]
	run complete_words wharfd --anonymous r
	[ "$output" = "read" ]
	# Remote names come from the server given on the line.
	STORE=$BATS_TEST_TMPDIR/store
	mkdir -p "$STORE/docs"
	echo x >"$STORE/hello.txt"
	echo y >"$STORE/docs/notes.txt"
	WHARFD=$P/sbin/wharfd start_wharfd --share-dir "$P/share/wharf"
	# The completion gives the server 2 s (timeout 2); a sanitizer build
	# next to t/92's soak can take longer: up to three tries.
	remote_words() {
		local try
		for try in 1 2 3; do
			run complete_words wharf -H 127.0.0.1 -p "$WPORT" "$@"
			[ -n "$output" ] && return 0
		done
	}
	remote_words get he
	echo "$output"
	[ "$output" = "hello.txt" ]
	remote_words ls docs/
	echo "$output"
	[ "$output" = "docs/notes.txt" ]
}

@test "install: make uninstall DESTDIR= removes every installed file" {
	local d=$BATS_TEST_TMPDIR/dest2
	run make_in_build "$d" install
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -x "$d$PREFIX/sbin/wharfd" ]
	[ "$(find "$d" -type f | wc -l)" -ge 10 ]
	run make_in_build "$d" uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	run find "$d" ! -type d
	echo "$output"
	[ -z "$output" ]
}
