"""Read the window of a remote orbital product around a traverse and cache it as a Cloud-Optimised GeoTIFF.

GDAL does the HTTP and the format: the product is opened as
``/vsicurl/URL`` (PDS3 ``.IMG`` with its label, GeoTIFF, JPEG 2000: whatever
GDAL reads), so only the bytes of the window's rows or tiles are requested
(HTTP range requests), never the whole file.  The window is read in blocks of
rows; a block whose transfer fails (a reset, a cut connection, a 5xx) is read
again after a pause, up to ``retries`` times, with the blocks already read
kept.  The output keeps the product's own grid and CRS (no resampling: its
georeferencing is the source's, to the pixel), checked to be on the mission's
body, and is written to a temporary file in the cache and renamed only when
complete, so an interrupted fetch leaves nothing behind.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from traverse import geodesy
from traverse.errors import FetchError, RasterError
from traverse.orbital.products import CachedWindow, OrbitalProduct, cached_windows
from traverse.rasters import check_open_raster
from traverse.userdirs import user_cache_dir

__all__ = ["GDAL_HTTP_OPTIONS", "MAX_FETCH_PIXELS", "bounds_around", "fetch_window"]

#: GDAL settings of every remote read: no folder listing (static archives answer it with a
#: large HTML index), GDAL's own retries of 429/5xx answers, bounded connect and idle times.
GDAL_HTTP_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_HTTP_MAX_RETRY": 3,
    "GDAL_HTTP_RETRY_DELAY": 1,
    "GDAL_HTTP_CONNECTTIMEOUT": 20,
    "GDAL_HTTP_TIMEOUT": 60,
    "CPL_VSIL_CURL_USE_HEAD": "YES",
}

#: Largest window fetched, pixels per band (8192 × 8192): a traverse needs far less.
MAX_FETCH_PIXELS = 1 << 26

#: Rows read per request block (the unit of progress and of retries).
_BLOCK_ROWS = 256


def bounds_around(lon_deg, lat_deg, *, margin_m: float, body: geodesy.Body = geodesy.MOON_BODY
                  ) -> tuple[float, float, float, float]:
    """``(lon_min, lat_min, lon_max, lat_max)`` of the points plus ``margin_m`` metres on every side.

    Parameters
    ----------
    lon_deg, lat_deg
        Points, degrees east/north on ``body``'s sphere.
    margin_m
        Margin, metres on the ground (converted at the southern- or
        northernmost latitude, whichever is further from the equator).
    body
        The body (its sphere's radius).
    """
    lon, lat = np.asarray(lon_deg, float), np.asarray(lat_deg, float)
    dlat = math.degrees(margin_m / body.radius_m)
    far = max(abs(float(np.nanmin(lat))), abs(float(np.nanmax(lat))))
    dlon = dlat / max(math.cos(math.radians(min(far + dlat, 89.0))), 1e-6)
    return (float(np.nanmin(lon)) - dlon, float(np.nanmin(lat)) - dlat,
            float(np.nanmax(lon)) + dlon, float(np.nanmax(lat)) + dlat)


def _one_line(exc: Exception) -> str:
    """GDAL's message reduced to what a user can act on (the first line, CURL's words kept)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    offline = ("Could not connect", "Failed to connect", "resolve host", "Connection refused")
    if any(w in text for w in offline):
        return f"cannot connect ({text}); offline? the cache is used when it holds the window"
    return text


def _open(vsi: str):
    import rasterio

    try:
        return rasterio.open(vsi)
    except rasterio.errors.RasterioIOError as exc:
        raise FetchError(_one_line(exc), source=vsi.removeprefix("/vsicurl/")) from exc


def _window_of(src, bounds, body: geodesy.Body, url: str):
    """The pixel window of ``src`` covering lon/lat ``bounds`` (edges densified), clipped to the raster."""
    from rasterio.windows import Window, from_bounds

    w, s, e, n = bounds
    t = np.linspace(0.0, 1.0, 21)
    lon = np.concatenate([w + (e - w) * t, np.full_like(t, e), e - (e - w) * t, np.full_like(t, w)])
    lat = np.concatenate([np.full_like(t, s), s + (n - s) * t, np.full_like(t, n), n - (n - s) * t])
    x, y = geodesy.lonlat_to_crs_transformer(src.crs, body).transform(lon, lat)
    win = from_bounds(np.nanmin(x), np.nanmin(y), np.nanmax(x), np.nanmax(y), transform=src.transform)
    col0, row0 = max(0, math.floor(win.col_off)), max(0, math.floor(win.row_off))
    col1 = min(src.width, math.ceil(win.col_off + win.width))
    row1 = min(src.height, math.ceil(win.row_off + win.height))
    if col1 - col0 < 2 or row1 - row0 < 2:
        raise RasterError(f"the window {_bounds_text(bounds)} lies outside the product"
                          f" ({src.width} x {src.height} pixels)", source=url)
    if (col1 - col0) * (row1 - row0) > MAX_FETCH_PIXELS:
        raise RasterError(f"the window {_bounds_text(bounds)} is {col1 - col0:,} x {row1 - row0:,} pixels,"
                          f" more than traverse fetches ({MAX_FETCH_PIXELS:,}); use a smaller --margin"
                          " or --bbox", source=url)
    return Window(col0, row0, col1 - col0, row1 - row0)


def _bounds_text(bounds) -> str:
    return f"{bounds[0]:.5f}..{bounds[2]:.5f} E, {bounds[1]:.5f}..{bounds[3]:.5f} N"


def _read_block(vsi: str, window, *, retries: int, pause_s: float, url: str) -> np.ndarray:
    """Every band of ``window``, reopening the product and retrying a failed transfer."""
    import rasterio

    for attempt in range(retries + 1):
        try:
            with rasterio.open(vsi) as src:
                return src.read(window=window)
        except rasterio.errors.RasterioIOError as exc:
            if attempt == retries:
                raise FetchError(f"{_one_line(exc)} (after {retries} retries)", source=url) from exc
            time.sleep(pause_s * 2**attempt)
    raise AssertionError("unreachable")


def _window_path(product: OrbitalProduct, bounds, root: Path) -> Path:
    tag = "_".join(f"{v:.5f}".replace("-", "m").replace(".", "p") for v in bounds)
    return root / "orbital" / product.mission / product.name / f"{product.name}_{tag}.tif"


def fetch_window(product: OrbitalProduct, bounds: tuple[float, float, float, float], *,
                 body: geodesy.Body = geodesy.MOON_BODY, url: str | None = None,
                 progress: Callable[[int, int], None] | None = None, retries: int = 3,
                 pause_s: float = 1.0, root: Path | None = None) -> tuple[CachedWindow, bool]:
    """The cached window of ``product`` covering ``bounds``: reused, or read remotely and written.

    Parameters
    ----------
    product
        A registry entry (:func:`traverse.orbital.products.orbital_product`).
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)``, degrees on ``body``'s sphere.
    body
        The mission's body; the product's CRS must be on it.
    url
        Read from here instead of ``product.url`` (a mirror).
    progress
        ``progress(rows_done, rows_total)`` after each block.
    retries, pause_s
        Retries of a failed block and the first pause, seconds (doubling).
    root
        Cache folder (default :func:`traverse.userdirs.user_cache_dir`).

    Returns
    -------
    tuple
        ``(CachedWindow, reused)``; ``reused`` is true when the cache already held it (nothing read).

    Raises
    ------
    FetchError
        No URL, cannot connect, or a transfer failed after the retries: one line naming the URL.
    RasterError
        The window lies outside the product, is too large, or the product is not on ``body``.
    """
    import rasterio
    import rasterio.shutil

    root = root or user_cache_dir()
    url = url or product.url
    if not url:
        where = f" (get it from {product.portal})" if product.portal else ""
        raise FetchError(f"no public URL GDAL can read{where}; pass the downloaded file as --basemap/--dem",
                         source=product.name)
    for cached in cached_windows(product.mission, root=root):
        if cached.product == product.name and cached.url == url and cached.contains(bounds):
            return cached, True
    vsi = "/vsicurl/" + url
    # GDAL keeps what it read of a URL (and a failed read) for the whole process: a retry must ask again
    with rasterio.Env(**GDAL_HTTP_OPTIONS, CPL_VSIL_CURL_NON_CACHED=vsi):
        with _open(vsi) as src:
            check_open_raster(src, body, what=f"orbital product {product.name}")
            window = _window_of(src, bounds, body, url)
            profile = {"driver": "GTiff", "width": window.width, "height": window.height,
                       "count": src.count, "dtype": src.dtypes[0], "crs": src.crs,
                       "transform": src.window_transform(window), "nodata": src.nodata,
                       "tiled": True, "blockxsize": 256, "blockysize": 256}
            scales, offsets, units = src.scales, src.offsets, src.units
        out = _window_path(product, bounds, root)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp, tmp_cog = out.with_suffix(".part.tif"), out.with_suffix(".cog.part.tif")
        try:
            with rasterio.open(tmp, "w", **profile) as dst:
                _copy_rows(vsi, window, dst, retries=retries, pause_s=pause_s, url=url, progress=progress)
                dst.scales, dst.offsets = scales, offsets
                if product.kind == "elevation":
                    dst.units = tuple(u or "metre" for u in units)
                dst.update_tags(**_tags(product, url))
            rasterio.shutil.copy(tmp, tmp_cog, driver="COG", COMPRESS="DEFLATE", PREDICTOR="YES")
            os.replace(tmp_cog, out)
        finally:
            tmp.unlink(missing_ok=True)
            tmp_cog.unlink(missing_ok=True)
    cached = CachedWindow(path=out, product=product.name, mission=product.mission, kind=product.kind,
                          control=product.control, credit=product.credit, title=product.title, url=url,
                          bounds=_covered(profile, body), pixel_m=product.pixel_m,
                          size_bytes=out.stat().st_size)
    sidecar = out.with_suffix(".json")
    sidecar.with_suffix(".json.part").write_text(json.dumps(cached.sidecar(), indent=1), encoding="utf-8")
    os.replace(sidecar.with_suffix(".json.part"), sidecar)
    return cached, False


def _covered(profile: dict, body: geodesy.Body) -> tuple[float, float, float, float]:
    """The lon/lat box inside the written grid (edges densified): what the cached window covers."""
    t, w, h = profile["transform"], profile["width"], profile["height"]
    f = np.linspace(0.0, 1.0, 21)
    cols = np.concatenate([f * w, np.full_like(f, w), w - f * w, np.zeros_like(f)])
    rows = np.concatenate([np.zeros_like(f), f * h, np.full_like(f, h), h - f * h])
    x, y = t.c + cols * t.a + rows * t.b, t.f + cols * t.d + rows * t.e
    lon, lat = geodesy.lonlat_to_crs_transformer(profile["crs"], body).transform(x, y, direction="INVERSE")
    top, right, bottom, left = (slice(i * len(f), (i + 1) * len(f)) for i in range(4))
    # the box inside the grid: where a grid edge bulges in lon/lat, the box must not claim the bulge
    return (float(np.max(lon[left])), float(np.max(lat[bottom])),
            float(np.min(lon[right])), float(np.min(lat[top])))


def _copy_rows(vsi, window, dst, *, retries, pause_s, url, progress) -> None:
    """Copy ``window`` of the remote product into ``dst`` block by block of rows."""
    from rasterio.windows import Window

    for r in range(0, window.height, _BLOCK_ROWS):
        rows = min(_BLOCK_ROWS, window.height - r)
        block = Window(window.col_off, window.row_off + r, window.width, rows)
        data = _read_block(vsi, block, retries=retries, pause_s=pause_s, url=url)
        dst.write(data, window=Window(0, r, window.width, rows))
        if progress is not None:
            progress(r + rows, window.height)


def _tags(product: OrbitalProduct, url: str) -> dict[str, str]:
    """Metadata of the cached GeoTIFF: what it is, where from, its control network and credit."""
    return {
        "TIFFTAG_IMAGEDESCRIPTION": f"{product.title}; window read by traverse basemap get from {url}",
        "TIFFTAG_COPYRIGHT": product.credit,
        "TRAVERSE_PRODUCT": product.name,
        "TRAVERSE_TITLE": product.title,
        "TRAVERSE_CONTROL": product.control,
        "TRAVERSE_KIND": product.kind,
        "TRAVERSE_SOURCE_URL": url,
    }
