"""Science on the map in real Chromium, network cut: the real LPR-1 radargram strip and VNIS-SD spectrum."""

from __future__ import annotations

import json

import numpy as np
import pyogrio
import pytest

from layers.science_map import radar_strip_html, spectra_payload
from tests.test_webmap_chromium import Page
from traverse.geodesy import LANDER_LABEL, lonlat_to_enu

SD = "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2B"


@pytest.fixture(scope="module")
def built(ce4_build):
    return ce4_build


@pytest.fixture(scope="module")
def page(built, browser):
    p = Page(browser, built.with_suffix(".html"))
    yield p
    p.page.close()


def _enu(lon, lat):
    h = np.full(np.size(lon), LANDER_LABEL.height_m)
    e, n, _ = lonlat_to_enu(np.atleast_1d(lon), np.atleast_1d(lat), h, LANDER_LABEL)
    return np.column_stack([e, n])


def _open_drive_popup(page):
    page.page.evaluate("""() => traverseMap.map.eachLayer(l => {
        if (l.options && String(l.options.className).includes('traverse-drive-0')) { l.openPopup(); } })""")
    page.page.wait_for_selector(".traverse-radar img")
    page.page.wait_for_function("document.querySelector('.traverse-radar img').complete")


def _cursor(page):
    return page.page.evaluate("(() => { const c = traverseMap.radarCursor.getLatLng();"
                              " return [c.lng, c.lat, traverseMap.radarAt.trace]; })()")


@pytest.mark.chromium
def test_hovering_a_radargram_column_moves_the_marker_to_its_trace(built, page):
    traces = pyogrio.read_dataframe(built.with_suffix(".gpkg"), layer="radar_traces").sort_values("column")
    _open_drive_popup(page)
    img = page.page.query_selector(".traverse-radar img")
    assert page.page.evaluate("document.querySelector('.traverse-radar img').naturalWidth") == 113  # loaded
    columns = 113  # 5 cm columns over the 5.6 m drive, as the PNG

    def hover(column):
        box = img.bounding_box()  # measured each time: the popup may still be panning into view
        # low on the strip: the cursor readout (top left) may cover its top
        x, y = box["x"] + column / columns * box["width"], box["y"] + 0.9 * box["height"]
        assert page.page.evaluate(f"document.elementFromPoint({x}, {y}).tagName") == "IMG"
        page.page.mouse.move(x, y)

    for _, t in traces.iloc[[0, len(traces) // 2, -1]].iterrows():
        hover(t["column"] + 0.5)
        lon, lat, _ = _cursor(page)
        got, want = _enu(lon, lat), _enu(t.geometry.x, t.geometry.y)
        assert float(np.hypot(*(got - want)[0])) < 0.1  # the GeoPackage's trace of that column, within 0.1 m
    # a transparent column (no trace): the marker goes to the trace shown nearest it, never invented
    hover(2.5)
    lon, lat, _ = _cursor(page)
    first = traces.iloc[0]
    assert float(np.hypot(*(_enu(lon, lat) - _enu(first.geometry.x, first.geometry.y))[0])) < 0.1
    readout = page.page.inner_text(".traverse-radar-readout")
    assert f"record {first['record']}, column {first['column']}" in readout
    assert page.errors == [] and page.blocked == []


@pytest.mark.chromium
def test_hovering_the_drive_moves_the_strip_cursor_to_the_trace(built, page):
    traces = pyogrio.read_dataframe(built.with_suffix(".gpkg"), layer="radar_traces").sort_values("column")
    _open_drive_popup(page)
    t = traces.iloc[len(traces) // 3]
    page.page.evaluate(f"traverseMap.map.setView([{t.geometry.y}, {t.geometry.x}], 24, {{animate: false}})")
    page.page.wait_for_timeout(200)
    xy = page.page.evaluate(f"(() => {{ const p = traverseMap.map.latLngToContainerPoint([{t.geometry.y},"
                            f" {t.geometry.x}]); const b = traverseMap.map.getContainer()"
                            ".getBoundingClientRect(); return [p.x + b.left, p.y + b.top]; })()")
    page.page.mouse.move(*xy)
    lon, lat, i = _cursor(page)
    assert float(np.hypot(*(_enu(lon, lat) - _enu(t.geometry.x, t.geometry.y))[0])) < 0.1
    left = page.page.evaluate("document.querySelector('.traverse-radar-cursor').style.left")
    assert float(left.rstrip("%")) == pytest.approx(100 * (t["column"] + 0.5) / 113, abs=1e-3)  # CSS rounds
    assert page.errors == [] and page.blocked == []


def _open_sd_target(page):
    return page.page.evaluate(f"""() => {{ let n = 0; traverseMap.map.eachLayer(l => {{
        if (n === 0 && l.options && String(l.options.className).includes('traverse-target')
            && l.getPopup && l.getPopup()) {{
          l.openPopup();
          if (document.querySelector('.traverse-spectrum[data-product="{SD}"]')) {{ n = 1; }}
        }} }}); return n; }}""")


@pytest.mark.chromium
def test_target_popup_plots_the_300_channel_spectrum_and_compares(built, page):
    assert _open_sd_target(page) == 1
    line = page.page.wait_for_selector(f".traverse-spectrum polyline[data-product='{SD}']")
    points = line.get_attribute("points").split()
    assert len(points) == 300  # one vertex per channel
    xs = [float(p.split(",")[0]) for p in points]
    assert xs == sorted(xs)  # in wavelength order
    text = page.page.inner_text(".traverse-spectrum")
    assert "900 nm" in text and "2395 nm" in text and "level 2B Calibrated" in text
    # compare: this target and a second spectrum (scaled copy) in one chart, one line each
    page.page.evaluate(f"""() => {{ const s = traverseMap.spectra.byProduct['{SD}'];
        const twin = Object.assign({{}}, s, {{product: 'second target', value: s.value.map(v => v * 0.8)}});
        traverseMap.spectra.list.push(twin); traverseMap.spectra.byProduct['second target'] = twin;
        TraverseMap.compareSpectrum(traverseMap, 'second target', true); }}""")
    page.page.evaluate("document.querySelector('.traverse-spectrum-compare input').click()")  # under a panel
    lines = page.page.query_selector_all(".traverse-spectra-chart polyline")
    assert sorted(x.get_attribute("data-product") for x in lines) == sorted([SD, "second target"])
    assert all(len(x.get_attribute("points").split()) == 300 for x in lines)
    assert page.errors == [] and page.blocked == []


def test_strip_and_spectrum_payloads_escape_and_keep_units():
    import pandas as pd

    rg = pd.DataFrame([{"drive_id": 3, "product": "<script>x</script>", "radargram": "N_files/radar/'a.png",
                        "columns": 10, "samples": 100, "spacing_m": 0.05, "length_m": 0.45,
                        "interval_ns": 2.5, "permittivity": 3.0, "processing": "dewow"}])
    html = radar_strip_html(rg, 3)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&#x27;a.png" in html
    assert "0 → 0.45 m along the drive" in html and "two-way time 0–248 ns" in html  # 99 × 2.5 ns
    assert "depth 0–21 m at ε = 3" in html  # 0.2998 × 247.5 / 2 / √3
    assert radar_strip_html(rg, 4) == ""
    spec = pd.DataFrame({"product_id": "p", "wavelength_nm": [905.0, 900.0], "value": [2.0, float("nan")],
                         "unit": "", "level": "2B"})
    out = spectra_payload(spec)["spectra"][0]
    assert out["wavelength_nm"] == [900.0, 905.0] and out["value"] == [None, 2.0]
    json.dumps(out, allow_nan=False)
