"""traverse: Chang'e-4 (Yutu-2) rover archive → lunar traverse maps.

The pipeline is a chain of small functions over GeoDataFrames::

    read_frames(paths) -> frames -> reconstruct(frames) -> stations, drives, days -> layers

Positions are in the lander ENU frame (metres east/north/up of the lander) and
in ``IAU_2015:30100`` (degrees east/north on the 1 737 400 m Moon sphere).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    ArchiveError,
    LabelError,
    LayoutError,
    OutputError,
    RecordError,
    SiteMismatchError,
    TraverseError,
    UnsafeXMLError,
)

if TYPE_CHECKING:  # the names below are imported on first use (PEP 562): ``traverse --help`` needs no pandas
    from .geodesy import MOON, enu_to_lonlat, lander_site, lonlat_to_enu
    from .path.reconstruct import Traverse, reconstruct
    from .path.settings import ReconstructionSettings
    from .read.archive import open_archive
    from .read.frames import read_frames
    from .science.along_track import science_of

#: Where each lazily imported name of :data:`__all__` lives.
_LAZY = {
    "MOON": "traverse.geodesy",
    "enu_to_lonlat": "traverse.geodesy",
    "lander_site": "traverse.geodesy",
    "lonlat_to_enu": "traverse.geodesy",
    "Traverse": "traverse.path.reconstruct",
    "reconstruct": "traverse.path.reconstruct",
    "ReconstructionSettings": "traverse.path.settings",
    "open_archive": "traverse.read.archive",
    "read_frames": "traverse.read.frames",
    "science_of": "traverse.science.along_track",
}


def __getattr__(name: str):
    """The verbs and constants of :data:`__all__`, imported when first asked for (PEP 562)."""
    import importlib

    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("traverse")
        except PackageNotFoundError:  # running from a source tree that is not installed
            value = "0+unknown"
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'traverse' has no attribute {name!r}")
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "read_frames",
    "science_of",
    "reconstruct",
    "Traverse",
    "ReconstructionSettings",
    "open_archive",
    "MOON",
    "enu_to_lonlat",
    "lonlat_to_enu",
    "lander_site",
    "TraverseError",
    "ArchiveError",
    "LabelError",
    "RecordError",
    "UnsafeXMLError",
    "LayoutError",
    "OutputError",
    "SiteMismatchError",
    "__version__",
]
