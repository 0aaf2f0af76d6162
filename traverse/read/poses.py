"""Rover poses from radar records, for every record format the same way.

A pose-carrying product (Yutu-2's LPR, Zhurong's RoPeR, level 2B) is a table of
fixed-length records whose layout comes from the label's ``Table_Binary``; its
record format (:mod:`traverse.record_formats`, ``traverse/data/records/*.toml``)
says which fields hold the time and the pose, which the label declares wrongly,
and how they make the rover's lander east-north-up position.  One layout
(:class:`PoseLayout`) and one decoder (:func:`decode_poses`) serve every format;
the reading itself (memory-mapped strided copy, zip members streamed in blocks,
truncated files) is :func:`traverse.read.records.read_pose_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from traverse.errors import RecordError, Report
from traverse.read import quirks
from traverse.read.archive import Source
from traverse.read.records import RecordLayout, read_pose_table, structured_dtype, table_fields, time_fields
from traverse.record_formats import RecordFormat, record_format

__all__ = ["PoseLayout", "decode_poses", "read_poses"]


@dataclass(frozen=True)
class PoseLayout(RecordLayout):
    """Where a record format's fields sit in one product's records (:class:`RecordLayout`).

    Attributes
    ----------
    format
        The record format (:class:`~traverse.record_formats.RecordFormat`);
        :attr:`dtype` has its ``little_endian`` and ``raw_u16`` fields applied.
    """

    format: RecordFormat = field(default_factory=lambda: record_format("lpr"))

    @classmethod
    def from_table(cls, table: dict, fmt: RecordFormat | str = "lpr", *, source: str = "<label>",
                   level: str | None = None) -> PoseLayout:
        """Build the layout from a label's ``table`` (:func:`traverse.read.labels.parse_label`), validated.

        Parameters
        ----------
        fmt
            The record format or its key.
        level
            The product's processing level (``2B``), checked against the format's levels.

        Raises
        ------
        RecordError
            The format does not read this level.
        LayoutError
            A required field is missing, or a declared number, type or location is impossible.
        """
        fmt = record_format(fmt) if isinstance(fmt, str) else fmt
        if level is not None and level not in fmt.levels:
            raise RecordError(f"no pose reader for {fmt.instrument} level {level} (the {fmt.key} format"
                              f" reads level {', '.join(fmt.levels)})", source=source)
        rl, offset, records, located = table_fields(table, fmt.wanted, fmt.required, source=source)
        declared = {name: np_dt for name, (_, np_dt) in located.items()}
        dtypes = quirks.little_endian(declared, fmt.little_endian)
        names, formats, offsets = time_fields(table, source=source)
        for name, (start, _) in located.items():
            raw = name in fmt.raw_u16 and np.dtype(dtypes[name]).itemsize == 2
            names.append(name)
            formats.append(">u2" if raw else dtypes[name])
            offsets.append(start)
        return cls(rl, offset, records, structured_dtype(names, formats, offsets, rl, source=source),
                   declared_file_size=table.get("file_size"), format=fmt)


def _column(rec: np.ndarray, name: str) -> np.ndarray:
    if name in rec.dtype.names:
        with np.errstate(invalid="ignore", over="ignore"):  # garbage records: rejected by the caller
            return rec[name].astype("float64")
    return np.full(len(rec), np.nan)


def decode_poses(rec: np.ndarray, fmt: RecordFormat, epoch_utc: pd.Timestamp, first_record: int = 0
                 ) -> pd.DataFrame:
    """Decode structured records (dtype of :class:`PoseLayout`) into poses.

    Parameters
    ----------
    rec
        Structured records.
    fmt
        Their record format.
    epoch_utc
        Origin of the time field (the mission's ``record_time_epoch_utc``).
    first_record
        Index of ``rec[0]`` in the file.

    Returns
    -------
    pandas.DataFrame
        ``record`` (0-based), ``time_utc``, ``x_east_m``, ``y_north_m``,
        ``z_up_m`` (lander ENU, metres: the format's signed sums), then the
        format's columns (transformed and scaled), and ``valid`` (positions
        finite and within ``max_abs_coord_m``, milliseconds below 1000).
    """
    n = len(rec)
    enu = [sum((sign * _column(rec, f) for sign, f in fmt.position[axis]), np.zeros(n))
           for axis in ("east", "north", "up")]
    ms = rec["TIME_MS"].astype("int64")
    secs = rec["TIME_S"].astype("int64")
    epoch = np.datetime64(pd.Timestamp(epoch_utc).tz_convert("UTC").tz_localize(None), "ms")
    time = epoch + (secs * 1000 + ms).astype("timedelta64[ms]")
    xyz = np.stack(enu)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(xyz).all(axis=0) & (np.abs(xyz) <= fmt.max_abs_coord_m).all(axis=0) & (ms < 1000)
    out = {"record": np.arange(first_record, first_record + n, dtype="int64"),
           "time_utc": pd.to_datetime(time).tz_localize("UTC"),
           "x_east_m": enu[0], "y_north_m": enu[1], "z_up_m": enu[2]}
    for col in fmt.columns:
        values = _column(rec, col.field)  # raw_u16 words come through float64 exactly
        if col.transform is not None:
            values = quirks.TRANSFORMS[col.transform](values)
        out[col.name] = np.asarray(values, dtype="float64") * col.scale
    out["valid"] = valid
    return pd.DataFrame(out)


def read_poses(
    source: Source,
    layout: PoseLayout,
    epoch_utc: pd.Timestamp,
    *,
    report: Report | None = None,
    block_records: int = 4096,
) -> pd.DataFrame:
    """Read the rover pose of every record of a pose-carrying binary.

    Parameters
    ----------
    source
        The binary data file (on disk or in a zip bundle).
    layout
        Its record layout, from the paired label (:meth:`PoseLayout.from_table`).
    epoch_utc
        Origin of the records' time field (the mission's ``record_time_epoch_utc``).
    report
        Error policy; partial and rejected records are counted there, and a
        file shorter than its label declares is read up to its last complete
        record and reported as truncated (a warning, never raised).
    block_records
        Records per block when streaming from a zip member.

    Returns
    -------
    pandas.DataFrame
        Valid records only, columns as in :func:`decode_poses` (without ``valid``).
    """
    fmt = layout.format
    return read_pose_table(source, layout, lambda rec, first: decode_poses(rec, fmt, epoch_utc, first),
                           what=fmt.instrument, max_abs_m=fmt.max_abs_coord_m, report=report,
                           block_records=block_records)
