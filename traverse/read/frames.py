"""Products → ``frames``: one row per label product and per pose record.

The rover position of a label product is its ``Rover_LocationXYZ`` (lander
ENU, metres); the label's own ``Rover_Location`` lon/lat is kept beside it as
``label_lon``/``label_lat``.  Radar level-2B binaries give one row per record:
Yutu-2's LPR and Zhurong's RoPeR (:mod:`traverse.read.poses`)
(:mod:`traverse.read.poses`), as the mission's ``pose_readers`` say.  Lander
cameras (Chang'e-4's TCAM, LCAM) get role ``lander`` and the lander's own
position, never a rover position.  The mission is decided from the products'
names (:func:`traverse.missions.mission_of_names`; a mixed archive is refused).
Longitude/latitude are computed from lander ENU for the chosen control network
(:func:`traverse.geodesy.lander_site`), and the geometry is
``Point(lon, lat)`` in the body's CRS (``IAU_2015:30100`` for the Moon,
``IAU_2015:49900`` for Mars).
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from collections.abc import Callable, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from traverse import geodesy, missions
from traverse.errors import (
    ArchiveError,
    LabelError,
    OnError,
    RecordError,
    Report,
    SiteMismatchError,
    TraverseError,
    UnsafeXMLError,
)
from traverse.read import cache as product_cache
from traverse.read import parallel
from traverse.read.archive import Archive, Product, open_archive
from traverse.read.assemble import Columns, assemble_frames, cached_part
from traverse.read.labels import MAX_LABEL_BYTES, parse_label_tree
from traverse.read.pointing import label_pointing
from traverse.read.poses import PoseLayout, read_poses
from traverse.read.science_labels import science_label
from traverse.read.times import plausible_time
from traverse.schema import FRAMES_COLUMNS

__all__ = ["read_frames", "frames_from_archive", "read_product"]


def read_frames(
    paths: Iterable[str | os.PathLike],
    *,
    control: str | geodesy.LanderSite = "label",
    on_error: OnError = "skip",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    cache: str | os.PathLike | None = None,
) -> tuple[gpd.GeoDataFrame, Report]:
    """Read every product under ``paths`` into a ``frames`` GeoDataFrame.

    Parameters
    ----------
    paths
        Files, folders (recursive) and zip bundles of GRAS products.
    control
        Lander position used for lon/lat: a name of the mission's sites
        (``"label"``, and for Chang'e-4 ``"lro"``) or explicit
        (see :func:`traverse.geodesy.lander_site`).  It travels with the
        frames (:func:`traverse.geodesy.site_of`), so
        :func:`traverse.reconstruct` and the writers use the same one.
    on_error
        ``"skip"`` (default) reports bad products and goes on; ``"raise"``
        raises the first problem as its specific error class.
    progress
        Called as ``progress(done, total)`` after each product.
    workers
        Processes reading products (default: every core; a small archive is
        read in this process).  The result does not depend on it.
    cache
        Folder of the cache of parsed products (:mod:`traverse.read.cache`):
        products unchanged since they were stored there are not read again;
        the result is the same.  ``None`` (default): no cache.

    Returns
    -------
    frames, report
        The frames (columns of :data:`traverse.schema.FRAMES_COLUMNS`, sorted
        by time) and the problems met.
    """
    with open_archive(paths, report=Report(on_error=on_error)) as archive:
        frames = frames_from_archive(archive, site=control, progress=progress, workers=workers, cache=cache)
    return frames, archive.report


def _product_columns(prod: Product, lab: dict) -> dict:
    """Columns every frame of a product shares (name, label identity, description)."""
    pn = prod.name
    return {
        "product_id": pn.product_id,
        "instrument": pn.instrument,
        "payload": pn.payload,
        "level": pn.level,
        "version": pn.version,
        "sequence_id": lab["sequence_id"] or pn.sequence_id,
        "description": lab["description"],
    }


def _label_times(prod: Product, lab: dict, mission: missions.Mission) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start and stop of a label product: the label's, else the file name's; bounded, or a LabelError."""
    pn, source = prod.name, str(prod.label)
    if lab["start_date_time"]:
        start = plausible_time(lab["start_date_time"], "start_date_time", mission, source=source)
    else:
        start = plausible_time(pn.start, "the file name's start time", mission, source=source)
    if lab["stop_date_time"]:
        stop = plausible_time(lab["stop_date_time"], "stop_date_time", mission, source=source)
    elif lab["start_date_time"]:
        stop = start
    else:
        stop = plausible_time(pn.stop, "the file name's stop time", mission, source=source)
    return start, stop


def _label_row(prod: Product, lab: dict, mission: missions.Mission) -> dict:
    pn = prod.name
    start, stop = _label_times(prod, lab, mission)
    role = "lander" if pn.instrument in mission.lander_instruments else "rover"
    x, y, z = (0.0, 0.0, 0.0) if role == "lander" else lab["rover_xyz"]
    e, n, u = lab["pointing"]
    return {
        **_product_columns(prod, lab),
        "time_utc": start,
        "stop_utc": stop,
        "x_east_m": x,
        "y_north_m": y,
        "z_up_m": z,
        "label_lon": lab["rover_lonlat"][0],
        "label_lat": lab["rover_lonlat"][1],
        "role": role,
        "source": str(prod.label),
        "pointing_e": e,
        "pointing_n": n,
        "pointing_u": u,
        "solar_incidence_deg": lab["solar_incidence_deg"],
        "solar_azimuth_deg": lab["solar_azimuth_deg"],
        "mast_yaw_deg": lab["mast_yaw_deg"],
        "mast_pitch_deg": lab["mast_pitch_deg"],
        **label_pointing(lab, (x, y, z)),
    }


def _pose_rows(prod: Product, lab: dict, report: Report, mission: missions.Mission) -> Columns:
    """The records of a radar product as columns: numpy arrays per record, the product's own values once."""
    pn = prod.name
    layout = PoseLayout.from_table(lab["table"], mission.pose_readers[pn.instrument], source=str(prod.label),
                                   level=pn.level)
    poses = read_poses(prod.data, layout, mission.record_time_epoch_utc, report=report)
    if layout.declared_records and len(poses) > layout.declared_records:
        report.add(
            prod.data,
            f"{len(poses)} records read but the label declares {layout.declared_records}",
            count=0, error=RecordError,
        )
    # numpy arrays (times as UTC datetime64): cheap to send between processes
    columns = {col: _numpy(poses[col]) for col in poses.columns if col in FRAMES_COLUMNS}
    columns["stop_utc"] = columns["time_utc"]
    columns.update(_product_columns(prod, lab), role="rover", source=str(prod.data))
    return columns, len(poses)


def _numpy(values: pd.Series) -> np.ndarray:
    """A column as a numpy array; times with a time zone as UTC datetime64."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(None).to_numpy()
    return values.to_numpy()


#: What one product gave: its frame row (a label product: a dict), its records (radar:
#: :data:`Columns`), or nothing; its label's image layout
#: (see :attr:`traverse.read.archive.Product.image`) and what the science stage needs of it
#: (:attr:`traverse.read.archive.Product.science`).
Read = tuple["dict | Columns | None", object, object]


def read_product(prod: Product, report: Report, mission: missions.Mission) -> Read:
    """Read one product: its label once, and a radar product's records.

    This is the unit of work a worker runs and a cache of parsed products
    would keep: the result pickles (plain values, numpy arrays, a frozen
    :class:`~traverse.read.images.ImageLayout`) and depends only on the
    product's files and the mission.

    Parameters
    ----------
    prod
        The product (label and data file sources).
    report
        Where its problems go (a fresh :class:`~traverse.errors.Report` per
        product keeps them apart); ``on_error="raise"`` raises the first.
    mission
        Its mission (pose readers, lander instruments, plausible times).

    Returns
    -------
    tuple
        ``(frames, image, science)``: ``frames`` is the label product's row (a dict
        of :data:`traverse.schema.FRAMES_COLUMNS` values; times as UTC
        Timestamps, positions in metres, lander ENU), a radar product's
        records as :data:`Columns`, or ``None`` (skipped, reported);
        ``image`` is :attr:`traverse.read.archive.Product.image`, ``science``
        :attr:`traverse.read.archive.Product.science`.
    """
    pn = prod.name
    if prod.label is None:
        report.add(prod.data, f"data file without its label ({pn.product_id}L); skipped",
                   error=ArchiveError)
        return None, None, None
    if prod.label.size() > MAX_LABEL_BYTES:
        report.add(prod.label, f"label larger than {MAX_LABEL_BYTES} bytes; refused",
                   error=UnsafeXMLError)
        return None, None, None
    lab, root = parse_label_tree(prod.label.read_bytes(MAX_LABEL_BYTES + 1), str(prod.label))
    for w in lab["warnings"]:
        report.note(prod.label, w)
    if pn.instrument not in mission.pose_readers:
        if pn.instrument not in mission.lander_instruments and math.isnan(lab["rover_xyz"][0]):
            report.note(prod.label, "no usable Rover_LocationXYZ; frame kept without position")
        return _label_row(prod, lab, mission), lab["image"], science_label(prod, lab, root, mission)
    rows = _radar_product(prod, lab, report, mission)
    return rows, None, None if rows is None else science_label(prod, lab, root, mission)


def _radar_product(prod: Product, lab: dict, report: Report,
                   mission: missions.Mission) -> Columns | None:
    """The records of a radar product whose label is parsed (``None`` and a problem when unusable)."""
    pn = prod.name
    if lab["table"] is None:
        report.add(prod.label, f"{pn.instrument} label has no Table_Binary; skipped", error=LabelError)
        return None
    if prod.data is None:
        report.add(prod.label, f"{pn.instrument} data file {pn.product_id} not found; no records",
                   error=ArchiveError)
        return None
    return _pose_rows(prod, lab, report, mission)


def frames_from_archive(
    archive: Archive,
    *,
    site: str | geodesy.LanderSite = "label",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    cache: str | os.PathLike | None = None,
) -> gpd.GeoDataFrame:
    """Build ``frames`` from an open archive (see :func:`read_frames`).

    An archive of :data:`_MIN_PARALLEL` products or more is read on
    ``workers`` processes (default every core), in chunks, each worker
    reopening the zip bundles it needs; rows and problems come back in
    product order, so the result is the same as in one process.  With a
    ``cache`` folder, only products not found unchanged there are read
    (:mod:`traverse.read.cache`); the others' rows, problems and image
    layouts come from it, and what was read is stored.

    Each label is read and parsed once: what it says of an image array is
    left on its product (:attr:`traverse.read.archive.Product.image`) for the
    images stage.  Problems go to ``archive.report``, whose ``on_error`` decides whether they
    skip the product or raise.  The frames are tagged with the lander site
    (:func:`traverse.geodesy.with_site`), which names the mission and its body.

    Raises
    ------
    ArchiveError
        The archive mixes missions (Chang'e-4 and Tianwen-1 products).
    SiteMismatchError
        ``site`` is another mission's lander.
    """
    report = archive.report
    products = archive.products
    mission = missions.mission_of_names((p.name.product_id for p in products),
                                        source=", ".join(map(str, archive.roots)) or "the archive")
    site = geodesy.lander_site(site, mission.sites)
    if site.mission != mission.key:
        raise SiteMismatchError(f"the archive holds {mission.name} products but the lander site"
                                f" {site.describe()} is {missions.mission(site.mission).name}'s")
    label_rows: list[dict] = []
    lpr_parts: list[Columns] = []
    store = product_cache.open_session(cache, products, report)
    todo = products if store is None else store.todo
    workers = parallel.default_workers() if workers is None else max(1, workers)
    if workers > 1 and len(todo) >= _MIN_PARALLEL:
        items = [(p.name, None if p.label is None else parallel.where(p.label),
                  None if p.data is None else parallel.where(p.data), mission.key, report.on_error)
                 for p in todo]
        results = parallel.ordered_map(_read_elsewhere, items, workers=workers, chunk=_CHUNK,
                                       min_parallel=_MIN_PARALLEL)
    else:
        results = ((_read_guarded(p, report, mission), []) for p in todo)
    if store is not None:  # the cached products' results among those read, in product order
        results = store.merged(results)
    for i, ((got, image, science), problems) in enumerate(results, 1):
        for problem in problems:  # met in a worker: recorded here, in product order
            report.record(problem)
        prod = products[i - 1]  # the images and science stages take from here (no second parse)
        prod.label_read, prod.image, prod.science = prod.label is not None, image, science
        if isinstance(got, dict):
            label_rows.append(got)
        elif got is not None:
            lpr_parts.append(got)
        if progress is not None:
            progress(i, len(products))
    cached = None if store is None else store.block()
    frames = assemble_frames(label_rows, lpr_parts + ([] if cached is None else [cached_part(cached)]), site)
    if store is not None:
        store.save(frames)
    return frames


#: Products below which a run stays in one process, and products per task sent to a worker.
_MIN_PARALLEL = 1000
_CHUNK = 128


def _read_guarded(prod: Product, report: Report, mission: missions.Mission) -> Read:
    """:func:`read_product`, its errors recorded (or raised) by ``report``'s policy."""
    try:
        return read_product(prod, report, mission)
    except TraverseError as exc:
        report.add_error(exc, fallback_source=prod.label or prod.data)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
        # unreadable file or zip member (truncated, corrupt, encrypted, unsupported compression)
        source = prod.label or prod.data
        report.add_error(ArchiveError(f"cannot read ({exc})", source=str(source)))
    return None, None, None


def _read_elsewhere(item) -> tuple[Read, list]:
    """One product read in a worker process: ``(row or records, problems met)``."""
    name, label, data, mission_key, on_error = item
    report = Report(on_error=on_error)
    try:
        prod = Product(name=name, label=None if label is None else parallel.reopen(label),
                       data=None if data is None else parallel.reopen(data))
    except (OSError, EOFError, zipfile.BadZipFile, NotImplementedError) as exc:
        # the bundle changed or vanished since it was listed
        report.add_error(ArchiveError(f"cannot reopen ({exc})", source=(label or data)[0]))
        return (None, None, None), report.problems
    return _read_guarded(prod, report, missions.mission(mission_key)), report.problems
