"""Views relative to the rover body (PCAM mast angles) turned into azimuths with the rover's heading.

PCAM labels give ``Rotation_Angle/yawing`` and ``pitch`` (described as
``Mast_Pointing_Instrument``): angles of the mast relative to the rover body.
A view azimuth needs the rover's heading at that station, taken, in order,
from

1. ``lpr_yaw`` — the LPR attitude yaw of the records at rest at the station
   (median; the LPR record frame is x north, y east, z down, so yaw is
   clockwise from north, as the records' headings along their drives show);
2. ``drive_bearing`` — the bearing of the last stretch of the drive that
   arrived at the station (lander ENU);

and the frame gets ``view_azimuth_deg = heading + yawing`` (degrees clockwise
from north), ``view_elevation_deg = pitch`` (the rover taken as level) and a
``view_source`` that says which heading was used; such azimuths are derived.
**Assumption:** positive ``yawing`` turns the mast clockwise (to the rover's
right), like an azimuth.  The release does not say; the real sequence 0067
mosaic (−12.9°, 0°, +12.9° at two pitches) is symmetric and cannot tell.
Frames whose pointing came from their own label (:mod:`traverse.read.pointing`)
keep it; frames without a heading stay missing, never guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from traverse import geodesy

__all__ = ["station_headings", "add_body_relative_views"]

_XY = ["x_east_m", "y_north_m"]


def _last_bearing_deg(line, site: geodesy.LanderSite) -> float:
    """Bearing (degrees clockwise from north, lander ENU) of a drive line's last stretch."""
    if line is None or line.is_empty:
        return np.nan
    lon, lat = np.asarray(line.coords).T
    e, n, _ = geodesy.lonlat_to_enu(lon, lat, np.zeros_like(lon), site)
    end = np.array([e[-1], n[-1]])
    for k in range(len(e) - 2, -1, -1):  # the last vertex at least 5 cm before the end
        d = end - np.array([e[k], n[k]])
        if np.hypot(*d) >= 0.05:
            return float(np.degrees(np.arctan2(d[0], d[1])) % 360.0)
    return np.nan


def station_headings(track: pd.DataFrame, drives: pd.DataFrame,
                     site: geodesy.LanderSite) -> pd.DataFrame:
    """The rover's heading at each station and where it came from.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``station_id``: ``heading_deg`` (clockwise from north) and
        ``heading_source`` (``lpr_yaw`` or ``drive_bearing``).
    """
    out = {}
    if len(drives):
        arrived = drives.dropna(subset=["to_station"]).sort_values("end_utc")
        for sid, line in zip(arrived["to_station"], arrived.geometry, strict=True):
            bearing = _last_bearing_deg(line, site)
            if np.isfinite(bearing):
                out[int(sid)] = (bearing, "drive_bearing")
    if "yaw_deg" in track.columns:
        rest = track[track["station_id"].notna() & (track["instrument"] == "LPR")
                     & np.isfinite(track["yaw_deg"].to_numpy(dtype="float64"))]
        for sid, yaw in rest.groupby("station_id")["yaw_deg"]:
            # circular median-ish: the mean direction of the yaws at rest
            rad = np.radians(yaw.to_numpy(dtype="float64"))
            out[int(sid)] = (float(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())) % 360.0),
                             "lpr_yaw")
    table = pd.DataFrame.from_dict(out, orient="index", columns=["heading_deg", "heading_source"])
    table.index.name = "station_id"
    return table


def add_body_relative_views(frames: pd.DataFrame, track: pd.DataFrame, drives: pd.DataFrame,
                            site: geodesy.LanderSite) -> pd.DataFrame:
    """A copy of ``frames`` with the views of PCAM mast angles filled in (module docstring)."""
    out = frames.copy()
    needs = (out["instrument"] == "PCAM") & out["view_source"].isna() & np.isfinite(
        out["mast_yaw_deg"].to_numpy(dtype="float64"))
    if not needs.any() or "station_id" not in track:
        return out
    station_of = (track.dropna(subset=["station_id"]).drop_duplicates("product_id")
                  .set_index("product_id")["station_id"])
    headings = station_headings(track, drives, site)
    sid = out.loc[needs, "product_id"].map(station_of)
    heading = sid.map(headings["heading_deg"]).astype("float64")
    source = sid.map(headings["heading_source"])
    ok = heading.notna()
    idx = heading.index[ok]
    out.loc[idx, "view_azimuth_deg"] = (heading[ok] + out.loc[idx, "mast_yaw_deg"]) % 360.0
    out.loc[idx, "view_elevation_deg"] = out.loc[idx, "mast_pitch_deg"]
    out.loc[idx, "view_source"] = "mast_yaw+" + source[ok]
    return out
