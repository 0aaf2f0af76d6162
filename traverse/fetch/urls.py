"""URLs of the download lists: credentials redacted, oddities refused with one reason each.

A list may carry ``user:password@`` in its URLs; they are used for the
request but never shown: :func:`redact` replaces them with ``***`` in every
manifest row, message and log line.  :func:`url_problem` says why a URL
cannot be fetched safely (not http(s), no host, a bad IPv6 literal or port,
control characters, a path that would leave the download folder or that the
file system cannot hold), so that each odd line is one reported problem and
never reaches a worker thread.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import SplitResult, unquote, urlsplit

__all__ = ["redact", "url_problem", "local_path", "MAX_PART_BYTES", "MAX_PATH_BYTES"]

#: Longest file or folder name most file systems hold (NAME_MAX), bytes.
MAX_PART_BYTES = 255
#: Longest path below the download folder accepted, bytes (real ones are about 120).
MAX_PATH_BYTES = 1024
_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def redact(text: str) -> str:
    """``text`` with the ``user:password@`` of every URL in it replaced by ``***@``."""
    return _CREDENTIALS.sub(r"\1***@", str(text))


def _shown(url: str) -> str:
    return repr(redact(url)[:200])


def _split(url: str) -> tuple[SplitResult | None, str]:
    """The parts of ``url``, or ``None`` and why it cannot be parsed."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number in 0..65535
    except ValueError as exc:
        return None, f"not a valid URL ({exc})"
    return parts, ""


def _host_problem(parts: SplitResult) -> str:
    host = parts.hostname
    if not host:
        return "no host"
    if ":" in host:  # an IPv6 literal, checked by urlsplit
        return ""
    try:
        host.encode("idna")
    except UnicodeError as exc:
        return f"host name cannot be encoded ({exc})"
    return ""


def local_path(parts: SplitResult) -> str:
    """The URL's path below the host, as the folders to keep below the download folder."""
    return posixpath.normpath(unquote(parts.path)).lstrip("/")


def _path_problem(parts: SplitResult) -> str:
    path = unquote(parts.path)
    clean = local_path(parts)
    if ".." in path.split("/") or clean.startswith("..") or "\\" in path or "\x00" in path:
        return "URL path would leave the download folder"
    encoded = clean.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PATH_BYTES:
        return f"URL path is {len(encoded)} bytes long, more than {MAX_PATH_BYTES}"
    longest = max((len(p.encode("utf-8", "surrogateescape")) for p in clean.split("/")), default=0)
    if longest > MAX_PART_BYTES:
        return (f"a URL path part is {longest} bytes long; file names hold at most"
                f" {MAX_PART_BYTES}")
    return ""


def url_problem(url: str) -> tuple[SplitResult | None, str]:
    """The parts of ``url`` and ``""``, or ``None`` and why it is refused.

    The reason is one line, credentials redacted.
    """
    if _CONTROL.search(url):
        return None, f"URL holds control characters: {_shown(url)}"
    parts, why = _split(url)
    if parts is None:
        return None, f"{why}: {_shown(url)}"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None, f"not an http(s) URL: {_shown(url)}"
    why = _host_problem(parts) or _path_problem(parts)
    if why:
        return None, f"{why}: {_shown(url)}"
    return parts, ""
