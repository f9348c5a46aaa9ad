#!/usr/bin/env bash
# bench/perf.sh - where a request's CPU time goes, with perf (not only
# instructions, as bench/profile.sh counts them with callgrind): one
# FastCGI child of the floor (bench/hello.c) and one of endsession, each
# behind its own nginx (etc/nginx/endsession.conf), the endsession child
# sandboxed as in production.  For every kind of request, wrk loads the
# floor and then endsession for SECONDS each while perf samples the child
# (user and kernel) and counts its system calls; it prints per request
# the child's and the nginx worker's CPU time and the child's system
# calls, and keeps both children's profiles.
# Writes $B/bench/perf/ (reports per kind); needs perf, wrk, nginx,
# spawn-fcgi.  Run as root, or with kernel.perf_event_paranoid <= 1.
#
#   bash bench/perf.sh [SECONDS]        # default 5 per kind and server
set -u
ES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-build}
. "$ES_ROOT/tests/integration/lib.sh"
S=${1:-5}
case $B in
/*) OUT=$B/bench/perf ;;
*) OUT=$ES_ROOT/$B/bench/perf ;;
esac
for t in perf wrk nginx spawn-fcgi; do
	command -v "$t" >/dev/null || { echo "bench/perf.sh: needs $t" >&2; exit 1; }
done
ISS=https://op.example
EP=/oauth/end_session
PLRU_E=https%3A%2F%2Frp.example%2Fsigned-out
mkdir -p "$OUT"
W=$(mktemp -d /tmp/esperf.XXXXXX)
chmod 0755 "$W"
trap 'es_stop_all; rm -rf "$W"' EXIT

es_fixtures "$W/es" "$ISS" || exit 1
HR=$(es_hint "$W/es" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
HE=$(es_hint "$W/es" p256.pem ES256 ec1 "$(es_claims "$ISS" demo-rp)")
declare -A Q=(
	[R]="id_token_hint=$HR&post_logout_redirect_uri=$PLRU_E&state=s1"
	[RE]="id_token_hint=$HE&post_logout_redirect_uri=$PLRU_E&state=s1"
	[C]="client_id=demo-rp&post_logout_redirect_uri=$PLRU_E&state=s1"
	[E]="client_id=nobody&post_logout_redirect_uri=$PLRU_E&state=s1"
)

cc -O2 -o "$W/hello" "$ES_ROOT/bench/hello.c" $(pkg-config --cflags --libs fcgi) || exit 1
mkdir -p "$W/floor"
spawn-fcgi -s "$W/floor/es.sock" -M 0666 -F 1 -P "$W/floor/spawn.pid" \
    -- "$W/hello" >>"$W/floor/spawn.log" 2>&1 || exit 1
FLOOR=$(cat "$W/floor/spawn.pid")
ES_PIDS+=("$FLOOR")
es_spawn "$W/es" 1 || exit 1
CHILD=$(cat "$W/es/spawn.pid")
declare -A PORT NGX PID=([floor]=$FLOOR [es]=$CHILD)
for d in floor es; do
	PORT[$d]=$(es_port)
	es_nginx "$W/$d" "${PORT[$d]}" || exit 1
	es_wait_http "http://127.0.0.1:${PORT[$d]}$EP" || exit 1
	NGX[$d]=$(pgrep -P "$(cat "$W/$d/nginx/nginx.pid")" | head -1)
done

# The POST: the form of one C page and the confirm cookie it set.
BODY=$(curl -s -D "$W/confirm.h" "http://127.0.0.1:${PORT[es]}$EP?${Q[C]}" | python3 -c '
import html, re, sys, urllib.parse
form = re.search(r"<form id=\"logout-confirm\".*?</form>", sys.stdin.read(), re.S).group(0)
print(urllib.parse.urlencode([(html.unescape(n), html.unescape(v)) for n, v in
    re.findall(r"<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"", form)]))')
COOKIE=$(es_confirm_cookie <(tr -d '\r' < "$W/confirm.h"))
cat > "$W/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "$BODY"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$COOKIE"
EOF

ticks=$(getconf CLK_TCK)
cpu_of() {	# PID: utime + stime in ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

printf '%-5s %-10s %9s %11s %11s %11s\n' kind server requests "child µs/req" "nginx µs/req" "syscalls/req"
for k in R RE C E POST; do
	for d in floor es; do
		url="http://127.0.0.1:${PORT[$d]}$EP"
		args=()
		if [ "$k" = POST ]; then
			args=(-s "$W/post.lua")
		else
			url="$url?${Q[$k]}"
		fi
		wrk -t1 -c8 -d1s "${args[@]}" "$url" >/dev/null 2>&1	# warm
		c0=$(cpu_of "${PID[$d]}")
		g0=$(cpu_of "${NGX[$d]}")
		perf stat -e raw_syscalls:sys_enter -p "${PID[$d]}" -o "$W/stat.$k.$d" -- sleep "$S" &
		st=$!
		perf record -q -F 2999 -g -p "${PID[$d]}" -o "$W/perf.$k.$d.data" -- sleep "$S" >/dev/null 2>&1 &
		rec=$!
		sleep 0.2
		n=$(wrk -t1 -c8 -d"$((S - 1))s" "${args[@]}" "$url" 2>/dev/null |
		    awk '/requests in/ { print $1 }')
		wait "$st"
		wait "$rec"
		c1=$(cpu_of "${PID[$d]}")
		g1=$(cpu_of "${NGX[$d]}")
		sc=$(awk '/raw_syscalls:sys_enter/ { gsub(",", "", $1); print $1 }' "$W/stat.$k.$d")
		awk -v k="$k" -v d="$d" -v n="$n" -v c="$((c1 - c0))" -v g="$((g1 - g0))" \
		    -v t="$ticks" -v sc="${sc:-0}" 'BEGIN {
		    printf "%-5s %-10s %9d %12.1f %12.1f %12.1f\n", k, d, n,
		    1e6 * c / t / n, 1e6 * g / t / n, sc / n }'
	done
	for d in floor es; do
		perf report -i "$W/perf.$k.$d.data" --no-children --sort dso,sym -g none 2>/dev/null |
		    grep '%' > "$OUT/$k.$d.txt"
		perf report -i "$W/perf.$k.$d.data" --children --sort sym -g none 2>/dev/null |
		    grep '%' > "$OUT/$k.$d.children.txt"
	done
done
echo
echo "top symbols per kind and server (self time, sampled): $OUT/KIND.SERVER.txt; with children: KIND.SERVER.children.txt"
for k in R E; do
	echo "--- $k, endsession"
	head -15 "$OUT/$k.es.txt"
done
