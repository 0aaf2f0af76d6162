"""Write tables: the ``frames`` table (CSV, GeoParquet), the per-day table (CSV), a layer as GeoJSON.

The GeoPackage is :mod:`layers.geopackage`.  Every writer goes through
:func:`traverse.outputs.atomic_output` and writes times with
:func:`traverse.outputs.iso_utc` (``2019-01-03T02:26:00.000Z``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from geopandas import GeoDataFrame

from traverse import geodesy
from traverse.missions import mission_of
from traverse.outputs import atomic_output, iso_utc
from traverse.schema import INDEX_CSV_COLUMNS

__all__ = ["frame_columns", "write_frames", "write_days_csv", "write_geojson", "plain_columns", "joined",
           "require_body_crs", "write_problems"]


def frame_columns(frames: pd.DataFrame, columns: str | Sequence[str] = "all") -> list[str]:
    """The columns of ``frames`` a CSV index holds, in order.

    ``"all"``: every column but the geometry, :data:`traverse.schema.INDEX_CSV_COLUMNS`
    first (lon/lat degrees, x/y/z lander ENU metres, ...) then the rest in the
    table's order (pointing, observed point, images, ...); ``"basic"``: those
    of ``INDEX_CSV_COLUMNS`` only; or a list of names (a name ``frames`` lacks
    raises :class:`ValueError` naming the ones it has).
    """
    have = [c for c in frames.columns if str(frames[c].dtype) != "geometry"]
    basic = [c for c in INDEX_CSV_COLUMNS if c in have]
    if isinstance(columns, str) and columns in ("all", "basic"):
        return basic + ([c for c in have if c not in basic] if columns == "all" else [])
    wanted = [columns] if isinstance(columns, str) else list(columns)
    unknown = [c for c in wanted if c not in have]
    if unknown:
        raise ValueError(f"no frame column {', '.join(map(repr, unknown))};"
                         f" the frames have: {', '.join(have)}")
    return wanted


def write_frames(frames: GeoDataFrame, path: str | os.PathLike, *,
                 columns: str | Sequence[str] = "all") -> Path:
    """Write ``frames`` to ``path`` by its suffix.

    ``.csv`` holds the :func:`frame_columns` chosen by ``columns`` (default
    every column; lon/lat in degrees, x/y/z in lander ENU metres, times ISO
    8601 UTC, lists as ``A;B``); ``.parquet`` (needs the optional
    ``pyarrow``) holds every column, the geometry in ``IAU_2015:30100`` and
    the lander site the lon/lat were computed for.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path}: unknown output format {suffix!r}; use .csv or .parquet")
    names = frame_columns(frames, columns)
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            table = plain_columns(frames[names])
            table.to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n")
        else:
            frames.to_parquet(tmp)
    return path


def write_days_csv(path: str | os.PathLike, days_table_df: pd.DataFrame) -> Path:
    """Write the per-lunar-day table as CSV (no geometry; UTC times as ISO 8601 ``Z``).

    Parameters
    ----------
    path
        Output ``.csv``, replaced atomically.
    days_table_df
        The ``days`` table (a GeoDataFrame is fine: its geometry is dropped).
        Lengths in metres (lander ENU), bearings in degrees clockwise from north;
        floats are written to the millimetre (3 decimals).
    """
    if not isinstance(days_table_df, pd.DataFrame):
        raise TypeError(f"days_table_df must be a DataFrame, got {type(days_table_df).__name__}")
    if "lunar_day" not in days_table_df.columns:
        raise ValueError(
            f"days table has no 'lunar_day' column; columns: {list(days_table_df.columns)}"
        )
    df = plain_columns(mission_of(days_table_df).output_columns(days_table_df))
    path = Path(path)
    with atomic_output(path) as tmp:
        df.to_csv(tmp, index=False, float_format="%.3f", lineterminator="\n")
    return path


def write_geojson(path: str | os.PathLike, layer_gdf: GeoDataFrame) -> Path:
    """Write one layer as GeoJSON that states its body's CRS.

    RFC 7946 GeoJSON assumes WGS 84 on the Earth, so the file carries the
    (2008 GeoJSON) top-level member ``"crs": {"type": "name", "properties":
    {"name": "IAU_2015:30100"}}`` (``IAU_2015:49900`` on Mars), which GDAL and
    geopandas read back as the layer's CRS.  Coordinates are longitude,
    latitude in degrees.

    Parameters
    ----------
    path
        Output ``.geojson``, replaced atomically.
    layer_gdf
        A layer in its site's body CRS (``geodesy.MOON`` for Chang'e-4); times
        are written as ISO 8601 UTC strings.
    """
    gdf = mission_of(layer_gdf).output_columns(require_body_crs("layer_gdf", layer_gdf))
    auth, code = gdf.crs.to_authority()
    props = plain_columns(gdf.drop(columns=gdf.geometry.name))
    plain = GeoDataFrame(props, geometry=gdf.geometry.to_numpy(), crs=None)
    doc = json.loads(plain.to_json(na="null", show_bbox=False, drop_id=True))
    doc = {
        "type": "FeatureCollection",
        "name": Path(path).stem,
        "crs": {"type": "name", "properties": {"name": f"{auth}:{code}"}},
        "features": doc["features"],
    }
    path = Path(path)
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return path


def require_body_crs(name: str, gdf: object) -> GeoDataFrame:
    """``gdf`` itself if it is a GeoDataFrame in its body's geographic CRS; else a clear error.

    The body is the one of the lander site ``gdf`` is tagged with
    (:func:`traverse.geodesy.site_of`), the Moon (:data:`traverse.geodesy.MOON`) when untagged.
    """
    if not isinstance(gdf, GeoDataFrame):
        raise TypeError(f"layer {name!r} must be a GeoDataFrame, got {type(gdf).__name__}")
    site = geodesy.site_of(gdf)
    crs = site.body.crs if site is not None else geodesy.MOON
    what = f"{crs.name}, {':'.join(crs.to_authority())}"
    if gdf.crs is None:
        raise ValueError(f"layer {name!r} has no CRS; expected {what}")
    if not gdf.crs.equals(crs, ignore_axis_order=True):
        raise ValueError(
            f"layer {name!r} is in {gdf.crs.name!r}; expected {what}, longitude/latitude in degrees"
        )
    return gdf


def joined(value: object) -> object:
    """Lists/sets of products or instruments become ``"A;B"`` strings (no list type in GIS formats)."""
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(map(str, sorted(value) if isinstance(value, set | frozenset) else value))
    return value


def plain_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Drop geometry; times to :func:`~traverse.outputs.iso_utc` text; lists to ``"A;B"`` strings."""
    geom = [c for c in df.columns if str(df[c].dtype) == "geometry"]
    out = pd.DataFrame(df.drop(columns=geom)).copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s):
            out[col] = iso_utc(s)
        elif s.dtype == object:
            out[col] = s.map(joined)
    return out


def write_problems(path: str | os.PathLike, problems: pd.DataFrame) -> Path:
    """Write the skipped-products report (``source``, ``reason``, ``count``, ``severity``) as CSV."""
    path = Path(path)
    with atomic_output(path) as tmp:
        problems.to_csv(tmp, index=False, lineterminator="\n")
    return path
