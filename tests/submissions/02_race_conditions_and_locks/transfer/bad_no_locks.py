# bad: never takes any lock
# fails: transfer_both_locks transfer_check_under_lock
def transfer(source, target, amount):
    """Move amount from source to target."""
    if source is target:
        return
    if source.balance < amount:
        raise ValueError("insufficient funds")
    source.balance -= amount
    target.balance += amount
