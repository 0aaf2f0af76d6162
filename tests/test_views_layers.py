"""What the rover saw as layers: ``views`` and ``targets`` in the GeoPackage (real QGIS) and the map.

Built from the real VNIS products of 2020-07-16 (sequence 0136), whose labels
give the observed point: the target line must end on it, the wedge must open
from the rover towards it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from layers.geopackage import write_geopackage
from layers.webmap import MapOptions, build_webmap
from traverse import geodesy, read_frames, reconstruct

from .test_qgis import CHECK_SCRIPT, SYSTEM_PYTHON, _clean_env, _skip_or_fail


@pytest.fixture(scope="module")
def seen(ce4, tmp_path_factory):
    trav = reconstruct(read_frames([ce4 / "vnis"])[0])
    out = tmp_path_factory.mktemp("views")
    gpkg = write_geopackage(out / "views.gpkg", trav)
    html = build_webmap(out / "views.html", trav)
    return trav, gpkg, html


def test_views_and_targets_layers_follow_the_labels(seen):
    trav, gpkg, _ = seen
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers["views"] == "Polygon" and layers["targets"] == "LineString"
    targets = pyogrio.read_dataframe(gpkg, layer="targets")
    assert targets.crs.equals(geodesy.MOON, ignore_axis_order=True) and len(targets) == 2
    frames = trav.frames.set_index("product_id")
    for row in targets.itertuples(index=False):
        f = frames.loc[row.product_id]
        lon, lat, _ = geodesy.enu_to_lonlat(f["target_x_east_m"], f["target_y_north_m"], 0.0)
        end = np.asarray(row.geometry.coords)[-1]
        np.testing.assert_allclose(end, [float(lon), float(lat)], atol=1e-9)
        assert row.distance_m == pytest.approx(1.32, abs=0.02)
    views = pyogrio.read_dataframe(gpkg, layer="views")
    assert len(views) == 2 and views.geometry.is_valid.all()
    rover = shapely.Point(*(float(v) for v in geodesy.enu_to_lonlat(-287.522263, 127.291501, 0.0)[:2]))
    for wedge in views.geometry:
        assert wedge.exterior.distance(rover) < 1e-9  # apex at the rover
        assert wedge.intersects(targets.geometry.iloc[0].interpolate(0.5, normalized=True))


@pytest.mark.qgis
def test_qgis_opens_views_and_targets_styled(seen, tmp_path):
    _, gpkg, _ = seen
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    res = subprocess.run([SYSTEM_PYTHON, str(CHECK_SCRIPT), str(gpkg), str(tmp_path / "r.png")],
                         env=_clean_env(tmp_path), capture_output=True, text=True, timeout=300, cwd=tmp_path)
    if res.returncode != 0 and "No module named 'qgis'" in res.stderr:
        _skip_or_fail("Debian python3-qgis is not installed")
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(res.stdout)
    for name in ("views", "targets"):
        layer = report["layers"][name]
        assert layer["isValid"] and layer["authid"] == "IAU_2015:30100" and layer["featureCount"] == 2
    assert report["layers"]["views"]["renderer"] == "categorizedSymbol"
    assert report["layers"]["views"]["classAttribute"] == "instrument"
    assert report["render"]["errors"] == []


@pytest.mark.chromium
def test_map_layer_what_the_rover_saw_toggles(seen):
    from .test_webmap_chromium import ARGS, CHROMIUM, Page, _require_chromium

    _, _, html = seen
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = Page(browser, html)
        assert page.errors == [] and page.blocked == [] and page.failed == []
        assert page.page.locator("path.traverse-view").count() == 2
        assert page.page.locator("path.traverse-target").count() == 2
        drawn = page.page.evaluate(
            "(() => { const out = []; const m = traverseMap.map;"
            " m.eachLayer(l => { if (l instanceof L.Polygon && l.options.className === 'traverse-view')"
            " out.push(l.getLatLngs()[0].map(p => [p.lng, p.lat])); }); return out; })()")
        trav = seen[0]
        assert len(drawn) == len(trav.views)
        for ring, wedge in zip(drawn, trav.views.geometry, strict=True):  # the page draws the wedge
            expected = np.asarray(wedge.exterior.coords)[:-1]  # of the GeoPackage, to a centimetre
            got = np.asarray(ring)
            assert got.shape == expected.shape
            metres = np.radians(np.abs(got - expected)).max() * geodesy.MOON_RADIUS_M
            assert metres < 0.01, metres
        assert page.page.evaluate("TraverseMap.escapeHtml(\"<img src=x onerror='a()'>&\")") == \
            "&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;"
        toggle = page.page.locator(".leaflet-control-layers label", has_text="What the rover saw")
        toggle.locator("input").click()
        assert page.page.locator("path.traverse-view").count() == 0
        toggle.locator("input").click()
        page.page.locator("path.traverse-target").first.click(force=True)
        text = page.page.locator(".leaflet-popup-content").inner_text()
        assert "observed point 1.3" in text and "incidence" in text and "phase" in text
        # a whole mission's views start switched off and are drawn when first shown
        trav, gpkg, _ = seen
        lazy = build_webmap(gpkg.with_name("lazy.html"), trav, MapOptions(max_views_shown=1))
        page = Page(browser, lazy)
        toggle = page.page.locator(".leaflet-control-layers label", has_text="What the rover saw")
        assert not toggle.locator("input").is_checked()
        assert page.page.locator("path.traverse-view").count() == 0
        toggle.locator("input").click()
        assert page.page.locator("path.traverse-view").count() == 2
        assert page.page.locator("path.traverse-target").count() == 2
        toggle.locator("input").click()
        toggle.locator("input").click()  # shown again: drawn once, not twice
        assert page.page.locator("path.traverse-view").count() == 2
        assert page.errors == [] and page.blocked == []
        browser.close()


def test_view_length_option(ce4, tmp_path, capsys):
    import pandas as pd

    from traverse.cli import main
    from traverse.synthetic.products import write_label_product

    tcam = tmp_path / "tcam"  # a lander camera: its wedge has no observed point, so the option sets it
    write_label_product(tcam, "TCAM-I", pd.Timestamp("2019-01-11T19:57:09Z"), level="2C", version="A",
                        pointing=(0.0, -0.866, -0.5), pointing_frame="LANDER_COORDINATE_SYSTEM",
                        camera=(43.47204, 7.4, 2352, 1728, 3))
    args = ["build", str(ce4 / "vnis"), str(tcam), "-q", "--view-length"]
    assert main([*args, "-1", "-o", str(tmp_path / "a")]) == 2
    assert "positive number of metres" in capsys.readouterr().err
    assert main([*args, "2.5", "-o", str(tmp_path / "b")]) == 0
    views = pyogrio.read_dataframe(tmp_path / "b.gpkg", layer="views").set_index("instrument")
    assert views.loc["TCAM", "length_m"] == 2.5
    assert np.allclose(views.loc["VNIS", "length_m"], 1.32, atol=0.02)  # to the observed point
