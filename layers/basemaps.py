"""Orbital basemaps for the web map: GeoTIFFs warped to the lunar web Mercator, tile registry.

A GeoTIFF in any lunar CRS is reprojected with :func:`rasterio.warp.reproject`
to :func:`traverse.geodesy.web_mercator_crs`, the projection of the web map,
and returned as an RGBA array with its bounds in degrees.  Leaflet stretches
an image overlay linearly between the projected corners of its bounds, so an
image on a Mercator grid is placed exactly; a plate-carrée image would be off
by up to half a pixel-row per degree of latitude.  Single-band elevation
models are drawn as hillshade.

Tile services live in ``basemaps.json`` next to this module (see its
``_comment`` for the two tiling schemes).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS as RioCRS
from rasterio.warp import Resampling, calculate_default_transform, reproject

from traverse import geodesy
from traverse.errors import LROControlWarning
from traverse.missions import Mission
from traverse.rasters import check_open_raster

__all__ = [
    "BasemapImage",
    "warp_basemap",
    "hillshade",
    "write_synthetic_dem",
    "tile_registry",
    "tile_source",
    "raster_kind",
    "warn_lro_control",
]

_REGISTRY = Path(__file__).with_name("basemaps.json")
#: LRO instruments named as words (letters on neither side: NAC_DTM yes, "snack" no).
_LRO_WORDS = re.compile(r"(?<![a-z])(lro|lroc|wac|nac|lola)(?![a-z])", re.IGNORECASE)
#: A single band whose values span more than this is taken as elevation, metres.
_DEM_MIN_RANGE = 1000.0


@dataclass(frozen=True)
class BasemapImage:
    """A raster warped to the lunar web Mercator, ready for an image overlay.

    Parameters
    ----------
    name
        File name of the source raster.
    rgba
        ``(rows, cols, 4)`` uint8 image on the Mercator grid, north up.
    bounds
        ``((south, west), (north, east))``, degrees on :data:`traverse.geodesy.MOON`.
    kind
        ``"dem"`` (drawn as hillshade) or ``"image"``.
    lro
        Why the raster is taken as LRO-controlled (LRO, LROC, WAC, NAC or
        LOLA in its metadata, else in its file name), or ``None``.
    credit
        The raster's credit line (its ``TIFFTAG_COPYRIGHT``, as ``traverse
        basemap get`` writes it), shown on the map; ``""`` when it has none.
    title
        What it is (its ``TRAVERSE_TITLE`` tag), else ``""``.
    """

    name: str
    rgba: np.ndarray
    bounds: tuple[tuple[float, float], tuple[float, float]]
    kind: str
    lro: str | None
    credit: str = ""
    title: str = ""


def _stretch(band: np.ndarray) -> np.ndarray:
    """Scale finite values of *band* to 0–255 between the 2nd and 98th percentile."""
    finite = band[np.isfinite(band)]
    if finite.size == 0:
        return np.zeros(band.shape, "uint8")
    lo, hi = np.percentile(finite, [2, 98])
    scaled = (band - lo) / max(hi - lo, 1e-12) * 255.0
    return np.nan_to_num(np.clip(scaled, 0, 255)).astype("uint8")


def hillshade(
    elevation_m: np.ndarray, pixel_m: float, *, azimuth_deg: float = 315.0, altitude_deg: float = 45.0
) -> np.ndarray:
    """Shade a north-up elevation grid, the usual GIS formula (sun from the north-west).

    Parameters
    ----------
    elevation_m
        2-D heights, metres; NaN where unknown.
    pixel_m
        Ground size of a pixel, metres (both axes).
    azimuth_deg, altitude_deg
        Sun direction, degrees clockwise from north and above the horizon
        (defaults of ``gdaldem hillshade``).

    Returns
    -------
    numpy.ndarray
        uint8 shade, 0 (dark) to 255; 0 where the elevation is NaN.
    """
    dz_dy, dz_dx = np.gradient(elevation_m, pixel_m)
    dz_dn = -dz_dy  # rows run south
    slope = np.arctan(np.hypot(dz_dx, dz_dn))
    aspect = np.arctan2(-dz_dx, -dz_dn)  # direction the slope faces, from north, clockwise
    zen, az = np.radians(90.0 - altitude_deg), np.radians(azimuth_deg)
    shade = np.cos(zen) * np.cos(slope) + np.sin(zen) * np.sin(slope) * np.cos(az - aspect)
    return np.nan_to_num(np.clip(shade, 0, 1) * 255).astype("uint8")


def _is_dem(dtype: str, count: int, values: np.ndarray, units: str | None) -> bool:
    """What the raster holds: one band of floats, of metres, or values spanning over 1000."""
    if count != 1:
        return False
    if np.issubdtype(np.dtype(dtype), np.floating) or (units or "").lower() in ("m", "metre", "meter",
                                                                                 "metres", "meters"):
        return True
    finite = values[np.isfinite(values)]
    return finite.size > 0 and float(finite.max() - finite.min()) > _DEM_MIN_RANGE


def _lro_evidence(src, path: Path) -> str | None:
    """Why a raster is LRO-controlled: its metadata (tags, descriptions, CRS name), else its name."""
    texts = {f"tag {k}": str(v) for k, v in src.tags().items()}
    texts |= {f"band description {i}": d for i, d in enumerate(src.descriptions, 1) if d}
    if src.crs is not None:
        texts["CRS name"] = src.crs.to_wkt().split('"')[1] if '"' in src.crs.to_wkt() else ""
    for where, text in texts.items():
        if m := _LRO_WORDS.search(text):
            return f"its {where} says {m.group(0)!r}"
    if m := _LRO_WORDS.search(path.stem):
        return f"its file name says {m.group(0)!r} (no LRO metadata found)"
    return None


def _read_decimated(src, max_side_px: int) -> tuple[np.ndarray, Affine]:
    """Every band as float32 (NaN for nodata), read at most ``max_side_px`` on a side, and its transform.

    A basemap is shown at most ``max_size_px`` wide: reading it whole would
    allocate its full size (a large mosaic, or a header declaring absurd
    dimensions) for nothing.
    """
    step = max(1.0, max(src.width, src.height) / max_side_px)
    shape = (src.count, max(1, round(src.height / step)), max(1, round(src.width / step)))
    bands = src.read(out_shape=shape, masked=True, resampling=Resampling.average)
    scale = Affine.scale(src.width / shape[2], src.height / shape[1])
    return bands.astype("float32").filled(np.nan), src.transform @ scale


def warp_basemap(path: str | Path, *, max_size_px: int = 2048, kind: str | None = None,
                 body: geodesy.Body = geodesy.MOON_BODY) -> BasemapImage:
    """Warp a GeoTIFF to the body's web Mercator as an RGBA image with lon/lat bounds.

    Parameters
    ----------
    path
        Raster readable by rasterio, in a CRS on ``body``.
    max_size_px
        Longest side of the warped image, pixels (keeps the HTML small).
    kind
        ``"dem"`` (drawn as hillshade) or ``"image"``; by default decided
        from what the raster holds (one band of floats or metres, or values
        spanning over 1000), never from its file name.
    body
        The body of the traverse (default the Moon).

    Returns
    -------
    BasemapImage
        Image and bounds; single-band elevation models come back as hillshade.

    Raises
    ------
    RasterError
        The raster has no CRS or a CRS not on ``body`` (for example WGS 84),
        or an absurd size or transform (:func:`traverse.rasters.check_open_raster`).
    """
    path = Path(path)
    dst_crs = RioCRS.from_wkt(geodesy.web_mercator_crs(body).to_wkt())
    with rasterio.open(path) as src:
        check_open_raster(src, body, what="basemap")
        transform, width, height = calculate_default_transform(
            src.crs, dst_crs, src.width, src.height, *src.bounds
        )
        factor = max(width, height) / max_size_px
        if factor > 1:
            width, height = int(np.ceil(width / factor)), int(np.ceil(height / factor))
            transform = transform @ Affine.scale(factor)
        bands, src_transform = _read_decimated(src, 2 * max_size_px)
        out = np.full((src.count, height, width), np.nan, "float32")
        for i in range(src.count):
            reproject(
                bands[i], out[i], src_transform=src_transform, src_crs=src.crs,
                dst_transform=transform, dst_crs=dst_crs, src_nodata=np.nan,
                dst_nodata=np.nan, resampling=Resampling.bilinear,
            )
        count, dtypes = src.count, src.dtypes
        if kind is None:
            kind = "dem" if _is_dem(dtypes[0], count, bands[0], src.units[0]) else "image"
        elif kind not in ("dem", "image"):
            raise ValueError(f"basemap kind must be 'dem' or 'image', got {kind!r}")
        lro = _lro_evidence(src, path)
        tags = src.tags()
    west, north = transform.c, transform.f
    east, south = west + transform.a * width, north + transform.e * height
    (lon_w, lon_e), (lat_s, lat_n) = geodesy.web_mercator_to_lonlat([west, east], [south, north], body)
    valid = np.all(np.isfinite(out), axis=0)
    rgba = np.zeros((height, width, 4), "uint8")
    if kind == "dem":
        lat_mid = np.radians(0.5 * (lat_s + lat_n))
        ground_px_m = transform.a * np.cos(lat_mid)  # Mercator metres -> metres on the body
        grey = hillshade(out[0], ground_px_m)
        rgba[..., :3] = grey[..., None]
    elif count >= 3:
        for i in range(3):
            rgba[..., i] = np.nan_to_num(out[i]) if dtypes[i] == "uint8" else _stretch(out[i])
    else:
        rgba[..., :3] = _stretch(out[0])[..., None]
    rgba[..., 3] = np.where(valid, 255, 0)
    return BasemapImage(
        name=path.name,
        rgba=rgba,
        bounds=((float(lat_s), float(lon_w)), (float(lat_n), float(lon_e))),
        kind=kind,
        lro=lro,
        credit=tags.get("TIFFTAG_COPYRIGHT", ""),
        title=tags.get("TRAVERSE_TITLE", ""),
    )


def write_synthetic_dem(
    path: str | Path,
    *,
    center_lon: float,
    center_lat: float,
    size_m: float = 1200.0,
    pixel_m: float = 2.0,
    seed: int = 4,
) -> Path:
    """Write a SYNTHETIC elevation model (craters as Gaussian dips) for demos and tests.

    Not real data: the file name must contain ``synthetic`` and the TIFF
    description says so.  The grid is the lander-centred azimuthal-equidistant
    CRS of :func:`traverse.geodesy.local_crs`, centred on the given point.

    Parameters
    ----------
    path
        Output GeoTIFF, e.g. ``maps/synthetic_dem.tif``.
    center_lon, center_lat
        Centre of the grid, degrees east/north on the Moon sphere.
    size_m
        Side of the square grid, metres.
    pixel_m
        Pixel size, metres.
    seed
        Random seed of the crater field (reproducible output).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    path = Path(path)
    if "synthetic" not in path.name.lower():
        raise ValueError(f"synthetic DEM {path.name!r}: the file name must contain 'synthetic'")
    n = int(round(size_m / pixel_m))
    half = n * pixel_m / 2.0
    coords = (np.arange(n) + 0.5) * pixel_m - half
    e, nn = np.meshgrid(coords, -coords)  # row 0 is the north edge
    rng = np.random.default_rng(seed)
    z = 0.004 * e - 0.002 * nn  # a gentle regional slope
    for _ in range(40):
        ce, cn = rng.uniform(-half, half, 2)
        radius = rng.pareto(1.8) * 8.0 + 6.0
        r2 = (e - ce) ** 2 + (nn - cn) ** 2
        z -= 0.3 * radius * np.exp(-r2 / (2 * (radius / 2) ** 2))  # bowl
        z += 0.06 * radius * np.exp(-((np.sqrt(r2) - radius) ** 2) / (2 * (radius / 4) ** 2))
    site = geodesy.LanderSite(center_lon, center_lat, 0.0, "custom")
    profile = {
        "driver": "GTiff", "width": n, "height": n, "count": 1, "dtype": "float32",
        "crs": RioCRS.from_wkt(geodesy.local_crs(site).to_wkt()),
        # not from_origin: it composes with affine's deprecated `*`
        "transform": Affine.translation(-half, half) @ Affine.scale(pixel_m, -pixel_m),
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z.astype("float32"), 1)
        dst.update_tags(
            TIFFTAG_IMAGEDESCRIPTION=(
                "SYNTHETIC DEM, not real data: Gaussian crater dips generated by"
                " layers.basemaps.write_synthetic_dem for the traverse web-map demo"
            )
        )
        dst.set_band_description(1, "synthetic elevation, metres")
    return path


@cache
def tile_registry() -> dict[str, dict]:
    """Tile services of ``basemaps.json`` by name (entries starting with ``_`` skipped)."""
    entries = json.loads(_REGISTRY.read_text(encoding="utf-8"))
    return {k: v for k, v in entries.items() if not k.startswith("_")}


def tile_source(name: str) -> dict:
    """Look up one tile service of ``basemaps.json``; raise ``KeyError`` naming the choices."""
    registry = tile_registry()
    try:
        return dict(registry[name], name=name)
    except KeyError:
        raise KeyError(
            f"unknown tile service {name!r}: expected one of {sorted(registry)}"
            f" (layers/basemaps.json)"
        ) from None


def raster_kind(path: str | Path) -> str:
    """``dem`` (drawn as hillshade) or ``image``: :func:`warp_basemap`'s rule, on a 256-pixel overview."""
    with rasterio.open(path) as src:
        bands, _ = _read_decimated(src, 256)
        return "dem" if _is_dem(src.dtypes[0], src.count, bands[0], src.units[0]) else "image"


def warn_lro_control(sources: Iterable[str], site: geodesy.LanderSite, mission: Mission) -> None:
    """Warn once when LRO-based basemaps meet a traverse not tied to ``--control lro``.

    ``sources`` are ``"NAME (why it is taken as LRO)"`` strings.  The message
    names the mission and the offset between its ``label`` and ``lro`` sites
    (metres on the body's sphere, from the mission's TOML); a mission without
    an ``lro`` site is not warned about.
    """
    names = list(sources)
    lro = mission.sites.get("lro")
    if not names or lro is None or str(site.name).lower() == "lro":
        return
    geod = site.body.crs.get_geod()
    offset_m = geod.inv(site.lon_deg, site.lat_deg, lro.lon_deg, lro.lat_deg)[2]
    warnings.warn(
        f"{mission.name} {mission.rover} traverse: basemaps {'; '.join(names)} are controlled to LRO"
        f" data but the traverse uses control {site.name!r}: its {mission.lander_name} lies"
        f" {offset_m:.0f} m from the LRO-registered position; rebuild the traverse with --control lro",
        LROControlWarning,
        stacklevel=4,
    )
