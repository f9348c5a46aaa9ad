#!/usr/bin/env python3
"""tests/faults/fcgi.py - a minimal FastCGI client (stdlib only) for the
fault tests: talks to spawn-fcgi's unix socket directly, no web server.

As a module:
    r = request(sock, params, stdin=b"", fault=None, timeout=10)
    r.status (int, or None when no response came), r.headers (list of
    (name, value)), r.body (bytes), r.stderr (bytes: FCGI_STDERR records),
    r.ended (FCGI_END_REQUEST seen), r.app_status.

As a program:
    fcgi.py -s SOCK|tcp:HOST:PORT [-q QUERY] [-m METHOD] [-p NAME=VALUE]... [-b BODY |
            -B FILE] [--content-length N] [--fault F] [-o PREFIX]
            [--big-query BYTES] [--many-params N] [--big-name BYTES]
            [--fill NAME=SIZE[:PREFIX]]
            [--timeout S]
prints the status ("closed" when the connection ended without a
response), writes PREFIX.h (headers, one "Name: value" a line),
PREFIX.b (body) and PREFIX.e (the FastCGI stderr stream).

Faults (--fault):
    close-after-begin     BEGIN_REQUEST, then close
    close-half-params     BEGIN, half of the PARAMS bytes, then close
    close-half-stdin      everything but half of the STDIN, then close
    short-body-close      a body shorter than CONTENT_LENGTH, then close
                          (no end of STDIN)
    short-body-end        a body shorter than CONTENT_LENGTH, then the
                          empty STDIN record (a normal end), read the answer
    short-body-shutdown   a short body, then shutdown(SHUT_WR), read
    close-after-params    all PARAMS, no STDIN at all, close
    close-before-read     the whole request, then close without reading
    huge-length           a PARAMS record declaring a 2 GiB name and value
                          (4-byte lengths 0x7fffffff), a few bytes, close
"""
import argparse
import socket
import struct
import sys
import time

VERSION = 1
BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = \
    1, 2, 3, 4, 5, 6, 7
RESPONDER = 1

DEFAULTS = [
    ("REQUEST_METHOD", "GET"),
    ("SCRIPT_NAME", "/oauth/end_session"),
    ("REQUEST_URI", "/oauth/end_session"),
    ("SERVER_PROTOCOL", "HTTP/1.1"),
    ("GATEWAY_INTERFACE", "CGI/1.1"),
    ("REMOTE_ADDR", "127.0.0.1"),
    ("SERVER_NAME", "localhost"),
]


def _b(x):
    return x if isinstance(x, bytes) else str(x).encode("utf-8",
                                                        "surrogateescape")


def _len(n):
    if n < 128:
        return struct.pack("!B", n)
    return struct.pack("!I", n | 0x80000000)


def encode_params(pairs):
    """Name-value pairs with 1-byte (< 128) or 4-byte lengths."""
    out = bytearray()
    for n, v in pairs:
        n, v = _b(n), _b(v)
        out += _len(len(n)) + _len(len(v)) + n + v
    return bytes(out)


def record(rtype, content, rid=1):
    """One or more records of rtype carrying content (split at 65535)."""
    out = bytearray()
    if not content:
        return struct.pack("!BBHHBx", VERSION, rtype, rid, 0, 0)
    for i in range(0, len(content), 65535):
        chunk = content[i:i + 65535]
        pad = (-len(chunk)) % 8
        out += struct.pack("!BBHHBx", VERSION, rtype, rid, len(chunk), pad)
        out += chunk + b"\0" * pad
    return bytes(out)


class Response:
    def __init__(self):
        self.stdout = b""
        self.stderr = b""
        self.ended = False
        self.app_status = None
        self.status = None
        self.headers = []
        self.body = b""
        self.error = None

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def parse(self):
        if not self.stdout:
            return
        head, sep, body = self.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = self.stdout.partition(b"\n\n")
        self.body = body
        self.status = 200
        for line in head.replace(b"\r\n", b"\n").split(b"\n"):
            n, _, v = line.decode("latin-1").partition(":")
            v = v.strip()
            self.headers.append((n, v))
            if n.lower() == "status":
                try:
                    self.status = int(v.split()[0])
                except (ValueError, IndexError):
                    self.status = -1


def read_response(s, deadline):
    r = Response()
    buf = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            r.error = "timeout"
            break
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            r.error = "timeout"
            break
        except OSError as e:
            r.error = str(e)
            break
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            ver, rtype, rid, clen, pad = struct.unpack("!BBHHBx", buf[:8])
            if len(buf) < 8 + clen + pad:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + pad:]
            if rtype == STDOUT:
                r.stdout += content
            elif rtype == STDERR:
                r.stderr += content
            elif rtype == END_REQUEST:
                r.ended = True
                r.app_status = struct.unpack("!I", content[:4])[0]
        if r.ended:
            break
    r.parse()
    return r


def connect(sock, timeout=10):
    """sock: a unix socket's path, or tcp:HOST:PORT."""
    if sock.startswith("tcp:"):
        host, port = sock[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        addr = (host, int(port))
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr = sock
    s.settimeout(timeout)
    s.connect(addr)
    return s


def build_params(params, defaults=True):
    pairs = list(DEFAULTS) if defaults else []
    names = {n for n, _ in params}
    pairs = [(n, v) for n, v in pairs if n not in names] + list(params)
    return pairs


def _send(s, data):
    try:
        s.sendall(data)
        return True
    except OSError:
        return False


def request(sock, params, stdin=b"", fault=None, timeout=10, defaults=True,
            content_length=None, method=None):
    """One request; params is a list of (name, value)."""
    params = list(params)
    if method is not None:
        params.append(("REQUEST_METHOD", method))
    stdin = _b(stdin)
    if content_length is None and (stdin or method == "POST"):
        content_length = len(stdin)
    if content_length is not None:
        params.append(("CONTENT_LENGTH", str(content_length)))
    pbytes = encode_params(build_params(params, defaults))
    begin = record(BEGIN_REQUEST, struct.pack("!HB5x", RESPONDER, 0))
    deadline = time.monotonic() + timeout
    s = connect(sock, timeout)
    try:
        if fault == "close-after-begin":
            _send(s, begin)
            return None
        if fault == "close-half-params":
            _send(s, begin + record(PARAMS, pbytes)[:8 + len(pbytes) // 2])
            return None
        if fault == "huge-length":
            bogus = struct.pack("!II", 0xffffffff, 0xffffffff) + b"A" * 64
            _send(s, begin + record(PARAMS, bogus))
            return None
        allp = begin + record(PARAMS, pbytes) + record(PARAMS, b"")
        if fault == "close-after-params":
            _send(s, allp)
            return None
        if fault == "close-half-stdin":
            half = stdin[:len(stdin) // 2]
            _send(s, allp + (record(STDIN, half) if half else b""))
            return None
        if fault in ("short-body-close", "short-body-end",
                     "short-body-shutdown"):
            short = stdin[:max(0, len(stdin) // 2)]
            data = allp + (record(STDIN, short) if short else b"")
            if fault == "short-body-end":
                data += record(STDIN, b"")
            _send(s, data)
            if fault == "short-body-close":
                return None
            if fault == "short-body-shutdown":
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            return read_response(s, deadline)
        data = allp + (record(STDIN, stdin) if stdin else b"") + \
            record(STDIN, b"")
        if fault == "close-before-read":
            _send(s, data)
            return None
        ok = _send(s, data)
        r = read_response(s, deadline)
        if not ok and r.error is None and not r.ended:
            r.error = "send failed"
        return r
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-s", "--socket", required=True)
    ap.add_argument("-q", "--query")
    ap.add_argument("-m", "--method")
    ap.add_argument("-p", "--param", action="append", default=[])
    ap.add_argument("-b", "--body")
    ap.add_argument("-B", "--body-file")
    ap.add_argument("--content-type")
    ap.add_argument("--content-length")
    ap.add_argument("--fault")
    ap.add_argument("-o", "--out")
    ap.add_argument("--big-query", type=int)
    ap.add_argument("--many-params", type=int)
    ap.add_argument("--big-name", type=int)
    ap.add_argument("--fill", action="append", default=[],
                    help="NAME=SIZE[:PREFIX]: a param of SIZE bytes")
    ap.add_argument("--timeout", type=float, default=10)
    a = ap.parse_args()

    params = []
    if a.query is not None:
        params.append(("QUERY_STRING", a.query))
    if a.big_query:
        params.append(("QUERY_STRING", "a=" + "x" * (a.big_query - 2)))
    if a.many_params:
        params += [("HTTP_X_P%d" % i, "v%d" % i)
                   for i in range(a.many_params)]
    if a.big_name:
        params.append(("HTTP_" + "N" * (a.big_name - 5), "v"))
    for p in a.fill:
        n, _, v = p.partition("=")
        size, _, prefix = v.partition(":")
        params.append((n, prefix + "x" * (int(size) - len(prefix))))
    for p in a.param:
        n, _, v = p.partition("=")
        params.append((n, v))
    body = b""
    if a.body is not None:
        body = a.body.encode()
    if a.body_file:
        with open(a.body_file, "rb") as f:
            body = f.read()
    if a.method == "POST" and a.content_type is None:
        params.append(("CONTENT_TYPE", "application/x-www-form-urlencoded"))
    elif a.content_type is not None:
        params.append(("CONTENT_TYPE", a.content_type))
    cl = a.content_length
    try:
        r = request(a.socket, params, body, fault=a.fault,
                    timeout=a.timeout, content_length=cl, method=a.method)
    except OSError as e:
        print("error: %s" % e)
        return 2
    if r is None or r.status is None:
        print("closed" if r is None or r.error is None else r.error)
        if a.out:
            for ext, data in ((".h", b""), (".b", b""),
                              (".e", r.stderr if r else b"")):
                with open(a.out + ext, "wb") as f:
                    f.write(data)
        return 0
    if a.out:
        with open(a.out + ".h", "w") as f:
            for n, v in r.headers:
                f.write("%s: %s\n" % (n, v))
        with open(a.out + ".b", "wb") as f:
            f.write(r.body)
        with open(a.out + ".e", "wb") as f:
            f.write(r.stderr)
    print(r.status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
