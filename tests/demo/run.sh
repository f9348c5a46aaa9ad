#!/usr/bin/env bash
# tests/demo/run.sh - the README's demo, as a newcomer runs it: scripts/demo
# on a free port and its own folder; the sign-out URLs it prints work, the
# README's CGI one-liner works with its files, a child killed with SIGKILL
# is replaced and requests keep being answered, the demo website receives
# the back-channel logout token, and "scripts/demo stop" leaves nothing
# running.
set -u
cd "$(dirname "$0")/../.." || exit 1
NAME=demo
. tests/lib/assert.sh

D=$(mktemp -d "${TMPDIR:-/tmp}/es-demo.XXXXXX")
rmdir "$D"
export DEMO_DIR=$D
export DEMO_PORT
DEMO_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'bash scripts/demo stop >/dev/null 2>&1; rm -rf "$D"' EXIT

bash scripts/demo > "$D.out" 2>&1 < /dev/null
eq "scripts/demo exit" 0 "$?"
mv "$D.out" "$D/demo.out" 2>/dev/null
WITH=$(sed -n 's/^ *Sign out with a hint: *//p' "$D/demo.out")
WITHOUT=$(sed -n 's/^ *Sign out without a hint: *//p' "$D/demo.out")
[ -n "$WITH" ] && [ -n "$WITHOUT" ] || die "no sign-out URLs printed: $(head -c 600 "$D/demo.out")"

code=$(curl -s -o /dev/null -w '%{http_code}' "$WITHOUT")
eq "sign-out without a hint: the confirmation page" 200 "$code"

# A child killed: multiwatch starts another; requests keep being answered.
MW=$(cat "$D/multiwatch.pid")
before=$(pgrep -P "$MW" | sort | tr '\n' ' ')
eq "two children" 2 "$(echo $before | wc -w)"
victim=$(echo $before | cut -d' ' -f1)
kill -9 "$victim"
for i in $(seq 1 100); do
	now=$(pgrep -P "$MW" | sort | tr '\n' ' ')
	case " $now " in *" $victim "*) ;; *) [ "$(echo $now | wc -w)" = 2 ] && break ;; esac
	sleep 0.05
done
case " $now " in *" $victim "*) bad "killed child $victim still listed" ;; *) ok ;; esac
eq "two children again" 2 "$(echo $now | wc -w)"
n200=0
for i in $(seq 1 20); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$WITHOUT")" = 200 ] && n200=$((n200 + 1))
done
eq "requests after the kill answered" 20 "$n200"

# The sign-out with a hint: 302 to the demo website, then the website
# gets its logout token by back channel.
loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$WITH")
case $loc in "302 http://127.0.0.1:$DEMO_PORT/rp/signed-out.html?state=demo-state-1") ok ;; *) bad "sign-out with a hint: $loc" ;; esac
for i in $(seq 1 100); do
	[ -s "$D/website-backchannel.log" ] && break
	sleep 0.1
done
if grep -q '"sid": "demo-session"' "$D/website-backchannel.log" 2>/dev/null &&
    grep -q 'backchannel-logout' "$D/website-backchannel.log"; then ok; else
	bad "the demo website got no logout token: $(cat "$D/website-backchannel.log" "$D/notify.err" 2>/dev/null | head -c 600)"
fi

# The README's CGI one-liner, with this demo's folder.
out=$(QUERY_STRING="id_token_hint=$(scripts/endsession-hint -d "$D" demo-rp)" build/endsession -c "$D/endsession.conf")
case $out in *"Status: 200"*|*"Content-Type: text/html"*) ok ;; *) bad "CGI one-liner: $(printf '%s' "$out" | head -c 300)" ;; esac

bash scripts/demo stop > /dev/null 2>&1
sleep 0.5
left=$(pgrep -f "$D" | tr '\n' ' ')
eq "nothing left after scripts/demo stop" "" "$left"
finish
