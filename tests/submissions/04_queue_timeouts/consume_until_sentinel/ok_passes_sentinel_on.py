# ok: puts the sentinel back after taking it, so that other consumers of the queue stop too
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        item = q.get()
        if item is sentinel:
            q.put(sentinel)
            return handled
        handle(item)
        handled += 1
