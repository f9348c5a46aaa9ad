# tests/integration/lib.sh - real servers on 127.0.0.1 for the integration
# tests and the demo: fixtures (keys, JWKS, clients, secret, config),
# spawn-fcgi with endsession on a unix socket, and nginx or lighttpd in
# front of it using the example configs in etc/.  Every process is started
# with a PID file and stopped by PID in es_stop_all.
#
# Sourced by bash.  Needs ES_ROOT (repo top), B (build folder).

ES_ROOT=${ES_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
B=${B:-build}
case $B in /*) ;; *) B=$ES_ROOT/$B ;; esac
ES_BIN=$B/endsession
ES_MINT=$B/endsession-mint
ES_PIDS=()
ES_MW=()

. "$ES_ROOT/tests/lib/fixtures.sh"

# es_fixtures DIR ISSUER: the common fixtures (tests/lib/fixtures.sh).
es_fixtures() { fixtures "$@"; }

# es_hint DIR KEY ALG KID CLAIMS-JSON: a signed id_token_hint.
es_hint() {
	"$ES_MINT" sign -k "$1/$2" -a "$3" -i "$4" "$5"
}

# es_claims ISS AUD [SID [IAT]]: ID Token claims.
es_claims() {
	local now
	now=$(date +%s)
	printf '{"iss":"%s","aud":"%s","sub":"alice","sid":"%s","iat":%s,"exp":%s}' \
	    "$1" "$2" "${3:-sid-1}" "${4:-$now}" "$((now + 300))"
}

# es_confirm_cookie HEADERS-FILE: "name=value" of the confirm cookie that a
# confirmation page set (its form's POST must send it back).
es_confirm_cookie() {
	sed -n 's/^Set-Cookie: \(__Host-endsession-confirm=[A-Za-z0-9_-]*\);.*/\1/p' "$1" | head -n 1
}

# es_spawn DIR CHILDREN: endsession under spawn-fcgi on DIR/es.sock, as
# production runs it (etc/systemd/endsession.service): spawn-fcgi binds
# the socket and starts multiwatch, which keeps CHILDREN endsession
# processes on it and replaces one that dies.  DIR/spawn.pid gets the
# children's pids (es_children reads the current ones), DIR/multiwatch.pid
# the supervisor's.
# Under spawn-fcgi the children's stderr is /dev/null, so sanitizer and
# valgrind reports go to files (DIR/asan.*, DIR/vg.*) that es_reports reads.
# ES_TRACE (a command put before spawn-fcgi, e.g. "strace -D -f -ff -o X":
# tests/sandbox/census.sh) traces the children.
es_spawn() {
	local d=$1 n=${2:-2} p i kids
	local -a wrap=()
	rm -f "$d/es.sock" "$d/spawn.pid" "$d/multiwatch.pid"
	if [ "${VALGRIND:-0}" = 1 ]; then
		# valgrind exits 2 at once when spawn-fcgi has closed fd 2:
		# give it a stderr of its own.  It cannot run a seccomp
		# filter: no sandbox under it.
		wrap=(/bin/sh -c 'exec "$@" 2>>"$0"' "$d/vg.stderr"
		    env ENDSESSION_SANDBOX=0 valgrind -q --error-exitcode=99 --leak-check=full
		    --errors-for-leak-kinds=definite,indirect
		    "--log-file=$d/vg.%p.log")
	fi
	# multiwatch's graceful signal is SIGUSR1, libfcgi's shutdown.
	ASAN_OPTIONS="log_path=$d/asan:${ASAN_OPTIONS:-}" \
	UBSAN_OPTIONS="log_path=$d/ubsan:print_stacktrace=1:${UBSAN_OPTIONS:-}" \
	${ES_TRACE:-} spawn-fcgi -s "$d/es.sock" -M 0666 -P "$d/multiwatch.pid" \
	    -- /usr/bin/multiwatch -f "$n" -- "${wrap[@]}" "$ES_BIN" \
	    -c "$d/endsession.conf" >>"$d/spawn.log" 2>&1 ||
	    return 1
	ES_MW+=("$(cat "$d/multiwatch.pid")")
	for i in $(seq 1 100); do
		kids=$(es_children "$d")
		[ "$(echo $kids | wc -w)" -ge "$n" ] && break
		sleep 0.05
	done
	[ -n "$kids" ] || return 1
	echo $kids > "$d/spawn.pid"
	for p in $kids; do
		ES_PIDS+=("$p")
	done
}

# es_children DIR: the pids of the endsession children multiwatch keeps now.
es_children() {
	local m
	m=$(cat "$1/multiwatch.pid" 2>/dev/null) || return 0
	pgrep -P "$m" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# es_nginx DIR PORT [UPSTREAM]: nginx on 127.0.0.1:PORT with
# etc/nginx/endsession.conf, passing to DIR/es.sock, or to UPSTREAM
# (tcp:HOST:PORT: a TCP FastCGI socket).
es_nginx() {
	local d=$1 port=$2 up=${3:-unix:$1/es.sock}
	up=${up#tcp:}
	mkdir -p "$d/nginx"
	sed "s#unix:/run/endsession/endsession.sock#$up#" \
	    "$ES_ROOT/etc/nginx/endsession.conf" > "$d/nginx/endsession.conf"
	cat > "$d/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx/nginx.pid;
error_log $d/nginx/error.log info;
daemon on;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/nginx/body;
	fastcgi_temp_path $d/nginx/fastcgi;
	proxy_temp_path $d/nginx/proxy;
	uwsgi_temp_path $d/nginx/uwsgi;
	scgi_temp_path $d/nginx/scgi;
	default_type text/html;
	server {
		listen 127.0.0.1:$port;
		server_name localhost;
		root $d/www;
		include $d/nginx/endsession.conf;
	}
}
EOF
	mkdir -p "$d/www"
	nginx -c "$d/nginx/nginx.conf" -p "$d/nginx" 2>>"$d/nginx/error.log" ||
	    return 1
	es_wait_file "$d/nginx/nginx.pid" || return 1
	ES_PIDS+=("$(cat "$d/nginx/nginx.pid")")
}

# es_lighttpd DIR PORT [UPSTREAM]: lighttpd on 127.0.0.1:PORT with
# etc/lighttpd, passing to DIR/es.sock, or to UPSTREAM (tcp:HOST:PORT).
es_lighttpd() {
	local d=$1 port=$2 up=${3:-$1/es.sock} to
	mkdir -p "$d/lighttpd" "$d/www"
	case $up in
	tcp:*)	to=${up#tcp:}
		to="\"host\" => \"${to%:*}\", \"port\" => ${to##*:}" ;;
	*)	to="\"socket\" => \"$up\"" ;;
	esac
	sed "s#\"socket\" => \"/run/endsession/endsession.sock\"#$to#" \
	    "$ES_ROOT/etc/lighttpd/endsession.conf" > "$d/lighttpd/endsession.conf"
	cat > "$d/lighttpd/lighttpd.conf" <<EOF
server.document-root = "$d/www"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$d/lighttpd/lighttpd.pid"
server.errorlog = "$d/lighttpd/error.log"
include "$d/lighttpd/endsession.conf"
EOF
	lighttpd -f "$d/lighttpd/lighttpd.conf" 2>>"$d/lighttpd/error.log" ||
	    return 1
	es_wait_file "$d/lighttpd/lighttpd.pid" || return 1
	ES_PIDS+=("$(cat "$d/lighttpd/lighttpd.pid")")
}

# es_wait_for TEST PATH: until "test TEST PATH" holds (5 s at most), e.g.
# es_wait_for -S DIR/es.sock.
es_wait_for() {
	local i
	for i in $(seq 1 50); do
		test "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}
es_wait_file() { es_wait_for -s "$1"; }

# es_form_fields PAGE: the hidden fields of the confirmation form in an
# HTML file, unescaped and urlencoded, ready to post back.
es_form_fields() {
	python3 - "$1" <<'EOF'
import html, re, sys, urllib.parse
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<form id="logout-confirm".*?</form>', page, re.S)
pairs = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', m.group(0)) if m else []
print(urllib.parse.urlencode([(n, html.unescape(v)) for n, v in pairs]))
EOF
}

# es_wait_http URL: until the server answers.
es_wait_http() {
	local i
	for i in $(seq 1 50); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

# A free TCP port on 127.0.0.1.
es_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

es_stop_all() {
	local p= i m kids=
	# Supervisors first: a TERM puts multiwatch in shutdown mode (it sends
	# its children SIGUSR1 and restarts none), then it exits with them.
	for m in "${ES_MW[@]}"; do
		kids="$kids $(pgrep -P "$m" | tr '\n' ' ')"
		kill "$m" 2>/dev/null
	done
	for i in $(seq 1 30); do
		for p in "${ES_MW[@]}" $kids; do
			kill -0 "$p" 2>/dev/null && break
			p=
		done
		[ -z "$p" ] && break
		sleep 0.1
	done
	for p in "${ES_MW[@]}" $kids; do
		kill -9 "$p" 2>/dev/null
	done
	ES_MW=()
	for p in "${ES_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for i in $(seq 1 30); do
		for p in "${ES_PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && break
			p=
		done
		[ -z "$p" ] && break
		sleep 0.1
	done
	for p in "${ES_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	ES_PIDS=()
}

# es_reports DIR: prints sanitizer and valgrind reports left in DIR; false
# if there is any.  Call after es_stop_all.
es_reports() {
	local d=$1 f found=0
	for f in "$d"/asan.* "$d"/ubsan.*; do
		[ -s "$f" ] || continue
		cat "$f" >&2
		found=1
	done
	for f in "$d"/vg.*.log; do
		[ -s "$f" ] || continue
		cat "$f" >&2
		found=1
	done
	[ "$found" = 0 ]
}
