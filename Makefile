# The book's two commands are `make book` and `make test`; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The editable install of book/ (pyproject.toml); redone when pyproject.toml changes, without
# rebuilding .venv.
EDITABLE := $(VENV)/.editable
SITE := _build/html
CHAPTERS := $(wildcard chapters/*.ipynb)
# Everything below runs with the virtual environment first on PATH, so that notebook
# kernels (which start `python`) use it too.
export PATH := $(abspath $(BIN)):$(PATH)
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
NBVAL := $(PYTEST) --nbval $(CHAPTERS) -n 2 --dist loadscope

.PHONY: book appendices pdf test lint unit nbval nbval-offline nbval-repeat site-test execute drift serve clean

## (Re)create .venv from requirements.txt when it is missing or older than requirements.txt.
$(STAMP): requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $(STAMP)

## Install book/ editable into .venv, so that every kernel and tool of this environment imports it
## from this checkout. requirements.txt already pins its dependencies and the build backend.
$(EDITABLE): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(EDITABLE)

## The generated appendices (API map, glossary) from the chapters; committed, kept in step by
## tests/unit/test_appendices.py. `make book` regenerates them first, so the site never shows a
## stale one (a build without it warns, and -W fails it: book/appendices.py).
appendices: $(EDITABLE)
	$(BIN)/python -m book.appendices

## Build the site from the notebooks' stored outputs; any warning fails the build.
book: $(EDITABLE) appendices
	@start=$$(date +%s); \
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going || exit 1; \
	echo "Site built in $$(( $$(date +%s) - start )) s: $(CURDIR)/$(SITE)/index.html (serve it with: make serve)"

## The whole book as one PDF, printed by Debian's Chromium from the built site (book/pdf.py), at
## $(SITE)/layers-side-by-side.pdf; the site is then built again so that its download button offers
## it. About a minute, five times the site's build: hence not part of `make book`.
pdf: $(EDITABLE)
	@$(MAKE) --no-print-directory book
	@start=$$(date +%s); \
	$(BIN)/python -m book.pdf || exit 1; \
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going -q || exit 1; \
	echo "PDF printed and linked in $$(( $$(date +%s) - start )) s"

## The whole suite: lint, unit tests, strict nbval (offline where possible), site and PDF build, site,
## browser and PDF tests.
test: $(EDITABLE)
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint && \
	$(MAKE) --no-print-directory unit && \
	$(MAKE) --no-print-directory nbval && \
	$(MAKE) --no-print-directory pdf && \
	$(MAKE) --no-print-directory site-test || exit 1; \
	echo "make test passed in $$(( $$(date +%s) - start )) s"

## ruff and mypy (configured in pyproject.toml) over book/ and tests/; they must find nothing.
## mypy runs once per test folder, since each has its own top-level `conftest` module.
lint: $(EDITABLE)
	$(BIN)/ruff check book tests
	$(BIN)/mypy book tests/unit
	$(BIN)/mypy tests/site

unit: $(EDITABLE)
	$(PYTEST) tests/unit -q

## Strict nbval over every chapter, in parallel. It runs with no network at all when this
## machine lets it (unshare -n, with loopback up for the kernels), otherwise with the network.
nbval: $(EDITABLE)
	@if unshare -n true 2>/dev/null; then \
	  echo "nbval: strict, no network (unshare -n)"; \
	  unshare -n sh -c 'ip link set lo up && $(NBVAL)'; \
	else \
	  echo "nbval: strict (unshare -n is not permitted here, so the network stays up; see make nbval-offline)"; \
	  $(NBVAL); \
	fi

## Strict nbval with no network; fails where unshare -n is not permitted (needs root).
nbval-offline: $(EDITABLE)
	unshare -n sh -c 'ip link set lo up && $(NBVAL)'

## Strict nbval three times in a row: the stored outputs must reproduce every time.
nbval-repeat: $(EDITABLE)
	for i in 1 2 3; do echo "nbval run $$i of 3"; $(NBVAL) -q || exit 1; done

site-test: $(EDITABLE)
	$(PYTEST) tests/site -q

## Re-execute the chapters in place to refresh their stored outputs (then commit them).
execute: $(EDITABLE)
	$(BIN)/python -m book.notebooks $(CHAPTERS)

## Version drift (not part of `make test`): run every chapter under every other Paddle 3 release
## pip offers and the torch releases on this machine's disk (book/drift/releases.py), one at a time,
## each installed once into ~/.cache/layers-side-by-side/drift ($$DRIFT_CACHE) and overlaid on .venv;
## writes chapters/drift_report.json and chapters/appendix_releases.md (commit both).
## Name one more release with RELEASE=paddlepaddle==3.4.0 (or torch==2.15.0); DRIFT_ARGS passes
## anything else, e.g. DRIFT_ARGS="--chapters chapters/pooling.ipynb" or "--only torch==2.14.1".
drift: $(EDITABLE)
	$(BIN)/python -m book.drift $(if $(RELEASE),--extra $(RELEASE)) $(DRIFT_ARGS)

## Serve the built site on http://127.0.0.1:8000
serve:
	$(BIN)/python -m http.server --directory $(SITE) --bind 127.0.0.1 8000

clean:
	rm -rf _build
