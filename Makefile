# vizkit — the two commands most people need:
#   make lab    set up .venv on first use, then start JupyterLab on notebooks/
#   make test   set up .venv on first use, then lint, unit tests, notebooks, browser tests
# `make help` lists the rest.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; make re-installs only when pyproject.toml is newer.
STAMP := $(VENV)/.vizkit-installed

PORT ?= 8888
NBMAKE_TIMEOUT ?= 600
# A browser test that fails is run once more, and fails the stage only if it fails again:
# on a loaded machine anywidget (which plotly's FigureWidget uses) gives a figure 2 s to
# initialise in the page and drops that figure's messages after that, which leaves a plot
# empty for reasons that are not vizkit's. A real failure fails twice. BROWSER_RERUNS= turns it off.
BROWSER_RERUNS ?= --reruns 1 --reruns-delay 2

# $(call timed,label,command): run command, print how long it took, keep its exit status.
define timed
	@echo "==> $(1)"; start=$$(date +%s); $(2); rc=$$?; \
	echo "<== $(1): $$(( $$(date +%s) - start ))s (exit $$rc)"; exit $$rc
endef

.PHONY: help venv lab present test ruff format unit notebooks stripout-verify strip browser lint mypy bench \
	clean distclean

help:
	@echo "make lab        create .venv on first use, start JupyterLab on notebooks/ (PORT=$(PORT))"
	@echo "make present    lecture mode: the notebooks as clean pages in Voilà, no code (PORT=8866)"
	@echo "make test       ruff (check + format), mypy, unit tests + doctests, notebooks (quick"
	@echo "                mode), nbstripout, browser"
	@echo "make lint       ruff + mypy --strict (the files listed in pyproject.toml)"
	@echo "make format     ruff format + ruff check --fix (what make test checks)"
	@echo "make bench      run every benchmarks/bench_*.py and print the results"
	@echo "make strip      remove outputs from notebooks/*.ipynb before committing"
	@echo "make clean      remove caches and build output (keeps .venv); distclean also .venv"
	@echo "parts of make test: ruff unit notebooks stripout-verify browser"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "==> creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -e ".[dev]"
	$(BIN)/python scripts/install_lab_settings.py
	@touch $@

venv: $(STAMP)

# scripts/lab.sh is the one definition of the server (the browser tests start it too): it
# binds 127.0.0.1, fixes the port (port_retries=0: a busy port fails loudly instead of
# moving, so the URL it prints is the real one), adds --allow-root as root, and installs
# jupyter/overrides.json (no news prompt, no "Select Kernel" dialog). TOKEN=... reuses a token.
lab: $(STAMP)
	@PORT=$(PORT) VIZKIT_VENV=$(abspath $(VENV)) exec scripts/lab.sh

# Lecture mode: scripts/present.sh serves notebooks/ with Voilà (the browser tests start it
# too): an index of the notebooks, each opened as a clean page (no code, widgets live, the
# same kernel and vizkit). 127.0.0.1, fixed port (8866 unless PORT=…), TOKEN=... reuses a token.
present: $(STAMP)
	@$(if $(filter command line environment,$(origin PORT)),PORT=$(PORT)) \
		VIZKIT_VENV=$(abspath $(VENV)) exec scripts/present.sh

# The notebooks stage leaves to the browser stage the notebooks tests/browser/test_notebooks.py
# runs (Run All there checks what nbmake checks, then moves the widgets), when Chromium and
# Playwright are here to run it: tests/nbmake_browser_split.py. `make notebooks` runs them all.
test: $(STAMP)
	$(call timed,ruff,$(BIN)/ruff check vizkit tests benchmarks && \
		$(BIN)/ruff format --check vizkit tests benchmarks)
	$(call timed,mypy --strict (files listed in pyproject.toml),$(BIN)/mypy)
	$(call timed,unit tests + doctests,$(BIN)/pytest -m "not browser")
	$(call timed,notebooks (VIZKIT_QUICK=1),VIZKIT_QUICK=1 VIZKIT_NOTEBOOKS_IN_BROWSER=1 \
		$(BIN)/pytest --nbmake --nbmake-timeout=$(NBMAKE_TIMEOUT) notebooks/)
	$(call timed,nbstripout --verify,$(BIN)/nbstripout --verify notebooks/*.ipynb)
	$(call timed,browser tests,$(BIN)/pytest -m browser $(BROWSER_RERUNS) tests/browser)
	@echo "make test: all stages passed"

ruff: $(STAMP)
	$(BIN)/ruff check vizkit tests benchmarks
	$(BIN)/ruff format --check vizkit tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format vizkit tests benchmarks
	$(BIN)/ruff check --fix vizkit tests benchmarks

unit: $(STAMP)
	$(BIN)/pytest -m "not browser"

notebooks: $(STAMP)
	VIZKIT_QUICK=1 $(BIN)/pytest --nbmake --nbmake-timeout=$(NBMAKE_TIMEOUT) notebooks/

stripout-verify: $(STAMP)
	$(BIN)/nbstripout --verify notebooks/*.ipynb

strip: $(STAMP)
	$(BIN)/nbstripout notebooks/*.ipynb

browser: $(STAMP)
	$(BIN)/pytest -m browser $(BROWSER_RERUNS) tests/browser

lint: $(STAMP)
	$(BIN)/ruff check vizkit tests benchmarks
	$(BIN)/mypy

mypy: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build dist out .pytest_cache .ruff_cache .mypy_cache .hypothesis benchmarks/results
	rm -rf *.egg-info
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) \
		-type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
