#!/usr/bin/env bash
# tests/refresh/run.sh - scripts/endsession-refresh against a fake provider
# on 127.0.0.1 (python3 http.server serving a folder; /fail answers 500):
# success (keys replaced, mode kept), unchanged file (mtime kept), server
# down, HTTP 500, truncated JSON, a JWKS that fails --check, a discovery
# document without jwks_uri or with another issuer, an oversized JWKS,
# clients_url, and https required for non-local hosts (refused before any
# network access).  Old files stay untouched and no temporary file is left
# behind on every failure.
set -u
. "$(dirname "$0")/../integration/lib.sh"
REFRESH=$ES_ROOT/scripts/endsession-refresh
export ENDSESSION=$ES_BIN

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
NAME=refresh
scratch es-refresh
SRV_PID=
at_exit() { [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null; }

# The fake provider: serves T/www; /fail is a 500; binds port 0 and
# writes the port it got to T/port (no race for a free port).
cat > "$T/server.py" <<'EOF'
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    def redirect(self, to):
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        port = self.server.server_address[1]
        if self.path.startswith("/chunked"):
            # No length: chunks until 10 MiB or the client goes away.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            chunk = b"[" * 65536
            try:
                for i in range(160):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            self.close_connection = True
            return
        if self.path.startswith("/redir-http"):
            return self.redirect("http://127.0.0.1:%d/jwks.json" % port)
        if self.path.startswith("/redir-lo"):
            return self.redirect("https://127.0.0.2:%d/jwks.json" % port)
        if self.path.startswith("/redir-private"):
            return self.redirect("https://10.0.0.1/jwks.json")
        if self.path.startswith("/fail"):
            body = b'{"error":"server_error"}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        return super().do_GET()
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
    functools.partial(H, directory=sys.argv[1]))
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
EOF
mkdir -p "$T/www/.well-known"
timeout 300 python3 "$T/server.py" "$T/www" "$T/port" 2>"$T/server.log" &
SRV_PID=$!
es_wait_file "$T/port" || { bad "fake provider did not start"; finish; }
P=$(cat "$T/port")
ISS=http://127.0.0.1:$P
WWW=$T/www
curl -s -o /dev/null "$ISS/" || { bad "fake provider not answering"; finish; }

F=$T/op
es_fixtures "$F" "$ISS" || { bad "fixtures"; finish; }
chmod 0640 "$F/jwks.json"
cp "$F/jwks.json" "$T/jwks.orig"

# A new key set on the provider.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/new.pem" 2>/dev/null
printf '{"keys":[%s]}\n' "$("$ES_MINT" jwk -k "$T/new.pem" -i new1 -u sig)" > "$WWW/jwks.json"
printf '{"issuer":"%s","jwks_uri":"%s/jwks.json","end_session_endpoint":"%s/oauth/end_session"}\n' \
    "$ISS" "$ISS" "$ISS" > "$WWW/.well-known/openid-configuration"

# run NAME [args...]: the refresh script, exit status in RC, output in
# T/NAME.out and T/NAME.err.
run() {
	local n=$1
	shift
	LAST=$n
	RC=0
	timeout 60 "$REFRESH" "$@" >"$T/$n.out" 2>"$T/$n.err" || RC=$?
}
notmp() {
	local left
	left=$(find "$F" -name '.*.??????' | head -n 3)
	eq "$1: no temporary file left" "" "$left"
}
# failed LABEL: the last run: non-zero, one line on stderr, old keys untouched.
failed() {
	local n=$1 e=$T/$LAST.err
	[ "$RC" != 0 ] && ok || bad "$n: exit status 0"
	eq "$n: one line on stderr" 1 "$(wc -l < "$e")"
	grep -q '^endsession-refresh: ' "$e" && ok || bad "$n: message: $(cat "$e")"
	cmp -s "$F/jwks.json" "$T/jwks.before" && ok || bad "$n: keys file changed"
	notmp "$n"
}
# conf NAME LINES...: a config in F (same folder, relative paths).
conf() {
	local n=$1
	shift
	{ grep -v -e '^jwks_uri' -e '^clients_url' -e '^issuer' "$F/endsession.conf"
	  printf '%s\n' "$@"; } > "$F/$n.conf"
}

# --help.
run help --help
eq "--help status" 0 "$RC"
has "--help text" "usage: endsession-refresh" "$T/help.out"

# Success by discovery: keys replaced, mode kept, via the default config
# from ENDSESSION_CONF.
touch -d '2020-01-01 00:00:00' "$F/jwks.json"
ENDSESSION_CONF=$F/endsession.conf run ok1
eq "discovery: status" 0 "$RC"
cmp -s "$F/jwks.json" "$WWW/jwks.json" && ok || bad "discovery: keys not replaced"
eq "discovery: mode kept" 640 "$(stat -c %a "$F/jwks.json")"
has "discovery: says replaced" "jwks.json: replaced" "$T/ok1.out"
"$ES_BIN" --check -c "$F/endsession.conf" > "$T/chk1" 2>&1
has "discovery: --check sees the new key" "new1" "$T/chk1"
notmp "discovery"

# Unchanged: the file is left as it is (mtime kept), and it says so.
touch -d '2020-01-01 00:00:00' "$F/jwks.json"
m0=$(stat -c %Y "$F/jwks.json")
run ok2 -c "$F/endsession.conf"
eq "unchanged: status" 0 "$RC"
eq "unchanged: mtime" "$m0" "$(stat -c %Y "$F/jwks.json")"
has "unchanged: says so" "unchanged" "$T/ok2.out"
notmp "unchanged"

# From now on, every failure must leave these exact bytes.
cp "$F/jwks.json" "$T/jwks.before"

# jwks_uri given directly (no discovery document needed): the next key.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.pem" 2>/dev/null
printf '{"keys":[%s]}\n' "$("$ES_MINT" jwk -k "$T/ec.pem" -i ec9 -u sig)" > "$WWW/jwks2.json"
conf direct "issuer = https://op.example" "jwks_uri = $ISS/jwks2.json"
run direct -c "$F/direct.conf"
eq "jwks_uri: status" 0 "$RC"
cmp -s "$F/jwks.json" "$WWW/jwks2.json" && ok || bad "jwks_uri: keys not replaced"
eq "jwks_uri: mode kept" 640 "$(stat -c %a "$F/jwks.json")"
cp "$F/jwks.json" "$T/jwks.before"

# Server down: a port nobody listens on.
DEAD=$(es_port)
conf down "issuer = $ISS" "jwks_uri = http://127.0.0.1:$DEAD/jwks.json"
run down -c "$F/down.conf"
failed "server down"
has "server down: reason" "download from http://127.0.0.1:$DEAD/jwks.json failed" "$T/down.err"
conf down2 "issuer = http://127.0.0.1:$DEAD"
run down2 -c "$F/down2.conf"
failed "discovery server down"

# HTTP 500.
conf e500 "issuer = $ISS" "jwks_uri = $ISS/fail/jwks.json"
run e500 -c "$F/e500.conf"
failed "HTTP 500"
has "HTTP 500: reason" "500" "$T/e500.err"

# 404.
conf e404 "issuer = $ISS" "jwks_uri = $ISS/nothing-here.json"
run e404 -c "$F/e404.conf"
failed "HTTP 404"

# Truncated JSON.
head -c 100 "$WWW/jwks.json" > "$WWW/trunc.json"
conf trunc "issuer = $ISS" "jwks_uri = $ISS/trunc.json"
run trunc -c "$F/trunc.conf"
failed "truncated JSON"
has "truncated JSON: reason" "fails endsession --check" "$T/trunc.err"

# Empty document.
: > "$WWW/empty.json"
conf empty "issuer = $ISS" "jwks_uri = $ISS/empty.json"
run empty -c "$F/empty.conf"
failed "empty JWKS"

# A JWKS that fails --check: an RSA key of 1024 bits.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$T/small.pem" 2>/dev/null
printf '{"keys":[%s]}\n' "$("$ES_MINT" jwk -k "$T/small.pem" -i small -u sig)" > "$WWW/small.json"
conf small "issuer = $ISS" "jwks_uri = $ISS/small.json"
run small -c "$F/small.conf"
failed "RSA 1024"
has "RSA 1024: reason" "2048" "$T/small.err"

# Larger than the program's JWKS limit (256 KiB).
python3 -c 'import sys; sys.stdout.write("{\"keys\":[],\"pad\":\"" + "a"*300000 + "\"}")' > "$WWW/big.json"
conf big "issuer = $ISS" "jwks_uri = $ISS/big.json"
run big -c "$F/big.conf"
failed "oversized JWKS"

# Discovery documents: without jwks_uri, naming another issuer, not JSON.
mkdir -p "$WWW/nojwks/.well-known" "$WWW/otheriss/.well-known" "$WWW/notjson/.well-known"
printf '{"issuer":"%s/nojwks"}\n' "$ISS" > "$WWW/nojwks/.well-known/openid-configuration"
printf '{"issuer":"https://evil.example","jwks_uri":"%s/jwks.json"}\n' "$ISS" \
    > "$WWW/otheriss/.well-known/openid-configuration"
printf '<html>hello</html>\n' > "$WWW/notjson/.well-known/openid-configuration"
conf nojwks "issuer = $ISS/nojwks"
run nojwks -c "$F/nojwks.conf"
failed "discovery without jwks_uri"
has "discovery without jwks_uri: reason" "no jwks_uri" "$T/nojwks.err"
conf otheriss "issuer = $ISS/otheriss"
run otheriss -c "$F/otheriss.conf"
failed "discovery of another issuer"
conf notjson "issuer = $ISS/notjson"
run notjson -c "$F/notjson.conf"
failed "discovery not JSON"

# A discovery document pointing at a plain-http non-local jwks_uri.
mkdir -p "$WWW/httpjwks/.well-known"
printf '{"issuer":"%s/httpjwks","jwks_uri":"http://example.com/jwks.json"}\n' "$ISS" \
    > "$WWW/httpjwks/.well-known/openid-configuration"
conf httpjwks "issuer = $ISS/httpjwks"
run httpjwks -c "$F/httpjwks.conf"
failed "discovery names http jwks_uri"

# https required for non-local hosts: refused before any network access
# (a curl on PATH that records being called must stay uncalled).
mkdir -p "$T/shim"
cat > "$T/shim/curl" <<EOF
#!/bin/sh
echo called >> "$T/curl-called"
exit 7
EOF
chmod +x "$T/shim/curl"
for u in http://example.com/ http://127.0.0.2/jwks.json http://localhost.evil.example/jwks.json \
    ftp://127.0.0.1/jwks.json file:///etc/passwd; do
	conf plain "issuer = https://op.example" "jwks_uri = $u"
	PATH=$T/shim:$PATH run plain -c "$F/plain.conf"
	failed "refused $u"
	has "refused $u: reason" "refusing" "$T/plain.err"
done
conf plainiss "issuer = http://op.example"
PATH=$T/shim:$PATH run plainiss -c "$F/plainiss.conf"
failed "refused http issuer"
[ ! -e "$T/curl-called" ] && ok || bad "curl was called for a refused URL"

# A config that names no issuer, or that cannot be read.
run noconf -c "$T/nonexistent.conf"
failed "missing config"

# clients_url: the registrations are refreshed (mode kept), keys too.
chmod 0604 "$F/clients.json"
python3 - "$F/clients.json" "$WWW/clients.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["clients"].append({"client_id": "third-rp", "post_logout_redirect_uris": ["https://third.example/"]})
json.dump(d, open(sys.argv[2], "w"))
EOF
conf cl "issuer = $ISS" "clients_url = $ISS/clients.json"
run cl -c "$F/cl.conf"
eq "clients_url: status" 0 "$RC"
cmp -s "$F/clients.json" "$WWW/clients.json" && ok || bad "clients_url: clients not replaced"
eq "clients_url: mode kept" 604 "$(stat -c %a "$F/clients.json")"
cmp -s "$F/jwks.json" "$WWW/jwks.json" && ok || bad "clients_url: keys not replaced"
"$ES_BIN" --check -c "$F/endsession.conf" > "$T/chk2" 2>&1
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["clients"]))' "$WWW/clients.json")
has "clients_url: --check sees the fixtures' clients and the new one" "$n clients" "$T/chk2"
has "clients_url: the new client is the served one" '"third-rp"' "$F/clients.json"
notmp "clients_url"
cp "$F/jwks.json" "$T/jwks.before"
cp "$F/clients.json" "$T/clients.before"

# A bad clients file (duplicate client_id) replaces nothing, keys neither.
printf '{"clients":[{"client_id":"a"},{"client_id":"a"}]}\n' > "$WWW/dup.json"
cp "$WWW/jwks2.json" "$WWW/jwks3.json"
conf cldup "issuer = $ISS" "jwks_uri = $ISS/jwks3.json" "clients_url = $ISS/dup.json"
run cldup -c "$F/cldup.conf"
failed "bad clients file"
cmp -s "$F/clients.json" "$T/clients.before" && ok || bad "bad clients file: clients changed"

# A clients_url that fails: nothing replaced.
conf cl500 "issuer = $ISS" "jwks_uri = $ISS/jwks3.json" "clients_url = $ISS/fail/clients.json"
run cl500 -c "$F/cl500.conf"
failed "clients HTTP 500"
cmp -s "$F/clients.json" "$T/clients.before" && ok || bad "clients HTTP 500: clients changed"

# The program refuses when the endsession binary is missing.
ENDSESSION=$T/no-such-endsession run nobin -c "$F/direct.conf"
failed "no endsession binary"

# ------------------------------------------------- hostile servers
# A response without a length (chunked), 40 times the keys limit: what is
# written to disk never passes the limit (+1 byte to see it is too big).
cp "$F/jwks.json" "$T/jwks.before"
( while :; do
	for f in "$F"/.jwks.json.*; do
		[ -f "$f" ] && stat -c %s "$f" 2>/dev/null
	done
	sleep 0.005
  done ) > "$T/sizes" &
WATCH=$!
conf chunked "issuer = $ISS" "jwks_uri = $ISS/chunked"
run chunked -c "$F/chunked.conf"
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null
failed "chunked, 40 times the limit"
has "chunked: says too large" "larger than 262144 bytes" "$T/chunked.err"
max=$(sort -n "$T/sizes" | tail -n 1)
[ "${max:-0}" -le 262145 ] && ok || bad "chunked: $max bytes written to disk (limit 262144)"

# Redirects: never from https (or loopback http) to http, never to a
# loopback, private or special address the configuration did not name.
conf rhttp "issuer = $ISS" "jwks_uri = $ISS/redir-http"
run rhttp -c "$F/rhttp.conf"
failed "redirect to http"
has "redirect to http: why" "only to https:// is followed" "$T/rhttp.err"
conf rlo "issuer = $ISS" "jwks_uri = $ISS/redir-lo"
run rlo -c "$F/rlo.conf"
failed "redirect to another loopback address"
has "redirect to another loopback address: why" "did not name" "$T/rlo.err"
conf rpriv "issuer = $ISS" "jwks_uri = $ISS/redir-private"
run rpriv -c "$F/rpriv.conf"
failed "redirect to a private address"
has "redirect to a private address: why" "did not name" "$T/rpriv.err"

# A ~/.curlrc that turns TLS checks off does not apply: a server whose
# certificate nobody vouches for is refused.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 \
    -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null
cat > "$T/tls.py" <<'PY'
import functools, http.server, ssl, sys
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
    functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1]))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[4], "w").write(str(srv.server_address[1]))
srv.serve_forever()
PY
timeout 120 python3 "$T/tls.py" "$WWW" "$T/tls.crt" "$T/tls.key" "$T/tlsport.tmp" 2>/dev/null &
TLS_PID=$!
for i in $(seq 1 50); do [ -s "$T/tlsport.tmp" ] && break; sleep 0.1; done
TP=$(cat "$T/tlsport.tmp")
mkdir -p "$T/home"
printf 'insecure\n' > "$T/home/.curlrc"
HOME=$T/home curl -s -o /dev/null -w '%{http_code}' "https://127.0.0.1:$TP/jwks.json" > "$T/curlrc.code"
eq "the .curlrc does turn TLS checks off for curl itself" 200 "$(cat "$T/curlrc.code")"
conf tls "issuer = $ISS" "jwks_uri = https://127.0.0.1:$TP/jwks.json"
HOME=$T/home run tls -c "$F/tls.conf"
kill "$TLS_PID" 2>/dev/null
failed "self-signed server with insecure in ~/.curlrc"

# Owner and group are kept (root only: chown).
if [ "$(id -u)" = 0 ]; then
	chown nobody:nogroup "$F/jwks.json"
	chmod 0640 "$F/jwks.json"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/own.pem" 2>/dev/null
	printf '{"keys":[%s]}\n' "$("$ES_MINT" jwk -k "$T/own.pem" -i own1 -u sig)" > "$WWW/jwks-own.json"
	conf own "issuer = $ISS" "jwks_uri = $ISS/jwks-own.json"
	run own -c "$F/own.conf"
	eq "owner kept: status ($(head -c 200 "$T/own.err"))" 0 "$RC"
	cmp -s "$F/jwks.json" "$WWW/jwks-own.json" && ok || bad "owner kept: keys not replaced"
	eq "owner, group and mode kept" "nobody:nogroup 640" "$(stat -c '%U:%G %a' "$F/jwks.json")"
	notmp "owner kept"
fi

finish
