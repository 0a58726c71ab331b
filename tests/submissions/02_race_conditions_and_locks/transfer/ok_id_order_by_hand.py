# ok: orders the two locks by id() with an if, acquires and releases them by hand
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks.

    Raises ValueError, and changes nothing, if source.balance < amount.
    """
    if id(source) == id(target):
        return
    if id(source) < id(target):
        first, second = source.lock, target.lock
    else:
        first, second = target.lock, source.lock
    first.acquire()
    try:
        second.acquire()
        try:
            if source.balance < amount:
                raise ValueError("not enough money")
            source.balance = source.balance - amount
            target.balance = target.balance + amount
        finally:
            second.release()
    finally:
        first.release()
