"""threads101: an nbgrader course kit that teaches Python threading."""

__version__ = "0.1.0"
