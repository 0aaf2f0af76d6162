"""traverse: Chang'e-4 (Yutu-2) rover archive → lunar traverse maps.

The pipeline is a chain of small functions over GeoDataFrames::

    read_frames(paths) -> frames -> reconstruct(frames) -> stations, drives, days -> layers

Positions are in the lander ENU frame (metres east/north/up of the lander) and
in ``IAU_2015:30100`` (degrees east/north on the 1 737 400 m Moon sphere).
"""

from importlib.metadata import PackageNotFoundError, version

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
from .geodesy import MOON, enu_to_lonlat, lander_site, lonlat_to_enu
from .path.reconstruct import Traverse, reconstruct
from .path.settings import ReconstructionSettings
from .read.archive import open_archive
from .read.frames import read_frames

try:
    __version__ = version("traverse")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "read_frames",
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
