# ok: ThreadPoolExecutor whose initializer gives each pool thread a Session; submit + as_completed
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

import requests

tls = threading.local()


def start_session():
    tls.session = requests.Session()


def body_length(url):
    response = tls.session.get(url)
    if 400 <= response.status_code < 600:
        return None
    return len(response.content)


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    results = {}
    with ThreadPoolExecutor(max_workers=n_threads, initializer=start_session) as pool:
        futures = {pool.submit(body_length, url): url for url in set(urls)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
    return results
