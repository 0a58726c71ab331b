# bad: uses a ThreadPoolExecutor without `with` or shutdown(), so its threads keep running
# fails: download_all_finished
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

local = threading.local()


def fetch(url):
    if not hasattr(local, "session"):
        local.session = requests.Session()
    response = local.session.get(url)
    return url, (len(response.content) if response.ok else None)


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    pool = ThreadPoolExecutor(max_workers=n_threads)
    return dict(pool.map(fetch, set(urls)))
