# bad: downloads one URL after the other with a single Session, no threads at all
# fails: download_all_concurrent download_all_default
import requests


def download_all(urls, n_threads=5):
    """Download every URL with n_threads worker threads, each with its own Session."""
    results = {}
    with requests.Session() as session:
        for url in urls:
            if url not in results:
                response = session.get(url)
                results[url] = len(response.content) if response.ok else None
    return results
