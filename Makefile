# Everything runs in a project-local virtual environment created from pyproject.toml.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the real Liechtenstein extract next to the repository, when it is there
OSM    ?= $(or $(VERVOER_OSM),$(wildcard ../shared/data/osm/liechtenstein-2015.osm.pbf))

.PHONY: setup demo test test-all lint clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/vervoer demo --out demo-output $(if $(OSM),--osm $(OSM))

# headless Chromium for the browser tests: installed where we may (root with apt-get);
# elsewhere say so and go on (the browser tests then skip; CI runs them)
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "note: Chromium is not installed and cannot be installed here; the browser tests will skip"

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m "not online"

lint: $(STAMP)
	$(BIN)/ruff check vervoer tests benchmarks
	$(BIN)/ruff format --check vervoer
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo-output
