"""Write the ``frames`` table as CSV or GeoParquet (GeoPackage: :mod:`layers.geopackage`)."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from traverse.schema import INDEX_CSV_COLUMNS

__all__ = ["write_frames"]


def write_frames(frames: gpd.GeoDataFrame, path: str | os.PathLike) -> Path:
    """Write ``frames`` to ``path`` by its suffix.

    ``.csv`` holds :data:`traverse.schema.INDEX_CSV_COLUMNS` with ISO-8601 UTC
    times (lon/lat in degrees, x/y/z in lander ENU metres); ``.parquet``
    holds every column and the geometry in ``IAU_2015:30100``.
    The file is written next to its final name and renamed into place, so a
    failed write leaves the previous file intact.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    tmp = path.with_name(f".partial-{path.name}")
    try:
        if suffix == ".csv":
            table = frames[INDEX_CSV_COLUMNS].copy()
            for col in ("time_utc",):
                table[col] = table[col].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").str.replace(
                    r"(\.\d{3})\d{3}Z$", r"\1Z", regex=True
                )
            table.to_csv(tmp, index=False, float_format="%.12g")
        elif suffix == ".parquet":
            frames.to_parquet(tmp)
        else:
            raise ValueError(f"{path}: unknown output format {suffix!r}; use .csv or .parquet")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
