"""The progress bar stays out of non-interactive logs."""

import io

from rich.console import Console

from threads101.grading.grader import NotebookResult, StudentResult
from threads101.outputs.progress import Reporter, summary_table


def test_plain_lines_when_not_a_terminal(capsys):
    reporter = Reporter(console=Console(file=io.StringIO(), force_terminal=False))
    assert not reporter.interactive
    reporter.start(total=2)
    result = StudentResult("ann", {"01": NotebookResult("01", 5, 10)})
    reporter.student_done(result)
    reporter.finish()
    err = capsys.readouterr().err
    assert "grading 2 students" in err and "[1/2] ann: 5/10" in err
    assert "\r" not in err and "\x1b[" not in err


def test_summary_table_lists_scores_and_problems():
    result = StudentResult("ann", {"01": NotebookResult("01", 5, 10, problems=["kernel died"])})
    console = Console(file=io.StringIO(), width=200)
    console.print(summary_table([result], ["01"]))
    text = console.file.getvalue()
    assert "ann" in text and "5/10" in text and "kernel died" in text
