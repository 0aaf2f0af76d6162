"""Time and distance on the web map: the payloads of its time control, station search and charts.

Times go to the page as milliseconds since 1970 (UTC), distances in metres
(lander ENU, as in the tables), elevations in metres of the DEM's datum.
:func:`layers.payload.map_payloads` puts these in the map's payload; ``assets/traverse-time.js``
and ``assets/traverse-charts.js`` draw them (``TraverseMap.addTimeline``, ``addChart``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from traverse.missions import Mission
from traverse.path.odometry import announced_odometry

__all__ = ["ms", "distance_to_station_m", "timeline_spec", "chart_spec", "station_sequences", "gap_breaks"]

#: A mission longer than this many lunar days starts with the per-day panel collapsed.
COLLAPSE_AFTER_DAYS = 13


def ms(value) -> int | None:
    """Milliseconds since 1970-01-01 UTC of a timestamp, ``None`` when missing."""
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return int(ts.value // 1_000_000)


def distance_to_station_m(stations: pd.DataFrame, drives: pd.DataFrame) -> pd.DataFrame:
    """Horizontal and 3-D metres driven (lander ENU) when each station was reached.

    Returns a frame indexed like ``stations`` with ``cum_2d_m`` and ``cum_3d_m``.
    """
    ordered = drives.sort_values("start_utc")
    cum2 = dict(zip(ordered["to_station"], ordered["length_2d_m"].cumsum(), strict=False))
    cum3 = dict(zip(ordered["to_station"], ordered["length_3d_m"].cumsum(), strict=False))
    out = pd.DataFrame(index=stations.index)
    out["cum_2d_m"] = stations["station_id"].map(cum2).astype("float64")
    out["cum_3d_m"] = stations["station_id"].map(cum3).astype("float64")
    # a station reached without a drive (the first, or after a gap) keeps the total so far
    return out.ffill().fillna(0.0)


def station_sequences(sequences: str) -> list[str]:
    """The GRAS sequence ids of a station (its ``sequences`` column, ``;``-joined), sorted."""
    return sorted({s for s in str(sequences or "").split(";") if s})


def timeline_spec(days: pd.DataFrame, colours: dict[int, str]) -> dict:
    """The time control: the mission's span and each lunar day's span and colour."""
    rows = days.sort_values("lunar_day")
    entries = [{"day": int(d.lunar_day), "t0": ms(d.start_utc), "t1": ms(d.end_utc),
                "color": colours[d.lunar_day]} for d in rows.itertuples(index=False)]
    return {
        "start": min((e["t0"] for e in entries if e["t0"] is not None), default=0),
        "end": max((e["t1"] for e in entries if e["t1"] is not None), default=0),
        "days": entries,
    }


def gap_breaks(stations: pd.DataFrame, gaps: pd.DataFrame | None) -> list[int]:
    """Indices of the stations reached across a gap: the charts' lines restart there.

    Station ``i`` (position in ``stations``, in time order) follows a gap when
    a gap arrives (``end_utc``) after station ``i - 1`` was reached and no
    later than station ``i``; the distance measured across a gap is unknown,
    so no line is drawn over it.
    """
    if gaps is None or not len(gaps) or len(stations) < 2:
        return []
    t = pd.to_datetime(stations["first_utc"], utc=True).to_numpy()
    ends = pd.to_datetime(gaps["end_utc"], utc=True).dropna().to_numpy()
    return [i for i in range(1, len(t)) if ((ends > t[i - 1]) & (ends <= t[i])).any()]


def chart_spec(stations: pd.DataFrame, drives: pd.DataFrame, days: pd.DataFrame,
               mission: Mission | None = None, gaps: pd.DataFrame | None = None) -> dict:
    """Cumulative distance against date (2-D, 3-D, CNSA's announcements), and the elevation profile.

    Named columns, one value per point: ``series`` (``name``, ``t`` ms UTC,
    ``m`` metres driven, ``station`` index; drives only: gaps are never
    counted); ``breaks`` the station indices reached across a gap
    (:func:`gap_breaks`), where the lines restart; ``announced`` (``t``,
    ``m``, ``label``: end-of-day figures at the end of their lunar day in the
    data, mid-day figures at their date; only for a rover with announced
    odometry); ``profile`` (only with a DEM: ``m`` metres driven,
    ``elevation_m``, ``station``).
    """
    cum = distance_to_station_m(stations, drives)
    t = [ms(v) for v in stations["first_utc"]]
    index = list(range(len(t)))
    series = [{"name": name, "t": t, "m": [round(float(v), 2) for v in cum[col]], "station": index}
              for name, col in (("reconstructed 2-D", "cum_2d_m"), ("reconstructed 3-D", "cum_3d_m"))]
    day_end = {int(d): ms(e) for d, e in zip(days["lunar_day"], days["end_utc"], strict=True)}
    announced = {"t": [], "m": [], "label": []}
    odometry = announced_odometry(mission)  # empty for a rover without announced odometry
    for row in odometry.itertuples(index=False):
        if row.kind == "as_of" and pd.notna(row.as_of):
            when, label = ms(row.as_of), f"CNSA {row.as_of:%Y-%m-%d}: {row.cumulative_m:g} m"
        elif pd.notna(row.lunar_day) and int(row.lunar_day) in day_end:
            when, label = day_end[int(row.lunar_day)], (f"CNSA, end of lunar day {int(row.lunar_day)}:"
                                                        f" {row.cumulative_m:g} m")
        else:
            continue
        if day_end and when is not None and when <= max(v for v in day_end.values() if v) + 86_400_000:
            for key, value in (("t", when), ("m", float(row.cumulative_m)), ("label", label)):
                announced[key].append(value)
    spec = {"series": series, "announced": announced, "breaks": gap_breaks(stations, gaps)}
    if "elevation_m" in stations and np.isfinite(stations["elevation_m"]).any():
        z = stations["elevation_m"].to_numpy(float)
        keep = [i for i in index if np.isfinite(z[i])]
        spec["profile"] = {"m": [round(float(cum["cum_2d_m"].iloc[i]), 2) for i in keep],
                           "elevation_m": [round(float(z[i]), 2) for i in keep], "station": keep}
    return spec
