"""The map as a scientist reads it (issue 19), in real Chromium on the synthetic sample built by the CLI.

Charts with round ticks, gridlines, titles, a legend and hover values; the path
free of every control at load in two window sizes; sharp larger views; links;
export; the graticule and the search by product id or lon/lat.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.test_webmap_chromium import Page
from traverse.cli import main

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample with its synthetic DEM (terrain: an elevation chart), images by default."""
    tmp = tmp_path_factory.mktemp("reading")
    dem = tmp / "synthetic_dem.tif"
    assert main(["sample", str(tmp / "ce4"), "--dem", str(dem), "-q"]) == 0
    assert main(["build", str(tmp / "ce4"), "-o", str(tmp / "maps" / "s"), "--dem", str(dem),
                 "--science", "none", "-q"]) == 0
    return tmp / "maps" / "s.html"


def _is_round_step(step: float) -> bool:
    """1, 2 or 5 times a power of ten."""
    import math

    mant = step / 10 ** math.floor(math.log10(step))
    return any(abs(mant - k) < 1e-6 for k in (1, 2, 5, 10))


def test_charts_have_round_ticks_gridlines_titles_legend_and_hover_values(browser, sample):
    p = Page(browser, sample)
    p.page.locator(".traverse-charts .traverse-toggle").click()
    charts = p.page.locator("svg.traverse-chart")
    assert charts.count() == 2  # distance against date, elevation along the traverse
    for i in range(2):
        chart = charts.nth(i)
        ys = [float(t) for t in chart.locator(".traverse-ytick").all_text_contents()]
        assert len(ys) >= 3
        steps = {round(b - a, 9) for a, b in zip(ys, ys[1:], strict=False)}
        assert len(steps) == 1 and _is_round_step(steps.pop()), ys
        n_x = chart.locator(".traverse-xtick").count()
        assert n_x >= 2 and chart.locator(".traverse-grid line").count() == len(ys) + n_x
        assert chart.locator(".traverse-xtitle").text_content()
        assert chart.locator(".traverse-ytitle").text_content()
    distance, elevation = charts.nth(0), charts.nth(1)
    dates = distance.locator(".traverse-xtick").all_text_contents()
    assert all(len(d) == 10 and d[4] == "-" for d in dates), dates
    assert distance.locator(".traverse-xtitle").text_content() == "date (UTC)"
    assert elevation.locator(".traverse-xtitle").text_content() == "distance driven (m, 2-D)"
    legend = distance.locator(".traverse-legend").text_content()
    assert "2-D" in legend and "3-D" in legend and "CNSA odometer" in legend
    # the two series and the announced figures differ by marker shape, not by hue alone
    assert distance.locator("circle.traverse-marker-0").count() > 3
    assert distance.locator("rect.traverse-marker-1").count() > 3
    assert distance.locator("path.traverse-announced").count() >= 10
    assert distance.locator("polyline.traverse-series[stroke-dasharray]").count() >= 1
    box = distance.bounding_box()
    p.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    hover = distance.locator(".traverse-hover").text_content()
    assert "station" in hover and "2-D" in hover and " m" in hover, hover
    assert p.errors == []
    p.page.close()


COVERS = """() => {
  const boxes = [...document.querySelectorAll('path.lunar-day, path.traverse-station, .traverse-lander-icon')]
    .filter(e => !e.classList.contains('traverse-hidden')).map(e => e.getBoundingClientRect());
  const u = {l: Math.min(...boxes.map(b => b.left)), r: Math.max(...boxes.map(b => b.right)),
             t: Math.min(...boxes.map(b => b.top)), b: Math.max(...boxes.map(b => b.bottom))};
  const over = [...document.querySelectorAll('.leaflet-control')]
    .map(e => [e.className, e.getBoundingClientRect()])
    .filter(([, r]) => r.width && r.height && r.left < u.r && r.right > u.l && r.top < u.b && r.bottom > u.t)
    .map(([c]) => c);
  return {path: u, over: over, width: u.r - u.l, height: u.b - u.t};
}"""


@pytest.mark.parametrize("width, height", [(1400, 900), (1024, 768)])
def test_no_control_covers_the_path_at_load(browser, sample, width, height):
    p = Page(browser, sample, viewport={"width": width, "height": height})
    got = p.page.evaluate(COVERS)
    assert got["over"] == [], got
    assert got["width"] > 100 or got["height"] > 100  # the path is not fitted to a speck
    assert got["path"]["l"] >= 0 and got["path"]["t"] >= 0
    assert got["path"]["r"] <= width and got["path"]["b"] <= height
    # the fit measures the controls as drawn: with the per-day table open too (the old fixed
    # paddings left it over the path at 1024 x 768), and with the charts open
    for toggle in (".traverse-days-panel .traverse-toggle", ".traverse-charts .traverse-toggle"):
        if p.page.locator(toggle).inner_text().endswith("▸"):
            p.page.locator(toggle).click()
        p.page.evaluate("TraverseMap.fitView(traverseMap, JSON.parse("
                        "document.getElementById('traverse-payload').textContent).view)")
        got = p.page.evaluate(COVERS)
        assert got["over"] == [] and (got["width"] > 40 or got["height"] > 40), (toggle, got)
    assert p.errors == []
    p.page.close()


@pytest.fixture(scope="module")
def real_size_image(tmp_path_factory):
    """One PCAM product at the real camera's 2352 x 1728 x 3, its JPEGs by default (thumbnail, preview)."""
    import pandas as pd

    from traverse.images import ImageRun, write_images
    from traverse.read.archive import open_archive
    from traverse.synthetic.products import write_image_product

    tmp = tmp_path_factory.mktemp("real_size")
    yy, xx = np.mgrid[0:1728, 0:2352]
    image = np.stack([(xx // 7) % 256, (yy // 5) % 256, ((xx + yy) // 11) % 256], axis=-1).astype(np.uint8)
    label, _ = write_image_product(tmp / "ce4", "PCAML-C", pd.Timestamp("2019-01-03T16:00:00Z"), image,
                                   camera=(50.0, 7.4, 2352, 1728, 3), frame=1)
    pid = label.name[:-1]
    with open_archive([tmp / "ce4"]) as archive:
        products = archive.products
    frames = pd.DataFrame({"product_id": [pid], "record": pd.array([pd.NA], "Int64")})
    images = write_images(products, frames, tmp / "maps" / "m_files", run=ImageRun(workers=1))
    return tmp / "maps", images.iloc[0]


def test_larger_view_is_a_sharp_preview_by_default(browser, real_size_image):
    """Default --images: a 1024-px preview (not the 256-px thumbnail blown up); the larger view loads it."""
    from PIL import Image

    from layers import webmap
    from tests import map_fixtures as mf

    maps, row = real_size_image
    assert row["image_full"].startswith("m_files/preview/")
    assert Image.open(maps / row["image_full"]).size == (1024, 752)
    assert max(Image.open(maps / row["thumbnail"]).size) == 256
    tables = mf.make_traverse(50)
    frames = tables["frames"]
    first = frames["product_id"] == mf.make_stations()["products"].iloc[0].split(";")[0]
    frames["thumbnail"] = np.where(first, row["thumbnail"], None)
    frames["image_full"] = np.where(first, row["image_full"], None)
    html = webmap.build_webmap(maps / "m.html", tables)
    p = Page(browser, html)
    p.page.evaluate("traverseMap.stations[0].openPopup()")
    p.page.locator(".leaflet-popup-content .traverse-strip img").first.click()
    big = p.page.locator(".traverse-lightbox img")
    big.wait_for()
    p.page.wait_for_function("document.querySelector('.traverse-lightbox img').complete")
    assert big.evaluate("i => i.naturalWidth") >= 1000
    assert p.errors == [] and p.blocked == []
    p.page.close()


def test_export_gives_the_visible_layers_as_geojson_and_the_view_as_png(browser, sample):
    """GeoJSON of what is shown (layers switched on, features up to the time shown) and a PNG, offline."""
    import base64
    import io
    import json

    import pyogrio
    from PIL import Image

    stations = pyogrio.read_dataframe(sample.with_suffix(".gpkg"), layer="stations")
    p = Page(browser, sample)
    with p.page.expect_download() as dl:
        p.page.locator(".traverse-export-geojson").click()
    everything = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    by_layer = {}
    for f in everything["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f)
    assert len(by_layer["Stations"]) == len(stations)
    got = np.array(sorted(tuple(f["geometry"]["coordinates"]) for f in by_layer["Stations"]))
    want = np.array(sorted(zip(stations.geometry.x, stations.geometry.y, strict=True)))
    np.testing.assert_allclose(got, want, atol=1e-7)
    assert "LPR traces (decimated)" not in by_layer  # switched off in the layer control
    assert len(by_layer["What the rover saw"]) == p.page.locator("path.traverse-view").count() + 2 * (
        p.page.locator("path.traverse-target").count())
    assert "Moon" in everything["crs_note"]
    # at an earlier time only what existed then
    mid = int(stations["first_utc"].iloc[len(stations) // 2].value // 1_000_000)
    p.page.evaluate(f"traverseMap.setTime({mid})")
    earlier = p.page.evaluate("traverseMap.exportGeoJSON()")
    shown = [f for f in earlier["features"] if f["properties"]["layer"] == "Stations"]
    assert len(shown) == int((stations["first_utc"].map(lambda t: t.value // 1_000_000) <= mid).sum())
    assert all(f["properties"]["time_ms"] <= mid for f in earlier["features"] if "time_ms" in f["properties"])
    png = p.page.evaluate("traverseMap.exportPng()")
    picture = Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1])))
    assert picture.size == (1000, 700)
    rgb = np.asarray(picture.convert("RGB")).astype(int)
    grey_levels = len(np.unique(rgb[..., 0][(rgb[..., 0] == rgb[..., 1]) & (rgb[..., 1] == rgb[..., 2])]))
    coloured = int(((rgb[..., 0] != rgb[..., 1]) | (rgb[..., 1] != rgb[..., 2])).sum())
    x, y = p.page.evaluate("(() => { const q = traverseMap.map.latLngToContainerPoint("
                           "traverseMap.stations[0].getLatLng());"
                           " return [Math.round(q.x), Math.round(q.y)]; })()")
    r, g, b = rgb[y, x]
    assert not (r == g == b), (x, y, rgb[y, x])  # the first station's colour where the map draws it
    assert grey_levels > 50 and coloured > 1000  # the hillshade and the coloured traverse, not blank
    picture.save(sample.with_name("export_test.png"))
    assert p.errors == [] and p.blocked == [] and p.failed == []
    p.page.close()
