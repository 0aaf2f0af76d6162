"""The map's JS modules in real Chromium: every asset parses, and their geometry matches known numbers.

* Syntax: each ``layers/assets/traverse-*.js`` is compiled by Chromium's parser
  (``new Function(source)``); a deliberately broken copy must fail, so the check
  is real.
* Wedges: the page draws "What the rover saw" from the payload's named columns
  (apex, azimuth, field of view, length); on the synthetic sample (162 wedges:
  PCAM, VNIS, TCAM) every vertex lies within 1 cm of the GeoPackage's ``views``
  polygon.
* Regridder: ``TraverseMap.EquirectTiles`` (plate-carrée WMTS tiles redrawn
  into the body's Mercator grid) puts a known lon/lat at the Mercator pixel
  computed here from the formulas, within 0.05 px, at zooms 3-18.
* Payload: the sample's payload carries the stations, drives and views of the
  GeoPackage value for value.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pyogrio
import pytest

from layers import page, timeline
from layers.payload import map_payloads
from tests import map_fixtures as mf
from tests.test_webmap_chromium import Page
from traverse import geodesy
from traverse.cli import main

pytestmark = pytest.mark.chromium

ASSETS = page.ASSETS
COMPILE = ("(src) => { try { new Function(src); return null; }"
           " catch (e) { return e.name + ': ' + e.message; } }")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The synthetic sample built by the CLI: (GeoPackage, HTML map)."""
    tmp = tmp_path_factory.mktemp("modules_sample")
    assert main(["sample", str(tmp / "ce4"), "-q"]) == 0
    assert main(["build", str(tmp / "ce4"), "-o", str(tmp / "s"), "-q", "--images", "none"]) == 0
    return tmp / "s.gpkg", tmp / "s.html"


def _compile_errors(browser, sources: dict[str, str]) -> dict[str, str]:
    tab = browser.new_page()
    try:
        found = {name: tab.evaluate(COMPILE, src) for name, src in sources.items()}
    finally:
        tab.close()
    return {name: err for name, err in found.items() if err is not None}


def test_every_module_is_loaded_by_the_page():
    on_disk = sorted(p.name for p in ASSETS.glob("traverse-*.js"))
    assert on_disk == sorted(page.MODULES)


def test_every_js_asset_parses_and_a_broken_copy_does_not(browser):
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(ASSETS.glob("*.js"))}
    assert len(sources) == len(page.MODULES) + 1  # and Leaflet
    assert _compile_errors(browser, sources) == {}
    good = sources["traverse-time.js"]
    broken = {"missing brace": good.replace("});\n", "};\n", 1),
              "stray token": good.replace("'use strict';", "'use strict'; var = 1;", 1)}
    errors = _compile_errors(browser, broken)
    assert set(errors) == set(broken) and all(e.startswith("SyntaxError") for e in errors.values())


def test_wedges_drawn_by_the_page_match_the_geopackage_within_1_cm(browser, sample):
    gpkg, html = sample
    views = pyogrio.read_dataframe(gpkg, layer="views")
    assert len(views) > 100 and set(views["instrument"]) == {"PCAM", "VNIS", "TCAM"}
    p = Page(browser, html)
    assert p.errors == [] and p.blocked == []
    drawn = p.page.evaluate(
        "(() => { const out = []; traverseMap.map.eachLayer(l => {"
        " if (l instanceof L.Polygon && l.options.className === 'traverse-view')"
        " out.push(l.getLatLngs()[0].map(q => [q.lng, q.lat])); }); return out; })()")
    p.page.close()
    assert len(drawn) == len(views)
    worst = 0.0
    for ring, wedge in zip(drawn, views.geometry, strict=True):
        expected = np.asarray(wedge.exterior.coords)[:-1]
        got = np.asarray(ring)
        assert got.shape == expected.shape
        d_lat = np.radians(got[:, 1] - expected[:, 1])
        d_lon = np.radians(got[:, 0] - expected[:, 0]) * np.cos(np.radians(expected[:, 1]))
        worst = max(worst, float(np.hypot(d_lat, d_lon).max() * geodesy.MOON_RADIUS_M))
    assert worst < 0.01, worst


def _mercator_px(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Global pixel of lon/lat at zoom z in the 256-px XYZ grid (any sphere: the scale cancels)."""
    size = 256 * 2 ** z
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return size * (lon + 180) / 360, size * (0.5 - y / (2 * math.pi))


REGRID = """([lon, lat, z]) => {
  const map = traverseMap.map, layer = new TraverseMap.EquirectTiles({url: '', maxLevel: 7});
  layer._map = map;
  const p = map.project([lat, lon], z), nw = p.divideBy(256).floor().multiplyBy(256);
  const nwLL = map.unproject(nw, z), seLL = map.unproject(nw.add([256, 256]), z);
  const tiles = layer.sourceTiles(nwLL, seLL, z);
  const deg = tiles[0].deg, col = Math.floor((lon + 180) / deg), row = Math.floor((90 - lat) / deg);
  const src = tiles.find(t => t.row === row && t.col === col);
  const u = ((lon + 180) / deg - col) * 256, v = ((90 - lat) / deg - row) * 256;
  const calls = [];
  layer.drawSource({drawImage: (...a) => calls.push(a)}, {width: 256, height: 256}, src, nw,
                   z, L.point(256, 256));
  const c = calls.find(a => a[2] <= v && v <= a[2] + a[4]);
  return {x: nw.x + c[5] + u / 256 * c[7], y: nw.y + c[6] + (v - c[2]) / c[4] * c[8],
          level: src.z, row: src.row, x_index: src.x, n: tiles.length};
}"""


@pytest.mark.parametrize("lon, lat", [(177.5991, -45.4446), (-179.9, 60.0), (0.3, 0.2), (109.9, 25.1)])
def test_equirectangular_regridder_puts_lonlat_on_its_mercator_pixel(browser, tmp_path, lon, lat):
    html = page.write_page(tmp_path / "m.html", map_payloads(mf.make_traverse(50)))
    p = Page(browser, html)
    for z in (3, 8, 12, 18):
        got = p.page.evaluate(REGRID, [lon, lat, z])
        x, y = _mercator_px(lon, lat, z)
        assert got["x"] == pytest.approx(x, abs=0.05) and got["y"] == pytest.approx(y, abs=0.05), (z, got)
        level = min(7, z - 1)
        deg = 180 / 2 ** level
        assert got["level"] == level and got["row"] == int((90 - lat) // deg)
        assert got["x_index"] == int((lon + 180) // deg) % (2 ** (level + 1))
    assert p.errors == []
    p.page.close()


def test_sample_payload_carries_the_geopackage_values(sample):
    gpkg, html = sample
    payload = mf.page_payload(html.read_text(encoding="utf-8"))
    stations = pyogrio.read_dataframe(gpkg, layer="stations")
    drawn = mf.layer_data(payload, "stations")
    assert [s["id"] for s in drawn] == stations["station_id"].astype(str).tolist()
    np.testing.assert_allclose([s["latlng"] for s in drawn], np.c_[stations.geometry.y, stations.geometry.x],
                               atol=1e-12)
    assert [s["day"] for s in drawn] == stations["lunar_day"].tolist()
    assert [s["t"] for s in drawn] == [timeline.ms(t) for t in stations["first_utc"]]
    drives = pyogrio.read_dataframe(gpkg, layer="drives")
    drives = drives[drives["kind"] == "drive"]
    lines = mf.layer_data(payload, "drives")
    assert len(lines) == len(drives) == 24
    for line, geom in zip(lines, drives.geometry, strict=True):
        np.testing.assert_allclose(np.asarray(line["latlngs"])[:, ::-1], np.asarray(geom.coords), atol=6e-9)
    assert [d["inferred"] for d in lines] == (drives["source"] == "inferred").tolist()
    seen = mf.layer_data(payload, "views")
    views = pyogrio.read_dataframe(gpkg, layer="views")
    w = seen["wedges"]
    assert [payload["products"]["ids"][k] for k in w["product"]] == views["product_id"].tolist()
    assert [seen["instruments"][k] for k in w["instrument"]] == views["instrument"].tolist()
    assert [seen["sources"][k] for k in w["source"]] == views["view_source"].tolist()
    np.testing.assert_allclose(w["azimuth_deg"], views["view_azimuth_deg"], atol=0.005)
    np.testing.assert_allclose(w["fov_deg"], views["hfov_deg"], atol=0.005)
    np.testing.assert_allclose(w["length_m"], views["length_m"], atol=0.0005)
    apex = np.array([np.asarray(g.exterior.coords)[0] for g in views.geometry])
    np.testing.assert_allclose(np.c_[w["lng"], w["lat"]], apex, atol=5e-8)
    assert payload["body"]["radius_m"] == geodesy.MOON_RADIUS_M


SLIDE = ("(t) => { const s = document.querySelector('.traverse-slider'); s.value = t;"
         " s.dispatchEvent(new Event('input')); return Number(s.value); }")


def test_what_the_rover_saw_follows_the_time_control(browser, sample):
    """At three slider times the page shows exactly the wedges and targets whose frame time has come."""
    gpkg, html = sample
    views = pyogrio.read_dataframe(gpkg, layer="views")
    targets = pyogrio.read_dataframe(gpkg, layer="targets")
    v_ms = np.array([timeline.ms(t) for t in views["time_utc"]])
    t_ms = np.array([timeline.ms(t) for t in targets["time_utc"]])
    p = Page(browser, html)
    step = 60_000  # the slider's step: pick times on it
    start = p.page.evaluate("Number(document.querySelector('.traverse-slider').min)")
    times = [start + (int(q) - start) // step * step for q in np.quantile(v_ms, [0.2, 0.5, 0.8])]
    counts = []
    for t in times:
        assert p.page.evaluate(SLIDE, t) == t
        shown = {c: p.page.locator(f"path.{c}:not(.traverse-hidden)").count()
                 for c in ("traverse-view", "traverse-target-line", "traverse-target")}
        assert shown["traverse-view"] == int((v_ms <= t).sum()), t
        assert shown["traverse-target-line"] == shown["traverse-target"] == int((t_ms <= t).sum()), t
        counts.append(shown["traverse-view"])
    assert 0 < counts[0] < counts[1] < counts[2] < len(views)
    assert p.errors == []
    p.page.close()


def _parse_lonlat(text: str) -> tuple[float, float, str]:
    """(lon east, lat north, body) of '177.585544° E, 45.440391° S (Moon)'."""
    m = re.fullmatch(r"([\d.]+)° ([EW]), ([\d.]+)° ([NS]) \((\w+)\)", text.strip())
    assert m, text
    lon = float(m[1]) * (1 if m[2] == "E" else -1)
    return lon, float(m[3]) * (1 if m[4] == "N" else -1), m[5]


def test_popups_and_readout_give_lon_lat(browser, sample):
    """Station popups give the GeoPackage's lon/lat (1e-6°) beside lander ENU; lander, wedge and
    target popups too; the cursor readout shows lon/lat and lander E/N after a mouse move."""
    gpkg, html = sample
    stations = pyogrio.read_dataframe(gpkg, layer="stations")
    lander = pyogrio.read_dataframe(gpkg, layer="lander")
    p = Page(browser, html)
    readout = p.page.locator(".traverse-readout")
    assert "move the mouse" in readout.inner_text()
    for i in (0, len(stations) // 2, len(stations) - 1):
        p.page.evaluate(f"traverseMap.stations[{i}].openPopup()")
        popup = p.page.locator(".leaflet-popup-content").last  # the one closing may linger
        lon, lat, body = _parse_lonlat(popup.locator(".traverse-lonlat").inner_text())
        assert body == "Moon" and lat < 0
        assert abs(lon - stations["lon"].iloc[i]) <= 1e-6 and abs(lat - stations["lat"].iloc[i]) <= 1e-6
        assert f"{stations['x_east_m'].iloc[i]:.1f} E" in popup.inner_text()
    p.page.evaluate("traverseMap.map.eachLayer(l => { if (l.options.title) l.openPopup(); })")
    text = p.page.locator(".leaflet-popup-content").last.inner_text()
    assert text.count("Chang'e-4 lander") == 1 and "−" not in text and "-45" not in text
    lon, lat, _ = _parse_lonlat(p.page.locator(".leaflet-popup-content .traverse-lonlat").last.inner_text())
    assert abs(lon - lander["lon"].iloc[0]) <= 1e-6 and abs(lat - lander["lat"].iloc[0]) <= 1e-6
    for cls in ("traverse-view", "traverse-target"):
        p.page.evaluate("(c) => { let done = false; traverseMap.map.eachLayer(l => {"
                        " if (!done && l.options.className === c) { l.openPopup(); done = true; } }); }", cls)
        where = p.page.locator(".leaflet-popup-content .traverse-lonlat").last.inner_text()
        assert "(Moon) · lander ENU" in where
    # the popups pan the map into view (animated): the readout is read once the map stands still
    p.page.wait_for_function("!traverseMap.map._panAnim || !traverseMap.map._panAnim._inProgress")
    box = p.page.locator("#" + p.page.evaluate("traverseMap.map.getContainer().id")).bounding_box()
    p.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    p.page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5)
    centre = p.page.evaluate("([x, y]) => { const c = traverseMap.map.containerPointToLatLng([x, y]);"
                             " return [c.lng, c.lat]; }", [box["width"] / 2 + 5, box["height"] / 2 + 5])
    lon, lat, _ = _parse_lonlat(readout.locator(".traverse-readout-lonlat").inner_text())
    assert abs(lon - centre[0]) <= 1e-6 and abs(lat - centre[1]) <= 1e-6
    assert re.fullmatch(r"E -?[\d.]+ m, N -?[\d.]+ m from the Chang'e-4 lander",
                        readout.locator(".traverse-readout-enu").inner_text())
    assert p.errors == []
    p.page.close()


@pytest.mark.parametrize("lon, lat, text", [
    (177.585544, -45.440391, "177.585544° E, 45.440391° S (Moon)"),
    (-9.5, 25.1, "9.500000° W, 25.100000° N (Moon)"),
    (350.5, -0.0000001, "9.500000° W, 0.000000° N (Moon)"),
    (109.9084404, 25.0833186, "109.908440° E, 25.083319° N (Moon)"),
])
def test_lonlat_text_names_hemispheres_and_body(browser, lon, lat, text):
    from layers.popups import lonlat_text

    assert lonlat_text(lon, lat, "Moon") == text
    tab = browser.new_page()
    tab.add_script_tag(content=(ASSETS / "leaflet.js").read_text(encoding="utf-8"))
    for name in page.MODULES[:2]:
        tab.add_script_tag(content=(ASSETS / name).read_text(encoding="utf-8"))
    assert tab.evaluate("([lat, lng]) => TraverseMap.lonLatText(lat, lng, 'Moon')", [lat, lon]) == text
    tab.close()
