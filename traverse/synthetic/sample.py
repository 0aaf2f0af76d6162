"""The built-in sample archive: a SYNTHETIC Yutu-2 traverse of lunar days 1–13.

Nothing here is mission data.  :func:`write_sample_archive` writes, in the real
GRAS layout (:mod:`traverse.synthetic.products`), the products a user would download
for Yutu-2's first 13 lunar days: PCAM and VNIS labels at every stop, TCAM
labels from the lander, and LPR level-2B binaries (channel 2, antenna B) for
the drives, with the true record layout, mixed byte order, radians, a
reference point that changes with every drive, records at rest and 1.5 cm of
position noise.  Two drives have no radar, as happens in the real archive,
so the reconstruction has to infer them.

The path heads west from the lander, then turns north-west; each lunar day's
driven distance equals the cumulative odometry CNSA announced
(:func:`traverse.path.odometry.announced_end_of_day_m`; days 7 and 10, never announced, split the
distance to the next announced day evenly).  All times fall inside the lunar
day they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from traverse.path.days import SYNODIC_MONTH_D
from traverse.path.odometry import announced_end_of_day_m
from traverse.synthetic.products import SYNTHETIC_NOTE, write_label_product, write_lpr_product

__all__ = ["SampleTruth", "sample_day_distances", "write_sample_archive"]

#: Local sunrise at Von Kármán before the landing, the origin of the sample's timeline.
_SUNRISE_1 = pd.Timestamp("2019-01-01T00:00:00Z")
_SYNODIC = pd.Timedelta(days=SYNODIC_MONTH_D)
_DEPLOYED = pd.Timestamp("2019-01-03T15:00:00Z")  # Yutu-2 rolled onto the surface on Jan 3
_RADARLESS = {(4, 0), (6, 1)}  # (lunar day, drive index) with no LPR product
_RECORD_SPACING_M = 0.10
_NOISE_M = 0.015
_REST_RECORDS = 20


def sample_day_distances() -> dict[int, float]:
    """Driven 2D distance per lunar day 1–13 of the sample, metres."""
    cum, out, last = announced_end_of_day_m(), {}, 0.0
    for day in range(1, 14):
        if day not in cum:  # unannounced day: half of the way to the next announced day
            nxt = min(d for d in cum if d > day)
            cum[day] = last + (cum[nxt] - last) / (nxt - day + 1)
        out[day] = cum[day] - last
        last = cum[day]
    return out


@dataclass(frozen=True)
class SampleTruth:
    """What the sample archive holds, for tests: stations and drives in lander ENU metres."""

    stations: pd.DataFrame  # station, lunar_day, x_east_m, y_north_m, z_up_m, time_utc
    drives: pd.DataFrame  # lunar_day, from_station, to_station, length_2d_m, radar
    day_distance_m: dict[int, float]


def _drive_polyline(start: np.ndarray, heading_deg: float, length_m: float, bend_deg: float,
                    straight: bool) -> np.ndarray:
    """Vertices (E, N) of a drive of exactly ``length_m`` (2D) from ``start``."""
    h = np.radians(heading_deg)
    if straight:
        return np.array([start, start + length_m * np.array([np.sin(h), np.cos(h)])])
    a = length_m * 0.55
    mid = start + a * np.array([np.sin(h), np.cos(h)])
    h2 = h + np.radians(bend_deg)
    return np.array([start, mid, mid + (length_m - a) * np.array([np.sin(h2), np.cos(h2)])])


def _sample_along(vertices: np.ndarray, spacing_m: float) -> np.ndarray:
    seg = np.diff(vertices, axis=0)
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*seg.T))])
    s = np.append(np.arange(0.0, cum[-1], spacing_m), cum[-1])
    return np.column_stack([np.interp(s, cum, vertices[:, i]) for i in range(2)])


def _height(en: np.ndarray) -> np.ndarray:
    """Gentle synthetic terrain, metres up (lander ENU)."""
    return 0.004 * en[:, 0] + 0.6 * np.sin(en[:, 1] / 23.0)


def _plan(rng: np.random.Generator):
    """Stations and drives of days 1–13: list of (day, [(vertices, time), ...])."""
    pos = np.zeros(2)
    plan = []
    for day, dist in sample_day_distances().items():
        n = int(np.clip(np.ceil(dist / 18.0), 1, 4))
        parts = rng.dirichlet(np.full(n, 4.0)) * dist
        t0 = (_DEPLOYED if day == 1 else _SUNRISE_1 + (day - 1) * _SYNODIC + pd.Timedelta("1.5D"))
        heading0 = 262.0 + 4.5 * (day - 1)  # west at first, north-west by day 13
        drives = []
        for k, length in enumerate(parts):
            heading = heading0 + rng.uniform(-20, 20)
            straight = (day, k) in _RADARLESS
            verts = _drive_polyline(pos, heading, length, rng.uniform(-35, 35), straight)
            start = t0 + pd.Timedelta(hours=20 * k + 2)
            drives.append((verts, start, (day, k) not in _RADARLESS))
            pos = verts[-1]
        plan.append((day, drives))
    return plan


def write_sample_archive(folder: str | Path, *, seed: int = 2019) -> SampleTruth:
    """Write the synthetic sample archive under ``folder`` and return its truth.

    Layout: ``folder/PCAM``, ``VNIS``, ``TCAM``, ``LPR`` holding GRAS-named
    labels and binaries.  About 35 MB (LPR channel-2 records every 10 cm).
    """
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    stations, drives = [], []
    seq = 0

    def station(en: np.ndarray, t: pd.Timestamp, day: int) -> int:
        nonlocal seq
        seq += 1
        xyz = (float(en[0]), float(en[1]), float(_height(en[None])[0]))
        for i, payload in enumerate(("PCAML-C", "PCAMR-C", "PCAML-Q", "PCAMR-Q")):
            write_label_product(folder / "PCAM", payload, t + pd.Timedelta(minutes=i),
                                frame=i, sequence_id=seq, rover_xyz=xyz,
                                rotation=(rng.uniform(-180, 180), -15.0), description=SYNTHETIC_NOTE)
        if seq % 3 == 1:
            write_label_product(folder / "VNIS", "VNIS-VD", t + pd.Timedelta(minutes=10),
                                sequence_id=seq, rover_xyz=xyz, pointing=(0.0, 0.57, -0.82),
                                solar=(70.0, 95.0))
        stations.append((seq, day, *xyz, t))
        return seq

    for day, plan in _plan(rng):
        for verts, start, radar in plan:
            s_from = seq if stations and np.allclose(stations[-1][2:4], verts[0]) else station(
                verts[0], start - pd.Timedelta(hours=1), day)
            track = _sample_along(verts, _RECORD_SPACING_M)
            if radar:
                _write_drive_lpr(folder / "LPR", verts[0], track, start, rng, seq)
            end = start + pd.Timedelta(seconds=len(track) * 2 + 60)
            s_to = station(verts[-1], end, day)
            length = float(np.hypot(*np.diff(verts, axis=0).T).sum())
            drives.append((day, s_from, s_to, length, radar))
    for i in range(3):
        write_label_product(folder / "TCAM", "TCAM-I", _DEPLOYED + pd.Timedelta(minutes=30 + i),
                            frame=i, sequence_id=1, version="A", level="2C")
    return SampleTruth(
        pd.DataFrame(stations, columns=["station", "lunar_day", "x_east_m", "y_north_m",
                                        "z_up_m", "time_utc"]),
        pd.DataFrame(drives, columns=["lunar_day", "from_station", "to_station", "length_2d_m",
                                      "radar"]),
        sample_day_distances(),
    )


def _write_drive_lpr(folder: Path, ref_en: np.ndarray, track: np.ndarray, start: pd.Timestamp,
                     rng: np.random.Generator, seq: int) -> None:
    """One LPR-2B product: records at rest at the reference point, then the drive."""
    en = np.vstack([np.repeat(track[:1], _REST_RECORDS, axis=0), track])
    n = len(en)
    ref_u = float(_height(ref_en[None])[0])
    noisy = en + rng.normal(0.0, _NOISE_M, en.shape)
    up = _height(en) + rng.normal(0.0, _NOISE_M / 2, n)
    heading = np.arctan2(*np.diff(track[[0, -1]], axis=0)[0])
    poses = pd.DataFrame({
        "time_utc": start + pd.to_timedelta(np.arange(n) * 2.0 - 2.0 * _REST_RECORDS, unit="s"),
        "ref_e_m": ref_en[0], "ref_n_m": ref_en[1], "ref_u_m": ref_u,
        "dx_north_m": noisy[:, 1] - ref_en[1],
        "dy_east_m": noisy[:, 0] - ref_en[0],
        "dz_down_m": ref_u - up,
        "velocity_m_s": np.r_[np.zeros(_REST_RECORDS), np.full(n - _REST_RECORDS, 0.05)],
        "pitch_rad": rng.normal(0.0, 0.02, n),
        "roll_rad": rng.normal(0.0, 0.02, n),
        "yaw_rad": heading,
    })
    write_lpr_product(folder, poses, channel="2", sequence_id=seq, payload="LPR-2B")
