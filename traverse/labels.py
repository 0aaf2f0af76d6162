"""Read PDS4 labels of Chang'e-4 products safely into plain dicts.

Safety: labels come from the network, so the XML parser never resolves
entities, never loads a DTD, never touches the network or other files, and
refuses labels larger than :data:`MAX_LABEL_BYTES`.  A label that declares a
DOCTYPE at all (PDS4 labels never do; XXE and billion-laughs attacks need one)
is rejected with :class:`~traverse.errors.UnsafeXMLError`.

Tolerance: elements are looked up by local name, case-insensitively, anywhere
under ``Mission_Area`` (element order differs between products).  Values that
are not numbers (``/``, ``None``) become NaN and are listed in ``warnings``.
Encodings: UTF-8 with or without BOM, any encoding the XML declaration names
that libxml2 knows (GB18030 among them), CRLF line ends.
"""

from __future__ import annotations

import math
from typing import Any

from lxml import etree

from .errors import LabelError, UnsafeXMLError

__all__ = ["MAX_LABEL_BYTES", "parse_label", "lpr_table_layout"]

#: Largest label accepted, bytes (real labels are 10–20 KB).
MAX_LABEL_BYTES = 4 * 1024 * 1024

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def _parse_xml(data: bytes, source: str) -> etree._Element:
    if len(data) > MAX_LABEL_BYTES:
        raise UnsafeXMLError(f"{source}: label larger than {MAX_LABEL_BYTES} bytes")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise LabelError(f"{source}: not well-formed XML ({exc})") from exc
    except ValueError as exc:  # e.g. unknown encoding declared
        raise LabelError(f"{source}: cannot decode label ({exc})") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXMLError(f"{source}: label declares a DOCTYPE/entities; refused (XXE guard)")
    return root


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return etree.QName(tag).localname.lower()


class _Index:
    """Elements of a subtree by lower-cased local name, in document order."""

    def __init__(self, root: etree._Element | None):
        self.by_name: dict[str, list[etree._Element]] = {}
        if root is not None:
            for el in root.iter():
                self.by_name.setdefault(_local(el), []).append(el)

    def first(self, *path: str) -> etree._Element | None:
        """First element matching ``a/b/c`` (each a descendant of the previous)."""
        cands = self.by_name.get(path[0].lower(), [])
        for el in cands:
            found = _descend(el, path[1:])
            if found is not None:
                return found
        return None

    def text(self, *path: str) -> str | None:
        el = self.first(*path)
        if el is None or el.text is None:
            return None
        return el.text.strip()


def _descend(el: etree._Element, path: tuple[str, ...]) -> etree._Element | None:
    if not path:
        return el
    want = path[0].lower()
    for child in el.iter():
        if child is not el and _local(child) == want:
            found = _descend(child, path[1:])
            if found is not None:
                return found
    return None


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
        (the ``Table_Binary`` layout or ``None``), and ``warnings`` (list of
        strings about values that could not be read).

    Raises
    ------
    UnsafeXMLError
        Entities, DOCTYPE or oversize label.
    LabelError
        Not well-formed, or not a PDS4 product label.
    """
    root = _parse_xml(data, source)
    warnings: list[str] = []
    everything = _Index(root)
    mission_el = everything.first("Mission_Area")
    if mission_el is None:
        raise LabelError(f"{source}: no Mission_Area element; not a Chang'e-4 PDS4 label")
    mission = _Index(mission_el)

    def vec(*path: str) -> tuple[float, float, float]:
        el = mission.first(*path)
        if el is None:
            return (math.nan, math.nan, math.nan)
        sub = _Index(el)
        return tuple(
            _number(sub.text(c), f"{'/'.join(path)}/{c}", warnings) for c in _XYZ
        )  # type: ignore[return-value]

    def lonlat(name: str) -> tuple[float, float]:
        el = mission.first(name)
        if el is None:
            return (math.nan, math.nan)
        sub = _Index(el)
        return (
            _number(sub.text("longitude"), f"{name}/longitude", warnings),
            _number(sub.text("latitude"), f"{name}/latitude", warnings),
        )

    def num(*path: str) -> float:
        return _number(mission.text(*path), "/".join(path), warnings)

    mast_yaw = mast_pitch = math.nan
    rot = mission.first("Rotation_Angle")
    if rot is not None:
        for child in rot.iter():
            name = _local(child)
            if "yaw" in name:
                mast_yaw = _number((child.text or "").strip(), f"Rotation_Angle/{name}", warnings)
            elif "pitch" in name:
                mast_pitch = _number((child.text or "").strip(), f"Rotation_Angle/{name}", warnings)

    ident = _Index(everything.first("Identification_Area"))
    descriptions = [(el.text or "").strip() for el in ident.by_name.get("description", [])]
    return {
        "product_id": mission.text("product_id") or everything.text("logical_identifier"),
        "instrument_id": mission.text("instrument_id"),
        "sequence_id": mission.text("sequence_id"),
        "product_level": mission.text("product_level"),
        "product_version": mission.text("product_version"),
        "start_date_time": everything.text("Time_Coordinates", "start_date_time"),
        "stop_date_time": everything.text("Time_Coordinates", "stop_date_time"),
        "rover_xyz": vec("Rover_LocationXYZ"),
        "rover_lonlat": lonlat("Rover_Location"),
        "lander_lonlat": lonlat("Lander_Location"),
        "pointing": vec("center_point_observe_vector"),
        "solar_incidence_deg": num("Angle_Pointing_Results", "solar", "incidence_angle"),
        "solar_azimuth_deg": num("Angle_Pointing_Results", "solar", "azimuth_angle"),
        "mast_yaw_deg": mast_yaw,
        "mast_pitch_deg": mast_pitch,
        "description": next((d for d in descriptions if d and d != "None"), ""),
        "table": lpr_table_layout(everything, source),
        "warnings": warnings,
    }


def lpr_table_layout(index: _Index, source: str) -> dict[str, Any] | None:
    """The ``Table_Binary`` record layout of a label, or ``None`` when it has none.

    Returns a dict with ``offset`` (bytes), ``records`` (as declared),
    ``record_length`` (bytes) and ``fields``: ``{NAME: (start, length,
    data_type)}`` with 0-based byte starts within a record.
    """
    table = index.first("Table_Binary")
    if table is None:
        return None
    t = _Index(table)
    try:
        offset = int(float(t.text("offset") or 0))
        record_length = int(float(t.text("Record_Binary", "record_length") or "nan"))
        records = int(float(t.text("records") or 0))
    except ValueError as exc:
        raise LabelError(f"{source}: Table_Binary has no usable record_length ({exc})") from exc
    if record_length <= 0:
        raise LabelError(f"{source}: Table_Binary record_length must be positive")
    fields: dict[str, tuple[int, int, str]] = {}
    for fb in t.by_name.get("field_binary", []):
        parent = fb.getparent()
        if parent is not None and _local(parent) == "group_field_binary":
            continue
        f = _Index(fb)
        name = f.text("name")
        try:
            loc = int(float(f.text("field_location") or "nan"))
            length = int(float(f.text("field_length") or "nan"))
        except ValueError:
            continue
        if name:
            fields[name.upper()] = (loc - 1, length, f.text("data_type") or "")
    return {"offset": offset, "records": records, "record_length": record_length, "fields": fields}
