# Two entry points for a new machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every install checks each downloaded file against the SHA-256 in the lock (`--require-hashes`).
PIP_INSTALL = $(BIN)/pip install --quiet --require-hashes
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast demo-data bench load-bench browser audit lock

# What the dashboard needs and nothing else: requirements.txt.
run: $(RUN_STAMP)
	$(BIN)/streamlit run app.py

# The runtime lock and the test tools (requirements-dev.txt holds the same runtime pins, plus pytest,
# playwright and the rest), then every test.
test: $(TEST_STAMP) browser audit
	$(BIN)/python -m pytest

# Everything but the browser tests (tests/e2e): about a third of the time, for work in progress.
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not browser"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(TEST_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt -r requirements-dev.txt
	touch $@ $(RUN_STAMP)

# Debian's Chromium for the browser tests; installed when missing and we may use apt.
browser:
	@./scripts/ensure-chromium

demo-data: $(RUN_STAMP)
	$(BIN)/python -m demo.synthetic

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

# Concurrent sessions against the real server in headless chromium (bench/load.py); prints its figures.
load-bench: $(TEST_STAMP) browser
	$(BIN)/python bench/load.py

# Known vulnerabilities in the pinned packages (pip-audit, in a venv of its own); fails the build when found.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: requirements-audit.txt
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet --require-hashes -r requirements-audit.txt
	touch $@

audit: $(AUDIT_VENV)/.installed
	$(AUDIT_VENV)/bin/python scripts/audit_dependencies.py

# Recompile the three locks from their .in files after changing one; the versions already locked are kept
# unless asked otherwise (make lock UPGRADE="--upgrade-package duckdb").
LOCK_VENV := .venv-lock
COMPILE = $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url \
	--no-emit-find-links --strip-extras $(UPGRADE)
$(LOCK_VENV)/.installed:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip-tools==7.6.2
	touch $@

lock: $(LOCK_VENV)/.installed
	$(COMPILE) --output-file requirements.txt requirements.in
	$(COMPILE) --output-file requirements-dev.txt requirements-dev.in
	$(COMPILE) --output-file requirements-audit.txt requirements-audit.in
