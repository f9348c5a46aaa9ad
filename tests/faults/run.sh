#!/usr/bin/env bash
# tests/faults/run.sh - fault tests against spawn-fcgi's socket directly
# (tests/faults/fcgi.py, no web server): an unwritable journal, a full
# disk, keys/clients/secret files that vanish or go bad while serving,
# clients that disconnect mid-request, short bodies, oversized FastCGI
# params and bad CONTENT_LENGTHs.  Each case asserts the documented answer
# and that both FastCGI children are still alive and serve the next
# normal request.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
FCGI="python3 $HERE/fcgi.py"
NAME=faults-run

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-faults
T2=
T3=
at_exit() {
	es_stop_all
	[ -n "$T2" ] && chmod -R u+rwx "$T2" 2>/dev/null
	rm -rf "$T2" "$T3"
}
ISS=https://op.example
RP=https://rp.example/signed-out
RPE=https%3A%2F%2Frp.example%2Fsigned-out

on_die() { cat "$T"/spawn.log 2>/dev/null >&2; }

es_fixtures "$T" "$ISS" || die fixtures
es_spawn "$T" 2 || die spawn-fcgi
SOCK=$T/es.sock
PIDS=$(cat "$T/spawn.pid")
es_wait_for -S "$SOCK" || die socket

# fc NAME [fcgi.py args]: one request; status in ST, T/NAME.{h,b,e}.
fc() {
	local n=$1
	shift
	ST=$(timeout 20 $FCGI -s "$SOCK" -o "$T/$n" "$@" 2>"$T/$n.py")
}
jlines() { if [ -f "$T/journal.log" ]; then wc -l < "$T/journal.log"; else echo 0; fi; }
alive() {
	local p dead=
	for p in $PIDS; do
		kill -0 "$p" 2>/dev/null || dead="$dead $p"
	done
	if [ -z "$dead" ]; then ok; else bad "$1: children died:$dead"; fi
}
# normal WHAT: both children alive, and a normal R request still works
# (twice, so that both children are likely to answer one).
normal() {
	alive "$1"
	fc n1 -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE&state=n"
	eq "$1: next request" 302 "$ST"
	fc n2 -q "client_id=demo-rp"
	eq "$1: next request (C)" 200 "$ST"
}
# setconf KEY VALUE: rewrite one configuration line, atomically (rename),
# so that every child reloads everything before its next request.
setconf() {
	local k=$1 v=$2
	grep -v "^$k *=" "$T/endsession.conf" > "$T/conf.new"
	[ -n "$v" ] && echo "$k = $v" >> "$T/conf.new"
	chmod 0644 "$T/conf.new"
	mv "$T/conf.new" "$T/endsession.conf"
}
# replace FILE CONTENT-FILE: atomic replacement by rename.
replace() { cp "$2" "$1.tmp$$" && chmod 0644 "$1.tmp$$" && mv "$1.tmp$$" "$1"; }
fields() { es_form_fields "$1"; }
# confirm_cookie NAME: the confirm cookie page NAME set, as a parameter.
confirm_cookie() { printf 'HTTP_COOKIE=%s' "$(es_confirm_cookie "$T/$1.h")"; }
# signed_out NAME STATUS: the answer is a sign-out (status, cookie).
signed_out() {
	eq "$1 status" "$2" "$ST"
	has "$1 cookie" "op_session=; Max-Age=0" "$T/$1.h"
}
# no_signout NAME: no Set-Cookie, no Location.
no_signout() {
	lacks "$1 no cookie" "Set-Cookie" "$T/$1.h"
	lacks "$1 no location" "Location" "$T/$1.h"
}

HINT=$(es_hint "$T" rsa.pem RS256 rsa1 "$(es_claims "$ISS" demo-rp)")
EHINT=$(es_hint "$T" p256.pem ES256 ec1 "$(es_claims "$ISS" demo-rp)")
[ -n "$HINT" ] && [ -n "$EHINT" ] || die "minting hints"
normal "start"

# ---------------------------------------------------------------- journal
# journal_fails WHAT ERRNO-TEXT: the sign-out happens anyway (302, cookies,
# Location; S 200; confirmed POST 303) and the failure reaches the FastCGI
# stderr stream, i.e. the web server's error log.
journal_fails() {
	local what=$1 msg=$2 f
	fc jf1 -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE&state=j"
	signed_out jf1 302
	eq "journal $what: location" "Location: $RP?state=j" "$(grep '^Location:' "$T/jf1.h")"
	has "journal $what: logged" "journal " "$T/jf1.e"
	has "journal $what: errno" "$msg" "$T/jf1.e"
	fc jf2 -q "id_token_hint=$EHINT"
	signed_out jf2 200
	has "journal $what: logged (S)" "$msg" "$T/jf2.e"
	fc jf3 -q "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=k"
	eq "journal $what: C" 200 "$ST"
	f=$(fields "$T/jf3.b")
	fc jf4 -m POST -p "$(confirm_cookie jf3)" -b "$f"
	signed_out jf4 303
	has "journal $what: logged (confirm)" "$msg" "$T/jf4.e"
}
setconf journal "$T/missing-dir/journal.log"
journal_fails "in a missing folder" "No such file or directory"
normal "journal in a missing folder"
mkdir "$T/jdir"
setconf journal "$T/jdir"
journal_fails "is a folder" "Is a directory"
# A reload that moves the journal out of its folder: the sandbox
# (Landlock: writes only beneath the journal's folder at start) refuses
# it; without the sandbox (valgrind, ASan) the write fails: disk full.
setconf journal /dev/full
if [ "${VALGRIND:-0}" = 1 ] || nm "$ES_BIN" 2>/dev/null | grep -q __asan_init; then
	journal_fails "disk full (/dev/full)" "No space left on device"
else
	journal_fails "moved out of its folder (/dev/full)" "Permission denied"
fi
normal "journal on /dev/full"
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$T/jro" && chmod 0500 "$T/jro"
	setconf journal "$T/jro/journal.log"
	journal_fails "folder mode 0500" "Permission denied"
	chmod 0700 "$T/jro"
fi
setconf journal journal.log
# Four requests, so that both children have reloaded before the next
# section breaks other files (see the reload-order case below).
j0=$(jlines)
for i in 1 2 3 4; do
	fc jok -q "id_token_hint=$HINT"
	eq "journal back: S ($i)" 200 "$ST"
	lacks "journal back: nothing logged ($i)" "journal" "$T/jok.e"
done
eq "journal back: four lines" $((j0 + 4)) "$(jlines)"

# Rotation: a child keeps the journal open between sign-outs, so it must
# notice the file was renamed away (logrotate without copytruncate) or
# removed, and write its next line to a new file at the configured path.
for how in rename remove; do
	for i in 1 2 3 4; do fc jr0 -q "id_token_hint=$HINT"; done
	old=$(jlines)
	if [ "$how" = rename ]; then mv "$T/journal.log" "$T/journal.log.1"; else rm "$T/journal.log"; fi
	for i in 1 2 3 4; do
		fc jr -q "id_token_hint=$HINT"
		eq "journal $how: S ($i)" 200 "$ST"
	done
	eq "journal $how: four lines in the new file" 4 "$(jlines)"
	[ "$how" = rename ] && eq "journal rename: the old file got nothing more" "$old" "$(wc -l < "$T/journal.log.1")"
done
rm -f "$T/journal.log.1"

# As root, a 0500 folder stops nobody: run a separate child as "nobody"
# with its journal in a folder it owns but may not write (mode 0500).
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	T2=$(mktemp -d "${TMPDIR:-/tmp}/es-faults-ro.XXXXXX")
	chmod 0755 "$T2"
	cp "$T"/jwks.json "$T"/clients.json "$T"/secret "$T"/endsession.conf "$T2"/
	chmod 0644 "$T2"/*
	mkdir "$T2/jro"
	chown nobody "$T2/jro"
	chmod 0500 "$T2/jro"
	sed -i "s#^journal *=.*#journal = $T2/jro/journal.log#" "$T2/endsession.conf"
	rm -f "$T2/es.sock"
	if spawn-fcgi -s "$T2/es.sock" -M 0666 -u nobody -g "$(id -gn nobody)" \
	    -F 1 -P "$T2/spawn.pid" -- "$ES_BIN" -c "$T2/endsession.conf" \
	    >>"$T2/spawn.log" 2>&1 && es_wait_for -S "$T2/es.sock"; then
		ES_PIDS+=("$(cat "$T2/spawn.pid")")
		ST=$(timeout 20 $FCGI -s "$T2/es.sock" -o "$T/ro1" \
		    -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE")
		signed_out ro1 302
		has "journal folder 0500 (as nobody): logged" "Permission denied" "$T/ro1.e"
		[ ! -e "$T2/jro/journal.log" ] && ok || bad "journal written into a 0500 folder"
		kill -0 "$(cat "$T2/spawn.pid")" 2>/dev/null && ok || bad "nobody child died"
	elif ! setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    test -x "$ES_BIN" 2>/dev/null; then
		bad "nobody cannot reach $ES_BIN: a folder above it is not searchable by others (run the suite from one that is)"
	else
		bad "cannot spawn a child as nobody: $(cat "$T2/spawn.log")"
	fi
fi

# ---------------------------------------------------------------- keys file
# errlog PATTERN WHAT: over the next requests (one per child at least),
# the reload failure reaches the FastCGI stderr stream.
errlog() {
	local pat=$1 what=$2 i
	: > "$T/elog"
	for i in 1 2 3 4; do
		fc el -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE"
		eq "$what: valid hint still accepted ($i)" 302 "$ST"
		cat "$T/el.e" >> "$T/elog"
	done
	has "$what: logged" "$pat" "$T/elog"
}
cp "$T/jwks.json" "$T/jwks.good"
rm "$T/jwks.json" && mkdir "$T/jwks.json"
errlog "jwks.json: " "keys file replaced by a folder"
grep -q "keeping the last good copy" "$T/elog" && ok || bad "keys folder: no 'keeping the last good copy'"
fc k2 -q "id_token_hint=$EHINT"
signed_out k2 200
rmdir "$T/jwks.json"
errlog "jwks.json: cannot be read; keeping the last good copy" "keys file vanished"
if [ "$(id -u)" != 0 ]; then
	cp "$T/jwks.good" "$T/jwks.json" && chmod 000 "$T/jwks.json"
	errlog "jwks.json" "keys file mode 000"
	chmod 0644 "$T/jwks.json"
fi
replace "$T/jwks.json" "$T/jwks.good"
normal "keys file back"

# ------------------------------------------------------------- clients file
cp "$T/clients.json" "$T/clients.good"
rm "$T/clients.json"
errlog "clients.json: cannot be read; keeping the last good copy" "clients file vanished"
fc cl1 -q "client_id=other-rp&post_logout_redirect_uri=https%3A%2F%2Fother.example%2Fbye"
eq "clients vanished: other-rp still known (C)" 200 "$ST"
fc cl2 -q "client_id=nobody"
eq "clients vanished: unknown still unknown" 400 "$ST"
mkdir "$T/clients.json"
errlog "clients.json: " "clients file replaced by a folder"
rmdir "$T/clients.json"
printf '{"clients":[{"client_id":"demo-rp"' > "$T/clients.broken"
replace "$T/clients.json" "$T/clients.broken"
errlog "keeping the last good copy" "clients file broken"
replace "$T/clients.json" "$T/clients.good"
normal "clients file back"

# ------------------------------------------------------------------ secret
# A form minted under the current secret.
fc sf -q "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=sec"
eq "secret: form" 200 "$ST"
FORM=$(fields "$T/sf.b")
FC=$(confirm_cookie sf)
case $FORM in *confirm=*) ok ;; *) bad "secret: no token in the form: $FORM" ;; esac
cp "$T/secret" "$T/secret.good"
head -c 31 /dev/urandom > "$T/secret.short"
replace "$T/secret" "$T/secret.short"
j0=$(jlines)
: > "$T/elog"
for i in 1 2 3 4; do
	fc s1 -m POST -p "$FC" -b "$FORM"
	eq "short secret: old token still valid ($i)" 303 "$ST"
	cat "$T/s1.e" >> "$T/elog"
done
has "short secret: logged" "holds 31 bytes" "$T/elog"
has "short secret: logged keeping" "keeping the last good copy" "$T/elog"
eq "short secret: journal" $((j0 + 4)) "$(jlines)"
head -c 4097 /dev/urandom > "$T/secret.long"
replace "$T/secret" "$T/secret.long"
fc s1b -m POST -p "$FC" -b "$FORM"
eq "4097-byte secret refused, old kept" 303 "$ST"
openssl rand 48 > "$T/secret.new"
replace "$T/secret" "$T/secret.new"
j0=$(jlines)
for i in 1 2 3 4; do
	fc s2 -m POST -p "$FC" -b "$FORM"
	eq "new secret: old token refused ($i)" 400 "$ST"
	no_signout s2
done
eq "new secret: no journal line" "$j0" "$(jlines)"
fc sf2 -q "client_id=demo-rp&post_logout_redirect_uri=$RPE&state=sec2"
fc s3 -m POST -p "$(confirm_cookie sf2)" -b "$(fields "$T/sf2.b")"
eq "new secret: new token valid" 303 "$ST"
normal "secret replaced"

# ------------------------------------------------- reload order (one child)
# A new, valid configuration arrives while a file it names is briefly
# unreadable (here: the keys file, mid-replacement).  The child must keep
# serving (last good copy) and, once the keys file is back, take up the
# new configuration.  It must not remember the valid configuration as
# "bad" for good.
T3=$(mktemp -d "${TMPDIR:-/tmp}/es-faults-order.XXXXXX")
chmod 0755 "$T3"
cp "$T/jwks.good" "$T3/jwks.json"
cp "$T/clients.good" "$T3/clients.json"
cp "$T/secret" "$T3/secret"
cp "$T/endsession.conf" "$T3/endsession.conf"
rm -f "$T3/es.sock"
if spawn-fcgi -s "$T3/es.sock" -M 0666 -F 1 -P "$T3/spawn.pid" -- \
    "$ES_BIN" -c "$T3/endsession.conf" >>"$T3/spawn.log" 2>&1 &&
    es_wait_for -S "$T3/es.sock"; then
	ES_PIDS+=("$(cat "$T3/spawn.pid")")
	f3() { ST=$(timeout 20 $FCGI -s "$T3/es.sock" -o "$T/$1" \
	    -q "id_token_hint=$HINT&post_logout_redirect_uri=$RPE"); }
	f3 o1
	eq "order: first" 302 "$ST"
	mv "$T3/jwks.json" "$T3/jwks.away"
	sed 's#^journal *=.*#journal = journal2.log#' "$T3/endsession.conf" > "$T3/c.new"
	mv "$T3/c.new" "$T3/endsession.conf"
	f3 o2
	eq "order: keys gone, new conf: still serving" 302 "$ST"
	has "order: logged" "keeping the last good copy" "$T/o2.e"
	mv "$T3/jwks.away" "$T3/jwks.json"
	f3 o3
	eq "order: keys back" 302 "$ST"
	cp "$T3/jwks.json" "$T3/j.new" && mv "$T3/j.new" "$T3/jwks.json"
	f3 o4
	eq "order: keys replaced" 302 "$ST"
	n1=$(cat "$T3/journal.log" 2>/dev/null | wc -l)
	n2=$(cat "$T3/journal2.log" 2>/dev/null | wc -l)
	# Expected: o1 in journal.log, o2 in either, o3 and o4 in journal2.log.
	if [ "$n2" -ge 2 ]; then ok; else
		bad "order: the new configuration (journal = journal2.log) was never taken up after the keys file came back: journal.log $n1 lines, journal2.log $n2 lines (src/state.c state_refresh: bad_conf set when another file failed)"
	fi
	kill -0 "$(cat "$T3/spawn.pid")" 2>/dev/null && ok || bad "order: child died"
else
	bad "order: cannot spawn"
fi

# ------------------------------------------------------------ disconnects
BODY="id_token_hint=$HINT&state=$(head -c 3000 /dev/zero | tr '\0' x)"
j0=$(jlines)
for f in close-after-begin close-half-params close-after-params \
    close-half-stdin short-body-close close-before-read huge-length; do
	for i in 1 2 3; do
		fc d -m POST -b "$BODY" --fault "$f"
	done
	normal "disconnect $f"
done
# close-before-read sent a full valid request: the child may have served
# it (3 sign-outs); nothing else may have signed anyone out.
j1=$(jlines)
n=$((j1 - j0))
# normal() made 7 sign-outs (one per variant); close-before-read up to 3.
if [ "$n" -ge 7 ] && [ "$n" -le 10 ]; then ok; else bad "disconnects: $n journal lines, expected 7..10"; fi

# ------------------------------------------------- body shorter than CL
j0=$(jlines)
fc sb1 -m POST -b "$BODY" --fault short-body-end
eq "short body, STDIN ended: 400" 400 "$ST"
no_signout sb1
fc sb2 -m POST -b "$BODY" --fault short-body-shutdown
case $ST in 400|closed) ok ;; *) bad "short body, shutdown: $ST" ;; esac
no_signout sb2
fc sb3 -m POST -b "$BODY" --content-length $(( ${#BODY} + 10 ))
eq "CONTENT_LENGTH > body: 400" 400 "$ST"
no_signout sb3
eq "short bodies: no journal line" "$j0" "$(jlines)"
normal "short bodies"

# ------------------------------------------------------ oversized params
fc p1 --big-query 1048576
eq "1 MB QUERY_STRING: 400" 400 "$ST"
normal "1 MB QUERY_STRING"
fc p2 --many-params 10000 -q client_id=demo-rp
case $ST in 200|closed) ok ;; *) bad "10000 params: $ST" ;; esac
normal "10000 params"
fc p3 --big-name 65536 -q client_id=demo-rp
case $ST in 200|closed) ok ;; *) bad "64 KiB param name: $ST" ;; esac
normal "64 KiB param name"
fc p4 -q client_id=demo-rp --fill "HTTP_COOKIE=1048576:op_sid="
eq "1 MB Cookie: ignored, C" 200 "$ST"
fc p5 -q client_id=demo-rp --fill "HTTP_ACCEPT_LANGUAGE=1048576:en"
eq "1 MB Accept-Language: ignored, C" 200 "$ST"
fc p6 -q client_id=demo-rp --fill "REMOTE_ADDR=1048576:1"
case $ST in 200|400) ok ;; *) bad "1 MB REMOTE_ADDR: $ST" ;; esac
normal "1 MB headers"

# ------------------------------------------------------ CONTENT_LENGTH
j0=$(jlines)
python3 -c 'import sys; b = "id_token_hint=" + sys.argv[1] + "&x="; sys.stdout.write(b + "a" * (16385 - len(b)))' "$HINT" > "$T/body16k1"
eq "body file is 16385 bytes" 16385 "$(wc -c < "$T/body16k1")"
fc cl1 -m POST -B "$T/body16k1"
eq "CONTENT_LENGTH 16385: 400" 400 "$ST"
no_signout cl1
for v in abc 12a -1 " 10" "10 " 0x10 1e3 99999999999999999999999 +10; do
	fc cl2 -m POST -b "id_token_hint=$HINT" --content-length "$v"
	eq "CONTENT_LENGTH '$v': 400" 400 "$ST"
	no_signout cl2
done
eq "bad CONTENT_LENGTHs: no journal line" "$j0" "$(jlines)"
normal "bad CONTENT_LENGTH"

es_stop_all
es_reports "$T" && ok || bad "sanitizer or valgrind reports above"
finish
