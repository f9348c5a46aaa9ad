#!/bin/bash
# replay.sh - replays every seed (tests/fuzz/corpus/T/) and every
# regression input (tests/fuzz/regress/T/) through each fuzz target built
# without libFuzzer, under ASan and UBSan (any report fails the target).
#
#   bash tests/fuzz/replay.sh [TARGET...]     (from anywhere)
#
# Then every corpus and reproducer once more through the request path
# (fuzz_decide: req_parse, decide, render) built without sanitizers and
# run inside the production sandbox (replay.c REPLAY_SANDBOX): counted as
# the target "sandbox".
#
# Needs a C compiler (REPLAY_CC, default cc) and the pkg-config packages
# of the Makefile.  Last line: "fuzz-replay: N passed, N failed", one per
# target.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
F=$ROOT/tests/fuzz
FB=${FB:-build-fuzz}
TARGETS=${*:-form req conf clients jwks hint json token locale tmpl decide jline signkey}

cd "$ROOT" || exit 1
if ! make -s -f tests/fuzz/fuzz.mk FB="$FB" FUZZ_TARGETS="$TARGETS" \
    replay-bin >"${TMPDIR:-/tmp}/es-replay-build.$$" 2>&1; then
	cat "${TMPDIR:-/tmp}/es-replay-build.$$"
	rm -f "${TMPDIR:-/tmp}/es-replay-build.$$"
	echo "fuzz-replay: 0 passed, $(echo $TARGETS | wc -w) failed"
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/es-replay-build.$$"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
LOG=$(mktemp "${TMPDIR:-/tmp}/es-replay.XXXXXX") || exit 1
trap 'rm -f "$LOG"' EXIT
for t in $TARGETS; do
	if ( "$FB/replay/fuzz_$t" "$F/corpus/$t" "$F/regress/$t" >"$LOG" 2>&1 ) 2>/dev/null; then
		echo "fuzz-replay: $t: $(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$LOG") inputs ok"
		pass=$((pass + 1))
	else
		echo "fuzz-replay: $t: FAILED on $(grep '^replay: /' "$LOG" | tail -1 | cut -d' ' -f2-)"
		grep -v '^replay: ' "$LOG" | grep -m 5 -E 'ERROR|runtime error|invariant|SUMMARY|#[0-3] ' | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
if [ $# -eq 0 ]; then
	if make -s -f tests/fuzz/fuzz.mk FB="$FB" sandbox-bin >"$LOG" 2>&1 &&
	    "$FB/sandbox/fuzz_decide" "$F"/corpus/* "$F"/regress/* >"$LOG" 2>&1 &&
	    grep -q '^replay: sandboxed' "$LOG"; then
		echo "fuzz-replay: sandbox: $(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$LOG") inputs ok through the request path, sandboxed"
		pass=$((pass + 1))
	else
		echo "fuzz-replay: sandbox: FAILED (exit or signal above)"
		tail -n 5 "$LOG" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
fi
echo "fuzz-replay: $pass passed, $fail failed"
[ $fail -eq 0 ]
