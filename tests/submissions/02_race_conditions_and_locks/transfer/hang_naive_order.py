# hang: always locks the source first, then the target: opposite transfers deadlock,
# and a transfer to the same account waits for its own lock
# fails: transfer_opposite transfer_self
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    with source.lock:
        with target.lock:
            if source.balance < amount:
                raise ValueError("insufficient funds")
            source.balance -= amount
            target.balance += amount
