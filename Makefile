# thema: `make run` serves the API with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
THEMA_DATABASE_URL ?= sqlite:///thema.db
export THEMA_DATABASE_URL

.PHONY: install run test lint schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/thema migrate
	$(BIN)/thema demo --if-empty
	THEMA_HOST=$(HOST) $(BIN)/thema token demo --port $(PORT)
	THEMA_HOST=$(HOST) THEMA_PORT=$(PORT) $(BIN)/thema serve

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check core plugins tests
	$(BIN)/ruff format --check core plugins tests
	$(BIN)/mypy core
	$(BIN)/lint-imports

schema: install
	$(BIN)/thema export-schema

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) thema.db thema.db-wal thema.db-shm .pytest_cache .mypy_cache .ruff_cache
