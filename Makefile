# newsbeam: `make run` (set up and run on examples/), `make test`, `make install`, `make bench`, `make eval`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP_VERSION := 26.3
INPUT  ?= examples/corpus
OUTPUT ?= out
ARGS   ?=

.PHONY: install install-test run test bench eval constraints clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "newsbeam needs Python 3.11+ (set PYTHON=...)")'
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip==$(PIP_VERSION)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	@$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	@$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,dask]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/newsbeam run --input $(INPUT) --output $(OUTPUT) $(ARGS)

test: install-test
	$(BIN)/python -m pytest -q $(ARGS)

bench: install-test
	$(BIN)/python -m bench $(ARGS)

eval: install-test
	$(BIN)/python -m evaluation $(ARGS)

constraints: install-test
	$(BIN)/pip freeze --exclude-editable | grep -v '^newsbeam' > constraints.new
	{ head -2 constraints.txt; cat constraints.new; } > constraints.txt.tmp && mv constraints.txt.tmp constraints.txt && rm constraints.new

clean:
	rm -rf out .pytest_cache build *.egg-info
