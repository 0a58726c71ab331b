# bad: a lock around every call, "to be safe": the rounds are right, but the calls of a round never run at the same time
# fails: run_rounds_together
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    one_at_a_time = threading.Lock()
    errors = []

    def run(worker):
        try:
            for r in range(n_rounds):
                with one_at_a_time:
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
