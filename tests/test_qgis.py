"""Open the GeoPackage in real QGIS (Debian python3-qgis) and render it.

Runs ``/usr/bin/python3 tests/qgis_check.py`` in a subprocess with a clean
environment (no venv: its numpy would shadow Debian's) and
``QT_QPA_PLATFORM=offscreen``.  Needs the Debian packages ``qgis``,
``python3-qgis`` and ``qgis-providers``.  Skips without them, fails under CI=true.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from layers.geopackage import write_geopackage
from traverse.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from layer_fixtures import traverse_layers  # noqa: E402

pytestmark = pytest.mark.qgis

SYSTEM_PYTHON = "/usr/bin/python3"
CHECK_SCRIPT = Path(__file__).parent / "qgis_check.py"
MAIN = ["lander", "frames", "stations", "drives", "days"]


def _clean_env(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(runtime),
    }


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the QGIS check must run)")
    pytest.skip(reason)


def _qgis_check(gpkg: Path, tmp: Path) -> dict:
    """Run tests/qgis_check.py on ``gpkg`` in Debian's QGIS; its JSON report (skip without QGIS)."""
    env = _clean_env(tmp)
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], env=env, capture_output=True, text=True,
        timeout=120,
    )
    if probe.returncode != 0:
        _skip_or_fail(
            f"{SYSTEM_PYTHON} cannot import qgis.core (apt-get install qgis python3-qgis"
            f" qgis-providers): {probe.stderr.strip()[-300:]}"
        )
    png = gpkg.with_suffix(".png")
    res = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK_SCRIPT), str(gpkg), str(png)],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp,
    )
    assert res.returncode == 0, f"qgis_check.py failed:\n{res.stderr[-3000:]}"
    report = json.loads(res.stdout)
    report["stderr"] = res.stderr
    return report


@pytest.fixture(scope="module")
def qgis_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qgis")
    return _qgis_check(write_geopackage(tmp / "traverse.gpkg", traverse_layers(), local=True), tmp)


@pytest.fixture(scope="module")
def real_qgis_report(tmp_path_factory, ce4):
    """``traverse build`` of the real products (lunar days 20 and 62 only), opened in QGIS."""
    tmp = tmp_path_factory.mktemp("qgis_real")
    assert main(["build", str(ce4), "-o", str(tmp / "real"), "-q"]) == 0
    return _qgis_check(tmp / "real.gpkg", tmp)


@pytest.mark.parametrize("name", MAIN)
def test_qgis_recognises_iau_2015_30100(qgis_report, name):
    layer = qgis_report["layers"][name]
    assert layer["isValid"]
    assert layer["authid"] == "IAU_2015:30100"
    assert layer["map_units"] == "degrees"
    expected = {"lander": 1, "frames": 15, "stations": 5, "drives": 3, "days": 3}[name]
    assert layer["featureCount"] == expected


@pytest.mark.parametrize("name", MAIN)
def test_qgis_reads_local_layers_in_metres(qgis_report, name):
    layer = qgis_report["layers"][f"{name}_local"]
    assert layer["isValid"] and layer["crs_valid"]
    assert layer["map_units"] == "meters"
    assert layer["crs_description"] == "Chang'e-4 lander AEQD (label)"


def test_qgis_applies_the_embedded_default_styles(qgis_report):
    layers = qgis_report["layers"]
    days = layers["days"]
    assert days["renderer"] == "categorizedSymbol"
    assert days["classAttribute"] == "lunar_day"
    assert [c["label"] for c in days["categories"]] == ["Lunar day 1", "Lunar day 2", "Lunar day 3"]
    assert len({c["colour"] for c in days["categories"]}) == 3
    assert layers["drives"]["renderer"] == "categorizedSymbol"
    assert '"source"' in layers["drives"]["classAttribute"]  # and "kind": gaps apart
    assert layers["drives"]["kinds"]["drive"]["count"] == 3  # a layer without kind: all drives
    assert layers["stations"]["labelsEnabled"] and layers["stations"]["labelField"] == "station_id"
    assert layers["lander"]["symbol"]["properties"]["name"] == "star"
    assert layers["frames"]["symbol"]["opacity"] < 0.5
    assert layers["days"]["fields"]["start_utc"] == "DateTime"


def _png_pixels(path: Path) -> tuple[int, int, list[bytes], int]:
    """Tiny PNG reader (8-bit RGB/RGBA, not interlaced): width, height, rows, bytes/pixel."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    bpp = 4 if colour_type == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def test_qgis_renders_a_non_blank_map(qgis_report):
    render = qgis_report["render"]
    assert render["errors"] == []
    width, height, rows, bpp = _png_pixels(Path(render["png"]))
    assert (width, height) == (render["width"], render["height"])
    counts: dict[bytes, int] = {}
    for row in rows:
        for x in range(0, len(row), bpp):
            px = row[x : x + 3]
            counts[px] = counts.get(px, 0) + 1
    background = counts.get(b"\xff\xff\xff", 0)
    drawn = width * height - background
    assert drawn == render["non_background_pixels"]
    assert drawn > 2000, "the map is (nearly) blank"
    assert len(counts) > 10  # lines, star, dots and labels, not one flat colour


def test_real_build_draws_the_gaps_apart_in_qgis(real_qgis_report):
    """The real products: a gap from the lander (no data before day 20) and one over days 21-61."""
    drives = real_qgis_report["layers"]["drives"]
    assert drives["isValid"] and drives["authid"] == "IAU_2015:30100"
    assert drives["renderer"] == "categorizedSymbol" and '"kind"' in drives["classAttribute"]
    kinds = drives["kinds"]
    assert kinds["gap"]["count"] == 2 and kinds["drive"]["count"] == 1
    assert kinds["gap"]["line_styles"] == ["dot"] and kinds["gap"]["colours"] == ["#808080"]
    assert kinds["drive"]["line_styles"] == ["solid"]  # the LPR drive of day 62, as before
    gap = [c for c in drives["categories"] if c["value"] == "gap"]
    assert len(gap) == 1 and "no data" in gap[0]["label"].lower()
    assert real_qgis_report["render"]["errors"] == []


def test_real_build_has_a_coverage_table_in_qgis(real_qgis_report):
    assert "coverage" not in real_qgis_report["layers"]  # no geometry: an attribute table
    table = real_qgis_report["tables"]["coverage"]
    assert table["isValid"] and table["featureCount"] == 62
    assert table["fields"]["covered"] == "Boolean"
    assert [r["lunar_day"] for r in table["rows"]] == list(range(1, 63))
    assert [r["lunar_day"] for r in table["rows"] if r["covered"]] == [20, 62]
    days = real_qgis_report["layers"]["days"]
    assert days["featureCount"] == 2  # the days without data have no empty geometry here
