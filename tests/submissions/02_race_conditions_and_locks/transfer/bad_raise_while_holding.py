# bad: acquire/release by hand, and the ValueError leaves both locks held
# fails: transfer_insufficient
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    if source is target:
        return
    first, second = sorted([source, target], key=id)
    first.lock.acquire()
    second.lock.acquire()
    if source.balance < amount:
        raise ValueError("insufficient funds")
    source.balance -= amount
    target.balance += amount
    second.lock.release()
    first.lock.release()
