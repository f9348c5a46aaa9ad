#!/usr/bin/env bash
# tests/browser/run.sh - the confirmation page in Debian's chromium
# (headless, driven by playwright-core; tests/browser/confirm.test.mjs)
# through nginx + spawn-fcgi on 127.0.0.1.  The registered
# post_logout_redirect_uri is a static page on the same nginx.
# Screenshots go to tests/out/browser/.
set -u
. "$(dirname "$0")/../integration/lib.sh"
NAME=browser

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-browser
chmod 0755 "$T"
NODE_PID=
RP2_PID=
at_exit() {
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null
	[ -n "$RP2_PID" ] && kill "$RP2_PID" 2>/dev/null && wait "$RP2_PID" 2>/dev/null
}
on_die() { cat "$T"/es/spawn.log "$T"/es/nginx/error.log 2>/dev/null | tail -n 20 >&2; }

[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is not installed"
[ -d "$ES_ROOT/tests/node_modules/playwright-core" ] || die "playwright-core is not installed (npm ci)"

PORT=$(es_port)
BASE=http://127.0.0.1:$PORT
ISS=https://op.example
F=$T/es
export ES_RP_URI=$BASE/rp/signed-out.html
es_fixtures "$F" "$ISS" || die "fixtures"
mkdir -p "$F/www/rp"
cat > "$F/www/rp/signed-out.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Demo RP</title></head>
<body><h1>Signed out at the relying party</h1><p>The end_session endpoint sent you back here.</p></body></html>
EOF
# For the test's own CSP detector: a form its meta CSP forbids.
cat > "$F/www/rp/csp-probe.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="form-action 'none'">
<title>CSP probe</title></head>
<body><form method="get" action="/rp/signed-out.html"><button type="submit">Go</button></form></body></html>
EOF
chmod -R a+rX "$F/www"

# A second relying party on another origin (python3 http.server on a port
# of its own, serving the same page), registered too: the confirmation
# page's CSP form-action must let the 303 after the POST go there.
timeout 300 python3 -c '
import functools, http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' "$F/www" "$T/rp2.port" 2>"$T/rp2.log" &
RP2_PID=$!
es_wait_file "$T/rp2.port" || die "second RP did not start"
ES_RP2_URI=http://127.0.0.1:$(cat "$T/rp2.port")/rp/signed-out.html
export ES_RP2_URI
python3 - "$F/clients.json" "$ES_RP2_URI" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
d["clients"][0]["post_logout_redirect_uris"].append(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"))
EOF2

URL=$BASE/oauth/end_session
es_spawn "$F" 2 && es_nginx "$F" "$PORT" && es_wait_http "$URL" || die "servers did not start"
HINT=$(es_hint "$F" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)") || die "no hint"

OUT=$ES_ROOT/tests/out/browser
mkdir -p "$OUT"
rm -f "$OUT"/*.png
( cd "$ES_ROOT" && ES_URL=$URL ES_HINT=$HINT ES_JOURNAL=$F/journal.log ES_OUT=$OUT \
    exec timeout 180 node tests/browser/confirm.test.mjs ) > "$T/node.out" 2>&1 &
NODE_PID=$!
wait "$NODE_PID"
rc=$?
NODE_PID=
cat "$T/node.out"
line=$(grep -E '^confirm: [0-9]+ passed, [0-9]+ failed' "$T/node.out" | tail -n 1)
if [ -z "$line" ]; then
	bad "confirm.test.mjs gave no summary (exit $rc)"
else
	p=$(echo "$line" | sed -E 's/^confirm: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	[ "$rc" != 0 ] && [ "$f" = 0 ] && bad "confirm.test.mjs exit $rc"
fi

# The screenshots, one per page.
for s in confirm-en confirm-sv confirm-sv-accept-language signed-out-rp stayed error signed-out-S; do
	[ -s "$OUT/$s.png" ] && ok || bad "no screenshot $s.png"
done

es_stop_all
es_reports "$F" && ok || bad "sanitizer or valgrind reports above"
finish
