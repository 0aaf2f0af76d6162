"""Writing outputs safely: one atomic-write helper and one UTC time format for every writer.

Every file traverse writes (GeoPackage, HTML, CSV, GeoJSON, Parquet) goes
through :func:`atomic_output`: it is written in a temporary folder beside its
final name and renamed into place only when complete, so a failure, a full
disk or Ctrl-C leaves neither a partial file under the final name nor stray
temporary files.  Problems become one :class:`~traverse.errors.OutputError`
naming the path and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from traverse.errors import OutputError
from traverse.interrupts import sigint_held

__all__ = ["atomic_output", "output_set", "iso_utc", "ISO_UTC_FORMAT"]

#: The one text form of times in every output: ISO 8601, UTC, milliseconds, ``Z``.
ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for the device or a size limit",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


#: What SQLite and GDAL say (inside messages that may quote kilobytes of SQL), in words.
_LIBRARY_PHRASES = (
    ("disk is full", _REASONS[errno.ENOSPC]),
    ("no space left", _REASONS[errno.ENOSPC]),
    ("disk quota", _REASONS[errno.EDQUOT]),
    ("readonly database", _REASONS[errno.EROFS]),
    ("read-only file system", _REASONS[errno.EROFS]),
    ("permission denied", _REASONS[errno.EACCES]),
    ("disk i/o error", "input/output error on the device"),
    ("database is locked", "the file is locked by another program"),
    ("file is too large", _REASONS[errno.EFBIG]),
)


def _space_reason(workdir: Path) -> str | None:
    """Why writing in ``workdir`` may have failed, from the device and the limits, or ``None``."""
    try:
        st = os.statvfs(workdir)
        if st.f_bavail * st.f_frsize < _LOW_SPACE_BYTES:
            return _REASONS[errno.ENOSPC]
    except (OSError, AttributeError):  # no statvfs (Windows)
        pass
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError):
        return None
    if limit != resource.RLIM_INFINITY and any(
            f.stat().st_size >= limit - _LOW_SPACE_BYTES for f in workdir.rglob("*") if f.is_file()):
        return _REASONS[errno.EFBIG]
    return None


#: Free bytes below which a writer library's failure is taken as a full disk.
_LOW_SPACE_BYTES = 4 << 20


def _library_reason(exc: BaseException, workdir: Path) -> str:
    """A writer library's error (SQLite, GDAL) in words, never the SQL statement it may quote.

    A full disk or a size limit is found by looking at the device (the
    library's message often names a later symptom, "no such table ...").
    """
    text = str(exc)
    low = text.lower()
    for phrase, words in _LIBRARY_PHRASES:
        if phrase in low:
            return words
    space = _space_reason(workdir)
    if space:
        return space
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if "sqlite3_exec(" in first or re.search(r"\b(INSERT|CREATE|UPDATE|SELECT|DELETE) ", first):
        cause = first.rsplit(" failed: ", 1)[-1] if " failed: " in first else "a statement failed"
        return f"the GeoPackage writer failed (SQLite: {cause[:200]})"
    return first[:300]


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike, *, write_errors: tuple[type[BaseException], ...] = ()
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it over ``path`` only on success.

    Parameters
    ----------
    path
        The final file.  Its folder must exist; an existing file is replaced
        (callers decide beforehand whether that is allowed).
    write_errors
        Exception classes of the writer library that mean the write failed
        (e.g. pyogrio's on a full disk); reported like an :class:`OSError`.

    Yields
    ------
    pathlib.Path
        Where to write, with the same file name (so writers that go by the
        suffix behave the same), in a hidden temporary folder beside ``path``.

    Raises
    ------
    OutputError
        The folder is missing or not writable, a folder stands at ``path``,
        or writing failed (disk full, size limit ...): one line with the path
        and the reason.  Nothing is left behind.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError("is a folder; expected a file name", source=str(path))
    if not parent.is_dir():
        raise OutputError(f"folder {parent} does not exist", source=str(path))
    try:
        workdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write in {parent}: {_reason(exc)}", source=str(path)) from exc
    try:
        tmp = workdir / path.name
        try:
            yield tmp
            if not tmp.exists():
                raise OutputError("the writer produced no file", source=str(path))
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write: {_reason(exc)}", source=str(path)) from exc
        except write_errors as exc:
            raise OutputError(f"cannot write: {_library_reason(exc, workdir)}", source=str(path)) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _lock(lock_path: Path, what: str) -> int | None:
    """An exclusive advisory lock on ``lock_path`` (created), or an OutputError if another holds it."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): no lock
        return None

    for _ in range(3):  # the holder may remove the file between our open and our lock
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write in {lock_path.parent}: {_reason(exc)}", source=what) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputError(f"another traverse run is writing these outputs (lock {lock_path});"
                              " wait for it to finish or choose another name", source=what) from None
        try:
            same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)
    raise OutputError(f"cannot lock {lock_path}", source=what)


def _unlock(fd: int | None, lock_path: Path) -> None:
    if fd is None:
        return
    with contextlib.suppress(OSError):
        lock_path.unlink()
    os.close(fd)


def _commit(stage: Path, folder: Path, names: list[str]) -> None:
    """Move every staged name over its final one (a folder as a whole); remove finals not staged.

    The previous outputs are first moved aside (into the staging folder, which
    is removed afterwards), then the new ones into place; if a rename fails,
    what was done is undone.  The caller holds Ctrl-C off meanwhile
    (:func:`traverse.interrupts.sigint_held`), so the set is never half old, half new.
    """
    aside = stage / ".previous"
    aside.mkdir()
    moved: list[str] = []
    placed: list[str] = []
    try:
        for name in names:
            if os.path.lexists(folder / name):
                os.replace(folder / name, aside / name)
                moved.append(name)
        for name in names:
            if os.path.lexists(stage / name):
                os.replace(stage / name, folder / name)
                placed.append(name)
    except OSError:
        for name in placed:
            with contextlib.suppress(OSError):
                os.replace(folder / name, stage / name)
        for name in moved:
            with contextlib.suppress(OSError):
                os.replace(aside / name, folder / name)
        raise


@contextlib.contextmanager
def output_set(folder: str | os.PathLike, names: Iterable[str], *,
               fresh: Iterable[str] = ()) -> Iterator[Path]:
    """Write a set of outputs together: all of them replace the previous set, or none does.

    Yields a hidden staging folder beside the outputs; the caller writes every
    output there under its final name (files, and folders such as
    ``NAME_files/``).  On success each of ``names`` staged moves over its
    final name (a folder is replaced as a whole) and each not staged is
    removed (a stale report, images of a previous run); on any failure or
    Ctrl-C the staging folder is removed and the previous set stays as it was.
    An advisory lock (``.NAME.lock`` beside the outputs, ``fcntl.flock``) makes a
    second run into the same names fail at once, in one line.

    Parameters
    ----------
    folder
        Where the outputs go (it must exist).
    names
        File and folder names of the set; the first names the lock.
    fresh
        Names that must not exist (no ``--overwrite``), checked again under
        the lock: another run may have finished since the command checked.

    Raises
    ------
    OutputError
        Another run holds the lock, an output appeared meanwhile, or the
        staging folder cannot be made or moved: one line, nothing left behind.
    """
    folder, names = Path(folder), list(names)
    what = str(folder / names[0])
    lock_path = folder / f".{Path(names[0]).stem}.lock"
    fd = _lock(lock_path, what)
    try:
        for name in fresh:
            if (folder / name).exists():
                raise OutputError("appeared while this run was reading (another run?);"
                                  " use --overwrite to replace it", source=str(folder / name))
        try:
            with sigint_held():  # a Ctrl-C between making the folder and naming it would leave it
                stage = Path(tempfile.mkdtemp(prefix=f".{Path(names[0]).stem}.set.", dir=folder))
        except OSError as exc:
            raise OutputError(f"cannot write in {folder}: {_reason(exc)}", source=what) from exc
        try:
            try:
                yield stage
            except OutputError as exc:  # name the final path, not the staging folder
                if not exc.source or str(stage) not in exc.source:
                    raise
                raise OutputError(exc.reason, source=exc.source.replace(str(stage), str(folder))) from exc
            with sigint_held(consume=True):  # the renames and the clean-up run to their end
                try:
                    _commit(stage, folder, names)
                except OSError as exc:
                    raise OutputError(f"cannot move the outputs into place: {_reason(exc)}",
                                      source=what) from exc
                shutil.rmtree(stage, ignore_errors=True)
        finally:
            with sigint_held():
                shutil.rmtree(stage, ignore_errors=True)
    finally:
        _unlock(fd, lock_path)


def iso_utc(values: pd.Series) -> pd.Series:
    """Times as text in :data:`ISO_UTC_FORMAT` (``2019-01-03T02:26:00.000Z``); missing stay missing.

    Parameters
    ----------
    values
        Datetimes, tz-aware (converted to UTC) or naive (taken as UTC).
    """
    s = pd.to_datetime(values)
    s = s.dt.tz_convert("UTC") if s.dt.tz is not None else s.dt.tz_localize("UTC")
    text = s.dt.strftime(ISO_UTC_FORMAT).str.replace(r"(\.\d{3})\d*Z$", r"\1Z", regex=True)
    return text.where(s.notna())
