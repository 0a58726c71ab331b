"""Progress of a grading run: a live bar on a terminal, plain lines in logs."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Reporter:
    """Receives the grader's events. `interactive=None` means: a bar only on a terminal."""

    def __init__(self, interactive: bool | None = None, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.interactive = self.console.is_terminal if interactive is None else interactive
        self.done = self.with_problems = 0
        self.total = 0
        self._progress: Progress | None = None
        self._task = None
        self._start = time.monotonic()

    def start(self, total: int, skipped: int = 0) -> None:
        self.total, self._start = total, time.monotonic()
        note = f" ({skipped} unchanged since the last run, not regraded)" if skipped else ""
        if self.interactive:
            self._progress = Progress(
                TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
                TextColumn("students  {task.fields[problems]} with problems"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=self.console, transient=False)
            self._progress.start()
            self._task = self._progress.add_task("grading", total=total, problems=0)
            if note:
                self.console.print(note.strip())
        else:
            print(f"grading {total} students{note}", file=sys.stderr, flush=True)

    def student_done(self, result) -> None:
        self.done += 1
        problems = result.all_problems
        self.with_problems += bool(problems)
        if self._progress is not None:
            self._progress.update(self._task, advance=1, problems=self.with_problems)
        else:
            elapsed = time.monotonic() - self._start
            eta = elapsed / self.done * (self.total - self.done)
            flag = f"  ({len(problems)} problem(s))" if problems else ""
            print(f"[{self.done}/{self.total}] {result.student}: {result.score:g}/"
                  f"{result.max_score:g}{flag}  elapsed {elapsed:.0f} s, eta {eta:.0f} s",
                  file=sys.stderr, flush=True)

    def warn(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/] {message}") if self.interactive else print(
            f"warning: {message}", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def summary_table(results, notebooks: list[str]):
    """One row per student: score per notebook, total, time, problems."""
    from rich.table import Table

    table = Table(title="threads101 grades", show_lines=False)
    table.add_column("student")
    for nb in notebooks:
        table.add_column(nb[:2], justify="right")
    table.add_column("total", justify="right")
    table.add_column("to grade\nby hand", justify="right")
    table.add_column("time", justify="right")
    table.add_column("problems", overflow="fold")
    for r in results:
        cells = []
        for nb in notebooks:
            n = r.notebooks.get(nb)
            cells.append("-" if n is None else f"{n.score:g}/{n.max_score:g}")
        problems = r.all_problems
        text = "\n".join(problems[:4]) + (f"\n(+{len(problems) - 4} more, see the log)"
                                          if len(problems) > 4 else "")
        when = f"{r.seconds:.0f}s" if r.graded else "unchanged"
        table.add_row(r.student, *cells, f"{r.score:g}/{r.max_score:g}",
                      str(r.pending_manual or "-"), when, text or "-")
    return table
