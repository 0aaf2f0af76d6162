"""Spectra: the VNIS short-wave (SD) data table, read by the fields its label declares.

A VNIS-SD level-2B product is a ``Table_Character``: one record per spectral
channel (``Data_Identifier`` 0–299), each with its own acquisition time,
integration time, solar elevation, the value ``Spectrum_data1`` and a quality
code, at the 1-based byte ``field_location`` and ``field_length`` the label
gives.  The channel's wavelength comes from the label's ``Instrument_Parm/bands``
(``900-2395`` nm) spread evenly over the declared records: 5 nm steps.

**Trap (real, sequence 0136):** the label declares ``record_delimiter``
Carriage-Return Line-Feed and ``record_length`` 57, but the file is 300 × 58 B:
57 characters and a bare line feed.  Records are therefore split at line feeds
(a carriage return before it is dropped) and fields taken by their locations
within each line, never by assuming the delimiter's length.  A table with fewer
complete records than declared keeps those it has (``truncated``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lxml import etree

from traverse.errors import LabelError, LayoutError
from traverse.read.pds4 import children_text, parse_xml, whole_number

__all__ = ["CharacterField", "CharacterTable", "SpectrumLabel", "character_table", "read_character_table",
           "band_range_nm", "spectrum_label", "sd_spectrum", "read_sd_spectrum"]


@dataclass(frozen=True)
class CharacterField:
    """One ``Field_Character``: its name, 0-based start within a record, length (bytes), data type, unit."""

    name: str
    start: int
    length: int
    data_type: str
    unit: str = ""


@dataclass(frozen=True)
class CharacterTable:
    """A label's ``Table_Character``: data file name, byte offset, declared records, fields."""

    file_name: str
    offset: int
    records: int
    record_length: int
    fields: tuple[CharacterField, ...]


def _table_element(root: etree._Element, source: str) -> tuple[etree._Element, str]:
    for area in root.iterfind("{*}File_Area_Observational"):
        table = area.find("{*}Table_Character")
        if table is not None:
            name = (area.findtext("{*}File/{*}file_name") or "").strip()
            return table, name
    raise LabelError("no Table_Character in the label", source=source)


def character_table(root: etree._Element, source: str) -> CharacterTable:
    """The first ``Table_Character`` of a label, validated (:class:`LayoutError` naming the field)."""
    table, file_name = _table_element(root, source)
    head = children_text(table)
    record = table.find("{*}Record_Character")
    if record is None:
        raise LabelError("Table_Character has no Record_Character", source=source)
    record_length = whole_number(children_text(record).get("record_length", ""), "record_length", source)
    fields = []
    for fc in record.iterfind("{*}Field_Character"):
        f = children_text(fc)
        name = f.get("name", "")
        start = whole_number(f.get("field_location", ""), f"{name} field_location", source) - 1
        length = whole_number(f.get("field_length", ""), f"{name} field_length", source)
        if start < 0 or length <= 0 or start + length > record_length:
            raise LayoutError(f"{name}: field_location {start + 1} + field_length {length} lies outside"
                              f" the {record_length}-byte record", source=source)
        fields.append(CharacterField(name, start, length, f.get("data_type", ""), f.get("unit", "")))
    records = whole_number(head.get("records", "0"), "Table_Character records", source)
    offset = whole_number(head.get("offset", "0"), "Table_Character offset", source)
    if records < 0 or offset < 0:
        raise LayoutError(f"Table_Character records {records}, offset {offset}: negative", source=source)
    return CharacterTable(file_name, offset, records, record_length, tuple(fields))


@dataclass(frozen=True)
class SpectrumLabel:
    """What a VNIS-SD label says of its spectrum: its table, first and last wavelength (nm), its level."""

    table: CharacterTable
    bands_nm: tuple[float, float]
    level: str


def spectrum_label(root: etree._Element, source: str) -> SpectrumLabel:
    """The spectrum description of a parsed label (errors: :func:`character_table`, :func:`band_range_nm`)."""
    return SpectrumLabel(character_table(root, source), band_range_nm(root, source), _level(root))


def read_character_table(table: CharacterTable, data: bytes, source: str) -> tuple[pd.DataFrame, int]:
    """The table's fields as text columns, one row per complete record, and the records declared.

    Records are the lines of ``data`` after ``offset`` (split at line feeds, a
    carriage return before one dropped; module docstring); a line shorter than
    the last field's end is incomplete and ends the table.

    Returns
    -------
    (pandas.DataFrame, int)
        One column per field (stripped text), and ``table.records``.
    """
    lines = data[table.offset:].split(b"\n")
    need = max((f.start + f.length for f in table.fields), default=0)
    rows = []
    for line in lines[: table.records]:
        line = line.removesuffix(b"\r")
        if len(line) < need:
            break
        rows.append([line[f.start : f.start + f.length].decode("ascii", "replace").strip()
                     for f in table.fields])
    if not rows and table.records:
        raise LayoutError(f"no complete record of {need} characters in the table", source=source)
    return pd.DataFrame(rows, columns=[f.name for f in table.fields]), table.records


def _text(root: etree._Element, tag: str) -> str:
    el = next(root.iter(f"{{*}}{tag}"), None)
    return (el.text or "").strip() if el is not None else ""


_BANDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def band_range_nm(root: etree._Element, source: str) -> tuple[float, float]:
    """First and last wavelength of ``Instrument_Parm/bands`` (``900-2395``), nanometres."""
    el = next(root.iter("{*}bands"), None)
    m = _BANDS.match(el.text or "") if el is not None else None
    if m is None or el.get("unit", "nm").lower() != "nm":
        raise LabelError(f"bands {None if el is None else el.text!r}: not a range in nm", source=source)
    return float(m[1]), float(m[2])


def read_sd_spectrum(label: bytes, data: bytes, source: str) -> pd.DataFrame:
    """One VNIS-SD spectrum: a row per channel, in channel order.

    Parameters
    ----------
    label, data
        The label's bytes and the data table's bytes.
    source
        Names the product in errors.

    Returns
    -------
    pandas.DataFrame
        ``channel`` (``Data_Identifier``), ``wavelength_nm`` (from ``bands``:
        first + channel × step, step = (last − first) / (records − 1)),
        ``value`` (``Spectrum_data1``: level 2B radiance, in the label's unit),
        ``time_utc``, ``integration_time_ms``, ``solar_elevation`` and
        ``quality`` (text as stored: the real 0136 table holds ``0xc1`` in its
        ``A4`` solar elevation field, a code, not degrees; 54.2 is the
        integration time in ms by the label's locations).  ``attrs["declared_records"]`` holds the
        records the label declares (more than the rows when truncated), ``attrs["unit"]`` the
        ``Spectrum_data1`` field's ``unit`` ("" where the label states none, as in the real 0136
        label) and ``attrs["level"]`` the label's ``product_level`` and ``processing_level``
        (``2B Calibrated``: radiance per its ``Modification_Detail``).
    """
    root = parse_xml(label, source)
    table = character_table(root, source)
    text, declared = read_character_table(table, data, source)
    return _spectrum(text, declared, SpectrumLabel(table, band_range_nm(root, source), _level(root)), source)


def sd_spectrum(label: SpectrumLabel, data: bytes, source: str) -> pd.DataFrame:
    """:func:`read_sd_spectrum` from a label already parsed (:func:`spectrum_label`): the same table."""
    return _spectrum(*read_character_table(label.table, data, source), label, source)


def _level(root: etree._Element) -> str:
    """The label's ``product_level`` and ``processing_level``, space-separated (``2B Calibrated``)."""
    return " ".join(t for t in (_text(root, "product_level"), _text(root, "processing_level")) if t)


def _spectrum(text: pd.DataFrame, declared: int, label: SpectrumLabel, source: str) -> pd.DataFrame:
    """The spectrum's rows from its table's text columns (:func:`read_sd_spectrum` says what they are)."""
    first, last = label.bands_nm
    step = (last - first) / max(declared - 1, 1)
    channel = pd.to_numeric(text["Data_Identifier"], errors="coerce")
    if channel.isna().any():
        raise LayoutError(f"Data_Identifier {text.loc[channel.isna(), 'Data_Identifier'].iloc[0]!r}"
                          " is not a channel number", source=source)
    out = pd.DataFrame({
        "channel": channel.astype("int64"),
        "wavelength_nm": first + channel.to_numpy(dtype="float64") * step,
        "value": pd.to_numeric(text["Spectrum_data1"], errors="coerce").astype("float64"),
        "time_utc": pd.to_datetime(text["Time"], utc=True, errors="coerce", format="ISO8601"),
        "integration_time_ms": pd.to_numeric(text.get("Visible_Bands_Integration_Time"), errors="coerce"),
        "solar_elevation": text.get("Solar_Elevation_Angle", pd.Series([""] * len(text))),
        "quality": text.get("Quality_Code", pd.Series([""] * len(text))),
    })
    out["integration_time_ms"] = out["integration_time_ms"].astype("float64")
    out = out.sort_values("channel", kind="stable").reset_index(drop=True)
    out.attrs["declared_records"] = declared
    out.attrs["unit"] = next((f.unit for f in label.table.fields if f.name == "Spectrum_data1"), "")
    out.attrs["level"] = label.level
    bad = ~np.isfinite(out["value"].to_numpy())
    if bad.all():
        raise LayoutError("no Spectrum_data1 value is a number", source=source)
    return out
