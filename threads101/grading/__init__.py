"""The instructor's grading pipeline, its stages in order: release (and the student bundle), collect,
prepare and execute (in a sandbox), store in the gradebook; the grader schedules them (local or Dask)."""
