"""Executing one submitted notebook: the unit of grading.

`execute_notebook(notebook_json, settings)` needs no course directory and no
gradebook: it runs the notebook's cells in a fresh kernel (the sandboxed one
when the course is configured so) and returns the executed notebook. The
grading pipeline runs it in a local process pool or on Dask workers; plain
`nbgrader autograde` runs the same preprocessor, `KitExecute`, configured in
nbgrader_config.py.

`KitExecute` is nbgrader's Execute, made robust for untrusted code:
- if the kernel dies (os._exit, a crash, the memory limit), or goes on running
  a cell past the cell timeout although interrupted (it swallows
  KeyboardInterrupt), the cell that was running and every later cell get an
  error output, so their tests score zero (a graded cell with no error would
  otherwise count as passed), and the tests that ran before keep their points;
- the output a cell can produce is capped (a flood of prints is cut, not
  stored whole), display updates too; widget messages are ignored (grading
  needs no widgets, and nbclient would store their state whole and trust it);
- whatever the kernel sends that the client cannot handle costs that notebook
  (as a dead kernel does), not the grading run;
- the kernel is always the kit's own (`Execute.kernel_name`), whatever the
  submitted notebook says.

`CheckSubmittedMetadata` is nbgrader's CheckCellMetadata for the sanitizing of
submissions: nbgrader stops a whole `nbgrader autograde` run (every student
after this one ungraded) when a notebook's metadata claims another format
version; a submission can write that, so here it fails that submission only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import nbformat
from nbclient.client import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import ValidationError
from nbgrader.nbgraderformat.common import SchemaMismatchError
from nbgrader.preprocessors import CheckCellMetadata, Execute
from nbgrader.utils import setenv
from traitlets import Bool, Integer
from traitlets.config import Config

KERNEL_DIED = "KernelDied"
KERNEL_STUCK = "KernelStuck"  # stopped by the grader: past the timeout, or unmanageable
NOT_RUN = "NotRun"


def error_output(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                  traceback=[f"{ename}: {evalue}"])


def is_demo(cell) -> bool:
    """A read-only demo cell of the course: locked code, not graded, grade_id demo_..."""
    meta = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "code" and str(meta.get("grade_id", "")).startswith("demo_")
            and bool(meta.get("locked")) and not meta.get("grade") and not meta.get("solution"))


class KitExecute(Execute):
    """nbgrader's Execute preprocessor that survives dead kernels and output floods."""

    max_output_bytes = Integer(
        100_000, help="Output a cell may produce; the rest is cut."
    ).tag(config=True)

    skip_demos = Bool(
        True, help="Leave the read-only demo cells (grade_id demo_...) unexecuted while "
        "grading. They only show things to the student; no graded test depends on them, "
        "and they take about a quarter of a correct notebook's grading time. A demo that "
        "cannot run in the sandbox cannot cost anyone points either."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.problems: list[str] = []
        self._output_bytes: dict[int, int] = {}
        with self.setup_kernel():
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                if self.skip_demos and is_demo(cell):
                    continue
                try:
                    self.preprocess_cell(cell, resources, index)
                    self._note_errors(index, cell)
                except DeadKernelError:
                    self._kernel_died(index)
                    break
                except CellTimeoutError:  # interrupted at the timeout, and still busy
                    self._kernel_died(index, how="stuck")
                    break
                except Exception as exc:  # the kernel sent what the client could not handle
                    self._kernel_died(index, how="broke", detail=f"{type(exc).__name__}: {exc}")
                    break
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _problem(self, message: str) -> None:
        self.problems.append(message)
        self.log.warning(message)

    def _note_errors(self, index: int, cell) -> None:
        """Say so when a cell's code stopped the run's normal course (the kernel lived on)."""
        names = {o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"}
        name = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
        if "SystemExit" in names:
            self._problem(f"{name} raised SystemExit (the kernel caught it and went on)")
        if "CellTimeoutError" in names:
            self._problem(f"{name} ran past the cell timeout ({self.timeout} s) and was interrupted")

    def _kernel_died(self, index: int, how: str = "died", detail: str = "") -> None:
        """The kernel died ("died"), ignored the interrupt at the timeout ("stuck") or sent
        what the client could not handle ("broke") while running cell `index`."""
        cell = self.nb.cells[index]
        name = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
        if how == "stuck":
            self._problem(f"the kernel was stopped: it ran {name} past the cell timeout "
                          f"({self.timeout} s) and did not respond to the interrupt")
            cell.outputs.append(error_output(
                KERNEL_STUCK, f"this cell ran longer than {self.timeout} s and went on after "
                "the interrupt (KeyboardInterrupt ignored?): the kernel was stopped; the "
                "cells below were not run"))
        elif how == "broke":
            self._problem(f"the kernel was stopped: while running {name} it sent what the "
                          f"grader could not handle ({detail})")
            cell.outputs.append(error_output(
                KERNEL_STUCK, "while running this cell the kernel sent messages the grader "
                "could not handle: the kernel was stopped; the cells below were not run"))
        else:
            self._problem(f"the kernel died while running {name}")
            cell.outputs.append(error_output(
                KERNEL_DIED, "the kernel stopped while running this cell (its process exited, "
                "crashed or ran out of memory); the cells below were not run"))
        for later in self.nb.cells[index + 1:]:
            if later.cell_type == "code":
                later.outputs = [error_output(
                    NOT_RUN, f"not run: the kernel {'died' if how == 'died' else 'was stopped'} "
                             f"earlier, in {name}")]
                later.execution_count = None

    def handle_comm_msg(self, outs, msg, cell_index):
        """Widget (comm) messages are ignored: no widget state is kept or trusted."""

    def _update_display_id(self, display_id, msg):
        """A display update replaces earlier outputs in place: capped like outputs."""
        if len(json.dumps(msg.get("content", {}))) > self.max_output_bytes:
            self._problem(f"a display update over {self.max_output_bytes} bytes was ignored")
            return
        super()._update_display_id(display_id, msg)

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                self._problem(f"output of cell {cell_index} cut at {self.max_output_bytes} bytes")
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"\n[output cut: this cell printed more than "
                         f"{self.max_output_bytes} bytes]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


class CheckSubmittedMetadata(CheckCellMetadata):
    """CheckCellMetadata whose verdict on a submitted notebook concerns that notebook only."""

    def preprocess(self, nb, resources):
        try:
            return super().preprocess(nb, resources)
        except SchemaMismatchError as exc:  # nbgrader aborts the whole run on these
            raise ValidationError(f"the submitted notebook's nbgrader metadata is invalid: "
                                  f"{exc}") from None


@dataclass
class ExecutionResult:
    notebook: str  # the executed notebook, as JSON
    seconds: float
    problems: list[str] = field(default_factory=list)
    #: The grader failed, not the student (no kernel could be started): grade again later.
    grader_failed: bool = False


def execute_notebook(notebook_json: str, settings: dict | None = None) -> ExecutionResult:
    """Execute a (sanitized) notebook and return it executed. Never raises for bad student code.

    `settings` is a traitlets config as a plain dict, e.g. {"Execute": {"timeout": 60}}.
    """
    start = time.monotonic()
    nb = nbformat.reads(notebook_json, as_version=4)
    executor = KitExecute(config=Config(settings or {}))
    try:
        with setenv(NBGRADER_EXECUTION="autograde"):  # as nbgrader autograde does
            nb, _ = executor.preprocess(nb, {})
        problems = list(executor.problems)
    except Exception as exc:  # the kernel never started (before any student code ran)
        problem = f"the grader could not run the notebook: {type(exc).__name__}: {exc}"
        return ExecutionResult(notebook_json, time.monotonic() - start, [problem], True)
    # Plain JSON (sources not split into lines): the coordinator reads it back as is.
    return ExecutionResult(json.dumps(nb), time.monotonic() - start, problems)
