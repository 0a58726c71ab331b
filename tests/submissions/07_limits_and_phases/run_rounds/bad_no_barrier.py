# bad: every thread runs all its rounds without waiting for the others
# fails: run_rounds_phases
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    errors = []

    def run(worker):
        try:
            for r in range(n_rounds):
                worker(r)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
