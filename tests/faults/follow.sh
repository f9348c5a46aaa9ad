#!/usr/bin/env bash
# tests/faults/follow.sh - a FastCGI child follows its files with inotify
# (src/state.c state_follow) and must still notice every change before its
# next request, whatever way the file changed: rewritten in place, replaced
# by rename, a Kubernetes-style symbolic link swap (..data), removed and
# put back, a configuration that names other files (it then stats every
# file on every request), a watched folder removed (the same); a change
# that inotify does not report (through a hard link in another folder)
# within a second.  And the point of it: requests with nothing changed
# stat none of the files nor the journal, and read nothing from inotify
# (strace).  One child (multiwatch), sandbox on.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
FCGI="python3 $HERE/fcgi.py"
NAME=faults-follow

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-follow
on_die() { cat "$T"/spawn.log 2>/dev/null >&2; }
ISS=https://op.example
RPE=https%3A%2F%2Frp.example%2Fsigned-out

es_fixtures "$T" "$ISS" || die fixtures
# Keys: the fixtures' set (rsa1, ...) and one holding only rsa2.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa2.pem" 2>/dev/null ||
    die "rsa2"
cp "$T/jwks.json" "$T/jwks.one"
printf '{"keys":[%s]}\n' "$("$ES_MINT" jwk -k "$T/rsa2.pem" -i rsa2)" > "$T/jwks.two"
H1=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
H2=$(es_hint "$T" rsa2.pem RS256 rsa2 "$(es_claims "$ISS" demo-rp)")
[ -n "$H1" ] && [ -n "$H2" ] || die "minting hints"

# The clients file as Kubernetes mounts a ConfigMap: clients.json ->
# ..data/clients.json, ..data -> ..v1 (a folder), swapped by renaming a
# new ..data link over the old one.
mkdir "$T/..v1"
mv "$T/clients.json" "$T/..v1/clients.json"
ln -s ..v1 "$T/..data"
ln -s ..data/clients.json "$T/clients.json"
# A hard link to the secret in another folder: a write through it is
# not reported for the folder we watch.
mkdir "$T/elsewhere"
ln "$T/secret" "$T/elsewhere/secret"

es_spawn "$T" 1 || die spawn-fcgi
SOCK=$T/es.sock
es_wait_for -S "$SOCK" || die socket
CHILD=$(es_children "$T")

# The answers go to their own folder: the test's own writes must not
# look like changes in the configuration's folder.
O=$(mktemp -d "${TMPDIR:-/tmp}/es-follow-out.XXXXXX") || die "mktemp"
at_exit() { [ -n "${KEEP:-}" ] || rm -rf "$O"; }
fc() {	# fc NAME [fcgi.py args]: one request; status in ST, O/NAME.{h,b,e}
	local n=$1
	shift
	ST=$(timeout 20 $FCGI -s "$SOCK" -o "$O/$n" "$@" 2>"$O/$n.py")
}
# keys_are WHAT rsa1|rsa2: the key the child uses now, by whose hint is R.
keys_are() {
	local good bad_
	if [ "$2" = rsa1 ]; then good=$H1 bad_=$H2; else good=$H2 bad_=$H1; fi
	fc k1 -q "id_token_hint=$good&post_logout_redirect_uri=$RPE"
	eq "$1: $2's hint signs out" 302 "$ST"
	fc k2 -q "id_token_hint=$bad_&client_id=demo-rp&post_logout_redirect_uri=$RPE"
	eq "$1: the other key's hint is asked to confirm" 200 "$ST"
}
# client_is WHAT ID STATUS: the status of a C request for client ID.
client_is() {
	fc c1 -q "client_id=$2"
	eq "$1: client $2" "$3" "$ST"
}

keys_are "start" rsa1
client_is "start" demo-rp 200

# Rewritten in place (same inode): noticed at the next request.
cat "$T/jwks.two" > "$T/jwks.json"
keys_are "rewritten in place" rsa2
cat "$T/jwks.one" > "$T/jwks.json"
keys_are "rewritten back in place" rsa1

# Replaced by rename.
cp "$T/jwks.two" "$T/jwks.new" && mv "$T/jwks.new" "$T/jwks.json"
keys_are "replaced by rename" rsa2

# Removed (the last good copy stays, said once), then put back.
rm "$T/jwks.json"
keys_are "removed" rsa2
has "removed: said" "cannot be read" "$O/k1.e"
cp "$T/jwks.one" "$T/jwks.json"
keys_are "put back" rsa1

# The Kubernetes swap: a new folder, a new ..data link renamed over the old.
mkdir "$T/..v2"
python3 - "$T/..v1/clients.json" "$T/..v2/clients.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["clients"] = [c for c in d["clients"] if c["client_id"] != "other-rp"]
d["clients"].append({"client_id": "newcomer", "post_logout_redirect_uris": ["https://new.example/"]})
json.dump(d, open(sys.argv[2], "w"))
EOF
chmod 0644 "$T/..v2/clients.json"
ln -s ..v2 "$T/..data_tmp" && mv -T "$T/..data_tmp" "$T/..data"
client_is "..data swapped" newcomer 200
client_is "..data swapped" other-rp 400
# Kubernetes then removes the old folder: the child stops following
# (a watched folder is gone) and stats every file from then on.
rm -rf "$T/..v1"
client_is "old folder removed" newcomer 200
has "old folder removed: said" "looking at every file on every request" "$O/c1.e"
cat "$T/jwks.two" > "$T/jwks.json"
keys_are "after the fallback, in place" rsa2
cat "$T/jwks.one" > "$T/jwks.json"
keys_are "after the fallback, back" rsa1

# A fresh child follows again: replace it (multiwatch starts another).
kill -9 "$CHILD"
for i in $(seq 1 50); do
	c=$(es_children "$T")
	[ -n "$c" ] && [ "$c" != "$CHILD" ] && break
	sleep 0.1
done
CHILD=$(es_children "$T")
keys_are "new child" rsa1

# Through a hard link in another folder: inotify says nothing for ours;
# the once-a-second look notices it.
cat "$T/secret" > "$T/secret.was"
fc s1 -q "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=a"
f=$(es_form_fields "$O/s1.b")
cookie=$(es_confirm_cookie "$O/s1.h")
fc s0 -m POST -p "HTTP_COOKIE=$cookie" -b "$f"
eq "the form's token, before" 303 "$ST"
openssl rand 48 > "$T/elsewhere/secret"
sleep 1.2
fc s2 -m POST -p "HTTP_COOKIE=$cookie" -b "$f"
eq "secret changed through a hard link: the old form's token is refused" 400 "$ST"
lacks "secret changed through a hard link: no sign-out" "Set-Cookie: op_session" "$O/s2.h"

# Nothing changed: 20 requests, ten of them sign-outs, stat none of the
# files, not the journal either, and do not even read the inotify queue:
# it raises SIGIO when an event comes (strace).  Without following they
# would be 80 stats (four files per request), ten of the journal and 20
# reads of the queue.  Then one change: the next request reads the queue.
INFD=
for f in /proc/"$CHILD"/fd/*; do
	[ "$(readlink "$f")" = "anon_inode:inotify" ] && INFD=${f##*/}
done
if [ -z "$INFD" ]; then
	bad "the child holds no inotify descriptor"
elif command -v strace >/dev/null; then
	strace -f -qq -e trace=stat,newfstatat,statx,lstat,read -o "$O/strace.out" -p "$CHILD" &
	SP=$!
	sleep 0.5
	# 20 requests from one client process, well inside a second.
	python3 - "$HERE" "$SOCK" "$H1" "$RPE" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import fcgi
for i in range(20):
    q = "client_id=demo-rp" if i % 2 else \
        "id_token_hint=%s&post_logout_redirect_uri=%s" % (sys.argv[3], sys.argv[4])
    fcgi.request(sys.argv[2], [("QUERY_STRING", q)])
EOF
	sleep 0.2
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	n=$(grep -cE 'endsession.conf|clients.json|jwks.json|/secret' "$O/strace.out")
	# At most one look a second, four files each.
	if [ "$n" -le 8 ]; then ok; else bad "20 idle requests made $n stats of the files"; fi
	n=$(grep -c 'journal.log' "$O/strace.out")
	if [ "$n" -le 2 ]; then ok; else bad "10 sign-outs made $n stats of the journal"; fi
	n=$(grep -c "read($INFD," "$O/strace.out")
	eq "20 idle requests: no read of the inotify queue" 0 "$n"
	n=$(grep -c "read(" "$O/strace.out")
	if [ "$n" -ge 20 ]; then ok; else bad "strace saw $n reads: did it see the requests?"; fi
	strace -f -qq -e trace=read -o "$O/strace2.out" -p "$CHILD" &
	SP=$!
	sleep 0.5
	cat "$T/jwks.one" > "$T/jwks.json"
	keys_are "rewritten, same keys, under strace" rsa1
	sleep 0.2
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	n=$(grep -c "read($INFD," "$O/strace2.out")
	if [ "$n" -ge 1 ]; then ok; else bad "a change was not read from the inotify queue"; fi
else
	bad "strace is not installed"
fi

# A configuration that names other files: taken up, then looked at by stat.
cp "$T/jwks.two" "$T/jwks2.json" && chmod 0644 "$T/jwks2.json"
grep -v '^jwks' "$T/endsession.conf" > "$T/conf.new"
echo "jwks = jwks2.json" >> "$T/conf.new"
chmod 0644 "$T/conf.new" && mv "$T/conf.new" "$T/endsession.conf"
keys_are "configuration names jwks2.json" rsa2
has "configuration names other files: said" "names other files" "$O/k1.e"
cat "$T/jwks.one" > "$T/jwks2.json"
keys_are "jwks2.json rewritten in place" rsa1

kill -0 "$CHILD" 2>/dev/null && ok || bad "the child died"
es_stop_all
es_reports "$T" && ok || bad "sanitizer or valgrind reports above"
finish
