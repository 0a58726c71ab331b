# ok: a walrus loop: while (item := q.get()) is not sentinel
def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    count = 0
    while (item := q.get()) is not sentinel:
        handle(item)
        count += 1
    return count
