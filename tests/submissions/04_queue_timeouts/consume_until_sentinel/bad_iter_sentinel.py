# bad: iter(q.get, sentinel) looks elegant, but iter() stops on an item == sentinel
# fails: consume_until_sentinel_identity
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    for item in iter(q.get, sentinel):
        handle(item)
        handled += 1
    return handled
