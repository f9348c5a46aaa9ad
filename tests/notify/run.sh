#!/usr/bin/env bash
# tests/notify/run.sh - endsession-notify end to end on 127.0.0.1: a local
# website (site.py) answering 204/503/429/400/302/hang as its path says,
# keys minted at run time (mkkeys.py), notify_allow 127.0.0.0/8.
# Delivery and the token as received, retries, failed, blocked, expired,
# --once exit codes, --status, --check, the delivery log (never the
# token), the metrics file, a partial last line, rotation, and SIGKILL
# at random moments with each notification delivered once (crash.sh kills
# it at every call of every step).
# No assertion on time: waits poll a condition with a generous deadline.
#
# Environment: B (build folder, default build), VALGRIND=1 (the --once
# runs under valgrind).  Last line: "notify: N passed, N failed".
SUITE=notify
. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------ --check
setup check
"$NOTIFY" --check -c "$D/endsession.conf" > "$D/check.out" 2>&1
check "--check: a good configuration passes" [ $? = 0 ]
check "--check: names the three signing keys" grep -q '3 signing keys: rsa1 (RSA) ec1 (EC) ed1 (OKP)' "$D/check.out"
sed -i 's/^notify_allow.*/notify_allow = 10.0.0.0\/8/' "$D/endsession.conf"
"$NOTIFY" --check -c "$D/endsession.conf" > "$D/check.out" 2>&1
check "--check: http to an address not allowed fails" [ $? = 1 ]
check "--check: says which client" grep -q 'client "rs": backchannel_logout_uri' "$D/check.out"
sed -i 's/^notify_allow.*/notify_allow = 127.0.0.0\/8/; s/^signing_key.*/signing_key = stranger.jwk/' "$D/endsession.conf"
"$NOTIFY" --check -c "$D/endsession.conf" > "$D/check.out" 2>&1
check "--check: a key not in the keys file fails" [ $? = 1 ]
check "--check: FILE: what" grep -q 'stranger.jwk:.*not in the keys file' "$D/check.out"
sed -i 's/^signing_key.*/signing_key = signing.jwk/' "$D/endsession.conf"
python3 - "$D/clients.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["clients"].append({"client_id": "p384", "backchannel_logout_uri": "https://x.example/b",
                     "id_token_signed_response_alg": "ES384"})
json.dump(d, open(sys.argv[1], "w"))
EOF
"$NOTIFY" --check -c "$D/endsession.conf" > "$D/check.out" 2>&1
check "--check: a client whose algorithm no key fits fails" [ $? = 1 ]
check "--check: names client and algorithm" grep -q 'client "p384": no signing key for its id_token_signed_response_alg ES384' "$D/check.out"

# ------------------------------------------------------------ delivery
setup deliver
login P1 s-rs rs u-rs
login P1 s-es es u-es
login P1 s-ed ed u-ed
login P1 s-plain plain u-plain
login P2 other rs u-other
logout s-rs
once
check "delivery: --once exits 0 when nothing is left" [ "$RC" = 0 ]
check "delivery: rs received once" [ "$(received /204 s-rs)" = 1 ]
check "delivery: es received once (200)" [ "$(received /200 s-es)" = 1 ]
check "delivery: ed received once" [ "$(received /204 s-ed)" = 1 ]
check "delivery: the other session untouched" [ "$(received /204 other)" = 0 ]
check "delivery: 3 requests in all" [ "$(wc -l < "$D/requests.jsonl")" = 3 ]
python3 - "$D/requests.jsonl" <<'EOF' > "$D/tok.out" 2>&1
import json, sys
want = {"rs": ("RS256", "rsa1", "u-rs", "s-rs"), "es": ("ES256", "ec1", "u-es", "s-es"),
        "ed": ("EdDSA", "ed1", "u-ed", "s-ed")}
for line in open(sys.argv[1]):
    r = json.loads(line)
    h, c = r["header"], r["claims"]
    alg, kid, sub, sid = want[c["aud"]]
    assert r["ct"] == "application/x-www-form-urlencoded", r
    assert r["members"] == ["logout_token"], r
    assert h == {"typ": "logout+jwt", "alg": alg, "kid": kid}, h
    assert sorted(c) == ["aud", "events", "exp", "iat", "iss", "jti", "sid", "sub"], c
    assert c["iss"] == "https://op.example" and c["sub"] == sub and c["sid"] == sid, c
    assert c["exp"] == c["iat"] + 120 and len(c["jti"]) == 22, c
    assert c["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}, c
print("tokens ok")
EOF
check "delivery: headers, claims and body to the letter" grep -q 'tokens ok' "$D/tok.out"
check "delivery: log says delivered for each" [ "$(log_count delivered s-rs)$(log_count delivered s-es)$(log_count delivered s-ed)" = 111 ]
check "--status: delivered 3" [ "$(status_of delivered)" = 3 ]
check "--status: pending 0" [ "$(status_of pending)" = 0 ]
check "--status: every name" [ "$("$NOTIFY" --status -c "$D/endsession.conf" | awk '{print $1}' | head -6 | tr '\n' ' ')" = "pending delivered failed blocked expired oldest_pending_seconds " ]
once
check "delivery: a second pass sends nothing again" [ "$(wc -l < "$D/requests.jsonl")" = 3 ]
check "delivery log: never the token" bash -c "! grep -q 'eyJ\|logout_token' '$D/deliveries.log' '$D/once.out'"
check "delivery log: one JSON object per line, the contract's members" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert set(r) <= {"time","sid","client_id","uri","jti","attempt","outcome","status","error"}, r
    assert {"time","client_id","uri","attempt","outcome","status"} <= set(r), r
' "$D/deliveries.log"
check "metrics: Prometheus text format" python3 -c '
import re, sys
seen = set()
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) ([a-z_]+) (.+)$", line)
    if m:
        seen.add(m.group(2)); continue
    m = re.match(r"([a-z_]+)(\{[a-z_]+=\"[a-z]+\"\})? ([0-9]+)$", line)
    assert m and m.group(1) in seen, line
' "$D/metrics.prom"
check "metrics: delivered gauge 3" grep -q '^endsession_notify_notifications{state="delivered"} 3$' "$D/metrics.prom"

# ----------------------------------------------- retries, failed, blocked
setup answers
login P s503 e503 u
login P s429 e429 u
login P s400 e400 u
login P s302 e302 u
logout s503
once
check "answers: --once exits 2 while retries are pending" [ "$RC" = 2 ]
check "answers: 503 retried" [ "$(log_count retry s503)" = 1 ]
check "answers: 429 retried" [ "$(log_count retry s429)" = 1 ]
check "answers: 400 failed" [ "$(log_count failed s400)" = 1 ]
check "answers: 302 failed" [ "$(log_count failed s302)" = 1 ]
check "answers: the redirect not followed" [ "$(received /204 s302)" = 0 ]
check "--status: 2 pending, 2 failed" [ "$(status_of pending) $(status_of failed)" = "2 2" ]
until_true 20 bash -c "'$NOTIFY' --once -c '$D/endsession.conf' >/dev/null 2>&1; [ \$(grep -c '\"sid\":\"s503\".*\"outcome\":\"retry\"' '$D/deliveries.log') -ge 2 ]"
check "answers: retried again after the wait" [ "$(log_count retry s503)" -ge 2 ]
check "answers: 400 and 302 never tried again" [ "$(received /400 s400)$(received /302 s302)" = 11 ]

# A website down for a while, then back.
setup down
login P sdown down u
logout sdown
touch "$D/down"
once
check "down: pending while the website answers 503" [ "$RC" = 2 ]
rm -f "$D/down"
until_true 20 bash -c "'$NOTIFY' --once -c '$D/endsession.conf' >/dev/null 2>&1"
check "down: delivered once back" [ "$(log_count delivered sdown)" = 1 ]
check "down: --status agrees" [ "$(status_of delivered) $(status_of pending)" = "1 0" ]

# A host name that resolves to loopback, not allowed: blocked at connect.
setup blocked "notify_allow = 10.9.9.9"
login P sname name u
logout sname
once
check "blocked: --once exits 0 (not retried)" [ "$RC" = 0 ]
check "blocked: outcome blocked" [ "$(log_count blocked sname)" = 1 ]
check "blocked: no connection reached the website" [ ! -s "$D/requests.jsonl" ]
check "--status: blocked 1" [ "$(status_of blocked)" = 1 ]
# Plain http to a loopback address not allowed: blocked without trying.
login Q srs rs u
logout srs
once
check "blocked: http to a literal not allowed" [ "$(log_count blocked srs)" = 1 ]

# A sign-out older than notify_max_age: expired, never sent.
setup expired
login P sold rs u
logout sold "$(date -u -d '-2 days' +%Y-%m-%dT%H:%M:%SZ)"
once
check "expired: --once exits 0" [ "$RC" = 0 ]
check "expired: outcome expired" [ "$(log_count expired sold)" = 1 ]
check "expired: nothing sent" [ ! -s "$D/requests.jsonl" ]
check "--status: expired 1" [ "$(status_of expired)" = 1 ]
# A website that never answers: the attempt times out (notify_timeout 2).
login H shang hang u
logout shang
once
check "hang: --once gives up the attempt and exits 2" [ "$RC" = 2 ]
check "hang: a retry with a timeout" grep -q '"sid":"shang".*"outcome":"retry","status":0,"error":".*timed out' "$D/deliveries.log"

# ------------------------------------------- following: partial, rotation
setup follow
"$NOTIFY" -c "$D/endsession.conf" 2>"$D/fg.err" &
FG=$!
PIDS+=($FG)
login P spart rs u
login P2 sother es u
logout sother
until_true 10 [ "$(received /200 sother)" = 1 ]
check "follow: a sign-out reaches the website" [ "$(received /200 sother)" = 1 ]
# The notifier that runs is under its seccomp filter (nsandbox.c), its
# threads too; AddressSanitizer builds run without it.
if ldd "$NOTIFY" | grep -q libasan; then
	echo "     (sandbox: off under AddressSanitizer)"
else
	check "sandbox: the running notifier is under its seccomp filter" \
	    bash -c "grep -q '^Seccomp:[[:space:]]*2' /proc/$FG/status &&
	    ! grep -L '^Seccomp:[[:space:]]*2' /proc/$FG/task/*/status | grep -q ."
	check "sandbox: no 'no sandbox' in its log" bash -c "! grep -q 'no sandbox' '$D/fg.err'"
fi
printf '%s' "{\"time\":\"$(now)\",\"event\":\"logout\",\"sid\":\"spart\"}" >> "$D/journal.log"
# Time for the notifier to read it (a slow run only makes this pass
# without testing much; it cannot make it fail wrongly).
sleep 1
check "partial: a line without its newline waits" [ "$(received /204 spart)" = 0 ]
printf '\n' >> "$D/journal.log"
until_true 10 [ "$(received /204 spart)" = 1 ]
check "partial: sent once the newline came" [ "$(received /204 spart)" = 1 ]
# Rotation: the journal renamed away, a late line in the old file, then
# the new file.  The notifier is stopped meanwhile so the order is sure.
login P3 srot1 rs u
login P3 srot1e es u
login P4 srot2 rs u
login P5 srot3 rs u
kill -STOP "$FG"
logout srot1
mv "$D/journal.log" "$D/journal.log.1"
printf '%s\n' "{\"time\":\"$(now)\",\"event\":\"logout\",\"sid\":\"srot2\"}" >> "$D/journal.log.1"
printf '%s\n' "{\"time\":\"$(now)\",\"event\":\"logout\",\"sid\":\"srot3\"}" > "$D/journal.log"
kill -CONT "$FG"
# Deliveries run concurrently, so the new file's srot3 may arrive before
# an old-file notification to a slower website: wait for all four (a
# slow run, under ASan say, took longer for srot1e than for srot3).
until_true 10 [ "$(received /204 srot1)$(received /200 srot1e)$(received /204 srot2)$(received /204 srot3)" = 1111 ]
got=$(received /204 srot1)$(received /200 srot1e)$(received /204 srot2)
check "rotation: the old file's lines first (srot1, srot1e, srot2 received: $got)" [ "$got" = 111 ]
check "rotation: then the new file" [ "$(received /204 srot3)" = 1 ]
# A replaced clients file (as the refresh script does) is picked up.
python3 - "$D/clients.json" "$P" <<'EOF2'
import json, os, sys
d = json.load(open(sys.argv[1]))
d["clients"].append({"client_id": "late", "backchannel_logout_uri":
                     "http://127.0.0.1:%s/204" % sys.argv[2]})
json.dump(d, open(sys.argv[1] + ".new", "w"))
os.rename(sys.argv[1] + ".new", sys.argv[1])
EOF2
until_true 10 grep -q 'clients.json: reloaded' "$D/fg.err"
login P8 slate late u
logout slate
until_true 10 [ "$(received /204 slate)" = 1 ]
check "reload: a client added to the clients file is notified" [ "$(received /204 slate)" = 1 ]
# The same across a restart: stopped, rotated while away, started again.
login P6 srot4 rs u
login P7 srot5 rs u
until_true 10 [ "$("$NOTIFY" --status -c "$D/endsession.conf" | awk '$1=="logins"{print $2}')" -ge 2 ]
kill "$FG"
wait "$FG" 2>/dev/null
mv "$D/journal.log" "$D/journal.log.1"
printf '%s\n' "{\"time\":\"$(now)\",\"event\":\"logout\",\"sid\":\"srot4\"}" >> "$D/journal.log.1"
printf '%s\n' "{\"time\":\"$(now)\",\"event\":\"logout\",\"sid\":\"srot5\"}" > "$D/journal.log"
once
check "rotation while stopped: PATH.1 read to its end, then PATH" [ "$(received /204 srot4)$(received /204 srot5)" = 11 ]
got=$(python3 -c 'import json, sys, collections
c = collections.Counter(json.loads(l).get("claims", {}).get("sid") for l in open(sys.argv[1]))
print(" ".join("%s:%d" % kv for kv in sorted(c.items())))' "$D/requests.jsonl")
check "follow: nothing sent twice (received per sid: $got)" [ "$(wc -l < "$D/requests.jsonl")" = 9 ]

# --------------------------------------------- SIGKILL, restart, once each
setup kill
N=12
for i in $(seq 1 $N); do
	login "K$i" "k$i" slow "u$i"
	logout "k$i"
done
# Killed at random points: before reading, while reading, with attempts
# in flight (the website takes 1.5 s to answer), while settling.
for delay in 0 0.05 0.3 1.6 0.8 2.2; do
	"$NOTIFY" -c "$D/endsession.conf" 2>>"$D/fg.err" &
	K=$!
	sleep "$delay"
	kill -KILL "$K" 2>/dev/null
	wait "$K" 2>/dev/null
done
until_true 60 bash -c "'$NOTIFY' --once -c '$D/endsession.conf' >/dev/null 2>&1"
check "kill: nothing left pending" [ "$(status_of pending)" = 0 ]
check "kill: exactly $N recorded delivered" [ "$(status_of delivered)" = "$N" ]
all=1
dup=0
for i in $(seq 1 $N); do
	[ "$(log_count delivered "k$i")" = 1 ] || all=0
	r=$(received /slow "k$i")
	[ "$r" -ge 1 ] || all=0
	dup=$((dup + r - 1))
done
check "kill: each delivered once in the log, each received" [ "$all" = 1 ]
echo "     (kill: $dup repeats, attempts in flight at a SIGKILL, sent again)"
check "kill: the log and --status agree" [ "$(grep -c '"outcome":"delivered"' "$D/deliveries.log")" = "$N" ]

# Sanitizer builds (make test-asan) report into the notifier's stderr.
for p in "${PIDS[@]}"; do
	kill "$p" 2>/dev/null
done
wait 2>/dev/null
PIDS=()
cat "$T"/*/fg.err >> "$T/all.err" 2>/dev/null
check "no sanitizer or valgrind report from any run" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error|Invalid (read|write)|definitely lost' '$T/all.err'"

echo "notify: $pass passed, $fail failed"
[ "$fail" = 0 ]
