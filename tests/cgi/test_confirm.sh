#!/bin/bash
# The confirmation page, docs/design.md section 7: GET the page, submit its
# form as a browser would, tamper with it, and stay signed in.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
U2=https://app.example/bye
UQ='https://rp.example/cb?x=1'
E1=$(urlenc "$U1")
EQ=$(urlenc "$UQ")
H=$(good_hint)

# confirm_page QUERY [env...]: GET it, expect C, keep both forms' fields.
confirm_page() {
	cgi_get "$@"
	expect_C
	CF=$(form_fields logout-confirm) || CF=
	XF=$(form_fields logout-cancel) || XF=
	if [ -n "$CF" ]; then ok; else bad "no hidden inputs in logout-confirm"; fi
	case "&$CF" in *"&confirm="?*) ok ;; *) bad "confirm form carries no token: [$CF]" ;; esac
}

# ----------------------------------------------------- round trips

t "confirm: client_id + uri + state -> 303"
STATE='s t&a=te/?#%'"'"'"<>é'
confirm_page "client_id=app&post_logout_redirect_uri=$E1&state=$(urlenc "$STATE")"
t "confirm: client_id + uri + state -> 303 (POST)"
cgi_post "$CF"
expect_R 303 "$U1?state=$(urlenc "$STATE")"
loc=$(hdr Location)
eq "state decodes back" "$STATE" "$(urldec "${loc#"$U1?state="}")"
journal_ok confirmation app - -
CF_APP=$CF

t "confirm: the same form posted again still works (stateless)"
cgi_post "$CF_APP"
status_is 303

t "confirm: uri with a query -> 303 with &state"
confirm_page "client_id=q&post_logout_redirect_uri=$EQ&state=zz"
cgi_post "$CF"
expect_R 303 "$UQ&state=zz"
journal_ok confirmation q - -

t "confirm: client_id + uri, no state -> 303 exactly the uri"
confirm_page "client_id=app&post_logout_redirect_uri=$(urlenc "$U2")"
cgi_post "$CF"
expect_R 303 "$U2"

t "confirm: no parameters -> 200 signed out"
confirm_page ""
cgi_post "$CF"
expect_S
journal_ok confirmation - - -

t "confirm: client_id only -> 200 signed out"
confirm_page "client_id=app"
cgi_post "$CF"
expect_S
journal_ok confirmation app - -

t "confirm: the POSTed form keeps the locale"
confirm_page "client_id=app&ui_locales=sv"
eq "confirm page lang" sv "$(page_lang)"
cgi_post "$CF"
expect_S
eq "signed-out page lang" sv "$(page_lang)"

t "confirm: the confirmation page reached by POST"
cgi_post "client_id=app&post_logout_redirect_uri=$E1&state=p"
expect_C
CF=$(form_fields logout-confirm)
cgi_post "$CF"
expect_R 303 "$U1?state=p"

# ---------------------------------------------- invalid hint: never R

t "confirm: invalid hint + client_id + uri -> C, then 200, never Location"
BADH=$(mint rsa.pem RS256 nosuchkid "$(claims)")
confirm_page "id_token_hint=$BADH&client_id=app&post_logout_redirect_uri=$E1&state=s"
cgi_post "$CF"
expect_S
journal_ok confirmation '?' '?' '?'

t "confirm: garbled hint + client_id + uri -> C, then 200"
confirm_page "id_token_hint=xyz&client_id=app&post_logout_redirect_uri=$E1"
cgi_post "$CF"
expect_S

t "confirm: alg none hint + client_id + uri -> C, then 200"
confirm_page "id_token_hint=$(mint rsa.pem none - "$(claims)")&client_id=app&post_logout_redirect_uri=$E1"
cgi_post "$CF"
expect_S

# --------------------------------- valid hint, another browser session

t "confirm: valid hint, sid mismatch + uri -> C, then 303"
confirm_page "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1&state=m" HTTP_COOKIE="op_sid=other"
cgi_post "$CF" HTTP_COOKIE="op_sid=other"
expect_R 303 "$U1?state=m"
# The session that ended is this browser's (op_sid=other), not the hint's.
journal_ok confirmation app - other

t "confirm: valid hint (client from aud), sid mismatch + uri -> C, then 303"
confirm_page "id_token_hint=$H&post_logout_redirect_uri=$E1" HTTP_COOKIE="op_sid=other"
cgi_post "$CF" HTTP_COOKIE="op_sid=other"
expect_R 303 "$U1"

t "confirm: valid hint, sid mismatch, no uri -> C, then 200"
confirm_page "id_token_hint=$H" HTTP_COOKIE="op_sid=other"
cgi_post "$CF" HTTP_COOKIE="op_sid=other"
expect_S

# ------------------------------------------------------- tampering

t "tamper: base form"
confirm_page "client_id=app&post_logout_redirect_uri=$E1&state=orig"
BASE=$CF
tamper() { # tamper DESC BODY [env...]
	local d=$1 b=$2
	shift 2
	t "tamper: $d"
	cgi_post "$b" "$@"
	expect_E
}
tamper "post_logout_redirect_uri changed to the other registered uri" "$(set_field "$BASE" post_logout_redirect_uri "$U2")"
tamper "post_logout_redirect_uri changed to a foreign uri" "$(set_field "$BASE" post_logout_redirect_uri https://evil.example/)"
tamper "state changed" "$(set_field "$BASE" state changed)"
tamper "state removed" "$(del_field "$BASE" state)"
tamper "client_id changed" "$(set_field "$BASE" client_id q)"
tamper "client_id and uri changed together" "$(set_field "$(set_field "$BASE" client_id q)" post_logout_redirect_uri "$UQ")"
# sub and sid are no fields of the form: posted anyway, they are ignored
# like any unknown parameter, and the journal does not take them up.
t "confirm: sub and sid posted are ignored"
cgi_post "$(set_field "$(set_field "$BASE" sub mallory)" sid sid-x)"
expect_R 303 "$U1?state=orig"
journal_ok confirmation app - -
# Without its token the POST is a plain end_session request (C) or a
# broken form (E); either way nobody is signed out.
t "tamper: token removed"
cgi_post "$(del_field "$BASE" confirm)"
case $STATUS in 200|400) ok ;; *) bad "status $STATUS" ;; esac
no_hdr Location
no_signout
tamper "token garbled" "$(set_field "$BASE" confirm garbage)"
tok=$(field "$BASE" confirm)
tamper "token with one character changed" "$(set_field "$BASE" confirm "$(printf '%s' "$tok" | perl -pe 's/(.)$/$1 eq "A" ? "B" : "A"/e')")"
tamper "token of another form" "$(set_field "$BASE" confirm "$(field "$CF_APP" confirm)")"
tamper "token duplicated" "$BASE&confirm=$tok"

t "tamper: S form with a uri added"
confirm_page "client_id=app"
tamper "uri added to a form without one" "$(set_field "$CF" post_logout_redirect_uri "$U1")"

t "tamper: invalid-hint form"
confirm_page "id_token_hint=xyz&client_id=app&post_logout_redirect_uri=$E1"
t "tamper: invalid-hint form, uri forced"
cgi_post "$(set_field "$CF" post_logout_redirect_uri "$U1")"
no_hdr Location
case "&$CF" in
*"&post_logout_redirect_uri="*) ;;
*) expect_E ;;
esac

t "tamper: sid-mismatch form"
confirm_page "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" HTTP_COOKIE="op_sid=other"
# The form of a hint from another session carries neither its sub nor
# its sid; the confirmed sign-out journals this browser's session.
case $BODY in *'name="sub"'*|*'name="sid"'*) bad "form carries sub or sid" ;; *) ok ;; esac
cgi_post "$(set_field "$(set_field "$CF" sub mallory)" sid sid-2)" HTTP_COOKIE="op_sid=other"
expect_R 303 "$U1"
journal_ok confirmation app - other
tamper "the same form from another browser session" "$CF" HTTP_COOKIE="op_sid=third"

t "tamper: a forged token field"
cgi_post "client_id=app&post_logout_redirect_uri=$E1&confirm=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_E

# ----------------------------------------------------- stay signed in

t "cancel: posting the stay form"
confirm_page "client_id=app&post_logout_redirect_uri=$E1&state=c"
case "&$XF" in *"&op=cancel"*) ok ;; *) bad "cancel form lacks op=cancel: [$XF]" ;; esac
cgi_post "$XF"
status_is 200
check_common
check_html
no_hdr Location
no_signout
body_lacks 'id="logout-confirm"'

t "cancel: posting the stay form in sv"
confirm_page "client_id=app&ui_locales=sv"
cgi_post "$XF"
status_is 200
no_signout
eq "stayed page lang" sv "$(page_lang)"

finish
