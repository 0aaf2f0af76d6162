"""What the archive covers: local days with and without data, and the gaps of the path.

Users hold partial archives far more often than the whole release: some lunar
days, one instrument, what a slow portal let through.  The traverse therefore
says what it does not know instead of counting it as zero:

* **Coverage** (:func:`coverage_from_frames`): one row per local day (lunar
  day, sol) from the day the rover drove onto the surface
  (:attr:`traverse.missions.Mission.first_rover_day`) to the last day present,
  each ``covered`` or not.  Days after the last one present are not listed:
  nothing says the rover worked then.
* **Gaps** (:func:`find_gaps`): walking the stations and drives in time order,
  a jump of the rover's position that no drive explains (farther than
  ``max_stop_diameter_m``) is a gap: a straight segment whose length is a
  *lower bound* of the distance driven there, never a drive.  The rover starts
  at the lander, so where the archive begins after the rover's first day, or
  its first position lies farther than ``max_inferred_drive_m`` from the
  lander, the move from the lander is a gap too.  Which station-to-station
  moves are straight inferred drives and which are gaps is decided by
  :func:`traverse.path.drives.drives_from_track` (``max_inferred_lunar_days``,
  ``max_inferred_drive_m``; the evidence is in DESIGN.md, "Partial archives").

Lengths are horizontal (and 3-D) chords in lander ENU metres, never geodesics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse.geodesy import LanderSite, common_site, enu_to_lonlat, lonlat_to_enu, with_site
from traverse.missions import Mission, mission
from traverse.path.settings import DEFAULT_SETTINGS, ReconstructionSettings

__all__ = ["COVERAGE_COLUMNS", "GAPS_COLUMNS", "GAP_ONLY_COLUMNS", "coverage_from_frames", "find_gaps",
           "day_runs", "day_ranges_text", "coverage_summary", "drives_and_gaps", "split_gaps"]

#: ``coverage``: one row per local day from the rover's first day to the last day with data.
COVERAGE_COLUMNS: dict[str, str] = {
    "lunar_day": "int64",  # local day (lunar day, sol; named by the mission in outputs)
    "covered": "bool",  # the archive holds a rover frame of that day
    "frames": "int64",  # rover frames (label products and radar records) of the day
    "first_utc": "datetime64[ns, UTC]",  # first rover frame of the day (NaT: no data)
    "last_utc": "datetime64[ns, UTC]",  # last rover frame's stop (NaT: no data)
}

#: ``gaps``: one row per jump of the rover that no drive explains, LineString geometry not listed.
GAPS_COLUMNS: dict[str, str] = {
    "gap_id": "int64",  # 1, 2, ... in time order
    "lunar_day": "int64",  # local day of end_utc: the gap counts for the day it arrives
    "from_day": "Int64",  # local day of the position before the gap (<NA>: the lander)
    "from_station": "Int64",  # station_id before the gap, <NA> for the lander or a drive end
    "to_station": "Int64",  # station_id after the gap, <NA> for a drive start
    "start_utc": "datetime64[ns, UTC]",  # last time the rover was seen before (NaT: the lander)
    "end_utc": "datetime64[ns, UTC]",  # first time it was seen again
    "length_2d_m": "float64",  # metres, straight horizontal chord (lander ENU): a lower bound
    "length_3d_m": "float64",  # metres, straight chord with the height change: a lower bound
    "missing_days": "str",  # local days without data inside the gap, e.g. "21–61" ("" if none)
    "reason": "str",  # why it is a gap, in words
    "end_x_east_m": "float64",  # position after the gap, metres east of the lander (lander ENU)
    "end_y_north_m": "float64",  # metres north of the lander
    "end_z_up_m": "float64",  # metres above the lander
}


def coverage_from_frames(frames: pd.DataFrame, *, mission_: Mission | None = None) -> pd.DataFrame:
    """Local days from the rover's first day to the last day with data, each covered or not.

    Parameters
    ----------
    frames
        The frames table; rover rows (``role == "rover"``) with a time count.
    mission_
        Default: the mission of the frames' lander site.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COVERAGE_COLUMNS`, one row per day, in order; empty
        when no rover frame has a time.
    """
    from traverse.missions import mission_of

    m = mission_of(frames) if mission_ is None else mission_
    rover = frames.loc[(frames["role"] == "rover") & frames["time_utc"].notna()]
    if len(rover) == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COVERAGE_COLUMNS.items()})
    end = rover["stop_utc"].fillna(rover["time_utc"]) if "stop_utc" in rover else rover["time_utc"]
    span = pd.DataFrame({"lunar_day": m.local_day(rover["time_utc"]), "first_utc": rover["time_utc"],
                         "last_utc": end})
    per = span.groupby("lunar_day").agg(frames=("first_utc", "size"), first_utc=("first_utc", "min"),
                                        last_utc=("last_utc", "max"))
    first = min(int(per.index.min()), m.first_rover_day)
    days = pd.RangeIndex(first, int(per.index.max()) + 1, name="lunar_day")
    out = per.reindex(days)
    out["covered"] = out["frames"].notna()
    out["frames"] = out["frames"].fillna(0).astype("int64")
    out = out.reset_index()[list(COVERAGE_COLUMNS)]
    out.attrs = dict(frames.attrs)
    return out


def _pieces(stations: pd.DataFrame, drives: pd.DataFrame, site: LanderSite) -> pd.DataFrame:
    """Stations and drives in time order, each with where and when it starts and ends (lander ENU)."""
    st = pd.DataFrame({
        "t0": stations["first_utc"], "t1": stations["last_utc"], "station": stations["station_id"],
        "x0": stations["x_east_m"], "y0": stations["y_north_m"], "z0": stations["z_up_m"],
        "x1": stations["x_east_m"], "y1": stations["y_north_m"], "z1": stations["z_up_m"],
    })
    if len(drives):
        first = shapely.get_coordinates(shapely.get_point(drives.geometry.to_numpy(), 0))
        x0, y0, _ = lonlat_to_enu(first[:, 0], first[:, 1],
                                  site.height_m + np.nan_to_num(drives["end_z_up_m"].to_numpy(float)), site)
        dr = pd.DataFrame({
            "t0": drives["start_utc"], "t1": drives["end_utc"], "station": pd.NA,
            "x0": x0, "y0": y0, "z0": drives["end_z_up_m"].to_numpy(float),
            "x1": drives["end_x_east_m"], "y1": drives["end_y_north_m"], "z1": drives["end_z_up_m"],
        })
        parts = [p for p in (st, dr) if len(p)]
    else:
        parts = [st]
    pieces = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    pieces["station"] = pieces["station"].astype("Int64")
    # a station and the drive leaving it share a moment: the station (t0 earlier) comes first
    return pieces.sort_values(["t0", "t1"], kind="stable").reset_index(drop=True)


def day_runs(days) -> list[tuple[int, int]]:
    """``[(first, last), ...]``: local day numbers grouped into runs of consecutive days, sorted."""
    runs: list[list[int]] = []
    for d in sorted({int(d) for d in days}):
        if runs and d == runs[-1][1] + 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [(a, b) for a, b in runs]


def day_ranges_text(days) -> str:
    """``1–19, 21–61``: sorted local day numbers as ranges (en dash), ``""`` for none."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in day_runs(days))


def find_gaps(
    stations: pd.DataFrame,
    drives: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    site: LanderSite | None = None,
    settings: ReconstructionSettings = DEFAULT_SETTINGS,
) -> GeoDataFrame:
    """The jumps of the rover's position that no drive explains (module docstring).

    Parameters
    ----------
    stations, drives
        Outputs of :func:`~traverse.path.stations.stations_from_track` and
        :func:`~traverse.path.drives.drives_from_track` (lander ENU metres).
    coverage
        Output of :func:`coverage_from_frames` for the same frames.
    site
        Lander site (default: the one the tables are tagged with).
    settings
        ``max_stop_diameter_m`` (a smaller jump is the same place) and
        ``max_inferred_drive_m`` (the farthest a first position may lie from the
        lander when the archive starts on the rover's first day).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`GAPS_COLUMNS`, LineString(lon, lat) geometry in the
        site's body CRS, tagged with ``site``.
    """
    site = common_site(stations, drives, site=site)
    m = mission(site.mission)
    rows = []
    if len(stations) or len(drives):
        p = _pieces(stations, drives, site)
        missing = set(coverage.loc[~coverage["covered"], "lunar_day"].tolist()) if len(coverage) else set()
        first_day = m.local_day(p["t0"].iloc[0])
        before = sorted(d for d in missing if d < first_day)
        start_xyz = p[["x0", "y0", "z0"]].iloc[0].to_numpy(dtype="float64")
        from_lander = float(np.hypot(*start_xyz[:2]))
        if before or from_lander > settings.max_inferred_drive_m:
            why = (f"no data before {m.day_name} {first_day}" if before
                   else f"first position {from_lander:.0f} m from {m.origin}")
            rows.append((pd.NA, pd.NA, pd.NA, pd.NA, pd.NaT, p["t0"].iloc[0], (0.0, 0.0, 0.0), start_xyz,
                         day_ranges_text(before), why))
        end_xyz = p[["x1", "y1", "z1"]].to_numpy(dtype="float64")
        start_all = p[["x0", "y0", "z0"]].to_numpy(dtype="float64")
        for i in range(1, len(p)):
            a, b = end_xyz[i - 1], start_all[i]
            if np.hypot(*(b[:2] - a[:2])) <= settings.max_stop_diameter_m:
                continue
            d0, d1 = m.local_day(p["t1"].iloc[i - 1]), m.local_day(p["t0"].iloc[i])
            inside = sorted(d for d in missing if d0 < d < d1)
            if inside:
                why = f"no data on {m.day_name}{'s' if len(inside) > 1 else ''} {day_ranges_text(inside)}"
            elif d1 - d0 > settings.max_inferred_lunar_days:
                why = f"{d1 - d0} {m.day_name}s apart with no drive data"
            elif p["station"].iloc[i - 1] is not pd.NA and p["station"].iloc[i] is not pd.NA:
                why = f"farther than {settings.max_inferred_drive_m:g} m with no drive data"
            else:
                why = "no drive data between these positions"
            rows.append((d0, p["station"].iloc[i - 1], p["station"].iloc[i], d1, p["t1"].iloc[i - 1],
                         p["t0"].iloc[i], a, b, day_ranges_text(inside), why))
    return _gaps_frame(rows, site, m)


def _gaps_frame(rows: list, site: LanderSite, m: Mission) -> GeoDataFrame:
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in GAPS_COLUMNS.items()})
        return with_site(GeoDataFrame(empty, geometry=shapely.from_wkt([]), crs=site.body.crs), site)
    a = np.array([r[6] for r in rows], dtype="float64")
    b = np.array([r[7] for r in rows], dtype="float64")
    dz = np.nan_to_num(b[:, 2] - a[:, 2])
    l2 = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
    end_utc = pd.to_datetime(pd.Series([r[5] for r in rows]), utc=True)
    out = pd.DataFrame({
        "gap_id": np.arange(1, len(rows) + 1),
        "lunar_day": m.local_day(end_utc),
        "from_day": pd.array([r[0] for r in rows], dtype="Int64"),
        "from_station": pd.array([r[1] for r in rows], dtype="Int64"),
        "to_station": pd.array([r[2] for r in rows], dtype="Int64"),
        "start_utc": pd.to_datetime(pd.Series([r[4] for r in rows]), utc=True),
        "end_utc": end_utc,
        "length_2d_m": l2,
        "length_3d_m": np.hypot(l2, dz),
        "missing_days": [r[8] for r in rows],
        "reason": [r[9] for r in rows],
        "end_x_east_m": b[:, 0], "end_y_north_m": b[:, 1], "end_z_up_m": b[:, 2],
    })
    ends = np.concatenate([a, b])
    lon, lat, _ = enu_to_lonlat(ends[:, 0], ends[:, 1], np.nan_to_num(ends[:, 2]), site)
    n = len(rows)
    coords = np.stack([np.column_stack([lon[:n], lat[:n]]), np.column_stack([lon[n:], lat[n:]])], axis=1)
    return with_site(GeoDataFrame(out[list(GAPS_COLUMNS)], geometry=shapely.linestrings(coords),
                                  crs=site.body.crs), site)


#: Columns of the gaps kept on their rows of the ``drives`` layer (empty on the drives' rows).
GAP_ONLY_COLUMNS = ("gap_id", "from_day", "missing_days", "reason")


def drives_and_gaps(drives: GeoDataFrame, gaps: GeoDataFrame | None) -> GeoDataFrame:
    """The ``drives`` GIS layer: every drive (``kind`` "drive") and every gap (``kind`` "gap").

    A gap row keeps its straight lengths in ``length_2d_m``/``length_3d_m``
    (metres, lander ENU chords: lower bounds, never drives), ``source``
    "inferred" and :data:`GAP_ONLY_COLUMNS`; the drive-only columns
    (``drive_id``, ``n_records``) are empty there, and the gap-only columns
    empty on the drives' rows.  Rows in time order of arrival (``end_utc``).
    Whoever sums drive lengths from this layer must keep ``kind == "drive"``
    (:func:`split_gaps`).
    """
    site = common_site(drives, *([gaps] if gaps is not None else []))
    out = pd.DataFrame(drives.drop(columns=drives.geometry.name))
    out.insert(0, "kind", "drive")
    for col in GAP_ONLY_COLUMNS:
        dtype = "Int64" if col in ("gap_id", "from_day") else "object"
        out[col] = pd.Series(pd.NA, index=out.index, dtype=dtype)
    geoms = list(drives.geometry.to_numpy())
    if gaps is not None and len(gaps):
        # integer drive-only columns become nullable: empty on the gaps' rows
        ints = {c: "Int64" for c in ("drive_id", "n_records")
                if c in out and pd.api.types.is_integer_dtype(out[c])}
        g = pd.DataFrame(gaps.drop(columns=gaps.geometry.name)).assign(kind="gap", source="inferred")
        out = pd.concat([out.astype(ints), g.reindex(columns=out.columns).astype(ints)], ignore_index=True)
        geoms += list(gaps.geometry.to_numpy())
    layer = GeoDataFrame(out, geometry=geoms, crs=drives.crs)
    layer = layer.iloc[np.argsort(layer["end_utc"].to_numpy(), kind="stable")].reset_index(drop=True)
    return with_site(layer, site)


def split_gaps(layer: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(drives, gaps)`` of a ``drives`` layer made by :func:`drives_and_gaps`.

    A table without a ``kind`` column holds drives only (the gaps come back
    empty, with the same columns).
    """
    if "kind" not in layer.columns:
        return layer, layer.iloc[:0]
    is_gap = (layer["kind"] == "gap").to_numpy()
    return layer.loc[~is_gap], layer.loc[is_gap]


def coverage_summary(coverage: pd.DataFrame, gaps: pd.DataFrame, m: Mission) -> str:
    """One line: which local days the archive covers, and its gaps with their lower bounds.

    ``archive covers lunar days 20 and 62 (2 of 62); no data before lunar day 20 (at least
    314 m from the lander); 1 gap of 651 m between lunar day 20 and lunar day 62``.
    """
    if not len(coverage) or not coverage["covered"].any():
        return "archive covers no day with rover data"
    have = coverage.loc[coverage["covered"], "lunar_day"].tolist()
    plural = m.day_name + ("s" if len(have) > 1 else "")
    listed = day_ranges_text(have)
    if "," in listed and "–" not in listed and listed.count(",") == 1:
        listed = listed.replace(", ", " and ")
    text = f"archive covers {plural} {listed} ({len(have)} of {len(coverage)})"
    if len(gaps):
        lander = gaps["from_day"].isna()
        if lander.any():
            g = gaps.loc[lander].iloc[0]
            head = g["reason"] if g["missing_days"] else f"no data between {m.origin} and the first position"
            text += f"; {head} (at least {g['length_2d_m']:.0f} m from {m.origin})"
        rest = gaps.loc[~lander]
        if len(rest) == 1:
            g = rest.iloc[0]
            where = (f"between {m.day_name} {g['from_day']} and {m.day_name} {g['lunar_day']}"
                     if g["from_day"] != g["lunar_day"] else f"in {m.day_name} {g['lunar_day']}")
            text += f"; 1 gap of {g['length_2d_m']:.0f} m {where}"
        elif len(rest):
            text += (f"; {len(rest)} gaps of {rest['length_2d_m'].sum():.0f} m in all"
                     f" (at least; listed per {m.day_name} in the table)")
    else:
        text += "; no gaps"
    return text
