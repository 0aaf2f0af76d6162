"""Terrain under the traverse from a DEM: elevations, climbs, slopes and grades.

A digital elevation model (a GeoTIFF in any lunar CRS) is read once, as the
window that covers the traverse (rasterio windowed read), and sampled with
bilinear interpolation at the stations and along each drive, densified to the
DEM's pixel size.  Elevations are in the DEM's own datum: for LRO products
(LOLA, LROC NAC DTMs) metres above the 1 737 400 m sphere; the synthetic demo
DEM has an arbitrary zero.

* stations: ``elevation_m``;
* drives: ``elevation_gain_m`` / ``elevation_loss_m`` (sums of the climbs and
  descents along the profile), ``slope_max_deg`` / ``slope_mean_deg`` (the
  terrain's steepest slope under the drive, from the DEM gradient, whatever
  the direction of travel), ``grade_deg`` (the along-track grade of the whole
  drive, positive uphill: atan(net climb / horizontal length)),
  ``grade_max_deg`` (the steepest along-track stretch, one DEM pixel long)
  and ``length_terrain_m`` (the drive's length over the terrain: horizontal
  length with the profile's height changes);
* days: ``elevation_gain_m`` / ``elevation_loss_m`` summed over the day.

Points outside the DEM (or on its nodata) get missing values, with one
:class:`TerrainWarning` per run.  Horizontal lengths stay those of the
reconstruction (lander ENU metres); the DEM only adds heights.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from rasterio.windows import Window, from_bounds

from traverse import geodesy
from traverse.errors import RasterError, TerrainWarning
from traverse.rasters import check_open_raster, check_window
from traverse.schema import TERRAIN_COLUMNS

__all__ = ["Dem", "read_dem", "sample_dem", "add_terrain", "DRIVE_TERRAIN_COLUMNS"]

#: Columns added to ``drives`` (units and meaning: :data:`traverse.schema.TERRAIN_COLUMNS`).
DRIVE_TERRAIN_COLUMNS = list(TERRAIN_COLUMNS["drives"])


@dataclass(frozen=True)
class Dem:
    """The window of a DEM around the traverse, ready to sample.

    Attributes
    ----------
    name
        File name of the DEM.
    elevation_m
        Heights, metres (NaN for nodata), north-up rows.
    slope_deg
        Steepest slope of each pixel from the elevation gradient, degrees.
    transform
        Affine transform of the window (pixel -> DEM CRS coordinates).
    crs_wkt
        The DEM's CRS.
    pixel_m
        Ground size of a pixel along x and y, metres.
    """

    name: str
    elevation_m: np.ndarray
    slope_deg: np.ndarray
    transform: Affine
    crs_wkt: str
    pixel_m: tuple[float, float]


def read_dem(path: str | os.PathLike, lon_deg, lat_deg, *, margin_px: int = 4,
             body: geodesy.Body = geodesy.MOON_BODY) -> Dem:
    """Read the window of the DEM at ``path`` that covers the given points (plus a margin).

    Parameters
    ----------
    path
        Single-band GeoTIFF in a CRS on ``body`` (projected in metres, or geographic in degrees).
    lon_deg, lat_deg
        Points to cover, degrees east/north on ``body``.
    margin_px
        Pixels added around the points' bounding box.
    body
        The body of the traverse (default the Moon).

    Raises
    ------
    RasterError
        Not a single-band raster, no CRS or one on another body, an absurd
        size or transform (:mod:`traverse.rasters`), or a window around the
        points larger than :data:`traverse.rasters.MAX_WINDOW_PIXELS`.
    """
    with rasterio.open(path) as src:
        if src.count != 1:
            raise RasterError(f"DEM of {src.count} bands; an elevation model has one", source=str(path))
        check_open_raster(src, body, what="DEM")
        to_dem = geodesy.lonlat_to_crs_transformer(src.crs.to_wkt(), body)
        x, y = to_dem.transform(np.asarray(lon_deg, "float64"), np.asarray(lat_deg, "float64"))
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            raise RasterError("no point of the traverse can be placed on this DEM", source=str(path))
        win = from_bounds(x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max(), src.transform)
        win = Window(math.floor(win.col_off) - margin_px, math.floor(win.row_off) - margin_px,
                     math.ceil(win.width) + 2 * margin_px + 1, math.ceil(win.height) + 2 * margin_px + 1)
        win = win.intersection(Window(0, 0, src.width, src.height)) if _overlaps(win, src) else None
        if win is None:
            elevation = np.full((1, 1), np.nan)
            transform = src.transform
        else:
            check_window(int(win.width), int(win.height), source=str(path))
            elevation = src.read(1, window=win, masked=True).astype("float64").filled(np.nan)
            # the window's transform, composed with @ (rasterio's window_transform still uses
            # affine's deprecated `*`, a warning on every build)
            transform = src.transform @ Affine.translation(win.col_off, win.row_off)
        crs = src.crs
        pixel_m = _pixel_m(crs, transform, float(np.nanmedian(y[ok])), body)
    dy, dx = np.gradient(elevation, pixel_m[1], pixel_m[0]) if min(elevation.shape) > 1 else (
        np.full_like(elevation, np.nan), np.full_like(elevation, np.nan))
    slope = np.degrees(np.arctan(np.hypot(dx, dy)))
    return Dem(os.path.basename(str(path)), elevation, slope, transform, crs.to_wkt(), pixel_m)


def _overlaps(win: Window, src) -> bool:
    return (win.col_off < src.width and win.row_off < src.height
            and win.col_off + win.width > 0 and win.row_off + win.height > 0)


def _pixel_m(crs, transform: Affine, y_mid: float, body: geodesy.Body) -> tuple[float, float]:
    """Ground size of a pixel, metres: the CRS units, or degrees on the body's sphere."""
    if crs.is_geographic:
        radius = body.radius_m
        per_deg = radius * math.pi / 180.0
        return (abs(transform.a) * per_deg * math.cos(math.radians(y_mid)), abs(transform.e) * per_deg)
    factor = crs.linear_units_factor[1] if crs.linear_units_factor else 1.0
    return abs(transform.a) * factor, abs(transform.e) * factor


def _bilinear(grid: np.ndarray, transform: Affine, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear value of ``grid`` at DEM-CRS coordinates (pixel centres as nodes); NaN outside."""
    col, row = ~transform @ (x, y)
    col, row = np.asarray(col) - 0.5, np.asarray(row) - 0.5
    c0, r0 = np.floor(col).astype("int64"), np.floor(row).astype("int64")
    fc, fr = col - c0, row - r0
    h, w = grid.shape
    inside = (c0 >= 0) & (r0 >= 0) & (c0 + 1 < w) & (r0 + 1 < h)
    out = np.full(col.shape, np.nan)
    if inside.any():
        c, r, a, b = c0[inside], r0[inside], fc[inside], fr[inside]
        out[inside] = ((1 - a) * (1 - b) * grid[r, c] + a * (1 - b) * grid[r, c + 1]
                       + (1 - a) * b * grid[r + 1, c] + a * b * grid[r + 1, c + 1])
    return out


def sample_dem(dem: Dem, lon_deg, lat_deg, *, what: str = "elevation") -> np.ndarray:
    """Bilinear ``elevation`` (metres) or ``slope`` (degrees) of the DEM at lon/lat points; NaN outside."""
    grid = dem.elevation_m if what == "elevation" else dem.slope_deg
    x, y = geodesy.lonlat_to_crs_transformer(dem.crs_wkt).transform(
        np.asarray(lon_deg, "float64"), np.asarray(lat_deg, "float64"))
    return _bilinear(grid, dem.transform, np.asarray(x), np.asarray(y))


def _drive_profile(dem: Dem, line, length_2d_m: float) -> dict[str, float]:
    """Terrain columns of one drive (LineString lon/lat), densified to the DEM's pixel size."""
    nan = dict.fromkeys(DRIVE_TERRAIN_COLUMNS, math.nan)
    if line is None or line.is_empty or not length_2d_m > 0:
        return nan
    to_dem = geodesy.lonlat_to_crs_transformer(dem.crs_wkt)
    coords = np.asarray(line.coords)
    x, y = to_dem.transform(coords[:, 0], coords[:, 1])
    in_dem = shapely.segmentize(shapely.linestrings(np.column_stack([x, y])),
                                max_segment_length=abs(dem.transform.a))
    pts = shapely.get_coordinates(in_dem)
    z = _bilinear(dem.elevation_m, dem.transform, pts[:, 0], pts[:, 1])
    slope = _bilinear(dem.slope_deg, dem.transform, pts[:, 0], pts[:, 1])
    if not np.isfinite(z).all():
        return nan
    step = np.hypot(*np.diff(pts, axis=0).T)
    dh = length_2d_m * step / step.sum()  # the reconstruction's horizontal metres, spread along
    dz = np.diff(z)
    seg_grade = np.degrees(np.arctan2(np.abs(dz), np.where(dh > 0, dh, np.nan)))
    return {
        "elevation_gain_m": float(dz[dz > 0].sum()),
        "elevation_loss_m": float(-dz[dz < 0].sum()),
        "slope_max_deg": float(np.max(slope)),
        "slope_mean_deg": float(np.mean(slope)),
        "grade_deg": float(np.degrees(np.arctan2(z[-1] - z[0], length_2d_m))),
        "grade_max_deg": float(np.nanmax(seg_grade)) if np.isfinite(seg_grade).any() else math.nan,
        "length_terrain_m": float(np.hypot(dh, dz).sum()),
    }


def add_terrain(trav, dem_path: str | os.PathLike):
    """A copy of a :class:`~traverse.path.reconstruct.Traverse` with terrain columns from a DEM.

    Parameters
    ----------
    trav
        The reconstructed traverse (tables in lon/lat on the Moon sphere).
    dem_path
        Single-band GeoTIFF in a lunar CRS, metres of elevation.

    Returns
    -------
    Traverse
        Same tables with ``elevation_m`` on stations, the drive columns of
        :data:`DRIVE_TERRAIN_COLUMNS` and ``elevation_gain_m`` /
        ``elevation_loss_m`` per lunar day (module docstring).
    """
    points = [trav.stations.geometry] + ([trav.drives.geometry] if len(trav.drives) else [])
    coords = np.concatenate([shapely.get_coordinates(g.to_numpy()) for g in points])
    dem = read_dem(dem_path, coords[:, 0], coords[:, 1], body=trav.mission.body)
    stations = trav.stations.copy()
    stations["elevation_m"] = sample_dem(dem, stations["lon"], stations.geometry.y)
    drives = trav.drives.copy()
    rows = [_drive_profile(dem, g, float(length))
            for g, length in zip(drives.geometry, drives["length_2d_m"], strict=True)]
    terrain = pd.DataFrame(rows, columns=DRIVE_TERRAIN_COLUMNS, index=drives.index, dtype="float64")
    drives[DRIVE_TERRAIN_COLUMNS] = terrain
    days = trav.days.copy()
    per_day = drives.groupby("lunar_day")[["elevation_gain_m", "elevation_loss_m"]].sum(min_count=1)
    for col in ("elevation_gain_m", "elevation_loss_m"):
        days[col] = days["lunar_day"].map(per_day[col]).astype("float64")
    missing = int(stations["elevation_m"].isna().sum()) + int(terrain["grade_deg"].isna().sum())
    if missing:
        warnings.warn(
            f"DEM {dem.name}: {stations['elevation_m'].isna().sum()} stations and"
            f" {terrain['grade_deg'].isna().sum()} drives lie (partly) outside it or on nodata;"
            " their terrain values are missing",
            TerrainWarning, stacklevel=2,
        )
    return replace(trav, stations=stations, drives=drives, days=days)
