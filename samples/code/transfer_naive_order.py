def transfer(source, target, amount):
    """Move amount from source to target (locks taken source first: deadlock-prone)."""
    with source.lock:
        with target.lock:
            if source.balance < amount:
                raise ValueError("not enough money")
            source.balance -= amount
            target.balance += amount
