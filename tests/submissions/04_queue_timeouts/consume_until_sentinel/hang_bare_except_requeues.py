# hang: spins on get_nowait() inside a bare except:, and puts the sentinel back instead of returning
# fails: consume_until_sentinel_results consume_until_sentinel_identity consume_until_sentinel_waits consume_until_sentinel_exception
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        try:
            item = q.get_nowait()
            if item is sentinel:
                q.put(item)  # leave it for the other consumers
                continue
            handle(item)
            handled += 1
        except:  # noqa: E722  "nothing to take yet": try again
            pass
