#!/usr/bin/env bash
# tests/integration/test_wide.sh SERVER - wide JSON objects through real
# servers to sandboxed FastCGI children (spawn-fcgi + multiwatch, as in
# production): hint headers and claims of 43, 120 and 400 members, then a
# reload of a clients file whose entries have 60 members each.  Every
# request is answered with its outcome, and by the same processes: the
# children's pids are the same before and after (a child killed by the
# seccomp filter would be replaced by multiwatch, with a new pid), and no
# SIGSYS reached the server's error log.
set -u
SERVER=${1:-nginx}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
NAME=integration-wide-$SERVER
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
FAIL_TAG="[$SERVER] "

scratch es-wide
ISS=https://op.example
RP=https://rp.example/signed-out
RPE=https%3A%2F%2Frp.example%2Fsigned-out

es_fixtures "$T" "$ISS" || die fixtures
es_spawn "$T" 2 || die "spawn-fcgi + multiwatch"
PORT=$(es_port)
"es_$SERVER" "$T" "$PORT" || die "$SERVER"
URL=http://127.0.0.1:$PORT/oauth/end_session
es_wait_http "$URL" || die "$SERVER does not answer"

SANDBOXED=1
if [ "${VALGRIND:-0}" = 1 ] || nm "$ES_BIN" 2>/dev/null | grep -q __asan_init; then
	SANDBOXED=0
fi
KIDS=$(es_children "$T")
eq "two children" 2 "$(echo $KIDS | wc -w)"
if [ "$SANDBOXED" = 1 ]; then
	for p in $KIDS; do
		eq "child $p sandboxed (seccomp filter mode)" 2 \
		    "$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$p/status")"
	done
fi

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
members() {
	local i s=
	for ((i = 0; i < $1; i++)); do s="$s${s:+,}\"m$i\":0"; done
	printf '%s' "$s"
}
# get NAME QUERY: status in ST, headers in T/NAME.h.
get() { ST=$(curl -s -D "$T/$1.h" -o "$T/$1.b" -w '%{http_code}' "$URL?$2"); }
loc() { sed -n 's/^Location: \(.*\)\r$/\1/p' "$T/$1.h"; }

# Each request twice, so that both children are likely to take one.
for n in 43 120 400; do
	M=$(members "$n")
	H=$(printf '{"alg":"RS256",%s}' "$M" | b64url)
	for k in 1 2; do
		get u$n "id_token_hint=$H.e30.AA"
		eq "unsigned hint, header of $n members: C ($k)" 200 "$ST"
	done
	HH=$("$ES_MINT" sign -k "$T/rsa.pem" -a RS256 -i rsa1 -H "{$M}" "$(es_claims "$ISS" demo-rp)")
	for k in 1 2; do
		get h$n "id_token_hint=$HH&post_logout_redirect_uri=$RPE&state=w"
		eq "valid hint, header of $((n + 3)) members: R ($k)" 302 "$ST"
		eq "valid hint, header of $((n + 3)) members: location ($k)" "$RP?state=w" "$(loc h$n)"
	done
	C=$(es_claims "$ISS" demo-rp)
	C="${C%\}},$M}"
	HC=$("$ES_MINT" sign -k "$T/rsa.pem" -a RS256 -i rsa1 "$C")
	want=302
	for k in 1 2; do
		get c$n "id_token_hint=$HC&post_logout_redirect_uri=$RPE&state=w"
		eq "valid hint, claims of $((n + 6)) members (${#HC} bytes): $want ($k)" "$want" "$ST"
	done
done

# A reload: the clients file replaced by one whose entries have 60 members.
wide_client() { # ID URI
	local i s
	s=$(printf '"client_id":"%s","client_name":"Wide %s","post_logout_redirect_uris":["%s"]' "$1" "$1" "$2")
	s="$s,\"redirect_uris\":[\"$2/cb\"],\"grant_types\":[\"authorization_code\",\"refresh_token\"]"
	s="$s,\"backchannel_logout_uri\":\"https://bc.example/bc\",\"backchannel_logout_session_required\":true"
	s="$s,\"id_token_signed_response_alg\":\"RS256\""
	for ((i = 8; i < 60; i++)); do s="$s,\"x_meta_$i\":\"value $i\""; done
	printf '{%s}' "$s"
}
{
	printf '{"clients":[\n%s,\n' "$(wide_client demo-rp "$RP")"
	for ((c = 0; c < 50; c++)); do
		printf '%s,\n' "$(wide_client "rp$c" "https://rp$c.example/logout")"
	done
	printf '%s\n]}\n' "$(wide_client last https://last.example/logout)"
} > "$T/clients.tmp"
eq "members per client (fewest, most)" "60 60" "$(python3 -c 'import json, sys
n = [len(c) for c in json.load(open(sys.argv[1]))["clients"]]
print(min(n), max(n))' "$T/clients.tmp")"
chmod 0644 "$T/clients.tmp"
mv "$T/clients.tmp" "$T/clients.json"
HINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
for k in 1 2 3 4; do
	get w$k "id_token_hint=$HINT&post_logout_redirect_uri=$RPE&state=r"
	eq "after the wide reload: R ($k)" 302 "$ST"
	get v$k "client_id=rp7&post_logout_redirect_uri=$(printf %s https://rp7.example/logout | sed 's/:/%3A/; s#/#%2F#g')"
	eq "after the wide reload: a new client's C ($k)" 200 "$ST"
	grep -q "Wide rp7" "$T/v$k.b" && ok || bad "after the wide reload: the new client's name ($k)"
done

# The same processes answered everything.
eq "the same children before and after" "$KIDS" "$(es_children "$T")"
for p in $KIDS; do
	kill -0 "$p" 2>/dev/null && ok || bad "child $p died"
done
if grep -rqi "SIGSYS\|signal 31\|exited on signal" "$T"/nginx/error.log "$T"/lighttpd/*.log 2>/dev/null; then
	bad "a child was killed: $(grep -rhi 'SIGSYS\|signal 31\|exited on signal' "$T"/nginx/error.log "$T"/lighttpd/*.log 2>/dev/null | head -n 3)"
else
	ok
fi
es_stop_all
es_reports "$T" && ok || bad "sanitizer or valgrind reports"
finish
