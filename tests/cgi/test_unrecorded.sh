#!/bin/bash
# With notifications on (signing_key set) the journal is their queue
# (docs/design.md section 10, "Nothing lost"): a sign-out whose journal
# line cannot be written is not performed: 503, the error page, no
# Set-Cookie, no Location.  And the journal names the browser's OP
# session ("session", the sid_cookie value) whenever the browser sent it.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
E1=$(urlenc "$U1")
H=$(good_hint)

# The endpoint never reads the private key: its path is enough here.
cat >> "$CONF" <<CONFEOF
signing_key = $T/signing.jwk
notify_state = $T/state.db
CONFEOF

t "notifications on, journal writable: R, and the line names the session"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" \
    HTTP_COOKIE="op_sid=sid-1"
expect_R 302 "$U1"
journal_ok id_token_hint app alice sid-1
check "journal: session is the sid_cookie value" \
    grep -q '"session":"sid-1"' <(printf '%s' "$JLINES")

t "notifications on, journal not writable: 503, nobody signed out"
mv "$JOURNAL" "$JOURNAL.saved"
mkdir "$JOURNAL"		# open(O_WRONLY) of a folder fails: EISDIR
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1" \
    HTTP_COOKIE="op_sid=sid-1"
status_is 503
no_hdr Location
no_hdr Set-Cookie
hdr_is Retry-After 5
check_html
body_has "could not be recorded"
check "the error log says why" grep -q "journal" "$T/err"

t "notifications on, journal not writable: no sign-out, so no line is due"
cgi_get "client_id=app&post_logout_redirect_uri=$E1"
status_is 200
rmdir "$JOURNAL"
mv "$JOURNAL.saved" "$JOURNAL"

t "notifications off, journal not writable: the sign-out still happens"
sed -i '/^signing_key/d; /^notify_state/d' "$CONF"
mv "$JOURNAL" "$JOURNAL.saved"
mkdir "$JOURNAL"
cgi_get "id_token_hint=$H&client_id=app&post_logout_redirect_uri=$E1"
status_is 302
hdr_is Location "$U1"
check "cookies expired" [ -n "$(hdr Set-Cookie)" ]
rmdir "$JOURNAL"
mv "$JOURNAL.saved" "$JOURNAL"

finish
