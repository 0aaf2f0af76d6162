"""Read PDS4 labels of Chang'e-4 products safely into plain dicts.

Safety: the XML is parsed by :func:`traverse.read.pds4.parse_xml` (no
entities, no DTD, no network, at most :data:`MAX_LABEL_BYTES`; a DOCTYPE is
refused with :class:`~traverse.errors.UnsafeXMLError`).

Tolerance: elements are looked up by local name, case-insensitively, anywhere
under ``Mission_Area`` (element order differs between products).  Values that
are not numbers (``/``, ``None``) become NaN and are listed in ``warnings``.
Encodings: UTF-8 with or without BOM, any encoding the XML declaration names
that libxml2 knows (GB18030 among them), CRLF line ends.
"""

from __future__ import annotations

import bisect
import math
import re
from typing import Any

from lxml import etree

from traverse.errors import LabelError, LayoutError
from traverse.read.images import layout_of_root
from traverse.read.pds4 import MAX_LABEL_BYTES, children_text, is_file_area, parse_xml, whole_number

__all__ = ["MAX_LABEL_BYTES", "parse_label", "parse_label_tree"]

class _Index:
    """Elements of one document by lower-cased local name, built in one pass.

    Every element gets its document-order number; the descendants of X are
    the numbers from X's to its deepest last child's, so "descendants of X
    named y" is a range lookup and no subtree is walked again.
    """

    def __init__(self, root: etree._Element | None):
        self.elements: list[etree._Element] = []
        self.by_name: dict[str, list[int]] = {}
        self.pos: dict[etree._Element, int] = {}
        self._ends: dict[int, int] = {}
        if root is None:
            return
        # File areas (record layouts: hundreds of elements) are read by _table_layout.
        parts = [c for c in root.iterchildren(tag=etree.Element) if not is_file_area(c)]
        i = 0
        for part in parts:
            for el in part.iter(tag=etree.Element):
                self.elements.append(el)
                self.pos[el] = i
                self.by_name.setdefault(el.tag.rpartition("}")[2].lower(), []).append(i)
                i += 1

    def _end(self, i: int) -> int:
        """Number after the last descendant of element ``i`` (its deepest last child)."""
        end = self._ends.get(i)
        if end is None:
            el = self.elements[i]
            while len(el):
                el = el[-1]
            end = self._ends[i] = self.pos[el] + 1
        return end

    def _find(self, path: tuple[str, ...], lo: int, hi: int) -> int | None:
        cands = self.by_name.get(path[0].lower(), [])
        for i in cands[bisect.bisect_left(cands, lo) : bisect.bisect_left(cands, hi)]:
            if len(path) == 1:
                return i
            found = self._find(path[1:], i + 1, self._end(i))
            if found is not None:
                return found
        return None

    def first(self, *path: str, within: etree._Element | None = None) -> etree._Element | None:
        """First element matching ``a/b/c`` (each a descendant of the previous).

        With ``within``, only descendants of that element are searched.
        """
        lo, hi = 0, len(self.elements)
        if within is not None:
            start = self.pos[within]
            lo, hi = start + 1, self._end(start)
        i = self._find(path, lo, hi)
        return None if i is None else self.elements[i]

    def all(self, name: str, within: etree._Element | None = None) -> list[etree._Element]:
        """Every element named ``name`` (under ``within`` when given)."""
        cands = self.by_name.get(name.lower(), [])
        if within is None:
            return [self.elements[i] for i in cands]
        start = self.pos[within]
        lo, hi = start + 1, self._end(start)
        sel = cands[bisect.bisect_left(cands, lo) : bisect.bisect_left(cands, hi)]
        return [self.elements[i] for i in sel]

    def text(self, *path: str, within: etree._Element | None = None) -> str | None:
        """Stripped text of :meth:`first`, ``None`` when absent or empty."""
        el = self.first(*path, within=within)
        if el is None or el.text is None:
            return None
        return el.text.strip()


def _number(text: str | None, what: str, warnings: list[str]) -> float:
    if text is None:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        warnings.append(f"{what} is {text!r}, not a number; kept as missing")
        return math.nan
    if not math.isfinite(value):
        warnings.append(f"{what} is {text!r}; kept as missing")
        return math.nan
    return value


_XYZ = ("x", "y", "z")
_LONLAT = ("longitude", "latitude")


def parse_label(data: bytes, source: str = "<label>") -> dict[str, Any]:
    """Parse one PDS4 label into a flat dict.

    Parameters
    ----------
    data
        The label's bytes as stored.
    source
        Where it came from, for messages.

    Returns
    -------
    dict
        ``product_id``, ``instrument_id``, ``sequence_id``, ``product_level``,
        ``product_version``, ``start_date_time``, ``stop_date_time`` (strings
        as written, UTC), ``rover_xyz`` (x east, y north, z up, metres, lander
        ENU; NaN when absent), ``rover_lonlat`` (degrees east/north as
        printed), ``lander_lonlat``, ``pointing`` (centre observation unit
        vector, E/N/U), ``solar_incidence_deg``, ``solar_azimuth_deg``,
        ``mast_yaw_deg``, ``mast_pitch_deg``, ``description``, ``table``
        (the ``Table_Binary`` layout or ``None``), ``image`` (the first image
        array's :class:`~traverse.read.images.ImageLayout`, ``None`` when the
        label describes none, or the reason, a string, why its description
        cannot be used: the images stage reports it), and ``warnings`` (list
        of strings about values that could not be read).

    Raises
    ------
    UnsafeXMLError
        Entities, DOCTYPE or oversize label.
    LabelError
        Not well-formed, or not a PDS4 product label.
    """
    return parse_label_tree(data, source)[0]


def parse_label_tree(data: bytes, source: str = "<label>") -> tuple[dict[str, Any], etree._Element]:
    """:func:`parse_label`'s dict and the parsed XML tree, for readers that take more from the same parse."""
    root = parse_xml(data, source)
    warnings: list[str] = []
    doc = _Index(root)
    mission = doc.first("Mission_Area")
    if mission is None:
        raise LabelError("no Mission_Area element; not a GRAS (CNSA) PDS4 label", source=source)

    direct = children_text(mission)

    def text(name: str) -> str | None:
        # direct children of Mission_Area first (the usual place), then anywhere under it
        return direct.get(name.lower()) or doc.text(name, within=mission)

    def numbers(*path: str, keys: tuple[str, ...]) -> tuple[float, ...]:
        el = doc.first(*path, within=mission)
        kids = {} if el is None else children_text(el)
        where = "/".join(path)
        return tuple(_number(kids.get(k) or None, f"{where}/{k}", warnings) for k in keys)

    mast_yaw = mast_pitch = math.nan
    rot = doc.first("Rotation_Angle", within=mission)
    for name, value in (children_text(rot) if rot is not None else {}).items():
        if "yaw" in name:
            mast_yaw = _number(value or None, f"Rotation_Angle/{name}", warnings)
        elif "pitch" in name:
            mast_pitch = _number(value or None, f"Rotation_Angle/{name}", warnings)
    times = doc.first("Time_Coordinates")
    times = children_text(times) if times is not None else {}
    solar = numbers("Angle_Pointing_Results", "solar", keys=("incidence_angle", "azimuth_angle"))

    ident = doc.first("Identification_Area")
    descriptions = [(el.text or "").strip() for el in doc.all("description", within=ident)]
    instrument = text("instrument_id")
    looks = _pointing(doc, mission, root, warnings, numbers) if instrument != "LPR" else _NO_POINTING
    return {
        "product_id": text("product_id") or doc.text("logical_identifier"),
        "instrument_id": instrument,
        "sequence_id": text("sequence_id"),
        "product_level": text("product_level"),
        "product_version": text("product_version"),
        "start_date_time": times.get("start_date_time") or None,
        "stop_date_time": times.get("stop_date_time") or None,
        "rover_xyz": numbers("Rover_LocationXYZ", keys=_XYZ),
        "rover_lonlat": numbers("Rover_Location", keys=_LONLAT),
        "lander_lonlat": numbers("Lander_Location", keys=_LONLAT),
        "pointing": numbers("center_point_observe_vector", keys=_XYZ),
        "solar_incidence_deg": solar[0],
        **looks,
        "solar_azimuth_deg": solar[1],
        "mast_yaw_deg": mast_yaw,
        "mast_pitch_deg": mast_pitch,
        "description": next((d for d in descriptions if d and d != "None"), ""),
        "table": _table_layout(root, source),
        "image": _image(root, source),
        "warnings": warnings,
    }, root


def _image(root: etree._Element, source: str):
    """The label's image array layout, ``None`` without one, or why it cannot be read (a string)."""
    try:
        return layout_of_root(root, source)
    except LayoutError as exc:
        return exc.reason


_NO_POINTING = {
    "pointing_frame": None, "pointing_left": (math.nan,) * 3, "pointing_right": (math.nan,) * 3,
    "center_xyz": (math.nan,) * 3, "center_frame": None, "focal_length_mm": math.nan,
    "sensor_width_mm": math.nan, "target_incidence_deg": math.nan, "target_phase_deg": math.nan,
}


def _pointing(doc: _Index, mission, root, warnings: list[str], numbers) -> dict[str, Any]:
    """What a camera or spectrometer label says it looked at (radar labels skip this)."""
    vectors = doc.first("Vector_Cartesian_3_Pointing", within=mission)
    center = doc.first("Center_Point_LocationXYZ", within=mission)
    camera = doc.first("Instrument_Parm", within=mission)
    camera = children_text(camera) if camera is not None else {}
    seen = numbers("Angle_Pointing_Results", "center_point", keys=("incidence_angle", "phase_angle"))
    return {
        "pointing_frame": _frame_name(doc, vectors),
        "pointing_left": numbers("up_left_point_observe_vector", keys=_XYZ),
        "pointing_right": numbers("up_right_point_observe_vector", keys=_XYZ),
        "center_xyz": numbers("Center_Point_LocationXYZ", keys=_XYZ),
        "center_frame": _frame_name(doc, center),
        "focal_length_mm": _quiet_number(camera.get("focal_length")),
        "sensor_width_mm": _sensor_width_mm(camera.get("pixel_size"), _image_width(root)),
        "target_incidence_deg": seen[0],
        "target_phase_deg": seen[1],
    }


def _frame_name(doc: _Index, el: etree._Element | None) -> str | None:
    """The ``reference_frame`` (or ``reference_frame_id``) named inside ``el``, upper case."""
    if el is None:
        return None
    name = doc.text("reference_frame", within=el) or doc.text("reference_frame_id", within=el)
    return name.strip().upper() if name else None


def _quiet_number(text: str | None) -> float:
    """A camera constant, NaN when absent or not a number (``1mm_Diameter`` is a real value)."""
    try:
        value = float(text) if text else math.nan
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _sensor_width_mm(pixel_size: str | None, width_px: float) -> float:
    """Width of the detector, mm: pixel size (µm) × samples, or a ``1mm_Diameter`` single detector."""
    if pixel_size and (m := re.fullmatch(r"\s*([\d.]+)\s*mm_Diameter\s*", pixel_size)):
        return _quiet_number(m.group(1))
    return _quiet_number(pixel_size) * width_px / 1000.0


def _image_width(root: etree._Element) -> float:
    """Samples per line of the label's image array (``Axis_Array`` named Sample), NaN without one."""
    for area in root.iterchildren(tag=etree.Element):
        if not is_file_area(area):
            continue
        for array in area.iterchildren(tag=etree.Element):  # Array_2D_Image, Array_3D_Image ...
            if not array.tag.rpartition("}")[2].startswith("Array"):
                continue
            for axis in array.iterchildren("{*}Axis_Array"):
                kids = children_text(axis)
                if kids.get("axis_name", "").lower() == "sample":
                    return _quiet_number(kids.get("elements"))
    return math.nan


_FIELD_PARTS = ("name", "field_location", "field_length", "data_type")


def _field_rows(record: etree._Element) -> list[tuple[str, ...]]:
    """(name, field_location, field_length, data_type) of each Field_Binary of a record."""
    columns = [
        [(el.text or "").strip() for el in record.iterfind(f"{{*}}Field_Binary/{{*}}{part}")]
        for part in _FIELD_PARTS
    ]
    n = len(record.findall("{*}Field_Binary"))
    if all(len(c) == n for c in columns):  # each field has each part once: zip the columns
        return list(zip(*columns, strict=True))
    rows = []
    for fb in record.iterchildren("{*}Field_Binary"):
        f = children_text(fb)
        rows.append(tuple(f.get(part, "") for part in _FIELD_PARTS))
    return rows


def _table_layout(root: etree._Element, source: str) -> dict[str, Any] | None:
    """The ``Table_Binary`` record layout of a label, or ``None`` when it has none.

    Returns a dict with ``offset`` (bytes), ``records`` (as declared),
    ``record_length`` (bytes), ``file_size`` (bytes the label declares for the
    data file holding the table; ``None`` when absent or not a whole number)
    and ``fields``: ``{NAME: (start, length, data_type)}`` with 0-based byte
    starts within a record.  Fields inside a
    ``Group_Field_Binary`` (the echo samples) are left out.
    """
    table = next(root.iter("{*}Table_Binary"), None)
    if table is None:
        return None
    head = children_text(table)
    record = next(table.iter("{*}Record_Binary"), None)
    if record is None:
        raise LabelError("Table_Binary has no Record_Binary", source=source)
    rec_head = children_text(record)
    offset = whole_number(head.get("offset") or "0", "Table_Binary offset", source)
    record_length = whole_number(rec_head.get("record_length") or "", "Table_Binary record_length",
                                  source)
    records = whole_number(head.get("records") or "0", "Table_Binary records", source)
    fields: dict[str, tuple[int, int, str]] = {}
    # Direct children only: the echo samples' Field_Binary sits in a Group_Field_Binary.
    for name, loc, length, dtype in _field_rows(record):
        if not name:
            continue
        start = whole_number(loc, f"{name} field_location", source) - 1
        size = whole_number(length, f"{name} field_length", source)
        fields[name.upper()] = (start, size, dtype)
    return {"offset": offset, "records": records, "record_length": record_length,
            "file_size": _declared_file_size(table), "fields": fields}


def _declared_file_size(table: etree._Element) -> int | None:
    """``file_size`` of the ``File`` beside ``table`` in its file area, bytes; ``None`` if unusable."""
    area = table.getparent()
    text = None if area is None else area.findtext("{*}File/{*}file_size")
    try:
        value = int((text or "").strip())
    except ValueError:
        return None
    return value if value >= 0 else None
