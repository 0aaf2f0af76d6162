"""Small orbital products as LROC writes them, made in code (tests of ``traverse basemap``).

* :func:`write_pds3_ortho`: a PDS3 ``.IMG`` with an attached label (``^IMAGE``
  pointer to the record after the label, 8-bit samples, an
  ``IMAGE_MAP_PROJECTION`` object: equirectangular on the 1 737.4 km sphere
  with ``CENTER_LATITUDE`` as the standard parallel, ``LINE/SAMPLE_PROJECTION_OFFSET``
  in ISIS's convention, offset = upper-left corner / scale − 0.5 pixel), the
  layout of the LROC NAC DTM orthophotos; GDAL's PDS driver opens it.
* :func:`write_geotiff_dtm`: a tiled float32 GeoTIFF DTM in the same projection.

Both carry a bright (or high) 5 × 5 pixel mark centred on :data:`MARK_LONLAT`,
placed with the projection's formula written out here (x = R (λ − λ0) cos φ1,
y = R φ), not with GDAL: a test that finds the mark where it belongs checks
GDAL's reading, the cache's georeferencing and the map's drawing together.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

R_M = 1_737_400.0
LAT_TS, LON_0 = -45.0, 180.0
#: Known lunar coordinate of the mark: about 120 m north-east of the LRO-registered lander.
MARK_LONLAT = (177.5900, -45.4550)
#: Centre of the products: the LRO-registered Chang'e-4 lander (mission TOML ``[sites.lro]``).
CENTRE_LONLAT = (177.5885, -45.4561)


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (R_M * math.radians(lon - LON_0) * math.cos(math.radians(LAT_TS)), R_M * math.radians(lat))


def _grid(samples: int, lines: int, scale_m: float) -> tuple[float, float]:
    """Upper-left corner (x, y metres) of a grid centred on :data:`CENTRE_LONLAT`, on whole pixels."""
    cx, cy = _xy(*CENTRE_LONLAT)
    return (round(cx / scale_m - samples / 2) * scale_m, round(cy / scale_m + lines / 2) * scale_m)


def mark_pixel(ulx: float, uly: float, scale_m: float) -> tuple[int, int]:
    """(row, col) of the mark's centre in a grid with this upper-left corner and pixel size."""
    mx, my = _xy(*MARK_LONLAT)
    return int((uly - my) // scale_m), int((mx - ulx) // scale_m)


def _label(samples: int, lines: int, scale_m: float, ulx: float, uly: float, *, bits: int,
           sample_type: str, record_bytes: int) -> bytes:
    text = f"""PDS_VERSION_ID = PDS3
RECORD_TYPE = FIXED_LENGTH
RECORD_BYTES = {record_bytes}
FILE_RECORDS = {lines + 1}
LABEL_RECORDS = 1
^IMAGE = 2
DATA_SET_ID = "LRO-L-LROC-5-RDR-V1.0"
PRODUCT_ID = "NAC_DTM_TEST_M0000000000_200CM"
INSTRUMENT_ID = "NAC"
TARGET_NAME = MOON
OBJECT = IMAGE
  LINES = {lines}
  LINE_SAMPLES = {samples}
  SAMPLE_TYPE = {sample_type}
  SAMPLE_BITS = {bits}
  SCALING_FACTOR = 1
  OFFSET = 0
  MISSING_CONSTANT = 0
END_OBJECT = IMAGE
OBJECT = IMAGE_MAP_PROJECTION
  MAP_PROJECTION_TYPE = "EQUIRECTANGULAR"
  A_AXIS_RADIUS = 1737.4 <KM>
  B_AXIS_RADIUS = 1737.4 <KM>
  C_AXIS_RADIUS = 1737.4 <KM>
  COORDINATE_SYSTEM_NAME = PLANETOCENTRIC
  POSITIVE_LONGITUDE_DIRECTION = EAST
  CENTER_LATITUDE = {LAT_TS} <DEG>
  CENTER_LONGITUDE = {LON_0} <DEG>
  MAP_SCALE = {scale_m} <METERS/PIXEL>
  LINE_PROJECTION_OFFSET = {uly / scale_m - 0.5} <PIXEL>
  SAMPLE_PROJECTION_OFFSET = {-ulx / scale_m - 0.5} <PIXEL>
END_OBJECT = IMAGE_MAP_PROJECTION
END
"""
    raw = text.encode("ascii")
    assert len(raw) <= record_bytes, "label longer than one record"
    return raw.ljust(record_bytes, b" ")


def write_pds3_ortho(path: Path, *, samples: int = 3000, lines: int = 2400, scale_m: float = 2.0) -> dict:
    """Write an 8-bit orthophoto ``.IMG`` (attached label); its grid, the mark's pixel, its size.

    The background is a flat grey 60, so the map's 2–98 % stretch leaves the
    mark the only bright thing in the image.
    """
    ulx, uly = _grid(samples, lines, scale_m)
    image = np.full((lines, samples), 60, dtype=np.uint8)
    row, col = mark_pixel(ulx, uly, scale_m)
    image[row - 2:row + 3, col - 2:col + 3] = 255
    path.write_bytes(_label(samples, lines, scale_m, ulx, uly, bits=8, sample_type="UNSIGNED_INTEGER",
                            record_bytes=samples) + image.tobytes())
    return {"path": path, "ulx": ulx, "uly": uly, "scale_m": scale_m, "mark": (row, col),
            "size": path.stat().st_size}


def write_geotiff_dtm(path: Path, *, size: int = 1200, scale_m: float = 5.0) -> dict:
    """Write a tiled float32 DTM GeoTIFF (metres; the mark a 50 m high block); as :func:`write_pds3_ortho`."""
    import rasterio
    from affine import Affine
    from rasterio.crs import CRS

    ulx, uly = _grid(size, size, scale_m)
    z = np.linspace(-5950.0, -5900.0, size, dtype="float32")[None, :].repeat(size, axis=0)
    row, col = mark_pixel(ulx, uly, scale_m)
    z[row - 2:row + 3, col - 2:col + 3] += 50.0
    crs = CRS.from_proj4(f"+proj=eqc +lat_ts={LAT_TS} +lon_0={LON_0} +R={R_M} +units=m +no_defs")
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32",
                       crs=crs, transform=Affine(scale_m, 0, ulx, 0, -scale_m, uly), tiled=True,
                       blockxsize=256, blockysize=256) as dst:
        dst.write(z, 1)
    return {"path": path, "ulx": ulx, "uly": uly, "scale_m": scale_m, "mark": (row, col),
            "size": path.stat().st_size}
