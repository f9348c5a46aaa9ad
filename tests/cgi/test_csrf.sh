#!/bin/bash
# The confirmation form bound to the browser (a __Host- cookie and the
# request's Origin), fields with line breaks, optional headers that
# cannot be read, and what --check prints from files.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
E1=$(urlenc "$U1")
H=$(good_hint)
Q="client_id=app&post_logout_redirect_uri=$E1&state=x"

# page QUERY [env...]: GET the confirmation page; CF its form, PAGEJAR
# its confirm cookie.
page() {
	cgi_get "$@"
	expect_C
	CF=$(form_fields logout-confirm) || CF=
	PAGEJAR=$JAR
}

# ------------------------------------------------------ the confirm cookie

t "csrf: the page sets a fresh cookie each time"
page "$Q"
first=$PAGEJAR
page "$Q"
if [ "$first" != "$PAGEJAR" ]; then ok; else bad "the same cookie value twice: $first"; fi

# An older Safari: neither Sec-Fetch-Site nor Origin, and without
# sid_cookie no session cookie either.  A page the attacker loaded is
# posted from the victim's browser, which has no confirm cookie (or its
# own, from another page).
t "csrf: no confirm cookie, nothing said of the origin -> E"
page "$Q"
NOJAR=1 cgi_post "$CF"
expect_E
body_has "cookie"

t "csrf: the cookie of another page -> E"
page "$Q"
OTHER=$CF
page "$Q"
cgi_post "$OTHER"
expect_E

t "csrf: the cookie of another page, no sid_cookie configured -> E"
grep -v '^sid_cookie' "$CONF" > "$T/nosid.conf"
SAVED=$CONF
CONF=$T/nosid.conf
page "$Q"
OTHER=$CF
page "$Q"
cgi_post "$OTHER"
expect_E
t "csrf: no sid_cookie: its own page and cookie -> 303"
cgi_post "$CF"
expect_R 303 "$U1?state=x"
CONF=$SAVED

t "csrf: a cookie value that is not ours is no cookie"
page "$Q"
NOJAR=1 cgi_post "$CF" HTTP_COOKIE="$CONFIRM_COOKIE=short"
expect_E

# --------------------------------------------------------------- Origin

origin() { # origin DESC WANT ORIGIN [env...]
	local d=$1 w=$2 o=$3
	shift 3
	t "origin: $d"
	page "$Q" "$@"
	cgi_post "$CF" HTTP_ORIGIN="$o" "$@"
	if [ "$w" = E ]; then expect_E; else expect_R 303 "$U1?state=x"; fi
}
origin "another site -> E" E https://evil.example
origin "another site, Sec-Fetch-Site same-origin -> E" E https://evil.example HTTP_SEC_FETCH_SITE=same-origin
origin "another port -> E" E https://op.example:8443
origin "http instead of https -> E" E http://op.example
origin "a sibling host -> E" E https://evil.op.example HTTP_HOST=op.example
origin "not an origin -> E" E 'https://op.example/path'
origin "null, as browsers send under no-referrer -> 303" R null
origin "ours (SERVER_NAME, SERVER_PORT) -> 303" R https://op.example
origin "ours (HTTP_HOST) -> 303" R https://op.example HTTP_HOST=op.example
origin "ours (HTTP_HOST with :443) -> 303" R https://op.example HTTP_HOST=op.example:443
origin "ours, plain http on a port -> 303" R http://127.0.0.1:8080 HTTPS= REQUEST_SCHEME=http HTTP_HOST=127.0.0.1:8080
origin "another port, plain http -> E" E http://127.0.0.1:8081 HTTPS= REQUEST_SCHEME=http HTTP_HOST=127.0.0.1:8080
origin "another loopback host -> E" E http://127.0.0.2:8080 HTTPS= REQUEST_SCHEME=http HTTP_HOST=127.0.0.1:8080

t "origin: Sec-Fetch-Site cross-site with the cookie -> E"
page "$Q"
cgi_post "$CF" HTTP_SEC_FETCH_SITE=cross-site
expect_E

# ------------------------------------------------------ line breaks

lb() { # lb DESC STATE
	local d=$1 st=$2 loc b
	t "line breaks: $d"
	page "client_id=app&post_logout_redirect_uri=$E1&state=$(urlenc "$st")"
	body_has 'name="state_b64"'
	body_lacks 'name="state"'
	cgi_post "$CF"
	expect_R 303 "$U1?state=$(urlenc "$st")"
	loc=$(hdr Location)
	eq "state bytes back" "$(printf '%s' "$st" | od -An -tx1)" \
	    "$(urldec "${loc#"$U1?state="}" | od -An -tx1)"
	journal_ok confirmation app - -
	# The same bytes as a browser would send a plain field: CRLF.
	crlf=$(printf '%s' "$st" | perl -0pe 's/\r\n|\r|\n/\r\n/g')
	[ "$crlf" = "$st" ] && return 0
	t "line breaks: $d, sent plain with CRLF -> E"
	b=$(del_field "$CF" state_b64)
	b=$(set_field "$b" state "$crlf")
	cgi_post "$b"
	expect_E
}
lb 'a LF b' "$(printf 'a\nb')"
lb 'a CRLF b' "$(printf 'a\r\nb')"
lb 'a CR b' "$(printf 'a\rb')"
lb 'CR LF LF CR, UTF-8' "$(printf '\r\n\n\r\303\251')"

t "line breaks: ui_locales with LF keeps the locale field"
page "client_id=app&ui_locales=$(urlenc "$(printf 'sv\nen')")"
body_has 'name="ui_locales_b64"'
cgi_post "$CF"
expect_S

t "line breaks: state and state_b64 both -> E"
page "client_id=app&post_logout_redirect_uri=$E1&state=$(urlenc "$(printf 'a\nb')")"
cgi_post "$CF&state=a"
expect_E

t "line breaks: a long state with a line break fits"
long=$(head -c 8000 /dev/zero | tr '\0' a)
page "client_id=app&post_logout_redirect_uri=$E1&state=$(urlenc "$long")%0A"
cgi_post "$CF"
status_is 303

# -------------------------------------------- optional headers ignored

hdr_ignored() { # hdr_ignored DESC VAR=VALUE
	t "headers: $1 is ignored"
	cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&state=h" "$2"
	expect_R 302 "$U1?state=h"
	t "headers: $1 is ignored (confirmation page)"
	cgi_get "client_id=app" "$2"
	expect_C
	eq "page language" en "$(page_lang)"
}
hdr_ignored "Accept-Language with a control byte" HTTP_ACCEPT_LANGUAGE="$(printf 'sv\001')"
hdr_ignored "Accept-Language with CR LF" HTTP_ACCEPT_LANGUAGE="$(printf 'sv\r\nX-A: b')"
hdr_ignored "Accept-Language over 8192 bytes" HTTP_ACCEPT_LANGUAGE="sv,$(head -c 8200 /dev/zero | tr '\0' x)"
hdr_ignored "Cookie with a control byte" HTTP_COOKIE="$(printf 'op_sid=sid-1; x=\001')"
hdr_ignored "Cookie over 8192 bytes" HTTP_COOKIE="op_sid=sid-1; x=$(head -c 8200 /dev/zero | tr '\0' x)"

t "headers: Accept-Language sv at the limit is read"
cgi_get "client_id=app" HTTP_ACCEPT_LANGUAGE="sv,$(head -c 8189 /dev/zero | tr '\0' x)"
eq "page language" sv "$(page_lang)"

t "headers: a Cookie that cannot be read carries no confirm cookie"
page "$Q"
NOJAR=1 cgi_post "$CF" HTTP_COOKIE="$PAGEJAR; x=$(printf '\001')"
expect_E

# ------------------------------------------- --check prints escaped text

t "--check: a kid with a control byte and U+2028"
"$MINT" jwk -k "$T/rsa.pem" -i kid -u sig | python3 -c '
import json, sys
k = json.load(sys.stdin)
k["kid"] = "k\x1b[2Jx\u2028y\u00e9"
print(json.dumps({"keys": [k]}))' > "$T/jwks-esc.json"
if grep -qF '\u001b[2Jx\u2028y' "$T/jwks-esc.json"; then ok; else bad "fixture: $(cat "$T/jwks-esc.json")"; fi
sed "s#^jwks = .*#jwks = jwks-esc.json#" "$CONF" > "$T/esc.conf"
"$ES" --check -c "$T/esc.conf" > "$T/check.out" 2> "$T/check.err"
eq "--check exit" 0 "$?"
if grep -qF 'k\x1B[2Jx\u2028y\u00E9' "$T/check.out"; then ok; else bad "kid not escaped: $(grep keys "$T/check.out")"; fi
if LC_ALL=C grep -q '[^ -~]' "$T/check.out"; then bad "non-ASCII or control bytes in --check output"; else ok; fi

t "--check: a path with U+2028 and U+0085 in an error"
sed "s#^clients = .*#clients = $(printf 'd\342\200\250\302\205')/none.json#" "$CONF" > "$T/esc2.conf"
"$ES" --check -c "$T/esc2.conf" > "$T/check.out" 2> "$T/check.err"
eq "--check exit" 1 "$?"
if grep -qF 'd\u2028\u0085/none.json' "$T/check.err"; then ok; else bad "path not escaped: $(cat "$T/check.err")"; fi
if LC_ALL=C grep -q '[^ -~]' "$T/check.err"; then bad "control bytes in --check errors"; else ok; fi

finish
