#!/bin/bash
# The outcome table, docs/design.md section 7: R, S, C and E, by GET and POST,
# state encoding, the sid cookie, sign-out effects and the journal.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
U2=https://app.example/bye
UQ='https://rp.example/cb?x=1'
E1=$(urlenc "$U1")
E2=$(urlenc "$U2")
EQ=$(urlenc "$UQ")
H=$(good_hint)

# ------------------------------------------------------------------- R

t "R: hint + client_id + registered uri"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1"
expect_R 302 "$U1"
journal_ok id_token_hint app alice sid-1

t "R: second registered uri, state"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E2&state=abc123"
expect_R 302 "$U2?state=abc123"

t "R: client from the hint's aud (no client_id)"
cgi_get "id_token_hint=$H&post_logout_redirect_uri=$E1&state=xyz"
expect_R 302 "$U1?state=xyz"
journal_ok id_token_hint app alice sid-1

t "R: uri with a query gets &state"
HQ=$(good_hint '"q"')
cgi_get "id_token_hint=$HQ&client_id=q&post_logout_redirect_uri=$EQ&state=s1"
expect_R 302 "$UQ&state=s1"

t "R: uri with a query, no state: exactly as registered"
cgi_get "id_token_hint=$HQ&post_logout_redirect_uri=$EQ"
expect_R 302 "$UQ"

t "R: aud array, client from azp"
HA=$(mint rsa.pem RS256 rsa1 "$(claims '["app","q"]' sid-1 "" "" '"azp":"app"')")
cgi_get "id_token_hint=$HA&post_logout_redirect_uri=$E1"
expect_R 302 "$U1"

t "R: aud array, client_id names the second audience"
cgi_get "id_token_hint=$HA&client_id=q&post_logout_redirect_uri=$EQ"
expect_R 302 "$UQ"

# A punctuation-heavy 90-byte state, UTF-8 included: decoding the
# Location's state must give back exactly these bytes.
STATE='!"#$%&'"'"'()*+,-./:;<=>?@[\]^_`{|}~ x=1&y=2 é日本 %41%zz +plus+ tab	end <b>"q"</b>'
while [ "${#STATE}" -lt 90 ]; do STATE="$STATE~"; done
ES_=$(urlenc "$STATE")
for base in "$U1" "$UQ"; do
	if [ "$base" = "$U1" ]; then c=app; hh=$H; sep='?'; else c=q; hh=$HQ; sep='&'; fi
	t "R: punctuation state round-trip ($c)"
	cgi_get "id_token_hint=$hh&client_id=$c&post_logout_redirect_uri=$(urlenc "$base")&state=$ES_"
	status_is 302
	loc=$(hdr Location)
	prefix="$base${sep}state="
	case $loc in
	"$prefix"*)
		ok
		enc=${loc#"$prefix"}
		eq "decoded state" "$STATE" "$(urldec "$enc")"
		# Only unreserved characters and %XX; nothing else added.
		if printf '%s' "$enc" | grep -qE '^([A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*$'; then ok; else
			bad "state not percent-encoded: [$enc]"
		fi
		;;
	*) bad "Location [$loc] does not start with [$prefix]" ;;
	esac
done

t "R: CR LF in state never reaches a header"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&state=a%0D%0AX-Injected:%201"
status_is 302
no_hdr X-Injected
eq "decoded state" "$(printf 'a\r\nX-Injected: 1')" "$(urldec "$(hdr Location | sed 's/^[^=]*=//')")"

t "R: POST gives 303"
cgi_post "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&state=p"
expect_R 303 "$U1?state=p"
journal_ok id_token_hint app alice sid-1

t "R: expired exp alone does not invalidate the hint"
HX=$(good_hint '"app"' sid-1 $((NOW - 7200)) $((NOW - 3600)))
cgi_get "id_token_hint=$HX&client_id=app&post_logout_redirect_uri=$E1"
expect_R 302 "$U1"

t "R: logout_hint is accepted"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&logout_hint=alice"
expect_R 302 "$U1"

t "R: unknown parameters are ignored"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&foo=bar&x"
expect_R 302 "$U1"

t "R: empty state counts as absent"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&state="
expect_R 302 "$U1"

# ------------------------------------------------------------------- S

t "S: hint, no uri"
cgi_get "id_token_hint=$H"
expect_S
journal_ok id_token_hint app alice sid-1

t "S: hint + client_id, no uri"
cgi_get "id_token_hint=$H&client_id=app&state=abc"
expect_S

t "S: hint + empty uri"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri="
expect_S

t "S: POST, hint, no uri"
cgi_post "id_token_hint=$H&client_id=app"
expect_S

t "S: hint without sid, no sid cookie sent"
HN=$(good_hint '"app"' -)
cgi_get "id_token_hint=$HN"
expect_S
journal_ok id_token_hint app alice -

# ------------------------------------------------------------------- C

t "C: nothing at all"
cgi_get ""
expect_C

t "C: client_id + registered uri, no hint"
cgi_get "client_id=app&post_logout_redirect_uri=$E1&state=s"
expect_C

t "C: client_id only"
cgi_get "client_id=app"
expect_C

t "C: all parameters empty"
cgi_get "id_token_hint=&client_id=&post_logout_redirect_uri=&state=&ui_locales="
expect_C

t "C: logout_hint never skips confirmation"
cgi_get "client_id=app&logout_hint=alice"
expect_C

t "C: invalid hint + client_id + registered uri"
cgi_get "id_token_hint=garbage&client_id=app&post_logout_redirect_uri=$E1"
expect_C

t "C: POST without a hint"
cgi_post "client_id=app&post_logout_redirect_uri=$E1"
expect_C

# The sid cookie (sid_cookie = op_sid).
t "C: hint sid differs from the op_sid cookie"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" HTTP_COOKIE="op_sid=other"
expect_C

t "C: hint without sid, op_sid cookie present"
cgi_get "id_token_hint=$HN&client_id=app&post_logout_redirect_uri=$E1" HTTP_COOKIE="op_sid=sid-1"
expect_C

t "R: hint sid equals the op_sid cookie"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" HTTP_COOKIE="a=b; op_sid=sid-1; op_session=zzz"
expect_R 302 "$U1"
journal_ok id_token_hint app alice sid-1

t "S: hint sid equals the op_sid cookie, no uri"
cgi_get "id_token_hint=$H" HTTP_COOKIE="op_sid=sid-1"
expect_S

t "C: sid mismatch by POST"
cgi_post "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" HTTP_COOKIE="op_sid=other"
expect_C

# ------------------------------------------------------------------- E

t "E: client_id unknown"
cgi_get "client_id=nope"
expect_E

t "E: client_id unknown, valid hint"
cgi_get "id_token_hint=$H&client_id=nope&post_logout_redirect_uri=$E1"
expect_E

t "E: client_id unknown, invalid hint"
cgi_get "id_token_hint=garbage&client_id=nope"
expect_E

t "E: client_id not among the hint's audiences"
cgi_get "id_token_hint=$H&client_id=other&post_logout_redirect_uri=$(urlenc https://other.example/)"
expect_E

t "E: client_id not among the hint's audiences, no uri"
cgi_get "id_token_hint=$H&client_id=other"
expect_E

t "E: uri not registered (client_id, no hint)"
cgi_get "client_id=app&post_logout_redirect_uri=$(urlenc https://evil.example/)"
expect_E

t "E: uri not registered (valid hint)"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$(urlenc https://evil.example/)"
expect_E

t "E: uri not registered (client from the hint's aud)"
cgi_get "id_token_hint=$H&post_logout_redirect_uri=$(urlenc https://evil.example/)"
expect_E

t "E: uri of another client"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$EQ"
expect_E

for near in "$U1/" "https://APP.example/logout" "$U1?x=1" "$U1#f" "https://app.example/logout " "$UQ&y=2" "https://rp.example/cb"; do
	t "E: near miss [$near] is not registered"
	if [ "${near#https://rp}" != "$near" ]; then c=q; else c=app; fi
	cgi_get "client_id=$c&post_logout_redirect_uri=$(urlenc "$near")"
	expect_E
done

t "E: uri with neither client_id nor a hint"
cgi_get "post_logout_redirect_uri=$E1"
expect_E

t "E: uri with an invalid hint and no client_id"
cgi_get "id_token_hint=garbage&post_logout_redirect_uri=$E1&state=s"
expect_E

t "E: uri with neither, by POST"
cgi_post "post_logout_redirect_uri=$E1"
expect_E

t "E: client_id unknown, by POST"
cgi_post "id_token_hint=$H&client_id=nope"
expect_E

t "E: the sid cookie does not excuse a bad uri"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$(urlenc https://evil.example/)" HTTP_COOKIE="op_sid=sid-1"
expect_E

# --------------------------------------------------- sign-out effects

t "journal: one line per sign-out, appended"
before=$(jcount)
cgi_get "id_token_hint=$H"
cgi_get "id_token_hint=$H"
eq "journal grew by two" $((before + 2)) "$(jcount)"
check "every journal line is JSON" perl -MJSON::PP -ne 'JSON::PP->new->decode($_)' "$JOURNAL"

finish
