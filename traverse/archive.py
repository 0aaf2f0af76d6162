"""Find Chang'e-4 products in folders, files and the portal's zip bundles.

Products are recognised by the GRAS file-name grammar::

    CE4_GRAS_<payload>[-<nnn>]_<SCI|AUX>_N_<start>_<stop>_<seq>_<version>.<level>[L]

for example ``CE4_GRAS_PCAML-C-004_SCI_N_20190728060211_20190728060211_0050_B.2BL``
(a label: the data file's name plus ``L``).  Labels are paired with their data
files by name; a product found twice (say in a folder and in a zip bundle)
counts once.  Zip members are read in place, never extracted to disk.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ArchiveError, OnError, Report

__all__ = [
    "ProductName",
    "Source",
    "Product",
    "parse_product_name",
    "find_products",
    "close_bundles",
]

_NAME_RE = re.compile(
    r"^(?P<mission>CE4)_(?P<center>GRAS)_"
    r"(?P<payload>[A-Z]+(?:-[A-Z0-9]{1,2})?)(?:-(?P<frame>\d{3}))?_"
    r"(?P<kind>SCI|AUX)_(?P<flag>[A-Z])_"
    r"(?P<start>\d{14})_(?P<stop>\d{14})_(?P<seq>\d{4})_(?P<version>[A-Z])"
    r"\.(?P<level>\d[A-Z])(?P<label>L)?$"
)

_INSTRUMENTS = {"PCAML": "PCAM", "PCAMR": "PCAM"}


@dataclass(frozen=True)
class ProductName:
    """A parsed GRAS file name.

    ``product_id`` is the data file's name (without the label's ``L``); it is
    what the labels carry as ``logical_identifier``.
    """

    product_id: str
    payload: str
    instrument: str
    frame: str | None
    kind: str
    start: str
    stop: str
    sequence_id: str
    version: str
    level: str
    is_label: bool


def parse_product_name(name: str) -> ProductName | None:
    """Parse a GRAS file name; ``None`` when ``name`` does not follow the grammar."""
    m = _NAME_RE.match(name)
    if m is None:
        return None
    payload = m["payload"]
    stem = payload.split("-")[0]
    return ProductName(
        product_id=name[:-1] if m["label"] else name,
        payload=payload,
        instrument=_INSTRUMENTS.get(stem, stem),
        frame=m["frame"],
        kind=m["kind"],
        start=m["start"],
        stop=m["stop"],
        sequence_id=m["seq"],
        version=m["version"],
        level=m["level"],
        is_label=bool(m["label"]),
    )


@dataclass(frozen=True)
class Source:
    """A file on disk, or a member of a zip bundle (``path!member``)."""

    path: Path
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def name(self) -> str:
        """The file's own name, without folders."""
        return (self.member or str(self.path)).replace("\\", "/").rsplit("/", 1)[-1]

    def size(self) -> int:
        """Size in bytes (uncompressed, for a zip member)."""
        if self.member is None:
            return self.path.stat().st_size
        return _zip(self.path).getinfo(self.member).file_size

    def read_bytes(self, limit: int | None = None) -> bytes:
        """Read at most ``limit`` bytes (all when ``None``)."""
        with self.open() as fh:
            return fh.read() if limit is None else fh.read(limit)

    def open(self) -> io.BufferedIOBase:
        """Open for binary reading (a zip member is decompressed as a stream)."""
        if self.member is None:
            return open(self.path, "rb")
        return _zip(self.path).open(self.member)


_BUNDLES: dict[Path, zipfile.ZipFile] = {}
_MAX_OPEN_BUNDLES = 4


def _zip(path: Path) -> zipfile.ZipFile:
    """An open bundle, kept open so its central directory is read once, not per member."""
    zf = _BUNDLES.get(path)
    if zf is None:
        if len(_BUNDLES) >= _MAX_OPEN_BUNDLES:
            _BUNDLES.pop(next(iter(_BUNDLES))).close()
        zf = _BUNDLES[path] = zipfile.ZipFile(path)
    return zf


def close_bundles() -> None:
    """Close the zip bundles kept open by :class:`Source` reads."""
    while _BUNDLES:
        _BUNDLES.popitem()[1].close()


@dataclass
class Product:
    """A label and (when found) its data file, by product id."""

    name: ProductName
    label: Source | None = None
    data: Source | None = None
    duplicates: list[Source] = field(default_factory=list)


def _walk(paths: Iterable[str | os.PathLike], report: Report, on_error: OnError) -> Iterator[Source]:
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    yield from _expand(Path(root) / f, report, on_error)
        elif p.is_file():
            yield from _expand(p, report, on_error)
        else:
            report.add(str(p), "no such file or folder", on_error=on_error)


def _expand(path: Path, report: Report, on_error: OnError) -> Iterator[Source]:
    if path.suffix.lower() != ".zip":
        yield Source(path)
        return
    try:
        with zipfile.ZipFile(path) as zf:
            members = [i.filename for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        report.add(str(path), f"not a readable zip bundle ({exc})", on_error=on_error)
        return
    for m in members:
        yield Source(path, m)


def find_products(
    paths: Iterable[str | os.PathLike], *, on_error: OnError = "skip"
) -> tuple[list[Product], Report]:
    """Find the GRAS products under ``paths`` (files, folders, zip bundles).

    Parameters
    ----------
    paths
        Any mix of product files, folders (searched recursively) and zip
        bundles (members read in place).
    on_error
        ``"skip"`` records unreadable inputs in the report and goes on;
        ``"raise"`` stops at the first.

    Returns
    -------
    products, report
        Products sorted by id (each with its label and data source, either
        may be missing), and the problems met.  Files whose names are not
        GRAS products (READMEs, checksums) are ignored, but a name that
        starts like a Chang'e-4 product and breaks the grammar is reported.

    Raises
    ------
    ArchiveError
        When no path exists at all.
    """
    paths = list(paths)
    report = Report()
    if not paths or not any(Path(p).exists() for p in paths):
        raise ArchiveError(f"no such file or folder: {', '.join(map(str, paths)) or '(none)'}")
    by_id: dict[str, Product] = {}
    for src in _walk(paths, report, on_error):
        pn = parse_product_name(src.name)
        if pn is None:
            if src.name.upper().startswith("CE4_"):
                report.add(str(src), "file name does not follow the GRAS grammar", on_error=on_error)
            continue
        prod = by_id.setdefault(pn.product_id, Product(name=pn))
        slot = "label" if pn.is_label else "data"
        if getattr(prod, slot) is None:
            setattr(prod, slot, src)
        else:
            prod.duplicates.append(src)
    return [by_id[k] for k in sorted(by_id)], report
