#!/bin/bash
# Runs every tests/cgi/test_*.sh and sums their "cgi: N passed, N failed"
# lines.  The files are independent (each makes its own fixtures in its own
# folder), so they run side by side, JOBS at a time (default: the number of
# CPUs); their output is printed whole, in file order.
# Environment: B (build folder), VALGRIND=1, JOBS.
here=$(cd "$(dirname "$0")" && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
out=$(mktemp -d "${TMPDIR:-/tmp}/es-cgirun.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
pass=0
fail=0

files=("$here"/test_*.sh)
# Longest first, so that the slow files do not start last.
mapfile -t files < <(for f in "${files[@]}"; do
	printf '%s %s\n' "$(grep -c '' "$f")" "$f"
done | sort -rn | cut -d' ' -f2-)
running=0
for f in "${files[@]}"; do
	n=$(basename "$f" .sh)
	( bash "$f" > "$out/$n.out" 2>&1; echo $? > "$out/$n.rc" ) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

for f in "$here"/test_*.sh; do
	n=$(basename "$f" .sh)
	echo "== $n.sh"
	rc=$(cat "$out/$n.rc" 2>/dev/null || echo "?")
	grep -v '^cgi: [0-9]* passed, [0-9]* failed$' "$out/$n.out"
	last=$(grep '^cgi: [0-9]* passed, [0-9]* failed$' "$out/$n.out" | tail -n 1)
	if [ -z "$last" ]; then
		echo "FAIL: $n.sh ended without a summary (exit $rc)"
		fail=$((fail + 1))
		continue
	fi
	p=${last#cgi: }
	p=${p%% *}
	k=${last%% failed}
	k=${k##* }
	echo "   $p passed, $k failed"
	pass=$((pass + p))
	fail=$((fail + k))
	if [ "$rc" != 0 ] && [ "$k" = 0 ]; then
		echo "FAIL: $n.sh exited $rc"
		fail=$((fail + 1))
	fi
done
echo "cgi: $pass passed, $fail failed"
[ "$fail" = 0 ]
