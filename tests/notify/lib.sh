# tests/notify/lib.sh - what the notifier's suites share (run.sh, crash.sh):
# checks, waits, a scratch folder T removed at exit (KEEP=1 keeps it when
# something failed), the journal's lines, the delivery log and the website's
# requests read back, and setup: a folder D with keys, clients, a
# configuration, and a website (site.py) on port P.  Sourced; SUITE names
# the suite in messages.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$root/$B ;; esac
NOTIFY=$B/endsession-notify
pass=0
fail=0
T=$(mktemp -d)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		kill -CONT "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# KEEP=1: a failed run leaves its folder (logs, state) to look at.
	if [ "${KEEP:-0}" = 1 ] && [ "$fail" -gt 0 ]; then
		echo "$SUITE: kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

ok() {
	pass=$((pass + 1))
	echo "ok   $*"
}

bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

# until_true SECONDS COMMAND...: polls COMMAND until it succeeds; the
# deadline only bounds a failure, it is no assertion on speed.
until_true() {
	local n=$(( $1 * 10 ))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

now() {
	date -u +%Y-%m-%dT%H:%M:%SZ
}

# Runs the notifier once: sets RC, output in $D/once.out.
once() {
	local vg=()
	[ "${VALGRIND:-0}" = 1 ] && vg=(valgrind -q --error-exitcode=99
	    --leak-check=full --errors-for-leak-kinds=definite,indirect)
	timeout 60 "${vg[@]}" "$NOTIFY" --once -c "$D/endsession.conf" \
	    > "$D/once.out" 2>&1
	RC=$?
	cat "$D/once.out" >> "$T/all.err"
	[ "$RC" = 99 ] && { bad "valgrind: $(head -5 "$D/once.out")"; }
	return 0
}

status_of() {
	"$NOTIFY" --status -c "$D/endsession.conf" | awk -v k="$1" '$1 == k { print $2 }'
}

# Requests the site received whose path is $1 and claim sid is $2.
received() {
	python3 - "$D/requests.jsonl" "$1" "$2" <<'EOF'
import json, sys
n = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r["path"] == sys.argv[2] and r.get("claims", {}).get("sid") == sys.argv[3]:
            n += 1
except FileNotFoundError:
    pass
print(n)
EOF
}

# log_count OUTCOME SID: delivery log lines with that outcome and sid.
log_count() {
	python3 - "$D/deliveries.log" "$1" "$2" <<'EOF'
import json, sys
n = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r["outcome"] == sys.argv[2] and r.get("sid") == sys.argv[3]:
            n += 1
except FileNotFoundError:
    pass
print(n)
EOF
}

jl() {
	printf '%s\n' "$1" >> "$D/journal.log"
}

login() {	# SESSION SID CLIENT SUB
	jl "{\"time\":\"$(now)\",\"event\":\"login\",\"session\":\"$1\",\"sid\":\"$2\",\"client_id\":\"$3\",\"sub\":\"$4\"}"
}

logout() {	# SID [TIME]
	jl "{\"time\":\"${2:-$(now)}\",\"event\":\"logout\",\"sid\":\"$1\",\"via\":\"id_token_hint\"}"
}

# setup NAME [EXTRA-CONF]: a fresh folder D with keys, clients, config,
# and a website on port P.
setup() {
	D=$T/$1
	mkdir -p "$D"
	cp "$T/keys/"* "$D/"
	head -c 48 /dev/urandom > "$D/secret"
	P=$(port)
	local u="http://127.0.0.1:$P"
	cat > "$D/clients.json" <<EOF
{"clients":[
 {"client_id":"rs","backchannel_logout_uri":"$u/204"},
 {"client_id":"es","backchannel_logout_uri":"$u/200","id_token_signed_response_alg":"ES256"},
 {"client_id":"ed","backchannel_logout_uri":"$u/204","id_token_signed_response_alg":"EdDSA"},
 {"client_id":"plain","post_logout_redirect_uris":["https://plain.example/"]},
 {"client_id":"e503","backchannel_logout_uri":"$u/503"},
 {"client_id":"e429","backchannel_logout_uri":"$u/429"},
 {"client_id":"e400","backchannel_logout_uri":"$u/400"},
 {"client_id":"e302","backchannel_logout_uri":"$u/302"},
 {"client_id":"hang","backchannel_logout_uri":"$u/hang"},
 {"client_id":"down","backchannel_logout_uri":"$u/down"},
 {"client_id":"slow","backchannel_logout_uri":"$u/slow"},
 {"client_id":"name","backchannel_logout_uri":"https://localhost:$P/204"}
]}
EOF
	cat > "$D/endsession.conf" <<EOF
issuer = https://op.example
clients = clients.json
jwks = jwks.json
secret = secret
journal = journal.log
signing_key = signing.jwk
notify_state = state.db
notify_log = deliveries.log
notify_metrics = metrics.prom
notify_timeout = 2
notify_retry_max = 2
${2:-notify_allow = 127.0.0.0/8}
EOF
	: > "$D/journal.log"
	python3 "$here/site.py" "$P" "$D" 2>"$D/site.err" &
	PIDS+=($!)
	until_true 10 curl -s -o /dev/null -X POST "$u/204" ||
	    bad "$1: website did not start"
	rm -f "$D/requests.jsonl"
}

mkdir -p "$T/keys"
python3 "$here/mkkeys.py" "$T/keys" || { echo "$SUITE: 0 passed, 1 failed"; exit 1; }
