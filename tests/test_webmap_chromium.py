"""The web map in real headless Chromium with the network cut: drawing, popups, lunar scale bar."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

from layers import basemaps, webmap
from tests import map_fixtures as mf
from traverse import geodesy

pytestmark = pytest.mark.chromium

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def _require_chromium():
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "python playwright is not installed (pip install playwright)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"required under CI=true: {missing}")
        pytest.skip(missing)


class Page:
    """A page whose non-file requests are aborted and recorded (or answered by *serve*)."""

    def __init__(self, browser, html: Path, serve=None, viewport=None):
        self.blocked, self.failed, self.errors, self.served = [], [], [], []
        self.page = browser.new_page(viewport=viewport or {"width": 1000, "height": 700})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            elif serve is not None and serve(url) is not None:
                self.served.append(url)
                r.fulfill(status=200, content_type="image/png", body=serve(url))
            else:
                self.blocked.append(url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(html.as_uri())
        self.page.wait_for_function("window.traverseMap !== undefined")
        self.page.wait_for_timeout(500)

    def map_state(self):
        return self.page.evaluate(
            "(() => { const m = traverseMap.map;"
            " return {zoom: m.getZoom(), lat: m.getCenter().lat}; })()"
        )


@pytest.fixture(scope="module")
def html_map(tmp_path_factory):
    out = tmp_path_factory.mktemp("chromium")
    tables = mf.make_traverse(5_000, description="<script>window.PWNED = 1</script>")
    dem = basemaps.write_synthetic_dem(out / "synthetic_dem.tif", center_lon=177.5965,
                                       center_lat=-45.4448, size_m=900)
    return webmap.build_webmap(out / "map.html", tables, webmap.MapOptions(basemaps=[dem]))


def test_offline_page_draws_each_drive_in_its_lunar_day(browser, html_map, tmp_path):
    p = Page(browser, html_map)
    assert p.errors == [] and p.failed == [] and p.blocked == []
    drives = mf.make_traverse(5_000)["drives"]
    for day in (1, 2, 3):
        expected = int((drives["lunar_day"] == day).sum())
        assert expected >= 1 and p.page.locator(f"path.lunar-day-{day}").count() == expected
    assert p.page.locator("path.traverse-station").count() == len(mf.STATIONS)
    assert p.page.locator(".traverse-lander-icon").count() == 1
    assert p.page.evaluate("window.PWNED === undefined")
    shot = tmp_path / "map.png"
    p.page.screenshot(path=str(shot))
    png = p.page.screenshot()
    assert len(png) > 20_000  # a blank page compresses to a few kB
    p.page.close()


def test_station_popup_opens_with_its_text(browser, html_map):
    p = Page(browser, html_map)
    p.page.locator("path.traverse-station-4").click()
    popup = p.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Station S05" in text and "lunar day 2" in text and "Driven so far" in text
    assert "CE4_GRAS_PCAML-C-S05_SCI_N_00_A.2B" in text
    assert "<script>window.PWNED = 1</script>" in text  # shown as text, not run
    assert p.page.evaluate("window.PWNED === undefined")
    assert p.errors == []
    p.page.close()


def test_scale_bar_measures_lunar_metres(browser, html_map):
    p = Page(browser, html_map)
    for zoom_delta in (0, -2, 3):
        if zoom_delta:
            p.page.evaluate(f"traverseMap.map"
                            f".setZoom({p.map_state()['zoom'] + zoom_delta}, {{animate: false}})")
            p.page.wait_for_timeout(200)
        state = p.map_state()
        line = p.page.locator(".leaflet-control-scale-line").first
        label = line.inner_text()
        width_px = float(line.evaluate("e => e.getBoundingClientRect().width"))
        metres = float(re.match(r"([\d.]+)", label).group(1)) * (1000 if "km" in label else 1)
        expected = (2 * math.pi * geodesy.MOON_RADIUS_M * math.cos(math.radians(state["lat"]))
                    / (256 * 2 ** state["zoom"]))
        # .leaflet-control-scale-line is border-box: its rendered width is the bar's length
        got = metres / width_px
        assert got == pytest.approx(expected, rel=0.01), (label, width_px, state)
        assert got * 3 < expected * 6378137 / geodesy.MOON_RADIUS_M  # not Earth metres
    p.page.close()


def test_square_drive_is_drawn_square(browser, html_map):
    p = Page(browser, html_map)
    box = p.page.locator(f"path.traverse-drive-{mf.SQUARE_DRIVE_INDEX}").bounding_box()
    assert box["width"] > 20
    assert box["width"] / box["height"] == pytest.approx(1.0, rel=0.03)
    p.page.close()


def test_equirectangular_tiles_load_and_stay_the_only_requests(browser, tmp_path):
    """Moon Trek tiles are requested on the plate-carree grid; answered here by a local PNG."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (256, 256), (200, 120, 40, 255)).save(buf, format="PNG")
    tile = buf.getvalue()
    src = basemaps.tile_source("moontrek-wac")
    prefix = src["url"].split("{z}")[0]
    with pytest.warns(webmap.LROControlWarning):
        html = webmap.build_webmap(tmp_path / "tiles.html", mf.make_traverse(100),
                                   webmap.MapOptions(tiles=["moontrek-wac"]))
    p = Page(browser, html, serve=lambda url: tile if url.startswith(prefix) else None)
    p.page.wait_for_timeout(500)
    assert p.served and p.blocked == [] and p.errors == []
    z, y, x = map(int, re.search(r"/(\d+)/(\d+)/(\d+)\.jpg$", p.served[0]).groups())
    deg = 180 / 2 ** z  # level 0: 2 x 1 tiles over 360 x 180 degrees
    assert z == src["max_level"]
    assert -90 + 0 <= 90 - (y + 1) * deg <= -45.44 <= 90 - y * deg
    assert x * deg - 180 <= 177.6 <= (x + 1) * deg - 180
    p.page.close()


def _haversine(a, b, radius):
    (lat1, lon1), (lat2, lon2) = (np.radians(a), np.radians(b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * radius * math.asin(math.sqrt(h))


def test_measure_tool_gives_lunar_metres(browser, html_map, tmp_path):
    """Ruler: click lander -> S05 -> S09 (through their markers); total = lunar geodesic."""
    lander = mf.make_lander().geometry.iloc[0]
    st = mf.make_stations().set_index("station_id").geometry
    pts = [(lander.y, lander.x), (st["S05"].y, st["S05"].x), (st["S09"].y, st["S09"].x)]
    geod = geodesy.MOON.get_geod()
    lunar = sum(geod.inv(a[1], a[0], b[1], b[0])[2] for a, b in zip(pts[:-1], pts[1:], strict=True))
    earth = sum(_haversine(a, b, 6_371_008.8) for a, b in zip(pts[:-1], pts[1:], strict=True))
    assert lunar > 250 and earth / lunar > 3.5

    p = Page(browser, html_map)
    total = p.page.locator(".traverse-measure-total")
    toggle = p.page.locator(".traverse-measure-toggle")
    assert total.is_hidden()
    toggle.click()
    assert total.is_visible() and toggle.get_attribute("aria-pressed") == "true"
    box = p.page.locator(".leaflet-container").bounding_box()
    xy = p.page.evaluate(
        "pts => { const m = traverseMap.map;"
        " return pts.map(q => { const c = m.latLngToContainerPoint(q); return [c.x, c.y]; }); }",
        [list(q) for q in pts])
    for x, y in xy:
        assert 60 < x < box["width"] - 60 and 60 < y < box["height"] - 60  # clear of controls
        p.page.mouse.click(box["x"] + x, box["y"] + y)
        p.page.wait_for_timeout(100)
    got = float(total.get_attribute("data-metres"))
    assert got == pytest.approx(lunar, rel=0.01)
    assert abs(got - earth) > 0.1 * earth  # Leaflet's default Earth CRS would give ~3.67x
    assert "2 segments" in total.inner_text() and f"{got:.1f} m" in total.inner_text()
    assert p.page.locator("path.traverse-measure-line").count() == 1
    assert p.page.locator(".leaflet-popup").count() == 0  # clicks measured, popups stayed shut
    p.page.mouse.move(box["x"] + xy[0][0], box["y"] + xy[0][1])  # rubber band back to the lander
    p.page.screenshot(path=str(tmp_path / "measure.png"))

    p.page.keyboard.press("Escape")
    assert total.is_hidden() and total.get_attribute("data-metres") is None
    assert p.page.locator("path.traverse-measure-line").count() == 0
    toggle.click()
    p.page.mouse.click(box["x"] + xy[0][0], box["y"] + xy[0][1])
    assert float(total.get_attribute("data-metres")) == 0.0
    toggle.click()  # second click on the button ends it too
    assert total.is_hidden() and toggle.get_attribute("aria-pressed") == "false"
    p.page.locator("path.traverse-station-4").click()  # features are clickable again
    p.page.locator(".leaflet-popup-content").wait_for()
    assert p.errors == [] and p.failed == [] and p.blocked == []
    p.page.close()
