"""``traverse basemap list|get`` against a local HTTP server with Range requests (no network).

The server (``tests/range_server.py``, its own process on 127.0.0.1) serves a
PDS3 ``.IMG`` orthophoto with an attached label and a tiled GeoTIFF DTM made in
``tests/orbital_fixtures.py``, each with a mark at a known lunar coordinate,
and counts the bytes it sends.
"""

from __future__ import annotations

import socket

import numpy as np
import pytest
import rasterio

from tests.orbital_fixtures import MARK_LONLAT, write_geotiff_dtm, write_pds3_ortho
from tests.range_server import ServerProcess
from traverse.cli import main

#: A window of about 400 m around the mark (degrees).
BBOX = [str(v) for v in (MARK_LONLAT[0] - 0.004, MARK_LONLAT[1] - 0.003,
                         MARK_LONLAT[0] + 0.004, MARK_LONLAT[1] + 0.003)]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    ortho = write_pds3_ortho(root / "NAC_DTM_TEST_M0000000000_200CM.IMG")
    dtm = write_geotiff_dtm(root / "NAC_DTM_TEST.TIF")
    with ServerProcess(root) as server:
        yield server, ortho, dtm


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(folder))
    return folder


def _get(name: str, url: str, *extra: str) -> int:
    return main(["basemap", "get", name, "--url", url, "--bbox", *BBOX, "--margin", "1", *extra])


def _mark_lonlat(path) -> tuple[float, float]:
    """Lon/lat of the mark's centre in a GeoTIFF (centroid of the pixels standing out), through its CRS."""
    from traverse import geodesy

    with rasterio.open(path) as src:
        band = src.read(1).astype(float)
        residual = band - np.median(band, axis=0)[None, :]  # the DTM's slope runs along rows only
        rows, cols = np.nonzero(residual > 0.5 * residual.max())
        assert len(rows) == 25, len(rows)  # the whole 5 x 5 mark, nothing else
        x, y = src.xy(rows.mean(), cols.mean())
        lon, lat = geodesy.lonlat_to_crs_transformer(src.crs).transform(x, y, direction="INVERSE")
    return float(lon), float(lat)


def _cached(cache, product: str):
    tifs = sorted((cache / "orbital" / "ce4" / product).glob("*.tif"))
    assert len(tifs) == 1, tifs
    return tifs[0]


@pytest.mark.parametrize("name, which", [("nac-ortho", 1), ("nac-dtm", 2)])
def test_get_reads_only_the_window_into_a_cog_placed_to_the_pixel(served, cache, capsys, name, which):
    server, *products = served
    product = products[which - 1]
    server.reset()
    assert _get(name, server.url(product["path"].name)) == 0
    sent = server.stats()["bytes_sent"]
    # the window is about 400 x 350 m of a 6 km product: a few % of the file
    assert 0 < sent < 0.15 * product["size"], (sent, product["size"])
    tif = _cached(cache, name)
    with rasterio.open(tif) as cog:
        assert cog.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert cog.tags()["TRAVERSE_CONTROL"] == "lro" and "NASA" in cog.tags()["TIFFTAG_COPYRIGHT"]
        t = cog.transform
        # the window's grid is the source's: the same pixel size, corners on the source's pixel edges
        assert t.a == pytest.approx(product["scale_m"]) and t.e == pytest.approx(-product["scale_m"])
        cols, rows = (t.c - product["ulx"]) / t.a, (product["uly"] - t.f) / t.a
        assert abs(cols - round(cols)) < 1e-6 and abs(rows - round(rows)) < 1e-6
    # the mark comes back at its lunar coordinate within one source pixel
    lon, lat = _mark_lonlat(tif)
    r = 1_737_400.0
    dx = np.radians(lon - MARK_LONLAT[0]) * r * np.cos(np.radians(lat))
    dy = np.radians(lat - MARK_LONLAT[1]) * r
    assert np.hypot(dx, dy) < product["scale_m"], (dx, dy)
    assert "cached" in capsys.readouterr().out


def test_second_get_reuses_the_cache_without_a_request(served, cache, capsys):
    server, ortho, _ = served
    url = server.url(ortho["path"].name)
    assert _get("nac-ortho", url) == 0
    server.reset()
    assert _get("nac-ortho", url) == 0
    assert server.stats()["requests"] == []
    assert "already cached" in capsys.readouterr().out
    assert main(["basemap", "list"]) == 0
    listed = capsys.readouterr().out
    assert "nac-ortho" in listed and "1 window(s)" in listed


def test_offline_is_one_line_naming_the_url(cache, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/NAC.IMG"
    assert _get("nac-ortho", url) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert url in err and "cannot connect" in err
    assert not list(cache.rglob("*.tif"))


def test_a_cut_connection_is_retried_and_the_window_is_whole(served, cache):
    server, ortho, _ = served
    url = server.url(ortho["path"].name) + "?fresh=retried"  # a URL GDAL has not cached in this process
    server.cut(after=4000, times=2)
    assert _get("nac-ortho", url, "--retries", "3") == 0
    assert server.stats()["cuts_left"] == 0  # both cuts happened, and were read again
    with rasterio.open(_cached(cache, "nac-ortho")) as cog, rasterio.open(ortho["path"]) as src:
        window = rasterio.windows.from_bounds(*cog.bounds, transform=src.transform)
        assert np.array_equal(cog.read(1), src.read(1, window=window.round_offsets().round_lengths()))


def test_a_connection_cut_every_time_fails_cleanly(served, cache, capsys):
    server, ortho, _ = served
    server.cut(after=4000, times=1000)
    try:
        assert _get("nac-ortho", server.url(ortho["path"].name) + "?fresh=cut", "--retries", "1") == 1
    finally:
        server.cut(after=4000, times=0)
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "traverse basemap:" in err
    assert not [p for p in cache.rglob("*") if p.is_file()]  # no partial file, no sidecar


def test_unknown_product_and_no_public_url_are_refused(cache, capsys):
    assert main(["basemap", "get", "no-such", "--bbox", *BBOX]) == 2
    assert "unknown orbital product 'no-such'" in capsys.readouterr().err
    assert main(["basemap", "get", "ce2-dom-7m", "--bbox", *BBOX]) == 1
    assert "no public URL" in capsys.readouterr().err
