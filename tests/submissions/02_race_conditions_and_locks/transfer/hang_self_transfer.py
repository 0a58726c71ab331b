# hang: orders the locks by id() but forgets the same-account case: acquires one Lock twice
# fails: transfer_self
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    first, second = sorted([source, target], key=id)
    with first.lock:
        with second.lock:
            if source.balance < amount:
                raise ValueError("insufficient funds")
            source.balance -= amount
            target.balance += amount
