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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from traverse import geodesy
from traverse.path.stations import is_pose_record

__all__ = [
    "VIEW_LENGTH_M", "station_headings", "add_body_relative_views", "view_wedges", "target_lines",
]

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
        rest = track[track["station_id"].notna() & is_pose_record(track)
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


#: Default length of a view wedge without an observed point, metres (``--view-length``).
VIEW_LENGTH_M = 5.0
_VIEW_COLUMNS = ["product_id", "instrument", "payload", "sequence_id", "time_utc", "view_azimuth_deg",
                 "view_elevation_deg", "hfov_deg", "view_source", "length_m"]


def _instrument_enu(frames: pd.DataFrame) -> np.ndarray:
    """Where each frame's instrument stood, lander ENU metres (lander cameras at the origin)."""
    xyz = frames[["x_east_m", "y_north_m", "z_up_m"]].to_numpy(dtype="float64").copy()
    xyz[(frames["role"] == "lander").to_numpy()] = 0.0
    return xyz


def view_wedges(frames: pd.DataFrame, site: geodesy.LanderSite, *,
                view_length_m: float = VIEW_LENGTH_M) -> gpd.GeoDataFrame:
    """One wedge per frame with a view azimuth and a field of view: what the camera saw.

    The apex is the instrument (rover position, or the lander for lander
    cameras), the sides are the azimuth ± half the field of view, and the
    length is the horizontal distance to the observed point where the label
    gives one, else ``view_length_m`` (metres).  Polygons in lon/lat on
    :data:`~traverse.geodesy.MOON`; frames without azimuth or field of view
    are left out (never guessed).
    """
    ok = np.isfinite(frames["view_azimuth_deg"].to_numpy(dtype="float64")) & np.isfinite(
        frames["hfov_deg"].to_numpy(dtype="float64"))
    rows = frames.loc[ok].reset_index(drop=True)
    apex = _instrument_enu(rows)
    target = rows[["target_x_east_m", "target_y_north_m"]].to_numpy(dtype="float64")
    reach = np.hypot(*(target - apex[:, :2]).T)
    length = np.where(np.isfinite(reach) & (reach > 0), reach, view_length_m)
    az = rows["view_azimuth_deg"].to_numpy(dtype="float64")
    fov = rows["hfov_deg"].to_numpy(dtype="float64")
    n_arc = np.maximum(3, (fov / 2).astype(int) + 2)  # arc vertices: one every 2 degrees or so
    polygons = np.empty(len(rows), dtype=object)
    for n in np.unique(n_arc):  # wedges with as many arc vertices, built together
        k = np.flatnonzero(n_arc == n)
        arc = np.radians(az[k, None] + fov[k, None] * (np.linspace(0.0, 1.0, n)[None, :] - 0.5))
        e0, n0 = apex[k, 0, None], apex[k, 1, None]
        east = np.hstack([e0, e0 + length[k, None] * np.sin(arc), e0])  # apex, arc, apex
        north = np.hstack([n0, n0 + length[k, None] * np.cos(arc), n0])
        lon, lat, _ = geodesy.enu_to_lonlat(east.ravel(), north.ravel(), np.zeros(east.size), site)
        polygons[k] = shapely.polygons(np.stack([lon, lat], axis=-1).reshape(len(k), n + 2, 2))
    polygons = list(polygons)
    table = rows.assign(length_m=length)[_VIEW_COLUMNS] if len(rows) else pd.DataFrame(columns=_VIEW_COLUMNS)
    return geodesy.with_site(gpd.GeoDataFrame(table, geometry=polygons, crs=site.body.crs), site)


def target_lines(frames: pd.DataFrame, site: geodesy.LanderSite) -> gpd.GeoDataFrame:
    """One line per frame with an observed point (VNIS): from the instrument to the point."""
    ok = np.isfinite(frames["target_x_east_m"].to_numpy(dtype="float64"))
    rows = frames.loc[ok].reset_index(drop=True)
    apex = _instrument_enu(rows)
    target = rows[["target_x_east_m", "target_y_north_m", "target_z_up_m"]].to_numpy(dtype="float64")
    ends = np.stack([apex[:, :2], target[:, :2]], axis=1).reshape(-1, 2)  # rover, point, rover, ...
    lon, lat, _ = geodesy.enu_to_lonlat(ends[:, 0], ends[:, 1], np.zeros(len(ends)), site)
    lines = list(shapely.linestrings(np.column_stack([lon, lat]),
                                     indices=np.repeat(np.arange(len(rows)), 2))) if len(rows) else []
    cols = ["product_id", "instrument", "payload", "sequence_id", "time_utc", "view_azimuth_deg",
            "view_elevation_deg", "target_x_east_m", "target_y_north_m", "target_z_up_m"]
    cols += [c for c in ("target_incidence_deg", "target_phase_deg") if c in rows]
    table = rows.assign(distance_m=np.hypot(*(target[:, :2] - apex[:, :2]).T))[cols + ["distance_m"]] \
        if len(rows) else pd.DataFrame(columns=cols + ["distance_m"])
    return geodesy.with_site(gpd.GeoDataFrame(table, geometry=lines, crs=site.body.crs), site)
