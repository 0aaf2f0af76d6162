"""SYNTHETIC Zhurong (Tianwen-1) RoPeR 2B products with known poses, and a several-sol archive.

The records follow the real layout (``../shared/data/tw1/roper``): the same
27 fields in the same order, little-endian pose floats after the echo samples,
``Position_*`` as 16-bit sign-magnitude centimetres in the north-east-down
mirror of the landing-site frame, only with fewer echo samples so the files
stay small; the labels describe that layout honestly.  Positions are written
in the frame ``traverse/data/records/roper.toml`` reads (x east, y north, z up) and the
yaw as it reads it (counter-clockwise from east).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from traverse.missions import mission
from traverse.synthetic.products import SYNTHETIC_NOTE

__all__ = ["roper_product_name", "roper_label_xml", "roper_record_bytes", "write_roper_product",
           "write_zhurong_archive"]

_HEAD = [  # name, 1-based location, type, length
    ("Channel", 1, "UnsignedBitString", 4), ("Time", 5, "UnsignedBitString", 6),
    ("Frame_Count", 11, "UnsignedByte", 1), ("Data_node", 12, "UnsignedBitString", 1),
    ("Work_Mode", 13, "UnsignedBitString", 1), ("Trigger_Mode", 14, "UnsignedBitString", 1),
    ("Antenna_Polarization_HF", 15, "UnsignedBitString", 1),
    ("Power-on_Self-test_Switch", 16, "UnsignedBitString", 1),
    ("Effective_Data_Length", 17, "UnsignedMSB2", 2),
]
_TAIL = [  # name, offset from the end of the echo group, type, length
    ("Velocity_Vx", 0, "SignedMSB2", 2), ("Velocity_Vy", 2, "SignedMSB2", 2),
    ("Velocity_Vz", 4, "SignedMSB2", 2), ("Position_X", 6, "SignedMSB2", 2),
    ("Position_Y", 8, "SignedMSB2", 2), ("Position_Z", 10, "SignedMSB2", 2),
    ("Pitch", 12, "SignedMSB2", 2), ("Yaw", 14, "SignedMSB2", 2), ("Roll", 16, "SignedMSB2", 2),
    ("Rover_Location_X", 18, "IEEE754LSBSingle", 4), ("Rover_Location_Y", 22, "IEEE754LSBSingle", 4),
    ("Rover_Location_Z", 26, "IEEE754LSBSingle", 4), ("Rover_Attitude_Roll", 30, "IEEE754LSBSingle", 4),
    ("Rover_Attitude_Pitch", 34, "IEEE754LSBSingle", 4), ("Rover_Attitude_Yaw", 38, "IEEE754LSBSingle", 4),
    ("Solar_Incidence_Angle", 42, "IEEE754LSBSingle", 4), ("Solar_Azimuth_Angle", 46, "IEEE754LSBSingle", 4),
    ("Quality_Information", 50, "UnsignedBitString", 1),
]
_NP = {"SignedMSB2": ">u2", "IEEE754LSBSingle": "<f4", "UnsignedMSB2": ">u2", "UnsignedByte": "u1"}


def _record_length(samples: int) -> int:
    return 18 + 8 * samples + 51


def roper_product_name(payload: str, start, stop, sequence_id: int) -> str:
    """``HX1-Ro_GRAS_RoPeR-HF-HH_SCI_N_<start>_<stop>_<seq5>_A.2B``."""
    fmt = "%Y%m%d%H%M%S"
    return (f"HX1-Ro_GRAS_{payload}_SCI_N_{pd.Timestamp(start).strftime(fmt)}_"
            f"{pd.Timestamp(stop).strftime(fmt)}_{int(sequence_id):05d}_A.2B")


def _field(name: str, loc: int, dtype: str, length: int) -> str:
    return (f"<Field_Binary><name>{name}</name><field_location unit=\"byte\">{loc}</field_location>"
            f"<data_type>{dtype}</data_type><field_length unit=\"byte\">{length}</field_length>"
            "</Field_Binary>")


def roper_label_xml(product_id: str, *, start, stop, records: int, samples: int = 16) -> str:
    """Label of a RoPeR 2B product: the real field list, ``samples`` complex echo samples."""
    tw1 = mission("tw1")
    rl = _record_length(samples)
    base = 19 + 8 * samples
    fields = "".join(_field(*f) for f in _HEAD)
    group = (f"<Group_Field_Binary><name>Scientific_Data</name><group_number>1</group_number>"
             f"<repetitions>{samples}</repetitions><fields>2</fields><groups>0</groups>"
             f"<group_location unit=\"byte\">19</group_location>"
             f"<group_length unit=\"byte\">{8 * samples}</group_length>"
             f"{_field('Scientific_Data_R', 1, 'IEEE754LSBSingle', 4)}"
             f"{_field('Scientific_Data_I', 5, 'IEEE754LSBSingle', 4)}</Group_Field_Binary>")
    tail = "".join(_field(name, base + off, dt, n) for name, off, dt, n in _TAIL)
    site = tw1.sites["label"]
    iso = [pd.Timestamp(t).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ") for t in (start, stop)]
    lmst = "".join(f"<{k}_local_mean_solar_time>{tw1.local_time(t)}</{k}_local_mean_solar_time>"
                   for k, t in (("start", start), ("stop", stop)))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Product_Observational xmlns="http://pds.nasa.gov/pds4/pds/v1">'
        f"<Identification_Area><logical_identifier>{product_id}</logical_identifier>"
        f"<title>HX-1 mission</title><Modification_History><Modification_Detail>"
        f"<description>{SYNTHETIC_NOTE}</description></Modification_Detail></Modification_History>"
        "</Identification_Area><Observation_Area>"
        f"<Time_Coordinates><start_date_time>{iso[0]}</start_date_time>"
        f"<stop_date_time>{iso[1]}</stop_date_time></Time_Coordinates>"
        f"<Mission_Area><product_id>{product_id}</product_id><product_version>A</product_version>"
        "<product_level>2B</product_level><instrument_id>RoPeR</instrument_id>"
        f"<sequence_id>{product_id.split('_')[-2]}</sequence_id>"
        "<Landing_Site_Location><reference_frame>MARS_COORDINATE_SYSTEM</reference_frame>"
        f"<longitude unit=\"deg\">{site.lon_deg}</longitude><latitude unit=\"deg\">{site.lat_deg}</latitude>"
        f"<altitude unit=\"km\">{site.height_m / 1000}</altitude></Landing_Site_Location>{lmst}"
        "</Mission_Area></Observation_Area><File_Area_Observational>"
        f"<File><file_name>{product_id}</file_name><file_size unit=\"byte\">{records * rl}</file_size>"
        f"<records>{records}</records></File>"
        f'<Table_Binary><offset unit="byte">0</offset><records>{records}</records>'
        f'<Record_Binary><fields>27</fields><groups>1</groups>'
        f'<record_length unit="byte">{rl}</record_length>{fields}{group}{tail}</Record_Binary>'
        "</Table_Binary></File_Area_Observational></Product_Observational>\n"
    )


def _sign_magnitude(values: np.ndarray) -> np.ndarray:
    v = np.clip(np.round(values).astype("int64"), -0x7FFF, 0x7FFF)
    return np.where(v < 0, 0x8000 | -v, v).astype(">u2")


def roper_record_bytes(poses: pd.DataFrame, *, samples: int = 16) -> bytes:
    """RoPeR 2B records for ``poses``.

    ``poses`` holds ``time_utc``, ``x_east_m``, ``y_north_m``, ``z_up_m``
    (landing-site ENU, metres) and optional ``heading_deg`` (degrees clockwise from north).
    """
    rl = _record_length(samples)
    base = 18 + 8 * samples
    spec = {"TIME_S": (4, ">u4"), "TIME_MS": (8, ">u2"), "CHANNEL": (0, ">u4")}
    spec |= {name: (base + off, _NP[dt]) for name, off, dt, n in _TAIL if dt in _NP}
    dtype = np.dtype({"names": list(spec), "formats": [f for _, f in spec.values()],
                      "offsets": [o for o, _ in spec.values()], "itemsize": rl})
    rec = np.zeros(len(poses), dtype=dtype)
    t = pd.to_datetime(poses["time_utc"], utc=True)
    ms = ((t - mission("tw1").record_time_epoch_utc) / pd.Timedelta(milliseconds=1)).round().astype("int64")
    rec["CHANNEL"] = 0x146F2222
    rec["TIME_S"], rec["TIME_MS"] = ms // 1000, ms % 1000
    e, n, u = (poses[c].to_numpy("float64") for c in ("x_east_m", "y_north_m", "z_up_m"))
    rec["Rover_Location_X"], rec["Rover_Location_Y"], rec["Rover_Location_Z"] = e, n, u
    heading = poses["heading_deg"].to_numpy("float64") if "heading_deg" in poses else np.zeros(len(poses))
    yaw = (90.0 - heading + 180.0) % 360.0 - 180.0
    rec["Rover_Attitude_Yaw"], rec["Rover_Attitude_Roll"] = yaw, 180.0
    rec["Position_X"], rec["Position_Y"] = _sign_magnitude(n * 100), _sign_magnitude(e * 100)
    rec["Position_Z"] = _sign_magnitude(-u * 100)
    return rec.tobytes()


def write_roper_product(folder: Path, poses: pd.DataFrame, *, sequence_id: int,
                        payload: str = "RoPeR-HF-HH", samples: int = 16) -> tuple[Path, Path]:
    """Write a RoPeR 2B binary and its label for ``poses`` (:func:`roper_record_bytes`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    start, stop = poses["time_utc"].iloc[0], poses["time_utc"].iloc[-1]
    name = roper_product_name(payload, start, stop, sequence_id)
    data = folder / name
    data.write_bytes(roper_record_bytes(poses, samples=samples))
    label = folder / f"{name}L"
    label.write_text(roper_label_xml(name, start=start, stop=stop, records=len(poses), samples=samples),
                     encoding="utf-8")
    return label, data


def write_zhurong_archive(folder: Path, sols=range(11, 17), *, seed: int = 0) -> pd.DataFrame:
    """A SYNTHETIC Zhurong archive: one RoPeR product per sol, a drive with turns between two stops.

    Each sol the rover rests 120 s, drives a polyline of 3–6 legs (2–8 m each,
    turns of up to ±60°) at 5 cm/s with a record every second and 1 cm of
    position noise, then rests 120 s, starting from where the last sol ended.

    Returns
    -------
    pandas.DataFrame
        The truth: ``sol`` and ``drive_m`` (horizontal polyline length, metres).
    """
    rng = np.random.default_rng(seed)
    tw1 = mission("tw1")
    pos, heading, truth = np.array([5.4, 0.1]), 180.0, []
    for sol in sols:
        t0 = tw1.day_epoch_utc + pd.Timedelta(seconds=(sol + 0.45) * tw1.day_length_s)
        corners = [pos.copy()]
        for _ in range(int(rng.integers(3, 7))):
            heading = (heading + rng.uniform(-60, 60)) % 360
            step = rng.uniform(2.0, 8.0)
            corners.append(corners[-1] + step * np.array([np.sin(np.radians(heading)),
                                                          np.cos(np.radians(heading))]))
        corners = np.array(corners)
        legs = np.hypot(*np.diff(corners, axis=0).T)
        s = np.arange(0.0, legs.sum(), 0.05)  # 5 cm/s, one record per second
        cum = np.r_[0.0, np.cumsum(legs)]
        k = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(legs) - 1)
        frac = ((s - cum[k]) / legs[k])[:, None]
        path = corners[k] + frac * (corners[k + 1] - corners[k])
        hd = np.degrees(np.arctan2(*np.diff(corners, axis=0)[k].T)) % 360
        xy = np.vstack([np.repeat(corners[:1], 120, 0), path, np.repeat(corners[-1:], 121, 0)])
        hd = np.r_[np.repeat(hd[0], 120), hd, np.repeat(hd[-1], 121)]
        noisy = xy + rng.normal(0, 0.01, xy.shape)
        poses = pd.DataFrame({
            "time_utc": t0 + pd.to_timedelta(np.arange(len(xy)), unit="s"),
            "x_east_m": noisy[:, 0], "y_north_m": noisy[:, 1], "z_up_m": 0.4 + 0.0 * noisy[:, 0],
            "heading_deg": hd,
        })
        write_roper_product(Path(folder) / f"sol{sol:03d}", poses, sequence_id=sol)
        truth.append({"sol": sol, "drive_m": float(legs.sum())})
        pos = corners[-1]
    return pd.DataFrame(truth)
