"""Exceptions and warnings of :mod:`traverse`, and the report of skipped input.

Bad input never stops a run by default: each reader takes
``on_error="skip" | "raise"``; a skipped product or record is counted in a
:class:`Report` (path, reason, count) that the CLI prints and writes next to
its outputs, so nothing is lost silently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

OnError = Literal["skip", "raise"]


class TraverseError(Exception):
    """Base class of every error raised by traverse."""


class ArchiveError(TraverseError, OSError):
    """An input path, folder or zip bundle cannot be read."""


class LabelError(TraverseError, ValueError):
    """A PDS4 label is malformed or lacks a required element."""


class UnsafeXMLError(LabelError):
    """A label declares a DTD or entities (XXE, billion laughs), or is too large."""


class RecordError(TraverseError, ValueError):
    """An LPR binary does not match its label's record layout."""


class SkippedProductWarning(UserWarning):
    """A product, record or value was skipped; the report says which and why."""


@dataclass(frozen=True)
class Problem:
    """One skipped input: where, why, and how many items it cost."""

    source: str
    reason: str
    count: int = 1


@dataclass
class Report:
    """Problems collected during a run, in the order they were met."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, source: str, reason: str, count: int = 1, *, on_error: OnError = "skip"):
        """Record a problem; raise it instead when ``on_error == "raise"``."""
        if on_error == "raise":
            raise TraverseError(f"{source}: {reason}")
        self.problems.append(Problem(str(source), reason, int(count)))
        warnings.warn(f"{source}: {reason}", SkippedProductWarning, stacklevel=3)

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
