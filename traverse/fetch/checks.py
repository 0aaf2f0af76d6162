"""What a downloaded answer must be before it is kept: not a web page, a PDS4 label of its product.

A portal that wants a session answers product URLs with a login page, and not
always as ``text/html``: :func:`html_page` looks at the bytes, past a byte
order mark, an XML prolog, comments and blanks.  A label is kept only when it
parses (safely: :func:`traverse.read.pds4.parse_xml`, no DTD, no entities,
4 MiB at most) as a PDS4 product (a ``Product_*`` root) whose
``logical_identifier`` or ``File/file_name`` is the product its URL names: a
truncated label, an empty answer or another product's label is refused.
:func:`content_range` reads where a ``206 Partial Content`` answer starts, so a
resume appends only what follows the bytes already there.
"""

from __future__ import annotations

import codecs
import re

from traverse.errors import LabelError
from traverse.read.pds4 import MAX_LABEL_BYTES, parse_xml

__all__ = ["SNIFF_BYTES", "html_page", "label_problem", "content_range"]

#: Bytes of an answer looked at by :func:`html_page`.
SNIFF_BYTES = 2048
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_LEADING = re.compile(rb"\s+|<\?xml[^>]*\?>|<!--.*?-->", re.DOTALL)
#: Tags a web page starts with; long enough that a binary product never starts so by chance
#: (five or more given bytes and a delimiter: below 2**-48 a file).
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|script|form)[\s>/]", re.IGNORECASE)
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


def _text_start(head: bytes) -> bytes:
    """``head`` as ASCII-compatible bytes, without a byte order mark, prolog, comments or blanks."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head = head[2:len(head) - len(head) % 2].decode(codec, "replace").encode("utf-8", "replace")
            break
    head = head.removeprefix(codecs.BOM_UTF8)
    pos = 0
    while m := _LEADING.match(head, pos):
        if m.end() == pos:
            break
        pos = m.end()
    return head[pos:]


def html_page(head: bytes, content_type: str = "") -> bool:
    """Whether an answer whose first bytes are ``head`` is a web page (a login page).

    Decided by its type header or, whatever that says, by its content.
    """
    if any(t in (content_type or "").lower() for t in _HTML_TYPES):
        return True
    return bool(_HTML_START.match(_text_start(head)))


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def label_problem(data: bytes, product_id: str, source: str) -> str:
    """Why ``data`` is not the PDS4 label of ``product_id`` (``""`` when it is)."""
    if len(data) > MAX_LABEL_BYTES:
        return f"not a PDS4 label: larger than {MAX_LABEL_BYTES} bytes"
    try:
        root = parse_xml(data, source)
    except LabelError as exc:  # UnsafeXMLError too
        return f"not a PDS4 label: {exc.reason}"
    if not _local(root.tag).startswith("Product_"):
        return f"not a PDS4 label: its root element is <{_local(root.tag)[:40]}>, not a Product_*"
    lid = (root.findtext("{*}Identification_Area/{*}logical_identifier") or "").strip()
    names = [(e.text or "").strip() for e in root.iterfind(".//{*}File/{*}file_name")]
    wanted = product_id.lower()
    if wanted in {lid.rpartition(":")[2].lower(), *(n.lower() for n in names)}:
        return ""
    return (f"the label is of another product (logical_identifier {lid[:120]!r},"
            f" file_name {', '.join(repr(n[:120]) for n in names) or 'none'}), not {product_id}")


def content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``(first, last, total)`` bytes of a ``206`` answer's ``Content-Range``.

    ``total`` is ``None`` for ``*``; the answer is ``None`` when the header is
    absent or not ``bytes FIRST-LAST/TOTAL``.
    """
    m = _CONTENT_RANGE.match(value or "")
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2)), None if m.group(3) == "*" else int(m.group(3))
