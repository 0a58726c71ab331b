# ok: slow but correct: a Barrier whose action sleeps, workers that sleep before every call, and a caller that polls join(timeout)
import threading
import time


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers), action=lambda: time.sleep(0.02))
    failures = []

    def run(worker):
        for r in range(n_rounds):
            time.sleep(0.02)
            try:
                worker(r)
            except Exception as exc:
                failures.append(exc)
                barrier.abort()
                return
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        while t.is_alive():
            t.join(timeout=0.05)
    if failures:
        raise failures[0]
