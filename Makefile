# Two entry points for a new machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo-data bench browser

run: $(STAMP)
	$(BIN)/streamlit run app.py

test: $(STAMP) browser
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
