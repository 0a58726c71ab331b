"""`threads101 grade --scheduler`: notebooks graded on a real Dask cluster (a scheduler and
two single-threaded workers on this machine), with SQLite and with PostgreSQL gradebooks.

The class: the sample class copied under new ids (28 students), notebook 01 only, to keep
the suite fast; `make bench` grades the full 60-student class.
"""

import shutil
import tempfile
from pathlib import Path

import pytest
from dask_cluster import dask_cluster
from postgres import available, temporary_postgres

from threads101 import course as C
from threads101.grading.collect import collect
from threads101.grading.grader import Grader
from threads101.grading.gradebook import cell_scores, sqlite_url
from threads101.outputs.progress import Reporter
from threads101.samples import build_class, load_class

pytestmark = [pytest.mark.slow]  # Dask workers and a PostgreSQL server (two minutes): make test-full

NB1 = C.NOTEBOOKS[0]
STUDENTS = 14  # every sample student once


def make_class(course: Path) -> list[str]:
    specs = load_class()
    scaled = [dict(specs[i % len(specs)], id=f"{specs[i % len(specs)]['id']}{i // len(specs)}")
              for i in range(STUDENTS)]
    with tempfile.TemporaryDirectory() as tmp:
        for source in build_class(Path(tmp) / "inbox", course, scaled):
            collect(source, course)
    for notebook in (course / "submitted").glob(f"*/{C.ASSIGNMENT}/*.ipynb"):
        if notebook.stem != NB1:
            notebook.unlink()
    return [s["id"] for s in scaled]


class KillAfter(Reporter):
    """Kills a Dask worker once a third of the students are graded."""

    def __init__(self, cluster, after: int):
        super().__init__(interactive=False)
        self.cluster, self.after, self.killed = cluster, after, False

    def student_done(self, result):
        super().student_done(result)
        if self.done >= self.after and not self.killed:
            self.cluster.kill_worker(0)
            self.killed = True


def scores(url: str, students: list[str]) -> dict:
    out = {}
    for s in students:
        cells = cell_scores(url, s)
        out[s] = None if cells is None else {(c.notebook, c.grade_id): c.score for c in cells}
    return out


def submissions_in(url: str) -> list[str]:
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        return sorted(sub.student.id for sub in gb.find_assignment(C.ASSIGNMENT).submissions)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    course = C.generated_copy(tmp_path_factory.mktemp("dask") / "base")
    students = make_class(course)
    return course, students


@pytest.fixture(scope="module")
def local(base, tmp_path_factory):
    course, students = base
    copy = tmp_path_factory.mktemp("local") / "course"
    shutil.copytree(course, copy)
    Grader(copy, jobs=2).run()
    return scores(sqlite_url(copy), students)


@pytest.fixture(scope="module")
def cluster():
    with dask_cluster(workers=2) as c:
        yield c


def test_dask_grades_like_local_even_when_a_worker_dies(base, local, cluster, tmp_path):
    course, students = base
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    reporter = KillAfter(cluster, after=STUDENTS // 3)
    results = Grader(copy, scheduler=cluster.address, reporter=reporter).run()
    assert reporter.killed, "the worker was killed halfway"
    assert sorted(r.student for r in results) == sorted(students)
    assert all(r.graded and not any("grader failed" in p for p in r.problems) for r in results)
    assert submissions_in(sqlite_url(copy)) == sorted(students), "each graded exactly once"
    ours = scores(sqlite_url(copy), students)
    different = {s: (ours[s], local[s]) for s in students if ours[s] != local[s]}
    assert not different, f"scores differ from local grading: {different}"
    assert reporter.done == len(students)


@pytest.mark.skipif(available() is not None, reason=str(available()))
def test_dask_with_a_postgresql_gradebook(base, local, cluster, tmp_path, monkeypatch):
    course, students = base
    copy = C.copy_course(tmp_path / "course")
    shutil.copytree(course / "submitted", copy / "submitted")
    with temporary_postgres() as new_db:
        url = new_db("threads101")
        C.nbgrader(copy, "generate_assignment", C.ASSIGNMENT, "--force",
                   env={"THREADS101_DB_URL": url})
        monkeypatch.setenv("THREADS101_DB_URL", url)
        results = Grader(copy, scheduler=cluster.address).run()
        assert len(results) == len(students)
        assert submissions_in(url) == sorted(students)
        ours = scores(url, students)
        different = {s: (ours[s], local[s]) for s in students if ours[s] != local[s]}
        assert not different, f"scores differ from local grading: {different}"
        assert not (copy / "gradebook.db").exists(), "nothing went to SQLite"
