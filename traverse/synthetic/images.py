"""SYNTHETIC camera images for the sample archive: a shaded procedural terrain seen from a mast.

Nothing here is mission data.  :func:`render_view` draws what a pinhole camera
on a mast would see of an invented regolith surface, so that the sample's PCAM
and TCAM labels have data files that look like something.  Frames are in the
lander's east-north-up frame (x east, y north, z up, metres); azimuths are
degrees clockwise from north, elevations degrees above the horizon (negative
looks down).

The scene
    The ground is the plane through the camera's foot point with the given
    slope; each pixel's ray is cut with that plane (the relief below only
    shades, it does not move the ground: bump mapping).  Above the horizon the
    sky is black (the Moon has no air).
The relief
    Multi-octave value noise (wavelengths 6.4 m down to 6.5 cm) plus scattered
    craters (3 cm to 2.2 m radius, in three sizes) and a few rocks, all in WORLD
    coordinates and seeded, so overlapping frames of a mosaic agree at their
    seams and the same seed always gives the same pixels.  Octaves and
    features smaller than about two pixels' footprint on the ground fade out
    (no moiré).
The light
    Lambertian: brightness is the cosine of the Sun's angle to the relief's
    normal over the cosine of its incidence on level ground, times a grey-brown
    regolith tone with a low-frequency albedo, slightly darker with distance.
    Cast shadows are not drawn.

The top-left corner carries a stamp drawn with Pillow's default font:
"SYNTHETIC" and a short description of the product.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["MAST_HEIGHT_M", "horizontal_fov_deg", "render_view", "terrain_relief", "write_image_data"]

#: Height of the camera above the ground at its foot point, metres (the Yutu-2 mast is about 1.5 m).
MAST_HEIGHT_M = 1.5

#: Value-noise octaves: (wavelength m, amplitude m).  Amplitude ~ wavelength: a gently rolling surface.
_OCTAVES = ((6.4, 0.12), (3.0, 0.056), (1.4, 0.03), (0.65, 0.015), (0.3, 0.0075),
            (0.14, 0.004), (0.065, 0.002))
#: Scattered features, at most one per square cell: (kind, cell side m, smallest and largest
#: radius m, chance that a cell holds one).  Many small craters, fewer large ones, a few rocks.
_FEATURES = (("crater", 8.0, 0.4, 2.2, 0.5), ("crater", 1.5, 0.08, 0.4, 0.5),
             ("crater", 0.5, 0.03, 0.13, 0.45), ("rock", 1.2, 0.02, 0.12, 0.12))
_REACH = 1.8  # radii around a feature's centre that it shapes
_TABLE = 256  # side of each periodic lattice of random values
_CELLS = 64  # side of each periodic lattice of feature cells
_TONE_RGB = np.array([1.0, 0.955, 0.90], np.float32)  # grey, a little brown
_GREY = 105.0  # 8-bit grey of level, average regolith
_FADE_M = 40.0  # distance at which the brightness has dropped by a third


def _packed(table: np.ndarray) -> np.ndarray:
    """A periodic lattice as (side², 4): each node's own value and its east, north, north-east neighbours."""
    east = np.roll(table, -1, axis=1)
    return np.stack([table, east, np.roll(table, -1, axis=0), np.roll(east, -1, axis=0)],
                    axis=-1).reshape(-1, 4)


@lru_cache(maxsize=4)
def _tables(seed: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Random lattices of one seed: octave values in [-1, 1] (packed), feature cells, albedo (packed)."""
    rng = np.random.default_rng(seed)
    octaves = [_packed(rng.uniform(-1.0, 1.0, (_TABLE, _TABLE)).astype(np.float32)) for _ in _OCTAVES]
    cells = rng.uniform(0.0, 1.0, (len(_FEATURES), _CELLS * _CELLS, 4)).astype(np.float32)
    albedo = _packed(rng.uniform(-1.0, 1.0, (_TABLE, _TABLE)).astype(np.float32))
    return octaves, cells, albedo


def _value_noise(packed: np.ndarray, x: np.ndarray, y: np.ndarray):
    """Smooth value noise of a periodic lattice at (x, y) in lattice units, and its x/y derivatives.

    Smoothstep-weighted bilinear interpolation of the lattice values; written
    with in-place operations, as it is most of a rendering's time.
    """
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = x - x0, y - y0
    idx = y0.astype(np.int32)
    idx &= _TABLE - 1
    idx <<= 8
    idx |= x0.astype(np.int32) & (_TABLE - 1)
    a, b, c, d = packed[idx].T
    ba, ca = b - a, c - a
    k = d - c
    k -= ba  # a - b - c + d
    u, v = fx * fx, fy * fy
    u *= 3 - 2 * fx
    v *= 3 - 2 * fy
    du, dv = 1 - fx, 1 - fy
    du *= 6 * fx
    dv *= 6 * fy
    kv, ku = k * v, k * u
    value = ba * u
    value += a
    value += ca * v
    value += kv * u
    kv += ba
    kv *= du
    ku += ca
    ku *= dv
    return value, kv, ku


def _profile(kind: str, rho: np.ndarray, radius_m: np.ndarray, depth_ratio: np.ndarray):
    """Height (m) and d height / d rho of a crater or rock at ``rho`` radii from its centre.

    A crater is a smooth bowl ``depth_ratio`` radii deep with a rim a quarter
    as high; a rock a half-buried boulder 0.7 radius high.
    """
    inside = rho < 1.0
    if kind == "rock":
        top = np.sqrt(np.maximum(1.0 - rho * rho, 0.04))
        return (np.where(inside, 0.7 * radius_m * top, 0.0),
                np.where(inside, -0.7 * radius_m * rho / top, 0.0))
    depth = depth_ratio * radius_m
    bowl = np.where(inside, 1.0 - rho * rho, 0.0)
    rim = 0.25 * depth * np.exp(-(((rho - 1.0) / 0.3) ** 2))
    return -depth * bowl * bowl + rim, 4.0 * depth * rho * bowl - rim * (rho - 1.0) * (2 / 0.09)


def _features(cells: np.ndarray, feature, e: np.ndarray, n: np.ndarray, footprint_m):
    """One layer of scattered craters or rocks at ground points (e, n), metres.

    Each square cell holds at most one feature, wholly inside it (rim included);
    features smaller than about two pixels' footprint fade out.  Returns the
    indices of the points a feature shapes and there its height (m) and
    east/north slopes.
    """
    kind, side, r_min, r_max, chance = feature
    ce, cn = e / side, n / side
    ie, in_ = np.floor(ce), np.floor(cn)
    draw = cells[((in_.astype(np.int32) & (_CELLS - 1)) << 6) | (ie.astype(np.int32) & (_CELLS - 1))]
    idx = np.flatnonzero(draw[:, 0] < chance)
    p, ce, cn, ie, in_ = draw[idx], ce[idx], cn[idx], ie[idx], in_[idx]
    radius = (r_min + (r_max - r_min) * p[:, 3] ** 2) / side  # cell units; many small, few large
    radius = np.minimum(radius, 0.5 / _REACH)  # never cut by the cell's edge
    room = 1.0 - 2 * _REACH * radius
    dx = ce - (ie + _REACH * radius + p[:, 1] * room)
    dy = cn - (in_ + _REACH * radius + p[:, 2] * room)
    rho = np.sqrt(dx * dx + dy * dy) / radius  # distance from the centre in radii
    near = np.flatnonzero(rho < _REACH)
    idx, p, radius, dx, dy, rho = idx[near], p[near], radius[near], dx[near], dy[near], rho[near]
    # fresh (0.2 radius deep) to worn (0.05): the cell's draw below ``chance`` says which
    h, dh = _profile(kind, rho, radius * side, 0.05 + 0.15 * p[:, 0] / chance)
    weight = 1.0 if footprint_m is None else np.clip(radius * side / footprint_m[idx] - 1.0, 0.0, 1.0)
    scale = weight * dh / np.maximum(rho * radius * radius * side, 1e-6)  # per metre, along (dx, dy)
    return idx, weight * h, scale * dx, scale * dy


def terrain_relief(e, n, *, footprint_m=None, seed: int = 2019):
    """The synthetic relief at ground points: height and slopes.

    Parameters
    ----------
    e, n
        Ground points, lander ENU metres (x east, y north); 1-D arrays of equal length.
    footprint_m
        Size of a pixel on the ground there, metres: octaves and features
        smaller than about two footprints fade out.  ``None`` keeps them all.
    seed
        The same seed gives the same relief.

    Returns
    -------
    tuple of numpy.ndarray
        Height above the mean ground (m), dz/de and dz/dn (dimensionless).
    """
    e, n = np.asarray(e, np.float32).ravel(), np.asarray(n, np.float32).ravel()
    octaves, cells, _ = _tables(seed)
    h, ge, gn = (np.zeros_like(e) for _ in range(3))
    if footprint_m is not None:
        footprint_m = np.broadcast_to(np.asarray(footprint_m, np.float32).ravel(), e.shape)
    for layer, feature in zip(cells, _FEATURES, strict=True):
        idx, fh, fe, fn = _features(layer, feature, e, n, footprint_m)
        h[idx] += fh  # one feature per cell: no point is listed twice
        ge[idx] += fe
        gn[idx] += fn
    for k, (wavelength, amplitude) in enumerate(_OCTAVES):
        weight = amplitude if footprint_m is None else amplitude * np.clip(
            wavelength / (2.0 * footprint_m) - 1.0, 0.0, 1.0)
        if footprint_m is not None and not np.any(weight):
            continue
        # each octave turned and shifted differently, so the lattices' periods do not line up
        x = (e * 0.8 + n * 0.6) / wavelength + 17.3 * k
        y = (n * 0.8 - e * 0.6) / wavelength - 9.1 * k
        v, dx, dy = _value_noise(octaves[k], x, y)
        h = h + weight * v
        ge = ge + weight / wavelength * (0.8 * dx - 0.6 * dy)
        gn = gn + weight / wavelength * (0.6 * dx + 0.8 * dy)
    return h, ge, gn


def horizontal_fov_deg(camera) -> float:
    """Horizontal field of view, degrees, of ``(focal_length_mm, pixel_size_um, samples, lines, bands)``."""
    focal_mm, pixel_um, samples = camera[0], camera[1], camera[2]
    return float(np.degrees(2 * np.arctan(pixel_um * 1e-3 * samples / 2 / focal_mm)))


def _rays(azimuth_deg: float, elevation_deg: float, camera) -> tuple[np.ndarray, ...]:
    """Unit ray of every pixel as east, north, up components, each (lines, samples); line 0 at the top."""
    focal_mm, pixel_um, samples, lines = camera[:4]
    a, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    forward = np.array([np.sin(a) * np.cos(el), np.cos(a) * np.cos(el), np.sin(el)])
    right = np.array([np.cos(a), -np.sin(a), 0.0])
    up = np.cross(right, forward)
    p = pixel_um * 1e-3  # mm on the sensor
    x = ((np.arange(samples) + 0.5 - samples / 2) * p).astype(np.float32)[None, :]
    y = ((lines / 2 - np.arange(lines) - 0.5) * p).astype(np.float32)[:, None]
    parts = [np.float32(focal_mm * forward[k]) + np.float32(right[k]) * x + np.float32(up[k]) * y
             for k in range(3)]
    norm = np.sqrt(parts[0] ** 2 + parts[1] ** 2 + parts[2] ** 2)
    return tuple(part / norm for part in parts)


def _sun(sun) -> np.ndarray:
    """Unit vector towards the Sun (E, N, U) from (incidence from the zenith, azimuth), degrees."""
    inc, az = np.radians(sun[0]), np.radians(sun[1])
    return np.array([np.sin(inc) * np.sin(az), np.sin(inc) * np.cos(az), np.cos(inc)], np.float32)


def _shade(ground_e, ground_n, rng_m, grazing, slope, sun, ifov, seed) -> np.ndarray:
    """8-bit-scale brightness (float) of ground points seen at ``rng_m`` metres and ``grazing`` sine."""
    footprint = rng_m * ifov / np.maximum(grazing, 0.02)
    _, ge, gn = terrain_relief(ground_e, ground_n, footprint_m=footprint, seed=seed)
    ge, gn = ge + slope[0], gn + slope[1]
    s = _sun(sun)
    lambert = np.maximum((s[2] - ge * s[0] - gn * s[1]) / np.sqrt(1 + ge * ge + gn * gn), 0.0)
    albedo, _, _ = _value_noise(_tables(seed)[2], ground_e / 9.0 + 3.7, ground_n / 9.0 - 5.3)
    tone = _GREY * (1.0 + 0.12 * albedo) / (1.0 + rng_m / (2 * _FADE_M))
    return tone * lambert / max(float(s[2]), 0.05)


def render_view(position_enu, azimuth_deg: float, elevation_deg: float, camera, *,
                mast_m: float = MAST_HEIGHT_M, slope=(0.0, 0.0), sun=(70.0, 95.0),
                text: str = "", seed: int = 2019) -> np.ndarray:
    """A SYNTHETIC image of the terrain seen from a mast, shape (lines, samples, bands), uint8.

    Three bands are RGB (grey-brown regolith); any other number repeats one grey.

    Parameters
    ----------
    position_enu
        The ground under the camera (x east, y north, z up), lander ENU metres.
    azimuth_deg, elevation_deg
        The optical axis: degrees clockwise from north, degrees above the horizon.
    camera
        ``(focal_length_mm, pixel_size_um, samples, lines, bands)``, as a label's
        ``Instrument_Parm`` and ``Array_3D_Image`` give them (pinhole camera).
    mast_m
        Camera height above ``position_enu``, metres.
    slope
        dz/de and dz/dn of the ground plane through ``position_enu``.
    sun
        (incidence from the zenith, azimuth clockwise from north) of the Sun, degrees.
    text
        Short product description stamped after "SYNTHETIC" in the top-left corner.
    seed
        The terrain's seed: the same seed gives the same world, pixel for pixel.
    """
    de, dn, du = (r.ravel() for r in _rays(azimuth_deg, elevation_deg, camera))
    drop = du - np.float32(slope[0]) * de - np.float32(slope[1]) * dn  # descent per metre of ray
    ground = np.flatnonzero(drop < -1e-4)  # the rest is sky
    if len(ground) < len(drop):
        de, dn, drop = de[ground], dn[ground], drop[ground]
    t = np.float32(-mast_m) / drop  # metres along the ray to the ground
    ifov = camera[1] * 1e-3 / camera[0]  # radians per pixel
    shade = _shade(float(position_enu[0]) + t * de, float(position_enu[1]) + t * dn, t, -drop,
                   slope, sun, ifov, seed)
    grey = np.zeros(camera[3] * camera[2], np.float32)
    grey[ground] = shade
    tone = _TONE_RGB if camera[4] == 3 else np.ones(camera[4], np.float32)
    pixels = np.clip(grey.reshape(camera[3], camera[2], 1) * tone + 0.5, 0, 255).astype(np.uint8)
    return _stamp(pixels, f"SYNTHETIC {text}".strip())


@lru_cache(maxsize=1)
def _font():
    return ImageFont.load_default()


def _stamp(pixels: np.ndarray, text: str) -> np.ndarray:
    """``pixels`` (lines, samples, bands) with ``text`` in the top-left corner, white on black."""
    image = Image.fromarray(np.ascontiguousarray(pixels[:, :, 0]))  # 8-bit grey, one band
    draw = ImageDraw.Draw(image)
    _, _, right, bottom = draw.textbbox((3, 2), text, font=_font())
    draw.rectangle((0, 0, right + 2, bottom + 2), fill=0)
    draw.text((3, 2), text, fill=255, font=_font())
    box = np.asarray(image)[: bottom + 3, : right + 3]
    out = pixels.copy()
    out[: box.shape[0], : box.shape[1]] = box[:, :, None]
    return out


def write_image_data(path, array: np.ndarray) -> int:
    """Write ``array`` (lines, samples, bands) of uint8 as the raw bytes of a PDS4 ``Array_3D_Image``.

    The order is the label's "Last Index Fastest" with axes Line, Sample,
    Band: line by line, sample by sample, the bands of a pixel together
    (pixel-interleaved RGB), offset 0.  Returns the number of bytes written.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim != 3:
        raise ValueError(f"need a (lines, samples, bands) uint8 array, not {array.dtype} {array.shape}")
    data = np.ascontiguousarray(array).tobytes()
    Path(path).write_bytes(data)
    return len(data)
