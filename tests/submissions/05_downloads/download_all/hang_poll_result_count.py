# hang: sleep-polls until the dict has len(urls) entries, which never happens when a URL repeats
# fails: download_all_results download_all_errors
import threading
import time

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    results = {}

    def work(my_urls):
        with requests.Session() as session:
            for url in my_urls:
                response = session.get(url)
                results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=work, args=(urls[i::n_threads],))
               for i in range(n_threads)]
    for t in threads:
        t.start()
    while len(results) < len(urls):  # "wait until everything is downloaded"
        time.sleep(0.01)
    for t in threads:
        t.join()
    return results
