# ok: a module-level gatekeeper lock is held while taking the two account locks, so no
# two transfers can each hold one account lock while waiting for the other
import threading

_pick_up_locks = threading.Lock()


def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks.

    Raises ValueError, and changes nothing, if source.balance < amount.
    """
    if source is target:
        return
    with _pick_up_locks:
        source.lock.acquire()
        target.lock.acquire()
    try:
        if source.balance < amount:
            raise ValueError("insufficient funds")
        source.balance -= amount
        target.balance += amount
    finally:
        source.lock.release()
        target.lock.release()
