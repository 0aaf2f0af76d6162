"""Stations: the places where the rover stood still.

The rover frames (``role == "rover"``) are put in time order and each one is
marked *at rest* or *moving*:

* a label product (PCAM, VNIS, ...) is always at rest: the cameras and the
  spectrometer work at a stop, and every product of one stop carries the
  same position;
* an LPR record is at rest when its **smoothed speed** is at most
  ``max_rest_speed_m_s``.  Positions are first averaged over a centred time
  window, and the speed is the displacement of the smoothed position across
  the same window divided by its duration.  The window adapts to the record
  spacing of each LPR product: it is ``max(smooth_window_s,
  min_smooth_records × median record interval)``, so a product written at
  ~1 record/s is smoothed over 10 s (which cuts 1.5 cm jitter to about
  0.5 cm) and the real LPR-1 channel, ~6.4 s per record, over ~32 s
  (five records) instead of a window that holds a single record;
* an LPR product whose positions are **held navigation fixes** is handled
  apart (see below);
* a run of LPR-only rest records shorter than ``min_stop_duration_s`` (runs
  are cut at lunar-day boundaries) is a pause inside a drive, not a stop,
  and counts as moving.

**Held positions (navigation updates).**  In the real LPR-1 product of
2023-12-16 (``CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B``)
the position does not move record by record: records 0–22 repeat the
reference point exactly, then the position jumps 2.73 m within one 6.4 s
record interval and holds for 32 records, jumps 2.87 m and holds to the end;
``VELOCITY`` is 0 throughout.  A jump of 2.7 m in 6.4 s is 0.42 m/s, seven
times Yutu-2's top speed of 200 m/h (0.056 m/s), so the positions are
navigation updates, not samples of a continuous path, and a plateau does not
show that the rover stood still: each 2.7 m step needed at least ~50 s of
driving that no record shows.  An LPR product is taken as *held* when two
consecutive records are further apart than both ``max_stop_diameter_m``
and ``max_drive_speed_m_s`` × their interval.  In a held product

* the records before the position first leaves ``max_stop_diameter_m`` of
  the product's first position are at rest: the rover at the product's
  reference point, the localised stop the drive sets out from (subject to
  ``min_stop_duration_s`` like any LPR-only rest);
* every later record is moving: the plateaus are navigation updates during
  one drive, not stops, as the data README describes this product ("sits at
  the reference point for records 0–22, then drives about 5.5 m west");
* positions are not smoothed (they carry no jitter, and averaging across a
  jump would invent intermediate points), the speed is NaN (unknown).

This is a reading of the data, not a certainty: if GRAS posts a fix when the
rover *arrives* at a waypoint, part of the first plateau was already driving
and the last plateau may be a stop.  The radar records alone cannot tell;
label products (PCAM, VNIS) taken at the end of the drive still make their
own station there.

Consecutive rest frames closer than ``max_stop_diameter_m`` (label positions
as printed, LPR positions smoothed) and in the same lunar day form one
station; then consecutive stations closer than that, between which the
rover never went further than that, merge.  :func:`rover_track` returns the
per-frame result so :mod:`traverse.path.drives` can cut drives from the same
classification; :func:`detect_stations` gives the station table directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse.geodesy import LanderSite, common_site, enu_to_lonlat, with_site
from traverse.missions import mission, mission_of
from traverse.path.settings import DEFAULT_SETTINGS, ReconstructionSettings
from traverse.path.smoothing import (
    elapsed_s,
    lpr_smooth_window_s,
    shrunk_half_window_s,
    smooth_positions,
    smoothed_speed_m_s,
)
from traverse.schema import STATIONS_COLUMNS

__all__ = [
    "rover_track",
    "stations_from_track",
    "detect_stations",
]

_XYZ = ["x_east_m", "y_north_m", "z_up_m"]
_SMOOTH = ["x_smooth_m", "y_smooth_m", "z_smooth_m"]


def _held_positions(t_s: np.ndarray, xy: np.ndarray, *, max_stop_diameter_m: float,
                    max_drive_speed_m_s: float) -> bool:
    """True if one consecutive step of a product is too long to have been driven."""
    if len(t_s) < 2:
        return False
    step = np.hypot(*np.diff(xy, axis=0).T)
    limit = np.maximum(max_stop_diameter_m, max_drive_speed_m_s * np.diff(t_s))
    return bool((step > limit).any())


def _lpr_motion(
    lpr: pd.DataFrame, settings: ReconstructionSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Smoothed positions, speed, edge flag, window, held flag and held rest, per LPR record.

    Works product by product (one loop turn per product, vectorised inside),
    so each product gets the window of its own record spacing.
    """
    n = len(lpr)
    smooth = lpr[_XYZ].to_numpy(dtype="float64").copy()
    speed, window = np.full(n, np.nan), np.full(n, float(settings.smooth_window_s))
    edge, held, held_rest = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    product = lpr["product_id"].to_numpy()
    t_all = elapsed_s(lpr["time_utc"])
    for pid in pd.unique(product):
        idx = np.flatnonzero(product == pid)
        t_s, xyz = t_all[idx], smooth[idx]
        if _held_positions(t_s, xyz[:, :2], max_stop_diameter_m=settings.max_stop_diameter_m,
                           max_drive_speed_m_s=settings.max_drive_speed_m_s):
            held[idx] = True
            away = np.hypot(*(xyz[:, :2] - xyz[0, :2]).T) > settings.max_stop_diameter_m
            held_rest[idx] = np.cumsum(away) == 0  # before the first fix away from the start
            continue
        w = lpr_smooth_window_s(t_s, settings=settings)
        window[idx] = w
        smooth[idx] = np.column_stack(smooth_positions(t_s, *xyz.T, smooth_window_s=w))
        step_s = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 0.0
        speed[idx] = smoothed_speed_m_s(t_s, xyz[:, 0], xyz[:, 1], smooth_window_s=w,
                                        min_span_s=max(w / 2.0 - step_s, step_s))
        edge[idx] = shrunk_half_window_s(t_s, w) < w / 4.0
    return smooth, speed, edge, window, held, held_rest


def _rover_frames(frames: pd.DataFrame) -> pd.DataFrame:
    """Rover rows with a time and a horizontal position, in time order."""
    ok = (
        (frames["role"] == "rover")
        & frames["time_utc"].notna()
        & np.isfinite(frames["x_east_m"].to_numpy(dtype="float64"))
        & np.isfinite(frames["y_north_m"].to_numpy(dtype="float64"))
    )
    keys = ["time_utc", "record"] if "record" in frames else ["time_utc"]
    cols = ["product_id", "instrument", "time_utc", "stop_utc", *_XYZ]
    cols += [c for c in ("record", "yaw_deg") if c in frames]
    rover = frames.loc[ok, cols].sort_values(keys, kind="stable", na_position="first")
    return rover.reset_index(drop=True)


def is_pose_record(rows: pd.DataFrame) -> np.ndarray:
    """Which rows are radar pose records (Yutu-2's LPR, Zhurong's RoPeR), not label products.

    Pose records have a ``record`` index; a table without that column is
    told by its instrument (``LPR``).
    """
    if "record" in rows.columns:
        return rows["record"].notna().to_numpy(dtype=bool)
    return (rows["instrument"] == "LPR").to_numpy(dtype=bool)


def _group_position(track: pd.DataFrame, key: str) -> pd.DataFrame:
    """Median position per group: of its label products if any, else of its LPR records."""
    rows = track[track[key].notna()]
    is_lpr = is_pose_record(rows)
    labels = rows.loc[~is_lpr].groupby(key)[_XYZ].median()
    lpr = rows.loc[is_lpr].groupby(key)[_XYZ].median()
    return labels.combine_first(lpr)


def rover_track(
    frames: pd.DataFrame, *, settings: ReconstructionSettings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Rover frames in time order, each marked at rest or moving and given a station.

    Parameters
    ----------
    frames
        The frames table (see :mod:`traverse.schema`); only rover rows with a
        time and a position are used; the input is not modified.
    settings
        Thresholds (``max_stop_diameter_m``, ``smooth_window_s``,
        ``min_smooth_records``, ``max_rest_speed_m_s``, ``max_drive_speed_m_s``,
        ``min_stop_duration_s``), units and sources on
        :class:`~traverse.path.settings.ReconstructionSettings`.

    Returns
    -------
    pandas.DataFrame
        ``product_id``, ``instrument``, ``time_utc``, ``stop_utc``,
        ``record``, ``x_east_m``, ``y_north_m``, ``z_up_m`` (as in frames),
        ``x_smooth_m``, ``y_smooth_m``, ``z_smooth_m`` (LPR smoothed, labels
        and held LPR fixes as printed; metres, lander ENU),
        ``smooth_window_s`` (seconds, the LPR product's window; NaN for
        labels), ``smooth_edge`` (LPR record within a quarter window of a
        series end, smoothed over a narrower window, so noisier),
        ``speed_m_s`` (LPR only; NaN for held fixes), ``position_held``
        (LPR record of a product of held navigation fixes),
        ``at_rest``, ``lunar_day``, ``station_id`` (``Int64``, 1-based;
        ``<NA>`` while moving) and ``after_station`` (the last station begun
        at or before the frame, 0 before the first one).
    """
    track = _rover_frames(frames)
    track.attrs = dict(frames.attrs)  # the lander site travels on
    max_stop_diameter_m = settings.max_stop_diameter_m
    n = len(track)
    is_lpr = is_pose_record(track)  # LPR or RoPeR records
    smooth = track[_XYZ].to_numpy(dtype="float64").copy()
    speed, window = np.full(n, np.nan), np.full(n, np.nan)
    edge, held, held_rest = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    if is_lpr.any():
        (smooth[is_lpr], speed[is_lpr], edge[is_lpr], window[is_lpr], held[is_lpr],
         held_rest[is_lpr]) = _lpr_motion(track.loc[is_lpr], settings)
    track[_SMOOTH] = smooth
    track["smooth_window_s"] = window
    track["speed_m_s"] = speed
    track["smooth_edge"] = edge
    track["position_held"] = held
    if n == 0:
        return track.assign(
            at_rest=np.zeros(0, bool),
            lunar_day=np.zeros(0, "int64"),
            station_id=pd.array([], dtype="Int64"),
            after_station=np.zeros(0, "int64"),
        )
    track["lunar_day"] = mission_of(track).local_day(track["time_utc"])  # sols on Mars
    t_s = elapsed_s(track["time_utc"])

    # 1. at rest: labels, LPR slower than the threshold (NaN speed is not rest),
    #    and held LPR fixes before the first update away from the start
    rest = ~is_lpr | (speed <= settings.max_rest_speed_m_s) | held_rest
    # 2. LPR-only rest runs shorter than min_stop_duration_s are pauses in a drive;
    #    a run never continues across a lunar night
    day = track["lunar_day"].to_numpy()
    run = np.cumsum(np.r_[True, (rest[1:] != rest[:-1]) | (day[1:] != day[:-1])])
    runs = pd.DataFrame({"run": run, "label": ~is_lpr, "t": t_s})[rest].groupby("run")
    keep = runs["label"].any() | ((runs["t"].max() - runs["t"].min()) >= settings.min_stop_duration_s)
    rest &= np.isin(run, keep.index[keep.to_numpy()])
    # 3. clusters: consecutive rest frames, close together, same lunar day
    xy = smooth[:, :2]
    step = np.r_[np.inf, np.hypot(*(xy[1:] - xy[:-1]).T)]
    prev_rest = np.r_[False, rest[:-1]]
    new = rest & (~prev_rest | (step > max_stop_diameter_m) | (day != np.r_[-1, day[:-1]]))
    after = np.cumsum(new)  # cluster number (1-based) last begun; 0 before any
    track["_cluster"] = pd.array(np.where(rest, after, 0), dtype="Int64")
    track.loc[~rest, "_cluster"] = pd.NA
    # 4. merge consecutive clusters at the same place the rover never left
    pos = _group_position(track, "_cluster")
    m = len(pos)
    cxy = pos[["x_east_m", "y_north_m"]].to_numpy()
    cday = track.loc[rest].groupby("_cluster")["lunar_day"].first().to_numpy()
    moving = ~rest & (after > 0)
    excursion = np.zeros(m + 1)
    if moving.any():
        d = np.hypot(*(xy[moving] - cxy[after[moving] - 1]).T)
        np.maximum.at(excursion, after[moving], d)
    merge = np.zeros(m + 1, dtype=bool)  # merge[c]: cluster c joins cluster c-1
    if m > 1:
        gap = np.hypot(*(cxy[1:] - cxy[:-1]).T)
        merge[2:] = (gap <= max_stop_diameter_m) & (cday[1:] == cday[:-1]) & (
            excursion[1:m] <= max_stop_diameter_m
        )
    station_of = np.cumsum(~merge) - 1  # cluster number -> station id (0 for none)
    after_station = station_of[after]
    inside = rest | (moving & np.r_[merge[1:], False][after])
    track["station_id"] = pd.array(np.where(inside, after_station, 0), dtype="Int64")
    track.loc[~inside, "station_id"] = pd.NA
    track["after_station"] = after_station.astype("int64")
    track["at_rest"] = rest
    return track.drop(columns="_cluster")


def stations_from_track(track: pd.DataFrame, *, site: LanderSite | None = None) -> GeoDataFrame:
    """Summarise a :func:`rover_track` into one row per station.

    Parameters
    ----------
    track
        Output of :func:`rover_track`.
    site
        Lander position, origin of lander ENU, for the lon/lat geometry;
        default: the site the track's frames were read for
        (:func:`traverse.geodesy.common_site`; a different one is an error).

    Returns
    -------
    geopandas.GeoDataFrame
        In :data:`~traverse.geodesy.MOON`, tagged with its site, Point(lon, lat) geometry and
        columns ``station_id`` (1, 2, ...), ``lunar_day``, ``first_utc``,
        ``last_utc`` (UTC: first start and last stop of its frames),
        ``n_frames``, ``n_<instrument>`` for the mission's station instruments
        (Yutu-2: PCAM, VNIS, LPR) and any other rover instrument present
        (``n_LPR`` counts LPR records at rest),
        ``x_east_m``, ``y_north_m``, ``z_up_m`` (metres, lander ENU: median
        of its label products, else of its LPR records), ``products`` (label
        product ids, ``;``-joined, time order), ``sequences`` (their GRAS
        sequence ids, ``;``-joined, sorted), ``instruments``
        (``,``-joined, sorted), ``lon``, ``lat`` (degrees); the table with
        dtypes and units is :data:`traverse.schema.STATIONS_COLUMNS`.
    """
    site = common_site(track, site=site)
    at = track[track["station_id"].notna()].copy()
    at["station_id"] = at["station_id"].astype("int64")
    g = at.groupby("station_id")
    end = at["stop_utc"].fillna(at["time_utc"])
    out = pd.DataFrame(
        {
            "lunar_day": g["lunar_day"].first(),
            "first_utc": g["time_utc"].min(),
            "last_utc": end.groupby(at["station_id"]).max(),
            "n_frames": g.size(),
        }
    )
    always = mission(site.mission).station_instruments
    instruments = sorted(set(always) | set(at["instrument"].unique()))
    counts = pd.crosstab(at["station_id"], at["instrument"]).reindex(
        index=out.index, columns=instruments, fill_value=0
    )
    for name in instruments:
        out[f"n_{name}"] = counts[name].to_numpy(dtype="int64")
    out[_XYZ] = _group_position(at, "station_id").reindex(out.index)
    labels = at.loc[~is_pose_record(at)].drop_duplicates("product_id")
    out["products"] = labels.groupby("station_id")["product_id"].agg(";".join).reindex(out.index)
    out["products"] = out["products"].fillna("")
    if "sequence_id" in labels:
        seqs = labels.groupby("station_id")["sequence_id"].agg(lambda s: ";".join(sorted(set(s.dropna()))))
        out["sequences"] = seqs.reindex(out.index).fillna("")
    else:  # a frames table without sequence ids (a hand-made one)
        out["sequences"] = ""
    out["instruments"] = at.groupby("station_id")["instrument"].agg(
        lambda s: ",".join(sorted(set(s)))
    )
    out = out.reset_index()
    lon, lat, _ = enu_to_lonlat(out["x_east_m"], out["y_north_m"], out["z_up_m"].fillna(0.0), site)
    out["lon"], out["lat"] = lon, lat
    head = list(STATIONS_COLUMNS)[:5]
    order = head + [f"n_{name}" for name in instruments] + list(STATIONS_COLUMNS)[5:]
    stations = GeoDataFrame(out[order], geometry=shapely.points(lon, lat), crs=site.body.crs)
    return with_site(stations, site)


def detect_stations(
    frames: pd.DataFrame,
    *,
    site: LanderSite | None = None,
    settings: ReconstructionSettings = DEFAULT_SETTINGS,
) -> GeoDataFrame:
    """Stations (stops) of the rover, from the frames table.

    Shorthand for ``stations_from_track(rover_track(frames, settings=settings), site=site)``.
    """
    return stations_from_track(rover_track(frames, settings=settings), site=site)
