# bad: the caller is one more party of the barrier and returns after the last round without joining: the threads may still be running
# fails: run_rounds_finished
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers) + 1)
    errors = []

    def run(worker):
        try:
            for r in range(n_rounds):
                worker(r)
                barrier.wait()
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            errors.append(exc)
            barrier.abort()

    for w in workers:
        threading.Thread(target=run, args=(w,), daemon=True).start()
    try:
        for _ in range(n_rounds):
            barrier.wait()
    except threading.BrokenBarrierError:
        pass
    if errors:
        raise errors[0]
