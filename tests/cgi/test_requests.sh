#!/bin/bash
# Requests, docs/design.md section 6 and 7: methods, malformed requests,
# empty parameters, security headers, locales and HTML escaping.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
E1=$(urlenc "$U1")
H=$(good_hint)

# -------------------------------------------------------------- methods

for m in PUT DELETE PATCH; do
	t "405: $m"
	cgi_req "$m" "client_id=app" ""
	status_is 405
	check_common
	hdr_is Allow "GET, POST"
	no_hdr Location
	no_signout
done

t "405: PUT with a valid hint signs nobody out"
cgi_req PUT "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" ""
status_is 405
no_signout

# ------------------------------------------------------------ malformed

malformed() { # malformed DESC QUERY
	t "E: $1"
	cgi_get "$2"
	expect_E
}
malformed "duplicate client_id" "client_id=app&client_id=app"
malformed "duplicate state" "client_id=app&state=a&state=b"
malformed "duplicate id_token_hint" "id_token_hint=$H&id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1"
malformed "bad escape %zz" "client_id=app&state=%zz"
malformed "bad escape %4" "client_id=app&state=%4"
malformed "bad escape at the end" "client_id=app&state=abc%"
malformed "bad escape in a name" "client_id=app&st%zzate=1"
malformed "%00" "client_id=app&state=a%00b"
malformed "%00 in client_id" "client_id=app%00"
malformed "invalid UTF-8 %C3%28" "client_id=app&state=%C3%28"
malformed "invalid UTF-8 %FF" "client_id=app&state=%FF"
malformed "overlong UTF-8 %C0%AF" "client_id=app&state=%C0%AF"
malformed "UTF-8 surrogate %ED%A0%80" "client_id=app&state=%ED%A0%80"
malformed "invalid UTF-8 in an unknown parameter" "client_id=app&foo=%C3%28"
malformed "malformed with a valid hint signs nobody out" "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&state=%zz"

t "E: query over 16384 bytes"
big=$(head -c 17000 /dev/zero | tr '\0' a)
cgi_get "client_id=app&state=$big"
expect_E

t "E: query over 16384 bytes in an unknown parameter"
cgi_get "client_id=app&zzz=$big"
expect_E

t "E: query over the limit with a valid hint"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&zzz=$big"
expect_E

t "E: POST body over 16384 bytes"
cgi_post "client_id=app&state=$big"
expect_E

t "E: POST text/plain"
b="id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1"
cgi_post "$b" CONTENT_TYPE=text/plain
expect_E

t "E: POST multipart/form-data"
cgi_post "$b" CONTENT_TYPE="multipart/form-data; boundary=xyz"
expect_E

t "E: POST without a content type"
cgi_req POST "" "$b" CONTENT_LENGTH="${#b}"
expect_E

t "E: POST CONTENT_LENGTH larger than the body"
cgi_post "$b" CONTENT_LENGTH=$(( ${#b} + 10 ))
expect_E

t "E: POST CONTENT_LENGTH not a number"
cgi_post "$b" CONTENT_LENGTH=12x
expect_E

t "E: POST CONTENT_LENGTH negative"
cgi_post "$b" CONTENT_LENGTH=-1
expect_E

t "E: POST malformed body (duplicate)"
cgi_post "client_id=app&client_id=app"
expect_E

t "E: POST malformed body (%00)"
cgi_post "client_id=app&state=%00"
expect_E

t "R: POST with charset parameter in the content type"
cgi_post "$b" CONTENT_TYPE="application/x-www-form-urlencoded; charset=UTF-8"
expect_R 303 "$U1"

t "R: POST body fields win; QUERY_STRING of a POST is not the request"
cgi_req POST "client_id=nope" "$b" CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH="${#b}"
status_is 303

t "C: '+' and %20 decode to a space in state (and are echoed escaped)"
cgi_get "client_id=app&state=a+b%20c"
expect_C

# -------------------------------------------------------- empty params

t "empty id_token_hint is absent: C, not an invalid-hint C with E on uri"
cgi_get "id_token_hint=&client_id=app&post_logout_redirect_uri=$E1"
expect_C

t "empty client_id is absent: uri with neither is E"
cgi_get "client_id=&post_logout_redirect_uri=$E1"
expect_E

t "empty client_id is absent: client from the hint"
cgi_get "id_token_hint=$H&client_id=&post_logout_redirect_uri=$E1"
expect_R 302 "$U1"

t "empty uri is absent: S"
cgi_get "id_token_hint=$H&post_logout_redirect_uri="
expect_S

# --------------------------------------------------- security headers

for q in "" "client_id=nope" "id_token_hint=$H"; do
	t "HTML headers on [${q:0:20}]"
	cgi_get "$q"
	check_common
	check_html
done

t "form action is the endpoint itself"
cgi_get "client_id=app"
a=$(form_action logout-confirm)
case $a in
"$SCRIPT"|"$SCRIPT?"*|"") ok ;;
*) bad "action [$a]" ;;
esac
eq "cancel form posts to the same place" "$a" "$(form_action logout-cancel)"
if grep -qE '<form id="logout-cancel" method="post"' "$T/body"; then ok; else bad "no separate logout-cancel POST form"; fi

# -------------------------------------------------------------- locales

lang_is() { # lang_is DESC LANG QUERY [env]
	local d=$1 l=$2 q=$3
	shift 3
	t "locale: $d"
	cgi_get "$q" "$@"
	eq "html lang" "$l" "$(page_lang)"
}
lang_is "default en" en "client_id=app"
lang_is "ui_locales=sv" sv "client_id=app&ui_locales=sv"
lang_is "ui_locales=fr sv: first supported" sv "client_id=app&ui_locales=fr%20sv"
lang_is "ui_locales=sv en" sv "client_id=app&ui_locales=sv+en"
lang_is "ui_locales=en sv" en "client_id=app&ui_locales=en%20sv" HTTP_ACCEPT_LANGUAGE=sv
lang_is "Accept-Language sv-SE,en;q=0.5" sv "client_id=app" HTTP_ACCEPT_LANGUAGE="sv-SE,en;q=0.5"
lang_is "Accept-Language en-US,sv;q=0.5" en "client_id=app" HTTP_ACCEPT_LANGUAGE="en-US,sv;q=0.5"
lang_is "Accept-Language fr, sv;q=0.8" sv "client_id=app" HTTP_ACCEPT_LANGUAGE="fr, sv;q=0.8"
lang_is "Accept-Language de only" en "client_id=app" HTTP_ACCEPT_LANGUAGE="de"
lang_is "ui_locales wins over Accept-Language" sv "client_id=app&ui_locales=sv" HTTP_ACCEPT_LANGUAGE="en"
lang_is "ui_locales unsupported, then Accept-Language" sv "client_id=app&ui_locales=fr" HTTP_ACCEPT_LANGUAGE="sv"
lang_is "error page in sv" sv "client_id=nope&ui_locales=sv"
lang_is "signed-out page in sv" sv "id_token_hint=$H&ui_locales=sv"
lang_is "garbage Accept-Language" en "client_id=app" HTTP_ACCEPT_LANGUAGE=';;;q=,,x'

# ------------------------------------------------------------- escaping

t "client_name is escaped"
cgi_get "client_id=xss"
expect_C
body_lacks "<script>alert(1)</script>"
body_has "&lt;script&gt;alert(1)&lt;/script&gt;"

t "state is escaped in the form"
cgi_get "client_id=app&post_logout_redirect_uri=$E1&state=$(urlenc '"><script>alert(2)</script><x y='"'"'z')"
expect_C
body_lacks "<script>alert(2)"
body_lacks "<x y="
eq "state round-trips through the form" '"><script>alert(2)</script><x y='"'"'z' \
    "$(field "$(form_fields logout-confirm)" state)"

t "ui_locales is escaped in the form"
cgi_get "client_id=app&post_logout_redirect_uri=$E1&ui_locales=$(urlenc 'sv"><img src=x>')"
status_is 200
body_lacks '<img src=x>'

t "an unknown client_id is not echoed raw on the error page"
cgi_get "client_id=$(urlenc '<b>nope</b>')"
expect_E
body_lacks '<b>nope</b>'

t "a shell that sets only QUERY_STRING: no REQUEST_METHOD is a GET"
H=$(good_hint)
out=$(env -i PATH="$PATH" ENDSESSION_SANDBOX=0 QUERY_STRING="id_token_hint=$H&post_logout_redirect_uri=$E1&state=sh" \
    "$ES" -c "$CONF" </dev/null | tr -d '\r')
eq "status" "Status: 302 Found" "$(printf '%s\n' "$out" | head -n 1)"
eq "location" "Location: $U1?state=sh" "$(printf '%s\n' "$out" | grep '^Location: ')"

finish
