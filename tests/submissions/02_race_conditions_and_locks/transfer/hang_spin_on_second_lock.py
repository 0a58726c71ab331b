# hang: holds the source's lock and spins on a non-blocking acquire of the target's,
# never letting go: opposite transfers spin forever (a livelock that burns CPU)
# fails: transfer_opposite transfer_self
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    with source.lock:
        while not target.lock.acquire(blocking=False):
            pass
        try:
            if source.balance < amount:
                raise ValueError("insufficient funds")
            source.balance -= amount
            target.balance += amount
        finally:
            target.lock.release()
