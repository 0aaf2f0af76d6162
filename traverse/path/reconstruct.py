"""Reconstruct the traverse: frames in, stations, drives, lunar days and lander out.

:func:`reconstruct` only composes the steps of :mod:`traverse.path.stations`,
:mod:`traverse.path.drives` and :mod:`traverse.path.days`, each of which can be called
on its own, with one lander site (carried by the frames) and one
:class:`~traverse.path.settings.ReconstructionSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse.geodesy import (
    LANDER_LABEL,
    LanderSite,
    common_site,
    enu_to_lonlat,
    site_of,
    with_site,
)
from traverse.missions import mission
from traverse.path.coverage import coverage_from_frames, drives_and_gaps, find_gaps
from traverse.path.days import summarise_days
from traverse.path.drives import drives_from_track
from traverse.path.settings import DEFAULT_SETTINGS, ReconstructionSettings
from traverse.path.stations import rover_track, stations_from_track
from traverse.path.views import add_body_relative_views, target_lines, view_wedges

__all__ = ["Traverse", "lander_point", "reconstruct"]


@dataclass(frozen=True)
class Traverse:
    """The reconstructed traverse: its tables, the lander site and the settings that made it.

    Every table is in :data:`~traverse.geodesy.MOON` (lon/lat degrees) with
    positions in lander ENU metres, and tagged with ``site``.

    Attributes
    ----------
    frames
        The frames it was reconstructed from (:func:`traverse.read_frames`),
        with the views of PCAM mast angles filled in (:mod:`traverse.path.views`).
    stations
        One Point per stop (:func:`traverse.path.stations.stations_from_track`).
    drives
        One LineString per drive (:func:`traverse.path.drives.drives_from_track`).
    days
        One MultiLineString per lunar day with data
        (:func:`traverse.path.days.summarise_days`).
    lander
        One Point: the lander, origin of lander ENU (:func:`lander_point`).
    site
        The lander position (control network) of every lon/lat here.
    settings
        The thresholds used.
    views, targets
        What the instruments saw: view wedges and lines to observed points
        (:func:`~traverse.path.views.view_wedges`, :func:`~traverse.path.views.target_lines`).
    coverage
        One row per local day from the rover's first day to the last with data,
        ``covered`` or not (:func:`~traverse.path.coverage.coverage_from_frames`).
    gaps
        One LineString per jump of the rover no drive explains: its straight
        length is a lower bound, never a drive (:func:`~traverse.path.coverage.find_gaps`).
    """

    frames: GeoDataFrame
    stations: GeoDataFrame
    drives: GeoDataFrame
    days: GeoDataFrame
    lander: GeoDataFrame
    site: LanderSite
    settings: ReconstructionSettings = DEFAULT_SETTINGS
    views: GeoDataFrame | None = None
    targets: GeoDataFrame | None = None
    coverage: pd.DataFrame | None = None
    gaps: GeoDataFrame | None = None

    @property
    def mission(self):
        """The mission of the lander site (:class:`traverse.missions.Mission`): body, local days."""
        return mission(self.site.mission)

    def layers(self) -> dict[str, GeoDataFrame]:
        """The GIS layers by name.

        ``lander``, ``frames``, ``stations``, ``drives``, ``days``, and
        ``views`` and ``targets`` where any frame says what it looked at.

        The ``drives`` layer holds the drives (``kind`` "drive") and the gaps
        (``kind`` "gap", straight lower bounds, never drives:
        :func:`~traverse.path.coverage.drives_and_gaps`); :attr:`drives` stays
        drives only.  ``days`` holds the days with data; the days without are
        in :attr:`coverage` (not a layer: no geometry).
        """
        out = {"lander": self.lander, "frames": self.frames, "stations": self.stations,
               "drives": drives_and_gaps(self.drives, self.gaps), "days": self.days}
        for name, layer in (("views", self.views), ("targets", self.targets)):
            if layer is not None and len(layer):
                out[name] = layer
        return out


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
            "name": [mission(site.mission).lander_name],
            "control": [site.name],
            "lon": lon,
            "lat": lat,
            "height_m": h,
        }
    )
    return with_site(GeoDataFrame(table, geometry=shapely.points(lon, lat), crs=site.body.crs), site)


def reconstruct(
    frames: pd.DataFrame,
    *,
    site: LanderSite | None = None,
    settings: ReconstructionSettings = DEFAULT_SETTINGS,
) -> Traverse:
    """Stations, drives, lunar days and lander from the frames table.

    Parameters
    ----------
    frames
        The frames table (see :mod:`traverse.schema`); rover rows
        (``role == "rover"``) with positions in lander ENU metres are used.
    site
        Lander position (control network) for every lon/lat geometry; by
        default the one the frames were read for
        (``read_frames(..., control=...)``).  Giving another one raises
        :class:`~traverse.errors.SiteMismatchError`: the frames' own lon/lat
        would lie 415 m from the stations.
    settings
        Thresholds of stations, smoothing and drives
        (:class:`~traverse.path.settings.ReconstructionSettings`).

    Returns
    -------
    Traverse
    """
    site = common_site(frames, site=site)
    frames = with_site(frames, site) if site_of(frames) is None else frames
    track = rover_track(frames, settings=settings)
    stations = stations_from_track(track, site=site)
    drives = drives_from_track(track, stations, site=site, settings=settings)
    if {"view_source", "mast_yaw_deg"} <= set(frames.columns):
        frames = add_body_relative_views(frames, track, drives, site)
    coverage = coverage_from_frames(frames, mission_=mission(site.mission))
    gaps = find_gaps(stations, drives, coverage, site=site, settings=settings)
    days = with_site(summarise_days(frames, stations, drives, gaps), site)
    views = targets = None
    if {"view_azimuth_deg", "hfov_deg", "target_x_east_m"} <= set(frames.columns):
        views = view_wedges(frames, site, view_length_m=settings.view_length_m)
        targets = target_lines(frames, site)
    return Traverse(frames, stations, drives, days, lander_point(site), site, settings, views, targets,
                    coverage, gaps)
