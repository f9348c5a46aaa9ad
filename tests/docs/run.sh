#!/usr/bin/env bash
# tests/docs/run.sh - the documentation and example files: mandoc lint of
# endsession.8 and endsession.conf.5 (no warnings), no reference to a file
# outside the repository, systemd-analyze verify of the units in
# etc/systemd (when systemd-analyze exists; only "not executable: No such
# file" for programs not installed here is ignored), nginx -t and
# lighttpd -tt of the example web server configs with the socket path
# substituted, endsession --check of etc/endsession.conf.example with its
# paths pointed at fixtures, and endsession.conf.5 naming every
# configuration key.
set -u
. "$(dirname "$0")/../integration/lib.sh"
NAME=docs

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
skip() { echo "skip: $*" >&2; }

scratch es-docs
cd "$ES_ROOT" || exit 1
MAN=endsession.8
MAN5=endsession.conf.5

# mandoc: no message at warning level or above; below that, only
# cross-references to pages not installed on this machine are allowed.
if command -v mandoc >/dev/null; then
	for m in "$MAN" "$MAN5"; do
		if mandoc -T lint -W warning "$m" >"$T/lint.w" 2>&1 && [ ! -s "$T/lint.w" ]; then
			ok
		else
			bad "mandoc -T lint -W warning $m: $(cat "$T/lint.w")"
		fi
		mandoc -T lint "$m" >"$T/lint.all" 2>&1
		grep -v -e 'mandoc.db lacks .* entry' -e 'Xr not found' "$T/lint.all" > "$T/lint.rest"
		[ ! -s "$T/lint.rest" ] && ok || bad "mandoc -T lint $m: $(cat "$T/lint.rest")"
		mandoc -T utf8 "$m" > "$T/man.txt" 2>/dev/null && [ -s "$T/man.txt" ] && ok ||
		    bad "mandoc cannot render $m"
	done
else
	bad "mandoc is not installed"
fi
grep -q 'Xr endsession.conf 5' "$MAN" && ok || bad "$MAN does not refer to endsession.conf(5)"
grep -q 'endsession.conf.5' Makefile && ok || bad "make install does not install $MAN5"

# The repository stands alone: no file cites a document that is not in it
# (a sibling folder, or notes kept elsewhere).
git ls-files -z 2>/dev/null | grep -zv -e '^tests/docs/run.sh$' -e '^tests/fuzz/corpus/' \
    -e '^tests/fuzz/regress/' -e '\.svg$' > "$T/files"
if [ -s "$T/files" ]; then
	xargs -0 grep -n -I -E '\.\./shared|CONTRACT(\.md| section| [0-9])|LIBS\.md|STYLE\.md' \
	    < "$T/files" > "$T/outside" 2>/dev/null
	[ ! -s "$T/outside" ] && ok || bad "references to files outside the repository:
$(cat "$T/outside")"
else
	skip "not a git checkout: outside references not checked"
fi

# The man page has the sections it should and names every configuration key.
for s in NAME SYNOPSIS DESCRIPTION OPTIONS FILES "EXIT STATUS" EXAMPLES \
    "SEE ALSO" STANDARDS CAVEATS; do
	grep -q "^\.Sh $s\$" "$MAN" && ok || bad "$MAN: no section $s"
done
for s in NAME DESCRIPTION KEYS FILES EXAMPLES "SEE ALSO" STANDARDS; do
	grep -q "^\.Sh $s\$" "$MAN5" && ok || bad "$MAN5: no section $s"
done
for k in issuer clients jwks secret templates session_cookies sid_cookie \
    cookie_domain cookie_path hint_max_age clock_skew journal clients_url jwks_uri; do
	grep -qw -- "$k" "$MAN5" && ok || bad "$MAN5: configuration key $k not described"
done
for r in 'RP-Initiated Logout 1.0' 'RFC 7515' 'RFC 7517' 'RFC 7519' 'RFC 8037' 'RFC 8725'; do
	grep -qF -- "$r" "$MAN" && ok || bad "$MAN: STANDARDS lacks $r"
done

# systemd units.  Documentation=man:endsession(8) is looked up through
# MANPATH in a folder holding this page.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/man/man8" && cp ./*.8 "$T/man/man8/"
	for u in etc/systemd/*.service etc/systemd/*.timer; do
		MANPATH=$T/man timeout 60 systemd-analyze verify "$u" >"$T/sa.out" 2>&1
		: > "$T/sa.rest"
		while IFS= read -r l; do
			case $l in
			*": Command "*" is not executable: No such file or directory")
				p=${l#*: Command }
				p=${p%% is not executable*}
				[ -e "$p" ] && echo "$l" >> "$T/sa.rest" ;;
			'') ;;
			*) echo "$l" >> "$T/sa.rest" ;;
			esac
		done < "$T/sa.out"
		[ ! -s "$T/sa.rest" ] && ok || bad "systemd-analyze verify $u: $(cat "$T/sa.rest")"
	done
else
	skip "systemd-analyze is not installed"
fi

# nginx -t with the example location block in a minimal server.
if command -v nginx >/dev/null; then
	mkdir -p "$T/nginx"
	sed "s#unix:/run/endsession/endsession.sock#unix:$T/es.sock#" \
	    etc/nginx/endsession.conf > "$T/nginx/endsession.conf"
	grep -q "unix:$T/es.sock" "$T/nginx/endsession.conf" && ok ||
	    bad "etc/nginx/endsession.conf: socket path not found to substitute"
	cat > "$T/nginx/nginx.conf" <<EOF
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	fastcgi_temp_path $T/nginx/fastcgi;
	proxy_temp_path $T/nginx/proxy;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	server {
		listen 127.0.0.1:$(es_port);
		include $T/nginx/endsession.conf;
	}
}
EOF
	if timeout 30 nginx -t -q -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf" >"$T/nginx.out" 2>&1; then
		ok
	else
		bad "nginx -t: $(cat "$T/nginx.out")"
	fi
else
	bad "nginx is not installed"
fi

# lighttpd -tt with the example included.
if command -v lighttpd >/dev/null; then
	mkdir -p "$T/lighttpd" "$T/www"
	sed "s#/run/endsession/endsession.sock#$T/es.sock#" \
	    etc/lighttpd/endsession.conf > "$T/lighttpd/endsession.conf"
	grep -q "$T/es.sock" "$T/lighttpd/endsession.conf" && ok ||
	    bad "etc/lighttpd/endsession.conf: socket path not found to substitute"
	cat > "$T/lighttpd/lighttpd.conf" <<EOF
server.document-root = "$T/www"
server.bind = "127.0.0.1"
server.port = $(es_port)
server.pid-file = "$T/lighttpd/lighttpd.pid"
server.errorlog = "$T/lighttpd/error.log"
include "$T/lighttpd/endsession.conf"
EOF
	if timeout 30 lighttpd -tt -f "$T/lighttpd/lighttpd.conf" >"$T/lighttpd.out" 2>&1; then
		ok
	else
		bad "lighttpd -tt: $(cat "$T/lighttpd.out")"
	fi
else
	bad "lighttpd is not installed"
fi

# The example configuration: every line it holds, and every commented
# "#key = value" line uncommented, passes endsession --check once its
# paths point at fixtures.
if [ -x "$ES_BIN" ] && es_fixtures "$T/fx" https://op.example >/dev/null 2>&1; then
	python3 - etc/endsession.conf.example "$T/fx" "$ES_ROOT/templates" > "$T/fx/example.conf" <<'EOF'
import re, sys
src, fx, tmpl = sys.argv[1:4]
paths = {"clients": fx + "/clients.json", "jwks": fx + "/jwks.json",
         "secret": fx + "/secret", "templates": tmpl, "journal": fx + "/journal.log"}
for line in open(src, encoding="utf-8"):
    m = re.match(r"^#?([a-z_]+) = (.*)$", line.rstrip("\n"))
    if m:
        k, v = m.groups()
        print("%s = %s" % (k, paths.get(k, v)))
    else:
        print(line, end="")
EOF
	if "$ES_BIN" --check -c "$T/fx/example.conf" >"$T/ex.out" 2>&1; then
		ok
	else
		bad "endsession --check of etc/endsession.conf.example: $(cat "$T/ex.out")"
	fi
	n=$(grep -c '^#[a-z_]* = ' etc/endsession.conf.example)
	[ "$n" -ge 5 ] && ok || bad "etc/endsession.conf.example: only $n optional keys shown"
else
	bad "cannot check etc/endsession.conf.example (no build or fixtures)"
fi

# The scripts' --help, and the program's pointing at the man page.
"$ES_ROOT/scripts/endsession-refresh" --help > "$T/rh" 2>&1 && grep -q 'usage: endsession-refresh' "$T/rh" &&
    ok || bad "endsession-refresh --help"
if [ -x "$ES_BIN" ]; then
	"$ES_BIN" --help > "$T/h" 2>&1 && grep -q 'endsession(8)' "$T/h" && ok ||
	    bad "endsession --help does not point at endsession(8)"
fi

finish
