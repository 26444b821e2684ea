# The README's commands. Everything runs from a project virtualenv (.venv)
# that the first command creates; nothing is installed outside it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install up deploy token test test-unit test-integration lint bench demo clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Conveyor and the local cloud into $(VENV) (first run only) ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[local,console,test]'
	@rm -f $(VENV)/.installed-* && touch $@

## up: start the local cloud (MiniStack on 127.0.0.1:4566), deploy template.yaml, stay in the foreground
up: $(STAMP)
	@$(PY) -m localcloud up

## deploy: update the running local cloud's stack after an edit
deploy: $(STAMP)
	@$(PY) -m localcloud deploy

## token: print `export CONVEYOR_TOKEN=...` with a fresh token for the REST API
token: $(STAMP)
	@$(PY) -m localcloud token

## test: lint the template, then unit and integration tests
test: $(STAMP) lint
	@$(PY) -m pytest

test-unit: $(STAMP)
	@$(PY) -m pytest -m "not integration and not browser"

test-integration: $(STAMP)
	@$(PY) -m pytest -m "integration or browser"

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check --quiet .
	@$(VENV)/bin/cfn-lint template.yaml stacks/*.yaml stacks/components/*.yaml tests/integration/platform/template.yaml tests/integration/platform/nested/*.yaml

## bench: print the local cloud's figures (startup, latencies, throughput), each script in turn
# One line per benchmark script; each starts its own local cloud and prints its figures.
BENCH_SCRIPTS := bench/local_cloud.py
BENCH_SCRIPTS += bench/jobs.py
BENCH_SCRIPTS += bench/durable_tasks.py

bench: $(STAMP)
	@for script in $(BENCH_SCRIPTS); do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf .localcloud .pytest_cache
