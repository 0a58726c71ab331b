# HOSTILE (threat 7): raise SystemExit before defining threaded_count.
# Solution cell `threaded_count`. IPython catches SystemExit, so the kernel lives
# on: the tests that ran before keep their points, the threaded_count tests fail
# (the function was never defined), and the grader notes the SystemExit.
print("HOSTILE kill: raise SystemExit")
raise SystemExit("leaving early")
