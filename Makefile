# Two commands on a fresh machine:  make demo   |   make test
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

$(BIN)/site-builder: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

.PHONY: install demo lint test-deps test test-quick docs
install: $(BIN)/site-builder

demo: install  ## install, then build the demo sites from plans/ into site/
	$(BIN)/site-builder build

lint: install  ## ruff (lint, import order, format) and mypy (types) over the package and tests
	$(BIN)/ruff check site_builder tests benchmarks scripts
	$(BIN)/ruff format --check site_builder tests benchmarks scripts
	$(BIN)/mypy site_builder

test-deps:  ## what the tests need beyond .venv: Debian packages (sudo if not root), pinned npm tools
	bash scripts/install-test-deps.sh

test: test-deps lint  ## install everything, lint, then run every test (browser ones once per font family)
	$(BIN)/python -m pytest

test-quick: install  ## the tests that need no browser and take seconds
	$(BIN)/python -m pytest -m "not browser and not slow"

docs: install  ## build the documentation site (docs/, mkdocs.docs.yml) into site-docs/
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f mkdocs.docs.yml -d site-docs
