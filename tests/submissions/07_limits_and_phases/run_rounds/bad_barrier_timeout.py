# bad: no abort(): a failed worker's thread just ends, and the others only stop when their 2 s barrier timeout breaks the barrier
# fails: run_rounds_exception_stops
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(worker):
        try:
            for r in range(n_rounds):
                worker(r)
                barrier.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
