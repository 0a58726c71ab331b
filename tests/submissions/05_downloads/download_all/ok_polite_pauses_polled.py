# ok: slow on purpose: workers pause 0.05 s before each request; the caller sleep-polls until they end
import queue
import threading
import time

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    todo = queue.Queue()
    for url in dict.fromkeys(urls):
        todo.put(url)
    results = {}

    def worker():
        with requests.Session() as session:
            while True:
                try:
                    url = todo.get_nowait()
                except queue.Empty:
                    return
                time.sleep(0.05)  # be polite to the server
                response = session.get(url)
                results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.01)
    return results
