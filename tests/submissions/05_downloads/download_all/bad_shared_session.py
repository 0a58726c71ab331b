# bad: all worker threads share one requests.Session
# fails: download_all_sessions
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
    session = requests.Session()

    def worker():
        while (url := todo.get()) is not None:
            response = session.get(url)
            results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.close()
    return results
