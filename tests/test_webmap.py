"""The offline web map: size, escaping, offline-ness, LRO warning and basemap placement."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from rasterio.warp import transform_bounds

from layers import basemaps, styles, webmap
from tests import map_fixtures as mf
from traverse import geodesy

LEAFLET_JS = (Path(webmap.__file__).with_name("assets") / "leaflet.js").read_text()
URL = re.compile(r"https?://[^\s\"'<>()`]+")


def _urls(text: str) -> set[str]:
    """http(s) URLs of the page outside the vendored Leaflet (whose comments cite bug trackers)."""
    return set(URL.findall(text.replace(LEAFLET_JS, ""))) - {"http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def traverse():
    return mf.make_traverse(2_000)


def test_writes_one_html_file(tmp_path, traverse):
    out = webmap.build_webmap(tmp_path / "map.html", traverse)
    assert out == tmp_path / "map.html" and out.is_file()
    text = out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]
    assert "TraverseMap.bodyCrs" in text and "TraverseMap.create(" in text
    assert f'"radius_m":{geodesy.MOON_RADIUS_M!r}' in text and '"crs":"IAU_2015:30100"' in text
    assert mf.page_payload(text)["body"]["radius_m"] == geodesy.MOON_RADIUS_M
    for day in (1, 2, 3):
        assert f'"day":{day}' in text


def test_days_coloured_as_in_the_qgis_style(tmp_path, traverse):
    text = webmap.build_webmap(tmp_path / "map.html", traverse).read_text()
    html_colours = dict(re.findall(r'"day":(\d+),"color":"(#[0-9a-f]{6})"', text))
    days = sorted(int(d) for d in html_colours)
    qml = styles.style_qml("days", lunar_days=days)
    qgis_colours = re.findall(r'k="line_color" v="(\d+),(\d+),(\d+),255"', qml)
    assert len(days) == 3 and len(qgis_colours) == 3
    assert [html_colours[str(d)] for d in days] == [
        "#{:02x}{:02x}{:02x}".format(*map(int, rgb)) for rgb in qgis_colours
    ]


def test_100k_lpr_traces_stay_under_5_mb(tmp_path):
    out = webmap.build_webmap(tmp_path / "map.html", mf.make_traverse(100_000))
    assert out.stat().st_size < 5_000_000


def test_trace_decimation_caps_points():
    frames = mf.make_frames(100_000)
    traces = webmap.decimate_traces(frames, max_points=500, cell_m=0.01)
    assert len(traces["lat"]) == len(traces["lon"]) == 500
    lat, lon = np.array(traces["lat"]), np.array(traces["lon"])
    assert np.all((lat < -45.4) & (lat > -45.5) & (lon > 177.58) & (lon < 177.61))


def test_page_is_offline(tmp_path, traverse):
    text = webmap.build_webmap(tmp_path / "map.html", traverse).read_text()
    assert _urls(text) == set()
    for cdn in ("cdn.jsdelivr", "jquery", "bootstrap", "font-awesome", "fontawesome", "cdnjs"):
        assert cdn not in text.lower()
    assert "url(images/" not in text  # Leaflet's control images are data URIs


def test_label_text_is_escaped(tmp_path):
    evil = "</script><script>alert('pwned')</script> `${alert(1)}` <img src=x onerror=alert(2)>"
    tables = mf.make_traverse(200, description=evil)
    tables["stations"].loc[0, "station_id"] = "<b>S01</b>"
    tables["drives"].loc[0, "from_station"] = "<b>S01</b>"
    text = webmap.build_webmap(tmp_path / "map.html", tables).read_text()
    assert "<script>alert" not in text and "<img src=x" not in text and "<b>S01" not in text
    # The payload reaches the page as JSON of escaped HTML: decode it and look.
    payload = mf.page_payload(text)
    popup = mf.layer_data(payload, "stations")[0]["popup"]
    assert "&lt;b&gt;S01&lt;/b&gt;" in popup and "<script" not in popup
    # descriptions are sent once, escaped, in the map's product table (the page lists them by index)
    notes = payload["products"]["notes"]
    assert any("&lt;/script&gt;&lt;script&gt;alert(&#x27;pwned&#x27;)" in n for n in notes)
    assert not any("<script" in n for n in notes)


def test_lro_tiles_with_label_control_warn(tmp_path, traverse):
    with pytest.warns(webmap.LROControlWarning, match=r"^Chang.e-4 Yutu-2 traverse: .*--control lro"):
        out = webmap.build_webmap(tmp_path / "a.html", traverse, webmap.MapOptions(tiles=["moontrek-wac"]))
    src = basemaps.tile_source("moontrek-wac")
    assert _urls(out.read_text()) == {src["url"]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        webmap.build_webmap(tmp_path / "b.html", traverse,
                            webmap.MapOptions(tiles=["moontrek-wac"], site=geodesy.LANDER_LRO))


def test_unknown_tile_name_lists_choices(tmp_path, traverse):
    with pytest.raises(KeyError, match="moontrek-wac"):
        webmap.build_webmap(tmp_path / "a.html", traverse, webmap.MapOptions(tiles=["google"]))


def test_registry_entries_are_complete():
    for name, entry in basemaps.tile_registry().items():
        assert entry["tiling"] in {"mercator", "equirectangular"}, name
        assert {"{z}", "{x}", "{y}"} <= set(re.findall(r"\{[xyz]\}", entry["url"])), name
        assert isinstance(entry["lro"], bool) and entry["attribution"], name


def _write_geotiff(path, crs_wkt, west, north, pixel, shape, bands=1, dtype="uint8"):
    rng = np.random.default_rng(1)
    data = rng.integers(0, 255, (bands, *shape)).astype(dtype)
    with rasterio.open(path, "w", driver="GTiff", width=shape[1], height=shape[0], count=bands,
                       dtype=dtype, crs=crs_wkt, transform=from_origin(west, north, pixel, pixel)) as d:
        d.write(data)
    return path


def test_label_text_is_never_read_as_a_template(tmp_path):
    """Label text and file names are data: Jinja syntax in them reaches the page as written."""
    evil = "{{ 7*7 }} {% if true %}yes{% endif %} {# gone #}"
    tables = mf.make_traverse(200, description=evil)
    dem = basemaps.write_synthetic_dem(tmp_path / "{{ 6*6 }}_synthetic.tif", center_lon=177.5965,
                                       center_lat=-45.4448, size_m=300)
    text = webmap.build_webmap(tmp_path / "map.html", tables, webmap.MapOptions(basemaps=[dem])).read_text()
    payload = mf.page_payload(text)
    assert evil in payload["products"]["notes"]
    # the layer name as written (no template engine reads the page), HTML-escaped for the layer control
    assert [e["name"] for e in payload["layers"]][0] == "{{ 6*6 }}_synthetic.tif (hillshade)"
    assert "36_synthetic" not in text


@pytest.mark.parametrize("kind", ["geographic", "aeqd"])
def test_basemap_overlay_matches_geotiff_footprint(tmp_path, kind):
    if kind == "geographic":
        path = _write_geotiff(tmp_path / "ortho.tif", geodesy.MOON.to_wkt(), 177.58, -45.43,
                              2e-5, (900, 1100), bands=3)
    else:
        crs = geodesy.local_crs().to_wkt()
        path = _write_geotiff(tmp_path / "ortho.tif", crs, -700.0, 400.0, 1.0, (800, 900))
    image = basemaps.warp_basemap(path)
    with rasterio.open(path) as src:
        west, south, east, north = transform_bounds(src.crs, geodesy.MOON.to_wkt(), *src.bounds,
                                                    densify_pts=51)
    (s, w), (n, e) = image.bounds
    px_lat = (n - s) / image.rgba.shape[0]
    px_lon = (e - w) / image.rgba.shape[1]
    assert abs(w - west) < 1.5 * px_lon and abs(e - east) < 1.5 * px_lon
    assert abs(s - south) < 1.5 * px_lat and abs(n - north) < 1.5 * px_lat
    assert image.kind == "image" and image.rgba[..., 3].max() == 255
    # and the page places the overlay at exactly those bounds
    text = webmap.build_webmap(tmp_path / "m.html", mf.make_traverse(100),
                               webmap.MapOptions(basemaps=[path])).read_text()
    assert mf.layer_data(mf.page_payload(text), "image")["bounds"] == [[s, w], [n, e]]


def test_basemap_is_warped_to_mercator(tmp_path):
    """A pixel row of the overlay is a constant Mercator height, not a constant latitude step."""
    path = basemaps.write_synthetic_dem(tmp_path / "synthetic_dem.tif", center_lon=177.5965,
                                        center_lat=-45.4448, size_m=1200, pixel_m=2)
    image = basemaps.warp_basemap(path)
    (s, w), (n, e) = image.bounds
    to_mercator = Transformer.from_crs(geodesy.MOON, geodesy.web_mercator_crs(), always_xy=True)
    x, y = to_mercator.transform([w, e], [s, n])
    rows, cols = image.rgba.shape[:2]
    assert (y[1] - y[0]) / rows == pytest.approx((x[1] - x[0]) / cols, rel=1e-6)  # square pixels


def test_synthetic_dem_is_labelled_and_drawn_as_hillshade(tmp_path):
    path = basemaps.write_synthetic_dem(tmp_path / "synthetic_dem.tif", center_lon=177.5965,
                                        center_lat=-45.4448)
    with rasterio.open(path) as src:
        assert "SYNTHETIC" in src.tags()["TIFFTAG_IMAGEDESCRIPTION"]
        assert geodesy.is_lunar_crs(src.crs.to_wkt()) and src.dtypes[0] == "float32"
    image = basemaps.warp_basemap(path)
    assert image.kind == "dem" and not image.lro
    grey = image.rgba[..., 0][image.rgba[..., 3] == 255]
    assert grey.std() > 5  # shaded relief, not a flat image
    with pytest.raises(ValueError, match="synthetic"):
        basemaps.write_synthetic_dem(tmp_path / "dem.tif", center_lon=0, center_lat=0)


def test_lro_named_basemap_warns(tmp_path, traverse):
    path = _write_geotiff(tmp_path / "LROC_NAC_ortho.tif", geodesy.MOON.to_wkt(), 177.58,
                          -45.43, 5e-5, (200, 200))
    with pytest.warns(webmap.LROControlWarning, match="415 m"):
        webmap.build_webmap(tmp_path / "m.html", traverse, webmap.MapOptions(basemaps=[path]))


def test_earth_basemap_is_refused(tmp_path):
    path = _write_geotiff(tmp_path / "earth.tif", rasterio.crs.CRS.from_epsg(4326).to_wkt(),
                          177.58, -45.43, 5e-5, (20, 20))
    with pytest.raises(ValueError, match="on the Earth, but the traverse is on the Moon"):
        basemaps.warp_basemap(path)


def test_each_product_id_reaches_the_page_once(tmp_path, traverse):
    """Issue 23: the stations' lists and the views refer to one product table by index."""
    text = webmap.build_webmap(tmp_path / "map.html", traverse,
                               webmap.MapOptions(max_popup_products=3)).read_text()
    payload = mf.page_payload(text)
    table = payload["products"]
    assert len(table["ids"]) == len(set(table["ids"])) == len(table["note"])
    stations = traverse.stations if hasattr(traverse, "stations") else traverse["stations"]
    listed = [s["products"] for s in mf.layer_data(payload, "stations")]
    expected = [[p for p in str(x or "").split(";") if p] for x in stations["products"]]
    assert [[table["ids"][k] for k in ks] for ks in listed] == [e[:3] for e in expected]
    assert [s["more"] for s in mf.layer_data(payload, "stations")] == [max(0, len(e) - 3) for e in expected]
    named = [p for e in expected for p in e[:3]]
    assert named, "the fixture's stations list products"
    for pid in set(named):
        assert text.count(pid) == 1, pid
