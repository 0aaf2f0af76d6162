"""Rover poses from Lunar Penetrating Radar (LPR) level-2B records.

An LPR 2B product is a table of fixed-length records (32 883 B for channel 1,
8 307 B for channel 2) whose first ~60 bytes hold the trace time and the
rover pose; the rest are echo samples.  The layout comes from the label's
``Table_Binary``; :mod:`traverse.read.quirks` corrects what the label gets wrong.

Only the header bytes are read: the file is memory-mapped, the first
:attr:`LprLayout.header_length` bytes of every record are copied in one
strided numpy pass (one page touched per record, no per-record Python loop),
and a structured dtype picks the pose fields out of that small array.  A zip
member, which cannot be mapped, is streamed in blocks of records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from traverse.errors import RecordError, Report
from traverse.read import quirks
from traverse.read.archive import Source
from traverse.read.records import (
    RecordLayout,
    read_pose_table,
    structured_dtype,
    table_fields,
    time_fields,
)

__all__ = ["LPR_EPOCH", "MAX_ABS_COORD_M", "LprLayout", "read_lpr_poses", "poses_from_array"]

#: Origin of the records' TIME field: 2009-12-31T16:00:00 UTC (label description).
LPR_EPOCH = np.datetime64("2009-12-31T16:00:00.000", "ms")
#: Positions farther than this from the lander (any axis, metres) are rejected.
MAX_ABS_COORD_M = 100_000.0

_POSE_FIELDS = (
    "VELOCITY",
    "XPOSITION",
    "YPOSITION",
    "ZPOSITION",
    "ATT_PITCHING",
    "ATT_ROLLING",
    "ATT_YAWING",
    "REFERENCE_POINT_XPOSITION",
    "REFERENCE_POINT_YPOSITION",
    "REFERENCE_POINT_ZPOSITION",
)
_REQUIRED = ("TIME", *_POSE_FIELDS[1:4], *_POSE_FIELDS[7:10])


@dataclass(frozen=True)
class LprLayout(RecordLayout):
    """Where the pose fields sit in an LPR record (:class:`~traverse.read.records.RecordLayout`).

    Attributes
    ----------
    quirks
        The traps of this kind of product (:data:`traverse.read.quirks.RECORD_QUIRKS`);
        :attr:`dtype` has them applied.
    """

    quirks: quirks.RecordQuirks = quirks.RECORD_QUIRKS[("LPR", "2B")]

    @classmethod
    def from_table(
        cls, table: dict, *, source: str = "<label>", instrument: str = "LPR", level: str = "2B"
    ) -> LprLayout:
        """Build the layout from a label's ``table`` (:func:`traverse.read.labels.parse_label`), validated."""
        rl, offset, records, located = table_fields(table, _POSE_FIELDS, _REQUIRED, source=source)
        dtypes = {name: np_dt for name, (_, np_dt) in located.items()}
        fixes = quirks.RECORD_QUIRKS.get((instrument, level))
        if fixes is None:
            known = ", ".join("/".join(k) for k in quirks.RECORD_QUIRKS)
            raise RecordError(f"no pose reader for {instrument} level {level} (known: {known})",
                              source=source)
        dtypes = fixes.field_dtypes(dtypes)
        names, formats, offsets = time_fields(table, source=source)
        for name, np_dt in dtypes.items():
            names.append(name)
            formats.append(np_dt)
            offsets.append(located[name][0])
        dtype = structured_dtype(names, formats, offsets, rl, source=source)
        return cls(rl, offset, records, dtype, declared_file_size=table.get("file_size"), quirks=fixes)


def poses_from_array(rec: np.ndarray, fixes: quirks.RecordQuirks, first_record: int = 0) -> pd.DataFrame:
    """Decode structured records (dtype of :class:`LprLayout`) into poses, applying ``fixes``.

    Returns
    -------
    pandas.DataFrame
        ``record`` (0-based index in the file), ``time_utc``, ``velocity_m_s``,
        ``x_east_m``, ``y_north_m``, ``z_up_m`` (lander ENU, metres),
        ``pitch_deg``, ``roll_deg``, ``yaw_deg`` (attitude in the reference
        point frame, degrees), ``valid`` (finite, within
        :data:`MAX_ABS_COORD_M`, milliseconds below 1000).
    """
    n = len(rec)

    def col(name: str) -> np.ndarray:
        if name in rec.dtype.names:
            with np.errstate(invalid="ignore", over="ignore"):  # garbage records: rejected below
                return rec[name].astype("float64")
        return np.full(n, np.nan)

    east, north, up = fixes.rover_enu(
        col("XPOSITION"),
        col("YPOSITION"),
        col("ZPOSITION"),
        col("REFERENCE_POINT_XPOSITION"),
        col("REFERENCE_POINT_YPOSITION"),
        col("REFERENCE_POINT_ZPOSITION"),
    )
    ms = rec["TIME_MS"].astype("int64")
    secs = rec["TIME_S"].astype("int64")
    time = LPR_EPOCH + (secs * 1000 + ms).astype("timedelta64[ms]")
    xyz = np.stack([east, north, up])
    valid = np.isfinite(xyz).all(axis=0) & (np.abs(xyz) <= MAX_ABS_COORD_M).all(axis=0) & (ms < 1000)
    return pd.DataFrame(
        {
            "record": np.arange(first_record, first_record + n, dtype="int64"),
            "time_utc": pd.to_datetime(time).tz_localize("UTC"),
            "velocity_m_s": col("VELOCITY"),
            "x_east_m": east,
            "y_north_m": north,
            "z_up_m": up,
            "pitch_deg": fixes.attitude_deg(col("ATT_PITCHING")),
            "roll_deg": fixes.attitude_deg(col("ATT_ROLLING")),
            "yaw_deg": fixes.attitude_deg(col("ATT_YAWING")),
            "valid": valid,
        }
    )


def read_lpr_poses(
    source: Source,
    layout: LprLayout,
    *,
    report: Report | None = None,
    block_records: int = 4096,
) -> pd.DataFrame:
    """Read the rover pose of every record of an LPR 2B binary.

    Parameters
    ----------
    source
        The binary data file (on disk or in a zip bundle).
    layout
        Its record layout, from the paired label.
    report
        Error policy, and where partial and rejected records are counted;
        under ``on_error="raise"`` the first problem raises :class:`RecordError`.
        A file shorter than its label declares is read up to its last complete
        record and reported as truncated (a warning, never raised).
    block_records
        Records per block when streaming from a zip member.

    Returns
    -------
    pandas.DataFrame
        Valid records only, columns as in :func:`poses_from_array` (without
        ``valid``).  A partial last record is dropped; records with
        non-finite or absurd positions are dropped; both are counted in
        ``report``.
    """
    return read_pose_table(source, layout, lambda rec, first: poses_from_array(rec, layout.quirks, first),
                           what="LPR", max_abs_m=MAX_ABS_COORD_M, report=report, block_records=block_records)
