#!/bin/bash
# Runs every tests/cgi/test_*.sh and sums their "cgi: N passed, N failed"
# lines.  Environment: B (build folder), VALGRIND=1.
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
for f in "$here"/test_*.sh; do
	echo "== $(basename "$f")"
	out=$(bash "$f" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^cgi: [0-9]* passed, [0-9]* failed$'
	last=$(printf '%s\n' "$out" | grep '^cgi: [0-9]* passed, [0-9]* failed$' | tail -n 1)
	if [ -z "$last" ]; then
		echo "FAIL: $(basename "$f") ended without a summary (exit $rc)"
		fail=$((fail + 1))
		continue
	fi
	p=${last#cgi: }
	p=${p%% *}
	n=${last%% failed}
	n=${n##* }
	echo "   $p passed, $n failed"
	pass=$((pass + p))
	fail=$((fail + n))
	if [ "$rc" != 0 ] && [ "$n" = 0 ]; then
		echo "FAIL: $(basename "$f") exited $rc"
		fail=$((fail + 1))
	fi
done
echo "cgi: $pass passed, $fail failed"
[ "$fail" = 0 ]
