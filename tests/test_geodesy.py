"""Geodesy: the lander ENU <-> lon/lat conversion reproduces GRAS's own numbers."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS

from traverse import geodesy
from traverse.read.labels import parse_label

M_PER_DEG = math.pi / 180 * geodesy.MOON_RADIUS_M


@pytest.mark.parametrize("payload", ["VNIS-SD", "VNIS-VD"])
def test_label_lonlat_reproduced_within_1cm(ce4, payload):
    """Source: the two real VNIS labels of 2020-07-16 (Rover_Location vs Rover_LocationXYZ)."""
    (path,) = (ce4 / "vnis").glob(f"CE4_GRAS_{payload}_*.2BL")
    lab = parse_label(path.read_bytes(), str(path))
    lon, lat, _ = geodesy.enu_to_lonlat(*lab["rover_xyz"])
    label_lon, label_lat = lab["rover_lonlat"]
    # The label prints 6 decimals (±5e-7 degrees, ≈ 1.5 cm): compare in metres on the ground.
    d_east = (lon - label_lon) * M_PER_DEG * math.cos(math.radians(label_lat))
    d_north = (lat - label_lat) * M_PER_DEG
    assert math.hypot(d_east, d_north) < 0.01


def test_lander_is_the_origin():
    lon, lat, h = geodesy.enu_to_lonlat(0.0, 0.0, 0.0)
    assert (float(lon), float(lat), float(h)) == pytest.approx((177.5991, -45.4446, -5935.0))


def test_control_networks_are_415_m_apart():
    geod = geodesy.MOON.get_geod()
    a, b = geodesy.LANDER_LABEL, geodesy.LANDER_LRO
    _, _, dist = geod.inv(a.lon_deg, a.lat_deg, b.lon_deg, b.lat_deg)
    assert dist == pytest.approx(415, abs=10)


@pytest.mark.parametrize(
    ("control", "expected"),
    [
        ("label", geodesy.LANDER_LABEL),
        ("LRO", geodesy.LANDER_LRO),
        ("177.5,-45.4,-5900", geodesy.LanderSite(177.5, -45.4, -5900.0)),
        ((177.5, -45.4, -5900), geodesy.LanderSite(177.5, -45.4, -5900.0)),
    ],
)
def test_lander_site_choices(control, expected):
    assert geodesy.lander_site(control) == expected


@pytest.mark.parametrize("bad", ["mars", "1,2", "400,0,0", "1,2,3e9"])
def test_lander_site_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="control|out of range|surface"):
        geodesy.lander_site(bad)


def test_moon_crs_is_iau_2015_sphere():
    assert CRS("IAU_2015:30100") == geodesy.MOON
    assert geodesy.MOON.ellipsoid.semi_major_metre == geodesy.MOON_RADIUS_M
    assert geodesy.MOON.ellipsoid.inverse_flattening == 0


def test_moon_geod_is_not_the_earth():
    # A 37 m drive measured on the Moon, not on WGS84 (which gives ~3.7x more).
    geod = geodesy.MOON.get_geod()
    lon, lat, _ = geodesy.enu_to_lonlat([0, -37.0], [0, 0], [0, 0])
    _, _, d = geod.inv(lon[0], lat[0], lon[1], lat[1])
    assert d == pytest.approx(37.0 * geodesy.MOON_RADIUS_M / (geodesy.MOON_RADIUS_M - 5935), rel=1e-4)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-3000, 3000), st.floats(-3000, 3000), st.floats(-200, 200),
    st.sampled_from(["label", "lro"]),
)
def test_enu_lonlat_roundtrip_within_1mm(e, n, u, control):
    site = geodesy.lander_site(control)
    lon, lat, h = geodesy.enu_to_lonlat(e, n, u, site)
    e2, n2, u2 = geodesy.lonlat_to_enu(lon, lat, h, site)
    assert np.allclose([e2, n2, u2], [e, n, u], atol=1e-3)


def test_local_crs_scale_is_documented_ratio():
    from pyproj import Transformer

    site = geodesy.LANDER_LABEL
    lon, lat, _ = geodesy.enu_to_lonlat(1000.0, 0.0, 0.0, site)
    t = Transformer.from_crs(geodesy.MOON, geodesy.local_crs(site), always_xy=True)
    x, y = t.transform(lon, lat)
    ratio = geodesy.MOON_RADIUS_M / (geodesy.MOON_RADIUS_M + site.height_m)
    assert x == pytest.approx(1000.0 * ratio, abs=0.01)
    assert abs(y) < 0.2


def _crs_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String and number constants in code (not docstrings) that define a CRS or a body."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in docstrings:
            continue
        v = node.value
        if isinstance(v, str) and re.search(r"^(EPSG|IAU_\d{4}|ESRI):|\+proj=|\+R=\d", v):
            found.append((node.lineno, v))
        elif isinstance(v, (int, float)) and 1_737_000 <= abs(v) < 1_738_500 or (
            isinstance(v, (int, float)) and 6_370_000 <= abs(v) <= 6_379_000
        ):
            found.append((node.lineno, repr(v)))
    return found


def test_no_crs_built_outside_geodesy():
    """House rule: CRS strings and body radii live only in geodesy.py."""
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for pkg in ("traverse", "layers"):
        for path in (root / pkg).rglob("*.py"):
            if path.name == "geodesy.py":
                continue
            tree = ast.parse(path.read_text(), str(path))
            offenders += [f"{path.relative_to(root)}:{ln}: {v}" for ln, v in _crs_literals(tree)]
    assert not offenders, "\n".join(offenders)


def test_crs_literal_detector_finds_violations():
    code = 'from pyproj import CRS\nc = CRS("IAU_2015:30100")\nR = 1737400\nd = "+proj=aeqd +R=1"\n'
    assert sorted(ln for ln, _ in _crs_literals(ast.parse(code))) == [2, 3, 4]
