# The README's two commands: `make audit` and `make test`. Both build .venv from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Prebuilt llama-cpp-python wheel (saves a ~9 minute compile); pip builds the sdist where it is absent.
SHARED_WHEELS := $(abspath ../shared/wheels)
ifneq ($(wildcard $(SHARED_WHEELS)/*.whl),)
export PIP_FIND_LINKS := $(strip $(PIP_FIND_LINKS) $(SHARED_WHEELS))
endif
# CPU build of torch: an exact pin, because any range pulls GBs of CUDA packages.
TORCH_SPEC ?= torch==2.13.0
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
AUDIT_TARGET ?= llamacpp:default
AUDIT_OUT ?= raikit-runs/audit-quick

.PHONY: audit test install lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.audit-deps: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[llm,evals]" 2> >(grep -v "is ignored: it is neither" >&2)
	touch $@

$(VENV)/.dev-deps: pyproject.toml | $(BIN)/python
	$(PIP) install "$(TORCH_SPEC)" 2> >(grep -v "is ignored: it is neither" >&2)
	$(PIP) install -e ".[dev,transformers]" 2> >(grep -v "is ignored: it is neither" >&2)
	touch $@ $(VENV)/.audit-deps

$(VENV)/.all-deps: pyproject.toml | $(BIN)/python
	$(PIP) install "$(TORCH_SPEC)" 2> >(grep -v "is ignored: it is neither" >&2)
	$(PIP) install -e ".[all,dev]" 2> >(grep -v "is ignored: it is neither" >&2)
	touch $@ $(VENV)/.dev-deps $(VENV)/.audit-deps

## audit: create .venv, install the main job's needs and run `raikit audit --quick` on the embedded model
audit: $(VENV)/.audit-deps
	$(BIN)/raikit audit --quick --target "$(AUDIT_TARGET)" -o "$(AUDIT_OUT)" --resume

## test: create .venv with the dev extras and run the whole test suite
test: $(VENV)/.dev-deps
	$(BIN)/python -m pytest -q

## install: just the .venv with everything
install: $(VENV)/.all-deps

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.dev-deps
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
