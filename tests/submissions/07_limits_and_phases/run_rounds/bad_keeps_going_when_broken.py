# bad: treats BrokenBarrierError as "nobody to wait for" and carries on with the next rounds
# fails: run_rounds_exception_stops
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(worker):
        for r in range(n_rounds):
            try:
                worker(r)
            except Exception as exc:
                errors.append(exc)
                barrier.abort()
                return
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                continue

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
