"""The local HTTP server the download exercises use."""

import threading

import requests

from threads101.kernel.httpserver import DownloadServer


def test_pages_errors_and_keep_alive():
    with DownloadServer(latency=0) as server:
        with requests.Session() as session:
            page = session.get(server.page("a", 1234))
            missing = session.get(server.error(404))
            broken = session.get(server.error(500))
        assert page.status_code == 200 and len(page.content) == 1234
        assert len(page.text) < 1234, "bodies are mostly 2-byte characters"
        assert (missing.status_code, broken.status_code) == (404, 500)
        assert server.stats.requests == 3
        assert server.stats.connections == 1, "one session should reuse one connection"


def test_counts_connections_and_requests_in_flight():
    with DownloadServer(latency=0.05, meet=4, meet_timeout=2) as server:
        urls = [server.page(f"p{i}", 100) for i in range(4)]
        threads = [threading.Thread(target=requests.get, args=(u,)) for u in urls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert server.stats.max_in_flight == 4
        assert server.stats.connections == 4


def test_stops_cleanly_with_open_connections():
    server = DownloadServer(latency=0).start()
    session = requests.Session()
    session.get(server.page("x", 10))
    server.stop()
    alive = [t for t in threading.enumerate() if t.is_alive() and t.name == "download-server"]
    assert not alive
    session.close()
