# bad: starts new threads for every round and joins them before the next: the rounds are right, but a worker runs in a different thread each round
# fails: run_rounds_calls
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    errors = []

    def one(worker, r):
        try:
            worker(r)
        except Exception as exc:
            errors.append(exc)

    for r in range(n_rounds):
        threads = [threading.Thread(target=one, args=(w, r)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
