#!/usr/bin/env bash
# tests/faults/idle.sh - a local process that connects to the FastCGI
# socket and then sends nothing, a few bytes of a record, or a byte now
# and then, must not hold a child forever: libfcgi reads without a
# timeout, so endsession shuts down a connection that makes no step for
# FCGI_RECV_TIMEOUT (src/endsession.h) seconds (main.c wd_tick, a
# once-a-second timer); so does one that sends a whole request but the
# end of its stdin, which the child waits for before it closes at once
# (main.c fcgi_finish).  One spawn-fcgi child; while such peers hold
# their connections open, a normal request must still be answered by
# that same child, and the child must still be alive afterwards.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
FCGI="python3 $HERE/fcgi.py"
NAME=idle
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

scratch es-idle
HOLD=()
at_exit() {
	local p
	for p in "${HOLD[@]}"; do kill "$p" 2>/dev/null; done
}

# The bound: each silent peer costs the timeout plus libfcgi's lingering
# close (up to 2 s); with a wide margin, times the peers ahead.
TMO=$(sed -n 's/^#define FCGI_RECV_TIMEOUT[[:space:]]*\([0-9]*\).*/\1/p' \
    "$HERE/../../src/endsession.h")
[ -n "$TMO" ] || die "FCGI_RECV_TIMEOUT not found in src/endsession.h"
BOUND=$((TMO * 2 + 10))

es_fixtures "$T" https://op.example || die fixtures
es_spawn "$T" 1 || die spawn-fcgi
CHILD=$(cat "$T/spawn.pid")
for i in $(seq 1 50); do [ -S "$T/es.sock" ] && break; sleep 0.1; done
[ -S "$T/es.sock" ] || die socket

# hold HOW: a peer that connects, sends HOW's bytes, then waits, silent.
hold() {
	python3 - "$T/es.sock" "$1" "$BOUND" "$HERE" <<'PY' &
import socket, struct, sys, time
sys.path.insert(0, sys.argv[4])
import fcgi
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
if sys.argv[2] == "nostdin":
    # A whole request but the end of its stdin, which never comes: the
    # child answers, then waits for that end before it closes at once
    # (main.c fcgi_finish).  Then stay.
    s.send(fcgi.record(fcgi.BEGIN_REQUEST,
                       struct.pack("!HB5x", fcgi.RESPONDER, 0)) +
           fcgi.record(fcgi.PARAMS, fcgi.encode_params(fcgi.build_params(
               [("QUERY_STRING", "client_id=nope")]))) +
           fcgi.record(fcgi.PARAMS, b""))
if sys.argv[2] == "partial":
    s.send(b"\x01\x01\x00")	# 3 of a record header's 8 bytes
if sys.argv[2] == "dribble":
    # A byte every 2 s of a well-formed start: FCGI_BEGIN_REQUEST (role
    # responder), then FCGI_PARAMS announcing 65535 bytes of content,
    # which never all come: never silent for long, never done.
    try:
        for b in (b"\x01\x01\x00\x01\x00\x08\x00\x00"
                  b"\x00\x01\x00\x00\x00\x00\x00\x00"
                  b"\x01\x04\x00\x01\xff\xff\x00\x00" + b"a" * 100):
            s.send(bytes([b]))
            time.sleep(2)
    except OSError:
        pass
time.sleep(int(sys.argv[3]) * 6)
PY
	HOLD+=($!)
}

# served PEERS WHAT: a normal request comes back within the bound, with
# PEERS silent peers ahead of it.
served() {
	local st b=$((BOUND * $1))
	shift
	st=$(timeout "$b" $FCGI -s "$T/es.sock" -q "client_id=nope" \
	    -o "$T/r" --timeout "$b" 2>"$T/r.py")
	if [ "$st" = 400 ]; then ok; else
		bad "$1: no answer within ${b}s (got '${st}')"
	fi
	if kill -0 "$CHILD" 2>/dev/null && [ "$(cat "$T/spawn.pid")" = "$CHILD" ]; then
		ok
	else
		bad "$1: child $CHILD is gone"
	fi
}

served 1 "before any silent peer"
hold silent
sleep 0.5
served 1 "a peer connected and sent nothing"
hold partial
sleep 0.5
served 1 "a peer sent 3 bytes of a record header and nothing more"
hold dribble
sleep 0.5
served 1 "a peer sent a byte every 2 seconds"
hold partial
hold silent
hold partial
sleep 0.5
served 3 "three silent peers at once"
hold nostdin
sleep 0.5
served 1 "a peer sent a whole request but the end of its stdin"
finish
