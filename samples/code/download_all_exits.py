import os


def download_all(urls, n_threads=5):
    """Gives up in the worst possible way: ends the whole Python process."""
    os._exit(3)
