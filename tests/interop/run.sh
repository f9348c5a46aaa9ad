#!/usr/bin/env bash
# tests/interop/run.sh - endsession with a real OpenID Provider
# (node-oidc-provider 9, tests/interop/provider.mjs) on 127.0.0.1:
# scripts/endsession-refresh fetches the provider's discovery document,
# JWKS and client registrations into the fixtures; endsession (spawn-fcgi,
# nginx) then signs out with an ID Token the provider signed with its own
# keys and redirects to the registered URI with state; a token from a
# second provider instance (fresh keys, same issuer) is refused (C page).
set -u
. "$(dirname "$0")/../integration/lib.sh"
NAME=interop

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-interop
chmod 0755 "$T"	# nginx's worker reaches the socket below it
on_die() { cat "$T"/*.log "$T"/es/spawn.log "$T"/es/nginx/error.log 2>/dev/null | tail -n 30 >&2; }

command -v node >/dev/null || die "node is not installed"
[ -d "$ES_ROOT/tests/node_modules/oidc-provider" ] || die "oidc-provider is not installed (npm ci)"

# provider NAME [ISSUER]: starts provider.mjs; sets PORT_x, ISS_x, KID_x.
provider() {
	local n=$1 port iss kid i
	shift
	( cd "$ES_ROOT" && exec timeout 300 node tests/interop/provider.mjs "$T/$n.ready" "$@" ) \
	    >"$T/$n.log" 2>&1 &
	BG_PIDS+=($!)
	for i in $(seq 1 300); do
		[ -s "$T/$n.ready" ] && break
		sleep 0.1
	done
	[ -s "$T/$n.ready" ] || die "provider $n did not start"
	read -r port iss kid < "$T/$n.ready"
	eval "PORT_$n=\$port ISS_$n=\$iss KID_$n=\$kid"
}

provider A
ISS=$ISS_A
curl -sf -o "$T/disco.json" "$ISS/.well-known/openid-configuration" || die "no discovery document"
eq "provider issuer" "$ISS" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["issuer"])' "$T/disco.json")"

# Fixtures with the provider as issuer; the keys and clients come from it.
F=$T/es
es_fixtures "$F" "$ISS" || die "fixtures"
echo "clients_url = $ISS/test/clients.json" >> "$F/endsession.conf"
ENDSESSION=$ES_BIN timeout 60 "$ES_ROOT/scripts/endsession-refresh" -c "$F/endsession.conf" \
    >"$T/refresh.out" 2>"$T/refresh.err"
eq "refresh status" 0 "$?"
[ -s "$T/refresh.err" ] && bad "refresh stderr: $(cat "$T/refresh.err")"
has "refresh replaced keys" "jwks.json: replaced" "$T/refresh.out"
has "refresh replaced clients" "clients.json: replaced" "$T/refresh.out"
curl -sf -o "$T/jwks.served" "$ISS/jwks"
cmp -s "$T/jwks.served" "$F/jwks.json" && ok || bad "keys file is not the provider's JWKS"
"$ES_BIN" --check -c "$F/endsession.conf" >"$T/check.out" 2>&1
eq "--check status" 0 "$?"
has "--check names the provider's kid" "$KID_A" "$T/check.out"
has "--check: 2 clients" "2 clients" "$T/check.out"

# A second refresh changes nothing.
ENDSESSION=$ES_BIN timeout 60 "$ES_ROOT/scripts/endsession-refresh" -c "$F/endsession.conf" \
    >"$T/refresh2.out" 2>&1
eq "second refresh status" 0 "$?"
has "second refresh: unchanged" "jwks.json: unchanged" "$T/refresh2.out"

PORT=$(es_port)
URL=http://127.0.0.1:$PORT/oauth/end_session
es_spawn "$F" 2 && es_nginx "$F" "$PORT" && es_wait_http "$URL" || die "servers did not start"

req() {
	local n=$1
	shift
	curl -s --max-time 10 -D "$T/$n.h" -o "$T/$n.b" "$@"
	tr -d '\r' < "$T/$n.h" > "$T/$n.hh" && mv "$T/$n.hh" "$T/$n.h"
}
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/$1.h"; }
header() { sed -n "s/^$2: //Ip" "$T/$1.h" | head -n 1; }
jlines() { if [ -f "$F/journal.log" ]; then wc -l < "$F/journal.log"; else echo 0; fi; }
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
jwt_part() {	# jwt_part TOKEN 0|1 MEMBER
	python3 - "$1" "$2" "$3" <<'EOF'
import base64, json, sys
p = sys.argv[1].split(".")[int(sys.argv[2])]
v = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))).get(sys.argv[3])
print(v if v is not None else "")
EOF
}

# A real ID Token from the provider.
TOK=$(curl -sf "$ISS/test/id_token?client_id=demo-rp&sub=alice&sid=op-sid-1") || die "no ID Token"
eq "token alg" RS256 "$(jwt_part "$TOK" 0 alg)"
eq "token kid" "$KID_A" "$(jwt_part "$TOK" 0 kid)"
eq "token iss" "$ISS" "$(jwt_part "$TOK" 1 iss)"
eq "token aud" demo-rp "$(jwt_part "$TOK" 1 aud)"
eq "token sid" op-sid-1 "$(jwt_part "$TOK" 1 sid)"
# The provider itself takes it as a hint at its own end_session endpoint.
req op1 "$ISS/session/end?id_token_hint=$TOK"
eq "provider accepts its own token as hint" 200 "$(status op1)"

RP=https://rp.example/signed-out
STATE='st=1&x y/é?#%'

# R: signed out and redirected with state.
j0=$(jlines)
req r1 "$URL?id_token_hint=$TOK&post_logout_redirect_uri=$(enc $RP)&state=$(enc "$STATE")"
eq "R status" 302 "$(status r1)"
eq "R location" "$RP?state=$(enc "$STATE")" "$(header r1 Location)"
has "R expires op_session" "op_session=; Max-Age=0" "$T/r1.h"
has "R no-store" "Cache-Control: no-store" "$T/r1.h"
eq "R journal" $((j0 + 1)) "$(jlines)"
tail -n 1 "$F/journal.log" > "$T/j1"
has "R journal client" '"client_id":"demo-rp"' "$T/j1"
has "R journal sub" '"sub":"alice"' "$T/j1"
has "R journal sid" '"sid":"op-sid-1"' "$T/j1"
has "R journal via" '"via":"id_token_hint"' "$T/j1"
# The state decodes back to exactly what was sent.
got=$(python3 -c 'import sys,urllib.parse as u; print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["state"][0])' "$(header r1 Location)")
eq "R state round-trip" "$STATE" "$got"

# R with client_id too, and a URI that has a query; and by POST (303).
req r2 "$URL?id_token_hint=$TOK&client_id=demo-rp&post_logout_redirect_uri=$(enc 'https://rp.example/cb?x=1')&state=s2"
eq "R query status" 302 "$(status r2)"
eq "R query location" "https://rp.example/cb?x=1&state=s2" "$(header r2 Location)"
req r3 -X POST --data-urlencode "id_token_hint=$TOK" --data-urlencode "post_logout_redirect_uri=$RP" "$URL"
eq "R POST status" 303 "$(status r3)"
eq "R POST location" "$RP" "$(header r3 Location)"

# S: the same token without a redirect URI.
req s1 "$URL?id_token_hint=$TOK"
eq "S status" 200 "$(status s1)"
has "S cookie" "op_session=; Max-Age=0" "$T/s1.h"
lacks "S no location" "Location:" "$T/s1.h"

# The same session cookie: still signed out at once; another sid: C.
req s2 -H 'Cookie: op_sid=op-sid-1' "$URL?id_token_hint=$TOK&post_logout_redirect_uri=$(enc $RP)"
eq "matching sid cookie" 302 "$(status s2)"
req s3 -H 'Cookie: op_sid=someone-else' "$URL?id_token_hint=$TOK&post_logout_redirect_uri=$(enc $RP)"
eq "other sid cookie" 200 "$(status s3)"
lacks "other sid cookie: no sign-out cookie" "op_session" "$T/s3.h"

# E: a real token for demo-rp with client_id other-rp.
req e1 "$URL?id_token_hint=$TOK&client_id=other-rp&post_logout_redirect_uri=$(enc https://other.example/bye)"
eq "E client not in aud" 400 "$(status e1)"
lacks "E no location" "Location:" "$T/e1.h"

# A token for other-rp (registered through clients_url) works for it.
TOK_O=$(curl -sf "$ISS/test/id_token?client_id=other-rp&sub=bob") || die "no other-rp token"
req r4 "$URL?id_token_hint=$TOK_O&post_logout_redirect_uri=$(enc https://other.example/bye)"
eq "other-rp R status" 302 "$(status r4)"
eq "other-rp R location" "https://other.example/bye" "$(header r4 Location)"

# An impostor: a second provider with its own keys and the same issuer.
provider B "$ISS"
[ "$KID_B" != "$KID_A" ] && ok || bad "second provider has the same kid"
TOK_B=$(curl -sf "http://127.0.0.1:$PORT_B/test/id_token?client_id=demo-rp&sub=alice&sid=op-sid-1") ||
    die "no ID Token from the second provider"
eq "impostor token iss" "$ISS" "$(jwt_part "$TOK_B" 1 iss)"
j0=$(jlines)
req c1 "$URL?id_token_hint=$TOK_B&client_id=demo-rp&post_logout_redirect_uri=$(enc $RP)&state=x"
eq "impostor: C status" 200 "$(status c1)"
lacks "impostor: no Location" "Location:" "$T/c1.h"
lacks "impostor: no sign-out cookie" "op_session" "$T/c1.h"
has "impostor: confirmation page" '<form id="logout-confirm" method="post"' "$T/c1.b"
lacks "impostor: form drops the redirect URI" 'name="post_logout_redirect_uri"' "$T/c1.b"
req c0 "$URL?id_token_hint=$TOK_B"
eq "impostor alone: C status" 200 "$(status c0)"
lacks "impostor alone: no sign-out cookie" "op_session" "$T/c0.h"
# Without client_id the redirect URI has no client to belong to: E.
req e2 "$URL?id_token_hint=$TOK_B&post_logout_redirect_uri=$(enc $RP)"
eq "impostor with URI, no client_id: E" 400 "$(status e2)"
lacks "impostor E: no Location" "Location:" "$T/e2.h"
lacks "impostor E: no Set-Cookie" "Set-Cookie" "$T/e2.h"
eq "impostor: no journal line" "$j0" "$(jlines)"
# The impostor's kid is unknown; with the real provider's kid forged into
# the header the signature still fails.
TOK_F=$(python3 - "$TOK_B" "$KID_A" <<'EOF'
import base64, json, sys
h, p, s = sys.argv[1].split(".")
hd = json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))
hd["kid"] = sys.argv[2]
h = base64.urlsafe_b64encode(json.dumps(hd, separators=(",", ":")).encode()).decode().rstrip("=")
print(h + "." + p + "." + s)
EOF
)
req c2 "$URL?id_token_hint=$TOK_F&client_id=demo-rp&post_logout_redirect_uri=$(enc $RP)"
eq "forged kid: C status" 200 "$(status c2)"
lacks "forged kid: no Location" "Location:" "$T/c2.h"
lacks "forged kid: no sign-out cookie" "op_session" "$T/c2.h"
eq "forged kid: no journal line" "$j0" "$(jlines)"

# The real provider's token still works after all that.
req r5 "$URL?id_token_hint=$TOK&post_logout_redirect_uri=$(enc $RP)"
eq "real token still R" 302 "$(status r5)"

es_stop_all
es_reports "$F" && ok || bad "sanitizer or valgrind reports above"
finish
