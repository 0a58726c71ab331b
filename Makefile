# threads101: the two commands a new user needs are `make demo` and `make test`.
# Everything is set up from the repository: Debian packages (as root, via apt-get),
# a virtualenv in .venv with the pinned requirements.txt, and the threads101 package.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages the kit needs: bubblewrap isolates graded kernels; the tests start a
# PostgreSQL server for the gradebook and drive chromium (with Playwright) in the browser tests.
DEBS   := bubblewrap postgresql chromium chromium-driver
N      ?= 20

.PHONY: help venv system demo test test-full lab release bundle bench flake lint clean

help:
	@echo "make demo    release, grade the sample class, feedback, export, report"
	@echo "make test      the quick suite (under 6 minutes; what CI runs)"
	@echo "make test-full every test: all proof variants, hostile classes, exchange, Dask, PostgreSQL, installs"
	@echo "make lab     JupyterLab on a copy of the student release (an instructor's preview)"
	@echo "make release regenerate release/ from source/"
	@echo "make bundle  the student bundle: dist/threads101-student.zip"
	@echo "make bench   speed figures (ratios measured side by side)"
	@echo "make flake   grade the proof suites N times under load (N=$(N))"

system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing Debian packages:$$missing"; \
	    apt-get install -y -q $$missing >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $$missing >/dev/null; }; \
	  else echo "Missing Debian packages:$$missing (run 'make system' as root)"; fi; \
	fi

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: system $(STAMP)

demo: venv
	$(BIN)/python -m threads101 demo

# `make test` leaves out the tests marked `slow` (pyproject.toml says which and why) to stay
# under 6 minutes; `make test-full` runs them all (about 45 minutes on 2 cores).
test: venv lint
	$(BIN)/python -m pytest -m "not slow" --durations=15

test-full: venv lint
	$(BIN)/python -m pytest --durations=30

lab: venv
	$(BIN)/python -m threads101 lab

release: venv
	$(BIN)/python -m threads101 release

bundle: venv
	$(BIN)/python -m threads101 bundle

bench: venv
	$(BIN)/python -m devtools.bench

flake: venv
	$(BIN)/python -m devtools.flake --runs $(N)

lint: venv
	$(BIN)/ruff check threads101 devtools tests tools

clean:
	rm -rf $(VENV) gradebook.db submitted feedback exports demo-output dist
