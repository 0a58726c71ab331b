# bad: holds only the source's lock while changing both balances
# fails: transfer_both_locks
def transfer(source, target, amount):
    """Move amount from source to target."""
    if source is target:
        return
    with source.lock:
        if source.balance < amount:
            raise ValueError("insufficient funds")
        source.balance -= amount
        target.balance += amount
