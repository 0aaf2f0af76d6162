"""Lunar days: number the rover's activity windows and sum each day's drives.

Yutu-2 works through the local daylight (about 14 Earth days) and sleeps
through the lunar night.  Each activity window gets a *lunar day* number
from the calendar alone, so a window with no data in the archive still
leaves its number unused rather than shifting the later ones::

    lunar_day = 1 + floor((t - LUNAR_DAY_EPOCH_UTC) / SYNODIC_MONTH_D)

The epoch is the local **midnight** before landing, so every day number
changes in the middle of a lunar night, about 7 Earth days away from the
nearest sunrise or sunset.  Activity windows therefore sit wholly inside one
number with a week of margin, much more than the error of the epoch (about
one Earth day, from libration) or the spread of real synodic months around
their mean (under half a day).  An epoch at local sunrise would put the
boundary right where the rover wakes up.

How the epoch was chosen: full Moon was 2018-12-22 17:49 UTC; at full Moon
the far-side meridian 180° E is at local midnight, and the landing site
(177.6° E) reaches midnight 2.4°/360° of a synodic month (4.7 h) later, about
2018-12-22 22:30 UTC; the epoch is rounded to 22:00.  That puts local sunrise
near 2018-12-30 and sunset near 2019-01-14, matching the mission: landing on
2019-01-03 02:26 UTC, first dormancy on 2019-01-11/12, wake-up for lunar day
2 on 2019-01-29/30.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse import schema
from traverse.geodesy import common_site
from traverse.missions import mission

__all__ = [
    "SYNODIC_MONTH_D",
    "LUNAR_DAY_EPOCH_UTC",
    "DAYS_COLUMNS",
    "lunar_day_number",
    "summarise_days",
    "days_table",
]

#: Mean synodic month (new Moon to new Moon), Earth days: the length of one
#: lunar day plus one lunar night.
SYNODIC_MONTH_D = mission().day_length_s / 86_400.0  # 29.530589 d, traverse/data/missions/ce4.toml

#: Local midnight at the Chang'e-4 site before landing (see the module
#: docstring): lunar day 1 runs from here for one synodic month.
LUNAR_DAY_EPOCH_UTC = mission().day_epoch_utc  # 2018-12-22T22:00:00Z, ce4.toml (the default mission)

#: Column names of the ``days`` table (without geometry), in order; the
#: table with dtypes and units is :data:`traverse.schema.DAYS_COLUMNS`.
DAYS_COLUMNS = list(schema.DAYS_COLUMNS)


def lunar_day_number(
    time_utc,
    *,
    epoch_utc: pd.Timestamp = LUNAR_DAY_EPOCH_UTC,
    synodic_month_d: float = SYNODIC_MONTH_D,
):
    """Lunar day number of each time, 1 for the landing day.

    Parameters
    ----------
    time_utc
        A timestamp or array-like of timestamps, UTC (naive values are taken
        as UTC).
    epoch_utc
        Start of lunar day 1, UTC; default: local midnight at the landing site
        before landing (module docstring).
    synodic_month_d
        Length of one lunar day plus night, Earth days; default: the mean
        synodic month.

    Returns
    -------
    int or numpy.ndarray
        ``1 + floor((t - epoch) / synodic_month)``; an int for a scalar input.

    Raises
    ------
    ValueError
        If a time is missing (NaT).
    """
    scalar = np.ndim(time_utc) == 0 and not isinstance(time_utc, (pd.Series, pd.Index))
    values = [time_utc] if scalar else time_utc
    idx = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    if idx.hasnans:
        raise ValueError(
            f"lunar_day_number: {int(idx.isna().sum())} of {len(idx)} times are missing (NaT);"
            " drop them first"
        )
    epoch = pd.Timestamp(epoch_utc)
    epoch = epoch.tz_localize("UTC") if epoch.tzinfo is None else epoch.tz_convert("UTC")
    elapsed_d = (idx - epoch) / pd.Timedelta(days=1)
    day = 1 + np.floor(np.asarray(elapsed_d, dtype="float64") / synodic_month_d).astype("int64")
    return int(day[0]) if scalar else day


def _last_positions(stations: pd.DataFrame, drives: pd.DataFrame) -> pd.DataFrame:
    """Last rover position (lander ENU) per lunar day, from stations and drive ends."""
    parts = []
    if len(stations):
        parts.append(
            pd.DataFrame(
                {
                    "lunar_day": stations["lunar_day"].to_numpy(),
                    "t": stations["last_utc"].to_numpy(),
                    "x": stations["x_east_m"].to_numpy(),
                    "y": stations["y_north_m"].to_numpy(),
                }
            )
        )
    if len(drives):
        parts.append(
            pd.DataFrame(
                {
                    "lunar_day": drives["lunar_day"].to_numpy(),
                    "t": drives["end_utc"].to_numpy(),
                    "x": drives["end_x_east_m"].to_numpy(),
                    "y": drives["end_y_north_m"].to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame({"x": [], "y": []}, index=pd.Index([], name="lunar_day"))
    both = pd.concat(parts, ignore_index=True).sort_values(["lunar_day", "t"], kind="stable")
    return both.groupby("lunar_day")[["x", "y"]].last()


def summarise_days(
    frames: pd.DataFrame, stations: pd.DataFrame, drives: pd.DataFrame, gaps: pd.DataFrame | None = None
) -> GeoDataFrame:
    """One row per lunar day with rover data: its drives, length and end point.

    Parameters
    ----------
    frames
        The frames table; rover rows (``role == "rover"``) with a time define
        which lunar days have data and their ``start_utc``/``end_utc``.
    stations
        Output of :func:`traverse.path.stations.detect_stations` (lander ENU
        ``x_east_m``, ``y_north_m``; ``last_utc``; ``lunar_day``).
    drives
        Output of :func:`traverse.path.drives.split_drives` (``length_2d_m``,
        ``length_3d_m``, ``end_x_east_m``, ``end_y_north_m``, ``lunar_day``).
    gaps
        Output of :func:`traverse.path.coverage.find_gaps` (``lunar_day``,
        ``length_2d_m``, end position); none by default.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`DAYS_COLUMNS` and a MultiLineString geometry of the
        day's drives in :data:`~traverse.geodesy.MOON` (empty for a day
        without drives).  ``drive_m``/``drive_3d_m`` are the day's horizontal
        and 3-D drive lengths, ``cumulative_m`` the running horizontal total of
        what was measured, ``gap_m`` the straight lengths of the gaps arriving
        that day and ``cumulative_min_m`` the running total of both (the
        distance driven at least), all metres in lander ENU.
        ``from_lander_m`` (metres, horizontal) and ``bearing_deg`` (degrees
        clockwise from north, lander ENU) locate the day's last position: the
        latest of its stations, drive and gap ends.  Days without data have no
        row here (:func:`days_table` adds them).
    """
    site = common_site(frames, stations, drives)
    rover = frames.loc[(frames["role"] == "rover") & frames["time_utc"].notna()]
    if len(rover) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in DAYS_COLUMNS})
        return GeoDataFrame(empty, geometry=shapely.from_wkt([]), crs=site.body.crs)
    end = rover["stop_utc"].fillna(rover["time_utc"]) if "stop_utc" in rover else rover["time_utc"]
    span = pd.DataFrame(
        {
            "lunar_day": mission(site.mission).local_day(rover["time_utc"]),  # sols on Mars
            "start_utc": rover["time_utc"],
            "end_utc": end,
        }
    )
    days = span.groupby("lunar_day").agg(start_utc=("start_utc", "min"), end_utc=("end_utc", "max"))

    n_stations = stations.groupby("lunar_day").size() if len(stations) else pd.Series(dtype="int64")
    days["stations"] = n_stations.reindex(days.index, fill_value=0).astype("int64")
    if len(drives):
        sums = drives.groupby("lunar_day")[["length_2d_m", "length_3d_m"]].sum()
    else:
        sums = pd.DataFrame(columns=["length_2d_m", "length_3d_m"], dtype="float64")
    sums = sums.reindex(days.index, fill_value=0.0)
    days["drive_m"] = sums["length_2d_m"].to_numpy(dtype="float64")
    days["drive_3d_m"] = sums["length_3d_m"].to_numpy(dtype="float64")
    days["cumulative_m"] = days["drive_m"].cumsum()
    gaps = gaps if gaps is not None else pd.DataFrame({"lunar_day": [], "length_2d_m": []})
    gap_m = gaps.groupby("lunar_day")["length_2d_m"].sum() if len(gaps) else pd.Series(dtype="float64")
    # a gap arriving on a day without data of its own cannot happen: it ends at a position seen that day
    days["gap_m"] = gap_m.reindex(days.index, fill_value=0.0).to_numpy(dtype="float64")
    days["cumulative_min_m"] = days["cumulative_m"] + days["gap_m"].cumsum()
    days["coverage"] = "data"

    ends = drives
    if len(gaps):
        ends = pd.concat([d[["lunar_day", "end_utc", "end_x_east_m", "end_y_north_m"]]
                          for d in (drives, gaps) if len(d)], ignore_index=True)
    last = _last_positions(stations, ends).reindex(days.index)
    x, y = last["x"].to_numpy(dtype="float64"), last["y"].to_numpy(dtype="float64")
    days["from_lander_m"] = np.hypot(x, y)
    days["bearing_deg"] = np.mod(np.degrees(np.arctan2(x, y)), 360.0)

    geometry = np.array([shapely.MultiLineString()] * len(days), dtype=object)
    if len(drives):
        pos = days.index.get_indexer(drives["lunar_day"].to_numpy())
        order = np.argsort(pos, kind="stable")
        lines = np.asarray(drives.geometry.to_numpy())[order]
        with_drives, rank = np.unique(pos[order], return_inverse=True)
        geometry[with_drives] = shapely.multilinestrings(lines, indices=rank)
    out = days.reset_index()[DAYS_COLUMNS]
    out["stations"] = out["stations"].astype("Int64")
    return GeoDataFrame(out, geometry=list(geometry), crs=site.body.crs)


def days_table(days: pd.DataFrame, coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``days`` table without geometry: :data:`DAYS_COLUMNS`, and the terrain columns if any.

    Parameters
    ----------
    days
        Output of :func:`summarise_days`.
    coverage
        Output of :func:`traverse.path.coverage.coverage_from_frames`: each day
        it lists without data gets a row with ``coverage`` "no data" and every
        number missing (unknown, not zero).  Default: only the days with data.
    """
    extra = [c for c in ("elevation_gain_m", "elevation_loss_m") if c in days.columns]  # --dem
    out = pd.DataFrame(days[DAYS_COLUMNS + extra]).reset_index(drop=True)
    if coverage is not None and len(coverage) and (~coverage["covered"]).any():
        missing = coverage.loc[~coverage["covered"] & ~coverage["lunar_day"].isin(out["lunar_day"]),
                               "lunar_day"]
        blank = pd.DataFrame({"lunar_day": missing.to_numpy(dtype="int64"), "coverage": "no data"})
        blank = blank.reindex(columns=out.columns).astype(out.dtypes.to_dict())
        out = pd.concat([out, blank], ignore_index=True).sort_values("lunar_day", kind="stable")
        out = out.reset_index(drop=True)
    out.attrs = dict(days.attrs)  # the lander site (and so the mission) travels on
    return out
