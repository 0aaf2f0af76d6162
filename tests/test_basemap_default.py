"""``build``/``map`` use the cached orbital windows by default (``traverse basemap get`` first).

The products are made in ``tests/orbital_fixtures.py`` (an LROC-style PDS3
orthophoto and a GeoTIFF DTM, each marked at a known lunar coordinate) and
served by ``tests/range_server.py``; the archive is the synthetic sample.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sqlite3
import zipfile

import numpy as np
import pytest

from tests.orbital_fixtures import MARK_LONLAT, write_geotiff_dtm, write_pds3_ortho
from tests.range_server import ServerProcess
from traverse.cli import main
from traverse.synthetic.sample import write_sample_archive

LRO_LANDER = (177.5885, -45.4561)  # traverse/data/missions/ce4.toml [sites.lro]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample") / "ce4"
    write_sample_archive(folder, days=3, images=False)
    return folder


@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory, archive):
    """A cache holding the windows of the orthophoto and the DTM around the sample's traverse."""
    root = tmp_path_factory.mktemp("products")
    ortho = write_pds3_ortho(root / "NAC_ORTHO.IMG")
    dtm = write_geotiff_dtm(root / "NAC_DTM.TIF")
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAVERSE_CACHE_DIR", str(cache))
    with ServerProcess(root) as server:
        for name, product in (("nac-ortho", ortho), ("nac-dtm", dtm)):
            assert main(["basemap", "get", name, "--url", server.url(product["path"].name),
                         "--around", str(archive), "-q"]) == 0
    yield cache
    mp.undo()


def _payload(html) -> dict:
    text = html.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S)
    return json.loads(m.group(1).replace("\\u003c", "<"))


def _build(archive, out, *extra) -> int:
    return main(["build", str(archive), "-o", str(out), "--images", "none", "--science", "none", *extra])


def _layers(payload, kind):
    return [layer for layer in payload["layers"] if layer["kind"] == kind]


def _lander_latlng(payload):
    return _layers(payload, "lander")[0]["data"]["latlng"]


def test_build_uses_the_cached_image_and_dem_in_their_control_network(archive, filled_cache, tmp_path,
                                                                       monkeypatch, capsys):
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(filled_cache))
    assert _build(archive, tmp_path / "m") == 0
    out = capsys.readouterr().out
    assert "basemap: LROC NAC orthophoto" in out and "terrain: LROC NAC DTM" in out
    assert "control network lro" in out
    payload = _payload(tmp_path / "m.html")
    images = _layers(payload, "image")
    assert len(images) == 2  # the orthophoto, and the DTM's hillshade
    assert any("Arizona State University" in i["data"]["attribution"] for i in images)
    assert _lander_latlng(payload) == pytest.approx([LRO_LANDER[1], LRO_LANDER[0]], abs=1e-6)
    import geopandas

    stations = geopandas.read_file(tmp_path / "m.gpkg", layer="stations")
    assert stations["elevation_m"].notna().all()  # terrain from the cached DTM
    # the QGIS project refers to copies beside the GeoPackage, not to the user's cache
    copies = sorted(p.name for p in (tmp_path / "m_files" / "orbital").iterdir())
    assert len(copies) == 2
    sources = _project_sources(tmp_path / "m.gpkg")
    assert sources is not None or os.environ.get("CI") != "true", "no QGIS project stored under CI"
    if sources is not None:
        # in the folder that moves with the GeoPackage
        assert sorted(sources) == [f"./m_files/orbital/{name}" for name in copies]
        assert not any(str(filled_cache) in s for s in sources)


def _project_sources(gpkg) -> list[str] | None:
    """Data sources of the rasters in the project stored in ``gpkg`` (``None``: no project stored)."""
    with contextlib.closing(sqlite3.connect(gpkg)) as con:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'qgis_projects'").fetchone():
            return None
        (content,) = con.execute("SELECT content FROM qgis_projects").fetchone()
    blob = bytes.fromhex(content) if isinstance(content, str) else bytes(content)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        qgs = next(z.read(n) for n in z.namelist() if n.endswith(".qgs")).decode("utf-8")
    return re.findall(r'<datasource>([^<]*\.(?:tif|TIF|IMG))</datasource>', qgs)


def test_explicit_label_control_refuses_to_mix_with_lro_products(archive, filled_cache, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(filled_cache))
    assert _build(archive, tmp_path / "m", "--control", "label") == 0
    out = capsys.readouterr().out
    assert "cached nac-ortho not used: it is in the lro control network and the traverse in label;" \
           " use --control lro" in out
    assert _layers(_payload(tmp_path / "m.html"), "image") == []


def test_orbital_none_and_an_empty_cache(archive, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(tmp_path / "empty"))
    assert _build(archive, tmp_path / "a", "--orbital", "none") == 0
    assert "basemap get" not in capsys.readouterr().out
    assert _build(archive, tmp_path / "b") == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "basemap get" in ln]
    assert len(lines) == 1
    assert f"`traverse basemap get nac-ortho --around {archive}`" in lines[0]
    assert re.search(r"about \d+\.\d MB", lines[0])
    assert _lander_latlng(_payload(tmp_path / "b.html"))[0] == pytest.approx(-45.4446)  # label


@pytest.mark.chromium
def test_map_shows_the_mark_at_its_lunar_coordinate_with_the_credit(archive, filled_cache, tmp_path,
                                                                     monkeypatch, browser):
    from tests.test_webmap_chromium import Page

    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(filled_cache))
    html = tmp_path / "m.html"
    assert main(["map", str(archive), "-o", str(html), "--images", "none", "-q"]) == 0
    p = Page(browser, html)
    assert p.errors == [] and p.blocked == []
    credit = p.page.inner_text(".leaflet-control-attribution")
    assert "LROC NAC orthophoto M1303619844: NASA/GSFC/Arizona State University" in credit
    # the brightest blob of the drawn orthophoto, in lon/lat through Leaflet's own projection
    found = p.page.evaluate("""() => new Promise(done => {
      const m = traverseMap.map; let ov = null;
      m.eachLayer(l => {
        if (l instanceof L.ImageOverlay && /orthophoto/.test(l.options.attribution)) ov = l;
      });
      const img = ov.getElement(), go = () => {
        const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; let sx = 0, sy = 0, n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 0 && d[i] > 128) {
            const k = i / 4; sx += k % c.width + 0.5; sy += Math.floor(k / c.width) + 0.5; n++;
          }
        }
        const b = ov.getBounds(), z = 20;
        const nw = m.project(b.getNorthWest(), z), se = m.project(b.getSouthEast(), z);
        const pt = L.point(nw.x + (sx / n) / c.width * (se.x - nw.x),
                           nw.y + (sy / n) / c.height * (se.y - nw.y));
        const ll = m.unproject(pt, z);
        done({lat: ll.lat, lng: ll.lng, n: n});
      };
      img.complete ? go() : img.onload = go;
    })""")
    assert found["n"] > 0
    r = 1_737_400.0
    dx = np.radians(found["lng"] - MARK_LONLAT[0]) * r * np.cos(np.radians(MARK_LONLAT[1]))
    dy = np.radians(found["lat"] - MARK_LONLAT[1]) * r
    assert np.hypot(dx, dy) < 4.0, (dx, dy)  # two pixels of the 2 m product
    lander = p.page.evaluate("""() => { let ll = null; traverseMap.map.eachLayer(l => {
        const pop = l.getPopup && l.getPopup();
        if (pop && /control lro/.test(pop.getContent())) ll = l.getLatLng(); });
        return ll && [ll.lat, ll.lng]; }""")
    assert lander == pytest.approx([LRO_LANDER[1], LRO_LANDER[0]], abs=1e-6)
    p.page.close()
