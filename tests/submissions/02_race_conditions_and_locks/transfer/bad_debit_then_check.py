# bad: debits first and raises when the balance went negative, without undoing the debit
# fails: transfer_insufficient transfer_check_under_lock
def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks."""
    if source is target:
        return
    first, second = sorted([source, target], key=id)
    with first.lock, second.lock:
        source.balance -= amount
        if source.balance < 0:
            raise ValueError("insufficient funds")
        target.balance += amount
