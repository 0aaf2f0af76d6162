"""The QGIS project stored in the GeoPackage (``qgis_projects``), opened in real QGIS.

``traverse build`` of the synthetic sample with an image basemap and a DEM, the
whole folder then moved elsewhere; ``tests/qgis_project_check.py`` (Debian's
python3-qgis, clean environment) opens the stored project from the moved
GeoPackage and reports.  Skips without QGIS, fails under CI=true.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from affine import Affine

from layers.basemaps import write_synthetic_dem
from layers.palette import day_colours
from layers.qgisproject import QGIS_PYTHON_ENV, project_plan, store_qgis_project
from layers.timeline import timeline_spec
from traverse import geodesy
from traverse.cli import main
from traverse.missions import mission
from traverse.synthetic.sample import write_sample_archive

from .test_qgis import SYSTEM_PYTHON, _clean_env, _skip_or_fail

CHECK = Path(__file__).parent / "qgis_project_check.py"
ROPER = Path(__file__).resolve().parents[2] / "shared" / "data" / "tw1" / "roper"
ORDER = ["lander", "stations", "drives", "days", "targets", "views", "frames", "radar_traces"]
TIMED = {"stations": "first_utc", "drives": "start_utc", "days": "start_utc", "targets": "time_utc",
         "views": "time_utc", "frames": "time_utc", "radar_traces": "time_utc"}


def _write_image(path: Path, site: geodesy.LanderSite) -> Path:
    """A 3-band byte GeoTIFF, 600 m around the lander, in the Moon's geographic CRS."""
    deg = 600.0 / (np.pi / 180 * geodesy.MOON_RADIUS_M)
    rgb = np.random.default_rng(1).integers(0, 255, (3, 60, 60), dtype="uint8")
    profile = {"driver": "GTiff", "width": 60, "height": 60, "count": 3, "dtype": "uint8",
               "crs": geodesy.MOON.to_wkt(),
               "transform": Affine(deg / 60, 0, site.lon_deg - deg / 2, 0, -deg / 60, site.lat_deg + deg / 2)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(rgb)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(moved folder, QGIS report): the sample built with a basemap and a DEM, then moved away."""
    tmp = tmp_path_factory.mktemp("qgis-project")
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    work = tmp / "work"
    write_sample_archive(work / "ce4")
    site = geodesy.LANDER_LABEL
    (work / "rasters").mkdir()
    dem = write_synthetic_dem(work / "rasters" / "synthetic_dem.tif", center_lon=site.lon_deg,
                              center_lat=site.lat_deg, size_m=700.0)
    image = _write_image(work / "rasters" / "image.tif", site)
    assert main(["build", str(work / "ce4"), "-o", str(work / "maps" / "yutu2"), "-q",
                 "--basemap", str(image), "--dem", str(dem)]) == 0
    moved = tmp / "elsewhere" / "deeper" / "work"
    moved.parent.mkdir(parents=True)
    shutil.move(work, moved)  # nothing is left at the paths of the build
    gpkg = moved / "maps" / "yutu2.gpkg"
    res = subprocess.run([SYSTEM_PYTHON, str(CHECK), str(gpkg), "yutu2", str(tmp / "render.png")],
                         env=_clean_env(tmp), capture_output=True, text=True, timeout=300, cwd=tmp)
    if res.returncode != 0 and "No module named 'qgis'" in res.stderr:
        _skip_or_fail("Debian python3-qgis is not installed")
    assert res.returncode == 0, f"qgis_project_check.py failed:\n{res.stderr[-3000:]}"
    report = json.loads(res.stdout)
    report["layers"] = {layer["name"]: layer for layer in report["layers"]}
    return moved, report


def test_the_project_is_stored_and_opens(built):
    _, report = built
    assert report["projects"] == ["yutu2"] and report["read"] is True


def test_project_crs_is_projected_and_centred_on_the_lander(built):
    crs = built[1]["crs"]
    assert crs["isValid"] and not crs["isGeographic"] and crs["map_units"] == "meters"
    site = geodesy.LANDER_LABEL
    assert "+proj=aeqd" in crs["proj"] and "+R=1737400" in crs["proj"]
    assert f"+lat_0={site.lat_deg:g}" in crs["proj"] and f"+lon_0={site.lon_deg:g}" in crs["proj"]


def test_layers_in_the_web_maps_order_valid_and_styled(built):
    _, report = built
    names = list(report["layers"])
    assert names[: len(ORDER)] == ORDER
    assert names[len(ORDER):] == ["image (image)", "synthetic_dem (dem)"]  # rasters under the traverse
    for name, layer in report["layers"].items():
        assert layer["isValid"], name
        assert layer["visible"] == (name not in ("frames", "radar_traces")), name  # the map hides its traces
    styled = {name: layer["renderer"] for name, layer in report["layers"].items()}
    assert styled["days"] == styled["drives"] == styled["views"] == "categorizedSymbol"
    assert styled["synthetic_dem (dem)"] == "hillshade" and styled["image (image)"] == "multibandcolor"
    assert all(styled[name] for name in ORDER)


def test_days_share_the_html_colour_scale(built):
    moved, report = built
    days = pyogrio.read_dataframe(moved / "maps" / "yutu2.gpkg", layer="days")
    palette = {str(d): c for d, c in day_colours(days["lunar_day"]).items()}
    assert report["layers"]["days"]["categories"] == palette


def test_rasters_valid_from_relative_paths_after_the_move(built):
    moved, report = built
    for name, file in (("image (image)", "image.tif"), ("synthetic_dem (dem)", "synthetic_dem.tif")):
        assert report["layers"][name]["source"] == str(moved / "rasters" / file)
    assert all(layer["source"].startswith(str(moved)) for layer in report["layers"].values())


def test_temporal_range_is_the_traverse_time_range(built):
    moved, report = built
    days = pyogrio.read_dataframe(moved / "maps" / "yutu2.gpkg", layer="days")
    spec = timeline_spec(days, day_colours(days["lunar_day"]))  # the web slider's span
    start, end = (pd.Timestamp(t) for t in report["time_range"])
    # the web slider's span widened to whole seconds (QGIS stores the project's range to the second)
    assert start == pd.Timestamp(days["start_utc"].min()).floor("s") == pd.Timestamp(spec["start"], unit="ms",
                                                                                       tz="UTC").floor("s")
    assert end == pd.Timestamp(days["end_utc"].max()).ceil("s") == pd.Timestamp(spec["end"], unit="ms",
                                                                                 tz="UTC").ceil("s")
    assert report["cumulative"] is True
    for name, field in TIMED.items():
        layer = report["layers"][name]
        assert layer["temporal_active"] and f'"{field}"' in layer["temporal_start"], name
    assert not report["layers"]["lander"]["temporal_active"]


def _when(table: pd.DataFrame, name: str) -> pd.Series:
    if name == "drives":  # a gap appears on arrival, as on the web map
        return table["end_utc"].where(table["kind"] == "gap", table["start_utc"])
    return table[TIMED[name]]


def test_mid_mission_shows_only_what_existed(built):
    moved, report = built
    middle = pd.Timestamp(report["middle"])
    for name in TIMED:
        table = pyogrio.read_dataframe(moved / "maps" / "yutu2.gpkg", layer=name)
        expected = int((pd.to_datetime(_when(table, name), utc=True) <= middle).sum())
        assert report["shown_at_middle"][name] == expected, name
        assert 0 < expected < len(table), name  # the sample spans the whole range
    mid, whole = report["render_middle"], report["render_whole"]
    assert mid["errors"] == whole["errors"] == []
    assert pd.Timestamp(report["last_station"]["first_utc"]) > middle
    assert whole["point_drawn"] and not mid["point_drawn"]  # the last station, then and now
    assert 0 < mid["drawn_pixels"] < whole["drawn_pixels"]


def test_map_tips_and_display_names_read(built):
    moved, report = built
    layers = report["layers"]
    for name in ("stations", "drives", "views", "targets", "frames"):
        assert layers[name]["mapTip"], name
    stations = pyogrio.read_dataframe(moved / "maps" / "yutu2.gpkg", layer="stations")
    first = stations.iloc[0]
    display = layers["stations"]["display"]
    assert display == {"value": f"Station {first.station_id}, Lunar day {first.lunar_day}", "error": ""}
    assert len(first.products) > 200  # what QGIS showed before: the product list
    assert layers["drives"]["display"]["value"].startswith("Drive ")
    tip = layers["stations"]["mapTip"]
    assert tip.startswith(f"<b>Station {first.station_id}</b>, Lunar day {first.lunar_day}")
    images = [src.removeprefix("file://") for src in _img_sources(tip)]
    assert images and all(Path(p).is_file() for p in images)  # thumbnails found in the moved folder
    assert all(p.startswith(str(moved / "maps" / "yutu2_files" / "thumbs")) for p in images)
    for name in ("views", "targets"):
        sources = _img_sources(layers[name]["mapTip"])
        assert len(sources) == 1 and Path(sources[0].removeprefix("file://")).is_file(), name


def _img_sources(html: str) -> list[str]:
    import re

    return re.findall(r'<img src="([^"]+)"', html)


def test_without_qgis_one_line_and_no_project(tmp_path, monkeypatch, capsys):
    write_sample_archive(tmp_path / "ce4", days=2, images=False)
    monkeypatch.setenv(QGIS_PYTHON_ENV, str(tmp_path / "no-python"))
    assert main(["build", str(tmp_path / "ce4"), "-o", str(tmp_path / "maps" / "t")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"QGIS project not stored in t.gpkg: no {tmp_path / 'no-python'} (install QGIS's Python,"
                   f" e.g. apt install python3-qgis, or set {QGIS_PYTHON_ENV})"]
    import sqlite3

    con = sqlite3.connect(tmp_path / "maps" / "t.gpkg")
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'qgis_projects'").fetchone() == (0,)
    con.close()


def test_a_failing_qgis_is_one_line(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\necho 'boom: it broke' >&2\n"
                    "exit 3\n")
    fake.chmod(0o755)
    result = store_qgis_project(tmp_path / "x.gpkg", {"project_name": "x"}, python=str(fake))
    assert result == (False, "QGIS project not stored in x.gpkg: boom: it broke")


@pytest.mark.skipif(not ROPER.is_dir(), reason="real Zhurong products not found")
def test_zhurong_plan_speaks_of_sols_on_mars(tmp_path, monkeypatch):
    monkeypatch.setenv(QGIS_PYTHON_ENV, str(tmp_path / "no-python"))
    assert main(["build", str(ROPER), "-o", str(tmp_path / "z"), "-q"]) == 0
    tw1 = mission("tw1")
    site = next(iter(tw1.sites.values()))
    plan = project_plan(tmp_path / "z.gpkg", mission=tw1, site=site)
    assert "3396190" in plan["crs_wkt"] and "Zhurong" in plan["title"]
    drives = next(layer for layer in plan["layers"] if layer["table"] == "drives")
    assert ", Sol ' || \"sol\"" in drives["display"]
    assert plan["time_range"] is not None
