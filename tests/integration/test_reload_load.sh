#!/usr/bin/env bash
# tests/integration/test_reload_load.sh - key rotation under load.  While
# bounded curl loops drive valid-hint requests through nginx + spawn-fcgi
# (two endsession children), the keys file is replaced by atomic renames:
#   step 1: old + new key      -> tokens of the new key count at once
#   step 2: new key only       -> tokens of the old key no longer count
#   step 3: a broken keys file -> ignored, "keeping the last good copy"
#                                 logged; the step-2 keys stay in use
# An ES256 key stays in every good set as a control.  Every response must
# be the right one for its token and the keys in place while it ran: 302
# to the registered URI with its state when the key counts, else the
# confirmation page (200, no Location).  Prints the numbers.
#
# Environment: LOAD_SECONDS (default 15), LOAD_WORKERS (default 4).
set -u
. "$(dirname "$0")/lib.sh"
NAME=reload-load
SECS=${LOAD_SECONDS:-15}
WORKERS=${LOAD_WORKERS:-4}

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-load
on_die() { cat "$T"/spawn.log "$T"/nginx/error.log 2>/dev/null | grep -v notice | tail -n 20 >&2; }

ISS=https://op.example
RP=https://rp.example/signed-out
es_fixtures "$T" "$ISS" || die "fixtures"
PORT=$(es_port)
URL=http://127.0.0.1:$PORT/oauth/end_session
es_spawn "$T" 2 && es_nginx "$T" "$PORT" && es_wait_http "$URL" || die "servers did not start"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa2.pem" 2>/dev/null || die "keygen"
J_OLD=$("$ES_MINT" jwk -k "$T/rsa.pem" -i rsa1 -u sig)
J_NEW=$("$ES_MINT" jwk -k "$T/rsa2.pem" -i rsa2 -u sig)
J_EC=$("$ES_MINT" jwk -k "$T/p256.pem" -i ec1 -u sig)
printf '{"keys":[%s,%s,%s]}\n' "$J_OLD" "$J_NEW" "$J_EC" > "$T/jwks.step1"
printf '{"keys":[%s,%s]}\n' "$J_NEW" "$J_EC" > "$T/jwks.step2"
printf '{"keys":[{"kty":"RSA","kid":"rsa3","n":"broken"' > "$T/jwks.step3"
printf '{"keys":[%s,%s]}\n' "$J_OLD" "$J_EC" > "$T/jwks.step0"
chmod 0644 "$T"/jwks.step*
mv "$T/jwks.step0" "$T/jwks.json"

# Long-lived hints (iat now; hint_max_age is 30 days).
TOK_OLD=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
TOK_NEW=$(es_hint "$T" rsa2.pem RS256 rsa2 "$(es_claims "$ISS" demo-rp)")
TOK_EC=$(es_hint "$T" p256.pem ES256 ec1 "$(es_claims "$ISS" demo-rp)")

# Before the load: the starting keys as expected.
code() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$URL?client_id=demo-rp&id_token_hint=$1&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fsigned-out"; }
eq "start: old key counts" 302 "$(code "$TOK_OLD")"
eq "start: new key unknown" 200 "$(code "$TOK_NEW")"
eq "start: EC key counts" 302 "$(code "$TOK_EC")"

# worker N END: requests until END (epoch seconds), cycling the tokens;
# one line per request: start end token status redirect-url.
worker() {
	local n=$1 end=$2 i=0 tok name t0 t1 out
	local -a toks=(old new ec)
	while :; do
		t0=$EPOCHREALTIME
		[ "${t0%.*}" -lt "$end" ] || break
		name=${toks[$(( (i + n) % 3 ))]}
		case $name in old) tok=$TOK_OLD ;; new) tok=$TOK_NEW ;; ec) tok=$TOK_EC ;; esac
		out=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{redirect_url}' \
		    "$URL?client_id=demo-rp&id_token_hint=$tok&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fsigned-out&state=w$n-$i")
		t1=$EPOCHREALTIME
		echo "$t0 $t1 $name w$n-$i $out"
		i=$((i + 1))
	done
}

START=$EPOCHREALTIME
END=$(( ${START%.*} + SECS ))
for w in $(seq 1 "$WORKERS"); do
	worker "$w" "$END" > "$T/load.$w" &
	BG_PIDS+=($!)
done

# step K: rename jwks.stepK into place; log the time before and after.
step() {
	local k=$1 b a
	b=$EPOCHREALTIME
	mv "$T/jwks.step$k" "$T/jwks.json"
	a=$EPOCHREALTIME
	echo "$k $b $a" >> "$T/events"
}
third=$(python3 -c "print($SECS / 4)")
sleep "$third"
step 1
# At once, a request with the new key, more than there are children.
for i in 1 2 3 4; do
	eq "step 1: new key accepted at once ($i)" 302 "$(code "$TOK_NEW")"
done
sleep "$third"
step 2
for i in 1 2 3 4; do
	eq "step 2: old key refused at once ($i)" 200 "$(code "$TOK_OLD")"
done
sleep "$third"
step 3
for i in 1 2 3 4; do
	eq "step 3: broken file ignored ($i)" 302 "$(code "$TOK_NEW")"
done

for p in "${BG_PIDS[@]}"; do
	wait "$p"
done
BG_PIDS=()

# Every response against what its token should get while it ran.
cat "$T"/load.* > "$T/load.all"
python3 - "$T/load.all" "$T/events" "$RP" > "$T/report" <<'EOF'
import sys
from collections import Counter
rp = sys.argv[3]
# Which tokens count under the keys of each phase (3 keeps 2's keys).
counts = {0: {"old", "ec"}, 1: {"old", "new", "ec"}, 2: {"new", "ec"}, 3: {"new", "ec"}}
ev = {}
for line in open(sys.argv[2]):
    k, b, a = line.split()
    ev[int(k)] = (float(b), float(a))
# phase k may be seen from the start of its rename to the end of the next.
span = {}
for k in range(4):
    s = ev[k][0] if k in ev else float("-inf")
    e = ev[k + 1][1] if k + 1 in ev else float("inf")
    span[k] = (s, e)
by_status, by_token, fails = Counter(), Counter(), []
n = 0
for line in open(sys.argv[1]):
    f = line.split()
    t0, t1, tok, state, status = float(f[0]), float(f[1]), f[2], f[3], f[4]
    loc = f[5] if len(f) > 5 else ""
    n += 1
    by_status[status] += 1
    by_token[tok + ":" + status] += 1
    ok = set()
    for k, (s, e) in span.items():
        if s <= t1 and e >= t0:
            ok.add("302" if tok in counts[k] else "200")
    good = status in ok
    if good and status == "302" and loc != rp + "?state=" + state:
        good = False
    if good and status == "200" and loc != "":
        good = False
    if not good:
        fails.append("%s %s: got %s %s, allowed %s" % (tok, state, status, loc, sorted(ok)))
print("requests %d" % n)
print("failures %d" % len(fails))
print("by status " + " ".join("%s=%d" % kv for kv in sorted(by_status.items())))
print("by token " + " ".join("%s=%d" % kv for kv in sorted(by_token.items())))
for x in fails[:20]:
    print("bad " + x)
EOF
cat "$T/report"
REQS=$(sed -n 's/^requests //p' "$T/report")
FAILS=$(sed -n 's/^failures //p' "$T/report")
[ "${REQS:-0}" -ge 100 ] && ok || bad "too few requests under load: ${REQS:-0}"
eq "responses wrong for their token" 0 "${FAILS:-x}"
# Each token got both answers over the run where the keys say so.
grep -q 'new:302=' "$T/report" && ok || bad "new key never accepted under load"
grep -q 'old:200=' "$T/report" && ok || bad "old key never refused under load"
grep -q 'ec:302=' "$T/report" && ! grep -q 'ec:200=' "$T/report" && ok ||
    bad "the EC control key was refused"
other=$(sed -n 's/^by status //p' "$T/report" | tr ' ' '\n' | grep -v -e '^200=' -e '^302=')
eq "no status but 200 and 302 under load" "" "$other"

grep -q "jwks.json:.*keeping the last good copy" "$T/spawn.log" "$T/nginx/error.log" 2>/dev/null &&
    ok || bad "broken keys file not logged (keeping the last good copy)"
echo "reload-load: $REQS requests in ${SECS}s by $WORKERS workers, $FAILS failures"

es_stop_all
es_reports "$T" && ok || bad "sanitizer or valgrind reports above"
finish
