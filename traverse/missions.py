"""Missions as data: body, landing site, product names, local days.

Each mission is a TOML file in ``traverse/data/missions/``: the body it is on
(CRS and sphere radius, :class:`traverse.geodesy.Body`), its named lander or
landing-site positions with their sources, the grammar of its product file
names, which instruments sit on the lander and which carry the rover pose in
their records, and how its local days are counted (a lunar day of
29.530589 d for Chang'e-4, a sol of 88 775.244 s for Tianwen-1).  Nothing
else in the code names a mission's constants; the mission of an archive is
decided from its products' file names (:func:`mission_of_names`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from traverse import geodesy
from traverse.datafiles import toml_texts
from traverse.errors import ArchiveError
from traverse.record_formats import record_formats

__all__ = ["Mission", "mission_from_toml", "missions", "default_mission", "mission", "mission_for_name",
           "mission_of_names", "mission_of"]


@dataclass(frozen=True)
class Mission:
    """One mission's constants (see the module docstring and the TOML files).

    Attributes
    ----------
    key
        Short name, the TOML file's stem: ``ce4``, ``tw1``.
    name, rover
        ``Chang'e-4`` / ``Yutu-2``, ``Tianwen-1`` / ``Zhurong``.
    body
        The body (CRS, sphere radius).
    lander_name, origin
        ``Chang'e-4 lander`` / ``the lander``: the origin of the rover positions
        as a map labels it and as a sentence says it.
    default
        The mission of a table without a lander site (exactly one has it).
    station_instruments
        Instruments every station counts (``n_PCAM`` ...), present or not.
    announced_odometry
        File in ``traverse/data/`` of the rover's announced odometry, or ``None``.
    first_day_number
        The number of the local day that starts at :attr:`day_epoch_utc` (1 or 0).
    tile_services
        Names of the tile services (``layers/basemaps.json``) that show the mission's body.
    sites
        Named lander positions (``label`` first: the one the products use).
    prefix, name_pattern
        File-name prefix and full grammar (a regular expression with named groups).
    instrument_aliases
        Payload stems that name one instrument (``PCAML`` → ``PCAM``).
    lander_instruments
        Instruments on the lander (their frames stay at the lander).
    pose_readers
        Instrument → record format (``lpr``, ``roper``: :mod:`traverse.record_formats`) of
        the records carrying the rover pose; an unknown format fails when the TOML loads.
    day_name, day_column
        ``lunar day`` / ``lunar_day``, ``sol`` / ``sol``: words and column name of a local day.
    day_length_s
        Length of one local day (daylight and night), SI seconds.
    day_epoch_utc
        Start of local day 0 (local midnight); day ``n`` starts ``n`` day lengths later.
    landing_utc
        Landing time, UTC.
    rover_start_utc
        When the rover drove onto the surface, UTC: the traverse starts at the
        lander then, so local days from :attr:`first_rover_day` on without data
        are missing from an archive (:mod:`traverse.path.coverage`).
    record_time_epoch_utc
        Origin of the pose records' time field, when the mission's reader needs one.
    earliest_utc, latest_utc
        The plausible times of the mission's products; a label time outside them
        is an error in that product (:mod:`traverse.read.times`).
    """

    key: str
    name: str
    rover: str
    body: geodesy.Body
    lander_name: str
    origin: str
    default: bool
    station_instruments: tuple[str, ...]
    announced_odometry: str | None
    first_day_number: int
    tile_services: tuple[str, ...]
    sites: dict[str, geodesy.LanderSite]
    site_sources: dict[str, str]
    prefix: str
    name_pattern: re.Pattern
    instrument_aliases: dict[str, str]
    lander_instruments: frozenset[str]
    pose_readers: dict[str, str]
    day_name: str
    day_column: str
    day_length_s: float
    day_epoch_utc: pd.Timestamp
    landing_utc: pd.Timestamp
    rover_start_utc: pd.Timestamp
    record_time_epoch_utc: pd.Timestamp | None = field(default=None)
    earliest_utc: pd.Timestamp = field(default=pd.Timestamp("1970-01-01T00:00:00Z"))
    latest_utc: pd.Timestamp = field(default=pd.Timestamp("2200-01-01T00:00:00Z"))

    @property
    def day_title(self) -> str:
        """``Lunar day``, ``Sol``: a local day's name at the start of a label."""
        return self.day_name[:1].upper() + self.day_name[1:]

    @property
    def first_rover_day(self) -> int:
        """The local day the rover drove onto the surface (lunar day 1, sol 8)."""
        return self.local_day(self.rover_start_utc)

    @property
    def pose_instruments(self) -> str:
        """``LPR``, ``RoPeR``: the radar whose records carry the rover pose, for labels."""
        return ", ".join(self.pose_readers) or "radar"

    def output_columns(self, table):
        """``table`` with the pipeline's ``lunar_day`` column named as this mission counts days.

        The pipeline numbers local days in a column called ``lunar_day``
        whatever the body; outputs (GeoPackage, CSV, GeoJSON) call it
        :attr:`day_column` (``sol`` on Mars).  The input is not modified.
        """
        if self.day_column == "lunar_day" or "lunar_day" not in table.columns:
            return table
        out = table.rename(columns={"lunar_day": self.day_column})
        out.attrs = dict(table.attrs)
        return out

    @property
    def title(self) -> str:
        """``Yutu-2 (Chang'e-4)``: for map titles."""
        return f"{self.rover} ({self.name})"

    def local_day(self, time_utc):
        """Local day number (lunar day or sol) of each time.

        ``floor((t - day_epoch_utc) / day_length_s)``, offset so that
        Chang'e-4's landing day is lunar day 1 (as the mission counts) and
        Zhurong's days are the sols its labels print (landing on sol 1).

        Parameters
        ----------
        time_utc
            A timestamp or array-like of timestamps (UTC).

        Returns
        -------
        int or numpy.ndarray of int64

        Raises
        ------
        ValueError
            A time is missing (NaT).
        """
        scalar = np.ndim(time_utc) == 0 and not isinstance(time_utc, (pd.Series, pd.Index))
        idx = pd.DatetimeIndex(pd.to_datetime([time_utc] if scalar else time_utc, utc=True))
        if idx.hasnans:
            raise ValueError(f"local_day: {int(idx.isna().sum())} of {len(idx)} times are missing"
                             " (NaT); drop them first")
        elapsed_s = np.asarray((idx - self.day_epoch_utc) / pd.Timedelta(seconds=1), dtype="float64")
        day = self.first_day_number + np.floor(elapsed_s / self.day_length_s).astype("int64")
        return int(day[0]) if scalar else day

    def local_time(self, time_utc) -> str:
        """``00011M12:27:02``: local day and local mean solar clock at ``time_utc``, as labels print it."""
        t = pd.Timestamp(time_utc)
        t = t.tz_localize("UTC") if t.tzinfo is None else t
        elapsed = (t - self.day_epoch_utc) / pd.Timedelta(seconds=1) / self.day_length_s
        day = int(np.floor(elapsed))
        clock = (elapsed - day) * 86400.0
        h, rem = divmod(clock, 3600)
        m, s = divmod(rem, 60)
        return f"{day + self.first_day_number:05d}M{int(h):02d}:{int(m):02d}:{int(s):02d}"


def _timestamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def mission_from_toml(key: str, text: str) -> Mission:
    """A :class:`Mission` from the text of its TOML file (``key`` is the file's stem).

    Raises
    ------
    ValueError
        A pose reader names no known record format (:mod:`traverse.record_formats`).
    """
    d = tomllib.loads(text)
    b = d["body"]
    body = geodesy.Body(b["name"], b["crs"], float(b["radius_m"]), b["adjective"])
    sites = {
        name: geodesy.LanderSite(float(s["lon_deg"]), float(s["lat_deg"]), float(s["height_m"]),
                                 name, body, key)
        for name, s in d["sites"].items()
    }
    formats = record_formats()
    unknown = {k: v for k, v in d.get("pose_readers", {}).items() if v not in formats}
    if unknown:
        raise ValueError(f"traverse/data/missions/{key}.toml: pose_readers {unknown} name no record format"
                         f" (known: {', '.join(formats)})")
    day = d["local_day"]
    records = d.get("records", {})
    return Mission(
        key=key, name=d["name"], rover=d["rover"], body=body, sites=sites,
        lander_name=d["lander_name"], origin=d["origin"],
        default=bool(d.get("default", False)), station_instruments=tuple(d.get("station_instruments", [])),
        announced_odometry=d.get("announced_odometry"), first_day_number=int(day["first_number"]),
        tile_services=tuple(d.get("tile_services", [])),
        site_sources={name: s.get("source", "") for name, s in d["sites"].items()},
        prefix=d["prefix"], name_pattern=re.compile(d["name_pattern"]),
        instrument_aliases=dict(d.get("instrument_aliases", {})),
        lander_instruments=frozenset(d.get("lander_instruments", [])),
        pose_readers=dict(d.get("pose_readers", {})),
        day_name=day["name"], day_column=day["column"], day_length_s=float(day["length_s"]),
        day_epoch_utc=_timestamp(day["epoch_utc"]), landing_utc=_timestamp(day["landing_utc"]),
        rover_start_utc=_timestamp(day["rover_start_utc"]),
        record_time_epoch_utc=_timestamp(records["time_epoch_utc"]) if "time_epoch_utc" in records
        else None,
        earliest_utc=_timestamp(d["plausible_times"]["earliest_utc"]),
        latest_utc=_timestamp(d["plausible_times"]["latest_utc"]),
    )


@cache
def missions() -> dict[str, Mission]:
    """Every known mission by key, read once from ``traverse/data/missions/*.toml``."""
    found = {key: mission_from_toml(key, text) for key, text in toml_texts("missions")}
    defaults = [k for k, m in found.items() if m.default]
    if len(defaults) != 1:
        raise ValueError(f"traverse/data/missions: exactly one mission has default = true, not {defaults}")
    return found


def default_mission() -> Mission:
    """The mission of tables without a lander site (``default = true`` in its TOML)."""
    return next(m for m in missions().values() if m.default)


def mission(key: str | None = None) -> Mission:
    """The mission called ``key`` (``ce4``, ``tw1``); the default mission for ``None``."""
    if not key:  # None or "": a site or table that names no mission
        return default_mission()
    try:
        return missions()[key]
    except KeyError:
        raise ValueError(f"unknown mission {key!r}: known are {', '.join(missions())}") from None


def mission_for_name(file_name: str) -> Mission | None:
    """The mission whose file-name prefix ``file_name`` starts with, or ``None``."""
    upper = file_name.upper()
    for m in missions().values():
        if upper.startswith(m.prefix.upper()):
            return m
    return None


def mission_of_names(names, *, source: str = "the archive") -> Mission:
    """The one mission that product ids ``names`` belong to (the default mission when there are none).

    Raises
    ------
    ArchiveError
        The products come from more than one mission: a Chang'e-4 traverse
        and a Zhurong traverse are on different bodies and cannot share a map.
    """
    counts: dict[str, int] = {}
    for n in names:
        m = mission_for_name(n)
        if m is not None:
            counts[m.key] = counts.get(m.key, 0) + 1
    if len(counts) > 1:
        found = missions()
        what = " and ".join(f"{n} {found[k].name} ({found[k].rover}) products" for k, n in counts.items())
        raise ArchiveError(f"mixed missions: {what}; build one mission at a time", source=source)
    return mission(next(iter(counts), None))


def mission_of(*tables) -> Mission:
    """The mission of the first table tagged with a lander site (:func:`traverse.geodesy.with_site`).

    The site names its mission (:attr:`traverse.geodesy.LanderSite.mission`);
    untagged tables are the default mission's (:func:`default_mission`).
    """
    for t in tables:
        site = geodesy.site_of(t)
        if site is not None:
            return mission(site.mission)
    return default_mission()
