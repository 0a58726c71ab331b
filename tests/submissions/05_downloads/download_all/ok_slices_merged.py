# ok: n threads each download a slice of the distinct URLs with their own Session; dicts merged after join
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    distinct = list(dict.fromkeys(urls))
    parts = [{} for _ in range(n_threads)]

    def work(index):
        session = requests.Session()
        try:
            for url in distinct[index::n_threads]:
                r = session.get(url)
                parts[index][url] = len(r.content) if r.ok else None
        finally:
            session.close()

    threads = []
    for i in range(n_threads):
        t = threading.Thread(target=work, args=(i,), daemon=True)
        t.start()
        threads.append(t)
    for t in reversed(threads):
        t.join()
    merged = {}
    for part in parts:
        merged.update(part)
    return merged
