"""Execute a notebook as the autograder would and print each cell's run time.

    .venv/bin/python tools/celltimes.py path/to/notebook.ipynb [--student]

With --student the self-checks run too (NBGRADER_EXECUTION is not set).
"""

import datetime
import os
import sys
import time

import nbformat
from nbclient import NotebookClient


def main(path: str, student: bool = False) -> None:
    if not student:
        os.environ["NBGRADER_EXECUTION"] = "autograde"
    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    client = NotebookClient(nb, timeout=60, kernel_name="python3", record_timing=True,
                            allow_errors=True, shutdown_kernel="immediate",
                            extra_arguments=["--IPKernelApp.exec_lines=['import threads101.kernel; threads101.kernel.install()']"])
    client.execute()
    print(f"whole notebook: {time.monotonic() - start:.2f} s (kernel start included)")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        timing = cell.metadata.get("execution", {})
        begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if not (begin and end):
            continue
        seconds = (datetime.datetime.fromisoformat(end.rstrip("Z"))
                   - datetime.datetime.fromisoformat(begin.rstrip("Z"))).total_seconds()
        errors = [f"{o.ename}: {o.evalue[:100]}" for o in cell.outputs if o.output_type == "error"]
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        print(f"{gid:40s} {seconds:6.2f}  {' | '.join(errors)}")


if __name__ == "__main__":
    main(sys.argv[1], "--student" in sys.argv[2:])
