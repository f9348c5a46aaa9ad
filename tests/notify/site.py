#!/usr/bin/env python3
"""site.py PORT DIR - a website's back-channel logout endpoint for the
notifier's tests, on 127.0.0.1.  The path says how to answer:
/204 /200 /503 /429 /400 /302 /hang (never answers), /down (503 while
DIR/down exists, else 204), /slow (answers 204 after 1.5 s).  GET /idle
answers once every connection accepted before it has been handled (its
request recorded): a barrier for a test that killed the sender.  Every
request is appended to DIR/requests.jsonl as one JSON line: path, content
type, the body's member names, the token's header and claims (decoded,
not verified: the unit tests verify signatures)."""
import base64
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
DIR = sys.argv[2]
lock = threading.Lock()
# Connections accepted and not yet done with (GET /idle waits for 0).
active = 0
idle = threading.Condition()


def seg(s):
    return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path != "/idle":
            self.send_error(404)
            return
        with idle:
            ok = idle.wait_for(lambda: active == 1, timeout=30)
        self.send_response(200 if ok else 504)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        form = urllib.parse.parse_qs(body, keep_blank_values=True)
        rec = {"path": self.path, "ct": self.headers.get("Content-Type"),
               "members": sorted(form), "t": time.time()}
        tok = form.get("logout_token", [""])[0]
        parts = tok.split(".")
        if len(parts) == 3:
            try:
                rec["header"] = seg(parts[0])
                rec["claims"] = seg(parts[1])
            except Exception as e:  # recorded, the test fails on it
                rec["error"] = str(e)
        with lock:
            with open(os.path.join(DIR, "requests.jsonl"), "a") as f:
                f.write(json.dumps(rec) + "\n")
        p = self.path
        if p == "/hang":
            time.sleep(3600)
        if p == "/slow":
            time.sleep(1.5)
        if p == "/down":
            code = 503 if os.path.exists(os.path.join(DIR, "down")) else 204
        elif p in ("/slow",):
            code = 204
        else:
            try:
                code = int(p.strip("/"))
            except ValueError:
                code = 404
        self.send_response(code)
        if code == 302:
            self.send_header("Location", "http://127.0.0.1:%d/204" % PORT)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    # Counted when accepted (in the accepting thread, so before a later
    # connection's GET /idle runs), uncounted when its thread is done.
    def process_request(self, request, client_address):
        global active
        with idle:
            active += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        global active
        super().shutdown_request(request)
        with idle:
            active -= 1
            idle.notify_all()


Server(("127.0.0.1", PORT), H).serve_forever()
