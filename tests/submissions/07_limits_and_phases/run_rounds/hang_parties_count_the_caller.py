# hang: Barrier(len(workers) + 1) "for the caller too", but the caller never waits at it: every worker waits forever after round 0
# fails: run_rounds_calls run_rounds_phases run_rounds_together run_rounds_finished
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

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
