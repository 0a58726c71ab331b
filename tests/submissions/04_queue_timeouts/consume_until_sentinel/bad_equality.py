# bad: compares with == instead of is, so an item equal to the sentinel stops it
# fails: consume_until_sentinel_identity
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        item = q.get()
        if item == sentinel:
            return handled
        handle(item)
        handled += 1
