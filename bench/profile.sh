#!/usr/bin/env bash
# bench/profile.sh - instructions per request with callgrind: one FastCGI
# child of endsession under valgrind --tool=callgrind behind nginx (the
# same fixtures as bench/run, 10 clients, 2 keys), warmed up, then the
# counters zeroed and N requests of each kind sent, one dump per kind:
# R (RS256 hint), R (ES256 hint), C (no hint), E, and the confirmation POST.
# Also one CGI R request (startup included).  Writes $B/bench/profile/*
# (never tracked files: callgrind_annotate prints absolute paths).
#
#   bash bench/profile.sh [N]        # N requests per kind, default 200
set -u
ES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-build}
. "$ES_ROOT/tests/integration/lib.sh"
N=${1:-200}
case $B in
/*) OUT=$B/bench/profile ;;
*) OUT=$ES_ROOT/$B/bench/profile ;;
esac
ISS=https://op.example
EP=/oauth/end_session
PLRU_E=https%3A%2F%2Frp.example%2Fsigned-out
mkdir -p "$OUT"
W=$(mktemp -d /tmp/esprof.XXXXXX)
chmod 0755 "$W"
trap 'es_stop_all; rm -rf "$W"' EXIT

es_fixtures "$W/es" "$ISS" || exit 1
HR=$(es_hint "$W/es" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
HE=$(es_hint "$W/es" p256.pem ES256 ec1 "$(es_claims "$ISS" demo-rp)")
Q_R="id_token_hint=$HR&post_logout_redirect_uri=$PLRU_E&state=s1"
Q_RE="id_token_hint=$HE&post_logout_redirect_uri=$PLRU_E&state=s1"
Q_C="client_id=demo-rp&post_logout_redirect_uri=$PLRU_E&state=s1"
Q_E="client_id=nobody&post_logout_redirect_uri=$PLRU_E&state=s1"

# CGI: one whole process per request.
(cd "$W" && ENDSESSION_SANDBOX=0 QUERY_STRING=$Q_R REQUEST_METHOD=GET SCRIPT_NAME=$EP \
    valgrind -q --tool=callgrind --callgrind-out-file="$OUT/cgi-R.out" \
    "$ES_BIN" -c "$W/es/endsession.conf" </dev/null >/dev/null)

rm -f "$W/es/es.sock"
ENDSESSION_SANDBOX=0 spawn-fcgi -s "$W/es/es.sock" -M 0666 -F 1 -P "$W/es/spawn.pid" -- \
    "$(command -v valgrind)" -q --tool=callgrind --callgrind-out-file="$W/cg.out" \
    "$ES_BIN" -c "$W/es/endsession.conf" >/dev/null 2>&1 || exit 1
for p in $(cat "$W/es/spawn.pid"); do ES_PIDS+=("$p"); done
VG=$(cat "$W/es/spawn.pid")
PORT=$(es_port)
es_nginx "$W/es" "$PORT" || exit 1
U=http://127.0.0.1:$PORT$EP
es_wait_http "$U" || exit 1

# reqs N URL [BODY]: N requests on one curl process; prints the statuses.
reqs() {
	local n=$1 url=$2 body=${3:-} i
	{
		for i in $(seq 1 "$n"); do
			echo "url = \"$url\""
			echo "output = /dev/null"
			echo "silent"
			echo "write-out = \"%{http_code}\\n\""
			[ -n "$body" ] && echo "data = \"$body\"" &&
			    echo "cookie = \"$COOKIE\""
			[ "$i" -lt "$n" ] && echo "next"
		done
	} > "$W/curl.cfg"
	curl -K "$W/curl.cfg" | sort | uniq -c | tr '\n' ' '
}

# The form of one C page and the confirm cookie that page set (the POST
# needs both).
BODY=$(curl -s -D "$W/confirm.h" "$U?$Q_C" | python3 -c '
import html, re, sys, urllib.parse
form = re.search(r"<form id=\"logout-confirm\".*?</form>", sys.stdin.read(), re.S).group(0)
print(urllib.parse.urlencode([(html.unescape(n), html.unescape(v)) for n, v in
    re.findall(r"<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"", form)]))')
COOKIE=$(es_confirm_cookie <(tr -d '\r' < "$W/confirm.h"))

for k in R RE C E POST; do		# warm up every path
	case $k in
	R) reqs 5 "$U?$Q_R" ;; RE) reqs 5 "$U?$Q_RE" ;; C) reqs 5 "$U?$Q_C" ;;
	E) reqs 5 "$U?$Q_E" ;; POST) reqs 5 "$U" "$BODY" ;;
	esac >/dev/null
done
callgrind_control -z "$VG" >/dev/null
for k in R RE C E POST; do
	case $k in
	R) s=$(reqs "$N" "$U?$Q_R") ;; RE) s=$(reqs "$N" "$U?$Q_RE") ;;
	C) s=$(reqs "$N" "$U?$Q_C") ;; E) s=$(reqs "$N" "$U?$Q_E") ;;
	POST) s=$(reqs "$N" "$U" "$BODY") ;;
	esac
	echo "$k: $N requests, statuses $s" >&2
	callgrind_control -d "fcgi-$k" "$VG" >/dev/null 2>&1
	sleep 0.5
	f=$(ls -t "$W"/cg.out.* | head -1)
	mv "$f" "$OUT/fcgi-$k.out"
done
echo "$N" > "$OUT/N"
for f in "$OUT"/*.out; do
	callgrind_annotate --inclusive=yes "$f" 2>/dev/null | head -60 > "${f%.out}.incl.txt"
	callgrind_annotate "$f" 2>/dev/null | head -60 > "${f%.out}.self.txt"
done
echo "profile: $OUT" >&2
