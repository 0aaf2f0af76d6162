"""Fixed-length binary records described by a label's ``Table_Binary``: layout and fast reading.

Shared by the pose reader (:mod:`traverse.read.poses`: Yutu-2's LPR, Zhurong's
RoPeR).  A layout is validated against the
label before use (record length, field offsets, data types, counts) and
against the data file's size; a violation is a :class:`LayoutError` naming the
field and the value.  A file shorter than its label declares (a cut download)
is read up to its last complete record and reported as truncated.  Only the
bytes up to the last wanted field of each record are read: a file on disk is
memory-mapped and copied in one strided pass, a zip member is streamed in
blocks of records.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from traverse.errors import LayoutError, RecordError, Report
from traverse.read.archive import Source

__all__ = ["MAX_RECORD_BYTES", "NUMPY_TYPES", "RecordLayout", "table_fields", "read_records",
           "read_pose_table"]

#: Longest record accepted, bytes (LPR records are 8 307 and 32 883 B, RoPeR 12 069 and 16 453 B);
#: a label declaring more describes no real product.
MAX_RECORD_BYTES = 1 << 20

#: numpy dtype of each PDS4 binary data type the pose fields use.
NUMPY_TYPES = {
    "IEEE754MSBSINGLE": ">f4",
    "IEEE754LSBSINGLE": "<f4",
    "IEEE754MSBDOUBLE": ">f8",
    "IEEE754LSBDOUBLE": "<f8",
    "UNSIGNEDBYTE": "u1",
    "SIGNEDBYTE": "i1",
    "UNSIGNEDMSB2": ">u2",
    "UNSIGNEDLSB2": "<u2",
    "SIGNEDMSB2": ">i2",
    "SIGNEDLSB2": "<i2",
    "UNSIGNEDMSB4": ">u4",
    "UNSIGNEDLSB4": "<u4",
    "SIGNEDMSB4": ">i4",
    "SIGNEDLSB4": "<i4",
}


@dataclass(frozen=True)
class RecordLayout:
    """Where the wanted fields sit in each record of a binary table.

    Attributes
    ----------
    record_length
        Bytes per record.
    offset
        Bytes before the first record.
    declared_records
        Number of records the label announces.
    dtype
        numpy structured dtype holding only the wanted fields,
        ``itemsize == record_length``.
    declared_file_size
        Bytes the label declares for the data file (``file_size``), ``None`` if it does not.
    """

    record_length: int
    offset: int
    declared_records: int
    dtype: np.dtype
    declared_file_size: int | None = None

    @property
    def header_length(self) -> int:
        """Bytes from the start of a record to the end of its last wanted field."""
        return max(off + dt.itemsize for dt, off, *_ in self.dtype.fields.values())

    @property
    def header_dtype(self) -> np.dtype:
        """:attr:`dtype` over the header bytes only (itemsize :attr:`header_length`)."""
        fields = self.dtype.fields
        return np.dtype({"names": list(fields), "formats": [v[0] for v in fields.values()],
                         "offsets": [v[1] for v in fields.values()],
                         "itemsize": self.header_length})

    def check_size(self, size: int, source: str) -> str | None:
        """Refuse a data file the layout cannot describe; say how a short one is truncated.

        Parameters
        ----------
        size
            The data file's size, bytes.

        Returns
        -------
        str or None
            ``None`` when the file holds every declared record (or more);
            otherwise the truncation, in words: the label declares more records
            than the file holds, its complete records are to be used and the
            product reported (a warning, :meth:`traverse.errors.Report.note`).

        Raises
        ------
        LayoutError
            The offset lies past the end of the file; a record is longer than
            the file; the table needs more bytes than the label's own
            ``file_size`` (the label contradicts itself, not a short file); or
            a short file holds no complete record.
        """
        if self.offset > size:
            raise LayoutError(f"Table_Binary offset {self.offset} is past the end of the"
                              f" {size}-byte file", source=source)
        need = self.offset + self.declared_records * self.record_length
        if need > size:
            return self._truncation(size, need, source)
        if self.record_length > size - self.offset:
            raise LayoutError(f"Table_Binary record_length {self.record_length} is larger than the"
                              f" file ({size} bytes)", source=source)
        return None

    def _truncation(self, size: int, need: int, source: str) -> str:
        """The reason a file of ``size`` bytes, shorter than the ``need`` of the table, is truncated."""
        declared = self.declared_file_size
        if declared is not None and need > declared:
            raise LayoutError(f"Table_Binary records {self.declared_records} need {need} bytes but the"
                              f" label's file_size is {declared} and the file has {size}", source=source)
        complete, part = divmod(size - self.offset, self.record_length)
        head = f"truncated: label declares {self.declared_records} records, file holds"
        if complete == 0:
            raise LayoutError(f"{head} no complete {self.record_length}-byte record ({size} bytes)",
                              source=source)
        partial = f" and {part} bytes of the next" if part else ""
        return (f"{head} {complete} complete records{partial} ({need - size} bytes short);"
                f" the {complete} are used")


def table_fields(
    table: dict, wanted: tuple[str, ...], required: tuple[str, ...], *, source: str
) -> tuple[int, int, int, dict[str, tuple[int, str]]]:
    """Validate a label's ``Table_Binary`` and locate the wanted numeric fields.

    Parameters
    ----------
    table
        The ``table`` of :func:`traverse.read.labels.parse_label`.
    wanted
        Field names (upper case) to read when present; ``TIME`` is handled by the caller.
    required
        Field names that must be present (may include ``TIME``).

    Returns
    -------
    record_length, offset, records, fields
        ``fields`` maps each present wanted field to ``(0-based start, numpy dtype string)``.

    Raises
    ------
    LayoutError
        A required field is missing, or a declared number or field is impossible.
    """
    fields = table["fields"]
    missing = [f for f in required if f not in fields]
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
    out: dict[str, tuple[int, str]] = {}
    for name in ("TIME", *wanted):
        if name not in fields:
            continue
        start, length, dt = fields[name]
        if start < 0 or length <= 0 or start + length > rl:
            raise LayoutError(f"field {name} (field_location {start + 1}, field_length {length}) lies"
                              f" outside the {rl}-byte record", source=source)
        if name == "TIME":
            continue
        np_dt = NUMPY_TYPES.get(str(dt).replace("_", "").upper())
        if np_dt is None or np.dtype(np_dt).itemsize != length:
            raise LayoutError(f"field {name} has unsupported type {dt!r}/{length} B", source=source)
        out[name] = (start, np_dt)
    return rl, offset, records, out


def time_fields(table: dict, *, source: str) -> tuple[list[str], list[str], list[int]]:
    """Names, numpy types and starts of the 6-byte ``TIME`` field: uint32 seconds + uint16 milliseconds."""
    t_start, t_len, _ = table["fields"]["TIME"]
    if t_len != 6:
        raise LayoutError(f"field TIME is {t_len} bytes, expected 6 (uint32 s + uint16 ms)", source=source)
    return ["TIME_S", "TIME_MS"], [">u4", ">u2"], [t_start, t_start + 4]


def structured_dtype(names: list[str], formats: list[str], offsets: list[int], record_length: int,
                     *, source: str) -> np.dtype:
    """The structured dtype of a record's wanted fields; two fields at one offset are refused."""
    if len(set(offsets)) != len(offsets):
        raise LayoutError("two fields share a field_location", source=source)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": record_length})


def read_records(source: Source, layout: RecordLayout, block_records: int = 4096) -> tuple[list, int]:
    """Structured record arrays (fields of ``layout.dtype``) of a data file, and its trailing bytes.

    A partial last record is not returned; its length is the second value.
    """
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
            blocks.append(np.frombuffer(buf, dtype=layout.dtype, count=k))
            left -= k
    return blocks, tail


def read_pose_table(source: Source, layout: RecordLayout, decode, *, what: str, max_abs_m: float,
                    report: Report | None = None, block_records: int = 4096) -> pd.DataFrame:
    """Read every record of a pose table and keep the valid ones, reporting the rest.

    Parameters
    ----------
    decode
        ``decode(records, first_record) -> DataFrame`` with a boolean ``valid`` column
        (:func:`traverse.read.poses.decode_poses` for a record format).
    what
        The instrument, for messages (``LPR``, ``RoPeR``).
    max_abs_m
        The position bound ``decode`` applied, metres (for the message).
    report
        Error policy; a partial last record and rejected records are counted there
        (errors), and a file shorter than its label declares (a warning: its
        complete records are returned, see :meth:`RecordLayout.check_size`).

    Returns
    -------
    pandas.DataFrame
        Valid records only, without ``valid``.
    """
    report = report if report is not None else Report()
    truncated = layout.check_size(source.size(), str(source))
    blocks, tail = read_records(source, layout, block_records)
    if truncated:  # complete records used: a warning, also under on_error="raise"
        report.note(source, truncated, count=layout.declared_records - sum(map(len, blocks)))
    elif tail:
        report.add(source, f"partial last record ({tail} of {layout.record_length} bytes) dropped",
                   count=0, error=RecordError)
    first, parts = 0, []
    for rec in blocks:
        parts.append(decode(rec, first))
        first += len(rec)
    if not parts:
        raise RecordError(f"no complete {layout.record_length}-byte record", source=str(source))
    poses = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    bad = ~poses["valid"].to_numpy()
    if bad.any():
        first_bad = int(poses["record"].to_numpy()[bad][0])
        report.add(source, f"{int(bad.sum())} {what} records with non-finite or absurd positions"
                   f" (|coordinate| > {max_abs_m:g} m) or times rejected; first is record {first_bad}",
                   count=int(bad.sum()), error=RecordError)
    return poses.loc[~bad].drop(columns="valid").reset_index(drop=True)
