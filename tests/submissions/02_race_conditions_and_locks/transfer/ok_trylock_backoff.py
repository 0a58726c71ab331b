# ok: takes the source's lock, tries the target's without blocking, backs off and retries
import random
import time


def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks.

    Raises ValueError, and changes nothing, if source.balance < amount.
    """
    if source is target:
        return None
    while True:
        source.lock.acquire()
        if target.lock.acquire(blocking=False):
            break
        source.lock.release()
        time.sleep(random.uniform(0.001, 0.01))
    try:
        if source.balance < amount:
            raise ValueError(f"cannot move {amount}: only {source.balance} available")
        source.balance -= amount
        target.balance += amount
    finally:
        target.lock.release()
        source.lock.release()
