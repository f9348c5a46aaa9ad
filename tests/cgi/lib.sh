# tests/cgi/lib.sh - shared setup and helpers for the CGI shell tests.
#
# Sourced by tests/cgi/test_*.sh (bash).  Runs build/endsession as a plain
# CGI program (docs/design.md section 1) with keys, JWKS, clients and tokens
# made at run time in a temporary folder:
#   the common fixtures of tests/lib/fixtures.sh: keys rsa.pem (kid
#   rsa1), p256.pem (ec1), p384.pem (ec384), ed.pem (ed1), rsa.pub (the
#   RSA public key as PEM), jwks.json, clients.json, secret,
#   endsession.conf
# Environment: B (build folder, default build), VALGRIND=1 (run the binary
# under valgrind; any report fails the test), ES_TRACE (a command put
# before the binary: tests/sandbox/census.sh runs it under strace).
#
# Helpers:
#   cgi_get QUERY [VAR=value ...]      GET with QUERY_STRING
#   cgi_post BODY [VAR=value ...]      POST, urlencoded, CONTENT_LENGTH set
#   cgi_req METHOD QUERY BODY [VAR=value ...]
# each sets STATUS, BODY, RC and the header table (hdr NAME, hdr_n NAME),
# and the journal lines written by that request (JNEW, JLINES).
# Like a browser, they keep the confirm cookie a confirmation page sets
# (JAR) and send it back, added to any HTTP_COOKIE given; NOJAR=1 sends
# no confirm cookie.
# Every request's environment starts empty (env -i) apart from a few CGI
# variables; later VAR=value arguments override the defaults.

set -u

CGI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$CGI_ROOT/$B ;; esac
ES=$B/endsession
MINT=$B/endsession-mint
ISS=https://op.example
SCRIPT=/oauth/end_session
NOW=$(date +%s)
PASS=0
FAIL=0
CASE=
ENC_STATE=
JAR=
NOJAR=0
CONFIRM_COOKIE=__Host-endsession-confirm

for f in "$ES" "$MINT"; do
	if [ ! -x "$f" ]; then
		echo "cgi: $f missing (make first)" >&2
		echo "cgi: 0 passed, 1 failed"
		exit 1
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/es-cgi.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
CONF=$T/endsession.conf
JOURNAL=$T/journal.log

# ------------------------------------------------------------ fixtures

. "$CGI_ROOT/tests/lib/fixtures.sh"

cgi_setup() {
	ES_MINT=$MINT ES_ROOT=$CGI_ROOT fixtures "$T" "$ISS" ||
	    { echo "cgi: fixture setup failed" >&2; echo "cgi: 0 passed, 1 failed"; exit 1; }
}

# ------------------------------------------------------------- tokens

# claims [AUD_JSON [SID [IAT [EXP [EXTRA_MEMBERS]]]]]: a hint's claims.
# AUD_JSON is JSON ('"app"' or '["app","q"]'); SID "-" leaves sid out.
claims() {
	local aud=${1:-'"app"'} sid=${2:-sid-1} iat=${3:-$((NOW - 10))}
	local exp=${4:-$((NOW + 300))} extra=${5:-}
	local s=
	[ "$sid" = - ] || s=",\"sid\":\"$sid\""
	printf '{"iss":"%s","aud":%s,"sub":"alice"%s,"iat":%s,"exp":%s%s}' \
	    "$ISS" "$aud" "$s" "$iat" "$exp" "${extra:+,$extra}"
}

# mint KEYNAME ALG KID CLAIMS [extra endsession-mint options]
# KID "-" leaves kid out.  KEYNAME is a file in $T (rsa.pem, rsa.pub, ...).
mint() {
	local key=$1 alg=$2 kid=$3 cl=$4
	shift 4
	if [ "$kid" = - ]; then
		"$MINT" sign -k "$T/$key" -a "$alg" "$@" "$cl"
	else
		"$MINT" sign -k "$T/$key" -a "$alg" -i "$kid" "$@" "$cl"
	fi
}

# A valid RS256 hint for client app, sid sid-1.
good_hint() { mint rsa.pem RS256 rsa1 "$(claims "$@")"; }

# -------------------------------------------------------------- coding

# Percent-encodes every byte but unreserved ones (as a form would, %20
# for a space).
urlenc() {
	printf '%s' "$1" | perl -e 'local $/; my $s = <STDIN>;
	    $s =~ s/([^A-Za-z0-9\-._~])/sprintf("%%%02X", ord $1)/ge;
	    print $s'
}

# Strict percent-decoding ("+" stays "+").
urldec() {
	printf '%s' "$1" | perl -e 'local $/; my $s = <STDIN>;
	    $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; print $s'
}

# --------------------------------------------------------------- running

jcount() {
	local -a l=()
	[ -f "$JOURNAL" ] && mapfile -t l < "$JOURNAL"
	echo "${#l[@]}"
}

# cgi_req METHOD QUERY BODY [VAR=value ...]
cgi_req() {
	local m=$1 q=$2 body=$3
	shift 3
	local -a vg=() args=()
	local before a had=0 c
	if [ "${VALGRIND:-0}" = 1 ]; then
		# valgrind cannot run a seccomp filter: no sandbox under it.
		vg=(env ENDSESSION_SANDBOX=0 valgrind -q --error-exitcode=99 --leak-check=full
		    --errors-for-leak-kinds=definite,indirect
		    --log-file="$T/valgrind.log")
	fi
	before=$(jcount)
	for a in "$@"; do
		case $a in
		HTTP_COOKIE=*)
			had=1
			[ -n "$JAR" ] && [ "$NOJAR" != 1 ] && a="$a; $JAR" ;;
		esac
		args+=("$a")
	done
	[ "$had" = 0 ] && [ -n "$JAR" ] && [ "$NOJAR" != 1 ] &&
	    args+=("HTTP_COOKIE=$JAR")
	printf '%s' "$body" > "$T/in"
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=op.example SERVER_PORT=443 \
	    HTTPS=on SCRIPT_NAME="$SCRIPT" REMOTE_ADDR=192.0.2.7 \
	    REQUEST_METHOD="$m" QUERY_STRING="$q" "${args[@]}" \
	    ${ES_TRACE:-} "${vg[@]}" "$ES" -c "$CONF" < "$T/in" > "$T/out" 2> "$T/err"
	RC=$?
	# Split "headers CRLF CRLF body"; header lines lose their CR.  One
	# perl for the split and its checks; the rest is bash builtins, so a
	# request costs few processes (make check stays short).
	perl -e 'local $/; open my $f, "<", $ARGV[0] or die; my $o = <$f>;
	    my $i = index($o, "\r\n\r\n");
	    my ($h, $b) = $i < 0 ? ($o, "") : (substr($o, 0, $i),
	        substr($o, $i + 4));
	    open my $hf, ">", $ARGV[1] or die; print $hf
	        join("\n", split(/\r\n/, $h, -1)), "\n";
	    open my $bf, ">", $ARGV[2] or die; print $bf $b;
	    my $bad = ($h =~ /\0/ || $h =~ /\r(?!\n)/ || $h =~ /(?<!\r)\n/) ? 1 : 0;
	    open my $sf, ">", $ARGV[3] or die;
	    print $sf ($i < 0 ? 0 : 1), " $bad";' \
	    "$T/out" "$T/hdr" "$T/body" "$T/split"
	BODY=$(< "$T/body")
	mapfile -t HDRS < "$T/hdr"
	STATUS=
	local re='^[Ss][Tt][Aa][Tt][Uu][Ss]:[[:space:]]*([0-9][0-9][0-9])'
	for a in "${HDRS[@]}"; do
		if [[ $a =~ $re ]]; then STATUS=${BASH_REMATCH[1]}; break; fi
	done
	if [ -z "$STATUS" ]; then
		# RFC 3875 6.2: no Status means 200, or 302 with a Location.
		if [ -n "$(hdr Location)" ]; then STATUS=302; else STATUS=200; fi
	fi
	re="^$CONFIRM_COOKIE=[A-Za-z0-9_-]*"
	while IFS= read -r c; do
		if [[ $c =~ $re ]]; then JAR=${BASH_REMATCH[0]}; break; fi
	done < <(hdr Set-Cookie)
	JNEW=$(( $(jcount) - before ))
	JLINES=
	[ "$JNEW" -gt 0 ] && JLINES=$(tail -n "$JNEW" "$JOURNAL")
	if [ "${VALGRIND:-0}" = 1 ] && [ "$RC" = 99 ]; then
		bad "valgrind reported errors: $(head -c 2000 "$T/valgrind.log")"
	fi
	if [ "$RC" != 0 ] && [ "$RC" != 99 ]; then
		bad "endsession exited $RC: $(head -c 500 "$T/err")"
	fi
	case $(< "$T/split") in
	"1 0") ;;
	"0 "*) bad "response has no CRLF CRLF after the headers" ;;
	*) bad "NUL, bare CR or bare LF in the headers" ;;
	esac
	return 0
}

cgi_get() {
	local q=$1
	shift
	cgi_req GET "$q" "" "$@"
}

cgi_post() {
	local b=$1
	shift
	cgi_req POST "" "$b" CONTENT_TYPE=application/x-www-form-urlencoded \
	    CONTENT_LENGTH="${#b}" "$@"
}

# hdr NAME: the values of header NAME (case-insensitive), one per line
# (from HDRS, the last response's header lines; bash only, no process).
hdr() {
	local n=${1,,} l k v
	for l in "${HDRS[@]}"; do
		[[ $l == *:* ]] || continue
		k=${l%%:*}
		[ "${k,,}" = "$n" ] || continue
		v=${l#*:}
		v=${v#"${v%%[! $'\t']*}"}
		v=${v%"${v##*[! $'\t']}"}
		printf '%s\n' "$v"
	done
}
# hdr_n NAME: how many NAME headers the last response had.
hdr_n() {
	local n=${1,,} l k c=0
	for l in "${HDRS[@]}"; do
		[[ $l == *:* ]] || continue
		k=${l%%:*}
		[ "${k,,}" = "$n" ] && c=$((c + 1))
	done
	echo "$c"
}

# --------------------------------------------------------------- asserts

# t NAME: names the case that following assertions belong to.
t() { CASE=$1; }

ok() { PASS=$((PASS + 1)); }
bad() {
	FAIL=$((FAIL + 1))
	printf 'FAIL: %s: %s\n' "$CASE" "$1"
}

check() { # check DESC COMMAND...
	local d=$1
	shift
	if "$@"; then ok; else bad "$d"; fi
}

eq() { # eq DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi
}

status_is() { eq "status" "$1" "$STATUS"; }
body_has() {
	if grep -qF -- "$1" "$T/body"; then ok; else bad "body lacks [$1]"; fi
}
body_lacks() {
	if grep -qF -- "$1" "$T/body"; then bad "body has [$1]"; else ok; fi
}
hdr_is() { eq "header $1" "$2" "$(hdr "$1")"; }
no_hdr() {
	if [ "$(hdr_n "$1")" = 0 ]; then ok; else bad "unexpected header $1: $(hdr "$1" | head -n 3)"; fi
}

# Every response: Cache-Control no-store; no CR/NUL left in the headers.
check_common() {
	local cc
	cc=$(hdr Cache-Control)
	case $cc in
	*no-store*) ok ;;
	*) bad "Cache-Control is [$cc], want no-store" ;;
	esac
}

# HTML responses: the security headers of docs/design.md section 7.
check_html() {
	local csp
	hdr_is Content-Type "text/html; charset=utf-8"
	csp=$(hdr Content-Security-Policy)
	case $csp in
	*"frame-ancestors 'none'"*) ok ;;
	*) bad "CSP [$csp] lacks frame-ancestors 'none'" ;;
	esac
	hdr_is X-Frame-Options DENY
	hdr_is Referrer-Policy no-referrer
	hdr_is X-Content-Type-Options nosniff
	if grep -q "<html[^>]* lang=\"" "$T/body"; then ok; else bad "no <html lang>"; fi
	# The pages never run scripts or submit themselves.
	if grep -qiE '<script|http-equiv="?refresh|\.submit\(' "$T/body"; then
		bad "page has a script or a refresh"
	else
		ok
	fi
}

page_lang() { sed -n 's/.*<html[^>]* lang="\([^"]*\)".*/\1/p' "$T/body" | head -n 1; }

# No sign-out effects: no Set-Cookie but the confirm cookie of a
# confirmation page, no journal line.
no_signout() {
	local x other=
	local re="^$CONFIRM_COOKIE=[A-Za-z0-9_-]{22}; Max-Age=600;"
	while IFS= read -r x; do
		[[ $x =~ $re ]] || other="$other[$x]"
	done < <(hdr Set-Cookie)
	if [ -z "$other" ]; then ok; else bad "unexpected Set-Cookie: ${other:0:600}"; fi
	eq "journal lines" 0 "$JNEW"
}

# The confirm cookie of a confirmation page: exactly one, __Host- rules
# (RFC 6265bis section 4.1.3.2), SameSite=Strict, the token's lifetime.
check_confirm_cookie() {
	local x v= n=0
	local re="^$CONFIRM_COOKIE=[A-Za-z0-9_-]{22}; Max-Age=600; Path=/; Secure; HttpOnly; SameSite=Strict\$"
	while IFS= read -r x; do
		[[ $x == "$CONFIRM_COOKIE="* ]] && { n=$((n + 1)); v=$x; }
	done < <(hdr Set-Cookie)
	eq "confirm cookies" 1 "$n"
	if [[ $v =~ $re ]]; then
		ok
	else
		bad "confirm cookie [$v]"
	fi
}

# No Set-Cookie at all.
no_cookie() { no_hdr Set-Cookie; }

# The Set-Cookie headers that expire op_session and __Host-op_csrf (bash only:
# this runs for every sign-out of the suite).
check_cookies() {
	local c v a x found
	local -a vals attrs
	mapfile -t vals < <(hdr Set-Cookie)
	for c in op_session __Host-op_csrf; do
		v=
		for x in "${vals[@]}"; do
			[[ $x == "$c="* ]] && { v=$x; break; }
		done
		if [ -z "$v" ]; then
			bad "no Set-Cookie for $c"
			continue
		fi
		IFS=';' read -r -a attrs <<< "$v"
		attrs=("${attrs[@]:1}")
		for a in Max-Age=0 Path=/ Secure HttpOnly SameSite=Lax; do
			found=0
			for x in "${attrs[@]}"; do
				x=${x#"${x%%[! ]*}"}
				x=${x%"${x##*[! ]}"}
				[ "${x,,}" = "${a,,}" ] && found=1
			done
			if [ "$found" = 1 ]; then ok; else
				bad "Set-Cookie $c lacks $a: [$v]"
			fi
		done
		found=0
		for x in "${attrs[@]}"; do
			x=${x#"${x%%[! ]*}"}
			[[ ${x,,} == domain=* ]] && found=1
		done
		if [ "$found" = 1 ]; then
			bad "Set-Cookie $c has a Domain: [$v]"
		else
			ok
		fi
	done
}

# journal_ok VIA CLIENT_ID SUB SID: exactly one new journal line, as in
# docs/design.md section 8 (CLIENT_ID, SUB, SID "-" when they must be absent).
journal_ok() {
	eq "journal lines" 1 "$JNEW"
	[ "$JNEW" = 1 ] || return 0
	if printf '%s' "$JLINES" | perl -MJSON::PP -e '
	    my ($via, $cid, $sub, $sid) = @ARGV; local $/;
	    my $j = eval { JSON::PP->new->decode(<STDIN>) } or die "not JSON\n";
	    ref $j eq "HASH" or die "not an object\n";
	    $j->{time} =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ or die "time\n";
	    $j->{event} eq "logout" or die "event\n";
	    $j->{via} eq $via or die "via $j->{via}\n";
	    $j->{remote_addr} eq "192.0.2.7" or die "remote_addr\n";
	    my %w = (client_id => $cid, sub => $sub, sid => $sid);
	    for my $k (keys %w) {
	        if ($w{$k} eq "-") { exists $j->{$k} and die "$k present\n" }
	        elsif ($w{$k} ne "?") { ($j->{$k} // "") eq $w{$k} or die "$k\n" }
	    }
	    for my $k (keys %$j) { defined $j->{$k} && $j->{$k} ne ""
	        or die "empty member $k\n" }' "$@" 2> "$T/jerr"; then
		ok
	else
		bad "journal line [$JLINES]: $(cat "$T/jerr")"
	fi
}

# --------------------------------------------------------------- outcomes

# loc_is EXPECTED: the Location header equals EXPECTED up to and including
# "state=", and its state decodes to the same bytes as EXPECTED's (hex
# digits may be in either case, unreserved characters may be escaped).
loc_is() {
	local got
	got=$(hdr Location)
	if perl -e 'my ($w, $g) = @ARGV;
	    sub dec { my $s = shift; $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $s }
	    my $i = index($w, "state=");
	    exit($w eq $g ? 0 : 1) if $i < 0;
	    $i += 6;
	    exit 1 unless substr($g, 0, $i) eq substr($w, 0, $i);
	    my ($ws, $gs) = (substr($w, $i), substr($g, $i));
	    exit 1 unless $gs =~ /^([A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*$/;
	    exit(dec($ws) eq dec($gs) ? 0 : 1)' "$1" "$got"; then
		ok
	else
		bad "Location: expected [$1], got [$got]"
	fi
}

# expect_R STATUS LOCATION: signed out and redirected.
expect_R() {
	status_is "$1"
	check_common
	loc_is "$2"
	eq "Location headers" 1 "$(hdr_n Location)"
	check_cookies
	eq "journal lines" 1 "$JNEW"
}

# expect_S: signed out, the signed-out page.
expect_S() {
	status_is 200
	check_common
	check_html
	no_hdr Location
	body_lacks 'id="logout-confirm"'
	check_cookies
	eq "journal lines" 1 "$JNEW"
}

# expect_C: the confirmation page, no effects.
expect_C() {
	status_is 200
	check_common
	check_html
	no_hdr Location
	body_has '<form id="logout-confirm" method="post"'
	body_has 'id="logout-cancel"'
	no_signout
	check_confirm_cookie
}

# expect_E: the error page, no effects, a way on.
expect_E() {
	status_is 400
	check_common
	check_html
	no_hdr Location
	no_signout
	no_cookie
	body_lacks 'id="logout-confirm"'
	if grep -q "<a [^>]*href=" "$T/body"; then ok; else bad "error page has no link"; fi
}

# ------------------------------------------------------------ the forms

# form_fields ID: the hidden inputs of <form id="ID">, HTML-unescaped, as
# a urlencoded body (the order of the page).
form_fields() {
	perl -e '
	    my ($id, $file) = @ARGV; local $/;
	    open my $f, "<", $file or die; my $h = <$f>;
	    $h =~ /<form\b[^>]*\bid="\Q$id\E"[^>]*>(.*?)<\/form>/s or exit 1;
	    my $form = $1; my @out;
	    sub un { my $s = shift; $s =~ s/&quot;/"/g; $s =~ s/&#39;/\x27/g;
	        $s =~ s/&#x27;/\x27/gi; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g;
	        $s =~ s/&#34;/"/g; $s =~ s/&amp;/&/g; $s }
	    sub enc { my $s = shift;
	        $s =~ s/([^A-Za-z0-9\-._~])/sprintf("%%%02X", ord $1)/ge; $s }
	    while ($form =~ /<input\b([^>]*)>/gs) {
	        my $a = $1; my %a;
	        while ($a =~ /([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|\x27([^\x27]*)\x27)/g) {
	            $a{lc $1} = defined $2 ? $2 : $3 }
	        next unless lc($a{type} // "") eq "hidden" && defined $a{name};
	        push @out, enc(un($a{name})) . "=" . enc(un($a{value} // ""));
	    }
	    while ($form =~ /<button\b([^>]*)>/gs) {
	        my $a = $1;
	        if ($a =~ /\bname="([^"]*)"/) { my $n = $1;
	            my $v = $a =~ /\bvalue="([^"]*)"/ ? $1 : "";
	            push @out, enc(un($n)) . "=" . enc(un($v)) } }
	    print join("&", @out);' "$1" "$T/body"
}

# form_action ID: the action attribute of <form id="ID">.
form_action() {
	perl -e 'my ($id, $file) = @ARGV; local $/; open my $f, "<", $file or die;
	    my $h = <$f>; $h =~ /<form\b([^>]*\bid="\Q$id\E"[^>]*)>/s or exit 1;
	    my $a = $1; print $a =~ /\baction="([^"]*)"/ ? $1 : "";' "$1" "$T/body"
}

# field BODY NAME: the decoded value of NAME in a urlencoded body.
field() {
	printf '%s' "$1" | perl -e 'my $n = shift; local $/; my $b = <STDIN>;
	    for (split /&/, $b) { my ($k, $v) = split /=/, $_, 2;
	        for ($k, $v) { $_ //= ""; s/\+/ /g; s/%([0-9A-Fa-f]{2})/chr hex $1/ge }
	        if ($k eq $n) { print $v; exit 0 } } exit 1' "$2"
}

# set_field BODY NAME VALUE: BODY with NAME's value replaced (or added).
set_field() {
	printf '%s' "$1" | perl -e 'my ($n, $v) = @ARGV; local $/; my $b = <STDIN>;
	    sub enc { my $s = shift;
	        $s =~ s/([^A-Za-z0-9\-._~])/sprintf("%%%02X", ord $1)/ge; $s }
	    my @o; my $done = 0;
	    for (split /&/, $b) { my ($k) = split /=/, $_, 2;
	        my $dk = $k; $dk =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
	        if ($dk eq $n) { push @o, enc($n) . "=" . enc($v); $done = 1 }
	        else { push @o, $_ } }
	    push @o, enc($n) . "=" . enc($v) unless $done;
	    print join("&", @o)' "$2" "$3"
}

# del_field BODY NAME: BODY without NAME.
del_field() {
	printf '%s' "$1" | perl -e 'my $n = shift; local $/; my $b = <STDIN>;
	    print join("&", grep { my ($k) = split /=/, $_, 2;
	        $k =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $k ne $n }
	        split /&/, $b)' "$2"
}

# --------------------------------------------------------------- summary

finish() {
	echo "cgi: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
	exit $?
}

cgi_setup
