# bad: starts one thread (with its own Session) per distinct URL, ignoring n_threads
# fails: download_all_bounded download_all_sessions
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    results = {}

    def fetch(url):
        with requests.Session() as session:
            response = session.get(url)
            results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=fetch, args=(url,)) for url in dict.fromkeys(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
