"""Reconstruct the traverse: frames in, stations, drives, lunar days and lander out.

:func:`reconstruct` only composes the steps of :mod:`traverse.stations`,
:mod:`traverse.drives` and :mod:`traverse.days`, each of which can be called
on its own; :func:`reconstruct` passes its keyword thresholds on to them,
with the defaults (and their sources) documented in
:func:`traverse.stations.rover_track` and :func:`traverse.drives.resample_min_step`.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import shapely
from geopandas import GeoDataFrame

from .days import summarise_days
from .drives import drives_from_track
from .geodesy import LANDER_LABEL, MOON, LanderSite, enu_to_lonlat
from .stations import rover_track, stations_from_track

__all__ = ["Traverse", "lander_point", "reconstruct"]


class Traverse(NamedTuple):
    """The reconstructed traverse, four GeoDataFrames in :data:`~traverse.geodesy.MOON`.

    Attributes
    ----------
    stations
        One Point per stop (:func:`traverse.stations.stations_from_track`).
    drives
        One LineString per drive (:func:`traverse.drives.drives_from_track`).
    days
        One MultiLineString per lunar day with data
        (:func:`traverse.days.summarise_days`).
    lander
        One Point: the lander, origin of lander ENU (:func:`lander_point`).
    """

    stations: GeoDataFrame
    drives: GeoDataFrame
    days: GeoDataFrame
    lander: GeoDataFrame


def lander_point(site: LanderSite = LANDER_LABEL) -> GeoDataFrame:
    """The lander as a one-row GeoDataFrame.

    Parameters
    ----------
    site
        Lander position and control network.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``control`` (network name), ``lon``, ``lat``
        (degrees, planetocentric), ``height_m`` (metres above the
        1 737 400 m sphere); Point(lon, lat) in
        :data:`~traverse.geodesy.MOON`, computed through
        :func:`~traverse.geodesy.enu_to_lonlat` at the ENU origin.
    """
    lon, lat, h = enu_to_lonlat([0.0], [0.0], [0.0], site)
    table = pd.DataFrame(
        {
            "name": ["Chang'e-4 lander"],
            "control": [site.name],
            "lon": lon,
            "lat": lat,
            "height_m": h,
        }
    )
    return GeoDataFrame(table, geometry=shapely.points(lon, lat), crs=MOON)


def reconstruct(
    frames: pd.DataFrame,
    *,
    site: LanderSite = LANDER_LABEL,
    max_stop_diameter_m: float = 0.3,
    smooth_window_s: float = 10.0,
    min_smooth_records: int = 5,
    max_rest_speed_m_s: float = 0.01,
    max_drive_speed_m_s: float = 0.1,
    min_stop_duration_s: float = 60.0,
    min_step_m: float = 0.1,
) -> Traverse:
    """Stations, drives, lunar days and lander from the frames table.

    Parameters
    ----------
    frames
        The frames table (see :mod:`traverse.schema`); rover rows
        (``role == "rover"``) with positions in lander ENU metres are used.
    site
        Lander position (control network) for every lon/lat geometry.
    max_stop_diameter_m
        Metres, horizontal: size of a stop, and the gap below which two
        stations without radar between them are one stop
        (:func:`~traverse.stations.rover_track`,
        :func:`~traverse.drives.drives_from_track`).
    smooth_window_s, min_smooth_records
        Seconds and records: each LPR product is smoothed over
        ``max(smooth_window_s, min_smooth_records × median record interval)``
        (:func:`~traverse.smoothing.lpr_smooth_window_s`).
    max_rest_speed_m_s, max_drive_speed_m_s
        Metres per second: at or below the first, a smoothed LPR record is at
        rest; a step faster than the second marks a product of held
        navigation fixes (:func:`~traverse.stations.rover_track`).
    min_stop_duration_s
        Seconds: shorter LPR-only rests are pauses inside a drive.
    min_step_m
        Metres: vertex spacing of drive lines and lengths
        (:func:`~traverse.drives.resample_min_step`).

    Returns
    -------
    Traverse
        ``(stations, drives, days, lander)``.
    """
    track = rover_track(
        frames,
        max_stop_diameter_m=max_stop_diameter_m,
        smooth_window_s=smooth_window_s,
        min_smooth_records=min_smooth_records,
        max_rest_speed_m_s=max_rest_speed_m_s,
        max_drive_speed_m_s=max_drive_speed_m_s,
        min_stop_duration_s=min_stop_duration_s,
    )
    stations = stations_from_track(track, site=site)
    drives = drives_from_track(
        track, stations, site=site, min_step_m=min_step_m, max_stop_diameter_m=max_stop_diameter_m
    )
    days = summarise_days(frames, stations, drives)
    return Traverse(stations, drives, days, lander_point(site))
