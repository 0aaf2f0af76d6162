"""Finding one's way on the map (issue 19, last pieces), in real Chromium on the sample built by the CLI.

The graticule (an overlay, off at load, round degree steps for the zoom,
labelled); the search box (a product id, full or a unique short form, or a
"lon, lat"); the product links (label by relative path, source URL from the
fetch manifest; station <-> its day's row); the compact product list.
"""

from __future__ import annotations

import math
import re

import pytest

from tests.test_webmap_chromium import Page
from traverse.cli import main

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The synthetic sample (archive folder ce4/ beside maps/), built by the CLI: the HTML map."""
    tmp = tmp_path_factory.mktemp("finding")
    assert main(["sample", str(tmp / "ce4"), "-q"]) == 0
    assert main(["build", str(tmp / "ce4"), "-o", str(tmp / "maps" / "s"), "--science", "none", "-q"]) == 0
    return tmp / "maps" / "s.html"


def _is_round(step: float) -> bool:
    mant = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(abs(mant - k) < 1e-6 for k in (1, 2, 5))


GRATICULE = """() => {
  const g = traverseMap.graticule, lines = [], b = traverseMap.map.getBounds();
  if (!g || !g._map) return null;
  g._group.eachLayer(l => {
    if (l instanceof L.Polyline) lines.push(l.getLatLngs().map(q => [q.lat, q.lng])); });
  return {step: g.step, lines: lines, bounds: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()],
          lon: [...document.querySelectorAll('.traverse-graticule-lon')].map(e => e.textContent),
          lat: [...document.querySelectorAll('.traverse-graticule-lat')].map(e => e.textContent)};
}"""


def _label_value(text: str, pos: str, neg: str) -> float:
    m = re.fullmatch(rf"([\d.]+)° ([{pos}{neg}])", text)
    assert m, text
    return float(m[1]) * (1 if m[2] == pos else -1)


def _check_graticule(got: dict) -> None:
    step, (south, west, north, east) = got["step"], got["bounds"]
    assert _is_round(step), step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    meridians = sorted(line[0][1] for line in got["lines"] if line[0][1] == line[1][1])
    parallels = sorted(line[0][0] for line in got["lines"] if line[0][0] == line[1][0])
    assert len(meridians) + len(parallels) == len(got["lines"])
    # the step fits the zoom: at most 5 lines over the smaller span, at least 2 over it
    assert 2 <= min(len(meridians), len(parallels)) <= 5, (step, len(meridians), len(parallels))
    for values, lo, hi in ((meridians, west, east), (parallels, south, north)):
        assert all(lo <= v <= hi for v in values)
        assert all(abs(v / step - round(v / step)) < 1e-6 for v in values)
        assert values[0] - lo < step + 1e-12 and hi - values[-1] < step + 1e-12  # none missing
    # each line labelled with its value, the step's decimals, E/W and N/S
    half = 10 ** -decimals / 2
    assert [_label_value(t, "E", "W") for t in got["lon"]] == pytest.approx(meridians, abs=half)
    assert [_label_value(t, "N", "S") for t in got["lat"]] == pytest.approx(parallels, abs=half)
    assert all(len(t.split("°")[0].split(".")[-1]) == decimals for t in got["lon"] + got["lat"] if decimals)


def test_graticule_is_an_overlay_off_at_load_with_round_labelled_lines_for_the_zoom(browser, sample):
    p = Page(browser, sample, viewport={"width": 1400, "height": 900})
    assert p.page.locator(".traverse-graticule-line").count() == 0
    toggle = p.page.locator(".leaflet-control-layers label", has_text="Graticule (lon/lat on Moon)")
    assert not toggle.locator("input").is_checked()
    toggle.locator("input").click()
    wide = p.page.evaluate(GRATICULE)
    _check_graticule(wide)
    assert all(t.endswith("E") for t in wide["lon"]) and all(t.endswith("S") for t in wide["lat"])
    assert p.page.locator("path.traverse-graticule-line").count() == len(wide["lines"])
    p.page.evaluate("traverseMap.map.setZoom(traverseMap.map.getZoom() + 3, {animate: false})")
    p.page.wait_for_timeout(200)
    close = p.page.evaluate(GRATICULE)
    _check_graticule(close)
    assert close["step"] <= wide["step"] / 5  # 8x the zoom: a finer round step, more decimals
    # the lines are no features: the export leaves them out
    layers = {f["properties"]["layer"] for f in p.page.evaluate("traverseMap.exportGeoJSON()")["features"]}
    assert not any("Graticule" in name for name in layers)
    toggle.locator("input").click()
    assert p.page.locator(".traverse-graticule-line").count() == 0
    assert p.errors == [] and p.blocked == []
    p.page.close()
