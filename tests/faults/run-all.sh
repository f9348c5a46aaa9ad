#!/usr/bin/env bash
# tests/faults/run-all.sh - every fault test: run.sh (FastCGI faults),
# limits.sh, journal_concurrency.sh, longrun.sh (LONGRUN_N from the
# environment, default 200000 here), privilege.sh.  Each prints
# "NAME: N passed, N failed"; the very last line sums them:
# "faults: N passed, N failed".
set -u
cd "$(dirname "$0")" || exit 1
export LONGRUN_N=${LONGRUN_N:-200000}
total_pass=0
total_fail=0
summary=()

part() {
	local name=$1 out rc line p f
	shift
	echo "=== $name"
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		p=0
		f=1
		echo "$name: no summary line (exit $rc)"
	else
		p=$(echo "$line" | sed -E 's/^[^:]*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1 && echo "$name: exit $rc"
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-20s %5d passed, %d failed' "$name" "$p" "$f")")
}

part run timeout 600 bash run.sh
part limits timeout 600 bash limits.sh
part journal_concurrency timeout 900 bash journal_concurrency.sh
part longrun timeout 1200 bash longrun.sh
part privilege timeout 300 bash privilege.sh

echo
echo "=== summary (LONGRUN_N=$LONGRUN_N)"
printf '%s\n' "${summary[@]}"
echo "faults: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
