# threads101: the two commands a new user needs are `make demo` and `make test`.
# Everything is set up from the repository: Debian packages (as root, via apt-get),
# a virtualenv in .venv with the pinned requirements.txt, and the threads101 package.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages the kit needs: bubblewrap isolates graded kernels; the tests start a
# PostgreSQL server for the gradebook.
DEBS   := bubblewrap postgresql
N      ?= 20

.PHONY: help venv system demo test lab release bench flake lint clean

help:
	@echo "make demo    release, grade the sample class, feedback, export, report"
	@echo "make test    the whole test suite"
	@echo "make lab     JupyterLab on the student release (for students)"
	@echo "make release regenerate release/ from source/"
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

test: venv
	$(BIN)/python -m pytest

lab: venv
	$(BIN)/python -m threads101 lab

release: venv
	$(BIN)/python -m threads101 release

bench: venv
	$(BIN)/python -m devtools.bench

flake: venv
	$(BIN)/python -m devtools.flake --runs $(N)

lint: venv
	$(BIN)/ruff check threads101 devtools tests tools

clean:
	rm -rf $(VENV) gradebook.db submitted feedback exports demo-output
