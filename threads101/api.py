"""The kit's stages as functions: what the CLI and the demo call, one place for each.

Each takes a `Course` (a course directory with its configuration read once) and
returns what it wrote, so a script (or a notebook of the instructor's) can drive
the pipeline without going through the command line:

    from threads101 import api
    from threads101.course import Course

    course = Course("path/to/course")
    api.release(course)
    results = api.grade(course, jobs=2)
    api.feedback(course)
    api.export(course)
    api.report(course)
"""

from __future__ import annotations

from pathlib import Path

from threads101.course import Course


def release(course: Course) -> list[str]:
    """`nbgrader generate_assignment`, then what leaks into the release (nothing, normally)."""
    from threads101.grading.release import release as _release

    return _release(course.root)


def bundle(course: Course, dest: Path | None = None) -> Path:
    """The student bundle: dist/threads101-student.zip (release notebooks, the kernel
    runtime as a wheel, the student's requirements and README); refuses if anything leaks."""
    from threads101.grading.bundle import bundle as _bundle

    return _bundle(course.root, dest)


def collect(course: Course, source: Path):
    """Import a folder or zip of submissions (nbgrader's layout or an LMS download)."""
    from threads101.grading.collect import collect as _collect

    return _collect(Path(source), course.root)


def grade(course: Course, **options):
    """Grade the class (see `threads101.grading.grader.Grader` for the options); returns
    the grader, its run's results in `grader.results`."""
    from threads101.grading.grader import Grader

    grader = Grader(course, **options)
    grader.run()
    return grader


def _latest(course: Course) -> dict:
    from threads101.grading.state import load_results

    return load_results(course.root)


def feedback(course: Course, students: list[str] | None = None, results: dict | None = None
             ) -> list[str]:
    """Per-student HTML feedback (no hidden test shown); returns the students written.

    `results` (student -> StudentResult) defaults to the latest grading run's."""
    from threads101.outputs.feedback import write_feedback

    results = _latest(course) if results is None else results
    students = students or sorted(results)
    for student in students:
        result = results.get(student)
        problems = {nb: n.problems for nb, n in result.notebooks.items()} if result else {}
        write_feedback(course.root, student, course.db_url, problems)
    return students


def export(course: Course, folder: Path | None = None) -> tuple[list[Path], list[str]]:
    """grades.csv (nbgrader's columns), grades.json (per test), canvas.csv and moodle.csv
    (LMS gradebook imports, ids from the roster); returns the files and the messages about
    students an LMS file had to leave out."""
    from threads101.outputs.export import export_all

    folder = Path(folder) if folder else course.root / "exports"
    return export_all(course.root, course.db_url, folder, _latest(course))


def report(course: Course, dest: Path | None = None) -> Path:
    """The class report: one HTML page with plots."""
    from threads101.outputs.report import write_report

    dest = Path(dest) if dest else course.root / "reports" / "report.html"
    return write_report(course.root, course.db_url, dest, _latest(course))
