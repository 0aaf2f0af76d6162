"""GeoPackage, CSV and GeoJSON writers: CRS, styles, atomic writes (pyogrio, geopandas, GDAL)."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer

from layers import geopackage, styles
from layers.geopackage import write_geopackage
from layers.palette import day_colours, day_rgb
from layers.tables import write_days_csv, write_geojson
from traverse import geodesy
from traverse.errors import OutputError

sys.path.insert(0, str(Path(__file__).parent))
from layer_fixtures import traverse_layers  # noqa: E402

MAIN = ["lander", "frames", "stations", "drives", "days"]
LAYER_STYLES_COLUMNS = {
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
    "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
    "update_time",
}  # fmt: skip


def _skip_or_fail(reason: str) -> None:
    """Skip locally; under CI=true a missing tool is an error."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: this check must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def layers():
    return traverse_layers()


@pytest.fixture(scope="module")
def gpkg(layers, tmp_path_factory):
    path = tmp_path_factory.mktemp("gpkg") / "traverse.gpkg"
    out = write_geopackage(path, layers, local=True)
    assert out == path
    return path


def test_writes_all_layers_with_their_geometry_types(gpkg):
    listed = dict(pyogrio.list_layers(gpkg))
    expected = {"lander": "Point", "frames": "Point", "stations": "Point"}
    expected |= {"drives": "LineString", "days": "MultiLineString"}
    for name, geom in expected.items():
        assert listed[name] == geom
        assert listed[f"{name}_local"] == geom
    assert "layer_styles" in listed


@pytest.mark.parametrize("name", MAIN)
def test_geopandas_reads_iau_2015_30100_with_lon_lat(gpkg, layers, name):
    back = gpd.read_file(gpkg, layer=name)
    assert back.crs == CRS("IAU_2015:30100")
    assert back.crs.equals(geodesy.MOON)
    assert len(back) == len(layers[name])
    present = back.geometry[~back.geometry.is_empty]
    assert present.geom_equals_exact(layers[name].geometry[~back.geometry.is_empty], 1e-12).all()
    bounds = present.total_bounds  # x is longitude east, y latitude, near the lander
    assert 177.59 < bounds[0] <= bounds[2] < 177.61
    assert -45.46 < bounds[1] <= bounds[3] < -45.44


def test_gpkg_spatial_ref_sys_names_the_iau_2015_authority(gpkg):
    con = sqlite3.connect(gpkg)
    rows = con.execute(
        "SELECT g.table_name, s.srs_id, s.organization, s.organization_coordsys_id, s.definition"
        " FROM gpkg_geometry_columns g JOIN gpkg_spatial_ref_sys s USING (srs_id)"
    ).fetchall()
    con.close()
    by_table = {r[0]: r[1:] for r in rows}
    for name in MAIN:
        srs_id, org, code, definition = by_table[name]
        assert (org, code) == ("IAU_2015", 30100)
        assert definition.startswith("GEOGCS[")  # WKT1: what QGIS 3.22 / GDAL 3.6 parse
        assert definition.endswith('AUTHORITY["IAU_2015","30100"]]')
        assert 'AXIS["Latitude",NORTH],AXIS["Longitude",EAST]' in definition
        assert CRS.from_wkt(definition) == geodesy.MOON
    local_ids = {by_table[f"{name}_local"][0] for name in MAIN}
    assert len(local_ids) == 1  # one custom row shared by the local layers
    srs_id, org, code, definition = by_table["days_local"]
    assert srs_id >= 100000 and org == "NONE"
    assert definition.startswith("PROJCS[") and 'UNIT["metre",1' in definition
    _assert_same_projection(CRS.from_wkt(definition), geodesy.local_crs(geodesy.LANDER_LABEL))


def _assert_same_projection(got: CRS, expected: CRS) -> None:
    """Same metres for the same lon/lat.

    WKT1 cannot say pyproj's "Modified Azimuthal Equidistant" (EPSG method 9832,
    what ``AzimuthalEquidistantConversion`` builds); GDAL writes ``Azimuthal_Equidistant``,
    which is the same projection on a sphere.  Compare numbers, not names.
    """
    assert got.is_projected and got.axis_info[0].unit_name == "metre"
    lon, lat, _ = geodesy.enu_to_lonlat([0, 500, -3000, 20000], [0, -800, 1500, 20000], [0] * 4)
    a = Transformer.from_crs(geodesy.MOON, got, always_xy=True).transform(lon, lat)
    b = Transformer.from_crs(geodesy.MOON, expected, always_xy=True).transform(lon, lat)
    assert abs(np.subtract(a, b)).max() < 1e-6


def test_local_layers_are_metres_from_the_lander(gpkg, layers):
    local = gpd.read_file(gpkg, layer="stations_local")
    _assert_same_projection(local.crs, geodesy.local_crs(geodesy.LANDER_LABEL))
    assert local.crs.axis_info[0].unit_name == "metre"
    # AEQD on the sphere vs lander ENU at -5935 m: equal to ~0.4 % (R / (R + h))
    enu = layers["stations"][["x_east_m", "y_north_m"]].to_numpy()
    xy = local.get_coordinates().to_numpy()
    assert abs(xy - enu).max() < 0.005 * abs(enu).max()
    lander = gpd.read_file(gpkg, layer="lander_local")
    assert lander.get_coordinates().abs().to_numpy().max() < 1e-6


def test_times_nullable_ints_and_empty_days_round_trip(gpkg, layers):
    stations = gpd.read_file(gpkg, layer="stations")
    pd.testing.assert_series_equal(
        stations["first_utc"].dt.tz_convert("UTC").astype("datetime64[ms, UTC]"),
        layers["stations"]["first_utc"].astype("datetime64[ms, UTC]"),
    )
    frames = gpd.read_file(gpkg, layer="frames")
    assert frames["record"].isna().sum() == layers["frames"]["record"].isna().sum()
    assert set(frames["record"].dropna()) == {17}
    days = gpd.read_file(gpkg, layer="days")
    assert days["lunar_day"].tolist() == [1, 2, 3]
    assert days.geometry.iloc[2] is None or days.geometry.iloc[2].is_empty
    assert days.geometry.iloc[1].geom_type == "MultiLineString"


def test_layer_styles_table_has_qgis_columns_and_defaults(gpkg):
    con = sqlite3.connect(gpkg)
    cols = {r[1] for r in con.execute("PRAGMA table_info(layer_styles)")}
    rows = con.execute(
        "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
    ).fetchall()
    contents = con.execute(
        "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
    ).fetchall()
    con.close()
    assert cols == LAYER_STYLES_COLUMNS
    assert contents == [("attributes",)]
    assert sorted(r[0] for r in rows) == sorted(MAIN + [f"{n}_local" for n in MAIN])
    assert {r[1] for r in rows} == {"geom"} and {r[2] for r in rows} == {1}
    for *_, qml in rows:
        ET.fromstring(qml.split("\n", 1)[1])  # well-formed after the DOCTYPE line


def _qml(gpkg, table):
    con = sqlite3.connect(gpkg)
    (qml,) = con.execute(
        "SELECT styleQML FROM layer_styles WHERE f_table_name = ?", (table,)
    ).fetchone()
    con.close()
    return ET.fromstring(qml.split("\n", 1)[1])


def _props(symbol):
    return {p.get("k"): p.get("v") for p in symbol.iter("prop")}


def test_days_style_has_a_category_per_lunar_day(gpkg):
    root = _qml(gpkg, "days")
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "lunar_day"
    cats = renderer.findall("categories/category")
    assert [c.get("value") for c in cats] == ["1", "2", "3"]
    assert [c.get("label") for c in cats] == ["Lunar day 1", "Lunar day 2", "Lunar day 3"]
    colours = [_props(s)["line_color"] for s in renderer.findall("symbols/symbol")]
    assert len(set(colours)) == 3


def test_drives_stations_lander_frames_styles(gpkg):
    drives = _qml(gpkg, "drives").find("renderer-v2")
    by_value = {c.get("value"): c.get("symbol") for c in drives.iter("category")}
    symbols = {s.get("name"): _props(s) for s in drives.iter("symbol")}
    assert symbols[by_value["inferred"]]["line_style"] == "dash"
    assert symbols[by_value["lpr"]]["line_style"] == "solid"
    stations = _qml(gpkg, "stations")
    assert stations.get("labelsEnabled") == "1"
    assert stations.find("labeling/settings/text-style").get("fieldName") == "station_id"
    lander = _props(_qml(gpkg, "lander").find(".//symbol"))
    assert lander["name"] == "star"
    frames_symbol = _qml(gpkg, "frames").find(".//symbol")
    assert float(frames_symbol.get("alpha")) < 0.5 and float(_props(frames_symbol)["size"]) <= 1.5


def test_day_colours_follow_one_ramp_without_repeats():
    assert day_rgb(0, 3) == (68, 1, 84) and day_rgb(2, 3) == (253, 231, 37)  # viridis ends
    for n in (1, 13, 60, 100):
        colours = day_colours(range(1, n + 1))
        assert len(set(colours.values())) == n  # never cycles
        rgb = np.array([day_rgb(i, n) for i in range(n)], dtype=float)
        if n > 1:  # neighbouring days differ clearly, even among 100
            assert np.linalg.norm(np.diff(rgb, axis=0), axis=1).min() > 25
    with pytest.raises(ValueError, match="no style for layer 'craters'"):
        styles.style_qml("craters")


def test_ogrinfo_reads_the_geopackage(gpkg):
    ogrinfo = "/usr/bin/ogrinfo"  # Debian gdal-bin: GDAL 3.6, the GDAL QGIS 3.22 uses
    if not Path(ogrinfo).exists():
        _skip_or_fail(f"{ogrinfo} not found (apt-get install gdal-bin); GDAL CLI check not run")
    res = subprocess.run(
        [ogrinfo, "-so", str(gpkg), "days"], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert "Feature Count: 3" in res.stdout
    assert "Moon (2015) - Sphere / Ocentric" in res.stdout
    assert "30100" in res.stdout
    assert "ERROR" not in res.stderr and "user_version" not in res.stderr
    res = subprocess.run(
        [ogrinfo, "-so", str(gpkg), "drives_local"], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert "Azimuthal" in res.stdout or "AEQD" in res.stdout


def _bad(layers, name, change):
    bad = dict(layers)
    bad[name] = change(layers[name].copy())
    return bad


@pytest.mark.parametrize(
    ("name", "change", "error", "match"),
    [
        ("drives", lambda g: g.set_crs(None, allow_override=True), ValueError,
         "'drives' has no CRS"),
        ("stations", lambda g: g.set_crs("EPSG:4326", allow_override=True), ValueError,
         "'stations' is in 'WGS 84'; expected Moon .2015. - Sphere / Ocentric, IAU_2015:30100"),
        ("days", lambda g: g.drop(columns="lunar_day"), ValueError,
         r"'days' lacks column\(s\) \['lunar_day'\]"),
        ("lander", lambda g: g.set_geometry(shapely.buffer(g.geometry.to_numpy(), 1e-4), crs=g.crs),
         ValueError, r"'lander' has \['Polygon'\]"),
        ("frames", lambda g: pd.DataFrame(g), TypeError, "'frames' must be a GeoDataFrame"),
    ],
)  # fmt: skip
def test_bad_input_raises_and_keeps_the_last_good_file(
    layers, tmp_path, name, change, error, match
):
    path = tmp_path / "traverse.gpkg"
    write_geopackage(path, layers)
    before = path.read_bytes()
    with pytest.raises(error, match=match):
        write_geopackage(path, _bad(layers, name, change))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["traverse.gpkg"]


def test_crash_mid_write_keeps_the_last_good_file(layers, tmp_path, monkeypatch):
    path = tmp_path / "traverse.gpkg"
    write_geopackage(path, layers)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(geopackage.styles, "write_layer_styles", boom)
    with pytest.raises(RuntimeError, match="simulated"):
        write_geopackage(path, layers, local=True, site=geodesy.LANDER_LRO)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["traverse.gpkg"]
    assert len(gpd.read_file(path, layer="days")) == 3


def test_missing_output_directory_is_reported(layers, tmp_path):
    with pytest.raises(OutputError, match="folder .*nowhere does not exist"):
        write_geopackage(tmp_path / "nowhere" / "t.gpkg", layers)


def test_days_csv(layers, tmp_path):
    path = write_days_csv(tmp_path / "days.csv", layers["days"])
    back = pd.read_csv(path)
    assert list(back.columns) == [c for c in layers["days"].columns if c != "geometry"]
    assert back["lunar_day"].tolist() == [1, 2, 3]
    assert back["start_utc"].iloc[0] == "2019-01-03T14:40:00.000Z"
    assert back["drive_m"].round(3).tolist() == layers["days"]["drive_m"].round(3).tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["days.csv"]
    with pytest.raises(ValueError, match="no 'lunar_day' column"):
        write_days_csv(tmp_path / "days.csv", pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("name", ["drives", "frames", "days", "lander"])
def test_geojson_states_the_lunar_crs(layers, tmp_path, name):
    path = write_geojson(tmp_path / f"{name}.geojson", layers[name])
    doc = json.loads(path.read_text("utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert doc["crs"] == {"type": "name", "properties": {"name": "IAU_2015:30100"}}
    assert len(doc["features"]) == len(layers[name])
    back = gpd.read_file(path)
    # GDAL's GeoJSON reader returns the CRS in longitude/latitude order (GeoJSON's own).
    assert back.crs.equals(CRS("IAU_2015:30100"), ignore_axis_order=True)
    first = layers[name].geometry.iloc[0]
    assert back.geometry.iloc[0].equals_exact(first, 1e-12)
    lon = doc["features"][0]["geometry"]["coordinates"]
    while isinstance(lon[0], list):
        lon = lon[0]
    assert 177.59 < lon[0] < 177.61  # longitude first


def test_geojson_times_and_nulls_are_plain_json(layers, tmp_path):
    doc = json.loads(write_geojson(tmp_path / "f.geojson", layers["frames"]).read_text())
    props = doc["features"][0]["properties"]
    assert props["time_utc"] == "2019-01-03T14:40:00.000Z" and props["stop_utc"].endswith("Z")
    assert props["record"] is None
    assert doc["features"][2]["properties"]["record"] == 17
    assert props["description"] == "synthetic <frame> & test"


def test_geojson_refuses_an_earth_crs(layers, tmp_path):
    with pytest.raises(ValueError, match="is in 'WGS 84'"):
        write_geojson(tmp_path / "x.geojson", layers["drives"].set_crs(4326, allow_override=True))
    assert not list(tmp_path.iterdir())


def test_arrow_and_plain_writes_give_the_same_geopackage(layers, tmp_path, monkeypatch):
    paths, schemas = {}, {}
    for arrow in (True, False):
        monkeypatch.setattr(geopackage, "USE_ARROW", arrow)
        paths[arrow] = write_geopackage(tmp_path / f"arrow_{arrow}.gpkg", layers)
        with contextlib.closing(sqlite3.connect(paths[arrow])) as con:  # declared column types too
            schemas[arrow] = con.execute("SELECT group_concat(sql, ';') FROM sqlite_master WHERE "
                                         "type='table' AND name NOT LIKE 'rtree%'").fetchone()[0]
    assert schemas[True] == schemas[False]
    for name in pyogrio.list_layers(paths[True])[:, 0]:
        fast, plain = (pyogrio.read_dataframe(paths[a], layer=name).drop(columns="update_time",
                                                                         errors="ignore")
                       for a in (True, False))  # layer_styles: written a moment apart
        pd.testing.assert_frame_equal(fast, plain)
