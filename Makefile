# Two commands: `make demo` and `make test`. Both set up .venv first (python3 -m venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test quick lint fuzz docs setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tradegraph build
	@echo "== A second build of the same facts says what changed: nothing"
	$(BIN)/tradegraph build
	@echo "== Into an Oxigraph store, twice: the second build reads and loads no fact file again"
	$(BIN)/tradegraph build --out build/stored --store build/store
	$(BIN)/tradegraph build --out build/stored --store build/store
	$(BIN)/tradegraph stats
	$(BIN)/tradegraph viz -o build/network.html
	$(BIN)/tradegraph viz -o build/network.png
	@echo "== Who met whom before the Aug. 1 deadline"
	$(BIN)/tradegraph query who-met-whom --before 2025-08-01 --format table
	@echo "== The tariff on Japanese goods the day before the Aug. 1 deadline, and on it"
	$(BIN)/tradegraph query tariff-in-force --target japan --on 2025-07-31 --format table
	$(BIN)/tradegraph query tariff-in-force --target japan --on 2025-08-01 --format table

# The habits: ruff, mypy --strict (both configured in pyproject.toml); the wings' layering is
# import-linter's contract, checked by tests/test_architecture.py.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n auto --durations=15

# The loop while you work: everything but the tests marked slow (real servers, browsers,
# fresh venvs, the largest generated projects); `make test` and CI run them all.
quick: $(STAMP)
	$(BIN)/python -m pytest -n auto -m "not slow"

# The fact readers fuzzed through the CLI at length (50,000 examples a test; TG_FUZZ_EXAMPLES=N for more).
fuzz: $(STAMP)
	TG_FUZZ_PROFILE=fuzz-deep $(BIN)/python -m pytest -q -p no:randomly tests/test_fuzz_loader.py

# The README's figures and outputs, and the catalogue of queries, from the commands that make
# them (cog blocks; tests/test_docs_fresh.py fails while a committed one is stale).
docs: $(STAMP)
	$(BIN)/cog -r -I . README.md queries/README.md

clean:
	rm -rf build .pytest_cache
