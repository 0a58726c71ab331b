"""Developer tools (not shipped in the wheel): proof suites, flake runs, benchmarks."""
