#!/usr/bin/env bash
# tests/faults/supervise.sh - a dead FastCGI child is replaced, under load.
# nginx in front of spawn-fcgi + multiwatch -f 2 (as etc/systemd runs it),
# sandbox on.  While a load of sign-outs (R), confirmation pages (C) and
# error pages (E) runs, one child is killed with SIGKILL, then the other,
# then both at once.  Each time multiwatch must start new children (new
# pids, two again), and every request after the replacement must succeed.
# The requests that failed while a child died are counted and printed: a
# killed child loses the request it was answering (nginx: 502), nothing
# more is expected; the count is a figure, not an assertion.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
NAME=supervise
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-supervise
LOAD=
at_exit() { [ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null; }
on_die() { cat "$T/spawn.log" 2>/dev/null >&2; }
ISS=https://op.example
RPE=https%3A%2F%2Frp.example%2Fsigned-out

es_fixtures "$T" "$ISS" || die fixtures
es_spawn "$T" 2 || die "spawn-fcgi + multiwatch"
PORT=$(es_port)
es_nginx "$T" "$PORT" || die nginx
URL=http://127.0.0.1:$PORT/oauth/end_session
es_wait_http "$URL" || die "nginx does not answer"
HINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
[ -n "$HINT" ] || die "minting a hint"

# The children serve sandboxed, as in production (not possible under
# valgrind or in a sanitizer build: the census covers those runs).
SANDBOXED=1
if [ "${VALGRIND:-0}" = 1 ] || nm "$ES_BIN" 2>/dev/null | grep -q __asan_init; then
	SANDBOXED=0
fi
sandboxed() {	# WHAT
	local p
	[ "$SANDBOXED" = 1 ] || return 0
	for p in $(es_children "$T"); do
		eq "$1 $p sandboxed (seccomp filter mode)" 2 \
		    "$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$p/status")"
	done
}
sandboxed child

# The load: 4 clients, each a loop of R, C and E requests with keep-alive,
# until the file "stop" appears; each writes "time status" per request.
python3 - "$URL" "$HINT" "$RPE" "$T" <<'PY' &
import http.client, os, sys, threading, time, urllib.parse
url, hint, rpe, d = sys.argv[1:5]
u = urllib.parse.urlsplit(url)
paths = [u.path + "?id_token_hint=" + hint + "&post_logout_redirect_uri=" + rpe + "&state=s",
         u.path + "?client_id=demo-rp&post_logout_redirect_uri=" + rpe,
         u.path + "?client_id=nobody"]
want = [302, 200, 400]
def client(k):
    out = open(os.path.join(d, "load.%d" % k), "w")
    c, i = None, 0
    while not os.path.exists(os.path.join(d, "stop")):
        j = i % 3
        i += 1
        try:
            if c is None:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            c.request("GET", paths[j])
            r = c.getresponse()
            r.read()
            st = r.status
            ok = st == want[j]
        except Exception:
            c, st, ok = None, 0, False
        out.write("%.4f %d %d\n" % (time.time(), st, 1 if ok else 0))
    out.close()
ts = [threading.Thread(target=client, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
PY
LOAD=$!
sleep 1

# replaced WHAT OLD-PIDS: waits (up to 10 s) until multiwatch keeps two
# children again, none of them one of OLD-PIDS; prints how long it took.
replaced() {
	local what=$1 old=$2 t0 t1 now i p fresh
	t0=$(date +%s.%N)
	for i in $(seq 1 200); do
		now=$(es_children "$T")
		fresh=1
		for p in $old; do
			case " $now " in *" $p "*) fresh=0 ;; esac
		done
		if [ "$fresh" = 1 ] && [ "$(echo $now | wc -w)" = 2 ]; then
			t1=$(date +%s.%N)
			ok
			echo "$what: replaced in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (new children: $now)"
			ES_PIDS+=($now)
			return 0
		fi
		sleep 0.05
	done
	bad "$what: not replaced within 10 s (children now: $now)"
	return 1
}

# kill_step WHAT PID...: SIGKILL, wait for the replacement, let it serve.
kill_step() {
	local what=$1
	shift
	kill -9 "$@"
	replaced "$what" "$*"
}
KIDS=$(es_children "$T")
eq "two children at the start" 2 "$(echo $KIDS | wc -w)"
kill_step "one child SIGKILLed" "$(echo $KIDS | cut -d' ' -f1)"
sleep 1
KIDS=$(es_children "$T")
kill_step "the other child SIGKILLed" "$(echo $KIDS | cut -d' ' -f2)"
sleep 1
kill_step "both children SIGKILLed at once" $(es_children "$T")
date +%s.%N > "$T/after"
sleep 2
touch "$T/stop"
wait "$LOAD"
LOAD=

# Figures: requests in all, failed ones, and failed ones after the last
# replacement (which must be none).
cat "$T"/load.* > "$T/load"
after=$(cat "$T/after")
total=$(wc -l < "$T/load")
failed=$(awk '$3 == 0' "$T/load" | wc -l)
late=$(awk -v a="$after" '$1 > a && $3 == 0' "$T/load" | wc -l)
late_total=$(awk -v a="$after" '$1 > a' "$T/load" | wc -l)
echo "supervise: failed requests during the kills: $failed of $total (statuses of the failed: $(awk '$3 == 0 { print $2 }' "$T/load" | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }'))"
[ "$late_total" -gt 0 ] && ok || bad "no request after the last replacement"
eq "failed requests after the last replacement (of $late_total)" 0 "$late"
[ "$total" -gt 100 ] && ok || bad "the load made only $total requests"

# Still the same supervisor, still serving.
kill -0 "$(cat "$T/multiwatch.pid")" 2>/dev/null && ok || bad "multiwatch died"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL?id_token_hint=$HINT&post_logout_redirect_uri=$RPE")
eq "a sign-out after it all" 302 "$code"
sandboxed "new child"

es_stop_all
leftover=$(pgrep -f "$T/endsession.conf" | tr '\n' ' ')
eq "nothing left running after stop" "" "$leftover"
finish
