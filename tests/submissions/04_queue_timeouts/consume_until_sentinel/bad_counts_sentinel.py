# bad: counts every item it takes, the sentinel included
# fails: consume_until_sentinel_results consume_until_sentinel_identity consume_until_sentinel_waits
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    taken = 0
    while True:
        item = q.get()
        taken += 1
        if item is sentinel:
            return taken
        handle(item)
