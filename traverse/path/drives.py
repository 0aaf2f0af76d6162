"""Drives: the moving stretches between two stations, and their lengths.

A drive is drawn through the LPR records taken while the rover moved from
one station to the next (``source = "lpr"``, or ``"roper"`` for Zhurong), from the first station's
position to the second's.  Where no radar record covers the move, it is a
straight segment from station to station (``source = "inferred"``), but only
between stations of the same or the next local day and at most
``max_inferred_drive_m`` (80 m) apart: across a longer stretch without any
data the path is unknown and no drive is drawn or counted; such a jump is a
*gap* (:func:`traverse.path.coverage.find_gaps`), drawn and counted apart.  Moves
before the first or after the last station are kept with a missing
``from_station`` or ``to_station``, and so is the end of a radar drive whose
neighbouring station lies in another lunar day, unless the radar shows the
rover leaving from (or arriving at) that very station, as it does on the
first drive after a lunar night (a drive never bridges a lunar night unless
it is an inferred station-to-station segment).

**Lengths that do not grow with jitter.**  LPR positions jitter by 1–2 cm
from record to record; summing raw steps of 3 cm with 1.5 cm noise would
overstate a drive by tens of percent, and a thousand records at rest would
add metres.  Two steps remove that:

1. *Smoothing along time* (:func:`traverse.path.smoothing.smooth_positions`): a
   centred 10 s moving average divides independent jitter by ~3.
2. *Minimum-step resampling* (:func:`resample_min_step`): walking along the
   smoothed path, a vertex is kept only once it lies at least
   ``min_step_m`` (10 cm) from the last kept vertex; the path's last point is
   then appended.  A path that never leaves the 10 cm circle around its
   start has length zero, so rest adds nothing; along a drive the kept
   vertices are ~10 cm apart, where residual jitter of ~0.5 cm lengthens a
   chord by ~0.5²/(2·10) cm, about 0.01 %, and chords cut a 1 m radius turn
   short by under 0.05 %.

Records within a few seconds of the end of an LPR series (the radar
switched off at a stop) get a narrower, noisier smoothing window; next to a
station they are skipped and the drive runs straight to the station.

Lengths are sums of chord lengths in lander ENU: ``length_2d_m`` horizontal,
``length_3d_m`` with the height differences; never geodesics.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse import schema
from traverse.geodesy import LanderSite, common_site, enu_to_lonlat, with_site
from traverse.missions import mission
from traverse.path.corners import restore_corners
from traverse.path.settings import DEFAULT_SETTINGS, ReconstructionSettings
from traverse.path.smoothing import elapsed_s, smooth_positions
from traverse.path.stations import rover_track, stations_from_track

__all__ = [
    "DRIVES_COLUMNS",
    "resample_min_step",
    "polyline_lengths_m",
    "path_length_m",
    "drives_from_track",
    "split_drives",
]

#: Column names of the ``drives`` table (without geometry), in order; the
#: table with dtypes and units is :data:`traverse.schema.DRIVES_COLUMNS`.
DRIVES_COLUMNS = list(schema.DRIVES_COLUMNS)

_XYZ = ["x_east_m", "y_north_m", "z_up_m"]
_SMOOTH = ["x_smooth_m", "y_smooth_m", "z_smooth_m"]


def resample_min_step(x_m, y_m, *, min_step_m: float) -> np.ndarray:
    """Indices of the vertices kept by minimum-step resampling of a path.

    Starting from the first point, the next vertex kept is the first later
    point at least ``min_step_m`` (horizontal) from the last kept one; the
    last point of the path is appended if it was not kept.  If no point
    leaves the circle around the first, only ``[0]`` is returned: the path
    is a stop of length zero.

    The loop runs once per *kept* vertex; each search is a vectorised scan
    of a block of following points (doubling the block while nothing is
    found), so long rests cost a few numpy calls, not one per record.

    Parameters
    ----------
    x_m, y_m
        Path positions in order, metres (lander ENU, east and north).
    min_step_m
        Metres (see
        :attr:`~traverse.path.settings.ReconstructionSettings.min_step_m`).

    Returns
    -------
    numpy.ndarray
        Increasing integer indices into the path, starting with 0.
    """
    xy = np.column_stack([np.asarray(x_m, dtype="float64"), np.asarray(y_m, dtype="float64")])
    n = len(xy)
    if n == 0:
        return np.zeros(0, dtype="int64")
    r2 = float(min_step_m) ** 2
    keep = [0]
    i, start = 0, 1
    while start < n:
        found, j, block = -1, start, 64
        while j < n:
            d2 = ((xy[j : j + block] - xy[i]) ** 2).sum(axis=1)
            hit = np.flatnonzero(d2 >= r2)
            if hit.size:
                found = j + int(hit[0])
                break
            j += block
            block *= 2
        if found < 0:
            break
        keep.append(found)
        i, start = found, found + 1
    if len(keep) > 1 and keep[-1] != n - 1:
        keep.append(n - 1)
    return np.asarray(keep, dtype="int64")


def polyline_lengths_m(x_m, y_m, z_m=None) -> tuple[float, float]:
    """Horizontal and 3-D length of a polyline, metres (lander ENU).

    Parameters
    ----------
    x_m, y_m, z_m
        Vertex positions, metres east, north, up.  A missing ``z_m`` or NaN
        heights count as no height change.

    Returns
    -------
    length_2d_m, length_3d_m : float
    """
    x, y = np.asarray(x_m, dtype="float64"), np.asarray(y_m, dtype="float64")
    z = np.zeros_like(x) if z_m is None else np.asarray(z_m, dtype="float64")
    dh = np.hypot(np.diff(x), np.diff(y))
    dz = np.nan_to_num(np.diff(z))
    return float(dh.sum()), float(np.sqrt(dh**2 + dz**2).sum())


def path_length_m(
    time, x_m, y_m, z_m=None, *, settings: ReconstructionSettings = DEFAULT_SETTINGS
) -> tuple[float, float]:
    """Noise-robust length of a sampled path: smooth along time, then resample.

    Parameters
    ----------
    time
        Sample times, non-decreasing: datetimes, or seconds as numbers.
    x_m, y_m, z_m
        Positions, metres (lander ENU); ``z_m`` optional.
    settings
        ``smooth_window_s`` and ``min_step_m``.

    Returns
    -------
    length_2d_m, length_3d_m : float
        Metres; ``(0.0, 0.0)`` for a path that never moves ``min_step_m``
        away from its start.
    """
    z = np.zeros(len(np.asarray(x_m))) if z_m is None else z_m
    xs, ys, zs = smooth_positions(time, x_m, y_m, z, smooth_window_s=settings.smooth_window_s)
    idx = resample_min_step(xs, ys, min_step_m=settings.min_step_m)
    return polyline_lengths_m(xs[idx], ys[idx], zs[idx])


def _trim_edges(edge: np.ndarray, has_from: bool, has_to: bool) -> tuple[int, int]:
    """Range of a leg's records to draw: drop series-end records next to a station.

    Records at the very end of an LPR series are barely smoothed; where the
    drive is anchored at a station on that side, the chord to the station
    replaces them.  Keeps everything if nothing would be left.
    """
    n = len(edge)
    j0 = int(np.argmin(edge)) if has_from and edge.any() else 0
    j1 = n - int(np.argmin(edge[::-1])) if has_to and edge.any() else n
    if edge.all() or j1 <= j0:
        return 0, n
    return j0, j1


def _restore_leg_corners(coords: np.ndarray, t_s: np.ndarray, window_s: np.ndarray,
                         jitter_m: np.ndarray) -> np.ndarray:
    """Corners of a smoothed radar leg put back (:func:`~traverse.path.corners.restore_corners`).

    The rounded zone is the distance the smoothing window spans at the leg's
    mean speed; the simplification tolerance is four times the jitter left
    after smoothing (at least 2 cm).  Legs of held navigation fixes (no
    smoothing window) are returned as they are.
    """
    w = np.nanmax(window_s) if np.isfinite(window_s).any() else np.nan
    duration = float(t_s[-1] - t_s[0]) if len(t_s) > 1 else 0.0
    if not np.isfinite(w) or duration <= 0 or len(coords) < 5:
        return coords
    speed = polyline_lengths_m(coords[:, 0], coords[:, 1])[0] / duration
    per_window = max(1.0, w / max(duration / max(len(t_s) - 1, 1), 1e-9))
    residual = float(np.sqrt(np.nanmean(jitter_m**2) / per_window)) if len(jitter_m) else 0.0
    return restore_corners(coords, rounding_m=speed * w / 2.0, tolerance_m=max(0.02, 4.0 * residual))


class Leg(NamedTuple):
    """A move after station ``after_station`` (1-based; 0 before the first).

    ``records`` are its moving radar records (a slice of the track's moving
    rows), ``None`` for two stations with no radar between them.
    """

    after_station: int
    records: slice | None


def _empty_drives(site: LanderSite) -> GeoDataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in DRIVES_COLUMNS})
    return GeoDataFrame(empty, geometry=shapely.from_wkt([]), crs=site.body.crs)


def drives_from_track(
    track: pd.DataFrame,
    stations: pd.DataFrame,
    *,
    site: LanderSite | None = None,
    settings: ReconstructionSettings = DEFAULT_SETTINGS,
) -> GeoDataFrame:
    """Cut a :func:`~traverse.path.stations.rover_track` into drives between its stations.

    Parameters
    ----------
    track
        Output of :func:`~traverse.path.stations.rover_track`.
    stations
        Output of :func:`~traverse.path.stations.stations_from_track` for the same
        track (positions in metres, lander ENU).
    site
        Lander position, origin of lander ENU, for the lon/lat geometry;
        default: the site the track and stations are tagged with (a
        different one is an error).
    settings
        ``min_step_m`` (vertex spacing), ``max_stop_diameter_m`` (two
        consecutive stations closer than this with no radar between them are
        the same stop across a lunar night: no drive) and
        ``max_inferred_lunar_days`` (farther apart, no straight inferred drive
        is made: the path is unknown).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per drive in time order, LineString(lon, lat) geometry in
        :data:`~traverse.geodesy.MOON`, columns :data:`DRIVES_COLUMNS`:
        ``drive_id`` (1, 2, ...), ``lunar_day`` (of ``end_utc``: a drive
        inferred across a lunar night counts for the day it arrives),
        ``from_station``/``to_station`` (``Int64``), ``start_utc``/``end_utc``
        (first and last moving LPR record, or the stations' last and first
        frame for an inferred drive), ``length_2d_m``/``length_3d_m``
        (metres, lander ENU, module docstring), ``source`` (``lpr`` or
        ``inferred``), ``n_records`` (LPR records used) and the drive's end
        position ``end_x_east_m``, ``end_y_north_m``, ``end_z_up_m``.
    """
    site = common_site(track, stations, site=site)
    max_stop_diameter_m = settings.max_stop_diameter_m
    st = stations.sort_values("station_id")
    n_st = len(st)
    spos = st[_XYZ].to_numpy(dtype="float64")
    sday = st["lunar_day"].to_numpy(dtype="int64")
    s_first, s_last = st["first_utc"].to_numpy(), st["last_utc"].to_numpy()
    mv = track[track["station_id"].isna()]
    legs = mv["after_station"].to_numpy(dtype="int64")
    mday = mv["lunar_day"].to_numpy(dtype="int64")
    mpos = mv[_SMOOTH].to_numpy(dtype="float64")
    mtime = mv["time_utc"].to_numpy()
    medge = mv["smooth_edge"].to_numpy(dtype=bool)
    mwindow = mv["smooth_window_s"].to_numpy(dtype="float64")
    mjitter = np.hypot(*(mv[_XYZ[:2]].to_numpy(dtype="float64") - mpos[:, :2]).T)
    mt_s = elapsed_s(mv["time_utc"])
    minstrument = mv["instrument"].astype(str).str.lower().to_numpy()  # lpr, roper
    # runs of moving records between the same two stations, in one lunar day
    cut = np.flatnonzero(np.r_[True, (legs[1:] != legs[:-1]) | (mday[1:] != mday[:-1])])
    ends = np.r_[cut[1:], len(legs)]
    runs = zip(cut, ends, strict=False) if len(legs) else []
    spans = [Leg(int(legs[i]), slice(int(i), int(j))) for i, j in runs]
    # station pairs with no radar between them
    spans += [Leg(int(a), None) for a in np.setdiff1d(np.arange(1, n_st), legs)]

    rows, verts = [], []
    for leg in spans:
        a = leg.after_station
        i0, i1 = (leg.records.start, leg.records.stop) if leg.records is not None else (0, 0)
        if leg.records is not None:  # radar: anchored at the stations of the same day, or where it parked
            has_from = a >= 1 and (
                sday[a - 1] == mday[i0]
                or np.hypot(*(mpos[i0, :2] - spos[a - 1, :2])) <= max_stop_diameter_m
            )
            has_to = a + 1 <= n_st and (
                sday[a] == mday[i0]
                or np.hypot(*(mpos[i1 - 1, :2] - spos[a, :2])) <= max_stop_diameter_m
            )
            j0, j1 = _trim_edges(medge[i0:i1], has_from, has_to)
            parts = [spos[a - 1 : a]] if has_from else []
            parts += [mpos[i0 + j0 : i0 + j1]] + ([spos[a : a + 1]] if has_to else [])
            coords, source = np.concatenate(parts), minstrument[i0]
            start, end = mtime[i0], mtime[i1 - 1]
            coords = _restore_leg_corners(coords, mt_s[i0:i1], mwindow[i0:i1], mjitter[i0:i1])
        else:
            gap = np.hypot(*(spos[a, :2] - spos[a - 1, :2]))
            if (gap <= max_stop_diameter_m or gap > settings.max_inferred_drive_m
                    or sday[a] - sday[a - 1] > settings.max_inferred_lunar_days):
                continue  # same stop across a night, or a gap (traverse.path.coverage)
            has_from = has_to = True
            coords, source = spos[a - 1 : a + 1], "inferred"
            start, end = s_last[a - 1], s_first[a]
        if len(coords) < 2:
            continue
        idx = resample_min_step(coords[:, 0], coords[:, 1], min_step_m=settings.min_step_m)
        if len(idx) < 2:
            idx = np.array([0, len(coords) - 1])
        v = coords[idx]
        l2, l3 = polyline_lengths_m(v[:, 0], v[:, 1], v[:, 2])
        rows.append(
            (a if has_from else pd.NA, a + 1 if has_to else pd.NA, start, end, l2, l3, source,
             i1 - i0, *v[-1])
        )
        verts.append(v)
    if not rows:
        return with_site(_empty_drives(site), site)

    cols = ["from_station", "to_station", "start_utc", "end_utc", "length_2d_m", "length_3d_m",
            "source", "n_records", "end_x_east_m", "end_y_north_m", "end_z_up_m"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("from_station", "to_station"):
        out[c] = out[c].astype("Int64")
    for c in ("start_utc", "end_utc"):
        out[c] = pd.to_datetime(out[c], utc=True)
    order = np.argsort(out["start_utc"].to_numpy(), kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    verts = [verts[i] for i in order]
    out.insert(0, "lunar_day", mission(site.mission).local_day(out["end_utc"]))  # sols on Mars
    out.insert(0, "drive_id", np.arange(1, len(out) + 1))
    allv = np.concatenate(verts)
    lon, lat, _ = enu_to_lonlat(allv[:, 0], allv[:, 1], np.nan_to_num(allv[:, 2]), site)
    which = np.repeat(np.arange(len(verts)), [len(v) for v in verts])
    geometry = shapely.linestrings(np.column_stack([lon, lat]), indices=which)
    return with_site(GeoDataFrame(out[DRIVES_COLUMNS], geometry=geometry, crs=site.body.crs), site)


def split_drives(
    frames: pd.DataFrame,
    *,
    site: LanderSite | None = None,
    settings: ReconstructionSettings = DEFAULT_SETTINGS,
) -> GeoDataFrame:
    """Drives of the rover, from the frames table.

    Shorthand for :func:`~traverse.path.stations.rover_track`,
    :func:`~traverse.path.stations.stations_from_track` and
    :func:`drives_from_track` with one ``site`` and ``settings``.
    """
    track = rover_track(frames, settings=settings)
    stations = stations_from_track(track, site=site)
    return drives_from_track(track, stations, site=site, settings=settings)
