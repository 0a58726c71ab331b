# bad: checks the balance before taking the locks (check-then-act race)
# fails: transfer_check_under_lock
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    if source is target:
        return
    if source.balance < amount:
        raise ValueError("insufficient funds")
    first, second = sorted([source, target], key=id)
    with first.lock, second.lock:
        source.balance -= amount
        target.balance += amount
