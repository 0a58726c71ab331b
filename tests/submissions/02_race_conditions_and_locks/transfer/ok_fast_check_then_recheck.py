# ok: a quick balance check before locking, repeated under the locks (sorted by id)
from contextlib import ExitStack


def transfer(source, target, amount):
    """Move amount from source to target, holding both accounts' locks.

    Raises ValueError, and changes nothing, if source.balance < amount.
    """
    if source.balance < amount and source is not target:
        raise ValueError("insufficient funds")
    if source is target:
        return
    with ExitStack() as stack:
        for account in sorted((source, target), key=id):
            stack.enter_context(account.lock)
        if source.balance < amount:
            raise ValueError("insufficient funds")
        source.balance -= amount
        target.balance += amount
