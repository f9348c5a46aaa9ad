#!/bin/bash
# Configuration that changes outcomes, docs/design.md sections 3, 7 and 8:
# cookie_domain and cookie_path, no sid_cookie, hint_max_age, clock_skew,
# an unwritable journal.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
E1=$(urlenc "$U1")

# conf NAME EXTRA_LINES: a variant of the test configuration.
conf() {
	grep -v '^sid_cookie\|^journal' "$T/endsession.conf" > "$T/$1.conf"
	printf '%s\n' "$2" >> "$T/$1.conf"
	CONF=$T/$1.conf
}

t "cookie_domain and cookie_path"
conf dom "sid_cookie = op_sid
journal = $JOURNAL
cookie_domain = example.com
cookie_path = /auth"
cgi_get "id_token_hint=$(good_hint)&client_id=app&post_logout_redirect_uri=$E1"
status_is 302
v=$(hdr Set-Cookie | grep '^op_session=')
a=$(printf '%s' "$v" | tr ';' '\n' | sed 's/^[[:space:]]*//')
for x in Max-Age=0 Path=/auth Domain=example.com Secure HttpOnly SameSite=Lax; do
	if printf '%s\n' "$a" | grep -qixF -- "$x"; then ok; else bad "op_session cookie lacks $x: [$v]"; fi
done
v=$(hdr Set-Cookie | grep '^__Host-op_csrf=')
a=$(printf '%s' "$v" | tr ';' '\n' | sed 's/^[[:space:]]*//')
for x in Max-Age=0 Path=/ Secure; do
	if printf '%s\n' "$a" | grep -qixF -- "$x"; then ok; else bad "__Host-op_csrf cookie lacks $x: [$v]"; fi
done
if printf '%s\n' "$a" | grep -qi '^domain='; then bad "__Host-op_csrf cookie has a Domain: [$v]"; else ok; fi
if printf '%s\n' "$a" | grep -qi '^path=/auth'; then bad "__Host-op_csrf cookie has Path=/auth: [$v]"; else ok; fi
journal_ok id_token_hint app alice sid-1

t "no sid_cookie: the op_sid cookie is not consulted"
conf nosid "journal = $JOURNAL"
cgi_get "id_token_hint=$(good_hint)&client_id=app&post_logout_redirect_uri=$E1" HTTP_COOKIE="op_sid=other"
expect_R 302 "$U1"

t "hint_max_age = 60: a hint issued 120 s ago is not valid"
conf age "sid_cookie = op_sid
journal = $JOURNAL
hint_max_age = 60"
cgi_get "id_token_hint=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW - 120)))")&client_id=app&post_logout_redirect_uri=$E1"
expect_C
t "hint_max_age = 60: a hint issued 10 s ago is valid"
cgi_get "id_token_hint=$(good_hint)&client_id=app&post_logout_redirect_uri=$E1"
expect_R 302 "$U1"

t "clock_skew = 0: iat 30 s ahead is not valid"
conf skew "sid_cookie = op_sid
journal = $JOURNAL
clock_skew = 0"
cgi_get "id_token_hint=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW + 30)))")&client_id=app&post_logout_redirect_uri=$E1"
expect_C

t "clock_skew = 300: iat 200 s ahead is valid"
conf skew2 "sid_cookie = op_sid
journal = $JOURNAL
clock_skew = 300"
cgi_get "id_token_hint=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW + 200)))")&client_id=app&post_logout_redirect_uri=$E1"
expect_R 302 "$U1"

t "an unwritable journal does not fail the sign-out"
conf nojournal "sid_cookie = op_sid
journal = $T/no/such/dir/journal.log"
cgi_get "id_token_hint=$(good_hint)&client_id=app&post_logout_redirect_uri=$E1"
status_is 302
loc_is "$U1"
check_cookies

t "no journal configured: sign-out still works"
conf none "sid_cookie = op_sid"
cgi_get "id_token_hint=$(good_hint)"
status_is 200
check_cookies

finish
