"""Decode PDS4 image arrays (PCAM 2B, TCAM 2C, any GRAS image product) from the label's own description.

A label's ``File_Area_Observational`` describes its image as an
``Array_2D_Image`` or ``Array_3D_Image`` (or a plain ``Array_2D``/``Array_3D``):
the byte ``offset`` in the data file, the ``Element_Array`` data type
(``UnsignedByte``, ``UnsignedMSB2``, ``IEEE754MSBSingle`` ...) and, per axis,
its name, number of ``elements`` and ``sequence_number``; PDS4 stores every
array with the last index varying fastest.  The real TCAM 2C labels declare
Line 1728 × Sample 2352 × Band 3, UnsignedByte, offset 0: pixel-interleaved
RGB.  Nothing here assumes that; :func:`image_layout` reads it from each label
and :func:`read_image` returns the array as (lines, samples, bands) whatever
the storage order.

Reading streams: a zip member is decompressed straight into one buffer of the
image's size (never extracted to disk), so one image at a time is held.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from lxml import etree

from traverse.errors import LayoutError, RecordError
from traverse.read.archive import Source
from traverse.read.pds4 import children_text, is_file_area, parse_xml, whole_number
from traverse.read.records import NUMPY_TYPES

__all__ = ["MAX_IMAGE_BYTES", "ImageLayout", "image_layout", "layout_of_root", "read_image", "display_array"]

#: Bytes read per call while streaming an image (keeps a zip member's inflate buffers small).
_SLICE = 1 << 20

#: Largest image accepted, bytes (a full PCAM/TCAM frame is 12 192 768 B).
MAX_IMAGE_BYTES = 1 << 30

#: numpy types of the PDS4 element types an image may use (records' integers and floats).
_IMAGE_TYPES = NUMPY_TYPES

#: Axis roles by the words their ``axis_name`` holds (PDS4 names them Line/Sample/Band).
_ROLES = (("band", "band"), ("line", "line"), ("row", "line"), ("sample", "sample"),
          ("column", "sample"))


@dataclass(frozen=True)
class ImageLayout:
    """Where and how an image array is stored in its data file.

    Attributes
    ----------
    kind
        The label's element name (``Array_3D_Image`` ...).
    offset
        Bytes before the array in the data file.
    dtype
        numpy dtype of one element, byte order included.
    axes
        Role of each stored axis, slowest first: ``"line"``, ``"sample"``, ``"band"``.
    shape
        Elements along each stored axis, same order.
    scale, value_offset
        ``Element_Array`` ``scaling_factor`` and ``value_offset`` (1 and 0 when absent).
    file_name
        The data file the label names (``File/file_name``), if any.
    notes
        Caveats about the description that did not stop the read (an ``axes``
        count or ``sequence_number`` values that disagree with the axes).
    """

    kind: str
    offset: int
    dtype: np.dtype
    axes: tuple[str, ...]
    shape: tuple[int, ...]
    scale: float = 1.0
    value_offset: float = 0.0
    file_name: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def nbytes(self) -> int:
        """Size of the array in the data file, bytes."""
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def lines(self) -> int:
        """Image lines (rows)."""
        return self.shape[self.axes.index("line")]

    @property
    def samples(self) -> int:
        """Samples per line (columns)."""
        return self.shape[self.axes.index("sample")]

    @property
    def bands(self) -> int:
        """Bands (1 for a one-band image)."""
        return self.shape[self.axes.index("band")] if "band" in self.axes else 1


def _role(name: str) -> str | None:
    low = name.lower()
    return next((role for word, role in _ROLES if word in low), None)


def _axes(array, kind: str, source: str, notes: list[str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Roles and sizes of the array's axes in storage order (``sequence_number`` 1 = slowest).

    ``sequence_number`` values that are not 1..n (repeated, missing, out of
    range) cannot order the axes: the label's own order is used, with a note.
    """
    found = []
    for axis in array.iterchildren("{*}Axis_Array"):
        kids = children_text(axis)
        n = whole_number(kids.get("elements", ""), f"{kind} axis elements", source)
        seq = whole_number(kids.get("sequence_number") or str(len(found) + 1),
                            f"{kind} axis sequence_number", source)
        found.append((seq, kids.get("axis_name", ""), n))
    seqs = [seq for seq, *_ in found]
    if sorted(seqs) == list(range(1, len(found) + 1)):
        found.sort()
    else:
        notes.append(f"{kind} axis sequence_number values {seqs} are not 1 to {len(found)};"
                     " axes taken in the label's order")
    if len(found) not in (2, 3):
        raise LayoutError(f"{kind} has {len(found)} axes; an image has 2 or 3", source=source)
    if any(n <= 0 for *_, n in found):
        raise LayoutError(f"{kind} declares an axis of {min(n for *_, n in found)} elements", source=source)
    roles = [_role(name) for _, name, _ in found]
    if len(found) == 2 and None in roles:  # unnamed 2-D image: PDS4's line-major order
        roles = ["line", "sample"]
    if sorted(r or "" for r in roles) != sorted(["line", "sample", "band"][: len(found)]):
        names = ", ".join(repr(name) for _, name, _ in found)
        raise LayoutError(f"{kind} axes {names}: cannot tell lines, samples and bands apart",
                          source=source)
    return tuple(roles), tuple(n for *_, n in found)


def image_layout(label: bytes, source: str = "<label>") -> ImageLayout | None:
    """The first image array a label describes, or ``None`` when it describes none.

    Raises
    ------
    LabelError
        The label is not well-formed XML (:class:`traverse.errors.LabelError`).
    LayoutError
        The array description cannot be used: unknown element type, axes
        that are not lines/samples/bands, a storage order other than PDS4's
        "Last Index Fastest", or more than :data:`MAX_IMAGE_BYTES`.
    """
    return layout_of_root(parse_xml(label, source), source)


def layout_of_root(root: etree._Element, source: str = "<label>") -> ImageLayout | None:
    """:func:`image_layout` of a label already parsed (its root element): the read pass's one parse.

    Raises
    ------
    LayoutError
        As :func:`image_layout`.
    """
    file_name = None
    for area in root.iterchildren(tag=etree.Element):
        if not is_file_area(area):
            continue
        for el in area.iterchildren(tag=etree.Element):
            kind = el.tag.rpartition("}")[2]
            if kind == "File":
                file_name = children_text(el).get("file_name") or None
            elif kind in ("Array_2D_Image", "Array_3D_Image", "Array_2D", "Array_3D"):
                return _layout(el, kind, file_name, source)
    return None


def _layout(array, kind: str, file_name: str | None, source: str) -> ImageLayout:
    head = children_text(array)
    order = head.get("axis_index_order", "Last Index Fastest")
    if order.replace(" ", "").lower() != "lastindexfastest":
        raise LayoutError(f"{kind} axis_index_order {order!r}; PDS4 stores 'Last Index Fastest'",
                          source=source)
    element = next(array.iterchildren("{*}Element_Array"), None)
    if element is None:
        raise LayoutError(f"{kind} has no Element_Array (data type)", source=source)
    el = children_text(element)
    data_type = el.get("data_type", "")
    numpy_type = _IMAGE_TYPES.get(data_type.upper())
    if numpy_type is None:
        raise LayoutError(f"{kind} data_type {data_type!r} is not an image type traverse reads",
                          source=source)
    notes: list[str] = []
    axes, shape = _axes(array, kind, source, notes)
    _check_axes_count(head.get("axes"), kind, len(shape), notes)
    layout = ImageLayout(
        kind=kind,
        offset=whole_number(head.get("offset") or "0", f"{kind} offset", source),
        dtype=np.dtype(numpy_type), axes=axes, shape=shape,
        scale=_float(el.get("scaling_factor"), 1.0), value_offset=_float(el.get("value_offset"), 0.0),
        file_name=file_name, notes=tuple(notes),
    )
    if layout.offset < 0:
        raise LayoutError(f"{kind} offset {layout.offset} is negative", source=source)
    if layout.nbytes > MAX_IMAGE_BYTES:
        raise LayoutError(f"{kind} of {layout.nbytes} bytes: larger than {MAX_IMAGE_BYTES}", source=source)
    return layout


def _check_axes_count(declared: str | None, kind: str, found: int, notes: list[str]) -> None:
    """Note an ``axes`` count, or an ``Array_2D``/``Array_3D`` name, that disagrees with the Axis_Arrays."""
    if declared is not None and declared.strip() != str(found):
        notes.append(f"{kind} declares axes {declared.strip()[:20]!r} but describes {found} Axis_Array;"
                     " read by its Axis_Array")
    dims = 2 if "2D" in kind else 3
    if dims != found:
        notes.append(f"{kind} describes {found} axes; read as a {found}-axis image")


def _float(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if math.isfinite(value) else default


def read_image(data: Source, layout: ImageLayout, notes: list[str] | None = None) -> np.ndarray:
    """The image of ``data`` as an array of shape (lines, samples, bands), in the stored element type.

    The data file (or zip member) is streamed into one buffer of
    :attr:`ImageLayout.nbytes`; bytes after the array are not read, and
    counted in a note appended to ``notes`` (when given).

    Raises
    ------
    RecordError
        The data file is shorter than the label's offset plus array size.
    """
    size = data.size()
    need = layout.offset + layout.nbytes
    if size < need:
        raise RecordError(
            f"data file holds {size} bytes; the label's {layout.kind} needs {need} "
            f"(offset {layout.offset} + {' x '.join(map(str, layout.shape))} x {layout.dtype.itemsize} B)",
            source=str(data))
    if size > need and notes is not None:
        notes.append(f"data file holds {size} bytes, {size - need} more than the label's {layout.kind}"
                     f" (offset {layout.offset} + {layout.nbytes} B); the extra bytes are ignored")
    buf = np.empty(layout.nbytes, np.uint8)
    view = memoryview(buf)
    with data.open() as fh:
        if layout.offset:
            fh.seek(layout.offset)
        got = 0
        while got < layout.nbytes:  # 1 MiB slices: a zip member's readinto is read() + copy
            n = fh.readinto(view[got:got + _SLICE])
            if not n:
                raise RecordError(f"data file ends after {layout.offset + got} bytes; "
                                  f"the label's {layout.kind} needs {need}", source=str(data))
            got += n
    stored = buf.view(layout.dtype).reshape(layout.shape)
    order = [layout.axes.index(r) for r in ("line", "sample", "band") if r in layout.axes]
    image = stored.transpose(order)
    return image if image.ndim == 3 else image[:, :, None]


def display_array(image: np.ndarray, layout: ImageLayout | None = None) -> np.ndarray:
    """8-bit pixels for a JPEG: (lines, samples) grey or (lines, samples, 3) RGB.

    Bytes are kept as they are; other types are scaled (``scaling_factor``,
    ``value_offset``) and stretched between their 0.5 and 99.5 percentiles.
    Three bands are taken as RGB; any other number shows the first band.
    """
    bands = image.shape[2]
    pixels = image if bands == 3 else image[:, :, 0]
    if pixels.dtype == np.uint8:
        return np.ascontiguousarray(pixels)
    values = pixels.astype(np.float32)
    if layout is not None and (layout.scale != 1.0 or layout.value_offset != 0.0):
        values = values * layout.scale + layout.value_offset
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(values.shape, np.uint8)
    step = max(1, finite.size // 200_000)  # percentiles of a subsample: fast on 4 Mpx
    lo, hi = np.percentile(finite[::step], [0.5, 99.5])
    span = float(hi - lo) or 1.0
    out = np.clip((np.nan_to_num(values, nan=lo) - lo) * (255.0 / span), 0, 255)
    return out.astype(np.uint8)

