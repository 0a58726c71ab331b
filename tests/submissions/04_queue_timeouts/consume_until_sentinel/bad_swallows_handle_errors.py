# bad: prints handle's exception and goes on, so the caller never hears of it
# fails: consume_until_sentinel_exception
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        item = q.get()
        if item is sentinel:
            return handled
        try:
            handle(item)
            handled += 1
        except Exception as exc:
            print("skipped", item, exc)
