#!/bin/bash
# Wide JSON objects, under the sandbox: a hint header or claims of 43, 120
# and 400 members, and clients of 60 members each, are answered as any
# other input.  An object of 43 or more members once made glibc's qsort
# call sysinfo(), which the seccomp filter kills (exit 159, SIGSYS), so
# one unauthenticated GET took a FastCGI child down.
. "$(dirname "$0")/lib.sh"

U1=https://app.example/logout
E1=$(urlenc "$U1")

# members N: N members "m0":0,...,"m<N-1>":0, comma-separated.
members() {
	local i s=
	for ((i = 0; i < $1; i++)); do s="$s${s:+,}\"m$i\":0"; done
	printf '%s' "$s"
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# raw_rs256 HEADER CLAIMS: a JWS of exactly these bytes, signed with
# rsa.pem (endsession-mint refuses duplicate members, as it should).
raw_rs256() {
	local si
	si="$(printf '%s' "$1" | b64url).$(printf '%s' "$2" | b64url)"
	printf '%s.%s' "$si" "$(printf '%s' "$si" |
	    openssl dgst -sha256 -sign "$T/rsa.pem" -binary | b64url)"
}

# not_killed: the last request ended with exit 0, not by a signal.
not_killed() { eq "exit status" 0 "$RC"; }

for n in 43 120 400; do
	M=$(members "$n")

	# The reported request: an unsigned header of n members, no client.
	H=$(printf '{"alg":"RS256",%s}' "$M" | b64url)
	t "unsigned hint, header of $n members"
	cgi_get "id_token_hint=$H.e30.AA"
	not_killed
	expect_C

	# A duplicate among many skipped members is still refused.
	H=$(printf '{"alg":"RS256","kid":"rsa1",%s,"m7":1}' "$M" | b64url)
	t "hint header of $n members with a duplicate"
	cgi_get "id_token_hint=$H.e30.AA&client_id=app&post_logout_redirect_uri=$E1"
	not_killed
	expect_C

	# Signed, with the extra members in the header: a valid hint.
	t "valid hint, header of $((n + 3)) members"
	cgi_get "id_token_hint=$(mint rsa.pem RS256 rsa1 "$(claims)" -H "{$M}")&client_id=app&post_logout_redirect_uri=$E1&state=w"
	not_killed
	expect_R 302 "$U1?state=w"

	# Signed, with the extra members in the claims: a valid hint.
	t "valid hint, claims of $((n + 6)) members"
	cgi_get "id_token_hint=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 "" "" "$M")")&client_id=app&post_logout_redirect_uri=$E1&state=w"
	not_killed
	expect_R 302 "$U1?state=w"

	# Claims with a duplicate among them: the hint is invalid.
	t "signed hint, claims of $n members with a duplicate"
	cgi_get "id_token_hint=$(raw_rs256 '{"alg":"RS256","kid":"rsa1"}' "$(claims '"app"' sid-1 "" "" "$M,\"m3\":\"x\"")")&client_id=app&post_logout_redirect_uri=$E1&state=w"
	not_killed
	expect_C
	# The same, without the duplicate: valid, so the signing is right.
	t "signed hint, claims of $n members, raw"
	cgi_get "id_token_hint=$(raw_rs256 '{"alg":"RS256","kid":"rsa1"}' "$(claims '"app"' sid-1 "" "" "$M,\"m3x\":\"x\"")")&client_id=app&post_logout_redirect_uri=$E1&state=w"
	not_killed
	expect_R 302 "$U1?state=w"
done

# Both at once, 120 members each (400 each would pass LIM_HINT_SZ).
M=$(members 120)
t "valid hint, header and claims of 120 members each"
cgi_get "id_token_hint=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 "" "" "$M")" -H "{$M}")&client_id=app&post_logout_redirect_uri=$E1&state=w"
not_killed
expect_R 302 "$U1?state=w"

# ------------------------------------------------ clients of 60 members

# Realistic registration metadata (RFC 7591 section 2, OIDC Dynamic
# Client Registration 1.0 section 2), padded to 60 members per client.
wide_client() { # wide_client ID URI
	local i s
	s=$(printf '"client_id":"%s","client_name":"Wide %s","post_logout_redirect_uris":["%s"]' "$1" "$1" "$2")
	s="$s,\"redirect_uris\":[\"$2/cb\",\"$2/cb2\"],\"grant_types\":[\"authorization_code\",\"refresh_token\"]"
	s="$s,\"contacts\":[\"ops@example.com\"],\"jwks\":{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"BBBB\"}]}"
	s="$s,\"backchannel_logout_uri\":\"$2/bc\",\"backchannel_logout_session_required\":true"
	s="$s,\"id_token_signed_response_alg\":\"RS256\""
	for ((i = 10; i < 60; i++)); do s="$s,\"x_meta_$i\":\"value $i\""; done
	printf '{%s}' "$s"
}
{
	printf '{"clients":[\n%s,\n' "$(wide_client app https://app.example/logout)"
	for ((c = 0; c < 50; c++)); do
		printf '%s,\n' "$(wide_client "rp$c" "https://rp$c.example/logout")"
	done
	printf '%s\n]}\n' "$(wide_client last https://last.example/logout)"
} > "$T/wide.json"
t "clients of 60 members: 60 members each"
eq "members per client (fewest, most)" "60 60" "$(python3 -c 'import json, sys
n = [len(c) for c in json.load(open(sys.argv[1]))["clients"]]
print(min(n), max(n))' "$T/wide.json")"
sed 's/^clients = .*/clients = wide.json/' "$CONF" > "$T/wide.conf"

t "clients of 60 members: --check"
out=$("$ES" --check -c "$T/wide.conf" 2>&1)
eq "--check exit" 0 "$?"

t "clients of 60 members: a duplicate member is refused"
sed '2s/"x_meta_59":"value 59"/"x_meta_59":1,"x_meta_12":2/' "$T/wide.json" > "$T/dup.json"
sed 's/^clients = .*/clients = dup.json/' "$CONF" > "$T/dup.conf"
out=$("$ES" --check -c "$T/dup.conf" 2>&1)
eq "--check exit" 1 "$?"
case $out in
*"duplicate key"*) ok ;;
*) bad "--check said [$out]" ;;
esac

CONF_SAVE=$CONF
CONF=$T/wide.conf
t "clients of 60 members: redirect"
cgi_get "id_token_hint=$(good_hint)&client_id=app&post_logout_redirect_uri=$E1&state=s"
not_killed
expect_R 302 "$U1?state=s"
t "clients of 60 members: confirmation"
cgi_get "client_id=rp7&post_logout_redirect_uri=$(urlenc https://rp7.example/logout)"
not_killed
expect_C
body_has "Wide rp7"
CONF=$CONF_SAVE

finish
