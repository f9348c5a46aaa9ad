#!/usr/bin/env bash
# tests/sandbox/census.sh - which system calls the sandboxed program makes.
#
# Runs, under strace, with the sandbox entered as in production:
#   - every CGI test (tests/cgi/run.sh: each request a CGI process);
#   - FastCGI children under spawn-fcgi and multiwatch behind nginx
#     (tests/integration/test_servers.sh nginx), the FastCGI faults
#     (tests/faults/run.sh: torn records, short bodies, closed peers) and
#     wide JSON objects with a reload of wide registrations
#     (tests/integration/test_wide.sh nginx);
#   - every fuzz corpus and reproducer (tests/fuzz/corpus/*,
#     tests/fuzz/regress/*) through the request path (req_parse, decide,
#     render: fuzz_decide) in build-fuzz/sandbox/fuzz_decide, which
#     enters the sandbox after loading (replay.c, REPLAY_SANDBOX).
# Counts only the calls made after the seccomp filter was loaded, and
# compares them with tests/sandbox/census.txt: a call not listed there
# fails (look at it, allow it in src/sandbox.c or not, then --update);
# so does any call the filter refused (SIGSYS) or a process it killed.
#
#   bash tests/sandbox/census.sh [--update]
#
# Environment: B (build folder, default build).  Valgrind and the
# sanitizers cannot run under the filter; this census is what covers
# the sandbox for them.  Last line: "sandbox: N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=${B:-build}
export B
LIST=tests/sandbox/census.txt
FB=${FB:-build-fuzz}
UPDATE=0
[ "${1:-}" = --update ] && UPDATE=1
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

ok() { PASS=$((PASS + 1)); echo "ok: $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $1"; }
finish() {
	echo "sandbox: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}

if ! command -v strace >/dev/null; then
	bad "strace missing (scripts/install-deps)"
	finish
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/es-census.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/cgi" "$T/fcgi" "$T/fuzz"

# run NAME DIR COMMAND...: runs a test script, its exit and summary line.
run() {
	local name=$1 log=$T/$1.log
	shift
	if "$@" >"$log" 2>&1; then
		ok "$name: $(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed|^replay: [0-9]+ inputs' "$log" | tail -n 1)"
	else
		bad "$name failed under strace:"
		tail -n 15 "$log" | sed 's/^/    /'
	fi
}

S="strace -qq -f -ff"
run cgi env ES_TRACE="$S -o $T/cgi/t" bash tests/cgi/run.sh
run nginx env ES_TRACE="$S -D -o $T/fcgi/t" \
    bash tests/integration/test_servers.sh nginx
run faults env ES_TRACE="$S -D -o $T/fcgi/f" \
    timeout 600 bash tests/faults/run.sh
run wide env ES_TRACE="$S -D -o $T/fcgi/w" \
    bash tests/integration/test_wide.sh nginx
if make -s -f tests/fuzz/fuzz.mk FB="$FB" sandbox-bin >"$T/make.log" 2>&1; then
	run fuzz $S -o "$T/fuzz/t" "$FB/sandbox/fuzz_decide" \
	    tests/fuzz/corpus/* tests/fuzz/regress/*
else
	bad "cannot build $FB/sandbox/fuzz_decide: $(tail -n 5 "$T/make.log")"
fi

# The calls of each trace after "seccomp(SECCOMP_SET_MODE_FILTER...) = 0".
calls() {
	local f
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		awk 'on && match($0, /^[a-z_0-9]+\(/) {
			print substr($0, 1, RLENGTH - 1) }
		    /^seccomp\(SECCOMP_SET_MODE_FILTER.*= 0$/ { on = 1 }' "$f"
	done
}

for d in cgi fcgi fuzz; do
	n=$(grep -l '^seccomp(SECCOMP_SET_MODE_FILTER.*= 0$' "$T/$d"/* 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && ok "$d: $n sandboxed processes traced" ||
	    bad "$d: no process entered the sandbox"
	calls "$T/$d" | sort -u > "$T/$d.calls"
done
sort -u "$T"/cgi.calls "$T"/fcgi.calls "$T"/fuzz.calls > "$T/seen"
echo "census: $(wc -l < "$T/seen") distinct calls: $(tr '\n' ' ' < "$T/seen")"

refused=$(grep -h '^--- SIGSYS' "$T"/cgi/* "$T"/fcgi/* "$T"/fuzz/* 2>/dev/null | sort | uniq -c)
[ -z "$refused" ] && ok "no call refused (SIGSYS)" ||
    bad "the filter refused calls: $refused"
killed=$(grep -h '^+++ killed by' "$T"/cgi/* "$T"/fcgi/* "$T"/fuzz/* 2>/dev/null | sort | uniq -c)
[ -z "$killed" ] && ok "no process killed by a signal" ||
    bad "processes killed: $killed"

if [ "$UPDATE" = 1 ]; then
	{
		sed -n '/^#/p' "$LIST" 2>/dev/null
		cat "$T/seen"
	} > "$T/new" && mv "$T/new" "$LIST"
	echo "census: $LIST written"
fi
grep -v '^#' "$LIST" | sort -u > "$T/listed"
new=$(comm -13 "$T/listed" "$T/seen" | tr '\n' ' ')
gone=$(comm -23 "$T/listed" "$T/seen" | tr '\n' ' ')
[ -z "$new" ] && ok "no call outside $LIST" ||
    bad "new system calls (not in $LIST): $new"
[ -n "$gone" ] && echo "note: listed but not seen this run: $gone"
finish
