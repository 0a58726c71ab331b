# bad: raises a new RuntimeError naming the failed worker instead of the exception the call raised
# fails: run_rounds_exception
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))
    failed = []

    def run(i, worker):
        try:
            for r in range(n_rounds):
                worker(r)
                barrier.wait()
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            failed.append((i, exc))
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        i, exc = failed[0]
        raise RuntimeError(f"worker {i} failed: {exc}") from exc
