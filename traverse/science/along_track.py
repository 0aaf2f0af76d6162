"""Science along the track: one radargram per drive and radar product, every VNIS-SD spectrum.

The stage after the reconstruction (``traverse build --science``): for each
radar product whose data file is present (an instrument of the mission's
``pose_readers``), the records the frames table holds for it are cut by the
drives' start and end times, their echoes read (:mod:`traverse.read.echoes`,
only the records a drive needs, in blocks) and drawn along the drive's
reconstructed line (:func:`traverse.science.radargram.radargram`).  Each
VNIS-SD product whose data table is present is read
(:func:`traverse.read.spectra.read_sd_spectrum`) and attached to its frame by
``product_id``.  A label or data file that cannot be read is a problem in the
report (the product is skipped), never an exception.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from traverse import geodesy
from traverse.errors import Report, TraverseError
from traverse.read import parallel
from traverse.read.archive import Product
from traverse.read.echoes import EchoGroup, echo_group, iter_echo_blocks, sample_interval_ns
from traverse.read.labels import parse_label
from traverse.read.pds4 import MAX_LABEL_BYTES, parse_xml
from traverse.read.poses import PoseLayout
from traverse.read.science_labels import RadarLabel
from traverse.read.spectra import SpectrumLabel, read_sd_spectrum, sd_spectrum
from traverse.science.radargram import Radargram, drive_line_enu, radargram

__all__ = ["SCIENCE_MODES", "SPECTRUM_PAYLOADS", "DriveRadargram", "Science", "science_modes",
           "drive_radargrams", "spectra_table", "radar_traces_layer", "radargram_table",
           "drives_with_radargrams", "along_track", "science_of"]

#: What ``--science`` accepts.
SCIENCE_MODES = ("none", "radar", "spectra", "all")
#: Payloads whose data table is one spectrum per product (VNIS short-wave, ``Table_Character``).
SPECTRUM_PAYLOADS = ("VNIS-SD",)
#: Columns of :attr:`Science.spectra`.
SPECTRA_COLUMNS = ("product_id", "channel", "wavelength_nm", "value", "unit", "level", "time_utc")


@dataclasses.dataclass(frozen=True)
class DriveRadargram:
    """The radargram of one drive from one radar product."""

    drive_id: int
    product_id: str
    radargram: Radargram


@dataclasses.dataclass(frozen=True)
class Science:
    """What :func:`along_track` found: radargrams per drive and product, spectra one row per channel."""

    radargrams: list[DriveRadargram]
    spectra: pd.DataFrame
    problems: tuple = ()  #: what was skipped or kept with a caveat (:func:`science_of`)

    @property
    def empty(self) -> bool:
        """Nothing to write."""
        return not self.radargrams and self.spectra.empty


def science_modes(mode: str | None) -> tuple[bool, bool]:
    """``(radar, spectra)`` of a ``--science`` value (``None``: what the archive holds, i.e. both)."""
    mode = mode or "all"
    if mode not in SCIENCE_MODES:
        raise ValueError(f"--science {mode}: expected one of {', '.join(SCIENCE_MODES)}")
    return mode in ("radar", "all"), mode in ("spectra", "all")


def _drive_records(frames: pd.DataFrame, drives: pd.DataFrame) -> dict[str, list[tuple]]:
    """``product_id → [(drive_id, drive geometry, positions), ...]`` for every radar product, in one pass.

    A drive holds the records of a product whose ``time_utc`` lies within its
    ``start_utc``..``end_utc`` (both ends included) and whose position
    (``x_east_m``, ``y_north_m``, metres, lander ENU) is known.  The radar
    rows are sorted once by product and time; each product's drives are then
    two binary searches of their start and end times in its times, so the
    cost grows with frames + products × drives × log(records), never with
    products × frames (issue 20: the filter per drive over the whole table
    took 33 of 46 s of a 30-day build).  Drives come in ``drives`` order;
    ``positions`` has columns ``record`` (int64), ``time_utc``,
    ``x_east_m``, ``y_north_m``.
    """
    ok = (frames["record"].notna() & frames["time_utc"].notna() & frames["x_east_m"].notna()
          & frames["y_north_m"].notna()).to_numpy()
    if not ok.any() or drives.empty:
        return {}
    times = pd.DatetimeIndex(frames["time_utc"][ok])
    rows = pd.DataFrame({"record": frames["record"][ok].to_numpy(dtype="int64"), "time_utc": times,
                         "x_east_m": frames["x_east_m"][ok].to_numpy(dtype="float64"),
                         "y_north_m": frames["y_north_m"][ok].to_numpy(dtype="float64")})
    codes, ids = pd.factorize(frames["product_id"][ok].to_numpy(dtype=object))
    t_ns = times.as_unit("ns").asi8
    order = np.lexsort((t_ns, codes))  # by product, then time; ties keep the frames' order
    rows, codes, t_ns = rows.iloc[order].reset_index(drop=True), codes[order], t_ns[order]
    bounds = np.searchsorted(codes, np.arange(len(ids) + 1))
    start, end = (pd.DatetimeIndex(drives[c]) for c in ("start_utc", "end_utc"))
    timed = ~(start.isna() | end.isna())
    start_ns, end_ns = start.as_unit("ns").asi8, end.as_unit("ns").asi8
    drive_ids, geometries = drives["drive_id"].to_numpy(), drives.geometry.to_numpy()
    out: dict[str, list[tuple]] = {}
    for k, product_id in enumerate(ids):
        lo, hi = bounds[k], bounds[k + 1]
        first = lo + np.searchsorted(t_ns[lo:hi], start_ns, side="left")
        last = lo + np.searchsorted(t_ns[lo:hi], end_ns, side="right")
        found = [(int(drive_ids[d]), geometries[d], rows.iloc[first[d]:last[d]])
                 for d in np.flatnonzero(timed & (last > first))]
        if found:
            out[product_id] = found
    return out


def _product_radargrams(prod: Product, trav, wanted: list[tuple]) -> list[DriveRadargram]:
    """The radargrams of one radar product's drives, ``wanted`` by :func:`_drive_records` (errors raised)."""
    if not wanted:
        return []
    layout, group, interval = _radar_label(prod, trav.mission)
    need = np.unique(np.concatenate([pos["record"].to_numpy() for _, _, pos in wanted]))
    recs, parts = [], []
    for idx, block in iter_echo_blocks(prod.data, layout, group):  # only the records a drive needs
        keep = np.isin(idx, need)
        if keep.any():
            recs.append(idx[keep])
            parts.append(block[keep])
    if not recs:
        raise TraverseError("no echo of the drives' records in the data file", source=str(prod.data))
    records, echoes = np.concatenate(recs), np.concatenate(parts)
    out = []
    for drive_id, geometry, pos in wanted:
        sel = np.isin(records, pos["record"].to_numpy())
        if not sel.any():
            continue
        line = drive_line_enu(geometry, trav.site)
        rg = radargram(records[sel], echoes[sel], pos, line, interval_ns=interval)
        out.append(DriveRadargram(drive_id, prod.name.product_id, rg))
    return out


def _radar_label(prod: Product, mission) -> tuple[PoseLayout, EchoGroup, float]:
    """A radar product's record layout, echo group and sample interval (ns).

    From the read pass (:attr:`Product.science`, no second parse) where it
    left them, else from the label, parsed here (a product whose frames came
    from the cache; or a label they cannot be taken from: the error is raised).
    """
    if isinstance(prod.science, RadarLabel):
        return prod.science.layout, prod.science.group, prod.science.interval_ns
    label_bytes = prod.label.read_bytes(MAX_LABEL_BYTES)
    source = str(prod.label)
    fmt_key = mission.pose_readers[prod.name.instrument]
    layout = PoseLayout.from_table(parse_label(label_bytes, source)["table"], fmt_key, source=source,
                                   level=prod.name.level)
    root = parse_xml(label_bytes, source)
    group = echo_group(root, layout.format, layout.record_length, source=source)
    return layout, group, sample_interval_ns(root, layout.format)


def _spectrum(prod: Product) -> pd.DataFrame:
    """A VNIS-SD product's spectrum, its label's description from the read pass where it left one."""
    if isinstance(prod.science, SpectrumLabel):
        return sd_spectrum(prod.science, prod.data.read_bytes(), str(prod.data))
    return read_sd_spectrum(prod.label.read_bytes(MAX_LABEL_BYTES), prod.data.read_bytes(), str(prod.data))


def _reopened(prod: Product) -> Product:
    """The product with sources readable after the archive closed its zip bundles."""
    label = None if prod.label is None else parallel.reopen(parallel.where(prod.label))
    data = None if prod.data is None else parallel.reopen(parallel.where(prod.data))
    return dataclasses.replace(prod, label=label, data=data)


def drive_radargrams(trav, products: Iterable[Product], report: Report) -> list[DriveRadargram]:
    """One radargram per drive and radar product with data (problems to ``report``)."""
    radar = [p for p in products if p.name.instrument in trav.mission.pose_readers and p.label is not None
             and p.data is not None]
    by_product = _drive_records(trav.frames, trav.drives) if radar else {}
    out = []
    for prod in radar:
        wanted = by_product.get(prod.name.product_id)
        if not wanted:
            continue
        try:
            out += _product_radargrams(_reopened(prod), trav, wanted)
        except TraverseError as exc:
            report.add(getattr(exc, "source", None) or str(prod.data), f"no radargram: {exc.reason}")
        except (OSError, ValueError, KeyError) as exc:
            report.add(str(prod.data), f"no radargram: {exc}")
    return out


def spectra_table(frames: pd.DataFrame, products: Iterable[Product], report: Report) -> pd.DataFrame:
    """Every VNIS-SD spectrum whose data table is present and whose frame exists, one row per channel."""
    ids = set(frames["product_id"])
    parts = []
    for prod in products:
        if prod.name.payload not in SPECTRUM_PAYLOADS or prod.label is None or prod.data is None:
            continue
        if prod.name.product_id not in ids:
            continue
        try:
            spec = _spectrum(_reopened(prod))
        except TraverseError as exc:
            report.add(getattr(exc, "source", None) or str(prod.data), f"no spectrum: {exc.reason}")
            continue
        except (OSError, ValueError, KeyError) as exc:
            report.add(str(prod.data), f"no spectrum: {exc}")
            continue
        spec.insert(0, "product_id", prod.name.product_id)
        spec["unit"], spec["level"] = spec.attrs["unit"], spec.attrs["level"]
        parts.append(spec[list(SPECTRA_COLUMNS)])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in SPECTRA_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def radar_traces_layer(radargrams: Iterable[DriveRadargram], site: geodesy.LanderSite,
                       images: dict[tuple[int, str], str] | None = None) -> gpd.GeoDataFrame | None:
    """The traces shown in the radargrams, as points (lon/lat on the site's body); ``None`` if none.

    **Decimation rule:** one point per radargram column, the trace that
    column shows (the one nearest its centre within half a spacing,
    :func:`traverse.science.radargram.radargram`); traces no column shows are
    left out.  So a layer holds at most drive length / 5 cm + 1 points per
    drive and product whatever the product's trace rate, and every opaque
    pixel column of a PNG is exactly one point.  Every record stays in the
    ``frames`` layer.

    Columns ``product``, ``record``, ``time_utc``, ``along_m`` (metres along
    the drive's line), ``column`` (of the radargram image, 0-based from the
    left), ``drive_id``, ``x_east_m``/``y_north_m`` (lander ENU, on the
    drive's line) and, given ``images`` ((drive_id, product) → relative
    path), ``radargram``.
    """
    parts = []
    for dr in radargrams:
        t = dr.radargram.traces
        t = t[t["column"] >= 0]
        part = pd.DataFrame({"product": dr.product_id, "record": t["record"].astype("int64"),
                             "time_utc": t["time_utc"], "along_m": t["along_m"],
                             "column": t["column"].astype("int64"), "drive_id": dr.drive_id,
                             "x_east_m": t["x_east_m"], "y_north_m": t["y_north_m"]})
        if images is not None:
            part["radargram"] = images.get((dr.drive_id, dr.product_id))
        parts.append(part)
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True)
    lon, lat = geodesy.enu_to_lonlat(table["x_east_m"].to_numpy(), table["y_north_m"].to_numpy(),
                                     np.zeros(len(table)), site)[:2]
    gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=site.body.crs)
    return geodesy.with_site(gdf, site)


def radargram_table(radargrams: Iterable[DriveRadargram],
                    images: dict[tuple[int, str], str] | None = None) -> pd.DataFrame:
    """One row per radargram: what its image is (for the map's strip and axes).

    Columns ``drive_id``, ``product``, ``radargram`` (the PNG's path, given
    ``images``), ``columns`` and ``samples`` (the image's width and height,
    pixels), ``spacing_m`` (metres between columns), ``length_m`` (along-track
    metres of the last column), ``interval_ns`` (two-way time between rows, NaN
    when the label states none), ``permittivity`` (of the depth axis) and
    ``processing`` (the display steps, comma-separated).
    """
    rows = []
    for dr in radargrams:
        r = dr.radargram
        rows.append({"drive_id": dr.drive_id, "product": dr.product_id,
                     "radargram": (images or {}).get((dr.drive_id, dr.product_id)),
                     "columns": r.image.shape[1], "samples": r.image.shape[0],
                     "spacing_m": float(r.along_m[1] - r.along_m[0]) if len(r.along_m) > 1 else 0.0,
                     "length_m": float(r.along_m[-1]), "interval_ns": float(r.time_ns[1] - r.time_ns[0])
                     if len(r.time_ns) > 1 else float("nan"), "permittivity": r.permittivity,
                     "processing": ", ".join(r.processing)})
    return pd.DataFrame(rows, columns=["drive_id", "product", "radargram", "columns", "samples", "spacing_m",
                                       "length_m", "interval_ns", "permittivity", "processing"])


def drives_with_radargrams(drives: gpd.GeoDataFrame, images: dict[tuple[int, str], str]) -> gpd.GeoDataFrame:
    """The drives layer with ``radargrams``: each drive's radargram PNG paths, ``;``-separated (else null).

    The drives' QGIS map tip (``layers/styles/drives.qml``) shows those images.
    """
    by_drive: dict[int, list[str]] = {}
    for (drive_id, _), path in sorted(images.items()):
        by_drive.setdefault(int(drive_id), []).append(path)
    out = drives.copy()
    ids = out["drive_id"]
    out["radargrams"] = [";".join(by_drive[int(i)]) if pd.notna(i) and int(i) in by_drive else None
                         for i in ids]
    return out


def along_track(trav, products: Iterable[Product], report: Report, *, radar: bool = True,
                spectra: bool = True) -> Science:
    """Radargrams of the drives and the spectra of the archive (module docstring)."""
    products = list(products)
    try:
        rgs = drive_radargrams(trav, products, report) if radar else []
        spec = spectra_table(trav.frames, products, report) if spectra else spectra_table(
            trav.frames, [], report)
    finally:
        parallel.close_reopened()
    return Science(rgs, spec)


def science_of(paths, *, radar: bool = True, spectra: bool = True, on_error: str = "skip") -> Science:
    """The library's one call: read an archive, reconstruct it, and return its science.

    Parameters
    ----------
    paths
        Folders, product files or zip bundles (as :func:`traverse.read_frames`).
    radar, spectra
        What to compute (``build --science``).
    on_error
        ``"skip"`` (each problem recorded in ``Science.problems``) or ``"raise"``.

    Returns
    -------
    Science
        ``radargrams``: one :class:`DriveRadargram` per drive and radar product,
        its ``radargram`` a :class:`traverse.science.radargram.Radargram`:
        ``image`` float32 numpy array (samples, columns), ``along_m`` (column
        centres, metres along the drive's reconstructed line, lander ENU),
        ``time_ns`` (two-way time per row, ns; NaN when the label states no
        interval), ``depth_m`` (per row, metres, for ``permittivity``),
        ``traces`` (DataFrame: ``record``, ``time_utc``, ``along_m``,
        ``column``, ``x_east_m``, ``y_north_m``).  ``spectra``: a DataFrame,
        one row per channel: ``product_id``, ``channel``, ``wavelength_nm``,
        ``value`` (level 2B radiance for VNIS-SD; ``unit`` as the label
        states it, "" where it states none), ``unit``, ``level``, ``time_utc``.
    """
    from traverse.path.reconstruct import reconstruct
    from traverse.read.archive import open_archive
    from traverse.read.frames import frames_from_archive

    report = Report(on_error=on_error)
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    with open_archive(paths, report=report) as archive:
        frames = frames_from_archive(archive)
        products = archive.products
    science = along_track(reconstruct(frames), products, report, radar=radar, spectra=spectra)
    return dataclasses.replace(science, problems=tuple(report.problems))
