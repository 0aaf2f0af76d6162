"""Radar echoes: the samples of every trace, from the label's ``Group_Field_Binary``.

Each record of a pose-carrying radar product (LPR, RoPeR level 2B) holds one
trace: a group of ``repetitions`` samples at ``group_location``, each of one or
more fields (LPR: one float; RoPeR high frequency: the real and imaginary parts
of the pulse-compressed FFT).  The group, its type and byte order, and the
label element that gives the sample interval come from the record format
(``[echoes]`` in ``traverse/data/records/*.toml``) and the label; nothing is
assumed.  The time between samples is read from the label (LPR
``Work_Mode_Parm/sampling_interval``, ns); where the label states none (RoPeR)
it is NaN and said so.

Reading is strided and memory-bounded like the poses': a file on disk is
memory-mapped and the wanted rows copied, every ``step``-th record if asked; a
zip member is streamed in blocks of records.  :func:`iter_echo_blocks` yields
blocks of at most ``block_records`` traces for callers that must stay within a
fixed memory whatever the product's size.
"""

from __future__ import annotations

import math
import mmap
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from lxml import etree

from traverse.errors import LayoutError
from traverse.read.archive import Source
from traverse.read.pds4 import children_text, whole_number
from traverse.read.records import NUMPY_TYPES, RecordLayout
from traverse.record_formats import RecordFormat

__all__ = ["EchoGroup", "echo_group", "sample_interval_ns", "iter_echo_blocks", "read_echoes"]


@dataclass(frozen=True)
class EchoGroup:
    """Where a record's echo samples sit and how they are stored.

    Attributes
    ----------
    name
        The group's name in the label (``ECHO_DATA``).
    start
        0-based byte of the group within a record.
    repetitions
        Samples per trace.
    sample_dtype
        numpy structured dtype of one sample: its fields at their offsets
        within the sample, ``itemsize`` = group_length / repetitions.
    complex_parts
        ``(real, imaginary)`` field names when the samples are complex, else ``()``.
    """

    name: str
    start: int
    repetitions: int
    sample_dtype: np.dtype
    complex_parts: tuple[str, ...] = ()

    @property
    def nbytes(self) -> int:
        """Bytes of one trace's group."""
        return self.repetitions * self.sample_dtype.itemsize


def echo_group(root: etree._Element, fmt: RecordFormat, record_length: int, *, source: str) -> EchoGroup:
    """The record format's echo group in a label, validated against the record length.

    Raises
    ------
    LayoutError
        The format names no group, the label has none of that name, or a
        declared number is impossible (repetitions, location, length, type).
    """
    if fmt.echo_group is None:
        raise LayoutError(f"the {fmt.key} record format has no echoes", source=source)
    group = next((g for g in root.iter("{*}Group_Field_Binary")
                  if (g.findtext("{*}name") or "").strip().upper() == fmt.echo_group.upper()), None)
    if group is None:
        raise LayoutError(f"no Group_Field_Binary {fmt.echo_group!r} in the label", source=source)
    head = children_text(group)
    reps = whole_number(head.get("repetitions", ""), "echo group repetitions", source)
    start = whole_number(head.get("group_location", ""), "echo group_location", source) - 1
    length = whole_number(head.get("group_length", ""), "echo group_length", source)
    if reps <= 0 or start < 0 or length <= 0 or length % reps or start + length > record_length:
        raise LayoutError(f"echo group {fmt.echo_group}: {reps} repetitions of {length} bytes at byte"
                          f" {start + 1} do not fit the {record_length}-byte record", source=source)
    names, formats, offsets = [], [], []
    for fb in group.iterfind("{*}Field_Binary"):
        f = children_text(fb)
        name = f.get("name", "").upper()
        np_dt = NUMPY_TYPES.get(f.get("data_type", "").replace("_", "").upper())
        size = whole_number(f.get("field_length", ""), f"{name} field_length", source)
        where = whole_number(f.get("field_location", ""), f"{name} field_location", source) - 1
        if np_dt is None or np.dtype(np_dt).itemsize != size or where < 0 or where + size > length // reps:
            raise LayoutError(f"echo field {name}: type {f.get('data_type')!r}/{size} B at {where + 1}"
                              f" does not fit a {length // reps}-byte sample", source=source)
        names.append(name)
        formats.append(np_dt)
        offsets.append(where)
    if not names:
        raise LayoutError(f"echo group {fmt.echo_group} has no Field_Binary", source=source)
    parts = fmt.echo_complex_parts if set(fmt.echo_complex_parts) <= set(names) else ()
    dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": length // reps})
    return EchoGroup(fmt.echo_group, start, reps, dtype, parts)


def sample_interval_ns(root: etree._Element, fmt: RecordFormat) -> float:
    """Nanoseconds between two samples as the label states them (NaN where it does not)."""
    if fmt.echo_interval_element is None:
        return math.nan
    el = next(root.iter(f"{{*}}{fmt.echo_interval_element}"), None)
    if el is None or (el.get("unit") or "ns").lower() != "ns":
        return math.nan
    try:
        value = float(el.text or "")
    except ValueError:
        return math.nan
    return value if math.isfinite(value) and value > 0 else math.nan


def _values(block: np.ndarray, group: EchoGroup, field: str | None) -> np.ndarray:
    """Samples of a block of raw groups (n, nbytes uint8) as float32 or complex64 (n, repetitions)."""
    names = group.sample_dtype.names
    only = group.sample_dtype.fields[names[0]]
    if len(names) == 1 and field in (None, names[0]) and only[1] == 0 \
            and only[0].itemsize == group.sample_dtype.itemsize:  # one field per sample: a plain view
        return block.view(only[0]).reshape(len(block), group.repetitions).astype(np.float32, copy=False)
    samples = block.reshape(-1).view(group.sample_dtype).reshape(len(block), group.repetitions)
    if field is None and group.complex_parts:
        re, im = group.complex_parts
        out = np.empty(samples.shape, dtype=np.complex64)
        out.real, out.imag = samples[re], samples[im]
        return out
    name = field or group.sample_dtype.names[0]
    return samples[name].astype(np.float32)


def iter_echo_blocks(source: Source, layout: RecordLayout, group: EchoGroup, *, field: str | None = None,
                     step: int = 1, block_records: int = 256) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(record indices, samples)`` blocks of at most ``block_records`` traces, in record order.

    Parameters
    ----------
    source, layout
        The binary data file and its record layout (complete records only are read).
    group
        :func:`echo_group` of its label.
    field
        One field of the group (``SCIENTIFIC_DATA_R``); default: the complex
        value where the group has real and imaginary parts, else its only field.
    step
        Read every ``step``-th record (1: all).
    """
    n = max(source.size() - layout.offset, 0) // layout.record_length
    rows = np.arange(0, n, max(int(step), 1))
    if source.member is None and max(int(step), 1) == 1:
        yield from _every_trace(source, layout, group, field, n, block_records)
        return
    if source.member is None:
        with open(source.path, "rb") as fh:
            if n == 0:
                return
            # a strided read maps the file and touches only the pages of its records
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        table = np.ndarray((n, group.nbytes), dtype=np.uint8, buffer=mm,
                           offset=layout.offset + group.start, strides=(layout.record_length, 1))
        step = max(int(step), 1)
        for i in range(0, len(rows), block_records):
            idx = rows[i : i + block_records]  # a strided slice of the map, copied once
            yield idx, _values(np.ascontiguousarray(table[idx[0] : idx[-1] + 1 : step]), group, field)
        return
    with source.open() as fh:
        fh.read(layout.offset)
        first = 0
        while first < n:
            k = min(block_records * max(int(step), 1), n - first)
            buf = fh.read(k * layout.record_length)
            k = len(buf) // layout.record_length
            if k == 0:
                break
            recs = np.frombuffer(buf, dtype=np.uint8, count=k * layout.record_length).reshape(k, -1)
            step = max(int(step), 1)
            skip = (-first) % step  # the first record of this block that is a multiple of step
            raw = recs[skip::step, group.start : group.start + group.nbytes]
            yield np.arange(first + skip, first + k, step), _values(np.ascontiguousarray(raw), group, field)
            first += k


def _every_trace(source: Source, layout: RecordLayout, group: EchoGroup, field: str | None, n: int,
                 block_records: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every trace of a file on disk: each block of records read once into its own buffer.

    The samples are a view of that buffer (the group's bytes of each record,
    as float32 where the group is one little-endian float per sample): one copy
    of the bytes, by the kernel.  bench/bench_echoes.py, 512 MB, warm cache:
    a mapped file copied out ran at 44 % of ``cat``; read this way in blocks of
    256 records (8 MB) about 90 % of a ``readinto`` loop; in blocks of 1024 (33
    MB, fresh pages each time) 45 %.
    """
    with open(source.path, "rb", buffering=0) as fh:
        fh.seek(layout.offset)
        for first in range(0, n, block_records):
            k = min(block_records, n - first)
            buf = np.empty((k, layout.record_length), dtype=np.uint8)
            got = _read_into(fh, memoryview(buf).cast("B"))
            k = got // layout.record_length  # the file shrank since it was sized: its complete records
            if k == 0:
                return
            raw = buf[:k, group.start : group.start + group.nbytes]
            yield np.arange(first, first + k), _values(raw, group, field)
            if k < len(buf):
                return


def _read_into(fh, view: memoryview) -> int:
    """Fill ``view`` from ``fh`` (several reads where one returns less); bytes read (less at the end)."""
    done = 0
    while done < len(view):
        got = fh.readinto(view[done:])
        if not got:
            break
        done += got
    return done


def read_echoes(source: Source, layout: RecordLayout, group: EchoGroup, *, field: str | None = None,
                step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every (``step``-th) trace of a product: ``(record indices, samples)``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Record indices (0-based, int64) and an array (traces, repetitions) of
        float32, or complex64 for a complex group (see :func:`iter_echo_blocks`).
    """
    parts = list(iter_echo_blocks(source, layout, group, field=field, step=step))
    if not parts:
        dtype = np.complex64 if field is None and group.complex_parts else np.float32
        return np.zeros(0, dtype="int64"), np.zeros((0, group.repetitions), dtype=dtype)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
