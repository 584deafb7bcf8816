#!/usr/bin/env bats
# t/83-http-page.bats: the directory page in a real browser: headless
# Chromium (Debian's /usr/bin/chromium) driven by playwright-core from
# t/browser/ (t/browser/page.mjs). The listing renders, a click on a
# column head re-sorts it, files uploaded through the page (file input
# and a drag-and-drop) arrive with identical bytes, and a screenshot is
# saved. ./bootstrap installs chromium and t/browser/node_modules.

load helpers

# Where playwright-core is: t/browser/node_modules of this tree, or of the
# tree WHARF_NODE_MODULES names (make distcheck tests an unpacked tarball,
# which has no node_modules of its own).
NODE_MODULES=${WHARF_NODE_MODULES:-$T_SRCDIR/browser/node_modules}
export WHARF_NODE_MODULES=$NODE_MODULES

need_browser() {
	if [ ! -x /usr/bin/chromium ]; then
		echo "/usr/bin/chromium is missing: run ./bootstrap" \
		    "(it installs Debian's chromium package)" >&2
		return 1
	fi
	if ! command -v node >/dev/null 2>&1 ||
	    [ ! -d "$NODE_MODULES/playwright-core" ]; then
		echo "node or t/browser/node_modules/playwright-core is" \
		    "missing: run ./bootstrap (npm ci in t/browser)" >&2
		return 1
	fi
}

# field KEY: the value page.mjs printed for "KEY: value".
field() {
	printf '%s\n' "${lines[@]}" | sed -n "s/^$1: //p" | head -1
}

@test "page: renders, re-sorts by column, uploads with identical bytes" {
	need_browser
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/wharf.XXXXXX")
	STORE=$WORK/store
	mkdir -p "$STORE/folder" "$STORE/another folder"
	head -c 300 /dev/urandom >"$STORE/b-medium.bin"
	head -c 10 /dev/urandom >"$STORE/c-small.bin"
	head -c 9000 /dev/urandom >"$STORE/a-large.bin"
	printf 'x' >"$STORE/<odd & name>.txt"
	head -c 70000 /dev/urandom >"$WORK/upload me.dat"
	start_wharfd --writable
	shot=${BATS_RUN_TMPDIR:-$WORK}/wharf-page-$BATS_TEST_NUMBER.png
	run timeout 120 node "$T_SRCDIR/browser/page.mjs" \
	    "http://127.0.0.1:$HPORT/" "$WORK/upload me.dat" "$shot" \
	    "$WORK/profile"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "$(field status)" = 200 ]
	[ "$(field rows)" = '["another folder/","folder/","<odd & name>.txt","a-large.bin","b-medium.bin","c-small.bin"]' ]
	[ "$(field by-size)" = '["another folder/","folder/","<odd & name>.txt","c-small.bin","b-medium.bin","a-large.bin"]' ]
	[ "$(field by-size-desc)" = '["folder/","another folder/","a-large.bin","b-medium.bin","c-small.bin","<odd & name>.txt"]' ]
	[ "$(field aria-sort)" = descending ]
	[ "$(field by-name)" = "$(field rows)" ]
	[[ "$(field upload-result)" == *done ]]
	[[ "$(field after-upload)" == *'"upload me.dat"'* ]]
	[[ "$(field after-drop)" == *'"dropped.bin"'* ]]
	cmp "$STORE/upload me.dat" "$WORK/upload me.dat"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7) & 255 for i in range(3000)))' >"$WORK/dropped.want"
	cmp "$STORE/dropped.bin" "$WORK/dropped.want"
	[ "$(field phone-modified-visible)" = false ]
	[ "$(field phone-overflow)" = false ]
	[ "$(head -c 4 "$shot" | od -An -c | tr -d ' ')" = '211PNG' ]
	echo "# screenshot: $shot" >&3
}
