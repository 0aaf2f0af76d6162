"""Thumbnails and full-size JPEGs of the archive's images, beside the map that shows them.

``traverse build … -o maps/NAME --images thumbs`` (the default) writes per
image product one JPEG thumbnail (:data:`THUMB_PX` on its longer side) to
``maps/NAME_files/thumbs/`` and a preview for the map's larger view
(:data:`PREVIEW_PX` on its longer side, never enlarged) to
``maps/NAME_files/preview/``; ``--images full`` writes the full-size JPEG to
``maps/NAME_files/full/`` instead of the preview.  The frames' ``image_full``
column names the larger view's JPEG (preview or full size).  The map and the GeoPackage refer to them by paths
relative to their own folder, so ``maps/`` can be zipped and shared and opens
offline.

Each image is decoded from its label's array description
(:mod:`traverse.read.images`), straight from its loose file or zip member,
one image per worker at a time, on every core.  A product whose data file is
missing or does not match its label is reported and keeps its frame.
"""

from __future__ import annotations

import functools
import os
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from traverse.errors import ArchiveError, Report, TraverseError
from traverse.read import parallel
from traverse.read.archive import Product, Source
from traverse.read.pds4 import MAX_LABEL_BYTES

__all__ = ["IMAGE_MODES", "THUMB_PX", "PREVIEW_PX", "ImageRun", "ImageTask", "images_folder", "image_tasks",
           "make_image", "write_images", "with_images"]

#: What ``--images`` accepts: no images, thumbnails and previews, thumbnails and full-size JPEGs.
IMAGE_MODES = ("none", "thumbs", "full")

#: Longer side of a thumbnail, pixels.
THUMB_PX = 256
#: Longer side of the larger view's preview, pixels (sharp on a laptop screen; a real PCAM
#: image, 2352 x 1728, becomes 1024 x 752, about 150 kB instead of 1 MB at full size).
PREVIEW_PX = 1024
_PREVIEW_QUALITY = 85

_THUMB_QUALITY = 82
_FULL_QUALITY = 90
#: Below this many images the work runs in this process (a pool costs ~0.1 s to start).
_MIN_PARALLEL = 8
#: Most images sent to a worker at once (one image is tens of milliseconds of work).
_MAX_BATCH = 16


@dataclass(frozen=True)
class ImageRun:
    """How the images stage runs.

    ``workers`` processes (default every core), a ``progress(done, total)``
    callback, ``thumb_px`` the longer side of a thumbnail (pixels).
    """

    workers: int | None = None
    progress: Callable[[int, int], None] | None = None
    thumb_px: int = THUMB_PX


def images_folder(html: Path) -> Path:
    """``maps/NAME_files``: where the images of ``maps/NAME.html`` go."""
    return html.with_name(html.stem + "_files")


@dataclass(frozen=True)
class ImageTask:
    """One product to decode: its label and data file (``(path, zip member or None)``), its outputs.

    ``layout`` is what the read pass found in the label
    (:attr:`traverse.read.archive.Product.image`: an
    :class:`~traverse.read.images.ImageLayout`, or the reason its description
    cannot be used); ``None`` when the label was not read yet: the task reads it.
    """

    product_id: str
    instrument: str
    label: parallel.Where
    data: parallel.Where | None
    thumb: str
    full: str | None
    #: Longer side (pixels) of the larger view written to ``full``; ``None``: full size.
    full_px: int | None = None
    layout: object = None


def make_image(task: ImageTask, thumb_px: int = THUMB_PX) -> tuple[str, str, object]:
    """Decode one product (label and data file) and write its JPEG(s).

    Returns ``(product_id, status, detail)``: ``("ok", (lines, samples, bands, notes))``,
    ``("none", None)`` when the label describes no image (a spectrum, a
    table), or ``("error", (source, reason))``.  Labels without their data
    file are not tasks (:func:`write_images` reports them).
    """
    from PIL import Image

    from traverse.read.images import display_array, image_layout, read_image

    name = str(Source(Path(task.label[0]), task.label[1]))
    if isinstance(task.layout, str):  # the read pass found an unusable array description
        return task.product_id, "error", (name, task.layout)
    try:
        layout = task.layout
        if layout is None:  # label not read yet (a caller without the read pass)
            label = parallel.reopen(task.label)  # may fail: the bundle changed since it was listed
            layout = image_layout(label.read_bytes(MAX_LABEL_BYTES + 1), name)
        if layout is None:
            return task.product_id, "none", None
        data = parallel.reopen(task.data)
        notes = [(name, note) for note in layout.notes]
        size_notes: list[str] = []
        image = read_image(data, layout, size_notes)
        notes += [(str(data), note) for note in size_notes]
        picture = Image.fromarray(display_array(image, layout))
        del image
        if task.full is not None and task.full_px is None:
            picture.save(task.full, "JPEG", quality=_FULL_QUALITY)
        elif task.full is not None:
            preview = picture.copy()
            preview.thumbnail((task.full_px, task.full_px), Image.Resampling.LANCZOS, reducing_gap=3.0)
            preview.save(task.full, "JPEG", quality=_PREVIEW_QUALITY)
        picture.thumbnail((thumb_px, thumb_px), Image.Resampling.BILINEAR, reducing_gap=2.0)
        picture.save(task.thumb, "JPEG", quality=_THUMB_QUALITY)
    except TraverseError as exc:
        return task.product_id, "error", (exc.source or name, exc.reason)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:  # unreadable member, bad deflate
        return task.product_id, "error", (name, f"image not decoded ({exc})")
    return task.product_id, "ok", (layout.lines, layout.samples, layout.bands, tuple(notes))


def image_tasks(products: Iterable[Product], wanted: set[str], folder: Path, mode: str,
                skip_instruments: Iterable[str] = ()) -> list[ImageTask]:
    """A task per labelled product of ``wanted`` (product ids), radar instruments left out.

    A product whose label the read pass found without an image array (a
    table, a spectrum) is left out when its data file is present; labels
    without their data file stay (as tasks with ``data`` ``None``: the
    labels-only report counts them).
    """
    skip = set(skip_instruments)
    # the JPEGs' paths as text (os.path.join's result): a Path per product cost 0.3 s per 12 000 labels
    thumbs, big = str(folder / "thumbs"), str(folder / ("full" if mode == "full" else "preview"))
    big_px = None if mode == "full" else PREVIEW_PX
    return [
        ImageTask(p.name.product_id, p.name.instrument, parallel.where(p.label),
                  None if p.data is None else parallel.where(p.data),
                  f"{thumbs}{os.sep}{p.name.product_id}.jpg", f"{big}{os.sep}{p.name.product_id}.jpg", big_px,
                  p.image if p.label_read else None)
        for p in products
        if p.label is not None and p.name.product_id in wanted and p.name.instrument not in skip
        and not (p.label_read and p.image is None and p.data is not None)
    ]


def _clear(folder: Path) -> None:
    """Remove the JPEGs a previous build left in ``folder/thumbs``, ``folder/preview`` and ``folder/full``."""
    for sub in ("thumbs", "preview", "full"):
        for old in (folder / sub).glob("*.jpg"):
            old.unlink()


def write_images(products: Iterable[Product], frames: pd.DataFrame, folder: Path, *,
                 mode: str = "thumbs", report: Report | None = None,
                 run: ImageRun = ImageRun()) -> pd.DataFrame:
    """Write the JPEGs of the image products among ``frames`` into ``folder``.

    Parameters
    ----------
    products
        The products of the archive ``frames`` was read from
        (:attr:`traverse.read.archive.Archive.products`; the archive may be
        closed: workers reopen what they read).
    frames
        Frames table; its label products (``record`` missing) are the candidates.
    mode
        ``"thumbs"`` or ``"full"`` (see :data:`IMAGE_MODES`).
    report
        Where a data file that does not match its label is recorded, and the
        labels that came without theirs (one line each where the archive has
        images of that instrument, else one note per instrument; no label is
        read again for this).
    run
        Processes, progress callback and thumbnail size (:class:`ImageRun`).

    Returns
    -------
    pandas.DataFrame
        One row per image written: ``product_id``, ``thumbnail`` and
        ``image_full`` (the larger view: the preview, or the full-size JPEG
        with ``mode="full"``; paths relative to ``folder``'s parent),
        ``lines``, ``samples``, ``bands``.
    """
    from traverse.missions import mission_of

    if mode not in ("thumbs", "full"):
        raise ValueError(f"mode must be 'thumbs' or 'full', got {mode!r}")
    report = report if report is not None else Report()
    labelled = frames[frames["record"].isna()] if "record" in frames else frames
    wanted = set(labelled["product_id"].dropna())
    skip = mission_of(frames).pose_readers  # radar tables, not images
    every = image_tasks(products, wanted, folder, mode, skip)
    tasks = [t for t in every if t.data is not None]
    if tasks:
        _clear(folder)
        for sub in ("thumbs", "full" if mode == "full" else "preview"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    results = _run(tasks, run.thumb_px, run.workers, run.progress)
    images = _collect(results, tasks, folder, report)
    _report_labels_only([t for t in every if t.data is None], set(images["instrument"]), report)
    return images.drop(columns="instrument")


def _report_labels_only(tasks: list[ImageTask], imaged: set[str], report: Report) -> None:
    """Report labels that came without their data file, without reading them again.

    Where the archive holds images of the same instrument, each such label is
    listed (a download that lost files); an instrument downloaded as labels
    only gets one note.
    """
    alone: dict[str, list[ImageTask]] = {}
    for t in tasks:
        alone.setdefault(t.instrument, []).append(t)
    for instrument, missing in sorted(alone.items()):
        if instrument in imaged:
            for t in missing:
                report.add(Source(Path(t.label[0]), t.label[1]),
                           "image data file not found beside its label; no image (the frame keeps its "
                           "position)", count=0, error=ArchiveError)
        else:
            report.note(f"{len(missing)} {instrument} labels", "their data files are not in the "
                        "archive (labels only); no thumbnails")


def _run(tasks: list[ImageTask], thumb_px: int, workers: int | None,
         progress: Callable[[int, int], None] | None) -> list[tuple[str, str, object]]:
    """:func:`make_image` of every task on ``workers`` processes, in batches, in order.

    A batch is a few images (up to :data:`_MAX_BATCH`, about four batches per
    worker): few round trips, and the work still spread evenly.
    """
    results = []
    n = parallel.default_workers() if workers is None else max(1, workers)
    batch = max(1, min(_MAX_BATCH, len(tasks) // (4 * n)))
    for result in parallel.ordered_map(functools.partial(make_image, thumb_px=thumb_px), tasks,
                                       workers=workers, chunk=batch, min_parallel=_MIN_PARALLEL):
        results.append(result)
        if progress:
            progress(len(results), len(tasks))
    return results


def _collect(results, tasks: list[ImageTask], folder: Path, report: Report) -> pd.DataFrame:
    by_id = {t.product_id: t for t in tasks}
    rows = []
    for pid, status, detail in results:
        if status == "ok":
            task = by_id[pid]
            rel = folder.name
            big = Path(task.full) if task.full else None
            rows.append((pid, task.instrument, f"{rel}/thumbs/{Path(task.thumb).name}",
                         f"{rel}/{big.parent.name}/{big.name}" if big else None, *detail[:3]))
            for source, note in detail[3]:
                report.note(source, note)
        elif status == "error":
            report.add(detail[0], f"{detail[1]}; no image (the frame keeps its position)",
                       error=ArchiveError)
    return pd.DataFrame(rows, columns=["product_id", "instrument", "thumbnail", "image_full", "lines",
                                       "samples", "bands"])


def with_images(frames: pd.DataFrame, images: pd.DataFrame | None) -> pd.DataFrame:
    """``frames`` with ``thumbnail`` and ``image_full`` (relative paths; missing when none)."""
    out = frames.drop(columns=["thumbnail", "image_full"], errors="ignore")
    out.attrs = dict(frames.attrs)  # the lander site travels with the table
    if images is None or images.empty:
        out["thumbnail"] = pd.Series(None, index=out.index, dtype="object")
        out["image_full"] = pd.Series(None, index=out.index, dtype="object")
        return out
    by_id = images.set_index("product_id")
    out["thumbnail"] = out["product_id"].map(by_id["thumbnail"])
    out["image_full"] = out["product_id"].map(by_id["image_full"])
    return out
