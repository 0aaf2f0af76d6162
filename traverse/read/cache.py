"""Incremental builds: a cache of parsed products, so a rebuild reads only new or changed ones.

The cache is a folder of two Parquet files (needs ``pyarrow``):

* ``frames.parquet``: the frames rows of every cached product (the columns of
  :data:`traverse.schema.FRAMES_COLUMNS` without ``lon``, ``lat`` and
  ``source``, which depend on the lander site and on where the archive lies
  now, and are computed again);
* ``products.parquet``: one row per cached product: its id, the identity of
  its label and of its data file, its label's image layout
  (:attr:`traverse.read.archive.Product.image`), the problems its read met
  (replayed into the report, so a warm build reports what a cold one does)
  and how many frames rows it gave.

**Identity of a file** (no path in it, so a moved or renamed archive folder
still hits): a file on disk is its size and modification time (ns); a zip
member is its uncompressed size and CRC-32 from the bundle's directory (a
content check, free).  A product hits when its id and both identities are
the ones stored.  A product that gave no rows (skipped) is never stored: it
is read again next time, so a transient read error is never remembered.

**Fingerprint**: :data:`READER_VERSION` (bumped whenever a reader's output
changes), the cache's format, the fields of
:class:`traverse.read.images.ImageLayout` and the text of every mission and
record-format TOML.  A cache with another fingerprint is not used (one note on
the ``traverse`` logger) and replaced by the next save; an unreadable or
inconsistent one likewise, never trusted.  Writes are atomic (temporary names,
then renames; both files carry one token, so a pair from two writes is
refused).  Products of other archives in the same folder are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from traverse.datafiles import toml_texts
from traverse.errors import Problem, Report
from traverse.read.archive import Product, Source
from traverse.read.images import ImageLayout
from traverse.userdirs import user_cache_dir

__all__ = ["READER_VERSION", "default_cache_dir", "CacheSession", "open_session"]

log = logging.getLogger("traverse")

#: Bump whenever what the readers give for a product changes (rows, problems, image layouts).
READER_VERSION = 1
_FORMAT = 1
_META = b"traverse.cache"
_FRAMES, _PRODUCTS = "frames.parquet", "products.parquet"
#: Frames columns not stored: computed again from the site (lon, lat) and the archive's place (source).
_NOT_STORED = ("lon", "lat", "source", "geometry")
_PRODUCT_COLUMNS = ("product_id", "label_id", "data_id", "image", "problems", "n_rows")
# Placeholders of the label's and data file's place in stored problem texts.
_LABEL, _DATA = "\x00label\x00", "\x00data\x00"


def default_cache_dir() -> Path:
    """The default cache of parsed products: ``products/`` in the per-user cache folder.

    (:func:`traverse.userdirs.user_cache_dir`: ``$TRAVERSE_CACHE_DIR``, else
    platformdirs' user cache of ``traverse``, ``~/.cache/traverse`` on Linux.)
    """
    return user_cache_dir() / "products"


def fingerprint() -> str:
    """Hash of what the cached results depend on besides the files: reader version, format, data TOMLs."""
    h = hashlib.sha256(f"reader {READER_VERSION} format {_FORMAT}".encode())
    h.update(" ".join(f.name for f in dataclasses.fields(ImageLayout)).encode())
    for folder in ("missions", "records"):
        for stem, text in toml_texts(folder):
            h.update(f"\n{folder}/{stem}\n{text}".encode())
    return h.hexdigest()[:32]


def identity(source: Source | None) -> str:
    """``f:size:mtime_ns`` of a file, ``z:size:crc32`` of a zip member, ``""`` for none."""
    if source is None:
        return ""
    if source.member is None:
        st = source.path.stat()
        return f"f:{st.st_size}:{st.st_mtime_ns}"
    info = source.bundle.getinfo(source.member) if source.bundle is not None else None
    if info is None:
        raise OSError(f"{source}: zip member without its open bundle")
    return f"z:{info.file_size}:{info.CRC}"


def _layout_json(image: object) -> str | None:
    """An image layout (or the reason it cannot be used, a string) as JSON; ``None`` stays ``None``."""
    if image is None:
        return None
    if isinstance(image, str):
        return json.dumps({"reason": image})
    fields = {f.name: getattr(image, f.name) for f in dataclasses.fields(image)}
    fields["dtype"] = fields["dtype"].str
    return json.dumps({"layout": fields})


def _layout_of(text: object) -> object:
    """The image layout (or reason, or ``None``) stored by :func:`_layout_json`."""
    if not isinstance(text, str):  # missing: None or NaN from the table
        return None
    d = json.loads(text)
    if "reason" in d:
        return str(d["reason"])
    f = d["layout"]
    f["dtype"] = np.dtype(f["dtype"])
    for name in ("axes", "shape", "notes"):
        f[name] = tuple(f[name])
    return ImageLayout(**f)


def _placed(text: str, prod: Product) -> str:
    """``text`` with the product's label and data places replaced by placeholders."""
    if prod.label is not None:
        text = text.replace(str(prod.label), _LABEL)
    if prod.data is not None:
        text = text.replace(str(prod.data), _DATA)
    return text


def _replaced(text: str, prod: Product) -> str:
    """``text`` with the placeholders replaced by where the product lies now."""
    return text.replace(_LABEL, str(prod.label)).replace(_DATA, str(prod.data))


class CacheSession:
    """One read pass with a cache: which products hit, their rows and problems, and the save.

    Made by :func:`open_session`.  :attr:`todo` are the products to read;
    :meth:`merged` puts the cached products' results among the read ones,
    in product order; :meth:`block` gives the cached products' frames rows;
    :meth:`save` stores every product this pass read (and keeps the rest).
    """

    def __init__(self, folder: Path, products: list[Product], report: Report):
        self.folder, self.products, self.report = folder, products, report
        self.ids = [(identity(p.label), identity(p.data)) for p in products]
        self._stored_products, self._stored_frames = _load(folder)
        self.hits: dict[int, int] = {}  # product index -> its row in the stored products
        if self._stored_products is not None:
            sp = self._stored_products
            stored = dict(zip(_text(sp["product_id"]), zip(_text(sp["label_id"]), _text(sp["data_id"]),
                                                           range(len(sp)), strict=True), strict=True))
            for i, (p, (lab, dat)) in enumerate(zip(products, self.ids, strict=True)):
                r = stored.get(p.name.product_id)
                if r is not None and r[0] == lab and r[1] == dat:
                    self.hits[i] = r[2]
        self.todo = [p for i, p in enumerate(products) if i not in self.hits]
        self._fresh: dict[int, tuple[object, list[Problem], bool]] = {}

    def merged(self, results: Iterable) -> Iterator:
        """Every product's ``((rows, image, science), problems)`` in product order, the cached ones from here.

        ``results`` are those of :attr:`todo`, in order.  A cached product's
        rows are ``None`` (they are in :meth:`block`), its problems those its
        read met, its ``science`` ``None`` (not stored: the science stage
        parses such a label itself, :mod:`traverse.read.science_labels`).
        The problems each product adds to the report are noted as the
        caller goes on (so they can be saved).
        """
        fresh = iter(results)
        if self.hits:
            images = _text(self._stored_products["image"])
            stored_problems = _text(self._stored_products["problems"])
        for i, prod in enumerate(self.products):
            hit = self.hits.get(i)
            mark = len(self.report.problems)
            if hit is not None:
                problems = [Problem(_replaced(s, prod), _replaced(r, prod), int(c), sev)
                            for s, r, c, sev in json.loads(stored_problems[hit])]
                yield (None, _layout_of(images[hit]), None), problems
                continue
            read, problems = next(fresh)
            yield read, problems
            self._fresh[i] = (read[1], self.report.problems[mark:], read[0] is not None)

    def block(self) -> pd.DataFrame | None:
        """The cached products' frames rows (``source`` set to where each product lies now)."""
        if not self.hits:
            return None
        wanted = {self.products[i].name.product_id: self.products[i] for i in self.hits}
        frames = self._stored_frames
        block = frames[_among(frames["product_id"], wanted)].reset_index(drop=True)
        block["source"] = [str(wanted[pid].data if radar else wanted[pid].label) for pid, radar in
                           zip(_text(block["product_id"]), block["record"].notna().to_numpy(), strict=True)]
        return block

    def save(self, frames: pd.DataFrame) -> None:
        """Store the products read in this pass that gave rows (taken from ``frames``); atomic.

        The cached products and other archives' products stay; stale entries
        of this archive's products go.  Nothing is written when nothing changed.
        """
        fresh = sorted(i for i, (_, _, rows) in self._fresh.items() if rows)
        if not fresh and not self._stale():
            return
        fresh_ids = [self.products[i].name.product_id for i in fresh]
        rows = pd.DataFrame(frames[_among(frames["product_id"], fresh_ids)])
        rows = rows.drop(columns=[c for c in _NOT_STORED if c in rows])
        n_rows = rows["product_id"].value_counts()
        entries = pd.DataFrame([self._entry(i, int(n_rows.get(pid, 0))) for i, pid in zip(fresh, fresh_ids,
                                                                                       strict=True)],
                               columns=list(_PRODUCT_COLUMNS))
        old, old_rows = self._stored_products, self._stored_frames
        if old is not None:
            here = {p.name.product_id for p in self.products}
            hit = {self.products[i].name.product_id for i in self.hits}
            kept = old[_among(old["product_id"], hit) | ~_among(old["product_id"], here)]
            entries = pd.concat([entries, kept], ignore_index=True)
            rows = pd.concat([rows, old_rows[_among(old_rows["product_id"], _text(kept["product_id"]))]],
                             ignore_index=True)
        _write(self.folder, entries, rows)

    def _entry(self, i: int, n_rows: int) -> tuple:
        """The products row of product ``i`` read in this pass."""
        prod, (image, problems, _) = self.products[i], self._fresh[i]
        stored = [(_placed(q.source, prod), _placed(q.reason, prod), q.count, q.severity) for q in problems]
        return (prod.name.product_id, *self.ids[i], _layout_json(image), json.dumps(stored), n_rows)

    def _stale(self) -> bool:
        """Whether stored entries of this archive's products went stale (a save then drops them)."""
        if self._stored_products is None:
            return False
        ids = {p.name.product_id for p in self.products}
        hit = {self.products[i].name.product_id for i in self.hits}
        return bool(_among(self._stored_products["product_id"], ids - hit).any())


def open_session(folder: str | os.PathLike | None, products: list[Product],
                 report: Report) -> CacheSession | None:
    """A cache session over ``products``, or ``None`` (no folder, or ``on_error="raise"``).

    Under ``on_error="raise"`` the first problem must be raised where it is
    met, so every product is read.
    """
    if folder is None or report.on_error != "skip":
        return None
    try:
        return CacheSession(Path(folder), products, report)
    except OSError as exc:  # a file vanished since discovery: its read reports it
        log.info("cache not used (%s)", exc)
        return None


def _load(folder: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The stored products and frames, or ``(None, None)`` with a one-line note when unusable."""
    import pyarrow.parquet as pq

    paths = folder / _PRODUCTS, folder / _FRAMES
    if not paths[0].exists() and not paths[1].exists():
        return None, None
    try:
        tables = [pq.read_table(p) for p in paths]
        metas = [json.loads(t.schema.metadata[_META]) for t in tables]
        if metas[0]["fingerprint"] != fingerprint():
            log.warning("cache %s was written by another reader version or data; not used, rebuilt", folder)
            return None, None
        if metas[0]["token"] != metas[1]["token"]:
            raise ValueError("its two files come from different writes")
        products, frames = (t.to_pandas() for t in tables)
        _check(products, frames)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not trusted
        why = " ".join(str(exc).split())  # one line, whatever the library's message holds
        log.warning("cache %s unreadable (%s: %s); not used, rebuilt", folder, type(exc).__name__,
                    why if len(why) <= 160 else why[:157] + "...")
        return None, None
    return products, frames


def _check(products: pd.DataFrame, frames: pd.DataFrame) -> None:
    """Refuse a cache whose tables disagree: columns, unique ids, rows per product."""
    from traverse.schema import FRAMES_COLUMNS

    missing = [c for c in _PRODUCT_COLUMNS if c not in products]
    missing += [c for c in FRAMES_COLUMNS if c not in frames and c not in _NOT_STORED]
    if missing:
        raise ValueError(f"columns missing: {', '.join(missing)}")
    counts = pd.Series(_text(frames["product_id"]), dtype=object).value_counts()
    ids = pd.Index(_text(products["product_id"]), dtype=object)
    if ids.has_duplicates:
        raise ValueError("a product stored twice")
    got = counts.reindex(ids, fill_value=0).to_numpy()
    if not np.array_equal(got, products["n_rows"].to_numpy()) or got.sum() != len(frames):
        raise ValueError("frames rows do not match the products' counts")


def _text(column: pd.Series) -> np.ndarray:
    """A text column as a numpy array of objects (str or None): fast to hash and index."""
    return column.to_numpy(dtype=object, na_value=None)


def _among(column: pd.Series, values: Iterable) -> np.ndarray:
    """Whether each value of a text column is one of ``values`` (a hash lookup)."""
    return pd.Index(_text(column), dtype=object).isin(list(values))


def _write(folder: Path, products: pd.DataFrame, frames: pd.DataFrame) -> None:
    """Write both files under temporary names, then rename (products last); a failure is a note."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = json.dumps({"fingerprint": fingerprint(), "token": uuid.uuid4().hex, "format": _FORMAT}).encode()
    tmp = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in ((_FRAMES, frames), (_PRODUCTS, products)):
            table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: meta})
            path = folder / f".{name}.{os.getpid()}.tmp"
            tmp.append((path, folder / name))
            pq.write_table(table, path)
        for path, final in tmp:
            os.replace(path, final)
    except (OSError, ValueError, TypeError) as exc:  # a full disk, a read-only place: the build goes on
        log.warning("cache %s not written (%s)", folder, exc)
        for path, _ in tmp:
            path.unlink(missing_ok=True)
