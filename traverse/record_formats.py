"""Record formats as data: how each pose-carrying binary product gives the rover's pose.

Each format is a TOML file in ``traverse/data/records/`` (``lpr.toml`` for
Yutu-2's radar, ``roper.toml`` for Zhurong's): the instrument and levels it
reads, the time field, the required fields, the fields the label declares
wrongly (``little_endian``, ``raw_u16``), the rover position in lander
east-north-up as a signed sum of fields per axis, and the output columns (a
field, a named transform of :data:`traverse.read.quirks.TRANSFORMS`, a scale).
A mission's ``pose_readers`` names a format by its key; an unknown key, field
sign or transform fails when the files load, not when a product is read.  The
one decoder is :func:`traverse.read.records.decode_poses`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from traverse.datafiles import toml_texts
from traverse.read.quirks import TRANSFORMS

__all__ = ["Column", "RecordFormat", "format_from_toml", "record_formats", "record_format",
           "toml_texts"]

_AXES = ("east", "north", "up")


@dataclass(frozen=True)
class Column:
    """One output column: the label field it comes from, a transform by name, a scale factor."""

    name: str
    field: str
    transform: str | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class RecordFormat:
    """One record format (see the module docstring and ``traverse/data/records/*.toml``).

    Attributes
    ----------
    key, instrument, levels
        ``lpr``, ``LPR``, ``("2B",)``.
    time_field
        The 6-byte time field: uint32 seconds + uint16 milliseconds since the
        mission's record epoch.
    max_abs_coord_m
        Metres: a position farther than this from the lander on any axis is rejected.
    required
        Fields the label must declare (upper case).
    little_endian, raw_u16
        Fields read little-endian, or as raw 16-bit words, whatever the label declares.
    position
        Per axis (``east``, ``north``, ``up``), ``(sign, field)`` pairs summed:
        the rover in lander east-north-up, metres.
    columns
        The other output columns, in order.
    echo_group
        Name of the ``Group_Field_Binary`` holding each record's echo samples (``None``: no echoes).
    echo_interval_element
        Label element giving the time between two samples in ns (``None``: not stated).
    echo_complex_parts
        Names of the real and imaginary fields when the group holds complex values.
    """

    key: str
    instrument: str
    levels: tuple[str, ...]
    time_field: str
    max_abs_coord_m: float
    required: tuple[str, ...]
    little_endian: tuple[str, ...]
    raw_u16: tuple[str, ...]
    position: dict[str, tuple[tuple[float, str], ...]]
    columns: tuple[Column, ...]
    echo_group: str | None = None
    echo_interval_element: str | None = None
    echo_complex_parts: tuple[str, ...] = ()

    @property
    def wanted(self) -> tuple[str, ...]:
        """Every numeric field the format reads (the time field aside), without repeats."""
        names = [f for axis in _AXES for _, f in self.position[axis]] + [c.field for c in self.columns]
        return tuple(dict.fromkeys(n for n in names if n != self.time_field))


def _signed(term: str, where: str) -> tuple[float, str]:
    term = term.strip()
    if term[:1] not in "+-" or len(term) < 2:
        raise ValueError(f"{where}: {term!r} must be '+FIELD' or '-FIELD'")
    return (1.0 if term[0] == "+" else -1.0), term[1:].upper()


def format_from_toml(name: str, text: str) -> RecordFormat:
    """A :class:`RecordFormat` from the text of its TOML file (``name`` for messages).

    Raises
    ------
    ValueError
        A position term without its sign, a missing axis, an unknown transform.
    """
    d = tomllib.loads(text)
    where = f"traverse/data/records/{name}"
    position = {}
    for axis in _AXES:
        terms = d.get("position", {}).get(axis)
        if not terms:
            raise ValueError(f"{where}: [position] needs {axis!r}")
        position[axis] = tuple(_signed(t, f"{where} [position] {axis}") for t in terms)
    echoes = d.get("echoes", {})
    if len(echoes.get("complex_parts", [])) not in (0, 2):
        raise ValueError(f"{where}: [echoes] complex_parts names the real and imaginary fields, two names")
    columns = []
    for col, spec in d.get("columns", {}).items():
        transform = spec.get("transform")
        if transform is not None and transform not in TRANSFORMS:
            raise ValueError(f"{where}: column {col} names an unknown transform {transform!r}"
                             f" (known: {', '.join(TRANSFORMS)})")
        columns.append(Column(col, spec["field"].upper(), transform, float(spec.get("scale", 1.0))))
    return RecordFormat(
        key=d["key"], instrument=d["instrument"], levels=tuple(d["levels"]),
        time_field=d["time_field"].upper(), max_abs_coord_m=float(d["max_abs_coord_m"]),
        required=tuple(f.upper() for f in d["required"]),
        little_endian=tuple(f.upper() for f in d.get("little_endian", [])),
        raw_u16=tuple(f.upper() for f in d.get("raw_u16", [])),
        position=position, columns=tuple(columns),
        echo_group=echoes.get("group"), echo_interval_element=echoes.get("sample_interval"),
        echo_complex_parts=tuple(f.upper() for f in echoes.get("complex_parts", [])),
    )


@cache
def record_formats() -> dict[str, RecordFormat]:
    """Every record format by key, read once from ``traverse/data/records/*.toml``."""
    formats = (format_from_toml(f"{stem}.toml", text) for stem, text in toml_texts("records"))
    return {fmt.key: fmt for fmt in formats}


def record_format(key: str) -> RecordFormat:
    """The record format called ``key`` (``lpr``, ``roper``)."""
    try:
        return record_formats()[key]
    except KeyError:
        raise ValueError(f"unknown record format {key!r}: known are {', '.join(record_formats())}") from None
