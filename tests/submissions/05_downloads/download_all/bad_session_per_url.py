# bad: worker threads open a fresh Session for every download, so no connection is reused
# fails: download_all_sessions
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    distinct = list(dict.fromkeys(urls))
    results = {}

    def work(my_urls):
        for url in my_urls:
            with requests.Session() as session:
                response = session.get(url)
            results[url] = len(response.content) if response.ok else None

    threads = [threading.Thread(target=work, args=(distinct[i::n_threads],))
               for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
