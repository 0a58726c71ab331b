# bad: numbers the rounds 1 .. n_rounds instead of 0 .. n_rounds - 1
# fails: run_rounds_calls
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(worker):
        try:
            for r in range(1, n_rounds + 1):
                worker(r)
                barrier.wait()
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
