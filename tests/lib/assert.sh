# tests/lib/assert.sh - what every shell test of the project shares: the
# checks, the summary line tests/run-all.sh reads ("NAME: N passed, N
# failed"), a scratch folder removed at exit, and the setup failure.
#
# Source it, then set NAME (and FAIL_TAG, e.g. "[nginx] ", to mark the
# messages of one run among several).  Messages go to stderr as
# "FAIL <what>".

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL ${FAIL_TAG:-}$*" >&2; }
# eq WHAT EXPECTED ACTUAL
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi; }
# has WHAT TEXT FILE / lacks WHAT TEXT FILE (lacks ignores case)
has() { if grep -qF -- "$2" "$3"; then ok; else bad "$1: '$2' not in $3"; fi; }
lacks() { if grep -qiF -- "$2" "$3"; then bad "$1: '$2' in $3"; else ok; fi; }

# finish: the summary line, and an exit status that says whether all passed.
finish() {
	echo "$NAME: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}

# die WHY: a setup step failed (counted as one failure); the script ends.
die() {
	echo "$NAME: setup failed: $*" >&2
	declare -F on_die >/dev/null && on_die
	FAIL=$((FAIL + 1))
	finish
}

# scratch PREFIX: T, a new folder under $TMPDIR.  At exit the processes
# in BG_PIDS are stopped, the script's at_exit runs (when it defines one),
# then es_stop_all (when it sourced tests/integration/lib.sh), then T is
# removed (kept when KEEP is set).
BG_PIDS=()
scratch() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") ||
	    { echo "$NAME: cannot make a scratch folder" >&2; exit 1; }
	trap assert_exit EXIT
	trap 'exit 1' INT TERM HUP
}
assert_exit() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	declare -F at_exit >/dev/null && at_exit
	declare -F es_stop_all >/dev/null && es_stop_all
	[ -n "${T:-}" ] && [ -z "${KEEP:-}" ] && rm -rf "$T"
}
