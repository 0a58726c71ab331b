# bad: ignores the status code and stores the length of the error page too
# fails: download_all_errors
import threading

import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    distinct = list(dict.fromkeys(urls))
    results = {}

    def work(my_urls):
        with requests.Session() as session:
            for url in my_urls:
                results[url] = len(session.get(url).content)

    threads = [threading.Thread(target=work, args=(distinct[i::n_threads],))
               for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
