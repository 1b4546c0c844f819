# Two commands: `make demo` and `make test`. Both set up .venv first (python3 -m venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tradegraph build
	$(BIN)/tradegraph stats
	$(BIN)/tradegraph viz -o build/network.html
	$(BIN)/tradegraph viz -o build/network.png

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf build .pytest_cache
