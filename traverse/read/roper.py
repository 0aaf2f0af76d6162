"""Rover poses from Zhurong's radar (RoPeR) level-2B records.

A RoPeR 2B product is a table of fixed-length records (16 453 B for the
high-frequency channel, 12 069 B for the low-frequency one): a 18-byte header
(channel, time, counters), the echo samples (a ``Group_Field_Binary``), and
then the rover's pose.  Every offset and type comes from the label's
``Table_Binary``; the floats are little-endian as declared (the real records
give smooth positions and attitudes read that way).

Fields used (label names):

* ``Time`` — uint32 seconds + uint16 milliseconds since
  :attr:`traverse.missions.Mission.record_time_epoch_utc` (2016-01-01 Beijing time).
* ``Rover_Location_X/Y/Z`` — metres, "rover position in the landing-site
  topocentric frame".  The label does not state the axes; they are read as
  **x east, y north, z up** (:data:`ROVER_LOCATION_AXES`, evidence in
  DESIGN.md, pinned by ``tests/test_roper_real.py``).
* ``Rover_Attitude_Roll/Pitch/Yaw`` — degrees in that frame; yaw is the
  right-handed angle about *up* from *east* (counter-clockwise seen from
  above), so the compass heading is ``90° − yaw``.
* ``Position_X/Y/Z`` — 0.01 m, sign-magnitude (:func:`traverse.read.quirks.sign_magnitude_16`),
  a second position in a north-east-down mirror of the same frame with its own
  origin; kept as ``record_position_*_m`` cross-check columns.
* ``Solar_Incidence_Angle``, ``Solar_Azimuth_Angle`` — degrees at the rover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from traverse.errors import Report
from traverse.read.archive import Source
from traverse.read.quirks import sign_magnitude_16
from traverse.read.records import (
    RecordLayout,
    read_pose_table,
    structured_dtype,
    table_fields,
    time_fields,
)

__all__ = ["ROVER_LOCATION_AXES", "MAX_ABS_COORD_M", "RoperLayout", "read_roper_poses",
           "roper_poses_from_array", "heading_from_yaw"]

#: How ``Rover_Location_X/Y/Z`` map to the lander ENU frame (DESIGN.md, "Zhurong's frame").
ROVER_LOCATION_AXES = ("east", "north", "up")
#: Positions farther than this from the landing site (any axis, metres) are rejected.
MAX_ABS_COORD_M = 100_000.0

_FLOATS = (
    "ROVER_LOCATION_X", "ROVER_LOCATION_Y", "ROVER_LOCATION_Z",
    "ROVER_ATTITUDE_ROLL", "ROVER_ATTITUDE_PITCH", "ROVER_ATTITUDE_YAW",
    "SOLAR_INCIDENCE_ANGLE", "SOLAR_AZIMUTH_ANGLE",
)
_SCALED = ("POSITION_X", "POSITION_Y", "POSITION_Z")
_REQUIRED = ("TIME", *_FLOATS[:3])


def heading_from_yaw(yaw_deg: np.ndarray) -> np.ndarray:
    """Compass heading (degrees clockwise from north, [0, 360)) from ``Rover_Attitude_Yaw``.

    The yaw is counter-clockwise from east in the east-north-up frame
    (:data:`ROVER_LOCATION_AXES`): heading = 90° − yaw.
    """
    return np.mod(90.0 - np.asarray(yaw_deg, dtype="float64"), 360.0)


@dataclass(frozen=True)
class RoperLayout(RecordLayout):
    """Where the pose fields sit in a RoPeR record (:class:`~traverse.read.records.RecordLayout`)."""

    @classmethod
    def from_table(cls, table: dict, *, source: str = "<label>") -> RoperLayout:
        """Build the layout from a label's ``table`` (:func:`traverse.read.labels.parse_label`), validated.

        ``Position_*`` are read as raw 16-bit words (they are sign-magnitude,
        whatever the label declares); every other field as declared.
        """
        rl, offset, records, located = table_fields(table, _FLOATS + _SCALED, _REQUIRED, source=source)
        names, formats, offsets = time_fields(table, source=source)
        for name, (start, np_dt) in located.items():
            names.append(name)
            formats.append(">u2" if name in _SCALED and np.dtype(np_dt).itemsize == 2 else np_dt)
            offsets.append(start)
        return cls(rl, offset, records, structured_dtype(names, formats, offsets, rl, source=source),
                   declared_file_size=table.get("file_size"))


def roper_poses_from_array(rec: np.ndarray, epoch_utc: pd.Timestamp, first_record: int = 0) -> pd.DataFrame:
    """Decode structured RoPeR records (dtype of :class:`RoperLayout`) into poses.

    Returns
    -------
    pandas.DataFrame
        ``record`` (0-based), ``time_utc``, ``x_east_m``, ``y_north_m``,
        ``z_up_m`` (landing-site ENU, metres), ``roll_deg``, ``pitch_deg``
        (as stored, degrees), ``yaw_deg`` (compass heading, degrees clockwise
        from north), ``record_position_x_m/y_m/z_m`` (``Position_*``, metres),
        ``solar_incidence_deg``, ``solar_azimuth_deg``, ``valid``.
    """
    n = len(rec)

    def col(name: str) -> np.ndarray:
        if name in rec.dtype.names:
            with np.errstate(invalid="ignore", over="ignore"):  # garbage records: rejected below
                return rec[name].astype("float64")
        return np.full(n, np.nan)

    def scaled(name: str) -> np.ndarray:
        return sign_magnitude_16(rec[name]) * 0.01 if name in rec.dtype.names else np.full(n, np.nan)

    axes = dict(zip(ROVER_LOCATION_AXES, (col(f"ROVER_LOCATION_{a}") for a in "XYZ"), strict=True))
    ms = rec["TIME_MS"].astype("int64")
    secs = rec["TIME_S"].astype("int64")
    epoch = np.datetime64(epoch_utc.tz_convert("UTC").tz_localize(None), "ms")
    time = epoch + (secs * 1000 + ms).astype("timedelta64[ms]")
    xyz = np.stack([axes["east"], axes["north"], axes["up"]])
    valid = np.isfinite(xyz).all(axis=0) & (np.abs(xyz) <= MAX_ABS_COORD_M).all(axis=0) & (ms < 1000)
    return pd.DataFrame({
        "record": np.arange(first_record, first_record + n, dtype="int64"),
        "time_utc": pd.to_datetime(time).tz_localize("UTC"),
        "x_east_m": axes["east"],
        "y_north_m": axes["north"],
        "z_up_m": axes["up"],
        "roll_deg": col("ROVER_ATTITUDE_ROLL"),
        "pitch_deg": col("ROVER_ATTITUDE_PITCH"),
        "yaw_deg": heading_from_yaw(col("ROVER_ATTITUDE_YAW")),
        "record_position_x_m": scaled("POSITION_X"),
        "record_position_y_m": scaled("POSITION_Y"),
        "record_position_z_m": scaled("POSITION_Z"),
        "solar_incidence_deg": col("SOLAR_INCIDENCE_ANGLE"),
        "solar_azimuth_deg": col("SOLAR_AZIMUTH_ANGLE"),
        "valid": valid,
    })


def read_roper_poses(
    source: Source,
    layout: RoperLayout,
    epoch_utc: pd.Timestamp,
    *,
    report: Report | None = None,
    block_records: int = 4096,
) -> pd.DataFrame:
    """Read the rover pose of every record of a RoPeR 2B binary.

    Parameters
    ----------
    source
        The binary data file (on disk or in a zip bundle).
    layout
        Its record layout, from the paired label.
    epoch_utc
        Origin of the records' ``Time`` field (the mission's ``record_time_epoch_utc``).
    report
        Error policy; partial and rejected records are counted there.

    Returns
    -------
    pandas.DataFrame
        Valid records only, columns as in :func:`roper_poses_from_array` (without ``valid``).
    """
    return read_pose_table(source, layout, lambda rec, first: roper_poses_from_array(rec, epoch_utc, first),
                           what="RoPeR", max_abs_m=MAX_ABS_COORD_M, report=report,
                           block_records=block_records)
