# Tsunagari: `make run` serves the demo city on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export FLASK_APP := app:create_app

.PHONY: install run test lint bench i18n translations migrate demo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: browser accessibility checks will be skipped"; fi

# Compile the Japanese catalogues (.po -> .mo); .mo files are build output, not committed.
i18n: install
	$(PY) -m tools.i18n compile

# Re-extract strings into every catalogue after changing templates or code (then translate them).
translations: install
	$(PY) -m tools.i18n update

migrate: install
	$(VENV)/bin/flask db upgrade

# The search index is derived data: rebuild it when it is missing, stale or in an older format.
demo: migrate
	$(VENV)/bin/flask tsunagari demo
	@$(VENV)/bin/flask search check >/dev/null 2>&1 || $(VENV)/bin/flask search reindex

run: i18n demo
	$(VENV)/bin/flask run --host 127.0.0.1 --port 5000

test: i18n node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: i18n
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) node_modules
