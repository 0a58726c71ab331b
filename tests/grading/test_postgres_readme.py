"""The README's PostgreSQL setup, exactly as an instructor follows it.

`export THREADS101_DB_URL=postgresql+psycopg2://...`, then `threads101 release`,
`grade`, `feedback` and `export` from the course directory: every score lands in
PostgreSQL and no SQLite gradebook is written. (Before, the kit dropped the
variable for its nbgrader subprocesses: `release` wrote a SQLite gradebook and
`grade` then found no assignment.)
"""

import os
import subprocess
import sys

import pytest
from postgres import available, temporary_postgres

from threads101 import course as C
from threads101.grading.gradebook import cell_scores

NB1 = "01_threads_and_join"

# A PostgreSQL server and the README's CLI path: make test-full.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(available() is not None, reason=str(available()))]


def threads101(course, *args, env):
    proc = subprocess.run([sys.executable, "-m", "threads101", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"threads101 {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_the_readme_postgresql_path(tmp_path):
    course = C.copy_course(tmp_path / "course")
    with temporary_postgres() as new_db:
        url = new_db("readme")
        env = {**os.environ, "THREADS101_DB_URL": url}
        threads101(course, "release", env=env)
        C.submit(course, "ann", {NB1: C.filled_release(NB1, root=course)})
        C.submit(course, "bob", {NB1: C.release_notebook(NB1, course)})
        threads101(course, "grade", "--jobs", "2", env=env)
        threads101(course, "feedback", env=env)
        threads101(course, "export", env=env)

        ann, bob = cell_scores(url, "ann"), cell_scores(url, "bob")
        graded = [s for s in ann if s.notebook == NB1 and s.auto]
        assert graded and all(s.score == s.max_score for s in graded)
        assert all(s.score == 0 for s in bob if s.notebook == NB1 and s.auto)
        assert {s.notebook for s in ann} == set(C.NOTEBOOKS)  # the others count as missing
    assert not list(course.rglob("*.db")), "a SQLite gradebook was written"
    assert (course / "feedback" / "ann" / C.ASSIGNMENT).is_dir()
    assert "ann" in (course / "exports" / "grades.csv").read_text()
