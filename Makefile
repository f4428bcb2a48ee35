# The two commands a new user needs: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site html serve test lint clean mutants

site: $(VENV)/.site-installed  ## build the site into _site/
	$(PY) build.py

html: site

serve: site  ## open _site/ in a browser over http://127.0.0.1:8000
	$(PY) build.py serve

test: $(VENV)/.test-installed node_modules/axe-core/axe.min.js  ## every test, browser ones included
	$(PY) -m pytest

mutants: $(VENV)/.test-installed  ## one-line bugs in the incremental path: the fast tests must catch each
	$(PY) tests/mutants.py $(MUTANTS_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check build.py archive tests
	$(VENV)/bin/ruff format --check build.py archive tests
	$(VENV)/bin/mypy

.PHONY: bench
bench: $(VENV)/.site-installed  ## time builds of 1k/10k/50k documents against Hugo: bench/results.md
	$(PY) bench/run.py $(BENCH_ARGS)

clean:  ## remove the built site (only what the build wrote is in it)
	rm -rf _site

# Installed as a path (editable_mode=compat), not through an import hook: the hook costs every
# build, the no-change rebuild included, about 10 ms of start-up.
$(VENV)/.site-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e . --config-settings editable_mode=compat
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.site-installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' --config-settings editable_mode=compat
	touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@
