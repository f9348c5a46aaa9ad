#!/usr/bin/env bash
# tests/faults/limits.sh - every limit of README's Limits table, at the
# limit (accepted: no 400 for size reasons, or --check exits 0) and one
# past it (400, or --check exits 1).  Requests go to build/endsession as
# plain CGI (web servers may refuse big requests before we see them);
# files are checked with `endsession --check`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
NAME=faults-limits

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-limits
ISS=https://op.example
es_fixtures "$T" "$ISS" || { echo "$NAME: 0 passed, 1 failed"; exit 1; }

# cgi METHOD QUERY [VAR=value ...]: body from T/in; status in ST.
cgi() {
	local m=$1 q=$2
	shift 2
	[ -f "$T/in" ] || : > "$T/in"
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    SCRIPT_NAME=/oauth/end_session REMOTE_ADDR=127.0.0.1 \
	    REQUEST_METHOD="$m" QUERY_STRING="$q" "$@" \
	    timeout 20 "$ES_BIN" -c "$T/endsession.conf" < "$T/in" > "$T/out" 2> "$T/err"
	ST=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$T/out")
}
# gen PYTHON-EXPR: prints the string the expression makes (n, a helpers).
gen() { python3 -c "import sys; sys.stdout.write($1)"; }
# at_and_past WHAT OK-STATUS: the "at" request gave OK-STATUS, "past" 400.
want() { eq "$1" "$2" "$ST"; }

HINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")

# ---------------------------------------------------------- query string
# Unknown parameters of < 8192 bytes each fill the query up to the size.
q_of() {
	python3 -c 'import sys
n, q, i = int(sys.argv[1]), "client_id=demo-rp", 0
while len(q) < n:
    head = "&x%d=" % i
    q += head + "a" * min(8000, n - len(q) - len(head))
    i += 1
sys.stdout.write(q)' "$1"
}
Q=$(q_of 16384)
eq "query is 16384 bytes" 16384 "${#Q}"
cgi GET "$Q"
want "query 16384: C" 200
Q=$(q_of 16385)
eq "query is 16385 bytes" 16385 "${#Q}"
cgi GET "$Q"
want "query 16385: E" 400
grep -q "too large" "$T/out" && ok || bad "query 16385: page does not say too large"

# ---------------------------------------------------------- POST body
printf '%s' "$(q_of 16384)" > "$T/in"
cgi POST "" CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=16384
want "body 16384: C" 200
printf '%s' "$(q_of 16385)" > "$T/in"
cgi POST "" CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=16385
want "body 16385: E" 400
rm -f "$T/in"

# ---------------------------------------------------------- parameters
P32=$(gen "'client_id=demo-rp' + ''.join('&x%d=1' % i for i in range(31))")
cgi GET "$P32"
want "32 parameters: C" 200
cgi GET "$P32&x31=1"
want "33 parameters: E" 400

# ---------------------------------------------------------- one value, decoded
# 3000 "%41" escapes (9000 bytes encoded) + plain bytes: the decoded size
# counts, not the encoded one.
# edge WHAT QUERY: QUERY (a value at its limit) is a C, one byte more an E.
edge() {
	cgi GET "$2"
	want "$1 8192: C" 200
	cgi GET "${2}a"
	want "$1 8193: E" 400
}
edge "state decoded (encoded 14192)" "$(gen "'client_id=demo-rp&state=' + '%41' * 3000 + 'a' * 5192")"
edge "state" "$(gen "'client_id=demo-rp&state=' + 'a' * 8192")"
V=$(gen "'client_id=demo-rp&' + 'n' * 8192 + '=1'")
cgi GET "$V"
want "parameter name 8192: C" 200
V=$(gen "'client_id=demo-rp&' + 'n' * 8193 + '=1'")
cgi GET "$V"
want "parameter name 8193: E" 400

# ---------------------------------------------------------- id_token_hint
# A valid hint of exactly 8192 bytes: pad a claim until the JWS fits.
hint_of_size() {
	local want=$1 key alg kid p h claims base
	base=$(es_claims "$ISS" demo-rp)
	for key in "rsa.pem RS256 rsa1" "p256.pem ES256 ec1"; do
		set -- $key
		h=$(es_hint "$T" "$1" "$2" "$3" "${base%\}},\"pad\":\"\"}")
		p=$(( (want - ${#h}) * 3 / 4 - 2 ))
		[ "$p" -lt 0 ] && p=0
		for d in 0 1 2 3 4 5; do
			claims="${base%\}},\"pad\":\"$(gen "'p' * $((p + d))")\"}"
			h=$(es_hint "$T" "$1" "$2" "$3" "$claims")
			if [ "${#h}" = "$want" ]; then
				echo "$h"
				return 0
			fi
		done
	done
	return 1
}
H8192=$(hint_of_size 8192) && ok || bad "cannot mint a hint of 8192 bytes"
eq "hint is 8192 bytes" 8192 "${#H8192}"
cgi GET "id_token_hint=$H8192"
want "hint 8192 (valid): S" 200
grep -q "op_session=; Max-Age=0" "$T/out" && ok || bad "hint 8192: no sign-out"
H8193=$(hint_of_size 8193) && ok || bad "cannot mint a hint of 8193 bytes"
eq "hint is 8193 bytes" 8193 "${#H8193}"
cgi GET "id_token_hint=$H8193"
want "hint 8193 (otherwise valid): E" 400
grep -q "Set-Cookie" "$T/out" && bad "hint 8193: signed out" || ok

# ---------------------------------------------------------- headers
C=$(gen "'op_sid=sid-1; pad=' + 'c' * (8192 - 18)")
eq "cookie is 8192 bytes" 8192 "${#C}"
cgi GET "id_token_hint=$HINT" HTTP_COOKIE="$C"
want "Cookie 8192 (sid matches): S" 200
# Past its limit an optional header is ignored, not a reason to refuse: the
# sid check then has no cookie to compare, so the valid hint signs out.
cgi GET "id_token_hint=$HINT" HTTP_COOKIE="${C}c"
want "Cookie 8193: ignored, S" 200
A=$(gen "'sv, ' + 'en;q=0.1, ' * 818 + 'x' * (8192 - 4 - 818 * 10)")
eq "Accept-Language is 8192 bytes" 8192 "${#A}"
cgi GET "client_id=demo-rp" HTTP_ACCEPT_LANGUAGE="$A"
want "Accept-Language 8192: C" 200
grep -q '<html lang="sv"' "$T/out" && ok || bad "Accept-Language 8192: not Swedish"
cgi GET "client_id=demo-rp" HTTP_ACCEPT_LANGUAGE="${A}x"
want "Accept-Language 8193: ignored, C" 200
grep -q '<html lang="en"' "$T/out" && ok || bad "Accept-Language 8193: not the default language"

# ================================================================ files
F=$T/files
mkdir -p "$F"
# conf NAME [KEY=VALUE ...]: a configuration with absolute paths.
conf() {
	local n=$1 kv
	shift
	{
		echo "issuer = $ISS"
		echo "clients = ${CL:-$T/clients.json}"
		echo "jwks = ${JW:-$T/jwks.json}"
		echo "secret = ${SE:-$T/secret}"
		echo "templates = ${TP:-$ES_ROOT/templates}"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} > "$F/$n.conf"
	echo "$F/$n.conf"
}
# check WHAT EXPECTED-RC CONF
check() {
	local rc
	timeout 120 "$ES_BIN" --check -c "$3" > "$F/check.out" 2> "$F/check.err"
	rc=$?
	if [ "$rc" = "$2" ]; then ok; else
		bad "$1: --check exit $rc, expected $2: $(head -c 300 "$F/check.err")"
	fi
}
checkf() {	# checkf WHAT RC VAR=FILE: a conf with one file replaced
	local what=$1 rc=$2 kv=$3
	case ${kv%%=*} in
	CL) CL=${kv#*=} check "$what" "$rc" "$(CL=${kv#*=} conf x)" ;;
	JW) JW=${kv#*=} check "$what" "$rc" "$(JW=${kv#*=} conf x)" ;;
	SE) SE=${kv#*=} check "$what" "$rc" "$(SE=${kv#*=} conf x)" ;;
	TP) TP=${kv#*=} check "$what" "$rc" "$(TP=${kv#*=} conf x)" ;;
	esac
}
check "base configuration" 0 "$(conf base)"

# JSON nesting: root object, list, one entry, then k nested arrays.
nest() { gen "'[' * $1 + ']' * $1"; }
for k in 13 14; do
	printf '{"clients":[{"client_id":"a","post_logout_redirect_uris":["https://a.example/"],"x":%s}]}' "$(nest $k)" > "$F/cl-nest$k.json"
	printf '{"keys":[{"x":%s,%s]}' "$(nest $k)" "$(sed 's/^{"keys":\[{//; s/\]}$//' "$T/jwks.json" | head -c -1)" > "$F/jw-nest$k.json"
done
checkf "clients.json nesting 16" 0 CL="$F/cl-nest13.json"
checkf "clients.json nesting 17" 1 CL="$F/cl-nest14.json"
grep -q "16" "$F/check.err" && ok || bad "nesting 17: message does not name the limit"
checkf "jwks.json nesting 16" 0 JW="$F/jw-nest13.json"
checkf "jwks.json nesting 17" 1 JW="$F/jw-nest14.json"

# Configuration file 64 KiB.
for n in 65536 65537; do
	c=$(conf pad$n)
	# comment lines of at most 1000 bytes (a line has a limit of its own)
	gen "(lambda k: ('#' + 'c' * 998 + '\\n') * (k // 1000) + ('#' + 'c' * (k % 1000 - 2) + '\\n' if k % 1000 else ''))($n - $(wc -c < "$c"))" >> "$c"
	eq "configuration is $n bytes" "$n" "$(wc -c < "$c")"
done
check "configuration 65536 bytes" 0 "$F/pad65536.conf"
check "configuration 65537 bytes" 1 "$F/pad65537.conf"

# Keys: 64 vs 65, the same key with different kids; file size 256 KiB.
JWK=$("$ES_MINT" jwk -k "$T/rsa.pem" -i KID -u sig)
for n in 64 65; do
	python3 -c 'import sys
jwk, n = sys.argv[1], int(sys.argv[2])
print("{\"keys\":[" + ",".join(jwk.replace("KID", "k%d" % i) for i in range(n)) + "]}")' "$JWK" "$n" > "$F/jw$n.json"
done
checkf "64 keys" 0 JW="$F/jw64.json"
grep -q "64 keys" "$F/check.out" && ok || bad "64 keys: summary: $(cat "$F/check.out")"
checkf "65 keys" 1 JW="$F/jw65.json"
for n in 262144 262145; do
	cp "$T/jwks.json" "$F/jwsz$n.json"
	gen "' ' * ($n - $(wc -c < "$T/jwks.json"))" >> "$F/jwsz$n.json"
done
checkf "keys file 256 KiB" 0 JW="$F/jwsz262144.json"
checkf "keys file 256 KiB + 1" 1 JW="$F/jwsz262145.json"

# Secret: 32 to 4096 bytes.
for n in 31 32 4096 4097; do
	head -c "$n" /dev/urandom > "$F/secret$n"
done
checkf "secret 31 bytes" 1 SE="$F/secret31"
checkf "secret 32 bytes" 0 SE="$F/secret32"
checkf "secret 4096 bytes" 0 SE="$F/secret4096"
checkf "secret 4097 bytes" 1 SE="$F/secret4097"

# Redirect URIs: 2048 bytes each, 64 per client.
for n in 2048 2049; do
	u=$(gen "'https://rp.example/' + 'u' * ($n - 19)")
	printf '{"clients":[{"client_id":"a","post_logout_redirect_uris":["%s"]}]}' "$u" > "$F/uri$n.json"
done
checkf "redirect URI 2048 bytes" 0 CL="$F/uri2048.json"
checkf "redirect URI 2049 bytes" 1 CL="$F/uri2049.json"
for n in 64 65; do
	gen "'{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":[' + ','.join('\"https://rp.example/%d\"' % i for i in range($n)) + ']}]}'" > "$F/uris$n.json"
done
checkf "64 URIs" 0 CL="$F/uris64.json"
checkf "65 URIs" 1 CL="$F/uris65.json"

# One template: 64 KiB.
for n in 65536 65537; do
	cp -r "$ES_ROOT/templates" "$F/tpl$n"
	f=$F/tpl$n/sv/signed-out.html
	gen "'<!--' + 'x' * ($n - $(wc -c < "$f") - 8) + '-->\n'" >> "$f"
	eq "template is $n bytes" "$n" "$(wc -c < "$f")"
done
checkf "template 65536 bytes" 0 TP="$F/tpl65536"
checkf "template 65537 bytes" 1 TP="$F/tpl65537"

# Configuration values with limits: session_cookies (16), clock_skew (3600).
check "16 session cookies" 0 "$(conf sc16 "session_cookies=$(echo c{1..16})")"
check "17 session cookies" 1 "$(conf sc17 "session_cookies=$(echo c{1..17})")"
check "clock_skew 3600" 0 "$(conf cs1 clock_skew=3600)"
check "clock_skew 3601" 1 "$(conf cs2 clock_skew=3601)"

# Clients file: 64 MiB (whitespace after the value), 500000 clients.
for n in 67108864 67108865; do
	python3 -c 'import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    s = "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":[\"https://a.example/\"]}]}\n"
    f.write(s)
    f.write(" " * (n - len(s)))' "$F/big.json" "$n"
	s=$(date +%s.%N)
	checkf "clients file $n bytes" $([ "$n" = 67108864 ] && echo 0 || echo 1) CL="$F/big.json"
	echo "clients file of $n bytes: --check took $(echo "$(date +%s.%N) - $s" | bc) s"
done
rm -f "$F/big.json"
for n in 500000 500001; do
	python3 -c 'import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write("{\"clients\":[")
    f.write(",".join("{\"client_id\":\"c%d\",\"post_logout_redirect_uris\":[\"https://c%d.example/\"]}" % (i, i) for i in range(n)))
    f.write("]}\n")' "$F/many.json" "$n"
	s=$(date +%s.%N)
	checkf "$n clients" $([ "$n" = 500000 ] && echo 0 || echo 1) CL="$F/many.json"
	echo "$n clients ($(wc -c < "$F/many.json") bytes): --check took $(echo "$(date +%s.%N) - $s" | bc) s"
done
rm -f "$F/many.json"

finish
