"""One attempt at one file: request, check the answer, write ``NAME.part``, keep it only if it is the product.

:func:`attempt` raises :class:`Retry` when another try may succeed (a
network cut, a 5xx, a resume the server answered wrongly: the ``.part`` is
then removed so the next try starts at zero) and :class:`Failed` when it will
not (404, a login page, a label that is not its product's, the file's
deadline passed).  Reading uses ``read1``, which returns as soon as any bytes
arrive, so the wall-clock deadline is checked at least once per socket
timeout even against a server that trickles one byte at a time.
"""

from __future__ import annotations

import http.client
import os
import re
import time
from pathlib import Path

import requests
import urllib3

from traverse.fetch.checks import SNIFF_BYTES, content_range, html_page, label_problem
from traverse.fetch.urls import redact
from traverse.read.pds4 import MAX_LABEL_BYTES

__all__ = ["Failed", "Retry", "Deadline", "attempt", "label_mismatch", "declared_size", "SHORTER", "LONGER"]

_CHUNK = 1 << 16
_FILE_SIZE = re.compile(rb"<file_size[^>]*>\s*(\d+)\s*</file_size>")
_READ_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException, requests.RequestException, OSError)
_BAD_URL = (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema, requests.exceptions.InvalidHeader)
#: Manifest status of a file the server sent whole but whose size differs from its label's.
SHORTER, LONGER = "complete, shorter than label", "complete, longer than label"
_LOGIN = "not logged in: the portal sent a web page (HTML), not the product; give --cookie-file"


class Failed(Exception):
    """One file failed for good (the reason is the message)."""


class Retry(Exception):
    """One attempt failed in a way worth another try."""


class Deadline(Failed):
    """The file's wall-clock deadline passed."""


def declared_size(target: Path, entry: dict) -> int | None:
    """The size of a data file as its label (already downloaded beside it) declares it."""
    if entry["is_label"]:
        return None
    label = target.with_name(target.name + "L")
    if not label.is_file():
        return None
    with open(label, "rb") as fh:
        m = _FILE_SIZE.search(fh.read(1 << 20))
    return int(m.group(1)) if m else None


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


def _left(deadline: float, limit_s: float, received: int = 0) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Deadline(f"took longer than the {limit_s:g} s deadline (--deadline) after {received} bytes")
    return left


def _get(session: requests.Session, url: str, headers: dict, settings, deadline: float) -> requests.Response:
    """The answer's headers (redirects followed), or :class:`Retry` / :class:`Failed` saying why not."""
    timeout = min(settings.timeout_s, _left(deadline, settings.deadline_s))
    answers: list[int] = []  # the status of every answer, redirects included

    def heard(resp, *args, **kwargs):
        answers.append(resp.status_code)

    try:
        return session.get(url, headers=headers, stream=True, timeout=timeout, hooks={"response": heard})
    except requests.TooManyRedirects as exc:
        raise Failed(f"too many redirects (more than {session.max_redirects})") from exc
    except _BAD_URL as exc:
        where = "redirected to a URL that cannot be fetched" if answers else "bad URL"
        raise Failed(f"{where} ({redact(str(exc))[:200]})") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Retry(f"connection failed ({type(exc).__name__})") from exc
    except (requests.RequestException, urllib3.exceptions.HTTPError, ValueError) as exc:
        raise Failed(f"request failed ({type(exc).__name__}: {redact(str(exc))[:200]})") from exc


def _status(resp: requests.Response) -> None:
    """Raise for an answer that carries no product bytes (416 is dealt with by the caller)."""
    code = resp.status_code
    if code >= 500:
        raise Retry(f"HTTP {code}")
    if code in (401, 403):
        raise Failed(f"not logged in (HTTP {code}); give --cookie-file")
    if 300 <= code < 400:
        raise Failed(f"HTTP {code} redirect without a usable Location")
    if code >= 400 or code not in (200, 206):
        raise Failed(f"HTTP {code} {resp.reason or ''}".strip())


def _start(resp: requests.Response, have: int, part: Path) -> tuple[int, int | None]:
    """Where this answer's bytes go in the file, and the file's whole size when the answer says it.

    A ``200`` restarts at zero.  A ``206`` is appended only when its
    ``Content-Range`` starts at ``have`` and runs to the end of the file; one
    starting at zero and running to the end is written from zero; any other
    removes the ``.part`` and asks for a retry from zero.
    """
    length = resp.headers.get("Content-Length", "")
    sent = int(length) if length.isdigit() else None
    if resp.status_code == 200:
        return 0, sent
    value = resp.headers.get("Content-Range")
    span = content_range(value)
    start, end, total = span if span is not None else (-1, -1, None)
    if total is None or end + 1 != total or start not in (have, 0) or (
            sent is not None and sent != end + 1 - start):
        part.unlink(missing_ok=True)
        raise Retry(f"the server's 206 answer (Content-Range {redact(value or 'missing')[:60]!r}) does"
                    f" not continue the {have} bytes already here; restarting from zero")
    return start, total


def _chunks(resp: requests.Response, settings, deadline: float, got: list[int]):
    """The answer's bytes as they arrive (``read1``); ``got[0]`` counts them."""
    while True:
        _left(deadline, settings.deadline_s, got[0])
        try:
            chunk = resp.raw.read1(_CHUNK, decode_content=True)
        except _READ_ERRORS as exc:
            raise Retry(f"connection lost after {got[0]} bytes ({type(exc).__name__})") from exc
        if not chunk:
            return
        got[0] += len(chunk)
        yield chunk


def _receive(resp: requests.Response, part: Path, start: int, settings, deadline: float) -> int:
    """Write the answer's bytes at ``start`` of ``part`` and give the bytes received.

    The first :data:`~traverse.fetch.checks.SNIFF_BYTES` are held back until
    they show no web page.
    """
    ctype = resp.headers.get("Content-Type", "")
    got, head = [0], b""
    part.parent.mkdir(parents=True, exist_ok=True)
    with open(part, "ab" if start else "wb") as fh:
        for chunk in _chunks(resp, settings, deadline, got):
            if head is not None:
                head += chunk
                if len(head) < SNIFF_BYTES:
                    continue
                if html_page(head, ctype):
                    raise Failed(_LOGIN)
                fh.write(head)
                head = None
            else:
                fh.write(chunk)
        if head is not None:
            if head and html_page(head, ctype):
                raise Failed(_LOGIN)
            fh.write(head)
    return got[0]


def _check_label(part: Path, entry: dict, confirmed: bool) -> None:
    """A label is kept only as the PDS4 label of its URL's product; a cut one is fetched again."""
    size = part.stat().st_size
    data = b"" if size > MAX_LABEL_BYTES else part.read_bytes()
    why = label_problem(data, entry["product_id"], entry["path"]) if data else \
        f"not a PDS4 label: larger than {MAX_LABEL_BYTES} bytes"
    if not why:
        return
    part.unlink(missing_ok=True)
    if confirmed:
        raise Failed(why)
    raise Retry(f"{why}; the server did not say the length (no Content-Length): perhaps cut")


def attempt(session: requests.Session, entry: dict, target: Path, settings, deadline: float
            ) -> tuple[int, tuple[str, str] | None]:
    """One try at completing ``target``.

    Returns the bytes it holds and, when they differ from the label's
    ``file_size``, the manifest ``(status, reason)`` (:func:`label_mismatch`).
    """
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    resp = _get(session, entry["url"], {"Range": f"bytes={have}-"} if have else {}, settings, deadline)
    with resp:
        if resp.status_code == 416 and have:  # nothing left to send: the .part may be whole
            total = resp.headers.get("Content-Range", "").rpartition("/")[2]
            size, confirmed = have, total.isdigit() and int(total) == have
        else:
            _status(resp)
            start, total = _start(resp, have, part)
            size = start + _receive(resp, part, start, settings, deadline)
            if total is not None and size != total:
                raise Retry(f"short response: {size} of {total} bytes")
            confirmed = total is not None
    if size == 0:
        part.unlink(missing_ok=True)
        raise Retry("empty answer (0 bytes)")
    if entry["is_label"]:
        _check_label(part, entry, confirmed)
    declared = declared_size(target, entry)
    mismatch = label_mismatch(size, declared)
    if mismatch is not None and not confirmed:  # a cut transfer cannot be told from a short file
        part.unlink(missing_ok=True)
        raise Failed(f"{size} bytes but the label declares {declared}, and the server did not say"
                     " the file's length (no Content-Length)")
    os.replace(part, target)
    return size, mismatch
