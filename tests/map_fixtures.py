"""Hand-built reconstruction tables for the map tests: a plausible 3-lunar-day traverse.

Positions are lander ENU metres (label control network, lander at 177.5991 E,
45.4446 S) converted with :func:`traverse.geodesy.enu_to_lonlat`; the rover
wanders a few hundred metres west of the lander, as Yutu-2 did.  Drive
``square`` of day 3 runs along three sides of a 40 m square, so a map test can
check that the map has no east-west stretch.  :func:`make_frames` makes any
number of LPR records (100 000 for the file-size test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from geopandas import GeoDataFrame, points_from_xy
from shapely import LineString, MultiLineString, Point

from traverse import geodesy

T0 = pd.Timestamp("2019-01-03 14:00", tz="UTC")
#: station id -> (lunar day, east m, north m, arrival time)
STATIONS = {
    "S01": (1, -5.0, 8.0, T0 + pd.Timedelta(hours=2)),
    "S02": (1, -12.0, 4.0, T0 + pd.Timedelta(hours=30)),
    "S03": (1, -18.0, -6.0, T0 + pd.Timedelta(days=7)),
    "S04": (2, -60.0, -20.0, pd.Timestamp("2019-01-30 12:00", tz="UTC")),
    "S05": (2, -120.0, -30.0, pd.Timestamp("2019-02-01 12:00", tz="UTC")),
    "S06": (2, -170.0, -45.0, pd.Timestamp("2019-02-06 12:00", tz="UTC")),
    "S07": (3, -210.0, -50.0, pd.Timestamp("2019-02-28 12:00", tz="UTC")),
    "S08": (3, -210.0, -10.0, pd.Timestamp("2019-03-02 12:00", tz="UTC")),
    "S09": (3, -300.0, -20.0, pd.Timestamp("2019-03-08 12:00", tz="UTC")),
}
#: via points of drives that are not straight (drive index -> ENU vertices between the ends)
VIA = {6: [(-250.0, -50.0), (-250.0, -10.0)]}  # S07 -> S08: three sides of a 40 m square
SQUARE_DRIVE_INDEX = 6


def _up(e):
    """A gentle slope: metres up as a function of metres east."""
    return 0.02 * np.asarray(e, float)


def _lonlat(e, n):
    lon, lat, _ = geodesy.enu_to_lonlat(e, n, _up(e))
    return lon, lat


def make_lander(control: str = "label") -> GeoDataFrame:
    """One-row lander table."""
    site = geodesy.lander_site(control)
    return GeoDataFrame(
        {"name": ["Chang'e-4"], "control": [site.name], "lon": [site.lon_deg],
         "lat": [site.lat_deg], "height_m": [site.height_m]},
        geometry=[Point(site.lon_deg, site.lat_deg)], crs=geodesy.MOON,
    )


def _drive_enu() -> list[tuple[str, str, np.ndarray]]:
    ids = list(STATIONS)
    out = []
    for i, (a, b) in enumerate(zip(ids[:-1], ids[1:], strict=True)):
        pts = [STATIONS[a][1:3], *VIA.get(i, []), STATIONS[b][1:3]]
        out.append((a, b, np.array(pts, float)))
    return out


def make_drives() -> GeoDataFrame:
    """Drives between consecutive stations; the first drive of each lunar day is inferred."""
    rows, geoms = [], []
    for i, (a, b, enu) in enumerate(_drive_enu()):
        seg2 = np.hypot(*np.diff(enu, axis=0).T)
        seg3 = np.hypot(seg2, np.diff(_up(enu[:, 0])))
        lon, lat = _lonlat(enu[:, 0], enu[:, 1])
        geoms.append(LineString(np.column_stack([lon, lat])))
        start = STATIONS[a][3] + pd.Timedelta(hours=1)
        rows.append({
            "drive_id": f"D{i + 1:02d}", "lunar_day": STATIONS[b][0], "from_station": a,
            "to_station": b, "start_utc": start, "end_utc": STATIONS[b][3],
            "length_2d_m": seg2.sum(), "length_3d_m": seg3.sum(),
            "source": "inferred" if STATIONS[a][0] != STATIONS[b][0] else "lpr",
        })
    return GeoDataFrame(rows, geometry=geoms, crs=geodesy.MOON)


def make_stations() -> GeoDataFrame:
    """Stations with their (synthetic) label products."""
    rows, geoms = [], []
    for sid, (day, e, n, t) in STATIONS.items():
        products = [f"CE4_GRAS_PCAML-C-{sid}_SCI_N_{k:02d}_A.2B" for k in range(4)]
        products += [f"CE4_GRAS_VNIS-SD-{sid}_SCI_N_{k:02d}_A.2B" for k in range(2)]
        lon, lat = _lonlat([e], [n])
        geoms.append(Point(lon[0], lat[0]))
        rows.append({
            "station_id": sid, "lunar_day": day, "first_utc": t,
            "last_utc": t + pd.Timedelta(minutes=50), "n_frames": 6, "n_PCAM": 4,
            "n_VNIS": 2, "n_LPR": 0, "x_east_m": e, "y_north_m": n, "z_up_m": float(_up(e)),
            "products": ";".join(products), "instruments": "PCAM;VNIS",
        })
    return GeoDataFrame(rows, geometry=geoms, crs=geodesy.MOON)


def make_days(drives: GeoDataFrame | None = None) -> GeoDataFrame:
    """One MultiLineString per lunar day with its distance table."""
    drives = make_drives() if drives is None else drives
    rows, geoms, total = [], [], 0.0
    for day, grp in drives.groupby("lunar_day"):
        total += grp["length_2d_m"].sum()
        last = STATIONS[grp["to_station"].iloc[-1]]
        geoms.append(MultiLineString(list(grp.geometry)))
        rows.append({
            "lunar_day": int(day), "start_utc": grp["start_utc"].min(),
            "end_utc": grp["end_utc"].max(), "stations": len(grp) + (1 if day == 1 else 0),
            "drive_m": grp["length_2d_m"].sum(), "drive_3d_m": grp["length_3d_m"].sum(),
            "cumulative_m": total, "from_lander_m": float(np.hypot(last[1], last[2])),
            "bearing_deg": float(np.degrees(np.arctan2(last[1], last[2])) % 360),
        })
    return GeoDataFrame(rows, geometry=geoms, crs=geodesy.MOON)


def make_frames(n_lpr: int = 2_000, *, description: str = "PCAM panorama frame",
                seed: int = 0) -> GeoDataFrame:
    """Label products at each station plus *n_lpr* LPR records spread along the drives.

    Parameters
    ----------
    n_lpr
        Number of LPR records (100 000 for the file-size test).
    description
        Description of every label product (put ``<script>`` here to test escaping).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for st in make_stations().itertuples(index=False):
        for pid in st.products.split(";"):
            rows.append({
                "product_id": pid, "instrument": "PCAM" if "PCAM" in pid else "VNIS",
                "payload": "PCAML-C" if "PCAM" in pid else "VNIS-SD", "sequence_id": "0001",
                "record": pd.NA, "time_utc": st.first_utc, "x_east_m": st.x_east_m,
                "y_north_m": st.y_north_m, "z_up_m": st.z_up_m, "role": "rover",
                "source": f"{pid}.2BL", "description": description,
            })
    labels = pd.DataFrame(rows)
    paths = _drive_enu()
    seg = [np.hypot(*np.diff(enu, axis=0).T).sum() for _, _, enu in paths]
    which = rng.choice(len(paths), size=n_lpr, p=np.array(seg) / sum(seg))
    which.sort()
    frac = rng.random(n_lpr)
    e = np.empty(n_lpr)
    n = np.empty(n_lpr)
    for i, (_, _, enu) in enumerate(paths):
        sel = which == i
        cum = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(enu, axis=0).T))])
        d = np.sort(frac[sel]) * cum[-1]
        e[sel] = np.interp(d, cum, enu[:, 0])
        n[sel] = np.interp(d, cum, enu[:, 1])
    e += rng.normal(0, 0.05, n_lpr)
    n += rng.normal(0, 0.05, n_lpr)
    t = pd.Timestamp("2019-01-04", tz="UTC") + pd.to_timedelta(np.arange(n_lpr) * 2.0, unit="s")
    lpr = pd.DataFrame({
        "product_id": [f"CE4_GRAS_LPR-1_SCI_N_{k:04d}_A.2B" for k in which],
        "instrument": "LPR", "payload": "LPR-1", "sequence_id": "0001",
        "record": pd.array(np.arange(n_lpr), dtype="Int64"), "time_utc": t,
        "x_east_m": e, "y_north_m": n, "z_up_m": _up(e), "role": "rover",
        "source": "lpr.2B", "description": "",
    })
    frames = pd.concat([labels, lpr], ignore_index=True)
    lon, lat, _ = geodesy.enu_to_lonlat(frames["x_east_m"], frames["y_north_m"], frames["z_up_m"])
    frames["lon"], frames["lat"] = lon, lat
    return GeoDataFrame(frames, geometry=points_from_xy(lon, lat),
                        crs=geodesy.MOON)


def make_traverse(n_lpr: int = 2_000, **frame_kwargs) -> dict[str, GeoDataFrame]:
    """All five tables by name, as :func:`layers.webmap.build_webmap` takes them
    (:func:`layers.payload.map_layers`)."""
    drives = make_drives()
    return {
        "lander": make_lander(), "frames": make_frames(n_lpr, **frame_kwargs),
        "stations": make_stations(), "drives": drives, "days": make_days(drives),
    }


def page_payload(text: str) -> dict:
    """The payload (:func:`layers.payload.map_payloads`) embedded in a map page's HTML."""
    import json
    import re

    found = re.search(r'<script type="application/json" id="traverse-payload">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def layer_data(payload: dict, kind: str):
    """The ``data`` of the payload's layer of ``kind`` (``stations``, ``views``, ...)."""
    return next(e["data"] for e in payload["layers"] if e["kind"] == kind)
