"""The portal's download lists (``downloadResult.txt``): one URL per product file.

A list holds a few header lines (Chinese instructions) and then one URL per
file, label and data file apart, e.g.
``http://moon.bao.ac.cn/cedownload/CE4ROLL/CE4/PCAMR/Q/2B/2019-08/CE4_GRAS_PCAMR-Q-004_…_0050_B.2BL``.
Lists may be UTF-8 (with or without BOM) or GB18030, with CRLF or LF.  Each
URL is checked: http(s) only, a file name that parses as a GRAS product, and
a path below the host that stays inside the download folder.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import pandas as pd

from traverse.errors import FetchError, Report
from traverse.missions import mission
from traverse.read.archive import parse_product_name

__all__ = ["read_download_lists", "select_entries", "WHAT"]

#: ``--what`` choices: the labels and the LPR 2B data files (positions), or everything.
WHAT = ("labels", "positions", "all")

_COLUMNS = ["url", "path", "name", "product_id", "is_label", "instrument", "payload", "level",
            "sequence_id", "start_utc", "lunar_day", "source"]


def _decode(data: bytes) -> str:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _entry(url: str, source: str, report: Report) -> dict | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        report.add(source, f"not an http(s) URL: {url[:200]!r}", error=FetchError)
        return None
    path = unquote(parts.path)
    clean = posixpath.normpath(path).lstrip("/")
    if ".." in path.split("/") or clean.startswith("..") or "\\" in path or "\x00" in path:
        report.add(source, f"URL path would leave the download folder: {url[:200]!r}", error=FetchError)
        return None
    name = posixpath.basename(clean)
    pn = parse_product_name(name)
    if pn is None:
        report.add(source, f"file name is not a GRAS product: {name[:120]!r}", error=FetchError)
        return None
    start = pd.to_datetime(pn.start, format="%Y%m%d%H%M%S", utc=True, errors="coerce")
    return {
        "url": url, "path": clean, "name": name, "product_id": pn.product_id, "is_label": pn.is_label,
        "instrument": pn.instrument, "payload": pn.payload, "level": pn.level,
        "sequence_id": pn.sequence_id, "start_utc": start,
        # the entry's local day: lunar day for Chang'e-4, sol for Tianwen-1
        "lunar_day": mission(pn.mission).local_day(start) if pd.notna(start) else pd.NA, "source": source,
    }


def read_download_lists(
    paths: Iterable[str | os.PathLike], *, report: Report | None = None
) -> tuple[pd.DataFrame, Report]:
    """Every file URL of the download lists, parsed and checked.

    Returns
    -------
    entries, report
        One row per distinct URL: ``url``, ``path`` (below the host, the
        folder layout to keep), ``name``, ``product_id``, ``is_label``,
        ``instrument``, ``payload``, ``level``, ``sequence_id``, ``start_utc``,
        ``lunar_day`` and ``source`` (the list); the lines refused, in the report.
    """
    report = report if report is not None else Report()
    rows, seen = [], set()
    for path in paths:
        try:
            with open(path, "rb") as fh:
                text = _decode(fh.read(64 << 20))
        except OSError as exc:
            report.add(path, f"cannot read the download list ({exc.strerror or exc})", error=FetchError)
            continue
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or not line.lower().startswith(("http:", "https:", "ftp:", "file:")):
                continue  # header lines and blank lines
            if line in seen:
                continue
            seen.add(line)
            entry = _entry(line, f"{path}:{number}", report)
            if entry is not None:
                rows.append(entry)
    entries = pd.DataFrame(rows, columns=_COLUMNS)
    entries["lunar_day"] = entries["lunar_day"].astype("Int64")
    return entries, report


def _utc(value) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except ValueError as exc:
        raise ValueError(f"not a date: {value!r}") from exc
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _day_range(text: str) -> tuple[int, int]:
    first, _, last = str(text).partition("-")
    try:
        return int(first), int(last or first)
    except ValueError:
        raise ValueError(f"--lunar-day {text!r}: give N or N-M") from None


def select_entries(
    entries: pd.DataFrame,
    *,
    what: str = "labels",
    instruments: Iterable[str] = (),
    levels: Iterable[str] = (),
    start_utc=None,
    end_utc=None,
    lunar_days: str | None = None,
    sequences: Iterable[str] = (),
) -> pd.DataFrame:
    """The entries to fetch.

    Parameters
    ----------
    what
        ``labels`` or ``positions`` (the same: every label, plus the LPR 2B
        data files whose records carry the rover's poses), or ``all``.
    instruments, levels, sequences
        Keep only these (e.g. ``PCAM``, ``2B``, ``0050``); empty keeps all.
    start_utc, end_utc
        Keep products whose start time (from the file name) lies in this range.
    lunar_days
        ``N`` or ``N-M``.
    """
    if what not in WHAT:
        raise ValueError(f"what must be one of {WHAT}, got {what!r}")
    keep = pd.Series(True, index=entries.index)
    if what != "all":
        keep &= entries["is_label"] | ((entries["instrument"] == "LPR") & (entries["level"] == "2B"))
    if instruments := {i.upper() for i in instruments}:
        keep &= entries["instrument"].isin(instruments) | entries["payload"].isin(instruments)
    if levels := {v.upper() for v in levels}:
        keep &= entries["level"].isin(levels)
    if sequences := {f"{int(s):04d}" for s in sequences}:
        keep &= entries["sequence_id"].isin(sequences)
    if start_utc is not None:
        keep &= entries["start_utc"] >= _utc(start_utc)
    if end_utc is not None:
        end = _utc(end_utc)
        if len(str(end_utc)) <= 10:  # a date: the whole day
            end += pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        keep &= entries["start_utc"] <= end
    if lunar_days:
        first, last = _day_range(lunar_days)
        keep &= entries["lunar_day"].between(first, last).fillna(False).astype(bool)
    return entries[keep].reset_index(drop=True)
