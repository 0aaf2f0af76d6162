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

import mmap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from traverse.errors import LayoutError, RecordError, Report
from traverse.read import quirks
from traverse.read.archive import Source

__all__ = ["LPR_EPOCH", "MAX_ABS_COORD_M", "LprLayout", "read_lpr_poses", "poses_from_array"]

#: Origin of the records' TIME field: 2009-12-31T16:00:00 UTC (label description).
LPR_EPOCH = np.datetime64("2009-12-31T16:00:00.000", "ms")
#: Longest record accepted, bytes (LPR records are 8 307 and 32 883 B); a label declaring more
#: describes no real LPR product.
MAX_RECORD_BYTES = 1 << 20
#: Positions farther than this from the lander (any axis, metres) are rejected.
MAX_ABS_COORD_M = 100_000.0

_TYPES = {
    "IEEE754MSBSINGLE": ">f4",
    "IEEE754LSBSINGLE": "<f4",
    "IEEE754MSBDOUBLE": ">f8",
    "IEEE754LSBDOUBLE": "<f8",
    "UNSIGNEDMSB2": ">u2",
    "UNSIGNEDLSB2": "<u2",
    "UNSIGNEDMSB4": ">u4",
    "UNSIGNEDLSB4": "<u4",
    "SIGNEDMSB4": ">i4",
    "SIGNEDLSB4": "<i4",
}

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
class LprLayout:
    """Where the pose fields sit in an LPR record.

    Attributes
    ----------
    record_length
        Bytes per record.
    offset
        Bytes before the first record.
    declared_records
        Number of records the label announces.
    dtype
        numpy structured dtype holding only the pose fields (with the quirks
        applied), ``itemsize == record_length``.
    quirks
        The traps of this kind of product (:data:`traverse.read.quirks.RECORD_QUIRKS`).
    """

    record_length: int
    offset: int
    declared_records: int
    dtype: np.dtype
    quirks: quirks.RecordQuirks = quirks.RECORD_QUIRKS[("LPR", "2B")]

    @property
    def header_length(self) -> int:
        """Bytes from the start of a record to the end of its last pose field."""
        return max(off + dt.itemsize for dt, off, *_ in self.dtype.fields.values())

    @property
    def header_dtype(self) -> np.dtype:
        """:attr:`dtype` over the header bytes only (itemsize :attr:`header_length`)."""
        fields = self.dtype.fields
        return np.dtype({"names": list(fields), "formats": [v[0] for v in fields.values()],
                         "offsets": [v[1] for v in fields.values()],
                         "itemsize": self.header_length})

    @classmethod
    def from_table(
        cls, table: dict, *, source: str = "<label>", instrument: str = "LPR", level: str = "2B"
    ) -> LprLayout:
        """Build the layout from a label's ``table`` (:func:`traverse.read.labels.parse_label`), validated."""
        fields = table["fields"]
        missing = [f for f in _REQUIRED if f not in fields]
        if missing:
            raise LayoutError(f"Table_Binary lacks {', '.join(missing)}", source=source)
        rl, offset, records = table["record_length"], table.get("offset", 0), table.get("records", 0)
        if not 0 < rl <= MAX_RECORD_BYTES:
            raise LayoutError(f"Table_Binary record_length {rl} is not between 1 and {MAX_RECORD_BYTES}"
                              " bytes", source=source)
        if offset < 0:
            raise LayoutError(f"Table_Binary offset {offset} is negative", source=source)
        if records < 0:
            raise LayoutError(f"Table_Binary records {records} is negative", source=source)
        dtypes: dict[str, str] = {}
        for name in ("TIME", *_POSE_FIELDS):
            if name not in fields:
                continue
            start, length, dt = fields[name]
            if start < 0 or length <= 0 or start + length > rl:
                raise LayoutError(f"field {name} (field_location {start + 1}, field_length {length}) lies"
                                  f" outside the {rl}-byte record", source=source)
            if name == "TIME":
                continue
            np_dt = _TYPES.get(str(dt).replace("_", "").upper())
            if np_dt is None or np.dtype(np_dt).itemsize != length:
                raise LayoutError(f"field {name} has unsupported type {dt!r}/{length} B", source=source)
            dtypes[name] = np_dt
        fixes = quirks.RECORD_QUIRKS.get((instrument, level))
        if fixes is None:
            known = ", ".join("/".join(k) for k in quirks.RECORD_QUIRKS)
            raise RecordError(f"no pose reader for {instrument} level {level} (known: {known})",
                              source=source)
        dtypes = fixes.field_dtypes(dtypes)
        names, formats, offsets = [], [], []
        t_start, t_len, _ = fields["TIME"]
        if t_len != 6:
            raise LayoutError(f"field TIME is {t_len} bytes, expected 6 (uint32 s + uint16 ms)",
                              source=source)
        names += ["TIME_S", "TIME_MS"]
        formats += [">u4", ">u2"]
        offsets += [t_start, t_start + 4]
        for name, np_dt in dtypes.items():
            names.append(name)
            formats.append(np_dt)
            offsets.append(fields[name][0])
        if len(set(offsets)) != len(offsets):
            raise LayoutError("two pose fields share a field_location", source=source)
        dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": rl})
        return cls(rl, offset, records, dtype, fixes)

    def check_size(self, size: int, source: str) -> None:
        """Refuse a data file the layout cannot describe (:class:`LayoutError` naming the field).

        Parameters
        ----------
        size
            The data file's size, bytes.
        """
        if self.offset > size:
            raise LayoutError(f"Table_Binary offset {self.offset} is past the end of the"
                              f" {size}-byte file", source=source)
        if self.record_length > size - self.offset:
            raise LayoutError(f"Table_Binary record_length {self.record_length} is larger than the"
                              f" file ({size} bytes)", source=source)
        need = self.offset + self.declared_records * self.record_length
        if need > size:
            raise LayoutError(f"Table_Binary records {self.declared_records} need {need} bytes but the"
                              f" file has {size}", source=source)


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


def _read_records(source: Source, layout: LprLayout, block_records: int) -> tuple[list, int]:
    """Structured record arrays of a source and the number of trailing bytes."""
    size = source.size()
    body = max(size - layout.offset, 0)
    n = body // layout.record_length
    tail = body - n * layout.record_length
    if n == 0:
        return [], tail
    if source.member is None:
        with open(source.path, "rb") as fh:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        # One strided copy of the header bytes of every record (each page touched once),
        # then the fields are picked out of that small contiguous array.
        width = layout.header_length
        heads = np.ndarray((n, width), dtype=np.uint8, buffer=mm, offset=layout.offset,
                           strides=(layout.record_length, 1)).copy()
        return [heads.view(layout.header_dtype)[:, 0]], tail
    blocks = []
    with source.open() as fh:
        fh.read(layout.offset)
        left = n
        while left:
            k = min(block_records, left)
            buf = fh.read(k * layout.record_length)
            k = len(buf) // layout.record_length
            if k == 0:
                break
            rec = np.frombuffer(buf, dtype=layout.dtype, count=k)
            blocks.append(rec)
            left -= k
    return blocks, tail


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
    report = report if report is not None else Report()
    layout.check_size(source.size(), str(source))
    blocks, tail = _read_records(source, layout, block_records)
    if tail:
        msg = f"partial last record ({tail} of {layout.record_length} bytes) dropped"
        report.add(source, msg, count=0, error=RecordError)
    first, frames = 0, []
    for rec in blocks:
        frames.append(poses_from_array(rec, layout.quirks, first))
        first += len(rec)
    if not frames:
        raise RecordError(f"no complete {layout.record_length}-byte record", source=str(source))
    poses = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    bad = ~poses["valid"].to_numpy()
    if bad.any():
        first_bad = int(poses["record"].to_numpy()[bad][0])
        msg = (
            f"{int(bad.sum())} LPR records with non-finite or absurd positions"
            f" (|coordinate| > {MAX_ABS_COORD_M:g} m) or times rejected; first is record {first_bad}"
        )
        report.add(source, msg, count=int(bad.sum()), error=RecordError)
    return poses.loc[~bad].drop(columns="valid").reset_index(drop=True)
