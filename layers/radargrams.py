"""Radargram images beside the map: ``NAME_files/radar/<drive_id>_<product>.png``.

One greyscale PNG per drive and radar product, one pixel column per radargram
column (:attr:`traverse.science.radargram.Radargram.along_m`, even along-track
spacing) and one row per sample (two-way time downwards).  Grey levels are a
percentile stretch of the processed values (:data:`STRETCH_PERCENT` to
100 − it, clipped); a column no trace reaches (NaN) is transparent.  Written
straight into ``NAME_files/`` as the JPEGs are: ``build`` writes that folder in
its staging folder (:func:`traverse.outputs.output_set`), which makes it
appear whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

__all__ = ["STRETCH_PERCENT", "RADAR_FOLDER", "radargram_pixels", "write_radargram_png",
           "write_radargrams"]

#: Percentile clipped at each end of the grey stretch.
STRETCH_PERCENT = 2.0
#: Sub-folder of ``NAME_files/`` holding the radargram PNGs.
RADAR_FOLDER = "radar"


def radargram_pixels(image: np.ndarray) -> np.ndarray:
    """(rows, columns, 2) uint8 grey + alpha of a radargram image (NaN: alpha 0)."""
    finite = np.isfinite(image)
    grey = np.zeros(image.shape, dtype="uint8")
    if finite.any():
        lo, hi = np.percentile(image[finite], [STRETCH_PERCENT, 100.0 - STRETCH_PERCENT])
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        grey[finite] = np.clip((image[finite] - lo) * scale, 0, 255).astype("uint8")
    alpha = np.where(finite, 255, 0).astype("uint8")
    return np.dstack([grey, alpha])


def write_radargram_png(path: Path, image: np.ndarray) -> Path:
    """Write one radargram image (samples × columns, NaN columns transparent) as a PNG."""
    from PIL import Image

    Image.fromarray(radargram_pixels(image)).save(path, format="PNG")
    return path


def write_radargrams(folder: Path, radargrams: Iterable) -> dict[tuple[int, str], str]:
    """Write every radargram under ``folder/radar/``; their paths relative to ``folder``'s parent.

    Parameters
    ----------
    folder
        ``maps/NAME_files``.
    radargrams
        :class:`traverse.science.along_track.DriveRadargram` items.

    Returns
    -------
    dict
        ``(drive_id, product_id)`` → ``NAME_files/radar/<drive_id>_<product>.png``.
    """
    out = {}
    for dr in radargrams:
        name = f"{dr.drive_id}_{dr.product_id}.png"
        path = folder / RADAR_FOLDER / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_radargram_png(path, dr.radargram.image)
        out[(dr.drive_id, dr.product_id)] = f"{folder.name}/{RADAR_FOLDER}/{name}"
    return out
