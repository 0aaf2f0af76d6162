"""Download the selected files robustly: parallel, retried, resumed, never a cut transfer or a web page kept.

Each file lands as ``NAME.part`` beside its final place (the portal's folder
layout below the host, inside the download folder) and is renamed only when
complete (:mod:`traverse.fetch.transfer`): its size matches the answer's
``Content-Length`` (or ``Content-Range``), it is not a web page (a login page,
whatever its ``Content-Type`` or prolog), and a label parses as the PDS4
label of the product its URL names.  A data file whose label is already there
is also compared with the ``file_size`` the label declares: when the server
sent everything it promised but that differs from the label (the portal holds
a short or long file), the file is kept, since its complete records are
usable, and marked in the manifest (status ``complete, shorter than label``
or ``complete, longer than label``); the reader reports it again as
truncated.  A file present under its final name is therefore complete and is
skipped without a request (a label is parsed again first: one that is not
its product's label is fetched again); a ``.part`` left by an interrupted
run is resumed with an HTTP ``Range`` request, appended to only when the
``206`` answer's ``Content-Range`` starts where the ``.part`` ends.
Timeouts, connection resets and 5xx answers are retried with exponential
backoff, within a wall-clock deadline per file; a 404, a login page or a
redirect that leads nowhere fails that file with its reason and the run goes
on.  Uses :mod:`requests`; cookies, headers and URL credentials are never
logged (:func:`traverse.fetch.urls.redact`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import MozillaCookieJar
from pathlib import Path

import pandas as pd
import requests

from traverse.fetch.checks import label_problem
from traverse.fetch.manifests import MANIFEST_NAME  # the record of every run, in the download folder
from traverse.fetch.transfer import (
    LONGER,
    SHORTER,
    Deadline,
    Failed,
    Retry,
    attempt,
    declared_size,
    label_mismatch,
)
from traverse.fetch.urls import redact
from traverse.read.pds4 import MAX_LABEL_BYTES

__all__ = ["FetchSettings", "fetch_entries", "probe_sizes", "MANIFEST_NAME", "SHORTER", "LONGER",
           "label_mismatch"]

_COLUMNS = ["url", "path", "bytes", "status", "reason", "time_utc"]


@dataclass(frozen=True)
class FetchSettings:
    """How to talk to the portal.

    Attributes
    ----------
    jobs
        Parallel connections (default 4: polite to the portal).
    retries
        Attempts after the first, on timeouts, resets and 5xx answers.
    backoff_s
        Seconds before the first retry, doubled at each next one.
    timeout_s
        Seconds to connect, and the longest wait for the next bytes of an answer.
    deadline_s
        Wall-clock seconds one file may take, its retries and their waits included;
        a server trickling bytes is cut off then (at most ``timeout_s`` later).
    headers
        Extra request headers (``--header 'Name: value'``), never logged.
    cookie_file
        Netscape ``cookies.txt`` as browsers export it, or ``None``.
    """

    jobs: int = 4
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 30.0
    deadline_s: float = 600.0
    headers: dict[str, str] = field(default_factory=dict)
    cookie_file: str | None = None


def _session(settings: FetchSettings, local: threading.local) -> requests.Session:
    s = getattr(local, "session", None)
    if s is None:
        s = local.session = requests.Session()
        s.headers.update({"User-Agent": "traverse-fetch (+https://pypi.org/project/traverse)"})
        s.headers.update(settings.headers)
        if settings.cookie_file:
            jar = MozillaCookieJar(settings.cookie_file)
            jar.load(ignore_discard=True, ignore_expires=True)
            s.cookies.update(jar)
    return s


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _stale_label(target: Path, entry: dict) -> str:
    """Why a label already under its final name is not its product's label (``""`` when it is)."""
    if not entry["is_label"] or target.stat().st_size > MAX_LABEL_BYTES:
        return "" if not entry["is_label"] else f"larger than {MAX_LABEL_BYTES} bytes"
    return label_problem(target.read_bytes(), entry["product_id"], str(target))


def _skipped(target: Path, entry: dict, row: dict) -> bool:
    """Fill ``row`` for a file already complete and say so.

    ``False`` (and the file removed) for a label saved by an earlier run that
    is not its product's label.
    """
    if why := _stale_label(target, entry):
        target.unlink()
        row["reason"] = f"an earlier copy was removed ({why}); "
        return False
    size = target.stat().st_size
    mismatch = label_mismatch(size, declared_size(target, entry))
    row.update(status="skipped", bytes=size,
               reason="complete" if mismatch is None else f"{mismatch[0]}: {mismatch[1]}")
    return True


def _prune(folder: Path, dest: Path) -> None:
    """Remove the empty folders from ``folder`` up to (not including) ``dest``.

    Never while workers run: one may be about to write there.
    """
    while folder != dest and dest in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _tries(entry: dict, target: Path, settings: FetchSettings, session) -> tuple[str, int, str]:
    """``(status, bytes, reason)`` after the attempts the settings allow."""
    deadline, last = time.monotonic() + settings.deadline_s, ""
    for number in range(settings.retries + 1):
        if number:
            wait = settings.backoff_s * 2 ** (number - 1)
            if time.monotonic() + wait >= deadline:
                raise Deadline(f"took longer than the {settings.deadline_s:g} s deadline (--deadline);"
                               f" last try: {last}")
            time.sleep(wait)
        try:
            size, mismatch = attempt(session, entry, target, settings, deadline)
        except Retry as exc:
            last = str(exc)
            continue
        return ("fetched", size, "") if mismatch is None else (mismatch[0], size, mismatch[1])
    return "failed", 0, f"{last} (after {settings.retries + 1} attempts)"


def _fetch_one(entry: dict, dest: Path, settings: FetchSettings, local: threading.local) -> dict:
    target = dest / entry["path"]
    row = {"url": redact(entry["url"]), "path": entry["path"], "bytes": 0, "status": "", "reason": "",
           "time_utc": ""}
    if target.is_file() and _skipped(target, entry, row):
        return row
    part = target.with_name(target.name + ".part")
    try:
        status, size, reason = _tries(entry, target, settings, _session(settings, local))
        row.update(status=status, bytes=size, reason=row["reason"] + reason)
    except Failed as exc:
        row.update(status="failed", reason=row["reason"] + str(exc))
        part.unlink(missing_ok=True)
    except OSError as exc:  # the download folder: requests' own errors are caught in transfer
        row.update(status="failed", reason=f"cannot write {exc.filename or target}: {exc.strerror or exc}")
    row["time_utc"] = _now()
    return row


def _guarded(entry: dict, dest: Path, settings: FetchSettings, local: threading.local) -> dict:
    """:func:`_fetch_one`, or a failed row naming what escaped it: a worker never dies."""
    try:
        return _fetch_one(entry, dest, settings, local)
    except Exception as exc:  # the promise: one manifest row per file, whatever happens
        return {"url": redact(entry["url"]), "path": entry["path"], "bytes": 0, "status": "failed",
                "reason": f"unexpected {type(exc).__name__}: {redact(str(exc))[:200]}", "time_utc": _now()}


def fetch_entries(
    entries: pd.DataFrame,
    dest: str | os.PathLike,
    *,
    settings: FetchSettings = FetchSettings(),
    progress: Callable[[int, int, int], None] | None = None,
) -> pd.DataFrame:
    """Download ``entries`` (:func:`~traverse.fetch.lists.select_entries`) into ``dest``.

    Labels go first, so a data file can be checked against the size its label
    declares.

    Parameters
    ----------
    progress
        Called as ``progress(files_done, files_total, bytes_done)``.

    Returns
    -------
    pandas.DataFrame
        The manifest: ``url`` (credentials redacted), ``path``, ``bytes``,
        ``status`` (``fetched``, :data:`SHORTER` / :data:`LONGER` (fetched
        whole, but not the size the label declares; kept), ``skipped`` as
        complete, ``failed``), ``reason``, ``time_utc``.
    """
    dest = Path(dest)
    ordered = entries.sort_values(["is_label", "path"], ascending=[False, True])
    labels = [e for e in ordered.to_dict("records") if e["is_label"]]
    data = [e for e in ordered.to_dict("records") if not e["is_label"]]
    local = threading.local()
    rows: list[dict] = []
    done_bytes = 0
    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        for batch in (labels, data):
            for row in pool.map(lambda e: _guarded(e, dest, settings, local), batch):
                rows.append(row)
                done_bytes += row["bytes"] if row["status"] in ("fetched", SHORTER, LONGER) else 0
                if progress is not None:
                    progress(len(rows), len(entries), done_bytes)
    for row in rows:  # once every worker is done: a folder made for a failed file goes
        if row["status"] == "failed":
            _prune((dest / row["path"]).parent, dest)
    return pd.DataFrame(rows, columns=_COLUMNS)


def _host(url: str) -> str:
    try:
        parts = requests.utils.urlparse(url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    except ValueError:
        return "?"


def probe_sizes(entries: pd.DataFrame, *, settings: FetchSettings = FetchSettings()) -> pd.Series:
    """File sizes from HEAD requests (NaN where unknown), by entry.

    The first request to each host is tried alone: a host that cannot be
    reached raises :class:`~traverse.errors.FetchError` naming it, so a dry run
    offline says so at once instead of timing out 5 000 times.  A URL that
    cannot be requested at all has an unknown size.
    """
    from traverse.errors import FetchError

    local = threading.local()
    hosts_ok: set[str] = set()
    for url in entries["url"]:
        host = _host(url)
        if host in hosts_ok:
            continue
        try:
            _session(settings, local).head(url, timeout=min(settings.timeout_s, 10.0), allow_redirects=True)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise FetchError(f"cannot reach {host} ({type(exc).__name__}); sizes unknown",
                             source=redact(url)) from exc
        except (requests.RequestException, ValueError):
            continue  # this URL only; the host is tried again with the next
        hosts_ok.add(host)

    def size(url: str) -> float:
        try:
            r = _session(settings, local).head(url, timeout=settings.timeout_s, allow_redirects=True)
            value = r.headers.get("Content-Length")
            return float(value) if r.ok and value and value.isdigit() else float("nan")
        except (requests.RequestException, ValueError):
            return float("nan")

    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        return pd.Series(list(pool.map(size, entries["url"])), index=entries.index, dtype="float64")
