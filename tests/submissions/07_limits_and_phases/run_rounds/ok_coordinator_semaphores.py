# ok: the caller runs the rounds: it lets each worker thread go with a semaphore of its own and counts the finished calls on another
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    go = [threading.Semaphore(0) for _ in workers]
    finished = threading.Semaphore(0)
    stop = False
    errors = []

    def run(i):
        r = 0
        while True:
            go[i].acquire()
            if stop:
                return
            try:
                workers[i](r)
            except Exception as exc:
                errors.append(exc)
            finally:
                finished.release()
            r += 1

    threads = [threading.Thread(target=run, args=(i,), name=f"w{i}") for i in range(len(workers))]
    for t in threads:
        t.start()
    try:
        for _r in range(n_rounds):
            for g in go:
                g.release()
            for _ in workers:
                finished.acquire()
            if errors:
                break
    finally:
        stop = True
        for g in go:
            g.release()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
