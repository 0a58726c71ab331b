# bad: calls response.raise_for_status(), so an error status raises instead of mapping to None
# fails: download_all_errors
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

local = threading.local()


def fetch(url):
    if not hasattr(local, "session"):
        local.session = requests.Session()
    response = local.session.get(url)
    response.raise_for_status()
    return url, len(response.content)


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        return dict(pool.map(fetch, set(urls)))
