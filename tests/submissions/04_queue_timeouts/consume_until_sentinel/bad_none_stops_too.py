# bad: also stops on None, "just in case", though None is an item like any other
# fails: consume_until_sentinel_results consume_until_sentinel_identity consume_until_sentinel_waits
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        item = q.get()
        if item is None or item is sentinel:
            return handled
        handle(item)
        handled += 1
