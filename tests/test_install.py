"""`pip install .` (not editable) gives a working kit: nothing in the package points into
the repository checkout. The installed copy releases and grades a course directory that
holds no trace of the repository, its kernels importing the installed copy."""

import os
import subprocess
import sys

import pytest

from threads101 import course as C
from threads101.grading.gradebook import cell_scores, sqlite_url

pytestmark = [pytest.mark.slow]  # a non-editable install into a fresh target: make test-full

NB1 = "01_threads_and_join"


def test_a_non_editable_install_releases_and_grades(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--no-deps", "--no-build-isolation", "--target", str(target), str(C.REPO)],
                   check=True, capture_output=True, timeout=300)
    assert (target / "threads101" / "outputs" / "templates" / "feedback.html").is_file()
    assert not (target / "devtools").exists() and not (target / "tests").exists()
    course = C.copy_course(tmp_path / "course")
    env = {**C.tool_env(), "PYTHONPATH": str(target)}

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "threads101", *args], cwd=course, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
        return proc

    where = subprocess.run([sys.executable, "-c", "import threads101; print(threads101.__file__)"],
                           cwd=course, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target)), where
    run("release")
    C.submit(course, "ann", {NB1: C.filled_release(NB1, root=course)})
    run("grade", "--jobs", "1")
    run("feedback")
    run("report")
    scores = [s for s in cell_scores(sqlite_url(course), "ann") if s.notebook == NB1 and s.auto]
    assert scores and all(s.score == s.max_score for s in scores)
    assert (course / "feedback" / "ann" / C.ASSIGNMENT / f"{NB1}.html").is_file()
    assert os.path.getsize(course / "reports" / "report.html") > 1000
