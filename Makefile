# Two commands on a fresh clone:
#   make run    create .venv (Python 3.12+), install loyaltysim, run the baseline scenario
#   make test   install the development extras and run the whole test suite (as root, it
#               installs Chromium for the browser tests; LOYALTYSIM_SKIP_BROWSER=1 skips them)
# PYTHON=/path/to/python3.12 picks the interpreter; otherwise scripts/find-python does.

VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/baseline.toml
OUT ?= results/baseline

.PHONY: run test lint bench clean

$(BIN)/python:
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/loyaltysim run $(SCENARIO) --out $(OUT)

test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts notebooks validation
	scripts/ensure-browser
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_step.py --customers 10000 --reference

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
