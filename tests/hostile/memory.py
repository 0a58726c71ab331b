# HOSTILE (threat 5): exhaust the machine's memory.
# Solution cell `run_in_threads`. Asks for 4 GiB at once, maps 4 GiB, then grows a
# list by 256 MiB blocks until it is refused: inside the kernel's 2 GiB cap each
# attempt ends in MemoryError and the kernel lives on. It also tries to lift the
# cap. Then a correct run_in_threads, so grading goes on.
import gc
import mmap
import resource

GiB = 1024 ** 3
_names = ["RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE"]
print("HOSTILE memory limits: " + ", ".join(
    f"{n}={resource.getrlimit(getattr(resource, n))[1]}" for n in _names))
try:
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("HOSTILE memory raise the cap: RAISED")
except Exception as exc:
    print(f"HOSTILE memory raise the cap: BLOCKED ({type(exc).__name__})")

try:
    _big = bytearray(4 * GiB)
    print("HOSTILE memory 4 GiB at once: ALLOCATED")
    del _big
except MemoryError:
    print("HOSTILE memory 4 GiB at once: BLOCKED (MemoryError)")
try:
    _map = mmap.mmap(-1, 4 * GiB)
    print("HOSTILE memory mmap 4 GiB: ALLOCATED")
    _map.close()
except (OSError, MemoryError) as exc:
    print(f"HOSTILE memory mmap 4 GiB: BLOCKED ({type(exc).__name__})")

_blocks = []
try:
    for _ in range(32):  # 8 GiB if nothing stops it
        _blocks.append(bytearray(256 * 1024 ** 2))
    print(f"HOSTILE memory blocks: ALLOCATED {len(_blocks) / 4:.2f} GiB")
except MemoryError:
    print(f"HOSTILE memory blocks: BLOCKED (MemoryError after {len(_blocks) / 4:.2f} GiB)")
del _blocks
gc.collect()


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    import threading

    threads = [threading.Thread(target=func, args=tuple(a)) for a in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return threads
