"""Download the selected files robustly: parallel, retried, resumed, never a cut transfer kept.

Each file lands as ``NAME.part`` beside its final place (the portal's folder
layout below the host, inside the download folder) and is renamed only when
complete: its size matches the response's ``Content-Length``.  A data file
whose label is already there is also compared with the ``file_size`` the label
declares: when the server sent everything it promised but that differs from
the label (the portal holds a short or long file), the file is kept, since its
complete records are usable, and marked in the manifest (status ``complete,
shorter than label`` or ``complete, longer than label``); the reader reports
it again as truncated.  A file present under its final name is therefore
complete and is skipped without a request; a ``.part`` left by an interrupted run is resumed with an
HTTP ``Range`` request (or restarted when the server ignores it).  Timeouts,
connection resets and 5xx answers are retried with exponential backoff; a
404, or an HTML page where a product was expected (a login page: the portal
wants a session cookie), fails that file with its reason and the run goes on.
Uses :mod:`requests`; cookies and headers are never logged.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import MozillaCookieJar
from pathlib import Path

import pandas as pd
import requests

__all__ = ["FetchSettings", "fetch_entries", "probe_sizes", "MANIFEST_NAME", "SHORTER", "LONGER",
           "label_mismatch"]

#: The record of every run, in the download folder.
MANIFEST_NAME = "fetch_manifest.csv"
_CHUNK = 1 << 16
_FILE_SIZE = re.compile(rb"<file_size[^>]*>\s*(\d+)\s*</file_size>")


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
        Seconds to connect, and between two bytes received.
    headers
        Extra request headers (``--header 'Name: value'``), never logged.
    cookie_file
        Netscape ``cookies.txt`` as browsers export it, or ``None``.
    """

    jobs: int = 4
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)
    cookie_file: str | None = None


class _Failed(Exception):
    """One file failed for good (the reason is the message)."""


class _Retry(Exception):
    """One attempt failed in a way worth another try."""


#: Manifest status of a file the server sent whole but whose size differs from its label's.
SHORTER, LONGER = "complete, shorter than label", "complete, longer than label"


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


def _declared_size(target: Path, entry: dict) -> int | None:
    """The size of a data file as its label (already downloaded beside it) declares it."""
    if entry["is_label"]:
        return None
    label = target.with_name(target.name + "L")
    if not label.is_file():
        return None
    with open(label, "rb") as fh:
        m = _FILE_SIZE.search(fh.read(1 << 20))
    return int(m.group(1)) if m else None


def _looks_like_html(first: bytes, content_type: str) -> bool:
    head = first.lstrip()[:64].lower()
    return "text/html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def label_mismatch(size: int, declared: int | None) -> tuple[str, str] | None:
    """The manifest ``(status, reason)`` of a complete file whose size differs from its label's.

    ``size`` bytes were received, the label declares ``declared``; ``None``
    when they agree or the label says nothing.
    """
    if declared is None or size == declared:
        return None
    status, word = (SHORTER, "short") if size < declared else (LONGER, "too many")
    return status, (f"the server sent {size} bytes, all it announced, but the label declares"
                     f" {declared} ({abs(size - declared)} bytes {word}); kept")


def _whole_416(resp: requests.Response, have: int) -> bool:
    """A 416 answer to ``Range: bytes=have-`` that says the file is ``have`` bytes long."""
    total = resp.headers.get("Content-Range", "").rpartition("/")[2]
    return total.isdigit() and int(total) == have


def _attempt(session: requests.Session, entry: dict, target: Path, settings: FetchSettings
             ) -> tuple[int, tuple[str, str] | None]:
    """One try at completing ``target``.

    Returns the bytes received and, when they differ from the label's
    ``file_size``, the manifest ``(status, reason)`` (:func:`label_mismatch`).
    """
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        resp = session.get(entry["url"], headers=headers, stream=True, timeout=settings.timeout_s)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _Retry(f"connection failed ({type(exc).__name__})") from exc
    confirmed = True  # the server said how long the file is, and all of it arrived
    with resp:
        if resp.status_code == 416 and have:  # nothing left to send: the .part may be whole
            total, confirmed = have, _whole_416(resp, have)
        elif resp.status_code >= 500:
            raise _Retry(f"HTTP {resp.status_code}")
        elif resp.status_code in (401, 403):
            raise _Failed(f"not logged in (HTTP {resp.status_code}); give --cookie-file")
        elif resp.status_code >= 400:
            raise _Failed(f"HTTP {resp.status_code} {resp.reason or ''}".strip())
        else:
            resumed = resp.status_code == 206 and have > 0
            if not resumed:
                have = 0  # the server ignored Range (or there was nothing): start again
            expected = resp.headers.get("Content-Length")
            total = have + int(expected) if expected is not None and expected.isdigit() else None
            received = 0
            try:
                with open(part, "ab" if resumed else "wb") as fh:
                    for chunk in resp.iter_content(_CHUNK):
                        if received == 0 and not resumed and _looks_like_html(
                                chunk, resp.headers.get("Content-Type", "")):
                            raise _Failed("not logged in: the portal sent an HTML page, not the product;"
                                          " give --cookie-file")
                        fh.write(chunk)
                        received += len(chunk)
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                raise _Retry(f"connection lost after {have + received} bytes ({type(exc).__name__})") from exc
            if total is not None and have + received != total:
                raise _Retry(f"short response: {have + received} of {total} bytes")
            confirmed = total is not None
            total = have + received
    declared = _declared_size(target, entry)
    mismatch = label_mismatch(total, declared)
    if mismatch is not None and not confirmed:  # a cut transfer cannot be told from a short file
        part.unlink(missing_ok=True)
        raise _Failed(f"{total} bytes but the label declares {declared}, and the server did not say"
                      " the file's length (no Content-Length)")
    os.replace(part, target)
    return total, mismatch


def _fetch_one(entry: dict, dest: Path, settings: FetchSettings, local: threading.local) -> dict:
    target = dest / entry["path"]
    row = {"url": entry["url"], "path": entry["path"], "bytes": 0, "status": "", "reason": "",
           "time_utc": ""}
    if target.is_file():
        size = target.stat().st_size
        mismatch = label_mismatch(size, _declared_size(target, entry))
        row.update(status="skipped", bytes=size,
                   reason="complete" if mismatch is None else f"{mismatch[0]}: {mismatch[1]}")
        return row
    target.parent.mkdir(parents=True, exist_ok=True)
    session = _session(settings, local)
    last = ""
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff_s * 2 ** (attempt - 1))
        try:
            size, mismatch = _attempt(session, entry, target, settings)
            row.update(status="fetched", bytes=size)
            if mismatch is not None:
                row.update(status=mismatch[0], reason=mismatch[1])
            break
        except _Retry as exc:
            last = str(exc)
        except _Failed as exc:
            row.update(status="failed", reason=str(exc))
            target.with_name(target.name + ".part").unlink(missing_ok=True)
            break
        except OSError as exc:
            row.update(status="failed", reason=f"cannot write {target}: {exc.strerror or exc}")
            break
    else:
        row.update(status="failed", reason=f"{last} (after {settings.retries + 1} attempts)")
    row["time_utc"] = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return row


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
        The manifest: ``url``, ``path``, ``bytes``, ``status`` (``fetched``,
        :data:`SHORTER` / :data:`LONGER` (fetched whole, but not the size the
        label declares; kept), ``skipped`` as complete, ``failed``), ``reason``,
        ``time_utc``.
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
            for row in pool.map(lambda e: _fetch_one(e, dest, settings, local), batch):
                rows.append(row)
                done_bytes += row["bytes"] if row["status"] in ("fetched", SHORTER, LONGER) else 0
                if progress is not None:
                    progress(len(rows), len(entries), done_bytes)
    return pd.DataFrame(rows, columns=["url", "path", "bytes", "status", "reason", "time_utc"])


def probe_sizes(entries: pd.DataFrame, *, settings: FetchSettings = FetchSettings()) -> pd.Series:
    """File sizes from HEAD requests (NaN where unknown), by entry.

    The first request to each host is tried alone: a host that cannot be
    reached raises :class:`~traverse.fetch.lists.FetchError` naming it, so a
    dry run offline says so at once instead of timing out 5 000 times.
    """
    from traverse.errors import FetchError

    local = threading.local()
    hosts_ok: set[str] = set()
    for url in entries["url"]:
        host = requests.utils.urlparse(url).netloc
        if host in hosts_ok:
            continue
        try:
            _session(settings, local).head(url, timeout=min(settings.timeout_s, 10.0), allow_redirects=True)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise FetchError(f"cannot reach {host} ({type(exc).__name__}); sizes unknown",
                             source=url) from exc
        hosts_ok.add(host)

    def size(url: str) -> float:
        try:
            r = _session(settings, local).head(url, timeout=settings.timeout_s, allow_redirects=True)
            value = r.headers.get("Content-Length")
            return float(value) if r.ok and value and value.isdigit() else float("nan")
        except requests.RequestException:
            return float("nan")

    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        return pd.Series(list(pool.map(size, entries["url"])), index=entries.index, dtype="float64")
