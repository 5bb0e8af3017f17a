# The two commands: `make run` (the app, with demo data) and `make test` (the whole suite).
# Both create .venv from the pinned requirements on first use and are quick when nothing changed.

PYTHON ?= python3
PORT ?= 8000
# Links in e-mails and replies point at the port `make run` serves, unless SITE_URL says otherwise.
SITE_ENV = SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help install run test lint format lock clean

help:
	@echo "make run    set up and run web + worker + beat on http://127.0.0.1:$(PORT) with demo data"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff and djLint checks;  make format  fix formatting"
	@echo "make lock   re-pin requirements/*.txt from pyproject.toml"

$(STAMP): requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(SITE_ENV) $(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:$(PORT)/ (Ctrl-C stops web, worker and beat)"
	$(SITE_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile.dev --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates tests/templates --check --lint

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates tests/templates --reformat

lock: install
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
