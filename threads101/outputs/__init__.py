"""What grading produces for people: outcomes of tests, feedback pages, exports, the class report,
progress on the terminal."""
