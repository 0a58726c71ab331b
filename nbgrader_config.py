"""nbgrader configuration of the threads101 course.

This is a normal nbgrader course: `nbgrader generate_assignment threads101`,
`nbgrader autograde threads101` and the formgrader all work from this folder.
The `threads101` command adds parallel grading, feedback, exports and a report
on top of it (see README.md).
"""
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "threads101"
# The gradebook: SQLite next to this file, or any SQLAlchemy URL (PostgreSQL for a large
# course) in THREADS101_DB_URL, e.g. postgresql+psycopg2://grader@dbhost/threads101.
c.CourseDirectory.db_url = os.environ.get(
    "THREADS101_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db"))

# The kit's own settings (threads101/config.py documents each one):
# - scheduler: `threads101 grade` executes notebooks on a Dask cluster when one is given here
#   (or with --scheduler tcp://host:8786); otherwise in a local process pool;
# - jobs: local worker processes (default: one per core; --jobs wins);
# - roster: the class list (column `id`, optional LMS ids), relative to this folder.
# c.Threads101.scheduler = "tcp://scheduler-host:8786"
# c.Threads101.jobs = 2
# c.Threads101.roster = "roster.csv"

# Grading executes untrusted, concurrent code.  Hidden tests give every call a
# time budget of a few seconds, so a cell never needs nbgrader's cell timeout;
# it stays as a last resort.
c.Execute.timeout = 60
# Every graded kernel runs in a bubblewrap sandbox (threads101/sandbox.py): it cannot
# see the course files, reach the network or leave processes behind, and it has
# resource limits. Without bubblewrap, grading refuses to run (THREADS101_UNSAFE=1
# or `threads101 grade --unsafe` to grade anyway).
c.Execute.kernel_manager_class = "threads101.grading.sandbox.SandboxedKernelManager"
# Kill a graded kernel at the end instead of waiting for stuck non-daemon threads.
c.Execute.shutdown_kernel = "immediate"
# Load the hidden-test machinery before any cell runs, so that it keeps real
# references to time/threading/queue even if a submission replaces them.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=ERROR",
    "--IPKernelApp.exec_lines=['import threads101.kernel; threads101.kernel.install()']",
]
# A submission whose nbgrader metadata claims another format version fails alone
# (nbgrader's own check would stop the whole autograde run).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "threads101.grading.execute.CheckSubmittedMetadata",
]
# The kit's execute step: survives dead kernels and output floods (threads101/execute.py).
c.Autograde.autograde_preprocessors = [
    "threads101.grading.execute.KitExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A student who deletes a graded test cell gets it back (and its points at stake).
c.OverwriteCells.add_missing_cells = True

# nbgrader's own feedback (`nbgrader generate_feedback`, the formgrader's "Generate Feedback"
# and "Release Feedback" buttons) renders the autograded notebook, which holds the hidden
# tests. HideHiddenTests (threads101/outputs/nbgrader_feedback.py) shows each test cell as
# the release does and takes hidden-test lines out of outputs and tracebacks; scores stay.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "threads101.outputs.nbgrader_feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
