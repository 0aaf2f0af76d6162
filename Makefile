# Two commands for a fresh machine (Python 3.11+, pip): `make demo` and `make test`.
# Both bootstrap .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := sample/ce4

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(STAMP)

# The main job on the built-in SYNTHETIC sample: archive -> maps/yutu2.{gpkg,html} + day table.
# Offline: the SYNTHETIC DEM is the basemap and the terrain (elevation chart, terrain columns); the
# cached orbital basemaps (traverse basemap get) are left out (--orbital none), as the sample is synthetic.
demo: $(STAMP)
	@test -d $(SAMPLE) || $(BIN)/traverse sample $(SAMPLE) --dem sample/synthetic_dem.tif
	$(BIN)/traverse build $(SAMPLE) -o maps/yutu2 --basemap sample/synthetic_dem.tif \
		--dem sample/synthetic_dem.tif --orbital none --geojson --overwrite
	$(BIN)/traverse distances $(SAMPLE) --compare-announced --csv maps/yutu2_announced.csv --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_reader.py

clean:
	rm -rf $(VENV) sample maps/*.gpkg maps/*.html maps/*.csv maps/*_files
