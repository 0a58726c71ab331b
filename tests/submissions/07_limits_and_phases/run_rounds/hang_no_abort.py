# hang: a worker that raises just ends its thread; the others wait at the barrier for it forever, and run_rounds in join()
# fails: run_rounds_exception run_rounds_exception_stops
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(worker):
        try:
            for r in range(n_rounds):
                worker(r)
                barrier.wait()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
