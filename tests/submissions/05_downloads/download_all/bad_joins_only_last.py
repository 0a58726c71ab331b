# bad: one thread per slice of the URLs, each with its own Session, but only the last one is joined
# fails: download_all_finished
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    distinct = list(dict.fromkeys(urls))
    results = {}

    def work(my_urls):
        with requests.Session() as session:
            for url in my_urls:
                response = session.get(url)
                results[url] = len(response.content) if response.ok else None

    for i in range(n_threads):
        t = threading.Thread(target=work, args=(distinct[i::n_threads],))
        t.start()
    t.join()
    return results
