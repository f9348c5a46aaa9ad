#!/usr/bin/env bash
# tests/faults/privilege.sh - the FastCGI child as an unprivileged user
# (endsession-test, created with useradd when missing; spawn-fcgi -u/-g):
# keys, clients, configuration owned by root 0644, the secret root:GROUP
# 0640, the journal folder the only place it may write.  Every outcome
# still works; files it may not read or a journal folder it may not write
# are reported and do not stop it; and strace (when it can attach) shows
# it opens nothing for writing but the journal.  With notifications on, the
# private signing key is the notifier's user's alone (endsession-ntest): the
# endpoint cannot read it and works without it.  Needs root (else skipped).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
NAME=faults-privilege
FCGI="python3 $HERE/fcgi.py"
U=endsession-test

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

if [ "$(id -u)" != 0 ]; then
	echo "$NAME: not root, cannot create users or switch to them; skipped"
	echo "$NAME: 0 passed, 0 failed"
	exit 0
fi
if ! id "$U" >/dev/null 2>&1; then
	useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$U" ||
	    { echo "$NAME: useradd failed"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
fi
G=$(id -gn "$U")

scratch es-priv
STRACE=
at_exit() {
	[ -n "$STRACE" ] && kill "$STRACE" 2>/dev/null
	es_stop_all
	chmod -R u+rwx "$T" 2>/dev/null
}
ISS=https://op.example
RP=https://rp.example/signed-out
RPE=https%3A%2F%2Frp.example%2Fsigned-out

es_fixtures "$T" "$ISS" || die fixtures
chown root:root "$T" "$T"/*
JD=$T/journal
J=$JD/journal.log
mkdir "$JD"
chown "$U:$G" "$JD"
chmod 0750 "$JD"
sed -i "s#^journal *=.*#journal = $J#" "$T/endsession.conf"
chmod 0755 "$T"
chmod 0644 "$T/jwks.json" "$T/clients.json" "$T/endsession.conf"
chown "root:$G" "$T/secret"
chmod 0640 "$T/secret"

setpriv --reuid="$U" --regid="$G" --clear-groups test -x "$ES_BIN" 2>/dev/null ||
    die "$U cannot reach $ES_BIN: a folder above it is not searchable by others (run the suite from one that is)"
rm -f "$T/es.sock"
spawn-fcgi -s "$T/es.sock" -M 0666 -u "$U" -g "$G" -F 1 -P "$T/spawn.pid" \
    -- "$ES_BIN" -c "$T/endsession.conf" >>"$T/spawn.log" 2>&1 || die "spawn-fcgi: $(cat "$T/spawn.log")"
CHILD=$(cat "$T/spawn.pid")
ES_PIDS+=("$CHILD")
for i in $(seq 1 50); do [ -S "$T/es.sock" ] && break; sleep 0.1; done
uid=$(awk '/^Uid:/ {print $2 "/" $3 "/" $4}' "/proc/$CHILD/status")
eq "child runs as $U (real/effective/saved uid)" "$(id -u "$U")/$(id -u "$U")/$(id -u "$U")" "$uid"
gid=$(awk '/^Gid:/ {print $2 "/" $3}' "/proc/$CHILD/status")
eq "child's group" "$(id -g "$U")/$(id -g "$U")" "$gid"
groups=$(awk '/^Groups:/ {$1 = ""; print}' "/proc/$CHILD/status" | tr -s ' ' | sed 's/^ //; s/ $//')
case " $groups " in *" 0 "*) bad "child keeps supplementary group root: $groups" ;; *) ok ;; esac

fc() {
	local n=$1
	shift
	ST=$(timeout 20 $FCGI -s "$T/es.sock" -o "$T/$n" "$@" 2>/dev/null)
}
fields() { es_form_fields "$1"; }
jlines() { if [ -f "$J" ]; then wc -l < "$J"; else echo 0; fi; }
HINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
EHINT=$(es_hint "$T" p256.pem ES256 ec1 "$(es_claims "$ISS" demo-rp)")

# outcomes WHAT: every outcome once; journal lines for the sign-outs.
outcomes() {
	local w=$1 j0 f
	j0=$(jlines)
	fc o1 -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE&state=p"
	eq "$w: R" 302 "$ST"
	has "$w: R cookie" "op_session=; Max-Age=0" "$T/o1.h"
	fc o2 -q "id_token_hint=$EHINT"
	eq "$w: S" 200 "$ST"
	fc o3 -q "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=q"
	eq "$w: C" 200 "$ST"
	f=$(fields "$T/o3.b")
	fc o4 -m POST -p "HTTP_COOKIE=$(es_confirm_cookie "$T/o3.h")" -b "$f"
	eq "$w: confirmed" 303 "$ST"
	fc o5 -q "client_id=nobody"
	eq "$w: E" 400 "$ST"
	fc o6 -m PUT
	eq "$w: 405" 405 "$ST"
	eq "$w: journal lines" $((j0 + 3)) "$(jlines)"
}

# strace over the outcomes and a reload of each file.
if ! command -v strace >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q strace >/dev/null 2>&1
fi
if command -v strace >/dev/null; then
	strace -f -q -p "$CHILD" -e trace=open,openat,openat2,creat -o "$T/strace.out" 2>"$T/strace.err" &
	STRACE=$!
	sleep 1
	if ! kill -0 "$STRACE" 2>/dev/null; then
		echo "strace cannot attach ($(head -c 200 "$T/strace.err")); strace part skipped"
		STRACE=
	fi
else
	echo "strace not installed; strace part skipped"
fi

outcomes "as $U"
# A reload of every file while traced.
for f in jwks.json clients.json secret endsession.conf; do
	cp -p "$T/$f" "$T/$f.tmp" && mv "$T/$f.tmp" "$T/$f"
done
fc r1 -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE"
eq "after reloads: R" 302 "$ST"
has "after reloads: reloaded" "reloaded" "$T/r1.e"
outcomes "after reloads"

if [ -n "$STRACE" ]; then
	kill "$STRACE" 2>/dev/null
	wait "$STRACE" 2>/dev/null
	STRACE=
	opens=$(grep -cE 'open(at2?)?\(|creat\(' "$T/strace.out")
	echo "strace: $opens open calls traced"
	has "strace saw the journal opened" "$J" "$T/strace.out"
	has "strace saw the keys file read" "jwks.json" "$T/strace.out"
	# Opens for writing or creating anything but the journal.
	grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|creat\(' "$T/strace.out" |
	    grep -vF "\"$J\"" > "$T/writes"
	if [ -s "$T/writes" ]; then bad "opens for writing besides the journal: $(head -5 "$T/writes")"; else ok; fi
	grep -F "\"$J\"" "$T/strace.out" | grep -q 'O_APPEND' && ok || bad "journal not opened O_APPEND"
fi

# The process cannot write where it must not (as the user, not by trust).
for f in "$T/jwks.json" "$T/clients.json" "$T/secret" "$T/endsession.conf" "$T"; do
	if setpriv --reuid="$U" --regid="$G" --clear-groups test -w "$f" 2>/dev/null; then
		bad "$U can write $f"
	else ok; fi
done
st=$(stat -c '%U %a' "$J")
eq "journal owner and mode" "$U 640" "$st"

# Unreadable for this user (meaningful here: not root): a keys file of
# mode 0600 root, then a secret of mode 0600 root: logged, last good copy.
cp "$T/jwks.json" "$T/jwks.good"
cp "$T/jwks.json" "$T/jwks.tmp" && chmod 0600 "$T/jwks.tmp" && mv "$T/jwks.tmp" "$T/jwks.json"
fc u1 -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE"
eq "keys file unreadable: valid hint still accepted" 302 "$ST"
has "keys file unreadable: logged" "keeping the last good copy" "$T/u1.e"
has "keys file unreadable: why" "ermission denied" "$T/u1.e"
cp "$T/jwks.good" "$T/jwks.tmp" && chmod 0644 "$T/jwks.tmp" && mv "$T/jwks.tmp" "$T/jwks.json"
fc u2 -q "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=u"
FORM=$(fields "$T/u2.b")
cp "$T/secret" "$T/secret.good"
openssl rand 48 > "$T/secret.tmp" && chmod 0600 "$T/secret.tmp" && mv "$T/secret.tmp" "$T/secret"
fc u3 -m POST -p "HTTP_COOKIE=$(es_confirm_cookie "$T/u2.h")" -b "$FORM"
eq "secret unreadable: old token still valid" 303 "$ST"
has "secret unreadable: logged" "keeping the last good copy" "$T/u3.e"
# The journal folder made read-only for the user: sign-out still happens.
chmod 0550 "$JD"
rm -f "$J" 2>/dev/null
fc u4 -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE"
eq "journal folder 0550: signed out anyway" 302 "$ST"
has "journal folder 0550: cookie" "op_session=; Max-Age=0" "$T/u4.h"
has "journal folder 0550: logged" "Permission denied" "$T/u4.e"
chmod 0750 "$JD"

# ----------------------------------------------- the notifier's private key
# Notifications on: the private signing key belongs to the notifier's own
# user (0400 in a 0700 folder).  The endpoint's user cannot read it and
# never needs to: every outcome still works, and --check as that user says
# it did not check the key; the notifier's user (in the endpoint's group,
# for the journal) loads it.
NU=endsession-ntest
# The secret back as it was (root:GROUP 0640) for --check.
install -o root -g "$G" -m 0640 "$T/secret.good" "$T/secret"
if ! id "$NU" >/dev/null 2>&1; then
	useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$NU" ||
	    die "useradd $NU"
fi
NG=$(id -gn "$NU")
mkdir "$T/nk" && python3 "$HERE/../notify/mkkeys.py" "$T/nk" || die "mkkeys"
# Their key ids apart from the fixtures'; the public halves join the keys file.
python3 - "$T/nk" "$T/jwks.json" <<'PY' || die "merging keys"
import json, sys
d, jw = sys.argv[1], sys.argv[2]
priv = json.load(open(d + "/signing.jwk"))
pub = json.load(open(d + "/jwks.json"))
for k in priv["keys"] + pub["keys"]:
    k["kid"] = "n-" + k["kid"]
json.dump(priv, open(d + "/signing.jwk", "w"))
keys = json.load(open(jw))
keys["keys"] += pub["keys"]
json.dump(keys, open(jw + ".tmp", "w"))
PY
chmod 0644 "$T/jwks.json.tmp" && mv "$T/jwks.json.tmp" "$T/jwks.json"
mkdir "$T/private" "$T/nstate"
install -o "$NU" -g "$NG" -m 0400 "$T/nk/signing.jwk" "$T/private/signing.jwk"
chown "$NU:$NG" "$T/private" "$T/nstate"
chmod 0700 "$T/private" "$T/nstate"
rm -rf "$T/nk"
cp -p "$T/endsession.conf" "$T/conf.tmp"
printf 'signing_key = %s\nnotify_state = %s\n' "$T/private/signing.jwk" \
    "$T/nstate/state.db" >> "$T/conf.tmp"
mv "$T/conf.tmp" "$T/endsession.conf"
if setpriv --reuid="$U" --regid="$G" --clear-groups head -c 1 "$T/private/signing.jwk" >/dev/null 2>&1; then
	bad "$U can read the private signing key"
else ok; fi
outcomes "with notifications on, key unreadable"
j=$(tail -n 1 "$J" 2>/dev/null)
case $j in *'"event":"logout"'*) ok ;; *) bad "no journal line with notifications on: $j" ;; esac
setpriv --reuid="$U" --regid="$G" --clear-groups "$ES_BIN" --check -c "$T/endsession.conf" > "$T/chk.out" 2>&1
rc=$?
eq "--check as $U with the key unreadable: exit ($(head -c 300 "$T/chk.out"))" 0 "$rc"
has "--check as $U: the key not checked" "signing key not readable here, not checked" "$T/chk.out"
NOTIFY=$(dirname "$ES_BIN")/endsession-notify
setpriv --reuid="$NU" --regid="$NG" --groups="$(id -g "$U")" "$NOTIFY" --check -c "$T/endsession.conf" > "$T/nchk.out" 2>&1
rc=$?
eq "notifier --check as $NU: exit ($(head -c 300 "$T/nchk.out"))" 0 "$rc"
lacks "notifier --check as $NU: the key read" "not readable" "$T/nchk.out"
if setpriv --reuid="$NU" --regid="$NG" --groups="$(id -g "$U")" test -w "$J" 2>/dev/null; then
	bad "$NU can write the journal"
else ok; fi

kill -0 "$CHILD" 2>/dev/null && ok || bad "child died"
es_stop_all
finish
