# Everything runs from a virtualenv that the targets build from constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo test ui lint bench install browser clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Headless Chromium for the UI test, from Debian's packages.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: $(STAMP)
	$(BIN)/lnr-audit demo --out $(OUT)/demo

test: $(STAMP) browser
	$(BIN)/python -m pytest

ui: $(STAMP)
	$(BIN)/lnr-audit ui --out $(OUT)/ui

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m tests.bench --out $(OUT)/bench

clean:
	rm -rf $(OUT) $(VENV)
