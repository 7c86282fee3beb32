# Everything runs from a virtualenv that the targets build from constraints.txt, with the interpreter PYTHON
# (python3.11, python3.12 or python3.13; one found only among pyenv's installed versions is used too).
# Another interpreter than python3 gets a virtualenv of its own, .venv-<interpreter>.
PYTHON ?= python3
INTERPRETER := $(shell command -v $(PYTHON) >/dev/null 2>&1 && $(PYTHON) -c 'import sys' 2>/dev/null && echo $(PYTHON) \
	|| ls -d $(HOME)/.pyenv/versions/$(patsubst python%,%,$(notdir $(PYTHON))).*/bin/$(notdir $(PYTHON)) 2>/dev/null | tail -n 1)
VENV ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(notdir $(PYTHON)))
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo findings test test-fast ui lint bench install browser postgresql spreadsheet clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(INTERPRETER)" || { echo "no interpreter $(PYTHON) found (nor under pyenv)"; exit 1; }
	$(INTERPRETER) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,sandbox]'
	touch $(STAMP)

# Headless Chromium for the UI test, from Debian's packages.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The PostgreSQL server the sandbox runs for CustomersDot, from Debian's packages (no cluster of its own:
# the sandbox creates a throw-away one each time and leaves no server running).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-common >/dev/null \
	  && sed -ri 's/^#? *create_main_cluster *=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

demo: $(STAMP) postgresql
	$(BIN)/lnr-audit demo --out $(OUT)/demo

# The findings of the demo's night, fitted to the terminal.
findings: $(STAMP)
	$(BIN)/lnr-audit findings list --db $(OUT)/demo/lnr_audit.duckdb

# Headless LibreOffice Calc for the spreadsheet round-trip test of the reports, from Debian's packages.
spreadsheet:
	@command -v soffice >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; }

# The tests run on one pytest-xdist worker per core (WORKERS=1 runs them in this process); a module's tests, and
# the tests of a costly shared fixture, stay on one worker (tests/xdist_groups.py).
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest $(if $(filter 1,$(WORKERS)),,-n $(WORKERS) --dist loadgroup)

# Everything, as CI runs it: the full nights over HTTP and Dagster (slow) and the Chromium tests (ui) included.
test: $(STAMP) browser postgresql spreadsheet
	$(PYTEST)

# The edit loop: everything but the slow, the ui and the server tests (the audit, the assets on in-memory sources).
test-fast: $(STAMP) postgresql
	$(PYTEST) -m "not slow and not ui and not servers"

ui: $(STAMP) postgresql
	$(BIN)/lnr-audit ui --out $(OUT)/ui

lint: $(STAMP)
	$(BIN)/ruff check .

# The bench-only extra (reladiff, the yardstick) is installed here, not by `make install`.
bench: $(STAMP) postgresql
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m tests.bench --out $(OUT)/bench

clean:
	rm -rf $(OUT) .venv .venv-*
