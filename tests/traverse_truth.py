"""Synthetic rover frames from a known path, for the reconstruction tests.

The rover stops at ``stops_enu`` (lander ENU metres).  At each stop it takes
``labels_per_stop`` label products (alternately PCAM and VNIS) that carry the
stop's exact position, then optionally LPR records at rest (one per
``record_dt_s``, with Gaussian jitter).  Between stops it drives along
straight segments (through optional ``via`` waypoints) at
``drive_speed_m_s``, the LPR writing one record every ``record_dt_s``
(3 cm apart by default) with jitter ``noise_m`` on each coordinate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from traverse.geodesy import LANDER_LABEL, MOON, enu_to_lonlat

T0 = pd.Timestamp("2019-01-04T00:00:00Z")


@dataclass
class Truth:
    """Frames plus the truth they were made from."""

    frames: GeoDataFrame
    stops_enu: np.ndarray
    drive_2d_m: np.ndarray
    drive_3d_m: np.ndarray
    arrive_utc: list = field(default_factory=list)
    leave_utc: list = field(default_factory=list)
    products: list = field(default_factory=list)  # label product ids per stop
    lpr_drives: np.ndarray | None = None  # drive index has LPR records


def _per(value, n, name):
    arr = list(value) if np.ndim(value) else [value] * n
    assert len(arr) == n, f"{name}: expected {n} values, got {len(arr)}"
    return arr


def polyline_lengths(p: np.ndarray) -> tuple[float, float]:
    d = np.diff(p, axis=0)
    return float(np.hypot(d[:, 0], d[:, 1]).sum()), float(np.linalg.norm(d, axis=1).sum())


def sample_polyline(p: np.ndarray, step_m: float) -> np.ndarray:
    """Points every ``step_m`` of 3-D arc length along polyline ``p``, ending at its end."""
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    s_v = np.r_[0.0, np.cumsum(seg)]
    s = np.r_[np.arange(0.0, s_v[-1], step_m), s_v[-1]]
    return np.column_stack([np.interp(s, s_v, p[:, k]) for k in range(3)])


def make_frames(
    stops_enu,
    *,
    stop_times=None,
    via=None,
    lpr=True,
    labels_per_stop=2,
    rest_records=0,
    pauses=None,
    record_dt_s: float = 1.0,
    drive_speed_m_s: float = 0.03,
    noise_m: float = 0.0,
    seed: int = 0,
    lander_frame: bool = True,
) -> Truth:
    """Frames for a rover visiting ``stops_enu`` in order.

    Parameters
    ----------
    stops_enu
        (n, 3) stop positions, metres, lander ENU (or (n, 2), z = 0).
    stop_times
        Arrival time of each stop (UTC); default: back to back from T0.
    via
        Per drive, a list of intermediate (x, y, z) waypoints or None.
    lpr
        Per drive (or one bool): whether LPR records cover it.
    labels_per_stop, rest_records
        Per stop (or one int): label products, LPR records at rest.
    pauses
        ``{drive_index: (fraction_of_path, seconds)}``: LPR rest records
        inside a drive.
    """
    rng = np.random.default_rng(seed)
    stops = np.asarray(stops_enu, dtype="float64")
    if stops.shape[1] == 2:
        stops = np.column_stack([stops, np.zeros(len(stops))])
    n = len(stops)
    labels = _per(labels_per_stop, n, "labels_per_stop")
    rests = _per(rest_records, n, "rest_records")
    lprs = _per(lpr, max(n - 1, 0), "lpr")
    via = via or [None] * (n - 1)
    pauses = pauses or {}
    dt = pd.Timedelta(seconds=record_dt_s)
    rows = []  # (product_id, instrument, payload, seq, record, t, stop, x, y, z)
    truth = Truth(None, stops, np.zeros(n - 1), np.zeros(n - 1), lpr_drives=np.asarray(lprs))

    def lpr_rows(pid, times, pos):
        noisy = pos + rng.normal(0.0, noise_m, pos.shape) if noise_m else pos
        for k, (t, p) in enumerate(zip(times, noisy, strict=False)):
            rows.append((pid, "LPR", "LPR-1", pid[-4:], k, t, t, *p))

    t = T0 if stop_times is None else pd.Timestamp(stop_times[0])
    for i in range(n):
        if stop_times is not None:
            assert pd.Timestamp(stop_times[i]) >= t, f"stop {i} arrives before the drive ends"
            t = pd.Timestamp(stop_times[i])
        truth.arrive_utc.append(t)
        ids = []
        for k in range(labels[i]):
            inst, payload = ("PCAM", "PCAML-C") if k % 2 == 0 else ("VNIS", "VNIS-SD")
            pid = f"CE4_GRAS_{payload}_SCI_N_{i:04d}{k:03d}_A.2B"
            ts = t + pd.Timedelta(seconds=30 + 60 * k)
            rows.append((pid, inst, payload, f"{i:04d}", pd.NA, ts, ts + pd.Timedelta(seconds=20),
                         *stops[i]))
            ids.append(pid)
        truth.products.append(ids)
        t_rest = t + pd.Timedelta(seconds=30 + 60 * labels[i])
        if rests[i]:
            times = t_rest + dt * np.arange(rests[i])
            at_stop = np.repeat(stops[i : i + 1], rests[i], 0)
            lpr_rows(f"CE4_GRAS_LPR-1_REST_{i:04d}", times, at_stop)
        leave = t_rest + dt * rests[i] + pd.Timedelta(seconds=60)
        truth.leave_utc.append(leave)
        if i == n - 1:
            break
        path = np.vstack([stops[i], *(via[i] or []), stops[i + 1]])
        truth.drive_2d_m[i], truth.drive_3d_m[i] = polyline_lengths(path)
        pts = sample_polyline(path, drive_speed_m_s * record_dt_s)
        secs = np.arange(len(pts)) * record_dt_s
        if i in pauses:
            frac, dur = pauses[i]
            k = int(frac * len(pts))
            extra = int(dur / record_dt_s)
            pts = np.vstack([pts[:k], np.repeat(pts[k : k + 1], extra, 0), pts[k:]])
            secs = np.arange(len(pts)) * record_dt_s
        times = leave + pd.to_timedelta(secs, unit="s")
        if lprs[i]:
            lpr_rows(f"CE4_GRAS_LPR-1_DRIVE_{i:04d}", times, pts)
        t = times[-1] + pd.Timedelta(seconds=30)

    if lander_frame:
        rows.append(("CE4_GRAS_TCAM_SCI_N_0000_A.2B", "TCAM", "TCAM", "0000", pd.NA, T0, T0,
                     np.nan, np.nan, np.nan))
    df = pd.DataFrame(rows, columns=["product_id", "instrument", "payload", "sequence_id", "record",
                                     "time_utc", "stop_utc", "x_east_m", "y_north_m", "z_up_m"])
    df["record"] = df["record"].astype("Int64")
    df["time_utc"] = pd.to_datetime(df["time_utc"], utc=True)
    df["stop_utc"] = pd.to_datetime(df["stop_utc"], utc=True)
    df["role"] = np.where(df["instrument"].isin(["TCAM", "LCAM"]), "lander", "rover")
    df["source"] = df["product_id"]
    lon, lat, _ = enu_to_lonlat(df["x_east_m"], df["y_north_m"], df["z_up_m"], LANDER_LABEL)
    df["lon"], df["lat"] = lon, lat
    df = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # order must not matter
    geometry = shapely.points(df["lon"], df["lat"])
    geometry[~np.isfinite(df["lon"].to_numpy())] = None
    truth.frames = GeoDataFrame(df, geometry=geometry, crs=MOON)
    return truth
