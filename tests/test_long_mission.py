"""A 60-lunar-day archive (the synthetic sample with CNSA's odometry to day 60) builds and stays readable.

The colours of the days agree between the HTML map and the GeoPackage as real
QGIS reads it, and no two consecutive days share a colour.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from traverse.cli import main

from .test_qgis import CHECK_SCRIPT, SYSTEM_PYTHON, _clean_env, _skip_or_fail


@pytest.fixture(scope="module")
def long_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sixty")
    assert main(["sample", str(tmp / "ce4"), "--days", "60", "-q"]) == 0
    stem = tmp / "maps" / "m"
    assert main(["build", str(tmp / "ce4"), "-o", str(stem), "-q"]) == 0
    return stem


def _html_colours(stem: Path) -> dict[int, str]:
    text = stem.with_suffix(".html").read_text(encoding="utf-8")
    return {int(d): c for d, c in re.findall(r'"day":(\d+),"color":"(#[0-9a-f]{6})"', text)}


def test_sixty_days_build_small_and_complete(long_build):
    days = pd.read_csv(long_build.with_name("m_days.csv"))
    assert days["lunar_day"].tolist() == list(range(1, 61))
    assert days["cumulative_m"].iloc[-1] == pytest.approx(1460.8, rel=0.01)
    assert long_build.with_suffix(".html").stat().st_size < 5_000_000


def test_no_two_consecutive_days_share_a_colour(long_build):
    colours = _html_colours(long_build)
    assert sorted(colours) == list(range(1, 61))
    assert all(colours[d] != colours[d + 1] for d in range(1, 60))
    assert len(set(colours.values())) == 60


@pytest.mark.qgis
def test_qgis_draws_the_days_in_the_html_colours(long_build, tmp_path):
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    res = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK_SCRIPT), str(long_build.with_suffix(".gpkg")), str(tmp_path / "r.png")],
        env=_clean_env(tmp_path), capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    if res.returncode != 0 and "No module named 'qgis'" in res.stderr:
        _skip_or_fail("Debian python3-qgis is not installed")
    assert res.returncode == 0, res.stderr[-3000:]
    categories = json.loads(res.stdout)["layers"]["days"]["categories"]
    qgis = {int(c["value"]): c["colour"] for c in categories}
    html = _html_colours(long_build)
    for day in (1, 30, 60):
        assert qgis[day] == html[day], day
