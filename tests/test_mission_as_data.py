"""A mission is data: a copy of ce4.toml under a new key maps a sample through it, no code changed.

The project's packages are copied to a temporary folder with one more mission
TOML (key ``xy9``: another prefix, rover and lander name, no announced odometry),
the SYNTHETIC sample is renamed to that prefix, and ``traverse build`` runs in a
fresh interpreter on the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from traverse.synthetic.sample import write_sample_archive

ROOT = Path(__file__).resolve().parents[1]


def _new_mission(text: str) -> str:
    changes = [
        ('name = "Chang\'e-4"', 'name = "Test mission"'),
        ('rover = "Yutu-2"', 'rover = "Rover-X"'),
        ("lander_name = \"Chang'e-4 lander\"", 'lander_name = "XY9 lander"'),
        ("default = true", "default = false"),
        ('prefix = "CE4_"', 'prefix = "XY9_"'),
        ("(?P<mission>CE4)", "(?P<mission>XY9)"),
        ('announced_odometry = "yutu2_announced_odometry.csv"\n', ""),
    ]
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _renamed_sample(src: Path, dest: Path) -> None:
    for p in sorted(src.rglob("*")):
        if p.is_file():
            target = dest / p.relative_to(src).parent / p.name.replace("CE4_", "XY9_")
            target.parent.mkdir(parents=True, exist_ok=True)
            data = p.read_bytes()
            target.write_bytes(data.replace(b"CE4_GRAS_", b"XY9_GRAS_") if p.suffix.endswith("L") else data)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mission")
    code = tmp / "code"
    for pkg in ("traverse", "layers"):
        shutil.copytree(ROOT / pkg, code / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    missions = code / "traverse" / "data" / "missions"
    (missions / "xy9.toml").write_text(_new_mission((missions / "ce4.toml").read_text(encoding="utf-8")),
                                       encoding="utf-8")
    sample = tmp / "ce4"
    write_sample_archive(sample, images=False, days=3)
    _renamed_sample(sample, tmp / "xy9")
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = {}
    for name in ("ce4", "xy9"):
        res = subprocess.run([sys.executable, "-m", "traverse.cli", "build", str(tmp / name), "-o",
                              str(tmp / "maps" / name), "--images", "none"],
                             env=env, capture_output=True, text=True, timeout=300, cwd=tmp)
        assert res.returncode == 0, res.stderr[-3000:]
        out[name] = (tmp / "maps" / f"{name}.gpkg", res.stdout)
    return out


def test_the_new_mission_builds_the_same_traverse(builds):
    (ce4, _), (xy9, text) = builds["ce4"], builds["xy9"]
    assert "3 lunar days" in text and "archive covers lunar days 1–3 (3 of 3); no gaps" in text
    a, b = gpd.read_file(ce4, layer="drives"), gpd.read_file(xy9, layer="drives")
    np.testing.assert_allclose(b["length_2d_m"], a["length_2d_m"])
    assert gpd.read_file(xy9, layer="lander")["name"].tolist() == ["XY9 lander"]
    frames = gpd.read_file(xy9, layer="frames")
    assert frames["product_id"].str.startswith("XY9_GRAS_").all()
    pd.testing.assert_series_equal(frames["lon"], gpd.read_file(ce4, layer="frames")["lon"])


def test_the_new_mission_has_no_announced_odometry(builds, tmp_path):
    xy9 = builds["xy9"][0].parent.parent / "xy9"
    code = builds["xy9"][0].parent.parent / "code"
    res = subprocess.run([sys.executable, "-m", "traverse.cli", "distances", str(xy9), "--compare-announced"],
                         env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True, text=True,
                         timeout=300, cwd=code.parent)
    assert res.returncode == 2
    assert "announced odometry is known for Yutu-2 only, not for Rover-X" in res.stderr
