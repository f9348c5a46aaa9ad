#!/usr/bin/env bash
# tests/run-all.sh - every test of the project, in order: CUnit units, the
# CGI shell tests, the fuzz corpus replay, the integration tests through
# nginx and lighttpd (spawn-fcgi on 127.0.0.1) with hot reload under load,
# the system call census of the sandbox (tests/sandbox/), the refresh
# script, interoperability with node-oidc-provider, the browser
# test (Debian's chromium), the docs and example configs, and the faults.
# Each part prints "NAME: N passed, N failed"; the last line sums them.
#
# Environment: B (build folder, default build), VALGRIND=1 (units, CGI and
# FastCGI under valgrind), ONLY="unit cgi ..." to run some parts,
# SKIP="..." to leave some out (make test-asan leaves out the census).
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
export B VALGRIND=${VALGRIND:-0}
ONLY=${ONLY:-unit cgi notify notify-crash fuzz-replay sandbox nginx lighttpd wide-nginx wide-lighttpd reload-load refresh interop interop-backchannel browser docs demo faults follow supervise idle close limits journal longrun privilege}
total_pass=0
total_fail=0
summary=()

# part NAME COMMAND...: runs it, finds its "X: N passed, N failed" line.
part() {
	local name=$1 out rc line p f
	shift
	case " $ONLY " in *" $name "*) ;; *) return ;; esac
	case " ${SKIP:-} " in *" $name "*) echo "=== $name: skipped here (SKIP)"; return ;; esac
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
	summary+=("$(printf '%-12s %5d passed, %d failed' "$name" "$p" "$f")")
}

unit() {
	if [ "$VALGRIND" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect "$B/unit-tests"
	else
		"$B/unit-tests"
	fi
}

part unit unit
part cgi bash tests/cgi/run.sh
# The sign-out notifier against a local website (tests/notify/).
part notify timeout 900 bash tests/notify/run.sh
# SIGKILL at every call of every step of a delivery (plain build only).
part notify-crash timeout 900 bash tests/notify/crash.sh
[ -f tests/fuzz/replay.sh ] && part fuzz-replay bash tests/fuzz/replay.sh
# The system calls of all of the above, sandboxed, against the census.
part sandbox timeout 1800 bash tests/sandbox/census.sh
part nginx bash tests/integration/test_servers.sh nginx
part lighttpd bash tests/integration/test_servers.sh lighttpd
# Wide JSON objects through real servers to sandboxed children.
part wide-nginx bash tests/integration/test_wide.sh nginx
part wide-lighttpd bash tests/integration/test_wide.sh lighttpd
part reload-load bash tests/integration/test_reload_load.sh
part refresh bash tests/refresh/run.sh
part interop bash tests/interop/run.sh
part interop-backchannel bash tests/interop/backchannel.sh
part browser bash tests/browser/run.sh
part docs bash tests/docs/run.sh
# The README's demo, run as a newcomer would (scripts/demo, then stop).
part demo timeout 300 bash tests/demo/run.sh
# Faults (tests/faults/): each script on its own, bounded in time; the long
# run serves LONGRUN_N requests (1 000 000 by hand, 200 000 here).
part faults timeout 600 bash tests/faults/run.sh
part follow timeout 300 bash tests/faults/follow.sh
# A FastCGI child SIGKILLed under load is replaced (multiwatch).
part supervise timeout 300 bash tests/faults/supervise.sh
part idle timeout 600 bash tests/faults/idle.sh
# A request read to its end is closed at once; anything unread lingers.
part close timeout 300 bash tests/faults/close.sh
part limits timeout 600 bash tests/faults/limits.sh
part journal timeout 900 bash tests/faults/journal_concurrency.sh
part longrun env LONGRUN_N="${LONGRUN_N:-200000}" timeout 1200 bash tests/faults/longrun.sh
part privilege timeout 300 bash tests/faults/privilege.sh

echo
echo "=== summary (B=$B, VALGRIND=$VALGRIND)"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
