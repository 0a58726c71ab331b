# ok: slow on purpose: takes both locks in id() order, then pauses 0.2 s before checking and moving
import time


def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    if source is target:
        return
    first, second = (source, target) if id(source) < id(target) else (target, source)
    with first.lock:
        with second.lock:
            time.sleep(0.2)
            if source.balance < amount:
                raise ValueError("insufficient funds")
            source.balance -= amount
            target.balance += amount
