#!/bin/bash
# id_token_hint validation, docs/design.md sections 5 and 6: each invalid hint
# in an otherwise correct request (client_id + registered uri) gives C,
# never a Location; each valid one gives R.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
E1=$(urlenc "$U1")
C0=$(claims)

valid() { # valid DESC HINT
	t "valid: $1"
	cgi_get "id_token_hint=$2&client_id=app&post_logout_redirect_uri=$E1&state=v"
	expect_R 302 "$U1?state=v"
}
invalid() { # invalid DESC HINT
	t "invalid: $1"
	cgi_get "id_token_hint=$2&client_id=app&post_logout_redirect_uri=$E1&state=v"
	expect_C
	# The same hint without client_id names no client: the uri is E.
	t "invalid, no client_id: $1"
	cgi_get "id_token_hint=$2&post_logout_redirect_uri=$E1"
	expect_E
	# And without a uri: still only the confirmation page.
	t "invalid, no uri: $1"
	cgi_get "id_token_hint=$2"
	expect_C
}

# --------------------------------------------------------------- valid

valid "RS256" "$(mint rsa.pem RS256 rsa1 "$C0")"
valid "RS384" "$(mint rsa.pem RS384 rsa1 "$C0")"
valid "RS512" "$(mint rsa.pem RS512 rsa1 "$C0")"
valid "PS256" "$(mint rsa.pem PS256 rsa1 "$C0")"
valid "PS512" "$(mint rsa.pem PS512 rsa1 "$C0")"
valid "ES256 on P-256" "$(mint p256.pem ES256 ec1 "$C0")"
valid "ES384 on P-384" "$(mint p384.pem ES384 ec384 "$C0")"
valid "EdDSA on Ed25519" "$(mint ed.pem EdDSA ed1 "$C0")"
valid "RS256 without kid (the only RSA key)" "$(mint rsa.pem RS256 - "$C0")"
valid "EdDSA without kid (the only OKP key)" "$(mint ed.pem EdDSA - "$C0")"
valid "exp long past" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW - 86400)) $((NOW - 86000)))")"
valid "no exp" "$(mint rsa.pem RS256 rsa1 "{\"iss\":\"$ISS\",\"aud\":\"app\",\"sub\":\"alice\",\"sid\":\"sid-1\",\"iat\":$((NOW - 5))}")"
valid "iat in the future within clock_skew" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW + 20)))")"
valid "iat 29 days ago" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW - 29 * 86400)) $((NOW - 29 * 86400 + 300)))")"
valid "aud as an array" "$(mint rsa.pem RS256 rsa1 "$(claims '["app"]')")"
valid "aud array with an unregistered audience too" "$(mint rsa.pem RS256 rsa1 "$(claims '["app","unknown-rp"]' sid-1 "" "" '"azp":"app"')")"
valid "typ JWT" "$(mint rsa.pem RS256 rsa1 "$C0" -t JWT)"

# ------------------------------------------------------------- invalid

invalid "garbage" "not-a-token"
invalid "two segments" "$(mint rsa.pem RS256 rsa1 "$C0" | cut -d. -f1,2)"
invalid "empty signature" "$(mint rsa.pem RS256 rsa1 "$C0" | cut -d. -f1,2)."
invalid "alg none" "$(mint rsa.pem none - "$C0")"
invalid "alg none with kid" "$(mint rsa.pem none rsa1 "$C0")"
invalid "alg none + the RS256 signature" "$(mint rsa.pem none rsa1 "$C0" | cut -d. -f1,2).$(mint rsa.pem RS256 rsa1 "$C0" | cut -d. -f3)"
invalid "HS256 keyed with the RSA public PEM" "$(mint rsa.pub HS256 rsa1 "$C0")"
invalid "HS256 keyed with the RSA public PEM, no kid" "$(mint rsa.pub HS256 - "$C0")"
head -c -1 "$T/rsa.pub" > "$T/rsa.pub.nonl"
invalid "HS256 keyed with the PEM minus its newline" "$(mint rsa.pub.nonl HS256 rsa1 "$C0")"
invalid "HS512 keyed with the RSA public PEM" "$(mint rsa.pub HS512 rsa1 "$C0")"
invalid "unknown kid" "$(mint rsa.pem RS256 nosuchkey "$C0")"
invalid "RSA signature under the EC kid" "$(mint rsa.pem RS256 ec1 "$C0")"
invalid "ES256 signature under the RSA kid" "$(mint p256.pem ES256 rsa1 "$C0")"
invalid "ES256 header on the P-384 key" "$(mint p384.pem ES256 ec384 "$C0")"
invalid "ES384 header on the P-256 key" "$(mint p256.pem ES384 ec1 "$C0")"
invalid "ES512 header on the P-256 key" "$(mint p256.pem ES512 ec1 "$C0")"
invalid "signed by a key not in the JWKS" "$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/stranger.pem" 2>/dev/null; mint stranger.pem RS256 rsa1 "$C0")"
invalid "ES256 token with its header swapped to EdDSA" "$(mint p256.pem ES256 - "$(claims '"app"' sid-1)" | sed 's/^[^.]*/eyJhbGciOiJFZERTQSJ9/')"

tok=$(mint rsa.pem RS256 rsa1 "$C0")
evil=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 "" "" '"sub2":"mallory"')")
invalid "tampered payload" "$(echo "$tok" | cut -d. -f1).$(echo "$evil" | cut -d. -f2).$(echo "$tok" | cut -d. -f3)"
sig=$(echo "$tok" | cut -d. -f3)
flip=$(printf '%s' "$sig" | perl -pe 's/^(.)/$1 eq "A" ? "B" : "A"/e')
invalid "tampered signature" "$(echo "$tok" | cut -d. -f1,2).$flip"
invalid "signature in standard base64 with padding" "$(echo "$tok" | cut -d. -f1,2).$(printf '%s' "$sig" | tr '_-' '/+')=="
invalid "signature with junk appended" "$tok\$\$\$"
invalid "ES256 high-bit DER signature" "$(mint p256.pem ES256 ec1 "$C0" | cut -d. -f1,2).MEUCIQDzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"

invalid "wrong iss" "$(mint rsa.pem RS256 rsa1 "$(claims | sed "s|$ISS|https://evil.example|")")"
invalid "iss with a trailing slash" "$(mint rsa.pem RS256 rsa1 "$(claims | sed "s|\"$ISS\"|\"$ISS/\"|")")"
invalid "no iss" "$(mint rsa.pem RS256 rsa1 "{\"aud\":\"app\",\"sub\":\"alice\",\"sid\":\"sid-1\",\"iat\":$((NOW - 5))}")"
invalid "aud not registered" "$(mint rsa.pem RS256 rsa1 "$(claims '"unknown-rp"')")"
invalid "aud array, none registered" "$(mint rsa.pem RS256 rsa1 "$(claims '["u1","u2"]')")"
invalid "no aud" "$(mint rsa.pem RS256 rsa1 "{\"iss\":\"$ISS\",\"sub\":\"alice\",\"sid\":\"sid-1\",\"iat\":$((NOW - 5))}")"
invalid "iat an hour in the future" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW + 3600)) $((NOW + 7200)))")"
invalid "iat older than hint_max_age (40 days)" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW - 40 * 86400)) $((NOW - 40 * 86400 + 300)))")"
invalid "iat a string" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 "\"$NOW\"")")"
invalid "typ at+jwt" "$(mint rsa.pem RS256 rsa1 "$C0" -t at+jwt)"
invalid "typ logout+jwt" "$(mint rsa.pem RS256 rsa1 "$C0" -t logout+jwt)"
invalid "typ logout+jwt (EdDSA)" "$(mint ed.pem EdDSA ed1 "$C0" -t logout+jwt)"
invalid "events claim" "$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 "" "" '"events":{"http://schemas.openid.net/event/backchannel-logout":{}}')")"
invalid "jwk in header" "$(mint rsa.pem RS256 rsa1 "$C0" -H "{\"jwk\":$("$MINT" jwk -k "$T/rsa.pem")}")"
invalid "jwk in header, no kid" "$(mint rsa.pem RS256 - "$C0" -H "{\"jwk\":$("$MINT" jwk -k "$T/rsa.pem")}")"
invalid "jku in header" "$(mint rsa.pem RS256 rsa1 "$C0" -H '{"jku":"https://evil.example/jwks"}')"
invalid "crit in header" "$(mint rsa.pem RS256 rsa1 "$C0" -H '{"crit":["exp"],"exp":1}')"
invalid "PS256 with jwk in header" "$(mint rsa.pem PS256 rsa1 "$C0" -H "{\"jwk\":$("$MINT" jwk -k "$T/rsa.pem")}")"

# A header with alg twice (jansson keeps the last): RS256 first, HS256 last.
hdr2=$(printf '{"alg":"RS256","kid":"rsa1","alg":"HS256"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
pl=$(printf '%s' "$C0" | base64 -w0 | tr '+/' '-_' | tr -d '=')
mac=$(printf '%s' "$hdr2.$pl" | openssl dgst -sha256 -mac HMAC -macopt "key:$(cat "$T/rsa.pub")" -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')
invalid "duplicate alg, HS256 last" "$hdr2.$pl.$mac"

t "hint making the query larger than 16384 bytes"
cgi_get "id_token_hint=$(head -c 20000 /dev/zero | tr '\0' A)&client_id=app&post_logout_redirect_uri=$E1"
expect_E

finish
