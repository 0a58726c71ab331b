"""The sandboxed kernel imports exactly the threads101 package the grader runs.

An instructor who copies the repository to start next year's course has a
`threads101/` folder inside the course directory. Plain `nbgrader autograde`
then imports the kit from that copy (its config names
`threads101.grading.sandbox.SandboxedKernelManager`), and the kernel must import
the same copy inside the sandbox: before, it looked for the installed one,
which the sandbox does not show, and every kernel died ("No module named
'threads101'").
"""

import shutil
from pathlib import Path

import threads101
from threads101 import course as C
from threads101.grading.gradebook import cell_scores, sqlite_url
import pytest

pytestmark = [pytest.mark.slow]  # a whole extra course grading: make test-full

NB1 = "01_threads_and_join"


def test_a_course_holding_its_own_copy_of_the_package_is_graded(tmp_path):
    course = C.copy_course(tmp_path / "course")
    shutil.copytree(Path(threads101.__file__).parent, course / "threads101",
                    ignore=shutil.ignore_patterns("__pycache__"))
    C.generate(course)
    C.submit(course, "solution", {NB1: C.filled_release(NB1, root=course)})
    proc = C.nbgrader(course, "autograde", C.ASSIGNMENT, "--force", check=False, timeout=300)
    scores = [s for s in cell_scores(sqlite_url(course), "solution") if s.auto and s.notebook == NB1]
    assert scores, proc.stdout[-2000:] + proc.stderr[-4000:]
    lost = [(s.grade_id, s.score, s.max_score) for s in scores if s.score != s.max_score]
    assert lost == [], proc.stderr[-4000:]
