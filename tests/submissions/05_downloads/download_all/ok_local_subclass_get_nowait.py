# ok: Thread subclass workers drain a pre-filled queue with get_nowait, Sessions from threading.local
import queue
import threading

import requests

_local = threading.local()


def _session():
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


class Downloader(threading.Thread):
    def __init__(self, todo, results, lock):
        super().__init__()
        self.todo, self.results, self.lock = todo, results, lock

    def run(self):
        while True:
            try:
                url = self.todo.get_nowait()
            except queue.Empty:
                break
            response = _session().get(url)
            size = None if not response.ok else len(response.content)
            with self.lock:
                self.results[url] = size
        _session().close()


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    todo = queue.Queue()
    seen = set()
    for url in urls:
        if url not in seen:
            seen.add(url)
            todo.put(url)
    results, lock = {}, threading.Lock()
    workers = [Downloader(todo, results, lock) for _ in range(n_threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results
