# bad: joins the threads in order and raises as soon as a joined thread had failed, while the others are still finishing their round
# fails: run_rounds_exception
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    errors = [None] * len(workers)

    def run(i, worker):
        try:
            for r in range(n_rounds):
                worker(r)
                barrier.wait()
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            errors[i] = exc
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for i, t in enumerate(threads):
        t.join()
        if errors[i] is not None:
            raise errors[i]
