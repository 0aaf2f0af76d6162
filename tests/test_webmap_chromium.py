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


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A page whose non-file requests are aborted and recorded (or answered by *serve*)."""

    def __init__(self, browser, html: Path, serve=None):
        self.blocked, self.failed, self.errors, self.served = [], [], [], []
        self.page = browser.new_page(viewport={"width": 1000, "height": 700})
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
        self.page.wait_for_function("window.TraverseMap !== undefined")
        self.page.wait_for_timeout(500)

    def map_state(self):
        return self.page.evaluate(
            "(() => { const m = Object.values(window).find(v => v instanceof L.Map);"
            " return {zoom: m.getZoom(), lat: m.getCenter().lat}; })()"
        )


@pytest.fixture(scope="module")
def html_map(tmp_path_factory):
    out = tmp_path_factory.mktemp("chromium")
    tables = mf.make_traverse(5_000, description="<script>window.PWNED = 1</script>")
    dem = basemaps.write_synthetic_dem(out / "synthetic_dem.tif", center_lon=177.5965,
                                       center_lat=-45.4448, size_m=900)
    return webmap.build_webmap(out / "map.html", basemaps=[dem], **tables)


def test_offline_page_draws_one_path_per_lunar_day(browser, html_map, tmp_path):
    p = Page(browser, html_map)
    assert p.errors == [] and p.failed == [] and p.blocked == []
    for day in (1, 2, 3):
        assert p.page.locator(f"path.lunar-day-{day}").count() == 1
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
            p.page.evaluate(f"Object.values(window).find(v => v instanceof L.Map)"
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
    from folium.utilities import write_png

    tile = write_png(np.full((256, 256, 4), [200, 120, 40, 255], np.uint8))
    src = basemaps.tile_source("moontrek-wac")
    prefix = src["url"].split("{z}")[0]
    with pytest.warns(webmap.LROControlWarning):
        html = webmap.build_webmap(tmp_path / "tiles.html", tiles=["moontrek-wac"],
                                   **mf.make_traverse(100))
    p = Page(browser, html, serve=lambda url: tile if url.startswith(prefix) else None)
    p.page.wait_for_timeout(500)
    assert p.served and p.blocked == [] and p.errors == []
    z, y, x = map(int, re.search(r"/(\d+)/(\d+)/(\d+)\.jpg$", p.served[0]).groups())
    deg = 180 / 2 ** z  # level 0: 2 x 1 tiles over 360 x 180 degrees
    assert z == src["max_level"]
    assert -90 + 0 <= 90 - (y + 1) * deg <= -45.44 <= 90 - y * deg
    assert x * deg - 180 <= 177.6 <= (x + 1) * deg - 180
    p.page.close()
