"""Finding one's way on the map (issue 19, last pieces), in real Chromium on the sample built by the CLI.

The graticule (an overlay, off at load, round degree steps for the zoom,
labelled); the search box (a product id, full or a unique short form, or a
"lon, lat"); the product links (label by relative path, source URL from the
fetch manifest; station <-> its day's row); the compact product list.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tests.test_webmap_chromium import Page
from traverse.cli import main

pytestmark = pytest.mark.chromium


PORTAL = "https://moon.example.org/ce4"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The synthetic sample (archive folder ce4/ beside maps/), built by the CLI: the HTML map.

    A ``traverse fetch`` manifest in ce4/ says where the PCAM labels came from (the others: unknown).
    """
    import pandas as pd

    tmp = tmp_path_factory.mktemp("finding")
    assert main(["sample", str(tmp / "ce4"), "-q"]) == 0
    labels = sorted((tmp / "ce4").rglob("*PCAM*.2BL"))
    rel = [p.relative_to(tmp / "ce4").as_posix() for p in labels]
    pd.DataFrame({"url": [f"{PORTAL}/{r}" for r in rel], "path": rel, "bytes": 1, "status": "fetched",
                  "reason": "", "time_utc": ""}).to_csv(tmp / "ce4" / "fetch_manifest.csv", index=False)
    assert main(["build", str(tmp / "ce4"), "-o", str(tmp / "maps" / "s"), "--science", "none", "-q"]) == 0
    return tmp / "maps" / "s.html"


def _payload(html):
    from tests import map_fixtures as mf

    return mf.page_payload(html.read_text(encoding="utf-8"))


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


def _search(p, text):
    p.page.locator("input.traverse-search").fill(text)
    return p.page.locator(".traverse-search-hit")


def test_search_finds_a_product_by_id_tail_or_short_form_and_opens_what_holds_it(browser, sample):
    import pyogrio

    stations = pyogrio.read_dataframe(sample.with_suffix(".gpkg"), layer="stations")
    table = _payload(sample)["products"]
    k = 3  # the station's fourth product
    pid = stations["products"].iloc[k].split(";")[0]
    p = Page(browser, sample)
    short = p.page.evaluate("(id) => TraverseMap.shortProductId(id)", pid)
    assert short != pid and len(short) < len(pid) / 1.5  # e.g. PCAML-C-000 0004 2019-02-01 ...
    for query in (pid, pid[-24:], short, short.lower().replace(" ", "  ")):
        hits = _search(p, query)
        assert hits.count() == 1, (query, hits.all_inner_texts())
        assert hits.first.inner_text() == f"product {short}"
    hits.first.click()
    popup = p.page.locator(".leaflet-popup-content").last
    assert popup.locator("b").first.inner_text() == f"Station {stations['station_id'].iloc[k]}"
    marked = popup.locator(".traverse-product.traverse-product-hit")
    assert marked.count() == 1 and marked.get_attribute("title") == pid
    assert marked.get_attribute("data-product") == str(table["ids"].index(pid))
    assert p.page.evaluate(f"traverseMap.map.getBounds().contains(traverseMap.stations[{k}].getLatLng())")
    # a product no station lists (the lander's camera): its frame's wedge opens
    listed = {i for s in stations["products"] for i in s.split(";") if i}
    tcam = next(i for i in table["ids"] if i not in listed)
    _search(p, tcam).first.click()
    assert tcam in p.page.locator(".leaflet-popup-content").last.inner_text()
    assert p.errors == [] and p.blocked == []
    p.page.close()


def test_search_goes_to_a_lon_lat_and_says_whether_it_is_in_the_traverse_area(browser, sample):
    import pyogrio

    stations = pyogrio.read_dataframe(sample.with_suffix(".gpkg"), layer="stations")
    lon, lat = stations["lon"].iloc[2], stations["lat"].iloc[2]
    p = Page(browser, sample)
    for query in (f"{lon:.7f}, {lat:.7f}", f"{lon:.7f}° E {-lat:.7f}° S", f"{lon - 360:.7f};{lat:.7f}"):
        hits = _search(p, query)
        assert hits.count() == 1, query
        text = hits.first.inner_text()
        assert "in the traverse's area, 0.0 m from station 3" in text, (query, text)
        assert text.startswith(f"{lon:.6f}° E, {-lat:.6f}° S (Moon)")
    hits.first.click()
    got = p.page.evaluate("(() => { const m = traverseMap.searchMarker.getLatLng(), map = traverseMap.map;"
                          " return [m.lat, m.lng, map.latLngToContainerPoint(m).distanceTo("
                          "map.getSize().divideBy(2))]; })()")
    assert got[:2] == pytest.approx([lat, lon], abs=1e-7) and got[2] < 1.0  # the marker, in the middle
    assert p.page.locator("path.traverse-search-marker").count() == 1
    far = _search(p, "177.5, -45.3").first.inner_text()  # about 5 km north-west
    assert "outside the traverse's area" in far and re.search(r", [\d.]+ km from station \d+$", far), far
    _search(p, "177.5, -45.3").first.click()
    assert p.page.locator("path.traverse-search-marker").count() == 1  # one marker: the last place
    none = _search(p, "no such thing")
    assert none.count() == 0
    assert p.page.locator(".traverse-search-none").inner_text().startswith('nothing matches "no such thing"')
    assert p.errors == [] and p.blocked == []
    p.page.close()


def test_popup_lists_products_compactly_with_label_and_source_links_and_a_copy_button(browser, sample):
    from urllib.parse import unquote, urljoin, urlparse

    import pyogrio

    stations = pyogrio.read_dataframe(sample.with_suffix(".gpkg"), layer="stations")
    k = 1
    ids = [i for i in stations["products"].iloc[k].split(";") if i]
    p = Page(browser, sample)
    p.page.evaluate(f"traverseMap.stations[{k}].openPopup()")
    popup = p.page.locator(".leaflet-popup-content").last
    rows = popup.locator(".traverse-product")
    assert [rows.nth(i).get_attribute("title") for i in range(rows.count())] == ids
    shorts = popup.locator(".traverse-product-id").all_inner_texts()
    assert all(len(s) <= 40 for s in shorts) and len(set(shorts)) == len(ids)
    # the description the products share, once (not once per product)
    assert popup.locator(".traverse-note").count() == 1
    assert popup.locator(".traverse-shared-note").inner_text().startswith("SYNTHETIC product")
    for i, pid in enumerate(ids):
        href = rows.nth(i).locator("a.traverse-label-link").get_attribute("href")
        assert not href.startswith(("/", "file:"))  # relative to the page
        label = Path(unquote(urlparse(urljoin(sample.as_uri(), href)).path))
        assert label.is_file() and label.name == pid + "L"
        source = rows.nth(i).locator("a.traverse-source-link")
        if "PCAM" in pid:  # the manifest lists the PCAM labels
            rel = label.relative_to(sample.parent.parent / "ce4").as_posix()
            assert source.get_attribute("href") == f"{PORTAL}/{rel}"
        else:
            assert source.count() == 0
    # copy: the full id through navigator.clipboard, else through a selected text area
    p.page.evaluate("window.copied = []; navigator.clipboard.writeText ="  # '; 0': a function would be called
                    " t => { window.copied.push(t); return Promise.resolve(); }; 0")
    rows.nth(0).locator(".traverse-copy").click()
    assert p.page.evaluate("window.copied") == [ids[0]]
    assert rows.nth(0).locator(".traverse-copy").inner_text() == "copied"
    p.page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined}); document"
                    ".addEventListener('copy', e => window.copied.push(document.activeElement.value))")
    rows.nth(1).locator(".traverse-copy").click()
    assert p.page.evaluate("window.copied") == [ids[0], ids[1]]
    assert p.errors == [] and p.blocked == []
    p.page.close()


#: Each thumbnail inside its strip's and its popup's visible box (nothing hidden by an overflow).
IN_STRIP = """() => [...document.querySelectorAll('.leaflet-popup-content .traverse-strip img')].map(e => {
  const r = e.getBoundingClientRect(), s = e.closest('.traverse-strip').getBoundingClientRect(),
        c = e.closest('.leaflet-popup-content').getBoundingClientRect();
  return r.width > 40 && [s, c].every(b => r.left >= b.left && r.right <= b.right && r.top >= b.top
                                          && r.bottom <= b.bottom);
})"""


def test_every_thumbnail_of_a_popup_strip_can_be_seen(browser, sample):
    p = Page(browser, sample)
    counts = p.page.evaluate("traverseMap.stations.map(m => (m._info.popup.match(/<img /g) || []).length)")
    k = max(range(len(counts)), key=counts.__getitem__)
    assert counts[k] >= 6
    p.page.evaluate(f"traverseMap.stations[{k}].openPopup()")
    p.page.wait_for_timeout(500)  # the popup pans into view
    p.page.wait_for_function("[...document.querySelectorAll('.leaflet-popup-content .traverse-strip img')]"
                             ".every(i => i.complete)")
    assert p.page.evaluate(IN_STRIP) == [True] * counts[k]  # wrapped: none past a scroll edge
    strip = p.page.locator(".leaflet-popup-content .traverse-strip")
    assert strip.evaluate("s => s.scrollWidth <= s.clientWidth && s.scrollHeight <= s.clientHeight")
    assert p.errors == []
    p.page.close()


def test_station_popup_links_to_its_day_row_and_the_row_back_to_its_stations(browser, sample):
    import pyogrio

    stations = pyogrio.read_dataframe(sample.with_suffix(".gpkg"), layer="stations")
    k = 5
    day = int(stations["lunar_day"].iloc[k])
    p = Page(browser, sample)  # 1000 x 700: the per-day panel starts collapsed
    body = p.page.locator(".traverse-days-panel .traverse-panel-body")
    assert not body.is_visible()
    p.page.evaluate(f"traverseMap.stations[{k}].openPopup()")
    link = p.page.locator(".leaflet-popup-content .traverse-day-link").last
    assert link.inner_text() == f"lunar day {day}"
    link.click()
    row = p.page.locator(".traverse-days-panel tr.traverse-day-row-hit")
    assert body.is_visible() and row.count() == 1 and row.get_attribute("data-day") == str(day)
    assert row.evaluate("r => { const a = r.getBoundingClientRect(), b = r.closest('.traverse-days-panel')"
                        ".getBoundingClientRect(); return a.top >= b.top && a.bottom <= b.bottom; }")
    # back: the day's stations selected and in view, also from a time before the day
    p.page.evaluate("traverseMap.setTime(Number(document.querySelector('.traverse-slider').min))")
    row.locator(".traverse-day-stations").click()
    want = stations.loc[stations["lunar_day"] == day, "station_id"].astype(str).tolist()
    assert int(row.locator(".traverse-day-stations").inner_text()) == len(want)
    selected = p.page.evaluate("[...document.querySelectorAll('path.traverse-selected')].map(e =>"
                               " e.getAttribute('class').match(/traverse-station-(\\d+)/)[1])")
    assert [str(stations["station_id"].iloc[int(i)]) for i in selected] == want
    assert set(want) <= set(p.page.evaluate("traverseMap.visibleStations()"))
    inside = p.page.evaluate("(ids) => traverseMap.stations.filter(m => ids.includes(String(m._info.id)))"
                             ".every(m => traverseMap.map.getBounds().contains(m.getLatLng()))", want)
    assert inside
    assert p.errors == []
    p.page.close()
