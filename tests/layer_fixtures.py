"""A small, plausible three-lunar-day Yutu-2 traverse as the five output layers.

Built by hand in lander ENU metres and converted with :func:`geodesy.enu_to_lonlat`,
so the layer writers can be tested before the reconstruction exists.  Day 3 has
one station and no drive, so its ``days`` row carries an empty MultiLineString.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, Point

from traverse import geodesy

# station id, lunar day, (e, n, u) metres in lander ENU, first UTC
_STATIONS = [
    ("LE00301", 1, (10.0, -8.0, -0.2), "2019-01-03T14:40:00Z"),
    ("LE00302", 1, (14.0, -22.0, -0.5), "2019-01-04T03:10:00Z"),
    ("LE00303", 2, (6.0, -48.0, -0.9), "2019-01-30T08:00:00Z"),
    ("LE00304", 2, (-12.0, -71.0, -1.3), "2019-02-02T11:30:00Z"),
    ("LE00305", 3, (-12.0, -71.0, -1.3), "2019-02-28T20:00:00Z"),
]
# drive id, lunar day, from, to, source, extra (e, n, u) vertices between the stations
_DRIVES = [
    ("D001", 1, "LE00301", "LE00302", "lpr", [(12.5, -15.0, -0.3)]),
    ("D002", 2, "LE00302", "LE00303", "inferred", []),
    ("D003", 2, "LE00303", "LE00304", "lpr", [(-2.0, -60.0, -1.1), (-8.0, -66.0, -1.2)]),
]


def _lonlat_points(enu):
    e, n, u = np.asarray(enu, dtype="float64").T
    lon, lat, _ = geodesy.enu_to_lonlat(e, n, u)
    return shapely.points(lon, lat)


def traverse_layers() -> dict[str, gpd.GeoDataFrame]:
    """Return ``lander``, ``frames``, ``stations``, ``drives`` and ``days`` in MOON."""
    site = geodesy.LANDER_LABEL
    lander = gpd.GeoDataFrame(
        {
            "name": ["Chang'e-4 lander"],
            "control": [site.name],
            "lon": [site.lon_deg],
            "lat": [site.lat_deg],
            "height_m": [site.height_m],
        },
        geometry=[Point(site.lon_deg, site.lat_deg)],
        crs=geodesy.MOON,
    )

    st = pd.DataFrame(_STATIONS, columns=["station_id", "lunar_day", "enu", "first_utc"])
    enu = np.array(st["enu"].tolist())
    first = pd.to_datetime(st["first_utc"], utc=True)
    stations = gpd.GeoDataFrame(
        {
            "station_id": st["station_id"],
            "lunar_day": st["lunar_day"].astype("int64"),
            "first_utc": first,
            "last_utc": first + pd.Timedelta(hours=5),
            "n_frames": [4, 3, 2, 5, 1],
            "n_PCAM": [2, 2, 1, 3, 1],
            "n_VNIS": [1, 1, 1, 1, 0],
            "n_LPR": [1, 0, 0, 1, 0],
            "x_east_m": enu[:, 0],
            "y_north_m": enu[:, 1],
            "z_up_m": enu[:, 2],
            "products": ["CE4_GRAS_PCAML-C_0001;CE4_GRAS_VNIS-SD_0001"] * 5,
            "instruments": ["PCAM;VNIS;LPR", "PCAM;VNIS", "PCAM;VNIS", "PCAM;VNIS;LPR", "PCAM"],
        },
        geometry=_lonlat_points(enu),
        crs=geodesy.MOON,
    )
    by_id = dict(zip(st["station_id"], map(tuple, enu), strict=False))
    when = dict(zip(st["station_id"], first, strict=False))

    rows, lines = [], []
    for drive_id, day, a, b, source, via in _DRIVES:
        pts = np.array([by_id[a], *via, by_id[b]])
        seg = np.diff(pts, axis=0)
        lon, lat, _ = geodesy.enu_to_lonlat(*pts.T)
        lines.append(LineString(np.column_stack([lon, lat])))
        rows.append(
            {
                "drive_id": drive_id,
                "lunar_day": day,
                "from_station": a,
                "to_station": b,
                "start_utc": when[a] + pd.Timedelta(hours=5),
                "end_utc": when[b] - pd.Timedelta(minutes=10),
                "length_2d_m": float(np.hypot(seg[:, 0], seg[:, 1]).sum()),
                "length_3d_m": float(np.linalg.norm(seg, axis=1).sum()),
                "source": source,
            }
        )
    drives = gpd.GeoDataFrame(rows, geometry=lines, crs=geodesy.MOON)

    day_rows, day_geoms, cumulative = [], [], 0.0
    for day in (1, 2, 3):
        d = drives[drives["lunar_day"] == day]
        s = stations[stations["lunar_day"] == day]
        cumulative += float(d["length_2d_m"].sum())
        last = enu[st["lunar_day"].to_numpy() == day][-1]
        day_rows.append(
            {
                "lunar_day": day,
                "start_utc": s["first_utc"].min(),
                "end_utc": s["last_utc"].max(),
                "stations": len(s),
                "drive_m": float(d["length_2d_m"].sum()),
                "drive_3d_m": float(d["length_3d_m"].sum()),
                "cumulative_m": cumulative,
                "from_lander_m": float(np.hypot(last[0], last[1])),
                "bearing_deg": float(np.degrees(np.arctan2(last[0], last[1])) % 360.0),
            }
        )
        day_geoms.append(MultiLineString(list(d.geometry)) if len(d) else MultiLineString())
    days = gpd.GeoDataFrame(day_rows, geometry=day_geoms, crs=geodesy.MOON)

    frames = _frames(stations)
    return {
        "lander": lander, "frames": frames, "stations": stations, "drives": drives, "days": days
    }


def _frames(stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A few frames per station: PCAM and VNIS labels, LPR records (with ``record``)."""
    rows = []
    for _, s in stations.iterrows():
        for k, (instrument, payload) in enumerate(
            [("PCAM", "PCAML-C"), ("VNIS", "VNIS-SD"), ("LPR", "LPR-1")]
        ):
            t = s["first_utc"] + pd.Timedelta(minutes=20 * k)
            rows.append(
                {
                    "product_id": f"CE4_GRAS_{payload}_SCI_N_{t:%Y%m%d%H%M%S}_0001_A.2B",
                    "instrument": instrument,
                    "payload": payload,
                    "level": "2B",
                    "version": "A",
                    "sequence_id": f"{k + 1:04d}",
                    "record": 17 if instrument == "LPR" else pd.NA,
                    "time_utc": t,
                    "stop_utc": t + pd.Timedelta(seconds=30),
                    "x_east_m": s["x_east_m"] + 0.3 * k,
                    "y_north_m": s["y_north_m"],
                    "z_up_m": s["z_up_m"],
                    "role": "rover",
                    "source": f"archive.zip!data/{instrument}/{k}.2BL",
                    "description": "synthetic <frame> & test",
                }
            )
    df = pd.DataFrame(rows)
    df["record"] = df["record"].astype("Int64")
    lon, lat, _ = geodesy.enu_to_lonlat(df["x_east_m"], df["y_north_m"], df["z_up_m"])
    df["lon"], df["lat"] = lon, lat
    return gpd.GeoDataFrame(df, geometry=shapely.points(lon, lat), crs=geodesy.MOON)
