"""The frames table assembled from what the products gave: label rows and radar blocks, column by column.

:func:`assemble_frames` builds each column of
:data:`traverse.schema.FRAMES_COLUMNS` once, from the label products' rows
(dicts) and the radar products' blocks (:data:`Columns`), the cache's rows
among them (:func:`cached_part`); positions are lander ENU metres, converted
to lon/lat (degrees east/north) on the site's body.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from traverse import geodesy
from traverse.schema import FRAMES_COLUMNS

__all__ = ["Columns", "assemble_frames", "cached_part"]

#: A block of frames: ``(columns, rows)``; a column is a numpy array of ``rows`` values, or
#: one value that every row shares (a product's id, instrument, source ...).
Columns = tuple[dict, int]


def cached_part(block: pd.DataFrame) -> Columns:
    """The cached products' frames rows as one more ``(columns, n)`` part for :func:`assemble_frames`.

    Columns come out in :func:`_column`'s kinds: times as naive UTC
    datetime64, numbers as float64 (missing: NaN), text as objects (missing: None).
    """
    columns = {}
    for col in block.columns:
        values = block[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            columns[col] = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
        elif FRAMES_COLUMNS.get(col) in ("float64", "Int64"):
            columns[col] = values.to_numpy(dtype="float64", na_value=np.nan)
        else:
            columns[col] = values.to_numpy(dtype=object, na_value=None)
    return columns, len(block)


def assemble_frames(label_rows: list[dict], lpr_parts: list[Columns], site) -> gpd.GeoDataFrame:
    """One frames table from the label rows and the radar blocks, each column built once."""
    df = pd.DataFrame({col: _column(col, dtype, label_rows, lpr_parts)
                       for col, dtype in FRAMES_COLUMNS.items() if col not in ("lon", "lat")})
    for col in ("time_utc", "stop_utc"):
        df[col] = _to_utc(df[col])
    df["record"] = df["record"].astype("Int64")
    for col, dtype in FRAMES_COLUMNS.items():
        if dtype == "float64" and col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        elif dtype == "str":  # text; a column no product fills stays missing (pd.NA)
            df[col] = df[col].astype("str") if df[col].notna().any() else pd.Series(pd.NA, index=df.index,
                                                                                    dtype=object)
    lon, lat, _ = geodesy.enu_to_lonlat(df["x_east_m"], df["y_north_m"], df["z_up_m"], site)
    df.insert(list(FRAMES_COLUMNS).index("lon"), "lon", lon)
    df.insert(list(FRAMES_COLUMNS).index("lat"), "lat", lat)
    geometry = gpd.points_from_xy(lon, lat)
    geometry[np.isnan(lon) | np.isnan(lat)] = None
    frames = gpd.GeoDataFrame(df, geometry=geometry, crs=site.body.crs)
    frames = frames.sort_values(["time_utc", "product_id", "record"], kind="stable")
    frames = frames.reset_index(drop=True)
    return geodesy.with_site(frames, site)


def _column(col: str, dtype: str, label_rows: list[dict], lpr_parts: list[Columns]) -> np.ndarray:
    """Column ``col`` of every label row, then of every radar block (a shared value repeated).

    Numbers come out as float64 (missing: NaN), times as UTC datetime64, text as objects (missing: None).
    """
    if dtype.startswith("datetime"):
        kind, missing = "datetime64[ns]", None
    elif dtype in ("float64", "Int64"):
        kind, missing = "float64", np.nan
    else:
        kind, missing = object, None
    pieces = []
    if label_rows:
        values = [row.get(col, missing) for row in label_rows]
        if kind == "datetime64[ns]":  # the labels' times: tz-aware Timestamps
            pieces.append(pd.to_datetime(values, utc=True).tz_convert(None).as_unit("ns").to_numpy())
        else:
            pieces.append(np.array(values, dtype=kind))
    for columns, n in lpr_parts:
        value = columns.get(col, missing)
        if isinstance(value, np.ndarray):
            pieces.append(value.astype(kind))
        else:
            pieces.append(np.full(n, missing if value is None else value, dtype=kind))
    if not pieces:
        return np.array([], dtype=kind)
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


def _to_utc(values: pd.Series) -> pd.Series:
    """Times (already parsed and bounded by :mod:`traverse.read.times`, or records') as UTC."""
    out = pd.to_datetime(values, utc=True)
    return out.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
