#!/usr/bin/env bash
# tests/interop/backchannel.sh - sign-out notifications between real
# software on 127.0.0.1: node-oidc-provider (tests/interop/provider.mjs)
# signs a customer in, for real, to two websites built with
# express-openid-connect (tests/interop/website.mjs) and records each login
# in the journal as a provider's login code would; the customer signs out
# through website A, whose library sends the browser to endsession (nginx,
# spawn-fcgi); endsession-notify, signing with the provider's own key,
# tells website B (whose library validates the logout token and ends its
# session), website A, and the provider's own session service, which ends
# the provider session on the server: its old cookie no longer signs
# anybody in (prompt=none answers login_required).  Each check fails when
# the notification is missing: the same requests are made before the
# sign-out and must succeed then.
set -u
. "$(dirname "$0")/../integration/lib.sh"
NAME=interop-backchannel

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-bcl
chmod 0755 "$T"	# nginx's worker reaches the socket below it
on_die() { tail -n 20 "$T"/*.log "$T"/es/spawn.log "$T"/es/nginx/error.log 2>/dev/null >&2; }

command -v node >/dev/null || die "node is not installed"
for m in oidc-provider express-openid-connect express; do
	[ -d "$ES_ROOT/tests/node_modules/$m" ] || die "$m is not installed (npm ci --prefix tests)"
done
NOTIFY=$B/endsession-notify

PA=$(es_port)
PB=$(es_port)
while [ "$PB" = "$PA" ]; do PB=$(es_port); done
PORT=$(es_port)
while [ "$PORT" = "$PA" ] || [ "$PORT" = "$PB" ]; do PORT=$(es_port); done
URL=http://127.0.0.1:$PORT/oauth/end_session
A=http://127.0.0.1:$PA
B_=http://127.0.0.1:$PB
F=$T/es
mkdir -p "$F"
ES_SITE_SECRET=$(openssl rand -hex 24)
export ES_SITE_SECRET

# The provider, with the websites, endsession as its end-session endpoint,
# the journal for its login lines and its private key for the notifier.
( cd "$ES_ROOT" && ES_SITES="rp-a=$PA rp-b=$PB" ES_END_SESSION=$URL \
    ES_JOURNAL=$F/journal.log ES_KEY_OUT=$T/signing.jwk \
    exec timeout 300 node tests/interop/provider.mjs "$T/op.ready" ) >"$T/op.log" 2>&1 &
BG_PIDS+=($!)
es_wait_file "$T/op.ready" || es_wait_file "$T/op.ready" || die "the provider did not start"
read -r OP_PORT ISS KID < "$T/op.ready"

curl -sf -o "$T/disco.json" "$ISS/.well-known/openid-configuration" || die "no discovery document"
disco() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$T/disco.json" "$1"; }
eq "discovery: end_session_endpoint is endsession" "$URL" "$(disco end_session_endpoint)"
eq "discovery: backchannel_logout_supported" True "$(disco backchannel_logout_supported)"
eq "discovery: backchannel_logout_session_supported" True "$(disco backchannel_logout_session_supported)"

# endsession and the notifier: registrations and keys from the provider,
# its private key as signing_key, the websites on a literal loopback
# address allowed.  No sid_cookie: node-oidc-provider gives each client its
# own sid, so no cookie of the provider holds the hint's sid.
es_fixtures "$F" "$ISS" || die "fixtures"
sed -i '/^sid_cookie/d; s/^session_cookies.*/session_cookies = _session _session.sig/' "$F/endsession.conf"
cat >> "$F/endsession.conf" <<EOF
clients_url = $ISS/test/clients.json
signing_key = $T/signing.jwk
notify_state = $T/notify.db
notify_log = $T/deliveries.log
notify_allow = 127.0.0.1/32
notify_timeout = 5
EOF
ENDSESSION=$ES_BIN timeout 60 "$ES_ROOT/scripts/endsession-refresh" -c "$F/endsession.conf" \
    >"$T/refresh.out" 2>"$T/refresh.err"
eq "refresh status" 0 "$?"
has "refresh replaced the keys" "jwks.json: replaced" "$T/refresh.out"
has "refresh replaced the clients" "clients.json: replaced" "$T/refresh.out"
"$NOTIFY" --check -c "$F/endsession.conf" >"$T/ncheck.out" 2>&1
eq "endsession-notify --check" 0 "$?"
has "--check: three back-channel clients" "3 clients with a backchannel_logout_uri" "$T/ncheck.out"
has "--check: the provider's key signs" "$KID" "$T/ncheck.out"

es_spawn "$F" 2 && es_nginx "$F" "$PORT" && es_wait_http "$URL" || die "endsession did not start"

website() {	# website NAME PORT CLIENT_ID
	( cd "$ES_ROOT" && exec timeout 300 node tests/interop/website.mjs "$2" "$3" "$ISS" \
	    "$T/$1.ready" ) >"$T/$1.log" 2>&1 &
	BG_PIDS+=($!)
	es_wait_file "$T/$1.ready" || es_wait_file "$T/$1.ready" || die "website $1 did not start"
}
website siteA "$PA" rp-a
website siteB "$PB" rp-b

# One browser: a cookie jar, redirects followed.
JAR=$T/browser.jar
browse() {	# browse NAME URL: status of the last answer; the page in $T/NAME
	curl -s -L --max-redirs 20 --max-time 20 -c "$JAR" -b "$JAR" -o "$T/$1" -D "$T/$1.h" \
	    -w '%{http_code} %{url_effective}' "$2"
}
me() {	# me SITE-URL [JAR]: the website's /me status
	curl -s --max-time 10 -b "${2:-$JAR}" -o /dev/null -w '%{http_code}' "$1/me"
}
# prompt=none at the provider for rp-b with a cookie jar: the Location.
silent() {
	curl -s --max-time 10 -b "$1" -o /dev/null -w '%{redirect_url}' \
	    "$ISS/auth?client_id=rp-b&response_type=code&scope=openid&prompt=none&state=s1&redirect_uri=$(
	    python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$B_/callback")"
}

# Signed in, for real, to both websites.
eq "sign in to website A" "200 $A/" "$(browse loginA "$A/login")"
eq "sign in to website B" "200 $B_/" "$(browse loginB "$B_/login")"
eq "website A: signed in" 200 "$(me "$A")"
eq "website B: signed in" 200 "$(me "$B_")"
curl -s -b "$JAR" "$B_/me" > "$T/meB"
has "website B: the customer" "signed in as alice sid " "$T/meB"
jl() { grep -c "\"event\":\"login\"" "$F/journal.log" 2>/dev/null || echo 0; }
eq "login lines: A, B and the provider's own session" 3 "$(jl)"
for c in rp-a rp-b op-session; do
	has "login line for $c" "\"client_id\":\"$c\"" "$F/journal.log"
done

# The libraries check what they are sent: a logout token that the
# provider's key did not sign ends nothing, at a website or at the provider.
now=$(date +%s)
forged() {	# forged AUD SID: a well-formed logout token under the wrong key
	"$ES_MINT" sign -k "$F/rsa.pem" -a RS256 -i "$KID" \
	    "{\"iss\":\"$ISS\",\"aud\":\"$1\",\"iat\":$now,\"exp\":$((now + 120)),\"jti\":\"forged-$1\",\"sub\":\"alice\",\"sid\":\"$2\",\"events\":{\"http://schemas.openid.net/event/backchannel-logout\":{}}}"
}
session=$(sed -n 's/.*"session":"\([^"]*\)".*"client_id":"op-session".*/\1/p' "$F/journal.log" | head -n 1)
post() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --data-urlencode "logout_token=$2" "$1"; }
eq "website B refuses a forged logout token" 400 "$(post "$B_/backchannel-logout" "$(forged rp-b x)")"
eq "website B: still signed in after it" 200 "$(me "$B_")"
eq "the provider refuses a forged logout token" 400 \
    "$(post "$ISS/test/session-logout" "$(forged op-session "$session")")"

# The provider session as a copied cookie would hold it, before the
# sign-out expires it in the browser.
cp "$JAR" "$T/copied.jar"
loc=$(silent "$T/copied.jar")
case $loc in "$B_/callback?code="*) ok ;; *) bad "before: prompt=none with the cookie gives a code (got $loc)" ;; esac

# The notifier has nothing to send yet: logins alone notify nobody.
"$NOTIFY" -c "$F/endsession.conf" --once >"$T/once0.out" 2>&1
eq "notifier before the sign-out: nothing pending" 0 "$?"
[ ! -s "$T/deliveries.log" ] && ok || bad "deliveries before any sign-out: $(cat "$T/deliveries.log")"
eq "website B still signed in" 200 "$(me "$B_")"

# Signing out through website A: its library sends the browser to
# endsession with the ID Token as hint; endsession signs out and sends it
# back to A's registered /signed-out.
eq "sign out through website A" "200 $A/signed-out" "$(browse logout "$A/logout")"
has "back at website A" "website rp-a: signed out" "$T/logout"
grep '"event":"logout"\|"via":' "$F/journal.log" | tail -n 1 > "$T/signout.line"
has "sign-out line: client rp-a" '"client_id":"rp-a"' "$T/signout.line"
has "sign-out line: the hint's sub" '"sub":"alice"' "$T/signout.line"
has "sign-out line: via the hint" '"via":"id_token_hint"' "$T/signout.line"
has "endsession expired the provider's session cookie" "Set-Cookie: _session=;" "$T/logout.h"
grep -q "^Location: $URL?" "$T/logout.h" && ok || bad "website A did not send the browser to endsession"
eq "website B: still signed in until told" 200 "$(me "$B_")"

# The notifications, signed with the provider's key.
"$NOTIFY" -c "$F/endsession.conf" --once >"$T/once1.out" 2>&1
eq "notifier --once: all delivered" 0 "$?"
eq "three deliveries" 3 "$(grep -c '"outcome":"delivered"' "$T/deliveries.log")"
for c in rp-a rp-b op-session; do
	eq "delivered once to $c" 1 "$(grep '"outcome":"delivered"' "$T/deliveries.log" | grep -c "\"client_id\":\"$c\"")"
done
lacks "no token in the delivery log" "eyJ" "$T/deliveries.log"
"$NOTIFY" -c "$F/endsession.conf" --status > "$T/status"
has "--status: 3 delivered" "delivered 3" "$T/status"
has "--status: nothing pending" "pending 0" "$T/status"

# Website B's library took the token and ended its session; A's too.
eq "website B: signed out by the notification" 401 "$(me "$B_")"
eq "website A: signed out" 401 "$(me "$A")"
has "website B answered 204" "back-channel POST answered 204" "$T/siteB.log"
has "website A answered 204" "back-channel POST answered 204" "$T/siteA.log"
# The provider's own session is gone on the server: the copied cookie no
# longer signs anybody in.
grep -q 'provider: session .* ended' "$T/op.log" && ok || bad "the provider did not end its session"
loc=$(silent "$T/copied.jar")
case $loc in "$B_/callback?error=login_required"*) ok ;; *) bad "after: prompt=none with the copied cookie answers login_required (got $loc)" ;; esac

# Never twice: another pass sends nothing.
"$NOTIFY" -c "$F/endsession.conf" --once >"$T/once2.out" 2>&1
eq "second pass: nothing left" 0 "$?"
eq "still three delivery lines" 3 "$(wc -l < "$T/deliveries.log")"
eq "website B took exactly one" 1 "$(grep -c 'back-channel POST answered 204' "$T/siteB.log")"

# Signing in again works (a new provider session) and the old sign-out does
# not end it.
eq "sign in to website B again" "200 $B_/" "$(browse loginB2 "$B_/login")"
eq "website B: signed in again" 200 "$(me "$B_")"

es_stop_all
es_reports "$F" && ok || bad "sanitizer or valgrind reports above"
finish
