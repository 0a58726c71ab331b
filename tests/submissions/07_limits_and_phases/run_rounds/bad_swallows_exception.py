# bad: stops every thread properly when a call raises, but then returns None instead of raising the exception
# fails: run_rounds_exception
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    barrier = threading.Barrier(len(workers))

    def run(worker):
        try:
            for r in range(n_rounds):
                worker(r)
                barrier.wait()
        except threading.BrokenBarrierError:
            pass
        except Exception:
            barrier.abort()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
