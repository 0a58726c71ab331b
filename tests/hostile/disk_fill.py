# HOSTILE (threat 5): fill the disk.
# Solution cell `threaded_count`. Writes 16 MiB blocks to files in /tmp until that
# fails (at most 1 GiB, for the machine's sake): inside the sandbox /tmp is a
# private 256 MiB tmpfs, and no file may exceed 64 MiB (tried first, with one 80 MiB
# file). It also fills the sockets' tmpfs and /dev/shm. Then a correct threaded_count.
import os

TOKEN = "@TOKEN@"
MiB = 1024 ** 2
_block = b"\0" * (16 * MiB)


def _fill(folder, limit):
    written, error, index = 0, None, 0
    while written < limit and error is None:
        path = os.path.join(folder, f"fill-{TOKEN}-{index}")
        index += 1
        try:
            with open(path, "wb") as f:
                for _ in range(3):  # 48 MiB per file, under the file size limit
                    f.write(_block)
                    written += len(_block)
        except OSError as exc:
            error = exc
    return written // MiB, error


try:
    with open(f"/tmp/big-{TOKEN}", "wb") as f:
        f.writelines(_block for _ in range(5))
    print("HOSTILE disk one 80 MiB file: WROTE")
except OSError as exc:
    print(f"HOSTILE disk one 80 MiB file: BLOCKED ({type(exc).__name__}: {exc.strerror})")
if os.path.exists(f"/tmp/big-{TOKEN}"):
    os.remove(f"/tmp/big-{TOKEN}")

for _folder in ("/tmp", "/run/threads101", "/dev/shm"):
    _mib, _error = _fill(_folder, 1024 * MiB)
    print(f"HOSTILE disk {_folder}: wrote {_mib} MiB, then "
          + (f"BLOCKED ({type(_error).__name__}: {_error.strerror})" if _error else "NOT STOPPED"))


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    import threading

    totals = [0 for _ in range(n_threads)]

    def run(k):
        todo = count_to // n_threads + (k < count_to % n_threads)
        while todo:
            todo -= 1
            totals[k] += 1

    workers = [threading.Thread(target=run, args=(k,)) for k in range(n_threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(totals)
