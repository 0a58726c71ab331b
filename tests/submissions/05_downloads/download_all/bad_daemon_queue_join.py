# bad: daemon workers are never stopped; waits with queue.join() and returns while they still run
# fails: download_all_finished
import queue
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    todo = queue.Queue()
    results = {}

    def worker():
        session = requests.Session()
        while True:
            url = todo.get()
            response = session.get(url)
            results[url] = len(response.content) if response.ok else None
            todo.task_done()

    for _ in range(n_threads):
        threading.Thread(target=worker, daemon=True).start()
    for url in dict.fromkeys(urls):
        todo.put(url)
    todo.join()
    return results
