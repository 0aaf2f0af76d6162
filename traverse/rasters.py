"""Checks a DEM or basemap GeoTIFF must pass before any work is done with it.

A raster given as ``--dem`` or ``--basemap`` is opened once and refused, in
one line naming the file and the problem, when it cannot be placed under the
traverse or read within bounded memory: no CRS, a CRS on another body (an
Earth or Mars CRS under a Moon traverse), a degenerate or missing
georeferencing (identity, zero or non-finite pixel size), fewer than 2 × 2
pixels, or more pixels than :data:`MAX_RASTER_PIXELS` (a header can declare
10⁶ × 10⁶ pixels in a few bytes).  Windows read from a DEM are bounded by
:data:`MAX_WINDOW_PIXELS` (:func:`check_window`).
"""

from __future__ import annotations

import math
import os
import warnings

from traverse import geodesy
from traverse.errors import RasterError

__all__ = ["MAX_RASTER_PIXELS", "MAX_WINDOW_PIXELS", "check_raster", "check_open_raster", "check_window"]

#: Largest raster accepted, pixels per band (65 536 × 65 536); basemaps are read decimated.
MAX_RASTER_PIXELS = 1 << 32

#: Largest DEM window read around a traverse, pixels (4096 × 4096: 128 MiB of float64 heights).
MAX_WINDOW_PIXELS = 1 << 24

def _the(name: str) -> str:
    return f"the {name}" if name in ("Moon", "Earth") else name


def _crs_problem(src, body: geodesy.Body | None) -> str | None:
    if src.crs is None:
        return "has no CRS (not georeferenced); assign one with gdal_edit.py -a_srs"
    if body is not None and not geodesy.is_body_crs(src.crs, body):
        where = _the(geodesy.crs_body_name(src.crs))
        return (f"CRS {src.crs.to_string()[:60]!r} is on {where}, but the traverse is"
                f" on {_the(body.name)}; reproject it to a {body.adjective} CRS such as {body.crs_code}")
    return None


def _grid_problem(src) -> str | None:
    width, height = src.width, src.height
    if width < 2 or height < 2:
        return f"{width} x {height} pixels; a map needs at least 2 x 2"
    if width * height > MAX_RASTER_PIXELS:
        return (f"declares {width:,} x {height:,} pixels, more than traverse reads"
                f" ({MAX_RASTER_PIXELS:,}); crop it to the traverse first (gdal_translate -projwin)")
    t = src.transform
    if not all(math.isfinite(v) for v in (t.a, t.b, t.c, t.d, t.e, t.f)):
        return f"its transform holds non-finite numbers ({tuple(t)[:6]})"
    if t.is_identity:
        return "has no georeferencing (identity transform)"
    det = t.a * t.e - t.b * t.d
    if not math.isfinite(det) or det == 0.0:
        return f"degenerate transform (pixel size {t.a:g} x {t.e:g}, determinant 0)"
    return None


def check_open_raster(src, body: geodesy.Body | None = None, *, what: str = "raster") -> None:
    """Refuse an open rasterio dataset that cannot be used (see the module docstring).

    Raises
    ------
    RasterError
        One line: the file and the problem.
    """
    problem = _crs_problem(src, body) or _grid_problem(src)
    if problem:
        raise RasterError(f"{what} {problem}", source=str(src.name))


def check_raster(path: str | os.PathLike, body: geodesy.Body | None = None, *, what: str = "raster") -> int:
    """Open ``path`` and check it (:func:`check_open_raster`); its number of bands.

    Raises
    ------
    RasterError
        Not a raster GDAL can read, or unusable: one line naming the file.
    """
    import rasterio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                check_open_raster(src, body, what=what)
                return src.count
    except rasterio.errors.RasterioIOError as exc:
        raise RasterError(f"not a raster GDAL can read ({exc})", source=str(path)) from exc


def check_window(width: int, height: int, *, source: str) -> None:
    """Refuse a DEM window larger than :data:`MAX_WINDOW_PIXELS` (a DEM far finer than the traverse needs)."""
    if width * height > MAX_WINDOW_PIXELS:
        raise RasterError(
            f"the traverse covers {width:,} x {height:,} of its pixels, more than traverse reads at once"
            f" ({MAX_WINDOW_PIXELS:,}); resample it coarser (gdalwarp -tr) or check its pixel size",
            source=source,
        )
