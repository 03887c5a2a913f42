# Ladder: build, run and test. Every target installs what it needs first.
#
#   make run                 demo database (if missing) + Streamlit on http://localhost:8501
#   make test                the whole test suite (unit, page, browser, PostgreSQL when configured); ARGS="-k x" narrows it
#   make lint                ruff
#   make demo PROFILE=medium SEED=7    regenerate the demo database
#   make bench PROFILE=large           measure queries and pages at a scale profile
#   make load DB=sqlite:///x.db ARGS="--sessions 5,10,20"   concurrent viewers against a Ladder it starts
#   make screenshots                   capture every page in real Chromium

VENV ?= .venv
PYTHON_BOOT ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= small
SEED ?= 42
PORT ?= 8501
# localhost only; `make run ADDRESS=0.0.0.0` serves every network this machine is on (README)
ADDRESS ?= localhost

.DEFAULT_GOAL := help
.PHONY: help install run test lint demo bench load screenshots clean

help:
	@sed -n '3,10p' Makefile | sed 's/^# \{0,1\}//'

# The stamp is newer than both requirement files once they are installed, so pip runs
# only when a pin changes (or the venv is new).
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(PY) -m data.generate --profile small --seed 42 --if-missing
	$(PY) -m data.migrate
	$(PY) app.py --server.address $(ADDRESS) --server.port $(PORT)

# pytest exits 5 when it collected nothing; a suite that tests nothing is a failure here.
test: $(STAMP)
	@status=0; $(PY) -m pytest -q $(ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(PY) -m ruff check .

demo: $(STAMP)
	$(PY) -m data.generate --profile $(PROFILE) --seed $(SEED)

bench: $(STAMP)
	$(PY) -m bench.run --profile $(PROFILE)

# DB defaults to LADDER_DATABASE_URL, else the small demo (generated into bench-results/ when missing).
load: $(STAMP)
	$(PY) -m bench.load $(if $(DB),--db $(DB)) $(ARGS)

screenshots: $(STAMP)
	$(PY) -m tests.browser.screenshots

clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
