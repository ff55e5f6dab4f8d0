# The two commands a new user needs: `make run` and `make test`. Both install first.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
RENDA := $(VENV)/bin/renda
# The local Prefect server's port: RENDA_PREFECT_PORT, as for `renda serve` and `renda run`.
PREFECT_PORT := $(or $(RENDA_PREFECT_PORT),4200)
PREFECT_API := http://127.0.0.1:$(PREFECT_PORT)/api

# Prefect keeps its run history in the project, shared by `make run` and `make ui`; no telemetry.
export PREFECT_HOME := $(or $(RENDA_PREFECT_HOME),$(CURDIR)/.prefect)
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install run test eval bench reliability ui serve deploy worker lint clean

install: $(VENV)/.synced

# uv installs exactly what uv.lock pins; it is bootstrapped with pip when the machine lacks it.
# Bytecode is compiled at install: where Python may not write it (PYTHONDONTWRITEBYTECODE, a
# read-only venv) every run would otherwise compile Prefect, GX and scipy again (~20 s).
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	@touch $@

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

run: install
	$(RENDA) run

test: install
	$(VENV)/bin/python -m pytest

# Score the pipeline against the hand-made gold annotations, on a fresh warehouse of its own.
eval: install
	rm -f warehouse/eval.duckdb warehouse/.eval.live.duckdb
	$(RENDA) run seeds/articles --warehouse warehouse/eval.duckdb
	$(RENDA) export --gold warehouse/.eval --warehouse warehouse/eval.duckdb
	$(RENDA) eval warehouse/.eval --gold tests/gold --check

# Pipeline throughput against bare jieba on a generated corpus; last line is one JSON object.
# A quick look: make bench BENCH_ARGS="--articles 200 --scale 2"
BENCH_ARGS ?=
bench: install
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

# Crashes, overlapping runs, readers, hostile input and faults against real runs (~10 min).
reliability: install
	$(VENV)/bin/python -m reliability

ui: install
	$(VENV)/bin/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

# Scheduled runs on one machine: a Prefect server on loopback and the served deployment.
serve: install
	$(RENDA) serve

# The production shape: a server (make ui), the deployment from deployments/prefect.yaml, a worker.
deploy: install
	PREFECT_API_URL=$(PREFECT_API) $(VENV)/bin/prefect work-pool create renda-process --type process --overwrite
	PREFECT_API_URL=$(PREFECT_API) RENDA_PROJECT_DIR=$(CURDIR) $(VENV)/bin/prefect --no-prompt deploy --prefect-file deployments/prefect.yaml --all

worker: install
	PREFECT_API_URL=$(PREFECT_API) RENDA_PROJECT_DIR=$(CURDIR) $(VENV)/bin/prefect worker start --pool renda-process --limit 1

lint: install
	$(VENV)/bin/ruff check flows tests

clean:
	rm -rf warehouse/*.duckdb warehouse/.*.duckdb warehouse/.runs warehouse/.stage-cache warehouse/.eval warehouse/quarantine warehouse/.gx warehouse/report .prefect
