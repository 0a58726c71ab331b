"""A small HTTP server on 127.0.0.1 for the download exercises (no internet needed).

    with DownloadServer(latency=0.05) as server:
        url = server.page("a", 1200)      # 1200 bytes of body
        bad = server.error(404)          # answers 404
        requests.get(url)
        server.stats.max_in_flight, server.stats.connections

Every response keeps the connection open (HTTP/1.1 keep-alive), error
responses included, so a client that reuses its connection opens exactly one.
The server counts requests, requests in flight at once, and TCP connections.
With `meet=n`, each request waits until n requests are in flight, which makes
"n downloads at once" show up reliably. A client that never gets there costs
one `meet_timeout`: after the first wait that times out, requests stop
waiting (until `reset_stats()`).
"""

from __future__ import annotations

import _thread
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_sleep = time.sleep
_monotonic = time.monotonic
_allocate_lock = _thread.allocate_lock


@dataclass
class ServerStats:
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0
    paths: dict = field(default_factory=dict)


def page_body(name: str, size: int) -> bytes:
    """`size` bytes of UTF-8 text in which most characters take two bytes."""
    unit = f"<{name}>".encode() + "é".encode() * 50
    body = (unit * (size // len(unit) + 1))[:size]
    if size and body[-1:] == b"\xc3":  # never end in the middle of a character
        body = body[:-1] + b"."
    return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send small writes at once: with Nagle's algorithm, a reused connection waits
    # for the client's delayed ACK (~40 ms) between the headers and the body.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format, *args):  # keep the notebook quiet
        pass

    def do_GET(self):
        owner: DownloadServer = self.server.owner
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        query = parse_qs(url.query)
        with owner._lock:
            stats = owner.stats
            stats.requests += 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            stats.paths[url.path] = stats.paths.get(url.path, 0) + 1
        try:
            owner._meet()
            delay = float(query.get("delay", [owner.latency])[0])
            if delay > 0:
                _sleep(delay)
            if len(parts) == 3 and parts[0] == "page":
                status, body = 200, page_body(parts[1], int(parts[2]))
            elif len(parts) == 2 and parts[0] == "status":
                status = int(parts[1])
                body = f"status {status}\n".encode()
            else:
                status, body = 404, b"not found\n"
        finally:
            with owner._lock:
                owner.stats.in_flight -= 1
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128  # many clients connecting at once must not wait for a retry

    def __init__(self, owner: DownloadServer):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request, client_address):
        with self.owner._lock:
            self.owner.stats.connections += 1
            self.owner._sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.owner._lock:
            self.owner._sockets.discard(request)
        super().shutdown_request(request)


class DownloadServer:
    """An HTTP server on a free port of 127.0.0.1, run by a background thread."""

    def __init__(self, latency: float = 0.05, meet: int = 0, meet_timeout: float = 1.0):
        self.latency = latency
        self.meet, self.meet_timeout = meet, meet_timeout
        self.stats = ServerStats()
        self._gave_up = False  # a meeting timed out: stop waiting for company
        self._lock = _allocate_lock()
        self._sockets: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------
    def start(self) -> DownloadServer:
        self._gave_up = False
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.01},  # stop() waits <= 10 ms
                                        name="download-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._gave_up = True  # requests waiting to meet stop waiting
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:  # end keep-alive connections so their threads exit
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
        self._server = None

    def __enter__(self) -> DownloadServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def page(self, name: str, size: int, delay: float | None = None) -> str:
        """URL of a page of exactly `size` bytes."""
        suffix = "" if delay is None else f"?delay={delay}"
        return f"{self.base_url}/page/{name}/{size}{suffix}"

    def error(self, status: int) -> str:
        """URL that answers with HTTP status `status`."""
        return f"{self.base_url}/status/{status}"

    # -- measurements ---------------------------------------------------------
    def reset_stats(self) -> None:
        """Start counting afresh (and waiting to meet again)."""
        with self._lock:
            in_flight = self.stats.in_flight
            self.stats = ServerStats(in_flight=in_flight)
            self._gave_up = False

    def _meet(self) -> None:
        """Wait until `meet` requests are in flight, or give up after `meet_timeout` s."""
        if not self.meet:
            return
        deadline = _monotonic() + self.meet_timeout
        while True:
            with self._lock:
                if self._gave_up or self.stats.max_in_flight >= self.meet:
                    return
                if _monotonic() >= deadline:
                    self._gave_up = True
                    return
            _sleep(0.005)
