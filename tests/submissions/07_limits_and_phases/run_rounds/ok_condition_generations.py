# ok: a barrier built by hand from a Condition: a count of arrivals, a generation number, and a "failed" flag instead of abort()
import threading


def run_rounds(workers, n_rounds):
    """Run workers[i](r) for r in 0 .. n_rounds - 1, one thread per worker, round by round."""
    cond = threading.Condition()
    state = {"arrived": 0, "generation": 0, "failed": False}
    errors = []

    def wait_for_the_others():
        with cond:
            generation = state["generation"]
            state["arrived"] += 1
            if state["arrived"] == len(workers):
                state["arrived"] = 0
                state["generation"] += 1
                cond.notify_all()
            else:
                cond.wait_for(lambda: state["generation"] != generation or state["failed"])
            return not state["failed"]

    def run(worker):
        for r in range(n_rounds):
            try:
                worker(r)
            except Exception as exc:
                with cond:
                    errors.append(exc)
                    state["failed"] = True
                    cond.notify_all()
                return
            if not wait_for_the_others():
                return

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
