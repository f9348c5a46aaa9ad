#!/usr/bin/env bash
# tests/integration/test_servers.sh SERVER - every outcome of design.md
# section 7 through a real web server (nginx or lighttpd, with the example
# configs from etc/) and spawn-fcgi with two endsession children on a unix
# socket, driven with curl on 127.0.0.1; plus the hot reload of a replaced
# and of a broken keys file while the server runs.
set -u
SERVER=${1:-nginx}
. "$(dirname "$0")/lib.sh"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
NAME=integration-$SERVER
FAIL_TAG="[$SERVER] "
scratch es-int
ISS=https://op.example
on_die() { cat "$T"/spawn.log "$T"/$SERVER/error.log 2>/dev/null >&2; }

es_fixtures "$T" "$ISS" || die fixtures
PORT=$(es_port)
URL=http://127.0.0.1:$PORT/oauth/end_session
es_spawn "$T" 2 && "es_$SERVER" "$T" "$PORT" && es_wait_http "$URL" || die "$SERVER + spawn-fcgi"

# req NAME [curl args...]: the response headers in T/NAME.h, body in T/NAME.b.
req() {
	local n=$1
	shift
	curl -s -D "$T/$n.h" -o "$T/$n.b" "$@"
	tr -d '\r' < "$T/$n.h" > "$T/$n.hh" && mv "$T/$n.hh" "$T/$n.h"
}
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/$1.h"; }
header() { sed -n "s/^$2: //Ip" "$T/$1.h" | head -n 1; }
jlines() { if [ -f "$T/journal.log" ]; then wc -l < "$T/journal.log"; else echo 0; fi; }
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

RP=https://rp.example/signed-out
HINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
EHINT=$(es_hint "$T" p256.pem ES256 ec1 "$(es_claims "$ISS" demo-rp)")

# R: valid hint, registered URI, state; 302 exactly to it.
j0=$(jlines)
req r1 "$URL?id_token_hint=$HINT&post_logout_redirect_uri=$(enc $RP)&state=$(enc 'a b&c=d/é')"
eq "R status" 302 "$(status r1)"
eq "R location" "$RP?state=a%20b%26c%3Dd%2F%C3%A9" "$(header r1 Location)"
has "R cookie" "op_session=; Max-Age=0" "$T/r1.h"
has "R no-store" "Cache-Control: no-store" "$T/r1.h"
eq "R journal" $((j0 + 1)) "$(jlines)"

# R with ES256 and a URI that already has a query.
req r2 "$URL?id_token_hint=$EHINT&post_logout_redirect_uri=$(enc https://rp.example/cb?x=1)&state=s1"
eq "R ES256 status" 302 "$(status r2)"
eq "R query location" "https://rp.example/cb?x=1&state=s1" "$(header r2 Location)"

# R by POST: 303.
req r3 -X POST --data-urlencode "id_token_hint=$HINT" --data-urlencode "post_logout_redirect_uri=$RP" "$URL"
eq "R POST status" 303 "$(status r3)"
eq "R POST location" "$RP" "$(header r3 Location)"

# S: valid hint, no URI.
req s1 "$URL?id_token_hint=$HINT"
eq "S status" 200 "$(status s1)"
has "S cookie" "__Host-op_csrf=; Max-Age=0" "$T/s1.h"
has "S page" '<html lang="en"' "$T/s1.b"
has "S csp" "frame-ancestors 'none'" "$T/s1.h"
has "S xfo" "X-Frame-Options: DENY" "$T/s1.h"

# C: no hint; the form posts back through the server: 303 with state.
j0=$(jlines)
req c1 -H 'Accept-Language: sv-SE,sv;q=0.9,en;q=0.5' "$URL?client_id=demo-rp&post_logout_redirect_uri=$(enc $RP)&state=xyz"
eq "C status" 200 "$(status c1)"
has "C form" '<form id="logout-confirm" method="post"' "$T/c1.b"
has "C swedish" '<html lang="sv"' "$T/c1.b"
# The page sets our confirm cookie and nothing else: nobody signed out yet.
lacks "C no sign-out cookie" "op_session" "$T/c1.h"
CC=$(sed -n 's/^Set-Cookie: \(__Host-endsession-confirm=[A-Za-z0-9_-]\{22\}\); Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Strict\r\{0,1\}$/\1/p' "$T/c1.h")
[ -n "$CC" ] && ok || bad "C confirm cookie set, with its attributes"
lacks "C no location" "Location" "$T/c1.h"
# The page's length is known: the server passes it on, not chunked.
eq "C Content-Length" "$(wc -c < "$T/c1.b")" "$(header c1 Content-Length | tr -d '\r')"
lacks "C not chunked" "Transfer-Encoding" "$T/c1.h"
FIELDS=$(es_form_fields "$T/c1.b")
# Posted without the page's cookie, or from another site's page: nobody
# signed out (logout CSRF), through the real server too.
req c2n -X POST -d "$FIELDS" "$URL"
eq "C without confirm cookie" 400 "$(status c2n)"
lacks "C without confirm cookie: no sign-out" "op_session" "$T/c2n.h"
req c2o -X POST -H "Cookie: $CC" -H "Origin: https://evil.example" -d "$FIELDS" "$URL"
eq "C foreign Origin" 400 "$(status c2o)"
lacks "C foreign Origin: no sign-out" "op_session" "$T/c2o.h"
eq "C refused posts: journal" "$j0" "$(jlines)"
req c2 -X POST -H "Cookie: $CC" -d "$FIELDS" "$URL"
eq "C confirmed status" 303 "$(status c2)"
eq "C confirmed location" "$RP?state=xyz" "$(header c2 Location)"
has "C confirmed cookie" "op_session=; Max-Age=0" "$T/c2.h"
eq "C confirmed journal" $((j0 + 1)) "$(jlines)"
grep -q '"via":"confirmation"' "$T/journal.log" && ok || bad "journal via confirmation"

# The same form with a changed field: 400, nobody signed out.
req c3 -X POST -H "Cookie: $CC" -d "${FIELDS/xyz/evil}" "$URL"
eq "C forged status" 400 "$(status c3)"
lacks "C forged no cookie" "Set-Cookie" "$T/c3.h"
eq "C forged journal" $((j0 + 1)) "$(jlines)"

# Stay signed in.
req c4 -X POST -d "op=cancel" "$URL"
eq "stay status" 200 "$(status c4)"
lacks "stay no cookie" "Set-Cookie" "$T/c4.h"

# C: invalid hint (wrong issuer) never redirects, even once confirmed.
BADHINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims https://evil.example demo-rp)")
req c5 "$URL?id_token_hint=$BADHINT&client_id=demo-rp&post_logout_redirect_uri=$(enc $RP)"
eq "invalid hint status" 200 "$(status c5)"
lacks "invalid hint no location" "Location" "$T/c5.h"
lacks "invalid hint form drops uri" 'name="post_logout_redirect_uri"' "$T/c5.b"

# C: a valid hint for another session (sid cookie differs).
req c6 -H 'Cookie: op_sid=other-session' "$URL?id_token_hint=$HINT&post_logout_redirect_uri=$(enc $RP)"
eq "sid mismatch status" 200 "$(status c6)"
lacks "sid mismatch no sign-out" "op_session" "$T/c6.h"
req c7 -H 'Cookie: op_sid=sid-1' "$URL?id_token_hint=$HINT&post_logout_redirect_uri=$(enc $RP)"
eq "sid match status" 302 "$(status c7)"

# E: the reasons, each a 400 page with no sign-out and no Location.  (A bad
# escape like %zz is left out here: lighttpd re-encodes it before we see it;
# the CGI tests cover it.)
j0=$(jlines)
for q in "client_id=nobody" \
    "id_token_hint=$HINT&client_id=other-rp" \
    "client_id=demo-rp&post_logout_redirect_uri=$(enc https://evil.example/)" \
    "post_logout_redirect_uri=$(enc $RP)" \
    "client_id=a&client_id=b" "state=%00" "state=%C3%28"; do
	req e1 "$URL?$q"
	eq "E status for $q" 400 "$(status e1)"
	lacks "E no location for $q" "Location:" "$T/e1.h"
	lacks "E no cookie for $q" "Set-Cookie" "$T/e1.h"
done
eq "E journal" "$j0" "$(jlines)"
req e2 "$URL?$(head -c 20000 /dev/zero | tr '\0' a)=1"
case $(status e2) in 400|414|431) ok ;; *) bad "oversized query: $(status e2)" ;; esac
req e3 -X POST -H 'Content-Type: text/plain' -d 'client_id=demo-rp' "$URL"
eq "E wrong content type" 400 "$(status e3)"
req m1 -X PUT "$URL"
eq "405 status" 405 "$(status m1)"
eq "405 allow" "GET, POST" "$(header m1 Allow)"

# The children serve under the seccomp filter (src/sandbox.c), except in
# sanitizer builds and under valgrind, which cannot have it.
if [ "${VALGRIND:-0}" = 0 ] && ! nm "$ES_BIN" 2>/dev/null | grep -q __asan_init; then
	for p in $(cat "$T/spawn.pid"); do
		eq "child $p sandboxed" 2 "$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/$p/status)"
	done
fi

# Hot reload: a new key replaces the old one by rename; tokens signed with
# it count at once, the old key's do not; a broken file is ignored.  Each
# child reloads before its next request, but which child takes a request
# is the kernel's choice: a child that took none of them would rightly
# keep the old key when the file then breaks.  So requests go on until
# every child has said it reloaded (its line in the server's error log),
# and then until every child has said it keeps the last good copy.
KIDS=$(cat "$T/spawn.pid")
NKIDS=$(echo $KIDS | wc -w)
said() { cat "$T/spawn.log" "$T/$SERVER/error.log" 2>/dev/null | grep -c "jwks.json.*$1"; }
# until_said LINE CHECK STEP: STEP N (N = 1, 2, ...) at least 4 times, and
# on until every child has logged LINE about the keys file (at most 60);
# then CHECK, that every child did.
until_said() {
	local line=$1 check=$2 step=$3 i=0
	until [ "$i" -ge 4 ] && [ "$(said "$line")" -ge "$NKIDS" ] || [ "$i" -ge 60 ]; do
		i=$((i + 1))
		[ "$i" -gt 4 ] && sleep 0.05	# a child busy elsewhere gets back
		"$step" "$i"
	done
	eq "$check" "$NKIDS" "$(said "$line")"
}
new_key() {
	req k1 "$URL?id_token_hint=$HINT2&post_logout_redirect_uri=$(enc $RP)"
	eq "new key accepted ($1)" 302 "$(status k1)"
	req k2 "$URL?id_token_hint=$HINT&client_id=demo-rp&post_logout_redirect_uri=$(enc $RP)"
	eq "old key refused ($1)" 200 "$(status k2)"
}
broken_keys() {
	req k3 "$URL?id_token_hint=$HINT2&post_logout_redirect_uri=$(enc $RP)"
	eq "broken keys file ignored ($1)" 302 "$(status k3)"
}
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa2.pem" 2>/dev/null
printf '{"keys":[%s]}\n' "$("$ES_MINT" jwk -k "$T/rsa2.pem" -i rsa2)" > "$T/jwks.new"
chmod 0644 "$T/jwks.new" && mv "$T/jwks.new" "$T/jwks.json"
HINT2=$(es_hint "$T" rsa2.pem RS256 rsa2 "$(es_claims "$ISS" demo-rp)")
until_said 'reloaded, 1 keys' "every child reloaded the keys" new_key
printf '{"keys":[{"kty":"RSA","n":"broken"' > "$T/jwks.new"
chmod 0644 "$T/jwks.new" && mv "$T/jwks.new" "$T/jwks.json"
until_said 'keeping the last good copy' "every child kept the last good copy" broken_keys
eq "no child was replaced" "$KIDS" "$(es_children "$T")"

# Stop everything, then read what sanitizers or valgrind left behind.
# Every confirmation page sets a confirm cookie of its own: 150 pages
# (more than one pool of random values per child: src/main.c nonce_take)
# give 150 distinct, well-formed values.
for i in $(seq 1 150); do
	echo "url = \"$URL?client_id=demo-rp\""
	echo "output = /dev/null"
	echo "dump-header = \"$T/nonce.$i.h\""
	[ "$i" -lt 150 ] && echo "next"
done > "$T/nonce.cfg"
curl -s -K "$T/nonce.cfg"
for i in $(seq 1 150); do es_confirm_cookie <(tr -d '\r' < "$T/nonce.$i.h"); done > "$T/nonces"
eq "150 confirm cookies" 150 "$(grep -cE '^__Host-endsession-confirm=[A-Za-z0-9_-]{22}$' "$T/nonces")"
eq "all distinct" 150 "$(sort -u "$T/nonces" | wc -l)"

es_stop_all
es_reports "$T" && ok || bad "sanitizer or valgrind reports above"

finish
