#!/usr/bin/env bash
# tests/faults/journal_concurrency.sh - two spawn-fcgi processes (two
# children each) whose configurations name the SAME journal file, driven
# concurrently through their sockets by several FastCGI clients
# (tests/faults/fcgi.py) with valid-hint sign-outs whose journal lines are
# short (~200 bytes) and long (~2 KiB, ~5 KiB: past PIPE_BUF).  Afterwards
# every journal line must be one complete JSON object with event logout,
# and the line count must equal the number of 302 answers.
#
# Environment: JC_N (sign-outs, default 20000), JC_CLIENTS (default 8).
set -u
NAME=faults-journal
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../lib/assert.sh"
N=${JC_N:-20000}
CLIENTS=${JC_CLIENTS:-8}

scratch es-jc
A=$T/a
Bd=$T/b
mkdir "$A" "$Bd"
ISS=https://op.example

es_fixtures "$A" "$ISS" || die fixtures
J=$A/shared-journal.log
sed -i "s#^journal *=.*#journal = $J#" "$A/endsession.conf"
cp "$A/jwks.json" "$A/clients.json" "$A/secret" "$A/endsession.conf" "$Bd/"
chmod 0755 "$Bd"
es_spawn "$A" 2 || die "spawn A"
es_spawn "$Bd" 2 || die "spawn B"
for s in "$A/es.sock" "$Bd/es.sock"; do
	for i in $(seq 1 50); do [ -S "$s" ] && break; sleep 0.1; done
done
PIDS="$(cat "$A/spawn.pid") $(cat "$Bd/spawn.pid")"

claims() {	# claims SUB-LENGTH
	local now
	now=$(date +%s)
	printf '{"iss":"%s","aud":"demo-rp","sub":"%s","sid":"s%s","iat":%s}' \
	    "$ISS" "$(python3 -c "import sys; sys.stdout.write('u' * $1)")" "$1" "$now"
}
H1=$(es_hint "$A" rsa.pem RS256 rsa1 "$(claims 5)")
H2=$(es_hint "$A" p256.pem ES256 ec1 "$(claims 2000)")
H3=$(es_hint "$A" rsa.pem RS256 rsa1 "$(claims 4800)")
[ -n "$H1" ] && [ -n "$H2" ] && [ -n "$H3" ] || die "minting hints"

start=$(date +%s.%N)
OUT=$(timeout 600 python3 - "$(cd "$(dirname "$0")" && pwd)" "$A/es.sock" "$Bd/es.sock" "$N" "$CLIENTS" "$H1" "$H2" "$H3" <<'EOF'
import multiprocessing, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import fcgi
socks = sys.argv[2:4]
n, clients = int(sys.argv[4]), int(sys.argv[5])
hints = sys.argv[6:9]
RP = "https%3A%2F%2Frp.example%2Fsigned-out"

def work(w):
    counts = {}
    for i in range(w, n, clients):
        q = "id_token_hint=%s&post_logout_redirect_uri=%s&state=%d" % (
            hints[i % 3], RP, i)
        try:
            r = fcgi.request(socks[(i // clients + w) % 2],
                             [("QUERY_STRING", q)], timeout=30)
            k = str(r.status)
        except OSError as e:
            k = "error"
        counts[k] = counts.get(k, 0) + 1
    return counts

with multiprocessing.Pool(clients) as p:
    total = {}
    for c in p.map(work, range(clients)):
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
print(" ".join("%s=%d" % kv for kv in sorted(total.items())))
EOF
)
el=$(echo "$(date +%s.%N) - $start" | bc)
echo "responses: $OUT in ${el}s ($(echo "$N / $el" | bc) req/s, $CLIENTS clients, 2 spawn-fcgi x 2 children)"
n302=$(echo "$OUT" | tr ' ' '\n' | sed -n 's/^302=//p')
n302=${n302:-0}
[ "$n302" = "$N" ] && ok || bad "not every request was a 302: $OUT"

for p in $PIDS; do
	kill -0 "$p" 2>/dev/null && ok || bad "child $p died"
done
es_stop_all

CHECK=$(python3 - "$J" <<'EOF'
import json, sys
good = bad = 0
subs = {}
with open(sys.argv[1], "rb") as f:
    data = f.read()
if data and not data.endswith(b"\n"):
    print("journal does not end with a newline")
for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
    try:
        o = json.loads(line)
        assert isinstance(o, dict) and o.get("event") == "logout"
        assert o.get("via") == "id_token_hint" and o.get("client_id") == "demo-rp"
        assert o["sid"] == "s%d" % len(o["sub"]) and set(o["sub"]) == {"u"}
        good += 1
        subs[len(o["sub"])] = subs.get(len(o["sub"]), 0) + 1
    except Exception:
        bad += 1
        if bad <= 3:
            print("bad line: %r" % line[:200])
print("lines=%d good=%d bad=%d by-sub-length=%s max-line=%d" % (
    good + bad, good, bad, subs, max((len(l) for l in data.split(b"\n")), default=0)))
EOF
)
echo "$CHECK"
lines=$(echo "$CHECK" | sed -n 's/^lines=\([0-9]*\) .*/\1/p')
badl=$(echo "$CHECK" | sed -n 's/.* bad=\([0-9]*\) .*/\1/p')
[ "${badl:-1}" = 0 ] && ok || bad "torn or interleaved journal lines: $badl"
[ "${lines:-0}" = "$n302" ] && ok || bad "journal has ${lines:-0} lines for $n302 sign-outs"
es_reports "$A" && es_reports "$Bd" && ok || bad "sanitizer or valgrind reports above"

finish
