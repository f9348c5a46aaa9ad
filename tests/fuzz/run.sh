#!/bin/bash
# run.sh - runs fuzz targets for a while each; called by fuzz.mk.
#
#   FB=build-fuzz bash tests/fuzz/run.sh SECONDS TARGET...
#
# Each target runs on a copy of tests/fuzz/corpus/TARGET in a temporary
# folder (new inputs never land in the repository), with its dictionary
# and -max_len.  A crash, leak, timeout, UB report or broken invariant
# fails the target; its reproducer is kept in $FB/artifacts/TARGET/.
# Prints the executions reached per target, then "fuzz: N passed, N failed".
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
F=$ROOT/tests/fuzz
FB=${FB:-build-fuzz}
case $FB in /*) ;; *) FB=$ROOT/$FB ;; esac
SECS=${1:?seconds}
shift

maxlen() {
	case $1 in
	form) echo 17000 ;;	# over LIM_QUERY_SZ
	req|decide) echo 20000 ;;
	hint) echo 9000 ;;	# over LIM_HINT_SZ
	clients|jwks|tmpl|signkey) echo 16384 ;;
	jline) echo 9000 ;;	# over LIM_JLINE_SZ
	conf|json) echo 8192 ;;
	locale) echo 4096 ;;
	token) echo 2048 ;;
	*) echo 4096 ;;
	esac
}
dict() {
	case $1 in
	form|token) echo form.dict ;;
	req|decide) echo req.dict ;;
	clients|jwks|json|jline|signkey) echo json.dict ;;
	conf) echo conf.dict ;;
	hint) echo hint.dict ;;
	tmpl) echo tmpl.dict ;;
	locale) echo locale.dict ;;
	esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
W=$(mktemp -d "${TMPDIR:-/tmp}/es-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
for t in "$@"; do
	bin=$FB/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: $t: FAILED: $bin missing"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$W/$t/corpus" "$W/$t/art"
	cp "$F/corpus/$t/"* "$W/$t/corpus/" 2>/dev/null
	d=$(dict "$t")
	"$bin" -max_total_time="$SECS" -max_len="$(maxlen "$t")" \
	    -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
	    ${d:+-dict="$F/$d"} -artifact_prefix="$W/$t/art/" \
	    "$W/$t/corpus" > "$W/$t/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/$t/log" | tail -1)
	if [ $rc -eq 0 ] && ! ls "$W/$t/art/" | grep -q .; then
		echo "fuzz: $t: passed, ${execs:-?} executions in ${SECS}s"
		pass=$((pass + 1))
	else
		mkdir -p "$FB/artifacts/$t"
		cp "$W/$t/art/"* "$FB/artifacts/$t/" 2>/dev/null
		cp "$W/$t/log" "$FB/artifacts/$t/log"
		echo "fuzz: $t: FAILED (exit $rc), ${execs:-?} executions;" \
		    "log and reproducer in $FB/artifacts/$t/"
		grep -m 3 -E 'ERROR: |runtime error|invariant failed|SUMMARY' \
		    "$W/$t/log" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
