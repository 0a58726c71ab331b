# ok: when the queue is empty, sleeps idle_timeout and stops only if it is still empty (slow to react, but right)
import queue
import time


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    n = 0
    while True:
        try:
            item = q.get_nowait()
        except queue.Empty:
            time.sleep(idle_timeout)
            if q.empty():
                return n
            continue
        handle(item)
        n += 1
