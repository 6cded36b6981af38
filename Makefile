# Two entry points for a new machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo-data bench browser audit

run: $(STAMP)
	$(BIN)/streamlit run app.py

test: $(STAMP) browser audit
	$(BIN)/python -m pytest

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# Debian's Chromium for the browser tests; installed when missing and we may use apt.
browser:
	@./scripts/ensure-chromium

demo-data: $(STAMP)
	$(BIN)/python -m etl.demo

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Known vulnerabilities in the pinned packages (pip-audit, in a venv of its own); fails the build when found.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: requirements-audit.txt
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet -r requirements-audit.txt
	touch $@

audit: $(AUDIT_VENV)/.installed
	$(AUDIT_VENV)/bin/python scripts/audit_dependencies.py
