"""Shared fixtures: the real Chang'e-4 products in ../shared/data/ce4, versions header."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CE4 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ce4"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config):
    """An empty orbital-basemap cache for the whole run (the user's own must not change any build).

    Set in the environment, so the CLI run as a subprocess sees it too; a test
    that fills a cache sets its own ``TRAVERSE_CACHE_DIR`` (monkeypatch).
    """
    import tempfile

    os.environ["TRAVERSE_CACHE_DIR"] = tempfile.mkdtemp(prefix="traverse-test-cache-")


def pytest_report_header(config):
    import geopandas
    import pyogrio
    import pyproj
    import rasterio
    import shapely

    return [
        f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
        f"rasterio {rasterio.__version__} (GDAL {rasterio.__gdal_version__}, "
        f"PROJ {getattr(rasterio, '__proj_version__', '?')}), "
        f"pyogrio {pyogrio.__version__} (GDAL {pyogrio.__gdal_version_string__}), "
        f"geopandas {geopandas.__version__}, shapely {shapely.__version__}",
        f"real products: {CE4} ({'present' if CE4.is_dir() else 'MISSING'}); CI={IN_CI}",
    ]


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false; fail instead under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def ce4() -> Path:
    """Folder of the real Chang'e-4 products (read in place, never copied)."""
    require(CE4.is_dir(), f"real Chang'e-4 products not found at {CE4}")
    return CE4


@pytest.fixture(scope="session")
def lpr1(ce4) -> tuple[Path, Path]:
    """(label, binary) of the real LPR-1 level-2B product of 2023-12-16."""
    stem = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"
    return ce4 / "lpr" / f"{stem}L", ce4 / "lpr" / stem


@pytest.fixture(scope="session")
def ce4_build(ce4, tmp_path_factory) -> Path:
    """``traverse build`` of the real Chang'e-4 products with the default options, made once: ``.../NAME``
    (``NAME.gpkg``, ``NAME.html``, ``NAME_files/``).  Read it, never write into it."""
    from traverse.cli import main

    out = tmp_path_factory.mktemp("ce4_build") / "NAME"
    assert main(["build", str(ce4), "-o", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Playwright) for the map tests; skipped without it, failed so under CI=true."""
    from tests.test_webmap_chromium import ARGS, CHROMIUM, _require_chromium

    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def _session_cache_dir(tmp_path_factory):
    """The CLI's cache of parsed products (traverse.read.cache) in a temporary folder, never ~/.cache."""
    before = os.environ.get("TRAVERSE_CACHE_DIR")
    os.environ["TRAVERSE_CACHE_DIR"] = str(tmp_path_factory.mktemp("session-cache"))
    yield
    if before is None:
        os.environ.pop("TRAVERSE_CACHE_DIR", None)
    else:
        os.environ["TRAVERSE_CACHE_DIR"] = before


@pytest.fixture(autouse=True)
def _test_cache_dir(tmp_path_factory, monkeypatch):
    """Each test its own cache folder: a test's first build is cold, whatever ran before it."""
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
