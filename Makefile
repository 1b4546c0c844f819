# Two commands: `make demo` and `make test`. Both set up .venv first (python3 -m venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tradegraph build
	$(BIN)/tradegraph stats

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf build .pytest_cache
