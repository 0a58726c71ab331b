# bad: worker threads call requests.get for every URL, so every download opens a new connection
# fails: download_all_sessions download_all_default
import queue
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    todo = queue.Queue()
    for url in dict.fromkeys(urls):
        todo.put(url)
    for _ in range(n_threads):
        todo.put(None)
    results = {}

    def worker():
        while (url := todo.get()) is not None:
            response = requests.get(url)
            results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
