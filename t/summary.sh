#!/bin/sh
# t/summary.sh TRS...: print the one closing line of make check,
# "N passed, N failed" (", N skipped" when any were), totalled over every
# test case of every test program from the harness's .trs files.
pass=0 fail=0 skip=0
for trs in "$@"; do
	[ -f "$trs" ] || continue
	while IFS= read -r line; do
		case $line in
		":test-result: PASS"*|":test-result: XFAIL"*)
			pass=$((pass + 1)) ;;
		":test-result: FAIL"*|":test-result: XPASS"*|":test-result: ERROR"*)
			fail=$((fail + 1)) ;;
		":test-result: SKIP"*)
			skip=$((skip + 1)) ;;
		esac
	done < "$trs"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
