"""Exceptions and warnings of :mod:`traverse`, and the report of skipped input.

Bad input never stops a run by default.  One policy object, :class:`Report`,
decides what a problem does: with ``on_error="skip"`` (the default) it is
recorded as a :class:`Problem` (source, reason, count) that the CLI prints and
writes next to its outputs, so nothing is lost silently; with
``on_error="raise"`` it raises the specific error class (:class:`LabelError`,
:class:`RecordError`, :class:`LayoutError`, :class:`ArchiveError`).

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
    "TraverseError",
    "ArchiveError",
    "LabelError",
    "UnsafeXMLError",
    "RecordError",
    "LayoutError",
    "OutputError",
    "RasterError",
    "SiteMismatchError",
    "SkippedProductWarning",
    "Problem",
    "Report",
]

OnError = Literal["skip", "raise"]

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


class SkippedProductWarning(UserWarning):
    """A product, record or value was skipped; the report says which and why."""


@dataclass(frozen=True)
class Problem:
    """One skipped input: where, why, and how many items it cost (0: kept, with a caveat)."""

    source: str
    reason: str
    count: int = 1


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
        self.note(source, reason, count)

    def note(self, source: object, reason: str, count: int = 0) -> None:
        """Record a problem that never raises (a value kept as missing, a caveat)."""
        problem = Problem(str(source), str(reason), int(count))
        self.problems.append(problem)
        log.info("%s: %s", problem.source, problem.reason)
        if self.warn:
            warnings.warn(f"{problem.source}: {problem.reason}", SkippedProductWarning, stacklevel=3)

    def add_error(self, exc: TraverseError, *, fallback_source: object = None, count: int = 1) -> None:
        """Record a caught :class:`TraverseError`; re-raise it under ``on_error="raise"``."""
        if self.on_error == "raise":
            raise exc
        self.note(exc.source or fallback_source, exc.reason, count)

    def extend(self, other: Report) -> None:
        """Append the problems of ``other``."""
        self.problems.extend(other.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def to_frame(self):
        """The problems as a :class:`pandas.DataFrame` (source, reason, count)."""
        import pandas as pd

        return pd.DataFrame(
            [(p.source, p.reason, p.count) for p in self.problems],
            columns=["source", "reason", "count"],
        )
