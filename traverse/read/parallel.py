"""Per-product work on every core: sources that cross processes, results in input order.

A :class:`~traverse.read.archive.Source` inside a zip bundle holds the open
:class:`zipfile.ZipFile`, which cannot be sent to another process (and must
not be shared with one: a forked child would move the parent's file offset).
Work items carry :func:`where` instead, ``(path, member)``, and a worker
turns it back into a source with :func:`reopen`, opening each bundle once per
process.  :func:`ordered_map` runs a function over chunks of items in worker
processes and yields the results in input order, or runs it in this process
when one worker is asked for or the work is too small to pay for a pool.
"""

from __future__ import annotations

import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from traverse.interrupts import sigint_held
from traverse.read.archive import Source

__all__ = ["Where", "where", "reopen", "close_reopened", "default_workers", "ordered_map"]

T = TypeVar("T")
R = TypeVar("R")

#: ``(path, zip member or None)``: a source that can cross processes.
Where = tuple[str, "str | None"]

# Bundles reopened by this process, with the pid that opened them (a forked child starts afresh).
_BUNDLES: dict[str, zipfile.ZipFile] = {}
_OWNER = [os.getpid()]


def where(source: Source) -> Where:
    """``(path, member)`` of a source, for another process."""
    return (str(source.path), source.member)


def reopen(place: Where) -> Source:
    """The source at ``place``; a zip bundle is opened once per process and kept open."""
    path, member = place
    if member is None:
        return Source(Path(path))
    if _OWNER[0] != os.getpid():  # inherited through fork: the parent's handles are not ours
        _BUNDLES.clear()
        _OWNER[0] = os.getpid()
    bundle = _BUNDLES.get(path)
    if bundle is None:
        bundle = _BUNDLES[path] = zipfile.ZipFile(path)
    return Source(Path(path), member, bundle)


def close_reopened() -> None:
    """Close the bundles :func:`reopen` opened in this process."""
    if _OWNER[0] == os.getpid():
        for bundle in _BUNDLES.values():
            bundle.close()
    _BUNDLES.clear()
    _OWNER[0] = os.getpid()


def default_workers() -> int:
    """Cores this process may use that other processes do not keep busy.

    The cores it may run on, less the 1-minute load average beyond this
    process itself (at least 1).  Measured on a two-core machine shared with
    other jobs (load 3–5): two workers read 12 480 labels in 5.3–11.3 s
    against 3.6–6.8 s for one, and took 40 % more CPU (4.1 against 2.9 s:
    forking, pickling); where the cores are taken, a pool only adds that.
    """
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        cores = max(1, os.cpu_count() or 1)
    try:
        others = max(0.0, os.getloadavg()[0] - 1.0)  # the load counts this process too
    except (AttributeError, OSError):  # no load average on this platform
        others = 0.0
    return max(1, min(cores, round(cores - others)))


def _context():
    # fork: workers start in milliseconds with the modules already imported (Linux);
    # elsewhere the platform's default start method
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _run_chunk(func: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [func(item) for item in chunk]


def ordered_map(func: Callable[[T], R], items: Sequence[T], *, workers: int | None = None,
                chunk: int = 64, min_parallel: int = 256) -> Iterator[R]:
    """``func(item)`` for every item, in input order, on ``workers`` processes.

    ``func`` must be a module-level function; items and results must pickle.
    Fewer than ``min_parallel`` items, or one worker, run here (a pool costs
    tens of milliseconds).  An exception raised by ``func`` is raised here when
    its item's turn comes.
    """
    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(items) < min_parallel:
        try:
            yield from (func(item) for item in items)
        finally:
            close_reopened()
        return
    chunks: Iterable[Sequence[T]] = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        with sigint_held():  # the workers are forked here; they inherit Ctrl-C held: the parent handles it
            mapped = pool.map(_run_chunk, [func] * len(chunks), chunks)
        for results in mapped:
            yield from results
