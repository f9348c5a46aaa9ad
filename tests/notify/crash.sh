#!/usr/bin/env bash
# tests/notify/crash.sh - the notifier's crash matrix: SIGKILL at every
# call of every step of a delivery, then a restart, and each notification
# delivered once.  One sign-out ends a session in which three websites
# signed in (RS256, ES256 and EdDSA tokens); endsession-notify --once runs
# under crashat.so (LD_PRELOAD; the production binary, no hook in src/),
# which kills it at the N-th call of one function, before the call or
# right after it returns, for N = 1, 2, ... until a run ends without
# reaching N.  The functions are how each step reaches the world: read
# (the journal; the signer's eventfd), fdatasync (SQLite's commits: a kill
# between its WAL writes is one before the commit's fdatasync, which
# SQLite's own crash tests cover), send and recv (the POST and its answer),
# write (the delivery log).  After every kill, --status is read (what was recorded), then the
# notifier runs again until nothing is pending, and:
#   - each website received its notification at least once (none lost);
#   - the websites received again exactly the notifications that were not
#     recorded delivered at the kill (an attempt in flight is made again,
#     a recorded one never: CONTRACT "delivered ... never sent again");
#   - --status says 3 delivered, 0 pending;
#   - the delivery log has exactly one line per finished attempt: one
#     "delivered" per website and nothing else (the log and --status agree
#     even when the kill fell between the commit and the log's write).
#
# Sanitizer builds cannot preload the shim (their runtime must come first)
# and valgrind does not run it: the suite says so and passes nothing; the
# plain build (make test) runs it.  Environment: B (build folder),
# CRASH_FNS (the functions, default all five), KEEP=1 (keeps the folder of
# every failed case).
# Last line: "notify-crash: N passed, N failed".
SUITE=notify-crash
. "$(dirname "$0")/lib.sh"

SHIM=$B/tests/crashat.so
if grep -qa -e __asan_init -e __tsan_init "$NOTIFY" ||
    [ "${VALGRIND:-0}" = 1 ]; then
	echo "     (crash matrix: not under sanitizers or valgrind; make test runs it on the plain build)"
	echo "$SUITE: 0 passed, 0 failed"
	exit 0
fi
[ -f "$SHIM" ] || { echo "$SUITE: $SHIM missing (make test builds it)"; echo "$SUITE: 0 passed, 1 failed"; exit 1; }

setup crash
SIDS="crs ces ced"
# An attempt in flight at a kill is due again after notify_timeout + 1 s.
sed -i 's/^notify_timeout = 2$/notify_timeout = 1/' "$D/endsession.conf"
# The state's schema made once (its commits are not a delivery's steps).
"$NOTIFY" --once -c "$D/endsession.conf" > "$D/once.out" 2>&1
check "an empty journal: --once exits 0" [ $? = 0 ]
cp "$D/state.db" "$T/state.empty"

# A fresh start: empty state and log, the sign-out in the journal.
fresh() {
	rm -f "$D"/state.db* "$D/deliveries.log" "$D/requests.jsonl" \
	    "$D/metrics.prom" "$D/reach"
	cp "$T/state.empty" "$D/state.db"
	: > "$D/journal.log"
	login S crs rs u1
	login S ces es u2
	login S ced ed u3
	logout crs
}

# judge: the checks after a kill and the restarts (see the top), in one
# python3 run over --status, the website's requests and the delivery log;
# what broke goes to $errs (empty when all is well), so that one line
# says it.
judge() {
	"$NOTIFY" --status -c "$D/endsession.conf" > "$D/status.out" 2>&1
	errs=$(python3 - "$D" "$r0" "$d0" $SIDS <<'EOF'
import json, os, sys
d, r0, d0, sids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
def lines(name):
    try:
        return [json.loads(l) for l in open(os.path.join(d, name))]
    except FileNotFoundError:
        return []
    except ValueError:
        print(name + "-unreadable")
        sys.exit(0)
st = dict(l.split()[:2] for l in open(os.path.join(d, "status.out")) if len(l.split()) >= 2)
req, log = lines("requests.jsonl"), lines("deliveries.log")
errs = []
for s in sids:
    if not any(r.get("claims", {}).get("sid") == s for r in req):
        errs.append(s + "-lost")
    n = sum(1 for l in log if l["sid"] == s and l["outcome"] == "delivered")
    if n != 1:
        errs.append("%s-logged-%dx" % (s, n))
if len(log) != len(sids):
    errs.append("log-lines-%d" % len(log))
got = "%s/%s" % (st.get("delivered"), st.get("pending"))
if got != "%d/0" % len(sids):
    errs.append("status-" + got)
if len(req) - r0 != len(sids) - d0:
    errs.append("resent-%d-of-%d-unrecorded" % (len(req) - r0, len(sids) - d0))
print(" ".join(errs))
EOF
) || errs="judge: python3 failed"
}

total_kills=0
for fn in ${CRASH_FNS:-read fdatasync send recv write}; do
	for when in before after; do
		suffix=
		[ "$when" = after ] && suffix=:after
		kills=0
		bad_at=
		k=1
		while [ "$k" -le 400 ]; do
			fresh
			# Braces: no "Killed" from bash for each kill.
			{ timeout -s KILL 60 env CRASHAT="$fn:$k$suffix" \
			    CRASHAT_OUT="$D/reach" LD_PRELOAD="$SHIM" \
			    "$NOTIFY" --once -c "$D/endsession.conf" \
			    > "$D/once.out" 2>&1; } 2>/dev/null
			rc=$?
			if [ "$rc" != 137 ]; then
				# Ran to the end without reaching call k.
				break
			fi
			kills=$((kills + 1))
			# The killed run's POSTs may still be on their way
			# into the website: wait until it has handled every
			# connection (a loaded CI machine showed the race).
			curl -s -f -o /dev/null "http://127.0.0.1:$P/idle" ||
			    bad "$fn:$k$suffix: the website did not settle"
			r0=0
			[ -f "$D/requests.jsonl" ] && r0=$(wc -l < "$D/requests.jsonl")
			d0=$(status_of delivered)
			d0=${d0:-0}
			until_true 60 bash -c "'$NOTIFY' --once -c '$D/endsession.conf' >> '$D/restart.out' 2>&1" ||
			    bad "$fn:$k$suffix: still pending a minute after the restart"
			judge
			if [ -n "$errs" ]; then
				bad_at="$bad_at [$fn:$k$suffix:$errs]"
				# KEEP=1 keeps each failure's folder.
				cp -r "$D" "$T/failed-$fn-$k$suffix"
			fi
			k=$((k + 1))
		done
		reached=$(sed -n 's/^crashat: .* reached \([0-9]*\) times$/\1/p' "$D/reach" 2>/dev/null)
		total_kills=$((total_kills + kills))
		if [ "$k" -gt 400 ]; then
			bad "$fn $when: more than 400 calls, the matrix did not end"
		elif [ -z "$bad_at" ]; then
			ok "$fn $when: killed at each of calls 1-$kills (the run that ended unkilled made ${reached:-?}): each delivered once, resent only if unrecorded, log and --status agree"
		else
			bad "$fn $when:$bad_at"
		fi
	done
done
[ -n "${CRASH_FNS:-}" ] ||
    check "the matrix killed the notifier at least 20 times ($total_kills)" [ "$total_kills" -ge 20 ]
# No run without a kill may leave anything but the three deliveries.
fresh
"$NOTIFY" --once -c "$D/endsession.conf" > "$D/once.out" 2>&1
check "without a kill: --once exits 0" [ $? = 0 ]
r0=0 d0=0
judge
check "without a kill: three deliveries, each once${errs:+ ($errs)}" [ -z "$errs" ]

# A write of the log cut short (a full disk, a kill inside write): the
# state still keeps the last pass's lines, and the next start completes
# the cut line instead of writing it twice or leaving it half.
sz=$(stat -c %s "$D/deliveries.log")
truncate -s $((sz - 40)) "$D/deliveries.log"
"$NOTIFY" --once -c "$D/endsession.conf" > "$D/once.out" 2>&1
check "a log line cut short: --once exits 0" [ $? = 0 ]
r0=3 d0=3
judge
check "a log line cut short is completed at the next start${errs:+ ($errs)}" [ -z "$errs" ]
check "a log line cut short: the log as it was" [ "$(stat -c %s "$D/deliveries.log")" = "$sz" ]

echo "$SUITE: $pass passed, $fail failed"
[ "$fail" = 0 ]
