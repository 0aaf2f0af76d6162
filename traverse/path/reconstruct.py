"""Reconstruct the traverse: frames in, stations, drives, lunar days and lander out.

:func:`reconstruct` only composes the steps of :mod:`traverse.path.stations`,
:mod:`traverse.path.drives` and :mod:`traverse.path.days`, each of which can be called
on its own; :func:`reconstruct` passes its keyword thresholds on to them,
with the defaults (and their sources) documented in
:func:`traverse.path.stations.rover_track` and :func:`traverse.path.drives.resample_min_step`.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse.geodesy import LANDER_LABEL, MOON, LanderSite, enu_to_lonlat
from traverse.path.days import summarise_days
from traverse.path.drives import drives_from_track
from traverse.path.stations import rover_track, stations_from_track

__all__ = ["Traverse", "lander_point", "reconstruct"]


class Traverse(NamedTuple):
    """The reconstructed traverse, four GeoDataFrames in :data:`~traverse.geodesy.MOON`.

    Attributes
    ----------
    stations
        One Point per stop (:func:`traverse.path.stations.stations_from_track`).
    drives
        One LineString per drive (:func:`traverse.path.drives.drives_from_track`).
    days
        One MultiLineString per lunar day with data
        (:func:`traverse.path.days.summarise_days`).
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
    min_step_m: float = 0.1,
    max_inferred_lunar_days: int = 2,
    **thresholds: float,
) -> Traverse:
    """Stations, drives, lunar days and lander from the frames table.

    Parameters
    ----------
    frames
        The frames table (see :mod:`traverse.schema`); rover rows
        (``role == "rover"``) with positions in lander ENU metres are used.
    site
        Lander position (control network) for every lon/lat geometry.
    min_step_m
        Metres: vertex spacing of drive lines and lengths
        (:func:`~traverse.path.drives.resample_min_step`).
    max_inferred_lunar_days
        Lunar days: the farthest apart two stations joined by an inferred
        drive (:func:`~traverse.path.drives.drives_from_track`).
    **thresholds
        Keyword arguments of :func:`~traverse.path.stations.rover_track`, which
        documents their units and defaults: ``max_stop_diameter_m`` (size of a
        stop; also the gap below which two stations are one stop),
        ``smooth_window_s`` and ``min_smooth_records`` (LPR smoothing window),
        ``max_rest_speed_m_s``, ``max_drive_speed_m_s`` and
        ``min_stop_duration_s``.

    Returns
    -------
    Traverse
        ``(stations, drives, days, lander)``.
    """
    track = rover_track(frames, **thresholds)
    stations = stations_from_track(track, site=site)
    same_stop = {k: v for k, v in thresholds.items() if k == "max_stop_diameter_m"}
    drives = drives_from_track(
        track, stations, site=site, min_step_m=min_step_m,
        max_inferred_lunar_days=max_inferred_lunar_days, **same_stop,
    )
    days = summarise_days(frames, stations, drives)
    return Traverse(stations, drives, days, lander_point(site))
