"""The demo's own GeoPackage (sample archive → ``traverse build``) opened in real QGIS."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyogrio
import pytest

from traverse.cli import main
from traverse.synthetic.sample import write_sample_archive

from .test_qgis import CHECK_SCRIPT, MAIN, SYSTEM_PYTHON, _clean_env, _png_pixels, _skip_or_fail

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qgis-demo")
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    write_sample_archive(tmp / "ce4")
    assert main(["build", str(tmp / "ce4"), "-o", str(tmp / "maps" / "yutu2"), "-q"]) == 0
    gpkg = tmp / "maps" / "yutu2.gpkg"
    env = _clean_env(tmp)
    res = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK_SCRIPT), str(gpkg), str(tmp / "demo.png")],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp,
    )
    if res.returncode != 0 and "No module named 'qgis'" in res.stderr:
        _skip_or_fail("Debian python3-qgis is not installed")
    assert res.returncode == 0, f"qgis_check.py failed:\n{res.stderr[-3000:]}"
    return gpkg, json.loads(res.stdout)


@pytest.mark.parametrize("name", MAIN)
def test_demo_layers_referenced_and_complete(demo_report, name):
    gpkg, report = demo_report
    layer = report["layers"][name]
    assert layer["isValid"] and layer["authid"] == "IAU_2015:30100"
    assert layer["featureCount"] == pyogrio.read_info(gpkg, layer=name)["features"]


def test_demo_days_styled_by_lunar_day(demo_report):
    _, report = demo_report
    days = report["layers"]["days"]
    assert days["renderer"] == "categorizedSymbol" and days["classAttribute"] == "lunar_day"
    assert [c["label"] for c in days["categories"]] == [f"Lunar day {d}" for d in range(1, 14)]


def test_demo_renders(demo_report):
    _, report = demo_report
    render = report["render"]
    assert render["errors"] == []
    width, height, rows, bpp = _png_pixels(Path(render["png"]))
    white = b"\xff\xff\xff"
    drawn = sum(1 for row in rows for x in range(0, len(row), bpp) if row[x : x + 3] != white)
    assert drawn > 2000
