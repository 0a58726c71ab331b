"""The kit's own settings, read from the course's nbgrader_config.py like nbgrader's.

Everything `threads101` needs to know about a course beyond nbgrader's own
options lives in one traitlets `Configurable`, so that the options document
themselves (help text, types, defaults) and a typo in nbgrader_config.py is
reported instead of ignored:

    c.Threads101.scheduler = "tcp://scheduler-host:8786"
    c.Threads101.jobs = 2

`threads101 grade --help-config` is not a thing (the kit's CLI is argparse);
the list is in the README's configuration section and in `Threads101.class_config_section()`.
"""

from __future__ import annotations

from traitlets import Integer, Unicode
from traitlets.config import Configurable


class Threads101(Configurable):
    """Settings of `threads101 grade`, `feedback`, `export` and `report`."""

    scheduler = Unicode(
        "",
        help="Address of a dask.distributed scheduler (tcp://host:8786). When set, "
             "`threads101 grade` executes notebooks on its workers instead of local processes; "
             "`--scheduler` on the command line wins over this.",
    ).tag(config=True)

    jobs = Integer(
        0,
        help="Worker processes for local grading (0: one per core). `--jobs` wins over this. "
             "More than the number of cores makes timing-sensitive hidden tests less reliable.",
    ).tag(config=True)

    roster = Unicode(
        "roster.csv",
        help="The class roster, relative to the course directory: a CSV file with a column `id` "
             "(nbgrader's student ids) and optional LMS columns (see README). Grading flags "
             "submissions from ids not on it; exports use its LMS ids. Missing file: no roster.",
    ).tag(config=True)
