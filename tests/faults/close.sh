#!/usr/bin/env bash
# tests/faults/close.sh - how a FastCGI child ends a connection
# (src/main.c fcgi_finish).  A request read to its end, with nothing more
# waiting on the socket, is closed at once: no shutdown, no wait for the
# web server to close first (libfcgi's lingering close cost a sleep and a
# wake-up per request).  Anything left unread (bytes past CONTENT_LENGTH,
# a body too large to read) still gets libfcgi's lingering close, so that
# the server cannot lose the answer to a reset.  Checked under strace on
# one child with its sandbox on, over a unix socket and over TCP; then
# nginx and lighttpd over TCP, where a close that came too early would
# show as a lost or cut answer or an upstream error in their logs.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
FCGI="python3 $HERE/fcgi.py"
NAME=faults-close

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-close
on_die() { cat "$T"/spawn.log 2>/dev/null >&2; }
ISS=https://op.example
RPE=https%3A%2F%2Frp.example%2Fsigned-out

command -v strace >/dev/null || die "strace is not installed"
es_fixtures "$T" "$ISS" || die fixtures
H=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
[ -n "$H" ] || die "minting a hint"

es_spawn "$T" 1 || die spawn-fcgi
es_wait_for -S "$T/es.sock" || die socket
CHILD=$(es_children "$T")
# The same configuration on a TCP socket, one child, no supervisor.
TP=$(es_port)
spawn-fcgi -a 127.0.0.1 -p "$TP" -F 1 -P "$T/tcp.pid" -- "$ES_BIN" \
    -c "$T/endsession.conf" >>"$T/spawn.log" 2>&1 || die "spawn-fcgi on TCP"
TCHILD=$(cat "$T/tcp.pid")
ES_PIDS+=("$TCHILD")

# traced NAME PID [fcgi.py args]: one request under strace; its status in
# ST, the answer in T/NAME.{h,b}, the child's shutdown and poll calls in
# T/NAME.st.
traced() {
	local n=$1 pid=$2 sp i
	shift 2
	strace -qq -e trace=shutdown,poll,close -o "$T/$n.st" -p "$pid" 2>"$T/$n.se" &
	sp=$!
	# strace writes nothing before the first call: wait for it to attach.
	for i in $(seq 1 50); do
		grep -q "^TracerPid:[[:space:]]*$sp\$" "/proc/$pid/status" 2>/dev/null && break
		sleep 0.1
	done
	ST=$(timeout 20 $FCGI -o "$T/$n" "$@" 2>"$T/$n.py")
	sleep 0.3
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
}

# whole NAME: the body is as long as its Content-Length says (and not empty
# when the answer is a page).
whole() {
	local cl sz
	cl=$(sed -n 's/^Content-Length: *//Ip' "$T/$1.h" | tr -d '\r')
	sz=$(wc -c < "$T/$1.b")
	eq "$1: body as long as Content-Length" "${cl:-none}" "$sz"
}

# quick NAME: closed at once (a poll that does not wait, no shutdown).
quick() {
	if grep -q 'poll(.*, 1, 0)' "$T/$1.st"; then ok; else
		bad "$1: no look at the socket before closing: $(tr '\n' ' ' < "$T/$1.st")"
	fi
	if grep -q 'shutdown(' "$T/$1.st"; then
		bad "$1: a lingering close: $(tr '\n' ' ' < "$T/$1.st")"
	else ok; fi
}

# lingers NAME: libfcgi's lingering close (shutdown, then a poll that waits).
lingers() {
	if grep -q 'shutdown(.*SHUT_WR' "$T/$1.st" &&
	    grep -q 'poll(.*, 1, 2000)' "$T/$1.st"; then ok; else
		bad "$1: no lingering close: $(tr '\n' ' ' < "$T/$1.st")"
	fi
}

{ printf 'op=cancel&x='; head -c 20000 /dev/zero | tr '\0' x; } > "$T/big.body"
for via in unix tcp; do
	if [ $via = unix ]; then S=$T/es.sock P=$CHILD; else S=tcp:127.0.0.1:$TP P=$TCHILD; fi
	traced "$via-error" "$P" -s "$S" -q "client_id=nobody&post_logout_redirect_uri=$RPE"
	eq "$via: unknown client" 400 "$ST"
	whole "$via-error"
	quick "$via-error"

	traced "$via-signout" "$P" -s "$S" -q "id_token_hint=$H&post_logout_redirect_uri=$RPE&state=s1"
	eq "$via: sign-out" 302 "$ST"
	eq "$via: sign-out's Location" "https://rp.example/signed-out?state=s1" \
	    "$(sed -n 's/^Location: *//p' "$T/$via-signout.h" | tr -d '\r')"
	quick "$via-signout"

	# A form's POST, its body read to its end (the cancel button).
	traced "$via-post" "$P" -s "$S" -m POST \
	    --content-type application/x-www-form-urlencoded -b "op=cancel"
	case $ST in 2??|3??|4??) ok ;; *) bad "$via: POST answered '$ST'" ;; esac
	quick "$via-post"

	# Bytes past CONTENT_LENGTH stay unread: the close lingers.
	traced "$via-past" "$P" -s "$S" -m POST \
	    --content-type application/x-www-form-urlencoded -b "op=cancel&rest=unread" \
	    --content-length 9
	case $ST in 2??|3??|4??) ok ;; *) bad "$via: POST with bytes past its length answered '$ST'" ;; esac
	lingers "$via-past"

	# A body over the limit is refused (400) unread: the close lingers.
	traced "$via-big" "$P" -s "$S" -m POST \
	    --content-type application/x-www-form-urlencoded -B "$T/big.body"
	eq "$via: body over the limit" 400 "$ST"
	whole "$via-big"
	lingers "$via-big"
done

# The children served it all and are still there.
for p in "$CHILD" "$TCHILD"; do
	if kill -0 "$p" 2>/dev/null; then ok; else bad "child $p is gone"; fi
done

# Real servers over TCP: every answer whole, no upstream error.
for server in nginx lighttpd; do
	d=$T/$server-tcp
	mkdir -p "$d"
	port=$(es_port)
	"es_$server" "$d" "$port" "tcp:127.0.0.1:$TP" || die "$server over TCP"
	url="http://127.0.0.1:$port/oauth/end_session"
	es_wait_http "$url" || die "$server over TCP: no answer"
	n=0 good=0
	for i in $(seq 1 40); do
		for q in "id_token_hint=$H&post_logout_redirect_uri=$RPE&state=s$i" \
		    "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=s$i"; do
			n=$((n + 1))
			r=$(curl -s -o "$d/b" -D "$d/h" -w '%{http_code} %{size_download}' "$url?$q")
			cl=$(sed -n 's/^Content-Length: *//Ip' "$d/h" | tr -d '\r')
			case $r in
			"302 0") [ "$(sed -n 's/^Location: *//Ip' "$d/h" | tr -d '\r')" = \
			    "https://rp.example/signed-out?state=s$i" ] && good=$((good + 1)) ;;
			"200 $cl") [ "$cl" -gt 1000 ] && good=$((good + 1)) ;;
			esac
		done
	done
	eq "$server over TCP: whole answers" "$n" "$good"
	if grep -Ei 'prematurely|reset by peer|broken pipe|upstream|backend' \
	    "$d/$server/error.log" | grep -v '\[info\]' >"$d/errors"; then
		bad "$server over TCP logged: $(head -3 "$d/errors")"
	else ok; fi
done
finish
