#!/bin/bash
# mkcorpus.sh - makes the fuzz fixtures and seed corpora.
#
#   bash tests/fuzz/mkcorpus.sh        (from the repository root)
#
# Needs openssl, a C compiler, and build/endsession-mint and
# build/libcore.a (make all).  Writes:
#   tests/fuzz/data/     keys (PEM, test only), jwks.json, clients.json,
#                        secret.bin, endsession.conf: the fixed state of
#                        the hint, token and decide targets
#   tests/fuzz/corpus/T/ seeds for each target T
# Tokens are minted for the fixed clock of the targets (FUZZ_NOW in
# fuzz.h: 1700000000), so they stay valid.  Running it again makes new
# keys and new seeds to match them; the old ones are replaced.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
F=$ROOT/tests/fuzz
D=$F/data
C=$F/corpus
MINT=$ROOT/build/endsession-mint
NOW=1700000000
ISS=https://op.example
CC=${CC:-cc}
PKGS="fcgi yajl libcrypto liburiparser"

[ -x "$MINT" ] && [ -f "$ROOT/build/libcore.a" ] ||
    { echo "mkcorpus: run make all first" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/es-mkcorpus.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ------------------------------------------------------------ fixtures
mkdir -p "$D/keys"
cd "$D/keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa2.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem
openssl genpkey -algorithm ed25519 -out ed.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2>/dev/null
cd "$D"
printf '{"keys":[\n%s,\n%s,\n%s,\n%s,\n%s,\n%s\n]}\n' \
    "$("$MINT" jwk -k keys/rsa.pem -i rsa1 -u sig)" \
    "$("$MINT" jwk -k keys/rsa2.pem -i pss1 -a PS256)" \
    "$("$MINT" jwk -k keys/p256.pem -i ec256)" \
    "$("$MINT" jwk -k keys/p384.pem -i ec384 -u sig)" \
    "$("$MINT" jwk -k keys/p521.pem -i ec521 -a ES512)" \
    "$("$MINT" jwk -k keys/ed.pem -i ed1)" > jwks.json
cat > clients.json <<'JSON'
{"clients": [
  {"client_id": "app",
   "client_name": "Example App",
   "post_logout_redirect_uris": ["https://app.example/logout",
                                 "https://app.example/bye"]},
  {"client_id": "q",
   "client_name": "Query RP",
   "post_logout_redirect_uris": ["https://rp.example/cb?x=1",
                                 "https://rp.example/cb2?"]},
  {"client_id": "other",
   "post_logout_redirect_uris": ["https://other.example/"]},
  {"client_id": "native",
   "client_name": "Native \u00e5pp",
   "post_logout_redirect_uris": ["com.example.app:/logout",
                                 "http://127.0.0.1:8080/cb"]},
  {"client_id": "xss",
   "client_name": "<script>alert(1)</script> & \"Co\" 'x'",
   "post_logout_redirect_uris": ["https://xss.example/"]}
]}
JSON
openssl rand -hex 24 | tr -d '\n' > secret.bin
cat > endsession.conf <<'CONF'
# The fixed configuration of the fuzz targets (tests/fuzz/fuzz.h).
issuer = https://op.example
clients = clients.json
jwks = jwks.json
secret = secret.bin
templates = ../../../templates
session_cookies = op_session __Host-op
sid_cookie = op_sid
cookie_domain = op.example
cookie_path = /
hint_max_age = 86400
clock_skew = 60
CONF

# ------------------------------------------------------------ helpers
T_TGTS="form req conf clients jwks hint json token locale tmpl decide"
for t in $T_TGTS; do rm -rf "${C:?}/$t"; mkdir -p "$C/$t"; done

claims() {	# AUD_JSON [SID|-] [IAT] [EXTRA]
	local aud=$1 sid=${2:-sid-1} iat=${3:-$((NOW - 10))} extra=${4:-}
	local s=
	[ "$sid" = - ] || s=",\"sid\":\"$sid\""
	printf '{"iss":"%s","aud":%s,"sub":"alice"%s,"iat":%s,"exp":%s%s}' \
	    "$ISS" "$aud" "$s" "$iat" "$((NOW + 300))" "${extra:+,$extra}"
}
mint() {	# KEY ALG KID|- CLAIMS [options]
	local key=$1 alg=$2 kid=$3 cl=$4
	shift 4
	if [ "$kid" = - ]; then
		"$MINT" sign -k "$D/keys/$key" -a "$alg" "$@" "$cl"
	else
		"$MINT" sign -k "$D/keys/$key" -a "$alg" -i "$kid" "$@" "$cl"
	fi
}
# req FILE METHOD QUERY CT COOKIE ACCEPT_LANGUAGE SCRIPT_NAME SEC_FETCH_SITE BODY
req() {
	local out=$1
	shift
	{
		printf '\000\000'
		printf '%s\0' "$1" "$2" "$3" "$4" "$5" 192.0.2.1 "$6" "$7"
		printf '%s' "${8:-}"
	} > "$out"
}
urlenc() {
	printf '%s' "$1" | perl -e 'local $/; my $s = <STDIN>;
	    $s =~ s/([^A-Za-z0-9\-._~])/sprintf("%%%02X", ord $1)/ge; print $s'
}
SN=/oauth/end_session
FORM=application/x-www-form-urlencoded

# ------------------------------------------------------------ tokens
H_RS=$(mint rsa.pem RS256 rsa1 "$(claims '"app"')")
H_RS384=$(mint rsa.pem RS384 rsa1 "$(claims '"q"' sid-2)")
H_PS=$(mint rsa2.pem PS256 pss1 "$(claims '"app"')")
H_ES256=$(mint p256.pem ES256 ec256 "$(claims '"app"')")
H_ES384=$(mint p384.pem ES384 ec384 "$(claims '["app","q"]' sid-1 $((NOW - 100)) '"azp":"q"')")
H_ES512=$(mint p521.pem ES512 ec521 "$(claims '"native"' -)")
H_ED=$(mint ed.pem EdDSA ed1 "$(claims '"other"')")
H_NOKID=$(mint ed.pem EdDSA - "$(claims '"app"')")
H_OLD=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW - 90000)))")
H_FUT=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $((NOW + 900)))")
H_NBF=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $NOW "\"nbf\":$((NOW + 900))")")
H_FLOAT=$(mint p256.pem ES256 ec256 '{"iss":"https://op.example","aud":"app","sub":"bob","iat":1699999999.5,"exp":1.7e9}')
H_BADAUD=$(mint rsa.pem RS256 rsa1 "$(claims '"nobody"')")
H_BADISS=$(mint rsa.pem RS256 rsa1 '{"iss":"https://evil.example","aud":"app","iat":1699999990}')
H_EVENTS=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 $NOW '"events":{"http://schemas.openid.net/event/backchannel-logout":{}}')")
H_TYP=$(mint rsa.pem RS256 rsa1 "$(claims '"app"')" -t logout+jwt)
H_JWK=$(mint rsa.pem RS256 rsa1 "$(claims '"app"')" -H '{"jwk":{"kty":"oct"}}')
H_CRIT=$(mint rsa.pem RS256 rsa1 "$(claims '"app"')" -H '{"crit":["exp"],"exp":1}')
H_WRONGKEY=$(mint other.pem RS256 rsa1 "$(claims '"app"')")
H_ALGKEY=$(mint rsa.pem PS256 rsa1 "$(claims '"app"')")
H_ALGMISMATCH=$(mint rsa2.pem RS256 pss1 "$(claims '"app"')")
H_UNKKID=$(mint rsa.pem RS256 nokey "$(claims '"app"')")
H_NONE=$(mint rsa.pem none - "$(claims '"app"')")
H_HS=$(mint secret.bin HS256 rsa1 "$(claims '"app"')" 2>/dev/null || "$MINT" sign -k "$D/secret.bin" -a HS256 -i rsa1 "$(claims '"app"')")
H_SIDMIS=$(mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-9)")

n=0
for h in "$H_RS" "$H_RS384" "$H_PS" "$H_ES256" "$H_ES384" "$H_ES512" "$H_ED" \
    "$H_NOKID" "$H_OLD" "$H_FUT" "$H_NBF" "$H_FLOAT" "$H_BADAUD" "$H_BADISS" \
    "$H_EVENTS" "$H_TYP" "$H_JWK" "$H_CRIT" "$H_WRONGKEY" "$H_ALGKEY" \
    "$H_ALGMISMATCH" "$H_UNKKID" "$H_NONE" "$H_HS" "$H_SIDMIS"; do
	n=$((n + 1))
	printf '%s' "$h" > "$C/hint/tok$n"
	# the JOSE header and claims, decoded, for the JSON reader
	for part in 1 2; do
		printf '%s' "$h" | cut -d. -f$part | tr '_-' '/+' |
		    perl -MMIME::Base64 -ne 'chomp; $_ .= "=" x ((4 - length($_) % 4) % 4); print decode_base64($_)' \
		    > "$C/json/jws$n.$part" || true
	done
done
printf 'a.b.c' > "$C/hint/short"
printf '%s.' "$H_RS" > "$C/hint/fourdots"

# ------------------------------------------------------------ requests
R=$C/decide
req "$R/hint-rs" GET "id_token_hint=$H_RS" "" "op_sid=sid-1" "en" $SN ""
req "$R/hint-redirect" GET "id_token_hint=$H_RS&post_logout_redirect_uri=$(urlenc https://app.example/logout)&state=a%20b%26c&client_id=app&ui_locales=sv" "" "op_session=x; op_sid=sid-1" "sv-SE,sv;q=0.9,en;q=0.5" $SN ""
req "$R/hint-query-uri" GET "id_token_hint=$H_RS384&client_id=q&post_logout_redirect_uri=$(urlenc 'https://rp.example/cb?x=1')&state=xyz" "" "op_sid=sid-2" "" $SN ""
req "$R/hint-query-uri2" GET "id_token_hint=$H_RS384&post_logout_redirect_uri=$(urlenc 'https://rp.example/cb2?')&state=%C3%A5%2B" "" "" "" $SN ""
req "$R/hint-ps" GET "id_token_hint=$H_PS&post_logout_redirect_uri=$(urlenc https://app.example/bye)" "" "" "" $SN cross-site
req "$R/hint-es256" GET "id_token_hint=$H_ES256" "" "op_sid=sid-1; op_sid=sid-1" "" $SN ""
req "$R/hint-es384-azp" GET "id_token_hint=$H_ES384&post_logout_redirect_uri=$(urlenc 'https://rp.example/cb?x=1')" "" "" "" $SN ""
req "$R/hint-es512-native" GET "id_token_hint=$H_ES512&post_logout_redirect_uri=$(urlenc com.example.app:/logout)&state=s" "" "op_sid=zzz" "" $SN ""
req "$R/hint-ed" GET "id_token_hint=$H_ED&post_logout_redirect_uri=$(urlenc https://other.example/)" "" "" "" $SN ""
req "$R/hint-sid-mismatch" GET "id_token_hint=$H_SIDMIS&post_logout_redirect_uri=$(urlenc https://app.example/logout)&state=1" "" "op_sid=sid-1" "" $SN ""
req "$R/hint-old" GET "id_token_hint=$H_OLD&post_logout_redirect_uri=$(urlenc https://app.example/logout)&client_id=app" "" "" "" $SN ""
req "$R/hint-unkkid" GET "id_token_hint=$H_UNKKID" "" "" "" $SN ""
req "$R/hint-aud-mismatch" GET "id_token_hint=$H_RS&client_id=q" "" "" "" $SN ""
req "$R/hint-post" POST "" $FORM "" "" $SN same-origin "id_token_hint=$H_ED&client_id=other&post_logout_redirect_uri=$(urlenc https://other.example/)&state=p"
req "$R/confirm-client" GET "client_id=app&post_logout_redirect_uri=$(urlenc https://app.example/logout)&state=st&ui_locales=sv%20en" "" "op_sid=sid-1" "" $SN ""
req "$R/confirm-none" GET "" "" "" "da, sv;q=0.8, *;q=0.1" $SN ""
req "$R/confirm-xss" GET "client_id=xss&post_logout_redirect_uri=$(urlenc https://xss.example/)&state=%3Cscript%3E" "" "" "" "/a/b.cgi" ""
req "$R/confirm-logout-hint" GET "logout_hint=alice&client_id=native" "" "" "" "//evil" ""
req "$R/unknown-client" GET "client_id=nobody" "" "" "" $SN ""
req "$R/uri-no-client" GET "post_logout_redirect_uri=$(urlenc https://app.example/logout)" "" "" "" $SN ""
req "$R/uri-unreg" GET "client_id=app&post_logout_redirect_uri=$(urlenc https://app.example/logout/)" "" "" "" $SN ""
req "$R/cancel" POST "" "$FORM; charset=UTF-8" "" "" $SN same-origin "op=cancel&ui_locales=sv"
req "$R/put" PUT "" "" "" "" $SN "" ""
req "$R/post-ct" POST "" text/plain "" "" $SN "" "client_id=app"
req "$R/bad-escape" GET "client_id=%zz" "" "" "" $SN ""
req "$R/nul" GET "state=a%00b" "" "" "" $SN ""
req "$R/dup" GET "client_id=app&client_id=app" "" "" "" $SN ""
req "$R/badutf8" GET "state=%C3%28" "" "" "" $SN ""
req "$R/confirm-get" GET "confirm=AAAA&client_id=app" "" "" "" $SN ""
req "$R/confirm-bad" POST "" $FORM "" "" $SN "" "confirm=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
many=$(for i in $(seq 1 40); do printf 'p%d=%d&' "$i" "$i"; done)
req "$R/many" GET "$many" "" "" "" $SN ""
# a body bigger than the cap, and a body_bad POST
printf '\001\000POST\000\000%s\000\000\000\000%s\000\000client_id=app' "$FORM" $SN > "$R/body-bad"
printf '\000\377GET\000\000\000\000\000\000\000\000' > "$R/all-empty"

# confirmation posts with real tokens, made by seedtool
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DOPENSSL_NO_DEPRECATED \
    -DFUZZ_DATA="\"$D\"" -I"$ROOT/src" $(pkg-config --cflags $PKGS) \
    -o "$T/seedtool" "$F/seedtool.c" "$ROOT/build/libcore.a" \
    $(pkg-config --libs $PKGS) -lm
for s in confirm-client confirm-none confirm-xss confirm-logout-hint \
    hint-old hint-unkkid hint-sid-mismatch; do
	"$T/seedtool" "$R/$s" > "$R/post-$s" || rm -f "$R/post-$s"
	"$T/seedtool" "$R/$s" cancel > "$R/cancel-$s" || rm -f "$R/cancel-$s"
	"$T/seedtool" "$R/$s" token > "$C/token/$s" || rm -f "$C/token/$s"
done
# the same posts from another site, and with another session cookie
if [ -f "$R/post-confirm-client" ]; then
	perl -0pe 's/same-origin/cross-site/' "$R/post-confirm-client" > "$R/post-cross-site"
	perl -0pe 's/op_sid=sid-1/op_sid=sid-2/' "$R/post-confirm-client" > "$R/post-other-session"
fi
printf 'app\000\000\000\000\000AAAA' > "$C/token/short"
printf '\000\000\000\000\000' > "$C/token/empty"

cp "$R"/* "$C/req/"

# ------------------------------------------------------------ form
Q=$C/form
printf '%s' "id_token_hint=$H_ES256&client_id=app&post_logout_redirect_uri=$(urlenc https://app.example/logout)&state=a+b%2Bc&ui_locales=sv+en" > "$Q/full"
printf 'client_id=app&&&=x&y=&state=%%E2%%82%%AC' > "$Q/empties"
printf 'confirm=abc&sub=alice&sid=s1&op=cancel&logout_hint=x' > "$Q/confirm"
printf 'a=%%zz' > "$Q/bad-escape"
printf 'a=%%00' > "$Q/nul"
printf 'state=%%ED%%A0%%80' > "$Q/surrogate"
printf 'state=%%F0%%9F%%98%%80;x=1' > "$Q/emoji"
printf 'client_id=a&client_id=b' > "$Q/dup"
printf '%s' "$many" > "$Q/many"
printf 'state=%%' > "$Q/trailing-pct"
printf 'state' > "$Q/noeq"

# ------------------------------------------------------------ conf
K=$C/conf
cp "$D/endsession.conf" "$K/fuzz.conf"
[ -f "$ROOT/etc/endsession.conf.example" ] && cp "$ROOT/etc/endsession.conf.example" "$K/example.conf"
printf 'issuer = https://op.example\r\nclients=/c.json\njwks =  k.json\t\nsecret = s\njournal = /var/log/j\nclients_url = https://x/c\njwks_uri = https://x/j\ntemplates = t\n' > "$K/minimal-crlf.conf"
printf 'issuer = a b\n' > "$K/bad-issuer.conf"
printf 'issuer = x\nissuer = y\n' > "$K/twice.conf"
printf 'issuer = x\nclients = c\njwks = j\nsecret = s\nsession_cookies = a b c d e f g h i j k l m n o p q\n' > "$K/cookies17.conf"
printf 'issuer = x\nclients = c\njwks = j\nsecret = s\nhint_max_age = 99999999999999999999\nclock_skew = -1\n' > "$K/numbers.conf"
printf 'issuer = x\nclients = c\njwks = j\nsecret = s\ncookie_domain = a..b\ncookie_path = /a;b\nsid_cookie = a=b\n' > "$K/cookie-attrs.conf"
printf '# only a comment\n\n   \n' > "$K/comment.conf"
printf 'nokey\n' > "$K/noeq.conf"

# ------------------------------------------------------------ clients
L=$C/clients
cp "$D/clients.json" "$L/fuzz.json"
printf '{"clients":[]}' > "$L/empty.json"
printf '{"clients":[{"client_id":"a"},{"client_id":"a"}]}' > "$L/dup.json"
printf '{"clients":[{"client_id":"a","post_logout_redirect_uris":["https://[::1]:8443/x","https://user@h/","x:y","javascript:alert(1)","https://h/#f","http:/nohost","urn:a:b"]}]}' > "$L/uris.json"
printf '{"clients":[{"client_id":"a","post_logout_redirect_uris":["https://[v7.x]/a","ftp://h:21","https://h:/"]},{"client_id":"b","client_name":""}]}' > "$L/uris2.json"
printf '{"clients":{"client_id":"a"}}' > "$L/notarray.json"
printf '{"clients":[1,"a",null]}' > "$L/notobj.json"

# ------------------------------------------------------------ jwks
J=$C/jwks
cp "$D/jwks.json" "$J/fuzz.json"
for k in rsa rsa2 p256 p384 p521 ed; do
	printf '{"keys":[%s]}' "$("$MINT" jwk -k "$D/keys/$k.pem" -i "$k")" > "$J/$k.json"
done
printf '{"keys":[%s]}' "$("$MINT" jwk -k "$D/keys/rsa.pem" -i r -a RS512 -u enc)" > "$J/rsa-enc.json"
printf '{"keys":[%s,%s]}' "$("$MINT" jwk -k "$D/keys/p256.pem")" "$("$MINT" jwk -k "$D/keys/p256.pem" -a ES384)" > "$J/p256-nokid.json"
sed 's/"kty":"EC"/"kty":"EC","key_ops":["sign"]/' "$J/p256.json" > "$J/p256-ops.json"
sed 's/"crv":"P-256"/"crv":"P-384"/' "$J/p256.json" > "$J/p256-wrongcrv.json"
printf '{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"OKP","crv":"X25519","x":"AAAA"}]}' > "$J/odd.json"
printf '{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}' > "$J/ec-bad-point.json"

# ------------------------------------------------------------ json
S=$C/json
cp "$D/jwks.json" "$S/jwks.json"
cp "$D/clients.json" "$S/clients.json"
printf '{"a":[1,-2.5e10,true,false,null,"\\u00e5\\ud83d\\ude00\\n"],"b":{}}' > "$S/mixed"
printf '[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]' > "$S/deep16"
printf '[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]' > "$S/deep17"
printf '{"a":1,"a":2}' > "$S/dup"
printf '"\\u0000"' > "$S/nul"
printf '{"a":1} /* c */' > "$S/comment"
printf '9223372036854775807' > "$S/int-max"
printf '9223372036854775808' > "$S/int-over"
printf -- '-0.0e-0' > "$S/negzero"
printf '"\\ud800"' > "$S/lone-surrogate"
printf '"\xc3\x28"' > "$S/badutf8"

# ------------------------------------------------------------ wide
# Objects of 43, 120 and 400 members: glibc's qsort called sysinfo() from
# 43 on, which the sandbox kills.
wide_seeds() {
	local n m hs
	for n in 43 120 400; do
		m=$(perl -e 'print join(",", map { "\"m$_\":0" } 0 .. $ARGV[0] - 1)' "$n")
		printf '{%s}' "$m" > "$C/json/wide$n"
		printf '{%s,"m7":1}' "$m" > "$C/json/wide$n-dup"
		hs=$(printf '{"alg":"RS256",%s}' "$m" | base64 -w0 | tr '+/' '-_' | tr -d '=')
		printf '%s.e30.AA' "$hs" > "$C/hint/wide$n-unsigned"
		mint rsa.pem RS256 rsa1 "$(claims '"app"')" -H "{$m}" | tr -d '\n' > "$C/hint/wide$n-header"
		mint rsa.pem RS256 rsa1 "$(claims '"app"' sid-1 "" "$m")" | tr -d '\n' > "$C/hint/wide$n-claims"
	done
	perl -e 'my @c = map { my $i = $_; "{\"client_id\":\"c$i\",\"client_name\":\"C $i\",\"post_logout_redirect_uris\":[\"https://c$i.example/\"]," .
	    join(",", map { "\"x$_\":" . ("true", "1", "\"a\"", "[0,1]", "null", "{\"k\":0}")[$_ % 6] } 3 .. 59) . "}" } 0 .. 2;
	    print "{\"clients\":[" . join(",", @c) . "]}"' > "$C/clients/wide60.json"
}
wide_seeds

# ------------------------------------------------------------ locale
O=$C/locale
printf '\000sv en\000en-US,en;q=0.9' > "$O/ui-sv"
printf '\000\000sv-SE;q=0.8, en;q=0.7, *;q=0.1' > "$O/al-sv"
printf '\001\000da, en-GB;q=0.8, sv;q=1.0' > "$O/al-q"
printf '\000x-klingon  SV\000' > "$O/ui-case"
printf '\001\000sv;q=1.0001, en;q=0.' > "$O/al-badq"
printf '\001\000sv ; q = 0.5 ,en;q=0.4' > "$O/al-ows"
printf '\003\000' > "$O/none"

# ------------------------------------------------------------ tmpl
M=$C/tmpl
i=0
for l in en sv; do
	for p in confirm signed-out error stayed; do
		{ printf "\\$(printf '%03o' $i)"; cat "$ROOT/templates/$l/$p.html"; } > "$M/$l-$p"
		i=$((i + 1))
	done
done
printf '\002<html lang="{{lang}}">{{#message}}{{message}}{{/message}}{{^client_name}}x{{/client_name}}<a href="{{action}}">' > "$M/small-error"
printf '\000{{lang}}{{action}}{{confirm_fields}}{{cancel_fields}}{{#a}}' > "$M/unknown-section"
printf '\000{{lang}}{{action}}{{confirm_fields}}{{cancel_fields}}{{#client_name}}{{/message}}' > "$M/mismatch"
printf '\001{{lang}}{{#confirm_fields}}x{{/confirm_fields}}' > "$M/html-section"
printf '\001{{lang}}{{' > "$M/unclosed"
printf '\003{{lang}}{{#lang}}{{#lang}}{{#lang}}{{#lang}}{{#lang}}{{#lang}}{{#lang}}{{#lang}}{{#lang}}' > "$M/deep"

for t in $T_TGTS; do
	echo "mkcorpus: $t: $(ls "$C/$t" | wc -l) seeds"
done
