"""The built-in sample archive: a SYNTHETIC Yutu-2 traverse of lunar days 1–13.

Nothing here is mission data.  :func:`write_sample_archive` writes, in the real
GRAS layout (:mod:`traverse.synthetic.products`), the products a user would download
for Yutu-2's first 13 lunar days: PCAM products (label and image) at every
stop, VNIS products at every third, TCAM products from the lander, and LPR level-2B
binaries (channel 2, antenna B) for the drives, with the true record layout,
mixed byte order, radians, a reference point that changes with every drive,
records at rest and 1.5 cm of position noise.  Two drives have no radar, as
happens in the real archive, so the reconstruction has to infer them.

The path follows CNSA's announcements: north-west after day 1, nearly due west
by day 6, then north-west, 218 m from the lander at the end of lunar day 11;
each lunar day's driven distance equals the cumulative odometry CNSA
announced (:mod:`traverse.path.odometry`; days without a figure are
interpolated, :func:`interpolated_days`).  ``days`` runs from 1 to 72.  All
times fall inside the lunar day they belong to.

The camera images are SYNTHETIC renderings (:mod:`traverse.synthetic.images`)
of an invented terrain as seen from where each label says the camera stood and
looked, stamped "SYNTHETIC".  PCAM and TCAM images are stored at 1/8 of the
real 2352 x 1728 size (294 x 216 RGB, 190 512 bytes), and their labels say so
honestly: the ``Array_3D_Image`` gives 294 samples x 216 lines and
``pixel_size`` is 8 times the real one, so the field of view a reader derives
from the label is the real camera's.  VNIS images are 256 x 256 with one 8-bit
band (the real VNIS-VD product is a 100-band float32 cube).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from traverse.path.days import SYNODIC_MONTH_D
from traverse.path.odometry import announced_odometry
from traverse.synthetic.images import MAST_HEIGHT_M, render_view
from traverse.synthetic.products import (
    SYNTHETIC_NOTE,
    write_image_product,
    write_label_product,
    write_lpr_product,
)

__all__ = [
    "MAX_DAYS", "SampleTruth", "interpolated_days", "sample_day_distances", "write_sample_archive",
]

#: Local sunrise at Von Kármán before the landing, the origin of the sample's timeline.
_SUNRISE_1 = pd.Timestamp("2019-01-01T00:00:00Z")
_SYNODIC = pd.Timedelta(days=SYNODIC_MONTH_D)
_DEPLOYED = pd.Timestamp("2019-01-03T15:00:00Z")  # Yutu-2 rolled onto the surface on Jan 3
_RADARLESS = {(4, 0), (6, 1)}  # (lunar day, drive index) with no LPR product
_RECORD_SPACING_M = 0.10
_NOISE_M = 0.015
_REST_RECORDS = 20
#: PCAM mast angles (yawing, pitch), degrees, of the real 3 x 2 mosaic of sequence 0067.
_MOSAIC = ((-12.9, -23.9), (0.0, -23.9), (12.9, -23.9), (12.9, -35.9), (0.0, -35.9), (-12.9, -35.9))
#: PCAM optics as published for the Chang'e-3/4 panoramic camera: 50 mm, 7.4 µm pixels,
#: 2352 x 1728 x 3 (19.7° field of view).
_PCAM_CAMERA = (50.0, 7.4, 2352, 1728, 3)
#: The TCAM optics of the real level-2C labels: 43.47204 mm, 7.4 µm pixels, 2352 x 1728 x 3.
_TCAM_CAMERA = (43.47204, 7.4, 2352, 1728, 3)
#: The sample's VNIS (visible/near-infrared) imager: 43 mm, 25 µm, 256 x 256, one band here
#: (the real VNIS-VD product is a 100-band float32 cube), 0.7 m above the ground on the rover.
_VNIS_CAMERA = (43.0, 25.0, 256, 256, 1)
_VNIS_HEIGHT_M = 0.7
#: The sample's images are this many times smaller than the real ones on each side.
_IMAGE_SHRINK = 8
#: The Sun of the sample's VNIS labels: (incidence, azimuth clockwise from north), degrees.
_SUN = (70.0, 95.0)


#: Most lunar days the sample can hold (CNSA's figures reach lunar day 71).
MAX_DAYS = 72

#: Day-end position of the rover, (metres from the lander, bearing in degrees clockwise from
#: north), at anchor days, linear in between.  CNSA: about 29 m north-west on 2019-02-01 (day 1
#: ended), about 130 m west on 2019-06-03 (day 6), 218.11 m north-west at the end of lunar day
#: 11, about 429 m north-west around day 28.  "West" on day 6 is taken as 295°: from 130 m due
#: west, 218 m north-west by the end of day 11 needs 156 m of driving, but days 7-11 drove
#: 106 m (announced odometry), so the announced shape is only consistent west-north-west.
#: After day 28: 0.63 m away per metre driven (the ratio of day 28), bearing 305°.
_SHAPE_ANCHORS = {1: (29.0, 315.0), 6: (130.0, 295.0), 11: (218.11, 315.0), 28: (429.0, 315.0)}
_AWAY_PER_DRIVEN_LATE = 429.0 / 682.77


def _announced_cumulative_m() -> dict[int, float]:
    """Cumulative odometry by lunar day: end-of-day figures, and mid-day ones where a day has no other."""
    table = announced_odometry()
    table = table[table["lunar_day"].notna()]
    out = {int(d): float(m) for d, m, k in zip(table["lunar_day"], table["cumulative_m"], table["kind"],
                                               strict=True) if k == "end_of_day"}
    for d, m in zip(table["lunar_day"], table["cumulative_m"], strict=True):
        out.setdefault(int(d), float(m))
    return out


def sample_day_distances(days: int = 13) -> dict[int, float]:
    """Driven 2D distance per lunar day 1..``days`` of the sample, metres.

    Each day ends at CNSA's announced cumulative odometry where one was found;
    days without a figure get a share of the distance to the next announced
    day in proportion to the days between (:func:`interpolated_days` lists
    them); past the last figure the mean rate of the previous ten days goes on.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"the sample holds 1 to {MAX_DAYS} lunar days, not {days}")
    known = _announced_cumulative_m()
    cum, out, last = {}, {}, 0.0
    for day in range(1, days + 1):
        if day in known:
            cum[day] = known[day]
        else:
            later = [d for d in known if d > day]
            if later:
                nxt = min(later)
                cum[day] = last + (known[nxt] - last) / (nxt - day + 1)
            else:
                start = max(1, day - 10)
                cum[day] = last + (last - cum.get(start - 1, 0.0)) / (day - start)
        out[day] = cum[day] - last
        last = cum[day]
    return out


def interpolated_days(days: int = 13) -> list[int]:
    """The sample's lunar days without an announced figure (their distance is interpolated)."""
    known = _announced_cumulative_m()
    return [d for d in range(1, days + 1) if d not in known]


def _day_end_target(day: int, cumulative_m: float) -> np.ndarray:
    """Where the sample's rover aims to end a lunar day, lander ENU metres (E, N)."""
    anchors = dict(_SHAPE_ANCHORS)
    if day > max(anchors):
        anchors[day] = (_AWAY_PER_DRIVEN_LATE * cumulative_m, 305.0)
    days = sorted(anchors)
    away = np.interp(day, days, [anchors[d][0] for d in days])
    bearing = np.radians(np.interp(day, days, [anchors[d][1] for d in days]))
    return away * np.array([np.sin(bearing), np.cos(bearing)])


@dataclass(frozen=True)
class SampleTruth:
    """What the sample archive holds, for tests: stations and drives in lander ENU metres."""

    stations: pd.DataFrame  # station, lunar_day, x_east_m, y_north_m, z_up_m, time_utc
    drives: pd.DataFrame  # lunar_day, from_station, to_station, length_2d_m, radar
    day_distance_m: dict[int, float]


def _sample_along(vertices: np.ndarray, spacing_m: float) -> np.ndarray:
    seg = np.diff(vertices, axis=0)
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*seg.T))])
    s = np.append(np.arange(0.0, cum[-1], spacing_m), cum[-1])
    return np.column_stack([np.interp(s, cum, vertices[:, i]) for i in range(2)])


def _height(en: np.ndarray) -> np.ndarray:
    """Gentle synthetic terrain, metres up (lander ENU)."""
    return 0.004 * en[:, 0] + 0.6 * np.sin(en[:, 1] / 23.0)


def _slope(en) -> tuple[float, float]:
    """dz/de and dz/dn of :func:`_height` at one point (E, N), lander ENU metres."""
    return 0.004, 0.6 / 23.0 * float(np.cos(en[1] / 23.0))


def _shrunk(camera: tuple) -> tuple:
    """``camera`` (focal mm, pixel µm, samples, lines, bands) with 1/8 the pixels, each 8 times larger.

    The field of view (pixel size x samples / focal length) stays the real camera's.
    """
    f, pixel, samples, lines, bands = camera
    return (f, round(pixel * _IMAGE_SHRINK, 6), samples // _IMAGE_SHRINK, lines // _IMAGE_SHRINK, bands)


def _bearing_deg(a, b) -> float:
    """Bearing from point ``a`` to point ``b`` (E, N), degrees clockwise from north."""
    return float(np.degrees(np.arctan2(b[0] - a[0], b[1] - a[1])) % 360.0)


def _camera_product(folder: Path, payload: str, start, *, xyz, azimuth: float, elevation: float,
                    camera: tuple, images: bool, seed: int, sequence_id: int,
                    frame: int | None = None, mast_m: float = MAST_HEIGHT_M, **label_kwargs) -> None:
    """A camera label and its image: ``mast_m`` above ``xyz`` (lander ENU, m), at azimuth/elevation (deg).

    With ``images`` the data file holds a rendering (:func:`render_view`) of the
    view; without, only the label is written (it still describes the image).
    """
    kwargs = dict(frame=frame, sequence_id=sequence_id, **label_kwargs)
    if not images:
        size = camera[2] * camera[3] * camera[4]
        write_label_product(folder, payload, start, camera=camera, file_size=size, **kwargs)
        return
    number = f"{sequence_id:04d}" + ("" if frame is None else f"-{frame}")
    text = f"{payload} {number} az {azimuth % 360:.1f} el {elevation:.1f}"
    image = render_view(xyz, azimuth, elevation, camera, mast_m=mast_m, slope=_slope(xyz), sun=_SUN,
                        text=text, seed=seed)
    write_image_product(folder, payload, start, image, camera=camera, **kwargs)


def _plan(rng: np.random.Generator, days: int):
    """Stations and drives of days 1..``days``: list of (day, [(vertices, start time, radar)]).

    Each day drives exactly its distance (:func:`sample_day_distances`) from
    where the last day ended towards :func:`_day_end_target`: every drive
    bends once, sideways, by as much as the day's distance exceeds the way to
    the target (radarless drives go straight).
    """
    pos, total = np.zeros(2), 0.0
    plan = []
    for day, dist in sample_day_distances(days).items():
        total += dist
        n = int(np.clip(np.ceil(dist / 18.0), 1, 4))
        lengths = rng.dirichlet(np.full(n, 4.0)) * dist
        straight = np.array([(day, k) in _RADARLESS for k in range(n)])
        way = _day_end_target(day, total) - pos
        span = float(np.hypot(*way))
        u = way / span if span > 0 else np.array([-1.0, 0.0])
        side = np.array([-u[1], u[0]])
        bent = lengths[~straight].sum()
        advance = np.clip((span - lengths[straight].sum()) / bent, 0.2, 1.0) if bent > 0 else 1.0
        t0 = (_DEPLOYED if day == 1 else _SUNRISE_1 + (day - 1) * _SYNODIC + pd.Timedelta("1.5D"))
        drives = []
        for k, length in enumerate(lengths):
            if straight[k]:
                verts = np.array([pos, pos + length * u])
            else:
                chord = length * advance
                offset = np.sqrt(max((length / 2) ** 2 - (chord / 2) ** 2, 0.0))
                mid = pos + u * chord / 2 + side * offset * (1 if k % 2 == 0 else -1)
                verts = np.array([pos, mid, pos + u * chord])
            drives.append((verts, t0 + pd.Timedelta(hours=20 * k + 2), not straight[k]))
            pos = verts[-1]
        plan.append((day, drives))
    return plan


def write_sample_archive(folder: str | Path, *, seed: int = 2019, days: int = 13,
                         images: bool = True) -> SampleTruth:
    """Write the synthetic sample archive of lunar days 1..``days`` under ``folder``; return its truth.

    Layout: ``folder/PCAM``, ``VNIS``, ``TCAM``, ``LPR`` holding GRAS-named
    labels and binaries.  About 62 MB for 13 days: 32 MB of LPR channel-2
    records every 10 cm (about 2.6 MB per 10 m driven) and 30 MB of images,
    190 512 bytes for each of the 6 PCAM frames of a stop and the 3 TCAM
    frames, 65 536 for a VNIS one.  ``images=False`` writes the camera labels
    without their data files (as a labels-only download would be).

    A PCAM frame looks at the rover's heading plus the mast's ``yaw`` (clockwise,
    :mod:`traverse.path.views`), the heading being that of the last stretch of
    the drive that arrived at the stop (north at the first stop), and at the
    mast's ``pitch`` above the horizon.  TCAM frames look from the lander (its
    sweep of azimuths 170°, 152°, 134°, 30° down).  Both cameras stand 1.5 m
    above the ground (:data:`traverse.synthetic.images.MAST_HEIGHT_M`); VNIS
    looks from 0.7 m at the ground point its label gives.
    """
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    stations, drives = [], []
    seq = 0
    heading = 0.0  # degrees clockwise from north: the rover faces north at the first stop

    def station(en: np.ndarray, t: pd.Timestamp, day: int) -> int:
        nonlocal seq
        seq += 1
        xyz = (float(en[0]), float(en[1]), float(_height(en[None])[0]))
        for i, (yaw, pitch) in enumerate(_MOSAIC):  # the 3 x 2 mosaic of the real sequence 0067
            _camera_product(folder / "PCAM", "PCAML-C", t + pd.Timedelta(minutes=i), xyz=xyz,
                            azimuth=heading + yaw, elevation=pitch, camera=_shrunk(_PCAM_CAMERA),
                            images=images, seed=seed, frame=i, sequence_id=seq, rover_xyz=xyz,
                            rotation=(yaw, pitch), description=SYNTHETIC_NOTE)
        if seq % 3 == 1:
            look = np.radians(rng.uniform(0, 360))  # the spectrometer's ground point, 1.3 m away
            target = (xyz[0] + 1.3 * np.sin(look), xyz[1] + 1.3 * np.cos(look), xyz[2] - 0.3)
            _camera_product(folder / "VNIS", "VNIS-VD", t + pd.Timedelta(minutes=10), xyz=xyz,
                            azimuth=float(np.degrees(look)), mast_m=_VNIS_HEIGHT_M,
                            elevation=float(np.degrees(np.arctan2(-0.3 - _VNIS_HEIGHT_M, 1.3))),
                            camera=_VNIS_CAMERA, images=images, seed=seed, sequence_id=seq,
                            rover_xyz=xyz, pointing=(0.0, 0.57, -0.82),
                            pointing_frame="ROVER_COORDINATE_SYSTEM", center_point=target,
                            solar=_SUN, description=SYNTHETIC_NOTE)
        stations.append((seq, day, *xyz, t))
        return seq

    for day, plan in _plan(rng, days):
        for verts, start, radar in plan:
            s_from = seq if stations and np.allclose(stations[-1][2:4], verts[0]) else station(
                verts[0], start - pd.Timedelta(hours=1), day)
            track = _sample_along(verts, _RECORD_SPACING_M)
            if radar:
                _write_drive_lpr(folder / "LPR", verts[0], track, start, rng, seq, rest_heading_deg=heading)
            end = start + pd.Timedelta(seconds=len(track) * 2 + 60)
            heading = _bearing_deg(verts[-2], verts[-1])
            s_to = station(verts[-1], end, day)
            length = float(np.hypot(*np.diff(verts, axis=0).T).sum())
            drives.append((day, s_from, s_to, length, radar))
    for i, yaw in enumerate((170.0, 152.0, 134.0)):  # the lander camera's sweep of sequence 0004
        a, e = np.radians(yaw), np.radians(-30.0)
        _camera_product(folder / "TCAM", "TCAM-I", _DEPLOYED + pd.Timedelta(minutes=30 + i),
                        xyz=(0.0, 0.0, float(_height(np.zeros((1, 2)))[0])), azimuth=yaw,
                        elevation=-30.0, camera=_shrunk(_TCAM_CAMERA), images=images, seed=seed, frame=i,
                        sequence_id=1, version="A", level="2C",
                        pointing=(np.sin(a) * np.cos(e), np.cos(a) * np.cos(e), np.sin(e)),
                        pointing_frame="LANDER_COORDINATE_SYSTEM")
    return SampleTruth(
        pd.DataFrame(stations, columns=["station", "lunar_day", "x_east_m", "y_north_m",
                                        "z_up_m", "time_utc"]),
        pd.DataFrame(drives, columns=["lunar_day", "from_station", "to_station", "length_2d_m",
                                      "radar"]),
        sample_day_distances(days),
    )


def _write_drive_lpr(folder: Path, ref_en: np.ndarray, track: np.ndarray, start: pd.Timestamp,
                     rng: np.random.Generator, seq: int, *, rest_heading_deg: float) -> None:
    """One LPR-2B product: records at rest at the reference point, then the drive.

    At rest the rover still faces as it arrived (``rest_heading_deg``, degrees
    clockwise from north: the heading its PCAM frames at that stop were taken
    with); it turns as the drive starts, so the moving records carry the
    drive's own heading.
    """
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
        "yaw_rad": np.r_[np.full(_REST_RECORDS, np.radians((rest_heading_deg + 180.0) % 360.0 - 180.0)),
                         np.full(n - _REST_RECORDS, heading)],
    })
    write_lpr_product(folder, poses, channel="2", sequence_id=seq, payload="LPR-2B")
