"""The portal's download lists (``downloadResult.txt``): one URL per product file.

A list holds a few header lines (Chinese instructions) and then one URL per
file, label and data file apart, e.g.
``http://moon.bao.ac.cn/cedownload/CE4ROLL/CE4/PCAMR/Q/2B/2019-08/CE4_GRAS_PCAMR-Q-004_…_0050_B.2BL``.
Lists may be UTF-8 (with or without BOM) or GB18030, with CRLF or LF; each
line is decoded on its own.  Lists are streamed line by line with no size cap
(memory grows with the entries kept, never with the file), in blocks of
:data:`BLOCK_LINES` that are turned into compact columns as they fill.  Each URL
is checked (:func:`traverse.fetch.urls.url_problem`): http(s) only, a valid
host and port, a path below the host that stays inside the download folder
and that the file system can hold, and a file name that parses as a GRAS
product.  Every refused line is one reported problem, with credentials redacted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator

import pandas as pd

from traverse.errors import FetchError, Report
from traverse.fetch.urls import local_path, url_problem
from traverse.missions import missions
from traverse.read.archive import parse_product_name

__all__ = ["read_download_lists", "select_entries", "WHAT", "BLOCK_LINES", "MAX_LINE_BYTES"]

#: ``--what`` choices: the labels and the LPR 2B data files (positions), or everything.
WHAT = ("labels", "positions", "all")
#: Lines turned into columns at once.
BLOCK_LINES = 50_000
#: Longest line read; the rest of a longer line is skipped, with one reported problem.
MAX_LINE_BYTES = 64 * 1024

_COLUMNS = ["url", "path", "name", "product_id", "is_label", "instrument", "payload", "level",
            "sequence_id", "start_utc", "lunar_day", "source", "line"]
_CATEGORIES = ["instrument", "payload", "level", "sequence_id", "source"]


def _decode(data: bytes) -> str:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _skip_rest(fh, read: Callable[[int], None]) -> None:
    while (raw := fh.readline(MAX_LINE_BYTES)) and not raw.endswith(b"\n"):
        read(len(raw))
    read(len(raw))


def _lines(fh, source: str, report: Report, read: Callable[[int], None]) -> Iterator[tuple[int, str]]:
    """``(number, text)`` of each line of the open list ``fh``; ``read(n)`` after each ``n`` bytes."""
    number = 0
    while raw := fh.readline(MAX_LINE_BYTES):
        number += 1
        read(len(raw))
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            _skip_rest(fh, read)
            report.add(f"{source}:{number}", f"line longer than {MAX_LINE_BYTES} bytes; skipped",
                       error=FetchError)
            continue
        for text in _decode(raw).splitlines():
            yield number, text.strip()


def _entry(url: str, source: str, number: int, report: Report) -> tuple | None:
    """The row of one URL line (start time as text), or ``None`` when refused (and reported)."""
    parts, why = url_problem(url)
    if parts is None:
        report.add(f"{source}:{number}", why, error=FetchError)
        return None
    clean = local_path(parts)
    name = clean.rpartition("/")[2]
    pn = parse_product_name(name)
    if pn is None:
        report.add(f"{source}:{number}", f"file name is not a GRAS product: {name[:120]!r}",
                   error=FetchError)
        return None
    return (url, clean, name, pn.product_id, pn.is_label, pn.instrument, pn.payload, pn.level,
            pn.sequence_id, pn.start, pn.mission, source, number)


def _block(rows: list[tuple]) -> pd.DataFrame:
    """Rows of :func:`_entry` as columns, with the start time and local day computed at once."""
    columns = [c if c not in ("start_utc", "lunar_day") else f"_{c}" for c in _COLUMNS]
    frame = pd.DataFrame(rows, columns=columns)
    start = pd.to_datetime(frame.pop("_start_utc"), format="%Y%m%d%H%M%S", utc=True, errors="coerce")
    day = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    for key, m in missions().items():  # the entry's local day: lunar day (Chang'e-4), sol (Tianwen-1)
        mask = (frame["_lunar_day"] == key) & start.notna()
        if mask.any():
            day[mask] = m.local_day(start[mask])
    frame = frame.drop(columns="_lunar_day")
    frame.insert(_COLUMNS.index("start_utc"), "start_utc", start)
    frame.insert(_COLUMNS.index("lunar_day"), "lunar_day", day)
    return frame


def _blocks(paths, report: Report, progress) -> Iterator[pd.DataFrame]:
    """The entries of every list, :data:`BLOCK_LINES` lines at a time."""
    total = sum(os.path.getsize(p) for p in paths if os.path.isfile(p))
    done, seen, rows = [0], set(), []

    def read(n: int) -> None:
        done[0] += n

    for path in paths:
        try:
            with open(path, "rb") as fh:
                for number, line in _lines(fh, str(path), report, read):
                    if not line.lower().startswith(("http:", "https:", "ftp:", "file:")):
                        continue  # header lines and blank lines
                    key = hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=16).digest()
                    if key in seen:
                        continue  # listed (or refused) once already: 16 bytes a URL kept, not the URL
                    seen.add(key)
                    entry = _entry(line, str(path), number, report)
                    if entry is not None:
                        rows.append(entry)
                    if len(rows) >= BLOCK_LINES:
                        yield _block(rows)
                        rows = []
                        if progress is not None:
                            progress(done[0], total)
        except OSError as exc:
            report.add(path, f"cannot read the download list ({exc.strerror or exc})", error=FetchError)
    if rows:
        yield _block(rows)
    if progress is not None:
        progress(max(done[0], total), max(done[0], total))


def read_download_lists(
    paths: Iterable[str | os.PathLike], *, report: Report | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, Report]:
    """Every file URL of the download lists, parsed and checked.

    Parameters
    ----------
    progress
        Called as ``progress(bytes_read, bytes_total)`` as the lists are read.

    Returns
    -------
    entries, report
        One row per distinct URL (the first line that holds it): ``url``,
        ``path`` (below the host, the folder layout to keep), ``name``,
        ``product_id``, ``is_label``, ``instrument``, ``payload``, ``level``,
        ``sequence_id``, ``start_utc``, ``lunar_day``, ``source`` (the list)
        and ``line`` (its line number); the lines refused, in the report.
    """
    report = report if report is not None else Report()
    blocks = list(_blocks([str(p) for p in paths], report, progress))
    if not blocks:
        blocks = [_block([])]
    entries = pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else blocks[0]
    del blocks
    for column in _CATEGORIES:
        entries[column] = entries[column].astype("category")
    entries["is_label"] = entries["is_label"].astype(bool)
    entries["line"] = entries["line"].astype("int64")
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
