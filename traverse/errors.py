"""Exceptions and warnings of :mod:`traverse`, and the report of skipped input.

Bad input never stops a run by default.  One policy object, :class:`Report`,
decides what a problem does: with ``on_error="skip"`` (the default) it is
recorded as a :class:`Problem` (source, reason, count) that the CLI prints and
writes next to its outputs, so nothing is lost silently; with
``on_error="raise"`` it raises the specific error class (:class:`LabelError`,
:class:`RecordError`, :class:`LayoutError`, :class:`ArchiveError`).

A problem has a ``severity``: ``"error"`` (the product, record or value was
skipped; raised under ``on_error="raise"``) or ``"warning"`` (the data were
kept with a caveat, e.g. a truncated binary whose complete records are used;
recorded under either policy, never raised).

Every error carries the file it is about (``source``) and the problem
(``reason``) separately; ``str(error)`` joins them as ``"source: reason"``.
Skipped products are logged on the ``traverse`` logger (level INFO), and
emitted as :class:`SkippedProductWarning` only when ``Report(warn=True)``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "OnError",
    "Severity",
    "TraverseError",
    "ArchiveError",
    "LabelError",
    "UnsafeXMLError",
    "RecordError",
    "LayoutError",
    "OutputError",
    "RasterError",
    "SiteMismatchError",
    "FetchError",
    "UsageError",
    "SkippedProductWarning",
    "TerrainWarning",
    "LROControlWarning",
    "Problem",
    "Report",
]

OnError = Literal["skip", "raise"]
#: ``"error"``: something was skipped; ``"warning"``: the data were kept, with a caveat.
Severity = Literal["error", "warning"]
_SEVERITIES = ("error", "warning")

log = logging.getLogger("traverse")


class TraverseError(Exception):
    """Base class of every error raised by traverse.

    Parameters
    ----------
    reason
        What is wrong, in words a user can act on.
    source
        The file, zip member (``bundle.zip!member``) or option it is about.
    """

    def __init__(self, reason: str, *, source: str | None = None):
        self.reason = str(reason)
        self.source = None if source is None else str(source)
        super().__init__(f"{self.source}: {self.reason}" if self.source else self.reason)


class ArchiveError(TraverseError, OSError):
    """An input path, folder or zip bundle cannot be read."""


class LabelError(TraverseError, ValueError):
    """A PDS4 label is malformed or lacks a required element."""


class UnsafeXMLError(LabelError):
    """A label declares a DTD or entities (XXE, billion laughs), or is too large."""


class RecordError(TraverseError, ValueError):
    """A binary product does not match its label's record layout."""


class LayoutError(RecordError):
    """A label declares a record layout its data cannot satisfy (length, offsets, types, counts)."""


class OutputError(TraverseError, OSError):
    """An output cannot be written (missing folder, no permission, disk full, already exists)."""


class RasterError(TraverseError, ValueError):
    """A DEM or basemap cannot be used: unreadable, no CRS, another body's CRS, absurd size or transform."""


class SiteMismatchError(TraverseError, ValueError):
    """Tables tied to one lander site (control network) are used with another."""


class FetchError(TraverseError):
    """A download list or a download cannot be used (bad URL, unreachable host, failed file)."""


class UsageError(Exception):
    """A command line that cannot be carried out as given: exit status 2, one line, no traceback."""


class SkippedProductWarning(UserWarning):
    """A product, record or value was skipped; the report says which and why."""


class TerrainWarning(UserWarning):
    """Part of the traverse lies outside the DEM; its terrain values are missing."""


class LROControlWarning(UserWarning):
    """An LRO-controlled basemap is drawn under a traverse tied to another control network."""


@dataclass(frozen=True)
class Problem:
    """One problem met: where, why, how many items it cost, and whether data were skipped.

    Attributes
    ----------
    count
        Items lost (products, records); 0 for a caveat on kept data.
    severity
        ``"error"`` (skipped) or ``"warning"`` (kept with a caveat, never raised).
    """

    source: str
    reason: str
    count: int = 1
    severity: Severity = "error"


@dataclass
class Report:
    """The error policy of a run and the problems it met, in order.

    Parameters
    ----------
    on_error
        ``"skip"`` records each problem and goes on; ``"raise"`` raises it.
    warn
        Also emit each recorded problem as a :class:`SkippedProductWarning`.
    """

    on_error: OnError = "skip"
    warn: bool = False
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.on_error not in ("skip", "raise"):
            raise ValueError(f"on_error must be 'skip' or 'raise', got {self.on_error!r}")

    def add(
        self,
        source: object,
        reason: str,
        count: int = 1,
        *,
        error: type[TraverseError] = TraverseError,
    ) -> None:
        """Record a problem, or raise it as ``error`` when the policy is ``"raise"``.

        Parameters
        ----------
        source
            File or zip member the problem is about.
        reason
            What is wrong and what was done (skipped, kept as missing ...).
        count
            Items lost (products, records); 0 for a caveat on kept data.
        error
            Error class raised under ``on_error="raise"``.
        """
        if self.on_error == "raise":
            raise error(reason, source=str(source))
        self.record(Problem(str(source), str(reason), int(count), "error"))

    def note(self, source: object, reason: str, count: int = 0) -> None:
        """Record a warning, which never raises.

        A value kept as missing, a truncated file's complete records used, a
        caveat on kept data.
        """
        self.record(Problem(str(source), str(reason), int(count), "warning"))

    def record(self, problem: Problem) -> None:
        """Record ``problem`` as it is (e.g. met in a worker process); never raises."""
        if problem.severity not in _SEVERITIES:
            raise ValueError(f"severity must be 'error' or 'warning', got {problem.severity!r}")
        self.problems.append(problem)
        log.info("%s: %s", problem.source, problem.reason)
        if self.warn:
            warnings.warn(f"{problem.source}: {problem.reason}", SkippedProductWarning, stacklevel=3)

    def add_error(self, exc: TraverseError, *, fallback_source: object = None, count: int = 1) -> None:
        """Record a caught :class:`TraverseError`; re-raise it under ``on_error="raise"``."""
        if self.on_error == "raise":
            raise exc
        self.record(Problem(str(exc.source or fallback_source), exc.reason, int(count), "error"))

    def extend(self, other: Report) -> None:
        """Append the problems of ``other``."""
        self.problems.extend(other.problems)

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        """The problems whose data were kept (severity ``"warning"``)."""
        return [p for p in self.problems if p.severity == "warning"]

    def to_frame(self):
        """The problems as a :class:`pandas.DataFrame` (source, reason, count, severity)."""
        import pandas as pd

        return pd.DataFrame(
            [(p.source, p.reason, p.count, p.severity) for p in self.problems],
            columns=["source", "reason", "count", "severity"],
        )
