"""Safe parsing of PDS4 label XML and the element helpers every reader shares.

Labels come from the network, so the XML parser never resolves entities,
never loads a DTD, never touches the network or other files, and refuses
labels larger than :data:`MAX_LABEL_BYTES`.  A label that declares a DOCTYPE
at all (PDS4 labels never do; XXE and billion-laughs attacks need one) is
rejected with :class:`~traverse.errors.UnsafeXMLError`.
"""

from __future__ import annotations

import math
import re
import threading

from lxml import etree

from traverse.errors import LabelError, LayoutError, UnsafeXMLError

__all__ = ["MAX_LABEL_BYTES", "parse_xml", "is_file_area", "children_text", "whole_number"]

#: Largest label accepted, bytes (real labels are 10–20 KB).
MAX_LABEL_BYTES = 4 * 1024 * 1024

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_PARSERS = threading.local()  # an lxml parser is reused, but never across threads


def parse_xml(data: bytes, source: str) -> etree._Element:
    """The root element of a label's XML.

    Raises
    ------
    UnsafeXMLError
        Larger than :data:`MAX_LABEL_BYTES`, or declares a DOCTYPE/entities.
    LabelError
        Not well-formed, or in an encoding libxml2 cannot decode.
    """
    if len(data) > MAX_LABEL_BYTES:
        raise UnsafeXMLError(f"label larger than {MAX_LABEL_BYTES} bytes", source=source)
    if _DOCTYPE.search(data, 0, 4096):  # ASCII-compatible encodings; re-checked after parsing
        raise UnsafeXMLError("label declares a DOCTYPE/entities; refused (XXE guard)", source=source)
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise LabelError(f"not well-formed XML ({exc})", source=source) from exc
    except ValueError as exc:  # e.g. unknown encoding declared
        raise LabelError(f"cannot decode label ({exc})", source=source) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXMLError("label declares a DOCTYPE/entities; refused (XXE guard)", source=source)
    return root


def is_file_area(el: etree._Element) -> bool:
    """Whether ``el`` is a ``File_Area_*`` element (any namespace, any case)."""
    return el.tag.rpartition("}")[2].lower().startswith("file_area")


def children_text(el: etree._Element) -> dict[str, str]:
    """Text of the direct children of ``el`` by lower-cased local name."""
    return {
        c.tag.rpartition("}")[2].lower(): (c.text or "").strip()
        for c in el.iterchildren(tag=etree.Element)
    }


def whole_number(text: str, what: str, source: str) -> int:
    """A whole number as a label writes it (``32883``, ``32883.0``); a :class:`LayoutError` otherwise."""
    try:
        return int(text)  # the usual case, and the fast one
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise LayoutError(f"{what} is {text!r}, not a number", source=source) from None
    if not math.isfinite(value) or value != int(value):
        raise LayoutError(f"{what} is {text!r}, not a whole number", source=source)
    return int(value)
