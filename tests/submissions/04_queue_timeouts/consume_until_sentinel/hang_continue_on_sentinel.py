# hang: skips the sentinel with continue instead of returning, then waits in get() forever
# fails: consume_until_sentinel_results consume_until_sentinel_identity consume_until_sentinel_waits
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        item = q.get()
        if item is sentinel:
            continue
        handle(item)
        handled += 1
