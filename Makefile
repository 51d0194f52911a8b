# Two commands on a fresh machine: `make demo` and `make test`.
# Everything installs into ./.venv from the hashed lock file; nothing global.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint format lock env clean-env bench docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install whenever the lock or the project metadata changes.
# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on this
# project's machines) Python never caches it, and every process, each report kernel
# and each test worker included, compiled pandas, scipy and matplotlib again (imports 6 s -> 3 s).
$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python --require-hashes requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (berakhlak)" > /dev/null
	touch $(STAMP)

env: $(STAMP)

demo: $(STAMP)
	$(BIN)/berakhlak demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two test workers on two cores: one BLAS thread each (oversubscribed BLAS threads
# spin-wait, and slowed the small-matrix model tests several-fold).
test: lint
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -q

test-slow: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -q -m slow

# The documentation site in docs/_build/html: runs the demo stages if demo/ is
# missing, executes the tutorials, then sphinx-build with warnings as errors.
docs: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python scripts/build_docs.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the lock after editing pyproject.toml dependencies.
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock
	$(BIN)/python scripts/make_environment.py

clean-env:
	rm -rf $(VENV)
