# hang: workers spin on get_nowait() waiting for more URLs and never stop
# fails: download_all_results download_all_errors download_all_concurrent download_all_bounded download_all_sessions download_all_default download_all_finished
import queue
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    todo = queue.Queue()
    for url in dict.fromkeys(urls):
        todo.put(url)
    results = {}

    def worker():
        session = requests.Session()
        while True:
            try:
                url = todo.get_nowait()
            except queue.Empty:
                continue
            response = session.get(url)
            results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
