# Two commands for a newcomer: `make run` (the site on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BABEL_KEYWORDS := -k _ -k gettext -k ngettext:1,2 -k lazy_gettext

.PHONY: run test e2e lint bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

$(VENV)/.e2e-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,e2e]'
	touch $@ $(VENV)/.test-installed $(VENV)/.run-installed

# axe-core for the accessibility checks, from the npm registry into var/ (git-ignored), never vendored.
AXE := var/e2e-node/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --no-save --no-audit --no-fund --prefix var/e2e-node axe-core@4

run: $(VENV)/.run-installed
	$(BIN)/grassroots serve --demo

test: $(VENV)/.test-installed
	$(BIN)/pytest

# The journeys in a real browser (tests/e2e): the system's Chromium (/usr/bin/chromium), no download.
# Screenshots of every page they pass go to var/e2e-shots/.
e2e: $(VENV)/.e2e-installed $(AXE)
	$(BIN)/pytest tests/e2e

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/screening.py
	$(BIN)/python bench/moderation_queue.py
	$(BIN)/python bench/disclosure_pages.py
	$(BIN)/python bench/mailbox_pages.py
	$(BIN)/python bench/voting_cast.py
	$(BIN)/python bench/election_verify.py
	$(BIN)/python bench/load_faults.py

# Re-extract the messages from code and templates, and merge them into both catalogs.
messages: $(VENV)/.test-installed
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output --no-wrap \
		--project=Grassroots -o grassroots/locale/messages.pot .
	$(BIN)/pybabel update -i grassroots/locale/messages.pot -d grassroots/locale --no-fuzzy-matching --no-wrap
	$(BIN)/python bin/fill_english_catalog.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
