#!/usr/bin/env python3
"""A fake Scavio API for the tests: POST /api/v1/tiktok/hashtag, steered per hashtag at runtime.

Prints "LISTENING <port>" as its first line once it accepts connections. See README.md beside
this file for the control API and the modes.
"""

import argparse
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PATH = "/api/v1/tiktok/hashtag"
CONTROL_PREFIX = "/_control/hashtags/"
MIB = 1024 * 1024

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "insufficient_credits",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
}


def default_counts(tag):
    videos = 1000 + 37 * len(tag)
    return videos, videos * 150


def error_body(status, code=None, message=None):
    return {
        "error": {
            "code": code or ERROR_CODES.get(status, "internal_error" if status >= 500 else "error"),
            "message": message or f"fake scavio answered {status}",
        }
    }


class State:
    """Everything the control API changes; handlers run on many threads."""

    def __init__(self, credits):
        self.lock = threading.Lock()
        self.initial_credits = credits
        self.reset()

    def reset(self):
        with self.lock:
            self.modes = {}
            self.served = {}  # hashtag -> API requests answered since its mode was set
            self.requests = []
            self.credits = self.initial_credits
            self.in_flight = 0

    def set_mode(self, tag, mode):
        with self.lock:
            mode["set_at"] = time.time()
            self.modes[tag] = mode
            self.served[tag] = 0

    def enter(self):
        """Counts an API request being answered; returns how many are, this one included."""
        with self.lock:
            self.in_flight += 1
            return self.in_flight

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def record(self, tag, auth_ok, in_flight, client_port):
        """Records a request and returns the hashtag's mode and how many came before it."""
        with self.lock:
            self.requests.append({"hashtag": tag, "time": time.time(), "auth_ok": auth_ok,
                                  "in_flight": in_flight, "client_port": client_port})
            earlier = self.served.get(tag, 0)
            self.served[tag] = earlier + 1
            return dict(self.modes.get(tag, {"mode": "ok"})), earlier

    def charge(self):
        with self.lock:
            self.credits = max(0, self.credits - 1)
            return self.credits

    def requests_json(self):
        with self.lock:
            return json.dumps(self.requests, ensure_ascii=False)


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open, so the client's connection reuse is exercised.
    protocol_version = "HTTP/1.1"
    server_version = "FakeScavio/1.0"

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    # --- plumbing -------------------------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, body, content_type="application/json", headers=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout or size cap)

    # --- control API ----------------------------------------------------------------------

    def do_GET(self):
        if self.path == "/_control/requests":
            self.send(200, self.server.state.requests_json().encode())
        else:
            self.send(404, error_body(404))

    def do_PUT(self):
        if not self.path.startswith(CONTROL_PREFIX):
            self.send(404, error_body(404))
            return
        tag = urllib.parse.unquote(self.path[len(CONTROL_PREFIX):])
        try:
            mode = json.loads(self.read_body() or b"{}")
        except json.JSONDecodeError as e:
            self.send(400, error_body(400, message=f"control body is not JSON: {e}"))
            return
        if not isinstance(mode, dict):
            self.send(400, error_body(400, message="control body must be an object"))
            return
        mode.setdefault("mode", "ok")
        self.server.state.set_mode(tag, mode)
        self.send(200, {"hashtag": tag, **mode})

    def do_POST(self):
        if self.path == "/_control/reset":
            self.read_body()
            self.server.state.reset()
            self.send(200, {"reset": True})
        elif self.path == API_PATH:
            self.api()
        else:
            self.read_body()
            self.send(404, error_body(404, message=f"no route {self.path}"))

    # --- the API --------------------------------------------------------------------------

    def api(self):
        raw = self.read_body()
        state = self.server.state
        in_flight = state.enter()
        try:
            if self.server.latency > 0:
                time.sleep(self.server.latency)
            self.api_call(raw, in_flight)
        finally:
            state.leave()

    def api_call(self, raw, in_flight):
        auth_ok = self.headers.get("Authorization") == f"Bearer {self.server.api_key}"
        try:
            request = json.loads(raw)
            tag = request["hashtag_name"]
            if not isinstance(tag, str):
                raise TypeError("hashtag_name must be a string")
        except (ValueError, KeyError, TypeError) as e:
            self.server.state.record(None, auth_ok, in_flight, self.client_address[1])
            self.send(400, error_body(400, message=f"expected {{\"hashtag_name\": ...}}: {e}"))
            return
        mode, earlier = self.server.state.record(tag, auth_ok, in_flight, self.client_address[1])
        if not auth_ok:
            self.send(401, error_body(401, message="Invalid API key"))
            return
        self.answer(tag, mode, earlier)

    def answer(self, tag, mode, earlier):
        if mode.get("latency_ms"):
            time.sleep(mode["latency_ms"] / 1000.0)
        name = mode["mode"]
        if name == "status" and earlier < mode.get("times", earlier + 1):
            status = int(mode.get("status", 500))
            headers = {}
            if "retry_after" in mode:
                headers["Retry-After"] = str(mode["retry_after"])
            self.send(status, error_body(status, mode.get("code"), mode.get("message")),
                      headers=headers)
        elif name == "echo_auth":
            # Some APIs quote the credential they refused; the exporter must not pass it on.
            status = int(mode.get("status", 401))
            message = f"invalid Authorization header: {self.headers.get('Authorization')}"
            if mode.get("json", True):
                self.send(status, error_body(status, message=message))
            else:
                self.send(status, message.encode(), content_type="text/plain")
        elif name == "timeout":
            time.sleep(float(mode.get("delay", 30)))
            self.send(200, self.counts_body(tag, mode))
        elif name == "non_json":
            self.send(200, b"<html><body>Service temporarily unavailable</body></html>",
                      content_type="text/html")
        elif name == "truncated":
            whole = json.dumps(self.counts_body(tag, mode)).encode()
            self.send(200, whole[: len(whole) // 2])
        elif name == "no_challenge_info":
            self.send(200, self.envelope({"statusCode": 10205, "status_msg": ""}, mode))
        elif name == "strings":
            self.send(200, self.counts_body(tag, mode, videos="lots", views="many"))
        elif name == "negative":
            self.send(200, self.counts_body(tag, mode, videos=-5, views=-750))
        elif name == "huge":
            self.send_huge(int(mode.get("mib", 2)), bool(mode.get("chunked", False)))
        else:  # "ok", and "status" once its failures are used up
            self.send(200, self.counts_body(tag, mode))

    def envelope(self, data, mode):
        body = {"data": data}
        credits = mode.get("credits", "counter")
        if credits == "counter":
            body["credits_remaining"] = self.server.state.charge()
            body["credits_used"] = 1
        elif credits is not None:
            body["credits_remaining"] = credits
            body["credits_used"] = 1
        return body

    def counts_body(self, tag, mode, videos=None, views=None):
        default_videos, default_views = default_counts(tag)
        videos = mode.get("video_count", default_videos) if videos is None else videos
        views = mode.get("view_count", default_views) if views is None else views
        if "growth_percent_per_second" in mode and isinstance(videos, int):
            # Compounding from when the mode was set, for tests of adaptive polling.
            factor = (1 + mode["growth_percent_per_second"] / 100) ** (time.time() - mode["set_at"])
            videos, views = round(videos * factor), round(views * factor)
        shape = mode.get("shape", "statsV2")
        if shape == "toplevel":
            body = {"hashtag": tag, "video_count": videos, "view_count": views}
            body.update({k: v for k, v in self.envelope({}, mode).items() if k != "data"})
            return body
        info = {"challenge": {"id": str(7_000_000_000 + len(tag)), "title": tag}}
        if shape in ("stats", "statsV2"):
            info["stats"] = {"videoCount": videos, "viewCount": views}
        if shape == "statsV2":
            info["statsV2"] = {"videoCount": str(videos), "viewCount": str(views)}
        return self.envelope({"challengeInfo": info}, mode)

    def send_huge(self, mib, chunked):
        """Spaces (valid JSON padding); chunked hides the size until it has all arrived."""
        chunk = b" " * MIB
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(mib * MIB))
            self.end_headers()
            for _ in range(mib):
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler sleeping in "timeout" mode must not delay the exit
    # The default backlog of 5 drops connections when a client opens many at once; the client
    # then sees a connect timeout that the real API would not cause.
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every API answer")
    parser.add_argument("--credits", type=int, default=5000, help="credits before the first call")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    server.api_key = args.api_key
    server.latency = args.latency_ms / 1000.0
    server.verbose = args.verbose
    server.state = State(args.credits)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
