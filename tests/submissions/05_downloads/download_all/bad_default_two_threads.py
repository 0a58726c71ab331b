# bad: n_threads defaults to 2 instead of 5
# fails: download_all_default
import queue
import threading

import requests


def download_all(urls, n_threads=2):
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
                response = session.get(url)
                results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
