"""Find GRAS products (Chang'e-4, Tianwen-1) in folders, files and the portal's zip bundles.

Products are recognised by each mission's file-name grammar
(:attr:`traverse.missions.Mission.name_pattern`), for Chang'e-4::

    CE4_GRAS_<payload>[-<nnn>]_<SCI|AUX>_N_<start>_<stop>_<seq4>_<version>.<level>[L]

for example ``CE4_GRAS_PCAML-C-004_SCI_N_20190728060211_20190728060211_0050_B.2BL``
(a label: the data file's name plus ``L``), and for Zhurong
``HX1-Ro_GRAS_RoPeR-HF-HH_SCI_N_20210525042001_20210525043243_00011_A.2B``.  Labels are paired with their data
files by name; a product found twice (say in a folder and in a zip bundle)
counts once (the second copy is reported).  Zip members are read in place,
never extracted to disk, each bundle opened once per run by :func:`open_archive`.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from traverse.errors import ArchiveError, Report
from traverse.missions import mission_for_name

__all__ = [
    "ProductName",
    "Source",
    "Product",
    "Archive",
    "parse_product_name",
    "open_archive",
]

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
    mission: str


def parse_product_name(name: str) -> ProductName | None:
    """Parse a GRAS file name; ``None`` when ``name`` follows no mission's grammar."""
    mission = mission_for_name(name)
    m = mission.name_pattern.match(name) if mission is not None else None
    if m is None:
        return None
    payload = m["payload"]
    stem = payload.split("-")[0]
    return ProductName(
        product_id=name[:-1] if m["label"] else name,
        payload=payload,
        instrument=mission.instrument_aliases.get(stem, stem),
        frame=m.groupdict().get("frame"),
        kind=m["kind"],
        start=m["start"],
        stop=m["stop"],
        sequence_id=m["seq"],
        version=m["version"],
        level=m["level"],
        is_label=bool(m["label"]),
        mission=mission.key,
    )


@dataclass(frozen=True)
class Source:
    """A file on disk, or a member of a zip bundle (``path!member``).

    A member is read through the bundle's :class:`zipfile.ZipFile`, opened once
    per run by :class:`Archive` (``bundle``), never extracted to disk.
    """

    path: Path
    member: str | None = None
    bundle: zipfile.ZipFile | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def name(self) -> str:
        """The file's own name, without folders."""
        return (self.member or str(self.path)).replace("\\", "/").rsplit("/", 1)[-1]

    def _zip(self) -> zipfile.ZipFile:
        if self.bundle is None:
            raise ArchiveError("zip member read outside an open archive", source=str(self))
        return self.bundle

    def size(self) -> int:
        """Size in bytes (uncompressed, for a zip member)."""
        if self.member is None:
            return self.path.stat().st_size
        return self._zip().getinfo(self.member).file_size

    def read_bytes(self, limit: int | None = None) -> bytes:
        """Read at most ``limit`` bytes (all when ``None``)."""
        with self.open() as fh:
            return fh.read() if limit is None else fh.read(limit)

    def open(self) -> io.BufferedIOBase:
        """Open for binary reading (a zip member is decompressed as a stream).

        A file on disk is opened without blocking and must still be a regular
        file (a FIFO swapped in since discovery would otherwise hang the run).
        """
        if self.member is not None:
            return self._zip().open(self.member)
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            kind = _not_regular(os.fstat(fd).st_mode)
            if kind:
                raise ArchiveError(f"{kind}, not a regular file; not read", source=str(self))
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise


@dataclass
class Product:
    """A label and (when found) its data file, by product id.

    ``label_read`` and ``image`` are filled by the read pass
    (:func:`traverse.read.frames.frames_from_archive`), which reads and parses
    each label once: ``image`` is then the label's image array layout
    (:class:`traverse.read.images.ImageLayout`), ``None`` when it describes
    none (or could not be read), or the reason (a string) its description
    cannot be used.  The images stage takes it from there instead of reading
    the label again.  ``science`` is likewise what the science stage needs
    from the label (:mod:`traverse.read.science_labels`: a radar label's echo
    layout, a VNIS-SD table's description), ``None`` when it must parse the
    label itself (nothing to take, or the product's frames came from the cache).
    """

    name: ProductName
    label: Source | None = None
    data: Source | None = None
    label_read: bool = False
    image: object = None
    science: object = None


@dataclass
class Archive:
    """The products found under some paths, with the zip bundles they need kept open.

    Made by :func:`open_archive`, which closes the bundles on leaving its
    ``with`` block; each bundle's central directory is read once per run.

    Attributes
    ----------
    products
        Products sorted by id, each with its label and data source (either
        may be missing).
    report
        The error policy and the problems met while finding them.
    roots
        The paths it was opened on.
    """

    products: list[Product]
    report: Report
    bundles: list[zipfile.ZipFile] = field(default_factory=list, repr=False)
    roots: list[Path] = field(default_factory=list)

    def close(self) -> None:
        """Close every zip bundle this archive opened."""
        while self.bundles:
            self.bundles.pop().close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    """What a file of ``mode`` is when it is not a regular file (``None`` when it is)."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _file_kind(path: Path) -> str | None:
    """``None`` for a regular file (a symlink is followed), else what ``path`` is instead.

    Never opens the file, so a FIFO or a device is told without blocking.
    """
    try:
        return _not_regular(path.stat().st_mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        if exc.errno == errno.ENOENT:
            return "a broken symbolic link" if path.is_symlink() else "no such file or folder"
        return f"cannot be examined ({exc.strerror or exc})"
    except RuntimeError:  # older Pythons report a symlink loop this way
        return "a symbolic link loop"


def _named_like_product(name: str) -> bool:
    """A name a user would expect to be read: a mission's prefix, or a zip bundle."""
    return mission_for_name(name) is not None or name.lower().endswith(".zip")


def _skip(path: Path, kind: str, archive: Archive) -> None:
    archive.report.add(path, f"{kind}, not a product file; skipped", error=ArchiveError)


def _walk_folder(folder: Path, archive: Archive) -> Iterator[Source]:
    """Every regular file under ``folder``; what is named like a product but is not one is reported."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for d in dirs:
            if parse_product_name(d) is not None:
                archive.report.add(Path(root) / d, "a folder named like a product file; searched as a"
                                   " folder", count=0, error=ArchiveError)
        for f in sorted(files):
            path = Path(root) / f
            kind = _file_kind(path)
            if kind is None:
                yield from _expand(path, archive)
            elif _named_like_product(f):
                _skip(path, kind, archive)


def _walk(paths: Iterable[Path], archive: Archive) -> Iterator[Source]:
    for p in paths:
        kind = _file_kind(p)
        if kind == "a folder":
            yield from _walk_folder(p, archive)
        elif kind is None:
            yield from _expand(p, archive)
            yield from _partner(p)
        elif kind == "no such file or folder":
            archive.report.add(p, kind, error=ArchiveError)
        else:
            _skip(p, kind, archive)


def _partner(path: Path) -> Iterator[Source]:
    """The data file beside a label named alone (``X.2BL`` -> ``X.2B``), or the label beside its data.

    A folder input finds both; a product named by one of its files finds the
    other in the same folder, as the label's ``file_name`` names it.
    """
    pn = parse_product_name(path.name)
    if pn is None:
        return
    other = path.with_name(pn.product_id if pn.is_label else pn.product_id + "L")
    if _file_kind(other) is None:
        yield Source(other)


def _expand(path: Path, archive: Archive) -> Iterator[Source]:
    if path.suffix.lower() != ".zip":
        yield Source(path)
        return
    try:
        zf = zipfile.ZipFile(path)
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        # NotImplementedError: a (corrupt) directory asking for a zip version zipfile lacks
        archive.report.add(path, f"not a readable zip bundle ({exc})", error=ArchiveError)
        return
    archive.bundles.append(zf)
    if not any(parse_product_name(i.filename.replace("\\", "/").rsplit("/", 1)[-1]) for i in infos):
        archive.report.note(path, f"zip bundle with {len(infos)} members but no GRAS product")
    for info in infos:
        if info.flag_bits & 0x1:  # zipfile would need a password (RuntimeError on open)
            archive.report.add(f"{path}!{info.filename}", "encrypted zip member; skipped",
                               error=ArchiveError)
            continue
        yield Source(path, info.filename, zf)


def open_archive(paths: Iterable[str | os.PathLike], *, report: Report | None = None) -> Archive:
    """Find the GRAS products under ``paths`` (files, folders, zip bundles).

    Use as a context manager, so the zip bundles it opens are closed::

        with open_archive(["~/ce4"]) as archive:
            frames = frames_from_archive(archive)

    Parameters
    ----------
    paths
        Any mix of product files, folders (searched recursively) and zip
        bundles (members read in place).  A product named by its label finds
        its data file in the same folder, and the other way round.
    report
        Error policy and problem list (default: a new ``Report()``, skipping).

    Returns
    -------
    Archive
        Products sorted by id, and the report.  Files whose names are not
        GRAS products (READMEs, checksums) are ignored, but a name that
        starts like a mission's product (``CE4_``, ``HX1-``) and breaks the grammar is reported,
        and so is a second copy of a product (the first found is used).

    Raises
    ------
    ArchiveError
        When no path exists at all.
    """
    paths = [Path(p).expanduser() for p in paths]
    archive = Archive([], report if report is not None else Report(), roots=paths)
    if not paths or not any(os.path.lexists(p) for p in paths):
        raise ArchiveError("no such file or folder", source=", ".join(map(str, paths)) or "(none)")
    by_id: dict[str, Product] = {}
    seen: set[tuple[Path, str | None]] = set()
    resolved: dict[Path, Path] = {}  # a bundle's members share its path: resolve it once
    try:
        for src in _walk(paths, archive):
            real = resolved.get(src.path)
            if real is None:
                real = resolved[src.path] = src.path.resolve()
            key = (real, src.member)
            if key in seen:  # the same file named twice (a label and its partner, a folder and a file)
                continue
            seen.add(key)
            pn = parse_product_name(src.name)
            if pn is None:
                if mission_for_name(src.name) is not None:
                    archive.report.add(src, "file name does not follow the GRAS grammar",
                                       error=ArchiveError)
                continue
            prod = by_id.setdefault(pn.product_id, Product(name=pn))
            slot = "label" if pn.is_label else "data"
            first = getattr(prod, slot)
            if first is None:
                setattr(prod, slot, src)
            else:
                archive.report.note(src, f"second copy of {src.name} (using {first})")
    except BaseException:
        archive.close()
        raise
    archive.products = [by_id[k] for k in sorted(by_id)]
    return archive
