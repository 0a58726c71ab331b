# ok: worker threads take URLs from a queue.Queue until a sentinel; each opens its own Session
import queue
import threading

import requests

STOP = object()


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    todo = queue.Queue()
    for url in set(urls):
        todo.put(url)
    for _ in range(n_threads):
        todo.put(STOP)
    results = {}

    def worker():
        with requests.Session() as session:
            while True:
                url = todo.get()
                if url is STOP:
                    return
                response = session.get(url)
                if response.status_code >= 400:
                    results[url] = None
                else:
                    results[url] = len(response.content)

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
